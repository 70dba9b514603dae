// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_tlast_gen: pass-through that raises out_last on every BEATS-th transferred beat.
//
// NOTE: valid, ready and data pass through COMBINATIONALLY (out_valid = in_valid,
// in_ready = out_ready). This module therefore does not satisfy the "no comb path
// ready -> valid" rule by itself: it is only meant for the top-level boundary
// (actor output -> m_axis_*), where the upstream actor's valid is registered. It adds
// no cycles of latency and no throughput limit (hw_model ignores it).
module loom_tlast_gen #(
  parameter int W     = 8,
  parameter int BEATS = 1
) (
  input  logic         clk,
  input  logic         rst,
  input  logic [W-1:0] in_data,
  input  logic         in_valid,
  output logic         in_ready,
  output logic [W-1:0] out_data,
  output logic         out_valid,
  input  logic         out_ready,
  output logic         out_last
);
  localparam int CW = (BEATS > 1) ? $clog2(BEATS) : 1;

  logic [CW-1:0] cnt_q;
  logic          last;

  assign out_data  = in_data;
  assign out_valid = in_valid;
  assign in_ready  = out_ready;
  assign last      = (cnt_q == CW'(BEATS - 1));
  assign out_last  = last;

  always_ff @(posedge clk) begin
    if (rst) begin
      cnt_q <= '0;
    end else if (in_valid && out_ready) begin
      cnt_q <= last ? '0 : cnt_q + 1'b1;
    end
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
