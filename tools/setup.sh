#!/usr/bin/env bash
# Installs the Debian 12 packages Loom needs, when they are missing.
# Everything comes from Debian: nothing is downloaded from anywhere else.
set -euo pipefail

packages=(
  # compilers and build tools (a minimal debootstrap has none of them)
  g++ make cmake ninja-build pkg-config
  # LLVM/MLIR 19: IR, passes, tablegen, lit, FileCheck
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  zlib1g-dev libzstd-dev libncurses-dev libxml2-dev libffi-dev libedit-dev
  # ONNX: protobuf, checker, shape inference, conformance data
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  # RTL simulation, synthesis, place and route
  verilator yosys nextpnr-ice40 fpga-icestorm
  # caches Verilator's runtime objects across simulation builds; clang++ builds the
  # simulation model in half gcc's time
  ccache clang
  # libraries and unit tests
  libfmt-dev libgtest-dev
  # test-model generation (run with /usr/bin/python3)
  python3 python3-onnx python3-numpy
  # renders `loom report --html` in the tests (headless)
  chromium
)

root="$(cd "$(dirname "$0")/.." && pwd)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# ONNX Runtime (npm onnxruntime-node, pinned in tools/oracle/package-lock.json)
# is the tests' independent oracle. Node.js and npm come from Debian unless the
# machine already has them (a Node.js that bundles npm conflicts with Debian's
# npm package). The package's install script would download more: never run it.
install_oracle() {
  if ! command -v node >/dev/null 2>&1; then
    echo "setup: installing nodejs npm"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
  elif ! command -v npm >/dev/null 2>&1; then
    echo "setup: installing npm"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends npm
  fi
  if [ ! -f "$root/tools/oracle/node_modules/onnxruntime-node/package.json" ]; then
    echo "setup: installing onnxruntime-node into tools/oracle (npm ci --ignore-scripts)"
    (cd "$root/tools/oracle" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
install_oracle
