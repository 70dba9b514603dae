//===- Report.h - `loom report`: OUT/report.json as text --------*- C++ -*-===//
#ifndef LOOM_FLOWS_REPORT_H
#define LOOM_FLOWS_REPORT_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace loom {

/// Reads one JSON file of OUT/ (report.json, sim.json); errors name the file
/// and say to run `loom compile` first when it cannot be read.
llvm::Expected<llvm::json::Value> readJson(const std::string &path);

/// Prints OUT/report.json (and OUT/sim.json when present) as a table.
llvm::Error printReport(const std::string &outDir);

/// `loom report --html`: OUT/report.html, a self-contained page (the dataflow
/// graph as SVG with the bottleneck highlighted, per-actor bar charts of cycles
/// and resources, predicted against measured from sim.json, synth.json's
/// results), written atomically.
llvm::Error writeHtmlReport(const std::string &outDir);

} // namespace loom

#endif
