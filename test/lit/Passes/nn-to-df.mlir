// RUN: loom-opt %s --nn-to-df --split-input-file | FileCheck %s

// nn-to-df turns the quantized graph into one df actor per layer: the function
// loses its tensor signature, each quantized argument becomes a df.input and
// each dequantized result a df.output (named after the ONNX tensors, keeping
// the fixed-point scale as loom.frac), every qdense a df.mvu and every qsoftmax
// a df.softmax. Streams are flat, so reshapes vanish; every actor starts fully
// folded (simd = pe = 1, one lane per beat).
// Fused activations (relu, lut) are in nn-to-df-fused-act.mlir.

// CHECK-LABEL: func.func @mlp()
// CHECK-NEXT:    %[[IN:.*]] = df.input "image" {loom.frac = 10 : i64} : <i16, 1, [4]>
// CHECK-NEXT:    %[[M0:.*]] = df.mvu %[[IN]] {acc_width = 25 : i64, act = #df.act<none>, bias = dense<[1, 2, 3]> : tensor<3xi64>, folding = #df.folding<simd = 1, pe = 1>, onnx.node = "fc0", onnx.op = "Gemm", shift = 10 : i64, weight = dense<{{\[}}[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]> : tensor<3x4xi16>} : <i16, 1, [4]> -> <i16, 1, [3]>
// CHECK-NEXT:    %[[M1:.*]] = df.mvu %[[M0]] {acc_width = 20 : i64, act = #df.act<none>, bias = dense<0> : tensor<2xi64>, folding = #df.folding<simd = 1, pe = 1>, onnx.node = "fc1", shift = 9 : i64, weight = dense<1> : tensor<2x3xi16>} : <i16, 1, [3]> -> <i16, 1, [2]>
// CHECK-NEXT:    %[[SM:.*]] = df.softmax %[[M1]] {exp_frac = 15 : i64, exp_shift = 4 : i64, exp_table = dense<[32768, 16384]> : tensor<2xi17>, frac = 10 : i64, onnx.node = "sm", onnx.op = "Softmax"} : <i16, 1, [2]> -> <i16, 1, [2]>
// CHECK-NEXT:    df.output %[[SM]], "probs" {loom.frac = 10 : i64} : <i16, 1, [2]>
// CHECK-NEXT:    return
// CHECK-NEXT:  }
// CHECK-NOT:   nn.
func.func @mlp(%x: tensor<1x4xf32> {onnx.name = "image"}) -> (tensor<1x2xf32> {onnx.name = "probs"}) {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  %r = nn.reshape %q : tensor<1x4xi16> -> tensor<4xi16>
  %r2 = nn.reshape %r : tensor<4xi16> -> tensor<1x4xi16>
  %d0 = nn.qdense %r2 {weight = dense<[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]> : tensor<3x4xi16>,
                       bias = dense<[1, 2, 3]> : tensor<3xi64>, shift = 10 : i64, acc_width = 25 : i64,
                       onnx.node = "fc0", onnx.op = "Gemm"} : tensor<1x4xi16> -> tensor<1x3xi16>
  %d1 = nn.qdense %d0 {weight = dense<1> : tensor<2x3xi16>, bias = dense<0> : tensor<2xi64>,
                       shift = 9 : i64, acc_width = 20 : i64, onnx.node = "fc1"} : tensor<1x3xi16> -> tensor<1x2xi16>
  %s = nn.qsoftmax %d1 {frac = 10 : i64, exp_shift = 4 : i64, exp_frac = 15 : i64,
                        exp_table = dense<[32768, 16384]> : tensor<2xi17>, onnx.node = "sm", onnx.op = "Softmax"} : tensor<1x2xi16>
  %y = nn.dequantize %s {frac = 10 : i64} : tensor<1x2xi16> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Unnamed ends get the default names; a multi-dimensional tensor becomes a
// flat frame of all its elements; a graph with no layer still gets a hardware
// path from input to output: a df.skid (loom_skid) between them.
// CHECK-LABEL: func.func @passthrough()
// CHECK-NEXT:    %[[IN:.*]] = df.input "input" {loom.frac = 5 : i64} : <i8, 1, [12]>
// CHECK-NEXT:    %[[S:.*]] = df.skid %[[IN]] : <i8, 1, [12]>
// CHECK-NEXT:    df.output %[[S]], "output" {loom.frac = 5 : i64} : <i8, 1, [12]>
func.func @passthrough(%x: tensor<1x3x4xf32>) -> tensor<1x12xf32> {
  %q = nn.quantize %x {frac = 5 : i64} : tensor<1x3x4xf32> -> tensor<1x3x4xi8>
  %r = nn.reshape %q : tensor<1x3x4xi8> -> tensor<1x12xi8>
  %y = nn.dequantize %r {frac = 5 : i64} : tensor<1x12xi8> -> tensor<1x12xf32>
  return %y : tensor<1x12xf32>
}
