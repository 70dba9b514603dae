// RUN: loom-opt %s --split-input-file --df-fold="max-mults=2"  | FileCheck %s --check-prefixes=CHECK,B2,SM2
// RUN: loom-opt %s --split-input-file --df-fold="max-mults=4"  | FileCheck %s --check-prefixes=CHECK,B4,SM4
// RUN: loom-opt %s --split-input-file --df-fold="max-mults=8"  | FileCheck %s --check-prefixes=CHECK,B8,SM8
// RUN: loom-opt %s --split-input-file --df-fold="max-mults=16" | FileCheck %s --check-prefixes=CHECK,B16,SM16
// RUN: loom-opt %s --split-input-file --df-fold="max-mults=40" | FileCheck %s --check-prefixes=CHECK,FULL,SMF
// RUN: loom-opt %s --split-input-file --df-fold                | FileCheck %s --check-prefixes=CHECK,FULL,SMF
// RUN: loom-opt %s --split-input-file --df-fold="target-ii=4"  | FileCheck %s --check-prefixes=CHECK,II4,SM8
// RUN: loom-opt %s --split-input-file --df-fold="target-ii=10" | FileCheck %s --check-prefixes=CHECK,II10,SM4

// df-fold gives the bottleneck actor its cheapest faster folding until the
// multiplier budget or the target II stops it, then searches for a lower II
// from the exact start (every mvu at its fewest multipliers for a target T,
// binary search on T; docs/folding.md "Search"), then widens every stream to
// its producer's output: the graph input carries the first mvu's simd lanes
// (a flat mvu's: the fewest dividing K that keep up with its steps), an mvu's
// output its pe lanes. Cycles per frame (hw_model): an mvu takes
// max(ceil((N/pe) * K/simd), K/in_lanes), a softmax K/in_lanes + 2N.
// Expected foldings were derived with Inputs/fold_model.py, an independent
// Python model of that search (one multiplier per simd*pe).
//
// fc0: K = 8, N = 4 (32 MACs); fc1: K = 4, N = 2 (8 MACs). Both start at
// simd = pe = 1 (2 multipliers), cycles [32, 8]. The greedy trace:
//   fc0 simd 2 -> [16, 8] (3 mults); fc0 simd 3 (flat, 11 steps) -> [11, 8] (4);
//   fc0 simd 4 -> [8, 8] (5); ... -> fc0 simd 8 pe 4, fc1 simd 4 pe 2 -> [1, 1] (40)
//   max-mults=2:  nothing fits                 -> fc0 1x1, fc1 1x1, II 32
//   max-mults=4:  fc0 simd 3 (flat)            -> II 11 (greedy and search agree)
//   max-mults=8:  the search's T = 6: fc0 simd 6 (flat, 6 steps), fc1 simd 2,
//                 8 mults, II 6 (the greedy stops at II 8)
//   max-mults=16: T = 3: fc0 simd 6 pe 2 (3 steps), fc1 simd 3 (3 steps),
//                 15 mults, II 3 (the greedy stops at II 4)
//   max-mults=40 and the default (40 MACs <= 8192, so budget = 40 MACs):
//                 fully parallel, fc0 simd 8 pe 4, fc1 simd 4 pe 2, II 1
//   target-ii=4:  II <= 4 at 10 mults (the exact start also needs 10: greedy kept)
//   target-ii=10: II 8 at 5 mults (fc0 simd 4; the exact start's fc0 simd 4 too)

// CHECK-LABEL: func.func @two_layers()
// B2-SAME:       attributes {loom.multipliers = 2 : i64}
// B2-NEXT:       %[[IN:.*]] = df.input "x" : <i16, 1, [8]>
// B2-NEXT:       %[[M0:.*]] = df.mvu %[[IN]] {{{.*}}folding = #df.folding<simd = 1, pe = 1>{{.*}}} : <i16, 1, [8]> -> <i16, 1, [4]>
// B2-NEXT:       %[[M1:.*]] = df.mvu %[[M0]] {{{.*}}folding = #df.folding<simd = 1, pe = 1>{{.*}}} : <i16, 1, [4]> -> <i16, 1, [2]>
// B2-NEXT:       df.output %[[M1]], "y" : <i16, 1, [2]>

// B4-SAME:       attributes {loom.multipliers = 4 : i64}
// B4-NEXT:       %[[IN:.*]] = df.input "x" : <i16, 1, [8]>
// B4-NEXT:       %[[M0:.*]] = df.mvu %[[IN]] {{{.*}}folding = #df.folding<simd = 3, pe = 1>{{.*}}} : <i16, 1, [8]> -> <i16, 1, [4]>
// B4-NEXT:       %[[M1:.*]] = df.mvu %[[M0]] {{{.*}}folding = #df.folding<simd = 1, pe = 1>{{.*}}} : <i16, 1, [4]> -> <i16, 1, [2]>
// B4-NEXT:       df.output %[[M1]], "y" : <i16, 1, [2]>

// B8-SAME:       attributes {loom.multipliers = 8 : i64}
// B8-NEXT:       %[[IN:.*]] = df.input "x" : <i16, 2, [8]>
// B8-NEXT:       %[[M0:.*]] = df.mvu %[[IN]] {{{.*}}folding = #df.folding<simd = 6, pe = 1>{{.*}}} : <i16, 2, [8]> -> <i16, 1, [4]>
// B8-NEXT:       %[[M1:.*]] = df.mvu %[[M0]] {{{.*}}folding = #df.folding<simd = 2, pe = 1>{{.*}}} : <i16, 1, [4]> -> <i16, 1, [2]>

// II10-SAME:     attributes {loom.multipliers = 5 : i64}
// II10-NEXT:     %[[IN:.*]] = df.input "x" : <i16, 4, [8]>
// II10-NEXT:     %[[M0:.*]] = df.mvu %[[IN]] {{{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}}} : <i16, 4, [8]> -> <i16, 1, [4]>
// II10-NEXT:     %[[M1:.*]] = df.mvu %[[M0]] {{{.*}}folding = #df.folding<simd = 1, pe = 1>{{.*}}} : <i16, 1, [4]> -> <i16, 1, [2]>

// B16-SAME:      attributes {loom.multipliers = 15 : i64}
// B16-NEXT:      %[[IN:.*]] = df.input "x" : <i16, 4, [8]>
// B16-NEXT:      %[[M0:.*]] = df.mvu %[[IN]] {{{.*}}folding = #df.folding<simd = 6, pe = 2>{{.*}}} : <i16, 4, [8]> -> <i16, 2, [4]>
// B16-NEXT:      %[[M1:.*]] = df.mvu %[[M0]] {{{.*}}folding = #df.folding<simd = 3, pe = 1>{{.*}}} : <i16, 2, [4]> -> <i16, 1, [2]>

// II4-SAME:      attributes {loom.multipliers = 10 : i64}
// II4-NEXT:      %[[IN:.*]] = df.input "x" : <i16, 8, [8]>
// II4-NEXT:      %[[M0:.*]] = df.mvu %[[IN]] {{{.*}}folding = #df.folding<simd = 8, pe = 1>{{.*}}} : <i16, 8, [8]> -> <i16, 1, [4]>
// II4-NEXT:      %[[M1:.*]] = df.mvu %[[M0]] {{{.*}}folding = #df.folding<simd = 2, pe = 1>{{.*}}} : <i16, 1, [4]> -> <i16, 1, [2]>

// FULL-SAME:     attributes {loom.multipliers = 40 : i64}
// FULL-NEXT:     %[[IN:.*]] = df.input "x" : <i16, 8, [8]>
// FULL-NEXT:     %[[M0:.*]] = df.mvu %[[IN]] {acc_width = 24 : i64, act = #df.act<relu>, bias = dense<0> : tensor<4xi64>, folding = #df.folding<simd = 8, pe = 4>, onnx.node = "fc0", shift = 10 : i64, weight = dense<1> : tensor<4x8xi16>} : <i16, 8, [8]> -> <i16, 4, [4]>
// FULL-NEXT:     %[[M1:.*]] = df.mvu %[[M0]] {acc_width = 24 : i64, act = #df.act<none>, bias = dense<0> : tensor<2xi64>, folding = #df.folding<simd = 4, pe = 2>, onnx.node = "fc1", shift = 10 : i64, weight = dense<1> : tensor<2x4xi16>} : <i16, 4, [4]> -> <i16, 2, [2]>
// FULL-NEXT:     df.output %[[M1]], "y" : <i16, 2, [2]>
func.func @two_layers() {
  %in = df.input "x" : !df.stream<i16, 1, [8]>
  %m0 = df.mvu %in {weight = dense<1> : tensor<4x8xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<relu>, onnx.node = "fc0"}
        : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [4]>
  %m1 = df.mvu %m0 {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>, onnx.node = "fc1"}
        : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m1, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

// A store-and-forward softmax takes N / in_lanes + 2N cycles; once it is the
// bottleneck it becomes the pipelined one (N / in_lanes cycles, output as wide
// as its input), which is then limited by its input width, the mvu's pe: the
// mvu's pe is widened (the lane group of the softmax's input), each time with
// the smallest simd that keeps the mvu no slower than before.
// fc: K = 8, N = 4; softmax N = 4 takes 4/1 + 2*4 = 12 cycles. fc: 32 -> simd 2
// (16) -> simd 4 (8 < 12): the softmax is the bottleneck at 4 mults and is
// pipelined (4 cycles). fc: simd 8 (4 cycles, 8 mults); then pe 2 (2 cycles,
// 16 mults) with the softmax widened to 2 lanes (2 cycles); then pe 4 (1
// cycle, 32 mults) and 4 lanes (1 cycle): fully parallel.
// max-mults=2 stops at simd 2 (II 16, the softmax untouched); target-ii=10
// stops at simd 4 with the softmax pipelined (II 8).
// (Inputs/fold_model.py B T mvu:8:4 softmax.)
// CHECK-LABEL: func.func @softmax_bound()
// SM2-SAME:      attributes {loom.multipliers = 2 : i64}
// SM2-NEXT:      df.input "x" : <i16, 2, [8]>
// SM2-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 2, pe = 1>{{.*}} : <i16, 2, [8]> -> <i16, 1, [4]>
// SM2-NEXT:      df.softmax
// SM2-NOT:       pipelined
// SM2-SAME:      : <i16, 1, [4]> -> <i16, 1, [4]>
// SM4-SAME:      attributes {loom.multipliers = 4 : i64}
// SM4-NEXT:      df.input "x" : <i16, 4, [8]>
// SM4-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}} : <i16, 4, [8]> -> <i16, 1, [4]>
// SM4-NEXT:      df.softmax {{.*}}pipelined{{.*}} : <i16, 1, [4]> -> <i16, 1, [4]>
// SM8-SAME:      attributes {loom.multipliers = 8 : i64}
// SM8-NEXT:      df.input "x" : <i16, 8, [8]>
// SM8-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 1>{{.*}} : <i16, 8, [8]> -> <i16, 1, [4]>
// SM8-NEXT:      df.softmax {{.*}}pipelined{{.*}} : <i16, 1, [4]> -> <i16, 1, [4]>
// SM16-SAME:     attributes {loom.multipliers = 16 : i64}
// SM16-NEXT:     df.input "x" : <i16, 8, [8]>
// SM16-NEXT:     df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 2>{{.*}} : <i16, 8, [8]> -> <i16, 2, [4]>
// SM16-NEXT:     df.softmax {{.*}}pipelined{{.*}} : <i16, 2, [4]> -> <i16, 2, [4]>
// SMF-SAME:      attributes {loom.multipliers = 32 : i64}
// SMF-NEXT:      df.input "x" : <i16, 8, [8]>
// SMF-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 4>{{.*}} : <i16, 8, [8]> -> <i16, 4, [4]>
// SMF-NEXT:      df.softmax {{.*}}pipelined{{.*}} : <i16, 4, [4]> -> <i16, 4, [4]>
func.func @softmax_bound() {
  %in = df.input "x" : !df.stream<i16, 1, [8]>
  %m = df.mvu %in {weight = dense<1> : tensor<4x8xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                   acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [4]>
  %s = df.softmax %m {frac = 10 : i64, exp_shift = 4 : i64, exp_frac = 15 : i64,
                      exp_table = dense<[32768, 16384]> : tensor<2xi17>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [4]>
  df.output %s, "y" : !df.stream<i16, 1, [4]>
  return
}

// -----

// fc0: K = 2, N = 8; fc1: K = 8, N = 2. Once fc0's simd is exhausted the
// search turns to its pe, and fc1's input beats (K / fc0's pe) follow.
//   max-mults=2:            fc0 1x1, fc1 1x1 (2 mults), II 16
//   max-mults=4, ii=10:     fc0 simd 2, fc1 simd 2 (4), II 8
//   max-mults=8, ii=4:      fc0 simd 2 pe 2, fc1 simd 4 (8), II 4
//   max-mults=16:           fc0 simd 2 pe 4, fc1 simd 8 (16), II 2
//   max-mults=40, default:  fc0 simd 2 pe 8, fc1 simd 8 pe 2 (32), II 1
// CHECK-LABEL: func.func @pe_after_simd()
// B2-SAME:       attributes {loom.multipliers = 2 : i64}
// B2-NEXT:       df.input "x" : <i16, 1, [2]>
// B2-NEXT:       df.mvu {{.*}}folding = #df.folding<simd = 1, pe = 1>{{.*}} : <i16, 1, [2]> -> <i16, 1, [8]>
// B2-NEXT:       df.mvu {{.*}}folding = #df.folding<simd = 1, pe = 1>{{.*}} : <i16, 1, [8]> -> <i16, 1, [2]>
// B4-SAME:       attributes {loom.multipliers = 4 : i64}
// II10-SAME:     attributes {loom.multipliers = 4 : i64}
// B4-NEXT:       df.input "x" : <i16, 2, [2]>
// II10-NEXT:     df.input "x" : <i16, 2, [2]>
// B4-NEXT:       df.mvu {{.*}}folding = #df.folding<simd = 2, pe = 1>{{.*}} : <i16, 2, [2]> -> <i16, 1, [8]>
// II10-NEXT:     df.mvu {{.*}}folding = #df.folding<simd = 2, pe = 1>{{.*}} : <i16, 2, [2]> -> <i16, 1, [8]>
// B4-NEXT:       df.mvu {{.*}}folding = #df.folding<simd = 2, pe = 1>{{.*}} : <i16, 1, [8]> -> <i16, 1, [2]>
// II10-NEXT:     df.mvu {{.*}}folding = #df.folding<simd = 2, pe = 1>{{.*}} : <i16, 1, [8]> -> <i16, 1, [2]>
// B8-SAME:       attributes {loom.multipliers = 8 : i64}
// II4-SAME:      attributes {loom.multipliers = 8 : i64}
// B8-NEXT:       df.input "x" : <i16, 2, [2]>
// II4-NEXT:      df.input "x" : <i16, 2, [2]>
// B8-NEXT:       df.mvu {{.*}}folding = #df.folding<simd = 2, pe = 2>{{.*}} : <i16, 2, [2]> -> <i16, 2, [8]>
// II4-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 2, pe = 2>{{.*}} : <i16, 2, [2]> -> <i16, 2, [8]>
// B8-NEXT:       df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}} : <i16, 2, [8]> -> <i16, 1, [2]>
// II4-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}} : <i16, 2, [8]> -> <i16, 1, [2]>
// B16-SAME:      attributes {loom.multipliers = 16 : i64}
// B16-NEXT:      df.input "x" : <i16, 2, [2]>
// B16-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 2, pe = 4>{{.*}} : <i16, 2, [2]> -> <i16, 4, [8]>
// B16-NEXT:      df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 1>{{.*}} : <i16, 4, [8]> -> <i16, 1, [2]>
// FULL-SAME:     attributes {loom.multipliers = 32 : i64}
// FULL-NEXT:     df.input "x" : <i16, 2, [2]>
// FULL-NEXT:     df.mvu {{.*}}folding = #df.folding<simd = 2, pe = 8>{{.*}} : <i16, 2, [2]> -> <i16, 8, [8]>
// FULL-NEXT:     df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 2>{{.*}} : <i16, 8, [8]> -> <i16, 2, [2]>
func.func @pe_after_simd() {
  %in = df.input "x" : !df.stream<i16, 1, [2]>
  %m0 = df.mvu %in {weight = dense<1> : tensor<8x2xi16>, bias = dense<0> : tensor<8xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
        : !df.stream<i16, 1, [2]> -> !df.stream<i16, 1, [8]>
  %m1 = df.mvu %m0 {weight = dense<1> : tensor<2x8xi16>, bias = dense<0> : tensor<2xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
        : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [2]>
  df.output %m1, "y" : !df.stream<i16, 1, [2]>
  return
}
