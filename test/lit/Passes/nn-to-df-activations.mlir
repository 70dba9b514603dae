// RUN: loom-opt %s --split-input-file --verify-diagnostics --nn-to-df | FileCheck %s

// A leaky_relu after a dense or a (depthwise) convolution is fused into the
// mvu / dwu as act = #df.act<leaky> with leaky_mult = A (the shift is fixed at 15);
// an elu / selu table is fused like sigmoid / tanh.
// CHECK-LABEL: func.func @dense()
// CHECK:       df.mvu %{{.*}} {{{.*}}act = #df.act<leaky>{{.*}}leaky_mult = 3277 : i64{{.*}}onnx.node = "fc0"
// CHECK-NOT:   t_min
// CHECK-SAME:  -> <i16, 1, [3]>
// CHECK:       df.mvu %{{.*}} {{{.*}}act = #df.act<table>{{.*}}onnx.node = "fc1"{{.*}}t_max = 7 : i64, t_min = 0 : i64, t_shift = 1 : i64, table = dense<[10, 20, 30, 40]> : tensor<4xi16>, table_function = "elu"
// CHECK:       df.mvu %{{.*}} {{{.*}}act = #df.act<table>{{.*}}onnx.node = "fc2"{{.*}}table_function = "selu"
// CHECK-NOT:   nn.
func.func @dense(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x2xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  %d0 = nn.qdense %q {weight = dense<1> : tensor<3x4xi16>, bias = dense<0> : tensor<3xi64>,
                      shift = 10 : i64, acc_width = 25 : i64, onnx.node = "fc0"} : tensor<1x4xi16> -> tensor<1x3xi16>
  %a0 = nn.leaky_relu %d0 {alpha = 0.1 : f64, mult = 3277 : i64, shift = 15 : i64, onnx.node = "leaky0"} : tensor<1x3xi16>
  %d1 = nn.qdense %a0 {weight = dense<1> : tensor<2x3xi16>, bias = dense<0> : tensor<2xi64>,
                       shift = 10 : i64, acc_width = 20 : i64, onnx.node = "fc1"} : tensor<1x3xi16> -> tensor<1x2xi16>
  %a1 = nn.lut %d1 {function = "elu", t_min = 0 : i64, t_max = 7 : i64, t_shift = 1 : i64,
                    table = dense<[10, 20, 30, 40]> : tensor<4xi16>, onnx.node = "elu1"} : tensor<1x2xi16>
  %d2 = nn.qdense %a1 {weight = dense<1> : tensor<2x2xi16>, bias = dense<0> : tensor<2xi64>,
                       shift = 10 : i64, acc_width = 20 : i64, onnx.node = "fc2"} : tensor<1x2xi16> -> tensor<1x2xi16>
  %a2 = nn.lut %d2 {function = "selu", t_min = 0 : i64, t_max = 3 : i64, t_shift = 0 : i64,
                    table = dense<[1, 2, 3, 4]> : tensor<4xi16>, onnx.node = "selu2"} : tensor<1x2xi16>
  %y = nn.dequantize %a2 {frac = 10 : i64} : tensor<1x2xi16> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// CHECK-LABEL: func.func @dw()
// CHECK:       df.swg
// CHECK:       df.dwu %{{.*}} {{{.*}}act = #df.act<leaky>{{.*}}leaky_mult = -16384 : i64{{.*}}onnx.node = "dw"
func.func @dw(%x: tensor<1x2x3x3xf32> {onnx.name = "x"}) -> (tensor<1x2x3x3xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {frac = 5 : i64} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xi8>
  %c = nn.qconv %q {weight = dense<1> : tensor<2x1x3x3xi8>, bias = dense<0> : tensor<2xi64>,
                    strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                    group = 2 : i64, shift = 5 : i64, acc_width = 20 : i64, onnx.node = "dw"} : tensor<1x2x3x3xi8> -> tensor<1x2x3x3xi8>
  %a = nn.leaky_relu %c {alpha = -0.5 : f64, mult = -16384 : i64, shift = 15 : i64, onnx.node = "lk"} : tensor<1x2x3x3xi8>
  %y = nn.dequantize %a {frac = 5 : i64} : tensor<1x2x3x3xi8> -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// A leaky relu whose producer has another user cannot be fused: it becomes its
// own actor, a 1x1 dwu with binary weights +1, bias 0, shift 0 (acc = x) whose
// requantize stage applies it; the layer's output forks to both users.
// CHECK-LABEL: func.func @unfused()
// CHECK:       %[[D:.*]] = df.mvu %{{.*}} {{{.*}}act = #df.act<none>{{.*}}onnx.node = "fc0"
// CHECK:       %[[F:.*]], %{{.*}} = df.fork %[[D]]
// CHECK:       df.dwu %[[F]] {acc_width = 17 : i64, act = #df.act<leaky>, bias = dense<0> : tensor<4xi17>, binary, folding = #df.folding<simd = 1, pe = 1>, leaky_mult = 3277 : i64, onnx.node = "lk", {{.*}}shift = 0 : i64, weight = dense<1> : tensor<4x1xi2>} : <i16, 1, [4]> -> <i16, 1, [4]>
func.func @unfused(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  %d0 = nn.qdense %q {weight = dense<1> : tensor<4x4xi16>, bias = dense<0> : tensor<4xi64>,
                      shift = 10 : i64, acc_width = 25 : i64, onnx.node = "fc0"} : tensor<1x4xi16> -> tensor<1x4xi16>
  %a0 = nn.leaky_relu %d0 {alpha = 0.1 : f64, mult = 3277 : i64, shift = 15 : i64, onnx.node = "lk", onnx.op = "LeakyRelu"} : tensor<1x4xi16>
  %y0 = nn.dequantize %a0 {frac = 10 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  %y1 = nn.dequantize %d0 {frac = 10 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  return %y0, %y1 : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// PRelu (per-channel mults) fused into a conv: leaky_mults, one per output channel.
// CHECK-LABEL: func.func @prelu_conv()
// CHECK:       df.mvu %{{.*}} {{{.*}}act = #df.act<leaky>{{.*}}leaky_mults = array<i64: 8192, -16384, 3>{{.*}}onnx.node = "conv"
// CHECK-NOT:   leaky_mult =
func.func @prelu_conv(%x: tensor<1x2x3x3xf32> {onnx.name = "x"}) -> (tensor<1x3x3x3xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {frac = 5 : i64} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xi8>
  %c = nn.qconv %q {weight = dense<1> : tensor<3x2x3x3xi8>, bias = dense<0> : tensor<3xi64>,
                    strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                    group = 1 : i64, shift = 5 : i64, acc_width = 20 : i64, onnx.node = "conv"} : tensor<1x2x3x3xi8> -> tensor<1x3x3x3xi8>
  %a = nn.leaky_relu %c {alpha = 0.0 : f64, alphas = array<f64: 0.25, -0.5, 1.0e-4>, mults = array<i64: 8192, -16384, 3>, shift = 15 : i64, onnx.node = "pr"} : tensor<1x3x3x3xi8>
  %y = nn.dequantize %a {frac = 5 : i64} : tensor<1x3x3x3xi8> -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// -----

// Activations no layer absorbs: a relu after a max pool with another user, a
// per-channel PRelu after a channel concat and a clip after a global average
// pool, each a 1x1 dwu over the channels-last map (C = channels, one vector
// per pixel).
// CHECK-LABEL: func.func @orphans()
// CHECK:       %[[P:.*]] = df.pool
// CHECK:       %[[PF:.*]], %{{.*}} = df.fork %[[P]]
// CHECK:       df.dwu %[[PF]] {acc_width = 9 : i64, act = #df.act<relu>, bias = dense<0> : tensor<2xi9>, binary, folding = #df.folding<simd = 1, pe = 1>, onnx.node = "r", shift = 0 : i64, weight = dense<1> : tensor<2x1xi2>} : <i8, 1, [8]> -> <i8, 1, [8]>
// CHECK:       %[[C:.*]] = df.concat
// CHECK:       df.dwu %[[C]] {{{.*}}act = #df.act<leaky>{{.*}}leaky_mults = array<i64: 1, 2, 3, 4>, onnx.node = "pr"{{.*}}weight = dense<1> : tensor<4x1xi2>} : <i8, 1, [16]> -> <i8, 1, [16]>
// CHECK:       df.dwu %{{.*}} {{{.*}}act = #df.act<clip>{{.*}}onnx.node = "cl"{{.*}}t_max = 20 : i64, t_min = -3 : i64, weight = dense<1> : tensor<4x1xi2>} : <i8, 1, [4]> -> <i8, 1, [4]>
func.func @orphans(%x: tensor<1x2x4x4xf32> {onnx.name = "x"}) -> (tensor<1x4x1x1xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {frac = 5 : i64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xi8>
  %p = nn.max_pool %q {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, onnx.node = "mp"} : tensor<1x2x4x4xi8> -> tensor<1x2x2x2xi8>
  %r = nn.relu %p {onnx.node = "r"} : tensor<1x2x2x2xi8>
  %cat = nn.concat %r, %p {axis = 1 : i64, onnx.node = "cat"} : tensor<1x2x2x2xi8>, tensor<1x2x2x2xi8> -> tensor<1x4x2x2xi8>
  %pr = nn.leaky_relu %cat {alpha = 0.0 : f64, alphas = array<f64: 0.0, 0.0, 0.0, 0.0>, mults = array<i64: 1, 2, 3, 4>, shift = 15 : i64, onnx.node = "pr"} : tensor<1x4x2x2xi8>
  %g = nn.avg_pool %pr {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = true, onnx.node = "gap"} : tensor<1x4x2x2xi8> -> tensor<1x4x1x1xi8>
  %cl = nn.clip %g {min = -3.0 : f64, max = 20.0 : f64, onnx.node = "cl"} : tensor<1x4x1x1xi8>
  %y = nn.dequantize %cl {frac = 5 : i64} : tensor<1x4x1x1xi8> -> tensor<1x4x1x1xf32>
  return %y : tensor<1x4x1x1xf32>
}

// -----

// Per-channel slopes need the channels innermost in the stream: a rank-3
// tensor is refused in one line.
func.func @prelu_rank3(%x: tensor<1x2x3xf32> {onnx.name = "x"}) -> (tensor<1x2x3xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {frac = 5 : i64} : tensor<1x2x3xf32> -> tensor<1x2x3xi8>
  // expected-error @+1 {{node 'pr' (PRelu): per-channel slopes need a channels-last feature map or a [rows, channels] matrix in row order as input}}
  %a = nn.leaky_relu %q {alpha = 0.0 : f64, alphas = array<f64: 0.25, 0.5>, mults = array<i64: 8192, 16384>, shift = 15 : i64, onnx.node = "pr", onnx.op = "PRelu"} : tensor<1x2x3xi8>
  %y = nn.dequantize %a {frac = 5 : i64} : tensor<1x2x3xi8> -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}
