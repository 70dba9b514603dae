//===- OnnxModel.cpp - Plain C++ view of an ONNX model --------------------===//
//
// Compiled with -fexceptions: libonnx reports every problem by throwing.
// Every public entry point catches everything; no exception leaves this file.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxModel.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include "llvm/Support/FileSystem.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

using namespace loom::onnx;

namespace {

/// Internal failure carrying a one-line message (without the file name).
struct LoadFailure {
  std::string msg;
};

[[noreturn]] void fail(std::string msg) { throw LoadFailure{std::move(msg)}; }

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// Collapses whitespace runs (incl. newlines) to one space.
std::string collapse(const std::string &s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty())
      out += ' ';
    space = false;
    out += c;
  }
  return out;
}

/// Turns a (multi-line) libonnx message into one readable line.
///   "X\n\n==> Context: Bad node spec for node. Name: n OpType: T"
///     -> "node 'n' (T): X"
///   "[ShapeInferenceError] (op_type:T, node name: n): [ShapeInferenceError] X"
///     -> "shape inference failed at node 'n' (T): X"
std::string tidyOnnxMessage(std::string msg) {
  std::string nodePrefix;
  const std::string ctxTag = "==> Context:";
  size_t ctx = msg.find(ctxTag);
  if (ctx != std::string::npos) {
    std::string context = trim(msg.substr(ctx + ctxTag.size()));
    msg = msg.substr(0, ctx);
    const std::string nameTag = "Name:", opTag = "OpType:";
    size_t n = context.find(nameTag), o = context.find(opTag);
    if (n != std::string::npos && o != std::string::npos && o > n) {
      std::string name = trim(context.substr(n + nameTag.size(),
                                             o - n - nameTag.size()));
      std::string op = trim(context.substr(o + opTag.size()));
      op = op.substr(0, op.find_first_of(" \n"));
      nodePrefix = "node '" + name + "' (" + op + "): ";
    } else {
      msg += " [" + collapse(context) + "]";
    }
  }
  // Shape inference: "(op_type:T, node name: n): "
  const std::string opTypeTag = "(op_type:", nodeNameTag = "node name:";
  size_t p = msg.find(opTypeTag);
  if (p != std::string::npos && nodePrefix.empty()) {
    size_t comma = msg.find(',', p);
    size_t nn = msg.find(nodeNameTag, p);
    size_t close = msg.find("):", p);
    if (comma != std::string::npos && nn != std::string::npos &&
        close != std::string::npos && comma < nn && nn < close) {
      std::string op = trim(msg.substr(p + opTypeTag.size(),
                                       comma - p - opTypeTag.size()));
      std::string name = trim(msg.substr(nn + nodeNameTag.size(),
                                         close - nn - nodeNameTag.size()));
      std::string rest = msg.substr(close + 2);
      // Drop the repeated "[ShapeInferenceError]" / "[TypeInferenceError]" tags.
      for (const char *tag :
           {"[ShapeInferenceError]", "[TypeInferenceError]"}) {
        size_t t;
        while ((t = rest.find(tag)) != std::string::npos)
          rest.erase(t, std::strlen(tag));
      }
      msg = "shape inference failed at node '" + name + "' (" + op +
            "): " + trim(rest);
    }
  }
  return collapse(nodePrefix + msg);
}

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
  case kFloat: case kInt32: case kUInt32: return 4;
  case kDouble: case kInt64: case kUInt64: return 8;
  case kInt16: case kUInt16: case kFloat16: case kBFloat16: return 2;
  case kInt8: case kUInt8: case kBool: return 1;
  default: return 0;
  }
}

template <typename T> T readLE(const char *p) {
  T v;
  std::memcpy(&v, p, sizeof(T)); // x86/ARM hosts are little-endian like ONNX
  return v;
}

// --- tensors -----------------------------------------------------------------

OnnxTensor convertTensor(const ::onnx::TensorProto &tp,
                         const std::string &what) {
  OnnxTensor t;
  t.name = tp.name();
  t.elemType = tp.data_type();
  std::string label = what.empty() ? ("tensor '" + tp.name() + "'") : what;
  if (tp.data_location() == ::onnx::TensorProto::EXTERNAL ||
      tp.external_data_size() > 0)
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
    t.intValues.push_back(
        v > (uint64_t)std::numeric_limits<int64_t>::max()
            ? std::numeric_limits<int64_t>::max()
            : (int64_t)v);
  };

  if (tp.has_raw_data()) {
    const std::string &raw = tp.raw_data();
    size_t es = elemByteSize(et);
    if (raw.size() != (size_t)n * es)
      fail(label + " has " + std::to_string(raw.size()) +
           " bytes of raw_data but its shape and type need " +
           std::to_string((size_t)n * es));
    const char *p = raw.data();
    for (int64_t k = 0; k < n; ++k, p += es) {
      switch (et) {
      case kFloat: t.values.push_back(readLE<float>(p)); break;
      case kDouble: t.values.push_back(readLE<double>(p)); break;
      case kFloat16: t.values.push_back(halfToFloat(readLE<uint16_t>(p))); break;
      case kBFloat16: t.values.push_back(bf16ToFloat(readLE<uint16_t>(p))); break;
      case kInt8: pushInt(readLE<int8_t>(p)); break;
      case kUInt8: pushInt(readLE<uint8_t>(p)); break;
      case kBool: pushInt(readLE<uint8_t>(p) ? 1 : 0); break;
      case kInt16: pushInt(readLE<int16_t>(p)); break;
      case kUInt16: pushInt(readLE<uint16_t>(p)); break;
      case kInt32: pushInt(readLE<int32_t>(p)); break;
      case kUInt32: pushInt(readLE<uint32_t>(p)); break;
      case kInt64: pushInt(readLE<int64_t>(p)); break;
      case kUInt64: pushU64(readLE<uint64_t>(p)); break;
      }
    }
    return t;
  }

  int64_t have = 0;
  switch (et) {
  case kFloat:
    have = tp.float_data_size();
    for (float v : tp.float_data()) t.values.push_back(v);
    break;
  case kDouble:
    have = tp.double_data_size();
    for (double v : tp.double_data()) t.values.push_back(v);
    break;
  case kFloat16:
    have = tp.int32_data_size();
    for (int32_t v : tp.int32_data()) t.values.push_back(halfToFloat((uint16_t)v));
    break;
  case kBFloat16:
    have = tp.int32_data_size();
    for (int32_t v : tp.int32_data()) t.values.push_back(bf16ToFloat((uint16_t)v));
    break;
  case kInt8: case kUInt8: case kInt16: case kUInt16: case kInt32:
    have = tp.int32_data_size();
    for (int32_t v : tp.int32_data()) pushInt(v);
    break;
  case kBool:
    have = tp.int32_data_size();
    for (int32_t v : tp.int32_data()) pushInt(v ? 1 : 0);
    break;
  case kInt64:
    have = tp.int64_data_size();
    for (int64_t v : tp.int64_data()) pushInt(v);
    break;
  case kUInt32:
    have = tp.uint64_data_size();
    for (uint64_t v : tp.uint64_data()) pushInt((int64_t)v);
    break;
  case kUInt64:
    have = tp.uint64_data_size();
    for (uint64_t v : tp.uint64_data()) pushU64(v);
    break;
  }
  if (have != n)
    fail(label + " has " + std::to_string(have) +
         " values but its shape " + t.describe() + " needs " +
         std::to_string(n));
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
    if (a.has_f()) type = AP::FLOAT;
    else if (a.has_i()) type = AP::INT;
    else if (a.has_s()) type = AP::STRING;
    else if (a.has_t()) type = AP::TENSOR;
    else if (a.has_g()) type = AP::GRAPH;
    else if (a.floats_size()) type = AP::FLOATS;
    else if (a.ints_size()) type = AP::INTS;
    else if (a.strings_size()) type = AP::STRINGS;
  }
  switch (type) {
  case AP::INT: out.kind = OnnxAttr::Kind::Int; out.i = a.i(); break;
  case AP::FLOAT: out.kind = OnnxAttr::Kind::Float; out.f = a.f(); break;
  case AP::STRING: out.kind = OnnxAttr::Kind::String; out.s = a.s(); break;
  case AP::TENSOR:
    out.kind = OnnxAttr::Kind::Tensor;
    out.t = convertTensor(a.t(), label);
    break;
  case AP::GRAPH: out.kind = OnnxAttr::Kind::Graph; break;
  case AP::INTS:
    out.kind = OnnxAttr::Kind::Ints;
    out.ints.assign(a.ints().begin(), a.ints().end());
    break;
  case AP::FLOATS:
    out.kind = OnnxAttr::Kind::Floats;
    for (float f : a.floats()) out.floats.push_back(f);
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
  case AP::GRAPHS: out.kind = OnnxAttr::Kind::Graphs; break;
  case AP::SPARSE_TENSOR: out.kind = OnnxAttr::Kind::SparseTensor; break;
  case AP::SPARSE_TENSORS: out.kind = OnnxAttr::Kind::SparseTensors; break;
  case AP::TYPE_PROTO: out.kind = OnnxAttr::Kind::TypeProto; break;
  case AP::TYPE_PROTOS: out.kind = OnnxAttr::Kind::TypeProtos; break;
  default: out.kind = OnnxAttr::Kind::Undefined; break;
  }
  return out;
}

/// Constant node -> initializer tensor named like its output.
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
    for (int64_t v : a->ints) t.values.push_back((double)v);
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

// --- opset 18/19 handling ------------------------------------------------------

const ::onnx::AttributeProto *findAttr(const ::onnx::NodeProto &n,
                                       const std::string &name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

void removeAttr(::onnx::NodeProto &n, const std::string &name) {
  auto *attrs = n.mutable_attribute();
  for (int k = 0; k < attrs->size(); ++k)
    if (attrs->Get(k).name() == name) {
      attrs->DeleteSubrange(k, 1);
      return;
    }
}

std::string nodeLabel(const ::onnx::NodeProto &n) {
  return "node '" + n.name() + "' (" + n.op_type() + ")";
}

/// Values of a constant integer tensor (initializer or Constant node output).
std::optional<std::vector<int64_t>>
findConstInts(const ::onnx::GraphProto &g, const std::string &name,
              const std::string &label) {
  for (const auto &t : g.initializer())
    if (t.name() == name)
      return convertTensor(t, label).asInt64();
  for (const auto &n : g.node())
    if (n.op_type() == "Constant" && n.output_size() == 1 &&
        n.output(0) == name) {
      if (const auto *a = findAttr(n, "value"))
        return convertTensor(a->t(), label).asInt64();
      if (const auto *a = findAttr(n, "value_ints"))
        return std::vector<int64_t>(a->ints().begin(), a->ints().end());
      if (const auto *a = findAttr(n, "value_int"))
        return std::vector<int64_t>{a->i()};
    }
  return std::nullopt;
}

bool isUnusedElsewhere(const ::onnx::GraphProto &g, const std::string &name,
                       const ::onnx::NodeProto *except) {
  for (const auto &n : g.node()) {
    if (&n == except)
      continue;
    for (const auto &in : n.input())
      if (in == name)
        return false;
  }
  for (const auto &o : g.output())
    if (o.name() == name)
      return false;
  return true;
}

/// Opset 18/19 models are checked by libonnx 1.12 as opset 17. This function
/// (a) refuses nodes whose opset-18/19 meaning differs from opset 17 *as they
/// are used in this model*, and (b) rewrites new-but-equivalent spellings into
/// the opset-17 form. What is checked:
///  opset >= 18:
///   - ReduceL1/L2/LogSum/LogSumExp/Max/Mean/Min/Prod/SumSquare: `axes` moved
///     from attribute to input. A constant axes input is rewritten to the
///     attribute; a computed one, or noop_with_empty_axes=1, is refused.
///   - Split: `num_outputs` attribute -> refused.
///   - Pad: 4th input `axes` -> refused.
///   - Resize: antialias != 0, `axes`, keep_aspect_ratio_policy != stretch ->
///     refused (default-valued new attributes are dropped).
///   - ScatterElements/ScatterND: reduction max/min -> refused.
///   - LpPool: ceil_mode != 0 -> refused.
///   - ops added in 18/19 (Col2Im, BitwiseAnd/Or/Xor/Not, CenterCropPad,
///     GroupNormalization, Mish, DeformConv, ...): refused by name.
///  opset >= 19:
///   - AveragePool: dilations != 1 -> refused.
///   - Pad mode=wrap, Resize coordinate_transformation_mode=
///     half_pixel_symmetric -> refused.
///   - Cast/CastLike/QuantizeLinear `saturate`: only meaningful for float8;
///     dropped (float8 tensors themselves are refused).
///  Type-only extensions (Identity, Reshape, Shape, Size, Equal, If, Loop,
///  Scan, Constant, DequantizeLinear with float8) need no handling.
void lowerNewOpsetTo17(::onnx::ModelProto &m, int64_t opset) {
  static const std::set<std::string> reduceOps = {
      "ReduceL1",  "ReduceL2",  "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
      "ReduceMean", "ReduceMin", "ReduceProd",  "ReduceSumSquare"};
  static const std::set<std::string> newOps = {
      "Col2Im",     "BitwiseAnd",         "BitwiseOr", "BitwiseXor",
      "BitwiseNot", "CenterCropPad",      "GroupNormalization",
      "Mish",       "DeformConv",         "StringConcat", "RegexFullMatch",
      "StringSplit", "AffineGrid",        "Gelu", "ImageDecoder"};
  auto refuse = [&](const ::onnx::NodeProto &n, const std::string &why) {
    fail(nodeLabel(n) + ": " + why + "; this libonnx (1.12) only knows opset " +
         std::to_string(kLibOnnxMaxOpset) + " and Loom cannot import the "
         "opset-" + std::to_string(opset) + " form: re-export the model with "
         "opset 17 or avoid this feature");
  };
  ::onnx::GraphProto &g = *m.mutable_graph();
  std::set<std::string> deadConsts;
  for (auto &n : *g.mutable_node()) {
    if (!(n.domain().empty() || n.domain() == "ai.onnx"))
      continue;
    const std::string &op = n.op_type();
    if (!::onnx::OpSchemaRegistry::Schema(op, (int)kLibOnnxMaxOpset, "")) {
      if (newOps.count(op))
        fail(nodeLabel(n) + ": op " + op + " was added after opset 17 and this "
             "libonnx (1.12) does not know it; Loom cannot import it");
      continue; // unknown op: the checker reports it
    }
    if (reduceOps.count(op)) {
      const auto *noop = findAttr(n, "noop_with_empty_axes");
      bool noopSet = noop && noop->i() != 0;
      if (n.input_size() >= 2 && !n.input(1).empty()) {
        auto axes = findConstInts(g, n.input(1), "axes of " + nodeLabel(n));
        if (!axes)
          refuse(n, "its 'axes' is a computed input (opset 18), not a "
                    "constant");
        if (axes->empty() && noopSet)
          refuse(n, "noop_with_empty_axes=1 with empty axes");
        std::string axName = n.input(1);
        removeAttr(n, "noop_with_empty_axes");
        n.mutable_input()->DeleteSubrange(1, n.input_size() - 1);
        if (!axes->empty()) {
          auto *a = n.add_attribute();
          a->set_name("axes");
          a->set_type(::onnx::AttributeProto::INTS);
          for (int64_t v : *axes) a->add_ints(v);
        }
        deadConsts.insert(axName);
      } else {
        if (noopSet)
          refuse(n, "noop_with_empty_axes=1 without axes");
        removeAttr(n, "noop_with_empty_axes");
      }
    } else if (op == "Split") {
      if (findAttr(n, "num_outputs"))
        refuse(n, "it uses the opset-18 attribute 'num_outputs'");
    } else if (op == "Pad") {
      if (n.input_size() >= 4 && !n.input(3).empty())
        refuse(n, "it uses the opset-18 input 'axes'");
      if (const auto *mode = findAttr(n, "mode"))
        if (mode->s() == "wrap")
          refuse(n, "it uses the opset-19 mode 'wrap'");
    } else if (op == "Resize") {
      if (const auto *a = findAttr(n, "antialias")) {
        if (a->i() != 0)
          refuse(n, "it uses the opset-18 attribute 'antialias'");
        removeAttr(n, "antialias");
      }
      if (findAttr(n, "axes"))
        refuse(n, "it uses the opset-18 attribute 'axes'");
      if (const auto *a = findAttr(n, "keep_aspect_ratio_policy")) {
        if (a->s() != "stretch")
          refuse(n, "it uses keep_aspect_ratio_policy=" + a->s());
        removeAttr(n, "keep_aspect_ratio_policy");
      }
      if (const auto *a = findAttr(n, "coordinate_transformation_mode"))
        if (a->s() == "half_pixel_symmetric")
          refuse(n, "it uses the opset-19 coordinate_transformation_mode "
                    "'half_pixel_symmetric'");
    } else if (op == "ScatterElements" || op == "ScatterND") {
      if (const auto *a = findAttr(n, "reduction"))
        if (a->s() == "max" || a->s() == "min")
          refuse(n, "it uses the opset-18 reduction '" + a->s() + "'");
    } else if (op == "LpPool") {
      if (const auto *a = findAttr(n, "ceil_mode")) {
        if (a->i() != 0)
          refuse(n, "it uses the opset-18 attribute 'ceil_mode'");
        removeAttr(n, "ceil_mode");
      }
    } else if (op == "AveragePool" && opset >= 19) {
      if (const auto *a = findAttr(n, "dilations")) {
        for (int64_t d : a->ints())
          if (d != 1)
            refuse(n, "it uses the opset-19 attribute 'dilations'");
        removeAttr(n, "dilations");
      }
    } else if ((op == "Cast" || op == "CastLike" || op == "QuantizeLinear") &&
               opset >= 19) {
      removeAttr(n, "saturate");
      if (const auto *to = findAttr(n, "to"))
        if (to->i() > kBFloat16)
          refuse(n, "it casts to a float8 type (opset 19)");
    }
  }
  // Drop axes constants that only fed rewritten Reduce nodes (the checker
  // does not mind unused initializers, but Constant nodes would stay alive).
  for (const std::string &name : deadConsts) {
    if (!isUnusedElsewhere(g, name, nullptr))
      continue;
    auto *nodes = g.mutable_node();
    for (int k = 0; k < nodes->size(); ++k)
      if (nodes->Get(k).op_type() == "Constant" &&
          nodes->Get(k).output_size() == 1 && nodes->Get(k).output(0) == name) {
        nodes->DeleteSubrange(k, 1);
        break;
      }
    auto *inits = g.mutable_initializer();
    for (int k = 0; k < inits->size(); ++k)
      if (inits->Get(k).name() == name) {
        inits->DeleteSubrange(k, 1);
        break;
      }
  }
  for (auto &imp : *m.mutable_opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      imp.set_version(kLibOnnxMaxOpset);
}

// --- the loader --------------------------------------------------------------

OnnxModel loadImpl(const std::string &bytes, const std::string &path) {
  ::onnx::ModelProto m;
  if (!m.ParseFromString(bytes))
    fail("not an ONNX model (the file is not a valid ONNX protobuf)");
  if (!m.has_graph() || (m.ir_version() <= 0 && m.opset_import_size() == 0))
    fail("not an ONNX model (no graph or no IR version / opset import "
         "found in the file)");

  OnnxModel out;
  out.path = path;
  out.graphName = m.graph().name();
  out.producer = m.producer_name();
  out.producerVersion = m.producer_version();
  out.irVersion = m.ir_version();

  // Opsets.
  int64_t opset = -1;
  for (const auto &imp : m.opset_import()) {
    std::string dom = imp.domain() == "ai.onnx" ? "" : imp.domain();
    out.opsetImports[dom] = imp.version();
    if (dom.empty())
      opset = imp.version();
  }
  if (opset < 0) {
    if (m.opset_import_size() == 0 && m.ir_version() > 0 &&
        m.ir_version() < 3) {
      opset = 1; // IR < 3 models have no opset import: opset 1
    } else {
      fail("the model has no opset import for the default ONNX domain");
    }
  }
  out.opset = opset;
  if (opset < kLoomMinOpset)
    fail("opset " + std::to_string(opset) + " is too old (Loom needs opset " +
         std::to_string(kLoomMinOpset) + ".." + std::to_string(kLoomMaxOpset) +
         "): convert the model with onnx.version_converter to opset 13 or 17");
  if (opset > kLoomMaxOpset)
    fail("opset " + std::to_string(opset) + " is newer than Loom supports (" +
         std::to_string(kLoomMinOpset) + ".." + std::to_string(kLoomMaxOpset) +
         "): re-export the model with opset 17");

  // Name anonymous nodes so every message can name the node.
  {
    std::set<std::string> used;
    for (const auto &n : m.graph().node())
      if (!n.name().empty())
        used.insert(n.name());
    int idx = 0;
    for (auto &n : *m.mutable_graph()->mutable_node()) {
      if (n.name().empty()) {
        std::string base = n.op_type() + "_" + std::to_string(idx);
        std::string name = base;
        for (int k = 1; used.count(name); ++k)
          name = base + "_" + std::to_string(k);
        n.set_name(name);
        used.insert(name);
      }
      ++idx;
    }
  }

  // Constant nodes given as value_float(s)/value_int(s): rewrite them to the
  // `value` tensor form, the only one libonnx 1.12's shape inference reads as
  // data (so e.g. a Reshape fed by Constant(value_ints) gets its shape).
  for (auto &n : *m.mutable_graph()->mutable_node()) {
    if (n.op_type() != "Constant" || !(n.domain().empty() || n.domain() == "ai.onnx") ||
        n.attribute_size() != 1 || n.output_size() != 1)
      continue;
    ::onnx::AttributeProto a = n.attribute(0);
    ::onnx::TensorProto t;
    t.set_name(n.output(0));
    if (a.name() == "value_float") {
      t.set_data_type(kFloat);
      t.add_float_data(a.f());
    } else if (a.name() == "value_floats") {
      t.set_data_type(kFloat);
      t.add_dims(a.floats_size());
      for (float f : a.floats()) t.add_float_data(f);
    } else if (a.name() == "value_int") {
      t.set_data_type(kInt64);
      t.add_int64_data(a.i());
    } else if (a.name() == "value_ints") {
      t.set_data_type(kInt64);
      t.add_dims(a.ints_size());
      for (int64_t v : a.ints()) t.add_int64_data(v);
    } else {
      continue;
    }
    n.clear_attribute();
    auto *va = n.add_attribute();
    va->set_name("value");
    va->set_type(::onnx::AttributeProto::TENSOR);
    *va->mutable_t() = std::move(t);
  }

  // External data: fail before the checker looks for files.
  for (const auto &t : m.graph().initializer())
    if (t.data_location() == ::onnx::TensorProto::EXTERNAL ||
        t.external_data_size() > 0)
      fail("initializer '" + t.name() + "' keeps its data in an external "
           "file; external data is not supported: re-save the model with all "
           "tensors inside it (onnx.save_model(m, path, "
           "save_as_external_data=False))");

  // IR version newer than libonnx 1.12 (8).
  const int64_t libIr = ::onnx::Version::IR_VERSION;
  if (m.ir_version() > libIr) {
    out.warnings.push_back("IR version " + std::to_string(m.ir_version()) +
                           " is newer than this libonnx (" +
                           std::to_string(libIr) +
                           "); importing anyway as IR version " +
                           std::to_string(libIr));
    m.set_ir_version(libIr);
  }
  if (opset > kLibOnnxMaxOpset) {
    lowerNewOpsetTo17(m, opset);
    out.warnings.push_back(
        "opset " + std::to_string(opset) + " is newer than this libonnx (" +
        std::to_string(kLibOnnxMaxOpset) +
        "); importing anyway: ops used keep their opset-" +
        std::to_string(kLibOnnxMaxOpset) + " semantics");
  }
  const std::string opsetNote =
      opset > kLibOnnxMaxOpset
          ? " (opset " + std::to_string(opset) + " model checked as opset " +
                std::to_string(kLibOnnxMaxOpset) + ")"
          : "";

  // Check, then infer shapes. libonnx 1.12's checker insists that graph
  // inputs/outputs carry a shape; exporters often leave outputs shapeless, so
  // on that specific complaint we infer first and check again.
  // check_type is off: old PyTorch exports (e.g. int64 Constant at opset 6,
  // which Constant-1 does not allow) fail it although runtimes accept them;
  // element types are validated later by the importer anyway.
  auto runInference = [&]() {
    ::onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*error_mode=*/1,
                                       /*data_prop=*/true);
    try {
      ::onnx::shape_inference::InferShapes(
          m, ::onnx::OpSchemaRegistry::Instance(), opts);
    } catch (const std::exception &e) {
      fail(tidyOnnxMessage(e.what()) + opsetNote);
    }
  };
  bool inferred = false;
  try {
    ::onnx::checker::check_model(m);
  } catch (const std::exception &e) {
    std::string msg = e.what();
    if (msg.find("Field 'shape' of 'type' is required but missing") ==
        std::string::npos)
      fail("invalid model: " + tidyOnnxMessage(msg) + opsetNote);
    runInference();
    inferred = true;
    try {
      ::onnx::checker::check_model(m);
    } catch (const std::exception &e2) {
      fail("invalid model: " + tidyOnnxMessage(e2.what()) + opsetNote);
    }
  }
  if (!inferred)
    runInference();

  // Convert.
  const auto &g = m.graph();
  for (const auto &t : g.initializer()) {
    OnnxTensor ot = convertTensor(t, "initializer '" + t.name() + "'");
    out.initializers[ot.name] = std::move(ot);
  }
  for (const auto &vi : g.input())
    if (!out.initializers.count(vi.name()))
      out.inputs.push_back(convertValueInfo(vi));
  for (const auto &vi : g.output())
    out.outputs.push_back(convertValueInfo(vi));
  for (const auto &vi : g.value_info())
    out.valueInfos.push_back(convertValueInfo(vi));

  for (const auto &np : g.node()) {
    OnnxNode n;
    n.name = np.name();
    n.opType = np.op_type();
    n.domain = np.domain() == "ai.onnx" ? "" : np.domain();
    n.inputs.assign(np.input().begin(), np.input().end());
    n.outputs.assign(np.output().begin(), np.output().end());
    for (const auto &a : np.attribute()) {
      if (n.attrs.count(a.name()))
        fail(n.describe() + " has attribute '" + a.name() + "' twice");
      n.attrs[a.name()] = convertAttr(a, n);
    }
    if (n.opType == "Constant" && n.domain.empty()) {
      OnnxTensor t = constantToTensor(n);
      out.initializers[t.name] = std::move(t);
      continue;
    }
    out.nodes.push_back(std::move(n));
  }

  for (const auto &o : out.outputs)
    if (!o.hasShape)
      out.warnings.push_back("the shape of graph output '" + o.name +
                             "' is unknown after shape inference");
  for (const auto &[dom, ver] : out.opsetImports)
    if (!dom.empty() && dom != "ai.onnx.ml")
      out.warnings.push_back("custom domain '" + dom + "' (version " +
                             std::to_string(ver) +
                             ") is not checked by libonnx; its nodes have no "
                             "inferred shapes");
  return out;
}

llvm::Error makeError(const std::string &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s",
                                 msg.c_str());
}

/// Reads a whole file, or fails with a one-line reason.
bool readFile(const std::string &path, std::string &bytes, std::string &err) {
  if (path.empty()) {
    err = "<empty path>: no file name given";
    return false;
  }
  if (!llvm::sys::fs::exists(path)) {
    err = path + ": no such file";
    return false;
  }
  if (llvm::sys::fs::is_directory(path)) {
    err = path + ": is a directory, not an ONNX file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = path + ": cannot open file (" + std::strerror(errno) + ")";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    err = path + ": cannot read file";
    return false;
  }
  bytes = ss.str();
  if (bytes.empty()) {
    err = path + ": the file is empty";
    return false;
  }
  return true;
}

} // namespace

// --- public API ----------------------------------------------------------------

namespace loom {
namespace onnx {

std::string elemTypeName(int t) {
  switch (t) {
  case kUndefined: return "undefined";
  case kFloat: return "float";
  case kUInt8: return "uint8";
  case kInt8: return "int8";
  case kUInt16: return "uint16";
  case kInt16: return "int16";
  case kInt32: return "int32";
  case kInt64: return "int64";
  case kString: return "string";
  case kBool: return "bool";
  case kFloat16: return "float16";
  case kDouble: return "double";
  case kUInt32: return "uint32";
  case kUInt64: return "uint64";
  case kComplex64: return "complex64";
  case kComplex128: return "complex128";
  case kBFloat16: return "bfloat16";
  case 17: return "float8e4m3fn";
  case 18: return "float8e4m3fnuz";
  case 19: return "float8e5m2";
  case 20: return "float8e5m2fnuz";
  case 21: return "uint4";
  case 22: return "int4";
  default: return "type" + std::to_string(t);
  }
}

bool isIntegerElemType(int t) {
  switch (t) {
  case kUInt8: case kInt8: case kUInt16: case kInt16: case kInt32:
  case kInt64: case kBool: case kUInt32: case kUInt64:
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
  for (int64_t d : dims) n *= d;
  return n;
}

std::vector<int64_t> OnnxTensor::asInt64() const {
  if (!intValues.empty() || values.empty())
    return intValues;
  std::vector<int64_t> out;
  out.reserve(values.size());
  for (double v : values) out.push_back((int64_t)std::trunc(v));
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
  case OnnxAttr::Kind::Undefined: return "undefined";
  case OnnxAttr::Kind::Int: return "int";
  case OnnxAttr::Kind::Float: return "float";
  case OnnxAttr::Kind::String: return "string";
  case OnnxAttr::Kind::Tensor: return "tensor";
  case OnnxAttr::Kind::Graph: return "graph";
  case OnnxAttr::Kind::Ints: return "ints";
  case OnnxAttr::Kind::Floats: return "floats";
  case OnnxAttr::Kind::Strings: return "strings";
  case OnnxAttr::Kind::Tensors: return "tensors";
  case OnnxAttr::Kind::Graphs: return "graphs";
  case OnnxAttr::Kind::SparseTensor: return "sparse_tensor";
  case OnnxAttr::Kind::SparseTensors: return "sparse_tensors";
  case OnnxAttr::Kind::TypeProto: return "type_proto";
  case OnnxAttr::Kind::TypeProtos: return "type_protos";
  }
  return "?";
}

bool OnnxNode::hasAttr(llvm::StringRef a) const {
  return attrs.count(a.str()) != 0;
}

const OnnxAttr *OnnxNode::getAttr(llvm::StringRef a) const {
  auto it = attrs.find(a.str());
  return it == attrs.end() ? nullptr : &it->second;
}

int64_t OnnxNode::getInt(llvm::StringRef a, int64_t dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at) return dflt;
  if (at->kind == OnnxAttr::Kind::Int) return at->i;
  if (at->kind == OnnxAttr::Kind::Float) return (int64_t)at->f;
  return dflt;
}

double OnnxNode::getFloat(llvm::StringRef a, double dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at) return dflt;
  if (at->kind == OnnxAttr::Kind::Float) return at->f;
  if (at->kind == OnnxAttr::Kind::Int) return (double)at->i;
  return dflt;
}

std::string OnnxNode::getString(llvm::StringRef a, llvm::StringRef dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at || at->kind != OnnxAttr::Kind::String) return dflt.str();
  return at->s;
}

std::vector<int64_t> OnnxNode::getInts(llvm::StringRef a,
                                       std::vector<int64_t> dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at || at->kind != OnnxAttr::Kind::Ints) return dflt;
  return at->ints;
}

std::vector<double> OnnxNode::getFloats(llvm::StringRef a,
                                        std::vector<double> dflt) const {
  const OnnxAttr *at = getAttr(a);
  if (!at || at->kind != OnnxAttr::Kind::Floats) return dflt;
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
  if (!hasShape) return false;
  for (int64_t d : dims)
    if (d < 0) return false;
  return true;
}

std::string OnnxValueInfo::describe() const {
  std::string s = name + ": " + elemTypeName(elemType);
  if (!hasShape) return s + "[?]";
  s += "[";
  for (size_t k = 0; k < dims.size(); ++k) {
    if (k) s += " x ";
    if (dims[k] >= 0) s += std::to_string(dims[k]);
    else s += dimParams[k].empty() ? "?" : dimParams[k];
  }
  return s + "]";
}

const OnnxValueInfo *OnnxModel::findValueInfo(llvm::StringRef name) const {
  for (const auto *list : {&inputs, &outputs, &valueInfos})
    for (const auto &vi : *list)
      if (vi.name == name) return &vi;
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
      if (o == name) return &n;
  return nullptr;
}

std::vector<const OnnxNode *>
OnnxModel::findConsumers(llvm::StringRef name) const {
  std::vector<const OnnxNode *> out;
  for (const auto &n : nodes)
    for (const auto &i : n.inputs)
      if (i == name) {
        out.push_back(&n);
        break;
      }
  return out;
}

llvm::Expected<OnnxModel> loadOnnxModelFromBytes(llvm::StringRef bytes,
                                                 llvm::StringRef displayName) {
  std::string name = displayName.str();
  try {
    return loadImpl(bytes.str(), name);
  } catch (const LoadFailure &f) {
    return makeError(name + ": " + f.msg);
  } catch (const std::bad_alloc &) {
    return makeError(name + ": out of memory while loading the model");
  } catch (const std::exception &e) {
    return makeError(name + ": " + tidyOnnxMessage(e.what()));
  } catch (...) {
    return makeError(name + ": unknown error while loading the model");
  }
}

llvm::Expected<OnnxModel> loadOnnxModel(llvm::StringRef path) {
  std::string bytes, err;
  try {
    if (!readFile(path.str(), bytes, err))
      return makeError(err);
  } catch (...) {
    return makeError(path.str() + ": cannot read file");
  }
  return loadOnnxModelFromBytes(bytes, path);
}

llvm::Expected<OnnxTensor> loadTensorProtoFile(llvm::StringRef pathRef) {
  std::string path = pathRef.str(), bytes, err;
  try {
    if (!readFile(path, bytes, err))
      return makeError(err);
    ::onnx::TensorProto tp;
    if (!tp.ParseFromString(bytes))
      return makeError(path + ": not a serialized ONNX TensorProto");
    if (tp.data_type() == kUndefined && tp.dims_size() == 0)
      return makeError(path + ": not an ONNX TensorProto (no type, no shape)");
    return convertTensor(tp, "tensor '" + tp.name() + "'");
  } catch (const LoadFailure &f) {
    return makeError(path + ": " + f.msg);
  } catch (const std::exception &e) {
    return makeError(path + ": " + tidyOnnxMessage(e.what()));
  } catch (...) {
    return makeError(path + ": unknown error while loading the tensor");
  }
}

llvm::Error writeModelWithConstantInputs(llvm::StringRef pathRef,
                                         const std::map<std::string, std::string> &pbFiles,
                                         llvm::StringRef outPathRef) {
  std::string path = pathRef.str(), outPath = outPathRef.str(), bytes, err;
  try {
    if (!readFile(path, bytes, err))
      return llvm::createStringError(llvm::inconvertibleErrorCode(), err);
    ::onnx::ModelProto m;
    if (!m.ParseFromString(bytes))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     path + ": not an ONNX model");
    auto *graph = m.mutable_graph();
    for (const auto &[name, pb] : pbFiles) {
      std::string tbytes;
      if (!readFile(pb, tbytes, err))
        return llvm::createStringError(llvm::inconvertibleErrorCode(), err);
      ::onnx::TensorProto tp;
      if (!tp.ParseFromString(tbytes))
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       pb + ": not a serialized ONNX TensorProto");
      tp.set_name(name);
      bool found = false;
      for (int i = 0; i < graph->input_size(); ++i)
        if (graph->input(i).name() == name) {
          graph->mutable_input()->DeleteSubrange(i, 1);
          found = true;
          break;
        }
      if (!found)
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       path + ": no graph input named '" + name + "'");
      *graph->add_initializer() = tp;
    }
    std::ofstream out(outPath, std::ios::binary);
    if (!out || !m.SerializeToOstream(&out))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     outPath + ": cannot write");
    return llvm::Error::success();
  } catch (const std::exception &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), path + ": " + e.what());
  } catch (...) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": unknown error while rewriting the model");
  }
}

} // namespace onnx
} // namespace loom
