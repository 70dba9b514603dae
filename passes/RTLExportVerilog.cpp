//===- RTLExportVerilog.cpp - print the netlist as SystemVerilog ----------===//
#include "passes/Passes.h"

#include "compiler/emit/VerilogEmitter.h"

namespace loom {
#define GEN_PASS_DEF_RTLEXPORTVERILOG
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
struct RTLExportVerilogPass : loom::impl::RTLExportVerilogBase<RTLExportVerilogPass> {
  using RTLExportVerilogBase::RTLExportVerilogBase;
  void runOnOperation() override {
    auto files = emitVerilog(getOperation());
    if (failed(files))
      return signalPassFailure();
    if (dir.empty()) {
      for (const EmittedFile &f : *files)
        llvm::outs() << "// ----- " << f.name << "\n" << f.text;
      return;
    }
    std::string error;
    if (failed(writeFiles(*files, dir, error))) {
      getOperation().emitError(error);
      signalPassFailure();
    }
    markAllAnalysesPreserved();
  }
};
} // namespace
