/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Micro-benchmark (not a test): single-thread amp_pbuf_write + amp_pbuf_read
 * of one packet at a time, against plain memcpy of the same size. A pbuf
 * round trip copies the payload twice (in and out), so the fair baseline is
 * two memcpy calls; both ratios are printed.
 *
 * Usage: pbuf_bench [milliseconds per size, default 200]
 */
#define _POSIX_C_SOURCE 200809L
#include <amplink/pbuf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Through a volatile pointer so the compiler cannot drop or merge copies. */
static void *(*volatile copy_fn)(void *, const void *, size_t) = memcpy;

#define REGION (256u * 1024u)

int main(int argc, char **argv)
{
	double budget = (argc > 1 ? atof(argv[1]) : 200.0) / 1000.0;
	static const size_t sizes[] = { 64, 1024, 16384 };
	void *mem = NULL;
	if (posix_memalign(&mem, 64, REGION) != 0) {
		return 1;
	}
	uint8_t *src = malloc(16384), *dst = malloc(16384);
	if (src == NULL || dst == NULL) {
		return 1;
	}
	memset(src, 0x5a, 16384);
	struct amp_pbuf_cfg cfg = { .region = mem, .size = REGION, .dcache_align = 64, .handshake = true };
	struct amp_pbuf tx, rx;
	if (amp_pbuf_tx_init(&tx, &cfg) != 0 || amp_pbuf_rx_init(&rx, &cfg) != 0) {
		return 1;
	}
	printf("%8s %14s %14s %10s %10s %12s\n", "size", "pbuf ns/pkt", "memcpy ns", "vs 1 copy",
	       "vs 2 copies", "pbuf MB/s");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		const size_t n = sizes[s];
		/* pbuf: write one packet, read it back; wraps around the ring. */
		long iters = 0;
		double t0 = now_s(), t1;
		do {
			for (int k = 0; k < 256; k++) {
				if (amp_pbuf_write(&tx, src, n) != (int)n ||
				    amp_pbuf_read(&rx, dst, 16384) != (int)n) {
					fprintf(stderr, "pbuf_bench: unexpected result\n");
					return 1;
				}
			}
			iters += 256;
			t1 = now_s();
		} while (t1 - t0 < budget);
		const double pbuf_ns = (t1 - t0) * 1e9 / (double)iters;
		if (memcmp(src, dst, n) != 0) {
			return 1;
		}
		/* memcpy of the same size into a buffer of the same kind. */
		long citers = 0;
		t0 = now_s();
		do {
			for (int k = 0; k < 256; k++) {
				copy_fn(dst, src, n);
			}
			citers += 256;
			t1 = now_s();
		} while (t1 - t0 < budget);
		const double copy_ns = (t1 - t0) * 1e9 / (double)citers;
		printf("%8zu %14.1f %14.1f %9.2fx %9.2fx %12.0f\n", n, pbuf_ns, copy_ns,
		       pbuf_ns / copy_ns, pbuf_ns / (2.0 * copy_ns),
		       (double)n / pbuf_ns * 1e3);
	}
	free(src);
	free(dst);
	free(mem);
	return 0;
}
