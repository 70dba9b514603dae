// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_fifo: synchronous FIFO (style of OpenTitan prim_fifo_sync).
//
// * in_ready  = !full  (registered state only)
// * out_valid = !empty (registered state only) -> no comb path ready -> valid.
// * A beat written at edge t is visible on out_* in cycle t+1 (1 cycle latency).
// * Full throughput (1 beat/cycle) for DEPTH >= 2; a full FIFO does not accept a
//   beat in the cycle it is popped (ready does not depend on out_ready).
// Cycle model: hw_model/Actors.cpp (FifoModel).
module loom_fifo #(
  parameter int W     = 8,
  parameter int DEPTH = 2
) (
  input  logic         clk,
  input  logic         rst,
  input  logic [W-1:0] in_data,
  input  logic         in_valid,
  output logic         in_ready,
  output logic [W-1:0] out_data,
  output logic         out_valid,
  input  logic         out_ready
);
  localparam int PW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int CW = $clog2(DEPTH + 1);

  logic [W-1:0]  mem_q [DEPTH];
  logic [PW-1:0] wptr_q, rptr_q;
  logic [CW-1:0] cnt_q;
  logic          push, pop;

  assign in_ready  = (cnt_q != CW'(DEPTH));
  assign out_valid = (cnt_q != '0);
  assign out_data  = mem_q[rptr_q];
  assign push      = in_valid && in_ready;
  assign pop       = out_valid && out_ready;

  always_ff @(posedge clk) begin
    if (rst) begin
      wptr_q <= '0;
      rptr_q <= '0;
      cnt_q  <= '0;
    end else begin
      if (push) wptr_q <= (wptr_q == PW'(DEPTH - 1)) ? '0 : wptr_q + 1'b1;
      if (pop)  rptr_q <= (rptr_q == PW'(DEPTH - 1)) ? '0 : rptr_q + 1'b1;
      if (push && !pop)      cnt_q <= cnt_q + 1'b1;
      else if (pop && !push) cnt_q <= cnt_q - 1'b1;
    end
  end

  // Storage without reset.
  always_ff @(posedge clk) begin
    if (push) mem_q[wptr_q] <= in_data;
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
  // No beat lost: the occupancy never passes DEPTH (a push into a full FIFO).
  CountBound: assert property (@(posedge clk) disable iff (rst) cnt_q <= CW'(DEPTH))
    else $error("%m: FIFO count above DEPTH");
`endif
endmodule
