//===- DFFold.cpp - choose PE/SIMD per actor, widths per stream, FIFO depths ===//
//
// The pipeline's II is its slowest actor's cycles per frame (hw_model). The
// pass starts every mvu/dwu fully folded (pe = simd = 1) and repeatedly gives
// the bottleneck its cheapest faster folding (fewest extra multipliers), until
//   - the target II is met (`target-ii`), or
//   - the next step would exceed the multiplier budget (`max-mults`), or
//   - the bottleneck cannot be sped up (e.g. a softmax, or an mvu at pe*simd = N*K).
// Multipliers spent on a non-bottleneck actor buy nothing, so they never are.
// A binary unit (+-1 weights) has no multipliers: its lanes are bounded by
// kBinaryLanesPerMult per multiplier of the budget instead.
// Without a budget or target: networks of at most kFullyParallelMacs MACs get
// as parallel as useful (budget = their MAC count); larger ones get
// kDefaultBudget multipliers. See docs/folding.md.
//
// Stream widths follow from the folding (assignLanes): an actor's output
// carries its pe lanes; a sliding window or the graph input is as wide as its
// consumer reads; streams meeting at a join are narrowed to a common width.
// Finally the FIFOs in front of joins get the depths the hw_model's
// simulation needs so that the design neither deadlocks nor stalls.
//
//===----------------------------------------------------------------------===//
#include "passes/DFCost.h"
#include "passes/Passes.h"

#include "hw_model/Cost.h"

#include <numeric>

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

bool isCompute(Operation *op) { return llvm::isa<df::MvuOp, df::DwuOp>(op); }
bool isFoldable(Operation *op) { return llvm::isa<df::MvuOp, df::DwuOp, df::PoolOp>(op); }

int64_t getInt(Operation *op, StringRef name) {
  return llvm::cast<IntegerAttr>(op->getAttr(name)).getInt();
}
void setInt(Operation *op, StringRef name, int64_t v) {
  op->setAttr(name, IntegerAttr::get(IntegerType::get(op->getContext(), 64), v));
}

/// Real multipliers of an actor's MAC lanes: a binary (+-1 weight) lane is a
/// conditional negation and costs none (it is bounded by binaryLanes instead).
int64_t multipliers(Operation *op) {
  return isCompute(op) && !op->hasAttr("binary") ? getInt(op, "simd") * getInt(op, "pe") : 0;
}
int64_t binaryLanes(Operation *op) {
  return isCompute(op) && op->hasAttr("binary") ? getInt(op, "simd") * getInt(op, "pe") : 0;
}
/// Binary lanes allowed per multiplier of the budget: a lane is a W_IN-bit
/// add/subtract, about 1/8 of an 8x8 multiplier's logic.
constexpr int64_t kBinaryLanesPerMult = 8;

/// The multipliers of affine integer graphs besides the MAC lanes (as hw_model
/// estimateCost counts them): one requantization multiplier per PE of a unit
/// with W_M > 0, two per lane of a scaled add. The budget counts them; LeakyRelu
/// and element-wise Mul multipliers are left out as before, so fixed-point
/// designs fold exactly as they always did.
int64_t affineMults(Operation *op) {
  auto config = hwConfigOf(op);
  if (!config)
    return 0;
  if (auto *m = std::get_if<hw::MvuConfig>(&*config))
    return m->W_M > 0 ? m->PE : 0;
  if (auto *d = std::get_if<hw::DwuConfig>(&*config))
    return d->W_M > 0 ? d->PE : 0;
  if (auto *a = std::get_if<hw::AddConfig>(&*config))
    return a->MODE == 2 ? 2LL * a->LANES : 0;
  return 0;
}

/// The single consumer of a stream (df streams are point to point).
Operation *consumerOf(Value v) { return v.hasOneUse() ? *v.user_begin() : nullptr; }

struct Folder {
  func::FuncOp graph;
  MLIRContext *ctx;
  std::vector<Operation *> actors;

  void setLanes(Value v, int64_t lanes) {
    auto t = llvm::cast<df::StreamType>(v.getType());
    if (t.getLanes() != lanes)
      v.setType(df::StreamType::get(ctx, t.getElementType(), lanes, t.getShape()));
  }

  /// How wide `consumer` would like a stream it reads from a free producer
  /// (the graph input or a sliding window) to be.
  int64_t desiredLanes(Operation *consumer, int64_t elements) {
    if (!consumer)
      return 1;
    if (auto mvu = llvm::dyn_cast<df::MvuOp>(consumer))
      return getInt(mvu, "simd");
    if (auto dwu = llvm::dyn_cast<df::DwuOp>(consumer)) {
      // Feed a window in about as many beats as the dwu takes cycles.
      int64_t window = dwu.getChannels() * dwu.getTaps();
      int64_t cycles = (dwu.getChannels() / getInt(dwu, "pe")) * (dwu.getTaps() / getInt(dwu, "simd"));
      for (int64_t d : divisors(window))
        if (window / d <= cycles)
          return d;
      return window;
    }
    if (auto pool = llvm::dyn_cast<df::PoolOp>(consumer))
      return getInt(pool, "pe");
    if (auto swg = llvm::dyn_cast<df::SwgOp>(consumer))
      return swg.getChannelsAttr().getInt(); // one pixel per beat
    if (llvm::isa<df::ForkOp, df::FifoOp, df::SkidOp>(consumer))
      return desiredLanes(consumerOf(consumer->getResult(0)), elements);
    if (auto up = llvm::dyn_cast<df::UpsampleOp>(consumer)) // lanes pass through, divide C
      return std::gcd(desiredLanes(consumerOf(up.getOutput()), elements),
                      up.getChannelsAttr().getInt());
    return 1;
  }

  /// Gives every stream its width from the current folding.
  void assignLanes() {
    for (int round = 0; round < 16; ++round) {
      for (Operation &op : graph.getBody().front()) {
        if (auto in = llvm::dyn_cast<df::InputOp>(op)) {
          auto t = in.getOutput().getType();
          int64_t want = desiredLanes(consumerOf(in.getOutput()), t.getFrameElements());
          setLanes(in.getOutput(), capped(in, std::gcd(want, t.getFrameElements())));
        } else if (auto swg = llvm::dyn_cast<df::SwgOp>(op)) {
          int64_t window = swg.getKernel()[0] * swg.getKernel()[1] * swg.getChannelsAttr().getInt();
          setLanes(swg.getOutput(),
                   capped(swg, std::gcd(desiredLanes(consumerOf(swg.getOutput()), window), window)));
        } else if (isFoldable(&op)) {
          setLanes(op.getResult(0), getInt(&op, "pe"));
        } else if (llvm::isa<df::SoftmaxOp>(op)) {
          setLanes(op.getResult(0), 1);
        } else if (llvm::isa<df::ForkOp, df::FifoOp, df::JoinOp, df::ConcatOp,
                             df::UpsampleOp, df::SkidOp>(op)) {
          int64_t lanes = llvm::cast<df::StreamType>(op.getOperand(0).getType()).getLanes();
          for (Value r : op.getResults())
            setLanes(r, lanes);
        }
      }
      if (!narrowJoins())
        return;
    }
  }

  /// The actor that decides a stream's width, looking through forks/fifos.
  Operation *laneSource(Value v) {
    Operation *p = v.getDefiningOp();
    while (llvm::isa_and_nonnull<df::ForkOp, df::FifoOp, df::UpsampleOp>(p))
      p = p->getOperand(0).getDefiningOp();
    return p;
  }

  /// Joins and concats need equal widths (dividing both channel counts for a
  /// concat): narrow the producers to a common divisor, by lowering a folded
  /// producer's pe or capping a free producer's width. Returns true if it
  /// changed anything (lanes must then be recomputed).
  bool narrowJoins() {
    bool changed = false;
    for (Operation &op : graph.getBody().front()) {
      if (!llvm::isa<df::JoinOp, df::ConcatOp>(op))
        continue;
      int64_t a = llvm::cast<df::StreamType>(op.getOperand(0).getType()).getLanes();
      int64_t b = llvm::cast<df::StreamType>(op.getOperand(1).getType()).getLanes();
      int64_t l = std::gcd(a, b);
      if (auto cat = llvm::dyn_cast<df::ConcatOp>(op))
        l = std::gcd(l, std::gcd(cat.getLhsChannelsAttr().getInt(), cat.getRhsChannelsAttr().getInt()));
      if (a == l && b == l)
        continue;
      for (Value operand : op.getOperands()) {
        Operation *src = laneSource(operand);
        if (!src)
          continue;
        if (isFoldable(src)) {
          int64_t pe = std::gcd(getInt(src, "pe"), l);
          if (pe != getInt(src, "pe"))
            setInt(src, "pe", pe), changed = true;
        } else {
          int64_t cap = caps.count(src) ? std::gcd(caps[src], l) : l;
          if (!caps.count(src) || cap != caps[src])
            caps[src] = cap, changed = true;
        }
      }
    }
    return changed;
  }

  /// Widths imposed on free producers (graph input, sliding windows) by joins.
  llvm::DenseMap<Operation *, int64_t> caps;
  int64_t capped(Operation *op, int64_t lanes) {
    return caps.count(op) ? std::gcd(lanes, caps[op]) : lanes;
  }

  int64_t cycles(Operation *op) {
    return hw::estimateCost(*hwConfigOf(op)).cyclesPerFrame;
  }

  /// An actor's cycles together with the sliding window feeding it (they are
  /// folded as one unit: the window's width follows the consumer).
  int64_t unitCycles(Operation *op) {
    int64_t c = cycles(op);
    if (auto swg = op->getOperand(0).getDefiningOp<df::SwgOp>())
      c = std::max(c, cycles(swg));
    return c;
  }

  LogicalResult run(int64_t maxMults, int64_t targetII) {
    for (Operation &op : graph.getBody().front())
      if (!llvm::isa<df::InputOp, df::OutputOp, func::ReturnOp>(op))
        actors.push_back(&op);
    if (maxMults < 0 || targetII < 0)
      return graph.emitError("max-mults and target-ii must be positive");
    int64_t macs = 0, minMults = 0;
    for (Operation *op : actors)
      if (isCompute(op)) {
        auto config = *hwConfigOf(op);
        if (auto *m = std::get_if<hw::MvuConfig>(&config))
          macs += int64_t(m->K) * m->N * m->VECTORS;
        else if (auto *d = std::get_if<hw::DwuConfig>(&config))
          macs += int64_t(d->KK) * d->C * d->VECTORS;
        minMults += !op->hasAttr("binary");
      }
    assignLanes();
    auto extraMults = [&]() {
      int64_t e = 0;
      for (Operation *op : actors)
        e += affineMults(op);
      return e;
    };
    int64_t extra = extraMults();
    int64_t budget = maxMults;
    if (!budget && !targetII)
      budget = std::max(macs <= kFullyParallelMacs ? macs : kDefaultBudget, minMults + extra);
    if (budget && budget < minMults + extra) {
      auto diag = graph.emitError("--max-mults ")
                  << budget << " is below the minimum of one multiplier per dense/conv layer ("
                  << minMults;
      if (extra)
        diag << " + " << extra << " requantization / scaled-add multipliers";
      return diag << ")";
    }

    int64_t used = 0, usedBinary = 0;
    for (Operation *op : actors)
      used += multipliers(op), usedBinary += binaryLanes(op);
    while (true) {
      Operation *worst = nullptr;
      int64_t worstCycles = -1;
      for (Operation *op : actors) {
        int64_t c = cycles(op);
        if (c > worstCycles)
          worst = op, worstCycles = c;
      }
      if (!worst || (targetII && worstCycles <= targetII))
        break; // nothing to fold (no actors), or fast enough
      // A sliding window is sped up through the actor that reads it.
      if (llvm::isa<df::SwgOp>(worst))
        worst = consumerOf(worst->getResult(0));
      if (!worst || !isFoldable(worst))
        break;
      int64_t n = llvm::isa<df::MvuOp>(worst) ? llvm::cast<df::MvuOp>(worst).getN()
                  : llvm::isa<df::DwuOp>(worst) ? llvm::cast<df::DwuOp>(worst).getChannels()
                                                 : getInt(worst, "channels");
      int64_t k = llvm::isa<df::MvuOp>(worst) ? llvm::cast<df::MvuOp>(worst).getK()
                  : llvm::isa<df::DwuOp>(worst) ? llvm::cast<df::DwuOp>(worst).getTaps()
                                                 : 1;
      int64_t curSimd = isCompute(worst) ? getInt(worst, "simd") : 1, curPe = getInt(worst, "pe");
      int64_t bestSimd = 0, bestPe = 0, bestMults = -1, bestCycles = 0, bestExtra = 0;
      for (int64_t pe : divisors(n))
        for (int64_t simd : divisors(k)) {
          if (isCompute(worst))
            setInt(worst, "simd", simd);
          setInt(worst, "pe", pe);
          assignLanes();
          int64_t c = unitCycles(worst);
          int64_t m = isCompute(worst) ? simd * pe : pe; // pool lanes cost logic, prefer fewer
          if (c >= worstCycles)
            continue;
          if (bestMults < 0 || m < bestMults || (m == bestMults && c < bestCycles))
            bestSimd = simd, bestPe = pe, bestMults = m, bestCycles = c,
            bestExtra = extraMults();
        }
      if (isCompute(worst))
        setInt(worst, "simd", curSimd);
      setInt(worst, "pe", curPe);
      assignLanes();
      if (bestMults < 0)
        break;
      bool binary = worst->hasAttr("binary");
      int64_t lanes = isCompute(worst) ? bestSimd * bestPe : 0;
      int64_t next = used - multipliers(worst) + (binary ? 0 : lanes);
      int64_t nextBinary = usedBinary - binaryLanes(worst) + (binary ? lanes : 0);
      if (budget && (next + bestExtra > budget || nextBinary > kBinaryLanesPerMult * budget))
        break;
      if (isCompute(worst))
        setInt(worst, "simd", bestSimd);
      setInt(worst, "pe", bestPe);
      assignLanes();
      used = 0, usedBinary = 0;
      for (Operation *op : actors)
        used += multipliers(op), usedBinary += binaryLanes(op);
    }
    if (failed(sizeFifos()))
      return failure();
    graph->setAttr("loom.multipliers",
                   IntegerAttr::get(IntegerType::get(ctx, 64), used + extraMults()));
    return success();
  }

  /// Depth of every df.fifo (they sit in front of joins) from the hw_model.
  LogicalResult sizeFifos() {
    auto fifos = llvm::to_vector(graph.getOps<df::FifoOp>());
    if (fifos.empty())
      return success();
    auto g = hwGraphOf(graph, /*skipFifos=*/true);
    if (failed(g))
      return failure();
    std::string error;
    std::vector<hw::Edge> edges = hw::graphEdges(g->nodes, &error);
    if (edges.empty())
      return graph.emitError("hw_model: ") << error;
    std::vector<bool> mask(edges.size(), false);
    std::vector<Operation *> fifoOfEdge(edges.size(), nullptr);
    for (auto &[fifo, port] : g->fifoEdges)
      for (size_t e = 0; e < edges.size(); ++e)
        if (edges[e].to == port.first && edges[e].toPort == port.second)
          mask[e] = true, fifoOfEdge[e] = fifo;
    hw::FifoSizing sizing = hw::sizeFifos(g->nodes, hw::kPredictFrames, mask);
    if (sizing.depth.size() != edges.size())
      return graph.emitError("hw_model FIFO sizing: ") << sizing.error;
    for (size_t e = 0; e < edges.size(); ++e)
      if (fifoOfEdge[e])
        setInt(fifoOfEdge[e], "depth", std::max(2, sizing.depth[e]));
    // The peak occupancies may still lose cycles where other (unbuffered)
    // edges fill up differently; double the FIFOs until the design reaches
    // the II it has with unbounded FIFOs.
    for (int round = 0; !sizing.ok && round < 8; ++round) {
      auto full = hwGraphOf(graph);
      if (failed(full))
        return failure();
      hw::PipelineTiming t = hw::predictGraphTiming(full->nodes);
      if (t.ok && t.ii_cycles == sizing.ii_unbounded)
        break;
      for (auto fifo : graph.getOps<df::FifoOp>())
        setInt(fifo, "depth", 2 * fifo.getDepthAttr().getInt());
    }
    return shrinkFifos();
  }

  /// The sizing above takes each FIFO's peak occupancy in a run where the
  /// producers race ahead of the bottleneck, which can be far more than
  /// needed. Shrink each FIFO (binary search) to the smallest depth that keeps
  /// the predicted II and latency.
  LogicalResult shrinkFifos() {
    auto timing = [&]() -> std::optional<std::pair<int64_t, int64_t>> {
      auto g = hwGraphOf(graph);
      if (failed(g))
        return std::nullopt;
      hw::PipelineTiming t = hw::predictGraphTiming(g->nodes);
      if (!t.ok)
        return std::nullopt;
      return std::make_pair(t.ii_cycles, t.latency_cycles);
    };
    auto target = timing();
    if (!target)
      return graph.emitError("hw_model: the sized FIFOs do not give a working design");
    for (auto fifo : graph.getOps<df::FifoOp>()) {
      int64_t hi = fifo.getDepthAttr().getInt(), lo = 2;
      while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        setInt(fifo, "depth", mid);
        auto t = timing();
        if (t && *t == *target)
          hi = mid;
        else
          lo = mid + 1;
      }
      setInt(fifo, "depth", hi);
    }
    return success();
  }
};

struct DFFoldPass : loom::impl::DFFoldBase<DFFoldPass> {
  using DFFoldBase::DFFoldBase;

  void runOnOperation() override {
    for (auto graph : getOperation().getOps<func::FuncOp>())
      if (failed(Folder{graph, &getContext(), {}}.run(maxMults, targetII)))
        return signalPassFailure();
  }
};

} // namespace
