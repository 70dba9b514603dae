// Deadlocking test top in the emitted-top format (DeadlockProbe.h parses it):
// 'first' passes beats through, 'second' never accepts one and never
// produces, so the watchdog must name 'second' (loom_t_stuck). 1 x 8 bits.
module loom_t_pass (
  input  logic       clk,
  input  logic       rst,
  input  logic [7:0] in_data,
  input  logic       in_valid,
  output logic       in_ready,
  output logic [7:0] out_data,
  output logic       out_valid,
  input  logic       out_ready
);
  // A one-entry register stage.
  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else if (in_valid && in_ready) begin
      out_valid <= 1'b1;
      out_data <= in_data;
    end else if (out_ready) out_valid <= 1'b0;
  end
  assign in_ready = !out_valid || out_ready;
endmodule

module loom_t_stuck (
  input  logic       clk,
  input  logic       rst,
  input  logic [7:0] in_data,
  input  logic       in_valid,
  output logic       in_ready,
  output logic [7:0] out_data,
  output logic       out_valid,
  input  logic       out_ready
);
  assign in_ready = 1'b0;
  assign out_valid = 1'b0;
  assign out_data = 8'd0;
  wire unused = clk ^ rst ^ in_valid ^ out_ready ^ (^in_data);
endmodule

module stuckpair (
  input  logic       clk,
  input  logic       rst,
  input  logic [7:0] s_axis_tdata,
  input  logic       s_axis_tvalid,
  output logic       s_axis_tready,
  input  logic       s_axis_tlast,
  output logic [7:0] m_axis_tdata,
  output logic       m_axis_tvalid,
  input  logic       m_axis_tready,
  output logic       m_axis_tlast
);
  logic first_in_ready;
  logic [7:0] first_out_data;
  logic first_out_valid;
  logic second_in_ready;

  loom_t_pass first (
    .clk(clk),
    .rst(rst),
    .in_data(s_axis_tdata),
    .in_valid(s_axis_tvalid),
    .out_ready(second_in_ready),
    .in_ready(first_in_ready),
    .out_data(first_out_data),
    .out_valid(first_out_valid)
  );

  loom_t_stuck #(
  ) second (
    .clk(clk),
    .rst(rst),
    .in_data(first_out_data),
    .in_valid(first_out_valid),
    .out_ready(m_axis_tready),
    .in_ready(second_in_ready),
    .out_data(m_axis_tdata),
    .out_valid(m_axis_tvalid)
  );

  assign s_axis_tready = first_in_ready;
  assign m_axis_tlast = 1'b0;
  wire unused = s_axis_tlast;
endmodule
