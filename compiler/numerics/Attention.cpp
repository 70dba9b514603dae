//===- Attention.cpp - integer scaled-dot-product attention ---------------===//
//
// docs/CONTRACTS.md "Attention". Integer arithmetic on at most 128 bits; the
// widths the RTL needs are derived here from T, D and the code widths, so the
// compiler, the reference and the testbench use one rule.
//
//===----------------------------------------------------------------------===//
#include "compiler/numerics/Attention.h"
#include "compiler/numerics/Affine.h"
#include "compiler/numerics/FixedPoint.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace loom {
namespace numerics {

using i128 = __int128;
using u128 = unsigned __int128;

namespace {


int64_t maxExp(const ExpTable &t) {
  int64_t m = 0;
  for (int64_t v : t.values)
    m = std::max(m, v);
  return m;
}

llvm::Error fail(const std::string &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", why.c_str());
}

} // namespace

int64_t AttentionParams::maxKeyBias() const {
  int64_t m = 0;
  for (int64_t b : keyBias)
    m = std::max(m, b < 0 ? -b : b);
  return m;
}

int AttentionParams::aBits() const {
  // the key bias (ALiBi) adds to every score: |a + b| <= max|a| + max|b|
  u128 kb = u128(maxKeyBias());
  u128 m = (u128(D()) << (2 * (inWidth - 1))) + kb;
  int bits = signedBits(m);
  if (score.on) // the stored codes c_j (+ bias) and their differences
    bits = std::max(
        {bits, signedBits(u128(std::max(std::abs(score.lo), std::abs(score.hi))) + kb),
         bitsOf(u128(score.hi - score.lo) + 2 * kb)});
  return bits;
}

int AttentionParams::smBits() const { return score.on ? signedBits(u128(score.mult)) : 2; }

int AttentionParams::pcBits() const {
  return prob.on ? signedBits(u128(std::max(std::abs(prob.lo), std::abs(prob.hi)))) : 2;
}

int AttentionParams::numBits() const { return prob.on ? bitsOf(u128(prob.pm)) + prob.pk : R + 1; }

bool AttentionParams::numBit(int i) const {
  if (!prob.on)
    return i == R;
  return i >= prob.pk && i - prob.pk < 63 && ((prob.pm >> (i - prob.pk)) & 1);
}

int AttentionParams::sBits() const { return std::max(1, bitsOf(u128(T) * u128(maxExp(exp)))); }

int AttentionParams::uBits() const {
  u128 w = prob.on ? u128(std::max(std::abs(prob.lo), std::abs(prob.hi))) : u128(maxExp(exp));
  return signedBits(u128(T) * w << (inWidth - 1));
}

int AttentionParams::rBits() const {
  int64_t e0 = exp.values.empty() ? 1 : std::max<int64_t>(1, exp.values[0]);
  u128 num = prob.on ? u128(prob.pm) << prob.pk : u128(1) << R;
  return std::max(1, bitsOf(num / u128(e0)));
}

int AttentionParams::mBits() const { return signedBits(u128(mult)); }

llvm::Expected<AttentionParams> makeAttention(int64_t T, int64_t C, int64_t H, bool causal,
                                              int inWidth, int outWidth, double sq, double sk,
                                              double sv, double scale, double sOut, int64_t zpOut,
                                              int64_t lo, int64_t hi,
                                              const std::optional<InnerQuant> &scores,
                                              const std::optional<InnerQuant> &probs,
                                              int64_t window, const std::vector<double> &keyBias) {
  AttentionParams p;
  if (window < 0 || (window > 0 && !causal))
    return fail("a sliding window of " + std::to_string(window) +
                " rows needs a causal attention");
  p.window = window;
  if (T < 1 || T > AttentionParams::kMaxRows)
    return fail("attention over " + std::to_string(T) + " rows; Loom supports 1 to " +
                std::to_string(AttentionParams::kMaxRows));
  if (H < 1 || C < 1 || C % H)
    return fail(std::to_string(C) + " channels do not split into " + std::to_string(H) + " heads");
  if (inWidth < 2 || inWidth > AttentionParams::kMaxWidth || outWidth < 2 ||
      outWidth > AttentionParams::kMaxWidth)
    return fail("attention codes of " + std::to_string(inWidth) + " bits in, " +
                std::to_string(outWidth) + " out; Loom supports 2 to " +
                std::to_string(AttentionParams::kMaxWidth));
  double sa = sq * sk * scale;
  if (!(sq > 0) || !(sk > 0) || !(sv > 0) || !(sOut > 0) || !(scale > 0) || !std::isfinite(sa))
    return fail("attention needs positive finite scales (got a score scale of " +
                std::to_string(sa) + ")");
  if (lo > hi)
    return fail("the output range is empty");
  p.T = T, p.C = C, p.H = H, p.causal = causal, p.inWidth = inWidth, p.outWidth = outWidth;
  p.zp = zpOut, p.lo = lo, p.hi = hi;
  auto badInner = [](const InnerQuant &iq) {
    return !(iq.scale > 0) || !std::isfinite(iq.scale) || iq.qmin > iq.zp || iq.zp > iq.qmax ||
           iq.qmax - iq.qmin < 1 || iq.qmax - iq.qmin >= (int64_t(1) << AttentionParams::kMaxWidth);
  };
  if (scores) {
    if (badInner(*scores))
      return fail("its score quantizer (scale " + std::to_string(scores->scale) +
                  ") needs a positive scale and a range of at most 16 bits holding its zero point");
    // Scores are requantized to the model's codes; the exp table then reads
    // code differences at the quantizer's scale (times the attention's scale).
    auto srq = makeRequant({sq * sk / scores->scale});
    if (!srq)
      return fail("the score quantizer's scale " + std::to_string(scores->scale) +
                  " has no 24-bit multiplier and shift for q x k codes");
    p.score.on = true;
    p.score.mult = srq->mult[0], p.score.shift = srq->shift;
    p.score.lo = scores->qmin - scores->zp, p.score.hi = scores->qmax - scores->zp;
    sa = scores->scale * scale;
  }
  if (!keyBias.empty()) {
    // ALiBi: the bias in units of the scores the exp table reads
    if (int64_t(keyBias.size()) != H * T)
      return fail("a key bias needs heads * T values");
    for (double b : keyBias) {
      double c = std::nearbyint(b / sa);
      if (!std::isfinite(c) || std::fabs(c) > std::ldexp(1.0, 40))
        return fail("the key position bias " + std::to_string(b) +
                    " is out of range for the score scale " + std::to_string(sa));
      p.keyBias.push_back(int64_t(c));
    }
  }
  if (scores && keyBias.empty())
    p.exp = makeExpTableForScale(sa, bitsOf(u128(p.score.hi - p.score.lo)));
  else
    p.exp = makeExpTableForScale(sa, p.aBits());
  if (p.exp.values.empty() || p.exp.values[0] < (int64_t(1) << 14))
    return fail("the score scale " + std::to_string(sa) +
                " is too coarse for the exp table (EXP[0] < 2^14)");
  std::optional<Requant> rq;
  if (probs) {
    if (badInner(*probs))
      return fail("its probability quantizer (scale " + std::to_string(probs->scale) +
                  ") needs a positive scale and a range of at most 16 bits holding its zero point");
    // N = pm * 2^pk ~ 2^R / s_p with a 24-bit pm: pc = e * floor(N / S) / 2^R ~ p / s_p.
    double inv = std::ldexp(1.0, p.R) / probs->scale;
    int k = std::max(0, int(std::floor(std::log2(inv))) - 23);
    int64_t pm = int64_t(std::llround(std::ldexp(inv, -k)));
    while (pm > 0 && !(pm & 1))
      pm >>= 1, ++k;
    p.prob.on = true, p.prob.pm = pm, p.prob.pk = k;
    p.prob.lo = probs->qmin - probs->zp, p.prob.hi = probs->qmax - probs->zp;
    if (pm < 1 || p.numBits() > 62 || p.eBits() + p.rBits() > 62)
      return fail("its probability quantizer's scale " + std::to_string(probs->scale) +
                  " is outside what the reciprocal covers (2^-22 to 2^18)");
    // u = sum pc * v carries the probability scale: y = u * sp * sv / sOut.
    rq = makeRequant({probs->scale * sv / sOut});
  } else {
    // w carries G fraction bits of a v code: y = w * sv / sOut * 2^-G.
    rq = makeRequant({sv / sOut * std::ldexp(1.0, -p.G)});
  }
  if (!rq)
    return fail("the value / output scale ratio " + std::to_string(sv / sOut) +
                " has no 24-bit multiplier and shift");
  p.mult = rq->mult[0], p.shift = rq->shift;
  if (p.zBits() > 64)
    return fail("attention output product of " + std::to_string(p.zBits()) + " bits exceeds 64");
  return p;
}

int64_t attentionRecip(const AttentionParams &p, int64_t S) {
  // Restoring division of the numerator by S, one numerator bit per step (as the RTL).
  u128 rem = 0, q = 0;
  for (int i = p.numBits() - 1; i >= 0; --i) {
    rem = (rem << 1) | (p.numBit(i) ? 1 : 0);
    q <<= 1;
    if (rem >= u128(S)) {
      rem -= u128(S);
      q |= 1;
    }
  }
  return int64_t(q);
}

std::vector<int64_t> attentionRow(const AttentionParams &p, const std::vector<int64_t> &q,
                                  const std::vector<int64_t> &k, const std::vector<int64_t> &v,
                                  int64_t t) {
  // rows j0 .. j0 + n - 1 (index j below is relative to j0)
  const int64_t C = p.C, D = p.D(), n = p.rowsFor(t), j0 = p.firstRow(t);
  std::vector<int64_t> y(size_t(C), 0);
  std::vector<i128> a(static_cast<size_t>(n));
  for (int64_t h = 0; h < p.H; ++h) {
    const int64_t c0 = h * D;
    i128 m = 0;
    for (int64_t j = 0; j < n; ++j) {
      i128 s = 0;
      for (int64_t d = 0; d < D; ++d)
        s += i128(q[size_t(t * C + c0 + d)]) * k[size_t((j0 + j) * C + c0 + d)];
      if (p.score.on)
        s = std::clamp<i128>(shiftRoundEven128(s * p.score.mult, p.score.shift), p.score.lo,
                             p.score.hi);
      if (!p.keyBias.empty())
        s += p.keyBias[size_t(h * p.T + j0 + j)];
      a[size_t(j)] = s;
      if (j == 0 || s > m)
        m = s;
    }
    i128 S = 0;
    std::vector<i128> u(size_t(D), 0);
    std::vector<int64_t> e(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) {
      i128 d = m - a[size_t(j)];
      e[size_t(j)] = lookupExp(p.exp, d > i128(INT64_MAX) ? INT64_MAX : int64_t(d));
      S += e[size_t(j)];
    }
    i128 r = attentionRecip(p, int64_t(S));
    for (int64_t j = 0; j < n; ++j) {
      // ProbQuant: the model's probability codes; else the exps themselves.
      i128 wj = p.prob.on ? std::clamp<i128>(shiftRoundEven128(i128(e[size_t(j)]) * r, p.R),
                                             p.prob.lo, p.prob.hi)
                          : i128(e[size_t(j)]);
      for (int64_t dd = 0; dd < D; ++dd)
        u[size_t(dd)] += wj * v[size_t((j0 + j) * C + c0 + dd)];
    }
    for (int64_t dd = 0; dd < D; ++dd) {
      if (p.prob.on) {
        i128 z = shiftRoundEven128(u[size_t(dd)] * p.mult, p.shift) + p.zp;
        y[size_t(c0 + dd)] = int64_t(std::clamp<i128>(z, p.lo, p.hi));
        continue;
      }
      i128 w = shiftRoundEven128(u[size_t(dd)] * r, p.R - p.G);
      i128 z = shiftRoundEven128(w * p.mult, p.shift) + p.zp;
      y[size_t(c0 + dd)] = int64_t(std::clamp<i128>(z, p.lo, p.hi));
    }
  }
  return y;
}

std::vector<int64_t> attentionFrame(const AttentionParams &p, const std::vector<int64_t> &q,
                                    const std::vector<int64_t> &k, const std::vector<int64_t> &v) {
  std::vector<int64_t> out;
  out.reserve(size_t(p.T * p.C));
  for (int64_t t = 0; t < p.T; ++t) {
    std::vector<int64_t> row = attentionRow(p, q, k, v, t);
    out.insert(out.end(), row.begin(), row.end());
  }
  return out;
}

} // namespace numerics
} // namespace loom
