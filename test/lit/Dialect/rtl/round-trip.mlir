// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// Every rtl op parses, prints and re-parses. The module body is a graph
// region: %l0 is used (as the first instance's out_ready) before the
// instance that drives it.

// CHECK: rtl.memfile "fc_w.mem" {data = dense<[1, -2, 3, -4]> : tensor<4xi64>, lane_bits = 16 : i64, lanes = 2 : i64}
rtl.memfile "fc_w.mem" {lane_bits = 16 : i64, lanes = 2 : i64, data = dense<[1, -2, 3, -4]> : tensor<4xi64>}

// CHECK-LABEL: rtl.module @top attributes {input_names = ["clk", "rst", "in_data", "in_valid", "out_ready"], output_names = ["in_ready", "out_data", "out_valid"]} {
// CHECK-NEXT: ^bb0(%[[CLK:.*]]: i1, %[[RST:.*]]: i1, %[[D:.*]]: i32, %[[V:.*]]: i1, %[[R:.*]]: i1):
// CHECK-NEXT:   %[[I0:.*]]:3 = rtl.instance "fc" @loom_mvu {K = 4 : i64, W_FILE = "fc_w.mem"}(%[[CLK]], %[[RST]], %[[D]], %[[V]], %[[L0:[0-9]+]]#0) {input_names = ["clk", "rst", "in_data", "in_valid", "out_ready"], output_names = ["in_ready", "out_data", "out_valid"]} : (i1, i1, i32, i1, i1) -> (i1, i16, i1)
// CHECK-NEXT:   %[[L0]]:3 = rtl.instance "last" @loom_tlast_gen {}(%[[CLK]], %[[RST]], %[[I0]]#1, %[[I0]]#2, %[[R]]) {input_names = ["clk", "rst", "in_data", "in_valid", "out_ready"], output_names = ["in_ready", "out_data", "out_valid"]} : (i1, i1, i16, i1, i1) -> (i1, i16, i1)
// CHECK-NEXT:   rtl.output %[[I0]]#0, %[[L0]]#1, %[[L0]]#2 : i1, i16, i1
// CHECK-NEXT: }
rtl.module @top attributes {input_names = ["clk", "rst", "in_data", "in_valid", "out_ready"],
                            output_names = ["in_ready", "out_data", "out_valid"]} {
^bb0(%clk: i1, %rst: i1, %d: i32, %v: i1, %r: i1):
  %i:3 = rtl.instance "fc" @loom_mvu {K = 4 : i64, W_FILE = "fc_w.mem"}(%clk, %rst, %d, %v, %l#0)
      {input_names = ["clk", "rst", "in_data", "in_valid", "out_ready"],
       output_names = ["in_ready", "out_data", "out_valid"]} : (i1, i1, i32, i1, i1) -> (i1, i16, i1)
  %l:3 = rtl.instance "last" @loom_tlast_gen {}(%clk, %rst, %i#1, %i#2, %r)
      {input_names = ["clk", "rst", "in_data", "in_valid", "out_ready"],
       output_names = ["in_ready", "out_data", "out_valid"]} : (i1, i1, i16, i1, i1) -> (i1, i16, i1)
  rtl.output %i#0, %l#1, %l#2 : i1, i16, i1
}

// A module without ports: the terminator is implicit and elided.
// CHECK-LABEL: rtl.module @empty attributes {input_names = [], output_names = []} {
// CHECK-NEXT: }
rtl.module @empty attributes {input_names = [], output_names = []} {
}
