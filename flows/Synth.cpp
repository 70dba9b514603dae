//===- Synth.cpp - `loom synth`: Yosys on OUT/rtl -------------------------===//
//
// Yosys reads the same file list (report.json's sv_files) that the Verilator
// harness compiles, so what is synthesized is what was simulated.
//
//===----------------------------------------------------------------------===//
#include "flows/Synth.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// The Yosys synthesis command of each `--target`.
llvm::Expected<std::string> synthCommand(const std::string &target) {
  if (target == "generic")
    return std::string("synth");
  if (target == "ice40-up5k")
    return std::string("synth_ice40");
  if (target == "xilinx-7")
    return std::string("synth_xilinx");
  return error("--target must be generic, ice40-up5k or xilinx-7");
}

/// The cell summary lines of the top module's `stat` section in the log.
void printCellSummary(llvm::StringRef log, const std::string &top) {
  llvm::SmallVector<llvm::StringRef> lines;
  log.split(lines, '\n');
  bool inStat = false;
  for (llvm::StringRef line : lines) {
    if (line.contains("=== " + top + " ==="))
      inStat = true;
    if (inStat && (line.contains("Number of cells") || line.trim().starts_with("$_") ||
                   line.trim().starts_with("SB_") || line.trim().starts_with("LUT") ||
                   line.trim().starts_with("DSP") || line.trim().starts_with("FD")))
      llvm::outs() << "  " << line.trim() << "\n";
  }
}

} // namespace

llvm::Error loom::synthesizeDesign(const SynthOptions &o) {
  const std::string &out = o.outDir;
  auto synthCmd = synthCommand(o.target);
  if (!synthCmd)
    return synthCmd.takeError();
  auto yosys = llvm::sys::findProgramByName("yosys");
  if (!yosys)
    return error("yosys not found on PATH; install the Debian package yosys");
  auto buf = llvm::MemoryBuffer::getFile(out + "/report.json");
  if (!buf)
    return error(out + "/report.json: cannot read; run `loom compile` first");
  auto json = llvm::json::parse((*buf)->getBuffer());
  if (!json || !json->getAsObject()) {
    if (!json)
      llvm::consumeError(json.takeError());
    return error(out + "/report.json: invalid");
  }
  auto *r = json->getAsObject();
  std::string top = r->getString("top").value_or("").str();
  std::string script = "read_verilog -sv";
  if (auto *files = r->getArray("sv_files"))
    for (const auto &f : *files)
      script += " " + f.getAsString().value_or("").str();
  script += "; " + *synthCmd + " -top " + top + "; stat";
  std::string log = out + "/synth.log";
  llvm::SmallString<256> rtl(out + "/rtl");
  llvm::sys::fs::make_absolute(rtl);
  llvm::SmallString<256> logAbs(log);
  llvm::sys::fs::make_absolute(logAbs);
  std::string shell = "cd '" + rtl.str().str() + "' && '" + *yosys + "' -q -l '" +
                      logAbs.str().str() + "' -p '" + script + "' > /dev/null 2>&1";
  llvm::StringRef argv[] = {"/bin/sh", "-c", shell};
  int rc = llvm::sys::ExecuteAndWait("/bin/sh", argv);
  if (rc != 0)
    return error("yosys failed (exit " + std::to_string(rc) + "); see " + log);
  auto logBuf = llvm::MemoryBuffer::getFile(log);
  llvm::outs() << "synthesized " << top << " for " << o.target << "; cell summary from " << log
               << ":\n";
  if (logBuf)
    printCellSummary((*logBuf)->getBuffer(), top);
  return llvm::Error::success();
}
