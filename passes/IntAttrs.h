//===- IntAttrs.h - integer tensor types and constants for the quantizers -*- C++ -*-===//
//
// nn-quantize (fixed point) and its affine half build the same integer
// tensor types and constant attributes; one definition serves both.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PASSES_INTATTRS_H
#define LOOM_PASSES_INTATTRS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

namespace loom {

/// The integer twin of a float tensor type: same shape, `width`-bit signless.
inline mlir::RankedTensorType intTensor(mlir::Type floatTensor, unsigned width) {
  auto t = llvm::cast<mlir::RankedTensorType>(floatTensor);
  return mlir::RankedTensorType::get(t.getShape(),
                                     mlir::IntegerType::get(t.getContext(), width));
}

/// A dense `width`-bit integer constant of `shape` (values two's complement).
inline mlir::DenseElementsAttr intAttr(mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> shape,
                                       unsigned width, llvm::ArrayRef<int64_t> values) {
  auto type = mlir::RankedTensorType::get(shape, mlir::IntegerType::get(ctx, width));
  llvm::SmallVector<llvm::APInt> ints;
  for (int64_t v : values)
    ints.push_back(llvm::APInt(width, uint64_t(v), /*isSigned=*/true));
  return mlir::DenseElementsAttr::get(type, ints);
}

} // namespace loom

#endif
