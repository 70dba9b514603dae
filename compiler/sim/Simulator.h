//===- Simulator.h - Verilator harness generation, build and run ----------===//
//
// LoomSim: drives an emitted Loom top module (see docs/CONTRACTS.md, "Top
// module" and "Timing measurement") in Verilator.
//
//   1. generateHarness() writes one deterministic C++ file (harness.cpp) that
//      drives the Verilated top. It is built once with
//        verilator --cc --exe --build -O3 --x-assign fast --x-initial fast
//                  --assert -Wno-fatal -j 2
//      (--assert: the library's stream-protocol assertions, loom_stream_check,
//      stop a run that breaks the valid/ready rules)
//      into SimOptions::workDir/obj/ (obj-trace/ with --trace-fst). The
//      build is skipped when the hash of (svFiles names + contents, *.svh/*.vh
//      in rtlDir, harness text, flags, verilator path) equals the stamp of the
//      previous build (SimBuild::rebuilt == false, buildSeconds == 0).
//   2. The built simulator is independent of the input data: it reads input
//      frames from a binary file and writes outputs + cycle stamps to a text
//      file, so it can be rerun on other inputs (runBuiltSimulator()).
//
// Command line of the built simulator (all paths should be absolute, since it
// chdir()s into --cwd = rtlDir so that $readmemh paths resolve):
//   loom_sim --cwd DIR --in FILE --out FILE [--backpressure P] [--seed S]
//            [--watchdog CYCLES] [--trace FILE.fst] [--weights FILE]
// Weight file (run-time weights; little endian): 8 bytes "LOOMWT1\0", int64 images,
//   int64 words per image, per image int64 first frame, then the uint32 words.
// Input file (little endian): 8 bytes "LOOMIN2\0", int64 frames, int64 inputs,
//   per input int64 beatsPerFrame and int64 lanes, then the int64 lane values
//   (frame-major, then input, then beat, then lane).
// Output file (text, one record per line):
//   pass <name> <frames>                          name = clean | random
//   f <frame> <t_first_in> <t_last_in> <t_first_out> <t_last_out> <values...>
//     (over every port: first beat on any input, last beat on any output; the
//     values of every output, one after the other)
//   ok <cycles> <tlast_errors> <extra_out_beats> <in_beats_unconsumed>
//   w <image> <cycle of its first word> <cycle of its last word>   (run-time weights)
//   deadlock <cycle> <in_beats> <in_total> <out_beats> <out_total> <idle> <s_tready> <m_tvalid>
//   time <seconds in the simulation loops> <total cycles> <seconds in eval(), estimated>
//
// Passes (each on a freshly constructed model, reset held high 4 cycles):
//   clean : every input beat offered every cycle, m_axis_tready always high
//           (with several ports: each input offered independently, every ready high).
//           Cycle 0 = first rising edge after reset release; a beat happens at
//           cycle t if valid && ready are high when edge t samples them.
//           latency = t(last out beat, frame 0) - t(first in beat, frame 0) + 1
//           ii      = t(last out beat, frame n-1) - t(last out beat, frame n-2)
//                     with n = min(kTimingFrames = 8, frames) (all frames are
//                     streamed back to back; timing uses the first n).
//           After the last output beat, 64 more cycles are run to count extra
//           (unexpected) output beats. m_axis_tlast must be high exactly on the
//           last beat of each output frame (otherwise tlastErrors counts).
//   random: only when backpressure P > 0: each s_axis tvalid is dropped with
//           probability P per cycle (an offered beat is held until taken, as
//           AXI-Stream requires), each m_axis tready low with probability P per
//           cycle; seeded xorshift RNG (same seed -> same run). Outputs must
//           equal the clean pass word for word (SimResult::passMismatches).
// One simulation at a time per workDir (files there are overwritten).
// Watchdog: a pass stops as deadlocked when no output beat happened for
//   watchdogCycles cycles (default: 100000 + 100 * (inBeatsPerFrame +
//   outBeatsPerFrame)); the message names the pass, cycle and beat counts.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_SIM_SIMULATOR_H
#define LOOM_COMPILER_SIM_SIMULATOR_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {
namespace sim {

/// Number of leading frames of the clean pass that latency/II are measured on
/// (must equal hw_model's kPredictFrames).
constexpr int kTimingFrames = 8;

/// One AXI4-Stream end of the top: <port>_tdata (lanes * bits; lane e at [e*bits +: bits]),
/// <port>_tvalid, <port>_tready, <port>_tlast.
struct StreamPort {
  std::string port;          ///< prefix: "s_axis" / "m_axis", or "s_axis_<name>" with several
  int lanes = 1, bits = 8;   ///< 1 <= bits <= 64
  int64_t beatsPerFrame = 1;
  int64_t wordsPerFrame() const { return int64_t(lanes) * beatsPerFrame; }
};

/// Everything about the design the harness needs.
struct SimSpec {
  std::string topName;              ///< top module name
  std::string rtlDir;               ///< OUT/rtl; simulator working directory
  std::vector<std::string> svFiles; ///< compile order, relative to rtlDir (or absolute)
  /// The graph's inputs and outputs in order. A frame is one frame on every input; its
  /// words are every input's (beat-major, then lane) one input after the other, and
  /// likewise its output words.
  std::vector<StreamPort> inputs{StreamPort{"s_axis"}}, outputs{StreamPort{"m_axis"}};
  /// Top-level valid/ready wires the harness reads when the watchdog fires
  /// (filled by buildSimulator from the top's text; see DeadlockProbe.h).
  std::vector<std::string> probeSignals;
  /// Words of the weight-load image (loom compile --runtime-weights: the top has
  /// s_axis_wt_tdata [31:0], _tvalid, _tready); 0: no such port.
  int64_t weightWords = 0;
  /// The top's reset is the active-low aresetn (loom compile --aresetn), not rst.
  bool resetActiveLow = false;
  int64_t inWordsPerFrame() const;
  int64_t outWordsPerFrame() const;
  int64_t inBeatsPerFrame() const;  ///< over every input
  int64_t outBeatsPerFrame() const; ///< over every output
};

struct SimOptions {
  double backpressure = 0;    ///< P in [0,1); > 0 adds the randomized pass
  uint64_t seed = 1;          ///< seed of the randomized pass
  bool trace = false;         ///< build with --trace-fst; clean pass -> workDir/trace.fst
  /// Simulate the forms synthesis reads (LOOM_PLAIN_RTL: the library's `SIM`
  /// forms off), slower; built in workDir/obj-plain.
  bool plainRtl = false;
  int64_t watchdogCycles = 0; ///< 0: 100000 + 100*(inBeatsPerFrame+outBeatsPerFrame)
  std::string workDir;        ///< build/run directory, e.g. OUT/sim (created)
  bool verbose = false;       ///< echo verilator/simulator command lines to stderr
  /// Run-time weights (SimSpec::weightWords > 0): image i (weightWords words) is
  /// streamed through s_axis_wt before frame weightFirstFrames[i] (0 for the
  /// first), once every earlier frame has left the design; each pass loads them.
  std::vector<std::vector<uint32_t>> weightImages;
  std::vector<int64_t> weightFirstFrames;
};

/// One difference between the clean and the randomized pass.
struct PassMismatch {
  int64_t frame = 0, index = 0; ///< index into the flat frame output; -1: frame missing
  int64_t clean = 0, random = 0;
};

struct SimResult {
  /// Per frame, flat (beat-major, then lane), sign-extended; from the clean
  /// pass. On a deadlock: only the frames that completed.
  std::vector<std::vector<int64_t>> outputs;
  int64_t latencyCycles = -1;   ///< -1 if frame 0 did not complete
  int64_t iiCycles = -1;        ///< -1 if fewer than 2 frames completed
  int64_t cleanCycles = 0;      ///< cycles of the clean pass
  int64_t totalCycles = 0;      ///< cycles of all passes
  int64_t tlastErrors = 0;      ///< clean-pass beats where m_axis_tlast was wrong
  int64_t extraOutputBeats = 0; ///< output beats after the last expected one
  int64_t inputBeatsLeft = 0;   ///< input beats never taken although all outputs came
  /// Clean pass, per weight image: cycle of its first and of its last word.
  std::vector<std::pair<int64_t, int64_t>> weightLoads;
  /// Cycles of the first load (last - first + 1), -1 without run-time weights.
  int64_t weightLoadCycles = -1;
  /// Per frame: cycle of first input beat / last output beat (clean pass).
  std::vector<int64_t> firstInCycle, lastOutCycle;

  double buildSeconds = 0;    ///< 0 when the previous build was reused
  double simSeconds = 0;      ///< wall time of the simulator process
  double cyclesPerSecond = 0; ///< totalCycles / time spent in the sim loops
  double loopSeconds = 0;     ///< time spent in the sim loops (all passes)
  /// The Verilated model's eval() share of loopSeconds, estimated from one cycle in
  /// 16 (Harness.cpp, EvalClock); loopSeconds - modelSeconds is the harness's cost.
  double modelSeconds = 0;

  bool deadlock = false;
  std::string deadlockMessage; ///< one line: pass, cycle, beats in/out

  // Randomized (backpressure) pass.
  bool randomPassRun = false;
  std::vector<std::vector<int64_t>> randomOutputs;
  int64_t passMismatchCount = 0;            ///< total differing words (+ missing frames' words)
  std::vector<PassMismatch> passMismatches; ///< the first 100

  std::string workDir, simulatorPath, outputFile;
};

/// Result of buildSimulator().
struct SimBuild {
  std::string simulatorPath; ///< the executable
  bool rebuilt = false;
  double buildSeconds = 0; ///< 0 when reused
};

/// Deterministic harness C++ source for this spec.
std::string generateHarness(const SimSpec &spec);

/// Default watchdog for a spec.
int64_t defaultWatchdogCycles(const SimSpec &spec);

/// Validates the spec, writes workDir/harness.cpp and builds (or reuses) the
/// simulator. Verilator/compiler errors -> llvm::Error naming the first
/// meaningful line of workDir/build.log and the log path.
llvm::Expected<SimBuild> buildSimulator(const SimSpec &spec, const SimOptions &opts);

/// Writes the input file for the built simulator (format above).
llvm::Error writeInputFile(llvm::StringRef path, const SimSpec &spec,
                           const std::vector<std::vector<int64_t>> &frames);

/// Runs an already built simulator on inputFrames (each frame flat,
/// inWordsPerFrame() values, each in [-2^(bits-1), 2^bits - 1] of its port; only the
/// low bits are driven) and parses its output.
llvm::Expected<SimResult> runBuiltSimulator(const SimSpec &spec, const SimBuild &build,
                                            const std::vector<std::vector<int64_t>> &inputFrames,
                                            const SimOptions &opts);

/// buildSimulator() + runBuiltSimulator(). A deadlock is not an llvm::Error:
/// it is reported in SimResult::deadlock / deadlockMessage.
llvm::Expected<SimResult> runSimulation(const SimSpec &spec,
                                        const std::vector<std::vector<int64_t>> &inputFrames,
                                        const SimOptions &opts);

/// One row of a generate run: cycle of its first input beat and of its last output
/// beat (clean timing, cycle 0 = first edge after reset) and its output words.
struct GenerateRow {
  int64_t firstIn = -1, lastOut = -1;
  std::vector<int64_t> words;
};
struct GenerateRun {
  std::vector<GenerateRow> rows; ///< rows 0..fed-1 in order (fewer on a deadlock)
  std::vector<int64_t> tokens;   ///< argmax of rows prompt-1 .. fed-1 (ties: lowest index)
  int64_t cycles = 0;
  double simSeconds = 0, cyclesPerSecond = 0;
  bool deadlock = false;
  std::string deadlockMessage;
};

/// Greedy decoding on the built simulator (harness --generate, Harness.cpp): `frame`
/// is one frame of the single input whose first `prompt` rows hold the prompt; rows
/// prompt..fed-1 are filled with the tokens the harness picks.
llvm::Expected<GenerateRun> runBuiltGenerate(const SimSpec &spec, const SimBuild &build,
                                             const std::vector<int64_t> &frame, int64_t rows,
                                             int64_t prompt, int64_t fed, const SimOptions &opts);

/// sim.json content (docs/ARCHITECTURE.md, "The flows and their files"): frames, mismatches,
/// latency_cycles, ii_cycles (null when unknown), predicted_latency_cycles,
/// predicted_ii_cycles, build_seconds, sim_seconds, cycles_per_second, cycles,
/// model_eval_seconds, harness_seconds, plus
/// deadlock (bool), deadlock_message (if any), tlast_errors, extra_output_beats,
/// input_beats_left,
/// backpressure_mismatches (only when the randomized pass ran).
llvm::json::Object simJson(const SimResult &result, int64_t frames, int64_t mismatches,
                           int64_t predictedLatencyCycles, int64_t predictedIICycles);
llvm::Error writeSimJson(llvm::StringRef path, const SimResult &result, int64_t frames,
                         int64_t mismatches, int64_t predictedLatencyCycles,
                         int64_t predictedIICycles);

} // namespace sim
} // namespace loom

#endif // LOOM_COMPILER_SIM_SIMULATOR_H
