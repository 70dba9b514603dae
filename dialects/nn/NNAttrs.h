//===- NNAttrs.h - typed attributes of the nn dialect -----------*- C++ -*-===//
//
// #nn.fixed<W, I>: a fixed-point number format (NNAttrs.td).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECTS_NN_NNATTRS_H
#define LOOM_DIALECTS_NN_NNATTRS_H

#include "compiler/numerics/FixedPoint.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#define GET_ATTRDEF_CLASSES
#include "dialects/nn/NNAttrs.h.inc"

namespace loom::nn {
/// Attribute of an integer op recording the number format of its result
/// (a FixedFormatAttr): the per-tensor format of docs/CONTRACTS.md.
constexpr llvm::StringLiteral kFormatAttr = "format";
} // namespace loom::nn

#endif
