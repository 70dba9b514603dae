// Testbench for the stream modules (loom_fifo, loom_skid, loom_tlast_gen): data must
// pass through unchanged under random gaps/backpressure; for fifo/skid the clean-pass
// beat timing must equal the hw_model cycle model exactly; tlast_gen must flag every
// BEATS-th beat.
#include "Vtop.h"
#include "hw_model/Pipeline.h"
#include "tb_common.h"

using namespace tb;

#ifndef P_BEATS
#define P_BEATS 5 // frame length used for timing (fifo/skid)
#endif

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  std::mt19937_64 rng(P_SEED);
  Vtop *top = new Vtop;
  int fails = 0;
  struct Pass {
    int frames;
    double pv, pr;
  };
  const Pass passes[] = {{8, 1.0, 1.0}, {40, 0.5, 0.5}, {40, 0.9, 0.3}, {40, 0.3, 0.9}};
  for (int pi = 0; pi < 4; ++pi) {
    const Pass &ps = passes[pi];
    std::vector<Bits> in;
    for (int i = 0; i < ps.frames * P_BEATS; ++i) {
      Bits b(P_W);
      for (int k = 0; k < P_W; ++k)
        b.set(k, 1, int64_t(rng() & 1));
      in.push_back(b);
    }
#ifdef TB_TLAST
    RunResult r = run<Vtop, HasLast>(top, in, P_W, in.size(), ps.pv, ps.pr, P_SEED + pi);
    for (size_t i = 0; i < r.outLast.size(); ++i)
      if (r.outLast[i] != int((i + 1) % P_BEATS == 0)) {
        std::printf("tlast wrong at beat %zu\n", i);
        ++fails;
        break;
      }
#else
    RunResult r = run(top, in, P_W, in.size(), ps.pv, ps.pr, P_SEED + pi);
#endif
    if (r.timeout) {
      std::printf("timeout\n");
      return 1;
    }
    fails += compareBeats(r.out, in, "stream");
#if defined(TB_FIFO) || defined(TB_SKID)
    if (pi == 0) {
#ifdef TB_FIFO
      loom::hw::ActorConfig c = loom::hw::FifoConfig{P_W, P_DEPTH, P_BEATS};
#else
      loom::hw::ActorConfig c = loom::hw::SkidConfig{P_W, P_BEATS};
#endif
      std::vector<int64_t> mOut, mIn;
      loom::hw::PipelineTiming m = loom::hw::predictTiming({{c, ""}}, ps.frames, &mOut, &mIn);
      Timing t = measure(r, P_BEATS, P_BEATS, ps.frames);
      std::printf("rtl latency %lld ii %lld | model latency %lld ii %lld\n", (long long)t.latency,
                  (long long)t.ii, (long long)m.latency_cycles, (long long)m.ii_cycles);
      if (!m.ok || mOut != r.outCycles || mIn != r.inCycles) {
        std::printf("TIMING MISMATCH rtl vs hw_model\n");
        ++fails;
      }
    }
#endif
  }
  delete top;
  std::printf("%s\n", fails ? "FAIL" : "PASS");
  return fails ? 1 : 0;
}
