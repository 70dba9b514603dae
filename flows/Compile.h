//===- Compile.h - `loom compile`: ONNX -> OUT/ -----------------*- C++ -*-===//
#ifndef LOOM_FLOWS_COMPILE_H
#define LOOM_FLOWS_COMPILE_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

struct CompileOptions {
  std::string model;                     ///< ONNX file
  std::string outDir;                    ///< OUT/
  std::string precision = "auto"; ///< "int8" (Calibrate.h), "fixed<W,I>", or auto (AutoPrecision.h)
  std::string calib;              ///< --calib X.npy (auto, int8; "" = random frames)
  std::string formats;            ///< --formats F.json (auto only): pinned formats
  int64_t maxMults = 0;                  ///< 0: default folding (docs/folding.md)
  int64_t targetII = 0;                  ///< 0: none
  int64_t maxLuts = 0, maxDsps = 0;      ///< estimated resource limits for folding (0: none)
  /// --part: folding fits this 7-series part's capacity; report.json's
  /// estimates are for its family. Empty: xc7z020 estimates, no capacity limit.
  std::string part;
  std::string top;                       ///< top module name ("" = from the graph)
  /// --clock-mhz: MAC register stages per unit for this clock (hw_model/Timing.h; 0: none)
  /// under the timing model of --clock-family (ice40 or xilinx-7; "" = xilinx-7).
  double clockMhz = 0;
  std::string clockFamily;
  /// --runtime-weights: dense/conv/depthwise weights and biases come through the
  /// s_axis_wt port (flows/RuntimeWeights.h); --precision auto resolves one
  /// fixed<W,I> for it; int8 fixes its quantizers (flows/RuntimeInt8.h).
  bool runtimeWeights = false;
  /// --runtime-weights int8 for another model of a design: layout.json compile.int8 (JSON
  /// text), the quantizers that design fixes (flows/RuntimeInt8.h); "" = this model's own.
  std::string int8Arch;
  /// --aresetn: the top's reset port is the active-low aresetn (AXI) instead of rst.
  bool aresetn = false;
  bool quiet = false;
};

/// Runs the whole compile flow and fills OUT/ atomically: on any error nothing
/// is left behind (an earlier OUT/ stays as it was). OUT/ then holds
/// rtl/*.sv + *.mem, nn_float.mlir, nn.mlir (the quantized reference graph),
/// df.mlir, rtl.mlir and report.json (hw_model predictions).
llvm::Error compileModel(const CompileOptions &options, std::vector<std::string> &warnings);

} // namespace loom

#endif
