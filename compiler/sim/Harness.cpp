//===- Harness.cpp - C++ harness text for the Verilated Loom top ----------===//
//
// generateHarness() returns deterministic text: a generated preamble with the
// stream geometry and width-specific port accessors, followed by a fixed body.
// See Simulator.h for the file formats, passes and timing definitions.
//
//===----------------------------------------------------------------------===//
#include "compiler/sim/Simulator.h"

#include "llvm/Support/raw_ostream.h"

namespace loom {
namespace sim {

namespace {

// Accessor that copies packed 32-bit words into a Verilated input port.
void emitSetter(llvm::raw_ostream &os, llvm::StringRef fn, llvm::StringRef port, int64_t width) {
  os << "static inline void " << fn << "(Vloom_top *top, const uint32_t *w) {\n";
  if (width <= 32)
    os << "  top->" << port << " = w[0];\n";
  else if (width <= 64)
    os << "  top->" << port << " = (uint64_t)w[0] | ((uint64_t)w[1] << 32);\n";
  else
    os << "  for (int i = 0; i < " << (width + 31) / 32 << "; ++i) top->" << port
       << "[i] = w[i];\n";
  os << "}\n";
}

// Accessor that copies a Verilated output port into 32-bit words.
void emitGetter(llvm::raw_ostream &os, llvm::StringRef fn, llvm::StringRef port, int64_t width) {
  os << "static inline void " << fn << "(Vloom_top *top, uint32_t *w) {\n";
  if (width <= 32)
    os << "  w[0] = (uint32_t)top->" << port << ";\n";
  else if (width <= 64)
    os << "  uint64_t v = top->" << port
       << ";\n  w[0] = (uint32_t)v;\n  w[1] = (uint32_t)(v >> 32);\n";
  else
    os << "  for (int i = 0; i < " << (width + 31) / 32 << "; ++i) w[i] = top->" << port
       << "[i];\n";
  os << "}\n";
}

// The fixed part of the harness.
const char *kHarnessBody = R"HARNESS(
static const int64_t IN_WORDS = (IN_LANES * (int64_t)IN_BITS + 31) / 32;
static const int64_t OUT_WORDS = (OUT_LANES * (int64_t)OUT_BITS + 31) / 32;
static const int64_t kTailCycles = 64;

static void putBits(uint32_t *w, int64_t pos, int width, uint64_t v) {
  while (width > 0) {
    int64_t wi = pos >> 5;
    int off = (int)(pos & 31);
    int n = 32 - off < width ? 32 - off : width;
    uint32_t mask = n == 32 ? 0xffffffffu : ((1u << n) - 1u);
    w[wi] = (w[wi] & ~(mask << off)) | (((uint32_t)v & mask) << off);
    v = n == 64 ? 0 : (v >> n);
    pos += n;
    width -= n;
  }
}

static uint64_t getBits(const uint32_t *w, int64_t pos, int width) {
  uint64_t v = 0;
  int done = 0;
  while (done < width) {
    int64_t wi = pos >> 5;
    int off = (int)(pos & 31);
    int n = 32 - off < width - done ? 32 - off : width - done;
    uint64_t chunk = (w[wi] >> off) & (n == 32 ? 0xffffffffu : ((1u << n) - 1u));
    v |= chunk << done;
    done += n;
    pos += n;
  }
  return v;
}

static int64_t signExtend(uint64_t v, int bits) {
  if (bits >= 64) return (int64_t)v;
  uint64_t m = 1ull << (bits - 1);
  v &= (1ull << bits) - 1;
  return (int64_t)((v ^ m) - m);
}

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) {
    uint64_t z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    s = (z ^ (z >> 31)) | 1;
  }
  uint64_t next() { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
  double uniform() { return (double)(next() >> 11) * (1.0 / 9007199254740992.0); }
};

struct PassStats {
  int64_t cycles = 0;
  double seconds = 0;
};

static PassStats runPass(const char *name, bool randomized, double p,
                         uint64_t seed, int64_t watchdog,
                         const std::vector<uint32_t> &inWords, int64_t frames,
                         FILE *out, const char *traceFile) {
  PassStats stats;
  std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
  ctx->debug(0);
#if VM_TRACE
  if (traceFile) ctx->traceEverOn(true);
#endif
  std::unique_ptr<Vloom_top> top(new Vloom_top(ctx.get(), "TOP"));
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> tfp;
  if (traceFile) {
    tfp.reset(new VerilatedFstC);
    top->trace(tfp.get(), 99);
    tfp->open(traceFile);
  }
#define LOOM_DUMP(t) do { if (tfp) tfp->dump((uint64_t)(t)); } while (0)
#else
  (void)traceFile;
#define LOOM_DUMP(t) do { } while (0)
#endif
  std::fprintf(out, "pass %s %lld\n", name, (long long)frames);
  Rng rng(seed);
  const int64_t inTotal = frames * IN_BEATS, outTotal = frames * OUT_BEATS;
  std::vector<int64_t> firstIn(frames, -1), lastIn(frames, -1),
      firstOut(frames, -1);
  std::vector<int64_t> frameVals((size_t)(OUT_BEATS * OUT_LANES));
  std::vector<uint32_t> zeros((size_t)IN_WORDS, 0u), ow((size_t)OUT_WORDS, 0u);
  uint64_t simTime = 0;

  top->clk = 0;
  top->rst = 1;
  top->s_axis_tvalid = 0;
  top->s_axis_tlast = 0;
  top->m_axis_tready = 0;
  setInData(top.get(), zeros.data());
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    top->clk = 0; top->eval(); LOOM_DUMP(simTime); ++simTime;
    top->clk = 1; top->eval(); LOOM_DUMP(simTime); ++simTime;
  }
  top->rst = 0;

  int64_t inBeat = 0, outBeat = 0, lastProgress = 0, tailEnd = -1;
  int64_t tlastErrors = 0, extra = 0;
  bool offered = false;
  int64_t cycle = 0;
  for (;; ++cycle) {
    // Drive the inputs that edge `cycle` samples.
    bool v = false;
    if (inBeat < inTotal)
      v = (!randomized || offered) ? true : rng.uniform() >= p;
    offered = v;
    top->s_axis_tvalid = v;
    if (v) setInData(top.get(), &inWords[(size_t)(inBeat * IN_WORDS)]);
    top->s_axis_tlast = v && ((inBeat + 1) % IN_BEATS == 0);
    bool r = !randomized || rng.uniform() >= p;
    top->m_axis_tready = r;
    top->clk = 0;
    top->eval();
    LOOM_DUMP(simTime); ++simTime;
    bool inFire = v && top->s_axis_tready;
    bool outFire = r && top->m_axis_tvalid;
    if (outFire) {
      if (outBeat < outTotal) {
        int64_t f = outBeat / OUT_BEATS, b = outBeat % OUT_BEATS;
        bool lastBeat = b == OUT_BEATS - 1;
        if ((bool)top->m_axis_tlast != lastBeat) ++tlastErrors;
        getOutData(top.get(), ow.data());
        for (int e = 0; e < OUT_LANES; ++e)
          frameVals[(size_t)(b * OUT_LANES + e)] = signExtend(
              getBits(ow.data(), (int64_t)e * OUT_BITS, OUT_BITS), OUT_BITS);
        if (b == 0) firstOut[f] = cycle;
        if (lastBeat) {
          std::fprintf(out, "f %lld %lld %lld %lld %lld", (long long)f,
                       (long long)firstIn[f], (long long)lastIn[f],
                       (long long)firstOut[f], (long long)cycle);
          for (int64_t x : frameVals) std::fprintf(out, " %lld", (long long)x);
          std::fputc('\n', out);
        }
      } else {
        ++extra;
      }
      ++outBeat;
      lastProgress = cycle;
    }
    if (inFire) {
      int64_t f = inBeat / IN_BEATS, b = inBeat % IN_BEATS;
      if (b == 0) firstIn[f] = cycle;
      if (b == IN_BEATS - 1) lastIn[f] = cycle;
      ++inBeat;
      offered = false;
    }
    top->clk = 1;
    top->eval();
    LOOM_DUMP(simTime); ++simTime;
    if (tailEnd < 0 && outBeat >= outTotal) tailEnd = cycle + kTailCycles;
    if (tailEnd >= 0 && cycle >= tailEnd) {
      std::fprintf(out, "ok %lld %lld %lld %lld\n", (long long)(cycle + 1),
                   (long long)tlastErrors, (long long)extra,
                   (long long)(inTotal - inBeat));
      break;
    }
    if (tailEnd < 0 && cycle - lastProgress >= watchdog) {
      // Name the stuck actor: the handshake wires of the top, through VPI.
      for (int i = 0; i < NPROBES; ++i) {
        std::string n = std::string("TOP.") + TOP_NAME + "." + PROBES[i];
        vpiHandle h = vpi_handle_by_name((PLI_BYTE8 *)n.c_str(), nullptr);
        if (!h) continue;
        s_vpi_value v;
        v.format = vpiIntVal;
        vpi_get_value(h, &v);
        std::fprintf(out, "probe %s %d\n", PROBES[i], (int)v.value.integer);
      }
      std::fprintf(out, "deadlock %lld %lld %lld %lld %lld %lld %d %d\n",
                   (long long)cycle, (long long)inBeat, (long long)inTotal,
                   (long long)outBeat, (long long)outTotal,
                   (long long)(cycle - lastProgress), (int)top->s_axis_tready,
                   (int)top->m_axis_tvalid);
      break;
    }
    if (ctx->gotFinish()) {
      std::fprintf(out, "finish %lld\n", (long long)cycle);
      break;
    }
  }
  auto t1 = std::chrono::steady_clock::now();
  stats.cycles = cycle + 1;
  stats.seconds = std::chrono::duration<double>(t1 - t0).count();
  top->final();
#if VM_TRACE
  if (tfp) tfp->close();
#endif
#undef LOOM_DUMP
  std::fflush(out);
  return stats;
}

static int usage(const char *msg) {
  std::fprintf(stderr, "loom_sim: %s\nusage: loom_sim --cwd DIR --in FILE --out FILE "
               "[--backpressure P] [--seed S] [--watchdog CYCLES] [--trace FILE]\n", msg);
  return 2;
}

int main(int argc, char **argv) {
  const char *cwd = nullptr, *inPath = nullptr, *outPath = nullptr, *trace = nullptr;
  double p = 0;
  uint64_t seed = 1;
  int64_t watchdog = 100000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + a).c_str());
    const char *v = argv[++i];
    if (a == "--cwd") cwd = v;
    else if (a == "--in") inPath = v;
    else if (a == "--out") outPath = v;
    else if (a == "--trace") trace = v;
    else if (a == "--backpressure") p = std::strtod(v, nullptr);
    else if (a == "--seed") seed = std::strtoull(v, nullptr, 10);
    else if (a == "--watchdog") watchdog = std::strtoll(v, nullptr, 10);
    else return usage(("unknown option " + a).c_str());
  }
  if (!inPath || !outPath) return usage("--in and --out are required");
  FILE *in = std::fopen(inPath, "rb");
  if (!in) { std::fprintf(stderr, "loom_sim: cannot open %s\n", inPath); return 2; }
  char magic[8];
  int64_t hdr[3];
  if (std::fread(magic, 1, 8, in) != 8 || std::memcmp(magic, "LOOMIN1", 8) != 0 ||
      std::fread(hdr, sizeof(int64_t), 3, in) != 3) {
    std::fprintf(stderr, "loom_sim: %s is not a Loom input file\n", inPath);
    return 2;
  }
  int64_t frames = hdr[0];
  if (hdr[1] != IN_BEATS || hdr[2] != IN_LANES || frames < 1) {
    std::fprintf(stderr, "loom_sim: %s has %lld frames x %lld beats x %lld lanes; "
                 "this simulator expects %lld beats x %d lanes\n", inPath,
                 (long long)frames, (long long)hdr[1], (long long)hdr[2],
                 (long long)IN_BEATS, IN_LANES);
    return 2;
  }
  std::vector<uint32_t> inWords((size_t)(frames * IN_BEATS * IN_WORDS), 0u);
  std::vector<int64_t> beat((size_t)IN_LANES);
  for (int64_t i = 0; i < frames * IN_BEATS; ++i) {
    if (std::fread(beat.data(), sizeof(int64_t), beat.size(), in) != beat.size()) {
      std::fprintf(stderr, "loom_sim: %s is truncated\n", inPath);
      return 2;
    }
    for (int e = 0; e < IN_LANES; ++e)
      putBits(&inWords[(size_t)(i * IN_WORDS)], (int64_t)e * IN_BITS, IN_BITS,
              (uint64_t)beat[(size_t)e]);
  }
  std::fclose(in);
  FILE *out = std::fopen(outPath, "w");
  if (!out) { std::fprintf(stderr, "loom_sim: cannot write %s\n", outPath); return 2; }
  if (cwd && chdir(cwd) != 0) {
    std::fprintf(stderr, "loom_sim: cannot chdir to %s\n", cwd);
    return 2;
  }
  PassStats clean = runPass("clean", false, 0, seed, watchdog, inWords, frames, out, trace);
  int64_t cycles = clean.cycles;
  double seconds = clean.seconds;
  if (p > 0) {
    PassStats rnd = runPass("random", true, p, seed, watchdog, inWords, frames, out, nullptr);
    cycles += rnd.cycles;
    seconds += rnd.seconds;
  }
  std::fprintf(out, "time %.9f %lld\n", seconds, (long long)cycles);
  std::fclose(out);
  return 0;
}
)HARNESS";

} // namespace

std::string generateHarness(const SimSpec &spec) {
  std::string text;
  llvm::raw_string_ostream os(text);
  int64_t inW = (int64_t)spec.inLanes * spec.inBits;
  int64_t outW = (int64_t)spec.outLanes * spec.outBits;
  os << "// Generated by Loom (compiler/sim/Harness.cpp). Do not edit.\n"
     << "// Top module: " << spec.topName << "\n"
     << "// s_axis_tdata: " << spec.inLanes << " x " << spec.inBits << " bits, "
     << spec.inBeatsPerFrame << " beats/frame\n"
     << "// m_axis_tdata: " << spec.outLanes << " x " << spec.outBits << " bits, "
     << spec.outBeatsPerFrame << " beats/frame\n"
     << "#include \"Vloom_top.h\"\n"
     << "#include \"verilated.h\"\n"
     << "#include \"verilated_vpi.h\"\n"
     << "#if VM_TRACE\n#include \"verilated_fst_c.h\"\n#endif\n"
     << "#include <chrono>\n#include <cstdint>\n#include <cstdio>\n"
     << "#include <cstdlib>\n#include <cstring>\n#include <memory>\n"
     << "#include <string>\n#include <vector>\n#include <unistd.h>\n\n"
     << "static const int IN_LANES = " << spec.inLanes << ";\n"
     << "static const int IN_BITS = " << spec.inBits << ";\n"
     << "static const int OUT_LANES = " << spec.outLanes << ";\n"
     << "static const int OUT_BITS = " << spec.outBits << ";\n"
     << "static const int64_t IN_BEATS = " << spec.inBeatsPerFrame << ";\n"
     << "static const int64_t OUT_BEATS = " << spec.outBeatsPerFrame << ";\n"
     << "static const char *const TOP_NAME = \"" << spec.topName << "\";\n"
     << "static const char *const PROBES[] = {";
  for (const std::string &p : spec.probeSignals)
    os << "\"" << p << "\", ";
  os << "nullptr};\n"
     << "static const int NPROBES = " << spec.probeSignals.size() << ";\n\n";
  emitSetter(os, "setInData", "s_axis_tdata", inW);
  emitGetter(os, "getOutData", "m_axis_tdata", outW);
  os << kHarnessBody;
  os.flush();
  return text;
}

} // namespace sim
} // namespace loom
