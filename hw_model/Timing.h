// The timing model behind `loom compile --clock-mhz F` (docs/CONTRACTS.md "Clock target",
// calibration in hw_model/README.md "Timing model"): per FPGA family an estimated delay
// per logic level, per adder bit (carry chain) and per multiplier, and from them the
// register stages each actor's datapath needs so that no stage is longer than the clock
// period. Estimates only: synthesis (`loom synth`) reports the facts.
#ifndef LOOM_HW_MODEL_TIMING_H
#define LOOM_HW_MODEL_TIMING_H

#include "hw_model/Configs.h"

#include <optional>
#include <string>

namespace loom::hw {

/// Delays of one FPGA family, in ns.
struct FamilyTiming {
  const char *family;   ///< "ice40", "xilinx-7"
  double levelNs;       ///< one LUT level with its routing
  double adderBitNs;    ///< one bit of a carry chain
  double multNs;        ///< a hard multiplier (iCE40 SB_MAC16, 7-series DSP48E1), combinational
  double overheadNs;    ///< clock to out, setup and clock skew of one register stage
};

/// The family's delays; nullopt for an unknown family. "" is the default, xilinx-7.
std::optional<FamilyTiming> familyTiming(const std::string &family);

/// Logic levels that fit one register stage at `mhz` (at least 1).
int maxLogicLevels(const FamilyTiming &t, double mhz);

/// Estimated delay of `adds` chained adders of `bits` bits (their carry waves overlap,
/// so each adder costs a level and the chain's width is paid once).
double adderChainNs(const FamilyTiming &t, int adds, int bits);

/// Estimated delay of the longest register-to-register path in loom_mvu / loom_dwu's
/// MAC with `pipe` extra stages (the PIPE parameter, 0..2).
double macStageNs(const FamilyTiming &t, const MvuConfig &c, int pipe);
double macStageNs(const FamilyTiming &t, const DwuConfig &c, int pipe);

/// Estimated delay of loom_requant's longest path (accumulator to y_q) with `rqPipe`
/// (RQ_PIPE, 0..1): the multiply by M (a wide multiply: two multipliers' delay), the
/// post-bias add, the rounding add and compare, saturation and the activation.
double requantStageNs(const FamilyTiming &t, const MvuConfig &c, int rqPipe);
double requantStageNs(const FamilyTiming &t, const DwuConfig &c, int rqPipe);

/// The register stages of one loom_mvu / loom_dwu for a clock: MAC (PIPE) and
/// requantisation (RQ_PIPE), each the fewest that fit the period (or the most there are).
struct UnitStages {
  int mac = 0, requant = 0;
};
UnitStages unitStagesFor(const FamilyTiming &t, const MvuConfig &c, double mhz);
UnitStages unitStagesFor(const FamilyTiming &t, const DwuConfig &c, double mhz);

/// The fewest MAC stages (0..2) whose longest path fits the period of `mhz`
/// (2 when none does: the model has no finer cut).
int macStagesFor(const FamilyTiming &t, const MvuConfig &c, double mhz);
int macStagesFor(const FamilyTiming &t, const DwuConfig &c, double mhz);

} // namespace loom::hw

#endif // LOOM_HW_MODEL_TIMING_H
