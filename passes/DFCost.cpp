//===- DFCost.cpp - df actors as hw_model configurations ------------------===//
//
// One configOf() per df actor, dispatched by TypeSwitch in hwConfigOf: all a
// df op's hardware model is found under its name here (its RTL lowering is in
// passes/rtltarget/, its cost in hw_model/Cost.cpp under the config's name).
//
//===----------------------------------------------------------------------===//
#include "passes/DFCost.h"

#include "compiler/numerics/Affine.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace loom;

hw::ActCode loom::actCodeOf(df::Activation act) {
  switch (act) {
  case df::Activation::none:
    return hw::ActCode::None;
  case df::Activation::relu:
    return hw::ActCode::Relu;
  case df::Activation::clip:
    return hw::ActCode::Clip;
  case df::Activation::leaky:
    return hw::ActCode::Leaky;
  case df::Activation::sign:
    return hw::ActCode::Sign;
  case df::Activation::table:
    return hw::ActCode::Table;
  }
  llvm_unreachable("unknown df activation");
}

/// loom_mvu / loom_dwu W_M: bits of the largest requantization multiplier
/// (unsigned); 0 = no multiplier stage (no mult, or every mult is 1).
static int multBits(std::optional<ElementsAttr> mult) {
  if (!mult)
    return 0;
  uint64_t hi = 0;
  for (APInt v : mult->getValues<APInt>())
    hi = std::max<uint64_t>(hi, v.getZExtValue());
  return hi <= 1 ? 0 : int(llvm::Log2_64(hi)) + 1;
}

/// loom_mvu / loom_dwu W_PB: signed bits of the post-multiply biases; 0 = none.
static int postBiasBits(std::optional<ElementsAttr> postBias) {
  if (!postBias)
    return 0;
  unsigned bits = 0;
  bool any = false;
  for (APInt v : postBias->getValues<APInt>()) {
    bits = std::max(bits, v.getSignificantBits());
    any |= !v.isZero();
  }
  return any ? int(std::max(bits, 2u)) : 0;
}

/// loom_mvu / loom_dwu W_LA: signed bits of the per-channel LeakyRelu
/// multipliers (PRelu, leaky_mults); 0 = one constant LEAKY_A.
static int leakyTableBits(std::optional<ArrayRef<int64_t>> mults) {
  if (!mults)
    return 0;
  int bits = 2;
  for (int64_t a : *mults)
    while (a < -(int64_t(1) << (bits - 1)) || a >= (int64_t(1) << (bits - 1)))
      ++bits;
  return bits;
}

/// The fields loom_mvu and loom_dwu share (the same attributes on both ops).
template <typename Config, typename ComputeOp> static Config unitConfig(ComputeOp op) {
  Config c;
  c.SIMD = int(op.getSimd());
  c.PE = int(op.getPe());
  c.MMV = int(op.getMmv());
  // with mmv > 1 each copy takes one of the beat's mmv whole vectors
  c.IN_BEAT = int(std::max<int64_t>(1, op.getInput().getType().getLanes() / op.getMmv()));
  c.W_IN = int(op.getInput().getType().getElementWidth());
  c.W_W = int(llvm::cast<ShapedType>(op.getWeight().getType()).getElementTypeBitWidth());
  c.W_ACC = int(op.getAccWidthAttr().getInt());
  c.W_OUT = int(op.getOutput().getType().getElementWidth());
  c.ACT = actCodeOf(op.getAct());
  c.T_DEPTH = op.getTable() ? int(op.getTable()->getNumElements()) : 1;
  c.VECTORS = int(op.getVectors());
  c.W_M = multBits(op.getMult());
  c.W_PB = postBiasBits(op.getPostBias());
  if (op.getBinary())
    c.BIPOLAR_W = 1, c.W_W = 1;
  c.W_LA = leakyTableBits(op.getLeakyMults());
  c.PIPE = int(op.getPipelineStages().value_or(0));
  c.RQ_PIPE = int(op.getRequantStages().value_or(0));
  c.STREAM = op.foldsAcrossVectors() ? 1 : 0; // loom_mvu_stream
  return c;
}

static hw::MvuConfig configOf(df::MvuOp mvu) {
  auto c = unitConfig<hw::MvuConfig>(mvu);
  c.K = int(mvu.getK());
  c.N = int(mvu.getN());
  return c;
}

static hw::DwuConfig configOf(df::DwuOp dwu) {
  auto c = unitConfig<hw::DwuConfig>(dwu);
  c.C = int(dwu.getChannels());
  c.KK = int(dwu.getTaps());
  return c;
}

static hw::SoftmaxConfig configOf(df::SoftmaxOp sm) {
  hw::SoftmaxConfig c;
  c.N = int(sm.getInput().getType().getFrameElements());
  c.IN_BEAT = int(sm.getInput().getType().getLanes());
  c.W = int(sm.getInput().getType().getElementWidth());
  c.EXP_DEPTH = int(sm.getExpTable().getNumElements());
  c.EXP_BITS = int(sm.getExpFrac()) + 1;
  c.F = int(sm.getFracAttr().getInt());
  c.PIPELINED = sm.getPipelined() ? 1 : 0;
  c.OUT_BEAT = int(sm.getOutput().getType().getLanes());
  return c;
}

static hw::LayerNormConfig configOf(df::LayerNormOp ln) {
  numerics::LayerNormParams p = ln.getParams();
  hw::LayerNormConfig c;
  c.C = int(p.C);
  c.IN_BEAT = int(ln.getInput().getType().getLanes());
  c.W_IN = p.inWidth, c.W_OUT = p.outWidth;
  c.W_V = p.vBits(), c.W_T = p.tBits(), c.W_U = p.uBits();
  c.W_G = p.gBits(), c.W_B = p.bBits(), c.W_Z = p.zBits();
  c.P = p.P, c.R = p.R;
  c.ROWS = int(ln.getInput().getType().getFrameElements() / p.C);
  return c;
}

static hw::RotaryConfig configOf(df::RotaryOp rot) {
  numerics::RotaryParams p = rot.getParams();
  hw::RotaryConfig c;
  c.T = int(p.T), c.C = int(p.C), c.D = int(p.D);
  c.IN_BEAT = int(rot.getInput().getType().getLanes());
  c.W_IN = p.inWidth, c.W_OUT = p.outWidth;
  c.W_ACC = p.accBits(), c.W_M = p.mBits();
  return c;
}

static hw::EmbedConfig configOf(df::EmbedOp emb) {
  hw::EmbedConfig c;
  c.V = int(emb.getVocab()), c.C = int(emb.getChannels()), c.T = int(emb.getPositions());
  c.OUT_BEAT = int(emb.getOutput().getType().getLanes());
  c.W_ID = int(emb.getInput().getType().getElementWidth());
  c.W_OUT = int(emb.getOutput().getType().getElementWidth());
  c.POS = emb.getPos() ? 1 : 0;
  return c;
}

static hw::AttentionConfig configOf(df::AttentionOp att) {
  numerics::AttentionParams p = att.getParams();
  hw::AttentionConfig c;
  c.T = int(p.T), c.C = int(p.C), c.H = int(p.H), c.CAUSAL = p.causal ? 1 : 0;
  c.IN_BEAT_Q = int(att.getQ().getType().getLanes());
  c.IN_BEAT_K = int(att.getK().getType().getLanes());
  c.IN_BEAT_V = int(att.getV().getType().getLanes());
  c.SIMD = int(att.getSimd());
  c.W_IN = p.inWidth, c.W_OUT = p.outWidth;
  c.W_A = p.aBits(), c.W_S = p.sBits(), c.W_U = p.uBits(), c.W_R = p.rBits(), c.W_M = p.mBits();
  c.R = p.R, c.G = p.G;
  c.EXP_BITS = p.eBits(), c.EXP_DEPTH = int(p.exp.depth());
  c.SQ = p.score.on, c.W_SM = p.smBits(), c.PQ = p.prob.on, c.W_PC = p.pcBits();
  c.DIV_STEPS = p.divSteps();
  c.WINDOW = int(p.window);
  c.KB = p.keyBias.empty() ? 0 : 1;
  return c;
}

static hw::SwgConfig configOf(df::SwgOp swg) {
  hw::SwgConfig c;
  c.C = int(swg.getChannelsAttr().getInt());
  c.H = int(swg.getHeightAttr().getInt());
  c.W = int(swg.getWidthAttr().getInt());
  c.KH = int(swg.getKernel()[0]), c.KW = int(swg.getKernel()[1]);
  c.SH = int(swg.getStrides()[0]), c.SW = int(swg.getStrides()[1]);
  c.DH = int(swg.getDilations()[0]), c.DW = int(swg.getDilations()[1]);
  c.PT = int(swg.getPads()[0]), c.PL = int(swg.getPads()[1]);
  c.PB = int(swg.getPads()[2]), c.PR = int(swg.getPads()[3]);
  c.IN_BEAT = int(swg.getInput().getType().getLanes());
  c.OUT_BEAT = int(swg.getOutput().getType().getLanes());
  c.WB = int(swg.getInput().getType().getElementWidth());
  c.PAD_VAL = int(swg.getPadValueAttr().getInt());
  // Rows for a line buffer that never stalls at frame boundaries (hw_model
  // README): two window spans, or the whole map for global pooling.
  int span = c.DH * (c.KH - 1) + 1;
  c.ROWS = std::min(2 * span, span + c.H);
  return c;
}

static hw::PoolConfig configOf(df::PoolOp pool) {
  hw::PoolConfig c;
  c.MODE = pool.getMode() == "max" ? 0 : 1;
  c.C = int(pool.getChannelsAttr().getInt());
  c.KK = int(pool.getTapsAttr().getInt());
  c.IN_BEAT = int(pool.getInput().getType().getLanes());
  c.PE = int(pool.getPe());
  c.WB = int(pool.getInput().getType().getElementWidth());
  c.NPIX = int(pool.getOutput().getType().getFrameElements() / c.C);
  c.DIV = pool.getDivisor() ? int(*pool.getDivisor()) : c.KK;
  c.RND = int(numerics::parseRounding(pool.getRounding()).value_or(numerics::Rounding::HalfEven));
  c.divRom = pool.getDivisors().has_value();
  if (c.divRom) { // ROM words as wide as the largest divisor (a count of window positions)
    int64_t most = 1;
    for (int64_t d : pool.getDivisors()->getValues<int64_t>())
      most = std::max(most, d);
    c.D_BITS = int(llvm::Log2_64(uint64_t(most))) + 1;
  }
  // A window a beat: a second hold bank makes it a pixel a cycle (loom_pool HOLD).
  c.HOLD = c.pixInBeats() == 1 ? 2 : 1;
  return c;
}

static hw::UpsampleConfig configOf(df::UpsampleOp up) {
  hw::UpsampleConfig c;
  c.C = int(up.getChannelsAttr().getInt());
  c.H = int(up.getHeightAttr().getInt());
  c.W = int(up.getWidthAttr().getInt());
  c.SH = int(up.getShAttr().getInt());
  c.SW = int(up.getSwAttr().getInt());
  c.LANES = int(up.getInput().getType().getLanes());
  c.WB = int(up.getInput().getType().getElementWidth());
  return c;
}

/// Bits of one beat of a stream and its beats per frame (fork, skid, fifo).
template <typename Config> static Config streamConfig(df::StreamType type) {
  Config c;
  c.W = int(type.getLanes() * type.getElementWidth());
  c.beatsPerFrame = int(type.getBeatsPerFrame());
  return c;
}

static hw::ForkConfig configOf(df::ForkOp fork) {
  return streamConfig<hw::ForkConfig>(fork.getInput().getType());
}

static hw::SkidConfig configOf(df::SkidOp skid) {
  return streamConfig<hw::SkidConfig>(skid.getInput().getType());
}

static hw::FifoConfig configOf(df::FifoOp fifo) {
  auto c = streamConfig<hw::FifoConfig>(fifo.getInput().getType());
  c.DEPTH = int(fifo.getDepth());
  return c;
}

static hw::AddConfig configOf(df::JoinOp join) {
  hw::AddConfig c;
  auto type = join.getOutput().getType();
  c.LANES = int(type.getLanes());
  c.WB = int(type.getElementWidth());
  c.MODE = join.getMode() == "add" ? 0 : 1;
  c.F = int(join.getFracAttr().getInt());
  if (auto m = join.getMultAttr()) // scaled product (affine integer graphs)
    c.MA = int(m.getInt());
  if (join.getShiftAttr()) { // scaled add (affine integer graphs)
    c.MODE = 2;
    c.MA = int(join.getMultLhsAttr().getInt());
    c.MB = int(join.getMultRhsAttr().getInt());
    c.S = int(join.getShiftAttr().getInt());
  }
  c.beatsPerFrame = int(type.getBeatsPerFrame());
  return c;
}

static hw::ConcatConfig configOf(df::ConcatOp cat) {
  hw::ConcatConfig c;
  c.C1 = int(cat.getLhsChannelsAttr().getInt());
  c.C2 = int(cat.getRhsChannelsAttr().getInt());
  c.LANES = int(cat.getOutput().getType().getLanes());
  c.WB = int(cat.getOutput().getType().getElementWidth());
  c.NPIX = int(cat.getLhs().getType().getFrameElements() / c.C1);
  return c;
}

std::optional<hw::ActorConfig> loom::hwConfigOf(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<hw::ActorConfig>>(op)
      .Case<df::MvuOp, df::DwuOp, df::SoftmaxOp, df::SwgOp, df::PoolOp, df::UpsampleOp, df::ForkOp,
            df::SkidOp, df::FifoOp, df::JoinOp, df::ConcatOp, df::LayerNormOp, df::EmbedOp, df::AttentionOp,
            df::RotaryOp>(
          [](auto actor) { return hw::ActorConfig(configOf(actor)); })
      .Default([](Operation *) { return std::nullopt; });
}

FailureOr<HwGraph> loom::hwGraphOf(func::FuncOp graph, bool skipFifos) {
  HwGraph g;
  llvm::DenseMap<Operation *, int> id;
  int inputs = 0;
  for (Operation &op : graph.getBody().front()) {
    // Graph input k is hw_model's producer graphInput(k), in op order.
    if (llvm::isa<df::InputOp>(op))
      id[&op] = hw::graphInput(inputs++);
    if (llvm::isa<df::InputOp, df::OutputOp, func::ReturnOp>(op))
      continue;
    if (skipFifos && llvm::isa<df::FifoOp>(op))
      continue;
    auto config = hwConfigOf(&op);
    if (!config)
      return op.emitError("actor has no hardware model");
    id[&op] = int(g.actors.size());
    g.actors.push_back(&op);
    auto name = op.getAttrOfType<StringAttr>(nn::kNodeNameAttr);
    hw::Node node;
    node.spec = {*config, name ? name.str() : op.getName().getStringRef().str()};
    g.nodes.push_back(std::move(node));
  }
  for (auto [i, op] : llvm::enumerate(g.actors)) {
    for (auto [port, operand] : llvm::enumerate(op->getOperands())) {
      Operation *producer = operand.getDefiningOp();
      if (skipFifos && llvm::isa_and_nonnull<df::FifoOp>(producer)) {
        g.fifoEdges.push_back({producer, {int(i), int(port)}});
        producer = producer->getOperand(0).getDefiningOp();
      }
      g.nodes[i].inputs.push_back(id.lookup(producer));
    }
    if (auto fork = llvm::dyn_cast<df::ForkOp>(op)) {
      // hw_model gives a fork's outputs to its consumers in node order.
      auto userOf = [&](Value v) -> Operation * {
        Operation *u = *v.user_begin();
        if (skipFifos && llvm::isa<df::FifoOp>(u))
          u = *u->getResult(0).user_begin();
        return u;
      };
      Operation *u0 = userOf(fork.getFirst()), *u1 = userOf(fork.getSecond());
      bool u0IsOut = llvm::isa<df::OutputOp>(u0), u1IsOut = llvm::isa<df::OutputOp>(u1);
      if (u0IsOut || (!u1IsOut && u1->isBeforeInBlock(u0)))
        return fork.emitError("a fork's first result must be consumed before its second");
    }
  }
  return g;
}
