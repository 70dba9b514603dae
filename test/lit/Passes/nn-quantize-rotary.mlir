// RUN: loom-opt %s --nn-quantize="precision=fixed<8,4>" | FileCheck %s

// nn.rotary -> nn.qrotary (docs/CONTRACTS.md "Rotary"), parameters by hand.
// fixed<8,4>: input and output at 2^-4, so the requantization ratio is 2^-14:
//   mult 1, shift 14; tables round_half_even(v * 2^14): 1.0 -> 16384,
//   -0.5 -> -8192, 0.25 -> 4096, 0.000030517578125 (2^-15) -> 0 (half to even);
//   clamp [-128, 127].
// CHECK-LABEL: func.func @fixed
// CHECK: nn.qrotary %{{.*}} {cos = dense<{{\[\[}}16384, 16384], [0, 4096]]> : tensor<2x2xi16>, head_dim = 2 : i64, hi = 127 : i64, lo = -128 : i64, mult = 1 : i64, onnx.node = "rot", shift = 14 : i64, sin = dense<{{\[\[}}-8192, 8192], [0, 16384]]> : tensor<2x2xi16>} : tensor<2x2xi8> -> tensor<2x2xi8>
func.func @fixed(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %y = nn.rotary %x {head_dim = 2 : i64, cos = dense<[[1.0, 1.0], [0.000030517578125, 0.25]]> : tensor<2x2xf32>,
                     sin = dense<[[-0.5, 0.5], [0.0, 1.0]]> : tensor<2x2xf32>,
                     onnx.node = "rot"} : tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
