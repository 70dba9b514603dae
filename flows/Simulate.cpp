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
#include "flows/Report.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <cmath>
#include <optional>
#include <random>

using namespace mlir;
using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Expected<OwningOpRef<ModuleOp>> readModule(const std::string &path, MLIRContext &ctx) {
  llvm::SourceMgr mgr;
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return error(path + ": cannot read; run `loom compile` first");
  mgr.AddNewSourceBuffer(std::move(*buf), llvm::SMLoc());
  ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
  auto module = parseSourceFile<ModuleOp>(mgr, &ctx);
  if (!module)
    return error(path + ": cannot parse; recompile the model");
  return std::move(module);
}

struct IOInfo {
  std::string name;
  std::vector<int64_t> shape;
  int64_t lanes = 1, bits = 8, frac = 0, beats = 1;
  /// Stream element i is flat tensor element perm[i] (empty: same order).
  std::vector<int64_t> perm;
  /// Affine ends (report.json "scale"): real = c * scale[a] or, for an
  /// integer tensor, c + zero_point[a], a = the element's index along `axis`
  /// when there is more than one scale. Empty: fixed point, real = c * 2^-frac.
  std::vector<double> scale;
  std::vector<int64_t> zeroPoint;
  int64_t axis = 0;
  bool integer = false;
  std::optional<int64_t> qmin, qmax, codeMin, codeMax;
  int64_t elements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

IOInfo ioInfo(const llvm::json::Object *o) {
  IOInfo info;
  info.name = o->getString("name").value_or("").str();
  if (auto *shape = o->getArray("shape"))
    for (const auto &d : *shape)
      info.shape.push_back(d.getAsInteger().value_or(1));
  info.lanes = o->getInteger("lanes").value_or(1);
  info.bits = o->getInteger("bits").value_or(8);
  info.frac = o->getInteger("frac").value_or(0);
  info.beats = o->getInteger("beats_per_frame").value_or(1);
  if (auto *perm = o->getArray("perm"))
    for (const auto &p : *perm)
      info.perm.push_back(p.getAsInteger().value_or(0));
  if (auto *scale = o->getArray("scale"))
    for (const auto &x : *scale)
      info.scale.push_back(x.getAsNumber().value_or(1.0));
  if (auto *zp = o->getArray("zero_point"))
    for (const auto &x : *zp)
      info.zeroPoint.push_back(x.getAsInteger().value_or(0));
  info.axis = o->getInteger("axis").value_or(0);
  info.integer = o->getBoolean("integer").value_or(false);
  info.qmin = o->getInteger("qmin");
  info.qmax = o->getInteger("qmax");
  info.codeMin = o->getInteger("code_min");
  info.codeMax = o->getInteger("code_max");
  return info;
}

/// Index into the per-axis scale / zero point arrays of flat tensor element t.
size_t axisIndex(const IOInfo &info, int64_t t) {
  if (info.scale.size() <= 1 || info.axis < 0 || info.axis >= int64_t(info.shape.size()))
    return 0;
  int64_t inner = 1;
  for (size_t d = info.axis + 1; d < info.shape.size(); ++d)
    inner *= info.shape[d];
  return size_t((t / inner) % info.shape[info.axis]);
}

/// The host's view of stream word `code`, flat tensor element t.
double toReal(const IOInfo &info, int64_t code, int64_t t) {
  if (info.scale.empty())
    return std::ldexp(double(code), -int(info.frac));
  size_t a = axisIndex(info, t);
  if (info.integer)
    return double(code + (a < info.zeroPoint.size() ? info.zeroPoint[a] : 0));
  return double(code) * info.scale[a];
}

std::string shapeText(llvm::ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

/// Float input frames from --inputs, --onnx-test-dir or --random.
llvm::Expected<std::vector<std::vector<double>>>
loadFrames(const SimulateOptions &o, const IOInfo &in,
           std::vector<std::vector<double>> &expectedFloat) {
  std::vector<std::vector<double>> frames;
  int64_t n = in.elements();
  if (!o.inputsNpy.empty()) {
    auto arr = io::readNpy(o.inputsNpy);
    if (!arr)
      return arr.takeError();
    int64_t total = arr->values.size();
    if (total == 0 || total % n != 0)
      return error(o.inputsNpy + ": " + std::to_string(total) +
                   " values is not a whole number of frames of " + std::to_string(n) +
                   " (the model's input shape with the batch dimension as the frame count)");
    // The array is [N, ...] with the input's shape after its batch dimension,
    // (or [N, ...shape] for an input without one): never silently reshaped.
    llvm::ArrayRef<int64_t> as(arr->shape), ms(in.shape);
    bool batched = !ms.empty() && as.size() == ms.size() && as.drop_front() == ms.drop_front() &&
                   as[0] % ms[0] == 0;
    bool stacked = as.size() == ms.size() + 1 && as.drop_front() == ms;
    if (!batched && !stacked)
      return error(o.inputsNpy + ": shape " + shapeText(as) + " does not hold frames of input '" +
                   in.name + "' " + shapeText(ms) + "; expected [N" +
                   (ms.size() > 1 ? ", " + shapeText(ms.drop_front()).substr(1) : "]"));
    for (int64_t i = 0; i < total; ++i)
      if (!std::isfinite(arr->values[i]))
        return error(o.inputsNpy + ": value " + llvm::formatv("{0}", arr->values[i]).str() +
                     " at index " + std::to_string(i) + " (frame " + std::to_string(i / n) +
                     ") is not a finite number");
    // An integer input (uint8, int8, int32 ONNX tensor) takes its values
    // as they are: they must be integers in the tensor's range.
    if (in.integer)
      for (int64_t i = 0; i < total; ++i) {
        double v = arr->values[i];
        if (v != std::floor(v) || (in.qmin && v < *in.qmin) || (in.qmax && v > *in.qmax))
          return error(o.inputsNpy + ": value " + llvm::formatv("{0}", v).str() + " at index " +
                       std::to_string(i) + " is not an integer in [" +
                       std::to_string(in.qmin.value_or(0)) + ", " +
                       std::to_string(in.qmax.value_or(0)) + "], the range of input '" + in.name +
                       "'");
      }
    for (int64_t f = 0; f < total / n; ++f)
      frames.emplace_back(arr->values.begin() + f * n, arr->values.begin() + (f + 1) * n);
    return frames;
  }
  if (!o.onnxTestDir.empty()) {
    for (int i = 0;; ++i) {
      std::string dir = o.onnxTestDir + "/test_data_set_" + std::to_string(i);
      if (!llvm::sys::fs::is_directory(dir))
        break;
      auto t = onnx::loadTensorProtoFile(dir + "/input_0.pb");
      if (!t)
        return t.takeError();
      if (t->numElements() % n != 0)
        return error(dir + "/input_0.pb: " + std::to_string(t->numElements()) +
                     " values do not fit input shape frames of " + std::to_string(n));
      auto expected = onnx::loadTensorProtoFile(dir + "/output_0.pb");
      for (int64_t f = 0; f < t->numElements() / n; ++f) {
        frames.emplace_back(t->values.begin() + f * n, t->values.begin() + (f + 1) * n);
        if (expected) {
          int64_t m = expected->numElements() / (t->numElements() / n);
          expectedFloat.emplace_back(expected->values.begin() + f * m,
                                     expected->values.begin() + (f + 1) * m);
        }
      }
      if (!expected)
        llvm::consumeError(expected.takeError());
    }
    if (frames.empty())
      return error(o.onnxTestDir + ": no test_data_set_0/input_0.pb found");
    return frames;
  }
  int64_t count = o.randomFrames > 0 ? o.randomFrames : 20;
  if (in.integer && in.qmin && in.qmax) {
    // Integer inputs: uniform over the tensor's whole range.
    std::mt19937_64 rng(o.seed);
    std::uniform_int_distribution<int64_t> dist(*in.qmin, *in.qmax);
    for (int64_t f = 0; f < count; ++f) {
      std::vector<double> frame(n);
      for (double &x : frame)
        x = double(dist(rng));
      frames.push_back(std::move(frame));
    }
    return frames;
  }
  // Random frames: uniform in [-2, 2), a range that exercises saturation-free
  // arithmetic for typical normalized inputs and the activations' curves.
  return randomFrames(n, count, o.seed);
}

} // namespace

llvm::Expected<int64_t> loom::simulateDesign(const SimulateOptions &o) {
  auto reportJson = readJson(o.outDir + "/report.json");
  if (!reportJson)
    return reportJson.takeError();
  const llvm::json::Object *report = reportJson->getAsObject();
  if (!report || !report->getObject("input") || !report->getObject("output"))
    return error(o.outDir + "/report.json: missing input/output description; recompile");
  IOInfo in = ioInfo(report->getObject("input")), out = ioInfo(report->getObject("output"));
  int64_t predLatency = report->getInteger("predicted_latency_cycles").value_or(-1);
  int64_t predII = report->getInteger("predicted_ii_cycles").value_or(-1);

  DialectRegistry registry;
  registry.insert<nn::NNDialect, func::FuncDialect>();
  registerReferenceModels(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  auto quant = readModule(o.outDir + "/nn.mlir", ctx);
  if (!quant)
    return quant.takeError();
  auto flt = readModule(o.outDir + "/nn_float.mlir", ctx);
  if (!flt)
    return flt.takeError();
  auto qFunc = *(*quant)->getOps<func::FuncOp>().begin();
  auto fFunc = *(*flt)->getOps<func::FuncOp>().begin();

  std::vector<std::vector<double>> onnxExpected;
  auto frames = loadFrames(o, in, onnxExpected);
  if (!frames)
    return frames.takeError();

  // Reference: hardware input words, expected output words, float outputs.
  std::vector<std::vector<int64_t>> hwIn, expected;
  std::vector<std::vector<double>> floatOut, floatTensorOut;
  for (const auto &frame : *frames) {
    auto q = interpretFrame(qFunc, {frame});
    if (!q)
      return q.takeError();
    auto f = interpretFrame(fFunc, {frame});
    if (!f)
      return f.takeError();
    // The hardware streams feature maps channels-last: reorder the ends.
    std::vector<int64_t> rin = q->rawInputs.at(0), rout = q->rawOutputs.at(0);
    if (!in.perm.empty())
      for (size_t i = 0; i < in.perm.size(); ++i)
        rin[i] = q->rawInputs[0][in.perm[i]];
    if (!out.perm.empty())
      for (size_t i = 0; i < out.perm.size(); ++i)
        rout[i] = q->rawOutputs[0][out.perm[i]];
    hwIn.push_back(std::move(rin));
    expected.push_back(std::move(rout));
    std::vector<double> fo = f->outputs.at(0);
    floatTensorOut.push_back(fo);
    if (!out.perm.empty())
      for (size_t i = 0; i < out.perm.size(); ++i)
        fo[i] = f->outputs[0][out.perm[i]];
    floatOut.push_back(std::move(fo));
  }

  sim::SimSpec spec;
  spec.topName = report->getString("top").value_or("").str();
  spec.rtlDir = o.outDir + "/rtl";
  llvm::SmallString<256> abs(spec.rtlDir);
  llvm::sys::fs::make_absolute(abs);
  spec.rtlDir = abs.str().str();
  if (auto *files = report->getArray("sv_files"))
    for (const auto &f : *files)
      spec.svFiles.push_back(f.getAsString().value_or("").str());
  spec.inLanes = int(in.lanes);
  spec.inBits = int(in.bits);
  spec.outLanes = int(out.lanes);
  spec.outBits = int(out.bits);
  spec.inBeatsPerFrame = in.beats;
  spec.outBeatsPerFrame = out.beats;
  sim::SimOptions so;
  so.backpressure = o.backpressure;
  so.seed = o.seed;
  so.trace = o.trace;
  llvm::SmallString<256> work(o.outDir + "/sim");
  llvm::sys::fs::make_absolute(work);
  so.workDir = work.str().str();

  auto result = sim::runSimulation(spec, hwIn, so);
  if (!result)
    return result.takeError();
  if (result->deadlock)
    return error(o.outDir + ": simulation deadlocked: " + result->deadlockMessage);

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
      if (shown++ < 10)
        llvm::errs() << llvm::formatv(
            "mismatch: frame {0}, tensor '{1}', index {2}: expected {3}, got {4}\n", f, out.name, i,
            expected[f][i], got && i < got->size() ? std::to_string((*got)[i]) : "nothing");
    }
  }
  mismatches += result->passMismatchCount;
  if (result->passMismatchCount)
    llvm::errs() << "mismatch: the backpressure pass differs from the clean pass in "
                 << result->passMismatchCount << " words\n";
  if (result->tlastErrors)
    ++mismatches,
        llvm::errs() << "mismatch: m_axis_tlast wrong on " << result->tlastErrors << " beats\n";

  // Accuracy of the fixed-point design against the float graph.
  double maxErr = 0, sumErr = 0, maxErrOnnx = 0;
  int64_t top1 = 0, count = 0;
  // Words at the limits of the output range usually mean the range is too
  // narrow: the format's (fixed point) or the output quantizer's (affine).
  int64_t saturated = 0, lo = -(int64_t(1) << (out.bits - 1)), hi = -lo - 1;
  lo = out.codeMin.value_or(lo), hi = out.codeMax.value_or(hi);
  auto tensorIndex = [&](size_t i) { return out.perm.empty() ? int64_t(i) : out.perm[i]; };
  for (const auto &frame : expected)
    for (int64_t v : frame)
      saturated += (v == lo && lo != 0) || (v == hi && hi != 0); // code 0 is real 0 (Relu)
  for (int64_t f = 0; f < nFrames; ++f) {
    size_t best = 0, bestF = 0;
    double bestHw = -INFINITY; // in reals: per-axis scales make codes incomparable
    for (size_t i = 0; i < expected[f].size(); ++i) {
      double hw = toReal(out, expected[f][i], tensorIndex(i));
      if (hw > bestHw)
        best = i, bestHw = hw;
      double err = std::fabs(hw - floatOut[f][i]);
      maxErr = std::max(maxErr, err);
      sumErr += err;
      ++count;
      if (floatOut[f][i] > floatOut[f][bestF])
        bestF = i;
      if (f < int64_t(onnxExpected.size()) && i < onnxExpected[f].size())
        maxErrOnnx =
            std::max(maxErrOnnx, std::fabs(floatOut[f][i] -
                                           onnxExpected[f][out.perm.empty() ? i : out.perm[i]]));
    }
    top1 += best == bestF;
  }

  llvm::json::Object sj = sim::simJson(*result, nFrames, mismatches, predLatency, predII);
  sj["float_max_abs_error"] = maxErr;
  sj["float_mean_abs_error"] = count ? sumErr / count : 0.0;
  sj["float_top1_agreement"] = nFrames ? double(top1) / nFrames : 0.0;
  sj["backpressure"] = o.backpressure;
  sj["saturated_output_words"] = saturated;
  if (!onnxExpected.empty())
    sj["float_reference_vs_onnx_max_abs_error"] = maxErrOnnx;
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
    std::vector<double> deq;
    std::vector<int64_t> raw;
    for (int64_t f = 0; f < nFrames; ++f) {
      // Back from stream order to the tensor's own order.
      std::vector<int64_t> frame(expected[f].size(), 0);
      for (size_t i = 0; i < expected[f].size(); ++i)
        if (f < int64_t(result->outputs.size()) && i < result->outputs[f].size())
          frame[out.perm.empty() ? i : out.perm[i]] = result->outputs[f][i];
      for (size_t t = 0; t < frame.size(); ++t) {
        raw.push_back(frame[t]);
        deq.push_back(toReal(out, frame[t], int64_t(t)));
      }
    }
    std::vector<int64_t> shape = out.shape;
    if (shape.empty())
      shape.push_back(1);
    shape[0] = nFrames * shape[0];
    std::vector<float> deqF(deq.begin(), deq.end());
    std::vector<io::NpzEntry> entries;
    // Integer outputs are integers (c + zero_point); others float32 reals.
    if (out.integer && !out.scale.empty())
      entries.emplace_back(
          out.name, io::NpyArray::fromInts(shape, std::vector<int64_t>(deq.begin(), deq.end())));
    else
      entries.emplace_back(out.name, io::NpyArray::fromFloat32(shape, deqF));
    entries.emplace_back(out.name + ".raw", io::NpyArray::fromInts(shape, raw));
    // The float reference interpreter on the float graph (nn_float.mlir), in
    // the tensor's order: what tests compare with an independent executor.
    std::vector<float> ref;
    for (const auto &fo : floatTensorOut)
      ref.insert(ref.end(), fo.begin(), fo.end());
    entries.emplace_back(out.name + ".reference", io::NpyArray::fromFloat32(shape, ref));
    if (auto err = io::writeNpz(o.outNpz, entries))
      return std::move(err);
  }

  llvm::outs() << llvm::formatv(
      "sim {0}: {1} frames, {2} mismatching words{3}\n"
      "  latency  measured {4,8} cycles, predicted {5,8}{6}\n"
      "  II       measured {7,8} cycles, predicted {8,8}{9}\n"
      "  verilator build {10:F1} s, simulation {11:F2} s, {12:F0} cycles/s\n"
      "  vs float model: max abs error {13:F5}, mean {14:F5}, top-1 agreement {15:P}\n",
      o.outDir, nFrames, mismatches,
      o.backpressure > 0
          ? llvm::formatv(" (incl. a pass with backpressure {0})", o.backpressure).str()
          : std::string(),
      result->latencyCycles, predLatency,
      result->latencyCycles == predLatency ? "  (equal)" : "  (DIFFERENT)", result->iiCycles,
      predII, result->iiCycles == predII || nFrames < 2 ? "  (equal)" : "  (DIFFERENT)",
      result->buildSeconds, result->simSeconds, result->cyclesPerSecond, maxErr,
      count ? sumErr / count : 0.0, nFrames ? double(top1) / nFrames : 0.0);
  if (saturated && out.scale.empty())
    llvm::outs() << llvm::formatv(
        "  note: {0} of {1} output words sit at the limits of the output format (range "
        "[{2}, {3}]): the fixed-point range is probably too small for these inputs; try "
        "--precision with more integer bits\n",
        saturated, count, toReal(out, lo, 0), toReal(out, hi, 0));
  // Calibrated ranges end at the largest calibration value, so a few words
  // at the limits are normal; more than 1% means the inputs leave the range.
  else if (saturated * 100 > count)
    llvm::outs() << llvm::formatv(
        "  note: {0} of {1} output words sit at the limits of the output quantizer (codes "
        "[{2}, {3}]): these inputs exceed the quantized range; for --precision int8 "
        "calibrate with representative inputs (--calib)\n",
        saturated, count, lo, hi);
  return mismatches;
}
