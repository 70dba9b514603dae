// Chain under test for the RTL-vs-hw_model check:
//   loom_mvu (relu) -> [loom_fifo, if FD > 0] -> loom_mvu (table) -> loom_softmax
//   -> loom_tlast_gen
// Memory files in the working directory: w1/b1.mem, w2/b2/t2.mem, exp.mem.
module tb_chain_top #(
  parameter int K1 = 16, N1 = 8, SIMD1 = 4, PE1 = 2, IB1 = 4, SHIFT1 = 4,
  parameter int N2 = 4, SIMD2 = 2, PE2 = 1, SHIFT2 = 4,
  parameter int FD = 2,
  parameter int T_MIN = -128, T_MAX = 127, T_SHIFT = 3, T_DEPTH = 32,
  parameter int SM_F = 4, EXP_DEPTH = 256
) (
  input  logic            clk,
  input  logic            rst,
  input  logic [IB1*8-1:0] in_data,
  input  logic            in_valid,
  output logic            in_ready,
  output logic [7:0]      out_data,
  output logic            out_valid,
  input  logic            out_ready,
  output logic            out_last
);
  logic [PE1*8-1:0] a_data, f_data;
  logic             a_valid, a_ready, f_valid, f_ready;
  logic [PE2*8-1:0] b_data;
  logic             b_valid, b_ready;
  logic [7:0]       s_data;
  logic             s_valid, s_ready;

  loom_mvu #(
    .K(K1), .N(N1), .SIMD(SIMD1), .PE(PE1), .IN_BEAT(IB1), .W_IN(8), .W_W(8), .W_ACC(24),
    .W_OUT(8), .SHIFT(SHIFT1), .ACT(1), .T_MIN(0), .T_MAX(0), .T_SHIFT(0), .T_DEPTH(1),
    .W_FILE("w1.mem"), .B_FILE("b1.mem"), .T_FILE("")
  ) u_mvu1 (
    .clk, .rst, .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data, .in_valid, .in_ready,
    .out_data(a_data), .out_valid(a_valid), .out_ready(a_ready)
  );

  if (FD > 0) begin : g_fifo
    loom_fifo #(.W(PE1 * 8), .DEPTH(FD)) u_fifo (
      .clk, .rst, .in_data(a_data), .in_valid(a_valid), .in_ready(a_ready),
      .out_data(f_data), .out_valid(f_valid), .out_ready(f_ready)
    );
  end else begin : g_nofifo
    assign f_data  = a_data;
    assign f_valid = a_valid;
    assign a_ready = f_ready;
  end

  loom_mvu #(
    .K(N1), .N(N2), .SIMD(SIMD2), .PE(PE2), .IN_BEAT(PE1), .W_IN(8), .W_W(8), .W_ACC(24),
    .W_OUT(8), .SHIFT(SHIFT2), .ACT(2), .T_MIN(T_MIN), .T_MAX(T_MAX), .T_SHIFT(T_SHIFT),
    .T_DEPTH(T_DEPTH), .W_FILE("w2.mem"), .B_FILE("b2.mem"), .T_FILE("t2.mem")
  ) u_mvu2 (
    .clk, .rst, .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data(f_data), .in_valid(f_valid), .in_ready(f_ready),
    .out_data(b_data), .out_valid(b_valid), .out_ready(b_ready)
  );

  loom_softmax #(
    .N(N2), .IN_BEAT(PE2), .W(8), .F(SM_F), .EXP_SHIFT(0), .EXP_DEPTH(EXP_DEPTH),
    .EXP_BITS(16), .EXP_FILE("exp.mem")
  ) u_softmax (
    .clk, .rst, .in_data(b_data), .in_valid(b_valid), .in_ready(b_ready),
    .out_data(s_data), .out_valid(s_valid), .out_ready(s_ready)
  );

  loom_tlast_gen #(.W(8), .BEATS(N2)) u_tlast (
    .clk, .rst, .in_data(s_data), .in_valid(s_valid), .in_ready(s_ready),
    .out_data, .out_valid, .out_ready, .out_last
  );
endmodule
