// RUN: loom-opt %s --nn-quantize --split-input-file --verify-diagnostics | FileCheck %s

// --runtime-weights with int8 (the function's loom.runtime_weights; flows/RuntimeInt8.h):
// a layer's widths hold any weight set of the architecture.
//   input codes [-128, 127] (scale 0.5, zp 0); weights [0.5, -0.25] / 0.25 = [2, -1]: int8
//   codes (i8) all the same; bias 1.0 / (0.5 * 0.25) = 8 steps: 5 bits, + 1 -> 6
//   (loom.rt_bias_bits, what layout.json records);
//   accumulator: two products of -128..127 weights over [-128, 127] span [-32512, 32768],
//   plus a 6-bit bias [-32, 31]: [-32544, 32799] -> 17 bits.
// CHECK-LABEL: func.func @first
// CHECK: nn.qdense
// CHECK-SAME: acc_width = 17 : i64
// CHECK-SAME: loom.rt_bias_bits = 6 : i64
// CHECK-SAME: tensor<1x2xi8>
func.func @first(%x: tensor<1x2xf32>) -> tensor<1x1xf32> attributes {loom.runtime_weights} {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %y = nn.dense %d {weight = dense<[[0.5, -0.25]]> : tensor<1x2xf32>, bias = dense<[1.0]> : tensor<1xf32>, weight_scale = array<f64: 0.25>, onnx.node = "fc"} : tensor<1x2xf32> -> tensor<1x1xf32>
  %q2 = nn.quantize_linear %y {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x1xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1xf32>
  return %d2 : tensor<1x1xf32>
}

// -----

// Another weight set: its bias (8 steps, 5 bits) beyond the 4 bits the architecture fixed.
func.func @recorded(%x: tensor<1x2xf32>) -> tensor<1x1xf32> attributes {loom.runtime_weights} {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  // expected-error @+1 {{cannot quantize node 'fc' (nn.dense): --runtime-weights: the bias tensor's codes span [8, 8], wider than the 4 bits the architecture fixes; compile this model on its own}}
  %y = nn.dense %d {weight = dense<[[0.5, -0.25]]> : tensor<1x2xf32>, bias = dense<[1.0]> : tensor<1xf32>, weight_scale = array<f64: 0.25>, onnx.node = "fc", loom.rt_bias_bits = 4 : i64} : tensor<1x2xf32> -> tensor<1x1xf32>
  %q2 = nn.quantize_linear %y {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x1xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1xf32>
  return %d2 : tensor<1x1xf32>
}
