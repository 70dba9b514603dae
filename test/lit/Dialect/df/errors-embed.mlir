// RUN: loom-opt %s -split-input-file -verify-diagnostics

// df.embed's verifier (dialects/df/DFOps.cpp), one broken case each.

func.func @in_lanes() {
  %in = df.input "ids" : !df.stream<i3, 2, [2]>
  // expected-error @+1 {{'df.embed' op input stream must carry 1 lane (one token id per beat)}}
  %s = df.embed %in {vocab = 5 : i64, channels = 4 : i64, positions = 2 : i64,
                     table = dense<1> : tensor<5x4xi8>, lo = -128 : i64, hi = 127 : i64}
       : !df.stream<i3, 2, [2]> -> !df.stream<i8, 1, [8]>
  df.output %s, "y" : !df.stream<i8, 1, [8]>
  return
}

// -----

func.func @positions() {
  %in = df.input "ids" : !df.stream<i3, 1, [3]>
  // expected-error @+1 {{'df.embed' op the input frame must be `positions` (2) ids}}
  %s = df.embed %in {vocab = 5 : i64, channels = 4 : i64, positions = 2 : i64,
                     table = dense<1> : tensor<5x4xi8>, lo = -128 : i64, hi = 127 : i64}
       : !df.stream<i3, 1, [3]> -> !df.stream<i8, 1, [8]>
  df.output %s, "y" : !df.stream<i8, 1, [8]>
  return
}

// -----

func.func @out_lanes() {
  %in = df.input "ids" : !df.stream<i3, 1, [2]>
  // expected-error @+1 {{'df.embed' op the output frame must be positions x channels (8) codes in beats dividing a row}}
  %s = df.embed %in {vocab = 5 : i64, channels = 4 : i64, positions = 2 : i64,
                     table = dense<1> : tensor<5x4xi8>, lo = -128 : i64, hi = 127 : i64}
       : !df.stream<i3, 1, [2]> -> !df.stream<i8, 8, [8]>
  df.output %s, "y" : !df.stream<i8, 8, [8]>
  return
}

// -----

func.func @tables() {
  %in = df.input "ids" : !df.stream<i3, 1, [2]>
  // expected-error @+1 {{'df.embed' op table must hold vocab x channels and pos positions x channels codes}}
  %s = df.embed %in {vocab = 5 : i64, channels = 4 : i64, positions = 2 : i64,
                     table = dense<1> : tensor<5x4xi8>, pos = dense<0> : tensor<3x4xi8>,
                     lo = -128 : i64, hi = 127 : i64}
       : !df.stream<i3, 1, [2]> -> !df.stream<i8, 2, [8]>
  df.output %s, "y" : !df.stream<i8, 2, [8]>
  return
}

// -----

func.func @id_bits() {
  %in = df.input "ids" : !df.stream<i2, 1, [2]>
  // expected-error @+1 {{'df.embed' op ids of 2 bits cannot address 5 rows}}
  %s = df.embed %in {vocab = 5 : i64, channels = 4 : i64, positions = 2 : i64,
                     table = dense<1> : tensor<5x4xi8>, lo = -128 : i64, hi = 127 : i64}
       : !df.stream<i2, 1, [2]> -> !df.stream<i8, 4, [8]>
  df.output %s, "y" : !df.stream<i8, 4, [8]>
  return
}
