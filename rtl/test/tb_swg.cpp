// loom_swg testbench: random NHWC frames, output windows against the CONTRACTS golden
// (ih = oh*SH - PT + kh*DH, ...; padded positions = PAD_VAL) under random valid/ready,
// clean-pass beat cycles against hw_model (SwgModel via predictTiming).
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

using namespace tb;

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  loom::hw::SwgConfig c;
  c.C = P_C; c.H = P_H; c.W = P_W; c.KH = P_KH; c.KW = P_KW; c.SH = P_SH; c.SW = P_SW;
  c.DH = P_DH; c.DW = P_DW; c.PT = P_PT; c.PL = P_PL; c.PB = P_PB; c.PR = P_PR;
  c.IN_BEAT = P_IN_BEAT; c.OUT_BEAT = P_OUT_BEAT; c.WB = P_WB; c.PAD_VAL = P_PAD_VAL;
  std::mt19937_64 rng(P_SEED);
  Vtop *top = new Vtop;
  int fails = 0;
  struct Pass { int frames; double pv, pr; };
  const Pass passes[] = {{8, 1.0, 1.0}, {4, 0.6, 0.5}, {4, 0.9, 0.2}, {4, 0.3, 0.95}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.frames; ++f) {
      std::vector<int64_t> x(size_t(c.H) * c.W * c.C);
      for (auto &v : x) v = randS(rng, c.WB);
      for (Bits &b : pack(x, c.IN_BEAT, c.WB)) in.push_back(b);
      for (Bits &b : pack(swgGolden(c, x), c.OUT_BEAT, c.WB)) exp.push_back(b);
    }
    RunResult r = run(top, in, c.OUT_BEAT * c.WB, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("pass %d: timeout\n", pi);
      return 1;
    }
    fails += compareBeats(r.out, exp, "swg");
    if (pi == 0) {
      Timing t = measure(r, c.inBeats(), c.outBeats(), ps.frames);
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m = loom::hw::predictTiming({{c, "swg"}}, ps.frames, &mOut, &mIn);
      loom::hw::ActorCost cost = loom::hw::estimateCost(c);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld | cost %lld %lld\n",
                  (long long)t.latency, (long long)t.ii, (long long)m.latency_cycles,
                  (long long)m.ii_cycles, (long long)cost.latencyCycles,
                  (long long)cost.cyclesPerFrame);
      if (!m.ok || t.latency != m.latency_cycles || t.ii != m.ii_cycles ||
          mOut != r.outCycles || mIn != r.inCycles || cost.latencyCycles != t.latency ||
          cost.cyclesPerFrame != t.ii) {
        std::printf("TIMING MISMATCH rtl vs hw_model %s\n", m.error.c_str());
        ++fails;
      }
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
