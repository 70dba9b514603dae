//===- ImportLayout.cpp - Ops that are layout moves around known ops -----===//
//
// Ops exporters write that are data movement (or a known op inside data
// movement), imported as nn.reshape / nn.transpose around existing nn ops,
// so nn-to-df absorbs the moves as stream permutations:
//   - qonnx.custom_op.channels_last Conv, MaxPool, BatchNormalization: the
//     standard op on channels-last (NHWC / NLC) tensors, as QONNX executes
//     it: transpose to channels-first, the op, transpose back. Streams are
//     channels-last already, so the two transposes cost nothing.
//   - DepthToSpace (DCR and CRD) and SpaceToDepth: Reshape -> Transpose ->
//     Reshape (their ONNX definitions). At the graph's output end the
//     permutation is the host's (loom.perm); in the middle of the graph a
//     data-moving permutation is refused by nn-to-df, naming this node.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

// Tags naming the import functions importOp<Tag> of this file (Importer.h).
namespace loom::nnimport::onnxop {
struct ChannelsLast;
struct DepthToSpace;
} // namespace loom::nnimport::onnxop

Value Importer::transposeAs(const OnnxNode &node, Value in, ArrayRef<int64_t> perm) {
  ArrayRef<int64_t> shape = shapeOf(in);
  SmallVector<int64_t> dims;
  for (int64_t p : perm)
    dims.push_back(shape[p]);
  auto op = b.create<nn::TransposeOp>(loc(node), f32(dims), in, b.getDenseI64ArrayAttr(perm));
  name(op, node);
  return op.getResult();
}

Value Importer::reshapeAs(const OnnxNode &node, Value in, ArrayRef<int64_t> shape) {
  auto op = b.create<nn::ReshapeOp>(loc(node), f32(shape), in);
  name(op, node);
  return op.getResult();
}

/// A qonnx.custom_op.channels_last op: its standard (default-domain) op
/// between two transposes.
template <>
llvm::Error Importer::importOp<onnxop::ChannelsLast>(const OnnxNode &node, Value in) {
  int64_t rank = shapeOf(in).size();
  if (rank != 3 && rank != 4)
    return nodeError(node, "a channels-last input must have rank 3 (N, L, C) or 4 (N, H, W, C), "
                           "not " + std::to_string(rank));
  const OpImport *row = findOp("", node.opType, model.opset);
  if (!row || !row->import)
    return nodeError(node, "not supported in the channels-last domain");
  SmallVector<int64_t> toFirst{0, rank - 1}, toLast{0};
  for (int64_t d = 1; d < rank - 1; ++d)
    toFirst.push_back(d);
  for (int64_t d = 2; d < rank; ++d)
    toLast.push_back(d);
  toLast.push_back(1);
  // The standard op reads and writes private names, so errors and nn op
  // names still name this node.
  OnnxNode inner = node;
  inner.domain = "";
  inner.inputs[0] = node.name + "\x1f" "channels_first_in";
  inner.outputs[0] = node.name + "\x1f" "channels_first_out";
  Value first = transposeAs(node, in, toFirst);
  values[inner.inputs[0]] = first;
  if (llvm::Error err = (this->*row->import)(inner, first))
    return err;
  Value y = lookup(inner.outputs[0]);
  if (!y)
    return nodeError(node, "has no result");
  values[node.outputs[0]] = transposeAs(node, y, toLast);
  return llvm::Error::success();
}

/// DepthToSpace (DCR, CRD) and SpaceToDepth on [1, C, H, W].
template <>
llvm::Error Importer::importOp<onnxop::DepthToSpace>(const OnnxNode &node, Value in) {
  ArrayRef<int64_t> s = shapeOf(in);
  if (s.size() != 4)
    return nodeError(node, "needs a 4-D input [N, C, H, W], not " + shapeStr(s));
  int64_t bs = node.getInt("blocksize", 0);
  if (bs < 1)
    return nodeError(node, "blocksize must be a positive integer");
  int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (node.opType == "SpaceToDepth") {
    if (h % bs || w % bs)
      return nodeError(node, "H and W (" + std::to_string(h) + ", " + std::to_string(w) +
                                 ") must be multiples of the blocksize " + std::to_string(bs));
    Value t = reshapeAs(node, in, {n, c, h / bs, bs, w / bs, bs});
    t = transposeAs(node, t, {0, 3, 5, 1, 2, 4});
    return produce(node, b.create<nn::ReshapeOp>(loc(node), f32({n, c * bs * bs, h / bs, w / bs}),
                                                 t));
  }
  std::string mode = node.getString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD")
    return nodeError(node, "mode '" + oneLine(mode) + "' is not DCR or CRD");
  if (c % (bs * bs))
    return nodeError(node, "channels (" + std::to_string(c) +
                               ") must be a multiple of blocksize^2 = " + std::to_string(bs * bs));
  int64_t co = c / (bs * bs);
  Value t;
  if (mode == "DCR") {
    t = reshapeAs(node, in, {n, bs, bs, co, h, w});
    t = transposeAs(node, t, {0, 3, 4, 1, 5, 2});
  } else {
    t = reshapeAs(node, in, {n, co, bs, bs, h, w});
    t = transposeAs(node, t, {0, 1, 4, 2, 5, 3});
  }
  return produce(node, b.create<nn::ReshapeOp>(loc(node), f32({n, co, h * bs, w * bs}), t));
}

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::layoutOps() {
  static const OpImport rows[] = {
      {OnnxDomain::ChannelsLast, "Conv", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::ChannelsLast>, nullptr},
      {OnnxDomain::ChannelsLast, "MaxPool", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::ChannelsLast>, nullptr},
      {OnnxDomain::ChannelsLast, "BatchNormalization", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::ChannelsLast>, nullptr},
      {OnnxDomain::Onnx, "DepthToSpace", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::DepthToSpace>, nullptr},
      {OnnxDomain::Onnx, "SpaceToDepth", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::DepthToSpace>, nullptr},
  };
  return rows;
}
