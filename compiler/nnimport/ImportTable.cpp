//===- ImportTable.cpp - The ONNX op table and node dispatch --------------===//
//
// The op table maps (domain, ONNX op type, opset range) to the function that
// imports the op (and, for ops evaluated on constants, the one that folds
// it). Each family keeps its rows beside its import functions:
//
//   ImportElementwise.cpp  Add Sub Mul Div BatchNormalization
//   ImportDense.cpp        Gemm MatMul
//   ImportShape.cpp        Identity Dropout Flatten Reshape (Un)Squeeze
//                          Transpose Concat
//   ImportActivations.cpp  Relu Sigmoid Tanh Softmax Clip Elu LeakyRelu PRelu Selu,
//                          com.microsoft Gelu FastGelu QuickGelu (FuseActivations.cpp
//                          turns decomposed GELU / SiLU chains into these)
//   ImportConv.cpp         Conv pools Pad Resize Upsample
//   ImportQuant.cpp        QuantizeLinear DequantizeLinear, QONNX Quant
//                          BipolarQuant Trunc
//   ImportQOperator.cpp    QLinearConv QLinearMatMul ConvInteger
//                          MatMulInteger, com.microsoft QLinear*
//   ImportFold.cpp         Shape (only folded)
//   ImportEmbed.cpp        Gather (token embedding; folded on constants) Cast Slice
//   ImportNorm.cpp         LayerNormalization (and PyTorch's LayerNorm chain)
//   ImportLayout.cpp       DepthToSpace SpaceToDepth, QONNX channels-last
//                          Conv MaxPool BatchNormalization
//
// Adding an ONNX op that maps onto existing nn ops touches one file, its
// family's, e.g. ImportActivations.cpp for HardSigmoid:
//   1. a tag beside the others at the top of the file:
//        namespace loom::nnimport::onnxop { ... struct HardSigmoid; }
//   2. its import function, which builds the nn op(s) from `in` (the
//      streamed activation, already checked) and the node's attributes:
//        template <>
//        llvm::Error Importer::importOp<onnxop::HardSigmoid>(const OnnxNode &node,
//                                                            Value in) {
//          ...
//          return produce(node, op); // names op after the node, binds output 0
//        }
//   3. its row in the family's table at the bottom of the file (after the
//      function: the row instantiates it):
//        {OnnxDomain::Onnx, "HardSigmoid", 6, kLatest, Role::Streams,
//         &Importer::importOp<onnxop::HardSigmoid>, nullptr},
// The unsupported-op check, the "Loom supports" list, supportedOnnxOps() and
// isSupportedOnnxNode() follow from the row. An attribute-free op that is one
// nn op of the input's type needs no function: &Importer::importUnary<nn::XOp>.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/ImportToNN.h"
#include "compiler/nnimport/Importer.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

ArrayRef<OpImport> nnimport::opTable() {
  static const std::vector<OpImport> table = [] {
    std::vector<OpImport> rows;
    for (ArrayRef<OpImport> family :
         {Importer::elementwiseOps(), Importer::denseOps(), Importer::shapeOps(),
          Importer::activationOps(), Importer::convOps(), Importer::quantOps(),
          Importer::qoperatorOps(), Importer::foldOnlyOps(), Importer::layoutOps(),
          Importer::normOps(), Importer::embedOps()})
      rows.insert(rows.end(), family.begin(), family.end());
    return rows;
  }();
  return table;
}

std::optional<OnnxDomain> nnimport::domainOf(StringRef domain) {
  if (domain.empty())
    return OnnxDomain::Onnx;
  if (domain == "com.microsoft")
    return OnnxDomain::Microsoft;
  if (isQonnxDomain(domain))
    return OnnxDomain::Qonnx;
  if (domain == "qonnx.custom_op.channels_last")
    return OnnxDomain::ChannelsLast;
  return std::nullopt;
}

const OpImport *nnimport::findOp(StringRef domain, StringRef opType, int64_t opset) {
  std::optional<OnnxDomain> d = domainOf(domain);
  if (!d)
    return nullptr;
  for (const OpImport &row : opTable())
    if (row.domain == *d && row.opType == opType && row.sinceOpset <= opset &&
        opset <= row.untilOpset)
      return &row;
  return nullptr;
}

/// The op types imported (not only folded) from domain `d`, in table order.
static std::vector<std::string> importedOps(OnnxDomain d) {
  std::vector<std::string> ops;
  for (const OpImport &row : opTable())
    if (row.domain == d && row.import && std::find(ops.begin(), ops.end(), row.opType) == ops.end())
      ops.push_back(row.opType.str());
  return ops;
}

std::string nnimport::supportedOpsText() {
  return llvm::join(importedOps(OnnxDomain::Onnx), ", ") + ", com.microsoft " +
         llvm::join(importedOps(OnnxDomain::Microsoft), ", ") + ", QONNX " +
         llvm::join(importedOps(OnnxDomain::Qonnx), ", ") + " and QONNX channels-last " +
         llvm::join(importedOps(OnnxDomain::ChannelsLast), ", ");
}

const std::vector<std::string> &loom::supportedOnnxOps() {
  static const std::vector<std::string> ops = importedOps(OnnxDomain::Onnx);
  return ops;
}

bool loom::isSupportedOnnxNode(StringRef domain, StringRef opType) {
  std::optional<OnnxDomain> d = domainOf(domain);
  return d && llvm::any_of(opTable(), [&](const OpImport &row) {
           return row.domain == *d && row.opType == opType && row.import;
         });
}

int64_t Importer::opsetOf(const OnnxNode &node) const {
  int64_t opset = 1;
  if (node.domain.empty()) {
    opset = model.opset;
  } else {
    auto it = model.opsetImports.find(node.domain);
    if (it != model.opsetImports.end())
      opset = it->second;
  }
  return std::max<int64_t>(opset, 1);
}

llvm::Error Importer::importNode(const OnnxNode &node) {
  if (node.outputs.empty() || node.outputs[0].empty())
    return nodeError(node, "has no output; remove the node or give it an output");
  if (node.inputs.empty() || node.inputs[0].empty())
    return nodeError(node, "has no input; Loom needs an activation input for every node");
  const OpImport *row = rowOf(node);
  if (!row || !row->import)
    return nodeError(node, "not supported");
  Value in = lookup(node.inputs[0]);
  if (row->role == Role::Streams && !in)
    return notStreamed(node, node.inputs[0]);
  return (this->*row->import)(node, in);
}

llvm::Expected<OwningOpRef<ModuleOp>> loom::importToNN(const OnnxModel &model, MLIRContext &ctx,
                                                       std::vector<std::string> &warnings) {
  onnx::OnnxModel fused = model;
  elideNoOps(fused);
  foldEmbedScale(fused);
  splitFusedQKV(fused);
  liftBatchedMatMuls(fused);
  std::map<std::string, std::string> unwidened = widenGroupedKV(fused, warnings);
  permutePartialRotary(fused);
  fuseActivationChains(fused);
  return Importer(fused, ctx, warnings, std::move(unwidened)).run();
}
