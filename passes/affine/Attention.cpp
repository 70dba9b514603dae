//===- Attention.cpp - attention on codes ---------------------------------===//
//
// nn.attention between quantizers becomes nn.qattention (docs/CONTRACTS.md
// "Attention"): the real scales of q and k and the attention's scale give the
// exp table, the value and output scales the final requantization, and the
// output range (with a Relu or Clip between the attention and its quantizer)
// the clamp; a QDQ export's own quantizers of the scores and probabilities
// (score_quant, prob_quant) become score_requant / prob_quant. The same builder serves the fixed-point lowering
// (passes/NNQuantize.cpp).
//
//===----------------------------------------------------------------------===//
#include "passes/NNQuantizeAffine.h"
#include "passes/affine/AffineGraph.h"

#include "compiler/numerics/Attention.h"
#include "compiler/numerics/Rotary.h"

mlir::Value loom::buildQAttention(mlir::OpBuilder &b, mlir::Location loc, mlir::Type outType,
                                  mlir::Value q, mlir::Value k, mlir::Value v,
                                  const numerics::AttentionParams &p) {
  mlir::MLIRContext *ctx = b.getContext();
  return b.create<nn::QAttentionOp>(
      loc, outType, q, k, v, b.getI64IntegerAttr(p.H), b.getBoolAttr(p.causal),
      b.getI64IntegerAttr(p.exp.shift),
      intAttr(ctx, {p.exp.depth()}, unsigned(p.exp.bits + 1), p.exp.values),
      b.getI64IntegerAttr(p.mult), b.getI64IntegerAttr(p.shift), b.getI64IntegerAttr(p.zp),
      b.getI64IntegerAttr(p.lo), b.getI64IntegerAttr(p.hi),
      p.score.on ? b.getDenseI64ArrayAttr({p.score.mult, p.score.shift, p.score.lo, p.score.hi})
                 : mlir::DenseI64ArrayAttr(),
      p.prob.on ? b.getDenseI64ArrayAttr({p.prob.pm, p.prob.pk, p.prob.lo, p.prob.hi})
                : mlir::DenseI64ArrayAttr(),
      p.window > 0 ? b.getI64IntegerAttr(p.window) : mlir::IntegerAttr(),
      p.keyBias.empty() ? mlir::ElementsAttr()
                        : mlir::ElementsAttr(intAttr(ctx, {p.H, p.T}, unsigned(p.aBits()),
                                                     p.keyBias)));
}

std::vector<double> loom::keyBiasOf(nn::AttentionOp att) {
  std::vector<double> kb;
  if (auto a = att.getKeyBiasAttr())
    for (float x : a.getValues<float>())
      kb.push_back(double(x));
  return kb;
}

std::optional<loom::numerics::InnerQuant> loom::innerQuantOf(nn::QuantizerAttr a) {
  if (!a)
    return std::nullopt;
  numerics::InnerQuant q;
  q.scale = a.getScaleValue(), q.zp = a.getZeroPoint(), q.qmin = a.getQmin(), q.qmax = a.getQmax();
  return q;
}

mlir::Value loom::buildQRotary(mlir::OpBuilder &b, mlir::Location loc, mlir::Type outType,
                               mlir::Value in, const numerics::RotaryParams &p) {
  mlir::MLIRContext *ctx = b.getContext();
  unsigned bits = unsigned(numerics::RotaryParams::kTableBits);
  return b.create<nn::QRotaryOp>(
      loc, outType, in, b.getI64IntegerAttr(p.D), intAttr(ctx, {p.T, p.C}, bits, p.cos),
      intAttr(ctx, {p.T, p.C}, bits, p.sin), b.getI64IntegerAttr(p.mult),
      b.getI64IntegerAttr(p.shift), b.getI64IntegerAttr(p.lo), b.getI64IntegerAttr(p.hi));
}

namespace loom::affine {

LogicalResult lowerRotary(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                          const Quant &out, int64_t qmin, int64_t qmax) {
  auto rot = llvm::cast<nn::RotaryOp>(p.layer);
  Twin in = *g.asReal(rot.getInput());
  double sOut = out.scale[0];
  FailureOr<Twin> res = g.quantizedResult(ql, p, out, qmin, qmax, "rotary embedding");
  if (failed(res))
    return failure();
  Twin r = *res;
  auto it = llvm::cast<RankedTensorType>(in.codes.getType());
  auto type = rot.getResult().getType();
  auto params = numerics::makeRotary(type.getDimSize(0), type.getDimSize(1),
                                     int64_t(rot.getHeadDim()), int(it.getElementTypeBitWidth()),
                                     g.width, floatsOf(rot.getCos()), floatsOf(rot.getSin()),
                                     in.q.scale[0], sOut, r.lo, r.hi);
  if (!params)
    return g.fail(rot, llvm::toString(params.takeError()));
  Value y = buildQRotary(g.b, rot.getLoc(), intTensor(type, g.width), in.codes, *params);
  g.copyName(rot, y.getDefiningOp());
  r.codes = applyMoves(g, y, p);
  g.twins[ql.getResult()] = r;
  return success();
}


LogicalResult lowerAttention(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                             const Quant &out, int64_t qmin, int64_t qmax) {
  auto att = llvm::cast<nn::AttentionOp>(p.layer);
  Twin q = *g.asReal(att.getQ()), k = *g.asReal(att.getK()), v = *g.asReal(att.getV());
  double sOut = out.scale[0];
  FailureOr<Twin> res = g.quantizedResult(ql, p, out, qmin, qmax, "attention");
  if (failed(res))
    return failure();
  Twin r = *res;
  auto qt = llvm::cast<RankedTensorType>(q.codes.getType());
  for (Twin *t : {&k, &v})
    if (llvm::cast<RankedTensorType>(t->codes.getType()).getElementType() != qt.getElementType())
      return g.fail(att, "its q, k and v codes differ in width");
  auto type = att.getResult().getType();
  auto params = numerics::makeAttention(
      type.getDimSize(0), type.getDimSize(1), int64_t(att.getHeads()), att.getCausal(),
      int(qt.getElementTypeBitWidth()), g.width, q.q.scale[0], k.q.scale[0], v.q.scale[0],
      att.getScale().convertToDouble(), sOut, 0, r.lo, r.hi, innerQuantOf(att.getScoreQuantAttr()),
      innerQuantOf(att.getProbQuantAttr()), att.getWindow() ? int64_t(*att.getWindow()) : 0,
      keyBiasOf(att));
  if (!params)
    return g.fail(att, llvm::toString(params.takeError()));
  Type outType = intTensor(type, g.width);
  Value y = buildQAttention(g.b, att.getLoc(), outType, q.codes, k.codes, v.codes, *params);
  g.copyName(att, y.getDefiningOp());
  r.codes = applyMoves(g, y, p);
  g.twins[ql.getResult()] = r;
  return success();
}

} // namespace loom::affine
