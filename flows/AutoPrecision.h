//===- AutoPrecision.h - --precision auto: formats chosen, not guessed -*- C++ -*-===//
//
// A float model's number formats, chosen per tensor (docs/CONTRACTS.md
// "Automatic formats"): the calibration ranges (Calibrate.h) give each
// activation its integer bits, and a search over the widths, measured with
// the reference interpreter on the calibration frames, finds the narrowest
// activation and weight widths whose output error stays within the budget.
// Graphs the per-tensor lowering cannot take (an op nn-insert-quant refuses)
// get one fixed<W,I> instead, with I from the widest calibrated range.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FLOWS_AUTOPRECISION_H
#define LOOM_FLOWS_AUTOPRECISION_H

#include "flows/Calibrate.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace loom {

/// The budget: max |quantized - float| on the calibration frames at most this
/// fraction of the float output's range.
constexpr double kAutoErrorBudget = 0.01;
/// Classifiers (AutoPrecision::classifier): top-1 agreement with the float
/// model on the calibration frames wanted, with at most kAutoTop1Bits more
/// bits than the error budget needs.
constexpr double kAutoTop1 = 0.99;
constexpr int kAutoTop1Bits = 3;
/// Each activation format holds this many times its calibrated magnitude.
constexpr double kAutoMargin = 1.25;
/// Widths the search may choose (activations and weights).
constexpr int kAutoMinBits = 4, kAutoMaxBits = 16, kAutoTableBits = 12;

struct AutoPrecision {
  bool perTensor = true;         ///< nn-insert-quant mode=auto; else one `fixed`
  int actBits = 0, weightBits = 0; ///< per-tensor: the chosen widths
  std::string fixed;             ///< one format for every tensor: "fixed<W,I>"
  std::string whyNotPerTensor;   ///< the refusal that made it fall back
  double range = 0;              ///< float output range on the calibration frames
  Accuracy calib;                ///< the choice on the calibration frames
  bool classifier = false;       ///< output is one vector of 2..1000 class scores
  bool met = false;              ///< calib.maxAbsError <= budget * range
  int trials = 0;

  /// report.json "auto_precision" (without the held-out numbers).
  llvm::json::Object json() const;
};

/// Searches the formats of `floatModule` (normalized, with `loom.calib`
/// ranges and any `loom.pin` overrides attached). Errors: a lowering error
/// other than an unsupported op.
llvm::Expected<AutoPrecision> chooseAutoPrecision(mlir::ModuleOp floatModule, const Calibration &c);

/// One fixed<W,I> for every tensor (the fallback of chooseAutoPrecision, and
/// --runtime-weights' resolution of auto): I holds the widest calibrated
/// tensor times kAutoMargin and `atLeast`; W is the narrowest width meeting
/// the error budget.
llvm::Expected<AutoPrecision> chooseOneFormat(mlir::ModuleOp floatModule, const Calibration &c,
                                              double atLeast);

/// Largest magnitude of any loadable parameter: a dense or conv weight or bias, an
/// embedding table, a LayerNorm gamma or beta.
double largestWeight(mlir::ModuleOp floatModule);

/// --runtime-weights with --precision auto: the one format also holds this
/// many times the compiled model's largest weight or bias, so fine-tunes of
/// the same architecture load (docs/CONTRACTS.md "Weight-load stream").
constexpr double kRuntimeWeightMargin = 2.0;

/// --formats FILE: a JSON object {name: "fixed<W,I>" | "ufixed<W,I>"} where
/// name is an ONNX node (the format of its output, after a Relu/Clip it
/// fuses) or the graph input. Attaches `loom.pin`; unknown names and bad
/// formats are errors naming the file and the key.
llvm::Error applyFormatOverrides(mlir::ModuleOp floatModule, const std::string &path);

} // namespace loom

#endif
