// Passthrough test top: 2 lanes x 8 bits, 4 beats per frame (in and out).
// Path: input skid (2-entry register slice, registered ready) -> 3 pipeline
// registers (valid/ready, ready chained combinationally, valids registered).
// An input beat taken at edge t is in the skid output register after t, in
// stage 1 after t+1, stage 2 after t+2, stage 3 (= m_axis) after t+3, so it
// leaves at edge t+4. Clean pass: inputs at 0..3 (frame 0), outputs at 4..7:
//   latency = 7 - 0 + 1 = 8, frame f last out at 4f + 7 -> II = 4.
module pt3 #(parameter int W = 16, parameter int BEATS = 4) (
  input  logic         clk,
  input  logic         rst,
  input  logic [W-1:0] s_axis_tdata,
  input  logic         s_axis_tvalid,
  output logic         s_axis_tready,
  input  logic         s_axis_tlast,
  output logic [W-1:0] m_axis_tdata,
  output logic         m_axis_tvalid,
  input  logic         m_axis_tready,
  output logic         m_axis_tlast
);
  // skid
  logic [W-1:0] d0, d1;
  logic v0, v1;
  logic skid_out_ready;
  assign s_axis_tready = !v1;
  always_ff @(posedge clk) begin
    if (rst) begin
      v0 <= 1'b0; v1 <= 1'b0;
    end else if (skid_out_ready || !v0) begin
      if (v1) begin
        d0 <= d1; v0 <= 1'b1; v1 <= 1'b0;
      end else begin
        d0 <= s_axis_tdata; v0 <= s_axis_tvalid;
      end
    end else if (s_axis_tvalid && !v1) begin
      d1 <= s_axis_tdata; v1 <= 1'b1;
    end
  end
  // 3-stage pipeline
  logic [W-1:0] pd [3];
  logic [2:0] pv;
  logic en0, en1, en2;
  assign en2 = !pv[2] || m_axis_tready;
  assign en1 = !pv[1] || en2;
  assign en0 = !pv[0] || en1;
  assign skid_out_ready = en0;
  always_ff @(posedge clk) begin
    if (rst) pv <= '0;
    else begin
      if (en0) begin pv[0] <= v0; pd[0] <= d0; end
      if (en1) begin pv[1] <= pv[0]; pd[1] <= pd[0]; end
      if (en2) begin pv[2] <= pv[1]; pd[2] <= pd[1]; end
    end
  end
  assign m_axis_tdata = pd[2];
  assign m_axis_tvalid = pv[2];
  // tlast on every BEATS-th output beat
  logic [15:0] cnt;
  always_ff @(posedge clk) begin
    if (rst) cnt <= '0;
    else if (m_axis_tvalid && m_axis_tready) cnt <= (cnt == 16'(BEATS - 1)) ? '0 : cnt + 1'b1;
  end
  assign m_axis_tlast = cnt == 16'(BEATS - 1);
  wire unused = s_axis_tlast;
endmodule
