// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// The convolutional nn ops (conv, qconv, max_pool, avg_pool, pad, clip,
// transpose, concat, add_act, mul) parse, print and re-parse, on floats and,
// where allowed, on integers.

// CHECK-LABEL: func.func @conv_graph(%arg0: tensor<1x2x4x4xf32>) -> tensor<1x4x2x2xf32> {
// CHECK-NEXT: %0 = nn.pad %arg0 {pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x6x6xf32>
// CHECK-NEXT: %1 = nn.conv %0 {bias = dense<[1.000000e+00, -1.000000e+00]> : tensor<2xf32>, dilations = array<i64: 1, 1>, group = 1 : i64, onnx.node = "conv0", onnx.op = "Conv", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, weight = dense<5.000000e-01> : tensor<2x2x3x3xf32>} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %2 = nn.clip %1 {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<1x2x4x4xf32>
// CHECK-NEXT: %3 = nn.conv %2 {bias = dense<0.000000e+00> : tensor<2xf32>, dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, weight = dense<2.500000e-01> : tensor<2x1x3x3xf32>} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %4 = nn.add_act %3, %2 : tensor<1x2x4x4xf32>
// CHECK-NEXT: %5 = nn.constant dense<2.000000e+00> : tensor<1x2x1x1xf32>
// CHECK-NEXT: %6 = nn.mul %4, %5 : tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32> -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %7 = nn.max_pool %6 {dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT: %8 = nn.avg_pool %6 {count_include_pad = false, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT: %9 = nn.concat %7, %8 {axis = 1 : i64} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32> -> tensor<1x4x2x2xf32>
// CHECK-NEXT: %10 = nn.transpose %9 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x2xf32> -> tensor<1x2x2x4xf32>
// CHECK-NEXT: %11 = nn.transpose %10 {perm = array<i64: 0, 3, 1, 2>} : tensor<1x2x2x4xf32> -> tensor<1x4x2x2xf32>
// CHECK-NEXT: return %11 : tensor<1x4x2x2xf32>
// CHECK-LABEL: func.func @qconv(%arg0: tensor<1x2x3x3xi8>) -> tensor<1x3x3x3xi8> {
// CHECK-NEXT: %0 = nn.qconv %arg0 {acc_width = 17 : i64, bias = dense<[1, 2, 3]> : tensor<3xi64>, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, shift = 5 : i64, strides = array<i64: 1, 1>, weight = dense<3> : tensor<3x2x1x1xi8>} : tensor<1x2x3x3xi8> -> tensor<1x3x3x3xi8>
// CHECK-NEXT: %1 = nn.add_act %0, %0 : tensor<1x3x3x3xi8>
// CHECK-NEXT: %2 = nn.clip %1 {max = 9.600000e+01 : f64, min = 0.000000e+00 : f64} : tensor<1x3x3x3xi8>
// CHECK-NEXT: return %2 : tensor<1x3x3x3xi8>

func.func @conv_graph(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x2x2xf32> {
  %p = nn.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x6x6xf32>
  %c = nn.conv %p {weight = dense<0.5> : tensor<2x2x3x3xf32>, bias = dense<[1.0, -1.0]> : tensor<2xf32>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, onnx.node = "conv0", onnx.op = "Conv"} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  %cl = nn.clip %c {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x2x4x4xf32>
  %dw = nn.conv %cl {weight = dense<0.25> : tensor<2x1x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64} : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %r = nn.add_act %dw, %cl : tensor<1x2x4x4xf32>
  %k = nn.constant dense<2.0> : tensor<1x2x1x1xf32>
  %m = nn.mul %r, %k : tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32> -> tensor<1x2x4x4xf32>
  %mp = nn.max_pool %m {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %ap = nn.avg_pool %m {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, count_include_pad = false} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %cat = nn.concat %mp, %ap {axis = 1 : i64} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32> -> tensor<1x4x2x2xf32>
  %t = nn.transpose %cat {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x2xf32> -> tensor<1x2x2x4xf32>
  %t2 = nn.transpose %t {perm = array<i64: 0, 3, 1, 2>} : tensor<1x2x2x4xf32> -> tensor<1x4x2x2xf32>
  return %t2 : tensor<1x4x2x2xf32>
}

func.func @qconv(%x: tensor<1x2x3x3xi8>) -> tensor<1x3x3x3xi8> {
  %q = nn.qconv %x {weight = dense<3> : tensor<3x2x1x1xi8>, bias = dense<[1, 2, 3]> : tensor<3xi64>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, shift = 5 : i64, acc_width = 17 : i64} : tensor<1x2x3x3xi8> -> tensor<1x3x3x3xi8>
  %a = nn.add_act %q, %q : tensor<1x3x3x3xi8>
  %c = nn.clip %a {min = 0.0 : f64, max = 96.0 : f64} : tensor<1x3x3x3xi8>
  return %c : tensor<1x3x3x3xi8>
}
