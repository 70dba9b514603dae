//===- Attention.h - integer scaled-dot-product attention -------*- C++ -*-===//
//
// The exact integer attention of docs/CONTRACTS.md ("Attention"): per query
// row and head, integer scores, the softmax's exp table, the exp-weighted sum
// of the value codes and one reciprocal, fused so that no probability tensor
// is ever quantized. Shared by nn-quantize (which derives the parameters), the
// reference interpreter, df-to-rtl (RTL parameters and widths) and the
// loom_attention testbench, so all agree by construction.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NUMERICS_ATTENTION_H
#define LOOM_COMPILER_NUMERICS_ATTENTION_H

#include "compiler/numerics/Tables.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace loom {
namespace numerics {

/// Parameters of the integer attention over T rows of C = H * D codes.
struct AttentionParams {
  static constexpr int kRecipBits = 40; // R: r = floor(2^R / S)
  static constexpr int kMeanFrac = 8;   // G: fraction bits of the weighted mean w
  static constexpr int kMaxWidth = 16;  // input / output code widths supported
  static constexpr int64_t kMaxRows = 1024;

  int64_t T = 1, C = 1, H = 1;
  bool causal = false;
  int inWidth = 8, outWidth = 8;
  ExpTable exp; // built for the scores' real scale sq * sk * scale
  int R = kRecipBits, G = kMeanFrac;
  int64_t mult = 1; // y = clamp(shift_round_even(w * mult, shift) + zp, lo, hi)
  int shift = 0;
  int64_t zp = 0, lo = 0, hi = 0;

  int64_t D() const { return C / H; }
  /// Signed width of a score a_j (|a| <= D * 2^(2 W_IN - 2)); the difference
  /// m - a_j >= 0 fits the same width unsigned.
  int aBits() const;
  /// Unsigned width of an exp table entry (EXP_BITS).
  int eBits() const { return exp.bits; }
  /// Unsigned width of S = sum e_j over at most T rows.
  int sBits() const;
  /// Signed width of u_d = sum e_j * v_{j,d}.
  int uBits() const;
  /// Unsigned width of r = floor(2^R / S), S >= EXP[0].
  int rBits() const;
  /// Signed width of w = shift_round_even(u * r, R - G) (|w| <= 2^(W_IN - 1 + G)).
  int wBits() const { return inWidth + G + 1; }
  /// Signed width of the multiplier and of w * mult.
  int mBits() const;
  int zBits() const { return wBits() + mBits(); }
  /// Division steps: one quotient bit per numerator bit of 2^R.
  int divSteps() const { return R + 1; }
  /// Rows a query row attends to: row t sees t + 1 rows when causal, else T.
  int64_t rowsFor(int64_t t) const { return causal ? t + 1 : T; }
};

/// Builds the parameters for q, k, v codes of inWidth bits at real scales sq,
/// sk, sv (scores at sq * sk * scale) and output codes at sOut with zero point
/// zpOut, clamped to [lo, hi] (centered codes: zp already added). Fails with a
/// one-line reason when a width or size is outside what is supported.
llvm::Expected<AttentionParams> makeAttention(int64_t T, int64_t C, int64_t H, bool causal,
                                              int inWidth, int outWidth, double sq, double sk,
                                              double sv, double scale, double sOut, int64_t zpOut,
                                              int64_t lo, int64_t hi);

/// r = floor(2^R / S) (S >= 1), as the restoring divider computes it.
int64_t attentionRecip(const AttentionParams &p, int64_t S);

/// One output row t of the frame: q, k, v are T x C codes (row-major); rows
/// 0..rowsFor(t)-1 of k and v are used. Returns C codes.
std::vector<int64_t> attentionRow(const AttentionParams &p, const std::vector<int64_t> &q,
                                  const std::vector<int64_t> &k, const std::vector<int64_t> &v,
                                  int64_t t);

/// The whole frame: T x C codes out.
std::vector<int64_t> attentionFrame(const AttentionParams &p, const std::vector<int64_t> &q,
                                    const std::vector<int64_t> &k, const std::vector<int64_t> &v);

} // namespace numerics
} // namespace loom

#endif
