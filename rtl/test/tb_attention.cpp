// loom_attention testbench: parameters from numerics::makeAttention (checked against the
// -G values the RTL was built with), every output code against numerics::attentionFrame
// on random codes (the numerics are checked against float attention in unit-numerics),
// the clean pass's every beat cycle on every port against hw_model, and randomized
// gaps / backpressure passes with independent valid gaps on q, k and v.
#include "Vtop.h"
#include "compiler/numerics/Attention.h"
#include "golden.h"
#include "hw_model/Cost.h"
#include "hw_model/Pipeline.h"

#include <cmath>
#include <optional>

using namespace tb;

namespace {
struct Multi {
  std::vector<Bits> out;
  std::vector<int64_t> inC[3], outC;
  bool timeout = false;
};

Multi runAttention(Vtop *top, const std::vector<Bits> *in, size_t nOut, double pv, double pr,
                   uint64_t seed) {
  Multi r;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  top->clk = 0;
  top->rst = 1;
  top->q_valid = top->k_valid = top->v_valid = 0;
  top->out_ready = 0;
  top->eval();
  for (int i = 0; i < 4; ++i)
    tick(top);
  top->rst = 0;
  top->eval();
  size_t sent[3] = {0, 0, 0};
  bool offer[3] = {false, false, false};
  for (int64_t t = 0; r.out.size() < nOut; ++t) {
    if (t > 5000000) {
      r.timeout = true;
      return r;
    }
    for (int p = 0; p < 3; ++p)
      if (!offer[p] && sent[p] < in[p].size())
        offer[p] = pv >= 1.0 || u(rng) < pv;
    top->q_valid = offer[0];
    top->k_valid = offer[1];
    top->v_valid = offer[2];
    if (sent[0] < in[0].size())
      toPort(top->q_data, in[0][sent[0]]);
    if (sent[1] < in[1].size())
      toPort(top->k_data, in[1][sent[1]]);
    if (sent[2] < in[2].size())
      toPort(top->v_data, in[2][sent[2]]);
    top->out_ready = pr >= 1.0 || u(rng) < pr;
    top->eval();
    bool fire[3] = {top->q_valid && top->q_ready, top->k_valid && top->k_ready,
                    top->v_valid && top->v_ready};
    for (int p = 0; p < 3; ++p)
      if (fire[p]) {
        r.inC[p].push_back(t);
        ++sent[p];
        offer[p] = false;
      }
    if (top->out_valid && top->out_ready) {
      r.out.push_back(fromPort(top->out_data, P_W_OUT));
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
  const int T = P_T, C = P_C;
  // q, k, v and the output at 2^-F (fixed point), scale 1 / sqrt(D).
  const double s = std::ldexp(1.0, -P_F);
  int64_t lo = -(int64_t(1) << (P_W_OUT - 1)), hi = (int64_t(1) << (P_W_OUT - 1)) - 1;
  // QDQ mode (P_SQ / P_PQ): the model's own uint8 quantizers on the scores (zero point
  // P_SZP, a scale that clips the largest full-range scores) and on the probabilities
  // (1/255, ONNX Runtime's calibration of a softmax output).
  std::optional<loom::numerics::InnerQuant> sq, pq;
#if defined(P_SQ) && P_SQ
  sq = loom::numerics::InnerQuant{s * s * double(C / P_H) * std::ldexp(1.0, 2 * P_W_IN - 5) / 127.0,
                                  P_SZP, 0, 255};
#endif
#if defined(P_PQ) && P_PQ
  pq = loom::numerics::InnerQuant{double(float(1.0 / 255.0)), 0, 0, 255};
#endif
  // KB: ALiBi slopes 2^-(h+1) over the key positions, in real score units
  std::vector<double> kb;
#if defined(P_KB) && P_KB
  for (int h = 0; h < P_H; ++h)
    for (int j = 0; j < T; ++j)
      kb.push_back(std::ldexp(1.0, -(h + 1)) * double(j));
#endif
  auto pe = loom::numerics::makeAttention(T, C, P_H, P_CAUSAL != 0, P_W_IN, P_W_OUT, s, s, s,
                                          1.0 / std::sqrt(double(C / P_H)), s, 0, lo, hi, sq, pq,
#ifdef P_WINDOW
                                          P_WINDOW
#else
                                          0
#endif
                                          , kb);
  if (!pe) {
    std::printf("makeAttention: %s\n", llvm::toString(pe.takeError()).c_str());
    return 1;
  }
  const loom::numerics::AttentionParams &p = *pe;
  if (p.aBits() != P_W_A || p.sBits() != P_W_S || p.uBits() != P_W_U || p.rBits() != P_W_R ||
      p.mBits() != P_W_M || p.mult != P_M || p.shift != P_SH || p.exp.shift != P_EXP_SHIFT ||
      p.exp.depth() != P_EXP_DEPTH || p.eBits() != P_EXP_BITS || p.lo != P_LO || p.hi != P_HI) {
    std::printf("RTL parameters differ from numerics: W_A=%d W_S=%d W_U=%d W_R=%d W_M=%d M=%lld "
                "SH=%d EXP_SHIFT=%d EXP_DEPTH=%lld EXP_BITS=%d LO=%lld HI=%lld\n",
                p.aBits(), p.sBits(), p.uBits(), p.rBits(), p.mBits(), (long long)p.mult, p.shift,
                p.exp.shift, (long long)p.exp.depth(), p.eBits(), (long long)p.lo, (long long)p.hi);
    return 1;
  }
#if defined(P_SQ) || defined(P_PQ)
  if (p.score.on != (P_SQ != 0) || p.prob.on != (P_PQ != 0) || p.smBits() != P_W_SM ||
      p.pcBits() != P_W_PC || p.divSteps() != P_DIV_STEPS ||
      (p.score.on && (p.score.mult != P_SM || p.score.shift != P_SSH || p.score.lo != P_SLO ||
                      p.score.hi != P_SHI)) ||
      (p.prob.on && (p.prob.pm != P_PM || p.prob.pk != P_PK || p.prob.lo != P_PLO ||
                     p.prob.hi != P_PHI))) {
    std::printf("QDQ parameters differ from numerics: SM=%lld SSH=%d SLO=%lld SHI=%lld W_SM=%d "
                "PM=%lld PK=%d PLO=%lld PHI=%lld W_PC=%d DIV_STEPS=%d\n",
                (long long)p.score.mult, p.score.shift, (long long)p.score.lo,
                (long long)p.score.hi, p.smBits(), (long long)p.prob.pm, p.prob.pk,
                (long long)p.prob.lo, (long long)p.prob.hi, p.pcBits(), p.divSteps());
    return 1;
  }
#endif
  std::vector<Bits> e;
  for (int64_t v : p.exp.values)
    e.emplace_back(P_EXP_BITS), e.back().set(0, P_EXP_BITS, v);
  writeMem("exp.mem", e);
  if (!p.keyBias.empty()) {
    std::vector<Bits> kbm;
    for (int64_t v : p.keyBias)
      kbm.emplace_back(P_W_A), kbm.back().set(0, P_W_A, v);
    writeMem("kb.mem", kbm);
  }

  loom::hw::AttentionConfig cfg;
  cfg.T = T, cfg.C = C, cfg.H = P_H, cfg.IN_BEAT_Q = P_IN_BEAT_Q, cfg.IN_BEAT_K = P_IN_BEAT_K;
  cfg.IN_BEAT_V = P_IN_BEAT_V, cfg.SIMD = P_SIMD, cfg.CAUSAL = P_CAUSAL, cfg.W_IN = P_W_IN;
  cfg.W_OUT = P_W_OUT, cfg.W_A = P_W_A, cfg.W_S = P_W_S, cfg.W_U = P_W_U, cfg.W_R = P_W_R;
  cfg.W_M = P_W_M, cfg.R = p.R, cfg.G = p.G, cfg.EXP_BITS = P_EXP_BITS;
  cfg.EXP_DEPTH = P_EXP_DEPTH;
  cfg.SQ = p.score.on, cfg.W_SM = p.smBits(), cfg.PQ = p.prob.on, cfg.W_PC = p.pcBits();
  cfg.DIV_STEPS = p.divSteps();
  cfg.WINDOW = int(p.window);
  cfg.KB = p.keyBias.empty() ? 0 : 1;

  Vtop *top = new Vtop;
  int fails = 0;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{3, 1.0, 1.0}, {2, 0.6, 0.5}, {2, 0.9, 0.2}, {2, 0.3, 0.95}};
  const int ib[3] = {P_IN_BEAT_Q, P_IN_BEAT_K, P_IN_BEAT_V};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in[3], exp;
    for (int f = 0; f < ps.frames; ++f) {
      // full-range codes, then narrow ones (peaked and flat softmax rows)
      int bits = f % 2 ? 3 : P_W_IN;
      std::vector<int64_t> x[3];
      for (auto &v : x)
        for (int i = 0; i < T * C; ++i)
          v.push_back(randS(rng, bits));
      for (int i = 0; i < 3; ++i)
        for (Bits &bt : pack(x[i], ib[i], P_W_IN))
          in[i].push_back(bt);
      for (Bits &bt : pack(loom::numerics::attentionFrame(p, x[0], x[1], x[2]), 1, P_W_OUT))
        exp.push_back(bt);
    }
    Multi r = runAttention(top, in, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("pass %d: timeout\n", pi);
      return 1;
    }
    fails += compareBeats(r.out, exp, "attention");
    if (pi == 0) {
      std::vector<std::vector<int64_t>> mIn, mOut;
      loom::hw::PipelineTiming m = loom::hw::predictActorAlone(cfg, ps.frames, &mIn, &mOut);
      size_t perFrame = exp.size() / ps.frames;
      int64_t lat = r.outC[perFrame - 1] - r.inC[0][0] + 1;
      int64_t ii = r.outC.back() - r.outC[exp.size() - perFrame - 1];
      loom::hw::ActorCost c = loom::hw::estimateCost(cfg);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld | cost latency %lld "
                  "ii %lld\n",
                  (long long)lat, (long long)ii, (long long)m.latency_cycles,
                  (long long)m.ii_cycles, (long long)c.latencyCycles, (long long)c.cyclesPerFrame);
      bool ok = m.ok && lat == m.latency_cycles && ii == m.ii_cycles;
      for (size_t q = 0; ok && q < mIn.size(); ++q)
        ok = mIn[q] == r.inC[q];
      ok = ok && mOut.size() == 1 && mOut[0] == r.outC;
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
