//===- DFCost.cpp - df actors as hw_model configurations ------------------===//
#include "passes/DFCost.h"

#include "compiler/numerics/Affine.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace loom;

/// loom_mvu / loom_dwu ACT parameter: 0 none, 1 relu, 2 table, 3 clip,
/// 4 leaky (LeakyRelu, one multiplier per PE in the requantize stage), 5 sign.
static int activationCode(StringRef act) {
  return act == "none"    ? 0
         : act == "relu"  ? 1
         : act == "clip"  ? 3
         : act == "leaky" ? 4
         : act == "sign"  ? 5
                          : 2;
}

/// loom_mvu / loom_dwu W_M: bits of the largest requantization multiplier
/// (unsigned); 0 = no multiplier stage (no mult, or every mult is 1).
static int multBits(Operation *op) {
  auto mult = op->getAttrOfType<ElementsAttr>("mult");
  if (!mult)
    return 0;
  uint64_t hi = 0;
  for (APInt v : mult.getValues<APInt>())
    hi = std::max<uint64_t>(hi, v.getZExtValue());
  return hi <= 1 ? 0 : int(llvm::Log2_64(hi)) + 1;
}

/// loom_mvu / loom_dwu W_LA: signed bits of the per-channel LeakyRelu
/// multipliers (PRelu, leaky_mults); 0 = one constant LEAKY_A.
static int leakyTableBits(Operation *op) {
  auto mults = op->getAttrOfType<DenseI64ArrayAttr>("leaky_mults");
  if (!mults)
    return 0;
  int bits = 2;
  for (int64_t a : mults.asArrayRef())
    while (a < -(int64_t(1) << (bits - 1)) || a >= (int64_t(1) << (bits - 1)))
      ++bits;
  return bits;
}

std::optional<hw::ActorConfig> loom::hwConfigOf(Operation *op) {
  if (auto mvu = llvm::dyn_cast<df::MvuOp>(op)) {
    hw::MvuConfig c;
    c.K = int(mvu.getK());
    c.N = int(mvu.getN());
    c.SIMD = int(mvu.getSimd());
    c.PE = int(mvu.getPe());
    c.IN_BEAT = int(mvu.getInput().getType().getLanes());
    c.W_IN = int(mvu.getInput().getType().getElementWidth());
    c.W_W = int(llvm::cast<ShapedType>(mvu.getWeight().getType()).getElementTypeBitWidth());
    c.W_ACC = int(mvu.getAccWidth());
    c.W_OUT = int(mvu.getOutput().getType().getElementWidth());
    c.ACT = activationCode(mvu.getAct());
    c.T_DEPTH = mvu.getTable() ? int(mvu.getTable()->getNumElements()) : 1;
    c.VECTORS = int(mvu.getVectors());
    c.W_M = multBits(op);
    if (mvu.getBinary())
      c.BIPOLAR_W = 1, c.W_W = 1;
    c.W_LA = leakyTableBits(op);
    return hw::ActorConfig(c);
  }
  if (auto sm = llvm::dyn_cast<df::SoftmaxOp>(op)) {
    hw::SoftmaxConfig c;
    c.N = int(sm.getInput().getType().getFrameElements());
    c.IN_BEAT = int(sm.getInput().getType().getLanes());
    c.W = int(sm.getInput().getType().getElementWidth());
    c.EXP_DEPTH = int(sm.getExpTable().getNumElements());
    c.EXP_BITS = int(sm.getExpFrac()) + 1;
    return hw::ActorConfig(c);
  }
  if (auto swg = llvm::dyn_cast<df::SwgOp>(op)) {
    hw::SwgConfig c;
    c.C = int(swg.getChannelsAttr().getInt());
    c.H = int(swg.getHeightAttr().getInt());
    c.W = int(swg.getWidthAttr().getInt());
    c.KH = int(swg.getKernel()[0]), c.KW = int(swg.getKernel()[1]);
    c.SH = int(swg.getStrides()[0]), c.SW = int(swg.getStrides()[1]);
    c.DH = int(swg.getDilations()[0]), c.DW = int(swg.getDilations()[1]);
    c.PT = int(swg.getPads()[0]), c.PL = int(swg.getPads()[1]);
    c.PB = int(swg.getPads()[2]), c.PR = int(swg.getPads()[3]);
    c.IN_BEAT = int(swg.getInput().getType().getLanes());
    c.OUT_BEAT = int(swg.getOutput().getType().getLanes());
    c.WB = int(swg.getInput().getType().getElementWidth());
    c.PAD_VAL = int(swg.getPadValueAttr().getInt());
    // Rows for a line buffer that never stalls at frame boundaries (hw_model
    // README): two window spans, or the whole map for global pooling.
    int span = c.DH * (c.KH - 1) + 1;
    c.ROWS = std::min(2 * span, span + c.H);
    return hw::ActorConfig(c);
  }
  if (auto dwu = llvm::dyn_cast<df::DwuOp>(op)) {
    hw::DwuConfig c;
    c.C = int(dwu.getChannels());
    c.KK = int(dwu.getTaps());
    c.SIMD = int(dwu.getSimdAttr().getInt());
    c.PE = int(dwu.getPeAttr().getInt());
    c.IN_BEAT = int(dwu.getInput().getType().getLanes());
    c.W_IN = int(dwu.getInput().getType().getElementWidth());
    c.W_W = int(llvm::cast<ShapedType>(dwu.getWeight().getType()).getElementTypeBitWidth());
    c.W_ACC = int(dwu.getAccWidthAttr().getInt());
    c.W_OUT = int(dwu.getOutput().getType().getElementWidth());
    c.ACT = activationCode(dwu.getAct());
    c.T_DEPTH = dwu.getTable() ? int(dwu.getTable()->getNumElements()) : 1;
    c.VECTORS = int(dwu.getVectors());
    c.W_M = multBits(op);
    if (dwu.getBinary())
      c.BIPOLAR_W = 1, c.W_W = 1;
    c.W_LA = leakyTableBits(op);
    return hw::ActorConfig(c);
  }
  if (auto pool = llvm::dyn_cast<df::PoolOp>(op)) {
    hw::PoolConfig c;
    c.MODE = pool.getMode() == "max" ? 0 : 1;
    c.C = int(pool.getChannelsAttr().getInt());
    c.KK = int(pool.getTapsAttr().getInt());
    c.IN_BEAT = int(pool.getInput().getType().getLanes());
    c.PE = int(pool.getPeAttr().getInt());
    c.WB = int(pool.getInput().getType().getElementWidth());
    c.NPIX = int(pool.getOutput().getType().getFrameElements() / c.C);
    c.DIV = pool.getDivisor() ? int(*pool.getDivisor()) : c.KK;
    c.RND = int(numerics::parseRounding(pool.getRounding()).value_or(numerics::Rounding::HalfEven));
    c.divRom = pool.getDivisors().has_value();
    c.D_BITS = 16;
    return hw::ActorConfig(c);
  }
  if (auto up = llvm::dyn_cast<df::UpsampleOp>(op)) {
    hw::UpsampleConfig c;
    c.C = int(up.getChannelsAttr().getInt());
    c.H = int(up.getHeightAttr().getInt());
    c.W = int(up.getWidthAttr().getInt());
    c.SH = int(up.getShAttr().getInt());
    c.SW = int(up.getSwAttr().getInt());
    c.LANES = int(up.getInput().getType().getLanes());
    c.WB = int(up.getInput().getType().getElementWidth());
    return hw::ActorConfig(c);
  }
  if (auto fork = llvm::dyn_cast<df::ForkOp>(op)) {
    hw::ForkConfig c;
    auto type = fork.getInput().getType();
    c.W = int(type.getLanes() * type.getElementWidth());
    c.beatsPerFrame = int(type.getBeatsPerFrame());
    return hw::ActorConfig(c);
  }
  if (auto join = llvm::dyn_cast<df::JoinOp>(op)) {
    hw::AddConfig c;
    auto type = join.getOutput().getType();
    c.LANES = int(type.getLanes());
    c.WB = int(type.getElementWidth());
    c.MODE = join.getMode() == "add" ? 0 : 1;
    c.F = int(join.getFracAttr().getInt());
    if (join.getShiftAttr()) { // scaled add (affine integer graphs)
      c.MODE = 2;
      c.MA = int(join.getMultLhsAttr().getInt());
      c.MB = int(join.getMultRhsAttr().getInt());
      c.S = int(join.getShiftAttr().getInt());
    }
    c.beatsPerFrame = int(type.getBeatsPerFrame());
    return hw::ActorConfig(c);
  }
  if (auto cat = llvm::dyn_cast<df::ConcatOp>(op)) {
    hw::ConcatConfig c;
    c.C1 = int(cat.getLhsChannelsAttr().getInt());
    c.C2 = int(cat.getRhsChannelsAttr().getInt());
    c.LANES = int(cat.getOutput().getType().getLanes());
    c.WB = int(cat.getOutput().getType().getElementWidth());
    c.NPIX = int(cat.getLhs().getType().getFrameElements() / c.C1);
    return hw::ActorConfig(c);
  }
  if (auto skid = llvm::dyn_cast<df::SkidOp>(op)) {
    hw::SkidConfig c;
    auto type = skid.getInput().getType();
    c.W = int(type.getLanes() * type.getElementWidth());
    c.beatsPerFrame = int(type.getBeatsPerFrame());
    return hw::ActorConfig(c);
  }
  if (auto fifo = llvm::dyn_cast<df::FifoOp>(op)) {
    hw::FifoConfig c;
    auto type = fifo.getInput().getType();
    c.W = int(type.getLanes() * type.getElementWidth());
    c.DEPTH = int(fifo.getDepth());
    c.beatsPerFrame = int(type.getBeatsPerFrame());
    return hw::ActorConfig(c);
  }
  return std::nullopt;
}

FailureOr<HwGraph> loom::hwGraphOf(func::FuncOp graph, bool skipFifos) {
  HwGraph g;
  llvm::DenseMap<Operation *, int> id;
  for (Operation &op : graph.getBody().front()) {
    if (llvm::isa<df::InputOp, df::OutputOp, func::ReturnOp>(op))
      continue;
    if (skipFifos && llvm::isa<df::FifoOp>(op))
      continue;
    auto config = hwConfigOf(&op);
    if (!config)
      return op.emitError("actor has no hardware model");
    id[&op] = int(g.actors.size());
    g.actors.push_back(&op);
    auto name = op.getAttrOfType<StringAttr>(nn::kNodeNameAttr);
    hw::Node node;
    node.spec = {*config, name ? name.str() : op.getName().getStringRef().str()};
    g.nodes.push_back(std::move(node));
  }
  for (auto [i, op] : llvm::enumerate(g.actors)) {
    for (auto [port, operand] : llvm::enumerate(op->getOperands())) {
      Operation *producer = operand.getDefiningOp();
      if (skipFifos && llvm::isa_and_nonnull<df::FifoOp>(producer)) {
        g.fifoEdges.push_back({producer, {int(i), int(port)}});
        producer = producer->getOperand(0).getDefiningOp();
      }
      g.nodes[i].inputs.push_back(llvm::isa<df::InputOp>(producer) ? -1 : id.lookup(producer));
    }
    if (auto fork = llvm::dyn_cast<df::ForkOp>(op)) {
      // hw_model gives a fork's outputs to its consumers in node order.
      auto userOf = [&](Value v) -> Operation * {
        Operation *u = *v.user_begin();
        if (skipFifos && llvm::isa<df::FifoOp>(u))
          u = *u->getResult(0).user_begin();
        return u;
      };
      Operation *u0 = userOf(fork.getFirst()), *u1 = userOf(fork.getSecond());
      bool u0IsOut = llvm::isa<df::OutputOp>(u0), u1IsOut = llvm::isa<df::OutputOp>(u1);
      if (u0IsOut || (!u1IsOut && u1->isBeforeInBlock(u0)))
        return fork.emitError("a fork's first result must be consumed before its second");
    }
  }
  return g;
}

std::string loom::legalName(llvm::StringRef name) {
  // Runs of other characters become one '_'; leading/trailing ones vanish:
  // "<class 'keras.layers.Dense'>" -> "class_keras_layers_Dense".
  std::string out;
  for (char c : name) {
    if (llvm::isAlnum(c))
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  if (out.empty() || llvm::isDigit(out[0]))
    out = "n_" + out;
  // A node may be called "input", "wire", "module", ...: a SystemVerilog
  // keyword is not a legal identifier (IEEE 1800-2017 Annex B; identifiers
  // are case sensitive, so "Input" is fine).
  static const llvm::StringSet<> keywords = {
      "accept_on", "alias", "always", "always_comb", "always_ff", "always_latch", "and",
      "assert", "assign", "assume", "automatic", "before", "begin", "bind", "bins", "binsof",
      "bit", "break", "buf", "bufif0", "bufif1", "byte", "case", "casex", "casez", "cell",
      "chandle", "checker", "class", "clocking", "cmos", "config", "const", "constraint",
      "context", "continue", "cover", "covergroup", "coverpoint", "cross", "deassign", "default",
      "defparam", "design", "disable", "dist", "do", "edge", "else", "end", "endcase",
      "endchecker", "endclass", "endclocking", "endconfig", "endfunction", "endgenerate",
      "endgroup", "endinterface", "endmodule", "endpackage", "endprimitive", "endprogram",
      "endproperty", "endsequence", "endspecify", "endtable", "endtask", "enum", "event",
      "eventually", "expect", "export", "extends", "extern", "final", "first_match", "for",
      "force", "foreach", "forever", "fork", "forkjoin", "function", "generate", "genvar",
      "global", "highz0", "highz1", "if", "iff", "ifnone", "ignore_bins", "illegal_bins",
      "implements", "implies", "import", "incdir", "include", "initial", "inout", "input",
      "inside", "instance", "int", "integer", "interconnect", "interface", "intersect", "join",
      "join_any", "join_none", "large", "let", "liblist", "library", "local", "localparam",
      "logic", "longint", "macromodule", "matches", "medium", "modport", "module", "nand",
      "negedge", "nettype", "new", "nexttime", "nmos", "nor", "noshowcancelled", "not", "notif0",
      "notif1", "null", "or", "output", "package", "packed", "parameter", "pmos", "posedge",
      "primitive", "priority", "program", "property", "protected", "pull0", "pull1", "pulldown",
      "pullup", "pulsestyle_ondetect", "pulsestyle_onevent", "pure", "rand", "randc", "randcase",
      "randsequence", "rcmos", "real", "realtime", "ref", "reg", "reject_on", "release",
      "repeat", "restrict", "return", "rnmos", "rpmos", "rtran", "rtranif0", "rtranif1",
      "s_always", "s_eventually", "s_nexttime", "s_until", "s_until_with", "scalared",
      "sequence", "shortint", "shortreal", "showcancelled", "signed", "small", "soft", "solve",
      "specify", "specparam", "static", "string", "strong", "strong0", "strong1", "struct",
      "super", "supply0", "supply1", "sync_accept_on", "sync_reject_on", "table", "tagged",
      "task", "this", "throughout", "time", "timeprecision", "timeunit", "tran", "tranif0",
      "tranif1", "tri", "tri0", "tri1", "triand", "trior", "trireg", "type", "typedef", "union",
      "unique", "unique0", "unsigned", "until", "until_with", "untyped", "use", "uwire", "var",
      "vectored", "virtual", "void", "wait", "wait_order", "wand", "weak", "weak0", "weak1",
      "while", "wildcard", "wire", "with", "within", "wor", "xnor", "xor"};
  if (keywords.contains(out))
    out += "_i";
  return out;
}
