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

#include "compiler/numerics/Attention.h"
#include "compiler/numerics/LayerNorm.h"
#include "compiler/numerics/Rotary.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace loom {

/// True when `func` holds nn.quantize_linear / nn.dequantize_linear ops.
bool hasAffineQuantization(mlir::func::FuncOp func);

/// Rewrites `func` into integer nn ops (centered codes, docs/CONTRACTS.md).
/// Emits a one-line error naming the op on anything it cannot lower.
mlir::LogicalResult lowerAffineQuantization(mlir::func::FuncOp func);

/// --runtime-weights: a parameter tensor (weights, biases, tables, gamma / beta) must
/// hold any weight set of the architecture, so one with a value beyond [lo, hi] by more
/// than half a `step` (codes round half to even) is refused, not saturated: one line
/// naming the node, the tensor, its range and `scale` (what fixes [lo, hi]), then
/// `advice`. For both the fixed-point and the affine lowering.
mlir::LogicalResult runtimeParamWithin(mlir::Operation *op, llvm::StringRef what,
                                       mlir::ElementsAttr values, double lo, double hi,
                                       double step, llvm::StringRef scale,
                                       llvm::StringRef advice = "");

/// nn.qlayernorm with the parameters `p` (passes/affine/Norm.cpp), for both
/// the fixed-point and the affine lowering.
mlir::Value buildQLayerNorm(mlir::OpBuilder &b, mlir::Location loc, mlir::Type outType,
                            mlir::Value in, const numerics::LayerNormParams &p);

/// Host nn.quantize of token-id input `arg` (ids in [lo, hi]): the ids
/// themselves (integer_input, scale 1, zero point 0) in an unsigned word of
/// ceil(log2(hi + 1)) bits, marked `loom.index` (report.json, nn-to-df).
mlir::Value buildIndexQuantize(mlir::OpBuilder &b, mlir::BlockArgument arg, int64_t lo,
                               int64_t hi);

/// nn.qembed of `op` with both tables as codes at `scale` saturated to
/// `width` bits and the output clamp [lo, hi] (passes/affine/Embed.cpp), for
/// both lowerings.
mlir::Value buildQEmbed(mlir::OpBuilder &b, nn::EmbedOp op, mlir::Type outType, mlir::Value ids,
                        double scale, int width, int64_t lo, int64_t hi);
/// nn.qattention of codes q, k, v with the parameters `p` (passes/affine/Attention.cpp),
/// for both the fixed-point and the affine lowering.
mlir::Value buildQAttention(mlir::OpBuilder &b, mlir::Location loc, mlir::Type outType,
                            mlir::Value q, mlir::Value k, mlir::Value v,
                            const numerics::AttentionParams &p);
/// A model's quantizer inside nn.attention (score_quant / prob_quant) for
/// numerics::makeAttention; nullopt for a null attribute.
std::optional<numerics::InnerQuant> innerQuantOf(nn::QuantizerAttr a);
/// nn.attention's ALiBi key bias ([H, T], float), empty without one.
std::vector<double> keyBiasOf(nn::AttentionOp att);
/// nn.qrotary of codes `in` with the parameters `p` (passes/affine/Attention.cpp),
/// for both the fixed-point and the affine lowering.
mlir::Value buildQRotary(mlir::OpBuilder &b, mlir::Location loc, mlir::Type outType, mlir::Value in,
                         const numerics::RotaryParams &p);

} // namespace loom

#endif
