// RUN: loom-opt %s --split-input-file --df-fold="max-mults=4" | FileCheck %s
// RUN: loom-opt %s --split-input-file --df-fold | FileCheck %s --check-prefix=FREE

// df-fold on residual graphs (DAGs): the two streams meeting at a df.join get
// the same lanes, and the FIFOs in front of the join get their depths from
// the hw_model's simulation. The skip path must hold the frame while the other
// branch computes, so its FIFO ends up deeper than the minimum of 2 (the exact
// depth is the model's, not checked here).

// CHECK-LABEL: func.func @conv_residual
// CHECK-SAME: loom.multipliers = 4 : i64
// CHECK: %[[IN:.*]] = df.input "input" {{.*}} : <i8, 1, [8]>
// CHECK-NEXT: %[[A:.*]], %[[B:.*]] = df.fork %[[IN]] : <i8, 1, [8]>
// The whole budget of 4 goes to the mvu: simd 4 folds K = 18 flat, ceil(2*18/4) = 9
// steps a window (simd 3 took 12). Its window comes in the fewest lanes dividing
// 18 that keep up with 9 steps: 2.
// CHECK-NEXT: %[[W:.*]] = df.swg %[[A]] {{.*}} : <i8, 1, [8]> -> <i8, 2, [72]>
// CHECK-NEXT: %[[M:.*]] = df.mvu %[[W]] {{{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}}} : <i8, 2, [72]> -> <i8, 1, [8]>
// CHECK-NEXT: %[[F0:.*]] = df.fifo %[[M]] {depth = 2 : i64, onnx.node = "res_in0_fifo"} : <i8, 1, [8]>
// CHECK-NEXT: %[[F1:.*]] = df.fifo %[[B]] {depth = {{[3-9]|[1-9][0-9]+}} : i64, onnx.node = "res_in1_fifo"} : <i8, 1, [8]>
// CHECK-NEXT: df.join %[[F0]], %[[F1]] {{{.*}}} : <i8, 1, [8]>
func.func @conv_residual() {
  %0 = df.input "input" {loom.frac = 5 : i64, loom.perm = array<i64: 0, 4, 1, 5, 2, 6, 3, 7>} : !df.stream<i8, 1, [8]>
  %first, %second = df.fork %0 : !df.stream<i8, 1, [8]>
  %1 = df.swg %first {channels = 2 : i64, dilations = array<i64: 1, 1>, height = 2 : i64, kernel = array<i64: 3, 3>, onnx.node = "conv", pad_value = 0 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, width = 2 : i64} : !df.stream<i8, 1, [8]> -> <i8, 1, [72]>
  %2 = df.mvu %1 {acc_width = 16 : i64, act = #df.act<none>, bias = dense<0> : tensor<2xi64>, onnx.node = "conv", folding = #df.folding<simd = 1, pe = 1>, shift = 5 : i64, weight = dense<1> : tensor<2x18xi8>} : !df.stream<i8, 1, [72]> -> <i8, 1, [8]>
  %3 = df.fifo %2 {depth = 2 : i64, onnx.node = "res_in0_fifo"} : !df.stream<i8, 1, [8]>
  %4 = df.fifo %second {depth = 2 : i64, onnx.node = "res_in1_fifo"} : !df.stream<i8, 1, [8]>
  %5 = df.join %3, %4 {frac = 0 : i64, mode = "add", onnx.node = "res", onnx.op = "Add"} : !df.stream<i8, 1, [8]>
  df.output %5, "output" {loom.frac = 5 : i64, loom.perm = array<i64: 0, 4, 1, 5, 2, 6, 3, 7>} : !df.stream<i8, 1, [8]>
  return
}

// -----

// A dense residual: the mvu would like pe > 1 (more output lanes), but the
// skip path carries the 1-lane input, so the join narrows both sides to a
// common width and the mvu is sped up through simd instead.
// CHECK-LABEL: func.func @dense_residual
// CHECK: df.mvu {{.*}}folding = #df.folding<simd = 4, pe = 1>{{.*}} : <i8, 1, [8]> -> <i8, 1, [8]>
// CHECK: df.fifo {{.*}}depth = {{[3-9]|[1-9][0-9]+}} : i64, onnx.node = "res_in1_fifo"} : <i8, 1, [8]>
// CHECK: df.join {{.*}} : <i8, 1, [8]>
// FREE-LABEL: func.func @dense_residual
// FREE: df.mvu {{.*}} : <i8, [[L:[0-9]+]], [8]> -> <i8, [[P:[0-9]+]], [8]>
// FREE: df.join {{.*}} : <i8, [[P]], [8]>
func.func @dense_residual() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  %a, %b = df.fork %in : !df.stream<i8, 1, [8]>
  %m = df.mvu %a {weight = dense<1> : tensor<8x8xi8>, bias = dense<0> : tensor<8xi64>, shift = 5 : i64,
                  acc_width = 16 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<relu>, onnx.node = "fc"}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [8]>
  %f0 = df.fifo %m {depth = 2 : i64, onnx.node = "res_in0_fifo"} : !df.stream<i8, 1, [8]>
  %f1 = df.fifo %b {depth = 2 : i64, onnx.node = "res_in1_fifo"} : !df.stream<i8, 1, [8]>
  %j = df.join %f0, %f1 {mode = "add", frac = 0 : i64, onnx.node = "res"} : !df.stream<i8, 1, [8]>
  df.output %j, "y" : !df.stream<i8, 1, [8]>
  return
}
