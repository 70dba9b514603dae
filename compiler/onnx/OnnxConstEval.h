//===- OnnxConstEval.h - Nodes of constants, evaluated at load -*- C++ -*-===//
//
// Masks, positions and rotary tables exporters compute from static shapes
// (OnnxConstEval.cpp). Plain C++: no protobuf.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_ONNX_ONNXCONSTEVAL_H
#define LOOM_COMPILER_ONNX_ONNXCONSTEVAL_H

#include "compiler/onnx/OnnxModel.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loom {
namespace onnx {

/// The output of a default-domain node of constants (null entries: omitted
/// optional inputs), or nullopt for an op it does not evaluate (quantizers,
/// other domains, float16) or inputs that do not fit the op.
std::optional<OnnxTensor> evaluateNode(const OnnxNode &node,
                                       const std::vector<const OnnxTensor *> &inputs);

/// Shape(x) (opset 15's start / end included) of a value whose shape is `dims`.
OnnxTensor evaluateShape(const OnnxNode &node, const std::vector<int64_t> &dims);

/// Every node of `model` (in order) whose inputs are constants, or a Shape of
/// a statically shaped value, and whose output is not a graph output: its
/// output by name.
std::map<std::string, OnnxTensor> foldConstantNodes(const OnnxModel &model);

} // namespace onnx
} // namespace loom

#endif
