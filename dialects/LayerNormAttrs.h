//===- LayerNormAttrs.h - integer LayerNorm attributes <-> numerics -*- C++ -*-===//
//
// nn.qlayernorm and df.layernorm carry the same attributes (epsilon_codes,
// pre_shift, recip_bits, norm_shift, out_shift, gamma, beta, lo, hi); this
// reads and checks them in one place for both dialects, so the reference
// interpreter, df-to-rtl and hw_model see one numerics::LayerNormParams.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECTS_LAYERNORMATTRS_H
#define LOOM_DIALECTS_LAYERNORMATTRS_H

#include "compiler/numerics/LayerNorm.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"

namespace loom {

template <typename Op>
numerics::LayerNormParams layerNormParamsOf(Op op, int64_t C, int inWidth, int outWidth) {
  numerics::LayerNormParams p;
  p.C = C, p.inWidth = inWidth, p.outWidth = outWidth;
  p.E = int64_t(op.getEpsilonCodes()), p.es = int(op.getEpsilonShift());
  p.P = int(op.getPreShift()), p.R = int(op.getRecipBits());
  p.sh1 = int(op.getNormShift()), p.sh2 = int(op.getOutShift());
  p.lo = int64_t(op.getLo()), p.hi = int64_t(op.getHi());
  p.rms = op.getRms();
  if (auto caps = op.getCodeCaps(); caps && caps->size() == 2)
    p.gCap = (*caps)[0], p.bCap = (*caps)[1];
  for (const llvm::APInt &v : op.getGamma().template getValues<llvm::APInt>())
    p.G.push_back(v.getSExtValue());
  for (const llvm::APInt &v : op.getBeta().template getValues<llvm::APInt>())
    p.B.push_back(v.getSExtValue());
  return p;
}

/// The verifier rules both ops share: one gamma / beta per channel, shifts in
/// range, the reciprocal covering the root (CONTRACTS "LayerNorm").
template <typename Op> mlir::LogicalResult verifyLayerNormAttrs(Op op, int64_t C) {
  if (op.getGamma().getNumElements() != C || op.getBeta().getNumElements() != C)
    return op.emitOpError("gamma and beta need ") << C << " elements (one per channel)";
  int64_t e = int64_t(op.getEpsilonCodes()), pre = int64_t(op.getPreShift());
  int64_t r = int64_t(op.getRecipBits()), s1 = int64_t(op.getNormShift());
  int64_t s2 = int64_t(op.getOutShift());
  if (e < 1 || e >= (int64_t(1) << 30))
    return op.emitOpError("epsilon_codes must be in [1, 2^30), got ") << e;
  int64_t es = int64_t(op.getEpsilonShift());
  if (pre < 1 || pre > 32 || r - pre + 1 > 62 || r < pre || s1 < 0 || s1 > 120 || s2 < 0 ||
      s2 > 62 || es < 0 || es > 2 * pre)
    return op.emitOpError("shifts out of range (pre_shift in [1, 32], recip_bits - pre_shift < 62, "
                          "norm_shift in [0, 120], out_shift in [0, 62], epsilon_shift in "
                          "[0, 2 pre_shift])");
  if (int64_t(op.getLo()) > int64_t(op.getHi()))
    return op.emitOpError("lo ") << int64_t(op.getLo()) << " exceeds hi " << int64_t(op.getHi());
  return mlir::success();
}

} // namespace loom

#endif
