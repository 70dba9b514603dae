// Regression test (was XFAIL), fixed. The bug (dialects/df/DFOps.cpp): I64Attr getters return uint64_t, so
//   MvuOp::verify   `getShift() < 0` is never true (negative shift verifies);
//   FifoOp::verify  `getDepth() < 2` lets depth = -1 through (it wraps to 2^64-1).
// Fixed: both compare int64_t values (get...Attr().getInt()).
//
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @mvu_shift() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op shift must be >= 0}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = -2 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @fifo_depth_negative() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.fifo' op depth must be at least 2, got -1}}
  %f = df.fifo %in {depth = -1 : i64} : !df.stream<i16, 1, [4]>
  df.output %f, "y" : !df.stream<i16, 1, [4]>
  return
}

// -----

func.func @mvu_pe_negative() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op pe -2 must divide N = 2}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 2 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = -2>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}
