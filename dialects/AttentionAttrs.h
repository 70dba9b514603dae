//===- AttentionAttrs.h - integer attention attributes <-> numerics -*- C++ -*-===//
//
// nn.qattention and df.attention carry the same attributes (heads, causal,
// exp_shift, exp_table, mult, shift, zp, lo, hi, and a QDQ export's
// score_requant / prob_quant); this reads and checks them
// in one place for both dialects, so the reference interpreter, df-to-rtl and
// hw_model see one numerics::AttentionParams.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECTS_ATTENTIONATTRS_H
#define LOOM_DIALECTS_ATTENTIONATTRS_H

#include "compiler/numerics/Attention.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"

#include <algorithm>

namespace loom {

template <typename Op>
numerics::AttentionParams attentionParamsOf(Op op, int64_t T, int64_t C, int inWidth,
                                            int outWidth) {
  numerics::AttentionParams p;
  p.T = T, p.C = C, p.H = int64_t(op.getHeads()), p.causal = op.getCausal();
  p.window = op.getWindow() ? int64_t(*op.getWindow()) : 0;
  if (auto kb = op.getKeyBiasAttr())
    for (const llvm::APInt &v : kb.template getValues<llvm::APInt>())
      p.keyBias.push_back(v.getSExtValue());
  p.inWidth = inWidth, p.outWidth = outWidth;
  p.exp.shift = int(op.getExpShift());
  for (const llvm::APInt &v : op.getExpTable().template getValues<llvm::APInt>())
    p.exp.values.push_back(v.getSExtValue());
  int64_t maxV = 0;
  for (int64_t v : p.exp.values)
    maxV = std::max(maxV, v);
  p.exp.bits = 16; // EXP_BITS >= 16, as numerics::makeExpTableForScale
  while (p.exp.bits < 63 && (maxV >> p.exp.bits) != 0)
    ++p.exp.bits;
  p.mult = int64_t(op.getMult()), p.shift = int(op.getShift());
  p.zp = int64_t(op.getZp()), p.lo = int64_t(op.getLo()), p.hi = int64_t(op.getHi());
  if (auto s = op.getScoreRequant(); s && s->size() == 4) {
    p.score.on = true;
    p.score.mult = (*s)[0], p.score.shift = int((*s)[1]), p.score.lo = (*s)[2], p.score.hi = (*s)[3];
  }
  if (auto s = op.getProbQuant(); s && s->size() == 4) {
    p.prob.on = true;
    p.prob.pm = (*s)[0], p.prob.pk = int((*s)[1]), p.prob.lo = (*s)[2], p.prob.hi = (*s)[3];
  }
  return p;
}

/// The verifier rules both ops share (CONTRACTS "Attention").
template <typename Op>
mlir::LogicalResult verifyAttentionAttrs(Op op, int64_t T, int64_t C, int inWidth) {
  int64_t h = int64_t(op.getHeads());
  if (h < 1 || C % h)
    return op.emitOpError("heads ") << h << " must divide the " << C << " channels";
  if (T < 1 || T > numerics::AttentionParams::kMaxRows)
    return op.emitOpError("rows ")
           << T << " outside [1, " << numerics::AttentionParams::kMaxRows << "]";
  if (inWidth < 2 || inWidth > numerics::AttentionParams::kMaxWidth)
    return op.emitOpError("input codes of ")
           << inWidth << " bits outside [2, " << numerics::AttentionParams::kMaxWidth << "]";
  int64_t depth = op.getExpTable().getNumElements();
  if (depth < 1 || depth > 4096)
    return op.emitOpError("exp_table needs 1 to 4096 entries, got ") << depth;
  if ((*op.getExpTable().template getValues<llvm::APInt>().begin()).getSExtValue() < (1 << 14))
    return op.emitOpError("exp_table[0] must be >= 2^14 (so S >= 2^14)");
  if (int64_t(op.getShift()) < 0 || int64_t(op.getShift()) > 62 || int64_t(op.getExpShift()) < 0 ||
      int64_t(op.getExpShift()) > 62)
    return op.emitOpError("shift and exp_shift must be in [0, 62]");
  if (int64_t(op.getMult()) < 1 || int64_t(op.getMult()) >= (int64_t(1) << 24))
    return op.emitOpError("mult must be in [1, 2^24)");
  if (int64_t(op.getLo()) > int64_t(op.getHi()))
    return op.emitOpError("lo ") << int64_t(op.getLo()) << " exceeds hi " << int64_t(op.getHi());
  if (auto kb = op.getKeyBiasAttr(); kb && kb.getNumElements() != h * T)
    return op.emitOpError("key_bias needs heads * T = ") << h * T << " codes";
  if (auto w = op.getWindow(); w && (int64_t(*w) < 1 || !op.getCausal()))
    return op.emitOpError("a window needs a causal attention and at least 1 row, got ")
           << int64_t(*w);
  if (auto s = op.getScoreRequant()) {
    if (s->size() != 4 || (*s)[0] < 1 || (*s)[0] >= (int64_t(1) << 24) || (*s)[1] < 0 ||
        (*s)[1] > 62 || (*s)[2] > (*s)[3] || (*s)[3] - (*s)[2] >= (int64_t(1) << 16))
      return op.emitOpError("score_requant must be [mult in [1, 2^24), shift in [0, 62], lo, hi] "
                            "with at most 2^16 codes");
  }
  if (auto s = op.getProbQuant()) {
    if (s->size() != 4 || (*s)[0] < 1 || (*s)[0] >= (int64_t(1) << 24) || (*s)[1] < 0 ||
        (*s)[1] + numerics::bitsOf((unsigned __int128)(*s)[0]) > 62 || (*s)[2] > (*s)[3] ||
        (*s)[3] - (*s)[2] >= (int64_t(1) << 16))
      return op.emitOpError("prob_quant must be [pm in [1, 2^24), pk, lo, hi] with a numerator "
                            "pm * 2^pk of at most 62 bits and at most 2^16 codes");
  }
  return mlir::success();
}

} // namespace loom

#endif
