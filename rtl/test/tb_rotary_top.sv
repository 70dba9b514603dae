// Testbench wrapper: loom_rotary reading cos.mem / sin.mem from the working directory.
module tb_rotary_top #(
  parameter int T = 2, C = 4, D = 4, IN_BEAT = 1, W_IN = 8, W_OUT = 8, W_ACC = 24, W_M = 2,
  parameter int M = 1, SH = 14, LO = -128, HI = 127
) (
  input  logic                    clk,
  input  logic                    rst,
  input  logic [IN_BEAT*W_IN-1:0] in_data,
  input  logic                    in_valid,
  output logic                    in_ready,
  output logic [W_OUT-1:0]        out_data,
  output logic                    out_valid,
  input  logic                    out_ready
);
  loom_rotary #(
    .T(T), .C(C), .D(D), .IN_BEAT(IN_BEAT), .W_IN(W_IN), .W_OUT(W_OUT), .W_ACC(W_ACC),
    .W_M(W_M), .M(M), .SH(SH), .LO(LO), .HI(HI), .COS_FILE("cos.mem"), .SIN_FILE("sin.mem")
  ) u_rotary (.*);
endmodule
