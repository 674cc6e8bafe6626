/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation of one core's devicetree and its reduction to struct amp_dt_system:
 * regions, mailbox controllers, IPC instances.
 *
 * The same code runs in the build-time generator (host program) and in the
 * run-time loader, so a devicetree is refused with the same words in both
 * places. It needs libfdt and the C library's string functions only: no port,
 * no allocation.
 */
#include "dt_internal.h"

#include <amplink/errno.h>

#include <stdio.h>
#include <string.h>

static bool name_is_region_safe(const char *name)
{
	if (name[0] == '\0' || name[0] == '.') {
		return false;
	}
	for (const char *s = name; *s; s++) {
		char ch = *s;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.' || ch == '@';
		if (!ok) {
			return false;
		}
	}
	return strlen(name) <= 63;
}

/* ---- regions ------------------------------------------------------------ */

static int memory_contains(struct dt_ctx *c, uint64_t addr, uint64_t size, bool *have_memory)
{
	int root = 0;
	int node;
	int ac = amp_dti_cells_of(c->fdt, root, "#address-cells", 2);
	int sc = amp_dti_cells_of(c->fdt, root, "#size-cells", 1);

	*have_memory = false;
	fdt_for_each_subnode(node, c->fdt, root)
	{
		int len = 0;
		const char *dt = fdt_getprop(c->fdt, node, "device_type", &len);
		const fdt32_t *reg;

		if (dt == NULL || len <= 0 || strcmp(dt, "memory") != 0 || !amp_dti_node_okay(c->fdt, node)) {
			continue;
		}
		reg = fdt_getprop(c->fdt, node, "reg", &len);
		if (reg == NULL || ac < 1 || ac > 2 || sc < 1 || sc > 2) {
			continue;
		}
		*have_memory = true;
		for (int i = 0; (i + 1) * (ac + sc) * 4 <= len; i++) {
			uint64_t base = amp_dti_read_cells(reg + i * (ac + sc), ac);
			uint64_t msize = amp_dti_read_cells(reg + i * (ac + sc) + ac, sc);

			if (addr >= base && addr - base <= msize && size <= msize - (addr - base)) {
				return 1;
			}
		}
	}
	return 0;
}

/* Regions are cacheable unless marked: amplink's boolean or Zephyr's MPU attribute. */
static bool region_cacheable(const void *fdt, int node)
{
	int len = 0;
	const char *mpu = fdt_getprop(fdt, node, "zephyr,memory-region-mpu", &len);

	if (fdt_getprop(fdt, node, "amplink,uncached", NULL) != NULL) {
		return false;
	}
	return !(mpu != NULL && len > 0 && mpu[len - 1] == '\0' && strcmp(mpu, "RAM_NOCACHE") == 0);
}

static int parse_regions(struct dt_ctx *c)
{
	int rm = fdt_path_offset(c->fdt, "/reserved-memory");
	int node;

	if (rm < 0) {
		return 0;
	}
	fdt_for_each_subnode(node, c->fdt, rm)
	{
		struct amp_dt_region *r;
		uint64_t addr = 0, size = 0;
		bool have_memory = false;
		int rc;

		if (!amp_dti_node_okay(c->fdt, node)) {
			continue;
		}
		if (c->sys->num_regions >= AMP_DT_MAX_REGIONS) {
			amp_dti_set_error(c, node, "", "more than %d reserved-memory regions",
				  AMP_DT_MAX_REGIONS);
			return AMP_ENOMEM;
		}
		rc = amp_dti_get_reg(c, node, &addr, &size, true);
		if (rc != 0) {
			return rc;
		}
		if (size == 0) {
			amp_dti_set_error(c, node, "reg", "region size is 0");
			return AMP_EINVAL;
		}
		if (addr + size < addr) {
			amp_dti_set_error(c, node, "reg", "region wraps around the address space");
			return AMP_EINVAL;
		}
		if (!name_is_region_safe(fdt_get_name(c->fdt, node, NULL))) {
			amp_dti_set_error(c, node, "", "node name not usable as a region name "
					       "(letters, digits, '_', '-', '.', up to 63)");
			return AMP_EINVAL;
		}
		if (!memory_contains(c, addr, size, &have_memory) && have_memory) {
			amp_dti_set_error(c, node, "reg",
				  "region 0x%llx..0x%llx lies outside every /memory node",
				  (unsigned long long)addr, (unsigned long long)(addr + size - 1));
			return AMP_EINVAL;
		}
		for (uint32_t i = 0; i < c->sys->num_regions; i++) {
			const struct amp_dt_region *o = &c->sys->regions[i];

			if (addr < o->addr + o->size && o->addr < addr + size) {
				char other[128];

				amp_dti_node_path(c->fdt, c->region_off[i], other, sizeof(other));
				amp_dti_set_error(c, node, "reg",
					  "region 0x%llx..0x%llx overlaps %s (0x%llx..0x%llx)",
					  (unsigned long long)addr,
					  (unsigned long long)(addr + size - 1), other,
					  (unsigned long long)o->addr,
					  (unsigned long long)(o->addr + o->size - 1));
				return AMP_EINVAL;
			}
		}
		c->region_off[c->sys->num_regions] = node;
		c->region_user[c->sys->num_regions] = -1;
		r = &c->sys->regions[c->sys->num_regions++];
		r->name = fdt_get_name(c->fdt, node, NULL);
		r->label = amp_dti_node_label(c->fdt, node);
		r->addr = addr;
		r->size = size;
		r->cacheable = region_cacheable(c->fdt, node);
	}
	return 0;
}

/* Resolve a phandle property to a region index, claiming the region for @p user. */
static int region_ref(struct dt_ctx *c, int off, const char *prop, int user, int32_t *idx)
{
	uint32_t ph = 0;
	bool present = false;
	int target;
	int rc = amp_dti_get_u32(c, off, prop, &ph, &present);

	if (rc != 0) {
		return rc;
	}
	if (!present) {
		amp_dti_set_error(c, off, prop, "missing (required)");
		return AMP_EINVAL;
	}
	target = fdt_node_offset_by_phandle(c->fdt, ph);
	if (target < 0) {
		amp_dti_set_error(c, off, prop, "phandle 0x%x refers to no node", ph);
		return AMP_EINVAL;
	}
	for (uint32_t i = 0; i < c->sys->num_regions; i++) {
		if (c->region_off[i] != target) {
			continue;
		}
		if (c->region_user[i] >= 0 && c->region_user[i] != user) {
			char other[128];

			amp_dti_node_path(c->fdt, c->region_user[i], other, sizeof(other));
			amp_dti_set_error(c, off, prop, "region %s is already used by %s",
				  c->sys->regions[i].name, other);
			return AMP_EINVAL;
		}
		c->region_user[i] = user;
		*idx = (int32_t)i;
		return 0;
	}
	{
		char tpath[128];
		int parent = fdt_parent_offset(c->fdt, target);
		int rm = fdt_path_offset(c->fdt, "/reserved-memory");

		amp_dti_node_path(c->fdt, target, tpath, sizeof(tpath));
		if (rm < 0 || parent != rm) {
			amp_dti_set_error(c, off, prop, "%s is not a child of /reserved-memory", tpath);
		} else {
			amp_dti_set_error(c, off, prop, "%s is disabled", tpath);
		}
	}
	return AMP_EINVAL;
}

/* ---- mailbox controllers -------------------------------------------------- */

static int parse_channel_list(struct dt_ctx *c, int off, const char *prop, struct amp_dt_mbox *m,
			      uint32_t *mask)
{
	int len = 0;
	const fdt32_t *p = fdt_getprop(c->fdt, off, prop, &len);

	if (p == NULL) {
		return 0;
	}
	if (len % 4 != 0) {
		amp_dti_set_error(c, off, prop, "must be a list of 32-bit cells");
		return AMP_EINVAL;
	}
	for (int i = 0; i < len / 4; i++) {
		uint32_t ch = fdt32_to_cpu(p[i]);

		if (ch >= m->channels) {
			amp_dti_set_error(c, off, prop, "channel %u out of range (the controller has %u)", ch,
				  m->channels);
			return AMP_EINVAL;
		}
		*mask |= 1u << ch;
	}
	return 0;
}

static int parse_mbox(struct dt_ctx *c, int off, enum amp_dt_mbox_type type)
{
	static const char *const waits[] = {"futex", "poll", "adaptive", NULL};
	static const char *const ipm_modes[] = {"id-is-channel", "id-in-data", NULL};
	struct amp_dt_mbox *m;
	uint32_t idx = c->sys->num_mboxes;
	uint32_t v = 0;
	bool present = false;
	int rc, e = 0;

	if (idx >= AMP_DT_MAX_MBOXES) {
		amp_dti_set_error(c, off, "", "more than %d mailbox controllers", AMP_DT_MAX_MBOXES);
		return AMP_ENOMEM;
	}
	m = &c->sys->mboxes[idx];
	memset(m, 0, sizeof(*m));
	m->name = fdt_get_name(c->fdt, off, NULL);
	m->label = amp_dti_node_label(c->fdt, off);
	m->type = type;
	m->region = -1;
	m->cells = 1;
	rc = amp_dti_get_u32(c, off, "#mbox-cells", &v, &present);
	if (rc != 0) {
		return rc;
	}
	if (present && v != 1) {
		amp_dti_set_error(c, off, "#mbox-cells", "must be 1 (the channel number), found %u", v);
		return AMP_EINVAL;
	}
	if (type == AMP_DT_MBOX_LINUX_DOORBELL) {
		m->channels = DOORBELL_DEFAULT_CHANNELS;
		rc = amp_dti_get_u32(c, off, "amplink,channels", &v, &present);
		if (rc != 0) {
			return rc;
		}
		if (present) {
			if (v == 0 || v > 32) {
				amp_dti_set_error(c, off, "amplink,channels", "must be 1..32, found %u", v);
				return AMP_EINVAL;
			}
			m->channels = v;
		}
		rc = amp_dti_get_u32(c, off, "amplink,mtu", &v, &present);
		if (rc != 0) {
			return rc;
		}
		if (present) {
			if (v > 56) {
				amp_dti_set_error(c, off, "amplink,mtu", "must be 0..56 bytes, found %u", v);
				return AMP_EINVAL;
			}
			m->mtu = v;
		}
		rc = amp_dti_get_enum(c, off, "amplink,wait", waits, AMP_DT_WAIT_FUTEX, &e);
		if (rc != 0) {
			return rc;
		}
		m->wait = (enum amp_dt_wait)e;
		rc = amp_dti_get_enum(c, off, "amplink,ipm-mode", ipm_modes, AMP_DT_IPM_ID_IS_CHANNEL, &e);
		if (rc != 0) {
			return rc;
		}
		m->ipm_mode = (enum amp_dt_ipm_mode)e;
		if (m->ipm_mode == AMP_DT_IPM_ID_IN_DATA && m->mtu < 4) {
			amp_dti_set_error(c, off, "amplink,ipm-mode",
				  "\"id-in-data\" needs amplink,mtu >= 4 (found %u)", m->mtu);
			return AMP_EINVAL;
		}
		rc = amp_dti_get_u32(c, off, "amplink,side", &v, &present);
		if (rc != 0) {
			return rc;
		}
		if (!present || v > 1) {
			amp_dti_set_error(c, off, "amplink,side",
				  present ? "must be 0 or 1" : "missing (required: 0 or 1)");
			return AMP_EINVAL;
		}
		m->side = v;
		rc = region_ref(c, off, "memory-region", off, &m->region);
		if (rc != 0) {
			return rc;
		}
		if (c->sys->regions[m->region].size < DOORBELL_REGION_SIZE) {
			amp_dti_set_error(c, off, "memory-region",
				  "region %s is %llu bytes; a doorbell needs at least %u",
				  c->sys->regions[m->region].name,
				  (unsigned long long)c->sys->regions[m->region].size,
				  DOORBELL_REGION_SIZE);
			return AMP_EINVAL;
		}
	} else {
		uint64_t addr = 0, size = 0;
		int len = 0;
		const fdt32_t *irq;

		m->channels = MHU_CHANNELS;
		rc = amp_dti_get_reg(c, off, &addr, &size, false);
		if (rc != 0) {
			return rc;
		}
		m->reg_addr = addr;
		irq = fdt_getprop(c->fdt, off, "interrupts", &len);
		if (irq == NULL || len < 4) {
			amp_dti_set_error(c, off, "interrupts", "missing (required)");
			return AMP_EINVAL;
		}
		m->irq = fdt32_to_cpu(irq[0]);
	}
	rc = parse_channel_list(c, off, "amplink,tx-channels", m, &m->tx_mask);
	if (rc == 0) {
		rc = parse_channel_list(c, off, "amplink,rx-channels", m, &m->rx_mask);
	}
	if (rc != 0) {
		return rc;
	}
	if (m->ipm_mode == AMP_DT_IPM_ID_IN_DATA) {
		if (m->tx_mask == 0) {
			amp_dti_set_error(c, off, "amplink,tx-channels",
				  "\"id-in-data\" IPM needs an outbound channel here");
			return AMP_EINVAL;
		}
		while (((m->tx_mask >> m->ipm_tx_channel) & 1u) == 0) {
			m->ipm_tx_channel++;
		}
	}
	if ((m->tx_mask & m->rx_mask) != 0) {
		amp_dti_set_error(c, off, "amplink,rx-channels", "channel listed as both tx and rx");
		return AMP_EINVAL;
	}
	for (int ch = 0; ch < 32; ch++) {
		c->chan_user[idx][ch] = ((m->tx_mask | m->rx_mask) >> ch) & 1u ? off : -1;
	}
	c->mbox_off[idx] = off;
	c->sys->num_mboxes++;
	return 0;
}

/* ---- IPC instances ---------------------------------------------------------- */

/* Resolve the `mboxes` entry called @p want ("tx"/"rx") and claim its channel. */
static int mbox_ref(struct dt_ctx *c, int off, const char *want, bool tx,
		    struct amp_dt_mbox_ref *ref)
{
	int len = 0;
	const fdt32_t *p = fdt_getprop(c->fdt, off, "mboxes", &len);
	int names = fdt_stringlist_count(c->fdt, off, "mbox-names");
	int want_idx = fdt_stringlist_search(c->fdt, off, "mbox-names", want);
	int entry = 0;
	int pos = 0;

	if (p == NULL) {
		amp_dti_set_error(c, off, "mboxes", "missing (required)");
		return AMP_EINVAL;
	}
	if (names < 0) {
		amp_dti_set_error(c, off, "mbox-names", "missing (required)");
		return AMP_EINVAL;
	}
	if (want_idx < 0) {
		amp_dti_set_error(c, off, "mbox-names", "has no \"%s\" entry", want);
		return AMP_EINVAL;
	}
	if (len % 4 != 0) {
		amp_dti_set_error(c, off, "mboxes", "must be a list of 32-bit cells");
		return AMP_EINVAL;
	}
	while (pos < len / 4) {
		uint32_t ph = fdt32_to_cpu(p[pos]);
		int ctl = fdt_node_offset_by_phandle(c->fdt, ph);
		int mi = -1;
		uint32_t ch;

		if (ctl < 0) {
			amp_dti_set_error(c, off, "mboxes", "entry %d: phandle 0x%x refers to no node", entry,
				  ph);
			return AMP_EINVAL;
		}
		for (uint32_t i = 0; i < c->sys->num_mboxes; i++) {
			if (c->mbox_off[i] == ctl) {
				mi = (int)i;
			}
		}
		if (mi < 0) {
			char cpath[128];

			amp_dti_node_path(c->fdt, ctl, cpath, sizeof(cpath));
			amp_dti_set_error(c, off, "mboxes",
				  "entry %d: %s is not an enabled mailbox controller (%s or %s)",
				  entry, cpath, COMPAT_DOORBELL, COMPAT_MHU);
			return AMP_EINVAL;
		}
		if (pos + 1 >= len / 4) {
			amp_dti_set_error(c, off, "mboxes", "entry %d: missing channel cell", entry);
			return AMP_EINVAL;
		}
		ch = fdt32_to_cpu(p[pos + 1]);
		if (entry == want_idx) {
			struct amp_dt_mbox *m = &c->sys->mboxes[mi];
			int *user = &c->chan_user[mi][ch < 32 ? ch : 0];

			if (ch >= m->channels) {
				amp_dti_set_error(c, off, "mboxes",
					  "%s channel %u out of range (%s has %u channels)", want, ch,
					  m->name, m->channels);
				return AMP_EINVAL;
			}
			if (*user >= 0 && *user != off) {
				char other[128];

				amp_dti_node_path(c->fdt, *user, other, sizeof(other));
				amp_dti_set_error(c, off, "mboxes", "%s channel %u of %s is already used by %s",
					  want, ch, m->name, other);
				return AMP_EINVAL;
			}
			if (((tx ? m->rx_mask : m->tx_mask) >> ch) & 1u) {
				amp_dti_set_error(c, off, "mboxes", "%s channel %u of %s is already used as %s",
					  want, ch, m->name, tx ? "rx" : "tx");
				return AMP_EINVAL;
			}
			*user = off;
			if (tx) {
				m->tx_mask |= 1u << ch;
			} else {
				m->rx_mask |= 1u << ch;
			}
			ref->mbox = (uint32_t)mi;
			ref->channel = ch;
			return 0;
		}
		pos += 2;
		entry++;
	}
	amp_dti_set_error(c, off, "mboxes", "has %d entries but mbox-names names \"%s\" as entry %d", entry,
		  want, want_idx);
	return AMP_EINVAL;
}

static int parse_ipc(struct dt_ctx *c, int off, enum amp_dt_ipc_type type)
{
	static const char *const unbounds[] = {"disable", "enable", "detect", NULL};
	static const char *const roles[] = {"host", "remote", NULL};
	struct amp_dt_ipc *d;
	uint32_t v = 0;
	bool present = false;
	int rc, e = 0;
	int names;

	if (c->sys->num_ipc >= AMP_DT_MAX_IPC) {
		amp_dti_set_error(c, off, "", "more than %d IPC instances", AMP_DT_MAX_IPC);
		return AMP_ENOMEM;
	}
	d = &c->sys->ipc[c->sys->num_ipc];
	memset(d, 0, sizeof(*d));
	d->name = fdt_get_name(c->fdt, off, NULL);
	d->label = amp_dti_node_label(c->fdt, off);
	d->type = type;
	d->tx_region = d->rx_region = d->memory_region = -1;
	names = fdt_stringlist_count(c->fdt, off, "mbox-names");
	if (names >= 0 && names != 2 && fdt_getprop(c->fdt, off, "mboxes", NULL) != NULL) {
		amp_dti_set_error(c, off, "mbox-names", "must name exactly two channels, \"tx\" and \"rx\"");
		return AMP_EINVAL;
	}
	if (type == AMP_DT_IPC_ICMSG) {
		rc = region_ref(c, off, "tx-region", off, &d->tx_region);
		if (rc == 0) {
			rc = region_ref(c, off, "rx-region", off, &d->rx_region);
		}
		if (rc != 0) {
			return rc;
		}
		if (d->tx_region == d->rx_region) {
			amp_dti_set_error(c, off, "rx-region", "must differ from tx-region");
			return AMP_EINVAL;
		}
		rc = amp_dti_get_u32(c, off, "dcache-alignment", &v, &present);
		if (rc != 0) {
			return rc;
		}
		if (present && (v & (v - 1)) != 0) {
			amp_dti_set_error(c, off, "dcache-alignment", "must be a power of two, found %u", v);
			return AMP_EINVAL;
		}
		d->dcache_alignment = present ? v : 0;
		rc = amp_dti_get_enum(c, off, "unbound", unbounds, AMP_DT_UNBOUND_DISABLE, &e);
		if (rc != 0) {
			return rc;
		}
		d->unbound = (enum amp_dt_unbound)e;
	} else {
		rc = region_ref(c, off, "memory-region", off, &d->memory_region);
		if (rc != 0) {
			return rc;
		}
		if (fdt_getprop(c->fdt, off, "role", NULL) == NULL) {
			amp_dti_set_error(c, off, "role", "missing (required: \"host\" or \"remote\")");
			return AMP_EINVAL;
		}
		rc = amp_dti_get_enum(c, off, "role", roles, AMP_DT_ROLE_HOST, &e);
		if (rc != 0) {
			return rc;
		}
		d->role = (enum amp_dt_role)e;
		rc = amp_dti_get_u32(c, off, "zephyr,buffer-size", &v, &present);
		if (rc != 0) {
			return rc;
		}
		d->buffer_size = present ? v : RPMSG_DEFAULT_BUFFER_SIZE;
		if (d->buffer_size <= RPMSG_HEADER_SIZE || d->buffer_size % 4 != 0 ||
		    d->buffer_size > c->sys->regions[d->memory_region].size) {
			amp_dti_set_error(c, off, "zephyr,buffer-size",
				  "%u is not a usable buffer size (a multiple of 4, > %u, "
				  "within the region)",
				  d->buffer_size, RPMSG_HEADER_SIZE);
			return AMP_EINVAL;
		}
	}
	rc = mbox_ref(c, off, "tx", true, &d->tx);
	if (rc == 0) {
		rc = mbox_ref(c, off, "rx", false, &d->rx);
	}
	if (rc != 0) {
		return rc;
	}
	c->ipc_off[c->sys->num_ipc++] = off;
	return 0;
}

/* A compatible in one of our namespaces that we do not know is a mistake. */
static int check_unknown_compatible(struct dt_ctx *c, int off)
{
	int len = 0;
	const char *p = fdt_getprop(c->fdt, off, "compatible", &len);

	if (p == NULL || len <= 0) {
		return 0;
	}
	for (const char *s = p; s < p + len; s += strlen(s) + 1) {
		if (strcmp(s, COMPAT_ICMSG) == 0 || strcmp(s, COMPAT_RPMSG) == 0 ||
		    strcmp(s, COMPAT_DOORBELL) == 0 || strcmp(s, COMPAT_MHU) == 0) {
			return 0;
		}
	}
	for (const char *s = p; s < p + len; s += strlen(s) + 1) {
		if (strncmp(s, "zephyr,ipc-", 11) == 0 || strncmp(s, "amplink,", 8) == 0) {
			amp_dti_set_error(c, off, "compatible",
				  "unknown compatible \"%s\" (known: %s, %s, %s, %s)", s,
				  COMPAT_ICMSG, COMPAT_RPMSG, COMPAT_DOORBELL, COMPAT_MHU);
			return AMP_EINVAL;
		}
	}
	return 0;
}

/* The header, checked by hand before libfdt sees the blob: libfdt 1.6's
 * fdt_check_full() reads out of bounds on some hostile headers (e.g. an old
 * version number with inconsistent sizes). Only version 17 blobs, as dtc
 * writes them, are accepted. */
static bool header_sane(const void *fdt, size_t len)
{
	const fdt32_t *h = fdt;
	uint64_t total, rsv, st, st_size, str, str_size;

	if (len < sizeof(struct fdt_header) || ((uintptr_t)fdt % 8u) != 0) {
		return false;
	}
	if (fdt32_to_cpu(h[0]) != FDT_MAGIC || fdt32_to_cpu(h[5]) != 17 ||
	    fdt32_to_cpu(h[6]) > 17) {
		return false;
	}
	total = fdt32_to_cpu(h[1]);
	st = fdt32_to_cpu(h[2]);
	str = fdt32_to_cpu(h[3]);
	rsv = fdt32_to_cpu(h[4]);
	str_size = fdt32_to_cpu(h[8]);
	st_size = fdt32_to_cpu(h[9]);
	return total >= sizeof(struct fdt_header) && total <= len &&
	       rsv >= sizeof(struct fdt_header) && rsv % 8u == 0 && rsv < total &&
	       st >= sizeof(struct fdt_header) && st % 4u == 0 && st + st_size <= total &&
	       str >= sizeof(struct fdt_header) && str + str_size <= total;
}

int amp_dt_load(const void *fdt, size_t len, struct amp_dt_system *sys, struct amp_dt_error *err)
{
	struct dt_ctx c;
	int off, depth = 0, rc;

	if (fdt == NULL || sys == NULL) {
		return AMP_EINVAL;
	}
	memset(&c, 0, sizeof(c));
	memset(sys, 0, sizeof(*sys));
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
	}
	c.fdt = fdt;
	c.sys = sys;
	c.err = err;
	if (!header_sane(fdt, len) || fdt_check_header(fdt) != 0 || fdt_check_full(fdt, len) != 0) {
		amp_dti_set_error(&c, -1, "", "not a valid flattened devicetree blob");
		return AMP_EBADMSG;
	}
	sys->model = fdt_getprop(fdt, 0, "model", NULL);

	rc = parse_regions(&c);
	if (rc != 0) {
		return rc;
	}
	/* Pass 1: controllers (IPC nodes refer to them). Pass 2: instances. */
	for (int pass = 0; pass < 2; pass++) {
		depth = 0;
		for (off = fdt_next_node(fdt, -1, &depth); off >= 0;
		     off = fdt_next_node(fdt, off, &depth)) {
			if (pass == 0) {
				rc = check_unknown_compatible(&c, off);
				if (rc != 0) {
					return rc;
				}
			}
			if (!amp_dti_node_okay(fdt, off)) {
				continue;
			}
			if (pass == 0 && fdt_node_check_compatible(fdt, off, COMPAT_DOORBELL) == 0) {
				rc = parse_mbox(&c, off, AMP_DT_MBOX_LINUX_DOORBELL);
			} else if (pass == 0 && fdt_node_check_compatible(fdt, off, COMPAT_MHU) == 0) {
				rc = parse_mbox(&c, off, AMP_DT_MBOX_ARM_MHU);
			} else if (pass == 1 && fdt_node_check_compatible(fdt, off, COMPAT_ICMSG) == 0) {
				rc = parse_ipc(&c, off, AMP_DT_IPC_ICMSG);
			} else if (pass == 1 && fdt_node_check_compatible(fdt, off, COMPAT_RPMSG) == 0) {
				rc = parse_ipc(&c, off, AMP_DT_IPC_RPMSG);
			}
			if (rc != 0) {
				return rc;
			}
		}
	}
	return 0;
}
