// RUN: loom-opt %S/df-to-rtl-conv.mlir --df-to-rtl="runtime-weights=1" | FileCheck %s

// --runtime-weights on the residual conv graph of df-to-rtl-conv.mlir: the mvu's
// weight and bias memfiles carry their word offsets in the load image instead of
// being $readmemh files (docs/CONTRACTS.md "Weight-load stream"). Expected by hand:
// the weight lines are 4 lanes x 8 bits = 32 bits (1 word each), 9 lines -> words
// 0..8; the bias line is 2 lanes x 20 bits = 40 bits (2 words) -> words 9..10;
// the image is 11 words, loom_wt_bus WORDS = 11.

// CHECK: rtl.memfile "conv_w.mem" {{.*}}lanes = 4 : i64, load_offset = 0 : i64}
// CHECK: rtl.memfile "conv_b.mem" {{.*}}lanes = 2 : i64, load_offset = 9 : i64}
// The weight-load port comes after the stream ports.
// CHECK: rtl.module @{{.*}}input_names = [{{.*}}"m_axis_tready", "s_axis_wt_tdata", "s_axis_wt_tvalid"], output_names = [{{.*}}"m_axis_tlast", "s_axis_wt_tready"]}
// CHECK-NEXT: ^bb0(%[[CLK:.*]]: i1, %[[RST:.*]]: i1, %{{.*}}: i16, %{{.*}}: i1, %{{.*}}: i1, %{{.*}}: i1, %[[WD:.*]]: i32, %[[WV:.*]]: i1):
// CHECK-NEXT: %[[BUS:.*]]:4 = rtl.instance "wt_bus" @loom_wt_bus {WORDS = 11 : i64}(%[[CLK]], %[[RST]], %[[WD]], %[[WV]])
// CHECK: rtl.instance "conv" @loom_mvu {{{.*}}B_OFF = 9 : i64{{.*}}RT_W = 1 : i64{{.*}}W_OFF = 0 : i64{{.*}}}({{.*}}, %[[BUS]]#1, %[[BUS]]#2, %[[BUS]]#3) {input_names = [{{.*}}"wt_data", "wt_addr", "wt_valid"]
// CHECK-NOT: W_FILE
// CHECK: rtl.output {{.*}}, %[[BUS]]#0 :
