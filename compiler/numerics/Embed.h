//===- Embed.h - integer token + position embedding ------------*- C++ -*-===//
//
// The integer embedding of docs/CONTRACTS.md ("Embedding"): a row of C codes
// per token id, looked up in a token table E [V, C] and, when the model adds
// learned position embeddings, a position table P [T, C] indexed by the
// token's position in its frame (a counter wrapping at T):
//   y[t][c] = clamp(E[id_t][c] + P[t][c], lo, hi).
// Both tables hold codes of the output format (round half to even of
// value / s_out, saturated to the output word), so the hardware is a ROM read,
// one adder and a clamp per lane. One implementation for the quantizers, the
// reference interpreter and the loom_embed testbench.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NUMERICS_EMBED_H
#define LOOM_COMPILER_NUMERICS_EMBED_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace loom::numerics {

/// Codes of a float table at output scale `scale`: round_half_even(v / scale)
/// in f64, saturated to a signed `width`-bit word.
std::vector<int64_t> embedTableCodes(const std::vector<double> &values, double scale, int width);

/// Width in bits of the unsigned token id of a vocabulary of V rows:
/// ceil(log2 V), at least 2 (the narrowest stream word).
int embedIdBits(int64_t V);

/// One output code: clamp(tok + pos, lo, hi) (pos = 0 without a position table).
inline int64_t embedCode(int64_t tok, int64_t pos, int64_t lo, int64_t hi) {
  int64_t y = tok + pos;
  return y < lo ? lo : y > hi ? hi : y;
}

/// A frame of ids (T of them) -> T*C codes. `table` is [V, C], `pos` [T, C]
/// or empty. An id outside [0, V) is an error naming it.
llvm::Expected<std::vector<int64_t>> embedFrame(const std::vector<int64_t> &ids,
                                                const std::vector<int64_t> &table,
                                                const std::vector<int64_t> &pos, int64_t V,
                                                int64_t C, int64_t lo, int64_t hi);

} // namespace loom::numerics

#endif
