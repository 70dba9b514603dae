#!/usr/bin/env bash
# Builds Loom, then compiles the bundled example dense network to RTL,
# simulates it in Verilator against the reference (with random backpressure)
# and prints the report.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${LOOM_BUILD_DIR:-$root/build}"
"$root/tools/build.sh"
mkdir -p "$build/examples"
/usr/bin/python3 "$root/examples/make_mlp.py" "$build/examples/mlp.onnx"
"$build/bin/loom" run "$build/examples/mlp.onnx" -o "$build/demo" --random 200 --backpressure 0.3
"$build/bin/loom" report "$build/demo"
