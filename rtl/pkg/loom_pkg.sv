// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_pkg: codes and constants shared by the Loom RTL library (docs/CONTRACTS.md).
// Every file list (rtl/CMakeLists.txt, report.json sv_files, the Verilator and Yosys
// invocations) puts this file first. Users name members as loom_pkg::NAME: Yosys 0.23
// rejects `import loom_pkg::*`.
package loom_pkg;
  // A design uses some of these codes only.
  /* verilator lint_off UNUSEDPARAM */
  // Activation of loom_mvu / loom_dwu (parameter ACT); the compiler emits the same
  // numbers (passes/DFCost.cpp activationCode, hw_model Configs ACT).
  localparam int ACT_NONE  = 0;
  localparam int ACT_RELU  = 1;
  localparam int ACT_TABLE = 2;  // T_DEPTH-entry lookup table (T_FILE)
  localparam int ACT_CLIP  = 3;  // clamp to [T_MIN, T_MAX]
  localparam int ACT_LEAKY = 4;  // LeakyRelu (LEAKY_A) or PRelu (W_LA-bit slopes)
  localparam int ACT_SIGN  = 5;  // bipolar +1 / -1

  // Rounding of loom_pool MODE 1 (parameter RND), numerics::Rounding order.
  localparam int RND_HALF_EVEN = 0;
  localparam int RND_HALF_UP   = 1;  // ties away from zero
  localparam int RND_HALF_DOWN = 2;  // ties towards zero
  localparam int RND_FLOOR     = 3;
  localparam int RND_CEIL      = 4;
  localparam int RND_TO_ZERO   = 5;

  // loom_pool MODE.
  localparam int POOL_MAX = 0;
  localparam int POOL_AVG = 1;

  // loom_add MODE.
  localparam int ADD_SUM    = 0;  // saturate(a + b)
  localparam int ADD_MUL    = 1;  // saturate(shift_round_even(a * b, F))
  localparam int ADD_SCALED = 2;  // saturate(shift_round_even(a * MA + b * MB, S))

  // LeakyRelu / PRelu slope scale: y < 0 -> sat(shift_round_even(y * A, LEAKY_SHIFT)).
  localparam int LEAKY_SHIFT = 15;

  // Output FIFO depth of loom_mvu / loom_dwu (credits; hw_model MvuModel uses the same).
  localparam int MVU_OUT_DEPTH = 8;
  /* verilator lint_on UNUSEDPARAM */

`ifdef LOOM_SIM_DPI
  // Simulation only (`loom sim` defines LOOM_SIM_DPI and compiles rtl/sim/loom_sim_dpi.cpp):
  // the MAC datapath of loom_mvu / loom_dwu / loom_mvu_stream in C++. Packed words travel
  // as 32-bit words, element lanes as ints.
  import "DPI-C" function chandle loom_mac_new(input int kind, input int k, input int n,
    input int simd, input int pe, input int in_beat, input int w_in, input int dw_kk,
    input int flat, input int lines, input int groups, input int wa, input int cap);
  import "DPI-C" function void loom_mac_wline(input chandle h, input int line,
                                              input int lanes[]);
  import "DPI-C" function void loom_mac_bline(input chandle h, input int group,
                                              input int lanes[]);
  import "DPI-C" function void loom_mac_beat(input chandle h, input int bank, input int cnt,
                                             input bit [31:0] data[]);
  import "DPI-C" function void loom_mac_step(input chandle h, input int bank, input int xbase,
    input int waddr, input int nf, input int first, input int carry_in, input int split,
    input int flo, input int last, output bit [31:0] acc[]);
  import "DPI-C" function void loom_mac_stream_step(input chandle h, input int need,
    input int line, input int first, input int carry_in, input int split, input int flo,
    input int last, output bit [31:0] acc[]);
`endif
endpackage
