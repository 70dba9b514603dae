// hw_model/Resources: the synth_xilinx estimates, each expected value worked
// out by hand from the rules in hw_model/README.md ("Resource model"), not by
// calling the model's helpers.
#include "hw_model/Resources.h"

#include <gtest/gtest.h>

using namespace loom::hw;

// ROMs: soft logic costs depth*width/64 units, a RAMB18 129 and a RAMB36 257;
// the cheaper wins (the mapping Yosys 0.23 memory_libmap chose for random
// contents at these sizes).
TEST(HwModelResources, RomLogicOrBlockRam) {
  // 512 x 16: 128 units of logic < one RAMB18 (129): 8 LUT6 per bit + 1 mux LUT.
  Resources a = romResources(512, 16);
  EXPECT_EQ(a.luts, 16 * 9);
  EXPECT_EQ(a.brams, 0);
  // 1024 x 16: 256 units > one RAMB18 (1024 x 18): half a RAMB36.
  Resources b = romResources(1024, 16);
  EXPECT_EQ(b.luts, 0);
  EXPECT_DOUBLE_EQ(b.brams, 0.5);
  // 512 x 64: 512 units > one RAMB36 in its 512 x 72 shape (257).
  EXPECT_DOUBLE_EQ(romResources(512, 64).brams, 1.0);
  // 8 words: a bit column is one of 2^8 functions of the address, built once.
  EXPECT_EQ(romResources(8, 1000).luts, 256);
  EXPECT_EQ(romResources(8, 100).luts, 100);
  // One word is a constant: nothing.
  Resources c = romResources(1, 100);
  EXPECT_EQ(c.luts + c.ffs + c.dsps, 0);
}

// loom_mvu K 8, N 4, SIMD 2, PE 2, IN_BEAT 2, 8-bit operands, W_ACC 20, relu:
//  weights 8 words x 32 bits: 32 LUTs; biases 2 words x 40 bits: 4 columns: 4 LUTs;
//  4 DSP48s (8 x 8); input bank: 4 beats, one RAM32M copy per beat word
//  (ceil(16/6) = 3 RAM32M = 12 LUTs each): 48; operand select rd_flat[sf*16 +: 16],
//  sf < 4: stages of 32 and 16 over 64 bank bits; from the output back, the 32-stage
//  muxes 16 bits (sources 32..47), the 16-stage the 32 bits 0..15 and 32..47: 48 muxes,
//  0.87 LUT each (XW a power of two) + control 14.5 = 56.
//  Registers: the weight ROM has 8 lines (logic: its register is the DSPs' B register),
//  control 33.
//  Requant (wa = 20): 2.607 * 2 * (20 + 8) = 145 LUTs, 0.98 * 2 * (20 + 8) = 54 FFs.
//  Output FIFO 16 bits x 8: 3 RAM32M = 12 LUTs + pointers 2 * (3 + 4) + 8 = 22 LUTs,
//  3 + 3 + 4 + 3 = 13 FFs.
TEST(HwModelResources, SmallMvuByHand) {
  MvuConfig c;
  c.K = 8, c.N = 4, c.SIMD = 2, c.PE = 2, c.IN_BEAT = 2;
  c.W_IN = 8, c.W_W = 8, c.W_ACC = 20, c.W_OUT = 8, c.ACT = ActCode::Relu;
  Resources r = estimateResources(c);
  EXPECT_EQ(r.dsps, 4);
  EXPECT_EQ(r.luts, 32 + 4 + 48 + 56 + 145 + 12 + 22);
  EXPECT_EQ(r.ffs, 33 + 54 + 13);
  EXPECT_EQ(r.brams, 0);
  // +-1 weights: no DSP, an add/subtract of W_IN + 2 bits per lane instead.
  MvuConfig b = c;
  b.BIPOLAR_W = 1, b.W_W = 1;
  Resources rb = estimateResources(b);
  EXPECT_EQ(rb.dsps, 0);
  EXPECT_GT(rb.luts, r.luts - 32 - 48); // the ROM shrinks, the lanes cost logic
  // Narrow products stay in logic: synth_xilinx puts a product on a DSP48 from 9 bits
  // (4 x 5 bits: 4 DSPs; 4 x 4: none, 4 * 4 * 4 + 4 = 68 LUTs a lane instead of the
  // DSP's share; checked with Yosys 0.23 on loom_mvu, docs/folding.md).
  MvuConfig w45 = c, w44 = c;
  w45.W_IN = 4, w45.W_W = 5, w44.W_IN = 4, w44.W_W = 4;
  EXPECT_EQ(estimateResources(w45).dsps, 4);
  Resources r44 = estimateResources(w44);
  EXPECT_EQ(r44.dsps, 0);
  EXPECT_GE(r44.luts, estimateResources(w45).luts + 4 * 68 - 32); // the ROM narrows by 4 x 2 bits
}

// The operand select by hand: 64 bits, xw 16, sf < 4 (48, as in SmallMvuByHand); xw 3,
// sf < 3 over 9 bits: shifts 0, 3, 6 in stages 1, 2, 4: from the output back, the 4-stage
// muxes bits 0..2 (sources 4..6: 3), the 2-stage bits 0..2 and 4..6 (sources 2..4 and
// 6..8: 6), the 1-stage bits 0..8 but 8 (sources 1..8: 8): 17. And MNIST's last layer at
// its default folding (K 256 x 13 bits, SIMD 4: 64 slices of 52 bits), whose synth_xilinx
// (10,533 LUTs for the whole unit, 10,088 for the select alone) the estimate must be
// within 20% of; bits x stages (33,280) put the unit at twice that.
TEST(HwModelResources, OperandSelect) {
  EXPECT_EQ(selectMuxes(64, 16, 4), 48);
  EXPECT_EQ(selectMuxes(9, 3, 3), 17);
  EXPECT_EQ(selectMuxes(64, 16, 1), 0);
  MvuConfig c;
  c.K = 256, c.N = 10, c.SIMD = 4, c.PE = 1, c.IN_BEAT = 4;
  c.W_IN = 13, c.W_W = 13, c.W_ACC = 29, c.W_OUT = 13, c.ACT = ActCode::None;
  const int64_t luts = estimateResources(c).luts;
  EXPECT_GT(luts, 10533 * 8 / 10);
  EXPECT_LT(luts, 10533 * 12 / 10);
}

// The jet tagger's softmax (N 5, W 13, EXP 1024 x 16, F 6): divider 23 bits
// (3.5 * 23^2 = 1851), EXP table 16 bits x (16 + 3) LUTs = 304, the stores
// 2.25 * 5 * 29 = 326: 2481 LUTs (synth_xilinx: 2482); registers 5 * 13 + 5 * 16
// + 19 + 26 + 16 = 206 (synth_xilinx: 200).
TEST(HwModelResources, JetSoftmax) {
  SoftmaxConfig s;
  s.N = 5, s.IN_BEAT = 1, s.W = 13, s.EXP_DEPTH = 1024, s.EXP_BITS = 16, s.F = 6;
  Resources r = estimateResources(s);
  EXPECT_EQ(r.luts, 2481);
  EXPECT_EQ(r.ffs, 206);
  EXPECT_EQ(r.dsps, 0);
}

// loom_softmax_pipe: the banks double the stores; each output lane its own divider,
// each input lane its own EXP read port (5 lanes: 5 * (1851 + 304) + 4.5 * 145 + 14 * 13 * 4 + 5 *
// 19).
TEST(HwModelResources, JetSoftmaxPipe) {
  SoftmaxConfig s;
  s.N = 5, s.IN_BEAT = 5, s.W = 13, s.EXP_DEPTH = 1024, s.EXP_BITS = 16, s.F = 6;
  s.PIPELINED = 1, s.OUT_BEAT = 5;
  Resources r = estimateResources(s);
  EXPECT_EQ(r.luts, 5 * (1851 + 304) + 652 + 728 + 95);
  EXPECT_EQ(r.ffs, 2 * 5 * 29 + 3 * 19 + 8 * 13 + 24);
  s.IN_BEAT = 1, s.OUT_BEAT = 1;
  Resources one = estimateResources(s);
  EXPECT_EQ(one.luts, 1851 + 304 + 652 + 19);
  EXPECT_EQ(r.dsps, 0);
}

TEST(HwModelResources, Limits) {
  const Device *z = findDevice("xc7z010");
  ASSERT_NE(z, nullptr);
  Resources cap = capacityOf(*z);
  EXPECT_EQ(cap.luts, 17600);
  EXPECT_EQ(cap.dsps, 80);
  Resources r;
  r.luts = 17600, r.dsps = 80;
  std::string what;
  EXPECT_TRUE(fitsLimits(r, cap, &what));
  r.dsps = 81;
  EXPECT_FALSE(fitsLimits(r, cap, &what));
  EXPECT_EQ(what, "DSPs");
  Resources none; // zero limits are no limits
  EXPECT_TRUE(fitsLimits(r, none));
}

// loom_swg, KWS's windows (WB 13; synth_xilinx of each alone, 2026-12-07, in
// brackets). memory_libmap costs: RAM32M / RAM64M 7 in quad-port mode (3 read
// ports), RAMB18 129 a read port.
TEST(HwModelResources, SwgMemoryChoice) {
  SwgConfig s; // depthwise window at 256 multipliers: C 32, 25 x 5, 3 x 3, pad 1
  s.C = 32, s.H = 25, s.W = 5, s.KH = s.KW = 3, s.PT = s.PL = s.PB = s.PR = 1;
  s.IN_BEAT = 2, s.OUT_BEAT = 12, s.WB = 13, s.ROWS = 6;
  // U = 2: 480 words of 26 bits, 6 read ports, one bank. LUT RAM: 2 groups x
  // 8 x 26 = 416 RAM64M (cost 2,912) > 6 RAMB18 (774): 3 RAMB36 [6 RAMB18].
  // Window of 24 beats: 170 + 100 * 6 = 770 LUTs [811]; FFs 48 [48].
  Resources a = estimateResources(s);
  EXPECT_DOUBLE_EQ(a.brams, 3.0);
  EXPECT_EQ(a.luts, 770);
  EXPECT_EQ(a.ffs, 48);
  // At the default folding: IN_BEAT 32, OUT_BEAT 48: U 16, 2 banks of 15 words of
  // 208 bits, 3 read ports each: 2 x 104 RAM32M = 832 LUTs [208 RAM32M], the bank
  // select 3.0 x 3 x 208 = 1,872, addressing 170 + 300: 3,174 LUTs [3,180];
  // FFs 48 x 13 + 48 = 672 [664].
  s.IN_BEAT = 32, s.OUT_BEAT = 48;
  Resources b = estimateResources(s);
  EXPECT_DOUBLE_EQ(b.brams, 0.0);
  EXPECT_EQ(b.luts, 3174);
  EXPECT_EQ(b.ffs, 672);
  // conv2d_small's window: C 1, 8 x 8, 3 x 3, OUT_BEAT 9 (one window a beat):
  // 32 words, 3 groups x 7 RAM32M = 84 LUTs (cost 147 < 9 x 129); 64 + 40 x 9:
  // 508 LUTs [502].
  SwgConfig t;
  t.C = 1, t.H = t.W = 8, t.KH = t.KW = 3, t.PT = t.PL = t.PB = t.PR = 1;
  t.OUT_BEAT = 9, t.WB = 13, t.ROWS = 4;
  EXPECT_EQ(estimateResources(t).luts, 508);
  EXPECT_DOUBLE_EQ(estimateResources(t).brams, 0.0);
  // MNIST's second window: C 8, 14 x 14, 5 x 5, pad 2, IN_BEAT 2, OUT_BEAT 200 (a
  // window a beat): U 2, 100 ports, past 16 a copy per port of 560 x 26 bits: LUT
  // RAM 9 x 9 RAM64M (SDP, 8 each: 648) > a RAMB36 in its 1024 x 36 shape (257; two
  // RAMB18 of 512 x 36 cost 258): 100 RAMB36 [100]; 64 + 40 x 16 + 25 x 84 = 2,804
  // LUTs [2,878].
  SwgConfig m;
  m.C = 8, m.H = m.W = 14, m.KH = m.KW = 5, m.PT = m.PL = m.PB = m.PR = 2;
  m.IN_BEAT = 2, m.OUT_BEAT = 200, m.WB = 13, m.ROWS = 10;
  EXPECT_DOUBLE_EQ(estimateResources(m).brams, 100.0);
  EXPECT_EQ(estimateResources(m).luts, 2804);
}

// loom_pool's average (KWS's global pool: C 32, KK 120, IN_BEAT 8, PE 8, WB 13:
// SW 20, QW 22; synth_xilinx in brackets). Accumulators: 8 x 20 x 2 + 2 x 32 x 20
// + 32 = 1,632 LUTs. DIV 120: the reciprocal, 8 x int(4.5 x 22) = 792: 2,424
// LUTs [2,396], 8 x (2 + 1) DSP48 [24]. DIV 128: a shift, 8 x 22: 1,808 [1,637],
// no DSP. IN_BEAT = PE = 2: 80 + 1,280 + 32 + 2 x 99 = 1,590 [1,559]. ROM divisors
// (KK 9, D_BITS 4: SW 17, QW 19): 8 x int(2.7 x 361) + 8 x 17 x 2 + 2 x 32 x 17
// + 32 = 9,184 LUTs [9,766], 8 x 1 DSP48 for q x d [8].
TEST(HwModelResources, PoolDivision) {
  PoolConfig p;
  p.MODE = 1, p.C = 32, p.KK = 120, p.IN_BEAT = 8, p.PE = 8, p.WB = 13, p.DIV = 120;
  Resources a = estimateResources(p);
  EXPECT_EQ(a.dsps, 24);
  EXPECT_EQ(a.luts, 2424);
  p.DIV = 128;
  EXPECT_EQ(estimateResources(p).luts, 1808);
  EXPECT_EQ(estimateResources(p).dsps, 0);
  p.DIV = 120, p.IN_BEAT = p.PE = 2;
  EXPECT_EQ(estimateResources(p).luts, 1590);
  p.IN_BEAT = p.PE = 8;
  p.KK = 9, p.DIV = 9, p.divRom = true, p.D_BITS = 4, p.NPIX = 64;
  Resources c = estimateResources(p);
  EXPECT_EQ(c.luts - romResources(64, 4).luts, 8 * 974 + 272 + 1088 + 32);
  EXPECT_EQ(c.dsps, 8);
}
