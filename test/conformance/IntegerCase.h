//===- IntegerCase.h - one ONNX integer node test through the whole flow -*- C++ -*-===//
//
// loom-conformance --integer: the quantized ONNX node tests (issue 4) go
// through the real compiler (compileModel) and Verilator (simulateDesign),
// and the simulated outputs must equal the test's expected outputs exactly.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TEST_CONFORMANCE_INTEGERCASE_H
#define LOOM_TEST_CONFORMANCE_INTEGERCASE_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace loom {
namespace conformance {

struct CaseResult {
  enum Kind { Pass, Skip, Fail } kind = Fail;
  std::string detail;
};

/// Names of the integer node tests in scope (issue 4's list).
const std::vector<std::string> &integerNodeTests();

/// Runs the node test in `dir` (model.onnx + test_data_set_*), using
/// `workDir` (created, left behind for inspection) for the bound model, the
/// compiled design and the simulation. Every graph input but the data input
/// is bound to its test-data value as a constant before compiling.
///   SKIP: the importer refuses the bound model (its one-line reason).
///   FAIL: compile or simulation fails, Verilator differs from the reference
///         interpreter, or an output value differs from the expected one.
CaseResult runIntegerCase(llvm::StringRef dir, llvm::StringRef workDir);

} // namespace conformance
} // namespace loom

#endif
