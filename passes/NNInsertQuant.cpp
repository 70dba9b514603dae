//===- NNInsertQuant.cpp - post-training int8 quantization ----------------===//
//
// See the pass description in Passes.td. The float graph becomes a QDQ graph
// (what an int8 exporter would write), so nn-quantize lowers it with the same
// code as imported QDQ models (docs/CONTRACTS.md, "Affine integer graphs"):
//  - weights of dense / conv: per-output-channel symmetric int8, rounded onto
//    their grid here (weight_scale says which grid);
//  - activations: one quantizer (quantize_linear + dequantize_linear) per
//    "point": every graph input, and every dense / conv / add_act / mul_act
//    result after its Relu / Clip (so the activation narrows the range), and
//    every table activation's result (nn-quantize makes it an exact table
//    from the input codes to the output codes). A last dense / conv whose
//    result only leaves the graph (an LM's logits) gets int16 codes instead of
//    uint8. Pure
//    data movement (pool, reshape, ...) keeps its input's quantizer; concat
//    merges its inputs' quantizers into one (the union range), since the
//    integer concat cannot rescale.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/affine/AffineGraph.h"

#include "dialects/nn/NNAttrs.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <cmath>

namespace loom {
#define GEN_PASS_DEF_NNINSERTQUANT
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

using nn::kCalibAttr;
using nn::kPinAttr;

/// One activation quantizer: the value it follows and its calibration range.
/// Points merged by a concat share the root's parameters (union-find).
struct Point {
  Value value;
  double lo = 0, hi = 0;
  int parent = -1;      // -1: a root
  bool softmax = false; // feeds a softmax: power-of-two int16 scale, zp 0
  bool table = false;   // feeds a table activation (auto: at most table-bits)
  bool nonneg = false;  // never negative by construction (auto: unsigned)
  nn::FixedFormatAttr pin; // auto: the format the override file forces
  bool existing = false;   // the model's own quantizer (a mixed graph): none inserted
};

struct Params {
  double scale;
  int64_t zp, qmin, qmax;
  nn::FixedFormatAttr format; // auto only
};

/// The quantizer of a fixed-point format: scale 2^-F, zero point 0.
Params fixedParams(nn::FixedFormatAttr f) {
  int64_t w = f.getWidth();
  int64_t qmin = f.getIsSigned() ? -(int64_t(1) << (w - 1)) : 0;
  int64_t qmax = f.getIsSigned() ? (int64_t(1) << (w - 1)) - 1 : (int64_t(1) << w) - 1;
  return {std::ldexp(1.0, -f.getFrac()), 0, qmin, qmax, f};
}

/// --precision auto: the format of `bits` stream bits whose power-of-two
/// scale holds margin * max |x| (a never-negative value gets the unsigned
/// format of bits - 1 bits: the stream's sign bit is then always 0). A
/// softmax input keeps F <= bits - 2, so that its output (at the input's
/// scale) reaches 1.0.
Params autoParams(MLIRContext *ctx, double lo, double hi, int bits, double margin,
                  bool softmax, bool nonneg) {
  bool uns = nonneg && !softmax;
  double m = std::max(std::fabs(lo), std::fabs(hi)) * margin;
  if (!(m > 0))
    m = 1; // a constant-zero tensor: any scale works
  int64_t qmax = (int64_t(1) << (bits - 1)) - 1;
  int e = int(std::ceil(std::log2(m / double(qmax))));
  if (std::ldexp(double(qmax), e) < m) // log2 rounding
    ++e;
  if (softmax)
    e = std::max(e, -(bits - 2));
  int w = uns ? bits - 1 : bits;
  return fixedParams(nn::FixedFormatAttr::get(ctx, unsigned(w), w + e, !uns));
}

/// Weight scale of --precision auto: one power of two per layer, the smallest
/// that holds max |w| in `bits` signed bits (symmetric: -qmax .. qmax).
int weightExponent(ElementsAttr weight, int bits) {
  double m = 0;
  for (APFloat v : weight.getValues<APFloat>())
    m = std::max(m, std::fabs(v.convertToDouble()));
  if (!(m > 0))
    return 0;
  double qmax = double((int64_t(1) << (bits - 1)) - 1);
  int e = int(std::ceil(std::log2(m / qmax)));
  if (std::ldexp(qmax, e) < m)
    ++e;
  return e;
}

/// uint8 affine quantizer of [lo, hi]; the range always holds 0 so that zero
/// padding and Relu's lower bound are exact codes. The scale is rounded to
/// f32, the type ONNX (and the reference) compute x / scale in.
Params uint8Params(double lo, double hi) {
  lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  if (!(hi - lo > 0))
    hi = 1; // a constant-zero tensor: any scale works
  double s = double(float((hi - lo) / 255.0));
  int64_t zp = int64_t(std::nearbyint(-lo / s));
  return {s, std::clamp<int64_t>(zp, 0, 255), 0, 255};
}

/// Softmax input: 2^-f with the largest f that holds max |x| in int16, but
/// f <= 14: qsoftmax gives its output the input's scale, and the output
/// reaches 1.0 (2^14 in int16 at f = 14; at f = 15 it would saturate).
Params softmaxParams(double lo, double hi) {
  double m = std::max({std::fabs(lo), std::fabs(hi), 1e-30});
  int e = std::max(int(std::ceil(std::log2(m / 32767.0))), -14);
  return {std::ldexp(1.0, e), 0, -32768, 32767};
}

/// The int8-mode quantizer of a last layer (isGraphOutputLayer): symmetric
/// int16. Its codes leave the accelerator and keep their own width (nn-quantize),
/// so they need not be 8 bits; 8-bit codes of an LM's logits are 1/255 of their
/// range apart and turn near-ties into exact ties (argmax then picks the lowest
/// id). The scale is rounded to f32.
Params outputParams(double lo, double hi) {
  double m = std::max({std::fabs(lo), std::fabs(hi)});
  if (!(m > 0))
    m = 1; // a constant-zero tensor: any scale works
  return {double(float(m / 32767.0)), 0, -32768, 32767};
}

std::string nodeOf(Operation *op) {
  if (auto n = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr))
    return n.str();
  return op->getName().getStringRef().str();
}

std::string onnxOpOf(Operation *op) {
  if (auto n = op->getAttrOfType<StringAttr>(nn::kOpTypeAttr))
    return n.str();
  return op->getName().getStringRef().str();
}

/// Rounds every output channel's weights onto a symmetric int8 grid:
/// s = weightMargin * max |w| / 127 (all-zero channels: below), or the scales `fixed`
/// (--runtime-weights: another model's architecture), w := s * round_half_even(w / s).
/// A weight beyond +-127 steps of a fixed scale fails (the error names the tensor).
FailureOr<DenseF64ArrayAttr> quantizeWeights(Operation *op, ElementsAttr weight, Builder &b,
                                             DenseElementsAttr &rounded, int autoBits = 0,
                                             int autoExponent = 0, double weightMargin = 1,
                                             DenseF64ArrayAttr fixed = {}) {
  auto type = llvm::cast<ShapedType>(weight.getType());
  int64_t n = type.getDimSize(0), per = type.getNumElements() / n;
  std::vector<float> w;
  for (APFloat v : weight.getValues<APFloat>())
    w.push_back(v.convertToFloat());
  // auto: one power-of-two scale for the layer; int8: one per channel.
  double qmax = autoBits ? double((int64_t(1) << (autoBits - 1)) - 1) : 127.0;
  double layerScale = std::ldexp(1.0, autoBits ? autoExponent : 0);
  std::vector<double> scales(autoBits ? 1 : n, layerScale);
  if (fixed && int64_t(fixed.size()) != n) {
    op->emitError() << "--runtime-weights: " << nodeOf(op) << " has " << n
                    << " output channels, the architecture " << fixed.size();
    return failure();
  }
  // int8: each channel's largest |w|. An all-zero channel takes scale 1, or, when the
  // scales must hold other weight sets (weightMargin > 1: --runtime-weights), the layer's
  // widest: a fine-tune that gives it weights then has the layer's resolution, not steps of 1.
  std::vector<double> maxAbs(autoBits ? 0 : n, 0.0);
  double zeroScale = 1.0, widest = 0;
  for (int64_t o = 0; o < int64_t(maxAbs.size()); ++o) {
    for (int64_t k = 0; k < per; ++k)
      maxAbs[o] = std::max(maxAbs[o], double(std::fabs(w[o * per + k])));
    widest = std::max(widest, maxAbs[o]);
  }
  if (!fixed && weightMargin > 1 && widest > 0)
    zeroScale = double(float(weightMargin * widest / 127.0));
  for (int64_t o = 0; o < n; ++o) {
    double s = layerScale;
    if (!autoBits) {
      double m = maxAbs[o];
      s = m > 0 ? double(float(weightMargin * m / 127.0)) : zeroScale;
      if (fixed) {
        s = fixed[o];
        // codes round half to even: up to 127.5 steps still give +-127
        if (m > 127.5 * s) {
          auto [lo, hi] = std::minmax_element(w.begin() + o * per, w.begin() + (o + 1) * per);
          op->emitError() << "--runtime-weights: the weight tensor of node '" << nodeOf(op)
                          << "' has range [" << double(std::min(*lo, 0.0f)) << ", "
                          << double(std::max(*hi, 0.0f)) << "] in output channel " << o
                          << ", outside the int8 scale the architecture fixes (+-127 x " << s
                          << " = +-" << 127 * s << "); compile this model on its own";
          return failure();
        }
      }
      scales[o] = s;
    }
    for (int64_t k = 0; k < per; ++k) {
      double q = std::clamp(std::nearbyint(double(w[o * per + k]) / s), -qmax, qmax);
      w[o * per + k] = float(q * s);
    }
  }
  rounded = DenseElementsAttr::get(RankedTensorType::get(type.getShape(), b.getF32Type()),
                                   llvm::ArrayRef<float>(w));
  return b.getDenseF64ArrayAttr(scales);
}

struct Inserter {
  func::FuncOp func;
  bool autoMode = false;
  bool dryRun = false; // count the float points only (no ranges needed, nothing changed)
  int actBits = 12, weightBits = 12, tableBits = 12;
  double margin = 1.25, weightMargin = 1;

  std::string precisionName() const { return autoMode ? "auto" : "int8"; }
  std::vector<Point> points;
  llvm::DenseMap<Value, int> pointOf;

  int root(int p) {
    while (points[p].parent >= 0)
      p = points[p].parent;
    return p;
  }

  LogicalResult refuse(Operation *op) {
    return op->emitError() << "--precision " << precisionName() << ": op " << onnxOpOf(op)
                           << " (" << nodeOf(op) << ") is not supported; use --precision "
                           << "fixed<W,I>";
  }

  FailureOr<std::pair<double, double>> rangeOf(Value v) {
    if (dryRun)
      return std::make_pair(0.0, 0.0);
    DenseF64ArrayAttr r;
    if (auto arg = llvm::dyn_cast<BlockArgument>(v))
      r = func.getArgAttrOfType<DenseF64ArrayAttr>(arg.getArgNumber(), kCalibAttr);
    else
      r = v.getDefiningOp()->getAttrOfType<DenseF64ArrayAttr>(kCalibAttr);
    if (!r || r.size() != 2) {
      Operation *where = v.getDefiningOp() ? v.getDefiningOp() : func.getOperation();
      where->emitError() << "--precision " << precisionName() << ": no calibration range (loom.calib) for "
                         << (v.getDefiningOp() ? nodeOf(where) : std::string("a graph input"))
                         << "; the driver attaches them";
      return failure();
    }
    return std::make_pair(r[0], r[1]);
  }

  /// A value the model quantizes itself: every user is its quantizer, also
  /// behind reshapes / transposes (the importer's sequence reshape after a
  /// MatMul on [1, T, C]): the layer then requantizes straight to it.
  static bool quantizedByModel(Value v) {
    return !v.use_empty() && llvm::all_of(v.getUsers(), [](Operation *u) {
      return llvm::isa<nn::QuantizeLinearOp>(u) ||
             (u->hasTrait<nn::OpTrait::LayoutOnly>() && u->getNumResults() == 1 &&
              quantizedByModel(u->getResult(0)));
    });
  }

  /// The model's own quantized value (mixed graphs, auto only).
  void addExisting(Value v) {
    pointOf[v] = int(points.size());
    points.push_back(Point{v});
    points.back().existing = true;
  }

  /// The float points collect() found (what insert() quantizes).
  int floatPoints() const {
    return int(llvm::count_if(points, [](const Point &p) { return !p.existing; }));
  }

  LogicalResult addPoint(Value v) {
    // Mixed graphs: a value the model's own quantizer follows needs no other.
    if (autoMode && quantizedByModel(v))
      return success();
    auto range = rangeOf(v);
    if (failed(range))
      return failure();
    pointOf[v] = int(points.size());
    points.push_back(Point{v, range->first, range->second});
    points.back().nonneg = neverNegative(v);
    if (auto arg = llvm::dyn_cast<BlockArgument>(v))
      points.back().pin = func.getArgAttrOfType<nn::FixedFormatAttr>(arg.getArgNumber(), kPinAttr);
    else
      points.back().pin = v.getDefiningOp()->getAttrOfType<nn::FixedFormatAttr>(kPinAttr);
    return success();
  }

  /// Point of an operand; an operand outside every quantizer (a constant
  /// tensor) cannot be lowered to integers.
  FailureOr<int> operandPoint(Operation *op, Value v) {
    auto it = pointOf.find(v);
    if (it == pointOf.end()) {
      op->emitError() << "--precision " << precisionName() << ": op " << onnxOpOf(op) << " ("
                      << nodeOf(op)
                      << ") has a constant or unsupported operand; use --precision fixed<W,I>";
      return failure();
    }
    return it->second;
  }

  /// The value a layer's quantizer follows: its result, or the result of
  /// a Relu / Clip that is the result's only user.
  Value layerEnd(Operation *op, llvm::DenseSet<Operation *> &fused) {
    Value end = op->getResult(0);
    if (end.hasOneUse()) {
      Operation *user = *end.getUsers().begin();
      if (llvm::isa<nn::ReluOp, nn::ClipOp>(user)) {
        fused.insert(user);
        return user->getResult(0);
      }
    }
    return end;
  }

  /// Whether `v` (a point's value) is never negative whatever the input: a
  /// Relu, a Clip with min >= 0, or a table function that is >= 0 on a wide
  /// sample around its calibrated inputs (sigmoid, hard_sigmoid, ...).
  bool neverNegative(Value v) {
    Operation *op = v.getDefiningOp();
    if (!op)
      return false;
    if (llvm::isa<nn::ReluOp>(op))
      return true;
    if (auto clip = llvm::dyn_cast<nn::ClipOp>(op))
      return clip.getMinAttr().getValueAsDouble() >= 0;
    if (auto table = llvm::dyn_cast<nn::TableActivationOpInterface>(op)) {
      for (int i = 0; i <= 20000; ++i) {
        double x = -1e3 + 0.1 * i; // [-1000, 1000] in steps of 0.1
        if (!(table.evaluate(x) >= 0))
          return false;
      }
      return table.evaluate(-1e30) >= 0 && table.evaluate(1e30) >= 0;
    }
    return false;
  }

  LogicalResult collect() {
    for (BlockArgument arg : func.getArguments()) {
      // Token ids are addresses, not values: no quantizer (nn-quantize gives
      // them their unsigned word); the embedding's output gets one below.
      if (func.getArgAttr(arg.getArgNumber(), "loom.index_range"))
        continue;
      if (autoMode && func.getArgAttr(arg.getArgNumber(), "loom.int_range")) {
        addExisting(arg); // integer input data: quantized already
        continue;
      }
      if (failed(addPoint(arg)))
        return failure();
    }
    llvm::DenseSet<Operation *> fused;
    Builder b(func.getContext());
    for (Operation &opRef : func.getBody().front()) {
      Operation *op = &opRef;
      if (llvm::isa<func::ReturnOp, nn::ConstantOp>(op) || fused.count(op))
        continue;
      if (llvm::isa<nn::QuantizeLinearOp, nn::DequantizeLinearOp, nn::TruncOp>(op)) {
        if (!autoMode)
          return op->emitError() << "--precision " << precisionName()
                                 << ": the model is already quantized (node " << nodeOf(op)
                                 << "); compile it without --precision";
        // Mixed graphs (auto): the model's own quantizers stay; the float
        // tensors around them get formats.
        addExisting(op->getResult(0));
        continue;
      }
      if (auto layer = llvm::dyn_cast<nn::WeightedLayerOpInterface>(op)) {
        if (failed(operandPoint(op, op->getOperand(0))))
          return failure();
        if (layer.getWeightScale()) { // quantized weights (a mixed graph): kept
          // A quantized layer returned as it is (ConvInteger, a QONNX graph
          // ending in a layer) returns its exact accumulator: nothing float.
          auto in = operandPoint(op, op->getOperand(0));
          Value end = layerEnd(op, fused);
          if (points[root(*in)].existing && llvm::all_of(end.getUsers(), [](Operation *u) {
                return llvm::isa<func::ReturnOp>(u);
              })) {
            addExisting(end);
            continue;
          }
          if (failed(addPoint(end)))
            return failure();
          continue;
        }
        if (dryRun) {
          if (failed(addPoint(layerEnd(op, fused))))
            return failure();
          continue;
        }
        DenseElementsAttr rounded;
        int e = autoMode ? weightExponent(layer.getWeight(), weightBits) : 0;
        auto scales = quantizeWeights(op, layer.getWeight(), b, rounded, autoMode ? weightBits : 0,
                                      e, weightMargin,
                                      op->getAttrOfType<DenseF64ArrayAttr>(nn::kRtWeightScaleAttr));
        if (failed(scales))
          return failure();
        op->removeAttr(nn::kRtWeightScaleAttr);
        layer.setWeightScaleAttr(*scales);
        if (autoMode) {
          op->setAttr(nn::kWeightFormatAttr,
                      nn::FixedFormatAttr::get(b.getContext(), unsigned(weightBits),
                                               weightBits + e, true));
        }
        layer.setWeightAttr(rounded);
        op->setAttr(nn::kBiasOnGridAttr, b.getUnitAttr());
        if (failed(addPoint(layerEnd(op, fused))))
          return failure();
        continue;
      }
      // A join rescales its inputs; a table activation maps input codes to
      // output codes; a LayerNorm rescales each row, an attention each row and
      // head: all get a quantizer of their own.
      // A LayerNorm requantizes too (its own integer rescale, CONTRACTS).
      if (op->hasTrait<nn::OpTrait::ElementwiseJoin>() ||
          llvm::isa<nn::TableActivationOpInterface, nn::LayerNormOp, nn::AttentionOp,
                    nn::RotaryOp>(op)) {
        for (Value v : op->getOperands()) {
          auto p = operandPoint(op, v);
          if (failed(p))
            return failure();
          if (llvm::isa<nn::TableActivationOpInterface>(op))
            points[root(*p)].table = true;
        }
        if (failed(addPoint(layerEnd(op, fused))))
          return failure();
        continue;
      }
      // A table lookup: its rows become codes of its output's quantizer.
      if (llvm::isa<nn::EmbedOp>(op)) {
        if (failed(addPoint(layerEnd(op, fused))))
          return failure();
        continue;
      }
      // Data movement (and Relu on codes, max(c, 0)) keeps the quantizer.
      if (op->hasTrait<nn::OpTrait::LayoutOnly>() ||
          op->hasTrait<nn::OpTrait::FormatPreserving>() ||
          llvm::isa<nn::ReluOp, nn::SoftmaxOp>(op)) {
        // Moves between a layer and the model's own quantizer (quantizedByModel).
        if (autoMode && !pointOf.count(op->getOperand(0)) && op->getNumResults() == 1 &&
            op->hasTrait<nn::OpTrait::LayoutOnly>() && quantizedByModel(op->getResult(0)))
          continue;
        auto p = operandPoint(op, op->getOperand(0));
        if (failed(p))
          return failure();
        if (llvm::isa<nn::SoftmaxOp>(op))
          points[root(*p)].softmax = true;
        pointOf[op->getResult(0)] = *p;
        continue;
      }
      if (auto cat = llvm::dyn_cast<nn::ConcatOp>(op)) {
        auto l = operandPoint(op, cat.getLhs()), r = operandPoint(op, cat.getRhs());
        if (failed(l) || failed(r))
          return failure();
        int a = root(*l), c = root(*r);
        if (a != c && points[a].existing != points[c].existing)
          return op->emitError() << "--precision auto: concat " << nodeOf(op)
                                 << " joins a quantized and a float tensor; quantize both "
                                    "in the model or neither";
        if (a != c) {
          points[c].parent = a;
          points[a].lo = std::min(points[a].lo, points[c].lo);
          points[a].hi = std::max(points[a].hi, points[c].hi);
          points[a].softmax |= points[c].softmax;
          points[a].table |= points[c].table;
          points[a].nonneg &= points[c].nonneg;
          if (!points[a].pin)
            points[a].pin = points[c].pin;
        }
        pointOf[op->getResult(0)] = a;
        continue;
      }
      return refuse(op);
    }
    return success();
  }

  void insert() {
    OpBuilder b(func.getContext());
    for (Point &p : points) {
      const Point &r = points[root(int(&p - points.data()))];
      if (r.existing)
        continue;
      Params q;
      if (autoMode && r.pin)
        q = fixedParams(r.pin);
      else if (autoMode)
        q = autoParams(func.getContext(), r.lo, r.hi, r.table ? std::min(actBits, tableBits) : actBits,
                       margin, r.softmax, r.nonneg);
      else if (r.softmax)
        q = softmaxParams(r.lo, r.hi);
      else if (&p == &r && affine::isGraphOutputLayer(p.value))
        q = outputParams(r.lo, r.hi);
      else
        q = uint8Params(r.lo, r.hi);
      Value v = p.value;
      if (auto arg = llvm::dyn_cast<BlockArgument>(v))
        b.setInsertionPointToStart(arg.getOwner());
      else
        b.setInsertionPointAfter(v.getDefiningOp());
      Location loc = v.getLoc();
      auto quant = b.create<nn::QuantizeLinearOp>(
          loc, v.getType(), v, b.getDenseF64ArrayAttr({q.scale}), b.getDenseI64ArrayAttr({q.zp}),
          b.getI64IntegerAttr(1), b.getI64IntegerAttr(q.qmin), b.getI64IntegerAttr(q.qmax),
          b.getStringAttr("half_even"), UnitAttr());
      if (q.format)
        quant->setAttr(nn::kFormatAttr, q.format);
      auto deq = b.create<nn::DequantizeLinearOp>(
          loc, v.getType(), quant.getResult(), b.getDenseF64ArrayAttr({q.scale}),
          b.getDenseI64ArrayAttr({q.zp}), b.getI64IntegerAttr(1));
      v.replaceAllUsesExcept(deq.getResult(), quant.getOperation());
    }
  }
};

} // namespace

FailureOr<int> loom::floatTensorsToQuantize(func::FuncOp func) {
  Inserter ins;
  ins.func = func;
  ins.autoMode = true;
  ins.dryRun = true;
  if (failed(ins.collect()))
    return failure();
  return ins.floatPoints();
}

namespace {

struct NNInsertQuantPass : loom::impl::NNInsertQuantBase<NNInsertQuantPass> {
  using NNInsertQuantBase::NNInsertQuantBase;
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      Inserter ins;
      ins.func = func;
      ins.autoMode = mode == "auto";
      if (!ins.autoMode && mode != "int8") {
        func.emitError() << "nn-insert-quant: mode '" << mode << "' is neither int8 nor auto";
        return signalPassFailure();
      }
      if (actBits < 3 || actBits > 24 || weightBits < 2 || weightBits > 24 || tableBits < 3 ||
          !(margin >= 1) || !(weightMargin >= 1)) {
        func.emitError() << "nn-insert-quant: act-bits and table-bits must be in [3, 24], "
                            "weight-bits in [2, 24], margin and weight-margin >= 1";
        return signalPassFailure();
      }
      ins.actBits = actBits, ins.weightBits = weightBits, ins.tableBits = tableBits;
      ins.margin = margin, ins.weightMargin = weightMargin;
      if (failed(ins.collect()))
        return signalPassFailure();
      ins.insert();
      // The ranges have served their purpose; the QDQ pairs now carry them.
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.removeArgAttr(i, kCalibAttr);
      func.walk([](Operation *op) {
        op->removeAttr(kCalibAttr);
        op->removeAttr(kPinAttr);
      });
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.removeArgAttr(i, kPinAttr);
    }
  }
};

} // namespace
