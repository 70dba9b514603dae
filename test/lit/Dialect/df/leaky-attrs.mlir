// df.mvu / df.dwu act = #df.act<leaky> (LeakyRelu, docs/CONTRACTS.md) needs leaky_mult and
// nothing else; leaky_mult belongs to no other activation; elu / selu are tables (act table, table_function "elu").
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @leaky_ok() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<leaky>, leaky_mult = -3277 : i64}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  %e = df.mvu %m {weight = dense<1> : tensor<2x2xi16>, bias = dense<0> : tensor<2xi64>,
                  shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                  act = #df.act<table>, table_function = "elu", t_min = 0 : i64, t_max = 1 : i64, t_shift = 0 : i64,
                  table = dense<[1, 2]> : tensor<2xi16>}
       : !df.stream<i16, 1, [2]> -> !df.stream<i16, 1, [2]>
  df.output %e, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @leaky_no_mult() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op leaky needs leaky_mult (and only it)}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<leaky>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @leaky_with_bounds() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op leaky needs leaky_mult (and only it)}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<leaky>, leaky_mult = 3277 : i64, t_min = 0 : i64}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @mult_on_relu() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op leaky_mult is only for the leaky activation}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<relu>, leaky_mult = 3277 : i64}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @mult_too_wide() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op leaky_mult must fit 32 bits, got 4294967296}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<leaky>, leaky_mult = 4294967296 : i64}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

// PRelu: leaky_mults, one per output channel, instead of leaky_mult.
func.func @prelu_ok() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<leaky>, leaky_mults = array<i64: 3277, -70000>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @prelu_count() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.dwu' op leaky_mults must have one entry per output (4), got 2}}
  %m = df.dwu %in {weight = dense<1> : tensor<4x1xi2>, bias = dense<0> : tensor<4xi17>, binary,
                   shift = 0 : i64, acc_width = 17 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<leaky>, leaky_mults = array<i64: 3277, 5>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [4]>
  df.output %m, "y" : !df.stream<i16, 1, [4]>
  return
}

// -----

func.func @prelu_both() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op leaky needs leaky_mult or leaky_mults (and only it)}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<leaky>, leaky_mult = 3 : i64, leaky_mults = array<i64: 3277, 5>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @prelu_not_leaky() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op leaky_mult is only for the leaky activation}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<relu>, leaky_mults = array<i64: 3277, 5>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @prelu_range() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op leaky_mult must fit 32 bits, got 4294967296}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<leaky>, leaky_mults = array<i64: 3277, 4294967296>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}
