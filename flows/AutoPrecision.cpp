//===- AutoPrecision.cpp - --precision auto: formats chosen, not guessed --===//
#include "flows/AutoPrecision.h"

#include "flows/Diagnostics.h"
#include "passes/Passes.h"

#include "compiler/numerics/FixedPoint.h"
#include "dialects/nn/NNAttrs.h"
#include "dialects/nn/NNOps.h"
#include "dialects/nn/NodeNames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <map>

using namespace mlir;
using namespace loom;

namespace {

using nn::kCalibAttr;
using nn::kPinAttr;

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

func::FuncOp mainFunc(ModuleOp m) { return *m.getOps<func::FuncOp>().begin(); }

/// Quantizes a clone of `floatModule` with `passes` and measures it on the
/// calibration frames. A lowering error comes back as its one-line message.
llvm::Expected<Accuracy> trial(ModuleOp floatModule, const Calibration &c,
                               llvm::function_ref<void(PassManager &)> passes) {
  OwningOpRef<ModuleOp> m = floatModule.clone();
  DiagnosticCollector diags(*floatModule.getContext(), "");
  PassManager pm(floatModule.getContext());
  passes(pm);
  if (failed(pm.run(*m))) {
    std::string msg = diags.message();
    if (llvm::StringRef(msg).starts_with(": "))
      msg = msg.substr(2); // no file name: the caller adds it
    return error(msg.empty() ? "quantization failed" : msg);
  }
  return measureAccuracy(mainFunc(*m), c.calib, c.calibFloat);
}

/// The smallest bits in [lo, hi] for which `ok` holds, assuming it holds
/// from some width on; hi when none does.
template <typename F> llvm::Expected<int> smallestMeeting(int lo, int hi, F ok) {
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    auto good = ok(mid);
    if (!good)
      return good.takeError();
    if (*good)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/// Largest calibrated magnitude of any tensor.
double widestRange(func::FuncOp func) {
  double m = 0;
  auto see = [&](DenseF64ArrayAttr r) {
    if (r && r.size() == 2)
      m = std::max({m, std::fabs(r[0]), std::fabs(r[1])});
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (!func.getArgAttr(i, "loom.index_range")) // token ids are addresses, not values
      see(func.getArgAttrOfType<DenseF64ArrayAttr>(i, kCalibAttr));
  func.walk([&](Operation *op) { see(op->getAttrOfType<DenseF64ArrayAttr>(kCalibAttr)); });
  return m;
}

/// An output that is one vector of 2 to 1000 values is taken for class
/// scores: its top-1 must agree too.
bool isClassifier(func::FuncOp func) {
  if (func.getNumResults() != 1)
    return false;
  auto t = llvm::dyn_cast<ShapedType>(func.getResultTypes()[0]);
  if (!t || !t.hasStaticShape() || t.getRank() < 1)
    return false;
  for (int64_t i = 0; i + 1 < t.getRank(); ++i)
    if (t.getDimSize(i) != 1)
      return false;
  int64_t k = t.getShape().back();
  return k >= 2 && k <= 1000;
}

/// The goal of a search: the output range (for the error budget) and
/// whether the output is class scores (for top-1 agreement).
AutoPrecision goalOf(ModuleOp floatModule, const Calibration &c) {
  AutoPrecision a;
  a.range = outputRange(c.calibFloat);
  a.classifier = isClassifier(mainFunc(floatModule));
  return a;
}
bool meetsBudget(const AutoPrecision &a, const Accuracy &acc) {
  return acc.maxAbsError <= kAutoErrorBudget * std::max(a.range, 1e-9);
}
bool meetsTop1(const AutoPrecision &a, const Accuracy &acc) {
  return !a.classifier || acc.top1Agreement >= kAutoTop1;
}

bool hasPins(func::FuncOp func) {
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (func.getArgAttr(i, kPinAttr))
      return true;
  bool any = false;
  func.walk([&](Operation *op) { any |= bool(op->getAttr(kPinAttr)); });
  return any;
}

} // namespace

llvm::json::Object AutoPrecision::json() const {
  llvm::json::Object o{{"error_budget", kAutoErrorBudget},
                       {"margin", kAutoMargin},
                       {"output_range", range},
                       {"budget_met", met},
                       {"classifier", classifier},
                       {"trials", trials},
                       {"calibration", llvm::json::Object{{"max_abs_error", calib.maxAbsError},
                                                          {"mean_abs_error", calib.meanAbsError},
                                                          {"top1_agreement", calib.top1Agreement}}}};
  if (perTensor) {
    o["formats"] = "per tensor";
    o["activation_bits"] = actBits;
    o["weight_bits"] = weightBits;
  } else {
    o["formats"] = fixed;
    o["why_one_format"] = whyNotPerTensor;
  }
  return o;
}

llvm::Expected<AutoPrecision> loom::chooseAutoPrecision(ModuleOp floatModule,
                                                        const Calibration &c) {
  AutoPrecision a = goalOf(floatModule, c);
  // The budget decides the widths. Top-1 agreement of a classifier is
  // reached with at most kAutoTop1Bits more bits where the error budget
  // alone leaves a near-tie flipped; it cannot be promised for frames whose
  // two best classes lie within the error of each other.
  auto good = [&](const Accuracy &acc) { return meetsBudget(a, acc); };
  auto topOk = [&](const Accuracy &acc) { return meetsTop1(a, acc); };
  std::map<std::pair<int, int>, Accuracy> tried;
  auto perTensor = [&](int act, int w) -> llvm::Expected<Accuracy> {
    if (auto it = tried.find({act, w}); it != tried.end())
      return it->second;
    ++a.trials;
    auto r = trial(floatModule, c, [&](PassManager &pm) {
      NNInsertQuantOptions o;
      o.mode = "auto", o.actBits = act, o.weightBits = w, o.tableBits = kAutoTableBits;
      o.margin = kAutoMargin;
      pm.addPass(createNNInsertQuant(o));
      pm.addPass(createNNQuantize());
    });
    if (!r)
      return r.takeError();
    tried[{act, w}] = *r;
    return *r;
  };
  // Activations and weights together, then the weights alone narrower.
  auto first = perTensor(kAutoMaxBits, kAutoMaxBits);
  if (first) {
    auto meets = [&](int act, int w) -> llvm::Expected<bool> {
      auto acc = perTensor(act, w);
      if (!acc)
        return acc.takeError();
      return good(*acc);
    };
    int act = kAutoMaxBits, w = kAutoMaxBits;
    if (good(*first)) {
      auto bits = smallestMeeting(kAutoMinBits, kAutoMaxBits, [&](int b) { return meets(b, b); });
      if (!bits)
        return bits.takeError();
      act = *bits;
      auto wBits = smallestMeeting(kAutoMinBits, act, [&](int b) { return meets(act, b); });
      if (!wBits)
        return wBits.takeError();
      w = *wBits;
    }
    auto acc = perTensor(act, w);
    if (!acc)
      return acc.takeError();
    for (int k = 1; !topOk(*acc) && k <= kAutoTop1Bits && act + k <= kAutoMaxBits; ++k) {
      auto wider = perTensor(act + k, std::min(w + k, kAutoMaxBits));
      if (!wider)
        return wider.takeError();
      if (good(*wider) && topOk(*wider)) {
        act += k, w = std::min(w + k, kAutoMaxBits), acc = std::move(wider);
        break;
      }
    }
    a.actBits = act, a.weightBits = w, a.calib = *acc;
    a.met = good(*acc);
    return a;
  }
  // One format for everything.
  std::string why = llvm::toString(first.takeError());
  bool modelQuantizers = false;
  floatModule.walk([&](nn::QuantizeLinearOp) { modelQuantizers = true; });
  if (modelQuantizers) // one fixed<W,I> cannot sit beside the model's own scales
    return error(why);
  if (hasPins(mainFunc(floatModule)))
    return error("--formats needs per-tensor formats, which this model cannot have: " + why);
  auto one = chooseOneFormat(floatModule, c, 0);
  if (one)
    one->whyNotPerTensor = why, one->trials += a.trials;
  return one;
}

double loom::largestWeight(ModuleOp floatModule) {
  double m = 0;
  auto widest = [&](ElementsAttr values) {
    for (APFloat v : values.getValues<APFloat>())
      m = std::max(m, std::fabs(v.convertToDouble()));
  };
  floatModule.walk([&](nn::WeightedLayerOpInterface layer) {
    widest(layer.getWeight()), widest(layer.getBias());
  });
  // The other loadable parameters (LoomLibrary: embedding tables, LayerNorm gamma / beta).
  floatModule.walk([&](nn::EmbedOp e) {
    widest(e.getTable());
    if (e.getPos())
      widest(*e.getPos());
  });
  floatModule.walk([&](nn::LayerNormOp ln) { widest(ln.getGamma()), widest(ln.getBeta()); });
  return m;
}

llvm::Expected<AutoPrecision> loom::chooseOneFormat(ModuleOp floatModule, const Calibration &c,
                                                    double atLeast) {
  AutoPrecision a = goalOf(floatModule, c);
  a.perTensor = false;
  auto good = [&](const Accuracy &acc) { return meetsBudget(a, acc); };
  auto topOk = [&](const Accuracy &acc) { return meetsTop1(a, acc); };
  // I holds the widest calibrated tensor (with the margin and a sign bit) and
  // `atLeast`; W is the narrowest meeting the budget.
  double m = std::max({widestRange(mainFunc(floatModule)) * kAutoMargin, atLeast, 1e-9});
  int intBits = std::max(1, int(std::floor(std::log2(m))) + 2);
  auto fixedOf = [&](int width) {
    numerics::FixedFormat f;
    f.width = width, f.intBits = std::min(intBits, width);
    return f.str();
  };
  auto oneFormat = [&](int width) {
    ++a.trials;
    return trial(floatModule, c, [&](PassManager &pm) {
      pm.addPass(createNNQuantize(NNQuantizeOptions{fixedOf(width)}));
    });
  };
  int maxW = 24;
  auto width = smallestMeeting(8, maxW, [&](int wd) -> llvm::Expected<bool> {
    auto acc = oneFormat(wd);
    if (!acc)
      return acc.takeError();
    return good(*acc);
  });
  if (!width)
    return width.takeError();
  auto acc = oneFormat(*width);
  if (!acc)
    return acc.takeError();
  // No width meets the budget: a wider format is not always better (a table
  // over the whole input range gets coarser buckets as the range grows), so
  // keep the width of the least error.
  if (!good(*acc)) {
    for (int wd = 8; wd < maxW; wd += 2) {
      auto other = oneFormat(wd);
      if (!other)
        return other.takeError();
      if (other->maxAbsError < acc->maxAbsError)
        *width = wd, acc = std::move(other);
    }
  }
  for (int k = 1; !topOk(*acc) && k <= kAutoTop1Bits && *width + k <= maxW; ++k) {
    auto wider = oneFormat(*width + k);
    if (!wider)
      return wider.takeError();
    if (good(*wider) && topOk(*wider)) {
      *width += k, acc = std::move(wider);
      break;
    }
  }
  a.fixed = fixedOf(*width), a.calib = *acc;
  a.met = good(*acc);
  return a;
}

llvm::Error loom::applyFormatOverrides(ModuleOp floatModule, const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return error(path + ": cannot read the --formats file (" + buf.getError().message() + ")");
  auto parsed = llvm::json::parse((*buf)->getBuffer());
  if (!parsed)
    return error(path + ": not JSON (" + llvm::toString(parsed.takeError()) +
                 "); give an object {\"node or input name\": \"fixed<W,I>\" or \"ufixed<W,I>\"}");
  const llvm::json::Object *obj = parsed->getAsObject();
  if (!obj)
    return error(path + ": give an object {\"node or input name\": \"fixed<W,I>\"}");
  func::FuncOp func = mainFunc(floatModule);
  MLIRContext *ctx = floatModule.getContext();
  for (const auto &kv : *obj) {
    std::string key = kv.first.str();
    auto text = kv.second.getAsString();
    if (!text)
      return error(path + ": \"" + key + "\": the format must be a string such as \"fixed<8,3>\"");
    llvm::StringRef t = text->trim();
    bool isUnsigned = t.consume_front("u");
    auto f = numerics::parseFixedFormat(t);
    if (!f)
      return error(path + ": \"" + key + "\": " + llvm::toString(f.takeError()));
    auto attr = nn::FixedFormatAttr::get(ctx, unsigned(f->width), f->intBits, !isUnsigned);
    bool found = false;
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      auto name = func.getArgAttrOfType<StringAttr>(i, "onnx.name");
      if (name && name.getValue() == key)
        func.setArgAttr(i, kPinAttr, attr), found = true;
    }
    func.walk([&](Operation *op) {
      auto node = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
      if (!node || node.getValue() != key)
        return;
      found = true;
      op->setAttr(kPinAttr, attr);
      // A layer's quantizer follows the Relu / Clip it fuses.
      if (op->getNumResults() == 1 && op->getResult(0).hasOneUse()) {
        Operation *user = *op->getResult(0).getUsers().begin();
        if (llvm::isa<nn::ReluOp, nn::ClipOp>(user))
          user->setAttr(kPinAttr, attr);
      }
    });
    if (!found)
      return error(path + ": \"" + key + "\" is neither a node nor the input of the model");
  }
  return llvm::Error::success();
}
