//===- Devices.cpp - FPGA parts Loom synthesizes for ---------------------===//
#include "hw_model/Devices.h"

namespace loom::hw {

namespace {
// Data sheets: Lattice iCE40 UltraPlus (DS1056) and LP/HX (DS1040) family
// tables; Xilinx 7 Series product selection guide (Zynq-7000, Artix-7).
const Device kDevices[] = {
    {"ice40-up5k", Family::Ice40, 5280, 5280, 30, 8, "--up5k", "sg48"},
    {"ice40-hx8k", Family::Ice40, 7680, 7680, 32, 0, "--hx8k", "ct256"},
    {"xc7z010", Family::Xilinx7, 17600, 35200, 60, 80, "", ""},
    {"xc7z020", Family::Xilinx7, 53200, 106400, 140, 220, "", ""},
    {"xc7a35t", Family::Xilinx7, 20800, 41600, 50, 90, "", ""},
    {"xc7a100t", Family::Xilinx7, 63400, 126800, 135, 240, "", ""},
};
} // namespace

const Device *findDevice(const std::string &name) {
  for (const Device &d : kDevices)
    if (d.name == name)
      return &d;
  return nullptr;
}

std::vector<const Device *> devicesOf(Family family) {
  std::vector<const Device *> out;
  for (const Device &d : kDevices)
    if (d.family == family)
      out.push_back(&d);
  return out;
}

} // namespace loom::hw
