// RUN: loom-opt %s --split-input-file --nn-normalize | FileCheck %s

// nn-normalize: per-channel Add / Mul constants that no conv absorbs become a
// 1x1 depthwise conv, and a BatchNormalization behind the reshape of a 1-D
// conv reaches the conv. Expected numbers worked out by hand per case.

// Input normalization (x - 0.5) / 2 on a graph input, written as Add -0.5 and
// Mul 0.5: the Add becomes a depthwise conv (w = 1, b = -0.5 per channel), the
// Mul then folds into it (w = 0.5, b = -0.25).
// CHECK-LABEL: func.func @input_normalization
// CHECK-NEXT: %[[C:.*]] = nn.conv %arg0 {bias = dense<-2.500000e-01> : tensor<2xf32>, dilations = array<i64: 1, 1>, group = 2 : i64, {{.*}}pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, weight = dense<5.000000e-01> : tensor<2x1x1x1xf32>}
// CHECK-NEXT: return %[[C]]
func.func @input_normalization(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %m = nn.constant dense<-0.5> : tensor<f32>
  %a = nn.add %x, %m : tensor<1x2x3x3xf32>, tensor<f32> -> tensor<1x2x3x3xf32>
  %s = nn.constant dense<0.5> : tensor<f32>
  %y = nn.mul %a, %s : tensor<1x2x3x3xf32>, tensor<f32> -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// A per-channel scale after max pooling (no conv to fold into): w = [3, -1].
// CHECK-LABEL: func.func @scale_after_pool
// CHECK: nn.max_pool
// CHECK-NEXT: %[[C:.*]] = nn.conv %{{.*}} {bias = dense<0.000000e+00> : tensor<2xf32>, {{.*}}group = 2 : i64, {{.*}}weight = dense<{{\[\[\[\[}}3.000000e+00]]], {{\[\[\[}}-1.000000e+00]]]]> : tensor<2x1x1x1xf32>}
// CHECK-NEXT: return %[[C]]
func.func @scale_after_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %p = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %k = nn.constant dense<[[[3.0]], [[-1.0]]]> : tensor<2x1x1xf32>
  %y = nn.mul %p, %k : tensor<1x2x2x2xf32>, tensor<2x1x1xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// A conv with two users keeps its own output; the Add behind it runs on its
// own depthwise conv (b = [1, 2]), the conv is unchanged.
// CHECK-LABEL: func.func @two_users
// CHECK-NEXT: %[[C:.*]] = nn.conv %arg0 {bias = dense<0.000000e+00> : tensor<2xf32>, {{.*}}group = 1 : i64
// CHECK-NEXT: %[[D:.*]] = nn.conv %[[C]] {bias = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>, {{.*}}group = 2 : i64, {{.*}}weight = dense<1.000000e+00> : tensor<2x1x1x1xf32>}
// CHECK-NEXT: return %[[C]], %[[D]]
func.func @two_users(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %c = nn.conv %x {weight = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>, bias = dense<0.0> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %k = nn.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %a = nn.add %c, %k : tensor<1x2x2x2xf32>, tensor<2x1x1xf32> -> tensor<1x2x2x2xf32>
  return %c, %a : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// A [2] constant broadcasts along W (ONNX aligns shapes on the right), not
// along the channels: no depthwise form, the Add stays.
// CHECK-LABEL: func.func @per_column
// CHECK: nn.add
func.func @per_column(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32> {
  %k = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %a = nn.add %x, %k : tensor<1x3x2x2xf32>, tensor<2xf32> -> tensor<1x3x2x2xf32>
  return %a : tensor<1x3x2x2xf32>
}

// -----

// A tensor that is not NCHW (rank 2) is left alone: no depthwise form.
// CHECK-LABEL: func.func @rank2
// CHECK-NEXT: nn.constant
// CHECK-NEXT: nn.mul
func.func @rank2(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %k = nn.constant dense<2.0> : tensor<f32>
  %y = nn.mul %x, %k : tensor<1x4xf32>, tensor<f32> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// 1-D conv (a 2-D conv between reshapes) + BatchNormalization over [N, C, L]:
// the batch norm moves above the reshape and folds: g = [0.5, 2],
// w = [2*0.5, 3*2] = [1, 6], b = (b - mean)*g + beta = [0, -1].
// CHECK-LABEL: func.func @conv1d_batch_norm
// CHECK: nn.reshape
// CHECK-NEXT: %[[C:.*]] = nn.conv %{{.*}} {bias = dense<[0.000000e+00, -1.000000e+00]> : tensor<2xf32>, {{.*}}weight = dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>}
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[C]]
// CHECK-NEXT: return %[[R]]
func.func @conv1d_batch_norm(%x: tensor<1x1x3xf32>) -> tensor<1x2x3xf32> {
  %r = nn.reshape %x : tensor<1x1x3xf32> -> tensor<1x1x1x3xf32>
  %c = nn.conv %r {weight = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>, bias = dense<[1.0, -1.0]> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x1x1x3xf32> -> tensor<1x2x1x3xf32>
  %o = nn.reshape %c : tensor<1x2x1x3xf32> -> tensor<1x2x3xf32>
  %bn = nn.batch_norm %o {scale = dense<[1.0, 2.0]> : tensor<2xf32>, bias = dense<[0.0, 1.0]> : tensor<2xf32>,
                          mean = dense<[1.0, 0.0]> : tensor<2xf32>, variance = dense<[3.0, 0.0]> : tensor<2xf32>,
                          epsilon = 1.0 : f32} : tensor<1x2x3xf32>
  return %bn : tensor<1x2x3xf32>
}

// -----

// A graph that carries its own quantization keeps its float arithmetic: the
// affine lowering reads AveragePool -> Mul(k*k) -> Trunc as it is, and a float
// conv without quantized weights could not be lowered there.
// CHECK-LABEL: func.func @quantized_graph_keeps_mul
// CHECK-NOT: nn.conv
// CHECK: nn.avg_pool
// CHECK-NEXT: nn.mul
// CHECK-NOT: nn.conv
func.func @quantized_graph_keeps_mul(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -8 : i64, qmax = 7 : i64} : tensor<1x1x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x2x2xf32>
  %p = nn.avg_pool %d {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = false} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  %k = nn.constant dense<4.0> : tensor<f32>
  %m = nn.mul %p, %k : tensor<1x1x1x1xf32>, tensor<f32> -> tensor<1x1x1x1xf32>
  return %m : tensor<1x1x1x1xf32>
}
