//===- VerilogEmitter.h - rtl dialect -> SystemVerilog ----------*- C++ -*-===//
#ifndef LOOM_COMPILER_EMIT_VERILOGEMITTER_H
#define LOOM_COMPILER_EMIT_VERILOGEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/APInt.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace loom {

/// One emitted file: a module's SystemVerilog or a memfile's $readmemh image.
struct EmittedFile {
  std::string name;
  std::string text;
};

/// The words (lines) of an rtl.memfile, each lanes * lane_bits wide, lane 0
/// least significant, two's complement: the $readmemh lines and the lines of
/// a run-time load image (flows/RuntimeWeights.cpp) alike.
std::vector<llvm::APInt> memFileLines(mlir::Operation *memfile);

/// Prints every rtl.module and rtl.memfile of `module` (a memfile loaded at run
/// time, with a load_offset, is part of the weight image instead). Deterministic: the
/// same IR gives the same bytes. Fails with a diagnostic on IR it cannot print.
mlir::FailureOr<std::vector<EmittedFile>> emitVerilog(mlir::ModuleOp module);

/// Writes `files` into `dir` (which must exist).
mlir::LogicalResult writeFiles(const std::vector<EmittedFile> &files, llvm::StringRef dir,
                               std::string &error);

/// Library modules an emitted design instantiates (e.g. "loom_mvu").
std::vector<std::string> usedLibraryModules(mlir::ModuleOp module);

} // namespace loom

#endif
