//===- NNQuantize.cpp - float nn graph -> fixed-point nn graph ------------===//
//
// Every activation tensor gets the one format `precision` (fixed<W,I>, like
// hls4ml's default ap_fixed<16,6>), parsed once into a #nn.fixed attribute. Weights use the same
// format; biases are quantized at the accumulator's scale, so adding them loses nothing. The
// accumulator width is derived from the actual weights (numerics::accWidth),
// so no input can overflow it. The arithmetic is defined in docs/CONTRACTS.md
// and shared with the reference interpreter through compiler/numerics.
//
//===----------------------------------------------------------------------===//
#include "dialects/nn/IntAttrs.h"
#include "dialects/nn/NodeNames.h"
#include "passes/NNQuantizeAffine.h"
#include "passes/Passes.h"

#include "compiler/numerics/FixedPoint.h"
#include "compiler/numerics/Attention.h"
#include "compiler/numerics/LayerNorm.h"
#include "compiler/numerics/Tables.h"

#include "mlir/IR/Builders.h"

#include <cmath>
#include <cstdint>

namespace loom {
#define GEN_PASS_DEF_NNQUANTIZE
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;
using numerics::FixedFormat;

namespace {

struct NNQuantizePass : loom::impl::NNQuantizeBase<NNQuantizePass> {
  using NNQuantizeBase::NNQuantizeBase;

  void runOnOperation() override {
    // Models that carry their own quantization keep it (NNQuantizeAffine.cpp).
    bool affine = false;
    for (auto func : getOperation().getOps<func::FuncOp>())
      affine |= hasAffineQuantization(func);
    if (affine) {
      for (auto func : getOperation().getOps<func::FuncOp>())
        if (failed(lowerAffineQuantization(func)))
          return signalPassFailure();
      return;
    }
    // A float graph needs the one format of its tensors; graphs that carry
    // their own quantization (above) take none.
    if (precision.empty()) {
      getOperation().emitError() << "nn-quantize: a float graph needs a fixed-point format "
                                    "(precision=fixed<W,I>)";
      return signalPassFailure();
    }
    auto fmtOr = numerics::parseFixedFormat(precision);
    if (!fmtOr) {
      getOperation().emitError() << llvm::toString(fmtOr.takeError());
      return signalPassFailure();
    }
    format = nn::FixedFormatAttr::get(&getContext(), *fmtOr);
    fmt = format.getFormat();
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(quantizeFunc(func)))
        return signalPassFailure();
  }

  LogicalResult quantizeFunc(func::FuncOp func) {
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    unsigned w = format.getWidth();
    int64_t f = format.getFrac();
    llvm::DenseMap<Value, Value> q; // float value -> its fixed-point twin

    b.setInsertionPointToStart(&func.getBody().front());
    for (BlockArgument arg : func.getArguments()) {
      if (auto ids = func.getArgAttrOfType<DenseI64ArrayAttr>(arg.getArgNumber(),
                                                              "loom.index_range")) {
        q[arg] = buildIndexQuantize(b, arg, ids[0], ids[1]); // token ids: their own word
        continue;
      }
      q[arg] = b.create<nn::QuantizeOp>(arg.getLoc(), intTensor(arg.getType(), w), arg,
                                        b.getI64IntegerAttr(f), nullptr, nullptr, nullptr, nullptr,
                                        nullptr, nullptr, nullptr, nullptr);
    }

    SmallVector<Operation *> dead;
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
      if (llvm::isa<nn::QuantizeOp>(op) || llvm::isa<nn::ConstantOp>(op))
        continue;
      b.setInsertionPoint(&op);
      auto copyName = [&](Operation *to) {
        if (auto name = op.getAttr(nn::kNodeNameAttr))
          to->setAttr(nn::kNodeNameAttr, name);
        if (auto name = op.getAttr(nn::kOpTypeAttr))
          to->setAttr(nn::kOpTypeAttr, name);
        return to->getResult(0);
      };
      Value result;
      if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
        for (OpOperand &operand : ret->getOpOperands()) {
          Value in = q.lookup(operand.get());
          if (!in)
            return ret.emitError("returned value was not quantized");
          operand.set(b.create<nn::DequantizeOp>(ret.getLoc(), operand.get().getType(), in,
                                                 b.getI64IntegerAttr(f), nullptr, nullptr, nullptr,
                                                 nullptr));
        }
        continue;
      }
      Value in = op.getNumOperands() ? q.lookup(op.getOperand(0)) : Value();
      if (!in)
        return op.emitError() << "cannot quantize " << nn::describeNode(&op)
                              << ": its first input is not an activation of the graph";
      Type outType = op.getNumResults() ? intTensor(op.getResult(0).getType(), w) : Type();

      if (auto dense = llvm::dyn_cast<nn::DenseOp>(op)) {
        Operation *qd = quantizeDense(b, dense, in, outType);
        if (!qd)
          return failure(); // refused (--runtime-weights)
        result = copyName(qd);
      } else if (llvm::isa<nn::ReluOp>(op)) {
        result = copyName(b.create<nn::ReluOp>(op.getLoc(), outType, in));
      } else if (auto act = llvm::dyn_cast<nn::TableActivationOpInterface>(op)) {
        numerics::ActTable t = activationTable(act);
        result = copyName(b.create<nn::LutOp>(
            op.getLoc(), outType, in, b.getStringAttr(op.getName().stripDialect()),
            b.getI64IntegerAttr(t.tMin), b.getI64IntegerAttr(t.tMax), b.getI64IntegerAttr(t.shift),
            intAttr(ctx, {t.depth()}, w, t.values)));
      } else if (auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(op); leaky && leaky.getAlphasAttr()) {
        // PRelu per channel: the same contract per slope, A[c] = round(alpha[c] * 2^15).
        SmallVector<int64_t> mults;
        int S = numerics::LeakyReluParams::kLeakyShift;
        for (double a : leaky.getAlphasAttr().asArrayRef()) {
          numerics::LeakyReluParams p = numerics::makeLeakyRelu(a);
          if (p.A < INT32_MIN || p.A > INT32_MAX)
            return op.emitError("PRelu slope ") << a << " is out of range (|slope| < 65536)";
          mults.push_back(p.A);
          S = p.S;
        }
        result = copyName(b.create<nn::LeakyReluOp>(
            op.getLoc(), outType, in, leaky.getAlphaAttr(), IntegerAttr(), b.getI64IntegerAttr(S),
            leaky.getAlphasAttr(), b.getDenseI64ArrayAttr(mults)));
      } else if (auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(op)) {
        // Exact on codes: y >= 0 ? y : saturate(shift_round_even(y * A, 15)).
        numerics::LeakyReluParams p = numerics::makeLeakyRelu(leaky.getAlpha().convertToDouble());
        if (p.A < INT32_MIN || p.A > INT32_MAX)
          return op.emitError("LeakyRelu alpha ")
                 << leaky.getAlpha().convertToDouble() << " is out of range (|alpha| < 65536)";
        result = copyName(b.create<nn::LeakyReluOp>(
            op.getLoc(), outType, in, leaky.getAlphaAttr(), b.getI64IntegerAttr(p.A),
            b.getI64IntegerAttr(p.S), DenseF64ArrayAttr(), DenseI64ArrayAttr()));
      } else if (llvm::isa<nn::SoftmaxOp>(op)) {
        numerics::ExpTable t = numerics::makeExpTable(fmt);
        result = copyName(b.create<nn::QSoftmaxOp>(
            op.getLoc(), outType, in, b.getI64IntegerAttr(f), b.getI64IntegerAttr(t.shift),
            b.getI64IntegerAttr(numerics::ExpTable::kFrac),
            intAttr(ctx, {t.depth()}, t.bits + 1, t.values)));
      } else if (auto ln = llvm::dyn_cast<nn::LayerNormOp>(op)) {
        // Input and output at 2^-F, saturated to the format (CONTRACTS "LayerNorm").
        // --runtime-weights: gamma and beta anywhere in the format, so the shifts and
        // widths hold every loadable pair.
        if (runtimeWeights && (failed(withinFormat(&op, "gamma", ln.getGamma())) ||
                               failed(withinFormat(&op, "beta", ln.getBeta()))))
          return failure();
        auto p = numerics::makeLayerNorm(
            lastDimOf(ln.getResult()), int(w), int(w), std::ldexp(1.0, -int(f)),
            std::ldexp(1.0, -int(f)), ln.getEpsilon().convertToDouble(), floatsOf(ln.getGamma()),
            floatsOf(ln.getBeta()), fmt.minInt(), fmt.maxInt(), ln.getRms(),
            runtimeWeights ? double(-fmt.minInt()) * fmt.lsb() : 0.0);
        if (!p)
          return op.emitError() << "cannot quantize " << nn::describeNode(&op) << ": "
                                << llvm::toString(p.takeError());
        result = copyName(buildQLayerNorm(b, op.getLoc(), outType, in, *p).getDefiningOp());
      } else if (auto emb = llvm::dyn_cast<nn::EmbedOp>(op)) {
        // Both tables in the format's codes, the sum saturated (CONTRACTS "Embedding").
        if (runtimeWeights &&
            (failed(withinFormat(&op, "table", emb.getTable())) ||
             (emb.getPos() && failed(withinFormat(&op, "position table", *emb.getPos())))))
          return failure();
        result = copyName(buildQEmbed(b, emb, outType, in, std::ldexp(1.0, -int(f)), int(w),
                                      fmt.minInt(), fmt.maxInt())
                              .getDefiningOp());
      } else if (auto rot = llvm::dyn_cast<nn::RotaryOp>(op)) {
        // Input and output at 2^-F (CONTRACTS "Rotary").
        auto type = rot.getResult().getType();
        double s = std::ldexp(1.0, -int(f));
        auto p = numerics::makeRotary(type.getDimSize(0), type.getDimSize(1),
                                      int64_t(rot.getHeadDim()), int(w), int(w),
                                      floatsOf(rot.getCos()), floatsOf(rot.getSin()), s, s,
                                      fmt.minInt(), fmt.maxInt());
        if (!p)
          return op.emitError() << "cannot quantize " << nn::describeNode(&op) << ": "
                                << llvm::toString(p.takeError());
        result = copyName(buildQRotary(b, op.getLoc(), outType, in, *p).getDefiningOp());
      } else if (auto att = llvm::dyn_cast<nn::AttentionOp>(op)) {
        // q, k, v and the output at 2^-F (CONTRACTS "Attention").
        Value k = q.lookup(att.getK()), v = q.lookup(att.getV());
        if (!k || !v)
          return op.emitError() << "cannot quantize " << nn::describeNode(&op)
                                << ": its k or v input is not an activation of the graph";
        auto type = att.getResult().getType();
        double s = std::ldexp(1.0, -int(f));
        auto p = numerics::makeAttention(type.getDimSize(0), type.getDimSize(1),
                                         int64_t(att.getHeads()), att.getCausal(), int(w), int(w),
                                         s, s, s, att.getScale().convertToDouble(), s, 0,
                                         fmt.minInt(), fmt.maxInt(),
                                         innerQuantOf(att.getScoreQuantAttr()),
                                         innerQuantOf(att.getProbQuantAttr()),
                                         att.getWindow() ? int64_t(*att.getWindow()) : 0,
                                         keyBiasOf(att));
        if (!p)
          return op.emitError() << "cannot quantize " << nn::describeNode(&op) << ": "
                                << llvm::toString(p.takeError());
        result = copyName(buildQAttention(b, op.getLoc(), outType, in, k, v, *p).getDefiningOp());
      } else if (op.hasTrait<nn::OpTrait::LayoutOnly>()) {
        // Moves keep the word width (token ids have their own).
        result = copyName(b.create<nn::ReshapeOp>(
            op.getLoc(),
            intTensor(op.getResult(0).getType(),
                      llvm::cast<ShapedType>(in.getType()).getElementTypeBitWidth()),
            in));
      } else if (auto conv = llvm::dyn_cast<nn::ConvOp>(op)) {
        Operation *qc = quantizeConv(b, conv, in, outType);
        if (!qc)
          return failure(); // refused (--runtime-weights)
        result = copyName(qc);
      } else if (op.hasTrait<nn::OpTrait::FormatPreserving>()) {
        // Data movement and pooling work on the codes directly (pooling's
        // integer rounding is in docs/CONTRACTS.md).
        Operation *clone = b.clone(op);
        clone->setOperand(0, in);
        clone->getResult(0).setType(outType);
        result = clone->getResult(0);
      } else if (op.hasTrait<nn::OpTrait::ActivationJoin>()) {
        Value rhs = q.lookup(op.getOperand(1));
        if (!rhs)
          return op.emitError() << "cannot quantize " << nn::describeNode(&op)
                                << ": its second input is not an activation of the graph";
        Operation *clone = b.clone(op);
        clone->setOperand(0, in);
        clone->setOperand(1, rhs);
        clone->getResult(0).setType(outType);
        // A product of two fixed<W,I> values has 2F fraction bits: shift F back.
        if (llvm::isa<nn::MulActOp>(clone))
          clone->setAttr("frac", b.getI64IntegerAttr(f));
        result = clone->getResult(0);
      } else if (auto clip = llvm::dyn_cast<nn::ClipOp>(op)) {
        // Bounds become codes of the format (saturated to it).
        double lo = double(numerics::quantize(clip.getMin().convertToDouble(), fmt));
        double hi = double(numerics::quantize(clip.getMax().convertToDouble(), fmt));
        result = copyName(b.create<nn::ClipOp>(op.getLoc(), outType, in, b.getF64FloatAttr(lo),
                                               b.getF64FloatAttr(hi)));
      } else {
        return op.emitError() << "cannot quantize " << nn::describeNode(&op)
                              << ": no fixed-point form for it in this position (Loom folds "
                                 "Add/Mul/Sub/Div by per-channel constants into a conv or dense; "
                                 "other element-wise arithmetic is not supported)";
      }
      q[op.getResult(0)] = result;
      dead.push_back(&op);
    }
    // Float ops are now unused (the return reads dequantized values): erase
    // them from the back so users go before their producers.
    for (Operation *op : llvm::reverse(dead))
      op->erase();
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front()))
      if (llvm::isa<nn::ConstantOp>(op) && op.use_empty())
        op.erase();
    return success();
  }

  /// The op's own function over its table domain, or over the whole format
  /// for functions unbounded there (CONTRACTS "TABLE" activation).
  numerics::ActTable activationTable(nn::TableActivationOpInterface act) {
    auto f = [act](double x) mutable { return act.evaluate(x); };
    if (auto domain = act.getTableDomain())
      return numerics::makeActTable(f, domain->first, domain->second, fmt, fmt);
    return numerics::makeActTableOverFormat(f, fmt, fmt);
  }

  Operation *quantizeDense(OpBuilder &b, nn::DenseOp dense, Value in, Type outType) {
    MLIRContext *ctx = &getContext();
    auto wType = llvm::cast<ShapedType>(dense.getWeight().getType());
    int64_t n = wType.getDimSize(0), k = wType.getDimSize(1);
    unsigned inWidth = llvm::cast<ShapedType>(in.getType()).getElementTypeBitWidth();
    int64_t fin = fmt.frac(), fw = fmt.frac(), fout = fmt.frac();
    std::vector<int64_t> wq, bq;
    for (APFloat v : dense.getWeight().getValues<APFloat>())
      wq.push_back(numerics::quantize(v.convertToDouble(), fmt));
    for (APFloat v : dense.getBias().getValues<APFloat>())
      bq.push_back(numerics::quantizeToScale(v.convertToDouble(), int(fin + fw)));
    int acc = numerics::accWidth(wq, bq, k, int(inWidth));
    if (runtimeWeights && failed(fixedForAnyWeights(dense, dense.getWeight(), dense.getBias(),
                                                    k, inWidth, acc)))
      return nullptr;
    return b.create<nn::QDenseOp>(dense.getLoc(), outType, in, intAttr(ctx, {n, k}, fmt.width, wq),
                                  intAttr(ctx, {n}, 64, bq), b.getI64IntegerAttr(fin + fw - fout),
                                  b.getI64IntegerAttr(std::max(acc, 2)), nullptr, nullptr);
  }

  Operation *quantizeConv(OpBuilder &b, nn::ConvOp conv, Value in, Type outType) {
    MLIRContext *ctx = &getContext();
    auto wType = llvm::cast<ShapedType>(conv.getWeight().getType());
    int64_t oc = wType.getDimSize(0), k = wType.getNumElements() / oc;
    unsigned inWidth = llvm::cast<ShapedType>(in.getType()).getElementTypeBitWidth();
    int64_t f = fmt.frac();
    std::vector<int64_t> wq, bq;
    for (APFloat v : conv.getWeight().getValues<APFloat>())
      wq.push_back(numerics::quantize(v.convertToDouble(), fmt));
    for (APFloat v : conv.getBias().getValues<APFloat>())
      bq.push_back(numerics::quantizeToScale(v.convertToDouble(), int(2 * f)));
    // Per output channel the weights form one row of K = IC/group * KH * KW.
    int acc = numerics::accWidth(wq, bq, k, int(inWidth));
    if (runtimeWeights && failed(fixedForAnyWeights(conv, conv.getWeight(), conv.getBias(), k,
                                                    inWidth, acc)))
      return nullptr;
    return b.create<nn::QConvOp>(
        conv.getLoc(), outType, in, intAttr(ctx, wType.getShape(), fmt.width, wq),
        intAttr(ctx, {oc}, 64, bq), conv.getStridesAttr(), conv.getDilationsAttr(),
        conv.getPadsAttr(), conv.getGroupAttr(), b.getI64IntegerAttr(f),
        b.getI64IntegerAttr(std::max(acc, 2)), nullptr, nullptr);
  }

  /// --runtime-weights: a parameter tensor outside the architecture's format is
  /// refused (naming the tensor and its range), not saturated.
  LogicalResult withinFormat(Operation *op, StringRef what, ElementsAttr values) {
    return runtimeParamWithin(op, what, values, double(fmt.minInt()) * fmt.lsb(),
                              double(fmt.maxInt()) * fmt.lsb(), fmt.lsb(), fmt.str(),
                              "; compile with a --precision of more integer bits");
  }

  /// --runtime-weights: the number formats belong to the architecture, not to
  /// one weight set. A weight or bias outside the format is refused (naming the
  /// tensor and its range) instead of saturated, and the accumulator is sized
  /// for the worst weights and biases the format holds, so any weight set that
  /// passes this check runs on the same hardware (docs/CONTRACTS.md).
  LogicalResult fixedForAnyWeights(Operation *op, ElementsAttr weight, ElementsAttr bias,
                                   int64_t k, unsigned inWidth, int &acc) {
    if (failed(withinFormat(op, "weight", weight)) || failed(withinFormat(op, "bias", bias)))
      return failure();
    std::vector<int64_t> worstW(size_t(k), fmt.minInt());
    std::vector<int64_t> worstB = {fmt.minInt() * (int64_t(1) << fmt.frac())};
    acc = std::max(acc, numerics::accWidth(worstW, worstB, k, int(inWidth)));
    return success();
  }

  static int64_t lastDimOf(Value v) {
    auto t = llvm::cast<ShapedType>(v.getType());
    return t.getDimSize(t.getRank() - 1);
  }
  static std::vector<double> floatsOf(ElementsAttr a) {
    std::vector<double> v;
    for (APFloat x : a.getValues<APFloat>())
      v.push_back(x.convertToDouble());
    return v;
  }

  nn::FixedFormatAttr format; // the `precision` option, parsed once
  FixedFormat fmt;            // its numerics view
};

} // namespace
