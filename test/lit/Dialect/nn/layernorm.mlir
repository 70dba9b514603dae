// RUN: loom-opt %s | loom-opt | FileCheck %s

// nn.layernorm (float) and nn.qlayernorm (integer, docs/CONTRACTS.md
// "LayerNorm") print and parse back unchanged, on [1, C] and [1, T, C].

// CHECK-LABEL: func.func @float_rows
// CHECK: nn.layernorm %arg0 {beta = dense<[0.000000e+00, 2.500000e-01, -5.000000e-01, 1.000000e+00]> : tensor<4xf32>, epsilon = 9.99999974E-6 : f32, gamma = dense<[1.000000e+00, 5.000000e-01, 2.000000e+00, -1.000000e+00]> : tensor<4xf32>, onnx.node = "ln"} : tensor<1x3x4xf32>
func.func @float_rows(%x: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %y = nn.layernorm %x {gamma = dense<[1.0, 0.5, 2.0, -1.0]> : tensor<4xf32>,
                        beta = dense<[0.0, 0.25, -0.5, 1.0]> : tensor<4xf32>,
                        epsilon = 1.0e-5 : f32, onnx.node = "ln"} : tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}

// CHECK-LABEL: func.func @integer_row
// CHECK: nn.qlayernorm %arg0 {beta = dense<[0, 1, 2, 3]> : tensor<4xi64>, epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, gamma = dense<8192> : tensor<4xi64>, hi = 127 : i64, lo = -128 : i64, norm_shift = 14 : i64, out_shift = 25 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64} : tensor<1x4xi8> -> tensor<1x4xi8>
func.func @integer_row(%x: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %y = nn.qlayernorm %x {epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64,
                         norm_shift = 14 : i64, out_shift = 25 : i64,
                         gamma = dense<8192> : tensor<4xi64>, beta = dense<[0, 1, 2, 3]> : tensor<4xi64>,
                         lo = -128 : i64, hi = 127 : i64} : tensor<1x4xi8> -> tensor<1x4xi8>
  return %y : tensor<1x4xi8>
}
