//===- FixedPoint.h - Loom fixed-point numerics ---------------------------===//
//
// The fixed-point arithmetic every part of Loom agrees on (docs/CONTRACTS.md,
// "Fixed-point numerics"). fixed<W,I> is a signed W-bit two's complement
// integer q with real value q * 2^-F, F = W - I.
//
// All functions are pure and exception free. Integer helpers work on int64_t;
// where an intermediate could exceed 64 bits, __int128 is used internally.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NUMERICS_FIXEDPOINT_H
#define LOOM_COMPILER_NUMERICS_FIXEDPOINT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {
namespace numerics {

/// fixed<W,I>: W total bits (sign included), I integer bits (sign included),
/// F = W - I fractional bits. Valid formats: 2 <= W <= 32 and I <= W (I may be
/// zero or negative, e.g. fixed<8,0> covers [-1, 1), as long as F <= 62).
struct FixedFormat {
  int width = 8;
  int intBits = 1;

  int frac() const { return width - intBits; }
  /// Smallest / largest representable integer code: -2^(W-1), 2^(W-1)-1.
  int64_t minInt() const { return -(int64_t(1) << (width - 1)); }
  int64_t maxInt() const { return (int64_t(1) << (width - 1)) - 1; }
  /// Real value of one LSB, 2^-F.
  double lsb() const;
  /// "fixed<W,I>".
  std::string str() const;

  bool operator==(const FixedFormat &o) const { return width == o.width && intBits == o.intBits; }
  bool operator!=(const FixedFormat &o) const { return !(*this == o); }
};

/// Parses "fixed<W,I>" (spaces around the numbers are allowed). Error text:
/// "invalid fixed-point format '<text>': <reason>; expected fixed<W,I> with
/// 2 <= W <= 32 and I <= W".
llvm::Expected<FixedFormat> parseFixedFormat(llvm::StringRef text);

/// Checks the validity rules of parseFixedFormat on an already built format.
llvm::Error validateFixedFormat(const FixedFormat &f);

/// Round to nearest integer, ties to even (ONNX / IEEE semantics), independent
/// of the current FP rounding mode. NaN and infinities are returned unchanged.
double roundHalfEven(double x);

/// Clamps v to the signed range of `width` bits: [-2^(width-1), 2^(width-1)-1].
/// width in [1, 64]; width >= 64 returns v.
int64_t saturate(int64_t v, int width);

/// Round half even of x (a real number) to an int64, saturating at the int64
/// range; NaN -> 0.
int64_t roundToInt64(double x);

/// q = saturate_W(round_half_even(x * 2^F)). NaN -> 0, +-inf saturate.
int64_t quantize(double x, const FixedFormat &f);

/// Quantizes x at scale 2^-frac without a width limit (saturating only at the
/// int64 range): round_half_even(x * 2^frac). Used for dense biases, which the
/// contract quantizes at scale 2^-(Fi+Fw) in 64 bits.
int64_t quantizeToScale(double x, int frac);

/// real = q * 2^-F.
double dequantize(int64_t q, const FixedFormat &f);

/// a / 2^s rounded half to even, computed exactly as the hardware does:
///   q = a >>> s; rem = a & (2^s - 1); half = 2^(s-1);
///   q += (rem > half) || (rem == half && q[0]).
/// s == 0 is the identity; s >= 64 gives 0 (|a / 2^64| < 1/2). A negative s
/// is a left shift a * 2^-s (wrapping like the hardware would; callers keep
/// values in range).
int64_t shiftRoundEven(int64_t a, int s);

/// Requantization step of a dense layer (CONTRACTS):
///   saturate_outWidth(shift_round_even(acc, shift)).
/// For shift < 0 (output has more frac bits than the product) the value is
/// acc * 2^-shift computed exactly and then saturated (no wrap-around).
int64_t requantize(int64_t acc, int shift, int outWidth);

/// Two's complement hex of the low `width` bits of v, zero padded to
/// ceil(width / 4) digits, lower case, no prefix (a $readmemh word):
/// toHex(-1, 8) == "ff", toHex(5, 10) == "005", toHex(-2, 3) == "6".
std::string toHex(int64_t v, int width);

/// Smallest signed two's complement width holding both +maxAbs and -maxAbs,
/// i.e. the smallest w with maxAbs <= 2^(w-1) - 1. maxAbs < 0 is treated as
/// |maxAbs|; signedWidthFor(0) == 1, signedWidthFor(1) == 2,
/// signedWidthFor(127) == 8, signedWidthFor(128) == 9.
int signedWidthFor(int64_t maxAbs);

/// Accumulator width of a dense layer (CONTRACTS): the smallest signed width
/// holding max_n( sum_k |w[n][k]| * 2^(Wi-1) + |b[n]| ). weights is row-major
/// N x K (weights.size() == N*K with N == bias.size(); an empty bias means all
/// zero and N = weights.size() / K). Computed in 128-bit; the result is
/// exactly the formula (minimum 1) and may exceed 64 for absurd inputs.
int accWidth(const std::vector<int64_t> &weights, const std::vector<int64_t> &bias, int64_t K,
             int inputWidth);

/// Convenience overload: weights as N rows of K values.
int accWidth(const std::vector<std::vector<int64_t>> &weights, const std::vector<int64_t> &bias,
             int inputWidth);

/// Integer division rounded half to even (CONTRACTS, AveragePool): for d > 0,
///   q = floor(s / d); r = s - q*d; q += (2r > d) || (2r == d && q odd).
/// Exact for every int64 s (intermediates in 128 bits). d <= 0 returns 0.
int64_t divRoundHalfEven(int64_t s, int64_t d);

/// Bits of a non-negative value (0 -> 0): the unsigned width an exact integer stage
/// needs (LayerNorm, attention).
int bitsOf(unsigned __int128 v);
/// Signed width holding [-m, m] (at least 2).
int signedBits(unsigned __int128 m);

} // namespace numerics
} // namespace loom

#endif // LOOM_COMPILER_NUMERICS_FIXEDPOINT_H
