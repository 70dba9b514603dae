// RUN: loom-opt %s --nn-to-df | FileCheck %s
// RUN: loom-opt %s --nn-to-df --df-to-rtl | FileCheck %s --check-prefix=RTL

// A sum-and-shift pool (nn-quantize's lowering of a QONNX Trunc after an average
// pool, docs/CONTRACTS.md) keeps its divisor and rounding down to loom_pool's DIV
// and RND (3 = floor, numerics::Rounding order); a plain average pool emits no RND.
// CHECK-LABEL: func.func @trunc_pool()
// CHECK:      %[[W:.*]] = df.swg %{{.*}} {{{.*}}kernel = array<i64: 2, 2>{{.*}}onnx.node = "pool"
// CHECK-NEXT: df.pool %[[W]] {channels = 2 : i64, divisor = 4 : i64, folding = #df.folding<simd = 1, pe = 1>, mode = "avg", onnx.node = "pool", rounding = "floor", taps = 4 : i64}
// CHECK:      %[[W2:.*]] = df.swg %{{.*}} {{{.*}}kernel = array<i64: 1, 1>{{.*}}onnx.node = "t"
// CHECK-NEXT: df.pool %[[W2]] {channels = 2 : i64, divisor = 8 : i64, folding = #df.folding<simd = 1, pe = 1>, mode = "avg", onnx.node = "t", rounding = "half_up", taps = 1 : i64}
// RTL:      rtl.instance "pool" @loom_pool
// RTL-SAME: DIV = 4 : i64
// RTL-SAME: RND = 3 : i64
// RTL:      rtl.instance "t" @loom_pool
// RTL-SAME: DIV = 8 : i64
// RTL-SAME: RND = 1 : i64
func.func @trunc_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %q = nn.quantize %x {frac = 0 : i64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xi5>
  %p = nn.avg_pool %q {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = true, divisor = 4 : i64, rounding = "floor", onnx.node = "pool"} : tensor<1x2x4x4xi5> -> tensor<1x2x2x2xi5>
  %t = nn.avg_pool %p {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = true, divisor = 8 : i64, rounding = "half_up", onnx.node = "t"} : tensor<1x2x2x2xi5> -> tensor<1x2x2x2xi5>
  %y = nn.dequantize %t {frac = 0 : i64} : tensor<1x2x2x2xi5> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
