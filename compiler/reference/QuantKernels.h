//===- QuantKernels.h - Bit-exact quantized reference kernels -------------===//
//
// The bit-exact ground truth the generated RTL is compared against
// (docs/CONTRACTS.md). Every value is a two's complement integer code held in
// an int64_t; the formulas below are normative and must match the RTL
// library modules (loom_mvu, loom_softmax) bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_REFERENCE_QUANTKERNELS_H
#define LOOM_COMPILER_REFERENCE_QUANTKERNELS_H

#include "compiler/numerics/FixedPoint.h"
#include "compiler/numerics/LayerNorm.h"
#include "compiler/numerics/Tables.h"

#include <cstdint>
#include <vector>

namespace loom {
namespace reference {

/// Dense accumulators (no requantization):
///   acc[n] = sum_k x[k] * W[n][k] + b[n]
/// W is N x K row-major codes (Fw frac bits), x has K codes (Fi frac bits),
/// b has N codes at scale 2^-(Fi+Fw) (empty b means zero). Exact in 64 bits
/// whenever accWidth(W, b, K, Wi) <= 64.
std::vector<int64_t> qdenseAcc(const std::vector<int64_t> &x, const std::vector<int64_t> &W,
                               const std::vector<int64_t> &b, int64_t N, int64_t K);

/// Quantized dense layer (CONTRACTS):
///   y[n] = saturate_outWidth(shift_round_even(acc[n], shift))
/// with acc[n] as in qdenseAcc and shift = Fi + Fw - Fout (passed separately
/// so callers with other scalings can reuse it; shift < 0 is an exact left
/// shift followed by saturation, see numerics::requantize).
std::vector<int64_t> qdense(const std::vector<int64_t> &x, const std::vector<int64_t> &W,
                            const std::vector<int64_t> &b, int64_t N, int64_t K, int shift,
                            int outWidth);

/// Bias code for a dense layer: round_half_even(bias * 2^(Fi+Fw)) in 64 bits
/// (no width saturation; the accumulator width accounts for it).
int64_t quantizeBias(double bias, int inFrac, int weightFrac);

/// Elementwise y = max(0, y) on codes.
std::vector<int64_t> qrelu(const std::vector<int64_t> &y);

/// Elementwise table activation (sigmoid / tanh):
///   out = T[(clamp(y, T_MIN, T_MAX) >>> T_SHIFT) - (T_MIN >>> T_SHIFT)].
std::vector<int64_t> qtable(const std::vector<int64_t> &y, const numerics::ActTable &table);

/// Activation after dense, as in loom_mvu's ACT parameter.
enum class QAct { None, Relu, Table };

/// qdense followed by the activation (table must be non-null for Table).
std::vector<int64_t> qdenseAct(const std::vector<int64_t> &x, const std::vector<int64_t> &W,
                               const std::vector<int64_t> &b, int64_t N, int64_t K, int shift,
                               int outWidth, QAct act, const numerics::ActTable *table = nullptr);

/// Integer softmax (CONTRACTS) over one vector y of fixed<W,I> codes (F frac
/// bits), output in the same format:
///   m   = max_i y_i
///   d_i = m - y_i                                   (>= 0)
///   e_i = EXP[min(d_i >>> EXP_SHIFT, EXP_DEPTH-1)]  (unsigned, EXP[0] = 2^15)
///   S   = sum_i e_i
///   out_i = saturate_W(floor((e_i * 2^F + floor(S / 2)) / S))
/// `exp` must be numerics::makeExpTable(fmt) (or an equivalent table).
std::vector<int64_t> qsoftmaxVector(const std::vector<int64_t> &y, const numerics::FixedFormat &fmt,
                                    const numerics::ExpTable &exp);

/// qsoftmaxVector applied to each contiguous group of `axisSize` codes.
std::vector<int64_t> qsoftmax(const std::vector<int64_t> &y, int64_t axisSize,
                              const numerics::FixedFormat &fmt, const numerics::ExpTable &exp);

/// Convenience: builds the exp table from fmt.
std::vector<int64_t> qsoftmax(const std::vector<int64_t> &y, int64_t axisSize,
                              const numerics::FixedFormat &fmt);

/// Integer LayerNorm (CONTRACTS "LayerNorm"): numerics::layerNormRow on each
/// contiguous row of p.C codes.
std::vector<int64_t> qlayerNorm(const std::vector<int64_t> &x, const numerics::LayerNormParams &p);

} // namespace reference
} // namespace loom

#endif // LOOM_COMPILER_REFERENCE_QUANTKERNELS_H
