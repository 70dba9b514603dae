// RUN: loom-opt %s --nn-insert-quant --split-input-file --verify-diagnostics

// What --precision int8 refuses: one error naming the ONNX op and node.

func.func @leaky(%x: tensor<1x2xf32> {loom.calib = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  // expected-error @+1 {{--precision int8: op LeakyRelu (act) is not supported; use --precision fixed<W,I>}}
  %s = nn.leaky_relu %x {alpha = 0.1 : f64, onnx.node = "act", onnx.op = "LeakyRelu", loom.calib = array<f64: -0.1, 1.0>} : tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}

// -----

func.func @already_quantized(%x: tensor<1x2xf32> {loom.calib = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  // expected-error @+1 {{--precision int8: the model is already quantized (node q); compile it without --precision}}
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64, onnx.node = "q"} : tensor<1x2xf32>
  return %q : tensor<1x2xf32>
}

// -----

func.func @no_range(%x: tensor<1x2xf32> {loom.calib = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  // expected-error @+1 {{--precision int8: no calibration range (loom.calib) for fc; the driver attaches them}}
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, onnx.node = "fc"} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// -----

// --runtime-weights: a weight beyond +-127 steps of the scale the architecture fixes.
func.func @beyond_fixed_scale(%x: tensor<1x2xf32> {loom.calib = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  // expected-error @+1 {{--runtime-weights: the weight tensor of node 'fc' has range [-2.000000e+00, 1.000000e+00] in output channel 1, outside the int8 scale the architecture fixes (+-127 x 1.000000e-02 = +-1.270000e+00); compile this model on its own}}
  %d = nn.dense %x {weight = dense<[[1.0, 0.5], [-2.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, onnx.node = "fc", loom.calib = array<f64: -2.0, 2.0>, loom.rt_weight_scale = array<f64: 0.01, 0.01>} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}
