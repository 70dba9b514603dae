//===- OnnxQonnxDomains.cpp - QONNX domains as exporters write them ------===//
//
// QONNX tools load graphs that the ONNX checker refuses; two such spellings
// are common enough to repair before checking (with a warning each):
//   - Quant / BipolarQuant / Trunc without a domain (older Brevitas exports
//     put them in the default domain, where ONNX has no such ops): they are
//     read as the QONNX ops of qonnx.custom_op.general;
//   - nodes of a QONNX domain (qonnx.custom_op.general,
//     finn.custom_op.general, qonnx.custom_op.channels_last, onnx.brevitas)
//     without an opset import for it: version 1 is imported.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxProto.h"

#include <map>
#include <set>

using namespace loom::onnx;
using namespace loom::onnx::detail;

namespace {

bool isDefaultDomain(const std::string &d) { return d.empty() || d == "ai.onnx"; }

bool isQonnxFamilyDomain(const std::string &d) {
  return d == "qonnx.custom_op.general" || d == "finn.custom_op.general" ||
         d == "qonnx.custom_op.channels_last" || d == "onnx.brevitas";
}

} // namespace

void loom::onnx::detail::repairQonnxDomains(::onnx::ModelProto &m,
                                            std::vector<std::string> &warnings) {
  // 1. QONNX quantizers in the default domain.
  std::map<std::string, int> moved; // op type -> count
  for (auto &n : *m.mutable_graph()->mutable_node()) {
    if (!isDefaultDomain(n.domain()))
      continue;
    const std::string &op = n.op_type();
    if (op == "Quant" || op == "BipolarQuant" || op == "Trunc") {
      n.set_domain("qonnx.custom_op.general");
      ++moved[op];
    }
  }
  if (!moved.empty()) {
    std::string what;
    for (const auto &[op, count] : moved)
      what += (what.empty() ? "" : ", ") + std::to_string(count) + " " + op;
    warnings.push_back(what + " node(s) without a domain (an older Brevitas export): read as "
                              "the QONNX ops of domain qonnx.custom_op.general");
  }

  // 2. QONNX domains used without an opset import.
  std::set<std::string> imported;
  for (const auto &imp : m.opset_import())
    imported.insert(imp.domain());
  std::set<std::string> missing;
  for (const auto &n : m.graph().node())
    if (isQonnxFamilyDomain(n.domain()) && !imported.count(n.domain()))
      missing.insert(n.domain());
  for (const std::string &d : missing) {
    auto *imp = m.add_opset_import();
    imp->set_domain(d);
    imp->set_version(1);
    warnings.push_back("domain '" + d +
                       "' is used by nodes but has no opset import: imported as version 1");
  }
}
