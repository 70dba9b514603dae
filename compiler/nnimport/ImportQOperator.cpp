//===- ImportQOperator.cpp - QOperator ops: QLinear*, *Integer ------------===//
//
// ONNX QLinearConv / QLinearMatMul / ConvInteger / MatMulInteger and
// onnxruntime's com.microsoft QLinearAdd / QLinearGlobalAveragePool /
// QLinearConcat: the float op between nn.dequantize_linear and
// nn.quantize_linear, with the quantized weights folded to floats
// (docs/CONTRACTS.md "Affine integer graphs", float level).
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

// Tags naming the import functions importOp<Tag> of this file (Importer.h).
namespace loom::nnimport::onnxop {
struct QLinearAdd;
struct QLinearConv;
struct QLinearMatMul;
struct QLinearPoolConcat;
} // namespace loom::nnimport::onnxop

/// QLinearConv (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B) and
/// ConvInteger (x, w, x_zp, w_zp): dequantize_linear(x) -> conv with the
/// dequantized weights -> quantize_linear(y) (QLinearConv only; ConvInteger's
/// result is the int32 accumulator). The int32 bias B is at scale x_s * w_s.
template <> llvm::Error Importer::importOp<onnxop::QLinearConv>(const OnnxNode &node, Value in) {
  bool qlinear = node.opType == "QLinearConv";
  if (!in)
    return nodeError(node, "input x must be an activation");
  size_t rank = shapeOf(in).size();
  int wIdx = qlinear ? 3 : 1;
  const OnnxTensor *w = node.inputs.size() > size_t(wIdx) ? constant(node.inputs[wIdx]) : nullptr;
  if (!w)
    return nodeError(node, "the weights must be a constant");
  auto xq = operandParams(node, qlinear ? 1 : -1, 2, rank, 1, "x");
  if (!xq)
    return xq.takeError();
  if (xq->scale.size() != 1)
    return nodeError(node, "x must have one scale and zero point");
  OnnxNode wn = node;
  wn.inputs[0] = node.inputs[wIdx];
  auto wq = operandParams(wn, qlinear ? 4 : -1, qlinear ? 5 : 3, w->dims.size(), 0, "w");
  if (!wq)
    return wq.takeError();
  std::string base = node.outputs[0] + "#loom.";
  foldWeights(base + "w", *w, *wq);
  std::string biasName;
  if (qlinear && node.inputs.size() > 8 && !node.inputs[8].empty()) {
    const OnnxTensor *bt = constant(node.inputs[8]);
    if (!bt || bt->dims.size() > 1)
      return nodeError(node, "the bias B must be a 1-D constant");
    OnnxTensor bf = *bt;
    bf.elemType = onnx::kFloat;
    std::vector<int64_t> ints = bt->asInt64();
    for (size_t o = 0; o < ints.size(); ++o)
      bf.values[o] = double(ints[o]) * xq->scale[0] * wq->scale[wq->scale.size() == 1 ? 0 : o];
    biasName = base + "b";
    folded[biasName] = bf;
  }
  Value x = dequantizeLinear(node, in, *xq);
  OnnxNode conv = node;
  conv.inputs = {base + "x", base + "w", biasName};
  values[conv.inputs[0]] = x;
  if (auto err = importConv(conv, x))
    return err;
  if (qlinear) {
    auto yq = operandParams(node, 6, 7, rank, 1, "y");
    if (!yq)
      return yq.takeError();
    if (yq->scale.size() != 1)
      return nodeError(node, "y must have one scale and zero point");
    values[node.outputs[0]] = quantizeLinear(node, lookup(node.outputs[0]), *yq);
  }
  return llvm::Error::success();
}

/// QLinearMatMul (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp) and
/// MatMulInteger (A, B, a_zp, b_zp) with a constant B [K, N]: like
/// importQLinearConv around one nn.dense. A is [M, K], or [..., M, K] with a
/// 2-D B (the batch is more rows: reshaped to [rows, K] and back). With a B
/// per batch ([batch, K, N]) the importer keeps the whole A as one frame and
/// the product is one dense with block-diagonal weights.
template <> llvm::Error Importer::importOp<onnxop::QLinearMatMul>(const OnnxNode &node, Value in) {
  bool qlinear = node.opType == "QLinearMatMul";
  if (!in)
    return nodeError(node, "input A must be an activation");
  SmallVector<int64_t> aShape(shapeOf(in));
  if (aShape.size() < 2)
    return nodeError(node, "input A must be at least 2-D [M, K]");
  int wIdx = qlinear ? 3 : 1;
  const OnnxTensor *w = node.inputs.size() > size_t(wIdx) ? constant(node.inputs[wIdx]) : nullptr;
  if (!w)
    return nodeError(node, "input B must be a constant weight matrix (products of two "
                           "activations are not supported)");
  // A B per batch ([batch, K, N] against A [batch, M, K], the whole A one
  // frame) is one dense over all of A: block-diagonal weights.
  bool perBatch = w->dims.size() == 3 && aShape.size() == 3 && w->dims[0] == aShape[0] &&
                  w->dims[1] == aShape[2];
  if (w->dims.size() != 2 && !perBatch)
    return nodeError(node, "B " + w->describe() +
                               " must be a 2-D matrix [K, N], or one [K, N] "
                               "matrix per batch of a 3-D A");
  // An A zero point per row of A (MatMulInteger allows [M]) is only
  // expressible when all rows share it.
  OnnxNode an = node;
  int azp = 2;
  if (!qlinear && node.inputs.size() > 2 && !node.inputs[2].empty())
    if (const OnnxTensor *z = constant(node.inputs[2]))
      if (z->values.size() > 1) {
        if (llvm::any_of(z->values, [&](double v) { return v != z->values[0]; }))
          return nodeError(node, "a zero point per row of A is not supported (use one)");
        OnnxTensor one = *z;
        one.dims = {};
        one.values.resize(1);
        one.intValues.resize(std::min<size_t>(one.intValues.size(), 1));
        std::string zn = node.outputs[0] + "#loom.azp";
        one.name = zn;
        folded[zn] = one;
        an.inputs[2] = zn;
      }
  auto xq = operandParams(an, qlinear ? 1 : -1, azp, 2, 1, "a");
  if (!xq)
    return xq.takeError();
  if (xq->scale.size() != 1)
    return nodeError(node, "a must have one scale and zero point");
  OnnxNode wn = node;
  wn.inputs[0] = node.inputs[wIdx];
  auto wq =
      operandParams(wn, qlinear ? 4 : -1, qlinear ? 5 : 3, w->dims.size(), w->dims.size() - 1, "b");
  if (!wq)
    return wq.takeError();
  std::string base = node.outputs[0] + "#loom.";
  int64_t nOut = w->dims.back();
  if (perBatch && wq->scale.size() != 1)
    return nodeError(node, "a B per batch needs one scale and zero point");
  foldWeights(base + "w", perBatch ? blockDiagonal(*w, aShape[1], wq->zeroPoint[0]) : *w, *wq);
  Value x = dequantizeLinear(node, in, *xq);
  if (perBatch) { // all of A is one row of the block-diagonal product
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({1, aShape[0] * aShape[1] * aShape[2]}), x);
    name(r, node);
    x = r;
  } else if (aShape.size() > 2) { // batched A: all its rows through one dense
    int64_t rows = 1;
    for (size_t i = 0; i + 1 < aShape.size(); ++i)
      rows *= aShape[i];
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({rows, aShape.back()}), x);
    name(r, node);
    x = r;
  }
  OnnxNode mm = node;
  mm.inputs = {base + "x", base + "w"};
  mm.attrs.clear();
  values[mm.inputs[0]] = x;
  if (auto err = importDense(mm, x, /*matmul=*/true))
    return err;
  if (aShape.size() > 2) {
    SmallVector<int64_t> yShape(aShape.begin(), aShape.end() - 1);
    yShape.push_back(nOut);
    auto r = b.create<nn::ReshapeOp>(loc(node), f32(yShape), lookup(node.outputs[0]));
    name(r, node);
    values[node.outputs[0]] = r;
  }
  if (qlinear) {
    auto yq = operandParams(node, 6, 7, 2, 1, "y");
    if (!yq)
      return yq.takeError();
    if (yq->scale.size() != 1)
      return nodeError(node, "y must have one scale and zero point");
    values[node.outputs[0]] = quantizeLinear(node, lookup(node.outputs[0]), *yq);
  }
  return llvm::Error::success();
}

/// The [batch*M*K, batch*M*N] weights of y[b, i, :] = A[b, i, :] @ B[b] for
/// B = [batch, K, N]; outside the blocks the zero point (dequantizes to 0).
OnnxTensor Importer::blockDiagonal(const OnnxTensor &w, int64_t rows, int64_t zeroPoint) {
  int64_t batch = w.dims[0], k = w.dims[1], n = w.dims[2];
  int64_t inW = batch * rows * k, outW = batch * rows * n;
  OnnxTensor bd = w;
  bd.dims = {inW, outW};
  bd.values.assign(size_t(inW * outW), double(zeroPoint));
  bool exact = !w.intValues.empty();
  if (exact)
    bd.intValues.assign(size_t(inW * outW), zeroPoint);
  for (int64_t bt = 0; bt < batch; ++bt)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t kk = 0; kk < k; ++kk)
        for (int64_t nn = 0; nn < n; ++nn) {
          size_t from = size_t((bt * k + kk) * n + nn);
          size_t to = size_t(((bt * rows + i) * k + kk) * outW + (bt * rows + i) * n + nn);
          bd.values[to] = w.values[from];
          if (exact)
            bd.intValues[to] = w.intValues[from];
        }
  return bd;
}

/// com.microsoft QLinearAdd (A, A_scale, A_zp, B, B_scale, B_zp, C_scale,
/// C_zp) of two activations of one shape: dequantize both, add, quantize.
template <> llvm::Error Importer::importOp<onnxop::QLinearAdd>(const OnnxNode &node, Value a) {
  Value bv = node.inputs.size() > 3 ? lookup(node.inputs[3]) : Value();
  if (!a || !bv)
    return nodeError(node, "both A and B must be activations");
  if (shapeOf(a) != shapeOf(bv))
    return nodeError(node, "A and B must have the same shape");
  size_t rank = shapeOf(a).size();
  auto aq = operandParams(node, 1, 2, rank, 1, "A");
  if (!aq)
    return aq.takeError();
  OnnxNode bn = node;
  bn.inputs[0] = node.inputs[3];
  auto bq = operandParams(bn, 4, 5, rank, 1, "B");
  if (!bq)
    return bq.takeError();
  auto cq = operandParams(node, 6, 7, rank, 1, "C");
  if (!cq)
    return cq.takeError();
  if (aq->scale.size() != 1 || bq->scale.size() != 1 || cq->scale.size() != 1)
    return nodeError(node, "A, B and C must have one scale and zero point each");
  Value x = dequantizeLinear(node, a, *aq), y = dequantizeLinear(node, bv, *bq);
  auto add = b.create<nn::AddActOp>(loc(node), x.getType(), x, y, nullptr, nullptr, nullptr);
  name(add, node);
  values[node.outputs[0]] = quantizeLinear(node, add, *cq);
  return llvm::Error::success();
}

/// com.microsoft QLinearGlobalAveragePool (X, x_scale, x_zp, y_scale, y_zp;
/// NCHW only) and QLinearConcat (y_scale, y_zp, then (X, scale, zp) per
/// input; two inputs): dequantize, the float op, quantize. Whether the
/// quantizers allow an integer lowering is nn-quantize's decision.
template <> llvm::Error Importer::importOp<onnxop::QLinearPoolConcat>(const OnnxNode &node, Value) {
  bool pool = node.opType == "QLinearGlobalAveragePool";
  std::vector<int> dataIdx = pool ? std::vector<int>{0} : std::vector<int>{2, 5};
  if (!pool && node.inputs.size() != 8)
    return nodeError(node, "only the concatenation of two tensors is supported");
  if (pool && node.getInt("channels_last", 0))
    return nodeError(node, "channels_last = 1 is not supported (NCHW only)");
  std::vector<std::string> names;
  for (int i : dataIdx) {
    Value in = node.inputs.size() > size_t(i) ? lookup(node.inputs[i]) : Value();
    if (!in)
      return nodeError(node, "input " + std::to_string(i) + " must be an activation");
    OnnxNode dn = node;
    dn.inputs[0] = node.inputs[i];
    auto q = operandParams(dn, i + 1, i + 2, shapeOf(in).size(), 1, "x");
    if (!q)
      return q.takeError();
    if (q->scale.size() != 1)
      return nodeError(node, "inputs must have one scale and zero point each");
    names.push_back(node.outputs[0] + "#loom.x" + std::to_string(i));
    values[names.back()] = dequantizeLinear(node, in, *q);
  }
  OnnxNode inner = node;
  inner.inputs = names;
  Value first = lookup(names[0]);
  if (pool) {
    inner.opType = "GlobalAveragePool";
    if (auto err = importPool(inner, first))
      return err;
  } else {
    inner.opType = "Concat";
    if (auto err = importConcat(inner, first))
      return err;
  }
  auto yq = operandParams(node, pool ? 3 : 0, pool ? 4 : 1, shapeOf(lookup(node.outputs[0])).size(),
                          1, "y");
  if (!yq)
    return yq.takeError();
  if (yq->scale.size() != 1)
    return nodeError(node, "y must have one scale and zero point");
  values[node.outputs[0]] = quantizeLinear(node, lookup(node.outputs[0]), *yq);
  return llvm::Error::success();
}

/// This family's rows of the op table (ImportTable.cpp).

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::qoperatorOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "QLinearConv", 1, kLatest, Role::OwnInputs,
       &Importer::importOp<onnxop::QLinearConv>, nullptr},
      {OnnxDomain::Onnx, "QLinearMatMul", 1, kLatest, Role::OwnInputs,
       &Importer::importOp<onnxop::QLinearMatMul>, nullptr, /*matmulB=*/3},
      {OnnxDomain::Onnx, "ConvInteger", 1, kLatest, Role::OwnInputs,
       &Importer::importOp<onnxop::QLinearConv>, nullptr},
      {OnnxDomain::Onnx, "MatMulInteger", 1, kLatest, Role::OwnInputs,
       &Importer::importOp<onnxop::QLinearMatMul>, nullptr, /*matmulB=*/1},
      {OnnxDomain::Microsoft, "QLinearAdd", 1, kLatest, Role::OwnInputs,
       &Importer::importOp<onnxop::QLinearAdd>, nullptr},
      {OnnxDomain::Microsoft, "QLinearGlobalAveragePool", 1, kLatest, Role::OwnInputs,
       &Importer::importOp<onnxop::QLinearPoolConcat>, nullptr},
      {OnnxDomain::Microsoft, "QLinearConcat", 1, kLatest, Role::OwnInputs,
       &Importer::importOp<onnxop::QLinearPoolConcat>, nullptr},
  };
  return rows;
}
