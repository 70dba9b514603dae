// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_attention: integer multi-head scaled-dot-product attention (docs/CONTRACTS.md
// "Attention") over a frame of T rows of C = H*D codes on three input streams q, k, v,
// output beats of 1 code (W_OUT bits). Built for token streaming: row t of k and v is
// written into the K / V memories at slot t (the KV cache), row t of q into the q buffer.
//
// Per output row t and head h, over the n rows attended (CAUSAL: n = t + 1, else T):
//   (WINDOW > 0, causal: only the last WINDOW rows, a sliding window; KB = 1: ALiBi, the
//   score of key row j of head h gets KB_FILE's code h*T + j added before the max)
//   SCORE: a_j = sum_d q_d * k_{j,d}   (SIMD products a cycle, D/SIMD cycles per j),
//          m = max a_j; a_j stored in the score buffer
//   EXP:   e_j = EXP[min((m - a_j) >>> EXP_SHIFT, EXP_DEPTH-1)], S += e_j,
//          u_d += e_j * v_{j,d}        (SIMD lanes a cycle, D/SIMD cycles per j)
//   DIV:   r = floor(2^R / S)           (restoring division, R + 1 cycles)
//   OUT:   y_d = clamp(shift_round_even(shift_round_even(u_d * r, R - G) * M, SH) + ZP,
//                LO, HI)                (one code a cycle into the output register)
// A QDQ export's own quantizers (numerics::ScoreRequant / ProbQuant):
//   SQ = 1: a_j -> clamp(shift_round_even(a_j * SM, SSH), SLO, SHI) before the max and
//           the exp table (the model's score codes).
//   PQ = 1: SCORE -> SUM (S += e_j, one cycle per j) -> DIV (r = floor(PM * 2^PK / S))
//           -> EXP (pc_j = clamp(shift_round_even(e_j * r, R), PLO, PHI), u_d += pc_j *
//           v_{j,d}) -> OUT (y_d = clamp(shift_round_even(u_d * M, SH) + ZP, LO, HI)).
// The widths W_A, W_S, W_U, W_R, W_M, W_SM, W_PC and DIV_STEPS come from
// numerics::AttentionParams, so they always hold the values the reference computes.
//
// Control (cycle model: hw_model/Actors.cpp, AttentionModel - keep in sync):
//   LOAD: each input is ready (registered) until its row's C/IN_BEAT_* beats are in. When
//         all three rows are in (registered flags): CAUSAL starts row ld_row; otherwise the
//         next row loads, and after row T-1 the T output rows are computed from row 0.
//   SCORE -> EXP -> DIV -> OUT per head; after the last head of a row: CAUSAL goes back
//         to LOAD (row counter wrapping at T: the next frame is the next sequence);
//         otherwise the next row's heads, and LOAD after row T-1.
//   out_valid is the output register (no comb path ready -> valid).
module loom_attention #(
  parameter int T         = 4,
  parameter int C         = 8,
  parameter int H         = 2,
  parameter int IN_BEAT_Q = 1,
  parameter int IN_BEAT_K = 1,
  parameter int IN_BEAT_V = 1,
  parameter int SIMD      = 1,
  parameter int CAUSAL    = 0,
  parameter int W_IN      = 8,
  parameter int W_OUT     = 8,
  parameter int W_A       = 18,
  parameter int W_S       = 18,
  parameter int W_U       = 26,
  parameter int W_R       = 27,
  parameter int W_M       = 2,
  parameter int R         = 40,
  parameter int G         = 8,
  parameter int M         = 1,
  parameter int SH        = 8,
  parameter int ZP        = 0,
  parameter int LO        = -128,
  parameter int HI        = 127,
  parameter int EXP_SHIFT = 0,
  parameter int EXP_DEPTH = 1,
  parameter int EXP_BITS  = 16,
  parameter     EXP_FILE  = "",
  parameter int SQ        = 0,
  parameter int SM        = 1,
  parameter int SSH       = 0,
  parameter int SLO       = 0,
  parameter int SHI       = 0,
  parameter int W_SM      = 2,
  parameter int PQ        = 0,
  parameter int PM        = 1,
  parameter int PK        = 0,
  parameter int PLO       = 0,
  parameter int PHI       = 0,
  parameter int W_PC      = 2,
  parameter int DIV_STEPS = R + 1,
  parameter int WINDOW    = 0,
  parameter int KB        = 0,
  parameter     KB_FILE   = ""
) (
  input  logic                      clk,
  input  logic                      rst,
  input  logic [IN_BEAT_Q*W_IN-1:0] q_data,
  input  logic                      q_valid,
  output logic                      q_ready,
  input  logic [IN_BEAT_K*W_IN-1:0] k_data,
  input  logic                      k_valid,
  output logic                      k_ready,
  input  logic [IN_BEAT_V*W_IN-1:0] v_data,
  input  logic                      v_valid,
  output logic                      v_ready,
  output logic [W_OUT-1:0]          out_data,
  output logic                      out_valid,
  input  logic                      out_ready
);
  localparam int D     = C / H;
  localparam int DS    = D / SIMD;                     // score / exp cycles per row j
  localparam int QROWS = (CAUSAL != 0) ? 1 : T;
  localparam int AW    = $clog2(C + 1);                // a code within a row
  localparam int TW    = $clog2(T + 1);
  localparam int HW    = $clog2(H + 1);
  localparam int DSW   = $clog2(DS + 1);
  localparam int STW   = $clog2(DIV_STEPS + 1);
  localparam int IBQ   = C / IN_BEAT_Q;
  localparam int IBK   = C / IN_BEAT_K;
  localparam int IBV   = C / IN_BEAT_V;
  localparam int IBW   = $clog2(C + 1);
  localparam int W_P   = 2 * W_IN;                     // one q * k product
  localparam int W_WJ  = (PQ != 0) ? W_PC : EXP_BITS + 1; // the weight of row j: pc or e
  localparam int W_EV  = W_WJ + W_IN;                  // one weight * v product
  localparam int W_UR  = W_U + W_R + 1;                // u * r
  localparam int W_W   = W_IN + G + 1;                 // the weighted mean w
  localparam int W_Z   = ((PQ != 0) ? W_U : W_W) + W_M; // w * M (PQ: u * M)
  localparam int W_ER  = EXP_BITS + W_R + 1;           // e * r (PQ)
  localparam int W_SP  = W_A + W_SM;                   // a * SM (SQ)
  localparam int SHUR  = R - G;                        // >= 1
  // exact index widths of the memories
  localparam int QA    = (QROWS > 1) ? $clog2(QROWS) : 1;
  localparam int TA    = (T > 1) ? $clog2(T) : 1;
  localparam int UA    = (DS > 1) ? $clog2(DS) : 1;
  localparam int XA    = (EXP_DEPTH > 1) ? $clog2(EXP_DEPTH) : 1;
  localparam int XM    = EXP_DEPTH - 1;
  localparam int KA    = (H * T > 1) ? $clog2(H * T) : 1;
  localparam int SW    = $clog2(SIMD + 1);

  typedef enum logic [2:0] {StLoad, StScore, StSum, StExp, StDiv, StOut} state_e;

  // ---------------------------------------------------------------- memories
  // One packed row per entry: an input beat is one part-select write, no loop
  // (Verilator does not unroll delayed array writes in long loops).
  logic [C*W_IN-1:0]      q_mem [QROWS];
  logic [C*W_IN-1:0]      k_mem [T];
  logic [C*W_IN-1:0]      v_mem [T];
  logic signed [W_A-1:0]  a_mem [T];
  logic [SIMD*W_U-1:0]    u_q   [DS];    // u_d at [d / SIMD][d % SIMD]
  /* verilator lint_off UNDRIVEN */  // (only with the default empty file name)
  logic [EXP_BITS-1:0]    exp_mem [EXP_DEPTH];
  /* verilator lint_on UNDRIVEN */
  if (EXP_FILE != "") begin : g_exp_mem
    initial $readmemh(EXP_FILE, exp_mem);
  end

  state_e                 state_q;
  logic [2:0]             done_q;
  logic [IBW-1:0]         qcnt_q, kcnt_q, vcnt_q;
  logic [TW-1:0]          ld_row_q, o_row_q, j_q;
  logic [HW-1:0]          h_q;
  logic [DSW-1:0]         dc_q;
  logic [SW-1:0]          ol_q;                          // OUT: lane within dc_q
  logic [STW-1:0]         step_q;
  logic signed [W_A-1:0]  acc_q, m_q;
  logic [W_S-1:0]         s_q, rem_q;
  logic [W_R-1:0]         rcp_q;
  logic [W_OUT-1:0]       out_q;
  logic                   out_valid_q;

  logic q_fire, k_fire, v_fire, q_last, k_last, v_last, all_done;
  logic dc_last, j_last, h_last, idx_last, row_last, div_last, out_load;

  // j_q counts the rows attended from 0; the K / V row is j_q + (o_row - j_span):
  // all earlier rows (j_span = o_row), or the last WINDOW (a sliding window).
  logic [TW-1:0] j_span;
  logic [TA-1:0] j_row;
  always_comb begin
    j_span = (WINDOW > 0 && 32'(o_row_q) >= WINDOW) ? TW'(WINDOW - 1) : o_row_q;
    j_row  = TA'((CAUSAL != 0) ? j_q + (o_row_q - j_span) : j_q);
  end

  assign q_ready   = (state_q == StLoad) && !done_q[0];
  assign k_ready   = (state_q == StLoad) && !done_q[1];
  assign v_ready   = (state_q == StLoad) && !done_q[2];
  assign q_fire    = q_valid && q_ready;
  assign k_fire    = k_valid && k_ready;
  assign v_fire    = v_valid && v_ready;
  assign q_last    = (qcnt_q == IBW'(IBQ - 1));
  assign k_last    = (kcnt_q == IBW'(IBK - 1));
  assign v_last    = (vcnt_q == IBW'(IBV - 1));
  assign all_done  = &done_q;
  assign dc_last   = (dc_q == DSW'(DS - 1));
  assign j_last    = (CAUSAL != 0) ? (j_q == j_span) : (j_q == TW'(T - 1));
  assign h_last    = (h_q == HW'(H - 1));
  assign idx_last  = dc_last && (ol_q == SW'(SIMD - 1));
  assign row_last  = (CAUSAL != 0) ? (ld_row_q == TW'(T - 1)) : (o_row_q == TW'(T - 1));
  assign div_last  = (step_q == STW'(DIV_STEPS - 1));
  assign out_valid = out_valid_q;
  assign out_data  = out_q;
  assign out_load  = (state_q == StOut) && (!out_valid_q || out_ready);

  // ---------------------------------------------------------------- addresses
  logic [AW-1:0] hd_base;
  logic [QA-1:0] q_row;
  always_comb begin
    hd_base = AW'(h_q) * AW'(D) + AW'(dc_q) * AW'(SIMD);
    q_row   = (CAUSAL != 0) ? '0 : QA'(o_row_q);
  end

  // ---------------------------------------------------------------- SCORE: SIMD q * k
  logic signed [W_A-1:0] acc_n;
  always_comb begin
    logic signed [W_IN-1:0] qa, ka;
    logic signed [W_P-1:0]  p;
    acc_n = (dc_q == '0) ? '0 : acc_q;
    for (int l = 0; l < SIMD; l++) begin
      qa    = $signed(q_mem[q_row][(32'(hd_base) + l) * W_IN +: W_IN]);
      ka    = $signed(k_mem[j_row][(32'(hd_base) + l) * W_IN +: W_IN]);
      p     = W_P'(qa) * W_P'(ka);
      acc_n = acc_n + W_A'(p);
    end
  end

  // score code of row j: a_j itself, or the model's requantized score (SQ)
  logic signed [W_A-1:0] sc_n;
  if (SQ != 0) begin : g_sq
    logic signed [W_SP-1:0] sp, sp_sh;
    if (SSH > 0) begin : g_round
      logic [SSH-1:0] sp_rem;
      always_comb begin
        sp     = W_SP'(acc_n) * W_SP'(SM);
        sp_sh  = sp >>> SSH;
        sp_rem = sp[SSH-1:0];
        if (sp_rem > {1'b1, {(SSH - 1){1'b0}}} ||
            (sp_rem == {1'b1, {(SSH - 1){1'b0}}} && sp_sh[0]))
          sp_sh = sp_sh + W_SP'(1);
      end
    end else begin : g_round_none
      assign sp    = W_SP'(acc_n) * W_SP'(SM);
      assign sp_sh = sp;
    end
    always_comb begin
      logic signed [W_SP-1:0] c;
      c = sp_sh;
      if (c < W_SP'(SLO)) c = W_SP'(SLO);
      if (c > W_SP'(SHI)) c = W_SP'(SHI);
      sc_n = W_A'(c);
    end
  end else begin : g_sq_none
    assign sc_n = acc_n;
  end
  // ALiBi: a per-head bias over the key positions, added to each score
  logic signed [W_A-1:0] sc_kb;
  if (KB != 0) begin : g_kb
    /* verilator lint_off UNDRIVEN */  // (only with the default empty file name)
    logic [W_A-1:0] kb_mem [H * T];
    /* verilator lint_on UNDRIVEN */
    if (KB_FILE != "") begin : g_kb_file
      initial $readmemh(KB_FILE, kb_mem);
    end
    logic [KA-1:0] kb_at;
    always_comb begin
      kb_at = KA'(32'(h_q) * T + 32'(j_row));
      sc_kb = sc_n + $signed(kb_mem[kb_at]);
    end
  end else begin : g_kb_none
    assign sc_kb = sc_n;
  end

  // ---------------------------------------------------------------- EXP: e_j, e * v
  logic [W_A-1:0]      diff, didx;
  logic [XA-1:0]       xidx;
  logic [EXP_BITS-1:0] e;
  always_comb begin
    diff = W_A'(m_q - a_mem[TA'(j_q)]);
    didx = diff >> EXP_SHIFT;
    xidx = (didx > W_A'(XM)) ? XA'(XM) : XA'(didx);
    e    = exp_mem[xidx];
  end

  // the weight of row j: e_j, or (PQ) the model's probability code pc_j
  logic signed [W_WJ-1:0] wj;
  if (PQ != 0) begin : g_pq
    logic [W_ER-1:0]        er;
    logic [W_ER-1:0]        er_sh;
    logic [R-1:0]           er_rem;
    always_comb begin
      er     = W_ER'(e) * W_ER'(rcp_q);
      er_sh  = er >> R;
      er_rem = er[R-1:0];
      if (er_rem > {1'b1, {(R - 1){1'b0}}} || (er_rem == {1'b1, {(R - 1){1'b0}}} && er_sh[0]))
        er_sh = er_sh + W_ER'(1);
      if ($signed(er_sh) < W_ER'(PLO)) er_sh = W_ER'(PLO);
      if ($signed(er_sh) > W_ER'(PHI)) er_sh = W_ER'(PHI);
      wj = W_WJ'(er_sh);
    end
  end else begin : g_pq_none
    assign wj = $signed({1'b0, e});
  end

  // weight * v on SIMD lanes (v signed)
  // (the first row j starts the sums from 0: no clearing loop)
  logic [SIMD*W_U-1:0] u_n;
  always_comb begin
    logic signed [W_EV-1:0] ev;
    logic signed [W_U-1:0]  u0;
    for (int l = 0; l < SIMD; l++) begin
      ev = W_EV'(wj) *
           W_EV'($signed(v_mem[j_row][(32'(hd_base) + l) * W_IN +: W_IN]));
      u0 = (j_q == '0) ? '0 : $signed(u_q[UA'(dc_q)][l*W_U +: W_U]);
      u_n[l*W_U +: W_U] = u0 + W_U'(ev);
    end
  end

  // ---------------------------------------------------------------- DIV: N / S
  // numerator N = 2^R, or (PQ) PM * 2^PK; one bit per step, most significant first
  localparam logic [31:0] PM_BITS = 32'(PM);
  logic         num_bit;
  logic [W_S:0] rem_n;
  if (PQ != 0) begin : g_num_pq
    // bit DIV_STEPS - 1 - step of N: PM's bit (that - PK), 0 below PK (bits(PM) <= 24)
    /* verilator lint_off UNUSEDSIGNAL */  // (PK = 0 reads PM's 32 bits only)
    logic [STW-1:0] nb;
    /* verilator lint_on UNUSEDSIGNAL */
    assign nb = STW'(DIV_STEPS - 1) - step_q;
    if (PK > 0) begin : g_pk
      assign num_bit = (nb >= STW'(PK)) ? PM_BITS[5'(nb - STW'(PK))] : 1'b0;
    end else begin : g_pk_none
      assign num_bit = PM_BITS[5'(nb)];
    end
  end else begin : g_num
    assign num_bit = (step_q == '0);
  end
  assign rem_n = {rem_q, num_bit};

  // ---------------------------------------------------------------- OUT: element idx_q
  logic signed [W_Z-1:0]  z, z_sh, y;
  if (PQ != 0) begin : g_out_pq
    // u already carries the probability codes' scale: y = u * M
    always_comb z = W_Z'($signed(u_q[UA'(dc_q)][ol_q*W_U +: W_U])) * W_Z'(M);
  end else begin : g_out
    logic signed [W_UR-1:0] ur, ur_sh;
    logic [SHUR-1:0]        ur_rem;
    always_comb begin
      ur     = W_UR'($signed(u_q[UA'(dc_q)][ol_q*W_U +: W_U])) * $signed(W_UR'(rcp_q));
      ur_sh  = ur >>> SHUR;
      ur_rem = ur[SHUR-1:0];
      if (ur_rem > {1'b1, {(SHUR - 1){1'b0}}} ||
          (ur_rem == {1'b1, {(SHUR - 1){1'b0}}} && ur_sh[0]))
        ur_sh = ur_sh + W_UR'(1);
      z = W_Z'(ur_sh) * W_Z'(M);
    end
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
    y = z_sh + W_Z'(ZP);
    if (y < W_Z'(LO)) y = W_Z'(LO);
    if (y > W_Z'(HI)) y = W_Z'(HI);
  end

  // ---------------------------------------------------------------- control
  always_ff @(posedge clk) begin
    if (rst) begin
      state_q     <= StLoad;
      done_q      <= '0;
      qcnt_q      <= '0;
      kcnt_q      <= '0;
      vcnt_q      <= '0;
      ld_row_q    <= '0;
      o_row_q     <= '0;
      h_q         <= '0;
      j_q         <= '0;
      dc_q        <= '0;
      step_q      <= '0;
      ol_q        <= '0;
      out_valid_q <= 1'b0;
    end else begin
      if (out_load)       out_valid_q <= 1'b1;
      else if (out_ready) out_valid_q <= 1'b0;
      if (q_fire) begin
        qcnt_q <= q_last ? '0 : qcnt_q + 1'b1;
        if (q_last) done_q[0] <= 1'b1;
      end
      if (k_fire) begin
        kcnt_q <= k_last ? '0 : kcnt_q + 1'b1;
        if (k_last) done_q[1] <= 1'b1;
      end
      if (v_fire) begin
        vcnt_q <= v_last ? '0 : vcnt_q + 1'b1;
        if (v_last) done_q[2] <= 1'b1;
      end
      unique case (state_q)
        StLoad: if (all_done) begin
          done_q <= '0;
          if (CAUSAL != 0) begin
            o_row_q <= ld_row_q;
            h_q     <= '0;
            j_q     <= '0;
            dc_q    <= '0;
            state_q <= StScore;
          end else if (ld_row_q == TW'(T - 1)) begin
            ld_row_q <= '0;
            o_row_q  <= '0;
            h_q      <= '0;
            j_q      <= '0;
            dc_q     <= '0;
            state_q  <= StScore;
          end else begin
            ld_row_q <= ld_row_q + 1'b1;
          end
        end
        StScore, StExp: begin
          if (dc_last) begin
            dc_q <= '0;
            if (j_last) begin
              j_q     <= '0;
              step_q  <= '0;
              ol_q    <= '0;
              if (state_q == StScore) state_q <= (PQ != 0) ? StSum : StExp;
              else                    state_q <= (PQ != 0) ? StOut : StDiv;
            end else begin
              j_q <= j_q + 1'b1;
            end
          end else begin
            dc_q <= dc_q + 1'b1;
          end
        end
        StSum: begin
          if (j_last) begin
            j_q     <= '0;
            step_q  <= '0;
            state_q <= StDiv;
          end else begin
            j_q <= j_q + 1'b1;
          end
        end
        StDiv: begin
          if (div_last) begin
            step_q  <= '0;
            dc_q    <= '0;
            ol_q    <= '0;
            j_q     <= '0;
            state_q <= (PQ != 0) ? StExp : StOut;
          end else begin
            step_q <= step_q + 1'b1;
          end
        end
        StOut: if (out_load) begin
          if (idx_last) begin
            ol_q  <= '0;
            j_q   <= '0;
            dc_q  <= '0;
            if (!h_last) begin
              h_q     <= h_q + 1'b1;
              state_q <= StScore;
            end else begin
              h_q <= '0;
              if (CAUSAL != 0) begin
                ld_row_q <= row_last ? '0 : ld_row_q + 1'b1;
                state_q  <= StLoad;
              end else if (row_last) begin
                o_row_q <= '0;
                state_q <= StLoad;
              end else begin
                o_row_q <= o_row_q + 1'b1;
                state_q <= StScore;
              end
            end
          end else if (ol_q == SW'(SIMD - 1)) begin
            ol_q <= '0;
            dc_q <= dc_q + 1'b1;
          end else begin
            ol_q <= ol_q + 1'b1;
          end
        end
        default: state_q <= StLoad;
      endcase
    end
  end

  // ---------------------------------------------------------------- datapath
  always_ff @(posedge clk) begin
    if (q_fire)
      q_mem[(CAUSAL != 0) ? '0 : QA'(ld_row_q)][qcnt_q * (IN_BEAT_Q * W_IN) +: IN_BEAT_Q * W_IN]
        <= q_data;
    if (k_fire) k_mem[TA'(ld_row_q)][kcnt_q * (IN_BEAT_K * W_IN) +: IN_BEAT_K * W_IN] <= k_data;
    if (v_fire) v_mem[TA'(ld_row_q)][vcnt_q * (IN_BEAT_V * W_IN) +: IN_BEAT_V * W_IN] <= v_data;
    if (state_q == StScore) begin
      acc_q <= acc_n;
      if (dc_last) begin
        a_mem[TA'(j_q)] <= sc_kb;
        if (j_q == '0 || sc_kb > m_q) m_q <= sc_kb;
      end
    end
    if (state_q == StSum) begin
      s_q <= ((j_q == '0) ? '0 : s_q) + W_S'(e);
      if (j_last) begin
        rem_q <= '0;
        rcp_q <= '0;
      end
    end
    if (state_q == StExp) begin
      if (PQ == 0 && dc_q == '0) s_q <= ((j_q == '0) ? '0 : s_q) + W_S'(e);
      u_q[UA'(dc_q)] <= u_n;
      if (PQ == 0 && dc_last && j_last) begin
        rem_q <= '0;
        rcp_q <= '0;
      end
    end
    if (state_q == StDiv) begin
      if (rem_n >= {1'b0, s_q}) begin
        rem_q <= W_S'(rem_n - {1'b0, s_q});
        rcp_q <= {rcp_q[W_R-2:0], 1'b1};
      end else begin
        rem_q <= W_S'(rem_n);
        rcp_q <= {rcp_q[W_R-2:0], 1'b0};
      end
    end
    if (out_load) out_q <= W_OUT'(y);
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(q_data))) u_q_chk (
    .clk, .rst, .data(q_data), .valid(q_valid), .ready(q_ready));
  loom_stream_check #(.W($bits(k_data))) u_k_chk (
    .clk, .rst, .data(k_data), .valid(k_valid), .ready(k_ready));
  loom_stream_check #(.W($bits(v_data))) u_v_chk (
    .clk, .rst, .data(v_data), .valid(v_valid), .ready(v_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
