#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# amplink.mk must list every library source, and its lists must compile on
# their own: the posix port and transports with the host compiler, the
# bare-metal port and MHU driver with arm-none-eabi-gcc when it is installed.
#   check_make_lists.sh <source dir> <host C compiler>
set -euo pipefail
src=$1
cc=$2
fail=0

vars=$(make -s --no-print-directory -f - <<MK
AMPLINK_DIR := $src
include $src/amplink.mk
all:
	@echo "\$(AMPLINK_CORE_SRCS) \$(AMPLINK_SPINLOCK_SRCS) \$(AMPLINK_ICMSG_SRCS) \$(AMPLINK_RPMSG_SRCS) \$(AMPLINK_LOOPBACK_SRCS) \$(AMPLINK_MBOX_LOOPBACK_SRCS) \$(AMPLINK_MBOX_LINUX_SRCS) \$(AMPLINK_PORT_POSIX_SRCS) \$(AMPLINK_DEVICETREE_SRCS)"
	@echo "\$(AMPLINK_CORE_SRCS) \$(AMPLINK_SPINLOCK_SRCS) \$(AMPLINK_ICMSG_SRCS) \$(AMPLINK_RPMSG_SRCS) \$(AMPLINK_MBOX_LOOPBACK_SRCS) \$(AMPLINK_MBOX_MHU_SRCS) \$(AMPLINK_PORT_BAREMETAL_SRCS)"
	@echo "\$(AMPLINK_INCLUDE_DIRS)"
MK
)
host_srcs=$(sed -n 1p <<<"$vars")
bm_srcs=$(sed -n 2p <<<"$vars")
incs=$(sed -n 3p <<<"$vars" | sed 's/\([^ ]*\)/-I\1/g')

# 1. every library source is listed (the generator is a build-time host tool)
while read -r f; do
  rel=${f#"$src"/}
  if ! grep -q "$(basename "$rel")" <<<"$host_srcs $bm_srcs"; then
    echo "amplink.mk does not list $rel" >&2
    fail=1
  fi
done < <(find "$src/src" -name '*.c' ! -path '*/devicetree/gen/*' | sort)

# 2. the lists compile with nothing but their include directories
for f in $host_srcs; do
  [ -f "$f" ] || { echo "amplink.mk names a missing file: $f" >&2; fail=1; continue; }
  $cc -std=c11 -fsyntax-only $incs "$f" || { echo "does not compile from amplink.mk: $f" >&2; fail=1; }
done
if command -v arm-none-eabi-gcc >/dev/null; then
  for f in $bm_srcs; do
    arm-none-eabi-gcc -std=c11 -mcpu=cortex-m33 -mthumb -fsyntax-only -DAMP_PORT_NO_DCACHE=1 \
      $incs "$f" || { echo "does not compile for Cortex-M33 from amplink.mk: $f" >&2; fail=1; }
  done
fi
[ $fail -eq 0 ] && echo "amplink.mk: every source listed, every list compiles"
exit $fail
