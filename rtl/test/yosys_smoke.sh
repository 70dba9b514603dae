#!/bin/sh
# Yosys synthesis smoke test of the RTL library: writes small memory files into the
# current directory, then runs generic `synth` on rtl/test/synth_top.sv.
set -e
RTL=$1
i=0; : > w.mem; while [ $i -lt 4 ]; do echo 0123456789abcdef >> w.mem; i=$((i+1)); done
i=0; : > b.mem; while [ $i -lt 2 ]; do echo 000000000010 >> b.mem; i=$((i+1)); done
i=0; : > t.mem; while [ $i -lt 32 ]; do printf '%02x\n' $i >> t.mem; i=$((i+1)); done
i=0; : > exp.mem; while [ $i -lt 256 ]; do printf '%04x\n' $((32768 - i * 100)) >> exp.mem; i=$((i+1)); done
# The package first (Yosys, like Verilator, reads it before its users).
yosys -q -p "read_verilog -sv $RTL/pkg/loom_pkg.sv $RTL/stream/loom_fifo.sv \
  $RTL/stream/loom_skid.sv $RTL/stream/loom_tlast_gen.sv $RTL/compute/loom_mvu.sv \
  $RTL/compute/loom_requant.sv $RTL/compute/loom_softmax.sv \
  $RTL/test/synth_top.sv; synth -top syn_top; tee -o stat.txt stat" > yosys.log 2>&1 \
  || { cat yosys.log; exit 1; }
grep -q "Number of cells" stat.txt
echo "yosys synth OK"
