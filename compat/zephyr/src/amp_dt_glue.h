/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Storage of the drivers and transports a core's devicetree instantiates.
 * Depends on the core's configuration (CONFIG_* from prj.conf, AMP_PORT_*),
 * so it is compiled with each core: the generated amp_dt_devices.c declares
 * arrays of these unions sized by the devicetree, dt_init.c fills them in.
 */
#ifndef Z_AMP_DT_GLUE_H
#define Z_AMP_DT_GLUE_H

#include "z_amp_dev.h"

#if defined(AMP_PORT_POSIX) && (defined(CONFIG_MBOX) || defined(CONFIG_IPM))
#include <amplink/mbox_linux.h>
#define Z_AMP_HAVE_LINUX_DOORBELL 1
#endif
#if defined(AMP_PORT_BAREMETAL) && (defined(CONFIG_MBOX) || defined(CONFIG_IPM))
#include <amplink/mbox_mhu.h>
#define Z_AMP_HAVE_MHU 1
#endif
#if defined(CONFIG_IPC_SERVICE) && defined(CONFIG_IPC_SERVICE_BACKEND_ICMSG)
#include <amplink/icmsg.h>
#endif
#if defined(CONFIG_IPC_SERVICE) && defined(CONFIG_IPC_SERVICE_BACKEND_RPMSG)
#include <amplink/rpmsg.h>
#endif

#if defined(Z_AMP_HAVE_LINUX_DOORBELL)
struct z_amp_linux_doorbell {
	struct amp_mbox_linux_cfg cfg;
	struct amp_mbox_linux state;
};
#endif

#if defined(Z_AMP_HAVE_MHU)
struct z_amp_mhu {
	struct amp_mbox_mhu_cfg cfg;
	struct amp_mbox_mhu state;
};
#endif

/** Driver state of one mailbox controller. */
union z_amp_mbox_drv {
	char none;
#if defined(Z_AMP_HAVE_LINUX_DOORBELL)
	struct z_amp_linux_doorbell doorbell;
#endif
#if defined(Z_AMP_HAVE_MHU)
	struct z_amp_mhu mhu;
#endif
};

#if defined(CONFIG_IPC_SERVICE) && defined(CONFIG_IPC_SERVICE_BACKEND_ICMSG)
struct z_amp_icmsg {
	struct amp_icmsg_cfg cfg;
	struct amp_icmsg ic;
	/* bounce buffer for messages that wrap around the ring end (Zephyr copies
	 * every message into a buffer of this size) */
	uint8_t rx_buf[CONFIG_PBUF_RX_READ_BUF_SIZE];
};
#endif

#if defined(CONFIG_IPC_SERVICE) && defined(CONFIG_IPC_SERVICE_BACKEND_RPMSG)
_Static_assert(CONFIG_IPC_SERVICE_BACKEND_RPMSG_NUM_ENDPOINTS_PER_INSTANCE >= 1 &&
		       CONFIG_IPC_SERVICE_BACKEND_RPMSG_NUM_ENDPOINTS_PER_INSTANCE <=
			       AMP_RPMSG_MAX_ENDPOINTS,
	       "CONFIG_IPC_SERVICE_BACKEND_RPMSG_NUM_ENDPOINTS_PER_INSTANCE must be 1.."
	       "AMP_RPMSG_MAX_ENDPOINTS (the transport's compile-time table size)");

struct z_amp_rpmsg {
	struct amp_rpmsg_cfg cfg;
	struct amp_rpmsg rp;
	struct amp_ipc_instance inst;
};
#endif

/** Transport state of one IPC instance. */
union z_amp_ipc_backend {
	char none;
#if defined(CONFIG_IPC_SERVICE) && defined(CONFIG_IPC_SERVICE_BACKEND_ICMSG)
	struct z_amp_icmsg icmsg;
#endif
#if defined(CONFIG_IPC_SERVICE) && defined(CONFIG_IPC_SERVICE_BACKEND_RPMSG)
	struct z_amp_rpmsg rpmsg;
#endif
};

#endif /* Z_AMP_DT_GLUE_H */
