// loom_softmax testbench: exp.mem per CONTRACTS.md, golden softmax, clean-pass timing
// equal to hw_model, randomized gaps/backpressure passes. With P_PIPE = 1 the same checks
// for loom_softmax_pipe (output beats of P_OUT_BEAT, SoftmaxConfig::PIPELINED), plus its
// clean-pass II (max(N / IN_BEAT, N / OUT_BEAT)) and latency (2 N / IN_BEAT + N / OUT_BEAT
// + 1) exactly.
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

using namespace tb;

#ifndef P_PIPE
#define P_PIPE 0
#endif
#ifndef P_OUT_BEAT
#define P_OUT_BEAT P_IN_BEAT
#endif

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  const SoftmaxParams p{P_N, P_IN_BEAT, P_W, P_F, P_EXP_SHIFT, P_EXP_DEPTH, P_EXP_BITS};
  std::mt19937_64 rng(P_SEED);
  std::vector<int64_t> expT = makeExpTable(p, "exp.mem");
  Vtop *top = new Vtop;
  int fails = 0;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{8, 1.0, 1.0},  {16, 0.6, 0.5},  {16, 0.9, 0.2},  {16, 0.3, 0.95},
                         {64, 1.0, 0.7}, {64, 0.8, 1.0}, {200, 0.95, 0.95}};
  const int outBeat = P_PIPE ? P_OUT_BEAT : 1, nPasses = P_PIPE ? 7 : 4;
  for (int pi = 0; pi < nPasses; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.frames; ++f) {
      // alternate full-range frames and frames concentrated near one value
      int bits = (f % 2) ? p.W : std::max(2, p.F + 2);
      int64_t base = randS(rng, p.W - 1);
      std::vector<int64_t> y(p.N);
      for (auto &v : y)
        v = saturate(base / 2 + randS(rng, bits), p.W);
      for (Bits &b : pack(y, p.IN_BEAT, p.W))
        in.push_back(b);
      for (Bits &b : pack(softmaxGolden(p, expT, y), outBeat, p.W))
        exp.push_back(b);
    }
    RunResult r = run(top, in, outBeat * p.W, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("timeout\n");
      return 1;
    }
    fails += compareBeats(r.out, exp, "softmax");
    if (pi == 0) {
      loom::hw::SoftmaxConfig c;
      c.N = p.N;
      c.IN_BEAT = p.IN_BEAT;
      c.W = p.W;
      c.EXP_DEPTH = p.EXP_DEPTH;
      c.EXP_BITS = p.EXP_BITS;
      c.PIPELINED = P_PIPE;
      c.OUT_BEAT = outBeat;
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m = loom::hw::predictTiming({{c, ""}}, ps.frames, &mOut, &mIn);
      Timing t = measure(r, p.N / p.IN_BEAT, p.N / outBeat, ps.frames);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld\n", (long long)t.latency,
                  (long long)t.ii, (long long)m.latency_cycles, (long long)m.ii_cycles);
      if (!m.ok || mOut != r.outCycles || mIn != r.inCycles) {
        std::printf("TIMING MISMATCH rtl vs hw_model\n");
        ++fails;
      }
      const int64_t ib = p.N / p.IN_BEAT, ob = p.N / outBeat;
      if (P_PIPE && (t.ii != std::max(ib, ob) || t.latency != 2 * ib + ob + 1)) {
        std::printf("TIMING: want ii %lld latency %lld\n", (long long)std::max(ib, ob),
                    (long long)(2 * ib + ob + 1));
        ++fails;
      }
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
