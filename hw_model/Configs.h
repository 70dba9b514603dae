// Actor configurations for the hardware model. Field names are the RTL module
// parameter names (docs/CONTRACTS.md, "Library modules") so mapping is 1:1.
#ifndef LOOM_HW_MODEL_CONFIGS_H
#define LOOM_HW_MODEL_CONFIGS_H

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace loom::hw {

/// Number of frames the cycle-level model runs (CONTRACTS.md, timing definitions).
constexpr int kPredictFrames = 8;

/// loom_mvu. Requires K % SIMD == 0, K % IN_BEAT == 0, N % PE == 0.
struct MvuConfig {
  int K = 1, N = 1, SIMD = 1, PE = 1, IN_BEAT = 1;
  int W_IN = 8, W_W = 8, W_ACC = 24, W_OUT = 8;
  int ACT = 0;      // 0 none, 1 relu, 2 table
  int T_DEPTH = 1;  // table entries (ACT == 2)

  int sf() const { return K / SIMD; }
  int nf() const { return N / PE; }
  int inBeats() const { return K / IN_BEAT; }   // input beats per frame
  int outBeats() const { return N / PE; }       // output beats per frame
};

/// loom_softmax. Requires N % IN_BEAT == 0. Output beats carry 1 element.
struct SoftmaxConfig {
  int N = 1, IN_BEAT = 1, W = 8, EXP_DEPTH = 1, EXP_BITS = 16;

  int inBeats() const { return N / IN_BEAT; }
  int outBeats() const { return N; }
};

/// loom_fifo. `beatsPerFrame` is the frame length (in beats) of the stream it buffers
/// (needed only to express its cost per frame and when it starts a chain).
struct FifoConfig {
  int W = 8, DEPTH = 2;
  int beatsPerFrame = 1;
};

/// loom_skid (2-entry register slice).
struct SkidConfig {
  int W = 8;
  int beatsPerFrame = 1;
};

using ActorConfig = std::variant<MvuConfig, SoftmaxConfig, FifoConfig, SkidConfig>;

struct ActorSpec {
  ActorConfig config;
  std::string name;  // optional, for diagnostics
};

/// Validity of a configuration ("" if valid, else a one-line reason).
std::string validate(const ActorConfig &config);

}  // namespace loom::hw

#endif  // LOOM_HW_MODEL_CONFIGS_H
