//===- Calibrate.cpp - activation ranges for --precision int8 -------------===//
#include "flows/Calibrate.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/io/Npy.h"
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

/// X.npy holds [N, ...input shape without its batch dimension] or
/// [N, ...input shape]: N frames either way.
llvm::Expected<Frames> loadNpyFrames(const std::string &path, ArrayRef<int64_t> inShape) {
  auto arr = io::readNpy(path);
  if (!arr)
    return arr.takeError();
  ArrayRef<int64_t> s = arr->shape;
  bool batchAsFrames =
      s.size() == inShape.size() && !s.empty() && s.drop_front() == inShape.drop_front();
  bool extraDim = s.size() == inShape.size() + 1 && s.drop_front() == inShape;
  std::vector<int64_t> want = {0};
  want.insert(want.end(), inShape.begin() + (inShape.empty() ? 0 : 1), inShape.end());
  if (!(batchAsFrames || extraDim) || s[0] < 1)
    return error(path + ": shape " + shapeText(s, false) + " does not match the model input " +
                 shapeText(inShape, false) + "; give " + shapeText(want, true) +
                 " (N calibration frames, N >= 1)");
  int64_t n = 1;
  for (int64_t d : inShape)
    n *= d;
  if (batchAsFrames && !inShape.empty())
    n /= inShape[0];
  Frames frames;
  for (size_t f = 0; f * n < arr->values.size(); ++f) {
    frames.emplace_back(arr->values.begin() + f * n, arr->values.begin() + (f + 1) * n);
    for (double v : frames.back())
      if (!std::isfinite(v))
        return error(path + ": frame " + std::to_string(f) + " holds a NaN or infinity");
  }
  return frames;
}

std::string nameOf(Value v) {
  if (Operation *op = v.getDefiningOp())
    if (auto n = op->getAttrOfType<StringAttr>("onnx.node"))
      return n.str();
  return "a graph input";
}

} // namespace

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
  return o;
}

llvm::Expected<Accuracy> loom::measureAccuracy(func::FuncOp qfunc, const Frames &frames,
                                               const Frames &want) {
  double sum = 0;
  int64_t count = 0, top1 = 0;
  Accuracy a;
  for (size_t f = 0; f < frames.size(); ++f) {
    auto q = interpretFrame(qfunc, {frames[f]});
    if (!q)
      return q.takeError();
    const std::vector<double> &got = q->outputs.at(0), &ref = want[f];
    for (size_t i = 0; i < got.size() && i < ref.size(); ++i) {
      double e = std::fabs(got[i] - ref[i]);
      if (!std::isfinite(e))
        e = INFINITY; // a NaN is the worst error, never none
      a.maxAbsError = std::max(a.maxAbsError, e), sum += e, ++count;
    }
    top1 += std::max_element(got.begin(), got.end()) - got.begin() ==
            std::max_element(ref.begin(), ref.end()) - ref.begin();
  }
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

llvm::Expected<Calibration> loom::calibrate(func::FuncOp func, const std::string &calibNpy,
                                            bool normal) {
  std::string precision = normal ? "--precision auto" : "--precision int8";
  if (func.getNumArguments() != 1)
    return error(precision + " supports models with one input (this one has " +
                 std::to_string(func.getNumArguments()) + ")");
  auto inType = llvm::cast<ShapedType>(func.getArgument(0).getType());
  Calibration c;
  if (calibNpy.empty()) {
    c.source = normal ? "random-normal" : "random";
    auto frames = normal ? normalFrames : randomFrames;
    c.calib = frames(inType.getNumElements(), kDefaultCalibFrames, 1);
    c.heldOut = frames(inType.getNumElements(), kDefaultHeldOutFrames, 2);
  } else {
    c.source = calibNpy;
    auto frames = loadNpyFrames(calibNpy, inType.getShape());
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
    auto r = interpretFrame(func, {frame}, observe);
    if (!r)
      return r.takeError();
    c.calibFloat.push_back(r->outputs.at(0));
  }
  for (const auto &frame : c.heldOut) {
    auto r = interpretFrame(func, {frame});
    if (!r)
      return r.takeError();
    c.heldOutFloat.push_back(r->outputs.at(0));
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
