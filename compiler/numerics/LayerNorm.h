//===- LayerNorm.h - integer layer normalization ----------------*- C++ -*-===//
//
// The exact integer LayerNorm of docs/CONTRACTS.md ("LayerNorm"): one row of
// C centered codes in, C codes out. Shared by nn-quantize (which derives the
// parameters), the reference interpreter, df-to-rtl (RTL parameters and
// widths) and the loom_layernorm testbench, so all agree by construction.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NUMERICS_LAYERNORM_H
#define LOOM_COMPILER_NUMERICS_LAYERNORM_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace loom {
namespace numerics {

/// Parameters of the integer LayerNorm over rows of C codes of inWidth bits.
struct LayerNormParams {
  static constexpr int kPreShift = 8;  // P: isqrt((D + E) * 4^P), 8 more root bits
  static constexpr int kRecipBits = 20; // reciprocal bits beyond the largest root
  static constexpr int kNormFrac = 16; // U: frac bits of the normalized value u
  static constexpr int kGammaBits = 15; // |G| < 2^15 for the largest gamma

  int64_t C = 1;
  int inWidth = 8, outWidth = 8;
  int64_t E = 1;                 // epsilon in units of 2^-es codes^2, in [1, 2^30]
  int es = 2 * kPreShift;        // epsilon's fraction bits, in [0, 2P]
  int P = kPreShift;             // radicand pre-shift (pairs of bits)
  int R = 0;                     // r = floor(2^R / q)
  int sh1 = 0;                   // u = shift_round_even(t * r, sh1)
  int sh2 = 0;                   // y = shift_round_even(u * G + B, sh2)
  std::vector<int64_t> G, B;     // one per channel
  int64_t lo = 0, hi = 0;        // output clamp (codes)
  /// RMSNorm (no mean subtraction, beta 0): the same recipe with S1 := 0, so
  /// D = C * S2 and t = C * c (every width bound above still holds).
  bool rms = false;
  /// --runtime-weights: the largest |G| and |B| codes the architecture admits (0: the
  /// values themselves), so the G, B and u * G + B widths hold any loadable gamma / beta.
  int64_t gCap = 0, bCap = 0;

  /// Width of the largest D + E (unsigned).
  int vBits() const;
  /// isqrt iterations: root bits of the (vBits + 2P)-bit radicand.
  int sqrtSteps() const { return (vBits() + 2 * P + 1) / 2; }
  /// Division iterations: quotient bits of floor(2^R / q) with q >= 2^P (D >= 1).
  int divSteps() const { return R - P + 1; }
  /// Signed width of t = C * c - S1.
  int tBits() const;
  /// Signed width of u (|u| <= sqrt(C - 1) * 2^U, one step of slack).
  int uBits() const;
  /// Signed widths of the G and B memories and of u * G + B.
  int gBits() const;
  int bBits() const;
  int zBits() const;
};

/// Builds the parameters for rows of C codes of inWidth bits at input scale
/// sIn and output scale sOut (power-of-two scales in fixed point, any positive
/// scale in affine graphs); gamma and beta are the float constants (C each).
/// Output codes are clamped to [lo, hi]. Fails with a one-line reason when a
/// quantity exceeds the supported widths. `bound` > 0 (--runtime-weights): every
/// |gamma| and |beta| the architecture admits is at most bound (the caller refuses
/// larger ones), so out_shift and the caps (gCap, bCap) follow from it, not from
/// these values.
llvm::Expected<LayerNormParams> makeLayerNorm(int64_t C, int inWidth, int outWidth, double sIn,
                                              double sOut, double epsilon,
                                              const std::vector<double> &gamma,
                                              const std::vector<double> &beta, int64_t lo,
                                              int64_t hi, bool rms = false, double bound = 0);

/// floor(sqrt(v)) for v >= 0, exactly (bit by bit, as the RTL).
unsigned __int128 isqrt(unsigned __int128 v);

/// The per-row reciprocal r = floor(2^R / isqrt(D * 4^P + E * 2^(2P - es))) of a row's
/// code sums S1 = sum c, S2 = sum c^2.
int64_t layerNormRecip(const LayerNormParams &p, int64_t s1, int64_t s2);

/// One output code: x is the input code, s1 / r those of its row, ch its channel.
int64_t layerNormCode(const LayerNormParams &p, int64_t x, int64_t s1, int64_t r, int64_t ch);

/// A whole row (p.C codes) normalized (S1 taken as 0 when p.rms).
std::vector<int64_t> layerNormRow(const LayerNormParams &p, const std::vector<int64_t> &row);

} // namespace numerics
} // namespace loom

#endif
