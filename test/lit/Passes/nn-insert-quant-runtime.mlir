// RUN: loom-opt %s --nn-insert-quant | FileCheck %s
// RUN: loom-opt %s --nn-insert-quant=weight-margin=1.25 | FileCheck %s --check-prefix=MARGIN

// --runtime-weights with int8 (flows/RuntimeInt8.h): a layer's per-channel weight scales
// are the architecture's when it carries loom.rt_weight_scale (the attribute is consumed);
// the first model's scales hold weight-margin times each channel's largest |w|.

// CHECK-LABEL: func.func @fixed
// CHECK: nn.dense
// CHECK-SAME: weight_scale = array<f64: 2.000000e-02, 1.000000e-02>
// CHECK-NOT: loom.rt_weight_scale
func.func @fixed(%x: tensor<1x2xf32> {loom.calib = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %d = nn.dense %x {weight = dense<[[1.0, 0.5], [-1.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, onnx.node = "fc", loom.calib = array<f64: -2.0, 2.0>, loom.rt_weight_scale = array<f64: 0.02, 0.01>} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// 1.27 / 127 = 0.01, and with the margin 1.25 x 1.27 / 127 = 0.0125 (f32).
// CHECK-LABEL: func.func @own
// CHECK: weight_scale = array<f64: 0.0099999997764825821>
// MARGIN-LABEL: func.func @own
// MARGIN: weight_scale = array<f64: 0.012500000186264515>
func.func @own(%x: tensor<1x1xf32> {loom.calib = array<f64: -1.0, 1.0>}) -> tensor<1x1xf32> {
  %d = nn.dense %x {weight = dense<[[1.27]]> : tensor<1x1xf32>, bias = dense<0.0> : tensor<1xf32>, onnx.node = "fc", loom.calib = array<f64: -2.0, 2.0>} : tensor<1x1xf32> -> tensor<1x1xf32>
  return %d : tensor<1x1xf32>
}

// An all-zero channel: scale 1 without the margin; with it (--runtime-weights) the layer's
// widest, 1.25 x 1.27 / 127 = 0.0125 (f32), so a fine-tune's weights there keep its
// resolution.
// CHECK-LABEL: func.func @zero_channel
// CHECK: weight_scale = array<f64: 0.0099999997764825821, 1.000000e+00>
// MARGIN-LABEL: func.func @zero_channel
// MARGIN: weight_scale = array<f64: 0.012500000186264515, 0.012500000186264515>
func.func @zero_channel(%x: tensor<1x1xf32> {loom.calib = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %d = nn.dense %x {weight = dense<[[1.27], [0.0]]> : tensor<2x1xf32>, bias = dense<0.0> : tensor<2xf32>, onnx.node = "fc", loom.calib = array<f64: -2.0, 2.0>} : tensor<1x1xf32> -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}
