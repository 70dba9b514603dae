//===- Resources.h - LUT / FF / BRAM / DSP estimates per RTL module -*- C++ -*-===//
//
// What Yosys 0.23 `synth_xilinx -family xc7` (the command `loom synth
// --target xilinx-7` runs) makes of each library module, as a function of the
// module's parameters (the hw_model config). Fitted per module to
// synth_xilinx's counts of single instances; the fit, its data and its
// measured errors are in hw_model/README.md ("Resource model") and
// bench/resource_fit.py reproduces them.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_HW_MODEL_RESOURCES_H
#define LOOM_HW_MODEL_RESOURCES_H

#include "hw_model/Configs.h"
#include "hw_model/Devices.h"

#include <string>

namespace loom::hw {

/// Counts as synth.json reports them: LUTs include LUT RAM and shift
/// registers, BRAM is in RAMB36 units (a RAMB18 is 0.5), DSP = DSP48E1.
struct Resources {
  int64_t luts = 0, ffs = 0;
  double brams = 0;
  int64_t dsps = 0;
  Resources &operator+=(const Resources &o) {
    luts += o.luts, ffs += o.ffs, brams += o.brams, dsps += o.dsps;
    return *this;
  }
  /// `n` copies (the lockstep copies of an MMV unit).
  Resources times(int64_t n) const {
    return Resources{luts * n, ffs * n, brams * double(n), dsps * n};
  }
};

/// A read-only memory of `depth` words of `width` bits with a registered
/// (synchronous) read, as Yosys maps it: logic (one LUT6 per 64 words per
/// bit) or block RAM, whichever memory_libmap's costs make cheaper.
Resources romResources(int64_t depth, int64_t width);

/// The 2:1 multiplexers Yosys keeps of loom_mvu's operand select
/// rd_flat[sf * xw +: xw] over a `bits`-bit bank, sf < sfN (Resources.cpp).
int64_t selectMuxes(int64_t bits, int64_t xw, int64_t sfN);

Resources estimateResources(const MvuConfig &c);
Resources estimateResources(const DwuConfig &c);
Resources estimateResources(const SoftmaxConfig &c);
Resources estimateResources(const FifoConfig &c);
Resources estimateResources(const SkidConfig &c);
Resources estimateResources(const SwgConfig &c);
Resources estimateResources(const PoolConfig &c);
Resources estimateResources(const UpsampleConfig &c);
Resources estimateResources(const ForkConfig &c);
Resources estimateResources(const AddConfig &c);
Resources estimateResources(const ConcatConfig &c);
Resources estimateResources(const LayerNormConfig &c);
Resources estimateResources(const EmbedConfig &c);
Resources estimateResources(const RotaryConfig &c);
Resources estimateResources(const AttentionConfig &c);
Resources estimateResources(const ActorConfig &c);

/// Whether `r` fits the limits `cap` (a device's capacity or user limits;
/// a limit of 0 is no limit); otherwise `what` names the first exceeded
/// resource ("LUTs", "FFs", "BRAMs", "DSPs").
bool fitsLimits(const Resources &r, const Resources &cap, std::string *what = nullptr);

/// A device's capacity as limits.
Resources capacityOf(const Device &d);

} // namespace loom::hw

#endif // LOOM_HW_MODEL_RESOURCES_H
