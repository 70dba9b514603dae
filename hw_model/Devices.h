//===- Devices.h - FPGA parts Loom synthesizes for ----------------*- C++ -*-===//
//
// The capacity of each part `loom synth --target/--part` knows, from the
// vendors' data sheets, and how to place and route it (iCE40: nextpnr's
// device flag and package). `fits` in synth.json compares against these.
// Block RAM counts in the family's own unit: iCE40 EBR (4 Kbit), 7-series
// RAMB36 (a RAMB18 is half of one).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_HW_MODEL_DEVICES_H
#define LOOM_HW_MODEL_DEVICES_H

#include <string>
#include <vector>

namespace loom::hw {

enum class Family { Ice40, Xilinx7 };

struct Device {
  std::string name;   ///< the part, as users type it (ice40-up5k, xc7z020)
  Family family;
  long luts, ffs;     ///< LUT4 logic cells (iCE40) / LUT6s and flip-flops
  double brams;       ///< EBR (iCE40) / RAMB36 (7-series)
  long dsps;          ///< SB_MAC16 / DSP48E1
  std::string pnrDevice, pnrPackage; ///< nextpnr-ice40 --up5k --package sg48; empty for Xilinx
};

/// The 7-series part of `loom synth --target xilinx-7` and of report.json's
/// estimates when no --part is given.
inline constexpr const char *kDefaultXilinxPart = "xc7z020";

/// The part called `name`, or null.
const Device *findDevice(const std::string &name);

/// Every part of `family`, in the order of the table.
std::vector<const Device *> devicesOf(Family family);

} // namespace loom::hw

#endif
