// loom_layernorm testbench: parameters from numerics::makeLayerNorm (checked against the
// -G values the RTL was built with), every output code against an independent golden
// of docs/CONTRACTS.md "LayerNorm" (and numerics::layerNormRow against it), clean-pass
// timing beat by beat against hw_model, randomized gaps/backpressure passes.
#include "Vtop.h"
#include "compiler/numerics/LayerNorm.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

#include <cmath>

using namespace tb;
using i128 = __int128;

#ifndef P_RMS
#define P_RMS 0 // 1: RMSNorm (S1 := 0, beta 0)
#endif

namespace {
/// shift_round_even on 128 bits, written from the contract (not numerics' code).
i128 sre(i128 a, int s) {
  if (s == 0)
    return a;
  i128 floorQ = a >= 0 ? a / (i128(1) << s) : -((-a + (i128(1) << s) - 1) / (i128(1) << s));
  i128 rem = a - floorQ * (i128(1) << s), half = i128(1) << (s - 1);
  return floorQ + ((rem > half || (rem == half && (floorQ & 1))) ? 1 : 0);
}

/// floor(sqrt(v)) by a float estimate corrected in integers (not bit by bit).
i128 rootOf(i128 v) {
  i128 q = i128(std::sqrt(double(v)));
  while (q * q > v)
    --q;
  while ((q + 1) * (q + 1) <= v)
    ++q;
  return q;
}

std::vector<int64_t> golden(const loom::numerics::LayerNormParams &p,
                            const std::vector<int64_t> &x) {
  i128 s1 = 0, s2 = 0;
  for (int64_t v : x)
    s1 += v, s2 += i128(v) * v;
  if (P_RMS)
    s1 = 0; // RMSNorm: D = C*S2, t = C*c
  i128 d = i128(p.C) * s2 - s1 * s1;
  i128 q = rootOf(d * (i128(1) << (2 * p.P)) + p.E * (i128(1) << (2 * p.P - p.es)));
  i128 r = (i128(1) << p.R) / q; // (unused when d = 0: every t is 0)
  std::vector<int64_t> y;
  for (int64_t i = 0; i < p.C; ++i) {
    i128 u = sre((i128(p.C) * x[i] - s1) * r, p.sh1);
    i128 z = sre(u * p.G[i] + p.B[i], p.sh2);
    y.push_back(int64_t(z < p.lo ? p.lo : z > p.hi ? p.hi : z));
  }
  return y;
}
} // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  const int C = P_C;
  // gamma in [-GMAX, GMAX] with gamma[0] = GMAX (so the output shift is fixed),
  // beta in [-1, 1]; input 2^-FIN, output 2^-FOUT, epsilon 1e-5.
  const double sIn = std::ldexp(1.0, -P_FIN), sOut = std::ldexp(1.0, -P_FOUT), gmax = 1.5;
  std::uniform_real_distribution<double> ug(-gmax, gmax), ub(-1.0, 1.0);
  std::vector<double> gamma(C), beta(C);
  for (int i = 0; i < C; ++i)
    gamma[i] = i == 0 ? gmax : ug(rng), beta[i] = P_RMS ? (ub(rng), 0.0) : ub(rng);
  int64_t lo = -(int64_t(1) << (P_W_OUT - 1)), hi = (int64_t(1) << (P_W_OUT - 1)) - 1;
  if (P_RELU)
    lo = 0;
  auto pe = loom::numerics::makeLayerNorm(C, P_W_IN, P_W_OUT, sIn, sOut, 1e-5, gamma, beta, lo, hi,
                                          P_RMS != 0);
  if (!pe) {
    std::printf("makeLayerNorm: %s\n", llvm::toString(pe.takeError()).c_str());
    return 1;
  }
  const loom::numerics::LayerNormParams &p = *pe;
  if (p.E != P_E || p.es != P_ES || p.vBits() != P_W_V || p.tBits() != P_W_T || p.uBits() != P_W_U ||
      p.gBits() > P_W_G || p.bBits() > P_W_B || p.zBits() > P_W_Z || p.R != P_R ||
      p.sh1 != P_SH1 || p.sh2 != P_SH2 || p.P != P_P || p.lo != P_LO || p.hi != P_HI) {
    std::printf("RTL parameters differ from numerics: E=%lld ES=%d W_V=%d W_T=%d W_U=%d W_G=%d W_B=%d "
                "W_Z=%d P=%d R=%d SH1=%d SH2=%d LO=%lld HI=%lld\n",
                (long long)p.E, p.es, p.vBits(), p.tBits(), p.uBits(), p.gBits(), p.bBits(), p.zBits(),
                p.P, p.R, p.sh1, p.sh2, (long long)p.lo, (long long)p.hi);
    return 1;
  }
  std::vector<Bits> g, b;
  for (int i = 0; i < C; ++i) {
    g.emplace_back(P_W_G), g.back().set(0, P_W_G, p.G[i]);
    b.emplace_back(P_W_B), b.back().set(0, P_W_B, p.B[i]);
  }
  writeMem("g.mem", g);
  writeMem("b.mem", b);

  Vtop *top = new Vtop;
  int fails = 0;
  struct Pass {
    int rows;
    double pv, pr;
  };
  const Pass passes[] = {{6, 1.0, 1.0}, {12, 0.6, 0.5}, {12, 0.9, 0.2}, {12, 0.3, 0.95}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.rows; ++f) {
      // full-range rows, narrow rows around a random level, and constant rows
      int bits = (f % 3 == 0) ? P_W_IN : (f % 3 == 1 ? 3 : 1);
      int64_t base = f % 3 ? randS(rng, P_W_IN - 1) : 0;
      std::vector<int64_t> x(C);
      for (auto &v : x)
        v = saturate(base + (bits > 1 ? randS(rng, bits) : 0), P_W_IN);
      std::vector<int64_t> y = golden(p, x);
      if (y != loom::numerics::layerNormRow(p, x)) {
        std::printf("numerics::layerNormRow differs from the contract's golden\n");
        ++fails;
      }
      for (Bits &bt : pack(x, P_IN_BEAT, P_W_IN))
        in.push_back(bt);
      for (Bits &bt : pack(y, 1, P_W_OUT))
        exp.push_back(bt);
    }
    RunResult r = run(top, in, P_W_OUT, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("timeout\n");
      return 1;
    }
    fails += compareBeats(r.out, exp, "layernorm");
    if (pi == 0) {
      // one row per frame: the cycle of every beat against the model
      loom::hw::LayerNormConfig c;
      c.C = C, c.IN_BEAT = P_IN_BEAT, c.W_IN = P_W_IN, c.W_OUT = P_W_OUT;
      c.W_V = P_W_V, c.W_T = P_W_T, c.W_U = P_W_U, c.W_G = P_W_G, c.W_B = P_W_B, c.W_Z = P_W_Z;
      c.P = P_P, c.R = P_R, c.ROWS = 1;
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m = loom::hw::predictTiming({{c, ""}}, ps.rows, &mOut, &mIn);
      Timing t = measure(r, C / P_IN_BEAT, C, ps.rows);
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
