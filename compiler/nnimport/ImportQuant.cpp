//===- ImportQuant.cpp - QDQ and QONNX quantizers -------------------------===//
//
// Quantized models (docs/CONTRACTS.md "Affine integer graphs", float level):
// QuantizeLinear / DequantizeLinear and QONNX Quant / BipolarQuant / Trunc.
// Quantized constants are folded to floats here; activations get
// nn.quantize_linear / nn.dequantize_linear. The arithmetic of the
// parameters is QuantParams.cpp's; the QOperator ops are ImportQOperator.cpp's.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

#include <optional>

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

// Tags naming the import functions importOp<Tag> of this file (Importer.h).
namespace loom::nnimport::onnxop {
struct Quantizer;
struct Trunc;
} // namespace loom::nnimport::onnxop

/// A quantizer on a constant (weights, biases) is evaluated here. Bit widths
/// up to 32 are accepted on constants (Brevitas exports 32-bit biases); the
/// activation limit of 16 applies to the quantizers that remain. Invalid
/// parameters leave the node to importOp<onnxop::Quantizer>, which reports them.
bool Importer::foldQuant(const OnnxNode &node) {
  if (node.inputs.empty() || node.outputs.size() != 1)
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
  if (q->scale.size() > 1 &&
      (q->axis >= int64_t(x->dims.size()) || x->dims[q->axis] != int64_t(q->scale.size())))
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

llvm::Expected<QuantParams> Importer::quantParams(const OnnxNode &node, size_t rank,
                                                  int64_t maxBits) {
  auto q = readQuantParams(
      node, rank, [&](const std::string &n) { return constant(n); }, maxBits);
  if (!q)
    return nodeError(node, llvm::toString(q.takeError()));
  return q;
}

llvm::Expected<QuantParams> Importer::operandParams(const OnnxNode &node, int scaleIdx, int zpIdx,
                                                    size_t rank, int64_t axis, const char *what) {
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
      b.getDenseI64ArrayAttr(q.zeroPoint), b.getI64IntegerAttr(q.axis), b.getI64IntegerAttr(q.qmin),
      b.getI64IntegerAttr(q.qmax), b.getStringAttr(q.rounding),
      q.bipolar ? b.getUnitAttr() : UnitAttr());
  name(op, node);
  return op;
}

Value Importer::dequantizeLinear(const OnnxNode &node, Value in, const QuantParams &q) {
  auto op = b.create<nn::DequantizeLinearOp>(
      loc(node), in.getType(), in, b.getDenseF64ArrayAttr(q.scale),
      b.getDenseI64ArrayAttr(q.zeroPoint), b.getI64IntegerAttr(q.axis));
  name(op, node);
  return op;
}

/// QuantizeLinear, DequantizeLinear, QONNX Quant / BipolarQuant on an
/// activation (on constants they were folded by foldQuant).
template <> llvm::Error Importer::importOp<onnxop::Quantizer>(const OnnxNode &node, Value in) {
  const OnnxTensor *c = in ? nullptr : constant(node.inputs[0]);
  if (!in && !c)
    return nodeError(node, "its input '" + oneLine(node.inputs[0]) + "' is unknown");
  size_t rank = in ? shapeOf(in).size() : c->dims.size();
  auto q = quantParams(node, rank);
  if (!q)
    return q.takeError();
  if (!in) // parameters valid, yet not folded: the per-axis scale did not fit
    return nodeError(node,
                     "the per-axis scale does not fit the constant " + oneLine(c->describe()));
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
template <> llvm::Error Importer::importOp<onnxop::Trunc>(const OnnxNode &node, Value in) {
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
                                                           const std::string &w, int64_t outAxis,
                                                           int64_t nOut, double factor) {
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

/// This family's rows of the op table (ImportTable.cpp).

/// This family's rows of the op table (ImportTable.cpp).
ArrayRef<OpImport> Importer::quantOps() {
  static const OpImport rows[] = {
      {OnnxDomain::Onnx, "QuantizeLinear", 1, kLatest, Role::Qdq,
       &Importer::importOp<onnxop::Quantizer>, &Importer::foldQuant},
      {OnnxDomain::Onnx, "DequantizeLinear", 1, kLatest, Role::Qdq,
       &Importer::importOp<onnxop::Quantizer>, &Importer::foldQuant},
      {OnnxDomain::Qonnx, "Quant", 1, kLatest, Role::OwnInputs,
       &Importer::importOp<onnxop::Quantizer>, &Importer::foldQuant},
      {OnnxDomain::Qonnx, "BipolarQuant", 1, kLatest, Role::OwnInputs,
       &Importer::importOp<onnxop::Quantizer>, &Importer::foldQuant},
      {OnnxDomain::Qonnx, "Trunc", 1, kLatest, Role::OwnInputs, &Importer::importOp<onnxop::Trunc>,
       nullptr},
  };
  return rows;
}
