// RUN: loom-opt %s --split-input-file --verify-diagnostics --nn-to-df | FileCheck %s

// nn.qlayernorm becomes one df.layernorm actor: the stream is flat, `channels`
// is the last axis (3 rows of 4 here), the integer attributes are copied as they
// are, the output carries one element per beat.
// CHECK-LABEL: func.func @rows()
// CHECK:      %[[IN:.*]] = df.input "x"
// CHECK-NEXT: %[[LN:.*]] = df.layernorm %[[IN]] {beta = dense<[0, 1, 2, 3]> : tensor<4xi64>, channels = 4 : i64, epsilon_codes = 3 : i64, epsilon_shift = 16 : i64, gamma = dense<8192> : tensor<4xi64>, hi = 127 : i64, lo = 0 : i64, norm_shift = 14 : i64, onnx.node = "ln", onnx.op = "LayerNormalization", out_shift = 25 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64} : <i8, 1, [12]> -> <i8, 1, [12]>
// CHECK-NEXT: df.output %[[LN]], "y"
func.func @rows(%x: tensor<1x3x4xf32> {onnx.name = "x"}) -> (tensor<1x3x4xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {frac = 4 : i64} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>
  %y = nn.qlayernorm %q {epsilon_codes = 3 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64,
                         norm_shift = 14 : i64, out_shift = 25 : i64, gamma = dense<8192> : tensor<4xi64>,
                         beta = dense<[0, 1, 2, 3]> : tensor<4xi64>, lo = 0 : i64, hi = 127 : i64,
                         onnx.node = "ln", onnx.op = "LayerNormalization"} : tensor<1x3x4xi8> -> tensor<1x3x4xi8>
  %d = nn.dequantize %y {frac = 4 : i64} : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  return %d : tensor<1x3x4xf32>
}

// -----

// Rows that are not contiguous in the stream (a transpose before the
// LayerNorm) are refused, naming the node.
func.func @transposed(%x: tensor<1x4x3xf32> {onnx.name = "x"}) -> (tensor<1x3x4xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {frac = 4 : i64} : tensor<1x4x3xf32> -> tensor<1x4x3xi8>
  %t = nn.transpose %q {perm = array<i64: 0, 2, 1>} : tensor<1x4x3xi8> -> tensor<1x3x4xi8>
  // expected-error @+1 {{node 'ln' (LayerNormalization): its rows are not contiguous in the stream}}
  %y = nn.qlayernorm %t {epsilon_codes = 3 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64,
                         norm_shift = 14 : i64, out_shift = 25 : i64, gamma = dense<8192> : tensor<4xi64>,
                         beta = dense<[0, 1, 2, 3]> : tensor<4xi64>, lo = 0 : i64, hi = 127 : i64,
                         onnx.node = "ln", onnx.op = "LayerNormalization"} : tensor<1x3x4xi8> -> tensor<1x3x4xi8>
  %d = nn.dequantize %y {frac = 4 : i64} : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  return %d : tensor<1x3x4xf32>
}
