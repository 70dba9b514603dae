//===- Compile.cpp - `loom compile`: ONNX -> OUT/ -------------------------===//
//
// The pipeline: libonnx load -> nn (import) -> nn-normalize -> nn-quantize ->
// nn-to-df -> df-fold -> hw_model prediction -> df-to-rtl -> SystemVerilog.
// Each IR stage is saved next to the RTL so a user (or `loom sim`) can see
// exactly what was built from what.
//
//===----------------------------------------------------------------------===//
#include "flows/Compile.h"
#include "flows/RuntimeInt8.h"
#include "flows/RuntimeWeights.h"

#include "compiler/emit/Identifiers.h"
#include "compiler/emit/VerilogEmitter.h"
#include "compiler/interp/Interpreter.h"
#include "compiler/nnimport/ImportToNN.h"
#include "compiler/onnx/OnnxModel.h"
#include "flows/AutoPrecision.h"
#include "flows/Calibrate.h"
#include "flows/Diagnostics.h"
#include "flows/HostFiles.h"
#include "flows/Lint.h"
#include "hw_model/Cost.h"
#include "hw_model/Devices.h"
#include "hw_model/Pipeline.h"
#include "hw_model/Resources.h"
#include "passes/DFCost.h"
#include "passes/Passes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>
#include <optional>

using namespace mlir;
using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string print(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  // Large constants are part of the reference graph: print them in full.
  module->print(os, OpPrintingFlags().enableDebugInfo(false));
  return text;
}

llvm::Error writeText(const llvm::Twine &path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path.str(), ec);
  if (ec)
    return error("cannot write " + path + ": " + ec.message());
  os << text;
  return llvm::Error::success();
}

/// Runs `passes` on `module`, turning diagnostics into one error line.
llvm::Error runPasses(ModuleOp module, const std::string &file,
                      llvm::function_ref<void(PassManager &)> passes) {
  DiagnosticCollector diags(*module.getContext(), file);
  PassManager pm(module.getContext());
  passes(pm);
  if (failed(pm.run(module))) {
    std::string msg = diags.message();
    return error(msg.empty() ? file + ": compilation failed" : msg);
  }
  return llvm::Error::success();
}

std::string kindOf(Operation *op) {
  return op->getName().getStringRef().drop_front(3).str(); // "df.mvu" -> "mvu"
}

llvm::json::Array shapeJson(ArrayRef<int64_t> shape) {
  llvm::json::Array a;
  for (int64_t d : shape)
    a.push_back(d);
  return a;
}

llvm::json::Array doublesJson(ArrayRef<double> xs) {
  llvm::json::Array a;
  for (double x : xs)
    a.push_back(x);
  return a;
}

/// Affine graph ends (docs/CONTRACTS.md, "Affine integer graphs"): the host
/// converts with scale / zero_point (per axis when they are arrays of more
/// than one) instead of 2^-frac. `integer`: the tensor holds integers (an
/// integer ONNX input or output), converted as c = clamp(x) - zp / x = c + zp.
/// code_min / code_max: the range of the stream words (centered codes).
void describeAffineInput(func::FuncOp nnFunc, unsigned arg, llvm::json::Object &in) {
  for (Operation *user : nnFunc.getArgument(arg).getUsers()) {
    auto q = llvm::dyn_cast<nn::QuantizeOp>(user);
    if (!q || !q.getScale())
      continue;
    in["scale"] = doublesJson(*q.getScale());
    in["zero_point"] = shapeJson(q.getZeroPoint().value_or(ArrayRef<int64_t>{}));
    in["axis"] = int64_t(q.getAxis().value_or(0));
    in["integer"] = bool(q.getIntegerInput());
    in["rounding"] = q.getRounding().value_or("half_even").str();
    if (q.getBipolar())
      in["bipolar"] = true;
    // Token ids (docs/CONTRACTS.md "Embedding"): unsigned addresses in
    // [qmin, qmax] = [0, V - 1], not values; `bits` is ceil(log2 V).
    if (q->hasAttr("loom.index"))
      in["index"] = true;
    if (q.getQmin() && q.getQmax()) {
      in["qmin"] = int64_t(*q.getQmin());
      in["qmax"] = int64_t(*q.getQmax());
    }
    break;
  }
}

void describeAffineOutput(func::FuncOp nnFunc, unsigned result, llvm::json::Object &out) {
  auto ret = llvm::cast<func::ReturnOp>(nnFunc.getBody().front().getTerminator());
  auto dq = ret.getOperand(result).getDefiningOp<nn::DequantizeOp>();
  if (!dq || !dq.getScale())
    return;
  out["scale"] = doublesJson(*dq.getScale());
  out["zero_point"] = shapeJson(dq.getZeroPoint().value_or(ArrayRef<int64_t>{}));
  out["axis"] = int64_t(dq.getAxis().value_or(0));
  out["integer"] = bool(dq.getIntegerOutput());
  // The output range is the clip that ends the last layer (its quantizer's
  // [qmin - zp, qmax - zp]); without one, the word width bounds it.
  if (auto clip = dq.getInput().getDefiningOp<nn::ClipOp>()) {
    out["code_min"] = int64_t(std::llround(clip.getMin().convertToDouble()));
    out["code_max"] = int64_t(std::llround(clip.getMax().convertToDouble()));
  }
}

/// The nn function's argument / result that carries ONNX tensor `name`.
std::optional<unsigned> argNamed(func::FuncOp f, StringRef name) {
  for (unsigned i = 0; i < f.getNumArguments(); ++i)
    if (auto n = f.getArgAttrOfType<StringAttr>(i, "onnx.name"); n && n.getValue() == name)
      return i;
  return std::nullopt;
}
std::optional<unsigned> resultNamed(func::FuncOp f, StringRef name) {
  for (unsigned i = 0; i < f.getNumResults(); ++i)
    if (auto n = f.getResultAttrOfType<StringAttr>(i, "onnx.name"); n && n.getValue() == name)
      return i;
  return std::nullopt;
}

/// report.json: the hw_model's view of the design, written before any
/// simulation (docs/ARCHITECTURE.md, "The flows and their files").
/// Per-tensor formats of --precision auto by ONNX node: the format of the
/// node's output and, for a layer, of its weights (report.json actors).
using FormatsByNode = std::map<std::string, llvm::json::Object>;

FormatsByNode formatsByNode(ModuleOp quantizedFloat) {
  FormatsByNode formats;
  auto name = [](Operation *op) -> std::string {
    auto n = op ? op->getAttrOfType<StringAttr>(nn::kNodeNameAttr) : nullptr;
    return n ? n.str() : std::string();
  };
  // The --formats syntax: "fixed<W,I>" or "ufixed<W,I>".
  auto text = [](Attribute a) -> std::string {
    auto f = llvm::dyn_cast<nn::FixedFormatAttr>(a);
    if (!f)
      return "";
    return (f.getIsSigned() ? "fixed<" : "ufixed<") + std::to_string(f.getWidth()) + "," +
           std::to_string(f.getIntBits()) + ">";
  };
  quantizedFloat.walk([&](nn::QuantizeLinearOp q) {
    auto f = q->getAttr(nn::kFormatAttr);
    if (!f)
      return;
    Operation *op = q.getInput().getDefiningOp();
    std::string key = "input";
    if (auto arg = llvm::dyn_cast<BlockArgument>(q.getInput()))
      if (auto n = q->getParentOfType<func::FuncOp>().getArgAttrOfType<StringAttr>(
              arg.getArgNumber(), "onnx.name"))
        key = "input " + n.str();
    formats[op ? name(op) : key]["output"] = text(f);
    // A fused Relu / Clip: the layer before it is the actor.
    if (op && llvm::isa<nn::ReluOp, nn::ClipOp>(op))
      if (Operation *layer = op->getOperand(0).getDefiningOp())
        formats[name(layer)]["output"] = text(f);
  });
  // A softmax's output has its input's format (docs/CONTRACTS.md, qsoftmax).
  quantizedFloat.walk([&](nn::SoftmaxOp sm) {
    if (auto dq = sm.getInput().getDefiningOp<nn::DequantizeLinearOp>())
      if (auto q = dq.getInput().getDefiningOp<nn::QuantizeLinearOp>())
        if (auto f = q->getAttr(nn::kFormatAttr))
          formats[name(sm)]["output"] = text(f);
  });
  quantizedFloat.walk([&](Operation *op) {
    if (auto w = op->getAttr(nn::kWeightFormatAttr))
      formats[name(op)]["weights"] = text(w);
  });
  return formats;
}

/// A sequence design (every graph end [1, T, ...], T >= 2: a causal LM's input_ids
/// [1, T] and logits [1, T, V]) decoded one row per token: hw_model's cycles of a row
/// fed into the idle pipeline after the rows before it (hw::predictRowSchedule, the
/// schedule of `loom generate`), the MACs and the multiplier bound per token, and
/// tokens/s at kTokenClockMhz. Null for other designs, and for sequence designs that
/// cannot produce a row before later rows arrive (attention without a causal mask).
constexpr double kTokenClockMhz = 200;
llvm::json::Value sequenceJson(func::FuncOp nnFunc, const std::vector<hw::Node> &nodes,
                               int64_t macs, int64_t mults) {
  int64_t rows = -1;
  auto same = [&](Type t) {
    auto s = llvm::dyn_cast<ShapedType>(t);
    if (!s || !s.hasStaticShape() || s.getRank() < 2 || s.getDimSize(0) != 1 ||
        s.getDimSize(1) < 2 || (rows >= 0 && s.getDimSize(1) != rows))
      return false;
    rows = s.getDimSize(1);
    return true;
  };
  if (!llvm::all_of(nnFunc.getArgumentTypes(), same) ||
      !llvm::all_of(nnFunc.getResultTypes(), same))
    return nullptr;
  hw::RowTiming rt = hw::predictRowSchedule(nodes, {rows, 1, rows});
  if (!rt.ok)
    return nullptr;
  int64_t first = rt.lastOut[0] - rt.firstIn[0] + 1, sum = 0;
  for (int64_t r = 1; r < rows; ++r)
    sum += rt.lastOut[size_t(r)] - rt.firstIn[size_t(r)] + 1;
  double mean = double(sum) / double(rows - 1);
  int64_t perToken = macs / rows;
  return llvm::json::Object{
      {"rows", rows},
      {"macs_per_token", perToken},
      {"multiplier_bound_per_token", mults ? (perToken + mults - 1) / mults : 0},
      {"predicted_first_token_cycles", first},
      {"predicted_last_token_cycles",
       rt.lastOut[size_t(rows - 1)] - rt.firstIn[size_t(rows - 1)] + 1},
      {"predicted_mean_token_cycles", mean},
      {"clock_mhz", kTokenClockMhz},
      {"tokens_per_second", kTokenClockMhz * 1e6 / mean}};
}

llvm::Expected<llvm::json::Object> makeReport(const CompileOptions &options, ModuleOp dfModule,
                                              func::FuncOp nnFunc, StringRef top,
                                              StringRef precision, const FormatsByNode &formats) {
  auto graph = *dfModule.getOps<func::FuncOp>().begin();
  auto g = hwGraphOf(graph);
  if (failed(g))
    return error(options.model + ": the dataflow graph has no hardware model");
  hw::PipelineTiming timing = hw::predictGraphTiming(g->nodes);
  if (!timing.ok)
    return error(options.model + ": hw_model: " + timing.error);

  llvm::json::Array actors;
  int64_t mults = 0, memBits = 0, macs = 0, kvBits = 0;
  hw::Resources total; // synth_xilinx estimates (hw_model/Resources.h)
  for (auto [op, node] : llvm::zip(g->actors, g->nodes)) {
    const hw::ActorSpec &spec = node.spec;
    hw::ActorCost cost = hw::estimateCost(spec.config);
    hw::Resources res = hw::estimateResources(spec.config);
    mults += cost.multipliers;
    macs += cost.macs;
    memBits += cost.memoryBits;
    total += res;
    auto in = llvm::cast<df::StreamType>(op->getOperand(0).getType());
    auto out = llvm::cast<df::StreamType>(op->getResult(0).getType());
    llvm::json::Object a{{"name", spec.name},
                         {"kind", kindOf(op)},
                         {"onnx_op", op->getAttrOfType<StringAttr>(nn::kOpTypeAttr)
                                         ? op->getAttrOfType<StringAttr>(nn::kOpTypeAttr).str()
                                         : std::string()},
                         {"input_elements", in.getFrameElements()},
                         {"output_elements", out.getFrameElements()},
                         {"input_lanes", in.getLanes()},
                         {"output_lanes", out.getLanes()},
                         {"predicted_cycles_per_frame", cost.cyclesPerFrame},
                         {"predicted_latency_cycles", cost.latencyCycles},
                         {"multipliers", cost.multipliers},
                         {"memory_bits", cost.memoryBits},
                         {"luts_estimate", res.luts},
                         {"ffs_estimate", res.ffs},
                         {"brams_estimate", res.brams},
                         {"dsps_estimate", res.dsps}};
    if (auto it = formats.find(spec.name); it != formats.end())
      a["format"] = llvm::json::Object(it->second);
    if (cost.multBitsA) // operand widths of the MAC lanes; binary: +-1 weights, no multipliers
      a["mult_bits"] = llvm::json::Array{cost.multBitsA, cost.multBitsB};
    if (cost.binary)
      a["binary"] = true;
    // The KV cache: attention's K and V memories, T rows of C codes each (part of
    // memory_bits); on chip in BRAM when the estimate maps any memory there.
    if (const auto *att = std::get_if<hw::AttentionConfig>(&spec.config)) {
      int64_t bits = 2LL * att->T * att->C * att->W_IN;
      kvBits += bits;
      a["kv_cache_bits"] = bits;
      a["kv_cache_memory"] = res.brams > 0 ? "bram" : "lutram";
      // A QDQ export's own quantizers inside the attention, which the actor applies.
      llvm::json::Array inner;
      if (att->SQ)
        inner.push_back("scores");
      if (att->PQ)
        inner.push_back("probabilities");
      a["model_quantizers"] = std::move(inner);
    }
    if (auto fold = llvm::dyn_cast<df::FoldableOpInterface>(op))
      a["folding"] = llvm::json::Object{{"simd", fold.getSimd()},
                                        {"pe", fold.getPe()},
                                        {"mmv", fold.getMmv()},
                                        {"across_vectors", fold.foldsAcrossVectors()}};
    // Register stages added for --clock-mhz (the RTL's PIPE; 0: none).
    a["pipeline_stages"] = std::visit(
        [](const auto &c) -> int64_t {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, hw::MvuConfig> || std::is_same_v<T, hw::DwuConfig>)
            return c.PIPE + c.RQ_PIPE;
          return 0;
        },
        spec.config);
    if (auto mvu = llvm::dyn_cast<df::MvuOp>(op)) {
      a["activation"] = df::activationName(mvu).str();
      a["acc_width"] = mvu.getAccWidthAttr().getInt();
    } else if (auto dwu = llvm::dyn_cast<df::DwuOp>(op)) {
      a["activation"] = df::activationName(dwu).str();
      a["acc_width"] = dwu.getAccWidthAttr().getInt();
    } else if (auto fifo = llvm::dyn_cast<df::FifoOp>(op)) {
      a["fifo_depth"] = int64_t(fifo.getDepth());
    }
    // Where each input port's stream comes from, by index into `actors` or
    // `inputs` (names repeat: a conv is a window actor and a unit of one node).
    llvm::json::Array from;
    for (int p : node.inputs)
      from.push_back(p >= 0 ? llvm::json::Object{{"actor", p}}
                            : llvm::json::Object{{"graph_input", hw::graphInputIndex(p)}});
    a["from"] = std::move(from);
    actors.push_back(std::move(a));
  }
  // Stream order of the ends (docs: NNToDF): stream element i is flat tensor
  // element perm[i]; absent = the tensor's own order.
  auto permJson = [](Operation *op) -> llvm::json::Value {
    auto perm = op->getAttrOfType<DenseI64ArrayAttr>("loom.perm");
    if (!perm)
      return nullptr;
    return shapeJson(perm.asArrayRef());
  };
  auto fracOf = [](Operation *op) -> int64_t {
    auto frac = op->getAttrOfType<IntegerAttr>("loom.frac");
    return frac ? frac.getInt() : 0;
  };
  auto endJson = [&](Operation *op, StringRef name, df::StreamType type, ShapedType tensor,
                     StringRef port) {
    return llvm::json::Object{{"name", name.str()},
                              {"port", port.str()},
                              {"shape", shapeJson(tensor.getShape())},
                              {"lanes", type.getLanes()},
                              {"bits", type.getElementWidth()},
                              {"frac", fracOf(op)},
                              {"beats_per_frame", type.getBeatsPerFrame()},
                              {"perm", permJson(op)}};
  };
  llvm::json::Array inputs, outputs;
  auto dfIns = llvm::to_vector(graph.getOps<df::InputOp>());
  auto dfOuts = llvm::to_vector(graph.getOps<df::OutputOp>());
  // The port names df-to-rtl gives the top.
  auto names = [](auto ends) {
    std::vector<std::string> n;
    for (auto end : ends)
      n.push_back(end.getTensorName().str());
    return n;
  };
  std::vector<std::string> inPorts = streamPortNames("s_axis", names(dfIns));
  std::vector<std::string> outPorts = streamPortNames("m_axis", names(dfOuts));
  for (auto [k, in] : llvm::enumerate(dfIns)) {
    auto arg = argNamed(nnFunc, in.getTensorName());
    if (!arg)
      return error(options.model + ": graph input '" + in.getTensorName() + "' is lost");
    llvm::json::Object o =
        endJson(in, in.getTensorName(), in.getOutput().getType(),
                llvm::cast<ShapedType>(nnFunc.getArgument(*arg).getType()),
                inPorts[k]);
    describeAffineInput(nnFunc, *arg, o);
    if (auto it = formats.find("input " + in.getTensorName().str()); it != formats.end())
      o["format"] = llvm::json::Object(it->second);
    inputs.push_back(std::move(o));
  }
  for (auto [k, out] : llvm::enumerate(dfOuts)) {
    auto res = resultNamed(nnFunc, out.getTensorName());
    if (!res)
      return error(options.model + ": graph output '" + out.getTensorName() + "' is lost");
    llvm::json::Object o =
        endJson(out, out.getTensorName(), out.getInput().getType(),
                llvm::cast<ShapedType>(nnFunc.getResultTypes()[*res]),
                outPorts[k]);
    describeAffineOutput(nnFunc, *res, o);
    if (Operation *producer = out.getInput().getDefiningOp())
      if (auto it = llvm::find(g->actors, producer); it != g->actors.end())
        o["from_actor"] = int64_t(it - g->actors.begin());
    outputs.push_back(std::move(o));
  }
  llvm::json::Value firstIn = inputs.front(), firstOut = outputs.front();
  // --runtime-weights: the load takes one cycle per image word (hw_model).
  llvm::json::Value loadCycles = nullptr;
  if (options.runtimeWeights) {
    int64_t words = 0;
    for (const auto &node : g->nodes)
      words += hw::weightLoadWords(node.spec.config);
    loadCycles = words;
  }
  return llvm::json::Object{{"top", top.str()},
                            {"runtime_weights", options.runtimeWeights},
                            {"reset", options.aresetn ? "aresetn" : "rst"},
                            {"predicted_weight_load_cycles", std::move(loadCycles)},
                            {"model", options.model},
                            {"precision", precision.str()},
                            {"max_mults", options.maxMults},
                            {"target_ii", options.targetII},
                            {"clock_mhz", options.clockMhz},
                            {"clock_family", options.clockFamily.empty() ? "xilinx-7"
                                                                         : options.clockFamily},
                            {"predicted_ii_cycles", timing.ii_cycles},
                            {"predicted_latency_cycles", timing.latency_cycles},
                            {"total_multipliers", mults},
                            {"total_macs", macs},
                            {"kv_cache_bits", kvBits},
                            {"sequence", sequenceJson(nnFunc, g->nodes, macs, mults)},
                            {"total_memory_bits", memBits},
                            {"part", options.part.empty() ? hw::kDefaultXilinxPart : options.part},
                            {"max_luts", options.maxLuts},
                            {"max_dsps", options.maxDsps},
                            {"luts_estimate", total.luts},
                            {"ffs_estimate", total.ffs},
                            {"brams_estimate", total.brams},
                            {"dsps_estimate", total.dsps},
                            {"input", std::move(firstIn)},
                            {"output", std::move(firstOut)},
                            {"inputs", std::move(inputs)},
                            {"outputs", std::move(outputs)},
                            {"actors", std::move(actors)}};
}

/// OUT/ may be new, empty, or an earlier Loom output (it has report.json);
/// anything else is the user's and is never replaced.
llvm::Error checkOutDir(StringRef out) {
  if (llvm::sys::fs::exists(out)) {
    if (!llvm::sys::fs::is_directory(out))
      return error(out + " exists and is not a directory");
    std::error_code ec;
    llvm::sys::fs::directory_iterator it(out, ec), end;
    bool empty = !ec && it == end;
    if (!empty && !llvm::sys::fs::exists(out + "/report.json"))
      return error(out + " exists and is not a Loom output directory (no report.json); "
                         "choose another -o or remove it");
  }
  return llvm::Error::success();
}

/// A fresh sibling of `out` to build into, renamed over `out` at the end.
llvm::Expected<std::string> makeStagingDir(StringRef out) {
  if (auto err = checkOutDir(out))
    return std::move(err);
  SmallString<256> staging(out);
  staging += ".partial-" + std::to_string(llvm::sys::Process::getProcessId());
  llvm::sys::fs::remove_directories(staging);
  if (auto ec = llvm::sys::fs::create_directories(staging + "/rtl"))
    return error("cannot create " + staging + ": " + ec.message());
  return staging.str().str();
}

} // namespace

llvm::Error loom::compileModel(const CompileOptions &options, std::vector<std::string> &warnings) {
  const std::string &file = options.model;
  if (auto err = checkOutDir(options.outDir))
    return err;
  // The resource model is synth_xilinx's (hw_model/Resources.h): 7-series parts only.
  if (!options.part.empty()) {
    const hw::Device *d = hw::findDevice(options.part);
    if (!d || d->family != hw::Family::Xilinx7) {
      std::string parts;
      for (const hw::Device *x : hw::devicesOf(hw::Family::Xilinx7))
        parts += (parts.empty() ? "" : ", ") + x->name;
      return error("--part " + options.part +
                   " is not a 7-series part Loom has a resource model for (" + parts + ")");
    }
  }
  auto model = onnx::loadOnnxModel(file);
  if (!model)
    return model.takeError();
  for (const std::string &w : model->warnings)
    warnings.push_back(file + ": " + w);

  DialectRegistry registry;
  registry.insert<nn::NNDialect, df::DFDialect, rtl::RTLDialect, func::FuncDialect>();
  registerReferenceModels(registry); // calibration interprets the graph
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  std::vector<std::string> importWarnings;
  auto imported = importToNN(*model, ctx, importWarnings);
  if (!imported)
    return imported.takeError();
  for (const std::string &w : importWarnings)
    warnings.push_back(file + ": " + w);
  ModuleOp module = imported->get();

  if (auto err = runPasses(module, file, [](PassManager &pm) { pm.addPass(createNNNormalize()); }))
    return err;
  std::string floatIR = print(module);
  // A model that brings its own quantization is built with its scales,
  // whatever --precision says.
  bool carriesQuant = false;
  module.walk([&](nn::QuantizeLinearOp) { carriesQuant = true; });
  for (auto func : module.getOps<func::FuncOp>())
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      carriesQuant |= bool(func.getArgAttr(i, "loom.int_range"));
  // A mixed graph (the model quantizes some tensors, others stay float)
  // gets automatic formats for its float tensors, around its own quantizers.
  bool mixed = false;
  if (carriesQuant && options.precision == "auto") {
    ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
    auto floats = floatTensorsToQuantize(*module.getOps<func::FuncOp>().begin());
    mixed = succeeded(floats) && *floats > 0;
  }
  std::string precision = carriesQuant && !mixed ? "model" : options.precision;
  // Run-time weights need formats that do not depend on the weights: one
  // fixed<W,I>, given or resolved from auto below (docs/CONTRACTS.md
  // "Weight-load stream").
  if (options.runtimeWeights &&
      (carriesQuant || (precision != "auto" && precision != "int8" &&
                        !llvm::StringRef(precision).starts_with("fixed<"))))
    return error(file + ": --runtime-weights needs --precision auto (the default), int8 or "
                        "fixed<W,I>: formats and accumulators are fixed for every weight set, "
                        "and this model brings its own quantization, whose scales follow its "
                        "weights");
  if (!options.formats.empty() && precision != "auto")
    return error(file + ": --formats pins formats of --precision auto; this model " +
                 (carriesQuant ? "carries its own quantization"
                               : "is compiled with --precision " + precision));
  // int8 and auto: calibration ranges, then QDQ pairs that nn-quantize lowers.
  bool int8 = precision == "int8", autoFormats = precision == "auto";
  std::optional<Calibration> calibration;
  if (int8 || autoFormats) {
    auto c = calibrate(*module.getOps<func::FuncOp>().begin(), options.calib, autoFormats);
    if (!c)
      return error(file + ": " + llvm::toString(c.takeError()));
    calibration = std::move(*c);
  }
  // --runtime-weights int8: the quantizers are the architecture's (flows/RuntimeInt8.h).
  std::optional<Int8Architecture> int8Arch;
  if (int8 && options.runtimeWeights) {
    int8Arch.emplace();
    if (auto err = fixInt8Architecture(*module.getOps<func::FuncOp>().begin(), options.int8Arch,
                                       *int8Arch))
      return error(file + ": " + llvm::toString(std::move(err)));
  }
  std::optional<AutoPrecision> choice;
  if (autoFormats) {
    if (!options.formats.empty())
      if (auto err = applyFormatOverrides(module, options.formats))
        return err;
    // Run-time weights: one format for the architecture, from this model's
    // ranges with a margin (a weight set that does not fit it is refused).
    auto chosen = options.runtimeWeights
                      ? chooseOneFormat(module, *calibration,
                                        kRuntimeWeightMargin * largestWeight(module))
                      : chooseAutoPrecision(module, *calibration);
    if (!chosen)
      return error(file + ": " + llvm::toString(chosen.takeError()));
    choice = std::move(*chosen);
    if (options.runtimeWeights)
      choice->whyNotPerTensor = "--runtime-weights: one format for every weight set, holding " +
                                std::to_string(int(kRuntimeWeightMargin)) +
                                "x this model's largest weight";
    if (!choice->met)
      warnings.push_back(file + ": --precision auto: no width up to " +
                         std::to_string(kAutoMaxBits) + " bits meets the error budget (" +
                         std::to_string(kAutoErrorBudget * 100).substr(0, 4) +
                         "% of the output range); see auto_precision in report.json");
  }
  bool perTensor = int8 || (choice && choice->perTensor);
  if (perTensor)
    if (auto err = runPasses(module, file, [&](PassManager &pm) {
          NNInsertQuantOptions o;
          if (choice) {
            o.mode = "auto", o.actBits = choice->actBits, o.weightBits = choice->weightBits;
            o.tableBits = kAutoTableBits, o.margin = kAutoMargin;
          }
          if (int8Arch && options.int8Arch.empty())
            o.weightMargin = kRuntimeInt8Margin;
          pm.addPass(createNNInsertQuant(o));
        }))
      return err;
  if (int8Arch)
    recordInt8WeightScales(*module.getOps<func::FuncOp>().begin(), *int8Arch);
  // The formats live on the quantize_linear ops nn-quantize lowers: read them first.
  FormatsByNode formatsOf = formatsByNode(module);
  if (auto err = runPasses(module, file, [&](PassManager &pm) {
        // Per-tensor graphs carry their own quantization: no fixed-point format.
        std::string fixed = choice ? choice->fixed : precision;
        NNQuantizeOptions q;
        if (!perTensor && !carriesQuant)
          q.precision = fixed, q.runtimeWeights = options.runtimeWeights;
        pm.addPass(createNNQuantize(q));
      }))
    return err;
  if (int8Arch)
    if (auto err = recordInt8BiasBits(*module.getOps<func::FuncOp>().begin(), *int8Arch))
      return error(file + ": " + llvm::toString(std::move(err)));
  std::string quantIR = print(module);
  std::optional<llvm::json::Object> accuracy;
  if (int8) {
    auto acc = int8Accuracy(*module.getOps<func::FuncOp>().begin(), *calibration);
    if (!acc)
      return error(file + ": " + llvm::toString(acc.takeError()));
    accuracy = std::move(*acc);
  }
  if (choice) {
    llvm::json::Object o = choice->json();
    o["calibration_source"] = calibration->source;
    o["mixed"] = mixed; // the model's own quantizers kept
    auto held = accuracyJson(*module.getOps<func::FuncOp>().begin(), calibration->heldOut,
                             calibration->heldOutFloat);
    if (!held)
      return error(file + ": " + llvm::toString(held.takeError()));
    o["held_out"] = std::move(*held);
    accuracy = std::move(o);
  }
  OwningOpRef<ModuleOp> quantized = module.clone();
  auto nnFunc = *quantized->getOps<func::FuncOp>().begin();

  if (auto err = runPasses(module, file, [&](PassManager &pm) {
        pm.addPass(createNNToDF());
        pm.addPass(createDFFold(DFFoldOptions{options.maxMults, options.targetII,
                                              options.maxLuts, options.maxDsps, options.part,
                                              options.clockMhz, options.clockFamily}));
      }))
    return err;
  std::string dfIR = print(module);
  // Default top name: the model file's name, which users chose (graph names
  // are often exporter boilerplate such as "main_graph" or a hash).
  std::string top =
      legalName(options.top.empty() ? llvm::sys::path::stem(file) : StringRef(options.top));
  std::string reported = choice && !choice->perTensor ? "auto " + choice->fixed : precision;
  auto report = makeReport(options, module, nnFunc, top, reported, formatsOf);
  if (!report)
    return report.takeError();
  if (accuracy)
    (*report)[choice ? "auto_precision" : "int8_accuracy"] = std::move(*accuracy);

  if (auto err = runPasses(
          module, file, [&](PassManager &pm) {
            pm.addPass(createDFToRTL(DFToRTLOptions{top, options.runtimeWeights, options.aresetn}));
          }))
    return err;
  std::string rtlIR = print(module);
  DiagnosticCollector diags(ctx, file);
  auto files = emitVerilog(module);
  if (failed(files))
    return error(diags.message());

  auto staging = makeStagingDir(options.outDir);
  if (!staging)
    return staging.takeError();
  auto cleanup = llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(*staging); });
  std::string rtlDir = *staging + "/rtl", errorText;
  if (failed(writeFiles(*files, rtlDir, errorText)))
    return error(errorText);
  // The whole RTL library is copied so OUT/ stands alone (library modules
  // instantiate each other, e.g. loom_mvu uses loom_fifo); tools are given
  // the top module explicitly, so unused library modules cost nothing.
  std::vector<std::string> svFiles;
  for (const char *sub : {"pkg", "stream", "compute"}) { // the package first
    std::error_code ec;
    std::vector<std::string> found;
    std::string dir = std::string(LOOM_RTL_DIR) + "/" + sub;
    for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
      if (llvm::StringRef(it->path()).ends_with(".sv"))
        found.push_back(it->path());
    if (ec || found.empty())
      return error("RTL library not found under " + dir);
    std::sort(found.begin(), found.end());
    for (const std::string &path : found) {
      std::string name = llvm::sys::path::filename(path).str();
      if (auto ec2 = llvm::sys::fs::copy_file(path, rtlDir + "/" + name))
        return error("cannot copy " + path + ": " + ec2.message());
      svFiles.push_back(name);
    }
  }
  // The C++ half of the MAC units' simulation forms (rtl/sim/loom_sim_dpi.cpp): `loom
  // sim` compiles it into the simulator and defines LOOM_SIM_DPI; other tools never
  // see it (the SystemVerilog is complete without it).
  for (const char *simFile : {"loom_sim_dpi.cpp"}) {
    std::string path = std::string(LOOM_RTL_DIR) + "/sim/" + simFile;
    if (auto ec = llvm::sys::fs::copy_file(path, rtlDir + "/" + simFile))
      return error("cannot copy " + path + ": " + ec.message());
  }
  if (options.runtimeWeights) {
    // The layout records the format auto resolved: another weight set is
    // compiled with it, not with formats of its own.
    CompileOptions fixedArch = options;
    if (choice)
      fixedArch.precision = choice->fixed;
    std::optional<llvm::json::Object> int8Json;
    if (int8Arch)
      int8Json = int8ArchitectureJson(*int8Arch);
    if (auto err = writeWeightFiles(*staging + "/weights", llvm::sys::path::stem(file).str(),
                                    packWeightImage(module), fixedArch, top,
                                    int8Json ? &*int8Json : nullptr))
      return err;
  }
  svFiles.push_back(top + ".sv");
  if (auto err = lintRtl(rtlDir, top, svFiles, warnings))
    return error(file + ": " + llvm::toString(std::move(err)));
  llvm::json::Array fileList;
  for (const std::string &f : svFiles)
    fileList.push_back(f);
  (*report)["sv_files"] = std::move(fileList);
  if (auto err = writeHostFiles(*report, *staging + "/host"))
    return error(file + ": " + llvm::toString(std::move(err)));

  std::string reportText;
  llvm::raw_string_ostream ros(reportText);
  ros << llvm::formatv("{0:2}", llvm::json::Value(std::move(*report))) << "\n";
  for (auto [name, text] : {std::pair<const char *, const std::string &>{"nn_float.mlir", floatIR},
                            {"nn.mlir", quantIR},
                            {"df.mlir", dfIR},
                            {"rtl.mlir", rtlIR},
                            {"report.json", reportText}})
    if (auto err = writeText(*staging + "/" + name, text))
      return err;

  // Replace the old OUT/ (already checked to be a Loom output) in one step.
  if (llvm::sys::fs::exists(options.outDir))
    llvm::sys::fs::remove_directories(options.outDir);
  if (auto ec = llvm::sys::fs::rename(*staging, options.outDir))
    return error("cannot create " + options.outDir + ": " + ec.message());
  cleanup.release();
  return llvm::Error::success();
}
