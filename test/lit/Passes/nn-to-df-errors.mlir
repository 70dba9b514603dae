// RUN: loom-opt %s --nn-to-df --split-input-file --verify-diagnostics

// Unsupported constructs are reported on the op, naming the ONNX node and op
// type (or "?" and the nn op when the importer gave none) and what to do.

func.func @no_actor(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  // expected-error @+1 {{node 'drop' (Dropout): has no hardware actor yet; supported after quantization: dense, conv (incl. depthwise), max/average pooling, zero padding, nearest resize, residual add, channel concat, relu, clip, leaky relu, sign, table activations (sigmoid, tanh, elu, ...), softmax, layernorm, embedding, attention, reshape, transpose}}
  %i = nn.identity %q {onnx.node = "drop", onnx.op = "Dropout"} : tensor<1x4xi16>
  %y = nn.dequantize %i {frac = 10 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @no_actor_unnamed(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  // expected-error @+1 {{node '?' (nn.identity): has no hardware actor yet}}
  %i = nn.identity %q : tensor<1x4xi16>
  %y = nn.dequantize %i {frac = 10 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// A lone activation (no layer to absorb it) is its own actor, a 1x1 dwu
// (nn-to-df-activations.mlir); only per-channel slopes on a stream whose
// channels are not innermost are refused.
func.func @lone_prelu(%x: tensor<1x2x3xf32>) -> tensor<1x2x3xf32> {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x2x3xf32> -> tensor<1x2x3xi16>
  // expected-error @+1 {{node 'r' (PRelu): per-channel slopes need a channels-last feature map or a [rows, channels] matrix in row order as input}}
  %r = nn.leaky_relu %q {alpha = 0.0 : f64, alphas = array<f64: 0.5, 0.25>, mults = array<i64: 16384, 8192>, shift = 15 : i64, onnx.node = "r", onnx.op = "PRelu"} : tensor<1x2x3xi16>
  %y = nn.dequantize %r {frac = 10 : i64} : tensor<1x2x3xi16> -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}

// -----

// A float layer left in the graph (nn-quantize was not run on it).
func.func @float_layer(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{node 'fc' (Gemm): its input is not a hardware stream}}
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x4xf32>, bias = dense<0.0> : tensor<2xf32>,
                    onnx.node = "fc", onnx.op = "Gemm"} : tensor<1x4xf32> -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// -----

// Only graph arguments may be quantized (here: a constant).
func.func @inner_quantize() -> tensor<1x4xf32> {
  %e = nn.constant dense<1.0> : tensor<1x4xf32>
  // expected-error @+1 {{node '?' (nn.quantize): quantization inside the graph is not supported}}
  %q = nn.quantize %e {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  %y = nn.dequantize %q {frac = 10 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @float_output(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{graph output 0 is not produced by hardware}}
  return %x : tensor<1x4xf32>
}

// -----

// A transpose that moves data between two convs: the second conv's stream is
// not channels-last, and the error names the transpose too. (At the graph
// input the same transpose is the host's: nn-to-df-conv.mlir.)
func.func @transposed_conv_input(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %q = nn.quantize %x {frac = 5 : i64} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xi8>
  %c0 = nn.qconv %q {weight = dense<1> : tensor<2x2x1x1xi8>, bias = dense<0> : tensor<2xi64>, strides = array<i64: 1, 1>,
                     dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, shift = 5 : i64,
                     acc_width = 16 : i64, onnx.node = "c0", onnx.op = "Conv"} : tensor<1x2x2x2xi8> -> tensor<1x2x2x2xi8>
  %t = nn.transpose %c0 {perm = array<i64: 0, 1, 3, 2>, onnx.node = "t", onnx.op = "DepthToSpace"} : tensor<1x2x2x2xi8> -> tensor<1x2x2x2xi8>
  // expected-error @+1 {{node 'c' (Conv): its input is not in channels-last stream order: node 't' (DepthToSpace) moves data between layers, and Loom absorbs such permutations only at the graph's input and output (move it to a graph end, or do it on the host)}}
  %c = nn.qconv %t {weight = dense<1> : tensor<2x2x1x1xi8>, bias = dense<0> : tensor<2xi64>, strides = array<i64: 1, 1>,
                    dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, shift = 5 : i64,
                    acc_width = 16 : i64, onnx.node = "c", onnx.op = "Conv"} : tensor<1x2x2x2xi8> -> tensor<1x2x2x2xi8>
  %y = nn.dequantize %c {frac = 5 : i64} : tensor<1x2x2x2xi8> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// A graph input nothing reads would be a port that does nothing.
// expected-error @+1 {{graph input 'unused' is not used by the graph; remove it from the model}}
func.func @unused_input(%x: tensor<1x4xf32> {onnx.name = "x"}, %u: tensor<1x4xf32> {onnx.name = "unused"}) -> tensor<1x4xf32> {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  %y = nn.dequantize %q {frac = 10 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
