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

// -----

// A QDQ export's own quantizers (CONTRACTS "Attention", score_quant / prob_quant):
// scores at s_s = 2^-5: requantize q k codes (2^-8) by 2^-3 -> [mult 1, shift 3], range
//   [qmin - zp, qmax - zp] = [-128, 127]; exp table for s_s * scale = 2^-6 over the 256
//   code differences (shift 0, EXP[0] = 2^15 = 0x8000);
// probabilities at s_p = 2^-8 (uint8): N = 2^40 / 2^-8 = 2^48 = 1 * 2^48 -> [pm 1, pk 48,
//   0, 255]; output s_p * sv / s_out = 2^-8 -> mult 1, shift 8.
// CHECK-LABEL: func.func @model_quantizers
// CHECK: nn.qattention {{.*}}exp_shift = 0 : i64, exp_table = dense<"0x008000{{[0-9A-F]*}}"> : tensor<256xi17>{{.*}}mult = 1 : i64{{.*}}prob_quant = array<i64: 1, 48, 0, 255>, score_requant = array<i64: 1, 3, -128, 127>, shift = 8 : i64
func.func @model_quantizers(%q: tensor<3x4xf32>, %k: tensor<3x4xf32>, %v: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %y = nn.attention %q, %k, %v {heads = 2 : i64, scale = 0.5 : f64, causal = true,
        score_quant = #nn.quantizer<scale = 0.03125 : f64, zero_point = 0, qmin = -128, qmax = 127>,
        prob_quant = #nn.quantizer<scale = 0.00390625 : f64, zero_point = 0, qmin = 0, qmax = 255>,
        onnx.node = "att"} : tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
