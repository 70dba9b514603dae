// Testbench wrapper: loom_softmax_pipe reading exp.mem from the working directory.
module tb_softmax_pipe_top #(
  parameter int N = 4, IN_BEAT = 1, W = 8, F = 4, EXP_SHIFT = 0, EXP_DEPTH = 16,
  parameter int EXP_BITS = 16, OUT_BEAT = IN_BEAT
) (
  input  logic                 clk,
  input  logic                 rst,
  input  logic [IN_BEAT*W-1:0] in_data,
  input  logic                 in_valid,
  output logic                 in_ready,
  output logic [OUT_BEAT*W-1:0] out_data,
  output logic                 out_valid,
  input  logic                 out_ready
);
  loom_softmax_pipe #(
    .N(N), .IN_BEAT(IN_BEAT), .W(W), .F(F), .EXP_SHIFT(EXP_SHIFT), .EXP_DEPTH(EXP_DEPTH),
    .EXP_BITS(EXP_BITS), .OUT_BEAT(OUT_BEAT), .EXP_FILE("exp.mem")
  ) u_softmax (.*);
endmodule
