// RUN: loom-opt %s --df-fold="max-mults=10" | FileCheck %s --check-prefixes=CHECK,B10
// RUN: loom-opt %s --df-fold="max-mults=16" | FileCheck %s --check-prefixes=CHECK,B16
// RUN: loom-opt %s --df-fold="max-mults=20" | FileCheck %s --check-prefixes=CHECK,B20
// RUN: loom-opt %s --df-fold="target-ii=5"  | FileCheck %s --check-prefixes=CHECK,B20
// RUN: loom-opt %s --df-fold                | FileCheck %s --check-prefixes=CHECK,FULL

// A unit with several vectors a frame (V = 4 rows of K = 6, N = 4 outputs: 96 MACs)
// folds flat across them when pe = N and simd does not divide K (loom_mvu_stream):
// ceil(V*K / simd) steps a frame instead of V * ceil(K / simd). The expected
// foldings come from Inputs/fold_model.py, an independent model of the search:
//   python3 Inputs/fold_model.py B T in:24 mvu:6:4:0:4 softmax
//   max-mults=10: simd 4 pe 2 (8 mults), 4 * ceil(2*6/4) = 12 steps: II 12
//   max-mults=16: simd 4 pe 4 (16), ceil(24/4) = 6 steps (V * ceil(6/4) = 8 without
//                 folding across vectors): II 6
//   max-mults=20 and target-ii=5: simd 5 pe 4 (20), ceil(24/5) = 5 steps: II 5
//   default (96 MACs: fully parallel): simd 6 pe 4, II 4 (the softmax's 16 / 4 lanes)
// The input is as wide as the fewest lanes dividing K that keep up with the steps
// (V * K / lanes <= steps): 6 at simd 4 or 5.

// CHECK-LABEL: func.func @rows()
// B10-SAME:      attributes {loom.multipliers = 8 : i64}
// B10-NEXT:      df.input "x" : <i16, 2, [24]>
// B10-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 2>{{.*}} : <i16, 2, [24]> -> <i16, 2, [16]>
// B16-SAME:      attributes {loom.multipliers = 16 : i64}
// B16-NEXT:      df.input "x" : <i16, 6, [24]>
// B16-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 4>{{.*}} : <i16, 6, [24]> -> <i16, 4, [16]>
// B20-SAME:      attributes {loom.multipliers = 20 : i64}
// B20-NEXT:      df.input "x" : <i16, 6, [24]>
// B20-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 5, pe = 4>{{.*}} : <i16, 6, [24]> -> <i16, 4, [16]>
// FULL-SAME:     attributes {loom.multipliers = 24 : i64}
// FULL-NEXT:     df.input "x" : <i16, 6, [24]>
// FULL-NEXT:     df.mvu {{.*}}folding = #df.folding<simd = 6, pe = 4>{{.*}} : <i16, 6, [24]> -> <i16, 4, [16]>
// CHECK-NEXT:    df.softmax
func.func @rows() {
  %in = df.input "x" : !df.stream<i16, 1, [24]>
  %m = df.mvu %in {weight = dense<1> : tensor<4x6xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                   acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [24]> -> !df.stream<i16, 1, [16]>
  %s = df.softmax %m {frac = 10 : i64, exp_shift = 4 : i64, exp_frac = 15 : i64,
                      exp_table = dense<[32768, 16384]> : tensor<2xi17>}
       : !df.stream<i16, 1, [16]> -> !df.stream<i16, 1, [16]>
  df.output %s, "y" : !df.stream<i16, 1, [16]>
  return
}
