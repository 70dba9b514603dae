//===- Rotary.h - integer rotary position embedding ------------*- C++ -*-===//
//
// The integer rotary embedding of docs/CONTRACTS.md ("Rotary"): rows of C
// codes (token t, channel c = h*D + d), each channel paired with its partner
// p(c) = h*D + (d + D/2) mod D in the same head, and per (t, c) two table
// codes with 14 fraction bits, COS[t][c] = round_half_even(cos * 2^14) and
// SIN[t][c] = round_half_even(sign * sin * 2^14) (sign -1 for d < D/2: HF's
// rotate_half is [-x2, x1]):
//   acc = x[c] * COS[t][c] + x[p(c)] * SIN[t][c]                 (exact)
//   y[t][c] = clamp(shift_round_even(acc * M, SH), lo, hi)
// with M, SH = makeRequant(s_in * 2^-14 / s_out). One implementation for the
// quantizers, the reference interpreter and the loom_rotary testbench.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NUMERICS_ROTARY_H
#define LOOM_COMPILER_NUMERICS_ROTARY_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace loom::numerics {

struct RotaryParams {
  static constexpr int kFrac = 14;    // table fraction bits
  static constexpr int kTableBits = 16; // signed table word (|code| <= 2^14)
  int64_t T = 0, C = 0, D = 0;        // rows, channels, head dim (even, divides C)
  int inWidth = 0, outWidth = 0;
  std::vector<int64_t> cos, sin;      // [T * C] codes, kFrac fraction bits
  int64_t mult = 1;
  int shift = 0;
  int64_t lo = 0, hi = 0;

  /// Signed width of acc = x * COS + x' * SIN (any input codes).
  int accBits() const;
  /// Signed width of the multiplier M.
  int mBits() const;
  /// Signed width of acc * M.
  int zBits() const;
};

/// Partner channel of c in heads of D: same head, d + D/2 mod D.
inline int64_t rotaryPartner(int64_t c, int64_t D) { return c - c % D + (c % D + D / 2) % D; }

/// Table codes of cos / signed-sin values: round_half_even(v * 2^14).
std::vector<int64_t> rotaryTableCodes(const std::vector<double> &values);

/// Parameters for tables `cos` / `sin` ([T*C] floats, sin already signed),
/// input scale sIn, output scale sOut and output range [lo, hi]. Fails with
/// one line when the shapes, widths or scale ratio are not supported.
llvm::Expected<RotaryParams> makeRotary(int64_t T, int64_t C, int64_t D, int inWidth,
                                        int outWidth, const std::vector<double> &cos,
                                        const std::vector<double> &sin, double sIn, double sOut,
                                        int64_t lo, int64_t hi);

/// One output code from x[c], x[p(c)] and the table codes.
int64_t rotaryCode(const RotaryParams &p, int64_t x, int64_t xp, int64_t cosCode,
                   int64_t sinCode);

/// A frame of T*C input codes (row t = position t) -> T*C output codes.
std::vector<int64_t> rotaryFrame(const RotaryParams &p, const std::vector<int64_t> &x);

} // namespace loom::numerics

#endif
