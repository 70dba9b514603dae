//===- Affine.cpp - affine (scale, zero point) integer numerics -----------===//
#include "compiler/numerics/Affine.h"

#include "compiler/numerics/FixedPoint.h"

#include <algorithm>
#include <cmath>

using namespace loom;
using namespace loom::numerics;

std::optional<Rounding> numerics::parseRounding(llvm::StringRef name) {
  if (name == "half_even")
    return Rounding::HalfEven;
  if (name == "half_up")
    return Rounding::HalfUp;
  if (name == "half_down")
    return Rounding::HalfDown;
  if (name == "floor")
    return Rounding::Floor;
  if (name == "ceil")
    return Rounding::Ceil;
  if (name == "to_zero")
    return Rounding::ToZero;
  return std::nullopt;
}

double numerics::roundWith(double x, Rounding r) {
  switch (r) {
  case Rounding::HalfEven:
    return roundHalfEven(x);
  case Rounding::HalfUp: // ties away from zero (QONNX HALF_UP)
    return std::copysign(std::floor(std::fabs(x) + 0.5), x);
  case Rounding::HalfDown: // ties towards zero (QONNX HALF_DOWN)
    return std::copysign(std::ceil(std::fabs(x) - 0.5), x);
  case Rounding::Floor:
    return std::floor(x);
  case Rounding::Ceil:
    return std::ceil(x);
  case Rounding::ToZero:
    return std::trunc(x);
  }
  return x;
}

int64_t numerics::quantizeLinear(double x, double scale, int64_t zp, int64_t qmin, int64_t qmax,
                                 Rounding r) {
  // ONNX divides in f32; the quotient is then exact in double, so rounding it
  // in double gives the f32 result. |x / scale| beyond 2^62 saturates anyway.
  float quotient = float(x) / float(scale);
  double q = roundWith(double(quotient), r);
  int64_t v;
  if (std::isnan(q))
    v = 0;
  else if (q > 4e18)
    v = int64_t(4e18);
  else if (q < -4e18)
    v = -int64_t(4e18);
  else
    v = int64_t(q);
  return std::clamp(v + zp, qmin, qmax);
}

double numerics::dequantizeLinear(int64_t q, double scale, int64_t zp) {
  return double(float(q - zp) * float(scale));
}

std::vector<int64_t> numerics::affineTable(int64_t cLo, int64_t cHi, double sIn,
                                           const std::function<double(double)> &f, double sOut,
                                           int64_t zpOut, int64_t qmin, int64_t qmax) {
  std::vector<int64_t> t;
  for (int64_t c = cLo; c <= cHi; ++c) {
    // ONNX Runtime evaluates f on the f32 input and keeps an f32 result.
    double y = double(float(f(dequantizeLinear(c, sIn, 0))));
    t.push_back(quantizeLinear(y, sOut, zpOut, qmin, qmax, Rounding::HalfEven) - zpOut);
  }
  return t;
}

/// f32(r) as m * 2^(e - 24) with m in [2^23, 2^24) (r > 0, finite, normal).
static void toF32Mantissa(double r, int64_t &m, int &e) {
  double f = double(float(r));
  double frac = std::frexp(f, &e); // f = frac * 2^e, frac in [0.5, 1)
  m = int64_t(std::ldexp(frac, 24));
}

std::optional<Requant> numerics::makeRequant(const std::vector<double> &ratios, bool fine) {
  if (ratios.empty())
    return std::nullopt;
  int topShift = 1 << 20, needShift = -(1 << 20);
  for (double r : ratios) {
    if (!(r > 0) || !std::isfinite(r) || !(float(r) > 0) || !std::isfinite(float(r)))
      return std::nullopt;
    int64_t m;
    int e;
    toF32Mantissa(r, m, e);
    int s = 24 - e; // r == m * 2^-s
    while (m % 2 == 0) {
      m /= 2;
      --s;
    }
    needShift = std::max(needShift, s);
    topShift = std::min(topShift, 24 - e); // the largest ratio gets 24 bits
  }
  Requant out;
  out.shift = fine ? topShift : std::min(std::max(needShift, 0), topShift);
  if (out.shift < 0 || out.shift > 62)
    return std::nullopt;
  for (double r : ratios) {
    int64_t m = roundToInt64(std::ldexp(double(float(r)), out.shift));
    if (m < 1 || m >= (int64_t(1) << 24))
      return std::nullopt;
    out.mult.push_back(m);
  }
  return out;
}

std::optional<Requant> numerics::makeAddRequant(double ra, double rb) {
  double top = std::max(ra, rb);
  if (!(ra > 0) || !(rb > 0) || !std::isfinite(top))
    return std::nullopt;
  int e;
  std::frexp(double(float(top)), &e);
  Requant out;
  out.shift = 24 - e; // top * 2^S in [2^23, 2^24)
  if (out.shift < 0 || out.shift > 62)
    return std::nullopt;
  for (double r : {ra, rb}) {
    int64_t m = roundToInt64(std::ldexp(double(float(r)), out.shift));
    if (m < 1 || m >= (int64_t(1) << 24))
      return std::nullopt;
    out.mult.push_back(m);
  }
  return out;
}

__int128 numerics::shiftRoundEven128(__int128 a, int s) {
  if (s <= 0)
    return a;
  __int128 q = a >> s; // arithmetic shift: floor
  __int128 rem = a - (q << s);
  __int128 half = __int128(1) << (s - 1);
  if (rem > half || (rem == half && (q & 1)))
    ++q;
  return q;
}

static int64_t saturate128(__int128 v, int width) {
  int w = std::min(std::max(width, 1), 64);
  __int128 hi = (__int128(1) << (w - 1)) - 1, lo = -(__int128(1) << (w - 1));
  return int64_t(std::clamp(v, lo, hi));
}

int64_t numerics::requantizeMult(int64_t acc, int64_t mult, int shift, int width,
                                 int64_t postBias) {
  return saturate128(shiftRoundEven128(__int128(acc) * mult + postBias, shift), width);
}

int64_t numerics::scaledAdd(int64_t a, int64_t ma, int64_t b, int64_t mb, int shift, int width) {
  return saturate128(shiftRoundEven128(__int128(a) * ma + __int128(b) * mb, shift), width);
}
