//===- Resources.cpp - LUT / FF / BRAM / DSP estimates per RTL module -----===//
//
// Each estimate adds up the parts Yosys 0.23 synth_xilinx builds from the
// module's RTL: memories (rom*, lutram), DSP48E1 multipliers, muxes and
// registers. The structure follows the RTL; the few coefficients (k*) were
// fitted to synth_xilinx's counts of single instances of the shared models'
// actors (bench/resource_fit.py; hw_model/README.md "Resource model").
//
//===----------------------------------------------------------------------===//
#include "hw_model/Resources.h"

#include "hw_model/MvuStream.h"

#include <algorithm>
#include <cmath>
#include <variant>
#include <vector>

namespace loom::hw {

namespace {

int64_t clog2(int64_t n) {
  int64_t b = 0;
  while ((int64_t(1) << b) < n)
    ++b;
  return b;
}
int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Fitted by bench/resource_fit.py (least squares over synth_xilinx's counts of
// the shared models' loom_mvu instances; hw_model/README.md "Resource model").
constexpr double kSelLutsPerBitStage = 0.3324; // a one-stage select, the gearbox: bits x stages
constexpr double kDwSelLuts = 0.29;            // depthwise gather: per lane bit and chunk
// The operand select's 2:1 multiplexers (selectMuxes) per LUT6, measured on the select
// alone (bank mux, shifter, register; synth_xilinx, ten shapes, within 5%): a power-of-two
// XW shifts whole slices, one LUT a mux; otherwise the low stages' muxes pack two to a LUT.
constexpr double kSelLutsPerMuxPow2 = 0.87;
constexpr double kSelLutsPerMux = 0.66;
constexpr double kRqLutsPerBit = 2.607;     // per PE and (accumulator + output) bit
constexpr double kBankFfLutsPerBit = 0.222; // input bank in flip-flops: write enables
constexpr double kMvuLuts = 14.5;
constexpr double kFlatSplitLuts = 1.06; // gearbox unit: split sums, per lane x W_ACC x log2(SIMD)
// Flat loom_mvu (SIMD does not divide K), refitted 2026-12-07 on six flat units (jet at
// 64, two_layer_keras at 8, the autoencoder's K 640 and N 640 layers at 64): per bit of
// the vector (bank select, rotating copy; besides the bank's kBankFfLutsPerBit) and per
// split-sum bit.
constexpr double kFlatVecLuts = 3.28;
constexpr double kFlatSplitLutsMvu = 0.65;
// FFs refitted 2026-12-07 (relative least squares over 25 loom_mvu instances, the weight
// register and a flat unit's copy structural): within 15% but two small units (+31%, -39%).
constexpr double kBankFfsPerBit = 1.05;    // input bank in flip-flops
constexpr double kWordFfsPerBit = 0.113;   // gearbox unit's weight register (not fitted)
constexpr int64_t kWordRegInFfsLines = 16; // loom_mvu: ROMs this deep keep the register in FFs
constexpr double kRqFfsPerBit = 0.98;      // per PE and (accumulator + output) bit
constexpr double kMvuFfs = 33;             // control (the fit's 46 less the FIFO's pointers)
constexpr double kActTableShare = 0.4;     // activation table LUTs / a random ROM's
/// loom_mvu's input bank goes to distributed RAM (one copy per beat word,
/// all read at once) up to this many beats a vector, to flip-flops beyond.
constexpr int64_t kBankLutramBeats = 16;

/// LUT6s per bit of a read-only table of `depth` words built from logic: a
/// LUT6 holds 64 words, MUXF7/MUXF8 join four of them for free, and each
/// further 256 words need a LUT of muxing.
int64_t romLutsPerBit(int64_t depth) {
  if (depth <= 1)
    return 0;
  return ceilDiv(depth, 64) + (depth > 256 ? ceilDiv(depth, 256) - 1 : 0);
}

/// Cheapest block RAM mapping of depth x width in memory_libmap's cost units
/// (RAMB18 129, RAMB36 257; brams_xc7 widths), and its count in RAMB36.
std::pair<double, double> bramCost(int64_t depth, int64_t width) {
  static const int kWidths[] = {1, 2, 4, 9, 18, 36, 72};
  double best = 1e30, count = 0;
  for (int big = 0; big < 2; ++big)
    for (int w : kWidths) {
      if (!big && w == 72)
        continue; // a RAMB18 is at most 36 wide
      int64_t bits = big ? 32768 : 16384;
      int64_t words = bits / (w >= 9 ? w / 9 * 8 : w);
      int64_t n = ceilDiv(width, w) * ceilDiv(depth, words);
      double cost = double(n) * (big ? 257 : 129);
      if (cost < best)
        best = cost, count = big ? double(n) : 0.5 * double(n);
    }
  return {best, count};
}

/// A write-once-per-cycle memory with asynchronous reads (`ports` of them)
/// in distributed RAM: RAM32M (32 x 6 bits, 4 LUTs), RAM64M (64 x 3) or
/// RAM128X1D (2 x 2 LUTs per bit), one copy per read port.
int64_t lutramLuts(int64_t depth, int64_t width, int64_t ports = 1) {
  int64_t one = depth <= 32   ? 4 * ceilDiv(width, 6)
                : depth <= 64 ? 4 * ceilDiv(width, 3)
                              : 4 * width * ceilDiv(depth, 128);
  return one * ports;
}

/// loom_fifo: storage in distributed RAM (block RAM when that is cheaper for
/// a deep FIFO), pointers and count in flip-flops.
Resources fifo(int64_t w, int64_t depth) {
  Resources r;
  int64_t pw = std::max<int64_t>(1, clog2(depth)), cw = clog2(depth + 1);
  r.ffs = 2 * pw + cw + 3;
  r.luts = 2 * (pw + cw) + 8;
  if (depth <= 2) { // two words: registers and a 2:1 mux
    r.ffs += 2 * w;
    r.luts += w;
    return r;
  }
  int64_t lut = lutramLuts(depth, w);
  auto [cost, brams] = bramCost(depth, w);
  if (depth > 64 && cost < 2.0 * lut)
    r.brams = brams;
  else
    r.luts += lut;
  return r;
}

} // namespace

/// The 2:1 multiplexers Yosys keeps of the operand select rd_flat[sf * xw +: xw] over a
/// `bits`-bit bank, sf < sfN: a logarithmic shifter with one stage per live bit of
/// sf * xw, the lowest applied first, and opt keeps, from the output back, only the bits
/// that can still reach the xw output bits (a source past the bank is x, no mux). So a
/// narrow slice of a wide bank costs far less than bits x stages (MNIST's K 256 at SIMD 4:
/// 15,292 muxes where 3,328 bits x 10 stages is 33,280).
int64_t selectMuxes(int64_t bits, int64_t xw, int64_t sfN) {
  if (sfN < 2 || xw <= 0)
    return 0;
  const int64_t smax = (sfN - 1) * xw;
  int64_t tz = 0;
  while (!((xw >> tz) & 1))
    ++tz;
  int64_t top = 0;
  while ((int64_t(1) << top) <= smax)
    ++top;
  std::vector<char> need(size_t(bits), 0);
  int64_t hi = std::min(xw, bits); // need[] is 0 from hi on
  for (int64_t b = 0; b < hi; ++b)
    need[size_t(b)] = 1;
  int64_t muxes = 0;
  for (int64_t j = top - 1; j >= tz; --j) {
    const int64_t sh = int64_t(1) << j;
    const int64_t lim = std::min(hi, bits - sh); // b + sh must lie in the bank
    for (int64_t b = lim - 1; b >= 0; --b)
      if (need[size_t(b)]) {
        ++muxes;
        need[size_t(b + sh)] = 1;
      }
    hi = std::min(bits, hi + sh);
  }
  return muxes;
}

Resources romResources(int64_t depth, int64_t width) {
  Resources r;
  if (depth <= 1 || width <= 0)
    return r; // a constant: no memory, the read register folds away
  auto [cost, brams] = bramCost(depth, width);
  // memory_libmap: soft logic costs one unit per 64 ROM bits.
  if (double(depth * width) / 64.0 <= cost) {
    // A bit column is a function of the address; a shallow ROM has at most
    // 2^depth different ones, and ABC builds each only once.
    int64_t columns = depth < 16 ? std::min<int64_t>(width, int64_t(1) << depth) : width;
    r.luts = columns * romLutsPerBit(depth);
    r.ffs = width;
  } else {
    r.brams = brams;
  }
  return r;
}

/// The requantization stage (loom_requant) and the output FIFO of loom_mvu /
/// loom_dwu: per PE a shift-round-saturate of the wa-bit accumulator and the
/// activation; the per-channel tables beside the bias; W_M and LeakyRelu
/// multipliers on DSP48s.
template <typename Unit> static Resources requantAndOutput(const Unit &c, int64_t nf, int64_t wa) {
  Resources r;
  const int64_t pe = c.PE;
  r.luts = int64_t(kRqLutsPerBit * double(pe * (wa + c.W_OUT)));
  r.ffs = int64_t(kRqFfsPerBit * double(pe * (c.W_ACC + c.W_OUT)));
  // One asynchronous table copy per PE; an activation function is monotone or
  // smooth, and ABC builds it in about 0.4 of a random table's LUTs
  // (two_layer_keras's 2048-entry sigmoid).
  if (c.ACT == ActCode::Table)
    r.luts += int64_t(kActTableShare * double(pe * c.W_OUT * romLutsPerBit(c.T_DEPTH)));
  if (c.W_M > 0) {
    r += romResources(nf, pe * c.W_M);
    r.dsps += pe * ceilDiv(wa + 1, 25) * ceilDiv(c.W_M + 1, 18);
    r.ffs += 2 * pe * c.W_M;
  }
  if (c.W_PB > 0) {
    r += romResources(nf, pe * c.W_PB);
    r.luts += pe * (wa + c.W_M);
    r.ffs += 2 * pe * c.W_PB;
  }
  if (c.ACT == ActCode::Leaky) {
    r.dsps += pe * 2; // y * A in 64 bits: two DSP48s per lane
    r.luts += pe * 64;
    if (c.W_LA > 0)
      r += romResources(nf, pe * c.W_LA);
  }
  r += fifo(pe * c.W_OUT, 8);
  return r;
}

/// DSP48E1s of one signed a x b multiplier, as mul2dsp splits it into 25 x 18
/// pieces; narrower than 2 bits it is logic (0), and so is a product of at most 8
/// bits (a + b <= 8): synth_xilinx's mul2dsp takes products from 9 bits
/// (DSP_Y_MINWIDTH; measured on loom_mvu, Yosys 0.23: 4 x 5 bits on DSP48s, 4 x 4 in LUTs).
static int64_t dspsPerMult(int64_t a, int64_t b) {
  if (a < 2 || b < 2 || a + b <= 8)
    return 0;
  if (a < b)
    std::swap(a, b);
  return ceilDiv(a, 25) * ceilDiv(b, 18);
}

/// Multipliers: DSP48E1s (the SIMD sum rides their cascade); +-1 weights
/// and 1-bit operands are an add/subtract per lane in logic; a narrow product
/// (at most 8 bits) is a LUT multiplier and its share of the adder tree:
/// about 4 * a * b + 4 LUTs (loom_mvu K 16, 32 lanes, synth_xilinx: 19, 44 and
/// 62 LUTs a lane at 2x2, 3x3 and 4x4 bits).
static Resources laneMultipliers(int64_t lanes, int64_t wIn, int64_t wW, bool binary) {
  Resources r;
  int64_t perMult = binary ? 0 : dspsPerMult(wIn, wW);
  r.dsps += lanes * perMult;
  if (!perMult)
    r.luts += lanes * (binary || wIn < 2 || wW < 2 ? wIn + 2 : 4 * wIn * wW + 4);
  return r;
}

/// loom_mvu (and loom_dwu, which is loom_mvu in its depthwise mode): K inputs
/// of W_IN bits in two banks, `steps` (NF*SF) weight words of PE*SIMD*W_W bits,
/// PE*SIMD multipliers, NF bias words of PE*W_ACC bits.
static Resources unit(int64_t k, int64_t n, int64_t simd, int64_t pe, int64_t inBeat, int64_t wIn,
                      int64_t wW, int64_t wAcc, bool binary, int64_t steps, bool depthwise = false,
                      int64_t romLines = 0) {
  Resources r;
  const bool flat = k % simd != 0;
  const int64_t sf = k / simd, nf = n / pe, ib = k / inBeat, xw = simd * wIn;
  const int64_t lanes = pe * simd;
  // Weights and biases: ROMs read one word a step (constants when one word).
  // (their read registers are the DSP48s' B registers or counted per PE below)
  Resources w = romResources(steps, lanes * wW);
  if (romLines > 0 && w.brams > 0 && romResources(romLines, lanes * wW).brams == 0) {
    // A fitted depth (`steps`) over a ROM of romLines lines that memory_libmap
    // keeps in logic: its LUTs at the fitted depth, no block RAM.
    w = Resources();
    w.luts = lanes * wW * romLutsPerBit(steps);
  }
  for (Resources rom : {w, romResources(nf, pe * wAcc)})
    r.luts += rom.luts, r.brams += rom.brams;
  r += laneMultipliers(lanes, wIn, wW, binary);
  // Input banks: distributed RAM read word by word, or flip-flops.
  int64_t bankBits = 2 * k * wIn;
  if (ib <= kBankLutramBeats) {
    r.luts += lutramLuts(2 * ib, inBeat * wIn, ib);
  } else {
    r.ffs += int64_t(kBankFfsPerBit * double(bankBits));
    r.luts += int64_t(kBankFfLutsPerBit * double(bankBits));
  }
  // Operand select rd_flat[sf * XW +: XW]: a barrel shifter with one stage per
  // live bit of sf * XW, costed by the multiplexers it keeps (selectMuxes); one
  // stage when sf is one bit (all its stages alike), a word mux when the slice is
  // one input element of a bank in flip-flops.
  // A flat unit (SIMD does not divide K) keeps a copy of the vector that rotates by SIMD
  // each step (k*wIn flip-flops and a load/rotate mux per bit; its first step reads the
  // bank at offset 0, no shifter), and masks and splits each PE's sum in two, outside the
  // DSP cascade: kFlatVecLuts * k*wIn + kFlatSplitLutsMvu * lanes * wAcc * log2(SIMD)
  // LUTs, within 5% of synth_xilinx on the five big flat units (the autoencoder's K 640
  // SIMD 30: 29,004 LUTs; the k*wIn term was 1.0 when fitted on the jet tagger alone,
  // which left that layer at half).
  int64_t stages = 0, muxes = 0;
  if (depthwise) {
    // The depthwise gather: SIMD reads of a PE-channel chunk, each a mux of the bank's
    // K/PE chunks per bit (kDwSelLuts per bit and input).
    r.luts += int64_t(kDwSelLuts * double(simd * pe * wIn * (k / pe)));
  } else if (flat) {
    r.luts += int64_t(kFlatVecLuts * double(k * wIn) +
                      kFlatSplitLutsMvu * double(lanes * wAcc) * std::log2(double(simd)));
    r.ffs += k * wIn;
  } else if (sf == 2 || (sf > 2 && simd == 1 && inBeat == 1 && ib > kBankLutramBeats)) {
    stages = 1;
  } else if (sf > 2) {
    muxes = selectMuxes(k * wIn, xw, sf);
  }
  const double perMux = (xw & (xw - 1)) == 0 ? kSelLutsPerMuxPow2 : kSelLutsPerMux;
  r.luts +=
      int64_t(kSelLutsPerBitStage * double(k * wIn * stages) + perMux * double(muxes) + kMvuLuts);
  // The weight ROM's read register: a ROM of a few lines is logic by the time
  // xilinx_dsp runs, so the register becomes the DSP48s' B register; from 16 lines
  // memory_libmap builds it later, as a LUT ROM with its register in flip-flops
  // (MNIST at 256 multipliers: 200 lanes x 13 bits, 16 lines, 2,404 FFs; at its
  // default, 4 lines: 230), and a block RAM keeps it inside.
  if (steps >= kWordRegInFfsLines && w.brams == 0)
    r.ffs += lanes * wW;
  r.ffs += int64_t(kMvuFfs);
  return r;
}

/// loom_mvu_stream (STREAM = 1; not fitted to synth_xilinx yet): a structural estimate
/// from the RTL with loom_mvu's fitted pieces. The P-line weight ROM (the bias line is a
/// constant), N*SIMD multipliers as loom_mvu's lanes, the low/high split of each output's
/// sum as the flat loom_mvu's (kFlatSplitLuts), the gearbox: CAP*W_IN flip-flops, the beat
/// written at any offset in units of U (a barrel shifter of clog2(CAP/U + 1) stages over
/// the buffer, kSelLutsPerBitStage as loom_mvu's operand select) and one LUT a buffer bit
/// for the consumed-step shift and merge; the step's operand is the buffer's low end (wires).
/// Against synth_xilinx (Yosys 0.23) of three units (K 12 N 4 SIMD 5 IN_BEAT 4; K 32 N 8
/// SIMD 19 IN_BEAT 32; depthwise 3x3 C 4 SIMD 2: 2602, 21571, 1369 LUTs, 541, 1621, 488
/// FFs): 88%, 94%, 100% of the LUTs, 101%, 95%, 120% of the FFs, DSPs exact
/// (rtl/test/yosys_mvu_stream.sh builds the first and a depthwise unit).
template <typename Unit> static Resources streamUnit(const Unit &c, int64_t n) {
  const MvuStreamGeometry g = streamGeometry(c);
  const int64_t lanes = n * c.SIMD, wa = std::max(c.W_ACC, c.W_IN + c.W_W);
  Resources r;
  Resources rom = romResources(g.lines(), lanes * c.W_W);
  r.luts += rom.luts, r.brams += rom.brams;
  r += laneMultipliers(lanes, c.W_IN, c.W_W, c.BIPOLAR_W != 0);
  if (c.SIMD > 1)
    r.luts += int64_t(kFlatSplitLuts * double(n * c.SIMD * c.W_ACC) * std::log2(double(c.SIMD)));
  const int64_t bufBits = int64_t(g.cap()) * c.W_IN;
  const int64_t stages = clog2(g.cap() / g.unit() + 1);
  r.luts += int64_t(kSelLutsPerBitStage * double(bufBits * stages)) + bufBits + int64_t(kMvuLuts);
  // the accumulator adds three operands (acc_q or the bias plus carry_q, and the low sum)
  r.luts += 3 * n * wa;
  r.ffs += bufBits + 2 * n * wa /* acc_q, carry_q */ +
           (g.lines() > 1 ? int64_t(kWordFfsPerBit * double(lanes * c.W_W)) : 0) + int64_t(kMvuFfs);
  r += requantAndOutput(c, 1, wa);
  return r;
}

Resources estimateResources(const MvuConfig &c) {
  if (c.STREAM)
    return streamUnit(c, c.N);
  Resources r =
      unit(c.K, c.N, c.SIMD, c.PE, c.IN_BEAT, c.W_IN, c.W_W, c.W_ACC, c.BIPOLAR_W, c.steps());
  r += requantAndOutput(c, c.nf(), std::max(c.W_ACC, c.W_IN + c.W_W));
  return r.times(c.MMV); // MMV lockstep copies (loom_mvu_mmv)
}

Resources estimateResources(const DwuConfig &c) {
  if (c.STREAM)
    return streamUnit(c, c.C);
  // The depthwise gather replaces the slice select; same storage and lanes.
  // As fitted: NF * (KK*C/SIMD) ROM lines, C times the dwu's NF*KK/SIMD (which
  // decide logic or block RAM: KWS's dwu at 256 multipliers, PE 4, SIMD 3, is
  // logic in synth_xilinx, 24 lines of 144 bits).
  Resources r = unit(c.KK * c.C, c.C, c.SIMD, c.PE, c.IN_BEAT, c.W_IN, c.W_W, c.W_ACC, c.BIPOLAR_W,
                     int64_t(c.nf()) * (c.KK * c.C / c.SIMD), /*depthwise=*/true,
                     int64_t(c.nf()) * ((c.KK + c.SIMD - 1) / c.SIMD));
  r += requantAndOutput(c, c.nf(), std::max(c.W_ACC, c.W_IN + c.W_W));
  return r.times(c.MMV); // MMV lockstep copies (loom_mvu_mmv)
}

Resources estimateResources(const SoftmaxConfig &c) {
  // Calibrated on the jet tagger's softmax (N 5, W 13, EXP 1024 x 16, F 6):
  // the divider num / sum (NUMW bits, combinational) dominates; the EXP table
  // is read asynchronously (logic); each input lane past the first adds a
  // comparator to the beat max and a wider store.
  Resources r;
  const int64_t sw = c.EXP_BITS + clog2(c.N + 1);
  const int64_t numw = std::max<int64_t>(int64_t(c.EXP_BITS) + c.F, sw) + 1;
  if (c.PIPELINED) {
    // loom_softmax_pipe, scaled from the calibration above (not synthesized on its own
    // yet): OUT_BEAT dividers, IN_BEAT EXP read ports, two banks each of y and e (the
    // bank multiplexers as the single store's), the OUT_BEAT-wide output register.
    const int64_t lanes = c.IN_BEAT, divs = c.OUT_BEAT;
    r.luts = divs * int64_t(3.5 * double(numw * numw)) +
             lanes * c.EXP_BITS * romLutsPerBit(c.EXP_DEPTH) +
             int64_t(4.5 * double(c.N * (c.W + c.EXP_BITS))) + 14LL * c.W * (lanes - 1) +
             lanes * sw;
    r.ffs = 2LL * c.N * (c.W + c.EXP_BITS) + 3 * sw + (divs + 3) * c.W + 24;
    return r;
  }
  r.luts = int64_t(3.5 * double(numw * numw)) + c.EXP_BITS * romLutsPerBit(c.EXP_DEPTH) +
           int64_t(2.25 * double(c.N * (c.W + c.EXP_BITS))) + 14LL * c.W * (c.IN_BEAT - 1);
  r.ffs = int64_t(c.N) * c.W + int64_t(c.N) * c.EXP_BITS + sw + 2LL * c.W + 16;
  return r;
}

Resources estimateResources(const FifoConfig &c) { return fifo(c.W, c.DEPTH); }

Resources estimateResources(const SkidConfig &c) {
  Resources r;
  r.ffs = 2LL * c.W + 2;
  r.luts = c.W + 4;
  return r;
}

Resources estimateResources(const ForkConfig &c) {
  Resources r = fifo(c.W, 2); // two 2-entry FIFOs
  r += fifo(c.W, 2);
  return r;
}

/// loom_swg: the line buffer holds words of U = chunk() channels; a beat writes
/// IN_BEAT / U of them and reads OUT_BEAT / U (read ports). With IN_BEAT / U a
/// power of two the buffer is that many banks of one write port each (chunk e
/// of a write goes to bank e); otherwise it has several write ports and is
/// flip-flops with a mux per read bit.
/// Banked, memory_libmap picks the cheaper of its costs (Yosys 0.23's xilinx
/// lutrams / brams files): LUT RAM, 7 a RAM32M / RAM64M in quad-port mode (three
/// read ports of 2 bits x 32 words or 1 bit x 64 words), 8 in simple dual port
/// (one read port of 6 x 32 or 3 x 64), or a block RAM copy per read port in its
/// cheapest RAMB18 / RAMB36 shape (bramCost). With one bank each read port
/// has its own register at the memory (the padding its reset), which a block RAM
/// absorbs; with several the bank select comes first, the reads are asynchronous
/// and only LUT RAM serves them, plus kSwgSelectLuts a read bit for the select.
/// Addressing: kSwgBaseLuts + kSwgAddrLuts a read port (kSwgAddrLutsMany past
/// kSwgMaxSharedPorts: a window a beat has constant offsets between its ports),
/// more when a window takes several beats (the beat's first (kh, kw, c) is a
/// register then). Fitted on
/// seven instances (hw_model/README.md "Resource model").
constexpr int64_t kSwgMaxSharedPorts = 16;
constexpr int64_t kSwgBaseLuts = 64, kSwgAddrLuts = 40, kSwgAddrLutsMany = 25;
constexpr int64_t kSwgBaseLutsBeats = 170, kSwgAddrLutsBeats = 100;
constexpr double kSwgSelectLuts = 3.0;

/// LUT RAM cells (RAM32M / RAM64M, 4 LUTs each) for `copies` copies of a
/// depth x bits memory read by `ports` ports.
/// Beyond kSwgMaxSharedPorts read ports the RTL gives each port its own copy
/// (loom_swg MAX_SHARED_PORTS): simple dual port cells.
static int64_t swgLutRamCells(int64_t depth, int64_t bits, int64_t ports) {
  if (ports <= 1 || ports > kSwgMaxSharedPorts)
    return ports * (depth <= 32 ? ceilDiv(bits, 6) : ceilDiv(depth, 64) * ceilDiv(bits, 3));
  const int64_t groups = ceilDiv(ports, 3);
  return groups * (depth <= 32 ? ceilDiv(bits, 2) : ceilDiv(depth, 64) * bits);
}

Resources estimateResources(const SwgConfig &c) {
  Resources r;
  const int64_t u = c.chunk(), words = int64_t(c.rows()) * c.W * c.C / u;
  const int64_t ports = c.OUT_BEAT / u, wordBits = int64_t(c.WB) * u, ib = c.IN_BEAT / u;
  if ((ib & (ib - 1)) != 0) { // several write ports: flip-flops
    r.ffs = words * wordBits;
    r.luts = ports * wordBits * ceilDiv(words, 4);
  } else {
    const int64_t depth = words / ib;
    const int64_t cells = ib * swgLutRamCells(depth, wordBits, ports);
    auto [copyCost, copyBrams] = bramCost(depth, wordBits); // a block RAM copy per port
    const int64_t cellCost = (ports <= 1 || ports > kSwgMaxSharedPorts) ? 8 : 7;
    if (ib > 1 || double(cells * cellCost) <= double(ports) * copyCost) {
      r.luts = 4 * cells;
      r.ffs = int64_t(c.OUT_BEAT) * c.WB; // the read registers (a block RAM has its own)
    } else {
      r.brams = double(ports) * copyBrams;
    }
    if (ib > 1)
      r.luts += int64_t(kSwgSelectLuts * double(ports * wordBits));
  }
  r.luts += c.windowBeats() > 1
                ? kSwgBaseLutsBeats + kSwgAddrLutsBeats * ports
                : kSwgBaseLuts + kSwgAddrLuts * std::min(ports, kSwgMaxSharedPorts) +
                      kSwgAddrLutsMany * std::max<int64_t>(ports - kSwgMaxSharedPorts, 0);
  r.ffs += 48;
  return r;
}

/// loom_pool: the per-channel accumulators and their hold bank, kPoolChanLuts a
/// bit for the update and output multiplexers, and the output lanes, which divide
/// by a shift (DIV a power of two), a multiply by the reciprocal (another constant
/// DIV: |s| * M on DSPs, then q0 * DIV) or a divider (per-pixel ROM divisors).
/// Fitted on synth_xilinx of KWS's global pool (C 32, WB 13: SW 20, QW 22) at IN_BEAT
/// = PE = 8 (2,396 LUTs with DIV 120, 1,637 with DIV 128) and 2 (1,559 LUTs), and
/// with KK 9 and ROM divisors (QW 19: 9,251 LUTs; 9,766 with lane_out): about 4.5 QW, QW and 2.7
/// QW^2 LUTs a lane, and 3, 0 and 1 DSP48s a lane. A max pool (MODE 0) keeps WB bits (the sum's
/// growth bits are sign copies, which opt removes) and its lane compares fold into the channel
/// updates: kPoolChanLuts a channel bit and nothing a lane, from MNIST's two (C 8, IN_BEAT 8, KK 4:
/// 218 LUTs; C 16, IN_BEAT 4, KK 9: 473).
constexpr double kPoolChanLuts = 2.0;

Resources estimateResources(const PoolConfig &c) {
  Resources r;
  const bool maxPool = c.MODE == 0; // loom_pkg::POOL_MAX
  const int64_t sw = maxPool ? c.WB : c.WB + clog2(c.KK);
  r.ffs = (1LL + c.HOLD) * c.C * sw + int64_t(c.PE) * c.WB + 32; // acc + hold banks
  r.luts =
      (maxPool ? 0 : int64_t(c.IN_BEAT) * sw * 2) + int64_t(kPoolChanLuts * double(c.C * sw)) + 32;
  if (c.MODE == 1) {
    const int64_t dl = clog2(c.DIV), qw = sw + 2;
    if (c.divRom) {
      const int64_t qd = std::max(qw, int64_t(c.D_BITS) + 2);
      r.luts += c.PE * int64_t(2.7 * double(qd * qd));
      r.dsps += c.PE * dspsPerMult(qd, c.D_BITS); // q * d
    } else if ((int64_t(1) << dl) == c.DIV) {
      r.luts += c.PE * qw;
    } else {
      r.luts += c.PE * int64_t(4.5 * double(qw));
      r.dsps += c.PE * (dspsPerMult(sw, sw + 2) + dspsPerMult(sw, dl));
    }
  }
  if (c.divRom)
    r += romResources(c.NPIX, c.D_BITS);
  return r;
}

Resources estimateResources(const UpsampleConfig &c) {
  Resources r;
  r.ffs = int64_t(c.LANES) * c.WB + 64;
  r.luts = int64_t(c.LANES) * c.WB * 2 + 32;
  r += romResources(2LL * c.W * c.C / c.LANES, int64_t(c.LANES) * c.WB); // two row banks
  return r;
}

Resources estimateResources(const AddConfig &c) {
  Resources r; // two 2-entry input FIFOs + output register
  r.ffs = 5LL * c.LANES * c.WB + 8;
  r.luts = 3LL * c.LANES * c.WB + 8;
  if (c.MODE == 1)
    r.dsps = c.LANES * (dspsPerMult(c.WB, c.WB) + (c.MA != 1 ? dspsPerMult(2 * c.WB, 25) : 0));
  if (c.MODE == 2)
    r.dsps = 2LL * c.LANES * dspsPerMult(c.WB, 25);
  return r;
}

Resources estimateResources(const ConcatConfig &c) {
  Resources r;
  r.ffs = 5LL * c.LANES * c.WB + 16;
  r.luts = 3LL * c.LANES * c.WB + 16;
  return r;
}

// Not fitted yet: structural, from the RTL. Two row banks in flip-flops, the
// square root and restoring division as one adder each per step, the
// multipliers (IN_BEAT squares, S1^2, t * r, u * G) on DSPs, gamma / beta as ROMs.
Resources estimateResources(const LayerNormConfig &c) {
  Resources r;
  const int64_t root = c.sqrtSteps(), wr = 2 * root;
  r.ffs = 2LL * c.C * c.W_IN + 4LL * (2 * c.W_IN + clog2(c.C + 1)) + wr + 3 * root + c.divSteps() +
          c.W_OUT + 16;
  r.luts = int64_t(c.W_T) * c.divSteps() + 4 * root + c.W_Z + 32;
  r.dsps = int64_t(c.IN_BEAT) * dspsPerMult(c.W_IN, c.W_IN) + dspsPerMult(c.W_V, c.W_V) +
           dspsPerMult(c.W_T, c.R) + dspsPerMult(c.W_U, c.W_G);
  r += romResources(c.C, int64_t(c.W_G) + c.W_B);
  return r;
}

// Not fitted yet: structural, from the RTL. The row buffer in flip-flops (and a
// C-to-1 read mux for x and its partner), two table ROMs of 16-bit words, two
// products and the requantization multiply on DSPs, the output clamp in LUTs.
Resources estimateResources(const RotaryConfig &c) {
  Resources r;
  r.ffs = int64_t(c.C) * c.W_IN + 2LL * c.W_IN + 32 + 2LL * clog2(c.C + 1) + clog2(c.T + 1) + 8;
  r.luts = 2LL * c.C * c.W_IN / 4 + int64_t(c.W_ACC) + c.W_OUT + 32;
  r.dsps = 2LL * dspsPerMult(c.W_IN, 16) + dspsPerMult(c.W_ACC, c.W_M);
  r += romResources(int64_t(c.T) * c.C, 32);
  return r;
}

// Not fitted yet: structural, from the RTL. The tables are ROMs read one
// OUT_BEAT-lane word per cycle; per lane one adder and a clamp; the id
// buffer, lookup stage and output register in flip-flops.
Resources estimateResources(const EmbedConfig &c) {
  Resources r;
  const int64_t word = int64_t(c.OUT_BEAT) * c.W_OUT;
  r.ffs = 2LL * c.W_ID + 2LL * clog2(c.C + 1) + clog2(c.T + 1) + (c.POS ? 3 : 2) * word + 8;
  r.luts = int64_t(c.OUT_BEAT) * (c.POS ? 3 : 1) * (c.W_OUT + 1) + 2 * c.W_ID + 24;
  r += romResources(int64_t(c.V) * c.beatsPerRow(), word);
  if (c.POS)
    r += romResources(int64_t(c.T) * c.beatsPerRow(), word);
  return r;
}

// Not fitted yet: structural, from the RTL. K, V and q memories and the scores as
// RAM (LUTRAM / BRAM by size), the exp table as a ROM, the D accumulators in
// flip-flops, 2 * SIMD lane multipliers plus u * r and w * M on DSPs, the divider one
// subtractor.
Resources estimateResources(const AttentionConfig &c) {
  Resources r;
  r.ffs = int64_t(c.D()) * c.W_U + c.W_A * 2 + c.W_S * 2 + c.W_R + c.W_OUT + 64;
  r.luts = int64_t(c.SIMD) * (c.W_A + c.W_U) + c.W_S + 2 * (c.W_IN + c.G + 1) + 64;
  const int wj = c.PQ ? c.W_PC : c.EXP_BITS; // the weight of a row j: pc or e
  r.dsps = int64_t(c.SIMD) * (dspsPerMult(c.W_IN, c.W_IN) + dspsPerMult(wj, c.W_IN)) +
           (c.PQ ? dspsPerMult(c.EXP_BITS, c.W_R) + dspsPerMult(c.W_U, c.W_M)
                 : dspsPerMult(c.W_U, c.W_R) + dspsPerMult(c.W_IN + c.G + 1, c.W_M)) +
           (c.SQ ? dspsPerMult(c.W_A, c.W_SM) : 0);
  r += romResources(c.EXP_DEPTH, c.EXP_BITS);
  const int64_t qRows = c.CAUSAL ? 1 : c.T;
  r += romResources((2 * int64_t(c.T) + qRows) * c.C, c.W_IN);
  r += romResources(c.T, c.W_A);
  if (c.KB)
    r += romResources(int64_t(c.H) * c.T, c.W_A);
  return r;
}

Resources estimateResources(const ActorConfig &c) {
  return std::visit([](const auto &cfg) { return estimateResources(cfg); }, c);
}

bool fitsLimits(const Resources &r, const Resources &cap, std::string *what) {
  const char *over = nullptr;
  if (cap.luts && r.luts > cap.luts)
    over = "LUTs";
  else if (cap.dsps && r.dsps > cap.dsps)
    over = "DSPs";
  else if (cap.brams > 0 && r.brams > cap.brams)
    over = "BRAMs";
  else if (cap.ffs && r.ffs > cap.ffs)
    over = "FFs";
  if (over && what)
    *what = over;
  return !over;
}

Resources capacityOf(const Device &d) {
  Resources r;
  r.luts = d.luts, r.ffs = d.ffs, r.brams = d.brams, r.dsps = d.dsps;
  return r;
}

} // namespace loom::hw
