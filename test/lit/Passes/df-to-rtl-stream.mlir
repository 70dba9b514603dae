// RUN: loom-opt %s --split-input-file --df-to-rtl | FileCheck %s

// A unit folded flat across its frame's vectors (pe = every output, several vectors a
// frame, simd not dividing the reduction) is a loom_mvu_stream instance. Its weight ROM
// (docs/CONTRACTS.md, loom_mvu_stream): P = KR / gcd(KR, SIMD) lines, at most the steps
// ceil(V*KR / SIMD); line p, lane n*SIMD + s holds w[n][(p*SIMD + s) mod KR]. Here
// KR = 3 taps (depthwise, C = 2) or K = 3 (dense, N = 2), SIMD = 2, V = 2: 3 steps, 3
// lines. With w = [[1, 2, 3], [4, 5, 6]], computed by hand from that rule:
//   line 0: w[0][0], w[0][1], w[1][0], w[1][1] = 1 2 4 5
//   line 1: w[.][2], w[.][0]                   = 3 1 6 4
//   line 2: w[.][1], w[.][2]                   = 2 3 5 6

// CHECK: rtl.memfile "dw_w.mem" {data = dense<[1, 2, 4, 5, 3, 1, 6, 4, 2, 3, 5, 6]> : tensor<12xi64>, lane_bits = 8 : i64, lanes = 4 : i64}
// CHECK: rtl.memfile "dw_b.mem" {data = dense<[7, -7]> : tensor<2xi64>, lane_bits = 20 : i64, lanes = 2 : i64}
// CHECK: rtl.instance "dw" @loom_mvu_stream {ACT = 0 : i64, B_FILE = "dw_b.mem", DW_KK = 3 : i64, IN_BEAT = 6 : i64, K = 6 : i64, N = 2 : i64, PE = 2 : i64, SHIFT = 2 : i64, SIMD = 2 : i64, VECTORS = 2 : i64, W_ACC = 20 : i64, W_FILE = "dw_w.mem", W_IN = 8 : i64, W_OUT = 8 : i64, W_W = 8 : i64}
func.func @dw_stream() {
  %in = df.input "x" : !df.stream<i8, 6, [12]>
  %u = df.dwu %in {weight = dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>, bias = dense<[7, -7]> : tensor<2xi64>,
                   shift = 2 : i64, acc_width = 20 : i64, folding = #df.folding<simd = 2, pe = 2>,
                   act = #df.act<none>, onnx.node = "dw"}
       : !df.stream<i8, 6, [12]> -> !df.stream<i8, 2, [4]>
  df.output %u, "y" : !df.stream<i8, 2, [4]>
  return
}

// -----

// CHECK: rtl.memfile "fc_w.mem" {data = dense<[1, 2, 4, 5, 3, 1, 6, 4, 2, 3, 5, 6]> : tensor<12xi64>, lane_bits = 8 : i64, lanes = 4 : i64}
// CHECK: rtl.instance "fc" @loom_mvu_stream {ACT = 1 : i64, B_FILE = "fc_b.mem", IN_BEAT = 3 : i64, K = 3 : i64, N = 2 : i64, PE = 2 : i64, SHIFT = 2 : i64, SIMD = 2 : i64, VECTORS = 2 : i64, W_ACC = 20 : i64, W_FILE = "fc_w.mem", W_IN = 8 : i64, W_OUT = 8 : i64, W_W = 8 : i64}
// A simd dividing K keeps loom_mvu (the same steps: V * K / simd).
// CHECK: rtl.instance "fc_div" @loom_mvu {ACT = 0 : i64, B_FILE = "fc_div_b.mem", IN_BEAT = 2 : i64, K = 2 : i64, N = 2 : i64, PE = 2 : i64, SHIFT = 0 : i64, SIMD = 1 : i64
func.func @dense_stream() {
  %in = df.input "x" : !df.stream<i8, 3, [6]>
  %m = df.mvu %in {weight = dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>, bias = dense<[7, -7]> : tensor<2xi64>,
                   shift = 2 : i64, acc_width = 20 : i64, folding = #df.folding<simd = 2, pe = 2>,
                   act = #df.act<relu>, onnx.node = "fc"}
       : !df.stream<i8, 3, [6]> -> !df.stream<i8, 2, [4]>
  %n = df.mvu %m {weight = dense<1> : tensor<2x2xi8>, bias = dense<0> : tensor<2xi64>,
                   shift = 0 : i64, acc_width = 20 : i64, folding = #df.folding<simd = 1, pe = 2>,
                   act = #df.act<none>, onnx.node = "fc_div"}
       : !df.stream<i8, 2, [4]> -> !df.stream<i8, 2, [4]>
  df.output %n, "y" : !df.stream<i8, 2, [4]>
  return
}
