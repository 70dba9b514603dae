// Testbench top for the convolutional library (tb_conv.cpp): nineteen small DUT chains
// in ONE verilated model (one build instead of twelve); `sel` picks the chain that sees
// in_valid/out_ready and drives in_ready/out_*. Parameters must match kCases in
// tb_conv.cpp. Memory files (working directory): d4.mem, dw6_w/b.mem, mv7_w/b.mem,
// mv18_w/b.mem.
module tb_conv_top (
  input  logic        clk,
  input  logic        rst,
  input  logic [4:0]  sel,
  input  logic [31:0] in_data,
  input  logic        in_valid,
  output logic        in_ready,
  output logic [31:0] out_data,
  output logic        out_valid,
  input  logic        out_ready
);
  localparam int NC = 19;
  logic [31:0] od [NC];
  logic        ov [NC];
  logic        ir [NC];
  logic        iv [NC];
  logic        orr [NC];
  for (genvar k = 0; k < NC; k++) begin : g_sel
    assign iv[k]  = in_valid && (sel == 5'(k));
    assign orr[k] = out_ready && (sel == 5'(k));
  end
  always_comb begin
    in_ready = 1'b0; out_valid = 1'b0; out_data = '0;
    for (int k = 0; k < NC; k++) begin
      if (sel == 5'(k)) begin
        in_ready = ir[k]; out_valid = ov[k]; out_data = od[k];
      end
    end
  end

  // 0: swg 3x3 pad 1, C=4 6x5, IN_BEAT 2, OUT_BEAT 4
  loom_swg #(.C(4), .H(6), .W(5), .KH(3), .KW(3), .SH(1), .SW(1), .DH(1), .DW(1), .PT(1),
    .PL(1), .PB(1), .PR(1), .IN_BEAT(2), .OUT_BEAT(4), .WB(8)) u0 (.clk, .rst,
    .in_data(in_data[15:0]), .in_valid(iv[0]), .in_ready(ir[0]), .out_data(od[0]),
    .out_valid(ov[0]), .out_ready(orr[0]));

  // 1: swg 3x2, stride (2,3), dilation (2,1), pads t0 l2 b1 r0, OUT_BEAT 3, PAD_VAL -128
  logic [23:0] o1;
  assign od[1] = {8'd0, o1};
  loom_swg #(.C(2), .H(9), .W(8), .KH(3), .KW(2), .SH(2), .SW(3), .DH(2), .DW(1), .PT(0),
    .PL(2), .PB(1), .PR(0), .IN_BEAT(1), .OUT_BEAT(3), .WB(8), .PAD_VAL(-128)) u1 (.clk, .rst,
    .in_data(in_data[7:0]), .in_valid(iv[1]), .in_ready(ir[1]), .out_data(o1),
    .out_valid(ov[1]), .out_ready(orr[1]));

  // 2: maxpool 3x3 s2 p1 (swg PAD_VAL -128) C=4 7x7 -> pool PE 2
  logic [31:0] s2d; logic s2v, s2r; logic [15:0] o2;
  assign od[2] = {16'd0, o2};
  loom_swg #(.C(4), .H(7), .W(7), .KH(3), .KW(3), .SH(2), .SW(2), .DH(1), .DW(1), .PT(1),
    .PL(1), .PB(1), .PR(1), .IN_BEAT(4), .OUT_BEAT(4), .WB(8), .PAD_VAL(-128)) u2s (.clk, .rst,
    .in_data(in_data[31:0]), .in_valid(iv[2]), .in_ready(ir[2]), .out_data(s2d),
    .out_valid(s2v), .out_ready(s2r));
  loom_pool #(.MODE(0), .C(4), .KK(9), .IN_BEAT(4), .PE(2), .WB(8), .NPIX(16)) u2p (.clk, .rst,
    .in_data(s2d), .in_valid(s2v), .in_ready(s2r), .out_data(o2), .out_valid(ov[2]),
    .out_ready(orr[2]));

  // 3: avgpool 3x3 s1 p1 count_include_pad (DIV 9), C=2 5x4, PE 1
  logic [15:0] s3d; logic s3v, s3r; logic [7:0] o3;
  assign od[3] = {24'd0, o3};
  loom_swg #(.C(2), .H(5), .W(4), .KH(3), .KW(3), .SH(1), .SW(1), .DH(1), .DW(1), .PT(1),
    .PL(1), .PB(1), .PR(1), .IN_BEAT(2), .OUT_BEAT(2), .WB(8)) u3s (.clk, .rst,
    .in_data(in_data[15:0]), .in_valid(iv[3]), .in_ready(ir[3]), .out_data(s3d),
    .out_valid(s3v), .out_ready(s3r));
  loom_pool #(.MODE(1), .C(2), .KK(9), .IN_BEAT(2), .PE(1), .WB(8), .NPIX(20), .DIV(9)) u3p (
    .clk, .rst, .in_data(s3d), .in_valid(s3v), .in_ready(s3r), .out_data(o3),
    .out_valid(ov[3]), .out_ready(orr[3]));

  // 4: avgpool 3x3 s2 p1 count_include_pad=0 (divisor ROM d4.mem), C=3 4x4, PE 3
  logic [23:0] s4d; logic s4v, s4r; logic [23:0] o4;
  assign od[4] = {8'd0, o4};
  loom_swg #(.C(3), .H(4), .W(4), .KH(3), .KW(3), .SH(2), .SW(2), .DH(1), .DW(1), .PT(1),
    .PL(1), .PB(1), .PR(1), .IN_BEAT(3), .OUT_BEAT(3), .WB(8)) u4s (.clk, .rst,
    .in_data(in_data[23:0]), .in_valid(iv[4]), .in_ready(ir[4]), .out_data(s4d),
    .out_valid(s4v), .out_ready(s4r));
  loom_pool #(.MODE(1), .C(3), .KK(9), .IN_BEAT(3), .PE(3), .WB(8), .NPIX(4), .DIV(9),
    .D_FILE("d4.mem")) u4p (.clk, .rst, .in_data(s4d), .in_valid(s4v), .in_ready(s4r),
    .out_data(o4), .out_valid(ov[4]), .out_ready(orr[4]));

  // 5: global average pool (KH=H, KW=W), C=4 3x4, PE 4
  logic [31:0] s5d; logic s5v, s5r;
  loom_swg #(.C(4), .H(3), .W(4), .KH(3), .KW(4), .SH(1), .SW(1), .DH(1), .DW(1), .PT(0),
    .PL(0), .PB(0), .PR(0), .IN_BEAT(4), .OUT_BEAT(4), .WB(8)) u5s (.clk, .rst,
    .in_data(in_data[31:0]), .in_valid(iv[5]), .in_ready(ir[5]), .out_data(s5d),
    .out_valid(s5v), .out_ready(s5r));
  loom_pool #(.MODE(1), .C(4), .KK(12), .IN_BEAT(4), .PE(4), .WB(8), .NPIX(1), .DIV(12)) u5p (
    .clk, .rst, .in_data(s5d), .in_valid(s5v), .in_ready(s5r), .out_data(od[5]),
    .out_valid(ov[5]), .out_ready(orr[5]));

  // 6: depthwise 3x3 p1, C=4 5x5 -> dwu SIMD 3 PE 2, relu
  logic [31:0] s6d; logic s6v, s6r; logic [15:0] o6;
  assign od[6] = {16'd0, o6};
  loom_swg #(.C(4), .H(5), .W(5), .KH(3), .KW(3), .SH(1), .SW(1), .DH(1), .DW(1), .PT(1),
    .PL(1), .PB(1), .PR(1), .IN_BEAT(4), .OUT_BEAT(4), .WB(8)) u6s (.clk, .rst,
    .in_data(in_data[31:0]), .in_valid(iv[6]), .in_ready(ir[6]), .out_data(s6d),
    .out_valid(s6v), .out_ready(s6r));
  loom_dwu #(.C(4), .KK(9), .SIMD(3), .PE(2), .IN_BEAT(4), .W_IN(8), .W_W(8), .W_ACC(24),
    .W_OUT(8), .SHIFT(3), .ACT(1), .W_FILE("dw6_w.mem"), .B_FILE("dw6_b.mem")) u6d (
    .clk, .rst, .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data(s6d), .in_valid(s6v), .in_ready(s6r), .out_data(o6),
    .out_valid(ov[6]), .out_ready(orr[6]));

  // 7: conv 3x3 no pad, C=2 4x4 -> mvu K=18 N=4 SIMD 6 PE 2 (4 vectors per frame)
  logic [47:0] s7d; logic s7v, s7r; logic [15:0] o7;
  assign od[7] = {16'd0, o7};
  loom_swg #(.C(2), .H(4), .W(4), .KH(3), .KW(3), .SH(1), .SW(1), .DH(1), .DW(1), .PT(0),
    .PL(0), .PB(0), .PR(0), .IN_BEAT(1), .OUT_BEAT(6), .WB(8)) u7s (.clk, .rst,
    .in_data(in_data[7:0]), .in_valid(iv[7]), .in_ready(ir[7]), .out_data(s7d),
    .out_valid(s7v), .out_ready(s7r));
  loom_mvu #(.K(18), .N(4), .SIMD(6), .PE(2), .IN_BEAT(6), .SHIFT(4), .ACT(0),
    .W_FILE("mv7_w.mem"), .B_FILE("mv7_b.mem")) u7m (.clk, .rst, .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data(s7d),
    .in_valid(s7v), .in_ready(s7r), .out_data(o7), .out_valid(ov[7]), .out_ready(orr[7]));

  // 8: 1-D conv window (H = 1): C=3 W=10, KW=3, SW=2, pads l1 r1, OUT_BEAT 3
  logic [23:0] o8;
  assign od[8] = {8'd0, o8};
  loom_swg #(.C(3), .H(1), .W(10), .KH(1), .KW(3), .SH(1), .SW(2), .DH(1), .DW(1), .PT(0),
    .PL(1), .PB(0), .PR(1), .IN_BEAT(3), .OUT_BEAT(3), .WB(8)) u8 (.clk, .rst,
    .in_data(in_data[23:0]), .in_valid(iv[8]), .in_ready(ir[8]), .out_data(o8),
    .out_valid(ov[8]), .out_ready(orr[8]));

  // 9: global max pool with a 2-frame line buffer (ROWS = 2H), C=4 4x3, PE 4
  logic [31:0] s9d; logic s9v, s9r;
  loom_swg #(.C(4), .H(4), .W(3), .KH(4), .KW(3), .SH(1), .SW(1), .DH(1), .DW(1), .PT(0),
    .PL(0), .PB(0), .PR(0), .IN_BEAT(4), .OUT_BEAT(4), .WB(8), .ROWS(8)) u9s (.clk, .rst,
    .in_data(in_data[31:0]), .in_valid(iv[9]), .in_ready(ir[9]), .out_data(s9d),
    .out_valid(s9v), .out_ready(s9r));
  loom_pool #(.MODE(0), .C(4), .KK(12), .IN_BEAT(4), .PE(4), .WB(8), .NPIX(1)) u9p (
    .clk, .rst, .in_data(s9d), .in_valid(s9v), .in_ready(s9r), .out_data(od[9]),
    .out_valid(ov[9]), .out_ready(orr[9]));

  // 10: stride > kernel (rows/cols skipped, bottom rows unused: reader finishes a frame
  //     before the writer), full-window output beat: C=1 7x7, 2x2, stride 3, OUT_BEAT 4
  logic [31:0] o10;
  assign od[10] = o10;
  loom_swg #(.C(1), .H(7), .W(7), .KH(2), .KW(2), .SH(3), .SW(3), .DH(1), .DW(1), .PT(0),
    .PL(0), .PB(0), .PR(0), .IN_BEAT(1), .OUT_BEAT(4), .WB(8)) u10 (.clk, .rst,
    .in_data(in_data[7:0]), .in_valid(iv[10]), .in_ready(ir[10]), .out_data(o10),
    .out_valid(ov[10]), .out_ready(orr[10]));

  // 11: padding 2 on every side with a 3x3 window on a 3x3 map, C=2, W dilation 2
  logic [15:0] o11;
  assign od[11] = {16'd0, o11};
  loom_swg #(.C(2), .H(3), .W(3), .KH(3), .KW(2), .SH(1), .SW(1), .DH(1), .DW(2), .PT(2),
    .PL(2), .PB(2), .PR(2), .IN_BEAT(2), .OUT_BEAT(2), .WB(8)) u11 (.clk, .rst,
    .in_data(in_data[15:0]), .in_valid(iv[11]), .in_ready(ir[11]), .out_data(o11),
    .out_valid(ov[11]), .out_ready(orr[11]));

  // 12..16: sum-and-shift pools (QONNX Trunc), one RND mode each (tb_conv.cpp kCases)
  // 12: 2x2 s2, C=4 6x6, DIV 4, floor, PE 2
  logic [31:0] s12d; logic s12v, s12r; logic [15:0] o12;
  assign od[12] = {16'd0, o12};
  loom_swg #(.C(4), .H(6), .W(6), .KH(2), .KW(2), .SH(2), .SW(2), .DH(1), .DW(1), .PT(0),
    .PL(0), .PB(0), .PR(0), .IN_BEAT(4), .OUT_BEAT(4), .WB(8)) u12s (.clk, .rst,
    .in_data(in_data[31:0]), .in_valid(iv[12]), .in_ready(ir[12]), .out_data(s12d),
    .out_valid(s12v), .out_ready(s12r));
  loom_pool #(.MODE(1), .C(4), .KK(4), .IN_BEAT(4), .PE(2), .WB(8), .NPIX(9), .DIV(4),
    .RND(3)) u12p (.clk, .rst, .in_data(s12d), .in_valid(s12v), .in_ready(s12r),
    .out_data(o12), .out_valid(ov[12]), .out_ready(orr[12]));

  // 13: 3x3 s1 p1, C=2 5x4, DIV 16 (Brevitas 3x3: shift 4), half up, PE 1
  logic [15:0] s13d; logic s13v, s13r; logic [7:0] o13;
  assign od[13] = {24'd0, o13};
  loom_swg #(.C(2), .H(5), .W(4), .KH(3), .KW(3), .SH(1), .SW(1), .DH(1), .DW(1), .PT(1),
    .PL(1), .PB(1), .PR(1), .IN_BEAT(2), .OUT_BEAT(2), .WB(8)) u13s (.clk, .rst,
    .in_data(in_data[15:0]), .in_valid(iv[13]), .in_ready(ir[13]), .out_data(s13d),
    .out_valid(s13v), .out_ready(s13r));
  loom_pool #(.MODE(1), .C(2), .KK(9), .IN_BEAT(2), .PE(1), .WB(8), .NPIX(20), .DIV(16),
    .RND(1)) u13p (.clk, .rst, .in_data(s13d), .in_valid(s13v), .in_ready(s13r),
    .out_data(o13), .out_valid(ov[13]), .out_ready(orr[13]));

  // 14: 2x2 s1, C=4 4x4, DIV 4, half down, PE 4
  logic [31:0] s14d; logic s14v, s14r;
  loom_swg #(.C(4), .H(4), .W(4), .KH(2), .KW(2), .SH(1), .SW(1), .DH(1), .DW(1), .PT(0),
    .PL(0), .PB(0), .PR(0), .IN_BEAT(4), .OUT_BEAT(4), .WB(8)) u14s (.clk, .rst,
    .in_data(in_data[31:0]), .in_valid(iv[14]), .in_ready(ir[14]), .out_data(s14d),
    .out_valid(s14v), .out_ready(s14r));
  loom_pool #(.MODE(1), .C(4), .KK(4), .IN_BEAT(4), .PE(4), .WB(8), .NPIX(9), .DIV(4),
    .RND(2)) u14p (.clk, .rst, .in_data(s14d), .in_valid(s14v), .in_ready(s14r),
    .out_data(od[14]), .out_valid(ov[14]), .out_ready(orr[14]));

  // 15: 1x2 s(1,2), C=3 3x4, DIV 2, ceil, PE 3
  logic [23:0] s15d; logic s15v, s15r; logic [23:0] o15;
  assign od[15] = {8'd0, o15};
  loom_swg #(.C(3), .H(3), .W(4), .KH(1), .KW(2), .SH(1), .SW(2), .DH(1), .DW(1), .PT(0),
    .PL(0), .PB(0), .PR(0), .IN_BEAT(3), .OUT_BEAT(3), .WB(8)) u15s (.clk, .rst,
    .in_data(in_data[23:0]), .in_valid(iv[15]), .in_ready(ir[15]), .out_data(s15d),
    .out_valid(s15v), .out_ready(s15r));
  loom_pool #(.MODE(1), .C(3), .KK(2), .IN_BEAT(3), .PE(3), .WB(8), .NPIX(6), .DIV(2),
    .RND(4)) u15p (.clk, .rst, .in_data(s15d), .in_valid(s15v), .in_ready(s15r),
    .out_data(o15), .out_valid(ov[15]), .out_ready(orr[15]));

  // 16: 3x3 s1, C=2 4x4, DIV 2 (sums beyond 8 bits saturate), towards zero, PE 2
  logic [15:0] s16d; logic s16v, s16r; logic [15:0] o16;
  assign od[16] = {16'd0, o16};
  loom_swg #(.C(2), .H(4), .W(4), .KH(3), .KW(3), .SH(1), .SW(1), .DH(1), .DW(1), .PT(0),
    .PL(0), .PB(0), .PR(0), .IN_BEAT(2), .OUT_BEAT(2), .WB(8)) u16s (.clk, .rst,
    .in_data(in_data[15:0]), .in_valid(iv[16]), .in_ready(ir[16]), .out_data(s16d),
    .out_valid(s16v), .out_ready(s16r));
  loom_pool #(.MODE(1), .C(2), .KK(9), .IN_BEAT(2), .PE(2), .WB(8), .NPIX(4), .DIV(2),
    .RND(5)) u16p (.clk, .rst, .in_data(s16d), .in_valid(s16v), .in_ready(s16r),
    .out_data(o16), .out_valid(ov[16]), .out_ready(orr[16]));

  // 17: several pixels a beat in (IN_BEAT 3 = 3 pixels of C=1), two windows a beat out
  // (1x2 window, pad r1: OW 6, OUT_BEAT 4)
  loom_swg #(.C(1), .H(4), .W(6), .KH(1), .KW(2), .SH(1), .SW(1), .DH(1), .DW(1), .PT(0),
    .PL(0), .PB(0), .PR(1), .IN_BEAT(3), .OUT_BEAT(4), .WB(8)) u17 (.clk, .rst,
    .in_data(in_data[23:0]), .in_valid(iv[17]), .in_ready(ir[17]), .out_data(od[17]),
    .out_valid(ov[17]), .out_ready(orr[17]));

  // 18: MMV: swg (2 pixels a beat in, pad l1, two 1x2 windows a beat out) -> loom_mvu_mmv
  // MMV 2 (K=2 N=2 PE 2 SIMD 1: two vectors a step, one copy each)
  logic [31:0] s18d; logic s18v, s18r;
  loom_swg #(.C(1), .H(3), .W(4), .KH(1), .KW(2), .SH(1), .SW(1), .DH(1), .DW(1), .PT(0),
    .PL(1), .PB(0), .PR(0), .IN_BEAT(2), .OUT_BEAT(4), .WB(8)) u18s (.clk, .rst,
    .in_data(in_data[15:0]), .in_valid(iv[18]), .in_ready(ir[18]), .out_data(s18d),
    .out_valid(s18v), .out_ready(s18r));
  loom_mvu_mmv #(.MMV(2), .K(2), .N(2), .SIMD(1), .PE(2), .IN_BEAT(2), .SHIFT(1), .ACT(1),
    .W_FILE("mv18_w.mem"), .B_FILE("mv18_b.mem")) u18m (.clk, .rst, .wt_data('0),
    .wt_addr('0), .wt_valid(1'b0), .in_data(s18d), .in_valid(s18v), .in_ready(s18r),
    .out_data(od[18]), .out_valid(ov[18]), .out_ready(orr[18]));
endmodule
