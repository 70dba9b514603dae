// RUN: loom-opt %s --nn-quantize --mlir-print-elementsattrs-with-hex-if-larger=-1 | FileCheck %s

// Softmax as ONNX Runtime quantizes it: logits at any scale (here 0.1, zp 3),
// probabilities at 1/256 with zp 0 (uint8). By hand:
//   codes: logits int8 zp 3 -> [-131, 124]; probs uint8 zp 0 -> [0, 255]: W_A = 9
//   output frac F = -log2(1/256) = 8
//   exp table for scale 0.1: d codes in [0, ceil(16 / 0.1) - 1] = [0, 159]
//   (below 2^9 - 1), 160 entries <= 1024 -> exp_shift 0;
//   EXP[0] = 2^15 = 32768, EXP[1] = round(exp(-0.1) * 2^15) = round(29649.6) = 29650
//   the following quantize_linear has the softmax's own scale and its range
//   [0, 255] already holds every code (at most 2^8 saturated to 9 bits = 255):
//   nothing is emitted for it
// CHECK-LABEL: func.func @ort_softmax
// CHECK:      %[[S:.*]] = nn.qsoftmax %{{.*}} {exp_frac = 15 : i64, exp_shift = 0 : i64, exp_table = dense<[32768, 29650, {{.*}}]> : tensor<160xi17>, frac = 8 : i64, onnx.node = "sm"} : tensor<1x4xi9>
// CHECK-NEXT: nn.dequantize %[[S]] {{.*}}scale = array<f64: 3.906250e-03>, zero_point = array<i64: 0>}
func.func @ort_softmax(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.1>, zero_point = array<i64: 3>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.1>, zero_point = array<i64: 3>, axis = 1 : i64} : tensor<1x4xf32>
  %s = nn.softmax %d {onnx.node = "sm"} : tensor<1x4xf32>
  %q2 = nn.quantize_linear %s {scale = array<f64: 0.00390625>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = 0 : i64, qmax = 255 : i64} : tensor<1x4xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 0.00390625>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  return %d2 : tensor<1x4xf32>
}
