// Regression test: instance and module names come from ONNX node / graph
// names through legalName (passes/DFCost.cpp), which used to let SystemVerilog
// keywords through ("module", "wire", ...: illegal identifiers in the emitted
// .sv). Keywords now get an "_i" suffix (identifiers are case sensitive, so
// "Input" stays). df-to-rtl also keeps instance names off the top module's
// port names ("clk" -> "clk_1").
//
// RUN: loom-opt %s --df-to-rtl | FileCheck %s

// CHECK:      rtl.memfile "module_i_w.mem"
// CHECK:      rtl.module @wire_i
// CHECK:      rtl.instance "module_i" @loom_mvu
// CHECK:      rtl.instance "clk_1" @loom_fifo
// CHECK:      rtl.instance "Input_wire" @loom_mvu
// CHECK:      rtl.instance "out_tlast" @loom_tlast_gen
func.func @wire() {
  %in = df.input "x" : !df.stream<i8, 1, [2]>
  %m = df.mvu %in {weight = dense<1> : tensor<2x2xi8>, bias = dense<0> : tensor<2xi64>, shift = 0 : i64,
                   acc_width = 12 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>, onnx.node = "module"}
       : !df.stream<i8, 1, [2]> -> !df.stream<i8, 1, [2]>
  %f = df.fifo %m {depth = 2 : i64, onnx.node = "clk"} : !df.stream<i8, 1, [2]>
  %m2 = df.mvu %f {weight = dense<1> : tensor<2x2xi8>, bias = dense<0> : tensor<2xi64>, shift = 0 : i64,
                   acc_width = 12 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>, onnx.node = "Input/wire"}
       : !df.stream<i8, 1, [2]> -> !df.stream<i8, 1, [2]>
  df.output %m2, "y" : !df.stream<i8, 1, [2]>
  return
}
