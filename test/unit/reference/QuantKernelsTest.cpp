#include "compiler/reference/QuantKernels.h"
#include "compiler/reference/FloatKernels.h"

#include "test/unit/TestActTables.h"
#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace loom::numerics;
using namespace loom::reference;

namespace {

TEST(QDense, HandExample) {
  // x in fixed<.,.> with Fi = 2: x = [3, -2] = [0.75, -0.5]
  // W with Fw = 1: [[2, 1], [-1, 4]] = [[1, 0.5], [-0.5, 2]]
  // b at scale 2^-(Fi+Fw) = 2^-3: [1, 0]
  // acc0 = 3*2 + (-2)*1 + 1 = 5;  acc1 = 3*(-1) + (-2)*4 + 0 = -11
  // Fout = 1 -> shift = 2 + 1 - 1 = 2
  // y0 = sre(5, 2)   = round(1.25)  = 1
  // y1 = sre(-11, 2) = round(-2.75) = -3
  std::vector<int64_t> x = {3, -2}, W = {2, 1, -1, 4}, b = {1, 0};
  EXPECT_EQ(qdenseAcc(x, W, b, 2, 2), (std::vector<int64_t>{5, -11}));
  EXPECT_EQ(qdense(x, W, b, 2, 2, 2, 8), (std::vector<int64_t>{1, -3}));
  // Saturation to 3 bits: y1 = -3 fits, y0 = 1 fits; with shift 0 -> [5, -11]
  // saturated to [3, -4].
  EXPECT_EQ(qdense(x, W, b, 2, 2, 0, 3), (std::vector<int64_t>{3, -4}));
  // ReLU after dense.
  EXPECT_EQ(qdenseAct(x, W, b, 2, 2, 2, 8, QAct::Relu), (std::vector<int64_t>{1, 0}));
}

TEST(QDense, TiesRoundToEven) {
  // K = 1, W = [1], x = [a]: y = sre(a + b, 2).
  //  6 -> 1.5 -> 2;  10 -> 2.5 -> 2;  -6 -> -1.5 -> -2;  -10 -> -2.5 -> -2
  //  2 -> 0.5 -> 0;  14 -> 3.5 -> 4
  std::vector<int64_t> W = {1};
  std::vector<std::pair<int64_t, int64_t>> cases = {{6, 2}, {10, 2}, {-6, -2}, {-10, -2},
                                                    {2, 0}, {14, 4}, {-2, 0}};
  for (auto [a, want] : cases)
    EXPECT_EQ(qdense({a}, W, {}, 1, 1, 2, 16)[0], want) << a;
  // Bias participates before rounding: 5 + 1 = 6 -> 2.
  EXPECT_EQ(qdense({5}, W, {1}, 1, 1, 2, 16)[0], 2);
}

TEST(QDense, MatchesFloatWithinHalfLsb) {
  std::mt19937 rng(11);
  FixedFormat in{8, 3}, wf{8, 1}, out{12, 5};
  const int Fi = in.frac(), Fw = wf.frac(), Fo = out.frac();
  const int64_t N = 7, K = 13;
  std::uniform_real_distribution<double> u(-0.9, 0.9);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<int64_t> x(K), W(N * K), b(N);
    std::vector<double> xf(K), Wf(N * K), bf(N);
    for (int64_t k = 0; k < K; ++k) {
      x[k] = quantize(u(rng) * 4, in);
      xf[k] = dequantize(x[k], in);
    }
    for (int64_t i = 0; i < N * K; ++i) {
      W[i] = quantize(u(rng), wf);
      Wf[i] = dequantize(W[i], wf);
    }
    for (int64_t n = 0; n < N; ++n) {
      bf[n] = u(rng);
      b[n] = quantizeBias(bf[n], Fi, Fw);
      bf[n] = std::ldexp(double(b[n]), -(Fi + Fw));
    }
    std::vector<int64_t> y = qdense(x, W, b, N, K, Fi + Fw - Fo, out.width);
    std::vector<double> yf = dense(xf, Wf, bf, N, K);
    for (int64_t n = 0; n < N; ++n) {
      ASSERT_EQ(y[n], quantize(yf[n], out)) << "n=" << n; // exact ties too
      ASSERT_LE(std::fabs(dequantize(y[n], out) - yf[n]), out.lsb() / 2);
    }
  }
}

TEST(QTable, SigmoidAndRelu) {
  FixedFormat f{8, 4}, o{8, 1};
  ActTable t = makeSigmoidTable(f, o);
  std::vector<int64_t> y = {-128, -16, 0, 16, 127};
  std::vector<int64_t> r = qtable(y, t);
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_EQ(r[i], quantize(1.0 / (1.0 + std::exp(-y[i] / 16.0)), o));
  EXPECT_EQ(r[2], 64);
  EXPECT_EQ(qrelu({-3, 0, 4}), (std::vector<int64_t>{0, 0, 4}));
  // Dense with a table activation: x = [16] (1.0), W = [2] (Fw = 1 -> 1.0),
  // shift = 4 + 1 - 4 = 1: y = sre(32, 1) = 16 (1.0) -> sigmoid(1.0) * 128.
  std::vector<int64_t> d = qdenseAct({16}, {2}, {}, 1, 1, 1, 8, QAct::Table, &t);
  EXPECT_EQ(d[0], quantize(1.0 / (1.0 + std::exp(-1.0)), o)); // 94
}

TEST(QSoftmax, HandCases) {
  FixedFormat f{8, 4}; // F = 4: 1.0 == 16
  ExpTable e = makeExpTable(f);
  // y = [0, 0]: d = [0, 0], e = [32768, 32768], S = 65536
  // out = floor((32768*16 + 32768) / 65536) = floor(8.5) = 8 each (0.5).
  EXPECT_EQ(qsoftmaxVector({0, 0}, f, e), (std::vector<int64_t>{8, 8}));
  // y = [16, 0] (1.0, 0.0): d = [0, 16], e = [32768, EXP[16] = 12055],
  // S = 44823, floor(S/2) = 22411
  // out0 = floor((524288 + 22411) / 44823) = floor(12.197) = 12
  // out1 = floor((192880 + 22411) / 44823) = floor(4.803)  = 4
  // (float: 0.731 * 16 = 11.70, 0.269 * 16 = 4.30)
  EXPECT_EQ(qsoftmaxVector({16, 0}, f, e), (std::vector<int64_t>{12, 4}));
  // y = [8, 0, -8]: d = [0, 8, 16], e = [32768, 19875, 12055], S = 64698
  // out = floor((e*16 + 32349) / 64698) = [8, 5, 3]
  EXPECT_EQ(qsoftmaxVector({8, 0, -8}, f, e), (std::vector<int64_t>{8, 5, 3}));
  // Shift invariance: only differences matter.
  EXPECT_EQ(qsoftmaxVector({50, 42, 34}, f, e), (std::vector<int64_t>{8, 5, 3}));
  // Huge difference clamps to the last table entry: d = 255 -> EXP[255]
  // = round(exp(-15.9375) * 32768) = 0 -> out = [16, 0]
  EXPECT_EQ(e.values[255], 0);
  EXPECT_EQ(qsoftmaxVector({127, -128}, f, e), (std::vector<int64_t>{16, 0}));
  // Saturation: fixed<8,1> (F = 7), single element: e = S = 32768,
  // out = floor((32768*128 + 16384) / 32768) = 128 -> saturate_8 -> 127.
  FixedFormat g{8, 1};
  EXPECT_EQ(qsoftmaxVector({5}, g, makeExpTable(g)), (std::vector<int64_t>{127}));
  // Two groups via qsoftmax.
  EXPECT_EQ(qsoftmax({0, 0, 16, 0}, 2, f), (std::vector<int64_t>{8, 8, 12, 4}));
}

TEST(QSoftmax, CloseToFloatSoftmax) {
  std::mt19937 rng(5);
  for (FixedFormat f :
       {FixedFormat{8, 4}, FixedFormat{12, 5}, FixedFormat{16, 6}, FixedFormat{16, 8}}) {
    ExpTable e = makeExpTable(f);
    std::uniform_int_distribution<int64_t> d(f.minInt(), f.maxInt());
    double worst = 0;
    for (int trial = 0; trial < 300; ++trial) {
      int n = 2 + int(rng() % 15);
      std::vector<int64_t> y(n);
      std::vector<double> yf(n);
      for (int i = 0; i < n; ++i) {
        y[i] = d(rng);
        yf[i] = dequantize(y[i], f);
      }
      std::vector<int64_t> q = qsoftmaxVector(y, f, e);
      std::vector<double> r = softmax(yf, n);
      for (int i = 0; i < n; ++i) {
        // Table buckets of 2^shift codes (left end), 2^-15 exp resolution,
        // output LSB: a few percent at most, plus one output LSB.
        double err = std::fabs(dequantize(q[i], f) - r[i]);
        worst = std::max(worst, err);
        ASSERT_LE(err, 0.02 + f.lsb()) << f.str() << " i=" << i;
      }
    }
    EXPECT_GE(worst, 0.0);
  }
}

} // namespace
