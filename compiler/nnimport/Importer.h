//===- Importer.h - The ONNX -> nn importer and its op table ----*- C++ -*-===//
//
// Internal to compiler/nnimport. The importer is table-driven, as onnx-mlir's
// OpBuildTable: one table (ImportTable.cpp) maps (domain, ONNX op type, opset
// range) to the function importing that op or op family. Each family file
// (ImportDense.cpp, ImportConv.cpp, ...) holds its import functions and, next
// to them, its part of the table; supportedOnnxOps(), isSupportedOnnxNode(),
// the "Loom supports ..." message and the compile-time folding all read the
// same table. Adding an ONNX op that maps onto existing nn ops is one row in
// its family's table and one import function (see ImportTable.cpp).
//
// Shapes are recomputed here rather than taken from ONNX shape inference,
// because the batch dimension is pinned to 1 (a leading symbolic or oversized
// batch becomes 1 and is reported): one frame is one inference.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NNIMPORT_IMPORTER_H
#define LOOM_COMPILER_NNIMPORT_IMPORTER_H

#include "compiler/nnimport/QuantParams.h"
#include "compiler/onnx/OnnxModel.h"
#include "dialects/nn/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace loom {
namespace nnimport {

using onnx::OnnxModel;
using onnx::OnnxNode;
using onnx::OnnxTensor;

class Importer;

/// Imports one node. `in` is the node's first input as an activation (null
/// if it is a constant or unknown; never null for Role::Streams).
using ImportFn = llvm::Error (Importer::*)(const OnnxNode &node, mlir::Value in);
/// Evaluates one node at compile time when its inputs allow (constants,
/// static shapes); false leaves the node to be imported (or reported).
using FoldFn = bool (Importer::*)(const OnnxNode &node);

/// The domains Loom imports ops from.
enum class OnnxDomain : uint8_t {
  Onnx,      ///< the default domain ("" / "ai.onnx")
  Microsoft, ///< com.microsoft (onnxruntime's QOperator contrib ops)
  Qonnx,     ///< qonnx.custom_op.general, finn.custom_op.general, onnx.brevitas
  ChannelsLast, ///< qonnx.custom_op.channels_last (standard ops on NHWC tensors)
};

/// How importNode hands a node's inputs to its import function.
enum class Role : uint8_t {
  /// The first input is the activation streamed through the op: importNode
  /// refuses a constant or unknown one with one message for all such ops.
  Streams,
  /// The import function checks its inputs itself (its messages name which
  /// input is wrong, or it accepts the activation as another input).
  OwnInputs,
  /// OwnInputs; QuantizeLinear / DequantizeLinear: the frame rules of graph
  /// inputs (run()) look through it to the MatMul behind it.
  Qdq,
};

/// Highest opset of a table row valid up to the newest opset.
constexpr int64_t kLatest = std::numeric_limits<int64_t>::max();

/// One row of the op table.
struct OpImport {
  OnnxDomain domain;
  llvm::StringLiteral opType;
  /// Opsets of `domain` (the model's opset import; 1 when absent) this row
  /// covers, inclusive. Rows of one op type cover disjoint ranges.
  int64_t sinceOpset, untilOpset;
  Role role;
  /// nullptr: the op is only evaluated on constants (`fold`); when it cannot
  /// be, it is reported as unsupported.
  ImportFn import;
  /// nullptr: never evaluated at compile time.
  FoldFn fold;
  /// An A x B product whose B (this input) is the constant weights: a graph
  /// input read as A keeps its rows (no batch to pin). -1: not such an op.
  int8_t matmulB = -1;
};

/// The op table: every family's rows (ImportTable.cpp).
llvm::ArrayRef<OpImport> opTable();
/// The domain class of an ONNX domain name; std::nullopt if Loom imports
/// nothing from it.
std::optional<OnnxDomain> domainOf(llvm::StringRef domain);
/// The row for op `opType` of `domain` at opset `opset`, or nullptr.
const OpImport *findOp(llvm::StringRef domain, llvm::StringRef opType, int64_t opset);
/// "Add, ..., com.microsoft QLinearAdd, ... and QONNX Quant, ...": the ops
/// the importer imports, for the unsupported-op error.
std::string supportedOpsText();

inline int64_t product(llvm::ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t(1), std::multiplies<int64_t>());
}

/// "[1x8x4x4]" (an empty shape is a scalar: "[]").
inline std::string shapeStr(llvm::ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? "x" : "") + std::to_string(dims[i]);
  return s + "]";
}

class Importer {
public:
  /// `unwidened`: why widenGroupedKV left each repeat of K / V heads (by
  /// node name) in place; the attention matcher's refusal says it.
  Importer(const OnnxModel &model, mlir::MLIRContext &ctx, std::vector<std::string> &warnings,
           std::map<std::string, std::string> unwidened = {})
      : model(model), ctx(ctx), b(&ctx), warnings(warnings), unwidened(std::move(unwidened)) {}

  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> run();

  /// Each family's rows of the op table, beside its import functions.
  static llvm::ArrayRef<OpImport> denseOps();
  static llvm::ArrayRef<OpImport> convOps();
  static llvm::ArrayRef<OpImport> activationOps();
  static llvm::ArrayRef<OpImport> elementwiseOps();
  static llvm::ArrayRef<OpImport> shapeOps();
  static llvm::ArrayRef<OpImport> quantOps();
  static llvm::ArrayRef<OpImport> qoperatorOps();
  static llvm::ArrayRef<OpImport> foldOnlyOps();
  static llvm::ArrayRef<OpImport> layoutOps();
  static llvm::ArrayRef<OpImport> normOps();
  static llvm::ArrayRef<OpImport> embedOps();

  /// Control characters of `text` (node names come from the file) escaped
  /// as \XX so that a message stays one line.
  static std::string oneLine(llvm::StringRef text) {
    std::string out;
    for (char c : text)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        out += "\\" + llvm::utohexstr(static_cast<unsigned char>(c), /*LowerCase=*/false,
                                      /*Width=*/2);
      else
        out += c;
    return out;
  }

private:
  //===--- Shared helpers (here and ImportGraph.cpp) ----------------------===//

  /// An error about one node: "<file>: node '<name>' (<op>): <what>".
  llvm::Error nodeError(const OnnxNode &node, const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   llvm::formatv("{0}: node '{1}' ({2}): {3}", model.path,
                                                 oneLine(node.name), oneLine(node.opType),
                                                 what.str()));
  }
  llvm::Error fileError(const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), model.path + ": " + what);
  }
  /// The error of a node whose streamed input `inName` is not an activation.
  llvm::Error notStreamed(const OnnxNode &node, const std::string &inName) {
    return nodeError(node, "its first input '" + oneLine(inName) +
                               "' is a constant or unknown; Loom streams activations only");
  }

  mlir::RankedTensorType f32(llvm::ArrayRef<int64_t> shape) {
    return mlir::RankedTensorType::get(shape, b.getF32Type());
  }
  mlir::DenseElementsAttr f32Attr(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<float> values) {
    return mlir::DenseElementsAttr::get(f32(shape), values);
  }
  const OnnxTensor *constant(const std::string &name) {
    auto it = folded.find(name);
    return it != folded.end() ? &it->second : model.findInitializer(name);
  }
  mlir::Value lookup(const std::string &name) { return values.lookup(name); }
  llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType()).getShape();
  }
  void name(mlir::Operation *op, const OnnxNode &node) {
    op->setAttr(nn::kNodeNameAttr, b.getStringAttr(node.name));
    op->setAttr(nn::kOpTypeAttr, b.getStringAttr(node.opType));
  }
  /// Names `op` after `node` and makes its result the node's output.
  llvm::Error produce(const OnnxNode &node, mlir::Operation *op) {
    name(op, node);
    values[node.outputs[0]] = op->getResult(0);
    return llvm::Error::success();
  }
  mlir::Location loc(const OnnxNode &node) {
    return mlir::FileLineColLoc::get(b.getStringAttr(model.path + ":" + node.name), 0, 0);
  }
  /// The opset of the node's domain in this model (1 when not imported).
  int64_t opsetOf(const OnnxNode &node) const;

  //===--- The graph (ImportGraph.cpp, ImportTable.cpp) -------------------===//

  /// Dispatches a node through the op table.
  llvm::Error importNode(const OnnxNode &node);
  /// The table row of `node` at this model's opset, or nullptr.
  const OpImport *rowOf(const OnnxNode &node) const {
    return findOp(node.domain, node.opType, opsetOf(node));
  }
  /// The static shape of a value with the batch pinned to 1; empty if unknown.
  std::vector<int64_t> staticShape(const std::string &name);
  /// The argument type of graph input `in` (batch pinned, with a warning).
  llvm::Expected<mlir::RankedTensorType> inputType(const onnx::OnnxValueInfo &in);

  //===--- Import functions ------------------------------------------------===//
  // The import function of an ONNX op (or op family) that no other family
  // calls is a specialization of importOp, declared and defined only in its
  // family's file beside its table row, on a tag type of that file:
  //   namespace loom::nnimport::onnxop { struct Elu; }
  //   template <> llvm::Error Importer::importOp<onnxop::Elu>(const OnnxNode &node, Value in)
  //   row: {OnnxDomain::Onnx, "Elu", 1, kLatest, Role::Streams,
  //         &Importer::importOp<onnxop::Elu>, nullptr},
  // so that adding an op touches that one file. The functions below are
  // declared here because other families call them too.
  template <typename OnnxOpTag> llvm::Error importOp(const OnnxNode &node, mlir::Value in);

  //===--- Compile-time evaluation (ImportFold.cpp) -----------------------===//

  bool foldShapeArith(const OnnxNode &node);
  /// Any node whose inputs are all constants, of the ops ImportConstEval.cpp
  /// evaluates (masks, positions and rotary tables built from static shapes).
  bool foldConstantNode(const OnnxNode &node);
  bool foldConstantLayout(const OnnxNode &node);

  //===--- Dense (ImportDense.cpp) ----------------------------------------===//

  /// One nn.dense for Gemm (matmul = false) or a MatMul-like product (also
  /// inside QLinearMatMul / MatMulInteger).
  llvm::Error importDense(const OnnxNode &node, mlir::Value a, bool matmul);

  //===--- Convolutions, pooling, padding, resizing (ImportConv.cpp) ------===//

  /// Conv, pools (also inside QLinearConv, QLinearGlobalAveragePool).
  llvm::Error importConv(const OnnxNode &node, mlir::Value in);
  llvm::Error importPool(const OnnxNode &node, mlir::Value in);
  /// Builds the 2-D window op of `node` (attributes already 2-D) on the NCHW
  /// input `in` of shape `shape`.
  using WindowBuilder = llvm::function_ref<llvm::Expected<mlir::Operation *>(
      const OnnxNode &node2d, mlir::Value in, llvm::ArrayRef<int64_t> shape)>;
  /// Conv and pooling: NCHW in, NCHW out; 1-D (N, C, L) is viewed as H = 1.
  llvm::Error importWindowed(const OnnxNode &node, mlir::Value in, WindowBuilder build);
  /// Result shape [1, C, OH, OW] of a window op, or an error.
  llvm::Expected<llvm::SmallVector<int64_t>>
  windowShape(const OnnxNode &node, llvm::ArrayRef<int64_t> in, int64_t outChannels,
              llvm::ArrayRef<int64_t> kernel, llvm::SmallVector<int64_t> &strides,
              llvm::SmallVector<int64_t> &dilations, llvm::SmallVector<int64_t> &pads,
              bool ceilAllowed);

  //===--- Activations (ImportActivations.cpp) ----------------------------===//

  /// An activation without attributes: one nn op of the input's type.
  template <typename OpTy> llvm::Error importUnary(const OnnxNode &node, mlir::Value in) {
    return produce(node, b.create<OpTy>(loc(node), in.getType(), in));
  }
  /// Softmax of opset >= 13 (`opset13`) or before.
  llvm::Error importSoftmax(const OnnxNode &node, mlir::Value in, bool opset13);

  //===--- Element-wise arithmetic (ImportElementwise.cpp) ----------------===//

  /// Two activations of one shape, or made so by repeating an [N, C, 1, 1]
  /// one over the pixels of an [N, C, H, W] one; false if they do not
  /// broadcast that way.
  bool broadcastPixels(const OnnxNode &node, mlir::Value &lhs, mlir::Value &rhs);

  //===--- Shapes and data movement (ImportShape.cpp) ---------------------===//

  /// Concat (also inside QLinearConcat).
  llvm::Error importConcat(const OnnxNode &node, mlir::Value in);
  llvm::Error reshapeTo(const OnnxNode &node, mlir::Value in, llvm::SmallVector<int64_t> shape);

  //===--- Layout moves around known ops (ImportLayout.cpp) ---------------===//

  /// nn.transpose / nn.reshape of `in`, named after `node` (not bound).
  mlir::Value transposeAs(const OnnxNode &node, mlir::Value in, llvm::ArrayRef<int64_t> perm);
  mlir::Value reshapeAs(const OnnxNode &node, mlir::Value in, llvm::ArrayRef<int64_t> shape);

  //===--- LayerNorm (ImportNorm.cpp) --------------------------------------===//

  /// One LayerNorm: LayerNormalization, or PyTorch's chain of nodes.
  struct LayerNormChain {
    std::string input, output;
    const OnnxNode *first = nullptr; // names the nn.layernorm
    int64_t c = 1;
    double epsilon = 1e-5;
    std::vector<double> gamma, beta;
    std::vector<const OnnxNode *> nodes;
    bool rms = false; // RMSNorm: no mean subtraction, beta 0
  };
  /// Finds PyTorch's LayerNorm chains (before the unsupported-op check):
  /// their nodes but the last go to foldedNodes, the last to layerNormChains.
  /// A chain that starts like one and then differs is a one-line error.
  llvm::Error matchLayerNormChains();
  /// The same for RMSNorm chains (Pow -> ReduceMean -> Add -> Sqrt ->
  /// Reciprocal / Div -> Mul [-> Mul(gamma)]), after the LayerNorm chains.
  llvm::Error matchRmsNormChains();
  llvm::Error importLayerNorm(const LayerNormChain &chain);
  bool reducesLastAxis(const OnnxNode &rm, size_t rank);
  llvm::Expected<std::vector<double>> channelConstant(const OnnxNode &node, const std::string &name,
                                                      int64_t c, const char *what);

  //===--- Token embedding (ImportEmbed.cpp) ------------------------------===//

  /// V (the smallest table's rows) if every reader of integer input `input`
  /// (through Cast / Reshape / ...) is an embedding Gather; records the
  /// values on the way in indexValues.
  std::optional<int64_t> indexInputRows(const std::string &input);
  //===--- Attention (FuseAttention.cpp) -----------------------------------===//

  /// A rotary embedding on a head view (FuseRotary.cpp).
  struct RotaryMatch {
    const OnnxNode *add = nullptr;       // the final Add: names nn.rotary
    std::string x;                       // the rotated [.., T, D] tensor
    int64_t D = 0;
    const OnnxTensor *cos = nullptr, *sin = nullptr; // [.., T, D] constants
    std::vector<const OnnxNode *> nodes; // Slice, Slice, Neg, Concat, Mul, Mul, Add
  };
  /// A QDQ export's QuantizeLinear -> DequantizeLinear pair (per tensor) inside
  /// an attention chain; `params` is the quantizer as seen from where the
  /// fused op applies it (an operand's scale divided by the constant scaling
  /// between its source and the pair).
  struct InnerQDQ {
    const OnnxNode *q = nullptr, *dq = nullptr;
    QuantParams params;
  };
  /// One traced q / k / v operand: its source and the constant scaling on the way.
  struct AttentionOperand {
    std::string source;
    std::optional<InnerQDQ> quant; // the model's quantizer on the operand
    double scale = 1.0;
    std::vector<const OnnxNode *> path; // layout / scaling nodes, source first
    RotaryMatch rotary;                 // rotary.add set: rotated on the way
    int64_t rotaryD = 0;
    std::vector<double> cos, sin;       // [T, C] tables on the source (sin signed)
  };
  /// One exporter's attention chain, fused into one nn.attention.
  struct AttentionChain {
    std::string q, k, v;          // [.., T, C] sources (row layout)
    std::string output;           // the tensor holding the result in [T, C] order
    std::vector<int64_t> outShape; // its static shape
    const OnnxNode *first = nullptr; // the scores MatMul: names the nn.attention
    std::vector<AttentionOperand> rotated; // q / k operands with rotary embeddings
    int64_t T = 1, C = 1, H = 1;
    double scale = 1.0;
    bool causal = false;
    int64_t window = 0; // a sliding-window mask: each row sees its last `window` rows
    std::vector<double> keyBias; // ALiBi: [H, T] added to the scaled scores (or empty)
    std::optional<InnerQDQ> operandQ[3]; // the model's quantizers on q, k, v
    std::optional<InnerQDQ> scoreQ, probQ, outQ; // a QDQ export's quantizers
  };
  /// Finds attention chains (before the unsupported-op check): their nodes
  /// but the last go to foldedNodes, the last to attentionChains. A chain that
  /// starts like one and then differs is a one-line error.
  llvm::Error matchAttentionChains();
  llvm::Error importAttention(const AttentionChain &chain);
  bool traceHeads(const std::string &from, int64_t T, int64_t H, int64_t D, bool kT,
                  AttentionOperand &out);
  bool applyLayout(const std::vector<const OnnxNode *> &path, std::vector<int64_t> &idx,
                   std::vector<int64_t> &shape);
  std::optional<std::string> repeatsHeads(const std::string &operand);
  /// The per-tensor Q -> DQ pair starting at node `q` (its DQ the Q's only
  /// reader, one scale and zero point, the same in both), else nullopt.
  std::optional<InnerQDQ> qdqPairFrom(const OnnxNode *q);
  /// A constant [H, 1, T] per-head bias over the key positions (ALiBi).
  bool isKeyBias(const std::string &name, int64_t H, int64_t T);
  /// The mask of a Where / Add on the scores: 0 for a causal one, W for a
  /// sliding window of W rows (causal too), or a one-line error.
  llvm::Expected<int64_t> causalMask(const OnnxNode &n, const std::string &scores, int64_t T);

  //===--- Rotary embeddings (FuseRotary.cpp) ------------------------------===//
  bool matchRotary(const OnnxNode &add, RotaryMatch &out);
  const OnnxTensor *constantView(const std::string &name, std::vector<const OnnxNode *> &views);
  bool isHalvesSplit(const OnnxNode &n, int64_t rank, int64_t D);
  bool rotarySlice(const OnnxNode &n, int64_t rank, int64_t &start, int64_t &end);
  llvm::Error rotaryTables(const RotaryMatch &m, const std::vector<const OnnxNode *> &layout,
                           const std::string &source, int64_t T, int64_t C,
                           AttentionOperand &out);
  mlir::Value importRotary(mlir::Value v, const AttentionOperand &o, int64_t T, int64_t C);

  //===--- Quantizers: QDQ and QONNX (ImportQuant.cpp) --------------------===//
  // docs/CONTRACTS.md "Affine integer graphs", float level: quantized
  // constants are folded to floats; activations get nn.quantize_linear /
  // nn.dequantize_linear.

  bool foldQuant(const OnnxNode &node);
  /// The quantizer of `node` on data of rank `rank`; errors name the node.
  llvm::Expected<QuantParams> quantParams(const OnnxNode &node, size_t rank, int64_t maxBits = 16);
  /// QuantParams of the (scale, zero point) inputs `scaleIdx`, `zpIdx` of a
  /// QOperator node (-1: scale 1 / zero point 0); `what` prefixes errors.
  llvm::Expected<QuantParams> operandParams(const OnnxNode &node, int scaleIdx, int zpIdx,
                                            size_t rank, int64_t axis, const char *what);
  mlir::Value quantizeLinear(const OnnxNode &node, mlir::Value in, const QuantParams &q);
  mlir::Value dequantizeLinear(const OnnxNode &node, mlir::Value in, const QuantParams &q);
  /// Folds quantized weights `w` with `q` into a float constant named
  /// `name` whose scale the consuming layer's `weight_scale` takes.
  void foldWeights(const std::string &name, const OnnxTensor &w, const QuantParams &q);
  /// `weight_scale` for weights `w` whose output channels run along
  /// `outAxis` (nOut of them), times `factor` (Gemm alpha); null if `w` is
  /// not a quantized constant.
  llvm::Expected<mlir::DenseF64ArrayAttr> weightScaleFor(const OnnxNode &node, const std::string &w,
                                                         int64_t outAxis, int64_t nOut,
                                                         double factor);

  //===--- QOperator ops (ImportQOperator.cpp) ----------------------------===//

  static OnnxTensor blockDiagonal(const OnnxTensor &w, int64_t rows, int64_t zeroPoint);

  const OnnxModel &model;
  mlir::MLIRContext &ctx;
  mlir::OpBuilder b;
  std::vector<std::string> &warnings;
  std::map<std::string, std::string> unwidened;
  llvm::StringMap<mlir::Value> values;
  /// Values computed at compile time from constants and static shapes.
  std::map<std::string, OnnxTensor> folded;
  std::set<const OnnxNode *> foldedNodes;
  /// Quantizer of each folded quantized constant (weights): the scale the
  /// consuming dense / conv records as weight_scale.
  std::map<std::string, QuantParams> weightQuant;
  /// The last node of each matched LayerNorm chain -> the chain.
  std::map<const OnnxNode *, LayerNormChain> layerNormChains;
  /// Token ids: index graph inputs and the values Cast / Reshape made of them.
  std::set<std::string> indexValues;
  /// The last node of each matched attention chain -> the chain.
  std::map<const OnnxNode *, AttentionChain> attentionChains;
};

} // namespace nnimport
} // namespace loom

#endif
