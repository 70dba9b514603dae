// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_fork: 1 input stream to 2 output streams carrying the same beats.
// Each output is a 2-entry loom_fifo, so the outputs are independent: a beat leaves the
// input when both FIFOs accept it (in_ready = both not full, registered state), and each
// output drains at its own pace. No comb path from any ready to any valid.
// Cycle model: hw_model/Actors.cpp ForkModel. Alone: II = beats, latency = beats + 1.
module loom_fork #(
  parameter int W = 8
) (
  input  logic         clk,
  input  logic         rst,
  input  logic [W-1:0] in_data,
  input  logic         in_valid,
  output logic         in_ready,
  output logic [W-1:0] out0_data,
  output logic         out0_valid,
  input  logic         out0_ready,
  output logic [W-1:0] out1_data,
  output logic         out1_valid,
  input  logic         out1_ready
);
  logic r0, r1, push;
  assign in_ready = r0 && r1;
  assign push     = in_valid && r0 && r1;

  loom_fifo #(.W(W), .DEPTH(2)) u_f0 (
    .clk, .rst, .in_data, .in_valid(push), .in_ready(r0),
    .out_data(out0_data), .out_valid(out0_valid), .out_ready(out0_ready)
  );
  loom_fifo #(.W(W), .DEPTH(2)) u_f1 (
    .clk, .rst, .in_data, .in_valid(push), .in_ready(r1),
    .out_data(out1_data), .out_valid(out1_valid), .out_ready(out1_ready)
  );

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out0_data))) u_out0_chk (
    .clk, .rst, .data(out0_data), .valid(out0_valid), .ready(out0_ready));
  loom_stream_check #(.W($bits(out1_data))) u_out1_chk (
    .clk, .rst, .data(out1_data), .valid(out1_valid), .ready(out1_ready));
`endif
endmodule
