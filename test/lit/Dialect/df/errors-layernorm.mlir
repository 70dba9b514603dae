// RUN: loom-opt %s -split-input-file -verify-diagnostics

// df.layernorm's verifier (dialects/df/DFOps.cpp), one broken case each.

func.func @lanes_out() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.layernorm' op output stream must carry 1 lane}}
  %s = df.layernorm %in {channels = 4 : i64, epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64,
                         recip_bits = 38 : i64, norm_shift = 14 : i64, out_shift = 25 : i64,
                         gamma = dense<1> : tensor<4xi64>, beta = dense<0> : tensor<4xi64>,
                         lo = -128 : i64, hi = 127 : i64}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 2, [8]>
  df.output %s, "y" : !df.stream<i8, 2, [8]>
  return
}

// -----

func.func @frame() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.layernorm' op input and output frames differ in size}}
  %s = df.layernorm %in {channels = 4 : i64, epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64,
                         recip_bits = 38 : i64, norm_shift = 14 : i64, out_shift = 25 : i64,
                         gamma = dense<1> : tensor<4xi64>, beta = dense<0> : tensor<4xi64>,
                         lo = -128 : i64, hi = 127 : i64}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [4]>
  df.output %s, "y" : !df.stream<i8, 1, [4]>
  return
}

// -----

func.func @rows() {
  %in = df.input "x" : !df.stream<i8, 2, [6]>
  // expected-error @+1 {{'df.layernorm' op channels 4 must divide the frame (6 elements) and be a multiple of the input lanes (2)}}
  %s = df.layernorm %in {channels = 4 : i64, epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64,
                         recip_bits = 38 : i64, norm_shift = 14 : i64, out_shift = 25 : i64,
                         gamma = dense<1> : tensor<4xi64>, beta = dense<0> : tensor<4xi64>,
                         lo = -128 : i64, hi = 127 : i64}
       : !df.stream<i8, 2, [6]> -> !df.stream<i8, 1, [6]>
  df.output %s, "y" : !df.stream<i8, 1, [6]>
  return
}

// -----

func.func @gamma() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.layernorm' op gamma and beta need 4 elements (one per channel)}}
  %s = df.layernorm %in {channels = 4 : i64, epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64,
                         recip_bits = 38 : i64, norm_shift = 14 : i64, out_shift = 25 : i64,
                         gamma = dense<1> : tensor<8xi64>, beta = dense<0> : tensor<4xi64>,
                         lo = -128 : i64, hi = 127 : i64}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [8]>
  df.output %s, "y" : !df.stream<i8, 1, [8]>
  return
}
