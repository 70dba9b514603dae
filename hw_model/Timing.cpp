// Timing model (hw_model/Timing.h). The numbers are calibrated on `loom synth` runs
// (nextpnr-ice40 critical paths, Yosys synth_xilinx logic levels); hw_model/README.md
// lists the measurements.
#include "hw_model/Timing.h"

#include <algorithm>
#include <cmath>

namespace loom::hw {

namespace {

// iCE40 UP5K (nextpnr-ice40, speed grade of the UP5K): a LUT4 with its routing is about
// 1.3 ns of logic and 2-3 ns of routing; a carry bit 0.3 ns; an SB_MAC16 16x16 multiply
// about 10 ns to its combinational output.
constexpr FamilyTiming kIce40 = {"ice40", 3.5, 0.3, 10.0, 3.0};
// 7-series (-1): a LUT6 with local routing about 0.6 ns, a CARRY4 0.1 ns (0.025 a bit),
// a DSP48E1 multiply without its internal registers about 3.5 ns.
constexpr FamilyTiming kXilinx7 = {"xilinx-7", 0.6, 0.025, 3.5, 1.0};

template <typename Config> double macNs(const FamilyTiming &t, const Config &c, int pipe) {
  // The product: a multiplier, or for +-1 weights a conditional negation (one adder).
  const int wa = std::max(c.W_ACC, c.W_IN + c.W_W);
  const double mult = c.BIPOLAR_W ? adderChainNs(t, 1, wa) : t.multNs;
  // SIMD - 1 adds of the products and one into the accumulator (with the bias mux).
  const double sum = adderChainNs(t, std::max(0, c.SIMD - 1), wa);
  const double acc = adderChainNs(t, 1, wa) + t.levelNs;
  switch (pipe) {
  case 0:
    return mult + sum + acc;
  case 1:
    return std::max(mult, sum + acc);
  default:
    return std::max({mult, sum, acc});
  }
}

template <typename Config> double requantNs(const FamilyTiming &t, const Config &c, int rqPipe) {
  const int wa = std::max(c.W_ACC, c.W_IN + c.W_W);
  const int rw = std::max({c.W_M > 0 ? wa + c.W_M + 1 : wa, c.W_PB + 1, c.W_OUT + 1});
  const double mult = (c.W_M > 0 ? 2 * t.multNs : 0.0) + adderChainNs(t, c.W_PB > 0, rw);
  // rounding: an add and a compare; saturation: a compare and a mux; activation: a level
  const double round = adderChainNs(t, 1, rw) + 2 * t.levelNs + adderChainNs(t, 1, rw) +
                       2 * t.levelNs;
  return rqPipe ? std::max(mult, round) : mult + round;
}

template <typename Config> UnitStages unitStages(const FamilyTiming &t, const Config &c,
                                                 double mhz) {
  const double budget = 1000.0 / mhz - t.overheadNs;
  UnitStages s;
  s.requant = requantNs(t, c, 0) <= budget ? 0 : 1;
  for (s.mac = 0; s.mac < 2 && macNs(t, c, s.mac) > budget; ++s.mac) {
  }
  return s;
}

template <typename Config> int stagesFor(const FamilyTiming &t, const Config &c, double mhz) {
  const double budget = 1000.0 / mhz - t.overheadNs;
  for (int pipe = 0; pipe < 2; ++pipe)
    if (macNs(t, c, pipe) <= budget)
      return pipe;
  return 2;
}

} // namespace

std::optional<FamilyTiming> familyTiming(const std::string &family) {
  if (family.empty() || family == kXilinx7.family)
    return kXilinx7;
  if (family == kIce40.family)
    return kIce40;
  return std::nullopt;
}

int maxLogicLevels(const FamilyTiming &t, double mhz) {
  return std::max(1, int(std::floor((1000.0 / mhz - t.overheadNs) / t.levelNs)));
}

double adderChainNs(const FamilyTiming &t, int adds, int bits) {
  return adds > 0 ? adds * t.levelNs + bits * t.adderBitNs : 0.0;
}

double macStageNs(const FamilyTiming &t, const MvuConfig &c, int pipe) { return macNs(t, c, pipe); }
double macStageNs(const FamilyTiming &t, const DwuConfig &c, int pipe) { return macNs(t, c, pipe); }
double requantStageNs(const FamilyTiming &t, const MvuConfig &c, int rqPipe) {
  return requantNs(t, c, rqPipe);
}
double requantStageNs(const FamilyTiming &t, const DwuConfig &c, int rqPipe) {
  return requantNs(t, c, rqPipe);
}
UnitStages unitStagesFor(const FamilyTiming &t, const MvuConfig &c, double mhz) {
  return unitStages(t, c, mhz);
}
UnitStages unitStagesFor(const FamilyTiming &t, const DwuConfig &c, double mhz) {
  return unitStages(t, c, mhz);
}
int macStagesFor(const FamilyTiming &t, const MvuConfig &c, double mhz) {
  return stagesFor(t, c, mhz);
}
int macStagesFor(const FamilyTiming &t, const DwuConfig &c, double mhz) {
  return stagesFor(t, c, mhz);
}

} // namespace loom::hw
