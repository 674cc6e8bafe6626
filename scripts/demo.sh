#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make demo: run the seed example as two cores (two processes) and tell the story.
#
#   scripts/demo.sh [build dir]
#
# Core "app" runs the seed document's snippets unchanged (RPMsg endpoint on
# ipc0, IPM on mailbox0, shared_ram); core "net" is its peer. Both check what
# they receive; this script starts them, shows their output as it happens,
# and exits 0 only if both cores passed every check, within DEMO_TIMEOUT
# seconds (default 30). Regions are files under <build>/shm with a per-run
# prefix, removed at the end.
set -u

build=${1:-build}
timeout_s=${DEMO_TIMEOUT:-30}
app="$build/examples/seed/seed_app"
net="$build/examples/seed/seed_net"

fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

for bin in "$app" "$net"; do
	[ -x "$bin" ] || fail "$bin is missing: build first (make build), it needs the RPMsg, mailbox and devicetree components"
done
command -v timeout >/dev/null || fail "the 'timeout' command (coreutils) is needed"

export AMPLINK_SHM_DIR="${AMPLINK_SHM_DIR:-$build/shm}"
export AMPLINK_SHM_PREFIX="demo-$$-"
mkdir -p "$AMPLINK_SHM_DIR" || fail "cannot create $AMPLINK_SHM_DIR"
logs=$(mktemp -d) || fail "mktemp failed"
pids=()

cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -f "$AMPLINK_SHM_DIR/$AMPLINK_SHM_PREFIX"*
	rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run one core with a time limit. Its lines go to the terminal as they are
# printed (the two cores interleave in real time) and to a log for the checks.
run_core() {
	local name=$1 bin=$2
	timeout --kill-after=2 "$timeout_s" "$bin" 2>&1 | tee "$logs/$name.log"
	echo "${PIPESTATUS[0]}" >"$logs/$name.rc"
}

echo "amplink demo: two cores on Linux, one process each, built from the seed document"
echo "  app (core 0): the seed's snippets unchanged - RPMsg host on ipc0, IPM on mailbox0, shared_ram"
echo "  net (core 1): its peer - RPMsg remote on ipc0"
echo "  shared regions: $AMPLINK_SHM_DIR/${AMPLINK_SHM_PREFIX}*, each mapped at its devicetree address"
echo

t0=$(date +%s%N)
run_core net "$net" &
pids+=($!)
run_core app "$app" &
pids+=($!)
wait
pids=()
t1=$(date +%s%N)

app_rc=$(cat "$logs/app.rc")
net_rc=$(cat "$logs/net.rc")
echo
reasons=()
for core in app net; do
	rc=$(cat "$logs/$core.rc")
	case $rc in
	0) ;;
	124 | 137) reasons+=("$core did not finish within ${timeout_s}s") ;;
	*) reasons+=("$core exited with status $rc: $(grep -m1 -E 'FAIL|ERR|error' "$logs/$core.log" || echo 'see its output above')") ;;
	esac
done

# The story, checked line by line (each core already checked its side).
expect() {
	local core=$1 pattern=$2 what=$3
	if grep -qE "$pattern" "$logs/$core.log"; then
		echo "  [x] $what"
	else
		echo "  [ ] $what"
		missing=$((missing + 1))
	fi
}
missing=0
echo "story:"
expect app '^\[app\] my_endpoint bound' "app: endpoint my_endpoint bound"
expect net '^\[net\] my_endpoint bound' "net: endpoint my_endpoint bound"
expect net 'ok +received "ping 5" over RPMsg' "app -> net: 5 messages over RPMsg, in order"
expect app 'ok +5 pongs came back over RPMsg' "net -> app: 5 replies over RPMsg"
expect net 'ok +IPM value 0x12345678 arrived' "IPM value 0x12345678 arrived at net"
expect net 'ok +read [0-9]+ bytes at 0x[0-9a-f]+ in shared_ram \(invalidated\).* 0 bytes differ' \
	"shared_ram block written by app (flushed) read back by net (invalidated) and checked"
expect net 'ok +zero copy: held the [0-9]+-byte message' \
	"zero copy: app wrote a message in place in an RPMsg buffer, net held it past its callback"
expect app 'ok +shared counter = [0-9]+ after' "cross-core k_spinlock kept the shared counter exact"
expect app 'ok +[0-9]+ replies received by the seed.s endpoint_cb, content hash' \
	"every reply reached the seed's endpoint_cb intact (count and content hash)"

if [ "$missing" -ne 0 ]; then
	reasons+=("$missing step(s) of the story did not happen (unchecked above)")
fi
if [ "${#reasons[@]}" -ne 0 ] || [ "$app_rc" != 0 ] || [ "$net_rc" != 0 ]; then
	for r in "${reasons[@]}"; do
		echo "demo: FAILED: $r" >&2
	done
	exit 1
fi
echo "demo: PASSED ($(( (t1 - t0) / 1000000 )) ms from start to both cores done)"
exit 0
