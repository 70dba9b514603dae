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
  // Immediate assertions on explicit registers rather than concurrent ones
  // with $stable: Verilator 5.006 emits C++ that does not compile for the
  // sampled copy of data wider than 64 bits (an undeclared loop variable,
  // seen on a 64-lane 16-bit input stream).
  logic         pending_q;  // a beat was offered and not taken last cycle
  logic [W-1:0] data_q;     // its data, captured on the first cycle it waits: copying a
                            // wide beat every cycle, or every cycle it waits, was a few
                            // percent of a CNN's simulation time (DataStable compares
                            // each later cycle with this first copy)
  // One block per register and one for the checks: with the checks reading pending_q in
  // the block that wrote it, Verilator kept a delayed copy of it per instance (3% of the
  // KWS simulation's instructions over its 56 checks).
  always_ff @(posedge clk) begin
    if (!rst && pending_q) begin
      ValidHeld: assert (valid)
        else $error("%m: valid withdrawn before ready");
      DataStable: assert (data == data_q)
        else $error("%m: data changed while the beat waited for ready");
    end
    if (!rst) begin
      Known: assert (!$isunknown(valid))
        else $error("%m: valid is X");
    end
  end
  always_ff @(posedge clk) pending_q <= !rst && valid && !ready;
  always_ff @(posedge clk) begin
    if (valid && !ready && !pending_q) data_q <= data;
  end
`endif
endmodule
