#!/bin/sh
# Yosys synth_xilinx of loom_mvu_stream (two parameter sets: dense with split steps and a
# short last step, depthwise with PIPE 2 and multipliers): the module must stay
# synthesizable by Yosys 0.23. Writes its memory files into the current directory.
set -e
RTL=$1
line() { i=0; s=; while [ $i -lt $1 ]; do s="${s}5a"; i=$((i+1)); done; echo $s; }
mem() { : > $1; i=0; while [ $i -lt $2 ]; do line $3 >> $1; i=$((i+1)); done; }
# dense K 12, N 4, SIMD 5: 12 lines of 160 bits; depthwise 3x3, C 4, SIMD 2: 9 of 64 bits
mem w_d.mem 12 20; mem b_d.mem 1 12
mem w_dw.mem 9 8; mem b_dw.mem 1 12; mem m_dw.mem 1 5
cat > top.sv <<'SV'
module syn_stream_top (
  input  logic        clk, rst,
  input  logic [31:0] in_a, input logic in_a_valid, output logic in_a_ready,
  output logic [31:0] out_a, output logic out_a_valid, input logic out_a_ready,
  input  logic [31:0] in_b, input logic in_b_valid, output logic in_b_ready,
  output logic [31:0] out_b, output logic out_b_valid, input logic out_b_ready
);
  loom_mvu_stream #(.K(12), .N(4), .PE(4), .SIMD(5), .VECTORS(7), .IN_BEAT(4), .SHIFT(3),
    .ACT(1), .W_FILE("w_d.mem"), .B_FILE("b_d.mem")) u_dense (
    .clk, .rst, .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data(in_a),
    .in_valid(in_a_valid), .in_ready(in_a_ready), .out_data(out_a), .out_valid(out_a_valid),
    .out_ready(out_a_ready));
  loom_mvu_stream #(.K(36), .N(4), .PE(4), .DW_KK(9), .SIMD(2), .VECTORS(6), .IN_BEAT(4),
    .SHIFT(12), .W_M(20), .PIPE(2), .RQ_PIPE(1), .W_FILE("w_dw.mem"), .B_FILE("b_dw.mem"),
    .M_FILE("m_dw.mem")) u_dw (
    .clk, .rst, .wt_data('0), .wt_addr('0), .wt_valid(1'b0), .in_data(in_b),
    .in_valid(in_b_valid), .in_ready(in_b_ready), .out_data(out_b), .out_valid(out_b_valid),
    .out_ready(out_b_ready));
endmodule
SV
yosys -q -p "read_verilog -sv $RTL/pkg/loom_pkg.sv $RTL/stream/loom_fifo.sv \
  $RTL/stream/loom_wt_load.sv $RTL/compute/loom_requant.sv $RTL/compute/loom_mvu_stream.sv \
  top.sv; synth_xilinx -top syn_stream_top -flatten; tee -o stat.txt stat" > yosys.log 2>&1 \
  || { cat yosys.log; exit 1; }
grep -q "DSP48E1" stat.txt
echo "yosys synth_xilinx loom_mvu_stream OK"
