//===- OnnxProto.h - Shared internals of the ONNX loader --------*- C++ -*-===//
//
// Private to compiler/onnx (the sources compiled with -fexceptions that see
// protobuf and libonnx). Problems are thrown as LoadFailure (a one-line
// message without the file name) and caught by the public entry points,
// which prefix the file name; nothing leaves the library as an exception.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_ONNX_ONNXPROTO_H
#define LOOM_COMPILER_ONNX_ONNXPROTO_H

#include "compiler/onnx/OnnxModel.h"

#include "onnx/onnx_pb.h"

#include <string>
#include <vector>

namespace loom {
namespace onnx {
namespace detail {

/// Internal failure carrying a one-line message (without the file name).
struct LoadFailure {
  std::string msg;
};

[[noreturn]] inline void fail(std::string msg) { throw LoadFailure{std::move(msg)}; }

/// Turns a (multi-line) libonnx message into one readable line
/// (OnnxLoader.cpp).
std::string tidyOnnxMessage(std::string msg);

/// A TensorProto as an OnnxTensor; `what` names it in failures ("" = by its
/// name). Fails on external data, segments, strings, complex and unknown
/// element types, and data that does not match the shape (OnnxConvert.cpp).
OnnxTensor convertTensor(const ::onnx::TensorProto &tp, const std::string &what);
/// An OnnxTensor (of a type convertTensor reads) as a TensorProto.
::onnx::TensorProto tensorToProto(const OnnxTensor &t);
OnnxValueInfo convertValueInfo(const ::onnx::ValueInfoProto &vi);
OnnxAttr convertAttr(const ::onnx::AttributeProto &a, const OnnxNode &node);
/// Constant node -> initializer tensor named like its output.
OnnxTensor constantToTensor(const OnnxNode &n);

/// Checks an opset 18/19 model against what libonnx 1.12 (opset 17) can
/// check and rewrites it to opset 17 (OnnxOpsetCompat.cpp).
void lowerNewOpsetTo17(::onnx::ModelProto &m, int64_t opset);

/// Reads QONNX quantizers without a domain as QONNX ops and imports QONNX
/// domains that nodes use without an opset import, with a warning each
/// (OnnxQonnxDomains.cpp).
void repairQonnxDomains(::onnx::ModelProto &m, std::vector<std::string> &warnings);

llvm::Error makeError(const std::string &msg);
/// Reads a whole file, or fails with a one-line reason (OnnxFiles.cpp).
bool readFile(const std::string &path, std::string &bytes, std::string &err);

} // namespace detail
} // namespace onnx
} // namespace loom

#endif
