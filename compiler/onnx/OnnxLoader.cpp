//===- OnnxLoader.cpp - Parse, check, shape-infer, convert ----------------===//
//
// Compiled with -fexceptions: libonnx reports every problem by throwing.
// Every public entry point catches everything; no exception leaves the
// library.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxConstEval.h"
#include "compiler/onnx/OnnxProto.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <cmath>
#include <cstring>
#include <set>

using namespace loom::onnx;
using namespace loom::onnx::detail;

namespace {

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

} // namespace

/// Turns a (multi-line) libonnx message into one readable line.
///   "X\n\n==> Context: Bad node spec for node. Name: n OpType: T"
///     -> "node 'n' (T): X"
///   "[ShapeInferenceError] (op_type:T, node name: n): [ShapeInferenceError] X"
///     -> "shape inference failed at node 'n' (T): X"
std::string loom::onnx::detail::tidyOnnxMessage(std::string msg) {
  std::string nodePrefix;
  const std::string ctxTag = "==> Context:";
  size_t ctx = msg.find(ctxTag);
  if (ctx != std::string::npos) {
    std::string context = trim(msg.substr(ctx + ctxTag.size()));
    msg = msg.substr(0, ctx);
    const std::string nameTag = "Name:", opTag = "OpType:";
    size_t n = context.find(nameTag), o = context.find(opTag);
    if (n != std::string::npos && o != std::string::npos && o > n) {
      std::string name = trim(context.substr(n + nameTag.size(), o - n - nameTag.size()));
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
    if (comma != std::string::npos && nn != std::string::npos && close != std::string::npos &&
        comma < nn && nn < close) {
      std::string op = trim(msg.substr(p + opTypeTag.size(), comma - p - opTypeTag.size()));
      std::string name = trim(msg.substr(nn + nodeNameTag.size(), close - nn - nodeNameTag.size()));
      std::string rest = msg.substr(close + 2);
      // Drop the repeated "[ShapeInferenceError]" / "[TypeInferenceError]" tags.
      for (const char *tag : {"[ShapeInferenceError]", "[TypeInferenceError]"}) {
        size_t t;
        while ((t = rest.find(tag)) != std::string::npos)
          rest.erase(t, std::strlen(tag));
      }
      msg = "shape inference failed at node '" + name + "' (" + op + "): " + trim(rest);
    }
  }
  return collapse(nodePrefix + msg);
}

namespace {

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
  repairQonnxDomains(m, out.warnings);

  // Opsets.
  int64_t opset = -1;
  for (const auto &imp : m.opset_import()) {
    std::string dom = imp.domain() == "ai.onnx" ? "" : imp.domain();
    out.opsetImports[dom] = imp.version();
    if (dom.empty())
      opset = imp.version();
  }
  if (opset < 0) {
    if (m.opset_import_size() == 0 && m.ir_version() > 0 && m.ir_version() < 3) {
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
      for (float f : a.floats())
        t.add_float_data(f);
    } else if (a.name() == "value_int") {
      t.set_data_type(kInt64);
      t.add_int64_data(a.i());
    } else if (a.name() == "value_ints") {
      t.set_data_type(kInt64);
      t.add_dims(a.ints_size());
      for (int64_t v : a.ints())
        t.add_int64_data(v);
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
    if (t.data_location() == ::onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
      fail("initializer '" + t.name() +
           "' keeps its data in an external "
           "file; external data is not supported: re-save the model with all "
           "tensors inside it (onnx.save_model(m, path, "
           "save_as_external_data=False))");

  // IR version newer than libonnx 1.12 (8).
  const int64_t libIr = ::onnx::Version::IR_VERSION;
  if (m.ir_version() > libIr) {
    out.warnings.push_back("IR version " + std::to_string(m.ir_version()) +
                           " is newer than this libonnx (" + std::to_string(libIr) +
                           "); importing anyway as IR version " + std::to_string(libIr));
    m.set_ir_version(libIr);
  }
  if (opset > kLibOnnxMaxOpset) {
    lowerNewOpsetTo17(m, opset);
    out.warnings.push_back("opset " + std::to_string(opset) + " is newer than this libonnx (" +
                           std::to_string(kLibOnnxMaxOpset) +
                           "); importing anyway: ops used keep their opset-" +
                           std::to_string(kLibOnnxMaxOpset) + " semantics");
  }
  const std::string opsetNote =
      opset > kLibOnnxMaxOpset ? " (opset " + std::to_string(opset) + " model checked as opset " +
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
      ::onnx::shape_inference::InferShapes(m, ::onnx::OpSchemaRegistry::Instance(), opts);
    } catch (const std::exception &e) {
      fail(tidyOnnxMessage(e.what()) + opsetNote);
    }
  };
  bool inferred = false;
  try {
    ::onnx::checker::check_model(m);
  } catch (const std::exception &e) {
    std::string msg = e.what();
    if (msg.find("Field 'shape' of 'type' is required but missing") == std::string::npos)
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

  // Weights must be numbers: a NaN would silently become a saturated code
  // (issue 10: refused, naming the tensor). An infinity is refused by the
  // importer unless an attention mask reads it (-inf: never attend).
  auto requireFinite = [&](const OnnxTensor &t, const std::string &what) {
    for (size_t i = 0; i < t.values.size(); ++i)
      if (std::isnan(t.values[i]))
        fail(what + " holds NaN at flat index " + std::to_string(i) +
             "; weights and constants must be finite numbers (re-export the model)");
  };
  // Convert. The initializers once; the rest again after each round of
  // folding below (new nodes list and inferred shapes).
  for (const auto &t : m.graph().initializer()) {
    OnnxTensor ot = convertTensor(t, "initializer '" + t.name() + "'");
    requireFinite(ot, "initializer '" + t.name() + "'");
    out.initializers[ot.name] = std::move(ot);
  }
  auto convert = [&]() {
    const auto &g = m.graph();
    out.inputs.clear(), out.outputs.clear(), out.valueInfos.clear(), out.nodes.clear();
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
        requireFinite(t, n.describe());
        out.initializers[t.name] = std::move(t);
        continue;
      }
      out.nodes.push_back(std::move(n));
    }
  };
  convert();
  // Nodes of constants (masks, positions, rotary tables built from static
  // shapes) become initializers, and shapes are inferred again: inference
  // does not see through them (OnnxConstEval.h). A few rounds: a Shape of a
  // value only inferred in the last round folds in the next.
  for (int round = 0; round < 4; ++round) {
    std::map<std::string, OnnxTensor> folded = foldConstantNodes(out);
    if (folded.empty())
      break;
    auto *graph = m.mutable_graph();
    for (auto &[name, t] : folded) {
      *graph->add_initializer() = tensorToProto(t);
      out.initializers[name] = std::move(t);
    }
    google::protobuf::RepeatedPtrField<::onnx::NodeProto> kept;
    for (auto &n : *graph->mutable_node())
      if (n.output_size() != 1 || !folded.count(n.output(0)))
        *kept.Add() = std::move(n);
    graph->mutable_node()->Swap(&kept);
    graph->clear_value_info();
    runInference();
    convert();
  }

  for (const auto &o : out.outputs)
    if (!o.hasShape)
      out.warnings.push_back("the shape of graph output '" + o.name +
                             "' is unknown after shape inference");
  for (const auto &[dom, ver] : out.opsetImports)
    if (!dom.empty() && dom != "ai.onnx.ml")
      out.warnings.push_back("custom domain '" + dom + "' (version " + std::to_string(ver) +
                             ") is not checked by libonnx; its nodes have no "
                             "inferred shapes");
  return out;
}

} // namespace

llvm::Expected<OnnxModel> loom::onnx::loadOnnxModelFromBytes(llvm::StringRef bytes,
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

llvm::Expected<OnnxModel> loom::onnx::loadOnnxModel(llvm::StringRef path) {
  std::string bytes, err;
  try {
    if (!readFile(path.str(), bytes, err))
      return makeError(err);
  } catch (...) {
    return makeError(path.str() + ": cannot read file");
  }
  return loadOnnxModelFromBytes(bytes, path);
}
