// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_add: element-wise join of two streams with LANES elements of WB bits per beat.
//   MODE 0 (Add): y = saturate_WB(a + b)
//   MODE 1 (Mul): y = saturate_WB(shift_round_even(a * b * MA, F))   (docs/CONTRACTS.md;
//          MA = 1 in fixed point, 1 <= MA <= 2^24 in affine integer graphs)
//   MODE 2 (scaled Add, affine integer graphs): y = saturate_WB(shift_round_even(a * MA +
//          b * MB, S)) with 0 <= MA, MB <= 2^24 (docs/CONTRACTS.md "Affine integer graphs")
//   RELU 1: then y = max(y, 0) (a ResNet block's Relu after the residual Add)
//   CLIP 1: then y = min(max(y, LO), HI) (the output quantizer's range, codes)
// Input 0 is `a` (in0_*), input 1 is `b` (in1_*). Each input has a 2-entry loom_fifo
// (in*_ready = FIFO not full: registered). issue = both FIFOs non-empty &&
// (!out_valid_q || out_ready): both are popped and the result registered (out_q).
// Cycle model: hw_model/Actors.cpp JoinModel. Alone: II = beats, latency = beats + 2.
module loom_add #(
  parameter int LANES = 1,
  parameter int WB    = 8,
  parameter int MODE  = loom_pkg::ADD_SUM,  // loom_pkg::ADD_*
  parameter int F     = 0,
  parameter int RELU  = 0,
  parameter int MA    = 1,
  parameter int MB    = 1,
  parameter int S     = 0,
  parameter int CLIP  = 0,
  parameter int LO    = 0,
  parameter int HI    = 0
) (
  input  logic               clk,
  input  logic               rst,
  input  logic [LANES*WB-1:0] in0_data,
  input  logic               in0_valid,
  output logic               in0_ready,
  input  logic [LANES*WB-1:0] in1_data,
  input  logic               in1_valid,
  output logic               in1_ready,
  output logic [LANES*WB-1:0] out_data,
  output logic               out_valid,
  input  logic               out_ready
);
  // MODE 2: a * MA needs WB + 26 bits (MA < 2^25 signed), the sum one more, the
  // rounding mask S + 2.
  // MODE 1 with MA != 1: a * b * MA needs 2 * WB + 25 bits.
  localparam int PW0 = (MODE == loom_pkg::ADD_MUL && MA != 1) ? 2 * WB + 26 : 2 * WB + 1;
  localparam int PW1 = (MODE == loom_pkg::ADD_SCALED && WB + 27 > PW0) ? WB + 27 : PW0;
  localparam int PW  = (MODE == loom_pkg::ADD_SCALED && S + 2 > PW1) ? S + 2 : PW1;
  localparam int SH  = (MODE == loom_pkg::ADD_SCALED) ? S : F;
  localparam logic signed [PW-1:0] MAV = PW'(MA);
  localparam logic signed [PW-1:0] MBV = PW'(MB);
  localparam logic signed [WB-1:0] CLO = LO[WB-1:0];
  localparam logic signed [WB-1:0] CHI = HI[WB-1:0];
  localparam logic signed [PW-1:0] OMAX = (PW'(1) << (WB - 1)) - PW'(1);
  localparam logic signed [PW-1:0] OMIN = -(PW'(1) << (WB - 1));

  logic [LANES*WB-1:0] a, b, res, out_q;
  logic                av, bv, issue, out_valid_q;

  loom_fifo #(.W(LANES * WB), .DEPTH(2)) u_fa (
    .clk, .rst, .in_data(in0_data), .in_valid(in0_valid), .in_ready(in0_ready),
    .out_data(a), .out_valid(av), .out_ready(issue)
  );
  loom_fifo #(.W(LANES * WB), .DEPTH(2)) u_fb (
    .clk, .rst, .in_data(in1_data), .in_valid(in1_valid), .in_ready(in1_ready),
    .out_data(b), .out_valid(bv), .out_ready(issue)
  );

  assign issue     = av && bv && (!out_valid_q || out_ready);
  assign out_valid = out_valid_q;
  assign out_data  = out_q;

  logic signed [PW-1:0] v   [LANES];
  logic signed [PW-1:0] q   [LANES];
  logic [PW-1:0]        rem [LANES];
  logic [PW-1:0]        half;
  assign half = (SH > 0) ? PW'(1) << (SH > 0 ? SH - 1 : 0) : '0;

  always_comb begin
    for (int l = 0; l < LANES; l++) begin
      if (MODE == loom_pkg::ADD_SUM) begin
        v[l] = PW'($signed(a[l*WB +: WB])) + PW'($signed(b[l*WB +: WB]));
        q[l] = v[l];
        rem[l] = '0;
      end else begin
        if (MODE == loom_pkg::ADD_SCALED)
          v[l] = PW'($signed(a[l*WB +: WB])) * MAV + PW'($signed(b[l*WB +: WB])) * MBV;
        else
          v[l] = PW'($signed(a[l*WB +: WB])) * PW'($signed(b[l*WB +: WB])) * MAV;
        q[l] = v[l] >>> SH;
        rem[l] = v[l] & ((PW'(1) << SH) - 1'b1);
        if (SH > 0) begin
          if ((rem[l] > half) || ((rem[l] == half) && q[l][0])) q[l] = q[l] + 1'b1;
        end
      end
      if (q[l] > OMAX)      res[l*WB +: WB] = OMAX[WB-1:0];
      else if (q[l] < OMIN) res[l*WB +: WB] = OMIN[WB-1:0];
      else                  res[l*WB +: WB] = q[l][WB-1:0];
      if (RELU != 0 && q[l] < 0) res[l*WB +: WB] = '0;
      if (CLIP != 0 && $signed(res[l*WB +: WB]) < CLO) res[l*WB +: WB] = CLO;
      if (CLIP != 0 && $signed(res[l*WB +: WB]) > CHI) res[l*WB +: WB] = CHI;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) out_valid_q <= 1'b0;
    else if (issue) out_valid_q <= 1'b1;
    else if (out_ready) out_valid_q <= 1'b0;
  end
  always_ff @(posedge clk) begin
    if (issue) out_q <= res;
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in0_data))) u_in0_chk (
    .clk, .rst, .data(in0_data), .valid(in0_valid), .ready(in0_ready));
  loom_stream_check #(.W($bits(in1_data))) u_in1_chk (
    .clk, .rst, .data(in1_data), .valid(in1_valid), .ready(in1_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
