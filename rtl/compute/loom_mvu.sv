// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_mvu: folded matrix-vector unit  y = act(sat(shift_round_even(W x + b, SHIFT))).
//
// Folding: NF = N/PE output groups, SF = K/SIMD input slices; one (nf, sf) step per cycle
// with PE x SIMD multipliers. Requires K % IN_BEAT == 0, N % PE == 0, SIMD <= K.
// Flat folding (K % SIMD != 0, not depthwise): each PE row reads its NF*K products as one
// flat sequence, SIMD per step, STEPS = ceil(NF*K/SIMD) steps a vector (not NF*ceil(K/SIMD)),
// so any SIMD is as fast as its multiplier count allows. A step starts at offset o of a
// group (x lanes read x[(o+s) mod K]: a copy of the vector rotated by SIMD each step) and,
// when o+SIMD > K, ends one group in its low K-o lanes and starts the next in its high
// lanes: those lanes' sum waits in carry_q and joins the next group's bias one step later.
// Weight line c lane p*SIMD+s holds w[nf*PE+p][k] for flat index c*SIMD+s = nf*K+k (zero
// past NF*K; the last step sums only its low lanes, so padding never counts, +-1 weights
// included). The issue, credit and pipeline timing are the same as above with "the
// group's first / last step" for sf == 0 / sf == SF-1.
//
// Micro-architecture (cycle model: hw_model/Actors.cpp, MvuModel - keep in sync):
//  * Input: double-buffered vector store (2 banks of K elements) filled by IN_BEAT-wide
//    beats (IB = K/IN_BEAT beats/vector). in_ready = !full_q[wr_bank_q] (registered).
//    The last beat of a vector marks its bank full at that edge.
//  * Issue (cycle t): a step (nf, sf) issues when full_q[rd_bank_q] and, for sf == 0,
//    an output credit is free (credit_q < OUT_DEPTH). The last step of a vector frees
//    the bank at edge t (its slice has been captured into x_q at that same edge).
//  * S1 (edge t):   x_q <= input slice, w_q <= weight ROM word, b_q <= bias ROM word.
//  * S2 (edge t+1): acc_q <= (first ? b : acc_q) + dot(x_q, w_q)   (per PE).
//  * S3 (edge t+2): y_q <= relu?(sat(shift_round_even(acc_q)))     (when last sf).
//  * edge t+3:      push act(y_q) (table lookup for ACT == 2) into the output FIFO
//                   (loom_fifo, OUT_DEPTH entries); out_valid in cycle t+4.
//  * Credits: one reserved per output group at issue of sf == 0, returned on the output
//    pop. The pipeline never stalls, and there is no comb path out_ready -> anything
//    inside the pipeline; OUT_DEPTH = 8 >= 5 cycles of credit loop = full throughput.
// Steady state with inputs always valid and outputs always ready:
//    cycles/vector = max(STEPS, IB) (STEPS = NF*SF, or ceil(NF*K/SIMD) when FLAT); latency
//    first input beat -> last output beat is IB + STEPS + 4 cycles (see hw_model).
// Affine integer graphs (docs/CONTRACTS.md): W_M > 0 adds a per-output-channel unsigned
// multiplier M (M_FILE, the bias layout with W_M-bit lanes) applied in S3 before the
// shift: y = sat(shift_round_even(acc * M + PB, SHIFT)) with W_PB > 0 adding a signed
// per-channel post-multiply bias PB (PB_FILE, same layout: a folded float BatchNorm's
// fraction of an accumulator step); both are captured with the bias and ride beside the
// accumulator, so the pipeline (and the cycle model) is unchanged. BIPOLAR_W = 1
// (W_W = 1): weight bit 1 = +1, 0 = -1, the product is a conditional negation.
// ACT 5 (sign): y = rq >= 0 ? 1 : -1 (a bipolar activation; W_OUT >= 2).
// Requantisation and activation (S3 and the table): loom_requant.
// DW_KK > 0: depthwise mode for loom_dwu (K = DW_KK*N window elements in (k, c) order,
// SF = DW_KK/SIMD, lane (pe, s) reads x[(sf*SIMD + s)*N + nf*PE + pe]); same timing.
// PIPE (docs/CONTRACTS.md "Clock target"): registers that cut the MAC path for a clock
// target. PIPE >= 1 registers the PE*SIMD products (the multipliers end a stage);
// PIPE >= 2 also registers each PE's adder-tree sum before the accumulator. The step's
// flags and bias ride along, so each stage adds one cycle of latency and nothing else;
// OUT_DEPTH grows by PIPE so the longer credit loop still sustains one issue a cycle.
// RQ_PIPE = 1 adds loom_requant's stage after the requantisation multiply (one more
// cycle, one more OUT_DEPTH entry). PIPE = RQ_PIPE = 0 is the unit above, register for
// register.
module loom_mvu #(
  parameter int    K       = 4,
  parameter int    N       = 4,
  parameter int    SIMD    = 2,
  parameter int    PE      = 2,
  parameter int    IN_BEAT = 2,
  parameter int    W_IN    = 8,
  parameter int    W_W     = 8,
  parameter int    W_ACC   = 24,
  parameter int    W_OUT   = 8,
  parameter int    SHIFT   = 0,
  parameter int    ACT     = loom_pkg::ACT_NONE,  // loom_pkg::ACT_* (CONTRACTS.md)
  parameter int    T_MIN   = 0,
  parameter int    T_MAX   = 0,
  parameter int    T_SHIFT = 0,
  parameter int    T_DEPTH = 1,
  parameter int    LEAKY_A = 0,  // ACT 4: y < 0 -> sat(shift_round_even(y * LEAKY_A, 15))
  parameter int    W_M     = 0,  // requantization multiplier bits (0: no multiplier)
  parameter int    BIPOLAR_W = 0,  // 1: one bit per weight (1 = +1, 0 = -1), needs W_W = 1
  parameter int    W_LA    = 0,  // ACT 4 per channel (PRelu): 0 = LEAKY_A for all, else
                                 // signed W_LA-bit slopes per channel from LA_FILE
  parameter int    W_PB    = 0,  // post-multiply bias bits (signed, per channel; 0: none)
  parameter        W_FILE  = "",
  parameter        B_FILE  = "",
  parameter        T_FILE  = "",
  parameter        M_FILE  = "",
  parameter        LA_FILE = "",
  parameter        PB_FILE = "",
  parameter int    DW_KK   = 0,  // > 0: depthwise taps per channel (loom_dwu)
  parameter int    PIPE    = 0,  // extra MAC stages for a clock target (0..2, see below)
  parameter int    RQ_PIPE = 0,  // 1: a register inside loom_requant (clock target)
  // RT_W = 1 (loom compile --runtime-weights): the weight and bias memories are written
  // from the weight-load bus (loom_wt_load) at image words W_OFF.. and B_OFF.. instead
  // of read from W_FILE / B_FILE; the other memories must not exist (W_M = W_PB = W_LA
  // = 0), which the compiler guarantees.
  parameter int    RT_W    = 0,
  parameter int    W_OFF   = 0,
  parameter int    B_OFF   = 0
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
  output logic [PE*W_OUT-1:0]     out_data,
  output logic                    out_valid,
  input  logic                    out_ready
);
  localparam int SF        = (DW_KK > 0) ? DW_KK / SIMD : K / SIMD;
  localparam int NF        = N / PE;
  localparam int IB        = K / IN_BEAT;
  localparam bit FLAT      = (DW_KK == 0) && (K % SIMD != 0);
  localparam int NWORDS    = FLAT ? (NF * K + SIMD - 1) / SIMD : NF * SF;
  localparam int WA        = (W_ACC > W_IN + W_W) ? W_ACC : W_IN + W_W;
  localparam int OUT_DEPTH = loom_pkg::MVU_OUT_DEPTH + PIPE + RQ_PIPE;
  localparam int SFW       = (SF > 1) ? $clog2(SF) : 1;
  localparam int NFW       = (NF > 1) ? $clog2(NF) : 1;
  localparam int IBW       = (IB > 1) ? $clog2(IB) : 1;
  localparam int AW        = (NWORDS > 1) ? $clog2(NWORDS) : 1;
  localparam int CRW       = $clog2(OUT_DEPTH + 1);
  localparam int XL        = (DW_KK > 0) ? SIMD : 0;  // x lane stride per PE
  localparam int XW        = ((DW_KK > 0) ? PE : 1) * SIMD * W_IN;
  localparam int WWORD     = PE * SIMD * W_W;
  // FLAT step flags {continues from carry_q, splits, low lanes}; one unused bit otherwise
  localparam int LOW       = $clog2(SIMD + 1);
  localparam int FLW       = FLAT ? LOW + 2 : 1;
`ifdef SYNTHESIS
  localparam bit SIM = 1'b0;  // synthesis: the plain forms
`elsif LOOM_PLAIN_RTL
  localparam bit SIM = 1'b0;  // loom sim --plain-rtl: simulate the synthesised forms
`else
  localparam bit SIM = 1'b1;  // simulation: FAST below where it applies (same outputs)
`endif
  // FAST (simulation with ROM weights, or loaded ones under DPI; no MAC stages, sums within
  // 32 bits): the MAC reads its operands as 32-bit ints (ws: the ROM; bs: the input banks;
  // xs_q: the step's lanes) and sums at 32 bits, truncated to WA: the same bits (two's
  // complement sums wrap alike), without extracting, sign-extending and masking every lane
  // of a packed word per product, or assembling the banks into one flat vector every
  // cycle. Synthesis never elaborates it (SIM = 0).
  // (its per-element generate loops stay within Verilator's unroll limit)
  localparam int XLANES    = ((DW_KK > 0) ? PE : 1) * SIMD;
`ifdef LOOM_SIM_DPI
  localparam bit SIM_DPI   = 1'b1;
`else
  localparam bit SIM_DPI   = 1'b0;
`endif
  // (run-time weights: FAST only with the C++ half, which g_load hands each loaded line)
  localparam bit FAST      = SIM && PIPE == 0 && (RT_W == 0 || SIM_DPI) && WA <= 32 &&
                             IN_BEAT <= 1024 && XLANES <= 1024;
  // DPI (`loom sim`, LOOM_SIM_DPI): FAST's input banks, operand gather, products and
  // accumulators run in C++ (rtl/sim/loom_sim_dpi.cpp, same bits); see g_dpi below.
  localparam bit DPI       = FAST && SIM_DPI;
  localparam bit XFAST     = FAST && !DPI;  // FAST in SystemVerilog (ROM weights only)

  // ---------------------------------------------------------------- memories
  // (undriven only when elaborated with the default empty file names)
  /* verilator lint_off UNDRIVEN */
  logic [WWORD-1:0]      wmem [NWORDS];
  logic [PE*W_ACC-1:0]   bmem [NF];
  /* verilator lint_on UNDRIVEN */

`ifdef LOOM_SIM_DPI
  /* verilator lint_off UNUSEDSIGNAL */  // (without DPI: FAST off, or a wide accumulator)
  chandle mac_h;  // DPI: the unit's C++ half
  /* verilator lint_on UNUSEDSIGNAL */
`endif
  // weight lane i of a ROM line as an int, for the simulation forms: +-1 (BIPOLAR_W) or
  // sign-extended
  function automatic int w_lane(input logic [WWORD-1:0] line, input int i);
    w_lane = (BIPOLAR_W != 0) ? (line[i*W_W] ? 1 : -1) : 32'($signed(line[i*W_W +: W_W]));
  endfunction
  /* verilator lint_off UNUSEDSIGNAL */
  /* verilator lint_off UNDRIVEN */  // (as wmem: without a W_FILE)
  int ws [XFAST ? NWORDS : 1][XFAST ? PE * SIMD : 1];
  /* verilator lint_on UNDRIVEN */
  /* verilator lint_on UNUSEDSIGNAL */

  // Guards keep elaboration with the default (empty) names legal, e.g. Yosys elaborates
  // every module with its defaults when reading the library.
  if (DPI) begin : g_dpi_rom
`ifdef LOOM_SIM_DPI
    // the ROMs, then the unit's C++ half with their lanes (as FAST's ws: sign-extended
    // or +-1; the bias sign-extended)
    initial begin
      int wl [PE * SIMD];
      int bl [PE];
      if (W_FILE != "") $readmemh(W_FILE, wmem);
      if (B_FILE != "") $readmemh(B_FILE, bmem);
      mac_h = loom_pkg::loom_mac_new(0, K, N, SIMD, PE, IN_BEAT, W_IN, DW_KK, 32'(FLAT),
                                     NWORDS, NF, WA, 0);
      // (run-time weights: g_load hands over each line as it is loaded)
      if (RT_W == 0) for (int l = 0; l < NWORDS; l++) begin
        for (int i = 0; i < PE * SIMD; i++)
          wl[i] = w_lane(wmem[l], i);
        loom_pkg::loom_mac_wline(mac_h, l, wl);
      end
      if (RT_W == 0) for (int g = 0; g < NF; g++) begin
        for (int p = 0; p < PE; p++) bl[p] = 32'($signed(bmem[g][p*W_ACC +: W_ACC]));
        loom_pkg::loom_mac_bline(mac_h, g, bl);
      end
    end
`endif
  end
  if (RT_W != 0) begin : g_load
    logic                  w_we, b_we;
    logic [AW-1:0]         w_wa;
    logic [NFW-1:0]        b_wa;
    logic [WWORD-1:0]      w_wd;
    logic [PE*W_ACC-1:0]   b_wd;
    loom_wt_load #(.LINES(NWORDS), .WIDTH(WWORD), .OFF(W_OFF)) u_wload (
      .clk, .rst, .wt_data, .wt_addr, .wt_valid, .we(w_we), .waddr(w_wa), .wdata(w_wd));
    loom_wt_load #(.LINES(NF), .WIDTH(PE * W_ACC), .OFF(B_OFF)) u_bload (
      .clk, .rst, .wt_data, .wt_addr, .wt_valid, .we(b_we), .waddr(b_wa), .wdata(b_wd));
    always_ff @(posedge clk) begin
      if (w_we) wmem[w_wa] <= w_wd;
      if (b_we) bmem[b_wa] <= b_wd;
    end
`ifdef LOOM_SIM_DPI
    // DPI: the C++ half takes each loaded line too, as g_dpi_rom hands over ROM lines (no
    // frame runs during a load, so it may change at once)
    if (DPI) begin : g_dpi_load
      always_ff @(posedge clk) begin
        if (w_we) begin
          int wl [PE * SIMD];
          for (int i = 0; i < PE * SIMD; i++) wl[i] = w_lane(w_wd, i);
          loom_pkg::loom_mac_wline(mac_h, 32'(w_wa), wl);
        end
        if (b_we) begin
          int bl [PE];
          for (int p = 0; p < PE; p++) bl[p] = 32'($signed(b_wd[p*W_ACC +: W_ACC]));
          loom_pkg::loom_mac_bline(mac_h, 32'(b_wa), bl);
        end
      end
    end
`endif
  end else if (!DPI) begin : g_rom
    if (W_FILE != "") begin : g_wmem
      initial begin
        $readmemh(W_FILE, wmem);
        // FAST: the lanes as 32-bit ints, sign-extended (or +-1) once here
        if (XFAST) for (int l = 0; l < NWORDS; l++) for (int i = 0; i < PE * SIMD; i++)
          ws[l][i] = w_lane(wmem[l], i);
      end
    end
    if (B_FILE != "") begin : g_bmem
      initial $readmemh(B_FILE, bmem);
    end
  end

  // ---------------------------------------------------------------- input banks
  // Up to 1024 beats a vector: one word per input beat, written by index. A variable
  // part-select write into a flat K*W_IN vector synthesizes to a barrel shifter over
  // the whole bank (Yosys), an indexed word write to one decoder. Longer vectors keep
  // the flat write (the word view would need a generate loop past Verilator's unroll
  // limit). Reads see the bank as one flat vector either way.
  localparam int BW = IN_BEAT * W_IN;
  logic [K*W_IN-1:0] rd_flat;
  logic [1:0]        full_q, full_d;
  logic              wr_bank_q, rd_bank_q;
  logic [FLW-1:0]    fl_step;  // FLAT: this step's flags
  logic [IBW-1:0]    in_cnt_q;
  logic              in_fire, in_last;

  assign in_ready = !full_q[wr_bank_q];
  assign in_fire  = in_valid && in_ready;
  assign in_last  = (in_cnt_q == IBW'(IB - 1));

  // ---------------------------------------------------------------- issue
  // step_first / step_last: the step starts / ends its group's accumulation; vec_last: the
  // vector's last step. Without FLAT: sf_q == 0, sf_q == SF-1, and (sf, nf) both last.
  logic [NFW-1:0] nf_q;
  logic [AW-1:0]  waddr_q;
  logic [CRW-1:0] credit_q;
  logic           issue, step_first, step_last, vec_last, reserve, out_pop;

  assign issue   = full_q[rd_bank_q] && (!step_first || (credit_q != CRW'(OUT_DEPTH)));
  assign reserve = issue && step_first;
  assign out_pop = out_valid && out_ready;

  always_comb begin
    full_d = full_q;
    if (in_fire && in_last)   full_d[wr_bank_q] = 1'b1;
    if (issue && vec_last)    full_d[rd_bank_q] = 1'b0;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      full_q    <= '0;
      wr_bank_q <= 1'b0;
      rd_bank_q <= 1'b0;
      in_cnt_q  <= '0;
      waddr_q   <= '0;
      credit_q  <= '0;
    end else begin
      full_q <= full_d;
      if (in_fire) begin
        in_cnt_q <= in_last ? '0 : in_cnt_q + 1'b1;
        if (in_last) wr_bank_q <= !wr_bank_q;
      end
      if (issue) begin
        waddr_q <= vec_last ? '0 : waddr_q + 1'b1;
        if (vec_last) rd_bank_q <= !rd_bank_q;
      end
      if (reserve && !out_pop)      credit_q <= credit_q + 1'b1;
      else if (!reserve && out_pop) credit_q <= credit_q - 1'b1;
    end
  end

  // x_sel: the step's operand slice of the stored vector (rd_flat).
  logic [XW-1:0] xsel;
  // FAST: the bank index of the step's lane 0 (lane (p, s) adds s*N + p when depthwise,
  // s otherwise; FLAT lanes wrap at K)
  /* verilator lint_off UNUSEDSIGNAL */
  int xbase;
  /* verilator lint_on UNUSEDSIGNAL */
  if (!FLAT) begin : g_fold
    logic [SFW-1:0] sf_q;
    logic           sf_last, nf_last;
    assign sf_last    = (sf_q == SFW'(SF - 1));
    assign nf_last    = (nf_q == NFW'(NF - 1));
    assign step_first = (sf_q == '0);
    assign step_last  = sf_last;
    assign vec_last   = sf_last && nf_last;
    assign fl_step    = '0;
    always_ff @(posedge clk) begin
      if (rst) begin
        sf_q <= '0;
        nf_q <= '0;
      end else if (issue) begin
        sf_q <= sf_last ? '0 : sf_q + 1'b1;
        if (sf_last) nf_q <= nf_last ? '0 : nf_q + 1'b1;
      end
    end
    // operand slice; depthwise: lane (p, s) = x[(sf*SIMD + s)*N + nf*PE + p]
    if (DW_KK > 0) begin : g_gather
      // The PE lanes of tap s are the group's PE consecutive channels of that tap: one
      // read of a PE-element chunk (chunk (sf*SIMD + s)*NF + nf of the bank) per tap, not
      // one element-wide read of the whole bank per lane (a K-input mux per lane bit: a
      // 3x3 depthwise layer over 32 channels at PE 16, SIMD 3 was about 34k LUTs).
      // (an array of chunks up to 1024 of them, past Verilator's unroll limit a part-select)
      int cbase;
      assign cbase = 32'(sf_q) * (SIMD * NF) + 32'(nf_q);
      for (genvar s = 0; s < SIMD; s++) begin : g_tap
        logic [PE*W_IN-1:0] tap;
        if (K / PE <= 1024) begin : g_arr
          logic [PE*W_IN-1:0] chunk [K / PE];
          for (genvar i = 0; i < K / PE; i++) begin : g_chunk
            assign chunk[i] = rd_flat[i*PE*W_IN +: PE*W_IN];
          end
          assign tap = chunk[cbase + s * NF];
        end else begin : g_sel
          assign tap = rd_flat[(cbase + s * NF) * (PE * W_IN) +: PE * W_IN];
        end
        for (genvar p = 0; p < PE; p++) begin : g_lane
          assign xsel[(p*SIMD + s)*W_IN +: W_IN] = tap[p*W_IN +: W_IN];
        end
      end
    end else begin : g_slice
      assign xsel = rd_flat[sf_q * XW +: XW];
    end
    if (DW_KK > 0) begin : g_xbase_dw
      assign xbase = 32'(sf_q) * SIMD * N + 32'(nf_q) * PE;
    end else begin : g_xbase
      assign xbase = 32'(sf_q) * SIMD;
    end
  end else begin : g_flat_issue
    // off_q: the offset of lane 0 in its group; the step wraps when its lanes reach the
    // group's end, and splits when lanes remain after it (never on the vector's last step,
    // whose high lanes are padding). lo_cnt: the lanes of the group at lane 0.
    localparam int OFW = $clog2(K);
    logic [OFW-1:0] off_q;
    logic           split_q, wrap, split;
    logic [LOW-1:0] lo_cnt;
    assign wrap       = 32'(off_q) + SIMD >= K;
    assign vec_last   = (waddr_q == AW'(NWORDS - 1));
    assign split      = 32'(off_q) + SIMD > K && !vec_last;
    assign step_first = (off_q == '0) || split_q;
    assign step_last  = wrap || vec_last;
    assign lo_cnt     = wrap ? LOW'(K - 32'(off_q)) : LOW'(SIMD);
    assign fl_step    = {split_q, split, lo_cnt};
    always_ff @(posedge clk) begin
      if (rst) begin
        off_q   <= '0;
        nf_q    <= '0;
        split_q <= 1'b0;
      end else if (issue) begin
        off_q   <= vec_last ? '0 : wrap ? OFW'(32'(off_q) + SIMD - K) : OFW'(32'(off_q) + SIMD);
        nf_q    <= vec_last ? '0 : wrap ? nf_q + 1'b1 : nf_q;
        split_q <= split;
      end
    end
    // Lane s reads x[(off + s) mod K]. Rather than a rotation by any offset (a K-way
    // mux per lane bit: 13k LUTs at K 64, SIMD 30), the vector's first step reads the
    // bank and every step keeps a copy rotated by SIMD more (wiring and one register
    // per bank bit), so step c reads the vector rotated by c*SIMD mod K = off.
    logic [K*W_IN-1:0] xrot_q, xrot_src;
    assign xrot_src = (waddr_q == '0) ? rd_flat : xrot_q;
    always_ff @(posedge clk) begin
      if (issue) xrot_q <= {xrot_src[SIMD*W_IN-1:0], xrot_src[K*W_IN-1:SIMD*W_IN]};
    end
    assign xsel = xrot_src[XW-1:0];
    assign xbase = 32'(off_q);
  end

  if (IB <= 1024) begin : g_words
    logic [BW-1:0] bank_q [2][IB];
    always_ff @(posedge clk) begin
      if (in_fire) bank_q[wr_bank_q][in_cnt_q] <= in_data;
    end
    for (genvar i = 0; i < IB; i++) begin : g_rd
      assign rd_flat[i*BW +: BW] = bank_q[rd_bank_q][i];
    end
  end else begin : g_flat
    logic [K*W_IN-1:0] buf_q [2];
    always_ff @(posedge clk) begin
      if (in_fire) buf_q[wr_bank_q][in_cnt_q * BW +: BW] <= in_data;
    end
    assign rd_flat = buf_q[rd_bank_q];
  end

  // FAST: the banks as ints, written an element at a time, and each step's lanes read
  // from them at its issue (x_q's timing); the packed banks above are then unused, and
  // the simulator drops them.
  if (XFAST) begin : g_fast_x
    int bs [2][K];
    for (genvar e = 0; e < IN_BEAT; e++) begin : g_wr
      always_ff @(posedge clk) begin
        if (in_fire) bs[wr_bank_q][32'(in_cnt_q) * IN_BEAT + e] <= 32'($signed(in_data[e*W_IN +: W_IN]));
      end
    end
    for (genvar p = 0; p < XLANES / SIMD; p++) begin : g_pe
      for (genvar s = 0; s < SIMD; s++) begin : g_lane
        /* verilator lint_off UNUSEDSIGNAL */  // (its high bits)
        int idx;
        /* verilator lint_on UNUSEDSIGNAL */
        if (DW_KK > 0) begin : g_dw
          assign idx = xbase + s * N + p;
        end else if (FLAT) begin : g_wrap
          assign idx = (xbase + s >= K) ? xbase + s - K : xbase + s;
        end else begin : g_dense
          assign idx = xbase + s;
        end
        always_ff @(posedge clk) begin
          if (issue) xs_q[p*SIMD + s] <= bs[rd_bank_q][idx];
        end
      end
    end
  end else begin : g_fast_none
    assign xs_q[0] = 0;
  end

  // ---------------------------------------------------------------- S1: operand fetch
  logic              s1_valid_q, s1_first_q, s1_last_q;
  logic [FLW-1:0]    s1_fl_q;
  /* verilator lint_off UNUSEDSIGNAL */  // FAST reads xs_q / ws instead
  logic [XW-1:0]     x_q;
  logic [WWORD-1:0]  w_q;
  logic [AW-1:0]     s1_waddr_q;
  int                xs_q [XFAST ? XLANES : 1];
  /* verilator lint_on UNUSEDSIGNAL */
  logic [PE*W_ACC-1:0] b_q;

  always_ff @(posedge clk) begin
    if (rst) begin
      s1_valid_q <= 1'b0;
      s1_first_q <= 1'b0;
      s1_last_q  <= 1'b0;
    end else begin
      s1_valid_q <= issue;
      s1_first_q <= step_first;
      s1_last_q  <= step_last;
    end
  end

  always_ff @(posedge clk) begin
    if (issue) begin
      if (!FAST) x_q <= xsel;
      if (!FAST) w_q <= wmem[waddr_q];
      s1_waddr_q <= waddr_q;
      s1_fl_q <= fl_step;
      if (step_first) b_q <= bmem[nf_q];
    end
  end

  // ---------------------------------------------------------------- S2: MAC
  // prod: the PE*SIMD products of S1's operands (a conditional negation for +-1 weights).
  // With PIPE >= 1 they are registered (P1) with S1's flags and bias; with PIPE >= 2 each
  // PE's sum is registered too (P2). mac_* is the step that reaches the accumulator.
  // dot: each PE's sum of the step's lanes (FLAT: its low lanes; doth: its high lanes).
  /* verilator lint_off UNUSEDSIGNAL */  // doth, mac_fl: only FLAT reads them; DPI none
  logic signed [WA-1:0] dot  [PE];
  logic signed [WA-1:0] doth [PE];
  logic [FLW-1:0]       mac_fl;
  logic signed [WA-1:0] acc_q [PE];
  logic [PE*W_ACC-1:0]  mac_b;
  /* verilator lint_on UNUSEDSIGNAL */
  logic                 acc_valid_q;
  logic                 mac_valid, mac_first, mac_last;

  if (PIPE == 0) begin : g_mac0
    // Products and sum in one cycle (the unit's original form, kept bit for bit). The
    // sum runs in a block-local variable, which Verilator keeps in a C++ local:
    // accumulating into dot[p] itself stored it to the model after every product.
    if (DPI) begin : g_dot_dpi  // (the sums are in C++)
      always_comb for (int p = 0; p < PE; p++) dot[p] = '0;
      always_comb for (int p = 0; p < PE; p++) doth[p] = '0;
    end else if (FAST) begin : g_dot_fast
      // Simulation (FAST, above): 32-bit products and sums of int operands; lanes from
      // flo on are the next group's (FLAT), none otherwise.
      int flo;
      if (FLAT) begin : g_flo
        assign flo = 32'(s1_fl_q[LOW-1:0]);
      end else begin : g_flo_none
        assign flo = SIMD;
      end
      always_comb begin : mac
        int pv, lo, hi;
        pv = 0;
        lo = 0;
        hi = 0;
        for (int p = 0; p < PE; p++) begin
          lo = 0;
          hi = 0;
          if (s1_valid_q) begin
            for (int s = 0; s < SIMD; s++) begin
              pv = xs_q[p*XL + s] * ws[s1_waddr_q][p*SIMD + s];
              if (s >= flo) hi = hi + pv;
              else          lo = lo + pv;
            end
          end
          dot[p]  = WA'(lo);
          doth[p] = WA'(hi);
        end
      end
    end else if (!FLAT) begin : g_dot
      always_comb begin : mac
        logic signed [WA-1:0] sum;
        for (int p = 0; p < PE; p++) begin
          sum = '0;
          if (s1_valid_q) begin
            for (int s = 0; s < SIMD; s++) begin
              if (BIPOLAR_W != 0)  // conditional negation, no multiplier
                sum = w_q[(p*SIMD + s)*W_W]
                        ? sum + WA'($signed(x_q[(p*XL + s)*W_IN +: W_IN]))
                        : sum - WA'($signed(x_q[(p*XL + s)*W_IN +: W_IN]));
              else
                sum = sum + WA'($signed(x_q[(p*XL + s)*W_IN +: W_IN])) *
                            WA'($signed(w_q[(p*SIMD + s)*W_W +: W_W]));
            end
          end
          dot[p]  = sum;
          doth[p] = '0;
        end
      end
    end else begin : g_dot_flat
      always_comb begin : mac
        logic signed [WA-1:0] sum, sumh, term;
        for (int p = 0; p < PE; p++) begin
          sum  = '0;
          sumh = '0;
          term = '0;
          if (s1_valid_q) begin
            for (int s = 0; s < SIMD; s++) begin
              if (BIPOLAR_W != 0)  // conditional negation, no multiplier
                term = w_q[(p*SIMD + s)*W_W] ? WA'($signed(x_q[s*W_IN +: W_IN]))
                                             : -WA'($signed(x_q[s*W_IN +: W_IN]));
              else
                term = WA'($signed(x_q[s*W_IN +: W_IN])) *
                       WA'($signed(w_q[(p*SIMD + s)*W_W +: W_W]));
              if (s < 32'(s1_fl_q[LOW-1:0])) sum = sum + term;
              else                            sumh = sumh + term;
            end
          end
          dot[p]  = sum;
          doth[p] = sumh;
        end
      end
    end
    assign mac_fl    = s1_fl_q;
    assign mac_valid = s1_valid_q;
    assign mac_first = s1_first_q;
    assign mac_last  = s1_last_q;
    assign mac_b     = b_q;
  end else begin : g_macp
    logic signed [WA-1:0] prod [PE*SIMD];
    always_comb begin
      for (int p = 0; p < PE; p++) begin
        for (int s = 0; s < SIMD; s++) begin
          if (BIPOLAR_W != 0)  // conditional negation, no multiplier
            prod[p*SIMD + s] = w_q[(p*SIMD + s)*W_W] ? WA'($signed(x_q[(p*XL + s)*W_IN +: W_IN]))
                                                     : -WA'($signed(x_q[(p*XL + s)*W_IN +: W_IN]));
          else
            prod[p*SIMD + s] = WA'($signed(x_q[(p*XL + s)*W_IN +: W_IN])) *
                               WA'($signed(w_q[(p*SIMD + s)*W_W +: W_W]));
        end
      end
    end
    logic signed [WA-1:0] prod_q [PE*SIMD];
    logic                 p1_valid_q, p1_first_q, p1_last_q;
    logic [FLW-1:0]       p1_fl_q;
    logic [PE*W_ACC-1:0]  p1_b_q;
    logic signed [WA-1:0] sum [PE];
    logic signed [WA-1:0] sumh [PE];
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
      if (s1_valid_q) begin
        p1_b_q  <= b_q;
        p1_fl_q <= s1_fl_q;
      end
    end
    // one always_ff per lane: Verilator cannot unroll array updates in a loop
    for (genvar i = 0; i < PE*SIMD; i++) begin : g_prod
      always_ff @(posedge clk) begin
        if (s1_valid_q) prod_q[i] <= prod[i];
      end
    end
    if (!FLAT) begin : g_sum
      always_comb begin
        for (int p = 0; p < PE; p++) begin
          sum[p]  = '0;
          sumh[p] = '0;
          for (int s = 0; s < SIMD; s++) sum[p] = sum[p] + prod_q[p*SIMD + s];
        end
      end
    end else begin : g_sum_flat
      always_comb begin
        for (int p = 0; p < PE; p++) begin
          sum[p]  = '0;
          sumh[p] = '0;
          for (int s = 0; s < SIMD; s++) begin
            if (s < 32'(p1_fl_q[LOW-1:0])) sum[p]  = sum[p] + prod_q[p*SIMD + s];
            else                           sumh[p] = sumh[p] + prod_q[p*SIMD + s];
          end
        end
      end
    end
    if (PIPE == 1) begin : g_p1
      always_comb for (int p = 0; p < PE; p++) dot[p] = p1_valid_q ? sum[p] : '0;
      always_comb for (int p = 0; p < PE; p++) doth[p] = p1_valid_q ? sumh[p] : '0;
      assign mac_fl    = p1_fl_q;
      assign mac_valid = p1_valid_q;
      assign mac_first = p1_first_q;
      assign mac_last  = p1_last_q;
      assign mac_b     = p1_b_q;
    end else begin : g_p2
      logic signed [WA-1:0] sum_q [PE];
      logic signed [WA-1:0] sumh_q [PE];
      logic                 p2_valid_q, p2_first_q, p2_last_q;
      logic [FLW-1:0]       p2_fl_q;
      logic [PE*W_ACC-1:0]  p2_b_q;
      always_ff @(posedge clk) begin
        if (rst) begin
          p2_valid_q <= 1'b0;
          p2_first_q <= 1'b0;
          p2_last_q  <= 1'b0;
        end else begin
          p2_valid_q <= p1_valid_q;
          p2_first_q <= p1_first_q;
          p2_last_q  <= p1_last_q;
        end
        if (p1_valid_q) begin
          p2_b_q  <= p1_b_q;
          p2_fl_q <= p1_fl_q;
        end
      end
      for (genvar p = 0; p < PE; p++) begin : g_sum
        always_ff @(posedge clk) begin
          if (p1_valid_q) begin
            sum_q[p]  <= sum[p];
            sumh_q[p] <= sumh[p];
          end
        end
      end
      always_comb for (int p = 0; p < PE; p++) dot[p] = p2_valid_q ? sum_q[p] : '0;
      always_comb for (int p = 0; p < PE; p++) doth[p] = p2_valid_q ? sumh_q[p] : '0;
      assign mac_fl    = p2_fl_q;
      assign mac_valid = p2_valid_q;
      assign mac_first = p2_first_q;
      assign mac_last  = p2_last_q;
      assign mac_b     = p2_b_q;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) acc_valid_q <= 1'b0;
    else     acc_valid_q <= mac_valid && mac_last;
  end

  if (DPI) begin : g_acc_dpi  // (the accumulators are in C++)
    always_comb for (int p = 0; p < PE; p++) acc_q[p] = '0;
  end else if (!FLAT) begin : g_acc_fold
    for (genvar p = 0; p < PE; p++) begin : g_acc
      always_ff @(posedge clk) begin
        if (mac_valid)
          acc_q[p] <= (mac_first ? WA'($signed(mac_b[p*W_ACC +: W_ACC])) : acc_q[p]) + dot[p];
      end
    end
  end else begin : g_acc_flat
    // a split step's high lanes (carry_q) join the next group's bias on its first step
    logic signed [WA-1:0] carry_q [PE];
    for (genvar p = 0; p < PE; p++) begin : g_acc
      always_ff @(posedge clk) begin
        if (mac_valid) begin
          acc_q[p] <= (mac_first ? WA'($signed(mac_b[p*W_ACC +: W_ACC])) +
                                   (mac_fl[LOW+1] ? carry_q[p] : '0)
                                 : acc_q[p]) + dot[p];
          if (mac_fl[LOW]) carry_q[p] <= doth[p];
        end
      end
    end
  end

  // ---------------------------------------------------------------- S3: requantize, act
  logic [PE*WA-1:0]    acc_lanes;
  logic [PE*W_OUT-1:0] act_data;
  logic                y_valid_q;
  if (!DPI) begin : g_acc_lanes
    always_comb for (int p = 0; p < PE; p++) acc_lanes[p*WA +: WA] = acc_q[p];
  end

  // ---------------------------------------------------------------- DPI datapath
  // The C++ half (rtl/sim/loom_sim_dpi.cpp) takes each input beat at the edge that writes
  // the bank, and each step at its issue edge (cycle t): its operands are stable then,
  // since the bank being read is full and no beat can write it. The step's products and
  // the accumulator update happen there, one cycle before S2 would; a group's last step
  // returns the finished lanes (acc_w), held from edge t+1 (acc_hold_q) through the
  // cycle acc_valid_q marks, as acc_q would be. Same bits as FAST.
`ifdef LOOM_SIM_DPI
  if (DPI) begin : g_dpi
    localparam int NWI = (BW + 31) / 32;
    localparam int NWA = (PE * WA + 31) / 32;
    bit [31:0]         in_w [NWI];
    bit [31:0]         acc_w [NWA];
    logic [NWI*32-1:0] in_pad;
    /* verilator lint_off UNUSEDSIGNAL */  // (the padding above PE*WA)
    logic [NWA*32-1:0] acc_hold_q;
    /* verilator lint_on UNUSEDSIGNAL */
    int                d_carry, d_split, d_flo;
    assign in_pad = (NWI*32)'(in_data);
    for (genvar i = 0; i < NWI; i++) begin : g_in_w
      assign in_w[i] = in_pad[i*32 +: 32];
    end
    if (FLAT) begin : g_fl
      assign d_carry = 32'(fl_step[LOW+1]);
      assign d_split = 32'(fl_step[LOW]);
      assign d_flo   = 32'(fl_step[LOW-1:0]);
    end else begin : g_fl_none
      assign d_carry = 0;
      assign d_split = 0;
      assign d_flo   = SIMD;
    end
    always_ff @(posedge clk) begin
      if (in_fire) loom_pkg::loom_mac_beat(mac_h, 32'(wr_bank_q), 32'(in_cnt_q), in_w);
      // the previous edge's finished lanes first, then this edge's step
      if (s1_valid_q && s1_last_q)
        for (int i = 0; i < NWA; i++) acc_hold_q[i*32 +: 32] <= acc_w[i];
      if (issue)
        loom_pkg::loom_mac_step(mac_h, 32'(rd_bank_q), xbase, 32'(waddr_q), 32'(nf_q),
                                32'(step_first), d_carry, d_split, d_flo, 32'(step_last),
                                acc_w);
    end
    assign acc_lanes = acc_hold_q[PE*WA-1:0];
  end
`endif

  // The per-channel requantisation parameters are fetched PIPE cycles after the issue
  // that fetched the bias, so they are aligned when that step reaches the accumulator.
  logic           rq_fetch;
  logic [NFW-1:0] rq_group;
  if (PIPE == 0) begin : g_fetch0
    assign rq_fetch = issue && step_first;
    assign rq_group = nf_q;
  end else begin : g_fetchp
    // shift registers, newest in the low bits
    logic [PIPE-1:0]     fetch_q;
    logic [PIPE*NFW-1:0] group_q;
    always_ff @(posedge clk) begin
      if (rst) fetch_q <= '0;
      else     fetch_q <= PIPE'({fetch_q, issue && step_first});  // drops the oldest
      group_q <= (PIPE*NFW)'({group_q, nf_q});
    end
    assign rq_fetch = fetch_q[PIPE-1];
    assign rq_group = group_q[(PIPE-1)*NFW +: NFW];
  end

  loom_requant #(
    .PE(PE), .NF(NF), .WA(WA), .W_OUT(W_OUT), .SHIFT(SHIFT), .ACT(ACT), .T_MIN(T_MIN),
    .T_MAX(T_MAX), .T_SHIFT(T_SHIFT), .T_DEPTH(T_DEPTH), .LEAKY_A(LEAKY_A), .W_M(W_M),
    .W_LA(W_LA), .W_PB(W_PB), .T_FILE(T_FILE), .M_FILE(M_FILE), .LA_FILE(LA_FILE),
    .PB_FILE(PB_FILE), .RQ_PIPE(RQ_PIPE)
  ) u_requant (
    .clk      (clk),
    .rst      (rst),
    .fetch    (rq_fetch),
    .group    (rq_group),
    .align    (mac_valid && mac_first),
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
    .W    (PE * W_OUT),
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
  // No beat lost: the credits guarantee that the output FIFO takes every result.
  CreditBound: assert property (@(posedge clk) disable iff (rst) credit_q <= CRW'(OUT_DEPTH))
    else $error("%m: more credits reserved than OUT_DEPTH");
  FifoTakes: assert property (@(posedge clk) disable iff (rst) y_valid_q |-> fifo_in_ready)
    else $error("%m: result pushed into a full output FIFO");
`endif
endmodule
