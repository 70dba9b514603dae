// RUN: loom-opt %s --nn-quantize | FileCheck %s

// QONNX Trunc in nn-quantize (docs/CONTRACTS.md "Affine integer graphs", Trunc):
// Brevitas' AveragePool -> Mul(k*k) -> Trunc becomes one integer sum-and-shift
// pool; a Trunc on its own a 1x1 one. Numbers derived by hand from the rules.

// 4-bit unsigned codes [0, 15] (W_A = 5), 2x2 pool, Trunc v1 6 -> 4 bits FLOOR:
// y = floor(sum / 4), sums [0, 60] -> [0, 15]; the output keeps scale 0.25.
// CHECK-LABEL: func.func @trunc_pool
// CHECK:      %[[Q:.*]] = nn.quantize %arg0 {{.*}} -> tensor<1x2x4x4xi5>
// CHECK-NEXT: %[[P:.*]] = nn.avg_pool %[[Q]] {count_include_pad = true, divisor = 4 : i64, kernel = array<i64: 2, 2>, onnx.node = "pool", pads = array<i64: 0, 0, 0, 0>, rounding = "floor", strides = array<i64: 2, 2>} : tensor<1x2x4x4xi5> -> tensor<1x2x2x2xi5>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[P]] {axis = 0 : i64, frac = 0 : i64, scale = array<f64: 2.500000e-01>, zero_point = array<i64: 0>} : tensor<1x2x2x2xi5> -> tensor<1x2x2x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @trunc_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = 0 : i64, qmax = 15 : i64} : tensor<1x2x4x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2x4x4xf32>
  %p = nn.avg_pool %d {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = false, onnx.node = "pool"} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %k = nn.constant dense<4.0> : tensor<f32>
  %m = nn.mul %p, %k : tensor<1x2x2x2xf32>, tensor<f32> -> tensor<1x2x2x2xf32>
  %t = nn.trunc %m {scale = 0.25 : f64, shift = 2 : i64, qmin = -9007199254740992 : i64, qmax = 9007199254740992 : i64, rounding = "floor", out_scale = 0.25 : f64} : tensor<1x2x2x2xf32>
  return %t : tensor<1x2x2x2xf32>
}

// 5-bit signed codes [-16, 15] with zero point 0, 3x3 pool, Mul by 9, Trunc v2: shift log2(2 / 0.125) = 4, half to even,
// range [-16, 15] (half to even is the default, not printed): sums [-144, 135] -> [-9, 8] (no clip); output scale 2.
// CHECK-LABEL: func.func @trunc_pool3
// CHECK:      %[[P:.*]] = nn.avg_pool %{{.*}} {count_include_pad = true, divisor = 16 : i64, kernel = array<i64: 3, 3>, onnx.node = "pool3", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 3, 3>} : tensor<1x1x3x3xi5> -> tensor<1x1x1x1xi5>
// CHECK-NEXT: nn.dequantize %[[P]] {{.*}}scale = array<f64: 2.000000e+00>
func.func @trunc_pool3(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.125>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -16 : i64, qmax = 15 : i64} : tensor<1x1x3x3xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.125>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x3x3xf32>
  %p = nn.avg_pool %d {kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = false, onnx.node = "pool3"} : tensor<1x1x3x3xf32> -> tensor<1x1x1x1xf32>
  %k = nn.constant dense<9.0> : tensor<f32>
  %m = nn.mul %p, %k : tensor<1x1x1x1xf32>, tensor<f32> -> tensor<1x1x1x1xf32>
  %t = nn.trunc %m {scale = 0.125 : f64, shift = 4 : i64, qmin = -16 : i64, qmax = 15 : i64, rounding = "half_even", out_scale = 2.0 : f64} : tensor<1x1x1x1xf32>
  return %t : tensor<1x1x1x1xf32>
}

// A Trunc on its own: int8 codes [-128, 127] shifted by 3 with ties away from zero,
// [-16, 16], as a 1x1 pool with divisor 8 (W_A stays 8).
// CHECK-LABEL: func.func @trunc_alone
// CHECK:      %[[Q:.*]] = nn.quantize %arg0 {{.*}} -> tensor<1x2x2x2xi8>
// CHECK-NEXT: %[[P:.*]] = nn.avg_pool %[[Q]] {count_include_pad = true, divisor = 8 : i64, kernel = array<i64: 1, 1>, onnx.node = "t", onnx.op = "Trunc", pads = array<i64: 0, 0, 0, 0>, rounding = "half_up", strides = array<i64: 1, 1>} : tensor<1x2x2x2xi8> -> tensor<1x2x2x2xi8>
// CHECK-NEXT: nn.dequantize %[[P]] {{.*}}scale = array<f64: 6.250000e-02>
func.func @trunc_alone(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.0625>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.0625>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2x2x2xf32>
  %t = nn.trunc %d {scale = 0.0625 : f64, shift = 3 : i64, qmin = -9007199254740992 : i64, qmax = 9007199254740992 : i64, rounding = "half_up", out_scale = 0.0625 : f64, onnx.node = "t", onnx.op = "Trunc"} : tensor<1x2x2x2xf32>
  return %t : tensor<1x2x2x2xf32>
}
