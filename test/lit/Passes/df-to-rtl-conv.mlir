// RUN: loom-opt %s --df-to-rtl | FileCheck %s

// df-to-rtl on a small residual conv graph: every actor is one library
// instance (loom_fork, loom_swg, loom_mvu, loom_fifo, loom_add) with its
// parameters, and the mvu weight image follows docs/CONTRACTS.md: line
// nf*SF + sf, lane p*SIMD + s holds w[nf*PE + p][sf*SIMD + s]. With w[o][k] =
// 18*o + k, PE = SIMD = 2 (one line group, 9 lines of 4 lanes) the expected
// image was computed independently with python stdlib:
//   [w[p][sf*2+s] for sf in range(9) for p in range(2) for s in range(2)]

// CHECK: rtl.memfile "conv_w.mem" {data = dense<[0, 1, 18, 19, 2, 3, 20, 21, 4, 5, 22, 23, 6, 7, 24, 25, 8, 9, 26, 27, 10, 11, 28, 29, 12, 13, 30, 31, 14, 15, 32, 33, 16, 17, 34, 35]> : tensor<36xi64>, lane_bits = 8 : i64, lanes = 4 : i64}
// CHECK: rtl.memfile "conv_b.mem" {data = dense<[5, -5]> : tensor<2xi64>, lane_bits = 20 : i64, lanes = 2 : i64}
// CHECK: rtl.module @res_conv
// CHECK-NEXT: ^bb0(%{{.*}}: i1, %{{.*}}: i1, %{{.*}}: i16, %{{.*}}: i1, %{{.*}}: i1, %{{.*}}: i1):
// CHECK: %[[F:.*]]:5 = rtl.instance "stream_fork" @loom_fork {W = 16 : i64}
// CHECK: %[[S:.*]]:3 = rtl.instance "conv_window" @loom_swg {C = 2 : i64, DH = 1 : i64, DW = 1 : i64, H = 2 : i64, IN_BEAT = 2 : i64, KH = 3 : i64, KW = 3 : i64, OUT_BEAT = 2 : i64, PAD_VAL = 0 : i64, PB = 1 : i64, PL = 1 : i64, PR = 1 : i64, PT = 1 : i64, ROWS = {{[0-9]+}} : i64, SH = 1 : i64, SW = 1 : i64, W = 2 : i64, WB = 8 : i64}(%arg0, %arg1, %[[F]]#1, %[[F]]#2, %{{.*}}) {{.*}} : (i1, i1, i16, i1, i1) -> (i1, i16, i1)
// CHECK: %[[M:.*]]:3 = rtl.instance "conv" @loom_mvu {ACT = 1 : i64, B_FILE = "conv_b.mem", IN_BEAT = 2 : i64, K = 18 : i64, N = 2 : i64, PE = 2 : i64, SHIFT = 5 : i64, SIMD = 2 : i64, W_ACC = 20 : i64, W_FILE = "conv_w.mem", W_IN = 8 : i64, W_OUT = 8 : i64, W_W = 8 : i64}(%arg0, %arg1, %[[S]]#1, %[[S]]#2, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {{.*}} : (i1, i1, i16, i1, i1, i32, i32, i1) -> (i1, i16, i1)
// CHECK: %[[F0:.*]]:3 = rtl.instance "res_in0_fifo" @loom_fifo {DEPTH = 2 : i64, W = 16 : i64}(%arg0, %arg1, %[[M]]#1, %[[M]]#2,
// CHECK: %[[F1:.*]]:3 = rtl.instance "res_in1_fifo" @loom_fifo {DEPTH = 6 : i64, W = 16 : i64}(%arg0, %arg1, %[[F]]#3, %[[F]]#4,
// CHECK: %[[A:.*]]:4 = rtl.instance "res" @loom_add {F = 0 : i64, LANES = 2 : i64, MODE = 0 : i64, WB = 8 : i64}(%arg0, %arg1, %[[F0]]#1, %[[F0]]#2, %[[F1]]#1, %[[F1]]#2,
// CHECK: rtl.instance "out_tlast" @loom_tlast_gen {BEATS = 4 : i64, W = 16 : i64}(%arg0, %arg1, %[[A]]#2, %[[A]]#3, %arg5)
func.func @res_conv() {
  %in = df.input "x" {loom.perm = array<i64: 0, 4, 1, 5, 2, 6, 3, 7>} : !df.stream<i8, 2, [8]>
  %a, %b = df.fork %in : !df.stream<i8, 2, [8]>
  %w = df.swg %a {channels = 2 : i64, height = 2 : i64, width = 2 : i64, kernel = array<i64: 3, 3>,
                  strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                  pad_value = 0 : i64, onnx.node = "conv"} : !df.stream<i8, 2, [8]> -> !df.stream<i8, 2, [72]>
  %m = df.mvu %w {weight = dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], [18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]]> : tensor<2x18xi8>,
                  bias = dense<[5, -5]> : tensor<2xi64>, shift = 5 : i64, acc_width = 20 : i64,
                  folding = #df.folding<simd = 2, pe = 2>, act = #df.act<relu>, onnx.node = "conv"}
       : !df.stream<i8, 2, [72]> -> !df.stream<i8, 2, [8]>
  %f0 = df.fifo %m {depth = 2 : i64, onnx.node = "res_in0_fifo"} : !df.stream<i8, 2, [8]>
  %f1 = df.fifo %b {depth = 6 : i64, onnx.node = "res_in1_fifo"} : !df.stream<i8, 2, [8]>
  %j = df.join %f0, %f1 {mode = "add", frac = 0 : i64, onnx.node = "res"} : !df.stream<i8, 2, [8]>
  df.output %j, "y" : !df.stream<i8, 2, [8]>
  return
}
