/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the seed document's snippets take from the program around them: the
 * global endpoint `ept` and prototypes of the functions they define (so the
 * snippets build without -Wmissing-prototypes warnings).
 */
#ifndef SEED_APP_H
#define SEED_APP_H

#include <stddef.h>
#include <zephyr/ipc/ipc_service.h>

/** The endpoint init_ipc_service() registers (defined in app_main.c). */
extern struct ipc_ept ept;

void endpoint_cb(const void *data, size_t len, void *priv);
void init_ipc_service(void);
void send_signal(void);
void access_shared(void);

#endif /* SEED_APP_H */
