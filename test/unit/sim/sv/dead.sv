// Deadlocking test top: takes 3 input beats, then never takes another and
// never produces an output. 1 lane x 8 bits in and out.
module dead (
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
  logic [1:0] taken;
  always_ff @(posedge clk) begin
    if (rst) taken <= '0;
    else if (s_axis_tvalid && s_axis_tready) taken <= taken + 1'b1;
  end
  assign s_axis_tready = taken != 2'd3;
  assign m_axis_tdata = s_axis_tdata;
  assign m_axis_tvalid = 1'b0;
  assign m_axis_tlast = 1'b0;
  wire unused = s_axis_tlast ^ m_axis_tready;
endmodule
