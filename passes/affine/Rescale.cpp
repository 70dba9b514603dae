//===- Rescale.cpp - identity requantization actors -------------------------===//
//
// See AffineGraph.h and docs/CONTRACTS.md "Affine integer graphs".
//
//===----------------------------------------------------------------------===//
#include "passes/affine/AffineGraph.h"

namespace loom::affine {

static Value identityLayerOn(AffineGraph &g, Operation *at, Value codes, int64_t inLo, int64_t inHi,
                             const numerics::Requant &rq, StringRef suffix,
                             llvm::function_ref<Value(Value)> act) {
  auto type = llvm::cast<RankedTensorType>(codes.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t elems = type.getNumElements();
  Location loc = at->getLoc();
  // Rows [T, C] (a sequence's tokens, streamed row by row) are the channels-last
  // view [1, T, 1, C] transposed to [1, C, T, 1]: C channels, T pixels, the same
  // stream (not T * C channels of one pixel each).
  bool rows = shape.size() == 2 && shape[0] > 1;
  SmallVector<int64_t> view;
  if (rows)
    view = {1, shape[1], shape[0], 1};
  else if (shape.size() == 4 && shape[0] == 1)
    view.assign(shape.begin(), shape.end());
  else if (shape.size() >= 2 && shape[0] == 1)
    view = {1, shape[1], elems / shape[1], 1};
  else
    view = {1, elems, 1, 1};
  int64_t c = view[1];
  auto viewType = RankedTensorType::get(view, type.getElementType());
  auto nhwcType = RankedTensorType::get({1, rows ? shape[0] : 1, 1, c}, type.getElementType());
  Value in = codes;
  if (rows)
    in = g.b.create<nn::TransposeOp>(loc, viewType,
                                     g.b.create<nn::ReshapeOp>(loc, nhwcType, codes),
                                     g.b.getDenseI64ArrayAttr({0, 3, 1, 2}));
  else if (view != SmallVector<int64_t>(shape))
    in = g.b.create<nn::ReshapeOp>(loc, viewType, codes);
  ElementsAttr multAttr;
  if (rq.mult[0] != 1)
    multAttr = intAttr(g.ctx, {1}, 64, rq.mult);
  auto conv = g.b.create<nn::QConvOp>(
      loc, viewType, in, intAttr(g.ctx, {c, 1, 1, 1}, 2, std::vector<int64_t>(c, 1)),
      intAttr(g.ctx, {c}, 64, std::vector<int64_t>(c, 0)), g.b.getDenseI64ArrayAttr({1, 1}),
      g.b.getDenseI64ArrayAttr({1, 1}), g.b.getDenseI64ArrayAttr({0, 0, 0, 0}),
      g.b.getI64IntegerAttr(c), g.b.getI64IntegerAttr(rq.shift),
      g.b.getI64IntegerAttr(widthOfRange(std::min<int64_t>(inLo, 0), std::max<int64_t>(inHi, 0))),
      multAttr, nullptr);
  auto node = at->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
  conv->setAttr(nn::kNodeNameAttr,
                g.b.getStringAttr((node ? node.getValue() : StringRef("requant")) + suffix));
  if (auto opType = at->getAttr(nn::kOpTypeAttr))
    conv->setAttr(nn::kOpTypeAttr, opType);
  Value y = act(conv.getResult());
  if (rows)
    y = g.b.create<nn::TransposeOp>(loc, RankedTensorType::get(nhwcType.getShape(),
                                                               llvm::cast<ShapedType>(y.getType())
                                                                   .getElementType()),
                                    y, g.b.getDenseI64ArrayAttr({0, 2, 3, 1}));
  if (in != codes)
    y = g.b.create<nn::ReshapeOp>(
        loc, RankedTensorType::get(shape, llvm::cast<ShapedType>(y.getType()).getElementType()), y);
  return y;
}

Value identityLayer(AffineGraph &g, Operation *at, Value codes, int64_t inLo, int64_t inHi,
                    const numerics::Requant &rq, StringRef suffix,
                    llvm::function_ref<Value(Value)> act) {
  SmallVector<Operation *> moves;
  while (Operation *def = codes.getDefiningOp()) {
    if (!llvm::isa<nn::ReshapeOp, nn::TransposeOp>(def))
      break;
    moves.push_back(def);
    codes = def->getOperand(0);
  }
  Value y = identityLayerOn(g, at, codes, inLo, inHi, rq, suffix, act);
  for (Operation *move : llvm::reverse(moves)) {
    Operation *clone = g.b.clone(*move);
    clone->setOperand(0, y);
    y = clone->getResult(0);
  }
  return y;
}

FailureOr<Value> rescale(AffineGraph &g, Operation *at, const Twin &t, double sOut, int64_t lo,
                         int64_t hi, StringRef suffix) {
  double ratio = t.q.scale[0] / sOut;
  auto rq = numerics::makeRequant({ratio});
  if (!rq)
    return g.fail(at, "the requantization ratio s_in / s_out (" + Twine(num(ratio)) +
                          ") is out of range");
  int64_t wMin = g.codeMin(), wMax = g.codeMax();
  return identityLayer(g, at, t.codes, t.lo, t.hi, *rq, suffix, [&](Value v) {
    return (lo > wMin || hi < wMax) ? g.clipCodes(at, v, lo, hi) : v;
  });
}

Value applyMoves(AffineGraph &g, Value v, const Pending &p) {
  for (Operation *move : p.moves) {
    Operation *clone = g.b.clone(*move);
    clone->setOperand(0, v);
    auto elem = llvm::cast<ShapedType>(v.getType()).getElementType();
    clone->getResult(0).setType(RankedTensorType::get(
        llvm::cast<ShapedType>(move->getResult(0).getType()).getShape(), elem));
    v = clone->getResult(0);
  }
  return v;
}

} // namespace loom::affine
