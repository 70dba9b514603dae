// Logic levels (flows/LogicDepth.h) of small Yosys-JSON netlists whose
// longest register-to-register path is counted by hand in each test.
#include "flows/LogicDepth.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

/// A cell: type, then (port, direction, bits) triples.
struct C {
  std::string name, type;
  std::vector<std::tuple<std::string, bool, std::vector<int>>> ports; // (port, output?, bits)
};

std::string netlist(const std::vector<C> &cells) {
  std::string s = R"({"modules": {"top": {"cells": {)";
  for (size_t i = 0; i < cells.size(); ++i) {
    const C &c = cells[i];
    std::string dirs, conns;
    for (auto &[port, out, bits] : c.ports) {
      dirs += (dirs.empty() ? "" : ", ") + ("\"" + port + "\": \"") + (out ? "output" : "input") +
              "\"";
      std::string b;
      for (int x : bits)
        b += (b.empty() ? "" : ", ") + std::to_string(x);
      conns += (conns.empty() ? "" : ", ") + ("\"" + port + "\": [") + b + "]";
    }
    s += (i ? ", " : "") + ("\"" + c.name + "\": {\"type\": \"" + c.type +
                            "\", \"port_directions\": {" + dirs + "}, \"connections\": {" +
                            conns + "}}");
  }
  return s + "}}}}";
}

int levelsOf(const std::vector<C> &cells) {
  char path[] = "/tmp/loom_logicdepth_XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << netlist(cells);
  auto r = loom::logicLevels(path, "top");
  std::remove(path);
  if (!r) {
    ADD_FAILURE() << llvm::toString(r.takeError());
    return -1;
  }
  return *r;
}

C ff(const std::string &n, int d, int q) { return {n, "FDRE", {{"D", false, {d}}, {"Q", true, {q}}}}; }
C lut(const std::string &n, std::vector<int> in, int o) {
  return {n, "LUT4", {{"I", false, in}, {"O", true, {o}}}};
}

} // namespace

// FF(q=1) -> LUT -> LUT -> CARRY4 -> FF: 3 levels. A second path FF -> LUT -> FF
// is shorter. Buffers count 0, constants ("0" strings) are ignored.
TEST(LogicDepth, CountsLutsCarriesAndStopsAtRegisters) {
  std::vector<C> cells = {ff("a", 5, 1),
                          lut("l1", {1}, 2),
                          lut("l2", {2, 1}, 3),
                          {"c", "CARRY4", {{"DI", false, {3}}, {"CO", true, {4}}}},
                          ff("b", 4, 6),
                          lut("l3", {6}, 5),
                          {"buf", "BUFG", {{"I", false, {6}}, {"O", true, {7}}}}};
  EXPECT_EQ(levelsOf(cells), 3);
}

// A path into a block RAM or DSP ends there, and their outputs start paths:
// FF -> LUT -> RAMB36 -> LUT -> LUT -> MUXF7 -> OBUF: 3 levels after the RAM.
TEST(LogicDepth, BlockRamAndDspAreRegisters) {
  std::vector<C> cells = {ff("a", 1, 1),
                          lut("l1", {1}, 2),
                          {"ram", "RAMB36E1", {{"ADDR", false, {2}}, {"DO", true, {3}}}},
                          lut("l2", {3}, 4),
                          lut("l3", {4}, 5),
                          {"m", "MUXF7", {{"I0", false, {5}}, {"O", true, {8}}}},
                          {"ob", "OBUF", {{"I", false, {8}}, {"O", true, {9}}}},
                          {"dsp", "DSP48E1", {{"A", false, {9}}, {"P", true, {10}}}}};
  EXPECT_EQ(levelsOf(cells), 3);
}

// A combinational loop (l1 -> l2 -> l1) is cut where it closes: 2 levels.
TEST(LogicDepth, CutsLoops) {
  EXPECT_EQ(levelsOf({lut("l1", {2}, 1), lut("l2", {1}, 2)}), 2);
}

TEST(LogicDepth, MissingModuleIsAnError) {
  std::ofstream("/tmp/loom_logicdepth_empty.json") << R"({"modules": {}})";
  auto r = loom::logicLevels("/tmp/loom_logicdepth_empty.json", "top");
  EXPECT_FALSE(bool(r));
  llvm::consumeError(r.takeError());
}
