// Cycle-level timing prediction of a linear chain of actors:
//   [source, inputs always valid] -> actor 0 -> ... -> actor n-1 -> [tlast_gen] -> sink
// (sink always ready; loom_tlast_gen is a combinational pass-through and adds nothing).
#ifndef LOOM_HW_MODEL_PIPELINE_H
#define LOOM_HW_MODEL_PIPELINE_H

#include "hw_model/Configs.h"

#include <string>
#include <vector>

namespace loom::hw {

struct PipelineTiming {
  /// CONTRACTS.md: t(last output beat of frame 0) - t(first input beat of frame 0) + 1.
  int64_t latency_cycles = 0;
  /// CONTRACTS.md: t(last out beat of frame n-1) - t(last out beat of frame n-2).
  int64_t ii_cycles = 0;
  bool ok = true;      // false: invalid chain or deadlock (see error)
  std::string error;   // one line
};

/// Runs the cycle-level model for `frames` (>= 2) frames.
PipelineTiming predictTiming(const std::vector<ActorSpec> &chain,
                             int frames = kPredictFrames);

/// Same, also returning the edge index of every output beat (for tests).
PipelineTiming predictTiming(const std::vector<ActorSpec> &chain, int frames,
                             std::vector<int64_t> *outBeatCycles,
                             std::vector<int64_t> *inBeatCycles);

}  // namespace loom::hw

#endif  // LOOM_HW_MODEL_PIPELINE_H
