//===- RuntimeInt8.cpp - the int8 architecture of --runtime-weights -------===//
#include "flows/RuntimeInt8.h"

#include "dialects/nn/NNAttrs.h"
#include "dialects/nn/NNOps.h"
#include "dialects/nn/NodeNames.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace mlir;
using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string nodeName(Operation *op) {
  if (auto n = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr))
    return n.str();
  return op->getName().getStringRef().str();
}

/// A calibrated value of the function: argument `arg` (op null) or op's result.
struct Calibrated {
  mutable func::FuncOp func; // (MLIR op handles have no const accessors)
  Operation *op = nullptr;
  unsigned arg = 0;

  /// The name the record gives it: "input k" or its op's ONNX node name.
  std::string name() const { return op ? nodeName(op) : "input " + std::to_string(arg); }
  DenseF64ArrayAttr range() const {
    return op ? op->getAttrOfType<DenseF64ArrayAttr>(nn::kCalibAttr)
              : func.getArgAttrOfType<DenseF64ArrayAttr>(arg, nn::kCalibAttr);
  }
  void setRange(DenseF64ArrayAttr r) const {
    if (op)
      op->setAttr(nn::kCalibAttr, r);
    else
      func.setArgAttr(arg, nn::kCalibAttr, r);
  }
};

/// Every value of `func` with a [min, max] calibration range: the inputs, then the ops in
/// order (the order the record keeps).
std::vector<Calibrated> calibrated(func::FuncOp func) {
  std::vector<Calibrated> out;
  auto add = [&](Calibrated c) {
    if (DenseF64ArrayAttr r = c.range(); r && r.size() == 2)
      out.push_back(c);
  };
  for (BlockArgument arg : func.getArguments())
    add({func, nullptr, arg.getArgNumber()});
  func.walk([&](Operation *op) {
    if (op->getNumResults() == 1)
      add({func, op, 0});
  });
  return out;
}

std::vector<Operation *> layersOf(func::FuncOp func) {
  std::vector<Operation *> layers;
  func.walk([&](nn::WeightedLayerOpInterface l) { layers.push_back(l.getOperation()); });
  return layers;
}

const char *kNotArch = "not the int8 architecture this design records: ";

/// Entry i of the record against this model's: its count, then its name.
llvm::Error sameName(const char *what, size_t i, llvm::StringRef recorded, llvm::StringRef ours) {
  if (recorded == ours)
    return llvm::Error::success();
  return error(llvm::formatv("{0}its {1} {2} is '{3}', this model's '{4}'", kNotArch, what, i,
                             recorded, ours));
}

} // namespace

llvm::Error loom::fixInt8Architecture(func::FuncOp func, const std::string &recorded,
                                      Int8Architecture &arch) {
  Builder b(func.getContext());
  func->setAttr(nn::kRuntimeWeightsAttr, b.getUnitAttr());
  std::vector<Calibrated> values = calibrated(func);
  std::vector<Operation *> layers = layersOf(func);
  if (recorded.empty()) {
    // The first model: its ranges, wider by the margin on each side that is not 0, and
    // (nn-insert-quant's weight-margin) its weight scales.
    for (const Calibrated &v : values) {
      DenseF64ArrayAttr r = v.range();
      double lo = std::min(r[0], r[0] * kRuntimeInt8Margin);
      double hi = std::max(r[1], r[1] * kRuntimeInt8Margin);
      v.setRange(b.getDenseF64ArrayAttr({lo, hi}));
      arch.ranges.push_back(llvm::json::Object{{"value", v.name()}, {"range", {lo, hi}}});
    }
    return llvm::Error::success();
  }
  auto json = llvm::json::parse(recorded);
  const llvm::json::Object *o = json ? json->getAsObject() : nullptr;
  if (!json)
    llvm::consumeError(json.takeError());
  const llvm::json::Array *ranges = o ? o->getArray("ranges") : nullptr;
  const llvm::json::Array *recLayers = o ? o->getArray("layers") : nullptr;
  if (!ranges || !recLayers)
    return error("layout.json compile.int8 is malformed (no ranges or layers); recompile "
                 "the design");
  if (ranges->size() != values.size())
    return error(llvm::formatv("{0}it quantizes {1} values, this model {2}", kNotArch,
                               ranges->size(), values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    const llvm::json::Object *r = (*ranges)[i].getAsObject();
    const llvm::json::Array *lohi = r ? r->getArray("range") : nullptr;
    std::string name = r ? r->getString("value").value_or("").str() : "";
    if (!lohi || lohi->size() != 2 || !(*lohi)[0].getAsNumber() || !(*lohi)[1].getAsNumber())
      return error("layout.json compile.int8 range " + std::to_string(i) + " is malformed");
    if (auto err = sameName("value", i, name, values[i].name()))
      return err;
    values[i].setRange(
        b.getDenseF64ArrayAttr({*(*lohi)[0].getAsNumber(), *(*lohi)[1].getAsNumber()}));
    arch.ranges.push_back(llvm::json::Object(*r));
  }
  if (recLayers->size() != layers.size())
    return error(llvm::formatv("{0}it has {1} dense / conv layers, this model {2}", kNotArch,
                               recLayers->size(), layers.size()));
  for (size_t i = 0; i < layers.size(); ++i) {
    const llvm::json::Object *l = (*recLayers)[i].getAsObject();
    const llvm::json::Array *scales = l ? l->getArray("weight_scale") : nullptr;
    auto bits = l ? l->getInteger("bias_bits") : std::nullopt;
    std::string name = l ? l->getString("node").value_or("").str() : "";
    if (!scales || !bits)
      return error("layout.json compile.int8 layer " + std::to_string(i) + " is malformed");
    if (auto err = sameName("layer", i, name, nodeName(layers[i])))
      return err;
    std::vector<double> s;
    for (const llvm::json::Value &v : *scales)
      s.push_back(v.getAsNumber().value_or(0));
    layers[i]->setAttr(nn::kRtWeightScaleAttr, b.getDenseF64ArrayAttr(s));
    layers[i]->setAttr(nn::kRtBiasBitsAttr, b.getI64IntegerAttr(*bits));
  }
  return llvm::Error::success();
}

void loom::recordInt8WeightScales(func::FuncOp func, Int8Architecture &arch) {
  arch.layers.clear();
  for (Operation *op : layersOf(func)) {
    llvm::json::Array scales;
    if (auto s = llvm::cast<nn::WeightedLayerOpInterface>(op).getWeightScale())
      for (double v : *s)
        scales.push_back(v);
    arch.layers.push_back(
        llvm::json::Object{{"node", nodeName(op)}, {"weight_scale", std::move(scales)}});
  }
}

llvm::Error loom::recordInt8BiasBits(func::FuncOp func, Int8Architecture &arch) {
  std::vector<Operation *> lowered;
  func.walk([&](Operation *op) {
    if (llvm::isa<nn::QDenseOp, nn::QConvOp>(op))
      lowered.push_back(op);
  });
  if (lowered.size() != arch.layers.size())
    return error(llvm::formatv("--runtime-weights: {0} dense / conv layers became {1} integer "
                               "layers; this graph's int8 architecture cannot be recorded",
                               arch.layers.size(), lowered.size()));
  for (size_t i = 0; i < lowered.size(); ++i) {
    auto bits = lowered[i]->getAttrOfType<IntegerAttr>(nn::kRtBiasBitsAttr);
    if (!bits)
      return error("--runtime-weights: " + nn::describeNode(lowered[i]) +
                   " has no fixed bias width; this graph's int8 architecture cannot be recorded");
    (*arch.layers[i].getAsObject())["bias_bits"] = bits.getInt();
  }
  return llvm::Error::success();
}

llvm::json::Object loom::int8ArchitectureJson(const Int8Architecture &arch) {
  return llvm::json::Object{{"margin", kRuntimeInt8Margin},
                            {"ranges", llvm::json::Array(arch.ranges)},
                            {"layers", llvm::json::Array(arch.layers)}};
}
