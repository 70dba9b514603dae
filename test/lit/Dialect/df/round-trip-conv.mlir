// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// The convolutional df ops (swg, dwu, pool, fork, join, concat, and an mvu
// doing several vectors per frame) parse, print and re-parse.

// CHECK-LABEL: func.func @conv_graph()
func.func @conv_graph() {
  // CHECK: %[[IN:.*]] = df.input "x" {loom.perm = array<i64: 0, 4, 1, 5, 2, 6, 3, 7>} : <i8, 2, [8]>
  %in = df.input "x" {loom.perm = array<i64: 0, 4, 1, 5, 2, 6, 3, 7>} : !df.stream<i8, 2, [8]>
  // 2 channels, 2x2 map, 2x2 kernel, pad 1 on the bottom/right: 2x2 outputs of 8.
  // CHECK: %[[W:.*]] = df.swg %[[IN]] {channels = 2 : i64, dilations = array<i64: 1, 1>, height = 2 : i64, kernel = array<i64: 2, 2>, pad_value = 0 : i64, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 1, 1>, width = 2 : i64} : <i8, 2, [8]> -> <i8, 2, [32]>
  %w = df.swg %in {channels = 2 : i64, height = 2 : i64, width = 2 : i64, kernel = array<i64: 2, 2>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>,
                   pad_value = 0 : i64} : !df.stream<i8, 2, [8]> -> !df.stream<i8, 2, [32]>
  // CHECK: %[[F0:.*]], %[[F1:.*]] = df.fork %[[W]] : <i8, 2, [32]>
  %f0, %f1 = df.fork %w : !df.stream<i8, 2, [32]>
  // Four vectors of K = 8 per frame, N = 2 each.
  // CHECK: %[[M:.*]] = df.mvu %[[F0]] {{{.*}}weight = dense<1> : tensor<2x8xi8>} : <i8, 2, [32]> -> <i8, 1, [8]>
  %m = df.mvu %f0 {weight = dense<1> : tensor<2x8xi8>, bias = dense<0> : tensor<2xi64>, shift = 5 : i64,
                   acc_width = 16 : i64, folding = #df.folding<simd = 2, pe = 1>, act = #df.act<relu>}
       : !df.stream<i8, 2, [32]> -> !df.stream<i8, 1, [8]>
  // CHECK: %[[D:.*]] = df.dwu %[[F1]] {acc_width = 16 : i64, act = #df.act<clip>, bias = dense<[1, 2]> : tensor<2xi64>, folding = #df.folding<simd = 4, pe = 1>, shift = 5 : i64, t_max = 96 : i64, t_min = 0 : i64, weight = dense<2> : tensor<2x4xi8>} : <i8, 2, [32]> -> <i8, 1, [8]>
  %d = df.dwu %f1 {weight = dense<2> : tensor<2x4xi8>, bias = dense<[1, 2]> : tensor<2xi64>, shift = 5 : i64,
                   acc_width = 16 : i64, folding = #df.folding<simd = 4, pe = 1>, act = #df.act<clip>, t_min = 0 : i64, t_max = 96 : i64}
       : !df.stream<i8, 2, [32]> -> !df.stream<i8, 1, [8]>
  // CHECK: %[[FM:.*]] = df.fifo %[[M]] {depth = 2 : i64} : <i8, 1, [8]>
  %fm = df.fifo %m {depth = 2 : i64} : !df.stream<i8, 1, [8]>
  // CHECK: %[[J:.*]] = df.join %[[FM]], %[[D]] {frac = 0 : i64, mode = "add"} : <i8, 1, [8]>
  %j = df.join %fm, %d {mode = "add", frac = 0 : i64} : !df.stream<i8, 1, [8]>
  // CHECK: %[[J0:.*]], %[[J1:.*]] = df.fork %[[J]] : <i8, 1, [8]>
  // CHECK: %[[P:.*]] = df.join %[[J0]], %[[J1]] {frac = 5 : i64, mode = "mul"} : <i8, 1, [8]>
  %j0, %j1 = df.fork %j : !df.stream<i8, 1, [8]>
  %p = df.join %j0, %j1 {mode = "mul", frac = 5 : i64} : !df.stream<i8, 1, [8]>
  // 2x2 map of 2 channels -> 1x1 max over a 2x2 window (KK = 4).
  // CHECK: df.swg %[[P]] {{.*}}pad_value = -128 : i64{{.*}} : <i8, 1, [8]> -> <i8, 1, [8]>
  %pw = df.swg %p {channels = 2 : i64, height = 2 : i64, width = 2 : i64, kernel = array<i64: 2, 2>,
                   strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                   pad_value = -128 : i64} : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [8]>
  // CHECK: %[[MAX:.*]] = df.pool %{{.*}} {channels = 2 : i64, folding = #df.folding<simd = 1, pe = 2>, mode = "max", taps = 4 : i64} : <i8, 1, [8]> -> <i8, 2, [2]>
  %max = df.pool %pw {mode = "max", channels = 2 : i64, taps = 4 : i64, folding = #df.folding<simd = 1, pe = 2>}
         : !df.stream<i8, 1, [8]> -> !df.stream<i8, 2, [2]>
  // CHECK: df.pool %{{.*}} {channels = 2 : i64, divisors = dense<3> : tensor<1xi64>, folding = #df.folding<simd = 1, pe = 1>, mode = "avg", taps = 4 : i64} : <i8, 1, [8]> -> <i8, 1, [2]>
  %a0 = df.input "z" : !df.stream<i8, 1, [8]>
  %avg = df.pool %a0 {mode = "avg", channels = 2 : i64, taps = 4 : i64, folding = #df.folding<simd = 1, pe = 1>, divisors = dense<3> : tensor<1xi64>}
         : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [2]>
  // CHECK: df.concat %[[MAX]], %{{.*}} {lhs_channels = 2 : i64, rhs_channels = 4 : i64} : <i8, 2, [2]>, <i8, 2, [4]> -> <i8, 2, [6]>
  %other = df.input "w" : !df.stream<i8, 2, [4]>
  %cat = df.concat %max, %other {lhs_channels = 2 : i64, rhs_channels = 4 : i64}
         : !df.stream<i8, 2, [2]>, !df.stream<i8, 2, [4]> -> !df.stream<i8, 2, [6]>
  df.output %cat, "y" : !df.stream<i8, 2, [6]>
  df.output %avg, "v" : !df.stream<i8, 1, [2]>
  return
}
