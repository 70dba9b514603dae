// Testbench top for the 2-port modules (tb_join.cpp): `sel` picks one DUT; uniform
// ports in0/in1 -> out0/out1 (16-bit beats = 2 lanes of 8 bits). Must match tb_join.cpp.
//   0: loom_fork (in0 -> out0, out1)     1: loom_add MODE 0 (in0 + in1 -> out0)
//   2: loom_add MODE 1, F = 3 (Mul)      3: loom_concat C1 = 4, C2 = 2
module tb_join_top (
  input  logic        clk,
  input  logic        rst,
  input  logic [1:0]  sel,
  input  logic [15:0] in0_data,
  input  logic        in0_valid,
  output logic        in0_ready,
  input  logic [15:0] in1_data,
  input  logic        in1_valid,
  output logic        in1_ready,
  output logic [15:0] out0_data,
  output logic        out0_valid,
  input  logic        out0_ready,
  output logic [15:0] out1_data,
  output logic        out1_valid,
  input  logic        out1_ready
);
  logic [15:0] od [4];
  logic        ov [4];
  logic        r0 [4];
  logic        r1 [4];
  logic        v0 [4];
  logic        v1 [4];
  logic        o0r [4];
  logic [15:0] f1d;
  logic        f1v;
  for (genvar k = 0; k < 4; k++) begin : g_sel
    assign v0[k]  = in0_valid && (sel == 2'(k));
    assign v1[k]  = in1_valid && (sel == 2'(k));
    assign o0r[k] = out0_ready && (sel == 2'(k));
  end
  assign r1[0] = 1'b0;
  always_comb begin
    in0_ready = r0[sel]; in1_ready = r1[sel]; out0_valid = ov[sel]; out0_data = od[sel];
    out1_valid = (sel == 2'd0) && f1v; out1_data = f1d;
  end

  loom_fork #(.W(16)) u0 (.clk, .rst, .in_data(in0_data), .in_valid(v0[0]), .in_ready(r0[0]),
    .out0_data(od[0]), .out0_valid(ov[0]), .out0_ready(o0r[0]),
    .out1_data(f1d), .out1_valid(f1v), .out1_ready(out1_ready && (sel == 2'd0)));
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_v1 = v1[0];
  /* verilator lint_on UNUSEDSIGNAL */
  loom_add #(.LANES(2), .WB(8), .MODE(0)) u1 (.clk, .rst,
    .in0_data, .in0_valid(v0[1]), .in0_ready(r0[1]), .in1_data, .in1_valid(v1[1]),
    .in1_ready(r1[1]), .out_data(od[1]), .out_valid(ov[1]), .out_ready(o0r[1]));
  loom_add #(.LANES(2), .WB(8), .MODE(1), .F(3)) u2 (.clk, .rst,
    .in0_data, .in0_valid(v0[2]), .in0_ready(r0[2]), .in1_data, .in1_valid(v1[2]),
    .in1_ready(r1[2]), .out_data(od[2]), .out_valid(ov[2]), .out_ready(o0r[2]));
  loom_concat #(.C1(4), .C2(2), .LANES(2), .WB(8)) u3 (.clk, .rst,
    .in0_data, .in0_valid(v0[3]), .in0_ready(r0[3]), .in1_data, .in1_valid(v1[3]),
    .in1_ready(r1[3]), .out_data(od[3]), .out_valid(ov[3]), .out_ready(o0r[3]));
endmodule
