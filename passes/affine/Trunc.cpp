//===- Trunc.cpp - QONNX Trunc on codes -------------------------------------===//
//
// See AffineGraph.h and docs/CONTRACTS.md "Affine integer graphs".
//
//===----------------------------------------------------------------------===//
#include "passes/affine/AffineGraph.h"

namespace loom::affine {

nn::TruncOp truncAfterPool(AffineGraph &g, nn::AvgPoolOp ap) {
  if (!ap->hasOneUse())
    return nullptr;
  Operation *mul = *ap->user_begin();
  if (!llvm::isa<nn::MulOp>(mul) || !mul->hasOneUse())
    return nullptr;
  return llvm::dyn_cast<nn::TruncOp>(*mul->user_begin());
}

/// Whether `mul` (nn.mul by a constant) multiplies every element by exactly k.
static bool multipliesBy(AffineGraph &g, Operation *mul, double k) {
  std::vector<double> c;
  if (auto m = llvm::dyn_cast<nn::MulOp>(mul))
    if (auto cst = m.getRhs().getDefiningOp<nn::ConstantOp>())
      c = floatsOf(cst.getValue());
  return !c.empty() && llvm::all_of(c, [&](double v) { return v == k; });
}

/// The input twin of a Trunc-like rescale whose codes are round(x / scale):
/// x must be real-valued codes at that very scale (f32 equality).
static FailureOr<Twin> truncInput(AffineGraph &g, nn::TruncOp tr, Value in) {
  auto t = g.asReal(in);
  if (!t)
    return g.fail(tr, g.twins.count(in) ? "truncates integers that were not dequantized"
                                        : "its input is not a quantized tensor");
  if (t->q.perAxis())
    return g.fail(tr, "per-axis activation scales are only supported at the graph ends");
  double s = tr.getScale().convertToDouble();
  if (float(s) != float(t->q.scale[0]))
    return g.fail(tr, "its scale " + Twine(num(s)) + " differs from its input's scale " +
                          Twine(num(t->q.scale[0])) +
                          "; Loom truncates codes only at their own scale");
  return *t;
}

/// Integer sum-and-shift pool y = rnd(sum / 2^shift) on t's codes and the
/// Trunc's result twin; `lo`, `hi` bound one window's sum.
static LogicalResult buildTruncPool(AffineGraph &g, nn::TruncOp tr, Operation *named, const Twin &t,
                                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> pads, __int128 lo, __int128 hi) {
  auto mode = numerics::parseRounding(tr.getRounding());
  if (!mode)
    return g.fail(tr, "unknown rounding mode '" + tr.getRounding() + "'");
  double div = std::ldexp(1.0, int(tr.getShiftAttr().getInt()));
  // s / 2^shift is exact in double for |s| < 2^53 (rounding is monotone).
  int64_t yLo = int64_t(numerics::roundWith(double(lo) / div, *mode));
  int64_t yHi = int64_t(numerics::roundWith(double(hi) / div, *mode));
  int64_t qmin = tr.getQminAttr().getInt(), qmax = tr.getQmaxAttr().getInt();
  if (yLo < qmin || yHi > qmax)
    return g.fail(tr, "its output range [" + Twine(qmin) + ", " + Twine(qmax) +
                          "] clips the truncated codes [" + Twine(yLo) + ", " + Twine(yHi) +
                          "]; Loom's pool does not clamp (use a wider output bit width)");
  int64_t wMin = g.codeMin(), wMax = g.codeMax();
  if (yLo < wMin || yHi > wMax)
    return g.fail(tr, "the truncated codes [" + Twine(yLo) + ", " + Twine(yHi) +
                          "] do not fit the " + Twine(g.width) + "-bit activation width");
  auto pool = g.b.create<nn::AvgPoolOp>(
      tr.getLoc(), intTensor(tr.getType(), g.width), t.codes, g.b.getDenseI64ArrayAttr(kernel),
      g.b.getDenseI64ArrayAttr(strides), g.b.getDenseI64ArrayAttr(pads), g.b.getBoolAttr(true),
      g.b.getI64IntegerAttr(int64_t(div)), tr.getRoundingAttr());
  g.copyName(named, pool);
  Twin r;
  r.codes = pool.getResult();
  r.q.scale = {tr.getOutScale().convertToDouble()};
  r.q.zp = {0};
  r.lo = yLo, r.hi = yHi;
  g.twins[tr.getResult()] = r;
  return success();
}

LogicalResult lowerTruncPool(AffineGraph &g, nn::AvgPoolOp ap, nn::TruncOp tr) {
  Operation *mul = *ap->user_begin();
  auto t = truncInput(g, tr, ap.getInput());
  if (failed(t))
    return failure();
  int64_t kk = ap.getKernel()[0] * ap.getKernel()[1];
  bool padded = llvm::any_of(ap.getPads(), [](int64_t p) { return p != 0; });
  if (!multipliesBy(g, mul, double(kk)))
    return g.fail(mul, "an average pool before a Trunc must be multiplied by its window size " +
                           Twine(kk) + " (Brevitas TruncAvgPool)");
  if (padded && !ap.getCountIncludePad())
    return g.fail(ap, "a padded average pool before a Trunc must count the padding "
                      "(count_include_pad = 1), or the window sums are not integers");
  __int128 lo = padded ? std::min<int64_t>(t->lo, 0) : t->lo;
  __int128 hi = padded ? std::max<int64_t>(t->hi, 0) : t->hi;
  g.truncConsumed.insert(mul);
  g.truncConsumed.insert(tr);
  return buildTruncPool(g, tr, ap, *t, ap.getKernel(), ap.getStrides(), ap.getPads(), lo * kk,
                        hi * kk);
}

LogicalResult lowerTrunc(AffineGraph &g, nn::TruncOp tr) {
  auto t = truncInput(g, tr, tr.getInput());
  if (failed(t))
    return failure();
  if (tr.getType().getRank() != 4)
    return g.fail(tr, "a Trunc that does not follow an average pool needs an NCHW feature map "
                      "(rank 4), got rank " +
                          Twine(tr.getType().getRank()));
  int64_t one[2] = {1, 1}, zero[4] = {0, 0, 0, 0};
  return buildTruncPool(g, tr, tr, *t, one, one, zero, t->lo, t->hi);
}

} // namespace loom::affine
