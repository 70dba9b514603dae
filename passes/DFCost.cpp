//===- DFCost.cpp - df actors as hw_model configurations ------------------===//
#include "passes/DFCost.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace loom;

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
    c.ACT = mvu.getAct() == "none" ? 0 : mvu.getAct() == "relu" ? 1 : 2;
    c.T_DEPTH = mvu.getTable() ? int(mvu.getTable()->getNumElements()) : 1;
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

FailureOr<std::vector<Operation *>> loom::actorChainOf(func::FuncOp graph) {
  auto inputs = llvm::to_vector(graph.getOps<df::InputOp>());
  if (inputs.size() != 1)
    return graph.emitError("expected exactly one df.input, found ") << inputs.size();
  std::vector<Operation *> chain;
  Value s = inputs.front().getOutput();
  while (true) {
    if (!s.hasOneUse())
      return graph.emitError("stream fan-out is not supported in a linear chain");
    Operation *user = *s.user_begin();
    if (llvm::isa<df::OutputOp>(user))
      return chain;
    if (user->getNumResults() != 1)
      return user->emitError("unexpected actor in a linear chain");
    chain.push_back(user);
    s = user->getResult(0);
  }
}

FailureOr<std::vector<hw::ActorSpec>> loom::hwChainOf(func::FuncOp graph) {
  auto ops = actorChainOf(graph);
  if (failed(ops))
    return failure();
  std::vector<hw::ActorSpec> chain;
  for (Operation *op : *ops) {
    auto config = hwConfigOf(op);
    if (!config)
      return op->emitError("actor has no hardware model");
    auto name = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
    chain.push_back({*config, name ? name.str() : op->getName().getStringRef().str()});
  }
  return chain;
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
