// The integer LayerNorm (docs/CONTRACTS.md "LayerNorm") against the float formula
// computed here in double: within one output step plus the recipe's own error.
#include "compiler/numerics/LayerNorm.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace loom::numerics;

namespace {

double floatLn(const std::vector<double> &x, size_t i, double eps, bool rms = false) {
  double m = 0, v = 0;
  for (double a : x)
    m += a;
  m = rms ? 0.0 : m / double(x.size()); // RMSNorm: the root mean square
  for (double a : x)
    v += (a - m) * (a - m);
  v /= double(x.size());
  return (x[i] - m) / std::sqrt(v + eps);
}

TEST(LayerNorm, IsqrtIsFloorSqrt) {
  for (unsigned __int128 v : {0ull, 1ull, 2ull, 3ull, 4ull, 15ull, 16ull, 17ull, 99ull,
                              (1ull << 40) - 1, 1ull << 40, 12345678901234567ull}) {
    unsigned __int128 q = isqrt(v);
    EXPECT_TRUE(q * q <= v && (q + 1) * (q + 1) > v) << (unsigned long long)v;
  }
}

TEST(LayerNorm, MatchesFloatWithinOneStep) {
  std::mt19937_64 rng(3);
  for (int64_t C : {1, 2, 7, 16, 64, 300}) {
    for (int w : {6, 8, 12}) {
      double sIn = std::ldexp(1.0, -(w - 3)), sOut = std::ldexp(1.0, -(w - 4));
      std::uniform_real_distribution<double> ug(-2, 2), ub(-1, 1);
      std::vector<double> g(C), b(C);
      for (int64_t i = 0; i < C; ++i)
        g[i] = ug(rng), b[i] = ub(rng);
      int64_t hi = (int64_t(1) << (w - 1)) - 1, lo = -hi - 1;
      auto p = makeLayerNorm(C, w, w, sIn, sOut, 1e-5, g, b, lo, hi);
      ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
      std::uniform_int_distribution<int64_t> uc(lo, hi);
      for (int row = 0; row < 20; ++row) {
        std::vector<int64_t> x(C);
        std::vector<double> xf(C);
        for (int64_t i = 0; i < C; ++i)
          x[i] = row % 4 == 3 ? 5 : uc(rng), xf[i] = double(x[i]) * sIn;
        std::vector<int64_t> y = layerNormRow(*p, x);
        for (int64_t i = 0; i < C; ++i) {
          double want = (floatLn(xf, size_t(i), 1e-5) * g[i] + b[i]) / sOut;
          want = std::min(std::max(want, double(lo)), double(hi));
          EXPECT_LE(std::fabs(double(y[i]) - want), 1.0)
              << "C " << C << " w " << w << " i " << i << " got " << y[i] << " want " << want;
        }
      }
    }
  }
}

TEST(LayerNorm, ConstantRowGivesBeta) {
  std::vector<double> g = {1.0, -1.0, 0.5}, b = {0.25, -0.5, 0.0};
  auto p = makeLayerNorm(3, 8, 8, 1.0 / 16, 1.0 / 16, 1e-5, g, b, -128, 127);
  ASSERT_TRUE(bool(p));
  EXPECT_EQ(layerNormRow(*p, {7, 7, 7}), (std::vector<int64_t>{4, -8, 0}));
}

TEST(LayerNorm, EpsilonInCodeUnits) {
  std::vector<double> one(4, 1.0), zero(4, 0.0);
  // eps * C^2 / s_in^2 = 0.01 * 16 * 64 = 10.24 codes^2, with 16 fraction bits
  auto p = makeLayerNorm(4, 8, 8, 0.125, 0.125, 0.01, one, zero, -128, 127);
  ASSERT_TRUE(bool(p));
  EXPECT_EQ(p->es, 16);
  EXPECT_EQ(p->E, 671089); // rne(10.24 * 2^16)
  auto big = makeLayerNorm(4, 8, 8, 1e-6, 1.0, 1.0, one, zero, -128, 127);
  EXPECT_FALSE(bool(big));
  llvm::consumeError(big.takeError());
}

} // namespace

namespace {
// RMSNorm (rms: S1 := 0, no beta) and wide words: within one output step of
// x / sqrt(mean(x^2) + eps) * gamma, the float formula computed here.
void checkRows(bool rms, int64_t C, int w, std::mt19937_64 &rng) {
  double sIn = std::ldexp(1.0, -(w - 3)), sOut = std::ldexp(1.0, -(w - 4));
  std::uniform_real_distribution<double> ug(-2, 2), ub(-1, 1);
  std::vector<double> g(C), b(C, 0.0);
  for (int64_t i = 0; i < C; ++i)
    g[i] = ug(rng), b[i] = rms ? 0.0 : ub(rng);
  int64_t hi = (int64_t(1) << (w - 1)) - 1, lo = -hi - 1;
  auto p = makeLayerNorm(C, w, w, sIn, sOut, 1e-6, g, b, lo, hi, rms);
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  EXPECT_EQ(p->rms, rms);
  std::uniform_int_distribution<int64_t> uc(lo, hi);
  for (int row = 0; row < 20; ++row) {
    std::vector<int64_t> x(C);
    std::vector<double> xf(C);
    for (int64_t i = 0; i < C; ++i)
      x[i] = row % 4 == 3 ? 5 : uc(rng), xf[i] = double(x[i]) * sIn;
    std::vector<int64_t> y = layerNormRow(*p, x);
    for (int64_t i = 0; i < C; ++i) {
      double want = (floatLn(xf, size_t(i), 1e-6, rms) * g[i] + b[i]) / sOut;
      want = std::min(std::max(want, double(lo)), double(hi));
      // One output step, plus the recipe's relative error (u has 16 fraction
      // bits, G 16 significant bits): visible only in words wider than ~14 bits.
      double tol = 1.0 + (std::fabs(want) + 2.0 / sOut) * std::ldexp(1.0, -12);
      EXPECT_LE(std::fabs(double(y[i]) - want), tol)
          << (rms ? "rms" : "ln") << " C " << C << " w " << w << " i " << i << " got " << y[i]
          << " want " << want;
    }
  }
}
} // namespace

TEST(LayerNorm, RmsMatchesFloatWithinOneStep) {
  std::mt19937_64 rng(5);
  for (int64_t C : {1, 7, 32, 300})
    for (int w : {6, 8, 12, 16})
      checkRows(true, C, w, rng);
}

TEST(LayerNorm, RmsOfMeanRowDiffersFromLayerNorm) {
  // A constant row: LayerNorm gives beta (0), RMSNorm gives sign(x) * gamma.
  std::vector<double> g = {1.0, 1.0, 1.0}, b = {0.0, 0.0, 0.0};
  auto ln = makeLayerNorm(3, 8, 8, 1.0 / 16, 1.0 / 16, 1e-6, g, b, -128, 127);
  auto rms = makeLayerNorm(3, 8, 8, 1.0 / 16, 1.0 / 16, 1e-6, g, b, -128, 127, true);
  ASSERT_TRUE(ln && rms);
  EXPECT_EQ(layerNormRow(*ln, {7, 7, 7}), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(layerNormRow(*rms, {7, 7, 7}), (std::vector<int64_t>{16, 16, 16}));
  EXPECT_EQ(layerNormRow(*rms, {-7, -7, -7}), (std::vector<int64_t>{-16, -16, -16}));
}

TEST(LayerNorm, WideWords) {
  std::mt19937_64 rng(9);
  for (bool rms : {false, true})
    for (int w : {18, 20}) // (wider: epsilon exceeds 2^30 codes^2 at these scales)
      checkRows(rms, 32, w, rng);
}

// --runtime-weights: with a bound, the shifts and widths depend on the bound only, so two
// gamma / beta sets within it give the same hardware, and the codes hold the bound.
TEST(LayerNorm, BoundFixesShiftsAndWidths) {
  const double s = std::ldexp(1.0, -6), bound = 8.0; // fixed<10,4>: |x| <= 2^3
  std::vector<double> g1 = {1.1, -0.9, 1.0, 0.5}, b1 = {0.1, -0.2, 0.0, 0.3};
  std::vector<double> g2 = {7.9, -8.0, 0.01, 2.0}, b2 = {-8.0, 7.9, 0.0, 1.0};
  auto p1 = makeLayerNorm(4, 10, 10, s, s, 1e-5, g1, b1, -512, 511, false, bound);
  auto p2 = makeLayerNorm(4, 10, 10, s, s, 1e-5, g2, b2, -512, 511, false, bound);
  auto rom = makeLayerNorm(4, 10, 10, s, s, 1e-5, g1, b1, -512, 511);
  ASSERT_TRUE(bool(p1) && bool(p2) && bool(rom));
  EXPECT_EQ(p1->sh2, p2->sh2);
  EXPECT_EQ(p1->gBits(), p2->gBits());
  EXPECT_EQ(p1->bBits(), p2->bBits());
  EXPECT_EQ(p1->zBits(), p2->zBits());
  // gm = 8 / 2^-6 = 512: gamma fraction bits floor(log2(32767 / 512)) = 5, sh2 = 16 + 5
  EXPECT_EQ(p1->sh2, LayerNormParams::kNormFrac + 5);
  EXPECT_EQ(p1->gCap, 512 * 32);
  EXPECT_EQ(p1->bCap, int64_t(512) << p1->sh2);
  // the ROM build sizes gamma from its largest, 1.1: 8 fraction bits
  EXPECT_EQ(rom->sh2, LayerNormParams::kNormFrac + 8);
  EXPECT_EQ(rom->gCap, 0);
  for (const auto *p : {&*p1, &*p2})
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_LE(std::abs(p->G[i]), p->gCap);
      EXPECT_LE(std::abs(p->B[i]), p->bCap);
    }
}
