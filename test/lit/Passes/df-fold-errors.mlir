// RUN: loom-opt %s --split-input-file --verify-diagnostics --df-fold="max-mults=1"
// RUN: not loom-opt %s --split-input-file --df-fold="max-mults=-1" 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: not loom-opt %s --split-input-file --df-fold="target-ii=-5" 2>&1 | FileCheck %s --check-prefix=NEG

// NEG: error: max-mults and target-ii must be positive

// The budget must leave one multiplier for each dense layer (here 2).
// expected-error @+1 {{--max-mults 1 is below the minimum of one multiplier per dense layer (2)}}
func.func @budget_below_minimum() {
  %in = df.input "x" : !df.stream<i16, 1, [8]>
  %m0 = df.mvu %in {weight = dense<1> : tensor<4x8xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, simd = 1 : i64, pe = 1 : i64, act = "none"}
        : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [4]>
  %m1 = df.mvu %m0 {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, simd = 1 : i64, pe = 1 : i64, act = "none"}
        : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m1, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

// Only linear chains are folded: one input ...
// expected-error @+1 {{expected exactly one df.input, found 2}}
func.func @two_inputs() {
  %a = df.input "a" : !df.stream<i16, 1, [4]>
  %b = df.input "b" : !df.stream<i16, 1, [4]>
  df.output %a, "y" : !df.stream<i16, 1, [4]>
  df.output %b, "z" : !df.stream<i16, 1, [4]>
  return
}

// -----

// ... and no fan-out.
// expected-error @+1 {{stream fan-out is not supported in a linear chain}}
func.func @fan_out() {
  %a = df.input "a" : !df.stream<i16, 1, [4]>
  df.output %a, "y" : !df.stream<i16, 1, [4]>
  df.output %a, "z" : !df.stream<i16, 1, [4]>
  return
}
