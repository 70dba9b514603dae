// loom_mvu_stream testbench: random weights/bias/table/multipliers/slopes/post-biases
// (golden.h makeMvu with K = KR taps or inputs, PE = N), the weight ROM in the stream
// layout (streamWeightLines, w.mem) or, with RT_W, loaded through the weight-load bus
// before the passes. Frames of VECTORS vectors: a clean pass (every input/output beat
// cycle, latency and II against hw_model predictTiming with STREAM = 1, and estimateCost)
// and passes with random valid gaps and backpressure; every output beat is compared with
// the per-vector golden model (mvuGolden / depthwiseGolden), independent of the folding.
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Cost.h"
#include "hw_model/Pipeline.h"

using namespace tb;

namespace {

constexpr bool kDepthwise = P_DW_KK > 0;
constexpr int kKR = kDepthwise ? P_DW_KK : P_K; // taps (depthwise) or inputs per output

loom::hw::ActorConfig config() {
  if (kDepthwise) {
    loom::hw::DwuConfig c;
    c.C = P_N, c.KK = P_DW_KK, c.SIMD = P_SIMD, c.PE = P_N, c.IN_BEAT = P_IN_BEAT;
    c.W_IN = P_W_IN, c.W_W = P_W_W, c.W_ACC = P_W_ACC, c.W_OUT = P_W_OUT;
    c.ACT = loom::hw::ActCode(P_ACT), c.T_DEPTH = P_T_DEPTH, c.VECTORS = P_VECTORS;
    c.W_M = P_W_M, c.BIPOLAR_W = P_BIPOLAR_W, c.W_LA = P_W_LA, c.W_PB = P_W_PB;
    c.PIPE = P_PIPE, c.RQ_PIPE = P_RQ_PIPE, c.STREAM = 1;
    return c;
  }
  loom::hw::MvuConfig c;
  c.K = P_K, c.N = P_N, c.SIMD = P_SIMD, c.PE = P_N, c.IN_BEAT = P_IN_BEAT;
  c.W_IN = P_W_IN, c.W_W = P_W_W, c.W_ACC = P_W_ACC, c.W_OUT = P_W_OUT;
  c.ACT = loom::hw::ActCode(P_ACT), c.T_DEPTH = P_T_DEPTH, c.VECTORS = P_VECTORS;
  c.W_M = P_W_M, c.BIPOLAR_W = P_BIPOLAR_W, c.W_LA = P_W_LA, c.W_PB = P_W_PB;
  c.PIPE = P_PIPE, c.RQ_PIPE = P_RQ_PIPE, c.STREAM = 1;
  return c;
}

/// RT_W: the weight lines at word W_OFF.., the bias line at B_OFF.. (ceil(bits/32) words a
/// line, least significant first; other words 0), one word a cycle after a reset.
void loadWeights(Vtop *top, const std::vector<Bits> &w, const Bits &b) {
  std::vector<uint32_t> image;
  auto put = [&](int off, const std::vector<Bits> &lines) {
    int words = (lines[0].width + 31) / 32;
    for (size_t l = 0; l < lines.size(); ++l)
      for (int i = 0; i < words; ++i) {
        size_t at = size_t(off) + l * words + i;
        if (image.size() <= at)
          image.resize(at + 1, 0);
        image[at] = uint32_t(lines[l].getU(32 * i, std::min(32, lines[l].width - 32 * i)));
      }
  };
  put(P_W_OFF, w);
  put(P_B_OFF, {b});
  reset(top);
  for (size_t i = 0; i < image.size(); ++i) {
    top->wt_valid = 1;
    top->wt_addr = uint32_t(i);
    top->wt_data = image[i];
    tick(top);
  }
  top->wt_valid = 0;
  top->eval();
}

} // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  // the golden's view: K = KR (inputs, or taps of each of the N channels), PE = N
  const MvuParams p{kKR,       P_N,       P_SIMD,  P_N,         P_IN_BEAT, P_W_IN,  P_W_W,
                    P_W_ACC,   P_W_OUT,   P_SHIFT, P_ACT,       P_T_MIN,   P_T_MAX, P_T_SHIFT,
                    P_T_DEPTH, P_LEAKY_A, P_W_M,   P_BIPOLAR_W, P_W_LA,    P_W_PB};
  const loom::hw::ActorConfig cfg = config();
  const std::string invalid = loom::hw::validate(cfg);
  if (!invalid.empty()) {
    std::printf("invalid configuration: %s\nFAIL\n", invalid.c_str());
    return 1;
  }
  const loom::hw::MvuStreamGeometry g =
      kDepthwise ? loom::hw::streamGeometry(std::get<loom::hw::DwuConfig>(cfg))
                 : loom::hw::streamGeometry(std::get<loom::hw::MvuConfig>(cfg));
  std::mt19937_64 rng(P_SEED);
  // makeMvu writes the bias (one line: PE = N), tables and per-channel lines; its weight
  // file is loom_mvu's layout (unused), the stream layout goes to w.mem.
  MvuData d = makeMvu(p, rng, "w_mvu.mem", "b.mem", "t.mem");
  std::vector<Bits> wl = streamWeightLines(p, g, d);
  writeMem("w.mem", wl);
  std::printf("steps/frame %lld, weight lines %d (period %d), last step %d of %d elements, "
              "gearbox %d elements\n",
              (long long)g.steps(), g.lines(), g.period(), g.elast(), g.el(), g.cap());
  Vtop *top = new Vtop;
  if (P_RT_W) {
    Bits bl(P_N * P_W_ACC);
    for (int n = 0; n < P_N; ++n)
      bl.set(n * P_W_ACC, P_W_ACC, d.b[n]);
    loadWeights(top, wl, bl);
  }
  const int vecLen = kDepthwise ? kKR * P_N : P_K; // stream elements a vector
  int fails = 0;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{6, 1.0, 1.0}, {6, 0.6, 0.5}, {6, 0.9, 0.2}, {6, 0.3, 0.95}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in, exp;
    for (int f = 0; f < ps.frames; ++f) {
      std::vector<int64_t> x(size_t(P_VECTORS) * vecLen);
      for (auto &v : x)
        v = randS(rng, P_W_IN);
      for (Bits &b : pack(x, P_IN_BEAT, P_W_IN))
        in.push_back(b);
      for (int v = 0; v < P_VECTORS; ++v) {
        std::vector<int64_t> vec(x.begin() + size_t(v) * vecLen,
                                 x.begin() + size_t(v + 1) * vecLen);
        std::vector<int64_t> y = kDepthwise ? depthwiseGolden(p, d, vec) : mvuGolden(p, d, vec);
        for (Bits &b : pack(y, P_N, P_W_OUT))
          exp.push_back(b);
      }
    }
    RunResult r = run(top, in, P_N * P_W_OUT, exp.size(), ps.pv, ps.pr, P_SEED + pi);
    if (r.timeout) {
      std::printf("pass %d: timeout\nFAIL\n", pi);
      return 1;
    }
    fails += compareBeats(r.out, exp, "mvu_stream");
    if (pi == 0) {
      Timing t = measure(r, g.frameBeats(), P_VECTORS, ps.frames);
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m = loom::hw::predictTiming({{cfg, "mvu_stream"}}, ps.frames, &mOut, &mIn);
      loom::hw::ActorCost c = loom::hw::estimateCost(cfg);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld | cost latency %lld "
                  "ii %lld\n",
                  (long long)t.latency, (long long)t.ii, (long long)m.latency_cycles,
                  (long long)m.ii_cycles, (long long)c.latencyCycles, (long long)c.cyclesPerFrame);
      if (!m.ok || t.latency != m.latency_cycles || t.ii != m.ii_cycles || mOut != r.outCycles ||
          mIn != r.inCycles || c.latencyCycles != t.latency || c.cyclesPerFrame != t.ii) {
        std::printf("TIMING MISMATCH rtl vs hw_model %s\n", m.error.c_str());
        ++fails;
      }
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
