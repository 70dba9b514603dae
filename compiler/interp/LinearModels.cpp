//===- LinearModels.cpp - reference evaluation of dense and arithmetic ops ===//
//
// nn.dense / nn.qdense and the broadcasting arithmetic the importer keeps as
// separate ops (nn.add, nn.mul, nn.batch_norm) until nn-normalize folds them.
//
//===----------------------------------------------------------------------===//
#include "compiler/interp/EvalSupport.h"
#include "dialects/nn/IntAttrs.h"

#include <cmath>

using namespace mlir;

namespace loom::interp {
namespace {

llvm::Expected<RefTensor> evalDense(nn::DenseOp op, Operands in) {
  const RefTensor &x = *in[0];
  RefTensor out;
  auto w = llvm::cast<ShapedType>(op.getWeight().getType());
  // [M, K] input: M rows of one frame (MatMul A with M > 1), one at a time.
  int64_t n = w.getDimSize(0), k = w.getDimSize(1);
  std::vector<double> wf = floats(op.getWeight()), bf = floats(op.getBias());
  for (size_t r = 0; r + k <= x.f.size(); r += k) {
    std::vector<double> row(x.f.begin() + r, x.f.begin() + r + k);
    std::vector<double> y = reference::dense(row, wf, bf, n, k);
    out.f.insert(out.f.end(), y.begin(), y.end());
  }
  return out;
}

llvm::Expected<RefTensor> evalQDense(nn::QDenseOp op, Operands in) {
  const RefTensor &x = *in[0];
  RefTensor out;
  auto w = llvm::cast<ShapedType>(op.getWeight().getType());
  int64_t k = w.getDimSize(1); // [M, K] input: M rows, one at a time
  std::vector<int64_t> wq = ints(op.getWeight()), bq = ints(op.getBias());
  for (size_t r = 0; r + k <= x.q.size(); r += k) {
    std::vector<int64_t> row(x.q.begin() + r, x.q.begin() + r + k);
    auto y = reference::qdenseMult(row, wq, bq, w.getDimSize(0), k, multOf(op.getMult()),
                                   int(op.getShiftAttr().getInt()), int(widthOf(op.getResult())),
                                   multOf(op.getPostBias()));
    out.q.insert(out.q.end(), y.begin(), y.end());
  }
  return out;
}

llvm::Expected<RefTensor> evalAdd(nn::AddOp op, Operands in) {
  RefTensor out;
  reference::Shape shape;
  if (!reference::addBroadcast(in[0]->f, shapeOf(op.getLhs()), in[1]->f, shapeOf(op.getRhs()),
                               out.f, shape))
    return opError(op, "shapes do not broadcast");
  return out;
}

/// out[i] = a[i] * b[broadcast(i)]: b broadcasts (numpy rules) to a's shape,
/// which the importer guarantees is the result shape.
llvm::Expected<RefTensor> evalMul(nn::MulOp op, Operands in) {
  RefTensor out;
  reference::Shape shape;
  if (!reference::mulBroadcast(in[0]->f, shapeOf(op.getLhs()), in[1]->f, shapeOf(op.getRhs()),
                               out.f, shape))
    return opError(op, "shapes do not broadcast");
  return out;
}

llvm::Expected<RefTensor> evalBatchNorm(nn::BatchNormOp op, Operands in) {
  const RefTensor &x = *in[0];
  RefTensor out;
  auto shape = op.getType().getShape();
  int64_t c = shape[1], inner = op.getType().getNumElements() / shape[0] / c;
  auto s = floats(op.getScale()), bb = floats(op.getBias()), m = floats(op.getMean()),
       v = floats(op.getVariance());
  double eps = op.getEpsilon().convertToDouble();
  // Not reference::batchNorm: that one folds scale / sqrt(var + eps) first,
  // which rounds differently.
  out.f = x.f;
  for (size_t i = 0; i < out.f.size(); ++i) {
    int64_t ch = (int64_t(i) / inner) % c;
    out.f[i] = (x.f[i] - m[ch]) / std::sqrt(v[ch] + eps) * s[ch] + bb[ch];
  }
  return out;
}

} // namespace

void attachLinearModels(MLIRContext *ctx) {
  attachModel<nn::DenseOp, evalDense>(ctx);
  attachModel<nn::QDenseOp, evalQDense>(ctx);
  attachModel<nn::AddOp, evalAdd>(ctx);
  attachModel<nn::MulOp, evalMul>(ctx);
  attachModel<nn::BatchNormOp, evalBatchNorm>(ctx);
}

} // namespace loom::interp
