//===- NNQuantizeAffine.cpp - QDQ float graph -> affine integer graph -----===//
//
// See NNQuantizeAffine.h and docs/CONTRACTS.md "Affine integer graphs".
//
//===----------------------------------------------------------------------===//
#include "passes/NNQuantizeAffine.h"

#include "dialects/nn/NNOps.h"

using namespace mlir;

bool loom::hasAffineQuantization(func::FuncOp func) {
  bool found = false;
  func.walk([&](Operation *op) {
    if (llvm::isa<nn::QuantizeLinearOp, nn::DequantizeLinearOp>(op))
      found = true;
  });
  return found;
}

LogicalResult loom::lowerAffineQuantization(func::FuncOp func) {
  return func.emitError("quantized graphs are not lowered yet");
}
