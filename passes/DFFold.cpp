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

  /// A pass-through actor (df.fifo) forwards its input stream unchanged, so
  /// its output carries as many lanes as its input.
  static bool isPassThrough(Operation *op) { return llvm::isa<df::FifoOp>(op); }

  /// Lanes of the stream entering each actor under `folds` (element i) and of
  /// the chain's output (element chain.size()). An mvu's output has pe lanes, a
  /// softmax's 1, a pass-through actor's its input's. The graph input carries
  /// the simd of the first actor that is not a pass-through (1 if that is not
  /// an mvu), so pass-through actors in front of an mvu see its simd too.
  std::vector<int64_t> streamLanes(ArrayRef<Operation *> chain, ArrayRef<Folding> folds) {
    std::vector<int64_t> lanes(chain.size() + 1, 1);
    int64_t l = 1;
    for (size_t i = 0; i < chain.size(); ++i)
      if (!isPassThrough(chain[i])) {
        l = llvm::isa<df::MvuOp>(chain[i]) ? folds[i].simd : 1;
        break;
      }
    for (size_t i = 0; i < chain.size(); ++i) {
      lanes[i] = l;
      if (llvm::isa<df::MvuOp>(chain[i]))
        l = folds[i].pe;
      else if (!isPassThrough(chain[i]))
        l = 1; // softmax: one element per beat
    }
    lanes[chain.size()] = l;
    return lanes;
  }

  /// Cycles per frame of actor i under `folds`. The in-lanes come from the
  /// real producer (through any pass-through actors), not from folds[i - 1],
  /// which is 1 for a fifo whatever it forwards.
  int64_t cycles(ArrayRef<Operation *> chain, ArrayRef<Folding> folds, size_t i) {
    auto config = hwConfigOf(chain[i]);
    int64_t inLanes = streamLanes(chain, folds)[i];
    if (auto *mvu = std::get_if<hw::MvuConfig>(&*config)) {
      mvu->SIMD = int(folds[i].simd);
      mvu->PE = int(folds[i].pe);
      mvu->IN_BEAT = int(inLanes);
    } else if (auto *sm = std::get_if<hw::SoftmaxConfig>(&*config)) {
      sm->IN_BEAT = int(inLanes);
    } else if (auto *fifo = std::get_if<hw::FifoConfig>(&*config)) {
      auto type = llvm::cast<df::StreamType>(chain[i]->getOperand(0).getType());
      fifo->W = int(inLanes * type.getElementWidth());
      fifo->beatsPerFrame = int(type.getFrameElements() / inLanes);
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

    // Every non-mvu actor keeps simd = pe = 1; an mvu's pe is its output width,
    // a softmax's output has one lane, a fifo forwards its input's lanes.
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
    // Pass-through actors (fifo) are retyped too: their output must keep
    // matching their input (AllTypesMatch).
    std::vector<int64_t> lanes = streamLanes(chain, folds);
    withLanes(chain.front()->getOperand(0), lanes.front());
    for (size_t i = 0; i < chain.size(); ++i) {
      if (auto mvu = llvm::dyn_cast<df::MvuOp>(chain[i])) {
        mvu.setSimd(folds[i].simd);
        mvu.setPe(folds[i].pe);
      }
      if (llvm::isa<df::MvuOp>(chain[i]) || isPassThrough(chain[i]))
        withLanes(chain[i]->getResult(0), lanes[i + 1]);
    }
    graph->setAttr("loom.multipliers", IntegerAttr::get(IntegerType::get(ctx, 64), used));
    return success();
  }
};

} // namespace
