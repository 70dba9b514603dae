//===- Generate.h - `loom generate`: greedy decoding in Verilator -*- C++ -*-===//
//
// A causal language model compiled from its full-sequence graph (input_ids
// [1, T] -> logits [1, T, V]) streams one token per row. `loom generate` feeds
// the prompt's rows, then lets the harness pick each next token as the argmax of
// the previous row's logits (ties: the lowest id) and feed it back, so every
// token costs one pass through the pipeline. Every logit word of every row is
// compared with the reference interpreter on the final sequence (rows depend
// only on earlier rows, which the flow checks before simulating), and the
// cycles of every token are compared with hw_model's prediction for the same
// schedule (hw::predictRowSchedule). docs/ARCHITECTURE.md, "loom generate".
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FLOWS_GENERATE_H
#define LOOM_FLOWS_GENERATE_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

struct GenerateOptions {
  std::string outDir;
  std::vector<int64_t> prompt; ///< --prompt 3,14,15
  int64_t tokens = 0;          ///< --tokens N
  std::string outNpz;          ///< --out Y.npz: "logits" [N, V]
};

/// Runs greedy decoding, prints the ids and writes OUT/generate.json (prompt, tokens,
/// mismatches, cycles_per_token, predicted_cycles_per_token, first_token_cycles).
/// Returns the number of mismatching logit words (0 = pass) or a one-line error.
llvm::Expected<int64_t> generateTokens(const GenerateOptions &options);

} // namespace loom

#endif
