//===- ConvKernels.cpp - Float reference kernels, conv and pooling ---------===//
#include "compiler/reference/ConvKernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace loom {
namespace reference {

//===----------------------------------------------------------------------===//
// Windows
//===----------------------------------------------------------------------===//

bool parseAutoPad(const std::string &s, AutoPad &out) {
  if (s.empty() || s == "NOTSET")
    out = AutoPad::NotSet;
  else if (s == "SAME_UPPER")
    out = AutoPad::SameUpper;
  else if (s == "SAME_LOWER")
    out = AutoPad::SameLower;
  else if (s == "VALID")
    out = AutoPad::Valid;
  else
    return false;
  return true;
}

static int64_t at1(const Shape &v, size_t i) { return i < v.size() ? v[i] : 1; }

std::vector<int64_t> resolvePads(const Shape &inSpatial, const Shape &kernel, const Shape &strides,
                                 const Shape &dilations, AutoPad autoPad,
                                 const std::vector<int64_t> &pads) {
  size_t k = inSpatial.size();
  std::vector<int64_t> r(2 * k, 0);
  switch (autoPad) {
  case AutoPad::NotSet:
    for (size_t i = 0; i < 2 * k && i < pads.size(); ++i)
      r[i] = pads[i];
    break;
  case AutoPad::Valid:
    break;
  case AutoPad::SameUpper:
  case AutoPad::SameLower:
    for (size_t i = 0; i < k; ++i) {
      int64_t s = at1(strides, i), d = at1(dilations, i);
      int64_t kk = i < kernel.size() ? kernel[i] : 1;
      int64_t out = (inSpatial[i] + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + (kk - 1) * d + 1 - inSpatial[i]);
      int64_t b = autoPad == AutoPad::SameUpper ? total / 2 : (total + 1) / 2;
      r[i] = b;
      r[i + k] = total - b;
    }
    break;
  }
  return r;
}

int64_t windowOutSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe,
                      bool ceilMode) {
  int64_t n = in + pb + pe - ((k - 1) * d + 1);
  if (n < 0 || s <= 0)
    return 0;
  if (!ceilMode)
    return n / s + 1;
  int64_t out = (n + s - 1) / s + 1;
  if ((out - 1) * s >= in + pb)
    --out;
  return out;
}

namespace {
// Resolved window geometry over k spatial dims.
struct Geometry {
  size_t k = 0;
  Shape in, kernel, strides, dilations, out;
  std::vector<int64_t> pads;
  int64_t inSize = 1, outSize = 1, kernelSize = 1;
};

bool makeGeometry(const Shape &xShape, const Shape &kernel, const WindowParams &p, Geometry &g) {
  if (xShape.size() < 3)
    return false;
  g.k = xShape.size() - 2;
  g.in.assign(xShape.begin() + 2, xShape.end());
  if (kernel.size() != g.k)
    return false;
  g.kernel = kernel;
  g.strides.assign(g.k, 1);
  g.dilations.assign(g.k, 1);
  if (!p.strides.empty()) {
    if (p.strides.size() != g.k)
      return false;
    g.strides = p.strides;
  }
  if (!p.dilations.empty()) {
    if (p.dilations.size() != g.k)
      return false;
    g.dilations = p.dilations;
  }
  if (p.autoPad == AutoPad::NotSet && !p.pads.empty() && p.pads.size() != 2 * g.k)
    return false;
  g.pads = resolvePads(g.in, g.kernel, g.strides, g.dilations, p.autoPad, p.pads);
  g.out.resize(g.k);
  for (size_t i = 0; i < g.k; ++i) {
    if (g.strides[i] <= 0 || g.dilations[i] <= 0 || g.kernel[i] <= 0)
      return false;
    g.out[i] = windowOutSize(g.in[i], g.kernel[i], g.strides[i], g.dilations[i], g.pads[i],
                             g.pads[i + g.k], p.ceilMode);
    g.inSize *= g.in[i];
    g.outSize *= g.out[i];
    g.kernelSize *= g.kernel[i];
  }
  return true;
}

// For output pixel `o` and kernel offset `kk`, the input flat spatial index
// (or -1 if outside the input); `inPad` tells whether the position is inside
// the padded extent [-pb, in + pe).
int64_t windowInput(const Geometry &g, const std::vector<int64_t> &o,
                    const std::vector<int64_t> &kk, bool *inPad = nullptr) {
  int64_t flat = 0;
  bool inside = true, padded = true;
  for (size_t i = 0; i < g.k; ++i) {
    int64_t c = o[i] * g.strides[i] - g.pads[i] + kk[i] * g.dilations[i];
    if (c < 0 || c >= g.in[i])
      inside = false;
    if (c < -g.pads[i] || c >= g.in[i] + g.pads[i + g.k])
      padded = false;
    flat = flat * g.in[i] + c;
  }
  if (inPad)
    *inPad = padded;
  return inside ? flat : -1;
}
} // namespace

template <typename T>
bool conv(const std::vector<T> &x, const Shape &xShape, const std::vector<T> &w,
          const Shape &wShape, const std::vector<T> &b, const WindowParams &p, std::vector<T> &y,
          Shape &yShape) {
  if (xShape.size() < 3 || wShape.size() != xShape.size())
    return false;
  Shape kernel(wShape.begin() + 2, wShape.end());
  if (!p.kernel.empty() && p.kernel != kernel)
    return false;
  Geometry g;
  if (!makeGeometry(xShape, kernel, p, g))
    return false;
  int64_t N = xShape[0], C = xShape[1], M = wShape[0], G = p.group;
  if (G <= 0 || C % G != 0 || M % G != 0 || wShape[1] != C / G)
    return false;
  if (!b.empty() && int64_t(b.size()) != M)
    return false;
  if (int64_t(x.size()) != numElements(xShape) || int64_t(w.size()) != numElements(wShape))
    return false;
  int64_t Cg = C / G, Mg = M / G;
  Shape os{N, M};
  os.insert(os.end(), g.out.begin(), g.out.end());
  std::vector<T> res(size_t(numElements(os)));
  // Precompute the input offset of every (output pixel, kernel offset).
  std::vector<int64_t> o, kk;
  std::vector<int64_t> table(size_t(g.outSize * g.kernelSize));
  for (int64_t op = 0; op < g.outSize; ++op) {
    decode(op, g.out, o);
    for (int64_t kp = 0; kp < g.kernelSize; ++kp) {
      decode(kp, g.kernel, kk);
      table[size_t(op * g.kernelSize + kp)] = windowInput(g, o, kk);
    }
  }
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) {
      int64_t grp = m / Mg;
      for (int64_t op = 0; op < g.outSize; ++op) {
        double acc = b.empty() ? 0.0 : double(b[size_t(m)]);
        for (int64_t c = 0; c < Cg; ++c) {
          const T *xc = &x[size_t((n * C + grp * Cg + c) * g.inSize)];
          const T *wc = &w[size_t((m * Cg + c) * g.kernelSize)];
          for (int64_t kp = 0; kp < g.kernelSize; ++kp) {
            int64_t ip = table[size_t(op * g.kernelSize + kp)];
            if (ip >= 0)
              acc += double(xc[ip]) * double(wc[kp]);
          }
        }
        res[size_t((n * M + m) * g.outSize + op)] = T(acc);
      }
    }
  y = std::move(res);
  yShape = os;
  return true;
}

template <typename T>
static bool poolImpl(const std::vector<T> &x, const Shape &xShape, const WindowParams &p,
                     bool isMax, std::vector<T> &y, Shape &yShape) {
  Geometry g;
  if (!makeGeometry(xShape, p.kernel, p, g))
    return false;
  if (int64_t(x.size()) != numElements(xShape))
    return false;
  int64_t NC = xShape[0] * xShape[1];
  Shape os{xShape[0], xShape[1]};
  os.insert(os.end(), g.out.begin(), g.out.end());
  std::vector<T> res(size_t(numElements(os)));
  std::vector<int64_t> o, kk;
  std::vector<int64_t> table(size_t(g.outSize * g.kernelSize));
  std::vector<int64_t> divisor(size_t(g.outSize));
  for (int64_t op = 0; op < g.outSize; ++op) {
    decode(op, g.out, o);
    int64_t nValid = 0, nPad = 0;
    for (int64_t kp = 0; kp < g.kernelSize; ++kp) {
      decode(kp, g.kernel, kk);
      bool inPad = false;
      int64_t ip = windowInput(g, o, kk, &inPad);
      table[size_t(op * g.kernelSize + kp)] = ip;
      nValid += ip >= 0;
      nPad += inPad;
    }
    divisor[size_t(op)] = p.countIncludePad ? nPad : nValid;
  }
  for (int64_t nc = 0; nc < NC; ++nc) {
    const T *xc = &x[size_t(nc * g.inSize)];
    for (int64_t op = 0; op < g.outSize; ++op) {
      double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
      for (int64_t kp = 0; kp < g.kernelSize; ++kp) {
        int64_t ip = table[size_t(op * g.kernelSize + kp)];
        if (ip < 0)
          continue;
        if (isMax)
          acc = std::max(acc, double(xc[ip]));
        else
          acc += double(xc[ip]);
      }
      if (!isMax) {
        int64_t d = divisor[size_t(op)];
        acc = d > 0 ? acc / double(d) : 0.0;
      }
      res[size_t(nc * g.outSize + op)] = T(acc);
    }
  }
  y = std::move(res);
  yShape = os;
  return true;
}

template <typename T>
bool maxPool(const std::vector<T> &x, const Shape &xShape, const WindowParams &p, std::vector<T> &y,
             Shape &yShape) {
  return poolImpl(x, xShape, p, true, y, yShape);
}

template <typename T>
bool averagePool(const std::vector<T> &x, const Shape &xShape, const WindowParams &p,
                 std::vector<T> &y, Shape &yShape) {
  return poolImpl(x, xShape, p, false, y, yShape);
}

template <typename T>
static bool globalPoolImpl(const std::vector<T> &x, const Shape &xShape, bool isMax,
                           std::vector<T> &y, Shape &yShape) {
  if (xShape.size() < 2 || int64_t(x.size()) != numElements(xShape))
    return false;
  int64_t NC = xShape[0] * xShape[1];
  int64_t S = NC == 0 ? 0 : int64_t(x.size()) / NC;
  std::vector<T> res(static_cast<size_t>(NC));
  for (int64_t nc = 0; nc < NC; ++nc) {
    double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
    for (int64_t i = 0; i < S; ++i) {
      double v = double(x[size_t(nc * S + i)]);
      acc = isMax ? std::max(acc, v) : acc + v;
    }
    res[size_t(nc)] = T(isMax ? acc : (S > 0 ? acc / double(S) : 0.0));
  }
  Shape os = xShape;
  for (size_t i = 2; i < os.size(); ++i)
    os[i] = 1;
  y = std::move(res);
  yShape = os;
  return true;
}

template <typename T>
bool globalAveragePool(const std::vector<T> &x, const Shape &xShape, std::vector<T> &y,
                       Shape &yShape) {
  return globalPoolImpl(x, xShape, false, y, yShape);
}

template <typename T>
bool globalMaxPool(const std::vector<T> &x, const Shape &xShape, std::vector<T> &y, Shape &yShape) {
  return globalPoolImpl(x, xShape, true, y, yShape);
}

#define LOOM_INSTANTIATE(T)                                                                        \
  template bool conv(const std::vector<T> &, const Shape &, const std::vector<T> &, const Shape &, \
                     const std::vector<T> &, const WindowParams &, std::vector<T> &, Shape &);     \
  template bool maxPool(const std::vector<T> &, const Shape &, const WindowParams &,               \
                        std::vector<T> &, Shape &);                                                \
  template bool averagePool(const std::vector<T> &, const Shape &, const WindowParams &,           \
                            std::vector<T> &, Shape &);                                            \
  template bool globalAveragePool(const std::vector<T> &, const Shape &, std::vector<T> &,         \
                                  Shape &);                                                        \
  template bool globalMaxPool(const std::vector<T> &, const Shape &, std::vector<T> &, Shape &);

LOOM_INSTANTIATE(float)
LOOM_INSTANTIATE(double)
#undef LOOM_INSTANTIATE

} // namespace reference
} // namespace loom
