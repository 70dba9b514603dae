//===- DFCost.cpp - df actors as hw_model configurations ------------------===//
#include "passes/DFCost.h"

#include "llvm/ADT/StringExtras.h"

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
  return out;
}
