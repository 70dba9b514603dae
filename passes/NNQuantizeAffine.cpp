//===- NNQuantizeAffine.cpp - QDQ float graph -> affine integer graph -----===//
//
// See NNQuantizeAffine.h and docs/CONTRACTS.md "Affine integer graphs".
//
// One walk over the ops in order (the state and the stages it calls are in
// passes/affine/AffineGraph.h). A layer (dense, conv, add_act) on a twin is
// only "pending" until its quantize_linear is seen, because the
// requantization needs the output scale; relu / clip in between narrow the
// output range, reshapes move its codes. A layer that is returned without a
// quantizer keeps its accumulator as the output. An element-wise function
// between two quantizers is pending the same way and becomes a table on
// codes; a new scale without a layer (DQ -> Q, concat inputs) becomes an
// identity actor (a 1x1 depthwise qconv).
//
//===----------------------------------------------------------------------===//
#include "passes/NNQuantizeAffine.h"
#include "passes/affine/AffineGraph.h"

using namespace mlir;
using namespace loom;
using namespace loom::affine;

bool loom::hasAffineQuantization(func::FuncOp func) {
  // An integer graph input (uint8 pixels into a MaxPool, say) is quantized
  // data too, with scale 1, even when no quantizer follows it.
  bool found = false;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    found |= bool(func.getArgAttr(i, "loom.int_range"));
  func.walk([&](Operation *op) {
    if (llvm::isa<nn::QuantizeLinearOp, nn::DequantizeLinearOp>(op))
      found = true;
  });
  return found;
}

namespace {

/// The walk: graph ends (inputs, quantizers, outputs) here, every other op
/// handed to its stage (AffineGraph.h).
class Lowering : AffineGraph {
public:
  using AffineGraph::AffineGraph;

  LogicalResult run() {
    Block &body = func.getBody().front();
    SmallVector<Operation *> originals;
    for (Operation &op : body)
      originals.push_back(&op);
    if (failed(chooseWidth()) || failed(quantizeIntegerArgs()))
      return failure();
    for (Operation *op : originals) {
      b.setInsertionPoint(op);
      if (failed(lower(op)))
        return failure();
    }
    // The return now reads host dequantizers: the float ops are dead. Erase
    // from the back so users go before their producers.
    for (Operation *op : llvm::reverse(originals))
      if (!llvm::isa<func::ReturnOp>(op))
        op->erase();
    // Integer ops left unread: range clips a table absorbed (its domain
    // clamps them), moves an identity actor was placed in front of.
    for (bool changed = true; changed;) {
      changed = false;
      for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
        if (!llvm::isa<func::ReturnOp>(op) && op.use_empty()) {
          op.erase();
          changed = true;
        }
    }
    return success();
  }

private:
  /// W_A: the smallest signed width holding every activation code range
  /// (every quantize_linear's [qmin - zp, qmax - zp], every integer input's),
  /// but for a last layer's codes (quantizesGraphOutputLayer), which keep theirs.
  LogicalResult chooseWidth() {
    __int128 lo = 0, hi = 0;
    func.walk([&](nn::QuantizeLinearOp ql) {
      if (quantizesGraphOutputLayer(ql))
        return; // its codes keep their own width (requantize)
      if (ql.getBipolar()) {
        lo = std::min<__int128>(lo, -1), hi = std::max<__int128>(hi, 1);
        return;
      }
      for (int64_t z : ql.getZeroPoint()) {
        lo = std::min<__int128>(lo, ql.getQminAttr().getInt() - z);
        hi = std::max<__int128>(hi, ql.getQmaxAttr().getInt() - z);
      }
    });
    for (BlockArgument arg : func.getArguments())
      if (auto range = intRange(arg)) {
        for (int64_t z : argQuant(arg).zp) {
          lo = std::min<__int128>(lo, (*range)[0] - z);
          hi = std::max<__int128>(hi, (*range)[1] - z);
        }
      }
    width = widthOfRange(lo, hi);
    if (width > 32)
      return func.emitError() << "cannot quantize: activation codes need " << width
                              << " bits, more than the 32 Loom streams";
    return success();
  }

  std::optional<ArrayRef<int64_t>> intRange(BlockArgument arg) {
    auto attr = func.getArgAttrOfType<DenseI64ArrayAttr>(arg.getArgNumber(), "loom.int_range");
    if (!attr || attr.size() != 2)
      return std::nullopt;
    return attr.asArrayRef();
  }

  /// The quantizer of an integer input: that of the dequantize_linear reading
  /// it, or scale 1, zero point 0 (the codes are the integers themselves).
  Quant argQuant(BlockArgument arg) {
    for (Operation *user : arg.getUsers())
      if (auto dl = llvm::dyn_cast<nn::DequantizeLinearOp>(user))
        return quantOf(dl);
    Quant q;
    q.scale = {1.0};
    q.zp = {0};
    return q;
  }

  /// Integer graph inputs: host nn.quantize {integer_input}, twin holding q.
  /// Token ids (loom.index_range) too, as unsigned words of their own width.
  LogicalResult quantizeIntegerArgs() {
    b.setInsertionPointToStart(&func.getBody().front());
    for (BlockArgument arg : func.getArguments()) {
      if (auto ids = func.getArgAttrOfType<DenseI64ArrayAttr>(arg.getArgNumber(),
                                                              "loom.index_range")) {
        Value codes = buildIndexQuantize(b, arg, ids[0], ids[1]);
        Quant q;
        q.scale = {1.0};
        q.zp = {0};
        Twin t{codes, q, ids[0], ids[1], /*holdsQ=*/true};
        twins[arg] = t;
        continue;
      }
      auto range = intRange(arg);
      if (!range)
        continue;
      Quant q = argQuant(arg);
      auto op = b.create<nn::QuantizeOp>(
          arg.getLoc(), intTensor(arg.getType(), width), arg, b.getI64IntegerAttr(0),
          b.getDenseF64ArrayAttr(q.scale), b.getDenseI64ArrayAttr(q.zp),
          b.getI64IntegerAttr(q.axis), b.getI64IntegerAttr((*range)[0]),
          b.getI64IntegerAttr((*range)[1]), nullptr, nullptr, b.getUnitAttr());
      Twin t{op.getResult(), q, 0, 0, /*holdsQ=*/true};
      setRange(t, (*range)[0], (*range)[1]);
      twins[arg] = t;
    }
    return success();
  }

  LogicalResult lower(Operation *op) {
    if (llvm::isa<nn::ConstantOp>(op) || truncConsumed.count(op))
      return success();
    if (auto ret = llvm::dyn_cast<func::ReturnOp>(op))
      return lowerReturn(ret);
    if (op->getNumOperands() == 0 || op->getNumResults() != 1)
      return fail(op, "not supported in a quantized graph");
    if (auto ql = llvm::dyn_cast<nn::QuantizeLinearOp>(op))
      return lowerQuantize(ql);
    if (auto dl = llvm::dyn_cast<nn::DequantizeLinearOp>(op))
      return lowerDequantize(dl);
    // A token embedding: its tables become the codes of its quantizer.
    if (auto emb = llvm::dyn_cast<nn::EmbedOp>(op)) {
      if (!twins.count(emb.getIds()))
        return fail(op, "its ids are not token ids of the graph input");
      pending[op->getResult(0)] = Pending{op};
      return success();
    }
    // A layer, or a LayerNorm: requantized by the quantizer after it.
    if (llvm::isa<nn::WeightedLayerOpInterface, nn::LayerNormOp, nn::RotaryOp>(op)) {
      auto in = asReal(op->getOperand(0));
      if (!in)
        return fail(op, "its input is not a dequantized tensor (put a QuantizeLinear / "
                        "DequantizeLinear pair in front of it)");
      if (in->q.perAxis())
        return fail(op, "per-axis activation scales are only supported at the graph ends");
      pending[op->getResult(0)] = Pending{op};
      return success();
    }
    // Attention: q, k, v dequantized, requantized by the quantizer after it.
    if (auto att = llvm::dyn_cast<nn::AttentionOp>(op)) {
      for (Value v : {att.getQ(), att.getK(), att.getV()}) {
        auto in = asReal(v);
        if (!in)
          return fail(op, "its q, k and v must be dequantized tensors (put a QuantizeLinear / "
                          "DequantizeLinear pair in front of each)");
        if (in->q.perAxis())
          return fail(op, "per-axis activation scales are only supported at the graph ends");
      }
      pending[op->getResult(0)] = Pending{op};
      return success();
    }
    if (llvm::isa<nn::AddActOp, nn::MulActOp>(op)) {
      auto l = asReal(op->getOperand(0)), r = asReal(op->getOperand(1));
      if (!l || !r)
        return fail(op, "both inputs must be dequantized tensors");
      if (l->q.perAxis() || r->q.perAxis())
        return fail(op, "per-axis activation scales are only supported at the graph ends");
      pending[op->getResult(0)] = Pending{op};
      return success();
    }
    if (isTableFunction(op) && twins.count(op->getOperand(0))) {
      auto in = asReal(op->getOperand(0));
      if (!in)
        return fail(op, "its input is not a dequantized tensor");
      if (in->q.perAxis())
        return fail(op, "per-axis activation scales are only supported at the graph ends");
      if (in->hi - in->lo >= (int64_t(1) << 16))
        return fail(op, "its input codes span " + Twine(in->hi - in->lo + 1) +
                            " values, more than a 65536-entry table");
      pending[op->getResult(0)] = Pending{op};
      return success();
    }
    // Data movement between a layer and its quantizer: the layer requantizes
    // and the codes move (a reshape keeps scale and zero point).
    if (reordersOnly(op) && pending.count(op->getOperand(0))) {
      Pending p = pending.lookup(op->getOperand(0));
      if (!llvm::isa<nn::IdentityOp>(op))
        p.moves.push_back(op);
      pending[op->getResult(0)] = p;
      return success();
    }
    if (llvm::isa<nn::ReluOp, nn::ClipOp>(op) && pending.count(op->getOperand(0))) {
      Pending p = pending.lookup(op->getOperand(0));
      if (llvm::isa<nn::ReluOp>(op)) {
        p.relu = true;
      } else {
        auto clip = llvm::cast<nn::ClipOp>(op);
        p.clipLo = std::max(p.clipLo, clip.getMin().convertToDouble());
        p.clipHi = std::min(p.clipHi, clip.getMax().convertToDouble());
      }
      pending[op->getResult(0)] = p;
      return success();
    }
    // Anything else would need the layer's float output (or an integer
    // rescale that Loom does not have outside dense, conv and add).
    for (Value v : op->getOperands())
      if (pending.count(v))
        return fail(op, "only Relu, Clip, reshapes or a QuantizeLinear may follow a quantized "
                        "layer (put a QuantizeLinear / DequantizeLinear pair in between)");
    if (llvm::isa<nn::ReluOp>(op))
      return lowerRelu(*this, op);
    if (auto ap = llvm::dyn_cast<nn::AvgPoolOp>(op))
      if (auto tr = truncAfterPool(*this, ap))
        return lowerTruncPool(*this, ap, tr);
    if (auto tr = llvm::dyn_cast<nn::TruncOp>(op))
      return lowerTrunc(*this, tr);
    if (op->hasTrait<nn::OpTrait::LayoutOnly>() || op->hasTrait<nn::OpTrait::FormatPreserving>())
      return lowerMove(*this, op);
    if (auto cat = llvm::dyn_cast<nn::ConcatOp>(op))
      return lowerConcat(*this, cat);
    if (auto sm = llvm::dyn_cast<nn::SoftmaxOp>(op))
      return lowerSoftmax(*this, sm);
    if (!twins.count(op->getOperand(0)))
      return fail(op, "not supported in a quantized graph (its input is not quantized)");
    return fail(op, "not supported on quantized tensors");
  }

  LogicalResult lowerQuantize(nn::QuantizeLinearOp ql) {
    Value x = ql.getInput();
    Quant out = quantOf(ql);
    int64_t qmin = ql.getQminAttr().getInt(), qmax = ql.getQmaxAttr().getInt();
    if (ql.getBipolar()) {
      if (!out.zeroZp())
        return fail(ql, "a bipolar quantizer needs zero point 0");
      qmin = -1, qmax = 1;
    }
    auto arg = llvm::dyn_cast<BlockArgument>(x);
    if (arg && !twins.count(arg)) {
      // Float graph input: the host quantizes it (the twin holds q).
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&func.getBody().front());
      auto hostQ = b.create<nn::QuantizeOp>(
          ql.getLoc(), intTensor(arg.getType(), width), arg, b.getI64IntegerAttr(0),
          ql.getScaleAttr(), ql.getZeroPointAttr(), ql.getAxisAttr(), b.getI64IntegerAttr(qmin),
          b.getI64IntegerAttr(qmax), ql.getRoundingAttr(),
          ql.getBipolar() ? b.getUnitAttr() : nullptr, nullptr);
      Twin t{hostQ.getResult(), out, 0, 0, true};
      setRange(t, qmin, qmax);
      twins[ql.getResult()] = t;
      argQuantizer[arg] = ql;
      return success();
    }
    if (arg) {
      // A second quantizer of a float input would need a second input stream.
      if (auto first = argQuantizer.lookup(arg)) {
        if (quantOf(first) == out && first.getQmin() == ql.getQmin() &&
            first.getQmax() == ql.getQmax() && first.getRounding() == ql.getRounding() &&
            first.getBipolar() == ql.getBipolar()) {
          twins[ql.getResult()] = twins.lookup(first.getResult());
          return success();
        }
        return fail(ql, "the graph input is quantized twice with different parameters");
      }
    }
    if (pending.count(x))
      return requantize(*this, ql, pending.lookup(x), out, qmin, qmax);
    auto t = asReal(x);
    if (!t)
      return fail(ql, twins.count(x) ? "quantizes integers that were not dequantized"
                                     : "its input is not a quantized tensor");
    if (ql.getBipolar()) {
      // sign(s * c) = sign(c): the bipolar code needs no scale.
      auto sign = b.create<nn::SignOp>(ql.getLoc(), t->codes.getType(), t->codes);
      twins[ql.getResult()] = Twin{sign.getResult(), out, -1, 1, true};
      return success();
    }
    if (!t->q.sameScale(out)) {
      if (t->q.perAxis() || out.perAxis())
        return fail(ql, "per-axis activation scales are only supported at the graph ends");
      if (failed(requireHalfEven(*this, ql)))
        return failure();
      Twin r;
      r.q = out;
      r.holdsQ = true;
      setRange(r, qmin, qmax);
      auto codes = rescale(*this, ql, *t, out.scale[0], r.lo, r.hi, "_rq");
      if (failed(codes))
        return failure();
      r.codes = *codes;
      twins[ql.getResult()] = r;
      return success();
    }
    // Same scale: the centered codes are unchanged (a new zero point only
    // moves q); only the range may narrow.
    Twin r = *t;
    r.q = out;
    r.holdsQ = true;
    setRange(r, qmin, qmax);
    r.lo = std::max(r.lo, t->lo), r.hi = std::min(r.hi, t->hi);
    if (r.lo > t->lo || r.hi < t->hi) {
      if (r.lo > r.hi)
        return fail(ql, "the quantizer's range excludes every value of its input");
      r.codes = clipCodes(ql, t->codes, r.lo, r.hi);
    }
    twins[ql.getResult()] = r;
    return success();
  }

  LogicalResult lowerDequantize(nn::DequantizeLinearOp dl) {
    auto it = twins.find(dl.getInput());
    if (it == twins.end())
      return fail(dl, "its input is not a quantized activation (quantized weights must be "
                      "folded into the layer by the importer)");
    Twin t = it->second;
    Quant q = quantOf(dl);
    if (!t.holdsQ)
      return fail(dl, "dequantizes a tensor that is already real-valued");
    if (q.zp != t.q.zp || (q.perAxis() != t.q.perAxis()) || (q.perAxis() && q.axis != t.q.axis))
      return fail(dl, "its zero point / axis differ from those of its QuantizeLinear");
    // A different scale only reinterprets the same codes.
    t.q = q;
    t.holdsQ = false;
    twins[dl.getResult()] = t;
    return success();
  }

  /// Host dequantizers at the outputs: s * c, or c + zp when the graph returns
  /// the integers q; a returned layer without quantizer returns its
  /// accumulator at scale s_in * weight_scale.
  LogicalResult lowerReturn(func::ReturnOp ret) {
    for (OpOperand &operand : ret->getOpOperands()) {
      Value v = operand.get();
      Type floatType = v.getType();
      if (pending.count(v) && llvm::isa<nn::LayerNormOp>(pending.lookup(v).layer))
        return fail(pending.lookup(v).layer, "a LayerNorm needs a QuantizeLinear after it");
      if (pending.count(v) && llvm::isa<nn::EmbedOp>(pending.lookup(v).layer))
        return fail(pending.lookup(v).layer, "an embedding needs a QuantizeLinear after it");
      if (pending.count(v) && llvm::isa<nn::RotaryOp>(pending.lookup(v).layer))
        return fail(pending.lookup(v).layer, "a rotary embedding needs a QuantizeLinear after it");
      if (pending.count(v) && llvm::isa<nn::AttentionOp>(pending.lookup(v).layer))
        return fail(pending.lookup(v).layer, "an attention needs a QuantizeLinear after it");
      if (pending.count(v)) {
        auto acc = returnAccumulator(*this, ret, pending.lookup(v));
        if (failed(acc))
          return failure();
        operand.set(*acc);
        continue;
      }
      auto it = twins.find(v);
      if (it == twins.end())
        return ret.emitError() << "cannot quantize the graph output " << operand.getOperandNumber()
                               << ": it is not a quantized tensor";
      const Twin &t = it->second;
      auto dq = b.create<nn::DequantizeOp>(
          ret.getLoc(), floatType, t.codes, b.getI64IntegerAttr(0),
          b.getDenseF64ArrayAttr(t.q.scale), b.getDenseI64ArrayAttr(t.q.zp),
          b.getI64IntegerAttr(t.q.axis), t.holdsQ ? b.getUnitAttr() : nullptr);
      operand.set(dq.getResult());
    }
    return success();
  }
};

} // namespace

LogicalResult loom::lowerAffineQuantization(func::FuncOp func) { return Lowering(func).run(); }

LogicalResult loom::runtimeParamWithin(Operation *op, StringRef what, ElementsAttr values,
                                       double lo, double hi, double step, StringRef scale,
                                       StringRef advice) {
  double mn = INFINITY, mx = -INFINITY;
  for (APFloat v : values.getValues<APFloat>())
    mn = std::min(mn, v.convertToDouble()), mx = std::max(mx, v.convertToDouble());
  if (mn >= lo - step / 2 && mx <= hi + step / 2)
    return success();
  return op->emitError() << "--runtime-weights: the " << what << " tensor of "
                         << nn::describeNode(op) << " has range [" << mn << ", " << mx
                         << "], outside " << scale << " ([" << lo << ", " << hi
                         << "]) that the architecture fixes" << advice;
}
