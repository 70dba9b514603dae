//===- QuantConvKernels.h - Bit-exact quantized conv-path kernels ---------===//
//
// Bit-exact ground truth of the convolutional path (docs/CONTRACTS.md,
// "Convolutional path"). Feature maps are channels-last (NHWC, batch 1) flat
// vectors of int64 codes in order (h, w, c); 1-D is H = 1. Every formula
// below is normative.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_REFERENCE_QUANTCONVKERNELS_H
#define LOOM_COMPILER_REFERENCE_QUANTCONVKERNELS_H

#include "compiler/numerics/Affine.h"
#include "compiler/numerics/FixedPoint.h"
#include "compiler/numerics/Tables.h"
#include "compiler/reference/ConvKernels.h"
#include "compiler/reference/QuantKernels.h"

#include <cstdint>
#include <vector>

namespace loom {
namespace reference {

/// Feature-map geometry (batch 1, NHWC).
struct QFmap {
  int64_t H = 1, W = 1, C = 1;
  int64_t size() const { return H * W * C; }
};

/// 2-D window: kernel, strides, dilations, pads (top, left, bottom, right).
struct QWindow {
  int64_t KH = 1, KW = 1;
  int64_t SH = 1, SW = 1;
  int64_t DH = 1, DW = 1;
  int64_t PT = 0, PL = 0, PB = 0, PR = 0;
  /// OH = (H + PT + PB - DH*(KH-1) - 1) / SH + 1 (floor), OW likewise
  /// (the loom_swg formula; 0 if negative).
  int64_t outH(int64_t H) const;
  int64_t outW(int64_t W) const;
};

/// Conv accumulators, NHWC output (OH, OW, OC):
///   acc[oh][ow][oc] = b[oc] + sum_{kh, kw, ic < IC/G}
///       x[oh*SH - PT + kh*DH][ow*SW - PL + kw*DW][g*IC/G + ic] *
///       w[oc][ic][kh][kw],     g = oc / (OC / G),
/// padded (outside) positions contribute 0. w is in ONNX layout
/// OC x IC/G x KH x KW (codes, Fw frac bits); b has OC codes at scale
/// 2^-(Fi+Fw) (empty = 0). Depthwise: G = IC, OC = IC * multiplier.
/// Wrap-around 64-bit arithmetic like qdenseAcc (exact whenever
/// qconvAccWidth <= 64).
std::vector<int64_t> qconvAcc(const std::vector<int64_t> &x, const QFmap &in,
                              const std::vector<int64_t> &w, const std::vector<int64_t> &b,
                              int64_t OC, const QWindow &win, int64_t groups = 1);

/// qconvAcc followed by y = saturate_outWidth(shift_round_even(acc, shift))
/// (numerics::requantize) and the activation (None / Relu / Table).
std::vector<int64_t> qconv(const std::vector<int64_t> &x, const QFmap &in,
                           const std::vector<int64_t> &w, const std::vector<int64_t> &b, int64_t OC,
                           const QWindow &win, int64_t groups, int shift, int outWidth,
                           QAct act = QAct::None, const numerics::ActTable *table = nullptr);

/// Accumulator width of a conv (CONTRACTS: as for dense, per output channel,
/// K = KH*KW*IC/G): numerics::accWidth(w, b, K, inputWidth) on the OIHW
/// weights (each output channel's K weights are contiguous).
int qconvAccWidth(const std::vector<int64_t> &w, const std::vector<int64_t> &b, int64_t K,
                  int inputWidth);

/// OIHW weights -> the mvu's row layout after loom_swg:
/// out[oc][(kh*KW + kw)*ICg + ic] = w[oc][ic][kh][kw] (OC x KH*KW*ICg).
std::vector<int64_t> convWeightsToMvu(const std::vector<int64_t> &w, int64_t OC, int64_t ICg,
                                      int64_t KH, int64_t KW);

/// loom_swg reference: for each output pixel (oh, ow) the window in order
/// (kh, kw, c), padded positions 0. Output OH*OW*KH*KW*C codes.
std::vector<int64_t> qslidingWindow(const std::vector<int64_t> &x, const QFmap &in,
                                    const QWindow &win);

/// Clip on codes: min(max(y, lo), hi).
std::vector<int64_t> qclip(const std::vector<int64_t> &y, int64_t lo, int64_t hi);
/// Clip(lo, hi) with real bounds: lo/hi quantized to `fmt` first (CONTRACTS).
std::vector<int64_t> qclip(const std::vector<int64_t> &y, double lo, double hi,
                           const numerics::FixedFormat &fmt);

/// LeakyRelu on codes (numerics::leakyReluCode, CONTRACTS).
std::vector<int64_t> qleakyRelu(const std::vector<int64_t> &y, const numerics::LeakyReluParams &p,
                                int width);

/// MaxPool: max over the window positions inside the input (padding never
/// wins; a window with no valid position gives 0). NHWC, channels kept.
std::vector<int64_t> qmaxpool(const std::vector<int64_t> &x, const QFmap &in, const QWindow &win);

/// AveragePool (CONTRACTS): s = sum over the window (padded positions 0),
/// d = KH*KW when countIncludePad else the number of valid positions of that
/// output pixel, y = saturate_width(divRoundHalfEven(s, d)).
std::vector<int64_t> qavgpool(const std::vector<int64_t> &x, const QFmap &in, const QWindow &win,
                              bool countIncludePad, int width);

/// Sum-and-shift pooling (a QONNX Trunc after an average pool, nn.avg_pool
/// `divisor` / `rounding`): y = saturate_width(round(s / divisor)) with the
/// rounding mode `rnd` (numerics::Rounding); padded positions add 0.
std::vector<int64_t> qsumpool(const std::vector<int64_t> &x, const QFmap &in, const QWindow &win,
                              int64_t divisor, numerics::Rounding rnd, int width);

/// s / d (d > 0) rounded with mode `rnd`, exactly on integers.
int64_t divRoundWith(int64_t s, int64_t d, numerics::Rounding rnd);

/// GlobalAveragePool: d = H*W; output C codes.
std::vector<int64_t> qglobalavgpool(const std::vector<int64_t> &x, const QFmap &in, int width);
/// GlobalMaxPool: output C codes.
std::vector<int64_t> qglobalmaxpool(const std::vector<int64_t> &x, const QFmap &in);

/// Add of two tensors in the same format: saturate_width(a + b).
std::vector<int64_t> qadd(const std::vector<int64_t> &a, const std::vector<int64_t> &b, int width);
/// Add of a per-channel constant (already quantized to the same format,
/// C codes) to an NHWC tensor: saturate_width(x + k[c]).
std::vector<int64_t> qaddChannel(const std::vector<int64_t> &x, const std::vector<int64_t> &k,
                                 int width);
/// Product of two tensors: saturate_width(shift_round_even(a * b * mult, frac)) (fixed
/// point: mult 1, frac = F_a + F_b - F_out; affine: mult * 2^-frac ~ s_a * s_b / s_out).
std::vector<int64_t> qmul(const std::vector<int64_t> &a, const std::vector<int64_t> &b, int frac,
                          int width, int64_t mult = 1);

/// Concat along channels of NHWC maps with equal H, W (output channel
/// order = input order).
std::vector<int64_t> qconcat(const std::vector<std::vector<int64_t>> &xs,
                             const std::vector<QFmap> &ins);

/// Nearest resize to (OH, OW): out[oh][ow][c] = x[sh(oh)][sw(ow)][c] with
/// sh = nearestSourceIndex(oh, H, OH, scaleH, cm, nm) (scale <= 0 means
/// OH / H), likewise sw. Default: asymmetric + floor (Upsample).
std::vector<int64_t> qresizeNearest(const std::vector<int64_t> &x, const QFmap &in, int64_t OH,
                                    int64_t OW, double scaleH = 0, double scaleW = 0,
                                    CoordMode cm = CoordMode::Asymmetric,
                                    NearestMode nm = NearestMode::Floor);

/// Zero padding of an NHWC map: (H + PT + PB) x (W + PL + PR) x C.
std::vector<int64_t> qpad(const std::vector<int64_t> &x, const QFmap &in, int64_t PT, int64_t PL,
                          int64_t PB, int64_t PR);

} // namespace reference
} // namespace loom

#endif // LOOM_COMPILER_REFERENCE_QUANTCONVKERNELS_H
