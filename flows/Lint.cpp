//===- Lint.cpp - `loom compile` lints the RTL it writes -------------------===//
#include "flows/Lint.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <optional>

using namespace loom;

llvm::Error loom::lintRtl(const std::string &rtlDir, const std::string &top,
                          const std::vector<std::string> &files,
                          std::vector<std::string> &warnings) {
  auto error = [](const llvm::Twine &m) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), m);
  };
  auto verilator = llvm::sys::findProgramByName("verilator");
  if (!verilator) {
    warnings.push_back("verilator not found: the RTL was not linted (tools/setup.sh installs it)");
    return llvm::Error::success();
  }
  std::vector<std::string> args = {*verilator, "--lint-only", "-Wall", "--top-module", top,
                                   "-Mdir", rtlDir + "/.lint"};
  for (const std::string &f : files)
    args.push_back(rtlDir + "/" + f);
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  std::string log = rtlDir + "/.lint.log";
  std::optional<llvm::StringRef> redirects[3] = {llvm::StringRef(""), llvm::StringRef(log),
                                                 llvm::StringRef(log)};
  std::string msg;
  bool failed = false;
  int rc = llvm::sys::ExecuteAndWait(*verilator, argv, std::nullopt, redirects, 0, 0, &msg,
                                     &failed);
  std::string first;
  if (auto buf = llvm::MemoryBuffer::getFile(log)) {
    llvm::SmallVector<llvm::StringRef> lines;
    (*buf)->getBuffer().split(lines, '\n');
    for (llvm::StringRef l : lines)
      if (l.starts_with("%Error") || l.starts_with("%Warning")) {
        // Paths inside the staging directory mean nothing to the user.
        first = l.str();
        size_t at = first.find(rtlDir + "/");
        if (at != std::string::npos)
          first.replace(at, rtlDir.size() + 1, "rtl/");
        break;
      }
  }
  llvm::sys::fs::remove(log);
  llvm::sys::fs::remove_directories(rtlDir + "/.lint");
  if (failed)
    return error("cannot run verilator to lint the RTL: " + msg);
  if (rc != 0)
    return error("the generated RTL does not pass `verilator --lint-only -Wall` (a Loom bug; "
                 "please report it with the model): " +
                 (first.empty() ? "exit " + std::to_string(rc) : first));
  return llvm::Error::success();
}
