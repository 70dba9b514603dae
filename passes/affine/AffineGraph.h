//===- AffineGraph.h - state of the affine integer lowering -----*- C++ -*-===//
//
// The lowering of QDQ float graphs to affine integer graphs (NNQuantizeAffine.h,
// docs/CONTRACTS.md "Affine integer graphs") is one walk over the ops
// (passes/NNQuantizeAffine.cpp). Every float value the graph quantizes gets a
// twin: the integer value of its centered codes c = q - zp, with its
// quantizer (scale, zero point) and code range. The twin of a quantize_linear
// result "holds q" (the float value is the integer q); the twin of a
// dequantize_linear result holds the real value s * c. Both share the codes.
// A layer (dense, conv, add_act) or a table function on a twin is "pending"
// until its quantize_linear is seen, because the requantization needs the
// output scale.
//
// This header holds that shared state (AffineGraph) and the stages the walk
// calls, one file each:
//   Rescale.cpp  identity requantization actors and the moves around them;
//   Layers.cpp   dense / conv / add_act meeting their output quantizer;
//   Tables.cpp   table activations on codes and the integer softmax;
//   Moves.cpp    relu, data movement, pooling and concat on codes;
//   Trunc.cpp    QONNX Trunc (and Brevitas' TruncAvgPool);
//   Norm.cpp     LayerNorm meeting its output quantizer;
//   Attention.cpp attention meeting its output quantizer.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PASSES_AFFINE_AFFINEGRAPH_H
#define LOOM_PASSES_AFFINE_AFFINEGRAPH_H

#include "dialects/nn/IntAttrs.h"
#include "dialects/nn/NNOps.h"
#include "dialects/nn/NodeNames.h"

#include "compiler/numerics/Affine.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace loom::affine {

using namespace mlir;

constexpr double kInf = std::numeric_limits<double>::infinity();

/// A real number for an error message ("0.00390625", "1e-09").
inline std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

/// Smallest signed width holding every value of [lo, hi] (at least 2, the
/// narrowest integer tensor the dialect allows).
inline int widthOfRange(__int128 lo, __int128 hi) {
  int w = 2;
  while (w < 127 && (lo < -(__int128(1) << (w - 1)) || hi > (__int128(1) << (w - 1)) - 1))
    ++w;
  return w;
}

inline std::vector<double> floatsOf(ElementsAttr attr) {
  std::vector<double> out;
  for (APFloat v : attr.getValues<APFloat>())
    out.push_back(v.convertToDouble());
  return out;
}

/// Ops that only reorder codes (reshape, identity, transpose): a layer's
/// requantization can move across them.
inline bool reordersOnly(Operation *op) {
  return op->hasTrait<nn::OpTrait::LayoutOnly>() || llvm::isa<nn::TransposeOp>(op);
}

/// Whether `v` only leaves the graph: every use is the return, or a layout op
/// (reshape, ...) whose result only leaves it.
inline bool onlyLeavesGraph(Value v) {
  return !v.use_empty() && llvm::all_of(v.getUsers(), [](Operation *u) {
    return llvm::isa<func::ReturnOp>(u) ||
           (u->hasTrait<nn::OpTrait::LayoutOnly>() && u->getNumResults() == 1 &&
            onlyLeavesGraph(u->getResult(0)));
  });
}

/// Whether `v` is a dense / conv result (or its Relu / Clip) that only leaves
/// the graph: a classifier's or an LM's last layer. Its output quantizer keeps
/// its own code width rather than W_A (no join or concat reads the codes), so
/// --precision int8 gives it int16 codes at no cost to the other streams.
inline bool isGraphOutputLayer(Value v) {
  Operation *op = v.getDefiningOp();
  if (op && llvm::isa<nn::ReluOp, nn::ClipOp>(op))
    op = op->getOperand(0).getDefiningOp();
  return op && llvm::isa<nn::WeightedLayerOpInterface>(op) && onlyLeavesGraph(v);
}

/// The same after nn-insert-quant: the quantizer of such a layer, whose every
/// use is a dequantize_linear that only leaves the graph.
inline bool quantizesGraphOutputLayer(nn::QuantizeLinearOp ql) {
  Value in = ql.getOperand();
  Operation *op = in.getDefiningOp();
  if (op && llvm::isa<nn::ReluOp, nn::ClipOp>(op))
    op = op->getOperand(0).getDefiningOp();
  if (!op || !llvm::isa<nn::WeightedLayerOpInterface>(op) || !in.hasOneUse())
    return false;
  return !ql->use_empty() && llvm::all_of(ql->getUsers(), [](Operation *u) {
    auto dq = llvm::dyn_cast<nn::DequantizeLinearOp>(u);
    return dq && onlyLeavesGraph(dq.getResult());
  });
}

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
  bool zeroZp() const {
    return llvm::all_of(zp, [](int64_t z) { return z == 0; });
  }
};

template <typename QOp> Quant quantOf(QOp op) {
  Quant q;
  q.scale.assign(op.getScale().begin(), op.getScale().end());
  q.zp.assign(op.getZeroPoint().begin(), op.getZeroPoint().end());
  q.axis = op.getAxisAttr().getInt();
  return q;
}

/// The integer side of a quantized float value.
struct Twin {
  Value codes;            // centered codes c = q - zp, type iW_A
  Quant q;                // real = scale * c
  int64_t lo = 0, hi = 0; // range of c
  bool holdsQ = false;    // the float value is q (not the real value)
};

/// A float layer output waiting for its output quantizer.
struct Pending {
  Operation *layer = nullptr; // nn.dense, nn.conv, nn.add_act, a table function, nn.layernorm
                              // or nn.attention
  bool relu = false;
  double clipLo = -kInf, clipHi = kInf; // a float Clip between layer and quantizer
  SmallVector<Operation *> moves;       // reshapes / transposes between layer and quantizer

  /// Narrows the output code range [lo, hi] (scale sOut) by the Relu / Clip
  /// between the layer and its quantizer; false when nothing is left.
  bool clampCodes(int64_t &lo, int64_t &hi, double sOut) const {
    if (relu)
      lo = std::max<int64_t>(lo, 0);
    if (clipLo > -kInf)
      lo = std::max(lo, numerics::roundToInt64(clipLo / sOut));
    if (clipHi < kInf)
      hi = std::min(hi, numerics::roundToInt64(clipHi / sOut));
    return lo <= hi;
  }
};

/// The integers a layer computes with (CONTRACTS): weights round(w / ws[n]),
/// biases at the accumulator scale s_in * ws[n], and the accumulator width
/// over the input code range. A folded float BatchNormalization leaves biases
/// that are not whole accumulator steps: `biasSteps` keeps them exactly and
/// `fractionalBias` says whether any channel needs a post-multiply bias.
struct LayerInts {
  std::vector<int64_t> w, b;
  std::vector<double> biasSteps; // bias[n] / accScale[n]
  bool fractionalBias = false;
  int wWidth = 2;
  int64_t accWidth = 2;
  std::vector<double> accScale; // s_in * ws[n], one per output
  int64_t n = 0;
  /// --runtime-weights (int8): the bias width the accumulator is sized for (0: none)
  int64_t rtBiasBits = 0;
};

/// The state every stage reads and extends: the twins of the values lowered
/// so far, the pending layers, the activation width W_A and the builder.
struct AffineGraph {
  explicit AffineGraph(func::FuncOp func) : func(func), ctx(func.getContext()), b(ctx) {}

  /// Every refusal names the ONNX node (dialects/nn/NodeNames.h).
  LogicalResult fail(Operation *op, const Twine &why) {
    return op->emitError() << "cannot quantize " << nn::describeNode(op) << ": " << why;
  }

  /// Code range of q in [qmin, qmax] over every zero point of t's quantizer.
  static void setRange(Twin &t, int64_t qmin, int64_t qmax) {
    t.lo = INT64_MAX, t.hi = INT64_MIN;
    for (int64_t z : t.q.zp) {
      t.lo = std::min(t.lo, qmin - z);
      t.hi = std::max(t.hi, qmax - z);
    }
  }

  /// The result of a layer that computes its output codes itself (LayerNorm,
  /// attention, rotary, embedding): quantizer `out`'s code range, narrowed by the
  /// Relu / Clip between layer and quantizer; refused, naming `what`, when empty.
  FailureOr<Twin> quantizedResult(Operation *ql, const Pending &p, const Quant &out,
                                  int64_t qmin, int64_t qmax, StringRef what) {
    Twin r;
    r.q = out;
    r.holdsQ = true;
    setRange(r, qmin, qmax);
    if (!p.clampCodes(r.lo, r.hi, out.scale[0]))
      return fail(ql, "the quantizer's range excludes every value of the " + what);
    return r;
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

  Value clipCodes(Operation *at, Value codes, int64_t lo, int64_t hi) {
    return b.create<nn::ClipOp>(at->getLoc(), codes.getType(), codes, b.getF64FloatAttr(double(lo)),
                                b.getF64FloatAttr(double(hi)));
  }

  void copyName(Operation *from, Operation *to) {
    for (StringRef name : {nn::kNodeNameAttr, nn::kOpTypeAttr})
      if (auto attr = from->getAttr(name))
        to->setAttr(name, attr);
  }

  /// Smallest / largest code of the W_A-bit activation streams.
  int64_t codeMin() const { return -(int64_t(1) << (width - 1)); }
  int64_t codeMax() const { return (int64_t(1) << (width - 1)) - 1; }

  func::FuncOp func;
  MLIRContext *ctx;
  OpBuilder b;
  int width = 8; // W_A
  llvm::DenseMap<Value, Twin> twins;
  llvm::DenseMap<Value, Pending> pending;
  llvm::DenseMap<Value, nn::QuantizeLinearOp> argQuantizer;
  llvm::DenseSet<Operation *> truncConsumed; // the Mul and Trunc of a TruncAvgPool
};

//===--- Rescale.cpp: identity requantization actors ---===//

/// The identity requantization actor (CONTRACTS): a 1x1 depthwise
/// nn.qconv with weights 1 and bias 0 on the codes seen as [1, C, H, W], so
/// y = saturate(shift_round_even(c * M, S)); `act` adds its fused
/// activation (range clip or table). Named after `at` plus `suffix`.
/// Being element-wise, it runs before the reshapes / transposes that made
/// `codes` (repeated after it): a convolution needs channels-last streams.
Value identityLayer(AffineGraph &g, Operation *at, Value codes, int64_t inLo, int64_t inHi,
                    const numerics::Requant &rq, StringRef suffix,
                    llvm::function_ref<Value(Value)> act);

/// Codes of t requantized to scale sOut and clipped to [lo, hi] (a
/// DequantizeLinear -> QuantizeLinear pair with a new scale).
FailureOr<Value> rescale(AffineGraph &g, Operation *at, const Twin &t, double sOut, int64_t lo,
                         int64_t hi, StringRef suffix);

/// Applies the reshapes / transposes recorded between a layer and its
/// quantizer to the layer's integer output.
Value applyMoves(AffineGraph &g, Value v, const Pending &p);

//===--- Layers.cpp: dense, conv and add_act meet their quantizer ---===//

/// The requantization multiplier rounds half to even (CONTRACTS); a
/// quantizer asking for another mode there would silently move results by
/// one step, so it is refused.
LogicalResult requireHalfEven(AffineGraph &g, nn::QuantizeLinearOp ql);

/// A pending layer meets its output quantizer: integer layer with mult /
/// shift, then the output range as a clip (CONTRACTS).
LogicalResult requantize(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                         const Quant &out, int64_t qmin, int64_t qmax);

/// A layer returned without a quantizer: its accumulator (after its Relu
/// and moves) is the graph output, at scale s_in * weight_scale.
FailureOr<Value> returnAccumulator(AffineGraph &g, func::ReturnOp ret, const Pending &p);

//===--- Tables.cpp: table activations and softmax on codes ---===//

/// Element-wise float functions that become a table on codes (CONTRACTS):
/// the table activations (nn::TableActivationOpInterface) and LeakyRelu
/// with one slope.
bool isTableFunction(Operation *op);

/// An element-wise function between two quantizers: nn.lut with the exact
/// table over the input codes (numerics::affineTable), fused into the layer
/// that produced the codes when nothing else reads them, else after an
/// identity actor. Returns the output codes and sets r.lo / r.hi.
FailureOr<Value> buildTable(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                            const Quant &out, int64_t qmin, int64_t qmax, Twin &r);

/// Softmax on codes: nn.qsoftmax. The exp table is built for the input's
/// real scale (differences of codes do not depend on the zero point); the
/// output frac F comes from the quantizer right after the softmax when it is
/// 2^-F with zero point 0 (ONNX Runtime quantizes softmax outputs at 1/256),
/// else from a power-of-two input scale with zero point 0 (kept; CONTRACTS).
LogicalResult lowerSoftmax(AffineGraph &g, nn::SoftmaxOp sm);

//===--- Norm.cpp: LayerNorm on codes ---===//

/// A pending nn.layernorm meets its output quantizer: nn.qlayernorm with the
/// output range (and a Relu / Clip before the quantizer) as its clamp.
LogicalResult lowerLayerNorm(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                             const Quant &out, int64_t qmin, int64_t qmax);

//===--- Embed.cpp: token embedding on codes ---===//

/// A pending nn.embed meets its output quantizer: nn.qembed with tables in
/// the quantizer's codes and its range (and a Relu / Clip) as the clamp.
LogicalResult lowerEmbed(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                         const Quant &out, int64_t qmin, int64_t qmax);

//===--- Attention.cpp: attention on codes ---===//

/// A pending nn.attention meets its output quantizer: nn.qattention with the
/// output range (and a Relu / Clip before the quantizer) as its clamp.
LogicalResult lowerAttention(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                             const Quant &out, int64_t qmin, int64_t qmax);
/// A pending nn.rotary meets its output quantizer: nn.qrotary (CONTRACTS "Rotary").
LogicalResult lowerRotary(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                          const Quant &out, int64_t qmin, int64_t qmax);

//===--- Trunc.cpp: QONNX Trunc on codes ---===//

/// Brevitas' TruncAvgPool export AveragePool(k) -> Mul(k*k) -> Trunc: the
/// Trunc of the avg_pool's only user (a Mul by the window size), or null.
nn::TruncOp truncAfterPool(AffineGraph &g, nn::AvgPoolOp ap);

/// avg_pool -> mul(k*k) -> trunc: the window's code sum shifted right. The
/// float graph's avg * k*k / scale rounds back to that sum (QONNX rounds
/// x / scale first), whatever the input's zero point (codes are centered).
LogicalResult lowerTruncPool(AffineGraph &g, nn::AvgPoolOp ap, nn::TruncOp tr);

/// A Trunc on its own (after a quantizer): the codes shifted right, as a
/// 1x1 sum-and-shift pool on a feature map.
LogicalResult lowerTrunc(AffineGraph &g, nn::TruncOp tr);

//===--- Moves.cpp: relu, data movement and concat on codes ---===//

/// Relu on real-valued codes: max(c, 0).
LogicalResult lowerRelu(AffineGraph &g, Operation *op);

/// Data movement and pooling keep scale and zero point (CONTRACTS).
LogicalResult lowerMove(AffineGraph &g, Operation *op);

/// Concat of codes. Inputs in different quantizers are each requantized
/// (identity actor) to the QuantizeLinear that reads the concat, as ONNX
/// Runtime's Concat -> QuantizeLinear rounds each real value once.
LogicalResult lowerConcat(AffineGraph &g, nn::ConcatOp cat);

} // namespace loom::affine

#endif
