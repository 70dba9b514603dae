// RUN: loom-opt %s --nn-insert-quant | FileCheck %s

// Post-training int8 (passes/NNInsertQuant.cpp). Expected values by hand:
//  input [-1, 1.55]: s = f32(2.55 / 255) = f32(0.01), zp = round(1 / s) = 100;
//  relu [0, 2.55] (fused: the dense's quantizer follows the Relu): s = f32(0.01), zp 0;
//  softmax input [-3, 5]: 2^ceil(log2(5 / 32767)) = 2^-12, zp 0, int16;
//  weights row 0 [1, -0.5]: s = f32(1 / 127), -0.5 / s = -63.5 -> -64 (half even),
//  w = -64 / 127 = -0.503937; row 1 [0.25, 0]: s = f32(0.25 / 127).

// CHECK-LABEL: func.func @mlp
// CHECK-NOT:     loom.calib
// CHECK:         %[[Q0:.*]] = nn.quantize_linear %arg0 {axis = 1 : i64, qmax = 255 : i64, qmin = 0 : i64, scale = array<f64: 0.0099999997764825821>, zero_point = array<i64: 100>}
// CHECK:         %[[D0:.*]] = nn.dequantize_linear %[[Q0]] {axis = 1 : i64, scale = array<f64: 0.0099999997764825821>, zero_point = array<i64: 100>}
// CHECK:         %[[L1:.*]] = nn.dense %[[D0]] {{.*}}weight = dense<{{\[\[}}1.000000e+00, -5.039370e-01], [2.500000e-01, 0.000000e+00]]> : tensor<2x2xf32>, weight_scale = array<f64: 0.0078740157186985015, 0.0019685039296746254>}
// CHECK:         %[[R:.*]] = nn.relu %[[L1]]
// CHECK:         %[[Q1:.*]] = nn.quantize_linear %[[R]] {{.*}}scale = array<f64: 0.0099999997764825821>, zero_point = array<i64: 0>}
// CHECK:         %[[D1:.*]] = nn.dequantize_linear %[[Q1]]
// CHECK:         %[[L2:.*]] = nn.dense %[[D1]]
// CHECK:         %[[Q2:.*]] = nn.quantize_linear %[[L2]] {axis = 1 : i64, qmax = 32767 : i64, qmin = -32768 : i64, scale = array<f64: 2.44140625E-4>, zero_point = array<i64: 0>}
// CHECK:         %[[D2:.*]] = nn.dequantize_linear %[[Q2]]
// CHECK:         %[[S:.*]] = nn.softmax %[[D2]]
// CHECK:         return %[[S]]
func.func @mlp(%x: tensor<1x2xf32> {loom.calib = array<f64: -1.0, 1.55>}) -> tensor<1x2xf32> {
  %d = nn.dense %x {weight = dense<[[1.0, -0.5], [0.25, 0.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, loom.calib = array<f64: -3.0, 4.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %r = nn.relu %d {loom.calib = array<f64: 0.0, 2.55>} : tensor<1x2xf32>
  %e = nn.dense %r {weight = dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, loom.calib = array<f64: -3.0, 5.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %s = nn.softmax %e {loom.calib = array<f64: 0.0, 1.0>} : tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}

// Concat: both inputs get one quantizer, the union of their ranges
// [-1, 1] u [0, 4.1] = [-1, 4.1]: s = f32(5.1 / 255) = f32(0.02), zp = 50.
// Max pooling keeps its input's quantizer (no pair after it).
// CHECK-LABEL: func.func @join
// CHECK:         nn.conv
// CHECK:         nn.quantize_linear {{.*}}scale = array<f64: 0.019999999552965164>, zero_point = array<i64: 50>}
// CHECK:         nn.dequantize_linear
// CHECK:         nn.max_pool
// CHECK-NEXT:    nn.conv
// CHECK:         nn.quantize_linear {{.*}}scale = array<f64: 0.019999999552965164>, zero_point = array<i64: 50>}
// CHECK:         nn.dequantize_linear
// CHECK-NEXT:    nn.concat
// CHECK-NEXT:    return
func.func @join(%x: tensor<1x1x2x2xf32> {loom.calib = array<f64: 0.0, 1.0>}) -> tensor<1x2x1x1xf32> {
  %a = nn.conv %x {weight = dense<1.0> : tensor<1x1x1x1xf32>, bias = dense<0.0> : tensor<1xf32>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, loom.calib = array<f64: -1.0, 1.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  %p = nn.max_pool %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, loom.calib = array<f64: -1.0, 1.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  %b = nn.conv %p {weight = dense<2.0> : tensor<1x1x1x1xf32>, bias = dense<0.0> : tensor<1xf32>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, loom.calib = array<f64: 0.0, 4.1>} : tensor<1x1x1x1xf32> -> tensor<1x1x1x1xf32>
  %c = nn.concat %p, %b {axis = 1 : i64} : tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32> -> tensor<1x2x1x1xf32>
  return %c : tensor<1x2x1x1xf32>
}

// Softmax of small logits [-0.01, 0.06]: 0.06 / 32767 would give 2^-19, but the
// softmax output (same scale) must hold 1.0 in int16: 2^-14.
// CHECK-LABEL: func.func @small_logits
// CHECK:         nn.quantize_linear {{.*}}qmax = 32767 : i64, qmin = -32768 : i64, scale = array<f64: 6.103515625E-5>, zero_point = array<i64: 0>}
// CHECK:         nn.dequantize_linear
// CHECK-NEXT:    nn.softmax
func.func @small_logits(%x: tensor<1x2xf32> {loom.calib = array<f64: 0.0, 1.0>}) -> tensor<1x2xf32> {
  %e = nn.dense %x {weight = dense<0.01> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, loom.calib = array<f64: -0.01, 0.06>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %s = nn.softmax %e {loom.calib = array<f64: 0.0, 1.0>} : tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}

// A graph output that feeds no other layer (an LM's logits) gets symmetric int16
// codes: [-3, 5]: s = f32(5 / 32767), zp 0. A returned value that also feeds a
// layer keeps uint8: [0, 2.55] -> s = f32(0.01), zp 0.
// CHECK-LABEL: func.func @logits
// CHECK:         nn.dense
// CHECK:         nn.quantize_linear {{.*}}qmax = 255 : i64, qmin = 0 : i64, scale = array<f64: 0.0099999997764825821>, zero_point = array<i64: 0>}
// CHECK:         nn.dense
// CHECK:         nn.quantize_linear {{.*}}qmax = 32767 : i64, qmin = -32768 : i64, scale = array<f64: 1.52592547{{[0-9]*}}E-4>, zero_point = array<i64: 0>}
// CHECK:         %[[D:.*]] = nn.dequantize_linear
// CHECK:         return %{{.*}}, %[[D]]
func.func @logits(%x: tensor<1x2xf32> {loom.calib = array<f64: 0.0, 1.0>}) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %h = nn.dense %x {weight = dense<1.0> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, loom.calib = array<f64: 0.0, 2.55>} : tensor<1x2xf32> -> tensor<1x2xf32>
  %e = nn.dense %h {weight = dense<1.0> : tensor<2x2xf32>, bias = dense<0.0> : tensor<2xf32>, loom.calib = array<f64: -3.0, 5.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %h, %e : tensor<1x2xf32>, tensor<1x2xf32>
}
