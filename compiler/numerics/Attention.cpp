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

int AttentionParams::aBits() const {
  u128 m = u128(D()) << (2 * (inWidth - 1));
  return signedBits(m);
}

int AttentionParams::sBits() const { return std::max(1, bitsOf(u128(T) * u128(maxExp(exp)))); }

int AttentionParams::uBits() const {
  return signedBits(u128(T) * u128(maxExp(exp)) << (inWidth - 1));
}

int AttentionParams::rBits() const {
  int64_t e0 = exp.values.empty() ? 1 : std::max<int64_t>(1, exp.values[0]);
  return std::max(1, bitsOf((u128(1) << R) / u128(e0)));
}

int AttentionParams::mBits() const { return signedBits(u128(mult)); }

llvm::Expected<AttentionParams> makeAttention(int64_t T, int64_t C, int64_t H, bool causal,
                                              int inWidth, int outWidth, double sq, double sk,
                                              double sv, double scale, double sOut, int64_t zpOut,
                                              int64_t lo, int64_t hi) {
  AttentionParams p;
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
  p.exp = makeExpTableForScale(sa, p.aBits());
  if (p.exp.values.empty() || p.exp.values[0] < (int64_t(1) << 14))
    return fail("the score scale " + std::to_string(sa) +
                " is too coarse for the exp table (EXP[0] < 2^14)");
  // w carries G fraction bits of a v code: y = w * sv / sOut * 2^-G.
  auto rq = makeRequant({sv / sOut * std::ldexp(1.0, -p.G)});
  if (!rq)
    return fail("the value / output scale ratio " + std::to_string(sv / sOut) +
                " has no 24-bit multiplier and shift");
  p.mult = rq->mult[0], p.shift = rq->shift;
  if (p.zBits() > 64)
    return fail("attention output product of " + std::to_string(p.zBits()) + " bits exceeds 64");
  return p;
}

int64_t attentionRecip(const AttentionParams &p, int64_t S) {
  // Restoring division of 2^R by S, one numerator bit per step (as the RTL).
  u128 rem = 0, q = 0;
  for (int i = p.R; i >= 0; --i) {
    rem = (rem << 1) | (i == p.R ? 1 : 0);
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
  const int64_t C = p.C, D = p.D(), n = p.rowsFor(t);
  std::vector<int64_t> y(size_t(C), 0);
  std::vector<i128> a(static_cast<size_t>(n));
  for (int64_t h = 0; h < p.H; ++h) {
    const int64_t c0 = h * D;
    i128 m = 0;
    for (int64_t j = 0; j < n; ++j) {
      i128 s = 0;
      for (int64_t d = 0; d < D; ++d)
        s += i128(q[size_t(t * C + c0 + d)]) * k[size_t(j * C + c0 + d)];
      a[size_t(j)] = s;
      if (j == 0 || s > m)
        m = s;
    }
    i128 S = 0;
    std::vector<i128> u(size_t(D), 0);
    for (int64_t j = 0; j < n; ++j) {
      i128 d = m - a[size_t(j)];
      int64_t e = lookupExp(p.exp, d > i128(INT64_MAX) ? INT64_MAX : int64_t(d));
      S += e;
      for (int64_t dd = 0; dd < D; ++dd)
        u[size_t(dd)] += i128(e) * v[size_t(j * C + c0 + dd)];
    }
    i128 r = attentionRecip(p, int64_t(S));
    for (int64_t dd = 0; dd < D; ++dd) {
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
