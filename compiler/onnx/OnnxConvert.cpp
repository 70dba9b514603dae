//===- OnnxConvert.cpp - protobuf messages -> plain structs ---------------===//
//
// Tensors (raw_data or typed fields, float16/bfloat16 widened), value infos,
// attributes and Constant nodes, as the plain structs of OnnxModel.h.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxProto.h"

#include <cstring>
#include <limits>

using namespace loom::onnx;

namespace {

// --- element types ---------------------------------------------------------

float halfToFloat(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else { // subnormal
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ff;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16ToFloat(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

size_t elemByteSize(int t) {
  switch (t) {
  case kFloat:
  case kInt32:
  case kUInt32:
    return 4;
  case kDouble:
  case kInt64:
  case kUInt64:
    return 8;
  case kInt16:
  case kUInt16:
  case kFloat16:
  case kBFloat16:
    return 2;
  case kInt8:
  case kUInt8:
  case kBool:
    return 1;
  default:
    return 0;
  }
}

template <typename T> T readLE(const char *p) {
  T v;
  std::memcpy(&v, p, sizeof(T)); // x86/ARM hosts are little-endian like ONNX
  return v;
}

} // namespace

namespace loom {
namespace onnx {
namespace detail {

// --- tensors -----------------------------------------------------------------

OnnxTensor convertTensor(const ::onnx::TensorProto &tp, const std::string &what) {
  OnnxTensor t;
  t.name = tp.name();
  t.elemType = tp.data_type();
  std::string label = what.empty() ? ("tensor '" + tp.name() + "'") : what;
  if (tp.data_location() == ::onnx::TensorProto::EXTERNAL || tp.external_data_size() > 0)
    fail(label + " keeps its data in an external file; external data is not "
                 "supported: re-save the model with all tensors inside it "
                 "(onnx.save_model(m, path, save_as_external_data=False))");
  if (tp.has_segment())
    fail(label + " is a segmented tensor; segments are not supported");
  int64_t n = 1;
  for (int64_t d : tp.dims()) {
    if (d < 0)
      fail(label + " has a negative dimension " + std::to_string(d));
    t.dims.push_back(d);
    n *= d;
  }
  const int et = t.elemType;
  if (et == kString)
    fail(label + " is a string tensor; only numeric tensors are supported");
  if (et == kComplex64 || et == kComplex128)
    fail(label + " has complex element type; not supported");
  if (et == kUndefined)
    fail(label + " has no element type (data_type is UNDEFINED)");
  if (elemByteSize(et) == 0)
    fail(label + " has element type " + elemTypeName(et) +
         ", which is not supported (float8/int4 types need a newer ONNX)");

  const bool isInt = isIntegerElemType(et);
  t.values.reserve(n);
  if (isInt)
    t.intValues.reserve(n);
  auto pushInt = [&](int64_t v) {
    t.values.push_back((double)v);
    t.intValues.push_back(v);
  };
  auto pushU64 = [&](uint64_t v) {
    t.values.push_back((double)v);
    t.intValues.push_back(v > (uint64_t)std::numeric_limits<int64_t>::max()
                              ? std::numeric_limits<int64_t>::max()
                              : (int64_t)v);
  };

  if (tp.has_raw_data()) {
    const std::string &raw = tp.raw_data();
    size_t es = elemByteSize(et);
    if (raw.size() != (size_t)n * es)
      fail(label + " has " + std::to_string(raw.size()) +
           " bytes of raw_data but its shape and type need " + std::to_string((size_t)n * es));
    const char *p = raw.data();
    for (int64_t k = 0; k < n; ++k, p += es) {
      switch (et) {
      case kFloat:
        t.values.push_back(readLE<float>(p));
        break;
      case kDouble:
        t.values.push_back(readLE<double>(p));
        break;
      case kFloat16:
        t.values.push_back(halfToFloat(readLE<uint16_t>(p)));
        break;
      case kBFloat16:
        t.values.push_back(bf16ToFloat(readLE<uint16_t>(p)));
        break;
      case kInt8:
        pushInt(readLE<int8_t>(p));
        break;
      case kUInt8:
        pushInt(readLE<uint8_t>(p));
        break;
      case kBool:
        pushInt(readLE<uint8_t>(p) ? 1 : 0);
        break;
      case kInt16:
        pushInt(readLE<int16_t>(p));
        break;
      case kUInt16:
        pushInt(readLE<uint16_t>(p));
        break;
      case kInt32:
        pushInt(readLE<int32_t>(p));
        break;
      case kUInt32:
        pushInt(readLE<uint32_t>(p));
        break;
      case kInt64:
        pushInt(readLE<int64_t>(p));
        break;
      case kUInt64:
        pushU64(readLE<uint64_t>(p));
        break;
      }
    }
    return t;
  }

  int64_t have = 0;
  switch (et) {
  case kFloat:
    have = tp.float_data_size();
    for (float v : tp.float_data())
      t.values.push_back(v);
    break;
  case kDouble:
    have = tp.double_data_size();
    for (double v : tp.double_data())
      t.values.push_back(v);
    break;
  case kFloat16:
    have = tp.int32_data_size();
    for (int32_t v : tp.int32_data())
      t.values.push_back(halfToFloat((uint16_t)v));
    break;
  case kBFloat16:
    have = tp.int32_data_size();
    for (int32_t v : tp.int32_data())
      t.values.push_back(bf16ToFloat((uint16_t)v));
    break;
  case kInt8:
  case kUInt8:
  case kInt16:
  case kUInt16:
  case kInt32:
    have = tp.int32_data_size();
    for (int32_t v : tp.int32_data())
      pushInt(v);
    break;
  case kBool:
    have = tp.int32_data_size();
    for (int32_t v : tp.int32_data())
      pushInt(v ? 1 : 0);
    break;
  case kInt64:
    have = tp.int64_data_size();
    for (int64_t v : tp.int64_data())
      pushInt(v);
    break;
  case kUInt32:
    have = tp.uint64_data_size();
    for (uint64_t v : tp.uint64_data())
      pushInt((int64_t)v);
    break;
  case kUInt64:
    have = tp.uint64_data_size();
    for (uint64_t v : tp.uint64_data())
      pushU64(v);
    break;
  }
  if (have != n)
    fail(label + " has " + std::to_string(have) + " values but its shape " + t.describe() +
         " needs " + std::to_string(n));
  return t;
}

OnnxValueInfo convertValueInfo(const ::onnx::ValueInfoProto &vi) {
  OnnxValueInfo out;
  out.name = vi.name();
  if (!vi.has_type() || !vi.type().has_tensor_type())
    return out;
  const auto &tt = vi.type().tensor_type();
  out.elemType = tt.elem_type();
  if (!tt.has_shape())
    return out;
  out.hasShape = true;
  for (const auto &d : tt.shape().dim()) {
    if (d.has_dim_value() && d.dim_value() >= 0) {
      out.dims.push_back(d.dim_value());
      out.dimParams.push_back("");
    } else {
      out.dims.push_back(-1);
      out.dimParams.push_back(d.has_dim_param() ? d.dim_param() : "");
    }
  }
  return out;
}

OnnxAttr convertAttr(const ::onnx::AttributeProto &a, const OnnxNode &node) {
  using AP = ::onnx::AttributeProto;
  OnnxAttr out;
  out.name = a.name();
  std::string label = "attribute '" + a.name() + "' of " + node.describe();
  AP::AttributeType type = a.type();
  if (type == AP::UNDEFINED) {
    // Very old exporters omit `type`; infer it from the filled field.
    if (a.has_f())
      type = AP::FLOAT;
    else if (a.has_i())
      type = AP::INT;
    else if (a.has_s())
      type = AP::STRING;
    else if (a.has_t())
      type = AP::TENSOR;
    else if (a.has_g())
      type = AP::GRAPH;
    else if (a.floats_size())
      type = AP::FLOATS;
    else if (a.ints_size())
      type = AP::INTS;
    else if (a.strings_size())
      type = AP::STRINGS;
  }
  switch (type) {
  case AP::INT:
    out.kind = OnnxAttr::Kind::Int;
    out.i = a.i();
    break;
  case AP::FLOAT:
    out.kind = OnnxAttr::Kind::Float;
    out.f = a.f();
    break;
  case AP::STRING:
    out.kind = OnnxAttr::Kind::String;
    out.s = a.s();
    break;
  case AP::TENSOR:
    out.kind = OnnxAttr::Kind::Tensor;
    out.t = convertTensor(a.t(), label);
    break;
  case AP::GRAPH:
    out.kind = OnnxAttr::Kind::Graph;
    break;
  case AP::INTS:
    out.kind = OnnxAttr::Kind::Ints;
    out.ints.assign(a.ints().begin(), a.ints().end());
    break;
  case AP::FLOATS:
    out.kind = OnnxAttr::Kind::Floats;
    for (float f : a.floats())
      out.floats.push_back(f);
    break;
  case AP::STRINGS:
    out.kind = OnnxAttr::Kind::Strings;
    out.strings.assign(a.strings().begin(), a.strings().end());
    break;
  case AP::TENSORS:
    out.kind = OnnxAttr::Kind::Tensors;
    for (const auto &t : a.tensors())
      out.tensors.push_back(convertTensor(t, label));
    break;
  case AP::GRAPHS:
    out.kind = OnnxAttr::Kind::Graphs;
    break;
  case AP::SPARSE_TENSOR:
    out.kind = OnnxAttr::Kind::SparseTensor;
    break;
  case AP::SPARSE_TENSORS:
    out.kind = OnnxAttr::Kind::SparseTensors;
    break;
  case AP::TYPE_PROTO:
    out.kind = OnnxAttr::Kind::TypeProto;
    break;
  case AP::TYPE_PROTOS:
    out.kind = OnnxAttr::Kind::TypeProtos;
    break;
  default:
    out.kind = OnnxAttr::Kind::Undefined;
    break;
  }
  return out;
}

OnnxTensor constantToTensor(const OnnxNode &n) {
  if (n.outputs.size() != 1)
    fail(n.describe() + " must have exactly one output");
  OnnxTensor t;
  if (const OnnxAttr *a = n.getAttr("value")) {
    if (a->kind != OnnxAttr::Kind::Tensor)
      fail(n.describe() + ": attribute 'value' is not a tensor");
    t = a->t;
  } else if (const OnnxAttr *a = n.getAttr("value_float")) {
    t.elemType = kFloat;
    t.values = {a->f};
  } else if (const OnnxAttr *a = n.getAttr("value_floats")) {
    t.elemType = kFloat;
    t.dims = {(int64_t)a->floats.size()};
    t.values = a->floats;
  } else if (const OnnxAttr *a = n.getAttr("value_int")) {
    t.elemType = kInt64;
    t.values = {(double)a->i};
    t.intValues = {a->i};
  } else if (const OnnxAttr *a = n.getAttr("value_ints")) {
    t.elemType = kInt64;
    t.dims = {(int64_t)a->ints.size()};
    t.intValues = a->ints;
    for (int64_t v : a->ints)
      t.values.push_back((double)v);
  } else if (n.hasAttr("value_string") || n.hasAttr("value_strings")) {
    fail(n.describe() + " holds strings; only numeric constants are supported");
  } else if (n.hasAttr("sparse_value")) {
    fail(n.describe() + " holds a sparse tensor; sparse constants are not "
                        "supported");
  } else {
    fail(n.describe() + " has no value attribute");
  }
  t.name = n.outputs[0];
  return t;
}

} // namespace detail
} // namespace onnx
} // namespace loom

namespace loom {
namespace onnx {
namespace detail {

::onnx::TensorProto tensorToProto(const OnnxTensor &t) {
  ::onnx::TensorProto p;
  p.set_name(t.name);
  p.set_data_type(t.elemType);
  for (int64_t d : t.dims)
    p.add_dims(d);
  switch (t.elemType) {
  case kFloat:
    for (double v : t.values)
      p.add_float_data(float(v));
    break;
  case kDouble:
    for (double v : t.values)
      p.add_double_data(v);
    break;
  case kInt64:
    for (int64_t v : t.asInt64())
      p.add_int64_data(v);
    break;
  case kUInt32:
  case kUInt64:
    for (int64_t v : t.asInt64())
      p.add_uint64_data(uint64_t(v));
    break;
  default: // int32, int16, int8, uint16, uint8, bool: int32_data
    for (int64_t v : t.asInt64())
      p.add_int32_data(int32_t(v));
    break;
  }
  return p;
}

} // namespace detail
} // namespace onnx
} // namespace loom
