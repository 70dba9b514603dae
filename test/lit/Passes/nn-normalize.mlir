// RUN: loom-opt %s --nn-normalize --split-input-file | FileCheck %s

// nn-normalize folds the many ONNX spellings of one dense layer into a single
// nn.dense: a constant add after it becomes its bias, a batch_norm after it
// scales its weights and shifts its bias, identities and no-op reshapes vanish.
// Expected values were computed independently (Python, float32 rounding via
// struct.pack('f')), not copied from the pass output.

// dense + [N] constant (constant on the left): bias [0.5, -1] + [0.25, 0.75].
// CHECK-LABEL: func.func @bias_add_lhs
// CHECK-NEXT:    %[[D:.*]] = nn.dense %arg0 {bias = dense<[7.500000e-01, -2.500000e-01]> : tensor<2xf32>, onnx.node = "gemm", weight = dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>}
// CHECK-NEXT:    return %[[D]]
// CHECK-NOT:     nn.add
// CHECK-NOT:     nn.constant
func.func @bias_add_lhs(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %c = nn.constant dense<[0.25, 0.75]> : tensor<2xf32>
  %d = nn.dense %x {weight = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>,
                    bias = dense<[0.5, -1.0]> : tensor<2xf32>, onnx.node = "gemm"} : tensor<1x3xf32> -> tensor<1x2xf32>
  %a = nn.add %c, %d : tensor<2xf32>, tensor<1x2xf32> -> tensor<1x2xf32>
  return %a : tensor<1x2xf32>
}

// -----

// MatMul + Add spelling: dense with zero bias, then + [1, N] constant on the right.
// CHECK-LABEL: func.func @bias_add_rhs_row
// CHECK-NEXT:    %[[D:.*]] = nn.dense %arg0 {bias = dense<[-3.000000e+00, 1.250000e-01]> : tensor<2xf32>
// CHECK-NEXT:    return %[[D]]
func.func @bias_add_rhs_row(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x3xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<1x3xf32> -> tensor<1x2xf32>
  %c = nn.constant dense<[[-3.0, 0.125]]> : tensor<1x2xf32>
  %a = nn.add %d, %c : tensor<1x2xf32>, tensor<1x2xf32> -> tensor<1x2xf32>
  return %a : tensor<1x2xf32>
}

// -----

// A single broadcast value is added to every bias: [0.5, -1] + 2.
// CHECK-LABEL: func.func @bias_add_scalar
// CHECK-NEXT:    %[[D:.*]] = nn.dense %arg0 {bias = dense<[2.500000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:    return %[[D]]
func.func @bias_add_scalar(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x3xf32>, bias = dense<[0.5, -1.0]> : tensor<2xf32>} : tensor<1x3xf32> -> tensor<1x2xf32>
  %c = nn.constant dense<2.0> : tensor<1xf32>
  %a = nn.add %d, %c : tensor<1x2xf32>, tensor<1xf32> -> tensor<1x2xf32>
  return %a : tensor<1x2xf32>
}

// -----

// Not folded: the dense result has a second user, which must keep seeing the
// original bias.
// CHECK-LABEL: func.func @bias_add_shared_dense
// CHECK:         %[[D:.*]] = nn.dense %arg0 {bias = dense<0.000000e+00> : tensor<2xf32>
// CHECK:         %[[A:.*]] = nn.add %[[D]], %{{.*}}
// CHECK:         return %[[A]], %[[D]]
func.func @bias_add_shared_dense(%x: tensor<1x3xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x3xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<1x3xf32> -> tensor<1x2xf32>
  %c = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %a = nn.add %d, %c : tensor<1x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
  return %a, %d : tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

// Not folded: the constant broadcasts the result to a new shape.
// CHECK-LABEL: func.func @bias_add_broadcast_shape
// CHECK:         nn.dense
// CHECK:         nn.add
func.func @bias_add_broadcast_shape(%x: tensor<1x3xf32>) -> tensor<3x2xf32> {
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x3xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<1x3xf32> -> tensor<1x2xf32>
  %c = nn.constant dense<1.0> : tensor<3x1xf32>
  %a = nn.add %d, %c : tensor<1x2xf32>, tensor<3x1xf32> -> tensor<3x2xf32>
  return %a : tensor<3x2xf32>
}

// -----

// batch_norm(dense(x)) -> dense(x) with W' = W * g, b' = (b - mean) * g + beta,
// g = scale / sqrt(var + eps). With scale = [2, 0.3], var = [0.7, 2],
// eps = 1e-5, mean = [0.5, -0.25], beta = [0.1, -0.2]:
//   g = [2.39044023, 0.212131516]
//   W' = [[2.39044023, -4.78088045], [0.106065758, 0.63639456]]
//   b' = [(1 - 0.5) g0 + 0.1, (-1 + 0.25) g1 - 0.2] = [1.29522014, -0.359098643]
// CHECK-LABEL: func.func @batch_norm
// CHECK-NEXT:    %[[D:.*]] = nn.dense %arg0 {bias = dense<[1.29522014, -0.359098643]> : tensor<2xf32>, weight = dense<{{\[}}[2.39044023, -4.78088045], [0.106065758, 0.63639456]]> : tensor<2x2xf32>}
// CHECK-NEXT:    return %[[D]]
func.func @batch_norm(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %d = nn.dense %x {weight = dense<[[1.0, -2.0], [0.5, 3.0]]> : tensor<2x2xf32>,
                    bias = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %y = nn.batch_norm %d {scale = dense<[2.0, 0.3]> : tensor<2xf32>, bias = dense<[0.1, -0.2]> : tensor<2xf32>,
                         mean = dense<[0.5, -0.25]> : tensor<2xf32>, variance = dense<[0.7, 2.0]> : tensor<2xf32>,
                         epsilon = 1.0e-5 : f32} : tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Exactly representable case: g = 1 / sqrt(3 + 1) = 0.5.
// Gemm + Add + BatchNormalization all fold into one dense:
// bias = ((0 + 1) - 3) * 0.5 + 1 = 0.
// CHECK-LABEL: func.func @add_then_batch_norm
// CHECK-NEXT:    %[[D:.*]] = nn.dense %arg0 {bias = dense<0.000000e+00> : tensor<1xf32>, weight = dense<{{\[}}[5.000000e-01, -1.000000e+00]]> : tensor<1x2xf32>}
// CHECK-NEXT:    return %[[D]]
func.func @add_then_batch_norm(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %d = nn.dense %x {weight = dense<[[1.0, -2.0]]> : tensor<1x2xf32>, bias = dense<0.0> : tensor<1xf32>} : tensor<1x2xf32> -> tensor<1x1xf32>
  %c = nn.constant dense<1.0> : tensor<1xf32>
  %a = nn.add %d, %c : tensor<1x1xf32>, tensor<1xf32> -> tensor<1x1xf32>
  %y = nn.batch_norm %a {scale = dense<1.0> : tensor<1xf32>, bias = dense<1.0> : tensor<1xf32>,
                         mean = dense<3.0> : tensor<1xf32>, variance = dense<3.0> : tensor<1xf32>,
                         epsilon = 1.0 : f32} : tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// Not folded: batch_norm of a non-dense value.
// CHECK-LABEL: func.func @batch_norm_alone
// CHECK-NEXT:    nn.batch_norm %arg0
func.func @batch_norm_alone(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %y = nn.batch_norm %x {scale = dense<1.0> : tensor<2xf32>, bias = dense<0.0> : tensor<2xf32>,
                         mean = dense<0.0> : tensor<2xf32>, variance = dense<1.0> : tensor<2xf32>,
                         epsilon = 1.0e-5 : f32} : tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Identity goes, a same-type reshape goes, a chain of reshapes becomes one.
// CHECK-LABEL: func.func @identity_and_reshapes
// The relu sinks below the reshapes (so a layer before it can absorb it).
// CHECK-NEXT:    %[[Y:.*]] = nn.relu %arg0 : tensor<1x2x2xf32>
// CHECK-NEXT:    %[[R:.*]] = nn.reshape %[[Y]] : tensor<1x2x2xf32> -> tensor<1x4xf32>
// CHECK-NEXT:    return %[[R]]
func.func @identity_and_reshapes(%x: tensor<1x2x2xf32>) -> tensor<1x4xf32> {
  %i = nn.identity %x : tensor<1x2x2xf32>
  %r0 = nn.reshape %i : tensor<1x2x2xf32> -> tensor<1x2x2xf32>
  %r1 = nn.reshape %r0 : tensor<1x2x2xf32> -> tensor<4xf32>
  %r2 = nn.reshape %r1 : tensor<4xf32> -> tensor<1x4xf32>
  %y = nn.relu %r2 : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// A reshape round trip folds away entirely; an identity on the result too.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-NEXT:    return %arg0 : tensor<1x4xf32>
func.func @reshape_round_trip(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %r1 = nn.reshape %x : tensor<1x4xf32> -> tensor<2x2xf32>
  %r2 = nn.reshape %r1 : tensor<2x2xf32> -> tensor<1x4xf32>
  %i = nn.identity %r2 : tensor<1x4xf32>
  return %i : tensor<1x4xf32>
}

// -----

// MatMul on [1, T, K] (rows) + Add of a [N] bias + Mul by a [1, 1, N] constant: the
// importer's reshape -> dense -> reshape keeps the feature axis last, so both fold into
// the dense layer: bias ([0.5, -1] + [1, 2]) * [2, 0.5] = [3, 0.5], weight rows * [2, 0.5].
// CHECK-LABEL: func.func @rows_bias_scale
// CHECK:         nn.dense %{{.*}} {bias = dense<[3.000000e+00, 5.000000e-01]> : tensor<2xf32>, weight = dense<{{\[}}[2.000000e+00, 4.000000e+00], [1.500000e+00, 2.000000e+00]]>
// CHECK-NEXT:    %[[R:.*]] = nn.reshape
// CHECK-NEXT:    return %[[R]]
// CHECK-NOT:     nn.add
// CHECK-NOT:     nn.mul
func.func @rows_bias_scale(%x: tensor<1x4x2xf32>) -> tensor<1x4x2xf32> {
  %r = nn.reshape %x : tensor<1x4x2xf32> -> tensor<4x2xf32>
  %d = nn.dense %r {weight = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>,
                    bias = dense<[0.5, -1.0]> : tensor<2xf32>} : tensor<4x2xf32> -> tensor<4x2xf32>
  %o = nn.reshape %d : tensor<4x2xf32> -> tensor<1x4x2xf32>
  %b = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %a = nn.add %o, %b : tensor<1x4x2xf32>, tensor<2xf32> -> tensor<1x4x2xf32>
  %s = nn.constant dense<[[[2.0, 0.5]]]> : tensor<1x1x2xf32>
  %m = nn.mul %a, %s : tensor<1x4x2xf32>, tensor<1x1x2xf32> -> tensor<1x4x2xf32>
  return %m : tensor<1x4x2xf32>
}
