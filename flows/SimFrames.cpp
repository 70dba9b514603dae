//===- SimFrames.cpp - the graph ends of a design and the frames fed to them ---===//
#include "flows/SimFrames.h"

#include "compiler/io/Npy.h"
#include "compiler/io/Npz.h"
#include "compiler/onnx/OnnxModel.h"
#include "flows/Calibrate.h"
#include "flows/Report.h"

#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <random>

using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

IOInfo ioInfo(const llvm::json::Object *o) {
  IOInfo info;
  info.name = o->getString("name").value_or("").str();
  info.port = o->getString("port").value_or("").str();
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

std::string shapeText(llvm::ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::string namesText(const std::vector<IOInfo> &ends) {
  std::vector<std::string> n;
  for (const IOInfo &e : ends)
    n.push_back("'" + e.name + "'");
  return llvm::join(n, ", ");
}

/// The frames of one input held in `arr` ([N, ...] with the input's shape
/// after its batch dimension, or [N, ...shape] for an input without one):
/// never silently reshaped; values finite, integers in range for an integer input.
llvm::Expected<std::vector<std::vector<double>>> framesOf(const io::NpyArray &arr,
                                                          const IOInfo &in,
                                                          const std::string &what) {
  int64_t n = in.elements();
  int64_t total = arr.values.size();
  if (total == 0 || total % n != 0)
    return error(what + ": " + std::to_string(total) +
                 " values is not a whole number of frames of " + std::to_string(n) +
                 " (input '" + in.name + "' with the batch dimension as the frame count)");
  llvm::ArrayRef<int64_t> as(arr.shape), ms(in.shape);
  bool batched = !ms.empty() && as.size() == ms.size() && as.drop_front() == ms.drop_front() &&
                 as[0] % ms[0] == 0;
  bool stacked = as.size() == ms.size() + 1 && as.drop_front() == ms;
  if (!batched && !stacked)
    return error(what + ": shape " + shapeText(as) + " does not hold frames of input '" +
                 in.name + "' " + shapeText(ms) + "; expected [N" +
                 (ms.size() > 1 ? ", " + shapeText(ms.drop_front()).substr(1) : "]"));
  for (int64_t i = 0; i < total; ++i)
    if (!std::isfinite(arr.values[i]))
      return error(what + ": value " + llvm::formatv("{0}", arr.values[i]).str() + " at index " +
                   std::to_string(i) + " (frame " + std::to_string(i / n) +
                   ") is not a finite number");
  // An integer input (uint8, int8, int32 ONNX tensor) takes its values
  // as they are: they must be integers in the tensor's range.
  if (in.integer)
    for (int64_t i = 0; i < total; ++i) {
      double v = arr.values[i];
      if (v != std::floor(v) || (in.qmin && v < *in.qmin) || (in.qmax && v > *in.qmax))
        return error(what + ": value " + llvm::formatv("{0}", v).str() + " at index " +
                     std::to_string(i) + " is not an integer in [" +
                     std::to_string(in.qmin.value_or(0)) + ", " +
                     std::to_string(in.qmax.value_or(0)) + "], the range of input '" + in.name +
                     "'");
    }
  std::vector<std::vector<double>> frames;
  for (int64_t f = 0; f < total / n; ++f)
    frames.emplace_back(arr.values.begin() + f * n, arr.values.begin() + (f + 1) * n);
  return frames;
}

/// Per input, its frames -> per frame, every input's array.
llvm::Expected<std::vector<InputFrame>>
transpose(const std::vector<std::vector<std::vector<double>>> &perInput,
          const DesignEnds &ends, const std::string &what) {
  std::vector<InputFrame> frames(perInput.front().size());
  for (size_t k = 0; k < perInput.size(); ++k) {
    if (perInput[k].size() != frames.size())
      return error(what + ": input '" + ends.inputs[k].name + "' has " +
                   std::to_string(perInput[k].size()) + " frames, input '" +
                   ends.inputs[0].name + "' " + std::to_string(frames.size()) +
                   "; give every input the same number of frames");
    for (size_t f = 0; f < frames.size(); ++f)
      frames[f].push_back(perInput[k][f]);
  }
  return frames;
}

llvm::Expected<std::vector<InputFrame>> loadInputsFile(const std::string &path,
                                                       const DesignEnds &ends) {
  std::vector<std::vector<std::vector<double>>> perInput;
  if (llvm::StringRef(path).ends_with(".npz")) {
    auto npz = io::readNpz(path);
    if (!npz)
      return npz.takeError();
    for (const auto &[key, arr] : *npz) {
      bool known = false;
      for (const IOInfo &in : ends.inputs)
        known |= in.name == key;
      if (!known)
        return error(path + ": array '" + key + "' is not a graph input; the model's inputs are " +
                     namesText(ends.inputs));
    }
    for (const IOInfo &in : ends.inputs) {
      const io::NpyArray *arr = nullptr;
      for (const auto &[key, a] : *npz)
        if (key == in.name)
          arr = &a;
      if (!arr)
        return error(path + ": no array named '" + in.name + "'; give one per graph input (" +
                     namesText(ends.inputs) + ")");
      auto frames = framesOf(*arr, in, path + " '" + in.name + "'");
      if (!frames)
        return frames.takeError();
      perInput.push_back(std::move(*frames));
    }
    return transpose(perInput, ends, path);
  }
  if (ends.inputs.size() != 1)
    return error(path + ": the model has " + std::to_string(ends.inputs.size()) + " inputs (" +
                 namesText(ends.inputs) + "); give --inputs X.npz with one array per input name");
  auto arr = io::readNpy(path);
  if (!arr)
    return arr.takeError();
  auto frames = framesOf(*arr, ends.inputs[0], path);
  if (!frames)
    return frames.takeError();
  perInput.push_back(std::move(*frames));
  return transpose(perInput, ends, path);
}

/// test_data_set_<i>/input_<k>.pb per graph input and output_<k>.pb per output.
llvm::Expected<std::vector<InputFrame>> loadTestDir(const std::string &root,
                                                    const DesignEnds &ends,
                                                    std::vector<InputFrame> &expectedFloat) {
  std::vector<InputFrame> frames;
  for (int i = 0;; ++i) {
    std::string dir = root + "/test_data_set_" + std::to_string(i);
    if (!llvm::sys::fs::is_directory(dir))
      break;
    std::vector<std::vector<std::vector<double>>> perInput;
    for (size_t k = 0; k < ends.inputs.size(); ++k) {
      std::string file = dir + "/input_" + std::to_string(k) + ".pb";
      auto t = onnx::loadTensorProtoFile(file);
      if (!t)
        return t.takeError();
      int64_t n = ends.inputs[k].elements();
      if (t->numElements() == 0 || t->numElements() % n != 0)
        return error(file + ": " + std::to_string(t->numElements()) +
                     " values do not fit frames of input '" + ends.inputs[k].name + "' (" +
                     std::to_string(n) + " values each)");
      std::vector<std::vector<double>> fr;
      for (int64_t f = 0; f < t->numElements() / n; ++f)
        fr.emplace_back(t->values.begin() + f * n, t->values.begin() + (f + 1) * n);
      perInput.push_back(std::move(fr));
    }
    auto set = transpose(perInput, ends, dir);
    if (!set)
      return set.takeError();
    // Expected outputs are optional; all or nothing per data set.
    std::vector<InputFrame> want(set->size());
    bool all = true;
    for (size_t k = 0; k < ends.outputs.size() && all; ++k) {
      auto t = onnx::loadTensorProtoFile(dir + "/output_" + std::to_string(k) + ".pb");
      if (!t) {
        llvm::consumeError(t.takeError());
        all = false;
        break;
      }
      int64_t m = t->numElements() / int64_t(set->size());
      for (size_t f = 0; f < set->size(); ++f)
        want[f].emplace_back(t->values.begin() + f * m, t->values.begin() + (f + 1) * m);
    }
    if (all)
      expectedFloat.insert(expectedFloat.end(), want.begin(), want.end());
    frames.insert(frames.end(), set->begin(), set->end());
  }
  if (frames.empty())
    return error(root + ": no test_data_set_0/input_0.pb found");
  return frames;
}

} // namespace

int64_t IOInfo::elements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

double IOInfo::toReal(int64_t code, int64_t t) const {
  if (scale.empty())
    return std::ldexp(double(code), -int(frac));
  // Index into the per-axis scale / zero point arrays of flat tensor element t.
  size_t a = 0;
  if (scale.size() > 1 && axis >= 0 && axis < int64_t(shape.size())) {
    int64_t inner = 1;
    for (size_t d = axis + 1; d < shape.size(); ++d)
      inner *= shape[d];
    a = size_t((t / inner) % shape[axis]);
  }
  if (integer)
    return double(code + (a < zeroPoint.size() ? zeroPoint[a] : 0));
  return double(code) * scale[a];
}

llvm::Expected<DesignEnds> loom::designEnds(const llvm::json::Object &report,
                                            llvm::StringRef what) {
  DesignEnds ends;
  auto read = [&](const char *many, const char *one, std::vector<IOInfo> &into) {
    if (const llvm::json::Array *a = report.getArray(many)) {
      for (const llvm::json::Value &v : *a)
        if (const llvm::json::Object *o = v.getAsObject())
          into.push_back(ioInfo(o));
    } else if (const llvm::json::Object *o = report.getObject(one)) {
      into.push_back(ioInfo(o));
    }
  };
  read("inputs", "input", ends.inputs);
  read("outputs", "output", ends.outputs);
  if (ends.inputs.empty() || ends.outputs.empty())
    return error(what + ": missing input/output description; recompile");
  for (IOInfo &in : ends.inputs)
    if (in.port.empty())
      in.port = "s_axis";
  for (IOInfo &out : ends.outputs)
    if (out.port.empty())
      out.port = "m_axis";
  return ends;
}

llvm::Expected<std::vector<InputFrame>> loom::loadFrames(const FrameSource &src,
                                                         const DesignEnds &ends,
                                                         std::vector<InputFrame> &expectedFloat) {
  if (!src.inputs.empty())
    return loadInputsFile(src.inputs, ends);
  if (!src.onnxTestDir.empty())
    return loadTestDir(src.onnxTestDir, ends, expectedFloat);
  int64_t count = src.randomFrames > 0 ? src.randomFrames : 20;
  std::vector<InputFrame> frames(count);
  for (size_t k = 0; k < ends.inputs.size(); ++k) {
    const IOInfo &in = ends.inputs[k];
    // Input k > 0 draws from its own stream, so input 0's frames do not
    // depend on how many inputs there are.
    uint64_t seed = src.seed + 7919 * k;
    std::vector<std::vector<double>> fr;
    if (in.integer && in.qmin && in.qmax) {
      // Integer inputs: uniform over the tensor's whole range.
      std::mt19937_64 rng(seed);
      std::uniform_int_distribution<int64_t> dist(*in.qmin, *in.qmax);
      for (int64_t f = 0; f < count; ++f) {
        std::vector<double> frame(in.elements());
        for (double &x : frame)
          x = double(dist(rng));
        fr.push_back(std::move(frame));
      }
    } else {
      // Uniform in [-2, 2): a range that exercises saturation-free arithmetic
      // for typical normalized inputs and the activations' curves.
      fr = randomFrames(in.elements(), count, seed);
    }
    for (int64_t f = 0; f < count; ++f)
      frames[f].push_back(std::move(fr[f]));
  }
  return frames;
}

llvm::Expected<DesignReport> loom::readDesignReport(const std::string &outDir) {
  std::string path = outDir + "/report.json";
  auto json = readJson(path);
  if (!json)
    return json.takeError();
  if (!json->getAsObject())
    return error(path + ": not a JSON object; recompile");
  DesignReport r;
  r.json = std::move(*json);
  auto ends = designEnds(r.object(), path);
  if (!ends)
    return ends.takeError();
  r.ends = std::move(*ends);
  return r;
}

sim::SimSpec loom::designSimSpec(const llvm::json::Object &report, const DesignEnds &ends,
                                 const std::string &outDir) {
  sim::SimSpec spec;
  spec.topName = report.getString("top").value_or("").str();
  spec.resetActiveLow = report.getString("reset").value_or("rst") == "aresetn";
  llvm::SmallString<256> abs(outDir + "/rtl");
  llvm::sys::fs::make_absolute(abs);
  spec.rtlDir = abs.str().str();
  if (auto *files = report.getArray("sv_files"))
    for (const auto &f : *files)
      spec.svFiles.push_back(f.getAsString().value_or("").str());
  auto portOf = [](const IOInfo &e) {
    return sim::StreamPort{e.port, int(e.lanes), int(e.bits), e.beats};
  };
  spec.inputs.clear();
  spec.outputs.clear();
  for (const IOInfo &in : ends.inputs)
    spec.inputs.push_back(portOf(in));
  for (const IOInfo &out : ends.outputs)
    spec.outputs.push_back(portOf(out));
  return spec;
}

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> loom::readDesignIR(const std::string &path,
                                                                     mlir::MLIRContext &ctx) {
  llvm::SourceMgr mgr;
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return error(path + ": cannot read; run `loom compile` first");
  mgr.AddNewSourceBuffer(std::move(*buf), llvm::SMLoc());
  mlir::ScopedDiagnosticHandler quiet(&ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  auto module = mlir::parseSourceFile<mlir::ModuleOp>(mgr, &ctx);
  if (!module)
    return error(path + ": cannot parse; recompile the model");
  return std::move(module);
}
