//===- NNOps.h - nn dialect declarations ------------------------*- C++ -*-===//
#ifndef LOOM_DIALECTS_NN_NNOPS_H
#define LOOM_DIALECTS_NN_NNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <cmath>
#include <optional>
#include <utility>

#include "compiler/numerics/Attention.h"
#include "compiler/numerics/LayerNorm.h"
#include "compiler/numerics/Rotary.h"
#include "dialects/nn/NNAttrs.h"
#include "dialects/nn/NNTraits.h"

#include "dialects/nn/NNOpsDialect.h.inc"

// TableActivationOpInterface, WeightedLayerOpInterface (NNCategories.td).
#include "dialects/nn/NNCategories.h.inc"

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.h.inc"

namespace loom::nn {
/// Discardable attribute naming the ONNX node an op came from; passes keep it.
constexpr llvm::StringLiteral kNodeNameAttr = "onnx.node";
/// Discardable attribute naming the ONNX op type an op came from.
constexpr llvm::StringLiteral kOpTypeAttr = "onnx.op";
} // namespace loom::nn

#endif
