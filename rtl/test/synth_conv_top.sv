// Yosys smoke test top (rtl.synth.yosys_conv): the convolutional / DAG library modules,
// small sizes: swg -> pool (avg, divisor ROM d.mem), swg -> dwu, fork -> add/mul, concat.
module syn_conv_top (input logic clk, rst,
  input logic [15:0] in_data, input logic in_valid, output logic in_ready,
  output logic [15:0] out_data, output logic out_valid, input logic out_ready);
  logic [15:0] f0d, f1d, pd, dd, ad, md;
  logic f0v, f0r, f1v, f1r, pv, pr, dv, dr, av, ar, mv, mr;
  logic [15:0] s1d, s2d;
  logic s1v, s1r, s2v, s2r;
  logic [15:0] g0d, g1d;
  logic g0v, g0r, g1v, g1r;
  loom_fork #(.W(16)) u_fork (.clk, .rst, .in_data, .in_valid, .in_ready,
    .out0_data(f0d), .out0_valid(f0v), .out0_ready(f0r),
    .out1_data(f1d), .out1_valid(f1v), .out1_ready(f1r));
  loom_swg #(.C(2), .H(4), .W(4), .KH(3), .KW(3), .SH(2), .SW(2), .IN_BEAT(2), .OUT_BEAT(2))
    u_s1 (.clk, .rst, .in_data(f0d), .in_valid(f0v), .in_ready(f0r), .out_data(s1d),
    .out_valid(s1v), .out_ready(s1r));
  loom_pool #(.MODE(1), .C(2), .KK(9), .IN_BEAT(2), .PE(2), .NPIX(4), .D_FILE("d.mem"))
    u_p (.clk, .rst, .in_data(s1d), .in_valid(s1v), .in_ready(s1r), .out_data(pd),
    .out_valid(pv), .out_ready(pr));
  loom_swg #(.C(2), .H(4), .W(4), .KH(3), .KW(3), .SH(2), .SW(2), .IN_BEAT(2), .OUT_BEAT(2))
    u_s2 (.clk, .rst, .in_data(f1d), .in_valid(f1v), .in_ready(f1r), .out_data(s2d),
    .out_valid(s2v), .out_ready(s2r));
  loom_dwu #(.C(2), .KK(9), .SIMD(3), .PE(2), .IN_BEAT(2), .SHIFT(3), .ACT(1),
    .W_FILE("dw.mem"), .B_FILE("db.mem")) u_d (.clk, .rst, .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data(s2d), .in_valid(s2v),
    .in_ready(s2r), .out_data(dd), .out_valid(dv), .out_ready(dr));
  loom_fork #(.W(16)) u_fork2 (.clk, .rst, .in_data(pd), .in_valid(pv), .in_ready(pr),
    .out0_data(g0d), .out0_valid(g0v), .out0_ready(g0r),
    .out1_data(g1d), .out1_valid(g1v), .out1_ready(g1r));
  loom_add #(.LANES(2), .WB(8), .MODE(0)) u_add (.clk, .rst, .in0_data(g0d), .in0_valid(g0v),
    .in0_ready(g0r), .in1_data(dd), .in1_valid(dv), .in1_ready(dr), .out_data(ad),
    .out_valid(av), .out_ready(ar));
  loom_add #(.LANES(2), .WB(8), .MODE(1), .F(3)) u_mul (.clk, .rst, .in0_data(ad),
    .in0_valid(av), .in0_ready(ar), .in1_data(g1d), .in1_valid(g1v), .in1_ready(g1r),
    .out_data(md), .out_valid(mv), .out_ready(mr));
  logic [15:0] cd; logic cv, cr;
  assign cd = md; assign cv = mv; assign mr = cr;
  logic [15:0] zd; logic zr;
  assign zd = '0;
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_zr;
  assign unused_zr = zr;
  /* verilator lint_on UNUSEDSIGNAL */
  loom_concat #(.C1(2), .C2(2), .LANES(2), .WB(8)) u_cat (.clk, .rst, .in0_data(cd),
    .in0_valid(cv), .in0_ready(cr), .in1_data(zd), .in1_valid(cv), .in1_ready(zr),
    .out_data, .out_valid, .out_ready);
endmodule
