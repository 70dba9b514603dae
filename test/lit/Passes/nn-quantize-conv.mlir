// RUN: loom-opt %s --mlir-print-elementsattrs-with-hex-if-larger=-1 --nn-quantize="precision=fixed<16,6>" | FileCheck %s

// nn-quantize on a conv (default fixed<16,6>, F = 10), by hand:
//   wq = rne([0.5, -1.5] * 2^10) = [512, -1536]      (OIHW shape kept)
//   bq = rne([0.1f, -0.3f] * 2^20) = [104858, -314573]
//   shift = Fi + Fw - Fout = 10
//   acc_width: one weight per output channel (K = IC/group*KH*KW = 1);
//     max(512 * 2^15 + 104858, 1536 * 2^15 + 314573) = 50646221 < 2^26 -> 27 bits
// Strides, dilations, pads and group are copied; pooling works on codes.

// CHECK-LABEL: func.func @conv
// CHECK: %[[Q:.*]] = nn.quantize %arg0 {frac = 10 : i64} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xi16>
// CHECK-NEXT: %[[C:.*]] = nn.qconv %[[Q]] {acc_width = 27 : i64, bias = dense<[104858, -314573]> : tensor<2xi64>, dilations = array<i64: 1, 1>, group = 1 : i64, onnx.node = "c", onnx.op = "Conv", pads = array<i64: 0, 0, 0, 0>, shift = 10 : i64, strides = array<i64: 1, 1>, weight = dense<{{\[\[\[\[}}512]]], {{\[\[\[}}-1536]]]]> : tensor<2x1x1x1xi16>} : tensor<1x1x2x2xi16> -> tensor<1x2x2x2xi16>
// CHECK-NEXT: %[[R:.*]] = nn.relu %[[C]] : tensor<1x2x2x2xi16>
// CHECK-NEXT: %[[P:.*]] = nn.max_pool %[[R]] {{.*}} : tensor<1x2x2x2xi16> -> tensor<1x2x1x1xi16>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[P]] {frac = 10 : i64} : tensor<1x2x1x1xi16> -> tensor<1x2x1x1xf32>
// CHECK-NEXT: return %[[Y]]
func.func @conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x1x1xf32> {
  %c = nn.conv %x {weight = dense<[[[[0.5]]], [[[-1.5]]]]> : tensor<2x1x1x1xf32>, bias = dense<[0.1, -0.3]> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64,
                   onnx.node = "c", onnx.op = "Conv"} : tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %r = nn.relu %c : tensor<1x2x2x2xf32>
  %p = nn.max_pool %r {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                       pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x2x2xf32> -> tensor<1x2x1x1xf32>
  return %p : tensor<1x2x1x1xf32>
}
