// loom_add testbench for MODE 2, the scaled add of affine integer graphs
// (docs/CONTRACTS.md): y = saturate_WB(shift_round_even(a * MA + b * MB, S)), and MODE 1
// with MA != 1, the scaled product (an int8 gated MLP): saturate_WB(shift_round_even(a * b
// * MA, F)); then relu or the clip to [LO, HI]. Two input streams with independent random valid gaps and
// random output backpressure; every word against loom::numerics::scaledAdd (the
// reference's 128-bit integers, independent of the RTL's widths); the clean pass's beat
// cycles on every port against hw_model predictActorAlone and estimateCost.
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Cost.h"
#include "hw_model/Pipeline.h"

#ifndef P_F
#define P_F 0
#endif
#ifndef P_MB
#define P_MB 1
#endif
#ifndef P_S
#define P_S 0
#endif
#ifndef P_RELU
#define P_RELU 0
#endif
#ifndef P_CLIP
#define P_CLIP 0
#define P_LO 0
#define P_HI 0
#endif

using namespace tb;
using namespace loom::hw;

namespace {
int64_t golden(int64_t a, int64_t b) {
#if P_MODE == 1
  int64_t y = loom::numerics::requantizeMult(a * b, P_MA, P_F, P_WB);
#else
  int64_t y = loom::numerics::scaledAdd(a, P_MA, b, P_MB, P_S, P_WB);
#endif
  if (P_RELU && y < 0)
    y = 0;
  if (P_CLIP)
    y = std::min<int64_t>(std::max<int64_t>(y, P_LO), P_HI);
  return y;
}

struct Res {
  std::vector<Bits> out;
  std::vector<int64_t> inC[2], outC;
  bool timeout = false;
};

Res runAdd(Vtop *top, const std::vector<Bits> *in, size_t nOut, double pv, double pr,
           uint64_t seed) {
  Res r;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  top->clk = 0;
  top->rst = 1;
  top->in0_valid = top->in1_valid = 0;
  top->out_ready = 0;
  top->eval();
  for (int i = 0; i < 4; ++i)
    tick(top);
  top->rst = 0;
  top->eval();
  size_t sent[2] = {0, 0};
  bool offer[2] = {false, false};
  for (int64_t t = 0; r.out.size() < nOut; ++t) {
    if (t > 200000) {
      r.timeout = true;
      return r;
    }
    for (int p = 0; p < 2; ++p)
      if (!offer[p] && sent[p] < in[p].size())
        offer[p] = pv >= 1.0 || u(rng) < pv;
    top->in0_valid = offer[0];
    top->in1_valid = offer[1];
    if (sent[0] < in[0].size())
      toPort(top->in0_data, in[0][sent[0]]);
    if (sent[1] < in[1].size())
      toPort(top->in1_data, in[1][sent[1]]);
    top->out_ready = pr >= 1.0 || u(rng) < pr;
    top->eval();
    bool inFire[2] = {top->in0_valid && top->in0_ready, top->in1_valid && top->in1_ready};
    for (int p = 0; p < 2; ++p)
      if (inFire[p]) {
        r.inC[p].push_back(t);
        ++sent[p];
        offer[p] = false;
      }
    if (top->out_valid && top->out_ready) {
      r.out.push_back(fromPort(top->out_data, P_LANES * P_WB));
      r.outC.push_back(t);
    }
    tick(top);
  }
  return r;
}
} // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  Vtop *top = new Vtop;
  int fails = 0;
  const int beats = 5, n = beats * P_LANES; // elements per frame
  AddConfig cfg;
  cfg.LANES = P_LANES, cfg.WB = P_WB, cfg.MODE = P_MODE, cfg.MA = P_MA, cfg.MB = P_MB;
  cfg.S = P_S, cfg.F = P_F, cfg.beatsPerFrame = beats;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{8, 1.0, 1.0}, {10, 0.6, 0.5}, {10, 0.9, 0.2}, {10, 0.3, 0.95}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<int64_t> x0, x1, y;
    for (int i = 0; i < ps.frames * n; ++i) {
      // extremes first, then random codes
      int64_t lo = -(int64_t(1) << (P_WB - 1)), hi = (int64_t(1) << (P_WB - 1)) - 1;
      int64_t a = i < 4 ? (i & 1 ? hi : lo) : randS(rng, P_WB);
      int64_t b = i < 4 ? (i & 2 ? hi : lo) : randS(rng, P_WB);
      x0.push_back(a), x1.push_back(b), y.push_back(golden(a, b));
    }
    std::vector<Bits> in[2] = {pack(x0, P_LANES, P_WB), pack(x1, P_LANES, P_WB)};
    std::vector<Bits> exp = pack(y, P_LANES, P_WB);
    Res r = runAdd(top, in, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("pass %d: timeout\n", pi);
      ++fails;
      break;
    }
    fails += compareBeats(r.out, exp, "add");
    if (pi == 0) {
      std::vector<std::vector<int64_t>> mIn, mOut;
      PipelineTiming m = predictActorAlone(cfg, ps.frames, &mIn, &mOut);
      int64_t lat = r.outC[beats - 1] - r.inC[0][0] + 1;
      int64_t ii = r.outC.back() - r.outC[exp.size() - beats - 1];
      ActorCost c = estimateCost(cfg);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld\n", (long long)lat,
                  (long long)ii, (long long)m.latency_cycles, (long long)m.ii_cycles);
      bool ok = m.ok && lat == m.latency_cycles && ii == m.ii_cycles && lat == c.latencyCycles &&
                ii == c.cyclesPerFrame && mOut[0] == r.outC;
      for (int p = 0; ok && p < 2; ++p)
        ok = mIn[p] == r.inC[p];
      if (!ok) {
        std::printf("TIMING MISMATCH rtl vs hw_model %s\n", m.error.c_str());
        ++fails;
      }
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
