//===- ImportToNN.h - ONNX model -> nn dialect ------------------*- C++ -*-===//
#ifndef LOOM_COMPILER_NNIMPORT_IMPORTTONN_H
#define LOOM_COMPILER_NNIMPORT_IMPORTTONN_H

#include "compiler/onnx/OnnxModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace loom {

/// Builds `func.func @<graph>(inputs) -> outputs` in the nn dialect, one op per
/// ONNX node (normalization folds them later). Fails with one line naming the
/// file and every unsupported node (name and op type) at once. Notes such as
/// "batch dimension set to 1" are appended to `warnings`.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importToNN(const onnx::OnnxModel &model, mlir::MLIRContext &ctx, std::vector<std::string> &warnings);

/// ONNX op types the dense path imports.
const std::vector<std::string> &supportedOnnxOps();

/// True if the importer handles op `opType` of `domain` ("" = default
/// domain): supportedOnnxOps(), com.microsoft QLinearAdd, and QONNX Quant /
/// BipolarQuant (domains qonnx.custom_op.general, finn.custom_op.general,
/// onnx.brevitas).
bool isSupportedOnnxNode(llvm::StringRef domain, llvm::StringRef opType);

} // namespace loom

#endif
