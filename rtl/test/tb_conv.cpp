// Convolutional library testbench (top tb_conv_top.sv): for each case (a loom_swg alone
// or followed by loom_pool / loom_dwu / loom_mvu with VECTORS = OH*OW) the output words
// are compared with the CONTRACTS golden under random valid/ready, and the clean pass's
// every input/output beat cycle, latency and II with hw_model predictTiming.
#include "Vtop.h"
#include "golden.h"
#include "hw_model/Cost.h"
#include "hw_model/Pipeline.h"

using namespace tb;
using namespace loom::hw;

namespace {
SwgConfig swg(int C, int H, int W, int KH, int KW, int SH, int SW, int DH, int DW, int PT, int PL,
              int PB, int PR, int IB, int OB, int pad = 0, int rows = 0) {
  SwgConfig c;
  c.C = C;
  c.H = H;
  c.W = W;
  c.KH = KH;
  c.KW = KW;
  c.SH = SH;
  c.SW = SW;
  c.DH = DH;
  c.DW = DW;
  c.PT = PT;
  c.PL = PL;
  c.PB = PB;
  c.PR = PR;
  c.IN_BEAT = IB;
  c.OUT_BEAT = OB;
  c.WB = 8;
  c.PAD_VAL = pad;
  c.ROWS = rows;
  return c;
}
PoolConfig pool(int mode, int C, int KK, int IB, int PE, int npix, int div, bool rom, int rnd = 0) {
  PoolConfig c;
  c.MODE = mode;
  c.C = C;
  c.KK = KK;
  c.IN_BEAT = IB;
  c.PE = PE;
  c.NPIX = npix;
  c.DIV = div;
  c.divRom = rom;
  c.RND = rnd;
  return c;
}

enum Kind { kSwg, kPool, kDwu, kMvu };
struct Case {
  const char *name;
  Kind kind;
  SwgConfig s;
  PoolConfig p; // kPool
  MvuParams m;  // kDwu (K = KK, N = C) / kMvu
  int outW;     // output beat bits
  int mmv = 1;  // kMvu: vectors a step (loom_mvu_mmv; the swg's OUT_BEAT is mmv windows)
};

// Must match tb_conv_top.sv.
const Case kCases[] = {
    {"swg_3x3_pad", kSwg, swg(4, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4), {}, {}, 32},
    {"swg_stride_dil_asym",
     kSwg,
     swg(2, 9, 8, 3, 2, 2, 3, 2, 1, 0, 2, 1, 0, 1, 3, -128),
     {},
     {},
     24},
    {"maxpool_3x3_s2",
     kPool,
     swg(4, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4, 4, -128),
     pool(0, 4, 9, 4, 2, 16, 1, false),
     {},
     16},
    {"avgpool_incl_pad",
     kPool,
     swg(2, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2),
     pool(1, 2, 9, 2, 1, 20, 9, false),
     {},
     8},
    {"avgpool_excl_pad_rom",
     kPool,
     swg(3, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3, 3),
     pool(1, 3, 9, 3, 3, 4, 9, true),
     {},
     24},
    {"global_avgpool",
     kPool,
     swg(4, 3, 4, 3, 4, 1, 1, 1, 1, 0, 0, 0, 0, 4, 4),
     pool(1, 4, 12, 4, 4, 1, 12, false),
     {},
     32},
    {"dwconv_3x3",
     kDwu,
     swg(4, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4),
     {},
     {9, 4, 3, 2, 4, 8, 8, 24, 8, 3, 1, 0, 0, 0, 1},
     16},
    {"conv_3x3_mvu",
     kMvu,
     swg(2, 4, 4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 6),
     {},
     {18, 4, 6, 2, 6, 8, 8, 24, 8, 4, 0, 0, 0, 0, 1},
     16},
    {"swg_1d", kSwg, swg(3, 1, 10, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1, 3, 3), {}, {}, 24},
    {"global_maxpool_2frames",
     kPool,
     swg(4, 4, 3, 4, 3, 1, 1, 1, 1, 0, 0, 0, 0, 4, 4, 0, 8),
     pool(0, 4, 12, 4, 4, 1, 1, false),
     {},
     32},
    {"swg_stride_gt_kernel", kSwg, swg(1, 7, 7, 2, 2, 3, 3, 1, 1, 0, 0, 0, 0, 1, 4), {}, {}, 32},
    {"swg_pad2_dil_w", kSwg, swg(2, 3, 3, 3, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2), {}, {}, 16},
    // Sum-and-shift pools (QONNX Trunc after an average pool): divisor 2^k, RND modes
    {"trunc_2x2_floor",
     kPool,
     swg(4, 6, 6, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 4, 4),
     pool(1, 4, 4, 4, 2, 9, 4, false, 3),
     {},
     16},
    {"trunc_3x3_div16_half_up",
     kPool,
     swg(2, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2),
     pool(1, 2, 9, 2, 1, 20, 16, false, 1),
     {},
     8},
    {"trunc_2x2_half_down",
     kPool,
     swg(4, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 4, 4),
     pool(1, 4, 4, 4, 4, 9, 4, false, 2),
     {},
     32},
    {"trunc_1x2_ceil",
     kPool,
     swg(3, 3, 4, 1, 2, 1, 2, 1, 1, 0, 0, 0, 0, 3, 3),
     pool(1, 3, 2, 3, 3, 6, 2, false, 4),
     {},
     24},
    {"trunc_3x3_div2_to_zero",
     kPool,
     swg(2, 4, 4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 2, 2),
     pool(1, 2, 9, 2, 2, 4, 2, false, 5),
     {},
     16},
    // Several pixels a beat in, several windows a beat out (MMV), alone and feeding
    // loom_mvu_mmv
    {"swg_pixels_windows", kSwg, swg(1, 4, 6, 1, 2, 1, 1, 1, 1, 0, 0, 0, 1, 3, 4), {}, {}, 32},
    {"mmv_conv_1x2",
     kMvu,
     swg(1, 3, 4, 1, 2, 1, 1, 1, 1, 0, 1, 0, 0, 2, 4),
     {},
     {2, 2, 1, 2, 2, 8, 8, 24, 8, 1, 1, 0, 0, 0, 1},
     32,
     2},
};

std::vector<int64_t> dwuGolden(const MvuParams &p, const MvuData &d,
                               const std::vector<int64_t> &win) {
  // p.K = KK taps, p.N = C channels; win = windows in (k, c) order
  std::vector<int64_t> y;
  const int KK = p.K, C = p.N;
  for (size_t v = 0; v < win.size() / (size_t(KK) * C); ++v)
    for (int c = 0; c < C; ++c) {
      int64_t acc = d.b[c];
      for (int j = 0; j < KK; ++j)
        acc += win[v * KK * C + size_t(j) * C + c] * d.w[c][j];
      y.push_back(requantAct(p, d, c, acc));
    }
  return y;
}
} // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  const int nCases = int(sizeof(kCases) / sizeof(kCases[0]));
  // All memory files must exist before the model's first eval ($readmemh in initial).
  std::vector<MvuData> mds(nCases);
  std::vector<std::vector<int64_t>> divss(nCases);
  for (int ci = 0; ci < nCases; ++ci) {
    const Case &cs = kCases[ci];
    divss[ci].assign(cs.s.OH() * cs.s.OW(), cs.p.DIV);
    if (cs.kind == kPool && cs.p.divRom) {
      divss[ci] = swgValidCounts(cs.s);
      std::vector<Bits> lines;
      for (int64_t d : divss[ci]) {
        Bits b(16);
        b.set(0, 16, d);
        lines.push_back(b);
      }
      writeMem("d" + std::to_string(ci) + ".mem", lines);
    }
    std::string pre = cs.kind == kDwu ? "dw" : "mv";
    if (cs.kind == kDwu || cs.kind == kMvu)
      mds[ci] = makeMvu(cs.m, rng, pre + std::to_string(ci) + "_w.mem",
                        pre + std::to_string(ci) + "_b.mem", "");
  }
  Vtop *top = new Vtop;
  int fails = 0;
  for (int ci = 0; ci < nCases; ++ci) {
    const Case &cs = kCases[ci];
    const SwgConfig &s = cs.s;
    top->sel = ci;
    const MvuData &md = mds[ci];
    const std::vector<int64_t> &divs = divss[ci];
    // hw_model chain
    std::vector<ActorSpec> chain = {{s, "swg"}};
    if (cs.kind == kPool)
      chain.push_back({cs.p, "pool"});
    if (cs.kind == kDwu) {
      DwuConfig d;
      d.KK = cs.m.K;
      d.C = cs.m.N;
      d.SIMD = cs.m.SIMD;
      d.PE = cs.m.PE;
      d.IN_BEAT = cs.m.IN_BEAT;
      d.ACT = ActCode(cs.m.ACT);
      d.VECTORS = s.OH() * s.OW();
      chain.push_back({d, "dwu"});
    }
    if (cs.kind == kMvu) {
      MvuConfig m;
      m.K = cs.m.K;
      m.N = cs.m.N;
      m.SIMD = cs.m.SIMD;
      m.PE = cs.m.PE;
      m.IN_BEAT = cs.m.IN_BEAT;
      m.VECTORS = s.OH() * s.OW();
      m.MMV = cs.mmv;
      chain.push_back({m, "mvu"});
    }
    const int lanes =
        cs.kind == kSwg ? s.OUT_BEAT : cs.kind == kPool ? cs.p.PE : cs.m.PE * cs.mmv;
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
        for (Bits &b : pack(x, s.IN_BEAT, 8))
          in.push_back(b);
        std::vector<int64_t> y = swgGolden(s, x);
        if (cs.kind == kPool)
          y = poolGolden(cs.p.MODE, s.C, s.KH * s.KW, 8, y, divs, cs.p.RND);
        if (cs.kind == kDwu)
          y = dwuGolden(cs.m, md, y);
        if (cs.kind == kMvu) {
          std::vector<int64_t> z;
          for (size_t v = 0; v < y.size(); v += cs.m.K) {
            auto o =
                mvuGolden(cs.m, md, std::vector<int64_t>(y.begin() + v, y.begin() + v + cs.m.K));
            z.insert(z.end(), o.begin(), o.end());
          }
          y = z;
        }
        for (Bits &b : pack(y, lanes, 8))
          exp.push_back(b);
      }
      RunResult r = run(top, in, cs.outW, exp.size(), ps.pv, ps.pr, P_SEED + 10 * ci + pi);
      if (r.timeout) {
        std::printf("%s pass %d: timeout\n", cs.name, pi);
        ++fails;
        break;
      }
      fails += compareBeats(r.out, exp, cs.name);
      if (pi == 0) {
        std::vector<int64_t> mOut, mIn;
        PipelineTiming m = predictTiming(chain, ps.frames, &mOut, &mIn);
        int64_t outPerFrame = int64_t(exp.size()) / ps.frames;
        Timing t = measure(r, in.size() / ps.frames, outPerFrame, ps.frames);
        std::printf("%-22s rtl latency %lld ii %lld | model latency %lld ii %lld\n", cs.name,
                    (long long)t.latency, (long long)t.ii, (long long)m.latency_cycles,
                    (long long)m.ii_cycles);
        bool costOk = true;
        if (chain.size() == 1) {
          ActorCost c = estimateCost(chain[0].config);
          costOk = c.latencyCycles == t.latency && c.cyclesPerFrame == t.ii;
        }
        if (!m.ok || t.latency != m.latency_cycles || t.ii != m.ii_cycles || mOut != r.outCycles ||
            mIn != r.inCycles || !costOk) {
          std::printf("TIMING MISMATCH rtl vs hw_model (%s) %s\n", cs.name, m.error.c_str());
          ++fails;
        }
      }
    }
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
