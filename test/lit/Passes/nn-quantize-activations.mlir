// RUN: loom-opt %s --mlir-print-elementsattrs-with-hex-if-larger=-1 --nn-quantize="precision=fixed<8,3>" | FileCheck %s --check-prefixes=CHECK,Q8
// RUN: loom-opt %s --nn-quantize="precision=fixed<16,6>" | FileCheck %s --check-prefixes=CHECK,Q16

// LeakyRelu stays nn.leaky_relu on codes with mult = round_half_even(alpha * 2^15)
// and shift = 15 (docs/CONTRACTS.md): 0.1 * 32768 = 3276.8 -> 3277,
// -0.5 * 32768 = -16384. Elu / Selu become nn.lut tables over the whole input
// range (unbounded above, so no clamp): fixed<8,3> is exact per code (256
// entries, t_shift 0); fixed<16,6> has 1024 buckets of 2^6 codes.
//   fixed<8,3> (F = 5): elu(-4) = -0.98168 -> -31.4 -> -31; elu(x >= 0) = x, so the
//   table ends with the codes 125, 126, 127. selu(-4) = -1.72617 -> -55.2 -> -55;
//   selu(x) = 1.0507 x saturates at 127 for x >= 121/32.

// CHECK-LABEL: func.func @acts
// Q8:        %[[Q:.*]] = nn.quantize %arg0 {frac = 5 : i64}
// Q8-NEXT:   %[[L:.*]] = nn.leaky_relu %[[Q]] {alpha = 1.000000e-01 : f64, mult = 3277 : i64, shift = 15 : i64} : tensor<1x4xi8>
// Q8-NEXT:   %[[N:.*]] = nn.leaky_relu %[[Q]] {alpha = -5.000000e-01 : f64, mult = -16384 : i64, shift = 15 : i64} : tensor<1x4xi8>
// Q8-NEXT:   %[[E:.*]] = nn.lut %[[Q]] {function = "elu", t_max = 127 : i64, t_min = -128 : i64, t_shift = 0 : i64, table = dense<[-31, -31, {{.*}}, 125, 126, 127]> : tensor<256xi8>} : tensor<1x4xi8>
// Q8-NEXT:   %[[S:.*]] = nn.lut %[[Q]] {function = "selu", t_max = 127 : i64, t_min = -128 : i64, t_shift = 0 : i64, table = dense<[-55, -55, {{.*}}, 127, 127]> : tensor<256xi8>} : tensor<1x4xi8>
// Q16:       nn.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64, mult = 3277 : i64, shift = 15 : i64} : tensor<1x4xi16>
// Q16:       nn.lut %{{.*}} {function = "elu", t_max = 32767 : i64, t_min = -32768 : i64, t_shift = 6 : i64, table = {{.*}} : tensor<1024xi16>}
// Q16:       nn.lut %{{.*}} {function = "selu", t_max = 32767 : i64, t_min = -32768 : i64, t_shift = 6 : i64, table = {{.*}} : tensor<1024xi16>}
// CHECK-NOT: nn.elu
// CHECK-NOT: nn.selu
func.func @acts(%x: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>) {
  %l = nn.leaky_relu %x {alpha = 0.1 : f64} : tensor<1x4xf32>
  %n = nn.leaky_relu %x {alpha = -0.5 : f64} : tensor<1x4xf32>
  %e = nn.elu %x {alpha = 1.0 : f64} : tensor<1x4xf32>
  %s = nn.selu %x {alpha = 1.67326319217681884765625 : f64, gamma = 1.05070102214813232421875 : f64} : tensor<1x4xf32>
  return %l, %n, %e, %s : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>
}

// PRelu per channel: mults[c] = round_half_even(alpha[c] * 2^15) with the same
// shift 15: 0.25 -> 8192, -0.1 -> -3276.8 -> -3277, 1.00001 -> 32768.33 -> 32768,
// 2^-16 -> 0.5 -> 0 (half to even), 3 * 2^-16 -> 1.5 -> 2.
// CHECK-LABEL: func.func @prelu
// CHECK:       nn.leaky_relu %{{.*}} {alpha = 0.000000e+00 : f64, alphas = array<f64: 2.500000e-01, -1.000000e-01, 1.000010e+00, 1.52587890625E-5, 4.57763671875E-5>, mults = array<i64: 8192, -3277, 32768, 0, 2>, shift = 15 : i64} : tensor<1x5x2x2xi{{8|16}}>
func.func @prelu(%x: tensor<1x5x2x2xf32>) -> tensor<1x5x2x2xf32> {
  %l = nn.leaky_relu %x {alpha = 0.0 : f64, alphas = array<f64: 0.25, -0.1, 1.00001, 1.52587890625e-05, 4.57763671875e-05>} : tensor<1x5x2x2xf32>
  return %l : tensor<1x5x2x2xf32>
}
