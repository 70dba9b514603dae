//===- ConvKernelsTest.cpp - float conv-path kernels vs numpy -------------===//
//
// float_refs.py (run here with /usr/bin/python3, which has numpy) writes
// random cases computed with plain numpy in float64; every kernel of
// ConvKernels.h is compared against them (double: abs 1e-9 + rel 1e-9; the
// float instantiation: abs 1e-4 + rel 1e-4). Plus hand cases.
//
//===----------------------------------------------------------------------===//
#include "compiler/reference/ConvKernels.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

using namespace loom::reference;

namespace {

struct RefTensor {
  Shape shape;
  std::vector<double> v;
};

struct RefCase {
  std::string name, op;
  std::map<std::string, std::vector<int64_t>> ints;
  std::map<std::string, std::vector<double>> floats;
  std::map<std::string, std::string> strs;
  std::map<std::string, RefTensor> t;
  std::vector<int64_t> I(const std::string &k) const {
    auto it = ints.find(k);
    return it == ints.end() ? std::vector<int64_t>{} : it->second;
  }
  int64_t i1(const std::string &k, int64_t d) const {
    auto v = I(k);
    return v.empty() ? d : v[0];
  }
  double f1(const std::string &k) const { return floats.at(k).at(0); }
  std::string S(const std::string &k) const {
    auto it = strs.find(k);
    return it == strs.end() ? "" : it->second;
  }
};

std::vector<RefCase> loadCases(const std::string &path) {
  std::ifstream in(path);
  std::vector<RefCase> cases;
  std::string tok;
  while (in >> tok) {
    if (tok != "CASE")
      break;
    RefCase c;
    in >> c.name >> c.op;
    while (in >> tok && tok != "END") {
      std::string key;
      in >> key;
      if (tok == "I" || tok == "F") {
        size_t n;
        in >> n;
        for (size_t i = 0; i < n; ++i) {
          if (tok == "I") {
            int64_t v;
            in >> v;
            c.ints[key].push_back(v);
          } else {
            double v;
            in >> v;
            c.floats[key].push_back(v);
          }
        }
        if (n == 0) {
          if (tok == "I")
            c.ints[key];
          else
            c.floats[key];
        }
      } else if (tok == "S") {
        in >> c.strs[key];
      } else if (tok == "T") {
        RefTensor t;
        size_t r;
        in >> r;
        t.shape.resize(r);
        for (auto &d : t.shape)
          in >> d;
        t.v.resize(size_t(numElements(t.shape)));
        for (auto &v : t.v)
          in >> v;
        c.t[key] = std::move(t);
      }
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

class NumpyRefs : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/loom_float_refs_XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
    std::string cmd =
        std::string("/usr/bin/python3 ") + LOOM_FLOAT_REFS_SCRIPT + " " + path_ + " > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    cases_ = loadCases(path_);
    std::remove(path_.c_str());
  }
  static std::string path_;
  static std::vector<RefCase> cases_;
};
std::string NumpyRefs::path_;
std::vector<RefCase> NumpyRefs::cases_;

template <typename T>
::testing::AssertionResult near(const std::vector<T> &got, const Shape &gotShape,
                                const RefTensor &want, double tol) {
  if (gotShape != want.shape)
    return ::testing::AssertionFailure() << "shape mismatch";
  if (got.size() != want.v.size())
    return ::testing::AssertionFailure() << "size mismatch";
  for (size_t i = 0; i < got.size(); ++i) {
    double g = double(got[i]), w = want.v[i];
    if (!(std::fabs(g - w) <= tol + tol * std::fabs(w)))
      return ::testing::AssertionFailure() << "element " << i << ": got " << g << " want " << w;
  }
  return ::testing::AssertionSuccess();
}

template <typename T> std::vector<T> cast(const std::vector<double> &v) {
  return std::vector<T>(v.begin(), v.end());
}

AutoPad autoPadOf(const RefCase &c) {
  AutoPad ap = AutoPad::NotSet;
  EXPECT_TRUE(parseAutoPad(c.S("auto_pad"), ap));
  return ap;
}

WindowParams windowOf(const RefCase &c) {
  WindowParams p;
  p.kernel = c.I("kernel_shape");
  p.strides = c.I("strides");
  p.dilations = c.I("dilations");
  p.pads = c.I("pads");
  p.autoPad = autoPadOf(c);
  p.group = c.i1("group", 1);
  p.ceilMode = c.i1("ceil_mode", 0) != 0;
  p.countIncludePad = c.i1("count_include_pad", 0) != 0;
  return p;
}

// Runs one case with element type T; returns false if the op is unknown.
template <typename T>::testing::AssertionResult runCase(const RefCase &c, double tol) {
  auto X = [&](const char *k) { return cast<T>(c.t.at(k).v); };
  auto XS = [&](const char *k) { return c.t.at(k).shape; };
  const RefTensor &want = c.t.at("y");
  std::vector<T> y;
  Shape ys;
  bool ok = true;
  if (c.op == "Conv" || c.op == "MaxPool" || c.op == "AveragePool") {
    WindowParams p = windowOf(c);
    Shape xs = XS("x");
    Shape sp(xs.begin() + 2, xs.end());
    std::vector<int64_t> rp = resolvePads(sp, p.kernel, p.strides, p.dilations, p.autoPad, p.pads);
    if (rp != c.I("resolved_pads"))
      return ::testing::AssertionFailure() << "resolvePads mismatch";
    if (c.op == "Conv")
      ok = conv(X("x"), XS("x"), X("w"), XS("w"), c.t.count("b") ? X("b") : std::vector<T>{}, p, y,
                ys);
    else if (c.op == "MaxPool")
      ok = maxPool(X("x"), XS("x"), p, y, ys);
    else
      ok = averagePool(X("x"), XS("x"), p, y, ys);
  } else if (c.op == "GlobalAveragePool") {
    ok = globalAveragePool(X("x"), XS("x"), y, ys);
  } else if (c.op == "GlobalMaxPool") {
    ok = globalMaxPool(X("x"), XS("x"), y, ys);
  } else if (c.op == "Pad") {
    PadMode m;
    if (!parsePadMode(c.S("mode"), m))
      return ::testing::AssertionFailure() << "bad mode";
    ok = pad(X("x"), XS("x"), c.I("pads"), m, c.f1("value"), y, ys);
  } else if (c.op == "Concat") {
    std::vector<std::vector<T>> xs;
    std::vector<Shape> shapes;
    for (int64_t i = 0; i < c.i1("n", 0); ++i) {
      std::string k = "x" + std::to_string(i);
      xs.push_back(X(k.c_str()));
      shapes.push_back(XS(k.c_str()));
    }
    ok = concat(xs, shapes, c.i1("axis", 0), y, ys);
  } else if (c.op == "Resize") {
    CoordMode cm;
    NearestMode nm;
    if (!parseCoordMode(c.S("coord"), cm) || !parseNearestMode(c.S("nearest"), nm))
      return ::testing::AssertionFailure() << "bad modes";
    ys = c.I("out");
    if (ys != resizeOutShape(XS("x"), c.floats.at("scales")))
      return ::testing::AssertionFailure() << "resizeOutShape mismatch";
    ok = resizeNearest(X("x"), XS("x"), ys, c.floats.at("scales"), cm, nm, y);
  } else if (c.op == "Upsample") {
    ok = upsampleNearest(X("x"), XS("x"), c.floats.at("scales"), y, ys);
  } else if (c.op == "Clip") {
    y = clip(X("x"), c.f1("lo"), c.f1("hi"));
    ys = XS("x");
  } else if (c.op == "LeakyRelu") {
    y = leakyRelu(X("x"), c.f1("alpha"));
    ys = XS("x");
  } else if (c.op == "Elu") {
    y = elu(X("x"), c.f1("alpha"));
    ys = XS("x");
  } else if (c.op == "Selu") {
    y = selu(X("x"), c.f1("alpha"), c.f1("gamma"));
    ys = XS("x");
  } else if (c.op == "PRelu") {
    ok = prelu(X("x"), XS("x"), X("slope"), XS("slope"), y);
    ys = XS("x");
  } else if (c.op == "Mul") {
    ok = mulBroadcast(X("a"), XS("a"), X("b"), XS("b"), y, ys);
  } else if (c.op == "Transpose") {
    ok = transpose(X("x"), XS("x"), c.I("perm"), y, ys);
  } else if (c.op == "BatchNormalization") {
    ok = batchNorm(X("x"), XS("x"), X("scale"), X("bias"), X("mean"), X("var"), c.f1("epsilon"), y);
    ys = XS("x");
  } else {
    return ::testing::AssertionFailure() << "unknown op " << c.op;
  }
  if (!ok)
    return ::testing::AssertionFailure() << "kernel returned false";
  return near(y, ys, want, tol);
}

TEST_F(NumpyRefs, AllCasesDouble) {
  ASSERT_GE(cases_.size(), 190u);
  std::map<std::string, int> perOp;
  for (const RefCase &c : cases_) {
    EXPECT_TRUE(runCase<double>(c, 1e-9)) << c.name;
    ++perOp[c.op];
  }
  // Every kernel family is covered.
  for (const char *op : {"Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
                         "Pad", "Concat", "Resize", "Upsample", "Clip", "LeakyRelu", "Elu", "Selu",
                         "PRelu", "Mul", "Transpose", "BatchNormalization"})
    EXPECT_GT(perOp[op], 0) << op;
}

TEST_F(NumpyRefs, AllCasesFloat) {
  for (const RefCase &c : cases_)
    EXPECT_TRUE(runCase<float>(c, 1e-4)) << c.name;
}

TEST(ConvKernels, ResolvePads) {
  // in 7, k 4, s 2: out 4, total = 3*2 + 4 - 7 = 3.
  EXPECT_EQ(resolvePads({7}, {4}, {2}, {}, AutoPad::SameUpper), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(resolvePads({7}, {4}, {2}, {}, AutoPad::SameLower), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(resolvePads({5, 5}, {3, 3}, {}, {}, AutoPad::Valid, {1, 1, 1, 1}),
            (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(resolvePads({5, 5}, {3, 3}, {}, {}, AutoPad::NotSet, {1, 0, 2, 3}),
            (std::vector<int64_t>{1, 0, 2, 3}));
  EXPECT_EQ(resolvePads({5, 5}, {3, 3}, {}, {}, AutoPad::NotSet),
            (std::vector<int64_t>{0, 0, 0, 0}));
  // dilation 2, k 3 -> effective 5, in 6, s 1: total 4.
  EXPECT_EQ(resolvePads({6}, {3}, {1}, {2}, AutoPad::SameUpper), (std::vector<int64_t>{2, 2}));
  AutoPad ap;
  EXPECT_FALSE(parseAutoPad("SAME", ap));
}

TEST(ConvKernels, WindowOutSize) {
  EXPECT_EQ(windowOutSize(5, 3, 2, 1, 0, 0), 2);
  EXPECT_EQ(windowOutSize(6, 3, 2, 1, 0, 0), 2);
  EXPECT_EQ(windowOutSize(6, 3, 2, 1, 0, 0, true), 3);
  // ceil_mode: a window that would start in the end padding is dropped.
  // in 4, k 2, s 2, end pad 1: ceil(3/2)+1 = 3 windows, the third would start
  // at 4 >= in + pb = 4 (entirely in the padding) -> 2.
  EXPECT_EQ(windowOutSize(4, 2, 2, 1, 0, 1, true), 2);
  EXPECT_EQ(windowOutSize(5, 2, 2, 1, 0, 0, true), 3);
  EXPECT_EQ(windowOutSize(2, 5, 1, 1, 0, 0), 0); // window larger than input
}

TEST(ConvKernels, HandConv) {
  // x = 1x1x3x3 [1..9], w = 1x1x2x2 ones, pads 0: sums of 2x2 blocks.
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w = {1, 1, 1, 1};
  std::vector<float> y;
  Shape ys;
  WindowParams p;
  ASSERT_TRUE(conv(x, {1, 1, 3, 3}, w, {1, 1, 2, 2}, {}, p, y, ys));
  EXPECT_EQ(ys, (Shape{1, 1, 2, 2}));
  EXPECT_EQ(y, (std::vector<float>{12, 16, 24, 28}));
  // Bad group.
  p.group = 2;
  EXPECT_FALSE(conv(x, {1, 1, 3, 3}, w, {1, 1, 2, 2}, {}, p, y, ys));
}

TEST(ConvKernels, HandAvgPoolCountIncludePad) {
  // 1x1x2x2 [1 2; 3 4], k 2, pads 1 all round, stride 2 -> 2x2 windows each
  // holding one element: cip = 1 divides by 4, cip = 0 by 1.
  std::vector<double> x = {1, 2, 3, 4}, y;
  Shape ys;
  WindowParams p;
  p.kernel = {2, 2};
  p.strides = {2, 2};
  p.pads = {1, 1, 1, 1};
  ASSERT_TRUE(averagePool(x, {1, 1, 2, 2}, p, y, ys));
  EXPECT_EQ(y, (std::vector<double>{1, 2, 3, 4}));
  p.countIncludePad = true;
  ASSERT_TRUE(averagePool(x, {1, 1, 2, 2}, p, y, ys));
  EXPECT_EQ(y, (std::vector<double>{0.25, 0.5, 0.75, 1}));
  ASSERT_TRUE(maxPool(std::vector<double>{-1, -2, -3, -4}, {1, 1, 2, 2}, p, y, ys));
  EXPECT_EQ(y, (std::vector<double>{-1, -2, -3, -4})); // padding never wins
}

TEST(ConvKernels, LayoutRoundTrip) {
  std::vector<int> v(2 * 3 * 4 * 5);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = int(i);
  std::vector<float> x(v.begin(), v.end());
  std::vector<float> nhwc = nchwToNhwc(x, 2, 3, 4, 5);
  // element (n=1, c=2, h=3, w=4) -> NHWC index ((1*4+3)*5+4)*3+2
  EXPECT_EQ(nhwc[size_t(((1 * 4 + 3) * 5 + 4) * 3 + 2)], x[size_t(((1 * 3 + 2) * 4 + 3) * 5 + 4)]);
  EXPECT_EQ(nhwcToNchw(nhwc, 2, 4, 5, 3), x);
  EXPECT_EQ(channelsLastShape({2, 3, 4, 5}), (Shape{2, 4, 5, 3}));
  EXPECT_EQ(channelsFirstShape({2, 4, 5, 3}), (Shape{2, 3, 4, 5}));
  // 1-D: N C L <-> N L C.
  std::vector<double> x1 = {1, 2, 3, 4, 5, 6}; // C = 2, L = 3
  EXPECT_EQ(toChannelsLast(x1, {1, 2, 3}), (std::vector<double>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(toChannelsFirst(toChannelsLast(x1, {1, 2, 3}), {1, 3, 2}), x1);
  // Same through transpose with perm (0, 2, 3, 1).
  std::vector<float> t;
  Shape ts;
  ASSERT_TRUE(transpose(x, {2, 3, 4, 5}, {0, 2, 3, 1}, t, ts));
  EXPECT_EQ(t, nhwc);
}

} // namespace
