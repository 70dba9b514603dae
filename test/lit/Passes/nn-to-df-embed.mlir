// RUN: loom-opt %s --split-input-file --verify-diagnostics --nn-to-df | FileCheck %s

// nn.qembed becomes one df.embed actor fed by the token-id input (one id per
// beat, the input's own 2-bit word); vocab, channels and positions come from the
// table and the ids, the tables and the clamp are copied as they are.
// CHECK-LABEL: func.func @ids()
// CHECK:      %[[IN:.*]] = df.input "input_ids" {loom.frac = 0 : i64} : <i2, 1, [2]>
// CHECK-NEXT: %[[E:.*]] = df.embed %[[IN]] {channels = 2 : i64, hi = 245 : i64, lo = 0 : i64, onnx.node = "emb", pos = dense<{{\[\[}}1, 0], [-256, 2]]> : tensor<2x2xi9>, positions = 2 : i64, table = dense<{{\[\[}}2, -1], [4, 255], [0, 2]]> : tensor<3x2xi9>, vocab = 3 : i64} : <i2, 1, [2]> -> <i9, 1, [4]>
// CHECK-NEXT: df.output %[[E]], "y"
func.func @ids(%x: tensor<1x2xf32> {onnx.name = "input_ids"}) -> (tensor<1x2x2xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {axis = 0 : i64, frac = 0 : i64, integer_input, loom.index, qmax = 2 : i64, qmin = 0 : i64,
                       scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<1x2xf32> -> tensor<1x2xi2>
  %e = nn.qembed %q {hi = 245 : i64, lo = 0 : i64, onnx.node = "emb", pos = dense<[[1, 0], [-256, 2]]> : tensor<2x2xi9>,
                     table = dense<[[2, -1], [4, 255], [0, 2]]> : tensor<3x2xi9>} : tensor<1x2xi2> -> tensor<1x2x2xi9>
  %d = nn.dequantize %e {axis = 1 : i64, frac = 0 : i64, scale = array<f64: 0.25>, zero_point = array<i64: 10>}
       : tensor<1x2x2xi9> -> tensor<1x2x2xf32>
  return %d : tensor<1x2x2xf32>
}

// -----

// Ids that reach the embedding transposed are refused, naming the node.
func.func @transposed(%x: tensor<2x3xf32> {onnx.name = "input_ids"}) -> (tensor<3x2x1xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {axis = 0 : i64, frac = 0 : i64, integer_input, loom.index, qmax = 2 : i64, qmin = 0 : i64,
                       scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<2x3xf32> -> tensor<2x3xi2>
  %t = nn.transpose %q {perm = array<i64: 1, 0>} : tensor<2x3xi2> -> tensor<3x2xi2>
  // expected-error @+1 {{node 'emb' (Gather): its token ids are not streamed in order}}
  %e = nn.qembed %t {hi = 127 : i64, lo = -128 : i64, onnx.node = "emb", onnx.op = "Gather",
                     table = dense<[[2], [4], [0]]> : tensor<3x1xi8>} : tensor<3x2xi2> -> tensor<3x2x1xi8>
  %d = nn.dequantize %e {frac = 0 : i64} : tensor<3x2x1xi8> -> tensor<3x2x1xf32>
  return %d : tensor<3x2x1xf32>
}
