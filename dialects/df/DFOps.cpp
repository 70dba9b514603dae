//===- DFOps.cpp - df type and op verifiers -------------------------------===//
//
// The invariants every later stage relies on: a stream's lanes divide its frame,
// an mvu's folding divides its matrix, and each actor's output beat width is
// the one its hardware produces (pe for mvu, 1 for softmax, its dividers for a
// pipelined softmax).
//
//===----------------------------------------------------------------------===//
#include "dialects/df/DFOps.h"
#include "dialects/AttentionAttrs.h"
#include "dialects/LayerNormAttrs.h"
#include "dialects/RotaryAttrs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cstdint>

using namespace mlir;
using namespace loom::df;

int64_t StreamType::getFrameElements() const {
  int64_t n = 1;
  for (int64_t d : getShape())
    n *= d;
  return n;
}

LogicalResult StreamType::verify(llvm::function_ref<InFlightDiagnostic()> emitError,
                                 Type elementType, int64_t lanes, ArrayRef<int64_t> shape) {
  if (!elementType.isSignlessInteger())
    return emitError() << "stream elements must be signless integers, got " << elementType;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d <= 0)
      return emitError() << "frame dimensions must be positive";
    n *= d;
  }
  if (lanes <= 0 || n % lanes != 0)
    return emitError() << "lanes (" << lanes << ") must divide the frame size (" << n << ")";
  return success();
}

/// none / relu / sign carry no activation attributes; table needs the whole
/// table (t_min, t_max, t_shift, table; `table_function` only with it); clip
/// (Relu6) needs its bounds t_min, t_max (codes) and nothing else; leaky
/// (LeakyRelu) needs leaky_mult (A, the shift is fixed at 15) and nothing else,
/// PRelu leaky_mults (one A per output channel) instead.
template <typename ComputeOp> static LogicalResult verifyActivation(ComputeOp op, int64_t outputs) {
  Activation act = op.getAct();
  bool table = isTableActivation(act);
  bool clip = act == Activation::clip, leaky = act == Activation::leaky;
  if (act == Activation::sign && op.getOutput().getType().getElementWidth() < 2)
    return op.emitOpError("sign needs outputs of at least 2 bits (codes +1 and -1)");
  bool hasTable = bool(op.getTableAttr()), hasShift = bool(op.getTShiftAttr());
  bool hasBounds = op.getTMinAttr() && op.getTMaxAttr();
  bool anyBound = op.getTMinAttr() || op.getTMaxAttr();
  bool hasMult = bool(op.getLeakyMultAttr());
  if (op.getTableFunctionAttr() && !table)
    return op.emitOpError("table_function is only for the table activation");
  if ((hasMult || op.getLeakyMultsAttr()) && !leaky)
    return op.emitOpError("leaky_mult is only for the leaky activation");
  if (auto mults = op.getLeakyMultsAttr()) {
    // PRelu: one A per output channel (weight dim 0), each fitting 32 bits.
    if (hasMult || hasTable || hasShift || anyBound)
      return op.emitOpError("leaky needs leaky_mult or leaky_mults (and only it)");
    if (int64_t(mults.size()) != outputs)
      return op.emitOpError("leaky_mults must have one entry per output (")
             << outputs << "), got " << mults.size();
    for (int64_t a : mults.asArrayRef())
      if (a < INT32_MIN || a > INT32_MAX)
        return op.emitOpError("leaky_mult must fit 32 bits, got ") << a;
    return success();
  }
  if (leaky) {
    if (!hasMult || hasTable || hasShift || anyBound)
      return op.emitOpError("leaky needs leaky_mult (and only it)");
    int64_t a = op.getLeakyMultAttr().getInt();
    if (a < INT32_MIN || a > INT32_MAX)
      return op.emitOpError("leaky_mult must fit 32 bits, got ") << a;
    return success();
  }
  if (table && !(hasTable && hasShift && hasBounds))
    return op.emitOpError("table activations need t_min, t_max, t_shift and table (and only they)");
  if (clip && (!hasBounds || hasTable || hasShift))
    return op.emitOpError("clip needs t_min and t_max (and only they)");
  if (!table && !clip && (hasTable || hasShift || anyBound))
    return op.emitOpError("table activations need t_min, t_max, t_shift and table (and only they)");
  return success();
}

void loom::df::buildCompute(OpBuilder &b, OperationState &state, Type output, Value input,
                            const ComputeParams &p) {
  state.addOperands(input);
  state.addTypes(output);
  auto i64 = [&](int64_t v) { return b.getI64IntegerAttr(v); };
  state.addAttribute("weight", p.weight);
  state.addAttribute("bias", p.bias);
  state.addAttribute("shift", i64(p.shift));
  state.addAttribute("acc_width", i64(p.accWidth));
  state.addAttribute("folding", FoldingAttr::get(b.getContext(), p.simd, p.pe));
  state.addAttribute("act", ActivationAttr::get(b.getContext(), p.act));
  for (auto [name, v] : {std::pair<StringRef, std::optional<int64_t>>{"t_min", p.tMin},
                         {"t_max", p.tMax},
                         {"t_shift", p.tShift},
                         {"leaky_mult", p.leakyMult}})
    if (v)
      state.addAttribute(name, i64(*v));
  if (p.table)
    state.addAttribute("table", p.table);
  if (p.mult)
    state.addAttribute("mult", p.mult);
  if (p.postBias)
    state.addAttribute("post_bias", p.postBias);
  if (p.binary)
    state.addAttribute("binary", b.getUnitAttr());
  if (p.leakyMults)
    state.addAttribute("leaky_mults", p.leakyMults);
  if (p.tableFunction)
    state.addAttribute("table_function", p.tableFunction);
}

/// mult: one value or one per output channel, each in [1, 2^24]; post_bias: one
/// per output channel; binary: every weight is +1 or -1.
template <typename ComputeOp> static LogicalResult verifyAffine(ComputeOp op, int64_t outputs) {
  if (auto mult = op.getMultAttr()) {
    if (mult.getNumElements() != 1 && mult.getNumElements() != outputs)
      return op.emitOpError("mult must have 1 or ") << outputs << " elements";
    for (APInt v : mult.template getValues<APInt>())
      if (v.getSExtValue() < 1 || v.getSExtValue() > (int64_t(1) << 24))
        return op.emitOpError("mult values must be in [1, 2^24], got ") << v.getSExtValue();
  }
  if (auto postBias = op.getPostBiasAttr()) {
    if (postBias.getNumElements() != outputs)
      return op.emitOpError("post_bias must have ") << outputs << " elements";
    for (APInt v : postBias.template getValues<APInt>())
      if (v.getSignificantBits() > 48)
        return op.emitOpError("post_bias values must be below 2^47 in magnitude");
  }
  if (op.getBinary())
    for (APInt v : op.getWeight().template getValues<APInt>())
      if (v.getSExtValue() != 1 && v.getSExtValue() != -1)
        return op.emitOpError("binary weights must all be +1 or -1, got ") << v.getSExtValue();
  return success();
}

/// The streams of an mvu / dwu with `mmv` vectors a step: pe * mmv output lanes, and
/// with mmv > 1 every output per copy (pe = n) and whole vectors in (mmv * k lanes).
template <typename ComputeOp>
static LogicalResult verifyMmv(ComputeOp op, int64_t n, int64_t k) {
  int64_t pe = op.getPe(), mmv = op.getMmv();
  if (mmv < 1 || op.getVectors() % mmv != 0)
    return op.emitOpError("mmv ") << mmv << " must divide the " << op.getVectors()
                                  << " vectors of a frame";
  if (mmv > 1 && (pe != n || op.getInput().getType().getLanes() != mmv * k))
    return op.emitOpError("mmv ")
           << mmv << " needs pe = " << n << " and " << mmv * k << " input lanes (whole vectors)";
  if (op.getOutput().getType().getLanes() != pe * mmv)
    return op.emitOpError("output stream must carry pe * mmv = ")
           << pe * mmv << " lanes, got " << op.getOutput().getType().getLanes();
  return success();
}

LogicalResult MvuOp::verify() {
  // K and N come from the weight's dims: check its rank before reading them.
  if (llvm::cast<ShapedType>(getWeight().getType()).getRank() != 2)
    return emitOpError("weight must be rank 2, got ") << getWeight().getType();
  int64_t k = getK(), n = getN();
  if (getBias().getNumElements() != n)
    return emitOpError("bias must have ") << n << " elements";
  int64_t inFrame = getInput().getType().getFrameElements();
  if (inFrame % k != 0 || getOutput().getType().getFrameElements() != (inFrame / k) * n)
    return emitOpError("frames must hold whole vectors: ")
           << inFrame << " inputs of K = " << k << " give "
           << getOutput().getType().getFrameElements() << " outputs, not N = " << n
           << " per vector";
  int64_t simd = getSimd(), pe = getPe();
  // simd need not divide K: the unit then folds flat (docs/folding.md)
  if (simd <= 0 || simd > k)
    return emitOpError("simd ") << simd << " must be in [1, K = " << k << "]";
  if (pe <= 0 || n % pe != 0)
    return emitOpError("pe ") << pe << " must divide N = " << n;
  if (failed(verifyMmv(*this, n, k)))
    return failure();
  if (failed(verifyActivation(*this, n)) || failed(verifyAffine(*this, n)))
    return failure();
  // I64Attr getters return uint64_t: compare the signed attribute values.
  if (getShiftAttr().getInt() < 0)
    return emitOpError("shift must be >= 0, got ") << getShiftAttr().getInt();
  return success();
}

int64_t SwgOp::getOutHeight() {
  int64_t span = getDilations()[0] * (getKernel()[0] - 1) + 1;
  return (getHeightAttr().getInt() + getPads()[0] + getPads()[2] - span) / getStrides()[0] + 1;
}

int64_t SwgOp::getOutWidth() {
  int64_t span = getDilations()[1] * (getKernel()[1] - 1) + 1;
  return (getWidthAttr().getInt() + getPads()[1] + getPads()[3] - span) / getStrides()[1] + 1;
}

// What df-fold asks of each foldable actor (FoldableOpInterface).
int64_t MvuOp::getFoldOutputs() { return getN(); }
int64_t MvuOp::getFoldReduction() { return getK(); }
// loom_mvu folds flat when simd does not divide K (docs/folding.md)
bool MvuOp::foldsFlat() { return true; }

/// loom_mvu_stream's condition: every output a beat, one vector a step, several vectors a
/// frame, and a simd that does not divide the reduction (with one that does, the steps
/// are loom_mvu's / loom_dwu's: V * reduction / simd). The one place that decides it:
/// DFCost's STREAM, the RTL module, df-fold's step count and the dwu verifier ask here.
template <typename ComputeOp>
static bool acrossVectors(ComputeOp op, int64_t outputs, int64_t reduction) {
  int64_t simd = op.getSimd();
  return simd >= 1 && simd < reduction && reduction % simd != 0 && op.getPe() == outputs &&
         op.getMmv() == 1 && op.getVectors() > 1;
}
bool MvuOp::foldsAcrossVectors() { return acrossVectors(*this, getN(), getK()); }
bool DwuOp::foldsAcrossVectors() { return acrossVectors(*this, getChannels(), getTaps()); }
int64_t DwuOp::getFoldOutputs() { return getChannels(); }
int64_t DwuOp::getFoldReduction() { return getTaps(); }
int64_t PoolOp::getFoldOutputs() { return getChannelsAttr().getInt(); }
int64_t PoolOp::getFoldReduction() { return getTapsAttr().getInt(); }
int64_t AttentionOp::getFoldOutputs() { return 1; }
int64_t AttentionOp::getFoldReduction() { return getChannels() / getHeads(); }

LogicalResult SwgOp::verify() {
  if (getKernel().size() != 2 || getStrides().size() != 2 || getDilations().size() != 2 ||
      getPads().size() != 4)
    return emitOpError("expects 2 kernel sizes, strides, dilations and 4 pads");
  int64_t c = getChannelsAttr().getInt(), h = getHeightAttr().getInt(), w = getWidthAttr().getInt();
  if (getInput().getType().getFrameElements() != c * h * w)
    return emitOpError("input frame must hold H*W*C = ") << c * h * w << " elements";
  if (getOutHeight() < 1 || getOutWidth() < 1)
    return emitOpError("the window does not fit the padded input");
  int64_t expect = getOutHeight() * getOutWidth() * getKernel()[0] * getKernel()[1] * c;
  if (getOutput().getType().getFrameElements() != expect)
    return emitOpError("output frame must hold OH*OW*KH*KW*C = ") << expect << " elements";
  // Part of a pixel, or whole pixels of a row; part of a window, or whole windows of a
  // row (loom_swg, for a unit taking several vectors a step).
  int64_t in = getInput().getType().getLanes(), out = getOutput().getType().getLanes();
  int64_t window = getKernel()[0] * getKernel()[1] * c;
  if (c % in != 0 && (in % c != 0 || (w * c) % in != 0))
    return emitOpError("input lanes must divide the channels, or be whole pixels dividing a row");
  if (window % out != 0 && (out % window != 0 || getOutWidth() % (out / window) != 0))
    return emitOpError("output lanes must divide the window, or be whole windows dividing "
                       "an output row");
  return success();
}

LogicalResult DwuOp::verify() {
  if (llvm::cast<ShapedType>(getWeight().getType()).getRank() != 2)
    return emitOpError("weight must be rank 2, got ") << getWeight().getType();
  int64_t c = getChannels(), kk = getTaps();
  if (getBias().getNumElements() != c)
    return emitOpError("bias must have one value per channel");
  int64_t inFrame = getInput().getType().getFrameElements();
  if (inFrame % (c * kk) != 0 || getOutput().getType().getFrameElements() != inFrame / kk)
    return emitOpError("frames must hold whole windows of KK*C elements");
  int64_t simd = getSimd(), pe = getPe();
  // any simd below the taps folds flat across windows (loom_mvu_stream) with pe = C
  if (simd <= 0 || (kk % simd != 0 && !foldsAcrossVectors()) || pe <= 0 || c % pe != 0)
    return emitOpError("simd must divide the taps (or, with pe = every channel and several "
                       "windows a frame, be below them) and pe the channels");
  if (failed(verifyMmv(*this, c, c * kk)))
    return failure();
  if (failed(verifyAffine(*this, c)))
    return failure();
  return verifyActivation(*this, c);
}

LogicalResult PoolOp::verify() {
  if (getMode() != "max" && getMode() != "avg")
    return emitOpError("mode must be max or avg");
  int64_t c = getChannelsAttr().getInt(), kk = getTapsAttr().getInt(), pe = getPe();
  int64_t simd = getSimd(), in = getInput().getType().getLanes();
  // simd: window positions a beat (loom_pool TAPS), each beat all channels
  if (simd < 1 || kk % simd != 0 || (simd > 1 && pe != c))
    return emitOpError("simd (window positions a beat) must divide the taps, and with "
                       "simd > 1 pe must be every channel");
  if (simd > 1 && in != simd * c)
    return emitOpError("with simd ") << simd << " the input must carry " << simd * c << " lanes";
  if (simd == 1 && c % in != 0)
    return emitOpError("input lanes must divide the channels");
  int64_t inFrame = getInput().getType().getFrameElements();
  if (inFrame % (c * kk) != 0 || getOutput().getType().getFrameElements() != inFrame / kk)
    return emitOpError("frames must hold whole windows of KK*C elements");
  if (pe <= 0 || c % pe != 0 || getOutput().getType().getLanes() != pe)
    return emitOpError("pe must divide the channels and be the output lanes");
  if (getDivisors() && getDivisors()->getNumElements() != inFrame / (c * kk))
    return emitOpError("divisors must have one entry per output pixel");
  if (getDivisor() && (*getDivisor() < 1 || *getDivisor() > (int64_t(1) << 30)))
    return emitOpError("divisor must be in [1, 2^30]");
  static const char *kModes[] = {"half_even", "half_up", "half_down", "floor", "ceil", "to_zero"};
  if (llvm::find(kModes, getRounding()) == std::end(kModes))
    return emitOpError("unknown rounding mode '") << getRounding() << "'";
  return success();
}

LogicalResult UpsampleOp::verify() {
  int64_t c = getChannelsAttr().getInt(), h = getHeightAttr().getInt(), w = getWidthAttr().getInt(),
          sh = getShAttr().getInt(), sw = getSwAttr().getInt();
  if (c < 1 || h < 1 || w < 1 || sh < 1 || sw < 1)
    return emitOpError("sizes and factors must be positive");
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getFrameElements() != c * h * w || out.getFrameElements() != c * h * w * sh * sw)
    return emitOpError("frames must hold H*W*C input and H*SH*W*SW*C output elements");
  if (in.getLanes() != out.getLanes() || c % in.getLanes() != 0)
    return emitOpError("input and output lanes must be equal and divide the channels");
  return success();
}

LogicalResult JoinOp::verify() {
  if (getLhs().getType() != getRhs().getType() || getLhs().getType() != getOutput().getType())
    return emitOpError("operands and result must have the same stream type");
  if (getMode() != "add" && getMode() != "mul")
    return emitOpError("mode must be add or mul");
  int scaled = bool(getMultLhs()) + bool(getMultRhs()) + bool(getShiftAttr());
  if (scaled != 0 && (scaled != 3 || getMode() != "add"))
    return emitOpError("mult_lhs, mult_rhs and shift go together, on mode add only");
  if (scaled) {
    int64_t ma = getMultLhsAttr().getInt(), mb = getMultRhsAttr().getInt();
    int64_t s = getShiftAttr().getInt();
    if (ma < 0 || mb < 0 || ma > (int64_t(1) << 24) || mb > (int64_t(1) << 24) || s < 0 || s > 62)
      return emitOpError("needs 0 <= mult_lhs, mult_rhs <= 2^24 and 0 <= shift <= 62");
  }
  if (auto m = getMultAttr()) {
    if (getMode() != "mul")
      return emitOpError("mult is the multiplier of mode mul only");
    if (m.getInt() < 1 || m.getInt() > (int64_t(1) << 24) || getFracAttr().getInt() > 62)
      return emitOpError("needs 1 <= mult <= 2^24 and frac <= 62");
  }
  if (bool(getTMin()) != bool(getTMax()) || (getTMin() && getRelu()))
    return emitOpError("clip needs both t_min and t_max, and no relu");
  return success();
}

LogicalResult ConcatOp::verify() {
  int64_t c1 = getLhsChannelsAttr().getInt(), c2 = getRhsChannelsAttr().getInt();
  auto a = getLhs().getType(), b = getRhs().getType(), o = getOutput().getType();
  if (a.getLanes() != b.getLanes() || a.getLanes() != o.getLanes())
    return emitOpError("both inputs and the output must have the same lanes");
  if (c1 % a.getLanes() || c2 % a.getLanes())
    return emitOpError("lanes must divide both channel counts");
  if (a.getFrameElements() / c1 != b.getFrameElements() / c2 ||
      o.getFrameElements() != a.getFrameElements() + b.getFrameElements())
    return emitOpError("inputs must have the same number of pixels");
  return success();
}

LogicalResult SoftmaxOp::verify() {
  // loom_softmax_pipe has one divider per output lane, any number dividing the frame
  // (the stream type checks that); loom_softmax emits one element per beat.
  if (!getPipelined() && getOutput().getType().getLanes() != 1)
    return emitOpError("output stream must carry 1 lane");
  if (getInput().getType().getFrameElements() != getOutput().getType().getFrameElements())
    return emitOpError("input and output frames differ in size");
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  int64_t c = int64_t(getChannels());
  if (out.getLanes() != 1)
    return emitOpError("output stream must carry 1 lane");
  if (in.getFrameElements() != out.getFrameElements())
    return emitOpError("input and output frames differ in size");
  if (c < 1 || in.getFrameElements() % c || c % in.getLanes())
    return emitOpError("channels ") << c << " must divide the frame (" << in.getFrameElements()
                                    << " elements) and be a multiple of the input lanes ("
                                    << in.getLanes() << ")";
  return loom::verifyLayerNormAttrs(*this, c);
}

LogicalResult RotaryOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  int64_t t = int64_t(getRows()), c = int64_t(getChannels());
  if (out.getLanes() != 1)
    return emitOpError("output stream must carry 1 lane");
  if (t < 1 || c < 1 || in.getFrameElements() != t * c || out.getFrameElements() != t * c)
    return emitOpError("input and output frames must be rows x channels (") << t * c << ") codes";
  if (c % in.getLanes())
    return emitOpError("channels ") << c << " must be a multiple of the input lanes ("
                                    << in.getLanes() << ")";
  return loom::verifyRotaryAttrs(*this, t, c);
}

loom::numerics::RotaryParams RotaryOp::getParams() {
  return loom::rotaryParamsOf(*this, int64_t(getRows()), int64_t(getChannels()),
                              int(getInput().getType().getElementWidth()),
                              int(getOutput().getType().getElementWidth()));
}

LogicalResult EmbedOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  int64_t v = int64_t(getVocab()), c = int64_t(getChannels()), t = int64_t(getPositions());
  if (in.getLanes() != 1)
    return emitOpError("input stream must carry 1 lane (one token id per beat)");
  if (v < 1 || c < 1 || t < 1 || in.getFrameElements() != t)
    return emitOpError("the input frame must be `positions` (") << t << ") ids";
  if (out.getFrameElements() != t * c || c % out.getLanes())
    return emitOpError("the output frame must be positions x channels (")
           << t * c << ") codes in beats dividing a row";
  if (getTable().getNumElements() != v * c || (getPos() && getPos()->getNumElements() != t * c))
    return emitOpError("table must hold vocab x channels and pos positions x channels codes");
  unsigned idBits = in.getElementWidth();
  if (idBits < 63 && (int64_t(1) << idBits) < v)
    return emitOpError("ids of ") << idBits << " bits cannot address " << v << " rows";
  if (int64_t(getLo()) > int64_t(getHi()))
    return emitOpError("lo exceeds hi");
  return success();
}

loom::numerics::LayerNormParams LayerNormOp::getParams() {
  return loom::layerNormParamsOf(*this, int64_t(getChannels()),
                                 int(getInput().getType().getElementWidth()),
                                 int(getOutput().getType().getElementWidth()));
}

LogicalResult AttentionOp::verify() {
  int64_t t = int64_t(getRows()), c = int64_t(getChannels());
  auto out = getOutput().getType();
  if (out.getLanes() != 1)
    return emitOpError("output stream must carry 1 lane");
  for (Value v : {getQ(), getK(), getV(), getOutput()}) {
    auto s = llvm::cast<StreamType>(v.getType());
    if (s.getFrameElements() != t * c)
      return emitOpError("every stream must carry ") << t << " rows of " << c << " codes";
    if (c % s.getLanes())
      return emitOpError("stream lanes ") << s.getLanes() << " must divide the " << c
                                          << " channels";
    if (s.getElementType() != getQ().getType().getElementType() && v != getOutput())
      return emitOpError("q, k and v must have one element type");
  }
  if (getPe() != 1 || getSimd() < 1 || (c / std::max<int64_t>(1, int64_t(getHeads()))) % getSimd())
    return emitOpError("folding: pe must be 1 and simd must divide the head dimension");
  return loom::verifyAttentionAttrs(*this, t, c, int(getQ().getType().getElementWidth()));
}

loom::numerics::AttentionParams AttentionOp::getParams() {
  return loom::attentionParamsOf(*this, int64_t(getRows()), int64_t(getChannels()),
                                 int(getQ().getType().getElementWidth()),
                                 int(getOutput().getType().getElementWidth()));
}

LogicalResult FifoOp::verify() {
  if (getInput().getType() != getOutput().getType())
    return emitOpError("input and output stream types differ");
  // I64Attr getters return uint64_t: depth = -1 wrapped to 2^64-1 and passed.
  if (getDepthAttr().getInt() < 2)
    return emitOpError("depth must be at least 2, got ") << getDepthAttr().getInt();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/df/DFOps.cpp.inc"
