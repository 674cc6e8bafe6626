#!/usr/bin/env bash
# Runs the demo system built in the given build directory.
set -euo pipefail
build=${1:-build}
exec "$build/tools/amplink" demo
