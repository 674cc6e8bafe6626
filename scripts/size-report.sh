#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Code size and stack depth of amplink on Cortex-M (the firmware build).
#
#   scripts/size-report.sh <firmware build dir>     (make size: build-fw)
#
# 1. Every component's static library (all of its functions): .text (code +
#    read-only data, as arm-none-eabi-size counts it), .data, .bss.
# 2. What a real image links, from the link maps of the minimal images
#    firmware/size/size-{icmsg,rpmsg}.elf, per component, against the targets
#    service + ICMsg + pbuf <= 2 KiB and service + RPMsg + vring <= 3 KiB.
# 3. Worst stack depth of the send and receive paths, from the per-function
#    frames and call edges GCC writes with -fstack-usage -fcallgraph-info=su
#    (.su/.ci beside each object). Calls through function pointers are resolved
#    with the table below (service -> transport op, mbox -> MHU driver, MHU
#    interrupt -> transport callback); the application's own callbacks are not
#    included. The receive path adds the 32-byte exception frame.
#
# Exit status: 0 when the report was produced (a size over target is printed,
# not failed), 1 when the build directory lacks what the report needs.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 <firmware build dir (cmake -DAMP_PORT=baremetal ...)>" >&2
  exit 1
fi
B=$1
SIZE=${SIZE:-arm-none-eabi-size}
command -v "$SIZE" >/dev/null || { echo "size-report: $SIZE not found" >&2; exit 1; }

components="base port spinlock pbuf vring mbox mbox_mhu service icmsg rpmsg"
found=0
echo "## amplink on Cortex-M33 (-Os, soft-float, -ffunction-sections + --gc-sections)"
echo
echo "### Component libraries (whole archive, every function)"
echo
printf '| %-10s | %7s | %6s | %6s |\n' component .text .data .bss
printf '|%s|%s|%s|%s|\n' ------------ --------- -------- --------
for c in $components; do
  lib=$(find "$B/src" -name "libamplink_${c}.a" -print -quit 2>/dev/null || true)
  if [ -z "$lib" ]; then
    printf '| %-10s | %7s | %6s | %6s |\n' "$c" "-" "-" "-"
    continue
  fi
  found=$((found + 1))
  read -r t d b < <("$SIZE" -t "$lib" | awk '/TOTALS/ {print $1, $2, $3}')
  printf '| %-10s | %7s | %6s | %6s |\n' "$c" "$t" "$d" "$b"
done
if [ "$found" -eq 0 ]; then
  echo "size-report: no amplink component libraries under $B (build the firmware first)" >&2
  exit 1
fi

# Per-component sums of the input sections a link map placed in the image.
map_sizes() {
  awk '
    function hex(s,   i, c, v) {
      v = 0; s = tolower(s); sub(/^0x/, "", s)
      for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
      return v
    }
    function comp(obj,   m) {
      if (match(obj, /libamplink_[a-z0-9_]+\.a/)) return substr(obj, RSTART + 11, RLENGTH - 13)
      if (obj ~ /libc(_nano)?\.a/) return "(libc)"
      if (obj ~ /libgcc\.a/) return "(libgcc)"
      return "(application)"
    }
    function account(sec, size, obj,   k, c) {
      if (sec ~ /^\.(text|rodata|vectors|ARM|glue|init|fini)/) k = "t"
      else if (sec ~ /^\.data/) k = "d"
      else if (sec ~ /^(\.bss|COMMON)/) k = "b"
      else return
      c = comp(obj); sum[c, k] += hex(size); seen[c] = 1
    }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    # Address 0: an input section the image does not load (e.g. from an
    # archive member pulled in for another symbol), not part of the image.
    pend != "" {
      if ($1 ~ /^0x/ && NF >= 3 && hex($1) != 0) account(pend, $2, $3)
      pend = ""; next
    }
    /^ (\.|COMMON)/ {
      if (NF >= 4 && $2 ~ /^0x/) { if (hex($2) != 0) account($1, $3, $4) } else if (NF == 1) pend = $1
      next
    }
    END { for (c in seen) printf "%s %d %d %d\n", c, sum[c, "t"], sum[c, "d"], sum[c, "b"] }
  ' "$1" | sort
}

echo
echo "### Linked into minimal images (only what the image calls)"
echo
echo "Each stack twice: size-<stack>.elf with every feature of include/amplink/config.h"
echo "(the configuration the tests run), size-<stack>-min.elf with the minimal"
echo "configuration printed under it (one profile or role; firmware/size/CMakeLists.txt)."
summary=""
for img in icmsg icmsg-min rpmsg rpmsg-min; do
  map=$(find "$B" -name "size-${img}.map" -print -quit 2>/dev/null || true)
  echo
  if [ -z "$map" ]; then
    echo "size-${img}.elf: not built (its components are missing from this tree)"
    continue
  fi
  case $img in
    icmsg*) group="service icmsg pbuf"; target=2048; gname="service + ICMsg + pbuf" ;;
    *) group="service rpmsg vring"; target=3072; gname="service + RPMsg + vring" ;;
  esac
  cfg="every feature on: the defaults"
  if [ -f "${map%.map}.cfg" ]; then cfg=$(cat "${map%.map}.cfg"); fi
  echo "size-${img}.elf ($cfg):"
  echo
  printf '| %-14s | %7s | %6s | %6s |\n' component .text .data .bss
  printf '|%s|%s|%s|%s|\n' ---------------- --------- -------- --------
  gt=0; gd=0; gb=0; at=0; ad=0; ab=0; parts=""
  while read -r c t d b; do
    printf '| %-14s | %7d | %6d | %6d |\n' "$c" "$t" "$d" "$b"
    at=$((at + t)); ad=$((ad + d)); ab=$((ab + b))
    for g in $group; do
      if [ "$c" = "$g" ]; then
        gt=$((gt + t)); gd=$((gd + d)); gb=$((gb + b)); parts="$parts${parts:+ + }$t"
      fi
    done
  done < <(map_sizes "$map")
  printf '| %-14s | %7d | %6d | %6d |\n' "image total" "$at" "$ad" "$ab"
  verdict=OK; [ "$gt" -le "$target" ] || verdict=OVER
  echo
  variant=full; case $img in *-min) variant=min ;; esac
  line="$gname, $variant: .text $parts = $gt bytes (target <= $target: $verdict), image .text $at"
  echo "$line"
  summary="$summary$line"$'\n'
done
echo
echo "### Summary (.text of the transport stack; target applies to the minimal configuration)"
echo
printf '%s' "$summary"

# ---- stack depth ------------------------------------------------------------
cis=$(find "$B/src" -name "*.ci" 2>/dev/null | sort || true)
echo
echo "### Worst stack depth (bytes; -fstack-usage frames along the static call graph)"
echo
if [ -z "$cis" ]; then
  echo "no .ci files under $B/src (build with cmake/toolchains/arm-none-eabi.cmake)"
  exit 0
fi
graph=$(mktemp)
trap 'rm -f "$graph"' EXIT
# Flatten: "N <title> <bytes>" and "E <from> <to>".
awk '
  /^node:/ {
    t = $0; sub(/.*title: "/, "", t); sub(/".*/, "", t)
    b = 0
    if ($0 ~ /[0-9]+ bytes \(/) { s = $0; sub(/ bytes \(.*/, "", s); sub(/.*\\n/, "", s); b = s + 0 }
    print "N", t, b
  }
  /^edge:/ {
    s = $0; sub(/.*sourcename: "/, "", s); sub(/".*/, "", s)
    d = $0; sub(/.*targetname: "/, "", d); sub(/".*/, "", d)
    print "E", s, d
  }' $cis >"$graph"

# path <label> <root> <extra bytes> <indirect edges "from=>to" ...>
# Prints the worst depth, the worst depth with the logging calls cut off (the
# error-report path: amp_port_log formats on the stack), and the deepest chain.
path() {
  local label=$1 root=$2 extra=$3
  shift 3
  awk -v root="$root" -v extra="$extra" -v label="$label" -v ind="$*" '
    function base(n) { sub(/.*\//, "", n); return n }
    function find(n,   k) {              # exact title, else a static "file.c:name" suffix
      if (n in frame) return n
      for (k in frame) if (length(k) > length(n) && substr(k, length(k) - length(n) + 1) == n && substr(k, length(k) - length(n), 1) == "/") return k
      return ""
    }
    function depth(n,   i, c, d, best, arg) {
      if (n in memo) return memo[n]
      if (n in onstack) { cyc = 1; return 0 }
      onstack[n] = 1; best = 0; arg = ""
      for (i = 1; i <= nout[n]; i++) {
        c = out[n, i]
        if (c == "__indirect_call") { if (!(n in resolved)) unres[n] = 1; continue }
        d = depth(c)
        if (d > best) { best = d; arg = c }
      }
      delete onstack[n]
      memo[n] = frame[n] + best; next_of[n] = arg
      return memo[n]
    }
    function reset(   k) { for (k in memo) delete memo[k]; for (k in next_of) delete next_of[k] }
    $1 == "N" { if (!($2 in frame) || $3 > frame[$2]) frame[$2] = $3 + 0; next }
    $1 == "E" { out[$2, ++nout[$2]] = $3; next }
    END {
      m = split(ind, pairs, " ")
      for (i = 1; i <= m; i++) {
        split(pairs[i], ft, "=>"); f = find(ft[1]); t = find(ft[2])
        if (f == "" || t == "") { missing = missing " " pairs[i]; continue }
        out[f, ++nout[f]] = t; resolved[f] = 1
      }
      r = find(root)
      if (r == "") { printf "| %-30s | %5s | %7s | root %s not found |\n", label, "-", "-", root; exit }
      d = depth(r) + extra
      chain = ""
      for (n = r; n != ""; n = next_of[n]) chain = chain (chain == "" ? "" : " > ") base(n) "(" frame[n] ")"
      # Again without the logging calls.
      reset(); nout["amp_port_log"] = 0; frame["amp_port_log"] = 0
      q = depth(r) + extra
      nu = 0
      for (u in unres) nu++
      note = ""
      if (nu > 0) note = "; " nu " fn with unresolved indirect calls (app callbacks)"
      if (missing != "") note = note "; unknown in table:" missing
      if (cyc) note = note "; recursion cut"
      printf "| %-30s | %5d | %7d | %s%s |\n", label, d, q, chain, note
    }' "$graph"
}

printf '| %-30s | %5s | %7s | %s |\n' path worst "no log" "deepest chain (frame bytes)"
printf '|%s|%s|%s|%s|\n' -------------------------------- ------- --------- -----------------------------
MBOX_TX="amp_mbox_send=>mhu.c:amp_mhu_send"
path "ICMsg send (amp_ipc_send)" amp_ipc_send 0 \
  "amp_ipc_send=>icmsg_backend.c:icmsg_send" "$MBOX_TX"
path "ICMsg receive (MHU interrupt)" amp_mbox_mhu_isr 32 \
  "amp_mbox_dispatch=>icmsg.c:mbox_cb" "$MBOX_TX"
path "RPMsg send (amp_ipc_send)" amp_ipc_send 0 \
  "amp_ipc_send=>amp_rpmsg_op_send" "$MBOX_TX"
path "RPMsg receive (MHU interrupt)" amp_mbox_mhu_isr 32 \
  "amp_mbox_dispatch=>link.c:rp_mbox_cb" "$MBOX_TX"
echo
echo "(application callbacks not included; the receive paths include 32 bytes of exception frame)"
