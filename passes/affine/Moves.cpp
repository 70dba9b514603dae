//===- Moves.cpp - relu, data movement and concat on codes ------------------===//
//
// See AffineGraph.h and docs/CONTRACTS.md "Affine integer graphs".
//
//===----------------------------------------------------------------------===//
#include "passes/affine/AffineGraph.h"

namespace loom::affine {

LogicalResult lowerRelu(AffineGraph &g, Operation *op) {
  auto t = g.asReal(op->getOperand(0));
  if (!t)
    return g.fail(op, g.twins.count(op->getOperand(0))
                          ? "Relu of zero-point-shifted integers (dequantize first)"
                          : "its input is not quantized");
  auto relu = g.b.create<nn::ReluOp>(op->getLoc(), t->codes.getType(), t->codes);
  g.copyName(op, relu);
  Twin r = *t;
  r.codes = relu.getResult();
  r.lo = std::max<int64_t>(r.lo, 0), r.hi = std::max<int64_t>(r.hi, 0);
  g.twins[op->getResult(0)] = r;
  return success();
}

LogicalResult lowerMove(AffineGraph &g, Operation *op) {
  auto it = g.twins.find(op->getOperand(0));
  if (it == g.twins.end())
    return g.fail(op, "its input is not quantized");
  Twin t = it->second;
  if (t.q.perAxis() && !llvm::isa<nn::IdentityOp>(op))
    return g.fail(op, "per-axis activation scales are only supported at the graph ends");
  // Padding and averaging treat code 0 as the real 0: not so for q with a
  // zero point (averaging itself commutes with the zero point).
  bool padded = llvm::isa<nn::PadOp>(op);
  if (auto ap = llvm::dyn_cast<nn::AvgPoolOp>(op))
    padded = llvm::any_of(ap.getPads(), [](int64_t p) { return p != 0; });
  if (padded && t.holdsQ && !t.q.zeroZp())
    return g.fail(op, "pads integers with a nonzero zero point (dequantize first)");
  Operation *clone;
  if (llvm::isa<nn::IdentityOp>(op)) {
    g.twins[op->getResult(0)] = t;
    return success();
  }
  clone = g.b.clone(*op);
  clone->setOperand(0, t.codes);
  // Codes keep their word width (token ids have their own, narrower one).
  clone->getResult(0).setType(intTensor(
      op->getResult(0).getType(),
      llvm::cast<ShapedType>(t.codes.getType()).getElementTypeBitWidth()));
  if (llvm::isa<nn::PadOp>(op)) {
    t.lo = std::min<int64_t>(t.lo, 0), t.hi = std::max<int64_t>(t.hi, 0);
  }
  t.codes = clone->getResult(0);
  g.twins[op->getResult(0)] = t;
  return success();
}

LogicalResult lowerConcat(AffineGraph &g, nn::ConcatOp cat) {
  auto l = g.twins.find(cat.getLhs()), r = g.twins.find(cat.getRhs());
  if (l == g.twins.end() || r == g.twins.end())
    return g.fail(cat, "both inputs must be quantized");
  Twin a = l->second, c = r->second;
  // Real values at one scale concatenate as codes whatever the zero points.
  bool same =
      a.holdsQ == c.holdsQ && !a.q.perAxis() && (a.holdsQ ? a.q == c.q : a.q.sameScale(c.q));
  if (!same) {
    nn::QuantizeLinearOp next;
    if (cat.getResult().hasOneUse())
      next = llvm::dyn_cast<nn::QuantizeLinearOp>(*cat.getResult().user_begin());
    auto ra = g.asReal(cat.getLhs()), rc = g.asReal(cat.getRhs());
    if (!next || next.getBipolar() || next.getScale().size() != 1 || !ra || !rc ||
        ra->q.perAxis() || rc->q.perAxis())
      return g.fail(cat, "its inputs have different quantizers and no per-tensor "
                         "QuantizeLinear reads the concat to requantize them to");
    Quant out = quantOf(next);
    Twin range;
    range.q = out;
    g.setRange(range, next.getQminAttr().getInt(), next.getQmaxAttr().getInt());
    for (auto [side, suffix] : {std::make_pair(&*ra, "_rq0"), std::make_pair(&*rc, "_rq1")}) {
      if (side->q.sameScale(out) && side->lo >= range.lo && side->hi <= range.hi)
        continue;
      auto codes = rescale(g, cat, *side, out.scale[0], range.lo, range.hi, suffix);
      if (failed(codes))
        return failure();
      side->codes = *codes;
      side->q = out;
      side->lo = range.lo, side->hi = range.hi;
    }
    a = *ra, c = *rc;
    a.q = c.q = out;
  }
  Operation *clone = g.b.clone(*cat);
  clone->setOperand(0, a.codes);
  clone->setOperand(1, c.codes);
  clone->getResult(0).setType(intTensor(cat.getType(), g.width));
  Twin t = a;
  t.codes = clone->getResult(0);
  t.lo = std::min(t.lo, c.lo), t.hi = std::max(t.hi, c.hi);
  g.twins[cat.getResult()] = t;
  return success();
}

} // namespace loom::affine
