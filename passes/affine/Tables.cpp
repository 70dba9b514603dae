//===- Tables.cpp - table activations and softmax on codes ------------------===//
//
// See AffineGraph.h and docs/CONTRACTS.md "Affine integer graphs".
//
//===----------------------------------------------------------------------===//
#include "passes/affine/AffineGraph.h"

#include "compiler/numerics/Tables.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace loom::affine {

bool isTableFunction(Operation *op) {
  if (auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(op))
    return !leaky.getAlphas(); // per-channel slopes would need a table per channel
  return llvm::isa<nn::TableActivationOpInterface>(op);
}

/// The float function of a table function (its result rounded to f32 by
/// the caller, as ONNX Runtime computes it).
static std::function<double(double)> tableFunction(Operation *fn) {
  if (auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(fn)) {
    double a = double(float(leaky.getAlpha().convertToDouble()));
    return [a](double x) { return x >= 0 ? x : double(float(a * x)); };
  }
  auto act = llvm::cast<nn::TableActivationOpInterface>(fn);
  return [act](double x) mutable { return act.evaluate(x); };
}

FailureOr<Value> buildTable(AffineGraph &g, nn::QuantizeLinearOp ql, const Pending &p,
                            const Quant &out, int64_t qmin, int64_t qmax, Twin &r) {
  Operation *fn = p.layer;
  Twin in = *g.asReal(fn->getOperand(0));
  std::function<double(double)> f = tableFunction(fn);
  // A float Relu / Clip after the function is part of it.
  double lo = p.relu ? std::max(0.0, p.clipLo) : p.clipLo, hi = p.clipHi;
  auto clamped = [&](double x) { return std::min(std::max(double(float(f(x))), lo), hi); };
  std::vector<int64_t> table = numerics::affineTable(in.lo, in.hi, in.q.scale[0], clamped,
                                                     out.scale[0], out.zp[0], qmin, qmax);
  r.lo = *std::min_element(table.begin(), table.end());
  r.hi = *std::max_element(table.begin(), table.end());
  auto lut = [&](Value v) -> Value {
    // Named after its function (sigmoid, gelu, ...) for the IR and the report;
    // other functions tabulated here (a LeakyRelu over odd scales) stay "table".
    auto op = g.b.create<nn::LutOp>(fn->getLoc(), v.getType(), v,
                                    g.b.getStringAttr(llvm::isa<nn::TableActivationOpInterface>(fn)
                                                          ? fn->getName().stripDialect()
                                                          : llvm::StringRef("table")),
                                    g.b.getI64IntegerAttr(in.lo), g.b.getI64IntegerAttr(in.hi),
                                    g.b.getI64IntegerAttr(0),
                                    intAttr(g.ctx, {int64_t(table.size())}, g.width, table));
    g.copyName(fn, op);
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
  return identityLayer(g, ql, in.codes, in.lo, in.hi, one, "_table", lut);
}

/// -log2(s) when s is a power of two 2^-F with 0 <= F < width, else -1.
static int powerOfTwoFrac(AffineGraph &g, double s) {
  int e = 0;
  double m = std::frexp(s, &e);
  return m == 0.5 && 1 - e >= 0 && 1 - e < int(g.width) ? 1 - e : -1;
}

LogicalResult lowerSoftmax(AffineGraph &g, nn::SoftmaxOp sm) {
  auto t = g.asReal(sm.getInput());
  if (!t)
    return g.fail(sm, "its input is not a dequantized tensor");
  if (t->q.perAxis())
    return g.fail(sm, "softmax needs one input scale, not one per channel");
  int fOut = -1;
  Value res = sm.getResult();
  if (res.hasOneUse())
    if (auto next = llvm::dyn_cast<nn::QuantizeLinearOp>(*res.getUsers().begin()))
      if (next.getScale().size() == 1 && next.getZeroPoint()[0] == 0 && !next.getBipolar())
        fOut = powerOfTwoFrac(g, next.getScale()[0]);
  if (fOut < 0 && t->q.zeroZp())
    fOut = powerOfTwoFrac(g, t->q.scale[0]);
  numerics::FixedFormat fmt;
  fmt.width = g.width;
  fmt.intBits = g.width - fOut;
  if (fOut < 0 || numerics::validateFixedFormat(fmt).operator bool())
    return g.fail(sm, "softmax needs a power-of-two output scale 2^-F with zero point 0 (its "
                      "QuantizeLinear, or its input's), got input scale " +
                          Twine(num(t->q.scale[0])));
  numerics::ExpTable table = numerics::makeExpTableForScale(t->q.scale[0], int(g.width));
  Type type = t->codes.getType();
  auto q = g.b.create<nn::QSoftmaxOp>(
      sm.getLoc(), type, t->codes, g.b.getI64IntegerAttr(fmt.frac()),
      g.b.getI64IntegerAttr(table.shift), g.b.getI64IntegerAttr(numerics::ExpTable::kFrac),
      intAttr(g.ctx, {table.depth()}, table.bits + 1, table.values));
  g.copyName(sm, q);
  Twin r = *t;
  r.codes = q.getResult();
  r.q.scale = {std::ldexp(1.0, -fOut)};
  r.q.zp = {0};
  r.lo = 0, r.hi = std::min<int64_t>(int64_t(1) << fmt.frac(), fmt.maxInt());
  g.twins[sm.getResult()] = r;
  return success();
}

} // namespace loom::affine
