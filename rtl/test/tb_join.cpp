// 2-port modules testbench (top tb_join_top.sv): loom_fork, loom_add (Add, Mul),
// loom_concat. Two input streams with independent random valid gaps, two output streams
// with independent random backpressure; words against the CONTRACTS golden; the clean
// pass's every beat cycle on every port against hw_model predictActorAlone.
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Cost.h"
#include "hw_model/Pipeline.h"

using namespace tb;
using namespace loom::hw;

namespace {
struct Multi {
  std::vector<Bits> out[2];
  std::vector<int64_t> inC[2], outC[2];
  bool timeout = false;
};

Multi runMulti(Vtop *top, const std::vector<Bits> *in, const size_t *nOut, double pv, double pr,
               uint64_t seed) {
  Multi r;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  top->clk = 0;
  top->rst = 1;
  top->in0_valid = top->in1_valid = 0;
  top->out0_ready = top->out1_ready = 0;
  top->eval();
  for (int i = 0; i < 4; ++i)
    tick(top);
  top->rst = 0;
  top->eval();
  size_t sent[2] = {0, 0};
  bool offer[2] = {false, false};
  for (int64_t t = 0; r.out[0].size() < nOut[0] || r.out[1].size() < nOut[1]; ++t) {
    if (t > 200000) {
      r.timeout = true;
      return r;
    }
    for (int p = 0; p < 2; ++p)
      if (!offer[p] && sent[p] < in[p].size())
        offer[p] = pv >= 1.0 || u(rng) < pv;
    top->in0_valid = offer[0];
    top->in1_valid = offer[1];
    if (sent[0] < in[0].size())
      toPort(top->in0_data, in[0][sent[0]]);
    if (sent[1] < in[1].size())
      toPort(top->in1_data, in[1][sent[1]]);
    top->out0_ready = pr >= 1.0 || u(rng) < pr;
    top->out1_ready = pr >= 1.0 || u(rng) < pr;
    top->eval();
    bool inFire[2] = {top->in0_valid && top->in0_ready, top->in1_valid && top->in1_ready};
    for (int p = 0; p < 2; ++p)
      if (inFire[p]) {
        r.inC[p].push_back(t);
        ++sent[p];
        offer[p] = false;
      }
    if (top->out0_valid && top->out0_ready) {
      r.out[0].push_back(fromPort(top->out0_data, 16));
      r.outC[0].push_back(t);
    }
    if (top->out1_valid && top->out1_ready) {
      r.out[1].push_back(fromPort(top->out1_data, 16));
      r.outC[1].push_back(t);
    }
    tick(top);
  }
  return r;
}
} // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  Vtop *top = new Vtop;
  int fails = 0;
  const char *names[4] = {"fork", "add", "mul", "concat"};
  const int npix = 3; // concat: C1 = 4 (2 beats), C2 = 2 (1 beat) per pixel
  const ActorConfig cfgs[4] = {ForkConfig{16, 6}, AddConfig{2, 8, 0, 0, 6},
                               AddConfig{2, 8, 1, 3, 6}, ConcatConfig{4, 2, 2, 8, npix}};
  for (int ci = 0; ci < 4; ++ci) {
    top->sel = ci;
    struct Pass {
      int frames;
      double pv, pr;
    };
    const Pass passes[] = {{8, 1.0, 1.0}, {6, 0.6, 0.5}, {6, 0.9, 0.2}, {6, 0.3, 0.95}};
    for (int pi = 0; pi < 4; ++pi) {
      const Pass &ps = passes[pi];
      std::vector<int64_t> x0, x1, y0, y1;
      const int n0 = ci == 3 ? 4 * npix : 12, n1 = ci == 0 ? 0 : ci == 3 ? 2 * npix : 12;
      for (int f = 0; f < ps.frames; ++f) {
        std::vector<int64_t> a(n0), b(n1);
        for (auto &v : a)
          v = randS(rng, 8);
        for (auto &v : b)
          v = randS(rng, 8);
        x0.insert(x0.end(), a.begin(), a.end());
        x1.insert(x1.end(), b.begin(), b.end());
        if (ci == 0) {
          y0.insert(y0.end(), a.begin(), a.end());
          y1.insert(y1.end(), a.begin(), a.end());
        } else if (ci == 1 || ci == 2) {
          for (int i = 0; i < n0; ++i)
            y0.push_back(ci == 1 ? saturate(a[i] + b[i], 8)
                                 : saturate(shiftRoundEven(a[i] * b[i], 3), 8));
        } else {
          for (int p = 0; p < npix; ++p) {
            y0.insert(y0.end(), a.begin() + 4 * p, a.begin() + 4 * p + 4);
            y0.insert(y0.end(), b.begin() + 2 * p, b.begin() + 2 * p + 2);
          }
        }
      }
      std::vector<Bits> in[2] = {pack(x0, 2, 8), pack(x1, 2, 8)};
      std::vector<Bits> exp0 = pack(y0, 2, 8), exp1 = pack(y1, 2, 8);
      size_t nOut[2] = {exp0.size(), exp1.size()};
      Multi r = runMulti(top, in, nOut, ps.pv, ps.pr, P_SEED + 10 * ci + pi);
      if (r.timeout) {
        std::printf("%s pass %d: timeout\n", names[ci], pi);
        ++fails;
        break;
      }
      fails += compareBeats(r.out[0], exp0, names[ci]);
      if (ci == 0)
        fails += compareBeats(r.out[1], exp1, "fork out1");
      if (pi == 0) {
        std::vector<std::vector<int64_t>> mIn, mOut;
        PipelineTiming m = predictActorAlone(cfgs[ci], ps.frames, &mIn, &mOut);
        size_t perFrame = exp0.size() / ps.frames;
        int64_t lat = r.outC[0][perFrame - 1] - r.inC[0][0] + 1;
        int64_t ii = r.outC[0].back() - r.outC[0][exp0.size() - perFrame - 1];
        ActorCost c = estimateCost(cfgs[ci]);
        std::printf("%-7s rtl latency %lld ii %lld | model latency %lld ii %lld\n", names[ci],
                    (long long)lat, (long long)ii, (long long)m.latency_cycles,
                    (long long)m.ii_cycles);
        bool ok = m.ok && lat == m.latency_cycles && ii == m.ii_cycles && lat == c.latencyCycles &&
                  ii == c.cyclesPerFrame;
        for (size_t p = 0; ok && p < mIn.size(); ++p)
          ok = mIn[p] == r.inC[p];
        for (size_t p = 0; ok && p < mOut.size(); ++p)
          ok = mOut[p] == r.outC[p];
        if (!ok) {
          std::printf("TIMING MISMATCH rtl vs hw_model (%s) %s\n", names[ci], m.error.c_str());
          ++fails;
        }
      }
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
