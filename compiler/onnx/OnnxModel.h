//===- OnnxModel.h - Plain C++ view of an ONNX model ------------*- C++ -*-===//
//
// The only place in Loom that touches protobuf, libonnx and C++ exceptions.
// Everything else in the compiler sees the plain structs below.
//
// loadOnnxModel():
//   * parses the file (missing / unreadable / not an ONNX protobuf -> one error
//     line naming the file),
//   * checks it with onnx::checker::check_model and runs
//     onnx::shape_inference::InferShapes (strict mode, data propagation on),
//     turning every libonnx exception into one error line naming the file and,
//     when known, the node ("node 'fc1' (Gemm)"),
//   * accepts default-domain opsets 6..19. Debian's libonnx 1.12 knows opsets
//     <= 17 only: opset 18/19 models are checked and shape-inferred as opset 17
//     with a warning. An opset-18/19 model is refused only when a node that
//     appears in it relies on semantics that changed in 18/19 (see
//     lowerNewOpsetTo17() in OnnxOpsetCompat.cpp for the exact list); the
//     Reduce* ops with a constant `axes` input (opset 18 form) are rewritten to
//     the opset-17 attribute form instead of being refused,
//   * turns Constant nodes into initializers,
//   * drops initializers from the graph inputs (IR version 3 exporters list
//     weights as inputs).
//
// Nothing in this API throws; every failure is an llvm::Error with a single
// line of text.
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_ONNX_ONNXMODEL_H
#define LOOM_COMPILER_ONNX_ONNXMODEL_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loom {
namespace onnx {

/// Element types, numbered exactly like onnx::TensorProto::DataType.
enum OnnxElemType : int {
  kUndefined = 0,
  kFloat = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
};

/// "float", "int8", ... ("type<N>" for unknown numbers).
std::string elemTypeName(int elemType);
/// True for the integer types and bool.
bool isIntegerElemType(int elemType);
/// True for float, double, float16, bfloat16.
bool isFloatElemType(int elemType);

/// A constant tensor (initializer, Constant node, tensor attribute, test .pb).
struct OnnxTensor {
  std::string name;
  std::vector<int64_t> dims; ///< empty = scalar
  int elemType = kUndefined;
  /// Every element as a double, row-major (float16/bfloat16 widened).
  std::vector<double> values;
  /// For integer and bool tensors only: the exact values (int64 values beyond
  /// 2^53, e.g. Slice's INT64_MAX ends, are not exact in `values`). uint64
  /// values above INT64_MAX are clamped to INT64_MAX.
  std::vector<int64_t> intValues;

  int64_t numElements() const;
  bool isScalar() const { return dims.empty(); }
  /// Exact integers for integer tensors, else values rounded toward zero.
  std::vector<int64_t> asInt64() const;
  /// "W: float[16x64]"
  std::string describe() const;
};

/// One node attribute.
struct OnnxAttr {
  enum class Kind {
    Undefined,
    Int,
    Float,
    String,
    Tensor,
    Graph,
    Ints,
    Floats,
    Strings,
    Tensors,
    Graphs,
    SparseTensor,
    SparseTensors,
    TypeProto,
    TypeProtos
  };
  std::string name;
  Kind kind = Kind::Undefined;
  int64_t i = 0;
  double f = 0.0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
  OnnxTensor t;                    ///< Kind::Tensor
  std::vector<OnnxTensor> tensors; ///< Kind::Tensors
  // Graph / sparse / type-proto attributes only record their kind: Loom has
  // no control flow; importers must refuse the node.
};

const char *attrKindName(OnnxAttr::Kind kind);

struct OnnxNode {
  std::string name; ///< may be empty in the file; the loader then names it
                    ///< "<OpType>_<index>" so errors can always name it
  std::string opType;
  std::string domain;              ///< "" for the default domain ("ai.onnx" is mapped to "")
  std::vector<std::string> inputs; ///< "" = omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, OnnxAttr> attrs;

  bool hasAttr(llvm::StringRef attr) const;
  const OnnxAttr *getAttr(llvm::StringRef attr) const;
  int64_t getInt(llvm::StringRef attr, int64_t dflt) const;
  double getFloat(llvm::StringRef attr, double dflt) const;
  std::string getString(llvm::StringRef attr, llvm::StringRef dflt = "") const;
  std::vector<int64_t> getInts(llvm::StringRef attr, std::vector<int64_t> dflt = {}) const;
  std::vector<double> getFloats(llvm::StringRef attr, std::vector<double> dflt = {}) const;
  /// Number of non-empty inputs.
  size_t numPresentInputs() const;
  /// "node 'fc1' (Gemm)" - for error messages.
  std::string describe() const;
};

struct OnnxValueInfo {
  std::string name;
  int elemType = kUndefined;
  bool hasShape = false;              ///< false: rank unknown (dims empty)
  std::vector<int64_t> dims;          ///< -1 = symbolic or unknown
  std::vector<std::string> dimParams; ///< same rank as dims; "" if none

  size_t rank() const { return dims.size(); }
  bool isFullyStatic() const;
  /// "x: float[N x 16]"
  std::string describe() const;
};

struct OnnxModel {
  std::string path;
  std::string graphName;
  std::string producer;
  std::string producerVersion;
  int64_t irVersion = 0;
  /// Default-domain opset as written in the file (e.g. 19, even though
  /// libonnx checked it as 17).
  int64_t opset = 0;
  /// All opset imports as written in the file ("" = default domain).
  std::map<std::string, int64_t> opsetImports;

  std::vector<OnnxValueInfo> inputs;              ///< graph inputs minus initializers
  std::vector<OnnxValueInfo> outputs;             ///< graph outputs, after inference
  std::vector<OnnxValueInfo> valueInfos;          ///< intermediate values, after inference
  std::map<std::string, OnnxTensor> initializers; ///< incl. former Constant nodes
  std::vector<OnnxNode> nodes;                    ///< topological order, without Constant nodes
  std::vector<std::string> warnings;

  /// Looks in inputs, outputs and valueInfos (in that order).
  const OnnxValueInfo *findValueInfo(llvm::StringRef name) const;
  const OnnxTensor *findInitializer(llvm::StringRef name) const;
  /// Type and shape of any value: graph input/output, intermediate value or
  /// initializer (built from the tensor). std::nullopt if unknown.
  std::optional<OnnxValueInfo> typeOf(llvm::StringRef name) const;
  /// The node producing `name`, or nullptr (graph input / initializer).
  const OnnxNode *findProducer(llvm::StringRef name) const;
  /// All nodes reading `name`.
  std::vector<const OnnxNode *> findConsumers(llvm::StringRef name) const;
};

/// Loads, checks and shape-infers an ONNX model. Never throws.
llvm::Expected<OnnxModel> loadOnnxModel(llvm::StringRef path);

/// Same from bytes already in memory; `displayName` is used in messages.
llvm::Expected<OnnxModel> loadOnnxModelFromBytes(llvm::StringRef bytes,
                                                 llvm::StringRef displayName);

/// Loads one serialized onnx.TensorProto, e.g. an ONNX test-data file
/// (test_data_set_N/input_K.pb). Never throws.
llvm::Expected<OnnxTensor> loadTensorProtoFile(llvm::StringRef path);

/// Copies the model file `path` to `outPath`, turning each graph input named
/// in `pbFiles` into an initializer holding that serialized TensorProto file
/// (ONNX node tests pass weights as graph inputs; the conformance runner binds
/// them this way before compiling). Never throws.
llvm::Error writeModelWithConstantInputs(llvm::StringRef path,
                                         const std::map<std::string, std::string> &pbFiles,
                                         llvm::StringRef outPath);

/// Highest default-domain opset libonnx 1.12 knows (17) and the highest Loom
/// accepts (19).
constexpr int64_t kLibOnnxMaxOpset = 17;
constexpr int64_t kLoomMaxOpset = 19;
constexpr int64_t kLoomMinOpset = 6;

} // namespace onnx
} // namespace loom

#endif // LOOM_COMPILER_ONNX_ONNXMODEL_H
