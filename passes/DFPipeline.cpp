//===- DFPipeline.cpp - register stages for a clock target ----------------===//
#include "passes/DFPipeline.h"
#include "passes/DFCost.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace loom {

void assignPipelineStages(func::FuncOp graph, const hw::FamilyTiming &timing, double mhz) {
  graph.walk([&](Operation *op) {
    auto config = hwConfigOf(op);
    if (!config)
      return;
    // The units whose datapath has stages to add; other actors keep theirs.
    int stages = std::visit(
        [&](const auto &c) -> int {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, hw::MvuConfig> || std::is_same_v<T, hw::DwuConfig>)
            return hw::macStagesFor(timing, c, mhz);
          return 0;
        },
        *config);
    auto set = [&](auto unit) {
      if (stages > 0)
        unit.setPipelineStagesAttr(IntegerAttr::get(IntegerType::get(op->getContext(), 64), stages));
      else
        unit.removePipelineStagesAttr();
    };
    llvm::TypeSwitch<Operation *>(op)
        .Case([&](df::MvuOp unit) { set(unit); })
        .Case([&](df::DwuOp unit) { set(unit); });
  });
}

} // namespace loom
