//===- ImportFold.cpp - Nodes evaluated at compile time -------------------===//
//
// Exporters compute reshape targets from the input's shape at run time
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) and transpose or
// reshape constant weights into ONNX's layout. With a static shape and the
// batch pinned to 1 all of it is constant: such nodes are evaluated here so
// that only real layers reach the nn dialect. The op table says which ops
// fold how (the `fold` column); Shape is only ever folded (row below); Gather,
// Cast and Slice of constants too (their rows are in ImportEmbed.cpp).
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"
#include "compiler/onnx/OnnxConstEval.h"

#include <optional>

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

/// The node's inputs as constants (null: an omitted optional input), or
/// nullopt if one is not a constant.
std::optional<std::vector<const OnnxTensor *>> Importer::constantInputs(const OnnxNode &node) {
  std::vector<const OnnxTensor *> ins;
  for (const std::string &name : node.inputs) {
    const OnnxTensor *t = name.empty() ? nullptr : constant(name);
    if (!name.empty() && !t)
      return std::nullopt;
    ins.push_back(t);
  }
  return ins;
}

/// Integer shape arithmetic (Shape, Gather, Unsqueeze, Squeeze, Concat, Cast,
/// Slice, Add, Sub, Mul, Div, Reshape) on constants and static shapes, and
/// Reshape of a constant of any type. (Identity of a constant of any type is
/// foldConstantLayout's.)
bool Importer::foldShapeArith(const OnnxNode &node) {
  if (node.outputs.size() != 1 || node.inputs.empty())
    return false;
  OnnxTensor out;
  out.name = node.outputs[0];
  out.elemType = onnx::kInt64;
  if (node.opType == "Shape") {
    std::vector<int64_t> dims = staticShape(node.inputs[0]);
    if (dims.empty())
      return false;
    int64_t rank = dims.size(), start = node.getInt("start", 0), end = node.getInt("end", rank);
    start = std::clamp(start < 0 ? start + rank : start, int64_t(0), rank);
    end = std::clamp(end < 0 ? end + rank : end, int64_t(0), rank);
    out.intValues.assign(dims.begin() + start, dims.begin() + std::max(start, end));
    out.dims = {int64_t(out.intValues.size())};
  } else {
    auto constIns = constantInputs(node);
    if (!constIns)
      return false;
    const std::vector<const OnnxTensor *> &ins = *constIns;
    if (node.opType == "Reshape" && ins.size() == 2 && ins[0] && ins[1]) {
      // A constant reshaped (weights exported in another layout): any type.
      std::vector<int64_t> target = ins[1]->asInt64();
      int64_t n = ins[0]->numElements(), known = 1, infer = -1;
      for (size_t i = 0; i < target.size(); ++i) {
        if (target[i] == 0 && i < ins[0]->dims.size())
          target[i] = ins[0]->dims[i];
        if (target[i] == -1)
          infer = int64_t(i);
        else
          known *= target[i];
      }
      if (infer >= 0 && known > 0)
        target[infer] = n / known;
      OnnxTensor r = *ins[0];
      r.name = node.outputs[0];
      r.dims = target;
      folded[r.name] = std::move(r);
      // Reshaped quantized weights keep a per-tensor scale; a per-axis one
      // would need its axis remapped, so it is dropped (no weight_scale).
      auto wq = weightQuant.find(node.inputs[0]);
      if (wq != weightQuant.end() && wq->second.scale.size() == 1)
        weightQuant[node.outputs[0]] = wq->second;
      return true;
    }
    for (const OnnxTensor *t : ins)
      if (t && onnx::isFloatElemType(t->elemType))
        return false; // otherwise only integer shape arithmetic is folded
    if (!ins[0])
      return false; // an empty first input: left to the op's import (one-line error)
    // The integer arithmetic itself is the loader's evaluator (ONNX semantics).
    auto r = onnx::evaluateNode(node, ins);
    if (!r)
      return false;
    folded[out.name] = std::move(*r);
    return true;
  }
  for (int64_t v : out.intValues)
    out.values.push_back(double(v));
  folded[out.name] = std::move(out);
  return true;
}

/// Identity and Transpose of a constant of any type (exporters such as
/// tf2onnx transpose dequantized weights into ONNX's layout): evaluated here,
/// and a quantized constant's scale follows its axis.
bool Importer::foldConstantLayout(const OnnxNode &node) {
  if (node.inputs.empty() || node.outputs.size() != 1)
    return false;
  const OnnxTensor *x = constant(node.inputs[0]);
  if (!x)
    return false;
  OnnxTensor out = *x;
  out.name = node.outputs[0];
  auto wq = weightQuant.find(node.inputs[0]);
  std::optional<QuantParams> q;
  if (wq != weightQuant.end())
    q = wq->second;
  if (node.opType == "Transpose") {
    size_t rank = x->dims.size();
    std::vector<int64_t> perm = node.getInts("perm");
    if (perm.empty())
      for (int64_t d = int64_t(rank) - 1; d >= 0; --d)
        perm.push_back(d);
    std::vector<int64_t> sorted = perm;
    llvm::sort(sorted);
    for (size_t d = 0; d < sorted.size(); ++d)
      if (sorted.size() != rank || sorted[d] != int64_t(d))
        return false; // importTranspose reports the bad perm
    std::vector<int64_t> inStride(rank, 1);
    for (int64_t d = int64_t(rank) - 2; d >= 0; --d)
      inStride[d] = inStride[d + 1] * x->dims[d + 1];
    for (size_t d = 0; d < rank; ++d)
      out.dims[d] = x->dims[perm[d]];
    int64_t n = x->numElements();
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t src = 0;
      for (size_t d = 0; d < rank; ++d)
        src += idx[d] * inStride[perm[d]];
      out.values[i] = x->values[src];
      if (!x->intValues.empty())
        out.intValues[i] = x->intValues[src];
      for (int64_t d = int64_t(rank) - 1; d >= 0; --d)
        if (++idx[d] < out.dims[d])
          break;
        else
          idx[d] = 0;
    }
    if (q && q->scale.size() > 1)
      for (size_t d = 0; d < rank; ++d)
        if (perm[d] == q->axis) {
          q->axis = int64_t(d);
          break;
        }
  }
  if (q)
    weightQuant[out.name] = *q;
  folded[out.name] = std::move(out);
  return true;
}

/// This family's rows of the op table (ImportTable.cpp).

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::foldOnlyOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "Shape", 1, kLatest, Role::Streams, nullptr, &Importer::foldShapeArith},
  };
  return rows;
}

/// Any node whose inputs are all constants once the rows above have folded
/// what they fold (compiler/onnx/OnnxConstEval.h; the loader has folded what
/// was constant in the file already).
bool Importer::foldConstantNode(const OnnxNode &node) {
  auto ins = constantInputs(node);
  if (!ins)
    return false;
  auto out = onnx::evaluateNode(node, *ins);
  if (!out)
    return false;
  folded[node.outputs[0]] = std::move(*out);
  return true;
}
