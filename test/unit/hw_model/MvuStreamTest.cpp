// loom_mvu_stream (MvuConfig / DwuConfig STREAM = 1): the closed-form cycles and latency of
// estimateCost against the cycle model MvuStreamModel run alone in a clean pass, the
// weight image layout, and the other estimates.
#include "hw_model/Actors.h"
#include "hw_model/Cost.h"
#include "hw_model/MvuStream.h"
#include "hw_model/Pipeline.h"
#include "hw_model/Resources.h"

#include <gtest/gtest.h>

using namespace loom::hw;

namespace {

MvuConfig dense(int K, int N, int SIMD, int IB, int V, int pipe = 0, int rq = 0) {
  MvuConfig c;
  c.K = K, c.N = N, c.PE = N, c.SIMD = SIMD, c.IN_BEAT = IB, c.VECTORS = V;
  c.PIPE = pipe, c.RQ_PIPE = rq, c.STREAM = 1;
  return c;
}

DwuConfig depthwise(int KK, int C, int SIMD, int IB, int V, int pipe = 0, int rq = 0) {
  DwuConfig c;
  c.KK = KK, c.C = C, c.PE = C, c.SIMD = SIMD, c.IN_BEAT = IB, c.VECTORS = V;
  c.PIPE = pipe, c.RQ_PIPE = rq, c.STREAM = 1;
  return c;
}

/// Clean pass of the model alone over `frames` frames: the cycle of each frame's last
/// output beat, with the first input beat at cycle 0.
std::vector<int64_t> frameEnds(ActorModel &m, int frames) {
  std::vector<int64_t> ends;
  int64_t sent = 0, got = 0;
  const int64_t inTotal = int64_t(frames) * m.inBeatsPerFrame();
  for (int64_t t = 0; int(ends.size()) < frames && t < 10000000; ++t) {
    bool in = sent < inTotal && m.inReady();
    sent += in;
    bool out = m.outValid();
    if (out && ++got % m.outBeatsPerFrame() == 0)
      ends.push_back(t);
    m.step(in, out);
  }
  return ends;
}

template <typename Config> void expectClosedForm(const Config &c) {
  SCOPED_TRACE(::testing::Message() << "SIMD " << c.SIMD << " IN_BEAT " << c.IN_BEAT
                                    << " VECTORS " << c.VECTORS << " PIPE " << c.PIPE
                                    << " RQ_PIPE " << c.RQ_PIPE);
  ASSERT_EQ(validate(ActorConfig(c)), "");
  MvuStreamModel m(c);
  const int frames = 6;
  std::vector<int64_t> ends = frameEnds(m, frames);
  ASSERT_EQ(int(ends.size()), frames);
  ActorCost cost = estimateCost(c);
  EXPECT_EQ(cost.latencyCycles, ends[0] + 1);
  for (int f = 1; f < frames; ++f)
    EXPECT_EQ(cost.cyclesPerFrame, ends[f] - ends[f - 1]) << "frame " << f;
  // the graph model (makeActorModel) builds the same model for STREAM = 1
  PipelineTiming p = predictTiming({{c, "u"}});
  EXPECT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.latency_cycles, cost.latencyCycles);
  EXPECT_EQ(p.ii_cycles, cost.cyclesPerFrame);
}

} // namespace

TEST(MvuStream, ClosedFormDenseSweep) {
  // every SIMD up to K, beats slower, equal and faster than a step, 1..5 vectors a frame
  for (int K : {1, 4, 7, 12})
    for (int SIMD = 1; SIMD <= K; ++SIMD)
      for (int IB = 1; IB <= K; ++IB) {
        if (K % IB)
          continue;
        for (int V : {1, 2, 3, 5})
          expectClosedForm(dense(K, 3, SIMD, IB, V));
      }
}

TEST(MvuStream, ClosedFormDepthwiseSweep) {
  for (int KK : {1, 4, 9})
    for (int C : {1, 2, 3})
      for (int SIMD = 1; SIMD <= KK; ++SIMD)
        for (int IB = 1; IB <= KK * C; ++IB) {
          if ((KK * C) % IB)
            continue;
          for (int V : {1, 2, 6})
            expectClosedForm(depthwise(KK, C, SIMD, IB, V));
        }
}

TEST(MvuStream, ClosedFormPipeStages) {
  for (int pipe = 0; pipe <= 2; ++pipe)
    for (int rq = 0; rq <= 1; ++rq) {
      expectClosedForm(dense(12, 4, 5, 4, 7, pipe, rq));
      expectClosedForm(dense(32, 8, 19, 32, 5, pipe, rq));
      expectClosedForm(depthwise(9, 4, 2, 4, 6, pipe, rq));
    }
}

TEST(MvuStream, KwsExamples) {
  // the DS-CNN keyword spotter's layers: pointwise K = N = 32 over 125 pixels at SIMD 19
  // (a pixel a beat), depthwise C = 32 with 9 taps at SIMD 6 (a window a beat; a pixel a
  // beat would make it input bound: 1125 beats)
  ActorCost pw = estimateCost(dense(32, 32, 19, 32, 125));
  EXPECT_EQ(pw.cyclesPerFrame, 211);
  EXPECT_EQ(pw.multipliers, 608);
  ActorCost dw = estimateCost(depthwise(9, 32, 6, 288, 125));
  EXPECT_EQ(dw.cyclesPerFrame, 188);
  EXPECT_EQ(dw.multipliers, 192);
  expectClosedForm(dense(32, 32, 19, 32, 125));
  expectClosedForm(depthwise(9, 32, 6, 288, 125));
  EXPECT_EQ(estimateCost(depthwise(9, 32, 6, 32, 125)).cyclesPerFrame, 1125);
}

TEST(MvuStream, GeometryAndImage) {
  MvuStreamGeometry g = streamGeometry(dense(12, 2, 5, 4, 7));
  EXPECT_EQ(g.steps(), 17);  // ceil(84 / 5)
  EXPECT_EQ(g.elast(), 4);   // 84 - 16*5
  EXPECT_EQ(g.period(), 12); // 12 / gcd(12, 5)
  EXPECT_EQ(g.lines(), 12);
  std::vector<std::vector<int64_t>> w(2, std::vector<int64_t>(12));
  for (int n = 0; n < 2; ++n)
    for (int k = 0; k < 12; ++k)
      w[n][k] = 100 * n + k;
  auto img = streamWeightImage(g, w);
  ASSERT_EQ(img.size(), 12u);
  // line 2: items 10, 11, 0, 1, 2 of each lane
  EXPECT_EQ(img[2], (std::vector<int64_t>{10, 11, 0, 1, 2, 110, 111, 100, 101, 102}));
  // a single vector shorter than a period: only its steps' lines
  EXPECT_EQ(streamGeometry(dense(12, 2, 5, 4, 1)).lines(), 3);
  // SIMD | K: one line per step of a vector
  EXPECT_EQ(streamGeometry(dense(8, 2, 4, 4, 3)).lines(), 2);
  DwuConfig d = depthwise(9, 4, 2, 4, 6);
  MvuStreamGeometry gd = streamGeometry(d);
  EXPECT_EQ(gd.el(), 8);
  EXPECT_EQ(gd.steps(), 27);
  EXPECT_EQ(gd.lines(), 9);
  // 9 lines of 4*2*8 = 64 bits (2 words each), one bias line of 4*24 = 96 bits (3 words)
  EXPECT_EQ(weightLoadWords(ActorConfig(d)), 9 * 2 + 3);
}

TEST(MvuStream, Validate) {
  MvuConfig c = dense(12, 4, 5, 4, 7);
  c.PE = 2;
  EXPECT_NE(validate(ActorConfig(c)), "");
  DwuConfig d = depthwise(9, 4, 2, 4, 6); // SIMD need not divide KK with STREAM
  EXPECT_EQ(validate(ActorConfig(d)), "");
  d.STREAM = 0;
  d.PE = 4;
  EXPECT_NE(validate(ActorConfig(d)), "");
  d.STREAM = 1;
  d.SIMD = 10;
  EXPECT_NE(validate(ActorConfig(d)), "");
}

TEST(MvuStream, Estimates) {
  MvuConfig c = dense(12, 4, 5, 4, 7);
  ActorCost r = estimateCost(c);
  EXPECT_EQ(r.multipliers, 20);
  EXPECT_EQ(r.memoryBits, 12 * 20 * 8 + 4 * 24);
  c.BIPOLAR_W = 1, c.W_W = 1;
  EXPECT_EQ(estimateCost(c).multipliers, 0);
  Resources res = estimateResources(c);
  EXPECT_GT(res.luts, 0);
  EXPECT_GT(res.ffs, 0);
}
