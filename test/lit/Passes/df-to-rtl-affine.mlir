// RUN: loom-opt %s --split-input-file --df-to-rtl | FileCheck %s

// Affine integer graphs (docs/CONTRACTS.md "Affine integer graphs", RTL
// parameters of loom_mvu / loom_dwu / loom_add). Memfile contents were laid
// out by hand from the contract:
//
// rq: K = 4, N = 4, SIMD = 2, PE = 2 -> NF = 2. Multipliers [10, 20, 30, 40]:
// the bias layout, NF = 2 lines of PE = 2 lanes: [10, 20], [30, 40]; the
// largest is 40 < 2^6: W_M = 6 (unsigned lanes).
// bin: binary weights [[1, -1, -1, 1], [-1, 1, 1, 1]], SIMD = 4, PE = 1: one bit
// per weight, 1 = +1, 0 = -1: line 0 = 1 0 0 1, line 1 = 0 1 1 1; W_W = 1,
// BIPOLAR_W = 1; the sign activation is ACT 5.
// one: a single multiplier 3 for every channel is repeated per channel (2 bits).
// CHECK-LABEL: module {
// CHECK:         rtl.memfile "rq_m.mem" {data = dense<[10, 20, 30, 40]> : tensor<4xi64>, lane_bits = 6 : i64, lanes = 2 : i64}
// CHECK:         rtl.memfile "bin_w.mem" {data = dense<[1, 0, 0, 1, 0, 1, 1, 1]> : tensor<8xi64>, lane_bits = 1 : i64, lanes = 4 : i64}
// CHECK-NEXT:    rtl.memfile "bin_b.mem" {data = dense<[3, -3]> : tensor<2xi64>, lane_bits = 8 : i64, lanes = 1 : i64}
// CHECK:         rtl.memfile "one_m.mem" {data = dense<3> : tensor<2xi64>, lane_bits = 2 : i64, lanes = 1 : i64}
// CHECK:         rtl.instance "rq" @loom_mvu {ACT = 3 : i64, {{.*}}M_FILE = "rq_m.mem", {{.*}}SHIFT = 30 : i64, {{.*}}T_MAX = 127 : i64, T_MIN = -128 : i64, {{.*}}W_M = 6 : i64, W_OUT = 9 : i64, W_W = 8 : i64}
// CHECK-NEXT:    rtl.instance "bin" @loom_mvu {ACT = 5 : i64, BIPOLAR_W = 1 : i64, {{.*}}W_IN = 9 : i64, W_OUT = 2 : i64, W_W = 1 : i64}
// CHECK-NEXT:    rtl.instance "one" @loom_mvu {ACT = 0 : i64, {{.*}}M_FILE = "one_m.mem", {{.*}}W_M = 2 : i64
func.func @affine() {
  %in = df.input "x" : !df.stream<i9, 2, [4]>
  %m0 = df.mvu %in {weight = dense<[[1, 2, 3, 4], [5, 6, 7, 8], [-1, -2, -3, -4], [9, 9, 9, 9]]> : tensor<4x4xi8>,
                    bias = dense<[1, 2, 3, 4]> : tensor<4xi64>, shift = 30 : i64, acc_width = 20 : i64,
                    folding = #df.folding<simd = 2, pe = 2>, act = #df.act<clip>, t_min = -128 : i64, t_max = 127 : i64,
                    mult = dense<[10, 20, 30, 40]> : tensor<4xi64>, onnx.node = "rq"}
        : !df.stream<i9, 2, [4]> -> !df.stream<i9, 2, [4]>
  %m1 = df.mvu %m0 {weight = dense<[[1, -1, -1, 1], [-1, 1, 1, 1]]> : tensor<2x4xi8>,
                    bias = dense<[3, -3]> : tensor<2xi64>, shift = 0 : i64, acc_width = 8 : i64,
                    folding = #df.folding<simd = 4, pe = 1>, act = #df.act<sign>, binary, onnx.node = "bin"}
        : !df.stream<i9, 2, [4]> -> !df.stream<i2, 1, [2]>
  %m2 = df.mvu %m1 {weight = dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>,
                    bias = dense<0> : tensor<2xi64>, shift = 1 : i64, acc_width = 8 : i64,
                    folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>, mult = dense<3> : tensor<1xi64>,
                    onnx.node = "one"}
        : !df.stream<i2, 1, [2]> -> !df.stream<i9, 1, [2]>
  df.output %m2, "y" : !df.stream<i9, 1, [2]>
  return
}

// -----

// A scaled add with the output quantizer's range: loom_add MODE 2 with MA, MB,
// S and CLIP / LO / HI.
// CHECK-LABEL: module {
// CHECK:         rtl.instance "add" @loom_add {CLIP = 1 : i64, F = 0 : i64, HI = 127 : i64, LANES = 1 : i64, LO = 0 : i64, MA = 8388608 : i64, MB = 12582912 : i64, MODE = 2 : i64, S = 24 : i64, WB = 9 : i64}
func.func @scaled_add() {
  %in = df.input "x" : !df.stream<i9, 1, [4]>
  %a, %b = df.fork %in : !df.stream<i9, 1, [4]>
  %fa = df.fifo %a {depth = 2 : i64} : !df.stream<i9, 1, [4]>
  %fb = df.fifo %b {depth = 2 : i64} : !df.stream<i9, 1, [4]>
  %j = df.join %fa, %fb {mode = "add", frac = 0 : i64, mult_lhs = 8388608 : i64, mult_rhs = 12582912 : i64,
                         shift = 24 : i64, t_min = 0 : i64, t_max = 127 : i64, onnx.node = "add"} : !df.stream<i9, 1, [4]>
  df.output %j, "y" : !df.stream<i9, 1, [4]>
  return
}

// -----

// A graph without compute: one loom_skid of lanes x width bits between the ports; the
// 9-bit stream meets 16-bit (whole-byte) tdata ports through loom_axis_width.
// CHECK-LABEL: module {
// CHECK:         rtl.module @pass attributes
// CHECK-NEXT:    ^bb0(%[[CLK:.*]]: i1, %[[RST:.*]]: i1, %[[SDATA:.*]]: i16, %[[SVALID:.*]]: i1, %{{.*}}: i1, %[[MREADY:.*]]: i1):
// CHECK-NEXT:      %[[IN:.*]] = rtl.instance "s_axis_width" @loom_axis_width {W_IN = 16 : i64, W_OUT = 9 : i64}(%[[SDATA]])
// CHECK-NEXT:      %[[S:.*]]:3 = rtl.instance "pass" @loom_skid {W = 9 : i64}(%[[CLK]], %[[RST]], %[[IN]], %[[SVALID]], %[[LAST:[0-9]+]]#0)
// CHECK-NEXT:      %[[LAST]]:4 = rtl.instance "out_tlast" @loom_tlast_gen {BEATS = 6 : i64, W = 9 : i64}(%[[CLK]], %[[RST]], %[[S]]#1, %[[S]]#2, %[[MREADY]])
// CHECK-NEXT:      %[[OUT:.*]] = rtl.instance "m_axis_width" @loom_axis_width {W_IN = 9 : i64, W_OUT = 16 : i64}(%[[LAST]]#1)
// CHECK-NEXT:      rtl.output %[[S]]#0, %[[OUT]], %[[LAST]]#2, %[[LAST]]#3
func.func @pass() {
  %in = df.input "x" : !df.stream<i9, 1, [6]>
  %s = df.skid %in : !df.stream<i9, 1, [6]>
  df.output %s, "y" : !df.stream<i9, 1, [6]>
  return
}
