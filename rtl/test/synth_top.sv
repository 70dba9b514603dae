// Yosys smoke test top (rtl.synth.yosys): loom_mvu (table) -> loom_softmax.
module syn_top (input logic clk, rst, input logic [31:0] in_data, input logic in_valid, output logic in_ready,
  output logic [7:0] out_data, output logic out_valid, input logic out_ready);
  logic [15:0] a_data; logic a_valid, a_ready;
  loom_mvu #(.K(8), .N(4), .SIMD(4), .PE(2), .IN_BEAT(4), .SHIFT(3), .ACT(2), .T_MIN(-64), .T_MAX(63), .T_SHIFT(2), .T_DEPTH(32),
    .W_FILE("w.mem"), .B_FILE("b.mem"), .T_FILE("t.mem")) u_mvu (.clk(clk), .rst(rst), .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data(in_data), .in_valid(in_valid), .in_ready(in_ready),
    .out_data(a_data), .out_valid(a_valid), .out_ready(a_ready));
  loom_softmax #(.N(4), .IN_BEAT(2), .W(8), .F(4), .EXP_DEPTH(256), .EXP_FILE("exp.mem")) u_sm (.clk(clk), .rst(rst), .in_data(a_data), .in_valid(a_valid), .in_ready(a_ready),
    .out_data(out_data), .out_valid(out_valid), .out_ready(out_ready));
endmodule
