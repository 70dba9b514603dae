//===- Embed.cpp - token embedding on codes -------------------------------===//
//
// nn.embed meets its output quantizer: nn.qembed whose tables hold codes of
// that quantizer (docs/CONTRACTS.md "Embedding"): E = sat(round(wte / s_out)),
// P = sat(round(wpe / s_out)), y = clamp(E[id] + P[t], lo, hi) with [lo, hi]
// the quantizer's centered range (narrowed by a Relu / Clip before it). The
// same builder serves the fixed-point lowering (passes/NNQuantize.cpp).
//
//===----------------------------------------------------------------------===//
#include "passes/NNQuantizeAffine.h"
#include "passes/affine/AffineGraph.h"

#include "dialects/nn/NNAttrs.h"

#include "compiler/numerics/Embed.h"

mlir::Value loom::buildQEmbed(mlir::OpBuilder &b, nn::EmbedOp op, mlir::Type outType,
                              mlir::Value ids, double scale, int width, int64_t lo, int64_t hi) {
  mlir::MLIRContext *ctx = b.getContext();
  auto t = llvm::cast<mlir::ShapedType>(op.getTable().getType());
  std::vector<int64_t> table = numerics::embedTableCodes(affine::floatsOf(op.getTable()), scale, width);
  mlir::ElementsAttr pos;
  if (op.getPos()) {
    auto pt = llvm::cast<mlir::ShapedType>(op.getPos()->getType());
    pos = intAttr(ctx, {pt.getDimSize(0), pt.getDimSize(1)}, width,
                  numerics::embedTableCodes(affine::floatsOf(*op.getPos()), scale, width));
  }
  auto q = b.create<nn::QEmbedOp>(op.getLoc(), outType, ids,
                                  intAttr(ctx, {t.getDimSize(0), t.getDimSize(1)}, width, table),
                                  pos, b.getI64IntegerAttr(lo), b.getI64IntegerAttr(hi));
  return q.getResult();
}

mlir::Value loom::buildIndexQuantize(mlir::OpBuilder &b, mlir::BlockArgument arg, int64_t lo,
                                     int64_t hi) {
  int bits = numerics::embedIdBits(hi + 1);
  auto q = b.create<nn::QuantizeOp>(
      arg.getLoc(), intTensor(arg.getType(), unsigned(bits)), arg, b.getI64IntegerAttr(0),
      b.getDenseF64ArrayAttr({1.0}), b.getDenseI64ArrayAttr({0}), b.getI64IntegerAttr(0),
      b.getI64IntegerAttr(lo), b.getI64IntegerAttr(hi), nullptr, nullptr, b.getUnitAttr());
  q->setAttr("loom.index", b.getUnitAttr());
  return q.getResult();
}

namespace loom::affine {

LogicalResult lowerEmbed(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                         const Quant &out, int64_t qmin, int64_t qmax) {
  auto emb = llvm::cast<nn::EmbedOp>(p.layer);
  if (out.perAxis())
    return g.fail(ql, "per-axis activation scales are only supported at the graph ends");
  Twin ids = g.twins.lookup(emb.getIds());
  FailureOr<Twin> res = g.quantizedResult(ql, p, out, qmin, qmax, "embedding");
  if (failed(res))
    return failure();
  Twin r = *res;
  double sOut = out.scale[0];
  // --runtime-weights: the table codes are loadable, on the scale the architecture fixes
  // (flows/RuntimeInt8.h); a table beyond that scale's codes is refused, not saturated.
  if (g.func->hasAttr(nn::kRuntimeWeightsAttr)) {
    const double lo = std::ldexp(-1.0, g.width - 1) * sOut,
                 hi = (std::ldexp(1.0, g.width - 1) - 1) * sOut;
    auto within = [&](StringRef what, ElementsAttr v) {
      return runtimeParamWithin(emb, what, v, lo, hi, sOut, "the int8 scale");
    };
    if (failed(within("table", emb.getTable())) ||
        (emb.getPos() && failed(within("position table", *emb.getPos()))))
      return failure();
  }
  Type outType = intTensor(emb.getResult().getType(), g.width);
  Value y = buildQEmbed(g.b, emb, outType, ids.codes, sOut, g.width, r.lo, r.hi);
  g.copyName(emb, y.getDefiningOp());
  r.codes = applyMoves(g, y, p);
  g.twins[ql.getResult()] = r;
  return success();
}

} // namespace loom::affine
