//===- DFToRTL.cpp - dataflow actors -> netlist of library instances ------===//
//
// The top module: AXI4-Stream ports, one instance per actor from the hardware
// target (passes/rtltarget/: the Loom library today), the streams between
// them as nets, and a closing stage that marks frame ends on the master port.
// Each actor is lowered with the same hw_model configuration the cost model
// used (DFCost), so the model always describes the hardware that is emitted.
//
//===----------------------------------------------------------------------===//
#include "compiler/emit/Identifiers.h"
#include "passes/DFCost.h"
#include "passes/Passes.h"
#include "passes/rtltarget/RTLTarget.h"

#include "mlir/IR/Builders.h"

namespace loom {
#define GEN_PASS_DEF_DFTORTL
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

struct DFToRTLPass : loom::impl::DFToRTLBase<DFToRTLPass> {
  using DFToRTLBase::DFToRTLBase;

  void runOnOperation() override {
    std::unique_ptr<RTLTarget> target = createLoomLibraryTarget();
    for (auto graph : llvm::to_vector(getOperation().getOps<func::FuncOp>()))
      if (failed(lower(graph, *target)))
        return signalPassFailure();
  }

  LogicalResult lower(func::FuncOp graph, RTLTarget &target) {
    auto hwGraph = hwGraphOf(graph);
    if (failed(hwGraph))
      return failure();
    auto input = *graph.getOps<df::InputOp>().begin();
    auto output = *graph.getOps<df::OutputOp>().begin();
    auto inType = input.getOutput().getType(), outType = output.getInput().getType();
    unsigned inBits = inType.getLanes() * inType.getElementWidth();

    OpBuilder b(&getContext());
    Location loc = graph.getLoc();
    b.setInsertionPoint(graph);
    std::string top = topName.empty() ? legalName(graph.getName()) : legalName(topName);
    auto module = b.create<rtl::ModuleOp>(
        loc, b.getStringAttr(top),
        b.getStrArrayAttr(
            {"clk", "rst", "s_axis_tdata", "s_axis_tvalid", "s_axis_tlast", "m_axis_tready"}),
        b.getStrArrayAttr({"s_axis_tready", "m_axis_tdata", "m_axis_tvalid", "m_axis_tlast"}));
    Block *body = new Block();
    module.getBody().push_back(body);
    Type i1 = b.getI1Type();
    for (Type t : {i1, i1, Type(b.getIntegerType(inBits)), i1, i1, i1})
      body->addArgument(t, loc);
    Value mReady = body->getArgument(5);

    NetlistBuilder netlist(module, body->getArgument(0), body->getArgument(1));
    // The closing stage is always "out_tlast": reserve it before the actors
    // are named, or a node called "out_tlast" would get the same instance
    // name and duplicate nets.
    netlist.reserve("out_tlast");
    // Instances are created in op (topological) order; a producer's
    // out_ready input is patched once its consumer exists (the module body
    // is a graph region).
    Value graphIn = input.getOutput();
    netlist.setStreamNets(graphIn, body->getArgument(2), body->getArgument(3));
    for (auto [op, node] : llvm::zip(hwGraph->actors, hwGraph->nodes))
      if (failed(target.lowerActor(op, node.spec.config, netlist)))
        return failure();

    Value graphOut = output.getInput();
    auto producerSlot = netlist.readySlotOf(graphOut);
    auto last = target.lowerFrameEnd(graphOut, outType.getBeatsPerFrame(), "out_tlast", netlist);
    last->setOperand(netlist.readySlotOf(graphOut).second, mReady);
    netlist.readySlotOf(graphOut) = producerSlot;
    netlist.finish();
    b.setInsertionPointToEnd(body);
    b.create<rtl::OutputOp>(loc, ValueRange{netlist.readyOf(graphIn), last.getResult(1),
                                            last.getResult(2), last.getResult(3)});
    // Host-side facts the driver needs next to the netlist.
    module->setAttr("loom.in_lanes", b.getI64IntegerAttr(inType.getLanes()));
    module->setAttr("loom.in_bits", b.getI64IntegerAttr(inType.getElementWidth()));
    module->setAttr("loom.out_lanes", b.getI64IntegerAttr(outType.getLanes()));
    module->setAttr("loom.out_bits", b.getI64IntegerAttr(outType.getElementWidth()));
    module->setAttr("loom.in_beats", b.getI64IntegerAttr(inType.getBeatsPerFrame()));
    module->setAttr("loom.out_beats", b.getI64IntegerAttr(outType.getBeatsPerFrame()));
    graph.erase();
    return success();
  }
};

} // namespace
