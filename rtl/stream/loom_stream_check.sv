// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_stream_check: valid/ready stream-protocol assertions (docs/CONTRACTS.md,
// "Streams"), in the manner of OpenTitan's prim_fifo_sync / prim_assert:
//  * ValidHeld:  a beat offered (valid) and not taken (!ready) stays offered;
//  * DataStable: its data do not change while it waits;
//  * Known:      valid is never X/Z out of reset.
// Library modules bind one to each stream port inside `ifndef SYNTHESIS (simulation
// only; Yosys 0.23 defines SYNTHESIS and rejects concurrent assertions). Verilator
// checks them with --assert (the rtl benches and the `loom sim` harness build).
module loom_stream_check #(
  parameter int W = 8
) (
  input logic         clk,
  input logic         rst,
  input logic [W-1:0] data,
  input logic         valid,
  input logic         ready
);
`ifndef SYNTHESIS
  ValidHeld: assert property (@(posedge clk) disable iff (rst)
      valid && !ready |=> valid)
    else $error("%m: valid withdrawn before ready");
  DataStable: assert property (@(posedge clk) disable iff (rst)
      valid && !ready |=> $stable(data))
    else $error("%m: data changed while the beat waited for ready");
  Known: assert property (@(posedge clk) disable iff (rst) !$isunknown(valid))
    else $error("%m: valid is X");
`endif
endmodule
