//===- DFCost.h - df actors as hw_model configurations ----------*- C++ -*-===//
//
// The one place that maps a df actor to the hw_model's description of the
// RTL module that implements it (field names = RTL parameter names). The
// folding pass, the report and the RTL lowering all go through it, so the
// model always describes the hardware that is emitted.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PASSES_DFCOST_H
#define LOOM_PASSES_DFCOST_H

#include "dialects/df/DFOps.h"
#include "dialects/nn/NNOps.h"
#include "hw_model/Configs.h"
#include "hw_model/Pipeline.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>

namespace loom {

/// The hw_model configuration of a df actor (one configOf per op in
/// DFCost.cpp); nullopt for df.input / df.output.
std::optional<hw::ActorConfig> hwConfigOf(mlir::Operation *op);

/// The actors of a df graph (every op but df.input/df.output, in op order) as
/// hw_model graph nodes; node i is actors[i]. A df.fork's first result must be
/// consumed before its second (hw_model's port convention). With `skipFifos`,
/// df.fifo ops are left out (their producer feeds their consumer directly) and
/// `fifoEdges` receives, per skipped fifo, the (consumer node, input port) it fed.
struct HwGraph {
  std::vector<mlir::Operation *> actors;
  std::vector<hw::Node> nodes;
  std::vector<std::pair<mlir::Operation *, std::pair<int, int>>> fifoEdges;
};
mlir::FailureOr<HwGraph> hwGraphOf(mlir::func::FuncOp graph, bool skipFifos = false);

/// The RTL's ACT code of a df activation (every table function is Table).
hw::ActCode actCodeOf(df::Activation act);

} // namespace loom

#endif
