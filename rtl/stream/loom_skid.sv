// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_skid: 2-entry skid buffer / register slice.
//
// * out_valid/out_data come from the output register (out_q).
// * in_ready = !skid_valid_q is registered: no comb path ready -> valid and no comb
//   path out_ready -> in_ready. Full throughput, 1 cycle latency.
// * When the output register is stalled and a beat arrives it is parked in the skid
//   register; in_ready drops until the skid entry moves to the output register.
// Cycle model: hw_model/Actors.cpp (SkidModel).
module loom_skid #(
  parameter int W = 8
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
  logic [W-1:0] out_q, skid_q;
  logic         out_valid_q, skid_valid_q;
  logic         out_load;

  assign in_ready  = !skid_valid_q;
  assign out_valid = out_valid_q;
  assign out_data  = out_q;
  // The output register may take a new beat when it is empty or being drained.
  assign out_load  = !out_valid_q || out_ready;

  always_ff @(posedge clk) begin
    if (rst) begin
      out_valid_q  <= 1'b0;
      skid_valid_q <= 1'b0;
    end else if (out_load) begin
      // skid_valid_q implies !in_ready, so no input beat competes here.
      out_valid_q  <= skid_valid_q || in_valid;
      skid_valid_q <= 1'b0;
    end else if (in_valid && !skid_valid_q) begin
      skid_valid_q <= 1'b1;
    end
  end

  always_ff @(posedge clk) begin
    if (out_load) begin
      out_q <= skid_valid_q ? skid_q : in_data;
    end else if (in_valid && !skid_valid_q) begin
      skid_q <= in_data;
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
