/* SPDX-License-Identifier: Apache-2.0 */
/* Calls between the generic bare-metal port and its arch half. */
#ifndef AMP_PORT_BAREMETAL_INTERNAL_H
#define AMP_PORT_BAREMETAL_INTERNAL_H

/* Start the time base now (otherwise the first amp_port_now_ns() does). */
void amp_bm_time_init(void);

#endif /* AMP_PORT_BAREMETAL_INTERNAL_H */
