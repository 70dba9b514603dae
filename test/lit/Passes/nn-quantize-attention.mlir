// RUN: loom-opt %s --split-input-file --nn-quantize="precision=fixed<8,4>" | FileCheck %s

// nn.attention -> nn.qattention (docs/CONTRACTS.md "Attention"), parameters by hand.
// fixed<8,4>: sq = sk = sv = s_out = 2^-4, scale 0.5, D = 2: scores at 2^-8 * 0.5 = 2^-9;
//   exp domain d codes [0, 16 * 2^9 - 1] = [0, 8191] -> shift 1 (4096 entries),
//   EXP[0] = rne(exp(-1 * 2^-9) * 2^15) = rne(32704.04) = 32704 (bucket middle h = 1)
//   requantization sv / s_out * 2^-8 = 2^-8: mult 1, shift 8; clamp [-128, 127]
// CHECK-LABEL: func.func @fixed_causal
// CHECK: nn.qattention %{{.*}}, %{{.*}}, %{{.*}} {causal = true, exp_shift = 1 : i64, exp_table = dense<"0xC07F00{{[0-9A-F]*}}"> : tensor<4096xi17>, heads = 2 : i64, hi = 127 : i64, lo = -128 : i64, mult = 1 : i64, onnx.node = "att", shift = 8 : i64, zp = 0 : i64} : tensor<3x4xi8>, tensor<3x4xi8>, tensor<3x4xi8> -> tensor<3x4xi8>
func.func @fixed_causal(%q: tensor<3x4xf32>, %k: tensor<3x4xf32>, %v: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %y = nn.attention %q, %k, %v {heads = 2 : i64, scale = 0.5 : f64, causal = true,
                                onnx.node = "att"} : tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
