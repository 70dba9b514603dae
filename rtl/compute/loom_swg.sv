// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_swg: sliding window generator (docs/CONTRACTS.md "Convolutional path").
//
// Input: one NHWC frame (H, W, C) in flat (h, w, c) order, IN_BEAT elements per beat:
// part of a pixel (IN_BEAT | C) or several whole pixels of a row (C | IN_BEAT | W*C).
// Output: for each output pixel (oh, ow) (row-major) the KH x KW x C window in (kh, kw, c)
// order, OUT_BEAT elements per beat; padded positions are PAD_VAL (default 0). OUT_BEAT
// divides the window, or is MW whole windows (MW = OUT_BEAT/(KH*KW*C) dividing OW: output
// pixels ow..ow+MW-1 of one row in one beat, for a unit taking MW vectors a step: MMV).
//   ih = oh*SH - PT + kh*DH, iw = ow*SW - PL + kw*DW.
//
// Micro-architecture (cycle model: hw_model/Actors.cpp, SwgModel - keep in sync):
//  * Line buffer: R = ROWS (default DH*(KH-1)+1 + SH) rows of W*C elements (register
//    array), circular over the global input row index (global row = f*H + h).
//    R >= DH*(KH-1)+1 is required (no deadlock). The default overlaps input and output
//    within a frame; a larger R (e.g. 2*(DH*(KH-1)+1), or 2H for global pooling) also
//    lets the next frame's first rows arrive while the last output row is emitted, which
//    removes the per-frame bubble when both sides are equally fast.
//  * Writer (registers wh_q, wrow_q, wslot_q; fdiff_q = writer frame - reader frame):
//    in_ready = (fdiff*H + wh - rlow < R), rlow = max(oh*SH - PT, 0) the first row the
//    reader still needs: a row slot is overwritten only once no output needs it.
//  * Reader (oh_q, ow_q, bw_q = beat in window, rbase_q = slot of the frame's row 0):
//    avail = fdiff > 0 || (fdiff == 0 && all input pixels up to (ih_max, iw_max) are
//    written), ih_max = min(oh*SH-PT+DH*(KH-1), H-1), iw_max likewise (element granular:
//    row ih_max written up to element (iw_max+1)*C).
//    issue (cycle t) = avail && (!out_valid_q || out_ready): the beat is gathered from the
//    buffer (zeros for padding) into out_q at edge t, out_valid in cycle t+1.
//    One output beat per cycle whenever the window data is present.
//  * Only registered state drives in_ready and out_valid (no comb ready -> valid path);
//    out_ready only enables the output register load.
// Clean pass: II and latency depend on the geometry; the exact values come from the
// cycle model (hw_model estimateCost(SwgConfig) runs it). Input bound steady state:
// H*W*C/IN_BEAT cycles per frame; output bound: OH*OW*KH*KW*C/OUT_BEAT plus a bubble at
// frame boundaries when the first output row of a frame needs more rows than fit.
// The buffer is addressed in chunks of U = gcd(C, IN_BEAT, OUT_BEAT) channels of a pixel
// (one element when U = 1): a write is IN_BEAT/U chunks, a read OUT_BEAT/U (below). It is
// meant for small and medium feature maps (distributed RAM, or a block RAM per read port;
// hw_model/Resources.cpp).
module loom_swg #(
  parameter int C        = 2,
  parameter int H        = 4,
  parameter int W        = 4,
  parameter int KH       = 3,
  parameter int KW       = 3,
  parameter int SH       = 1,
  parameter int SW       = 1,
  parameter int DH       = 1,
  parameter int DW       = 1,
  parameter int PT       = 1,
  parameter int PL       = 1,
  parameter int PB       = 1,
  parameter int PR       = 1,
  parameter int IN_BEAT  = 1,
  parameter int OUT_BEAT = 1,
  parameter int WB       = 8,
  parameter int PAD_VAL  = 0,  // value of padded positions (max pooling: -2^(WB-1))
  parameter int ROWS     = 0   // line buffer rows, >= DH*(KH-1)+1; 0 = DH*(KH-1)+1 + SH
) (
  input  logic                   clk,
  input  logic                   rst,
  input  logic [IN_BEAT*WB-1:0]  in_data,
  input  logic                   in_valid,
  output logic                   in_ready,
  output logic [OUT_BEAT*WB-1:0] out_data,
  output logic                   out_valid,
  input  logic                   out_ready
);
`ifdef SYNTHESIS
  localparam bit SIM = 1'b0;  // synthesis: the plain forms below
`elsif LOOM_PLAIN_RTL
  localparam bit SIM = 1'b0;  // loom sim --plain-rtl: simulate the synthesised forms
`else
  localparam bit SIM = 1'b1;  // simulation: the forms Verilator runs faster (same outputs)
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
  // The buffer holds chunks of U = gcd(C, IN_BEAT, OUT_BEAT) channels of one pixel, and
  // everything below counts chunks: CC a pixel, IB a write, OB a read. A beat's elements
  // are then OB whole chunks (every beat starts at a multiple of U channels), so the
  // buffer has OB read ports of U elements instead of OUT_BEAT ports of one: a 3x3
  // depthwise window over 32 channels, 48 a beat, reads 3 words of 16 channels where it
  // read 48 words, which synthesis could not build (48 copies of the buffer) and the
  // simulator gathered element by element. With U = 1 this is the element buffer.
  localparam int U  = gcd(gcd(C, IN_BEAT), OUT_BEAT);
  localparam int CC = C / U;
  localparam int IB = IN_BEAT / U;
  localparam int OB = OUT_BEAT / U;
  localparam int WC = WB * U;
  localparam int SPH   = DH * (KH - 1) + 1;
  localparam int SPW   = DW * (KW - 1) + 1;
  localparam int OH    = (H + PT + PB - SPH) / SH + 1;
  localparam int OW    = (W + PL + PR - SPW) / SW + 1;
  localparam int R     = (ROWS > 0) ? ROWS : SPH + SH;
  localparam int ROWE  = W * CC;
  localparam int KKC   = KH * KW * CC;
  localparam int MW    = (OB > KKC) ? OB / KKC : 1;  // windows per beat
  localparam int NB    = (OB > KKC) ? 1 : KKC / OB;  // beats per window
  localparam int DEPTH = R * ROWE;
  localparam int HW_   = $clog2(H + 1);
  localparam int RWW   = $clog2(ROWE + 1);
  localparam int SLW   = $clog2(R + 1);
  localparam int OHW   = $clog2(OH + 1);
  localparam int OWW   = $clog2(OW + 1);
  localparam int NBW   = $clog2(NB + 1);

  // ---------------------------------------------------------------- writer
  logic [HW_-1:0]     wh_q;
  logic [RWW-1:0]     wrow_q;
  logic [SLW-1:0]     wslot_q;
  logic signed [3:0]  fdiff_q;
  logic               in_fire, wrow_last, wh_last;

  // ---------------------------------------------------------------- reader
  logic [OHW-1:0]     oh_q;
  logic [OWW-1:0]     ow_q;
  logic [NBW-1:0]     bw_q;
  logic [SLW-1:0]     rbase_q;
  // Window position kept incrementally, so the gather divides nothing: with `% R`,
  // `/ KW` and `% C` per element Yosys built 32-bit dividers (a 3x3 window over an 8x8
  // map was 59k LUTs in synth_xilinx). slot0_q = (rbase + oh*SH - PT) mod R, the slot
  // of the window's first row; kh0_q/kw0_q/c0_q = (kh, kw, c) of the beat's first
  // window element bw*OUT_BEAT (used when a window takes several beats, NB > 1).
  localparam int KHW = $clog2(KH + 1), KWW = $clog2(KW + 1), CW = $clog2(CC + 1);
  localparam int HR  = H % R, SHR = SH % R, S0 = (R - PT % R) % R;
  localparam int BC  = OB % CC, BKW = (OB / CC) % KW, BKH = OB / (KW * CC);
  logic [SLW-1:0]     slot0_q;
  logic [KHW-1:0]     kh0_q;
  logic [KWW-1:0]     kw0_q;
  logic [CW-1:0]      c0_q;
  logic               bw_last, ow_last, oh_last, issue, avail;
  logic [OB*WC-1:0] out_q;  // the output beat (synthesis: the read ports' registers)
  logic                   out_valid_q;

  // x * k for a constant k: shifts and adds in synthesis, where a $mul, even by a
  // constant, becomes a DSP48 (synth_xilinx); the window generator needs none.
  function automatic int mulk(int x, int k);
    int r;
    if (SIM) begin
      r = x * k;
    end else begin
      r = 0;
      for (int b = 0; b < 31; b++)
        if (k[b]) r = r + (x <<< b);
    end
    mulk = r;  // (Yosys 0.23 has no return statement)
  endfunction

  int rlow, ihmax, iwmax, wdist, fd;

  always_comb begin
    fd    = 32'(fdiff_q);
    rlow  = mulk(32'(oh_q), SH) - PT;
    if (rlow < 0) rlow = 0;
    ihmax = mulk(32'(oh_q), SH) - PT + SPH - 1;
    if (ihmax > H - 1) ihmax = H - 1;
    iwmax = mulk(32'(ow_q) + MW - 1, SW) - PL + SPW - 1;  // the beat's last window
    if (iwmax > W - 1) iwmax = W - 1;
    wdist  = mulk(fd, H) + 32'(wh_q) - rlow;
    avail = (fd > 0) ||
            ((fd == 0) && ((32'(wh_q) > ihmax) ||
                           ((32'(wh_q) == ihmax) && (32'(wrow_q) >= mulk(iwmax + 1, CC)))));
  end

  assign in_ready  = (wdist < R);
  assign in_fire   = in_valid && in_ready;
  assign wrow_last = (wrow_q == RWW'(ROWE - IB));
  assign wh_last   = (wh_q == HW_'(H - 1));

  assign out_valid = out_valid_q;
  assign out_data  = out_q;
  assign issue     = avail && (!out_valid_q || out_ready);
  assign bw_last   = (bw_q == NBW'(NB - 1));
  assign ow_last   = (ow_q == OWW'(OW - MW));
  assign oh_last   = (oh_q == OHW'(OH - 1));

  // Next window positions: each a constant add and at most one subtraction of the
  // modulus (every operand is below it).
  logic [SLW-1:0] rbase_next, slot0_frame, slot0_row;
  logic [KHW-1:0] kh0_next;
  logic [KWW-1:0] kw0_next;
  logic [CW-1:0]  c0_next;
  always_comb begin
    int t, c, kw;
    t          = 32'(rbase_q) + HR;
    t          = (t >= R) ? t - R : t;
    rbase_next = SLW'(t);
    t          = t + S0;
    slot0_frame = SLW'((t >= R) ? t - R : t);
    t          = 32'(slot0_q) + SHR;
    slot0_row  = SLW'((t >= R) ? t - R : t);
    c          = 32'(c0_q) + BC;
    kw         = 32'(kw0_q) + BKW + ((c >= CC) ? 1 : 0);
    c0_next    = CW'((c >= CC) ? c - CC : c);
    kh0_next   = KHW'(32'(kh0_q) + BKH + ((kw >= KW) ? 1 : 0));
    kw0_next   = KWW'((kw >= KW) ? kw - KW : kw);
  end

  logic wdone, rdone;
  assign wdone = in_fire && wrow_last && wh_last;
  assign rdone = issue && bw_last && ow_last && oh_last;

  always_ff @(posedge clk) begin
    if (rst) begin
      wh_q        <= '0;
      wrow_q      <= '0;
      wslot_q     <= '0;
      fdiff_q     <= '0;
      oh_q        <= '0;
      ow_q        <= '0;
      bw_q        <= '0;
      rbase_q     <= '0;
      slot0_q     <= SLW'(S0);
      kh0_q       <= '0;
      kw0_q       <= '0;
      c0_q        <= '0;
      out_valid_q <= 1'b0;
    end else begin
      if (in_fire) begin
        if (wrow_last) begin
          wrow_q  <= '0;
          wslot_q <= (wslot_q == SLW'(R - 1)) ? '0 : wslot_q + 1'b1;
          wh_q    <= wh_last ? '0 : wh_q + 1'b1;
        end else begin
          wrow_q <= wrow_q + RWW'(IB);
        end
      end
      if (wdone && !rdone)      fdiff_q <= fdiff_q + 4'sd1;
      else if (!wdone && rdone) fdiff_q <= fdiff_q - 4'sd1;
      if (issue) begin
        out_valid_q <= 1'b1;
        bw_q <= bw_last ? '0 : bw_q + 1'b1;
        if (bw_last) begin
          kh0_q <= '0;
          kw0_q <= '0;
          c0_q  <= '0;
          ow_q <= ow_last ? '0 : ow_q + OWW'(MW);
          if (ow_last) begin
            oh_q <= oh_last ? '0 : oh_q + 1'b1;
            if (oh_last) begin
              rbase_q <= rbase_next;
              slot0_q <= slot0_frame;
            end else begin
              slot0_q <= slot0_row;
            end
          end
        end else begin
          kh0_q <= kh0_next;
          kw0_q <= kw0_next;
          c0_q  <= c0_next;
        end
      end else if (out_ready) begin
        out_valid_q <= 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------- storage
  // Simulation keeps one chunk array (mem). Synthesis splits it into NBK banks by the low
  // address bits, so that each bank has one write port and maps to LUT RAM or block RAM
  // (a memory written by several ports becomes flip-flops): a beat's IB chunks start at a
  // multiple of IB (IB divides a row), so chunk e of a beat goes to bank e. Only for IB a
  // power of two (the bank of an address is then its low bits; otherwise NBK = 1).
  localparam int LGB    = $clog2(IB);
  localparam int NBK    = (SIM || IB != (1 << LGB)) ? 1 : IB;
  localparam int LGK    = (NBK > 1) ? LGB : 0;
  localparam int BDEPTH = DEPTH / NBK;
  // Read ports one memory takes in synthesis; beyond, each port reads its own copy.
  localparam int MAX_SHARED_PORTS = 16;
  int waddr;
  assign waddr = mulk(32'(wslot_q), ROWE) + 32'(wrow_q);

  // ---------------------------------------------------------------- gather
  // Read port e of a beat reads chunk e: window chunk bw*OB + e (or chunk e % KKC of
  // window e / KKC, MW > 1). Its (kh, kw, c) is the beat's first chunk's plus e's constant
  // digits, with at most one carry per digit; its row slot is slot0 + kh*DH, less R once.
  // The index terms are function-local scalars (the simulator keeps them in C++ locals).
  // (No function calls in here: Yosys 0.23 takes a call inside a function for a constant
  // expression; the row and column bases come from ihb / iwb, and the products by ROWE
  // and CC are shifts and adds over the constant's bits in synthesis.)
  localparam logic [WB-1:0] PADE = WB'(PAD_VAL);
  // a chunk of padding (a function: lint takes no parameter in a replication)
  function automatic logic [WC-1:0] pad_chunk();
    logic [WC-1:0] p;
    for (int i = 0; i < U; i++) p[i*WB +: WB] = PADE;
    pad_chunk = p;  // (Yosys 0.23 has no return statement)
  endfunction
  localparam logic [WC-1:0] PADW = pad_chunk();
  int ihb, iwb;
  assign ihb = mulk(32'(oh_q), SH) - PT;
  assign iwb = mulk(32'(ow_q), SW) - PL;
  // the buffer address of read port e, or -1 for a padded position
  function automatic int chunk_addr(input int e);
    int m, ep, c, kw, kh, ih, iw, slot, addr;
    m  = (MW > 1) ? e / KKC : 0;  // constants: e is constant where this is called
    ep = e - m * KKC;
    c  = ((NB > 1) ? 32'(c0_q) : 0) + ep % CC;
    kw = ((NB > 1) ? 32'(kw0_q) : 0) + (ep / CC) % KW + ((c >= CC) ? 1 : 0);
    kh = ((NB > 1) ? 32'(kh0_q) : 0) + ep / (KW * CC) + ((kw >= KW) ? 1 : 0);
    if (c >= CC) c = c - CC;
    if (kw >= KW) kw = kw - KW;
    ih   = ihb + kh * DH;
    iw   = iwb + m * SW + kw * DW;
    slot = 32'(slot0_q) + kh * DH;
    if (slot >= R) slot = slot - R;
    if (SIM) begin
      addr = slot * ROWE + iw * CC + c;
    end else begin
      addr = c;
      for (int b = 0; b < 31; b++) begin
        if (ROWE[b]) addr = addr + (slot <<< b);
        if (CC[b]) addr = addr + (iw <<< b);
      end
    end
    if (!(ih >= 0 && ih < H && iw >= 0 && iw < W)) addr = -1;
    chunk_addr = addr;  // (Yosys 0.23 has no return statement)
  endfunction

  if (SIM) begin : g_sim
    // Simulation: the beat is gathered at the clock edge, only when it is issued. A
    // combinational gather is evaluated whenever the line buffer or a counter changes
    // (nearly every cycle), and gating it on issue would put it behind the out_ready
    // chain, which the simulator evaluates again whenever the top's inputs change.
    logic [WC-1:0] mem [DEPTH];
    // one write port per chunk of a beat (a generate loop: Verilator cannot unroll
    // delayed array assignments in procedural loops over more than 64 elements)
    for (genvar e = 0; e < IB; e++) begin : g_wr
      always_ff @(posedge clk) begin
        if (in_fire) mem[waddr + e] <= in_data[e*WC +: WC];
      end
    end
    always_ff @(posedge clk) begin
      if (issue) begin
        for (int e = 0; e < OB; e++) begin
          int a;
          a = chunk_addr(e);
          out_q[e*WC +: WC] <= (a < 0) ? PADW : mem[a];
        end
      end
    end
  end else begin : g_synth
    int            pa [OB];  // each read port's address (-1: padding)
    logic [WC-1:0] rd [NBK][OB];
    always_comb for (int e = 0; e < OB; e++) pa[e] = chunk_addr(e);
    for (genvar b = 0; b < NBK; b++) begin : g_bank
      if (OB <= MAX_SHARED_PORTS) begin : g_shared
        logic [WC-1:0] bmem [BDEPTH];
        for (genvar e = b; e < IB; e += NBK) begin : g_wr
          always_ff @(posedge clk) begin
            if (in_fire) bmem[(waddr + e) >>> LGK] <= in_data[e*WC +: WC];
          end
        end
        for (genvar e = 0; e < OB; e++) begin : g_rd
          assign rd[b][e] = bmem[pa[e] >>> LGK];
        end
      end else begin : g_copies
        // A copy of the bank per read port, written alike. memory_libmap would make
        // the copies itself, but its search over many ports exhausts memory (MNIST's
        // 5x5 x 8-channel window a beat, 100 ports: 24 GB in Yosys 0.23).
        for (genvar e = 0; e < OB; e++) begin : g_cp
          logic [WC-1:0] cmem [BDEPTH];
          for (genvar w = b; w < IB; w += NBK) begin : g_wr
            always_ff @(posedge clk) begin
              if (in_fire) cmem[(waddr + w) >>> LGK] <= in_data[w*WC +: WC];
            end
          end
          assign rd[b][e] = cmem[pa[e] >>> LGK];
        end
      end
    end
    // One register per read port, loaded from the port itself (padding is its
    // synchronous reset). With one bank, Yosys folds it into a block RAM's read port;
    // the former single out_q register behind a gather of all ports left the reads
    // asynchronous, which only LUT RAM serves (KWS's depthwise window at 256
    // multipliers, 480 x 26 bits, 6 ports: 4,212 LUTs; now 811 LUTs and 6 RAMB18).
    // With several banks the bank select stays before the register (LUT RAM).
    logic [WC-1:0] rq [OB];
    for (genvar e = 0; e < OB; e++) begin : g_rq
      always_ff @(posedge clk) begin
        if (issue) rq[e] <= (pa[e] < 0) ? PADW : rd[(NBK > 1) ? pa[e] & (NBK - 1) : 0][e];
      end
    end
    always_comb begin
      for (int e = 0; e < OB; e++)
        out_q[e*WC +: WC] = rq[e];
    end
  end

  // ---------------------------------------------------------------- stream protocol
`ifndef SYNTHESIS
  loom_stream_check #(.W($bits(in_data))) u_in_chk (
    .clk, .rst, .data(in_data), .valid(in_valid), .ready(in_ready));
  loom_stream_check #(.W($bits(out_data))) u_out_chk (
    .clk, .rst, .data(out_data), .valid(out_valid), .ready(out_ready));
`endif
endmodule
