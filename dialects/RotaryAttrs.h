//===- RotaryAttrs.h - integer rotary attributes <-> numerics ---*- C++ -*-===//
//
// nn.qrotary and df.rotary carry the same attributes (head_dim, cos / sin
// table codes [T, C], mult, shift, lo, hi); these helpers turn them into one
// numerics::RotaryParams, so the quantizers, the interpreter, df-to-rtl and
// hw_model see the same numbers (docs/CONTRACTS.md "Rotary").
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECTS_ROTARYATTRS_H
#define LOOM_DIALECTS_ROTARYATTRS_H

#include "compiler/numerics/Rotary.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"

namespace loom {

template <typename Op>
numerics::RotaryParams rotaryParamsOf(Op op, int64_t T, int64_t C, int inWidth, int outWidth) {
  numerics::RotaryParams p;
  p.T = T, p.C = C, p.D = int64_t(op.getHeadDim()), p.inWidth = inWidth, p.outWidth = outWidth;
  p.mult = int64_t(op.getMult()), p.shift = int(op.getShift());
  p.lo = int64_t(op.getLo()), p.hi = int64_t(op.getHi());
  for (const llvm::APInt &v : op.getCos().template getValues<llvm::APInt>())
    p.cos.push_back(v.getSExtValue());
  for (const llvm::APInt &v : op.getSin().template getValues<llvm::APInt>())
    p.sin.push_back(v.getSExtValue());
  return p;
}

/// The verifier rules both ops share (CONTRACTS "Rotary").
template <typename Op> mlir::LogicalResult verifyRotaryAttrs(Op op, int64_t T, int64_t C) {
  int64_t d = int64_t(op.getHeadDim());
  if (d < 2 || d % 2 || C % d)
    return op.emitOpError("head_dim ") << d << " must be even and divide the " << C
                                       << " channels";
  if (op.getCos().getNumElements() != T * C || op.getSin().getNumElements() != T * C)
    return op.emitOpError("cos and sin need ") << T * C << " codes (rows x channels)";
  if (!llvm::isa<mlir::IntegerType>(op.getCos().getElementType()) ||
      !llvm::isa<mlir::IntegerType>(op.getSin().getElementType()))
    return op.emitOpError("cos and sin must hold integer codes");
  for (mlir::ElementsAttr t : {op.getCos(), op.getSin()})
    for (const llvm::APInt &v : t.template getValues<llvm::APInt>())
      if (std::abs(v.getSExtValue()) > (int64_t(1) << numerics::RotaryParams::kFrac))
        return op.emitOpError("table codes must be within +-2^14 (cos / sin with 14 fraction bits)");
  int64_t sh = int64_t(op.getShift()), m = int64_t(op.getMult());
  if (m < 1 || m >= (int64_t(1) << 24) || sh < 0 || sh > 62)
    return op.emitOpError("mult must be in [1, 2^24) and shift in [0, 62]");
  if (int64_t(op.getLo()) > int64_t(op.getHi()))
    return op.emitOpError("lo ") << int64_t(op.getLo()) << " exceeds hi " << int64_t(op.getHi());
  return mlir::success();
}

} // namespace loom

#endif
