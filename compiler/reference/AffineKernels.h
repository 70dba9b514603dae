//===- AffineKernels.h - reference kernels of affine integer graphs -*- C++ -*-===//
//
// Float QDQ ops (ONNX QuantizeLinear / DequantizeLinear semantics) and the
// integer ops nn-quantize makes of them (docs/CONTRACTS.md "Affine integer
// graphs"). Tensors are flat row-major; per-axis parameters hold one value per
// index of dimension `axis` (or a single value for the whole tensor).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_REFERENCE_AFFINEKERNELS_H
#define LOOM_COMPILER_REFERENCE_AFFINEKERNELS_H

#include "compiler/numerics/Affine.h"
#include "compiler/reference/QuantConvKernels.h"

#include <cstdint>
#include <vector>

namespace loom {
namespace reference {

/// Scale / zero point of a tensor, one pair or one per index of `axis`.
struct AffineParams {
  std::vector<double> scale;
  std::vector<int64_t> zeroPoint;
  int64_t axis = 0;
  /// Which pair applies to flat element i of a tensor of `shape`.
  size_t indexOf(size_t i, const std::vector<int64_t> &shape) const;
};

/// ONNX QuantizeLinear: q = clamp(round(f32(x) / f32(s)) + zp, qmin, qmax);
/// bipolar: q = x >= 0 ? 1 : -1. Returns q (not centered).
std::vector<int64_t> quantizeLinear(const std::vector<double> &x, const std::vector<int64_t> &shape,
                                    const AffineParams &p, int64_t qmin, int64_t qmax,
                                    numerics::Rounding r, bool bipolar);

/// ONNX DequantizeLinear in f32: (q - zp) * s.
std::vector<double> dequantizeLinear(const std::vector<double> &q,
                                     const std::vector<int64_t> &shape, const AffineParams &p);

/// Dense with requantization: acc as qdenseAcc, then
/// y[n] = saturate_width(shift_round_even(acc[n] * mult[n] + postBias[n], shift));
/// mult has one value or N (empty: 1), postBias N values (empty: 0).
std::vector<int64_t> qdenseMult(const std::vector<int64_t> &x, const std::vector<int64_t> &W,
                                const std::vector<int64_t> &b, int64_t N, int64_t K,
                                const std::vector<int64_t> &mult, int shift, int width,
                                const std::vector<int64_t> &postBias = {});

/// Conv (NHWC, as qconvAcc) with the same per-output-channel requantization.
std::vector<int64_t> qconvMult(const std::vector<int64_t> &x, const QFmap &in,
                               const std::vector<int64_t> &w, const std::vector<int64_t> &b,
                               int64_t OC, const QWindow &win, int64_t groups,
                               const std::vector<int64_t> &mult, int shift, int width,
                               const std::vector<int64_t> &postBias = {});

/// Bipolar activation: c >= 0 ? 1 : -1.
std::vector<int64_t> qsign(const std::vector<int64_t> &c);

/// Scaled join: saturate_width(shift_round_even(a * ma + b * mb, shift)).
std::vector<int64_t> qaddScaled(const std::vector<int64_t> &a, const std::vector<int64_t> &b,
                                int64_t ma, int64_t mb, int shift, int width);

} // namespace reference
} // namespace loom

#endif // LOOM_COMPILER_REFERENCE_AFFINEKERNELS_H
