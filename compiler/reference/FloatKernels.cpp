//===- FloatKernels.cpp - Float reference kernels -------------------------===//
#include "compiler/reference/FloatKernels.h"

#include <algorithm>
#include <cmath>

namespace loom {
namespace reference {

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

void decode(int64_t flat, const Shape &dims, std::vector<int64_t> &idx) {
  idx.resize(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    idx[i] = flat % dims[i];
    flat /= dims[i];
  }
}

template <typename T>
std::vector<T> dense(const std::vector<T> &x, const std::vector<T> &W, const std::vector<T> &b,
                     int64_t N, int64_t K) {
  std::vector<T> y(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n) {
    double acc = b.empty() ? 0.0 : double(b[size_t(n)]);
    for (int64_t k = 0; k < K; ++k)
      acc += double(W[size_t(n * K + k)]) * double(x[size_t(k)]);
    y[size_t(n)] = T(acc);
  }
  return y;
}

template <typename T>
std::vector<T> matmul(const std::vector<T> &A, const std::vector<T> &B, int64_t M, int64_t K,
                      int64_t N) {
  std::vector<T> C(static_cast<size_t>(M * N));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k)
        acc += double(A[size_t(m * K + k)]) * double(B[size_t(k * N + n)]);
      C[size_t(m * N + n)] = T(acc);
    }
  return C;
}

bool broadcastShapes(const Shape &a, const Shape &b, Shape &out) {
  size_t r = std::max(a.size(), b.size());
  Shape res(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      return false;
    res[i] = da == 1 ? db : da;
  }
  out = res;
  return true;
}

// Flat index into a tensor of shape `src` (right-aligned against `dst`,
// broadcast dims of size 1) for the multi-index `idx` of `dst`.
static int64_t broadcastIndex(const Shape &src, const Shape &dst, const std::vector<int64_t> &idx) {
  int64_t flat = 0;
  size_t off = dst.size() - src.size();
  for (size_t i = 0; i < src.size(); ++i) {
    int64_t d = src[i];
    int64_t v = d == 1 ? 0 : idx[i + off];
    flat = flat * d + v;
  }
  return flat;
}

template <typename T>
bool addBroadcast(const std::vector<T> &a, const Shape &aShape, const std::vector<T> &b,
                  const Shape &bShape, std::vector<T> &out, Shape &outShape) {
  Shape os;
  if (!broadcastShapes(aShape, bShape, os))
    return false;
  int64_t n = numElements(os);
  std::vector<T> res(static_cast<size_t>(n));
  std::vector<int64_t> idx(os.size(), 0);
  for (int64_t f = 0; f < n; ++f) {
    res[size_t(f)] = T(double(a[size_t(broadcastIndex(aShape, os, idx))]) +
                       double(b[size_t(broadcastIndex(bShape, os, idx))]));
    for (size_t d = os.size(); d-- > 0;) {
      if (++idx[d] < os[d])
        break;
      idx[d] = 0;
    }
  }
  out = std::move(res);
  outShape = os;
  return true;
}

template <typename T>
std::vector<T> gemm(const std::vector<T> &A, const std::vector<T> &B, const std::vector<T> &C,
                    const Shape &cShape, int64_t M, int64_t K, int64_t N, bool transA, bool transB,
                    double alpha, double beta) {
  std::vector<T> Y(static_cast<size_t>(M * N));
  Shape yShape{M, N};
  std::vector<int64_t> idx(2);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        double a = double(transA ? A[size_t(k * M + m)] : A[size_t(m * K + k)]);
        double bb = double(transB ? B[size_t(n * K + k)] : B[size_t(k * N + n)]);
        acc += a * bb;
      }
      acc *= alpha;
      if (!C.empty()) {
        idx[0] = m;
        idx[1] = n;
        acc += beta * double(C[size_t(broadcastIndex(cShape, yShape, idx))]);
      }
      Y[size_t(m * N + n)] = T(acc);
    }
  return Y;
}

template <typename T> std::vector<T> relu(const std::vector<T> &x) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = x[i] > T(0) ? x[i] : T(0);
  return y;
}

template <typename T> std::vector<T> sigmoid(const std::vector<T> &x) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = T(1.0 / (1.0 + std::exp(-double(x[i]))));
  return y;
}

template <typename T> std::vector<T> tanhT(const std::vector<T> &x) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = T(std::tanh(double(x[i])));
  return y;
}

template <typename T> std::vector<T> softmax(const std::vector<T> &x, int64_t axisSize) {
  std::vector<T> y(x.size());
  if (axisSize <= 0)
    return y;
  for (size_t g = 0; g + size_t(axisSize) <= x.size(); g += size_t(axisSize)) {
    double m = double(x[g]);
    for (int64_t i = 1; i < axisSize; ++i)
      m = std::max(m, double(x[g + size_t(i)]));
    double s = 0.0;
    std::vector<double> e(static_cast<size_t>(axisSize));
    for (int64_t i = 0; i < axisSize; ++i) {
      e[size_t(i)] = std::exp(double(x[g + size_t(i)]) - m);
      s += e[size_t(i)];
    }
    for (int64_t i = 0; i < axisSize; ++i)
      y[g + size_t(i)] = T(e[size_t(i)] / s);
  }
  return y;
}

template <typename T> std::vector<T> add(const std::vector<T> &a, const std::vector<T> &b) {
  std::vector<T> y(std::min(a.size(), b.size()));
  for (size_t i = 0; i < y.size(); ++i)
    y[i] = a[i] + b[i];
  return y;
}

template <typename T> std::vector<T> transpose2D(const std::vector<T> &x, int64_t R, int64_t C) {
  std::vector<T> y(static_cast<size_t>(R * C));
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c)
      y[size_t(c * R + r)] = x[size_t(r * C + c)];
  return y;
}

template <typename T>
std::vector<T> layerNorm(const std::vector<T> &x, int64_t C, const std::vector<double> &gamma,
                         const std::vector<double> &beta, double eps, bool rms) {
  std::vector<T> y(x.size());
  for (size_t r = 0; r + size_t(C) <= x.size(); r += size_t(C)) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < C; ++i)
      mean += double(x[r + i]);
    mean = rms ? 0.0 : mean / double(C); // RMSNorm: the root mean square
    for (int64_t i = 0; i < C; ++i)
      var += (double(x[r + i]) - mean) * (double(x[r + i]) - mean);
    var /= double(C);
    double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t i = 0; i < C; ++i)
      y[r + i] = T((double(x[r + i]) - mean) * inv * gamma[i] + beta[i]);
  }
  return y;
}

#define LOOM_INSTANTIATE(T)                                                                        \
  template std::vector<T> dense(const std::vector<T> &, const std::vector<T> &,                    \
                                const std::vector<T> &, int64_t, int64_t);                         \
  template std::vector<T> matmul(const std::vector<T> &, const std::vector<T> &, int64_t, int64_t, \
                                 int64_t);                                                         \
  template std::vector<T> gemm(const std::vector<T> &, const std::vector<T> &,                     \
                               const std::vector<T> &, const Shape &, int64_t, int64_t, int64_t,   \
                               bool, bool, double, double);                                        \
  template std::vector<T> relu(const std::vector<T> &);                                            \
  template std::vector<T> sigmoid(const std::vector<T> &);                                         \
  template std::vector<T> tanhT(const std::vector<T> &);                                           \
  template std::vector<T> softmax(const std::vector<T> &, int64_t);                                \
  template std::vector<T> layerNorm(const std::vector<T> &, int64_t, const std::vector<double> &,  \
                                    const std::vector<double> &, double, bool);                    \
  template std::vector<T> add(const std::vector<T> &, const std::vector<T> &);                     \
  template bool addBroadcast(const std::vector<T> &, const Shape &, const std::vector<T> &,        \
                             const Shape &, std::vector<T> &, Shape &);                            \
  template std::vector<T> transpose2D(const std::vector<T> &, int64_t, int64_t);

LOOM_INSTANTIATE(float)
LOOM_INSTANTIATE(double)
#undef LOOM_INSTANTIATE

} // namespace reference
} // namespace loom
