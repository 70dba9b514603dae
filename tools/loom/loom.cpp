//===- loom.cpp - the user's command line ---------------------------------===//
//
//   loom compile MODEL.onnx -o OUT/ [--precision auto|int8|fixed<W,I>] [--calib X.npy]
//                [--formats F.json] [--target-ii C] [--max-mults N] [--max-luts N]
//                [--max-dsps N] [--part P] [--top NAME]
//                [--clock-mhz F] [--clock-family ice40|xilinx-7] [--runtime-weights]
//                [--aresetn]
//   loom sim OUT/ [--inputs X.npy | --onnx-test-dir DIR | --random N] [--seed S]
//                 [--backpressure P] [--out Y.npz] [--trace] [--plain-rtl]
//                 [--weights A.onnx[,B.onnx...]]
//   loom pack-weights OUT/ --weights OTHER.onnx [-o FILE]
//   loom run MODEL.onnx [-o OUT/] [compile and sim options]
//   loom report OUT/
//   loom generate OUT/ --prompt 3,14,15 --tokens N [--out Y.npz]
//   loom synth OUT/ [--target generic|ice40-up5k|ice40-hx8k|xilinx-7] [--part P]
//                   [--clock-mhz F] [--timeout S]
//
// Every failure is one line on stderr ("loom: error: ...") and a non-zero exit.
// This file only parses arguments; each command's work is a flow in flows/.
//
//===----------------------------------------------------------------------===//
#include "flows/Compile.h"
#include "flows/Generate.h"
#include "flows/Report.h"
#include "flows/RuntimeWeights.h"
#include "flows/Simulate.h"
#include "flows/Synth.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <set>

using namespace loom;

namespace {

const char *kUsage =
    "usage:\n"
    "  loom compile MODEL.onnx -o OUT/ [--precision auto|int8|fixed<W,I>] [--calib X.npy]\n"
    "               [--formats F.json] [--target-ii C] [--max-mults N] [--max-luts N]\n"
    "               [--max-dsps N] [--part P] [--top NAME]\n"
    "               [--clock-mhz F] [--clock-family ice40|xilinx-7] [--runtime-weights]\n"
    "               [--aresetn]\n"
    "    folding: --target-ii asks for the fewest multipliers at that II; --max-mults,\n"
    "    --max-luts, --max-dsps and the capacity of --part (xc7z020, xc7z010, xc7a35t,\n"
    "    xc7a100t) are upper bounds (estimates for Yosys synth_xilinx; the tightest wins).\n"
    "    auto (default): a format per tensor, the narrowest meeting 1% of the output range;\n"
    "    --formats pins some ({\"node or input name\": \"fixed<W,I>\" | \"ufixed<W,I>\"}).\n"
    "    int8: post-training quantization. Both calibrate on X.npy ([N, ...input shape]; the\n"
    "    first 80% calibrate, the rest are held out), or without --calib on 64 random frames\n"
    "    (auto: normal(0, 1); int8: uniform [-2, 2); seed 1) with 16 more (seed 2) held out.\n"
    "    fixed<W,I>: one format for every tensor.\n"
    "    --clock-mhz: register stages in each dense/conv unit's MAC until the timing model of\n"
    "    --clock-family (default xilinx-7) meets F; the cycle prediction includes them.\n"
    "    --runtime-weights (auto, int8 or fixed<W,I>): dense/conv/depthwise weights and\n"
    "    biases, embedding tables and LayerNorm gamma/beta (not in int8) are loaded through\n"
    "    the s_axis_wt port, not ROMs; OUT/weights/ holds the image\n"
    "    layout and this model's image. Formats are the architecture's (auto: one fixed<W,I>\n"
    "    from this model; int8: its quantizers and weight scales with a 1.25x margin); other\n"
    "    weights outside them are refused.\n"
    "    --aresetn: the top's reset is the active-low aresetn (AXI) instead of rst. tdata is\n"
    "    always a whole number of bytes (lanes x bits, zero-padded at the top).\n"
    "  loom sim OUT/ [--inputs X.npy|X.npz | --onnx-test-dir DIR | --random N] [--seed S] "
    "[--backpressure P]\n"
    "                [--out Y.npz] [--trace] [--plain-rtl] [--weights A.onnx[,B.onnx...]]\n"
    "    --plain-rtl: simulate the library's synthesised forms (slower; by default some\n"
    "    modules run forms that compute the same bits faster in Verilator)\n"
    "    --weights (a --runtime-weights OUT): load these models' weights (same architecture)\n"
    "    through s_axis_wt, the frames split evenly between them in order, each checked\n"
    "    against the reference with its own weights; OUT/rtl is not rebuilt\n"
    "  loom pack-weights OUT/ --weights OTHER.onnx [-o FILE]\n"
    "    OTHER's weight-load image (default OUT/weights/OTHER.bin); refuses another architecture\n"
    "  loom run MODEL.onnx [-o OUT/] [compile and sim options]\n"
    "  loom report OUT/ [--html]\n"
    "    --html: also OUT/report.html (graph, per-actor charts, sim and synthesis results)\n"
    "  loom generate OUT/ --prompt 3,14,15 --tokens N [--out Y.npz]\n"
    "    greedy decoding of a causal LM (input_ids [1, T] -> logits [1, T, V]) in Verilator,\n"
    "    one token per pass; every logit word checked; OUT/generate.json, Y.npz \"logits\" [N, V]\n"
    "  loom synth OUT/ [--target generic|ice40-up5k|ice40-hx8k|xilinx-7] [--part P]\n"
    "                  [--clock-mhz F] [--timeout S]\n"
    "    iCE40: Yosys synth_ice40 -dsp, then nextpnr-ice40 place and route (fits, fmax_mhz);\n"
    "    xilinx-7 (--part xc7z020 default, xc7z010, xc7a35t, xc7a100t): synth_xilinx,\n"
    "    logic_levels. Writes OUT/synth.json and OUT/synth/ (logs, PCF / XDC).\n"
    "    --clock-mhz defaults to the compile's --clock-mhz (none: iCE40 at 12 MHz).\n";

int fail(const llvm::Twine &msg) {
  llvm::errs() << "loom: error: " << msg << "\n";
  return 1;
}

/// Parsed command line: one positional argument and --flag value pairs.
struct Args {
  std::string positional;
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
};

llvm::Expected<Args> parse(int argc, char **argv, const std::set<std::string> &valued,
                           const std::set<std::string> &boolean) {
  Args args;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 1 && a[0] == '-') {
      std::string value;
      size_t eq = a.find('=');
      if (eq != std::string::npos)
        value = a.substr(eq + 1), a = a.substr(0, eq);
      if (boolean.count(a)) {
        args.flags.insert(a);
      } else if (valued.count(a)) {
        if (eq == std::string::npos) {
          if (i + 1 >= argc)
            return llvm::createStringError(llvm::inconvertibleErrorCode(), a + " needs a value");
          value = argv[++i];
        }
        args.values[a] = value;
      } else {
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "unknown option " + a + " for 'loom " + argv[1] + "'");
      }
    } else if (args.positional.empty()) {
      args.positional = a;
    } else {
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "unexpected argument '" + a + "'");
    }
  }
  return args;
}

bool parseInt(const std::string &s, int64_t &out) {
  return !llvm::StringRef(s).getAsInteger(10, out);
}

const std::set<std::string> kCompileFlags = {
    "-o",    "--precision", "--target-ii", "--max-mults", "--max-luts", "--max-dsps",
    "--part", "--top",      "--calib",     "--formats",  "--clock-mhz", "--clock-family"};
const std::set<std::string> kSimFlags = {"--inputs", "--onnx-test-dir", "--random",
                                         "--seed",   "--backpressure",  "--out", "--weights"};

llvm::Error compileOptions(const Args &a, CompileOptions &o) {
  auto err = [](const llvm::Twine &m) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), m);
  };
  o.model = a.positional;
  if (a.values.count("-o"))
    o.outDir = a.values.at("-o");
  if (a.values.count("--precision"))
    o.precision = a.values.at("--precision");
  if (o.precision == "model")
    return err("--precision model is not a choice: a model with its own quantization uses it "
               "whatever --precision says; use auto (default), int8 or fixed<W,I>");
  if (o.precision != "auto" && o.precision != "int8" &&
      !llvm::StringRef(o.precision).starts_with("fixed<"))
    return err("--precision " + o.precision + ": use auto (default), int8 or fixed<W,I>");
  if (a.values.count("--formats")) {
    if (o.precision != "auto")
      return err("--formats pins formats of --precision auto (the default); drop --precision " +
                 o.precision);
    o.formats = a.values.at("--formats");
    if (!llvm::sys::fs::exists(o.formats))
      return err(o.formats + ": no such file (--formats wants a JSON object of name -> format)");
  }
  if (a.values.count("--calib")) {
    if (o.precision != "int8" && o.precision != "auto")
      return err("--calib needs --precision auto or int8 (fixed<W,I> needs no calibration)");
    o.calib = a.values.at("--calib");
    if (!llvm::sys::fs::exists(o.calib))
      return err(o.calib + ": no such file (--calib wants an .npy of calibration inputs)");
  }
  if (a.values.count("--max-mults") &&
      (!parseInt(a.values.at("--max-mults"), o.maxMults) || o.maxMults <= 0))
    return err("--max-mults must be a positive integer");
  if (a.values.count("--target-ii") &&
      (!parseInt(a.values.at("--target-ii"), o.targetII) || o.targetII <= 0))
    return err("--target-ii must be a positive integer");
  for (auto [flag, field] : {std::pair{"--max-luts", &o.maxLuts}, {"--max-dsps", &o.maxDsps}})
    if (a.values.count(flag) && (!parseInt(a.values.at(flag), *field) || *field <= 0))
      return err(std::string(flag) + " must be a positive integer");
  if (a.values.count("--part"))
    o.part = a.values.at("--part");
  if (a.values.count("--top"))
    o.top = a.values.at("--top");
  if (a.values.count("--clock-mhz") &&
      (llvm::StringRef(a.values.at("--clock-mhz")).getAsDouble(o.clockMhz) || o.clockMhz <= 0 ||
       o.clockMhz > 2000))
    return err("--clock-mhz must be a frequency in (0, 2000] MHz, got '" +
               a.values.at("--clock-mhz") + "'");
  if (a.values.count("--clock-family")) {
    o.clockFamily = a.values.at("--clock-family");
    if (o.clockFamily != "ice40" && o.clockFamily != "xilinx-7")
      return err("--clock-family " + o.clockFamily + ": use ice40 or xilinx-7");
    if (o.clockMhz <= 0)
      return err("--clock-family needs --clock-mhz F");
  }
  o.runtimeWeights = a.flags.count("--runtime-weights");
  o.aresetn = a.flags.count("--aresetn");
  return llvm::Error::success();
}

llvm::Error simOptions(const Args &a, SimulateOptions &o) {
  auto err = [](const llvm::Twine &m) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), m);
  };
  if (a.values.count("--inputs"))
    o.inputsNpy = a.values.at("--inputs");
  if (a.values.count("--onnx-test-dir"))
    o.onnxTestDir = a.values.at("--onnx-test-dir");
  if (a.values.count("--random") &&
      (!parseInt(a.values.at("--random"), o.randomFrames) || o.randomFrames <= 0))
    return err("--random must be a positive number of frames");
  if (int(!o.inputsNpy.empty()) + int(!o.onnxTestDir.empty()) + int(o.randomFrames > 0) > 1)
    return err("give only one of --inputs, --onnx-test-dir and --random");
  int64_t seed = 1;
  if (a.values.count("--seed") && !parseInt(a.values.at("--seed"), seed))
    return err("--seed must be an integer");
  o.seed = uint64_t(seed);
  if (a.values.count("--backpressure")) {
    double p;
    if (llvm::StringRef(a.values.at("--backpressure")).getAsDouble(p) || p < 0 || p >= 1)
      return err("--backpressure must be a probability in [0, 1)");
    o.backpressure = p;
  }
  if (a.values.count("--out"))
    o.outNpz = a.values.at("--out");
  o.trace = a.flags.count("--trace");
  o.plainRtl = a.flags.count("--plain-rtl");
  if (a.values.count("--weights")) {
    llvm::SmallVector<llvm::StringRef> models;
    llvm::StringRef(a.values.at("--weights")).split(models, ',', -1, false);
    for (llvm::StringRef m : models) {
      if (!llvm::sys::fs::exists(m))
        return err(m + ": no such file (--weights wants ONNX models of the design's "
                       "architecture, comma-separated)");
      o.weights.push_back(m.str());
    }
    if (o.weights.empty())
      return err("--weights needs at least one ONNX model");
  }
  return llvm::Error::success();
}

int runCompile(CompileOptions &o) {
  std::vector<std::string> warnings;
  llvm::Error err = compileModel(o, warnings);
  // A failed compile reports exactly one line: its error.
  if (err)
    return fail(llvm::toString(std::move(err)));
  for (const std::string &w : warnings)
    llvm::errs() << "loom: warning: " << w << "\n";
  llvm::outs() << "compiled " << o.model << " -> " << o.outDir << "\n";
  if (auto e = printReport(o.outDir))
    return fail(llvm::toString(std::move(e)));
  return 0;
}

int runSim(SimulateOptions &o) {
  auto mismatches = simulateDesign(o);
  if (!mismatches)
    return fail(llvm::toString(mismatches.takeError()));
  if (*mismatches)
    return fail(llvm::formatv("{0} output words differ from the reference; see {1}/sim.json",
                              *mismatches, o.outDir)
                    .str());
  return 0;
}

int runPackWeights(const Args &a) {
  if (!a.values.count("--weights"))
    return fail("'loom pack-weights' needs --weights OTHER.onnx");
  std::vector<std::string> warnings;
  auto path = packWeights(a.positional, a.values.at("--weights"),
                          a.values.count("-o") ? a.values.at("-o") : "", warnings);
  if (!path)
    return fail(llvm::toString(path.takeError()));
  for (const std::string &w : warnings)
    llvm::errs() << "loom: warning: " << w << "\n";
  llvm::outs() << "packed " << a.values.at("--weights") << " -> " << *path << "\n";
  return 0;
}

int runGenerate(const Args &a) {
  GenerateOptions o;
  o.outDir = a.positional;
  if (!a.values.count("--prompt") || !a.values.count("--tokens"))
    return fail("'loom generate' needs --prompt ID,ID,... and --tokens N");
  llvm::SmallVector<llvm::StringRef> ids;
  llvm::StringRef(a.values.at("--prompt")).split(ids, ',', -1, false);
  for (llvm::StringRef id : ids) {
    int64_t v;
    if (!parseInt(id.trim().str(), v))
      return fail("--prompt needs comma-separated token ids, got '" + a.values.at("--prompt") +
                  "'");
    o.prompt.push_back(v);
  }
  if (!parseInt(a.values.at("--tokens"), o.tokens) || o.tokens < 1)
    return fail("--tokens must be a positive number of tokens");
  if (a.values.count("--out"))
    o.outNpz = a.values.at("--out");
  auto mismatches = generateTokens(o);
  if (!mismatches)
    return fail(llvm::toString(mismatches.takeError()));
  if (*mismatches)
    return fail(llvm::formatv("{0} logit words differ from the reference; see {1}/generate.json",
                              *mismatches, o.outDir)
                    .str());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2 || llvm::StringRef(argv[1]) == "--help" || llvm::StringRef(argv[1]) == "-h") {
    llvm::outs() << kUsage;
    return argc < 2 ? 1 : 0;
  }
  std::string cmd = argv[1];
  std::set<std::string> valued, boolean;
  if (cmd == "compile")
    valued = kCompileFlags, boolean = {"--runtime-weights", "--aresetn"};
  else if (cmd == "sim")
    valued = kSimFlags, boolean = {"--trace", "--plain-rtl"};
  else if (cmd == "run") {
    valued = kCompileFlags;
    valued.insert(kSimFlags.begin(), kSimFlags.end());
    boolean = {"--trace", "--plain-rtl", "--runtime-weights", "--aresetn"};
  } else if (cmd == "pack-weights")
    valued = {"--weights", "-o"};
  else if (cmd == "synth")
    valued = {"--target", "--part", "--clock-mhz", "--timeout"};
  else if (cmd == "report")
    boolean = {"--html"};
  else if (cmd == "generate")
    valued = {"--prompt", "--tokens", "--out"};
  else if (cmd != "report")
    return fail("unknown command '" + cmd +
                "'; commands: compile, sim, run, report, generate, synth, pack-weights "
                "(see 'loom --help')");

  auto args = parse(argc, argv, valued, boolean);
  if (!args)
    return fail(llvm::toString(args.takeError()));
  if (args->positional.empty())
    return fail("'loom " + cmd + "' needs " +
                (cmd == "compile" || cmd == "run" ? "a MODEL.onnx" : "an OUT/ directory"));

  if (cmd == "report") {
    if (auto e = printReport(args->positional))
      return fail(llvm::toString(std::move(e)));
    if (args->flags.count("--html")) {
      if (auto e = writeHtmlReport(args->positional))
        return fail(llvm::toString(std::move(e)));
      llvm::outs() << "wrote " << args->positional << "/report.html\n";
    }
    return 0;
  }
  if (cmd == "generate")
    return runGenerate(*args);
  if (cmd == "pack-weights")
    return runPackWeights(*args);
  if (cmd == "synth") {
    SynthOptions so;
    so.outDir = args->positional;
    if (args->values.count("--target"))
      so.target = args->values.at("--target");
    if (args->values.count("--part"))
      so.part = args->values.at("--part");
    if (args->values.count("--clock-mhz") &&
        llvm::StringRef(args->values.at("--clock-mhz")).getAsDouble(so.clockMhz))
      return fail("--clock-mhz needs a number of MHz, got '" + args->values.at("--clock-mhz") +
                  "'");
    if (args->values.count("--timeout") &&
        llvm::StringRef(args->values.at("--timeout")).getAsInteger(10, so.timeoutSeconds))
      return fail("--timeout needs a whole number of seconds, got '" +
                  args->values.at("--timeout") + "'");
    if (auto e = synthesizeDesign(so))
      return fail(llvm::toString(std::move(e)));
    return 0;
  }

  CompileOptions co;
  SimulateOptions so;
  // Every option is checked before anything is built.
  if (cmd == "sim" || cmd == "run")
    if (auto e = simOptions(*args, so))
      return fail(llvm::toString(std::move(e)));
  if (cmd == "compile" || cmd == "run") {
    if (auto e = compileOptions(*args, co))
      return fail(llvm::toString(std::move(e)));
    if (co.outDir.empty()) {
      if (cmd == "compile")
        return fail("'loom compile' needs -o OUT/");
      co.outDir = "out/" + llvm::sys::path::stem(co.model).str();
      llvm::sys::fs::create_directories("out");
    }
    if (int rc = runCompile(co))
      return rc;
    if (cmd == "compile")
      return 0;
    so.outDir = co.outDir;
  } else {
    so.outDir = args->positional;
  }
  return runSim(so);
}
