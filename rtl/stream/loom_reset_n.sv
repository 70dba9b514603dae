// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_reset_n: the top's active-low reset (loom compile --aresetn, AXI's ARESETn) as
// the active-high synchronous reset every Loom module takes. Like rst, aresetn is
// sampled on the clock edge; hold it low for at least one edge.
module loom_reset_n (
  input  logic aresetn,
  output logic rst
);
  assign rst = !aresetn;
endmodule
