//===- ElementwiseKernels.cpp - Float elementwise and broadcasting kernels -===//
#include "compiler/reference/ConvKernels.h"

#include <algorithm>
#include <cmath>

namespace loom {
namespace reference {

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename T> std::vector<T> clip(const std::vector<T> &x, double lo, double hi) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double v = double(x[i]);
    y[i] = T(std::min(std::max(v, lo), hi));
  }
  return y;
}

template <typename T> std::vector<T> leakyRelu(const std::vector<T> &x, double alpha) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = x[i] >= T(0) ? x[i] : T(alpha * double(x[i]));
  return y;
}

template <typename T> std::vector<T> elu(const std::vector<T> &x, double alpha) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = x[i] >= T(0) ? x[i] : T(alpha * std::expm1(double(x[i])));
  return y;
}

template <typename T> std::vector<T> selu(const std::vector<T> &x, double alpha, double gamma) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double v = double(x[i]);
    y[i] = T(v > 0 ? gamma * v : gamma * alpha * std::expm1(v));
  }
  return y;
}

// Elementwise binary op with numpy broadcasting.
template <typename T, typename F>
static bool broadcastBinary(const std::vector<T> &a, const Shape &aShape, const std::vector<T> &b,
                            const Shape &bShape, std::vector<T> &out, Shape &outShape, F f) {
  Shape os;
  if (!broadcastShapes(aShape, bShape, os))
    return false;
  if (int64_t(a.size()) != numElements(aShape) || int64_t(b.size()) != numElements(bShape))
    return false;
  auto stridesFor = [&](const Shape &s) {
    std::vector<int64_t> st(os.size(), 0);
    size_t off = os.size() - s.size();
    int64_t acc = 1;
    for (size_t i = s.size(); i-- > 0;) {
      st[i + off] = s[i] == 1 ? 0 : acc;
      acc *= s[i];
    }
    return st;
  };
  std::vector<int64_t> sa = stridesFor(aShape), sb = stridesFor(bShape);
  int64_t n = numElements(os);
  std::vector<T> res(static_cast<size_t>(n));
  std::vector<int64_t> idx;
  for (int64_t fl = 0; fl < n; ++fl) {
    decode(fl, os, idx);
    int64_t ia = 0, ib = 0;
    for (size_t i = 0; i < os.size(); ++i) {
      ia += idx[i] * sa[i];
      ib += idx[i] * sb[i];
    }
    res[size_t(fl)] = T(f(double(a[size_t(ia)]), double(b[size_t(ib)])));
  }
  out = std::move(res);
  outShape = os;
  return true;
}

template <typename T>
bool prelu(const std::vector<T> &x, const Shape &xShape, const std::vector<T> &slope,
           const Shape &slopeShape, std::vector<T> &y) {
  Shape os;
  if (!broadcastShapes(xShape, slopeShape, os) || os != xShape)
    return false; // unidirectional: slope must broadcast to x
  std::vector<T> res;
  if (!broadcastBinary(x, xShape, slope, slopeShape, res, os,
                       [](double v, double s) { return v >= 0 ? v : s * v; }))
    return false;
  y = std::move(res);
  return true;
}

template <typename T>
bool mulBroadcast(const std::vector<T> &a, const Shape &aShape, const std::vector<T> &b,
                  const Shape &bShape, std::vector<T> &out, Shape &outShape) {
  return broadcastBinary(a, aShape, b, bShape, out, outShape,
                         [](double u, double v) { return u * v; });
}

template <typename T>
bool batchNorm(const std::vector<T> &x, const Shape &xShape, const std::vector<T> &scale,
               const std::vector<T> &bias, const std::vector<T> &mean, const std::vector<T> &var,
               double epsilon, std::vector<T> &y) {
  if (xShape.size() < 2 || int64_t(x.size()) != numElements(xShape))
    return false;
  int64_t N = xShape[0], C = xShape[1];
  size_t uc = size_t(C);
  if (scale.size() != uc || bias.size() != uc || mean.size() != uc || var.size() != uc)
    return false;
  int64_t S = 1;
  for (size_t i = 2; i < xShape.size(); ++i)
    S *= xShape[i];
  std::vector<T> res(x.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      double k = double(scale[size_t(c)]) / std::sqrt(double(var[size_t(c)]) + epsilon);
      double m = double(mean[size_t(c)]), bb = double(bias[size_t(c)]);
      for (int64_t p = 0; p < S; ++p) {
        size_t i = size_t((n * C + c) * S + p);
        res[i] = T((double(x[i]) - m) * k + bb);
      }
    }
  y = std::move(res);
  return true;
}

#define LOOM_INSTANTIATE(T)                                                                        \
  template std::vector<T> clip(const std::vector<T> &, double, double);                            \
  template std::vector<T> leakyRelu(const std::vector<T> &, double);                               \
  template std::vector<T> elu(const std::vector<T> &, double);                                     \
  template std::vector<T> selu(const std::vector<T> &, double, double);                            \
  template bool prelu(const std::vector<T> &, const Shape &, const std::vector<T> &,               \
                      const Shape &, std::vector<T> &);                                            \
  template bool mulBroadcast(const std::vector<T> &, const Shape &, const std::vector<T> &,        \
                             const Shape &, std::vector<T> &, Shape &);                            \
  template bool batchNorm(const std::vector<T> &, const Shape &, const std::vector<T> &,           \
                          const std::vector<T> &, const std::vector<T> &, const std::vector<T> &,  \
                          double, std::vector<T> &);

LOOM_INSTANTIATE(float)
LOOM_INSTANTIATE(double)
#undef LOOM_INSTANTIATE

} // namespace reference
} // namespace loom
