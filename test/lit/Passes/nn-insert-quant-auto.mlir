// RUN: loom-opt %s --nn-insert-quant="mode=auto act-bits=8 weight-bits=6" | FileCheck %s

// --precision auto's formats (passes/NNInsertQuant.cpp, docs/CONTRACTS.md
// "Automatic formats"), margin 1.25. Expected values by hand:
//  input [-1, 1.55]: m = 1.25 * 1.55 = 1.9375; e = ceil(log2(m / 127)) = -6
//    (127 * 2^-6 = 1.98 >= m): fixed<8, 2>, scale 2^-6;
//  weights, max |w| = 1 in 6 bits: e = ceil(log2(1 / 31)) = -4: fixed<6, 2>,
//    scale 2^-4, and -0.5 = -8 * 2^-4 stays exact;
//  relu [0, 2.55] (never negative): m = 3.1875, e = ceil(log2(m / 127)) = -5;
//    unsigned, 7 bits (the stream's sign bit is always 0): ufixed<7, 2>, codes [0, 127];
//  the pinned dense (loom.pin, the --formats file): fixed<10, 4>, scale 2^-6.
// CHECK-LABEL: func.func @mlp
// CHECK-NOT:     loom.calib
// CHECK-NOT:     loom.pin
// CHECK:         %[[Q0:.*]] = nn.quantize_linear %arg0 {axis = 1 : i64, format = #nn.fixed<8, 2>, qmax = 127 : i64, qmin = -128 : i64, scale = array<f64: 1.562500e-02>, zero_point = array<i64: 0>}
// CHECK:         %[[D0:.*]] = nn.dequantize_linear %[[Q0]]
// CHECK:         %[[L1:.*]] = nn.dense %[[D0]] {{.*}}weight = dense<{{\[\[}}1.000000e+00, -5.000000e-01], [2.500000e-01, 0.000000e+00]]> : tensor<2x2xf32>, weight_format = #nn.fixed<6, 2>, weight_scale = array<f64: 6.250000e-02>}
// CHECK:         %[[R:.*]] = nn.relu %[[L1]]
// CHECK:         nn.quantize_linear %[[R]] {axis = 1 : i64, format = #nn.fixed<7, 2, unsigned>, qmax = 127 : i64, qmin = 0 : i64, scale = array<f64: 3.125000e-02>, zero_point = array<i64: 0>}
// CHECK:         %[[L2:.*]] = nn.dense
// CHECK:         nn.quantize_linear %[[L2]] {axis = 1 : i64, format = #nn.fixed<10, 4>, qmax = 511 : i64, qmin = -512 : i64, scale = array<f64: 1.562500e-02>, zero_point = array<i64: 0>}
// CHECK:         nn.softmax
func.func @mlp(%x: tensor<1x2xf32> {loom.calib = array<f64: -1.0, 1.55>}) -> tensor<1x2xf32> {
  %d = nn.dense %x {weight = dense<[[1.0, -0.5], [0.25, 0.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, loom.calib = array<f64: -3.0, 4.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %r = nn.relu %d {loom.calib = array<f64: 0.0, 2.55>} : tensor<1x2xf32>
  %e = nn.dense %r {weight = dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, loom.calib = array<f64: -3.0, 5.0>, loom.pin = #nn.fixed<10, 4>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %s = nn.softmax %e {loom.calib = array<f64: 0.0, 1.0>} : tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}

// A softmax input keeps F <= bits - 2 so that its output, at the input's
// scale, reaches 1.0: [-0.01, 0.02] alone would give e = ceil(log2(0.025 / 127))
// = -12, F = 12; capped at F = 6: fixed<8, 2>.
// CHECK-LABEL: func.func @small_logits
// CHECK:         nn.dense
// CHECK:         nn.quantize_linear {{.*}}format = #nn.fixed<8, 2>, qmax = 127 : i64, qmin = -128 : i64, scale = array<f64: 1.562500e-02>
// CHECK:         nn.softmax
func.func @small_logits(%x: tensor<1x2xf32> {loom.calib = array<f64: -1.0, 1.0>}) -> tensor<1x2xf32> {
  %d = nn.dense %x {weight = dense<[[0.01, 0.0], [0.0, 0.01]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, loom.calib = array<f64: -0.01, 0.02>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %s = nn.softmax %d {loom.calib = array<f64: 0.0, 1.0>} : tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}
