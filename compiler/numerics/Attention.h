//===- Attention.h - integer scaled-dot-product attention -------*- C++ -*-===//
//
// The exact integer attention of docs/CONTRACTS.md ("Attention"): per query
// row and head, integer scores, the softmax's exp table, the exp-weighted sum
// of the value codes and one reciprocal, fused so that no probability tensor
// is ever quantized - unless the model itself quantizes the scores or the
// probabilities (a QDQ export: Q x K^T and P x V as quantized MatMuls), which
// this recipe then does the same way (ScoreRequant, ProbQuant). Shared by nn-quantize (which derives the parameters), the
// reference interpreter, df-to-rtl (RTL parameters and widths) and the
// loom_attention testbench, so all agree by construction.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NUMERICS_ATTENTION_H
#define LOOM_COMPILER_NUMERICS_ATTENTION_H

#include "compiler/numerics/Tables.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace loom {
namespace numerics {

/// The model's own quantizer of the scores (QuantizeLinear right after Q x K^T):
/// c_j = clamp(shift_round_even(a_j * mult, shift), lo, hi), centered codes at the
/// quantizer's scale ([lo, hi] = [qmin - zp, qmax - zp]).
struct ScoreRequant {
  bool on = false;
  int64_t mult = 1;
  int shift = 0;
  int64_t lo = 0, hi = 0;
};

/// The model's own quantizer of the probabilities (QuantizeLinear after Softmax):
/// r = floor(N / S) with N = pm * 2^pk ~ 2^R / s_p (pm < 2^24), then per row j
/// pc_j = clamp(shift_round_even(e_j * r, R), lo, hi) ~ round(p_j / s_p), centered.
struct ProbQuant {
  bool on = false;
  int64_t pm = 1;
  int pk = 0;
  int64_t lo = 0, hi = 0;
};

/// Parameters of the integer attention over T rows of C = H * D codes.
struct AttentionParams {
  static constexpr int kRecipBits = 40; // R: r = floor(2^R / S)
  static constexpr int kMeanFrac = 8;   // G: fraction bits of the weighted mean w
  static constexpr int kMaxWidth = 16;  // input / output code widths supported
  static constexpr int64_t kMaxRows = 1024;

  int64_t T = 1, C = 1, H = 1;
  bool causal = false;
  int64_t window = 0; // causal and > 0: row t attends to rows t - window < j <= t
  std::vector<int64_t> keyBias; // ALiBi: H x T codes at the exp table's scale (or empty)
  int inWidth = 8, outWidth = 8;
  ExpTable exp; // built for the scores' real scale sq * sk * scale
  int R = kRecipBits, G = kMeanFrac;
  int64_t mult = 1; // y = clamp(shift_round_even(w * mult, shift) + zp, lo, hi)
  int shift = 0;
  int64_t zp = 0, lo = 0, hi = 0;
  ScoreRequant score; // off: the exact scores a_j feed the exp table
  ProbQuant prob;     // off: u_d = sum e_j v and one reciprocal multiply per output

  int64_t D() const { return C / H; }
  /// Signed width of a score a_j (|a| <= D * 2^(2 W_IN - 2)); the difference
  /// m - a_j >= 0 fits the same width unsigned (also for requantized scores).
  int aBits() const;
  /// Largest |key bias code| (0 without one).
  int64_t maxKeyBias() const;
  /// Signed width of the score multiplier (ScoreRequant; 2 when off).
  int smBits() const;
  /// Signed width of a probability code pc (ProbQuant; 2 when off).
  int pcBits() const;
  /// Unsigned width of an exp table entry (EXP_BITS).
  int eBits() const { return exp.bits; }
  /// Unsigned width of S = sum e_j over at most T rows.
  int sBits() const;
  /// Signed width of u_d = sum e_j * v_{j,d} (ProbQuant: sum pc_j * v_{j,d}).
  int uBits() const;
  /// Unsigned width of r = floor(2^R / S) (ProbQuant: floor(N / S)), S >= EXP[0].
  int rBits() const;
  /// Signed width of w = shift_round_even(u * r, R - G) (|w| <= 2^(W_IN - 1 + G)).
  int wBits() const { return inWidth + G + 1; }
  /// Signed width of the multiplier and of w * mult.
  int mBits() const;
  /// Signed width of the product the output multiplier sees times it: w * mult,
  /// or u * mult under ProbQuant.
  int zBits() const { return (prob.on ? uBits() : wBits()) + mBits(); }
  /// Bits of the numerator: 2^R (R + 1), or N = pm * 2^pk.
  int numBits() const;
  /// Division steps: one quotient bit per numerator bit.
  int divSteps() const { return numBits(); }
  /// Numerator bit i (0 = least significant).
  bool numBit(int i) const;
  /// Rows a query row attends to: row t sees t + 1 rows when causal (at most
  /// `window`), else T; the first is firstRow(t).
  int64_t rowsFor(int64_t t) const {
    return !causal ? T : window > 0 && window < t + 1 ? window : t + 1;
  }
  int64_t firstRow(int64_t t) const { return causal ? t + 1 - rowsFor(t) : 0; }
};

/// A model's quantizer inside attention (ONNX QuantizeLinear -> DequantizeLinear,
/// per tensor): real scale, zero point and the integer range [qmin, qmax].
struct InnerQuant {
  double scale = 0;
  int64_t zp = 0, qmin = 0, qmax = 0;
};

/// Builds the parameters for q, k, v codes of inWidth bits at real scales sq,
/// sk, sv (scores at sq * sk * scale) and output codes at sOut with zero point
/// zpOut, clamped to [lo, hi] (centered codes: zp already added). `scores` and
/// `probs` are the model's own quantizers of Q x K^T (before the scale) and of
/// the softmax, if it has them. Fails with a one-line reason when a width or
/// size is outside what is supported.
llvm::Expected<AttentionParams> makeAttention(int64_t T, int64_t C, int64_t H, bool causal,
                                              int inWidth, int outWidth, double sq, double sk,
                                              double sv, double scale, double sOut, int64_t zpOut,
                                              int64_t lo, int64_t hi,
                                              const std::optional<InnerQuant> &scores = {},
                                              const std::optional<InnerQuant> &probs = {},
                                              int64_t window = 0,
                                              const std::vector<double> &keyBias = {});

/// r = floor(2^R / S) (ProbQuant: floor(N / S)), S >= 1, as the restoring divider
/// computes it.
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
