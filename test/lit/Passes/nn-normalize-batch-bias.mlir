// Regression test (was XFAIL), fixed. The bug (passes/NNNormalize.cpp, FoldBiasAdd): the only shape guard is
// `add.getType() == dense.getType()` plus "the constant has N elements". With a
// batch of B = N rows, a [B, 1] constant (one value per *row*) has N elements
// and keeps the result type, so it is folded as a per-*feature* bias: row 0
// should get +10 on both features, the pass instead adds [10, 20] to every row.
// Fix (applied): only fold constants whose shape, right-aligned against the
// result's [B, N], is [N], [1, N], [1] or [1, 1] (i.e. every dimension but the
// last is 1).
//
// RUN: loom-opt %s --nn-normalize | FileCheck %s

// CHECK-LABEL: func.func @per_row_constant
// CHECK:         %[[D:.*]] = nn.dense %arg0 {bias = dense<0.000000e+00> : tensor<2xf32>
// CHECK:         nn.add %[[D]]
func.func @per_row_constant(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x3xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<2x3xf32> -> tensor<2x2xf32>
  %c = nn.constant dense<[[10.0], [20.0]]> : tensor<2x1xf32>
  %a = nn.add %d, %c : tensor<2x2xf32>, tensor<2x1xf32> -> tensor<2x2xf32>
  return %a : tensor<2x2xf32>
}

// Per-feature constants still fold: [1, N] and a single value [1, 1].
// CHECK-LABEL: func.func @per_feature_constants
// CHECK:         nn.dense %arg0 {bias = dense<[1.100000e+01, 2.100000e+01]> : tensor<2xf32>
// CHECK-NOT:     nn.add
func.func @per_feature_constants(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x3xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<2x3xf32> -> tensor<2x2xf32>
  %c = nn.constant dense<[[10.0, 20.0]]> : tensor<1x2xf32>
  %a = nn.add %d, %c : tensor<2x2xf32>, tensor<1x2xf32> -> tensor<2x2xf32>
  %one = nn.constant dense<1.0> : tensor<1x1xf32>
  %b = nn.add %one, %a : tensor<1x1xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  return %b : tensor<2x2xf32>
}
