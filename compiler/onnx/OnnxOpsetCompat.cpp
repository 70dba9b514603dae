//===- OnnxOpsetCompat.cpp - Opset 18/19 models for libonnx 1.12 ----------===//
//
// libonnx 1.12 knows opsets <= 17: an opset 18/19 model is checked and
// shape-inferred as opset 17 after lowerNewOpsetTo17() refused what changed
// meaning and rewrote what only changed spelling.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxProto.h"

#include "onnx/defs/schema.h"

#include <optional>
#include <set>

using namespace loom::onnx;
using namespace loom::onnx::detail;

namespace {

const ::onnx::AttributeProto *findAttr(const ::onnx::NodeProto &n, const std::string &name) {
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
findConstInts(const ::onnx::GraphProto &g, const std::string &name, const std::string &label) {
  for (const auto &t : g.initializer())
    if (t.name() == name)
      return convertTensor(t, label).asInt64();
  for (const auto &n : g.node())
    if (n.op_type() == "Constant" && n.output_size() == 1 && n.output(0) == name) {
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

} // namespace

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
void loom::onnx::detail::lowerNewOpsetTo17(::onnx::ModelProto &m, int64_t opset) {
  static const std::set<std::string> reduceOps = {
      "ReduceL1",   "ReduceL2",  "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
      "ReduceMean", "ReduceMin", "ReduceProd",   "ReduceSumSquare"};
  static const std::set<std::string> newOps = {
      "Col2Im",         "BitwiseAnd",         "BitwiseOr",  "BitwiseXor", "BitwiseNot",
      "CenterCropPad",  "GroupNormalization", "Mish",       "DeformConv", "StringConcat",
      "RegexFullMatch", "StringSplit",        "AffineGrid", "Gelu",       "ImageDecoder"};
  auto refuse = [&](const ::onnx::NodeProto &n, const std::string &why) {
    fail(nodeLabel(n) + ": " + why + "; this libonnx (1.12) only knows opset " +
         std::to_string(kLibOnnxMaxOpset) +
         " and Loom cannot import the "
         "opset-" +
         std::to_string(opset) +
         " form: re-export the model with "
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
        fail(nodeLabel(n) + ": op " + op +
             " was added after opset 17 and this "
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
          for (int64_t v : *axes)
            a->add_ints(v);
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
    } else if ((op == "Cast" || op == "CastLike" || op == "QuantizeLinear") && opset >= 19) {
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
      if (nodes->Get(k).op_type() == "Constant" && nodes->Get(k).output_size() == 1 &&
          nodes->Get(k).output(0) == name) {
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
