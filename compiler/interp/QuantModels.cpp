//===- QuantModels.cpp - reference evaluation of quantization ops ---------===//
//
// The float-graph QDQ ops the importer keeps (quantize_linear, trunc,
// dequantize_linear: fake quantization in floats) and the host-side boundary
// of an integer graph (quantize, dequantize), in fixed-point or affine form
// (docs/CONTRACTS.md "Affine integer graphs").
//
//===----------------------------------------------------------------------===//
#include "compiler/interp/EvalSupport.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace loom::interp {
namespace {

/// Host-side nn.quantize, affine form: the centered codes c = q - zp the
/// hardware receives.
std::vector<int64_t> quantizeAffine(nn::QuantizeOp qz, const std::vector<double> &x) {
  auto p = affine(*qz.getScale(), qz.getZeroPoint().value_or(ArrayRef<int64_t>{0}),
                  qz.getAxis().value_or(0));
  if (p.zeroPoint.size() < p.scale.size())
    p.zeroPoint.resize(p.scale.size(), p.zeroPoint.empty() ? 0 : p.zeroPoint[0]);
  int64_t qmin = qz.getQminAttr() ? qz.getQminAttr().getInt() : INT64_MIN / 4;
  int64_t qmax = qz.getQmaxAttr() ? qz.getQmaxAttr().getInt() : INT64_MAX / 4;
  auto mode = numerics::parseRounding(qz.getRounding().value_or("half_even"))
                  .value_or(numerics::Rounding::HalfEven);
  reference::Shape shape = shapeOf(qz.getInput());
  std::vector<int64_t> c(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    size_t k = p.indexOf(i, shape);
    int64_t zp = p.zeroPoint[k];
    int64_t q;
    if (qz.getBipolar())
      q = x[i] >= 0 ? 1 : -1, zp = 0;
    else if (qz.getIntegerInput())
      q = std::clamp(numerics::roundToInt64(x[i]), qmin, qmax);
    else
      q = numerics::quantizeLinear(x[i], p.scale[k], zp, qmin, qmax, mode);
    c[i] = q - zp;
  }
  return c;
}

/// Host-side nn.dequantize, affine form: c * scale, or c + zp (integer_output).
std::vector<double> dequantizeAffine(nn::DequantizeOp dq, const std::vector<int64_t> &c) {
  auto p = affine(*dq.getScale(), dq.getZeroPoint().value_or(ArrayRef<int64_t>{0}),
                  dq.getAxis().value_or(0));
  if (p.zeroPoint.size() < p.scale.size())
    p.zeroPoint.resize(p.scale.size(), p.zeroPoint.empty() ? 0 : p.zeroPoint[0]);
  reference::Shape shape = shapeOf(dq.getInput());
  std::vector<double> y(c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    size_t k = p.indexOf(i, shape);
    y[i] = dq.getIntegerOutput() ? double(c[i] + p.zeroPoint[k])
                                 : numerics::dequantizeLinear(c[i], p.scale[k], 0);
  }
  return y;
}

llvm::Expected<RefTensor> evalQuantizeLinear(nn::QuantizeLinearOp op, Operands in) {
  auto mode = numerics::parseRounding(op.getRounding());
  if (!mode)
    return opError(op, "unknown rounding mode");
  RefTensor out;
  for (int64_t q : reference::quantizeLinear(
           in[0]->f, shapeOf(op.getInput()),
           affine(op.getScale(), op.getZeroPoint(), op.getAxisAttr().getInt()),
           op.getQminAttr().getInt(), op.getQmaxAttr().getInt(), *mode, op.getBipolar()))
    out.f.push_back(double(q));
  return out;
}

/// QONNX Trunc (zero point 0): the input codes round(x / scale), shifted right
/// with the op's rounding, clamped, at the output scale (f32 as QONNX).
llvm::Expected<RefTensor> evalTrunc(nn::TruncOp op, Operands in) {
  auto mode = numerics::parseRounding(op.getRounding());
  if (!mode)
    return opError(op, "unknown rounding mode");
  float scale = float(op.getScale().convertToDouble());
  float outScale = float(op.getOutScale().convertToDouble());
  double div = std::ldexp(1.0, int(op.getShiftAttr().getInt()));
  RefTensor out;
  for (double x : in[0]->f) {
    double q = numerics::roundWith(double(float(x) / scale), numerics::Rounding::HalfEven);
    double y = numerics::roundWith(q / div, *mode);
    y = std::clamp(y, double(op.getQminAttr().getInt()), double(op.getQmaxAttr().getInt()));
    out.f.push_back(double(float(y) * outScale));
  }
  return out;
}

llvm::Expected<RefTensor> evalDequantizeLinear(nn::DequantizeLinearOp op, Operands in) {
  RefTensor out;
  out.f = reference::dequantizeLinear(
      in[0]->f, shapeOf(op.getInput()),
      affine(op.getScale(), op.getZeroPoint(), op.getAxisAttr().getInt()));
  return out;
}

llvm::Expected<RefTensor> evalQuantize(nn::QuantizeOp op, Operands in) {
  RefTensor out;
  if (op.getScale()) {
    out.q = quantizeAffine(op, in[0]->f);
    return out;
  }
  numerics::FixedFormat fmt = formatOf(op.getResult(), op.getFrac());
  for (double x : in[0]->f)
    out.q.push_back(numerics::quantize(x, fmt));
  return out;
}

llvm::Expected<RefTensor> evalDequantize(nn::DequantizeOp op, Operands in) {
  RefTensor out;
  if (op.getScale()) {
    out.f = dequantizeAffine(op, in[0]->q);
    return out;
  }
  for (int64_t q : in[0]->q)
    out.f.push_back(std::ldexp(double(q), -int(op.getFrac())));
  return out;
}

} // namespace

void attachQuantModels(MLIRContext *ctx) {
  attachModel<nn::QuantizeLinearOp, evalQuantizeLinear>(ctx);
  attachModel<nn::TruncOp, evalTrunc>(ctx);
  attachModel<nn::DequantizeLinearOp, evalDequantizeLinear>(ctx);
  attachModel<nn::QuantizeOp, evalQuantize>(ctx);
  attachModel<nn::DequantizeOp, evalDequantize>(ctx);
}

} // namespace loom::interp
