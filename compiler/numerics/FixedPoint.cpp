//===- FixedPoint.cpp - Loom fixed-point numerics -------------------------===//
#include "compiler/numerics/FixedPoint.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace loom {
namespace numerics {

double FixedFormat::lsb() const { return std::ldexp(1.0, -frac()); }

std::string FixedFormat::str() const {
  return "fixed<" + std::to_string(width) + "," + std::to_string(intBits) + ">";
}

static llvm::Error formatError(llvm::StringRef text, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "invalid fixed-point format '" + text + "': " + why +
                                     "; expected fixed<W,I> with 2 <= W <= 32 and I <= W");
}

static llvm::Error checkRanges(llvm::StringRef text, int64_t w, int64_t i) {
  if (w < 2 || w > 32)
    return formatError(text, "width W = " + llvm::Twine(w) + " is outside [2, 32]");
  if (i > w)
    return formatError(text, "integer bits I = " + llvm::Twine(i) +
                                 " exceed the width W = " + llvm::Twine(w));
  if (w - i > 62)
    return formatError(text, "too many fractional bits (W - I = " + llvm::Twine(w - i) + " > 62)");
  return llvm::Error::success();
}

llvm::Error validateFixedFormat(const FixedFormat &f) {
  return checkRanges(f.str(), f.width, f.intBits);
}

llvm::Expected<FixedFormat> parseFixedFormat(llvm::StringRef text) {
  llvm::StringRef s = text.trim();
  if (!s.consume_front("fixed"))
    return formatError(text, "it does not start with 'fixed'");
  s = s.ltrim();
  if (!s.consume_front("<") || !s.consume_back(">"))
    return formatError(text, "missing '<' or '>'");
  auto [ws, is] = s.split(',');
  if (!s.contains(','))
    return formatError(text, "missing ',' between W and I");
  long long w = 0, i = 0;
  // getAsInteger returns true on error and requires the whole string.
  if (ws.trim().getAsInteger(10, w))
    return formatError(text, "W '" + ws.trim() + "' is not an integer");
  if (is.trim().getAsInteger(10, i))
    return formatError(text, "I '" + is.trim() + "' is not an integer");
  if (auto err = checkRanges(text, w, i))
    return std::move(err);
  return FixedFormat{int(w), int(i)};
}

double roundHalfEven(double x) {
  if (!std::isfinite(x))
    return x;
  // Every double >= 2^52 in magnitude is already an integer.
  if (std::fabs(x) >= 4503599627370496.0)
    return x;
  double f = std::floor(x);
  double diff = x - f; // exact: x and f are within 1 of each other
  if (diff > 0.5)
    return f + 1.0;
  if (diff < 0.5)
    return f;
  // Tie: pick the even neighbour.
  return std::fmod(f, 2.0) == 0.0 ? f : f + 1.0;
}

int64_t saturate(int64_t v, int width) {
  if (width >= 64)
    return v;
  if (width < 1)
    width = 1;
  int64_t hi = (int64_t(1) << (width - 1)) - 1;
  int64_t lo = -hi - 1;
  return v < lo ? lo : (v > hi ? hi : v);
}

int64_t roundToInt64(double x) {
  if (std::isnan(x))
    return 0;
  double r = roundHalfEven(x);
  // 2^63 is exactly representable; anything >= it saturates.
  if (r >= 9223372036854775808.0)
    return std::numeric_limits<int64_t>::max();
  if (r <= -9223372036854775808.0)
    return std::numeric_limits<int64_t>::min();
  return int64_t(r);
}

int64_t quantizeToScale(double x, int frac) { return roundToInt64(std::ldexp(x, frac)); }

int64_t quantize(double x, const FixedFormat &f) {
  return saturate(quantizeToScale(x, f.frac()), f.width);
}

double dequantize(int64_t q, const FixedFormat &f) { return std::ldexp(double(q), -f.frac()); }

int64_t shiftRoundEven(int64_t a, int s) {
  if (s == 0)
    return a;
  if (s < 0) {
    if (s <= -64)
      return 0;
    return int64_t(uint64_t(a) << unsigned(-s));
  }
  if (s >= 64)
    return 0;
  uint64_t ua = uint64_t(a);
  int64_t q = a >> s; // arithmetic shift (C++20 guaranteed, GCC/Clang always)
  uint64_t mask = (s == 63) ? 0x7fffffffffffffffULL : ((uint64_t(1) << s) - 1);
  uint64_t rem = ua & mask;
  uint64_t half = uint64_t(1) << (s - 1);
  if (rem > half || (rem == half && (q & 1)))
    q += 1;
  return q;
}

int64_t requantize(int64_t acc, int shift, int outWidth) {
  if (shift >= 0)
    return saturate(shiftRoundEven(acc, shift), outWidth);
  if (acc == 0)
    return 0;
  int64_t hi = outWidth >= 64 ? INT64_MAX : (int64_t(1) << (outWidth - 1)) - 1;
  int64_t lo = -hi - 1;
  if (shift <= -64)
    return acc > 0 ? hi : lo;
  __int128 v = (__int128)acc * ((__int128)1 << (-shift));
  if (v > hi)
    return hi;
  if (v < lo)
    return lo;
  return int64_t(v);
}

std::string toHex(int64_t v, int width) {
  if (width < 1)
    width = 1;
  if (width > 64)
    width = 64;
  uint64_t u = uint64_t(v);
  if (width < 64)
    u &= (uint64_t(1) << width) - 1;
  int digits = (width + 3) / 4;
  static const char *kDigits = "0123456789abcdef";
  std::string s(size_t(digits), '0');
  for (int i = digits - 1; i >= 0; --i, u >>= 4)
    s[size_t(i)] = kDigits[u & 0xF];
  return s;
}

int signedWidthFor(int64_t maxAbs) {
  uint64_t m = maxAbs < 0 ? uint64_t(0) - uint64_t(maxAbs) : uint64_t(maxAbs);
  int bits = 0; // bit length of m
  while (bits < 64 && (m >> bits) != 0)
    ++bits;
  return bits + 1;
}

static int signedWidthFor128(unsigned __int128 m) {
  int bits = 0;
  while (bits < 128 && (m >> bits) != 0)
    ++bits;
  return bits + 1;
}

static unsigned __int128 absU128(int64_t v) {
  return v < 0 ? (unsigned __int128)(uint64_t(0) - uint64_t(v)) : (unsigned __int128)uint64_t(v);
}

int accWidth(const std::vector<int64_t> &weights, const std::vector<int64_t> &bias, int64_t K,
             int inputWidth) {
  if (K <= 0)
    K = 1;
  int64_t N = bias.empty() ? int64_t(weights.size()) / K : int64_t(bias.size());
  unsigned __int128 inMax = (unsigned __int128)1 << (inputWidth - 1);
  unsigned __int128 best = 0;
  for (int64_t n = 0; n < N; ++n) {
    unsigned __int128 sum = 0;
    for (int64_t k = 0; k < K; ++k) {
      size_t idx = size_t(n * K + k);
      if (idx < weights.size())
        sum += absU128(weights[idx]) * inMax;
    }
    if (size_t(n) < bias.size())
      sum += absU128(bias[n]);
    if (sum > best)
      best = sum;
  }
  return signedWidthFor128(best);
}

int accWidth(const std::vector<std::vector<int64_t>> &weights, const std::vector<int64_t> &bias,
             int inputWidth) {
  int64_t K = weights.empty() ? 1 : int64_t(weights[0].size());
  std::vector<int64_t> flat;
  flat.reserve(weights.size() * size_t(K));
  for (const auto &row : weights)
    for (int64_t k = 0; k < K; ++k)
      flat.push_back(size_t(k) < row.size() ? row[k] : 0);
  std::vector<int64_t> b = bias;
  b.resize(weights.size(), 0);
  return accWidth(flat, b, K, inputWidth);
}

int64_t divRoundHalfEven(int64_t s, int64_t d) {
  if (d <= 0)
    return 0;
  __int128 S = s, D = d;
  __int128 q = S / D;
  if (S % D != 0 && S < 0) // C++ truncates toward zero: make it floor
    q -= 1;
  __int128 r = S - q * D; // 0 <= r < d
  if (2 * r > D || (2 * r == D && (q & 1)))
    q += 1;
  return int64_t(q);
}

int bitsOf(unsigned __int128 v) {
  int n = 0;
  while (v) {
    ++n;
    v >>= 1;
  }
  return n;
}

int signedBits(unsigned __int128 m) { return std::max(2, bitsOf(m) + 1); }

} // namespace numerics
} // namespace loom
