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
#include "dialects/nn/IntAttrs.h"
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
    auto hwGraph = hwGraphOf(graph);
    if (failed(hwGraph))
      return failure();
    std::vector<Operation *> chain = hwGraph->actors; // topological (op) order
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
    static constexpr StringRef kInstPorts[] = {"in_ready",   "in0_ready",  "in1_ready",
                                               "out_data",   "out_valid",  "out0_data",
                                               "out0_valid", "out1_data",  "out1_valid",
                                               "out_last"};
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
    auto uniqueName = [&](Operation *op, StringRef fallback, StringRef suffix = "") {
      auto node = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
      std::string base =
          legalName((node && !node.getValue().empty() ? node.getValue() : fallback).str() + suffix.str());
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

    // Nets of every stream: data and valid from its producer, ready from its
    // consumer. Instances are created in op (topological) order, so a
    // producer's out_ready input is patched once its consumer exists (the
    // module body is a graph region).
    Value graphIn = input.getOutput();
    llvm::DenseMap<Value, std::pair<Value, Value>> dataValid;
    llvm::DenseMap<Value, Value> readyNet;
    llvm::DenseMap<Value, std::pair<rtl::InstanceOp, unsigned>> readySlot;
    dataValid[graphIn] = {body->getArgument(2), body->getArgument(3)};
    auto instantiate = [&](StringRef module, StringRef name, NamedAttrList params,
                           ArrayRef<Value> ins, ArrayRef<Value> outs,
                           ArrayRef<StringRef> inPorts, ArrayRef<StringRef> outPorts,
                           ArrayRef<StringRef> extraOuts = {}) {
      SmallVector<Value> operands = {clk, rst};
      SmallVector<StringRef> inNames = {"clk", "rst"};
      for (auto [v, port] : llvm::zip(ins, inPorts)) {
        operands.push_back(dataValid[v].first);
        operands.push_back(dataValid[v].second);
        inNames.push_back(b.getStringAttr(port + "_data").getValue());
        inNames.push_back(b.getStringAttr(port + "_valid").getValue());
      }
      unsigned firstReady = operands.size();
      for (StringRef port : outPorts) {
        operands.push_back(clk); // placeholder for the consumer's ready
        inNames.push_back(b.getStringAttr(port + "_ready").getValue());
      }
      SmallVector<Type> types;
      SmallVector<StringRef> outNames;
      for (StringRef port : inPorts)
        types.push_back(i1), outNames.push_back(b.getStringAttr(port + "_ready").getValue());
      for (auto [v, port] : llvm::zip(outs, outPorts)) {
        auto t = llvm::cast<df::StreamType>(v.getType());
        types.push_back(b.getIntegerType(t.getLanes() * t.getElementWidth()));
        types.push_back(i1);
        outNames.push_back(b.getStringAttr(port + "_data").getValue());
        outNames.push_back(b.getStringAttr(port + "_valid").getValue());
      }
      for (StringRef extra : extraOuts)
        types.push_back(i1), outNames.push_back(extra);
      auto inst = b.create<rtl::InstanceOp>(
          loc, types, b.getStringAttr(name), FlatSymbolRefAttr::get(b.getStringAttr(module)),
          params.getDictionary(&getContext()), b.getStrArrayAttr(inNames),
          b.getStrArrayAttr(outNames), operands);
      for (auto [i, v] : llvm::enumerate(ins))
        readyNet[v] = inst.getResult(i);
      for (auto [i, v] : llvm::enumerate(outs)) {
        dataValid[v] = {inst.getResult(ins.size() + 2 * i), inst.getResult(ins.size() + 2 * i + 1)};
        readySlot[v] = {inst, unsigned(firstReady + i)};
      }
      return inst;
    };
    auto stream = [&](Operation *op, StringRef module, StringRef name, NamedAttrList params) {
      return instantiate(module, name, params, {op->getOperand(0)}, {op->getResult(0)}, {"in"},
                         {"out"});
    };
    auto weightLanes = [&](ArrayRef<int64_t> w, int64_t n, int64_t k, int64_t simd, int64_t pe,
                           bool binary, std::vector<int64_t> &wLanes) {
      // Line nf*SF + sf, lane pe*SIMD + s holds w[nf*PE + pe][sf*SIMD + s]; a binary
      // weight is one bit, 1 = +1 and 0 = -1.
      for (int64_t nf = 0; nf < n / pe; ++nf)
        for (int64_t sf = 0; sf < k / simd; ++sf)
          for (int64_t p = 0; p < pe; ++p)
            for (int64_t l = 0; l < simd; ++l) {
              int64_t v = w[(nf * pe + p) * k + sf * simd + l];
              wLanes.push_back(binary ? int64_t(v > 0) : v);
            }
    };

    // Parameters shared by loom_mvu and loom_dwu: requantization shift, memory
    // images and the activation (df attributes have the same names on both).
    auto unitParams = [&](Operation *op, const std::string &name, int act, int wOut,
                          int tDepth, int wM, int wLA, int pe, int64_t outputs,
                          NamedAttrList &p) {
      p.set("SHIFT", op->getAttr("shift")); // the signed attribute, not a uint64_t getter
      p.set("W_FILE", b.getStringAttr(name + "_w.mem"));
      p.set("B_FILE", b.getStringAttr(name + "_b.mem"));
      if (op->hasAttr("binary"))
        p.set("BIPOLAR_W", b.getI64IntegerAttr(1));
      if (wM > 0) { // requantization multipliers: the bias layout, W_M-bit lanes
        std::vector<int64_t> m = ints(llvm::cast<ElementsAttr>(op->getAttr("mult")));
        if (m.size() == 1)
          m.assign(outputs, m[0]);
        memfile(b, loc, name + "_m.mem", wM, pe, m);
        p.set("W_M", b.getI64IntegerAttr(wM));
        p.set("M_FILE", b.getStringAttr(name + "_m.mem"));
      }
      if (act == 2 || act == 3) { // table domain, or clip bounds
        p.set("T_MIN", op->getAttr("t_min"));
        p.set("T_MAX", op->getAttr("t_max"));
      }
      if (act == 4 && wLA > 0) { // PRelu: per-channel multipliers, the bias layout
        std::vector<int64_t> la(
            op->getAttrOfType<DenseI64ArrayAttr>("leaky_mults").asArrayRef().begin(),
            op->getAttrOfType<DenseI64ArrayAttr>("leaky_mults").asArrayRef().end());
        memfile(b, loc, name + "_la.mem", wLA, pe, la);
        p.set("W_LA", b.getI64IntegerAttr(wLA));
        p.set("LA_FILE", b.getStringAttr(name + "_la.mem"));
      } else if (act == 4) { // LeakyRelu multiplier (shift fixed at 15)
        p.set("LEAKY_A", op->getAttr("leaky_mult"));
      }
      if (act == 2) {
        memfile(b, loc, name + "_t.mem", wOut, 1,
                ints(llvm::cast<ElementsAttr>(op->getAttr("table"))));
        p.set("T_SHIFT", op->getAttr("t_shift"));
        p.set("T_DEPTH", b.getI64IntegerAttr(tDepth));
        p.set("T_FILE", b.getStringAttr(name + "_t.mem"));
      }
    };

    for (Operation *op : chain) {
      auto config = *hwConfigOf(op);
      if (auto mvu = llvm::dyn_cast<df::MvuOp>(op)) {
        auto c = std::get<hw::MvuConfig>(config);
        std::string name = uniqueName(op, "dense");
        std::vector<int64_t> wLanes, bLanes = ints(mvu.getBias());
        weightLanes(ints(mvu.getWeight()), c.N, c.K, c.SIMD, c.PE, c.BIPOLAR_W, wLanes);
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
        p.set("ACT", b.getI64IntegerAttr(c.ACT));
        unitParams(op, name, c.ACT, c.W_OUT, c.T_DEPTH, c.W_M, c.W_LA, c.PE, c.N, p);
        stream(op, "loom_mvu", name, p);
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
        stream(op, "loom_softmax", name, p);
      } else if (llvm::isa<df::SkidOp>(op)) {
        auto c = std::get<hw::SkidConfig>(config);
        NamedAttrList p;
        p.set("W", b.getI64IntegerAttr(c.W));
        stream(op, "loom_skid", uniqueName(op, "pass"), p);
      } else if (auto fifo = llvm::dyn_cast<df::FifoOp>(op)) {
        auto c = std::get<hw::FifoConfig>(config);
        NamedAttrList p;
        p.set("W", b.getI64IntegerAttr(c.W));
        p.set("DEPTH", b.getI64IntegerAttr(c.DEPTH));
        stream(op, "loom_fifo", uniqueName(op, "fifo"), p);
      } else if (auto swg = llvm::dyn_cast<df::SwgOp>(op)) {
        auto c = std::get<hw::SwgConfig>(config);
        NamedAttrList p;
        for (auto [key, v] : {std::pair<const char *, int>{"C", c.C}, {"H", c.H}, {"W", c.W},
                              {"KH", c.KH}, {"KW", c.KW}, {"SH", c.SH}, {"SW", c.SW},
                              {"DH", c.DH}, {"DW", c.DW}, {"PT", c.PT}, {"PL", c.PL},
                              {"PB", c.PB}, {"PR", c.PR}, {"IN_BEAT", c.IN_BEAT},
                              {"OUT_BEAT", c.OUT_BEAT}, {"WB", c.WB}, {"PAD_VAL", c.PAD_VAL},
                              {"ROWS", c.ROWS}})
          p.set(key, b.getI64IntegerAttr(v));
        stream(op, "loom_swg", uniqueName(op, "conv", "_window"), p);
        (void)swg;
      } else if (auto dwu = llvm::dyn_cast<df::DwuOp>(op)) {
        auto c = std::get<hw::DwuConfig>(config);
        std::string name = uniqueName(op, "dwconv");
        std::vector<int64_t> wLanes, bLanes = ints(dwu.getBias());
        weightLanes(ints(dwu.getWeight()), c.C, c.KK, c.SIMD, c.PE, c.BIPOLAR_W, wLanes);
        memfile(b, loc, name + "_w.mem", c.W_W, c.PE * c.SIMD, wLanes);
        memfile(b, loc, name + "_b.mem", c.W_ACC, c.PE, bLanes);
        NamedAttrList p;
        for (auto [key, v] : {std::pair<const char *, int>{"C", c.C}, {"KK", c.KK},
                              {"SIMD", c.SIMD}, {"PE", c.PE}, {"IN_BEAT", c.IN_BEAT},
                              {"W_IN", c.W_IN}, {"W_W", c.W_W}, {"W_ACC", c.W_ACC},
                              {"W_OUT", c.W_OUT}, {"ACT", c.ACT}})
          p.set(key, b.getI64IntegerAttr(v));
        unitParams(op, name, c.ACT, c.W_OUT, c.T_DEPTH, c.W_M, c.W_LA, c.PE, c.C, p);
        stream(op, "loom_dwu", name, p);
      } else if (auto pool = llvm::dyn_cast<df::PoolOp>(op)) {
        auto c = std::get<hw::PoolConfig>(config);
        std::string name = uniqueName(op, "pool");
        NamedAttrList p;
        for (auto [key, v] : {std::pair<const char *, int>{"MODE", c.MODE}, {"C", c.C},
                              {"KK", c.KK}, {"IN_BEAT", c.IN_BEAT}, {"PE", c.PE}, {"WB", c.WB},
                              {"NPIX", c.NPIX}, {"DIV", c.DIV}, {"D_BITS", c.D_BITS}})
          p.set(key, b.getI64IntegerAttr(v));
        if (c.RND != 0) // a QONNX Trunc's rounding (default half to even)
          p.set("RND", b.getI64IntegerAttr(c.RND));
        if (pool.getDivisors()) {
          memfile(b, loc, name + "_d.mem", c.D_BITS, 1, ints(*pool.getDivisors()));
          p.set("D_FILE", b.getStringAttr(name + "_d.mem"));
        }
        stream(op, "loom_pool", name, p);
      } else if (llvm::isa<df::UpsampleOp>(op)) {
        auto c = std::get<hw::UpsampleConfig>(config);
        NamedAttrList p;
        for (auto [key, v] : {std::pair<const char *, int>{"C", c.C}, {"H", c.H}, {"W", c.W},
                              {"SH", c.SH}, {"SW", c.SW}, {"LANES", c.LANES}, {"WB", c.WB}})
          p.set(key, b.getI64IntegerAttr(v));
        stream(op, "loom_upsample", uniqueName(op, "upsample"), p);
      } else if (auto fork = llvm::dyn_cast<df::ForkOp>(op)) {
        auto c = std::get<hw::ForkConfig>(config);
        NamedAttrList p;
        p.set("W", b.getI64IntegerAttr(c.W));
        instantiate("loom_fork", uniqueName(op, "stream", "_fork"), p, {fork.getInput()},
                    {fork.getFirst(), fork.getSecond()}, {"in"}, {"out0", "out1"});
      } else if (auto join = llvm::dyn_cast<df::JoinOp>(op)) {
        auto c = std::get<hw::AddConfig>(config);
        NamedAttrList p;
        for (auto [key, v] : {std::pair<const char *, int>{"LANES", c.LANES}, {"WB", c.WB},
                              {"MODE", c.MODE}, {"F", c.F}})
          p.set(key, b.getI64IntegerAttr(v));
        if (join.getRelu())
          p.set("RELU", b.getI64IntegerAttr(1));
        if (c.MODE == 2) // scaled add
          for (auto [key, v] : {std::pair<const char *, int>{"MA", c.MA}, {"MB", c.MB},
                                {"S", c.S}})
            p.set(key, b.getI64IntegerAttr(v));
        if (join.getTMin()) { // the output quantizer's range (codes)
          p.set("CLIP", b.getI64IntegerAttr(1));
          p.set("LO", join.getTMinAttr());
          p.set("HI", join.getTMaxAttr());
        }
        instantiate("loom_add", uniqueName(op, "add"), p, {join.getLhs(), join.getRhs()},
                    {join.getOutput()}, {"in0", "in1"}, {"out"});
      } else if (auto cat = llvm::dyn_cast<df::ConcatOp>(op)) {
        auto c = std::get<hw::ConcatConfig>(config);
        NamedAttrList p;
        for (auto [key, v] : {std::pair<const char *, int>{"C1", c.C1}, {"C2", c.C2},
                              {"LANES", c.LANES}, {"WB", c.WB}})
          p.set(key, b.getI64IntegerAttr(v));
        if (cat.getRelu())
          p.set("RELU", b.getI64IntegerAttr(1));
        instantiate("loom_concat", uniqueName(op, "concat"), p, {cat.getLhs(), cat.getRhs()},
                    {cat.getOutput()}, {"in0", "in1"}, {"out"});
      } else {
        return op->emitError("no RTL library module for this actor");
      }
    }
    NamedAttrList p;
    p.set("W", b.getI64IntegerAttr(outBits));
    p.set("BEATS", b.getI64IntegerAttr(outType.getBeatsPerFrame()));
    Value graphOut = output.getInput();
    auto producerSlot = readySlot[graphOut];
    auto last = instantiate("loom_tlast_gen", "out_tlast", p, {graphOut}, {graphOut}, {"in"},
                            {"out"}, {"out_last"});
    last->setOperand(readySlot[graphOut].second, mReady);
    readySlot[graphOut] = producerSlot;
    // Close every stream's handshake: its producer's out_ready is its
    // consumer's in_ready.
    for (auto &[v, slot] : readySlot)
      slot.first->setOperand(slot.second, readyNet[v]);
    b.create<rtl::OutputOp>(loc, ValueRange{readyNet[graphIn], last.getResult(1),
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
