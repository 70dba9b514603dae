// Per-actor cost model: cycles, latency, multipliers, memory (LUT/FF/BRAM/DSP:
// hw_model/Resources.h).
#ifndef LOOM_HW_MODEL_COST_H
#define LOOM_HW_MODEL_COST_H

#include "hw_model/Configs.h"

namespace loom::hw {

struct ActorCost {
  /// II of the actor alone: cycles per frame in a clean pass (inputs always valid,
  /// outputs always ready). Exact (equals the cycle model / RTL).
  int64_t cyclesPerFrame = 0;
  /// Latency of the actor alone (CONTRACTS.md definition: first input beat to last
  /// output beat of frame 0, + 1). Exact.
  int64_t latencyCycles = 0;
  /// Real multipliers (a +-1 weight lane is a conditional negation: 0).
  int64_t multipliers = 0;
  /// Operand widths of the actor's MAC lanes (0, 0: none) and whether they are binary
  /// (+-1 weights, no multiplier); for report.json.
  int multBitsA = 0, multBitsB = 0;
  bool binary = false;
  /// ROM bits: weights + bias + activation/exp tables.
  int64_t memoryBits = 0;
  /// Multiply-accumulates of the network's arithmetic per frame (weights x activations,
  /// activation x activation products), not counting requantization: the work the
  /// multiplier bound ceil(MACs / multipliers) is about.
  int64_t macs = 0;
};

ActorCost estimateCost(const MvuConfig &c);
ActorCost estimateCost(const SoftmaxConfig &c);
ActorCost estimateCost(const LayerNormConfig &c);
ActorCost estimateCost(const EmbedConfig &c);
ActorCost estimateCost(const RotaryConfig &c);
ActorCost estimateCost(const AttentionConfig &c);
/// Bits of loom_attention's memories (K, V, q, scores, accumulators, exp table).
int64_t attentionMemoryBits(const AttentionConfig &c);
ActorCost estimateCost(const FifoConfig &c);
ActorCost estimateCost(const SkidConfig &c);
ActorCost estimateCost(const SwgConfig &c); // II/latency: runs the cycle model alone
ActorCost estimateCost(const PoolConfig &c);
ActorCost estimateCost(const UpsampleConfig &c);
ActorCost estimateCost(const DwuConfig &c);
ActorCost estimateCost(const ForkConfig &c);
ActorCost estimateCost(const AddConfig &c);
ActorCost estimateCost(const ConcatConfig &c);
ActorCost estimateCost(const ActorConfig &c);

/// loom compile --runtime-weights: the 32-bit words an actor's loadable memories take
/// in the weight-load image (docs/CONTRACTS.md "Weight-load stream"): each line of
/// `bits` bits takes ceil(bits / 32) words. loom_mvu / loom_dwu load NF*SF weight lines
/// of PE*SIMD*W_W bits and NF bias lines of PE*W_ACC bits; loom_embed its table (V*C/OUT_BEAT
/// lines of OUT_BEAT*W_OUT bits) and position table (T*C/OUT_BEAT lines); loom_layernorm
/// C gamma lines of W_G and C beta lines of W_B bits; other actors load nothing.
/// The port takes one word per cycle, so the load takes the image's words in cycles.
int64_t weightLoadWords(const ActorConfig &c);

} // namespace loom::hw

#endif // LOOM_HW_MODEL_COST_H
