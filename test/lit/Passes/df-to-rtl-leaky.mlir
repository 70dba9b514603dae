// RUN: loom-opt %s --df-to-rtl | FileCheck %s

// act = #df.act<leaky> is loom_mvu / loom_dwu ACT = 4 with LEAKY_A = leaky_mult (the
// shift is the contract's fixed 15); no table file, no T_* parameters.
// CHECK-NOT: rtl.memfile "{{.*}}_t.mem"
// CHECK: rtl.instance "fc" @loom_mvu {ACT = 4 : i64, B_FILE = "fc_b.mem", IN_BEAT = 1 : i64, K = 4 : i64, LEAKY_A = -3277 : i64, N = 2 : i64, PE = 1 : i64, SHIFT = 10 : i64, SIMD = 1 : i64, W_ACC = 28 : i64, W_FILE = "fc_w.mem", W_IN = 16 : i64, W_OUT = 16 : i64, W_W = 16 : i64}
func.func @leaky() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<leaky>, leaky_mult = -3277 : i64, onnx.node = "fc"}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// PRelu (leaky_mults, one A per output channel): W_LA = the signed width of the
// largest multiplier (-70000 needs 18 bits) and LA_FILE, the bias layout with
// W_LA-bit lanes, PE lanes a line); no LEAKY_A. Same on the dwu.
// CHECK: rtl.memfile "fc_la.mem" {data = dense<[8192, 0, 3, -70000]> : tensor<4xi64>, lane_bits = 18 : i64, lanes = 2 : i64}
// CHECK: rtl.memfile "act_la.mem" {data = dense<[8192, 0, 3, -70000]> : tensor<4xi64>, lane_bits = 18 : i64, lanes = 2 : i64}
// CHECK: rtl.instance "fc" @loom_mvu {ACT = 4 : i64, B_FILE = "fc_b.mem", IN_BEAT = 1 : i64, K = 4 : i64, LA_FILE = "fc_la.mem", N = 4 : i64, PE = 2 : i64, SHIFT = 10 : i64, SIMD = 1 : i64, W_ACC = 28 : i64, W_FILE = "fc_w.mem", W_IN = 16 : i64, W_LA = 18 : i64, W_OUT = 16 : i64, W_W = 16 : i64}
// CHECK: rtl.instance "act" @loom_dwu {ACT = 4 : i64, BIPOLAR_W = 1 : i64, B_FILE = "act_b.mem", C = 4 : i64, {{.*}}LA_FILE = "act_la.mem", {{.*}}W_LA = 18 : i64
func.func @prelu() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  %m = df.mvu %in {weight = dense<1> : tensor<4x4xi16>, bias = dense<0> : tensor<4xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 2>,
                   act = #df.act<leaky>, leaky_mults = array<i64: 8192, 0, 3, -70000>, onnx.node = "fc"}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 2, [4]>
  %a = df.dwu %m {weight = dense<1> : tensor<4x1xi2>, bias = dense<0> : tensor<4xi17>, binary,
                  shift = 0 : i64, acc_width = 17 : i64, folding = #df.folding<simd = 1, pe = 2>,
                  act = #df.act<leaky>, leaky_mults = array<i64: 8192, 0, 3, -70000>, onnx.node = "act"}
       : !df.stream<i16, 2, [4]> -> !df.stream<i16, 2, [4]>
  df.output %a, "y" : !df.stream<i16, 2, [4]>
  return
}
