#include "compiler/numerics/FixedPoint.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace loom::numerics;

namespace {

std::string errText(llvm::Expected<FixedFormat> r) {
  if (r)
    return "";
  return llvm::toString(r.takeError());
}

TEST(FixedFormat, ParsesValid) {
  auto f = parseFixedFormat("fixed<8,4>");
  ASSERT_TRUE(bool(f));
  EXPECT_EQ(f->width, 8);
  EXPECT_EQ(f->intBits, 4);
  EXPECT_EQ(f->frac(), 4);
  EXPECT_EQ(f->minInt(), -128);
  EXPECT_EQ(f->maxInt(), 127);
  EXPECT_EQ(f->str(), "fixed<8,4>");
  auto g = parseFixedFormat("  fixed< 16 , 0 > ");
  ASSERT_TRUE(bool(g));
  EXPECT_EQ(g->frac(), 16);
  auto h = parseFixedFormat("fixed<32,32>");
  ASSERT_TRUE(bool(h));
  EXPECT_EQ(h->frac(), 0);
  auto n = parseFixedFormat("fixed<8,-2>"); // values in [-2^-3, 2^-3)
  ASSERT_TRUE(bool(n));
  EXPECT_EQ(n->frac(), 10);
  auto two = parseFixedFormat("fixed<2,1>");
  ASSERT_TRUE(bool(two));
}

TEST(FixedFormat, RejectsInvalidWithClearText) {
  for (const char *bad : {"fixed<1,0>", "fixed<33,1>", "fixed<8,9>", "fixd<8,4>", "fixed<8>",
                          "fixed<a,1>", "fixed<8,4", "", "int8", "fixed<8,4,2>"}) {
    std::string e = errText(parseFixedFormat(bad));
    EXPECT_NE(e.find("invalid fixed-point format '"), std::string::npos) << bad;
    EXPECT_NE(e.find("expected fixed<W,I>"), std::string::npos) << bad;
  }
  EXPECT_NE(errText(parseFixedFormat("fixed<33,1>")).find("outside [2, 32]"), std::string::npos);
  EXPECT_NE(errText(parseFixedFormat("fixed<8,9>")).find("exceed the width"), std::string::npos);
  EXPECT_FALSE(bool(validateFixedFormat(FixedFormat{8, 4})));
  llvm::Error e = validateFixedFormat(FixedFormat{40, 4});
  EXPECT_TRUE(bool(e));
  llvm::consumeError(std::move(e));
}

TEST(RoundHalfEven, Ties) {
  EXPECT_EQ(roundHalfEven(0.5), 0.0);
  EXPECT_EQ(roundHalfEven(1.5), 2.0);
  EXPECT_EQ(roundHalfEven(2.5), 2.0);
  EXPECT_EQ(roundHalfEven(3.5), 4.0);
  EXPECT_EQ(roundHalfEven(-0.5), 0.0);
  EXPECT_EQ(roundHalfEven(-1.5), -2.0);
  EXPECT_EQ(roundHalfEven(-2.5), -2.0);
  EXPECT_EQ(roundHalfEven(-3.5), -4.0);
  EXPECT_EQ(roundHalfEven(2.4999999), 2.0);
  EXPECT_EQ(roundHalfEven(2.5000001), 3.0);
  EXPECT_EQ(roundHalfEven(-2.5000001), -3.0);
  EXPECT_EQ(roundHalfEven(0.49999999999999994), 0.0);               // largest double < 0.5
  EXPECT_EQ(roundHalfEven(4503599627370497.0), 4503599627370497.0); // 2^52+1
  EXPECT_EQ(roundHalfEven(4503599627370495.5), 4503599627370496.0); // tie, odd floor
  EXPECT_EQ(roundHalfEven(4503599627370494.5), 4503599627370494.0); // tie, even floor
  EXPECT_TRUE(std::isnan(roundHalfEven(NAN)));
  EXPECT_EQ(roundHalfEven(INFINITY), INFINITY);
  // Agrees with nearbyint under the default (to nearest even) mode.
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> d(-1000, 1000);
  for (int i = 0; i < 100000; ++i) {
    double x = std::ldexp(std::round(d(rng) * 8), -3); // many exact ties
    ASSERT_EQ(roundHalfEven(x), std::nearbyint(x)) << x;
  }
}

TEST(Quantize, RoundsAndSaturates) {
  FixedFormat f{8, 4}; // LSB 1/16
  EXPECT_EQ(quantize(1.0, f), 16);
  EXPECT_EQ(quantize(1.0 / 32, f), 0);   // 0.5 LSB -> 0 (even)
  EXPECT_EQ(quantize(3.0 / 32, f), 2);   // 1.5 LSB -> 2
  EXPECT_EQ(quantize(5.0 / 32, f), 2);   // 2.5 LSB -> 2
  EXPECT_EQ(quantize(-3.0 / 32, f), -2); // -1.5 LSB -> -2
  EXPECT_EQ(quantize(7.9375, f), 127);
  EXPECT_EQ(quantize(7.96875, f), 127); // rounds to 128, saturates
  EXPECT_EQ(quantize(100.0, f), 127);
  EXPECT_EQ(quantize(-8.0, f), -128);
  EXPECT_EQ(quantize(-100.0, f), -128);
  EXPECT_EQ(quantize(NAN, f), 0);
  EXPECT_EQ(quantize(INFINITY, f), 127);
  EXPECT_EQ(quantize(-INFINITY, f), -128);
  EXPECT_EQ(quantize(1e300, FixedFormat{32, 1}), 2147483647);
  EXPECT_DOUBLE_EQ(dequantize(-24, f), -1.5);
  EXPECT_EQ(quantizeToScale(0.375, 3), 3);
  EXPECT_EQ(quantizeToScale(1e30, 3), INT64_MAX);
  EXPECT_EQ(roundToInt64(-1e30), INT64_MIN);
}

TEST(Saturate, Widths) {
  EXPECT_EQ(saturate(127, 8), 127);
  EXPECT_EQ(saturate(128, 8), 127);
  EXPECT_EQ(saturate(-128, 8), -128);
  EXPECT_EQ(saturate(-129, 8), -128);
  EXPECT_EQ(saturate(5, 2), 1);
  EXPECT_EQ(saturate(-5, 2), -2);
  EXPECT_EQ(saturate(1, 1), 0);
  EXPECT_EQ(saturate(-1, 1), -1);
  EXPECT_EQ(saturate(INT64_MAX, 32), INT32_MAX);
  EXPECT_EQ(saturate(INT64_MIN, 32), INT32_MIN);
  EXPECT_EQ(saturate(INT64_MIN, 64), INT64_MIN);
  EXPECT_EQ(saturate(INT64_MAX, 63), (int64_t(1) << 62) - 1);
}

// Exact reference: floor division, remainder in [0, 2^s), round half even.
int64_t exactShiftRound(int64_t a, int s) {
  __int128 p = (__int128)1 << s;
  __int128 A = a;
  __int128 q = A >= 0 ? A / p : -((-A + p - 1) / p); // floor
  __int128 r = A - q * p;
  if (2 * r > p || (2 * r == p && (q & 1)))
    q += 1;
  return int64_t(q);
}

TEST(ShiftRoundEven, HandCases) {
  EXPECT_EQ(shiftRoundEven(5, 0), 5);
  EXPECT_EQ(shiftRoundEven(6, 2), 2);    // 1.5  -> 2
  EXPECT_EQ(shiftRoundEven(10, 2), 2);   // 2.5  -> 2
  EXPECT_EQ(shiftRoundEven(14, 2), 4);   // 3.5  -> 4
  EXPECT_EQ(shiftRoundEven(-6, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(shiftRoundEven(-10, 2), -2); // -2.5 -> -2
  EXPECT_EQ(shiftRoundEven(-2, 2), 0);   // -0.5 -> 0
  EXPECT_EQ(shiftRoundEven(2, 2), 0);    // 0.5  -> 0
  EXPECT_EQ(shiftRoundEven(-3, 2), -1);  // -0.75 -> -1
  EXPECT_EQ(shiftRoundEven(7, 3), 1);    // 0.875 -> 1
  EXPECT_EQ(shiftRoundEven(1, 1), 0);
  EXPECT_EQ(shiftRoundEven(3, 1), 2);
  EXPECT_EQ(shiftRoundEven(-1, 1), 0);
  EXPECT_EQ(shiftRoundEven(INT64_MIN, 63), -1);
  EXPECT_EQ(shiftRoundEven(INT64_MAX, 63), 1);
  EXPECT_EQ(shiftRoundEven(INT64_MIN, 64), 0);
  EXPECT_EQ(shiftRoundEven(INT64_MAX, 100), 0);
  EXPECT_EQ(shiftRoundEven(3, -2), 12);
}

TEST(ShiftRoundEven, MatchesDoubleBruteForce) {
  // |a| < 2^53: a * 2^-s is exact in double, so roundHalfEven of it is the
  // mathematically correct answer.
  std::mt19937_64 rng(42);
  for (int i = 0; i < 400000; ++i) {
    int bits = int(rng() % 54);
    int64_t a = bits == 0 ? 0 : int64_t(rng() >> (64 - bits));
    if (rng() & 1)
      a = -a;
    int s = int(rng() % 48);
    double ref = roundHalfEven(std::ldexp(double(a), -s));
    ASSERT_EQ(shiftRoundEven(a, s), int64_t(ref)) << "a=" << a << " s=" << s;
  }
  // Exhaustive small range, including every tie.
  for (int64_t a = -4096; a <= 4096; ++a)
    for (int s = 0; s <= 14; ++s)
      ASSERT_EQ(shiftRoundEven(a, s), int64_t(roundHalfEven(std::ldexp(double(a), -s))))
          << "a=" << a << " s=" << s;
}

TEST(ShiftRoundEven, MatchesExactFullRange) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 400000; ++i) {
    int64_t a = int64_t(rng());
    int s = 1 + int(rng() % 63);
    ASSERT_EQ(shiftRoundEven(a, s), exactShiftRound(a, s)) << "a=" << a << " s=" << s;
  }
}

TEST(SignedWidth, Values) {
  EXPECT_EQ(signedWidthFor(0), 1);
  EXPECT_EQ(signedWidthFor(1), 2);
  EXPECT_EQ(signedWidthFor(127), 8);
  EXPECT_EQ(signedWidthFor(128), 9);
  EXPECT_EQ(signedWidthFor(-128), 9);
  EXPECT_EQ(signedWidthFor(255), 9);
  EXPECT_EQ(signedWidthFor(INT64_MAX), 64);
  EXPECT_EQ(signedWidthFor(INT64_MIN), 65);
}

TEST(AccWidth, HandExample) {
  // Wi = 8: |x| <= 128.
  // row 0: (|1| + |-2|) * 128 + |5|    = 389 -> 10 bits (<= 511)
  // row 1: (|3| + |0|)  * 128 + |-200| = 584 -> 11 bits (> 511)
  std::vector<int64_t> W = {1, -2, 3, 0};
  EXPECT_EQ(accWidth(W, {5, -200}, 2, 8), 11);
  EXPECT_EQ(accWidth(W, {5, -100}, 2, 8), 10); // 484
  EXPECT_EQ(accWidth(W, {}, 2, 8), 10);        // 384
  EXPECT_EQ(accWidth({{1, -2}, {3, 0}}, {5, -200}, 8), 11);
  // One weight 1, one input bit-width 2 -> |acc| <= 2 -> 3 bits.
  EXPECT_EQ(accWidth(std::vector<int64_t>{1}, {0}, 1, 2), 3);
}

TEST(AccWidth, NeverOverflowsExhaustive) {
  // Every input vector of 2 x 4-bit values, random 4-bit weights and biases:
  // the accumulator must fit the computed width, and the width is tight for
  // the worst-case input.
  std::mt19937 rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    const int K = 2, N = 3, Wi = 4;
    std::vector<int64_t> W(N * K), b(N);
    for (auto &w : W)
      w = int64_t(rng() % 16) - 8;
    for (auto &v : b)
      v = int64_t(rng() % 64) - 32;
    int aw = accWidth(W, b, K, Wi);
    int64_t worst = 0;
    for (int x0 = -8; x0 < 8; ++x0)
      for (int x1 = -8; x1 < 8; ++x1)
        for (int n = 0; n < N; ++n) {
          int64_t acc = x0 * W[n * K] + x1 * W[n * K + 1] + b[n];
          ASSERT_EQ(saturate(acc, aw), acc);
          worst = std::max<int64_t>(worst, acc < 0 ? -acc : acc);
        }
    EXPECT_GE(aw, signedWidthFor(worst));
  }
}

} // namespace

namespace {
TEST(Requantize, ShiftAndSaturate) {
  EXPECT_EQ(requantize(10, 2, 8), 2);     // 2.5 -> 2
  EXPECT_EQ(requantize(1000, 2, 8), 127); // 250 -> 127
  EXPECT_EQ(requantize(-1000, 2, 8), -128);
  EXPECT_EQ(requantize(3, -2, 8), 12);    // left shift
  EXPECT_EQ(requantize(100, -2, 8), 127); // 400 saturates, no wrap
  EXPECT_EQ(requantize(-100, -2, 8), -128);
  EXPECT_EQ(requantize(INT64_MAX, -10, 32), INT32_MAX);
  EXPECT_EQ(requantize(-1, -70, 16), -32768);
  EXPECT_EQ(requantize(0, -70, 16), 0);
}

TEST(ToHex, TwosComplement) {
  EXPECT_EQ(toHex(-1, 8), "ff");
  EXPECT_EQ(toHex(5, 10), "005");
  EXPECT_EQ(toHex(-2, 3), "6");
  EXPECT_EQ(toHex(-128, 8), "80");
  EXPECT_EQ(toHex(32768, 16), "8000");
  EXPECT_EQ(toHex(-1, 64), "ffffffffffffffff");
  EXPECT_EQ(toHex(0x1234, 13), "1234");
}
} // namespace
