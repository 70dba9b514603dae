// RUN: loom-opt %s --nn-to-df --split-input-file | FileCheck %s

// Affine integer graphs (docs/CONTRACTS.md "Affine integer graphs"): the
// integer ops nn-quantize makes from QDQ / QOperator / QONNX models, by hand.

// A requantizing dense layer (per-channel `mult`) with its output range as a
// clip: one df.mvu, `mult` copied, the clip fused (act = #df.act<clip>, bounds = codes
// of a 9-bit stream). The second layer's multipliers are all 4 = 2^2 and its
// shift 10 >= 2: they fold into the shift (10 - 2 = 8) and need no mult. The
// third layer's multipliers are all 1: no mult either. The fourth has M = 8 >
// 2^shift (shift 2): it keeps its single multiplier.
// CHECK-LABEL: func.func @requant()
// CHECK-NEXT:    %[[IN:.*]] = df.input "x" {loom.frac = 0 : i64} : <i9, 1, [4]>
// CHECK-NEXT:    %[[M0:.*]] = df.mvu %[[IN]] {acc_width = 20 : i64, act = #df.act<clip>, bias = dense<[5, -7, 0]> : tensor<3xi64>, folding = #df.folding<simd = 1, pe = 1>, mult = dense<[12345678, 9000000, 16777216]> : tensor<3xi64>, onnx.node = "fc0", shift = 30 : i64, t_max = 127 : i64, t_min = -128 : i64, weight = dense<{{\[}}[1, -2, 3, -4], [5, 6, 7, 8], [-9, 10, 11, 12]]> : tensor<3x4xi8>} : <i9, 1, [4]> -> <i9, 1, [3]>
// CHECK-NEXT:    %[[M1:.*]] = df.mvu %[[M0]] {acc_width = 20 : i64, act = #df.act<clip>, bias = dense<0> : tensor<2xi64>, folding = #df.folding<simd = 1, pe = 1>, onnx.node = "fc1", shift = 8 : i64, t_max = 255 : i64, t_min = 0 : i64, weight = dense<3> : tensor<2x3xi8>} : <i9, 1, [3]> -> <i9, 1, [2]>
// CHECK-NEXT:    %[[M2:.*]] = df.mvu %[[M1]] {acc_width = 20 : i64, act = #df.act<relu>, bias = dense<0> : tensor<2xi64>, folding = #df.folding<simd = 1, pe = 1>, onnx.node = "fc2", shift = 3 : i64, weight = dense<2> : tensor<2x2xi8>} : <i9, 1, [2]> -> <i9, 1, [2]>
// CHECK-NEXT:    %[[M3:.*]] = df.mvu %[[M2]] {acc_width = 20 : i64, act = #df.act<none>, bias = dense<0> : tensor<2xi64>, folding = #df.folding<simd = 1, pe = 1>, mult = dense<8> : tensor<1xi64>, onnx.node = "fc3", shift = 2 : i64, weight = dense<2> : tensor<2x2xi8>} : <i9, 1, [2]> -> <i9, 1, [2]>
// CHECK-NEXT:    df.output %[[M3]], "y" {loom.frac = 0 : i64} : <i9, 1, [2]>
func.func @requant(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x2xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {frac = 0 : i64, scale = array<f64: 0.05>, zero_point = array<i64: 0>,
                       qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32> -> tensor<1x4xi9>
  %d0 = nn.qdense %q {weight = dense<[[1, -2, 3, -4], [5, 6, 7, 8], [-9, 10, 11, 12]]> : tensor<3x4xi8>,
                      bias = dense<[5, -7, 0]> : tensor<3xi64>, shift = 30 : i64, acc_width = 20 : i64,
                      mult = dense<[12345678, 9000000, 16777216]> : tensor<3xi64>,
                      onnx.node = "fc0"} : tensor<1x4xi9> -> tensor<1x3xi9>
  %c0 = nn.clip %d0 {min = -128.0 : f64, max = 127.0 : f64} : tensor<1x3xi9>
  %d1 = nn.qdense %c0 {weight = dense<3> : tensor<2x3xi8>, bias = dense<0> : tensor<2xi64>,
                       shift = 10 : i64, acc_width = 20 : i64, mult = dense<4> : tensor<2xi64>,
                       onnx.node = "fc1"} : tensor<1x3xi9> -> tensor<1x2xi9>
  %c1 = nn.clip %d1 {min = 0.0 : f64, max = 255.0 : f64} : tensor<1x2xi9>
  %d2 = nn.qdense %c1 {weight = dense<2> : tensor<2x2xi8>, bias = dense<0> : tensor<2xi64>,
                       shift = 3 : i64, acc_width = 20 : i64, mult = dense<1> : tensor<1xi64>,
                       onnx.node = "fc2"} : tensor<1x2xi9> -> tensor<1x2xi9>
  %r2 = nn.relu %d2 : tensor<1x2xi9>
  %d3 = nn.qdense %r2 {weight = dense<2> : tensor<2x2xi8>, bias = dense<0> : tensor<2xi64>,
                       shift = 2 : i64, acc_width = 20 : i64, mult = dense<8> : tensor<1xi64>,
                       onnx.node = "fc3"} : tensor<1x2xi9> -> tensor<1x2xi9>
  %y = nn.dequantize %d3 {frac = 0 : i64, scale = array<f64: 0.1>, zero_point = array<i64: 0>}
       : tensor<1x2xi9> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Binary layers: a sign after a dense layer is the fused activation
// act = #df.act<sign>; a layer whose weights are all +1/-1 is `binary` (one bit per
// weight, no multipliers), whether or not its input is bipolar.
// CHECK-LABEL: func.func @binary()
// CHECK:         %[[M0:.*]] = df.mvu %{{.*}} {acc_width = 6 : i64, act = #df.act<sign>, bias = dense<0> : tensor<2xi64>, binary, folding = #df.folding<simd = 1, pe = 1>, onnx.node = "b0", shift = 0 : i64, weight = dense<{{\[}}[1, -1, -1, 1], [-1, -1, 1, 1]]> : tensor<2x4xi2>} : <i2, 1, [4]> -> <i2, 1, [2]>
// The second layer has a weight 2: not binary.
// CHECK-NEXT:    %[[M1:.*]] = df.mvu %[[M0]] {acc_width = 6 : i64, act = #df.act<sign>, bias = dense<0> : tensor<2xi64>, folding = #df.folding<simd = 1, pe = 1>, onnx.node = "b1", shift = 0 : i64, weight = dense<{{\[}}[1, 2], [-1, 1]]> : tensor<2x2xi3>} : <i2, 1, [2]> -> <i2, 1, [2]>
func.func @binary(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = nn.quantize %x {frac = 0 : i64, scale = array<f64: 1.0>, zero_point = array<i64: 0>,
                       qmin = -1 : i64, qmax = 1 : i64, bipolar} : tensor<1x4xf32> -> tensor<1x4xi2>
  %d0 = nn.qdense %q {weight = dense<[[1, -1, -1, 1], [-1, -1, 1, 1]]> : tensor<2x4xi2>,
                      bias = dense<0> : tensor<2xi64>, shift = 0 : i64, acc_width = 6 : i64,
                      onnx.node = "b0"} : tensor<1x4xi2> -> tensor<1x2xi2>
  %s0 = nn.sign %d0 : tensor<1x2xi2>
  %d1 = nn.qdense %s0 {weight = dense<[[1, 2], [-1, 1]]> : tensor<2x2xi3>,
                       bias = dense<0> : tensor<2xi64>, shift = 0 : i64, acc_width = 6 : i64,
                       onnx.node = "b1"} : tensor<1x2xi2> -> tensor<1x2xi2>
  %s1 = nn.sign %d1 : tensor<1x2xi2>
  %y = nn.dequantize %s1 {frac = 0 : i64, scale = array<f64: 1.0>, zero_point = array<i64: 0>}
       : tensor<1x2xi2> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A scaled residual add (QLinearAdd) with its output range: df.join with
// mult_lhs / mult_rhs / shift and the clip bounds t_min / t_max.
// CHECK-LABEL: func.func @scaled_add()
// CHECK:         df.fork
// CHECK:         df.join %{{.*}}, %{{.*}} {frac = 0 : i64, mode = "add", mult_lhs = 8388608 : i64, mult_rhs = 12582912 : i64, onnx.node = "add", shift = 24 : i64, t_max = 127 : i64, t_min = 0 : i64} : <i9, 1, [4]>
// A plain integer add keeps mode add without multipliers; a relu fuses as before.
// CHECK:         df.join %{{.*}}, %{{.*}} {frac = 0 : i64, mode = "add", onnx.node = "add2", relu} : <i9, 1, [4]>
func.func @scaled_add(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize %x {frac = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>,
                       qmin = -128 : i64, qmax = 127 : i64} : tensor<1x4xf32> -> tensor<1x4xi9>
  %d = nn.qdense %q {weight = dense<1> : tensor<4x4xi8>, bias = dense<0> : tensor<4xi64>,
                     shift = 0 : i64, acc_width = 12 : i64, onnx.node = "fc"} : tensor<1x4xi9> -> tensor<1x4xi9>
  %a = nn.add_act %d, %q {mult_lhs = 8388608 : i64, mult_rhs = 12582912 : i64, shift = 24 : i64,
                          onnx.node = "add"} : tensor<1x4xi9>
  %c = nn.clip %a {min = 0.0 : f64, max = 127.0 : f64} : tensor<1x4xi9>
  %d2 = nn.qdense %c {weight = dense<1> : tensor<4x4xi8>, bias = dense<0> : tensor<4xi64>,
                      shift = 0 : i64, acc_width = 12 : i64, onnx.node = "fc2"} : tensor<1x4xi9> -> tensor<1x4xi9>
  %a2 = nn.add_act %d2, %c {onnx.node = "add2"} : tensor<1x4xi9>
  %r2 = nn.relu %a2 : tensor<1x4xi9>
  %y = nn.dequantize %r2 {frac = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>}
       : tensor<1x4xi9> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// A graph without compute (QuantizeLinear -> DequantizeLinear): the design is
// one df.skid (loom_skid) from the input to the output.
// CHECK-LABEL: func.func @qdq_only()
// CHECK-NEXT:    %[[IN:.*]] = df.input "input" {loom.frac = 0 : i64} : <i9, 1, [6]>
// CHECK-NEXT:    %[[S:.*]] = df.skid %[[IN]] : <i9, 1, [6]>
// CHECK-NEXT:    df.output %[[S]], "output" {loom.frac = 0 : i64} : <i9, 1, [6]>
// CHECK-NEXT:    return
func.func @qdq_only(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %q = nn.quantize %x {frac = 0 : i64, scale = array<f64: 0.25>, zero_point = array<i64: 3>,
                       qmin = 0 : i64, qmax = 255 : i64} : tensor<2x3xf32> -> tensor<2x3xi9>
  %y = nn.dequantize %q {frac = 0 : i64, scale = array<f64: 0.25>, zero_point = array<i64: 3>}
       : tensor<2x3xi9> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A dense layer on a [M, K] = [2, 4] input (QLinearMatMul on a matrix): one
// df.mvu that takes M = 2 vectors per frame (8 inputs -> 2 x 3 outputs).
// CHECK-LABEL: func.func @rows()
// CHECK:         df.mvu %{{.*}} {{.*}}onnx.node = "mm"{{.*}} : <i9, 1, [8]> -> <i9, 1, [6]>
func.func @rows(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %q = nn.quantize %x {frac = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>,
                       qmin = -128 : i64, qmax = 127 : i64} : tensor<2x4xf32> -> tensor<2x4xi9>
  %d = nn.qdense %q {weight = dense<1> : tensor<3x4xi8>, bias = dense<0> : tensor<3xi64>,
                     shift = 20 : i64, acc_width = 12 : i64, mult = dense<[3000000, 5000000, 7000000]> : tensor<3xi64>,
                     onnx.node = "mm"} : tensor<2x4xi9> -> tensor<2x3xi9>
  %y = nn.dequantize %d {frac = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>}
       : tensor<2x3xi9> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// The rows of a [2, 4] input permuted within themselves (a transpose of [2, 2, 2]
// swapping the last two axes): absorbed into the weight columns.
// Row element i arrives as x[p(i)] with p = [0, 2, 1, 3]: weight'[n][i] = W[n][p(i)].
// CHECK-LABEL: func.func @rows_perm()
// CHECK:         df.mvu %{{.*}} {{.*}}weight = dense<{{\[}}[1, 3, 2, 4]]> : tensor<1x4xi8>} : <i9, 1, [8]> -> <i9, 1, [2]>
func.func @rows_perm(%x: tensor<2x2x2xf32>) -> tensor<2x1xf32> {
  %q = nn.quantize %x {frac = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>,
                       qmin = -128 : i64, qmax = 127 : i64} : tensor<2x2x2xf32> -> tensor<2x2x2xi9>
  %t = nn.transpose %q {perm = array<i64: 0, 2, 1>} : tensor<2x2x2xi9> -> tensor<2x2x2xi9>
  %r = nn.reshape %t : tensor<2x2x2xi9> -> tensor<2x4xi9>
  %d = nn.qdense %r {weight = dense<[[1, 2, 3, 4]]> : tensor<1x4xi8>, bias = dense<0> : tensor<1xi64>,
                     shift = 0 : i64, acc_width = 12 : i64, onnx.node = "mm"} : tensor<2x4xi9> -> tensor<2x1xi9>
  %y = nn.dequantize %d {frac = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>}
       : tensor<2x1xi9> -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

// A depthwise qconv with per-channel multipliers and a clip: df.swg -> df.dwu
// carrying `mult`.
// CHECK-LABEL: func.func @dw()
// CHECK:         df.swg
// CHECK:         df.dwu %{{.*}} {{{.*}}act = #df.act<clip>{{.*}}mult = dense<[4000000, 6000000]> : tensor<2xi64>{{.*}}t_max = 127 : i64, t_min = -128 : i64
func.func @dw(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %q = nn.quantize %x {frac = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>,
                       qmin = -128 : i64, qmax = 127 : i64} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xi9>
  %c = nn.qconv %q {weight = dense<1> : tensor<2x1x3x3xi8>, bias = dense<0> : tensor<2xi64>,
                    strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
                    pads = array<i64: 1, 1, 1, 1>, group = 2 : i64, shift = 24 : i64,
                    acc_width = 14 : i64, mult = dense<[4000000, 6000000]> : tensor<2xi64>}
       : tensor<1x2x3x3xi9> -> tensor<1x2x3x3xi9>
  %k = nn.clip %c {min = -128.0 : f64, max = 127.0 : f64} : tensor<1x2x3x3xi9>
  %y = nn.dequantize %k {frac = 0 : i64, scale = array<f64: 0.5>, zero_point = array<i64: 0>}
       : tensor<1x2x3x3xi9> -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
