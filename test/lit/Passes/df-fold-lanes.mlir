// RUN: loom-opt %s --split-input-file --df-fold                | FileCheck %s --check-prefixes=CHECK,FULL
// RUN: loom-opt %s --split-input-file --df-fold="max-mults=8"  | FileCheck %s --check-prefixes=CHECK,B8
// RUN: loom-opt %s --split-input-file --df-fold="max-mults=16" | FileCheck %s --check-prefixes=CHECK,B16
// RUN: loom-opt %s --split-input-file --df-fold="max-mults=32" | FileCheck %s --check-prefixes=CHECK,B32
// RUN: loom-opt %s --split-input-file --df-fold="target-ii=4"  | FileCheck %s --check-prefixes=CHECK,II4

// Lane groups: the streams meeting at a join or concat have one width, the
// pe of the mvus behind them (through forks and fifos). When the bottleneck
// is held back by that width (a join/concat reading 1 lane, or an mvu whose
// own pe the join narrows back), df-fold widens the whole group: every mvu
// of it gets the next common pe, with the smallest simd that keeps it no
// slower than before (the bottleneck itself: faster). Expected foldings from
// Inputs/fold_model.py, an independent model of the search:
//   python3 Inputs/fold_model.py B T in:8 mvu:8:8:0 fork:1 mvu:8:8:2.0 fifo:3 fifo:2.1 join:4:5
//   python3 Inputs/fold_model.py B T in:8 fork:0 mvu:8:4:1.0 mvu:8:4:1.1 fifo:2 fifo:3 concat:4:5

// Join: fc0 (K = N = 8) feeds fc1 and, around it, the join. Both reach simd 8
// (8 cycles each, 16 mults); then fc0 can only get faster with pe 2, which
// the join narrows back unless fc1's pe follows: the group {fc0, fc1} goes
// to pe 2 (fc1 to simd 4 at first, no slower than its 8 cycles).
//   default (budget 128 MACs): pe 8, simd 8 each, 128 mults, II 1
//   max-mults=8: simd 4 each (II 16); 16: simd 8 each (II 8)
//   max-mults=32, target-ii=4: simd 8 pe 2 each (32 mults, II 4)
// CHECK-LABEL: func.func @join_group
// FULL-SAME:   loom.multipliers = 128 : i64
// FULL:        df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 8>{{.*}} : <i16, 8, [8]> -> <i16, 8, [8]>
// FULL:        df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 8>{{.*}} : <i16, 8, [8]> -> <i16, 8, [8]>
// FULL:        df.join {{.*}} : <i16, 8, [8]>
// B8-SAME:     loom.multipliers = 8 : i64
// B8:          df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}} -> <i16, 1, [8]>
// B8:          df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}} -> <i16, 1, [8]>
// B8:          df.join {{.*}} : <i16, 1, [8]>
// B16-SAME:    loom.multipliers = 16 : i64
// B16:         df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 1>{{.*}} -> <i16, 1, [8]>
// B16:         df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 1>{{.*}} -> <i16, 1, [8]>
// B16:         df.join {{.*}} : <i16, 1, [8]>
// B32-SAME:    loom.multipliers = 32 : i64
// II4-SAME:    loom.multipliers = 32 : i64
// B32:         df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 2>{{.*}} -> <i16, 2, [8]>
// II4:         df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 2>{{.*}} -> <i16, 2, [8]>
// B32:         df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 2>{{.*}} -> <i16, 2, [8]>
// II4:         df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 2>{{.*}} -> <i16, 2, [8]>
// B32:         df.join {{.*}} : <i16, 2, [8]>
// II4:         df.join {{.*}} : <i16, 2, [8]>
func.func @join_group() {
  %in = df.input "x" : !df.stream<i16, 1, [8]>
  %m0 = df.mvu %in {weight = dense<1> : tensor<8x8xi16>, bias = dense<0> : tensor<8xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>, onnx.node = "fc0"}
        : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [8]>
  %a, %b = df.fork %m0 : !df.stream<i16, 1, [8]>
  %m1 = df.mvu %a {weight = dense<1> : tensor<8x8xi16>, bias = dense<0> : tensor<8xi64>, shift = 10 : i64,
                   acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>, onnx.node = "fc1"}
        : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [8]>
  %f0 = df.fifo %m1 {depth = 2 : i64} : !df.stream<i16, 1, [8]>
  %f1 = df.fifo %b {depth = 2 : i64} : !df.stream<i16, 1, [8]>
  %j = df.join %f0, %f1 {mode = "add", frac = 0 : i64} : !df.stream<i16, 1, [8]>
  df.output %j, "y" : !df.stream<i16, 1, [8]>
  return
}

// -----

// Concat of two mvus (K = 8, N = 4 each) of the same input: (4 + 4) / lanes
// cycles. Both reach simd 4 (8 cycles, 8 mults); then the concat is the
// bottleneck and its group {fa, fb} is widened to pe 2, then 4 (the lanes must
// divide both channel counts, 4): II 2 at 32 mults, the default's result.
//   max-mults=8: simd 4 pe 1 (II 8); 16 and target-ii=4: simd 4 pe 2 (II 4)
// CHECK-LABEL: func.func @concat_group
// FULL-SAME:   loom.multipliers = 32 : i64
// B32-SAME:    loom.multipliers = 32 : i64
// FULL:        df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 4>{{.*}} -> <i16, 4, [4]>
// B32:         df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 4>{{.*}} -> <i16, 4, [4]>
// FULL:        df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 4>{{.*}} -> <i16, 4, [4]>
// B32:         df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 4>{{.*}} -> <i16, 4, [4]>
// FULL:        df.concat {{.*}} -> <i16, 4, [8]>
// B32:         df.concat {{.*}} -> <i16, 4, [8]>
// B8-SAME:     loom.multipliers = 8 : i64
// B8:          df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}} -> <i16, 1, [4]>
// B8:          df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}} -> <i16, 1, [4]>
// B8:          df.concat {{.*}} -> <i16, 1, [8]>
// B16-SAME:    loom.multipliers = 16 : i64
// II4-SAME:    loom.multipliers = 16 : i64
// B16:         df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 2>{{.*}} -> <i16, 2, [4]>
// II4:         df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 2>{{.*}} -> <i16, 2, [4]>
// B16:         df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 2>{{.*}} -> <i16, 2, [4]>
// II4:         df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 2>{{.*}} -> <i16, 2, [4]>
// B16:         df.concat {{.*}} -> <i16, 2, [8]>
// II4:         df.concat {{.*}} -> <i16, 2, [8]>
func.func @concat_group() {
  %in = df.input "x" : !df.stream<i16, 1, [8]>
  %a, %b = df.fork %in : !df.stream<i16, 1, [8]>
  %ma = df.mvu %a {weight = dense<1> : tensor<4x8xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                   acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>, onnx.node = "fa"}
        : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [4]>
  %mb = df.mvu %b {weight = dense<1> : tensor<4x8xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                   acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>, onnx.node = "fb"}
        : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [4]>
  %fa = df.fifo %ma {depth = 2 : i64} : !df.stream<i16, 1, [4]>
  %fb = df.fifo %mb {depth = 2 : i64} : !df.stream<i16, 1, [4]>
  %c = df.concat %fa, %fb {lhs_channels = 4 : i64, rhs_channels = 4 : i64} : !df.stream<i16, 1, [4]>, !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [8]>
  df.output %c, "y" : !df.stream<i16, 1, [8]>
  return
}
