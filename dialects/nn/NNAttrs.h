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
/// Calibrated [min, max] of a value (array<f64>), on its defining op or on a
/// function argument: the compile flow attaches them, nn-insert-quant reads them.
constexpr llvm::StringLiteral kCalibAttr = "loom.calib";
/// A FixedFormatAttr the --formats file forces on a value (same places).
constexpr llvm::StringLiteral kPinAttr = "loom.pin";
/// --precision auto: a layer's weight format (FixedFormatAttr), the
/// power-of-two grid its weight_scale is.
constexpr llvm::StringLiteral kWeightFormatAttr = "weight_format";
/// A layer whose weights Loom quantized (--precision int8 / auto, unit): its
/// bias rounds onto the accumulator grid, as an int8 exporter's int32 bias
/// does, instead of keeping a fraction (a model's own quantized layers keep
/// their float bias exactly: docs/CONTRACTS.md "post-multiply bias").
constexpr llvm::StringLiteral kBiasOnGridAttr = "loom.bias_on_grid";
/// --runtime-weights with --precision int8 (docs/CONTRACTS.md "Weight-load stream"): the
/// formats belong to the architecture. On the function (unit): dense / conv layers get
/// int8 weight codes and an accumulator sized for any weights of their formats. On a
/// layer: the per-channel weight scales (array<f64>) the architecture fixes, which
/// nn-insert-quant uses instead of the weights' own, and the bias width (i64) its
/// accumulator is sized for; nn-quantize records the width it chose on the lowered layer.
constexpr llvm::StringLiteral kRuntimeWeightsAttr = "loom.runtime_weights";
constexpr llvm::StringLiteral kRtWeightScaleAttr = "loom.rt_weight_scale";
constexpr llvm::StringLiteral kRtBiasBitsAttr = "loom.rt_bias_bits";
} // namespace loom::nn

#endif
