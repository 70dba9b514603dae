//===- NNNormalize.cpp - canonical float nn graph -------------------------===//
//
// Exporters spell one dense layer many ways (Gemm; MatMul + Add; Gemm +
// BatchNormalization; with Identity/Dropout/Flatten around). The importer maps
// each ONNX op one to one; this pass folds them into one nn.dense so the
// quantizer and the lowering see a single form. Likewise for convs (bias Add,
// BatchNorm, Pad), per-channel maps after an activation (into the next layer)
// and the transposes exporters put around channels-last ops.
//
//===----------------------------------------------------------------------===//
#include "passes/NNQuantizeAffine.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <optional>

namespace loom {
#define GEN_PASS_DEF_NNNORMALIZE
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

std::vector<float> floats(ElementsAttr attr) {
  std::vector<float> out;
  for (APFloat v : attr.getValues<APFloat>())
    out.push_back(v.convertToFloat());
  return out;
}

DenseElementsAttr floatAttr(ShapedType type, ArrayRef<float> values) {
  return DenseElementsAttr::get(RankedTensorType::get(type.getShape(), type.getElementType()),
                                values);
}

/// Quantized weights (weight_scale set) stay integer multiples of their
/// scale when a row is multiplied by g: the scale becomes ws * |g| and a
/// negative g negates the row's integers. Brevitas/QONNX exports put a float
/// BatchNormalization between a quantized conv and its activation quantizer.
template <typename LayerOp> void scaleWeightScale(LayerOp layer, ArrayRef<float> rowScale) {
  auto ws = layer.getWeightScale();
  if (!ws)
    return;
  SmallVector<double> scaled;
  for (size_t o = 0; o < rowScale.size(); ++o) {
    double s = ws->size() == 1 ? (*ws)[0] : (*ws)[o];
    double g = std::fabs(double(rowScale[o]));
    scaled.push_back(g > 0 && std::isfinite(g) ? s * g : s); // a zero row fits any scale
  }
  layer.setWeightScaleAttr(DenseF64ArrayAttr::get(layer.getContext(), scaled));
}

/// The dense layer that computes `v`: v itself, or v = reshape(dense) that only
/// regroups the rows ([T, N] -> [1, T, N]: MatMul on [1, T, K] imports as reshape,
/// dense, reshape), so a per-feature constant applied to v applies to the dense
/// layer's output features. The layer and the reshape must have no other use.
nn::DenseOp denseOfRows(Value v) {
  if (auto dense = v.getDefiningOp<nn::DenseOp>())
    return dense->hasOneUse() ? dense : nn::DenseOp();
  auto reshape = v.getDefiningOp<nn::ReshapeOp>();
  if (!reshape || !reshape->hasOneUse())
    return {};
  auto dense = reshape.getInput().getDefiningOp<nn::DenseOp>();
  auto inT = llvm::cast<ShapedType>(reshape.getInput().getType());
  auto outT = llvm::cast<ShapedType>(reshape.getType());
  if (!dense || !dense->hasOneUse() || inT.getRank() < 1 || outT.getRank() < 1 ||
      inT.getShape().back() != outT.getShape().back())
    return {};
  return dense;
}

/// dense(x) + c  ->  dense(x) with bias + c, when c holds one value per output
/// feature ([N], [1, N]) or a single value.
struct FoldBiasAdd : OpRewritePattern<nn::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AddOp add, PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      Value denseVal = add->getOperand(side), constVal = add->getOperand(1 - side);
      auto dense = denseOfRows(denseVal);
      auto cst = constVal.getDefiningOp<nn::ConstantOp>();
      if (!dense || !cst)
        continue;
      if (add.getType() != denseVal.getType())
        continue; // the constant would broadcast the result to a new shape
      // Only a per-feature constant is a bias: every dimension but the last
      // must be 1 ([N], [1, N], [1], [1, 1]). The element count alone is not
      // enough: with a batch of N rows a [N, 1] constant is one value per row.
      auto cstShape = llvm::cast<ShapedType>(cst.getType()).getShape();
      if (!cstShape.empty() && llvm::any_of(cstShape.drop_back(), [](int64_t d) { return d != 1; }))
        continue;
      std::vector<float> bias = floats(dense.getBias());
      std::vector<float> c = floats(cst.getValue());
      int64_t n = bias.size();
      if (c.size() != 1 && int64_t(c.size()) != n)
        continue;
      for (int64_t i = 0; i < n; ++i)
        bias[i] += c.size() == 1 ? c[0] : c[i];
      rewriter.modifyOpInPlace(dense, [&] {
        dense.setBiasAttr(floatAttr(llvm::cast<ShapedType>(dense.getBias().getType()), bias));
      });
      rewriter.replaceOp(add, denseVal);
      return success();
    }
    return failure();
  }
};

/// dense(x) * c  ->  dense(x) with rows of weight and bias scaled by c, when
/// c holds one value per output feature or a single value (exporters spell a
/// Keras BatchNormalization as Mul + Add; Div by a constant arrives as Mul).
struct FoldScaleMul : OpRewritePattern<nn::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MulOp mul, PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      Value denseVal = mul->getOperand(side);
      auto dense = denseOfRows(denseVal);
      auto cst = mul->getOperand(1 - side).getDefiningOp<nn::ConstantOp>();
      if (!dense || !cst || mul.getType() != denseVal.getType())
        continue;
      auto cType = llvm::cast<ShapedType>(cst.getType());
      if (llvm::any_of(cType.getShape().drop_back(), [](int64_t d) { return d != 1; }))
        continue;
      std::vector<float> w = floats(dense.getWeight()), bias = floats(dense.getBias());
      std::vector<float> c = floats(cst.getValue());
      int64_t n = bias.size(), k = n ? int64_t(w.size()) / n : 0;
      if (c.size() != 1 && int64_t(c.size()) != n)
        continue;
      std::vector<float> rowScale(n);
      for (int64_t o = 0; o < n; ++o) {
        float g = c.size() == 1 ? c[0] : c[o];
        rowScale[o] = g;
        for (int64_t i = 0; i < k; ++i)
          w[o * k + i] *= g;
        bias[o] *= g;
      }
      rewriter.modifyOpInPlace(dense, [&] {
        scaleWeightScale(dense, rowScale);
        dense.setWeightAttr(floatAttr(llvm::cast<ShapedType>(dense.getWeight().getType()), w));
        dense.setBiasAttr(floatAttr(llvm::cast<ShapedType>(dense.getBias().getType()), bias));
      });
      rewriter.replaceOp(mul, denseVal);
      return success();
    }
    return failure();
  }
};

/// batch_norm(dense(x)) -> dense(x) with scaled weights and shifted bias:
/// y = (W x + b - mean) * s / sqrt(var + eps) + beta.
struct FoldBatchNorm : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp bn, PatternRewriter &rewriter) const override {
    auto dense = bn.getInput().getDefiningOp<nn::DenseOp>();
    if (!dense || !dense->hasOneUse())
      return failure();
    std::vector<float> w = floats(dense.getWeight()), b = floats(dense.getBias());
    std::vector<float> s = floats(bn.getScale()), beta = floats(bn.getBias());
    std::vector<float> mean = floats(bn.getMean()), var = floats(bn.getVariance());
    int64_t n = b.size(), k = n ? int64_t(w.size()) / n : 0;
    double eps = bn.getEpsilon().convertToDouble();
    std::vector<float> rowScale(n);
    for (int64_t o = 0; o < n; ++o) {
      double g = s[o] / std::sqrt(double(var[o]) + eps);
      rowScale[o] = float(g);
      for (int64_t i = 0; i < k; ++i)
        w[o * k + i] = float(w[o * k + i] * g);
      b[o] = float((b[o] - mean[o]) * g + beta[o]);
    }
    rewriter.modifyOpInPlace(dense, [&] {
      scaleWeightScale(dense, rowScale);
      dense.setWeightAttr(floatAttr(llvm::cast<ShapedType>(dense.getWeight().getType()), w));
      dense.setBiasAttr(floatAttr(llvm::cast<ShapedType>(dense.getBias().getType()), b));
    });
    rewriter.replaceOp(bn, dense.getResult());
    return success();
  }
};

/// The per-output-channel values of a constant that broadcasts over an NCHW
/// conv result: shapes [C], [C,1,1], [1,C,1,1] or a single value.
std::optional<std::vector<float>> perChannel(nn::ConstantOp cst, int64_t channels) {
  auto shape = llvm::cast<ShapedType>(cst.getType()).getShape();
  std::vector<float> c = floats(cst.getValue());
  if (c.size() == 1)
    return std::vector<float>(channels, c[0]);
  if (int64_t(c.size()) != channels)
    return std::nullopt;
  // Right-aligned against [1, C, H, W]: the channel must sit at rank-3 from the end.
  int64_t rank = shape.size();
  for (int64_t i = 0; i < rank; ++i) {
    int64_t fromEnd = rank - 1 - i; // 0 = W, 1 = H, 2 = C, 3 = N
    if (fromEnd != 2 && shape[i] != 1)
      return std::nullopt;
  }
  if (rank < 3 && channels != 1)
    return std::nullopt;
  return c;
}

/// conv(x) + c and conv(x) * c with c per output channel fold into the conv's
/// bias and weights (exporters emit a separate bias Add, and BatchNorm as Mul + Add).
struct FoldConvAffine : RewritePattern {
  FoldConvAffine(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    bool isAdd = llvm::isa<nn::AddOp>(op), isMul = llvm::isa<nn::MulOp>(op);
    auto bn = llvm::dyn_cast<nn::BatchNormOp>(op);
    if (!isAdd && !isMul && !bn)
      return failure();
    for (int side = 0; side < (bn ? 1 : 2); ++side) {
      auto conv = op->getOperand(side).getDefiningOp<nn::ConvOp>();
      if (!conv || !conv->hasOneUse() || op->getResult(0).getType() != conv.getType())
        continue;
      auto wType = llvm::cast<ShapedType>(conv.getWeight().getType());
      int64_t oc = wType.getDimSize(0), per = wType.getNumElements() / oc;
      std::vector<float> scale(oc, 1.0f), shift(oc, 0.0f);
      if (bn) {
        std::vector<float> s = floats(bn.getScale()), beta = floats(bn.getBias());
        std::vector<float> mean = floats(bn.getMean()), var = floats(bn.getVariance());
        double eps = bn.getEpsilon().convertToDouble();
        for (int64_t o = 0; o < oc; ++o) {
          scale[o] = float(s[o] / std::sqrt(double(var[o]) + eps));
          shift[o] = float(beta[o] - mean[o] * scale[o]);
        }
      } else {
        auto cst = op->getOperand(1 - side).getDefiningOp<nn::ConstantOp>();
        auto c = cst ? perChannel(cst, oc) : std::nullopt;
        if (!c)
          continue;
        (isAdd ? shift : scale) = *c;
      }
      std::vector<float> w = floats(conv.getWeight()), b = floats(conv.getBias());
      for (int64_t o = 0; o < oc; ++o) {
        for (int64_t i = 0; i < per; ++i)
          w[o * per + i] *= scale[o];
        b[o] = b[o] * scale[o] + shift[o];
      }
      rewriter.modifyOpInPlace(conv, [&] {
        scaleWeightScale(conv, scale);
        conv.setWeightAttr(floatAttr(wType, w));
        conv.setBiasAttr(floatAttr(llvm::cast<ShapedType>(conv.getBias().getType()), b));
      });
      rewriter.replaceOp(op, conv.getResult());
      return success();
    }
    return failure();
  }
};

/// The per-channel affine map y = x * scale[c] + shift[c] (channel axis 1)
/// of a BatchNormalization, or of a Mul / Add by a per-channel constant, on a
/// tensor of shape [1, C, ...]; std::nullopt for anything else.
struct ChannelAffine {
  std::vector<float> scale, shift;
};
std::optional<ChannelAffine> channelAffine(Operation *op) {
  auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || type.getRank() < 2 || type.getDimSize(0) != 1)
    return std::nullopt;
  int64_t c = type.getDimSize(1);
  ChannelAffine a{std::vector<float>(c, 1.0f), std::vector<float>(c, 0.0f)};
  if (auto bn = llvm::dyn_cast<nn::BatchNormOp>(op)) {
    std::vector<float> s = floats(bn.getScale()), beta = floats(bn.getBias());
    std::vector<float> mean = floats(bn.getMean()), var = floats(bn.getVariance());
    double eps = bn.getEpsilon().convertToDouble();
    for (int64_t o = 0; o < c; ++o) {
      a.scale[o] = float(s[o] / std::sqrt(double(var[o]) + eps));
      a.shift[o] = float(beta[o] - mean[o] * a.scale[o]);
    }
    return a;
  }
  bool isAdd = llvm::isa<nn::AddOp>(op);
  if (!isAdd && !llvm::isa<nn::MulOp>(op))
    return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    auto cst = op->getOperand(1 - side).getDefiningOp<nn::ConstantOp>();
    if (!cst || op->getOperand(side).getType() != type)
      continue;
    std::optional<std::vector<float>> v;
    if (type.getRank() == 2) { // [1, K]: constants [K], [1, K] or one value
      auto cShape = llvm::cast<ShapedType>(cst.getType()).getShape();
      std::vector<float> c0 = floats(cst.getValue());
      if (llvm::all_of(cShape.drop_back(), [](int64_t d) { return d == 1; }) &&
          (c0.size() == 1 || int64_t(c0.size()) == c))
        v = c0.size() == 1 ? std::vector<float>(c, c0[0]) : c0;
    } else if (type.getRank() == 4) {
      v = perChannel(cst, c);
    }
    if (!v)
      continue;
    (isAdd ? a.shift : a.scale) = *v;
    return a;
  }
  return std::nullopt;
}

/// The activation input of a per-channel affine op (BatchNorm, or the
/// non-constant operand of Add / Mul).
Value affineInput(Operation *op) {
  if (op->getNumOperands() == 2 && op->getOperand(0).getDefiningOp<nn::ConstantOp>())
    return op->getOperand(1);
  return op->getOperand(0);
}

/// layer(affine(x)) -> layer'(x) for a per-channel affine map (BatchNorm, a
/// Mul or Add by per-channel constants) that no layer before it absorbs,
/// typically because an activation sits between (Keras Conv -> Selu ->
/// BatchNormalization -> Conv): the next layer takes it, W'[o][i] =
/// W[o][i] * scale[c(i)] and b'[o] = b[o] + sum_i W[o][i] * shift[c(i)].
/// Exact for a dense layer (also behind a Flatten / Reshape) and for a conv
/// without padding; a conv with zero padding would see shift[c] instead of
/// 0 at its borders, so there the affine map stays and becomes a 1x1
/// depthwise conv (PerChannelAffineToDepthwise).
struct FoldAffineIntoNextLayer : RewritePattern {
  FoldAffineIntoNextLayer(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    auto conv = llvm::dyn_cast<nn::ConvOp>(op);
    auto dense = llvm::dyn_cast<nn::DenseOp>(op);
    if ((!conv && !dense) || (conv ? bool(conv.getWeightScale()) : bool(dense.getWeightScale())))
      return failure(); // quantized weights must stay multiples of their scale
    if (conv && llvm::any_of(conv.getPads(), [](int64_t p) { return p != 0; }))
      return failure();
    Value in = op->getOperand(0);
    auto reshape = dense ? in.getDefiningOp<nn::ReshapeOp>() : nn::ReshapeOp();
    if (reshape && !reshape->hasOneUse())
      return failure();
    Operation *aff = (reshape ? reshape.getInput() : in).getDefiningOp();
    if (!aff || !aff->hasOneUse())
      return failure();
    std::optional<ChannelAffine> a = channelAffine(aff);
    if (!a)
      return failure();
    Value x = affineInput(aff);
    // The layer before takes it (FoldBatchNorm, FoldBiasAdd, FoldScaleMul,
    // FoldConvAffine): exact everywhere, so that comes first.
    if (Operation *prev = x.getDefiningOp();
        prev && prev->hasOneUse() && llvm::isa<nn::ConvOp, nn::DenseOp>(prev))
      return failure();
    auto aType = llvm::cast<RankedTensorType>(aff->getResult(0).getType());
    int64_t c = aType.getDimSize(1), inner = aType.getNumElements() / c;
    if (conv && aType.getRank() != 4)
      return failure();
    ElementsAttr wAttr = conv ? conv.getWeight() : dense.getWeight();
    ElementsAttr bAttr = conv ? conv.getBias() : dense.getBias();
    auto wType = llvm::cast<ShapedType>(wAttr.getType());
    std::vector<float> w = floats(wAttr), bias = floats(bAttr);
    int64_t rows = wType.getDimSize(0), per = wType.getNumElements() / rows;
    if (dense && (llvm::cast<ShapedType>(in.getType()).getRank() != 2 ||
                  llvm::cast<ShapedType>(in.getType()).getDimSize(0) != 1 || per != c * inner))
      return failure();
    // Input channel of weight element (o, i): conv [O, C/g, KH, KW] (groups
    // g), dense [N, K] reading the flattened [1, C, ...] tensor.
    int64_t group = conv ? conv.getGroup() : 1, kk = conv ? per / wType.getDimSize(1) : 1;
    int64_t icg = conv ? wType.getDimSize(1) : 0, opg = rows / group;
    for (int64_t o = 0; o < rows; ++o) {
      double acc = bias[o];
      for (int64_t i = 0; i < per; ++i) {
        int64_t ch = conv ? (o / opg) * icg + i / kk : (i / inner) % c;
        acc += double(w[o * per + i]) * a->shift[ch];
        w[o * per + i] *= a->scale[ch];
      }
      bias[o] = float(acc);
    }
    rewriter.modifyOpInPlace(op, [&] {
      if (conv) {
        conv.setWeightAttr(floatAttr(wType, w));
        conv.setBiasAttr(floatAttr(llvm::cast<ShapedType>(bAttr.getType()), bias));
      } else {
        dense.setWeightAttr(floatAttr(wType, w));
        dense.setBiasAttr(floatAttr(llvm::cast<ShapedType>(bAttr.getType()), bias));
      }
    });
    if (reshape) {
      rewriter.modifyOpInPlace(reshape, [&] { reshape.getInputMutable().assign(x); });
    } else {
      rewriter.modifyOpInPlace(op, [&] { op->setOperand(0, x); });
    }
    rewriter.eraseOp(aff);
    return success();
  }
};

/// conv(pad(x)) with zero padding: one conv with larger pads.
struct FoldPadIntoConv : OpRewritePattern<nn::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConvOp conv, PatternRewriter &rewriter) const override {
    auto pad = conv.getInput().getDefiningOp<nn::PadOp>();
    if (!pad || !pad->hasOneUse())
      return failure();
    SmallVector<int64_t> pads(conv.getPads());
    for (int i = 0; i < 4; ++i)
      pads[i] += pad.getPads()[i];
    rewriter.modifyOpInPlace(conv, [&] {
      conv.setPadsAttr(rewriter.getDenseI64ArrayAttr(pads));
      conv.getInputMutable().assign(pad.getInput());
    });
    return success();
  }
};

/// act(reshape(x)) -> reshape(act(x)) for element-wise activations (and
/// act(transpose(x)) -> transpose(act(x)) for those without per-channel
/// parameters): the activation can then be absorbed by the layer producing
/// x (a 1-D conv is a 2-D conv between two reshapes, a QONNX channels-last
/// conv one between two transposes).
struct SinkReshapeBelowActivation : RewritePattern {
  SinkReshapeBelowActivation(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!op->hasTrait<nn::OpTrait::ElementwiseActivation>() && !llvm::isa<nn::BatchNormOp>(op))
      return failure();
    Operation *move = op->getOperand(0).getDefiningOp();
    if (!llvm::isa_and_nonnull<nn::ReshapeOp, nn::TransposeOp>(move) || !move->hasOneUse())
      return failure();
    auto reshape = llvm::dyn_cast<nn::ReshapeOp>(move);
    // Per-channel parameters (PRelu slopes, batch norm; axis 1) need the same
    // batch and channel dimensions on both sides of the reshape, and do not
    // sink below a transpose (QONNX channels-last ops are transposes around
    // the standard op).
    auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(op);
    bool perChannel = (leaky && leaky.getAlphasAttr()) || llvm::isa<nn::BatchNormOp>(op);
    if (perChannel && !reshape)
      return failure();
    if (perChannel) {
      auto from = llvm::cast<ShapedType>(reshape.getInput().getType()).getShape();
      auto to = llvm::cast<ShapedType>(op->getResult(0).getType()).getShape();
      if (from.size() < 2 || from[0] != to[0] || from[1] != to[1])
        return failure();
    }
    Value src = move->getOperand(0);
    Operation *act = rewriter.clone(*op);
    act->setOperand(0, src);
    act->getResult(0).setType(src.getType());
    Operation *moved = rewriter.clone(*move);
    moved->setOperand(0, act->getResult(0));
    moved->getResult(0).setType(op->getResult(0).getType());
    rewriter.replaceOp(op, moved->getResults());
    rewriter.eraseOp(move);
    return success();
  }
};

/// transpose(x, p) op c -> transpose(x op c', p) for Add / Mul by a constant
/// c that broadcasts over the transposed tensor, with c' = c transposed back
/// (c'.dim[p[d]] = c.dim[d]): Keras-style input normalization on an NHWC
/// view of an NCHW input (Transpose -> Mul, Add by [C] -> Transpose ->
/// Conv) becomes per-channel arithmetic on NCHW, which a layer takes or a
/// 1x1 depthwise conv runs, while the two transposes cancel.
struct SinkTransposeBelowConstantArith : RewritePattern {
  SinkTransposeBelowConstantArith(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!llvm::isa<nn::AddOp, nn::MulOp>(op))
      return failure();
    for (int side = 0; side < 2; ++side) {
      auto tr = op->getOperand(side).getDefiningOp<nn::TransposeOp>();
      auto cst = op->getOperand(1 - side).getDefiningOp<nn::ConstantOp>();
      if (!tr || !cst || !tr->hasOneUse() || op->getResult(0).getType() != tr.getType())
        continue;
      ArrayRef<int64_t> p = tr.getPerm();
      int64_t rank = p.size();
      auto cType = llvm::cast<ShapedType>(cst.getType());
      if (cType.getRank() > rank)
        continue;
      // c aligned with the transposed tensor's dims (leading 1s added).
      SmallVector<int64_t> cs(rank - cType.getRank(), 1);
      cs.append(cType.getShape().begin(), cType.getShape().end());
      SmallVector<int64_t> ns(rank), cStride(rank, 1), nStride(rank, 1);
      for (int64_t d = 0; d < rank; ++d)
        ns[p[d]] = cs[d];
      for (int64_t d = rank - 2; d >= 0; --d) {
        cStride[d] = cStride[d + 1] * cs[d + 1];
        nStride[d] = nStride[d + 1] * ns[d + 1];
      }
      std::vector<float> c = floats(cst.getValue()), n(c.size());
      for (int64_t j = 0; j < int64_t(c.size()); ++j) {
        // j indexes c' (x-aligned); c's index is m[d] = m'[p[d]].
        int64_t src = 0;
        for (int64_t d = 0; d < rank; ++d)
          src += ((j / nStride[p[d]]) % ns[p[d]]) * cStride[d];
        n[j] = c[src];
      }
      Type f32 = rewriter.getF32Type();
      auto nType = RankedTensorType::get(ns, f32);
      Value x = tr.getInput();
      auto newCst = rewriter.create<nn::ConstantOp>(cst.getLoc(), nType,
                                                    DenseElementsAttr::get(nType, ArrayRef<float>(n)));
      Operation *arith = rewriter.clone(*op);
      arith->setOperand(side, x);
      arith->setOperand(1 - side, newCst.getResult());
      arith->getResult(0).setType(x.getType());
      Operation *moved = rewriter.clone(*tr);
      moved->setOperand(0, arith->getResult(0));
      rewriter.replaceOp(op, moved->getResults());
      rewriter.eraseOp(tr);
      return success();
    }
    return failure();
  }
};

/// transpose(transpose(x, p1), p2) -> x when the two undo each other
/// (p1[p2[d]] == d): a QONNX channels-last op next to another, or NHWC /
/// NCHW pairs exporters leave between layers.
struct CancelTransposePair : OpRewritePattern<nn::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TransposeOp outer, PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<nn::TransposeOp>();
    if (!inner || inner.getInput().getType() != outer.getType())
      return failure();
    ArrayRef<int64_t> p1 = inner.getPerm(), p2 = outer.getPerm();
    if (p1.size() != p2.size())
      return failure();
    for (size_t d = 0; d < p2.size(); ++d)
      if (p2[d] < 0 || p2[d] >= int64_t(p1.size()) || p1[p2[d]] != int64_t(d))
        return failure();
    rewriter.replaceOp(outer, inner.getInput());
    if (inner->use_empty())
      rewriter.eraseOp(inner);
    return success();
  }
};

/// act(max_pool(x)) -> max_pool(act(x)) for a monotone non-decreasing
/// activation (Relu, Clip, LeakyRelu/PRelu with every slope >= 0): the max of
/// the window's valid positions commutes with it exactly, on floats and on
/// fixed-point codes. Done when x comes from a dense/conv whose only user is
/// the pool, so the activation rides in that layer (PyTorch LeNet's
/// relu(max_pool2d(conv(x)))); otherwise nn-to-df gives the activation its
/// own actor.
struct HoistActivationAbovePool : RewritePattern {
  HoistActivationAbovePool(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!llvm::isa<nn::ReluOp, nn::ClipOp, nn::LeakyReluOp>(op))
      return failure();
    if (auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(op)) {
      if (leaky.getAlphasAttr()) {
        if (llvm::any_of(leaky.getAlphasAttr().asArrayRef(), [](double a) { return a < 0; }))
          return failure();
      } else if (leaky.getAlpha().convertToDouble() < 0) {
        return failure();
      }
    }
    auto pool = op->getOperand(0).getDefiningOp<nn::MaxPoolOp>();
    if (!pool || !pool->hasOneUse())
      return failure();
    Operation *layer = pool->getOperand(0).getDefiningOp();
    if (!llvm::isa_and_nonnull<nn::ConvOp, nn::DenseOp>(layer) || !layer->hasOneUse())
      return failure();
    Operation *act = rewriter.clone(*op);
    act->setOperand(0, pool->getOperand(0));
    act->getResult(0).setType(pool->getOperand(0).getType());
    Operation *newPool = rewriter.clone(*pool);
    newPool->setOperand(0, act->getResult(0));
    rewriter.replaceOp(op, newPool->getResults());
    rewriter.eraseOp(pool);
    return success();
  }
};

/// x * c, x + c with c per channel and BatchNormalization of a 4-D NCHW
/// tensor that no conv absorbs (FoldConvAffine and FoldAffineIntoNextLayer
/// take those first): input normalization
/// (x - mean) / std, a scale after pooling or after a tensor with two users.
/// It becomes a 1x1 depthwise conv (weight c or 1, bias 0 or c), so it runs
/// on the depthwise unit, exactly as the float graph says; a following
/// per-channel Add/Mul then folds into that conv.
/// y = x * w[c] + bias[c] on [1, C, H, W] as a float 1x1 depthwise conv named
/// after `from` (its ONNX node).
Value depthwise1x1(PatternRewriter &rewriter, Operation *from, RankedTensorType type, Value x,
                   ArrayRef<float> w, ArrayRef<float> bias) {
  int64_t c = type.getDimSize(1);
  Type f32 = rewriter.getF32Type();
  auto conv = rewriter.create<nn::ConvOp>(
      from->getLoc(), type, x,
      DenseElementsAttr::get(RankedTensorType::get({c, 1, 1, 1}, f32), w),
      DenseElementsAttr::get(RankedTensorType::get({c}, f32), bias),
      rewriter.getDenseI64ArrayAttr({1, 1}), rewriter.getDenseI64ArrayAttr({1, 1}),
      rewriter.getDenseI64ArrayAttr({0, 0, 0, 0}), rewriter.getI64IntegerAttr(c),
      DenseF64ArrayAttr());
  for (StringRef name : {nn::kNodeNameAttr, nn::kOpTypeAttr})
    if (Attribute a = from->getAttr(name))
      conv->setAttr(name, a);
  return conv.getResult();
}

/// A QDQ export's float bias after a quantized MatMul (MatMul -> QuantizeLinear
/// -> DequantizeLinear -> Add(bias): ONNX Runtime quantizes the MatMul alone):
/// dq(x) + b on rows [.., T, C] with one value per feature becomes a 1x1
/// depthwise conv on the channels-last view (reshape [1, T, 1, C], transpose
/// to [1, C, T, 1], and back), whose stream is the rows' own: the affine
/// lowering requantizes it like any layer (its bias a post-multiply bias).
struct RowBiasToDepthwise : OpRewritePattern<nn::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AddOp add, PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      Value x = add->getOperand(side);
      auto cst = add->getOperand(1 - side).getDefiningOp<nn::ConstantOp>();
      auto type = llvm::dyn_cast<RankedTensorType>(x.getType());
      if (!cst || !x.getDefiningOp<nn::DequantizeLinearOp>() || !type ||
          add.getType() != type || (type.getRank() != 2 && type.getRank() != 3) ||
          (type.getRank() == 3 && type.getDimSize(0) != 1))
        continue;
      auto cShape = llvm::cast<ShapedType>(cst.getType()).getShape();
      if (!cShape.empty() && llvm::any_of(cShape.drop_back(), [](int64_t d) { return d != 1; }))
        continue;
      int64_t c = type.getShape().back(), rows = type.getNumElements() / c;
      std::vector<float> bias = floats(cst.getValue());
      if (bias.size() == 1)
        bias.assign(size_t(c), bias[0]);
      if (int64_t(bias.size()) != c)
        continue;
      Location loc = add.getLoc();
      Type f32 = rewriter.getF32Type();
      auto t4 = [&](ArrayRef<int64_t> s) { return RankedTensorType::get(s, f32); };
      Value v = rewriter.create<nn::ReshapeOp>(loc, t4({1, rows, 1, c}), x);
      v = rewriter.create<nn::TransposeOp>(loc, t4({1, c, rows, 1}), v,
                                           rewriter.getDenseI64ArrayAttr({0, 3, 1, 2}));
      Value conv = depthwise1x1(rewriter, add, t4({1, c, rows, 1}), v,
                                std::vector<float>(size_t(c), 1.0f), bias);
      v = rewriter.create<nn::TransposeOp>(loc, t4({1, rows, 1, c}), conv,
                                           rewriter.getDenseI64ArrayAttr({0, 2, 3, 1}));
      rewriter.replaceOpWithNewOp<nn::ReshapeOp>(add, type, v);
      return success();
    }
    return failure();
  }
};

struct PerChannelAffineToDepthwise : RewritePattern {
  PerChannelAffineToDepthwise(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    bool isAdd = llvm::isa<nn::AddOp>(op);
    auto bn = llvm::dyn_cast<nn::BatchNormOp>(op);
    if (!isAdd && !bn && !llvm::isa<nn::MulOp>(op))
      return failure();
    for (int side = 0; side < (bn ? 1 : 2); ++side) {
      Value x = op->getOperand(side);
      auto cst = bn ? nn::ConstantOp() : op->getOperand(1 - side).getDefiningOp<nn::ConstantOp>();
      auto type = llvm::dyn_cast<RankedTensorType>(x.getType());
      if ((!cst && !bn) || !type || type.getRank() != 4 || op->getResult(0).getType() != type ||
          !llvm::isa<FloatType>(type.getElementType()))
        continue;
      if (auto conv = x.getDefiningOp<nn::ConvOp>(); conv && conv->hasOneUse())
        continue; // FoldConvAffine's case
      if (Operation *prev = x.getDefiningOp();
          prev && prev->hasOneUse() && llvm::isa<nn::AddOp, nn::MulOp>(prev) &&
          llvm::any_of(prev->getOperands(),
                       [](Value v) { return v.getDefiningOp<nn::ConstantOp>(); }))
        continue; // becomes a depthwise conv first, then absorbs this one
      int64_t c = type.getDimSize(1);
      std::vector<float> w(c, 1.0f), bias(c, 0.0f);
      if (bn) {
        std::optional<ChannelAffine> a = channelAffine(op);
        if (!a)
          continue;
        w = a->scale, bias = a->shift;
      } else {
        auto values = perChannel(cst, c);
        if (!values)
          continue;
        (isAdd ? bias : w) = *values;
      }
      rewriter.replaceOp(op, depthwise1x1(rewriter, op, type, x, w, bias));
      return success();
    }
    return failure();
  }
};

struct NNNormalizePass : loom::impl::NNNormalizeBase<NNNormalizePass> {
  void runOnOperation() override {
    // Folds first, to a fixed point; only what is left of per-channel
    // arithmetic then gets its own depthwise conv (the greedy driver would
    // otherwise turn an Add into a conv before the conv above it absorbs it).
    // Not in graphs that carry their own quantization: there a float conv
    // without quantized weights cannot be lowered, and the affine lowering
    // reads the float ops between quantizers as they are (a Brevitas
    // AveragePool -> Mul(k*k) -> Trunc).
    bool affine = false;
    getOperation()->walk([&](func::FuncOp func) { affine |= hasAffineQuantization(func); });
    for (bool fallback : {false, true}) {
      RewritePatternSet patterns(&getContext());
      patterns.add<FoldBiasAdd, FoldScaleMul, FoldBatchNorm, FoldConvAffine, FoldPadIntoConv,
                   SinkReshapeBelowActivation, HoistActivationAbovePool,
                   FoldAffineIntoNextLayer, CancelTransposePair,
                   SinkTransposeBelowConstantArith, RowBiasToDepthwise>(&getContext());
      if (fallback && !affine)
        patterns.add<PerChannelAffineToDepthwise>(&getContext());
      if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
  }
};

} // namespace
