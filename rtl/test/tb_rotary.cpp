// loom_rotary testbench: random cos / sin table codes (within +-2^14) and input codes,
// every output word against a golden written from docs/CONTRACTS.md "Rotary" (and
// numerics::rotaryFrame against it), the clean pass's cycle of every beat against
// hw_model's RotaryModel, randomized gaps/backpressure passes. Frames of T rows, so the
// position counter wraps between frames.
#include "Vtop.h"
#include "compiler/numerics/Affine.h"
#include "compiler/numerics/Rotary.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

using namespace tb;

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  const int T = P_T, C = P_C, D = P_D, IB = P_IN_BEAT;
  loom::numerics::RotaryParams p;
  p.T = T, p.C = C, p.D = D, p.inWidth = P_W_IN, p.outWidth = P_W_OUT;
  p.mult = P_M, p.shift = P_SH, p.lo = P_LO, p.hi = P_HI;
  const int64_t one = int64_t(1) << loom::numerics::RotaryParams::kFrac;
  for (int i = 0; i < T * C; ++i) {
    p.cos.push_back(int64_t(rng() % uint64_t(2 * one + 1)) - one);
    p.sin.push_back(int64_t(rng() % uint64_t(2 * one + 1)) - one);
  }
  int fails = 0;
  if (p.accBits() > P_W_ACC || p.mBits() > P_W_M) {
    std::printf("W_ACC %d / W_M %d below the numerics' %d / %d\n", P_W_ACC, P_W_M, p.accBits(),
                p.mBits());
    return 1;
  }
  auto image = [&](const std::vector<int64_t> &codes) {
    std::vector<Bits> lines;
    for (int64_t v : codes) {
      lines.emplace_back(16);
      lines.back().set(0, 16, v);
    }
    return lines;
  };
  writeMem("cos.mem", image(p.cos));
  writeMem("sin.mem", image(p.sin));

  Vtop *top = new Vtop;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{3, 1.0, 1.0}, {3, 0.6, 0.5}, {3, 0.9, 0.2}, {3, 0.3, 0.95}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.frames; ++f) {
      std::vector<int64_t> x(size_t(T) * C);
      for (auto &v : x)
        v = randS(rng, P_W_IN);
      std::vector<int64_t> y;
      for (int t = 0; t < T; ++t) // the contract, written out
        for (int c = 0; c < C; ++c) {
          int d = c % D, partner = c - d + (d + D / 2) % D;
          __int128 acc = __int128(x[size_t(t * C + c)]) * p.cos[size_t(t * C + c)] +
                         __int128(x[size_t(t * C + partner)]) * p.sin[size_t(t * C + c)];
          __int128 z = loom::numerics::shiftRoundEven128(acc * P_M, P_SH);
          y.push_back(int64_t(z < P_LO ? P_LO : z > P_HI ? P_HI : z));
        }
      if (loom::numerics::rotaryFrame(p, x) != y) {
        std::printf("numerics::rotaryFrame differs from the contract's golden\n");
        ++fails;
      }
      for (Bits &bt : pack(x, IB, P_W_IN))
        in.push_back(bt);
      for (Bits &bt : pack(y, 1, P_W_OUT))
        exp.push_back(bt);
    }
    RunResult r = run(top, in, P_W_OUT, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("timeout\n");
      return 1;
    }
    fails += compareBeats(r.out, exp, "rotary");
    if (pi == 0) {
      loom::hw::RotaryConfig c;
      c.T = T, c.C = C, c.D = D, c.IN_BEAT = IB, c.W_IN = P_W_IN, c.W_OUT = P_W_OUT;
      c.W_ACC = P_W_ACC, c.W_M = P_W_M;
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m = loom::hw::predictTiming({{c, ""}}, ps.frames, &mOut, &mIn);
      Timing t = measure(r, size_t(T) * C / IB, size_t(T) * C, ps.frames);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld\n", (long long)t.latency,
                  (long long)t.ii, (long long)m.latency_cycles, (long long)m.ii_cycles);
      if (!m.ok || mOut != r.outCycles || mIn != r.inCycles) {
        std::printf("TIMING MISMATCH rtl vs hw_model\n");
        ++fails;
      }
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
