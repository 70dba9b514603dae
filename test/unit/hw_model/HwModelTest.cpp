#include "hw_model/Actors.h"
#include "hw_model/Cost.h"
#include "hw_model/Pipeline.h"

#include <gtest/gtest.h>

using namespace loom::hw;

static MvuConfig mvu(int K, int N, int SIMD, int PE, int IN_BEAT) {
  MvuConfig c;
  c.K = K;
  c.N = N;
  c.SIMD = SIMD;
  c.PE = PE;
  c.IN_BEAT = IN_BEAT;
  return c;
}

static SoftmaxConfig softmax(int N, int IN_BEAT) {
  SoftmaxConfig c;
  c.N = N;
  c.IN_BEAT = IN_BEAT;
  c.EXP_DEPTH = 64;
  return c;
}

TEST(HwModelCost, MvuBasics) {
  ActorCost c = estimateCost(mvu(64, 32, 8, 4, 8));
  EXPECT_EQ(c.multipliers, 32);
  EXPECT_EQ(c.cyclesPerFrame, 8 * 8);  // NF*SF = 8*8 > K/IN_BEAT = 8
  EXPECT_EQ(c.memoryBits, 64 * 32 * 8 + 32 * 24);
  EXPECT_GT(c.luts, 0);
  EXPECT_GT(c.ffs, 0);
  MvuConfig t = mvu(4, 4, 4, 4, 4);
  t.ACT = 2;
  t.T_DEPTH = 256;
  EXPECT_EQ(estimateCost(t).memoryBits, 4 * 4 * 8 + 4 * 24 + 4 * 256 * 8);
}

TEST(HwModelCost, MatchesSingleActorSimulation) {
  std::vector<ActorConfig> cfgs = {
      mvu(16, 8, 4, 2, 4),  mvu(16, 8, 16, 8, 16), mvu(16, 8, 16, 8, 1),
      mvu(12, 6, 3, 3, 4),  mvu(8, 64, 8, 1, 8),   mvu(1, 1, 1, 1, 1),
      mvu(32, 16, 1, 1, 32), softmax(10, 1),      softmax(12, 4),
      FifoConfig{8, 4, 5},  SkidConfig{8, 7}};
  for (const ActorConfig &c : cfgs) {
    PipelineTiming t = predictTiming({ActorSpec{c, ""}});
    ASSERT_TRUE(t.ok) << t.error;
    ActorCost cost = estimateCost(c);
    EXPECT_EQ(t.ii_cycles, cost.cyclesPerFrame) << c.index();
    EXPECT_EQ(t.latency_cycles, cost.latencyCycles) << c.index();
  }
}

TEST(HwModelPipeline, ChainIiIsBottleneck) {
  // mvu (II 16) -> mvu (II 32) -> softmax (II 2*4+4 = 12)
  std::vector<ActorSpec> chain = {{mvu(16, 8, 2, 2, 4), "a"},
                                  {mvu(8, 4, 1, 1, 2), "b"},
                                  {softmax(4, 1), "c"}};
  PipelineTiming t = predictTiming(chain);
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.ii_cycles, 32);
  EXPECT_GT(t.latency_cycles, estimateCost(chain[0].config).latencyCycles);
}

TEST(HwModelPipeline, FullyParallelChainIsOneBeatPerCycle) {
  std::vector<ActorSpec> chain = {{mvu(8, 8, 8, 8, 8), ""}, {mvu(8, 4, 8, 4, 8), ""}};
  PipelineTiming t = predictTiming(chain);
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.ii_cycles, 1);
  EXPECT_EQ(t.latency_cycles, 6 + 5);  // 6 for the first, +5 (1 issue + 4) for the second
}

TEST(HwModelPipeline, FifoAddsOneCycle) {
  std::vector<ActorSpec> a = {{mvu(8, 8, 8, 8, 8), ""}, {mvu(8, 4, 8, 4, 8), ""}};
  std::vector<ActorSpec> b = a;
  b.insert(b.begin() + 1, ActorSpec{FifoConfig{64, 4, 1}, "fifo"});
  PipelineTiming ta = predictTiming(a), tb = predictTiming(b);
  ASSERT_TRUE(ta.ok && tb.ok);
  EXPECT_EQ(tb.latency_cycles, ta.latency_cycles + 1);
  EXPECT_EQ(tb.ii_cycles, ta.ii_cycles);
}

TEST(HwModelPipeline, Errors) {
  EXPECT_FALSE(predictTiming({}).ok);
  PipelineTiming t = predictTiming({ActorSpec{mvu(10, 8, 3, 2, 2), "bad"}});
  EXPECT_FALSE(t.ok);
  EXPECT_NE(t.error.find("bad"), std::string::npos);
  EXPECT_FALSE(predictTiming({ActorSpec{softmax(4, 1), ""}}, 1).ok);
}
