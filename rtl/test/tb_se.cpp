// Squeeze-and-excitation shaped DAG (tb_se_top.sv) against a golden (x + broadcast
// per-channel max of the frame, saturated) under random valid/ready, and the clean pass
// against the hw_model DAG model: every input/output beat cycle equal to
// predictGraphTiming. The skip FIFO fills while the global pool waits for a whole frame,
// so backpressure reaches the fork and the global-window swg; a skip FIFO one entry too
// small gives frame intervals that alternate (16, 17, 16, ...): the clean pass also
// checks that every frame interval after the first equals the II.
// With -DSIZING_CHECK: the skip depth must equal hw_model sizeFifos' depth for that edge
// (the smallest depth that keeps the unbounded schedule).
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

using namespace tb;
using namespace loom::hw;

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  const int C = P_C, HW = P_HW, L = P_L, beats = HW * HW * C / L;
  SwgConfig s;
  s.C = C;
  s.H = s.W = s.KH = s.KW = HW;
  s.IN_BEAT = s.OUT_BEAT = L;
  s.PAD_VAL = -128;
  s.ROWS = 2 * HW;
  PoolConfig p;
  p.MODE = 0;
  p.C = C;
  p.KK = HW * HW;
  p.IN_BEAT = p.PE = L;
  p.NPIX = 1;
  UpsampleConfig u;
  u.C = C;
  u.H = u.W = 1;
  u.SH = u.SW = HW;
  u.LANES = L;
  // fork out0 -> skip FIFO -> add.in0, out1 -> swg -> pool -> upsample -> FIFO(2) -> add.in1
  auto graph = [&](int skip) {
    std::vector<Node> g = {{{ForkConfig{8 * L, beats}, "fork"}, {-1}},
                           {{FifoConfig{8 * L, skip, beats}, "skip"}, {0}},
                           {{s, "swg"}, {0}},
                           {{p, "pool"}, {2}},
                           {{u, "up"}, {3}},
                           {{FifoConfig{8 * L, 2, beats}, "bfifo"}, {4}},
                           {{AddConfig{L, 8, 0, 0, beats}, "add"}, {1, 5}}};
    return g;
  };
  int fails = 0;
#ifdef SIZING_CHECK
  {
    std::vector<Node> g = {{{ForkConfig{8 * L, beats}, "fork"}, {-1}},
                           {{s, "swg"}, {0}},
                           {{p, "pool"}, {1}},
                           {{u, "up"}, {2}},
                           {{AddConfig{L, 8, 0, 0, beats}, "add"}, {0, 3}}};
    std::string err;
    std::vector<Edge> edges = graphEdges(g, &err);
    std::vector<bool> mask(edges.size(), false);
    for (size_t e = 0; e < edges.size(); ++e)
      mask[e] = edges[e].to == 4;
    FifoSizing fs = sizeFifos(g, kPredictFrames, mask);
    int depth = 0;
    for (size_t e = 0; e < edges.size(); ++e)
      if (mask[e] && edges[e].toPort == 0)
        depth = fs.depth[e];
    std::printf("sizeFifos: skip depth %d (ii unbounded %lld, sized %lld) %s\n", depth,
                (long long)fs.ii_unbounded, (long long)fs.ii_sized, fs.error.c_str());
    if (!fs.ok || depth != P_SKIP) {
      std::printf("SKIP FIFO DEPTH MISMATCH: tb_se_top SKIP=%d, hw_model %d\n", P_SKIP, depth);
      ++fails;
    }
  }
#endif
  Vtop *top = new Vtop;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{8, 1.0, 1.0}, {3, 0.6, 0.5}, {3, 0.9, 0.2}, {3, 0.3, 0.95}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.frames; ++f) {
      std::vector<int64_t> x(size_t(HW) * HW * C), y(x.size()), mx(C, -128);
      for (auto &v : x)
        v = randS(rng, 8);
      for (size_t i = 0; i < x.size(); ++i)
        mx[i % C] = std::max(mx[i % C], x[i]);
      for (size_t i = 0; i < x.size(); ++i)
        y[i] = saturate(x[i] + mx[i % C], 8);
      for (Bits &b : pack(x, L, 8))
        in.push_back(b);
      for (Bits &b : pack(y, L, 8))
        exp.push_back(b);
    }
    RunResult r = run(top, in, 8 * L, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("pass %d: timeout\n", pi);
      return 1;
    }
    fails += compareBeats(r.out, exp, "se");
    if (pi == 0) {
      std::vector<int64_t> mOut, mIn;
      PipelineTiming m = predictGraphTiming(graph(P_SKIP), ps.frames, &mOut, &mIn);
      Timing t = measure(r, in.size() / ps.frames, exp.size() / ps.frames, ps.frames);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld\n", (long long)t.latency,
                  (long long)t.ii, (long long)m.latency_cycles, (long long)m.ii_cycles);
      if (!m.ok || t.latency != m.latency_cycles || t.ii != m.ii_cycles || mOut != r.outCycles ||
          mIn != r.inCycles) {
        std::printf("TIMING MISMATCH rtl vs hw_model %s\n", m.error.c_str());
        ++fails;
      }
      // Every frame interval after the first equals the II (no alternating schedule).
      for (int f = 2; f < ps.frames; ++f) {
        int64_t iv = r.outCycles[size_t(f + 1) * beats - 1] - r.outCycles[size_t(f) * beats - 1];
        if (iv != t.ii) {
          std::printf("FRAME INTERVAL %d->%d is %lld, II %lld (skip FIFO too small)\n", f - 1, f,
                      (long long)iv, (long long)t.ii);
          ++fails;
        }
      }
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
