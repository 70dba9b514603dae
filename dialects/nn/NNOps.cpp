//===- NNOps.cpp - nn verifiers and folders -------------------------------===//
//
// Verifiers enforce the shape rules the later passes rely on, so a pass never
// has to re-check them: dense weights match the input and result widths,
// reshapes keep the element count, quantized ops carry sane scales.
//
//===----------------------------------------------------------------------===//
#include "dialects/nn/NNOps.h"
#include "dialects/AttentionAttrs.h"
#include "dialects/LayerNormAttrs.h"
#include "dialects/RotaryAttrs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace loom::nn;

static int64_t numElements(ElementsAttr attr) { return attr.getNumElements(); }

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getResult().getType())
    return emitOpError("value type ")
           << getValue().getType() << " does not match result type " << getResult().getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

/// Shared by dense and qdense: rank-2 [batch, K] -> [batch, N] with an [N, K]
/// weight and an [N] bias.
static LogicalResult verifyDenseShapes(Operation *op, ShapedType in, ShapedType out,
                                       ElementsAttr weight, ElementsAttr bias) {
  if (in.getRank() != 2 || out.getRank() != 2)
    return op->emitOpError("expects rank-2 [batch, features] input and result");
  auto wType = llvm::cast<ShapedType>(weight.getType());
  if (wType.getRank() != 2)
    return op->emitOpError("weight must be rank 2 [N, K], got rank ") << wType.getRank();
  int64_t n = wType.getDimSize(0), k = wType.getDimSize(1);
  if (in.getDimSize(1) != k)
    return op->emitOpError("input has ")
           << in.getDimSize(1) << " features but weight expects " << k;
  if (out.getDimSize(1) != n)
    return op->emitOpError("result has ")
           << out.getDimSize(1) << " features but weight produces " << n;
  if (in.getDimSize(0) != out.getDimSize(0))
    return op->emitOpError("batch size changes from ")
           << in.getDimSize(0) << " to " << out.getDimSize(0);
  if (numElements(bias) != n)
    return op->emitOpError("bias has ") << numElements(bias) << " elements, expected " << n;
  return success();
}

LogicalResult DenseOp::verify() {
  return verifyDenseShapes(*this, getInput().getType(), getResult().getType(), getWeight(),
                           getBias());
}

LogicalResult LayerNormOp::verify() {
  auto type = getResult().getType();
  if (type.getRank() < 1)
    return emitOpError("expects rank >= 1 (normalized over the last axis)");
  int64_t c = type.getDimSize(type.getRank() - 1);
  if (numElements(getGamma()) != c || numElements(getBeta()) != c)
    return emitOpError("gamma and beta need ") << c << " elements (the last axis)";
  if (!(getEpsilon().convertToDouble() >= 0))
    return emitOpError("epsilon must be >= 0");
  return success();
}

LogicalResult AttentionOp::verify() {
  auto type = getResult().getType();
  for (Value v : {getQ(), getK(), getV()})
    if (llvm::cast<ShapedType>(v.getType()) != type)
      return emitOpError("q, k, v and the result must all be [T, C] of one shape");
  if (type.getRank() != 2)
    return emitOpError("expects [T, C] operands (row layout), got rank ") << type.getRank();
  int64_t h = int64_t(getHeads()), c = type.getDimSize(1);
  if (h < 1 || c % h)
    return emitOpError("heads ") << h << " must divide the " << c << " channels";
  if (!(getScale().convertToDouble() > 0) || !std::isfinite(getScale().convertToDouble()))
    return emitOpError("scale must be positive and finite");
  if (auto w = getWindow(); w && (*w < 1 || !getCausal()))
    return emitOpError("a window needs a causal attention and at least 1 row, got ") << *w;
  if (auto kb = getKeyBiasAttr(); kb && kb.getNumElements() != h * type.getDimSize(0))
    return emitOpError("key_bias needs heads * T = ") << h * type.getDimSize(0) << " values";
  return success();
}

LogicalResult QAttentionOp::verify() {
  auto q = getQ().getType(), out = getResult().getType();
  if (q.getRank() != 2 || getK().getType().getShape() != q.getShape() ||
      getV().getType().getShape() != q.getShape() || out.getShape() != q.getShape())
    return emitOpError("q, k, v and the result must all be [T, C] of one shape");
  if (getK().getType().getElementType() != q.getElementType() ||
      getV().getType().getElementType() != q.getElementType())
    return emitOpError("q, k and v must have one code width");
  return loom::verifyAttentionAttrs(*this, q.getDimSize(0), q.getDimSize(1),
                                    int(q.getElementTypeBitWidth()));
}

loom::numerics::AttentionParams QAttentionOp::getParams() {
  auto q = getQ().getType();
  return loom::attentionParamsOf(*this, q.getDimSize(0), q.getDimSize(1),
                                 int(q.getElementTypeBitWidth()),
                                 int(getResult().getType().getElementTypeBitWidth()));
}

LogicalResult RotaryOp::verify() {
  auto in = getInput().getType();
  if (in.getRank() != 2)
    return emitOpError("input must be [T, C] rows");
  int64_t t = in.getDimSize(0), c = in.getDimSize(1), d = int64_t(getHeadDim());
  if (d < 2 || d % 2 || c % d)
    return emitOpError("head_dim ") << d << " must be even and divide the " << c << " channels";
  if (numElements(getCos()) != t * c || numElements(getSin()) != t * c)
    return emitOpError("cos and sin need ") << t * c << " values (rows x channels)";
  return success();
}

LogicalResult QRotaryOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  if (in.getRank() != 2 || in.getShape() != out.getShape())
    return emitOpError("input and result must be [T, C] of one shape");
  return loom::verifyRotaryAttrs(*this, in.getDimSize(0), in.getDimSize(1));
}

loom::numerics::RotaryParams QRotaryOp::getParams() {
  auto in = getInput().getType();
  return loom::rotaryParamsOf(*this, in.getDimSize(0), in.getDimSize(1),
                              int(in.getElementTypeBitWidth()),
                              int(getResult().getType().getElementTypeBitWidth()));
}

LogicalResult QLayerNormOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  if (in.getShape() != out.getShape() || in.getRank() < 1)
    return emitOpError("input and result must have the same shape (rank >= 1)");
  return loom::verifyLayerNormAttrs(*this, in.getDimSize(in.getRank() - 1));
}

loom::numerics::LayerNormParams QLayerNormOp::getParams() {
  auto in = getInput().getType();
  return loom::layerNormParamsOf(*this, in.getDimSize(in.getRank() - 1),
                                 int(in.getElementTypeBitWidth()),
                                 int(getResult().getType().getElementTypeBitWidth()));
}

/// nn.embed / nn.qembed: result = ids' shape + [C], table [V, C], pos [T, C].
static LogicalResult verifyEmbedShapes(Operation *op, ShapedType ids, ShapedType out,
                                       ShapedType table, std::optional<ShapedType> pos) {
  if (table.getRank() != 2 || table.getDimSize(0) < 1 || table.getDimSize(1) < 1)
    return op->emitOpError("table must be [V, C], got rank ") << table.getRank();
  int64_t c = table.getDimSize(1);
  SmallVector<int64_t> want(ids.getShape());
  want.push_back(c);
  if (out.getShape() != ArrayRef<int64_t>(want))
    return op->emitOpError("result must be the ids' shape + [") << c << "]";
  if (pos && (pos->getRank() != 2 || pos->getDimSize(0) != ids.getNumElements() ||
              pos->getDimSize(1) != c))
    return op->emitOpError("pos must be [") << ids.getNumElements() << ", " << c
                                            << "] (one row per position)";
  return success();
}

LogicalResult EmbedOp::verify() {
  std::optional<ShapedType> pos;
  if (getPos())
    pos = llvm::cast<ShapedType>(getPos()->getType());
  return verifyEmbedShapes(*this, getIds().getType(), getResult().getType(),
                           llvm::cast<ShapedType>(getTable().getType()), pos);
}

LogicalResult QEmbedOp::verify() {
  std::optional<ShapedType> pos;
  if (getPos())
    pos = llvm::cast<ShapedType>(getPos()->getType());
  if (failed(verifyEmbedShapes(*this, getIds().getType(), getResult().getType(),
                               llvm::cast<ShapedType>(getTable().getType()), pos)))
    return failure();
  if (!llvm::isa<IntegerType>(getTable().getElementType()) ||
      (getPos() && !llvm::isa<IntegerType>(getPos()->getElementType())))
    return emitOpError("table and pos must hold integer codes");
  int64_t v = llvm::cast<ShapedType>(getTable().getType()).getDimSize(0);
  unsigned idBits = getIds().getType().getElementTypeBitWidth();
  if (idBits < 63 && (int64_t(1) << idBits) < v)
    return emitOpError("ids of ") << idBits << " bits cannot address " << v << " rows";
  if (getLoAttr().getInt() > getHiAttr().getInt())
    return emitOpError("lo ") << getLoAttr().getInt() << " exceeds hi " << getHiAttr().getInt();
  return success();
}

LogicalResult BatchNormOp::verify() {
  auto type = getResult().getType();
  if (type.getRank() < 2)
    return emitOpError("expects rank >= 2 (channels in dimension 1)");
  int64_t c = type.getDimSize(1);
  for (ElementsAttr attr : {getScale(), getBias(), getMean(), getVariance()})
    if (numElements(attr) != c)
      return emitOpError("parameter has ") << numElements(attr) << " elements, expected " << c;
  return success();
}

OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type changes from ")
           << in.getElementType() << " to " << out.getElementType();
  if (!in.hasStaticShape() || !out.hasStaticShape())
    return emitOpError("needs static shapes");
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("changes the element count from ")
           << in.getNumElements() << " to " << out.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getResult().getType())
    return getInput();
  // reshape(reshape(x)) == reshape(x): fold the inner one away.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

static LogicalResult verifyFrac(Operation *op, int64_t frac, Type intType) {
  unsigned width = llvm::cast<ShapedType>(intType).getElementTypeBitWidth();
  if (frac < 0 || frac > 62)
    return op->emitOpError("frac must be in [0, 62], got ") << frac;
  if (width < 2 || width > 32)
    return op->emitOpError("integer width must be in [2, 32], got ") << width;
  return success();
}

LogicalResult QuantizeOp::verify() {
  if (getInput().getType().getShape() != getResult().getType().getShape())
    return emitOpError("shape must not change");
  // I64Attr getters return uint64_t: read the signed value from the attribute.
  return verifyFrac(*this, getFracAttr().getInt(), getResult().getType());
}

LogicalResult DequantizeOp::verify() {
  if (getInput().getType().getShape() != getResult().getType().getShape())
    return emitOpError("shape must not change");
  return verifyFrac(*this, getFracAttr().getInt(), getInput().getType());
}

/// qdense / qconv post_bias: one integer per output channel, below 2^62.
static LogicalResult verifyPostBias(Operation *op, std::optional<ElementsAttr> postBias,
                                    ElementsAttr weight) {
  if (!postBias)
    return success();
  int64_t outputs = llvm::cast<ShapedType>(weight.getType()).getDimSize(0);
  if (!llvm::isa<IntegerType>(postBias->getElementType()) || numElements(*postBias) != outputs)
    return op->emitOpError("post_bias must hold one integer per output (") << outputs << ")";
  for (APInt v : postBias->getValues<APInt>())
    if (v.getSignificantBits() > 62)
      return op->emitOpError("post_bias values must be below 2^62 in magnitude");
  return success();
}

LogicalResult QDenseOp::verify() {
  if (failed(verifyDenseShapes(*this, getInput().getType(), getResult().getType(), getWeight(),
                               getBias())))
    return failure();
  // I64Attr getters return uint64_t (`getShift() < 0` never fires, -1 prints
  // as 2^64-1): compare the signed attribute values.
  int64_t shift = getShiftAttr().getInt(), accWidth = getAccWidthAttr().getInt();
  if (shift < 0)
    return emitOpError("shift must be >= 0, got ") << shift;
  if (accWidth < 2 || accWidth > 62)
    return emitOpError("acc_width must be in [2, 62], got ") << accWidth;
  return verifyPostBias(*this, getPostBias(), getWeight());
}

LogicalResult LutOp::verify() {
  // I64Attr getters return uint64_t: read the signed values from the attributes.
  int64_t shift = getTShiftAttr().getInt();
  int64_t tMin = getTMinAttr().getInt(), tMax = getTMaxAttr().getInt();
  if (shift < 0 || shift > 30)
    return emitOpError("t_shift must be in [0, 30], got ") << shift;
  if (tMin > tMax)
    return emitOpError("t_min ") << tMin << " > t_max " << tMax;
  if (tMin % (int64_t(1) << shift) != 0)
    return emitOpError("t_min must be a multiple of 2^t_shift");
  int64_t depth = (tMax >> shift) - (tMin >> shift) + 1;
  if (numElements(getTable()) != depth)
    return emitOpError("table has ") << numElements(getTable()) << " entries, expected " << depth;
  StringRef fn = getFunction();
  // "table": any element-wise function between two affine quantizers; else
  // the name of the nn table activation it computes (TableActivationOpInterface).
  if (fn == "table")
    return success();
  auto name = RegisteredOperationName::lookup(("nn." + fn).str(), getContext());
  if (!name || !name->hasInterface<TableActivationOpInterface>())
    return emitOpError("unknown function '") << fn << "'";
  return success();
}

LogicalResult LeakyReluOp::verify() {
  bool isInt = llvm::isa<IntegerType>(getResult().getType().getElementType());
  if (auto alphas = getAlphasAttr()) {
    // Per-channel slopes (PRelu): one per channel of axis 1.
    auto type = llvm::cast<RankedTensorType>(getResult().getType());
    if (type.getRank() < 2 || type.getDimSize(1) != int64_t(alphas.size()))
      return emitOpError("alphas must hold one slope per channel (axis 1), got ")
             << alphas.size() << " for " << type;
    if (getMultAttr())
      return emitOpError("with alphas, the integer form carries mults, not mult");
    if (isInt != (getMultsAttr() && getShiftAttr()))
      return emitOpError(isInt ? "on integers needs mults and shift"
                               : "on floats must not carry mults or shift");
    if (isInt && getMultsAttr().size() != alphas.size())
      return emitOpError("mults must have one entry per slope");
    if (isInt && (getShiftAttr().getInt() < 0 || getShiftAttr().getInt() > 30))
      return emitOpError("shift must be in [0, 30], got ") << getShiftAttr().getInt();
    return success();
  }
  if (getMultsAttr())
    return emitOpError("mults needs alphas");
  if (isInt != (getMultAttr() && getShiftAttr()))
    return emitOpError(isInt ? "on integers needs mult and shift"
                             : "on floats must not carry mult or shift");
  if (!isInt && (getMultAttr() || getShiftAttr()))
    return emitOpError("on floats must not carry mult or shift");
  if (isInt && (getShiftAttr().getInt() < 0 || getShiftAttr().getInt() > 30))
    return emitOpError("shift must be in [0, 30], got ") << getShiftAttr().getInt();
  return success();
}

/// Output size of one spatial dimension of a sliding window (floor mode).
static int64_t windowOut(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1) {
  return (in + p0 + p1 - d * (k - 1) - 1) / s + 1;
}

/// Shared by conv, qconv and the pools: NCHW rank 4, two-element kernel,
/// strides and dilations, four pads, and the result's H and W follow.
static LogicalResult verifyWindow(Operation *op, ShapedType in, ShapedType out,
                                  ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  if (in.getRank() != 4 || out.getRank() != 4)
    return op->emitOpError("expects rank-4 NCHW input and result");
  if (kernel.size() != 2 || strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
    return op->emitOpError("expects 2 kernel sizes, strides, dilations and 4 pads");
  for (int i = 0; i < 2; ++i) {
    if (kernel[i] < 1 || strides[i] < 1 || dilations[i] < 1)
      return op->emitOpError("kernel sizes, strides and dilations must be positive");
    int64_t expect =
        windowOut(in.getDimSize(2 + i), kernel[i], strides[i], dilations[i], pads[i], pads[2 + i]);
    if (expect < 1 || out.getDimSize(2 + i) != expect)
      return op->emitOpError("result spatial dimension ")
             << i << " is " << out.getDimSize(2 + i) << ", expected " << expect;
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("pads must be non-negative");
  return success();
}

static LogicalResult verifyConv(Operation *op, ShapedType in, ShapedType out, ElementsAttr weight,
                                ElementsAttr bias, ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                                int64_t group) {
  auto w = llvm::cast<ShapedType>(weight.getType());
  if (w.getRank() != 4)
    return op->emitOpError("weight must be OIHW (rank 4)");
  int64_t kernel[2] = {w.getDimSize(2), w.getDimSize(3)};
  if (failed(verifyWindow(op, in, out, kernel, strides, dilations, pads)))
    return failure();
  if (group < 1 || in.getDimSize(1) % group || w.getDimSize(0) % group ||
      w.getDimSize(1) * group != in.getDimSize(1))
    return op->emitOpError("group ") << group << " does not divide the channels consistently";
  if (out.getDimSize(1) != w.getDimSize(0))
    return op->emitOpError("result has ")
           << out.getDimSize(1) << " channels, weight has " << w.getDimSize(0);
  if (bias.getNumElements() != w.getDimSize(0))
    return op->emitOpError("bias must have one value per output channel");
  return success();
}

LogicalResult ConvOp::verify() {
  return verifyConv(*this, getInput().getType(), getResult().getType(), getWeight(), getBias(),
                    getStrides(), getDilations(), getPads(), getGroupAttr().getInt());
}

LogicalResult QConvOp::verify() {
  if (getShiftAttr().getInt() < 0)
    return emitOpError("shift must be >= 0");
  if (failed(verifyPostBias(*this, getPostBias(), getWeight())))
    return failure();
  return verifyConv(*this, getInput().getType(), getResult().getType(), getWeight(), getBias(),
                    getStrides(), getDilations(), getPads(), getGroupAttr().getInt());
}

LogicalResult MaxPoolOp::verify() {
  if (getInput().getType().getDimSize(1) != getResult().getType().getDimSize(1))
    return emitOpError("pooling keeps the channel count");
  return verifyWindow(*this, getInput().getType(), getResult().getType(), getKernel(), getStrides(),
                      getDilations(), getPads());
}

LogicalResult AvgPoolOp::verify() {
  int64_t dil[2] = {1, 1};
  if (getInput().getType().getDimSize(1) != getResult().getType().getDimSize(1))
    return emitOpError("pooling keeps the channel count");
  static const char *kModes[] = {"half_even", "half_up", "half_down", "floor", "ceil", "to_zero"};
  if (llvm::find(kModes, getRounding()) == std::end(kModes))
    return emitOpError("unknown rounding mode '") << getRounding() << "'";
  if (getDivisor() && *getDivisor() < 1)
    return emitOpError("divisor must be positive");
  return verifyWindow(*this, getInput().getType(), getResult().getType(), getKernel(), getStrides(),
                      dil, getPads());
}

LogicalResult ResizeOp::verify() {
  auto in = llvm::cast<ShapedType>(getInput().getType());
  auto out = llvm::cast<ShapedType>(getResult().getType());
  ArrayRef<int64_t> s = getScales();
  if (s.size() != 2 || s[0] < 1 || s[1] < 1)
    return emitOpError("scales must be two factors >= 1 (H, W)");
  if (in.getRank() != 4 || out.getRank() != 4 || in.getElementType() != out.getElementType() ||
      out.getDimSize(0) != in.getDimSize(0) || out.getDimSize(1) != in.getDimSize(1) ||
      out.getDimSize(2) != in.getDimSize(2) * s[0] || out.getDimSize(3) != in.getDimSize(3) * s[1])
    return emitOpError("result must be the NCHW input with H and W multiplied by the scales");
  return success();
}

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.cpp.inc"

/// Shared by quantize_linear and dequantize_linear: one scale/zero point, or one
/// per index of dimension `axis`; scales positive and finite.
static LogicalResult verifyQuantParams(Operation *op, ShapedType type, ArrayRef<double> scale,
                                       ArrayRef<int64_t> zeroPoint, int64_t axis) {
  if (scale.empty() || scale.size() != zeroPoint.size())
    return op->emitOpError("needs as many zero points as scales (")
           << scale.size() << " vs " << zeroPoint.size() << ")";
  for (double s : scale)
    if (!(s > 0) || !std::isfinite(s))
      return op->emitOpError("scale must be positive and finite, got ") << s;
  if (scale.size() == 1)
    return success();
  if (axis < 0 || axis >= type.getRank())
    return op->emitOpError("axis ") << axis << " out of range for rank " << type.getRank();
  if (type.getDimSize(axis) != int64_t(scale.size()))
    return op->emitOpError("has ") << scale.size() << " scales but dimension " << axis
                                   << " has size " << type.getDimSize(axis);
  return success();
}

LogicalResult QuantizeLinearOp::verify() {
  int64_t qmin = getQminAttr().getInt(), qmax = getQmaxAttr().getInt();
  if (qmin > qmax)
    return emitOpError("qmin ") << qmin << " > qmax " << qmax;
  static const char *kModes[] = {"half_even", "half_up", "half_down", "floor", "ceil", "to_zero"};
  if (llvm::find(kModes, getRounding()) == std::end(kModes))
    return emitOpError("unknown rounding mode '") << getRounding() << "'";
  for (int64_t z : getZeroPoint())
    if (!getBipolar() && (z < qmin || z > qmax))
      return emitOpError("zero point ") << z << " outside [" << qmin << ", " << qmax << "]";
  return verifyQuantParams(*this, getInput().getType(), getScale(), getZeroPoint(),
                           getAxisAttr().getInt());
}

LogicalResult TruncOp::verify() {
  if (getQminAttr().getInt() > getQmaxAttr().getInt())
    return emitOpError("qmin > qmax");
  if (getShiftAttr().getInt() < 0 || getShiftAttr().getInt() > 30)
    return emitOpError("shift must be in [0, 30]");
  if (!(getScale().convertToDouble() > 0) || !(getOutScale().convertToDouble() > 0))
    return emitOpError("scales must be positive");
  static const char *kModes[] = {"half_even", "half_up", "half_down", "floor", "ceil", "to_zero"};
  if (llvm::find(kModes, getRounding()) == std::end(kModes))
    return emitOpError("unknown rounding mode '") << getRounding() << "'";
  return success();
}

LogicalResult DequantizeLinearOp::verify() {
  return verifyQuantParams(*this, getInput().getType(), getScale(), getZeroPoint(),
                           getAxisAttr().getInt());
}
