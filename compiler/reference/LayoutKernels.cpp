//===- LayoutKernels.cpp - Float layout and data-movement kernels ----------===//
#include "compiler/reference/ConvKernels.h"

#include <algorithm>
#include <cmath>

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

template <typename T> std::vector<T> toChannelsLast(const std::vector<T> &x, const Shape &s) {
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

template <typename T> std::vector<T> toChannelsFirst(const std::vector<T> &x, const Shape &s) {
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
std::vector<T> nchwToNhwc(const std::vector<T> &x, int64_t N, int64_t C, int64_t H, int64_t W) {
  return toChannelsLast(x, Shape{N, C, H, W});
}

template <typename T>
std::vector<T> nhwcToNchw(const std::vector<T> &x, int64_t N, int64_t H, int64_t W, int64_t C) {
  return toChannelsFirst(x, Shape{N, H, W, C});
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
bool pad(const std::vector<T> &x, const Shape &xShape, const std::vector<int64_t> &pads,
         PadMode mode, double value, std::vector<T> &y, Shape &yShape) {
  size_t r = xShape.size();
  if (pads.size() != 2 * r || int64_t(x.size()) != numElements(xShape))
    return false;
  Shape os(r);
  for (size_t i = 0; i < r; ++i) {
    os[i] = xShape[i] + pads[i] + pads[i + r];
    if (os[i] < 0)
      return false;
    int64_t kept = xShape[i] - std::max<int64_t>(0, -pads[i]) - std::max<int64_t>(0, -pads[i + r]);
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
      int64_t c = padSource(idx[i] - std::max<int64_t>(0, pads[i]), xShape[i] - cb - ce, mode);
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
bool concat(const std::vector<std::vector<T>> &xs, const std::vector<Shape> &shapes, int64_t axis,
            std::vector<T> &y, Shape &yShape) {
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
    if (int64_t(shapes[t].size()) != r || int64_t(xs[t].size()) != numElements(shapes[t]))
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
      res.insert(res.end(), xs[t].begin() + o * chunk, xs[t].begin() + (o + 1) * chunk);
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

int64_t nearestSourceIndex(int64_t o, int64_t in, int64_t out, double scale, CoordMode cm,
                           NearestMode nm) {
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
    os[i] = int64_t(std::floor(double(xShape[i]) * (i < scales.size() ? scales[i] : 1.0)));
  return os;
}

template <typename T>
bool resizeNearest(const std::vector<T> &x, const Shape &xShape, const Shape &outShape,
                   const std::vector<double> &scales, CoordMode cm, NearestMode nm,
                   std::vector<T> &y) {
  size_t r = xShape.size();
  if (outShape.size() != r || (!scales.empty() && scales.size() != r) ||
      int64_t(x.size()) != numElements(xShape))
    return false;
  // Per-axis source index tables.
  std::vector<std::vector<int64_t>> src(r);
  for (size_t a = 0; a < r; ++a) {
    if (xShape[a] <= 0 && outShape[a] > 0)
      return false;
    double s = scales.empty() ? double(outShape[a]) / double(xShape[a]) : scales[a];
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
                     const std::vector<double> &scales, std::vector<T> &y, Shape &yShape) {
  if (scales.size() != xShape.size())
    return false;
  Shape os = resizeOutShape(xShape, scales);
  std::vector<T> res;
  if (!resizeNearest(x, xShape, os, scales, CoordMode::Asymmetric, NearestMode::Floor, res))
    return false;
  y = std::move(res);
  yShape = os;
  return true;
}

template <typename T>
bool transpose(const std::vector<T> &x, const Shape &xShape, const std::vector<int64_t> &permIn,
               std::vector<T> &y, Shape &yShape) {
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

#define LOOM_INSTANTIATE(T)                                                                        \
  template std::vector<T> toChannelsLast(const std::vector<T> &, const Shape &);                   \
  template std::vector<T> toChannelsFirst(const std::vector<T> &, const Shape &);                  \
  template std::vector<T> nchwToNhwc(const std::vector<T> &, int64_t, int64_t, int64_t, int64_t);  \
  template std::vector<T> nhwcToNchw(const std::vector<T> &, int64_t, int64_t, int64_t, int64_t);  \
  template bool pad(const std::vector<T> &, const Shape &, const std::vector<int64_t> &, PadMode,  \
                    double, std::vector<T> &, Shape &);                                            \
  template bool concat(const std::vector<std::vector<T>> &, const std::vector<Shape> &, int64_t,   \
                       std::vector<T> &, Shape &);                                                 \
  template bool resizeNearest(const std::vector<T> &, const Shape &, const Shape &,                \
                              const std::vector<double> &, CoordMode, NearestMode,                 \
                              std::vector<T> &);                                                   \
  template bool upsampleNearest(const std::vector<T> &, const Shape &,                             \
                                const std::vector<double> &, std::vector<T> &, Shape &);           \
  template bool transpose(const std::vector<T> &, const Shape &, const std::vector<int64_t> &,     \
                          std::vector<T> &, Shape &);

LOOM_INSTANTIATE(float)
LOOM_INSTANTIATE(double)
#undef LOOM_INSTANTIATE

// Layout and data-movement kernels are also used on integer tensors (the
// quantized reference graph).
template std::vector<int64_t> nchwToNhwc(const std::vector<int64_t> &, int64_t, int64_t, int64_t,
                                         int64_t);
template std::vector<int64_t> nhwcToNchw(const std::vector<int64_t> &, int64_t, int64_t, int64_t,
                                         int64_t);
template bool concat(const std::vector<std::vector<int64_t>> &, const std::vector<Shape> &, int64_t,
                     std::vector<int64_t> &, Shape &);
template bool transpose(const std::vector<int64_t> &, const Shape &, const std::vector<int64_t> &,
                        std::vector<int64_t> &, Shape &);

} // namespace reference
} // namespace loom
