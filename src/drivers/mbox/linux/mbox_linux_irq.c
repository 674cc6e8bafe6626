/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process-wide doorbell thread: the "interrupt controller" of every Linux
 * mailbox device this process has open. One thread, whatever the number of
 * devices, as one core has one interrupt controller.
 *
 * The device table is read by the thread without a lock (atomic pointers);
 * init/deinit change it under `lock`, then bump `table_seq` and kick. The
 * thread acknowledges a new `table_seq` only at the top of an iteration, that
 * is after it finished with every device it loaded before, and reloads the
 * table after the acknowledgement: so once deinit sees its sequence number
 * acknowledged, the detached device is not touched again and its region can
 * be unmapped. The polling loop pays one plain load for this, no atomic
 * read-modify-write.
 */
#define _GNU_SOURCE
#include "mbox_linux_layout.h"

#include "amp_log.h"

#include <amplink/errno.h>
#include <amplink/port.h>

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* How long deinit waits for the thread to let go of a device. */
#define AMP_MBOX_LINUX_DETACH_NS 5000000000ull

struct amp_mbox_linux_irq {
	pthread_mutex_t lock;                                 /* serialises attach/detach */
	struct amp_mbox_linux *devs[AMP_MBOX_LINUX_MAX_DEVICES]; /* atomic pointers */
	uint32_t ndevs;
	pthread_t thread;
	bool running;
	uint32_t epoch;   /* the thread runs while this equals the value it started with */
	uint32_t exited;  /* set by the thread as it leaves */
	uint32_t table_seq; /* bumped by attach/detach after changing devs[] */
	uint32_t table_ack; /* table_seq value the thread has taken in */
	int top;            /* devs[] slots in use are below this index */
	uint32_t kick;    /* private futex word: "re-scan" */
	uint32_t no_waitv; /* 1 when the kernel has no futex_waitv */
};

static struct amp_mbox_linux_irq amp_mbox_linux_irq = { .lock = PTHREAD_MUTEX_INITIALIZER };
static pthread_once_t amp_mbox_linux_atfork_once = PTHREAD_ONCE_INIT;

static long amp_mbox_linux_futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

void amp_mbox_linux_irq_kick(void)
{
	struct amp_mbox_linux_irq *g = &amp_mbox_linux_irq;
	__atomic_fetch_add(&g->kick, 1, __ATOMIC_SEQ_CST);
	amp_mbox_linux_futex(&g->kick, FUTEX_WAKE_PRIVATE, 1, NULL);
	if (__atomic_load_n(&g->no_waitv, __ATOMIC_RELAXED)) {
		/* Without futex_waitv the thread sleeps on a device word instead. */
		for (int i = 0; i < AMP_MBOX_LINUX_MAX_DEVICES; i++) {
			struct amp_mbox_linux *d = __atomic_load_n(&g->devs[i], __ATOMIC_ACQUIRE);
			if (d != NULL) {
				struct amp_mbox_linux_region *r = d->region;
				amp_mbox_linux_futex(&r->side[d->cfg->side].bell.seq, FUTEX_WAKE, 1,
						     NULL);
			}
		}
	}
}

/* Sleep until a device is rung or the thread is kicked; never when something
 * deliverable is pending. */
static void amp_mbox_linux_sleep(struct amp_mbox_linux_irq *g, uint32_t epoch, uint32_t kick)
{
	/* Per device its seq word and its sleeping flag, then the kick word. */
	struct futex_waitv wv[2 * AMP_MBOX_LINUX_MAX_DEVICES + 1];
	struct amp_mbox_linux *sl[AMP_MBOX_LINUX_MAX_DEVICES];
	unsigned n = 0;
	int top = __atomic_load_n(&g->top, __ATOMIC_ACQUIRE);
	for (int i = 0; i < top; i++) {
		struct amp_mbox_linux *d = __atomic_load_n(&g->devs[i], __ATOMIC_ACQUIRE);
		if (d == NULL) {
			continue;
		}
		struct amp_mbox_linux_region *r = d->region;
		__atomic_store_n(&r->side[d->cfg->side].bell.sleeping, AMP_MBOX_LINUX_ASLEEP,
				 __ATOMIC_SEQ_CST);
		amp_port_dcache_clean(&r->side[d->cfg->side].bell.sleeping, sizeof(uint32_t));
		sl[n++] = d;
	}
	amp_port_mb();
	bool work = false;
	for (unsigned k = 0; k < n; k++) {
		struct amp_mbox_linux_region *r = sl[k]->region;
		uint32_t *word = &r->side[sl[k]->cfg->side].bell.seq;
		uint32_t v;
		if (!amp_mbox_linux_idle(sl[k], &v)) {
			work = true;
		}
		memset(&wv[k], 0, sizeof(wv[k]));
		wv[k].val = v;
		wv[k].uaddr = (uintptr_t)word;
		wv[k].flags = FUTEX_32;
		/* A sender that took our flag (ASLEEP -> WOKEN) before we are in
		 * the kernel may have spent its wake-up already: then the flag no
		 * longer reads ASLEEP and the kernel does not let us sleep. */
		memset(&wv[n + k], 0, sizeof(wv[n + k]));
		wv[n + k].val = AMP_MBOX_LINUX_ASLEEP;
		wv[n + k].uaddr = (uintptr_t)&r->side[sl[k]->cfg->side].bell.sleeping;
		wv[n + k].flags = FUTEX_32;
	}
	memset(&wv[2 * n], 0, sizeof(wv[2 * n]));
	wv[2 * n].val = kick;
	wv[2 * n].uaddr = (uintptr_t)&g->kick;
	wv[2 * n].flags = FUTEX_32 | FUTEX_PRIVATE_FLAG;

	if (!work && __atomic_load_n(&g->epoch, __ATOMIC_ACQUIRE) == epoch) {
		long r = -1;
		if (!__atomic_load_n(&g->no_waitv, __ATOMIC_RELAXED)) {
			r = syscall(SYS_futex_waitv, wv, 2 * n + 1, 0, NULL, CLOCK_MONOTONIC);
			if (r < 0 && errno == ENOSYS) {
				__atomic_store_n(&g->no_waitv, 1, __ATOMIC_RELAXED);
			}
		}
		if (__atomic_load_n(&g->no_waitv, __ATOMIC_RELAXED)) {
			/* One word only: with several devices, re-scan every
			 * millisecond; with one, a kick that lands between the
			 * last check and the wait, or a wake-up spent before
			 * we slept, is noticed within 10 ms. */
			struct timespec ts = { .tv_sec = 0, .tv_nsec = n > 1 ? 1000000 : 10000000 };
			if (n > 0) {
				amp_mbox_linux_futex((uint32_t *)(uintptr_t)wv[0].uaddr, FUTEX_WAIT,
						     (uint32_t)wv[0].val, &ts);
			} else {
				amp_mbox_linux_futex(&g->kick, FUTEX_WAIT_PRIVATE, kick, NULL);
			}
		}
		for (unsigned k = 0; k < n; k++) {
			__atomic_fetch_add(&sl[k]->stats.sleeps, 1, __ATOMIC_RELAXED);
		}
	}
	for (unsigned k = 0; k < n; k++) {
		struct amp_mbox_linux_region *r = sl[k]->region;
		__atomic_store_n(&r->side[sl[k]->cfg->side].bell.sleeping, AMP_MBOX_LINUX_AWAKE,
				 __ATOMIC_SEQ_CST);
	}
}

static void *amp_mbox_linux_thread(void *arg)
{
	struct amp_mbox_linux_irq *g = &amp_mbox_linux_irq;
	uint32_t epoch = (uint32_t)(uintptr_t)arg;
	uint64_t last = amp_port_now_ns();
	uint32_t seen = __atomic_load_n(&g->table_seq, __ATOMIC_ACQUIRE) - 1u;
	while (__atomic_load_n(&g->epoch, __ATOMIC_ACQUIRE) == epoch) {
		uint32_t kick = __atomic_load_n(&g->kick, __ATOMIC_ACQUIRE);
		uint32_t seq = __atomic_load_n(&g->table_seq, __ATOMIC_ACQUIRE);
		if (seq != seen) {
			__atomic_store_n(&g->table_ack, seq, __ATOMIC_RELEASE);
			seen = seq;
		}
		int work = 0;
		bool poll = false;
		uint64_t spin = 0;
		int top = __atomic_load_n(&g->top, __ATOMIC_ACQUIRE);
		for (int i = 0; i < top; i++) {
			struct amp_mbox_linux *d = __atomic_load_n(&g->devs[i], __ATOMIC_ACQUIRE);
			if (d == NULL) {
				continue;
			}
			work += amp_mbox_linux_service(d);
			if (d->cfg->wait == AMP_MBOX_LINUX_WAIT_POLL) {
				poll = true;
			} else if (d->cfg->wait == AMP_MBOX_LINUX_WAIT_ADAPTIVE && d->spin_ns > spin) {
				spin = d->spin_ns;
			}
		}
		if (work > 0) {
			last = spin != 0 ? amp_port_now_ns() : 0;
			continue;
		}
		if (poll || (spin != 0 && amp_port_now_ns() - last < spin)) {
			amp_port_cpu_relax();
			continue;
		}
		amp_mbox_linux_sleep(g, epoch, kick);
		last = amp_port_now_ns();
	}
	__atomic_store_n(&g->exited, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* In a forked child only the forking thread exists: forget the parent's devices. */
static void amp_mbox_linux_atfork_child(void)
{
	struct amp_mbox_linux_irq *g = &amp_mbox_linux_irq;
	pthread_mutex_init(&g->lock, NULL);
	memset(g->devs, 0, sizeof(g->devs));
	g->ndevs = 0;
	g->top = 0;
	g->running = false;
}

static void amp_mbox_linux_atfork_setup(void)
{
	pthread_atfork(NULL, NULL, amp_mbox_linux_atfork_child);
}

static int amp_mbox_linux_start(struct amp_mbox_linux_irq *g)
{
	sigset_t all, old;
	sigfillset(&all);
	/* Signals belong to the application's threads, not to the "hardware". */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	__atomic_store_n(&g->exited, 0, __ATOMIC_RELEASE);
	uint32_t epoch = __atomic_load_n(&g->epoch, __ATOMIC_ACQUIRE);
	int err = pthread_create(&g->thread, NULL, amp_mbox_linux_thread, (void *)(uintptr_t)epoch);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		AMP_LOGE("mbox: cannot start the doorbell thread (%s)", strerror(err));
		return AMP_EIO;
	}
	g->running = true;
	return 0;
}

bool amp_mbox_linux_irq_has(const struct amp_mbox_linux *drv)
{
	struct amp_mbox_linux_irq *g = &amp_mbox_linux_irq;
	bool found = false;
	pthread_mutex_lock(&g->lock);
	for (int i = 0; i < AMP_MBOX_LINUX_MAX_DEVICES; i++) {
		if (g->devs[i] == drv) {
			found = true;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return found;
}

int amp_mbox_linux_irq_attach(struct amp_mbox_linux *drv)
{
	struct amp_mbox_linux_irq *g = &amp_mbox_linux_irq;
	pthread_once(&amp_mbox_linux_atfork_once, amp_mbox_linux_atfork_setup);
	pthread_mutex_lock(&g->lock);
	int slot = -1;
	for (int i = 0; i < AMP_MBOX_LINUX_MAX_DEVICES; i++) {
		if (g->devs[i] == NULL) {
			slot = i;
			break;
		}
	}
	int ret = 0;
	if (slot < 0) {
		ret = AMP_ENOMEM;
	} else if (!g->running) {
		ret = amp_mbox_linux_start(g);
	}
	if (ret == 0) {
		__atomic_store_n(&g->devs[slot], drv, __ATOMIC_RELEASE);
		if (slot >= g->top) {
			__atomic_store_n(&g->top, slot + 1, __ATOMIC_RELEASE);
		}
		__atomic_fetch_add(&g->table_seq, 1, __ATOMIC_RELEASE);
		g->ndevs++;
		drv->registered = 1;
	}
	pthread_mutex_unlock(&g->lock);
	if (ret == 0) {
		amp_mbox_linux_irq_kick();
	}
	return ret;
}

/* Wait until the thread has acknowledged table sequence @p seq (so it no
 * longer holds a device it loaded before), or has exited. */
static int amp_mbox_linux_quiesce(struct amp_mbox_linux_irq *g, bool want_exit, uint32_t seq)
{
	uint64_t start = amp_port_now_ns();
	for (;;) {
		amp_mbox_linux_irq_kick();
		if (want_exit ? __atomic_load_n(&g->exited, __ATOMIC_ACQUIRE) != 0
			      : __atomic_load_n(&g->table_ack, __ATOMIC_ACQUIRE) == seq) {
			return 0;
		}
		if (amp_port_now_ns() - start > AMP_MBOX_LINUX_DETACH_NS) {
			return AMP_ETIMEDOUT;
		}
		amp_port_sleep_us(20);
	}
}

int amp_mbox_linux_irq_detach(struct amp_mbox_linux *drv)
{
	struct amp_mbox_linux_irq *g = &amp_mbox_linux_irq;
	pthread_mutex_lock(&g->lock);
	int slot = -1;
	for (int i = 0; i < AMP_MBOX_LINUX_MAX_DEVICES; i++) {
		if (g->devs[i] == drv) {
			slot = i;
			break;
		}
	}
	if (slot < 0) {
		/* Inherited across fork(): the thread that served it is not here. */
		drv->registered = 0;
		pthread_mutex_unlock(&g->lock);
		return 0;
	}
	__atomic_store_n(&g->devs[slot], NULL, __ATOMIC_RELEASE);
	uint32_t seq = __atomic_add_fetch(&g->table_seq, 1, __ATOMIC_RELEASE);
	g->ndevs--;
	int ret;
	if (g->ndevs == 0) {
		__atomic_store_n(&g->top, 0, __ATOMIC_RELEASE);
		__atomic_fetch_add(&g->epoch, 1, __ATOMIC_SEQ_CST);
		ret = amp_mbox_linux_quiesce(g, true, seq);
		if (ret == 0) {
			pthread_join(g->thread, NULL);
		} else {
			/* Blocked (e.g. the caller holds amp_port_irq_lock()): it will
			 * leave on its own once unblocked, as its epoch is over. */
			pthread_detach(g->thread);
		}
		g->running = false;
	} else {
		ret = amp_mbox_linux_quiesce(g, false, seq);
	}
	if (ret < 0) {
		AMP_LOGE("mbox %s: doorbell thread did not let go of the device",
			 drv->mbox != NULL && drv->mbox->name != NULL ? drv->mbox->name : "?");
	} else {
		drv->registered = 0;
	}
	pthread_mutex_unlock(&g->lock);
	return ret;
}
