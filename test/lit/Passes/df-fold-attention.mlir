// df-fold gives loom_attention SIMD lanes over the head dimension (D = 4 here), two
// multipliers a lane (q * k and e * v): --max-mults 8 allows simd 4, 5 allows simd 2, and
// the output stays one code a beat (pe 1).
// RUN: loom-opt %s --df-fold="max-mults=8" | FileCheck %s --check-prefix=M8
// RUN: loom-opt %s --df-fold="max-mults=5" | FileCheck %s --check-prefix=M5

// M8: df.attention {{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}} -> <i8, 1, [32]>
// M5: df.attention {{.*}}folding = #df.folding<simd = 2, pe = 1>{{.*}} -> <i8, 1, [32]>
func.func @attention() {
  %q = df.input "q" : !df.stream<i8, 1, [32]>
  %k = df.input "k" : !df.stream<i8, 1, [32]>
  %v = df.input "v" : !df.stream<i8, 1, [32]>
  %a = df.attention %q, %k, %v {rows = 4 : i64, channels = 8 : i64, heads = 2 : i64,
                                causal = true, exp_shift = 0 : i64,
                                exp_table = dense<[32768, 100]> : tensor<2xi17>, mult = 1 : i64,
                                shift = 8 : i64, zp = 0 : i64, lo = -128 : i64, hi = 127 : i64,
                                folding = #df.folding<simd = 1, pe = 1>}
       : !df.stream<i8, 1, [32]>, !df.stream<i8, 1, [32]>, !df.stream<i8, 1, [32]>
         -> !df.stream<i8, 1, [32]>
  df.output %a, "y" : !df.stream<i8, 1, [32]>
  return
}
