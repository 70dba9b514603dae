// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_mvu_stream: matrix-vector (or depthwise) unit with PE = N that folds flat across
// vectors:  y[v] = act(sat(shift_round_even(W x[v] + b, SHIFT))) for the VECTORS vectors
// of a frame, bit-identical to loom_mvu (DW_KK = 0) / loom_dwu (DW_KK > 0) with PE = N.
//
// Why: loom_mvu with PE = N spends ceil(K/SIMD) whole steps on every vector, so a conv
// with V vectors a frame only reaches V, 2V, 3V.. cycles. This unit reads the frame's
// items as one flat sequence per output lane, SIMD a step: STEPS = ceil(VECTORS*KR/SIMD)
// steps a frame, any SIMD as fast as its multipliers allow.
//
// Geometry (hw_model/MvuStream.h, streamGeometry: keep in sync). KR = K (dense) or DW_KK
// (depthwise, K = DW_KK*N in (k, c) order as loom_dwu); an item is G = 1 (dense) or
// G = N (depthwise: one tap of every channel) stream elements, EL = G*SIMD elements a step.
//  * Step t of a frame takes items t*SIMD .. t*SIMD + SIMD-1 of the frame, lane (n, s):
//    dense: element f = t*SIMD + s of the frame times w[n][f mod K];
//    depthwise: element (t*SIMD + s)*N + n times w[n][(t*SIMD + s) mod DW_KK].
//  * off = (t*SIMD) mod KR. A step with off + SIMD >= KR (wrap) ends its vector in its
//    low KR - off slots (with the carried partial sum and the bias: step_first of that
//    vector); when off + SIMD > KR and it is not the frame's last step (split), its high
//    slots start the next vector and their sum waits in carry_q (as loom_mvu's flat
//    unit). The frame's last step takes ELAST = G*(VECTORS*KR - (STEPS-1)*SIMD) elements
//    and always ends at the frame's last element: its high slots never count (masked by
//    the low/high split, so a padded +-1 weight adds nothing). Frames share no step.
// Weight ROM (W_FILE, or the run-time image at W_OFF): LINES = min(P, STEPS) lines,
// P = KR / gcd(KR, SIMD) (the period of off); step t reads line t mod LINES (a frame
// shorter than P never needs more). Line p, lane n*SIMD + s at bits
// [(n*SIMD + s)*W_W +: W_W] holds w[n][(p*SIMD + s) mod KR] (W_W-bit two's complement;
// BIPOLAR_W: bit 1 = +1, 0 = -1); hw_model streamWeightImage builds it. Bias (B_FILE /
// B_OFF): one line of N W_ACC-bit lanes (loom_mvu with NF = 1); M_FILE, LA_FILE,
// PB_FILE likewise one line. Run-time image words: ceil(N*SIMD*W_W/32) a weight line,
// ceil(N*W_ACC/32) the bias line (docs/CONTRACTS.md "Weight-load stream").
//
// Micro-architecture (cycle model: hw_model/Actors.cpp MvuStreamModel - keep in sync):
//  * Gearbox: gb_q holds up to CAP elements in stream order (element 0 oldest, zero above
//    the count), CAP = EL + IN_BEAT + max(EL, IN_BEAT). in_ready = count <= CAP - IN_BEAT
//    (a function of cnt_q only). A beat is written above the elements kept at the edge;
//    a step takes the low EL (ELAST) elements and shifts them out at its issue edge. CAP
//    keeps one step a cycle when IN_BEAT >= EL, and a beat a cycle when not. Every count
//    is a multiple of U = gcd(EL, ELAST, IN_BEAT) elements (depthwise: usually N or more),
//    so cnt_q counts units of U and the beat's write shifter has clog2(CAP/U + 1) stages.
//  * Issue (cycle t): cnt_q >= the step's elements and, on a vector's first step, a free
//    output credit (credit_q < OUT_DEPTH).
//  * From S1 on, loom_mvu's pipeline: S1 (edge t) x_q, w_q; MAC (edge t+1) acc_q;
//    requantisation (loom_requant) at t+2; FIFO push at t+3; out_valid at t+4. PIPE adds
//    a products register (1) and a sums register (2), RQ_PIPE loom_requant's stage, each
//    one cycle of latency and one OUT_DEPTH entry (docs/CONTRACTS.md "Clock target").
// Clean pass: a frame every max(STEPS, VECTORS*K/IN_BEAT) cycles; latency (first input
// beat to the frame's last output beat) = the last step's issue cycle + 5 + PIPE +
// RQ_PIPE (hw_model streamLastIssue).
// Parameters and ports as loom_mvu (PE must equal N; SIMD <= KR; IN_BEAT | K) plus
// VECTORS (vectors a frame).
module loom_mvu_stream #(
  parameter int    K       = 4,
  parameter int    N       = 2,
  parameter int    SIMD    = 3,
  parameter int    PE      = 2,
  parameter int    IN_BEAT = 2,
  parameter int    VECTORS = 3,
  parameter int    W_IN    = 8,
  parameter int    W_W     = 8,
  parameter int    W_ACC   = 24,
  parameter int    W_OUT   = 8,
  parameter int    SHIFT   = 0,
  parameter int    ACT     = loom_pkg::ACT_NONE,
  parameter int    T_MIN   = 0,
  parameter int    T_MAX   = 0,
  parameter int    T_SHIFT = 0,
  parameter int    T_DEPTH = 1,
  parameter int    LEAKY_A = 0,
  parameter int    W_M     = 0,
  parameter int    BIPOLAR_W = 0,
  parameter int    W_LA    = 0,
  parameter int    W_PB    = 0,
  parameter        W_FILE  = "",
  parameter        B_FILE  = "",
  parameter        T_FILE  = "",
  parameter        M_FILE  = "",
  parameter        LA_FILE = "",
  parameter        PB_FILE = "",
  parameter int    DW_KK   = 0,  // > 0: depthwise taps per channel (K = DW_KK*N)
  parameter int    PIPE    = 0,  // extra MAC stages (loom_mvu)
  parameter int    RQ_PIPE = 0,  // requantisation stage (loom_mvu)
  parameter int    RT_W    = 0,  // run-time weights (loom_mvu; W_PB = W_LA = 0)
  parameter int    W_OFF   = 0,
  parameter int    B_OFF   = 0
) (
  input  logic                    clk,
  input  logic                    rst,
  /* verilator lint_off UNUSEDSIGNAL */  // used with RT_W only
  input  logic [31:0]             wt_data,
  input  logic [31:0]             wt_addr,
  input  logic                    wt_valid,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [IN_BEAT*W_IN-1:0] in_data,
  input  logic                    in_valid,
  output logic                    in_ready,
  output logic [PE*W_OUT-1:0]     out_data,
  output logic                    out_valid,
  input  logic                    out_ready
);
`ifdef SYNTHESIS
  localparam bit SIM = 1'b0;  // synthesis: the plain forms
`elsif LOOM_PLAIN_RTL
  localparam bit SIM = 1'b0;  // loom sim --plain-rtl: simulate the synthesised forms
`else
  localparam bit SIM = 1'b1;  // simulation: products only on valid steps (same outputs)
`endif
  // greatest common divisor (elaboration only; bounded loop for Yosys)
  function automatic int gcd(input int a, input int b);
    int x, y, r;
    x = a;
    y = b;
    for (int i = 0; i < 64; i++) begin
      if (y != 0) begin
        r = x % y;
        x = y;
        y = r;
      end
    end
    gcd = x;  // (Yosys 0.23 has no return statement)
  endfunction

  localparam int KR        = (DW_KK > 0) ? DW_KK : K;
  localparam int G         = (DW_KK > 0) ? N : 1;
  localparam int EL        = G * SIMD;
  localparam int ITEMS     = VECTORS * KR;
  localparam int STEPS     = (ITEMS + SIMD - 1) / SIMD;
  localparam int ELAST     = G * (ITEMS - (STEPS - 1) * SIMD);
  localparam int PER       = KR / gcd(KR, SIMD);
  localparam int LINES     = (PER < STEPS) ? PER : STEPS;
  localparam int CAP       = EL + IN_BEAT + ((EL > IN_BEAT) ? EL : IN_BEAT);
  localparam int WA        = (W_ACC > W_IN + W_W) ? W_ACC : W_IN + W_W;
  localparam int OUT_DEPTH = loom_pkg::MVU_OUT_DEPTH + PIPE + RQ_PIPE;
  localparam int CRW       = $clog2(OUT_DEPTH + 1);
  localparam int U         = gcd(gcd(EL, ELAST), IN_BEAT);  // elements a count unit
  localparam int CNW       = $clog2(CAP / U + 1);
  localparam int TW        = (STEPS > 1) ? $clog2(STEPS) : 1;
  localparam int OFW       = (KR > 1) ? $clog2(KR) : 1;
  localparam int AW        = (LINES > 1) ? $clog2(LINES) : 1;
  localparam int LOW       = $clog2(SIMD + 1);
  localparam int FLW       = LOW + 2;  // step flags {continues from carry_q, splits, low slots}
  localparam int LANES     = N * SIMD;
  localparam int WWORD     = LANES * W_W;
  localparam int XW        = EL * W_IN;
  localparam int GBW       = CAP * W_IN;

`ifndef SYNTHESIS
  initial begin
    if (PE != N || SIMD < 1 || SIMD > KR || K % IN_BEAT != 0 || VECTORS < 1 ||
        (DW_KK > 0 && K != DW_KK * N))
      $fatal(1, "%m: needs PE = N, 1 <= SIMD <= KR, IN_BEAT | K, VECTORS >= 1, K = DW_KK*N");
  end
`endif

  // ---------------------------------------------------------------- memories
  /* verilator lint_off UNDRIVEN */
  logic [WWORD-1:0]   wmem [LINES];
  logic [N*W_ACC-1:0] bmem [1];
  /* verilator lint_on UNDRIVEN */
  // FAST (simulation with ROM weights, or loaded ones under DPI; no MAC stages, sums within
  // 32 bits): the MAC reads its operands as 32-bit ints (ws: the ROM, xs_q: the step's
  // elements) and sums at 32 bits, truncated to WA: the same bits (two's complement sums
  // wrap alike), but no lane is extracted from a packed word, sign-extended and masked per
  // product, which was half of a CNN's simulation time. Synthesis never elaborates it
  // (SIM = 0).
  // (its per-element generate loop stays within Verilator's unroll limit)
  // (run-time weights: FAST only with the C++ half, which g_load hands each loaded line)
`ifdef LOOM_SIM_DPI
  localparam bit SIM_DPI = 1'b1;
  /* verilator lint_off UNUSEDSIGNAL */  // (without DPI: FAST off, or a wide accumulator)
  chandle mac_h;  // the unit's C++ half
  /* verilator lint_on UNUSEDSIGNAL */
`else
  localparam bit SIM_DPI = 1'b0;
`endif
  localparam bit FAST = SIM && PIPE == 0 && (RT_W == 0 || SIM_DPI) && WA <= 32 && EL <= 1024;
  // DPI (`loom sim`, LOOM_SIM_DPI): FAST's gearbox data, products and accumulators run in
  // C++ (rtl/sim/loom_sim_dpi.cpp, same bits); see g_dpi below.
  localparam bit DPI = FAST && SIM_DPI;
  localparam bit XFAST = FAST && !DPI;  // FAST in SystemVerilog (ROM weights only)
  // weight lane i of a ROM line as an int, for the simulation forms: +-1 (BIPOLAR_W) or
  // sign-extended
  function automatic int w_lane(input logic [WWORD-1:0] line, input int i);
    w_lane = (BIPOLAR_W != 0) ? (line[i*W_W] ? 1 : -1) : 32'($signed(line[i*W_W +: W_W]));
  endfunction
  /* verilator lint_off UNUSEDSIGNAL */
  /* verilator lint_off UNDRIVEN */  // (as wmem: without a W_FILE)
  int ws [XFAST ? LINES : 1][XFAST ? LANES : 1];
  /* verilator lint_on UNDRIVEN */
  /* verilator lint_on UNUSEDSIGNAL */
  if (DPI) begin : g_dpi_rom
`ifdef LOOM_SIM_DPI
    // the ROMs, then the unit's C++ half with their lanes (as FAST's ws)
    initial begin
      int wl [LANES];
      int bl [N];
      if (W_FILE != "") $readmemh(W_FILE, wmem);
      if (B_FILE != "") $readmemh(B_FILE, bmem);
      mac_h = loom_pkg::loom_mac_new(1, K, N, SIMD, N, IN_BEAT, W_IN, DW_KK, 0, LINES, 1, WA,
                                     CAP);
      // (run-time weights: g_load hands over each line as it is loaded)
      if (RT_W == 0) for (int l = 0; l < LINES; l++) begin
        for (int i = 0; i < LANES; i++)
          wl[i] = w_lane(wmem[l], i);
        loom_pkg::loom_mac_wline(mac_h, l, wl);
      end
      if (RT_W == 0) begin
        for (int n = 0; n < N; n++) bl[n] = 32'($signed(bmem[0][n*W_ACC +: W_ACC]));
        loom_pkg::loom_mac_bline(mac_h, 0, bl);
      end
    end
`endif
  end
  if (RT_W != 0) begin : g_load
    logic               w_we, b_we;
    logic [AW-1:0]      w_wa;
    logic               b_wa;
    logic [WWORD-1:0]   w_wd;
    logic [N*W_ACC-1:0] b_wd;
    loom_wt_load #(.LINES(LINES), .WIDTH(WWORD), .OFF(W_OFF)) u_wload (
      .clk, .rst, .wt_data, .wt_addr, .wt_valid, .we(w_we), .waddr(w_wa), .wdata(w_wd));
    loom_wt_load #(.LINES(1), .WIDTH(N * W_ACC), .OFF(B_OFF)) u_bload (
      .clk, .rst, .wt_data, .wt_addr, .wt_valid, .we(b_we), .waddr(b_wa), .wdata(b_wd));
    always_ff @(posedge clk) begin
      if (w_we) wmem[w_wa] <= w_wd;
      if (b_we) bmem[b_wa] <= b_wd;
    end
`ifdef LOOM_SIM_DPI
    // DPI: the C++ half takes each loaded line too (as loom_mvu's g_dpi_load)
    if (DPI) begin : g_dpi_load
      always_ff @(posedge clk) begin
        if (w_we) begin
          int wl [LANES];
          for (int i = 0; i < LANES; i++) wl[i] = w_lane(w_wd, i);
          loom_pkg::loom_mac_wline(mac_h, 32'(w_wa), wl);
        end
        if (b_we) begin
          int bl [N];
          for (int n = 0; n < N; n++) bl[n] = 32'($signed(b_wd[n*W_ACC +: W_ACC]));
          loom_pkg::loom_mac_bline(mac_h, 0, bl);
        end
      end
    end
`endif
  end else if (!DPI) begin : g_rom
    if (W_FILE != "") begin : g_wmem
      initial begin
        $readmemh(W_FILE, wmem);
        // FAST: the lanes as 32-bit ints, sign-extended (or +-1) once here
        if (XFAST) for (int l = 0; l < LINES; l++) for (int i = 0; i < LANES; i++)
          ws[l][i] = w_lane(wmem[l], i);
      end
    end
    if (B_FILE != "") begin : g_bmem
      initial $readmemh(B_FILE, bmem);
    end
  end

  // ---------------------------------------------------------------- gearbox and issue
  logic [GBW-1:0] gb_q, gb_keep, gb_ins;
  logic [CNW-1:0] cnt_q, need, kept;
  logic [TW-1:0]  step_q;
  logic [OFW-1:0] off_q;
  logic [AW-1:0]  line_q;
  logic [LOW-1:0] lo_cnt;
  logic [CRW-1:0] credit_q;
  logic           split_q, frame_last, wrap, split, step_first, issue, in_fire, out_pop;

  assign in_ready   = (cnt_q <= CNW'((CAP - IN_BEAT) / U));
  assign in_fire    = in_valid && in_ready;
  assign out_pop    = out_valid && out_ready;
  assign frame_last = (step_q == TW'(STEPS - 1));
  assign wrap       = 32'(off_q) + SIMD >= KR;
  assign split      = 32'(off_q) + SIMD > KR && !frame_last;
  assign step_first = (off_q == '0) || split_q;
  assign lo_cnt     = wrap ? LOW'(KR - 32'(off_q)) : LOW'(SIMD);
  assign need       = frame_last ? CNW'(ELAST / U) : CNW'(EL / U);
  assign issue      = (cnt_q >= need) && (!step_first || (credit_q != CRW'(OUT_DEPTH)));
  // the elements a step leaves, and the beat written right above them
  assign kept       = issue ? cnt_q - need : cnt_q;
  // what stays of the gearbox after a step: an if, so simulation shifts only on issue
  always_comb begin : keep
    if (DPI)             gb_keep = GBW'(0);  // (the elements are in C++)
    else if (!issue)     gb_keep = gb_q;
    else if (frame_last) gb_keep = gb_q >> (ELAST * W_IN);
    else                 gb_keep = gb_q >> (EL * W_IN);
  end
  // the beat shifted up by kept units: one constant shift stage per bit of kept. Read
  // only when a beat arrives: simulation skips it on the other cycles (shifts of the
  // whole gearbox, the unit's widest word).
  always_comb begin : insert
    gb_ins = GBW'(0);
    if (!DPI && (!SIM || in_fire)) begin
      gb_ins = GBW'(in_data);
      for (int b = 0; b < CNW; b++) begin
        if (kept[b]) gb_ins = gb_ins << ((1 << b) * U * W_IN);
      end
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      gb_q     <= GBW'(0);  // zero above cnt_q: beats are merged with an OR
      cnt_q    <= '0;
      step_q   <= '0;
      off_q    <= '0;
      line_q   <= '0;
      split_q  <= 1'b0;
      credit_q <= '0;
    end else begin
      if (issue || in_fire) begin
        if (!DPI) gb_q <= gb_keep | (in_fire ? gb_ins : GBW'(0));
        cnt_q <= kept + (in_fire ? CNW'(IN_BEAT / U) : '0);
      end
      if (issue) begin
        step_q  <= frame_last ? '0 : step_q + 1'b1;
        off_q   <= frame_last ? '0 : wrap ? OFW'(32'(off_q) + SIMD - KR) : OFW'(32'(off_q) + SIMD);
        line_q  <= (frame_last || line_q == AW'(LINES - 1)) ? '0 : line_q + 1'b1;
        split_q <= split;
      end
      if (issue && step_first && !out_pop)      credit_q <= credit_q + 1'b1;
      else if (!(issue && step_first) && out_pop) credit_q <= credit_q - 1'b1;
    end
  end

  // ---------------------------------------------------------------- S1: operand fetch
  logic             s1_valid_q, s1_first_q, s1_last_q;
  logic [FLW-1:0]   s1_fl_q;
  /* verilator lint_off UNUSEDSIGNAL */  // FAST reads xs_q / ws instead
  logic [XW-1:0]    x_q;
  logic [WWORD-1:0] w_q;
  logic [AW-1:0]    s1_line_q;
  /* verilator lint_on UNUSEDSIGNAL */
  always_ff @(posedge clk) begin
    if (rst) begin
      s1_valid_q <= 1'b0;
      s1_first_q <= 1'b0;
      s1_last_q  <= 1'b0;
    end else begin
      s1_valid_q <= issue;
      s1_first_q <= step_first;
      s1_last_q  <= wrap;  // the vector's last step (the frame's last step always wraps)
    end
    if (issue) begin
      if (!FAST) x_q <= gb_q[XW-1:0];
      if (!FAST) w_q <= wmem[line_q];
      s1_line_q <= line_q;
      s1_fl_q   <= {split_q, split, lo_cnt};
    end
  end
  // FAST: the step's elements as ints, one per element (not per product)
  /* verilator lint_off UNUSEDSIGNAL */  // read by FAST only
  int xs_q [XFAST ? EL : 1];
  /* verilator lint_on UNUSEDSIGNAL */
  if (XFAST) begin : g_xs
    for (genvar e = 0; e < EL; e++) begin : g_el
      always_ff @(posedge clk) begin
        if (issue) xs_q[e] <= 32'($signed(gb_q[e*W_IN +: W_IN]));
      end
    end
  end else begin : g_xs_none
    assign xs_q[0] = 0;
  end

  // ---------------------------------------------------------------- MAC
  // sum / sumh: each output's low slots (its vector's) and high slots (the next vector's).
  // The low sum is the whole step's minus the high slots': one masked adder tree per
  // output instead of two (the whole sum needs no mask), exact in WA-bit arithmetic.
  logic signed [WA-1:0] sum [N];
  logic signed [WA-1:0] sumh [N];
  // pm_*: S1's flags at the summing stage (registered with PIPE >= 1)
  logic                 pm_valid, pm_first, pm_last;
  logic [FLW-1:0]       pm_fl;
  if (PIPE == 0) begin : g_pm0  // every form without the products register
    assign pm_valid = s1_valid_q;
    assign pm_first = s1_first_q;
    assign pm_last  = s1_last_q;
    assign pm_fl    = s1_fl_q;
  end
  if (DPI) begin : g_dpi_sums  // (the sums are in C++)
    always_comb for (int n = 0; n < N; n++) sum[n] = '0;
    always_comb for (int n = 0; n < N; n++) sumh[n] = '0;
  end else if (FAST) begin : g_fast
    // Simulation (FAST, above): 32-bit products and sums of int operands.
    always_comb begin : mac
      int pv, all, hi;
      pv  = 0;
      all = 0;
      hi  = 0;
      for (int n = 0; n < N; n++) begin
        all = 0;
        hi  = 0;
        if (s1_valid_q) begin
          for (int s = 0; s < SIMD; s++) begin
            pv  = xs_q[(DW_KK > 0) ? s * N + n : s] * ws[s1_line_q][n*SIMD + s];
            all = all + pv;
            if (s >= 32'(s1_fl_q[LOW-1:0])) hi = hi + pv;
          end
        end
        sum[n]  = WA'(all - hi);
        sumh[n] = WA'(hi);
      end
    end
  end else if (SIM && PIPE == 0) begin : g_fused
    // Simulation without register stages: each output's products summed as they are
    // formed, in block-local variables (C++ locals in Verilator) instead of the
    // LANES-entry product array the synthesised form stores and reads back, and
    // nothing on idle steps. The same sums: the high slots', and the step's minus them.
    always_comb begin : mac
      logic signed [WA-1:0] xv, pv, all, hi;
      xv  = '0;
      pv  = '0;
      all = '0;
      hi  = '0;
      for (int n = 0; n < N; n++) begin
        all = '0;
        hi  = '0;
        if (s1_valid_q) begin
          for (int s = 0; s < SIMD; s++) begin
            xv = WA'($signed(x_q[((DW_KK > 0) ? s * N + n : s) * W_IN +: W_IN]));
            if (BIPOLAR_W != 0) pv = w_q[(n*SIMD + s)*W_W] ? xv : -xv;
            else                pv = xv * WA'($signed(w_q[(n*SIMD + s)*W_W +: W_W]));
            all = all + pv;
            if (s >= 32'(s1_fl_q[LOW-1:0])) hi = hi + pv;
          end
        end
        sum[n]  = all - hi;
        sumh[n] = hi;
      end
    end
  end else begin : g_split
    // prod: lane (n, s) = x * w, a conditional negation for +-1 weights; dense lanes share
    // x[s], depthwise lane (n, s) reads x[s*N + n].
    logic signed [WA-1:0] prod [LANES];
    // (every path assigns every lane: Verilator's latch check does not unroll wide loops)
    always_comb begin : products
      logic signed [WA-1:0] xv;
      xv = '0;
      for (int n = 0; n < N; n++) begin
        for (int s = 0; s < SIMD; s++) begin
          xv = WA'($signed(x_q[((DW_KK > 0) ? s * N + n : s) * W_IN +: W_IN]));
          if (SIM && !s1_valid_q)  prod[n*SIMD + s] = '0;
          else if (BIPOLAR_W != 0) prod[n*SIMD + s] = w_q[(n*SIMD + s)*W_W] ? xv : -xv;
          else                     prod[n*SIMD + s] = xv * WA'($signed(w_q[(n*SIMD + s)*W_W +: W_W]));
        end
      end
    end

    // pm_*: the products and S1's flags at the summing stage (registered with PIPE >= 1)
    logic signed [WA-1:0] pm [LANES];
    if (PIPE == 0) begin : g_p0
      always_comb for (int i = 0; i < LANES; i++) pm[i] = prod[i];
    end else begin : g_p1
      logic           p1_valid_q, p1_first_q, p1_last_q;
      logic [FLW-1:0] p1_fl_q;
      always_ff @(posedge clk) begin
        if (rst) begin
          p1_valid_q <= 1'b0;
          p1_first_q <= 1'b0;
          p1_last_q  <= 1'b0;
        end else begin
          p1_valid_q <= s1_valid_q;
          p1_first_q <= s1_first_q;
          p1_last_q  <= s1_last_q;
        end
        if (s1_valid_q) p1_fl_q <= s1_fl_q;
      end
      // one always_ff per lane: Verilator cannot unroll array updates in a loop
      for (genvar i = 0; i < LANES; i++) begin : g_prod
        always_ff @(posedge clk) begin
          if (s1_valid_q) pm[i] <= prod[i];
        end
      end
      assign pm_valid = p1_valid_q;
      assign pm_first = p1_first_q;
      assign pm_last  = p1_last_q;
      assign pm_fl    = p1_fl_q;
    end

    // (sum / sumh: above)
    always_comb begin : sums
      logic signed [WA-1:0] all, hi;
      all = '0;
      hi  = '0;
      for (int n = 0; n < N; n++) begin
        all = '0;
        hi  = '0;
        for (int s = 0; s < SIMD; s++) begin
          all = all + pm[n*SIMD + s];
          if (s >= 32'(pm_fl[LOW-1:0])) hi = hi + pm[n*SIMD + s];
        end
        sum[n]  = all - hi;
        sumh[n] = hi;
      end
    end
  end

  // mac_*: the step that reaches the accumulator (sums registered with PIPE >= 2)
  logic signed [WA-1:0] dot [N];
  logic signed [WA-1:0] doth [N];
  logic                 mac_valid, mac_first, mac_last;
  logic [FLW-1:0]       mac_fl;
  if (PIPE < 2) begin : g_s0
    always_comb for (int n = 0; n < N; n++) dot[n] = sum[n];
    always_comb for (int n = 0; n < N; n++) doth[n] = sumh[n];
    assign mac_valid = pm_valid;
    assign mac_first = pm_first;
    assign mac_last  = pm_last;
    assign mac_fl    = pm_fl;
  end else begin : g_s2
    logic           p2_valid_q, p2_first_q, p2_last_q;
    logic [FLW-1:0] p2_fl_q;
    always_ff @(posedge clk) begin
      if (rst) begin
        p2_valid_q <= 1'b0;
        p2_first_q <= 1'b0;
        p2_last_q  <= 1'b0;
      end else begin
        p2_valid_q <= pm_valid;
        p2_first_q <= pm_first;
        p2_last_q  <= pm_last;
      end
      if (pm_valid) p2_fl_q <= pm_fl;
    end
    for (genvar n = 0; n < N; n++) begin : g_sum
      always_ff @(posedge clk) begin
        if (pm_valid) begin
          dot[n]  <= sum[n];
          doth[n] <= sumh[n];
        end
      end
    end
    assign mac_valid = p2_valid_q;
    assign mac_first = p2_first_q;
    assign mac_last  = p2_last_q;
    assign mac_fl    = p2_fl_q;
  end

  // Accumulator: a vector's first step starts from the bias (plus the high slots of the
  // split step before it, carry_q); a split step leaves its high slots in carry_q.
  logic signed [WA-1:0] acc_q [N];
  logic signed [WA-1:0] carry_q [N];
  logic                 acc_valid_q;
  logic [N*W_ACC-1:0]   bias;
  assign bias = bmem[0];
  for (genvar n = 0; n < N; n++) begin : g_acc
    always_ff @(posedge clk) begin
      if (mac_valid && !DPI) begin
        acc_q[n] <= (mac_first ? WA'($signed(bias[n*W_ACC +: W_ACC])) +
                                 (mac_fl[LOW+1] ? carry_q[n] : '0)
                               : acc_q[n]) + dot[n];
        if (mac_fl[LOW]) carry_q[n] <= doth[n];
      end
    end
  end
  always_ff @(posedge clk) begin
    if (rst) acc_valid_q <= 1'b0;
    else     acc_valid_q <= mac_valid && mac_last;
  end

  // ---------------------------------------------------------------- requantize, act
  // One channel group (NF = 1): the per-channel memories have one line, fetched and
  // aligned every cycle.
  logic [N*WA-1:0]    acc_lanes;
  logic [N*W_OUT-1:0] act_data;
  logic               y_valid_q;
  if (!DPI) begin : g_acc_lanes
    always_comb for (int n = 0; n < N; n++) acc_lanes[n*WA +: WA] = acc_q[n];
  end

  // ---------------------------------------------------------------- DPI datapath
  // The C++ half (rtl/sim/loom_sim_dpi.cpp) appends each beat at the edge that would
  // write the gearbox and takes each step's elements at its issue edge (cycle t), from the
  // oldest: the same elements x_q would capture. Its products and the accumulator update
  // happen there, one cycle before the MAC would; a vector's last step returns the
  // finished lanes (acc_w), held from edge t+1 (acc_hold_q) through the cycle acc_valid_q
  // marks, as acc_q would be. Same bits as FAST.
`ifdef LOOM_SIM_DPI
  if (DPI) begin : g_dpi
    localparam int NWI = (IN_BEAT * W_IN + 31) / 32;
    localparam int NWA = (N * WA + 31) / 32;
    bit [31:0]         in_w [NWI];
    bit [31:0]         acc_w [NWA];
    logic [NWI*32-1:0] in_pad;
    /* verilator lint_off UNUSEDSIGNAL */  // (the padding above N*WA)
    logic [NWA*32-1:0] acc_hold_q;
    /* verilator lint_on UNUSEDSIGNAL */
    assign in_pad = (NWI*32)'(in_data);
    for (genvar i = 0; i < NWI; i++) begin : g_in_w
      assign in_w[i] = in_pad[i*32 +: 32];
    end
    always_ff @(posedge clk) begin
      if (in_fire) loom_pkg::loom_mac_beat(mac_h, 0, 0, in_w);
      // the previous edge's finished lanes first, then this edge's step
      if (s1_valid_q && s1_last_q)
        for (int i = 0; i < NWA; i++) acc_hold_q[i*32 +: 32] <= acc_w[i];
      if (issue)
        loom_pkg::loom_mac_stream_step(mac_h, frame_last ? ELAST : EL, 32'(line_q),
                                       32'(step_first), 32'(split_q), 32'(split),
                                       32'(lo_cnt), 32'(wrap), acc_w);
    end
    assign acc_lanes = acc_hold_q[N*WA-1:0];
  end
`endif
  loom_requant #(
    .PE(N), .NF(1), .WA(WA), .W_OUT(W_OUT), .SHIFT(SHIFT), .ACT(ACT), .T_MIN(T_MIN),
    .T_MAX(T_MAX), .T_SHIFT(T_SHIFT), .T_DEPTH(T_DEPTH), .LEAKY_A(LEAKY_A), .W_M(W_M),
    .W_LA(W_LA), .W_PB(W_PB), .T_FILE(T_FILE), .M_FILE(M_FILE), .LA_FILE(LA_FILE),
    .PB_FILE(PB_FILE), .RQ_PIPE(RQ_PIPE)
  ) u_requant (
    .clk      (clk),
    .rst      (rst),
    .fetch    (1'b1),
    .group    (1'b0),
    .align    (1'b1),
    .acc      (acc_lanes),
    .acc_valid(acc_valid_q),
    .out_data (act_data),
    .out_valid(y_valid_q)
  );

  // ---------------------------------------------------------------- output FIFO
  /* verilator lint_off UNUSEDSIGNAL */
  logic fifo_in_ready;  // always 1 when y_valid_q: guaranteed by the credits (FifoTakes)
  /* verilator lint_on UNUSEDSIGNAL */
  loom_fifo #(
    .W    (N * W_OUT),
    .DEPTH(OUT_DEPTH)
  ) u_out_fifo (
    .clk      (clk),
    .rst      (rst),
    .in_data  (act_data),
    .in_valid (y_valid_q),
    .in_ready (fifo_in_ready),
    .out_data (out_data),
    .out_valid(out_valid),
    .out_ready(out_ready)
  );

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
  GearboxBound: assert property (@(posedge clk) disable iff (rst) cnt_q <= CNW'(CAP / U))
    else $error("%m: gearbox overflow");
  CreditBound: assert property (@(posedge clk) disable iff (rst) credit_q <= CRW'(OUT_DEPTH))
    else $error("%m: more credits reserved than OUT_DEPTH");
  FifoTakes: assert property (@(posedge clk) disable iff (rst) y_valid_q |-> fifo_in_ready)
    else $error("%m: result pushed into a full output FIFO");
`endif
endmodule
