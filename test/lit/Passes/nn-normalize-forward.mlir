// RUN: loom-opt %s --split-input-file --nn-normalize | FileCheck %s

// nn-normalize: a per-channel affine map after an activation (no layer
// before it can take it) folds forward into the next layer where that is
// exact (a conv without padding, a dense), else becomes a 1x1 depthwise conv;
// inverse transpose pairs cancel and activations sink below transposes.
// Expected numbers worked out by hand (shown per case).

// relu -> batch_norm -> conv (no padding, 2 input channels, 1 output, 1x1):
// g = scale / sqrt(var + eps) = [1/sqrt(3+1), 2/sqrt(0+1)] = [0.5, 2],
// shift = beta - mean * g = [0 - 1*0.5, 1 - 0] = [-0.5, 1].
// w = [3, 5] -> [3*0.5, 5*2] = [1.5, 10]; b = 1 + 3*(-0.5) + 5*1 = 4.5.
// CHECK-LABEL: func.func @bn_into_conv
// CHECK-NEXT: %[[R:.*]] = nn.relu %arg0
// CHECK-NEXT: %[[C:.*]] = nn.conv %[[R]] {bias = dense<4.500000e+00> : tensor<1xf32>, {{.*}}weight = dense<{{\[\[\[\[}}1.500000e+00]], {{\[\[}}1.000000e+01]]]]> : tensor<1x2x1x1xf32>}
// CHECK-NEXT: return %[[C]]
func.func @bn_into_conv(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %r = nn.relu %x : tensor<1x2x2x2xf32>
  %bn = nn.batch_norm %r {scale = dense<[1.0, 2.0]> : tensor<2xf32>, bias = dense<[0.0, 1.0]> : tensor<2xf32>,
                          mean = dense<[1.0, 0.0]> : tensor<2xf32>, variance = dense<[3.0, 0.0]> : tensor<2xf32>,
                          epsilon = 1.0 : f32} : tensor<1x2x2x2xf32>
  %c = nn.conv %bn {weight = dense<[[[[3.0]], [[5.0]]]]> : tensor<1x2x1x1xf32>, bias = dense<[1.0]> : tensor<1xf32>,
                    strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x2x2x2xf32> -> tensor<1x1x2x2xf32>
  return %c : tensor<1x1x2x2xf32>
}

// -----

// relu -> mul [2, 4] per channel -> reshape [1, 2, 1, 2] -> [1, 4] -> dense:
// input k reads channel k / 2: scale [2, 2, 4, 4]; w = [1, 1, 1, 1] -> [2, 2, 4, 4].
// CHECK-LABEL: func.func @mul_into_dense
// CHECK-NEXT: %[[R:.*]] = nn.relu %arg0
// CHECK-NEXT: %[[F:.*]] = nn.reshape %[[R]]
// CHECK-NEXT: %[[D:.*]] = nn.dense %[[F]] {bias = dense<0.000000e+00> : tensor<1xf32>, weight = dense<{{\[\[}}2.000000e+00, 2.000000e+00, 4.000000e+00, 4.000000e+00]]> : tensor<1x4xf32>}
// CHECK-NEXT: return %[[D]]
func.func @mul_into_dense(%x: tensor<1x2x1x2xf32>) -> tensor<1x1xf32> {
  %r = nn.relu %x : tensor<1x2x1x2xf32>
  %k = nn.constant dense<[[[2.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %m = nn.mul %r, %k : tensor<1x2x1x2xf32>, tensor<2x1x1xf32> -> tensor<1x2x1x2xf32>
  %f = nn.reshape %m : tensor<1x2x1x2xf32> -> tensor<1x4xf32>
  %d = nn.dense %f {weight = dense<[[1.0, 1.0, 1.0, 1.0]]> : tensor<1x4xf32>, bias = dense<[0.0]> : tensor<1xf32>}
       : tensor<1x4xf32> -> tensor<1x1xf32>
  return %d : tensor<1x1xf32>
}

// -----

// A conv with zero padding would read shift[c] at its borders instead of 0:
// the batch norm stays, as a 1x1 depthwise conv (w = g = [0.5, 2], b = shift = [-0.5, 1]).
// CHECK-LABEL: func.func @bn_before_padded_conv
// CHECK-NEXT: %[[R:.*]] = nn.relu %arg0
// CHECK-NEXT: %[[DW:.*]] = nn.conv %[[R]] {bias = dense<[-5.000000e-01, 1.000000e+00]> : tensor<2xf32>, {{.*}}group = 2 : i64, {{.*}}weight = dense<{{\[\[\[\[}}5.000000e-01]]], {{\[\[\[}}2.000000e+00]]]]> : tensor<2x1x1x1xf32>}
// CHECK-NEXT: %[[C:.*]] = nn.conv %[[DW]] {{.*}}pads = array<i64: 1, 1, 1, 1>
// CHECK-NEXT: return %[[C]]
func.func @bn_before_padded_conv(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %r = nn.relu %x : tensor<1x2x2x2xf32>
  %bn = nn.batch_norm %r {scale = dense<[1.0, 2.0]> : tensor<2xf32>, bias = dense<[0.0, 1.0]> : tensor<2xf32>,
                          mean = dense<[1.0, 0.0]> : tensor<2xf32>, variance = dense<[3.0, 0.0]> : tensor<2xf32>,
                          epsilon = 1.0 : f32} : tensor<1x2x2x2xf32>
  %c = nn.conv %bn {weight = dense<[[[[3.0, 3.0, 3.0], [3.0, 3.0, 3.0], [3.0, 3.0, 3.0]], [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]]]> : tensor<1x2x3x3xf32>,
                    bias = dense<[1.0]> : tensor<1xf32>,
                    strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64}
       : tensor<1x2x2x2xf32> -> tensor<1x1x2x2xf32>
  return %c : tensor<1x1x2x2xf32>
}

// -----

// QONNX channels-last: conv -> transpose to NHWC -> relu -> transpose back ->
// max pool. The relu sinks below the first transpose, the pair cancels.
// CHECK-LABEL: func.func @channels_last_pair
// CHECK-NEXT: %[[C:.*]] = nn.conv %arg0
// CHECK-NEXT: %[[R:.*]] = nn.relu %[[C]]
// CHECK-NEXT: %[[P:.*]] = nn.max_pool %[[R]]
// CHECK-NEXT: return %[[P]]
func.func @channels_last_pair(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x1x1xf32> {
  %c = nn.conv %x {weight = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>, bias = dense<[1.0, -1.0]> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %t = nn.transpose %c {perm = array<i64: 0, 2, 3, 1>} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %r = nn.relu %t : tensor<1x2x2x2xf32>
  %t2 = nn.transpose %r {perm = array<i64: 0, 3, 1, 2>} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %p = nn.max_pool %t2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : tensor<1x2x2x2xf32> -> tensor<1x2x1x1xf32>
  return %p : tensor<1x2x1x1xf32>
}

// -----

// Keras-style normalization on an NHWC view of an NCHW input: transpose ->
// mul by [C] (last axis) -> transpose back. The transpose sinks below the mul
// (the constant [2, 3] becomes [1, 2, 1, 1]) and the pair cancels; what is
// left is per-channel arithmetic on NCHW, which becomes a 1x1 depthwise conv.
// CHECK-LABEL: func.func @nhwc_normalization
// CHECK-NEXT: %[[DW:.*]] = nn.conv %arg0 {bias = dense<0.000000e+00> : tensor<2xf32>, {{.*}}group = 2 : i64, {{.*}}weight = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>}
// CHECK-NEXT: return %[[DW]]
func.func @nhwc_normalization(%x: tensor<1x2x1x3xf32>) -> tensor<1x2x1x3xf32> {
  %t = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : tensor<1x2x1x3xf32> -> tensor<1x1x3x2xf32>
  %k = nn.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %m = nn.mul %t, %k : tensor<1x1x3x2xf32>, tensor<2xf32> -> tensor<1x1x3x2xf32>
  %t2 = nn.transpose %m {perm = array<i64: 0, 3, 1, 2>} : tensor<1x1x3x2xf32> -> tensor<1x2x1x3xf32>
  return %t2 : tensor<1x2x1x3xf32>
}
