//===- FifoSizing.h - depths of the df.fifo actors -------------*- C++ -*-===//
#ifndef LOOM_PASSES_FIFOSIZING_H
#define LOOM_PASSES_FIFOSIZING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace loom {

/// Sets the depth of every df.fifo of a folded graph (they sit in front of joins):
/// the peak occupancies of the hw_model's simulation, doubled until the design
/// reaches its unbounded-FIFO II, then each shrunk to the smallest depth keeping the
/// predicted frame ends. Errors name the hw_model failure.
mlir::LogicalResult sizeFifos(mlir::func::FuncOp graph);

} // namespace loom

#endif // LOOM_PASSES_FIFOSIZING_H
