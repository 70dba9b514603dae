//===- ImportEmbed.cpp - Token embedding: Gather of a table by token ids ---===//
//
// A language model's first layer is Gather(wte [V, C], input_ids): a row of a
// constant table per token id. Hugging Face / PyTorch exports feed it from an
// int64 graph input [1, T], sometimes through a Cast or a Reshape. It becomes
// one nn.embed (docs/CONTRACTS.md "Embedding"); learned position embeddings
// (GPT-2: Add of wpe[position_ids], a constant [1, T, C] once Gather / Slice of
// the constant wpe are folded) are fused into it when the Add reads the
// lookup directly, so the hardware adds them with a position counter instead
// of streaming a second [T, C] operand.
//
// Which graph inputs are token ids is decided before anything is built
// (indexInputRows): an integer input all of whose readers, through Cast /
// Reshape / Squeeze / Unsqueeze / Flatten / Identity, are Gathers of a
// constant 2-D table on axis 0 (or Shape, which reads only the length). Such an input gets `loom.index_range` =
// [0, V - 1] (not loom.int_range: ids are addresses, not quantized data, so
// they neither widen the activation codes nor make the model "quantized").
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

namespace loom::nnimport::onnxop {
struct Gather;
struct Cast;
} // namespace loom::nnimport::onnxop

namespace {
bool passesIds(const OnnxNode &n) {
  return n.domain.empty() && (n.opType == "Cast" || n.opType == "Reshape" ||
                              n.opType == "Squeeze" || n.opType == "Unsqueeze" ||
                              n.opType == "Flatten" || n.opType == "Identity");
}
} // namespace

std::optional<int64_t> Importer::indexInputRows(const std::string &input) {
  std::optional<int64_t> rows;
  bool badGather = false; // read by a Gather that is no embedding: its import says why
  std::vector<std::string> work{input};
  while (!work.empty()) {
    std::string v = work.back();
    work.pop_back();
    indexValues.insert(v);
    for (const OnnxNode *u : model.findConsumers(v)) {
      if (u->opType == "Shape" && u->domain.empty())
        continue; // the sequence length (folded): the ids themselves are not read
      if (passesIds(*u) && !u->inputs.empty() && u->inputs[0] == v && !u->outputs.empty()) {
        work.push_back(u->outputs[0]);
        continue;
      }
      const OnnxTensor *table =
          u->opType == "Gather" && u->inputs.size() == 2 && u->inputs[1] == v
              ? model.findInitializer(u->inputs[0])
              : nullptr;
      if (u->opType == "Gather" && u->inputs.size() == 2 && u->inputs[1] == v &&
          (!table || table->dims.size() != 2 || u->getInt("axis", 0) != 0)) {
        badGather = true;
        continue;
      }
      if (!table)
        return std::nullopt;
      rows = rows ? std::min(*rows, table->dims[0]) : table->dims[0];
    }
  }
  return rows ? rows : badGather ? std::optional<int64_t>(2) : std::nullopt;
}

/// Cast of token ids (int64 <-> int32): the ids themselves.
template <> llvm::Error Importer::importOp<onnxop::Cast>(const OnnxNode &node, Value in) {
  // Llama's RMSNorm casts its float input to float32: nothing to do.
  if (in && !indexValues.count(node.inputs[0]) && node.getInt("to", 0) == onnx::kFloat) {
    values[node.outputs[0]] = in;
    return llvm::Error::success();
  }
  if (!in || !indexValues.count(node.inputs[0]))
    return nodeError(node, "Cast of an activation is supported only on token ids (an integer "
                           "graph input read by an embedding Gather)");
  int64_t to = node.getInt("to", 0);
  if (to != onnx::kInt64 && to != onnx::kInt32)
    return nodeError(node, "casts token ids to " + onnx::elemTypeName(int(to)) +
                               "; only int32 and int64 ids are supported");
  values[node.outputs[0]] = in;
  return llvm::Error::success();
}

/// Gather(table [V, C] constant, ids activation, axis = 0) -> nn.embed, with
/// an Add of a constant [1, T, C] / [T, C] right after it fused as `pos`.
template <> llvm::Error Importer::importOp<onnxop::Gather>(const OnnxNode &node, Value) {
  if (node.inputs.size() != 2 || node.outputs.size() != 1)
    return nodeError(node, "expects two inputs (data, indices) and one output");
  Value ids = lookup(node.inputs[1]);
  const OnnxTensor *table = constant(node.inputs[0]);
  if (lookup(node.inputs[0]))
    return nodeError(node, "its table '" + oneLine(node.inputs[0]) +
                               "' is not a constant (an activation); Loom supports Gather only "
                               "as a token embedding: a constant table [V, C] indexed by token "
                               "ids");
  if (!ids)
    return nodeError(node, "its indices '" + oneLine(node.inputs[1]) +
                               "' are neither constant nor a graph input");
  if (!table)
    return nodeError(node, "its table '" + oneLine(node.inputs[0]) +
                               "' is not a constant; Loom needs the embedding table as an "
                               "initializer");
  int64_t axis = node.getInt("axis", 0);
  if (axis != 0)
    return nodeError(node, "gathers along axis " + std::to_string(axis) +
                               "; a token embedding gathers rows (axis = 0)");
  if (table->dims.size() != 2)
    return nodeError(node, "its table is " + oneLine(table->describe()) +
                               "; a token embedding table is 2-D [V, C]");
  if (!indexValues.count(node.inputs[1]))
    return nodeError(node, "its indices are not token ids from an integer graph input (through "
                           "Cast / Reshape at most)");
  int64_t v = table->dims[0], c = table->dims[1];
  SmallVector<int64_t> idShape(shapeOf(ids)), outShape(idShape);
  outShape.push_back(c);
  int64_t t = product(idShape);
  std::vector<float> w(table->values.begin(), table->values.end());
  std::string out = node.outputs[0];
  DenseElementsAttr pos;
  // Learned positions: Add(lookup, P) (either order), P a constant of T*C
  // values shaped [1, T, C] or [T, C].
  auto users = model.findConsumers(out);
  if (users.size() == 1 && users[0]->opType == "Add" && users[0]->domain.empty() &&
      users[0]->inputs.size() == 2) {
    const OnnxNode *add = users[0];
    const std::string &pName = add->inputs[0] == out ? add->inputs[1] : add->inputs[0];
    const OnnxTensor *p = constant(pName);
    bool rowsShape = p && p->numElements() == t * c && !p->dims.empty() && p->dims.back() == c &&
                     product(p->dims) == t * c;
    if (p && p->numElements() == t * c && rowsShape && t > 1) {
      std::vector<float> pv(p->values.begin(), p->values.end());
      pos = f32Attr({t, c}, pv);
      foldedNodes.insert(add);
      out = add->outputs[0];
    }
  }
  auto op = b.create<nn::EmbedOp>(loc(node), f32(outShape), ids, f32Attr({v, c}, w), pos);
  name(op, node);
  values[out] = op.getResult();
  return llvm::Error::success();
}

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::embedOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "Gather", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::Gather>,
       &Importer::foldConstantNode},
      {OnnxDomain::Onnx, "Cast", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::Cast>,
       &Importer::foldShapeArith},
      {OnnxDomain::Onnx, "Slice", 1, kLatest, Role::Streams, nullptr, &Importer::foldConstantNode},
      {OnnxDomain::Onnx, "Range", 11, kLatest, Role::Streams, nullptr, &Importer::foldConstantNode},
  };
  return rows;
}
