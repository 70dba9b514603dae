//===- QuantKernels.cpp - Bit-exact quantized reference kernels -----------===//
#include "compiler/reference/QuantKernels.h"

#include <algorithm>
#include <cassert>

namespace loom {
namespace reference {

using namespace numerics;

std::vector<int64_t> qdenseAcc(const std::vector<int64_t> &x, const std::vector<int64_t> &W,
                               const std::vector<int64_t> &b, int64_t N, int64_t K) {
  assert(int64_t(W.size()) == N * K && int64_t(x.size()) >= K);
  std::vector<int64_t> acc(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n) {
    // Wrap-around (unsigned) arithmetic: exact when the accumulator width
    // fits 64 bits, and well-defined otherwise.
    uint64_t a = b.empty() ? 0 : uint64_t(b[size_t(n)]);
    for (int64_t k = 0; k < K; ++k)
      a += uint64_t(x[size_t(k)]) * uint64_t(W[size_t(n * K + k)]);
    acc[size_t(n)] = int64_t(a);
  }
  return acc;
}

std::vector<int64_t> qdense(const std::vector<int64_t> &x, const std::vector<int64_t> &W,
                            const std::vector<int64_t> &b, int64_t N, int64_t K, int shift,
                            int outWidth) {
  std::vector<int64_t> y = qdenseAcc(x, W, b, N, K);
  for (int64_t &v : y)
    v = requantize(v, shift, outWidth);
  return y;
}

int64_t quantizeBias(double bias, int inFrac, int weightFrac) {
  return quantizeToScale(bias, inFrac + weightFrac);
}

std::vector<int64_t> qrelu(const std::vector<int64_t> &y) {
  std::vector<int64_t> r(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    r[i] = y[i] > 0 ? y[i] : 0;
  return r;
}

std::vector<int64_t> qtable(const std::vector<int64_t> &y, const ActTable &table) {
  std::vector<int64_t> r(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    r[i] = lookupAct(table, y[i]);
  return r;
}

std::vector<int64_t> qdenseAct(const std::vector<int64_t> &x, const std::vector<int64_t> &W,
                               const std::vector<int64_t> &b, int64_t N, int64_t K, int shift,
                               int outWidth, QAct act, const ActTable *table) {
  std::vector<int64_t> y = qdense(x, W, b, N, K, shift, outWidth);
  switch (act) {
  case QAct::None:
    return y;
  case QAct::Relu:
    return qrelu(y);
  case QAct::Table:
    assert(table && "QAct::Table needs a table");
    return qtable(y, *table);
  }
  return y;
}

std::vector<int64_t> qsoftmaxVector(const std::vector<int64_t> &y, const FixedFormat &fmt,
                                    const ExpTable &exp) {
  std::vector<int64_t> out(y.size());
  if (y.empty())
    return out;
  const int F = fmt.frac();
  int64_t m = *std::max_element(y.begin(), y.end());
  std::vector<int64_t> e(y.size());
  __int128 S = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    e[i] = lookupExp(exp, m - y[i]);
    S += e[i];
  }
  if (S == 0) // impossible with a contract table (EXP[0] = 2^15)
    return out;
  for (size_t i = 0; i < y.size(); ++i) {
    __int128 num = ((__int128)e[i] << F) + S / 2; // all terms >= 0: floor
    __int128 q = num / S;
    int64_t q64 = q > (__int128)INT64_MAX ? INT64_MAX : int64_t(q);
    out[i] = saturate(q64, fmt.width);
  }
  return out;
}

std::vector<int64_t> qsoftmax(const std::vector<int64_t> &y, int64_t axisSize,
                              const FixedFormat &fmt, const ExpTable &exp) {
  std::vector<int64_t> out(y.size());
  if (axisSize <= 0)
    return out;
  for (size_t g = 0; g + size_t(axisSize) <= y.size(); g += size_t(axisSize)) {
    std::vector<int64_t> v(y.begin() + g, y.begin() + g + axisSize);
    std::vector<int64_t> r = qsoftmaxVector(v, fmt, exp);
    std::copy(r.begin(), r.end(), out.begin() + g);
  }
  return out;
}

std::vector<int64_t> qsoftmax(const std::vector<int64_t> &y, int64_t axisSize,
                              const FixedFormat &fmt) {
  return qsoftmax(y, axisSize, fmt, makeExpTable(fmt));
}

std::vector<int64_t> qlayerNorm(const std::vector<int64_t> &x, const numerics::LayerNormParams &p) {
  std::vector<int64_t> y;
  y.reserve(x.size());
  for (size_t r = 0; r + size_t(p.C) <= x.size(); r += size_t(p.C)) {
    std::vector<int64_t> row(x.begin() + long(r), x.begin() + long(r + size_t(p.C)));
    std::vector<int64_t> out = numerics::layerNormRow(p, row);
    y.insert(y.end(), out.begin(), out.end());
  }
  return y;
}

} // namespace reference
} // namespace loom
