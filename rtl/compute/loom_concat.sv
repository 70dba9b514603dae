// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_concat: channel concatenation of two NHWC streams (in0: C1 channels, in1: C2
// channels): per pixel C1 elements of in0, then C2 elements of in1. All ports carry
// LANES elements of WB bits per beat (C1 % LANES == 0, C2 % LANES == 0).
// Each input has a 2-entry loom_fifo (in*_ready registered). sel_q picks the input of
// the current segment (C1/LANES beats of in0, then C2/LANES beats of in1);
// issue = selected FIFO non-empty && (!out_valid_q || out_ready) -> out_q.
// Cycle model: hw_model/Actors.cpp JoinModel (concat). Alone: II = (C1+C2)/LANES per
// pixel, latency = beats + 2.
module loom_concat #(
  parameter int C1    = 1,
  parameter int C2    = 1,
  parameter int LANES = 1,
  parameter int WB    = 8,
  parameter int RELU  = 0   // 1: y = max(y, 0) per element (a Relu after the concat)
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
  localparam int S1 = C1 / LANES;
  localparam int S2 = C2 / LANES;
  localparam int SGW = $clog2((S1 > S2 ? S1 : S2) + 1);

  logic [LANES*WB-1:0] a, b, out_q;
  logic                av, bv, issue, sel_q, out_valid_q, seg_last;
  logic [SGW-1:0]      seg_q;

  loom_fifo #(.W(LANES * WB), .DEPTH(2)) u_fa (
    .clk, .rst, .in_data(in0_data), .in_valid(in0_valid), .in_ready(in0_ready),
    .out_data(a), .out_valid(av), .out_ready(issue && !sel_q)
  );
  loom_fifo #(.W(LANES * WB), .DEPTH(2)) u_fb (
    .clk, .rst, .in_data(in1_data), .in_valid(in1_valid), .in_ready(in1_ready),
    .out_data(b), .out_valid(bv), .out_ready(issue && sel_q)
  );

  assign issue     = (sel_q ? bv : av) && (!out_valid_q || out_ready);
  assign seg_last  = sel_q ? (seg_q == SGW'(S2 - 1)) : (seg_q == SGW'(S1 - 1));
  assign out_valid = out_valid_q;
  assign out_data  = out_q;

  // The selected beat, with negative lanes zeroed when RELU is set.
  logic [LANES*WB-1:0] sel_data;
  always_comb begin
    sel_data = sel_q ? b : a;
    for (int l = 0; l < LANES; l++)
      if (RELU != 0 && sel_data[l*WB + WB-1]) sel_data[l*WB +: WB] = '0;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      out_valid_q <= 1'b0;
      sel_q       <= 1'b0;
      seg_q       <= '0;
    end else if (issue) begin
      out_valid_q <= 1'b1;
      seg_q       <= seg_last ? '0 : seg_q + 1'b1;
      if (seg_last) sel_q <= !sel_q;
    end else if (out_ready) begin
      out_valid_q <= 1'b0;
    end
  end
  always_ff @(posedge clk) begin
    if (issue) out_q <= sel_data;
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
