//===- OnnxModel.cpp - The plain structs of an ONNX model -----------------===//
//
// Element type names and the accessors of OnnxTensor, OnnxNode,
// OnnxValueInfo and OnnxModel. Loading is OnnxLoader.cpp's.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxModel.h"

#include <algorithm>
#include <cmath>

namespace loom {
namespace onnx {

std::string elemTypeName(int t) {
  switch (t) {
  case kUndefined:
    return "undefined";
  case kFloat:
    return "float";
  case kUInt8:
    return "uint8";
  case kInt8:
    return "int8";
  case kUInt16:
    return "uint16";
  case kInt16:
    return "int16";
  case kInt32:
    return "int32";
  case kInt64:
    return "int64";
  case kString:
    return "string";
  case kBool:
    return "bool";
  case kFloat16:
    return "float16";
  case kDouble:
    return "double";
  case kUInt32:
    return "uint32";
  case kUInt64:
    return "uint64";
  case kComplex64:
    return "complex64";
  case kComplex128:
    return "complex128";
  case kBFloat16:
    return "bfloat16";
  case 17:
    return "float8e4m3fn";
  case 18:
    return "float8e4m3fnuz";
  case 19:
    return "float8e5m2";
  case 20:
    return "float8e5m2fnuz";
  case 21:
    return "uint4";
  case 22:
    return "int4";
  default:
    return "type" + std::to_string(t);
  }
}

bool isIntegerElemType(int t) {
  switch (t) {
  case kUInt8:
  case kInt8:
  case kUInt16:
  case kInt16:
  case kInt32:
  case kInt64:
  case kBool:
  case kUInt32:
  case kUInt64:
    return true;
  default:
    return false;
  }
}

bool isFloatElemType(int t) {
  return t == kFloat || t == kDouble || t == kFloat16 || t == kBFloat16;
}

int64_t OnnxTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

std::vector<int64_t> OnnxTensor::asInt64() const {
  if (!intValues.empty() || values.empty())
    return intValues;
  std::vector<int64_t> out;
  out.reserve(values.size());
  for (double v : values)
    out.push_back((int64_t)std::trunc(v));
  return out;
}

std::string OnnxTensor::describe() const {
  std::string s = name + ": " + elemTypeName(elemType) + "[";
  for (size_t k = 0; k < dims.size(); ++k)
    s += (k ? "x" : "") + std::to_string(dims[k]);
  return s + "]";
}

const char *attrKindName(OnnxAttr::Kind kind) {
  switch (kind) {
  case OnnxAttr::Kind::Undefined:
    return "undefined";
  case OnnxAttr::Kind::Int:
    return "int";
  case OnnxAttr::Kind::Float:
    return "float";
  case OnnxAttr::Kind::String:
    return "string";
  case OnnxAttr::Kind::Tensor:
    return "tensor";
  case OnnxAttr::Kind::Graph:
    return "graph";
  case OnnxAttr::Kind::Ints:
    return "ints";
  case OnnxAttr::Kind::Floats:
    return "floats";
  case OnnxAttr::Kind::Strings:
    return "strings";
  case OnnxAttr::Kind::Tensors:
    return "tensors";
  case OnnxAttr::Kind::Graphs:
    return "graphs";
  case OnnxAttr::Kind::SparseTensor:
    return "sparse_tensor";
  case OnnxAttr::Kind::SparseTensors:
    return "sparse_tensors";
  case OnnxAttr::Kind::TypeProto:
    return "type_proto";
  case OnnxAttr::Kind::TypeProtos:
    return "type_protos";
  }
  return "?";
}

bool OnnxNode::hasAttr(llvm::StringRef a) const { return attrs.count(a.str()) != 0; }

const OnnxAttr *OnnxNode::getAttr(llvm::StringRef a) const {
  auto it = attrs.find(a.str());
  return it == attrs.end() ? nullptr : &it->second;
}

int64_t OnnxNode::getInt(llvm::StringRef a, int64_t dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at)
    return dflt;
  if (at->kind == OnnxAttr::Kind::Int)
    return at->i;
  if (at->kind == OnnxAttr::Kind::Float)
    return (int64_t)at->f;
  return dflt;
}

double OnnxNode::getFloat(llvm::StringRef a, double dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at)
    return dflt;
  if (at->kind == OnnxAttr::Kind::Float)
    return at->f;
  if (at->kind == OnnxAttr::Kind::Int)
    return (double)at->i;
  return dflt;
}

std::string OnnxNode::getString(llvm::StringRef a, llvm::StringRef dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at || at->kind != OnnxAttr::Kind::String)
    return dflt.str();
  return at->s;
}

std::vector<int64_t> OnnxNode::getInts(llvm::StringRef a, std::vector<int64_t> dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at || at->kind != OnnxAttr::Kind::Ints)
    return dflt;
  return at->ints;
}

std::vector<double> OnnxNode::getFloats(llvm::StringRef a, std::vector<double> dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at || at->kind != OnnxAttr::Kind::Floats)
    return dflt;
  return at->floats;
}

size_t OnnxNode::numPresentInputs() const {
  return std::count_if(inputs.begin(), inputs.end(),
                       [](const std::string &s) { return !s.empty(); });
}

std::string OnnxNode::describe() const {
  std::string op = domain.empty() ? opType : domain + "." + opType;
  return "node '" + name + "' (" + op + ")";
}

bool OnnxValueInfo::isFullyStatic() const {
  if (!hasShape)
    return false;
  for (int64_t d : dims)
    if (d < 0)
      return false;
  return true;
}

std::string OnnxValueInfo::describe() const {
  std::string s = name + ": " + elemTypeName(elemType);
  if (!hasShape)
    return s + "[?]";
  s += "[";
  for (size_t k = 0; k < dims.size(); ++k) {
    if (k)
      s += " x ";
    if (dims[k] >= 0)
      s += std::to_string(dims[k]);
    else
      s += dimParams[k].empty() ? "?" : dimParams[k];
  }
  return s + "]";
}

const OnnxValueInfo *OnnxModel::findValueInfo(llvm::StringRef name) const {
  for (const auto *list : {&inputs, &outputs, &valueInfos})
    for (const auto &vi : *list)
      if (vi.name == name)
        return &vi;
  return nullptr;
}

const OnnxTensor *OnnxModel::findInitializer(llvm::StringRef name) const {
  auto it = initializers.find(name.str());
  return it == initializers.end() ? nullptr : &it->second;
}

std::optional<OnnxValueInfo> OnnxModel::typeOf(llvm::StringRef name) const {
  if (const OnnxTensor *t = findInitializer(name)) {
    OnnxValueInfo vi;
    vi.name = t->name;
    vi.elemType = t->elemType;
    vi.hasShape = true;
    vi.dims = t->dims;
    vi.dimParams.assign(t->dims.size(), "");
    return vi;
  }
  if (const OnnxValueInfo *vi = findValueInfo(name))
    return *vi;
  return std::nullopt;
}

const OnnxNode *OnnxModel::findProducer(llvm::StringRef name) const {
  for (const auto &n : nodes)
    for (const auto &o : n.outputs)
      if (o == name)
        return &n;
  return nullptr;
}

std::vector<const OnnxNode *> OnnxModel::findConsumers(llvm::StringRef name) const {
  std::vector<const OnnxNode *> out;
  for (const auto &n : nodes)
    for (const auto &i : n.inputs)
      if (i == name) {
        out.push_back(&n);
        break;
      }
  return out;
}

} // namespace onnx
} // namespace loom
