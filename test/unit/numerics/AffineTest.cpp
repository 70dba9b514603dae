//===- AffineTest.cpp - affine numerics vs independent references ---------===//
//
// quantizeLinear, requantizeMult and scaledAdd against affine_refs.py (numpy
// float32 division and exact Python integers, run at test time); makeRequant
// against the properties that define it (docs/CONTRACTS.md "Affine integer
// graphs") over many random ratios.
//
//===----------------------------------------------------------------------===//
#include "compiler/numerics/Affine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

using namespace loom::numerics;

namespace {

std::string refsFile() {
  std::string out = ::testing::TempDir() + "loom_affine_refs.txt";
  std::string cmd = std::string("/usr/bin/python3 ") + LOOM_AFFINE_REFS_SCRIPT + " " + out;
  if (std::system(cmd.c_str()) != 0)
    return "";
  return out;
}

TEST(Affine, AgainstIndependentReferences) {
  std::string path = refsFile();
  ASSERT_FALSE(path.empty()) << "affine_refs.py failed (needs /usr/bin/python3 with numpy)";
  std::ifstream in(path);
  std::string line;
  int ql = 0, rq = 0, sa = 0;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string kind;
    s >> kind;
    if (kind == "QL") {
      double x, scale;
      int64_t zp, qmin, qmax, want;
      std::string mode;
      s >> x >> scale >> zp >> qmin >> qmax >> mode >> want;
      auto r = parseRounding(mode);
      ASSERT_TRUE(r) << mode;
      EXPECT_EQ(quantizeLinear(x, scale, zp, qmin, qmax, *r), want) << line;
      ++ql;
    } else if (kind == "RQ") {
      int64_t acc, mult, want;
      int shift, width;
      s >> acc >> mult >> shift >> width >> want;
      EXPECT_EQ(requantizeMult(acc, mult, shift, width), want) << line;
      ++rq;
    } else if (kind == "SA") {
      int64_t a, ma, b, mb, want;
      int shift, width;
      s >> a >> ma >> b >> mb >> shift >> width >> want;
      EXPECT_EQ(scaledAdd(a, ma, b, mb, shift, width), want) << line;
      ++sa;
    }
  }
  // The script writes ~1900 / ~3000 / 2000 cases: a short file means it broke.
  EXPECT_GT(ql, 1500);
  EXPECT_GT(rq, 2500);
  EXPECT_GT(sa, 1500);
}

TEST(Affine, RoundingModesByHand) {
  // 2.5 and -2.5 (exact in f32), every mode.
  struct Case {
    const char *mode;
    int64_t pos, neg;
  } cases[] = {{"half_even", 2, -2}, {"half_up", 3, -3}, {"half_down", 2, -2},
               {"floor", 2, -3},     {"ceil", 3, -2},    {"to_zero", 2, -2}};
  for (const Case &c : cases) {
    Rounding r = *parseRounding(c.mode);
    EXPECT_EQ(quantizeLinear(0.625, 0.25, 0, -128, 127, r), c.pos) << c.mode;
    EXPECT_EQ(quantizeLinear(-0.625, 0.25, 0, -128, 127, r), c.neg) << c.mode;
  }
  EXPECT_FALSE(parseRounding("nearest"));
  // Zero point and saturation: 100 / 0.5 + 128 = 328 -> 255; -1 / 0.5 + 10 = 8.
  EXPECT_EQ(quantizeLinear(100.0, 0.5, 128, 0, 255, Rounding::HalfEven), 255);
  EXPECT_EQ(quantizeLinear(-1.0, 0.5, 10, 0, 255, Rounding::HalfEven), 8);
  EXPECT_EQ(quantizeLinear(-1000.0, 0.5, 10, 0, 255, Rounding::HalfEven), 0);
  // Dequantize: (q - zp) * scale.
  EXPECT_EQ(dequantizeLinear(130, 0.5, 128), 1.0);
}

TEST(Affine, RequantOneRatioIsTheF32Value) {
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> expo(-30, 10);
  for (int i = 0; i < 20000; ++i) {
    double r = std::pow(2.0, expo(gen));
    auto rq = makeRequant({r});
    ASSERT_TRUE(rq) << r;
    int64_t m = rq->mult[0];
    // Exactly f32(r), with the fewest bits: M odd unless S == 0, M < 2^24.
    EXPECT_EQ(std::ldexp(double(m), -rq->shift), double(float(r))) << r;
    EXPECT_TRUE(m % 2 == 1 || rq->shift == 0) << r;
    EXPECT_LT(m, int64_t(1) << 24);
    EXPECT_GE(rq->shift, 0);
  }
  for (int e = -40; e <= 23; ++e) {
    auto rq = makeRequant({std::ldexp(1.0, e)});
    ASSERT_TRUE(rq);
    EXPECT_EQ(rq->mult[0], e >= 0 ? int64_t(1) << e : 1) << e;
    EXPECT_EQ(rq->shift, e >= 0 ? 0 : -e);
  }
  // Out of range: S would be negative, or above 62; not positive.
  EXPECT_FALSE(makeRequant({std::ldexp(1.0, 24)}));
  EXPECT_FALSE(makeRequant({std::ldexp(1.0, -70)}));
  EXPECT_FALSE(makeRequant({0.0}));
  EXPECT_FALSE(makeRequant({-0.5}));
}

TEST(Affine, RequantPerChannelSharesOneShift) {
  std::mt19937_64 gen(11);
  std::uniform_real_distribution<double> expo(-12, -2), spread(0, 6);
  for (int i = 0; i < 2000; ++i) {
    double base = std::pow(2.0, expo(gen));
    std::vector<double> rs;
    for (int n = 0; n < 8; ++n)
      rs.push_back(base * std::pow(2.0, spread(gen)));
    auto rq = makeRequant(rs);
    ASSERT_TRUE(rq);
    int64_t top = 0;
    for (size_t n = 0; n < rs.size(); ++n) {
      double f = double(float(rs[n]));
      // Within half an LSB of 2^-S of the f32 ratio.
      EXPECT_LE(std::fabs(std::ldexp(double(rq->mult[n]), -rq->shift) - f),
                std::ldexp(0.5, -rq->shift))
          << n;
      top = std::max(top, rq->mult[n]);
    }
    // The largest ratio keeps its 24 significant bits.
    EXPECT_GE(top, int64_t(1) << 23);
    EXPECT_LT(top, int64_t(1) << 24);
  }
  // Exact when every channel fits: 0.5, 0.25, 0.75 -> S = 2, M = 2, 1, 3.
  auto rq = makeRequant({0.5, 0.25, 0.75});
  ASSERT_TRUE(rq);
  EXPECT_EQ(rq->shift, 2);
  EXPECT_EQ(rq->mult, (std::vector<int64_t>{2, 1, 3}));
}

TEST(Affine, RequantizedLayerMatchesRealArithmetic) {
  // y = round(acc * R) computed by M, S differs from the real product only
  // where acc * R is within the f32 rounding of R of a tie.
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> expo(-14, 0);
  std::uniform_int_distribution<int64_t> accs(-(int64_t(1) << 30), int64_t(1) << 30);
  int differ = 0;
  for (int i = 0; i < 20000; ++i) {
    double r = std::pow(2.0, expo(gen));
    auto rq = makeRequant({r});
    ASSERT_TRUE(rq);
    int64_t acc = accs(gen);
    double real = double(acc) * double(float(r));
    int64_t y = requantizeMult(acc, rq->mult[0], rq->shift, 62);
    EXPECT_LE(std::fabs(double(y) - real), 0.5 + 1e-6 * std::fabs(real)) << acc << " " << r;
    differ += y != int64_t(std::nearbyint(real));
  }
  EXPECT_LT(differ, 20); // M * 2^-S == f32(r) exactly: only ties may differ
  // Saturation: 1000 * 1 >> 0 to 8 bits.
  EXPECT_EQ(requantizeMult(1000, 1, 0, 8), 127);
  EXPECT_EQ(requantizeMult(-1000, 3, 1, 8), -128);
}

TEST(Affine, AddRequant) {
  auto rq = makeAddRequant(0.5, 0.25);
  ASSERT_TRUE(rq);
  EXPECT_EQ(rq->shift, 24);
  EXPECT_EQ(rq->mult, (std::vector<int64_t>{int64_t(1) << 23, int64_t(1) << 22}));
  // The larger multiplier in [2^23, 2^24).
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> expo(-8, 8);
  for (int i = 0; i < 1000; ++i) {
    double a = std::pow(2.0, expo(gen)), b = std::pow(2.0, expo(gen));
    auto q = makeAddRequant(a, b);
    if (std::max(a, b) >= std::ldexp(1.0, 24) || std::min(a, b) < std::ldexp(1.0, -40))
      continue;
    ASSERT_TRUE(q);
    int64_t top = std::max(q->mult[0], q->mult[1]);
    EXPECT_GE(top, int64_t(1) << 23);
    EXPECT_LT(top, int64_t(1) << 24);
  }
  EXPECT_FALSE(makeAddRequant(0.0, 1.0));
}

// Element-wise tables between two quantizers (CONTRACTS), values by hand.
TEST(Affine, TableByHand) {
  auto sigmoid = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  auto tanhF = [](double x) { return std::tanh(x); };
  auto id = [](double x) { return x; };
  // sigmoid(-2..1) = 0.119, 0.269, 0.5, 0.731; / 0.25 = 0.48, 1.08, 2, 2.92.
  EXPECT_EQ(affineTable(-2, 1, 1.0, sigmoid, 0.25, 0, 0, 3), (std::vector<int64_t>{0, 1, 2, 3}));
  // tanh(+-0.5) * 128 = +-59.15, tanh(+-1) * 128 = +-97.48.
  EXPECT_EQ(affineTable(-2, 2, 0.5, tanhF, 1.0 / 128, 0, -128, 127),
            (std::vector<int64_t>{-97, -59, 0, 59, 97}));
  // The zero point moves q, not the code; saturation is on q: tanh(63.5) *
  // 128 = 128, + 10 = 138 -> 127 -> code 117.
  EXPECT_EQ(affineTable(127, 127, 0.5, tanhF, 1.0 / 128, 10, -128, 127),
            (std::vector<int64_t>{117}));
  // Quotients 0.5, 1, 1.5, 2, 2.5 round half to even.
  EXPECT_EQ(affineTable(1, 5, 1.0, id, 2.0, 0, -128, 127), (std::vector<int64_t>{0, 1, 2, 2, 2}));
}

} // namespace
