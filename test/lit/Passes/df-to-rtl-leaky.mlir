// RUN: loom-opt %s --df-to-rtl | FileCheck %s

// act = "leaky" is loom_mvu / loom_dwu ACT = 4 with LEAKY_A = leaky_mult (the
// shift is the contract's fixed 15); no table file, no T_* parameters.
// CHECK-NOT: rtl.memfile "{{.*}}_t.mem"
// CHECK: rtl.instance "fc" @loom_mvu {ACT = 4 : i64, B_FILE = "fc_b.mem", IN_BEAT = 1 : i64, K = 4 : i64, LEAKY_A = -3277 : i64, N = 2 : i64, PE = 1 : i64, SHIFT = 10 : i64, SIMD = 1 : i64, W_ACC = 28 : i64, W_FILE = "fc_w.mem", W_IN = 16 : i64, W_OUT = 16 : i64, W_W = 16 : i64}
func.func @leaky() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, simd = 1 : i64, pe = 1 : i64,
                   act = "leaky", leaky_mult = -3277 : i64, onnx.node = "fc"}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}
