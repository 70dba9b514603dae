// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_wt_load: one run-time loadable memory's write port, fed from the weight-load bus
// (loom compile --runtime-weights; docs/CONTRACTS.md "Weight-load stream").
//
// The bus carries the load image one 32-bit word per beat with its word address. This
// memory owns words [OFF, OFF + LINES * CH) with CH = ceil(WIDTH / 32): line l is words
// OFF + l*CH .. OFF + l*CH + CH - 1, least significant chunk first. Chunks are collected
// in a register and the line is written (we, waddr, wdata) in the cycle its last chunk
// is on the bus, so the memory is up to date at the edge after that beat. The counters
// restart at word OFF, so every complete image overwrites every line whatever came
// before it (an interrupted load is repaired by the next one).
module loom_wt_load #(
  parameter int LINES = 1,
  parameter int WIDTH = 32,
  parameter int OFF   = 0
) (
  input  logic                                       clk,
  input  logic                                       rst,
  input  logic [31:0]                                wt_data,
  input  logic [31:0]                                wt_addr,
  input  logic                                       wt_valid,
  output logic                                       we,
  output logic [((LINES > 1) ? $clog2(LINES) : 1)-1:0] waddr,
  output logic [WIDTH-1:0]                           wdata
);
  localparam int CH  = (WIDTH + 31) / 32;
  localparam int LW  = (LINES > 1) ? $clog2(LINES) : 1;
  localparam int CW  = (CH > 1) ? $clog2(CH) : 1;
  localparam logic [32:0] LO   = 33'(OFF);
  localparam logic [32:0] SPAN = 33'(LINES) * 33'(CH);

  logic          sel, first, last;
  logic [32:0]   rel;  // wraps past 2^32 below OFF, so one compare bounds both ends
  logic [LW-1:0] line_q, line;
  logic [CW-1:0] chunk_q, chunk;
  logic [CH*32-1:0] word;

  assign rel   = {1'b0, wt_addr} - LO;
  assign sel   = wt_valid && (rel < SPAN);
  assign first = (rel == '0);
  assign line  = first ? '0 : line_q;
  assign chunk = first ? '0 : chunk_q;
  assign last  = (chunk == CW'(CH - 1));

  always_ff @(posedge clk) begin
    if (rst) begin
      line_q  <= '0;
      chunk_q <= '0;
    end else if (sel) begin
      chunk_q <= last ? '0 : chunk + 1'b1;
      if (last) line_q <= (line == LW'(LINES - 1)) ? '0 : line + 1'b1;
    end
  end

  // Chunks 0 .. CH-2 wait in buf_q; the last one comes straight from the bus.
  if (CH > 1) begin : g_buf
    logic [(CH-1)*32-1:0] buf_q;
    always_ff @(posedge clk) begin
      if (sel && !last) buf_q[32'(chunk)*32 +: 32] <= wt_data;
    end
    assign word = {wt_data, buf_q};
  end else begin : g_word
    assign word = wt_data;
  end

  assign we    = sel && last;
  assign waddr = line;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [CH*32-1:0] word_unused;  // the padding above WIDTH of the last chunk
  /* verilator lint_on UNUSEDSIGNAL */
  assign word_unused = word;
  assign wdata = word[WIDTH-1:0];
endmodule
