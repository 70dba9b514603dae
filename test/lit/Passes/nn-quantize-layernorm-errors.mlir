// RUN: not loom-opt %s --split-input-file --nn-quantize 2>&1 | FileCheck %s

// A LayerNorm in a quantized graph needs a quantizer on both sides.

// CHECK: error: cannot quantize node 'ln' (LayerNormalization): a LayerNorm needs a QuantizeLinear after it
func.func @no_output_quantizer(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.05>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.05>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  %y = nn.layernorm %d {gamma = dense<1.0> : tensor<4xf32>, beta = dense<0.0> : tensor<4xf32>,
                        epsilon = 1.0e-5 : f32, onnx.node = "ln", onnx.op = "LayerNormalization"} : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// CHECK: error: cannot quantize node 'ln2' (LayerNormalization): layernorm epsilon is too large for the input scale
func.func @huge_epsilon(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.0001>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.0001>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  %y = nn.layernorm %d {gamma = dense<1.0> : tensor<4xf32>, beta = dense<0.0> : tensor<4xf32>,
                        epsilon = 1.0e3 : f32, onnx.node = "ln2", onnx.op = "LayerNormalization"} : tensor<1x4xf32>
  %q2 = nn.quantize_linear %y {scale = array<f64: 0.03125>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 0.03125>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  return %d2 : tensor<1x4xf32>
}
