//===- FoldUnits.h - what one actor's folding costs, which to try -*- C++ -*-===//
//
// df-fold's view of a single actor: its multipliers (MAC lanes, requantization,
// binary lanes), its vectors per frame, the simd values worth trying, and which
// actors only pass lanes through. The search itself is in DFFold.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PASSES_FOLDUNITS_H
#define LOOM_PASSES_FOLDUNITS_H

#include "dialects/df/DFOps.h"

#include <cstdint>
#include <vector>

namespace loom::folding {

int64_t ceilDiv(int64_t a, int64_t b);
/// The divisors of n, ascending.
std::vector<int64_t> divisors(int64_t n);
/// The single consumer of a stream (df streams are point to point), or null.
mlir::Operation *consumerOf(mlir::Value v);

/// Actors whose simd lanes are multipliers (mvu, dwu; attention: a q * k and
/// an e * v lane each, multsPerLane 2).
bool isCompute(mlir::Operation *op);
int64_t multsPerLane(mlir::Operation *op);
bool isFoldable(mlir::Operation *op);
/// The folding of a foldable actor (FoldableOpInterface: mvu, dwu, pool).
df::FoldableOpInterface fold(mlir::Operation *op);
int64_t simdOf(mlir::Operation *op);
int64_t peOf(mlir::Operation *op);
/// Vectors a step (mmv lockstep copies; 1 unless a unit takes several).
int64_t mmvOf(mlir::Operation *op);
void setSimd(mlir::Operation *op, int64_t simd);
void setPe(mlir::Operation *op, int64_t pe);

/// Vectors (windows, rows) per frame of a MAC unit: its cycles are that many
/// times its steps per vector.
int64_t vectorsOf(mlir::Operation *op);
/// Steps a frame of a MAC unit at its current folding: ceil(V*K/simd) when it folds
/// flat across vectors (loom_mvu_stream), else (V/mmv) * ceil(NF*K/simd).
int64_t frameSteps(mlir::Operation *op);
/// The simd values worth trying for a MAC unit at `pe` and `mmv`, ascending: the
/// divisors of its reduction K and the fewest lanes whose steps a frame fit in
/// `maxFrameSteps` where any simd is legal: folded flat across vectors (pe every
/// output, one vector a step, several a frame: ceil(V*K/simd)) or, for a dense unit,
/// flat within a vector (V * ceil(NF*K/simd)).
std::vector<int64_t> simdCandidates(mlir::Operation *op, int64_t pe, int64_t mmv,
                                    int64_t maxFrameSteps);

/// The vectors a step a MAC unit may take (docs/folding.md "Several vectors a
/// step"): 1, and each mmv > 1 dividing its vectors whose streams can carry mmv
/// whole vectors in frame order: fed by a sliding window with mmv dividing an output
/// row (or by the graph input), read by a sliding window whose rows take mmv whole
/// pixels, by a single-vector mvu whose input mmv results divide, or by the graph
/// output. Joins and other units keep one vector a step.
std::vector<int64_t> mmvCandidates(mlir::Operation *op);

/// Whether a MAC unit stores +-1 weights as one bit.
bool isBinary(mlir::Operation *op);
/// Real multipliers of an actor's MAC lanes (every mmv copy's): a binary (+-1 weight)
/// lane is a conditional negation and costs none (it is bounded by binaryLanes instead).
int64_t multipliers(mlir::Operation *op);
int64_t binaryLanes(mlir::Operation *op);
/// Binary lanes allowed per multiplier of the budget: a lane is a W_IN-bit
/// add/subtract, about 1/8 of an 8x8 multiplier's logic.
constexpr int64_t kBinaryLanesPerMult = 8;
/// The multipliers of affine integer graphs besides the MAC lanes (as hw_model
/// estimateCost counts them): one requantization multiplier per PE of a unit
/// with W_M > 0, one LeakyRelu/PRelu multiplier per PE, and a join's (a product
/// of two streams: one per lane, two when rescaled; a scaled add: two per lane).
/// The budget counts them, as report.json does.
int64_t affineMults(mlir::Operation *op);

/// Actors whose output streams carry their input's lanes (and whose inputs,
/// at a join or concat, must agree): their throughput is their streams'
/// width, which the producers' pe decides.
bool isLanePassThrough(mlir::Operation *op);

} // namespace loom::folding

#endif // LOOM_PASSES_FOLDUNITS_H
