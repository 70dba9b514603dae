// RUN: loom-opt %s --nn-to-df --split-input-file --verify-diagnostics

// Unsupported constructs are reported on the op, naming the ONNX node and op
// type (or "?" and the nn op when the importer gave none) and what to do.

func.func @no_actor(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  // expected-error @+1 {{node 'drop' (Dropout): has no hardware actor yet; supported after quantization: dense, relu, sigmoid, tanh, softmax, reshape}}
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

func.func @lone_activation(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  // expected-error @+1 {{node 'r' (Relu): an activation must directly follow a dense layer (Gemm/MatMul) whose only user it is}}
  %r = nn.relu %q {onnx.node = "r", onnx.op = "Relu"} : tensor<1x4xi16>
  %y = nn.dequantize %r {frac = 10 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
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
