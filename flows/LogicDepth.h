//===- LogicDepth.h - logic levels of a Yosys 7-series netlist ---*- C++ -*-===//
//
// Debian has no place and route for Xilinx parts, so `loom synth --target
// xilinx-7` reports the number of logic levels on the longest
// register-to-register path, as Vivado counts them: each LUT, CARRY4, MUXF7
// / MUXF8 and distributed-RAM read on the path is one level. Yosys' own `ltp`
// cannot say this: it does not know that FDRE and the block RAM / DSP
// primitives are registers, and it counts buffers.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FLOWS_LOGICDEPTH_H
#define LOOM_FLOWS_LOGICDEPTH_H

#include "llvm/Support/Error.h"

#include <string>

namespace loom {

/// Levels of the longest combinational path in the flattened top module of
/// a Yosys JSON netlist (`write_json` after synth_xilinx and flatten).
llvm::Expected<int> logicLevels(const std::string &netlistJsonPath, const std::string &top);

} // namespace loom

#endif
