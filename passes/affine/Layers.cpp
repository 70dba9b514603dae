//===- Layers.cpp - dense, conv and add_act meet their quantizer ------------===//
//
// See AffineGraph.h and docs/CONTRACTS.md "Affine integer graphs".
//
//===----------------------------------------------------------------------===//
#include "passes/affine/AffineGraph.h"

#include "dialects/nn/NNAttrs.h"

#include <cmath>

namespace loom::affine {

/// Whether a bias of x accumulator steps is a whole number of them, up to the
/// f32 rounding of a bias that an exporter stored as int32 code * f32 scale.
static bool wholeSteps(double x) {
  return std::fabs(x - std::nearbyint(x)) <= std::max(1e-9, std::fabs(x) * 0x1p-21);
}

/// --runtime-weights (int8, docs/CONTRACTS.md "Weight-load stream"): widths that hold any
/// weight set of the architecture. Weight codes are int8 whatever these weights need, and the
/// accumulator is sized for K weights of -128 or 127 over the input's code range plus a bias
/// of rtBiasBits bits: the layer's kRtBiasBitsAttr (the architecture's, recorded in
/// layout.json), or this model's widest bias code with one bit to spare. A bias code
/// beyond the recorded width is refused, naming the tensor.
static LogicalResult fixedForAnyWeights(AffineGraph &g, Operation *op, const Twin &in, int64_t k,
                                        LayerInts &li) {
  int64_t bLo = li.b.empty() ? 0 : li.b.front(), bHi = bLo;
  for (int64_t v : li.b)
    bLo = std::min(bLo, v), bHi = std::max(bHi, v);
  int64_t own = widthOfRange(std::min<int64_t>(bLo, 0), std::max<int64_t>(bHi, 0));
  if (auto fixed = op->getAttrOfType<IntegerAttr>(nn::kRtBiasBitsAttr)) {
    li.rtBiasBits = fixed.getInt();
    if (own > li.rtBiasBits)
      return g.fail(op, "--runtime-weights: the bias tensor's codes span [" + Twine(bLo) + ", " +
                            Twine(bHi) + "], wider than the " + Twine(li.rtBiasBits) +
                            " bits the architecture fixes; compile this model on its own");
  } else {
    li.rtBiasBits = std::min<int64_t>(own + 1, 62);
  }
  li.wWidth = std::max(li.wWidth, 8);
  __int128 inLo = std::min<int64_t>(in.lo, 0), inHi = std::max<int64_t>(in.hi, 0);
  __int128 pLo = std::min(-128 * inHi, 127 * inLo), pHi = std::max(127 * inHi, -128 * inLo);
  __int128 half = __int128(1) << (li.rtBiasBits - 1);
  li.accWidth = std::max<int64_t>(li.accWidth, widthOfRange(pLo * k - half, pHi * k + half - 1));
  return success();
}

/// Weights, biases and accumulator width of a dense / conv on input `in`.
/// The accumulator's bias is round(bias steps), or floor for a sign output:
/// acc + x >= 0 exactly when acc + floor(x) >= 0 (acc is an integer).
static FailureOr<LayerInts> layerInts(AffineGraph &g, Operation *op, const Twin &in,
                                      bool floorBias = false) {
  auto layer = llvm::cast<nn::WeightedLayerOpInterface>(op);
  ElementsAttr wAttr = layer.getWeight(), bAttr = layer.getBias();
  std::optional<ArrayRef<double>> ws = layer.getWeightScale();
  if (!ws)
    return g.fail(layer, "quantized layer needs quantized weights (no weight_scale)");
  LayerInts li;
  li.n = llvm::cast<ShapedType>(wAttr.getType()).getDimSize(0);
  bool onGrid = op->hasAttr(nn::kBiasOnGridAttr);
  std::vector<double> w = floatsOf(wAttr), bias = floatsOf(bAttr);
  int64_t k = int64_t(w.size()) / li.n;
  if (ws->size() != 1 && int64_t(ws->size()) != li.n)
    return g.fail(layer,
                  "has " + Twine(ws->size()) + " weight scales for " + Twine(li.n) + " outputs");
  // Padding (conv) feeds code 0, so the accumulator range covers it too.
  __int128 inLo = std::min<int64_t>(in.lo, 0), inHi = std::max<int64_t>(in.hi, 0);
  __int128 accLo = 0, accHi = 0;
  int64_t wMax = 0, wMin = 0;
  for (int64_t n = 0; n < li.n; ++n) {
    double s = (*ws)[ws->size() == 1 ? 0 : size_t(n)];
    if (!(s > 0) || !std::isfinite(s))
      return g.fail(layer, "weight scale " + Twine(num(s)) + " is not positive");
    li.accScale.push_back(in.q.scale[0] * s);
    double steps = bias[size_t(n)] / li.accScale.back();
    bool whole = onGrid || wholeSteps(steps);
    li.biasSteps.push_back(steps);
    li.fractionalBias |= !whole;
    int64_t bq = numerics::roundToInt64(floorBias && !whole ? std::floor(steps) : steps);
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
  if (g.func->hasAttr(nn::kRuntimeWeightsAttr) && failed(fixedForAnyWeights(g, op, in, k, li)))
    return failure();
  if (li.wWidth > 32 || li.accWidth > 62)
    return g.fail(layer, "weights or accumulator too wide (" + Twine(li.wWidth) + " / " +
                             Twine(li.accWidth) + " bits)");
  return li;
}

/// nn.qdense / nn.qconv with result type `outType`.
static Value buildLayer(AffineGraph &g, Operation *layer, const Twin &in, const LayerInts &li,
                        Type outType, int64_t shift, ArrayRef<int64_t> mult,
                        ArrayRef<int64_t> postBias = {}) {
  ElementsAttr multAttr, postBiasAttr;
  if (llvm::any_of(mult, [](int64_t m) { return m != 1; })) {
    bool same = llvm::all_equal(mult);
    multAttr =
        intAttr(g.ctx, {same ? 1 : int64_t(mult.size())}, 64, same ? mult.take_front(1) : mult);
  }
  if (llvm::any_of(postBias, [](int64_t v) { return v != 0; }))
    postBiasAttr = intAttr(g.ctx, {li.n}, 64, postBias);
  Operation *op;
  if (auto d = llvm::dyn_cast<nn::DenseOp>(layer)) {
    auto wType = llvm::cast<ShapedType>(d.getWeight().getType());
    op = g.b.create<nn::QDenseOp>(layer->getLoc(), outType, in.codes,
                                  intAttr(g.ctx, wType.getShape(), li.wWidth, li.w),
                                  intAttr(g.ctx, {li.n}, 64, li.b), g.b.getI64IntegerAttr(shift),
                                  g.b.getI64IntegerAttr(li.accWidth), multAttr, postBiasAttr);
  } else {
    auto c = llvm::cast<nn::ConvOp>(layer);
    auto wType = llvm::cast<ShapedType>(c.getWeight().getType());
    op = g.b.create<nn::QConvOp>(
        layer->getLoc(), outType, in.codes, intAttr(g.ctx, wType.getShape(), li.wWidth, li.w),
        intAttr(g.ctx, {li.n}, 64, li.b), c.getStridesAttr(), c.getDilationsAttr(), c.getPadsAttr(),
        c.getGroupAttr(), g.b.getI64IntegerAttr(shift), g.b.getI64IntegerAttr(li.accWidth),
        multAttr, postBiasAttr);
  }
  if (li.rtBiasBits > 0) // what layout.json records for the architecture
    op->setAttr(nn::kRtBiasBitsAttr, g.b.getI64IntegerAttr(li.rtBiasBits));
  g.copyName(layer, op);
  return op->getResult(0);
}

LogicalResult requireHalfEven(AffineGraph &g, nn::QuantizeLinearOp ql) {
  if (ql.getBipolar() || ql.getRounding() == "half_even")
    return success();
  return g.fail(ql, "requantizes with rounding '" + ql.getRounding() +
                        "', but Loom's requantization rounds half to even (QONNX ROUND); "
                        "export this quantizer with rounding_mode ROUND");
}

LogicalResult requantize(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                         const Quant &out, int64_t qmin, int64_t qmax) {
  Operation *layer = p.layer;
  if (out.perAxis())
    return g.fail(ql, "per-axis activation scales are only supported at the graph ends");
  if (failed(requireHalfEven(g, ql)))
    return failure();
  // A last layer's codes only leave the graph: their own width (chooseWidth).
  int64_t width = g.width;
  if (quantizesGraphOutputLayer(ql) && !ql.getBipolar())
    width = std::max<int64_t>(width, widthOfRange(qmin - out.zp[0], qmax - out.zp[0]));
  Type outType = intTensor(layer->getResult(0).getType(), width);
  double sOut = out.scale[0];
  Twin r;
  r.q = out;
  r.holdsQ = true;
  g.setRange(r, qmin, qmax);
  if (ql.getBipolar()) {
    // BipolarQuant: the sign of the unscaled accumulator (scales > 0).
    if (!llvm::isa<nn::WeightedLayerOpInterface>(layer) || p.relu || p.clipLo > -kInf ||
        p.clipHi < kInf)
      return g.fail(ql, "a bipolar quantizer must directly follow a dense or conv layer");
    Twin in = *g.asReal(layer->getOperand(0));
    auto li = layerInts(g, layer, in, /*floorBias=*/true);
    if (failed(li))
      return failure();
    Value acc = buildLayer(g, layer, in, *li, outType, 0, {});
    r.codes = applyMoves(g, g.b.create<nn::SignOp>(ql.getLoc(), outType, acc), p);
    r.lo = -1, r.hi = 1;
    g.twins[ql.getResult()] = r;
    return success();
  }
  if (llvm::isa<nn::LayerNormOp>(layer))
    return lowerLayerNorm(g, ql, p, out, qmin, qmax);
  if (llvm::isa<nn::EmbedOp>(layer))
    return lowerEmbed(g, ql, p, out, qmin, qmax);
  if (llvm::isa<nn::AttentionOp>(layer))
    return lowerAttention(g, ql, p, out, qmin, qmax);
  if (llvm::isa<nn::RotaryOp>(layer))
    return lowerRotary(g, ql, p, out, qmin, qmax);
  if (isTableFunction(layer)) {
    auto y = buildTable(g, ql, p, out, qmin, qmax, r);
    if (failed(y))
      return failure();
    r.codes = applyMoves(g, *y, p);
    g.twins[ql.getResult()] = r;
    return success();
  }
  if (!p.clampCodes(r.lo, r.hi, sOut))
    return g.fail(ql, "the output range is empty");
  Value y;
  if (auto add = llvm::dyn_cast<nn::AddActOp>(layer)) {
    Twin a = *g.asReal(add.getLhs()), c = *g.asReal(add.getRhs());
    auto rq = numerics::makeAddRequant(a.q.scale[0] / sOut, c.q.scale[0] / sOut);
    if (!rq)
      return g.fail(ql, "the scale ratios of the add (" + Twine(num(a.q.scale[0] / sOut)) + ", " +
                            Twine(num(c.q.scale[0] / sOut)) + ") are out of range");
    auto op = g.b.create<nn::AddActOp>(
        add.getLoc(), outType, a.codes, c.codes, g.b.getI64IntegerAttr(rq->mult[0]),
        g.b.getI64IntegerAttr(rq->mult[1]), g.b.getI64IntegerAttr(rq->shift));
    g.copyName(add, op);
    y = op.getResult();
  } else if (auto mul = llvm::dyn_cast<nn::MulActOp>(layer)) {
    // c_out = round(c_a * c_b * s_a * s_b / s_out): one exact product, one requantization.
    Twin a = *g.asReal(mul.getLhs()), c = *g.asReal(mul.getRhs());
    double ratio = a.q.scale[0] * c.q.scale[0] / sOut;
    auto rq = numerics::makeRequant({ratio});
    if (!rq)
      return g.fail(ql, "the scale ratio of the product s_a * s_b / s_out (" + Twine(num(ratio)) +
                            ") is out of range");
    auto op = g.b.create<nn::MulActOp>(mul.getLoc(), outType, a.codes, c.codes,
                                       g.b.getI64IntegerAttr(rq->shift),
                                       g.b.getI64IntegerAttr(rq->mult[0]));
    g.copyName(mul, op);
    y = op.getResult();
  } else {
    Twin in = *g.asReal(layer->getOperand(0));
    auto li = layerInts(g, layer, in);
    if (failed(li))
      return failure();
    std::vector<double> ratios;
    for (double s : li->accScale)
      ratios.push_back(s / sOut);
    auto rq = numerics::makeRequant(ratios, /*fine=*/li->fractionalBias);
    if (!rq)
      return g.fail(ql, "the requantization ratio s_in * weight_scale / s_out (" +
                            Twine(num(ratios.front())) + ") is out of range");
    // A fractional bias (a folded float BatchNormalization) is added after
    // the multiply at 2^-S output steps, so the output integer is the float
    // graph's: (acc + b) * M + B ~ (acc + steps) * ratio * 2^S, B taking the
    // fraction and M's rounding error on b.
    std::vector<int64_t> postBias;
    if (li->fractionalBias)
      for (int64_t n = 0; n < li->n; ++n) {
        double r2s = std::ldexp(ratios[size_t(n)], int(rq->shift));
        int64_t b = li->b[size_t(n)], m = rq->mult[size_t(n)];
        postBias.push_back(numerics::roundToInt64((li->biasSteps[size_t(n)] - double(b)) * r2s +
                                                  double(b) * (r2s - double(m))));
      }
    y = buildLayer(g, layer, in, *li, outType, rq->shift, rq->mult, postBias);
  }
  int64_t wMin = g.codeMin(), wMax = g.codeMax();
  r.codes = applyMoves(g, (r.lo > wMin || r.hi < wMax) ? g.clipCodes(ql, y, r.lo, r.hi) : y, p);
  g.twins[ql.getResult()] = r;
  return success();
}

FailureOr<Value> returnAccumulator(AffineGraph &g, func::ReturnOp ret, const Pending &p) {
  Operation *layer = p.layer;
  if (!llvm::isa<nn::WeightedLayerOpInterface>(layer) || p.clipLo > -kInf || p.clipHi < kInf)
    return g.fail(layer, "returned without a QuantizeLinear after it (only a dense or conv "
                         "layer, optionally with Relu, may end the graph unquantized)");
  Twin in = *g.asReal(layer->getOperand(0));
  auto li = layerInts(g, layer, in);
  if (failed(li))
    return failure();
  if (li->accWidth > 32)
    return g.fail(layer, "its accumulator (" + Twine(li->accWidth) +
                             " bits) is a graph output wider than 32 bits");
  Type accType = intTensor(layer->getResult(0).getType(), unsigned(li->accWidth));
  Value acc = buildLayer(g, layer, in, *li, accType, 0, {});
  if (p.relu)
    acc = g.b.create<nn::ReluOp>(layer->getLoc(), accType, acc);
  bool same = llvm::all_equal(li->accScale);
  if (!p.moves.empty() && !same)
    return g.fail(p.moves.front(), "moves a per-channel accumulator that is a graph output "
                                   "(quantize the layer's output first)");
  acc = applyMoves(g, acc, p);
  SmallVector<double> scale(li->accScale.begin(),
                            same ? li->accScale.begin() + 1 : li->accScale.end());
  SmallVector<int64_t> zp(scale.size(), 0);
  Operation *last = p.moves.empty() ? layer : p.moves.back();
  auto dq =
      g.b.create<nn::DequantizeOp>(ret.getLoc(), last->getResult(0).getType(), acc,
                                   g.b.getI64IntegerAttr(0), g.b.getDenseF64ArrayAttr(scale),
                                   g.b.getDenseI64ArrayAttr(zp), g.b.getI64IntegerAttr(1), nullptr);
  return dq.getResult();
}

} // namespace loom::affine
