//===- Diagnostics.cpp - one-line errors from MLIR diagnostics ------------===//
#include "flows/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace loom;

DiagnosticCollector::DiagnosticCollector(MLIRContext &ctx, std::string file)
    : file(std::move(file)), handler(&ctx, [this](Diagnostic &diag) {
        if (diag.getSeverity() == DiagnosticSeverity::Error) {
          std::string text = diag.str();
          for (char &c : text)
            if (c == '\n')
              c = ' ';
          errors.push_back(text);
        }
        return success();
      }) {}

std::string DiagnosticCollector::message() const {
  if (errors.empty())
    return "";
  return file + ": " + llvm::join(errors, "; ");
}
