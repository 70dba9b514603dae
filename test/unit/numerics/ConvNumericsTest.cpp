//===- ConvNumericsTest.cpp - numerics additions for the conv path --------===//
#include "compiler/numerics/FixedPoint.h"
#include "compiler/numerics/Tables.h"
#include "test/unit/TestActTables.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace loom::numerics;

namespace {

TEST(ConvNumerics, DivRoundHalfEvenMatchesContract) {
  // q = floor(s/d), r = s - q*d; q += (2r > d) || (2r == d && q odd).
  for (int64_t d = 1; d <= 40; ++d)
    for (int64_t s = -1000; s <= 1000; ++s) {
      int64_t q = s >= 0 ? s / d : -((-s + d - 1) / d);
      int64_t r = s - q * d;
      if (2 * r > d || (2 * r == d && (q & 1)))
        ++q;
      ASSERT_EQ(divRoundHalfEven(s, d), q) << s << "/" << d;
    }
  EXPECT_EQ(divRoundHalfEven(INT64_MAX, 2), int64_t(1) << 62);
  EXPECT_EQ(divRoundHalfEven(INT64_MIN, 2), -(int64_t(1) << 62));
  EXPECT_EQ(divRoundHalfEven(3, 0), 0);
}

TEST(ConvNumerics, LeakyRelu) {
  LeakyReluParams p = makeLeakyRelu(0.01);
  EXPECT_EQ(p.S, 15);
  EXPECT_EQ(p.A, 328); // round(0.01 * 32768 = 327.68)
  EXPECT_EQ(leakyReluCode(100, p, 8), 100);
  EXPECT_EQ(leakyReluCode(0, p, 8), 0);
  // -128 * 328 / 32768 = -1.28125 -> -1
  EXPECT_EQ(leakyReluCode(-128, p, 8), -1);
  // -50 * 328 / 32768 = -0.5005 -> -1;  -49 -> -0.4905 -> 0
  EXPECT_EQ(leakyReluCode(-50, p, 8), -1);
  EXPECT_EQ(leakyReluCode(-49, p, 8), 0);
  // alpha > 1 saturates: -100 * 2 = -200 -> -128 in 8 bits.
  EXPECT_EQ(leakyReluCode(-100, makeLeakyRelu(2.0), 8), -128);
  // Negative alpha: -100 * -0.5 = 50.
  EXPECT_EQ(leakyReluCode(-100, makeLeakyRelu(-0.5), 8), 50);
}

TEST(ConvNumerics, EluSeluTables) {
  FixedFormat in{10, 4}, out{8, 3};
  ActTable e = makeEluTable(1.0, in, out);
  EXPECT_EQ(e.tMin, in.minInt());
  EXPECT_EQ(e.tMax, in.maxInt());
  EXPECT_EQ(e.shift, 0); // 1024 codes fit exactly
  EXPECT_EQ(e.depth(), 1024);
  EXPECT_EQ(lookupAct(e, 0), 0);
  EXPECT_EQ(lookupAct(e, 64), quantize(1.0, out)); // x = 1
  EXPECT_EQ(lookupAct(e, in.minInt()), quantize(std::expm1(-32.0), out));
  ActTable s = makeSeluTable(kSeluAlpha, kSeluGamma, in, out);
  EXPECT_EQ(lookupAct(s, 64), quantize(kSeluGamma, out));
  EXPECT_EQ(lookupAct(s, -64), quantize(kSeluGamma * kSeluAlpha * std::expm1(-1.0), out));
  // Wider input: shift > 0, <= 1024 entries.
  ActTable w = makeEluTable(1.0, FixedFormat{16, 8}, out);
  EXPECT_EQ(w.shift, 6);
  EXPECT_EQ(w.depth(), 1024);
}

} // namespace
