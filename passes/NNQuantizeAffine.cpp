//===- NNQuantizeAffine.cpp - QDQ float graph -> affine integer graph -----===//
//
// See NNQuantizeAffine.h and docs/CONTRACTS.md "Affine integer graphs".
//
// One walk over the ops in order. Every float value that the graph quantizes
// gets a twin: the integer value of its centered codes c = q - zp, with its
// quantizer (scale, zero point) and code range. The twin of a quantize_linear
// result "holds q" (the float value is the integer q); the twin of a
// dequantize_linear result holds the real value s * c. Both share the codes.
// A layer (dense, conv, add_act) on a twin is only "pending" until its
// quantize_linear is seen, because the requantization needs the output scale;
// relu / clip in between narrow the output range, reshapes move its codes.
// A layer that is returned without a quantizer keeps its accumulator as the
// output. An element-wise function between two quantizers is pending the same
// way and becomes a table on codes; a new scale without a layer (DQ -> Q,
// concat inputs) becomes an identity actor (a 1x1 depthwise qconv).
//
//===----------------------------------------------------------------------===//
#include "passes/NNQuantizeAffine.h"
#include "dialects/nn/IntAttrs.h"
#include "dialects/nn/NodeNames.h"

#include "compiler/numerics/Affine.h"
#include "compiler/numerics/FixedPoint.h"
#include "compiler/numerics/Tables.h"
#include "dialects/nn/NNOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

using namespace mlir;
using namespace loom;

bool loom::hasAffineQuantization(func::FuncOp func) {
  bool found = false;
  func.walk([&](Operation *op) {
    if (llvm::isa<nn::QuantizeLinearOp, nn::DequantizeLinearOp>(op))
      found = true;
  });
  return found;
}

namespace {

/// A real number for an error message ("0.00390625", "1e-09").
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

/// One quantizer: a scale / zero point pair, or one per index of `axis`.
struct Quant {
  SmallVector<double> scale;
  SmallVector<int64_t> zp;
  int64_t axis = 0;
  bool perAxis() const { return scale.size() > 1; }
  bool sameScale(const Quant &o) const {
    return scale == o.scale && (!perAxis() || axis == o.axis);
  }
  bool operator==(const Quant &o) const { return sameScale(o) && zp == o.zp; }
  bool zeroZp() const { return llvm::all_of(zp, [](int64_t z) { return z == 0; }); }
};

/// The integer side of a quantized float value.
struct Twin {
  Value codes;             // centered codes c = q - zp, type iW_A
  Quant q;                 // real = scale * c
  int64_t lo = 0, hi = 0;  // range of c
  bool holdsQ = false;     // the float value is q (not the real value)
};

/// A float layer output waiting for its output quantizer.
struct Pending {
  Operation *layer = nullptr; // nn.dense, nn.conv, nn.add_act or a table function
  bool relu = false;
  double clipLo = -kInf, clipHi = kInf; // a float Clip between layer and quantizer
  SmallVector<Operation *> moves; // reshapes / transposes between layer and quantizer
};

/// Element-wise float functions that become a table on codes (CONTRACTS).
bool isTableFunction(Operation *op) {
  if (auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(op))
    return !leaky.getAlphas(); // per-channel slopes would need a table per channel
  return llvm::isa<nn::SigmoidOp, nn::TanhOp, nn::EluOp, nn::SeluOp>(op);
}

/// Smallest signed width holding every value of [lo, hi] (at least 2, the
/// narrowest integer tensor the dialect allows).
int widthOfRange(__int128 lo, __int128 hi) {
  int w = 2;
  while (w < 127 && (lo < -(__int128(1) << (w - 1)) || hi > (__int128(1) << (w - 1)) - 1))
    ++w;
  return w;
}

std::vector<double> floatsOf(ElementsAttr attr) {
  std::vector<double> out;
  for (APFloat v : attr.getValues<APFloat>())
    out.push_back(v.convertToDouble());
  return out;
}

template <typename QOp> Quant quantOf(QOp op) {
  Quant q;
  q.scale.assign(op.getScale().begin(), op.getScale().end());
  q.zp.assign(op.getZeroPoint().begin(), op.getZeroPoint().end());
  q.axis = op.getAxisAttr().getInt();
  return q;
}

/// The integers a layer computes with (CONTRACTS): weights round(w / ws[n]),
/// biases at the accumulator scale s_in * ws[n], and the accumulator width
/// over the input code range.
struct LayerInts {
  std::vector<int64_t> w, b;
  int wWidth = 2;
  int64_t accWidth = 2;
  std::vector<double> accScale; // s_in * ws[n], one per output
  int64_t n = 0;
};

class Lowering {
public:
  explicit Lowering(func::FuncOp func) : func(func), ctx(func.getContext()), b(ctx) {}

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
  /// Every refusal names the ONNX node (dialects/nn/NodeNames.h).
  LogicalResult fail(Operation *op, const Twine &why) {
    return op->emitError() << "cannot quantize " << nn::describeNode(op) << ": " << why;
  }

  /// W_A: the smallest signed width holding every activation code range
  /// (every quantize_linear's [qmin - zp, qmax - zp], every integer input's).
  LogicalResult chooseWidth() {
    __int128 lo = 0, hi = 0;
    func.walk([&](nn::QuantizeLinearOp ql) {
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
  LogicalResult quantizeIntegerArgs() {
    b.setInsertionPointToStart(&func.getBody().front());
    for (BlockArgument arg : func.getArguments()) {
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

  /// Code range of q in [qmin, qmax] over every zero point of t's quantizer.
  static void setRange(Twin &t, int64_t qmin, int64_t qmax) {
    t.lo = INT64_MAX, t.hi = INT64_MIN;
    for (int64_t z : t.q.zp) {
      t.lo = std::min(t.lo, qmin - z);
      t.hi = std::max(t.hi, qmax - z);
    }
  }

  /// A twin read as a real value: a quantize_linear result with zero point 0
  /// is its own real value at scale 1 (MatMulInteger / ConvInteger inputs).
  std::optional<Twin> asReal(Value v) {
    auto it = twins.find(v);
    if (it == twins.end())
      return std::nullopt;
    Twin t = it->second;
    if (!t.holdsQ)
      return t;
    if (!t.q.zeroZp())
      return std::nullopt;
    t.q.scale.assign(t.q.scale.size(), 1.0);
    t.holdsQ = false;
    return t;
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
    if (llvm::isa<nn::DenseOp, nn::ConvOp>(op)) {
      auto in = asReal(op->getOperand(0));
      if (!in)
        return fail(op, "its input is not a dequantized tensor (put a QuantizeLinear / "
                        "DequantizeLinear pair in front of it)");
      if (in->q.perAxis())
        return fail(op, "per-axis activation scales are only supported at the graph ends");
      pending[op->getResult(0)] = Pending{op};
      return success();
    }
    if (auto add = llvm::dyn_cast<nn::AddActOp>(op)) {
      auto l = asReal(add.getLhs()), r = asReal(add.getRhs());
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
    if (llvm::isa<nn::ReshapeOp, nn::TransposeOp, nn::IdentityOp>(op) &&
        pending.count(op->getOperand(0))) {
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
      return lowerRelu(op);
    if (auto ap = llvm::dyn_cast<nn::AvgPoolOp>(op))
      if (auto tr = truncAfterPool(ap))
        return lowerTruncPool(ap, tr);
    if (auto tr = llvm::dyn_cast<nn::TruncOp>(op))
      return lowerTrunc(tr);
    if (llvm::isa<nn::MaxPoolOp, nn::ReshapeOp, nn::IdentityOp, nn::TransposeOp, nn::ResizeOp,
                  nn::AvgPoolOp, nn::PadOp>(op))
      return lowerMove(op);
    if (auto cat = llvm::dyn_cast<nn::ConcatOp>(op))
      return lowerConcat(cat);
    if (auto sm = llvm::dyn_cast<nn::SoftmaxOp>(op))
      return lowerSoftmax(sm);
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
      return requantize(ql, pending.lookup(x), out, qmin, qmax);
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
      if (failed(requireHalfEven(ql)))
        return failure();
      Twin r;
      r.q = out;
      r.holdsQ = true;
      setRange(r, qmin, qmax);
      auto codes = rescale(ql, *t, out.scale[0], r.lo, r.hi, "_rq");
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
    if (q.zp != t.q.zp || (q.perAxis() != t.q.perAxis()) ||
        (q.perAxis() && q.axis != t.q.axis))
      return fail(dl, "its zero point / axis differ from those of its QuantizeLinear");
    // A different scale only reinterprets the same codes.
    t.q = q;
    t.holdsQ = false;
    twins[dl.getResult()] = t;
    return success();
  }

  Value clipCodes(Operation *at, Value codes, int64_t lo, int64_t hi) {
    return b.create<nn::ClipOp>(at->getLoc(), codes.getType(), codes, b.getF64FloatAttr(double(lo)),
                                b.getF64FloatAttr(double(hi)));
  }

  /// The identity requantization actor (CONTRACTS): a 1x1 depthwise
  /// nn.qconv with weights 1 and bias 0 on the codes seen as [1, C, H, W], so
  /// y = saturate(shift_round_even(c * M, S)); `act` adds its fused
  /// activation (range clip or table). Named after `at` plus `suffix`.
  /// Being element-wise, it runs before the reshapes / transposes that made
  /// `codes` (repeated after it): a convolution needs channels-last streams.
  Value identityLayer(Operation *at, Value codes, int64_t inLo, int64_t inHi,
                      const numerics::Requant &rq, StringRef suffix,
                      llvm::function_ref<Value(Value)> act) {
    SmallVector<Operation *> moves;
    while (Operation *def = codes.getDefiningOp()) {
      if (!llvm::isa<nn::ReshapeOp, nn::TransposeOp>(def))
        break;
      moves.push_back(def);
      codes = def->getOperand(0);
    }
    Value y = identityLayerOn(at, codes, inLo, inHi, rq, suffix, act);
    for (Operation *move : llvm::reverse(moves)) {
      Operation *clone = b.clone(*move);
      clone->setOperand(0, y);
      y = clone->getResult(0);
    }
    return y;
  }

  Value identityLayerOn(Operation *at, Value codes, int64_t inLo, int64_t inHi,
                        const numerics::Requant &rq, StringRef suffix,
                        llvm::function_ref<Value(Value)> act) {
    auto type = llvm::cast<RankedTensorType>(codes.getType());
    ArrayRef<int64_t> shape = type.getShape();
    int64_t elems = type.getNumElements();
    SmallVector<int64_t> view;
    if (shape.size() == 4 && shape[0] == 1)
      view.assign(shape.begin(), shape.end());
    else if (shape.size() >= 2 && shape[0] == 1)
      view = {1, shape[1], elems / shape[1], 1};
    else
      view = {1, elems, 1, 1};
    int64_t c = view[1];
    Location loc = at->getLoc();
    auto viewType = RankedTensorType::get(view, type.getElementType());
    Value in = codes;
    if (view != SmallVector<int64_t>(shape))
      in = b.create<nn::ReshapeOp>(loc, viewType, codes);
    ElementsAttr multAttr;
    if (rq.mult[0] != 1)
      multAttr = intAttr(ctx, {1}, 64, rq.mult);
    auto conv = b.create<nn::QConvOp>(
        loc, viewType, in, intAttr(ctx, {c, 1, 1, 1}, 2, std::vector<int64_t>(c, 1)),
        intAttr(ctx, {c}, 64, std::vector<int64_t>(c, 0)), b.getDenseI64ArrayAttr({1, 1}),
        b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr({0, 0, 0, 0}),
        b.getI64IntegerAttr(c), b.getI64IntegerAttr(rq.shift),
        b.getI64IntegerAttr(widthOfRange(std::min<int64_t>(inLo, 0), std::max<int64_t>(inHi, 0))),
        multAttr);
    auto node = at->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
    conv->setAttr(nn::kNodeNameAttr,
                  b.getStringAttr((node ? node.getValue() : StringRef("requant")) + suffix));
    if (auto opType = at->getAttr(nn::kOpTypeAttr))
      conv->setAttr(nn::kOpTypeAttr, opType);
    Value y = act(conv.getResult());
    if (in != codes)
      y = b.create<nn::ReshapeOp>(loc, type, y);
    return y;
  }

  /// Codes of t requantized to scale sOut and clipped to [lo, hi] (a
  /// DequantizeLinear -> QuantizeLinear pair with a new scale).
  FailureOr<Value> rescale(Operation *at, const Twin &t, double sOut, int64_t lo, int64_t hi,
                           StringRef suffix) {
    double ratio = t.q.scale[0] / sOut;
    auto rq = numerics::makeRequant({ratio});
    if (!rq)
      return fail(at, "the requantization ratio s_in / s_out (" + Twine(num(ratio)) +
                          ") is out of range");
    int64_t wMin = -(int64_t(1) << (width - 1)), wMax = (int64_t(1) << (width - 1)) - 1;
    return identityLayer(at, t.codes, t.lo, t.hi, *rq, suffix, [&](Value v) {
      return (lo > wMin || hi < wMax) ? clipCodes(at, v, lo, hi) : v;
    });
  }

  /// Applies the reshapes / transposes recorded between a layer and its
  /// quantizer to the layer's integer output.
  Value applyMoves(Value v, const Pending &p) {
    for (Operation *move : p.moves) {
      Operation *clone = b.clone(*move);
      clone->setOperand(0, v);
      auto elem = llvm::cast<ShapedType>(v.getType()).getElementType();
      clone->getResult(0).setType(
          RankedTensorType::get(llvm::cast<ShapedType>(move->getResult(0).getType()).getShape(),
                                elem));
      v = clone->getResult(0);
    }
    return v;
  }

  /// An element-wise function between two quantizers: nn.lut with the exact
  /// table over the input codes (numerics::affineTable), fused into the layer
  /// that produced the codes when nothing else reads them, else after an
  /// identity actor. Returns the output codes and sets r.lo / r.hi.
  FailureOr<Value> buildTable(nn::QuantizeLinearOp ql, const Pending &p, const Quant &out,
                              int64_t qmin, int64_t qmax, Twin &r) {
    Operation *fn = p.layer;
    Twin in = *asReal(fn->getOperand(0));
    std::function<double(double)> f;
    StringRef name;
    if (llvm::isa<nn::SigmoidOp>(fn))
      f = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
    else if (llvm::isa<nn::TanhOp>(fn))
      f = [](double x) { return std::tanh(x); };
    else if (auto l = llvm::dyn_cast<nn::LeakyReluOp>(fn)) {
      double a = double(float(l.getAlpha().convertToDouble()));
      f = [a](double x) { return x >= 0 ? x : double(float(a * x)); };
    } else if (auto e = llvm::dyn_cast<nn::EluOp>(fn)) {
      double a = e.getAlpha().convertToDouble();
      f = [a](double x) { return x >= 0 ? x : a * (std::exp(x) - 1.0); };
    } else {
      auto se = llvm::cast<nn::SeluOp>(fn);
      double a = se.getAlpha().convertToDouble(), g = se.getGamma().convertToDouble();
      f = [a, g](double x) { return g * (x > 0 ? x : a * (std::exp(x) - 1.0)); };
    }
    // A float Relu / Clip after the function is part of it.
    double lo = p.relu ? std::max(0.0, p.clipLo) : p.clipLo, hi = p.clipHi;
    auto g = [&](double x) { return std::min(std::max(double(float(f(x))), lo), hi); };
    std::vector<int64_t> table = numerics::affineTable(in.lo, in.hi, in.q.scale[0], g,
                                                       out.scale[0], out.zp[0], qmin, qmax);
    r.lo = *std::min_element(table.begin(), table.end());
    r.hi = *std::max_element(table.begin(), table.end());
    auto lut = [&](Value v) -> Value {
      auto op = b.create<nn::LutOp>(fn->getLoc(), v.getType(), v, b.getStringAttr("table"),
                                    b.getI64IntegerAttr(in.lo), b.getI64IntegerAttr(in.hi),
                                    b.getI64IntegerAttr(0),
                                    intAttr(ctx, {int64_t(table.size())}, width, table));
      copyName(fn, op);
      return op.getResult();
    };
    // Fuse into the producing layer when the float chain Q -> DQ -> f is the
    // codes' only reader; the table's domain clamp replaces the range clip.
    Value src = in.codes;
    Value fin = fn->getOperand(0);
    auto dl = fin.getDefiningOp<nn::DequantizeLinearOp>();
    bool alone = fin.hasOneUse() && dl && dl.getInput().hasOneUse();
    auto isLayer = [](Value v) {
      return v.getDefiningOp<nn::QDenseOp>() || v.getDefiningOp<nn::QConvOp>();
    };
    if (alone) {
      if (auto clip = src.getDefiningOp<nn::ClipOp>()) {
        if (src.use_empty() && isLayer(clip.getInput()) && clip.getInput().hasOneUse()) {
          // The clip is erased at the end: nothing else reads it.
          return lut(clip.getInput());
        }
      } else if (isLayer(src) && src.use_empty()) {
        return lut(src);
      }
    }
    numerics::Requant one;
    one.mult = {1};
    one.shift = 0;
    return identityLayer(ql, in.codes, in.lo, in.hi, one, "_table", lut);
  }

  void copyName(Operation *from, Operation *to) {
    for (StringRef name : {nn::kNodeNameAttr, nn::kOpTypeAttr})
      if (auto attr = from->getAttr(name))
        to->setAttr(name, attr);
  }

  /// Weights, biases and accumulator width of a dense / conv on input `in`.
  FailureOr<LayerInts> layerInts(Operation *layer, const Twin &in) {
    ElementsAttr wAttr, bAttr;
    std::optional<ArrayRef<double>> ws;
    if (auto d = llvm::dyn_cast<nn::DenseOp>(layer))
      wAttr = d.getWeight(), bAttr = d.getBias(), ws = d.getWeightScale();
    else if (auto c = llvm::dyn_cast<nn::ConvOp>(layer))
      wAttr = c.getWeight(), bAttr = c.getBias(), ws = c.getWeightScale();
    if (!ws)
      return fail(layer, "quantized layer needs quantized weights (no weight_scale)");
    LayerInts li;
    li.n = llvm::cast<ShapedType>(wAttr.getType()).getDimSize(0);
    std::vector<double> w = floatsOf(wAttr), bias = floatsOf(bAttr);
    int64_t k = int64_t(w.size()) / li.n;
    if (ws->size() != 1 && int64_t(ws->size()) != li.n)
      return fail(layer, "has " + Twine(ws->size()) + " weight scales for " + Twine(li.n) +
                             " outputs");
    // Padding (conv) feeds code 0, so the accumulator range covers it too.
    __int128 inLo = std::min<int64_t>(in.lo, 0), inHi = std::max<int64_t>(in.hi, 0);
    __int128 accLo = 0, accHi = 0;
    int64_t wMax = 0, wMin = 0;
    for (int64_t n = 0; n < li.n; ++n) {
      double s = (*ws)[ws->size() == 1 ? 0 : size_t(n)];
      if (!(s > 0) || !std::isfinite(s))
        return fail(layer, "weight scale " + Twine(num(s)) + " is not positive");
      li.accScale.push_back(in.q.scale[0] * s);
      int64_t bq = numerics::roundToInt64(bias[size_t(n)] / li.accScale.back());
      li.b.push_back(bq);
      __int128 lo = bq, hi = bq;
      for (int64_t i = 0; i < k; ++i) {
        int64_t wq = numerics::roundToInt64(w[size_t(n * k + i)] / s);
        li.w.push_back(wq);
        wMax = std::max(wMax, wq), wMin = std::min(wMin, wq);
        lo += wq > 0 ? wq * inLo : wq * inHi;
        hi += wq > 0 ? wq * inHi : wq * inLo;
      }
      accLo = std::min(accLo, lo), accHi = std::max(accHi, hi);
    }
    li.wWidth = widthOfRange(wMin, wMax);
    li.accWidth = widthOfRange(accLo, accHi);
    if (li.wWidth > 32 || li.accWidth > 62)
      return fail(layer, "weights or accumulator too wide (" + Twine(li.wWidth) + " / " +
                             Twine(li.accWidth) + " bits)");
    return li;
  }

  /// nn.qdense / nn.qconv with result type `outType`.
  Value buildLayer(Operation *layer, const Twin &in, const LayerInts &li, Type outType,
                   int64_t shift, ArrayRef<int64_t> mult) {
    ElementsAttr multAttr;
    if (llvm::any_of(mult, [](int64_t m) { return m != 1; })) {
      bool same = llvm::all_equal(mult);
      multAttr = intAttr(ctx, {same ? 1 : int64_t(mult.size())}, 64,
                         same ? mult.take_front(1) : mult);
    }
    Operation *op;
    if (auto d = llvm::dyn_cast<nn::DenseOp>(layer)) {
      auto wType = llvm::cast<ShapedType>(d.getWeight().getType());
      op = b.create<nn::QDenseOp>(layer->getLoc(), outType, in.codes,
                                  intAttr(ctx, wType.getShape(), li.wWidth, li.w),
                                  intAttr(ctx, {li.n}, 64, li.b), b.getI64IntegerAttr(shift),
                                  b.getI64IntegerAttr(li.accWidth), multAttr);
    } else {
      auto c = llvm::cast<nn::ConvOp>(layer);
      auto wType = llvm::cast<ShapedType>(c.getWeight().getType());
      op = b.create<nn::QConvOp>(layer->getLoc(), outType, in.codes,
                                 intAttr(ctx, wType.getShape(), li.wWidth, li.w),
                                 intAttr(ctx, {li.n}, 64, li.b), c.getStridesAttr(),
                                 c.getDilationsAttr(), c.getPadsAttr(), c.getGroupAttr(),
                                 b.getI64IntegerAttr(shift), b.getI64IntegerAttr(li.accWidth),
                                 multAttr);
    }
    copyName(layer, op);
    return op->getResult(0);
  }

  /// The requantization multiplier rounds half to even (CONTRACTS); a
  /// quantizer asking for another mode there would silently move results by
  /// one step, so it is refused.
  LogicalResult requireHalfEven(nn::QuantizeLinearOp ql) {
    if (ql.getBipolar() || ql.getRounding() == "half_even")
      return success();
    return fail(ql, "requantizes with rounding '" + ql.getRounding() +
                        "', but Loom's requantization rounds half to even (QONNX ROUND); "
                        "export this quantizer with rounding_mode ROUND");
  }

  /// A pending layer meets its output quantizer: integer layer with mult /
  /// shift, then the output range as a clip (CONTRACTS).
  LogicalResult requantize(nn::QuantizeLinearOp ql, const Pending &p, const Quant &out,
                           int64_t qmin, int64_t qmax) {
    Operation *layer = p.layer;
    if (out.perAxis())
      return fail(ql, "per-axis activation scales are only supported at the graph ends");
    if (failed(requireHalfEven(ql)))
      return failure();
    Type outType = intTensor(layer->getResult(0).getType(), width);
    double sOut = out.scale[0];
    Twin r;
    r.q = out;
    r.holdsQ = true;
    setRange(r, qmin, qmax);
    if (ql.getBipolar()) {
      // BipolarQuant: the sign of the unscaled accumulator (scales > 0).
      if (!llvm::isa<nn::DenseOp, nn::ConvOp>(layer) || p.relu || p.clipLo > -kInf ||
          p.clipHi < kInf)
        return fail(ql, "a bipolar quantizer must directly follow a dense or conv layer");
      Twin in = *asReal(layer->getOperand(0));
      auto li = layerInts(layer, in);
      if (failed(li))
        return failure();
      Value acc = buildLayer(layer, in, *li, outType, 0, {});
      r.codes = applyMoves(b.create<nn::SignOp>(ql.getLoc(), outType, acc), p);
      r.lo = -1, r.hi = 1;
      twins[ql.getResult()] = r;
      return success();
    }
    if (isTableFunction(layer)) {
      auto y = buildTable(ql, p, out, qmin, qmax, r);
      if (failed(y))
        return failure();
      r.codes = applyMoves(*y, p);
      twins[ql.getResult()] = r;
      return success();
    }
    if (p.relu)
      r.lo = std::max<int64_t>(r.lo, 0);
    if (p.clipLo > -kInf)
      r.lo = std::max(r.lo, numerics::roundToInt64(p.clipLo / sOut));
    if (p.clipHi < kInf)
      r.hi = std::min(r.hi, numerics::roundToInt64(p.clipHi / sOut));
    if (r.lo > r.hi)
      return fail(ql, "the output range is empty");
    Value y;
    if (auto add = llvm::dyn_cast<nn::AddActOp>(layer)) {
      Twin a = *asReal(add.getLhs()), c = *asReal(add.getRhs());
      auto rq = numerics::makeAddRequant(a.q.scale[0] / sOut, c.q.scale[0] / sOut);
      if (!rq)
        return fail(ql, "the scale ratios of the add (" + Twine(num(a.q.scale[0] / sOut)) + ", " +
                            Twine(num(c.q.scale[0] / sOut)) + ") are out of range");
      auto op = b.create<nn::AddActOp>(add.getLoc(), outType, a.codes, c.codes,
                                       b.getI64IntegerAttr(rq->mult[0]),
                                       b.getI64IntegerAttr(rq->mult[1]),
                                       b.getI64IntegerAttr(rq->shift));
      copyName(add, op);
      y = op.getResult();
    } else {
      Twin in = *asReal(layer->getOperand(0));
      auto li = layerInts(layer, in);
      if (failed(li))
        return failure();
      std::vector<double> ratios;
      for (double s : li->accScale)
        ratios.push_back(s / sOut);
      auto rq = numerics::makeRequant(ratios);
      if (!rq)
        return fail(ql, "the requantization ratio s_in * weight_scale / s_out (" +
                            Twine(num(ratios.front())) + ") is out of range");
      y = buildLayer(layer, in, *li, outType, rq->shift, rq->mult);
    }
    int64_t wMin = -(int64_t(1) << (width - 1)), wMax = (int64_t(1) << (width - 1)) - 1;
    r.codes = applyMoves((r.lo > wMin || r.hi < wMax) ? clipCodes(ql, y, r.lo, r.hi) : y, p);
    twins[ql.getResult()] = r;
    return success();
  }

  LogicalResult lowerRelu(Operation *op) {
    auto t = asReal(op->getOperand(0));
    if (!t)
      return fail(op, twins.count(op->getOperand(0))
                          ? "Relu of zero-point-shifted integers (dequantize first)"
                          : "its input is not quantized");
    auto relu = b.create<nn::ReluOp>(op->getLoc(), t->codes.getType(), t->codes);
    copyName(op, relu);
    Twin r = *t;
    r.codes = relu.getResult();
    r.lo = std::max<int64_t>(r.lo, 0), r.hi = std::max<int64_t>(r.hi, 0);
    twins[op->getResult(0)] = r;
    return success();
  }

  //===--- QONNX Trunc (CONTRACTS "Affine integer graphs": Trunc) --------===//

  /// Brevitas' TruncAvgPool export AveragePool(k) -> Mul(k*k) -> Trunc: the
  /// Trunc of the avg_pool's only user (a Mul by the window size), or null.
  nn::TruncOp truncAfterPool(nn::AvgPoolOp ap) {
    if (!ap->hasOneUse())
      return nullptr;
    Operation *mul = *ap->user_begin();
    if (!llvm::isa<nn::MulOp>(mul) || !mul->hasOneUse())
      return nullptr;
    return llvm::dyn_cast<nn::TruncOp>(*mul->user_begin());
  }

  /// Whether `mul` (nn.mul by a constant) multiplies every element by exactly k.
  static bool multipliesBy(Operation *mul, double k) {
    std::vector<double> c;
    if (auto m = llvm::dyn_cast<nn::MulOp>(mul))
      if (auto cst = m.getRhs().getDefiningOp<nn::ConstantOp>())
        c = floatsOf(cst.getValue());
    return !c.empty() && llvm::all_of(c, [&](double v) { return v == k; });
  }

  /// The input twin of a Trunc-like rescale whose codes are round(x / scale):
  /// x must be real-valued codes at that very scale (f32 equality).
  FailureOr<Twin> truncInput(nn::TruncOp tr, Value in) {
    auto t = asReal(in);
    if (!t)
      return fail(tr, twins.count(in) ? "truncates integers that were not dequantized"
                                      : "its input is not a quantized tensor");
    if (t->q.perAxis())
      return fail(tr, "per-axis activation scales are only supported at the graph ends");
    double s = tr.getScale().convertToDouble();
    if (float(s) != float(t->q.scale[0]))
      return fail(tr, "its scale " + Twine(num(s)) + " differs from its input's scale " +
                          Twine(num(t->q.scale[0])) +
                          "; Loom truncates codes only at their own scale");
    return *t;
  }

  /// Integer sum-and-shift pool y = rnd(sum / 2^shift) on t's codes and the
  /// Trunc's result twin; `lo`, `hi` bound one window's sum.
  LogicalResult buildTruncPool(nn::TruncOp tr, Operation *named, const Twin &t,
                               ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> pads, __int128 lo, __int128 hi) {
    auto mode = numerics::parseRounding(tr.getRounding());
    if (!mode)
      return fail(tr, "unknown rounding mode '" + tr.getRounding() + "'");
    double div = std::ldexp(1.0, int(tr.getShiftAttr().getInt()));
    // s / 2^shift is exact in double for |s| < 2^53 (rounding is monotone).
    int64_t yLo = int64_t(numerics::roundWith(double(lo) / div, *mode));
    int64_t yHi = int64_t(numerics::roundWith(double(hi) / div, *mode));
    int64_t qmin = tr.getQminAttr().getInt(), qmax = tr.getQmaxAttr().getInt();
    if (yLo < qmin || yHi > qmax)
      return fail(tr, "its output range [" + Twine(qmin) + ", " + Twine(qmax) +
                          "] clips the truncated codes [" + Twine(yLo) + ", " + Twine(yHi) +
                          "]; Loom's pool does not clamp (use a wider output bit width)");
    int64_t wMin = -(int64_t(1) << (width - 1)), wMax = (int64_t(1) << (width - 1)) - 1;
    if (yLo < wMin || yHi > wMax)
      return fail(tr, "the truncated codes [" + Twine(yLo) + ", " + Twine(yHi) +
                          "] do not fit the " + Twine(width) + "-bit activation width");
    auto pool = b.create<nn::AvgPoolOp>(
        tr.getLoc(), intTensor(tr.getType(), width), t.codes, b.getDenseI64ArrayAttr(kernel),
        b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(pads), b.getBoolAttr(true),
        b.getI64IntegerAttr(int64_t(div)), tr.getRoundingAttr());
    copyName(named, pool);
    Twin r;
    r.codes = pool.getResult();
    r.q.scale = {tr.getOutScale().convertToDouble()};
    r.q.zp = {0};
    r.lo = yLo, r.hi = yHi;
    twins[tr.getResult()] = r;
    return success();
  }

  /// avg_pool -> mul(k*k) -> trunc: the window's code sum shifted right. The
  /// float graph's avg * k*k / scale rounds back to that sum (QONNX rounds
  /// x / scale first), whatever the input's zero point (codes are centered).
  LogicalResult lowerTruncPool(nn::AvgPoolOp ap, nn::TruncOp tr) {
    Operation *mul = *ap->user_begin();
    auto t = truncInput(tr, ap.getInput());
    if (failed(t))
      return failure();
    int64_t kk = ap.getKernel()[0] * ap.getKernel()[1];
    bool padded = llvm::any_of(ap.getPads(), [](int64_t p) { return p != 0; });
    if (!multipliesBy(mul, double(kk)))
      return fail(mul, "an average pool before a Trunc must be multiplied by its window size " +
                           Twine(kk) + " (Brevitas TruncAvgPool)");
    if (padded && !ap.getCountIncludePad())
      return fail(ap, "a padded average pool before a Trunc must count the padding "
                      "(count_include_pad = 1), or the window sums are not integers");
    __int128 lo = padded ? std::min<int64_t>(t->lo, 0) : t->lo;
    __int128 hi = padded ? std::max<int64_t>(t->hi, 0) : t->hi;
    truncConsumed.insert(mul);
    truncConsumed.insert(tr);
    return buildTruncPool(tr, ap, *t, ap.getKernel(), ap.getStrides(), ap.getPads(), lo * kk,
                          hi * kk);
  }

  /// A Trunc on its own (after a quantizer): the codes shifted right, as a
  /// 1x1 sum-and-shift pool on a feature map.
  LogicalResult lowerTrunc(nn::TruncOp tr) {
    auto t = truncInput(tr, tr.getInput());
    if (failed(t))
      return failure();
    if (tr.getType().getRank() != 4)
      return fail(tr, "a Trunc that does not follow an average pool needs an NCHW feature map "
                      "(rank 4), got rank " + Twine(tr.getType().getRank()));
    int64_t one[2] = {1, 1}, zero[4] = {0, 0, 0, 0};
    return buildTruncPool(tr, tr, *t, one, one, zero, t->lo, t->hi);
  }

  /// Data movement and pooling keep scale and zero point (CONTRACTS).
  LogicalResult lowerMove(Operation *op) {
    auto it = twins.find(op->getOperand(0));
    if (it == twins.end())
      return fail(op, "its input is not quantized");
    Twin t = it->second;
    if (t.q.perAxis() && !llvm::isa<nn::IdentityOp>(op))
      return fail(op, "per-axis activation scales are only supported at the graph ends");
    // Padding and averaging treat code 0 as the real 0: not so for q with a
    // zero point (averaging itself commutes with the zero point).
    bool padded = llvm::isa<nn::PadOp>(op);
    if (auto ap = llvm::dyn_cast<nn::AvgPoolOp>(op))
      padded = llvm::any_of(ap.getPads(), [](int64_t p) { return p != 0; });
    if (padded && t.holdsQ && !t.q.zeroZp())
      return fail(op, "pads integers with a nonzero zero point (dequantize first)");
    Operation *clone;
    if (llvm::isa<nn::IdentityOp>(op)) {
      twins[op->getResult(0)] = t;
      return success();
    }
    clone = b.clone(*op);
    clone->setOperand(0, t.codes);
    clone->getResult(0).setType(intTensor(op->getResult(0).getType(), width));
    if (llvm::isa<nn::PadOp>(op)) {
      t.lo = std::min<int64_t>(t.lo, 0), t.hi = std::max<int64_t>(t.hi, 0);
    }
    t.codes = clone->getResult(0);
    twins[op->getResult(0)] = t;
    return success();
  }

  /// Concat of codes. Inputs in different quantizers are each requantized
  /// (identity actor) to the QuantizeLinear that reads the concat, as ONNX
  /// Runtime's Concat -> QuantizeLinear rounds each real value once.
  LogicalResult lowerConcat(nn::ConcatOp cat) {
    auto l = twins.find(cat.getLhs()), r = twins.find(cat.getRhs());
    if (l == twins.end() || r == twins.end())
      return fail(cat, "both inputs must be quantized");
    Twin a = l->second, c = r->second;
    // Real values at one scale concatenate as codes whatever the zero points.
    bool same = a.holdsQ == c.holdsQ && !a.q.perAxis() &&
                (a.holdsQ ? a.q == c.q : a.q.sameScale(c.q));
    if (!same) {
      nn::QuantizeLinearOp next;
      if (cat.getResult().hasOneUse())
        next = llvm::dyn_cast<nn::QuantizeLinearOp>(*cat.getResult().user_begin());
      auto ra = asReal(cat.getLhs()), rc = asReal(cat.getRhs());
      if (!next || next.getBipolar() || next.getScale().size() != 1 || !ra || !rc ||
          ra->q.perAxis() || rc->q.perAxis())
        return fail(cat, "its inputs have different quantizers and no per-tensor "
                         "QuantizeLinear reads the concat to requantize them to");
      Quant out = quantOf(next);
      Twin range;
      range.q = out;
      setRange(range, next.getQminAttr().getInt(), next.getQmaxAttr().getInt());
      for (auto [side, suffix] : {std::make_pair(&*ra, "_rq0"), std::make_pair(&*rc, "_rq1")}) {
        if (side->q.sameScale(out) && side->lo >= range.lo && side->hi <= range.hi)
          continue;
        auto codes = rescale(cat, *side, out.scale[0], range.lo, range.hi, suffix);
        if (failed(codes))
          return failure();
        side->codes = *codes;
        side->q = out;
        side->lo = range.lo, side->hi = range.hi;
      }
      a = *ra, c = *rc;
      a.q = c.q = out;
    }
    Operation *clone = b.clone(*cat);
    clone->setOperand(0, a.codes);
    clone->setOperand(1, c.codes);
    clone->getResult(0).setType(intTensor(cat.getType(), width));
    Twin t = a;
    t.codes = clone->getResult(0);
    t.lo = std::min(t.lo, c.lo), t.hi = std::max(t.hi, c.hi);
    twins[cat.getResult()] = t;
    return success();
  }

  /// -log2(s) when s is a power of two 2^-F with 0 <= F < width, else -1.
  int powerOfTwoFrac(double s) const {
    int e = 0;
    double m = std::frexp(s, &e);
    return m == 0.5 && 1 - e >= 0 && 1 - e < int(width) ? 1 - e : -1;
  }

  /// Softmax on codes: nn.qsoftmax. The exp table is built for the input's
  /// real scale (differences of codes do not depend on the zero point); the
  /// output frac F comes from the quantizer right after the softmax when it is
  /// 2^-F with zero point 0 (ONNX Runtime quantizes softmax outputs at 1/256),
  /// else from a power-of-two input scale with zero point 0 (kept; CONTRACTS).
  LogicalResult lowerSoftmax(nn::SoftmaxOp sm) {
    auto t = asReal(sm.getInput());
    if (!t)
      return fail(sm, "its input is not a dequantized tensor");
    if (t->q.perAxis())
      return fail(sm, "softmax needs one input scale, not one per channel");
    int fOut = -1;
    Value res = sm.getResult();
    if (res.hasOneUse())
      if (auto next = llvm::dyn_cast<nn::QuantizeLinearOp>(*res.getUsers().begin()))
        if (next.getScale().size() == 1 && next.getZeroPoint()[0] == 0 && !next.getBipolar())
          fOut = powerOfTwoFrac(next.getScale()[0]);
    if (fOut < 0 && t->q.zeroZp())
      fOut = powerOfTwoFrac(t->q.scale[0]);
    numerics::FixedFormat fmt;
    fmt.width = width;
    fmt.intBits = width - fOut;
    if (fOut < 0 || numerics::validateFixedFormat(fmt).operator bool())
      return fail(sm, "softmax needs a power-of-two output scale 2^-F with zero point 0 (its "
                      "QuantizeLinear, or its input's), got input scale " +
                          Twine(num(t->q.scale[0])));
    numerics::ExpTable table = numerics::makeExpTableForScale(t->q.scale[0], int(width));
    Type type = t->codes.getType();
    auto q = b.create<nn::QSoftmaxOp>(
        sm.getLoc(), type, t->codes, b.getI64IntegerAttr(fmt.frac()),
        b.getI64IntegerAttr(table.shift), b.getI64IntegerAttr(numerics::ExpTable::kFrac),
        intAttr(ctx, {table.depth()}, table.bits + 1, table.values));
    copyName(sm, q);
    Twin r = *t;
    r.codes = q.getResult();
    r.q.scale = {std::ldexp(1.0, -fOut)};
    r.q.zp = {0};
    r.lo = 0, r.hi = std::min<int64_t>(int64_t(1) << fmt.frac(), fmt.maxInt());
    twins[sm.getResult()] = r;
    return success();
  }

  /// Host dequantizers at the outputs: s * c, or c + zp when the graph returns
  /// the integers q; a returned layer without quantizer returns its
  /// accumulator at scale s_in * weight_scale.
  LogicalResult lowerReturn(func::ReturnOp ret) {
    for (OpOperand &operand : ret->getOpOperands()) {
      Value v = operand.get();
      Type floatType = v.getType();
      if (pending.count(v)) {
        auto acc = returnAccumulator(ret, pending.lookup(v));
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

  FailureOr<Value> returnAccumulator(func::ReturnOp ret, const Pending &p) {
    Operation *layer = p.layer;
    if (!llvm::isa<nn::DenseOp, nn::ConvOp>(layer) || p.clipLo > -kInf || p.clipHi < kInf)
      return fail(layer, "returned without a QuantizeLinear after it (only a dense or conv "
                         "layer, optionally with Relu, may end the graph unquantized)");
    Twin in = *asReal(layer->getOperand(0));
    auto li = layerInts(layer, in);
    if (failed(li))
      return failure();
    if (li->accWidth > 32)
      return fail(layer, "its accumulator (" + Twine(li->accWidth) +
                             " bits) is a graph output wider than 32 bits");
    Type accType = intTensor(layer->getResult(0).getType(), unsigned(li->accWidth));
    Value acc = buildLayer(layer, in, *li, accType, 0, {});
    if (p.relu)
      acc = b.create<nn::ReluOp>(layer->getLoc(), accType, acc);
    bool same = llvm::all_equal(li->accScale);
    if (!p.moves.empty() && !same)
      return fail(p.moves.front(), "moves a per-channel accumulator that is a graph output "
                                   "(quantize the layer's output first)");
    acc = applyMoves(acc, p);
    SmallVector<double> scale(li->accScale.begin(), same ? li->accScale.begin() + 1
                                                         : li->accScale.end());
    SmallVector<int64_t> zp(scale.size(), 0);
    Operation *last = p.moves.empty() ? layer : p.moves.back();
    auto dq = b.create<nn::DequantizeOp>(ret.getLoc(), last->getResult(0).getType(), acc,
                                         b.getI64IntegerAttr(0), b.getDenseF64ArrayAttr(scale),
                                         b.getDenseI64ArrayAttr(zp), b.getI64IntegerAttr(1),
                                         nullptr);
    return dq.getResult();
  }

  func::FuncOp func;
  MLIRContext *ctx;
  OpBuilder b;
  int width = 8; // W_A
  llvm::DenseMap<Value, Twin> twins;
  llvm::DenseMap<Value, Pending> pending;
  llvm::DenseMap<Value, nn::QuantizeLinearOp> argQuantizer;
  llvm::DenseSet<Operation *> truncConsumed; // the Mul and Trunc of a TruncAvgPool
};

} // namespace

LogicalResult loom::lowerAffineQuantization(func::FuncOp func) {
  return Lowering(func).run();
}
