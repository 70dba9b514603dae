#!/bin/sh
# Yosys synthesis smoke test of the convolutional / DAG library modules (Yosys 0.23
# front end + prep (elaboration, proc, opt; full generic synth of the element-addressed
# swg gather takes minutes) on rtl/test/synth_conv_top.sv.
set -e
RTL=$1
i=0; : > d.mem; while [ $i -lt 4 ]; do echo 0009 >> d.mem; i=$((i+1)); done
i=0; : > dw.mem; while [ $i -lt 3 ]; do echo 010203040506 >> dw.mem; i=$((i+1)); done
echo 000001000002 > db.mem
# The package first (Yosys, like Verilator, reads it before its users).
yosys -q -p "read_verilog -sv $RTL/pkg/loom_pkg.sv $RTL/stream/loom_fifo.sv \
  $RTL/stream/loom_fork.sv $RTL/compute/loom_swg.sv $RTL/compute/loom_pool.sv \
  $RTL/compute/loom_dwu.sv $RTL/compute/loom_mvu.sv $RTL/compute/loom_requant.sv \
  $RTL/compute/loom_add.sv $RTL/compute/loom_concat.sv $RTL/test/synth_conv_top.sv; \
  prep -top syn_conv_top; tee -o stat.txt stat" > yosys.log 2>&1 \
  || { cat yosys.log; exit 1; }
grep -q "Number of cells" stat.txt
echo "yosys conv synth OK"
