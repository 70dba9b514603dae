// RUN: loom-opt %s --split-input-file --verify-diagnostics --nn-to-df | FileCheck %s

// A leaky_relu after a dense or a (depthwise) convolution is fused into the
// mvu / dwu as act = "leaky" with leaky_mult = A (the shift is fixed at 15);
// an elu / selu table is fused like sigmoid / tanh.
// CHECK-LABEL: func.func @dense()
// CHECK:       df.mvu %{{.*}} {{{.*}}act = "leaky"{{.*}}leaky_mult = 3277 : i64{{.*}}onnx.node = "fc0"
// CHECK-NOT:   t_min
// CHECK-SAME:  -> <i16, 1, [3]>
// CHECK:       df.mvu %{{.*}} {{{.*}}act = "elu"{{.*}}onnx.node = "fc1"{{.*}}t_max = 7 : i64, t_min = 0 : i64, t_shift = 1 : i64, table = dense<[10, 20, 30, 40]> : tensor<4xi16>
// CHECK:       df.mvu %{{.*}} {{{.*}}act = "selu"{{.*}}onnx.node = "fc2"
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
// CHECK:       df.dwu %{{.*}} {{{.*}}act = "leaky"{{.*}}leaky_mult = -16384 : i64{{.*}}onnx.node = "dw"
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

// A leaky relu whose producer has another user cannot be fused.
func.func @unfused(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  %d0 = nn.qdense %q {weight = dense<1> : tensor<4x4xi16>, bias = dense<0> : tensor<4xi64>,
                      shift = 10 : i64, acc_width = 25 : i64, onnx.node = "fc0"} : tensor<1x4xi16> -> tensor<1x4xi16>
  // expected-error @+1 {{node 'lk' (LeakyRelu): an activation must directly follow a dense or convolution layer whose only user it is}}
  %a0 = nn.leaky_relu %d0 {alpha = 0.1 : f64, mult = 3277 : i64, shift = 15 : i64, onnx.node = "lk", onnx.op = "LeakyRelu"} : tensor<1x4xi16>
  %y0 = nn.dequantize %a0 {frac = 10 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  %y1 = nn.dequantize %d0 {frac = 10 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  return %y0, %y1 : tensor<1x4xf32>, tensor<1x4xf32>
}
