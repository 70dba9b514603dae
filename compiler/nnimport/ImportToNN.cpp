//===- ImportToNN.cpp - ONNX model -> nn dialect --------------------------===//
//
// Shapes are recomputed here rather than taken from ONNX shape inference,
// because the batch dimension is pinned to 1 (a leading symbolic or oversized
// batch becomes 1 and is reported): one frame is one inference.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/ImportToNN.h"

#include "compiler/nnimport/QuantParams.h"
#include "compiler/reference/ConvKernels.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>

using namespace mlir;
using namespace loom;
using onnx::OnnxModel;
using onnx::OnnxNode;
using onnx::OnnxTensor;

const std::vector<std::string> &loom::supportedOnnxOps() {
  static const std::vector<std::string> ops = {
      "Add",     "BatchNormalization", "Div",     "Dropout", "Flatten",   "Gemm",
      "Identity", "MatMul",            "Mul",     "Relu",    "Reshape",   "Sigmoid",
      "Softmax", "Squeeze",            "Sub",     "Tanh",    "Transpose", "Unsqueeze",
      // convolutional path
      "AveragePool", "Clip", "Concat", "Conv", "GlobalAveragePool", "GlobalMaxPool", "MaxPool",
      "Pad", "Resize", "Upsample",
      // activations fused into the preceding layer
      "Elu", "HardSigmoid", "HardSwish", "LeakyRelu", "PRelu", "Selu",
      // quantized models (docs/CONTRACTS.md "Affine integer graphs")
      "QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger",
      "MatMulInteger"};
  return ops;
}

bool loom::isSupportedOnnxNode(llvm::StringRef domain, llvm::StringRef opType) {
  if (domain.empty()) {
    const auto &ops = supportedOnnxOps();
    return std::find(ops.begin(), ops.end(), opType) != ops.end();
  }
  if (domain == "com.microsoft")
    return opType == "QLinearAdd" || opType == "QLinearGlobalAveragePool" ||
           opType == "QLinearConcat";
  return isQonnxDomain(domain) &&
         (opType == "Quant" || opType == "BipolarQuant" || opType == "Trunc");
}

namespace {

int64_t product(ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t(1), std::multiplies<int64_t>());
}

/// "[1x8x4x4]" (an empty shape is a scalar: "[]").
std::string shapeStr(ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s + "]";
}

/// PRelu slopes broadcast (ONNX unidirectional, right-aligned) to the input
/// shape `in`: one slope per channel of axis 1 when they vary over nothing
/// else (PyTorch [C,1,1] / [C], Keras per-element slopes equal along the
/// shared axes); failure when they vary over any other axis or do not broadcast.
FailureOr<SmallVector<double>> perChannelSlopes(const OnnxTensor &t, ArrayRef<int64_t> in) {
  const size_t rank = in.size(), tr = t.dims.size();
  if (rank < 2 || tr > rank || int64_t(t.values.size()) != product(t.dims))
    return failure();
  for (size_t i = 0; i < tr; ++i) {
    int64_t d = t.dims[i], e = in[rank - tr + i];
    if (d != 1 && d != e) return failure();
  }
  // slope of input element `idx` (row-major over `in`) through the broadcast
  auto slopeAt = [&](ArrayRef<int64_t> idx) {
    int64_t off = 0;
    for (size_t i = 0; i < tr; ++i) {
      int64_t d = t.dims[i];
      off = off * d + (d == 1 ? 0 : idx[rank - tr + i]);
    }
    return t.values[size_t(off)];
  };
  SmallVector<double> ch(static_cast<size_t>(in[1]), 0.0);
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t n = 0, total = product(in); n < total; ++n) {
    int64_t r = n;
    for (size_t i = rank; i-- > 0;) idx[i] = r % in[i], r /= in[i];
    double v = slopeAt(idx);
    bool first = llvm::all_of(llvm::enumerate(idx), [](auto p) {
      return p.index() == 1 || p.value() == 0;
    });
    if (first) ch[size_t(idx[1])] = v;
    else if (ch[size_t(idx[1])] != v) return failure();
  }
  return ch;
}

class Importer {
public:
  Importer(const OnnxModel &model, MLIRContext &ctx, std::vector<std::string> &warnings)
      : model(model), ctx(ctx), b(&ctx), warnings(warnings) {}

  llvm::Expected<OwningOpRef<ModuleOp>> run();

private:
  /// An error about one node: "<file>: node '<name>' (<op>): <what>". Node
  /// names come from the file and may hold newlines: they are escaped so the
  /// message stays one line.
  llvm::Error nodeError(const OnnxNode &node, const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   llvm::formatv("{0}: node '{1}' ({2}): {3}", model.path,
                                                 oneLine(node.name), oneLine(node.opType),
                                                 what.str()));
  }
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
  llvm::Error fileError(const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), model.path + ": " + what);
  }

  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getF32Type());
  }
  DenseElementsAttr f32Attr(ArrayRef<int64_t> shape, ArrayRef<float> values) {
    return DenseElementsAttr::get(f32(shape), values);
  }
  const OnnxTensor *constant(const std::string &name) {
    auto it = folded.find(name);
    return it != folded.end() ? &it->second : model.findInitializer(name);
  }
  bool tryFoldShapeNode(const OnnxNode &node);
  std::vector<int64_t> staticShape(const std::string &name);
  Value lookup(const std::string &name) { return values.lookup(name); }
  ArrayRef<int64_t> shapeOf(Value v) { return llvm::cast<RankedTensorType>(v.getType()).getShape(); }
  void name(Operation *op, const OnnxNode &node) {
    op->setAttr(nn::kNodeNameAttr, b.getStringAttr(node.name));
    op->setAttr(nn::kOpTypeAttr, b.getStringAttr(node.opType));
  }
  /// Two activations of one shape, or made so: a per-channel [N, C, 1, 1]
  /// tensor (a squeeze-and-excitation gate) against an [N, C, H, W] one is
  /// repeated over the H x W pixels by a nearest resize, so the element-wise
  /// join sees equal shapes. False when the shapes do not broadcast that way.
  bool broadcastPixels(const OnnxNode &node, Value &lhs, Value &rhs) {
    ArrayRef<int64_t> l = shapeOf(lhs), r = shapeOf(rhs);
    if (l == r)
      return true;
    bool rSmall = r.size() == 4 && r[2] == 1 && r[3] == 1;
    bool lSmall = l.size() == 4 && l[2] == 1 && l[3] == 1;
    if (l.size() != 4 || r.size() != 4 || l[0] != r[0] || l[1] != r[1] || rSmall == lSmall)
      return false;
    Value &small = rSmall ? rhs : lhs;
    ArrayRef<int64_t> big = rSmall ? l : r;
    auto resize = b.create<nn::ResizeOp>(loc(node), f32({big[0], big[1], big[2], big[3]}), small,
                                         b.getDenseI64ArrayAttr({big[2], big[3]}));
    resize->setAttr(nn::kNodeNameAttr, b.getStringAttr(node.name + "_broadcast"));
    resize->setAttr(nn::kOpTypeAttr, b.getStringAttr("Resize"));
    small = resize;
    return true;
  }
  Location loc(const OnnxNode &node) {
    return FileLineColLoc::get(b.getStringAttr(model.path + ":" + node.name), 0, 0);
  }

  llvm::Error importNode(const OnnxNode &node);
  llvm::Error importGemm(const OnnxNode &node, bool matmul);

  // Quantized models (docs/CONTRACTS.md "Affine integer graphs", float level).
  static bool isQuantNode(const OnnxNode &node);
  bool tryFoldQuantNode(const OnnxNode &node);
  bool tryFoldConstantLayout(const OnnxNode &node);
  /// The quantizer of `node` on data of rank `rank`; errors name the node.
  llvm::Expected<QuantParams> quantParams(const OnnxNode &node, size_t rank,
                                          int64_t maxBits = 16);
  /// QuantParams of the (scale, zero point) inputs `scaleIdx`, `zpIdx` of a
  /// QOperator node (-1: scale 1 / zero point 0); `what` prefixes errors.
  llvm::Expected<QuantParams> operandParams(const OnnxNode &node, int scaleIdx, int zpIdx,
                                            size_t rank, int64_t axis, const char *what);
  Value quantizeLinear(const OnnxNode &node, Value in, const QuantParams &q);
  Value dequantizeLinear(const OnnxNode &node, Value in, const QuantParams &q);
  llvm::Error importQuant(const OnnxNode &node);
  llvm::Error importTrunc(const OnnxNode &node);
  llvm::Error importQLinearConv(const OnnxNode &node);
  llvm::Error importQLinearMatMul(const OnnxNode &node);
  llvm::Error importQLinearAdd(const OnnxNode &node);
  llvm::Error importQLinearPoolConcat(const OnnxNode &node);
  /// Folds quantized weights `w` with `q` into a float constant named
  /// `name` whose scale the consuming layer's `weight_scale` takes.
  void foldWeights(const std::string &name, const OnnxTensor &w, const QuantParams &q);
  static OnnxTensor blockDiagonal(const OnnxTensor &w, int64_t rows, int64_t zeroPoint);
  /// `weight_scale` for weights `w` whose output channels run along
  /// `outAxis` (nOut of them), times `factor` (Gemm alpha); null if `w` is
  /// not a quantized constant.
  llvm::Expected<DenseF64ArrayAttr> weightScaleFor(const OnnxNode &node, const std::string &w,
                                                   int64_t outAxis, int64_t nOut,
                                                   double factor);
  llvm::Error importWindowed(const OnnxNode &node, Value in);
  /// Result shape [1, C, OH, OW] of a window op, or an error.
  llvm::Expected<SmallVector<int64_t>> windowShape(const OnnxNode &node, ArrayRef<int64_t> in,
                                                   int64_t outChannels, ArrayRef<int64_t> kernel,
                                                   SmallVector<int64_t> &strides,
                                                   SmallVector<int64_t> &dilations,
                                                   SmallVector<int64_t> &pads, bool ceilAllowed);
  llvm::Error reshapeTo(const OnnxNode &node, Value in, SmallVector<int64_t> shape);

  const OnnxModel &model;
  MLIRContext &ctx;
  OpBuilder b;
  std::vector<std::string> &warnings;
  llvm::StringMap<Value> values;
  /// Values computed at compile time from constants and static shapes.
  std::map<std::string, OnnxTensor> folded;
  std::set<const OnnxNode *> foldedNodes;
  /// Quantizer of each folded quantized constant (weights): the scale the
  /// consuming dense / conv records as weight_scale.
  std::map<std::string, QuantParams> weightQuant;
};

/// The static shape of a value with the batch pinned to 1; empty if unknown.
std::vector<int64_t> Importer::staticShape(const std::string &name) {
  const onnx::OnnxValueInfo *vi = model.findValueInfo(name);
  for (const auto &in : model.inputs)
    if (in.name == name)
      vi = &in;
  if (!vi || !vi->hasShape)
    return {};
  std::vector<int64_t> dims = vi->dims;
  if (!dims.empty() && dims[0] < 0)
    dims[0] = 1;
  if (llvm::any_of(dims, [](int64_t d) { return d < 0; }))
    return {};
  return dims;
}

/// Exporters compute reshape targets from the input's shape at run time
/// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape). With a static shape
/// and the batch pinned to 1 all of it is constant: evaluate such nodes here
/// so that only real layers reach the nn dialect.
bool Importer::tryFoldShapeNode(const OnnxNode &node) {
  static const std::set<std::string> foldable = {"Shape", "Gather", "Unsqueeze", "Squeeze",
                                                 "Concat", "Cast", "Slice", "Add", "Sub",
                                                 "Mul", "Div", "Identity", "Reshape"};
  if (!node.domain.empty() || !foldable.count(node.opType) || node.outputs.size() != 1)
    return false;
  OnnxTensor out;
  out.name = node.outputs[0];
  out.elemType = onnx::kInt64;
  if (node.opType == "Shape") {
    std::vector<int64_t> dims = staticShape(node.inputs[0]);
    if (dims.empty())
      return false;
    int64_t rank = dims.size(), start = node.getInt("start", 0), end = node.getInt("end", rank);
    start = std::clamp(start < 0 ? start + rank : start, int64_t(0), rank);
    end = std::clamp(end < 0 ? end + rank : end, int64_t(0), rank);
    out.intValues.assign(dims.begin() + start, dims.begin() + std::max(start, end));
    out.dims = {int64_t(out.intValues.size())};
  } else {
    std::vector<const OnnxTensor *> ins;
    for (const std::string &name : node.inputs) {
      const OnnxTensor *t = name.empty() ? nullptr : constant(name);
      if (!name.empty() && !t)
        return false;
      ins.push_back(t);
    }
    if (node.opType == "Reshape" && ins.size() == 2 && ins[0] && ins[1]) {
      // A constant reshaped (weights exported in another layout): any type.
      std::vector<int64_t> target = ins[1]->asInt64();
      int64_t n = ins[0]->numElements(), known = 1, infer = -1;
      for (size_t i = 0; i < target.size(); ++i) {
        if (target[i] == 0 && i < ins[0]->dims.size())
          target[i] = ins[0]->dims[i];
        if (target[i] == -1)
          infer = int64_t(i);
        else
          known *= target[i];
      }
      if (infer >= 0 && known > 0)
        target[infer] = n / known;
      OnnxTensor r = *ins[0];
      r.name = node.outputs[0];
      r.dims = target;
      folded[r.name] = std::move(r);
      // Reshaped quantized weights keep a per-tensor scale; a per-axis one
      // would need its axis remapped, so it is dropped (no weight_scale).
      auto wq = weightQuant.find(node.inputs[0]);
      if (wq != weightQuant.end() && wq->second.scale.size() == 1)
        weightQuant[node.outputs[0]] = wq->second;
      return true;
    }
    for (const OnnxTensor *t : ins)
      if (t && onnx::isFloatElemType(t->elemType))
        return false; // otherwise only integer shape arithmetic is folded
    std::vector<int64_t> a = ins[0]->asInt64();
    const std::string &op = node.opType;
    if (op == "Identity" || op == "Cast") {
      out.intValues = a, out.dims = ins[0]->dims;
    } else if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape") {
      // Only the values matter for shape arithmetic; keep them flat.
      out.intValues = a, out.dims = {int64_t(a.size())};
      if (a.size() == 1 && op == "Squeeze")
        out.dims = {};
    } else if (op == "Concat") {
      for (const OnnxTensor *t : ins) {
        auto v = t->asInt64();
        out.intValues.insert(out.intValues.end(), v.begin(), v.end());
      }
      out.dims = {int64_t(out.intValues.size())};
    } else if (op == "Gather") {
      if (ins.size() < 2 || ins[0]->dims.size() > 1)
        return false;
      for (int64_t i : ins[1]->asInt64()) {
        if (i < 0)
          i += a.size();
        if (i < 0 || i >= int64_t(a.size()))
          return false;
        out.intValues.push_back(a[i]);
      }
      out.dims = ins[1]->dims;
    } else if (op == "Slice") {
      if (ins.size() < 3 || ins[0]->dims.size() != 1)
        return false;
      int64_t n = a.size(), start = ins[1]->asInt64().at(0), end = ins[2]->asInt64().at(0);
      int64_t step = ins.size() > 4 && ins[4] ? ins[4]->asInt64().at(0) : 1;
      if (step != 1)
        return false;
      start = std::clamp(start < 0 ? start + n : start, int64_t(0), n);
      end = std::clamp(end < 0 ? end + n : end, int64_t(0), n);
      out.intValues.assign(a.begin() + start, a.begin() + std::max(start, end));
      out.dims = {int64_t(out.intValues.size())};
    } else { // Add, Sub, Mul, Div with numpy broadcasting of a scalar
      if (ins.size() < 2)
        return false;
      std::vector<int64_t> b2 = ins[1]->asInt64();
      size_t n = std::max(a.size(), b2.size());
      if ((a.size() != n && a.size() != 1) || (b2.size() != n && b2.size() != 1))
        return false;
      for (size_t i = 0; i < n; ++i) {
        int64_t x = a[a.size() == 1 ? 0 : i], y = b2[b2.size() == 1 ? 0 : i];
        if (op == "Div" && y == 0)
          return false;
        out.intValues.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
      }
      out.dims = a.size() >= b2.size() ? ins[0]->dims : ins[1]->dims;
    }
  }
  for (int64_t v : out.intValues)
    out.values.push_back(double(v));
  folded[out.name] = std::move(out);
  return true;
}

llvm::Expected<OwningOpRef<ModuleOp>> Importer::run() {
  ctx.loadDialect<nn::NNDialect, func::FuncDialect>();
  // Every unsupported node is listed in one error, before anything is built.
  for (const OnnxNode &node : model.nodes)
    if (tryFoldConstantLayout(node) || tryFoldShapeNode(node) || tryFoldQuantNode(node))
      foldedNodes.insert(&node);
  std::vector<std::string> unsupported;
  for (const OnnxNode &node : model.nodes) {
    if (foldedNodes.count(&node))
      continue;
    if (!isSupportedOnnxNode(node.domain, node.opType))
      unsupported.push_back(llvm::formatv("node '{0}' ({1}{2})", oneLine(node.name),
                                          node.domain.empty() ? "" : oneLine(node.domain) + ".",
                                          oneLine(node.opType)));
  }
  if (!unsupported.empty())
    return fileError(llvm::formatv("unsupported ONNX op{0}: {1}; Loom supports {2}, "
                                   "com.microsoft QLinearAdd, QLinearGlobalAveragePool, "
                                   "QLinearConcat and QONNX Quant, BipolarQuant, Trunc",
                                   unsupported.size() > 1 ? "s" : "",
                                   llvm::join(unsupported, ", "),
                                   llvm::join(supportedOnnxOps(), ", ")));
  if (model.inputs.size() != 1 || model.outputs.size() != 1)
    return fileError(llvm::formatv("the graph has {0} inputs and {1} outputs; Loom compiles "
                                   "graphs with exactly one of each",
                                   model.inputs.size(), model.outputs.size()));

  OwningOpRef<ModuleOp> module = ModuleOp::create(b.getUnknownLoc());
  SmallVector<Type> argTypes;
  // Integer inputs (uint8 / int8 / ... data of quantized models) become f32
  // arguments holding integers, with their range as loom.int_range.
  std::vector<std::optional<std::pair<int64_t, int64_t>>> intRanges;
  for (const auto &in : model.inputs) {
    int64_t qmin = 0, qmax = 0;
    if (in.elemType != onnx::kFloat && !integerRange(in.elemType, qmin, qmax))
      return fileError("input '" + in.name + "' is " + onnx::elemTypeName(in.elemType) +
                       "; only float, uint8, int8, uint16, int16 and int32 inputs are supported");
    intRanges.push_back(in.elemType == onnx::kFloat
                            ? std::nullopt
                            : std::optional<std::pair<int64_t, int64_t>>({qmin, qmax}));
    if (!in.hasShape || in.dims.empty())
      return fileError("input '" + in.name + "' has no known shape; export the model with a "
                       "static input shape");
    SmallVector<int64_t> dims(in.dims.begin(), in.dims.end());
    // The batch (rows) is dimension 0, except for an input read by a Gemm with
    // transA = 1: that Gemm sees A^T, so dimension 0 is K (the features) and
    // the rows are dimension 1. Pinning dimension 0 there would change K.
    size_t batch = 0;
    std::string batchNote;
    if (dims.size() == 2)
      for (const OnnxNode *user : model.findConsumers(in.name))
        if (user->opType == "Gemm" && user->domain.empty() && !user->inputs.empty() &&
            user->inputs[0] == in.name && user->getInt("transA", 0)) {
          batch = 1;
          batchNote = " (dimension 1: Gemm '" + oneLine(user->name) +
                      "' reads this input transposed, transA = 1)";
        }
    // No batch to pin: a rank-1 input, or the [M, K] A operand of a MatMul
    // (directly or through one quantizer), whose M rows are one frame.
    bool rows = dims.size() == 1;
    if (dims.size() == 2 && dims[0] > 0)
      for (const OnnxNode *user : model.findConsumers(in.name)) {
        const OnnxNode *mm = user;
        if ((user->opType == "QuantizeLinear" || user->opType == "DequantizeLinear") &&
            !user->outputs.empty()) {
          auto next = model.findConsumers(user->outputs[0]);
          mm = next.size() == 1 ? next[0] : nullptr;
        }
        if (mm && mm->domain.empty() && !mm->inputs.empty() &&
            (mm->opType == "MatMul" || mm->opType == "QLinearMatMul" ||
             mm->opType == "MatMulInteger") &&
            (mm->inputs[0] == in.name || (mm != user && mm->inputs[0] == user->outputs[0])))
          rows = true;
      }
    // A 3-D A whose MatMul has one constant B per batch ([batch, K, N]): the
    // batch is part of the computation, so the whole A is one frame.
    if (dims.size() == 3 && dims[0] > 0)
      for (const OnnxNode *mm : model.findConsumers(in.name)) {
        size_t bIdx = mm->opType == "QLinearMatMul" ? 3 : 1;
        bool matmul = mm->domain.empty() && (mm->opType == "MatMul" ||
                                             mm->opType == "QLinearMatMul" ||
                                             mm->opType == "MatMulInteger");
        const OnnxTensor *bw = matmul && mm->inputs.size() > bIdx && mm->inputs[0] == in.name
                                   ? model.findInitializer(mm->inputs[bIdx])
                                   : nullptr;
        if (bw && bw->dims.size() == 3 && bw->dims[0] == dims[0])
          rows = true;
      }
    if (dims[batch] != 1 && !(rows && dims[batch] > 0)) {
      std::string what = dims[batch] < 0 ? "symbolic batch dimension"
                                         : "batch dimension " + std::to_string(dims[batch]);
      if (batch < in.dimParams.size() && !in.dimParams[batch].empty())
        what += " '" + in.dimParams[batch] + "'";
      warnings.push_back("input '" + in.name + "': " + what + batchNote +
                         " set to 1 (one frame per inference)");
      dims[batch] = 1;
    }
    for (size_t i = 0; i < dims.size(); ++i)
      if (i != batch && dims[i] <= 0)
        return fileError("input '" + in.name + "' dimension " + std::to_string(i) +
                         " is not static; export the model with a static input shape");
    argTypes.push_back(f32(dims));
  }
  b.setInsertionPointToEnd(module->getBody());
  std::string funcName = model.graphName.empty()
                             ? llvm::sys::path::stem(model.path).str()
                             : model.graphName;
  // Function type results are fixed after the body is built.
  auto func = b.create<func::FuncOp>(b.getUnknownLoc(), funcName, b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, in] : llvm::enumerate(model.inputs)) {
    values[in.name] = entry->getArgument(i);
    func.setArgAttr(i, "onnx.name", b.getStringAttr(in.name));
    if (intRanges[i])
      func.setArgAttr(i, "loom.int_range",
                      b.getDenseI64ArrayAttr({intRanges[i]->first, intRanges[i]->second}));
  }
  b.setInsertionPointToStart(entry);
  for (const OnnxNode &node : model.nodes)
    if (foldedNodes.count(&node))
      continue;
    else if (auto err = importNode(node))
      return std::move(err);

  SmallVector<Value> results;
  for (const auto &out : model.outputs) {
    Value v = lookup(out.name);
    if (!v)
      return fileError("graph output '" + out.name + "' is not computed by any node");
    results.push_back(v);
  }
  b.create<func::ReturnOp>(b.getUnknownLoc(), results);
  func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(model.outputs))
    func.setResultAttr(i, "onnx.name", b.getStringAttr(out.name));
  return std::move(module);
}

llvm::Error Importer::importNode(const OnnxNode &node) {
  const std::string &op = node.opType;
  if (node.outputs.empty() || node.outputs[0].empty())
    return nodeError(node, "has no output; remove the node or give it an output");
  if (node.inputs.empty() || node.inputs[0].empty())
    return nodeError(node, "has no input; Loom needs an activation input for every node");
  if (op == "Gemm" || op == "MatMul")
    return importGemm(node, op == "MatMul");
  if (isQuantNode(node))
    return importQuant(node);
  if (isQonnxDomain(node.domain) && op == "Trunc")
    return importTrunc(node);
  if (op == "QLinearConv" || op == "ConvInteger")
    return importQLinearConv(node);
  if (op == "QLinearMatMul" || op == "MatMulInteger")
    return importQLinearMatMul(node);
  if (op == "QLinearAdd")
    return importQLinearAdd(node);
  if (op == "QLinearGlobalAveragePool" || op == "QLinearConcat")
    return importQLinearPoolConcat(node);

  // Add and Mul are commutative: Add(const, x) is imported as Add(x, const).
  std::string inName = node.inputs[0], otherName = node.inputs.size() > 1 ? node.inputs[1] : "";
  bool arith = op == "Add" || op == "Sub" || op == "Mul" || op == "Div";
  if ((op == "Add" || op == "Mul") && !lookup(inName) && constant(inName) && !otherName.empty() &&
      lookup(otherName))
    std::swap(inName, otherName);
  Value in = lookup(inName);
  if (!in)
    return nodeError(node, "its first input '" + oneLine(inName) +
                               "' is a constant or unknown; Loom streams activations only");
  SmallVector<int64_t> shape(shapeOf(in));
  Operation *result = nullptr;
  if (op == "Conv" || op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
      op == "GlobalMaxPool")
    return importWindowed(node, in);
  if (op == "Relu") {
    result = b.create<nn::ReluOp>(loc(node), in.getType(), in);
  } else if (op == "Sigmoid") {
    result = b.create<nn::SigmoidOp>(loc(node), in.getType(), in);
  } else if (op == "Tanh") {
    result = b.create<nn::TanhOp>(loc(node), in.getType(), in);
  } else if (op == "LeakyRelu") {
    result = b.create<nn::LeakyReluOp>(loc(node), in.getType(), in,
                                       b.getF64FloatAttr(node.getFloat("alpha", 0.01)),
                                       IntegerAttr(), IntegerAttr(), DenseF64ArrayAttr(),
                                       DenseI64ArrayAttr());
  } else if (op == "PRelu") {
    // A constant slope shared by all elements is a LeakyRelu; slopes that vary
    // only over the channels (axis 1, after ONNX broadcasting) give `alphas`,
    // one multiplier per channel in hardware (a table beside the bias).
    const OnnxTensor *t = node.inputs.size() > 1 ? constant(node.inputs[1]) : nullptr;
    if (!t || t->values.empty())
      return nodeError(node, "the slope must be a constant");
    double slope = t->values[0];
    DenseF64ArrayAttr alphas;
    if (llvm::any_of(t->values, [&](double v) { return v != slope; })) {
      FailureOr<SmallVector<double>> ch = perChannelSlopes(*t, shape);
      if (failed(ch))
        return nodeError(node, "slopes of shape " + shapeStr(t->dims) +
                                   " vary over positions other than the channel axis 1 of "
                                   "the input " + shapeStr(shape) +
                                   "; only one slope per channel is supported");
      alphas = b.getDenseF64ArrayAttr(*ch);
      slope = 0.0;  // unused with alphas
    }
    result = b.create<nn::LeakyReluOp>(loc(node), in.getType(), in, b.getF64FloatAttr(slope),
                                       IntegerAttr(), IntegerAttr(), alphas,
                                       DenseI64ArrayAttr());
  } else if (op == "Elu") {
    result = b.create<nn::EluOp>(loc(node), in.getType(), in,
                                 b.getF64FloatAttr(node.getFloat("alpha", 1.0)));
  } else if (op == "Selu") {
    result = b.create<nn::SeluOp>(
        loc(node), in.getType(), in,
        b.getF64FloatAttr(node.getFloat("alpha", 1.67326319217681884765625)),
        b.getF64FloatAttr(node.getFloat("gamma", 1.05070102214813232421875)));
  } else if (op == "HardSigmoid") {
    // ONNX's defaults are float attributes: 0.2f, 0.5f.
    result = b.create<nn::HardSigmoidOp>(loc(node), in.getType(), in,
                                         b.getF64FloatAttr(node.getFloat("alpha", double(0.2f))),
                                         b.getF64FloatAttr(node.getFloat("beta", 0.5)));
  } else if (op == "HardSwish") {
    result = b.create<nn::HardSwishOp>(loc(node), in.getType(), in);
  } else if (op == "Clip") {
    // Clip-6 and later take the bounds as inputs, Clip-1..6 as attributes.
    double lo = node.getFloat("min", -3.4e38), hi = node.getFloat("max", 3.4e38);
    for (int i : {1, 2})
      if (node.inputs.size() > size_t(i) && !node.inputs[i].empty()) {
        const OnnxTensor *t = constant(node.inputs[i]);
        if (!t || t->values.size() != 1)
          return nodeError(node, "the bounds must be scalar constants");
        (i == 1 ? lo : hi) = t->values[0];
      }
    result = b.create<nn::ClipOp>(loc(node), in.getType(), in, b.getF64FloatAttr(lo),
                                  b.getF64FloatAttr(hi));
  } else if (op == "Pad") {
    std::string mode = node.getString("mode", "constant");
    std::vector<int64_t> pads = node.getInts("pads");
    if (node.inputs.size() > 1) {
      const OnnxTensor *t = constant(node.inputs[1]);
      if (!t)
        return nodeError(node, "pads must be a constant");
      pads = t->asInt64();
    }
    double value = node.getFloat("value", 0.0);
    if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
      const OnnxTensor *t = constant(node.inputs[2]);
      value = t && !t->values.empty() ? t->values[0] : 1.0;
    }
    if (mode != "constant" || value != 0.0)
      return nodeError(node, "only zero padding is supported (mode 'constant', value 0)");
    if (shape.size() != 4 || pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5])
      return nodeError(node, "only padding of H and W of an NCHW tensor is supported");
    if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
      return nodeError(node, "negative pads (cropping) are not supported");
    SmallVector<int64_t> out = {shape[0], shape[1], shape[2] + pads[2] + pads[6],
                                shape[3] + pads[3] + pads[7]};
    result = b.create<nn::PadOp>(loc(node), f32(out), in,
                                 b.getDenseI64ArrayAttr({pads[2], pads[3], pads[6], pads[7]}));
  } else if (op == "Resize" || op == "Upsample") {
    // Nearest-neighbour resizing by integer factors of H and W only: every
    // output pixel (oh, ow) must read input pixel (oh / sh, ow / sw), i.e. the
    // coordinate transformation and rounding reduce to plain repetition.
    std::string mode = node.getString("mode", "nearest");
    if (mode != "nearest")
      return nodeError(node, "only mode 'nearest' is supported, got '" + mode + "'");
    std::vector<double> scales;
    std::vector<int64_t> sizes;
    if (op == "Upsample") {
      scales = node.getFloats("scales");
      if (node.inputs.size() > 1) {
        const OnnxTensor *t = constant(node.inputs[1]);
        if (!t)
          return nodeError(node, "scales must be a constant");
        scales = t->values;
      }
    } else {
      // Resize-10: (X, scales); Resize-11+: (X, roi, scales, sizes).
      size_t si = node.inputs.size() == 2 ? 1 : 2;
      if (node.inputs.size() > si && !node.inputs[si].empty()) {
        const OnnxTensor *t = constant(node.inputs[si]);
        if (!t)
          return nodeError(node, "scales must be a constant");
        scales = t->values;
      }
      if (node.inputs.size() > 3 && !node.inputs[3].empty()) {
        const OnnxTensor *t = constant(node.inputs[3]);
        if (!t)
          return nodeError(node, "sizes must be a constant");
        sizes = t->asInt64();
      }
    }
    if (shape.size() != 4)
      return nodeError(node, "only resizing of NCHW feature maps is supported");
    if (scales.empty() && sizes.size() == 4)
      for (size_t i = 0; i < 4; ++i)
        scales.push_back(double(sizes[i]) / double(shape[i]));
    if (scales.size() != 4)
      return nodeError(node, "needs 4 scales (or sizes)");
    if (scales[0] != 1.0 || scales[1] != 1.0)
      return nodeError(node, "only H and W may be resized");
    reference::CoordMode cm = reference::CoordMode::Asymmetric;
    reference::NearestMode nm = reference::NearestMode::Floor;
    if (op == "Resize") {
      if (!reference::parseCoordMode(node.getString("coordinate_transformation_mode", "half_pixel"),
                                     cm))
        return nodeError(node, "unsupported coordinate_transformation_mode '" +
                                   node.getString("coordinate_transformation_mode") + "'");
      if (!reference::parseNearestMode(node.getString("nearest_mode", "round_prefer_floor"), nm))
        return nodeError(node, "unsupported nearest_mode '" + node.getString("nearest_mode") +
                                   "'");
    }
    int64_t f[2];
    for (int a = 0; a < 2; ++a) {
      double s = scales[2 + a];
      int64_t in = shape[2 + a];
      f[a] = int64_t(s);
      if (double(f[a]) != s || f[a] < 1)
        return nodeError(node, "only integer scale factors >= 1 of H and W are supported");
      int64_t out = in * f[a];
      if (!sizes.empty() && sizes.size() == 4 && sizes[2 + a] != out)
        return nodeError(node, "sizes do not match an integer scale factor");
      for (int64_t o = 0; o < out; ++o)
        if (reference::nearestSourceIndex(o, in, out, s, cm, nm) != o / f[a])
          return nodeError(node, "this coordinate_transformation_mode / nearest_mode is not "
                                 "plain pixel repetition (use asymmetric + floor, or "
                                 "half_pixel + round_prefer_floor)");
    }
    SmallVector<int64_t> out = {shape[0], shape[1], shape[2] * f[0], shape[3] * f[1]};
    result = b.create<nn::ResizeOp>(loc(node), f32(out), in, b.getDenseI64ArrayAttr({f[0], f[1]}));
  } else if (op == "Concat") {
    // nn.concat joins two tensors; more inputs (Inception branches) become a
    // chain ((a, b), c), ... which is the same tensor.
    if (node.inputs.size() < 2)
      return nodeError(node, "needs at least two inputs");
    int64_t axis = node.getInt("axis", 1);
    if (axis < 0)
      axis += shape.size();
    Value acc = in;
    SmallVector<int64_t> out = shape;
    for (size_t i = 1; i < node.inputs.size(); ++i) {
      Value rhs = lookup(node.inputs[i]);
      if (!rhs)
        return nodeError(node, "every input must be an activation");
      SmallVector<int64_t> rs(shapeOf(rhs));
      if (rs.size() != shape.size() || axis < 0 || axis >= int64_t(shape.size()))
        return nodeError(node, "inputs must have the same rank and a valid axis");
      out[axis] += rs[axis];
      result = b.create<nn::ConcatOp>(loc(node), f32(out), acc, rhs, b.getI64IntegerAttr(axis));
      acc = result->getResult(0);
      if (i + 1 < node.inputs.size())
        name(result, node);
    }
  } else if (op == "Identity") {
    result = b.create<nn::IdentityOp>(loc(node), in.getType(), in);
  } else if (op == "Dropout") {
    // Dropout is the identity only in inference mode: training_mode (input 2,
    // opset >= 12) absent or a constant false, or a dropout ratio of 0.
    // Training mode draws a random mask, which no accelerator reproduces.
    if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
      const OnnxTensor *mode = constant(node.inputs[2]);
      const OnnxTensor *ratio = node.inputs.size() > 1 && !node.inputs[1].empty()
                                    ? constant(node.inputs[1])
                                    : nullptr;
      bool zeroRatio = ratio && ratio->numElements() == 1 && ratio->values[0] == 0.0;
      if (!mode || mode->numElements() != 1)
        return nodeError(node, "training_mode must be a constant (false); export the model "
                               "in inference mode (model.eval())");
      if (mode->values[0] != 0.0 && !zeroRatio)
        return nodeError(node, "training_mode is true (random dropout); export the model in "
                               "inference mode (model.eval()) so Dropout is the identity");
    }
    result = b.create<nn::IdentityOp>(loc(node), in.getType(), in);
  } else if (op == "Softmax") {
    int64_t rank = shape.size();
    const int64_t rawAxis = node.getInt("axis", model.opset >= 13 ? -1 : 1);
    int64_t axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
    if (axis < 0 || axis >= rank)
      return nodeError(node, "axis " + std::to_string(rawAxis) + " is out of range for rank " +
                                 std::to_string(rank));
    // Before opset 13 Softmax flattens to 2-D at `axis`; both forms reduce over
    // the last axis when every dimension between `axis` and the end but the
    // last is 1, and all dimensions before `axis` are 1 (one frame).
    for (int64_t d = 0; d < rank - 1; ++d)
      if (shape[d] != 1 && (model.opset >= 13 || d >= axis))
        return nodeError(node, "softmax over axis " + std::to_string(axis) + " of shape with "
                               "non-unit leading dimensions is not supported");
    if (model.opset >= 13 && axis != rank - 1 && shape[axis] != 1)
      return nodeError(node, "softmax must be over the last axis");
    // Opset >= 13 reduces over `axis` alone: over a size-1 axis the result is
    // 1.0 everywhere, not the last-axis softmax nn.softmax computes.
    if (model.opset >= 13 && axis != rank - 1)
      return nodeError(node, "softmax over axis " + std::to_string(axis) + " of size 1 is 1.0 "
                             "everywhere; apply it over the last axis (axis = -1) or remove it");
    result = b.create<nn::SoftmaxOp>(loc(node), in.getType(), in);
  } else if (op == "Flatten") {
    const int64_t rawAxis = node.getInt("axis", 1);
    int64_t axis = rawAxis < 0 ? rawAxis + int64_t(shape.size()) : rawAxis;
    if (axis < 0 || axis > int64_t(shape.size()))
      return nodeError(node, "axis " + std::to_string(rawAxis) + " is out of range for rank " +
                                 std::to_string(shape.size()));
    int64_t outer = product(ArrayRef<int64_t>(shape).take_front(axis));
    return reshapeTo(node, in, {outer, product(shape) / outer});
  } else if (op == "Reshape") {
    const OnnxTensor *target = node.inputs.size() > 1 ? constant(node.inputs[1]) : nullptr;
    if (!target)
      return nodeError(node, "the target shape must be a constant");
    SmallVector<int64_t> dims;
    int64_t known = 1, infer = -1;
    std::vector<int64_t> t = target->asInt64();
    for (size_t i = 0; i < t.size(); ++i) {
      int64_t d = t[i];
      if (d == 0 && !node.getInt("allowzero", 0))
        d = i < shape.size() ? shape[i] : 1;
      if (d == -1)
        infer = i;
      else
        known *= d;
      dims.push_back(d);
    }
    if (infer >= 0 && known > 0)
      dims[infer] = product(shape) / known;
    return reshapeTo(node, in, dims);
  } else if (op == "Squeeze" || op == "Unsqueeze") {
    std::vector<int64_t> axes = node.getInts("axes");
    if (node.inputs.size() > 1) {
      const OnnxTensor *a = constant(node.inputs[1]);
      if (!a)
        return nodeError(node, "axes must be a constant");
      axes = a->asInt64();
    }
    int64_t outRank = op == "Squeeze" ? shape.size() : shape.size() + axes.size();
    for (int64_t a : axes)
      if (a < -outRank || a >= outRank)
        return nodeError(node, "axis " + std::to_string(a) + " is out of range for rank " +
                                   std::to_string(outRank));
    SmallVector<int64_t> dims;
    if (op == "Squeeze") {
      int64_t rank = shape.size();
      for (int64_t d = 0; d < rank; ++d) {
        bool listed = llvm::any_of(axes, [&](int64_t a) { return (a < 0 ? a + rank : a) == d; });
        if (!(listed || (axes.empty() && shape[d] == 1)) || d == 0)
          dims.push_back(shape[d]);
      }
    } else {
      int64_t rank = shape.size() + axes.size();
      size_t src = 0;
      for (int64_t d = 0; d < rank; ++d) {
        bool listed = llvm::any_of(axes, [&](int64_t a) { return (a < 0 ? a + rank : a) == d; });
        if (!listed && src >= shape.size())
          return nodeError(node, "axes repeat an axis");
        dims.push_back(listed ? 1 : shape[src++]);
      }
    }
    return reshapeTo(node, in, dims);
  } else if (op == "Transpose") {
    std::vector<int64_t> perm = node.getInts("perm");
    if (perm.empty())
      for (int64_t d = shape.size() - 1; d >= 0; --d)
        perm.push_back(d);
    SmallVector<int64_t> sorted(perm.begin(), perm.end());
    llvm::sort(sorted);
    for (size_t d = 0; d < sorted.size(); ++d)
      if (sorted.size() != shape.size() || sorted[d] != int64_t(d))
        return nodeError(node, "perm is not a permutation of the " +
                                   std::to_string(shape.size()) + " dimensions");
    SmallVector<int64_t> dims, order;
    for (int64_t p : perm) {
      dims.push_back(shape[p]);
      if (shape[p] != 1)
        order.push_back(p);
    }
    if (!llvm::is_sorted(order)) {
      // A real permutation: kept as nn.transpose; the lowering absorbs the
      // ones that only change layout (NHWC <-> NCHW around convolutions).
      auto t = b.create<nn::TransposeOp>(loc(node), f32(dims), in, b.getDenseI64ArrayAttr(perm));
      name(t, node);
      values[node.outputs[0]] = t;
      return llvm::Error::success();
    }
    return reshapeTo(node, in, dims);
  } else if (arith) {
    Value other = otherName.empty() ? Value() : lookup(otherName);
    const OnnxTensor *c = otherName.empty() ? nullptr : constant(otherName);
    if (!c && !other)
      return nodeError(node, "second input is missing or unknown");
    if (!c && (op == "Add" || op == "Mul") && !broadcastPixels(node, in, other))
      return nodeError(node, std::string(op == "Add" ? "adding" : "multiplying") +
                                 " activations of different shapes is only supported when one "
                                 "is [N, C, 1, 1] and the other [N, C, H, W]");
    if (!c && op == "Add") {
      result = b.create<nn::AddActOp>(loc(node), in.getType(), in, other, nullptr, nullptr,
                                      nullptr);
      name(result, node);
      values[node.outputs[0]] = result->getResult(0);
      return llvm::Error::success();
    }
    if (!c && op == "Mul") {
      result = b.create<nn::MulActOp>(loc(node), in.getType(), in, other, b.getI64IntegerAttr(0));
      name(result, node);
      values[node.outputs[0]] = result->getResult(0);
      return llvm::Error::success();
    }
    if (!c)
      return nodeError(node, "combining two activations is only supported for Add and Mul");
    // x - c is x + (-c); x / c is x * (1/c).
    std::vector<float> vals;
    for (double v : c->values)
      vals.push_back(float(op == "Sub" ? -v : op == "Div" ? 1.0 / v : v));
    SmallVector<int64_t> cdims(c->dims.begin(), c->dims.end());
    // Numpy broadcasting: the result may be larger than the activation (e.g.
    // [1, 10] + [3, 10] is [3, 10]); nn.add keeps the activation's type, so
    // such an Add cannot be expressed.
    size_t outRank = std::max(shape.size(), cdims.size());
    SmallVector<int64_t> outShape(outRank, 1);
    for (size_t i = 0; i < outRank; ++i) {
      int64_t a = i < shape.size() ? shape[shape.size() - 1 - i] : 1;
      int64_t d = i < cdims.size() ? cdims[cdims.size() - 1 - i] : 1;
      if (a != d && a != 1 && d != 1)
        return nodeError(node, "the constant " + oneLine(c->describe()) +
                                   " does not broadcast with the activation");
      outShape[outRank - 1 - i] = std::max(a, d);
    }
    if (ArrayRef<int64_t>(outShape) != ArrayRef<int64_t>(shape))
      return nodeError(node, "the constant broadcasts the activation to a larger shape; only "
                             "constants that broadcast to the activation's shape are supported "
                             "(e.g. one value per feature)");
    auto cst = b.create<nn::ConstantOp>(loc(node), f32(cdims), f32Attr(cdims, vals));
    if (op == "Add" || op == "Sub")
      result = b.create<nn::AddOp>(loc(node), in.getType(), in, cst);
    else
      result = b.create<nn::MulOp>(loc(node), in.getType(), in, cst);
  } else if (op == "BatchNormalization") {
    int64_t channels = shape.size() > 1 ? shape[1] : 0;
    std::vector<float> params[4];
    for (int i = 0; i < 4; ++i) {
      const OnnxTensor *t = node.inputs.size() > size_t(i + 1) ? constant(node.inputs[i + 1]) : nullptr;
      if (!t || t->numElements() != channels)
        return nodeError(node, "scale, bias, mean and variance must be constants of size " +
                                   std::to_string(channels));
      params[i].assign(t->values.begin(), t->values.end());
    }
    result = b.create<nn::BatchNormOp>(
        loc(node), in.getType(), in, f32Attr({channels}, params[0]), f32Attr({channels}, params[1]),
        f32Attr({channels}, params[2]), f32Attr({channels}, params[3]),
        b.getF32FloatAttr(float(node.getFloat("epsilon", 1e-5))));
  } else {
    return nodeError(node, "not supported");
  }
  name(result, node);
  values[node.outputs[0]] = result->getResult(0);
  return llvm::Error::success();
}

llvm::Error Importer::reshapeTo(const OnnxNode &node, Value in, SmallVector<int64_t> shape) {
  if (product(shape) != product(shapeOf(in)) || llvm::any_of(shape, [](int64_t d) { return d <= 0; }))
    return nodeError(node, "cannot reshape a frame of " + std::to_string(product(shapeOf(in))) +
                               " elements to the requested shape");
  auto op = b.create<nn::ReshapeOp>(loc(node), f32(shape), in);
  name(op, node);
  values[node.outputs[0]] = op;
  return llvm::Error::success();
}

llvm::Expected<SmallVector<int64_t>>
Importer::windowShape(const OnnxNode &node, ArrayRef<int64_t> in, int64_t outChannels,
                      ArrayRef<int64_t> kernel, SmallVector<int64_t> &strides,
                      SmallVector<int64_t> &dilations, SmallVector<int64_t> &pads,
                      bool ceilAllowed) {
  auto get2 = [&](const char *attr) {
    std::vector<int64_t> v = node.getInts(attr, {1, 1});
    return SmallVector<int64_t>(v.begin(), v.end());
  };
  strides = get2("strides");
  dilations = get2("dilations");
  if (strides.size() != 2 || dilations.size() != 2)
    return nodeError(node, "strides and dilations must have 2 values");
  reference::AutoPad autoPad;
  if (!reference::parseAutoPad(node.getString("auto_pad", "NOTSET"), autoPad))
    return nodeError(node, "unknown auto_pad '" + node.getString("auto_pad") + "'");
  std::vector<int64_t> p = reference::resolvePads({in[2], in[3]}, {kernel[0], kernel[1]},
                                                  {strides[0], strides[1]},
                                                  {dilations[0], dilations[1]}, autoPad,
                                                  node.getInts("pads"));
  if (p.size() != 4)
    return nodeError(node, "pads must have 4 values");
  // ONNX order [top, left, bottom, right] is also ours.
  pads.assign(p.begin(), p.end());
  SmallVector<int64_t> out = {1, outChannels, 0, 0};
  for (int i = 0; i < 2; ++i) {
    int64_t floorOut = reference::windowOutSize(in[2 + i], kernel[i], strides[i], dilations[i],
                                                pads[i], pads[2 + i], false);
    int64_t ceilOut = reference::windowOutSize(in[2 + i], kernel[i], strides[i], dilations[i],
                                               pads[i], pads[2 + i], node.getInt("ceil_mode", 0));
    if (ceilOut != floorOut) {
      if (!ceilAllowed)
        return nodeError(node, "ceil_mode with count_include_pad is not supported");
      // ceil_mode == extra end padding whose positions are never valid.
      pads[2 + i] += (ceilOut - floorOut) * strides[i];
    }
    out[2 + i] = ceilOut;
    if (ceilOut < 1)
      return nodeError(node, "the window is larger than the padded input");
  }
  return out;
}

/// Conv and pooling: NCHW in, NCHW out. 1-D (N, C, L) is H = 1.
llvm::Error Importer::importWindowed(const OnnxNode &node, Value in) {
  const std::string &op = node.opType;
  SmallVector<int64_t> shape(shapeOf(in));
  if (shape.size() == 3) { // 1-D: view as H = 1
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({shape[0], shape[1], 1, shape[2]}), in);
    name(r, node);
    in = r;
    shape = {shape[0], shape[1], 1, shape[2]};
  }
  if (shape.size() != 4)
    return nodeError(node, "expects a 1-D or 2-D feature map (rank 3 or 4), got rank " +
                               std::to_string(shape.size()));
  auto as2d = [](std::vector<int64_t> v, int64_t dflt) {
    if (v.size() == 1)
      v.insert(v.begin(), dflt);
    return v;
  };
  SmallVector<int64_t> strides, dilations, pads;
  Operation *result = nullptr;
  bool was1d = shapeOf(lookup(node.inputs[0])).size() == 3;
  auto fix1d = [&](OnnxNode n) {
    // 1-D attributes gain the H = 1 dimension.
    if (!was1d)
      return n;
    for (const char *a : {"strides", "dilations", "kernel_shape"})
      if (n.hasAttr(a))
        n.attrs[a].ints = as2d(n.attrs[a].ints, 1);
    if (n.hasAttr("pads") && n.attrs["pads"].ints.size() == 2)
      n.attrs["pads"].ints = {0, n.attrs["pads"].ints[0], 0, n.attrs["pads"].ints[1]};
    return n;
  };
  OnnxNode n2 = fix1d(node);
  // QLinearConv / ConvInteger arrive here rewritten to (x, w, b) operands.
  if (op == "Conv" || op == "QLinearConv" || op == "ConvInteger") {
    const OnnxTensor *w = node.inputs.size() > 1 ? constant(node.inputs[1]) : nullptr;
    if (!w)
      return nodeError(node, "the weights must be a constant");
    std::vector<int64_t> wd = w->dims;
    if (wd.size() == 3)
      wd = {wd[0], wd[1], 1, wd[2]};
    if (wd.size() != 4)
      return nodeError(node, "weights must be OIHW");
    int64_t group = node.getInt("group", 1);
    if (group < 1 || shape[1] % group || wd[1] * group != shape[1])
      return nodeError(node, "group does not match the channels");
    auto out = windowShape(n2, shape, wd[0], {wd[2], wd[3]}, strides, dilations, pads, false);
    if (!out)
      return out.takeError();
    std::vector<float> wv(w->values.begin(), w->values.end()), bv(wd[0], 0.0f);
    if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
      const OnnxTensor *bt = constant(node.inputs[2]);
      if (!bt || bt->numElements() != wd[0])
        return nodeError(node, "the bias must be a constant with one value per output channel");
      bv.assign(bt->values.begin(), bt->values.end());
    }
    auto ws = weightScaleFor(node, node.inputs[1], 0, wd[0], 1.0);
    if (!ws)
      return ws.takeError();
    result = b.create<nn::ConvOp>(loc(node), f32(*out), in, f32Attr(wd, wv), f32Attr({wd[0]}, bv),
                                  b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(dilations),
                                  b.getDenseI64ArrayAttr(pads), b.getI64IntegerAttr(group), *ws);
  } else {
    bool global = op == "GlobalAveragePool" || op == "GlobalMaxPool";
    bool isMax = op == "MaxPool" || op == "GlobalMaxPool";
    if (isMax && node.outputs.size() > 1 && !node.outputs[1].empty())
      return nodeError(node, "the Indices output is not supported");
    std::vector<int64_t> k = global ? std::vector<int64_t>{shape[2], shape[3]}
                                    : n2.getInts("kernel_shape");
    if (k.size() != 2)
      return nodeError(node, "kernel_shape must have 1 or 2 values");
    bool includePad = node.getInt("count_include_pad", 0);
    auto out = windowShape(n2, shape, shape[1], k, strides, dilations, pads, isMax || !includePad);
    if (!out)
      return out.takeError();
    if (isMax)
      result = b.create<nn::MaxPoolOp>(loc(node), f32(*out), in, b.getDenseI64ArrayAttr(k),
                                       b.getDenseI64ArrayAttr(strides),
                                       b.getDenseI64ArrayAttr(dilations),
                                       b.getDenseI64ArrayAttr(pads));
    else {
      if (dilations[0] != 1 || dilations[1] != 1)
        return nodeError(node, "dilated average pooling is not supported");
      result = b.create<nn::AvgPoolOp>(loc(node), f32(*out), in, b.getDenseI64ArrayAttr(k),
                                       b.getDenseI64ArrayAttr(strides),
                                       b.getDenseI64ArrayAttr(pads), b.getBoolAttr(includePad),
                                       IntegerAttr(), b.getStringAttr("half_even"));
    }
  }
  name(result, node);
  Value v = result->getResult(0);
  if (was1d) { // back to (N, C, L)
    auto t = llvm::cast<RankedTensorType>(v.getType());
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({1, t.getDimSize(1), t.getDimSize(3)}), v);
    name(r, node);
    v = r;
  }
  values[node.outputs[0]] = v;
  return llvm::Error::success();
}

/// Gemm: Y = alpha * A' * B' + beta * C; MatMul: Y = A * B. B must be a
/// constant (the weights); the result is one nn.dense with weight [N, K].
llvm::Error Importer::importGemm(const OnnxNode &node, bool matmul) {
  Value a = lookup(node.inputs[0]);
  const OnnxTensor *bt = node.inputs.size() > 1 ? constant(node.inputs[1]) : nullptr;
  if (!a)
    return nodeError(node, "input A must be an activation (the weights must be input B)");
  if (!bt)
    return nodeError(node, "input B must be a constant weight matrix; products of two "
                           "activations are not supported");
  SmallVector<int64_t> ashape(shapeOf(a));
  bool transA = !matmul && node.getInt("transA", 0);
  bool transB = !matmul && node.getInt("transB", 0);
  double alpha = matmul ? 1.0 : node.getFloat("alpha", 1.0);
  double beta = matmul ? 1.0 : node.getFloat("beta", 1.0);
  // One frame: A is [M, K] (M rows, usually 1), or [K, 1] with transA (the
  // run() pins the batch dimension of such an input to 1 accordingly).
  if (ashape.size() != 2 || (transA && ashape[1] != 1)) {
    std::string got;
    for (int64_t d : ashape)
      got += (got.empty() ? "" : ", ") + std::to_string(d);
    return nodeError(node, std::string("input A must be ") +
                               (transA ? "a single column [K, 1] (transA = 1)"
                                       : "a 2-D matrix [M, K]") +
                               " (one frame), got [" + got + "]");
  }
  if (bt->dims.size() != 2)
    return nodeError(node, "weight B must be 2-D");
  int64_t k = transA ? ashape[0] : ashape[1];
  int64_t n = transB ? bt->dims[0] : bt->dims[1];
  if ((transB ? bt->dims[1] : bt->dims[0]) != k)
    return nodeError(node, "weight B does not match the " + std::to_string(k) + " input features");
  if (transA) {
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({1, k}), a);
    name(r, node);
    a = r;
  }
  std::vector<float> w(n * k), bias(n, 0.0f);
  for (int64_t o = 0; o < n; ++o)
    for (int64_t i = 0; i < k; ++i)
      w[o * k + i] = float(alpha * bt->values[transB ? o * k + i : i * n + o]);
  if (!matmul && node.inputs.size() > 2 && !node.inputs[2].empty()) {
    const OnnxTensor *c = constant(node.inputs[2]);
    if (!c)
      return nodeError(node, "bias C must be a constant");
    int64_t cn = c->numElements();
    // C broadcasts to the [1, N] result only if every dimension but the last
    // is 1: an [N, 1] C has N values but would make the result [N, N].
    bool perFeature = c->dims.empty() ||
                      (c->dims.size() <= 2 && llvm::all_of(ArrayRef<int64_t>(c->dims).drop_back(),
                                                           [](int64_t d) { return d == 1; }));
    if ((cn != 1 && cn != n) || !perFeature)
      return nodeError(node, "bias C must broadcast per output feature ([N], [1, N] or one "
                             "value)");
    for (int64_t o = 0; o < n; ++o)
      bias[o] = float(beta * c->values[cn == 1 ? 0 : o]);
  }
  auto ws = weightScaleFor(node, node.inputs[1], matmul || !transB ? 1 : 0, n, std::fabs(alpha));
  if (!ws)
    return ws.takeError();
  int64_t rows = transA ? 1 : ashape[0];
  auto dense = b.create<nn::DenseOp>(loc(node), f32({rows, n}), a, f32Attr({n, k}, w),
                                     f32Attr({n}, bias), *ws);
  name(dense, node);
  values[node.outputs[0]] = dense;
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Quantized models: QDQ, QOperator, QONNX (docs/CONTRACTS.md "Affine integer
// graphs", float level). Quantized constants are folded to floats here;
// activations get nn.quantize_linear / nn.dequantize_linear.
//===----------------------------------------------------------------------===//

bool Importer::isQuantNode(const OnnxNode &node) {
  if (node.domain.empty())
    return node.opType == "QuantizeLinear" || node.opType == "DequantizeLinear";
  return isQonnxDomain(node.domain) && (node.opType == "Quant" || node.opType == "BipolarQuant");
}

/// A quantizer on a constant (weights, biases) is evaluated here. Bit widths
/// up to 32 are accepted on constants (Brevitas exports 32-bit biases); the
/// activation limit of 16 applies to the quantizers that remain. Invalid
/// parameters leave the node to importQuant, which reports them.
bool Importer::tryFoldQuantNode(const OnnxNode &node) {
  if (!isQuantNode(node) || node.inputs.empty() || node.outputs.size() != 1)
    return false;
  const OnnxTensor *x = constant(node.inputs[0]);
  if (!x)
    return false;
  auto q = readQuantParams(
      node, x->dims.size(), [&](const std::string &n) { return constant(n); }, 32);
  if (!q) {
    llvm::consumeError(q.takeError());
    return false;
  }
  if (q->scale.size() > 1 && (q->axis >= int64_t(x->dims.size()) ||
                              x->dims[q->axis] != int64_t(q->scale.size())))
    return false;
  OnnxTensor out;
  if (node.opType == "QuantizeLinear")
    out = quantizeTensor(*x, *q);
  else if (node.opType == "DequantizeLinear")
    out = dequantizeTensor(*x, *q);
  else
    out = dequantizeTensor(quantizeTensor(*x, *q), *q);
  out.name = node.outputs[0];
  if (node.opType != "QuantizeLinear")
    weightQuant[out.name] = *q;
  folded[out.name] = std::move(out);
  return true;
}

/// Identity and Transpose of a constant of any type (exporters such as
/// tf2onnx transpose dequantized weights into ONNX's layout): evaluated here,
/// and a quantized constant's scale follows its axis.
bool Importer::tryFoldConstantLayout(const OnnxNode &node) {
  if (!node.domain.empty() || (node.opType != "Identity" && node.opType != "Transpose") ||
      node.inputs.empty() || node.outputs.size() != 1)
    return false;
  const OnnxTensor *x = constant(node.inputs[0]);
  if (!x)
    return false;
  OnnxTensor out = *x;
  out.name = node.outputs[0];
  auto wq = weightQuant.find(node.inputs[0]);
  std::optional<QuantParams> q;
  if (wq != weightQuant.end())
    q = wq->second;
  if (node.opType == "Transpose") {
    size_t rank = x->dims.size();
    std::vector<int64_t> perm = node.getInts("perm");
    if (perm.empty())
      for (int64_t d = int64_t(rank) - 1; d >= 0; --d)
        perm.push_back(d);
    std::vector<int64_t> sorted = perm;
    llvm::sort(sorted);
    for (size_t d = 0; d < sorted.size(); ++d)
      if (sorted.size() != rank || sorted[d] != int64_t(d))
        return false; // importNode reports the bad perm
    std::vector<int64_t> inStride(rank, 1);
    for (int64_t d = int64_t(rank) - 2; d >= 0; --d)
      inStride[d] = inStride[d + 1] * x->dims[d + 1];
    for (size_t d = 0; d < rank; ++d)
      out.dims[d] = x->dims[perm[d]];
    int64_t n = x->numElements();
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t src = 0;
      for (size_t d = 0; d < rank; ++d)
        src += idx[d] * inStride[perm[d]];
      out.values[i] = x->values[src];
      if (!x->intValues.empty())
        out.intValues[i] = x->intValues[src];
      for (int64_t d = int64_t(rank) - 1; d >= 0; --d)
        if (++idx[d] < out.dims[d])
          break;
        else
          idx[d] = 0;
    }
    if (q && q->scale.size() > 1)
      for (size_t d = 0; d < rank; ++d)
        if (perm[d] == q->axis) {
          q->axis = int64_t(d);
          break;
        }
  }
  if (q)
    weightQuant[out.name] = *q;
  folded[out.name] = std::move(out);
  return true;
}

llvm::Expected<QuantParams> Importer::quantParams(const OnnxNode &node, size_t rank,
                                                  int64_t maxBits) {
  auto q = readQuantParams(
      node, rank, [&](const std::string &n) { return constant(n); }, maxBits);
  if (!q)
    return nodeError(node, llvm::toString(q.takeError()));
  return q;
}

llvm::Expected<QuantParams> Importer::operandParams(const OnnxNode &node, int scaleIdx,
                                                    int zpIdx, size_t rank, int64_t axis,
                                                    const char *what) {
  static const std::string one = "#loom.one";
  if (!folded.count(one)) {
    OnnxTensor t;
    t.name = one;
    t.elemType = onnx::kFloat;
    t.values = {1.0};
    folded[one] = t;
  }
  auto inputAt = [&](int i) {
    return i >= 0 && size_t(i) < node.inputs.size() ? node.inputs[i] : std::string();
  };
  OnnxNode dq;
  dq.name = node.name;
  dq.opType = "DequantizeLinear";
  std::string scaleName = scaleIdx < 0 ? one : inputAt(scaleIdx);
  if (scaleName.empty())
    return nodeError(node, std::string(what) + ": the scale input is missing");
  dq.inputs = {node.inputs[0], scaleName, inputAt(zpIdx)};
  onnx::OnnxAttr a;
  a.name = "axis";
  a.kind = onnx::OnnxAttr::Kind::Int;
  a.i = axis;
  dq.attrs["axis"] = a;
  auto q = readQuantParams(
      dq, rank, [&](const std::string &n) { return constant(n); }, 16);
  if (!q)
    return nodeError(node, std::string(what) + ": " + llvm::toString(q.takeError()));
  return q;
}

Value Importer::quantizeLinear(const OnnxNode &node, Value in, const QuantParams &q) {
  auto op = b.create<nn::QuantizeLinearOp>(
      loc(node), in.getType(), in, b.getDenseF64ArrayAttr(q.scale),
      b.getDenseI64ArrayAttr(q.zeroPoint), b.getI64IntegerAttr(q.axis),
      b.getI64IntegerAttr(q.qmin), b.getI64IntegerAttr(q.qmax), b.getStringAttr(q.rounding),
      q.bipolar ? b.getUnitAttr() : UnitAttr());
  name(op, node);
  return op;
}

Value Importer::dequantizeLinear(const OnnxNode &node, Value in, const QuantParams &q) {
  auto op = b.create<nn::DequantizeLinearOp>(loc(node), in.getType(), in,
                                             b.getDenseF64ArrayAttr(q.scale),
                                             b.getDenseI64ArrayAttr(q.zeroPoint),
                                             b.getI64IntegerAttr(q.axis));
  name(op, node);
  return op;
}

/// QuantizeLinear, DequantizeLinear, QONNX Quant / BipolarQuant on an
/// activation (on constants they were folded by tryFoldQuantNode).
llvm::Error Importer::importQuant(const OnnxNode &node) {
  Value in = lookup(node.inputs[0]);
  const OnnxTensor *c = in ? nullptr : constant(node.inputs[0]);
  if (!in && !c)
    return nodeError(node, "its input '" + oneLine(node.inputs[0]) + "' is unknown");
  size_t rank = in ? shapeOf(in).size() : c->dims.size();
  auto q = quantParams(node, rank);
  if (!q)
    return q.takeError();
  if (!in) // parameters valid, yet not folded: the per-axis scale did not fit
    return nodeError(node, "the per-axis scale does not fit the constant " +
                               oneLine(c->describe()));
  if (q->scale.size() > 1 && shapeOf(in)[q->axis] != int64_t(q->scale.size()))
    return nodeError(node, llvm::formatv("{0} scales along axis {1}, whose size is {2}",
                                         q->scale.size(), q->axis, shapeOf(in)[q->axis])
                               .str());
  Value v = in;
  if (node.opType != "DequantizeLinear")
    v = quantizeLinear(node, v, *q);
  if (node.opType != "QuantizeLinear")
    v = dequantizeLinear(node, v, *q);
  values[node.outputs[0]] = v;
  return llvm::Error::success();
}

/// QONNX Trunc on an activation: nn.trunc (docs/CONTRACTS.md); nn-quantize
/// decides where it can run (after an average pool, or on its own codes).
llvm::Error Importer::importTrunc(const OnnxNode &node) {
  Value in = lookup(node.inputs[0]);
  if (!in)
    return nodeError(node, "its input '" + oneLine(node.inputs[0]) +
                               "' is a constant or unknown; Loom truncates activations only");
  auto p = readTruncParams(node, [&](const std::string &n) { return constant(n); });
  if (!p)
    return nodeError(node, llvm::toString(p.takeError()));
  auto op = b.create<nn::TruncOp>(loc(node), in.getType(), in, b.getF64FloatAttr(p->scale),
                                  b.getI64IntegerAttr(p->shift), b.getI64IntegerAttr(p->qmin),
                                  b.getI64IntegerAttr(p->qmax), b.getStringAttr(p->rounding),
                                  b.getF64FloatAttr(p->outScale));
  name(op, node);
  values[node.outputs[0]] = op.getResult();
  return llvm::Error::success();
}

void Importer::foldWeights(const std::string &name, const OnnxTensor &w, const QuantParams &q) {
  OnnxTensor f = dequantizeTensor(w, q);
  f.name = name;
  folded[name] = std::move(f);
  weightQuant[name] = q;
}

llvm::Expected<DenseF64ArrayAttr> Importer::weightScaleFor(const OnnxNode &node,
                                                           const std::string &w,
                                                           int64_t outAxis, int64_t nOut,
                                                           double factor) {
  auto it = weightQuant.find(w);
  if (it == weightQuant.end())
    return DenseF64ArrayAttr();
  const QuantParams &q = it->second;
  SmallVector<double> scales;
  if (q.scale.size() == 1)
    scales.push_back(q.scale[0] * factor);
  else if (q.axis == outAxis && int64_t(q.scale.size()) == nOut)
    for (double s : q.scale)
      scales.push_back(s * factor);
  else
    return nodeError(node, llvm::formatv("the weights are quantized with {0} scales along "
                                         "axis {1}; only one scale or one per output channel "
                                         "(axis {2}) is supported",
                                         q.scale.size(), q.axis, outAxis)
                               .str());
  if (factor <= 0)
    return nodeError(node, "alpha = 0 on quantized weights");
  return b.getDenseF64ArrayAttr(scales);
}

/// QLinearConv (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B) and
/// ConvInteger (x, w, x_zp, w_zp): dequantize_linear(x) -> conv with the
/// dequantized weights -> quantize_linear(y) (QLinearConv only; ConvInteger's
/// result is the int32 accumulator). The int32 bias B is at scale x_s * w_s.
llvm::Error Importer::importQLinearConv(const OnnxNode &node) {
  bool qlinear = node.opType == "QLinearConv";
  Value in = lookup(node.inputs[0]);
  if (!in)
    return nodeError(node, "input x must be an activation");
  size_t rank = shapeOf(in).size();
  int wIdx = qlinear ? 3 : 1;
  const OnnxTensor *w = node.inputs.size() > size_t(wIdx) ? constant(node.inputs[wIdx]) : nullptr;
  if (!w)
    return nodeError(node, "the weights must be a constant");
  auto xq = operandParams(node, qlinear ? 1 : -1, 2, rank, 1, "x");
  if (!xq)
    return xq.takeError();
  if (xq->scale.size() != 1)
    return nodeError(node, "x must have one scale and zero point");
  OnnxNode wn = node;
  wn.inputs[0] = node.inputs[wIdx];
  auto wq = operandParams(wn, qlinear ? 4 : -1, qlinear ? 5 : 3, w->dims.size(), 0, "w");
  if (!wq)
    return wq.takeError();
  std::string base = node.outputs[0] + "#loom.";
  foldWeights(base + "w", *w, *wq);
  std::string biasName;
  if (qlinear && node.inputs.size() > 8 && !node.inputs[8].empty()) {
    const OnnxTensor *bt = constant(node.inputs[8]);
    if (!bt || bt->dims.size() > 1)
      return nodeError(node, "the bias B must be a 1-D constant");
    OnnxTensor bf = *bt;
    bf.elemType = onnx::kFloat;
    std::vector<int64_t> ints = bt->asInt64();
    for (size_t o = 0; o < ints.size(); ++o)
      bf.values[o] = double(ints[o]) * xq->scale[0] * wq->scale[wq->scale.size() == 1 ? 0 : o];
    biasName = base + "b";
    folded[biasName] = bf;
  }
  Value x = dequantizeLinear(node, in, *xq);
  OnnxNode conv = node;
  conv.inputs = {base + "x", base + "w", biasName};
  values[conv.inputs[0]] = x;
  if (auto err = importWindowed(conv, x))
    return err;
  if (qlinear) {
    auto yq = operandParams(node, 6, 7, rank, 1, "y");
    if (!yq)
      return yq.takeError();
    if (yq->scale.size() != 1)
      return nodeError(node, "y must have one scale and zero point");
    values[node.outputs[0]] = quantizeLinear(node, lookup(node.outputs[0]), *yq);
  }
  return llvm::Error::success();
}

/// QLinearMatMul (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp) and
/// MatMulInteger (A, B, a_zp, b_zp) with a constant B [K, N]: like
/// importQLinearConv around one nn.dense. A is [M, K], or [..., M, K] with a
/// 2-D B (the batch is more rows: reshaped to [rows, K] and back). With a B
/// per batch ([batch, K, N]) the importer keeps the whole A as one frame and
/// the product is one dense with block-diagonal weights.
llvm::Error Importer::importQLinearMatMul(const OnnxNode &node) {
  bool qlinear = node.opType == "QLinearMatMul";
  Value in = lookup(node.inputs[0]);
  if (!in)
    return nodeError(node, "input A must be an activation");
  SmallVector<int64_t> aShape(shapeOf(in));
  if (aShape.size() < 2)
    return nodeError(node, "input A must be at least 2-D [M, K]");
  int wIdx = qlinear ? 3 : 1;
  const OnnxTensor *w = node.inputs.size() > size_t(wIdx) ? constant(node.inputs[wIdx]) : nullptr;
  if (!w)
    return nodeError(node, "input B must be a constant weight matrix (products of two "
                           "activations are not supported)");
  // A B per batch ([batch, K, N] against A [batch, M, K], the whole A one
  // frame) is one dense over all of A: block-diagonal weights.
  bool perBatch = w->dims.size() == 3 && aShape.size() == 3 && w->dims[0] == aShape[0] &&
                  w->dims[1] == aShape[2];
  if (w->dims.size() != 2 && !perBatch)
    return nodeError(node, "B " + w->describe() + " must be a 2-D matrix [K, N], or one [K, N] "
                           "matrix per batch of a 3-D A");
  // An A zero point per row of A (MatMulInteger allows [M]) is only
  // expressible when all rows share it.
  OnnxNode an = node;
  int azp = 2;
  if (!qlinear && node.inputs.size() > 2 && !node.inputs[2].empty())
    if (const OnnxTensor *z = constant(node.inputs[2]))
      if (z->values.size() > 1) {
        if (llvm::any_of(z->values, [&](double v) { return v != z->values[0]; }))
          return nodeError(node, "a zero point per row of A is not supported (use one)");
        OnnxTensor one = *z;
        one.dims = {};
        one.values.resize(1);
        one.intValues.resize(std::min<size_t>(one.intValues.size(), 1));
        std::string zn = node.outputs[0] + "#loom.azp";
        one.name = zn;
        folded[zn] = one;
        an.inputs[2] = zn;
      }
  auto xq = operandParams(an, qlinear ? 1 : -1, azp, 2, 1, "a");
  if (!xq)
    return xq.takeError();
  if (xq->scale.size() != 1)
    return nodeError(node, "a must have one scale and zero point");
  OnnxNode wn = node;
  wn.inputs[0] = node.inputs[wIdx];
  auto wq = operandParams(wn, qlinear ? 4 : -1, qlinear ? 5 : 3, w->dims.size(),
                          w->dims.size() - 1, "b");
  if (!wq)
    return wq.takeError();
  std::string base = node.outputs[0] + "#loom.";
  int64_t nOut = w->dims.back();
  if (perBatch && wq->scale.size() != 1)
    return nodeError(node, "a B per batch needs one scale and zero point");
  foldWeights(base + "w", perBatch ? blockDiagonal(*w, aShape[1], wq->zeroPoint[0]) : *w, *wq);
  Value x = dequantizeLinear(node, in, *xq);
  if (perBatch) { // all of A is one row of the block-diagonal product
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({1, aShape[0] * aShape[1] * aShape[2]}), x);
    name(r, node);
    x = r;
  } else if (aShape.size() > 2) { // batched A: all its rows through one dense
    int64_t rows = 1;
    for (size_t i = 0; i + 1 < aShape.size(); ++i)
      rows *= aShape[i];
    auto r = b.create<nn::ReshapeOp>(loc(node), f32({rows, aShape.back()}), x);
    name(r, node);
    x = r;
  }
  OnnxNode mm = node;
  mm.inputs = {base + "x", base + "w"};
  mm.attrs.clear();
  values[mm.inputs[0]] = x;
  if (auto err = importGemm(mm, /*matmul=*/true))
    return err;
  if (aShape.size() > 2) {
    SmallVector<int64_t> yShape(aShape.begin(), aShape.end() - 1);
    yShape.push_back(nOut);
    auto r = b.create<nn::ReshapeOp>(loc(node), f32(yShape), lookup(node.outputs[0]));
    name(r, node);
    values[node.outputs[0]] = r;
  }
  if (qlinear) {
    auto yq = operandParams(node, 6, 7, 2, 1, "y");
    if (!yq)
      return yq.takeError();
    if (yq->scale.size() != 1)
      return nodeError(node, "y must have one scale and zero point");
    values[node.outputs[0]] = quantizeLinear(node, lookup(node.outputs[0]), *yq);
  }
  return llvm::Error::success();
}

/// The [batch*M*K, batch*M*N] weights of y[b, i, :] = A[b, i, :] @ B[b] for
/// B = [batch, K, N]; outside the blocks the zero point (dequantizes to 0).
OnnxTensor Importer::blockDiagonal(const OnnxTensor &w, int64_t rows, int64_t zeroPoint) {
  int64_t batch = w.dims[0], k = w.dims[1], n = w.dims[2];
  int64_t inW = batch * rows * k, outW = batch * rows * n;
  OnnxTensor bd = w;
  bd.dims = {inW, outW};
  bd.values.assign(size_t(inW * outW), double(zeroPoint));
  bool exact = !w.intValues.empty();
  if (exact)
    bd.intValues.assign(size_t(inW * outW), zeroPoint);
  for (int64_t bt = 0; bt < batch; ++bt)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t kk = 0; kk < k; ++kk)
        for (int64_t nn = 0; nn < n; ++nn) {
          size_t from = size_t((bt * k + kk) * n + nn);
          size_t to = size_t(((bt * rows + i) * k + kk) * outW + (bt * rows + i) * n + nn);
          bd.values[to] = w.values[from];
          if (exact)
            bd.intValues[to] = w.intValues[from];
        }
  return bd;
}

/// com.microsoft QLinearAdd (A, A_scale, A_zp, B, B_scale, B_zp, C_scale,
/// C_zp) of two activations of one shape: dequantize both, add, quantize.
llvm::Error Importer::importQLinearAdd(const OnnxNode &node) {
  Value a = lookup(node.inputs[0]);
  Value bv = node.inputs.size() > 3 ? lookup(node.inputs[3]) : Value();
  if (!a || !bv)
    return nodeError(node, "both A and B must be activations");
  if (shapeOf(a) != shapeOf(bv))
    return nodeError(node, "A and B must have the same shape");
  size_t rank = shapeOf(a).size();
  auto aq = operandParams(node, 1, 2, rank, 1, "A");
  if (!aq)
    return aq.takeError();
  OnnxNode bn = node;
  bn.inputs[0] = node.inputs[3];
  auto bq = operandParams(bn, 4, 5, rank, 1, "B");
  if (!bq)
    return bq.takeError();
  auto cq = operandParams(node, 6, 7, rank, 1, "C");
  if (!cq)
    return cq.takeError();
  if (aq->scale.size() != 1 || bq->scale.size() != 1 || cq->scale.size() != 1)
    return nodeError(node, "A, B and C must have one scale and zero point each");
  Value x = dequantizeLinear(node, a, *aq), y = dequantizeLinear(node, bv, *bq);
  auto add = b.create<nn::AddActOp>(loc(node), x.getType(), x, y, nullptr, nullptr, nullptr);
  name(add, node);
  values[node.outputs[0]] = quantizeLinear(node, add, *cq);
  return llvm::Error::success();
}

/// com.microsoft QLinearGlobalAveragePool (X, x_scale, x_zp, y_scale, y_zp;
/// NCHW only) and QLinearConcat (y_scale, y_zp, then (X, scale, zp) per
/// input; two inputs): dequantize, the float op, quantize. Whether the
/// quantizers allow an integer lowering is nn-quantize's decision.
llvm::Error Importer::importQLinearPoolConcat(const OnnxNode &node) {
  bool pool = node.opType == "QLinearGlobalAveragePool";
  std::vector<int> dataIdx = pool ? std::vector<int>{0} : std::vector<int>{2, 5};
  if (!pool && node.inputs.size() != 8)
    return nodeError(node, "only the concatenation of two tensors is supported");
  if (pool && node.getInt("channels_last", 0))
    return nodeError(node, "channels_last = 1 is not supported (NCHW only)");
  std::vector<std::string> names;
  for (int i : dataIdx) {
    Value in = node.inputs.size() > size_t(i) ? lookup(node.inputs[i]) : Value();
    if (!in)
      return nodeError(node, "input " + std::to_string(i) + " must be an activation");
    OnnxNode dn = node;
    dn.inputs[0] = node.inputs[i];
    auto q = operandParams(dn, i + 1, i + 2, shapeOf(in).size(), 1, "x");
    if (!q)
      return q.takeError();
    if (q->scale.size() != 1)
      return nodeError(node, "inputs must have one scale and zero point each");
    names.push_back(node.outputs[0] + "#loom.x" + std::to_string(i));
    values[names.back()] = dequantizeLinear(node, in, *q);
  }
  OnnxNode inner = node;
  inner.inputs = names;
  Value first = lookup(names[0]);
  if (pool) {
    inner.opType = "GlobalAveragePool";
    if (auto err = importWindowed(inner, first))
      return err;
  } else {
    inner.opType = "Concat";
    if (auto err = importNode(inner))
      return err;
  }
  auto yq = operandParams(node, pool ? 3 : 0, pool ? 4 : 1, shapeOf(lookup(node.outputs[0])).size(),
                          1, "y");
  if (!yq)
    return yq.takeError();
  if (yq->scale.size() != 1)
    return nodeError(node, "y must have one scale and zero point");
  values[node.outputs[0]] = quantizeLinear(node, lookup(node.outputs[0]), *yq);
  return llvm::Error::success();
}

} // namespace

llvm::Expected<OwningOpRef<ModuleOp>> loom::importToNN(const OnnxModel &model, MLIRContext &ctx,
                                                       std::vector<std::string> &warnings) {
  return Importer(model, ctx, warnings).run();
}
