//===- Synth.h - `loom synth`: Yosys on OUT/rtl -----------------*- C++ -*-===//
#ifndef LOOM_FLOWS_SYNTH_H
#define LOOM_FLOWS_SYNTH_H

#include "llvm/Support/Error.h"

#include <string>

namespace loom {

struct SynthOptions {
  std::string outDir;             ///< OUT/ of `loom compile`
  std::string target = "generic"; ///< generic, ice40-up5k or xilinx-7
};

/// Runs Yosys on the files report.json lists (sv_files, top), logs to
/// OUT/synth.log and prints the top's cell summary. Errors are one line: an
/// unknown target, no yosys on PATH, no report.json, or a failed run.
llvm::Error synthesizeDesign(const SynthOptions &options);

} // namespace loom

#endif
