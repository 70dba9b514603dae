// numerics::makeRotary / rotaryFrame (docs/CONTRACTS.md "Rotary"): the tables'
// codes, the fixed-point requantization, the pairing and the clamp.
#include "compiler/numerics/Rotary.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace loom::numerics;

TEST(Rotary, FixedPointByHand) {
  // T 1, C 4, D 4 (partners 0<->2, 1<->3), input and output at 2^-4.
  std::vector<double> cos{1.0, 0.5, 0.0, -1.0}, sin{-0.5, 0.25, 1.0, 0.0};
  auto p = makeRotary(1, 4, 4, 8, 8, cos, sin, 1.0 / 16, 1.0 / 16, -128, 127);
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  EXPECT_EQ(p->cos, (std::vector<int64_t>{16384, 8192, 0, -16384}));
  EXPECT_EQ(p->sin, (std::vector<int64_t>{-8192, 4096, 16384, 0}));
  EXPECT_EQ(p->mult, 1);
  EXPECT_EQ(p->shift, 14);
  // y0 = 10 * 1 + 20 * -0.5 = 0; y1 = 3 * 0.5 + 7 * 0.25 = 3.25 -> 3;
  // y2 = 20 * 0 + 10 * 1 = 10; y3 = 7 * -1 + 3 * 0 = -7.
  EXPECT_EQ(rotaryFrame(*p, {10, 3, 20, 7}), (std::vector<int64_t>{0, 3, 10, -7}));
  // Half to even and the clamp: 127 * 1 + 127 * 1 saturates; 1 * 0.5 -> 0, 3 * 0.5 -> 2.
  auto q = makeRotary(1, 2, 2, 8, 8, {1.0, 0.5}, {1.0, 0.0}, 1.0 / 16, 1.0 / 16, -128, 127);
  ASSERT_TRUE(bool(q));
  EXPECT_EQ(rotaryFrame(*q, {127, 1}), (std::vector<int64_t>{127, 0}));
  EXPECT_EQ(rotaryFrame(*q, {0, 3}), (std::vector<int64_t>{3, 2}));
}

TEST(Rotary, Refusals) {
  std::vector<double> four(4, 0.0);
  auto odd = makeRotary(1, 4, 3, 8, 8, four, four, 1, 1, -128, 127);
  EXPECT_FALSE(bool(odd)); // the head dim must be even
  llvm::consumeError(odd.takeError());
  auto big = makeRotary(1, 4, 4, 8, 8, {2.0, 0, 0, 0}, four, 1, 1, -128, 127);
  EXPECT_FALSE(bool(big)); // |cos| > 1
  llvm::consumeError(big.takeError());
}
