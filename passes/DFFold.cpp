//===- DFFold.cpp - choose PE/SIMD per actor, widths per stream, FIFO depths ===//
//
// The pipeline's II is its slowest actor's cycles per frame (hw_model). The
// pass starts every mvu/dwu fully folded (pe = simd = 1) and repeatedly gives
// the bottleneck its cheapest faster folding (fewest extra multipliers), until
//   - the target II is met (`target-ii`), or
//   - the next step would exceed the multiplier budget (`max-mults`), or
//   - the bottleneck cannot be sped up (e.g. an mvu at pe*simd = N*K whose
//     input is as wide as it can be).
// A bottleneck whose speed is the width of its streams (join, concat,
// upsample, fork, fifo, a softmax's input, or an mvu whose pe a join narrows
// back) is sped up by widening its lane group: all producers of the streams
// that must share one width get the next common pe together (widenLanes).
// A store-and-forward softmax that is the bottleneck is first made the
// pipelined one (II max(N / in_lanes, N / dividers) instead of N / in_lanes +
// 2N) with the fewest dividers that make it faster; then it gets more
// dividers or a wider input, whichever limits it (speedUpSoftmax).
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
#include "passes/DFPipeline.h"
#include "passes/FifoSizing.h"
#include "passes/FoldUnits.h"
#include "passes/Passes.h"

#include "hw_model/Cost.h"
#include "hw_model/Resources.h"

#include "llvm/ADT/SetVector.h"

#include <array>
#include <numeric>
#include <set>

namespace loom {
#define GEN_PASS_DEF_DFFOLD
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;
using namespace loom::folding;

namespace {

constexpr int64_t kFullyParallelMacs = 8192;
constexpr int64_t kDefaultBudget = 1024;
constexpr int kMaxSteps = 100000;

struct Folder {
  Folder(func::FuncOp graph, MLIRContext *ctx) : graph(graph), ctx(ctx) {}
  func::FuncOp graph;
  MLIRContext *ctx;
  std::vector<Operation *> actors;

  bool lanesChanged = false; // set by setLanes: assignLanes repeats until stable
  void setLanes(Value v, int64_t lanes) {
    auto t = llvm::cast<df::StreamType>(v.getType());
    if (t.getLanes() != lanes) {
      v.setType(df::StreamType::get(ctx, t.getElementType(), lanes, t.getShape()));
      lanesChanged = true;
    }
  }

  /// How wide `consumer` would like a stream it reads from a free producer
  /// (the graph input or a sliding window) to be.
  int64_t desiredLanes(Operation *consumer, int64_t elements) {
    if (!consumer)
      return 1;
    if (isFoldable(consumer) && mmvOf(consumer) > 1) // mmv whole vectors a beat
      return mmvOf(consumer) * vectorElements(consumer);
    if (auto mvu = llvm::dyn_cast<df::MvuOp>(consumer);
        mvu && mvu.getK() % mvu.getSimd() == 0)
      return mvu.getSimd();
    if (llvm::isa<df::MvuOp, df::DwuOp>(consumer)) {
      // Flat, or a depthwise window: the frame in about as many beats as the unit
      // takes steps (the fewest lanes dividing a vector that keep up).
      int64_t vector = vectorElements(consumer), v = vectorsOf(consumer);
      int64_t steps = frameSteps(consumer);
      for (int64_t d : divisors(vector))
        if (v * (vector / d) <= steps)
          return d;
      return vector;
    }
    if (auto pool = llvm::dyn_cast<df::PoolOp>(consumer))
      return pool.getPe() * pool.getSimd(); // pe channels, or simd whole positions
    if (auto swg = llvm::dyn_cast<df::SwgOp>(consumer))
      return swgInLanes(swg);
    if (llvm::isa<df::ForkOp, df::FifoOp, df::SkidOp>(consumer))
      return desiredLanes(consumerOf(consumer->getResult(0)), elements);
    if (auto up = llvm::dyn_cast<df::UpsampleOp>(consumer)) // lanes pass through, divide C
      return std::gcd(desiredLanes(consumerOf(up.getOutput()), elements),
                      up.getChannelsAttr().getInt());
    return 1;
  }

  /// The simd values of a pool at `pe`: window positions a beat, several only with
  /// every channel (then a window a beat is a pixel a cycle: loom_pool HOLD 2).
  std::vector<int64_t> poolSimds(Operation *pool, int64_t pe) {
    if (pe != channelsOf(pool))
      return {1};
    return divisors(reductionOf(pool));
  }

  /// Elements of one vector of an mvu (K) or dwu (its KK*C window).
  static int64_t vectorElements(Operation *op) {
    if (auto dwu = llvm::dyn_cast<df::DwuOp>(op))
      return dwu.getChannels() * dwu.getTaps();
    return reductionOf(op);
  }

  /// A sliding window's output width: what its consumer reads, part of a window or
  /// (a unit taking several vectors a step) whole windows.
  int64_t swgOutLanes(df::SwgOp swg) {
    int64_t window = swg.getKernel()[0] * swg.getKernel()[1] * swg.getChannelsAttr().getInt();
    int64_t want = desiredLanes(consumerOf(swg.getOutput()), window);
    if (want > window && want % window == 0 && swg.getOutWidth() % (want / window) == 0)
      return capped(swg, want);
    return capped(swg, std::gcd(want, window));
  }

  /// A sliding window reads one pixel a beat, or k whole pixels of a row when its
  /// input side would otherwise be slower than both its output side and the unit
  /// reading it (the first window of a CNN taking several vectors a step: MMV). The
  /// fewest pixels that keep up, so a design the input never limits is unchanged.
  int64_t swgInLanes(df::SwgOp swg) {
    int64_t c = swg.getChannelsAttr().getInt(), w = swg.getWidthAttr().getInt();
    int64_t pixels = swg.getHeightAttr().getInt() * w;
    int64_t window = swg.getKernel()[0] * swg.getKernel()[1] * c;
    int64_t outBeats = swg.getOutHeight() * swg.getOutWidth() * window / swgOutLanes(swg);
    int64_t pace = outBeats;
    if (Operation *unit = consumerOf(swg.getOutput()); unit && hwConfigOf(unit))
      pace = std::max(pace, cycles(unit));
    for (int64_t k : divisors(w))
      if (pixels / k <= pace)
        return k * c;
    return w * c;
  }

  /// Gives every stream its width from the current folding.
  void assignLanes() {
    for (int round = 0; round < 16; ++round) {
      // A free producer's width follows its consumer's pace (swgInLanes reads the
      // unit's cycles, which read the window's output width, set later in op
      // order): repeat until no width changes, not only when a join narrows.
      lanesChanged = false;
      for (Operation &op : graph.getBody().front()) {
        if (auto in = llvm::dyn_cast<df::InputOp>(op)) {
          auto t = in.getOutput().getType();
          int64_t want = desiredLanes(consumerOf(in.getOutput()), t.getFrameElements());
          setLanes(in.getOutput(), capped(in, std::gcd(want, t.getFrameElements())));
        } else if (auto swg = llvm::dyn_cast<df::SwgOp>(op)) {
          setLanes(swg.getOutput(), swgOutLanes(swg));
        } else if (isFoldable(&op)) {
          setLanes(op.getResult(0), peOf(&op) * mmvOf(&op));
        } else if (auto sm = llvm::dyn_cast<df::SoftmaxOp>(op)) {
          // loom_softmax_pipe's output lanes are its dividers, chosen by speedUpSoftmax.
          if (!sm.getPipelined())
            setLanes(sm.getOutput(), 1);
        } else if (llvm::isa<df::LayerNormOp, df::RotaryOp>(op)) {
          setLanes(op.getResult(0), 1);
        } else if (auto emb = llvm::dyn_cast<df::EmbedOp>(op)) {
          // A row in as many lanes as its consumer takes (dividing the row).
          int64_t c = int64_t(emb.getChannels());
          setLanes(emb.getOutput(),
                   capped(emb, std::gcd(desiredLanes(consumerOf(emb.getOutput()), c), c)));
        } else if (isLanePassThrough(&op)) {
          int64_t lanes = llvm::cast<df::StreamType>(op.getOperand(0).getType()).getLanes();
          for (Value r : op.getResults())
            setLanes(r, lanes);
        }
      }
      if (!narrowJoins() && !lanesChanged)
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
        l = std::gcd(
            l, std::gcd(cat.getLhsChannelsAttr().getInt(), cat.getRhsChannelsAttr().getInt()));
      if (a == l && b == l)
        continue;
      for (Value operand : op.getOperands()) {
        Operation *src = laneSource(operand);
        if (!src)
          continue;
        if (isFoldable(src)) {
          int64_t pe = std::gcd(peOf(src), l);
          if (pe != peOf(src))
            setPe(src, pe), changed = true;
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

  int64_t cycles(Operation *op) { return hw::estimateCost(*hwConfigOf(op)).cyclesPerFrame; }

  /// An actor's cycles together with the sliding window feeding it (they are
  /// folded as one unit: the window's width follows the consumer).
  int64_t unitCycles(Operation *op) {
    int64_t c = cycles(op);
    if (auto swg = op->getOperand(0).getDefiningOp<df::SwgOp>())
      c = std::max(c, cycles(swg));
    return c;
  }

  /// The folding of every foldable actor and the free producers' caps, to
  /// undo a trial (a trial's narrowJoins may lower other actors' pe).
  struct Snapshot {
    // (simd, pe, mmv) per foldable actor; (pipelined, output lanes, -) per softmax
    std::vector<std::array<int64_t, 3>> folds;
    llvm::DenseMap<Operation *, int64_t> caps;
  };
  Snapshot snapshot() {
    Snapshot s{{}, caps};
    for (Operation *op : actors) {
      if (isFoldable(op))
        s.folds.push_back({simdOf(op), peOf(op), mmvOf(op)});
      else if (auto sm = llvm::dyn_cast<df::SoftmaxOp>(op))
        s.folds.push_back({int64_t(sm.getPipelined()), sm.getOutput().getType().getLanes(), 0});
      else
        s.folds.push_back({0, 0, 0});
    }
    return s;
  }
  /// The folding state a Snapshot holds, flattened for comparison.
  std::vector<int64_t> stateKey() {
    Snapshot s = snapshot();
    std::vector<int64_t> key;
    for (const auto &f : s.folds)
      key.insert(key.end(), f.begin(), f.end());
    for (Operation &op : graph.getBody().front())
      if (s.caps.count(&op))
        key.push_back(s.caps.lookup(&op));
    return key;
  }
  void restore(const Snapshot &s) {
    for (size_t i = 0; i < actors.size(); ++i) {
      if (isFoldable(actors[i])) {
        fold(actors[i]).setFold(s.folds[i][0], s.folds[i][1], s.folds[i][2]);
      } else if (auto sm = llvm::dyn_cast<df::SoftmaxOp>(actors[i])) {
        sm.setPipelined(s.folds[i][0] != 0);
        setLanes(sm.getOutput(), s.folds[i][1]);
      }
    }
    caps = s.caps;
    assignLanes();
  }

  /// Output channels of a foldable actor (its pe must divide them).
  static int64_t channelsOf(Operation *op) { return fold(op).getFoldOutputs(); }
  /// Inputs per output of a compute actor (its simd must divide them).
  static int64_t reductionOf(Operation *op) { return fold(op).getFoldReduction(); }

  /// The foldable actors whose pe sets the width of stream `v`: every stream
  /// connected to v through lane pass-through actors has one width (assignLanes).
  std::vector<Operation *> laneGroup(Value v) {
    SmallVector<Value> work{v};
    llvm::DenseSet<Value> seen;
    llvm::SetVector<Operation *> members;
    auto across = [&](Operation *op) {
      work.append(op->operand_begin(), op->operand_end());
      work.append(op->result_begin(), op->result_end());
    };
    while (!work.empty()) {
      Value s = work.pop_back_val();
      if (!seen.insert(s).second)
        continue;
      Operation *p = s.getDefiningOp();
      if (p && isLanePassThrough(p))
        across(p);
      else if (p && isFoldable(p))
        members.insert(p);
      for (Operation *u : s.getUsers())
        if (isLanePassThrough(u))
          across(u);
    }
    return std::vector<Operation *>(members.begin(), members.end());
  }

  int64_t usedMults() {
    int64_t m = 0;
    for (Operation *op : actors)
      m += multipliers(op);
    return m;
  }
  int64_t usedBinaryLanes() {
    int64_t m = 0;
    for (Operation *op : actors)
      m += binaryLanes(op);
    return m;
  }

  /// A bottleneck that is limited by the width of its streams (a join,
  /// concat, upsample or softmax input, or an actor whose own pe is held back
  /// by a join) is sped up by widening a lane group: every producer of the
  /// group gets the next common pe L (a multiple of the current width that
  /// divides all their channel counts) and the smallest simd that keeps it no
  /// slower than before (the bottleneck itself: faster than now), so widening
  /// costs few multipliers; a step must not be narrowed back nor make another
  /// actor slower than the current II. Of the groups around the bottleneck
  /// (its inputs, its sliding window's input, its output) the one whose
  /// smallest faster L needs the fewest multipliers wins. Returns false if no group helps;
  /// otherwise the step is applied (the caller checks the budget).
  bool widenLanes(Operation *worst, Operation *unit, int64_t worstCycles) {
    SmallVector<Value> streams(worst->getOperands());
    if (unit && unit != worst)
      streams.append(unit->operand_begin(), unit->operand_end());
    if (unit)
      streams.append(unit->result_begin(), unit->result_end());
    auto score = [&]() {
      int64_t c = cycles(worst);
      if (unit)
        c = std::max(c, isFoldable(unit) ? unitCycles(unit) : cycles(unit));
      return c;
    };
    Snapshot start = snapshot();
    std::optional<Snapshot> best;
    int64_t bestMults = 0, bestCycles = 0;
    std::set<std::vector<Operation *>> tried;
    for (Value v : streams) {
      std::vector<Operation *> group = laneGroup(v);
      if (group.empty() || !tried.insert(group).second)
        continue;
      int64_t cur = llvm::cast<df::StreamType>(v.getType()).getLanes(), maxL = INT64_MAX;
      llvm::DenseMap<Operation *, int64_t> before;
      // The bottleneck itself must get faster, the others no slower.
      for (Operation *m : group)
        maxL = std::min(maxL, channelsOf(m)),
        before[m] = m == unit ? worstCycles - 1 : unitCycles(m);
      for (int64_t l = 2 * cur; l <= maxL; l += cur) {
        if (llvm::any_of(group, [&](Operation *m) { return channelsOf(m) % l != 0; }))
          continue;
        for (Operation *m : group)
          setPe(m, l);
        for (Operation *m : group) {
          if (!isCompute(m))
            continue;
          int64_t keep = simdOf(m);
          for (int64_t simd : simdCandidates(m, l, mmvOf(m), before[m])) {
            if (simd > keep)
              break;
            setSimd(m, simd);
            assignLanes();
            if (unitCycles(m) <= before[m]) {
              keep = simd;
              break;
            }
          }
          setSimd(m, keep);
        }
        assignLanes();
        // A width some actor cannot take (attention beats must divide C) rules it out.
        if (llvm::any_of(actors, [&](Operation *a) {
              auto cfg = hwConfigOf(a);
              return cfg && !hw::validate(*cfg).empty();
            })) {
          restore(start);
          continue;
        }
        // Not narrowed back, faster, and no other actor now slower than the II.
        bool widened = llvm::all_of(group, [&](Operation *m) { return peOf(m) == l; });
        bool bounded = llvm::all_of(actors, [&](Operation *a) { return cycles(a) <= worstCycles; });
        int64_t c = score();
        if (widened && bounded && c < worstCycles) {
          int64_t m = usedMults() + extraMults();
          if (!best || m < bestMults || (m == bestMults && c < bestCycles))
            best = snapshot(), bestMults = m, bestCycles = c;
          restore(start);
          break;
        }
        restore(start);
      }
    }
    if (!best)
      return false;
    restore(*best);
    return true;
  }

  /// The cheapest step that makes the bottleneck softmax faster than
  /// `worstCycles`. Store-and-forward (N / in + 2N cycles): becomes
  /// loom_softmax_pipe (max(N / in, N / out) cycles) with the fewest dividers
  /// (output lanes) that are faster. Pipelined: more dividers when they limit
  /// it, its input widened (widenLanes) when the input does, both when both
  /// do. Returns false (nothing changed) when no step helps.
  bool speedUpSoftmax(df::SoftmaxOp sm, int64_t worstCycles) {
    int64_t n = sm.getInput().getType().getFrameElements();
    int64_t ib = n / sm.getInput().getType().getLanes();
    int64_t out = sm.getPipelined() ? sm.getOutput().getType().getLanes() : 0;
    int64_t divs = 0; // the fewest dividers, more than now, that are faster
    for (int64_t d : divisors(n))
      if (d > out && n / d < worstCycles) {
        divs = d;
        break;
      }
    if (!sm.getPipelined()) { // ib < worstCycles: divs exists
      sm.setPipelined(true);
      setLanes(sm.getOutput(), divs);
      return true;
    }
    if (ib < worstCycles) { // only the dividers limit it
      if (!divs)
        return false;
      setLanes(sm.getOutput(), divs);
      return true;
    }
    if (n / out < worstCycles) // only the input width limits it
      return widenLanes(sm, sm, worstCycles);
    if (!divs) // both: more dividers, and a wider input
      return false;
    setLanes(sm.getOutput(), divs);
    if (widenLanes(sm, sm, worstCycles))
      return true;
    setLanes(sm.getOutput(), out);
    return false;
  }

  int64_t extraMults() {
    int64_t e = 0;
    for (Operation *op : actors)
      e += affineMults(op);
    return e;
  }

  /// Resource limits (0 = none): --max-luts / --max-dsps and the capacity of
  /// --part, the tightest of each, with the option that set it for errors.
  struct Limits {
    hw::Resources cap;
    std::string lutsBy, dspsBy, partName;
  };

  hw::Resources resources() {
    hw::Resources r;
    for (Operation *op : actors)
      if (auto config = hwConfigOf(op))
        r += hw::estimateResources(*config);
    return r;
  }

  /// "--max-luts 5000" or "the xc7z010's 17600 LUTs": what bounds `what`.
  std::string limitName(const Limits &l, const std::string &what) {
    if (what == "LUTs" && !l.lutsBy.empty())
      return l.lutsBy;
    if (what == "DSPs" && !l.dspsBy.empty())
      return l.dspsBy;
    const hw::Device *d = hw::findDevice(l.partName);
    int64_t n = what == "LUTs" ? d->luts : what == "FFs" ? d->ffs : what == "DSPs" ? d->dsps : 0;
    std::string cap = what == "BRAMs" ? std::to_string(int64_t(d->brams)) : std::to_string(n);
    return "the " + l.partName + "'s " + cap + " " + what + " (--part " + l.partName + ")";
  }

  static int64_t estimated(const hw::Resources &r, const std::string &what) {
    return what == "LUTs" ? r.luts : what == "FFs" ? r.ffs : what == "DSPs" ? r.dsps
                                                                            : int64_t(r.brams);
  }

  int64_t currentII() {
    int64_t ii = 0;
    for (Operation *op : actors)
      ii = std::max(ii, cycles(op));
    return ii;
  }

  /// Whether the design breaks the budget or a resource limit; `why` names it.
  bool overBudget(int64_t budget, int64_t maxMults, const Limits &limits, std::string &why) {
    if (budget && (usedMults() + extraMults() > budget ||
                   usedBinaryLanes() > kBinaryLanesPerMult * budget)) {
      why = maxMults ? "--max-mults " + std::to_string(maxMults)
                     : "the default budget of " + std::to_string(budget) + " multipliers";
      return true;
    }
    std::string res;
    if (!hw::fitsLimits(resources(), limits.cap, &res)) {
      why = limitName(limits, res);
      return true;
    }
    return false;
  }

  /// The greedy steps: the bottleneck gets its cheapest faster folding (or its lane
  /// group is widened) until `targetII` is met, a step would break the budget or a
  /// limit (returned: what stopped it), or nothing makes the bottleneck faster ("").
  /// Every step makes the bottleneck faster, but a join can undo a step elsewhere: a
  /// state seen before ends the steps at the best state seen (kMaxSteps a last guard).
  std::string greedy(int64_t budget, int64_t maxMults, int64_t targetII, const Limits &limits) {
    std::string stoppedBy;
    std::set<std::vector<int64_t>> seen;
    Snapshot bestSeen;
    int64_t bestCycles = INT64_MAX;
    for (int step = 0; step < kMaxSteps; ++step) {
      Operation *worst = nullptr;
      int64_t worstCycles = -1;
      for (Operation *op : actors) {
        int64_t c = cycles(op);
        if (c > worstCycles)
          worst = op, worstCycles = c;
      }
      if (!worst || (targetII && worstCycles <= targetII))
        break; // nothing to fold (no actors), or fast enough
      // A step that a join undoes elsewhere (narrowJoins lowering another
      // producer's pe) can bring back an earlier state: stop at the best one seen.
      if (!seen.insert(stateKey()).second) {
        restore(bestSeen);
        break;
      }
      if (worstCycles < bestCycles)
        bestSeen = snapshot(), bestCycles = worstCycles;
      // A sliding window is sped up through the actor that reads it.
      Operation *unit = llvm::isa<df::SwgOp>(worst) ? consumerOf(worst->getResult(0)) : worst;
      Snapshot start = snapshot();
      if (unit && isFoldable(unit)) {
        int64_t n = channelsOf(unit);
        int64_t bestSimd = 0, bestPe = 0, bestMults = -1, bestCycles = 0;
        for (int64_t pe : divisors(n))
          for (int64_t simd : isCompute(unit) ? simdCandidates(unit, pe, pe == n ? mmvOf(unit) : 1, worstCycles - 1)
                              : poolSimds(unit, pe)) {
            fold(unit).setSimdPe(simd, pe);
            assignLanes();
            // A pe that a join narrows back is not this folding (and may
            // have narrowed the other producers of the join).
            bool kept = peOf(unit) == pe;
            int64_t c = unitCycles(unit);
            // pool lanes cost logic, prefer fewer
            int64_t m = isCompute(unit) ? multsPerLane(unit) * simd * pe : pe * simd;
            restore(start);
            if (!kept || c >= worstCycles)
              continue;
            if (bestMults < 0 || m < bestMults || (m == bestMults && c < bestCycles))
              bestSimd = simd, bestPe = pe, bestMults = m, bestCycles = c;
          }
        if (bestMults >= 0) {
          fold(unit).setSimdPe(bestSimd, bestPe);
          assignLanes();
          if (overBudget(budget, maxMults, limits, stoppedBy)) {
            restore(start);
            break;
          }
          continue;
        }
      }
      // A softmax in front of a graph output (the one consumer known to take its
      // wider output beats) becomes pipelined and gets dividers (output lanes).
      if (auto sm = llvm::dyn_cast<df::SoftmaxOp>(worst);
          sm && llvm::isa_and_nonnull<df::OutputOp>(consumerOf(sm.getOutput()))) {
        if (!speedUpSoftmax(sm, worstCycles))
          break;
        if (overBudget(budget, maxMults, limits, stoppedBy)) {
          restore(start);
          break;
        }
        continue;
      }
      // The bottleneck alone cannot get faster: widen the streams it is limited by.
      if (!widenLanes(worst, unit, worstCycles))
        break;
      if (overBudget(budget, maxMults, limits, stoppedBy)) {
        restore(start);
        break;
      }
    }
    return stoppedBy;
  }

  /// The exact start for a target II t: every mvu/dwu at its fewest multipliers
  /// (requantization included; ties: fewer steps) among the foldings whose steps a
  /// frame fit t (frameSteps: (V/mmv) * ceil(NF*K / simd), or ceil(V*K / simd) folded
  /// flat across vectors; docs/folding.md "Search"). Each
  /// unit's choice is independent of the others' (its input width is not, which
  /// the greedy steps then fix). False if a unit cannot reach t.
  bool exactStart(int64_t t) {
    for (Operation *op : actors) {
      if (!llvm::isa<df::MvuOp, df::DwuOp>(op))
        continue;
      int64_t v = vectorsOf(op), n = channelsOf(op), k = reductionOf(op);
      int64_t bestSimd = 0, bestPe = 0, bestMmv = 0, bestCost = -1, bestCycles = 0;
      for (int64_t mmv : mmvCandidates(op)) {
        if (t < v / mmv) // a step a vector at least
          continue;
        for (int64_t pe : divisors(n)) {
          if (mmv > 1 && pe != n) // copies take whole vectors: every output each
            continue;
          for (int64_t simd : simdCandidates(op, pe, mmv, t)) {
            fold(op).setFold(simd, pe, mmv);
            // (a simd not dividing K is legal when the unit folds flat, across or within)
            if (k % simd != 0 && !fold(op).foldsFlat() && !fold(op).foldsAcrossVectors())
              continue;
            int64_t c = frameSteps(op);
            if (c > t)
              continue;
            int64_t cost = multipliers(op) + affineMults(op) +
                           ceilDiv(binaryLanes(op), kBinaryLanesPerMult);
            if (bestCost < 0 || cost < bestCost || (cost == bestCost && c < bestCycles))
              bestSimd = simd, bestPe = pe, bestMmv = mmv, bestCost = cost, bestCycles = c;
            break; // candidates ascend: the first that fits is this pe's cheapest
          }
        }
      }
      if (bestCost < 0)
        return false;
      fold(op).setFold(bestSimd, bestPe, bestMmv);
    }
    assignLanes();
    return true;
  }

  LogicalResult run(int64_t maxMults, int64_t targetII, const Limits &limits,
                    const hw::FamilyTiming *timing, double clockMhz) {
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
        minMults += isBinary(op) ? 0 : multsPerLane(op);
      }
    assignLanes();
    int64_t extra = extraMults();
    int64_t budget = maxMults;
    if (!budget && !targetII)
      budget = std::max(macs <= kFullyParallelMacs ? macs : kDefaultBudget, minMults + extra);
    if (budget && budget < minMults + extra) {
      auto diag = graph.emitError("--max-mults ")
                  << budget << " is below the minimum of one multiplier per dense/conv layer ("
                  << minMults;
      if (extra)
        diag << " + " << extra << " requantization / LeakyRelu / scaled-add multipliers";
      return diag << ")";
    }
    // A design that does not fit even fully folded is an error naming the limit.
    std::string what;
    if (hw::Resources r = resources(); !hw::fitsLimits(r, limits.cap, &what)) {
      std::string fix = what == "LUTs" && !limits.lutsBy.empty()   ? "raise --max-luts"
                        : what == "DSPs" && !limits.dspsBy.empty() ? "raise --max-dsps"
                                                                  : "choose a larger part";
      return graph.emitError("fully folded, the design needs an estimated ")
             << estimated(r, what) << " " << what << ", more than " << limitName(limits, what)
             << ": " << fix;
    }
    Snapshot initial = snapshot();
    // 1. The greedy steps from the fully folded design.
    std::string stoppedBy = greedy(budget, maxMults, targetII, limits);
    // 2. The exact start (docs/folding.md "Search"): for a target II T every MAC unit
    // gets its fewest multipliers whose steps fit T, then greedy steps fix what the
    // units' streams still limit. With a target: kept if it needs fewer multipliers.
    // With a budget: the smallest T in [ceil(MACs / budget), greedy II) that fits.
    Snapshot greedyFold = snapshot();
    int64_t greedyII = currentII(), greedyCost = usedMults() + extraMults();
    auto tryTarget = [&](int64_t t, std::string &why) {
      restore(initial);
      if (!exactStart(t))
        return false;
      if (overBudget(budget, maxMults, limits, why))
        return false;
      why = greedy(budget, maxMults, t, limits);
      return currentII() <= t;
    };
    std::optional<Snapshot> exact;
    std::string exactStop;
    // The smallest T in [lo, greedy II) that fits (binary search).
    auto search = [&](int64_t lo) {
      int64_t hi = greedyII - 1;
      while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        std::string why;
        if (tryTarget(mid, why))
          exact = snapshot(), exactStop = why, hi = mid - 1;
        else
          lo = mid + 1;
      }
    };
    if (targetII) {
      std::string why;
      if (tryTarget(targetII, why)) {
        if (greedyII > targetII || usedMults() + extraMults() < greedyCost)
          exact = snapshot(), exactStop = why;
      } else if (greedyII > targetII) {
        // Out of reach: the lowest II above it that the exact start reaches, when it
        // beats the greedy steps' (which cannot choose mmv, for one).
        // A limit that stopped the greedy steps still makes the target an error.
        search(targetII + 1);
        exactStop = stoppedBy;
      }
    } else if (budget && macs > 0) {
      search(std::max<int64_t>(1, ceilDiv(macs, budget)));
    }
    if (exact)
      restore(*exact), stoppedBy = exactStop;
    else
      restore(greedyFold);
    int64_t used = usedMults();
    if (targetII && !stoppedBy.empty()) {
      int64_t ii = currentII();
      if (ii > targetII)
        return graph.emitError("--target-ii ")
               << targetII << " cannot be met within " << stoppedBy
               << " (the folding stops at II " << ii << "); raise that limit or --target-ii";
    }
    // Register stages add latency only: FIFOs are sized with them in place.
    if (timing)
      assignPipelineStages(graph, *timing, clockMhz);
    if (failed(sizeFifos(graph)))
      return failure();
    // FIFO depths are chosen after the folding: they may still push the design over.
    if (hw::Resources r = resources(); !hw::fitsLimits(r, limits.cap, &what))
      return graph.emitError("with its FIFOs sized, the design needs an estimated ")
             << estimated(r, what) << " " << what << ", more than " << limitName(limits, what)
             << ": lower --max-mults or --target-ii";
    graph->setAttr("loom.multipliers",
                   IntegerAttr::get(IntegerType::get(ctx, 64), used + extraMults()));
    return success();
  }
};

struct DFFoldPass : loom::impl::DFFoldBase<DFFoldPass> {
  using DFFoldBase::DFFoldBase;

  void runOnOperation() override {
    Folder::Limits limits;
    if (maxLuts < 0 || maxDsps < 0) {
      getOperation().emitError("max-luts and max-dsps must be positive");
      return signalPassFailure();
    }
    if (!part.empty()) {
      const hw::Device *d = hw::findDevice(part);
      if (!d || d->family != hw::Family::Xilinx7) { // the estimates are synth_xilinx's
        getOperation().emitError("part ") << part << " is not a 7-series part with a resource model";
        return signalPassFailure();
      }
      limits.cap = hw::capacityOf(*d);
      limits.partName = part;
    }
    if (maxLuts && (!limits.cap.luts || maxLuts <= limits.cap.luts))
      limits.cap.luts = maxLuts, limits.lutsBy = "--max-luts " + std::to_string(maxLuts);
    if (maxDsps && (!limits.cap.dsps || maxDsps <= limits.cap.dsps))
      limits.cap.dsps = maxDsps, limits.dspsBy = "--max-dsps " + std::to_string(maxDsps);
    std::optional<hw::FamilyTiming> timing = hw::familyTiming(clockFamily);
    if (clockMhz < 0 || clockMhz > 2000 || !timing) {
      getOperation().emitError("clock-mhz must be in (0, 2000] and clock-family ice40 or xilinx-7");
      return signalPassFailure();
    }
    for (auto graph : getOperation().getOps<func::FuncOp>())
      if (Folder folder{graph, &getContext()};
          failed(folder.run(maxMults, targetII, limits, clockMhz > 0 ? &*timing : nullptr,
                            clockMhz)))
        return signalPassFailure();
  }
};

} // namespace
