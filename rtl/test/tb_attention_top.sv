// Testbench wrapper: loom_attention reading exp.mem from the working directory.
module tb_attention_top #(
  parameter int T = 4, C = 8, H = 2, IN_BEAT_Q = 1, IN_BEAT_K = 1, IN_BEAT_V = 1, SIMD = 1,
  parameter int CAUSAL = 0, W_IN = 8, W_OUT = 8, W_A = 18, W_S = 18, W_U = 26, W_R = 27,
  parameter int W_M = 2, R = 40, G = 8, M = 1, SH = 8, ZP = 0, LO = -128, HI = 127,
  parameter int EXP_SHIFT = 0, EXP_DEPTH = 1, EXP_BITS = 16,
  parameter int SQ = 0, SM = 1, SSH = 0, SLO = 0, SHI = 0, W_SM = 2,
  parameter int PQ = 0, PM = 1, PK = 0, PLO = 0, PHI = 0, W_PC = 2, DIV_STEPS = R + 1,
  parameter int WINDOW = 0, KB = 0
) (
  input  logic                      clk,
  input  logic                      rst,
  input  logic [IN_BEAT_Q*W_IN-1:0] q_data,
  input  logic                      q_valid,
  output logic                      q_ready,
  input  logic [IN_BEAT_K*W_IN-1:0] k_data,
  input  logic                      k_valid,
  output logic                      k_ready,
  input  logic [IN_BEAT_V*W_IN-1:0] v_data,
  input  logic                      v_valid,
  output logic                      v_ready,
  output logic [W_OUT-1:0]          out_data,
  output logic                      out_valid,
  input  logic                      out_ready
);
  loom_attention #(
    .T(T), .C(C), .H(H), .IN_BEAT_Q(IN_BEAT_Q), .IN_BEAT_K(IN_BEAT_K), .IN_BEAT_V(IN_BEAT_V),
    .SIMD(SIMD), .CAUSAL(CAUSAL), .W_IN(W_IN), .W_OUT(W_OUT), .W_A(W_A), .W_S(W_S), .W_U(W_U),
    .W_R(W_R), .W_M(W_M), .R(R), .G(G), .M(M), .SH(SH), .ZP(ZP), .LO(LO), .HI(HI),
    .EXP_SHIFT(EXP_SHIFT), .EXP_DEPTH(EXP_DEPTH), .EXP_BITS(EXP_BITS), .EXP_FILE("exp.mem"),
    .SQ(SQ), .SM(SM), .SSH(SSH), .SLO(SLO), .SHI(SHI), .W_SM(W_SM), .PQ(PQ), .PM(PM), .PK(PK),
    .PLO(PLO), .PHI(PHI), .W_PC(W_PC), .DIV_STEPS(DIV_STEPS), .WINDOW(WINDOW),
    .KB(KB), .KB_FILE(KB != 0 ? "kb.mem" : "")
  ) u_attention (.*);
endmodule
