//===- IntAttrs.h - integer tensors and constants of the nn graph --*- C++ -*-===//
//
// The quantizers build integer tensor types and constants, the lowerings and
// the reference interpreter read integer constants back; one definition
// serves them all.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECTS_NN_INTATTRS_H
#define LOOM_DIALECTS_NN_INTATTRS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <vector>

namespace loom {

/// The integer twin of a float tensor type: same shape, `width`-bit signless.
inline mlir::RankedTensorType intTensor(mlir::Type floatTensor, unsigned width) {
  auto t = llvm::cast<mlir::RankedTensorType>(floatTensor);
  return mlir::RankedTensorType::get(t.getShape(), mlir::IntegerType::get(t.getContext(), width));
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

/// The values of an integer constant, sign-extended.
inline std::vector<int64_t> ints(mlir::ElementsAttr attr) {
  std::vector<int64_t> out;
  for (llvm::APInt v : attr.getValues<llvm::APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

} // namespace loom

#endif
