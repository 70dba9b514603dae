//===- FifoSizing.cpp - depths of the df.fifo actors from the hw_model ----===//
//
// The last step of df-fold: after the folding, the FIFOs in front of joins get
// the depths the hw_model's simulation needs so that the design neither
// deadlocks nor stalls, then the smallest depths that keep the predicted timing.
//
//===----------------------------------------------------------------------===//
#include "passes/FifoSizing.h"

#include "passes/DFCost.h"

#include "hw_model/Pipeline.h"

#include <algorithm>

using namespace mlir;
using namespace loom;

/// sizeFifos takes each FIFO's peak occupancy in a run where the
/// producers race ahead of the bottleneck, which can be far more than
/// needed. Shrink each FIFO (binary search) to the smallest depth that keeps
/// the predicted II and latency. It compares every frame's end, not only the
/// last interval: a FIFO a few entries short can give alternating intervals
/// (64, 74, 64, ...) whose last one still equals the II (side_gmp: 124 instead
/// of 134 entries, measured II 74 on 5 frames, mean 69).
static LogicalResult shrinkFifos(func::FuncOp graph) {
  auto timing = [&]() -> std::optional<std::vector<int64_t>> {
    auto g = hwGraphOf(graph);
    if (failed(g))
      return std::nullopt;
    hw::PipelineTiming t = hw::predictGraphTiming(g->nodes);
    if (!t.ok)
      return std::nullopt;
    return t.frame_end_cycles;
  };
  auto target = timing();
  if (!target)
    return graph.emitError("hw_model: the sized FIFOs do not give a working design");
  for (auto fifo : graph.getOps<df::FifoOp>()) {
    int64_t hi = fifo.getDepth(), lo = 2;
    while (lo < hi) {
      int64_t mid = (lo + hi) / 2;
      fifo.setDepth(mid);
      auto t = timing();
      if (t && *t == *target)
        hi = mid;
      else
        lo = mid + 1;
    }
    fifo.setDepth(hi);
  }
  return success();
}

/// Depth of every df.fifo (they sit in front of joins) from the hw_model.
LogicalResult loom::sizeFifos(func::FuncOp graph) {
  auto fifos = llvm::to_vector(graph.getOps<df::FifoOp>());
  if (fifos.empty())
    return success();
  auto g = hwGraphOf(graph, /*skipFifos=*/true);
  if (failed(g))
    return failure();
  std::string error;
  std::vector<hw::Edge> edges = hw::graphEdges(g->nodes, &error);
  if (edges.empty())
    return graph.emitError("hw_model: ") << error;
  std::vector<bool> mask(edges.size(), false);
  std::vector<Operation *> fifoOfEdge(edges.size(), nullptr);
  for (auto &[fifo, port] : g->fifoEdges)
    for (size_t e = 0; e < edges.size(); ++e)
      if (edges[e].to == port.first && edges[e].toPort == port.second)
        mask[e] = true, fifoOfEdge[e] = fifo;
  hw::FifoSizing sizing = hw::sizeFifos(g->nodes, hw::kPredictFrames, mask);
  if (sizing.depth.size() != edges.size())
    return graph.emitError("hw_model FIFO sizing: ") << sizing.error;
  for (size_t e = 0; e < edges.size(); ++e)
    if (fifoOfEdge[e])
      llvm::cast<df::FifoOp>(fifoOfEdge[e]).setDepth(std::max(2, sizing.depth[e]));
  // The peak occupancies may still lose cycles where other (unbuffered)
  // edges fill up differently; double the FIFOs until the design reaches
  // the II it has with unbounded FIFOs.
  for (int round = 0; !sizing.ok && round < 8; ++round) {
    auto full = hwGraphOf(graph);
    if (failed(full))
      return failure();
    hw::PipelineTiming t = hw::predictGraphTiming(full->nodes);
    if (t.ok && t.frame_end_cycles == sizing.frame_end_unbounded)
      break;
    for (auto fifo : graph.getOps<df::FifoOp>())
      fifo.setDepth(2 * fifo.getDepth());
  }
  return shrinkFifos(graph);
}
