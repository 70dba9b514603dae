//===- DFFold.cpp - choose PE/SIMD per actor ------------------------------===//
//
// The pipeline's II is its slowest actor's cycles per frame (hw_model). The
// pass starts every mvu fully folded (pe = simd = 1) and repeatedly gives the
// bottleneck its cheapest faster folding (fewest extra multipliers), until
//   - the target II is met (`target-ii`), or
//   - the next step would exceed the multiplier budget (`max-mults`), or
//   - the bottleneck cannot be sped up (e.g. a softmax, or an mvu at pe*simd = N*K).
// Multipliers spent on a non-bottleneck actor buy nothing, so they never are.
// Without a budget or target: networks of at most kFullyParallelMacs MACs get
// as parallel as useful (budget = their MAC count); larger ones get
// kDefaultBudget multipliers. See docs/folding.md.
//
//===----------------------------------------------------------------------===//
#include "passes/DFCost.h"
#include "passes/Passes.h"

#include "hw_model/Cost.h"

namespace loom {
#define GEN_PASS_DEF_DFFOLD
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

constexpr int64_t kFullyParallelMacs = 8192;
constexpr int64_t kDefaultBudget = 1024;

std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> d;
  for (int64_t i = 1; i <= n; ++i)
    if (n % i == 0)
      d.push_back(i);
  return d;
}

struct Folding {
  int64_t simd = 1, pe = 1;
};

struct DFFoldPass : loom::impl::DFFoldBase<DFFoldPass> {
  using DFFoldBase::DFFoldBase;

  void runOnOperation() override {
    for (auto graph : getOperation().getOps<func::FuncOp>())
      if (failed(fold(graph)))
        return signalPassFailure();
  }

  /// Cycles per frame of actor i under `folds` (an mvu's input beat width is
  /// its producer's output width; the graph input's is the first mvu's simd).
  int64_t cycles(ArrayRef<Operation *> chain, ArrayRef<Folding> folds, size_t i) {
    auto config = hwConfigOf(chain[i]);
    int64_t inLanes = i == 0 ? folds[0].simd : folds[i - 1].pe;
    if (auto *mvu = std::get_if<hw::MvuConfig>(&*config)) {
      mvu->SIMD = int(folds[i].simd);
      mvu->PE = int(folds[i].pe);
      mvu->IN_BEAT = int(inLanes);
    } else if (auto *sm = std::get_if<hw::SoftmaxConfig>(&*config)) {
      sm->IN_BEAT = int(inLanes);
    }
    return hw::estimateCost(*config).cyclesPerFrame;
  }

  LogicalResult fold(func::FuncOp graph) {
    auto chainOr = actorChainOf(graph);
    if (failed(chainOr))
      return failure();
    std::vector<Operation *> chain = *chainOr;
    if (chain.empty())
      return success();
    if (maxMults < 0 || targetII < 0)
      return graph.emitError("max-mults and target-ii must be positive");

    int64_t macs = 0, minMults = 0;
    for (Operation *op : chain)
      if (auto mvu = llvm::dyn_cast<df::MvuOp>(op)) {
        macs += mvu.getK() * mvu.getN();
        ++minMults;
      }
    int64_t budget = maxMults;
    if (!budget && !targetII)
      budget = macs <= kFullyParallelMacs ? macs : kDefaultBudget;
    if (budget && budget < minMults)
      return graph.emitError("--max-mults ")
             << budget << " is below the minimum of one multiplier per dense layer ("
             << minMults << ")";

    // Every non-mvu actor keeps simd = pe = 1, i.e. a one-lane output; an mvu's
    // pe is its output width.
    std::vector<Folding> folds(chain.size());
    int64_t used = minMults;
    while (true) {
      size_t worst = 0;
      int64_t worstCycles = -1;
      for (size_t i = 0; i < chain.size(); ++i) {
        int64_t c = cycles(chain, folds, i);
        if (c > worstCycles)
          worst = i, worstCycles = c;
      }
      if (targetII && worstCycles <= targetII)
        break;
      auto mvu = llvm::dyn_cast<df::MvuOp>(chain[worst]);
      if (!mvu)
        break;
      // The cheapest faster folding of the bottleneck.
      Folding cur = folds[worst], best;
      int64_t bestMults = -1, bestCycles = 0;
      for (int64_t pe : divisors(mvu.getN()))
        for (int64_t simd : divisors(mvu.getK())) {
          folds[worst] = {simd, pe};
          int64_t c = cycles(chain, folds, worst);
          int64_t m = simd * pe;
          if (c >= worstCycles)
            continue;
          if (bestMults < 0 || m < bestMults || (m == bestMults && c < bestCycles))
            best = {simd, pe}, bestMults = m, bestCycles = c;
        }
      folds[worst] = cur;
      if (bestMults < 0)
        break;
      int64_t next = used - cur.simd * cur.pe + bestMults;
      if (budget && next > budget)
        break;
      folds[worst] = best;
      used = next;
    }

    // Write the folding back and give every stream its width.
    MLIRContext *ctx = &getContext();
    auto withLanes = [&](Value v, int64_t lanes) {
      auto t = llvm::cast<df::StreamType>(v.getType());
      v.setType(df::StreamType::get(ctx, t.getElementType(), lanes, t.getShape()));
    };
    withLanes(chain.front()->getOperand(0), folds.front().simd);
    for (size_t i = 0; i < chain.size(); ++i)
      if (auto mvu = llvm::dyn_cast<df::MvuOp>(chain[i])) {
        mvu.setSimd(folds[i].simd);
        mvu.setPe(folds[i].pe);
        withLanes(mvu.getOutput(), folds[i].pe);
      }
    graph->setAttr("loom.multipliers", IntegerAttr::get(IntegerType::get(ctx, 64), used));
    return success();
  }
};

} // namespace
