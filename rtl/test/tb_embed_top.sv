// Testbench wrapper: loom_embed reading e.mem / p.mem from the working directory.
module tb_embed_top #(
  parameter int V = 4, C = 4, T = 2, OUT_BEAT = 1, W_ID = 2, W_OUT = 8, POS = 0,
  parameter int LO = -128, HI = 127
) (
  input  logic                      clk,
  input  logic                      rst,
  input  logic [W_ID-1:0]           in_data,
  input  logic                      in_valid,
  output logic                      in_ready,
  output logic [OUT_BEAT*W_OUT-1:0] out_data,
  output logic                      out_valid,
  input  logic                      out_ready
);
  // ROM tables: the weight-load bus is idle
  logic [31:0] wt_data, wt_addr;
  logic        wt_valid;
  assign wt_data  = '0;
  assign wt_addr  = '0;
  assign wt_valid = 1'b0;
  loom_embed #(
    .V(V), .C(C), .T(T), .OUT_BEAT(OUT_BEAT), .W_ID(W_ID), .W_OUT(W_OUT), .POS(POS),
    .LO(LO), .HI(HI), .E_FILE("e.mem"), .P_FILE("p.mem")
  ) u_embed (.*);
endmodule
