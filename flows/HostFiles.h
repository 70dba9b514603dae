//===- HostFiles.h - OUT/host: how frames pack into AXI4-Stream beats ----*- C++ -*-===//
#ifndef LOOM_FLOWS_HOSTFILES_H
#define LOOM_FLOWS_HOSTFILES_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace loom {

/// Writes `dir` (OUT/host, inside compile's staging directory): io.json (the
/// top and report.json's graph ends, each with bytes_per_beat), <top>_io.h (the
/// same as C macros, perm tables and lane (un)packing functions) and
/// loom_host.py (numpy packing, copied from tools/host). docs/CONTRACTS.md,
/// "Host interface".
llvm::Error writeHostFiles(const llvm::json::Object &report, const std::string &dir);

} // namespace loom

#endif
