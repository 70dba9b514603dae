//===- Synth.h - `loom synth`: Yosys and nextpnr on OUT/rtl -----*- C++ -*-===//
#ifndef LOOM_FLOWS_SYNTH_H
#define LOOM_FLOWS_SYNTH_H

#include "llvm/Support/Error.h"

#include <string>

namespace loom {

struct SynthOptions {
  std::string outDir;             ///< OUT/ of `loom compile`
  std::string target = "generic"; ///< generic, ice40-up5k, ice40-hx8k or xilinx-7
  std::string part;               ///< xilinx-7: xc7z020 (default), xc7a35t, ...
  double clockMhz = 0;            ///< the clock constraint; 0: none (iCE40: 12 MHz)
  int timeoutSeconds = 3600;      ///< per tool run
};

/// Synthesizes the files report.json lists (sv_files, top) and writes
/// OUT/synth.json (docs/CONTRACTS.md "synth.json"), its logs and constraint
/// files under OUT/synth/:
///  - iCE40: Yosys synth_ice40 -dsp on a board shell (bit-serial pins around
///    the design, so any design has few enough I/Os), then nextpnr-ice40 place
///    and route at --clock-mhz: fits and fmax_mhz are placed-and-routed facts;
///  - xilinx-7: Yosys synth_xilinx; logic_levels (LUT, carry and mux levels
///    on the longest register-to-register path, flows/LogicDepth.h) stands
///    for timing, as Debian has no Xilinx P&R;
///  - generic: Yosys synth, cell counts only.
/// Errors are one line: an unknown target or part, a missing tool, no
/// report.json, a failed or timed-out run (naming its log).
llvm::Error synthesizeDesign(const SynthOptions &options);

} // namespace loom

#endif
