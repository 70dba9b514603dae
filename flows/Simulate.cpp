//===- Simulate.cpp - `loom sim`: OUT/ -> Verilator run vs reference ------===//
//
// Expected words come from the reference interpreter on the quantized graph
// that `compile` saved (OUT/nn.mlir), never from the hardware model or from
// the simulation itself. Accuracy against the float graph (OUT/nn_float.mlir)
// is reported, not judged: fixed point is expected to differ from float.
//
//===----------------------------------------------------------------------===//
#include "flows/Simulate.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/io/Npy.h"
#include "compiler/io/Npz.h"
#include "compiler/onnx/OnnxModel.h"
#include "compiler/sim/Simulator.h"
#include "dialects/nn/NNOps.h"
#include "flows/Calibrate.h"
#include "flows/RuntimeWeights.h"
#include "flows/SimFrames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <optional>
#include <random>

using namespace mlir;
using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// One weight set of a --runtime-weights design: its load image, the frames
/// from `firstFrame` on, and the reference graphs with its weights.
struct WeightSet {
  std::string model;
  std::vector<uint32_t> image;
  int64_t firstFrame = 0;
  OwningOpRef<ModuleOp> quantModule, floatModule;
  func::FuncOp quant, flt;
};

/// OUT's own image (no --weights) or each --weights model compiled to OUT's
/// architecture (refused otherwise), the frames split evenly in order. Empty
/// when OUT's weights are ROMs.
llvm::Expected<std::vector<WeightSet>> loadWeightSets(const std::string &outDir,
                                                      const std::vector<std::string> &models,
                                                      int64_t frames, MLIRContext &ctx) {
  std::vector<WeightSet> sets;
  std::string layoutPath = outDir + "/weights/layout.json";
  if (!llvm::sys::fs::exists(layoutPath)) {
    if (!models.empty())
      return error(outDir + " was not compiled with --runtime-weights: its weights are ROMs "
                            "and --weights cannot change them; recompile with "
                            "--runtime-weights");
    return sets;
  }
  if (int64_t(models.size()) > frames)
    return error(llvm::formatv("--weights gives {0} weight sets for {1} frames: each set needs "
                               "at least one frame",
                               models.size(), frames)
                     .str());
  // the reference graphs with the set's weights
  auto readIR = [&](WeightSet &w, const std::string &dir) -> llvm::Error {
    auto q = readDesignIR(dir + "/nn.mlir", ctx);
    if (!q)
      return q.takeError();
    auto f = readDesignIR(dir + "/nn_float.mlir", ctx);
    if (!f)
      return f.takeError();
    w.quantModule = std::move(*q), w.floatModule = std::move(*f);
    w.quant = *w.quantModule->getOps<func::FuncOp>().begin();
    w.flt = *w.floatModule->getOps<func::FuncOp>().begin();
    return llvm::Error::success();
  };
  if (models.empty()) {
    auto own = readOwnWeights(outDir);
    if (!own)
      return own.takeError();
    WeightSet w;
    w.model = (*own)->model;
    w.image = std::move((*own)->image);
    if (auto err = readIR(w, outDir))
      return std::move(err);
    sets.push_back(std::move(w));
    return sets;
  }
  for (size_t i = 0; i < models.size(); ++i) {
    std::vector<std::string> warnings;
    auto scratch = compileSameArchitecture(outDir, models[i], warnings);
    if (!scratch)
      return scratch.takeError();
    auto cleanup = llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(*scratch); });
    WeightSet w;
    w.model = models[i];
    w.firstFrame = int64_t(i) * frames / int64_t(models.size());
    auto image =
        readWeightImage(*scratch + "/weights/" + llvm::sys::path::stem(models[i]).str() + ".bin");
    if (!image)
      return image.takeError();
    w.image = std::move(*image);
    if (auto err = readIR(w, *scratch))
      return std::move(err);
    sets.push_back(std::move(w));
  }
  return sets;
}

} // namespace

llvm::Expected<int64_t> loom::simulateDesign(const SimulateOptions &o) {
  auto design = readDesignReport(o.outDir);
  if (!design)
    return design.takeError();
  const llvm::json::Object *report = &design->object();
  const DesignEnds *ends = &design->ends;
  const std::vector<IOInfo> &ins = ends->inputs, &outs = ends->outputs;
  int64_t predLatency = report->getInteger("predicted_latency_cycles").value_or(-1);
  int64_t predII = report->getInteger("predicted_ii_cycles").value_or(-1);

  DialectRegistry registry;
  registry.insert<nn::NNDialect, func::FuncDialect>();
  registerReferenceModels(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  auto quant = readDesignIR(o.outDir + "/nn.mlir", ctx);
  if (!quant)
    return quant.takeError();
  auto flt = readDesignIR(o.outDir + "/nn_float.mlir", ctx);
  if (!flt)
    return flt.takeError();
  auto qFunc = *(*quant)->getOps<func::FuncOp>().begin();
  auto fFunc = *(*flt)->getOps<func::FuncOp>().begin();
  if (qFunc.getNumArguments() != ins.size() || qFunc.getNumResults() != outs.size())
    return error(o.outDir + ": report.json and nn.mlir disagree on the graph's inputs and "
                            "outputs; recompile");

  std::vector<InputFrame> onnxExpected;
  auto frames = loadFrames({o.inputsNpy, o.onnxTestDir, o.randomFrames, o.seed}, *ends,
                           onnxExpected);
  if (!frames)
    return frames.takeError();

  // Run-time weights: the weight sets, each with its reference graphs, and
  // the first frame each applies to.
  auto weights = loadWeightSets(o.outDir, o.weights, int64_t(frames->size()), ctx);
  if (!weights)
    return weights.takeError();
  auto setOf = [&](size_t f) {
    size_t i = 0;
    while (i + 1 < weights->size() && int64_t(f) >= (*weights)[i + 1].firstFrame)
      ++i;
    return i;
  };

  // Reference: hardware input words, expected output words (every output, in
  // stream order, one after the other) and the float outputs.
  std::vector<std::vector<int64_t>> hwIn, expected;
  std::vector<InputFrame> floatOut; // per frame and output, in the tensor's order
  std::vector<std::vector<std::vector<int64_t>>> inputCodes; // per frame and input, tensor order
  for (const auto &[fi, frame] : llvm::enumerate(*frames)) {
    func::FuncOp qf = qFunc, ff = fFunc;
    if (!weights->empty()) // the reference with the weights loaded for this frame
      qf = (*weights)[setOf(fi)].quant, ff = (*weights)[setOf(fi)].flt;
    auto q = interpretFrame(qf, frame);
    if (!q)
      return q.takeError();
    auto f = interpretFrame(ff, frame);
    if (!f)
      return f.takeError();
    // The hardware streams feature maps channels-last: reorder the ends.
    std::vector<int64_t> rin, rout;
    for (size_t k = 0; k < ins.size(); ++k)
      for (size_t i = 0; i < q->rawInputs.at(k).size(); ++i)
        rin.push_back(q->rawInputs[k][ins[k].tensorIndex(i)]);
    for (size_t k = 0; k < outs.size(); ++k)
      for (size_t i = 0; i < q->rawOutputs.at(k).size(); ++i)
        rout.push_back(q->rawOutputs[k][outs[k].tensorIndex(i)]);
    hwIn.push_back(std::move(rin));
    expected.push_back(std::move(rout));
    floatOut.push_back(f->outputs);
    inputCodes.push_back(q->rawInputs);
  }

  sim::SimSpec spec = designSimSpec(*report, *ends, o.outDir);
  sim::SimOptions so;
  so.backpressure = o.backpressure;
  so.seed = o.seed;
  so.trace = o.trace;
  so.plainRtl = o.plainRtl;
  llvm::SmallString<256> work(o.outDir + "/sim");
  llvm::sys::fs::make_absolute(work);
  so.workDir = work.str().str();
  for (const WeightSet &w : *weights) {
    so.weightImages.push_back(w.image);
    so.weightFirstFrames.push_back(w.firstFrame);
    spec.weightWords = int64_t(w.image.size());
  }

  auto result = sim::runSimulation(spec, hwIn, so);
  if (!result)
    return result.takeError();
  if (result->deadlock)
    return error(o.outDir + ": simulation deadlocked: " + result->deadlockMessage);

  // Output k's words start at offset[k] of a frame's words.
  std::vector<size_t> offset;
  size_t frameWords = 0;
  for (const IOInfo &out : outs) {
    offset.push_back(frameWords);
    frameWords += size_t(out.elements());
  }
  auto outputOf = [&](size_t i) {
    return size_t(std::upper_bound(offset.begin(), offset.end(), i) - offset.begin() - 1);
  };

  // Compare every word.
  int64_t mismatches = 0, shown = 0;
  int64_t nFrames = int64_t(frames->size());
  for (int64_t f = 0; f < nFrames; ++f) {
    const std::vector<int64_t> *got =
        f < int64_t(result->outputs.size()) ? &result->outputs[f] : nullptr;
    for (size_t i = 0; i < expected[f].size(); ++i) {
      bool ok = got && i < got->size() && (*got)[i] == expected[f][i];
      if (ok)
        continue;
      ++mismatches;
      size_t k = outputOf(i);
      if (shown++ < 10)
        llvm::errs() << llvm::formatv(
            "mismatch: frame {0}, tensor '{1}', index {2}: expected {3}, got {4}\n", f,
            outs[k].name, i - offset[k], expected[f][i],
            got && i < got->size() ? std::to_string((*got)[i]) : "nothing");
    }
  }
  mismatches += result->passMismatchCount;
  if (result->passMismatchCount)
    llvm::errs() << "mismatch: the backpressure pass differs from the clean pass in "
                 << result->passMismatchCount << " words\n";
  if (result->tlastErrors)
    ++mismatches,
        llvm::errs() << "mismatch: m_axis_tlast wrong on " << result->tlastErrors << " beats\n";

  // Accuracy of the fixed-point design against the float graph, over every
  // output; top-1 agreement per (frame, output).
  double maxErr = 0, sumErr = 0, maxErrOnnx = 0;
  int64_t top1 = 0, count = 0, saturated = 0, satFixed = 0;
  std::string satRange; // of the first output that saturates

  for (size_t k = 0; k < outs.size(); ++k) {
    const IOInfo &out = outs[k];
    // Words at the limits of the output range usually mean the range is too
    // narrow: the format's (fixed point) or the output quantizer's (affine).
    int64_t lo = -(int64_t(1) << (out.bits - 1)), hi = -lo - 1;
    lo = out.codeMin.value_or(lo), hi = out.codeMax.value_or(hi);
    for (int64_t f = 0; f < nFrames; ++f) {
      size_t best = 0, bestF = 0;
      double bestHw = -INFINITY; // in reals: per-axis scales make codes incomparable
      const std::vector<double> &fo = floatOut[f][k];
      for (size_t i = 0; i < size_t(out.elements()); ++i) {
        int64_t code = expected[f][offset[k] + i];
        int64_t t = out.tensorIndex(i);
        bool sat = (code == lo && lo != 0) || (code == hi && hi != 0); // code 0 is real 0 (Relu)
        saturated += sat;
        satFixed += sat && out.scale.empty();
        if (sat && satRange.empty())
          satRange = out.scale.empty()
                         ? llvm::formatv(" ('{0}': range [{1}, {2}])", out.name,
                                         out.toReal(lo, 0), out.toReal(hi, 0))
                               .str()
                         : llvm::formatv(" ('{0}': codes [{1}, {2}])", out.name, lo, hi).str();
        double hw = out.toReal(code, t);
        if (hw > bestHw)
          best = i, bestHw = hw;
        double err = std::fabs(hw - fo[t]);
        maxErr = std::max(maxErr, err);
        sumErr += err;
        ++count;
        if (fo[t] > fo[out.tensorIndex(bestF)])
          bestF = i;
        if (f < int64_t(onnxExpected.size()) && k < onnxExpected[f].size() &&
            size_t(t) < onnxExpected[f][k].size())
          maxErrOnnx = std::max(maxErrOnnx, std::fabs(fo[t] - onnxExpected[f][k][t]));
      }
      top1 += best == bestF;
    }
  }
  double top1Rate = nFrames ? double(top1) / double(nFrames * outs.size()) : 0.0;

  llvm::json::Object sj = sim::simJson(*result, nFrames, mismatches, predLatency, predII);
  sj["float_max_abs_error"] = maxErr;
  sj["float_mean_abs_error"] = count ? sumErr / count : 0.0;
  sj["float_top1_agreement"] = top1Rate;
  sj["backpressure"] = o.backpressure;
  sj["saturated_output_words"] = saturated;
  if (!onnxExpected.empty())
    sj["float_reference_vs_onnx_max_abs_error"] = maxErrOnnx;
  if (!weights->empty()) {
    sj["predicted_weight_load_cycles"] =
        report->getInteger("predicted_weight_load_cycles").value_or(-1);
    llvm::json::Array sets;
    for (const WeightSet &w : *weights)
      sets.push_back(llvm::json::Object{{"model", w.model},
                                        {"first_frame", w.firstFrame},
                                        {"words", int64_t(w.image.size())}});
    sj["weight_sets"] = std::move(sets);
    llvm::json::Array loads;
    for (auto [first, last] : result->weightLoads)
      loads.push_back(llvm::json::Array{first, last});
    sj["weight_loads"] = std::move(loads);
  }
  std::string text;
  llvm::raw_string_ostream ts(text);
  ts << llvm::formatv("{0:2}", llvm::json::Value(std::move(sj))) << "\n";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(o.outDir + "/sim.json", ec);
    if (ec)
      return error(o.outDir + "/sim.json: cannot write: " + ec.message());
    os << text;
  }

  if (!o.outNpz.empty()) {
    std::vector<io::NpzEntry> entries;
    for (size_t k = 0; k < outs.size(); ++k) {
      const IOInfo &out = outs[k];
      std::vector<double> deq;
      std::vector<int64_t> raw;
      std::vector<float> ref;
      for (int64_t f = 0; f < nFrames; ++f) {
        // Back from stream order to the tensor's own order.
        std::vector<int64_t> frame(size_t(out.elements()), 0);
        for (size_t i = 0; i < frame.size(); ++i)
          if (f < int64_t(result->outputs.size()) && offset[k] + i < result->outputs[f].size())
            frame[out.tensorIndex(i)] = result->outputs[f][offset[k] + i];
        for (size_t t = 0; t < frame.size(); ++t) {
          raw.push_back(frame[t]);
          deq.push_back(out.toReal(frame[t], int64_t(t)));
        }
        // The float reference interpreter on the float graph (nn_float.mlir):
        // what tests compare with an independent executor.
        ref.insert(ref.end(), floatOut[f][k].begin(), floatOut[f][k].end());
      }
      std::vector<int64_t> shape = out.shape;
      if (shape.empty())
        shape.push_back(1);
      shape[0] = nFrames * shape[0];
      // Integer outputs are integers (c + zero_point); others float32 reals.
      if (out.integer && !out.scale.empty())
        entries.emplace_back(out.name, io::NpyArray::fromInts(
                                           shape, std::vector<int64_t>(deq.begin(), deq.end())));
      else
        entries.emplace_back(out.name, io::NpyArray::fromFloat32(
                                           shape, std::vector<float>(deq.begin(), deq.end())));
      entries.emplace_back(out.name + ".raw", io::NpyArray::fromInts(shape, raw));
      entries.emplace_back(out.name + ".reference", io::NpyArray::fromFloat32(shape, ref));
    }
    // The codes the hardware was given, per input (what a host packs).
    for (size_t k = 0; k < ins.size(); ++k) {
      std::vector<int64_t> codes;
      for (int64_t f = 0; f < nFrames; ++f)
        codes.insert(codes.end(), inputCodes[f][k].begin(), inputCodes[f][k].end());
      std::vector<int64_t> shape = ins[k].shape;
      if (shape.empty())
        shape.push_back(1);
      shape[0] = nFrames * shape[0];
      entries.emplace_back(ins[k].name + ".raw", io::NpyArray::fromInts(shape, codes));
    }
    if (auto err = io::writeNpz(o.outNpz, entries))
      return std::move(err);
  }

  llvm::outs() << llvm::formatv(
      "sim {0}: {1} frames, {2} mismatching words{3}\n"
      "  latency  measured {4,8} cycles, predicted {5,8}{6}\n"
      "  II       measured {7,8} cycles, predicted {8,8}{9}\n"
      "  verilator build {10:F1} s, simulation {11:F2} s, {12:F0} cycles/s "
      "(model {16:F2} s, harness {17:F2} s)\n"
      "  vs float model: max abs error {13:F5}, mean {14:F5}, top-1 agreement {15:P}\n",
      o.outDir, nFrames, mismatches,
      o.backpressure > 0
          ? llvm::formatv(" (incl. a pass with backpressure {0})", o.backpressure).str()
          : std::string(),
      result->latencyCycles, predLatency,
      result->latencyCycles == predLatency ? "  (equal)" : "  (DIFFERENT)", result->iiCycles,
      predII, result->iiCycles == predII || nFrames < 2 ? "  (equal)" : "  (DIFFERENT)",
      result->buildSeconds, result->simSeconds, result->cyclesPerSecond, maxErr,
      count ? sumErr / count : 0.0, top1Rate, result->modelSeconds,
      result->loopSeconds - result->modelSeconds);
  if (!weights->empty())
    llvm::outs() << llvm::formatv(
        "  weights  {0} set(s) loaded through s_axis_wt, {1} cycles each, predicted {2}{3}\n",
        weights->size(), result->weightLoadCycles,
        report->getInteger("predicted_weight_load_cycles").value_or(-1),
        result->weightLoadCycles ==
                report->getInteger("predicted_weight_load_cycles").value_or(-1)
            ? "  (equal)"
            : "  (DIFFERENT)");
  if (satFixed)
    llvm::outs() << llvm::formatv(
        "  note: {0} of {1} output words sit at the limits of the output format{2}: the "
        "fixed-point range is probably too small for these inputs; try --precision with more "
        "integer bits\n",
        satFixed, count, satRange);
  // Calibrated ranges end at the largest calibration value, so a few words
  // at the limits are normal; more than 1% means the inputs leave the range.
  else if (saturated * 100 > count)
    llvm::outs() << llvm::formatv(
        "  note: {0} of {1} output words sit at the limits of the output quantizer{2}: these "
        "inputs exceed the quantized range; for --precision int8 calibrate with "
        "representative inputs (--calib)\n",
        saturated, count, satRange);
  return mismatches;
}
