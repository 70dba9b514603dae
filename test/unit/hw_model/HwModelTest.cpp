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

static SoftmaxConfig softmaxPipe(int N, int IN_BEAT, int OUT_BEAT = 0) {
  SoftmaxConfig c = softmax(N, IN_BEAT);
  c.PIPELINED = 1;
  c.OUT_BEAT = OUT_BEAT ? OUT_BEAT : IN_BEAT;
  return c;
}

TEST(HwModelCost, MvuBasics) {
  ActorCost c = estimateCost(mvu(64, 32, 8, 4, 8));
  EXPECT_EQ(c.multipliers, 32);
  EXPECT_EQ(c.cyclesPerFrame, 8 * 8); // NF*SF = 8*8 > K/IN_BEAT = 8
  EXPECT_EQ(c.memoryBits, 64 * 32 * 8 + 32 * 24);
  MvuConfig t = mvu(4, 4, 4, 4, 4);
  t.ACT = ActCode::Table;
  t.T_DEPTH = 256;
  EXPECT_EQ(estimateCost(t).memoryBits, 4 * 4 * 8 + 4 * 24 + 4 * 256 * 8);
}

// --runtime-weights: ceil(bits / 32) words a memory line (docs/CONTRACTS.md
// "Weight-load stream"), by hand: K = 6, N = 8, SIMD = 6, PE = 8, W_W = 10 -> one
// 480-bit weight line = 15 words; one bias line of 8 x 22 bits = 176 bits = 6 words.
// Folded to SIMD = 2, PE = 2: 4 x 3 = 12 lines of 40 bits (2 words each) and 4 bias
// lines of 44 bits (2 words each) = 32. A depthwise unit C = 4, KK = 9, SIMD = 3, PE = 4,
// W_W = 8: 1 x 3 lines of 96 bits (3 words) + 1 bias line of 4 x 20 bits (3 words) = 12.
TEST(HwModelCost, WeightLoadWords) {
  MvuConfig m;
  m.K = 6, m.N = 8, m.SIMD = 6, m.PE = 8, m.W_W = 10, m.W_ACC = 22;
  EXPECT_EQ(weightLoadWords(ActorConfig{m}), 21);
  m.SIMD = 2, m.PE = 2;
  EXPECT_EQ(weightLoadWords(ActorConfig{m}), 32);
  DwuConfig d;
  d.C = 4, d.KK = 9, d.SIMD = 3, d.PE = 4, d.W_W = 8, d.W_ACC = 20;
  EXPECT_EQ(weightLoadWords(ActorConfig{d}), 12);
  EXPECT_EQ(weightLoadWords(ActorConfig{FifoConfig{64, 2, 8}}), 0);
}

TEST(HwModelCost, MatchesSingleActorSimulation) {
  std::vector<ActorConfig> cfgs = {
      mvu(16, 8, 4, 2, 4), mvu(16, 8, 16, 8, 16), mvu(16, 8, 16, 8, 1),  mvu(12, 6, 3, 3, 4),
      mvu(8, 64, 8, 1, 8), mvu(1, 1, 1, 1, 1),    mvu(32, 16, 1, 1, 32), softmax(10, 1),
      softmax(12, 4),      FifoConfig{8, 4, 5},   SkidConfig{8, 7},      softmaxPipe(5, 5),
      softmaxPipe(5, 1),   softmaxPipe(10, 2),    softmaxPipe(1, 1),     softmaxPipe(5, 5, 1),
      softmaxPipe(10, 2, 5), softmaxPipe(10, 5, 2)};
  for (const ActorConfig &c : cfgs) {
    PipelineTiming t = predictTiming({ActorSpec{c, ""}});
    ASSERT_TRUE(t.ok) << t.error;
    ActorCost cost = estimateCost(c);
    EXPECT_EQ(t.ii_cycles, cost.cyclesPerFrame) << c.index();
    EXPECT_EQ(t.latency_cycles, cost.latencyCycles) << c.index();
  }
}

// loom_softmax_pipe: II = max(N / IN_BEAT, N / OUT_BEAT), latency 2 N / IN_BEAT + N /
// OUT_BEAT + 1, output beats of OUT_BEAT.
TEST(HwModelCost, SoftmaxPipe) {
  ActorCost c = estimateCost(softmaxPipe(5, 5));
  EXPECT_EQ(c.cyclesPerFrame, 1);
  EXPECT_EQ(c.latencyCycles, 4);
  EXPECT_EQ(softmaxPipe(10, 2).outBeats(), 5);
  EXPECT_EQ(softmax(10, 2).outBeats(), 10);
  EXPECT_EQ(estimateCost(softmaxPipe(10, 2)).cyclesPerFrame, 5);
  EXPECT_EQ(estimateCost(softmaxPipe(5, 5, 1)).cyclesPerFrame, 5);
  EXPECT_EQ(estimateCost(softmaxPipe(5, 5, 1)).latencyCycles, 2 + 5 + 1);
  // a pipelined softmax behind an mvu at one frame per cycle
  PipelineTiming t =
      predictTiming({{mvu(4, 5, 4, 5, 4), "fc"}, {softmaxPipe(5, 5), "sm"}}, 20);
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.ii_cycles, 1);
}

static LayerNormConfig layernorm(int C, int IN_BEAT, int ROWS) {
  LayerNormConfig c;
  c.C = C, c.IN_BEAT = IN_BEAT, c.ROWS = ROWS;
  c.W_V = 23, c.P = 8, c.R = 40; // 20 isqrt steps, 33 division steps
  return c;
}

TEST(HwModelCost, LayerNormRowCycles) {
  LayerNormConfig c = layernorm(16, 4, 3);
  EXPECT_EQ(c.calcCycles(), 1 + 20 + 33);
  ActorCost cost = estimateCost(c);
  // two banks: loading (4 beats) hides behind computing, a row every 1 + 54 + 16 cycles
  EXPECT_EQ(cost.cyclesPerFrame, 3 * (1 + 54 + 16));
  // C / IN_BEAT <= C: loading never limits, even with one lane
  LayerNormConfig wide = layernorm(256, 1, 2);
  EXPECT_EQ(estimateCost(wide).cyclesPerFrame, 2 * (1 + 54 + 256));
  EXPECT_EQ(cost.multipliers, 4 + 3);
  for (ActorConfig cfg : {ActorConfig(c), ActorConfig(layernorm(10, 1, 1)),
                          ActorConfig(layernorm(8, 8, 5))}) {
    PipelineTiming t = predictTiming({ActorSpec{cfg, ""}});
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_EQ(t.ii_cycles, estimateCost(cfg).cyclesPerFrame);
    EXPECT_EQ(t.latency_cycles, estimateCost(cfg).latencyCycles);
  }
  EXPECT_NE(validate(layernorm(10, 4, 1)), "");
}

static EmbedConfig embed(int V, int C, int T, int OUT_BEAT, int POS) {
  EmbedConfig c;
  c.V = V, c.C = C, c.T = T, c.OUT_BEAT = OUT_BEAT, c.POS = POS, c.W_OUT = 8;
  c.W_ID = 1;
  while ((1 << c.W_ID) < V)
    ++c.W_ID;
  return c;
}

TEST(HwModelCost, EmbedBeatPerCycle) {
  // One output beat per cycle, ids back to back (the skid buffer keeps in_ready
  // registered without a bubble): T * C / OUT_BEAT cycles a frame; the first
  // beat leaves 2 cycles after its id (lookup stage, output register).
  for (EmbedConfig c : {embed(50, 12, 7, 4, 1), embed(64, 5, 16, 1, 0), embed(3, 8, 1, 8, 1)}) {
    ActorCost cost = estimateCost(c);
    int64_t beats = int64_t(c.T) * (c.C / c.OUT_BEAT);
    EXPECT_EQ(cost.cyclesPerFrame, beats);
    EXPECT_EQ(cost.latencyCycles, beats + 2);
    EXPECT_EQ(cost.multipliers, 0);
    EXPECT_EQ(cost.memoryBits, (int64_t(c.V) + (c.POS ? c.T : 0)) * c.C * c.W_OUT);
    PipelineTiming t = predictTiming({ActorSpec{ActorConfig(c), ""}});
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_EQ(t.ii_cycles, cost.cyclesPerFrame);
  }
  EXPECT_NE(validate(embed(50, 12, 7, 5, 1)), ""); // OUT_BEAT must divide C
  EmbedConfig narrow = embed(50, 12, 7, 4, 1);
  narrow.W_ID = 5; // 32 ids < V
  EXPECT_NE(validate(narrow), "");
}

static RotaryConfig rotary(int T, int C, int D, int IN_BEAT) {
  RotaryConfig c;
  c.T = T, c.C = C, c.D = D, c.IN_BEAT = IN_BEAT;
  return c;
}

TEST(HwModelCost, RotaryRowThenCodes) {
  // A row loads in C / IN_BEAT beats, then leaves one code per cycle (no overlap):
  // T * (C / IN_BEAT + C) cycles a frame; the last code leaves one cycle after its
  // fetch (output register).
  for (RotaryConfig c : {rotary(5, 8, 4, 4), rotary(3, 12, 6, 3), rotary(1, 2, 2, 1)}) {
    ActorCost cost = estimateCost(c);
    int64_t row = c.C / c.IN_BEAT + c.C;
    EXPECT_EQ(cost.cyclesPerFrame, int64_t(c.T) * row);
    EXPECT_EQ(cost.latencyCycles, int64_t(c.T) * row + 1);
    EXPECT_EQ(cost.multipliers, 3);
    EXPECT_EQ(cost.memoryBits, 2LL * c.T * c.C * 16);
    PipelineTiming t = predictTiming({ActorSpec{ActorConfig(c), ""}});
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_EQ(t.ii_cycles, cost.cyclesPerFrame);
  }
  EXPECT_NE(validate(rotary(5, 8, 4, 3)), ""); // IN_BEAT must divide C
  EXPECT_NE(validate(rotary(5, 8, 3, 4)), ""); // D even, dividing C
}

static AttentionConfig attention(int T, int C, int H, int SIMD, bool causal) {
  AttentionConfig c;
  c.T = T, c.C = C, c.H = H, c.SIMD = SIMD, c.CAUSAL = causal ? 1 : 0;
  c.IN_BEAT_Q = 1, c.IN_BEAT_K = 2, c.IN_BEAT_V = 4; // the slowest input sets the load
  c.R = 40;
  return c;
}

TEST(HwModelCost, AttentionRowCycles) {
  // T = 4, C = 8, H = 2 (D = 4), SIMD 1: a row loads in C / 1 = 8 beats + 1 cycle, then
  // per head 2 * n * 4 (scores, exps) + 41 (division) + 4 (outputs), n = rows attended.
  ActorCost causal = estimateCost(attention(4, 8, 2, 1, true));
  EXPECT_EQ(causal.cyclesPerFrame, 4 * 9 + 2 * (8 * (1 + 2 + 3 + 4) + 4 * 45));
  ActorCost full = estimateCost(attention(4, 8, 2, 1, false));
  EXPECT_EQ(full.cyclesPerFrame, 4 * 9 + 4 * 2 * (8 * 4 + 45));
  // SIMD 4 makes the score and exp loops one cycle per row
  ActorCost wide = estimateCost(attention(4, 8, 2, 4, false));
  EXPECT_EQ(wide.cyclesPerFrame, 4 * 9 + 4 * 2 * (2 * 4 + 45));
  EXPECT_EQ(wide.multipliers, 2 * 4 + 2);
  for (ActorConfig cfg : {ActorConfig(attention(4, 8, 2, 1, true)),
                          ActorConfig(attention(3, 12, 3, 2, false))}) {
    PipelineTiming t = predictActorAlone(cfg, 3);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_EQ(t.ii_cycles, estimateCost(cfg).cyclesPerFrame);
    EXPECT_EQ(t.latency_cycles, estimateCost(cfg).latencyCycles);
  }
  EXPECT_NE(validate(attention(4, 8, 2, 3, true)), ""); // SIMD must divide D
}

TEST(HwModelPipeline, ChainIiIsBottleneck) {
  // mvu (II 16) -> mvu (II 32) -> softmax (II 2*4+4 = 12)
  std::vector<ActorSpec> chain = {
      {mvu(16, 8, 2, 2, 4), "a"}, {mvu(8, 4, 1, 1, 2), "b"}, {softmax(4, 1), "c"}};
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
  EXPECT_EQ(t.latency_cycles, 6 + 5); // 6 for the first, +5 (1 issue + 4) for the second
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
  PipelineTiming t = predictTiming({ActorSpec{mvu(10, 8, 11, 2, 2), "bad"}}); // SIMD > K
  EXPECT_FALSE(t.ok);
  EXPECT_NE(t.error.find("bad"), std::string::npos);
  EXPECT_FALSE(predictTiming({ActorSpec{softmax(4, 1), ""}}, 1).ok);
}

// ------------------------------------------------------------------ convolutional path
static SwgConfig swgCfg(int C, int H, int W, int K, int S, int P, int IB, int OB) {
  SwgConfig c;
  c.C = C;
  c.H = H;
  c.W = W;
  c.KH = K;
  c.KW = K;
  c.SH = S;
  c.SW = S;
  c.PT = c.PL = c.PB = c.PR = P;
  c.IN_BEAT = IB;
  c.OUT_BEAT = OB;
  return c;
}

TEST(HwModelConv, MvuVectorsDefaultUnchanged) {
  MvuConfig a = mvu(16, 8, 4, 2, 4);
  MvuConfig b = a;
  b.VECTORS = 1;
  EXPECT_EQ(estimateCost(a).cyclesPerFrame, estimateCost(b).cyclesPerFrame);
  EXPECT_EQ(a.inBeats(), 4);
  EXPECT_EQ(a.outBeats(), 4);
}

TEST(HwModelConv, MvuVectorsCostMatchesSimulation) {
  for (MvuConfig c :
       {mvu(18, 4, 6, 2, 6), mvu(16, 8, 16, 8, 16), mvu(8, 8, 1, 1, 8), mvu(12, 6, 3, 3, 1),
        mvu(12, 6, 5, 3, 4), mvu(16, 4, 15, 1, 1), mvu(7, 2, 3, 1, 7)}) {
    for (int v : {1, 4, 9}) {
      c.VECTORS = v;
      PipelineTiming t = predictTiming({ActorSpec{c, ""}});
      ASSERT_TRUE(t.ok) << t.error;
      ActorCost cost = estimateCost(c);
      EXPECT_EQ(t.ii_cycles, cost.cyclesPerFrame) << c.K << " v" << v;
      EXPECT_EQ(t.latency_cycles, cost.latencyCycles) << c.K << " v" << v;
      EXPECT_EQ(cost.cyclesPerFrame, v * std::max(c.steps(), c.vecInBeats()));
    }
  }
}

TEST(HwModelConv, DwuCostMatchesSimulation) {
  DwuConfig d;
  d.C = 8;
  d.KK = 9;
  d.SIMD = 3;
  d.PE = 2;
  d.IN_BEAT = 4;
  d.VECTORS = 5;
  PipelineTiming t = predictTiming({ActorSpec{d, ""}});
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.ii_cycles, estimateCost(d).cyclesPerFrame);
  EXPECT_EQ(t.latency_cycles, estimateCost(d).latencyCycles);
  EXPECT_EQ(t.ii_cycles, 5 * std::max(4 * 3, 18));
}

TEST(HwModelConv, SwgGeometryAndSteadyState) {
  SwgConfig c = swgCfg(4, 8, 8, 3, 1, 1, 4, 4);
  EXPECT_EQ(c.OH(), 8);
  EXPECT_EQ(c.outBeats(), 64 * 9);
  PipelineTiming t = predictTiming({ActorSpec{c, ""}});
  ASSERT_TRUE(t.ok) << t.error;
  // output bound: 576 beats per frame, frame-boundary bubble is bounded by a row
  EXPECT_GE(t.ii_cycles, 576);
  EXPECT_LE(t.ii_cycles, 576 + 2 * 8);
  EXPECT_EQ(t.ii_cycles, estimateCost(c).cyclesPerFrame);
  EXPECT_EQ(t.latency_cycles, estimateCost(c).latencyCycles);
  // input bound (1x1 window, stride 2: every other row/col is dropped)
  SwgConfig d = swgCfg(4, 8, 8, 1, 2, 0, 1, 4);
  PipelineTiming u = predictTiming({ActorSpec{d, ""}});
  ASSERT_TRUE(u.ok) << u.error;
  EXPECT_EQ(u.ii_cycles, 8 * 8 * 4);
  // global pooling window: with the default R = H + 1 rows only one row of the next
  // frame fits while the window is emitted (II = 49 + 6*7); R = 2H overlaps frames.
  SwgConfig g = swgCfg(8, 7, 7, 7, 1, 0, 8, 8);
  EXPECT_EQ(g.OH(), 1);
  PipelineTiming gt = predictTiming({ActorSpec{g, ""}});
  ASSERT_TRUE(gt.ok) << gt.error;
  EXPECT_EQ(gt.ii_cycles, 49 + 42);
  g.ROWS = 14;
  gt = predictTiming({ActorSpec{g, ""}});
  ASSERT_TRUE(gt.ok) << gt.error;
  EXPECT_EQ(gt.ii_cycles, 49);
  g.ROWS = 6;
  EXPECT_FALSE(predictTiming({ActorSpec{g, ""}}).ok);
}

TEST(HwModelConv, PoolAndJoinCosts) {
  PoolConfig p;
  p.MODE = 1;
  p.C = 8;
  p.KK = 9;
  p.IN_BEAT = 4;
  p.PE = 2;
  p.NPIX = 10;
  p.DIV = 9;
  PipelineTiming t = predictTiming({ActorSpec{p, ""}});
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.ii_cycles, 10 * 18);
  EXPECT_EQ(t.ii_cycles, estimateCost(p).cyclesPerFrame);
  // fork -> add (x + x): fork latency beats + 1, add + 1 more (its input FIFO) + 1 (out)
  std::vector<Node> g = {{{ForkConfig{8, 12}, "f"}, {-1}},
                         {{AddConfig{1, 8, 0, 0, 12}, "a"}, {0, 0}}};
  PipelineTiming gt = predictGraphTiming(g);
  ASSERT_TRUE(gt.ok) << gt.error;
  EXPECT_EQ(gt.ii_cycles, 12);
  EXPECT_EQ(gt.latency_cycles, 12 + 1 + 2);
  EXPECT_EQ(estimateCost(ForkConfig{8, 12}).latencyCycles, 13);
  EXPECT_EQ(estimateCost(AddConfig{1, 8, 0, 0, 12}).latencyCycles, 14);
  EXPECT_EQ(estimateCost(ConcatConfig{4, 8, 4, 8, 5}).cyclesPerFrame, 15);
}

TEST(HwModelConv, UpsampleModel) {
  // 2x2 upsampling of a 3x4 map, C = 4 in beats of 2: a row is 4*2 = 8 input beats and
  // 2*2*8 = 32 output beats; the reader (output bound) never waits after the first row.
  UpsampleConfig u;
  u.C = 4;
  u.H = 3;
  u.W = 4;
  u.SH = 2;
  u.SW = 2;
  u.LANES = 2;
  EXPECT_EQ(u.inBeats(), 24);
  EXPECT_EQ(u.outBeats(), 96);
  PipelineTiming t = predictTiming({ActorSpec{u, ""}});
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.ii_cycles, 96);              // output bound: one beat per cycle
  EXPECT_EQ(t.latency_cycles, 8 + 1 + 96); // first row in, bank full, 96 output beats
  EXPECT_EQ(estimateCost(u).cyclesPerFrame, t.ii_cycles);
  EXPECT_EQ(estimateCost(u).latencyCycles, t.latency_cycles);
  // SH = SW = 1 is a pass-through at one beat per cycle (ping-pong banks).
  u.SH = u.SW = 1;
  EXPECT_EQ(estimateCost(u).cyclesPerFrame, 24);
  u.C = 3;
  EXPECT_FALSE(validate(ActorConfig(u)).empty());
}

static std::vector<Node> residualBlock(int C, int HW, int skipFifo) {
  // graph input -> mvu0 -> fork -> mvu1 -> mvu2 -> add(mvu2, skip) -> output
  MvuConfig m = mvu(C, C, C, C, C);
  m.VECTORS = HW;
  MvuConfig slow = mvu(C, C, 1, C, C); // compute bound: SF = C cycles per vector
  slow.VECTORS = HW;
  std::vector<Node> g = {{{m, "mvu0"}, {-1}},
                         {{ForkConfig{8 * C, HW}, "fork"}, {0}},
                         {{m, "mvu1"}, {1}},
                         {{slow, "mvu2"}, {2}},
                         {{AddConfig{C, 8, 0, 0, HW}, "add"}, {3, 1}}};
  if (skipFifo > 0) {
    g.push_back({{FifoConfig{8 * C, skipFifo, HW}, "skip"}, {1}});
    g[4].inputs[1] = 5;
  }
  return g;
}

TEST(HwModelGraph, EdgesAndErrors) {
  std::string err;
  std::vector<Edge> e = graphEdges(residualBlock(4, 16, 0), &err);
  ASSERT_EQ(e.size(), 7u) << err; // in, 0->1, 1->2 (port 0), 2->3, 3->4, 1->4 (port 1), out
  EXPECT_EQ(e.front().from, -1);
  EXPECT_EQ(e.back().to, -1);
  EXPECT_EQ(e.back().from, 4);
  // fork port assignment: first reference (node 2) port 0, second (node 4) port 1
  EXPECT_EQ(e[2].from, 1);
  EXPECT_EQ(e[2].fromPort, 0);
  EXPECT_EQ(e[5].from, 1);
  EXPECT_EQ(e[5].fromPort, 1);
  EXPECT_EQ(e[5].toPort, 1);
  // a single-output node consumed twice
  std::vector<Node> bad = {{{mvu(4, 4, 4, 4, 4), "a"}, {-1}},
                           {{AddConfig{4, 8, 0, 0, 1}, "add"}, {0, 0}}};
  EXPECT_TRUE(graphEdges(bad, &err).empty());
  EXPECT_NE(err.find("fork"), std::string::npos);
  EXPECT_FALSE(predictGraphTiming(bad).ok);
  // the linear API rejects 2-port actors
  EXPECT_FALSE(predictTiming({ActorSpec{ForkConfig{8, 1}, "f"}}).ok);
}

TEST(HwModelGraph, ChainAsGraphEqualsChain) {
  std::vector<ActorSpec> chain = {{mvu(16, 8, 4, 2, 4), "a"},
                                  {FifoConfig{16, 2, 4}, "f"},
                                  {mvu(8, 4, 2, 1, 2), "b"},
                                  {softmax(4, 1), "c"}};
  std::vector<Node> g;
  for (size_t i = 0; i < chain.size(); ++i)
    g.push_back({chain[i], {int(i) - 1}});
  std::vector<int64_t> o1, i1, o2, i2;
  PipelineTiming a = predictTiming(chain, kPredictFrames, &o1, &i1);
  PipelineTiming b = predictGraphTiming(g, kPredictFrames, &o2, &i2);
  ASSERT_TRUE(a.ok && b.ok) << b.error;
  EXPECT_EQ(a.latency_cycles, b.latency_cycles);
  EXPECT_EQ(a.ii_cycles, b.ii_cycles);
  EXPECT_EQ(o1, o2);
  EXPECT_EQ(i1, i2);
}

TEST(HwModelGraph, ResidualBlockNeedsSkipFifo) {
  const int C = 4, HW = 16;
  // Without a skip FIFO the fork stalls on the skip branch: deadlock / throughput loss.
  PipelineTiming none = predictGraphTiming(residualBlock(C, HW, 0));
  FifoSizing s = sizeFifos(residualBlock(C, HW, 0));
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.ii_sized, s.ii_unbounded);
  EXPECT_EQ(s.ii_unbounded, HW * C); // the slow mvu2 is the bottleneck
  // the skip edge (fork port 1 -> add port 1) needs the deepest FIFO
  int skipEdge = -1;
  for (size_t e = 0; e < s.edges.size(); ++e)
    if (s.edges[e].from == 1 && s.edges[e].fromPort == 1)
      skipEdge = int(e);
  ASSERT_GE(skipEdge, 0);
  for (size_t e = 0; e < s.edges.size(); ++e)
    EXPECT_LE(s.depth[e], s.depth[skipEdge]);
  EXPECT_GT(s.depth[skipEdge], 2);
  // withFifos reproduces the sized timing
  PipelineTiming w = predictGraphTiming(withFifos(residualBlock(C, HW, 0), s));
  ASSERT_TRUE(w.ok) << w.error;
  EXPECT_EQ(w.ii_cycles, s.ii_sized);
  EXPECT_EQ(w.latency_cycles, s.latency_sized);
  // only the skip edge: its depth alone restores the bottleneck II
  std::vector<bool> mask(s.edges.size(), false);
  mask[skipEdge] = true;
  FifoSizing k = sizeFifos(residualBlock(C, HW, 0), kPredictFrames, mask);
  ASSERT_TRUE(k.ok) << k.error;
  PipelineTiming withSkip = predictGraphTiming(residualBlock(C, HW, k.depth[skipEdge]));
  ASSERT_TRUE(withSkip.ok) << withSkip.error;
  EXPECT_EQ(withSkip.ii_cycles, HW * C);
  EXPECT_TRUE(!none.ok || none.ii_cycles > withSkip.ii_cycles);
}

TEST(HwModelGraph, Concat) {
  // input -> fork -> [mvu a (C1 = 8 outputs), mvu b (C2 = 4 outputs)] -> concat
  MvuConfig a = mvu(4, 8, 4, 4, 4), b = mvu(4, 4, 1, 4, 4);
  a.VECTORS = b.VECTORS = 6;
  std::vector<Node> g = {{{ForkConfig{32, 6}, "fork"}, {-1}},
                         {{a, "a"}, {0}},
                         {{b, "b"}, {0}},
                         {{ConcatConfig{8, 4, 4, 8, 6}, "cat"}, {1, 2}}};
  FifoSizing s = sizeFifos(g);
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.ii_unbounded, 6 * 4); // mvu b: SF = 4 cycles per vector
  EXPECT_EQ(s.ii_sized, 6 * 4);
  PipelineTiming t = predictGraphTiming(withFifos(g, s));
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.ii_cycles, 6 * 4);
  // 2 beats of a then 1 of b per pixel
  EXPECT_EQ(estimateCost(g[3].spec.config).cyclesPerFrame, 6 * 3);
}

TEST(HwModelGraph, TwoPortCostsMatchCycleModel) {
  for (ActorConfig c :
       {ActorConfig(ForkConfig{8, 12}), ActorConfig(AddConfig{4, 8, 0, 0, 12}),
        ActorConfig(AddConfig{2, 8, 1, 3, 7}), ActorConfig(ConcatConfig{4, 8, 4, 8, 5}),
        ActorConfig(ConcatConfig{6, 2, 2, 8, 3})}) {
    PipelineTiming t = predictActorAlone(c, kPredictFrames);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_EQ(t.ii_cycles, estimateCost(c).cyclesPerFrame) << c.index();
    EXPECT_EQ(t.latency_cycles, estimateCost(c).latencyCycles) << c.index();
  }
}

TEST(HwModelConv, PoolFormulaMatchesCycleModel) {
  for (int ib : {1, 2, 4, 8})
    for (int pe : {1, 2, 8})
      for (int kk : {1, 4, 9})
        for (int npix : {1, 5}) {
          PoolConfig p;
          p.C = 8;
          p.KK = kk;
          p.IN_BEAT = ib;
          p.PE = pe;
          p.NPIX = npix;
          p.MODE = 1;
          p.DIV = kk;
          PipelineTiming t = predictTiming({ActorSpec{p, ""}});
          ASSERT_TRUE(t.ok) << t.error;
          EXPECT_EQ(t.ii_cycles, estimateCost(p).cyclesPerFrame) << kk << ib << pe << npix;
          EXPECT_EQ(t.latency_cycles, estimateCost(p).latencyCycles) << kk << ib << pe << npix;
        }
}

// Affine integer graphs (docs/CONTRACTS.md): a binary (+-1 weight) unit has no
// multipliers in its MAC lanes; a requantization multiplier (W_M > 0) is one real
// multiplier per PE. Neither changes the cycles (same pipeline).
TEST(HwModelCost, AffineMultipliersAndBinary) {
  MvuConfig base = mvu(16, 8, 4, 2, 4);
  ActorCost b = estimateCost(base);
  EXPECT_EQ(b.multipliers, 8);
  EXPECT_EQ(b.multBitsA, 8);
  EXPECT_EQ(b.multBitsB, 8);
  EXPECT_FALSE(b.binary);

  MvuConfig bin = base;
  bin.BIPOLAR_W = 1;
  bin.W_W = 1;
  ActorCost cb = estimateCost(bin);
  EXPECT_EQ(cb.multipliers, 0);
  EXPECT_TRUE(cb.binary);
  EXPECT_EQ(cb.multBitsB, 1);
  EXPECT_EQ(cb.cyclesPerFrame, b.cyclesPerFrame);
  EXPECT_EQ(cb.latencyCycles, b.latencyCycles);
  EXPECT_EQ(cb.memoryBits, 16 * 8 * 1 + 8 * 24); // one bit per weight

  MvuConfig m = base;
  m.W_M = 25;
  ActorCost cm = estimateCost(m);
  EXPECT_EQ(cm.multipliers, 8 + 2); // + one per PE
  EXPECT_EQ(cm.memoryBits, b.memoryBits + 8 * 25);
  EXPECT_EQ(cm.cyclesPerFrame, b.cyclesPerFrame);
  EXPECT_EQ(cm.latencyCycles, b.latencyCycles);

  MvuConfig badBin = base;
  badBin.BIPOLAR_W = 1; // W_W still 8
  EXPECT_NE(validate(badBin), "");

  AddConfig scaled{2, 9, 2, 0, 6};
  scaled.MA = 1 << 23, scaled.MB = 3 << 22, scaled.S = 24;
  EXPECT_EQ(validate(scaled), "");
  ActorCost ca = estimateCost(scaled);
  EXPECT_EQ(ca.multipliers, 4);
  EXPECT_EQ(ca.cyclesPerFrame, estimateCost(AddConfig{2, 9, 0, 0, 6}).cyclesPerFrame);
  EXPECT_EQ(ca.latencyCycles, estimateCost(AddConfig{2, 9, 0, 0, 6}).latencyCycles);
  scaled.S = 63;
  EXPECT_NE(validate(scaled), "");
}

// A graph without compute is one loom_skid: II = beats, latency = beats + 1.
TEST(HwModelPipeline, PassThroughSkid) {
  PipelineTiming t = predictGraphTiming({{{SkidConfig{9, 6}, "pass"}, {-1}}});
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.ii_cycles, 6);
  EXPECT_EQ(t.latency_cycles, 7);
}

// Several graph inputs and outputs. Two skids side by side, 6 and 10 beats a frame:
// each input is offered independently, and a frame ends when the slower output (10
// beats, skid latency beats + 1) has ended it, so latency 11 and II 10.
TEST(HwModelPipeline, TwoInputsTwoOutputs) {
  std::vector<Node> g = {{{SkidConfig{9, 6}, "a"}, {graphInput(0)}},
                         {{SkidConfig{9, 10}, "b"}, {graphInput(1)}}};
  std::string err;
  std::vector<Edge> e = graphEdges(g, &err);
  ASSERT_EQ(e.size(), 4u) << err;
  EXPECT_EQ(e[0].from, -1);
  EXPECT_EQ(e[0].fromPort, 0);
  EXPECT_EQ(e[0].to, 0);
  EXPECT_EQ(e[1].fromPort, 1);
  EXPECT_EQ(e[1].to, 1);
  EXPECT_EQ(e[2].from, 0);
  EXPECT_EQ(e[2].toPort, 0);
  EXPECT_EQ(e[3].from, 1);
  EXPECT_EQ(e[3].toPort, 1);
  PipelineTiming t = predictGraphTiming(g);
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.latency_cycles, 11);
  EXPECT_EQ(t.ii_cycles, 10);
  // Joining the two inputs (x + y): the add waits for both, so its II is that of the
  // slower input, and an input nobody reads is an error.
  std::vector<Node> join = {{{AddConfig{1, 8, 0, 0, 12}, "add"}, {graphInput(0), graphInput(1)}}};
  PipelineTiming jt = predictGraphTiming(join);
  ASSERT_TRUE(jt.ok) << jt.error;
  EXPECT_EQ(jt.ii_cycles, 12);
  EXPECT_EQ(jt.latency_cycles, estimateCost(AddConfig{1, 8, 0, 0, 12}).latencyCycles);
  std::vector<Node> gap = {{{SkidConfig{9, 6}, "a"}, {graphInput(1)}}};
  EXPECT_TRUE(graphEdges(gap, &err).empty());
  EXPECT_NE(err.find("graph input 0"), std::string::npos) << err;
}

// loom generate's schedule: rows of a sequence, the prompt back to back, each later row
// offered the cycle after the previous row's last output beat.
TEST(HwModelGraph, RowScheduleDecodesOneRowAtATime) {
  const int T = 6;
  MvuConfig a = mvu(8, 16, 2, 4, 8); // per row: 1 input beat, SF*NF = 4*4 = 16 steps
  a.VECTORS = T;
  MvuConfig b = mvu(16, 4, 16, 1, 4); // 4 input beats per row, 4 steps
  b.VECTORS = T;
  std::vector<Node> g = {{{a, "a"}, {-1}}, {{b, "b"}, {0}}};
  // All rows back to back (prompt = T) is the frame of predictGraphTiming: the last
  // row's last beat is the frame's.
  RowTiming all = predictRowSchedule(g, {T, T, T});
  ASSERT_TRUE(all.ok) << all.error;
  std::vector<int64_t> out;
  PipelineTiming ft = predictGraphTiming(g, kPredictFrames, &out);
  ASSERT_TRUE(ft.ok);
  EXPECT_EQ(all.lastOut.back() - all.firstIn.front() + 1, ft.latency_cycles);
  EXPECT_EQ(all.firstIn[1], 1); // one input beat per row, offered every cycle
  // One prompt row: every later row enters the idle pipeline, so each row costs the same,
  // the latency of a one-row frame (exact: a frame of these actors is T such rows).
  RowTiming one = predictRowSchedule(g, {T, 1, T});
  ASSERT_TRUE(one.ok) << one.error;
  MvuConfig a1 = a, b1 = b;
  a1.VECTORS = b1.VECTORS = 1;
  PipelineTiming row = predictGraphTiming({{{a1, "a"}, {-1}}, {{b1, "b"}, {0}}});
  for (int r = 0; r < T; ++r) {
    EXPECT_EQ(one.lastOut[r] - one.firstIn[r] + 1, row.latency_cycles) << "row " << r;
    if (r > 0) {
      EXPECT_EQ(one.firstIn[r], one.lastOut[r - 1] + 1) << "row " << r;
    }
  }
  // Fewer rows fed than the sequence holds: the run stops after the last one.
  RowTiming part = predictRowSchedule(g, {T, 2, 4});
  ASSERT_TRUE(part.ok);
  EXPECT_EQ(part.lastOut.size(), 4u);
  // Rows must divide every stream; a prompt longer than the rows fed is refused.
  EXPECT_FALSE(predictRowSchedule(g, {5, 1, 5}).ok);
  EXPECT_FALSE(predictRowSchedule(g, {T, 3, 2}).ok);
}
