// RUN: loom-opt %s --nn-quantize --split-input-file --verify-diagnostics

// QONNX Trunc that nn-quantize refuses: one error naming the ONNX node and op.

func.func @scale_differs(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x1x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x2x2xf32>
  // expected-error @+1 {{cannot quantize node 't' (Trunc): its scale 0.5 differs from its input's scale 0.25; Loom truncates codes only at their own scale}}
  %t = nn.trunc %d {scale = 0.5 : f64, shift = 1 : i64, qmin = -128 : i64, qmax = 127 : i64, rounding = "floor", out_scale = 0.5 : f64, onnx.node = "t", onnx.op = "Trunc"} : tensor<1x1x2x2xf32>
  return %t : tensor<1x1x2x2xf32>
}

// -----

func.func @not_a_feature_map(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  // expected-error @+1 {{cannot quantize node 't' (Trunc): a Trunc that does not follow an average pool needs an NCHW feature map (rank 4), got rank 2}}
  %t = nn.trunc %d {scale = 0.25 : f64, shift = 1 : i64, qmin = -128 : i64, qmax = 127 : i64, rounding = "floor", out_scale = 0.25 : f64, onnx.node = "t", onnx.op = "Trunc"} : tensor<1x4xf32>
  return %t : tensor<1x4xf32>
}

// -----

// The pool is multiplied by 2, not by its window size 4.
func.func @mul_not_window(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = 0 : i64, qmax = 15 : i64} : tensor<1x1x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x2x2xf32>
  %p = nn.avg_pool %d {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = false} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  %k = nn.constant dense<2.0> : tensor<f32>
  // expected-error @+1 {{cannot quantize node 'm' (Mul): an average pool before a Trunc must be multiplied by its window size 4 (Brevitas TruncAvgPool)}}
  %m = nn.mul %p, %k {onnx.node = "m", onnx.op = "Mul"} : tensor<1x1x1x1xf32>, tensor<f32> -> tensor<1x1x1x1xf32>
  %t = nn.trunc %m {scale = 0.25 : f64, shift = 2 : i64, qmin = 0 : i64, qmax = 15 : i64, rounding = "floor", out_scale = 0.25 : f64} : tensor<1x1x1x1xf32>
  return %t : tensor<1x1x1x1xf32>
}

// -----

// Trunc v2 with a signed 4-bit output range [-8, 7] on unsigned codes [0, 15]: the
// clamp would cut the truncated codes [0, 15].
func.func @clamp_clips(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = 0 : i64, qmax = 15 : i64} : tensor<1x1x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x2x2xf32>
  %p = nn.avg_pool %d {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = false} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  %k = nn.constant dense<4.0> : tensor<f32>
  %m = nn.mul %p, %k : tensor<1x1x1x1xf32>, tensor<f32> -> tensor<1x1x1x1xf32>
  // expected-error @+1 {{cannot quantize node 't' (Trunc): its output range [-8, 7] clips the truncated codes [0, 15]; Loom's pool does not clamp (use a wider output bit width)}}
  %t = nn.trunc %m {scale = 0.25 : f64, shift = 2 : i64, qmin = -8 : i64, qmax = 7 : i64, rounding = "floor", out_scale = 1.0 : f64, onnx.node = "t", onnx.op = "Trunc"} : tensor<1x1x1x1xf32>
  return %t : tensor<1x1x1x1xf32>
}

// -----

// Trunc of a layer's accumulator (no Quant in between).
func.func @after_layer(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x1x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x2x2xf32>
  %c = nn.conv %d {weight = dense<0.5> : tensor<1x1x1x1xf32>, bias = dense<0.0> : tensor<1xf32>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, weight_scale = array<f64: 0.5>} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  // expected-error @+1 {{cannot quantize node 't' (Trunc): only Relu, Clip, reshapes or a QuantizeLinear may follow a quantized layer}}
  %t = nn.trunc %c {scale = 0.125 : f64, shift = 1 : i64, qmin = -128 : i64, qmax = 127 : i64, rounding = "floor", out_scale = 0.125 : f64, onnx.node = "t", onnx.op = "Trunc"} : tensor<1x1x2x2xf32>
  return %t : tensor<1x1x2x2xf32>
}
