// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_wt_bus: the top's weight-load port (s_axis_wt_*, loom compile --runtime-weights;
// docs/CONTRACTS.md "Weight-load stream") turned into the bus every loadable memory
// (loom_wt_load) listens to: the accepted word, its address in the image and a valid.
// The port is always ready (every memory takes a word per cycle). The address counts
// accepted words and wraps after WORDS, so images follow each other back to back and
// TLAST is not needed. The bus is registered once (it fans out to every memory): a word
// accepted at edge t is written at edge t+1, so frames may start the cycle after the
// last word of the image (no frame may be in flight during a load).
module loom_wt_bus #(
  parameter int WORDS = 1
) (
  input  logic        clk,
  input  logic        rst,
  input  logic [31:0] in_data,
  input  logic        in_valid,
  output logic        in_ready,
  output logic [31:0] wt_data,
  output logic [31:0] wt_addr,
  output logic        wt_valid
);
  logic [31:0] cnt_q;
  logic [31:0] data_q, addr_q;
  logic        valid_q;

  assign in_ready = 1'b1;

  always_ff @(posedge clk) begin
    if (rst) begin
      cnt_q   <= '0;
      valid_q <= 1'b0;
    end else begin
      valid_q <= in_valid;
      if (in_valid) cnt_q <= (cnt_q == 32'(WORDS - 1)) ? '0 : cnt_q + 1'b1;
    end
  end

  always_ff @(posedge clk) begin
    if (in_valid) begin
      data_q <= in_data;
      addr_q <= cnt_q;
    end
  end

  assign wt_data  = data_q;
  assign wt_addr  = addr_q;
  assign wt_valid = valid_q;
endmodule
