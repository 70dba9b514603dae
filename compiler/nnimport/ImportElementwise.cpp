//===- ImportElementwise.cpp - Element-wise arithmetic, batch norm --------===//
#include "compiler/nnimport/Importer.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

// Tags naming the import functions importOp<Tag> of this file (Importer.h).
namespace loom::nnimport::onnxop {
struct Arith;
struct BatchNormalization;
} // namespace loom::nnimport::onnxop

/// Add, Sub, Mul, Div of an activation and a constant that broadcasts to it
/// (nn.add / nn.mul), or Add and Mul of two activations (nn.add_act /
/// nn.mul_act).
template <> llvm::Error Importer::importOp<onnxop::Arith>(const OnnxNode &node, Value) {
  const std::string &op = node.opType;
  // Add and Mul are commutative: Add(const, x) is imported as Add(x, const).
  std::string inName = node.inputs[0], otherName = node.inputs.size() > 1 ? node.inputs[1] : "";
  if ((op == "Add" || op == "Mul") && !lookup(inName) && constant(inName) && !otherName.empty() &&
      lookup(otherName))
    std::swap(inName, otherName);
  Value in = lookup(inName);
  if (!in)
    return notStreamed(node, inName);
  SmallVector<int64_t> shape(shapeOf(in));
  Value other = otherName.empty() ? Value() : lookup(otherName);
  const OnnxTensor *c = otherName.empty() ? nullptr : constant(otherName);
  if (!c && !other)
    return nodeError(node, "second input is missing or unknown");
  if (!c && (op == "Add" || op == "Mul") && !broadcastPixels(node, in, other))
    return nodeError(node, std::string(op == "Add" ? "adding" : "multiplying") +
                               " activations of different shapes is only supported when one "
                               "is [N, C, 1, 1] and the other [N, C, H, W]");
  if (!c && op == "Add") {
    return produce(node, b.create<nn::AddActOp>(loc(node), in.getType(), in, other, nullptr,
                                                nullptr, nullptr));
  }
  if (!c && op == "Mul") {
    return produce(
        node, b.create<nn::MulActOp>(loc(node), in.getType(), in, other, b.getI64IntegerAttr(0), nullptr));
  }
  if (!c)
    return nodeError(node, "combining two activations is only supported for Add and Mul");
  // x - c is x + (-c); x / c is x * (1/c).
  std::vector<float> vals;
  for (double v : c->values)
    vals.push_back(float(op == "Sub" ? -v : op == "Div" ? 1.0 / v : v));
  SmallVector<int64_t> cdims(c->dims.begin(), c->dims.end());
  // Numpy broadcasting: the result may be larger than the activation (e.g.
  // [1, 10] + [3, 10] is [3, 10]); nn.add keeps the activation's type, so
  // such an Add cannot be expressed.
  size_t outRank = std::max(shape.size(), cdims.size());
  SmallVector<int64_t> outShape(outRank, 1);
  for (size_t i = 0; i < outRank; ++i) {
    int64_t a = i < shape.size() ? shape[shape.size() - 1 - i] : 1;
    int64_t d = i < cdims.size() ? cdims[cdims.size() - 1 - i] : 1;
    if (a != d && a != 1 && d != 1)
      return nodeError(node, "the constant " + oneLine(c->describe()) +
                                 " does not broadcast with the activation");
    outShape[outRank - 1 - i] = std::max(a, d);
  }
  if (ArrayRef<int64_t>(outShape) != ArrayRef<int64_t>(shape))
    return nodeError(node, "the constant broadcasts the activation to a larger shape; only "
                           "constants that broadcast to the activation's shape are supported "
                           "(e.g. one value per feature)");
  // A constant that differs per position of a [1, T, C] sequence (learned
  // position embeddings) exists in hardware only fused into the token
  // embedding (ImportEmbed.cpp), where the Add reads the Gather directly.
  if ((op == "Add" || op == "Sub") && shape.size() == 3 && shape[1] > 1 &&
      cdims.size() >= 2 && cdims[cdims.size() - 2] == shape[1])
    return nodeError(node, "adds a different constant at each of the " + std::to_string(shape[1]) +
                               " positions; Loom supports per-position constants only as "
                               "position embeddings added right after the token Gather");
  auto cst = b.create<nn::ConstantOp>(loc(node), f32(cdims), f32Attr(cdims, vals));
  if (op == "Add" || op == "Sub")
    return produce(node, b.create<nn::AddOp>(loc(node), in.getType(), in, cst));
  return produce(node, b.create<nn::MulOp>(loc(node), in.getType(), in, cst));
}

template <>
llvm::Error Importer::importOp<onnxop::BatchNormalization>(const OnnxNode &node, Value in) {
  SmallVector<int64_t> shape(shapeOf(in));
  int64_t channels = shape.size() > 1 ? shape[1] : 0;
  std::vector<float> params[4];
  for (int i = 0; i < 4; ++i) {
    const OnnxTensor *t =
        node.inputs.size() > size_t(i + 1) ? constant(node.inputs[i + 1]) : nullptr;
    if (!t || t->numElements() != channels)
      return nodeError(node, "scale, bias, mean and variance must be constants of size " +
                                 std::to_string(channels));
    params[i].assign(t->values.begin(), t->values.end());
  }
  auto result = b.create<nn::BatchNormOp>(
      loc(node), in.getType(), in, f32Attr({channels}, params[0]), f32Attr({channels}, params[1]),
      f32Attr({channels}, params[2]), f32Attr({channels}, params[3]),
      b.getF32FloatAttr(float(node.getFloat("epsilon", 1e-5))));
  return produce(node, result);
}

/// A per-channel [N, C, 1, 1] tensor (a squeeze-and-excitation gate) against
/// an [N, C, H, W] one is repeated over the H x W pixels by a nearest resize,
/// so the element-wise join sees equal shapes.
bool Importer::broadcastPixels(const OnnxNode &node, Value &lhs, Value &rhs) {
  ArrayRef<int64_t> l = shapeOf(lhs), r = shapeOf(rhs);
  if (l == r)
    return true;
  bool rSmall = r.size() == 4 && r[2] == 1 && r[3] == 1;
  bool lSmall = l.size() == 4 && l[2] == 1 && l[3] == 1;
  if (l.size() != 4 || r.size() != 4 || l[0] != r[0] || l[1] != r[1] || rSmall == lSmall)
    return false;
  Value &small = rSmall ? rhs : lhs;
  ArrayRef<int64_t> big = rSmall ? l : r;
  auto resize = b.create<nn::ResizeOp>(loc(node), f32({big[0], big[1], big[2], big[3]}), small,
                                       b.getDenseI64ArrayAttr({big[2], big[3]}));
  resize->setAttr(nn::kNodeNameAttr, b.getStringAttr(node.name + "_broadcast"));
  resize->setAttr(nn::kOpTypeAttr, b.getStringAttr("Resize"));
  small = resize;
  return true;
}

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::elementwiseOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "Add", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::Arith>,
       &Importer::foldShapeArith},
      {OnnxDomain::Onnx, "BatchNormalization", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::BatchNormalization>, nullptr},
      {OnnxDomain::Onnx, "Div", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::Arith>,
       &Importer::foldShapeArith},
      {OnnxDomain::Onnx, "Mul", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::Arith>,
       &Importer::foldShapeArith},
      {OnnxDomain::Onnx, "Sub", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::Arith>,
       &Importer::foldShapeArith},
  };
  return rows;
}
