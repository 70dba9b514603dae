// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// Every df op and the !df.stream type parse, print and re-parse. Inside df
// ops the printer elides the dialect prefix of the stream type (`<i16, 2, [4]>`).

// CHECK-LABEL: func.func @graph()
func.func @graph() {
  // CHECK: %[[IN:.*]] = df.input "x" {loom.frac = 10 : i64} : <i16, 2, [4]>
  %in = df.input "x" {loom.frac = 10 : i64} : !df.stream<i16, 2, [4]>
  // CHECK: %[[M0:.*]] = df.mvu %[[IN]] {acc_width = 28 : i64, act = #df.act<relu>, bias = dense<[1, -1]> : tensor<2xi64>, folding = #df.folding<simd = 2, pe = 2>, onnx.node = "fc0", shift = 10 : i64, weight = dense<{{\[}}[1, 2, 3, 4], [5, 6, 7, 8]]> : tensor<2x4xi16>} : <i16, 2, [4]> -> <i16, 2, [2]>
  %m0 = df.mvu %in {weight = dense<[[1, 2, 3, 4], [5, 6, 7, 8]]> : tensor<2x4xi16>,
                    bias = dense<[1, -1]> : tensor<2xi64>, shift = 10 : i64, acc_width = 28 : i64,
                    folding = #df.folding<simd = 2, pe = 2>, act = #df.act<relu>, onnx.node = "fc0"}
        : !df.stream<i16, 2, [4]> -> !df.stream<i16, 2, [2]>
  // CHECK: %[[F:.*]] = df.fifo %[[M0]] {depth = 4 : i64} : <i16, 2, [2]>
  %f = df.fifo %m0 {depth = 4 : i64} : !df.stream<i16, 2, [2]>
  // CHECK: %[[M1:.*]] = df.mvu %[[F]] {acc_width = 20 : i64, act = #df.act<table>, bias = dense<0> : tensor<3xi64>, folding = #df.folding<simd = 1, pe = 1>, shift = 10 : i64, t_max = 3 : i64, t_min = -4 : i64, t_shift = 1 : i64, table = dense<[1, 2, 3, 4]> : tensor<4xi16>, table_function = "sigmoid", weight = dense<1> : tensor<3x2xi16>} : <i16, 2, [2]> -> <i16, 1, [3]>
  %m1 = df.mvu %f {weight = dense<1> : tensor<3x2xi16>, bias = dense<0> : tensor<3xi64>,
                   shift = 10 : i64, acc_width = 20 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<table>, table_function = "sigmoid", t_min = -4 : i64, t_max = 3 : i64, t_shift = 1 : i64,
                   table = dense<[1, 2, 3, 4]> : tensor<4xi16>}
        : !df.stream<i16, 2, [2]> -> !df.stream<i16, 1, [3]>
  // CHECK: %[[M2:.*]] = df.mvu %[[M1]] {{{.*}}act = #df.act<none>{{.*}}} : <i16, 1, [3]> -> <i16, 1, [3]>
  %m2 = df.mvu %m1 {weight = dense<1> : tensor<3x3xi16>, bias = dense<0> : tensor<3xi64>,
                    shift = 0 : i64, acc_width = 20 : i64, folding = #df.folding<simd = 3, pe = 1>, act = #df.act<none>}
        : !df.stream<i16, 1, [3]> -> !df.stream<i16, 1, [3]>
  // CHECK: %[[M3:.*]] = df.mvu %[[M2]] {{{.*}}act = #df.act<table>{{.*}}table_function = "tanh"{{.*}}} : <i16, 1, [3]> -> <i16, 1, [3]>
  %m3 = df.mvu %m2 {weight = dense<1> : tensor<3x3xi16>, bias = dense<0> : tensor<3xi64>,
                    shift = 0 : i64, acc_width = 20 : i64, folding = #df.folding<simd = 1, pe = 1>,
                    act = #df.act<table>, table_function = "tanh", t_min = 0 : i64, t_max = 0 : i64, t_shift = 0 : i64,
                    table = dense<5> : tensor<1xi16>}
        : !df.stream<i16, 1, [3]> -> !df.stream<i16, 1, [3]>
  // CHECK: %[[SM:.*]] = df.softmax %[[M3]] {exp_frac = 15 : i64, exp_shift = 4 : i64, exp_table = dense<[32768, 16384]> : tensor<2xi17>, frac = 10 : i64} : <i16, 1, [3]> -> <i16, 1, [1, 3]>
  %sm = df.softmax %m3 {frac = 10 : i64, exp_shift = 4 : i64, exp_frac = 15 : i64,
                        exp_table = dense<[32768, 16384]> : tensor<2xi17>}
        : !df.stream<i16, 1, [3]> -> !df.stream<i16, 1, [1, 3]>
  // CHECK: df.output %[[SM]], "y" {loom.frac = 10 : i64} : <i16, 1, [1, 3]>
  df.output %sm, "y" {loom.frac = 10 : i64} : !df.stream<i16, 1, [1, 3]>
  return
}

// A stream type on its own (e.g. as a function argument).
// CHECK-LABEL: func.func private @types
// CHECK-SAME: !df.stream<i8, 6, [2, 3, 4]>
// CHECK-SAME: !df.stream<i32, 1, [1]>
func.func private @types(!df.stream<i8, 6, [2, 3, 4]>, !df.stream<i32, 1, [1]>)
