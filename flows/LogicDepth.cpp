//===- LogicDepth.cpp - logic levels of a Yosys 7-series netlist ---------===//
#include "flows/LogicDepth.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <functional>
#include <vector>

using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// How a primitive sits on a path: a register ends and starts paths, a logic
/// cell adds a level, anything else (buffers, constants) passes through.
enum class Role { Register, Level, PassThrough };

Role roleOf(llvm::StringRef type) {
  if (type.starts_with("FD") || type.starts_with("RAMB") || type.starts_with("DSP48") ||
      type.starts_with("SRL") || type == "GND" || type == "VCC")
    return Role::Register; // SRLs hold their data in the LUT: their output starts a path
  if (type.starts_with("LUT") || type == "CARRY4" || type.starts_with("MUXF") ||
      type.starts_with("RAM"))
    return Role::Level; // RAM32M / RAM64X1D ...: an asynchronous read is one LUT level
  return Role::PassThrough;
}

struct Cell {
  Role role;
  std::vector<int64_t> inBits, outBits;
};

} // namespace

llvm::Expected<int> loom::logicLevels(const std::string &path, const std::string &top) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return error(path + ": cannot read the netlist");
  auto json = llvm::json::parse((*buf)->getBuffer());
  if (!json) {
    llvm::consumeError(json.takeError());
    return error(path + ": not a Yosys JSON netlist");
  }
  const llvm::json::Object *mods = json->getAsObject() ? json->getAsObject()->getObject("modules")
                                                       : nullptr;
  const llvm::json::Object *mod = mods ? mods->getObject(top) : nullptr;
  const llvm::json::Object *cells = mod ? mod->getObject("cells") : nullptr;
  if (!cells)
    return error(path + ": no module '" + top + "' with cells");

  std::vector<Cell> all;
  llvm::DenseMap<int64_t, size_t> driver; // net bit -> the cell whose output drives it
  for (const auto &kv : *cells) {
    const llvm::json::Object *c = kv.second.getAsObject();
    if (!c)
      continue;
    Cell cell;
    cell.role = roleOf(c->getString("type").value_or(""));
    const llvm::json::Object *dirs = c->getObject("port_directions");
    const llvm::json::Object *conns = c->getObject("connections");
    if (!dirs || !conns)
      continue;
    for (const auto &port : *conns) {
      bool out = dirs->getString(port.first).value_or("") == "output";
      if (const llvm::json::Array *bits = port.second.getAsArray())
        for (const llvm::json::Value &b : *bits)
          if (auto id = b.getAsInteger()) // "0" / "1" / "x" constants are strings
            (out ? cell.outBits : cell.inBits).push_back(*id);
    }
    for (int64_t b : cell.outBits)
      driver[b] = all.size();
    all.push_back(std::move(cell));
  }

  // Longest path ending at each cell's output, memoized; a combinational
  // loop (there should be none) is cut where it closes.
  std::vector<int> depth(all.size(), -1);
  std::vector<char> onStack(all.size(), 0);
  std::function<int(size_t)> arrive = [&](size_t i) -> int {
    if (all[i].role == Role::Register)
      return 0;
    if (depth[i] >= 0)
      return depth[i];
    if (onStack[i])
      return 0;
    onStack[i] = 1;
    int best = 0;
    for (int64_t b : all[i].inBits) {
      auto it = driver.find(b);
      if (it != driver.end())
        best = std::max(best, arrive(it->second));
    }
    onStack[i] = 0;
    return depth[i] = best + (all[i].role == Role::Level ? 1 : 0);
  };
  int levels = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].role != Role::Register) {
      levels = std::max(levels, arrive(i));
      continue;
    }
    // A register's data inputs end a path.
    for (int64_t b : all[i].inBits) {
      auto it = driver.find(b);
      if (it != driver.end())
        levels = std::max(levels, arrive(it->second));
    }
  }
  return levels;
}
