#!/usr/bin/env bash
# Installs the Debian 12 packages amplink needs, skipping those already present.
# Usage: scripts/install-deps.sh [--check]   (--check: only report what is missing)
set -euo pipefail

packages=(
  cmake make gcc pkg-config        # host build
  libcmocka-dev                    # unit tests (cmocka + CTest)
  device-tree-compiler libfdt-dev  # devicetree: dtc, libfdt
  clang libclang-rt-14-dev         # sanitizers and libFuzzer
  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi  # Cortex-M firmware
  qemu-system-arm                  # runs the dual-core firmware (mps2-an521)
  gnuplot-nox                      # amplink bench --plot
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "missing Debian packages: ${missing[*]}"
  exit 1
fi

echo "installing missing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
