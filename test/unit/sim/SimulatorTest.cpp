//===- SimulatorTest.cpp - tests of compiler/sim ---------------------------===//
// Hand-written tops in sv/ with hand-computed latency/II (see their comments).
#include "compiler/sim/Simulator.h"
#include "compiler/sim/DeadlockProbe.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

using namespace loom::sim;

namespace {

std::string errText(llvm::Error e) { return llvm::toString(std::move(e)); }

SimSpec spec(const std::string &top, int inLanes, int inBits, int outLanes, int outBits,
             int64_t inBeats, int64_t outBeats) {
  SimSpec s;
  s.topName = top;
  s.rtlDir = LOOM_SIM_TEST_SV_DIR;
  s.svFiles = {top + ".sv"};
  s.inputs = {StreamPort{"s_axis", inLanes, inBits, inBeats}};
  s.outputs = {StreamPort{"m_axis", outLanes, outBits, outBeats}};
  return s;
}

SimOptions options(const std::string &name) {
  SimOptions o;
  o.workDir = std::string(LOOM_SIM_TEST_WORK_DIR) + "/" + name;
  return o;
}

// Deterministic pseudo-random value in [-2^(bits-1), 2^(bits-1)).
int64_t pseudo(uint64_t &s, int bits) {
  s = s * 6364136223846793005ull + 1442695040888963407ull;
  uint64_t v = s >> 11;
  int64_t lo = -(int64_t(1) << (bits - 1));
  return lo + int64_t(v % (uint64_t(1) << bits));
}

std::vector<std::vector<int64_t>> randomFrames(int64_t frames, int64_t words, int bits,
                                               uint64_t seed) {
  std::vector<std::vector<int64_t>> f(frames);
  for (auto &fr : f)
    for (int64_t i = 0; i < words; ++i)
      fr.push_back(pseudo(seed, bits));
  return f;
}

} // namespace

// ---------------------------------------------------------------- no Verilator

TEST(Harness, DeterministicAndWidthSpecific) {
  SimSpec narrow = spec("pt3", 2, 8, 2, 8, 4, 4);
  SimSpec wide = spec("wide", 4, 25, 2, 64, 2, 2);
  EXPECT_EQ(generateHarness(narrow), generateHarness(narrow));
  std::string n = generateHarness(narrow), w = generateHarness(wide);
  EXPECT_NE(n.find("top->s_axis_tdata = w[0];"), std::string::npos);
  EXPECT_NE(w.find("for (int i = 0; i < 4; ++i) top->s_axis_tdata[i] = w[i];"), std::string::npos);
  EXPECT_NE(w.find("for (int i = 0; i < 4; ++i) w[i] = top->m_axis_tdata[i];"), std::string::npos);
  SimSpec q = spec("sum4", 1, 6, 1, 40, 4, 1);
  EXPECT_NE(generateHarness(q).find("uint64_t v = top->m_axis_tdata;"), std::string::npos);
}

TEST(DeadlockProbe, ParsesTopAndBlamesTheRefusingActor) {
  const char *top = R"(
  loom_fork #(
    .W(9)
  ) split (
    .clk(clk),
    .in_valid(a_out_valid),
    .out0_ready(b_in_ready),
    .out1_ready(j_in1_ready),
    .in_ready(split_in_ready),
    .out0_valid(split_out0_valid),
    .out1_valid(split_out1_valid)
  );

  loom_add #(
    .LANES(1)
  ) j (
    .in0_valid(b_out_valid),
    .in1_valid(split_out1_valid),
    .out_ready(1'b1),
    .in0_ready(j_in0_ready),
    .in1_ready(j_in1_ready),
    .out_valid(j_out_valid)
  );
)";
  auto inst = parseTopInstances(top);
  ASSERT_EQ(inst.size(), 2u);
  EXPECT_EQ(inst[0].module, "loom_fork");
  EXPECT_EQ(inst[0].name, "split");
  EXPECT_EQ(inst[1].name, "j");
  auto sig = probeSignals(inst);
  // Constants (1'b1) are not probed; each wire once.
  EXPECT_EQ(std::count(sig.begin(), sig.end(), "split_out1_valid"), 1);
  EXPECT_EQ(std::count(sig.begin(), sig.end(), "1'b1"), 0);
  // The join holds skip data it cannot take (in1 offered, not ready), its
  // other input is empty and it has no output: it is the stuck actor. The
  // fork is blocked too but holds output, so it is not blamed.
  std::map<std::string, int> v = {
      {"a_out_valid", 1},    {"b_in_ready", 1},       {"j_in1_ready", 0},
      {"split_in_ready", 0}, {"split_out0_valid", 0}, {"split_out1_valid", 1},
      {"b_out_valid", 0},    {"j_in0_ready", 1},      {"j_out_valid", 0}};
  std::string d = diagnoseDeadlock(inst, v);
  EXPECT_EQ(d, "stuck actor: 'j' (loom_add) refuses offered input on in1 and holds no output "
               "while waiting on in0")
      << d;
  for (auto &kv : v)
    kv.second = 0;
  EXPECT_NE(diagnoseDeadlock(inst, v).find("every stream is idle"), std::string::npos);
}

TEST(Harness, InputValidation) {
  SimSpec s = spec("pt3", 2, 8, 2, 8, 4, 4);
  llvm::SmallString<128> p;
  llvm::sys::fs::createTemporaryFile("loomsim", "bin", p);
  // Wrong frame size.
  std::string e = errText(writeInputFile(p, s, {{1, 2, 3}}));
  EXPECT_NE(e.find("has 3 values, the design takes 8"), std::string::npos) << e;
  // Out of range for 8 bits (-128..255 accepted).
  e = errText(writeInputFile(p, s, {{0, 0, 0, 0, 0, 0, 0, 256}}));
  EXPECT_NE(e.find("does not fit in the 8 bits of s_axis"), std::string::npos) << e;
  EXPECT_FALSE(errText(writeInputFile(p, s, {{-128, 255, 0, 0, 0, 0, 0, 0}})).size());
  // Lanes wider than 64 bits are rejected before Verilator runs.
  SimSpec bad = spec("pt3", 1, 65, 1, 8, 1, 1);
  auto b = buildSimulator(bad, options("invalid"));
  ASSERT_FALSE(b);
  EXPECT_NE(errText(b.takeError()).find("1 <= bits <= 64"), std::string::npos);
  llvm::sys::fs::remove(p);
}

TEST(Harness, SimJsonFields) {
  SimResult r;
  r.latencyCycles = 8;
  r.iiCycles = -1;
  r.buildSeconds = 1.5;
  r.simSeconds = 0.25;
  r.cyclesPerSecond = 1e6;
  llvm::json::Object o = simJson(r, 3, 0, 9, 4);
  for (const char *k :
       {"frames", "mismatches", "latency_cycles", "ii_cycles", "predicted_latency_cycles",
        "predicted_ii_cycles", "build_seconds", "sim_seconds", "cycles_per_second", "cycles",
        "model_eval_seconds", "harness_seconds"})
    EXPECT_TRUE(o.get(k)) << k;
  EXPECT_EQ(*o.getInteger("latency_cycles"), 8);
  EXPECT_EQ(*o.getInteger("predicted_ii_cycles"), 4);
  EXPECT_TRUE(o.get("ii_cycles")->getAsNull().has_value());
  EXPECT_FALSE(o.get("backpressure_mismatches"));

  llvm::SmallString<128> p;
  llvm::sys::fs::createTemporaryFile("loomsim", "json", p);
  ASSERT_FALSE(errText(writeSimJson(p, r, 3, 0, 9, 4)).size());
  auto buf = llvm::MemoryBuffer::getFile(p);
  ASSERT_TRUE(bool(buf));
  auto v = llvm::json::parse((*buf)->getBuffer());
  ASSERT_TRUE(bool(v));
  EXPECT_EQ(*v->getAsObject()->getInteger("frames"), 3);
  llvm::sys::fs::remove(p);
}

// ---------------------------------------------------------------- Verilator

// Passthrough, SData ports: exact outputs, latency 8, II 4, tlast, the
// backpressure pass equal to the clean one, and reuse of the build.
TEST(Verilator, PassthroughPipeline) {
  SimSpec s = spec("pt3", 2, 8, 2, 8, 4, 4);
  auto in = randomFrames(10, 8, 8, 7);
  in[0] = {-128, 127, -1, 0, 1, -2, 100, -100};
  SimOptions o = options("pt3");
  o.backpressure = 0.3;
  o.seed = 5;
  auto r = runSimulation(s, in, o);
  ASSERT_TRUE(bool(r)) << errText(r.takeError());
  EXPECT_FALSE(r->deadlock) << r->deadlockMessage;
  EXPECT_EQ(r->outputs, in);
  EXPECT_EQ(r->latencyCycles, 8);
  EXPECT_EQ(r->iiCycles, 4);
  for (int f = 0; f < 10; ++f) {
    EXPECT_EQ(r->firstInCycle[f], 4 * f);
    EXPECT_EQ(r->lastOutCycle[f], 4 * f + 7);
  }
  EXPECT_EQ(r->tlastErrors, 0);
  EXPECT_EQ(r->extraOutputBeats, 0);
  EXPECT_EQ(r->inputBeatsLeft, 0);
  EXPECT_TRUE(r->randomPassRun);
  EXPECT_EQ(r->randomOutputs, in);
  EXPECT_EQ(r->passMismatchCount, 0);
  EXPECT_GT(r->cyclesPerSecond, 0);
  EXPECT_GT(r->totalCycles, r->cleanCycles); // the random pass ran longer
  // The model's share is sampled (one cycle in 16), so only its bounds are exact.
  EXPECT_GT(r->modelSeconds, 0);
  EXPECT_LE(r->modelSeconds, r->loopSeconds);
  EXPECT_NEAR(r->cyclesPerSecond, double(r->totalCycles) / r->loopSeconds, 1e-6 * r->cyclesPerSecond);
  llvm::outs() << "pt3: build " << r->buildSeconds << " s, sim " << r->simSeconds << " s, "
               << r->cyclesPerSecond << " cycles/s\n";

  // Same sources and harness: the build is reused, with other inputs.
  auto in2 = randomFrames(3, 8, 8, 99);
  o.backpressure = 0;
  auto b = buildSimulator(s, o);
  ASSERT_TRUE(bool(b)) << errText(b.takeError());
  EXPECT_FALSE(b->rebuilt);
  auto r2 = runBuiltSimulator(s, *b, in2, o);
  ASSERT_TRUE(bool(r2)) << errText(r2.takeError());
  EXPECT_EQ(r2->buildSeconds, 0);
  EXPECT_EQ(r2->outputs, in2);
  EXPECT_FALSE(r2->randomPassRun);
  EXPECT_EQ(r2->latencyCycles, 8);
  EXPECT_EQ(r2->iiCycles, 4);

  // One frame: latency measured, no II.
  auto r3 = runBuiltSimulator(s, *b, {in2[0]}, o);
  ASSERT_TRUE(bool(r3)) << errText(r3.takeError());
  EXPECT_EQ(r3->latencyCycles, 8);
  EXPECT_EQ(r3->iiCycles, -1);

  // sim.json from a real run.
  std::string json = o.workDir + "/sim.json";
  ASSERT_FALSE(errText(writeSimJson(json, *r, 10, 0, 8, 4)).size());
}

// 4-beat frame sum, CData in / QData out: latency 5, II 5 (measured on
// frames 6->7 of 12), sign extension of a 40-bit result.
TEST(Verilator, FrameSum) {
  SimSpec s = spec("sum4", 1, 6, 1, 40, 4, 1);
  auto in = randomFrames(12, 4, 6, 3);
  in[1] = {-32, -32, -32, -32};
  in[2] = {31, 31, 31, 31};
  SimOptions o = options("sum4");
  o.backpressure = 0.5;
  auto r = runSimulation(s, in, o);
  ASSERT_TRUE(bool(r)) << errText(r.takeError());
  EXPECT_FALSE(r->deadlock) << r->deadlockMessage;
  ASSERT_EQ(r->outputs.size(), 12u);
  for (int f = 0; f < 12; ++f) {
    int64_t sum = in[f][0] + in[f][1] + in[f][2] + in[f][3];
    EXPECT_EQ(r->outputs[f], std::vector<int64_t>{sum * (int64_t(1) << 30) + f}) << "frame " << f;
    EXPECT_EQ(r->lastOutCycle[f], 5 * f + 4);
  }
  EXPECT_EQ(r->outputs[1][0], -128 * (int64_t(1) << 30) + 1);
  EXPECT_EQ(r->latencyCycles, 5);
  EXPECT_EQ(r->iiCycles, 5);
  EXPECT_EQ(r->tlastErrors, 0);
  EXPECT_EQ(r->passMismatchCount, 0);
  EXPECT_EQ(r->randomOutputs, r->outputs);
}

// Two input and two output streams (named ports), each input offered on its
// own and each output drained on its own under backpressure: a frame's words
// are a's then b's, its outputs sum's then diff's.
TEST(Verilator, TwoInputsTwoOutputs) {
  SimSpec s;
  s.topName = "join2";
  s.rtlDir = LOOM_SIM_TEST_SV_DIR;
  s.svFiles = {"join2.sv"};
  s.inputs = {StreamPort{"s_axis_a", 1, 8, 4}, StreamPort{"s_axis_b", 1, 8, 4}};
  s.outputs = {StreamPort{"m_axis_sum", 1, 9, 4}, StreamPort{"m_axis_diff", 1, 9, 4}};
  auto in = randomFrames(10, 8, 8, 21);
  in[0] = {-128, 127, -1, 0, -128, 127, 1, 0};
  SimOptions o = options("join2");
  o.backpressure = 0.4;
  auto r = runSimulation(s, in, o);
  ASSERT_TRUE(bool(r)) << errText(r.takeError());
  EXPECT_FALSE(r->deadlock) << r->deadlockMessage;
  ASSERT_EQ(r->outputs.size(), 10u);
  for (int f = 0; f < 10; ++f) {
    std::vector<int64_t> want(8);
    for (int b = 0; b < 4; ++b) {
      want[b] = in[f][b] + in[f][4 + b];
      want[4 + b] = in[f][b] - in[f][4 + b];
    }
    EXPECT_EQ(r->outputs[f], want) << "frame " << f;
  }
  EXPECT_EQ(r->outputs[0][0], -256);
  EXPECT_EQ(r->latencyCycles, 5);
  EXPECT_EQ(r->iiCycles, 4);
  EXPECT_EQ(r->tlastErrors, 0);
  EXPECT_EQ(r->passMismatchCount, 0);
  EXPECT_EQ(r->randomOutputs, r->outputs);
  // An input frame must hold both inputs' words.
  std::string e = errText(runSimulation(s, {{1, 2, 3, 4}}, o).takeError());
  EXPECT_NE(e.find("has 4 values, the design takes 8"), std::string::npos) << e;
}

// 100-bit input / 128-bit output (VlWide), lanes crossing 32-bit words,
// full 64-bit output lanes: latency 3, II 2.
TEST(Verilator, WideLanes) {
  SimSpec s = spec("wide", 4, 25, 2, 64, 2, 2);
  auto in = randomFrames(5, 8, 25, 11);
  in[0] = {-(1 << 24), -(1 << 24), (1 << 24) - 1, -(1 << 24), -1, 1, 12345, -7};
  SimOptions o = options("wide");
  o.backpressure = 0.25;
  o.seed = 123;
  auto r = runSimulation(s, in, o);
  ASSERT_TRUE(bool(r)) << errText(r.takeError());
  EXPECT_FALSE(r->deadlock) << r->deadlockMessage;
  ASSERT_EQ(r->outputs.size(), 5u);
  for (int f = 0; f < 5; ++f)
    for (int b = 0; b < 2; ++b) {
      const int64_t *x = &in[f][4 * b];
      EXPECT_EQ(r->outputs[f][2 * b], x[0] * x[1]) << f << "/" << b;
      EXPECT_EQ(r->outputs[f][2 * b + 1], x[2] * (int64_t(1) << 38) + x[3]) << f << "/" << b;
    }
  EXPECT_EQ(r->outputs[0][0], int64_t(1) << 48);
  EXPECT_EQ(r->latencyCycles, 3);
  EXPECT_EQ(r->iiCycles, 2);
  EXPECT_EQ(r->tlastErrors, 0);
  EXPECT_EQ(r->passMismatchCount, 0);
}

// A design that stops taking input: the watchdog reports it, no hang.
TEST(Verilator, DeadlockReported) {
  SimSpec s = spec("dead", 1, 8, 1, 8, 4, 1);
  SimOptions o = options("dead");
  o.watchdogCycles = 500;
  auto r = runSimulation(s, {{1, 2, 3, 4}, {5, 6, 7, 8}}, o);
  ASSERT_TRUE(bool(r)) << errText(r.takeError());
  EXPECT_TRUE(r->deadlock);
  EXPECT_TRUE(r->outputs.empty());
  EXPECT_EQ(r->latencyCycles, -1);
  EXPECT_NE(r->deadlockMessage.find("clean pass"), std::string::npos) << r->deadlockMessage;
  EXPECT_NE(r->deadlockMessage.find("at cycle 500"), std::string::npos) << r->deadlockMessage;
  EXPECT_NE(r->deadlockMessage.find("input beats transferred 3 of 8"), std::string::npos)
      << r->deadlockMessage;
  EXPECT_NE(r->deadlockMessage.find("output beats 0 of 2"), std::string::npos)
      << r->deadlockMessage;
  llvm::json::Object j = simJson(*r, 2, 0, -1, -1);
  EXPECT_EQ(*j.getBoolean("deadlock"), true);
}

// The watchdog names the actor that refuses offered input while holding no
// output (sv/stuckpair.sv: 'second'), read through the VPI probes.
TEST(Verilator, DeadlockNamesStuckActor) {
  SimSpec s = spec("stuckpair", 1, 8, 1, 8, 2, 1);
  SimOptions o = options("stuckpair");
  o.watchdogCycles = 300;
  auto r = runSimulation(s, {{1, 2}, {3, 4}}, o);
  ASSERT_TRUE(bool(r)) << errText(r.takeError());
  EXPECT_TRUE(r->deadlock);
  EXPECT_NE(r->deadlockMessage.find(
                "stuck actor: 'second' (loom_t_stuck) refuses offered input on in and holds no "
                "output"),
            std::string::npos)
      << r->deadlockMessage;
}

// A design that corrupts data only under backpressure: clean pass right,
// randomized pass reported as word mismatches.
TEST(Verilator, BackpressureMismatchReported) {
  SimSpec s = spec("stallbug", 1, 16, 1, 16, 1, 1);
  auto in = randomFrames(200, 1, 16, 5);
  SimOptions o = options("stallbug");
  o.backpressure = 0.5;
  auto r = runSimulation(s, in, o);
  ASSERT_TRUE(bool(r)) << errText(r.takeError());
  EXPECT_FALSE(r->deadlock) << r->deadlockMessage;
  EXPECT_EQ(r->outputs, in);
  EXPECT_GT(r->passMismatchCount, 0);
  ASSERT_FALSE(r->passMismatches.empty());
  const PassMismatch &m = r->passMismatches[0];
  EXPECT_EQ(m.clean, in[m.frame][0]);
  EXPECT_NE(m.random, m.clean);
  EXPECT_EQ(*simJson(*r, 200, 0, 2, 1).getInteger("backpressure_mismatches"), r->passMismatchCount);
}

// A Verilator syntax error becomes one clean llvm::Error with the log path.
TEST(Verilator, SyntaxErrorReported) {
  SimSpec s = spec("broken", 1, 8, 1, 8, 1, 1);
  auto r = runSimulation(s, {{1}}, options("broken"));
  ASSERT_FALSE(bool(r));
  std::string e = errText(r.takeError());
  EXPECT_NE(e.find("Verilator build of top 'broken' failed: %Error"), std::string::npos) << e;
  EXPECT_NE(e.find("broken.sv"), std::string::npos) << e;
  EXPECT_NE(e.find("build.log"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

// --trace builds with --trace-fst (a separate build, the hash differs) and
// dumps the clean pass to workDir/trace.fst.
TEST(Verilator, TraceWritesFst) {
  SimSpec s = spec("sum4", 1, 6, 1, 40, 4, 1);
  SimOptions o = options("sum4-trace");
  o.trace = true;
  auto r = runSimulation(s, {{1, 2, 3, 4}, {-1, -2, -3, -4}}, o);
  ASSERT_TRUE(bool(r)) << errText(r.takeError());
  EXPECT_EQ(r->outputs,
            (std::vector<std::vector<int64_t>>{{10ll * (1ll << 30)}, {-10ll * (1ll << 30) + 1}}));
  EXPECT_EQ(r->latencyCycles, 5);
  EXPECT_EQ(r->iiCycles, 5);
  uint64_t size = 0;
  ASSERT_FALSE(llvm::sys::fs::file_size(o.workDir + "/trace.fst", size));
  EXPECT_GT(size, 100u);
}
