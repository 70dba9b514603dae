// RUN: loom-opt %s --split-input-file --df-to-rtl | FileCheck %s
// RUN: loom-opt %s --split-input-file --df-to-rtl="top=my_accel" | FileCheck %s --check-prefix=TOP

// df-to-rtl makes one library instance per actor, parameters from the same
// hw_model configuration df-fold used, and one rtl.memfile per constant in the
// $readmemh layout of docs/CONTRACTS.md. The chain is closed by a
// loom_tlast_gen; the ready nets run backwards (each instance's out_ready is
// the next one's in_ready). Memfile contents below were laid out by hand from
// the contract, not copied from the pass:
//
// fc/0: K = 4, N = 4, SIMD = 2, PE = 2 -> NF = 2, SF = 2; line nf*SF + sf,
// lane pe*SIMD + s holds w[nf*PE + pe][sf*SIMD + s]:
//   line 0 (nf 0, sf 0): w[0][0] w[0][1] w[1][0] w[1][1] =   0   1  10  11
//   line 1 (nf 0, sf 1): w[0][2] w[0][3] w[1][2] w[1][3] =   2   3  12  13
//   line 2 (nf 1, sf 0): w[2][0] w[2][1] w[3][0] w[3][1] = -20 -21  30  31
//   line 3 (nf 1, sf 1): w[2][2] w[2][3] w[3][2] w[3][3] = -22 -23 -128 127
// bias: NF = 2 lines of PE = 2 lanes of W_ACC = 20 bits: [100, -200], [300, -400].
// The second dense has the same node name and gets a unique instance name.

// CHECK-LABEL: module {
// CHECK-NEXT:    rtl.memfile "fc_0_w.mem" {data = dense<[0, 1, 10, 11, 2, 3, 12, 13, -20, -21, 30, 31, -22, -23, -128, 127]> : tensor<16xi64>, lane_bits = 8 : i64, lanes = 4 : i64}
// CHECK-NEXT:    rtl.memfile "fc_0_b.mem" {data = dense<[100, -200, 300, -400]> : tensor<4xi64>, lane_bits = 20 : i64, lanes = 2 : i64}
// SIMD = PE = 1: one weight per line, row-major.
// CHECK-NEXT:    rtl.memfile "fc_0_1_w.mem" {data = dense<[1, -1, 2, -2, 3, -3, 4, -4]> : tensor<8xi64>, lane_bits = 8 : i64, lanes = 1 : i64}
// CHECK-NEXT:    rtl.memfile "fc_0_1_b.mem" {data = dense<[7, -7]> : tensor<2xi64>, lane_bits = 16 : i64, lanes = 1 : i64}
// Activation table: DEPTH lines of W_OUT bits.
// CHECK-NEXT:    rtl.memfile "fc_0_1_t.mem" {data = dense<[1, 8, 24, 31]> : tensor<4xi64>, lane_bits = 8 : i64, lanes = 1 : i64}
// Exp table: EXP_DEPTH lines of EXP_BITS = exp_frac + 1 = 16 bits.
// CHECK-NEXT:    rtl.memfile "sm_exp.mem" {data = dense<[32768, 4435, 600, 81]> : tensor<4xi64>, lane_bits = 16 : i64, lanes = 1 : i64}
// The top module: AXI4-Stream ports, s_axis_tdata = 2 lanes x 8 bits, m_axis_tdata = 1 x 8
// (the frame's beats are the out_tlast stage's BEATS).
// CHECK-NEXT:    rtl.module @net attributes {input_names = ["clk", "rst", "s_axis_tdata", "s_axis_tvalid", "s_axis_tlast", "m_axis_tready"], output_names = ["s_axis_tready", "m_axis_tdata", "m_axis_tvalid", "m_axis_tlast"]} {
// CHECK-NEXT:    ^bb0(%[[CLK:.*]]: i1, %[[RST:.*]]: i1, %[[SDATA:.*]]: i16, %[[SVALID:.*]]: i1, %[[SLAST:.*]]: i1, %[[MREADY:.*]]: i1):
// ROM weights: the units' weight-load bus ports are tied to 0.
// CHECK-NEXT:      %[[WD:.*]] = rtl.constant 0 : i32
// CHECK-NEXT:      %[[WA:.*]] = rtl.constant 0 : i32
// CHECK-NEXT:      %[[WV:.*]] = rtl.constant 0 : i1
// CHECK-NEXT:      %[[FC0:.*]]:3 = rtl.instance "fc_0" @loom_mvu {ACT = 1 : i64, B_FILE = "fc_0_b.mem", IN_BEAT = 2 : i64, K = 4 : i64, N = 4 : i64, PE = 2 : i64, SHIFT = 5 : i64, SIMD = 2 : i64, W_ACC = 20 : i64, W_FILE = "fc_0_w.mem", W_IN = 8 : i64, W_OUT = 8 : i64, W_W = 8 : i64}(%[[CLK]], %[[RST]], %[[SDATA]], %[[SVALID]], %[[FC1:[0-9]+]]#0, %[[WD]], %[[WA]], %[[WV]]) {input_names = ["clk", "rst", "in_data", "in_valid", "out_ready", "wt_data", "wt_addr", "wt_valid"], output_names = ["in_ready", "out_data", "out_valid"]} : (i1, i1, i16, i1, i1, i32, i32, i1) -> (i1, i16, i1)
// CHECK-NEXT:      %[[FC1]]:3 = rtl.instance "fc_0_1" @loom_mvu {ACT = 2 : i64, B_FILE = "fc_0_1_b.mem", IN_BEAT = 2 : i64, K = 4 : i64, N = 2 : i64, PE = 1 : i64, SHIFT = 5 : i64, SIMD = 1 : i64, T_DEPTH = 4 : i64, T_FILE = "fc_0_1_t.mem", T_MAX = 7 : i64, T_MIN = -8 : i64, T_SHIFT = 2 : i64, W_ACC = 16 : i64, W_FILE = "fc_0_1_w.mem", W_IN = 8 : i64, W_OUT = 8 : i64, W_W = 8 : i64}(%[[CLK]], %[[RST]], %[[FC0]]#1, %[[FC0]]#2, %[[SM:[0-9]+]]#0, %[[WD]], %[[WA]], %[[WV]]) {{.*}} : (i1, i1, i16, i1, i1, i32, i32, i1) -> (i1, i8, i1)
// CHECK-NEXT:      %[[SM]]:3 = rtl.instance "sm" @loom_softmax {EXP_BITS = 16 : i64, EXP_DEPTH = 4 : i64, EXP_FILE = "sm_exp.mem", EXP_SHIFT = 6 : i64, F = 5 : i64, IN_BEAT = 1 : i64, N = 2 : i64, W = 8 : i64}(%[[CLK]], %[[RST]], %[[FC1]]#1, %[[FC1]]#2, %[[LAST:[0-9]+]]#0) {{.*}} : (i1, i1, i8, i1, i1) -> (i1, i8, i1)
// CHECK-NEXT:      %[[LAST]]:4 = rtl.instance "out_tlast" @loom_tlast_gen {BEATS = 2 : i64, W = 8 : i64}(%[[CLK]], %[[RST]], %[[SM]]#1, %[[SM]]#2, %[[MREADY]]) {input_names = ["clk", "rst", "in_data", "in_valid", "out_ready"], output_names = ["in_ready", "out_data", "out_valid", "out_last"]} : (i1, i1, i8, i1, i1) -> (i1, i8, i1, i1)
// CHECK-NEXT:      rtl.output %[[FC0]]#0, %[[LAST]]#1, %[[LAST]]#2, %[[LAST]]#3 : i1, i8, i1, i1
// CHECK-NEXT:    }
// CHECK-NOT:     func.func
// CHECK-NOT:     df.
// TOP:           rtl.module @my_accel attributes
func.func @net() {
  %in = df.input "x" {loom.frac = 5 : i64} : !df.stream<i8, 2, [4]>
  %m0 = df.mvu %in {weight = dense<[[0, 1, 2, 3], [10, 11, 12, 13], [-20, -21, -22, -23], [30, 31, -128, 127]]> : tensor<4x4xi8>,
                    bias = dense<[100, -200, 300, -400]> : tensor<4xi64>, shift = 5 : i64, acc_width = 20 : i64,
                    folding = #df.folding<simd = 2, pe = 2>, act = #df.act<relu>, onnx.node = "fc/0"}
        : !df.stream<i8, 2, [4]> -> !df.stream<i8, 2, [4]>
  %m1 = df.mvu %m0 {weight = dense<[[1, -1, 2, -2], [3, -3, 4, -4]]> : tensor<2x4xi8>, bias = dense<[7, -7]> : tensor<2xi64>,
                    shift = 5 : i64, acc_width = 16 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<table>, table_function = "sigmoid",
                    t_min = -8 : i64, t_max = 7 : i64, t_shift = 2 : i64, table = dense<[1, 8, 24, 31]> : tensor<4xi8>,
                    onnx.node = "fc/0"}
        : !df.stream<i8, 2, [4]> -> !df.stream<i8, 1, [2]>
  %s = df.softmax %m1 {frac = 5 : i64, exp_shift = 6 : i64, exp_frac = 15 : i64,
                       exp_table = dense<[32768, 4435, 600, 81]> : tensor<4xi17>, onnx.node = "sm"}
       : !df.stream<i8, 1, [2]> -> !df.stream<i8, 1, [2]>
  df.output %s, "y" {loom.frac = 5 : i64} : !df.stream<i8, 1, [2]>
  return
}

// -----

// Unnamed actors get "dense"/"softmax"/"fifo"; a fifo is a loom_fifo of
// lanes x width bits; a name starting with a digit gets an "n_" prefix.
// BEATS of the tlast generator = output frame / output lanes = 6 / 3 = 2.
// CHECK-LABEL: module {
// CHECK:         rtl.memfile "dense_w.mem" {data = dense<[1, 2, 3, 4, 5, 6, 7, -8, -1]> : tensor<9xi64>, lane_bits = 4 : i64, lanes = 9 : i64}
// CHECK-NEXT:    rtl.memfile "dense_b.mem" {data = dense<[-1, 0, 1]> : tensor<3xi64>, lane_bits = 10 : i64, lanes = 3 : i64}
// CHECK-NEXT:    rtl.memfile "n_2nd_w.mem"
// CHECK:         rtl.module @graph_2 attributes
// The 12-bit streams meet 16-bit (whole-byte) tdata ports through loom_axis_width.
// CHECK-NEXT:    ^bb0(%{{.*}}: i1, %{{.*}}: i1, %{{.*}}: i16, %{{.*}}: i1, %{{.*}}: i1, %{{.*}}: i1):
// CHECK-NEXT:      %{{.*}} = rtl.constant 0 : i32
// CHECK-NEXT:      %{{.*}} = rtl.constant 0 : i32
// CHECK-NEXT:      %{{.*}} = rtl.constant 0 : i1
// CHECK-NEXT:      rtl.instance "s_axis_width" @loom_axis_width {W_IN = 16 : i64, W_OUT = 12 : i64}
// CHECK-NEXT:      rtl.instance "dense" @loom_mvu {ACT = 0 : i64, {{.*}}IN_BEAT = 3 : i64, K = 3 : i64, N = 3 : i64, PE = 3 : i64, SHIFT = 0 : i64, SIMD = 3 : i64, W_ACC = 10 : i64, {{.*}}W_IN = 4 : i64, W_OUT = 4 : i64, W_W = 4 : i64}
// CHECK-NEXT:      rtl.instance "fifo" @loom_fifo {DEPTH = 4 : i64, W = 12 : i64}({{.*}}) {{.*}} : (i1, i1, i12, i1, i1) -> (i1, i12, i1)
// CHECK-NEXT:      rtl.instance "n_2nd" @loom_mvu {{.*}} : (i1, i1, i12, i1, i1, i32, i32, i1) -> (i1, i12, i1)
// CHECK-NEXT:      rtl.instance "out_tlast" @loom_tlast_gen {BEATS = 2 : i64, W = 12 : i64}
// CHECK-NEXT:      rtl.instance "m_axis_width" @loom_axis_width {W_IN = 12 : i64, W_OUT = 16 : i64}
// TOP:           rtl.module @my_accel attributes
func.func @graph.2() {
  %in = df.input "x" : !df.stream<i4, 3, [3]>
  %m = df.mvu %in {weight = dense<[[1, 2, 3], [4, 5, 6], [7, -8, -1]]> : tensor<3x3xi4>, bias = dense<[-1, 0, 1]> : tensor<3xi64>,
                   shift = 0 : i64, acc_width = 10 : i64, folding = #df.folding<simd = 3, pe = 3>, act = #df.act<none>}
       : !df.stream<i4, 3, [3]> -> !df.stream<i4, 3, [3]>
  %f = df.fifo %m {depth = 4 : i64} : !df.stream<i4, 3, [3]>
  %m2 = df.mvu %f {weight = dense<1> : tensor<6x3xi4>, bias = dense<0> : tensor<6xi64>,
                   shift = 0 : i64, acc_width = 10 : i64, folding = #df.folding<simd = 3, pe = 3>, act = #df.act<none>, onnx.node = "2nd"}
       : !df.stream<i4, 3, [3]> -> !df.stream<i4, 3, [6]>
  df.output %m2, "y" : !df.stream<i4, 3, [6]>
  return
}

// -----

// Several graph inputs and outputs: each its own AXI4-Stream port, named
// after its tensor (legalised, unique), inputs before outputs; each output
// gets its own frame-end stage. Here x + y is returned, and x echoed.
// CHECK-LABEL: module {
// CHECK:         rtl.module @two_io attributes {input_names = ["clk", "rst", "s_axis_x_tdata", "s_axis_x_tvalid", "s_axis_x_tlast", "s_axis_y_0_tdata", "s_axis_y_0_tvalid", "s_axis_y_0_tlast", "m_axis_sum_tready", "m_axis_echo_tready"], output_names = ["s_axis_x_tready", "s_axis_y_0_tready", "m_axis_sum_tdata", "m_axis_sum_tvalid", "m_axis_sum_tlast", "m_axis_echo_tdata", "m_axis_echo_tvalid", "m_axis_echo_tlast"]} {
// CHECK-NEXT:    ^bb0(%[[CLK:.*]]: i1, %[[RST:.*]]: i1, %[[XD:.*]]: i16, %[[XV:.*]]: i1, %{{.*}}: i1, %[[YD:.*]]: i16, %[[YV:.*]]: i1, %{{.*}}: i1, %[[SR:.*]]: i1, %[[ER:.*]]: i1):
// CHECK-NEXT:      %[[F:.*]]:5 = rtl.instance "stream_fork" @loom_fork {W = 16 : i64}(%[[CLK]], %[[RST]], %[[XD]], %[[XV]],
// CHECK-NEXT:      %[[J:.*]]:4 = rtl.instance "add" @loom_add {{.*}}(%[[CLK]], %[[RST]], %[[F]]#1, %[[F]]#2, %[[YD]], %[[YV]],
// CHECK-NEXT:      %[[TS:.*]]:4 = rtl.instance "out_tlast_sum" @loom_tlast_gen {BEATS = 4 : i64, W = 16 : i64}(%[[CLK]], %[[RST]], %[[J]]#2, %[[J]]#3, %[[SR]])
// CHECK-NEXT:      %[[TE:.*]]:4 = rtl.instance "out_tlast_echo" @loom_tlast_gen {BEATS = 4 : i64, W = 16 : i64}(%[[CLK]], %[[RST]], %[[F]]#3, %[[F]]#4, %[[ER]])
// CHECK-NEXT:      rtl.output %[[F]]#0, %[[J]]#1, %[[TS]]#1, %[[TS]]#2, %[[TS]]#3, %[[TE]]#1, %[[TE]]#2, %[[TE]]#3
func.func @two_io() {
  %x = df.input "x" : !df.stream<i8, 2, [8]>
  %y = df.input "y.0" : !df.stream<i8, 2, [8]>
  %x0, %x1 = df.fork %x : !df.stream<i8, 2, [8]>
  %j = df.join %x0, %y {mode = "add", frac = 0 : i64, onnx.node = "add"} : !df.stream<i8, 2, [8]>
  df.output %j, "sum" : !df.stream<i8, 2, [8]>
  df.output %x1, "echo" : !df.stream<i8, 2, [8]>
  return
}
