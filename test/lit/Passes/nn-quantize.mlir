// RUN: loom-opt %s --split-input-file --mlir-print-elementsattrs-with-hex-if-larger=-1 --nn-quantize="precision=fixed<16,6>" | FileCheck %s --check-prefixes=CHECK,Q16
// RUN: loom-opt %s --split-input-file --mlir-print-elementsattrs-with-hex-if-larger=-1 --nn-quantize="precision=fixed<8,3>" | FileCheck %s --check-prefixes=CHECK,Q8
// RUN: not loom-opt %s --split-input-file --nn-quantize="precision=fixed<40,3>" 2>&1 | FileCheck %s --check-prefix=ERR-WIDTH
// RUN: not loom-opt %s --split-input-file --nn-quantize="precision=fixed<8,9>" 2>&1 | FileCheck %s --check-prefix=ERR-INT
// RUN: not loom-opt %s --split-input-file --nn-quantize="precision=float16" 2>&1 | FileCheck %s --check-prefix=ERR-SYNTAX
// RUN: not loom-opt %s --split-input-file --nn-quantize 2>&1 | FileCheck %s --check-prefix=ERR-NONE

// nn-quantize gives every tensor the one format `precision` (docs/CONTRACTS.md):
// fixed<W,I> has F = W - I fraction bits; weights are quantize(w) =
// sat_W(rne(w * 2^F)), biases rne(b * 2^(2F)) (the accumulator's scale),
// shift = Fi + Fw - Fout = F, and acc_width is the smallest signed width of
// max_n(sum_k |wq[n][k]| * 2^(W-1) + |bq[n]|).
// Every number below was computed with Inputs/loom_numerics.py, an
// independent pure-Python model of the contract, not copied from the pass.

// ERR-WIDTH: error: invalid fixed-point format 'fixed<40,3>': width W = 40 is outside [2, 32]
// ERR-INT: error: invalid fixed-point format 'fixed<8,9>': integer bits I = 9 exceed the width W = 8
// ERR-SYNTAX: error: invalid fixed-point format 'float16': it does not start with 'fixed'
// ERR-NONE: error: nn-quantize: a float graph needs a fixed-point format (precision=fixed<W,I>)

// fixed<16,6> (F = 10):
//   wq = [[512, -256, 1024], [5120, 128, -1536]]
//   bq = rne([0.1f, -0.3f] * 2^20) = [104858, -314573]
//   acc: row 1 = (5120 + 128 + 1536) * 2^15 + 314573 = 222612685 < 2^28 -> 29 bits
// fixed<8,3> (F = 5):
//   wq = [[16, -8, 32], [127, 4, -48]]   (5.0 * 32 = 160 saturates to 127)
//   bq = rne([0.1f, -0.3f] * 2^10) = [102, -307]
//   acc: row 1 = (127 + 4 + 48) * 2^7 + 307 = 23219 < 2^15 -> 16 bits

// CHECK-LABEL: func.func @mlp
// CHECK-SAME:    (%[[X:.*]]: tensor<1x3xf32>) -> tensor<1x2xf32>
// Q16-NEXT:      %[[Q:.*]] = nn.quantize %[[X]] {frac = 10 : i64} : tensor<1x3xf32> -> tensor<1x3xi16>
// Q8-NEXT:       %[[Q:.*]] = nn.quantize %[[X]] {frac = 5 : i64} : tensor<1x3xf32> -> tensor<1x3xi8>
// Identity and reshape both become integer reshapes (nn-to-df drops them).
// Q16-NEXT:      %[[R:.*]] = nn.reshape %[[Q]] {onnx.node = "flat"} : tensor<1x3xi16> -> tensor<1x3xi16>
// Q8-NEXT:       %[[R:.*]] = nn.reshape %[[Q]] {onnx.node = "flat"} : tensor<1x3xi8> -> tensor<1x3xi8>
// Q16-NEXT:      %[[I:.*]] = nn.reshape %[[R]] : tensor<1x3xi16> -> tensor<1x3xi16>
// Q8-NEXT:       %[[I:.*]] = nn.reshape %[[R]] : tensor<1x3xi8> -> tensor<1x3xi8>
// Q16-NEXT:      %[[D:.*]] = nn.qdense %[[I]] {acc_width = 29 : i64, bias = dense<[104858, -314573]> : tensor<2xi64>, onnx.node = "fc", onnx.op = "Gemm", shift = 10 : i64, weight = dense<{{\[}}[512, -256, 1024], [5120, 128, -1536]]> : tensor<2x3xi16>} : tensor<1x3xi16> -> tensor<1x2xi16>
// Q8-NEXT:       %[[D:.*]] = nn.qdense %[[I]] {acc_width = 16 : i64, bias = dense<[102, -307]> : tensor<2xi64>, onnx.node = "fc", onnx.op = "Gemm", shift = 5 : i64, weight = dense<{{\[}}[16, -8, 32], [127, 4, -48]]> : tensor<2x3xi8>} : tensor<1x3xi8> -> tensor<1x2xi8>
// Q16-NEXT:      %[[A:.*]] = nn.relu %[[D]] {onnx.node = "act"} : tensor<1x2xi16>
// Q8-NEXT:       %[[A:.*]] = nn.relu %[[D]] {onnx.node = "act"} : tensor<1x2xi8>
// Softmax: exp table EXP[j] = rne(exp(-(j << s) * 2^-F) * 2^15) over d in
// [0, min(16 * 2^F, 2^W) - 1], s the smallest shift giving <= 1024 entries;
// EXP[0] = 2^15 needs 16 unsigned bits, stored as i17.
//   fixed<16,6>: d < 16384, s = 4, 1024 entries, EXP[1] = rne(e^-1/64 * 2^15) = 32260
//   fixed<8,3>:  d < 256 (the widest difference of two i8), s = 0, 256 entries
// Q16-NEXT:      %[[S:.*]] = nn.qsoftmax %[[A]] {exp_frac = 15 : i64, exp_shift = 2 : i64, exp_table = dense<[32704, 32577, 32450, 32323, 32197, 32072, 31946, 31822, {{.*}}, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<4096xi17>, frac = 10 : i64} : tensor<1x2xi16>
// Q8-NEXT:       %[[S:.*]] = nn.qsoftmax %[[A]] {exp_frac = 15 : i64, exp_shift = 0 : i64, exp_table = dense<[32768, 31760, 30783, 29836, 28918, 28028, 27166, 26330, 25520, 24735, 23974, 23236, 22521, 21828, 21157, 20506, 19875, 19263, 18671, 18096, 17539, 17000, 16477, 15970, 15479, 15002, 14541, 14093, 13660, 13239, 12832, 12437, 12055, 11684, 11324, 10976, 10638, 10311, 9994, 9686, 9388, 9099, 8819, 8548, 8285, 8030, 7783, 7544, 7312, 7087, 6869, 6657, 6452, 6254, 6061, 5875, 5694, 5519, 5349, 5185, 5025, 4871, 4721, 4575, 4435, 4298, 4166, 4038, 3914, 3793, 3676, 3563, 3454, 3347, 3244, 3145, 3048, 2954, 2863, 2775, 2690, 2607, 2527, 2449, 2374, 2301, 2230, 2161, 2095, 2030, 1968, 1907, 1849, 1792, 1737, 1683, 1631, 1581, 1533, 1485, 1440, 1395, 1352, 1311, 1271, 1231, 1194, 1157, 1121, 1087, 1053, 1021, 990, 959, 930, 901, 873, 846, 820, 795, 771, 747, 724, 702, 680, 659, 639, 619, 600, 582, 564, 546, 530, 513, 498, 482, 467, 453, 439, 426, 412, 400, 387, 376, 364, 353, 342, 331, 321, 311, 302, 292, 283, 275, 266, 258, 250, 242, 235, 228, 221, 214, 207, 201, 195, 189, 183, 177, 172, 167, 162, 157, 152, 147, 143, 138, 134, 130, 126, 122, 118, 115, 111, 108, 104, 101, 98, 95, 92, 89, 86, 84, 81, 79, 76, 74, 72, 69, 67, 65, 63, 61, 59, 58, 56, 54, 52, 51, 49, 48, 46, 45, 43, 42, 41, 40, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 26, 25, 24, 23, 23, 22, 21, 21, 20, 19, 19, 18, 18, 17, 17, 16, 16, 15, 15, 14, 14, 13, 13, 12, 12, 12, 11]> : tensor<256xi17>, frac = 5 : i64} : tensor<1x2xi8>
// Q16-NEXT:      %[[Y:.*]] = nn.dequantize %[[S]] {frac = 10 : i64} : tensor<1x2xi16> -> tensor<1x2xf32>
// Q8-NEXT:       %[[Y:.*]] = nn.dequantize %[[S]] {frac = 5 : i64} : tensor<1x2xi8> -> tensor<1x2xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<1x2xf32>
func.func @mlp(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %r = nn.reshape %x {onnx.node = "flat"} : tensor<1x3xf32> -> tensor<1x3xf32>
  %i = nn.identity %r : tensor<1x3xf32>
  %d = nn.dense %i {weight = dense<[[0.5, -0.25, 1.0], [5.0, 0.125, -1.5]]> : tensor<2x3xf32>,
                    bias = dense<[0.1, -0.3]> : tensor<2xf32>, onnx.node = "fc", onnx.op = "Gemm"}
      : tensor<1x3xf32> -> tensor<1x2xf32>
  %y = nn.relu %d {onnx.node = "act"} : tensor<1x2xf32>
  %s = nn.softmax %y : tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}

// -----

// Every graph input gets its own quantize, every result its own dequantize.
// CHECK-LABEL: func.func @two_ends
// CHECK-COUNT-2: nn.quantize
// CHECK-NOT:     nn.quantize
// CHECK-COUNT-2: nn.dequantize
// CHECK:         return
func.func @two_ends(%a: tensor<1x2xf32>, %b: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %ra = nn.relu %a : tensor<1x2xf32>
  %rb = nn.relu %b : tensor<1x2xf32>
  return %ra, %rb : tensor<1x2xf32>, tensor<1x2xf32>
}
