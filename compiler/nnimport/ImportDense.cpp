//===- ImportDense.cpp - Gemm and MatMul -> nn.dense ----------------------===//
#include "compiler/nnimport/Importer.h"

#include <cmath>

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

// Tags naming the import functions importOp<Tag> of this file (Importer.h).
namespace loom::nnimport::onnxop {
struct Gemm;
struct MatMul;
struct Split;
} // namespace loom::nnimport::onnxop

template <> llvm::Error Importer::importOp<onnxop::Gemm>(const OnnxNode &node, Value in) {
  return importDense(node, in, /*matmul=*/false);
}

template <> llvm::Error Importer::importOp<onnxop::MatMul>(const OnnxNode &node, Value in) {
  return importDense(node, in, /*matmul=*/true);
}

/// Gemm: Y = alpha * A' * B' + beta * C; MatMul: Y = A * B. B must be a
/// constant (the weights); the result is one nn.dense with weight [N, K].
llvm::Error Importer::importDense(const OnnxNode &node, Value a, bool matmul) {
  const OnnxTensor *bt = node.inputs.size() > 1 ? constant(node.inputs[1]) : nullptr;
  if (!a)
    return nodeError(node, "input A must be an activation (the weights must be input B)");
  if (!bt)
    return nodeError(node, "input B must be a constant weight matrix; products of two "
                           "activations are not supported");
  SmallVector<int64_t> ashape(shapeOf(a));
  bool transA = !matmul && node.getInt("transA", 0);
  bool transB = !matmul && node.getInt("transB", 0);
  double alpha = matmul ? 1.0 : node.getFloat("alpha", 1.0);
  double beta = matmul ? 1.0 : node.getFloat("beta", 1.0);
  // One frame: A is [M, K] (M rows, usually 1), or [K, 1] with transA (the
  // run() pins the batch dimension of such an input to 1 accordingly). A
  // MatMul of a [1, M, K] sequence (a transformer's tokens) is the same M rows,
  // viewed as [M, K] and its result as [1, M, N] again.
  // A sequence-first [M, 1, K] (PyTorch's nn.MultiheadAttention) likewise.
  bool seq = matmul && ashape.size() == 3 && (ashape[0] == 1 || ashape[1] == 1);
  SmallVector<int64_t> seqShape(ashape);
  if (seq) {
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({ashape[0] * ashape[1], ashape[2]}), a);
    name(r, node);
    a = r;
    ashape = {ashape[0] * ashape[1], ashape[2]};
  }
  if (ashape.size() != 2 || (transA && ashape[1] != 1)) {
    std::string got;
    for (int64_t d : ashape)
      got += (got.empty() ? "" : ", ") + std::to_string(d);
    return nodeError(node,
                     std::string("input A must be ") +
                         (transA ? "a single column [K, 1] (transA = 1)" : "a 2-D matrix [M, K]") +
                         " (one frame), got [" + got + "]");
  }
  if (bt->dims.size() != 2)
    return nodeError(node, "weight B must be 2-D");
  int64_t k = transA ? ashape[0] : ashape[1];
  int64_t n = transB ? bt->dims[0] : bt->dims[1];
  if ((transB ? bt->dims[1] : bt->dims[0]) != k)
    return nodeError(node, "weight B does not match the " + std::to_string(k) + " input features");
  if (transA) {
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({1, k}), a);
    name(r, node);
    a = r;
  }
  std::vector<float> w(n * k), bias(n, 0.0f);
  for (int64_t o = 0; o < n; ++o)
    for (int64_t i = 0; i < k; ++i)
      w[o * k + i] = float(alpha * bt->values[transB ? o * k + i : i * n + o]);
  if (!matmul && node.inputs.size() > 2 && !node.inputs[2].empty()) {
    const OnnxTensor *c = constant(node.inputs[2]);
    if (!c)
      return nodeError(node, "bias C must be a constant");
    int64_t cn = c->numElements();
    // C broadcasts to the [1, N] result only if every dimension but the last
    // is 1: an [N, 1] C has N values but would make the result [N, N].
    bool perFeature = c->dims.empty() ||
                      (c->dims.size() <= 2 && llvm::all_of(ArrayRef<int64_t>(c->dims).drop_back(),
                                                           [](int64_t d) { return d == 1; }));
    if ((cn != 1 && cn != n) || !perFeature)
      return nodeError(node, "bias C must broadcast per output feature ([N], [1, N] or one "
                             "value)");
    for (int64_t o = 0; o < n; ++o)
      bias[o] = float(beta * c->values[cn == 1 ? 0 : o]);
  }
  auto ws = weightScaleFor(node, node.inputs[1], matmul || !transB ? 1 : 0, n, std::fabs(alpha));
  if (!ws)
    return ws.takeError();
  int64_t rows = transA ? 1 : ashape[0];
  auto dense = b.create<nn::DenseOp>(loc(node), f32({rows, n}), a, f32Attr({n, k}, w),
                                     f32Attr({n}, bias), *ws);
  if (seq) {
    name(dense, node);
    return produce(node,
                   b.create<nn::ReshapeOp>(loc(node), f32({seqShape[0], seqShape[1], n}), dense));
  }
  return produce(node, dense);
}

/// Split along the features of a dense layer's output (GPT-2's fused QKV projection
/// c_attn: one MatMul / Gemm to 3C, then Split(axis = -1) into q, k, v): one dense
/// per part on the same input, each with its rows of the weights and bias, so no
/// slicing hardware is needed. The dense may be behind the importer's sequence
/// reshape, a bias Add and a QDQ export's quantizer pair; nothing else may read it.
template <> llvm::Error Importer::importOp<onnxop::Split>(const OnnxNode &node, Value in) {
  SmallVector<int64_t> shape(shapeOf(in));
  int64_t rank = int64_t(shape.size()), axis = node.getInt("axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis != rank - 1)
    return nodeError(node, "Loom splits only the last axis (the features of a MatMul / Gemm "
                           "output), got axis " + std::to_string(node.getInt("axis", 0)));
  std::vector<int64_t> parts = node.getInts("split");
  if (node.inputs.size() > 1 && !node.inputs[1].empty()) {
    const OnnxTensor *t = constant(node.inputs[1]);
    if (!t)
      return nodeError(node, "its split sizes are not a constant");
    parts = t->asInt64();
  }
  int64_t n = shape.back(), outs = int64_t(node.outputs.size());
  if (parts.empty()) {
    if (n % outs)
      return nodeError(node, "cannot split " + std::to_string(n) + " features into " +
                                 std::to_string(outs) + " equal parts");
    parts.assign(size_t(outs), n / outs);
  }
  if (int64_t(parts.size()) != outs || std::accumulate(parts.begin(), parts.end(), int64_t(0)) != n)
    return nodeError(node, "its split sizes do not cover the " + std::to_string(n) + " features");
  // dense, then bias Adds of constants and reshapes that keep the features, in
  // any order (MatMul + Add on [1, T, C] is dense -> reshape -> add), each read
  // once (the Split itself is no op: the value it reads has no use yet)
  Value x = in;
  if (!x.use_empty())
    return nodeError(node, "its input is also read by another node; Loom splits a MatMul / "
                           "Gemm output only when the Split is its one reader");
  // A QDQ export's per-tensor quantizer on the projection's output (QuantizeLinear
  // -> DequantizeLinear: element-wise, so each part gets the same pair); bias Adds
  // after it stay after it (`after`), those before it go into the parts' biases.
  std::vector<float> extra(size_t(n), 0.0f), after(size_t(n), 0.0f);
  nn::QuantizeLinearOp qdqQ;
  nn::DequantizeLinearOp qdqDQ;
  for (bool peeled = true; peeled && (x == in || x.hasOneUse());) {
    peeled = false;
    if (auto reshape = x.getDefiningOp<nn::ReshapeOp>();
        reshape && shapeOf(reshape.getInput()).back() == n) {
      x = reshape.getInput(), peeled = true;
    } else if (auto add = x.getDefiningOp<nn::AddOp>()) {
      for (int side = 0; side < 2 && !peeled; ++side)
        if (auto c = add->getOperand(1 - side).getDefiningOp<nn::ConstantOp>();
            c && llvm::cast<ShapedType>(c.getType()).getNumElements() == n) {
          auto vals = c.getValue().getValues<float>();
          for (auto [e, v] : llvm::zip(qdqQ ? extra : after, vals))
            e += v;
          x = add->getOperand(side), peeled = true;
        }
    } else if (auto dq = x.getDefiningOp<nn::DequantizeLinearOp>(); dq && !qdqQ) {
      auto q = dq.getInput().getDefiningOp<nn::QuantizeLinearOp>();
      if (q && q.getScale().size() == 1 && dq.getScale() == q.getScale() &&
          dq.getZeroPoint() == q.getZeroPoint() && !q.getBipolar() && dq.getInput().hasOneUse())
        qdqQ = q, qdqDQ = dq, x = q.getInput(), peeled = true;
    }
  }
  if (!qdqQ) // no quantizer between: every bias Add goes into the parts' biases
    for (auto [e, a] : llvm::zip(extra, after))
      e += a, a = 0.0f;
  auto dense = x.getDefiningOp<nn::DenseOp>();
  if (!dense || (x != in && !x.hasOneUse()))
    return nodeError(node, "Loom splits only the output features of a float MatMul / Gemm "
                           "with constant weights that nothing else reads (its input comes "
                           "from " + (x.getDefiningOp() ? x.getDefiningOp()->getName().getStringRef().str()
                                                       : std::string("a graph input")) + ")");
  auto wType = llvm::cast<ShapedType>(dense.getWeight().getType());
  int64_t k = wType.getDimSize(1), rows = shapeOf(dense.getInput())[0];
  std::vector<float> w(dense.getWeight().getValues<float>().begin(),
                       dense.getWeight().getValues<float>().end());
  std::vector<float> bias(dense.getBias().getValues<float>().begin(),
                          dense.getBias().getValues<float>().end());
  // quantized weights (a QDQ export): each part keeps its rows' weight scales
  std::vector<double> wScale;
  if (auto ws = dense.getWeightScaleAttr())
    wScale.assign(ws.asArrayRef().begin(), ws.asArrayRef().end());
  if (!wScale.empty() && wScale.size() != 1 && int64_t(wScale.size()) != n)
    return nodeError(node, "its projection's weight scales are neither one nor one per feature");
  int64_t at = 0;
  for (int64_t i = 0; i < outs; ++i) {
    int64_t m = parts[size_t(i)];
    std::vector<float> wi(w.begin() + at * k, w.begin() + (at + m) * k);
    std::vector<float> bi(static_cast<size_t>(m)), ai(static_cast<size_t>(m));
    bool anyAfter = false;
    for (int64_t o = 0; o < m; ++o) {
      bi[size_t(o)] = bias[size_t(at + o)] + extra[size_t(at + o)];
      ai[size_t(o)] = after[size_t(at + o)];
      anyAfter = anyAfter || ai[size_t(o)] != 0.0f;
    }
    DenseF64ArrayAttr si;
    if (wScale.size() == 1)
      si = b.getDenseF64ArrayAttr(wScale);
    else if (!wScale.empty())
      si = b.getDenseF64ArrayAttr(ArrayRef<double>(wScale).slice(size_t(at), size_t(m)));
    auto dpart = b.create<nn::DenseOp>(loc(node), f32({rows, m}), dense.getInput(),
                                       f32Attr({m, k}, wi), f32Attr({m}, bi), si);
    name(dpart, node);
    Value part = dpart;
    if (qdqQ) {
      auto q = b.create<nn::QuantizeLinearOp>(
          qdqQ.getLoc(), part.getType(), part, qdqQ.getScaleAttr(), qdqQ.getZeroPointAttr(),
          qdqQ.getAxisAttr(), qdqQ.getQminAttr(), qdqQ.getQmaxAttr(), qdqQ.getRoundingAttr(),
          UnitAttr());
      auto dq = b.create<nn::DequantizeLinearOp>(qdqDQ.getLoc(), part.getType(), q,
                                                 qdqDQ.getScaleAttr(), qdqDQ.getZeroPointAttr(),
                                                 qdqDQ.getAxisAttr());
      for (auto [to, from] : {std::pair<Operation *, Operation *>{q, qdqQ}, {dq, qdqDQ}})
        for (llvm::StringRef key : {nn::kNodeNameAttr, nn::kOpTypeAttr})
          if (Attribute a = from->getAttr(key))
            to->setAttr(key, a);
      part = dq;
    }
    if (anyAfter) {
      auto cst = b.create<nn::ConstantOp>(loc(node), f32({m}), f32Attr({m}, ai));
      auto add = b.create<nn::AddOp>(loc(node), part.getType(), part, cst);
      name(add, node);
      part = add;
    }
    SmallVector<int64_t> oshape(shape);
    oshape.back() = m;
    auto r = b.create<nn::ReshapeOp>(loc(node), f32(oshape), part);
    name(r, node);
    values[node.outputs[size_t(i)]] = r;
    at += m;
  }
  return llvm::Error::success();
}

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::denseOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "Gemm", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::Gemm>,
       nullptr},
      {OnnxDomain::Onnx, "MatMul", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::MatMul>,
       nullptr, /*matmulB=*/1},
      {OnnxDomain::Onnx, "Split", 1, kLatest, Role::Streams, &Importer::importOp<onnxop::Split>,
       nullptr},
  };
  return rows;
}
