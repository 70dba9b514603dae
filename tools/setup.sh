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
  # libraries and unit tests
  libfmt-dev libgtest-dev
  # test-model generation (run with /usr/bin/python3)
  python3 python3-onnx python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
