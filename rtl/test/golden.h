// Golden models (docs/CONTRACTS.md formulas) and random parameter generation shared by
// the MVU, softmax and chain testbenches.
#ifndef LOOM_RTL_TEST_GOLDEN_H
#define LOOM_RTL_TEST_GOLDEN_H

#include "tb_common.h"

#include "compiler/numerics/Affine.h"
#include "compiler/numerics/Tables.h"
#include "hw_model/Configs.h"
#include "hw_model/MvuStream.h"

#include <cmath>

namespace tb {

struct MvuParams {
  int K, N, SIMD, PE, IN_BEAT, W_IN, W_W, W_ACC, W_OUT, SHIFT, ACT, T_MIN, T_MAX, T_SHIFT, T_DEPTH;
  int LEAKY_A = 0;   // ACT 4 (LeakyRelu) multiplier, shift 15
  int W_M = 0;       // requantization multiplier bits (0: none)
  int BIPOLAR_W = 0; // +-1 weights, one bit each (W_W = 1)
  int W_LA = 0;      // ACT 4 per-channel slope multipliers (PRelu), signed W_LA bits
  int W_PB = 0;      // post-multiply biases, signed W_PB bits (0: none)
};

struct MvuData {
  std::vector<std::vector<int64_t>> w; // [N][K]
  std::vector<int64_t> b;              // [N]
  std::vector<int64_t> t;              // [T_DEPTH]
  std::vector<int64_t> m;              // [N] requantization multipliers (W_M > 0)
  std::vector<int64_t> la;             // [N] LeakyRelu multipliers (ACT 4, W_LA > 0)
  std::vector<int64_t> pb;             // [N] post-multiply biases (W_PB > 0)
};

inline int64_t randS(std::mt19937_64 &rng, int bits) {
  int64_t lo = -(int64_t(1) << (bits - 1)), hi = (int64_t(1) << (bits - 1)) - 1;
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

/// Random weights/bias/table; writes the memory files (CONTRACTS.md formats).
inline MvuData makeMvu(const MvuParams &p, std::mt19937_64 &rng, const std::string &wf,
                       const std::string &bf, const std::string &tf,
                       const std::string &mf = "m.mem", const std::string &laf = "la.mem",
                       const std::string &pbf = "pb.mem") {
  MvuData d;
  d.w.assign(p.N, std::vector<int64_t>(p.K));
  for (auto &row : d.w)
    for (auto &v : row)
      v = p.BIPOLAR_W ? (rng() & 1 ? 1 : -1) : randS(rng, p.W_W);
  d.b.resize(p.N);
  for (auto &v : d.b)
    v = randS(rng, std::min(p.W_ACC, p.W_IN + p.W_W) - 1);
  // Line c, lane pe*SIMD + s: w[nf*PE + pe][k] for the flat index c*SIMD + s = nf*K + k
  // (loom_mvu; with SIMD | K this is line nf*SF + sf, k = sf*SIMD + s); zero past NF*K.
  const int NF = p.N / p.PE, LINES = (NF * p.K + p.SIMD - 1) / p.SIMD;
  std::vector<Bits> wl, bl, tl;
  for (int c = 0; c < LINES; ++c) {
    Bits line(p.PE * p.SIMD * p.W_W);
    for (int pe = 0; pe < p.PE; ++pe)
      for (int s = 0; s < p.SIMD; ++s) {
        int f = c * p.SIMD + s, nf = f / p.K, k = f % p.K;
        if (nf >= NF)
          continue;
        // binary weights (CONTRACTS): bit 1 = +1, 0 = -1
        line.set((pe * p.SIMD + s) * p.W_W, p.W_W,
                 p.BIPOLAR_W ? int64_t(d.w[nf * p.PE + pe][k] > 0) : d.w[nf * p.PE + pe][k]);
      }
    wl.push_back(line);
  }
  for (int nf = 0; nf < NF; ++nf) {
    Bits line(p.PE * p.W_ACC);
    for (int pe = 0; pe < p.PE; ++pe)
      line.set(pe * p.W_ACC, p.W_ACC, d.b[nf * p.PE + pe]);
    bl.push_back(line);
  }
  writeMem(wf, wl);
  writeMem(bf, bl);
  if (p.W_M > 0) { // unsigned multipliers in [1, min(2^W_M - 1, 2^24)], bias layout
    int64_t hi = std::min<int64_t>((int64_t(1) << p.W_M) - 1, int64_t(1) << 24);
    d.m.resize(p.N);
    for (auto &v : d.m)
      v = std::uniform_int_distribution<int64_t>(1, hi)(rng);
    d.m[0] = hi; // the extreme multiplier always appears
    std::vector<Bits> ml;
    for (int nf = 0; nf < NF; ++nf) {
      Bits line(p.PE * p.W_M);
      for (int pe = 0; pe < p.PE; ++pe)
        line.set(pe * p.W_M, p.W_M, d.m[nf * p.PE + pe]);
      ml.push_back(line);
    }
    writeMem(mf, ml);
  }
  if (p.ACT == 4 && p.W_LA > 0) { // signed slopes, bias layout; both extremes appear
    d.la.resize(p.N);
    for (auto &v : d.la)
      v = randS(rng, p.W_LA);
    d.la[0] = -(int64_t(1) << (p.W_LA - 1));
    if (p.N > 1)
      d.la[p.N - 1] = (int64_t(1) << (p.W_LA - 1)) - 1;
    std::vector<Bits> ll;
    for (int nf = 0; nf < NF; ++nf) {
      Bits line(p.PE * p.W_LA);
      for (int pe = 0; pe < p.PE; ++pe)
        line.set(pe * p.W_LA, p.W_LA, d.la[nf * p.PE + pe]);
      ll.push_back(line);
    }
    writeMem(laf, ll);
  }
  if (p.W_PB > 0) { // signed post-multiply biases, bias layout; both extremes appear
    d.pb.resize(p.N);
    for (auto &v : d.pb)
      v = randS(rng, p.W_PB);
    d.pb[0] = -(int64_t(1) << (p.W_PB - 1));
    if (p.N > 1)
      d.pb[p.N - 1] = (int64_t(1) << (p.W_PB - 1)) - 1;
    std::vector<Bits> pl;
    for (int nf = 0; nf < NF; ++nf) {
      Bits line(p.PE * p.W_PB);
      for (int pe = 0; pe < p.PE; ++pe)
        line.set(pe * p.W_PB, p.W_PB, d.pb[nf * p.PE + pe]);
      pl.push_back(line);
    }
    writeMem(pbf, pl);
  }
  if (p.ACT == 2) {
    d.t.resize(p.T_DEPTH);
    for (auto &v : d.t) {
      v = randS(rng, p.W_OUT);
      Bits line(p.W_OUT);
      line.set(0, p.W_OUT, v);
      tl.push_back(line);
    }
    writeMem(tf, tl);
  }
  return d;
}

/// Channel n's LeakyRelu multiplier: its own (W_LA > 0, PRelu) or the shared LEAKY_A.
inline int64_t leakyA(const MvuParams &p, const MvuData &d, int n) {
  return p.W_LA > 0 ? d.la[n] : p.LEAKY_A;
}

/// Requantisation and activation of output channel n (loom_requant, CONTRACTS.md) with
/// the reference's numerics: y = act(saturate(shift_round_even(acc * M + PB, SHIFT))).
/// ACT codes: loom_pkg::ACT_* (0 none, 1 relu, 2 table, 3 clip, 4 leaky, 5 sign).
inline int64_t requantAct(const MvuParams &p, const MvuData &d, int n, int64_t acc) {
  namespace nm = loom::numerics;
  int64_t v = nm::requantizeMult(acc, p.W_M > 0 ? d.m[n] : 1, p.SHIFT, p.W_OUT,
                                 p.W_PB > 0 ? d.pb[n] : 0);
  switch (p.ACT) {
  case 1:
    return std::max<int64_t>(v, 0);
  case 2: {
    nm::ActTable t;
    t.tMin = p.T_MIN;
    t.tMax = p.T_MAX;
    t.shift = p.T_SHIFT;
    t.values = d.t;
    return nm::lookupAct(t, v);
  }
  case 3:
    return std::min<int64_t>(std::max<int64_t>(v, p.T_MIN), p.T_MAX);
  case 4: {
    nm::LeakyReluParams lk;
    lk.A = leakyA(p, d, n);
    return nm::leakyReluCode(v, lk, p.W_OUT);
  }
  case 5:
    return v >= 0 ? 1 : -1; // saturation keeps the sign of the rounded value
  default:
    return v;
  }
}

inline std::vector<int64_t> mvuGolden(const MvuParams &p, const MvuData &d,
                                      const std::vector<int64_t> &x) {
  std::vector<int64_t> y(p.N);
  for (int n = 0; n < p.N; ++n) {
    int64_t acc = d.b[n];
    for (int k = 0; k < p.K; ++k)
      acc += x[k] * d.w[n][k];
    y[n] = requantAct(p, d, n, acc);
  }
  return y;
}

/// One depthwise window (loom_dwu / loom_mvu_stream with DW_KK): p.K = KK taps, p.N = C
/// channels, win in (k, c) order; acc[c] = b[c] + sum_j win[j*C + c] * w[c][j].
inline std::vector<int64_t> depthwiseGolden(const MvuParams &p, const MvuData &d,
                                            const std::vector<int64_t> &win) {
  std::vector<int64_t> y(p.N);
  for (int c = 0; c < p.N; ++c) {
    int64_t acc = d.b[c];
    for (int j = 0; j < p.K; ++j)
      acc += win[size_t(j) * p.N + c] * d.w[c][j];
    y[c] = requantAct(p, d, c, acc);
  }
  return y;
}

/// loom_mvu_stream's weight ROM lines (hw_model streamWeightImage, W_W-bit lanes; +-1
/// weights as one bit, 1 = +1) from d.w[N][KR].
inline std::vector<Bits> streamWeightLines(const MvuParams &p, const loom::hw::MvuStreamGeometry &g,
                                           const MvuData &d) {
  std::vector<Bits> lines;
  for (const std::vector<int64_t> &lanes : loom::hw::streamWeightImage(g, d.w)) {
    Bits line(int(lanes.size()) * p.W_W);
    for (size_t i = 0; i < lanes.size(); ++i)
      line.set(int(i) * p.W_W, p.W_W, p.BIPOLAR_W ? int64_t(lanes[i] > 0) : lanes[i]);
    lines.push_back(line);
  }
  return lines;
}

struct SoftmaxParams {
  int N, IN_BEAT, W, F, EXP_SHIFT, EXP_DEPTH, EXP_BITS;
};

inline std::vector<int64_t> makeExpTable(const SoftmaxParams &p, const std::string &file) {
  std::vector<int64_t> t(p.EXP_DEPTH);
  std::vector<Bits> lines;
  for (int j = 0; j < p.EXP_DEPTH; ++j) {
    double x = std::exp(-double(int64_t(j) << p.EXP_SHIFT) * std::ldexp(1.0, -p.F));
    t[j] = int64_t(std::nearbyint(x * 32768.0)); // round half even (default FE mode)
    Bits b(p.EXP_BITS);
    b.set(0, p.EXP_BITS, t[j]);
    lines.push_back(b);
  }
  writeMem(file, lines);
  return t;
}

inline std::vector<int64_t> softmaxGolden(const SoftmaxParams &p, const std::vector<int64_t> &exp,
                                          const std::vector<int64_t> &y) {
  int64_t m = y[0];
  for (int64_t v : y)
    m = std::max(m, v);
  std::vector<int64_t> e(p.N);
  int64_t S = 0;
  for (int i = 0; i < p.N; ++i) {
    int64_t d = m - y[i];
    e[i] = exp[std::min<int64_t>(d >> p.EXP_SHIFT, p.EXP_DEPTH - 1)];
    S += e[i];
  }
  std::vector<int64_t> out(p.N);
  for (int i = 0; i < p.N; ++i)
    out[i] =
        S == 0 ? 0 : std::min<int64_t>(((e[i] << p.F) + S / 2) / S, (int64_t(1) << (p.W - 1)) - 1);
  return out;
}

/// Packs a flat element vector into beats of `per` elements of `w` bits.
inline std::vector<Bits> pack(const std::vector<int64_t> &v, int per, int w) {
  std::vector<Bits> beats;
  for (size_t i = 0; i < v.size(); i += per) {
    Bits b(per * w);
    for (int e = 0; e < per; ++e)
      b.set(e * w, w, v[i + e]);
    beats.push_back(b);
  }
  return beats;
}

/// Sliding window (CONTRACTS.md "Convolutional path"): x is one (H, W, C) frame; the
/// result is OH*OW windows in (kh, kw, c) order, padded positions = PAD_VAL.
inline std::vector<int64_t> swgGolden(const loom::hw::SwgConfig &c, const std::vector<int64_t> &x) {
  std::vector<int64_t> y;
  for (int oh = 0; oh < c.OH(); ++oh)
    for (int ow = 0; ow < c.OW(); ++ow)
      for (int kh = 0; kh < c.KH; ++kh)
        for (int kw = 0; kw < c.KW; ++kw)
          for (int ch = 0; ch < c.C; ++ch) {
            int ih = oh * c.SH - c.PT + kh * c.DH, iw = ow * c.SW - c.PL + kw * c.DW;
            bool in = ih >= 0 && ih < c.H && iw >= 0 && iw < c.W;
            y.push_back(in ? x[(size_t(ih) * c.W + iw) * c.C + ch] : c.PAD_VAL);
          }
  return y;
}

/// Number of valid (non-padded) window positions of each output pixel.
inline std::vector<int64_t> swgValidCounts(const loom::hw::SwgConfig &c) {
  std::vector<int64_t> d;
  for (int oh = 0; oh < c.OH(); ++oh)
    for (int ow = 0; ow < c.OW(); ++ow) {
      int64_t n = 0;
      for (int kh = 0; kh < c.KH; ++kh)
        for (int kw = 0; kw < c.KW; ++kw) {
          int ih = oh * c.SH - c.PT + kh * c.DH, iw = ow * c.SW - c.PL + kw * c.DW;
          n += ih >= 0 && ih < c.H && iw >= 0 && iw < c.W;
        }
      d.push_back(n);
    }
  return d;
}

/// Pooling of swg windows (CONTRACTS.md): MODE 0 max, 1 average with divisor d[pixel]
/// (round half even, exact integers), saturate to WB bits.
/// rnd: loom_pool RND (0 half even, 1 half up, 2 half down, 3 floor, 4 ceil, 5 to zero),
/// decided on the integers s, d (no floating point).
inline std::vector<int64_t> poolGolden(int mode, int C, int KK, int WB,
                                       const std::vector<int64_t> &win,
                                       const std::vector<int64_t> &div, int rnd = 0) {
  std::vector<int64_t> y;
  const size_t npix = win.size() / (size_t(KK) * C);
  for (size_t p = 0; p < npix; ++p)
    for (int ch = 0; ch < C; ++ch) {
      int64_t m = win[p * KK * C + ch], s = 0;
      for (int k = 0; k < KK; ++k) {
        int64_t v = win[(p * KK + k) * C + ch];
        m = std::max(m, v);
        s += v;
      }
      if (mode == 0) {
        y.push_back(m);
        continue;
      }
      int64_t d = div[p];
      if (rnd == 0) { // the reference's AveragePool rounding
        y.push_back(saturate(loom::numerics::divRoundHalfEven(s, d), WB));
        continue;
      }
      int64_t q = s / d, r = s - q * d; // C++: truncation
      if (r < 0) {
        q -= 1;
        r += d;
      }
      // s / d = q + r / d with 0 <= r < d; neg: s / d < 0.
      const bool neg = s<0, tie = 2 * r == d, above = 2 * r> d;
      switch (rnd) {
      case 1:
        q += above || (tie && !neg);
        break; // ties away from zero
      case 2:
        q += above || (tie && neg);
        break; // ties towards zero
      case 3:
        break; // floor
      case 4:
        q += r != 0;
        break; // ceil
      case 5:
        q += r != 0 && neg;
        break; // towards zero
      default:
        q += above || (tie && (q & 1));
        break;
      }
      y.push_back(saturate(q, WB));
    }
  return y;
}

} // namespace tb

#endif // LOOM_RTL_TEST_GOLDEN_H
