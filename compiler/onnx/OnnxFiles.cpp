//===- OnnxFiles.cpp - Reading files, tensor files, rewriting models ------===//
#include "compiler/onnx/OnnxProto.h"

#include "llvm/Support/FileSystem.h"

#include <cstring>
#include <fstream>
#include <sstream>

using namespace loom::onnx;
using namespace loom::onnx::detail;

llvm::Error loom::onnx::detail::makeError(const std::string &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", msg.c_str());
}

bool loom::onnx::detail::readFile(const std::string &path, std::string &bytes, std::string &err) {
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

llvm::Expected<OnnxTensor> loom::onnx::loadTensorProtoFile(llvm::StringRef pathRef) {
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

llvm::Error
loom::onnx::writeModelWithConstantInputs(llvm::StringRef pathRef,
                                         const std::map<std::string, std::string> &pbFiles,
                                         llvm::StringRef outPathRef) {
  std::string path = pathRef.str(), outPath = outPathRef.str(), bytes, err;
  try {
    if (!readFile(path, bytes, err))
      return llvm::createStringError(llvm::inconvertibleErrorCode(), err);
    ::onnx::ModelProto m;
    if (!m.ParseFromString(bytes))
      return llvm::createStringError(llvm::inconvertibleErrorCode(), path + ": not an ONNX model");
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
      return llvm::createStringError(llvm::inconvertibleErrorCode(), outPath + ": cannot write");
    return llvm::Error::success();
  } catch (const std::exception &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), path + ": " + e.what());
  } catch (...) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": unknown error while rewriting the model");
  }
}
