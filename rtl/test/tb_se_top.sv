// Squeeze-and-excitation shaped DAG for the RTL-vs-hw_model test (tb_se.cpp): a global
// window (the whole frame) behind a fork, so the skip FIFO holds a whole frame and fills
// up while the global pool waits for the frame's last beat.
//   in (C channels, HW x HW, L lanes) -> fork
//     fork.out0 -> skip loom_fifo (DEPTH = SKIP) -> add.in0
//     fork.out1 -> swg (HW x HW window, ROWS 2*HW) -> max pool (KK = HW*HW)
//               -> upsample 1x1 -> HW x HW -> loom_fifo (DEPTH 2) -> add.in1
//   add (sat(a + b), L lanes) -> out
// The same structure as an nn-to-df global-pool side branch joined to the main branch.
module tb_se_top #(
  parameter int C = 4, HW = 4, L = 4,
  parameter int SKIP = 38
) (
  input  logic           clk,
  input  logic           rst,
  input  logic [L*8-1:0] in_data,
  input  logic           in_valid,
  output logic           in_ready,
  output logic [L*8-1:0] out_data,
  output logic           out_valid,
  input  logic           out_ready
);
  logic [L*8-1:0] f0d, f1d, sd, wd, pd, ud, bd;
  logic f0v, f0r, f1v, f1r, sv, sr, wv, wr, pv, pr, uv, ur, bv, br;

  loom_fork #(.W(L * 8)) u_fork (.clk, .rst, .in_data, .in_valid, .in_ready,
    .out0_data(f0d), .out0_valid(f0v), .out0_ready(f0r),
    .out1_data(f1d), .out1_valid(f1v), .out1_ready(f1r));
  loom_fifo #(.W(L * 8), .DEPTH(SKIP)) u_skip (.clk, .rst, .in_data(f0d), .in_valid(f0v),
    .in_ready(f0r), .out_data(sd), .out_valid(sv), .out_ready(sr));
  loom_swg #(.C(C), .H(HW), .W(HW), .KH(HW), .KW(HW), .PT(0), .PL(0), .PB(0), .PR(0),
    .IN_BEAT(L), .OUT_BEAT(L), .WB(8), .PAD_VAL(-128), .ROWS(2 * HW)) u_swg (.clk, .rst,
    .in_data(f1d), .in_valid(f1v), .in_ready(f1r), .out_data(wd), .out_valid(wv),
    .out_ready(wr));
  loom_pool #(.MODE(0), .C(C), .KK(HW * HW), .IN_BEAT(L), .PE(L), .WB(8), .NPIX(1)) u_pool (
    .clk, .rst, .in_data(wd), .in_valid(wv), .in_ready(wr), .out_data(pd), .out_valid(pv),
    .out_ready(pr));
  loom_upsample #(.C(C), .H(1), .W(1), .SH(HW), .SW(HW), .LANES(L), .WB(8)) u_up (.clk, .rst,
    .in_data(pd), .in_valid(pv), .in_ready(pr), .out_data(ud), .out_valid(uv),
    .out_ready(ur));
  loom_fifo #(.W(L * 8), .DEPTH(2)) u_bfifo (.clk, .rst, .in_data(ud), .in_valid(uv),
    .in_ready(ur), .out_data(bd), .out_valid(bv), .out_ready(br));
  loom_add #(.LANES(L), .WB(8), .MODE(0)) u_add (.clk, .rst,
    .in0_data(sd), .in0_valid(sv), .in0_ready(sr), .in1_data(bd), .in1_valid(bv),
    .in1_ready(br), .out_data, .out_valid, .out_ready);
endmodule
