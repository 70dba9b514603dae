// Chain testbench: mvu -> [fifo] -> mvu -> softmax -> tlast_gen. Values against the
// golden models under random gaps/backpressure; clean-pass latency/II and every beat's
// cycle against hw_model::predictTiming (must be equal).
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

using namespace tb;

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  const MvuParams p1{P_K1, P_N1, P_SIMD1, P_PE1, P_IB1, 8, 8, 24, 8, P_SHIFT1, 1, 0, 0, 0, 1};
  const MvuParams p2{P_N1, P_N2, P_SIMD2, P_PE2, P_PE1, 8, 8, 24, 8, P_SHIFT2, 2, -128, 127, 3, 32};
  const SoftmaxParams ps{P_N2, P_PE2, 8, 4, 0, 256, 16};
  MvuData d1 = makeMvu(p1, rng, "w1.mem", "b1.mem", "");
  MvuData d2 = makeMvu(p2, rng, "w2.mem", "b2.mem", "t2.mem");
  std::vector<int64_t> expT = makeExpTable(ps, "exp.mem");
  Vtop *top = new Vtop;
  int fails = 0;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{8, 1.0, 1.0}, {10, 0.6, 0.5}, {10, 0.3, 0.9}};
  for (int pi = 0; pi < 3; ++pi) {
    const Pass &pa = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < pa.frames; ++f) {
      std::vector<int64_t> x(p1.K);
      for (auto &v : x)
        v = randS(rng, 8);
      for (Bits &b : pack(x, p1.IN_BEAT, 8))
        in.push_back(b);
      auto y = softmaxGolden(ps, expT, mvuGolden(p2, d2, mvuGolden(p1, d1, x)));
      for (Bits &b : pack(y, 1, 8))
        exp.push_back(b);
    }
    RunResult r = run<Vtop, HasLast>(top, in, 8, exp.size(), pa.pv, pa.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("timeout\n");
      return 1;
    }
    fails += compareBeats(r.out, exp, "chain");
    for (size_t i = 0; i < r.outLast.size(); ++i)
      if (r.outLast[i] != int((i + 1) % P_N2 == 0)) {
        std::printf("out_last wrong at beat %zu\n", i);
        ++fails;
        break;
      }
    if (pi == 0) {
      using namespace loom::hw;
      MvuConfig m1, m2;
      m1.K = p1.K;
      m1.N = p1.N;
      m1.SIMD = p1.SIMD;
      m1.PE = p1.PE;
      m1.IN_BEAT = p1.IN_BEAT;
      m1.ACT = ActCode::Relu;
      m2.K = p2.K;
      m2.N = p2.N;
      m2.SIMD = p2.SIMD;
      m2.PE = p2.PE;
      m2.IN_BEAT = p2.IN_BEAT;
      m2.ACT = ActCode::Table;
      m2.T_DEPTH = 32;
      SoftmaxConfig s;
      s.N = ps.N;
      s.IN_BEAT = ps.IN_BEAT;
      s.EXP_DEPTH = 256;
      std::vector<ActorSpec> chain = {{m1, "mvu1"}};
      if (P_FD > 0)
        chain.push_back({FifoConfig{8 * p1.PE, P_FD, p1.N / p1.PE}, "fifo"});
      chain.push_back({m2, "mvu2"});
      chain.push_back({s, "softmax"});
      std::vector<int64_t> mOut, mIn;
      PipelineTiming m = predictTiming(chain, pa.frames, &mOut, &mIn);
      Timing t = measure(r, p1.K / p1.IN_BEAT, ps.N, pa.frames);
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
