//===- QuantParams.h - Quantization parameters of ONNX / QONNX nodes -*- C++ -*-===//
//
// Reads the scale / zero point / range of QuantizeLinear, DequantizeLinear,
// QONNX Quant and BipolarQuant (docs/CONTRACTS.md "Affine integer graphs",
// float level) and folds such nodes on constants. Kept apart from the
// importer so that the arithmetic (rounding modes, per-axis indexing, QONNX
// integer ranges) can be read and tested on its own.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NNIMPORT_QUANTPARAMS_H
#define LOOM_COMPILER_NNIMPORT_QUANTPARAMS_H

#include "compiler/onnx/OnnxModel.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace loom {

/// One quantizer: y = clamp(round(x / scale) + zp, qmin, qmax); per-axis when
/// `scale` has more than one value (index = position along `axis`).
struct QuantParams {
  std::vector<double> scale;
  std::vector<int64_t> zeroPoint; ///< same size as scale
  int64_t axis = 1;               ///< normalized (>= 0) when per-axis
  int64_t qmin = 0, qmax = 255;
  std::string rounding = "half_even";
  bool bipolar = false;
  int elemType = onnx::kUInt8; ///< integer type of the quantized values
  /// QONNX Quant rounds x / scale + zp (ONNX: round(x / scale) + zp). They
  /// differ only on ties with an odd zero point under half_even; folding
  /// constants follows the model's own definition.
  bool qonnx = false;
};

/// The QONNX domains whose Quant / BipolarQuant Loom imports.
bool isQonnxDomain(llvm::StringRef domain);

/// [qmin, qmax] of an integer ONNX type (uint8, int8, uint16, int16, int32).
bool integerRange(int elemType, int64_t &qmin, int64_t &qmax);

/// Parameters of a QuantizeLinear / DequantizeLinear / Quant / BipolarQuant
/// node whose data input has `rank` dimensions. `constant` resolves an input
/// name to a constant tensor (nullptr if it is not one). `maxBits` bounds a
/// QONNX bit width. Errors are the "what" part of a node error (no node name).
llvm::Expected<QuantParams>
readQuantParams(const onnx::OnnxNode &node, size_t rank,
                const std::function<const onnx::OnnxTensor *(const std::string &)> &constant,
                int64_t maxBits);

/// A QONNX rounding_mode (case-insensitive, as qonnx resolves it) as a
/// nn.quantize_linear mode; empty if Loom has no such mode.
std::string qonnxRounding(llvm::StringRef mode);

/// A QONNX Trunc with zero point 0 (nn.trunc, docs/CONTRACTS.md): the codes
/// round(x / scale) shifted right by `shift` with `rounding`, clamped to
/// [qmin, qmax], at scale `outScale`.
struct TruncParams {
  double scale = 1, outScale = 1;
  int64_t shift = 0;
  int64_t qmin = -(int64_t(1) << 53), qmax = int64_t(1) << 53; ///< v1: no clamp
  std::string rounding = "floor";
};

/// Reads a QONNX Trunc: v1 (x, scale, zeropt, in_bit_width, out_bit_width) or
/// v2 (x, scale, zeropt, in_bit_width, out_scale, out_zeropt, out_bit_width,
/// attributes signed / narrow). Errors are the "what" part of a node error.
llvm::Expected<TruncParams>
readTruncParams(const onnx::OnnxNode &node,
                const std::function<const onnx::OnnxTensor *(const std::string &)> &constant);

/// Rounds v to an integer with a nn.quantize_linear rounding mode.
double roundWithMode(double v, llvm::StringRef mode);

/// Which scale applies to flat element i of a tensor with dims `dims`.
size_t channelOf(const QuantParams &q, const std::vector<int64_t> &dims, size_t i);

/// Quantizes a float tensor to integers (QuantizeLinear on a constant), in
/// f32 arithmetic as ONNX does.
onnx::OnnxTensor quantizeTensor(const onnx::OnnxTensor &x, const QuantParams &q);
/// Dequantizes integers to floats: (q - zp) * scale in f32.
onnx::OnnxTensor dequantizeTensor(const onnx::OnnxTensor &x, const QuantParams &q);

} // namespace loom

#endif
