//===- ImportFold.cpp - Nodes evaluated at compile time -------------------===//
//
// Exporters compute reshape targets from the input's shape at run time
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) and transpose or
// reshape constant weights into ONNX's layout. With a static shape and the
// batch pinned to 1 all of it is constant: such nodes are evaluated here so
// that only real layers reach the nn dialect. The op table says which ops
// fold how (the `fold` column); Shape is only ever folded (row below). The
// arithmetic itself is compiler/onnx's evaluator (OnnxConstEval.h), which
// the loader has already run on what was constant in the file; here it sees
// what the importer's shapes (the batch pinned to 1) make constant.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"
#include "compiler/onnx/OnnxConstEval.h"

#include <optional>

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

/// Shape of a statically shaped value (the batch pinned to 1), Reshape of a
/// constant of any type (a quantized weight keeps its per-tensor scale), and
/// any other node of constants through foldConstantNode. (Identity of a
/// constant of any type is foldConstantLayout's.)
bool Importer::foldShapeArith(const OnnxNode &node) {
  if (node.outputs.size() != 1 || node.inputs.empty())
    return false;
  if (node.opType == "Shape") {
    std::vector<int64_t> dims = staticShape(node.inputs[0]);
    if (dims.empty())
      return false;
    folded[node.outputs[0]] = onnx::evaluateShape(node, dims);
    return true;
  }
  const OnnxTensor *x = constant(node.inputs[0]);
  const OnnxTensor *shape = node.inputs.size() == 2 ? constant(node.inputs[1]) : nullptr;
  if (node.opType == "Reshape" && x && shape) {
    // A constant reshaped (weights exported in another layout): any type.
    std::vector<int64_t> target = shape->asInt64();
    int64_t n = x->numElements(), known = 1, infer = -1;
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] == 0 && i < x->dims.size())
        target[i] = x->dims[i];
      if (target[i] == -1)
        infer = int64_t(i);
      else
        known *= target[i];
    }
    if (infer >= 0 && known > 0)
      target[infer] = n / known;
    OnnxTensor r = *x;
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
  return foldConstantNode(node);
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
  std::vector<const OnnxTensor *> ins;
  for (const std::string &name : node.inputs) {
    const OnnxTensor *t = name.empty() ? nullptr : constant(name);
    if (!name.empty() && !t)
      return false;
    ins.push_back(t);
  }
  auto out = onnx::evaluateNode(node, ins);
  if (!out)
    return false;
  folded[node.outputs[0]] = std::move(*out);
  return true;
}
