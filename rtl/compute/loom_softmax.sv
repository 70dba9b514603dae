// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_softmax: integer softmax over N elements (docs/CONTRACTS.md "Softmax"),
// store-and-forward, output beats of 1 element (W bits).
//
//   m = max y; d_i = m - y_i; e_i = EXP[min(d_i >>> EXP_SHIFT, EXP_DEPTH-1)];
//   S = sum e_i;  out_i = saturate_W(floor((e_i * 2^F + floor(S/2)) / S)).
//
// State machine (cycle model: hw_model/Actors.cpp, SoftmaxModel - keep in sync):
//  LOAD: in_ready = 1 (registered state). IB = N/IN_BEAT beats; the running max is
//        updated per beat. The last beat moves to EXP.
//  EXP:  one element per cycle (N cycles): e_i from the EXP ROM, S accumulated.
//  OUT:  one element per cycle into the output register whenever it is empty or being
//        drained (out_valid is that register: no comb path ready -> valid). Loading the
//        last element moves back to LOAD.
// Clean pass: II = IB + 2N cycles/frame, latency = IB + 2N + 1 cycles.
module loom_softmax #(
  parameter int    N         = 4,
  parameter int    IN_BEAT   = 1,
  parameter int    W         = 8,
  parameter int    F         = 4,
  parameter int    EXP_SHIFT = 0,
  parameter int    EXP_DEPTH = 16,
  parameter int    EXP_BITS  = 16,
  parameter        EXP_FILE  = ""
) (
  input  logic                 clk,
  input  logic                 rst,
  input  logic [IN_BEAT*W-1:0] in_data,
  input  logic                 in_valid,
  output logic                 in_ready,
  output logic [W-1:0]         out_data,
  output logic                 out_valid,
  input  logic                 out_ready
);
  localparam int IB   = N / IN_BEAT;
  localparam int IBW  = (IB > 1) ? $clog2(IB) : 1;
  localparam int NW   = (N > 1) ? $clog2(N) : 1;
  localparam int EAW  = (EXP_DEPTH > 1) ? $clog2(EXP_DEPTH) : 1;
  localparam int SW   = EXP_BITS + $clog2(N + 1);          // sum width
  localparam int NUMW = ((EXP_BITS + F > SW) ? EXP_BITS + F : SW) + 1;
  localparam logic [NUMW-1:0] OMAX = NUMW'((64'd1 << (W - 1)) - 1);

  typedef enum logic [1:0] {StLoad, StExp, StOut} state_e;

  /* verilator lint_off UNDRIVEN */  // (only with the default empty file name)
  logic [EXP_BITS-1:0] exp_mem [EXP_DEPTH];
  /* verilator lint_on UNDRIVEN */
  if (EXP_FILE != "") begin : g_exp_mem
    initial $readmemh(EXP_FILE, exp_mem);
  end

  state_e              state_q;
  logic [IBW-1:0]      in_cnt_q;
  logic [NW-1:0]       idx_q;
  logic [N*W-1:0]      y_q;
  logic [N*EXP_BITS-1:0] e_q;
  logic signed [W-1:0] max_q, beat_max, max_d;
  logic [SW-1:0]       sum_q;
  logic [W-1:0]        out_q;
  logic                out_valid_q;
  logic                in_fire, in_last, idx_last, out_load;

  assign in_ready  = (state_q == StLoad);
  assign in_fire   = in_valid && in_ready;
  assign in_last   = (in_cnt_q == IBW'(IB - 1));
  assign idx_last  = (idx_q == NW'(N - 1));
  assign out_valid = out_valid_q;
  assign out_data  = out_q;
  assign out_load  = (state_q == StOut) && (!out_valid_q || out_ready);

  // max over the beat, merged with the running max
  always_comb begin
    beat_max = $signed(in_data[W-1:0]);
    for (int e = 1; e < IN_BEAT; e++) begin
      if ($signed(in_data[e*W +: W]) > beat_max) beat_max = $signed(in_data[e*W +: W]);
    end
    max_d = (in_cnt_q == '0 || beat_max > max_q) ? beat_max : max_q;
  end

  // EXP step for element idx_q
  logic [W:0]          d;
  logic [EXP_BITS-1:0] e_cur;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [W:0]          j;
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    d = (W + 1)'(max_q) - (W + 1)'($signed(y_q[idx_q * W +: W]));
    j = d >> EXP_SHIFT;
    e_cur = ($signed(32'(j)) >= EXP_DEPTH - 1) ? exp_mem[EXP_DEPTH - 1] : exp_mem[j[EAW-1:0]];
  end

  // OUT step for element idx_q
  logic [NUMW-1:0] num, quo;
  always_comb begin
    num = (NUMW'(e_q[idx_q * EXP_BITS +: EXP_BITS]) << F) + (NUMW'(sum_q) >> 1);
    quo = (sum_q == '0) ? '0 : num / NUMW'(sum_q);
    if (quo > OMAX) quo = OMAX;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q     <= StLoad;
      in_cnt_q    <= '0;
      idx_q       <= '0;
      out_valid_q <= 1'b0;
    end else begin
      if (out_load)       out_valid_q <= 1'b1;
      else if (out_ready) out_valid_q <= 1'b0;
      unique case (state_q)
        StLoad: if (in_fire) begin
          in_cnt_q <= in_last ? '0 : in_cnt_q + 1'b1;
          if (in_last) state_q <= StExp;
        end
        StExp: begin
          idx_q <= idx_last ? '0 : idx_q + 1'b1;
          if (idx_last) state_q <= StOut;
        end
        StOut: if (out_load) begin
          idx_q <= idx_last ? '0 : idx_q + 1'b1;
          if (idx_last) state_q <= StLoad;
        end
        default: state_q <= StLoad;
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (in_fire) begin
      y_q[in_cnt_q * (IN_BEAT * W) +: IN_BEAT * W] <= in_data;
      max_q <= max_d;
    end
    if (in_fire && in_last) sum_q <= '0;
    else if (state_q == StExp) sum_q <= sum_q + SW'(e_cur);
    if (state_q == StExp) e_q[idx_q * EXP_BITS +: EXP_BITS] <= e_cur;
    if (out_load) out_q <= quo[W-1:0];
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
