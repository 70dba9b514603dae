// RUN: loom-opt %s --df-to-rtl="aresetn=true" | FileCheck %s
// RUN: loom-opt %s --df-to-rtl | FileCheck %s --check-prefix=RST

// --aresetn: the top's reset port is aresetn; loom_reset_n turns it into the rst every
// instance takes. A 16-bit stream needs no padding, so no loom_axis_width is emitted.
// CHECK:         rtl.module @g attributes {input_names = ["clk", "aresetn", "s_axis_tdata",
// CHECK-NEXT:    ^bb0(%[[CLK:[a-z0-9]+]]: i1, %[[ARESETN:[a-z0-9]+]]: i1, %[[SDATA:[a-z0-9]+]]: i16,
// CHECK-NEXT:      %[[RESET:[0-9]+]] = rtl.instance "reset_n" @loom_reset_n {}(%[[ARESETN]]) {input_names = ["aresetn"], output_names = ["rst"]} : (i1) -> i1
// CHECK-NOT:       loom_axis_width
// CHECK:           rtl.instance "pass" @loom_skid {W = 16 : i64}(%[[CLK]], %[[RESET]], %[[SDATA]],
// CHECK:           rtl.instance "out_tlast" @loom_tlast_gen {BEATS = 3 : i64, W = 16 : i64}(%[[CLK]], %[[RESET]],
// RST:           rtl.module @g attributes {input_names = ["clk", "rst", "s_axis_tdata",
// RST-NOT:         loom_reset_n
func.func @g() {
  %in = df.input "x" : !df.stream<i8, 2, [6]>
  %s = df.skid %in : !df.stream<i8, 2, [6]>
  df.output %s, "y" : !df.stream<i8, 2, [6]>
  return
}
