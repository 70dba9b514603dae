//===- ImportActivations.cpp - Activation functions and Softmax -----------===//
//
// Element-wise activations (nn-normalize fuses most of them into the layer
// before), Clip and Softmax.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

// Tags naming the import functions importOp<Tag> of this file (Importer.h).
namespace loom::nnimport::onnxop {
struct Clip;
struct Elu;
struct FastGelu;
struct Gelu;
struct QuickGelu;
struct HardSigmoid;
struct LeakyRelu;
struct PRelu;
struct Selu;
struct Softmax;
struct SoftmaxV1;
} // namespace loom::nnimport::onnxop

template <> llvm::Error Importer::importOp<onnxop::LeakyRelu>(const OnnxNode &node, Value in) {
  auto result = b.create<nn::LeakyReluOp>(
      loc(node), in.getType(), in, b.getF64FloatAttr(node.getFloat("alpha", 0.01)), IntegerAttr(),
      IntegerAttr(), DenseF64ArrayAttr(), DenseI64ArrayAttr());
  return produce(node, result);
}

/// PRelu slopes broadcast (ONNX unidirectional, right-aligned) to the input
/// shape `in`: one slope per channel of axis 1 when they vary over nothing
/// else (PyTorch [C,1,1] / [C], Keras per-element slopes equal along the
/// shared axes); failure when they vary over any other axis or do not broadcast.
static FailureOr<SmallVector<double>> perChannelSlopes(const OnnxTensor &t, ArrayRef<int64_t> in) {
  const size_t rank = in.size(), tr = t.dims.size();
  if (rank < 2 || tr > rank || int64_t(t.values.size()) != product(t.dims))
    return failure();
  for (size_t i = 0; i < tr; ++i) {
    int64_t d = t.dims[i], e = in[rank - tr + i];
    if (d != 1 && d != e)
      return failure();
  }
  // slope of input element `idx` (row-major over `in`) through the broadcast
  auto slopeAt = [&](ArrayRef<int64_t> idx) {
    int64_t off = 0;
    for (size_t i = 0; i < tr; ++i) {
      int64_t d = t.dims[i];
      off = off * d + (d == 1 ? 0 : idx[rank - tr + i]);
    }
    return t.values[size_t(off)];
  };
  SmallVector<double> ch(static_cast<size_t>(in[1]), 0.0);
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t n = 0, total = product(in); n < total; ++n) {
    int64_t r = n;
    for (size_t i = rank; i-- > 0;)
      idx[i] = r % in[i], r /= in[i];
    double v = slopeAt(idx);
    bool first =
        llvm::all_of(llvm::enumerate(idx), [](auto p) { return p.index() == 1 || p.value() == 0; });
    if (first)
      ch[size_t(idx[1])] = v;
    else if (ch[size_t(idx[1])] != v)
      return failure();
  }
  return ch;
}

template <> llvm::Error Importer::importOp<onnxop::PRelu>(const OnnxNode &node, Value in) {
  SmallVector<int64_t> shape(shapeOf(in));
  // A constant slope shared by all elements is a LeakyRelu; slopes that vary
  // only over the channels (axis 1, after ONNX broadcasting) give `alphas`,
  // one multiplier per channel in hardware (a table beside the bias).
  const OnnxTensor *t = node.inputs.size() > 1 ? constant(node.inputs[1]) : nullptr;
  if (!t || t->values.empty())
    return nodeError(node, "the slope must be a constant");
  double slope = t->values[0];
  DenseF64ArrayAttr alphas;
  if (llvm::any_of(t->values, [&](double v) { return v != slope; })) {
    FailureOr<SmallVector<double>> ch = perChannelSlopes(*t, shape);
    if (failed(ch))
      return nodeError(node, "slopes of shape " + shapeStr(t->dims) +
                                 " vary over positions other than the channel axis 1 of "
                                 "the input " +
                                 shapeStr(shape) + "; only one slope per channel is supported");
    alphas = b.getDenseF64ArrayAttr(*ch);
    slope = 0.0; // unused with alphas
  }
  auto result =
      b.create<nn::LeakyReluOp>(loc(node), in.getType(), in, b.getF64FloatAttr(slope),
                                IntegerAttr(), IntegerAttr(), alphas, DenseI64ArrayAttr());
  return produce(node, result);
}

template <> llvm::Error Importer::importOp<onnxop::Elu>(const OnnxNode &node, Value in) {
  auto result = b.create<nn::EluOp>(loc(node), in.getType(), in,
                                    b.getF64FloatAttr(node.getFloat("alpha", 1.0)));
  return produce(node, result);
}

/// com.microsoft Gelu (exact) and FastGelu (tanh approximation), the fused
/// forms onnxruntime's transformer optimizer writes and FuseActivations.cpp
/// turns PyTorch's decomposed GELU into.
template <> llvm::Error Importer::importOp<onnxop::Gelu>(const OnnxNode &node, Value in) {
  return produce(node, b.create<nn::GeluOp>(loc(node), in.getType(), in, b.getStringAttr("none")));
}

template <> llvm::Error Importer::importOp<onnxop::FastGelu>(const OnnxNode &node, Value in) {
  if (node.numPresentInputs() > 1)
    return nodeError(node, "has a bias input; Loom supports FastGelu without one (fold the "
                           "bias into the layer before)");
  return produce(node, b.create<nn::GeluOp>(loc(node), in.getType(), in, b.getStringAttr("tanh")));
}

/// com.microsoft QuickGelu: x * sigmoid(alpha x); alpha 1 is SiLU.
template <> llvm::Error Importer::importOp<onnxop::QuickGelu>(const OnnxNode &node, Value in) {
  return produce(node, b.create<nn::SwishOp>(loc(node), in.getType(), in,
                                             b.getF64FloatAttr(node.getFloat("alpha", 1.702))));
}

template <> llvm::Error Importer::importOp<onnxop::Selu>(const OnnxNode &node, Value in) {
  auto result =
      b.create<nn::SeluOp>(loc(node), in.getType(), in,
                           b.getF64FloatAttr(node.getFloat("alpha", 1.67326319217681884765625)),
                           b.getF64FloatAttr(node.getFloat("gamma", 1.05070102214813232421875)));
  return produce(node, result);
}

template <> llvm::Error Importer::importOp<onnxop::HardSigmoid>(const OnnxNode &node, Value in) {
  // ONNX's defaults are float attributes: 0.2f, 0.5f.
  auto result = b.create<nn::HardSigmoidOp>(loc(node), in.getType(), in,
                                            b.getF64FloatAttr(node.getFloat("alpha", double(0.2f))),
                                            b.getF64FloatAttr(node.getFloat("beta", 0.5)));
  return produce(node, result);
}

template <> llvm::Error Importer::importOp<onnxop::Clip>(const OnnxNode &node, Value in) {
  // Clip-6 and later take the bounds as inputs, Clip-1..6 as attributes.
  double lo = node.getFloat("min", -3.4e38), hi = node.getFloat("max", 3.4e38);
  for (int i : {1, 2})
    if (node.inputs.size() > size_t(i) && !node.inputs[i].empty()) {
      const OnnxTensor *t = constant(node.inputs[i]);
      if (!t || t->values.size() != 1)
        return nodeError(node, "the bounds must be scalar constants");
      (i == 1 ? lo : hi) = t->values[0];
    }
  auto result = b.create<nn::ClipOp>(loc(node), in.getType(), in, b.getF64FloatAttr(lo),
                                     b.getF64FloatAttr(hi));
  return produce(node, result);
}

/// Softmax-1..12 flattens the input to 2-D at `axis` (default 1), Softmax-13
/// reduces over `axis` alone (default -1); nn.softmax is the softmax over the
/// last axis of one frame.
template <> llvm::Error Importer::importOp<onnxop::SoftmaxV1>(const OnnxNode &node, Value in) {
  return importSoftmax(node, in, /*opset13=*/false);
}

template <> llvm::Error Importer::importOp<onnxop::Softmax>(const OnnxNode &node, Value in) {
  return importSoftmax(node, in, /*opset13=*/true);
}

llvm::Error Importer::importSoftmax(const OnnxNode &node, Value in, bool opset13) {
  SmallVector<int64_t> shape(shapeOf(in));
  int64_t rank = shape.size();
  const int64_t rawAxis = node.getInt("axis", opset13 ? -1 : 1);
  int64_t axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  if (axis < 0 || axis >= rank)
    return nodeError(node, "axis " + std::to_string(rawAxis) + " is out of range for rank " +
                               std::to_string(rank));
  // Before opset 13 Softmax flattens to 2-D at `axis`; both forms reduce over
  // the last axis when every dimension between `axis` and the end but the
  // last is 1, and all dimensions before `axis` are 1 (one frame).
  for (int64_t d = 0; d < rank - 1; ++d)
    if (shape[d] != 1 && (opset13 || d >= axis))
      return nodeError(node, "softmax over axis " + std::to_string(axis) +
                                 " of shape with "
                                 "non-unit leading dimensions is not supported");
  if (opset13 && axis != rank - 1 && shape[axis] != 1)
    return nodeError(node, "softmax must be over the last axis");
  // Opset >= 13 reduces over `axis` alone: over a size-1 axis the result is
  // 1.0 everywhere, not the last-axis softmax nn.softmax computes.
  if (opset13 && axis != rank - 1)
    return nodeError(node, "softmax over axis " + std::to_string(axis) +
                               " of size 1 is 1.0 "
                               "everywhere; apply it over the last axis (axis = -1) or remove it");
  auto result = b.create<nn::SoftmaxOp>(loc(node), in.getType(), in);
  return produce(node, result);
}

/// This family's rows of the op table (ImportTable.cpp).

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::activationOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "Relu", 1, kLatest, Role::Streams, &Importer::importUnary<nn::ReluOp>,
       nullptr},
      {OnnxDomain::Onnx, "Sigmoid", 1, kLatest, Role::Streams,
       &Importer::importUnary<nn::SigmoidOp>, nullptr},
      {OnnxDomain::Onnx, "Tanh", 1, kLatest, Role::Streams, &Importer::importUnary<nn::TanhOp>,
       nullptr},
      {OnnxDomain::Onnx, "Softmax", 1, 12, Role::Streams, &Importer::importOp<onnxop::SoftmaxV1>,
       nullptr},
      {OnnxDomain::Onnx, "Softmax", 13, kLatest, Role::Streams,
       &Importer::importOp<onnxop::Softmax>, nullptr},
      {OnnxDomain::Onnx, "Clip", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Clip>,
       nullptr},
      {OnnxDomain::Onnx, "Elu", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Elu>,
       nullptr},
      {OnnxDomain::Onnx, "HardSigmoid", 6, kLatest, Role::Streams,
       &Importer::importOp<onnxop::HardSigmoid>, nullptr},
      {OnnxDomain::Onnx, "HardSwish", 14, kLatest, Role::Streams,
       &Importer::importUnary<nn::HardSwishOp>, nullptr},
      {OnnxDomain::Microsoft, "Gelu", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::Gelu>, nullptr},
      {OnnxDomain::Microsoft, "FastGelu", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::FastGelu>, nullptr},
      {OnnxDomain::Microsoft, "QuickGelu", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::QuickGelu>, nullptr},
      {OnnxDomain::Onnx, "LeakyRelu", 1, kLatest, Role::Streams,
       &Importer::importOp<onnxop::LeakyRelu>, nullptr},
      {OnnxDomain::Onnx, "PRelu", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::PRelu>,
       nullptr},
      {OnnxDomain::Onnx, "Selu", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Selu>,
       nullptr},
  };
  return rows;
}
