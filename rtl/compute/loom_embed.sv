// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_embed: token embedding (docs/CONTRACTS.md "Embedding"). One token id per input
// beat (an unsigned W_ID-bit word); for id number t of the frame (a position counter
// wrapping at T) it emits the row
//   y[c] = clamp(E[id][c] + P[t][c], LO, HI)      (P only when POS = 1)
// in NB = C / OUT_BEAT beats of OUT_BEAT codes. E (V*NB lines) and P (T*NB lines) are
// ROMs of OUT_BEAT codes per line, line row*NB + b, read one line per cycle.
//
// Three stages (cycle model: hw_model/Actors.cpp, EmbedModel - keep in sync):
//  buffer: a one-id skid register, so in_ready = !buf_valid_q is a register and ids
//          follow each other without a bubble.
//  lookup: holds the current id, its position and beat b; it advances (reads ROM line
//          id*NB + b into the output register) when the output register is empty or
//          being read. When it is empty or on its last beat it takes the next id: the
//          buffered one first, else the input beat directly.
//  output: the ROM words (registered: block RAM with an output register) summed and
//          clamped per lane; out_valid is a register (no comb path ready -> valid).
// Clean pass: one output beat per cycle; latency of a frame T*NB + 2 cycles.
//
// RT_W = 1 (loom compile --runtime-weights): E and P are written from the weight-load bus
// (loom_wt_load) at image words E_OFF.. and P_OFF.. instead of read from E_FILE / P_FILE;
// their codes are in the output format the architecture fixes. A load runs between
// frames (docs/CONTRACTS.md "Weight-load stream").
module loom_embed #(
  parameter int V        = 4,
  parameter int C        = 4,
  parameter int T        = 2,
  parameter int OUT_BEAT = 1,
  parameter int W_ID     = 2,
  parameter int W_OUT    = 8,
  parameter int POS      = 0,
  parameter int LO       = -128,
  parameter int HI       = 127,
  parameter     E_FILE   = "",
  parameter     P_FILE   = "",
  parameter int RT_W     = 0,
  parameter int E_OFF    = 0,
  parameter int P_OFF    = 0
) (
  input  logic                      clk,
  input  logic                      rst,
  // weight-load bus (loom_wt_bus); tied to 0 and unused without RT_W
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [31:0]               wt_data,
  input  logic [31:0]               wt_addr,
  input  logic                      wt_valid,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [W_ID-1:0]           in_data,
  input  logic                      in_valid,
  output logic                      in_ready,
  output logic [OUT_BEAT*W_OUT-1:0] out_data,
  output logic                      out_valid,
  input  logic                      out_ready
);
  localparam int NB   = C / OUT_BEAT;
  localparam int NBW  = (NB > 1) ? $clog2(NB) : 1;
  localparam int TW   = (T > 1) ? $clog2(T) : 1;
  localparam int EA   = (V * NB > 1) ? $clog2(V * NB) : 1;   // ROM address widths
  localparam int PA   = (T * NB > 1) ? $clog2(T * NB) : 1;
  localparam int WORD = OUT_BEAT * W_OUT;

  /* verilator lint_off UNDRIVEN */  // (only with the default empty file names)
  /* verilator lint_off UNUSEDSIGNAL */  // p_mem without position embeddings (POS = 0)
  logic [WORD-1:0] e_mem [V * NB];
  logic [WORD-1:0] p_mem [T * NB];
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_on UNDRIVEN */
  if (RT_W != 0) begin : g_load
    logic            e_we;
    logic [EA-1:0]   e_wa;
    logic [WORD-1:0] e_wd;
    loom_wt_load #(.LINES(V * NB), .WIDTH(WORD), .OFF(E_OFF)) u_eload (
      .clk, .rst, .wt_data, .wt_addr, .wt_valid, .we(e_we), .waddr(e_wa), .wdata(e_wd));
    always_ff @(posedge clk) begin
      if (e_we) e_mem[e_wa] <= e_wd;
    end
    if (POS != 0) begin : g_pos_load
      logic            p_we;
      logic [PA-1:0]   p_wa;
      logic [WORD-1:0] p_wd;
      loom_wt_load #(.LINES(T * NB), .WIDTH(WORD), .OFF(P_OFF)) u_pload (
        .clk, .rst, .wt_data, .wt_addr, .wt_valid, .we(p_we), .waddr(p_wa), .wdata(p_wd));
      always_ff @(posedge clk) begin
        if (p_we) p_mem[p_wa] <= p_wd;
      end
    end
  end else begin : g_rom
    if (E_FILE != "") begin : g_e_mem
      initial $readmemh(E_FILE, e_mem);
    end
    if (POS != 0 && P_FILE != "") begin : g_p_mem
      initial $readmemh(P_FILE, p_mem);
    end
  end

  // buffer and lookup stages
  logic            buf_valid_q, a_valid_q, out_valid_q;
  logic [W_ID-1:0] buf_id_q, a_id_q;
  logic [TW-1:0]   buf_t_q, a_t_q, next_t_q;
  logic [NBW-1:0]  beat_q;
  logic            in_fire, adv, last, a_free;

  assign in_ready = !buf_valid_q;
  assign in_fire  = in_valid && in_ready;
  assign adv      = a_valid_q && (!out_valid_q || out_ready);
  assign last     = beat_q == NBW'(NB - 1);
  assign a_free   = !a_valid_q || (adv && last);

  always_ff @(posedge clk) begin
    if (rst) begin
      buf_valid_q <= 1'b0;
      a_valid_q   <= 1'b0;
      out_valid_q <= 1'b0;
      beat_q      <= '0;
      next_t_q    <= '0;
      buf_id_q    <= '0;
      buf_t_q     <= '0;
      a_id_q      <= '0;
      a_t_q       <= '0;
    end else begin
      out_valid_q <= adv || (out_valid_q && !out_ready);
      if (adv) beat_q <= last ? '0 : beat_q + 1'b1;
      if (in_fire) next_t_q <= (next_t_q == TW'(T - 1)) ? '0 : next_t_q + 1'b1;
      if (a_free) begin
        if (buf_valid_q) begin
          a_valid_q   <= 1'b1;
          a_id_q      <= buf_id_q;
          a_t_q       <= buf_t_q;
          buf_valid_q <= in_fire;
          if (in_fire) begin
            buf_id_q <= in_data;
            buf_t_q  <= next_t_q;
          end
        end else begin
          a_valid_q <= in_fire;
          if (in_fire) begin
            a_id_q <= in_data;
            a_t_q  <= next_t_q;
          end
        end
      end else if (in_fire) begin
        buf_valid_q <= 1'b1;
        buf_id_q    <= in_data;
        buf_t_q     <= next_t_q;
      end
    end
  end

  // ROM reads into the output register (synchronous read, enable = adv)
  logic [EA-1:0]   e_addr;
  logic [PA-1:0]   p_addr;
  logic [WORD-1:0] e_q, p_q;
  assign e_addr = EA'(a_id_q) * EA'(NB) + EA'(beat_q);
  assign p_addr = PA'(a_t_q) * PA'(NB) + PA'(beat_q);

  always_ff @(posedge clk) begin
    if (adv) e_q <= e_mem[e_addr];
  end
  if (POS != 0) begin : g_pos
    always_ff @(posedge clk) begin
      if (adv) p_q <= p_mem[p_addr];
    end
  end else begin : g_no_pos
    assign p_q = '0;
    logic unused_pos;
    assign unused_pos = ^{p_addr, a_t_q};
  end

  // per lane: clamp(e + p, LO, HI)
  for (genvar l = 0; l < OUT_BEAT; l++) begin : g_lane
    logic signed [W_OUT:0] e_l, p_l, sum;
    assign e_l = (W_OUT+1)'($signed(e_q[l*W_OUT +: W_OUT]));
    assign p_l = (W_OUT+1)'($signed(p_q[l*W_OUT +: W_OUT]));
    assign sum = e_l + p_l;
    assign out_data[l*W_OUT +: W_OUT] =
        (sum < (W_OUT+1)'(LO)) ? W_OUT'(LO) :
        (sum > (W_OUT+1)'(HI)) ? W_OUT'(HI) : sum[W_OUT-1:0];
  end
  assign out_valid = out_valid_q;

`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
