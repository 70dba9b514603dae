// Per-actor cost formulas. Cycle/latency formulas are exact for the actor alone in a
// clean pass (checked against the cycle models in test/unit/hw_model and against the
// RTL in rtl/test); LUT/FF figures are rough.
#include "hw_model/Cost.h"

#include <algorithm>

namespace loom::hw {

static int64_t clog2(int64_t v) {
  int64_t r = 0;
  while ((int64_t(1) << r) < v) ++r;
  return r;
}

std::string validate(const ActorConfig &config) {
  return std::visit(
      [](const auto &c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, MvuConfig>) {
          if (c.K < 1 || c.N < 1 || c.SIMD < 1 || c.PE < 1 || c.IN_BEAT < 1)
            return "mvu sizes must be positive";
          if (c.K % c.SIMD || c.K % c.IN_BEAT || c.N % c.PE)
            return "mvu needs K % SIMD == 0, K % IN_BEAT == 0, N % PE == 0";
        } else if constexpr (std::is_same_v<T, SoftmaxConfig>) {
          if (c.N < 1 || c.IN_BEAT < 1 || c.N % c.IN_BEAT)
            return "softmax needs N % IN_BEAT == 0";
        } else if constexpr (std::is_same_v<T, FifoConfig>) {
          if (c.DEPTH < 1 || c.beatsPerFrame < 1) return "fifo needs DEPTH, beatsPerFrame >= 1";
        } else {
          if (c.beatsPerFrame < 1) return "skid needs beatsPerFrame >= 1";
        }
        return "";
      },
      config);
}

ActorCost estimateCost(const MvuConfig &c) {
  ActorCost r;
  const int64_t sf = c.sf(), nf = c.nf(), ib = c.inBeats();
  const int64_t steps = nf * sf;
  r.cyclesPerFrame = std::max(steps, ib);
  // first beat at 0, last at ib-1, issues ib .. ib+steps-1, +3 to the FIFO, +1 pop.
  r.latencyCycles = ib + steps + 4;
  // Credits never limit an MVU alone: a credit returns 4 edges after it is taken
  // and OUT_DEPTH = 8.
  r.multipliers = int64_t(c.PE) * c.SIMD;
  const int64_t tableBits = c.ACT == 2 ? int64_t(c.PE) * c.T_DEPTH * c.W_OUT : 0;
  r.memoryBits = steps * c.PE * c.SIMD * c.W_W + nf * c.PE * c.W_ACC + tableBits;
  const int64_t wa = std::max(c.W_ACC, c.W_IN + c.W_W);
  // registers: input banks, x/w/b operand regs, accumulators, y, output FIFO, control
  r.ffs = 2LL * c.K * c.W_IN + int64_t(c.SIMD) * c.W_IN + int64_t(c.PE) * c.SIMD * c.W_W +
          int64_t(c.PE) * c.W_ACC + int64_t(c.PE) * wa + int64_t(c.PE) * c.W_OUT +
          8LL * c.PE * c.W_OUT + clog2(sf) + clog2(nf) + clog2(ib) + clog2(steps) + 16;
  // LUT fabric multipliers ~ W_IN*W_W, adder tree + accumulator ~ wa per input,
  // weight ROM as LUT-ROM (64 bits/LUT6) when not in block RAM, table ROM similar.
  const int64_t mults = r.multipliers;
  r.luts = mults * c.W_IN * c.W_W + mults * wa + int64_t(c.PE) * wa * 2 +
           (steps > 1 ? (steps * c.PE * c.SIMD * c.W_W) / 64 : 0) + tableBits / 64 +
           (2LL * c.K * c.W_IN) / 4 + 32;
  return r;
}

ActorCost estimateCost(const SoftmaxConfig &c) {
  ActorCost r;
  const int64_t ib = c.inBeats();
  r.cyclesPerFrame = ib + 2LL * c.N;
  r.latencyCycles = ib + 2LL * c.N + 1;
  r.multipliers = 0;  // one divider (counted in LUTs)
  r.memoryBits = int64_t(c.EXP_DEPTH) * c.EXP_BITS;
  const int64_t sw = c.EXP_BITS + clog2(c.N + 1);
  r.ffs = int64_t(c.N) * c.W + int64_t(c.N) * c.EXP_BITS + sw + 2LL * c.W + 16;
  r.luts = sw * sw + int64_t(c.IN_BEAT) * c.W + r.memoryBits / 64 + 32;
  return r;
}

ActorCost estimateCost(const FifoConfig &c) {
  ActorCost r;
  r.cyclesPerFrame = c.beatsPerFrame;
  r.latencyCycles = int64_t(c.beatsPerFrame) + 1;
  r.memoryBits = 0;
  r.ffs = int64_t(c.W) * c.DEPTH + 2 * clog2(c.DEPTH) + clog2(c.DEPTH + 1);
  r.luts = int64_t(c.W) * (c.DEPTH > 1 ? clog2(c.DEPTH) : 1) + 8;
  return r;
}

ActorCost estimateCost(const SkidConfig &c) {
  ActorCost r;
  r.cyclesPerFrame = c.beatsPerFrame;
  r.latencyCycles = int64_t(c.beatsPerFrame) + 1;
  r.ffs = 2LL * c.W + 2;
  r.luts = c.W + 4;
  return r;
}

ActorCost estimateCost(const ActorConfig &c) {
  return std::visit([](const auto &cfg) { return estimateCost(cfg); }, c);
}

}  // namespace loom::hw
