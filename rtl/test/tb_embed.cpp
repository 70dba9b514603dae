// loom_embed testbench: random token and position tables, every output word against
// a golden written from docs/CONTRACTS.md "Embedding" (and numerics::embedFrame
// against it), every id of the vocabulary looked up, the clean pass's cycle of every
// beat against hw_model's EmbedModel, randomized gaps/backpressure passes.
#include "Vtop.h"
#include "compiler/numerics/Embed.h"
#include "golden.h"
#include "hw_model/Pipeline.h"

using namespace tb;

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  const int V = P_V, C = P_C, T = P_T, OB = P_OUT_BEAT, NB = C / OB;
  // Tables span the whole word, so sums leave [LO, HI] and the clamp is exercised.
  std::vector<int64_t> table(size_t(V) * C), pos(size_t(T) * C, 0);
  for (auto &v : table)
    v = randS(rng, P_W_OUT);
  if (P_POS)
    for (auto &v : pos)
      v = randS(rng, P_W_OUT);
  auto image = [&](const std::vector<int64_t> &codes) {
    std::vector<Bits> lines;
    for (size_t l = 0; l < codes.size() / OB; ++l) {
      lines.emplace_back(OB * P_W_OUT);
      for (int e = 0; e < OB; ++e)
        lines.back().set(e * P_W_OUT, P_W_OUT, codes[l * OB + e]);
    }
    return lines;
  };
  writeMem("e.mem", image(table));
  writeMem("p.mem", image(pos));

  Vtop *top = new Vtop;
  int fails = 0;
  struct Pass {
    int frames;
    double pv, pr;
  };
  // The first pass looks up every id of the vocabulary (frames of T ids, in order).
  const int sweep = (V + T - 1) / T;
  const Pass passes[] = {{std::max(sweep, 3), 1.0, 1.0}, {5, 0.6, 0.5}, {5, 0.9, 0.2},
                         {5, 0.3, 0.95}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.frames; ++f) {
      std::vector<int64_t> ids(T);
      for (int t = 0; t < T; ++t)
        ids[t] = pi == 0 ? (f * T + t) % V : int64_t(rng() % uint64_t(V));
      std::vector<int64_t> y;
      for (int t = 0; t < T; ++t) // the contract: clamp(E[id] + P[t], LO, HI)
        for (int c = 0; c < C; ++c) {
          int64_t s = table[ids[t] * C + c] + pos[t * C + c];
          y.push_back(s < P_LO ? P_LO : s > P_HI ? P_HI : s);
        }
      auto ref = loom::numerics::embedFrame(ids, table, P_POS ? pos : std::vector<int64_t>(), V,
                                            C, P_LO, P_HI);
      if (!ref || *ref != y) {
        std::printf("numerics::embedFrame differs from the contract's golden\n");
        ++fails;
      }
      for (int64_t id : ids) {
        in.emplace_back(P_W_ID);
        in.back().set(0, P_W_ID, id);
      }
      for (Bits &bt : pack(y, OB, P_W_OUT))
        exp.push_back(bt);
    }
    RunResult r = run(top, in, OB * P_W_OUT, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("timeout\n");
      return 1;
    }
    fails += compareBeats(r.out, exp, "embed");
    if (pi == 0) {
      loom::hw::EmbedConfig c;
      c.V = V, c.C = C, c.T = T, c.OUT_BEAT = OB, c.W_ID = P_W_ID, c.W_OUT = P_W_OUT, c.POS = P_POS;
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m = loom::hw::predictTiming({{c, ""}}, ps.frames, &mOut, &mIn);
      Timing t = measure(r, T, size_t(T) * NB, ps.frames);
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
