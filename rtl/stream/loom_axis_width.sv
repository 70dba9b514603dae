// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_axis_width: the top's AXI4-Stream tdata is a whole number of bytes
// (docs/CONTRACTS.md "Top module"); a stream inside is lanes x bits wide. On an input
// port the padding bits are dropped (W_OUT < W_IN), on an output port they are zeros
// (W_OUT > W_IN). Wires only: no register, no cycle.
module loom_axis_width #(
  parameter int W_IN  = 8,
  parameter int W_OUT = 8
) (
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic [W_IN-1:0]  in_data,  // the padding of an input port is ignored
  /* verilator lint_on UNUSEDSIGNAL */
  output logic [W_OUT-1:0] out_data
);
  if (W_OUT <= W_IN) begin : g_trim
    assign out_data = in_data[W_OUT-1:0];
  end else begin : g_pad
    assign out_data = {{(W_OUT - W_IN){1'b0}}, in_data};
  end
endmodule
