// Residual block for the RTL-vs-hw_model DAG test (tb_res.cpp):
//   in (C=4, 4x4) -> swg1 (3x3, pad 1) -> mvu1 (K=36, N=4, relu) -> fork
//     fork.out0 -> swg2 (3x3, pad 1) -> mvu2 (K=36, N=4) -> add.in0
//     fork.out1 -> skip loom_fifo (DEPTH = SKIP, sized by hw_model sizeFifos) -> add.in1
//   add (sat(a + b), 4 lanes) -> out
// Memory files: r1_w/b.mem, r2_w/b.mem.
module tb_res_top #(
  parameter int SKIP = 17,
  parameter int SIMD1 = 12, SIMD2 = 6
) (
  input  logic        clk,
  input  logic        rst,
  input  logic [31:0] in_data,
  input  logic        in_valid,
  output logic        in_ready,
  output logic [31:0] out_data,
  output logic        out_valid,
  input  logic        out_ready
);
  logic [95:0] w1d, w2d;
  logic [31:0] m1d, f0d, f1d, sd, m2d;
  logic w1v, w1r, m1v, m1r, f0v, f0r, f1v, f1r, sv, sr, w2v, w2r, m2v, m2r;

  loom_swg #(.C(4), .H(4), .W(4), .KH(3), .KW(3), .PT(1), .PL(1), .PB(1), .PR(1),
    .IN_BEAT(4), .OUT_BEAT(12), .WB(8)) u_swg1 (.clk, .rst, .in_data, .in_valid, .in_ready,
    .out_data(w1d), .out_valid(w1v), .out_ready(w1r));
  loom_mvu #(.K(36), .N(4), .SIMD(SIMD1), .PE(4), .IN_BEAT(12), .SHIFT(6), .ACT(1),
    .W_FILE("r1_w.mem"), .B_FILE("r1_b.mem")) u_mvu1 (.clk, .rst, .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data(w1d),
    .in_valid(w1v), .in_ready(w1r), .out_data(m1d), .out_valid(m1v), .out_ready(m1r));
  loom_fork #(.W(32)) u_fork (.clk, .rst, .in_data(m1d), .in_valid(m1v), .in_ready(m1r),
    .out0_data(f0d), .out0_valid(f0v), .out0_ready(f0r),
    .out1_data(f1d), .out1_valid(f1v), .out1_ready(f1r));
  loom_swg #(.C(4), .H(4), .W(4), .KH(3), .KW(3), .PT(1), .PL(1), .PB(1), .PR(1),
    .IN_BEAT(4), .OUT_BEAT(12), .WB(8)) u_swg2 (.clk, .rst, .in_data(f0d), .in_valid(f0v),
    .in_ready(f0r), .out_data(w2d), .out_valid(w2v), .out_ready(w2r));
  loom_mvu #(.K(36), .N(4), .SIMD(SIMD2), .PE(4), .IN_BEAT(12), .SHIFT(6), .ACT(0),
    .W_FILE("r2_w.mem"), .B_FILE("r2_b.mem")) u_mvu2 (.clk, .rst, .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data(w2d),
    .in_valid(w2v), .in_ready(w2r), .out_data(m2d), .out_valid(m2v), .out_ready(m2r));
  loom_fifo #(.W(32), .DEPTH(SKIP)) u_skip (.clk, .rst, .in_data(f1d), .in_valid(f1v),
    .in_ready(f1r), .out_data(sd), .out_valid(sv), .out_ready(sr));
  loom_add #(.LANES(4), .WB(8), .MODE(0)) u_add (.clk, .rst,
    .in0_data(m2d), .in0_valid(m2v), .in0_ready(m2r), .in1_data(sd), .in1_valid(sv),
    .in1_ready(sr), .out_data, .out_valid, .out_ready);
endmodule
