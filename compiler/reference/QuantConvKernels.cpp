//===- QuantConvKernels.cpp - Bit-exact quantized conv-path kernels -------===//
#include "compiler/reference/QuantConvKernels.h"

#include <algorithm>
#include <cassert>

namespace loom {
namespace reference {

using namespace numerics;

static int64_t swgOut(int64_t in, int64_t pb, int64_t pe, int64_t k, int64_t d, int64_t s) {
  int64_t n = in + pb + pe - d * (k - 1) - 1;
  return (n < 0 || s <= 0) ? 0 : n / s + 1;
}

int64_t QWindow::outH(int64_t H) const { return swgOut(H, PT, PB, KH, DH, SH); }
int64_t QWindow::outW(int64_t W) const { return swgOut(W, PL, PR, KW, DW, SW); }

// Input (ih, iw) of window position (kh, kw) at output (oh, ow); false when
// outside the input (a padded position).
static bool windowPos(const QFmap &in, const QWindow &win, int64_t oh, int64_t ow, int64_t kh,
                      int64_t kw, int64_t &ih, int64_t &iw) {
  ih = oh * win.SH - win.PT + kh * win.DH;
  iw = ow * win.SW - win.PL + kw * win.DW;
  return ih >= 0 && ih < in.H && iw >= 0 && iw < in.W;
}

std::vector<int64_t> qconvAcc(const std::vector<int64_t> &x, const QFmap &in,
                              const std::vector<int64_t> &w, const std::vector<int64_t> &b,
                              int64_t OC, const QWindow &win, int64_t groups) {
  assert(groups > 0 && in.C % groups == 0 && OC % groups == 0);
  int64_t ICg = in.C / groups, OCg = OC / groups;
  assert(int64_t(w.size()) == OC * ICg * win.KH * win.KW);
  assert(int64_t(x.size()) == in.size());
  int64_t OH = win.outH(in.H), OW = win.outW(in.W);
  std::vector<int64_t> acc(size_t(OH * OW * OC));
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t oc = 0; oc < OC; ++oc) {
        int64_t g = oc / OCg;
        uint64_t a = b.empty() ? 0 : uint64_t(b[size_t(oc)]);
        for (int64_t kh = 0; kh < win.KH; ++kh)
          for (int64_t kw = 0; kw < win.KW; ++kw) {
            int64_t ih, iw;
            if (!windowPos(in, win, oh, ow, kh, kw, ih, iw))
              continue;
            for (int64_t ic = 0; ic < ICg; ++ic) {
              int64_t xv = x[size_t((ih * in.W + iw) * in.C + g * ICg + ic)];
              int64_t wv = w[size_t(((oc * ICg + ic) * win.KH + kh) * win.KW + kw)];
              a += uint64_t(xv) * uint64_t(wv);
            }
          }
        acc[size_t((oh * OW + ow) * OC + oc)] = int64_t(a);
      }
  return acc;
}

std::vector<int64_t> qconv(const std::vector<int64_t> &x, const QFmap &in,
                           const std::vector<int64_t> &w, const std::vector<int64_t> &b, int64_t OC,
                           const QWindow &win, int64_t groups, int shift, int outWidth, QAct act,
                           const ActTable *table) {
  std::vector<int64_t> y = qconvAcc(x, in, w, b, OC, win, groups);
  for (int64_t &v : y)
    v = requantize(v, shift, outWidth);
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

int qconvAccWidth(const std::vector<int64_t> &w, const std::vector<int64_t> &b, int64_t K,
                  int inputWidth) {
  return accWidth(w, b, K, inputWidth);
}

std::vector<int64_t> convWeightsToMvu(const std::vector<int64_t> &w, int64_t OC, int64_t ICg,
                                      int64_t KH, int64_t KW) {
  std::vector<int64_t> r(size_t(OC * ICg * KH * KW));
  for (int64_t oc = 0; oc < OC; ++oc)
    for (int64_t ic = 0; ic < ICg; ++ic)
      for (int64_t kh = 0; kh < KH; ++kh)
        for (int64_t kw = 0; kw < KW; ++kw)
          r[size_t(oc * KH * KW * ICg + (kh * KW + kw) * ICg + ic)] =
              w[size_t(((oc * ICg + ic) * KH + kh) * KW + kw)];
  return r;
}

std::vector<int64_t> qslidingWindow(const std::vector<int64_t> &x, const QFmap &in,
                                    const QWindow &win) {
  int64_t OH = win.outH(in.H), OW = win.outW(in.W);
  std::vector<int64_t> r;
  r.reserve(size_t(OH * OW * win.KH * win.KW * in.C));
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t kh = 0; kh < win.KH; ++kh)
        for (int64_t kw = 0; kw < win.KW; ++kw) {
          int64_t ih, iw;
          bool ok = windowPos(in, win, oh, ow, kh, kw, ih, iw);
          for (int64_t c = 0; c < in.C; ++c)
            r.push_back(ok ? x[size_t((ih * in.W + iw) * in.C + c)] : 0);
        }
  return r;
}

std::vector<int64_t> qclip(const std::vector<int64_t> &y, int64_t lo, int64_t hi) {
  std::vector<int64_t> r(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    r[i] = std::min(std::max(y[i], lo), hi);
  return r;
}

std::vector<int64_t> qclip(const std::vector<int64_t> &y, double lo, double hi,
                           const FixedFormat &fmt) {
  return qclip(y, quantize(lo, fmt), quantize(hi, fmt));
}

std::vector<int64_t> qleakyRelu(const std::vector<int64_t> &y, const LeakyReluParams &p,
                                int width) {
  std::vector<int64_t> r(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    r[i] = leakyReluCode(y[i], p, width);
  return r;
}

// Shared pooling loop; `reduce` gets (sum-or-max state, value).
template <typename Init, typename Step, typename Fin>
static std::vector<int64_t> poolLoop(const std::vector<int64_t> &x, const QFmap &in,
                                     const QWindow &win, Init init, Step step, Fin fin) {
  int64_t OH = win.outH(in.H), OW = win.outW(in.W);
  std::vector<int64_t> r(size_t(OH * OW * in.C));
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow)
      for (int64_t c = 0; c < in.C; ++c) {
        auto st = init();
        int64_t nValid = 0;
        for (int64_t kh = 0; kh < win.KH; ++kh)
          for (int64_t kw = 0; kw < win.KW; ++kw) {
            int64_t ih, iw;
            if (!windowPos(in, win, oh, ow, kh, kw, ih, iw))
              continue;
            step(st, x[size_t((ih * in.W + iw) * in.C + c)], nValid == 0);
            ++nValid;
          }
        r[size_t((oh * OW + ow) * in.C + c)] = fin(st, nValid);
      }
  return r;
}

std::vector<int64_t> qmaxpool(const std::vector<int64_t> &x, const QFmap &in, const QWindow &win) {
  return poolLoop(
      x, in, win, [] { return int64_t(0); },
      [](int64_t &m, int64_t v, bool first) { m = first ? v : std::max(m, v); },
      [](int64_t m, int64_t) { return m; });
}

std::vector<int64_t> qavgpool(const std::vector<int64_t> &x, const QFmap &in, const QWindow &win,
                              bool countIncludePad, int width) {
  int64_t full = win.KH * win.KW;
  return poolLoop(
      x, in, win, [] { return int64_t(0); }, [](int64_t &s, int64_t v, bool) { s += v; },
      [=](int64_t s, int64_t nValid) {
        int64_t d = countIncludePad ? full : nValid;
        return saturate(divRoundHalfEven(s, d), width);
      });
}

int64_t divRoundWith(int64_t s, int64_t d, Rounding rnd) {
  // Floor division, then the remainder 0 <= r < d decides.
  int64_t q = s / d, r = s % d;
  if (r < 0)
    q -= 1, r += d;
  bool neg = s<0, tie = 2 * r == d, above = 2 * r> d;
  switch (rnd) {
  case Rounding::HalfEven:
    return q + (above || (tie && (q & 1)));
  case Rounding::HalfUp:
    return q + (above || (tie && !neg));
  case Rounding::HalfDown:
    return q + (above || (tie && neg));
  case Rounding::Floor:
    return q;
  case Rounding::Ceil:
    return q + (r != 0);
  case Rounding::ToZero:
    return q + (r != 0 && neg);
  }
  return q;
}

std::vector<int64_t> qsumpool(const std::vector<int64_t> &x, const QFmap &in, const QWindow &win,
                              int64_t divisor, Rounding rnd, int width) {
  return poolLoop(
      x, in, win, [] { return int64_t(0); }, [](int64_t &s, int64_t v, bool) { s += v; },
      [=](int64_t s, int64_t) { return saturate(divRoundWith(s, divisor, rnd), width); });
}

std::vector<int64_t> qglobalavgpool(const std::vector<int64_t> &x, const QFmap &in, int width) {
  std::vector<int64_t> r(size_t(in.C));
  for (int64_t c = 0; c < in.C; ++c) {
    int64_t s = 0;
    for (int64_t p = 0; p < in.H * in.W; ++p)
      s += x[size_t(p * in.C + c)];
    r[size_t(c)] = saturate(divRoundHalfEven(s, in.H * in.W), width);
  }
  return r;
}

std::vector<int64_t> qglobalmaxpool(const std::vector<int64_t> &x, const QFmap &in) {
  std::vector<int64_t> r(size_t(in.C));
  for (int64_t c = 0; c < in.C; ++c) {
    int64_t m = in.H * in.W > 0 ? x[size_t(c)] : 0;
    for (int64_t p = 1; p < in.H * in.W; ++p)
      m = std::max(m, x[size_t(p * in.C + c)]);
    r[size_t(c)] = m;
  }
  return r;
}

std::vector<int64_t> qadd(const std::vector<int64_t> &a, const std::vector<int64_t> &b, int width) {
  assert(a.size() == b.size());
  std::vector<int64_t> r(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    r[i] = saturate(a[i] + b[i], width);
  return r;
}

std::vector<int64_t> qaddChannel(const std::vector<int64_t> &x, const std::vector<int64_t> &k,
                                 int width) {
  assert(!k.empty() && x.size() % k.size() == 0);
  std::vector<int64_t> r(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    r[i] = saturate(x[i] + k[i % k.size()], width);
  return r;
}

std::vector<int64_t> qmul(const std::vector<int64_t> &a, const std::vector<int64_t> &b, int frac,
                          int width, int64_t mult) {
  assert(a.size() == b.size());
  std::vector<int64_t> r(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    r[i] = saturate(int64_t(numerics::shiftRoundEven128(__int128(a[i]) * b[i] * mult, frac)),
                    width);
  return r;
}

std::vector<int64_t> qconcat(const std::vector<std::vector<int64_t>> &xs,
                             const std::vector<QFmap> &ins) {
  assert(!xs.empty() && xs.size() == ins.size());
  int64_t HW = ins[0].H * ins[0].W;
  std::vector<int64_t> r;
  for (int64_t p = 0; p < HW; ++p)
    for (size_t t = 0; t < xs.size(); ++t) {
      assert(ins[t].H * ins[t].W == HW);
      auto first = xs[t].begin() + p * ins[t].C;
      r.insert(r.end(), first, first + ins[t].C);
    }
  return r;
}

std::vector<int64_t> qresizeNearest(const std::vector<int64_t> &x, const QFmap &in, int64_t OH,
                                    int64_t OW, double scaleH, double scaleW, CoordMode cm,
                                    NearestMode nm) {
  double sh = scaleH > 0 ? scaleH : double(OH) / double(in.H);
  double sw = scaleW > 0 ? scaleW : double(OW) / double(in.W);
  std::vector<int64_t> r(size_t(OH * OW * in.C));
  for (int64_t oh = 0; oh < OH; ++oh) {
    int64_t ih = nearestSourceIndex(oh, in.H, OH, sh, cm, nm);
    for (int64_t ow = 0; ow < OW; ++ow) {
      int64_t iw = nearestSourceIndex(ow, in.W, OW, sw, cm, nm);
      for (int64_t c = 0; c < in.C; ++c)
        r[size_t((oh * OW + ow) * in.C + c)] = x[size_t((ih * in.W + iw) * in.C + c)];
    }
  }
  return r;
}

std::vector<int64_t> qpad(const std::vector<int64_t> &x, const QFmap &in, int64_t PT, int64_t PL,
                          int64_t PB, int64_t PR) {
  int64_t OH = in.H + PT + PB, OW = in.W + PL + PR;
  std::vector<int64_t> r(size_t(OH * OW * in.C), 0);
  for (int64_t h = 0; h < in.H; ++h)
    for (int64_t w = 0; w < in.W; ++w)
      for (int64_t c = 0; c < in.C; ++c)
        r[size_t(((h + PT) * OW + (w + PL)) * in.C + c)] = x[size_t((h * in.W + w) * in.C + c)];
  return r;
}

} // namespace reference
} // namespace loom
