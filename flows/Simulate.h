//===- Simulate.h - `loom sim`: OUT/ -> Verilator run vs reference -*- C++ -*-===//
#ifndef LOOM_FLOWS_SIMULATE_H
#define LOOM_FLOWS_SIMULATE_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

struct SimulateOptions {
  std::string outDir;
  std::string inputsNpy;    ///< --inputs X.npy
  std::string onnxTestDir;  ///< --onnx-test-dir DIR (test_data_set_*/input_0.pb)
  int64_t randomFrames = 0; ///< --random N (default when no inputs: 20)
  uint64_t seed = 1;
  double backpressure = 0;
  std::string outNpz; ///< --out Y.npz
  bool trace = false;
  bool plainRtl = false; ///< simulate the synthesised forms of the library (slower)
  /// --weights: models of OUT's architecture whose weights are loaded at run
  /// time (a --runtime-weights OUT), the frames split evenly between them.
  std::vector<std::string> weights;
};

/// Simulates OUT/ on the given frames, compares every output word with the
/// reference interpreter on OUT/nn.mlir, prints the report and writes
/// OUT/sim.json. Returns the number of mismatching words (0 = pass) or an
/// error (bad inputs, Verilator failure, deadlock).
llvm::Expected<int64_t> simulateDesign(const SimulateOptions &options);

} // namespace loom

#endif
