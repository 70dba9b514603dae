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

// Copies packed 32-bit words into a Verilated input port (`port` of width `width`).
void emitSet(llvm::raw_ostream &os, llvm::StringRef port, int64_t width) {
  if (width <= 32)
    os << "    top->" << port << " = w[0];\n";
  else if (width <= 64)
    os << "    top->" << port << " = (uint64_t)w[0] | ((uint64_t)w[1] << 32);\n";
  else
    os << "    for (int i = 0; i < " << (width + 31) / 32 << "; ++i) top->" << port
       << "[i] = w[i];\n";
}

// Copies a Verilated output port into 32-bit words.
void emitGet(llvm::raw_ostream &os, llvm::StringRef port, int64_t width) {
  if (width <= 32)
    os << "    w[0] = (uint32_t)top->" << port << ";\n";
  else if (width <= 64)
    os << "    { uint64_t v = top->" << port
       << "; w[0] = (uint32_t)v; w[1] = (uint32_t)(v >> 32); }\n";
  else
    os << "    for (int i = 0; i < " << (width + 31) / 32 << "; ++i) w[i] = top->" << port
       << "[i];\n";
}

// One accessor per handshake signal, switching on the port index: the body is
// written once for any number of inputs and outputs.
void emitAccessors(llvm::raw_ostream &os, const std::vector<StreamPort> &ports, bool input) {
  const char *dir = input ? "In" : "Out";
  auto each = [&](const char *sig, const char *head, const char *tail,
                  llvm::function_ref<void(const StreamPort &)> body) {
    os << "static inline " << head << dir << sig << tail << " {\n  switch (k) {\n";
    for (size_t k = 0; k < ports.size(); ++k) {
      os << "  case " << k << ":\n";
      body(ports[k]);
      os << "    break;\n";
    }
    os << "  }\n" << (llvm::StringRef(head).starts_with("bool") ? "  return false;\n" : "")
       << "}\n";
  };
  // tdata is padded to whole bytes (docs/CONTRACTS.md "Top module"); the padding is 0.
  auto width = [](const StreamPort &p) { return (int64_t(p.lanes) * p.bits + 7) / 8 * 8; };
  if (input) {
    each("Data", "void set", "(Vloom_top *top, int k, const uint32_t *w)",
         [&](const StreamPort &p) { emitSet(os, p.port + "_tdata", width(p)); });
    each("Valid", "void set", "(Vloom_top *top, int k, bool v)",
         [&](const StreamPort &p) { os << "    top->" << p.port << "_tvalid = v;\n"; });
    each("Last", "void set", "(Vloom_top *top, int k, bool v)",
         [&](const StreamPort &p) { os << "    top->" << p.port << "_tlast = v;\n"; });
    each("Ready", "bool get", "(Vloom_top *top, int k)",
         [&](const StreamPort &p) { os << "    return top->" << p.port << "_tready;\n"; });
  } else {
    each("Data", "void get", "(Vloom_top *top, int k, uint32_t *w)",
         [&](const StreamPort &p) { emitGet(os, p.port + "_tdata", width(p)); });
    each("Ready", "void set", "(Vloom_top *top, int k, bool v)",
         [&](const StreamPort &p) { os << "    top->" << p.port << "_tready = v;\n"; });
    each("Valid", "bool get", "(Vloom_top *top, int k)",
         [&](const StreamPort &p) { os << "    return top->" << p.port << "_tvalid;\n"; });
    each("Last", "bool get", "(Vloom_top *top, int k)",
         [&](const StreamPort &p) { os << "    return top->" << p.port << "_tlast;\n"; });
  }
  os << "\n";
}

// The fixed part of the harness.
const char *kHarnessBody = R"HARNESS(
static const int64_t kTailCycles = 64;

static int64_t wordsOf(int lanes, int bits) { return (lanes * (int64_t)bits + 31) / 32; }

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

// Run-time weights (WT_WORDS > 0, s_axis_wt): image i is loaded before frame
// gWtFirst[i], once every earlier frame has left the design.
static std::vector<std::vector<uint32_t>> gWtImages;
static std::vector<int64_t> gWtFirst;

struct PassStats {
  int64_t cycles = 0;
  double seconds = 0;
  double evalSeconds = 0; ///< the model's share of `seconds`, estimated (EvalClock)
};

// Times the model's eval() calls on one cycle in kEvalSample, so the harness's own
// cost (stimulus, checks, records) is seconds - evalSeconds. Reading the clock
// around every eval would add about 0.1 us per cycle, a few percent of a fast model.
static const int64_t kEvalSample = 16;
struct EvalClock {
  double sampled = 0;
  int64_t sampledCycles = 0;
  std::chrono::steady_clock::time_point t0;
  bool on = false;
  void begin(int64_t cycle) {
    on = cycle % kEvalSample == 0;
    if (on) t0 = std::chrono::steady_clock::now();
  }
  void pause() {
    if (on) sampled += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  void resume() {
    if (on) t0 = std::chrono::steady_clock::now();
  }
  void end() {
    if (!on) return;
    pause();
    ++sampledCycles;
  }
  double estimate(int64_t cycles) const {
    return sampledCycles ? sampled * (double)cycles / (double)sampledCycles : 0;
  }
};

// inWords[k]: input k's beats for every frame, packed as its tdata.
static PassStats runPass(const char *name, bool randomized, double p,
                         uint64_t seed, int64_t watchdog,
                         const std::vector<std::vector<uint32_t>> &inWords, int64_t frames,
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
  int64_t inTotal[NIN], inBeat[NIN], outTotal[NOUT], outBeat[NOUT], outOff[NOUT];
  int64_t inTotalAll = 0, outTotalAll = 0, inBeatAll = 0, outBeatAll = 0, frameWords = 0;
  bool offered[NIN], v[NIN], r[NOUT];
  size_t maxOutWords = 1, maxInWords = 1;
  for (int k = 0; k < NIN; ++k) {
    inTotal[k] = frames * IN_BEATS[k];
    inTotalAll += inTotal[k];
    inBeat[k] = 0;
    offered[k] = false;
    if ((size_t)wordsOf(IN_LANES[k], IN_BITS[k]) > maxInWords)
      maxInWords = (size_t)wordsOf(IN_LANES[k], IN_BITS[k]);
  }
  for (int k = 0; k < NOUT; ++k) {
    outTotal[k] = frames * OUT_BEATS[k];
    outTotalAll += outTotal[k];
    outBeat[k] = 0;
    outOff[k] = frameWords;
    frameWords += OUT_BEATS[k] * OUT_LANES[k];
    if ((size_t)wordsOf(OUT_LANES[k], OUT_BITS[k]) > maxOutWords)
      maxOutWords = (size_t)wordsOf(OUT_LANES[k], OUT_BITS[k]);
  }
  // Per frame: first beat on any input, last input beat, first output beat,
  // and how many outputs have given their last beat. A frame's record is
  // written when the last output ends it; its words wait in `pending`.
  std::vector<int64_t> firstIn(frames, -1), lastIn(frames, -1), firstOut(frames, -1);
  std::vector<int> outsDone(frames, 0);
  std::map<int64_t, std::vector<int64_t>> pending;
  std::vector<uint32_t> zeros(maxInWords, 0u), ow(maxOutWords, 0u);
  uint64_t simTime = 0;

  top->clk = 0;
  setReset(top.get(), true);
  for (int k = 0; k < NIN; ++k) {
    setInValid(top.get(), k, false);
    setInLast(top.get(), k, false);
    setInData(top.get(), k, zeros.data());
  }
  for (int k = 0; k < NOUT; ++k) setOutReady(top.get(), k, false);
  // The first eval runs the initial blocks ($readmemh of every ROM, the C++ halves'
  // set-up): loading the design, not simulating it, so the clock starts after it.
  top->eval();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    top->clk = 0; top->eval(); LOOM_DUMP(simTime); ++simTime;
    top->clk = 1; top->eval(); LOOM_DUMP(simTime); ++simTime;
  }
  setReset(top.get(), false);

  int64_t lastProgress = 0, tailEnd = -1;
  int64_t tlastErrors = 0, extra = 0;
  int64_t cycle = 0;
  EvalClock evalClock;
  size_t img = 0;               // next weight image to load
  int64_t wtPos = 0, wtStart = -1;
  setWt(top.get(), false, 0u);
  for (;; ++cycle) {
    // The next image gates the frames from its first one on; it is offered
    // once the frames before it have all left the design.
    int64_t gate = img < gWtImages.size() ? gWtFirst[img] : INT64_MAX;
    bool wv = img < gWtImages.size();
    for (int k = 0; k < NOUT && wv; ++k)
      wv = outBeat[k] >= (gate < frames ? gate : frames) * OUT_BEATS[k];
    setWt(top.get(), wv, wv ? gWtImages[img][(size_t)wtPos] : 0u);
    // Drive the inputs that edge `cycle` samples.
    for (int k = 0; k < NIN; ++k) {
      v[k] = false;
      if (inBeat[k] < inTotal[k] && inBeat[k] / IN_BEATS[k] < gate)
        v[k] = (!randomized || offered[k]) ? true : rng.uniform() >= p;
      offered[k] = v[k];
      setInValid(top.get(), k, v[k]);
      if (v[k])
        setInData(top.get(), k,
                  &inWords[k][(size_t)(inBeat[k] * wordsOf(IN_LANES[k], IN_BITS[k]))]);
      setInLast(top.get(), k, v[k] && ((inBeat[k] + 1) % IN_BEATS[k] == 0));
    }
    for (int k = 0; k < NOUT; ++k) {
      r[k] = !randomized || rng.uniform() >= p;
      setOutReady(top.get(), k, r[k]);
    }
    top->clk = 0;
    evalClock.begin(cycle);
    top->eval();
    evalClock.pause();
    LOOM_DUMP(simTime); ++simTime;
    for (int k = 0; k < NOUT; ++k) {
      if (!(r[k] && getOutValid(top.get(), k))) continue;
      if (outBeat[k] < outTotal[k]) {
        int64_t f = outBeat[k] / OUT_BEATS[k], b = outBeat[k] % OUT_BEATS[k];
        bool lastBeat = b == OUT_BEATS[k] - 1;
        if (getOutLast(top.get(), k) != lastBeat) ++tlastErrors;
        getOutData(top.get(), k, ow.data());
        std::vector<int64_t> &vals = pending[f];
        if (vals.empty()) vals.assign((size_t)frameWords, 0);
        for (int e = 0; e < OUT_LANES[k]; ++e)
          vals[(size_t)(outOff[k] + b * OUT_LANES[k] + e)] = signExtend(
              getBits(ow.data(), (int64_t)e * OUT_BITS[k], OUT_BITS[k]), OUT_BITS[k]);
        if (firstOut[f] < 0) firstOut[f] = cycle;
        if (lastBeat && ++outsDone[f] == NOUT) {
          std::fprintf(out, "f %lld %lld %lld %lld %lld", (long long)f,
                       (long long)firstIn[f], (long long)lastIn[f],
                       (long long)firstOut[f], (long long)cycle);
          for (int64_t x : vals) std::fprintf(out, " %lld", (long long)x);
          std::fputc('\n', out);
          pending.erase(f);
        }
      } else {
        ++extra;
      }
      ++outBeat[k];
      ++outBeatAll;
      lastProgress = cycle;
    }
    if (wv && getWtReady(top.get())) {
      if (wtPos == 0) wtStart = cycle;
      if (++wtPos == WT_WORDS) {
        std::fprintf(out, "w %lld %lld %lld\n", (long long)img, (long long)wtStart,
                     (long long)cycle);
        ++img;
        wtPos = 0;
      }
      lastProgress = cycle;
    }
    for (int k = 0; k < NIN; ++k) {
      if (!(v[k] && getInReady(top.get(), k))) continue;
      int64_t f = inBeat[k] / IN_BEATS[k], b = inBeat[k] % IN_BEATS[k];
      if (b == 0 && firstIn[f] < 0) firstIn[f] = cycle;
      if (b == IN_BEATS[k] - 1) lastIn[f] = cycle;
      ++inBeat[k];
      ++inBeatAll;
      offered[k] = false;
    }
    top->clk = 1;
    evalClock.resume();
    top->eval();
    evalClock.end();
    LOOM_DUMP(simTime); ++simTime;
    if (tailEnd < 0 && outBeatAll >= outTotalAll) tailEnd = cycle + kTailCycles;
    if (tailEnd >= 0 && cycle >= tailEnd) {
      std::fprintf(out, "ok %lld %lld %lld %lld\n", (long long)(cycle + 1),
                   (long long)tlastErrors, (long long)extra,
                   (long long)(inTotalAll - inBeatAll));
      break;
    }
    if (tailEnd < 0 && cycle - lastProgress >= watchdog) {
      // Name the stuck actor: the handshake wires of the top, through VPI.
      for (int i = 0; i < NPROBES; ++i) {
        std::string n = std::string("TOP.") + TOP_NAME + "." + PROBES[i];
        vpiHandle h = vpi_handle_by_name((PLI_BYTE8 *)n.c_str(), nullptr);
        if (!h) continue;
        s_vpi_value pv;
        pv.format = vpiIntVal;
        vpi_get_value(h, &pv);
        std::fprintf(out, "probe %s %d\n", PROBES[i], (int)pv.value.integer);
      }
      bool anyReady = false, anyValid = false;
      for (int k = 0; k < NIN; ++k) anyReady = anyReady || getInReady(top.get(), k);
      for (int k = 0; k < NOUT; ++k) anyValid = anyValid || getOutValid(top.get(), k);
      std::fprintf(out, "deadlock %lld %lld %lld %lld %lld %lld %d %d\n",
                   (long long)cycle, (long long)inBeatAll, (long long)inTotalAll,
                   (long long)outBeatAll, (long long)outTotalAll,
                   (long long)(cycle - lastProgress), (int)anyReady, (int)anyValid);
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
  stats.evalSeconds = evalClock.estimate(stats.cycles);
  top->final();
#if VM_TRACE
  if (tfp) tfp->close();
#endif
#undef LOOM_DUMP
  std::fflush(out);
  return stats;
}

// Greedy decoding (loom generate): one frame is a sequence of `rows` rows; input 0
// carries one token id per row (one beat of one lane), output 0 a row of logits.
// Rows 0..prompt-1 come from the input file, back to back; after the last beat of
// row r >= prompt-1 the argmax of its words (ties: the lowest index) is the next
// token, written into row r+1 and offered from the next cycle. Stops when row
// fed-1 has left the output. Records: "r <row> <first in> <last out> <words...>",
// "t <i> <token>".
static PassStats runGenerate(int64_t rows, int64_t prompt, int64_t fed, int64_t watchdog,
                             std::vector<std::vector<uint32_t>> &inWords, FILE *out) {
  PassStats stats;
  std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
  std::unique_ptr<Vloom_top> top(new Vloom_top(ctx.get(), "TOP"));
  const int64_t inRow = IN_BEATS[0] / rows, outRow = OUT_BEATS[0] / rows;
  const int64_t inStride = wordsOf(IN_LANES[0], IN_BITS[0]);
  std::fprintf(out, "pass generate 1\n");
  std::vector<uint32_t> zeros((size_t)inStride, 0u), ow((size_t)wordsOf(OUT_LANES[0], OUT_BITS[0]), 0u);
  top->clk = 0;
  setReset(top.get(), true);
  setInValid(top.get(), 0, false);
  setInLast(top.get(), 0, false);
  setInData(top.get(), 0, zeros.data());
  setOutReady(top.get(), 0, false);
  top->eval();  // the initial blocks, untimed (as in runPass)
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    top->clk = 0; top->eval();
    top->clk = 1; top->eval();
  }
  setReset(top.get(), false);
  // A --runtime-weights design: its image, a word a cycle, before the prompt.
  setWt(top.get(), false, 0u);
  for (int64_t w = 0; !gWtImages.empty() && w < WT_WORDS;) {
    setWt(top.get(), true, gWtImages[0][(size_t)w]);
    top->clk = 0; top->eval();
    bool taken = getWtReady(top.get());
    top->clk = 1; top->eval();
    w += taken;
  }
  setWt(top.get(), false, 0u);
  int64_t inBeat = 0, outBeat = 0, open = prompt, lastProgress = 0, tokens = 0, cycle = 0;
  std::vector<int64_t> firstIn((size_t)fed, -1), row;
  EvalClock evalClock;
  for (;; ++cycle) {
    bool v = inBeat < open * inRow;
    setInValid(top.get(), 0, v);
    if (v) setInData(top.get(), 0, &inWords[0][(size_t)(inBeat * inStride)]);
    setInLast(top.get(), 0, v && (inBeat + 1) % IN_BEATS[0] == 0);
    setOutReady(top.get(), 0, true);
    top->clk = 0;
    evalClock.begin(cycle);
    top->eval();
    evalClock.pause();
    bool rowDone = false;
    if (getOutValid(top.get(), 0)) {
      getOutData(top.get(), 0, ow.data());
      for (int e = 0; e < OUT_LANES[0]; ++e)
        row.push_back(signExtend(getBits(ow.data(), (int64_t)e * OUT_BITS[0], OUT_BITS[0]),
                                 OUT_BITS[0]));
      ++outBeat;
      lastProgress = cycle;
      rowDone = outBeat % outRow == 0;
    }
    if (v && getInReady(top.get(), 0)) {
      if (firstIn[(size_t)(inBeat / inRow)] < 0) firstIn[(size_t)(inBeat / inRow)] = cycle;
      ++inBeat;
    }
    top->clk = 1;
    evalClock.resume();
    top->eval();
    evalClock.end();
    if (rowDone) {
      int64_t r = outBeat / outRow - 1;
      std::fprintf(out, "r %lld %lld %lld", (long long)r, (long long)firstIn[(size_t)r],
                   (long long)cycle);
      size_t best = 0;
      for (size_t i = 0; i < row.size(); ++i) {
        std::fprintf(out, " %lld", (long long)row[i]);
        if (row[i] > row[best]) best = i;
      }
      std::fputc('\n', out);
      row.clear();
      if (r >= prompt - 1) {
        std::fprintf(out, "t %lld %lld\n", (long long)tokens++, (long long)best);
        if (r + 1 >= fed) break;
        // The token is row r+1's id: lane 0 of its first beat.
        putBits(&inWords[0][(size_t)((r + 1) * inRow * inStride)], 0, IN_BITS[0], (uint64_t)best);
        open = r + 2;
      }
    }
    if (cycle - lastProgress >= watchdog) {
      std::fprintf(out, "deadlock %lld %lld %lld %lld %lld %lld 0 0\n", (long long)cycle,
                   (long long)inBeat, (long long)(fed * inRow), (long long)outBeat,
                   (long long)(fed * outRow), (long long)(cycle - lastProgress));
      break;
    }
  }
  stats.cycles = cycle + 1;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stats.evalSeconds = evalClock.estimate(stats.cycles);
  top->final();
  std::fflush(out);
  return stats;
}

static int usage(const char *msg) {
  std::fprintf(stderr, "loom_sim: %s\nusage: loom_sim --cwd DIR --in FILE --out FILE "
               "[--backpressure P] [--seed S] [--watchdog CYCLES] [--trace FILE] "
               "[--generate ROWS PROMPT FED] [--weights FILE]\n", msg);
  return 2;
}

int main(int argc, char **argv) {
  const char *cwd = nullptr, *inPath = nullptr, *outPath = nullptr, *trace = nullptr;
  const char *wtPath = nullptr;
  double p = 0;
  uint64_t seed = 1;
  int64_t watchdog = 100000, genRows = 0, genPrompt = 0, genFed = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--generate") {
      if (i + 3 >= argc) return usage("--generate needs ROWS PROMPT FED");
      genRows = std::strtoll(argv[i + 1], nullptr, 10);
      genPrompt = std::strtoll(argv[i + 2], nullptr, 10);
      genFed = std::strtoll(argv[i + 3], nullptr, 10);
      i += 3;
      continue;
    }
    if (i + 1 >= argc) return usage(("missing value after " + a).c_str());
    const char *val = argv[++i];
    if (a == "--cwd") cwd = val;
    else if (a == "--in") inPath = val;
    else if (a == "--out") outPath = val;
    else if (a == "--trace") trace = val;
    else if (a == "--weights") wtPath = val;
    else if (a == "--backpressure") p = std::strtod(val, nullptr);
    else if (a == "--seed") seed = std::strtoull(val, nullptr, 10);
    else if (a == "--watchdog") watchdog = std::strtoll(val, nullptr, 10);
    else return usage(("unknown option " + a).c_str());
  }
  if (!inPath || !outPath) return usage("--in and --out are required");
  if ((WT_WORDS > 0) != (wtPath != nullptr))
    return usage(WT_WORDS > 0 ? "this design loads its weights at run time: --weights FILE"
                              : "--weights: this design has no weight-load port");
  if (wtPath) {
    // "LOOMWT1\0", int64 images, int64 words, per image int64 first frame, the words.
    FILE *wf = std::fopen(wtPath, "rb");
    char wm[8];
    int64_t wh[2];
    if (!wf || std::fread(wm, 1, 8, wf) != 8 || std::memcmp(wm, "LOOMWT1", 8) != 0 ||
        std::fread(wh, sizeof(int64_t), 2, wf) != 2 || wh[0] < 1 || wh[1] != WT_WORDS) {
      std::fprintf(stderr, "loom_sim: %s is not a weight file of this design (%lld words)\n",
                   wtPath, (long long)WT_WORDS);
      return 2;
    }
    gWtFirst.assign((size_t)wh[0], 0);
    gWtImages.assign((size_t)wh[0], std::vector<uint32_t>((size_t)WT_WORDS));
    bool okW = std::fread(gWtFirst.data(), sizeof(int64_t), gWtFirst.size(), wf) ==
               gWtFirst.size();
    for (auto &im : gWtImages)
      okW = okW && std::fread(im.data(), sizeof(uint32_t), im.size(), wf) == im.size();
    std::fclose(wf);
    if (!okW) { std::fprintf(stderr, "loom_sim: %s is truncated\n", wtPath); return 2; }
  }
  FILE *in = std::fopen(inPath, "rb");
  if (!in) { std::fprintf(stderr, "loom_sim: cannot open %s\n", inPath); return 2; }
  char magic[8];
  int64_t hdr[2];
  if (std::fread(magic, 1, 8, in) != 8 || std::memcmp(magic, "LOOMIN2", 8) != 0 ||
      std::fread(hdr, sizeof(int64_t), 2, in) != 2) {
    std::fprintf(stderr, "loom_sim: %s is not a Loom input file\n", inPath);
    return 2;
  }
  int64_t frames = hdr[0];
  bool shapeOk = frames >= 1 && hdr[1] == NIN;
  for (int k = 0; shapeOk && k < NIN; ++k) {
    int64_t geo[2];
    shapeOk = std::fread(geo, sizeof(int64_t), 2, in) == 2 && geo[0] == IN_BEATS[k] &&
              geo[1] == IN_LANES[k];
  }
  if (!shapeOk) {
    std::fprintf(stderr, "loom_sim: %s does not hold frames of this design's %d input "
                 "stream(s) (beats and lanes per input)\n", inPath, NIN);
    return 2;
  }
  std::vector<std::vector<uint32_t>> inWords((size_t)NIN);
  for (int k = 0; k < NIN; ++k)
    inWords[k].assign((size_t)(frames * IN_BEATS[k] * wordsOf(IN_LANES[k], IN_BITS[k])), 0u);
  std::vector<int64_t> beat;
  for (int64_t f = 0; f < frames; ++f)
    for (int k = 0; k < NIN; ++k)
      for (int64_t b = 0; b < IN_BEATS[k]; ++b) {
        beat.assign((size_t)IN_LANES[k], 0);
        if (std::fread(beat.data(), sizeof(int64_t), beat.size(), in) != beat.size()) {
          std::fprintf(stderr, "loom_sim: %s is truncated\n", inPath);
          return 2;
        }
        uint32_t *w = &inWords[k][(size_t)((f * IN_BEATS[k] + b) *
                                           wordsOf(IN_LANES[k], IN_BITS[k]))];
        for (int e = 0; e < IN_LANES[k]; ++e)
          putBits(w, (int64_t)e * IN_BITS[k], IN_BITS[k], (uint64_t)beat[(size_t)e]);
      }
  std::fclose(in);
  FILE *out = std::fopen(outPath, "w");
  if (!out) { std::fprintf(stderr, "loom_sim: cannot write %s\n", outPath); return 2; }
  if (cwd && chdir(cwd) != 0) {
    std::fprintf(stderr, "loom_sim: cannot chdir to %s\n", cwd);
    return 2;
  }
  if (genRows > 0) {
    if (NIN != 1 || NOUT != 1 || frames != 1 || IN_BEATS[0] % genRows || OUT_BEATS[0] % genRows ||
        genPrompt < 1 || genFed < genPrompt || genFed > genRows) {
      std::fprintf(stderr, "loom_sim: --generate needs one input and one output, one frame "
                   "and rows dividing both streams\n");
      return 2;
    }
    PassStats g = runGenerate(genRows, genPrompt, genFed, watchdog, inWords, out);
    std::fprintf(out, "time %.9f %lld %.9f\n", g.seconds, (long long)g.cycles, g.evalSeconds);
    std::fclose(out);
    return 0;
  }
  PassStats clean = runPass("clean", false, 0, seed, watchdog, inWords, frames, out, trace);
  int64_t cycles = clean.cycles;
  double seconds = clean.seconds, evalSeconds = clean.evalSeconds;
  if (p > 0) {
    PassStats rnd = runPass("random", true, p, seed, watchdog, inWords, frames, out, nullptr);
    cycles += rnd.cycles;
    seconds += rnd.seconds;
    evalSeconds += rnd.evalSeconds;
  }
  std::fprintf(out, "time %.9f %lld %.9f\n", seconds, (long long)cycles, evalSeconds);
  std::fclose(out);
  return 0;
}
)HARNESS";

} // namespace

std::string generateHarness(const SimSpec &spec) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "// Generated by Loom (compiler/sim/Harness.cpp). Do not edit.\n"
     << "// Top module: " << spec.topName << "\n";
  for (const auto *ports : {&spec.inputs, &spec.outputs})
    for (const StreamPort &p : *ports)
      os << "// " << p.port << "_tdata: " << p.lanes << " x " << p.bits << " bits, "
         << p.beatsPerFrame << " beats/frame\n";
  os << "#include \"Vloom_top.h\"\n"
     << "#include \"verilated.h\"\n"
     << "#include \"verilated_vpi.h\"\n"
     << "#if VM_TRACE\n#include \"verilated_fst_c.h\"\n#endif\n"
     << "#include <chrono>\n#include <cstdint>\n#include <cstdio>\n"
     << "#include <cstdlib>\n#include <cstring>\n#include <map>\n#include <memory>\n"
     << "#include <string>\n#include <vector>\n#include <unistd.h>\n\n";
  auto table = [&](const char *type, const char *name, const std::vector<StreamPort> &ports,
                   auto field) {
    os << "static const " << type << " " << name << "[] = {";
    for (size_t k = 0; k < ports.size(); ++k)
      os << (k ? ", " : "") << field(ports[k]);
    os << "};\n";
  };
  os << "static const int NIN = " << spec.inputs.size() << ";\n"
     << "static const int NOUT = " << spec.outputs.size() << ";\n";
  table("int", "IN_LANES", spec.inputs, [](const StreamPort &p) { return int64_t(p.lanes); });
  table("int", "IN_BITS", spec.inputs, [](const StreamPort &p) { return int64_t(p.bits); });
  table("int64_t", "IN_BEATS", spec.inputs, [](const StreamPort &p) { return p.beatsPerFrame; });
  table("int", "OUT_LANES", spec.outputs, [](const StreamPort &p) { return int64_t(p.lanes); });
  table("int", "OUT_BITS", spec.outputs, [](const StreamPort &p) { return int64_t(p.bits); });
  table("int64_t", "OUT_BEATS", spec.outputs,
        [](const StreamPort &p) { return p.beatsPerFrame; });
  os << "static const char *const TOP_NAME = \"" << spec.topName << "\";\n"
     << "static const char *const PROBES[] = {";
  for (const std::string &p : spec.probeSignals)
    os << "\"" << p << "\", ";
  os << "nullptr};\n"
     << "static const int NPROBES = " << spec.probeSignals.size() << ";\n\n";
  os << "static inline void setReset(Vloom_top *top, bool on) { "
     << (spec.resetActiveLow ? "top->aresetn = !on;" : "top->rst = on;") << " }\n";
  // The weight-load port (run-time weights) or stubs.
  os << "static const int64_t WT_WORDS = " << spec.weightWords << ";\n";
  if (spec.weightWords > 0)
    os << "static inline void setWt(Vloom_top *top, bool v, uint32_t d) {\n"
       << "  top->s_axis_wt_tvalid = v;\n  top->s_axis_wt_tdata = d;\n}\n"
       << "static inline bool getWtReady(Vloom_top *top) { return top->s_axis_wt_tready; }\n\n";
  else
    os << "static inline void setWt(Vloom_top *, bool, uint32_t) {}\n"
       << "static inline bool getWtReady(Vloom_top *) { return false; }\n\n";
  emitAccessors(os, spec.inputs, true);
  emitAccessors(os, spec.outputs, false);
  os << kHarnessBody;
  os.flush();
  return text;
}

} // namespace sim
} // namespace loom
