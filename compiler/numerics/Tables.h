//===- Tables.h - Activation and exp lookup tables ------------------------===//
//
// Lookup tables shared by the reference interpreter and the RTL emitter
// (docs/CONTRACTS.md). Both sides must use these functions so that the table
// parameters (T_MIN, T_MAX, T_SHIFT, depth) and contents are identical.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NUMERICS_TABLES_H
#define LOOM_COMPILER_NUMERICS_TABLES_H

#include "compiler/numerics/FixedPoint.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace loom {
namespace numerics {

/// Maximum number of entries of an activation table.
constexpr int64_t kMaxTableDepth = 1024;
/// ... and of the softmax's exp table: 16-bit softmax inputs (a logit format
/// of --precision auto, int8's int16 softmax input) need 4 fine buckets per
/// 1/256 for the output to stay within 0.1% (1024 entries: 0.4%). 64 kbit.
constexpr int64_t kMaxExpDepth = 4096;

/// Activation table (sigmoid, tanh, elu, ...: any nn op with the
/// TableActivationOpInterface, whose evaluate() is `f` below) applied to a
/// fixed<W,I> value y:
///   idx = (clamp(y, tMin, tMax) >>> shift) - (tMin >>> shift)
///   out = values[idx]
/// tMin is a multiple of 2^shift; depth = (tMax >>> shift) - (tMin >>> shift) + 1
/// == values.size() <= 1024.
///   values[i] = quantize_out(f(((i << shift) + tMin + 2^(shift-1)) * 2^-Fin))
/// (bucket midpoint; no half when shift == 0).
struct ActTable {
  int64_t tMin = 0;
  int64_t tMax = 0;
  int shift = 0;
  std::vector<int64_t> values; // signed codes in the output format
  FixedFormat in, out;         // formats the table was built for
  int64_t depth() const { return int64_t(values.size()); }
};

/// Exp table for the integer softmax (EXP_FRAC = 15, unsigned entries):
///   EXP[j] = round_half_even(exp(-((j << shift) + h) * 2^-F) * 2^15),
///   h = 2^(shift-1) (0 when shift = 0): the bucket's middle code; EXP[0] = 2^15
///   when shift = 0. e = EXP[min(d >>> shift, depth-1)]  for d = max - y >= 0.
struct ExpTable {
  static constexpr int kFrac = 15;
  int shift = 0;
  int bits = 16; // unsigned width of an entry (EXP_BITS); at least 16, EXP[0] <= 2^15
  std::vector<int64_t> values;
  FixedFormat in; // softmax input format the table was built for
  int64_t depth() const { return int64_t(values.size()); }
};

/// Smallest shift s such that the integer range [lo, hi] spans at most
/// maxDepth buckets ((hi >>> s) - (lo >>> s) + 1 <= maxDepth), or 0 if it
/// already does.
int tableShiftFor(int64_t lo, int64_t hi, int64_t maxDepth = kMaxTableDepth);

/// Generic table over the real domain [domLo, domHi) intersected with the
/// representable range of `in`. tMin = max(ceil(domLo*2^F), in.minInt()),
/// rounded down to a multiple of 2^shift; tMax = min(ceil(domHi*2^F)-1,
/// in.maxInt()); shift = tableShiftFor(tMin, tMax). Values as in ActTable.
ActTable makeActTable(const std::function<double(double)> &f, double domLo, double domHi,
                      const FixedFormat &in, const FixedFormat &out);

/// The same over the whole representable range of `in`, for functions that
/// are unbounded there (clamping the input would be wrong; Elu, Selu): the
/// shift is chosen by makeActTable (<= 1024 entries); for in = fixed<W,I>
/// with W <= 10 the table is exact per code (shift 0). The bounded ones
/// give their own domain (sigmoid [-8, 8), tanh [-4, 4); CONTRACTS).
ActTable makeActTableOverFormat(const std::function<double(double)> &f, const FixedFormat &in,
                                const FixedFormat &out);

/// The contract's index: (clamp(y, tMin, tMax) >>> shift) - (tMin >>> shift).
int64_t actTableIndex(const ActTable &t, int64_t y);
/// values[actTableIndex(t, y)].
int64_t lookupAct(const ActTable &t, int64_t y);

/// Exp table for softmax inputs in format `in` (F = in.frac()). The domain is
/// d in [0, 16), i.e. d codes [0, 16*2^F - 1], additionally limited to the
/// largest difference of two `in` codes (2^W - 1) since d can never exceed it
/// (this only drops entries that can never be addressed: results are
/// identical). shift = smallest with depth <= 1024 (0 when the whole domain
/// already fits); depth = (dMax >>> shift) + 1.
ExpTable makeExpTable(const FixedFormat &in);

/// The same table for W-bit input codes of any real scale (affine integer
/// graphs: the exp argument is -d * scale; d codes in [0, ceil(16 / scale) - 1]
/// capped by 2^W - 1). For scale 2^-F it equals makeExpTable(fixed<W, W-F>).
ExpTable makeExpTableForScale(double scale, int width);

/// The contract's index: min(d >>> shift, depth - 1), d >= 0 (negative d is
/// treated as 0).
int64_t expTableIndex(const ExpTable &t, int64_t d);
int64_t lookupExp(const ExpTable &t, int64_t d);

/// LeakyRelu on fixed-point codes (CONTRACTS, convolutional path):
///   out = y >= 0 ? y : saturate_W(shift_round_even(y * A, S))
/// with S = kLeakyShift = 15 and A = round_half_even(alpha * 2^S) (a signed
/// integer; alpha may be negative or > 1, in which case the saturation to
/// the W-bit output format can apply). Exact: no table.
struct LeakyReluParams {
  static constexpr int kLeakyShift = 15;
  int64_t A = 0;
  int S = kLeakyShift;
};
LeakyReluParams makeLeakyRelu(double alpha);
/// The contract's formula on one code of a W-bit format.
int64_t leakyReluCode(int64_t y, const LeakyReluParams &p, int width);

/// ONNX Selu defaults.
constexpr double kSeluAlpha = 1.67326319217681884765625;
constexpr double kSeluGamma = 1.05070102214813232421875;

} // namespace numerics
} // namespace loom

#endif // LOOM_COMPILER_NUMERICS_TABLES_H
