// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_dwu: depthwise convolution unit (one window per vector, from a loom_swg):
//   acc[c] = b[c] + sum_j x[j*C + c] * w[c][j],  j < KK = KH*KW (window in (k, c) order)
//   y[c]   = act(sat(shift_round_even(acc[c], SHIFT)))
// Folding: NF = C/PE channel groups, SF = KK/SIMD tap slices; one (nf, sf) step per cycle
// with PE x SIMD multipliers (lane (pe, s) = channel nf*PE+pe, tap sf*SIMD+s).
// Requires C % PE == 0, KK % SIMD == 0, (KK*C) % IN_BEAT == 0.
// Weight file: NF*SF lines, line nf*SF + sf, lane (pe*SIMD + s) at bits
// [(pe*SIMD+s)*W_W +: W_W] = w[nf*PE+pe][sf*SIMD+s] (= the loom_mvu layout with N = C,
// K = KK; w[c][kh*KW+kw] = W_onnx[c][0][kh][kw]). Bias: NF lines of PE*W_ACC bits.
//
// Control, pipeline and timing are exactly loom_mvu's with K = KK*C, N = C, SF = KK/SIMD
// (cycle model: hw_model MvuModel(DwuConfig)); only the operand slice differs (PE*SIMD
// elements gathered from the stored window), so this module is loom_mvu in its depthwise
// mode (DW_KK = KK). Parameters as loom_mvu's (ACT: loom_pkg::ACT_*).
module loom_dwu #(
  parameter int    C       = 4,
  parameter int    KK      = 4,
  parameter int    SIMD    = 2,
  parameter int    PE      = 2,
  parameter int    IN_BEAT = 2,
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
  parameter int    PIPE    = 0,  // extra MAC stages (loom_mvu)
  parameter int    RQ_PIPE = 0,  // requantisation stage (loom_mvu)
  parameter int    RT_W    = 0,  // run-time weights (loom_mvu)
  parameter int    W_OFF   = 0,
  parameter int    B_OFF   = 0
) (
  input  logic                    clk,
  input  logic                    rst,
  input  logic [31:0]             wt_data,  // weight-load bus (loom_mvu)
  input  logic [31:0]             wt_addr,
  input  logic                    wt_valid,
  input  logic [IN_BEAT*W_IN-1:0] in_data,
  input  logic                    in_valid,
  output logic                    in_ready,
  output logic [PE*W_OUT-1:0]     out_data,
  output logic                    out_valid,
  input  logic                    out_ready
);
  loom_mvu #(
    .K(KK * C), .N(C), .SIMD(SIMD), .PE(PE), .IN_BEAT(IN_BEAT), .W_IN(W_IN), .W_W(W_W),
    .W_ACC(W_ACC), .W_OUT(W_OUT), .SHIFT(SHIFT), .ACT(ACT), .T_MIN(T_MIN), .T_MAX(T_MAX),
    .T_SHIFT(T_SHIFT), .T_DEPTH(T_DEPTH), .LEAKY_A(LEAKY_A), .W_M(W_M), .BIPOLAR_W(BIPOLAR_W),
    .W_LA(W_LA), .W_PB(W_PB), .W_FILE(W_FILE), .B_FILE(B_FILE), .T_FILE(T_FILE),
    .M_FILE(M_FILE), .LA_FILE(LA_FILE), .PB_FILE(PB_FILE), .DW_KK(KK), .PIPE(PIPE), .RQ_PIPE(RQ_PIPE),
    .RT_W(RT_W), .W_OFF(W_OFF), .B_OFF(B_OFF)
  ) u_unit (
    .clk      (clk),
    .rst      (rst),
    .wt_data  (wt_data),
    .wt_addr  (wt_addr),
    .wt_valid (wt_valid),
    .in_data  (in_data),
    .in_valid (in_valid),
    .in_ready (in_ready),
    .out_data (out_data),
    .out_valid(out_valid),
    .out_ready(out_ready)
  );
endmodule
