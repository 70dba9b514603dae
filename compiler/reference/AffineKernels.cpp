//===- AffineKernels.cpp - reference kernels of affine integer graphs -----===//
#include "compiler/reference/AffineKernels.h"

using namespace loom;
using namespace loom::reference;

size_t AffineParams::indexOf(size_t i, const std::vector<int64_t> &shape) const {
  if (scale.size() <= 1 || axis < 0 || size_t(axis) >= shape.size())
    return 0;
  size_t inner = 1;
  for (size_t d = size_t(axis) + 1; d < shape.size(); ++d)
    inner *= size_t(shape[d]);
  return (i / inner) % size_t(shape[size_t(axis)]);
}

std::vector<int64_t> reference::quantizeLinear(const std::vector<double> &x,
                                               const std::vector<int64_t> &shape,
                                               const AffineParams &p, int64_t qmin, int64_t qmax,
                                               numerics::Rounding r, bool bipolar) {
  std::vector<int64_t> q(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    size_t c = p.indexOf(i, shape);
    q[i] = bipolar ? (x[i] >= 0 ? 1 : -1)
                   : numerics::quantizeLinear(x[i], p.scale[c], p.zeroPoint[c], qmin, qmax, r);
  }
  return q;
}

std::vector<double> reference::dequantizeLinear(const std::vector<double> &q,
                                                const std::vector<int64_t> &shape,
                                                const AffineParams &p) {
  std::vector<double> y(q.size());
  for (size_t i = 0; i < q.size(); ++i) {
    size_t c = p.indexOf(i, shape);
    y[i] = numerics::dequantizeLinear(numerics::roundToInt64(q[i]), p.scale[c], p.zeroPoint[c]);
  }
  return y;
}

static int64_t multOf(const std::vector<int64_t> &mult, int64_t n) {
  if (mult.empty())
    return 1;
  return mult.size() == 1 ? mult[0] : mult[size_t(n)];
}

static int64_t postBiasOf(const std::vector<int64_t> &postBias, int64_t n) {
  return postBias.empty() ? 0 : postBias[size_t(n)];
}

std::vector<int64_t> reference::qdenseMult(const std::vector<int64_t> &x,
                                           const std::vector<int64_t> &W,
                                           const std::vector<int64_t> &b, int64_t N, int64_t K,
                                           const std::vector<int64_t> &mult, int shift, int width,
                                           const std::vector<int64_t> &postBias) {
  // x may hold several rows (batch): each row of K codes gives N outputs.
  std::vector<int64_t> y;
  for (size_t row = 0; row + size_t(K) <= x.size(); row += size_t(K)) {
    std::vector<int64_t> xr(x.begin() + long(row), x.begin() + long(row + size_t(K)));
    std::vector<int64_t> acc = qdenseAcc(xr, W, b, N, K);
    for (int64_t n = 0; n < N; ++n)
      y.push_back(numerics::requantizeMult(acc[size_t(n)], multOf(mult, n), shift, width,
                                           postBiasOf(postBias, n)));
  }
  return y;
}

std::vector<int64_t> reference::qconvMult(const std::vector<int64_t> &x, const QFmap &in,
                                          const std::vector<int64_t> &w,
                                          const std::vector<int64_t> &b, int64_t OC,
                                          const QWindow &win, int64_t groups,
                                          const std::vector<int64_t> &mult, int shift, int width,
                                          const std::vector<int64_t> &postBias) {
  std::vector<int64_t> acc = qconvAcc(x, in, w, b, OC, win, groups);
  for (size_t i = 0; i < acc.size(); ++i) { // NHWC: the channel is innermost
    int64_t c = int64_t(i % size_t(OC));
    acc[i] = numerics::requantizeMult(acc[i], multOf(mult, c), shift, width, postBiasOf(postBias, c));
  }
  return acc;
}

std::vector<int64_t> reference::qsign(const std::vector<int64_t> &c) {
  std::vector<int64_t> y(c.size());
  for (size_t i = 0; i < c.size(); ++i)
    y[i] = c[i] >= 0 ? 1 : -1;
  return y;
}

std::vector<int64_t> reference::qaddScaled(const std::vector<int64_t> &a,
                                           const std::vector<int64_t> &b, int64_t ma, int64_t mb,
                                           int shift, int width) {
  std::vector<int64_t> y(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    y[i] = numerics::scaledAdd(a[i], ma, b[i], mb, shift, width);
  return y;
}
