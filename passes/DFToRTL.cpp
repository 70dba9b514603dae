//===- DFToRTL.cpp - dataflow actors -> netlist of library instances ------===//
//
// Each actor becomes one instance of its rtl/ library module, with parameters
// taken from the same hw_model configuration the cost model used (DFCost), and
// its constants (weights, biases, tables) become rtl.memfile images in the
// exact layout docs/CONTRACTS.md gives for $readmemh. The chain is closed by
// a loom_tlast_gen that marks frame ends on the AXI4-Stream master port.
//
//===----------------------------------------------------------------------===//
#include "passes/DFCost.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

namespace loom {
#define GEN_PASS_DEF_DFTORTL
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

std::vector<int64_t> ints(ElementsAttr attr) {
  std::vector<int64_t> out;
  for (APInt v : attr.getValues<APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

struct DFToRTLPass : loom::impl::DFToRTLBase<DFToRTLPass> {
  using DFToRTLBase::DFToRTLBase;

  void runOnOperation() override {
    for (auto graph : llvm::to_vector(getOperation().getOps<func::FuncOp>()))
      if (failed(lower(graph)))
        return signalPassFailure();
  }

  void memfile(OpBuilder &b0, Location loc, StringRef name, int64_t laneBits, int64_t lanes,
               ArrayRef<int64_t> data) {
    // Images live at the top level, beside the module that loads them.
    OpBuilder b(b0.getContext());
    b.setInsertionPoint(b0.getBlock()->getParentOp());
    auto type = RankedTensorType::get({int64_t(data.size())}, b.getI64Type());
    b.create<rtl::MemFileOp>(loc, b.getStringAttr(name), b.getI64IntegerAttr(laneBits),
                             b.getI64IntegerAttr(lanes), DenseElementsAttr::get(type, data));
  }

  LogicalResult lower(func::FuncOp graph) {
    auto chainOr = actorChainOf(graph);
    if (failed(chainOr))
      return failure();
    std::vector<Operation *> chain = *chainOr;
    auto input = *graph.getOps<df::InputOp>().begin();
    auto output = *graph.getOps<df::OutputOp>().begin();
    auto inType = input.getOutput().getType(), outType = output.getInput().getType();
    unsigned inBits = inType.getLanes() * inType.getElementWidth();
    unsigned outBits = outType.getLanes() * outType.getElementWidth();

    OpBuilder b(&getContext());
    Location loc = graph.getLoc();
    b.setInsertionPoint(graph);
    std::string top = topName.empty() ? legalName(graph.getName()) : legalName(topName);
    auto module = b.create<rtl::ModuleOp>(
        loc, b.getStringAttr(top),
        b.getStrArrayAttr({"clk", "rst", "s_axis_tdata", "s_axis_tvalid", "s_axis_tlast",
                           "m_axis_tready"}),
        b.getStrArrayAttr({"s_axis_tready", "m_axis_tdata", "m_axis_tvalid", "m_axis_tlast"}));
    Block *body = new Block();
    module.getBody().push_back(body);
    Type i1 = b.getI1Type();
    SmallVector<Type> argTypes = {i1, i1, b.getIntegerType(inBits), i1, i1, i1};
    for (Type t : argTypes)
      body->addArgument(t, loc);
    Value clk = body->getArgument(0), rst = body->getArgument(1);
    Value data = body->getArgument(2), valid = body->getArgument(3);
    Value mReady = body->getArgument(5);

    b.setInsertionPointToStart(body);
    // Identifiers of the top module's scope: ports, instances and their nets
    // (`<instance>_<port>`, see VerilogEmitter). An instance name must clash
    // with none of them, nor may its nets.
    static constexpr StringRef kInstPorts[] = {"in_ready", "out_data", "out_valid", "out_last"};
    llvm::StringSet<> used;
    for (StringRef port : {"clk", "rst", "s_axis_tdata", "s_axis_tvalid", "s_axis_tlast",
                           "m_axis_tready", "s_axis_tready", "m_axis_tdata", "m_axis_tvalid",
                           "m_axis_tlast"})
      used.insert(port);
    auto isFree = [&](const std::string &name) {
      return !used.contains(name) && llvm::none_of(kInstPorts, [&](StringRef port) {
        return used.contains(name + "_" + port.str());
      });
    };
    auto reserve = [&](const std::string &name) {
      used.insert(name);
      for (StringRef port : kInstPorts)
        used.insert(name + "_" + port.str());
    };
    auto uniqueName = [&](Operation *op, StringRef fallback) {
      auto node = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
      std::string base = legalName(node && !node.getValue().empty() ? node.getValue() : fallback);
      std::string name = base;
      for (int i = 1; !isFree(name); ++i)
        name = base + "_" + std::to_string(i);
      reserve(name);
      return name;
    };
    // The closing loom_tlast_gen is always "out_tlast": reserve it before the
    // actors are named, or a node called "out_tlast" would get the same
    // instance name and duplicate nets.
    reserve("out_tlast");

    // Instances are created in stream order; each one's out_ready is the next
    // one's in_ready, patched in once the next exists (graph region).
    SmallVector<rtl::InstanceOp> insts;
    Value sReady;
    auto stream = [&](StringRef module, StringRef name, NamedAttrList params, Type outData,
                      ArrayRef<StringRef> extraOuts = {}) {
      SmallVector<Type> outs = {i1, outData, i1};
      SmallVector<StringRef> outNames = {"in_ready", "out_data", "out_valid"};
      for (StringRef extra : extraOuts)
        outs.push_back(i1), outNames.push_back(extra);
      auto inst = b.create<rtl::InstanceOp>(
          loc, outs, b.getStringAttr(name), FlatSymbolRefAttr::get(b.getStringAttr(module)),
          params.getDictionary(&getContext()),
          b.getStrArrayAttr({"clk", "rst", "in_data", "in_valid", "out_ready"}),
          b.getStrArrayAttr(outNames), ValueRange{clk, rst, data, valid, clk});
      if (insts.empty())
        sReady = inst.getResult(0);
      else
        insts.back()->setOperand(4, inst.getResult(0));
      insts.push_back(inst);
      data = inst.getResult(1);
      valid = inst.getResult(2);
      return inst;
    };

    for (Operation *op : chain) {
      auto config = *hwConfigOf(op);
      Type outData = b.getIntegerType(llvm::cast<df::StreamType>(op->getResult(0).getType()).getLanes() *
                                      llvm::cast<df::StreamType>(op->getResult(0).getType()).getElementWidth());
      if (auto mvu = llvm::dyn_cast<df::MvuOp>(op)) {
        auto c = std::get<hw::MvuConfig>(config);
        std::string name = uniqueName(op, "dense");
        int64_t sf = c.K / c.SIMD, nf = c.N / c.PE;
        std::vector<int64_t> w = ints(mvu.getWeight()), bias = ints(mvu.getBias());
        std::vector<int64_t> wLanes, bLanes;
        for (int64_t n = 0; n < nf; ++n) {
          for (int64_t s = 0; s < sf; ++s)
            for (int64_t pe = 0; pe < c.PE; ++pe)
              for (int64_t l = 0; l < c.SIMD; ++l)
                wLanes.push_back(w[(n * c.PE + pe) * c.K + s * c.SIMD + l]);
          for (int64_t pe = 0; pe < c.PE; ++pe)
            bLanes.push_back(bias[n * c.PE + pe]);
        }
        memfile(b, loc, name + "_w.mem", c.W_W, c.PE * c.SIMD, wLanes);
        memfile(b, loc, name + "_b.mem", c.W_ACC, c.PE, bLanes);
        NamedAttrList p;
        p.set("K", b.getI64IntegerAttr(c.K));
        p.set("N", b.getI64IntegerAttr(c.N));
        p.set("SIMD", b.getI64IntegerAttr(c.SIMD));
        p.set("PE", b.getI64IntegerAttr(c.PE));
        p.set("IN_BEAT", b.getI64IntegerAttr(c.IN_BEAT));
        p.set("W_IN", b.getI64IntegerAttr(c.W_IN));
        p.set("W_W", b.getI64IntegerAttr(c.W_W));
        p.set("W_ACC", b.getI64IntegerAttr(c.W_ACC));
        p.set("W_OUT", b.getI64IntegerAttr(c.W_OUT));
        p.set("SHIFT", mvu.getShiftAttr()); // the signed attribute, not the uint64_t getter
        p.set("ACT", b.getI64IntegerAttr(c.ACT));
        p.set("W_FILE", b.getStringAttr(name + "_w.mem"));
        p.set("B_FILE", b.getStringAttr(name + "_b.mem"));
        if (c.ACT == 2) {
          memfile(b, loc, name + "_t.mem", c.W_OUT, 1, ints(*mvu.getTable()));
          p.set("T_MIN", mvu.getTMinAttr());
          p.set("T_MAX", mvu.getTMaxAttr());
          p.set("T_SHIFT", mvu.getTShiftAttr());
          p.set("T_DEPTH", b.getI64IntegerAttr(c.T_DEPTH));
          p.set("T_FILE", b.getStringAttr(name + "_t.mem"));
        }
        stream("loom_mvu", name, p, outData);
      } else if (auto sm = llvm::dyn_cast<df::SoftmaxOp>(op)) {
        auto c = std::get<hw::SoftmaxConfig>(config);
        std::string name = uniqueName(op, "softmax");
        memfile(b, loc, name + "_exp.mem", c.EXP_BITS, 1, ints(sm.getExpTable()));
        NamedAttrList p;
        p.set("N", b.getI64IntegerAttr(c.N));
        p.set("IN_BEAT", b.getI64IntegerAttr(c.IN_BEAT));
        p.set("W", b.getI64IntegerAttr(c.W));
        p.set("F", sm.getFracAttr());
        p.set("EXP_SHIFT", sm.getExpShiftAttr());
        p.set("EXP_DEPTH", b.getI64IntegerAttr(c.EXP_DEPTH));
        p.set("EXP_BITS", b.getI64IntegerAttr(c.EXP_BITS));
        p.set("EXP_FILE", b.getStringAttr(name + "_exp.mem"));
        stream("loom_softmax", name, p, outData);
      } else if (auto fifo = llvm::dyn_cast<df::FifoOp>(op)) {
        auto c = std::get<hw::FifoConfig>(config);
        NamedAttrList p;
        p.set("W", b.getI64IntegerAttr(c.W));
        p.set("DEPTH", b.getI64IntegerAttr(c.DEPTH));
        stream("loom_fifo", uniqueName(op, "fifo"), p, outData);
      } else {
        return op->emitError("no RTL library module for this actor");
      }
    }
    NamedAttrList p;
    p.set("W", b.getI64IntegerAttr(outBits));
    p.set("BEATS", b.getI64IntegerAttr(outType.getBeatsPerFrame()));
    auto last = stream("loom_tlast_gen", "out_tlast", p, b.getIntegerType(outBits), {"out_last"});
    last->setOperand(4, mReady);
    b.create<rtl::OutputOp>(loc, ValueRange{sReady, last.getResult(1), last.getResult(2),
                                            last.getResult(3)});
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
