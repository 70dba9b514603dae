// RUN: loom-opt %s --split-input-file --nn-normalize | FileCheck %s

// nn-normalize on convolutions: per-output-channel Add / Mul constants and a
// BatchNormalization fold into the conv's bias and weights; a zero Pad folds
// into the conv's pads. Expected numbers worked out by hand (shown per case).

// conv: w = [2, 3] (2 output channels, 1x1, one input channel), b = [1, -1].
// + [0.5, 0.25] per channel: b = [1.5, -0.75].
// * [2, 4] per channel:      w = [4, 12], b = [3, -3].
// CHECK-LABEL: func.func @add_mul
// CHECK-NEXT: %[[C:.*]] = nn.conv %arg0 {bias = dense<[3.000000e+00, -3.000000e+00]> : tensor<2xf32>, {{.*}}weight = dense<{{\[\[\[\[}}4.000000e+00]]], {{\[\[\[}}1.200000e+01]]]]> : tensor<2x1x1x1xf32>}
// CHECK-NEXT: return %[[C]]
func.func @add_mul(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %c = nn.conv %x {weight = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>, bias = dense<[1.0, -1.0]> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %k0 = nn.constant dense<[[[[0.5]], [[0.25]]]]> : tensor<1x2x1x1xf32>
  %a = nn.add %c, %k0 : tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32> -> tensor<1x2x2x2xf32>
  %k1 = nn.constant dense<[[[2.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %m = nn.mul %k1, %a : tensor<2x1x1xf32>, tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  return %m : tensor<1x2x2x2xf32>
}

// -----

// BatchNorm: g = scale / sqrt(var + eps) = [1/sqrt(3+1), 2/sqrt(0+1)] = [0.5, 2];
// w = [2*0.5, 3*2] = [1, 6]; b = (b - mean)*g + beta = [(1-1)*0.5 + 0, (-1-0)*2 + 1] = [0, -1].
// CHECK-LABEL: func.func @batch_norm
// CHECK-NEXT: %[[C:.*]] = nn.conv %arg0 {bias = dense<[0.000000e+00, -1.000000e+00]> : tensor<2xf32>, {{.*}}weight = dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32>}
// CHECK-NEXT: return %[[C]]
func.func @batch_norm(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %c = nn.conv %x {weight = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>, bias = dense<[1.0, -1.0]> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %bn = nn.batch_norm %c {scale = dense<[1.0, 2.0]> : tensor<2xf32>, bias = dense<[0.0, 1.0]> : tensor<2xf32>,
                          mean = dense<[1.0, 0.0]> : tensor<2xf32>, variance = dense<[3.0, 0.0]> : tensor<2xf32>,
                          epsilon = 1.0 : f32} : tensor<1x2x2x2xf32>
  return %bn : tensor<1x2x2x2xf32>
}

// -----

// A [2] constant broadcasts along W (ONNX right-aligned broadcasting), not
// along the channels: it is not a bias and must stay.
// CHECK-LABEL: func.func @not_per_channel
// CHECK: nn.conv
// CHECK-SAME: bias = dense<[1.000000e+00, -1.000000e+00]>
// CHECK: nn.add
func.func @not_per_channel(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %c = nn.conv %x {weight = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>, bias = dense<[1.0, -1.0]> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %k = nn.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %a = nn.add %c, %k : tensor<1x2x2x2xf32>, tensor<2xf32> -> tensor<1x2x2x2xf32>
  return %a : tensor<1x2x2x2xf32>
}

// -----

// Pad [top 1, left 0, bottom 0, right 1] + conv pads [0, 1, 1, 0] = [1, 1, 1, 1],
// and the conv reads the unpadded input.
// CHECK-LABEL: func.func @pad_into_conv
// CHECK-NOT: nn.pad
// CHECK: nn.conv %arg0 {{{.*}}pads = array<i64: 1, 1, 1, 1>{{.*}}} : tensor<1x1x3x3xf32> -> tensor<1x1x3x3xf32>
func.func @pad_into_conv(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %p = nn.pad %x {pads = array<i64: 1, 0, 0, 1>} : tensor<1x1x3x3xf32> -> tensor<1x1x4x4xf32>
  %c = nn.conv %p {weight = dense<1.0> : tensor<1x1x3x3xf32>, bias = dense<0.0> : tensor<1xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 1, 0>, group = 1 : i64}
       : tensor<1x1x4x4xf32> -> tensor<1x1x3x3xf32>
  return %c : tensor<1x1x3x3xf32>
}
