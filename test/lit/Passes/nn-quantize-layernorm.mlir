// RUN: loom-opt %s --split-input-file --nn-quantize="precision=fixed<8,4>" | FileCheck %s
// (a graph with its own quantizers takes the affine lowering whatever `precision` says)

// nn.layernorm -> nn.qlayernorm (docs/CONTRACTS.md "LayerNorm"), parameters by hand.
// Fixed point fixed<8,4>: s_in = s_out = 2^-4, C = 4, eps = 1e-5:
//   epsilon in codes eps * C^2 / s_in^2 = 0.04096, with 16 fraction bits:
//   E = rne(0.04096 * 2^16) = rne(2684.35) = 2684, epsilon_shift 16
//   W_V = bits(C^2 * 2^14 + 0 + 1) = bits(262145) = 19; isqrt steps (19 + 16 + 1) / 2 = 18
//   recip_bits R = 18 + 20 = 38, norm_shift = R - 8 - 16 = 14
//   max |gamma / s_out| = 32 -> GF = floor(log2(32767 / 32)) = 9, out_shift = 16 + 9 = 25
//   G = gamma * 16 * 2^9 = [8192, 4096, 16384, -8192]
//   B = beta * 16 * 2^25 = [0, 2^27, -2^28, 2^29]; clamp to fixed<8,4>'s [-128, 127]
// CHECK-LABEL: func.func @fixed_rows
// CHECK: nn.qlayernorm %{{.*}} {beta = dense<[0, 134217728, -268435456, 536870912]> : tensor<4xi64>, epsilon_codes = 2684 : i64, epsilon_shift = 16 : i64, gamma = dense<[8192, 4096, 16384, -8192]> : tensor<4xi64>, hi = 127 : i64, lo = -128 : i64, norm_shift = 14 : i64, onnx.node = "ln", out_shift = 25 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64} : tensor<1x3x4xi8> -> tensor<1x3x4xi8>
func.func @fixed_rows(%x: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %y = nn.layernorm %x {gamma = dense<[1.0, 0.5, 2.0, -1.0]> : tensor<4xf32>,
                        beta = dense<[0.0, 0.25, -0.5, 1.0]> : tensor<4xf32>,
                        epsilon = 1.0e-5 : f32, onnx.node = "ln"} : tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}

// -----

// Affine: input int8 scale 0.05 zp 0, LayerNorm -> Relu -> uint8 scale 2^-5 zp 0.
//   W_A = 9 (codes [-128, 255]); E = rne(1e-5 * 16 / 0.0025 * 2^16) = rne(4194.3) = 4194
//   W_V = bits(16 * 2^16 + 1) = 21 (9-bit codes); isqrt steps 19, R = 39, norm_shift 15
//   max |gamma / s_out| = 64 -> GF = 8, out_shift 24; G = gamma * 32 * 2^8,
//   B = beta * 32 * 2^24; the Relu and the quantizer give the clamp [0, 255]
// CHECK-LABEL: func.func @affine_relu
// CHECK: nn.qlayernorm %{{.*}} {beta = dense<[0, 134217728, -268435456, 536870912]> : tensor<4xi64>, epsilon_codes = 4194 : i64, epsilon_shift = 16 : i64, gamma = dense<[8192, 4096, 16384, -8192]> : tensor<4xi64>, hi = 255 : i64, lo = 0 : i64, norm_shift = 15 : i64, onnx.node = "ln", out_shift = 24 : i64, pre_shift = 8 : i64, recip_bits = 39 : i64} : tensor<1x4xi9> -> tensor<1x4xi9>
// CHECK-NOT: nn.clip
func.func @affine_relu(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.05>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.05>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  %y = nn.layernorm %d {gamma = dense<[1.0, 0.5, 2.0, -1.0]> : tensor<4xf32>,
                        beta = dense<[0.0, 0.25, -0.5, 1.0]> : tensor<4xf32>,
                        epsilon = 1.0e-5 : f32, onnx.node = "ln"} : tensor<1x4xf32>
  %r = nn.relu %y : tensor<1x4xf32>
  %q2 = nn.quantize_linear %r {scale = array<f64: 0.03125>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = 0 : i64, qmax = 255 : i64} : tensor<1x4xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 0.03125>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  return %d2 : tensor<1x4xf32>
}

// -----

// RMSNorm (nn.layernorm {rms}): the same parameters as @fixed_rows (they do not
// depend on the mean), beta 0, and `rms` carried to nn.qlayernorm (S1 := 0).
// CHECK-LABEL: func.func @fixed_rms
// CHECK: nn.qlayernorm %{{.*}} {beta = dense<0> : tensor<4xi64>, epsilon_codes = 2684 : i64, epsilon_shift = 16 : i64, gamma = dense<[8192, 4096, 16384, -8192]> : tensor<4xi64>, hi = 127 : i64, lo = -128 : i64, norm_shift = 14 : i64, onnx.node = "rms", out_shift = 25 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64, rms} : tensor<1x3x4xi8> -> tensor<1x3x4xi8>
func.func @fixed_rms(%x: tensor<1x3x4xf32>) -> tensor<1x3x4xf32> {
  %y = nn.layernorm %x {gamma = dense<[1.0, 0.5, 2.0, -1.0]> : tensor<4xf32>,
                        beta = dense<0.0> : tensor<4xf32>,
                        epsilon = 1.0e-5 : f32, onnx.node = "rms", rms} : tensor<1x3x4xf32>
  return %y : tensor<1x3x4xf32>
}
