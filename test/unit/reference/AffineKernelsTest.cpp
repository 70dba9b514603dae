//===- AffineKernelsTest.cpp - affine reference kernels, hand-derived ------===//
//
// Every expected value is worked out in the comment beside it from the
// formulas of docs/CONTRACTS.md "Affine integer graphs" (the arithmetic
// itself is checked against numpy / exact integers in AffineTest.cpp).
//
//===----------------------------------------------------------------------===//
#include "compiler/reference/AffineKernels.h"

#include <gtest/gtest.h>

using namespace loom;
using namespace loom::reference;
using V = std::vector<int64_t>;

namespace {

AffineParams perAxis() {
  AffineParams p;
  p.scale = {0.5, 1.0, 2.0};
  p.zeroPoint = {0, 10, -5};
  p.axis = 1;
  return p;
}

TEST(AffineKernels, QuantizeLinearPerAxis) {
  // Shape [1, 3, 2], axis 1: elements (0,1) use channel 0, (2,3) 1, (4,5) 2.
  //   1 / 0.5 = 2; -1.25 / 0.5 = -2.5 -> -2 (half even); 3 + 10 = 13;
  //   2.5 -> 2 + 10 = 12; 4 / 2 - 5 = -3; -10 / 2 - 5 = -10.
  std::vector<double> x = {1.0, -1.25, 3.0, 2.5, 4.0, -10.0};
  EXPECT_EQ(quantizeLinear(x, {1, 3, 2}, perAxis(), -128, 127, numerics::Rounding::HalfEven, false),
            (V{2, -2, 13, 12, -3, -10}));
  // Clamp: -300 / 2 - 5 = -155 -> -128.
  EXPECT_EQ(quantizeLinear({0, 0, 0, 0, 0, -300}, {1, 3, 2}, perAxis(), -128, 127,
                           numerics::Rounding::HalfEven, false)[5],
            -128);
  // Bipolar: x >= 0 -> 1 (so -0.0 -> 1), else -1.
  AffineParams one{{1.0}, {0}, 0};
  EXPECT_EQ(
      quantizeLinear({0.0, -0.0, -1e-9, 3.0}, {4}, one, -1, 1, numerics::Rounding::HalfEven, true),
      (V{1, 1, -1, 1}));
}

TEST(AffineKernels, DequantizeLinearPerAxis) {
  // (q - zp) * s per channel: (2-0)*0.5, (-2)*0.5, (13-10)*1, (12-10)*1,
  // (-3+5)*2, (-10+5)*2.
  EXPECT_EQ(dequantizeLinear({2, -2, 13, 12, -3, -10}, {1, 3, 2}, perAxis()),
            (std::vector<double>{1.0, -1.0, 3.0, 2.0, 4.0, -10.0}));
}

TEST(AffineKernels, DenseWithPerChannelMult) {
  // K = 1, x = [1]: acc = [-10, 6]; mult [1, 3], shift 2:
  //   -10 / 4 = -2.5 -> -2 (even); 18 / 4 = 4.5 -> 4 (even).
  EXPECT_EQ(qdenseMult({1}, {-10, 6}, {0, 0}, 2, 1, {1, 3}, 2, 8), (V{-2, 4}));
  // Saturation to 3 bits: 4 -> 3.
  EXPECT_EQ(qdenseMult({1}, {-10, 6}, {0, 0}, 2, 1, {1, 3}, 2, 3), (V{-2, 3}));
  // One mult for every output; no mult = 1 (the fixed-point qdense).
  EXPECT_EQ(qdenseMult({1}, {-10, 6}, {0, 0}, 2, 1, {3}, 2, 8), (V{-8, 4})); // -7.5, 4.5
  EXPECT_EQ(qdenseMult({1}, {-10, 6}, {0, 0}, 2, 1, {}, 1, 8), (V{-5, 3}));
  // Two rows (batch 2): each row is one vector.
  EXPECT_EQ(qdenseMult({1, 2}, {-10, 6}, {0, 0}, 2, 1, {}, 0, 8), (V{-10, 6, -20, 12}));
}

TEST(AffineKernels, ConvWithPerChannelMult) {
  // 1x1 conv, input H = 1, W = 2, C = 1 (x = [5, -1]), OC = 2, w = [2, -3],
  // b = [0, 1], mult [3, 1], shift 1. NHWC output (w, oc):
  //   x=5:  (10 * 3) / 2 = 15;  (-15 + 1) / 2 = -7
  //   x=-1: (-2 * 3) / 2 = -3;  (3 + 1) / 2 = 2
  QFmap in{1, 2, 1};
  QWindow win;
  EXPECT_EQ(qconvMult({5, -1}, in, {2, -3}, {0, 1}, 2, win, 1, {3, 1}, 1, 8), (V{15, -7, -3, 2}));
}

TEST(AffineKernels, SignAndScaledAdd) {
  EXPECT_EQ(qsign({0, -1, 5}), (V{1, -1, 1}));
  // (3*2 + 5*3) / 4 = 5.25 -> 5; (-3 + 1) / 2 = -1; 1/2 -> 0 and 3/2 -> 2 (even).
  EXPECT_EQ(qaddScaled({3}, {5}, 2, 3, 2, 8), (V{5}));
  EXPECT_EQ(qaddScaled({-3, 1, 3}, {1, 0, 0}, 1, 1, 1, 8), (V{-1, 0, 2}));
  // Saturation: (100 + 100) * 1 -> 127 at 8 bits.
  EXPECT_EQ(qaddScaled({100}, {100}, 1, 1, 0, 8), (V{127}));
}

} // namespace
