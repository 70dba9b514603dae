// Testbench wrapper: loom_mvu_stream with fixed memory file names (w.mem, b.mem, t.mem,
// m.mem, la.mem, pb.mem in the working directory) so only integer parameters need -G
// overrides; the weight-load bus is a port (RT_W = 1 loads the image through it).
module tb_mvu_stream_top #(
  parameter int K = 12, N = 4, SIMD = 5, IN_BEAT = 4, VECTORS = 7, DW_KK = 0,
  parameter int W_IN = 8, W_W = 8, W_ACC = 24, W_OUT = 8, SHIFT = 0, ACT = 0,
  parameter int T_MIN = 0, T_MAX = 0, T_SHIFT = 0, T_DEPTH = 1, LEAKY_A = 0,
  parameter int W_M = 0, BIPOLAR_W = 0, W_LA = 0, W_PB = 0, PIPE = 0, RQ_PIPE = 0,
  parameter int RT_W = 0, W_OFF = 0, B_OFF = 0
) (
  input  logic                    clk,
  input  logic                    rst,
  input  logic [31:0]             wt_data,
  input  logic [31:0]             wt_addr,
  input  logic                    wt_valid,
  input  logic [IN_BEAT*W_IN-1:0] in_data,
  input  logic                    in_valid,
  output logic                    in_ready,
  output logic [N*W_OUT-1:0]      out_data,
  output logic                    out_valid,
  input  logic                    out_ready
);
  loom_mvu_stream #(
    .K(K), .N(N), .SIMD(SIMD), .PE(N), .IN_BEAT(IN_BEAT), .VECTORS(VECTORS), .W_IN(W_IN),
    .W_W(W_W), .W_ACC(W_ACC), .W_OUT(W_OUT), .SHIFT(SHIFT), .ACT(ACT), .T_MIN(T_MIN),
    .T_MAX(T_MAX), .T_SHIFT(T_SHIFT), .T_DEPTH(T_DEPTH), .LEAKY_A(LEAKY_A), .W_M(W_M),
    .BIPOLAR_W(BIPOLAR_W), .W_LA(W_LA), .W_PB(W_PB), .W_FILE("w.mem"), .B_FILE("b.mem"),
    .T_FILE("t.mem"), .M_FILE("m.mem"), .LA_FILE("la.mem"), .PB_FILE("pb.mem"),
    .DW_KK(DW_KK), .PIPE(PIPE), .RQ_PIPE(RQ_PIPE), .RT_W(RT_W), .W_OFF(W_OFF), .B_OFF(B_OFF)
  ) u_unit (.*);
endmodule
