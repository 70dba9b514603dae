// Device budgets of df-fold (docs/folding.md): a DSP limit of 2 keeps both
// layers at one multiplier each (the default would give each 32 = 8 x 4 and 8 = 4 x 2);
// a LUT limit below the fully folded design and a target the DSP limit cannot
// reach are errors naming the limit.
// RUN: loom-opt %s --df-fold="max-dsps=2" | FileCheck %s --check-prefix=DSP
// RUN: loom-opt %s --df-fold="max-dsps=3" | FileCheck %s --check-prefix=DSP3
// RUN: loom-opt %s --df-fold="part=xc7z010" | FileCheck %s --check-prefix=PART
// RUN: not loom-opt %s --df-fold="max-luts=10" 2>&1 | FileCheck %s --check-prefix=LUTS
// RUN: not loom-opt %s --df-fold="max-dsps=2 target-ii=4" 2>&1 | FileCheck %s --check-prefix=II
// RUN: not loom-opt %s --df-fold="part=ice40-up5k" 2>&1 | FileCheck %s --check-prefix=BADPART

// DSP: loom.multipliers = 2
// DSP: folding = #df.folding<simd = 1, pe = 1>
// DSP: folding = #df.folding<simd = 1, pe = 1>
// DSP3: loom.multipliers = 3
// PART: loom.multipliers = 40
// LUTS: error: fully folded, the design needs an estimated {{[0-9]+}} LUTs, more than --max-luts 10: raise --max-luts
// II: error: --target-ii 4 cannot be met within --max-dsps 2 (the folding stops at II 32); raise that limit or --target-ii
// BADPART: error: part ice40-up5k is not a 7-series part with a resource model
func.func @two_layers() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  %m0 = df.mvu %in {weight = dense<3> : tensor<4x8xi8>, bias = dense<0> : tensor<4xi64>, shift = 4 : i64,
                    acc_width = 20 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
        : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [4]>
  %m1 = df.mvu %m0 {weight = dense<5> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 4 : i64,
                    acc_width = 20 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
        : !df.stream<i8, 1, [4]> -> !df.stream<i8, 1, [2]>
  df.output %m1, "y" : !df.stream<i8, 1, [2]>
  return
}
