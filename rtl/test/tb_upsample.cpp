// loom_upsample testbench (TOP loom_upsample): random frames of an H x W x C map
// (channels-last, LANES elements per beat) must come out as the (H*SH) x (W*SW) map with
// output pixel (oh, ow) = input pixel (oh / SH, ow / SW), under random valid/ready; in the
// clean pass every input/output beat's cycle must equal hw_model's UpsampleModel
// (predictTiming), and estimateCost's II / latency the measured ones.
#include "Vtop.h"
#include "hw_model/Cost.h"
#include "hw_model/Pipeline.h"
#include "tb_common.h"

using namespace tb;

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  Vtop *top = new Vtop;
  const int C = P_C, H = P_H, W = P_W, SH = P_SH, SW = P_SW, L = P_LANES, WB = P_WB;
  const int CB = C / L, inBeats = H * W * CB, outBeats = H * SH * W * SW * CB;
  loom::hw::UpsampleConfig cfg;
  cfg.C = C;
  cfg.H = H;
  cfg.W = W;
  cfg.SH = SH;
  cfg.SW = SW;
  cfg.LANES = L;
  cfg.WB = WB;
  int fails = 0;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{8, 1.0, 1.0}, {6, 0.5, 0.5}, {6, 0.9, 0.3}, {6, 0.3, 0.9}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.frames; ++f) {
      std::vector<int64_t> x(size_t(H) * W * C);
      for (auto &v : x)
        v = int64_t(rng() % (1u << WB)) - (1 << (WB - 1));
      for (int i = 0; i < inBeats; ++i) {
        Bits b(L * WB);
        for (int e = 0; e < L; ++e)
          b.set(e * WB, WB, x[size_t(i) * L + e]);
        in.push_back(b);
      }
      for (int oh = 0; oh < H * SH; ++oh)
        for (int ow = 0; ow < W * SW; ++ow)
          for (int cb = 0; cb < CB; ++cb) {
            Bits b(L * WB);
            for (int e = 0; e < L; ++e)
              b.set(e * WB, WB, x[(size_t(oh / SH) * W + ow / SW) * C + cb * L + e]);
            exp.push_back(b);
          }
    }
    RunResult r = run(top, in, L * WB, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("timeout (pass %d)\n", pi);
      return 1;
    }
    fails += compareBeats(r.out, exp, "upsample");
    if (pi == 0) {
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m =
          loom::hw::predictTiming({{loom::hw::ActorConfig(cfg), "up"}}, ps.frames, &mOut, &mIn);
      Timing t = measure(r, inBeats, outBeats, ps.frames);
      loom::hw::ActorCost cost = loom::hw::estimateCost(cfg);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld | cost latency %lld "
                  "ii %lld\n",
                  (long long)t.latency, (long long)t.ii, (long long)m.latency_cycles,
                  (long long)m.ii_cycles, (long long)cost.latencyCycles,
                  (long long)cost.cyclesPerFrame);
      if (!m.ok || mOut != r.outCycles || mIn != r.inCycles) {
        std::printf("TIMING MISMATCH rtl vs hw_model%s%s\n", m.ok ? "" : ": ",
                    m.ok ? "" : m.error.c_str());
        ++fails;
      }
      if (cost.latencyCycles != t.latency || cost.cyclesPerFrame != t.ii) {
        std::printf("estimateCost differs from the RTL\n");
        ++fails;
      }
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
