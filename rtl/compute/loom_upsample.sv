// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_upsample: nearest-neighbour upsampling by integer factors (docs/CONTRACTS.md).
//
// Input: an H x W x C map, channels-last (h, w, c), LANES elements per beat
// (C % LANES == 0). Output: the (H*SH) x (W*SW) x C map in the same order: output
// pixel (oh, ow) is input pixel (oh / SH, ow / SW).
// Micro-architecture (cycle model: hw_model/Actors.cpp, UpsampleModel - keep in sync):
//  * Two row banks of RB = W*C/LANES beats (ping-pong). The writer fills bank wr_bank_q
//    while it is not full (in_ready = !full_q[wr_bank_q], registered); the row's last
//    beat marks it full and switches banks.
//  * The reader emits a full bank SH times, each pixel SW times (counters rep, x, sx,
//    cb): issue = full_q[rd_bank_q] && (!out_valid_q || out_ready); the row's last
//    output beat frees the bank. out_valid = out_valid_q (no comb ready -> valid path).
// Clean pass alone: output bound, SH*SW*RB output beats per row; exact numbers from
// hw_model estimateCost(UpsampleConfig), which runs the cycle model.
module loom_upsample #(
  parameter int C     = 2,
  /* verilator lint_off UNUSEDPARAM */
  parameter int H     = 2,  // rows per frame (the control is row-periodic)
  /* verilator lint_on UNUSEDPARAM */
  parameter int W     = 2,
  parameter int SH    = 2,
  parameter int SW    = 2,
  parameter int LANES = 1,
  parameter int WB    = 8
) (
  input  logic                clk,
  input  logic                rst,
  input  logic [LANES*WB-1:0] in_data,
  input  logic                in_valid,
  output logic                in_ready,
  output logic [LANES*WB-1:0] out_data,
  output logic                out_valid,
  input  logic                out_ready
);
  localparam int CB  = C / LANES;
  localparam int RB  = W * CB;
  localparam int RBW = $clog2(RB + 1);
  localparam int CBW = $clog2(CB + 1);
  localparam int XW  = $clog2(W + 1);
  localparam int SXW = $clog2(SW + 1);
  localparam int RPW = $clog2(SH + 1);

  logic [LANES*WB-1:0] mem [2*RB];
  logic [1:0]          full_q;
  logic                wr_bank_q, rd_bank_q;
  logic [RBW-1:0]      in_cnt_q;
  logic [CBW-1:0]      cb_q;
  logic [XW-1:0]       x_q;
  logic [SXW-1:0]      sx_q;
  logic [RPW-1:0]      rep_q;
  logic                out_valid_q;
  logic [LANES*WB-1:0] out_q;
  logic in_fire, in_last, issue, last_cb, last_sx, last_x, last_rep, row_done;

  assign in_ready  = !full_q[wr_bank_q];
  assign in_fire   = in_valid && in_ready;
  assign in_last   = in_fire && (in_cnt_q == RBW'(RB - 1));
  assign issue     = full_q[rd_bank_q] && (!out_valid_q || out_ready);
  assign last_cb   = (cb_q == CBW'(CB - 1));
  assign last_sx   = (sx_q == SXW'(SW - 1));
  assign last_x    = (x_q == XW'(W - 1));
  assign last_rep  = (rep_q == RPW'(SH - 1));
  assign row_done  = issue && last_cb && last_sx && last_x && last_rep;
  assign out_valid = out_valid_q;
  assign out_data  = out_q;

  always_ff @(posedge clk) begin
    if (rst) begin
      full_q      <= '0;
      wr_bank_q   <= 1'b0;
      rd_bank_q   <= 1'b0;
      in_cnt_q    <= '0;
      cb_q        <= '0;
      x_q         <= '0;
      sx_q        <= '0;
      rep_q       <= '0;
      out_valid_q <= 1'b0;
    end else begin
      if (in_fire) begin
        in_cnt_q <= in_last ? '0 : in_cnt_q + 1'b1;
        if (in_last) wr_bank_q <= !wr_bank_q;
      end
      for (int b = 0; b < 2; b++)
        full_q[b] <= (full_q[b] && !(row_done && rd_bank_q == 1'(b))) ||
                     (in_last && wr_bank_q == 1'(b));
      if (issue) begin
        out_valid_q <= 1'b1;
        cb_q <= last_cb ? '0 : cb_q + 1'b1;
        if (last_cb) begin
          sx_q <= last_sx ? '0 : sx_q + 1'b1;
          if (last_sx) begin
            x_q <= last_x ? '0 : x_q + 1'b1;
            if (last_x) rep_q <= last_rep ? '0 : rep_q + 1'b1;
          end
        end
        if (row_done) rd_bank_q <= !rd_bank_q;
      end else if (out_ready) begin
        out_valid_q <= 1'b0;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (in_fire) mem[(wr_bank_q ? RB : 0) + 32'(in_cnt_q)] <= in_data;
    if (issue) out_q <= mem[(rd_bank_q ? RB : 0) + 32'(x_q) * CB + 32'(cb_q)];
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
