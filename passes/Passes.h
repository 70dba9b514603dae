//===- Passes.h - Loom pass declarations ------------------------*- C++ -*-===//
#ifndef LOOM_PASSES_PASSES_H
#define LOOM_PASSES_PASSES_H

#include "dialects/df/DFOps.h"
#include "dialects/nn/NNOps.h"
#include "dialects/rtl/RTLOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace loom {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// --precision auto on a mixed graph (docs/CONTRACTS.md, "Automatic
/// formats"): the number of float tensors nn-insert-quant mode=auto would
/// quantize in `func` around the model's own quantizers (0: none, the model
/// is quantized throughout). Failure (with an error emitted): an op auto
/// cannot take.
mlir::FailureOr<int> floatTensorsToQuantize(mlir::func::FuncOp func);

} // namespace loom

#endif
