//===- NetlistBuilder.cpp - stream-connected instances of a top module ----===//
#include "passes/rtltarget/RTLTarget.h"

#include "compiler/emit/Identifiers.h"
#include "dialects/nn/NNOps.h"

using namespace mlir;
using namespace loom;

/// The ports of a stream instance whose nets (`<instance>_<port>`, see
/// VerilogEmitter) live in the top module's scope: an instance name must
/// clash with no identifier there, nor may its nets.
static constexpr StringRef kInstPorts[] = {"in_ready",   "in0_ready", "in1_ready",  "out_data",
                                           "out_valid",  "out0_data", "out0_valid", "out1_data",
                                           "out1_valid", "out_last"};

NetlistBuilder::NetlistBuilder(rtl::ModuleOp module, Value clk, Value rst)
    : b(module.getContext()), module(module), clk(clk), rst(rst) {
  b.setInsertionPointToStart(module.getBodyBlock());
  for (Attribute port : module.getInputNames())
    used.insert(llvm::cast<StringAttr>(port).getValue());
  for (Attribute port : module.getOutputNames())
    used.insert(llvm::cast<StringAttr>(port).getValue());
}

void NetlistBuilder::setStreamNets(Value stream, Value data, Value valid) {
  dataValid[stream] = {data, valid};
}

bool NetlistBuilder::isFree(const std::string &name) {
  return !used.contains(name) && llvm::none_of(kInstPorts, [&](StringRef port) {
    return used.contains(name + "_" + port.str());
  });
}

void NetlistBuilder::reserve(const std::string &name) {
  used.insert(name);
  for (StringRef port : kInstPorts)
    used.insert(name + "_" + port.str());
}

std::string NetlistBuilder::instanceName(Operation *op, StringRef fallback, StringRef suffix) {
  auto node = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
  std::string base = legalName(
      (node && !node.getValue().empty() ? node.getValue() : fallback).str() + suffix.str());
  std::string name = base;
  for (int i = 1; !isFree(name); ++i)
    name = base + "_" + std::to_string(i);
  reserve(name);
  return name;
}

void NetlistBuilder::memfile(StringRef name, int64_t laneBits, int64_t lanes,
                             ArrayRef<int64_t> data) {
  // Images live at the top level, beside the module that loads them.
  OpBuilder top(b.getContext());
  top.setInsertionPoint(module);
  auto type = RankedTensorType::get({int64_t(data.size())}, top.getI64Type());
  top.create<rtl::MemFileOp>(module.getLoc(), top.getStringAttr(name),
                             top.getI64IntegerAttr(laneBits), top.getI64IntegerAttr(lanes),
                             DenseElementsAttr::get(type, data), IntegerAttr());
}

int64_t NetlistBuilder::loadableMemfile(StringRef name, int64_t laneBits, int64_t lanes,
                                        ArrayRef<int64_t> data) {
  OpBuilder top(b.getContext());
  top.setInsertionPoint(module);
  auto type = RankedTensorType::get({int64_t(data.size())}, top.getI64Type());
  int64_t offset = loadWords;
  top.create<rtl::MemFileOp>(module.getLoc(), top.getStringAttr(name),
                             top.getI64IntegerAttr(laneBits), top.getI64IntegerAttr(lanes),
                             DenseElementsAttr::get(type, data), top.getI64IntegerAttr(offset));
  int64_t lines = lanes > 0 ? int64_t(data.size()) / lanes : 0;
  loadWords += lines * ((laneBits * lanes + 31) / 32);
  return offset;
}

void NetlistBuilder::setWeightBus(Value data, Value addr, Value valid, bool loadable) {
  wtData = data, wtAddr = addr, wtValid = valid, runtimeLoad = loadable;
}

void NetlistBuilder::connectWeightBus(rtl::InstanceOp inst) {
  if (!wtData) {
    // ROM weights: the bus ports are tied to 0, nets made on first use (at the
    // top of the body) so a design without such units has none.
    OpBuilder top(b.getContext());
    top.setInsertionPointToStart(module.getBodyBlock());
    Type i32 = top.getIntegerType(32), i1 = top.getI1Type();
    wtData = top.create<rtl::ConstantOp>(module.getLoc(), i32, top.getI64IntegerAttr(0));
    wtAddr = top.create<rtl::ConstantOp>(module.getLoc(), i32, top.getI64IntegerAttr(0));
    wtValid = top.create<rtl::ConstantOp>(module.getLoc(), i1, top.getI64IntegerAttr(0));
  }
  SmallVector<Attribute> names(inst.getInputNames().begin(), inst.getInputNames().end());
  for (const char *port : {"wt_data", "wt_addr", "wt_valid"})
    names.push_back(b.getStringAttr(port));
  inst->insertOperands(inst->getNumOperands(), {wtData, wtAddr, wtValid});
  inst.setInputNamesAttr(b.getArrayAttr(names));
}

rtl::InstanceOp NetlistBuilder::instantiate(StringRef moduleName, StringRef name,
                                            NamedAttrList params, ArrayRef<Value> ins,
                                            ArrayRef<Value> outs, ArrayRef<StringRef> inPorts,
                                            ArrayRef<StringRef> outPorts,
                                            ArrayRef<StringRef> extraOuts) {
  Type i1 = b.getI1Type();
  SmallVector<Value> operands = {clk, rst};
  SmallVector<StringRef> inNames = {"clk", "rst"};
  for (auto [v, port] : llvm::zip(ins, inPorts)) {
    operands.push_back(dataValid[v].first);
    operands.push_back(dataValid[v].second);
    inNames.push_back(b.getStringAttr(port + "_data").getValue());
    inNames.push_back(b.getStringAttr(port + "_valid").getValue());
  }
  unsigned firstReady = operands.size();
  for (StringRef port : outPorts) {
    operands.push_back(clk); // placeholder for the consumer's ready (finish())
    inNames.push_back(b.getStringAttr(port + "_ready").getValue());
  }
  SmallVector<Type> types;
  SmallVector<StringRef> outNames;
  for (StringRef port : inPorts)
    types.push_back(i1), outNames.push_back(b.getStringAttr(port + "_ready").getValue());
  for (auto [v, port] : llvm::zip(outs, outPorts)) {
    auto t = llvm::cast<df::StreamType>(v.getType());
    types.push_back(b.getIntegerType(t.getLanes() * t.getElementWidth()));
    types.push_back(i1);
    outNames.push_back(b.getStringAttr(port + "_data").getValue());
    outNames.push_back(b.getStringAttr(port + "_valid").getValue());
  }
  for (StringRef extra : extraOuts)
    types.push_back(i1), outNames.push_back(extra);
  auto inst = b.create<rtl::InstanceOp>(
      module.getLoc(), types, b.getStringAttr(name),
      FlatSymbolRefAttr::get(b.getStringAttr(moduleName)), params.getDictionary(getContext()),
      b.getStrArrayAttr(inNames), b.getStrArrayAttr(outNames), operands);
  for (auto [i, v] : llvm::enumerate(ins))
    readyNet[v] = inst.getResult(i);
  for (auto [i, v] : llvm::enumerate(outs)) {
    dataValid[v] = {inst.getResult(ins.size() + 2 * i), inst.getResult(ins.size() + 2 * i + 1)};
    readySlot[v] = {inst, unsigned(firstReady + i)};
  }
  return inst;
}

rtl::InstanceOp NetlistBuilder::instantiateStream(Operation *op, StringRef moduleName,
                                                  StringRef name, NamedAttrList params) {
  return instantiate(moduleName, name, params, {op->getOperand(0)}, {op->getResult(0)}, {"in"},
                     {"out"});
}

void NetlistBuilder::setParams(NamedAttrList &params,
                               std::initializer_list<std::pair<const char *, int64_t>> values) {
  for (auto [key, v] : values)
    params.set(key, b.getI64IntegerAttr(v));
}

void NetlistBuilder::finish() {
  for (auto &[v, slot] : readySlot)
    slot.first->setOperand(slot.second, readyNet[v]);
}
