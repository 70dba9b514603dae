//===- Affine.h - affine (scale, zero point) integer numerics ---*- C++ -*-===//
//
// The arithmetic of affine integer graphs (docs/CONTRACTS.md "Affine integer
// graphs"): ONNX QuantizeLinear with its rounding modes, and the integer
// requantization y = saturate(shift_round_even(acc * M, S)) that replaces a
// real rescale ratio. Shared by nn-quantize (which derives M and S) and the
// reference interpreter (which applies them), so both agree by construction.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NUMERICS_AFFINE_H
#define LOOM_COMPILER_NUMERICS_AFFINE_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace loom {
namespace numerics {

/// Rounding of x / scale in QuantizeLinear (QONNX Quant's rounding_mode).
enum class Rounding { HalfEven, HalfUp, HalfDown, Floor, Ceil, ToZero };

/// "half_even", "half_up", "half_down", "floor", "ceil", "to_zero".
std::optional<Rounding> parseRounding(llvm::StringRef name);

/// x rounded to an integer with mode r (half_up / half_down: ties away from /
/// towards zero, like QONNX ROUND_TO_ZERO's siblings and numpy's conventions).
double roundWith(double x, Rounding r);

/// ONNX QuantizeLinear on one value: the quotient is computed in f32 as ONNX
/// does, q = clamp(round(f32(x) / f32(scale)) + zp, qmin, qmax). NaN -> zp
/// (clamped).
int64_t quantizeLinear(double x, double scale, int64_t zp, int64_t qmin, int64_t qmax, Rounding r);

/// ONNX DequantizeLinear on one value, in f32: (f32(q - zp)) * f32(scale).
double dequantizeLinear(int64_t q, double scale, int64_t zp);

/// Integer multipliers for a set of positive ratios sharing one shift S:
/// mult[n] * 2^-S approximates ratio[n] (docs/CONTRACTS.md). Each ratio is
/// first rounded to f32 (24 significant bits). S is the largest shift any
/// channel needs to be exact after stripping trailing zero bits, but at most
/// the shift that gives the largest ratio 24 significant bits (so every
/// mult < 2^24); mult[n] = round_half_even(f32(ratio[n]) * 2^S). One channel:
/// mult * 2^-S == f32(ratio) exactly, and a power of two gives mult 1.
struct Requant {
  std::vector<int64_t> mult;
  int shift = 0;
};

/// Fails (returns nullopt) when a ratio is not positive and finite, when the
/// largest ratio is >= 2^24 (S would be negative), when S > 62, or when a
/// channel's mult rounds to 0 (its ratio is below 2^-(S+1)).
/// `fine`: S is always the shift that gives the largest ratio 24 significant
/// bits, so a post-multiply bias (requantizeMult) resolves 2^-S output steps,
/// about 2^-24 of the largest ratio, even when the ratios are powers of two.
std::optional<Requant> makeRequant(const std::vector<double> &ratios, bool fine = false);

/// Multipliers of a scaled add (CONTRACTS, add_act): Ma * 2^-S ~ ra and
/// Mb * 2^-S ~ rb with the larger of Ma, Mb in [2^23, 2^24). Fails like
/// makeRequant. Returns {mult = {Ma, Mb}, shift = S}.
std::optional<Requant> makeAddRequant(double ra, double rb);

/// Table of an element-wise function between two quantizers (CONTRACTS,
/// "element-wise tables"): entry i, for the input code c = cLo + i, is the
/// output code q - zpOut with q = quantizeLinear(f32(f(x)), sOut, zpOut, qmin,
/// qmax, half even) and x = dequantizeLinear(c, sIn, 0), i.e. ONNX's f32
/// DequantizeLinear -> f -> QuantizeLinear on one code. cLo <= cHi.
std::vector<int64_t> affineTable(int64_t cLo, int64_t cHi, double sIn,
                                 const std::function<double(double)> &f, double sOut, int64_t zpOut,
                                 int64_t qmin, int64_t qmax);

/// a / 2^s rounded half to even on 128-bit values (the hardware rule of
/// numerics::shiftRoundEven), s in [0, 126].
__int128 shiftRoundEven128(__int128 a, int s);

/// y = saturate_width(shift_round_even(acc * mult + postBias, shift)), exact
/// for any int64 acc and |mult| < 2^63 (computed in 128 bits). postBias is the
/// part of a folded float bias that is not a whole accumulator step, in units
/// of 2^-shift output steps (docs/CONTRACTS.md "post-multiply bias").
int64_t requantizeMult(int64_t acc, int64_t mult, int shift, int width, int64_t postBias = 0);

/// y = saturate_width(shift_round_even(a * ma + b * mb, shift)) in 128 bits.
int64_t scaledAdd(int64_t a, int64_t ma, int64_t b, int64_t mb, int shift, int width);

} // namespace numerics
} // namespace loom

#endif // LOOM_COMPILER_NUMERICS_AFFINE_H
