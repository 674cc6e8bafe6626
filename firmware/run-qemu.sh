#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the two-image firmware on QEMU's mps2-an521 and judges the run.
#
#   run-qemu.sh <timeout-s> <min-passed> <core0.elf> <core1.elf>
#
# Passes (exit 0) only if QEMU exits 0 through semihosting, the log ends with
# "<n> passed, 0 failed", n >= <min-passed>, and no line says FAIL or FATAL.
# A hung image is killed after <timeout-s> seconds and fails (exit 124).
set -u
if [ $# -ne 4 ]; then
  echo "usage: $0 <timeout-s> <min-passed> <core0.elf> <core1.elf>" >&2
  exit 2
fi
limit=$1 min_pass=$2 core0=$3 core1=$4
qemu=${QEMU:-qemu-system-arm}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

timeout -k 2 "$limit" "$qemu" -M mps2-an521 -nographic -monitor none -serial stdio -no-reboot \
  -semihosting-config enable=on \
  -kernel "$core0" -device loader,file="$core1" </dev/null >"$log" 2>&1
rc=$?
cat "$log"

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "run-qemu: FAIL: timed out after ${limit} s"
  exit 124
fi
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
if [ "$rc" -ne 0 ]; then
  echo "run-qemu: FAIL: QEMU exit status $rc"
  exit 1
fi
if [ -z "$summary" ]; then
  echo "run-qemu: FAIL: no summary line"
  exit 1
fi
passed=${summary%% passed*}
failed=${summary#*, }
failed=${failed%% failed*}
if [ "$failed" -ne 0 ] || grep -qE '^(FAIL|FATAL)' "$log"; then
  echo "run-qemu: FAIL: $summary"
  exit 1
fi
if [ "$passed" -lt "$min_pass" ]; then
  echo "run-qemu: FAIL: only $passed cases ran, expected at least $min_pass"
  exit 1
fi
echo "run-qemu: PASS ($summary)"
exit 0
