//===- NNQuantizeAffine.h - QDQ float graph -> affine integer graph -*- C++ -*-===//
//
// The half of nn-quantize that handles graphs which already carry their own
// quantization (nn.quantize_linear / nn.dequantize_linear): QDQ, QOperator and
// QONNX imports, and float graphs after nn-insert-quant. The rules are in
// docs/CONTRACTS.md, "Affine integer graphs".
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PASSES_NNQUANTIZEAFFINE_H
#define LOOM_PASSES_NNQUANTIZEAFFINE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace loom {

/// True when `func` holds nn.quantize_linear / nn.dequantize_linear ops.
bool hasAffineQuantization(mlir::func::FuncOp func);

/// Rewrites `func` into integer nn ops (centered codes, docs/CONTRACTS.md).
/// Emits a one-line error naming the op on anything it cannot lower.
mlir::LogicalResult lowerAffineQuantization(mlir::func::FuncOp func);

} // namespace loom

#endif
