//===- ConvKernels.cpp - Float reference kernels, convolutional path ------===//
#include "compiler/reference/ConvKernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace loom {
namespace reference {

//===----------------------------------------------------------------------===//
// Layout helpers
//===----------------------------------------------------------------------===//

Shape channelsLastShape(const Shape &s) {
  if (s.size() < 2)
    return s;
  Shape r;
  r.push_back(s[0]);
  r.insert(r.end(), s.begin() + 2, s.end());
  r.push_back(s[1]);
  return r;
}

Shape channelsFirstShape(const Shape &s) {
  if (s.size() < 2)
    return s;
  Shape r;
  r.push_back(s[0]);
  r.push_back(s.back());
  r.insert(r.end(), s.begin() + 1, s.end() - 1);
  return r;
}

template <typename T>
std::vector<T> toChannelsLast(const std::vector<T> &x, const Shape &s) {
  if (s.size() < 2)
    return x;
  int64_t N = s[0], C = s[1], S = 1;
  for (size_t i = 2; i < s.size(); ++i)
    S *= s[i];
  std::vector<T> y(x.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < S; ++p)
        y[size_t((n * S + p) * C + c)] = x[size_t((n * C + c) * S + p)];
  return y;
}

template <typename T>
std::vector<T> toChannelsFirst(const std::vector<T> &x, const Shape &s) {
  if (s.size() < 2)
    return x;
  int64_t N = s[0], C = s.back(), S = 1;
  for (size_t i = 1; i + 1 < s.size(); ++i)
    S *= s[i];
  std::vector<T> y(x.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < S; ++p)
        y[size_t((n * C + c) * S + p)] = x[size_t((n * S + p) * C + c)];
  return y;
}

template <typename T>
std::vector<T> nchwToNhwc(const std::vector<T> &x, int64_t N, int64_t C,
                          int64_t H, int64_t W) {
  return toChannelsLast(x, Shape{N, C, H, W});
}

template <typename T>
std::vector<T> nhwcToNchw(const std::vector<T> &x, int64_t N, int64_t H,
                          int64_t W, int64_t C) {
  return toChannelsFirst(x, Shape{N, H, W, C});
}

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

static int64_t at1(const Shape &v, size_t i) {
  return i < v.size() ? v[i] : 1;
}

std::vector<int64_t> resolvePads(const Shape &inSpatial, const Shape &kernel,
                                 const Shape &strides, const Shape &dilations,
                                 AutoPad autoPad,
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
      int64_t total =
          std::max<int64_t>(0, (out - 1) * s + (kk - 1) * d + 1 - inSpatial[i]);
      int64_t b = autoPad == AutoPad::SameUpper ? total / 2 : (total + 1) / 2;
      r[i] = b;
      r[i + k] = total - b;
    }
    break;
  }
  return r;
}

int64_t windowOutSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb,
                      int64_t pe, bool ceilMode) {
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

bool makeGeometry(const Shape &xShape, const Shape &kernel,
                  const WindowParams &p, Geometry &g) {
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
  if (p.autoPad == AutoPad::NotSet && !p.pads.empty() &&
      p.pads.size() != 2 * g.k)
    return false;
  g.pads = resolvePads(g.in, g.kernel, g.strides, g.dilations, p.autoPad,
                       p.pads);
  g.out.resize(g.k);
  for (size_t i = 0; i < g.k; ++i) {
    if (g.strides[i] <= 0 || g.dilations[i] <= 0 || g.kernel[i] <= 0)
      return false;
    g.out[i] = windowOutSize(g.in[i], g.kernel[i], g.strides[i],
                             g.dilations[i], g.pads[i], g.pads[i + g.k],
                             p.ceilMode);
    g.inSize *= g.in[i];
    g.outSize *= g.out[i];
    g.kernelSize *= g.kernel[i];
  }
  return true;
}

// Multi-index decode of a flat index over `dims`.
void decode(int64_t flat, const Shape &dims, std::vector<int64_t> &idx) {
  idx.resize(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    idx[i] = flat % dims[i];
    flat /= dims[i];
  }
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
bool conv(const std::vector<T> &x, const Shape &xShape,
          const std::vector<T> &w, const Shape &wShape,
          const std::vector<T> &b, const WindowParams &p, std::vector<T> &y,
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
  if (int64_t(x.size()) != numElements(xShape) ||
      int64_t(w.size()) != numElements(wShape))
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
static bool poolImpl(const std::vector<T> &x, const Shape &xShape,
                     const WindowParams &p, bool isMax, std::vector<T> &y,
                     Shape &yShape) {
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
bool maxPool(const std::vector<T> &x, const Shape &xShape,
             const WindowParams &p, std::vector<T> &y, Shape &yShape) {
  return poolImpl(x, xShape, p, true, y, yShape);
}

template <typename T>
bool averagePool(const std::vector<T> &x, const Shape &xShape,
                 const WindowParams &p, std::vector<T> &y, Shape &yShape) {
  return poolImpl(x, xShape, p, false, y, yShape);
}

template <typename T>
static bool globalPoolImpl(const std::vector<T> &x, const Shape &xShape,
                           bool isMax, std::vector<T> &y, Shape &yShape) {
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
bool globalAveragePool(const std::vector<T> &x, const Shape &xShape,
                       std::vector<T> &y, Shape &yShape) {
  return globalPoolImpl(x, xShape, false, y, yShape);
}

template <typename T>
bool globalMaxPool(const std::vector<T> &x, const Shape &xShape,
                   std::vector<T> &y, Shape &yShape) {
  return globalPoolImpl(x, xShape, true, y, yShape);
}

//===----------------------------------------------------------------------===//
// Pad / Concat / Resize / Transpose
//===----------------------------------------------------------------------===//

bool parsePadMode(const std::string &s, PadMode &out) {
  if (s.empty() || s == "constant")
    out = PadMode::Constant;
  else if (s == "reflect")
    out = PadMode::Reflect;
  else if (s == "edge")
    out = PadMode::Edge;
  else if (s == "wrap")
    out = PadMode::Wrap;
  else
    return false;
  return true;
}

// Source coordinate of padded coordinate c (relative to the input start)
// along an axis of size n; -1 means "the constant".
static int64_t padSource(int64_t c, int64_t n, PadMode mode) {
  if (c >= 0 && c < n)
    return c;
  switch (mode) {
  case PadMode::Constant:
    return -1;
  case PadMode::Edge:
    return c < 0 ? 0 : n - 1;
  case PadMode::Wrap:
    return ((c % n) + n) % n;
  case PadMode::Reflect: {
    if (n == 1)
      return 0;
    int64_t period = 2 * (n - 1);
    int64_t m = ((c % period) + period) % period;
    return m < n ? m : period - m;
  }
  }
  return -1;
}

template <typename T>
bool pad(const std::vector<T> &x, const Shape &xShape,
         const std::vector<int64_t> &pads, PadMode mode, double value,
         std::vector<T> &y, Shape &yShape) {
  size_t r = xShape.size();
  if (pads.size() != 2 * r || int64_t(x.size()) != numElements(xShape))
    return false;
  Shape os(r);
  for (size_t i = 0; i < r; ++i) {
    os[i] = xShape[i] + pads[i] + pads[i + r];
    if (os[i] < 0)
      return false;
    int64_t kept = xShape[i] - std::max<int64_t>(0, -pads[i]) -
                   std::max<int64_t>(0, -pads[i + r]);
    if (kept < 0 || (mode != PadMode::Constant && kept == 0 && os[i] > 0))
      return false;
  }
  int64_t n = numElements(os);
  std::vector<T> res(static_cast<size_t>(n));
  std::vector<int64_t> idx;
  for (int64_t f = 0; f < n; ++f) {
    decode(f, os, idx);
    int64_t src = 0;
    bool isConst = false;
    for (size_t i = 0; i < r; ++i) {
      // Negative pads crop first; the (non-constant) modes then see the
      // cropped axis [cb, in - ce).
      int64_t cb = std::max<int64_t>(0, -pads[i]);
      int64_t ce = std::max<int64_t>(0, -pads[i + r]);
      int64_t c = padSource(idx[i] - std::max<int64_t>(0, pads[i]),
                            xShape[i] - cb - ce, mode);
      if (c < 0) {
        isConst = true;
        break;
      }
      src = src * xShape[i] + c + cb;
    }
    res[size_t(f)] = isConst ? T(value) : x[size_t(src)];
  }
  y = std::move(res);
  yShape = os;
  return true;
}

template <typename T>
bool concat(const std::vector<std::vector<T>> &xs,
            const std::vector<Shape> &shapes, int64_t axis, std::vector<T> &y,
            Shape &yShape) {
  if (xs.empty() || xs.size() != shapes.size())
    return false;
  int64_t r = int64_t(shapes[0].size());
  if (axis < 0)
    axis += r;
  if (axis < 0 || axis >= r)
    return false;
  Shape os = shapes[0];
  os[size_t(axis)] = 0;
  for (size_t t = 0; t < xs.size(); ++t) {
    if (int64_t(shapes[t].size()) != r ||
        int64_t(xs[t].size()) != numElements(shapes[t]))
      return false;
    for (int64_t i = 0; i < r; ++i)
      if (i != axis && shapes[t][size_t(i)] != shapes[0][size_t(i)])
        return false;
    os[size_t(axis)] += shapes[t][size_t(axis)];
  }
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= os[size_t(i)];
  for (int64_t i = axis + 1; i < r; ++i)
    inner *= os[size_t(i)];
  std::vector<T> res;
  res.reserve(size_t(numElements(os)));
  for (int64_t o = 0; o < outer; ++o)
    for (size_t t = 0; t < xs.size(); ++t) {
      int64_t chunk = shapes[t][size_t(axis)] * inner;
      res.insert(res.end(), xs[t].begin() + o * chunk,
                 xs[t].begin() + (o + 1) * chunk);
    }
  y = std::move(res);
  yShape = os;
  return true;
}

bool parseCoordMode(const std::string &s, CoordMode &out) {
  if (s.empty() || s == "half_pixel")
    out = CoordMode::HalfPixel;
  else if (s == "asymmetric")
    out = CoordMode::Asymmetric;
  else if (s == "align_corners")
    out = CoordMode::AlignCorners;
  else if (s == "pytorch_half_pixel")
    out = CoordMode::PytorchHalfPixel;
  else if (s == "tf_half_pixel_for_nn")
    out = CoordMode::TfHalfPixelForNN;
  else
    return false;
  return true;
}

bool parseNearestMode(const std::string &s, NearestMode &out) {
  if (s.empty() || s == "round_prefer_floor")
    out = NearestMode::RoundPreferFloor;
  else if (s == "round_prefer_ceil")
    out = NearestMode::RoundPreferCeil;
  else if (s == "floor")
    out = NearestMode::Floor;
  else if (s == "ceil")
    out = NearestMode::Ceil;
  else
    return false;
  return true;
}

int64_t nearestSourceIndex(int64_t o, int64_t in, int64_t out, double scale,
                           CoordMode cm, NearestMode nm) {
  double xo = double(o);
  double xi = 0.0;
  switch (cm) {
  case CoordMode::HalfPixel:
    xi = (xo + 0.5) / scale - 0.5;
    break;
  case CoordMode::Asymmetric:
    xi = xo / scale;
    break;
  case CoordMode::AlignCorners:
    xi = out == 1 ? 0.0 : xo * double(in - 1) / double(out - 1);
    break;
  case CoordMode::PytorchHalfPixel:
    xi = out > 1 ? (xo + 0.5) / scale - 0.5 : 0.0;
    break;
  case CoordMode::TfHalfPixelForNN:
    xi = (xo + 0.5) / scale;
    break;
  }
  double r = 0.0;
  switch (nm) {
  case NearestMode::RoundPreferFloor:
    r = (xi - std::floor(xi) == 0.5) ? std::floor(xi) : std::round(xi);
    break;
  case NearestMode::RoundPreferCeil:
    r = (xi - std::floor(xi) == 0.5) ? std::ceil(xi) : std::round(xi);
    break;
  case NearestMode::Floor:
    r = std::floor(xi);
    break;
  case NearestMode::Ceil:
    r = std::ceil(xi);
    break;
  }
  int64_t i = int64_t(r);
  return std::min(std::max<int64_t>(i, 0), in - 1);
}

Shape resizeOutShape(const Shape &xShape, const std::vector<double> &scales) {
  Shape os(xShape.size());
  for (size_t i = 0; i < xShape.size(); ++i)
    os[i] = int64_t(std::floor(double(xShape[i]) *
                               (i < scales.size() ? scales[i] : 1.0)));
  return os;
}

template <typename T>
bool resizeNearest(const std::vector<T> &x, const Shape &xShape,
                   const Shape &outShape, const std::vector<double> &scales,
                   CoordMode cm, NearestMode nm, std::vector<T> &y) {
  size_t r = xShape.size();
  if (outShape.size() != r || (!scales.empty() && scales.size() != r) ||
      int64_t(x.size()) != numElements(xShape))
    return false;
  // Per-axis source index tables.
  std::vector<std::vector<int64_t>> src(r);
  for (size_t a = 0; a < r; ++a) {
    if (xShape[a] <= 0 && outShape[a] > 0)
      return false;
    double s = scales.empty() ? double(outShape[a]) / double(xShape[a])
                              : scales[a];
    src[a].resize(size_t(outShape[a]));
    for (int64_t o = 0; o < outShape[a]; ++o)
      src[a][size_t(o)] = nearestSourceIndex(o, xShape[a], outShape[a], s, cm, nm);
  }
  int64_t n = numElements(outShape);
  std::vector<T> res(static_cast<size_t>(n));
  std::vector<int64_t> idx;
  for (int64_t f = 0; f < n; ++f) {
    decode(f, outShape, idx);
    int64_t s = 0;
    for (size_t a = 0; a < r; ++a)
      s = s * xShape[a] + src[a][size_t(idx[a])];
    res[size_t(f)] = x[size_t(s)];
  }
  y = std::move(res);
  return true;
}

template <typename T>
bool upsampleNearest(const std::vector<T> &x, const Shape &xShape,
                     const std::vector<double> &scales, std::vector<T> &y,
                     Shape &yShape) {
  if (scales.size() != xShape.size())
    return false;
  Shape os = resizeOutShape(xShape, scales);
  std::vector<T> res;
  if (!resizeNearest(x, xShape, os, scales, CoordMode::Asymmetric,
                     NearestMode::Floor, res))
    return false;
  y = std::move(res);
  yShape = os;
  return true;
}

template <typename T>
bool transpose(const std::vector<T> &x, const Shape &xShape,
               const std::vector<int64_t> &permIn, std::vector<T> &y,
               Shape &yShape) {
  size_t r = xShape.size();
  std::vector<int64_t> perm = permIn;
  if (perm.empty())
    for (size_t i = 0; i < r; ++i)
      perm.push_back(int64_t(r - 1 - i));
  if (perm.size() != r || int64_t(x.size()) != numElements(xShape))
    return false;
  std::vector<bool> seen(r, false);
  Shape os(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t p = perm[i] < 0 ? perm[i] + int64_t(r) : perm[i];
    if (p < 0 || p >= int64_t(r) || seen[size_t(p)])
      return false;
    seen[size_t(p)] = true;
    perm[i] = p;
    os[i] = xShape[size_t(p)];
  }
  // Input strides.
  std::vector<int64_t> st(r, 1);
  for (size_t i = r; i-- > 1;)
    st[i - 1] = st[i] * xShape[i];
  int64_t n = numElements(os);
  std::vector<T> res(static_cast<size_t>(n));
  std::vector<int64_t> idx;
  for (int64_t f = 0; f < n; ++f) {
    decode(f, os, idx);
    int64_t s = 0;
    for (size_t i = 0; i < r; ++i)
      s += idx[i] * st[size_t(perm[i])];
    res[size_t(f)] = x[size_t(s)];
  }
  y = std::move(res);
  yShape = os;
  return true;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename T>
std::vector<T> clip(const std::vector<T> &x, double lo, double hi) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double v = double(x[i]);
    y[i] = T(std::min(std::max(v, lo), hi));
  }
  return y;
}

template <typename T>
std::vector<T> leakyRelu(const std::vector<T> &x, double alpha) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = x[i] >= T(0) ? x[i] : T(alpha * double(x[i]));
  return y;
}

template <typename T>
std::vector<T> elu(const std::vector<T> &x, double alpha) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = x[i] >= T(0) ? x[i] : T(alpha * std::expm1(double(x[i])));
  return y;
}

template <typename T>
std::vector<T> selu(const std::vector<T> &x, double alpha, double gamma) {
  std::vector<T> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double v = double(x[i]);
    y[i] = T(v > 0 ? gamma * v : gamma * alpha * std::expm1(v));
  }
  return y;
}

// Elementwise binary op with numpy broadcasting.
template <typename T, typename F>
static bool broadcastBinary(const std::vector<T> &a, const Shape &aShape,
                            const std::vector<T> &b, const Shape &bShape,
                            std::vector<T> &out, Shape &outShape, F f) {
  Shape os;
  if (!broadcastShapes(aShape, bShape, os))
    return false;
  if (int64_t(a.size()) != numElements(aShape) ||
      int64_t(b.size()) != numElements(bShape))
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
bool prelu(const std::vector<T> &x, const Shape &xShape,
           const std::vector<T> &slope, const Shape &slopeShape,
           std::vector<T> &y) {
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
bool mulBroadcast(const std::vector<T> &a, const Shape &aShape,
                  const std::vector<T> &b, const Shape &bShape,
                  std::vector<T> &out, Shape &outShape) {
  return broadcastBinary(a, aShape, b, bShape, out, outShape,
                         [](double u, double v) { return u * v; });
}

template <typename T>
bool batchNorm(const std::vector<T> &x, const Shape &xShape,
               const std::vector<T> &scale, const std::vector<T> &bias,
               const std::vector<T> &mean, const std::vector<T> &var,
               double epsilon, std::vector<T> &y) {
  if (xShape.size() < 2 || int64_t(x.size()) != numElements(xShape))
    return false;
  int64_t N = xShape[0], C = xShape[1];
  size_t uc = size_t(C);
  if (scale.size() != uc || bias.size() != uc || mean.size() != uc ||
      var.size() != uc)
    return false;
  int64_t S = 1;
  for (size_t i = 2; i < xShape.size(); ++i)
    S *= xShape[i];
  std::vector<T> res(x.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      double k = double(scale[size_t(c)]) /
                 std::sqrt(double(var[size_t(c)]) + epsilon);
      double m = double(mean[size_t(c)]), bb = double(bias[size_t(c)]);
      for (int64_t p = 0; p < S; ++p) {
        size_t i = size_t((n * C + c) * S + p);
        res[i] = T((double(x[i]) - m) * k + bb);
      }
    }
  y = std::move(res);
  return true;
}

#define LOOM_INSTANTIATE(T)                                                    \
  template std::vector<T> toChannelsLast(const std::vector<T> &, const Shape &); \
  template std::vector<T> toChannelsFirst(const std::vector<T> &,              \
                                          const Shape &);                      \
  template std::vector<T> nchwToNhwc(const std::vector<T> &, int64_t, int64_t, \
                                     int64_t, int64_t);                        \
  template std::vector<T> nhwcToNchw(const std::vector<T> &, int64_t, int64_t, \
                                     int64_t, int64_t);                        \
  template bool conv(const std::vector<T> &, const Shape &,                    \
                     const std::vector<T> &, const Shape &,                    \
                     const std::vector<T> &, const WindowParams &,             \
                     std::vector<T> &, Shape &);                               \
  template bool maxPool(const std::vector<T> &, const Shape &,                 \
                        const WindowParams &, std::vector<T> &, Shape &);      \
  template bool averagePool(const std::vector<T> &, const Shape &,             \
                            const WindowParams &, std::vector<T> &, Shape &);  \
  template bool globalAveragePool(const std::vector<T> &, const Shape &,       \
                                  std::vector<T> &, Shape &);                  \
  template bool globalMaxPool(const std::vector<T> &, const Shape &,           \
                              std::vector<T> &, Shape &);                      \
  template bool pad(const std::vector<T> &, const Shape &,                     \
                    const std::vector<int64_t> &, PadMode, double,             \
                    std::vector<T> &, Shape &);                                \
  template bool concat(const std::vector<std::vector<T>> &,                    \
                       const std::vector<Shape> &, int64_t, std::vector<T> &,  \
                       Shape &);                                               \
  template bool resizeNearest(const std::vector<T> &, const Shape &,           \
                              const Shape &, const std::vector<double> &,      \
                              CoordMode, NearestMode, std::vector<T> &);       \
  template bool upsampleNearest(const std::vector<T> &, const Shape &,         \
                                const std::vector<double> &, std::vector<T> &, \
                                Shape &);                                      \
  template bool transpose(const std::vector<T> &, const Shape &,               \
                          const std::vector<int64_t> &, std::vector<T> &,      \
                          Shape &);                                            \
  template std::vector<T> clip(const std::vector<T> &, double, double);        \
  template std::vector<T> leakyRelu(const std::vector<T> &, double);           \
  template std::vector<T> elu(const std::vector<T> &, double);                 \
  template std::vector<T> selu(const std::vector<T> &, double, double);        \
  template bool prelu(const std::vector<T> &, const Shape &,                   \
                      const std::vector<T> &, const Shape &, std::vector<T> &); \
  template bool mulBroadcast(const std::vector<T> &, const Shape &,            \
                             const std::vector<T> &, const Shape &,            \
                             std::vector<T> &, Shape &);                       \
  template bool batchNorm(const std::vector<T> &, const Shape &,               \
                          const std::vector<T> &, const std::vector<T> &,      \
                          const std::vector<T> &, const std::vector<T> &,      \
                          double, std::vector<T> &);

LOOM_INSTANTIATE(float)
LOOM_INSTANTIATE(double)
#undef LOOM_INSTANTIATE

// Layout and data-movement kernels are also used on integer tensors (the
// quantized reference graph).
template std::vector<int64_t> nchwToNhwc(const std::vector<int64_t> &, int64_t, int64_t, int64_t,
                                         int64_t);
template std::vector<int64_t> nhwcToNchw(const std::vector<int64_t> &, int64_t, int64_t, int64_t,
                                         int64_t);
template bool concat(const std::vector<std::vector<int64_t>> &, const std::vector<Shape> &,
                     int64_t, std::vector<int64_t> &, Shape &);
template bool transpose(const std::vector<int64_t> &, const Shape &, const std::vector<int64_t> &,
                        std::vector<int64_t> &, Shape &);

} // namespace reference
} // namespace loom
