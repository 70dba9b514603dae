// Regression test (was XFAIL) for a bug fixed in the working tree:
// passes/NNToDF.cpp, lowerFunc: when a qdense absorbs the relu/lut
// that follows it, only the *activation's* result is mapped to the mvu
// (`streams[result] = mvu`). When the loop then reaches the activation op, the
// generic `streams.lookup(op.getOperand(0))` runs before the ReluOp/LutOp
// branch; the qdense result has no stream, so every dense + activation fails
// with "node 'relu0' (nn.relu): its input is not a hardware stream".
//
// RUN: loom-opt %s --nn-to-df | FileCheck %s

// relu after fc0 and the sigmoid table after fc1 become the mvus' `act`; the
// table attributes move onto the mvu unchanged. The mvu keeps the dense
// layer's node name.
// CHECK-LABEL: func.func @mlp()
// CHECK-NEXT:    %[[IN:.*]] = df.input "x" {loom.frac = 10 : i64} : <i16, 1, [4]>
// CHECK-NEXT:    %[[M0:.*]] = df.mvu %[[IN]] {acc_width = 25 : i64, act = #df.act<relu>, bias = dense<[1, 2, 3]> : tensor<3xi64>, folding = #df.folding<simd = 1, pe = 1>, onnx.node = "fc0", shift = 10 : i64, weight = dense<{{\[}}[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]> : tensor<3x4xi16>} : <i16, 1, [4]> -> <i16, 1, [3]>
// CHECK-NEXT:    %[[M1:.*]] = df.mvu %[[M0]] {acc_width = 20 : i64, act = #df.act<table>, bias = dense<0> : tensor<2xi64>, folding = #df.folding<simd = 1, pe = 1>, onnx.node = "fc1", shift = 10 : i64, t_max = 7 : i64, t_min = 0 : i64, t_shift = 1 : i64, table = dense<[10, 20, 30, 40]> : tensor<4xi16>, table_function = "sigmoid", weight = dense<1> : tensor<2x3xi16>} : <i16, 1, [3]> -> <i16, 1, [2]>
// CHECK-NEXT:    %[[M2:.*]] = df.mvu %[[M1]] {{{.*}}act = #df.act<table>{{.*}}onnx.node = "fc2"{{.*}}t_max = 3 : i64, t_min = 0 : i64, t_shift = 0 : i64, table = dense<[1, 2, 3, 4]> : tensor<4xi16>, table_function = "tanh"{{.*}}} : <i16, 1, [2]> -> <i16, 1, [2]>
// CHECK-NEXT:    df.output %[[M2]], "y" {loom.frac = 10 : i64} : <i16, 1, [2]>
// CHECK-NOT:   nn.
func.func @mlp(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x2xf32> {onnx.name = "y"}) {
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  %d0 = nn.qdense %q {weight = dense<[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]> : tensor<3x4xi16>,
                      bias = dense<[1, 2, 3]> : tensor<3xi64>, shift = 10 : i64, acc_width = 25 : i64,
                      onnx.node = "fc0"} : tensor<1x4xi16> -> tensor<1x3xi16>
  %a0 = nn.relu %d0 {onnx.node = "relu0"} : tensor<1x3xi16>
  %d1 = nn.qdense %a0 {weight = dense<1> : tensor<2x3xi16>, bias = dense<0> : tensor<2xi64>,
                       shift = 10 : i64, acc_width = 20 : i64, onnx.node = "fc1"} : tensor<1x3xi16> -> tensor<1x2xi16>
  %a1 = nn.lut %d1 {function = "sigmoid", t_min = 0 : i64, t_max = 7 : i64, t_shift = 1 : i64,
                    table = dense<[10, 20, 30, 40]> : tensor<4xi16>, onnx.node = "sig"} : tensor<1x2xi16>
  %d2 = nn.qdense %a1 {weight = dense<1> : tensor<2x2xi16>, bias = dense<0> : tensor<2xi64>,
                       shift = 10 : i64, acc_width = 20 : i64, onnx.node = "fc2"} : tensor<1x2xi16> -> tensor<1x2xi16>
  %a2 = nn.lut %d2 {function = "tanh", t_min = 0 : i64, t_max = 3 : i64, t_shift = 0 : i64,
                    table = dense<[1, 2, 3, 4]> : tensor<4xi16>} : tensor<1x2xi16>
  %y = nn.dequantize %a2 {frac = 10 : i64} : tensor<1x2xi16> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
