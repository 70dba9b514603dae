//===- Generate.cpp - `loom generate`: greedy decoding in Verilator -------===//
//
// The hardware is the full-sequence design `loom compile` built: one frame is
// a sequence of T rows, one token id per row in, one row of V logits out.
// Decoding token by token only changes when rows are offered (the harness
// waits for a row's logits before it offers the next row), so the reference
// for every row is the interpreter on the whole final sequence: a causal graph
// gives row r the same logits whatever follows it. The flow checks that
// property on the quantized graph before it simulates.
//
//===----------------------------------------------------------------------===//
#include "flows/Generate.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/io/Npz.h"
#include "dialects/df/DFOps.h"
#include "dialects/nn/NNOps.h"
#include "flows/RuntimeWeights.h"
#include "flows/SimFrames.h"
#include "hw_model/Pipeline.h"
#include "passes/DFCost.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <random>

using namespace mlir;
using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// The sequence geometry of a design that `loom generate` can drive.
struct Sequence {
  int64_t rows = 0, vocab = 0;
};

llvm::Expected<Sequence> sequenceOf(const DesignEnds &ends, const std::string &outDir) {
  if (ends.inputs.size() != 1 || ends.outputs.size() != 1)
    return error(llvm::formatv("{0}: loom generate needs a design with one input (token ids) and "
                               "one output (logits); this one has {1} and {2}",
                               outDir, ends.inputs.size(), ends.outputs.size()));
  const IOInfo &in = ends.inputs[0], &out = ends.outputs[0];
  Sequence s;
  s.rows = in.elements();
  if (in.lanes != 1 || in.beats != s.rows || s.rows < 2)
    return error(llvm::formatv("{0}: input '{1}' (shape [{2}]) is not a sequence of token ids "
                               "(one id per beat); loom generate needs input_ids [1, T]",
                               outDir, in.name, llvm::make_range(in.shape.begin(), in.shape.end())));
  if (out.elements() % s.rows != 0)
    return error(llvm::formatv("{0}: output '{1}' has {2} values, not {3} rows of logits", outDir,
                               out.name, out.elements(), s.rows));
  s.vocab = out.elements() / s.rows;
  for (int64_t i = 0; i < out.elements(); ++i)
    if (out.tensorIndex(size_t(i)) != i)
      return error(llvm::formatv("{0}: output '{1}' does not stream its logits row by row in "
                                 "vocabulary order; loom generate needs logits [1, T, V]",
                                 outDir, out.name));
  return s;
}

/// The quantized graph's output words for one sequence of ids, in stream order.
llvm::Expected<std::vector<int64_t>> referenceWords(func::FuncOp q, const std::vector<int64_t> &ids,
                                                    std::vector<int64_t> *inputCodes = nullptr) {
  InputFrame frame(1);
  for (int64_t id : ids)
    frame[0].push_back(double(id));
  auto r = interpretFrame(q, frame);
  if (!r)
    return r.takeError();
  if (inputCodes)
    *inputCodes = r->rawInputs.at(0);
  return r->rawOutputs.at(0);
}

/// Row r of every output depends only on rows <= r of the input: perturbing the
/// rows after a cut leaves the rows up to it unchanged, for every cut (exact
/// integers, so any dependence shows unless it cancels on these random ids).
llvm::Error checkCausal(func::FuncOp q, const Sequence &s, const std::string &outDir,
                        llvm::StringRef inName, llvm::StringRef outName) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> pick(0, s.vocab - 1);
  std::vector<int64_t> base(size_t(s.rows));
  for (int64_t &id : base)
    id = pick(rng);
  auto ref = referenceWords(q, base);
  if (!ref)
    return ref.takeError();
  for (int64_t cut = 0; cut + 1 < s.rows; ++cut) {
    std::vector<int64_t> alt = base;
    for (int64_t r = cut + 1; r < s.rows; ++r)
      alt[size_t(r)] = (base[size_t(r)] + 1 + pick(rng) % (s.vocab - 1 > 0 ? s.vocab - 1 : 1)) %
                       s.vocab;
    auto got = referenceWords(q, alt);
    if (!got)
      return got.takeError();
    for (int64_t i = 0; i < (cut + 1) * s.vocab; ++i)
      if ((*got)[size_t(i)] != (*ref)[size_t(i)])
        return error(llvm::formatv(
            "{0}: the graph is not causal: row {1} of '{2}' changes with rows after {1} of "
            "'{3}'; loom generate needs every row to depend only on earlier rows (a causal "
            "mask on every attention); use loom sim for whole sequences",
            outDir, i / s.vocab, outName, inName));
  }
  return llvm::Error::success();
}

llvm::Error writeText(const std::string &path, const std::string &text) {
  std::string tmp = path + ".partial";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(tmp, ec);
    if (ec)
      return error(path + ": cannot write: " + ec.message());
    os << text;
  }
  if (auto ec = llvm::sys::fs::rename(tmp, path))
    return error(path + ": cannot write: " + ec.message());
  return llvm::Error::success();
}

} // namespace

llvm::Expected<int64_t> loom::generateTokens(const GenerateOptions &o) {
  auto design = readDesignReport(o.outDir);
  if (!design)
    return design.takeError();
  const llvm::json::Object *report = &design->object();
  const DesignEnds *ends = &design->ends;
  auto seq = sequenceOf(*ends, o.outDir);
  if (!seq)
    return seq.takeError();
  const IOInfo &in = ends->inputs[0], &out = ends->outputs[0];
  const int64_t P = int64_t(o.prompt.size()), N = o.tokens, T = seq->rows, V = seq->vocab;
  if (P < 1)
    return error("loom generate: --prompt needs at least one token id (e.g. --prompt 3,14,15)");
  if (N < 1)
    return error("loom generate: --tokens must be at least 1");
  if (P + N > T)
    return error(llvm::formatv("loom generate: a prompt of {0} ids plus {1} tokens needs {2} "
                               "positions; {3} was compiled for sequences of {4} (ask for at "
                               "most {5} tokens)",
                               P, N, P + N, o.outDir, T, T - P));
  for (int64_t i = 0; i < P; ++i)
    if (o.prompt[size_t(i)] < 0 || o.prompt[size_t(i)] >= V)
      return error(llvm::formatv("loom generate: prompt id {0} (position {1}) is outside the "
                                 "vocabulary [0, {2}) of {3}",
                                 o.prompt[size_t(i)], i, V, o.outDir));

  DialectRegistry registry;
  registry.insert<nn::NNDialect, df::DFDialect, func::FuncDialect>();
  registerReferenceModels(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  auto quant = readDesignIR(o.outDir + "/nn.mlir", ctx);
  if (!quant)
    return quant.takeError();
  auto dfModule = readDesignIR(o.outDir + "/df.mlir", ctx);
  if (!dfModule)
    return dfModule.takeError();
  auto qFunc = *(*quant)->getOps<func::FuncOp>().begin();

  // The input must carry the ids themselves: the harness feeds the argmax back.
  std::vector<int64_t> frame(size_t(T), 0), codes;
  std::copy(o.prompt.begin(), o.prompt.end(), frame.begin());
  if (auto w = referenceWords(qFunc, frame, &codes); !w)
    return w.takeError();
  if (codes != frame)
    return error(llvm::formatv("{0}: input '{1}' does not carry token ids (its codes differ from "
                               "the ids); loom generate needs input_ids feeding an embedding",
                               o.outDir, in.name));
  if (auto err = checkCausal(qFunc, *seq, o.outDir, in.name, out.name))
    return std::move(err);

  // Prediction: the same row schedule on hw_model.
  auto hw = hwGraphOf(*(*dfModule)->getOps<func::FuncOp>().begin());
  if (failed(hw))
    return error(o.outDir + "/df.mlir: the dataflow graph has no hardware model; recompile");
  const int64_t fed = P + N - 1;
  hw::RowTiming pred = hw::predictRowSchedule(hw->nodes, {T, P, fed});
  if (!pred.ok)
    return error(o.outDir + ": hw_model: " + pred.error);

  sim::SimSpec spec = designSimSpec(*report, *ends, o.outDir);
  sim::SimOptions so;
  // A --runtime-weights design loads its own image before the prompt.
  auto own = readOwnWeights(o.outDir);
  if (!own)
    return own.takeError();
  if (*own) {
    so.weightImages.push_back((*own)->image);
    so.weightFirstFrames.push_back(0);
    spec.weightWords = int64_t((*own)->image.size());
  }
  llvm::SmallString<256> work(o.outDir + "/sim");
  llvm::sys::fs::make_absolute(work);
  so.workDir = work.str().str();
  auto build = sim::buildSimulator(spec, so);
  if (!build)
    return build.takeError();
  auto run = sim::runBuiltGenerate(spec, *build, frame, T, P, fed, so);
  if (!run)
    return run.takeError();
  if (run->deadlock)
    return error(o.outDir + ": simulation deadlocked: " + run->deadlockMessage);
  if (int64_t(run->tokens.size()) != N || int64_t(run->rows.size()) != fed)
    return error(llvm::formatv("{0}: the generate pass ended after {1} rows and {2} tokens "
                               "({3} and {4} expected)",
                               o.outDir, run->rows.size(), run->tokens.size(), fed, N));

  // Reference on the final sequence; every word of every row fed.
  std::vector<int64_t> sequence(size_t(T), 0);
  std::copy(o.prompt.begin(), o.prompt.end(), sequence.begin());
  for (int64_t i = 0; i + 1 < N; ++i)
    sequence[size_t(P + i)] = run->tokens[size_t(i)];
  auto expected = referenceWords(qFunc, sequence);
  if (!expected)
    return expected.takeError();
  int64_t mismatches = 0;
  for (int64_t r = 0; r < fed; ++r) {
    const std::vector<int64_t> &got = run->rows[size_t(r)].words;
    for (int64_t j = 0; j < V; ++j) {
      int64_t want = (*expected)[size_t(r * V + j)];
      bool ok = j < int64_t(got.size()) && got[size_t(j)] == want;
      if (!ok && mismatches++ < 10)
        llvm::errs() << llvm::formatv("mismatch: row {0}, logit {1}: expected {2}, got {3}\n", r,
                                      j, want,
                                      j < int64_t(got.size()) ? std::to_string(got[size_t(j)])
                                                              : "nothing");
    }
  }

  // Cycles: token 0 costs the prompt (first prompt beat to the last logit of its
  // last row); token i >= 1 the pass of the row that fed token i - 1.
  auto perToken = [&](auto firstIn, auto lastOut) {
    std::vector<int64_t> c;
    c.push_back(lastOut(P - 1) - firstIn(0) + 1);
    for (int64_t r = P; r < fed; ++r)
      c.push_back(lastOut(r) - firstIn(r) + 1);
    return c;
  };
  std::vector<int64_t> measured = perToken(
      [&](int64_t r) { return run->rows[size_t(r)].firstIn; },
      [&](int64_t r) { return run->rows[size_t(r)].lastOut; });
  std::vector<int64_t> predicted =
      perToken([&](int64_t r) { return pred.firstIn[size_t(r)]; },
               [&](int64_t r) { return pred.lastOut[size_t(r)]; });

  llvm::json::Array jPrompt, jTokens, jMeasured, jPredicted;
  for (int64_t id : o.prompt)
    jPrompt.push_back(id);
  for (int64_t id : run->tokens)
    jTokens.push_back(id);
  for (int64_t c : measured)
    jMeasured.push_back(c);
  for (int64_t c : predicted)
    jPredicted.push_back(c);
  llvm::json::Object g{
      {"prompt", std::move(jPrompt)},
      {"tokens", std::move(jTokens)},
      {"mismatches", mismatches},
      {"cycles_per_token", std::move(jMeasured)},
      {"predicted_cycles_per_token", std::move(jPredicted)},
      {"first_token_cycles", measured.front()},
      {"predicted_first_token_cycles", predicted.front()},
      {"sequence_length", T},
      {"vocabulary", V},
      {"build_seconds", build->rebuilt ? build->buildSeconds : 0.0},
      {"sim_seconds", run->simSeconds},
      {"cycles_per_second", run->cyclesPerSecond},
  };
  std::string text;
  llvm::raw_string_ostream ts(text);
  ts << llvm::formatv("{0:2}", llvm::json::Value(std::move(g))) << "\n";
  ts.flush();
  if (auto err = writeText(o.outDir + "/generate.json", text))
    return std::move(err);

  if (!o.outNpz.empty()) {
    // Row P - 1 + i chose tokens[i].
    std::vector<float> logits;
    std::vector<int64_t> raw;
    for (int64_t i = 0; i < N; ++i) {
      int64_t r = P - 1 + i;
      for (int64_t j = 0; j < V; ++j) {
        int64_t code = run->rows[size_t(r)].words[size_t(j)];
        raw.push_back(code);
        logits.push_back(float(out.toReal(code, r * V + j)));
      }
    }
    std::vector<io::NpzEntry> entries;
    entries.emplace_back("logits", io::NpyArray::fromFloat32({N, V}, logits));
    entries.emplace_back("logits.raw", io::NpyArray::fromInts({N, V}, raw));
    entries.emplace_back("tokens", io::NpyArray::fromInts({N}, run->tokens));
    if (auto err = io::writeNpz(o.outNpz, entries))
      return std::move(err);
  }

  std::string ids;
  for (int64_t id : run->tokens)
    ids += (ids.empty() ? "" : ",") + std::to_string(id);
  llvm::outs() << ids << "\n";
  bool equal = measured == predicted;
  llvm::errs() << llvm::formatv(
      "generate {0}: {1} prompt ids, {2} tokens, {3} mismatching logit words\n"
      "  first token {4} cycles (predicted {5}); last token {6} cycles (predicted {7}){8}\n",
      o.outDir, P, N, mismatches, measured.front(), predicted.front(), measured.back(),
      predicted.back(), equal ? "  (equal)" : "  (DIFFERENT)");
  return mismatches;
}
