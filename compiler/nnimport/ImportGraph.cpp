//===- ImportGraph.cpp - The graph: inputs, folding, nodes, outputs -------===//
//
// run() builds `func.func @<graph>(inputs) -> outputs`: it first evaluates
// what the op table can fold at compile time, reports every unsupported node
// at once, pins the batch dimension of the inputs to 1 (one frame is one
// inference) and then imports the nodes in order through the table.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

#include <cmath>

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Path.h"

#include <optional>

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

std::vector<int64_t> Importer::staticShape(const std::string &name) {
  const onnx::OnnxValueInfo *vi = model.findValueInfo(name);
  for (const auto &in : model.inputs)
    if (in.name == name)
      vi = &in;
  if (!vi || !vi->hasShape)
    return {};
  std::vector<int64_t> dims = vi->dims;
  if (!dims.empty() && dims[0] < 0)
    dims[0] = 1;
  if (llvm::any_of(dims, [](int64_t d) { return d < 0; }))
    return {};
  return dims;
}

llvm::Expected<RankedTensorType> Importer::inputType(const onnx::OnnxValueInfo &in) {
  if (!in.hasShape || in.dims.empty())
    return fileError("input '" + in.name +
                     "' has no known shape; export the model with a "
                     "static input shape");
  SmallVector<int64_t> dims(in.dims.begin(), in.dims.end());
  // The batch (rows) is dimension 0, except for an input read by a Gemm with
  // transA = 1: that Gemm sees A^T, so dimension 0 is K (the features) and
  // the rows are dimension 1. Pinning dimension 0 there would change K.
  size_t batch = 0;
  std::string batchNote;
  if (dims.size() == 2)
    for (const OnnxNode *user : model.findConsumers(in.name))
      if (user->opType == "Gemm" && user->domain.empty() && !user->inputs.empty() &&
          user->inputs[0] == in.name && user->getInt("transA", 0)) {
        batch = 1;
        batchNote = " (dimension 1: Gemm '" + oneLine(user->name) +
                    "' reads this input transposed, transA = 1)";
      }
  // No batch to pin: a rank-1 input, or the [M, K] A operand of a MatMul
  // (directly or through one quantizer), whose M rows are one frame.
  bool rows = dims.size() == 1;
  if (dims.size() == 2 && dims[0] > 0)
    for (const OnnxNode *user : model.findConsumers(in.name)) {
      const OnnxNode *mm = user;
      const OpImport *userRow = rowOf(*user);
      if (userRow && userRow->role == Role::Qdq && !user->outputs.empty()) {
        auto next = model.findConsumers(user->outputs[0]);
        mm = next.size() == 1 ? next[0] : nullptr;
      }
      const OpImport *mmRow = mm ? rowOf(*mm) : nullptr;
      if (mmRow && mmRow->matmulB >= 0 && !mm->inputs.empty() &&
          (mm->inputs[0] == in.name || (mm != user && mm->inputs[0] == user->outputs[0])))
        rows = true;
    }
  // A 3-D A whose MatMul has one constant B per batch ([batch, K, N]): the
  // batch is part of the computation, so the whole A is one frame.
  if (dims.size() == 3 && dims[0] > 0)
    for (const OnnxNode *mm : model.findConsumers(in.name)) {
      const OpImport *mmRow = rowOf(*mm);
      size_t bIdx = mmRow && mmRow->matmulB >= 0 ? size_t(mmRow->matmulB) : 0;
      const OnnxTensor *bw = bIdx && mm->inputs.size() > bIdx && mm->inputs[0] == in.name
                                 ? model.findInitializer(mm->inputs[bIdx])
                                 : nullptr;
      if (bw && bw->dims.size() == 3 && bw->dims[0] == dims[0])
        rows = true;
    }
  // A sequence-first [T, 1, E] A (PyTorch's nn.MultiheadAttention, batch 1 in
  // dimension 1) of a MatMul with constant [E, N] weights: T rows, one frame.
  if (dims.size() == 3 && dims[0] > 0 && dims[1] == 1)
    for (const OnnxNode *mm : model.findConsumers(in.name)) {
      const OpImport *mmRow = rowOf(*mm);
      const OnnxTensor *bw = mmRow && mmRow->matmulB >= 0 && mm->inputs.size() > 1 &&
                                     mm->inputs[0] == in.name
                                 ? model.findInitializer(mm->inputs[size_t(mmRow->matmulB)])
                                 : nullptr;
      if (bw && bw->dims.size() == 2)
        rows = true;
    }
  if (dims[batch] != 1 && !(rows && dims[batch] > 0)) {
    std::string what = dims[batch] < 0 ? "symbolic batch dimension"
                                       : "batch dimension " + std::to_string(dims[batch]);
    if (batch < in.dimParams.size() && !in.dimParams[batch].empty())
      what += " '" + in.dimParams[batch] + "'";
    warnings.push_back("input '" + in.name + "': " + what + batchNote +
                       " set to 1 (one frame per inference)");
    dims[batch] = 1;
  }
  for (size_t i = 0; i < dims.size(); ++i)
    if (i != batch && dims[i] <= 0)
      return fileError("input '" + in.name + "' dimension " + std::to_string(i) +
                       " is not static; export the model with a static input shape");
  return f32(dims);
}

llvm::Expected<OwningOpRef<ModuleOp>> Importer::run() {
  ctx.loadDialect<nn::NNDialect, func::FuncDialect>();
  // Every unsupported node is listed in one error, before anything is built.
  for (const OnnxNode &node : model.nodes) {
    const OpImport *row = rowOf(node);
    if ((row && row->fold && (this->*row->fold)(node)) || foldConstantNode(node))
      foldedNodes.insert(&node);
  }
  if (auto err = matchLayerNormChains())
    return std::move(err);
  if (auto err = matchRmsNormChains())
    return std::move(err);
  if (auto err = matchAttentionChains())
    return std::move(err);
  // Infinities are meaningful only in attention masks (-inf: never attend),
  // which the attention chains have taken; anywhere else a constant must be a
  // number (it would silently become a saturated code).
  for (const OnnxNode &node : model.nodes) {
    if (foldedNodes.count(&node) || attentionChains.count(&node))
      continue;
    for (const std::string &name : node.inputs) {
      const OnnxTensor *t = name.empty() ? nullptr : constant(name);
      for (size_t i = 0; t && i < t->values.size(); ++i)
        if (!std::isfinite(t->values[i]))
          return fileError((model.findInitializer(name) ? "initializer '" : "constant '") +
                           name + "' holds " + (std::isnan(t->values[i]) ? "NaN" : "an infinity") +
                           " at flat index " + std::to_string(i) + " (read by node '" +
                           oneLine(node.name) + "'); weights and constants must be finite "
                           "numbers (re-export the model)");
    }
  }
  std::vector<std::string> unsupported;
  for (const OnnxNode &node : model.nodes) {
    if (foldedNodes.count(&node) || layerNormChains.count(&node) || attentionChains.count(&node))
      continue;
    const OpImport *row = rowOf(node);
    if (!row || !row->import)
      unsupported.push_back(llvm::formatv("node '{0}' ({1}{2})", oneLine(node.name),
                                          node.domain.empty() ? "" : oneLine(node.domain) + ".",
                                          oneLine(node.opType)));
  }
  if (!unsupported.empty())
    return fileError(llvm::formatv("unsupported ONNX op{0}: {1}; Loom supports {2}",
                                   unsupported.size() > 1 ? "s" : "", llvm::join(unsupported, ", "),
                                   supportedOpsText()));
  if (model.inputs.empty() || model.outputs.empty())
    return fileError(llvm::formatv("the graph has {0} inputs and {1} outputs; Loom needs at "
                                   "least one of each",
                                   model.inputs.size(), model.outputs.size()));

  OwningOpRef<ModuleOp> module = ModuleOp::create(b.getUnknownLoc());
  SmallVector<Type> argTypes;
  // Integer inputs (uint8 / int8 / ... data of quantized models) become f32
  // arguments holding integers, with their range as loom.int_range.
  std::vector<std::optional<std::pair<int64_t, int64_t>>> intRanges;
  // Token ids (int64 / int32 inputs read only by embedding Gathers, through
  // Cast / Reshape): loom.index_range = [0, V - 1] (ImportEmbed.cpp).
  std::vector<std::optional<int64_t>> indexRows;
  for (const auto &in : model.inputs) {
    int64_t qmin = 0, qmax = 0;
    std::optional<int64_t> rows;
    if (in.elemType == onnx::kInt64 || in.elemType == onnx::kInt32)
      rows = indexInputRows(in.name);
    indexRows.push_back(rows);
    if (in.elemType != onnx::kFloat && !rows && !integerRange(in.elemType, qmin, qmax))
      return fileError("input '" + in.name + "' is " + onnx::elemTypeName(in.elemType) +
                       "; only float, uint8, int8, uint16, int16 and int32 inputs are "
                       "supported, and int64 token ids read by an embedding Gather");
    intRanges.push_back(in.elemType == onnx::kFloat || rows
                            ? std::nullopt
                            : std::optional<std::pair<int64_t, int64_t>>({qmin, qmax}));
    auto type = inputType(in);
    if (!type)
      return type.takeError();
    argTypes.push_back(*type);
  }
  b.setInsertionPointToEnd(module->getBody());
  std::string funcName =
      model.graphName.empty() ? llvm::sys::path::stem(model.path).str() : model.graphName;
  // Function type results are fixed after the body is built.
  auto func = b.create<func::FuncOp>(b.getUnknownLoc(), funcName, b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, in] : llvm::enumerate(model.inputs)) {
    values[in.name] = entry->getArgument(i);
    func.setArgAttr(i, "onnx.name", b.getStringAttr(in.name));
    if (intRanges[i])
      func.setArgAttr(i, "loom.int_range",
                      b.getDenseI64ArrayAttr({intRanges[i]->first, intRanges[i]->second}));
    if (indexRows[i])
      func.setArgAttr(i, "loom.index_range", b.getDenseI64ArrayAttr({0, *indexRows[i] - 1}));
  }
  b.setInsertionPointToStart(entry);
  for (const OnnxNode &node : model.nodes)
    if (foldedNodes.count(&node))
      continue;
    else if (auto chain = layerNormChains.find(&node); chain != layerNormChains.end()) {
      if (auto err = importLayerNorm(chain->second))
        return std::move(err);
    } else if (auto att = attentionChains.find(&node); att != attentionChains.end()) {
      if (auto err = importAttention(att->second))
        return std::move(err);
    } else if (auto err = importNode(node))
      return std::move(err);

  SmallVector<Value> results;
  for (const auto &out : model.outputs) {
    Value v = lookup(out.name);
    if (!v)
      return fileError("graph output '" + out.name + "' is not computed by any node");
    results.push_back(v);
  }
  b.create<func::ReturnOp>(b.getUnknownLoc(), results);
  func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(model.outputs))
    func.setResultAttr(i, "onnx.name", b.getStringAttr(out.name));
  return std::move(module);
}
