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

  /// --runtime-weights: the loom_wt_bus instance behind the s_axis_wt port (the
  /// last two block arguments), its WORDS set once every memory is placed.
  /// Otherwise the bus ports of the units are tied to 0 (NetlistBuilder).
  rtl::InstanceOp buildWeightBus(NetlistBuilder &netlist, Block *body, Type i32) {
    OpBuilder &b = netlist.builder();
    Location loc = body->getParentOp()->getLoc();
    Type i1 = b.getI1Type();
    if (!runtimeWeights)
      return {};
    netlist.reserve("wt_bus");
    unsigned n = body->getNumArguments();
    auto bus = b.create<rtl::InstanceOp>(
        loc, TypeRange{i1, i32, i32, i1}, b.getStringAttr("wt_bus"),
        FlatSymbolRefAttr::get(b.getStringAttr("loom_wt_bus")), b.getDictionaryAttr({}),
        b.getStrArrayAttr({"clk", "rst", "in_data", "in_valid"}),
        b.getStrArrayAttr({"in_ready", "wt_data", "wt_addr", "wt_valid"}),
        ValueRange{body->getArgument(0), body->getArgument(1), body->getArgument(n - 2),
                   body->getArgument(n - 1)});
    netlist.setWeightBus(bus.getResult(1), bus.getResult(2), bus.getResult(3), true);
    return bus;
  }

  LogicalResult lower(func::FuncOp graph, RTLTarget &target) {
    auto hwGraph = hwGraphOf(graph);
    if (failed(hwGraph))
      return failure();
    auto inputs = llvm::to_vector(graph.getOps<df::InputOp>());
    auto outputs = llvm::to_vector(graph.getOps<df::OutputOp>());
    auto names = [](auto ends) {
      std::vector<std::string> n;
      for (auto end : ends)
        n.push_back(end.getTensorName().str());
      return n;
    };
    std::vector<std::string> inPorts = streamPortNames("s_axis", names(inputs));
    std::vector<std::string> outPorts = streamPortNames("m_axis", names(outputs));

    OpBuilder b(&getContext());
    Location loc = graph.getLoc();
    b.setInsertionPoint(graph);
    std::string top = topName.empty() ? legalName(graph.getName()) : legalName(topName);
    std::vector<std::string> inNames = {"clk", aresetn ? "aresetn" : "rst"}, outNames;
    for (const std::string &p : inPorts)
      for (const char *sig : {"_tdata", "_tvalid", "_tlast"})
        inNames.push_back(p + sig);
    for (const std::string &p : outPorts)
      inNames.push_back(p + "_tready");
    for (const std::string &p : inPorts)
      outNames.push_back(p + "_tready");
    for (const std::string &p : outPorts)
      for (const char *sig : {"_tdata", "_tvalid", "_tlast"})
        outNames.push_back(p + sig);
    // The weight-load port (docs/CONTRACTS.md "Weight-load stream") comes last.
    if (runtimeWeights) {
      inNames.push_back("s_axis_wt_tdata");
      inNames.push_back("s_axis_wt_tvalid");
      outNames.push_back("s_axis_wt_tready");
    }
    auto strs = [&](ArrayRef<std::string> names) {
      return b.getStrArrayAttr(SmallVector<StringRef>(names.begin(), names.end()));
    };
    auto module = b.create<rtl::ModuleOp>(loc, b.getStringAttr(top), strs(inNames), strs(outNames));
    Block *body = new Block();
    module.getBody().push_back(body);
    Type i1 = b.getI1Type();
    body->addArgument(i1, loc);
    body->addArgument(i1, loc);
    // tdata is a whole number of bytes (AXI4-Stream); loom_axis_width drops or adds
    // the padding at the port.
    auto streamBits = [](df::StreamType t) { return t.getLanes() * t.getElementWidth(); };
    auto portBits = [](int64_t bits) { return (bits + 7) / 8 * 8; };
    for (df::InputOp in : inputs) {
      int64_t bits = portBits(streamBits(in.getOutput().getType()));
      for (Type ty : {Type(b.getIntegerType(bits)), i1, i1})
        body->addArgument(ty, loc);
    }
    for (size_t k = 0; k < outputs.size(); ++k)
      body->addArgument(i1, loc);
    Type i32 = b.getIntegerType(32);
    if (runtimeWeights) {
      body->addArgument(i32, loc);
      body->addArgument(i1, loc);
    }

    // --aresetn: the port is active low; every module inside takes rst.
    b.setInsertionPointToStart(body);
    Value rst = body->getArgument(1);
    if (aresetn)
      rst = b.create<rtl::InstanceOp>(loc, TypeRange{i1}, b.getStringAttr("reset_n"),
                                      FlatSymbolRefAttr::get(b.getStringAttr("loom_reset_n")),
                                      b.getDictionaryAttr({}), b.getStrArrayAttr({"aresetn"}),
                                      b.getStrArrayAttr({"rst"}), ValueRange{rst})
                .getResult(0);
    NetlistBuilder netlist(module, body->getArgument(0), rst);
    netlist.builder().setInsertionPointToEnd(body); // after loom_reset_n, in creation order
    if (aresetn)
      netlist.reserve("reset_n");
    // A port whose tdata is padded passes through loom_axis_width (wires only).
    auto resize = [&](Value data, int64_t from, int64_t to, const std::string &name) -> Value {
      if (from == to)
        return data;
      OpBuilder &nb = netlist.builder();
      NamedAttrList p;
      netlist.setParams(p, {{"W_IN", from}, {"W_OUT", to}});
      return nb
          .create<rtl::InstanceOp>(loc, TypeRange{nb.getIntegerType(to)}, nb.getStringAttr(name),
                                   FlatSymbolRefAttr::get(nb.getStringAttr("loom_axis_width")),
                                   p.getDictionary(&getContext()),
                                   nb.getStrArrayAttr({"in_data"}),
                                   nb.getStrArrayAttr({"out_data"}), ValueRange{data})
          .getResult(0);
    };
    auto widthName = [&](const std::string &port) {
      std::string n = port + "_width";
      netlist.reserve(n);
      return n;
    };
    rtl::InstanceOp wtBus = buildWeightBus(netlist, body, i32);
    // The closing stages are named before the actors, or a node called
    // "out_tlast" would get the same instance name and duplicate nets.
    SmallVector<std::string> lastNames;
    for (size_t k = 0; k < outputs.size(); ++k) {
      lastNames.push_back(outputs.size() == 1 ? "out_tlast"
                                              : "out_tlast_" + outPorts[k].substr(7));
      netlist.reserve(lastNames.back());
    }
    // Instances are created in op (topological) order; a producer's
    // out_ready input is patched once its consumer exists (the module body
    // is a graph region).
    for (auto [k, in] : llvm::enumerate(inputs)) {
      int64_t bits = streamBits(in.getOutput().getType());
      Value data = resize(body->getArgument(2 + 3 * k), portBits(bits), bits,
                          widthName(inPorts[k]));
      netlist.setStreamNets(in.getOutput(), data, body->getArgument(3 + 3 * k));
    }
    for (auto [op, node] : llvm::zip(hwGraph->actors, hwGraph->nodes))
      if (failed(target.lowerActor(op, node.spec.config, netlist)))
        return failure();

    SmallVector<rtl::InstanceOp> lasts;
    for (auto [k, out] : llvm::enumerate(outputs)) {
      Value graphOut = out.getInput();
      auto outType = out.getInput().getType();
      auto producerSlot = netlist.readySlotOf(graphOut);
      auto last =
          target.lowerFrameEnd(graphOut, outType.getBeatsPerFrame(), lastNames[k], netlist);
      last->setOperand(netlist.readySlotOf(graphOut).second,
                       body->getArgument(2 + 3 * inputs.size() + k));
      netlist.readySlotOf(graphOut) = producerSlot;
      lasts.push_back(last);
    }
    netlist.finish();
    if (wtBus) {
      if (netlist.loadImageWords() == 0)
        return graph.emitError("--runtime-weights: the model has no dense, conv or depthwise "
                               "layer whose weights could be loaded");
      NamedAttrList p(wtBus.getParameters());
      netlist.setParams(p, {{"WORDS", netlist.loadImageWords()}});
      wtBus.setParametersAttr(p.getDictionary(&getContext()));
    }
    b.setInsertionPointToEnd(body);
    SmallVector<Value> results;
    for (df::InputOp in : inputs)
      results.push_back(netlist.readyOf(in.getOutput()));
    for (auto [k, last] : llvm::enumerate(lasts)) {
      int64_t bits = streamBits(outputs[k].getInput().getType());
      results.push_back(resize(last.getResult(1), bits, portBits(bits), widthName(outPorts[k])));
      for (unsigned r : {2u, 3u})
        results.push_back(last.getResult(r));
    }
    if (wtBus)
      results.push_back(wtBus.getResult(0));
    b.create<rtl::OutputOp>(loc, results);
    graph.erase();
    return success();
  }
};

} // namespace
