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

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::denseOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "Gemm", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::Gemm>,
       nullptr},
      {OnnxDomain::Onnx, "MatMul", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::MatMul>,
       nullptr, /*matmulB=*/1},
  };
  return rows;
}
