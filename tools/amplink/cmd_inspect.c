/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `amplink inspect`: decode a shared-memory region. The bytes are always
 * copied into a private buffer first (pread of the live file or of the dump),
 * so a peer that rewrites or truncates the region cannot make the decoder
 * fault; the decoders then treat the copy as hostile input.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "inspect/decode.h"
#include "inspect/dt.h"
#include "inspect/print.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char help_text[] =
	"NAME\n"
	"    amplink inspect - decode a pbuf, ICMsg or RPMsg shared-memory region\n"
	"\n"
	"SYNOPSIS\n"
	"    amplink inspect --format pbuf|icmsg|rpmsg --size N [LAYOUT OPTIONS] SOURCE\n"
	"    amplink inspect --dt FILE (--instance NAME | --region NAME) SOURCE\n"
	"\n"
	"DESCRIPTION\n"
	"    Reads a copy of the region(s) and prints what they hold: pbuf indices, used\n"
	"    and free bytes and every pending packet; the ICMsg binding state (v1 magic\n"
	"    packets, v2 session handshake: who requested which session and who\n"
	"    acknowledged whom); the RPMsg status byte, both vrings, buffers in flight,\n"
	"    which side owns each buffer and the name-service announcements seen.\n"
	"    Every broken invariant is reported as a finding with its offset in the\n"
	"    region (and address when known). The input is never trusted: garbage\n"
	"    gives findings, never a crash.\n"
	"\n"
	"SOURCE (one of)\n"
	"    --dump FILE         raw memory dump; regions are found at ADDR - BASE\n"
	"    --base ADDR         address of the first byte of the dump (default 0)\n"
	"    --shm NAME          live region file NAME in $AMPLINK_SHM_DIR (or /dev/shm);\n"
	"                        give it twice for ICMsg (A->B region, then B->A)\n"
	"    --file PATH         live region file by path; repeatable like --shm\n"
	"    (none, with --dt)   live: the region files of the devicetree nodes,\n"
	"                        $AMPLINK_SHM_PREFIX + node name with '@' -> '-'\n"
	"\n"
	"LAYOUT OPTIONS\n"
	"    --format F          pbuf, icmsg or rpmsg\n"
	"    --size N            size of each region in bytes (suffixes K, M)\n"
	"    --addr ADDR         address of the (first) region; RPMsg descriptors hold\n"
	"                        addresses, so give the address the cores use (default BASE)\n"
	"    --addr2 ADDR        ICMsg: address of the B->A region (default ADDR + N)\n"
	"    --dcache-alignment A   pbuf/ICMsg dcache-alignment (default 0)\n"
	"    --handshake MODE    pbuf: yes|no; ICMsg: disable|enable|detect (the\n"
	"                        devicetree 'unbound' property; default no/disable)\n"
	"    --rx-buffer-size N  ICMsg: largest packet the receivers accept; longer pending\n"
	"                        packets are findings (Zephyr's default is 128)\n"
	"    --buffer-size B     RPMsg buffer size (default 512)\n"
	"    --mem-alignment M   RPMsg static-vrings alignment (default 4)\n"
	"\n"
	"DEVICETREE\n"
	"    --dt FILE           .dts (compiled with dtc) or .dtb describing the system\n"
	"    --instance NAME     node name or label of a zephyr,ipc-icmsg or\n"
	"                        zephyr,ipc-openamp-static-vrings instance\n"
	"    --region NAME       node name or label of a reserved-memory region (pbuf)\n"
	"\n"
	"OUTPUT\n"
	"    --json              one JSON document per refresh instead of text\n"
	"    --watch[=SEC]       re-read and print every SEC seconds (default 1) until\n"
	"                        interrupted or --count refreshes\n"
	"    --count N           with --watch: stop after N refreshes\n"
	"    -h, --help          this text\n"
	"\n"
	"EXIT STATUS\n"
	"    0 no findings; 1 findings (or the source could not be read); 2 usage error\n"
	"\n"
	"EXAMPLES\n"
	"    amplink inspect --format pbuf --size 256 --dump ram.bin --base 0x20070000 \\\n"
	"        --addr 0x20070000\n"
	"    amplink inspect --format icmsg --size 0x800 --dcache-alignment 8 \\\n"
	"        --handshake detect --shm icmsg-a2b --shm icmsg-b2a --watch\n"
	"    amplink inspect --dt board.dts --instance ipc0 --dump ram.bin --base 0x20000000\n";

enum fmt { FMT_NONE, FMT_PBUF, FMT_ICMSG, FMT_RPMSG };

struct opts {
	enum fmt fmt;
	uint64_t size;
	uint64_t addr, addr2, base;
	bool has_addr, has_addr2, has_base;
	uint64_t align;
	const char *handshake;
	uint64_t rx_buf;
	uint64_t buffer_size, mem_align;
	const char *dump;
	const char *files[2];
	int nfiles;
	bool files_are_shm;
	const char *dt, *instance, *region;
	bool json;
	bool watch;
	double watch_sec;
	uint64_t count;
	char names[2][80];
};

static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Read @p len bytes at @p off of @p path into a new buffer; *got = bytes read. */
static uint8_t *read_copy(const char *path, uint64_t off, uint64_t len, size_t *got)
{
	*got = 0;
	if (len > (1ull << 32)) {
		fprintf(stderr, "amplink inspect: region of %llu bytes is too large\n",
			(unsigned long long)len);
		return NULL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "amplink inspect: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	uint8_t *buf = calloc(1, len ? len : 1);
	if (buf == NULL) {
		close(fd);
		return NULL;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t r = pread(fd, buf + done, len - done, (off_t)(off + done));
		if (r <= 0) {
			break;
		}
		done += (size_t)r;
	}
	close(fd);
	*got = done;
	return buf;
}

static void shm_path(char *dst, size_t cap, const char *name)
{
	const char *dir = getenv("AMPLINK_SHM_DIR");
	if (dir == NULL || *dir == 0) {
		dir = "/dev/shm";
	}
	snprintf(dst, cap, "%s/%s", dir, name);
}

/* Fetch region @p i (0 or 1) of @p o. */
static uint8_t *fetch(const struct opts *o, int i, uint64_t size, size_t *got)
{
	if (o->dump != NULL) {
		uint64_t addr = i == 0 ? (o->has_addr ? o->addr : o->base)
				       : (o->has_addr2 ? o->addr2
						       : (o->has_addr ? o->addr : o->base) + size);
		if (addr < o->base) {
			fprintf(stderr, "amplink inspect: region address 0x%llx is below the dump "
					"base 0x%llx\n",
				(unsigned long long)addr, (unsigned long long)o->base);
			return NULL;
		}
		return read_copy(o->dump, addr - o->base, size, got);
	}
	char path[4096];
	const char *f;
	uint64_t off = 0;
	if (i < o->nfiles) {
		f = o->files[i];
	} else {
		f = o->files[0]; /* both ICMsg regions in one file */
		off = size;
	}
	if (o->files_are_shm) {
		shm_path(path, sizeof(path), f);
		f = path;
	}
	return read_copy(f, off, size, got);
}

static int run_once(const struct opts *o)
{
	struct amp_insp_findings *fs = calloc(1, sizeof(*fs));
	struct amp_insp_where w;
	memset(&w, 0, sizeof(w));
	int rc = AMP_EXIT_OK;
	uint8_t *b0 = NULL, *b1 = NULL;
	size_t g0 = 0, g1 = 0;
	struct amp_json jj, *j = NULL;
	if (o->json) {
		amp_json_init(&jj, stdout);
		j = &jj;
	}
	w.name[0] = o->names[0];
	w.name[1] = o->names[1];
	if (o->dump != NULL && (o->has_base || o->has_addr)) {
		w.has_addr[0] = w.has_addr[1] = true;
		w.addr[0] = o->has_addr ? o->addr : o->base;
		w.addr[1] = o->has_addr2 ? o->addr2 : w.addr[0] + o->size;
	} else if (o->has_addr) {
		w.has_addr[0] = true;
		w.addr[0] = o->addr;
		w.has_addr[1] = true;
		w.addr[1] = o->has_addr2 ? o->addr2 : o->addr + o->size;
	}
	b0 = fetch(o, 0, o->size, &g0);
	if (b0 == NULL) {
		rc = AMP_EXIT_FINDINGS;
		goto out;
	}
	if (o->fmt == FMT_ICMSG) {
		b1 = fetch(o, 1, o->size, &g1);
		if (b1 == NULL) {
			rc = AMP_EXIT_FINDINGS;
			goto out;
		}
	}
	if (j != NULL) {
		amp_json_obj(j, NULL);
	}
	if (o->fmt == FMT_PBUF) {
		struct amp_insp_pbuf *pb = calloc(1, sizeof(*pb));
		struct amp_insp_pbuf_cfg c = { .size = (uint32_t)o->size,
					       .dcache_align = (uint32_t)o->align,
					       .handshake = o->handshake != NULL &&
							    (strcmp(o->handshake, "yes") == 0 ||
							     strcmp(o->handshake, "enable") == 0 ||
							     strcmp(o->handshake, "detect") == 0) };
		amp_insp_pbuf_decode(pb, &c, b0, g0, 0, fs);
		amp_insp_print_pbuf(stdout, j, pb, &w);
		free(pb);
	} else if (o->fmt == FMT_ICMSG) {
		struct amp_insp_icmsg *ic = calloc(1, sizeof(*ic));
		struct amp_insp_icmsg_cfg c = { .size = (uint32_t)o->size,
						.dcache_align = (uint32_t)o->align,
						.unbound = AMP_INSP_UNBOUND_DISABLE,
						.rx_buffer_size = (uint32_t)o->rx_buf };
		if (o->handshake != NULL && strcmp(o->handshake, "enable") == 0) {
			c.unbound = AMP_INSP_UNBOUND_ENABLE;
		} else if (o->handshake != NULL && strcmp(o->handshake, "detect") == 0) {
			c.unbound = AMP_INSP_UNBOUND_DETECT;
		}
		amp_insp_icmsg_decode(ic, &c, b0, g0, b1, g1, fs);
		amp_insp_print_icmsg(stdout, j, ic, &w);
		free(ic);
	} else {
		struct amp_insp_rpmsg *rp = calloc(1, sizeof(*rp));
		struct amp_insp_rpmsg_cfg c = { .size = (uint32_t)o->size,
						.addr = w.has_addr[0] ? w.addr[0] : 0,
						.buffer_size = (uint32_t)o->buffer_size,
						.mem_align = (uint32_t)o->mem_align };
		amp_insp_rpmsg_decode(rp, &c, b0, g0, fs);
		amp_insp_print_rpmsg(stdout, j, rp, &w);
		free(rp);
	}
	amp_insp_print_findings(stdout, j, fs, &w);
	if (j != NULL) {
		amp_json_bool(j, "ok", fs->n == 0);
		amp_json_end_obj(j);
		amp_json_finish(j);
	}
	rc = fs->n == 0 ? AMP_EXIT_OK : AMP_EXIT_FINDINGS;
out:
	fflush(stdout);
	free(b0);
	free(b1);
	free(fs);
	return rc;
}

int amp_cmd_inspect(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "addr", required_argument, NULL, 'a' },
		{ "addr2", required_argument, NULL, 'A' },
		{ "base", required_argument, NULL, 'b' },
		{ "dcache-alignment", required_argument, NULL, 'd' },
		{ "handshake", required_argument, NULL, 'H' },
		{ "unbound", required_argument, NULL, 'H' },
		{ "rx-buffer-size", required_argument, NULL, 'r' },
		{ "buffer-size", required_argument, NULL, 'B' },
		{ "mem-alignment", required_argument, NULL, 'm' },
		{ "dump", required_argument, NULL, 'D' },
		{ "shm", required_argument, NULL, 'S' },
		{ "file", required_argument, NULL, 'F' },
		{ "dt", required_argument, NULL, 't' },
		{ "instance", required_argument, NULL, 'i' },
		{ "region", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	memset(&o, 0, sizeof(o));
	o.buffer_size = 512;
	o.mem_align = 4;
	o.watch_sec = 1.0;
	bool bad_num = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help_text, stdout);
			return AMP_EXIT_OK;
		case 'f':
			if (strcmp(optarg, "pbuf") == 0) {
				o.fmt = FMT_PBUF;
			} else if (strcmp(optarg, "icmsg") == 0) {
				o.fmt = FMT_ICMSG;
			} else if (strcmp(optarg, "rpmsg") == 0) {
				o.fmt = FMT_RPMSG;
			} else {
				return amp_cli_usage_error("inspect", "unknown format '%s'", optarg);
			}
			break;
		case 's':
			bad_num |= !amp_cli_u64(optarg, &o.size);
			break;
		case 'a':
			bad_num |= !amp_cli_u64(optarg, &o.addr);
			o.has_addr = true;
			break;
		case 'A':
			bad_num |= !amp_cli_u64(optarg, &o.addr2);
			o.has_addr2 = true;
			break;
		case 'b':
			bad_num |= !amp_cli_u64(optarg, &o.base);
			o.has_base = true;
			break;
		case 'd':
			bad_num |= !amp_cli_u64(optarg, &o.align);
			break;
		case 'H':
			if (strcmp(optarg, "yes") && strcmp(optarg, "no") && strcmp(optarg, "enable") &&
			    strcmp(optarg, "disable") && strcmp(optarg, "detect")) {
				return amp_cli_usage_error("inspect", "unknown handshake mode '%s'",
							   optarg);
			}
			o.handshake = optarg;
			break;
		case 'r':
			bad_num |= !amp_cli_u64(optarg, &o.rx_buf);
			break;
		case 'B':
			bad_num |= !amp_cli_u64(optarg, &o.buffer_size);
			break;
		case 'm':
			bad_num |= !amp_cli_u64(optarg, &o.mem_align);
			break;
		case 'D':
			o.dump = optarg;
			break;
		case 'S':
		case 'F':
			if (o.nfiles == 2) {
				return amp_cli_usage_error("inspect", "at most two regions");
			}
			if (o.nfiles > 0 && o.files_are_shm != (c == 'S')) {
				return amp_cli_usage_error("inspect", "do not mix --shm and --file");
			}
			o.files_are_shm = c == 'S';
			o.files[o.nfiles++] = optarg;
			break;
		case 't':
			o.dt = optarg;
			break;
		case 'i':
			o.instance = optarg;
			break;
		case 'R':
			o.region = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'w':
			o.watch = true;
			if (optarg != NULL && (!amp_cli_seconds(optarg, &o.watch_sec) ||
					       o.watch_sec <= 0)) {
				return amp_cli_usage_error("inspect", "bad --watch interval '%s'",
							   optarg);
			}
			break;
		case 'c':
			bad_num |= !amp_cli_u64(optarg, &o.count);
			break;
		default:
			return amp_cli_usage_error("inspect", "unknown or incomplete option '%s'",
						   argv[optind - 1]);
		}
	}
	if (bad_num) {
		return amp_cli_usage_error("inspect", "a numeric option has an invalid value");
	}
	if (optind < argc) {
		return amp_cli_usage_error("inspect", "unexpected argument '%s'", argv[optind]);
	}
	if (o.dt != NULL) {
		struct amp_insp_dt_result r;
		char err[256];
		if (amp_insp_dt_lookup(o.dt, o.instance, o.region, &r, err, sizeof(err)) != 0) {
			fprintf(stderr, "amplink inspect: %s\n", err);
			return AMP_EXIT_FINDINGS;
		}
		o.fmt = r.fmt == AMP_INSP_DT_PBUF    ? FMT_PBUF
			: r.fmt == AMP_INSP_DT_ICMSG ? FMT_ICMSG
						     : FMT_RPMSG;
		o.size = r.size;
		o.addr = r.addr[0];
		o.has_addr = true;
		if (r.fmt == AMP_INSP_DT_ICMSG) {
			o.addr2 = r.addr[1];
			o.has_addr2 = true;
			if (r.size2 != r.size) {
				fprintf(stderr, "amplink inspect: ICMsg regions of different sizes "
						"(%llu, %llu): using the smaller\n",
					(unsigned long long)r.size, (unsigned long long)r.size2);
				if (r.size2 < o.size) {
					o.size = r.size2;
				}
			}
		}
		if (r.fmt != AMP_INSP_DT_PBUF) {
			/* A plain region carries no pbuf parameters: keep the command line's. */
			o.align = r.dcache_align;
		}
		static char hs[16];
		snprintf(hs, sizeof(hs), "%s", r.unbound);
		if (o.handshake == NULL) {
			o.handshake = r.fmt == AMP_INSP_DT_ICMSG ? hs : NULL;
		}
		if (r.buffer_size) {
			o.buffer_size = r.buffer_size;
		}
		snprintf(o.names[0], sizeof(o.names[0]), "%s", r.name[0]);
		snprintf(o.names[1], sizeof(o.names[1]), "%s", r.name[1]);
		if (o.dump == NULL && o.nfiles == 0) {
			/* Live: the region files are named after the devicetree nodes. */
			static char live[2][160];
			memcpy(live, r.file, sizeof(live));
			o.files[0] = live[0];
			o.files[1] = live[1];
			o.nfiles = r.fmt == AMP_INSP_DT_ICMSG ? 2 : 1;
			o.files_are_shm = true;
		}
	} else if (o.instance != NULL || o.region != NULL) {
		return amp_cli_usage_error("inspect", "--instance and --region need --dt");
	}
	if (o.fmt == FMT_NONE) {
		return amp_cli_usage_error("inspect", "--format (or --dt) is required");
	}
	if (o.size == 0) {
		return amp_cli_usage_error("inspect", "--size is required");
	}
	if (o.size > 0xffffffffu) {
		return amp_cli_usage_error("inspect", "--size must be below 4 GiB");
	}
	if ((o.dump == NULL) == (o.nfiles == 0)) {
		return amp_cli_usage_error("inspect", "give exactly one source: --dump, or --shm/--file");
	}
	if (o.fmt != FMT_ICMSG && o.nfiles > 1) {
		return amp_cli_usage_error("inspect", "this format has one region");
	}
	if (o.names[0][0] == 0) {
		if (o.fmt == FMT_ICMSG) {
			snprintf(o.names[0], sizeof(o.names[0]), "a2b");
			snprintf(o.names[1], sizeof(o.names[1]), "b2a");
		} else {
			snprintf(o.names[0], sizeof(o.names[0]), "%s",
				 o.nfiles ? o.files[0] : "region");
			snprintf(o.names[1], sizeof(o.names[1]), "%s", o.names[0]);
		}
		if (o.nfiles == 2) {
			snprintf(o.names[0], sizeof(o.names[0]), "%s", o.files[0]);
			snprintf(o.names[1], sizeof(o.names[1]), "%s", o.files[1]);
		}
	}
	if (!o.watch) {
		return run_once(&o);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	bool tty = isatty(STDOUT_FILENO) && !o.json;
	int rc = AMP_EXIT_OK;
	for (uint64_t n = 0; !stop_flag && (o.count == 0 || n < o.count); n++) {
		if (tty) {
			fputs("\033[H\033[2J", stdout);
		}
		if (!o.json) {
			time_t now = time(NULL);
			struct tm tm;
			char ts[32];
			strftime(ts, sizeof(ts), "%H:%M:%S", localtime_r(&now, &tm));
			printf("-- %s refresh %llu --\n", ts, (unsigned long long)n + 1);
		}
		rc = run_once(&o);
		if (o.count != 0 && n + 1 >= o.count) {
			break;
		}
		struct timespec ts = { .tv_sec = (time_t)o.watch_sec,
				       .tv_nsec = (long)((o.watch_sec - (double)(time_t)o.watch_sec) * 1e9) };
		nanosleep(&ts, NULL);
	}
	return rc;
}
