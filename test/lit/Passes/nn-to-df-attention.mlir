// RUN: loom-opt %s --split-input-file --verify-diagnostics --nn-to-df | FileCheck %s

// nn.qattention becomes one df.attention actor reading three streams, each through
// a FIFO (df-fold sizes them); rows = T, channels = C, the integer attributes copied,
// folding simd 1 (df-fold chooses), one code per output beat.
// CHECK-LABEL: func.func @rows()
// CHECK-DAG: %[[Q:.*]] = df.input "q"
// CHECK-DAG: %[[K:.*]] = df.input "k"
// CHECK-DAG: %[[V:.*]] = df.input "v"
// CHECK: %[[FQ:.*]] = df.fifo %[[Q]]
// CHECK: %[[FK:.*]] = df.fifo %[[K]]
// CHECK: %[[FV:.*]] = df.fifo %[[V]]
// CHECK: %[[A:.*]] = df.attention %[[FQ]], %[[FK]], %[[FV]] {causal = false, channels = 4 : i64, exp_shift = 0 : i64, exp_table = dense<[32768, 100]> : tensor<2xi17>, folding = #df.folding<simd = 1, pe = 1>, heads = 2 : i64, hi = 127 : i64, lo = -128 : i64, mult = 1 : i64, onnx.node = "att", rows = 3 : i64, shift = 8 : i64, zp = 0 : i64} : <i8, 1, [12]>, <i8, 1, [12]>, <i8, 1, [12]> -> <i8, 1, [12]>
// CHECK-NEXT: df.output %[[A]], "y"
func.func @rows(%q: tensor<3x4xf32> {onnx.name = "q"}, %k: tensor<3x4xf32> {onnx.name = "k"},
                %v: tensor<3x4xf32> {onnx.name = "v"}) -> (tensor<3x4xf32> {onnx.name = "y"}) {
  %qq = nn.quantize %q {frac = 4 : i64} : tensor<3x4xf32> -> tensor<3x4xi8>
  %kq = nn.quantize %k {frac = 4 : i64} : tensor<3x4xf32> -> tensor<3x4xi8>
  %vq = nn.quantize %v {frac = 4 : i64} : tensor<3x4xf32> -> tensor<3x4xi8>
  %y = nn.qattention %qq, %kq, %vq {heads = 2 : i64, causal = false, exp_shift = 0 : i64,
                                   exp_table = dense<[32768, 100]> : tensor<2xi17>, mult = 1 : i64,
                                   shift = 8 : i64, zp = 0 : i64, lo = -128 : i64, hi = 127 : i64,
                                   onnx.node = "att"}
       : tensor<3x4xi8>, tensor<3x4xi8>, tensor<3x4xi8> -> tensor<3x4xi8>
  %d = nn.dequantize %y {frac = 4 : i64} : tensor<3x4xi8> -> tensor<3x4xf32>
  return %d : tensor<3x4xf32>
}

// -----

// Rows that are not contiguous in the stream (a transpose before it) are refused,
// naming the node.
func.func @transposed(%q: tensor<4x3xf32> {onnx.name = "q"}) -> (tensor<3x4xf32> {onnx.name = "y"}) {
  %qq = nn.quantize %q {frac = 4 : i64} : tensor<4x3xf32> -> tensor<4x3xi8>
  %t = nn.transpose %qq {perm = array<i64: 1, 0>} : tensor<4x3xi8> -> tensor<3x4xi8>
  // expected-error @+1 {{node 'att' (MatMul): its q, k or v rows are not contiguous in the stream}}
  %y = nn.qattention %t, %t, %t {heads = 2 : i64, causal = false, exp_shift = 0 : i64,
                                exp_table = dense<[32768, 100]> : tensor<2xi17>, mult = 1 : i64,
                                shift = 8 : i64, zp = 0 : i64, lo = -128 : i64, hi = 127 : i64,
                                onnx.node = "att", onnx.op = "MatMul"}
       : tensor<3x4xi8>, tensor<3x4xi8>, tensor<3x4xi8> -> tensor<3x4xi8>
  %d = nn.dequantize %y {frac = 4 : i64} : tensor<3x4xi8> -> tensor<3x4xf32>
  return %d : tensor<3x4xf32>
}
