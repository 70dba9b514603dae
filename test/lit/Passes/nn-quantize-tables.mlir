// Regression test (was XFAIL) for a bug fixed in the working tree:
// dialects/nn/NNOps.cpp, LutOp::verify (see Dialect/nn/lut-signed-range.mlir):
// every table nn-quantize builds has a negative t_min, which the verifier
// compares as uint64_t and rejects ("t_min 18446744073709543424 > t_max 8191"),
// so the pass output never verifies. (The
// tables themselves were already right.)
//
// RUN: loom-opt %s --mlir-print-elementsattrs-with-hex-if-larger=-1 --nn-quantize="precision=fixed<16,6>" | FileCheck %s --check-prefixes=CHECK,Q16
// RUN: loom-opt %s --mlir-print-elementsattrs-with-hex-if-larger=-1 --nn-quantize="precision=fixed<8,3>" | FileCheck %s --check-prefixes=CHECK,Q8

// Activation tables (docs/CONTRACTS.md): codes in [ceil(lo * 2^F), ceil(hi * 2^F) - 1]
// clamped to the W-bit range, sigmoid over [-8, 8), tanh over [-4, 4); t_shift the
// smallest shift giving <= 1024 entries; entry i = quantize(f(bucket midpoint)),
// midpoint code (i << s) + t_min + 2^(s-1). Values from Inputs/loom_numerics.py.
//   fixed<16,6>: sigmoid [-8192, 8191] s = 4 (1024 entries), tanh [-4096, 4095] s = 3;
//                sigmoid entry 512 = quantize(sigmoid(8/1024)) = 514,
//                tanh entry 512 = quantize(tanh(4/1024)) = 4
//   fixed<8,3>:  both domains clamp to the i8 range [-128, 127], s = 0 (256 entries)

// CHECK-LABEL: func.func @acts
// Q16:         %[[Q:.*]] = nn.quantize %arg0 {frac = 10 : i64}
// Q16-NEXT:    %[[S:.*]] = nn.lut %[[Q]] {function = "sigmoid", t_max = 8191 : i64, t_min = -8192 : i64, t_shift = 4 : i64, table = dense<[0, 0, 0, 0, 0, 0, 0, 0, {{.*}}, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024]> : tensor<1024xi16>} : tensor<1x2xi16>
// Q16-NEXT:    %[[T:.*]] = nn.lut %[[Q]] {function = "tanh", t_max = 4095 : i64, t_min = -4096 : i64, t_shift = 3 : i64, table = dense<[-1023, -1023, -1023, -1023, -1023, -1023, -1023, -1023, {{.*}}, 1023, 1023, 1023, 1023, 1023, 1023, 1023, 1023]> : tensor<1024xi16>} : tensor<1x2xi16>
// Q8:          %[[Q:.*]] = nn.quantize %arg0 {frac = 5 : i64}
// Q8-NEXT:     %[[S:.*]] = nn.lut %[[Q]] {function = "sigmoid", t_max = 127 : i64, t_min = -128 : i64, t_shift = 0 : i64, table = dense<[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 16, 16, 17, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21, 21, 22, 22, 22, 22, 22, 23, 23, 23, 23, 23, 24, 24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 26, 26, 26, 26, 26, 26, 26, 27, 27, 27, 27, 27, 27, 27, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31]> : tensor<256xi8>} : tensor<1x2xi8>
// Q8-NEXT:     %[[T:.*]] = nn.lut %[[Q]] {function = "tanh", t_max = 127 : i64, t_min = -128 : i64, t_shift = 0 : i64, table = dense<[-32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -32, -31, -31, -31, -31, -31, -31, -31, -31, -31, -31, -31, -31, -31, -31, -31, -31, -31, -31, -30, -30, -30, -30, -30, -30, -30, -30, -29, -29, -29, -29, -29, -29, -28, -28, -28, -28, -27, -27, -27, -27, -26, -26, -26, -25, -25, -24, -24, -23, -23, -23, -22, -21, -21, -20, -20, -19, -18, -18, -17, -16, -16, -15, -14, -13, -12, -11, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 12, 13, 14, 15, 16, 16, 17, 18, 18, 19, 20, 20, 21, 21, 22, 23, 23, 23, 24, 24, 25, 25, 26, 26, 26, 27, 27, 27, 27, 28, 28, 28, 28, 29, 29, 29, 29, 29, 29, 30, 30, 30, 30, 30, 30, 30, 30, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32]> : tensor<256xi8>} : tensor<1x2xi8>
// CHECK:       nn.dequantize %[[S]]
// CHECK:       nn.dequantize %[[T]]
func.func @acts(%x: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %s = nn.sigmoid %x : tensor<1x2xf32>
  %t = nn.tanh %x : tensor<1x2xf32>
  return %s, %t : tensor<1x2xf32>, tensor<1x2xf32>
}
