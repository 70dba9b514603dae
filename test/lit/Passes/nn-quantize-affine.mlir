// RUN: loom-opt %s --nn-quantize --mlir-print-elementsattrs-with-hex-if-larger=-1 | FileCheck %s

// nn-quantize on float QDQ graphs (docs/CONTRACTS.md "Affine integer graphs").
// Every number below is derived by hand from the rules there.

// Dense, per-channel weight scales, Relu, uint8-style output (zp -128):
//   codes: input int8 zp 0 -> [-128, 127] -> W_A = 8 bits; the output [-128 -
//   (-128), 127 + 128] = [0, 255] is the last layer's (it only leaves the graph):
//   its own 9 bits.
//   w / ws: [0.25 -0.5 0.75 1] / 0.25 = [1 -2 3 4]; [0.1 0.2 -0.3 0] / 0.1 = [1 2 -3 0]
//   bias / (s_in * ws): f32(0.3) / 0.125 = 2.40000010 -> 2; -0.05 / 0.05 = -1 (whole)
//   R = 0.5 * ws / 0.3: f32(0.41666667) = 13981013 * 2^-25, f32(0.16666667) =
//   11184811 * 2^-26 -> one shift 25 (also the `fine` shift: 2^23 <= M < 2^24):
//   M = 13981013, round(5592405.5) = 5592406
//   2.4 is not a whole accumulator step -> post-multiply bias (R * 2^25 =
//   13981013.33, 5592405.33): (2.40000010 - 2) * 13981013.33 + 2 * 0.33 = 5592407.3
//   -> 5592407; channel 1: 0 + (-1) * (5592405.33 - 5592406) = 0.67 -> 1
//   acc_width: row 0 over c in [-128, 127]: 2 + (1+3+4)*127 + 2*128 = 1274,
//   2 - 8*128 - 2*127 = -1276 -> 12 bits
//   output clip: [qmin - zp, qmax - zp] = [0, 255], Relu keeps lo = 0
// CHECK-LABEL: func.func @dense
// CHECK:      %[[Q:.*]] = nn.quantize %arg0 {axis = 1 : i64, frac = 0 : i64, qmax = 127 : i64, qmin = -128 : i64, rounding = "half_even", scale = array<f64: 5.000000e-01>, zero_point = array<i64: 0>} : tensor<1x4xf32> -> tensor<1x4xi8>
// CHECK-NEXT: %[[D:.*]] = nn.qdense %[[Q]] {acc_width = 12 : i64, bias = dense<[2, -1]> : tensor<2xi64>, mult = dense<[13981013, 5592406]> : tensor<2xi64>, onnx.node = "fc", post_bias = dense<[5592407, 1]> : tensor<2xi64>, shift = 25 : i64, weight = dense<{{\[\[}}1, -2, 3, 4], [1, 2, -3, 0]]> : tensor<2x4xi4>} : tensor<1x4xi8> -> tensor<1x2xi9>
// CHECK-NEXT: %[[C:.*]] = nn.clip %[[D]] {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64} : tensor<1x2xi9>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[C]] {axis = 1 : i64, frac = 0 : i64, scale = array<f64: 3.000000e-01>, zero_point = array<i64: -128>} : tensor<1x2xi9> -> tensor<1x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @dense(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  %y = nn.dense %d {weight = dense<[[0.25, -0.5, 0.75, 1.0], [0.1, 0.2, -0.3, 0.0]]> : tensor<2x4xf32>, bias = dense<[0.3, -0.05]> : tensor<2xf32>, weight_scale = array<f64: 0.25, 0.1>, onnx.node = "fc"} : tensor<1x4xf32> -> tensor<1x2xf32>
  %r = nn.relu %y : tensor<1x2xf32>
  %q2 = nn.quantize_linear %r {scale = array<f64: 0.3>, zero_point = array<i64: -128>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 0.3>, zero_point = array<i64: -128>, axis = 1 : i64} : tensor<1x2xf32>
  return %d2 : tensor<1x2xf32>
}

// Conv + Relu, uint8 input with zp 128 ([-128, 127]), uint8 output zp 0
// ([0, 255]) -> W_A = 9; the graph returns the quantize_linear result (the
// integers q): integer_output.
//   w / 0.125 = [4 -2 6 8], [-4 2 0 1]; bias f32(0.01) / 2^-10 = 10.2399998 -> 10,
//   -20.4799995 -> -20: not whole steps, so a post-multiply bias
//   R = 2^-7 * 2^-3 / 2^-6 = 2^-4; the `fine` shift gives R 24 bits: S = 27,
//   M = 2^23 (without a fractional bias: M = 1, no mult, shift 4)
//   post_bias = 0.2399998 * 2^23 = 2013263.9 -> 2013264; -0.4799995 * 2^23 -> -4026528
//   acc_width: 10 + 18*127 + 2*128 = 2552 -> 13 bits
// CHECK-LABEL: func.func @conv_relu
// CHECK:      %[[Q:.*]] = nn.quantize %arg0 {{.*}}qmax = 255 : i64, qmin = 0 : i64, {{.*}}zero_point = array<i64: 128>} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xi9>
// CHECK-NEXT: %[[C:.*]] = nn.qconv %[[Q]] {acc_width = 13 : i64, bias = dense<[10, -20]> : tensor<2xi64>, dilations = array<i64: 1, 1>, group = 1 : i64, mult = dense<8388608> : tensor<1xi64>, onnx.node = "c", pads = array<i64: 0, 0, 0, 0>, post_bias = dense<[2013264, -4026528]> : tensor<2xi64>, shift = 27 : i64, strides = array<i64: 1, 1>, weight = dense<{{\[\[\[\[}}4, -2], [6, 8]]], {{\[\[\[}}-4, 2], [0, 1]]]]> : tensor<2x1x2x2xi5>} : tensor<1x1x2x2xi9> -> tensor<1x2x1x1xi9>
// CHECK-NEXT: %[[K:.*]] = nn.clip %[[C]] {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64}
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[K]] {axis = 1 : i64, frac = 0 : i64, integer_output, scale = array<f64: 1.562500e-02>, zero_point = array<i64: 0>}
// CHECK-NEXT: return %[[Y]]
func.func @conv_relu(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x1x1xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.0078125>, zero_point = array<i64: 128>, axis = 1 : i64, qmin = 0 : i64, qmax = 255 : i64} : tensor<1x1x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.0078125>, zero_point = array<i64: 128>, axis = 1 : i64} : tensor<1x1x2x2xf32>
  %c = nn.conv %d {weight = dense<[[[[0.5, -0.25], [0.75, 1.0]]], [[[-0.5, 0.25], [0.0, 0.125]]]]> : tensor<2x1x2x2xf32>, bias = dense<[0.01, -0.02]> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64,
                   weight_scale = array<f64: 0.125>, onnx.node = "c"} : tensor<1x1x2x2xf32> -> tensor<1x2x1x1xf32>
  %r = nn.relu %c : tensor<1x2x1x1xf32>
  %q2 = nn.quantize_linear %r {scale = array<f64: 0.015625>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = 0 : i64, qmax = 255 : i64} : tensor<1x2x1x1xf32>
  return %q2 : tensor<1x2x1x1xf32>
}

// Float Clip(0, 6) between conv and quantizer (Relu6), int8 output s = 0.1:
// bounds round(0 / 0.1) = 0, round(6 / 0.1) = 60.
// CHECK-LABEL: func.func @relu6
// CHECK:      nn.qconv
// CHECK-NEXT: nn.clip %{{.*}} {max = 6.000000e+01 : f64, min = 0.000000e+00 : f64} : tensor<1x1x1x1xi8>
func.func @relu6(%x: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.1>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x1x1x1xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.1>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x1x1xf32>
  %c = nn.conv %d {weight = dense<[[[[2.0]]]]> : tensor<1x1x1x1xf32>, bias = dense<[0.0]> : tensor<1xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64,
                   weight_scale = array<f64: 1.0>} : tensor<1x1x1x1xf32> -> tensor<1x1x1x1xf32>
  %k = nn.clip %c {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x1x1x1xf32>
  %q2 = nn.quantize_linear %k {scale = array<f64: 0.1>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x1x1x1xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 0.1>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x1x1xf32>
  return %d2 : tensor<1x1x1x1xf32>
}

// Scaled add (DQ-Add-Q): y = a * 0.5 / 0.75 + b * 0.25 / 0.75. The larger
// ratio 2/3 gets 24 bits: S = 24, Ma = round(f32(2/3) * 2^24) = 11184811,
// Mb = round(f32(1/3) * 2^24) = round(5592405.66) = 5592406. The int8 output
// range is the whole 8-bit W_A range: no clip. The dense before it: R = 0.5 /
// 0.25 = 2 -> M = 2, S = 0.
// CHECK-LABEL: func.func @add
// CHECK:      %[[Q:.*]] = nn.quantize %arg0
// CHECK-NEXT: %[[D:.*]] = nn.qdense %[[Q]] {{.*}}mult = dense<2> : tensor<1xi64>, onnx.node = "fc", shift = 0 : i64
// CHECK-NEXT: %[[A:.*]] = nn.add_act %[[Q]], %[[D]] {mult_lhs = 11184811 : i64, mult_rhs = 5592406 : i64, onnx.node = "add", shift = 24 : i64} : tensor<1x4xi8>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[A]] {{.*}}scale = array<f64: 7.500000e-01>
func.func @add(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  %y = nn.dense %d {weight = dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<4x4xf32>, bias = dense<0.0> : tensor<4xf32>, weight_scale = array<f64: 1.0>, onnx.node = "fc"} : tensor<1x4xf32> -> tensor<1x4xf32>
  %q1 = nn.quantize_linear %y {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d1 = nn.dequantize_linear %q1 {scale = array<f64: 0.25>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  %s = nn.add_act %d, %d1 {onnx.node = "add"} : tensor<1x4xf32>
  %q2 = nn.quantize_linear %s {scale = array<f64: 0.75>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32>
  %d2 = nn.dequantize_linear %q2 {scale = array<f64: 0.75>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  return %d2 : tensor<1x4xf32>
}

// Binary network: bipolar input (host sign), BipolarQuant after fc1 = qdense
// without mult, shift 0 (saturating to W_A = 2 bits keeps the sign), then
// nn.sign; fc2 is returned unquantized: its accumulator (|acc| <= 2 -> 3 bits)
// is the output at scale s_in * ws = 1.
// CHECK-LABEL: func.func @bnn
// CHECK:      %[[Q:.*]] = nn.quantize %arg0 {axis = 1 : i64, bipolar, frac = 0 : i64, qmax = 1 : i64, qmin = -1 : i64, {{.*}}} : tensor<1x4xf32> -> tensor<1x4xi2>
// CHECK-NEXT: %[[A:.*]] = nn.qdense %[[Q]] {acc_width = 4 : i64, bias = dense<0> : tensor<2xi64>, onnx.node = "fc1", shift = 0 : i64, weight = dense<{{\[\[}}1, -1, 1, 1], [-1, -1, 1, -1]]> : tensor<2x4xi2>} : tensor<1x4xi2> -> tensor<1x2xi2>
// CHECK-NEXT: %[[S:.*]] = nn.sign %[[A]] : tensor<1x2xi2>
// CHECK-NEXT: %[[B:.*]] = nn.qdense %[[S]] {acc_width = 3 : i64, {{.*}}shift = 0 : i64, {{.*}}} : tensor<1x2xi2> -> tensor<1x2xi3>
// CHECK-NEXT: %[[Y:.*]] = nn.dequantize %[[B]] {axis = 1 : i64, frac = 0 : i64, scale = array<f64: 1.000000e+00>, zero_point = array<i64: 0>} : tensor<1x2xi3> -> tensor<1x2xf32>
func.func @bnn(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -1 : i64, qmax = 1 : i64, bipolar} : tensor<1x4xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x4xf32>
  %y = nn.dense %d {weight = dense<[[1.0, -1.0, 1.0, 1.0], [-1.0, -1.0, 1.0, -1.0]]> : tensor<2x4xf32>, bias = dense<[0.0, 0.0]> : tensor<2xf32>, weight_scale = array<f64: 1.0>, onnx.node = "fc1"} : tensor<1x4xf32> -> tensor<1x2xf32>
  %q1 = nn.quantize_linear %y {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -1 : i64, qmax = 1 : i64, bipolar} : tensor<1x2xf32>
  %d1 = nn.dequantize_linear %q1 {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x2xf32>
  %z = nn.dense %d1 {weight = dense<[[1.0, -1.0], [1.0, 1.0]]> : tensor<2x2xf32>, bias = dense<[0.0, 0.0]> : tensor<2xf32>, weight_scale = array<f64: 1.0>, onnx.node = "fc2"} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}

// Integer (uint8) input read by a dequantize_linear with zp 3: host quantize
// integer_input, codes [0 - 3, 255 - 3] -> 9 bits. MatMulInteger-style output:
// the accumulator at scale 0.1 * 1; bias 0.5 / 0.1 = 5;
// acc_width: 5 + 5*252 + 1*3 = 1268 -> 12 bits.
// CHECK-LABEL: func.func @int_in
// CHECK:      %[[Q:.*]] = nn.quantize %arg0 {axis = 1 : i64, frac = 0 : i64, integer_input, qmax = 255 : i64, qmin = 0 : i64, scale = array<f64: 1.000000e-01>, zero_point = array<i64: 3>} : tensor<1x4xf32> -> tensor<1x4xi9>
// CHECK-NEXT: %[[D:.*]] = nn.qdense %[[Q]] {acc_width = 12 : i64, bias = dense<[5, 0]> : tensor<2xi64>, onnx.node = "mm", shift = 0 : i64, {{.*}}} : tensor<1x4xi9> -> tensor<1x2xi12>
// CHECK-NEXT: nn.dequantize %[[D]] {axis = 1 : i64, frac = 0 : i64, scale = array<f64: 1.000000e-01>, zero_point = array<i64: 0>} : tensor<1x2xi12> -> tensor<1x2xf32>
func.func @int_in(%x: tensor<1x4xf32> {loom.int_range = array<i64: 0, 255>}) -> tensor<1x2xf32> {
  %d = nn.dequantize_linear %x {scale = array<f64: 0.1>, zero_point = array<i64: 3>, axis = 1 : i64} : tensor<1x4xf32>
  %y = nn.dense %d {weight = dense<[[2.0, -1.0, 0.0, 3.0], [1.0, 1.0, 1.0, 1.0]]> : tensor<2x4xf32>, bias = dense<[0.5, 0.0]> : tensor<2xf32>, weight_scale = array<f64: 1.0>, onnx.node = "mm"} : tensor<1x4xf32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// Per-axis scales at the graph ends (ONNX test_quantizelinear_axis /
// test_dequantizelinear_axis): no compute. Ranges [-128, 132] (zp -5) and
// [-200, 55] (zp 200) need 9 bits.
// CHECK-LABEL: func.func @quantize_axis
// CHECK:      %[[Q:.*]] = nn.quantize %arg0 {{.*}}scale = array<f64: 5.000000e-01, 2.500000e-01, 2.000000e+00>, zero_point = array<i64: 0, 10, -5>} : tensor<1x3xf32> -> tensor<1x3xi9>
// CHECK-NEXT: nn.dequantize %[[Q]] {axis = 1 : i64, frac = 0 : i64, integer_output, scale = array<f64: 5.000000e-01, 2.500000e-01, 2.000000e+00>, zero_point = array<i64: 0, 10, -5>}
func.func @quantize_axis(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.5, 0.25, 2.0>, zero_point = array<i64: 0, 10, -5>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x3xf32>
  return %q : tensor<1x3xf32>
}
// CHECK-LABEL: func.func @dequantize_axis
// CHECK:      %[[Q:.*]] = nn.quantize %arg0 {axis = 1 : i64, frac = 0 : i64, integer_input, qmax = 255 : i64, qmin = 0 : i64, scale = array<f64: 5.000000e-01, 2.500000e-01, 2.000000e+00>, zero_point = array<i64: 0, 10, 200>} : tensor<1x3xf32> -> tensor<1x3xi9>
// CHECK-NEXT: nn.dequantize %[[Q]] {axis = 1 : i64, frac = 0 : i64, scale = array<f64: 5.000000e-01, 2.500000e-01, 2.000000e+00>, zero_point = array<i64: 0, 10, 200>}
// CHECK-NOT:  integer_output
func.func @dequantize_axis(%x: tensor<1x3xf32> {loom.int_range = array<i64: 0, 255>}) -> tensor<1x3xf32> {
  %d = nn.dequantize_linear %x {scale = array<f64: 0.5, 0.25, 2.0>, zero_point = array<i64: 0, 10, 200>, axis = 1 : i64} : tensor<1x3xf32>
  return %d : tensor<1x3xf32>
}

// Data movement keeps the quantizer; a same-scale quantizer with a narrower
// range is a clip on the codes (int8 [-128, 127] -> uint8 zp 0 [0, 255]
// shares the scale: codes [0, 127]); softmax at scale 2^-4, zp 0: qsoftmax
// frac 4.
// CHECK-LABEL: func.func @moves
// CHECK:      %[[Q:.*]] = nn.quantize %arg0 {{.*}} -> tensor<1x1x2x2xi9>
// CHECK-NEXT: %[[P:.*]] = nn.max_pool %[[Q]] {{.*}} : tensor<1x1x2x2xi9> -> tensor<1x1x1x1xi9>
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[P]] : tensor<1x1x1x1xi9> -> tensor<1x1xi9>
// CHECK-NEXT: %[[K:.*]] = nn.clip %[[R]] {max = 1.270000e+02 : f64, min = 0.000000e+00 : f64} : tensor<1x1xi9>
// CHECK-NEXT: %[[S:.*]] = nn.qsoftmax %[[K]] {exp_frac = 15 : i64, exp_shift = 0 : i64, {{.*}}frac = 4 : i64, onnx.node = "sm"} : tensor<1x1xi9>
// CHECK-NEXT: nn.dequantize %[[S]] {{.*}}scale = array<f64: 6.250000e-02>, zero_point = array<i64: 0>}
func.func @moves(%x: tensor<1x1x2x2xf32>) -> tensor<1x1xf32> {
  %q = nn.quantize_linear %x {scale = array<f64: 0.0625>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = -128 : i64, qmax = 127 : i64} : tensor<1x1x2x2xf32>
  %d = nn.dequantize_linear %q {scale = array<f64: 0.0625>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1x2x2xf32>
  %p = nn.max_pool %d {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  %r = nn.reshape %p : tensor<1x1x1x1xf32> -> tensor<1x1xf32>
  %q1 = nn.quantize_linear %r {scale = array<f64: 0.0625>, zero_point = array<i64: 0>, axis = 1 : i64, qmin = 0 : i64, qmax = 255 : i64} : tensor<1x1xf32>
  %d1 = nn.dequantize_linear %q1 {scale = array<f64: 0.0625>, zero_point = array<i64: 0>, axis = 1 : i64} : tensor<1x1xf32>
  %s = nn.softmax %d1 {onnx.node = "sm"} : tensor<1x1xf32>
  return %s : tensor<1x1xf32>
}
