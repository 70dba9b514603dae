//===- Lint.h - `loom compile` lints the RTL it writes -----------*- C++ -*-===//
//
// Issue 10.6: RTL that compiles also builds. Before `loom compile` reports
// success it runs `verilator --lint-only -Wall` on the files report.json
// lists, so it never hands out RTL that does not build.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FLOWS_LINT_H
#define LOOM_FLOWS_LINT_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace loom {

/// Lints `rtlDir`/`files` with `top` as the top module. The error is the
/// first diagnostic Verilator printed, as one line. Without Verilator on PATH
/// nothing is checked and `warnings` says so.
llvm::Error lintRtl(const std::string &rtlDir, const std::string &top,
                    const std::vector<std::string> &files, std::vector<std::string> &warnings);

} // namespace loom

#endif
