//===- Calibrate.cpp - activation ranges for --precision int8 -------------===//
#include "flows/Calibrate.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/io/Npy.h"
#include "compiler/io/Npz.h"
#include "dialects/nn/NNAttrs.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <random>

using namespace mlir;
using namespace loom;

namespace {

using nn::kCalibAttr;

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string shapeText(ArrayRef<int64_t> shape, bool frames) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + (frames && i == 0 ? std::string("N") : std::to_string(shape[i]));
  return s + "]";
}

/// An array holds [N, ...input shape without its batch dimension] or
/// [N, ...input shape]: N frames either way.
llvm::Expected<Frames> framesOfArray(const io::NpyArray &arr, const std::string &what,
                                     ArrayRef<int64_t> inShape) {
  ArrayRef<int64_t> s = arr.shape;
  bool batchAsFrames =
      s.size() == inShape.size() && !s.empty() && s.drop_front() == inShape.drop_front();
  bool extraDim = s.size() == inShape.size() + 1 && s.drop_front() == inShape;
  std::vector<int64_t> want = {0};
  want.insert(want.end(), inShape.begin() + (inShape.empty() ? 0 : 1), inShape.end());
  if (!(batchAsFrames || extraDim) || s[0] < 1)
    return error(what + ": shape " + shapeText(s, false) + " does not match the model input " +
                 shapeText(inShape, false) + "; give " + shapeText(want, true) +
                 " (N calibration frames, N >= 1)");
  int64_t n = 1;
  for (int64_t d : inShape)
    n *= d;
  if (batchAsFrames && !inShape.empty())
    n /= inShape[0];
  Frames frames;
  for (size_t f = 0; f * n < arr.values.size(); ++f) {
    frames.emplace_back(arr.values.begin() + f * n, arr.values.begin() + (f + 1) * n);
    for (double v : frames.back())
      if (!std::isfinite(v))
        return error(what + ": frame " + std::to_string(f) + " holds a NaN or infinity");
  }
  return frames;
}

std::string argName(func::FuncOp func, unsigned i) {
  auto n = func.getArgAttrOfType<StringAttr>(i, "onnx.name");
  return n ? n.str() : "input " + std::to_string(i);
}

/// --calib X.npy (a model with one input) or X.npz (one array per input name):
/// frames as calibrate() keeps them, every input's values one after the other.
llvm::Expected<Frames> loadCalibFrames(const std::string &path, func::FuncOp func) {
  const unsigned nIn = func.getNumArguments();
  std::vector<Frames> perInput;
  auto shapeOf = [&](unsigned i) {
    return llvm::cast<ShapedType>(func.getArgument(i).getType()).getShape();
  };
  if (StringRef(path).ends_with(".npz")) {
    auto npz = io::readNpz(path);
    if (!npz)
      return npz.takeError();
    for (unsigned i = 0; i < nIn; ++i) {
      const io::NpyArray *arr = nullptr;
      for (const auto &[key, a] : *npz)
        if (key == argName(func, i))
          arr = &a;
      if (!arr)
        return error(path + ": no array named '" + argName(func, i) +
                     "'; give one per graph input");
      auto frames = framesOfArray(*arr, path + " '" + argName(func, i) + "'", shapeOf(i));
      if (!frames)
        return frames.takeError();
      if (!perInput.empty() && frames->size() != perInput.front().size())
        return error(path + ": inputs '" + argName(func, 0) + "' and '" + argName(func, i) +
                     "' have different frame counts");
      perInput.push_back(std::move(*frames));
    }
  } else {
    if (nIn != 1)
      return error(path + ": the model has " + std::to_string(nIn) +
                   " inputs; give --calib X.npz with one array per input name");
    auto arr = io::readNpy(path);
    if (!arr)
      return arr.takeError();
    auto frames = framesOfArray(*arr, path, shapeOf(0));
    if (!frames)
      return frames.takeError();
    return frames;
  }
  Frames joined(perInput.front().size());
  for (const Frames &in : perInput)
    for (size_t f = 0; f < joined.size(); ++f)
      joined[f].insert(joined[f].end(), in[f].begin(), in[f].end());
  return joined;
}

std::string nameOf(Value v) {
  if (Operation *op = v.getDefiningOp())
    if (auto n = op->getAttrOfType<StringAttr>("onnx.node"))
      return n.str();
  return "a graph input";
}

} // namespace

int64_t loom::inputElements(func::FuncOp func) {
  int64_t n = 0;
  for (Type t : func.getArgumentTypes())
    n += llvm::cast<ShapedType>(t).getNumElements();
  return n;
}

std::vector<std::vector<double>> loom::splitInputs(func::FuncOp func,
                                                   const std::vector<double> &frame) {
  std::vector<std::vector<double>> inputs;
  size_t at = 0;
  for (Type t : func.getArgumentTypes()) {
    size_t n = size_t(llvm::cast<ShapedType>(t).getNumElements());
    size_t end = std::min(frame.size(), at + n);
    inputs.emplace_back(frame.begin() + std::min(at, end), frame.begin() + end);
    at += n;
  }
  return inputs;
}

std::vector<double> loom::joinOutputs(const FrameResult &r) {
  std::vector<double> all;
  for (const std::vector<double> &o : r.outputs)
    all.insert(all.end(), o.begin(), o.end());
  return all;
}

llvm::Expected<llvm::json::Object> loom::accuracyJson(func::FuncOp qfunc, const Frames &frames,
                                                      const Frames &want) {
  auto m = measureAccuracy(qfunc, frames, want);
  if (!m)
    return m.takeError();
  llvm::json::Object o{{"frames", int64_t(frames.size())}};
  if (frames.empty())
    return o; // nothing held out: no numbers rather than made-up ones
  o["max_abs_error"] = m->maxAbsError;
  o["mean_abs_error"] = m->meanAbsError;
  o["top1_agreement"] = m->top1Agreement;
  if (m->rowTop1Agreement >= 0)
    o["row_top1_agreement"] = m->rowTop1Agreement;
  return o;
}

llvm::Expected<Accuracy> loom::measureAccuracy(func::FuncOp qfunc, const Frames &frames,
                                               const Frames &want) {
  double sum = 0;
  int64_t count = 0, top1 = 0, rowsAgree = 0, rows = 0;
  Accuracy a;
  // rows of the first output's last axis, when it has several of them
  size_t rowLen = 0;
  if (qfunc.getNumResults() > 0)
    if (auto t = llvm::dyn_cast<ShapedType>(qfunc.getFunctionType().getResult(0));
        t && t.hasStaticShape() && t.getRank() >= 2 && t.getShape().back() >= 2 &&
        t.getNumElements() / t.getShape().back() >= 2)
      rowLen = size_t(t.getShape().back());
  for (size_t f = 0; f < frames.size(); ++f) {
    auto q = interpretFrame(qfunc, splitInputs(qfunc, frames[f]));
    if (!q)
      return q.takeError();
    const std::vector<double> got = joinOutputs(*q), &ref = want[f];
    for (size_t i = 0; i < got.size() && i < ref.size(); ++i) {
      double e = std::fabs(got[i] - ref[i]);
      if (!std::isfinite(e))
        e = INFINITY; // a NaN is the worst error, never none
      a.maxAbsError = std::max(a.maxAbsError, e), sum += e, ++count;
    }
    // Top-1 of the first output (class scores, when it is a classifier).
    auto firstEnd = [&](const std::vector<double> &v) {
      return v.begin() + std::min(v.size(), q->outputs.at(0).size());
    };
    top1 += std::max_element(got.begin(), firstEnd(got)) - got.begin() ==
            std::max_element(ref.begin(), firstEnd(ref)) - ref.begin();
    for (size_t r = 0; rowLen && (r + 1) * rowLen <= q->outputs.at(0).size() &&
                       (r + 1) * rowLen <= ref.size();
         ++r, ++rows) {
      auto g = got.begin() + r * rowLen, w = ref.begin() + r * rowLen;
      rowsAgree += std::max_element(g, g + rowLen) - g == std::max_element(w, w + rowLen) - w;
    }
  }
  if (rows)
    a.rowTop1Agreement = double(rowsAgree) / double(rows);
  a.meanAbsError = count ? sum / double(count) : 0.0;
  a.top1Agreement = frames.empty() ? 1.0 : double(top1) / double(frames.size());
  return a;
}

double loom::outputRange(const Frames &outputs) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto &frame : outputs)
    for (double v : frame)
      lo = std::min(lo, v), hi = std::max(hi, v);
  return hi > lo ? hi - lo : 0.0;
}

Frames loom::normalFrames(int64_t elements, int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  Frames frames;
  for (int64_t f = 0; f < count; ++f) {
    std::vector<double> frame(elements);
    for (double &x : frame)
      x = double(float(dist(rng))); // the f32 values a user's frames would hold
    frames.push_back(std::move(frame));
  }
  return frames;
}

Frames loom::randomFrames(int64_t elements, int64_t count, uint64_t seed) {
  // Uniform in [-2, 2): exercises typical normalized inputs without saturating.
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-2.0, 2.0);
  Frames frames;
  for (int64_t f = 0; f < count; ++f) {
    std::vector<double> frame(elements);
    for (double &x : frame)
      x = dist(rng);
    frames.push_back(std::move(frame));
  }
  return frames;
}

/// Token-id inputs (`loom.index_range`, ImportEmbed.cpp) take ids uniform in
/// their range instead of normal / uniform reals: the float graph refuses
/// anything else, and every row of the table gets calibrated.
static void drawIds(func::FuncOp func, Frames &frames, uint64_t seed) {
  std::mt19937_64 rng(seed * 7919 + 17);
  size_t at = 0;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    size_t n = size_t(llvm::cast<ShapedType>(func.getArgument(i).getType()).getNumElements());
    if (auto r = func.getArgAttrOfType<DenseI64ArrayAttr>(i, "loom.index_range");
        r && r.size() == 2) {
      std::uniform_int_distribution<int64_t> dist(r[0], r[1]);
      for (auto &frame : frames)
        for (size_t k = at; k < at + n && k < frame.size(); ++k)
          frame[k] = double(dist(rng));
    }
    at += n;
  }
}

llvm::Expected<Calibration> loom::calibrate(func::FuncOp func, const std::string &calibNpy,
                                            bool normal) {
  std::string precision = normal ? "--precision auto" : "--precision int8";
  Calibration c;
  if (calibNpy.empty()) {
    c.source = normal ? "random-normal" : "random";
    auto frames = normal ? normalFrames : randomFrames;
    c.calib = frames(inputElements(func), kDefaultCalibFrames, 1);
    c.heldOut = frames(inputElements(func), kDefaultHeldOutFrames, 2);
    drawIds(func, c.calib, 1);
    drawIds(func, c.heldOut, 2);
  } else {
    c.source = calibNpy;
    auto frames = loadCalibFrames(calibNpy, func);
    if (!frames)
      return frames.takeError();
    // 80/20: every frame calibrates when there is only one.
    size_t k = std::max<size_t>(1, (frames->size() * 4 + 4) / 5);
    c.calib.assign(frames->begin(), frames->begin() + k);
    c.heldOut.assign(frames->begin() + k, frames->end());
  }

  llvm::DenseMap<Value, std::pair<double, double>> ranges;
  auto observe = [&](Value v, const std::vector<double> &xs) {
    auto [it, fresh] = ranges.try_emplace(v, INFINITY, -INFINITY);
    for (double x : xs)
      it->second.first = std::min(it->second.first, x),
      it->second.second = std::max(it->second.second, x);
  };
  for (const auto &frame : c.calib) {
    auto r = interpretFrame(func, splitInputs(func, frame), observe);
    if (!r)
      return r.takeError();
    c.calibFloat.push_back(joinOutputs(*r));
  }
  for (const auto &frame : c.heldOut) {
    auto r = interpretFrame(func, splitInputs(func, frame));
    if (!r)
      return r.takeError();
    c.heldOutFloat.push_back(joinOutputs(*r));
  }

  Builder b(func.getContext());
  for (auto &[v, range] : ranges) {
    if (!std::isfinite(range.first) || !std::isfinite(range.second))
      return error(precision + ": the float model overflows on the calibration frames (" +
                   nameOf(v) + " is not finite); check the --calib data");
    auto attr = b.getDenseF64ArrayAttr({range.first, range.second});
    if (auto arg = llvm::dyn_cast<BlockArgument>(v))
      func.setArgAttr(arg.getArgNumber(), kCalibAttr, attr);
    else
      v.getDefiningOp()->setAttr(kCalibAttr, attr);
  }
  return c;
}

llvm::Expected<llvm::json::Object> loom::int8Accuracy(func::FuncOp qfunc, const Calibration &c) {
  llvm::json::Object o{{"calibration_source", c.source}};
  auto cal = accuracyJson(qfunc, c.calib, c.calibFloat);
  if (!cal)
    return cal.takeError();
  auto held = accuracyJson(qfunc, c.heldOut, c.heldOutFloat);
  if (!held)
    return held.takeError();
  o["calibration"] = std::move(*cal);
  o["held_out"] = std::move(*held);
  return o;
}
