//===- FoldUnits.cpp - what one actor's folding costs, which to try -------===//
#include "passes/FoldUnits.h"

#include "passes/DFCost.h"

#include "hw_model/Cost.h"

#include <algorithm>

using namespace mlir;

namespace loom::folding {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> d;
  for (int64_t i = 1; i <= n; ++i)
    if (n % i == 0)
      d.push_back(i);
  return d;
}

bool isCompute(Operation *op) { return llvm::isa<df::MvuOp, df::DwuOp, df::AttentionOp>(op); }
int64_t multsPerLane(Operation *op) { return llvm::isa<df::AttentionOp>(op) ? 2 : 1; }
bool isFoldable(Operation *op) { return llvm::isa<df::FoldableOpInterface>(op); }

df::FoldableOpInterface fold(Operation *op) { return llvm::cast<df::FoldableOpInterface>(op); }
int64_t simdOf(Operation *op) { return fold(op).getSimd(); }
int64_t peOf(Operation *op) { return fold(op).getPe(); }
void setSimd(Operation *op, int64_t simd) { fold(op).setSimdPe(simd, peOf(op)); }
void setPe(Operation *op, int64_t pe) {
  // a pool reads several window positions a beat only with every channel
  bool keep = !llvm::isa<df::PoolOp>(op) || pe == fold(op).getFoldOutputs();
  fold(op).setSimdPe(keep ? simdOf(op) : 1, pe);
}

int64_t vectorsOf(Operation *op) {
  auto config = hwConfigOf(op);
  if (!config)
    return 1;
  if (auto *m = std::get_if<hw::MvuConfig>(&*config))
    return m->VECTORS;
  if (auto *d = std::get_if<hw::DwuConfig>(&*config))
    return d->VECTORS;
  return 1;
}

int64_t frameSteps(Operation *op) {
  int64_t k = fold(op).getFoldReduction(), n = fold(op).getFoldOutputs(), v = vectorsOf(op);
  if (fold(op).foldsAcrossVectors())
    return ceilDiv(v * k, simdOf(op));
  return (v / mmvOf(op)) * ceilDiv((n / peOf(op)) * k, simdOf(op));
}

std::vector<int64_t> simdCandidates(Operation *op, int64_t pe, int64_t mmv,
                                    int64_t maxFrameSteps) {
  int64_t k = fold(op).getFoldReduction(), n = fold(op).getFoldOutputs(), v = vectorsOf(op);
  std::vector<int64_t> c = divisors(k);
  int64_t simd = 0;
  if (pe == n && mmv == 1 && v > 1 && maxFrameSteps >= 1) // flat across vectors
    simd = ceilDiv(v * k, maxFrameSteps);
  else if (int64_t groups = v / mmv; fold(op).foldsFlat() && maxFrameSteps >= groups)
    simd = ceilDiv((n / pe) * k, maxFrameSteps / groups); // flat within a vector
  if (simd >= 1 && simd < k && k % simd != 0)
    c.insert(std::upper_bound(c.begin(), c.end(), simd), simd);
  return c;
}

bool isBinary(Operation *op) {
  if (auto mvu = llvm::dyn_cast<df::MvuOp>(op))
    return mvu.getBinary();
  if (auto dwu = llvm::dyn_cast<df::DwuOp>(op))
    return dwu.getBinary();
  return false;
}

int64_t mmvOf(Operation *op) { return fold(op).getMmv(); }

int64_t multipliers(Operation *op) {
  return isCompute(op) && !isBinary(op) ? multsPerLane(op) * simdOf(op) * peOf(op) * mmvOf(op)
                                        : 0;
}
int64_t binaryLanes(Operation *op) {
  return isCompute(op) && isBinary(op) ? simdOf(op) * peOf(op) * mmvOf(op) : 0;
}

int64_t affineMults(Operation *op) {
  auto config = hwConfigOf(op);
  if (!config)
    return 0;
  if (auto *m = std::get_if<hw::MvuConfig>(&*config))
    return ((m->W_M > 0 ? m->PE : 0) + (m->ACT == hw::ActCode::Leaky ? m->PE : 0)) * m->MMV;
  if (auto *d = std::get_if<hw::DwuConfig>(&*config))
    return ((d->W_M > 0 ? d->PE : 0) + (d->ACT == hw::ActCode::Leaky ? d->PE : 0)) * d->MMV;
  if (auto *a = std::get_if<hw::AddConfig>(&*config)) // products of two streams, scaled adds
    return hw::estimateCost(*a).multipliers;
  return 0;
}

Operation *consumerOf(Value v) { return v.hasOneUse() ? *v.user_begin() : nullptr; }

bool isLanePassThrough(Operation *op) {
  return llvm::isa<df::ForkOp, df::FifoOp, df::JoinOp, df::ConcatOp, df::UpsampleOp, df::SkidOp>(
      op);
}

std::vector<int64_t> mmvCandidates(Operation *op) {
  std::vector<int64_t> r{1};
  Operation *src = op->getOperand(0).getDefiningOp(), *dst = consumerOf(op->getResult(0));
  int64_t v = vectorsOf(op), n = fold(op).getFoldOutputs();
  for (int64_t m : divisors(v)) {
    if (m == 1)
      continue;
    bool in = llvm::isa_and_nonnull<df::InputOp>(src);
    if (auto swg = llvm::dyn_cast_or_null<df::SwgOp>(src))
      in = swg.getOutWidth() % m == 0;
    bool out = llvm::isa_and_nonnull<df::OutputOp>(dst);
    if (auto swg = llvm::dyn_cast_or_null<df::SwgOp>(dst))
      out = swg.getChannelsAttr().getInt() == n && swg.getWidthAttr().getInt() % m == 0;
    if (auto mvu = llvm::dyn_cast_or_null<df::MvuOp>(dst))
      out = mvu.getVectors() == 1 && mvu.getK() % (m * n) == 0;
    if (in && out)
      r.push_back(m);
  }
  return r;
}

} // namespace loom::folding
