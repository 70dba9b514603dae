//===- RuntimeInt8.h - the int8 architecture of --runtime-weights -*- C++ -*-===//
//
// `--runtime-weights --precision int8`: one build runs every weight set of its
// architecture, so the quantizers that shape its RTL belong to the architecture, not to
// one weight set (docs/CONTRACTS.md "Weight-load stream"). The first model fixes them
// with a margin; layout.json `compile.int8` records them; another model compiled for
// the architecture (pack-weights, sim --weights) reuses them:
//  - every activation quantizer: the calibrated [min, max], widened by the margin;
//  - every dense / conv layer's per-channel weight scales: margin x its largest |w| / 127
//    (so the requantisation multipliers s_in * s_w / s_out are ROM constants of the
//    design); a weight set with a weight beyond +-127 steps is refused;
//  - every layer's bias width, which with int8 weights over the input's codes sizes its
//    accumulator.
// The weights and biases themselves are the load image, as in fixed<W,I> builds.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FLOWS_RUNTIMEINT8_H
#define LOOM_FLOWS_RUNTIMEINT8_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace loom {

/// The first model's activation ranges and weight scales are widened by this much.
constexpr double kRuntimeInt8Margin = 1.25;

/// What layout.json `compile.int8` records, filled stage by stage.
struct Int8Architecture {
  llvm::json::Array ranges; ///< {"value", "range": [lo, hi]}: inputs, then ops in order
  llvm::json::Array layers; ///< {"node", "weight_scale": [...], "bias_bits"}, in order
};

/// On the calibrated float graph, before nn-insert-quant: marks `func` for run-time
/// weights and fixes its quantizers. `recorded` (layout.json compile.int8 as text, from
/// compileSameArchitecture) gives the architecture's ranges, weight scales and bias
/// widths; empty, this model's ranges are widened by the margin and become the
/// architecture's. Fills `arch.ranges`. A graph whose values or layers do not match the
/// record is refused, naming the first difference.
llvm::Error fixInt8Architecture(mlir::func::FuncOp func, const std::string &recorded,
                                Int8Architecture &arch);

/// After nn-insert-quant: each layer's weight scales into `arch.layers`.
void recordInt8WeightScales(mlir::func::FuncOp func, Int8Architecture &arch);

/// After nn-quantize: each lowered layer's bias width into `arch.layers`.
llvm::Error recordInt8BiasBits(mlir::func::FuncOp func, Int8Architecture &arch);

/// layout.json's `compile.int8` object.
llvm::json::Object int8ArchitectureJson(const Int8Architecture &arch);

} // namespace loom

#endif
