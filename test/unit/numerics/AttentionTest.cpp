// The integer attention (docs/CONTRACTS.md "Attention") against float
// softmax-attention computed here in double from the same codes: the error is
// the exp table's (bucket and 2^-15 rounding) plus the output rounding.
#include "compiler/numerics/Attention.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>

using namespace loom::numerics;

namespace {

/// q, k and v of n codes each, uniform in [-128, 127].
void randomCodes(std::mt19937_64 &rng, size_t n, std::vector<int64_t> &q, std::vector<int64_t> &k,
                 std::vector<int64_t> &v) {
  std::uniform_int_distribution<int64_t> u(-128, 127);
  q.resize(n), k.resize(n), v.resize(n);
  for (size_t i = 0; i < n; ++i)
    q[i] = u(rng), k[i] = u(rng), v[i] = u(rng);
}

/// Float attention of dequantized codes: row t, channel c; `kb` ([H, T], real
/// units, ALiBi) is added to the scaled scores.
double floatAttention(const AttentionParams &p, const std::vector<int64_t> &q,
                      const std::vector<int64_t> &k, const std::vector<int64_t> &v, double sq,
                      double sk, double sv, double scale, int64_t t, int64_t c,
                      const std::vector<double> &kb = {}) {
  // rows j0 .. j0 + n - 1 (a sliding window: the last n)
  int64_t D = p.D(), h = c / D, n = p.rowsFor(t), j0 = p.firstRow(t);
  std::vector<double> s(static_cast<size_t>(n));
  double m = -1e300;
  for (int64_t j = 0; j < n; ++j) {
    double a = 0;
    for (int64_t d = 0; d < D; ++d)
      a += double(q[size_t(t * p.C + h * D + d)]) * sq *
           double(k[size_t((j0 + j) * p.C + h * D + d)]) * sk;
    s[size_t(j)] = a * scale + (kb.empty() ? 0.0 : kb[size_t(h * p.T + j0 + j)]);
    m = std::max(m, s[size_t(j)]);
  }
  double sum = 0, acc = 0;
  for (int64_t j = 0; j < n; ++j) {
    double e = std::exp(s[size_t(j)] - m);
    sum += e;
    acc += e * double(v[size_t((j0 + j) * p.C + c)]) * sv;
  }
  return acc / sum;
}

TEST(Attention, RecipIsFloorDivision) {
  auto p = makeAttention(4, 8, 2, false, 8, 8, 1.0 / 16, 1.0 / 16, 1.0 / 16, 0.5, 1.0 / 16, 0, -128,
                         127);
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  for (int64_t S : {1LL, 3LL, 16384LL, 32768LL, 32769LL, 99999LL, 33554432LL})
    EXPECT_EQ(attentionRecip(*p, S), int64_t((__int128(1) << 40) / S)) << S;
}

TEST(Attention, MatchesFloatWithinTheTableError) {
  std::mt19937_64 rng(7);
  for (bool causal : {false, true})
    for (int64_t T : {1, 5, 16, 32})
      for (auto [C, H] : {std::pair<int64_t, int64_t>{8, 2}, {32, 4}, {64, 2}})
        for (int w : {8, 12}) {
          double sq = std::ldexp(1.0, -(w - 3)), sk = sq, sv = sq, sOut = sq;
          double scale = 1.0 / std::sqrt(double(C / H));
          int64_t hi = (int64_t(1) << (w - 1)) - 1, lo = -hi - 1;
          auto pe = makeAttention(T, C, H, causal, w, w, sq, sk, sv, scale, sOut, 0, lo, hi);
          ASSERT_TRUE(bool(pe)) << llvm::toString(pe.takeError());
          const AttentionParams &p = *pe;
          std::uniform_int_distribution<int64_t> u(lo, hi);
          std::vector<int64_t> q(size_t(T * C)), k(q.size()), v(q.size());
          for (size_t i = 0; i < q.size(); ++i)
            q[i] = u(rng), k[i] = u(rng), v[i] = u(rng);
          std::vector<int64_t> y = attentionFrame(p, q, k, v);
          ASSERT_EQ(y.size(), q.size());
          double worst = 0;
          for (int64_t t = 0; t < T; ++t)
            for (int64_t c = 0; c < C; ++c) {
              double f = floatAttention(p, q, k, v, sq, sk, sv, scale, t, c) / sOut;
              worst = std::max(worst, std::fabs(double(y[size_t(t * C + c)]) - f));
            }
          // exp entries are e^-x at their bucket's middle (up to 4096 buckets over
          // [0, 16): within ~0.2%) and 2^-15 steps: the weighted mean of codes moves
          // by at most ~0.2% of the code range, plus the output rounding.
          EXPECT_LE(worst, 2.0 + 0.002 * std::ldexp(1.0, w))
              << "T=" << T << " C=" << C << " causal=" << causal << " w=" << w;
        }
}

TEST(Attention, CausalRowSeesOnlyThePast) {
  auto p = makeAttention(6, 8, 2, true, 8, 8, 1.0 / 16, 1.0 / 16, 1.0 / 16, 0.25, 1.0 / 16, 0, -128,
                         127);
  ASSERT_TRUE(bool(p));
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int64_t> u(-128, 127);
  std::vector<int64_t> q(48), k(48), v(48);
  for (size_t i = 0; i < 48; ++i)
    q[i] = u(rng), k[i] = u(rng), v[i] = u(rng);
  std::vector<int64_t> y0 = attentionFrame(*p, q, k, v);
  // changing the last row of k and v changes only the last output row
  for (size_t i = 40; i < 48; ++i)
    k[i] = u(rng), v[i] = u(rng);
  std::vector<int64_t> y1 = attentionFrame(*p, q, k, v);
  EXPECT_TRUE(std::equal(y0.begin(), y0.begin() + 40, y1.begin()));
  // row 0 attends to itself alone: its output is v's row 0 requantized (same scale)
  for (size_t c = 0; c < 8; ++c)
    EXPECT_EQ(y0[c], v[c]);
}

/// ONNX QuantizeLinear -> DequantizeLinear (uint8 range) in double.
double qdq(double x, double s, int64_t zp) {
  double q = std::clamp(std::nearbyint(x / s) + double(zp), 0.0, 255.0);
  return (q - double(zp)) * s;
}

/// A QDQ export's attention: scores quantized before the scale, probabilities
/// after the softmax (ONNX Runtime's static QDQ on MatMul inputs and outputs).
double qdqAttention(const AttentionParams &p, const std::vector<int64_t> &q,
                    const std::vector<int64_t> &k, const std::vector<int64_t> &v, double sq,
                    double sv, double scale, double ss, int64_t zs, double sp, int64_t t,
                    int64_t c) {
  int64_t D = p.D(), h = c / D, n = p.rowsFor(t);
  std::vector<double> s(static_cast<size_t>(n));
  double m = -1e300, sum = 0, acc = 0;
  for (int64_t j = 0; j < n; ++j) {
    double a = 0;
    for (int64_t d = 0; d < D; ++d)
      a += double(q[size_t(t * p.C + h * D + d)]) * double(k[size_t(j * p.C + h * D + d)]);
    s[size_t(j)] = qdq(a * sq * sq, ss, zs) * scale;
    m = std::max(m, s[size_t(j)]);
  }
  for (int64_t j = 0; j < n; ++j)
    sum += (s[size_t(j)] = std::exp(s[size_t(j)] - m));
  for (int64_t j = 0; j < n; ++j)
    acc += qdq(s[size_t(j)] / sum, sp, 0) * double(v[size_t(j * p.C + c)]) * sv;
  return acc;
}

TEST(Attention, ModelQuantizersMatchTheQDQGraph) {
  // The integer recipe with the model's score and probability quantizers against the
  // QDQ graph's float arithmetic: the same score codes (up to the score requantization's
  // near ties), probability codes within one step, so the output within a few steps.
  std::mt19937_64 rng(11);
  for (bool causal : {false, true})
    for (auto [T, C, H] : {std::tuple<int64_t, int64_t, int64_t>{6, 16, 2}, {16, 32, 4}}) {
      const int w = 8;
      double sq = 1.0 / 32, sv = sq, sOut = sq / 4, scale = 1.0 / std::sqrt(double(C / H));
      double ss = sq * sq * double(C / H) * 2048.0 / 127.0, sp = double(float(1.0 / 255.0));
      int64_t zs = 100;
      auto pe = makeAttention(T, C, H, causal, w, w, sq, sq, sv, scale, sOut, 0, -128, 127,
                              InnerQuant{ss, zs, 0, 255}, InnerQuant{sp, 0, 0, 255});
      ASSERT_TRUE(bool(pe)) << llvm::toString(pe.takeError());
      const AttentionParams &p = *pe;
      EXPECT_TRUE(p.score.on && p.prob.on);
      EXPECT_EQ(p.score.lo, -100);
      EXPECT_EQ(p.score.hi, 155);
      std::vector<int64_t> q, k, v;
      randomCodes(rng, size_t(T * C), q, k, v);
      std::vector<int64_t> y = attentionFrame(p, q, k, v);
      double worst = 0;
      for (int64_t t = 0; t < T; ++t)
        for (int64_t c = 0; c < C; ++c) {
          double f = std::clamp(qdqAttention(p, q, k, v, sq, sv, scale, ss, zs, sp, t, c) / sOut,
                                -128.0, 127.0);
          worst = std::max(worst, std::fabs(double(y[size_t(t * C + c)]) - f));
        }
      // a probability code one step off moves the output by at most 128 * sp * sv / sOut
      // (2 codes); a few may be, plus the output rounding.
      EXPECT_LE(worst, 4.0) << "T=" << T << " causal=" << causal;
    }
}

TEST(Attention, ModelProbabilityNumeratorIsTwoToTheROverTheScale) {
  auto p = makeAttention(4, 8, 2, false, 8, 8, 1.0 / 16, 1.0 / 16, 1.0 / 16, 0.5, 1.0 / 16, 0,
                         -128, 127, std::nullopt, InnerQuant{double(float(1.0 / 255.0)), 0, 0, 255});
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  double n = std::ldexp(double(p->prob.pm), p->prob.pk);
  EXPECT_NEAR(n / (std::ldexp(1.0, 40) / double(float(1.0 / 255.0))), 1.0, 1e-7);
  EXPECT_LT(p->prob.pm, int64_t(1) << 24);
  EXPECT_EQ(p->divSteps(), p->numBits());
  for (int64_t S : {16384LL, 32769LL, 99999LL, 33554432LL})
    EXPECT_EQ(attentionRecip(*p, S),
              int64_t((__int128(p->prob.pm) << p->prob.pk) / S)) << S;
}

TEST(Attention, SlidingWindowSeesTheLastRows) {
  // window 3 over T 9: row t attends to t-2..t; float attention over those rows within
  // the table error; rows before the window do not matter.
  std::mt19937_64 rng(5);
  const int64_t T = 9, C = 8;
  auto pe = makeAttention(T, C, 2, true, 8, 8, 1.0 / 16, 1.0 / 16, 1.0 / 16, 0.5, 1.0 / 16, 0, -128,
                          127, std::nullopt, std::nullopt, 3);
  ASSERT_TRUE(bool(pe)) << llvm::toString(pe.takeError());
  const AttentionParams &p = *pe;
  EXPECT_EQ(p.rowsFor(0), 1);
  EXPECT_EQ(p.rowsFor(1), 2);
  EXPECT_EQ(p.rowsFor(8), 3);
  EXPECT_EQ(p.firstRow(8), 6);
  std::uniform_int_distribution<int64_t> u(-128, 127);
  std::vector<int64_t> q(size_t(T * C)), k(q.size()), v(q.size());
  for (size_t i = 0; i < q.size(); ++i)
    q[i] = u(rng), k[i] = u(rng), v[i] = u(rng);
  std::vector<int64_t> y = attentionFrame(p, q, k, v);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < C; ++c)
      EXPECT_LE(std::fabs(double(y[size_t(t * C + c)]) -
                          floatAttention(p, q, k, v, 1.0 / 16, 1.0 / 16, 1.0 / 16, 0.5, t, c) * 16),
                2.0 + 0.002 * 256)
          << t << " " << c;
  for (size_t i = 0; i < size_t(5 * C); ++i) // rows 0..4: outside row 7's and 8's windows
    k[i] = u(rng), v[i] = u(rng);
  std::vector<int64_t> y1 = attentionFrame(p, q, k, v);
  EXPECT_TRUE(std::equal(y.begin() + 7 * C, y.end(), y1.begin() + 7 * C));
  auto bad = makeAttention(T, C, 2, false, 8, 8, 1, 1, 1, 1, 1, 0, -128, 127, std::nullopt,
                           std::nullopt, 3);
  EXPECT_FALSE(bool(bad)); // a window needs causal attention
  llvm::consumeError(bad.takeError());
}

TEST(Attention, KeyBiasIsAddedToTheScaledScores) {
  // ALiBi slopes 2^-4 and 2^-8 per key position, against float attention with the bias.
  std::mt19937_64 rng(9);
  const int64_t T = 8, C = 8, H = 2;
  const double s = 1.0 / 16, scale = 0.5;
  std::vector<double> kb;
  for (int64_t h = 0; h < H; ++h)
    for (int64_t j = 0; j < T; ++j)
      kb.push_back(std::ldexp(1.0, -4 * int(h + 1)) * double(j) * 3.0);
  auto pe = makeAttention(T, C, H, true, 8, 8, s, s, s, scale, s, 0, -128, 127, std::nullopt,
                          std::nullopt, 0, kb);
  ASSERT_TRUE(bool(pe)) << llvm::toString(pe.takeError());
  const AttentionParams &p = *pe;
  ASSERT_EQ(p.keyBias.size(), size_t(H * T));
  std::vector<int64_t> q, k, v;
  randomCodes(rng, size_t(T * C), q, k, v);
  std::vector<int64_t> y = attentionFrame(p, q, k, v);
  double worst = 0;
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < C; ++c)
      worst = std::max(worst, std::fabs(double(y[size_t(t * C + c)]) -
                                        floatAttention(p, q, k, v, s, s, s, scale, t, c, kb) / s));
  EXPECT_LE(worst, 2.0 + 0.002 * 256);
}

TEST(Attention, RefusesUnsupported) {
  EXPECT_FALSE(bool(makeAttention(4, 10, 3, false, 8, 8, 1, 1, 1, 1, 1, 0, -128, 127)));
  llvm::consumeError(makeAttention(4, 10, 3, false, 8, 8, 1, 1, 1, 1, 1, 0, -128, 127).takeError());
  auto wide = makeAttention(4, 8, 2, false, 20, 8, 1, 1, 1, 1, 1, 0, -128, 127);
  EXPECT_FALSE(bool(wide));
  llvm::consumeError(wide.takeError());
}

} // namespace
