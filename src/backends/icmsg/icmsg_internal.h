/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the ICMsg core and its IPC-service adapter. */
#ifndef AMP_ICMSG_INTERNAL_H
#define AMP_ICMSG_INTERNAL_H

#include <amplink/ipc_backend.h>

extern const struct amp_ipc_backend_ops amp_icmsg_backend_ops;

#endif /* AMP_ICMSG_INTERNAL_H */
