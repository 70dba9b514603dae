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
    hw::UnitStages stages = std::visit(
        [&](const auto &c) -> hw::UnitStages {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, hw::MvuConfig> || std::is_same_v<T, hw::DwuConfig>)
            return hw::unitStagesFor(timing, c, mhz);
          return {};
        },
        *config);
    auto i64 = [&](int v) { return IntegerAttr::get(IntegerType::get(op->getContext(), 64), v); };
    auto set = [&](auto unit) {
      if (stages.mac > 0)
        unit.setPipelineStagesAttr(i64(stages.mac));
      else
        unit.removePipelineStagesAttr();
      if (stages.requant > 0)
        unit.setRequantStagesAttr(i64(stages.requant));
      else
        unit.removeRequantStagesAttr();
    };
    llvm::TypeSwitch<Operation *>(op)
        .Case([&](df::MvuOp unit) { set(unit); })
        .Case([&](df::DwuOp unit) { set(unit); });
  });
}

} // namespace loom
