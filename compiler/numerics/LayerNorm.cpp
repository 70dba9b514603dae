//===- LayerNorm.cpp - integer layer normalization ------------------------===//
//
// docs/CONTRACTS.md "LayerNorm". Everything is integer arithmetic on at most
// 128 bits; the widths the RTL needs are derived here from C and the code
// width, so the compiler, the reference and the testbench use one rule.
//
//===----------------------------------------------------------------------===//
#include "compiler/numerics/LayerNorm.h"
#include "compiler/numerics/FixedPoint.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace loom {
namespace numerics {

using i128 = __int128;
using u128 = unsigned __int128;

namespace {


/// a / 2^s rounded half to even (CONTRACTS shift_round_even), on 128 bits.
i128 shiftRoundEven128(i128 a, int s) {
  if (s <= 0)
    return a;
  i128 q = a >> s;
  u128 rem = u128(a) & ((u128(1) << s) - 1);
  u128 half = u128(1) << (s - 1);
  if (rem > half || (rem == half && (q & 1)))
    ++q;
  return q;
}

u128 absOf(i128 v) { return v < 0 ? u128(-v) : u128(v); }

llvm::Error fail(const std::string &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", why.c_str());
}

} // namespace

u128 isqrt(u128 v) {
  // Digit by digit, two radicand bits per step, as loom_layernorm does it.
  int steps = (bitsOf(v) + 1) / 2;
  u128 rem = 0, root = 0;
  for (int i = steps - 1; i >= 0; --i) {
    rem = (rem << 2) | ((v >> (2 * i)) & 3);
    u128 trial = (root << 2) | 1;
    if (rem >= trial) {
      rem -= trial;
      root = (root << 1) | 1;
    } else {
      root <<= 1;
    }
  }
  return root;
}

int LayerNormParams::vBits() const {
  u128 m = u128(1) << (inWidth - 1);
  return bitsOf(u128(C) * u128(C) * m * m + (u128(E) >> es) + 1);
}

int LayerNormParams::tBits() const {
  return signedBits(u128(2) * u128(C) * (u128(1) << (inWidth - 1)));
}

static u128 uMax(int64_t C) { return (isqrt(u128(C)) + 2) << LayerNormParams::kNormFrac; }

int LayerNormParams::uBits() const { return signedBits(uMax(C)); }

static u128 maxAbs(const std::vector<int64_t> &v) {
  u128 m = 0;
  for (int64_t x : v)
    m = std::max(m, absOf(x));
  return m;
}

static u128 capped(const std::vector<int64_t> &v, int64_t cap) {
  return std::max(maxAbs(v), absOf(cap));
}

int LayerNormParams::gBits() const { return signedBits(capped(G, gCap)); }
int LayerNormParams::bBits() const { return signedBits(capped(B, bCap)); }
int LayerNormParams::zBits() const {
  return signedBits(uMax(C) * capped(G, gCap) + capped(B, bCap));
}

llvm::Expected<LayerNormParams> makeLayerNorm(int64_t C, int inWidth, int outWidth, double sIn,
                                              double sOut, double epsilon,
                                              const std::vector<double> &gamma,
                                              const std::vector<double> &beta, int64_t lo,
                                              int64_t hi, bool rms, double bound) {
  if (C < 1 || C > 65536 || inWidth < 2 || inWidth > 24 || outWidth < 2 || outWidth > 32)
    return fail("layernorm rows of 1 to 65536 codes of 2 to 24 bits are supported");
  if (!(sIn > 0) || !(sOut > 0) || !std::isfinite(sIn) || !std::isfinite(sOut))
    return fail("layernorm needs positive finite scales");
  if (int64_t(gamma.size()) != C || int64_t(beta.size()) != C)
    return fail("layernorm needs one scale and one bias per channel");
  LayerNormParams p;
  p.C = C, p.inWidth = inWidth, p.outWidth = outWidth, p.lo = lo, p.hi = hi, p.rms = rms;
  // epsilon in code units: var + eps = (sIn / C)^2 * (D + eps * C^2 / sIn^2),
  // kept with es fraction bits (as many as 2P, E below 2^30: a 32-bit RTL parameter).
  double e = std::max(0.0, epsilon) * double(C) * double(C) / (sIn * sIn);
  if (!(e < std::ldexp(1.0, 30)))
    return fail("layernorm epsilon is too large for the input scale (" + std::to_string(epsilon) +
                " is 2^30 codes or more)");
  p.es = 2 * p.P;
  while (p.es > 0 && !(std::ldexp(e, p.es) < std::ldexp(1.0, 30)))
    --p.es;
  p.E = std::max<int64_t>(1, int64_t(roundHalfEven(std::ldexp(e, p.es))));
  if (p.vBits() + 2 * p.P > 120)
    return fail("layernorm row too long or codes too wide for the 128-bit radicand");
  p.R = p.sqrtSteps() + LayerNormParams::kRecipBits;
  p.sh1 = p.R - p.P - LayerNormParams::kNormFrac;
  double gm = 0;
  for (double g : gamma)
    gm = std::max(gm, std::fabs(g / sOut));
  if (bound > 0)
    gm = std::max(gm, bound / sOut);
  int gf = LayerNormParams::kGammaBits;
  if (gm > 0)
    gf = int(std::floor(std::log2((std::ldexp(1.0, LayerNormParams::kGammaBits) - 1) / gm)));
  gf = std::min(gf, 62 - LayerNormParams::kNormFrac);
  p.sh2 = LayerNormParams::kNormFrac + gf;
  if (p.sh2 < 0)
    return fail("layernorm scale / output scale ratio is too large (" + std::to_string(gm) + ")");
  for (int64_t i = 0; i < C; ++i) {
    double g = std::ldexp(gamma[i] / sOut, gf);
    double b = std::ldexp(beta[i] / sOut, p.sh2);
    if (!std::isfinite(g) || !std::isfinite(b) || std::fabs(b) >= std::ldexp(1.0, 62))
      return fail("layernorm bias " + std::to_string(beta[i]) + " is out of range for the output scale");
    p.G.push_back(int64_t(roundHalfEven(g)));
    p.B.push_back(int64_t(roundHalfEven(b)));
  }
  if (bound > 0) {
    double gc = std::ldexp(bound / sOut, gf), bc = std::ldexp(bound / sOut, p.sh2);
    if (!(bc < std::ldexp(1.0, 62)))
      return fail("layernorm bias bound " + std::to_string(bound) +
                  " is out of range for the output scale");
    p.gCap = int64_t(roundHalfEven(gc)), p.bCap = int64_t(roundHalfEven(bc));
  }
  if (p.divSteps() > 62)
    return fail("layernorm reciprocal exceeds 62 bits (row too long or codes too wide)");
  if (p.tBits() + p.divSteps() > 126 || p.zBits() > 126)
    return fail("layernorm intermediate widths exceed 126 bits");
  return p;
}

int64_t layerNormRecip(const LayerNormParams &p, int64_t s1, int64_t s2) {
  i128 d = i128(p.C) * i128(s2) - i128(s1) * i128(s1);
  u128 v = (u128(d) << (2 * p.P)) + (u128(p.E) << (2 * p.P - p.es));
  if (d == 0)
    return 0; // a constant row: every t is 0, so r is never used
  u128 q = isqrt(v); // >= 2^P because D >= 1
  return int64_t((u128(1) << p.R) / q);
}

int64_t layerNormCode(const LayerNormParams &p, int64_t x, int64_t s1, int64_t r, int64_t ch) {
  i128 t = i128(p.C) * i128(x) - i128(s1);
  i128 u = shiftRoundEven128(t * i128(r), p.sh1);
  i128 z = u * i128(p.G[ch]) + i128(p.B[ch]);
  i128 y = shiftRoundEven128(z, p.sh2);
  return int64_t(std::clamp<i128>(y, p.lo, p.hi));
}

std::vector<int64_t> layerNormRow(const LayerNormParams &p, const std::vector<int64_t> &row) {
  int64_t s1 = 0, s2 = 0;
  for (int64_t x : row)
    s1 += x, s2 += x * x;
  if (p.rms)
    s1 = 0; // RMSNorm: no mean (CONTRACTS "LayerNorm")
  int64_t r = layerNormRecip(p, s1, s2);
  std::vector<int64_t> out;
  out.reserve(row.size());
  for (int64_t i = 0; i < int64_t(row.size()); ++i)
    out.push_back(layerNormCode(p, row[i], s1, r, i));
  return out;
}

} // namespace numerics
} // namespace loom
