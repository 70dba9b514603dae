//===- LiftBatchedMatMul.cpp - OPT's 3-D attention as the 4-D one ---------===//
//
// OPT and BLOOM (Hugging Face eager attention) view the [1, H, T, D] heads as
// [H, T, D] (`view(bsz * num_heads, -1, head_dim)`), compute the scores and
// the weighted sum with 3-D torch.bmm, and view the scores back to
// [1, H, T, T] around the mask. With the batch pinned to 1 the 3-D values are
// the 4-D ones without their leading 1, so before import the region between
// such a view in (Reshape [1, a, b, c] -> [a, b, c]) and the view back out
// (Reshape [a, b, c] -> [1, a, b, c]) gets its leading 1 back: the two views
// go, Transposes and Softmax get their axes shifted by one, Reshapes inside
// the region get a leading 1, and every value's shape grows an axis of 1.
// Nothing is computed differently, and the attention matcher sees the 4-D
// chain it knows. A region with any other op, or with a value that is a
// graph output, is left as it is (and refused at import by that op).
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/GraphRewrite.h"
#include "compiler/nnimport/ImportToNN.h"

#include "llvm/ADT/STLExtras.h"

using namespace loom;
using namespace loom::rewrite;

namespace {

/// Reshape [1, dims...] -> [dims...] of rank 3: a view into the region.
bool isViewIn(const OnnxModel &m, const OnnxNode &n) {
  if (!isDefault(n) || n.opType != "Reshape")
    return false;
  std::vector<int64_t> in = dimsOf(m, n.inputs[0]), out = dimsOf(m, n.outputs[0]);
  return out.size() == 3 && in.size() == 4 && in[0] == 1 &&
         std::equal(out.begin(), out.end(), in.begin() + 1);
}

/// Reshape [dims...] -> [1, dims...]: the view back out of the region.
bool isViewOut(const OnnxModel &m, const OnnxNode &n) {
  if (!isDefault(n) || n.opType != "Reshape")
    return false;
  std::vector<int64_t> in = dimsOf(m, n.inputs[0]), out = dimsOf(m, n.outputs[0]);
  return in.size() == 3 && out.size() == 4 && out[0] == 1 &&
         std::equal(in.begin(), in.end(), out.begin() + 1);
}

bool isElementwise(const std::string &op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Where" ||
         op == "Cast" || op == "Identity" || op == "Neg";
}

} // namespace

void loom::liftBatchedMatMuls(onnx::OnnxModel &m) {
  // The region: every value computed from a view in, up to a view out.
  std::set<std::string> region;
  std::set<std::string> viewsIn, viewsOut;
  std::vector<const OnnxNode *> inside;
  for (const OnnxNode &n : m.nodes) {
    if (isViewIn(m, n) && !m.findInitializer(n.inputs[0])) {
      viewsIn.insert(n.name);
      region.insert(n.outputs[0]);
      continue;
    }
    if (llvm::none_of(n.inputs, [&](const std::string &v) { return region.count(v) > 0; }))
      continue;
    if (isViewOut(m, n)) {
      viewsOut.insert(n.name);
      continue;
    }
    // Inside the region: an op that works unchanged with a leading 1, on
    // 3-D values of the region and constants of rank <= 3 (broadcast).
    const bool known = n.opType == "MatMul" || n.opType == "Transpose" ||
                       n.opType == "Softmax" || n.opType == "Reshape" ||
                       isElementwise(n.opType);
    if (!isDefault(n) || !known || n.outputs.size() != 1)
      return;
    for (const std::string &v : n.inputs) {
      if (v.empty() || region.count(v))
        continue;
      const OnnxTensor *c = m.findInitializer(v);
      if (!c || c->dims.size() > 3 || n.opType == "MatMul")
        return;
    }
    if (dimsOf(m, n.outputs[0]).size() != 3 || isGraphOutput(m, n.outputs[0]))
      return;
    if (n.opType == "Softmax" && m.opset < 13 &&
        normAxis(n.getInt("axis", 1), 3) != 2) // the old 2-D coercion: last axis only
      return;
    region.insert(n.outputs[0]);
    inside.push_back(&n);
  }
  if (viewsIn.empty() || viewsOut.empty())
    return;
  for (const std::string &v : region)
    if (isGraphOutput(m, v))
      return;

  // The rewrite: an axis of 1 in front of every value of the region.
  std::map<std::string, std::string> renamed;
  std::set<std::string> gone;
  for (const OnnxNode &n : m.nodes)
    if (viewsIn.count(n.name) || viewsOut.count(n.name)) {
      gone.insert(n.name);
      renamed[n.outputs[0]] = n.inputs[0];
    }
  for (const OnnxNode *c : inside) {
    OnnxNode &n = const_cast<OnnxNode &>(*c);
    std::vector<int64_t> dims = dimsOf(m, n.outputs[0]);
    if (n.opType == "Transpose") {
      std::vector<int64_t> perm{0};
      for (int64_t a : permOf(n, 3))
        perm.push_back(a + 1);
      setInts(n, "perm", perm);
    } else if (n.opType == "Softmax") {
      int64_t a = n.getInt("axis", m.opset < 13 ? 1 : -1);
      setInt(n, "axis", m.opset < 13 ? 3 : (a < 0 ? a : a + 1));
    } else if (n.opType == "Reshape") {
      std::vector<int64_t> to{1};
      to.insert(to.end(), dims.begin(), dims.end());
      n.inputs[1] = addShape(m, freshName(m, n.name, "/lifted_shape"), to);
    }
    dims.insert(dims.begin(), 1);
    setShape(m, n.outputs[0], dims);
  }
  // Views out that are graph outputs keep their name through an Identity.
  for (OnnxNode &n : m.nodes)
    if (viewsOut.count(n.name) && isGraphOutput(m, n.outputs[0])) {
      gone.erase(n.name);
      renamed.erase(n.outputs[0]);
      n.opType = "Identity";
      n.inputs.resize(1);
    }
  dropNodes(m, gone, renamed);
}
