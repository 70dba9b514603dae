// RUN: loom-opt %s --split-input-file --nn-normalize | FileCheck %s

// Folding into a layer with quantized weights (weight_scale) keeps every
// weight an integer multiple of its row's scale: the scale of row o becomes
// weight_scale * |g[o]| and a negative g[o] negates the row's integers.
// Numbers by hand.

// conv weights = 0.5 * [2, -3] (integers 2, -3 at scale 0.5, one value for
// both rows). BatchNorm g = scale / sqrt(var + eps) = [1/sqrt(3+1), -2/sqrt(0+1)]
// = [0.5, -2]: weights [1 * 0.5, -1.5 * -2] = [0.5, 3], i.e. the integers 2 and
// 3 (the second row negated) at weight_scale [0.5 * 0.5, 0.5 * 2] = [0.25, 1].
// CHECK-LABEL: func.func @bn_negative_scale
// CHECK-NEXT: %[[C:.*]] = nn.conv %arg0 {{.*}}weight = dense<{{\[\[\[\[}}5.000000e-01]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>, weight_scale = array<f64: 2.500000e-01, 1.000000e+00>}
// CHECK-NEXT: return %[[C]]
func.func @bn_negative_scale(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %c = nn.conv %x {weight = dense<[[[[1.0]]], [[[-1.5]]]]> : tensor<2x1x1x1xf32>, bias = dense<[1.0, -1.0]> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64,
                   weight_scale = array<f64: 0.5>}
       : tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %b = nn.batch_norm %c {scale = dense<[1.0, -2.0]> : tensor<2xf32>, bias = dense<[0.0, 1.0]> : tensor<2xf32>,
                         mean = dense<[1.0, 0.0]> : tensor<2xf32>, variance = dense<[3.0, 0.0]> : tensor<2xf32>,
                         epsilon = 1.0 : f32} : tensor<1x2x2x2xf32>
  return %b : tensor<1x2x2x2xf32>
}

// -----

// dense weights at per-row scales [0.5, 0.25]; * [-4, 2] per feature:
// weight_scale [2, 0.5].
// CHECK-LABEL: func.func @dense_mul
// CHECK-NEXT: %[[D:.*]] = nn.dense %arg0 {{.*}}weight_scale = array<f64: 2.000000e+00, 5.000000e-01>}
// CHECK-NEXT: return %[[D]]
func.func @dense_mul(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %d = nn.dense %x {weight = dense<[[0.5, 1.0], [0.25, -0.5]]> : tensor<2x2xf32>, bias = dense<[0.0, 0.0]> : tensor<2xf32>,
                    weight_scale = array<f64: 0.5, 0.25>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %k = nn.constant dense<[-4.0, 2.0]> : tensor<2xf32>
  %m = nn.mul %d, %k : tensor<1x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
  return %m : tensor<1x2xf32>
}
