// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_pool: max / average pooling of sliding windows (docs/CONTRACTS.md).
//
// Input: per output pixel the KK*C window elements in the loom_swg (k, c) order,
// IN_BEAT elements per beat (C % IN_BEAT == 0, a beat never straddles two positions).
// Output: per pixel C values, PE per beat (C % PE == 0).
//   MODE 0: y[c] = max_k x[k][c] (pad positions must hold the minimum: swg PAD_VAL).
//   MODE 1: s = sum_k x[k][c]; d = DIV, or dmem[pixel] when D_FILE is given (NPIX
//           entries, count_include_pad = 0 divisors); q = floor(s/d), r = s - q*d,
//           q rounded by RND (the nn.quantize_linear modes, numerics::Rounding order):
//           0 half to even: q += (2r > d) || (2r == d && q odd); 1 half up (ties away
//           from zero); 2 half down (ties towards zero); 3 floor; 4 ceil; 5 towards
//           zero; y = saturate_WB(q). RND 3 with DIV = 2^k is a QONNX Trunc's
//           sum-and-shift (Brevitas TruncAvgPool); same timing in every mode.
// Micro-architecture (cycle model: hw_model/Actors.cpp, PoolModel - keep in sync):
//  * acc[C]: per-channel running max / sum, updated by each input beat (IN_BEAT
//    channels). The last beat of a pixel (xfer) copies the finished values into the
//    hold bank (hold_full_q <= 1). in_ready = !(last beat && hold_full_q) (registered).
//  * Output: issue = hold_full_q && (!out_valid_q || out_ready); the ob-th beat (PE
//    channels, divided/rounded for MODE 1) is registered into out_q; the last beat of a
//    pixel frees the hold bank. out_valid = out_valid_q (no comb ready -> valid path).
// Clean pass alone: II = NPIX * max(KK*C/IN_BEAT, C/PE) when the output is not slower
// than the input, latency = KK*C/IN_BEAT + 1 + C/PE (one pixel) + per-pixel period.
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
  localparam int CB   = C / IN_BEAT;
  localparam int OB   = C / PE;
  localparam int SW   = WB + $clog2(KK + 1);
  // Quotient width: holds the sum, the ROM divisors and DIV (up to 2^30, a Trunc's shift).
  localparam int DVW  = $clog2(DIV + 1) + 2;
  localparam int QW   = (SW + D_BITS + 2 > DVW) ? SW + D_BITS + 2 : DVW;
  localparam int KW_  = $clog2(KK + 1);
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
  logic signed [SW-1:0] hold_q [C];
  logic signed [SW-1:0] upd    [IN_BEAT];
  logic [KW_-1:0] k_q;
  logic [CBW-1:0] cb_q;
  logic [OBW-1:0] ob_q;
  logic [PXW-1:0] pix_q;
  logic           hold_full_q, out_valid_q;
  logic [PE*WB-1:0] out_q;
  logic           first, last, in_fire, xfer, issue, ob_last;

  assign first    = (k_q == '0);
  assign last     = (k_q == KW_'(KK - 1)) && (cb_q == CBW'(CB - 1));
  assign in_ready = !(last && hold_full_q);
  assign in_fire  = in_valid && in_ready;
  assign xfer     = in_fire && last;
  assign issue    = hold_full_q && (!out_valid_q || out_ready);
  assign ob_last  = (ob_q == OBW'(OB - 1));
  assign out_valid = out_valid_q;
  assign out_data  = out_q;

  always_comb begin
    for (int e = 0; e < IN_BEAT; e++) begin
      upd[e] = SW'($signed(in_data[e*WB +: WB]));
      if (!first) begin
        if (MODE == loom_pkg::POOL_MAX) begin
          if (acc_q[32'(cb_q) * IN_BEAT + e] > upd[e]) upd[e] = acc_q[32'(cb_q) * IN_BEAT + e];
        end else begin
          upd[e] = acc_q[32'(cb_q) * IN_BEAT + e] + upd[e];
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
      hold_full_q <= 1'b0;
      out_valid_q <= 1'b0;
    end else begin
      if (in_fire) begin
        if (cb_q == CBW'(CB - 1)) begin
          cb_q <= '0;
          k_q  <= (k_q == KW_'(KK - 1)) ? '0 : k_q + 1'b1;
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
      hold_full_q <= xfer || (hold_full_q && !(issue && ob_last));
    end
  end

  // One register block per channel (a generate loop, not a procedural for loop: Verilator
  // cannot unroll delayed array assignments in loops over many channels, BLKLOOPINIT).
  // Channel c is written by the beats with cb_q == c / IN_BEAT, lane c % IN_BEAT.
  for (genvar c = 0; c < C; c++) begin : g_ch
    logic hit;
    assign hit = (cb_q == CBW'(c / IN_BEAT));
    always_ff @(posedge clk) begin
      if (in_fire && hit) acc_q[c] <= upd[c % IN_BEAT];
      if (xfer) hold_q[c] <= hit ? upd[c % IN_BEAT] : acc_q[c];
    end
  end

  // ---------------------------------------------------------------- output (divide)
  logic signed [QW-1:0] s   [PE];
  logic signed [QW-1:0] q   [PE];
  logic signed [QW-1:0] r   [PE];
  logic signed [QW-1:0] dv;
  logic [PE*WB-1:0]     res;

  always_comb begin
    if (D_FILE != "") dv = QW'($signed({1'b0, dmem[pix_q]}));
    else              dv = QW'(DIV);
    for (int p = 0; p < PE; p++) begin
      s[p] = QW'(hold_q[32'(ob_q) * PE + p]);
      q[p] = '0;
      r[p] = '0;
      if (MODE == loom_pkg::POOL_MAX) begin
        res[p*WB +: WB] = s[p][WB-1:0];
      end else begin
        q[p] = s[p] / dv;
        r[p] = s[p] - q[p] * dv;
        if (r[p] < 0) begin
          q[p] = q[p] - 1;
          r[p] = r[p] + dv;
        end
        // q = floor(s / d), 0 <= r < d; s / d < 0 exactly when q < 0.
        case (RND)
          loom_pkg::RND_HALF_UP:
            if ((2 * r[p] > dv) || ((2 * r[p] == dv) && q[p] >= 0)) q[p] = q[p] + 1;
          loom_pkg::RND_HALF_DOWN:
            if ((2 * r[p] > dv) || ((2 * r[p] == dv) && q[p] < 0)) q[p] = q[p] + 1;
          loom_pkg::RND_FLOOR:     ;
          loom_pkg::RND_CEIL:      if (r[p] != 0) q[p] = q[p] + 1;
          loom_pkg::RND_TO_ZERO:   if (r[p] != 0 && q[p] < 0) q[p] = q[p] + 1;
          default:
            if ((2 * r[p] > dv) || ((2 * r[p] == dv) && q[p][0])) q[p] = q[p] + 1;
        endcase
        if (q[p] > OMAX)      res[p*WB +: WB] = OMAX[WB-1:0];
        else if (q[p] < OMIN) res[p*WB +: WB] = OMIN[WB-1:0];
        else                  res[p*WB +: WB] = q[p][WB-1:0];
      end
    end
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
