// Regression test (was XFAIL), fixed: the weight rank is checked before K/N are read.
// BUG (dialects/df/DFOps.cpp, MvuOp::verify and DwuOp::verify): K/N (mvu) and
// channels/taps (dwu) are read from weight dims 0 and 1 (getK/getN,
// getChannels/getTaps in DFOps.td) BEFORE the weight's rank is checked. A
// rank-1 weight makes getDimSize(1) read past the shape (UB; today the mvu
// message prints a garbage K such as "weight must be [4, 94599260766176]",
// the dwu has no rank check at all). Fix: first thing in both verifiers,
//   if (wType.getRank() != 2) return emitOpError("weight must be rank 2, got ") << wType;
// (and only then call getK/getN/getChannels/getTaps).
//
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @mvu_weight_rank1() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op weight must be rank 2, got 'tensor<4xi16>'}}
  %m = df.mvu %in {weight = dense<1> : tensor<4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @dwu_weight_rank1() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.dwu' op weight must be rank 2, got 'tensor<2xi16>'}}
  %m = df.dwu %in {weight = dense<1> : tensor<2xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}
