// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_layernorm: integer layer normalization of rows of C codes (docs/CONTRACTS.md
// "LayerNorm"), store-and-forward per row with two row banks (the next row arrives while
// the previous one is computed and streamed out), output beats of 1 element (W_OUT bits).
//
//   S1 = sum c, S2 = sum c^2 (while the row arrives)
//   q  = isqrt(((C*S2 - S1^2) << 2P) + (E << (2P - ES)))
//                                             (bit by bit, two radicand bits a cycle)
//   r  = floor(2^R / q)                       (restoring division, a quotient bit a cycle)
//   u_i = shift_round_even((C*c_i - S1) * r, SH1)
//   y_i = clamp(shift_round_even(u_i * G[i] + B[i], SH2), LO, HI)
//
// RMS = 1 (RMSNorm, Llama / T5): the same recipe with S1 := 0, so D = C*S2 and
// t_i = C*c_i; the timing does not change.
//
// The widths W_V (of D + E / 2^ES + 1), W_T, W_U, W_G, W_B, W_Z and the shifts come from
// numerics::LayerNormParams (compiler/numerics/LayerNorm.h), so they always hold the
// values the reference computes.
//
// Two sides (cycle model: hw_model/Actors.cpp, LayerNormModel - keep in sync):
//  input:   in_ready = !full_q[wr_q] (registered). IB = C/IN_BEAT beats into bank wr_q,
//           S1 and S2 of that bank accumulate; the last beat marks the bank full and
//           moves wr_q to the other bank.
//  compute: IDLE: bank rd_q full -> CALC.
//           CALC: NCALC = 1 + NSQ + ND cycles: D and the radicand, NSQ isqrt steps, ND
//                 division steps.
//           OUT:  one element per cycle into the output register whenever it is empty
//                 or being drained (out_valid is that register: no comb path ready ->
//                 valid). Loading the last element frees bank rd_q, moves rd_q to the
//                 other bank and goes back to IDLE.
// Clean pass: a row every max(IB, 1 + NCALC + C) cycles once both sides are busy.
//
// RT_W = 1 (loom compile --runtime-weights): G and B are written from the weight-load bus
// (loom_wt_load) at image words G_OFF.. and B_OFF.. instead of read from G_FILE / B_FILE;
// SH2, W_G, W_B and W_Z then come from the bound of every gamma / beta the format admits
// (numerics::LayerNormParams gCap / bCap), not from one model's values.
module loom_layernorm #(
  parameter int C       = 4,
  parameter int IN_BEAT = 1,
  parameter int W_IN    = 8,
  parameter int W_OUT   = 8,
  parameter int W_V     = 16,
  parameter int W_T     = 12,
  parameter int W_U     = 20,
  parameter int W_G     = 16,
  parameter int W_B     = 24,
  parameter int W_Z     = 40,
  parameter int E       = 1,
  parameter int ES      = 16,
  parameter int P       = 8,
  parameter int R       = 36,
  parameter int SH1     = 12,
  parameter int SH2     = 31,
  parameter int LO      = -128,
  parameter int HI      = 127,
  parameter int RMS     = 0,      // 1: RMSNorm, S1 taken as 0 (D = C*S2, t = C*c)
  parameter     G_FILE  = "",
  parameter     B_FILE  = "",
  parameter int RT_W    = 0,
  parameter int G_OFF   = 0,
  parameter int B_OFF   = 0
) (
  input  logic                    clk,
  input  logic                    rst,
  // weight-load bus (loom_wt_bus); tied to 0 and unused without RT_W
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [31:0]             wt_data,
  input  logic [31:0]             wt_addr,
  input  logic                    wt_valid,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [IN_BEAT*W_IN-1:0] in_data,
  input  logic                    in_valid,
  output logic                    in_ready,
  output logic [W_OUT-1:0]        out_data,
  output logic                    out_valid,
  input  logic                    out_ready
);
  localparam int IB    = C / IN_BEAT;
  localparam int IBW   = (IB > 1) ? $clog2(IB) : 1;
  localparam int CW    = (C > 1) ? $clog2(C) : 1;
  localparam int CNT   = $clog2(C + 1);
  localparam int W_S1  = W_IN + CNT + 1;            // |S1| <= C * 2^(W_IN-1)
  localparam int W_S2  = 2 * W_IN + CNT + 1;        // S2 <= C * 2^(2 W_IN - 2), signed
  localparam int W_D   = W_S2 + CNT + 2;            // C * S2 and S1^2, signed
  localparam int NSQ   = (W_V + 2 * P + 1) / 2;     // root bits
  localparam int WR    = 2 * NSQ;                   // radicand bits
  localparam int ND    = R - P + 1;                 // reciprocal bits
  localparam int NCALC = 1 + NSQ + ND;
  localparam int STW   = $clog2(NCALC + 1);
  localparam int WP    = W_T + ND + 1;              // t * r
  localparam int W_BS  = (W_IN > 1) ? 2 * W_IN : 2; // one square

  typedef enum logic [1:0] {StIdle, StCalc, StOut} state_e;

  /* verilator lint_off UNDRIVEN */  // (only with the default empty file names)
  logic [W_G-1:0] g_mem [C];
  logic [W_B-1:0] b_mem [C];
  /* verilator lint_on UNDRIVEN */
  if (RT_W != 0) begin : g_load
    localparam int LW = (C > 1) ? $clog2(C) : 1;
    logic           g_we, b_we;
    logic [LW-1:0]  g_wa, b_wa;
    logic [W_G-1:0] g_wd;
    logic [W_B-1:0] b_wd;
    loom_wt_load #(.LINES(C), .WIDTH(W_G), .OFF(G_OFF)) u_gload (
      .clk, .rst, .wt_data, .wt_addr, .wt_valid, .we(g_we), .waddr(g_wa), .wdata(g_wd));
    loom_wt_load #(.LINES(C), .WIDTH(W_B), .OFF(B_OFF)) u_bload (
      .clk, .rst, .wt_data, .wt_addr, .wt_valid, .we(b_we), .waddr(b_wa), .wdata(b_wd));
    always_ff @(posedge clk) begin
      if (g_we) g_mem[g_wa] <= g_wd;
      if (b_we) b_mem[b_wa] <= b_wd;
    end
  end else begin : g_rom
    if (G_FILE != "") begin : g_g_mem
      initial $readmemh(G_FILE, g_mem);
    end
    if (B_FILE != "") begin : g_b_mem
      initial $readmemh(B_FILE, b_mem);
    end
  end

  state_e                 state_q;
  logic [IBW-1:0]         in_cnt_q;
  logic [STW-1:0]         step_q;
  logic [CW-1:0]          idx_q;
  logic [C*W_IN-1:0]      x_q [2];
  logic signed [W_S1-1:0] s1_q [2];
  logic signed [W_S2-1:0] s2_q [2];
  logic signed [W_S1-1:0] s1_d, s1;
  logic signed [W_S2-1:0] s2_d, s2;
  logic [1:0]             full_q;
  logic                   wr_q, rd_q;
  logic [WR-1:0]          rad_q;
  // (the top bits of the remainders and of the clamped value are never read)
  /* verilator lint_off UNUSEDSIGNAL */
  logic [NSQ+1:0]         rem_q, drem_q;
  logic [NSQ-1:0]         root_q;
  logic [ND-1:0]          recip_q;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [W_OUT-1:0]       out_q;
  logic                   out_valid_q;
  logic                   in_fire, in_last, idx_last, calc_last, out_load;

  assign in_ready  = !full_q[wr_q];
  assign s1        = (RMS != 0) ? '0 : s1_q[rd_q];  // RMSNorm: no mean (S1 := 0)
  assign s2        = s2_q[rd_q];
  assign in_fire   = in_valid && in_ready;
  assign in_last   = (in_cnt_q == IBW'(IB - 1));
  assign idx_last  = (idx_q == CW'(C - 1));
  assign calc_last = (step_q == STW'(NCALC - 1));
  assign out_valid = out_valid_q;
  assign out_data  = out_q;
  assign out_load  = (state_q == StOut) && (!out_valid_q || out_ready);

  // ---------------------------------------------------------------- LOAD: row sums
  always_comb begin
    logic signed [W_IN-1:0] x;
    logic signed [W_BS-1:0] sq;
    s1_d = (in_cnt_q == '0) ? '0 : s1_q[wr_q];
    s2_d = (in_cnt_q == '0) ? '0 : s2_q[wr_q];
    for (int e = 0; e < IN_BEAT; e++) begin
      x    = $signed(in_data[e*W_IN +: W_IN]);
      sq   = W_BS'(x) * W_BS'(x);
      s1_d = s1_d + W_S1'(x);
      s2_d = s2_d + W_S2'(sq);
    end
  end

  // ---------------------------------------------------------------- CALC
  // step 0: the radicand; steps 1..NSQ: isqrt; steps NSQ+1..NSQ+ND: 2^R / root.
  logic signed [W_D-1:0] d_full;
  logic [NSQ+1:0]        rem_n, trial, drem_n;
  always_comb begin
    d_full = W_D'(C) * W_D'(s2) - W_D'(s1) * W_D'(s1);
    rem_n  = {rem_q[NSQ-1:0], rad_q[WR-1 -: 2]};
    trial  = {root_q, 2'b01};
    drem_n = {drem_q[NSQ:0], 1'b0};
  end

  // ---------------------------------------------------------------- OUT: element idx_q
  logic signed [W_IN-1:0]  xi;
  logic signed [W_T-1:0]   t;
  logic signed [WP-1:0]    prod, prod_sh;
  logic signed [W_U-1:0]   u;
  logic signed [W_Z-1:0]   z, z_sh;
  /* verilator lint_off UNUSEDSIGNAL */
  logic signed [W_Z-1:0]   y;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [SH1-1:0]          prod_rem;
  always_comb begin
    xi      = $signed(x_q[rd_q][idx_q * W_IN +: W_IN]);
    t       = W_T'(C) * W_T'(xi) - W_T'(s1);
    prod    = WP'(t) * $signed(WP'(recip_q));
    // shift_round_even(prod, SH1) (SH1 >= 1 by construction)
    prod_sh  = prod >>> SH1;
    prod_rem = prod[SH1-1:0];
    if (prod_rem > {1'b1, {(SH1 - 1){1'b0}}} ||
        (prod_rem == {1'b1, {(SH1 - 1){1'b0}}} && prod_sh[0]))
      prod_sh = prod_sh + WP'(1);
    u = W_U'(prod_sh);
    z = W_Z'(u) * W_Z'($signed(g_mem[idx_q])) + W_Z'($signed(b_mem[idx_q]));
  end

  if (SH2 > 0) begin : g_round2
    logic [SH2-1:0] z_rem;
    always_comb begin
      z_sh  = z >>> SH2;
      z_rem = z[SH2-1:0];
      if (z_rem > {1'b1, {(SH2 - 1){1'b0}}} || (z_rem == {1'b1, {(SH2 - 1){1'b0}}} && z_sh[0]))
        z_sh = z_sh + W_Z'(1);
    end
  end else begin : g_round2_none
    assign z_sh = z;
  end

  always_comb begin
    y = z_sh;
    if (z_sh < W_Z'(LO)) y = W_Z'(LO);
    if (z_sh > W_Z'(HI)) y = W_Z'(HI);
  end

  // ---------------------------------------------------------------- control
  always_ff @(posedge clk) begin
    if (rst) begin
      state_q     <= StIdle;
      full_q      <= '0;
      wr_q        <= 1'b0;
      rd_q        <= 1'b0;
      in_cnt_q    <= '0;
      step_q      <= '0;
      idx_q       <= '0;
      out_valid_q <= 1'b0;
    end else begin
      if (out_load)       out_valid_q <= 1'b1;
      else if (out_ready) out_valid_q <= 1'b0;
      if (in_fire) begin
        in_cnt_q <= in_last ? '0 : in_cnt_q + 1'b1;
        if (in_last) begin
          full_q[wr_q] <= 1'b1;
          wr_q         <= ~wr_q;
        end
      end
      unique case (state_q)
        StIdle: if (full_q[rd_q]) state_q <= StCalc;
        StCalc: begin
          step_q <= calc_last ? '0 : step_q + 1'b1;
          if (calc_last) state_q <= StOut;
        end
        StOut: if (out_load) begin
          idx_q <= idx_last ? '0 : idx_q + 1'b1;
          if (idx_last) begin
            state_q      <= StIdle;
            full_q[rd_q] <= 1'b0;
            rd_q         <= ~rd_q;
          end
        end
        default: state_q <= StIdle;
      endcase
    end
  end

  // ---------------------------------------------------------------- datapath
  always_ff @(posedge clk) begin
    if (in_fire) begin
      x_q[wr_q][in_cnt_q * (IN_BEAT * W_IN) +: IN_BEAT * W_IN] <= in_data;
      s1_q[wr_q] <= s1_d;
      s2_q[wr_q] <= s2_d;
    end
    if (state_q == StCalc) begin
      if (step_q == '0) begin
        rad_q  <= (WR'(d_full) << (2 * P)) + (WR'(E) << (2 * P - ES));
        rem_q  <= '0;
        root_q <= '0;
        drem_q <= (NSQ + 2)'(1) << (P - 1);
      end else if (step_q <= STW'(NSQ)) begin
        rad_q <= rad_q << 2;
        if (rem_n >= trial) begin
          rem_q  <= rem_n - trial;
          root_q <= {root_q[NSQ-2:0], 1'b1};
        end else begin
          rem_q  <= rem_n;
          root_q <= {root_q[NSQ-2:0], 1'b0};
        end
      end else begin
        if (drem_n >= (NSQ + 2)'(root_q)) begin
          drem_q  <= drem_n - (NSQ + 2)'(root_q);
          recip_q <= {recip_q[ND-2:0], 1'b1};
        end else begin
          drem_q  <= drem_n;
          recip_q <= {recip_q[ND-2:0], 1'b0};
        end
      end
    end
    if (out_load) out_q <= W_OUT'(y);
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
