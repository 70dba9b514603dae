//===- ActivationModels.cpp - reference evaluation of activations ---------===//
//
// Element-wise activations, softmax and layer normalization (row ops). Float ops call the compiler/reference
// float kernels; after nn-quantize the integer forms call the bit-exact kernels
// (nn.lut and nn.qsoftmax carry their own tables).
//
//===----------------------------------------------------------------------===//
#include "compiler/interp/EvalSupport.h"
#include "compiler/numerics/Tables.h"
#include "compiler/reference/FloatKernels.h"
#include "compiler/reference/QuantKernels.h"
#include "dialects/nn/IntAttrs.h"

using namespace mlir;

namespace loom::interp {
namespace {

llvm::Expected<RefTensor> evalRelu(nn::ReluOp, Operands in) {
  RefTensor out;
  if (in[0]->q.empty())
    out.f = reference::relu(in[0]->f);
  else
    out.q = reference::qrelu(in[0]->q);
  return out;
}

llvm::Expected<RefTensor> evalClip(nn::ClipOp op, Operands in) {
  RefTensor out;
  double lo = op.getMin().convertToDouble(), hi = op.getMax().convertToDouble();
  if (in[0]->q.empty())
    out.f = reference::clip(in[0]->f, lo, hi);
  else
    out.q = reference::qclip(in[0]->q, int64_t(lo), int64_t(hi));
  return out;
}

/// PRelu, one slope per channel (axis 1): element i is in channel (i / inner) % C.
RefTensor preluChannels(nn::LeakyReluOp op, const RefTensor &x) {
  RefTensor out;
  reference::Shape s = shapeOf(op.getInput());
  const size_t C = size_t(s[1]);
  size_t inner = 1;
  for (size_t d = 2; d < s.size(); ++d)
    inner *= size_t(s[d]);
  ArrayRef<double> alphas = op.getAlphasAttr().asArrayRef();
  if (x.q.empty()) {
    out.f.resize(x.f.size());
    for (size_t i = 0; i < x.f.size(); ++i)
      out.f[i] = reference::leakyRelu(std::vector<double>{x.f[i]}, alphas[(i / inner) % C])[0];
    return out;
  }
  out.q.resize(x.q.size());
  const int w = int(widthOf(op.getResult()));
  for (size_t i = 0; i < x.q.size(); ++i) {
    numerics::LeakyReluParams p;
    p.A = op.getMultsAttr()[(i / inner) % C];
    p.S = int(op.getShiftAttr().getInt());
    out.q[i] = numerics::leakyReluCode(x.q[i], p, w);
  }
  return out;
}

llvm::Expected<RefTensor> evalLeakyRelu(nn::LeakyReluOp op, Operands in) {
  if (op.getAlphasAttr())
    return preluChannels(op, *in[0]);
  RefTensor out;
  if (in[0]->q.empty()) {
    out.f = reference::leakyRelu(in[0]->f, op.getAlpha().convertToDouble());
  } else {
    numerics::LeakyReluParams p;
    p.A = op.getMultAttr().getInt();
    p.S = int(op.getShiftAttr().getInt());
    out.q = reference::qleakyRelu(in[0]->q, p, int(widthOf(op.getResult())));
  }
  return out;
}

llvm::Expected<RefTensor> evalSoftmax(nn::SoftmaxOp op, Operands in) {
  RefTensor out;
  out.f = reference::softmax(in[0]->f, lastDim(op.getResult()));
  return out;
}

llvm::Expected<RefTensor> evalSign(nn::SignOp, Operands in) {
  RefTensor out;
  out.q = reference::qsign(in[0]->q);
  return out;
}

llvm::Expected<RefTensor> evalLut(nn::LutOp op, Operands in) {
  numerics::ActTable t;
  t.tMin = op.getTMinAttr().getInt();
  t.tMax = op.getTMaxAttr().getInt();
  t.shift = int(op.getTShift());
  t.values = ints(op.getTable());
  RefTensor out;
  out.q = reference::qtable(in[0]->q, t);
  return out;
}

llvm::Expected<RefTensor> evalQSoftmax(nn::QSoftmaxOp op, Operands in) {
  numerics::ExpTable t;
  t.shift = int(op.getExpShift());
  t.values = ints(op.getExpTable());
  RefTensor out;
  out.q = reference::qsoftmax(in[0]->q, lastDim(op.getResult()),
                              formatOf(op.getResult(), op.getFrac()), t);
  return out;
}

llvm::Expected<RefTensor> evalLayerNorm(nn::LayerNormOp op, Operands in) {
  RefTensor out;
  auto floats = [](ElementsAttr a) {
    std::vector<double> v;
    for (APFloat f : a.getValues<APFloat>())
      v.push_back(f.convertToDouble());
    return v;
  };
  out.f = reference::layerNorm(in[0]->f, lastDim(op.getResult()), floats(op.getGamma()),
                               floats(op.getBeta()), op.getEpsilon().convertToDouble(), op.getRms());
  return out;
}

llvm::Expected<RefTensor> evalQLayerNorm(nn::QLayerNormOp op, Operands in) {
  RefTensor out;
  out.q = reference::qlayerNorm(in[0]->q, op.getParams());
  return out;
}

} // namespace

void attachActivationModels(MLIRContext *ctx) {
  attachModel<nn::ReluOp, evalRelu>(ctx);
  attachModel<nn::ClipOp, evalClip>(ctx);
  attachModel<nn::LeakyReluOp, evalLeakyRelu>(ctx);
  attachModel<nn::SoftmaxOp, evalSoftmax>(ctx);
  attachModel<nn::SignOp, evalSign>(ctx);
  attachModel<nn::LutOp, evalLut>(ctx);
  attachModel<nn::QSoftmaxOp, evalQSoftmax>(ctx);
  attachModel<nn::LayerNormOp, evalLayerNorm>(ctx);
  attachModel<nn::QLayerNormOp, evalQLayerNorm>(ctx);
}

} // namespace loom::interp
