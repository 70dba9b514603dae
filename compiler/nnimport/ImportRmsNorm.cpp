//===- ImportRmsNorm.cpp - RMSNorm chains as nn.layernorm {rms} -----------===//
//
// Llama / T5 RMSNorm, as torch.onnx exports it (no RMSNormalization op before
// opset 23):
//   Pow(x, 2) or Mul(x, x) -> ReduceMean(axes = [-1], keepdims) -> Add(eps) -> Sqrt ->
//     Reciprocal -> Mul(x, .)   |   Div(1, .) -> Mul(x, .)   |   Div(x, .)
//   [-> Mul(gamma), either order]
// (ReduceMean-18 takes its axes as an input). It is matched like PyTorch's
// LayerNorm chain (ImportNorm.cpp, and for the same reasons) and becomes one
// nn.layernorm with `rms`, named after the ReduceMean: the integer recipe of
// docs/CONTRACTS.md "LayerNorm" with S1 := 0. Chains already taken by a
// LayerNorm (whose variance is an RMS of the centered value) are skipped.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

namespace {
const OnnxNode *soleUser(const OnnxModel &m, const std::string &v) {
  auto users = m.findConsumers(v);
  return users.size() == 1 ? users[0] : nullptr;
}
bool isOp(const OnnxNode *n, llvm::StringRef op, size_t inputs) {
  return n && n->domain.empty() && n->opType == op && n->inputs.size() == inputs &&
         !n->outputs.empty();
}
} // namespace

llvm::Error Importer::matchRmsNormChains() {
  for (const OnnxNode &rm : model.nodes) {
    if (!isOp(&rm, "ReduceMean", rm.inputs.size()) || rm.inputs.empty() || foldedNodes.count(&rm))
      continue;
    // The square: Pow(x, 2), or Mul(x, x) as some exports write it.
    const OnnxNode *pow = model.findProducer(rm.inputs[0]);
    if (!pow || foldedNodes.count(pow))
      continue;
    if (isOp(pow, "Pow", 2)) {
      const OnnxTensor *two = constant(pow->inputs[1]);
      if (!two || two->numElements() != 1 || two->values[0] != 2.0)
        continue;
    } else if (!isOp(pow, "Mul", 2) || pow->inputs[0] != pow->inputs[1]) {
      continue;
    }
    const std::string &x = pow->inputs[0];
    const OnnxNode *addEps = soleUser(model, rm.outputs[0]);
    const OnnxNode *sqrt = isOp(addEps, "Add", 2) ? soleUser(model, addEps->outputs[0]) : nullptr;
    if (!isOp(sqrt, "Sqrt", 1))
      continue; // not a norm (a mean of squares used otherwise)
    auto bad = [&](const OnnxNode &at, const std::string &why) {
      return nodeError(at, "looks like RMSNorm (Pow '" + oneLine(pow->name) +
                               "' -> ReduceMean -> Add -> Sqrt -> Reciprocal -> Mul) but " + why);
    };
    std::vector<int64_t> shape = staticShape(x);
    if (shape.empty() && lookup(x))
      shape.assign(shapeOf(lookup(x)).begin(), shapeOf(lookup(x)).end());
    if (shape.size() < 2 || shape.size() > 3)
      return bad(rm, "its input is not rank 2 or 3 ([1, C] or [1, T, C])");
    if (!reducesLastAxis(rm, shape.size()))
      return bad(rm, "it does not reduce over the last axis alone with keepdims = 1");
    const std::string &epsName =
        addEps->inputs[0] == rm.outputs[0] ? addEps->inputs[1] : addEps->inputs[0];
    const OnnxTensor *eps = constant(epsName);
    if (!eps || eps->numElements() != 1)
      return bad(*addEps, "the mean square is not followed by Add(a constant epsilon)");
    if (model.findConsumers(pow->outputs[0]).size() != 1)
      return bad(*pow, "the square also feeds other nodes");
    // 1 / rms and the product with x, in the three spellings.
    std::vector<const OnnxNode *> nodes = {pow, &rm, addEps, sqrt};
    const OnnxNode *scale = soleUser(model, sqrt->outputs[0]), *norm = nullptr;
    auto timesX = [&](const OnnxNode *inv) -> const OnnxNode * {
      const OnnxNode *mul = inv ? soleUser(model, inv->outputs[0]) : nullptr;
      if (!isOp(mul, "Mul", 2))
        return nullptr;
      const std::string &o = mul->inputs[0] == inv->outputs[0] ? mul->inputs[1] : mul->inputs[0];
      return o == x ? mul : nullptr;
    };
    if (isOp(scale, "Reciprocal", 1)) {
      norm = timesX(scale);
    } else if (isOp(scale, "Div", 2) && scale->inputs[1] == sqrt->outputs[0]) {
      const OnnxTensor *one = constant(scale->inputs[0]);
      if (scale->inputs[0] == x)
        norm = scale, scale = nullptr;
      else if (one && one->numElements() == 1 && one->values[0] == 1.0)
        norm = timesX(scale);
    }
    if (!norm)
      return bad(*sqrt, "the root does not divide x (Reciprocal or Div(1, .) then Mul(x, .), "
                        "or Div(x, .))");
    if (scale)
      nodes.push_back(scale);
    nodes.push_back(norm);
    int64_t c = shape.back();
    LayerNormChain chain;
    chain.input = x, chain.first = &rm, chain.c = c, chain.epsilon = eps->values[0], chain.rms = true;
    chain.gamma.assign(size_t(c), 1.0), chain.beta.assign(size_t(c), 0.0);
    const OnnxNode *last = norm;
    if (const OnnxNode *mul = soleUser(model, last->outputs[0]); isOp(mul, "Mul", 2)) {
      const std::string &g = mul->inputs[0] == last->outputs[0] ? mul->inputs[1] : mul->inputs[0];
      if (g != last->outputs[0] && constant(g)) {
        auto gamma = channelConstant(*mul, g, c, "scale");
        if (!gamma)
          return gamma.takeError();
        chain.gamma = *gamma;
        nodes.push_back(mul);
        last = mul;
      }
    }
    chain.output = last->outputs[0];
    chain.nodes = nodes;
    for (const OnnxNode *n : nodes)
      if (n != last)
        foldedNodes.insert(n);
    layerNormChains[last] = chain;
  }
  return llvm::Error::success();
}
