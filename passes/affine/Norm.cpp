//===- Norm.cpp - LayerNorm on codes --------------------------------------===//
//
// nn.layernorm between two quantizers becomes nn.qlayernorm (docs/CONTRACTS.md
// "LayerNorm"): the input's real scale sets epsilon in code units, the output
// quantizer's scale the integer gamma / beta, and the output range (with a
// Relu or Clip between the LayerNorm and its quantizer) the clamp. The same
// builder serves the fixed-point lowering (passes/NNQuantize.cpp).
//
//===----------------------------------------------------------------------===//
#include "passes/NNQuantizeAffine.h"
#include "passes/affine/AffineGraph.h"

#include "dialects/nn/NNAttrs.h"

#include "compiler/numerics/LayerNorm.h"

#include <algorithm>

mlir::Value loom::buildQLayerNorm(mlir::OpBuilder &b, mlir::Location loc, mlir::Type outType,
                                  mlir::Value in, const numerics::LayerNormParams &p) {
  mlir::MLIRContext *ctx = b.getContext();
  return b.create<nn::QLayerNormOp>(
      loc, outType, in, b.getI64IntegerAttr(p.E), b.getI64IntegerAttr(p.es),
      b.getI64IntegerAttr(p.P),
      b.getI64IntegerAttr(p.R), b.getI64IntegerAttr(p.sh1), b.getI64IntegerAttr(p.sh2),
      intAttr(ctx, {p.C}, 64, p.G), intAttr(ctx, {p.C}, 64, p.B), b.getI64IntegerAttr(p.lo),
      b.getI64IntegerAttr(p.hi), p.rms ? b.getUnitAttr() : mlir::UnitAttr(),
      p.gCap || p.bCap ? b.getDenseI64ArrayAttr({p.gCap, p.bCap}) : mlir::DenseI64ArrayAttr());
}

namespace loom::affine {

LogicalResult lowerLayerNorm(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                             const Quant &out, int64_t qmin, int64_t qmax) {
  auto ln = llvm::cast<nn::LayerNormOp>(p.layer);
  Twin in = *g.asReal(ln.getInput());
  double sOut = out.scale[0];
  FailureOr<Twin> res = g.quantizedResult(ql, p, out, qmin, qmax, "LayerNorm");
  if (failed(res))
    return failure();
  Twin r = *res;
  // int8 fixes each layer's weight scales with the activation ranges (flows/RuntimeInt8.h);
  // gamma / beta would need theirs (and a recorded shift) first.
  if (g.func->hasAttr(nn::kRuntimeWeightsAttr))
    return ln.emitError() << "--runtime-weights: the gamma/beta of " << nn::describeNode(ln)
                          << " cannot be loaded at run time in int8 yet; compile it with "
                             "--precision auto or fixed<W,I>, or without --runtime-weights";
  auto type = llvm::cast<RankedTensorType>(in.codes.getType());
  int64_t c = type.getDimSize(type.getRank() - 1);
  auto params = numerics::makeLayerNorm(c, int(type.getElementTypeBitWidth()), g.width,
                                        in.q.scale[0], sOut, ln.getEpsilon().convertToDouble(),
                                        floatsOf(ln.getGamma()), floatsOf(ln.getBeta()), r.lo,
                                        r.hi, ln.getRms());
  if (!params)
    return g.fail(ln, llvm::toString(params.takeError()));
  Type outType = intTensor(ln.getResult().getType(), g.width);
  Value y = buildQLayerNorm(g.b, ln.getLoc(), outType, in.codes, *params);
  g.copyName(ln, y.getDefiningOp());
  r.codes = applyMoves(g, y, p);
  g.twins[ql.getResult()] = r;
  return success();
}

} // namespace loom::affine
