//===- LoomLibrary.cpp - df actors as instances of the Loom RTL library ---===//
//
// One lowering per df actor, dispatched by TypeSwitch: the instance of its
// rtl/ module, with parameters from the hw_model configuration the cost model
// used (so the model describes the hardware that is emitted), and its
// constants (weights, biases, tables) as rtl.memfile images in the exact
// layout docs/CONTRACTS.md gives for $readmemh.
//
//===----------------------------------------------------------------------===//
#include "passes/rtltarget/RTLTarget.h"

#include "dialects/nn/IntAttrs.h"
#include "dialects/nn/NodeNames.h"
#include "hw_model/MvuStream.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace loom;

namespace {

/// Line c, lane pe*SIMD + s holds w[nf*PE + pe][k] for the flat index c*SIMD + s =
/// nf*K + k: line nf*SF + sf, k = sf*SIMD + s when SIMD divides K, and zero past NF*K
/// when it does not (loom_mvu's flat folding). A binary weight is one bit, 1 = +1 and
/// 0 = -1.
std::vector<int64_t> weightLanes(ArrayRef<int64_t> w, int64_t n, int64_t k, int64_t simd,
                                 int64_t pe, bool binary) {
  const int64_t nf = n / pe, lines = (nf * k + simd - 1) / simd;
  std::vector<int64_t> lanes;
  for (int64_t c = 0; c < lines; ++c)
    for (int64_t p = 0; p < pe; ++p)
      for (int64_t l = 0; l < simd; ++l) {
        int64_t f = c * simd + l, g = f / k;
        int64_t v = g < nf ? w[(g * pe + p) * k + f % k] : 0;
        lanes.push_back(binary ? int64_t(v > 0) : v);
      }
  return lanes;
}

/// loom_mvu_stream's weight ROM (hw_model streamWeightImage): line p, lane n*SIMD + s
/// holds w[n][(p*SIMD + s) mod KR], KR = K (dense) or the taps (depthwise).
template <typename Config>
std::vector<int64_t> streamLanes(const Config &c, ArrayRef<int64_t> w, int64_t n, int64_t kr) {
  std::vector<std::vector<int64_t>> rows(n);
  for (int64_t i = 0; i < n; ++i)
    rows[i].assign(w.begin() + i * kr, w.begin() + (i + 1) * kr);
  std::vector<int64_t> lanes;
  for (const auto &line : hw::streamWeightImage(hw::streamGeometry(c), rows))
    for (int64_t v : line)
      lanes.push_back(c.BIPOLAR_W ? int64_t(v > 0) : v);
  return lanes;
}

class LoomLibrary : public RTLTarget {
public:
  StringRef name() const override { return "loom"; }

  LogicalResult lowerActor(Operation *actor, const hw::ActorConfig &config,
                           NetlistBuilder &netlist) override {
    NetlistBuilder &nb = netlist;
    return llvm::TypeSwitch<Operation *, LogicalResult>(actor)
        .Case([&](df::MvuOp op) { return lower(op, std::get<hw::MvuConfig>(config), nb); })
        .Case([&](df::DwuOp op) { return lower(op, std::get<hw::DwuConfig>(config), nb); })
        .Case([&](df::SoftmaxOp op) { return lower(op, std::get<hw::SoftmaxConfig>(config), nb); })
        .Case([&](df::LayerNormOp op) {
          return lower(op, std::get<hw::LayerNormConfig>(config), nb);
        })
        .Case([&](df::EmbedOp op) { return lower(op, std::get<hw::EmbedConfig>(config), nb); })
        .Case([&](df::RotaryOp op) { return lower(op, std::get<hw::RotaryConfig>(config), nb); })
        .Case([&](df::AttentionOp op) {
          return lower(op, std::get<hw::AttentionConfig>(config), nb);
        })
        .Case([&](df::SkidOp op) { return lower(op, std::get<hw::SkidConfig>(config), nb); })
        .Case([&](df::FifoOp op) { return lower(op, std::get<hw::FifoConfig>(config), nb); })
        .Case([&](df::SwgOp op) { return lower(op, std::get<hw::SwgConfig>(config), nb); })
        .Case([&](df::PoolOp op) { return lower(op, std::get<hw::PoolConfig>(config), nb); })
        .Case(
            [&](df::UpsampleOp op) { return lower(op, std::get<hw::UpsampleConfig>(config), nb); })
        .Case([&](df::ForkOp op) { return lower(op, std::get<hw::ForkConfig>(config), nb); })
        .Case([&](df::JoinOp op) { return lower(op, std::get<hw::AddConfig>(config), nb); })
        .Case([&](df::ConcatOp op) { return lower(op, std::get<hw::ConcatConfig>(config), nb); })
        .Default(
            [](Operation *op) { return op->emitError("no RTL library module for this actor"); });
  }

  rtl::InstanceOp lowerFrameEnd(Value out, int64_t beats, StringRef name,
                                NetlistBuilder &nb) override {
    auto type = llvm::cast<df::StreamType>(out.getType());
    NamedAttrList p;
    nb.setParams(p, {{"W", type.getLanes() * type.getElementWidth()}, {"BEATS", beats}});
    return nb.instantiate("loom_tlast_gen", name, p, {out}, {out}, {"in"}, {"out"}, {"out_last"});
  }

private:
  /// loom_mvu / loom_dwu share the requantization and activation stage and
  /// their memory images; the df attributes have the same names on both ops.
  template <typename ComputeOp, typename Config>
  LogicalResult unitImages(ComputeOp op, const Config &c, const std::string &name,
                           int64_t outputs, int64_t reduction, NamedAttrList &p,
                           NetlistBuilder &nb) {
    OpBuilder &b = nb.builder();
    std::vector<int64_t> w =
        c.STREAM ? streamLanes(c, ints(op.getWeight()), outputs, reduction)
                 : weightLanes(ints(op.getWeight()), outputs, reduction, c.SIMD, c.PE, c.BIPOLAR_W);
    if (nb.runtimeWeights()) {
      // The weight and bias memories are loadable. The requantisation multipliers stay
      // ROMs: with --runtime-weights they follow from scales the architecture fixes
      // (int8: flows/RuntimeInt8.h), so every weight set has the same. Post-biases
      // (a folded float BatchNorm's fraction) and PRelu slopes are model values.
      if (c.W_PB > 0 || c.W_LA > 0)
        return op.emitError() << "--runtime-weights: the post-multiply biases or PRelu slopes "
                                 "of "
                              << nn::describeNode(op)
                              << " cannot be loaded at run time yet; compile it without "
                                 "--runtime-weights";
      int64_t wOff = nb.loadableMemfile(name + "_w.mem", c.W_W, c.PE * c.SIMD, w);
      int64_t bOff = nb.loadableMemfile(name + "_b.mem", c.W_ACC, c.PE, ints(op.getBias()));
      nb.setParams(p, {{"RT_W", 1}, {"W_OFF", wOff}, {"B_OFF", bOff}});
    } else {
      nb.memfile(name + "_w.mem", c.W_W, c.PE * c.SIMD, w);
      nb.memfile(name + "_b.mem", c.W_ACC, c.PE, ints(op.getBias()));
      p.set("W_FILE", b.getStringAttr(name + "_w.mem"));
      p.set("B_FILE", b.getStringAttr(name + "_b.mem"));
    }
    nb.setParams(p, {{"SIMD", c.SIMD},
                     {"PE", c.PE},
                     {"IN_BEAT", c.IN_BEAT},
                     {"W_IN", c.W_IN},
                     {"W_W", c.W_W},
                     {"W_ACC", c.W_ACC},
                     {"W_OUT", c.W_OUT},
                     {"ACT", int64_t(c.ACT)}});
    p.set("SHIFT", op.getShiftAttr()); // the signed attribute, not a uint64_t getter
    if (c.BIPOLAR_W)
      p.set("BIPOLAR_W", b.getI64IntegerAttr(1));
    if (c.PIPE > 0) // a clock target's MAC stages; absent, the instance is as before
      p.set("PIPE", b.getI64IntegerAttr(c.PIPE));
    if (c.RQ_PIPE > 0)
      p.set("RQ_PIPE", b.getI64IntegerAttr(c.RQ_PIPE));
    if (c.W_M > 0) { // requantization multipliers: the bias layout, W_M-bit lanes
      std::vector<int64_t> m = ints(*op.getMult());
      if (m.size() == 1)
        m.assign(outputs, m[0]);
      nb.memfile(name + "_m.mem", c.W_M, c.PE, m);
      p.set("W_M", b.getI64IntegerAttr(c.W_M));
      p.set("M_FILE", b.getStringAttr(name + "_m.mem"));
    }
    if (c.W_PB > 0) { // post-multiply biases: the bias layout, W_PB-bit signed lanes
      nb.memfile(name + "_pb.mem", c.W_PB, c.PE, ints(*op.getPostBias()));
      p.set("W_PB", b.getI64IntegerAttr(c.W_PB));
      p.set("PB_FILE", b.getStringAttr(name + "_pb.mem"));
    }
    if (c.ACT == hw::ActCode::Table || c.ACT == hw::ActCode::Clip) { // table domain, clip bounds
      p.set("T_MIN", op.getTMinAttr());
      p.set("T_MAX", op.getTMaxAttr());
    }
    if (c.ACT == hw::ActCode::Leaky && c.W_LA > 0) { // PRelu: per-channel A, the bias layout
      ArrayRef<int64_t> la = *op.getLeakyMults();
      nb.memfile(name + "_la.mem", c.W_LA, c.PE, std::vector<int64_t>(la.begin(), la.end()));
      p.set("W_LA", b.getI64IntegerAttr(c.W_LA));
      p.set("LA_FILE", b.getStringAttr(name + "_la.mem"));
    } else if (c.ACT == hw::ActCode::Leaky) { // LeakyRelu multiplier (shift fixed at 15)
      p.set("LEAKY_A", op.getLeakyMultAttr());
    }
    if (c.ACT == hw::ActCode::Table) {
      nb.memfile(name + "_t.mem", c.W_OUT, 1, ints(*op.getTable()));
      p.set("T_SHIFT", op.getTShiftAttr());
      p.set("T_DEPTH", b.getI64IntegerAttr(c.T_DEPTH));
      p.set("T_FILE", b.getStringAttr(name + "_t.mem"));
    }
    return success();
  }

  LogicalResult lower(df::MvuOp op, const hw::MvuConfig &c, NetlistBuilder &nb) {
    std::string name = nb.instanceName(op, "dense");
    NamedAttrList p;
    nb.setParams(p, {{"K", c.K}, {"N", c.N}});
    if (c.MMV > 1) // several vectors a step: lockstep copies
      nb.setParams(p, {{"MMV", c.MMV}});
    if (c.STREAM) // flat across the frame's vectors
      nb.setParams(p, {{"VECTORS", c.VECTORS}});
    if (failed(unitImages(op, c, name, c.N, c.K, p, nb)))
      return failure();
    const char *module = c.STREAM ? "loom_mvu_stream" : c.MMV > 1 ? "loom_mvu_mmv" : "loom_mvu";
    nb.connectWeightBus(nb.instantiateStream(op, module, name, p));
    return success();
  }

  LogicalResult lower(df::DwuOp op, const hw::DwuConfig &c, NetlistBuilder &nb) {
    std::string name = nb.instanceName(op, "dwconv");
    NamedAttrList p;
    // loom_mvu_mmv takes the copies' loom_mvu parameters: depthwise mode as loom_dwu sets it
    // (loom_mvu_stream likewise: its depthwise mode, flat across the frame's windows)
    if (c.MMV > 1)
      nb.setParams(p, {{"MMV", c.MMV}, {"K", c.KK * c.C}, {"N", c.C}, {"DW_KK", c.KK}});
    else if (c.STREAM)
      nb.setParams(p, {{"VECTORS", c.VECTORS}, {"K", c.KK * c.C}, {"N", c.C}, {"DW_KK", c.KK}});
    else
      nb.setParams(p, {{"C", c.C}, {"KK", c.KK}});
    if (failed(unitImages(op, c, name, c.C, c.KK, p, nb)))
      return failure();
    const char *module = c.STREAM ? "loom_mvu_stream" : c.MMV > 1 ? "loom_mvu_mmv" : "loom_dwu";
    nb.connectWeightBus(nb.instantiateStream(op, module, name, p));
    return success();
  }

  LogicalResult lower(df::SoftmaxOp op, const hw::SoftmaxConfig &c, NetlistBuilder &nb) {
    std::string name = nb.instanceName(op, "softmax");
    nb.memfile(name + "_exp.mem", c.EXP_BITS, 1, ints(op.getExpTable()));
    NamedAttrList p;
    nb.setParams(p, {{"N", c.N},
                     {"IN_BEAT", c.IN_BEAT},
                     {"W", c.W},
                     {"EXP_DEPTH", c.EXP_DEPTH},
                     {"EXP_BITS", c.EXP_BITS}});
    if (c.PIPELINED)
      nb.setParams(p, {{"OUT_BEAT", c.OUT_BEAT}});
    p.set("F", op.getFracAttr());
    p.set("EXP_SHIFT", op.getExpShiftAttr());
    p.set("EXP_FILE", nb.builder().getStringAttr(name + "_exp.mem"));
    nb.instantiateStream(op, c.PIPELINED ? "loom_softmax_pipe" : "loom_softmax", name, p);
    return success();
  }

  /// Widths and shifts from the same numerics::LayerNormParams as the config;
  /// gamma and beta images one entry per channel (docs/CONTRACTS.md).
  LogicalResult lower(df::LayerNormOp op, const hw::LayerNormConfig &c, NetlistBuilder &nb) {
    numerics::LayerNormParams ln = op.getParams();
    if (ln.lo < INT32_MIN || ln.hi > INT32_MAX)
      return op.emitError("layernorm lo and hi must fit 32-bit RTL parameters");
    std::string name = nb.instanceName(op, "layernorm");
    NamedAttrList p;
    if (nb.runtimeWeights()) {
      // Loadable gamma / beta: the shifts and widths come from the bound the format
      // fixes (code_caps, passes/NNQuantize.cpp), so they hold every loadable pair.
      if (ln.gCap == 0 && ln.bCap == 0)
        return op.emitError() << "--runtime-weights: the gamma/beta of " << nn::describeNode(op)
                              << " were sized for this model's values; compile it without "
                                 "--runtime-weights";
      nb.setParams(p, {{"RT_W", 1},
                       {"G_OFF", nb.loadableMemfile(name + "_g.mem", c.W_G, 1, ln.G)},
                       {"B_OFF", nb.loadableMemfile(name + "_b.mem", c.W_B, 1, ln.B)}});
    } else {
      nb.memfile(name + "_g.mem", c.W_G, 1, ln.G);
      nb.memfile(name + "_b.mem", c.W_B, 1, ln.B);
      p.set("G_FILE", nb.builder().getStringAttr(name + "_g.mem"));
      p.set("B_FILE", nb.builder().getStringAttr(name + "_b.mem"));
    }
    nb.setParams(p, {{"C", c.C},
                     {"IN_BEAT", c.IN_BEAT},
                     {"W_IN", c.W_IN},
                     {"W_OUT", c.W_OUT},
                     {"W_V", c.W_V},
                     {"W_T", c.W_T},
                     {"W_U", c.W_U},
                     {"W_G", c.W_G},
                     {"W_B", c.W_B},
                     {"W_Z", c.W_Z},
                     {"E", ln.E},
                     {"ES", ln.es},
                     {"P", c.P},
                     {"R", c.R},
                     {"SH1", ln.sh1},
                     {"SH2", ln.sh2},
                     {"LO", ln.lo},
                     {"HI", ln.hi},
                     {"RMS", ln.rms ? 1 : 0}});
    nb.connectWeightBus(nb.instantiateStream(op, "loom_layernorm", name, p));
    return success();
  }

  /// Widths from the same numerics::RotaryParams as the config; cos and sin
  /// images one signed 16-bit code per line, line t * C + c (docs/CONTRACTS.md
  /// "Rotary").
  LogicalResult lower(df::RotaryOp op, const hw::RotaryConfig &c, NetlistBuilder &nb) {
    numerics::RotaryParams r = op.getParams();
    if (r.lo < INT32_MIN || r.hi > INT32_MAX)
      return op.emitError("rotary lo and hi must fit 32-bit RTL parameters");
    std::string name = nb.instanceName(op, "rotary");
    nb.memfile(name + "_cos.mem", numerics::RotaryParams::kTableBits, 1, r.cos);
    nb.memfile(name + "_sin.mem", numerics::RotaryParams::kTableBits, 1, r.sin);
    NamedAttrList p;
    nb.setParams(p, {{"T", c.T},
                     {"C", c.C},
                     {"D", c.D},
                     {"IN_BEAT", c.IN_BEAT},
                     {"W_IN", c.W_IN},
                     {"W_OUT", c.W_OUT},
                     {"W_ACC", c.W_ACC},
                     {"W_M", c.W_M},
                     {"M", r.mult},
                     {"SH", r.shift},
                     {"LO", r.lo},
                     {"HI", r.hi}});
    p.set("COS_FILE", nb.builder().getStringAttr(name + "_cos.mem"));
    p.set("SIN_FILE", nb.builder().getStringAttr(name + "_sin.mem"));
    nb.instantiateStream(op, "loom_rotary", name, p);
    return success();
  }

  /// Table images of OUT_BEAT codes per line (docs/CONTRACTS.md "Memory file
  /// formats"): line id * NB + b holds codes b*OUT_BEAT .. of row id.
  LogicalResult lower(df::EmbedOp op, const hw::EmbedConfig &c, NetlistBuilder &nb) {
    int64_t lo = int64_t(op.getLo()), hi = int64_t(op.getHi());
    if (lo < INT32_MIN || hi > INT32_MAX)
      return op.emitError("embed lo and hi must fit 32-bit RTL parameters");
    std::string name = nb.instanceName(op, "embed");
    auto codes = [](ElementsAttr a) {
      std::vector<int64_t> v;
      for (const APInt &x : a.getValues<APInt>())
        v.push_back(x.getSExtValue());
      return v;
    };
    NamedAttrList p;
    if (nb.runtimeWeights()) {
      // Loadable tables: their codes are in the output format the architecture fixes.
      nb.setParams(p, {{"RT_W", 1},
                       {"E_OFF", nb.loadableMemfile(name + "_e.mem", c.W_OUT, c.OUT_BEAT,
                                                    codes(op.getTable()))}});
      if (c.POS)
        nb.setParams(p, {{"P_OFF", nb.loadableMemfile(name + "_p.mem", c.W_OUT, c.OUT_BEAT,
                                                      codes(*op.getPos()))}});
    } else {
      nb.memfile(name + "_e.mem", c.W_OUT, c.OUT_BEAT, codes(op.getTable()));
      if (c.POS)
        nb.memfile(name + "_p.mem", c.W_OUT, c.OUT_BEAT, codes(*op.getPos()));
      p.set("E_FILE", nb.builder().getStringAttr(name + "_e.mem"));
      p.set("P_FILE", nb.builder().getStringAttr(c.POS ? name + "_p.mem" : ""));
    }
    nb.setParams(p, {{"V", c.V},
                     {"C", c.C},
                     {"T", c.T},
                     {"OUT_BEAT", c.OUT_BEAT},
                     {"W_ID", c.W_ID},
                     {"W_OUT", c.W_OUT},
                     {"POS", c.POS},
                     {"LO", lo},
                     {"HI", hi}});
    nb.connectWeightBus(nb.instantiateStream(op, "loom_embed", name, p));
    return success();
  }

  /// Widths from the same numerics::AttentionParams as the config; the exp table
  /// image as softmax's (docs/CONTRACTS.md "Attention").
  LogicalResult lower(df::AttentionOp op, const hw::AttentionConfig &c, NetlistBuilder &nb) {
    numerics::AttentionParams a = op.getParams();
    if (a.lo < INT32_MIN || a.hi > INT32_MAX || a.zp < INT32_MIN || a.zp > INT32_MAX)
      return op.emitError("attention lo, hi and zp must fit 32-bit RTL parameters");
    std::string name = nb.instanceName(op, "attention");
    nb.memfile(name + "_exp.mem", c.EXP_BITS, 1, a.exp.values);
    NamedAttrList p;
    nb.setParams(p, {{"T", c.T},
                     {"C", c.C},
                     {"H", c.H},
                     {"IN_BEAT_Q", c.IN_BEAT_Q},
                     {"IN_BEAT_K", c.IN_BEAT_K},
                     {"IN_BEAT_V", c.IN_BEAT_V},
                     {"SIMD", c.SIMD},
                     {"CAUSAL", c.CAUSAL},
                     {"W_IN", c.W_IN},
                     {"W_OUT", c.W_OUT},
                     {"W_A", c.W_A},
                     {"W_S", c.W_S},
                     {"W_U", c.W_U},
                     {"W_R", c.W_R},
                     {"W_M", c.W_M},
                     {"R", c.R},
                     {"G", c.G},
                     {"M", a.mult},
                     {"SH", a.shift},
                     {"ZP", a.zp},
                     {"LO", a.lo},
                     {"HI", a.hi},
                     {"EXP_SHIFT", a.exp.shift},
                     {"EXP_DEPTH", c.EXP_DEPTH},
                     {"EXP_BITS", c.EXP_BITS}});
    p.set("EXP_FILE", nb.builder().getStringAttr(name + "_exp.mem"));
    if (c.WINDOW > 0)
      nb.setParams(p, {{"WINDOW", c.WINDOW}});
    if (c.KB) { // ALiBi: H x T signed score codes, one per line
      nb.memfile(name + "_kb.mem", c.W_A, 1, a.keyBias);
      nb.setParams(p, {{"KB", 1}});
      p.set("KB_FILE", nb.builder().getStringAttr(name + "_kb.mem"));
    }
    // A QDQ export's own score / probability quantizers (defaults: off).
    if (a.score.on)
      nb.setParams(p, {{"SQ", 1},
                       {"SM", a.score.mult},
                       {"SSH", a.score.shift},
                       {"SLO", a.score.lo},
                       {"SHI", a.score.hi},
                       {"W_SM", c.W_SM}});
    if (a.prob.on)
      nb.setParams(p, {{"PQ", 1},
                       {"PM", a.prob.pm},
                       {"PK", a.prob.pk},
                       {"PLO", a.prob.lo},
                       {"PHI", a.prob.hi},
                       {"W_PC", c.W_PC},
                       {"DIV_STEPS", c.DIV_STEPS}});
    nb.instantiate("loom_attention", name, p, {op.getQ(), op.getK(), op.getV()},
                   {op.getOutput()}, {"q", "k", "v"}, {"out"});
    return success();
  }

  LogicalResult lower(df::SkidOp op, const hw::SkidConfig &c, NetlistBuilder &nb) {
    NamedAttrList p;
    nb.setParams(p, {{"W", c.W}});
    nb.instantiateStream(op, "loom_skid", nb.instanceName(op, "pass"), p);
    return success();
  }

  LogicalResult lower(df::FifoOp op, const hw::FifoConfig &c, NetlistBuilder &nb) {
    NamedAttrList p;
    nb.setParams(p, {{"W", c.W}, {"DEPTH", c.DEPTH}});
    nb.instantiateStream(op, "loom_fifo", nb.instanceName(op, "fifo"), p);
    return success();
  }

  LogicalResult lower(df::SwgOp op, const hw::SwgConfig &c, NetlistBuilder &nb) {
    NamedAttrList p;
    nb.setParams(p, {{"C", c.C},
                     {"H", c.H},
                     {"W", c.W},
                     {"KH", c.KH},
                     {"KW", c.KW},
                     {"SH", c.SH},
                     {"SW", c.SW},
                     {"DH", c.DH},
                     {"DW", c.DW},
                     {"PT", c.PT},
                     {"PL", c.PL},
                     {"PB", c.PB},
                     {"PR", c.PR},
                     {"IN_BEAT", c.IN_BEAT},
                     {"OUT_BEAT", c.OUT_BEAT},
                     {"WB", c.WB},
                     {"PAD_VAL", c.PAD_VAL},
                     {"ROWS", c.ROWS}});
    nb.instantiateStream(op, "loom_swg", nb.instanceName(op, "conv", "_window"), p);
    return success();
  }

  LogicalResult lower(df::PoolOp op, const hw::PoolConfig &c, NetlistBuilder &nb) {
    std::string name = nb.instanceName(op, "pool");
    NamedAttrList p;
    nb.setParams(p, {{"MODE", c.MODE},
                     {"C", c.C},
                     {"KK", c.KK},
                     {"IN_BEAT", c.IN_BEAT},
                     {"PE", c.PE},
                     {"WB", c.WB},
                     {"NPIX", c.NPIX},
                     {"DIV", c.DIV},
                     {"D_BITS", c.D_BITS}});
    if (c.RND != 0) // a QONNX Trunc's rounding (default half to even)
      nb.setParams(p, {{"RND", c.RND}});
    if (c.HOLD != 1) // a window a beat: ping-pong hold banks
      nb.setParams(p, {{"HOLD", c.HOLD}});
    if (op.getDivisors()) {
      nb.memfile(name + "_d.mem", c.D_BITS, 1, ints(*op.getDivisors()));
      p.set("D_FILE", nb.builder().getStringAttr(name + "_d.mem"));
    }
    nb.instantiateStream(op, "loom_pool", name, p);
    return success();
  }

  LogicalResult lower(df::UpsampleOp op, const hw::UpsampleConfig &c, NetlistBuilder &nb) {
    NamedAttrList p;
    nb.setParams(p, {{"C", c.C},
                     {"H", c.H},
                     {"W", c.W},
                     {"SH", c.SH},
                     {"SW", c.SW},
                     {"LANES", c.LANES},
                     {"WB", c.WB}});
    nb.instantiateStream(op, "loom_upsample", nb.instanceName(op, "upsample"), p);
    return success();
  }

  LogicalResult lower(df::ForkOp op, const hw::ForkConfig &c, NetlistBuilder &nb) {
    NamedAttrList p;
    nb.setParams(p, {{"W", c.W}});
    nb.instantiate("loom_fork", nb.instanceName(op, "stream", "_fork"), p, {op.getInput()},
                   {op.getFirst(), op.getSecond()}, {"in"}, {"out0", "out1"});
    return success();
  }

  LogicalResult lower(df::JoinOp op, const hw::AddConfig &c, NetlistBuilder &nb) {
    NamedAttrList p;
    nb.setParams(p, {{"LANES", c.LANES}, {"WB", c.WB}, {"MODE", c.MODE}, {"F", c.F}});
    if (op.getRelu())
      nb.setParams(p, {{"RELU", 1}});
    if (c.MODE == 2) // scaled add
      nb.setParams(p, {{"MA", c.MA}, {"MB", c.MB}, {"S", c.S}});
    if (c.MODE == 1 && c.MA != 1) // scaled product
      nb.setParams(p, {{"MA", c.MA}});
    if (op.getTMin()) { // the output quantizer's range (codes)
      nb.setParams(p, {{"CLIP", 1}});
      p.set("LO", op.getTMinAttr());
      p.set("HI", op.getTMaxAttr());
    }
    nb.instantiate("loom_add", nb.instanceName(op, "add"), p, {op.getLhs(), op.getRhs()},
                   {op.getOutput()}, {"in0", "in1"}, {"out"});
    return success();
  }

  LogicalResult lower(df::ConcatOp op, const hw::ConcatConfig &c, NetlistBuilder &nb) {
    NamedAttrList p;
    nb.setParams(p, {{"C1", c.C1}, {"C2", c.C2}, {"LANES", c.LANES}, {"WB", c.WB}});
    if (op.getRelu())
      nb.setParams(p, {{"RELU", 1}});
    nb.instantiate("loom_concat", nb.instanceName(op, "concat"), p, {op.getLhs(), op.getRhs()},
                   {op.getOutput()}, {"in0", "in1"}, {"out"});
    return success();
  }
};

} // namespace

std::unique_ptr<RTLTarget> loom::createLoomLibraryTarget() {
  return std::make_unique<LoomLibrary>();
}
