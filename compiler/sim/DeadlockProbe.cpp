//===- DeadlockProbe.cpp - name the actor a deadlocked design is stuck in -===//
#include "compiler/sim/DeadlockProbe.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <set>

namespace loom {
namespace sim {

std::vector<TopInstance> parseTopInstances(llvm::StringRef svText) {
  std::vector<TopInstance> out;
  llvm::SmallVector<llvm::StringRef> lines;
  svText.split(lines, '\n');
  TopInstance cur;
  enum { Outside, Params, Ports } state = Outside;
  for (llvm::StringRef raw : lines) {
    llvm::StringRef line = raw.trim();
    if (state == Outside) {
      if (!line.starts_with("loom_"))
        continue;
      cur = TopInstance();
      cur.module = line.take_while([](char c) { return llvm::isAlnum(c) || c == '_'; }).str();
      llvm::StringRef rest = line.drop_front(cur.module.size()).trim();
      if (rest.starts_with("#(")) {
        state = Params;
      } else {
        // `loom_x name (` without parameters.
        cur.name = rest.take_while([](char c) { return llvm::isAlnum(c) || c == '_'; }).str();
        state = Ports;
      }
      continue;
    }
    if (state == Params) {
      // `) name (` closes the parameter list and names the instance.
      if (line.starts_with(")") && line.ends_with("(")) {
        cur.name = line.drop_front(1).drop_back(1).trim().str();
        state = Ports;
      }
      continue;
    }
    if (line.starts_with(");")) {
      out.push_back(cur);
      state = Outside;
      continue;
    }
    if (line.starts_with(".")) {
      size_t open = line.find('('), close = line.rfind(')');
      if (open != llvm::StringRef::npos && close != llvm::StringRef::npos && close > open)
        cur.ports.emplace_back(line.slice(1, open).trim().str(),
                               line.slice(open + 1, close).trim().str());
    }
  }
  return out;
}

namespace {

bool isHandshake(llvm::StringRef port) {
  return port.ends_with("_valid") || port.ends_with("_ready");
}

bool isIdentifier(llvm::StringRef s) {
  return !s.empty() && (llvm::isAlpha(s[0]) || s[0] == '_') &&
         llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// One stream side of an instance: "in", "in0", "out1", ...
struct Side {
  std::string prefix;
  int valid = -1, ready = -1; // -1: not probed
};

std::vector<Side> sides(const TopInstance &inst, const std::map<std::string, int> &values,
                        bool inputs) {
  std::map<std::string, Side> bySide;
  for (const auto &[port, signal] : inst.ports) {
    llvm::StringRef p(port);
    if (!isHandshake(p) || !p.starts_with(inputs ? "in" : "out"))
      continue;
    std::string prefix = p.drop_back(6).str(); // strip _valid / _ready
    Side &s = bySide[prefix];
    s.prefix = prefix;
    auto it = values.find(signal);
    int v = it == values.end() ? -1 : it->second;
    (p.ends_with("_valid") ? s.valid : s.ready) = v;
  }
  std::vector<Side> out;
  for (auto &kv : bySide)
    out.push_back(kv.second);
  return out;
}

} // namespace

std::vector<std::string> probeSignals(const std::vector<TopInstance> &instances) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const TopInstance &inst : instances)
    for (const auto &[port, signal] : inst.ports)
      if (isHandshake(port) && isIdentifier(signal) && seen.insert(signal).second)
        out.push_back(signal);
  return out;
}

std::string diagnoseDeadlock(const std::vector<TopInstance> &instances,
                             const std::map<std::string, int> &values) {
  if (values.empty())
    return "";
  std::vector<std::string> stuck;
  int busy = 0;
  for (const TopInstance &inst : instances) {
    std::vector<Side> ins = sides(inst, values, true), outs = sides(inst, values, false);
    bool holdsOutput = false;
    for (const Side &s : outs)
      holdsOutput |= s.valid == 1;
    busy += holdsOutput;
    std::string refused, empty;
    for (const Side &s : ins) {
      if (s.valid == 1 && s.ready == 0)
        refused += (refused.empty() ? "" : ", ") + s.prefix;
      else if (s.valid == 0)
        empty += (empty.empty() ? "" : ", ") + s.prefix;
    }
    if (refused.empty() || holdsOutput)
      continue;
    std::string d = "'" + inst.name + "' (" + inst.module + ") refuses offered input on " +
                    refused + " and holds no output";
    if (!empty.empty())
      d += " while waiting on " + empty;
    stuck.push_back(d);
  }
  if (stuck.empty())
    return busy ? "no actor is both refusing input and empty (the output port is not ready?)"
                : "every stream is idle: the design waits for input that never comes";
  std::string msg = "stuck actor" + std::string(stuck.size() > 1 ? "s: " : ": ");
  for (size_t i = 0; i < stuck.size() && i < 3; ++i)
    msg += (i ? "; " : "") + stuck[i];
  if (stuck.size() > 3)
    msg += "; and " + std::to_string(stuck.size() - 3) + " more";
  return msg;
}

} // namespace sim
} // namespace loom
