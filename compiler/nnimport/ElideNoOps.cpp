//===- ElideNoOps.cpp - nodes that are the identity on float tensors ------===//
//
// Hugging Face exports upcast around softmax and the norms
// (`softmax(x, dtype=torch.float32).to(x.dtype)`, `hidden.to(torch.float32)`):
// in a float32 graph those are Cast(to FLOAT) of float tensors. OPT clamps the
// masked scores with torch.max(scores, finfo.min): Max(x, -3.4e38). Neither
// changes a value Loom computes, but both sit between the nodes the matchers
// look for (attention, norms, rotary). So does an Add of zeros (BLOOM's
// baddbmm when its bias is zero). Before import, such a node is removed
// and its readers read its input; one that is a graph output stays.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/ImportToNN.h"

#include "llvm/ADT/STLExtras.h"

#include <set>

using namespace loom;
using onnx::OnnxModel;
using onnx::OnnxNode;

namespace {

/// The element type of `name`: a graph input, an initializer or a value
/// ONNX shape inference typed.
int elemTypeOf(const OnnxModel &model, const std::string &name) {
  if (const onnx::OnnxTensor *t = model.findInitializer(name))
    return t->elemType;
  if (const onnx::OnnxValueInfo *v = model.findValueInfo(name))
    return v->elemType;
  return onnx::kUndefined;
}

bool isFloat32(int t) { return t == onnx::kFloat; }

/// A scalar (or one-element) constant of `model`, if `name` is one.
std::optional<double> scalarConstant(const OnnxModel &model, const std::string &name) {
  const onnx::OnnxTensor *t = model.findInitializer(name);
  if (!t || t->values.size() != 1)
    return std::nullopt;
  return t->values[0];
}

/// The input a no-op node passes through, or "" if it is not one.
std::string passThrough(const OnnxModel &model, const OnnxNode &n) {
  if (!n.domain.empty() || n.outputs.size() != 1 || n.inputs.empty() || n.inputs[0].empty())
    return "";
  if (n.opType == "Cast" && n.inputs.size() == 1 &&
      isFloat32(int(n.getInt("to", onnx::kUndefined))) &&
      isFloat32(elemTypeOf(model, n.inputs[0])) && !model.findInitializer(n.inputs[0]))
    return n.inputs[0];
  // Max / Min with the float32 extreme: the identity on finite values.
  if ((n.opType == "Max" || n.opType == "Min") && n.inputs.size() == 2)
    for (int k = 0; k < 2; ++k) {
      auto c = scalarConstant(model, n.inputs[size_t(k)]);
      const std::string &other = n.inputs[size_t(1 - k)];
      if (c && !model.findInitializer(other) &&
          (n.opType == "Max" ? *c <= -3.0e38 : *c >= 3.0e38))
        return other;
    }
  // Add / Sub of a constant that is all zeros and does not broadcast the
  // other operand to a larger shape (BLOOM's baddbmm with a zero bias).
  if ((n.opType == "Add" || n.opType == "Sub") && n.inputs.size() == 2)
    for (int k = n.opType == "Sub" ? 1 : 0; k < 2; ++k) {
      const onnx::OnnxTensor *c = model.findInitializer(n.inputs[size_t(k)]);
      const std::string &other = n.inputs[size_t(1 - k)];
      std::optional<onnx::OnnxValueInfo> ot = model.typeOf(other), rt = model.typeOf(n.outputs[0]);
      if (c && !model.findInitializer(other) && isFloat32(c->elemType) &&
          llvm::all_of(c->values, [](double v) { return v == 0.0; }) && ot && rt &&
          ot->hasShape && rt->hasShape && ot->isFullyStatic() && ot->dims == rt->dims &&
          isFloat32(elemTypeOf(model, other)))
        return other;
    }
  return "";
}

} // namespace

void loom::elideNoOps(OnnxModel &model) {
  std::set<std::string> graphOutputs;
  for (const auto &o : model.outputs)
    graphOutputs.insert(o.name);
  std::vector<OnnxNode> kept;
  std::map<std::string, std::string> renamed; // a removed node's output -> its input
  for (OnnxNode &n : model.nodes) {
    for (std::string &in : n.inputs)
      if (auto it = renamed.find(in); it != renamed.end())
        in = it->second;
    std::string src = passThrough(model, n);
    if (!src.empty() && !graphOutputs.count(n.outputs[0])) {
      renamed[n.outputs[0]] = src;
      continue;
    }
    kept.push_back(std::move(n));
  }
  model.nodes = std::move(kept);
}
