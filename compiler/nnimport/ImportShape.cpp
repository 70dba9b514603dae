//===- ImportShape.cpp - Reshapes, transposes, concatenation, identities --===//
//
// Ops that move data without computing: most become nn.reshape (a frame is
// the same elements in another shape); the rest nn.transpose, nn.concat and
// nn.identity. On constants the shape ops are folded (ImportFold.cpp).
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

// Tags naming the import functions importOp<Tag> of this file (Importer.h).
namespace loom::nnimport::onnxop {
struct Dropout;
struct Flatten;
struct Identity;
struct Reshape;
struct Squeeze;
struct Transpose;
} // namespace loom::nnimport::onnxop

llvm::Error Importer::reshapeTo(const OnnxNode &node, Value in, SmallVector<int64_t> shape) {
  if (product(shape) != product(shapeOf(in)) ||
      llvm::any_of(shape, [](int64_t d) { return d <= 0; }))
    return nodeError(node, "cannot reshape a frame of " + std::to_string(product(shapeOf(in))) +
                               " elements to the requested shape");
  auto op = b.create<nn::ReshapeOp>(loc(node), f32(shape), in);
  return produce(node, op);
}

template <> llvm::Error Importer::importOp<onnxop::Identity>(const OnnxNode &node, Value in) {
  auto result = b.create<nn::IdentityOp>(loc(node), in.getType(), in);
  return produce(node, result);
}

template <> llvm::Error Importer::importOp<onnxop::Dropout>(const OnnxNode &node, Value in) {
  // Dropout is the identity only in inference mode: training_mode (input 2,
  // opset >= 12) absent or a constant false, or a dropout ratio of 0.
  // Training mode draws a random mask, which no accelerator reproduces.
  if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
    const OnnxTensor *mode = constant(node.inputs[2]);
    const OnnxTensor *ratio =
        node.inputs.size() > 1 && !node.inputs[1].empty() ? constant(node.inputs[1]) : nullptr;
    bool zeroRatio = ratio && ratio->numElements() == 1 && ratio->values[0] == 0.0;
    if (!mode || mode->numElements() != 1)
      return nodeError(node, "training_mode must be a constant (false); export the model "
                             "in inference mode (model.eval())");
    if (mode->values[0] != 0.0 && !zeroRatio)
      return nodeError(node, "training_mode is true (random dropout); export the model in "
                             "inference mode (model.eval()) so Dropout is the identity");
  }
  auto result = b.create<nn::IdentityOp>(loc(node), in.getType(), in);
  return produce(node, result);
}

/// Concat (also the float concatenation inside com.microsoft QLinearConcat).
llvm::Error Importer::importConcat(const OnnxNode &node, Value in) {
  SmallVector<int64_t> shape(shapeOf(in));
  // nn.concat joins two tensors; more inputs (Inception branches) become a
  // chain ((a, b), c), ... which is the same tensor.
  if (node.inputs.size() < 2)
    return nodeError(node, "needs at least two inputs");
  int64_t axis = node.getInt("axis", 1);
  if (axis < 0)
    axis += shape.size();
  Value acc = in;
  Operation *result = nullptr;
  SmallVector<int64_t> out = shape;
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    Value rhs = lookup(node.inputs[i]);
    if (!rhs)
      return nodeError(node, "every input must be an activation");
    SmallVector<int64_t> rs(shapeOf(rhs));
    if (rs.size() != shape.size() || axis < 0 || axis >= int64_t(shape.size()))
      return nodeError(node, "inputs must have the same rank and a valid axis");
    out[axis] += rs[axis];
    result = b.create<nn::ConcatOp>(loc(node), f32(out), acc, rhs, b.getI64IntegerAttr(axis));
    acc = result->getResult(0);
    if (i + 1 < node.inputs.size())
      name(result, node);
  }
  return produce(node, result);
}

template <> llvm::Error Importer::importOp<onnxop::Flatten>(const OnnxNode &node, Value in) {
  SmallVector<int64_t> shape(shapeOf(in));
  const int64_t rawAxis = node.getInt("axis", 1);
  int64_t axis = rawAxis < 0 ? rawAxis + int64_t(shape.size()) : rawAxis;
  if (axis < 0 || axis > int64_t(shape.size()))
    return nodeError(node, "axis " + std::to_string(rawAxis) + " is out of range for rank " +
                               std::to_string(shape.size()));
  int64_t outer = product(ArrayRef<int64_t>(shape).take_front(axis));
  return reshapeTo(node, in, {outer, product(shape) / outer});
}

template <> llvm::Error Importer::importOp<onnxop::Reshape>(const OnnxNode &node, Value in) {
  SmallVector<int64_t> shape(shapeOf(in));
  const OnnxTensor *target = node.inputs.size() > 1 ? constant(node.inputs[1]) : nullptr;
  if (!target)
    return nodeError(node, "the target shape must be a constant");
  SmallVector<int64_t> dims;
  int64_t known = 1, infer = -1;
  std::vector<int64_t> t = target->asInt64();
  for (size_t i = 0; i < t.size(); ++i) {
    int64_t d = t[i];
    if (d == 0 && !node.getInt("allowzero", 0))
      d = i < shape.size() ? shape[i] : 1;
    if (d == -1)
      infer = i;
    else
      known *= d;
    dims.push_back(d);
  }
  if (infer >= 0 && known > 0)
    dims[infer] = product(shape) / known;
  return reshapeTo(node, in, dims);
}

/// Squeeze and Unsqueeze (axes as attribute before opset 13, input after).
template <> llvm::Error Importer::importOp<onnxop::Squeeze>(const OnnxNode &node, Value in) {
  bool squeeze = node.opType == "Squeeze";
  SmallVector<int64_t> shape(shapeOf(in));
  std::vector<int64_t> axes = node.getInts("axes");
  if (node.inputs.size() > 1) {
    const OnnxTensor *a = constant(node.inputs[1]);
    if (!a)
      return nodeError(node, "axes must be a constant");
    axes = a->asInt64();
  }
  int64_t outRank = squeeze ? shape.size() : shape.size() + axes.size();
  for (int64_t a : axes)
    if (a < -outRank || a >= outRank)
      return nodeError(node, "axis " + std::to_string(a) + " is out of range for rank " +
                                 std::to_string(outRank));
  SmallVector<int64_t> dims;
  if (squeeze) {
    int64_t rank = shape.size();
    for (int64_t d = 0; d < rank; ++d) {
      bool listed = llvm::any_of(axes, [&](int64_t a) { return (a < 0 ? a + rank : a) == d; });
      if (!(listed || (axes.empty() && shape[d] == 1)) || d == 0)
        dims.push_back(shape[d]);
    }
  } else {
    int64_t rank = shape.size() + axes.size();
    size_t src = 0;
    for (int64_t d = 0; d < rank; ++d) {
      bool listed = llvm::any_of(axes, [&](int64_t a) { return (a < 0 ? a + rank : a) == d; });
      if (!listed && src >= shape.size())
        return nodeError(node, "axes repeat an axis");
      dims.push_back(listed ? 1 : shape[src++]);
    }
  }
  return reshapeTo(node, in, dims);
}

template <> llvm::Error Importer::importOp<onnxop::Transpose>(const OnnxNode &node, Value in) {
  SmallVector<int64_t> shape(shapeOf(in));
  std::vector<int64_t> perm = node.getInts("perm");
  if (perm.empty())
    for (int64_t d = shape.size() - 1; d >= 0; --d)
      perm.push_back(d);
  SmallVector<int64_t> sorted(perm.begin(), perm.end());
  llvm::sort(sorted);
  for (size_t d = 0; d < sorted.size(); ++d)
    if (sorted.size() != shape.size() || sorted[d] != int64_t(d))
      return nodeError(node, "perm is not a permutation of the " + std::to_string(shape.size()) +
                                 " dimensions");
  SmallVector<int64_t> dims, order;
  for (int64_t p : perm) {
    dims.push_back(shape[p]);
    if (shape[p] != 1)
      order.push_back(p);
  }
  if (!llvm::is_sorted(order)) {
    // A real permutation: kept as nn.transpose; the lowering absorbs the
    // ones that only change layout (NHWC <-> NCHW around convolutions).
    return produce(
        node, b.create<nn::TransposeOp>(loc(node), f32(dims), in, b.getDenseI64ArrayAttr(perm)));
  }
  return reshapeTo(node, in, dims);
}

/// This family's rows of the op table (ImportTable.cpp).

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::shapeOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "Dropout", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Dropout>,
       nullptr},
      {OnnxDomain::Onnx, "Flatten", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Flatten>,
       nullptr},
      {OnnxDomain::Onnx, "Identity", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::Identity>, &Importer::foldConstantLayout},
      {OnnxDomain::Onnx, "Reshape", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Reshape>,
       &Importer::foldShapeArith},
      {OnnxDomain::Onnx, "Squeeze", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Squeeze>,
       &Importer::foldShapeArith},
      {OnnxDomain::Onnx, "Transpose", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::Transpose>, &Importer::foldConstantLayout},
      {OnnxDomain::Onnx, "Unsqueeze", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::Squeeze>, &Importer::foldShapeArith},
      {OnnxDomain::Onnx, "Concat", 1, kLatest, Role::Streams, &Importer::importConcat,
       &Importer::foldShapeArith},
  };
  return rows;
}
