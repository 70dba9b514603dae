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
  /// t(last out beat of frame f) - t(first input beat of frame 0), f < frames. Two runs
  /// with equal vectors give equal latency and ii for every frame count the harness may
  /// measure (min(8, frames)); ii_cycles alone hides schedules whose frame intervals
  /// alternate (64, 74, 64, ...: last interval 64, mean 69).
  std::vector<int64_t> frame_end_cycles;
  bool ok = true;    // false: invalid chain or deadlock (see error)
  std::string error; // one line
};

/// Runs the cycle-level model for `frames` (>= 2) frames.
PipelineTiming predictTiming(const std::vector<ActorSpec> &chain, int frames = kPredictFrames);

/// Same, also returning the edge index of every output beat (for tests).
PipelineTiming predictTiming(const std::vector<ActorSpec> &chain, int frames,
                             std::vector<int64_t> *outBeatCycles,
                             std::vector<int64_t> *inBeatCycles);

// ---------------------------------------------------------------- DAG of actors
/// A node of an actor graph. `inputs[k]` is the producer of input port k: a node id, or
/// graphInput(j) (< 0) for graph input j. A producer with 2 outputs (fork) has its output
/// ports given to its consumers in order of appearance (node id, then input index): the
/// first reference is output 0, the second output 1. Every graph input is referenced
/// exactly once (fan out with a fork) and offered its next beat every cycle, each
/// independently of the others. The output ports nobody consumes are the graph outputs
/// (sinks, always ready), numbered in (node, port) order. A frame ends when every graph
/// output has given its last beat of that frame; latency counts from the first beat on
/// any graph input.
struct Node {
  ActorSpec spec;
  std::vector<int> inputs;
};

/// The producer id that stands for graph input k, and back.
constexpr int graphInput(int k) { return -1 - k; }
constexpr int graphInputIndex(int producer) { return -1 - producer; }

/// An edge: from (node, output port) to (node, input port). from == -1: graph input
/// number fromPort; to == -1: graph output number toPort.
struct Edge {
  int from = -1, fromPort = 0, to = -1, toPort = 0;
};

/// The edges of a graph (graph input edges first, by input number, then the internal
/// ones in node order, graph output edges last, by output number); on an invalid graph returns {} and sets *error.
std::vector<Edge> graphEdges(const std::vector<Node> &graph, std::string *error);

/// Cycle-level latency / II of a graph (same definitions as predictTiming; named
/// differently so that `predictTiming({})` stays unambiguous). Optionally the cycle of
/// every graph output / input beat.
PipelineTiming predictGraphTiming(const std::vector<Node> &graph, int frames = kPredictFrames,
                                  std::vector<int64_t> *outBeatCycles = nullptr,
                                  std::vector<int64_t> *inBeatCycles = nullptr);

/// Token-by-token decoding (`loom generate`): a frame is a sequence of `rows` rows and
/// every graph input and output streams rows/beatsPerFrame beats per row. Rows
/// 0..prompt-1 are offered back to back from cycle 0 (each input its next beat every
/// cycle); row r >= prompt is offered from the cycle after the last output beat of row
/// r - 1 (the host picks the next token from that row's logits, as the harness does).
/// The run ends when row rowsFed - 1 has left every output.
struct RowSchedule {
  int64_t rows = 1, prompt = 1, rowsFed = 1;
};
struct RowTiming {
  /// Per row fed: cycle of its first beat on any input / of its last beat on the
  /// last output to finish it (cycle 0 = the first cycle of the run).
  std::vector<int64_t> firstIn, lastOut;
  bool ok = false;
  std::string error; // one line
};
RowTiming predictRowSchedule(const std::vector<Node> &graph, const RowSchedule &sched);

/// FIFO sizing of the internal edges of a graph (edges between two nodes).
/// 1. Simulate with an unbounded loom_fifo on every internal edge (mask: only on the
///    edges with onEdge[i] true, indices as in graphEdges; empty = all internal edges);
///    record for each FIFO the largest occupancy a push met, plus one (a full loom_fifo
///    refuses a push even in a cycle it is popped, so a push at occupancy k needs k + 1
///    entries; with these depths no push waits and the schedule is the unbounded one).
/// 2. depth[i] = max(2, that) on FIFO edges (0 elsewhere); re-simulate with those depths:
///    ok only if no deadlock and every frame end equals the unbounded run's
///    (frame_end_cycles; the last interval alone hides alternating schedules).
/// An edge FIFO adds one cycle of latency on its path (loom_fifo), exactly as in RTL.
struct FifoSizing {
  bool ok = true;
  std::string error;
  std::vector<Edge> edges; // graphEdges order
  std::vector<int> depth;  // per edge, 0 = no FIFO on that edge
  int64_t ii_unbounded = 0, latency_unbounded = 0, ii_sized = 0, latency_sized = 0;
  std::vector<int64_t> frame_end_unbounded; // PipelineTiming::frame_end_cycles
};
FifoSizing sizeFifos(const std::vector<Node> &graph, int frames = kPredictFrames,
                     const std::vector<bool> &onEdge = {});

/// One actor alone with every input port offered a beat every cycle and every output
/// always ready (any number of ports): the clean pass the RTL testbenches of 2-port
/// modules measure. latency/ii are taken on input port 0 / output port 0; inCycles[p] /
/// outCycles[p] receive the cycle of every beat on each port.
PipelineTiming predictActorAlone(const ActorConfig &actor, int frames,
                                 std::vector<std::vector<int64_t>> *inCycles = nullptr,
                                 std::vector<std::vector<int64_t>> *outCycles = nullptr);

/// Graph with the FIFOs of `s` inserted as FifoConfig nodes (W = `fifoBits` per edge,
/// from the caller, 0 = unknown): predictGraphTiming on it equals s.latency/ii_sized.
std::vector<Node> withFifos(const std::vector<Node> &graph, const FifoSizing &s);

} // namespace loom::hw

#endif // LOOM_HW_MODEL_PIPELINE_H
