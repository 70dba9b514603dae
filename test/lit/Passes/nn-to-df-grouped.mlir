// RUN: loom-opt %s --nn-to-df | FileCheck %s

// A grouped conv that is not depthwise (group 2: 4 input channels, 2 output
// channels, 2 input channels per group) runs on the mvu with block-diagonal
// weights: output 0 reads channels 0-1 (weights 1, 2), output 1 channels 2-3
// (weights 3, 4); the other weights are 0. A 1x1 conv without pads or
// strides needs no window generator.
// CHECK-LABEL: func.func @grouped_conv
// CHECK-NOT:  df.swg
// CHECK:      df.mvu {{.*}}weight = dense<{{\[\[}}1, 2, 0, 0], [0, 0, 3, 4]]> : tensor<2x4xi8>
func.func @grouped_conv(%x: tensor<1x4x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %q = nn.quantize %x {frac = 5 : i64} : tensor<1x4x2x2xf32> -> tensor<1x4x2x2xi8>
  %c = nn.qconv %q {weight = dense<[[[[1]], [[2]]], [[[3]], [[4]]]]> : tensor<2x2x1x1xi8>, bias = dense<0> : tensor<2xi64>, strides = array<i64: 1, 1>,
                    dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64, shift = 5 : i64,
                    acc_width = 16 : i64, onnx.node = "g", onnx.op = "Conv"} : tensor<1x4x2x2xi8> -> tensor<1x2x2x2xi8>
  %y = nn.dequantize %c {frac = 5 : i64} : tensor<1x2x2x2xi8> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
