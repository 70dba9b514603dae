// RUN: loom-opt %s --df-fold="max-mults=4"  | FileCheck %s --check-prefix=M4
// RUN: loom-opt %s --df-fold="max-mults=10" | FileCheck %s --check-prefix=M10
// RUN: loom-opt %s --df-fold="max-mults=20" | FileCheck %s --check-prefix=M20

// The softmax's dividers (its output lanes, loom_softmax_pipe's OUT_BEAT) are
// chosen apart from its input width: a pipelined softmax takes
// max(N / in_lanes, N / dividers) cycles, and df-fold gives it the fewest
// dividers that keep it faster than the II (test/lit/Passes/Inputs/fold_model.py
// 10 0 in:16 mvu:16:5 softmax, and 4, 20).
// fc: K = 16, N = 5; softmax N = 5: 5 / in_lanes + 10 cycles store-and-forward.
//   max-mults=4:  fc simd 4 (20 cycles); the softmax (15) never the bottleneck.
//   max-mults=10: fc simd 10 (flat: ceil(80/10) = 8 steps, II 8): the softmax,
//                 pipelined once it was the bottleneck, reads 1 lane with one divider
//                 (5 < 8).
//   max-mults=20: fc simd 4 pe 5 (4 cycles): the softmax (5) was the bottleneck
//                 and got 5 dividers (1 cycle).
// M4:       df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 1>
// M4:       df.softmax
// M4-NOT:   pipelined
// M4-SAME:  : <i16, 1, [5]> -> <i16, 1, [5]>
// M10:      df.mvu {{.*}}folding = #df.folding<simd = 10, pe = 1>
// M10:      df.softmax {{.*}}pipelined{{.*}} : <i16, 1, [5]> -> <i16, 1, [5]>
// M20:      df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 5>
// M20:      df.softmax {{.*}}pipelined{{.*}} : <i16, 5, [5]> -> <i16, 5, [5]>
func.func @dividers() {
  %in = df.input "x" : !df.stream<i16, 1, [16]>
  %m = df.mvu %in {weight = dense<1> : tensor<5x16xi16>, bias = dense<0> : tensor<5xi64>, shift = 10 : i64,
                   acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [16]> -> !df.stream<i16, 1, [5]>
  %s = df.softmax %m {frac = 10 : i64, exp_shift = 4 : i64, exp_frac = 15 : i64,
                      exp_table = dense<[32768, 16384]> : tensor<2xi17>}
       : !df.stream<i16, 1, [5]> -> !df.stream<i16, 1, [5]>
  df.output %s, "y" : !df.stream<i16, 1, [5]>
  return
}
