/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the devicetree validation files: the parse context and the
 * property readers, all of which report errors as node + property.
 */
#ifndef AMP_DT_INTERNAL_H
#define AMP_DT_INTERNAL_H

#include <amplink/devicetree.h>

#include <libfdt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COMPAT_ICMSG "zephyr,ipc-icmsg"
#define COMPAT_RPMSG "zephyr,ipc-openamp-static-vrings"
#define COMPAT_DOORBELL "amplink,linux-doorbell"
#define COMPAT_MHU "arm,mhu"

#define DOORBELL_DEFAULT_CHANNELS 8u
#define RPMSG_DEFAULT_BUFFER_SIZE 512u
#define RPMSG_HEADER_SIZE 16u
#define MHU_CHANNELS 2u
/* AMP_MBOX_LINUX_REGION_SIZE of amplink/mbox_linux.h; kept here so the host
 * generator does not depend on driver headers. */
#define DOORBELL_REGION_SIZE 4288u

/* Parse state: the blob, the output, and node offsets parallel to the output
 * arrays so phandles can be resolved to indexes. */
struct dt_ctx {
	const void *fdt;
	struct amp_dt_system *sys;
	struct amp_dt_error *err;
	int region_off[AMP_DT_MAX_REGIONS];
	int mbox_off[AMP_DT_MAX_MBOXES];
	int ipc_off[AMP_DT_MAX_IPC];
	/* who uses each region / channel, to refuse double use */
	int region_user[AMP_DT_MAX_REGIONS];
	int chan_user[AMP_DT_MAX_MBOXES][32];
};

/* Record an error (node at @p off, property @p prop) unless errors are not wanted. */
void amp_dti_set_error(struct dt_ctx *c, int off, const char *prop, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
void amp_dti_node_path(const void *fdt, int off, char *buf, size_t size);
bool amp_dti_node_okay(const void *fdt, int off);
const char *amp_dti_node_label(const void *fdt, int off);
int amp_dti_get_u32(struct dt_ctx *c, int off, const char *prop, uint32_t *val, bool *present);
int amp_dti_get_enum(struct dt_ctx *c, int off, const char *prop, const char *const *names,
		     int dflt, int *out);
int amp_dti_cells_of(const void *fdt, int parent, const char *name, uint32_t dflt);
uint64_t amp_dti_read_cells(const fdt32_t *p, int n);
int amp_dti_get_reg(struct dt_ctx *c, int off, uint64_t *addr, uint64_t *size, bool need_size);

#endif /* AMP_DT_INTERNAL_H */
