// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_rotary: rotary position embedding (docs/CONTRACTS.md "Rotary"). A frame is T rows
// of C codes (row t = position t: a row counter wrapping at T, so a frame is one sequence
// and, in token streaming, row t is token t). Channel c = h*D + d is paired with its
// partner p(c) = h*D + (d + D/2) mod D of the same head:
//   acc  = x[c] * COS[t*C + c] + x[p(c)] * SIN[t*C + c]        (exact, W_ACC bits)
//   y[c] = clamp(shift_round_even(acc * M, SH), LO, HI)
// COS / SIN are ROMs of signed 16-bit codes with 14 fraction bits (SIN already signed).
//
// Control (cycle model: hw_model/Actors.cpp, RotaryModel - keep in sync):
//  LOAD: in_ready; a row's C / IN_BEAT beats are written into the row buffer.
//  EMIT: when the output register is empty or being read, code idx is fetched: x[idx],
//        x[p(idx)] and the ROM words (registered: block RAM with an output register)
//        into the output stage; after code C-1 the next row is accepted (LOAD).
//  The output arithmetic is combinational from the output stage registers; out_valid
//  is a register (no combinational path from out_ready to out_valid).
// Clean pass: a row every C / IN_BEAT + C cycles.
module loom_rotary #(
  parameter int T        = 2,
  parameter int C        = 4,
  parameter int D        = 4,
  parameter int IN_BEAT  = 1,
  parameter int W_IN     = 8,
  parameter int W_OUT    = 8,
  parameter int W_ACC    = 24,
  parameter int W_M      = 2,
  parameter int M        = 1,
  parameter int SH       = 14,
  parameter int LO       = -128,
  parameter int HI       = 127,
  parameter     COS_FILE = "",
  parameter     SIN_FILE = ""
) (
  input  logic                     clk,
  input  logic                     rst,
  input  logic [IN_BEAT*W_IN-1:0]  in_data,
  input  logic                     in_valid,
  output logic                     in_ready,
  output logic [W_OUT-1:0]         out_data,
  output logic                     out_valid,
  input  logic                     out_ready
);
  localparam int NB  = C / IN_BEAT;
  localparam int NBW = (NB > 1) ? $clog2(NB) : 1;
  localparam int CW  = $clog2(C + 1);
  localparam int XW  = (C > 1) ? $clog2(C) : 1;   // row buffer index
  localparam int TW  = (T > 1) ? $clog2(T) : 1;
  localparam int AW  = (T * C > 1) ? $clog2(T * C) : 1;
  localparam int W_Z = W_ACC + W_M;
  localparam int HALF = D / 2;

  /* verilator lint_off UNDRIVEN */  // (only with the default empty file names)
  logic [15:0] cos_mem [T * C];
  logic [15:0] sin_mem [T * C];
  /* verilator lint_on UNDRIVEN */
  if (COS_FILE != "") begin : g_cos_mem
    initial $readmemh(COS_FILE, cos_mem);
  end
  if (SIN_FILE != "") begin : g_sin_mem
    initial $readmemh(SIN_FILE, sin_mem);
  end

  logic [W_IN-1:0] x_q [C];        // the row buffer
  logic            emit_q, out_valid_q;
  logic [NBW-1:0]  cnt_q;          // input beat of the row
  logic [CW-1:0]   idx_q, base_q;  // code idx = base (head start) + d
  logic [CW-1:0]   d_q;
  logic [TW-1:0]   t_q;            // position (row of the frame)
  logic            in_fire, fetch, last;
  logic [XW-1:0]   partner;        // p(idx), always < C

  assign in_ready = !emit_q;
  assign in_fire  = in_valid && in_ready;
  assign fetch    = emit_q && (!out_valid_q || out_ready);
  assign last     = idx_q == CW'(C - 1);
  assign partner  = XW'(base_q + ((d_q < CW'(HALF)) ? d_q + CW'(HALF) : d_q - CW'(HALF)));

  always_ff @(posedge clk) begin
    if (rst) begin
      emit_q      <= 1'b0;
      out_valid_q <= 1'b0;
      cnt_q       <= '0;
      idx_q       <= '0;
      base_q      <= '0;
      d_q         <= '0;
      t_q         <= '0;
    end else begin
      out_valid_q <= fetch || (out_valid_q && !out_ready);
      if (!emit_q && in_fire) begin
        if (cnt_q == NBW'(NB - 1)) begin
          cnt_q  <= '0;
          emit_q <= 1'b1;
        end else begin
          cnt_q <= cnt_q + 1'b1;
        end
      end else if (fetch) begin
        if (last) begin
          idx_q  <= '0;
          base_q <= '0;
          d_q    <= '0;
          emit_q <= 1'b0;
          t_q    <= (t_q == TW'(T - 1)) ? '0 : t_q + 1'b1;
        end else begin
          idx_q <= idx_q + 1'b1;
          if (d_q == CW'(D - 1)) begin
            d_q    <= '0;
            base_q <= base_q + CW'(D);
          end else begin
            d_q <= d_q + 1'b1;
          end
        end
      end
    end
  end

  // the row buffer (no reset: data only); code i arrives in lane i % IN_BEAT of beat
  // i / IN_BEAT (one write port per code: no loop over an array in a clocked block)
  for (genvar i = 0; i < C; i++) begin : g_row
    always_ff @(posedge clk) begin
      if (in_fire && cnt_q == NBW'(i / IN_BEAT))
        x_q[i] <= in_data[(i % IN_BEAT)*W_IN +: W_IN];
    end
  end

  // output stage: x, its partner and the ROM words (synchronous reads, enable = fetch)
  logic [W_IN-1:0] xa_q, xb_q;
  logic [15:0]     cos_q, sin_q;
  logic [AW-1:0]   addr;
  assign addr = AW'(t_q) * AW'(C) + AW'(idx_q);
  always_ff @(posedge clk) begin
    if (fetch) begin
      xa_q  <= x_q[XW'(idx_q)];
      xb_q  <= x_q[partner];
      cos_q <= cos_mem[addr];
      sin_q <= sin_mem[addr];
    end
  end

  logic signed [W_ACC-1:0] acc;
  logic signed [W_Z-1:0]   z, z_sh, y;
  always_comb begin
    acc = W_ACC'($signed(xa_q)) * W_ACC'($signed(cos_q)) +
          W_ACC'($signed(xb_q)) * W_ACC'($signed(sin_q));
    z   = W_Z'(acc) * W_Z'(M);
  end
  if (SH > 0) begin : g_round
    logic [SH-1:0] z_rem;
    always_comb begin
      z_sh  = z >>> SH;
      z_rem = z[SH-1:0];
      if (z_rem > {1'b1, {(SH - 1){1'b0}}} || (z_rem == {1'b1, {(SH - 1){1'b0}}} && z_sh[0]))
        z_sh = z_sh + W_Z'(1);
    end
  end else begin : g_round_none
    assign z_sh = z;
  end
  always_comb begin
    y = z_sh;
    if (y < W_Z'(LO)) y = W_Z'(LO);
    if (y > W_Z'(HI)) y = W_Z'(HI);
  end
  assign out_data  = y[W_OUT-1:0];
  assign out_valid = out_valid_q;

`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
