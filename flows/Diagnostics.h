//===- Diagnostics.h - one-line errors from MLIR diagnostics ----*- C++ -*-===//
#ifndef LOOM_FLOWS_DIAGNOSTICS_H
#define LOOM_FLOWS_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

#include <string>

namespace loom {

/// Collects MLIR errors as single lines ("<file>: <message>") instead of
/// letting them print with source excerpts, so the CLI can report exactly one
/// clear line per problem.
class DiagnosticCollector {
public:
  DiagnosticCollector(mlir::MLIRContext &ctx, std::string file);
  /// All collected errors joined by "; " (empty if none).
  std::string message() const;

private:
  std::string file;
  std::vector<std::string> errors;
  mlir::ScopedDiagnosticHandler handler;
};

} // namespace loom

#endif
