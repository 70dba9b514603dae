// Residual block (tb_res_top.sv) against the golden (swg/mvu/add formulas of
// CONTRACTS.md) under random valid/ready, and the clean pass against the hw_model DAG
// model: every input/output beat cycle, latency and II equal to predictGraphTiming; the
// skip FIFO depth equal to sizeFifos' result for the skip edge.
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

using namespace tb;
using namespace loom::hw;

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  SwgConfig s;
  s.C = 4;
  s.H = 4;
  s.W = 4;
  s.KH = 3;
  s.KW = 3;
  s.PT = s.PL = s.PB = s.PR = 1;
  s.IN_BEAT = 4;
  s.OUT_BEAT = 12;
  const MvuParams p1{36, 4, P_SIMD1, 4, 12, 8, 8, 24, 8, 6, 1, 0, 0, 0, 1};
  const MvuParams p2{36, 4, P_SIMD2, 4, 12, 8, 8, 24, 8, 6, 0, 0, 0, 0, 1};
  MvuData d1 = makeMvu(p1, rng, "r1_w.mem", "r1_b.mem", "");
  MvuData d2 = makeMvu(p2, rng, "r2_w.mem", "r2_b.mem", "");
  const int npix = s.OH() * s.OW();
  auto conv = [&](const MvuParams &p, const MvuData &d, const std::vector<int64_t> &x) {
    std::vector<int64_t> win = swgGolden(s, x), y;
    for (int v = 0; v < npix; ++v) {
      auto o =
          mvuGolden(p, d, std::vector<int64_t>(win.begin() + v * 36, win.begin() + (v + 1) * 36));
      y.insert(y.end(), o.begin(), o.end());
    }
    return y;
  };
  // hw_model graph (fork port 0 -> swg2, port 1 -> skip FIFO), as in tb_res_top.sv
  MvuConfig m1, m2;
  m1.K = m2.K = 36;
  m1.N = m2.N = 4;
  m1.PE = m2.PE = 4;
  m1.IN_BEAT = m2.IN_BEAT = 12;
  m1.SIMD = P_SIMD1;
  m2.SIMD = P_SIMD2;
  m1.ACT = ActCode::Relu;
  m1.VECTORS = m2.VECTORS = npix;
  auto graph = [&](int skip) {
    std::vector<Node> g = {
        {{s, "swg1"}, {-1}}, {{m1, "mvu1"}, {0}}, {{ForkConfig{32, npix}, "fork"}, {1}},
        {{s, "swg2"}, {2}},  {{m2, "mvu2"}, {3}}, {{AddConfig{4, 8, 0, 0, npix}, "add"}, {4, 2}}};
    if (skip > 0) {
      g.push_back({{FifoConfig{32, skip, npix}, "skip"}, {2}});
      g[5].inputs[1] = 6;
    }
    return g;
  };
  int fails = 0;
  {
    std::vector<Node> g = graph(0);
    std::string err;
    std::vector<Edge> edges = graphEdges(g, &err);
    std::vector<bool> mask(edges.size(), false);
    for (size_t e = 0; e < edges.size(); ++e)
      mask[e] = edges[e].from == 2 && edges[e].fromPort == 1;
    FifoSizing fs = sizeFifos(g, kPredictFrames, mask);
    int depth = 0;
    for (size_t e = 0; e < edges.size(); ++e)
      if (mask[e])
        depth = fs.depth[e];
    std::printf("sizeFifos: skip depth %d (ii unbounded %lld, sized %lld) %s\n", depth,
                (long long)fs.ii_unbounded, (long long)fs.ii_sized, fs.error.c_str());
    if (!fs.ok || depth != P_SKIP) {
      std::printf("SKIP FIFO DEPTH MISMATCH: tb_res_top SKIP=%d, hw_model %d\n", P_SKIP, depth);
      ++fails;
    }
  }
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
      std::vector<int64_t> x(size_t(s.H) * s.W * s.C);
      for (auto &v : x)
        v = randS(rng, 8);
      for (Bits &b : pack(x, 4, 8))
        in.push_back(b);
      std::vector<int64_t> y1 = conv(p1, d1, x), y2 = conv(p2, d2, y1), y(y1.size());
      for (size_t i = 0; i < y.size(); ++i)
        y[i] = saturate(y1[i] + y2[i], 8);
      for (Bits &b : pack(y, 4, 8))
        exp.push_back(b);
    }
    RunResult r = run(top, in, 32, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("pass %d: timeout\n", pi);
      return 1;
    }
    fails += compareBeats(r.out, exp, "residual");
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
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
