// loom_mvu testbench: random weights/bias/table/multipliers written to w.mem/b.mem/t.mem/
// m.mem/la.mem (per-channel LeakyRelu slopes)/pb.mem (post-multiply biases) (binary weights as bits when BIPOLAR_W), a clean
// pass (timing checked against hw_model predictTiming, exact) and randomized passes
// with valid gaps and backpressure (values checked against the golden model).
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

#include <chrono>

using namespace tb;

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  const MvuParams p{P_K,       P_N,       P_SIMD,  P_PE,        P_IN_BEAT, P_W_IN,  P_W_W,
                    P_W_ACC,   P_W_OUT,   P_SHIFT, P_ACT,       P_T_MIN,   P_T_MAX, P_T_SHIFT,
                    P_T_DEPTH, P_LEAKY_A, P_W_M,   P_BIPOLAR_W, P_W_LA,    P_W_PB};
  std::mt19937_64 rng(P_SEED);
  MvuData d = makeMvu(p, rng, "w.mem", "b.mem", "t.mem");
  Vtop *top = new Vtop;
  int fails = 0;

  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{8, 1.0, 1.0}, {12, 0.6, 0.5}, {12, 0.9, 0.2}, {12, 0.3, 0.95}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.frames; ++f) {
      std::vector<int64_t> x(p.K);
      for (auto &v : x)
        v = randS(rng, p.W_IN);
      for (Bits &b : pack(x, p.IN_BEAT, p.W_IN))
        in.push_back(b);
      for (Bits &b : pack(mvuGolden(p, d, x), p.PE, p.W_OUT))
        exp.push_back(b);
    }
    RunResult r = run(top, in, p.PE * p.W_OUT, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("pass %d: timeout\n", pi);
      return 1;
    }
    fails += compareBeats(r.out, exp, "mvu");
    if (pi == 0) {
      Timing t = measure(r, p.K / p.IN_BEAT, p.N / p.PE, ps.frames);
      loom::hw::MvuConfig c;
      c.K = p.K;
      c.N = p.N;
      c.SIMD = p.SIMD;
      c.PE = p.PE;
      c.IN_BEAT = p.IN_BEAT;
      c.W_IN = p.W_IN;
      c.W_W = p.W_W;
      c.W_ACC = p.W_ACC;
      c.W_OUT = p.W_OUT;
      c.ACT = loom::hw::ActCode(p.ACT);
      c.T_DEPTH = p.T_DEPTH;
      c.W_M = p.W_M;
      c.BIPOLAR_W = p.BIPOLAR_W;
      c.W_PB = p.W_PB;
      c.PIPE = P_PIPE; // RTL only: the golden values do not depend on it
      c.RQ_PIPE = P_RQ_PIPE;
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m = loom::hw::predictTiming({{c, "mvu"}}, ps.frames, &mOut, &mIn);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld\n", (long long)t.latency,
                  (long long)t.ii, (long long)m.latency_cycles, (long long)m.ii_cycles);
      if (!m.ok || t.latency != m.latency_cycles || t.ii != m.ii_cycles || mOut != r.outCycles ||
          mIn != r.inCycles) {
        std::printf("TIMING MISMATCH rtl vs hw_model %s\n", m.error.c_str());
        ++fails;
      }
    }
  }
  // Optional throughput measurement: LOOM_TB_PERF_FRAMES=<n> runs a clean pass of n frames.
  if (const char *pf = std::getenv("LOOM_TB_PERF_FRAMES")) {
    int frames = std::atoi(pf);
    std::vector<Bits> in;
    for (int f = 0; f < frames; ++f) {
      std::vector<int64_t> x(p.K);
      for (auto &v : x)
        v = randS(rng, p.W_IN);
      for (Bits &b : pack(x, p.IN_BEAT, p.W_IN))
        in.push_back(b);
    }
    auto t0 = std::chrono::steady_clock::now();
    RunResult r =
        run(top, in, p.PE * p.W_OUT, size_t(frames) * (p.N / p.PE), 1.0, 1.0, 7, int64_t(1) << 40);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("perf: %lld cycles in %.3f s = %.3f Mcycles/s\n", (long long)r.outCycles.back(), s,
                r.outCycles.back() / s / 1e6);
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
