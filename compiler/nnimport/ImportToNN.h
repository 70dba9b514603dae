//===- ImportToNN.h - ONNX model -> nn dialect ------------------*- C++ -*-===//
#ifndef LOOM_COMPILER_NNIMPORT_IMPORTTONN_H
#define LOOM_COMPILER_NNIMPORT_IMPORTTONN_H

#include "compiler/onnx/OnnxModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace loom {

/// Builds `func.func @<graph>(inputs) -> outputs` in the nn dialect, one op per
/// ONNX node (normalization folds them later). Fails with one line naming the
/// file and every unsupported node (name and op type) at once. Notes such as
/// "batch dimension set to 1" are appended to `warnings`.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> importToNN(const onnx::OnnxModel &model,
                                                             mlir::MLIRContext &ctx,
                                                             std::vector<std::string> &warnings);

/// Rewrites the decomposed GELU (erf and tanh forms) and SiLU chains that
/// exporters write into the com.microsoft Gelu / FastGelu / QuickGelu nodes
/// the importer computes by one table (compiler/nnimport/FuseActivations.cpp).
/// importToNN runs it on a copy of the model.
void fuseActivationChains(onnx::OnnxModel &model);

/// Removes the nodes that are the identity on float32 tensors (Cast to FLOAT
/// of a float tensor, Max / Min with float32's extreme): ElideNoOps.cpp.
void elideNoOps(onnx::OnnxModel &model);

/// Removes grouped-query attention's repeat_kv (Unsqueeze -> Expand ->
/// Reshape, or Tile, of the K / V heads) by widening the K / V projection to
/// as many heads as the query (WidenGroupedKV.cpp); a note per rewrite goes to
/// `warnings` (the KV cache grows by the repeat). Returns, by node name, why
/// each Expand / Tile left in place could not be removed.
std::map<std::string, std::string> widenGroupedKV(onnx::OnnxModel &model,
                                                  std::vector<std::string> &warnings);

/// Splits a fused projection that its readers take apart on activations
/// (NeoX's Slice / Split of the [.., H, 3D] view, BLOOM's Gather of the
/// [.., H, 3, D] view, Phi-3's Slice of [.., 3C]) into one projection per
/// part (SplitFusedQKV.cpp).
void splitFusedQKV(onnx::OnnxModel &model);

/// Gives OPT's / BLOOM's 3-D batched attention ([H, T, D] views of the
/// [1, H, T, D] heads) its leading 1 back (LiftBatchedMatMul.cpp).
void liftBatchedMatMuls(onnx::OnnxModel &model);

/// Rewrites a partial rotary (rotary on the first R of D head dims, the rest
/// passed through) on q and k as a full one on head dims permuted alike in
/// both projections (PermutePartialRotary.cpp).
void permutePartialRotary(onnx::OnnxModel &model);

/// Multiplies a scale applied to the token embeddings (Mul(Gather(table,
/// ids), s)) into a copy of the table (FoldEmbedScale.cpp).
void foldEmbedScale(onnx::OnnxModel &model);

/// Default-domain ONNX op types the importer imports, in the order of its op
/// table (compiler/nnimport/ImportTable.cpp).
const std::vector<std::string> &supportedOnnxOps();

/// True if the importer's op table imports op `opType` of `domain` ("" =
/// default domain) at some opset: supportedOnnxOps(), com.microsoft QLinearAdd
/// / QLinearGlobalAveragePool / QLinearConcat / Gelu / FastGelu / QuickGelu, and QONNX Quant / BipolarQuant
/// / Trunc (domains qonnx.custom_op.general, finn.custom_op.general,
/// onnx.brevitas).
bool isSupportedOnnxNode(llvm::StringRef domain, llvm::StringRef opType);

} // namespace loom

#endif
