//===- DeadlockProbe.h - name the actor a deadlocked design is stuck in -*- C++ -*-===//
//
// When the harness watchdog fires, a bare "no output for N cycles" leaves the
// user to open a waveform. Instead the harness reads the valid/ready wires of
// every instance in the emitted top (through Verilator's VPI; only the top's
// handshake wires are made public, so the model stays fast) and this file
// turns them into one sentence: which actor is offered input it does not
// accept while it holds no output of its own.
//
// The instance list is read back from the emitted top module's text (our own
// emitter's format: `loom_x #( ... ) name ( .port(signal), ... );`).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_SIM_DEADLOCKPROBE_H
#define LOOM_COMPILER_SIM_DEADLOCKPROBE_H

#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace loom {
namespace sim {

struct TopInstance {
  std::string module, name;
  /// (port, connected signal) in text order, ports of the instance only.
  std::vector<std::pair<std::string, std::string>> ports;
};

/// The library-module instances of an emitted top module.
std::vector<TopInstance> parseTopInstances(llvm::StringRef svText);

/// The top-level signals connected to the instances' valid/ready ports
/// (identifiers only), each once, in order.
std::vector<std::string> probeSignals(const std::vector<TopInstance> &instances);

/// One line naming the stuck actor(s), from the probed signal values.
std::string diagnoseDeadlock(const std::vector<TopInstance> &instances,
                             const std::map<std::string, int> &values);

} // namespace sim
} // namespace loom

#endif
