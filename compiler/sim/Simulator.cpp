//===- Simulator.cpp - build and run the Verilator harness ----------------===//
#include "compiler/sim/Simulator.h"
#include "compiler/sim/DeadlockProbe.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <optional>

namespace loom {
namespace sim {

namespace {

using Clock = std::chrono::steady_clock;

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string absolute(llvm::StringRef base, llvm::StringRef p) {
  llvm::SmallString<256> out;
  if (llvm::sys::path::is_absolute(p))
    out = p;
  else {
    out = base;
    llvm::sys::path::append(out, p);
  }
  llvm::sys::fs::make_absolute(out);
  llvm::sys::path::remove_dots(out, /*remove_dot_dot=*/true);
  return std::string(out);
}

llvm::Error writeText(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return makeError("cannot write " + path + ": " + ec.message());
  os << text;
  os.close();
  if (os.has_error())
    return makeError("cannot write " + path + ": " + os.error().message());
  return llvm::Error::success();
}

/// First meaningful line of a tool log: Verilator's %Error, then a compiler
/// "error:", then anything mentioning "error", else the last non-empty line.
std::string firstMeaningfulLine(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return "(no log)";
  llvm::SmallVector<llvm::StringRef> lines;
  (*buf)->getBuffer().split(lines, '\n');
  for (llvm::StringRef l : lines)
    if (l.trim().starts_with("%Error"))
      return l.trim().str();
  for (llvm::StringRef l : lines)
    if (l.contains(" error:") || l.contains("fatal error"))
      return l.trim().str();
  for (llvm::StringRef l : lines)
    if (l.contains_insensitive("error"))
      return l.trim().str();
  for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    if (!it->trim().empty())
      return it->trim().str();
  return "(empty log)";
}

llvm::Error validateSpec(const SimSpec &spec) {
  if (spec.topName.empty())
    return makeError("sim: empty top module name");
  if (spec.svFiles.empty())
    return makeError("sim: no SystemVerilog files for top '" + spec.topName + "'");
  if (spec.inputs.empty() || spec.outputs.empty())
    return makeError("sim: the design needs at least one input and one output stream");
  for (const auto *ports : {&spec.inputs, &spec.outputs})
    for (const StreamPort &p : *ports) {
      if (p.lanes < 1 || p.bits < 1 || p.bits > 64)
        return makeError("sim: stream " + p.port + " needs lanes >= 1 and 1 <= bits <= 64 (got " +
                         llvm::Twine(p.lanes) + " x " + llvm::Twine(p.bits) + ")");
      if (p.beatsPerFrame < 1)
        return makeError("sim: stream " + p.port + ": beats per frame must be >= 1");
      if (p.port.empty())
        return makeError("sim: a stream has no port name");
    }
  for (const std::string &f : spec.svFiles) {
    std::string p = absolute(spec.rtlDir, f);
    if (!llvm::sys::fs::exists(p))
      return makeError("sim: RTL file " + p + " does not exist; run `loom compile` again");
  }
  return llvm::Error::success();
}

/// The C++ half of the MAC units' simulation forms, when the design has it (OUT/rtl of a
/// `loom compile` from before it existed does not): "" otherwise. --plain-rtl simulates
/// the synthesised forms, which never call it.
std::string dpiSource(const SimSpec &spec, const SimOptions &opts) {
  if (opts.plainRtl)
    return "";
  std::string p = absolute(spec.rtlDir, "loom_sim_dpi.cpp");
  return llvm::sys::fs::exists(p) ? p : "";
}

/// clang++ compiles Verilator's model C++ faster than g++ (KWS without ccache: 25 s against
/// 33 s idle, 41 s against 83 s with the other core busy) into code as fast; g++ where the
/// machine has no clang (the link stays g++, Verilator's default). loom_sim_dpi.cpp's
/// loops are the exception (clang: 1.35x the instructions in its products and unpacking),
/// so buildSimulator compiles that file with g++ beside a clang model (dpiObject).
bool useClang() { return static_cast<bool>(llvm::sys::findProgramByName("clang++")); }

std::vector<std::string> verilatorFlags(const SimSpec &spec, const SimOptions &opts) {
  std::vector<std::string> f = {"--cc",      "--exe",       "--build", "-O3",      "--x-assign",
                                "fast",      "--x-initial", "fast",    "--assert", "-Wno-fatal",
                                "-Wno-lint", "-Wno-style",  "-j",      "2",        "--vpi"};
  // The model's C++ at -O2: Verilator's default -Os made the KWS model about 25%
  // slower and builds it only a few seconds faster. OPT_SLOW (constructors,
  // $readmemh, run once) stays unoptimised, OPT_GLOBAL (runtime, harness) at -Os
  // so the runtime objects keep hitting the compiler cache.
  f.insert(f.end(), {"-MAKEFLAGS", "OPT_FAST=-O2"});
  // For the machine it runs on (the model is built and run there): BMI2's shifts and
  // wider moves made the KWS model 13% faster (interleaved runs, 0.255 s -> 0.225 s).
  // Not loom_sim_dpi.cpp (dpiObject): its loops ran slower with AVX-512.
  f.insert(f.end(), {"-CFLAGS", "-march=native"});
  if (useClang())
    f.insert(f.end(), {"-MAKEFLAGS", "CXX=clang++"});
  if (opts.trace)
    f.push_back("--trace-fst");
  if (opts.plainRtl)
    f.push_back("+define+LOOM_PLAIN_RTL");
  if (!dpiSource(spec, opts).empty())
    f.push_back("+define+LOOM_SIM_DPI");
  return f;
}

std::string buildHash(const SimSpec &spec, const SimOptions &opts, llvm::StringRef harness,
                      llvm::StringRef verilator) {
  llvm::SHA256 h;
  auto add = [&](llvm::StringRef s) {
    h.update(s);
    h.update(llvm::StringRef("\0", 1));
  };
  add("loom-sim-build-v2"); // v2: probes read-only (public_flat_rd)
  add(verilator);
  add(spec.topName);
  for (const std::string &f : verilatorFlags(spec, opts))
    add(f);
  if (std::string dpi = dpiSource(spec, opts); !dpi.empty())
    if (auto buf = llvm::MemoryBuffer::getFile(dpi))
      add((*buf)->getBuffer());
  add(harness);
  for (const std::string &f : spec.svFiles) {
    std::string p = absolute(spec.rtlDir, f);
    add(p);
    if (auto buf = llvm::MemoryBuffer::getFile(p))
      add((*buf)->getBuffer());
  }
  // Include files next to the design (`include) also affect the build.
  std::error_code ec;
  std::vector<std::string> incs;
  for (llvm::sys::fs::directory_iterator it(spec.rtlDir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef ext = llvm::sys::path::extension(it->path());
    if (ext == ".svh" || ext == ".vh")
      incs.push_back(it->path());
  }
  std::sort(incs.begin(), incs.end());
  for (const std::string &p : incs) {
    add(p);
    if (auto buf = llvm::MemoryBuffer::getFile(p))
      add((*buf)->getBuffer());
  }
  auto digest = h.final();
  return llvm::toHex(llvm::ArrayRef<uint8_t>(digest.data(), digest.size()),
                     /*LowerCase=*/true);
}

std::string readFileOr(llvm::StringRef path, llvm::StringRef dflt) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return dflt.str();
  return (*buf)->getBuffer().trim().str();
}

/// Runs program with stdout+stderr to logPath. Returns the exit status; a
/// crash (negative status) gets its description in *crash.
llvm::Expected<int> runProgram(llvm::StringRef program, const std::vector<std::string> &args,
                               llvm::StringRef logPath, bool verbose,
                               std::string *crash = nullptr) {
  std::vector<llvm::StringRef> argv;
  argv.push_back(program);
  for (const std::string &a : args)
    argv.push_back(a);
  if (verbose) {
    llvm::errs() << "loom sim:";
    for (llvm::StringRef a : argv)
      llvm::errs() << " " << a;
    llvm::errs() << "\n";
  }
  std::optional<llvm::StringRef> redirects[3] = {llvm::StringRef(""), logPath, logPath};
  std::string errMsg;
  bool failed = false;
  int rc =
      llvm::sys::ExecuteAndWait(program, argv, std::nullopt, redirects, 0, 0, &errMsg, &failed);
  if (failed)
    return makeError("cannot run " + program + ": " + errMsg);
  if (crash)
    *crash = errMsg;
  return rc;
}

/// loom_sim_dpi.cpp compiled by g++ into WORK/loom_sim_dpi<kind>.o for a clang model
/// (useClang), with Verilator's include directories and the model's -O2; the source
/// itself (Verilator then compiles it with the model) if g++ or the compile fails.
std::string dpiObject(const std::string &src, llvm::StringRef work, const std::string &kind,
                      llvm::StringRef verilator, bool ccache, bool verbose) {
  auto gxx = llvm::sys::findProgramByName("g++");
  if (!gxx)
    return src;
  llvm::SmallString<256> rootLog(work), obj(work), log(work);
  llvm::sys::path::append(rootLog, "verilator_root.txt");
  llvm::sys::path::append(obj, "loom_sim_dpi" + kind + ".o");
  llvm::sys::path::append(log, "loom_sim_dpi" + kind + ".log");
  auto rc = runProgram(verilator, {"--getenv", "VERILATOR_ROOT"}, rootLog, false);
  std::string root = llvm::StringRef(readFileOr(rootLog, "")).trim().str();
  llvm::sys::fs::remove(rootLog);
  if (!rc || *rc != 0 || root.empty())
    return src;
  std::vector<std::string> args = {"-O2", "-std=gnu++17", "-I" + root + "/include",
                                   "-I" + root + "/include/vltstd", "-c", src,
                                   "-o", std::string(obj)};
  auto ccachePath = llvm::sys::findProgramByName("ccache");
  std::string program = *gxx;
  if (ccache && ccachePath) {
    args.insert(args.begin(), program);
    program = *ccachePath;
  }
  llvm::sys::fs::remove(obj);
  rc = runProgram(program, args, log, verbose);
  if (!rc || *rc != 0 || !llvm::sys::fs::exists(obj))
    return src;
  return std::string(obj);
}

struct PassData {
  bool present = false;
  std::vector<std::vector<int64_t>> outputs;
  std::vector<int64_t> firstIn, lastOut;
  bool ok = false, deadlock = false, finished = false;
  int64_t cycles = 0, tlastErrors = 0, extra = 0, unconsumed = 0;
  std::string deadlockMessage;
  std::map<std::string, int> probes; ///< valid/ready wires read at the deadlock
  std::vector<std::pair<int64_t, int64_t>> weightLoads; ///< "w" records
};

/// The instances of the emitted top (DeadlockProbe.h); empty if not found.
std::vector<TopInstance> topInstances(const SimSpec &spec) {
  for (const std::string &f : spec.svFiles)
    if (llvm::sys::path::filename(f) == spec.topName + ".sv")
      if (auto buf = llvm::MemoryBuffer::getFile(absolute(spec.rtlDir, f)))
        return parseTopInstances((*buf)->getBuffer());
  return {};
}

llvm::Error parseOutput(llvm::StringRef path, const SimSpec &spec, int64_t watchdog,
                        PassData &clean, PassData &rnd, double &loopSeconds, double &evalSeconds,
                        int64_t &totalCycles) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return makeError("sim: simulator wrote no output file " + path);
  PassData *cur = nullptr;
  std::string curName;
  int64_t frames = 0;
  const int64_t frameWords = spec.outWordsPerFrame();
  llvm::SmallVector<llvm::StringRef> lines;
  (*buf)->getBuffer().split(lines, '\n', -1, false);
  for (llvm::StringRef line : lines) {
    llvm::SmallVector<llvm::StringRef> tok;
    line.split(tok, ' ', -1, false);
    if (tok.empty())
      continue;
    auto num = [&](size_t i) -> int64_t {
      int64_t v = 0;
      if (i >= tok.size() || tok[i].getAsInteger(10, v))
        return INT64_MIN;
      return v;
    };
    llvm::StringRef kind = tok[0];
    if (kind == "pass") {
      curName = tok.size() > 1 ? tok[1].str() : "?";
      cur = curName == "clean" ? &clean : &rnd;
      cur->present = true;
      frames = num(2);
      cur->firstIn.assign(frames, -1);
      cur->lastOut.assign(frames, -1);
      continue;
    }
    if (kind == "time") {
      if (tok.size() >= 3) {
        llvm::to_float(tok[1], loopSeconds);
        totalCycles = num(2);
        if (tok.size() >= 4)
          llvm::to_float(tok[3], evalSeconds);
      }
      continue;
    }
    if (!cur)
      return makeError("sim: malformed simulator output " + path);
    if (kind == "w") {
      cur->weightLoads.push_back({num(2), num(3)});
      continue;
    }
    if (kind == "f") {
      int64_t f = num(1);
      if (f < 0 || f >= frames || (int64_t)tok.size() != 6 + frameWords)
        return makeError("sim: malformed frame record in " + path);
      cur->firstIn[f] = num(2);
      cur->lastOut[f] = num(5);
      std::vector<int64_t> vals;
      vals.reserve(frameWords);
      for (int64_t i = 0; i < frameWords; ++i)
        vals.push_back(num(6 + i));
      if ((int64_t)cur->outputs.size() != f)
        return makeError("sim: frames out of order in " + path);
      cur->outputs.push_back(std::move(vals));
    } else if (kind == "ok") {
      cur->ok = true;
      cur->cycles = num(1);
      cur->tlastErrors = num(2);
      cur->extra = num(3);
      cur->unconsumed = num(4);
    } else if (kind == "probe") {
      if (tok.size() == 3)
        cur->probes[tok[1].str()] = int(num(2));
    } else if (kind == "deadlock") {
      cur->deadlock = true;
      cur->cycles = num(1) + 1;
      std::string msg;
      llvm::raw_string_ostream os(msg);
      os << "deadlock in the " << curName << " pass: no output beat for " << num(6)
         << " cycles (watchdog " << watchdog << ") at cycle " << num(1)
         << "; input beats transferred " << num(2) << " of " << num(3) << ", output beats "
         << num(4) << " of " << num(5) << " (frame "
         << num(4) / spec.outBeatsPerFrame() << "); s_axis_tready=" << num(7)
         << " m_axis_tvalid=" << num(8);
      // The top's text is read only here: a clean run never needs it.
      std::string where =
          cur->probes.empty() ? "" : diagnoseDeadlock(topInstances(spec), cur->probes);
      if (!where.empty())
        os << "; " << where;
      os.flush();
      cur->deadlockMessage = msg;
    } else if (kind == "finish") {
      cur->finished = true;
      cur->cycles = num(1) + 1;
      cur->deadlockMessage = "design called $finish in the " + curName + " pass at cycle " +
                             std::to_string(num(1)) + " before all outputs were produced";
    }
  }
  if (!clean.present)
    return makeError("sim: simulator output " + path + " has no clean pass");
  return llvm::Error::success();
}

} // namespace

static int64_t sumOf(const std::vector<StreamPort> &ports, int64_t (*of)(const StreamPort &)) {
  int64_t n = 0;
  for (const StreamPort &p : ports)
    n += of(p);
  return n;
}
static int64_t wordsOf(const StreamPort &p) { return p.wordsPerFrame(); }
static int64_t beatsOf(const StreamPort &p) { return p.beatsPerFrame; }
int64_t SimSpec::inWordsPerFrame() const { return sumOf(inputs, wordsOf); }
int64_t SimSpec::outWordsPerFrame() const { return sumOf(outputs, wordsOf); }
int64_t SimSpec::inBeatsPerFrame() const { return sumOf(inputs, beatsOf); }
int64_t SimSpec::outBeatsPerFrame() const { return sumOf(outputs, beatsOf); }

int64_t defaultWatchdogCycles(const SimSpec &spec) {
  return 100000 + 100 * (spec.inBeatsPerFrame() + spec.outBeatsPerFrame());
}

llvm::Expected<SimBuild> buildSimulator(const SimSpec &spec, const SimOptions &opts) {
  if (auto e = validateSpec(spec))
    return std::move(e);
  if (opts.workDir.empty())
    return makeError("sim: no work directory given");
  std::string work = absolute(".", opts.workDir);
  if (auto ec = llvm::sys::fs::create_directories(work))
    return makeError("sim: cannot create " + work + ": " + ec.message());

  auto verilator = llvm::sys::findProgramByName("verilator");
  if (!verilator)
    return makeError("sim: `verilator` not found on PATH; install the Debian "
                     "package verilator");

  // Only the top's handshake wires become visible to the watchdog's VPI probe, which
  // only reads them: public_flat_rw would make Verilator treat them as inputs the
  // harness may write and re-evaluate the logic they drive on every eval (4% of KWS's
  // instructions).
  SimSpec probed = spec;
  probed.probeSignals = probeSignals(topInstances(spec));
  std::string harness = generateHarness(probed);
  llvm::SmallString<256> vltPath(work);
  llvm::sys::path::append(vltPath, "probes.vlt");
  if (auto e = writeText(vltPath, "`verilator_config\npublic_flat_rd -module \"" + spec.topName +
                                      "\" -var \"*_valid\"\npublic_flat_rd -module \"" +
                                      spec.topName + "\" -var \"*_ready\"\n"))
    return std::move(e);
  llvm::SmallString<256> harnessPath(work), objDir(work), logPath(work), stampPath(work),
      exePath(work);
  // Traced and untraced builds live side by side, so toggling --trace does
  // not force a rebuild each time.
  // Plain-RTL builds likewise.
  const std::string kind = std::string(opts.trace ? "-trace" : "") + (opts.plainRtl ? "-plain" : "");
  const std::string obj = "obj" + kind;
  llvm::sys::path::append(harnessPath, "harness.cpp");
  llvm::sys::path::append(objDir, obj);
  llvm::sys::path::append(logPath, "build" + kind + ".log");
  llvm::sys::path::append(stampPath, "build" + kind + ".hash");
  llvm::sys::path::append(exePath, obj, "loom_sim");

  std::string hash = buildHash(spec, opts, harness, *verilator);
  SimBuild result;
  result.simulatorPath = std::string(exePath);
  if (llvm::sys::fs::can_execute(exePath) && readFileOr(stampPath, "") == hash &&
      readFileOr(harnessPath, "") == llvm::StringRef(harness).trim())
    return result; // reuse: rebuilt = false, buildSeconds = 0

  // Invalidate the stamp before building, so a failed build is never reused.
  llvm::sys::fs::remove(stampPath);
  llvm::sys::fs::remove(exePath);
  if (auto e = writeText(harnessPath, harness))
    return std::move(e);

  // Verilator's makefile compiles its runtime (verilated*.cpp, about 9 s of
  // CPU) into every build. Through ccache (OBJCACHE, read by verilated.mk)
  // only the first build on a machine pays for it. A user's OBJCACHE wins;
  // if a build through our ccache fails (no writable cache), it runs again
  // without.
  bool ownCache = !std::getenv("OBJCACHE") && llvm::sys::findProgramByName("ccache");
  auto t0 = Clock::now();
  std::vector<std::string> args = verilatorFlags(spec, opts);
  args.insert(args.end(), {"--top-module", spec.topName, "--prefix", "Vloom_top", "--Mdir",
                           std::string(objDir), "-o", "loom_sim", "-I" + absolute(".", spec.rtlDir),
                           std::string(vltPath), std::string(harnessPath)});
  if (std::string dpi = dpiSource(spec, opts); !dpi.empty())
    args.push_back(useClang() ? dpiObject(dpi, work, kind, *verilator, ownCache, opts.verbose)
                              : dpi);
  for (const std::string &f : spec.svFiles)
    args.push_back(absolute(spec.rtlDir, f));

  if (ownCache)
    ::setenv("OBJCACHE", "ccache", /*overwrite=*/1);
  auto rc = runProgram(*verilator, args, logPath, opts.verbose);
  if (ownCache) {
    if (rc && (*rc != 0 || !llvm::sys::fs::can_execute(exePath))) {
      ::unsetenv("OBJCACHE");
      rc = runProgram(*verilator, args, logPath, opts.verbose);
    }
    ::unsetenv("OBJCACHE");
  }
  if (!rc)
    return rc.takeError();
  result.buildSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (*rc != 0 || !llvm::sys::fs::can_execute(exePath))
    return makeError("sim: Verilator build of top '" + spec.topName +
                     "' failed: " + firstMeaningfulLine(logPath) + " (full log: " + logPath + ")");
  if (auto e = writeText(stampPath, hash + "\n"))
    return std::move(e);
  result.rebuilt = true;
  return result;
}

llvm::Error writeInputFile(llvm::StringRef path, const SimSpec &spec,
                           const std::vector<std::vector<int64_t>> &frames) {
  if (frames.empty())
    return makeError("sim: no input frames");
  const int64_t words = spec.inWordsPerFrame();
  for (size_t f = 0; f < frames.size(); ++f) {
    if ((int64_t)frames[f].size() != words)
      return makeError("sim: input frame " + llvm::Twine(f) + " has " +
                       llvm::Twine(frames[f].size()) + " values, the design takes " +
                       llvm::Twine(words) + " (" + llvm::Twine(spec.inBeatsPerFrame()) +
                       " beats of " + llvm::Twine(spec.inputs.size()) + " input(s))");
    size_t i = 0;
    for (const StreamPort &p : spec.inputs) {
      const int64_t lo = p.bits >= 64 ? INT64_MIN : -(int64_t(1) << (p.bits - 1));
      const int64_t hi = p.bits >= 63 ? INT64_MAX : (int64_t(1) << p.bits) - 1;
      for (int64_t k = 0; k < p.wordsPerFrame(); ++k, ++i)
        if (frames[f][i] < lo || frames[f][i] > hi)
          return makeError("sim: input frame " + llvm::Twine(f) + " value " + llvm::Twine(i) +
                           " = " + llvm::Twine(frames[f][i]) + " does not fit in the " +
                           llvm::Twine(p.bits) + " bits of " + p.port);
    }
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError("cannot write " + path + ": " + ec.message());
  auto put = [&](int64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i)
      b[i] = char((uint64_t)v >> (8 * i));
    os.write(b, 8);
  };
  os.write("LOOMIN2\0", 8);
  put((int64_t)frames.size());
  put((int64_t)spec.inputs.size());
  for (const StreamPort &p : spec.inputs) {
    put(p.beatsPerFrame);
    put(p.lanes);
  }
  for (const auto &fr : frames)
    for (int64_t v : fr)
      put(v);
  os.close();
  if (os.has_error())
    return makeError("cannot write " + path + ": " + os.error().message());
  return llvm::Error::success();
}

/// The weight file of a run (Simulator.h): every image, each before its first frame.
static llvm::Error writeWeightFile(llvm::StringRef path, const SimSpec &spec, const SimOptions &opts) {
  if (opts.weightImages.empty() || opts.weightImages.size() != opts.weightFirstFrames.size())
    return makeError("sim: this design loads its weights at run time: give weight images");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError("cannot write " + path + ": " + ec.message());
  auto put = [&](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      os << char((v >> (8 * i)) & 0xff);
  };
  os.write("LOOMWT1\0", 8);
  put(opts.weightImages.size(), 8);
  put(uint64_t(spec.weightWords), 8);
  for (int64_t f : opts.weightFirstFrames)
    put(uint64_t(f), 8);
  for (const auto &image : opts.weightImages) {
    if (int64_t(image.size()) != spec.weightWords)
      return makeError("sim: a weight image has " + llvm::Twine(image.size()) +
                       " words, the design loads " + llvm::Twine(spec.weightWords));
    for (uint32_t w : image)
      put(w, 4);
  }
  os.close();
  if (os.has_error())
    return makeError("cannot write " + path + ": " + os.error().message());
  return llvm::Error::success();
}

llvm::Expected<SimResult> runBuiltSimulator(const SimSpec &spec, const SimBuild &build,
                                            const std::vector<std::vector<int64_t>> &inputFrames,
                                            const SimOptions &opts) {
  std::string work = absolute(".", opts.workDir);
  if (auto ec = llvm::sys::fs::create_directories(work))
    return makeError("sim: cannot create " + work + ": " + ec.message());
  llvm::SmallString<256> inPath(work), outPath(work), logPath(work), tracePath(work);
  llvm::sys::path::append(inPath, "inputs.bin");
  llvm::sys::path::append(outPath, "outputs.txt");
  llvm::sys::path::append(logPath, "run.log");
  llvm::sys::path::append(tracePath, "trace.fst");
  if (auto e = writeInputFile(inPath, spec, inputFrames))
    return std::move(e);
  llvm::sys::fs::remove(outPath);

  int64_t watchdog = opts.watchdogCycles > 0 ? opts.watchdogCycles : defaultWatchdogCycles(spec);
  double p = opts.backpressure;
  if (p < 0 || p >= 1)
    return makeError("sim: --backpressure must be in [0, 1), got " + std::to_string(p));
  std::vector<std::string> args = {
      "--cwd",      absolute(".", spec.rtlDir), "--in",   std::string(inPath),
      "--out",      std::string(outPath),       "--seed", std::to_string(opts.seed),
      "--watchdog", std::to_string(watchdog)};
  if (p > 0) {
    char pb[64];
    snprintf(pb, sizeof pb, "%.17g", p);
    args.insert(args.end(), {"--backpressure", pb});
  }
  if (opts.trace)
    args.insert(args.end(), {"--trace", std::string(tracePath)});
  if (spec.weightWords > 0) {
    llvm::SmallString<256> wtPath(work);
    llvm::sys::path::append(wtPath, "weights.bin");
    if (auto e = writeWeightFile(wtPath, spec, opts))
      return std::move(e);
    args.insert(args.end(), {"--weights", std::string(wtPath)});
  }

  auto t0 = Clock::now();
  std::string crash;
  auto rc = runProgram(build.simulatorPath, args, logPath, opts.verbose, &crash);
  if (!rc)
    return rc.takeError();
  SimResult r;
  r.simSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.buildSeconds = build.rebuilt ? build.buildSeconds : 0;
  r.workDir = work;
  r.simulatorPath = build.simulatorPath;
  r.outputFile = std::string(outPath);
  if (*rc != 0)
    return makeError(
        "sim: simulator of top '" + spec.topName + "' " +
        (crash.empty() ? "exited with status " + std::to_string(*rc) : "crashed (" + crash + ")") +
        ": " + firstMeaningfulLine(logPath) + " (full log: " + logPath + ")");

  PassData clean, rnd;
  double loopSeconds = 0, evalSeconds = 0;
  int64_t totalCycles = 0;
  if (auto e = parseOutput(outPath, spec, watchdog, clean, rnd, loopSeconds, evalSeconds,
                           totalCycles))
    return std::move(e);

  const int64_t frames = (int64_t)inputFrames.size();
  r.outputs = std::move(clean.outputs);
  r.firstInCycle = clean.firstIn;
  r.weightLoads = clean.weightLoads;
  if (!clean.weightLoads.empty())
    r.weightLoadCycles = clean.weightLoads[0].second - clean.weightLoads[0].first + 1;
  r.lastOutCycle = clean.lastOut;
  r.cleanCycles = clean.cycles;
  r.totalCycles = totalCycles;
  r.cyclesPerSecond = loopSeconds > 0 ? double(totalCycles) / loopSeconds : 0;
  r.loopSeconds = loopSeconds;
  r.modelSeconds = std::min(evalSeconds, loopSeconds);
  r.tlastErrors = clean.tlastErrors;
  r.extraOutputBeats = clean.extra;
  r.inputBeatsLeft = clean.ok ? clean.unconsumed : 0;
  const int64_t done = (int64_t)r.outputs.size();
  if (done >= 1 && clean.firstIn[0] >= 0)
    r.latencyCycles = clean.lastOut[0] - clean.firstIn[0] + 1;
  const int64_t n = std::min<int64_t>(kTimingFrames, frames);
  if (n >= 2 && done >= n)
    r.iiCycles = clean.lastOut[n - 1] - clean.lastOut[n - 2];

  if (clean.deadlock || clean.finished) {
    r.deadlock = true;
    r.deadlockMessage = clean.deadlockMessage;
  }
  if (rnd.present) {
    r.randomPassRun = true;
    if (!r.deadlock && (rnd.deadlock || rnd.finished)) {
      r.deadlock = true;
      r.deadlockMessage = rnd.deadlockMessage;
    }
    r.randomOutputs = std::move(rnd.outputs);
    const int64_t frameWords = spec.outWordsPerFrame();
    const size_t common = std::min(r.outputs.size(), r.randomOutputs.size());
    auto note = [&](PassMismatch m) {
      if (r.passMismatches.size() < 100)
        r.passMismatches.push_back(m);
    };
    for (size_t f = 0; f < common; ++f)
      for (int64_t i = 0; i < frameWords; ++i)
        if (r.outputs[f][i] != r.randomOutputs[f][i]) {
          ++r.passMismatchCount;
          note({(int64_t)f, i, r.outputs[f][i], r.randomOutputs[f][i]});
        }
    // Frames that only one pass produced count in full.
    for (size_t f = common; f < std::max(r.outputs.size(), r.randomOutputs.size()); ++f) {
      r.passMismatchCount += frameWords;
      note({(int64_t)f, -1, 0, 0});
    }
  }
  return r;
}

llvm::Expected<SimResult> runSimulation(const SimSpec &spec,
                                        const std::vector<std::vector<int64_t>> &inputFrames,
                                        const SimOptions &opts) {
  auto build = buildSimulator(spec, opts);
  if (!build)
    return build.takeError();
  return runBuiltSimulator(spec, *build, inputFrames, opts);
}

llvm::Expected<GenerateRun> runBuiltGenerate(const SimSpec &spec, const SimBuild &build,
                                             const std::vector<int64_t> &frame, int64_t rows,
                                             int64_t prompt, int64_t fed, const SimOptions &opts) {
  std::string work = absolute(".", opts.workDir);
  if (auto ec = llvm::sys::fs::create_directories(work))
    return makeError("sim: cannot create " + work + ": " + ec.message());
  llvm::SmallString<256> inPath(work), outPath(work), logPath(work);
  llvm::sys::path::append(inPath, "generate_in.bin");
  llvm::sys::path::append(outPath, "generate_out.txt");
  llvm::sys::path::append(logPath, "generate.log");
  if (auto e = writeInputFile(inPath, spec, {frame}))
    return std::move(e);
  llvm::SmallString<256> wtPath(work);
  llvm::sys::path::append(wtPath, "generate_weights.bin");
  if (!opts.weightImages.empty())
    if (auto e = writeWeightFile(wtPath, spec, opts))
      return std::move(e);
  llvm::sys::fs::remove(outPath);
  int64_t watchdog = opts.watchdogCycles > 0 ? opts.watchdogCycles : defaultWatchdogCycles(spec);
  std::vector<std::string> args = {"--cwd",        absolute(".", spec.rtlDir),
                                   "--in",         std::string(inPath),
                                   "--out",        std::string(outPath),
                                   "--watchdog",   std::to_string(watchdog),
                                   "--generate",   std::to_string(rows),
                                   std::to_string(prompt), std::to_string(fed)};
  if (!opts.weightImages.empty())
    args.insert(args.end(), {"--weights", std::string(wtPath)});
  auto t0 = Clock::now();
  std::string crash;
  auto rc = runProgram(build.simulatorPath, args, logPath, opts.verbose, &crash);
  if (!rc)
    return rc.takeError();
  GenerateRun g;
  g.simSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (*rc != 0)
    return makeError(
        "sim: simulator of top '" + spec.topName + "' " +
        (crash.empty() ? "exited with status " + std::to_string(*rc) : "crashed (" + crash + ")") +
        ": " + firstMeaningfulLine(logPath) + " (full log: " + logPath + ")");
  auto buf = llvm::MemoryBuffer::getFile(outPath);
  if (!buf)
    return makeError("sim: no output file " + std::string(outPath));
  llvm::SmallVector<llvm::StringRef> lines;
  (*buf)->getBuffer().split(lines, '\n', -1, false);
  for (llvm::StringRef line : lines) {
    llvm::SmallVector<llvm::StringRef> tok;
    line.split(tok, ' ', -1, false);
    auto num = [&](size_t i) {
      long long v = 0;
      if (i >= tok.size() || tok[i].getAsInteger(10, v))
        return int64_t(-1);
      return int64_t(v);
    };
    if (tok.empty())
      continue;
    if (tok[0] == "r") {
      GenerateRow row;
      row.firstIn = num(2);
      row.lastOut = num(3);
      for (size_t i = 4; i < tok.size(); ++i)
        row.words.push_back(num(i));
      g.rows.push_back(std::move(row));
    } else if (tok[0] == "t") {
      g.tokens.push_back(num(2));
    } else if (tok[0] == "deadlock") {
      g.deadlock = true;
      g.deadlockMessage = "generate pass: no output beat for " + std::to_string(num(6)) +
                          " cycles at cycle " + std::to_string(num(1)) + " (" +
                          std::to_string(num(2)) + "/" + std::to_string(num(3)) +
                          " input beats, " + std::to_string(num(4)) + "/" +
                          std::to_string(num(5)) + " output beats)";
    } else if (tok[0] == "time" && tok.size() >= 3) {
      double secs = 0;
      long long cyc = 0;
      if (!tok[1].getAsDouble(secs) && !tok[2].getAsInteger(10, cyc)) {
        g.cycles = cyc;
        g.cyclesPerSecond = secs > 0 ? double(cyc) / secs : 0;
      }
    }
  }
  return g;
}

llvm::json::Object simJson(const SimResult &r, int64_t frames, int64_t mismatches,
                           int64_t predictedLatencyCycles, int64_t predictedIICycles) {
  auto orNull = [](int64_t v) -> llvm::json::Value {
    if (v < 0)
      return nullptr;
    return v;
  };
  llvm::json::Object o{
      {"frames", frames},
      {"mismatches", mismatches},
      {"latency_cycles", orNull(r.latencyCycles)},
      {"ii_cycles", orNull(r.iiCycles)},
      {"predicted_latency_cycles", orNull(predictedLatencyCycles)},
      {"predicted_ii_cycles", orNull(predictedIICycles)},
      {"build_seconds", r.buildSeconds},
      {"sim_seconds", r.simSeconds},
      {"cycles_per_second", r.cyclesPerSecond},
      {"cycles", r.totalCycles},
      {"model_eval_seconds", r.modelSeconds},
      {"harness_seconds", r.loopSeconds - r.modelSeconds},
      {"deadlock", r.deadlock},
      {"tlast_errors", r.tlastErrors},
      {"extra_output_beats", r.extraOutputBeats},
      {"input_beats_left", r.inputBeatsLeft},
  };
  if (r.weightLoadCycles >= 0)
    o["weight_load_cycles"] = r.weightLoadCycles;
  if (r.deadlock)
    o["deadlock_message"] = r.deadlockMessage;
  if (r.randomPassRun)
    o["backpressure_mismatches"] = r.passMismatchCount;
  return o;
}

llvm::Error writeSimJson(llvm::StringRef path, const SimResult &r, int64_t frames,
                         int64_t mismatches, int64_t predictedLatencyCycles,
                         int64_t predictedIICycles) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}",
                      llvm::json::Value(simJson(r, frames, mismatches, predictedLatencyCycles,
                                                predictedIICycles)))
     << "\n";
  os.flush();
  return writeText(path, text);
}

} // namespace sim
} // namespace loom
