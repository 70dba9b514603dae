// The integer embedding (docs/CONTRACTS.md "Embedding"): table codes, id width,
// the add-and-clamp and the refusal of ids outside [0, V), against values
// worked out by hand.
#include "compiler/numerics/Embed.h"

#include "gtest/gtest.h"

using namespace loom::numerics;

TEST(Embed, TableCodesRoundHalfEvenAndSaturate) {
  // scale 0.5: 0.25 / 0.5 = 0.5 -> 0, 0.75 -> 1.5 -> 2, -0.25 -> -0.5 -> -0, 100 -> 127
  EXPECT_EQ(embedTableCodes({0.25, 0.75, -0.25, 100.0, -100.0, 1.0}, 0.5, 8),
            (std::vector<int64_t>{0, 2, 0, 127, -128, 2}));
}

TEST(Embed, IdBits) {
  EXPECT_EQ(embedIdBits(1), 2);
  EXPECT_EQ(embedIdBits(4), 2);
  EXPECT_EQ(embedIdBits(5), 3);
  EXPECT_EQ(embedIdBits(64), 6);
  EXPECT_EQ(embedIdBits(65), 7);
  EXPECT_EQ(embedIdBits(50257), 16);
}

TEST(Embed, FrameAddsPositionsAndClamps) {
  // V = 3, C = 2, T = 2
  std::vector<int64_t> table = {1, 2, 100, -100, -5, 5};
  std::vector<int64_t> pos = {10, 20, 30, -40};
  auto y = embedFrame({1, 2}, table, pos, 3, 2, -120, 120);
  ASSERT_TRUE(bool(y));
  EXPECT_EQ(*y, (std::vector<int64_t>{110, -80, 25, -35}));
  auto clamped = embedFrame({1, 1}, table, pos, 3, 2, -64, 63);
  ASSERT_TRUE(bool(clamped));
  EXPECT_EQ(*clamped, (std::vector<int64_t>{63, -64, 63, -64}));
  auto noPos = embedFrame({0, 2}, table, {}, 3, 2, -128, 127);
  ASSERT_TRUE(bool(noPos));
  EXPECT_EQ(*noPos, (std::vector<int64_t>{1, 2, -5, 5}));
}

TEST(Embed, IdOutOfRangeIsAnError) {
  std::vector<int64_t> table = {1, 2, 3, 4};
  auto y = embedFrame({0, 2}, table, {}, 2, 2, -128, 127);
  ASSERT_FALSE(bool(y));
  EXPECT_EQ(llvm::toString(y.takeError()), "token id 2 at position 1 is outside [0, 2)");
  auto neg = embedFrame({-1}, table, {}, 2, 2, -128, 127);
  EXPECT_FALSE(bool(neg));
  llvm::consumeError(neg.takeError());
}
