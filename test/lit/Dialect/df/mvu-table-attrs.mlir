// Regression test (was XFAIL), fixed. The bug (dialects/df/DFOps.cpp, MvuOp::verify): the table check is
//   table != (table && t_min && t_max && t_shift)
// so it only rejects a non-table activation carrying *all four* attributes,
// and a table activation missing one. A partial set on act = #df.act<none>/"relu"
// (here a stray t_min) verifies, though the message promises "(and only
// they)". Fix (applied): for non-table activations require that none of the
// four is present: `if (!table && (getTable() || getTMin() || getTMax() ||
// getTShift()))`.
//
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @mvu_stray_t_min() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op table activations need t_min, t_max, t_shift and table (and only they)}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<none>, t_min = 0 : i64}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @mvu_stray_table() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op table activations need t_min, t_max, t_shift and table (and only they)}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<relu>, table = dense<1> : tensor<1xi16>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}
