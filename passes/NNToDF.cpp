//===- NNToDF.cpp - quantized nn graph -> dataflow actors -----------------===//
//
// One actor per layer: nn.qdense (plus the relu or lut that follows it) is a
// df.mvu; nn.qconv a df.swg feeding a df.mvu (or a df.dwu when depthwise);
// pooling a df.swg feeding a df.pool; nn.resize a df.upsample; nn.qsoftmax a df.softmax; a residual
// add a df.join fed by a df.fork. Every stream starts with one lane per beat
// and every mvu fully folded (simd = pe = 1); df-fold widens them.
// Affine integer graphs (docs/CONTRACTS.md): a qdense/qconv's `mult` moves to
// its unit (setAffine), a sign after it is the fused activation "sign", a
// scaled add_act is a df.join with mult_lhs/mult_rhs/shift (and the clip of
// its output range), and a graph without any layer gets a df.skid so that the
// input port still reaches the output port.
//
// Layout. Streams carry feature maps channels-last (NHWC) while nn keeps
// ONNX's NCHW, so each nn value is paired with a permutation: stream element
// i is flat tensor element perm[i]. Reshapes and transposes only change the
// permutation and vanish; a convolution requires its input's stream to be
// channels-last; a dense layer absorbs any permutation into its weight
// columns (PyTorch's NCHW Flatten before a Linear costs nothing). The
// permutations left at the graph's ends become `loom.perm` on df.input /
// df.output: the host reorders those frames (the input's is computed back
// through the reshapes and transposes before the first conv). A permutation
// that moves data between two layers is refused, naming its node.
//
// The nn function `@f(tensor args) -> tensors` becomes `@f()` holding a
// df.input per argument and a df.output per result; the fixed-point scale of
// each end is kept as `loom.frac` for the host side (dequantization).
//
//===----------------------------------------------------------------------===//
#include "dialects/nn/IntAttrs.h"
#include "dialects/nn/NodeNames.h"
#include "passes/Passes.h"
#include "passes/StreamOrder.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numeric>
#include <optional>

namespace loom {
#define GEN_PASS_DEF_NNTODF
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;
using namespace loom::streamorder;

namespace {

constexpr llvm::StringLiteral kNameAttr = "onnx.name";

df::StreamType streamType(MLIRContext *ctx, Type elem, int64_t elements) {
  return df::StreamType::get(ctx, elem, 1, {elements});
}

df::StreamType streamOf(Value tensor) {
  auto t = llvm::cast<RankedTensorType>(tensor.getType());
  return streamType(tensor.getContext(), t.getElementType(), t.getNumElements());
}

/// The error every unsupported construct gets: node name, op, what to do.
InFlightDiagnostic unsupported(Operation *op, StringRef what) {
  return op->emitError() << nn::describeNode(op) << ": " << what;
}

ArrayRef<int64_t> shapeOf(Value v) { return llvm::cast<ShapedType>(v.getType()).getShape(); }

/// Why `v` is not channels-last: the op that moved its data (a transpose
/// behind reshapes: Transpose, DepthToSpace, SpaceToDepth, ...), named.
std::string notChannelsLast(Value v) {
  for (Operation *def = v.getDefiningOp(); def; def = def->getOperand(0).getDefiningOp()) {
    if (llvm::isa<nn::TransposeOp>(def))
      return "its input is not in channels-last stream order: " + nn::describeNode(def) +
             " moves data between layers, and Loom absorbs such permutations only at the "
             "graph's input and output (move it to a graph end, or do it on the host)";
    if (!def->hasTrait<nn::OpTrait::LayoutOnly>() || def->getNumOperands() != 1)
      break;
  }
  return "its input is not in channels-last stream order";
}

DenseElementsAttr intAttr(MLIRContext *ctx, ArrayRef<int64_t> shape, Type elem,
                          ArrayRef<int64_t> values) {
  unsigned width = elem.getIntOrFloatBitWidth();
  SmallVector<APInt> v;
  for (int64_t x : values)
    v.push_back(APInt(width, uint64_t(x), true));
  return DenseElementsAttr::get(RankedTensorType::get(shape, elem), v);
}

struct Lowering {
  Lowering(MLIRContext *ctx, func::FuncOp func) : ctx(ctx), func(func), b(ctx) {}

  struct Entry {
    Value stream;
    Perm perm;
    int64_t usesLeft = 0;
  };

  MLIRContext *ctx;
  func::FuncOp func;
  OpBuilder b;
  llvm::DenseMap<Value, Entry> env; // nn tensor -> its stream
  bool affine = false;              // an affine integer graph (quantizers with a scale)

  void copyName(Operation *from, Operation *to) {
    for (StringRef a : {nn::kNodeNameAttr.data(), nn::kOpTypeAttr.data()})
      if (auto v = from->getAttr(a))
        to->setAttr(a, v);
  }

  /// Number of consumers a value's stream feeds (absorbed ops excepted).
  static int64_t hardwareUses(Value v) { return std::distance(v.use_begin(), v.use_end()); }

  void bind(Value tensor, Value stream, Perm perm) {
    env[tensor] = Entry{stream, std::move(perm), hardwareUses(tensor)};
  }

  /// The stream of `tensor` for one consumer; a fan-out gets a df.fork per
  /// extra consumer, the last consumer takes the fork's second output.
  Value take(Value tensor, Location loc) {
    auto it = env.find(tensor);
    if (it == env.end())
      return {};
    Entry &e = it->second;
    if (e.usesLeft-- <= 1)
      return e.stream;
    auto fork = b.create<df::ForkOp>(loc, e.stream.getType(), e.stream.getType(), e.stream);
    // Named after the layer whose output it copies.
    if (Operation *producer = tensor.getDefiningOp())
      if (auto name = producer->getAttrOfType<StringAttr>(nn::kNodeNameAttr))
        fork->setAttr(nn::kNodeNameAttr, b.getStringAttr(name.getValue() + "_fork"));
    e.stream = fork.getSecond();
    return fork.getFirst();
  }

  const Perm &permOf(Value tensor) { return env[tensor].perm; }

  /// The FIFO in front of input `port` of a join (df-fold sizes it).
  Value joinFifo(Operation *join, Value in, int port) {
    auto fifo = b.create<df::FifoOp>(join->getLoc(), in.getType(), in, b.getI64IntegerAttr(2));
    if (auto name = join->getAttrOfType<StringAttr>(nn::kNodeNameAttr))
      fifo->setAttr(nn::kNodeNameAttr,
                    b.getStringAttr(name.getValue() + "_in" + std::to_string(port) + "_fifo"));
    return fifo;
  }

  LogicalResult run();
  /// One lowering per nn op (or op family), dispatched by lowerOp.
  LogicalResult lowerOp(Operation &op);
  LogicalResult lower(nn::ReshapeOp op);
  LogicalResult lower(nn::TransposeOp op);
  LogicalResult lower(nn::QDenseOp dense);
  LogicalResult lower(nn::QConvOp conv);
  LogicalResult lowerPool(Operation &op); // nn.max_pool, nn.avg_pool
  LogicalResult lower(nn::PadOp pad);
  LogicalResult lower(nn::ResizeOp rs);
  LogicalResult lower(nn::QSoftmaxOp sm);
  LogicalResult lower(nn::QLayerNormOp ln);
  LogicalResult lower(nn::QRotaryOp rot);
  LogicalResult lower(nn::QEmbedOp emb);
  LogicalResult lower(nn::QAttentionOp att);
  LogicalResult lowerJoin(Operation &op); // nn.add_act, nn.mul_act
  LogicalResult lower(nn::ConcatOp cat);
  LogicalResult lowerActivation(Operation &act);
  Value swg(Location loc, Value in, ArrayRef<int64_t> nchw, ArrayRef<int64_t> kernel,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
            int64_t padValue, Operation *named);
};

/// The activation a conv/dense absorbs: its only user, when that is a relu,
/// clip, leaky relu, sign or lut.
Operation *fusedActivation(Operation *op) {
  if (op->getResult(0).hasOneUse() && op->user_begin()->hasTrait<nn::OpTrait::FusableActivation>())
    return *op->user_begin();
  return nullptr;
}

/// A Relu a join or concat absorbs: its only user (a join also absorbs a
/// Clip: the output range of a scaled add).
Operation *fusedRelu(Operation *op, bool clipToo = false) {
  if (op->getResult(0).hasOneUse() && (llvm::isa<nn::ReluOp>(*op->user_begin()) ||
                                       (clipToo && llvm::isa<nn::ClipOp>(*op->user_begin()))))
    return *op->user_begin();
  return nullptr;
}

/// Affine integer graphs (docs/CONTRACTS.md): the requantization multipliers of
/// a dense/conv unit, and (`affine`: only there, so fixed-point designs stay as
/// they were) one-bit storage when every weight is +1 or -1. No
/// `mult` when every M is 1; a common power of two 2^p with p <= shift folds
/// into the shift (acc * 2^p rounded by 2^s is acc rounded by 2^(s-p), exactly),
/// so such layers need no multiplier either. A post-multiply bias (in 2^-shift
/// output steps) keeps the multiplier and the shift as they are.
void setAffine(df::ComputeParams &p, ElementsAttr mult, ElementsAttr postBias, bool affine) {
  p.postBias = postBias;
  if (mult) {
    std::vector<int64_t> m = ints(mult);
    bool same = llvm::all_equal(m);
    if (!postBias && same && llvm::isPowerOf2_64(uint64_t(m[0])) &&
        int64_t(llvm::Log2_64(m[0])) <= p.shift) {
      p.shift -= int64_t(llvm::Log2_64(m[0]));
    } else {
      std::vector<int64_t> v = same ? std::vector<int64_t>{m[0]} : m;
      OpBuilder b(mult.getContext());
      p.mult = intAttr(mult.getContext(), {int64_t(v.size())}, b.getI64Type(), v);
    }
  }
  bool binary = affine && p.weight.getNumElements() > 0;
  for (APInt v : p.weight.getValues<APInt>())
    if (v.getSExtValue() != 1 && v.getSExtValue() != -1) {
      binary = false;
      break;
    }
  p.binary = binary;
}

/// The activation a unit applies (`act`: the nn op it absorbs, or null).
void setActivation(df::ComputeParams &p, Operation *act) {
  p.act = df::Activation::none;
  if (llvm::isa_and_nonnull<nn::ReluOp>(act)) {
    p.act = df::Activation::relu;
  } else if (auto clip = llvm::dyn_cast_or_null<nn::ClipOp>(act)) {
    // Bounds are already codes of the format (nn-quantize).
    p.act = df::Activation::clip;
    p.tMin = int64_t(clip.getMin().convertToDouble());
    p.tMax = int64_t(clip.getMax().convertToDouble());
  } else if (llvm::isa_and_nonnull<nn::SignOp>(act)) {
    p.act = df::Activation::sign;
  } else if (auto leaky = llvm::dyn_cast_or_null<nn::LeakyReluOp>(act)) {
    // loom_mvu / loom_dwu use the contract's fixed shift S = 15 (nn-quantize).
    p.act = df::Activation::leaky;
    if (leaky.getMultsAttr()) // PRelu: one A per output channel (axis 1)
      p.leakyMults = leaky.getMultsAttr();
    else if (leaky.getMultAttr())
      p.leakyMult = leaky.getMultAttr().getInt();
  } else if (auto lut = llvm::dyn_cast_or_null<nn::LutOp>(act)) {
    // The hardware is the same table for any function; the function (a
    // table activation's nn op name, or "table" for a table over affine
    // codes) names it in the IR and the report.
    p.act = df::Activation::table;
    if (lut.getFunction() != "table")
      p.tableFunction = StringAttr::get(lut.getContext(), lut.getFunction());
    p.tMin = lut.getTMinAttr().getInt();
    p.tMax = lut.getTMaxAttr().getInt();
    p.tShift = lut.getTShiftAttr().getInt();
    p.table = lut.getTable();
  }
}

/// A unit's attributes before folding: weight, bias and requantization.
df::ComputeParams computeParams(ElementsAttr weight, ElementsAttr bias, int64_t shift,
                                int64_t accWidth) {
  df::ComputeParams p;
  p.weight = weight;
  p.bias = bias;
  p.shift = shift;
  p.accWidth = accWidth;
  return p;
}

Value Lowering::swg(Location loc, Value in, ArrayRef<int64_t> nchw, ArrayRef<int64_t> kernel,
                    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                    int64_t padValue, Operation *named) {
  int64_t c = nchw[1], h = nchw[2], w = nchw[3];
  int64_t oh = (h + pads[0] + pads[2] - dilations[0] * (kernel[0] - 1) - 1) / strides[0] + 1;
  int64_t ow = (w + pads[1] + pads[3] - dilations[1] * (kernel[1] - 1) - 1) / strides[1] + 1;
  Type elem = llvm::cast<df::StreamType>(in.getType()).getElementType();
  auto op = b.create<df::SwgOp>(loc, streamType(ctx, elem, oh * ow * kernel[0] * kernel[1] * c), in,
                                b.getI64IntegerAttr(c), b.getI64IntegerAttr(h),
                                b.getI64IntegerAttr(w), b.getDenseI64ArrayAttr(kernel),
                                b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(dilations),
                                b.getDenseI64ArrayAttr(pads), b.getI64IntegerAttr(padValue));
  copyName(named, op);
  return op;
}

LogicalResult Lowering::lower(nn::QConvOp conv) {
  Operation *act = fusedActivation(conv);
  Location loc = conv.getLoc();
  ArrayRef<int64_t> in = shapeOf(conv.getInput());
  auto wType = llvm::cast<ShapedType>(conv.getWeight().getType());
  int64_t oc = wType.getDimSize(0), icg = wType.getDimSize(1);
  int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3), c = in[1];
  int64_t group = conv.getGroupAttr().getInt();
  // Depthwise (group = channels = output channels) has its own unit; any
  // other grouping runs on the mvu with block-diagonal weights (the weights
  // between groups are zeros: exact, at the cost of their multipliers).
  bool depthwise = group > 1 && group == c && oc == c && icg == 1;
  if (!samePerm(permOf(conv.getInput()), nhwcPerm(in)))
    return unsupported(conv, notChannelsLast(conv.getInput()));
  Value s = take(conv.getInput(), loc);
  bool pointwise = kh == 1 && kw == 1 &&
                   llvm::all_of(conv.getStrides(), [](int64_t x) { return x == 1; }) &&
                   llvm::all_of(conv.getPads(), [](int64_t x) { return x == 0; });
  if (!pointwise || depthwise)
    s = swg(loc, s, in, {kh, kw}, conv.getStrides(), conv.getDilations(), conv.getPads(), 0, conv);
  Value result = act ? act->getResult(0) : Value(conv.getResult());
  ArrayRef<int64_t> out = shapeOf(result);
  Type elem = llvm::cast<ShapedType>(result.getType()).getElementType();
  std::vector<int64_t> w = ints(conv.getWeight());
  Type wElem = llvm::cast<ShapedType>(conv.getWeight().getType()).getElementType();
  auto outType = streamType(ctx, elem, out[1] * out[2] * out[3]);
  df::ComputeParams p;
  if (depthwise) {
    // weight[c][(kh*KW + kw)] = W[c][0][kh][kw]: already in that order.
    p = computeParams(intAttr(ctx, {c, kh * kw}, wElem, w), conv.getBias(),
                      conv.getShiftAttr().getInt(), conv.getAccWidthAttr().getInt());
  } else {
    // weight[oc][(kh*KW + kw)*C + c] = W[oc][c][kh][kw] (docs/CONTRACTS.md);
    // grouped: W[oc][c - first channel of oc's group], 0 outside the group.
    int64_t k = kh * kw * c, ocPerGroup = oc / group;
    std::vector<int64_t> m(oc * k, 0);
    for (int64_t o = 0; o < oc; ++o) {
      int64_t first = (o / ocPerGroup) * icg;
      for (int64_t ch = first; ch < first + icg; ++ch)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            m[o * k + (y * kw + x) * c + ch] = w[((o * icg + ch - first) * kh + y) * kw + x];
    }
    p = computeParams(intAttr(ctx, {oc, k}, wElem, m), conv.getBias(), conv.getShiftAttr().getInt(),
                      conv.getAccWidthAttr().getInt());
  }
  setActivation(p, act);
  setAffine(p, conv.getMultAttr(), conv.getPostBiasAttr(), affine);
  Operation *unit = depthwise ? b.create<df::DwuOp>(loc, outType, s, p).getOperation()
                              : b.create<df::MvuOp>(loc, outType, s, p).getOperation();
  copyName(conv, unit);
  bind(result, unit->getResult(0), nhwcPerm(out));
  return success();
}

/// An activation no layer absorbs (after a pool, a join, a concat, or on a
/// layer output with other users): its own actor, a 1x1 depthwise unit with
/// binary weights +1 and bias 0 (acc = x exactly, no multiplier, shift 0)
/// whose requantize stage applies the activation. Element-wise activations
/// take any channel grouping; per-channel slopes need the channels innermost
/// in the stream (a channels-last map, or a [rows, C] matrix in row order).
LogicalResult Lowering::lowerActivation(Operation &act) {
  Value input = act.getOperand(0), result = act.getResult(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  Perm perm = permOf(input);
  int64_t total =
      std::accumulate(shape.begin(), shape.end(), int64_t(1), std::multiplies<int64_t>());
  bool channelsLast = (shape.size() == 4 && samePerm(perm, nhwcPerm(shape))) ||
                      (shape.size() == 2 && (perm.empty() || isIdentity(perm)));
  auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(act);
  if (leaky && leaky.getMultsAttr() && !channelsLast)
    return unsupported(&act, "per-channel slopes need a channels-last feature map or a [rows, "
                             "channels] matrix in row order as input");
  int64_t c = channelsLast ? shape[1] : shape.back();
  if (c <= 0 || total % c != 0)
    c = total;
  Type elem = llvm::cast<ShapedType>(input.getType()).getElementType();
  int64_t width = elem.getIntOrFloatBitWidth();
  Value s = take(input, act.getLoc());
  df::ComputeParams p =
      computeParams(intAttr(ctx, {c, 1}, b.getIntegerType(2), std::vector<int64_t>(c, 1)),
                    intAttr(ctx, {c}, b.getIntegerType(width + 1), std::vector<int64_t>(c, 0)),
                    /*shift=*/0, /*accWidth=*/width + 1);
  p.binary = true;
  setActivation(p, &act);
  auto unit = b.create<df::DwuOp>(act.getLoc(), streamOf(result), s, p);
  copyName(&act, unit);
  bind(result, unit, perm);
  return success();
}

LogicalResult Lowering::lowerPool(Operation &op) {
  Location loc = op.getLoc();
  Value input = op.getOperand(0);
  ArrayRef<int64_t> in = shapeOf(input), out = shapeOf(op.getResult(0));
  if (!samePerm(permOf(input), nhwcPerm(in)))
    return unsupported(&op, notChannelsLast(input));
  Value s = take(input, loc);
  Type elem = llvm::cast<df::StreamType>(s.getType()).getElementType();
  int64_t c = in[1], npix = out[2] * out[3];
  SmallVector<int64_t> kernel, strides, dilations = {1, 1}, pads;
  StringRef mode;
  ElementsAttr divisors;
  int64_t padValue = 0;
  if (auto mp = llvm::dyn_cast<nn::MaxPoolOp>(op)) {
    kernel.assign(mp.getKernel().begin(), mp.getKernel().end());
    strides.assign(mp.getStrides().begin(), mp.getStrides().end());
    dilations.assign(mp.getDilations().begin(), mp.getDilations().end());
    pads.assign(mp.getPads().begin(), mp.getPads().end());
    mode = "max";
    // Padded positions must never win: the most negative code.
    padValue = -(int64_t(1) << (elem.getIntOrFloatBitWidth() - 1));
  } else {
    auto ap = llvm::cast<nn::AvgPoolOp>(op);
    kernel.assign(ap.getKernel().begin(), ap.getKernel().end());
    strides.assign(ap.getStrides().begin(), ap.getStrides().end());
    pads.assign(ap.getPads().begin(), ap.getPads().end());
    mode = "avg";
    bool padded = llvm::any_of(pads, [](int64_t p) { return p != 0; });
    if (padded && !ap.getCountIncludePad()) {
      // Divisor of each output pixel: its window's positions inside the input.
      std::vector<int64_t> d;
      for (int64_t oy = 0; oy < out[2]; ++oy)
        for (int64_t ox = 0; ox < out[3]; ++ox) {
          int64_t n = 0;
          for (int64_t y = 0; y < kernel[0]; ++y)
            for (int64_t x = 0; x < kernel[1]; ++x) {
              int64_t iy = oy * strides[0] + y - pads[0], ix = ox * strides[1] + x - pads[1];
              n += iy >= 0 && iy < in[2] && ix >= 0 && ix < in[3];
            }
          d.push_back(n);
        }
      divisors = intAttr(ctx, {npix}, b.getI64Type(), d);
    }
  }
  s = swg(loc, s, in, kernel, strides, dilations, pads, padValue, &op);
  auto pool = b.create<df::PoolOp>(
      loc, streamType(ctx, elem, npix * c), s, b.getStringAttr(mode), b.getI64IntegerAttr(c),
      b.getI64IntegerAttr(kernel[0] * kernel[1]), df::FoldingAttr::get(ctx, 1, 1), divisors,
      IntegerAttr(), b.getStringAttr("half_even"));
  // A QONNX Trunc after the pool (nn-quantize): its divisor and rounding.
  if (auto ap = llvm::dyn_cast<nn::AvgPoolOp>(op)) {
    if (ap.getDivisorAttr())
      pool.setDivisorAttr(ap.getDivisorAttr());
    pool.setRoundingAttr(ap.getRoundingAttr());
  }
  copyName(&op, pool);
  bind(op.getResult(0), pool, nhwcPerm(out));
  return success();
}

LogicalResult Lowering::lowerOp(Operation &op) {
  // Values already produced (an activation absorbed by its conv/dense layer).
  if (op.getNumResults() == 1 && env.count(op.getResult(0)))
    return success();
  if (op.getNumOperands() < 1)
    return unsupported(&op, "has no input stream");
  if (!env.count(op.getOperand(0)))
    return unsupported(&op, "its input is not a hardware stream");
  if (op.hasTrait<nn::OpTrait::FusableActivation>())
    return lowerActivation(op);
  if (op.hasTrait<nn::OpTrait::ElementwiseJoin>())
    return lowerJoin(op);
  return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
      .Case<nn::ReshapeOp, nn::TransposeOp, nn::QDenseOp, nn::QConvOp, nn::PadOp, nn::ResizeOp,
            nn::QSoftmaxOp, nn::QLayerNormOp, nn::QEmbedOp, nn::QAttentionOp, nn::QRotaryOp,
            nn::ConcatOp>(
          [&](auto typed) { return lower(typed); })
      .Case<nn::MaxPoolOp, nn::AvgPoolOp>([&](Operation *) { return lowerPool(op); })
      .Default([&](Operation *) {
        return unsupported(
            &op,
            "has no hardware actor yet; supported after quantization: dense, "
            "conv (incl. depthwise), max/average pooling, zero padding, nearest resize, residual "
            "add, channel concat, relu, clip, leaky relu, sign, table activations "
            "(sigmoid, tanh, elu, ...), softmax, layernorm, embedding, attention, reshape, transpose");
      });
}

/// Flat order is unchanged: same stream, same permutation.
LogicalResult Lowering::lower(nn::ReshapeOp op) {
  Value input = op->getOperand(0);
  Perm perm = permOf(input);
  Value s = take(input, op.getLoc());
  bind(op.getResult(), s, std::move(perm));
  return success();
}

/// out[j] = in[g(j)]; the stream keeps its order: perm' = g^-1 o perm.
LogicalResult Lowering::lower(nn::TransposeOp tr) {
  Value input = tr->getOperand(0);
  std::vector<int64_t> g = transposeSource(tr);
  int64_t n = g.size();
  std::vector<int64_t> ginv(n);
  for (int64_t j = 0; j < n; ++j)
    ginv[g[j]] = j;
  Perm perm = permOf(input);
  Perm next(n);
  for (int64_t i = 0; i < n; ++i)
    next[i] = ginv[perm.empty() ? i : perm[i]];
  Value s = take(input, tr.getLoc());
  bind(tr.getResult(), s, std::move(next));
  return success();
}

LogicalResult Lowering::lower(nn::QDenseOp dense) {
  Value input = dense.getInput();
  Operation *act = fusedActivation(dense);
  Value result = act ? act->getResult(0) : Value(dense.getResult());
  ElementsAttr weight = dense.getWeight();
  const Perm &p = permOf(input);
  if (!p.empty() && !isIdentity(p)) {
    // The stream delivers x[p[i]] as element i: weight'[n][i] = W[n][p[i]].
    auto wType = llvm::cast<ShapedType>(weight.getType());
    int64_t n = wType.getDimSize(0), k = wType.getDimSize(1);
    // M > 1 rows ([M, K] input, M vectors per frame): each row must arrive
    // permuted within itself, all rows alike.
    for (int64_t i = 0; i < int64_t(p.size()); ++i)
      if (p[i % k] >= k || p[i] != (i / k) * k + p[i % k])
        return unsupported(dense, "its input rows arrive interleaved in stream order (a "
                                  "transpose that mixes the rows precedes it)");
    std::vector<int64_t> w = ints(weight), w2(n * k);
    for (int64_t o = 0; o < n; ++o)
      for (int64_t i = 0; i < k; ++i)
        w2[o * k + i] = w[o * k + p[i]];
    weight = intAttr(ctx, {n, k}, wType.getElementType(), w2);
  }
  Value s = take(input, dense.getLoc());
  df::ComputeParams params = computeParams(weight, dense.getBias(), dense.getShiftAttr().getInt(),
                                           dense.getAccWidthAttr().getInt());
  setActivation(params, act);
  setAffine(params, dense.getMultAttr(), dense.getPostBiasAttr(), affine);
  auto mvu = b.create<df::MvuOp>(dense.getLoc(), streamOf(result), s, params);
  copyName(dense, mvu);
  bind(result, mvu, {});
  return success();
}

/// Zero padding is a 1x1 window over the padded map.
LogicalResult Lowering::lower(nn::PadOp pad) {
  Value input = pad->getOperand(0);
  ArrayRef<int64_t> in = shapeOf(input);
  if (!samePerm(permOf(input), nhwcPerm(in)))
    return unsupported(pad, notChannelsLast(input));
  Value s = take(input, pad.getLoc());
  s = swg(pad.getLoc(), s, in, {1, 1}, {1, 1}, {1, 1}, pad.getPads(), 0, pad);
  bind(pad.getResult(), s, nhwcPerm(shapeOf(pad.getResult())));
  return success();
}

/// Nearest upsampling: each input row is emitted sh times, each pixel sw times.
LogicalResult Lowering::lower(nn::ResizeOp rs) {
  Value input = rs->getOperand(0);
  ArrayRef<int64_t> in = shapeOf(input), out = shapeOf(rs.getResult());
  if (!samePerm(permOf(input), nhwcPerm(in)))
    return unsupported(rs, notChannelsLast(input));
  Value s = take(input, rs.getLoc());
  Type elem = llvm::cast<df::StreamType>(s.getType()).getElementType();
  auto up = b.create<df::UpsampleOp>(
      rs.getLoc(), streamType(ctx, elem, out[1] * out[2] * out[3]), s, b.getI64IntegerAttr(in[1]),
      b.getI64IntegerAttr(in[2]), b.getI64IntegerAttr(in[3]),
      b.getI64IntegerAttr(rs.getScales()[0]), b.getI64IntegerAttr(rs.getScales()[1]));
  copyName(rs, up);
  bind(rs.getResult(), up, nhwcPerm(out));
  return success();
}

LogicalResult Lowering::lower(nn::QSoftmaxOp sm) {
  Value input = sm->getOperand(0);
  Perm perm = permOf(input);
  Value s = take(input, sm.getLoc());
  auto actor = b.create<df::SoftmaxOp>(sm.getLoc(), streamOf(sm.getResult()), s, sm.getFracAttr(),
                                       sm.getExpShiftAttr(), sm.getExpFracAttr(), sm.getExpTable(),
                                       /*pipelined=*/UnitAttr());
  copyName(sm, actor);
  bind(sm.getResult(), actor, perm);
  return success();
}

/// Rows of the last axis must be contiguous in the stream, channel i at
/// position i: the element order must be nn's (identity permutation).
LogicalResult Lowering::lower(nn::QLayerNormOp ln) {
  Value input = ln->getOperand(0);
  Perm perm = permOf(input);
  if (!perm.empty() && !isIdentity(perm))
    return unsupported(ln, "its rows are not contiguous in the stream (a transpose or a "
                           "channels-last feature map before it); normalize the last axis of a "
                           "dense or MatMul output");
  auto type = ln.getInput().getType();
  Value s = take(input, ln.getLoc());
  auto actor = b.create<df::LayerNormOp>(
      ln.getLoc(), streamOf(ln.getResult()), s,
      b.getI64IntegerAttr(type.getDimSize(type.getRank() - 1)), ln.getEpsilonCodesAttr(),
      ln.getEpsilonShiftAttr(), ln.getPreShiftAttr(), ln.getRecipBitsAttr(), ln.getNormShiftAttr(), ln.getOutShiftAttr(),
      ln.getGamma(), ln.getBeta(), ln.getLoAttr(), ln.getHiAttr(), ln.getRmsAttr(),
      ln.getCodeCapsAttr());
  copyName(ln, actor);
  bind(ln.getResult(), actor, perm);
  return success();
}

/// Rows of C codes in nn's order (row t = position t), like LayerNorm's.
LogicalResult Lowering::lower(nn::QRotaryOp rot) {
  Value input = rot.getInput();
  Perm perm = permOf(input);
  if (!perm.empty() && !isIdentity(perm))
    return unsupported(rot, "its rows are not contiguous in the stream");
  auto type = rot.getInput().getType();
  Value s = take(input, rot.getLoc());
  auto actor = b.create<df::RotaryOp>(
      rot.getLoc(), streamOf(rot.getResult()), s, b.getI64IntegerAttr(type.getDimSize(0)),
      b.getI64IntegerAttr(type.getDimSize(1)), rot.getHeadDimAttr(), rot.getCos(), rot.getSin(),
      rot.getMultAttr(), rot.getShiftAttr(), rot.getLoAttr(), rot.getHiAttr());
  copyName(rot, actor);
  bind(rot.getResult(), actor, perm);
  return success();
}

/// Token ids in, rows out, both in nn's flat order (one id per beat; row t
/// of the result is the embedding of id t).
LogicalResult Lowering::lower(nn::QEmbedOp emb) {
  Value input = emb.getIds();
  Perm perm = permOf(input);
  if (!perm.empty() && !isIdentity(perm))
    return unsupported(emb, "its token ids are not streamed in order");
  auto table = llvm::cast<ShapedType>(emb.getTable().getType());
  Value s = take(input, emb.getLoc());
  auto actor = b.create<df::EmbedOp>(
      emb.getLoc(), streamOf(emb.getResult()), s, b.getI64IntegerAttr(table.getDimSize(0)),
      b.getI64IntegerAttr(table.getDimSize(1)),
      b.getI64IntegerAttr(emb.getIds().getType().getNumElements()), emb.getTable(),
      emb.getPosAttr(), emb.getLoAttr(), emb.getHiAttr());
  copyName(emb, actor);
  bind(emb.getResult(), actor, Perm());
  return success();
}

/// q, k and v must each arrive row by row ([T, C] in nn's order); each gets a
/// FIFO (df-fold sizes them) since the three often reconverge from one fork.
LogicalResult Lowering::lower(nn::QAttentionOp att) {
  Location loc = att.getLoc();
  SmallVector<Value, 3> ins;
  for (auto [port, v] : llvm::enumerate(SmallVector<Value, 3>{att.getQ(), att.getK(), att.getV()})) {
    if (!env.count(v))
      return unsupported(att, "its q, k or v is not a hardware stream");
    Perm perm = permOf(v);
    if (!perm.empty() && !isIdentity(perm))
      return unsupported(att, "its q, k or v rows are not contiguous in the stream (a transpose "
                              "before it); attention reads [T, C] rows");
    ins.push_back(joinFifo(att, take(v, loc), int(port)));
  }
  auto type = att.getQ().getType();
  auto actor = b.create<df::AttentionOp>(
      loc, streamOf(att.getResult()), ins[0], ins[1], ins[2],
      b.getI64IntegerAttr(type.getDimSize(0)), b.getI64IntegerAttr(type.getDimSize(1)),
      att.getHeadsAttr(), att.getCausalAttr(), att.getExpShiftAttr(), att.getExpTable(),
      att.getMultAttr(), att.getShiftAttr(), att.getZpAttr(), att.getLoAttr(), att.getHiAttr(),
      df::FoldingAttr::get(b.getContext(), 1, 1), att.getScoreRequantAttr(),
      att.getProbQuantAttr(), att.getWindowAttr(), att.getKeyBiasAttr());
  copyName(att, actor);
  bind(att.getResult(), actor, Perm());
  return success();
}

/// A residual add (or element-wise product) of two streams: a df.join with a
/// FIFO on each input (df-fold sizes them from the hw_model).
LogicalResult Lowering::lowerJoin(Operation &op) {
  Location loc = op.getLoc();
  Value input = op.getOperand(0), rhsTensor = op.getOperand(1);
  if (!env.count(rhsTensor))
    return unsupported(&op, "its second input is not a hardware stream");
  if (!samePerm(permOf(input), permOf(rhsTensor)))
    return unsupported(&op, "its inputs arrive in different stream orders");
  Perm perm = permOf(input);
  Value lhs = take(input, loc), rhs = take(rhsTensor, loc);
  lhs = joinFifo(&op, lhs, 0);
  rhs = joinFifo(&op, rhs, 1);
  auto mul = llvm::dyn_cast<nn::MulActOp>(op);
  auto add = llvm::dyn_cast<nn::AddActOp>(op);
  Operation *relu = fusedRelu(&op, /*clipToo=*/true);
  auto clip = llvm::dyn_cast_or_null<nn::ClipOp>(relu);
  auto join =
      b.create<df::JoinOp>(loc, lhs.getType(), lhs, rhs, b.getStringAttr(mul ? "mul" : "add"),
                           b.getI64IntegerAttr(mul ? mul.getFracAttr().getInt() : 0),
                           relu && !clip ? b.getUnitAttr() : UnitAttr(), IntegerAttr(),
                           IntegerAttr(), IntegerAttr(), IntegerAttr(), IntegerAttr(),
                           IntegerAttr());
  if (add && add.getShiftAttr()) { // scaled add (affine integer graphs)
    if (!add.getMultLhsAttr() || !add.getMultRhsAttr())
      return unsupported(&op, "a scaled add needs mult_lhs, mult_rhs and shift");
    join.setMultLhsAttr(add.getMultLhsAttr());
    join.setMultRhsAttr(add.getMultRhsAttr());
    join.setShiftAttr(add.getShiftAttr());
  }
  if (mul && mul.getMultAttr()) // affine product: mult * 2^-frac ~ s_a * s_b / s_out
    join.setMultAttr(mul.getMultAttr());
  if (clip) { // bounds are codes of the format (nn-quantize)
    join.setTMinAttr(b.getI64IntegerAttr(int64_t(clip.getMin().convertToDouble())));
    join.setTMaxAttr(b.getI64IntegerAttr(int64_t(clip.getMax().convertToDouble())));
  }
  copyName(&op, join);
  bind(relu ? relu->getResult(0) : op.getResult(0), join, perm);
  return success();
}

/// loom_concat interleaves two streams per pixel: the concatenated axis must be
/// the innermost one in stream order. That holds for the channels of a
/// channels-last feature map ([N, C, H, W], axis 1) and for the last axis of a
/// tensor streamed in its own order ([1, C] vectors, [1, T, C] rows).
LogicalResult Lowering::lower(nn::ConcatOp cat) {
  Location loc = cat.getLoc();
  ArrayRef<int64_t> a = shapeOf(cat.getLhs()), bs = shapeOf(cat.getRhs());
  auto out = shapeOf(cat.getResult());
  int64_t axis = cat.getAxisAttr().getInt();
  bool featureMaps = a.size() == 4 && axis == 1;
  bool lastAxis = !featureMaps && axis == int64_t(a.size()) - 1;
  if (!featureMaps && !lastAxis)
    return unsupported(cat, "only concatenation along the channels of feature maps or the "
                            "last axis is supported");
  if (!env.count(cat.getRhs()))
    return unsupported(cat, "its second input is not a hardware stream");
  Perm pa = featureMaps ? nhwcPerm(a) : Perm(), pb = featureMaps ? nhwcPerm(bs) : Perm();
  if (!samePerm(permOf(cat.getLhs()), pa) || !samePerm(permOf(cat.getRhs()), pb))
    return unsupported(cat, featureMaps ? "its inputs are not in channels-last stream order"
                                        : "its inputs are not streamed in their own order");
  Value lhs = take(cat.getLhs(), loc), rhs = take(cat.getRhs(), loc);
  lhs = joinFifo(cat, lhs, 0);
  rhs = joinFifo(cat, rhs, 1);
  int64_t c1 = featureMaps ? a[1] : a.back(), c2 = featureMaps ? bs[1] : bs.back();
  int64_t elements = 1;
  for (int64_t d : out)
    elements *= d;
  Type elem = llvm::cast<df::StreamType>(lhs.getType()).getElementType();
  Operation *relu = fusedRelu(cat);
  auto c = b.create<df::ConcatOp>(loc, streamType(ctx, elem, elements), lhs, rhs,
                                  b.getI64IntegerAttr(c1), b.getI64IntegerAttr(c2),
                                  relu ? b.getUnitAttr() : UnitAttr());
  copyName(cat, c);
  bind(relu ? relu->getResult(0) : Value(cat.getResult()), c,
       featureMaps ? nhwcPerm(out) : Perm());
  return success();
}

LogicalResult Lowering::run() {
  b.setInsertionPoint(func);
  auto graph = b.create<func::FuncOp>(func.getLoc(), func.getName(), b.getFunctionType({}, {}));
  Block *body = graph.addEntryBlock();
  b.setInsertionPointToStart(body);
  for (auto quant : func.getBody().front().getOps<nn::QuantizeOp>())
    affine |= bool(quant.getScaleAttr()) && !quant->hasAttr("loom.index"); // ids: any graph
  // One df.input per graph argument, in argument order (the order of the
  // top's ports and of report.json's inputs), each read by one quantizer.
  SmallVector<nn::QuantizeOp> inputQuant(func.getNumArguments());
  for (auto quant : func.getBody().front().getOps<nn::QuantizeOp>()) {
    auto arg = llvm::dyn_cast<BlockArgument>(quant.getInput());
    if (!arg)
      return unsupported(quant, "quantization inside the graph is not supported");
    if (inputQuant[arg.getArgNumber()])
      return unsupported(quant, "its graph input is quantized twice");
    inputQuant[arg.getArgNumber()] = quant;
  }
  for (auto [i, quant] : llvm::enumerate(inputQuant)) {
    auto name = func.getArgAttrOfType<StringAttr>(i, kNameAttr);
    if (!quant && func.getArgument(i).use_empty())
      return func.emitError("graph input '")
             << (name ? name.getValue() : "?")
             << "' is not used by the graph; remove it from the model";
    if (!quant)
      continue; // its float readers are refused below, by name
    auto in = b.create<df::InputOp>(quant.getLoc(), streamOf(quant.getResult()),
                                    name ? name : b.getStringAttr("input"));
    in->setAttr("loom.frac", quant.getFracAttr());
    // A feature map consumed by a convolution streams channels-last; the
    // host reorders the NCHW frame (loom.perm).
    Perm perm;
    if (auto order = channelsLastOrder(quant.getResult())) {
      perm = std::move(*order);
      if (!isIdentity(perm))
        in->setAttr("loom.perm", b.getDenseI64ArrayAttr(perm));
    }
    bind(quant.getResult(), in, perm);
  }
  for (Operation &op : func.getBody().front()) {
    if (llvm::isa<nn::QuantizeOp>(op))
      continue;
    if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
        auto deq = operand.getDefiningOp<nn::DequantizeOp>();
        if (!deq || !env.count(deq.getInput()))
          return ret.emitError("graph output ") << i << " is not produced by hardware";
        Perm perm = permOf(deq.getInput());
        Value s = take(deq.getInput(), op.getLoc());
        // A graph without compute (only quantizers, reshapes, transposes) still
        // needs a hardware path from the input port to the output port.
        if (s.getDefiningOp<df::InputOp>())
          s = b.create<df::SkidOp>(op.getLoc(), s.getType(), s);
        auto name = func.getResultAttrOfType<StringAttr>(i, kNameAttr);
        auto out = b.create<df::OutputOp>(op.getLoc(), s, name ? name : b.getStringAttr("output"));
        out->setAttr("loom.frac", deq.getFracAttr());
        if (!perm.empty() && !isIdentity(perm))
          out->setAttr("loom.perm", b.getDenseI64ArrayAttr(perm));
      }
      continue;
    }
    if (llvm::isa<nn::DequantizeOp, nn::ConstantOp>(op))
      continue;
    if (failed(lowerOp(op)))
      return failure();
  }
  // A fork's consumers are taken in op order, so a graph output reached
  // through absorbed layout ops (a use_cache export's present.* K / V heads)
  // can hold the first result while a later actor holds the second. Both
  // results are the same stream; hw_model orders a fork's consumers as its
  // results, outputs last, so the output gets the second.
  graph.walk([&](df::ForkOp fork) {
    auto soleUser = [](Value v) -> Operation * {
      return v.hasOneUse() ? *v.user_begin() : nullptr;
    };
    Operation *u0 = soleUser(fork.getFirst()), *u1 = soleUser(fork.getSecond());
    if (u0 && u1 && llvm::isa<df::OutputOp>(u0) && !llvm::isa<df::OutputOp>(u1)) {
      OpOperand &a = *fork.getFirst().use_begin(), &c = *fork.getSecond().use_begin();
      a.set(fork.getSecond());
      c.set(fork.getFirst());
    }
  });
  b.create<func::ReturnOp>(func.getLoc());
  func.erase();
  return success();
}

struct NNToDFPass : loom::impl::NNToDFBase<NNToDFPass> {
  void runOnOperation() override {
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>()))
      if (failed(Lowering(&getContext(), func).run()))
        return signalPassFailure();
  }
};

} // namespace
