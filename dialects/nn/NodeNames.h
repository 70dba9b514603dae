//===- NodeNames.h - how errors name the ONNX node of an op -----*- C++ -*-===//
//
// Every pass refuses unsupported constructs with the same one-line form,
// "node 'fc1' (Gemm): why", so a user finds the node in the model whichever
// pass stopped. Ops without importer names (lit tests) print '?' and their
// nn op name.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECTS_NN_NODENAMES_H
#define LOOM_DIALECTS_NN_NODENAMES_H

#include "dialects/nn/NNOps.h"

#include <string>

namespace loom::nn {

/// "node 'fc1' (Gemm)".
inline std::string describeNode(mlir::Operation *op) {
  auto node = op->getAttrOfType<mlir::StringAttr>(kNodeNameAttr);
  auto type = op->getAttrOfType<mlir::StringAttr>(kOpTypeAttr);
  return "node '" + (node ? node.getValue().str() : std::string("?")) + "' (" +
         (type ? type.getValue().str() : op->getName().getStringRef().str()) + ")";
}

} // namespace loom::nn

#endif
