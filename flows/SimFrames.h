//===- SimFrames.h - the graph ends of a design and the frames fed to them -*- C++ -*-===//
//
// `loom sim` reads report.json's description of every graph input and output
// (shape, stream geometry, number format, stream order) and turns the user's
// frames (--inputs X.npy / X.npz, --onnx-test-dir, --random) into one flat
// float array per graph input and frame. Kept apart from the simulation flow
// so that other flows (generate, pack helpers) read the ends the same way.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FLOWS_SIMFRAMES_H
#define LOOM_FLOWS_SIMFRAMES_H

#include "compiler/sim/Simulator.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loom {

/// One graph input or output as report.json describes it.
struct IOInfo {
  std::string name, port;
  std::vector<int64_t> shape;
  int64_t lanes = 1, bits = 8, frac = 0, beats = 1;
  /// Stream element i is flat tensor element perm[i] (empty: same order).
  std::vector<int64_t> perm;
  /// Affine ends (report.json "scale"): real = c * scale[a] or, for an
  /// integer tensor, c + zero_point[a], a = the element's index along `axis`
  /// when there is more than one scale. Empty: fixed point, real = c * 2^-frac.
  std::vector<double> scale;
  std::vector<int64_t> zeroPoint;
  int64_t axis = 0;
  bool integer = false;
  std::optional<int64_t> qmin, qmax, codeMin, codeMax;
  int64_t elements() const;
  /// Flat tensor index of stream element i.
  int64_t tensorIndex(size_t i) const { return perm.empty() ? int64_t(i) : perm[i]; }
  /// The host's view of stream word `code` at flat tensor element t.
  double toReal(int64_t code, int64_t t) const;
};

/// The ends of OUT/report.json: "inputs" / "outputs" (or, from older reports,
/// the single "input" / "output").
struct DesignEnds {
  std::vector<IOInfo> inputs, outputs;
};
llvm::Expected<DesignEnds> designEnds(const llvm::json::Object &report, llvm::StringRef what);

/// A frame: one flat array per graph input, in the graph's input order.
using InputFrame = std::vector<std::vector<double>>;

/// Where frames come from (the `loom sim` options).
struct FrameSource {
  std::string inputs;       ///< --inputs X.npy (one input) or X.npz (an array per input name)
  std::string onnxTestDir;  ///< --onnx-test-dir DIR (test_data_set_*/input_K.pb, output_K.pb)
  int64_t randomFrames = 0; ///< --random N (default 20)
  uint64_t seed = 1;
};

/// The frames, and, from an ONNX test directory, the expected float outputs
/// (per frame, one flat array per graph output; empty otherwise). Errors are
/// one line naming the file, the input and what shape was expected.
llvm::Expected<std::vector<InputFrame>> loadFrames(const FrameSource &src, const DesignEnds &ends,
                                                   std::vector<InputFrame> &expectedFloat);

/// OUT/report.json and its graph ends, as `loom sim` and `loom generate` read them; a
/// missing or malformed report is a one-line error.
struct DesignReport {
  llvm::json::Value json = nullptr;
  DesignEnds ends;
  const llvm::json::Object &object() const { return *json.getAsObject(); }
};
llvm::Expected<DesignReport> readDesignReport(const std::string &outDir);

/// The Verilator harness's view of OUT/: top name, RTL files (OUT/rtl, absolute) and one
/// stream port per graph end.
sim::SimSpec designSimSpec(const llvm::json::Object &report, const DesignEnds &ends,
                           const std::string &outDir);

/// Parses one of OUT/'s IR files (nn.mlir, nn_float.mlir, df.mlir) into `ctx`, whose
/// dialects the caller registered; a missing or stale file is a one-line error.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> readDesignIR(const std::string &path,
                                                               mlir::MLIRContext &ctx);

} // namespace loom

#endif
