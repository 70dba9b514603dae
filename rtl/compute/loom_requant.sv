// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_requant: requantisation and activation stage of loom_mvu / loom_dwu (S3 and the
// activation table; docs/CONTRACTS.md), PE lanes at once:
//   pr = acc * M (W_M > 0, per output channel, unsigned) or acc, + PB (W_PB > 0, per
//        output channel, signed: a post-multiply bias)
//   rq = shift_round_even(pr, SHIFT);  y = saturate_W_OUT(rq)
//   ACT (loom_pkg::ACT_*): relu y < 0 -> 0; sign rq >= 0 ? 1 : -1; clip to
//   [T_MIN, T_MAX]; leaky y < 0 -> sat(shift_round_even(y * A, 15)) with A = LEAKY_A or
//   the channel's W_LA-bit slope (PRelu, LA_FILE); table: T_FILE[(clamp(y) >> T_SHIFT)
//   - (T_MIN >> T_SHIFT)].
// Per-channel parameters (M_FILE, LA_FILE, PB_FILE: NF lines in the bias layout) are read at
// `fetch` (the unit fetches its bias: first step of group `group`) and copied beside the
// accumulator at `align` (that step enters the MAC stage), so each group meets its own.
// Timing: acc_valid at edge e registers y at edge e+1; out_valid (= the unit's output
// FIFO push) follows in the next cycle, with the table read combinationally from the
// registered y. No stall: the unit's credits guarantee that the FIFO takes every beat.
// RQ_PIPE = 1 (docs/CONTRACTS.md "Clock target") registers pr = acc * M + PB (and the
// channel's slope) one edge before the shift, rounding and saturation: y at edge e+2.
module loom_requant #(
  parameter int PE      = 2,
  parameter int NF      = 2,   // channel groups (per-channel ROM lines)
  parameter int WA      = 24,  // signed accumulator lane width
  parameter int W_OUT   = 8,
  parameter int SHIFT   = 0,
  parameter int ACT     = loom_pkg::ACT_NONE,
  parameter int T_MIN   = 0,
  parameter int T_MAX   = 0,
  parameter int T_SHIFT = 0,
  parameter int T_DEPTH = 1,
  parameter int LEAKY_A = 0,
  parameter int W_M     = 0,
  parameter int W_LA    = 0,
  parameter int W_PB    = 0,
  parameter     T_FILE  = "",
  parameter     M_FILE  = "",
  parameter     LA_FILE = "",
  parameter     PB_FILE = "",
  parameter int RQ_PIPE = 0    // 1: register acc * M + PB before the shift (clock target)
) (
  input  logic                            clk,
  input  logic                            rst,
  // per-channel ROM fetch and alignment: unused without W_M and W_LA
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic                            fetch,
  input  logic [((NF > 1) ? $clog2(NF) : 1)-1:0] group,
  input  logic                            align,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [PE*WA-1:0]                acc,
  input  logic                            acc_valid,
  output logic [PE*W_OUT-1:0]             out_data,
  output logic                            out_valid
);
`ifdef SYNTHESIS
  localparam bit SIM = 1'b0;  // synthesis: the plain forms below
`elsif LOOM_PLAIN_RTL
  localparam bit SIM = 1'b0;  // loom sim --plain-rtl: simulate the synthesised forms
`else
  localparam bit SIM = 1'b1;  // simulation: the forms Verilator runs faster (same outputs)
`endif
  localparam int TW = (T_DEPTH > 1) ? $clog2(T_DEPTH) : 1;

  /* verilator lint_off UNDRIVEN */
  logic [W_OUT-1:0] tmem [T_DEPTH];
  /* verilator lint_on UNDRIVEN */
  if (ACT == loom_pkg::ACT_TABLE && T_FILE != "") begin : g_tmem
    initial $readmemh(T_FILE, tmem);
  end

  // ---------------------------------------------------------------- multiplier M
  localparam int WMB = (W_M > 0) ? W_M : 1;
  logic [WMB-1:0] ma_q [PE];
  if (W_M > 0) begin : g_mult
    /* verilator lint_off UNDRIVEN */
    logic [PE*W_M-1:0] mmem [NF];
    /* verilator lint_on UNDRIVEN */
    logic [PE*W_M-1:0] m_q;
    if (M_FILE != "") begin : g_mmem
      initial $readmemh(M_FILE, mmem);
    end
    always_ff @(posedge clk) begin
      if (fetch) m_q <= mmem[group];
    end
    for (genvar p = 0; p < PE; p++) begin : g_lane
      always_ff @(posedge clk) begin
        if (align) ma_q[p] <= m_q[p*W_M +: W_M];
      end
    end
  end else begin : g_no_mult
    always_comb for (int p = 0; p < PE; p++) ma_q[p] = '0;
  end

  // ---------------------------------------------------------------- post-multiply bias
  // Fetched and aligned exactly like M; W_PB = 0: none.
  localparam int WPBB = (W_PB > 0) ? W_PB : 1;
  logic [WPBB-1:0] pb_q [PE];
  if (W_PB > 0) begin : g_pbias
    /* verilator lint_off UNDRIVEN */
    logic [PE*W_PB-1:0] pbmem [NF];
    /* verilator lint_on UNDRIVEN */
    logic [PE*W_PB-1:0] b_q;
    if (PB_FILE != "") begin : g_pbmem
      initial $readmemh(PB_FILE, pbmem);
    end
    always_ff @(posedge clk) begin
      if (fetch) b_q <= pbmem[group];
    end
    for (genvar p = 0; p < PE; p++) begin : g_lane
      always_ff @(posedge clk) begin
        if (align) pb_q[p] <= b_q[p*W_PB +: W_PB];
      end
    end
  end else begin : g_no_pbias
    always_comb for (int p = 0; p < PE; p++) pb_q[p] = '0;
  end

  // ---------------------------------------------------------------- per-channel slopes
  // PRelu (ACT_LEAKY, W_LA > 0): fetched and aligned exactly like M; W_LA = 0 uses
  // LEAKY_A for every channel.
  logic signed [63:0] la_a [PE];
  if (ACT == loom_pkg::ACT_LEAKY && W_LA > 0) begin : g_la
    /* verilator lint_off UNDRIVEN */
    logic [PE*W_LA-1:0] lamem [NF];
    /* verilator lint_on UNDRIVEN */
    logic [PE*W_LA-1:0] l_q;
    logic [W_LA-1:0]    la_q [PE];
    if (LA_FILE != "") begin : g_lamem
      initial $readmemh(LA_FILE, lamem);
    end
    always_ff @(posedge clk) begin
      if (fetch) l_q <= lamem[group];
    end
    for (genvar p = 0; p < PE; p++) begin : g_lane
      always_ff @(posedge clk) begin
        if (align) la_q[p] <= l_q[p*W_LA +: W_LA];
      end
    end
    always_comb for (int p = 0; p < PE; p++) la_a[p] = 64'($signed(la_q[p]));
  end else begin : g_la_const
    always_comb for (int p = 0; p < PE; p++) la_a[p] = 64'(LEAKY_A);
  end

  // ---------------------------------------------------------------- S3: requantize
  // RW: wide enough for acc * M + PB, the saturation bounds and the rounding mask.
  localparam int WP0 = (W_M > 0) ? WA + W_M + 1 : WA;
  localparam int WP  = ((W_PB > WP0) ? W_PB : WP0) + ((W_PB > 0) ? 1 : 0);
  localparam int RW0 = (WP > W_OUT + 1) ? WP : W_OUT + 1;
  localparam int RW  = (RW0 > SHIFT + 2) ? RW0 : SHIFT + 2;
  localparam logic signed [RW-1:0] OMAX = (RW'(1) << (W_OUT - 1)) - RW'(1);
  localparam logic signed [W_OUT-1:0] CLIP_LO = T_MIN[W_OUT-1:0];
  localparam logic signed [W_OUT-1:0] CLIP_HI = T_MAX[W_OUT-1:0];
  localparam logic signed [RW-1:0] OMIN = -(RW'(1) << (W_OUT - 1));
  // LeakyRelu / PRelu (docs/CONTRACTS.md): S = 15 fixed, exact in 64 bits (|y|, |A| < 2^31).
  localparam int                   LK_S    = loom_pkg::LEAKY_SHIFT;
  localparam logic [LK_S-1:0]      LK_HALF = LK_S'(1) << (LK_S - 1);
  localparam logic signed [63:0]   LK_MAX  = (64'sd1 <<< (W_OUT - 1)) - 64'sd1;
  localparam logic signed [63:0]   LK_MIN  = -(64'sd1 <<< (W_OUT - 1));

  // round half to even on the SHIFT dropped bits
  localparam logic [RW-1:0] HALF = (SHIFT > 0) ? RW'(1) << (SHIFT > 0 ? SHIFT - 1 : 0) : '0;
  localparam int TBASE = T_MIN >>> T_SHIFT;

  // The three steps of a lane, shared by the synthesised blocks and the simulation form.
  // pr of lane p: acc * M (+ PB)
  function automatic logic signed [RW-1:0] prod_of(input int p);
    logic signed [RW-1:0] v;
    if (W_M > 0) v = RW'($signed(acc[p*WA +: WA])) * $signed(RW'({1'b0, ma_q[p]}));
    else         v = RW'($signed(acc[p*WA +: WA]));
    if (W_PB > 0) v = v + RW'($signed(pb_q[p]));
    prod_of = v;  // (Yosys 0.23 has no return statement)
  endfunction
  // y: pr shifted (round half even), saturated, activated (la: the lane's leaky slope)
  function automatic logic signed [W_OUT-1:0] round_of(input logic signed [RW-1:0] pr,
                                                       input logic signed [63:0] la);
    logic signed [RW-1:0]    rq;
    logic [RW-1:0]           rem;
    logic signed [63:0]      lk_p, lk_r;
    logic signed [W_OUT-1:0] y;
    rq  = pr >>> SHIFT;
    rem = pr & ((RW'(1) << SHIFT) - 1'b1);
    if (SHIFT > 0) begin
      if ((rem > HALF) || ((rem == HALF) && rq[0])) rq = rq + 1'b1;
    end
    if (rq > OMAX)      y = OMAX[W_OUT-1:0];
    else if (rq < OMIN) y = OMIN[W_OUT-1:0];
    else                y = rq[W_OUT-1:0];
    if (ACT == loom_pkg::ACT_RELU && y < 0) y = '0;
    // Sign (bipolar activation): +1 / -1.
    if (ACT == loom_pkg::ACT_SIGN) y = (rq < 0) ? '1 : W_OUT'(1);
    // Clip (Relu6): bounds are codes of the output format.
    if (ACT == loom_pkg::ACT_CLIP && y < CLIP_LO) y = CLIP_LO;
    if (ACT == loom_pkg::ACT_CLIP && y > CLIP_HI) y = CLIP_HI;
    // LeakyRelu: negative codes times A, shifted by 15 (round half even), saturated.
    lk_p = '0;
    lk_r = '0;
    if (ACT == loom_pkg::ACT_LEAKY && y < 0) begin
      lk_p = 64'(y) * la;
      lk_r = lk_p >>> LK_S;
      if ((lk_p[LK_S-1:0] > LK_HALF) || ((lk_p[LK_S-1:0] == LK_HALF) && lk_r[0]))
        lk_r = lk_r + 64'sd1;
      if (lk_r > LK_MAX)      y = LK_MAX[W_OUT-1:0];
      else if (lk_r < LK_MIN) y = LK_MIN[W_OUT-1:0];
      else                    y = lk_r[W_OUT-1:0];
    end
    round_of = y;
  endfunction
  // the output code of y: the activation table's entry (ACT_TABLE) or y. The table
  // index is computed in 32-bit ints so T_MIN/T_MAX outside the W_OUT range are fine.
  function automatic logic [W_OUT-1:0] out_of(input logic signed [W_OUT-1:0] y);
    int tc;
    /* verilator lint_off UNUSEDSIGNAL */  // (its high bits)
    int tix;
    /* verilator lint_on UNUSEDSIGNAL */
    tc = 32'(y);  // y is signed: sign-extends
    if (tc < T_MIN) tc = T_MIN;
    if (tc > T_MAX) tc = T_MAX;
    tix = (tc >>> T_SHIFT) - TBASE;
    if (ACT == loom_pkg::ACT_TABLE) out_of = tmem[tix[TW-1:0]];
    else                            out_of = y;
  endfunction

  logic rq_valid, y_valid_q;
  always_ff @(posedge clk) begin
    if (rst) y_valid_q <= 1'b0;
    else     y_valid_q <= rq_valid;
  end
  assign out_valid = y_valid_q;

  if (SIM && RQ_PIPE == 0) begin : g_sim
    // Simulation: each lane's output code is computed at the edge that registers it, only
    // when an accumulator is valid (a combinational requantisation is evaluated every
    // cycle, though the accumulator feeding it changes on every MAC step); the table is
    // read there too (out_data changes at the edges y would). Same outputs, same cycles.
    // (one packed register: an unpacked one cost Verilator a delayed-assignment record
    // per lane and an always_comb packing it every cycle)
    logic [PE*W_OUT-1:0] o_q;
    always_ff @(posedge clk) begin
      if (acc_valid)
        for (int p = 0; p < PE; p++) o_q[p*W_OUT +: W_OUT] <= out_of(round_of(prod_of(p), la_a[p]));
    end
    assign rq_valid = acc_valid;
    assign out_data = o_q;
  end else begin : g_plain
    logic signed [RW-1:0]    pr  [PE];
    logic signed [W_OUT-1:0] y_d [PE];
    logic signed [W_OUT-1:0] y_q [PE];
    // pr is only used on acc_valid: in simulation (RQ_PIPE) it is 0 otherwise, so the
    // products are skipped (synthesis computes it always: the gate would cost a mux per bit).
    always_comb begin
      for (int p = 0; p < PE; p++) pr[p] = '0;
      if (!SIM || acc_valid) for (int p = 0; p < PE; p++) pr[p] = prod_of(p);
    end

    // prs / las: the product and the slope at the rounding stage, valid on rq_valid.
    logic signed [RW-1:0] prs [PE];
    logic signed [63:0]   las [PE];
    if (RQ_PIPE == 0) begin : g_rq0
      always_comb for (int p = 0; p < PE; p++) prs[p] = pr[p];
      always_comb for (int p = 0; p < PE; p++) las[p] = la_a[p];
      assign rq_valid = acc_valid;
    end else begin : g_rqp
      logic signed [RW-1:0] pr_q [PE];
      logic signed [63:0]   la_s_q [PE];
      logic                 pr_valid_q;
      always_ff @(posedge clk) begin
        if (rst) pr_valid_q <= 1'b0;
        else     pr_valid_q <= acc_valid;
      end
      for (genvar p = 0; p < PE; p++) begin : g_pr
        always_ff @(posedge clk) begin
          if (acc_valid) begin
            pr_q[p]   <= pr[p];
            la_s_q[p] <= la_a[p];  // the next group may align its slope meanwhile
          end
        end
      end
      always_comb for (int p = 0; p < PE; p++) prs[p] = pr_q[p];
      always_comb for (int p = 0; p < PE; p++) las[p] = la_s_q[p];
      assign rq_valid = pr_valid_q;
    end

    // y_d is only loaded on rq_valid; in simulation it is 0 otherwise, so the rounding is
    // skipped on the other cycles.
    always_comb begin
      for (int p = 0; p < PE; p++) y_d[p] = '0;
      if (!SIM || rq_valid) for (int p = 0; p < PE; p++) y_d[p] = round_of(prs[p], las[p]);
    end
    for (genvar p = 0; p < PE; p++) begin : g_y
      always_ff @(posedge clk) begin
        if (rq_valid) y_q[p] <= y_d[p];
      end
    end
    // the activation table: one logical T_DEPTH-entry ROM read by PE ports (= per-PE
    // copies after synthesis)
    always_comb for (int p = 0; p < PE; p++) out_data[p*W_OUT +: W_OUT] = out_of(y_q[p]);
  end
endmodule
