// RUN: loom-opt %s --df-fold="max-mults=1" | FileCheck %s

// A binary unit (+-1 weights, `binary`) has no multipliers: --max-mults 1 is
// enough for it (no "below the minimum" error), loom.multipliers counts none,
// and its lanes are bounded by 8 per multiplier of the budget: K = 16, N = 8
// (128 MACs) folds to simd * pe = 8 lanes at most, here simd 8 (16 cycles).
// CHECK-LABEL: func.func @bnn
// CHECK-SAME: loom.multipliers = 0 : i64
// CHECK: df.mvu {{.*}}binary{{.*}}folding = #df.folding<simd = 8, pe = 1>
func.func @bnn() {
  %in = df.input "x" : !df.stream<i2, 1, [16]>
  %m = df.mvu %in {weight = dense<1> : tensor<8x16xi2>, bias = dense<0> : tensor<8xi64>, shift = 0 : i64,
                   acc_width = 8 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<sign>, binary}
       : !df.stream<i2, 1, [16]> -> !df.stream<i2, 1, [8]>
  df.output %m, "y" : !df.stream<i2, 1, [8]>
  return
}
