// RUN: loom-opt %s --split-input-file --verify-diagnostics --df-fold="max-mults=1"
// RUN: not loom-opt %s --split-input-file --df-fold="max-mults=-1" 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: not loom-opt %s --split-input-file --df-fold="target-ii=-5" 2>&1 | FileCheck %s --check-prefix=NEG

// NEG: error: max-mults and target-ii must be positive

// The budget must leave one multiplier for each dense or conv layer (here 2).
// expected-error @+1 {{--max-mults 1 is below the minimum of one multiplier per dense/conv layer (2)}}
func.func @budget_below_minimum() {
  %in = df.input "x" : !df.stream<i16, 1, [8]>
  %m0 = df.mvu %in {weight = dense<1> : tensor<4x8xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
        : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [4]>
  %m1 = df.mvu %m0 {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
        : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m1, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

// DAGs are folded, but a df.fork must feed its first result to the consumer
// that comes first in op order (the hw_model's port convention); the FIFOs in
// front of the join make df-fold build the hw_model graph, which checks it.
func.func @fork_order() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{a fork's first result must be consumed before its second}}
  %a, %b = df.fork %in : !df.stream<i16, 1, [4]>
  %m = df.mvu %b {weight = dense<1> : tensor<4x4xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                  acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [4]>
  %fa = df.fifo %a {depth = 2 : i64} : !df.stream<i16, 1, [4]>
  %fb = df.fifo %m {depth = 2 : i64} : !df.stream<i16, 1, [4]>
  %j = df.join %fa, %fb {mode = "add", frac = 0 : i64} : !df.stream<i16, 1, [4]>
  df.output %j, "y" : !df.stream<i16, 1, [4]>
  return
}
