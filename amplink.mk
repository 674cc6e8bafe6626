# SPDX-License-Identifier: Apache-2.0
# amplink source lists for firmware projects that do not use CMake.
#
# Include this file from your Makefile with AMPLINK_DIR set to the checkout:
#
#   AMPLINK_DIR := third_party/amplink
#   include $(AMPLINK_DIR)/amplink.mk
#   SRCS   += $(AMPLINK_CORE_SRCS) $(AMPLINK_ICMSG_SRCS) $(AMPLINK_PORT_BAREMETAL_SRCS) \
#             $(AMPLINK_MBOX_MHU_SRCS)
#   CFLAGS += $(addprefix -I,$(AMPLINK_INCLUDE_DIRS)) -std=c11
#
# Pick one port, the transports and the mailbox drivers you use; every list is
# self-contained apart from AMPLINK_CORE_SRCS, which every build needs. The
# lists mirror the CMake components of the same names (tests/build/ checks that
# every library source appears here).

AMPLINK_DIR ?= $(dir $(lastword $(MAKEFILE_LIST)))
amp_src := $(AMPLINK_DIR)/src

AMPLINK_INCLUDE_DIRS := $(AMPLINK_DIR)/include $(amp_src)

# Error names, the service, the generic mailbox layer (components base, service, mbox).
AMPLINK_CORE_SRCS := \
	$(amp_src)/lib/strerror.c \
	$(amp_src)/service/ipc_service.c \
	$(amp_src)/drivers/mbox/mbox.c

# Building blocks.
AMPLINK_SPINLOCK_SRCS := $(amp_src)/lib/spinlock.c
AMPLINK_PBUF_SRCS     := $(amp_src)/lib/pbuf.c
AMPLINK_VRING_SRCS    := $(amp_src)/lib/vring.c

# Transports (each includes the building blocks it needs).
AMPLINK_ICMSG_SRCS := $(AMPLINK_PBUF_SRCS) \
	$(amp_src)/backends/icmsg/icmsg.c \
	$(amp_src)/backends/icmsg/icmsg_backend.c
AMPLINK_RPMSG_SRCS := $(AMPLINK_VRING_SRCS) \
	$(amp_src)/backends/rpmsg/layout.c \
	$(amp_src)/backends/rpmsg/link.c \
	$(amp_src)/backends/rpmsg/ns.c \
	$(amp_src)/backends/rpmsg/endpoint.c \
	$(amp_src)/backends/rpmsg/buffers.c
AMPLINK_LOOPBACK_SRCS := $(amp_src)/backends/loopback/loopback.c

# Mailbox drivers.
AMPLINK_MBOX_LOOPBACK_SRCS := $(amp_src)/drivers/mbox/loopback/mbox_loopback.c
AMPLINK_MBOX_MHU_SRCS      := $(amp_src)/drivers/mbox/mhu/mhu.c
AMPLINK_MBOX_LINUX_SRCS    := \
	$(amp_src)/drivers/mbox/linux/mbox_linux.c \
	$(amp_src)/drivers/mbox/linux/mbox_linux_irq.c

# Ports. Bare metal: set AMPLINK_BM_ARCH / AMPLINK_BM_BOARD for other targets,
# and add -DAMP_PORT_NO_DCACHE=1 to CFLAGS on cores without a data cache.
AMPLINK_BM_ARCH  ?= cortex_m
AMPLINK_BM_BOARD ?= an521
AMPLINK_PORT_BAREMETAL_SRCS := \
	$(amp_src)/port/baremetal/port.c \
	$(amp_src)/port/baremetal/fmt.c \
	$(amp_src)/port/baremetal/arch/$(AMPLINK_BM_ARCH)/arch.c \
	$(amp_src)/port/baremetal/board/$(AMPLINK_BM_BOARD).c
AMPLINK_PORT_POSIX_SRCS := \
	$(amp_src)/port/posix/port.c \
	$(amp_src)/port/posix/shm.c \
	$(amp_src)/port/posix/cache_emu.c
AMPLINK_PORT_POSIX_LDLIBS := -lpthread
# Optional, for every file that includes amplink: inline, gated cache maintenance.
AMPLINK_PORT_POSIX_CFLAGS := -DAMP_PORT_DCACHE_GATED=1

# Devicetree run-time loader (Linux, needs libfdt: add -lfdt).
AMPLINK_DEVICETREE_SRCS := \
	$(amp_src)/devicetree/dt_parse.c \
	$(amp_src)/devicetree/dt_props.c \
	$(amp_src)/devicetree/dt_file.c
