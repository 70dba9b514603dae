// Testbench for loom_stream_check itself: the assertions must fire on a broken stream,
// not only stay quiet on good ones. Mode (argv[1]):
//   ok      a beat held three cycles without ready, then taken: no assertion;
//   change  its data change on the third waiting cycle (after the first-cycle copy):
//           DataStable fires;
//   drop    valid falls before ready: ValidHeld fires.
// Assertions are counted rather than fatal (Verilator's error limit raised), so the bench
// exits 1 when any fired and 0 otherwise; the broken modes' ctest entries match the
// assertion's name in the output.
#include "Vtop.h"
#include "verilated.h"

#include <cstdio>
#include <cstring>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "ok";
  if (std::strcmp(mode, "ok") && std::strcmp(mode, "change") && std::strcmp(mode, "drop")) {
    std::printf("tb_stream_check: mode must be ok, change or drop, got %s\n", mode);
    return 2;
  }
  Verilated::commandArgs(argc, argv);
  Verilated::threadContextp()->errorLimit(1000); // count them; $stop only past the limit
  Vtop *top = new Vtop;
  auto tick = [&] {
    top->clk = 0;
    top->eval();
    top->clk = 1;
    top->eval();
  };
  top->rst = 1;
  top->valid = 0;
  top->ready = 0;
  top->data = 0;
  tick();
  tick();
  top->rst = 0;
  top->valid = 1;
  top->data = 0x5a;
  tick(); // offered, not taken: the checker copies the beat
  tick(); // still waiting, same beat
  if (!std::strcmp(mode, "change"))
    top->data = 0x5b;
  if (!std::strcmp(mode, "drop"))
    top->valid = 0;
  tick();
  top->ready = 1;
  tick(); // taken
  top->valid = 0;
  tick();
  tick();
  int fired = Verilated::threadContextp()->errorCount();
  std::printf("tb_stream_check %s: %d assertion(s) fired\n", mode, fired);
  delete top;
  return fired ? 1 : 0;
}
