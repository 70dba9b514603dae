// Per-actor cost formulas. Cycle/latency formulas are exact for the actor alone in a
// clean pass (checked against the cycle models in test/unit/hw_model and against the
// RTL in rtl/test). LUT / FF / BRAM / DSP estimates: hw_model/Resources.cpp.
#include "hw_model/Cost.h"

#include "hw_model/Actors.h"
#include "hw_model/MvuStream.h"

#include <algorithm>
#include <array>
#include <map>

namespace loom::hw {

static int64_t clog2(int64_t v) {
  int64_t r = 0;
  while ((int64_t(1) << r) < v)
    ++r;
  return r;
}

std::string validate(const ActorConfig &config) {
  return std::visit(
      [](const auto &c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, MvuConfig>) {
          if (c.K < 1 || c.N < 1 || c.SIMD < 1 || c.PE < 1 || c.IN_BEAT < 1)
            return "mvu sizes must be positive";
          if (c.SIMD > c.K || c.K % c.IN_BEAT || c.N % c.PE)
            return "mvu needs SIMD <= K, K % IN_BEAT == 0, N % PE == 0";
          if (c.VECTORS < 1)
            return "mvu needs VECTORS >= 1";
          if (c.MMV < 1 || c.VECTORS % c.MMV ||
              (c.MMV > 1 && (c.PE != c.N || c.IN_BEAT != c.K)))
            return "mvu needs MMV | VECTORS, and with MMV > 1 PE = N and IN_BEAT = K";
          if (c.BIPOLAR_W && c.W_W != 1)
            return "mvu with BIPOLAR_W needs W_W = 1";
          if (c.W_M < 0 || c.W_M > 32)
            return "mvu needs 0 <= W_M <= 32";
          if (c.W_PB < 0 || c.W_PB > 48)
            return "mvu needs 0 <= W_PB <= 48";
          if (c.PIPE < 0 || c.PIPE > 2 || c.RQ_PIPE < 0 || c.RQ_PIPE > 1)
            return "mvu needs 0 <= PIPE <= 2 and 0 <= RQ_PIPE <= 1";
          if (c.STREAM < 0 || c.STREAM > 1 || (c.STREAM && (c.PE != c.N || c.MMV != 1)))
            return "mvu needs STREAM 0 or 1, and with STREAM PE = N and MMV = 1";
        } else if constexpr (std::is_same_v<T, SwgConfig>) {
          if (c.C < 1 || c.H < 1 || c.W < 1 || c.KH < 1 || c.KW < 1 || c.SH < 1 || c.SW < 1 ||
              c.DH < 1 || c.DW < 1 || c.PT < 0 || c.PL < 0 || c.PB < 0 || c.PR < 0 ||
              c.IN_BEAT < 1 || c.OUT_BEAT < 1)
            return "swg sizes must be positive (pads >= 0)";
          bool pixels = c.IN_BEAT % c.C == 0 && (c.W * c.C) % c.IN_BEAT == 0;
          bool windows = c.OUT_BEAT % c.window() == 0 && c.OW() % c.windowsPerBeat() == 0;
          if ((c.C % c.IN_BEAT && !pixels) || (c.window() % c.OUT_BEAT && !windows))
            return "swg needs IN_BEAT | C or C | IN_BEAT | W*C, and OUT_BEAT | KH*KW*C or "
                   "OUT_BEAT whole windows dividing OW";
          if (c.H + c.PT + c.PB < c.spanH() || c.W + c.PL + c.PR < c.spanW())
            return "swg window larger than the padded input";
          if (c.ROWS != 0 && c.ROWS < c.spanH())
            return "swg needs ROWS >= DH*(KH-1)+1";
        } else if constexpr (std::is_same_v<T, PoolConfig>) {
          if (c.C < 1 || c.KK < 1 || c.IN_BEAT < 1 || c.PE < 1 || c.NPIX < 1 || c.DIV < 1)
            return "pool sizes must be positive";
          bool taps = c.IN_BEAT % c.C == 0 && c.KK % (c.IN_BEAT / c.C) == 0;
          if ((c.C % c.IN_BEAT && !taps) || c.C % c.PE || c.MODE < 0 || c.MODE > 1 ||
              c.HOLD < 1 || c.HOLD > 2)
            return "pool needs IN_BEAT | C or whole positions dividing KK, C % PE == 0, "
                   "MODE 0 or 1, HOLD 1 or 2";
        } else if constexpr (std::is_same_v<T, DwuConfig>) {
          if (c.C < 1 || c.KK < 1 || c.SIMD < 1 || c.PE < 1 || c.IN_BEAT < 1 || c.VECTORS < 1)
            return "dwu sizes must be positive";
          // loom_mvu_stream folds taps flat: any SIMD <= KK
          if (c.C % c.PE || (c.STREAM ? c.SIMD > c.KK : c.KK % c.SIMD != 0) ||
              (c.KK * c.C) % c.IN_BEAT)
            return "dwu needs C % PE == 0, KK % SIMD == 0 (STREAM: SIMD <= KK), "
                   "(KK*C) % IN_BEAT == 0";
          if (c.MMV < 1 || c.VECTORS % c.MMV ||
              (c.MMV > 1 && (c.PE != c.C || c.IN_BEAT != c.KK * c.C)))
            return "dwu needs MMV | VECTORS, and with MMV > 1 PE = C and IN_BEAT = KK*C";
          if (c.BIPOLAR_W && c.W_W != 1)
            return "dwu with BIPOLAR_W needs W_W = 1";
          if (c.W_M < 0 || c.W_M > 32)
            return "dwu needs 0 <= W_M <= 32";
          if (c.W_PB < 0 || c.W_PB > 48)
            return "dwu needs 0 <= W_PB <= 48";
          if (c.PIPE < 0 || c.PIPE > 2 || c.RQ_PIPE < 0 || c.RQ_PIPE > 1)
            return "dwu needs 0 <= PIPE <= 2 and 0 <= RQ_PIPE <= 1";
          if (c.STREAM < 0 || c.STREAM > 1 || (c.STREAM && (c.PE != c.C || c.MMV != 1)))
            return "dwu needs STREAM 0 or 1, and with STREAM PE = C and MMV = 1";
        } else if constexpr (std::is_same_v<T, ForkConfig>) {
          if (c.beatsPerFrame < 1)
            return "fork needs beatsPerFrame >= 1";
        } else if constexpr (std::is_same_v<T, AddConfig>) {
          if (c.LANES < 1 || c.beatsPerFrame < 1 || c.MODE < 0 || c.MODE > 2 || c.F < 0 ||
              c.F > 62 || (c.MODE == 1 && c.MA < 1) ||
              c.S < 0 || c.S > 62 || c.MA < 0 || c.MB < 0 || c.MA > (1 << 24) || c.MB > (1 << 24))
            return "add needs LANES, beatsPerFrame >= 1, MODE 0/1/2, F >= 0, 0 <= S <= 62, "
                   "0 <= MA, MB <= 2^24";
        } else if constexpr (std::is_same_v<T, ConcatConfig>) {
          if (c.LANES < 1 || c.NPIX < 1 || c.C1 < 1 || c.C2 < 1 || c.C1 % c.LANES || c.C2 % c.LANES)
            return "concat needs C1 % LANES == 0, C2 % LANES == 0";
        } else if constexpr (std::is_same_v<T, UpsampleConfig>) {
          if (c.C < 1 || c.H < 1 || c.W < 1 || c.SH < 1 || c.SW < 1 || c.LANES < 1 || c.C % c.LANES)
            return "upsample needs positive sizes and C % LANES == 0";
        } else if constexpr (std::is_same_v<T, SoftmaxConfig>) {
          if (c.N < 1 || c.IN_BEAT < 1 || c.N % c.IN_BEAT || c.PIPELINED < 0 || c.PIPELINED > 1 ||
              (c.PIPELINED && (c.OUT_BEAT < 1 || c.N % c.OUT_BEAT)))
            return "softmax needs N % IN_BEAT == 0, PIPELINED 0 or 1 (then N % OUT_BEAT == 0)";
        } else if constexpr (std::is_same_v<T, LayerNormConfig>) {
          if (c.C < 1 || c.IN_BEAT < 1 || c.C % c.IN_BEAT || c.ROWS < 1 || c.P < 1 ||
              c.R < c.P || c.W_V < 1)
            return "layernorm needs C % IN_BEAT == 0, ROWS >= 1, 1 <= P <= R";
        } else if constexpr (std::is_same_v<T, RotaryConfig>) {
          if (c.T < 1 || c.C < 1 || c.IN_BEAT < 1 || c.C % c.IN_BEAT || c.D < 2 || c.D % 2 ||
              c.C % c.D)
            return "rotary needs C % IN_BEAT == 0 and an even D dividing C";
        } else if constexpr (std::is_same_v<T, EmbedConfig>) {
          if (c.V < 1 || c.C < 1 || c.T < 1 || c.OUT_BEAT < 1 || c.C % c.OUT_BEAT ||
              c.W_ID < 1 || c.W_ID > 31 || (int64_t(1) << c.W_ID) < c.V)
            return "embed needs C % OUT_BEAT == 0 and 2^W_ID >= V";
        } else if constexpr (std::is_same_v<T, AttentionConfig>) {
          if (c.T < 1 || c.H < 1 || c.C < 1 || c.C % c.H || c.SIMD < 1 || c.D() % c.SIMD ||
              c.IN_BEAT_Q < 1 || c.IN_BEAT_K < 1 || c.IN_BEAT_V < 1 || c.C % c.IN_BEAT_Q ||
              c.C % c.IN_BEAT_K || c.C % c.IN_BEAT_V || c.R < c.G || c.EXP_DEPTH < 1)
            return "attention needs C % H == 0, D % SIMD == 0, C % IN_BEAT_* == 0";
        } else if constexpr (std::is_same_v<T, FifoConfig>) {
          if (c.DEPTH < 1 || c.beatsPerFrame < 1)
            return "fifo needs DEPTH, beatsPerFrame >= 1";
        } else if constexpr (std::is_same_v<T, SkidConfig>) {
          if (c.beatsPerFrame < 1)
            return "skid needs beatsPerFrame >= 1";
        }
        return "";
      },
      config);
}

/// The requantization stage loom_mvu and loom_dwu share (MvuConfig / DwuConfig
/// fields of the same names), beyond the accumulator: LeakyRelu (ACT Leaky) is
/// one W_OUT x 32-bit constant multiplier per PE, PRelu (W_LA > 0) a W_OUT x
/// W_LA multiplier per PE fed by the slope table (fetched with the bias); a
/// requantization multiplier (W_M > 0) is one wa x W_M multiplier per PE, a
/// post-multiply bias (W_PB > 0) one table beside the bias and one adder per PE.
template <typename UnitConfig>
static void addRequantStage(const UnitConfig &c, int64_t nf, ActorCost &r) {
  if (c.ACT == ActCode::Leaky) {
    r.multipliers += c.PE;
    r.memoryBits += int64_t(nf) * c.PE * c.W_LA;
  }
  if (c.W_M > 0) {
    r.multipliers += c.PE;
  }
  if (c.W_PB > 0) {
    r.memoryBits += int64_t(nf) * c.PE * c.W_PB;
  }
}

/// MMV lockstep copies of a unit (loom_mvu_mmv): each has its multipliers and its own
/// copy of the memories; timing and MACs are the group's (macs already counts every vector).
static ActorCost copies(ActorCost r, int mmv) {
  r.multipliers *= mmv;
  r.memoryBits *= mmv;
  return r;
}

int64_t streamLastIssue(const MvuStreamGeometry &g) {
  // Step j of the first frame needs min((j+1)*EL, frame) elements, i.e. ceil(need / IN_BEAT)
  // beats (beat i is taken at cycle i, counted from cycle i+1: the gearbox keeps in_ready up
  // while a step could starve), and issues one cycle after step j-1 at the earliest:
  // t_j = max(t_{j-1} + 1, ceil(need_j / IN_BEAT)). ceil((j+1)*EL / IN_BEAT) - j is
  // monotone in j, so the last step's t is the largest of the two ends of the full steps
  // (j = 0, j = STEPS-2) and the frame's last beat.
  const int64_t T = g.steps(), el = g.el(), ib = g.inBeat;
  int64_t t = g.frameBeats();
  if (T >= 2)
    t = std::max({t, (el + ib - 1) / ib + T - 1, ((T - 1) * el + ib - 1) / ib + 1});
  return t;
}

/// loom_mvu_stream (MvuConfig / DwuConfig with STREAM = 1): one step a cycle when the
/// input keeps up, so a frame every max(STEPS, frame beats) cycles; the first frame's
/// last step issues at streamLastIssue() and its output beat leaves 4 + PIPE + RQ_PIPE
/// cycles later as loom_mvu's (the same pipeline and credits). Checked against
/// MvuStreamModel in test/unit/hw_model and against the RTL in rtl/test/tb_mvu_stream.cpp.
/// Memories: lines() weight lines of N*SIMD lanes, one bias line.
template <typename UnitConfig>
static ActorCost streamCost(const UnitConfig &c, int64_t n, int64_t macs) {
  const MvuStreamGeometry g = streamGeometry(c);
  ActorCost r;
  r.cyclesPerFrame = std::max(g.steps(), g.frameBeats());
  r.latencyCycles = streamLastIssue(g) + 5 + c.PIPE + c.RQ_PIPE;
  const int64_t lanes = n * c.SIMD;
  r.multipliers = c.BIPOLAR_W ? 0 : lanes;
  r.multBitsA = c.W_IN, r.multBitsB = c.W_W, r.binary = c.BIPOLAR_W != 0;
  r.macs = macs;
  const int64_t tableBits = c.ACT == ActCode::Table ? n * c.T_DEPTH * c.W_OUT : 0;
  r.memoryBits = g.lines() * lanes * c.W_W + n * (c.W_ACC + c.W_M) + tableBits;
  addRequantStage(c, 1, r);
  return r;
}

ActorCost estimateCost(const MvuConfig &c) {
  if (c.STREAM)
    return streamCost(c, c.N, int64_t(c.N) * c.K * c.VECTORS);
  ActorCost r;
  const int64_t nf = c.nf(), ib = c.vecInBeats(), v = c.groups();
  const int64_t steps = c.steps();
  r.cyclesPerFrame = v * std::max(steps, ib);
  // first beat at 0, last at ib-1, issues ib .. ib+steps-1, +3 to the FIFO, +1 pop,
  // +PIPE MAC stages, +RQ_PIPE; each further vector of the frame adds one vector period.
  r.latencyCycles = ib + steps + 4 + c.PIPE + c.RQ_PIPE + (v - 1) * std::max(steps, ib);
  // Credits never limit an MVU alone: a credit returns 4 + PIPE + RQ_PIPE edges after
  // it is taken and OUT_DEPTH = 8 + PIPE + RQ_PIPE.
  const int64_t lanes = int64_t(c.PE) * c.SIMD;
  r.multipliers = c.BIPOLAR_W ? 0 : lanes;
  r.multBitsA = c.W_IN, r.multBitsB = c.W_W, r.binary = c.BIPOLAR_W != 0;
  r.macs = int64_t(c.N) * c.K * c.VECTORS; // a flat unit's last step has padding lanes
  const int64_t tableBits = c.ACT == ActCode::Table ? int64_t(c.PE) * c.T_DEPTH * c.W_OUT : 0;
  r.memoryBits = steps * c.PE * c.SIMD * c.W_W + nf * c.PE * (c.W_ACC + c.W_M) + tableBits;
  addRequantStage(c, nf, r);
  return copies(r, c.MMV);
}

ActorCost estimateCost(const SoftmaxConfig &c) {
  ActorCost r;
  const int64_t ib = c.inBeats();
  if (c.PIPELINED) { // loom_softmax_pipe: stages A, B of IB cycles, C of OB, the output register
    const int64_t ob = c.outBeats();
    r.cyclesPerFrame = std::max(ib, ob);
    r.latencyCycles = 2 * ib + ob + 1;
  } else {
    r.cyclesPerFrame = ib + 2LL * c.N;
    r.latencyCycles = ib + 2LL * c.N + 1;
  }
  r.multipliers = 0; // dividers (one; OUT_BEAT when pipelined) are counted in LUTs
  r.memoryBits = int64_t(c.EXP_DEPTH) * c.EXP_BITS;
  return r;
}

ActorCost estimateCost(const FifoConfig &c) {
  ActorCost r;
  r.cyclesPerFrame = c.beatsPerFrame;
  r.latencyCycles = int64_t(c.beatsPerFrame) + 1;
  r.memoryBits = 0;
  return r;
}

ActorCost estimateCost(const SkidConfig &c) {
  ActorCost r;
  r.cyclesPerFrame = c.beatsPerFrame;
  r.latencyCycles = int64_t(c.beatsPerFrame) + 1;
  return r;
}

/// Clean pass of one actor alone (all inputs offered every cycle, outputs always
/// ready): exact II / latency from the cycle model, for actors whose formula depends on
/// the geometry (loom_swg) or that are cheap to simulate.
static void simulateAlone(ActorModel &m, int64_t &ii, int64_t &latency) {
  const int frames = 3;
  const int nin = m.numIn(), nout = m.numOut();
  std::vector<int64_t> sent(nin, 0), got(nout, 0);
  std::vector<int64_t> frameEnd;
  int64_t first = -1;
  const int64_t outPerFrame = m.outBeatsPerFrameAt(0);
  bool inF[4], outF[4];
  for (int64_t t = 0; frameEnd.size() < size_t(frames) && t < (int64_t(1) << 40); ++t) {
    for (int p = 0; p < nin; ++p) {
      inF[p] = sent[p] < int64_t(frames) * m.inBeatsPerFrameAt(p) && m.inReadyAt(p);
      if (inF[p]) {
        if (p == 0 && sent[0] == 0)
          first = t;
        ++sent[p];
      }
    }
    for (int p = 0; p < nout; ++p) {
      outF[p] = m.outValidAt(p);
      if (outF[p] && p == 0 && ++got[0] % outPerFrame == 0)
        frameEnd.push_back(t);
    }
    m.stepPorts(inF, outF);
  }
  latency = frameEnd[0] - first + 1;
  ii = frameEnd[frames - 1] - frameEnd[frames - 2];
}

ActorCost estimateCost(const SwgConfig &c) {
  ActorCost r;
  if (validate(ActorConfig(c)).empty()) {
    // df-fold asks for the same windows thousands of times while it searches (a
    // fifth of a KWS compile was this simulation): remember each geometry's cycles.
    // WB and PAD_VAL do not change them.
    using Key = std::array<int, 16>;
    thread_local std::map<Key, std::pair<int64_t, int64_t>> seen;
    Key key{c.C,  c.H,  c.W,  c.KH, c.KW, c.SH,      c.SW,       c.DH,
            c.DW, c.PT, c.PL, c.PB, c.PR, c.IN_BEAT, c.OUT_BEAT, c.ROWS};
    auto [it, fresh] = seen.try_emplace(key);
    if (fresh) {
      SwgModel m(c);
      simulateAlone(m, it->second.first, it->second.second);
    }
    r.cyclesPerFrame = it->second.first, r.latencyCycles = it->second.second;
  }
  const int64_t bufBits = int64_t(c.rows()) * c.W * c.C * c.WB;
  r.memoryBits = bufBits;
  // gather: one R*W*C:1 mux per output lane (address decode dominated)
  return r;
}

/// Per row: C / IN_BEAT load beats into one bank while the other bank's row is
/// computed (1 idle cycle, calcCycles() for D, the isqrt and the reciprocal, C
/// output cycles): a row every max(C / IN_BEAT, 1 + calcCycles + C) cycles once
/// both sides are busy; II and latency from the cycle model alone (the overlap
/// across rows and frames). Multipliers: IN_BEAT squares while loading, S1^2
/// once per row, and per output element t * r and u * G.
ActorCost estimateCost(const LayerNormConfig &c) {
  ActorCost r;
  LayerNormModel m(c);
  simulateAlone(m, r.cyclesPerFrame, r.latencyCycles);
  r.multipliers = int64_t(c.IN_BEAT) + 3;
  r.memoryBits = int64_t(c.C) * (c.W_G + c.W_B);
  return r;
}

/// Per row: C / IN_BEAT load cycles, then C output cycles (no overlap); II and
/// latency from the cycle model alone. Multipliers: x * COS, x' * SIN and acc * M.
/// ROM: the cos and sin tables, T * C words of 16 bits each.
ActorCost estimateCost(const RotaryConfig &c) {
  ActorCost r;
  RotaryModel m(c);
  simulateAlone(m, r.cyclesPerFrame, r.latencyCycles);
  r.multipliers = 3;
  r.memoryBits = 2LL * c.T * c.C * 16;
  return r;
}

/// One output beat per cycle once the first id is in (the skid buffer keeps
/// in_ready registered without a bubble between ids); II and latency from the
/// cycle model alone. No multipliers; ROM: the token table and the position
/// table, W_OUT bits per code.
ActorCost estimateCost(const EmbedConfig &c) {
  ActorCost r;
  EmbedModel m(c);
  simulateAlone(m, r.cyclesPerFrame, r.latencyCycles);
  r.memoryBits = (int64_t(c.V) + (c.POS ? c.T : 0)) * c.C * c.W_OUT;
  return r;
}

/// Per row: its C / IN_BEAT beats on each input, one cycle to start, then per head
/// headCycles (scores and exps over the rows attended, the division, D outputs); no
/// overlap between loading and computing (CAUSAL = 0 loads all T rows first). II and
/// latency from the cycle model. Multipliers: SIMD q * k and SIMD e * v lanes, u * r and
/// w * M (PQ: e * r and u * M; SQ: one more, a * SM). Memories: K and V (the KV cache, 2 * T * C codes), q (C or T * C codes), the
/// T scores, the D accumulators and the exp table.
ActorCost estimateCost(const AttentionConfig &c) {
  ActorCost r;
  AttentionModel m(c);
  simulateAlone(m, r.cyclesPerFrame, r.latencyCycles);
  r.multipliers = 2 * int64_t(c.SIMD) + 2 + c.SQ; // SQ: a * SM
  r.memoryBits = attentionMemoryBits(c);
  return r;
}

int64_t attentionMemoryBits(const AttentionConfig &c) {
  int64_t qRows = c.CAUSAL ? 1 : c.T;
  return (2 * int64_t(c.T) + qRows) * c.C * c.W_IN + int64_t(c.T) * c.W_A +
         int64_t(c.D()) * c.W_U + int64_t(c.EXP_DEPTH) * c.EXP_BITS +
         int64_t(c.KB) * c.H * c.T * c.W_A; // the ALiBi key bias ROM
}

ActorCost estimateCost(const PoolConfig &c) {
  ActorCost r;
  // Per pixel: IBP input beats, OB output beats; one hold bank frees at the edge of the
  // last output beat and in_ready (registered) sees it one cycle later: period
  // P = max(IBP, OB + 1); two banks hide that cycle: max(IBP, OB). Latency: IBP
  // (input) + 1 (xfer) + OB (output register).
  const int64_t ibp = c.pixInBeats(), ob = c.pixOutBeats();
  const int64_t period = std::max(ibp, c.HOLD > 1 ? ob : ob + 1);
  r.cyclesPerFrame = c.NPIX * period;
  r.latencyCycles = ibp + ob + 1 + (c.NPIX - 1) * period;
  r.memoryBits = c.divRom ? int64_t(c.NPIX) * c.D_BITS : 0;
  return r;
}

ActorCost estimateCost(const DwuConfig &c) {
  if (c.STREAM)
    return streamCost(c, c.C, int64_t(c.C) * c.KK * c.VECTORS);
  ActorCost r;
  const int64_t sf = c.sf(), nf = c.nf(), ib = c.vecInBeats(), v = c.groups();
  const int64_t steps = nf * sf;
  r.cyclesPerFrame = v * std::max(steps, ib);
  r.latencyCycles = ib + steps + 4 + c.PIPE + c.RQ_PIPE + (v - 1) * std::max(steps, ib);
  const int64_t lanes = int64_t(c.PE) * c.SIMD;
  r.multipliers = c.BIPOLAR_W ? 0 : lanes;
  r.multBitsA = c.W_IN, r.multBitsB = c.W_W, r.binary = c.BIPOLAR_W != 0;
  r.macs = steps * lanes * c.VECTORS;
  const int64_t tableBits = c.ACT == ActCode::Table ? int64_t(c.PE) * c.T_DEPTH * c.W_OUT : 0;
  r.memoryBits = steps * c.PE * c.SIMD * c.W_W + nf * c.PE * (c.W_ACC + c.W_M) + tableBits;
  addRequantStage(c, nf, r);
  return copies(r, c.MMV);
}

ActorCost estimateCost(const ForkConfig &c) {
  ActorCost r; // two 2-entry FIFOs
  r.cyclesPerFrame = c.beatsPerFrame;
  r.latencyCycles = int64_t(c.beatsPerFrame) + 1;
  return r;
}

ActorCost estimateCost(const AddConfig &c) {
  ActorCost r; // two 2-entry input FIFOs + output register
  r.cyclesPerFrame = c.beatsPerFrame;
  r.latencyCycles = int64_t(c.beatsPerFrame) + 2;
  // MODE 1: one WB x WB product per lane, and a 2WB x 25-bit requantization product
  // when MA != 1 (affine); MODE 2: two WB x 25-bit constant products.
  r.multipliers = c.MODE == 1 ? c.LANES * (c.MA != 1 ? 2LL : 1LL) : c.MODE == 2 ? 2LL * c.LANES : 0;
  if (c.MODE == 1)
    r.multBitsA = c.WB, r.multBitsB = c.WB, r.macs = int64_t(c.LANES) * c.beatsPerFrame;
  if (c.MODE == 2)
    r.multBitsA = c.WB, r.multBitsB = 25;
  return r;
}

ActorCost estimateCost(const ConcatConfig &c) {
  ActorCost r;
  r.cyclesPerFrame = c.outBeats();
  r.latencyCycles = int64_t(c.outBeats()) + 2;
  return r;
}

ActorCost estimateCost(const UpsampleConfig &c) {
  ActorCost r;
  if (validate(ActorConfig(c)).empty()) { // exact by construction: the cycle model alone
    UpsampleModel m(c);
    simulateAlone(m, r.cyclesPerFrame, r.latencyCycles);
  }
  r.memoryBits = 2LL * c.W * c.C * c.WB; // two row banks
  return r;
}

int numInputs(const ActorConfig &c) {
  if (std::holds_alternative<AttentionConfig>(c))
    return 3;
  return std::holds_alternative<AddConfig>(c) || std::holds_alternative<ConcatConfig>(c) ? 2 : 1;
}
int numOutputs(const ActorConfig &c) { return std::holds_alternative<ForkConfig>(c) ? 2 : 1; }

ActorCost estimateCost(const ActorConfig &c) {
  return std::visit([](const auto &cfg) { return estimateCost(cfg); }, c);
}

} // namespace loom::hw

namespace {
int64_t wordsOf(int64_t lines, int64_t bits) { return lines * ((bits + 31) / 32); }
template <typename Unit> int64_t unitLoadWords(const Unit &c) {
  if (c.STREAM) // loom_mvu_stream: lines() weight lines of PE*SIMD lanes, one bias line
    return wordsOf(loom::hw::streamGeometry(c).lines(), int64_t(c.PE) * c.SIMD * c.W_W) +
           wordsOf(1, int64_t(c.PE) * c.W_ACC);
  return wordsOf(int64_t(c.steps()), int64_t(c.PE) * c.SIMD * c.W_W) +
         wordsOf(c.nf(), int64_t(c.PE) * c.W_ACC);
}
} // namespace

int64_t loom::hw::weightLoadWords(const ActorConfig &c) {
  if (auto *m = std::get_if<MvuConfig>(&c))
    return unitLoadWords(*m);
  if (auto *d = std::get_if<DwuConfig>(&c))
    return unitLoadWords(*d);
  if (auto *e = std::get_if<EmbedConfig>(&c)) // E: V rows, P: T rows, of C / OUT_BEAT lines
    return wordsOf(int64_t(e->V + (e->POS ? e->T : 0)) * e->beatsPerRow(),
                   int64_t(e->OUT_BEAT) * e->W_OUT);
  if (auto *l = std::get_if<LayerNormConfig>(&c)) // G and B: a line per channel
    return wordsOf(l->C, l->W_G) + wordsOf(l->C, l->W_B);
  return 0;
}
