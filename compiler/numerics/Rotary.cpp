//===- Rotary.cpp - integer rotary position embedding ---------------------===//
#include "compiler/numerics/Rotary.h"

#include "compiler/numerics/Affine.h"
#include "compiler/numerics/FixedPoint.h"

#include <algorithm>
#include <cmath>
#include <string>

using namespace loom::numerics;

namespace {
using u128 = unsigned __int128;
llvm::Error fail(const std::string &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg.c_str());
}
} // namespace

int RotaryParams::accBits() const {
  int64_t m = 0;
  for (size_t i = 0; i < cos.size(); ++i)
    m = std::max<int64_t>(m, std::abs(cos[i]) + std::abs(sin[i]));
  return signedBits(u128(std::max<int64_t>(m, 1)) << (inWidth - 1));
}

int RotaryParams::mBits() const { return signedBits(u128(mult)); }

int RotaryParams::zBits() const { return accBits() + mBits(); }

std::vector<int64_t> loom::numerics::rotaryTableCodes(const std::vector<double> &values) {
  std::vector<int64_t> out;
  out.reserve(values.size());
  for (double v : values)
    out.push_back(int64_t(roundHalfEven(v * std::ldexp(1.0, RotaryParams::kFrac))));
  return out;
}

llvm::Expected<RotaryParams> loom::numerics::makeRotary(int64_t T, int64_t C, int64_t D,
                                                        int inWidth, int outWidth,
                                                        const std::vector<double> &cos,
                                                        const std::vector<double> &sin,
                                                        double sIn, double sOut, int64_t lo,
                                                        int64_t hi) {
  if (T < 1 || D < 2 || D % 2 || C < D || C % D)
    return fail("rotary embedding of " + std::to_string(C) + " channels in heads of " +
                std::to_string(D) + ": the head dim must be even and divide the channels");
  if (int64_t(cos.size()) != T * C || int64_t(sin.size()) != T * C)
    return fail("rotary tables must hold T x C values");
  if (inWidth < 2 || inWidth > 32 || outWidth < 2 || outWidth > 32)
    return fail("rotary codes of " + std::to_string(inWidth) + " bits in, " +
                std::to_string(outWidth) + " out; Loom supports 2 to 32");
  for (size_t i = 0; i < cos.size(); ++i)
    if (!(std::abs(cos[i]) <= 1.0) || !(std::abs(sin[i]) <= 1.0))
      return fail("rotary tables must hold cos / sin values in [-1, 1]");
  if (lo > hi)
    return fail("the output range is empty");
  auto rq = makeRequant({sIn / sOut * std::ldexp(1.0, -RotaryParams::kFrac)});
  if (!rq)
    return fail("the rotary input / output scale ratio " + std::to_string(sIn / sOut) +
                " has no 24-bit multiplier and shift");
  RotaryParams p;
  p.T = T, p.C = C, p.D = D, p.inWidth = inWidth, p.outWidth = outWidth;
  p.cos = rotaryTableCodes(cos), p.sin = rotaryTableCodes(sin);
  p.mult = rq->mult[0], p.shift = rq->shift, p.lo = lo, p.hi = hi;
  if (p.zBits() > 64)
    return fail("rotary product of " + std::to_string(p.zBits()) + " bits exceeds 64");
  return p;
}

int64_t loom::numerics::rotaryCode(const RotaryParams &p, int64_t x, int64_t xp, int64_t cosCode,
                                   int64_t sinCode) {
  __int128 acc = __int128(x) * cosCode + __int128(xp) * sinCode;
  __int128 y = shiftRoundEven128(acc * p.mult, p.shift);
  return int64_t(std::clamp<__int128>(y, p.lo, p.hi));
}

std::vector<int64_t> loom::numerics::rotaryFrame(const RotaryParams &p,
                                                 const std::vector<int64_t> &x) {
  std::vector<int64_t> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    int64_t t = int64_t(i) / p.C % p.T, c = int64_t(i) % p.C;
    size_t row = i - size_t(c), at = size_t(t * p.C + c);
    y[i] = rotaryCode(p, x[i], x[row + size_t(rotaryPartner(c, p.D))], p.cos[at], p.sin[at]);
  }
  return y;
}
