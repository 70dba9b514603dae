// loom_dwu testbench for the affine integer path (docs/CONTRACTS.md): per-channel
// requantization multipliers (W_M), binary weights (BIPOLAR_W), sign / clip activations,
// LeakyRelu with a shared (LEAKY_A) or per-channel (W_LA, la.mem: PRelu) slope.
// The unit alone reads windows of KK*C elements in (k, c) order (as from a loom_swg);
// words against a golden computed here, the clean pass's beats against hw_model
// (MvuModel of a DwuConfig) exactly.
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

using namespace tb;

namespace {
// acc[c] = b[c] + sum_j x[j*C + c] * w[c][j]; then * M[c], shift, saturate, activation.
std::vector<int64_t> dwuGolden(const MvuParams &p, const MvuData &d,
                               const std::vector<int64_t> &win) {
  const int KK = p.K, C = p.N;
  std::vector<int64_t> y;
  for (int c = 0; c < C; ++c) {
    int64_t acc = d.b[c];
    for (int j = 0; j < KK; ++j)
      acc += win[size_t(j) * C + c] * d.w[c][j];
    int64_t o = requantAct(p, d, c, acc);
    y.push_back(o);
  }
  return y;
}
} // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  // K = KK taps, N = C channels: makeMvu writes w[c][j] in the dwu layout.
  MvuParams p{P_KK,    P_C,     P_SIMD, P_PE,    P_IN_BEAT, P_W_IN, P_W_W, P_W_ACC,
              P_W_OUT, P_SHIFT, P_ACT,  P_T_MIN, P_T_MAX,   0,      1};
  p.W_M = P_W_M;
  p.BIPOLAR_W = P_BIPOLAR_W;
  p.LEAKY_A = P_LEAKY_A;
  p.W_LA = P_W_LA;
  std::mt19937_64 rng(P_SEED);
  MvuData d = makeMvu(p, rng, "w.mem", "b.mem", "", "m.mem");
  Vtop *top = new Vtop;
  int fails = 0;
  const int win = P_KK * P_C;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{8, 1.0, 1.0}, {12, 0.6, 0.5}, {12, 0.9, 0.2}, {12, 0.3, 0.95}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.frames; ++f) {
      std::vector<int64_t> x(win);
      for (auto &v : x)
        v = randS(rng, P_W_IN);
      for (Bits &b : pack(x, P_IN_BEAT, P_W_IN))
        in.push_back(b);
      for (Bits &b : pack(dwuGolden(p, d, x), P_PE, P_W_OUT))
        exp.push_back(b);
    }
    RunResult r = run(top, in, P_PE * P_W_OUT, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("pass %d: timeout\n", pi);
      return 1;
    }
    fails += compareBeats(r.out, exp, "dwu");
    if (pi == 0) {
      Timing t = measure(r, win / P_IN_BEAT, P_C / P_PE, ps.frames);
      loom::hw::DwuConfig c;
      c.C = P_C;
      c.KK = P_KK;
      c.SIMD = P_SIMD;
      c.PE = P_PE;
      c.IN_BEAT = P_IN_BEAT;
      c.W_IN = P_W_IN;
      c.W_W = P_W_W;
      c.W_ACC = P_W_ACC;
      c.W_OUT = P_W_OUT;
      c.ACT = loom::hw::ActCode(P_ACT);
      c.W_M = P_W_M;
      c.BIPOLAR_W = P_BIPOLAR_W;
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m = loom::hw::predictTiming({{c, "dwu"}}, ps.frames, &mOut, &mIn);
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
