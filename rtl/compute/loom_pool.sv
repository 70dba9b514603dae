// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_pool: max / average pooling of sliding windows (docs/CONTRACTS.md).
//
// Input: per output pixel the KK*C window elements in the loom_swg (k, c) order,
// IN_BEAT elements per beat: part of one position (C % IN_BEAT == 0) or TAPS = IN_BEAT/C
// whole positions (TAPS | KK; the window in KK/TAPS beats, e.g. one beat a window).
// Output: per pixel C values, PE per beat (C % PE == 0).
//   MODE 0: y[c] = max_k x[k][c] (pad positions must hold the minimum: swg PAD_VAL).
//   MODE 1: s = sum_k x[k][c]; d = DIV, or dmem[pixel] when D_FILE is given (NPIX
//           entries, count_include_pad = 0 divisors); q = floor(s/d), r = s - q*d,
//           q rounded by RND (the nn.quantize_linear modes, numerics::Rounding order):
//           0 half to even: q += (2r > d) || (2r == d && q odd); 1 half up (ties away
//           from zero); 2 half down (ties towards zero); 3 floor; 4 ceil; 5 towards
//           zero; y = saturate_WB(q). RND 3 with DIV = 2^k is a QONNX Trunc's
//           sum-and-shift (Brevitas TruncAvgPool); same timing in every mode.
//           How floor(s/d) is built (same result, same timing): DIV = 2^k is an arithmetic
//           shift; another constant DIV is a multiply by its reciprocal (|s| * M >> RSH,
//           exact for every |s| < 2^SW, Granlund-Montgomery); only D_FILE divisors use
//           a divider. A QW-bit divider per lane was 45k LUTs on KWS's pool (C 32, PE 8).
// Micro-architecture (cycle model: hw_model/Actors.cpp, PoolModel - keep in sync):
//  * acc[C]: per-channel running max / sum, updated by each input beat (IN_BEAT
//    channels, or all C reduced over the beat's TAPS positions). The last beat of a
//    pixel (xfer) copies the finished values into a hold bank (hcnt_q counts the full
//    ones). in_ready = !(last beat && hcnt_q == HOLD) (registered).
//  * Output: issue = hcnt_q != 0 && (!out_valid_q || out_ready); the ob-th beat (PE
//    channels, divided/rounded for MODE 1) of the oldest bank is registered into out_q;
//    the last beat of a pixel frees that bank. out_valid = out_valid_q (no comb ready
//    -> valid path).
//  * HOLD = 1: one bank, a pixel every max(KK*C/IN_BEAT, C/PE + 1) cycles (the bank
//    frees one cycle after its last output beat). HOLD = 2 (ping-pong banks, for a
//    window a beat): max(KK*C/IN_BEAT, C/PE), e.g. one pixel a cycle.
// Clean pass alone: II = NPIX * that period, latency = KK*C/IN_BEAT + 1 + C/PE (one
// pixel) + per-pixel period.
// Exact numbers: hw_model estimateCost(PoolConfig) runs the cycle model.
module loom_pool #(
  parameter int MODE    = loom_pkg::POOL_MAX,  // loom_pkg::POOL_MAX / POOL_AVG
  parameter int C       = 2,
  parameter int KK      = 4,
  parameter int IN_BEAT = 1,
  parameter int PE      = 1,
  parameter int WB      = 8,
  parameter int NPIX    = 1,
  parameter int DIV     = 1,
  parameter int RND     = loom_pkg::RND_HALF_EVEN,  // loom_pkg::RND_*
  parameter int D_BITS  = 16,
  parameter int HOLD    = 1,  // hold banks (1 or 2)
  parameter     D_FILE  = ""
) (
  input  logic                 clk,
  input  logic                 rst,
  input  logic [IN_BEAT*WB-1:0] in_data,
  input  logic                 in_valid,
  output logic                 in_ready,
  output logic [PE*WB-1:0]     out_data,
  output logic                 out_valid,
  input  logic                 out_ready
);
`ifdef SYNTHESIS
  localparam bit SIM = 1'b0;  // synthesis: the plain forms
`elsif LOOM_PLAIN_RTL
  localparam bit SIM = 1'b0;  // loom sim --plain-rtl: simulate the synthesised forms
`else
  localparam bit SIM = 1'b1;  // simulation: blocks evaluated only when read (same outputs)
`endif
  localparam int LN   = (IN_BEAT > C) ? C : IN_BEAT;        // channels a beat updates
  localparam int TAPS = (IN_BEAT > C) ? IN_BEAT / C : 1;    // window positions a beat
  localparam int KB   = KK / TAPS;                          // position beats a window
  localparam int CB   = C / LN;
  localparam int OB   = C / PE;
  localparam int SW   = WB + $clog2(KK + 1);
  // floor(s / DIV) for a constant DIV: DL = ceil(log2 DIV); POW2: DIV = 2^DL, a shift.
  // Otherwise q0 = (n * RM) >> RSH with n = |s| < 2^SW, RSH = SW + DL, RM = ceil(2^RSH /
  // DIV): RM * DIV = 2^RSH + e with 0 <= e < DIV, so n * RM / 2^RSH exceeds n / DIV by
  // less than n * e / (DIV * 2^RSH) < 1 / DIV and never crosses the next integer.
  localparam int DL    = $clog2(DIV);
  localparam bit CONST = (D_FILE == "");
  localparam bit POW2  = CONST && ((1 << DL) == DIV);
  localparam int RSH   = SW + DL;
  localparam bit RECIP = CONST && !POW2 && RSH <= 62;  // RM from 64-bit arithmetic
  localparam int RMW   = SW + 2;
  localparam logic [RMW-1:0] RM =
      RECIP ? RMW'(((64'd1 << RSH) + 64'(DIV) - 64'd1) / 64'(DIV)) : '0;
  // Quotient width: holds the sum and the divisor (DIV up to 2^30, a Trunc's shift;
  // D_BITS for ROM divisors), with a sign and 2r: |q| <= |s| + 1, q * d <= |s| + d.
  localparam int DVW  = $clog2(DIV + 1) + 2;
  localparam int QWS  = (CONST || SW > D_BITS) ? SW + 2 : D_BITS + 2;
  localparam int QW   = (QWS > DVW) ? QWS : DVW;
  localparam int KW_  = $clog2(KB + 1);
  localparam int HCW  = $clog2(HOLD + 1);
  localparam int CBW  = $clog2(CB + 1);
  localparam int OBW  = $clog2(OB + 1);
  localparam int PXW  = (NPIX > 1) ? $clog2(NPIX) : 1;
  localparam logic signed [QW-1:0] OMAX = QW'((64'sd1 <<< (WB - 1)) - 1);
  localparam logic signed [QW-1:0] OMIN = -QW'(64'sd1 <<< (WB - 1));

  /* verilator lint_off UNDRIVEN */
  logic [D_BITS-1:0] dmem [NPIX];
  /* verilator lint_on UNDRIVEN */
  if (MODE == loom_pkg::POOL_AVG && D_FILE != "") begin : g_dmem
    initial $readmemh(D_FILE, dmem);
  end

  logic signed [SW-1:0] acc_q  [C];
  logic signed [SW-1:0] hold_q [HOLD][C];
  logic signed [SW-1:0] upd    [LN];
  logic [KW_-1:0] k_q;
  logic [CBW-1:0] cb_q;
  logic [OBW-1:0] ob_q;
  logic [PXW-1:0] pix_q;
  logic [HCW-1:0] hcnt_q;
  logic           wbk_q, rbk_q;  // hold bank written next / read now (0 when HOLD = 1)
  logic           out_valid_q;
  logic [PE*WB-1:0] out_q;
  logic           first, last, in_fire, xfer, issue, ob_last;

  assign first    = (k_q == '0);
  assign last     = (k_q == KW_'(KB - 1)) && (cb_q == CBW'(CB - 1));
  assign in_ready = !(last && hcnt_q == HCW'(HOLD));
  assign in_fire  = in_valid && in_ready;
  assign xfer     = in_fire && last;
  assign issue    = (hcnt_q != '0) && (!out_valid_q || out_ready);
  assign ob_last  = (ob_q == OBW'(OB - 1));
  assign out_valid = out_valid_q;
  assign out_data  = out_q;

  // upd[e]: lane e's max / sum over the beat's TAPS positions and, after the first
  // beat of a window, the running value. Read only when a beat arrives: simulation
  // skips it on the other cycles (0 then).
  always_comb begin
    logic signed [SW-1:0] v;
    v = '0;
    for (int e = 0; e < LN; e++) upd[e] = '0;
    if (!SIM || in_fire) for (int e = 0; e < LN; e++) begin
      upd[e] = SW'($signed(in_data[e*WB +: WB]));
      for (int t = 1; t < TAPS; t++) begin
        v = SW'($signed(in_data[(t*C + e)*WB +: WB]));
        if (MODE == loom_pkg::POOL_MAX) begin
          if (v > upd[e]) upd[e] = v;
        end else begin
          upd[e] = upd[e] + v;
        end
      end
      if (!first) begin
        if (MODE == loom_pkg::POOL_MAX) begin
          if (acc_q[32'(cb_q) * LN + e] > upd[e]) upd[e] = acc_q[32'(cb_q) * LN + e];
        end else begin
          upd[e] = acc_q[32'(cb_q) * LN + e] + upd[e];
        end
      end
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      k_q         <= '0;
      cb_q        <= '0;
      ob_q        <= '0;
      pix_q       <= '0;
      hcnt_q      <= '0;
      wbk_q       <= 1'b0;
      rbk_q       <= 1'b0;
      out_valid_q <= 1'b0;
    end else begin
      if (in_fire) begin
        if (cb_q == CBW'(CB - 1)) begin
          cb_q <= '0;
          k_q  <= (k_q == KW_'(KB - 1)) ? '0 : k_q + 1'b1;
        end else begin
          cb_q <= cb_q + 1'b1;
        end
      end
      if (issue) begin
        out_valid_q <= 1'b1;
        ob_q <= ob_last ? '0 : ob_q + 1'b1;
        if (ob_last) pix_q <= (pix_q == PXW'(NPIX - 1)) ? '0 : pix_q + 1'b1;
      end else if (out_ready) begin
        out_valid_q <= 1'b0;
      end
      // a full bank blocks the last beat, so xfer never overflows hcnt_q
      if (xfer && !(issue && ob_last))      hcnt_q <= hcnt_q + 1'b1;
      else if (!xfer && issue && ob_last)   hcnt_q <= hcnt_q - 1'b1;
      if (HOLD > 1 && xfer)                 wbk_q <= !wbk_q;
      if (HOLD > 1 && issue && ob_last)     rbk_q <= !rbk_q;
    end
  end

  // One register block per channel (a generate loop, not a procedural for loop: Verilator
  // cannot unroll delayed array assignments in loops over many channels, BLKLOOPINIT).
  // Channel c is written by the beats with cb_q == c / LN, lane c % LN.
  for (genvar c = 0; c < C; c++) begin : g_ch
    logic hit;
    assign hit = (cb_q == CBW'(c / LN));
    always_ff @(posedge clk) begin
      if (in_fire && hit) acc_q[c] <= upd[c % LN];
      if (xfer) hold_q[HOLD > 1 ? wbk_q : 1'b0][c] <= hit ? upd[c % LN] : acc_q[c];
    end
  end

  // ---------------------------------------------------------------- output (divide)
  // One output lane: sv (the channel's sum or max) divided by dvv and rounded (MODE 1).
  function automatic logic [WB-1:0] lane_out(input logic signed [QW-1:0] sv,
                                             input logic signed [QW-1:0] dvv);
    logic signed [QW-1:0] q, r;
    logic [SW-1:0]        n, q0, r0;  // |s|, quotient and remainder of the reciprocal
    logic [SW+RMW-1:0]    np;
    logic [WB-1:0]        y;
    q = '0;
    r = '0;
    if (MODE == loom_pkg::POOL_MAX) begin
      y = sv[WB-1:0];
    end else begin
      if (POW2) begin
        q = sv >>> DL;
        r = sv - (q <<< DL);
      end else if (RECIP) begin
        n  = sv < 0 ? SW'(-sv) : SW'(sv);
        np = (SW + RMW)'(n) * (SW + RMW)'(RM);
        q0 = SW'(np >> RSH);
        r0 = n - SW'(q0 * SW'(DIV));
        if (sv < 0 && r0 != '0) begin
          q = -(QW'(q0)) - 1;
          r = QW'(DIV) - QW'(r0);
        end else begin
          q = sv < 0 ? -(QW'(q0)) : QW'(q0);
          r = QW'(r0);
        end
      end else begin
        q = sv / dvv;
        r = sv - q * dvv;
        if (r < 0) begin
          q = q - 1;
          r = r + dvv;
        end
      end
      // q = floor(s / d), 0 <= r < d; s / d < 0 exactly when q < 0.
      case (RND)
        loom_pkg::RND_HALF_UP:
          if ((2 * r > dvv) || ((2 * r == dvv) && q >= 0)) q = q + 1;
        loom_pkg::RND_HALF_DOWN:
          if ((2 * r > dvv) || ((2 * r == dvv) && q < 0)) q = q + 1;
        loom_pkg::RND_FLOOR:     ;
        loom_pkg::RND_CEIL:      if (r != 0) q = q + 1;
        loom_pkg::RND_TO_ZERO:   if (r != 0 && q < 0) q = q + 1;
        default:
          if ((2 * r > dvv) || ((2 * r == dvv) && q[0])) q = q + 1;
      endcase
      if (q > OMAX)      y = OMAX[WB-1:0];
      else if (q < OMIN) y = OMIN[WB-1:0];
      else               y = q[WB-1:0];
    end
    lane_out = y;  // (Yosys 0.23 has no return statement)
  endfunction

  logic signed [QW-1:0] dv;
  assign dv = (D_FILE != "") ? QW'($signed({1'b0, dmem[pix_q]})) : QW'(DIV);

  // res: read only on issue; simulation divides only then (0 otherwise)
  logic [PE*WB-1:0] res;
  always_comb begin
    res = (PE*WB)'(0);
    if (!SIM || issue) for (int p = 0; p < PE; p++)
      res[p*WB +: WB] = lane_out(QW'(hold_q[HOLD > 1 ? rbk_q : 1'b0][32'(ob_q) * PE + p]), dv);
  end
  always_ff @(posedge clk) begin
    if (issue) out_q <= res;
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
