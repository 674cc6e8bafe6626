/* SPDX-License-Identifier: Apache-2.0 */
/*
 * amp_dtgen — build-time devicetree generator (host program).
 *
 * Reads one core's .dtb (dtc output, compiled with -@ so labels survive),
 * validates it with the run-time loader's code, and writes:
 *  - a header of Zephyr-style macros (DT_N_S_..._P_<prop>, _REG_IDX_0_VAL_ADDRESS,
 *    DT_N_NODELABEL_<label>, ...) so DT_NODELABEL(), DT_REG_ADDR(), DT_PROP()
 *    and DEVICE_DT_GET() are compile-time constants;
 *  - a C source with the system description as a const initialiser, the
 *    `struct device` objects and their static run-time storage, which the
 *    compatibility layer opens at start-up.
 *
 * Usage: amp_dtgen --dtb <file> --header <out.h> --source <out.c> [--name <shown in errors>]
 */
#include <amplink/devicetree.h>
#include <amplink/errno.h>

#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32
#define ID_MAX 512

static const char *g_shown = "devicetree";

static void die(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((noreturn, format(printf, 1, 2)))
#endif
	;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", g_shown);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Zephyr's identifier rule: lower case, every non-alphanumeric byte becomes '_'. */
static void sanitize(const char *in, char *out, size_t size)
{
	size_t i = 0;

	for (; *in != '\0' && i + 1 < size; in++) {
		char ch = *in;

		if (ch >= 'A' && ch <= 'Z') {
			ch = (char)(ch - 'A' + 'a');
		} else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
			ch = '_';
		}
		out[i++] = ch;
	}
	out[i] = '\0';
}

static void node_id(const void *fdt, int off, char *out, size_t size)
{
	char path[ID_MAX];
	char part[ID_MAX];
	size_t used;

	if (fdt_get_path(fdt, off, path, sizeof(path)) != 0) {
		die("node path too long");
	}
	used = (size_t)snprintf(out, size, "DT_N");
	for (char *s = strtok(path, "/"); s != NULL; s = strtok(NULL, "/")) {
		sanitize(s, part, sizeof(part));
		used += (size_t)snprintf(out + used, used < size ? size - used : 0, "_S_%s", part);
	}
	if (used >= size) {
		die("node identifier too long");
	}
}

static void put_cstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			fprintf(f, "\\%c", ch);
		} else if (ch < 0x20 || ch >= 0x7f) {
			fprintf(f, "\\%03o", ch);
		} else {
			fputc(ch, f);
		}
	}
	fputc('"', f);
}

static bool is_string_list(const char *v, int len)
{
	if (len <= 0 || v[len - 1] != '\0' || v[0] == '\0') {
		return false;
	}
	for (int i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch == '\0') {
			if (i + 1 < len && v[i + 1] == '\0') {
				return false;
			}
		} else if (ch < 0x20 || ch >= 0x7f) {
			return false;
		}
	}
	return true;
}

static bool in_list(const char *name, const char *const *list)
{
	for (int i = 0; list[i] != NULL; i++) {
		if (strcmp(name, list[i]) == 0) {
			return true;
		}
	}
	return false;
}

static const char *const phandle_props[] = {"tx-region", "rx-region", "memory-region",
					    "interrupt-parent", NULL};
static const char *const cell_props[] = {"reg", "interrupts", "#address-cells", "#size-cells",
					 "#mbox-cells", "phandle", "dcache-alignment",
					 "zephyr,buffer-size", "amplink,channels", "amplink,mtu",
					 "amplink,tx-channels", "amplink,rx-channels",
					 "zephyr,priority", "linux,phandle", "amplink,side", NULL};

static void emit_token(FILE *h, const char *id, const char *p, const char *s)
{
	char tok[ID_MAX];

	sanitize(s, tok, sizeof(tok));
	if (tok[0] != '\0' && !(tok[0] >= '0' && tok[0] <= '9')) {
		fprintf(h, "#define %s_P_%s_STRING_TOKEN %s\n", id, p, tok);
	}
}

static void emit_mboxes(FILE *h, const void *fdt, int off, const char *id, const char *p,
			const fdt32_t *cells, int n)
{
	int entry = 0;

	for (int pos = 0; pos + 1 < n; pos += 2, entry++) {
		int ctl = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(cells[pos]));
		const char *name = fdt_stringlist_get(fdt, off, "mbox-names", entry, NULL);
		char ctl_id[ID_MAX];
		char nm[ID_MAX];
		uint32_t ch = fdt32_to_cpu(cells[pos + 1]);

		if (ctl < 0) {
			continue;
		}
		node_id(fdt, ctl, ctl_id, sizeof(ctl_id));
		fprintf(h, "#define %s_P_%s_IDX_%d_EXISTS 1\n", id, p, entry);
		fprintf(h, "#define %s_P_%s_IDX_%d_PH %s\n", id, p, entry, ctl_id);
		fprintf(h, "#define %s_P_%s_IDX_%d_VAL_channel %u\n", id, p, entry, ch);
		if (name != NULL) {
			sanitize(name, nm, sizeof(nm));
			fprintf(h, "#define %s_P_%s_IDX_%d_NAME ", id, p, entry);
			put_cstr(h, name);
			fprintf(h, "\n#define %s_P_%s_NAME_%s_EXISTS 1\n", id, p, nm);
			fprintf(h, "#define %s_P_%s_NAME_%s_PH %s\n", id, p, nm, ctl_id);
			fprintf(h, "#define %s_P_%s_NAME_%s_VAL_channel %u\n", id, p, nm, ch);
		}
	}
	fprintf(h, "#define %s_P_%s_LEN %d\n", id, p, entry);
}

static void emit_prop(FILE *h, const void *fdt, int off, const char *id, const char *pname,
		      const void *val, int len)
{
	char p[ID_MAX];
	const fdt32_t *cells = val;
	const char *str = val;

	sanitize(pname, p, sizeof(p));
	fprintf(h, "#define %s_P_%s_EXISTS 1\n", id, p);
	if (len == 0) {
		fprintf(h, "#define %s_P_%s 1\n", id, p);
		return;
	}
	if (strcmp(pname, "mboxes") == 0 && len % 4 == 0) {
		emit_mboxes(h, fdt, off, id, p, cells, len / 4);
		return;
	}
	if (in_list(pname, phandle_props) && len == 4) {
		int t = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(cells[0]));
		char tid[ID_MAX];

		if (t >= 0) {
			node_id(fdt, t, tid, sizeof(tid));
			fprintf(h, "#define %s_P_%s %s\n", id, p, tid);
			fprintf(h, "#define %s_P_%s_IDX_0_PH %s\n", id, p, tid);
			fprintf(h, "#define %s_P_%s_IDX_0_EXISTS 1\n", id, p);
			fprintf(h, "#define %s_P_%s_LEN 1\n", id, p);
		}
		return;
	}
	if (!in_list(pname, cell_props) && is_string_list(str, len)) {
		int count = 0;

		for (const char *s = str; s < str + len; s += strlen(s) + 1) {
			fprintf(h, "#define %s_P_%s_IDX_%d ", id, p, count);
			put_cstr(h, s);
			fprintf(h, "\n#define %s_P_%s_IDX_%d_EXISTS 1\n", id, p, count);
			count++;
		}
		fprintf(h, "#define %s_P_%s_LEN %d\n", id, p, count);
		if (count == 1 && strcmp(pname, "compatible") != 0) {
			fprintf(h, "#define %s_P_%s ", id, p);
			put_cstr(h, str);
			fputc('\n', h);
			emit_token(h, id, p, str);
		} else {
			fprintf(h, "#define %s_P_%s {", id, p);
			for (const char *s = str; s < str + len; s += strlen(s) + 1) {
				fputs(s == str ? "" : ", ", h);
				put_cstr(h, s);
			}
			fputs("}\n", h);
		}
		return;
	}
	if (len % 4 == 0) {
		int n = len / 4;

		if (n == 1 && strcmp(pname, "reg") != 0 && strcmp(pname, "interrupts") != 0 &&
		    strncmp(pname, "amplink,", 8) != 0) {
			fprintf(h, "#define %s_P_%s %u%s\n", id, p, fdt32_to_cpu(cells[0]),
				fdt32_to_cpu(cells[0]) > 0x7fffffffu ? "U" : "");
			return;
		}
		fprintf(h, "#define %s_P_%s {", id, p);
		for (int i = 0; i < n; i++) {
			fprintf(h, "%s%u", i ? ", " : "", fdt32_to_cpu(cells[i]));
		}
		fputs("}\n", h);
		for (int i = 0; i < n; i++) {
			fprintf(h, "#define %s_P_%s_IDX_%d %u\n", id, p, i, fdt32_to_cpu(cells[i]));
			fprintf(h, "#define %s_P_%s_IDX_%d_EXISTS 1\n", id, p, i);
		}
		fprintf(h, "#define %s_P_%s_LEN %d\n", id, p, n);
		return;
	}
	/* Anything else is a byte string. */
	fprintf(h, "#define %s_P_%s {", id, p);
	for (int i = 0; i < len; i++) {
		fprintf(h, "%s%u", i ? ", " : "", ((const unsigned char *)val)[i]);
	}
	fprintf(h, "}\n#define %s_P_%s_LEN %d\n", id, p, len);
}

static uint64_t cells_value(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++) {
		v = (v << 32) | fdt32_to_cpu(p[i]);
	}
	return v;
}

static void emit_reg(FILE *h, const void *fdt, int off, const char *id)
{
	int parent = fdt_parent_offset(fdt, off);
	int ac = parent >= 0 ? fdt_address_cells(fdt, parent) : 2;
	int sc = parent >= 0 ? fdt_size_cells(fdt, parent) : 1;
	int len = 0;
	const fdt32_t *reg = fdt_getprop(fdt, off, "reg", &len);
	int n;

	if (reg == NULL || ac < 1 || ac > 2 || sc < 0 || sc > 2) {
		return;
	}
	n = len / ((ac + sc) * 4);
	fprintf(h, "#define %s_REG_NUM %d\n", id, n);
	for (int i = 0; i < n; i++) {
		const fdt32_t *e = reg + i * (ac + sc);

		fprintf(h, "#define %s_REG_IDX_%d_EXISTS 1\n", id, i);
		fprintf(h, "#define %s_REG_IDX_%d_VAL_ADDRESS 0x%llxUL\n", id, i,
			(unsigned long long)cells_value(e, ac));
		if (sc > 0) {
			fprintf(h, "#define %s_REG_IDX_%d_VAL_SIZE 0x%llxUL\n", id, i,
				(unsigned long long)cells_value(e + ac, sc));
		}
	}
}

/* Labels, aliases and chosen nodes point at paths; emit them as node ids. */
static void emit_path_table(FILE *h, const void *fdt, const char *node, const char *prefix,
			    bool chosen)
{
	int t = fdt_path_offset(fdt, node);
	int prop;

	if (t < 0) {
		return;
	}
	fdt_for_each_property_offset(prop, fdt, t)
	{
		const char *name = NULL;
		int len = 0;
		const char *val = fdt_getprop_by_offset(fdt, prop, &name, &len);
		char nm[ID_MAX], tid[ID_MAX];
		int target;

		if (val == NULL || len <= 1 || val[len - 1] != '\0' || val[0] != '/') {
			continue;
		}
		target = fdt_path_offset(fdt, val);
		if (target < 0) {
			continue;
		}
		sanitize(name, nm, sizeof(nm));
		node_id(fdt, target, tid, sizeof(tid));
		fprintf(h, "#define %s%s %s\n", prefix, nm, tid);
		if (chosen) {
			fprintf(h, "#define DT_CHOSEN_%s_EXISTS 1\n", nm);
		}
	}
}

static int device_ord(const void *fdt, int target)
{
	int depth = 0, ord = 0;

	for (int off = fdt_next_node(fdt, -1, &depth); off >= 0;
	     off = fdt_next_node(fdt, off, &depth), ord++) {
		if (off == target) {
			return ord;
		}
	}
	return -1;
}

static bool okay(const void *fdt, int off)
{
	const char *st = fdt_getprop(fdt, off, "status", NULL);

	return st == NULL || strcmp(st, "okay") == 0 || strcmp(st, "ok") == 0;
}

/* Node offsets of the description's mailboxes and instances: amp_dt_load()
 * adds them in document order, so the same walk finds them again. */
static void find_offsets(const void *fdt, const struct amp_dt_system *sys, int *mbox_off,
			 int *ipc_off)
{
	uint32_t nm = 0, ni = 0;
	int depth = 0;

	for (int off = fdt_next_node(fdt, -1, &depth); off >= 0;
	     off = fdt_next_node(fdt, off, &depth)) {
		if (!okay(fdt, off)) {
			continue;
		}
		if (nm < sys->num_mboxes &&
		    (fdt_node_check_compatible(fdt, off, "amplink,linux-doorbell") == 0 ||
		     fdt_node_check_compatible(fdt, off, "arm,mhu") == 0)) {
			mbox_off[nm++] = off;
		} else if (ni < sys->num_ipc &&
			   (fdt_node_check_compatible(fdt, off, "zephyr,ipc-icmsg") == 0 ||
			    fdt_node_check_compatible(fdt, off, "zephyr,ipc-openamp-static-vrings") ==
				    0)) {
			ipc_off[ni++] = off;
		}
	}
	if (nm != sys->num_mboxes || ni != sys->num_ipc) {
		die("internal: node walk disagrees with the description");
	}
}

static void emit_header(FILE *h, const void *fdt, const struct amp_dt_system *sys,
			const int *mbox_off, const int *ipc_off)
{
	int depth = 0, ord = 0;

	fprintf(h, "/* Generated by amp_dtgen from %s. Do not edit. */\n", g_shown);
	fprintf(h, "#ifndef AMP_DT_GENERATED_H\n#define AMP_DT_GENERATED_H\n\n");
	for (int off = fdt_next_node(fdt, -1, &depth); off >= 0;
	     off = fdt_next_node(fdt, off, &depth), ord++) {
		const char *name = fdt_get_name(fdt, off, NULL);
		char id[ID_MAX], path[ID_MAX];
		int prop, len = 0;
		const char *status;

		if (strcmp(name, "__symbols__") == 0 || strcmp(name, "__fixups__") == 0 ||
		    strcmp(name, "__local_fixups__") == 0) {
			continue;
		}
		node_id(fdt, off, id, sizeof(id));
		fdt_get_path(fdt, off, path, sizeof(path));
		fprintf(h, "/* %s */\n#define %s_EXISTS 1\n#define %s_ORD %d\n", path, id, id, ord);
		fprintf(h, "#define %s_PATH ", id);
		put_cstr(h, path);
		fprintf(h, "\n#define %s_FULL_NAME ", id);
		put_cstr(h, off == 0 ? "/" : name);
		fputc('\n', h);
		status = fdt_getprop(fdt, off, "status", &len);
		if (status == NULL || strcmp(status, "ok") == 0) {
			status = "okay";
		}
		fprintf(h, "#define %s_STATUS_", id);
		for (const char *s = status; *s; s++) {
			fputc((*s >= 'a' && *s <= 'z') ? *s : '_', h);
		}
		fputs(" 1\n", h);
		{
			const char *compat = fdt_getprop(fdt, off, "compatible", &len);

			for (const char *s = compat; s != NULL && s < compat + len;
			     s += strlen(s) + 1) {
				char cm[ID_MAX];

				sanitize(s, cm, sizeof(cm));
				fprintf(h, "#define %s_COMPAT_MATCHES_%s 1\n", id, cm);
			}
		}
		emit_reg(h, fdt, off, id);
		fdt_for_each_property_offset(prop, fdt, off)
		{
			const char *pname = NULL;
			const void *val = fdt_getprop_by_offset(fdt, prop, &pname, &len);

			if (val != NULL) {
				emit_prop(h, fdt, off, id, pname, val, len);
			}
		}
		fputc('\n', h);
	}
	emit_path_table(h, fdt, "/__symbols__", "DT_N_NODELABEL_", false);
	emit_path_table(h, fdt, "/aliases", "DT_N_ALIAS_", false);
	emit_path_table(h, fdt, "/chosen", "DT_N_CHOSEN_", true);

	fprintf(h, "\n/* Devices (DEVICE_DT_GET) */\nstruct device;\n");
	for (uint32_t i = 0; i < sys->num_mboxes + sys->num_ipc; i++) {
		int off = i < sys->num_mboxes ? mbox_off[i] : ipc_off[i - sys->num_mboxes];
		char id[ID_MAX];
		int o = device_ord(fdt, off);

		node_id(fdt, off, id, sizeof(id));
		fprintf(h, "extern const struct device amp_dt_dev_%d;\n", o);
		fprintf(h, "#define %s_DEVICE amp_dt_dev_%d\n", id, o);
		fprintf(h, "#define %s_HAS_DEVICE 1\n", id);
	}
	fprintf(h, "\n#endif /* AMP_DT_GENERATED_H */\n");
}

static void put_opt_str(FILE *c, const char *s)
{
	if (s == NULL) {
		fputs("NULL", c);
	} else {
		put_cstr(c, s);
	}
}

static void emit_source(FILE *c, const void *fdt, const struct amp_dt_system *sys,
			const int *mbox_off, const int *ipc_off)
{
	fprintf(c, "/* Generated by amp_dtgen from %s. Do not edit. */\n", g_shown);
	fprintf(c, "#include \"amp_dt_glue.h\"\n\n");
	fprintf(c, "static const struct amp_dt_region z_amp_dt_regions[%u] = {\n",
		sys->num_regions ? sys->num_regions : 1);
	for (uint32_t i = 0; i < sys->num_regions; i++) {
		const struct amp_dt_region *r = &sys->regions[i];

		fprintf(c, "\t{ .name = ");
		put_cstr(c, r->name);
		fprintf(c, ", .label = ");
		put_opt_str(c, r->label);
		fprintf(c, ", .addr = 0x%llxULL, .size = 0x%llxULL, .cacheable = %s },\n",
			(unsigned long long)r->addr, (unsigned long long)r->size,
			r->cacheable ? "true" : "false");
	}
	fprintf(c, "};\n\nstatic const struct amp_dt_mbox z_amp_dt_mboxes[%u] = {\n",
		sys->num_mboxes ? sys->num_mboxes : 1);
	for (uint32_t i = 0; i < sys->num_mboxes; i++) {
		const struct amp_dt_mbox *m = &sys->mboxes[i];

		fprintf(c, "\t{ .name = ");
		put_cstr(c, m->name);
		fprintf(c, ", .label = ");
		put_opt_str(c, m->label);
		fprintf(c,
			", .type = %d, .channels = %u, .cells = %u, .region = %d, .wait = %d,"
			" .side = %u, .ipm_mode = %d, .ipm_tx_channel = %u,"
			" .mtu = %u, .tx_mask = 0x%xu, .rx_mask = 0x%xu, .reg_addr = 0x%llxULL,"
			" .irq = %u },\n",
			(int)m->type, m->channels, m->cells, (int)m->region, (int)m->wait, m->side,
			(int)m->ipm_mode, m->ipm_tx_channel, m->mtu, m->tx_mask, m->rx_mask,
			(unsigned long long)m->reg_addr, m->irq);
	}
	fprintf(c, "};\n\nstatic const struct amp_dt_ipc z_amp_dt_ipcs[%u] = {\n",
		sys->num_ipc ? sys->num_ipc : 1);
	for (uint32_t i = 0; i < sys->num_ipc; i++) {
		const struct amp_dt_ipc *d = &sys->ipc[i];

		fprintf(c, "\t{ .name = ");
		put_cstr(c, d->name);
		fprintf(c, ", .label = ");
		put_opt_str(c, d->label);
		fprintf(c,
			", .type = %d, .tx_region = %d, .rx_region = %d, .memory_region = %d,"
			" .tx = { %u, %u }, .rx = { %u, %u }, .dcache_alignment = %u,"
			" .unbound = %d, .role = %d, .buffer_size = %u },\n",
			(int)d->type, (int)d->tx_region, (int)d->rx_region, (int)d->memory_region,
			d->tx.mbox, d->tx.channel, d->rx.mbox, d->rx.channel, d->dcache_alignment,
			(int)d->unbound, (int)d->role, d->buffer_size);
	}
	fprintf(c, "};\n\nstatic const struct z_amp_dt_desc z_amp_dt_system = {\n\t.model = ");
	put_opt_str(c, sys->model);
	fprintf(c, ",\n\t.num_regions = %u,\n\t.num_mboxes = %u,\n\t.num_ipc = %u,\n"
		   "\t.regions = z_amp_dt_regions,\n\t.mboxes = z_amp_dt_mboxes,\n"
		   "\t.ipc = z_amp_dt_ipcs,\n};\n\n",
		sys->num_regions, sys->num_mboxes, sys->num_ipc);

	/* Static run-time storage, sized exactly (at least one element: C has no empty arrays). */
	fprintf(c, "static struct z_amp_region z_amp_regions[%u];\n",
		sys->num_regions ? sys->num_regions : 1);
	fprintf(c, "static struct z_amp_mbox_dev z_amp_mboxes[%u];\n",
		sys->num_mboxes ? sys->num_mboxes : 1);
	fprintf(c, "static struct z_amp_ipc_dev z_amp_ipcs[%u];\n", sys->num_ipc ? sys->num_ipc : 1);
	fprintf(c, "static union z_amp_mbox_drv z_amp_mbox_drv[%u];\n",
		sys->num_mboxes ? sys->num_mboxes : 1);
	fprintf(c, "static union z_amp_ipc_backend z_amp_ipc_be[%u];\n",
		sys->num_ipc ? sys->num_ipc : 1);
	fprintf(c, "static struct device_state z_amp_dev_states[%u];\n\n",
		sys->num_mboxes + sys->num_ipc ? sys->num_mboxes + sys->num_ipc : 1);
	for (uint32_t i = 0; i < sys->num_mboxes + sys->num_ipc; i++) {
		bool is_mbox = i < sys->num_mboxes;
		uint32_t k = is_mbox ? i : i - sys->num_mboxes;
		int off = is_mbox ? mbox_off[k] : ipc_off[k];
		const char *label = is_mbox ? sys->mboxes[k].label : sys->ipc[k].label;

		fprintf(c, "const struct device amp_dt_dev_%d = {\n\t.name = ", device_ord(fdt, off));
		put_cstr(c, label != NULL ? label : fdt_get_name(fdt, off, NULL));
		fprintf(c, ",\n\t.config = &z_amp_dt_%s[%u],\n", is_mbox ? "mboxes" : "ipcs", k);
		fprintf(c, "\t.data = &z_amp_%s[%u],\n", is_mbox ? "mboxes" : "ipcs", k);
		fprintf(c, "\t.state = &z_amp_dev_states[%u],\n", i);
		fprintf(c, "\t.type = %s,\n\t.index = %u,\n};\n\n",
			is_mbox ? "Z_AMP_DEV_MBOX" : "Z_AMP_DEV_IPC", k);
	}
	fprintf(c, "static const struct device *const z_amp_devices[] = {\n");
	for (uint32_t i = 0; i < sys->num_mboxes + sys->num_ipc; i++) {
		bool is_mbox = i < sys->num_mboxes;
		int off = is_mbox ? mbox_off[i] : ipc_off[i - sys->num_mboxes];

		fprintf(c, "\t&amp_dt_dev_%d,\n", device_ord(fdt, off));
	}
	if (sys->num_mboxes + sys->num_ipc == 0) {
		fprintf(c, "\tNULL,\n");
	}
	fprintf(c, "};\n\n");
	fprintf(c, "const struct z_amp_dt z_amp_dt = {\n\t.sys = &z_amp_dt_system,\n"
		   "\t.regions = z_amp_regions,\n\t.mboxes = z_amp_mboxes,\n"
		   "\t.ipcs = z_amp_ipcs,\n\t.mbox_drv = z_amp_mbox_drv,\n"
		   "\t.ipc_be = z_amp_ipc_be,\n\t.devices = z_amp_devices,\n"
		   "\t.num_devices = %u,\n};\n",
		sys->num_mboxes + sys->num_ipc);
}

static void *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf;

	if (f == NULL) {
		die("cannot open %s", path);
	}
	buf = malloc(cap);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);
		char *bigger;

		n += got;
		if (n < cap) {
			break;
		}
		cap *= 2;
		bigger = realloc(buf, cap);
		if (bigger == NULL) {
			free(buf);
		}
		buf = bigger;
	}
	fclose(f);
	if (buf == NULL) {
		die("out of memory");
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	const char *dtb = NULL, *hdr = NULL, *src = NULL;
	static struct amp_dt_system sys;
	struct amp_dt_error err;
	int mbox_off[AMP_DT_MAX_MBOXES], ipc_off[AMP_DT_MAX_IPC];
	size_t len = 0;
	void *fdt;
	FILE *h, *c;
	int rc;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--dtb") == 0) {
			dtb = argv[i + 1];
		} else if (strcmp(argv[i], "--header") == 0) {
			hdr = argv[i + 1];
		} else if (strcmp(argv[i], "--source") == 0) {
			src = argv[i + 1];
		} else if (strcmp(argv[i], "--name") == 0) {
			g_shown = argv[i + 1];
		} else {
			die("unknown argument %s", argv[i]);
		}
	}
	if (dtb == NULL || hdr == NULL || src == NULL) {
		fprintf(stderr, "usage: amp_dtgen --dtb <in.dtb> --header <out.h> --source <out.c>"
				" [--name <shown in messages>]\n");
		return 2;
	}
	fdt = read_all(dtb, &len);
	rc = amp_dt_load(fdt, len, &sys, &err);
	if (rc != 0) {
		char line[512];

		die("%s", amp_dt_error_format(&err, line, sizeof(line)));
	}
	find_offsets(fdt, &sys, mbox_off, ipc_off);
	h = fopen(hdr, "w");
	c = fopen(src, "w");
	if (h == NULL || c == NULL) {
		die("cannot write %s / %s", hdr, src);
	}
	emit_header(h, fdt, &sys, mbox_off, ipc_off);
	emit_source(c, fdt, &sys, mbox_off, ipc_off);
	if (fclose(h) != 0 || fclose(c) != 0) {
		die("write error");
	}
	free(fdt);
	return 0;
}
