#!/usr/bin/env bash
# Builds Loom and runs every test: lit, GoogleTest units, RTL testbenches,
# ONNX conformance, end-to-end model simulations.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${LOOM_BUILD_DIR:-$root/build}"
"$root/tools/build.sh"
cd "$build"
ctest -j "${LOOM_JOBS:-$(nproc)}" --output-on-failure --timeout 1200
