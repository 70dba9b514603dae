//===- QuantConvKernelsTest.cpp - bit-exact conv-path kernels -------------===//
//
// Every quantized kernel against a brute-force double-precision evaluation
// of the CONTRACTS formula (all values are small integers, so double is
// exact), against the float ONNX kernels on the NCHW layout where the
// operation is exact, and hand cases.
//
//===----------------------------------------------------------------------===//
#include "compiler/reference/QuantConvKernels.h"

#include "test/unit/TestActTables.h"
#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace loom::numerics;
using namespace loom::reference;

namespace {

std::vector<int64_t> randCodes(std::mt19937 &rng, size_t n, int width) {
  std::uniform_int_distribution<int64_t> d(-(int64_t(1) << (width - 1)),
                                           (int64_t(1) << (width - 1)) - 1);
  std::vector<int64_t> v(n);
  for (auto &x : v)
    x = d(rng);
  return v;
}

// saturate(round_half_even(v)) computed in double.
int64_t refRound(double v, int width) { return saturate(int64_t(roundHalfEven(v)), width); }

std::vector<double> toD(const std::vector<int64_t> &v) {
  return std::vector<double>(v.begin(), v.end());
}

struct Geo {
  QFmap in;
  int64_t OC, G;
  QWindow win;
};

std::vector<Geo> convGeometries() {
  std::vector<Geo> g;
  auto W = [](int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t dh, int64_t dw, int64_t pt,
              int64_t pl, int64_t pb, int64_t pr) {
    QWindow w;
    w.KH = kh, w.KW = kw, w.SH = sh, w.SW = sw, w.DH = dh, w.DW = dw;
    w.PT = pt, w.PL = pl, w.PB = pb, w.PR = pr;
    return w;
  };
  g.push_back({{6, 7, 3}, 4, 1, W(3, 3, 1, 1, 1, 1, 1, 1, 1, 1)});
  g.push_back({{7, 6, 2}, 3, 1, W(3, 2, 2, 2, 1, 1, 0, 1, 2, 0)});  // asym, s2
  g.push_back({{9, 9, 2}, 3, 1, W(3, 3, 1, 1, 2, 2, 2, 2, 2, 2)});  // dilation 2
  g.push_back({{6, 6, 4}, 4, 4, W(3, 3, 1, 1, 1, 1, 1, 1, 1, 1)});  // depthwise
  g.push_back({{7, 7, 3}, 6, 3, W(3, 3, 2, 2, 1, 1, 1, 0, 1, 1)});  // dw x2, s2
  g.push_back({{5, 6, 4}, 6, 2, W(2, 3, 1, 2, 2, 1, 1, 1, 0, 2)});  // groups 2
  g.push_back({{1, 13, 3}, 4, 1, W(1, 3, 1, 2, 1, 2, 0, 3, 0, 0)}); // 1-D
  g.push_back({{4, 3, 5}, 7, 1, W(1, 1, 1, 1, 1, 1, 0, 0, 0, 0)});  // 1x1
  return g;
}

TEST(QConv, BruteForceDoubleAndFloatKernel) {
  std::mt19937 rng(7);
  for (const Geo &g : convGeometries())
    for (int shift : {0, 3, 7}) {
      int64_t ICg = g.in.C / g.G, OCg = g.OC / g.G;
      auto x = randCodes(rng, size_t(g.in.size()), 8);
      auto w = randCodes(rng, size_t(g.OC * ICg * g.win.KH * g.win.KW), 6);
      auto b = randCodes(rng, size_t(g.OC), 12);
      int64_t OH = g.win.outH(g.in.H), OW = g.win.outW(g.in.W);
      auto acc = qconvAcc(x, g.in, w, b, g.OC, g.win, g.G);
      auto y = qconv(x, g.in, w, b, g.OC, g.win, g.G, shift, 8);
      ASSERT_EQ(int64_t(y.size()), OH * OW * g.OC);
      // Brute force in double, straight from the CONTRACTS formula.
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow)
          for (int64_t oc = 0; oc < g.OC; ++oc) {
            double a = double(b[size_t(oc)]);
            int64_t grp = oc / OCg;
            for (int64_t kh = 0; kh < g.win.KH; ++kh)
              for (int64_t kw = 0; kw < g.win.KW; ++kw)
                for (int64_t ic = 0; ic < ICg; ++ic) {
                  int64_t ih = oh * g.win.SH - g.win.PT + kh * g.win.DH;
                  int64_t iw = ow * g.win.SW - g.win.PL + kw * g.win.DW;
                  if (ih < 0 || ih >= g.in.H || iw < 0 || iw >= g.in.W)
                    continue;
                  a += double(x[size_t((ih * g.in.W + iw) * g.in.C + grp * ICg + ic)]) *
                       double(w[size_t(((oc * ICg + ic) * g.win.KH + kh) * g.win.KW + kw)]);
                }
            size_t i = size_t((oh * OW + ow) * g.OC + oc);
            ASSERT_EQ(double(acc[i]), a);
            ASSERT_EQ(y[i], refRound(std::ldexp(a, -shift), 8));
          }
      // The float ONNX Conv on NCHW gives the same accumulators.
      WindowParams p;
      p.strides = {g.win.SH, g.win.SW};
      p.dilations = {g.win.DH, g.win.DW};
      p.pads = {g.win.PT, g.win.PL, g.win.PB, g.win.PR};
      p.group = g.G;
      std::vector<double> yf;
      Shape ys;
      ASSERT_TRUE(conv(toChannelsFirst(toD(x), {1, g.in.H, g.in.W, g.in.C}),
                       {1, g.in.C, g.in.H, g.in.W}, toD(w), {g.OC, ICg, g.win.KH, g.win.KW}, toD(b),
                       p, yf, ys));
      ASSERT_EQ(ys, (Shape{1, g.OC, OH, OW}));
      EXPECT_EQ(toChannelsLast(yf, ys), toD(acc));
      // loom_swg + mvu view: one K = KH*KW*C vector per pixel (groups = 1).
      if (g.G == 1) {
        auto win = qslidingWindow(x, g.in, g.win);
        auto wm = convWeightsToMvu(w, g.OC, ICg, g.win.KH, g.win.KW);
        int64_t K = g.win.KH * g.win.KW * g.in.C;
        ASSERT_EQ(int64_t(win.size()), OH * OW * K);
        for (int64_t pix = 0; pix < OH * OW; ++pix) {
          std::vector<int64_t> v(win.begin() + pix * K, win.begin() + (pix + 1) * K);
          auto yd = qdense(v, wm, b, g.OC, K, shift, 8);
          EXPECT_EQ(yd, std::vector<int64_t>(y.begin() + pix * g.OC, y.begin() + (pix + 1) * g.OC));
        }
      }
      // Accumulator width: no accumulator exceeds it.
      int wacc = qconvAccWidth(w, b, ICg * g.win.KH * g.win.KW, 8);
      for (int64_t a : acc)
        EXPECT_EQ(saturate(a, wacc), a);
    }
}

TEST(QConv, HandDepthwiseAndActivations) {
  // 1x2 map, C = 2, depthwise 1x2 kernel, pads left 1: OW = 2.
  // x: pixel0 = (4, -4), pixel1 = (2, 6); w[c][0][0][kw]: c0 = (1, 2), c1 = (-1, 1)
  // ow0: c0 = 0*1 + 4*2 = 8, c1 = 0 + -4*1 = -4
  // ow1: c0 = 4*1 + 2*2 = 8, c1 = -4*-1 + 6*1 = 10
  QFmap in{1, 2, 2};
  QWindow win;
  win.KH = 1, win.KW = 2, win.PL = 1;
  std::vector<int64_t> x = {4, -4, 2, 6}, w = {1, 2, -1, 1};
  EXPECT_EQ(qconvAcc(x, in, w, {}, 2, win, 2), (std::vector<int64_t>{8, -4, 8, 10}));
  // shift 2: 2, -1, 2, 2.5 -> 2 (half even); relu.
  EXPECT_EQ(qconv(x, in, w, {}, 2, win, 2, 2, 8), (std::vector<int64_t>{2, -1, 2, 2}));
  EXPECT_EQ(qconv(x, in, w, {}, 2, win, 2, 2, 8, QAct::Relu), (std::vector<int64_t>{2, 0, 2, 2}));
  // Saturation to 3 bits with shift 0: 8 -> 3, -4 stays, 10 -> 3.
  EXPECT_EQ(qconv(x, in, w, {}, 2, win, 2, 0, 3), (std::vector<int64_t>{3, -4, 3, 3}));
}

TEST(QNumerics, DivRoundHalfEven) {
  EXPECT_EQ(divRoundHalfEven(5, 2), 2);
  EXPECT_EQ(divRoundHalfEven(7, 2), 4);
  EXPECT_EQ(divRoundHalfEven(-5, 2), -2);
  EXPECT_EQ(divRoundHalfEven(-7, 2), -4);
  EXPECT_EQ(divRoundHalfEven(1, 3), 0);
  EXPECT_EQ(divRoundHalfEven(2, 3), 1);
  EXPECT_EQ(divRoundHalfEven(-2, 3), -1);
  EXPECT_EQ(divRoundHalfEven(-1, 3), 0);
  EXPECT_EQ(divRoundHalfEven(9, 9), 1);
  EXPECT_EQ(divRoundHalfEven(INT64_MIN, 1), INT64_MIN);
  for (int64_t d = 1; d <= 30; ++d)
    for (int64_t s = -400; s <= 400; ++s)
      ASSERT_EQ(double(divRoundHalfEven(s, d)), roundHalfEven(double(s) / double(d)))
          << s << "/" << d;
}

TEST(QPool, AvgMaxBruteForce) {
  std::mt19937 rng(11);
  for (const Geo &g : convGeometries()) {
    auto x = randCodes(rng, size_t(g.in.size()), 8);
    int64_t OH = g.win.outH(g.in.H), OW = g.win.outW(g.in.W);
    for (bool cip : {false, true}) {
      auto y = qavgpool(x, g.in, g.win, cip, 8);
      auto ym = qmaxpool(x, g.in, g.win);
      ASSERT_EQ(int64_t(y.size()), OH * OW * g.in.C);
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow)
          for (int64_t c = 0; c < g.in.C; ++c) {
            double s = 0, n = 0, m = -1e300;
            for (int64_t kh = 0; kh < g.win.KH; ++kh)
              for (int64_t kw = 0; kw < g.win.KW; ++kw) {
                int64_t ih = oh * g.win.SH - g.win.PT + kh * g.win.DH;
                int64_t iw = ow * g.win.SW - g.win.PL + kw * g.win.DW;
                if (ih < 0 || ih >= g.in.H || iw < 0 || iw >= g.in.W)
                  continue;
                double v = double(x[size_t((ih * g.in.W + iw) * g.in.C + c)]);
                s += v;
                n += 1;
                m = std::max(m, v);
              }
            double d = cip ? double(g.win.KH * g.win.KW) : n;
            size_t i = size_t((oh * OW + ow) * g.in.C + c);
            ASSERT_EQ(y[i], refRound(s / d, 8));
            ASSERT_EQ(double(ym[i]), m);
          }
    }
    // MaxPool agrees with the float ONNX kernel on NCHW.
    WindowParams p;
    p.kernel = {g.win.KH, g.win.KW};
    p.strides = {g.win.SH, g.win.SW};
    p.dilations = {g.win.DH, g.win.DW};
    p.pads = {g.win.PT, g.win.PL, g.win.PB, g.win.PR};
    std::vector<double> yf;
    Shape ys;
    ASSERT_TRUE(maxPool(toChannelsFirst(toD(x), {1, g.in.H, g.in.W, g.in.C}),
                        {1, g.in.C, g.in.H, g.in.W}, p, yf, ys));
    EXPECT_EQ(toChannelsLast(yf, ys), toD(qmaxpool(x, g.in, g.win)));
  }
}

TEST(QPool, HandAvgPool) {
  // 2x2 map, C = 1: [1 2; 3 5], k 2x2, pads 1 all round, stride 1 -> 3x3.
  // Corner windows hold one value; cip divides by 4.
  QFmap in{2, 2, 1};
  QWindow win;
  win.KH = win.KW = 2;
  win.PT = win.PL = win.PB = win.PR = 1;
  std::vector<int64_t> x = {1, 2, 3, 5};
  // no cip: [1, 1.5->2, 2; 2, 2.75->3, 3.5->4; 3, 4, 5]
  EXPECT_EQ(qavgpool(x, in, win, false, 8), (std::vector<int64_t>{1, 2, 2, 2, 3, 4, 3, 4, 5}));
  // cip: sums [1 3 2; 4 11 7; 3 8 5] / 4 = [0.25->0, 0.75->1, 0.5->0;
  //          1, 2.75->3, 1.75->2; 0.75->1, 2, 1.25->1]
  EXPECT_EQ(qavgpool(x, in, win, true, 8), (std::vector<int64_t>{0, 1, 0, 1, 3, 2, 1, 2, 1}));
  // Saturation: 3-bit output of the no-cip case.
  EXPECT_EQ(qavgpool(x, in, win, false, 3), (std::vector<int64_t>{1, 2, 2, 2, 3, 3, 3, 3, 3}));
  // Global: 11 / 4 = 2.75 -> 3; negative tie -10/4 = -2.5 -> -2.
  EXPECT_EQ(qglobalavgpool(x, in, 8), (std::vector<int64_t>{3}));
  EXPECT_EQ(qglobalavgpool({-1, -2, -3, -4}, in, 8), (std::vector<int64_t>{-2}));
  EXPECT_EQ(qglobalmaxpool({-1, -2, -3, -4}, in), (std::vector<int64_t>{-1}));
}

TEST(QPool, GlobalBruteForce) {
  std::mt19937 rng(3);
  QFmap in{5, 7, 6};
  auto x = randCodes(rng, size_t(in.size()), 10);
  auto y = qglobalavgpool(x, in, 10);
  auto m = qglobalmaxpool(x, in);
  for (int64_t c = 0; c < in.C; ++c) {
    double s = 0, mx = -1e300;
    for (int64_t p = 0; p < in.H * in.W; ++p) {
      s += double(x[size_t(p * in.C + c)]);
      mx = std::max(mx, double(x[size_t(p * in.C + c)]));
    }
    EXPECT_EQ(y[size_t(c)], refRound(s / double(in.H * in.W), 10));
    EXPECT_EQ(double(m[size_t(c)]), mx);
  }
}

TEST(QElementwise, AddMulClipLeaky) {
  std::mt19937 rng(5);
  const int W = 8, F = 4;
  auto a = randCodes(rng, 500, W), b = randCodes(rng, 500, W);
  auto s = qadd(a, b, W);
  auto m = qmul(a, b, F, W);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(s[i], refRound(double(a[i]) + double(b[i]), W));
    EXPECT_EQ(m[i], refRound(double(a[i]) * double(b[i]) / 16.0, W));
  }
  // Hand: 100 + 100 -> 127; -100 - 100 -> -128; 3*5/16 = 0.9375 -> 1;
  // 8*3/16 = 1.5 -> 2; 8*1/16 = 0.5 -> 0 (half even); -8*3/16 = -1.5 -> -2.
  EXPECT_EQ(qadd({100, -100}, {100, -100}, 8), (std::vector<int64_t>{127, -128}));
  EXPECT_EQ(qmul({3, 8, 8, -8}, {5, 3, 1, 3}, 4, 8), (std::vector<int64_t>{1, 2, 0, -2}));
  EXPECT_EQ(qmul({127}, {127}, 0, 8), (std::vector<int64_t>{127}));
  // Per-channel constant add (C = 2).
  EXPECT_EQ(qaddChannel({1, 2, 3, 4}, {10, 126}, 8), (std::vector<int64_t>{11, 127, 13, 127}));
  // Relu6 on fixed<8,4> (F = 4): bounds quantize to 0 and 96; 127 -> 96.
  FixedFormat f{8, 4};
  EXPECT_EQ(qclip({-5, 0, 50, 96, 127}, 0.0, 6.0, f), (std::vector<int64_t>{0, 0, 50, 96, 96}));
  EXPECT_EQ(qclip({-5, 3, 9}, int64_t(-2), int64_t(4)), (std::vector<int64_t>{-2, 3, 4}));
  // LeakyRelu: A = round(alpha * 2^15).
  for (double alpha : {0.01, 0.1, 0.2, 0.3333, 1.5, -0.25}) {
    LeakyReluParams p = makeLeakyRelu(alpha);
    EXPECT_EQ(p.S, 15);
    EXPECT_EQ(p.A, int64_t(roundHalfEven(alpha * 32768.0)));
    std::vector<int64_t> y;
    for (int64_t v = -128; v < 128; ++v)
      y.push_back(v);
    auto r = qleakyRelu(y, p, 8);
    for (size_t i = 0; i < y.size(); ++i) {
      int64_t want = y[i] >= 0 ? y[i] : refRound(double(y[i]) * double(p.A) / 32768.0, 8);
      ASSERT_EQ(r[i], want) << alpha << " " << y[i];
    }
  }
  // alpha = 0.1: A = 3277; -10 * 3277 / 32768 = -1.00006 -> -1;
  // -5 * 3277 / 32768 = -0.50003 -> -1.
  LeakyReluParams p = makeLeakyRelu(0.1);
  EXPECT_EQ(p.A, 3277);
  EXPECT_EQ(qleakyRelu({-10, -5, 7}, p, 8), (std::vector<int64_t>{-1, -1, 7}));
  // alpha = 0.5 exactly: -3 * 0.5 = -1.5 -> -2, -1 * 0.5 = -0.5 -> 0.
  EXPECT_EQ(qleakyRelu({-3, -1}, makeLeakyRelu(0.5), 8), (std::vector<int64_t>{-2, 0}));
}

TEST(QLayout, ConcatResizePadVsFloat) {
  std::mt19937 rng(9);
  QFmap a{3, 4, 2}, b{3, 4, 5};
  auto xa = randCodes(rng, size_t(a.size()), 8);
  auto xb = randCodes(rng, size_t(b.size()), 8);
  auto yq = qconcat({xa, xb}, {a, b});
  std::vector<double> yf;
  Shape ys;
  ASSERT_TRUE(concat<double>(
      {toChannelsFirst(toD(xa), {1, 3, 4, 2}), toChannelsFirst(toD(xb), {1, 3, 4, 5})},
      {{1, 2, 3, 4}, {1, 5, 3, 4}}, 1, yf, ys));
  EXPECT_EQ(toChannelsLast(yf, ys), toD(yq));
  // Hand: two 1x1 maps with C = 1 and 2.
  EXPECT_EQ(qconcat({{7}, {8, 9}}, {{1, 1, 1}, {1, 1, 2}}), (std::vector<int64_t>{7, 8, 9}));

  // Resize nearest: x2 upsample (asymmetric/floor) and a 5->3 half-pixel
  // downsample, against the float kernel.
  QFmap r{2, 5, 3};
  auto xr = randCodes(rng, size_t(r.size()), 8);
  std::vector<double> xrf = toChannelsFirst(toD(xr), {1, 2, 5, 3});
  auto q1 = qresizeNearest(xr, r, 4, 10);
  ASSERT_TRUE(resizeNearest(xrf, {1, 3, 2, 5}, {1, 3, 4, 10}, {1, 1, 2, 2}, CoordMode::Asymmetric,
                            NearestMode::Floor, yf));
  EXPECT_EQ(toChannelsLast(yf, {1, 3, 4, 10}), toD(q1));
  auto q2 =
      qresizeNearest(xr, r, 1, 3, 0.5, 0.6, CoordMode::HalfPixel, NearestMode::RoundPreferFloor);
  ASSERT_TRUE(resizeNearest(xrf, {1, 3, 2, 5}, {1, 3, 1, 3}, {1, 1, 0.5, 0.6}, CoordMode::HalfPixel,
                            NearestMode::RoundPreferFloor, yf));
  EXPECT_EQ(toChannelsLast(yf, {1, 3, 1, 3}), toD(q2));
  // Hand: 1x2 map C = 1 [3, 4] -> 1x4 [3, 3, 4, 4].
  EXPECT_EQ(qresizeNearest({3, 4}, {1, 2, 1}, 1, 4), (std::vector<int64_t>{3, 3, 4, 4}));

  // Zero pad vs float Pad (constant 0) on NCHW.
  auto qp = qpad(xr, r, 1, 0, 2, 3);
  ASSERT_TRUE(pad(xrf, {1, 3, 2, 5}, {0, 0, 1, 0, 0, 0, 2, 3}, PadMode::Constant, 0.0, yf, ys));
  EXPECT_EQ(ys, (Shape{1, 3, 5, 8}));
  EXPECT_EQ(toChannelsLast(yf, ys), toD(qp));
  EXPECT_EQ(qpad({5}, {1, 1, 1}, 0, 1, 0, 1), (std::vector<int64_t>{0, 5, 0}));
}

TEST(QTables, EluSelu) {
  FixedFormat in{8, 4}, out{8, 4};
  ActTable t = makeEluTable(1.0, in, out);
  // 8-bit input: exact per code (shift 0, 256 entries covering all codes).
  EXPECT_EQ(t.shift, 0);
  EXPECT_EQ(t.tMin, -128);
  EXPECT_EQ(t.tMax, 127);
  for (int64_t y = -128; y < 128; ++y) {
    double xv = double(y) / 16.0;
    double f = xv >= 0 ? xv : std::expm1(xv);
    EXPECT_EQ(lookupAct(t, y), quantize(f, out)) << y;
  }
  ActTable s = makeSeluTable(kSeluAlpha, kSeluGamma, in, out);
  for (int64_t y = -128; y < 128; ++y) {
    double xv = double(y) / 16.0;
    double f = kSeluGamma * (xv > 0 ? xv : kSeluAlpha * std::expm1(xv));
    EXPECT_EQ(lookupAct(s, y), quantize(f, out)) << y;
  }
  // 16-bit input: at most 1024 entries, bucket midpoints (CONTRACTS).
  FixedFormat in16{16, 6};
  ActTable t16 = makeEluTable(0.5, in16, out);
  EXPECT_LE(t16.depth(), kMaxTableDepth);
  EXPECT_EQ(t16.tMin, in16.minInt());
  EXPECT_EQ(t16.tMax, in16.maxInt());
  int64_t half = int64_t(1) << (t16.shift - 1);
  for (int64_t i = 0; i < t16.depth(); i += 37) {
    double xv = std::ldexp(double((i << t16.shift) + t16.tMin + half), -10);
    double f = xv >= 0 ? xv : 0.5 * std::expm1(xv);
    EXPECT_EQ(t16.values[size_t(i)], quantize(f, out));
  }
}

} // namespace
