//===- ConformanceRunner.cpp - ONNX node conformance for the interpreter --===//
//
// loom-conformance: runs the float reference interpreter on the ONNX backend
// node tests shipped by Debian (libonnx-testdata):
//
//   <data>/<test>/model.onnx
//   <data>/<test>/test_data_set_N/{input,output}_K.pb
//
// A test is IN SCOPE when every node of its graph (Constant nodes aside) is an
// op the importer handles (loom::isSupportedOnnxNode()). Op types are read
// straight from the protobuf wire format (see scanOpTypes), so the selection
// does not depend on the ONNX checker / loader accepting the model, and
// directory names play no part.
//
// For each in-scope test:
//   loadOnnxModel -> importToNN -> mlir::verify -> nn-normalize ->
//   interpretFrame(test_data_set_N inputs) -> compare with outputs.
//
// Outcome per test (one line each):
//   PASS  every data set matched.
//   SKIP  the dense path cannot express the case; the reason is the loader's
//         or importer's own one-line message (two activation inputs, two
//         outputs, int inputs, non-constant weights, ...), or, for a batch
//         larger than one (the importer pins the batch to 1 and only warns),
//         the importer's warning, detected because the test data then do not
//         fit the imported function's argument.
//   FAIL  the importer accepted the model but verification, nn-normalize or
//         the interpreter failed, the output count/size differs, a value is
//         outside tolerance, or the case crashed (each case runs in a forked
//         child, so a crash is reported as a FAIL and the run goes on).
//
// Tolerance: |got - expected| <= 1e-4 + 1e-4 * |expected| per element (NaN
// matches NaN, an infinity matches the same infinity). Only the flat,
// row-major values and the element count are compared, not the shape: the
// importer keeps the (pinned) batch dimension where ONNX removes it (e.g.
// Squeeze of axis 0), which is a layout no-op for a one-frame stream. A shape
// difference is shown on the PASS line as a note.
//
// The integer node tests of issue 4 (IntegerCase.h) are not run here but with
// --integer: compile + Verilator, outputs compared exactly.
//
// Both modes end with the line `N passed, N failed, N skipped` (after the
// list of skipped cases and their reasons). Exit status: 1 if any case FAILs
// or fewer than --min-pass cases PASS. README.md says how to run them.
//
//===----------------------------------------------------------------------===//
#include "IntegerCase.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/nnimport/ImportToNN.h"
#include "compiler/onnx/OnnxModel.h"
#include "dialects/nn/NNOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <set>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace llvm;

static cl::opt<std::string> dataDir("data", cl::desc("ONNX node test directory"),
                                    cl::init("/usr/share/libonnx-testdata/data/node"));
static cl::opt<unsigned> minPass("min-pass", cl::desc("fail unless at least this many cases PASS"),
                                 cl::init(0));
static cl::opt<std::string>
    filter("filter", cl::desc("only run tests whose directory name contains this"), cl::init(""));
static cl::opt<bool> noFork("no-fork", cl::desc("run cases in-process (for debugging)"),
                            cl::init(false));
static cl::opt<bool> noFreeze("no-freeze",
                              cl::desc("do not bind non-activation graph inputs to the test "
                                       "data as constants"),
                              cl::init(false));
static cl::list<std::string> xfail("xfail",
                                   cl::desc("test expected to FAIL (a known bug); repeatable "
                                            "or comma-separated. Reported XFAIL; if it does "
                                            "not fail it is reported XPASS and the run fails"),
                                   cl::CommaSeparated);
static cl::opt<bool> showIR("show-ir", cl::desc("print the normalized module of each case"),
                            cl::init(false));
static cl::opt<bool> integerMode(
    "integer",
    cl::desc("run the integer node tests (QLinearConv, ConvInteger, QuantizeLinear, ...) "
             "through compile + Verilator and require exact outputs (IntegerCase.h)"),
    cl::init(false));
static cl::opt<std::string> workDir("work-dir",
                                    cl::desc("--integer: directory for the compiled cases "
                                             "(default: a new temporary directory)"),
                                    cl::init(""));

static constexpr double kAbsTol = 1e-4, kRelTol = 1e-4;

namespace {

//===----------------------------------------------------------------------===//
// Minimal protobuf wire-format scan: ModelProto.graph(7) -> GraphProto.node(1)
// -> NodeProto.op_type(4) / domain(7).
//===----------------------------------------------------------------------===//

bool readVarint(StringRef &buf, uint64_t &v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (buf.empty())
      return false;
    uint8_t byte = uint8_t(buf.front());
    buf = buf.drop_front();
    v |= uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      return true;
  }
  return false;
}

/// Calls fn(field, bytes) for every length-delimited field; false on a
/// malformed buffer.
template <typename Fn> bool forEachLenField(StringRef buf, Fn fn) {
  while (!buf.empty()) {
    uint64_t key, v;
    if (!readVarint(buf, key))
      return false;
    switch (key & 7) {
    case 0:
      if (!readVarint(buf, v))
        return false;
      break;
    case 1:
      if (buf.size() < 8)
        return false;
      buf = buf.drop_front(8);
      break;
    case 2: {
      if (!readVarint(buf, v) || v > buf.size())
        return false;
      fn(key >> 3, buf.take_front(v));
      buf = buf.drop_front(v);
      break;
    }
    case 5:
      if (buf.size() < 4)
        return false;
      buf = buf.drop_front(4);
      break;
    default:
      return false;
    }
  }
  return true;
}

/// "domain.OpType" (domain omitted for the default domain) of every node of
/// the main graph, in file order. False if the file cannot be read/parsed.
bool scanOpTypes(StringRef path, std::vector<std::string> &ops) {
  auto buf = MemoryBuffer::getFile(path);
  if (!buf)
    return false;
  bool ok = true;
  ok &= forEachLenField((*buf)->getBuffer(), [&](uint64_t f, StringRef graph) {
    if (f != 7)
      return;
    ok &= forEachLenField(graph, [&](uint64_t g, StringRef node) {
      if (g != 1)
        return;
      std::string opType, domain;
      ok &= forEachLenField(node, [&](uint64_t n, StringRef s) {
        if (n == 4)
          opType = s.str();
        else if (n == 7)
          domain = s.str();
      });
      if (domain == "ai.onnx")
        domain.clear();
      ops.push_back(domain.empty() ? opType : domain + "." + opType);
    });
  });
  return ok;
}

//===----------------------------------------------------------------------===//
// One case
//===----------------------------------------------------------------------===//

struct Outcome {
  enum Kind { Pass, Skip, Fail } kind = Fail;
  std::string detail;
};

Outcome pass(std::string d = "") { return {Outcome::Pass, std::move(d)}; }
Outcome skip(std::string d) { return {Outcome::Skip, std::move(d)}; }
Outcome fail(std::string d) { return {Outcome::Fail, std::move(d)}; }

std::string firstLine(std::string s) {
  size_t nl = s.find('\n');
  if (nl != std::string::npos)
    s = s.substr(0, nl) + " [...]";
  return s;
}

/// Drops a leading "<path>: " from a loader/importer message.
std::string stripPath(std::string msg, StringRef path) {
  std::string prefix = path.str() + ": ";
  if (StringRef(msg).starts_with(prefix))
    msg = msg.substr(prefix.size());
  return firstLine(msg);
}

std::string shapeStr(ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (auto [i, d] : enumerate(dims))
    s += (i ? "x" : "") + std::to_string(d);
  return s + "]";
}

bool withinTolerance(double got, double exp) {
  if (std::isnan(exp) || std::isnan(got))
    return std::isnan(exp) && std::isnan(got);
  if (std::isinf(exp) || std::isinf(got))
    return got == exp;
  return std::fabs(got - exp) <= kAbsTol + kRelTol * std::fabs(exp);
}

/// test_data_set_* directories, sorted.
std::vector<std::string> dataSets(StringRef dir) {
  std::vector<std::string> sets;
  std::error_code ec;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    if (StringRef(sys::path::filename(it->path())).starts_with("test_data_set_"))
      sets.push_back(it->path());
  llvm::sort(sets);
  return sets;
}

/// {prefix}_0.pb, {prefix}_1.pb, ... until one is missing.
std::vector<std::string> pbFiles(StringRef set, StringRef prefix) {
  std::vector<std::string> files;
  for (int k = 0;; ++k) {
    SmallString<256> p(set);
    sys::path::append(p, prefix + "_" + std::to_string(k) + ".pb");
    if (!sys::fs::exists(p))
      break;
    files.push_back(std::string(p));
  }
  return files;
}

/// Imports, normalizes and interprets one test data set; `frozen` names the
/// graph inputs bound to the data set's values as constants.
Outcome runDataSet(const loom::onnx::OnnxModel &loaded, StringRef modelPath, StringRef set,
                   const std::set<std::string> &frozen, std::string &note) {
  std::string setName = sys::path::filename(set).str();
  std::vector<std::string> inFiles = pbFiles(set, "input"), outFiles = pbFiles(set, "output");
  if (inFiles.size() != loaded.inputs.size())
    return fail(setName + " has " + std::to_string(inFiles.size()) + " inputs, the graph has " +
                std::to_string(loaded.inputs.size()));
  // A file that does not load only matters once the importer has accepted
  // the model (an Optional/Sequence input is refused by the importer first).
  std::vector<loom::onnx::OnnxTensor> ins(inFiles.size());
  std::vector<std::string> loadErrors(inFiles.size());
  for (auto [k, f] : enumerate(inFiles)) {
    auto t = loom::onnx::loadTensorProtoFile(f);
    if (t)
      ins[k] = std::move(*t);
    else
      loadErrors[k] = setName + ": " + firstLine(toString(t.takeError()));
  }
  // Data for graph input i: the tensor of the same name (the .pb files
  // normally carry names), else the i-th file.
  auto fileFor = [&](size_t i) -> size_t {
    for (size_t k = 0; k < ins.size(); ++k)
      if (loadErrors[k].empty() && ins[k].name == loaded.inputs[i].name)
        return k;
    return i;
  };
  auto dataFor = [&](size_t i) -> loom::onnx::OnnxTensor {
    loom::onnx::OnnxTensor t = ins[fileFor(i)];
    t.name = loaded.inputs[i].name;
    return t;
  };

  loom::onnx::OnnxModel model = loaded;
  model.inputs.clear();
  std::vector<loom::onnx::OnnxTensor> activations;
  std::vector<std::string> activationErrors;
  for (size_t i = 0; i < loaded.inputs.size(); ++i) {
    if (!loadErrors[fileFor(i)].empty()) {
      // A string operand (CastLike's `like`) has no numeric form: out of reach.
      if (frozen.count(loaded.inputs[i].name))
        return StringRef(loadErrors[fileFor(i)]).contains("string tensor")
                   ? skip(loadErrors[fileFor(i)])
                   : fail(loadErrors[fileFor(i)]);
      model.inputs.push_back(loaded.inputs[i]);
      activations.push_back(loom::onnx::OnnxTensor());
      activations.back().name = loaded.inputs[i].name;
      activationErrors.push_back(loadErrors[fileFor(i)]);
      continue;
    }
    if (frozen.count(loaded.inputs[i].name)) {
      model.initializers[loaded.inputs[i].name] = dataFor(i);
    } else {
      model.inputs.push_back(loaded.inputs[i]);
      activations.push_back(dataFor(i));
      activationErrors.push_back("");
    }
  }

  mlir::DialectRegistry registry;
  loom::registerReferenceModels(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadDialect<loom::nn::NNDialect, mlir::func::FuncDialect>();
  std::vector<std::string> warnings;
  auto module = loom::importToNN(model, ctx, warnings);
  std::string batchNote;
  for (const std::string &w : warnings)
    if (StringRef(w).contains("batch"))
      batchNote = w;
  if (!module)
    return skip(stripPath(toString(module.takeError()), modelPath) +
                (batchNote.empty() ? "" : " (after " + batchNote + ")"));
  if (mlir::failed(mlir::verify(**module)))
    return fail("the imported module does not verify");
  mlir::PassManager pm(&ctx);
  pm.addPass(loom::createNNNormalize());
  if (mlir::failed(pm.run(**module)))
    return fail("nn-normalize failed");
  if (showIR)
    (*module)->print(llvm::errs());
  auto funcs = (*module)->getOps<mlir::func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) != 1)
    return fail("the imported module does not hold exactly one function");
  mlir::func::FuncOp func = *funcs.begin();
  if (func.getNumArguments() != activations.size())
    return fail(formatv("the imported function takes {0} arguments, the graph has {1} inputs",
                        func.getNumArguments(), activations.size())
                    .str());

  std::vector<std::vector<double>> inputs;
  for (auto [a, t] : enumerate(activations)) {
    if (!activationErrors[a].empty())
      return fail(activationErrors[a]);
    if (!loom::onnx::isFloatElemType(t.elemType))
      return skip(setName + ": input '" + t.name + "' is " + loom::onnx::elemTypeName(t.elemType));
    auto argType = llvm::cast<mlir::ShapedType>(func.getArgument(a).getType());
    if (t.numElements() != argType.getNumElements())
      return skip(!batchNote.empty()
                      ? batchNote
                      : setName + ": input '" + t.name + "' " + shapeStr(t.dims) +
                            " does not fit the imported argument " + shapeStr(argType.getShape()));
    inputs.push_back(t.values);
  }

  auto result = loom::interpretFrame(func, inputs);
  if (!result)
    return fail(setName + ": " + firstLine(toString(result.takeError())));
  if (result->outputs.size() != outFiles.size())
    return fail(setName + ": the interpreter produced " + std::to_string(result->outputs.size()) +
                " outputs, expected " + std::to_string(outFiles.size()));
  for (auto [k, f] : enumerate(outFiles)) {
    auto exp = loom::onnx::loadTensorProtoFile(f);
    if (!exp)
      return fail(setName + ": " + firstLine(toString(exp.takeError())));
    if (!loom::onnx::isFloatElemType(exp->elemType))
      return skip(setName + ": output " + std::to_string(k) + " is " +
                  loom::onnx::elemTypeName(exp->elemType));
    const std::vector<double> &got = result->outputs[k];
    if (int64_t(got.size()) != exp->numElements()) {
      if (!batchNote.empty())
        return skip(batchNote);
      return fail(setName + ": output " + std::to_string(k) + " has " + std::to_string(got.size()) +
                  " values, expected " + std::to_string(exp->numElements()) + " " +
                  shapeStr(exp->dims));
    }
    auto resType = llvm::cast<mlir::ShapedType>(func.getResultTypes()[k]);
    if (int64_t(got.size()) != resType.getNumElements())
      return fail(setName + ": output " + std::to_string(k) + " has " + std::to_string(got.size()) +
                  " values but the function result type " + shapeStr(resType.getShape()) +
                  " holds " + std::to_string(resType.getNumElements()));
    size_t bad = 0, firstBad = 0;
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i)
      if (!withinTolerance(got[i], exp->values[i])) {
        if (!bad++)
          firstBad = i;
        worst = std::max(worst, std::fabs(got[i] - exp->values[i]));
      }
    if (bad)
      return fail(formatv("{0}: output {1}: {2} of {3} values off (first at [{4}]: got {5}, "
                          "expected {6}; worst |diff| {7})",
                          setName, k, bad, got.size(), firstBad, got[firstBad],
                          exp->values[firstBad], worst)
                      .str());
    if (note.empty() && !llvm::equal(resType.getShape(), exp->dims))
      note = "shape " + shapeStr(resType.getShape()) + " vs ONNX " + shapeStr(exp->dims);
  }
  return pass();
}

Outcome runCase(StringRef dir) {
  SmallString<256> modelPath(dir);
  sys::path::append(modelPath, "model.onnx");
  auto model = loom::onnx::loadOnnxModel(modelPath);
  if (!model)
    return skip("loader: " + stripPath(toString(model.takeError()), modelPath));
  std::vector<std::string> sets = dataSets(dir);
  if (sets.empty())
    return skip("no test_data_set_* directory");

  // The dense path streams one activation and needs every other operand
  // (weights, bias, shape, axes, BN statistics) to be a constant. The node
  // tests pass those as graph inputs; bind each graph input that is never a
  // node's first operand to the data set's value, as an initializer.
  std::set<std::string> firstOperands, frozen;
  for (const auto &node : model->nodes)
    if (!node.inputs.empty())
      firstOperands.insert(node.inputs[0]);
  std::vector<std::string> frozenList;
  if (!noFreeze)
    for (const auto &in : model->inputs)
      if (!firstOperands.count(in.name)) {
        frozen.insert(in.name);
        frozenList.push_back(in.name);
      }
  // Never freeze every input: with none left to stream (e.g. Add(const, x)),
  // the importer's own verdict on the model as written is the answer.
  if (frozen.size() == model->inputs.size()) {
    frozen.clear();
    frozenList.clear();
  }

  std::string shapeNote;
  for (const std::string &set : sets) {
    Outcome o = runDataSet(*model, modelPath, set, frozen, shapeNote);
    if (o.kind != Outcome::Pass)
      return o;
  }
  std::string note = shapeNote;
  if (!frozenList.empty())
    note += std::string(note.empty() ? "" : "; ") +
            "constant from test data: " + llvm::join(frozenList, ", ");
  return pass(note);
}

/// Runs one case in a forked child so a crash cannot take the run down.
/// `log` (if set): the child's stdout and stderr go to this file (the driver
/// prints its compile / simulation report there).
Outcome runIsolated(const std::function<Outcome()> &runCase, const std::string &log = "") {
  if (noFork)
    return runCase();
  int fds[2];
  if (pipe(fds) != 0)
    return runCase();
  fflush(stdout);
  fflush(stderr);
  outs().flush();
  errs().flush();
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return runCase();
  }
  if (pid == 0) {
    close(fds[0]);
    if (!log.empty()) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
      }
    }
    Outcome o = runCase();
    outs().flush();
    errs().flush();
    std::string msg = std::to_string(int(o.kind)) + o.detail;
    size_t off = 0;
    while (off < msg.size()) {
      ssize_t n = write(fds[1], msg.data() + off, msg.size() - off);
      if (n <= 0)
        break;
      off += size_t(n);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0)
    msg.append(buf, size_t(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return fail("crashed (signal " + std::to_string(WTERMSIG(status)) + ")");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || msg.empty())
    return fail("the case exited without a result (status " + std::to_string(status) + ")");
  Outcome o;
  o.kind = Outcome::Kind(msg[0] - '0');
  o.detail = msg.substr(1);
  return o;
}

/// Prints the summary; returns false if the run fails (a FAIL, an XPASS or
/// too few PASS).
bool summarize(unsigned nPass, unsigned nFail, unsigned nSkip, unsigned nXFail,
               const std::vector<std::string> &failed, const std::vector<std::string> &xpassed,
               const std::vector<std::pair<std::string, std::string>> &skipped,
               const std::string &extra) {
  if (!skipped.empty()) {
    outs() << "SKIPPED cases (why):\n";
    for (const auto &[name, why] : skipped)
      outs() << "  " << name << ": " << why << "\n";
  }
  outs() << formatv("{0} passed, {1} failed, {2} skipped\n", nPass, nFail, nSkip);
  outs() << formatv("details: {0} XFAIL, {1} XPASS; {2}\n", nXFail, xpassed.size(), extra);
  bool ok = true;
  if (!xpassed.empty()) {
    outs() << "XPASS (expected to fail; drop them from --xfail): " << llvm::join(xpassed, " ")
           << "\n";
    ok = false;
  }
  if (nFail) {
    outs() << "FAILED cases: " << llvm::join(failed, " ") << "\n";
    ok = false;
  }
  if (nPass < minPass) {
    outs() << "too few PASS: " << nPass << " < --min-pass=" << minPass << "\n";
    ok = false;
  }
  return ok;
}

struct Tally {
  unsigned nPass = 0, nSkip = 0, nFail = 0, nXFail = 0;
  std::vector<std::string> failed, xpassed;
  std::vector<std::pair<std::string, std::string>> skipped;

  void add(const std::string &name, const std::string &what, const Outcome &o) {
    bool expectFail = llvm::is_contained(xfail, name);
    const char *tag = o.kind == Outcome::Pass ? "PASS" : o.kind == Outcome::Skip ? "SKIP" : "FAIL";
    if (expectFail)
      tag = o.kind == Outcome::Fail ? "XFAIL" : "XPASS";
    outs() << tag << " " << name << " (" << what << ")";
    if (!o.detail.empty())
      outs() << ": " << o.detail;
    outs() << "\n";
    outs().flush();
    if (expectFail) {
      if (o.kind == Outcome::Fail)
        ++nXFail;
      else
        xpassed.push_back(name);
      return;
    }
    switch (o.kind) {
    case Outcome::Pass:
      ++nPass;
      break;
    case Outcome::Skip:
      ++nSkip;
      skipped.push_back({name, o.detail});
      break;
    case Outcome::Fail:
      ++nFail;
      failed.push_back(name);
      break;
    }
  }
};

/// --integer: issue 4's integer node tests through compile + Verilator.
int runIntegerMode() {
  std::string work = workDir;
  if (work.empty()) {
    SmallString<128> tmp;
    if (auto ec = sys::fs::createUniqueDirectory("loom-conformance-int", tmp)) {
      errs() << "loom-conformance: cannot create a work directory: " << ec.message() << "\n";
      return 1;
    }
    work = std::string(tmp);
  }
  outs() << "work directory: " << work << "\n";
  Tally t;
  unsigned missing = 0;
  for (const std::string &name : loom::conformance::integerNodeTests()) {
    if (!filter.empty() && !StringRef(name).contains(filter))
      continue;
    SmallString<256> dir(dataDir);
    sys::path::append(dir, name);
    if (!sys::fs::exists(dir + "/model.onnx")) {
      ++missing;
      continue;
    }
    SmallString<256> caseWork(work);
    sys::path::append(caseWork, name);
    sys::fs::create_directories(caseWork);
    std::string log = (caseWork + "/log.txt").str();
    Outcome o = runIsolated(
        [&] {
          auto r = loom::conformance::runIntegerCase(dir, caseWork);
          return Outcome{Outcome::Kind(int(r.kind)), r.detail};
        },
        log);
    if (o.kind == Outcome::Fail)
      o.detail += " [log: " + log + "]";
    t.add(name, "integer, Verilator", o);
  }
  bool ok = summarize(
      t.nPass, t.nFail, t.nSkip, t.nXFail, t.failed, t.xpassed, t.skipped,
      formatv("{0} integer tests not installed; outputs compared exactly", missing).str());
  return ok ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  cl::ParseCommandLineOptions(argc, argv,
                              "Loom conformance on ONNX node tests: the float reference "
                              "interpreter, or (--integer) the integer tests in Verilator\n");
  if (integerMode)
    return runIntegerMode();
  std::vector<std::string> dirs;
  std::error_code ec;
  for (sys::fs::directory_iterator it(dataDir, ec), end; it != end && !ec; it.increment(ec))
    if (it->type() == sys::fs::file_type::directory_file)
      dirs.push_back(it->path());
  if (ec || dirs.empty()) {
    errs() << "loom-conformance: no test directories under '" << dataDir << "'\n";
    return 1;
  }
  llvm::sort(dirs);

  const auto &integerTests = loom::conformance::integerNodeTests();
  unsigned nOut = 0, nUnreadable = 0;
  Tally t;
  for (const std::string &dir : dirs) {
    std::string name = sys::path::filename(dir).str();
    if (!filter.empty() && !StringRef(name).contains(filter))
      continue;
    // The integer tests are judged in Verilator by --integer.
    if (llvm::is_contained(integerTests, name))
      continue;
    SmallString<256> modelPath(dir);
    sys::path::append(modelPath, "model.onnx");
    if (!sys::fs::exists(modelPath))
      continue;
    std::vector<std::string> ops;
    if (!scanOpTypes(modelPath, ops)) {
      ++nUnreadable;
      continue;
    }
    // In scope: at least one node besides Constant, all of them supported.
    std::vector<std::string> real;
    for (const std::string &op : ops)
      if (op != "Constant")
        real.push_back(op);
    if (real.empty() || !llvm::all_of(real, [&](const std::string &op) {
          size_t dot = op.rfind('.');
          return dot == std::string::npos
                     ? loom::isSupportedOnnxNode("", op)
                     : loom::isSupportedOnnxNode(StringRef(op).take_front(dot),
                                                 StringRef(op).drop_front(dot + 1));
        })) {
      ++nOut;
      continue;
    }
    std::set<std::string> uniq(real.begin(), real.end());
    Outcome o = runIsolated([&] { return runCase(dir); });
    t.add(name, llvm::join(uniq, ","), o);
  }
  bool ok = summarize(
      t.nPass, t.nFail, t.nSkip, t.nXFail, t.failed, t.xpassed, t.skipped,
      formatv("{0} tests out of scope, {1} unreadable, {2} integer tests left to --integer; "
              "tolerance abs {3:e} + rel {4:e}",
              nOut, nUnreadable, integerTests.size(), kAbsTol, kRelTol)
          .str());
  return ok ? 0 : 1;
}
