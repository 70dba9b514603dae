// RUN: loom-opt %s --split-input-file --nn-quantize="precision=fixed<8,4>" | FileCheck %s
// (a graph with its own quantizers takes the affine lowering whatever `precision` says)

// nn.embed -> host nn.quantize of the token ids + nn.qembed (docs/CONTRACTS.md
// "Embedding"), values by hand. The ids (loom.index_range [0, 2]) stay integers
// in an unsigned word of ceil(log2 3) = 2 bits, marked loom.index.
// Fixed point fixed<8,4>, s = 2^-4: both tables round(v * 16) saturated to 8 bits:
//   table 0.5 -> 8, -0.25 -> -4, 1.0 -> 16, 9.0 -> 144 -> 127, -0.03125 -> -0.5 -> 0
//         (half to even), 0.09375 -> 1.5 -> 2
//   pos   0.0625 -> 1, 0 -> 0, -8.5 -> -136 -> -128, 0.5 -> 8; clamp [-128, 127]
// CHECK-LABEL: func.func @fixed
// CHECK:      %[[IDS:.*]] = nn.quantize %arg0 {axis = 0 : i64, frac = 0 : i64, integer_input, loom.index, qmax = 2 : i64, qmin = 0 : i64, scale = array<f64: 1.000000e+00>, zero_point = array<i64: 0>} : tensor<1x2xf32> -> tensor<1x2xi2>
// CHECK-NEXT: %[[E:.*]] = nn.qembed %[[IDS]] {hi = 127 : i64, lo = -128 : i64, onnx.node = "emb", pos = dense<{{\[\[}}1, 0], [-128, 8]]> : tensor<2x2xi8>, table = dense<{{\[\[}}8, -4], [16, 127], [0, 2]]> : tensor<3x2xi8>} : tensor<1x2xi2> -> tensor<1x2x2xi8>
// CHECK-NEXT: nn.dequantize %[[E]] {frac = 4 : i64}
func.func @fixed(%ids: tensor<1x2xf32> {loom.index_range = array<i64: 0, 2>}) -> tensor<1x2x2xf32> {
  %y = nn.embed %ids {table = dense<[[0.5, -0.25], [1.0, 9.0], [-0.03125, 0.09375]]> : tensor<3x2xf32>,
                      pos = dense<[[0.0625, 0.0], [-8.5, 0.5]]> : tensor<2x2xf32>, onnx.node = "emb"}
       : tensor<1x2xf32> -> tensor<1x2x2xf32>
  return %y : tensor<1x2x2xf32>
}

// -----

// Affine: embed -> Relu -> uint8 scale 0.25 zp 10. W_A = 9 (codes [-10, 245]);
// tables round(v / 0.25) saturated to 9 bits:
//   table 0.5 -> 2, -0.25 -> -1, 1.0 -> 4, 90 -> 360 -> 255, -0.125 -> -0.5 -> 0, 0.375 -> 2
//   pos   0.25 -> 1, 0 -> 0, -70 -> -280 -> -256, 0.5 -> 2
// and the Relu raises the quantizer's [-10, 245] to the clamp [0, 245].
// CHECK-LABEL: func.func @affine_relu
// CHECK:      nn.qembed %{{.*}} {hi = 245 : i64, lo = 0 : i64, onnx.node = "emb", pos = dense<{{\[\[}}1, 0], [-256, 2]]> : tensor<2x2xi9>, table = dense<{{\[\[}}2, -1], [4, 255], [0, 2]]> : tensor<3x2xi9>} : tensor<1x2xi2> -> tensor<1x2x2xi9>
// CHECK-NOT: nn.clip
func.func @affine_relu(%ids: tensor<1x2xf32> {loom.index_range = array<i64: 0, 2>}) -> tensor<1x2x2xf32> {
  %y = nn.embed %ids {table = dense<[[0.5, -0.25], [1.0, 90.0], [-0.125, 0.375]]> : tensor<3x2xf32>,
                      pos = dense<[[0.25, 0.0], [-70.0, 0.5]]> : tensor<2x2xf32>, onnx.node = "emb"}
       : tensor<1x2xf32> -> tensor<1x2x2xf32>
  %r = nn.relu %y : tensor<1x2x2xf32>
  %q = nn.quantize_linear %r {scale = array<f64: 0.25>, zero_point = array<i64: 10>, axis = 1 : i64, qmin = 0 : i64, qmax = 255 : i64} : tensor<1x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.25>, zero_point = array<i64: 10>, axis = 1 : i64} : tensor<1x2x2xf32>
  return %d : tensor<1x2x2xf32>
}

// -----

// Token ids through a reshape keep their 2-bit word; no position table.
// CHECK-LABEL: func.func @reshaped_ids
// CHECK:      nn.reshape %{{.*}} : tensor<1x3xi2> -> tensor<3xi2>
// CHECK:      nn.qembed %{{.*}} {hi = 127 : i64, lo = -128 : i64, table = dense<{{\[\[}}16], [-16], [0]]> : tensor<3x1xi8>} : tensor<3xi2> -> tensor<3x1xi8>
func.func @reshaped_ids(%ids: tensor<1x3xf32> {loom.index_range = array<i64: 0, 2>}) -> tensor<3x1xf32> {
  %r = nn.reshape %ids : tensor<1x3xf32> -> tensor<3xf32>
  %y = nn.embed %r {table = dense<[[1.0], [-1.0], [0.0]]> : tensor<3x1xf32>} : tensor<3xf32> -> tensor<3x1xf32>
  return %y : tensor<3x1xf32>
}
