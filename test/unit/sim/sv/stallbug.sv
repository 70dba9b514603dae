// Buggy test top: 1 lane x 16 bits, 1 beat per frame; a one-register
// passthrough that (wrongly) increments its held data while stalled. The clean
// pass (never stalled) is correct; the backpressure pass must see mismatches.
module stallbug (
  input  logic        clk,
  input  logic        rst,
  input  logic [15:0] s_axis_tdata,
  input  logic        s_axis_tvalid,
  output logic        s_axis_tready,
  input  logic        s_axis_tlast,
  output logic [15:0] m_axis_tdata,
  output logic        m_axis_tvalid,
  input  logic        m_axis_tready,
  output logic        m_axis_tlast
);
  logic ov;
  logic [15:0] od;
  assign s_axis_tready = !ov || m_axis_tready;
  always_ff @(posedge clk) begin
    if (rst) ov <= 1'b0;
    else begin
      if (m_axis_tvalid && m_axis_tready) ov <= 1'b0;
      else if (ov) od <= od + 1'b1;
      if (s_axis_tvalid && s_axis_tready) begin ov <= 1'b1; od <= s_axis_tdata; end
    end
  end
  assign m_axis_tvalid = ov;
  assign m_axis_tdata = od;
  assign m_axis_tlast = 1'b1;
  wire unused = s_axis_tlast;
endmodule
