//===- QuantParams.cpp - Quantization parameters of ONNX / QONNX nodes ----===//
#include "compiler/nnimport/QuantParams.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>

using namespace loom;
using onnx::OnnxNode;
using onnx::OnnxTensor;

namespace {
llvm::Error error(const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), what);
}

/// The scale's one or per-axis values and the axis they run along. A QONNX
/// scale broadcasts against the data (e.g. [C, 1, 1, 1] for OIHW weights,
/// [1, C, 1, 1] for NCHW activations): its axis is its one dimension > 1,
/// right-aligned with the data.
llvm::Error perAxisFromShape(const OnnxTensor &t, size_t rank, int64_t &axis) {
  int64_t found = -1;
  for (size_t d = 0; d < t.dims.size(); ++d)
    if (t.dims[d] > 1) {
      if (found >= 0)
        return error("scale " + t.describe() +
                     " varies along more than one dimension; only "
                     "one scale per tensor or per channel is supported");
      found = int64_t(rank) - int64_t(t.dims.size()) + int64_t(d);
    }
  if (found < 0 || found >= int64_t(rank))
    return error("scale " + t.describe() + " does not broadcast against the rank-" +
                 std::to_string(rank) + " data");
  axis = found;
  return llvm::Error::success();
}
} // namespace

bool loom::isQonnxDomain(llvm::StringRef domain) {
  return domain == "qonnx.custom_op.general" || domain == "finn.custom_op.general" ||
         domain == "onnx.brevitas";
}

bool loom::integerRange(int elemType, int64_t &qmin, int64_t &qmax) {
  switch (elemType) {
  case onnx::kUInt8:
    qmin = 0, qmax = 255;
    return true;
  case onnx::kInt8:
    qmin = -128, qmax = 127;
    return true;
  case onnx::kUInt16:
    qmin = 0, qmax = 65535;
    return true;
  case onnx::kInt16:
    qmin = -32768, qmax = 32767;
    return true;
  case onnx::kInt32:
    qmin = INT32_MIN, qmax = INT32_MAX;
    return true;
  default:
    return false;
  }
}

std::string loom::qonnxRounding(llvm::StringRef mode) {
  // qonnx upper-cases the mode; DOWN is numpy's fix (towards zero). UP (away
  // from zero) has no nn.quantize_linear mode.
  return llvm::StringSwitch<std::string>(mode.upper())
      .Cases("ROUND", "HALF_EVEN", "half_even")
      .Case("HALF_UP", "half_up")
      .Case("HALF_DOWN", "half_down")
      .Case("CEIL", "ceil")
      .Case("FLOOR", "floor")
      .Cases("ROUND_TO_ZERO", "DOWN", "to_zero")
      .Default("");
}

llvm::Expected<TruncParams>
loom::readTruncParams(const OnnxNode &node,
                      const std::function<const OnnxTensor *(const std::string &)> &constant) {
  bool v2 = node.inputs.size() == 7;
  if (node.inputs.size() != 5 && !v2)
    return error("has " + std::to_string(node.inputs.size()) +
                 " inputs; a QONNX Trunc has 5 (x, scale, zeropt, in_bit_width, "
                 "out_bit_width) or 7 (v2: ..., in_bit_width, out_scale, out_zeropt, "
                 "out_bit_width)");
  auto scalar = [&](size_t i, const char *what) -> llvm::Expected<double> {
    const OnnxTensor *t = node.inputs[i].empty() ? nullptr : constant(node.inputs[i]);
    if (!t || t->values.size() != 1)
      return error(std::string("the ") + what + " '" + node.inputs[i] +
                   "' must be a constant with one value (per-channel Trunc is not supported)");
    return t->values[0];
  };
  TruncParams p;
  auto scale = scalar(1, "scale");
  if (!scale)
    return scale.takeError();
  auto zp = scalar(2, "zero point");
  if (!zp)
    return zp.takeError();
  auto inBits = scalar(3, "input bit width");
  if (!inBits)
    return inBits.takeError();
  auto outBits = scalar(v2 ? 6 : 4, "output bit width");
  if (!outBits)
    return outBits.takeError();
  if (!(*scale > 0) || !std::isfinite(*scale))
    return error("the scale must be positive and finite, got " + std::to_string(*scale));
  if (*zp != 0)
    return error("zero point " + std::to_string(*zp) +
                 " is not supported (Loom's Trunc needs zero point 0, as Brevitas exports it)");
  for (double bw : {*inBits, *outBits})
    if (bw != std::round(bw) || bw < 1 || bw > 32)
      return error("bit width " + std::to_string(bw) + " is not an integer from 1 to 32");
  p.scale = p.outScale = *scale;
  if (!v2) {
    p.shift = int64_t(*inBits) - int64_t(*outBits);
  } else {
    auto outScale = scalar(4, "output scale");
    if (!outScale)
      return outScale.takeError();
    if (!(*outScale > 0) || !std::isfinite(*outScale))
      return error("the output scale must be positive and finite");
    p.outScale = *outScale;
    // qonnx: trunc_scale = 2^round(log2(out_scale / scale)).
    p.shift = int64_t(std::nearbyint(std::log2(*outScale / *scale)));
    int64_t w = int64_t(*outBits);
    bool isSigned = node.getInt("signed", 1), narrow = node.getInt("narrow", 0);
    p.qmin = isSigned ? -(int64_t(1) << (w - 1)) + (narrow ? 1 : 0) : 0;
    p.qmax = isSigned ? (int64_t(1) << (w - 1)) - 1 : (int64_t(1) << w) - (narrow ? 2 : 1);
  }
  if (p.shift < 0 || p.shift > 30)
    return error("truncates by " + std::to_string(p.shift) +
                 " bits; Loom supports a right shift of 0 to 30 bits");
  std::string mode = node.getString("rounding_mode", "FLOOR");
  p.rounding = qonnxRounding(mode);
  if (p.rounding.empty())
    return error("rounding_mode '" + mode +
                 "' is not supported (ROUND, HALF_EVEN, HALF_UP, "
                 "HALF_DOWN, CEIL, FLOOR, DOWN / ROUND_TO_ZERO)");
  return p;
}

double loom::roundWithMode(double v, llvm::StringRef mode) {
  if (mode == "floor")
    return std::floor(v);
  if (mode == "ceil")
    return std::ceil(v);
  if (mode == "to_zero")
    return std::trunc(v);
  double fl = std::floor(v), frac = v - fl;
  if (frac != 0.5)
    return std::round(v); // not a tie: every mode agrees
  if (mode == "half_up")
    return fl + 1;
  if (mode == "half_down")
    return fl;
  return std::fmod(fl, 2.0) == 0 ? fl : fl + 1; // half_even
}

size_t loom::channelOf(const QuantParams &q, const std::vector<int64_t> &dims, size_t i) {
  if (q.scale.size() == 1)
    return 0;
  int64_t inner = 1;
  for (size_t d = size_t(q.axis) + 1; d < dims.size(); ++d)
    inner *= dims[d];
  return size_t((int64_t(i) / inner) % dims[q.axis]);
}

llvm::Expected<QuantParams>
loom::readQuantParams(const OnnxNode &node, size_t rank,
                      const std::function<const OnnxTensor *(const std::string &)> &constant,
                      int64_t maxBits) {
  QuantParams q;
  bool qonnx = isQonnxDomain(node.domain);
  auto input = [&](size_t i, const char *what) -> llvm::Expected<const OnnxTensor *> {
    if (node.inputs.size() <= i || node.inputs[i].empty())
      return nullptr;
    const OnnxTensor *t = constant(node.inputs[i]);
    if (!t)
      return error(std::string("the ") + what + " '" + node.inputs[i] +
                   "' must be a constant (an initializer or Constant node)");
    if (t->values.empty())
      return error(std::string("the ") + what + " is empty");
    return t;
  };
  auto scale = input(1, "scale");
  if (!scale)
    return scale.takeError();
  if (!*scale)
    return error("the scale input is missing");
  auto zp = input(2, "zero point");
  if (!zp)
    return zp.takeError();
  const OnnxTensor *s = *scale, *z = *zp;

  size_t n = s->values.size();
  // ONNX: a per-axis zero point with one scale (MatMulInteger's per-column
  // b_zero_point, whose scale is 1) makes the quantizer per-axis.
  if (!qonnx && n == 1 && z && z->values.size() > 1)
    n = z->values.size();
  if (n > 1) {
    if (qonnx) {
      if (auto err = perAxisFromShape(*s, rank, q.axis))
        return std::move(err);
    } else {
      int64_t axis = node.getInt("axis", 1);
      if (axis < 0)
        axis += int64_t(rank);
      if (axis < 0 || axis >= int64_t(rank))
        return error("axis " + std::to_string(node.getInt("axis", 1)) +
                     " is out of range for rank " + std::to_string(rank));
      if (s->values.size() > 1 && s->dims.size() != 1)
        return error("a per-axis scale must be 1-D, got " + s->describe());
      q.axis = axis;
    }
  }
  for (double v : s->values)
    if (!(v > 0) || !std::isfinite(v))
      return error("scales must be positive and finite, got " + std::to_string(v));
  q.scale.assign(n, s->values[0]);
  if (s->values.size() == n)
    q.scale = s->values;
  if (z && z->values.size() != 1 && z->values.size() != n)
    return error("the zero point has " + std::to_string(z->values.size()) + " values, the scale " +
                 std::to_string(n));
  for (size_t i = 0; i < n; ++i) {
    double v = z ? z->values[z->values.size() == 1 ? 0 : i] : 0.0;
    if (v != std::round(v))
      return error("zero points must be integers, got " + std::to_string(v));
    q.zeroPoint.push_back(int64_t(v));
  }

  if (!qonnx) { // ONNX: the zero point's type is the quantized type
    q.elemType = z ? z->elemType : onnx::kUInt8;
    if (!integerRange(q.elemType, q.qmin, q.qmax))
      return error("quantized type " + onnx::elemTypeName(q.elemType) +
                   " is not supported (uint8, int8, uint16, int16, int32)");
    return q;
  }
  q.elemType = onnx::kInt32;
  q.qonnx = true;
  if (node.opType == "BipolarQuant") {
    q.bipolar = true;
    q.qmin = -1, q.qmax = 1;
    return q;
  }
  auto bits = input(3, "bit width");
  if (!bits)
    return bits.takeError();
  if (!*bits || (*bits)->values.size() != 1)
    return error("the bit width must be one constant value");
  double bw = (*bits)->values[0];
  if (bw != std::round(bw) || bw < 1 || bw > double(maxBits))
    return error("bit width " + std::to_string(bw) + " is not supported (an integer from 1 to " +
                 std::to_string(maxBits) + ")");
  int64_t w = int64_t(bw);
  bool isSigned = node.getInt("signed", 1), narrow = node.getInt("narrow", 0);
  // qonnx.custom_op.general.quant min_int / max_int.
  q.qmin = isSigned ? -(int64_t(1) << (w - 1)) + (narrow ? 1 : 0) : 0;
  q.qmax = isSigned ? (int64_t(1) << (w - 1)) - 1 : (int64_t(1) << w) - (narrow ? 2 : 1);
  std::string mode = node.getString("rounding_mode", "ROUND");
  q.rounding = qonnxRounding(mode);
  if (q.rounding.empty())
    return error("rounding_mode '" + mode +
                 "' is not supported (ROUND, HALF_EVEN, HALF_UP, "
                 "HALF_DOWN, CEIL, FLOOR, DOWN / ROUND_TO_ZERO)");
  for (int64_t z0 : q.zeroPoint)
    if (z0 < q.qmin || z0 > q.qmax)
      return error("zero point " + std::to_string(z0) + " is outside the integer range [" +
                   std::to_string(q.qmin) + ", " + std::to_string(q.qmax) + "]");
  return q;
}

OnnxTensor loom::quantizeTensor(const OnnxTensor &x, const QuantParams &q) {
  OnnxTensor out;
  out.dims = x.dims;
  out.elemType = q.elemType;
  for (size_t i = 0; i < x.values.size(); ++i) {
    size_t c = channelOf(q, x.dims, i);
    double v;
    if (q.bipolar)
      v = x.values[i] >= 0 ? 1 : -1;
    else {
      float ratio = float(x.values[i]) / float(q.scale[c]); // f32, as ONNX / QONNX
      double r = q.qonnx ? roundWithMode(double(ratio + float(q.zeroPoint[c])), q.rounding)
                         : roundWithMode(ratio, q.rounding) + double(q.zeroPoint[c]);
      v = std::clamp(r, double(q.qmin), double(q.qmax));
    }
    out.values.push_back(v);
    out.intValues.push_back(int64_t(v));
  }
  return out;
}

OnnxTensor loom::dequantizeTensor(const OnnxTensor &x, const QuantParams &q) {
  OnnxTensor out;
  out.dims = x.dims;
  out.elemType = onnx::kFloat;
  std::vector<int64_t> ints = x.asInt64();
  for (size_t i = 0; i < ints.size(); ++i) {
    size_t c = channelOf(q, x.dims, i);
    // (q - zp) is exact in double; one rounding to f32 = ONNX's f32 product.
    out.values.push_back(double(float(double(ints[i] - q.zeroPoint[c]) * float(q.scale[c]))));
  }
  return out;
}
