/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Baselines, measured with the same method as amplink:
 *  - cacheline: one shared word bounced between the cores (the physical limit);
 *  - ring: a raw spinning SPSC byte ring (4-byte length + payload, the
 *    same framing cost as pbuf, no doorbell, no checks);
 *  - futex: ping-pong on a shared word with FUTEX_WAIT/WAKE, no spinning;
 *  - pipe, unix-stream, unix-seqpacket: the ordinary kernel mechanisms;
 *  - memcpy: one core copying the message (throughput ceiling).
 * Receivers copy each message into a private buffer, as amplink's do.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Round trip i ended now: its time, when the caller keeps samples. */
static inline void sample(uint64_t *s, uint64_t i, uint64_t *t)
{
	if (s != NULL) {
		uint64_t now = bench_now();
		s[i] = now - *t;
		*t = now;
	}
}

/* ---- per-cell private state (copied into the child by fork) ---------------- */

/*
 * One message through the kernel (pipe and sockets, one set of loops): a byte
 * stream moves exactly j->size bytes each way, a packet socket one packet.
 */
struct kio {
	int (*tx)(struct bench_job *j, const uint8_t *b);
	int (*rx)(struct bench_job *j);
};

struct base_priv {
	uint32_t seq;   /* ping-pong sequence, advanced identically on both sides */
	int fd[4];      /* pipes / socket pair */
	void *shared;   /* shared mapping (ring) */
	size_t shared_len;
	const struct kio *io; /* kernel mechanisms: how a message moves */
};

static int priv_new(struct bench_job *j)
{
	struct base_priv *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		return -ENOMEM;
	}
	for (int i = 0; i < 4; i++) {
		p->fd[i] = -1;
	}
	j->priv = p;
	return 0;
}

static void priv_free(struct bench_job *j)
{
	struct base_priv *p = j->priv;
	if (p == NULL) {
		return;
	}
	for (int i = 0; i < 4; i++) {
		if (p->fd[i] >= 0) {
			close(p->fd[i]);
		}
	}
	if (p->shared != NULL) {
		munmap(p->shared, p->shared_len);
	}
	free(p);
	j->priv = NULL;
}

/* ---- cache line ----------------------------------------------------------- */

static int cl_a_rtt(struct bench_job *j, uint64_t n, uint64_t *s)
{
	struct base_priv *p = j->priv;
	volatile uint32_t *w = &j->ctl->word;
	uint64_t t = bench_now();
	for (uint64_t i = 0; i < n; i++) {
		bool last = bench_a_last(j, i);
		uint32_t v = 2 * p->seq + 1;
		__atomic_store_n(w, v, __ATOMIC_RELEASE);
		while (__atomic_load_n(w, __ATOMIC_ACQUIRE) != v + 1) {
			bench_relax();
		}
		p->seq++;
		sample(s, i, &t);
		if (last) {
			break;
		}
	}
	return 0;
}

static int cl_b_echo(struct bench_job *j, uint64_t n)
{
	struct base_priv *p = j->priv;
	volatile uint32_t *w = &j->ctl->word;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t v = 2 * p->seq + 1;
		while (__atomic_load_n(w, __ATOMIC_ACQUIRE) != v) {
			bench_relax();
		}
		__atomic_store_n(w, v + 1, __ATOMIC_RELEASE);
		p->seq++;
		if (bench_b_stop(j, i + 1)) {
			break;
		}
	}
	return 0;
}

const struct bench_impl bench_cacheline = {
	.transport = "cacheline", .mode = "spin", .sized = false,
	.setup = priv_new, .a_rtt = cl_a_rtt, .b_echo = cl_b_echo, .teardown = priv_free,
};

/* ---- futex ---------------------------------------------------------------- */

static long futex(volatile uint32_t *w, int op, uint32_t v)
{
	return syscall(SYS_futex, w, op, v, NULL, NULL, 0);
}

static void fx_wait_for(volatile uint32_t *w, uint32_t want)
{
	uint32_t v;
	while ((v = __atomic_load_n(w, __ATOMIC_ACQUIRE)) != want) {
		futex(w, FUTEX_WAIT, v);
	}
}

static int fx_a_rtt(struct bench_job *j, uint64_t n, uint64_t *s)
{
	struct base_priv *p = j->priv;
	volatile uint32_t *w = &j->ctl->word;
	uint64_t t = bench_now();
	for (uint64_t i = 0; i < n; i++) {
		bool last = bench_a_last(j, i);
		uint32_t v = 2 * p->seq + 1;
		__atomic_store_n(w, v, __ATOMIC_RELEASE);
		futex(w, FUTEX_WAKE, 1);
		fx_wait_for(w, v + 1);
		p->seq++;
		sample(s, i, &t);
		if (last) {
			break;
		}
	}
	return 0;
}

static int fx_b_echo(struct bench_job *j, uint64_t n)
{
	struct base_priv *p = j->priv;
	volatile uint32_t *w = &j->ctl->word;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t v = 2 * p->seq + 1;
		fx_wait_for(w, v);
		__atomic_store_n(w, v + 1, __ATOMIC_RELEASE);
		futex(w, FUTEX_WAKE, 1);
		p->seq++;
		if (bench_b_stop(j, i + 1)) {
			break;
		}
	}
	return 0;
}

const struct bench_impl bench_futex = {
	.transport = "futex", .mode = "sleep", .sized = false,
	.setup = priv_new, .a_rtt = fx_a_rtt, .b_echo = fx_b_echo, .teardown = priv_free,
};

/* ---- raw SPSC ring -------------------------------------------------------- */

#define RING_CAP (128u * 1024u)

struct raw_ring {
	_Alignas(64) volatile uint32_t head; /* writer */
	_Alignas(64) volatile uint32_t tail; /* reader */
	_Alignas(64) uint8_t data[RING_CAP];
};

struct ring_pair {
	struct raw_ring ab, ba;
};

static int ring_setup(struct bench_job *j)
{
	int rc = priv_new(j);
	if (rc != 0) {
		return rc;
	}
	struct base_priv *p = j->priv;
	p->shared_len = sizeof(struct ring_pair);
	p->shared = mmap(NULL, p->shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			 -1, 0);
	if (p->shared == MAP_FAILED) {
		p->shared = NULL;
		return -errno;
	}
	return 0;
}

static void ring_put(struct raw_ring *r, const uint8_t *src, uint32_t len)
{
	uint32_t need = 4 + ((len + 3) & ~3u);
	uint32_t head = r->head;
	while (RING_CAP - (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE)) < need) {
		bench_relax();
	}
	uint32_t pos = head & (RING_CAP - 1);
	memcpy(&r->data[pos], &len, 4);
	pos = (pos + 4) & (RING_CAP - 1);
	uint32_t first = RING_CAP - pos < len ? RING_CAP - pos : len;
	memcpy(&r->data[pos], src, first);
	memcpy(&r->data[0], src + first, len - first);
	__atomic_store_n(&r->head, head + need, __ATOMIC_RELEASE);
}

static uint32_t ring_get(struct raw_ring *r, uint8_t *dst)
{
	uint32_t tail = r->tail;
	while (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == tail) {
		bench_relax();
	}
	uint32_t pos = tail & (RING_CAP - 1);
	uint32_t len;
	memcpy(&len, &r->data[pos], 4);
	if (len > BENCH_MAX_SIZE) {
		len = BENCH_MAX_SIZE;
	}
	pos = (pos + 4) & (RING_CAP - 1);
	uint32_t first = RING_CAP - pos < len ? RING_CAP - pos : len;
	memcpy(dst, &r->data[pos], first);
	memcpy(dst + first, &r->data[0], len - first);
	__atomic_store_n(&r->tail, tail + 4 + ((len + 3) & ~3u), __ATOMIC_RELEASE);
	return len;
}

static int ring_a_rtt(struct bench_job *j, uint64_t n, uint64_t *s)
{
	struct ring_pair *rp = ((struct base_priv *)j->priv)->shared;
	uint64_t t = bench_now();
	for (uint64_t i = 0; i < n; i++) {
		bool last = bench_a_last(j, i);
		ring_put(&rp->ab, j->buf, (uint32_t)j->size);
		ring_get(&rp->ba, j->rbuf);
		sample(s, i, &t);
		if (last) {
			break;
		}
	}
	return 0;
}

static int ring_b_echo(struct bench_job *j, uint64_t n)
{
	struct ring_pair *rp = ((struct base_priv *)j->priv)->shared;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t len = ring_get(&rp->ab, j->rbuf);
		ring_put(&rp->ba, j->rbuf, len);
		if (bench_b_stop(j, i + 1)) {
			break;
		}
	}
	return 0;
}

static int ring_a_send(struct bench_job *j, uint64_t n)
{
	struct ring_pair *rp = ((struct base_priv *)j->priv)->shared;
	for (uint64_t i = 0; i < n; i++) {
		bool last = bench_a_last(j, i);
		ring_put(&rp->ab, j->buf, (uint32_t)j->size);
		if (last) {
			break;
		}
	}
	return 0;
}

static int ring_b_recv(struct bench_job *j, uint64_t n, uint64_t *t_last)
{
	struct ring_pair *rp = ((struct base_priv *)j->priv)->shared;
	for (uint64_t i = 0; i < n; i++) {
		ring_get(&rp->ab, j->rbuf);
		if (bench_b_stop(j, i + 1)) {
			break;
		}
	}
	*t_last = bench_now();
	return 0;
}

const struct bench_impl bench_ring = {
	.transport = "ring", .mode = "spin", .sized = true, .max_size = RING_CAP / 4,
	.setup = ring_setup, .a_rtt = ring_a_rtt, .b_echo = ring_b_echo,
	.a_send = ring_a_send, .b_recv = ring_b_recv, .teardown = priv_free,
};

/* ---- byte streams and packets through the kernel ---------------------------- */

static int write_all(int fd, const uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, b, n);
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static int read_all(int fd, uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, b, n);
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		if (r == 0) {
			return -EPIPE;
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static const struct kio stream_io, pkt_io;

/* fd[0]: A's end, fd[1]: B's end (sockets); pipes: fd[0..1] = A->B, fd[2..3] = B->A. */
static int pipe_setup(struct bench_job *j)
{
	int rc = priv_new(j);
	if (rc != 0) {
		return rc;
	}
	struct base_priv *p = j->priv;
	p->io = &stream_io;
	if (pipe2(&p->fd[0], O_CLOEXEC) != 0 || pipe2(&p->fd[2], O_CLOEXEC) != 0) {
		return -errno;
	}
	return 0;
}

static int pipe_a_init(struct bench_job *j)
{
	struct base_priv *p = j->priv;
	close(p->fd[0]);
	close(p->fd[3]);
	p->fd[0] = p->fd[3] = -1;
	return 0;
}

static int pipe_b_init(struct bench_job *j)
{
	struct base_priv *p = j->priv;
	close(p->fd[1]);
	close(p->fd[2]);
	p->fd[1] = p->fd[2] = -1;
	return 0;
}

/* The descriptors each side writes to and reads from. */
static int wfd(struct bench_job *j)
{
	struct base_priv *p = j->priv;
	if (p->fd[2] < 0 && p->fd[3] < 0) { /* socket pair */
		return j->is_b ? p->fd[1] : p->fd[0];
	}
	return j->is_b ? p->fd[3] : p->fd[1];
}

static int rfd(struct bench_job *j)
{
	struct base_priv *p = j->priv;
	if (p->fd[2] < 0 && p->fd[3] < 0) {
		return j->is_b ? p->fd[1] : p->fd[0];
	}
	return j->is_b ? p->fd[0] : p->fd[2];
}

static int kio_a_rtt(struct bench_job *j, uint64_t n, uint64_t *s)
{
	const struct kio *io = ((struct base_priv *)j->priv)->io;
	uint64_t t = bench_now();
	for (uint64_t i = 0; i < n; i++) {
		bool last = bench_a_last(j, i);
		int rc = io->tx(j, j->buf);
		if (rc == 0) {
			rc = io->rx(j);
		}
		if (rc != 0) {
			return rc;
		}
		sample(s, i, &t);
		if (last) {
			break;
		}
	}
	return 0;
}

static int kio_b_echo(struct bench_job *j, uint64_t n)
{
	const struct kio *io = ((struct base_priv *)j->priv)->io;
	for (uint64_t i = 0; i < n; i++) {
		int rc = io->rx(j);
		if (rc == 0) {
			rc = io->tx(j, j->rbuf);
		}
		if (rc != 0) {
			return rc;
		}
		if (bench_b_stop(j, i + 1)) {
			break;
		}
	}
	return 0;
}

static int kio_a_send(struct bench_job *j, uint64_t n)
{
	const struct kio *io = ((struct base_priv *)j->priv)->io;
	for (uint64_t i = 0; i < n; i++) {
		bool last = bench_a_last(j, i);
		int rc = io->tx(j, j->buf);
		if (rc != 0) {
			return rc;
		}
		if (last) {
			break;
		}
	}
	return 0;
}

static int kio_b_recv(struct bench_job *j, uint64_t n, uint64_t *t_last)
{
	const struct kio *io = ((struct base_priv *)j->priv)->io;
	for (uint64_t i = 0; i < n; i++) {
		int rc = io->rx(j);
		if (rc != 0) {
			return rc;
		}
		if (bench_b_stop(j, i + 1)) {
			break;
		}
	}
	*t_last = bench_now();
	return 0;
}

static int stream_tx(struct bench_job *j, const uint8_t *b)
{
	return write_all(wfd(j), b, j->size);
}

static int stream_rx(struct bench_job *j)
{
	return read_all(rfd(j), j->rbuf, j->size);
}

static const struct kio stream_io = { .tx = stream_tx, .rx = stream_rx };

const struct bench_impl bench_pipe = {
	.transport = "pipe", .mode = "sleep", .sized = true,
	.setup = pipe_setup, .a_init = pipe_a_init, .b_init = pipe_b_init,
	.a_rtt = kio_a_rtt, .b_echo = kio_b_echo, .a_send = kio_a_send,
	.b_recv = kio_b_recv, .teardown = priv_free,
};

static int sock_setup(struct bench_job *j, int type)
{
	int rc = priv_new(j);
	if (rc != 0) {
		return rc;
	}
	struct base_priv *p = j->priv;
	p->io = type == SOCK_SEQPACKET ? &pkt_io : &stream_io;
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, &p->fd[0]) != 0) {
		return -errno;
	}
	int sz = 1 << 20;
	setsockopt(p->fd[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(p->fd[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return 0;
}

static int stream_setup(struct bench_job *j)
{
	return sock_setup(j, SOCK_STREAM);
}

static int seqp_setup(struct bench_job *j)
{
	return sock_setup(j, SOCK_SEQPACKET);
}

static int sock_a_init(struct bench_job *j)
{
	struct base_priv *p = j->priv;
	close(p->fd[1]);
	p->fd[1] = -1;
	return 0;
}

static int sock_b_init(struct bench_job *j)
{
	struct base_priv *p = j->priv;
	/* B uses fd[1]; keep the index layout so wfd()/rfd() find it. */
	close(p->fd[0]);
	p->fd[0] = -1;
	return 0;
}

const struct bench_impl bench_unix_stream = {
	.transport = "unix-stream", .mode = "sleep", .sized = true,
	.setup = stream_setup, .a_init = sock_a_init, .b_init = sock_b_init,
	.a_rtt = kio_a_rtt, .b_echo = kio_b_echo, .a_send = kio_a_send,
	.b_recv = kio_b_recv, .teardown = priv_free,
};

static int pkt_send(struct bench_job *j, const uint8_t *b)
{
	for (;;) {
		ssize_t r = send(wfd(j), b, j->size, 0);
		if (r == (ssize_t)j->size) {
			return 0;
		}
		if (r < 0 && errno == EINTR) {
			continue;
		}
		return r < 0 ? -errno : -EIO;
	}
}

static int pkt_recv(struct bench_job *j)
{
	for (;;) {
		ssize_t r = recv(rfd(j), j->rbuf, BENCH_MAX_SIZE, 0);
		if (r == (ssize_t)j->size) {
			return 0;
		}
		if (r < 0 && errno == EINTR) {
			continue;
		}
		return r < 0 ? -errno : -EIO;
	}
}

static const struct kio pkt_io = { .tx = pkt_send, .rx = pkt_recv };

const struct bench_impl bench_unix_seqpacket = {
	.transport = "unix-seqpacket", .mode = "sleep", .sized = true,
	.setup = seqp_setup, .a_init = sock_a_init, .b_init = sock_b_init,
	.a_rtt = kio_a_rtt, .b_echo = kio_b_echo, .a_send = kio_a_send,
	.b_recv = kio_b_recv, .teardown = priv_free,
};

/* ---- memcpy on one core ------------------------------------------------------ */

#define MEMCPY_SRC (1u << 20)

static int mc_setup(struct bench_job *j)
{
	uint8_t *src = malloc(MEMCPY_SRC + BENCH_MAX_SIZE);
	if (src == NULL) {
		return -ENOMEM;
	}
	memset(src, 0x5a, MEMCPY_SRC + BENCH_MAX_SIZE);
	j->priv = src;
	return 0;
}

static int mc_send(struct bench_job *j, uint64_t n)
{
	const uint8_t *src = j->priv;
	size_t off = 0;
	for (uint64_t i = 0; i < n; i++) {
		bool last = bench_a_last(j, i);
		memcpy(j->rbuf, src + off, j->size);
		__asm__ volatile("" ::: "memory");
		off += (j->size + 63) & ~(size_t)63;
		if (off >= MEMCPY_SRC) {
			off = 0;
		}
		if (last) {
			break;
		}
	}
	return 0;
}

static void mc_teardown(struct bench_job *j)
{
	free(j->priv);
	j->priv = NULL;
}

const struct bench_impl bench_memcpy = {
	.transport = "memcpy", .mode = "1-core", .sized = true, .local = true,
	.setup = mc_setup, .a_send = mc_send, .teardown = mc_teardown,
};
