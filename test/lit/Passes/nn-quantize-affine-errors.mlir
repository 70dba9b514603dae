// RUN: loom-opt %s --nn-quantize --split-input-file --verify-diagnostics

// What nn-quantize refuses in float QDQ graphs: one error on the op, naming
// the ONNX node and op type (docs/CONTRACTS.md "Affine integer graphs").

func.func @no_weight_scale(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  // expected-error @+1 {{cannot quantize node 'fc' (Gemm): quantized layer needs quantized weights (no weight_scale)}}
  %y = nn.dense %d {weight = dense<[[0.3, 0.1], [0.2, 0.4]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, onnx.node = "fc", onnx.op = "Gemm"} : tensor<1x2xf32> -> tensor<1x2xf32>
  %q2 = nn.quantize_linear %y {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  return %q2 : tensor<1x2xf32>
}

// -----

// DQ -> Q with a new scale and no layer in between: the identity
// requantization needs s_in / s_out < 2^24.
func.func @requant_no_layer(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x1x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x2x2xf32>
  %p = nn.avg_pool %d {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = false} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  // expected-error @+1 {{cannot quantize node 'q2' (QuantizeLinear): the requantization ratio s_in / s_out (50000000) is out of range}}
  %q2 = nn.quantize_linear %p {scale = array<f64: 1.0e-8>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64, onnx.node = "q2", onnx.op = "QuantizeLinear"} : tensor<1x1x1x1xf32>
  return %q2 : tensor<1x1x1x1xf32>
}

// -----

func.func @concat_quantizers(%x: tensor<1x2xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %y = nn.dense %d {weight = dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, weight_scale = array<f64: 1.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %q1 = nn.quantize_linear %y {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d1 = nn.dequantize_linear %q1 {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  // expected-error @+1 {{cannot quantize node 'cat' (Concat): its inputs have different quantizers and no per-tensor QuantizeLinear reads the concat to requantize them to}}
  %c = nn.concat %d, %d1 {axis = 1 : i64, onnx.node = "cat", onnx.op = "Concat"} : tensor<1x2xf32>, tensor<1x2xf32> -> tensor<1x4xf32>
  return %c : tensor<1x4xf32>
}

// -----

func.func @softmax_scale(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.1>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.1>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  // expected-error @+1 {{cannot quantize node 'sm' (Softmax): softmax needs a power-of-two output scale 2^-F with zero point 0 (its QuantizeLinear, or its input's), got input scale 0.1}}
  %s = nn.softmax %d {onnx.node = "sm", onnx.op = "Softmax"} : tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}

// -----

func.func @unsupported_op(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.1>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.1>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  // expected-error @+1 {{cannot quantize node 'sig' (Sigmoid): returned without a QuantizeLinear after it}}
  %s = nn.sigmoid %d {onnx.node = "sig", onnx.op = "Sigmoid"} : tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}

// -----

func.func @per_axis_inside(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5, 0.25>, zero_point = array<i64: 0, 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5, 0.25>, zero_point = array<i64: 0, 0>, axis = 1 : i64} : tensor<1x2xf32>
  // expected-error @+1 {{cannot quantize node 'fc' (nn.dense): per-axis activation scales are only supported at the graph ends}}
  %y = nn.dense %d {weight = dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, weight_scale = array<f64: 1.0>, onnx.node = "fc"} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @bipolar_after_relu(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %y = nn.dense %d {weight = dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, weight_scale = array<f64: 1.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %r = nn.relu %y : tensor<1x2xf32>
  // expected-error @+1 {{cannot quantize node 'bq' (BipolarQuant): a bipolar quantizer must directly follow a dense or conv layer}}
  %b = nn.quantize_linear %r {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -1 : i64, qmax = 1 : i64, bipolar, onnx.node = "bq", onnx.op = "BipolarQuant"} : tensor<1x2xf32>
  return %b : tensor<1x2xf32>
}

// -----

// A float input read directly by a dequantizer (not an integer input).
func.func @dequantize_float_input(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{cannot quantize node 'dq' (DequantizeLinear): its input is not a quantized activation}}
  %d = nn.dequantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, onnx.node = "dq", onnx.op = "DequantizeLinear"} : tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// -----

// A float op on the unquantized input of a QDQ graph.
func.func @float_island(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{cannot quantize node 't' (Tanh): not supported in a quantized graph (its input is not quantized)}}
  %t = nn.tanh %x {onnx.node = "t", onnx.op = "Tanh"} : tensor<1x2xf32>
  %q = nn.quantize_linear %t {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  return %q : tensor<1x2xf32>
}

// -----

// A layer output consumed by something other than Relu / Clip / its quantizer.
func.func @layer_then_float(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %y = nn.dense %d {weight = dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, weight_scale = array<f64: 1.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  // expected-error @+1 {{cannot quantize node 's' (Sigmoid): only Relu, Clip, reshapes or a QuantizeLinear may follow a quantized layer (put a QuantizeLinear / DequantizeLinear pair in between)}}
  %s = nn.sigmoid %y {onnx.node = "s", onnx.op = "Sigmoid"} : tensor<1x2xf32>
  %q2 = nn.quantize_linear %s {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  return %q2 : tensor<1x2xf32>
}

// -----

// A table function whose input codes span more than 2^16 values.
func.func @wide_table(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -100000 : i64, qmax = 100000 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  // expected-error @+1 {{cannot quantize node 't' (Tanh): its input codes span 200001 values, more than a 65536-entry table}}
  %t = nn.tanh %d {onnx.node = "t", onnx.op = "Tanh"} : tensor<1x2xf32>
  %q2 = nn.quantize_linear %t {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  return %q2 : tensor<1x2xf32>
}

// -----

// A QONNX Quant with FLOOR rounding after a layer: the requantization rounds
// half to even, so the mode is refused rather than ignored.
func.func @requant_floor(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %y = nn.dense %d {weight = dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, weight_scale = array<f64: 1.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  // expected-error @+1 {{cannot quantize node 'act' (Quant): requantizes with rounding 'floor', but Loom's requantization rounds half to even (QONNX ROUND); export this quantizer with rounding_mode ROUND}}
  %q2 = nn.quantize_linear %y {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64, rounding = "floor", onnx.node = "act", onnx.op = "Quant"} : tensor<1x2xf32>
  return %q2 : tensor<1x2xf32>
}
