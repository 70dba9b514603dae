//===- DFPipeline.h - register stages for a clock target --------*- C++ -*-===//
//
// df-fold's last step before FIFO sizing when a clock target is given: every
// df.mvu / df.dwu gets the MAC register stages the hw_model timing model
// (hw_model/Timing.h) says its folding needs at that clock, as the typed
// `pipeline_stages` attribute (loom_mvu's PIPE parameter), and the requantisation
// stage it needs as `requant_stages` (RQ_PIPE).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PASSES_DFPIPELINE_H
#define LOOM_PASSES_DFPIPELINE_H

#include "hw_model/Timing.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace loom {

/// Sets `pipeline_stages` on every compute unit of `graph` for `mhz` (> 0) under
/// `timing`; units that need none get no attribute, so their RTL is unchanged.
void assignPipelineStages(mlir::func::FuncOp graph, const hw::FamilyTiming &timing, double mhz);

} // namespace loom

#endif // LOOM_PASSES_DFPIPELINE_H
