// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_mvu_mmv: MMV vectors a step (FINN's MMV) as MMV lockstep copies of loom_mvu.
//
// A beat carries MMV whole vectors side by side (IN_BEAT = K elements each, in frame
// order: vector m at elements [m*K, (m+1)*K)), and each output beat MMV whole results
// (PE = N lanes each), so the stream stays in frame order on both sides; a loom_swg
// with OUT_BEAT = MMV windows feeds it (docs/CONTRACTS.md "Several vectors a step").
// Copy m takes vector m of every beat. The copies see the same handshakes and hold the
// same weights, so their control is identical cycle for cycle: in_ready and out_valid
// are the same in every copy (the AND below changes nothing and is asserted in
// simulation). Timing is one loom_mvu's over VECTORS/MMV vectors (hw_model MvuConfig
// MMV, groups()). Each copy reads its own weight ROM: MMV times the memory, the price
// of not widening loom_mvu's datapath (a shared weight word would save it).
// DW_KK > 0: the copies are loom_dwu's (depthwise mode, K = DW_KK*N, PE = N).
// Parameters as loom_mvu's.
module loom_mvu_mmv #(
  parameter int    MMV     = 2,
  parameter int    K       = 4,
  parameter int    N       = 4,
  parameter int    SIMD    = 2,
  parameter int    PE      = 4,
  parameter int    IN_BEAT = 4,
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
  parameter int    DW_KK   = 0,
  parameter int    PIPE    = 0,
  parameter int    RQ_PIPE = 0,
  parameter int    RT_W    = 0,
  parameter int    W_OFF   = 0,
  parameter int    B_OFF   = 0
) (
  input  logic                        clk,
  input  logic                        rst,
  input  logic [31:0]                 wt_data,
  input  logic [31:0]                 wt_addr,
  input  logic                        wt_valid,
  input  logic [MMV*IN_BEAT*W_IN-1:0] in_data,
  input  logic                        in_valid,
  output logic                        in_ready,
  output logic [MMV*PE*W_OUT-1:0]     out_data,
  output logic                        out_valid,
  input  logic                        out_ready
);
  logic [MMV-1:0] rdy, vld;

  for (genvar m = 0; m < MMV; m++) begin : g_copy
    loom_mvu #(
      .K(K), .N(N), .SIMD(SIMD), .PE(PE), .IN_BEAT(IN_BEAT), .W_IN(W_IN), .W_W(W_W),
      .W_ACC(W_ACC), .W_OUT(W_OUT), .SHIFT(SHIFT), .ACT(ACT), .T_MIN(T_MIN), .T_MAX(T_MAX),
      .T_SHIFT(T_SHIFT), .T_DEPTH(T_DEPTH), .LEAKY_A(LEAKY_A), .W_M(W_M),
      .BIPOLAR_W(BIPOLAR_W), .W_LA(W_LA), .W_PB(W_PB), .W_FILE(W_FILE), .B_FILE(B_FILE),
      .T_FILE(T_FILE), .M_FILE(M_FILE), .LA_FILE(LA_FILE), .PB_FILE(PB_FILE),
      .DW_KK(DW_KK), .PIPE(PIPE), .RQ_PIPE(RQ_PIPE), .RT_W(RT_W), .W_OFF(W_OFF),
      .B_OFF(B_OFF)
    ) u_mvu (
      .clk, .rst, .wt_data, .wt_addr, .wt_valid,
      .in_data  (in_data[m*IN_BEAT*W_IN +: IN_BEAT*W_IN]),
      .in_valid (in_valid),
      .in_ready (rdy[m]),
      .out_data (out_data[m*PE*W_OUT +: PE*W_OUT]),
      .out_valid(vld[m]),
      .out_ready(out_ready)
    );
  end

  assign in_ready  = &rdy;
  assign out_valid = &vld;

`ifndef SYNTHESIS
  // lockstep: every copy ready and valid together
  always_ff @(posedge clk) begin
    if (!rst) begin
      assert (rdy == '0 || rdy == '1) else $error("loom_mvu_mmv: copies disagree on in_ready");
      assert (vld == '0 || vld == '1) else $error("loom_mvu_mmv: copies disagree on out_valid");
    end
  end
`endif
endmodule
