// Regression test (was XFAIL), fixed. The bug (passes/DFToRTL.cpp, lower(): `stream("loom_tlast_gen", "out_tlast", ...)`
// after `used.insert("")`): the closing tlast generator is always named
// "out_tlast" without going through uniqueName, and "out_tlast" is never
// reserved, so an ONNX node called "out_tlast" yields two instances with that
// name and duplicate nets (out_tlast_in_ready, ...) in the emitted
// SystemVerilog. Fix (applied): `used.insert("out_tlast")` before the actor
// loop (the actor then becomes out_tlast_1).
//
// RUN: loom-opt %s --df-to-rtl --rtl-export-verilog | grep -c 'logic out_tlast_in_ready;' | FileCheck %s

// Whichever instance keeps the name, its nets must be declared exactly once.
// CHECK: {{^}}1{{$}}
func.func @net() {
  %in = df.input "x" : !df.stream<i8, 1, [2]>
  %m = df.mvu %in {weight = dense<1> : tensor<2x2xi8>, bias = dense<0> : tensor<2xi64>, shift = 0 : i64,
                   acc_width = 12 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>, onnx.node = "out_tlast"}
       : !df.stream<i8, 1, [2]> -> !df.stream<i8, 1, [2]>
  df.output %m, "y" : !df.stream<i8, 1, [2]>
  return
}
