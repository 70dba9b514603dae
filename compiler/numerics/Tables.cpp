//===- Tables.cpp - Activation and exp lookup tables ----------------------===//
#include "compiler/numerics/Tables.h"

#include <algorithm>
#include <cmath>

namespace loom {
namespace numerics {

static int64_t depthFor(int64_t lo, int64_t hi, int s) { return (hi >> s) - (lo >> s) + 1; }

int tableShiftFor(int64_t lo, int64_t hi, int64_t maxDepth) {
  if (maxDepth < 1)
    maxDepth = 1;
  int s = 0;
  while (s < 62 && depthFor(lo, hi, s) > maxDepth)
    ++s;
  return s;
}

ActTable makeActTable(const std::function<double(double)> &f, double domLo, double domHi,
                      const FixedFormat &in, const FixedFormat &out) {
  const int F = in.frac();
  int64_t lo = roundToInt64(std::ceil(std::ldexp(domLo, F)));
  int64_t hi = roundToInt64(std::ceil(std::ldexp(domHi, F))) - 1;
  lo = std::max(lo, in.minInt());
  hi = std::min(hi, in.maxInt());
  if (hi < lo) // domain outside the representable range: one entry
    hi = lo;
  ActTable t;
  t.in = in;
  t.out = out;
  // Pick the shift, then align tMin down to a multiple of 2^shift. Aligning
  // may add one bucket, so re-check the depth (for the power-of-two domains
  // used by sigmoid/tanh the alignment is a no-op).
  int s = tableShiftFor(lo, hi);
  while (true) {
    int64_t alignedLo = (lo >> s) * (int64_t(1) << s); // no UB shift of negatives
    if (depthFor(alignedLo, hi, s) <= kMaxTableDepth || s >= 62) {
      lo = alignedLo;
      break;
    }
    ++s;
  }
  t.tMin = lo;
  t.tMax = hi;
  t.shift = s;
  int64_t depth = depthFor(lo, hi, s);
  t.values.resize(size_t(depth));
  int64_t half = s > 0 ? (int64_t(1) << (s - 1)) : 0;
  for (int64_t i = 0; i < depth; ++i) {
    int64_t code = (i << s) + t.tMin + half;
    t.values[size_t(i)] = quantize(f(std::ldexp(double(code), -F)), out);
  }
  return t;
}

ActTable makeActTableOverFormat(const std::function<double(double)> &f, const FixedFormat &in,
                                const FixedFormat &out) {
  double lo = std::ldexp(double(in.minInt()), -in.frac());
  double hi = std::ldexp(double(in.maxInt()) + 1.0, -in.frac());
  return makeActTable(f, lo, hi, in, out);
}

int64_t actTableIndex(const ActTable &t, int64_t y) {
  int64_t c = std::min(std::max(y, t.tMin), t.tMax);
  return (c >> t.shift) - (t.tMin >> t.shift);
}

int64_t lookupAct(const ActTable &t, int64_t y) { return t.values[size_t(actTableIndex(t, y))]; }

ExpTable makeExpTable(const FixedFormat &in) {
  ExpTable t = makeExpTableForScale(std::ldexp(1.0, -in.frac()), in.width);
  t.in = in;
  return t;
}

ExpTable makeExpTableForScale(double scale, int width) {
  // d codes in [0, 16/scale - 1] (16*2^F - 1 for scale 2^-F), capped by the
  // largest possible difference of two W-bit codes, 2^W - 1.
  int64_t diffMax = (int64_t(1) << width) - 1;
  double dom = std::ceil(16.0 / scale) - 1;
  int64_t dMax = dom >= double(diffMax) ? diffMax : std::max<int64_t>(0, int64_t(dom));
  ExpTable t;
  t.shift = tableShiftFor(0, dMax, kMaxExpDepth);
  int64_t depth = (dMax >> t.shift) + 1;
  t.values.resize(size_t(depth));
  // Each entry is exp at its bucket's middle code (as the activation tables
  // do): a bucket start would be up to a whole bucket (1.6% at depth 1024 over
  // [0, 16)) off for every code in it, the middle half that.
  int64_t half = t.shift > 0 ? int64_t(1) << (t.shift - 1) : 0;
  for (int64_t j = 0; j < depth; ++j) {
    double x = -double((j << t.shift) + half) * scale;
    t.values[size_t(j)] = roundToInt64(std::ldexp(std::exp(x), ExpTable::kFrac));
  }
  int64_t maxV = 0;
  for (int64_t v : t.values)
    maxV = std::max(maxV, v);
  int bits = 16; // EXP_BITS >= 16 (CONTRACTS.md), also when EXP[0] < 2^15
  while (bits < 63 && (maxV >> bits) != 0)
    ++bits;
  t.bits = bits;
  return t;
}

int64_t expTableIndex(const ExpTable &t, int64_t d) {
  if (d < 0)
    d = 0;
  return std::min(d >> t.shift, t.depth() - 1);
}

int64_t lookupExp(const ExpTable &t, int64_t d) { return t.values[size_t(expTableIndex(t, d))]; }

LeakyReluParams makeLeakyRelu(double alpha) {
  LeakyReluParams p;
  p.A = roundToInt64(std::ldexp(alpha, p.S));
  return p;
}

int64_t leakyReluCode(int64_t y, const LeakyReluParams &p, int width) {
  if (y >= 0)
    return y;
  __int128 prod = (__int128)y * p.A;
  // y is a W-bit code (W <= 32) and |A| < 2^63, but keep it exact anyway.
  if (prod > (__int128)INT64_MAX || prod < (__int128)INT64_MIN)
    return saturate(prod > 0 ? INT64_MAX : INT64_MIN, width);
  return saturate(shiftRoundEven(int64_t(prod), p.S), width);
}

} // namespace numerics
} // namespace loom
