// Testbench wrapper: loom_mvu with fixed memory file names (w.mem, b.mem, t.mem, m.mem, la.mem, pb.mem in the
// working directory) so only integer parameters need -G overrides.
module tb_mvu_top #(
  parameter int K = 4, N = 4, SIMD = 2, PE = 2, IN_BEAT = 2,
  parameter int W_IN = 8, W_W = 8, W_ACC = 24, W_OUT = 8, SHIFT = 0, ACT = 0,
  parameter int T_MIN = 0, T_MAX = 0, T_SHIFT = 0, T_DEPTH = 1, LEAKY_A = 0,
  parameter int W_M = 0, BIPOLAR_W = 0, W_LA = 0, W_PB = 0, PIPE = 0, RQ_PIPE = 0
) (
  input  logic                    clk,
  input  logic                    rst,
  input  logic [IN_BEAT*W_IN-1:0] in_data,
  input  logic                    in_valid,
  output logic                    in_ready,
  output logic [PE*W_OUT-1:0]     out_data,
  output logic                    out_valid,
  input  logic                    out_ready
);
  loom_mvu #(
    .K(K), .N(N), .SIMD(SIMD), .PE(PE), .IN_BEAT(IN_BEAT), .W_IN(W_IN), .W_W(W_W),
    .W_ACC(W_ACC), .W_OUT(W_OUT), .SHIFT(SHIFT), .ACT(ACT), .T_MIN(T_MIN), .T_MAX(T_MAX),
    .T_SHIFT(T_SHIFT), .T_DEPTH(T_DEPTH), .LEAKY_A(LEAKY_A), .W_M(W_M), .BIPOLAR_W(BIPOLAR_W),
    .W_LA(W_LA), .W_PB(W_PB), .W_FILE("w.mem"), .B_FILE("b.mem"), .T_FILE("t.mem"),
    .M_FILE("m.mem"), .LA_FILE("la.mem"), .PB_FILE("pb.mem"), .PIPE(PIPE), .RQ_PIPE(RQ_PIPE)
  ) u_mvu (.wt_data('0), .wt_addr('0), .wt_valid(1'b0), .*);
endmodule
