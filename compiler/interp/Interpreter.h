//===- Interpreter.h - reference forward pass of an nn graph ----*- C++ -*-===//
//
// Runs an nn function (float, or quantized after nn-quantize) on one frame.
// On a quantized graph this is the bit-exact ground truth the RTL is compared
// with: every integer op calls the compiler/reference kernels, which follow
// docs/CONTRACTS.md, with the op's own attributes (weights, shifts, tables).
// Each op's evaluation is its nn::ReferenceEvalOpInterface external model
// (dialects/nn/NNInterfaces.td), one file per op family in this folder; a
// context that interprets must have registerReferenceModels in its registry.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_INTERP_INTERPRETER_H
#define LOOM_COMPILER_INTERP_INTERPRETER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace loom {

/// Adds the reference evaluation of every nn op (external models of
/// nn::ReferenceEvalOpInterface) to `registry`; call it on the registry of
/// every context that runs interpretFrame.
void registerReferenceModels(mlir::DialectRegistry &registry);

struct FrameResult {
  /// Per function result, the flat float values.
  std::vector<std::vector<double>> outputs;
  /// Quantized graphs only: per argument, the integers the hardware receives
  /// (the nn.quantize results), and per result, the integers it must produce
  /// (the nn.dequantize operands).
  std::vector<std::vector<int64_t>> rawInputs, rawOutputs;
};

/// `inputs` holds one flat float vector per function argument.
llvm::Expected<FrameResult> interpretFrame(mlir::func::FuncOp func,
                                           const std::vector<std::vector<double>> &inputs);

/// Sees every value of one frame: each function argument, then each op result
/// in execution order, as flat doubles (calibration for --precision int8).
using ValueObserver = llvm::function_ref<void(mlir::Value, const std::vector<double> &)>;

/// interpretFrame that also reports every value to `observe`.
llvm::Expected<FrameResult> interpretFrame(mlir::func::FuncOp func,
                                           const std::vector<std::vector<double>> &inputs,
                                           ValueObserver observe);

} // namespace loom

#endif
