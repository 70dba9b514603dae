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
  logic [W-1:0] data_q;     // its data (captured only then: copying a wide beat every
                            // cycle was a few percent of a CNN's simulation time)
  always_ff @(posedge clk) begin
    if (rst) begin
      pending_q <= 1'b0;
    end else begin
      if (pending_q) begin
        ValidHeld: assert (valid)
          else $error("%m: valid withdrawn before ready");
        DataStable: assert (data == data_q)
          else $error("%m: data changed while the beat waited for ready");
      end
      Known: assert (!$isunknown(valid))
        else $error("%m: valid is X");
      pending_q <= valid && !ready;
    end
    if (valid && !ready) data_q <= data;
  end
`endif
endmodule
