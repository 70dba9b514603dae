// Testbench wrapper: loom_dwu with fixed memory file names (w.mem, b.mem, m.mem, la.mem in the
// working directory) so only integer parameters need -G overrides.
module tb_dwu_top #(
  parameter int C = 4, KK = 4, SIMD = 2, PE = 2, IN_BEAT = 2,
  parameter int W_IN = 8, W_W = 8, W_ACC = 24, W_OUT = 8, SHIFT = 0, ACT = 0,
  parameter int T_MIN = 0, T_MAX = 0, W_M = 0, BIPOLAR_W = 0, LEAKY_A = 0, W_LA = 0
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
  loom_dwu #(
    .C(C), .KK(KK), .SIMD(SIMD), .PE(PE), .IN_BEAT(IN_BEAT), .W_IN(W_IN), .W_W(W_W),
    .W_ACC(W_ACC), .W_OUT(W_OUT), .SHIFT(SHIFT), .ACT(ACT), .T_MIN(T_MIN), .T_MAX(T_MAX),
    .W_M(W_M), .BIPOLAR_W(BIPOLAR_W), .LEAKY_A(LEAKY_A), .W_LA(W_LA), .W_FILE("w.mem"),
    .B_FILE("b.mem"), .M_FILE("m.mem"), .LA_FILE("la.mem")
  ) u_dwu (.wt_data('0), .wt_addr('0), .wt_valid(1'b0), .*);
endmodule
