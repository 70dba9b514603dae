// RUN: loom-opt %s --nn-to-df | FileCheck %s

// nn.qrotary becomes one df.rotary actor: rows = T, channels = C, the integer
// attributes copied, one code per output beat.
// CHECK-LABEL: func.func @rows()
// CHECK: %[[X:.*]] = df.input "x"
// CHECK: %[[R:.*]] = df.rotary %[[X]] {channels = 4 : i64, cos = dense<16384> : tensor<3x4xi16>, head_dim = 4 : i64, hi = 127 : i64, lo = -128 : i64, mult = 1 : i64, onnx.node = "rot", rows = 3 : i64, shift = 14 : i64, sin = dense<-8192> : tensor<3x4xi16>} : <i8, 1, [12]> -> <i8, 1, [12]>
// CHECK-NEXT: df.output %[[R]], "y"
func.func @rows(%x: tensor<3x4xf32> {onnx.name = "x"}) -> (tensor<3x4xf32> {onnx.name = "y"}) {
  %xq = nn.quantize %x {frac = 4 : i64} : tensor<3x4xf32> -> tensor<3x4xi8>
  %y = nn.qrotary %xq {head_dim = 4 : i64, cos = dense<16384> : tensor<3x4xi16>,
                       sin = dense<-8192> : tensor<3x4xi16>, mult = 1 : i64, shift = 14 : i64,
                       lo = -128 : i64, hi = 127 : i64, onnx.node = "rot"}
       : tensor<3x4xi8> -> tensor<3x4xi8>
  %d = nn.dequantize %y {frac = 4 : i64} : tensor<3x4xi8> -> tensor<3x4xf32>
  return %d : tensor<3x4xf32>
}
