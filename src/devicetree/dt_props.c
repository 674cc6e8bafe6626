/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Property readers of the devicetree validation (each failure names the node
 * and the property), error formatting and look-ups in a description.
 */
#include "dt_internal.h"

#include <amplink/errno.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void amp_dti_set_error(struct dt_ctx *c, int off, const char *prop, const char *fmt, ...)
{
	va_list ap;

	if (c->err == NULL) {
		return;
	}
	if (off < 0 || fdt_get_path(c->fdt, off, c->err->node, sizeof(c->err->node)) != 0) {
		snprintf(c->err->node, sizeof(c->err->node), "%s", off == 0 ? "/" : "?");
	}
	snprintf(c->err->property, sizeof(c->err->property), "%s", prop != NULL ? prop : "");
	va_start(ap, fmt);
	vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
	va_end(ap);
}

void amp_dti_node_path(const void *fdt, int off, char *buf, size_t size)
{
	if (fdt_get_path(fdt, off, buf, (int)size) != 0) {
		snprintf(buf, size, "?");
	}
}

bool amp_dti_node_okay(const void *fdt, int off)
{
	int len = 0;
	const char *st = fdt_getprop(fdt, off, "status", &len);

	if (st == NULL) {
		return true;
	}
	return len > 0 && (strcmp(st, "okay") == 0 || strcmp(st, "ok") == 0);
}

/* First label of a node, from /__symbols__ (dtc -@), or NULL. */
const char *amp_dti_node_label(const void *fdt, int off)
{
	char path[256];
	int sym = fdt_path_offset(fdt, "/__symbols__");
	int prop;

	if (sym < 0 || fdt_get_path(fdt, off, path, sizeof(path)) != 0) {
		return NULL;
	}
	fdt_for_each_property_offset(prop, fdt, sym)
	{
		const char *name = NULL;
		int len = 0;
		const char *val = fdt_getprop_by_offset(fdt, prop, &name, &len);

		if (val != NULL && len > 0 && val[len - 1] == '\0' && strcmp(val, path) == 0) {
			return name;
		}
	}
	return NULL;
}

/* Read an optional u32; *present tells whether it was there. Wrong size is an error. */
int amp_dti_get_u32(struct dt_ctx *c, int off, const char *prop, uint32_t *val, bool *present)
{
	int len = 0;
	const fdt32_t *p = fdt_getprop(c->fdt, off, prop, &len);

	*present = false;
	if (p == NULL) {
		return 0;
	}
	if (len != 4) {
		amp_dti_set_error(c, off, prop, "must be one 32-bit cell, found %d bytes", len);
		return AMP_EINVAL;
	}
	*val = fdt32_to_cpu(*p);
	*present = true;
	return 0;
}

/* Map an optional string property onto an enum from a NULL-terminated list. */
int amp_dti_get_enum(struct dt_ctx *c, int off, const char *prop, const char *const *names,
		    int dflt, int *out)
{
	int len = 0;
	const char *s = fdt_getprop(c->fdt, off, prop, &len);

	*out = dflt;
	if (s == NULL) {
		return 0;
	}
	if (len <= 0 || s[len - 1] != '\0' || (int)strlen(s) != len - 1) {
		amp_dti_set_error(c, off, prop, "must be a single string");
		return AMP_EINVAL;
	}
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	{
		char choices[96] = "";
		size_t used = 0;

		for (int i = 0; names[i] != NULL && used < sizeof(choices); i++) {
			int n = snprintf(choices + used, sizeof(choices) - used, "%s\"%s\"",
					 i ? ", " : "", names[i]);
			if (n < 0) {
				break;
			}
			used += (size_t)n;
		}
		amp_dti_set_error(c, off, prop, "invalid value \"%s\" (expected one of %s)", s, choices);
	}
	return AMP_EINVAL;
}

/* #address-cells / #size-cells a node declares for its children (defaults 2 / 1). */
int amp_dti_cells_of(const void *fdt, int parent, const char *name, uint32_t dflt)
{
	int len = 0;
	const fdt32_t *p = fdt_getprop(fdt, parent, name, &len);

	if (p == NULL || len != 4) {
		return (int)dflt;
	}
	return (int)fdt32_to_cpu(*p);
}

uint64_t amp_dti_read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++) {
		v = (v << 32) | fdt32_to_cpu(p[i]);
	}
	return v;
}

/* First (addr, size) pair of `reg`, interpreted with the parent's cell counts. */
int amp_dti_get_reg(struct dt_ctx *c, int off, uint64_t *addr, uint64_t *size, bool need_size)
{
	int parent = fdt_parent_offset(c->fdt, off);
	int ac = amp_dti_cells_of(c->fdt, parent, "#address-cells", 2);
	int sc = amp_dti_cells_of(c->fdt, parent, "#size-cells", 1);
	int len = 0;
	const fdt32_t *p = fdt_getprop(c->fdt, off, "reg", &len);

	if (p == NULL) {
		amp_dti_set_error(c, off, "reg", "missing (required)");
		return AMP_EINVAL;
	}
	if (ac < 1 || ac > 2 || sc < 0 || sc > 2 || (need_size && sc == 0)) {
		amp_dti_set_error(c, off, "reg", "unsupported #address-cells %d / #size-cells %d of the parent",
			  ac, sc);
		return AMP_EINVAL;
	}
	if (len < (ac + sc) * 4) {
		amp_dti_set_error(c, off, "reg", "too short: %d bytes for %d address and %d size cells", len,
			  ac, sc);
		return AMP_EINVAL;
	}
	*addr = amp_dti_read_cells(p, ac);
	*size = sc ? amp_dti_read_cells(p + ac, sc) : 0;
	return 0;
}

char *amp_dt_error_format(const struct amp_dt_error *err, char *buf, size_t size)
{
	if (buf == NULL || size == 0) {
		return buf;
	}
	if (err == NULL) {
		snprintf(buf, size, "(no error)");
	} else if (err->property[0] != '\0') {
		snprintf(buf, size, "node '%s': property '%s': %s", err->node, err->property,
			 err->message);
	} else {
		snprintf(buf, size, "node '%s': %s", err->node, err->message);
	}
	return buf;
}

static bool name_matches(const char *node_name, const char *label, const char *want)
{
	size_t n;

	if (label != NULL && strcmp(label, want) == 0) {
		return true;
	}
	if (node_name == NULL) {
		return false;
	}
	n = strcspn(node_name, "@");
	return strcmp(node_name, want) == 0 || (strlen(want) == n && strncmp(node_name, want, n) == 0);
}

int amp_dt_find_region(const struct amp_dt_system *sys, const char *name)
{
	if (sys == NULL || name == NULL) {
		return AMP_ENOENT;
	}
	for (uint32_t i = 0; i < sys->num_regions && i < AMP_DT_MAX_REGIONS; i++) {
		if (name_matches(sys->regions[i].name, sys->regions[i].label, name)) {
			return (int)i;
		}
	}
	return AMP_ENOENT;
}

int amp_dt_find_ipc(const struct amp_dt_system *sys, const char *name)
{
	if (sys == NULL || name == NULL) {
		return AMP_ENOENT;
	}
	for (uint32_t i = 0; i < sys->num_ipc && i < AMP_DT_MAX_IPC; i++) {
		if (name_matches(sys->ipc[i].name, sys->ipc[i].label, name)) {
			return (int)i;
		}
	}
	return AMP_ENOENT;
}
