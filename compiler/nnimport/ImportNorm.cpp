//===- ImportNorm.cpp - LayerNormalization and PyTorch's LayerNorm chain ---===//
//
// nn.layernorm comes from two spellings:
//  - LayerNormalization (opset 17+), axis = -1 only, constant Scale and B;
//  - PyTorch's export of nn.LayerNorm before opset 17:
//      mean = ReduceMean(x, axes=[-1]); d = Sub(x, mean); Pow(d, 2) (or d * d) ->
//      ReduceMean(axes=[-1]) -> Add(eps) -> Sqrt -> s; Div(d, s) [-> Mul(gamma)]
//      [-> Add(beta)]  (ReduceMean-18 takes its axes as an input).
// The chain is matched here, at import, rather than by an nn-normalize
// rewrite: its ReduceMean, Pow and Sqrt have no nn op, and adding float-only
// ops that no pass but the matcher would ever see would put the pattern in two
// places (importer and rewrite). matchLayerNormChains() runs once before the
// unsupported-op check; the chain's nodes are then skipped and its last node
// builds the nn.layernorm, named after the chain's first ReduceMean.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

#include <cmath>

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

namespace loom::nnimport::onnxop {
struct LayerNormalization;
} // namespace loom::nnimport::onnxop

namespace {
/// A value's only consumer, or null.
const OnnxNode *soleConsumer(const OnnxModel &m, const std::string &v) {
  auto users = m.findConsumers(v);
  return users.size() == 1 ? users[0] : nullptr;
}
/// The other input of a binary node whose input `mine` is one of its two.
const std::string *otherInput(const OnnxNode &n, const std::string &mine) {
  if (n.inputs.size() != 2)
    return nullptr;
  if (n.inputs[0] == mine)
    return &n.inputs[1];
  if (n.inputs[1] == mine)
    return &n.inputs[0];
  return nullptr;
}
} // namespace

/// Per-channel constant (gamma / beta): C values, or one repeated.
llvm::Expected<std::vector<double>> Importer::channelConstant(const OnnxNode &node,
                                                              const std::string &name, int64_t c,
                                                              const char *what) {
  const OnnxTensor *t = constant(name);
  if (!t)
    return nodeError(node, std::string(what) + " '" + oneLine(name) +
                               "' is not a constant; Loom needs a constant LayerNorm " + what +
                               " (an initializer)");
  if (t->numElements() == c)
    return t->values;
  if (t->numElements() == 1)
    return std::vector<double>(size_t(c), t->values[0]);
  return nodeError(node, llvm::formatv("{0} has {1} elements; LayerNorm needs {2} (the last axis)",
                                       what, t->numElements(), c)
                             .str());
}

/// The reduced axes of a ReduceMean (attribute, or input 1 from opset 18);
/// true if they are exactly the last axis of a rank-`rank` tensor with
/// keepdims = 1.
bool Importer::reducesLastAxis(const OnnxNode &rm, size_t rank) {
  std::vector<int64_t> axes = rm.getInts("axes");
  if (rm.inputs.size() > 1 && !rm.inputs[1].empty()) {
    const OnnxTensor *t = constant(rm.inputs[1]);
    if (!t)
      return false;
    axes = t->asInt64();
  }
  if (axes.size() != 1 || rm.getInt("keepdims", 1) != 1)
    return false;
  return axes[0] == -1 || axes[0] == int64_t(rank) - 1;
}

llvm::Error Importer::matchLayerNormChains() {
  for (const OnnxNode &rm : model.nodes) {
    if (rm.opType != "ReduceMean" || !rm.domain.empty() || rm.inputs.empty() || rm.outputs.empty())
      continue;
    const std::string &x = rm.inputs[0];
    // Sub(x, mean): the mark of a LayerNorm (the mean is subtracted from its own input).
    const OnnxNode *sub = nullptr;
    for (const OnnxNode *u : model.findConsumers(rm.outputs[0]))
      if (u->opType == "Sub" && u->inputs.size() == 2 && u->inputs[0] == x &&
          u->inputs[1] == rm.outputs[0])
        sub = u;
    if (!sub)
      continue;
    std::vector<int64_t> shape = staticShape(x);
    auto bad = [&](const OnnxNode &at, const std::string &why) {
      return nodeError(at, "looks like PyTorch's LayerNorm (ReduceMean '" + oneLine(rm.name) +
                               "' -> Sub -> Pow -> ReduceMean -> Add -> Sqrt -> Div) but " + why);
    };
    if (shape.size() < 2 || shape.size() > 3)
      return bad(rm, "its input is not rank 2 or 3 ([1, C] or [1, T, C])");
    if (!reducesLastAxis(rm, shape.size()))
      return bad(rm, "it does not reduce over the last axis alone with keepdims = 1; Loom "
                     "normalizes over the last axis only (nn.LayerNorm(normalized_shape = C))");
    int64_t c = shape.back();
    const std::string &d = sub->outputs[0];
    const OnnxNode *pow = nullptr, *div = nullptr;
    for (const OnnxNode *u : model.findConsumers(d)) {
      if ((u->opType == "Pow" && u->inputs.size() == 2 && u->inputs[0] == d) ||
          (u->opType == "Mul" && u->inputs.size() == 2 && u->inputs[0] == d &&
           u->inputs[1] == d)) // d * d, as some exports write the square
        pow = u;
      else if (u->opType == "Div" && u->inputs.size() == 2 && u->inputs[0] == d)
        div = u;
      else
        return bad(*u, "the centered value also feeds this node; only Pow and Div may read it");
    }
    if (!pow || !div)
      return bad(*sub, "the centered value does not feed both a Pow(d, 2) and a Div(d, std)");
    const OnnxTensor *two = pow->opType == "Pow" ? constant(pow->inputs[1]) : nullptr;
    if (pow->opType == "Pow" && (!two || two->numElements() != 1 || two->values[0] != 2.0))
      return bad(*pow, "its exponent is not the constant 2");
    const OnnxNode *rm2 = soleConsumer(model, pow->outputs[0]);
    if (!rm2 || rm2->opType != "ReduceMean")
      return bad(*pow, "its square is not averaged by one ReduceMean");
    if (!reducesLastAxis(*rm2, shape.size()))
      return bad(*rm2, "the variance is not taken over the last axis alone with keepdims = 1");
    const OnnxNode *addEps = soleConsumer(model, rm2->outputs[0]);
    const std::string *epsName = addEps && addEps->opType == "Add"
                                     ? otherInput(*addEps, rm2->outputs[0])
                                     : nullptr;
    const OnnxTensor *eps = epsName ? constant(*epsName) : nullptr;
    if (!eps || eps->numElements() != 1)
      return bad(*rm2, "the variance is not followed by Add(a constant epsilon)");
    const OnnxNode *sqrt = soleConsumer(model, addEps->outputs[0]);
    if (!sqrt || sqrt->opType != "Sqrt" || div->inputs[1] != sqrt->outputs[0] ||
        model.findConsumers(sqrt->outputs[0]).size() != 1)
      return bad(*addEps, "it is not followed by Sqrt feeding the Div only");
    LayerNormChain chain;
    chain.input = x, chain.first = &rm, chain.c = c, chain.epsilon = eps->values[0];
    chain.gamma.assign(size_t(c), 1.0), chain.beta.assign(size_t(c), 0.0);
    chain.nodes = {&rm, sub, pow, rm2, addEps, sqrt, div};
    const OnnxNode *last = div;
    // Optional Mul(gamma) then Add(beta), each with the constant on either side.
    if (const OnnxNode *mul = soleConsumer(model, last->outputs[0]); mul && mul->opType == "Mul") {
      const std::string *g = otherInput(*mul, last->outputs[0]);
      if (!g)
        return bad(*mul, "it multiplies the normalized value by itself");
      auto gamma = channelConstant(*mul, *g, c, "scale");
      if (!gamma)
        return gamma.takeError();
      chain.gamma = *gamma;
      chain.nodes.push_back(mul);
      last = mul;
    }
    if (const OnnxNode *add = soleConsumer(model, last->outputs[0]); add && add->opType == "Add") {
      const std::string *bName = otherInput(*add, last->outputs[0]);
      if (bName && constant(*bName)) {
        auto beta = channelConstant(*add, *bName, c, "bias");
        if (!beta)
          return beta.takeError();
        chain.beta = *beta;
        chain.nodes.push_back(add);
        last = add;
      }
    }
    chain.output = last->outputs[0];
    for (const OnnxNode *n : chain.nodes)
      if (n != last)
        foldedNodes.insert(n);
    layerNormChains[last] = chain;
  }
  return llvm::Error::success();
}

llvm::Error Importer::importLayerNorm(const LayerNormChain &chain) {
  Value in = lookup(chain.input);
  if (!in)
    return nodeError(*chain.first, "its input '" + oneLine(chain.input) +
                                       "' is a constant or unknown; Loom streams activations only");
  std::vector<float> g(chain.gamma.begin(), chain.gamma.end());
  std::vector<float> bt(chain.beta.begin(), chain.beta.end());
  auto op = b.create<nn::LayerNormOp>(loc(*chain.first), in.getType(), in, f32Attr({chain.c}, g),
                                      f32Attr({chain.c}, bt),
                                      b.getF32FloatAttr(float(chain.epsilon)),
                                      chain.rms ? b.getUnitAttr() : UnitAttr());
  name(op, *chain.first);
  values[chain.output] = op.getResult();
  return llvm::Error::success();
}

/// LayerNormalization-17: over the last axis only, constant Scale and B.
template <>
llvm::Error Importer::importOp<onnxop::LayerNormalization>(const OnnxNode &node, Value in) {
  ArrayRef<int64_t> shape = shapeOf(in);
  int64_t axis = node.getInt("axis", -1);
  if (shape.size() < 2 || shape.size() > 3)
    return nodeError(node, "LayerNorm needs a rank 2 or 3 input ([1, C] or [1, T, C]), got " +
                               shapeStr(shape));
  if (axis != -1 && axis != int64_t(shape.size()) - 1)
    return nodeError(node, "axis " + std::to_string(axis) +
                               " normalizes more than the last axis; Loom normalizes over the "
                               "last axis only (axis = -1)");
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty() && !model.findConsumers(node.outputs[i]).empty())
      return nodeError(node, "its Mean / InvStdDev outputs are used; Loom computes Y only");
  int64_t c = shape.back();
  if (node.inputs.size() < 2 || node.inputs[1].empty())
    return nodeError(node, "has no Scale input");
  LayerNormChain chain;
  chain.input = node.inputs[0], chain.output = node.outputs[0], chain.first = &node, chain.c = c;
  chain.epsilon = node.getFloat("epsilon", 1e-5);
  auto gamma = channelConstant(node, node.inputs[1], c, "scale");
  if (!gamma)
    return gamma.takeError();
  chain.gamma = *gamma;
  chain.beta.assign(size_t(c), 0.0);
  if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
    auto beta = channelConstant(node, node.inputs[2], c, "bias");
    if (!beta)
      return beta.takeError();
    chain.beta = *beta;
  }
  return importLayerNorm(chain);
}

ArrayRef<OpImport> Importer::normOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "LayerNormalization", 17, kLatest, Role::Streams,
       &Importer::importOp<onnxop::LayerNormalization>, nullptr},
  };
  return rows;
}
