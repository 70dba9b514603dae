// Wide test top: input 4 lanes x 25 bits (100-bit tdata, VlWide<4>),
// output 2 lanes x 64 bits (128-bit tdata); 2 beats per frame in and out.
// out lane 0 = a * b, lane 1 = c * 2^38 + d (a..d = sign-extended input lanes).
// One output register, s_axis_tready = !ov || m_axis_tready.
// Clean pass: in at 0,1; out at 1,2 -> latency = 2 - 0 + 1 = 3;
// last out of frame f at 2f + 2 -> II = 2.
module wide (
  input  logic         clk,
  input  logic         rst,
  input  logic [99:0]  s_axis_tdata,
  input  logic         s_axis_tvalid,
  output logic         s_axis_tready,
  input  logic         s_axis_tlast,
  output logic [127:0] m_axis_tdata,
  output logic         m_axis_tvalid,
  input  logic         m_axis_tready,
  output logic         m_axis_tlast
);
  wire signed [63:0] a = 64'(signed'(s_axis_tdata[24:0]));
  wire signed [63:0] b = 64'(signed'(s_axis_tdata[49:25]));
  wire signed [63:0] c = 64'(signed'(s_axis_tdata[74:50]));
  wire signed [63:0] d = 64'(signed'(s_axis_tdata[99:75]));
  logic ov, cnt;
  logic [127:0] od;
  assign s_axis_tready = !ov || m_axis_tready;
  always_ff @(posedge clk) begin
    if (rst) begin
      ov <= 1'b0; cnt <= 1'b0;
    end else begin
      if (m_axis_tvalid && m_axis_tready) begin
        ov <= 1'b0;
        cnt <= !cnt;
      end
      if (s_axis_tvalid && s_axis_tready) begin
        ov <= 1'b1;
        od <= {(c <<< 38) + d, a * b};
      end
    end
  end
  assign m_axis_tvalid = ov;
  assign m_axis_tdata = od;
  assign m_axis_tlast = cnt;
  wire unused = s_axis_tlast;
endmodule
