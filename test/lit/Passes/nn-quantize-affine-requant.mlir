// RUN: loom-opt %s --nn-quantize --mlir-print-elementsattrs-with-hex-if-larger=-1 | FileCheck %s

// nn-quantize on float QDQ graphs, the patterns of ONNX Runtime / PyTorch
// exports (docs/CONTRACTS.md "Affine integer graphs"): data movement between a
// layer and its quantizer, requantization without a layer (the identity actor)
// and element-wise functions as exact tables. Numbers derived by hand below.

// Dense -> Reshape -> QuantizeLinear: the dense requantizes (R = 0.5 * 1 /
// 0.5 = 1: no mult, shift 0), then the codes are reshaped. W_A = 8 (int8),
// acc over [-128, 127] with weights 0 / 1: 8 bits; weights 2 bits.
// CHECK-LABEL: func.func @layer_reshape_quant
// CHECK:      %[[Q:.*]] = nn.quantize %arg0
// CHECK-NEXT: %[[D:.*]] = nn.qdense %[[Q]] {acc_width = 8 : i64, bias = dense<0> : tensor<2xi64>, shift = 0 : i64, weight = dense<{{\[\[}}1, 0], [0, 1]]> : tensor<2x2xi2>} : tensor<1x2xi8> -> tensor<1x2xi8>
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[D]] {onnx.node = "r", onnx.op = "Reshape"} : tensor<1x2xi8> -> tensor<2x1xi8>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[R]] {{.*}}integer_output
// CHECK-NEXT: return %[[Y]]
func.func @layer_reshape_quant(%x: tensor<1x2xf32>) -> tensor<2x1xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %y = nn.dense %d {weight = dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, weight_scale = array<f64: 1.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %r = nn.reshape %y {onnx.node = "r", onnx.op = "Reshape"} : tensor<1x2xf32> -> tensor<2x1xf32>
  %q2 = nn.quantize_linear %r {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<2x1xf32>
  return %q2 : tensor<2x1xf32>
}

// DQ -> Q with a new scale: identity actor, a 1x1 depthwise qconv (weights
// 1, bias 0) on the codes seen as [1, 2, 1, 1]. R = 0.5 / 0.75: f32(2/3) =
// 11184811 * 2^-24 -> mult 11184811, shift 24. Output int8 = the whole W_A
// range: no clip. acc over [-128, 127]: 8 bits.
// CHECK-LABEL: func.func @requant_identity
// CHECK:      %[[Q:.*]] = nn.quantize %arg0
// CHECK-NEXT: %[[V:.*]] = nn.reshape %[[Q]] : tensor<1x2xi8> -> tensor<1x2x1x1xi8>
// CHECK-NEXT: %[[C:.*]] = nn.qconv %[[V]] {acc_width = 8 : i64, bias = dense<0> : tensor<2xi64>, dilations = array<i64: 1, 1>, group = 2 : i64, mult = dense<11184811> : tensor<1xi64>, onnx.node = "q2_rq", onnx.op = "QuantizeLinear", pads = array<i64: 0, 0, 0, 0>, shift = 24 : i64, strides = array<i64: 1, 1>, weight = dense<1> : tensor<2x1x1x1xi2>} : tensor<1x2x1x1xi8> -> tensor<1x2x1x1xi8>
// CHECK-NEXT: %[[B:.*]] = nn.reshape %[[C]] : tensor<1x2x1x1xi8> -> tensor<1x2xi8>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[B]] {{.*}}integer_output, scale = array<f64: 7.500000e-01>
// CHECK-NEXT: return %[[Y]]
func.func @requant_identity(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %q2 = nn.quantize_linear %d {scale = array<f64: 0.75>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64, onnx.node = "q2", onnx.op = "QuantizeLinear"} : tensor<1x2xf32>
  return %q2 : tensor<1x2xf32>
}

// Concat of inputs in different quantizers, read by a QuantizeLinear at 0.5:
// the left input is at 0.5 already (kept); the right one (0.25) is
// requantized: R = 0.5 -> no mult, shift 1, no clip (int8 = W_A).
// CHECK-LABEL: func.func @concat_requant
// CHECK:      %[[B:.*]] = nn.quantize %arg1
// CHECK:      %[[A:.*]] = nn.quantize %arg0
// CHECK-NEXT: %[[V:.*]] = nn.reshape %[[B]] : tensor<1x2xi8> -> tensor<1x2x1x1xi8>
// CHECK-NEXT: %[[C:.*]] = nn.qconv %[[V]] {acc_width = 8 : i64, bias = dense<0> : tensor<2xi64>, dilations = array<i64: 1, 1>, group = 2 : i64, onnx.node = "cat_rq1", onnx.op = "Concat", pads = array<i64: 0, 0, 0, 0>, shift = 1 : i64, strides = array<i64: 1, 1>, weight = dense<1> : tensor<2x1x1x1xi2>}
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[C]] : tensor<1x2x1x1xi8> -> tensor<1x2xi8>
// CHECK-NEXT: %[[K:.*]] = nn.concat %[[A]], %[[R]] {axis = 1 : i64, onnx.node = "cat", onnx.op = "Concat"} : tensor<1x2xi8>, tensor<1x2xi8> -> tensor<1x4xi8>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[K]] {{.*}}integer_output, scale = array<f64: 5.000000e-01>
func.func @concat_requant(%x: tensor<1x2xf32>, %z: tensor<1x2xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %q1 = nn.quantize_linear %z {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d1 = nn.dequantize_linear %q1 {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %c = nn.concat %d, %d1 {axis = 1 : i64, onnx.node = "cat", onnx.op = "Concat"} : tensor<1x2xf32>, tensor<1x2xf32> -> tensor<1x4xf32>
  %q2 = nn.quantize_linear %c {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  return %q2 : tensor<1x4xf32>
}

// Dense -> Q/DQ -> Sigmoid -> Q: the table rides on the dense (its domain
// clamp replaces the range clip of the 2-bit intermediate codes [-2, 1]).
// W_A = 3 (output codes [0, 3]). R = 1: no mult, shift 0.
// Table over c = -2..1 at scale 1, output scale 0.25: sigmoid = 0.119, 0.269,
// 0.5, 0.731 -> / 0.25 = 0.48, 1.08, 2, 2.92 -> [0, 1, 2, 3].
// CHECK-LABEL: func.func @sigmoid_table
// CHECK:      %[[D:.*]] = nn.qdense
// CHECK-NOT:  nn.clip
// CHECK-NEXT: %[[T:.*]] = nn.lut %[[D]] {function = "sigmoid", onnx.node = "s", onnx.op = "Sigmoid", t_max = 1 : i64, t_min = -2 : i64, t_shift = 0 : i64, table = dense<[0, 1, 2, 3]> : tensor<4xi3>} : tensor<1x2xi3>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[T]] {{.*}}scale = array<f64: 2.500000e-01>
func.func @sigmoid_table(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -2 : i64, qmax = 1 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %y = nn.dense %d {weight = dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, weight_scale = array<f64: 1.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %q1 = nn.quantize_linear %y {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -2 : i64, qmax = 1 : i64} : tensor<1x2xf32>
  %d1 = nn.dequantize_linear %q1 {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %s = nn.sigmoid %d1 {onnx.node = "s", onnx.op = "Sigmoid"} : tensor<1x2xf32>
  %q2 = nn.quantize_linear %s {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = 0 : i64, qmax = 3 : i64} : tensor<1x2xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  return %d2 : tensor<1x2xf32>
}

// Tanh on the graph input (no layer before it): identity actor (mult 1,
// shift 0) with the table. Codes [-2, 1], W_A = 2. Table at scale 1 -> 0.5:
// tanh = -0.964, -0.762, 0, 0.762 -> / 0.5 = -1.93, -1.52, 0, 1.52 ->
// round -2, -2, 0, 2 -> clamp [-2, 1]: [-2, -2, 0, 1].
// CHECK-LABEL: func.func @tanh_input
// CHECK:      %[[Q:.*]] = nn.quantize %arg0
// CHECK-NEXT: %[[V:.*]] = nn.reshape %[[Q]] : tensor<1x4xi2> -> tensor<1x4x1x1xi2>
// CHECK-NEXT: %[[C:.*]] = nn.qconv %[[V]] {acc_width = 2 : i64, {{.*}}group = 4 : i64, onnx.node = "q2_table", {{.*}}shift = 0 : i64
// CHECK-NEXT: %[[T:.*]] = nn.lut %[[C]] {function = "tanh", onnx.node = "t", onnx.op = "Tanh", t_max = 1 : i64, t_min = -2 : i64, t_shift = 0 : i64, table = dense<[-2, -2, 0, 1]> : tensor<4xi2>} : tensor<1x4x1x1xi2>
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[T]] : tensor<1x4x1x1xi2> -> tensor<1x4xi2>
// CHECK-NEXT: nn.dequantize %[[R]]
func.func @tanh_input(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -2 : i64, qmax = 1 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  %t = nn.tanh %d {onnx.node = "t", onnx.op = "Tanh"} : tensor<1x4xf32>
  %q2 = nn.quantize_linear %t {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -2 : i64, qmax = 1 : i64, onnx.node = "q2", onnx.op = "QuantizeLinear"} : tensor<1x4xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  return %d2 : tensor<1x4xf32>
}

// DQ -> Flatten -> Q with a new scale: the identity actor runs before the
// reshape (a convolution needs its channels-last input), R = 0.5 / 0.75 as
// above; the reshape follows it and the first copy is erased.
// CHECK-LABEL: func.func @requant_after_reshape
// CHECK:      %[[Q:.*]] = nn.quantize %arg0
// CHECK-NEXT: %[[C:.*]] = nn.qconv %[[Q]] {acc_width = 8 : i64, bias = dense<0> : tensor<1xi64>, {{.*}}group = 1 : i64, mult = dense<11184811> : tensor<1xi64>, {{.*}}shift = 24 : i64, {{.*}}weight = dense<1> : tensor<1x1x1x1xi2>} : tensor<1x1x1x2xi8> -> tensor<1x1x1x2xi8>
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[C]] {{.*}}: tensor<1x1x1x2xi8> -> tensor<1x2xi8>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[R]]
// CHECK-NEXT: return %[[Y]]
func.func @requant_after_reshape(%x: tensor<1x1x1x2xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x1x1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x1x2xf32>
  %r = nn.reshape %d {onnx.node = "flat", onnx.op = "Flatten"} : tensor<1x1x1x2xf32> -> tensor<1x2xf32>
  %q2 = nn.quantize_linear %r {scale = array<f64: 0.75>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64, onnx.node = "q2", onnx.op = "QuantizeLinear"} : tensor<1x2xf32>
  return %q2 : tensor<1x2xf32>
}
