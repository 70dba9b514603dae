// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_softmax_pipe: integer softmax over N elements (docs/CONTRACTS.md "Softmax"),
// the same numerics as loom_softmax, as a three-stage frame pipeline whose throughput
// is its input width and its number of dividers: II = max(IB, OB) cycles per frame,
// IB = N / IN_BEAT, OB = N / OUT_BEAT; output beats of OUT_BEAT elements (one divider each).
//
//   m = max y; d_i = m - y_i; e_i = EXP[min(d_i >>> EXP_SHIFT, EXP_DEPTH-1)];
//   S = sum e_i;  out_i = saturate_W(floor((e_i * 2^F + floor(S/2)) / S)).
//
// Each stage needs a whole-frame result of the one before (A: m, B: S), so the frames
// between stages sit in double-buffered banks: A fills one y bank while B reads the
// other, B fills one e bank while C drains the other. Every stage spends IB cycles
// per frame (C: OB), so the pipeline accepts a frame every max(IB, OB) cycles (every cycle
// at IN_BEAT = OUT_BEAT = N). OUT_BEAT < IN_BEAT saves dividers where the softmax does not
// set the II (the folding chooses it).
//  A (load): in_ready = !y_full_q[y_wr_q]. IB beats into y bank y_wr_q, the running max
//            per beat; the last beat stores m with the bank and marks it full.
//  B (exp):  runs while y bank y_rd_q is full and e bank e_wr_q is free (both stay so
//            for the frame's IB cycles): IN_BEAT exps per cycle from IN_BEAT reads of
//            the EXP ROM, their sum accumulated; the last beat stores S with the e bank,
//            marks it full and frees the y bank.
//  C (out):  while e bank e_rd_q is full, one beat of OUT_BEAT quotients (OUT_BEAT
//            replicated combinational dividers, exactly loom_softmax's) per cycle into
//            the output register whenever it is empty or being drained (out_valid is
//            that register: no comb path ready -> valid); the last beat frees the bank.
// A stage that sets a bank's flag and one that clears a flag in the same cycle always
// work on different banks (set: the flag was clear; clear: it was set).
// Cycle model: hw_model/Actors.cpp, SoftmaxPipeModel (keep in sync).
// Clean pass: II = max(IB, OB) cycles/frame, latency = 2*IB + OB + 1 cycles (A: IB,
// B: IB, C: OB, the output register: 1).
// Cost against loom_softmax: two y banks (2*N*W bits) and two e banks (2*N*EXP_BITS)
// instead of one of each, IN_BEAT EXP read ports and OUT_BEAT dividers instead of one.
module loom_softmax_pipe #(
  parameter int    N         = 4,
  parameter int    IN_BEAT   = 1,
  parameter int    OUT_BEAT  = IN_BEAT,
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
  output logic [OUT_BEAT*W-1:0] out_data,
  output logic                 out_valid,
  input  logic                 out_ready
);
  localparam int IB   = N / IN_BEAT;
  localparam int IBW  = (IB > 1) ? $clog2(IB) : 1;
  localparam int OB   = N / OUT_BEAT;
  localparam int OBW  = (OB > 1) ? $clog2(OB) : 1;
  localparam int EAW  = (EXP_DEPTH > 1) ? $clog2(EXP_DEPTH) : 1;
  localparam int SW   = EXP_BITS + $clog2(N + 1);          // sum width
  localparam int NUMW = ((EXP_BITS + F > SW) ? EXP_BITS + F : SW) + 1;
  localparam int YB   = IN_BEAT * W;                        // bits of a y beat
  localparam int EB   = IN_BEAT * EXP_BITS;                 // bits of an e beat (B)
  localparam int CB   = OUT_BEAT * EXP_BITS;                // bits of an e slice (C)
  localparam int OUTB = OUT_BEAT * W;                       // bits of an output beat
  localparam logic [NUMW-1:0] OMAX = NUMW'((64'd1 << (W - 1)) - 1);

  /* verilator lint_off UNDRIVEN */  // (only with the default empty file name)
  logic [EXP_BITS-1:0] exp_mem [EXP_DEPTH];
  /* verilator lint_on UNDRIVEN */
  if (EXP_FILE != "") begin : g_exp_mem
    initial $readmemh(EXP_FILE, exp_mem);
  end

  // ---------------------------------------------------------------- A: load, max
  logic [N*W-1:0]      y_q [2];
  logic signed [W-1:0] m_q [2];        // m of each y bank
  logic [1:0]          y_full_q;
  logic                y_wr_q, y_rd_q;
  logic [IBW-1:0]      a_cnt_q;
  logic signed [W-1:0] run_max_q, beat_max, max_d;
  logic                in_fire, a_last;

  assign in_ready = !y_full_q[y_wr_q];
  assign in_fire  = in_valid && in_ready;
  assign a_last   = (a_cnt_q == IBW'(IB - 1));

  // max over the beat, merged with the running max (as loom_softmax)
  always_comb begin
    beat_max = $signed(in_data[W-1:0]);
    for (int e = 1; e < IN_BEAT; e++) begin
      if ($signed(in_data[e*W +: W]) > beat_max) beat_max = $signed(in_data[e*W +: W]);
    end
    max_d = (a_cnt_q == '0 || beat_max > run_max_q) ? beat_max : run_max_q;
  end

  // ---------------------------------------------------------------- B: exp, sum
  logic [N*EXP_BITS-1:0] e_q [2];
  logic [SW-1:0]         s_q [2];      // S of each e bank
  logic [1:0]            e_full_q;
  logic                  e_wr_q, e_rd_q;
  logic [IBW-1:0]        b_cnt_q;
  logic [SW-1:0]         b_sum_q, b_sum_d;
  logic                  b_go, b_last;
  logic [YB-1:0]         b_y;
  logic [EB-1:0]         b_e;

  assign b_go   = y_full_q[y_rd_q] && !e_full_q[e_wr_q];
  assign b_last = (b_cnt_q == IBW'(IB - 1));
  assign b_y    = y_q[y_rd_q][b_cnt_q * YB +: YB];

  /* verilator lint_off UNUSEDSIGNAL */
  logic [W:0] b_d [IN_BEAT];
  logic [W:0] b_j [IN_BEAT];
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    b_sum_d = (b_cnt_q == '0) ? '0 : b_sum_q;
    for (int l = 0; l < IN_BEAT; l++) begin
      b_d[l] = (W + 1)'(m_q[y_rd_q]) - (W + 1)'($signed(b_y[l*W +: W]));
      b_j[l] = b_d[l] >> EXP_SHIFT;
      b_e[l*EXP_BITS +: EXP_BITS] = ($signed(32'(b_j[l])) >= EXP_DEPTH - 1)
                                    ? exp_mem[EXP_DEPTH - 1] : exp_mem[b_j[l][EAW-1:0]];
      b_sum_d = b_sum_d + SW'(b_e[l*EXP_BITS +: EXP_BITS]);
    end
  end

  // ---------------------------------------------------------------- C: divide, out
  logic [OBW-1:0]      c_cnt_q;
  logic [OUTB-1:0]     out_q, c_q;
  logic                out_valid_q, c_go, c_last;
  logic [CB-1:0]       c_e;
  logic [SW-1:0]       c_s;

  assign c_go   = e_full_q[e_rd_q] && (!out_valid_q || out_ready);
  assign c_last = (c_cnt_q == OBW'(OB - 1));
  assign c_e    = e_q[e_rd_q][c_cnt_q * CB +: CB];
  assign c_s    = s_q[e_rd_q];

  logic [NUMW-1:0] c_num [OUT_BEAT];
  logic [NUMW-1:0] c_quo [OUT_BEAT];
  always_comb begin
    for (int l = 0; l < OUT_BEAT; l++) begin
      c_num[l] = (NUMW'(c_e[l*EXP_BITS +: EXP_BITS]) << F) + (NUMW'(c_s) >> 1);
      c_quo[l] = (c_s == '0) ? '0 : c_num[l] / NUMW'(c_s);
      if (c_quo[l] > OMAX) c_quo[l] = OMAX;
      c_q[l*W +: W] = c_quo[l][W-1:0];
    end
  end

  assign out_valid = out_valid_q;
  assign out_data  = out_q;

  // ---------------------------------------------------------------- control
  always_ff @(posedge clk) begin
    if (rst) begin
      y_full_q    <= '0;
      e_full_q    <= '0;
      y_wr_q      <= 1'b0;
      y_rd_q      <= 1'b0;
      e_wr_q      <= 1'b0;
      e_rd_q      <= 1'b0;
      a_cnt_q     <= '0;
      b_cnt_q     <= '0;
      c_cnt_q     <= '0;
      out_valid_q <= 1'b0;
    end else begin
      if (in_fire) begin
        a_cnt_q <= a_last ? '0 : a_cnt_q + 1'b1;
        if (a_last) begin
          y_full_q[y_wr_q] <= 1'b1;
          y_wr_q           <= !y_wr_q;
        end
      end
      if (b_go) begin
        b_cnt_q <= b_last ? '0 : b_cnt_q + 1'b1;
        if (b_last) begin
          y_full_q[y_rd_q] <= 1'b0;
          y_rd_q           <= !y_rd_q;
          e_full_q[e_wr_q] <= 1'b1;
          e_wr_q           <= !e_wr_q;
        end
      end
      if (c_go) begin
        c_cnt_q <= c_last ? '0 : c_cnt_q + 1'b1;
        if (c_last) begin
          e_full_q[e_rd_q] <= 1'b0;
          e_rd_q           <= !e_rd_q;
        end
      end
      if (c_go)           out_valid_q <= 1'b1;
      else if (out_ready) out_valid_q <= 1'b0;
    end
  end

  // ---------------------------------------------------------------- data
  always_ff @(posedge clk) begin
    if (in_fire) begin
      y_q[y_wr_q][a_cnt_q * YB +: YB] <= in_data;
      run_max_q <= max_d;
      if (a_last) m_q[y_wr_q] <= max_d;
    end
    if (b_go) begin
      e_q[e_wr_q][b_cnt_q * EB +: EB] <= b_e;
      b_sum_q <= b_sum_d;
      if (b_last) s_q[e_wr_q] <= b_sum_d;
    end
    if (c_go) out_q <= c_q;
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
