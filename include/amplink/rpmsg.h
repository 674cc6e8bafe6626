/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/rpmsg.h
 * @brief RPMsg transport over Zephyr's static-vrings layout (host and remote
 * roles), byte-compatible with Zephyr's `zephyr,ipc-openamp-static-vrings`
 * backend on top of OpenAMP.
 *
 * One shared region holds everything; both sides compute the same placement
 * from (region size, buffer size b, MEM_ALIGNMENT A):
 *
 *   +0          virtio status byte (A bytes reserved)
 *   P = ROUND_UP(A, A)   buffer pool, 2 * ROUND_UP(n*b, A) bytes:
 *                        the host's n receive buffers, then its transmit buffers
 *   R = P + pool         vring 1: host -> remote
 *   T = ROUND_UP(R + vring_size(n, A), A)   vring 0: remote -> host
 *
 * n, the descriptors per ring, is the largest power of two not above the
 * largest k with 2*(ROUND_UP(k*b, A) + ROUND_UP(vring_size(k, A), A)) < size - A.
 * docs/SPEC-rpmsg.md has the full specification, the start-up and binding
 * sequences, the validation rules and where amplink differs from OpenAMP.
 *
 * Use: fill a `struct amp_rpmsg_cfg`, call amp_rpmsg_init() (which also fills
 * in a `struct amp_ipc_instance`), then use the instance with the amp_ipc_* API.
 * Receive processing runs in the mailbox callback (interrupt context) or, with
 * `poll` set, whenever the application calls amp_rpmsg_process().
 *
 * Concurrency model: every operation on an instance runs under
 * amp_port_irq_lock(), including the endpoint callbacks (they run in the
 * receive context). Callbacks may send, get/drop buffers with AMP_NO_WAIT,
 * hold/release buffers and deregister their own or another endpoint.
 */
#ifndef AMPLINK_RPMSG_H
#define AMPLINK_RPMSG_H

#include <amplink/ipc_backend.h>
#include <amplink/mbox.h>
#include <amplink/port.h>
#include <amplink/vring.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name Wire constants (OpenAMP / Linux values) */
/**@{*/
#define AMP_RPMSG_HDR_SIZE 16u             /**< RPMsg header before every payload */
#define AMP_RPMSG_NS_ADDR 53u              /**< name-service endpoint address */
#define AMP_RPMSG_ADDR_ANY 0xFFFFFFFFu     /**< "no address" / "allocate one" */
#define AMP_RPMSG_RESERVED_ADDRESSES 1024u /**< dynamic addresses start here */
#define AMP_RPMSG_NAME_SIZE 32u            /**< name field incl. NUL (31 characters max) */
#define AMP_RPMSG_NS_MSG_SIZE 40u          /**< name-service payload */
#define AMP_RPMSG_NS_CREATE 0u
#define AMP_RPMSG_NS_DESTROY 1u
#define AMP_RPMSG_STATUS_DRIVER_OK 0x04u   /**< virtio status bit the host sets when ready */
/** virtio NEEDS_RESET bit: an amplink remote that restarted sets it to ask the host for fresh rings */
#define AMP_RPMSG_STATUS_NEEDS_RESET 0x40u
#define AMP_RPMSG_BUFFER_SIZE_DEFAULT 512u /**< OpenAMP RPMSG_BUFFER_SIZE */
#define AMP_RPMSG_MEM_ALIGN_DEFAULT 4u     /**< Zephyr STATIC_VRINGS_MEM_ALIGNMENT default */
/**@}*/

/** Most endpoints one instance can have (compile-time; no allocation). */
#ifndef AMP_RPMSG_MAX_ENDPOINTS
#define AMP_RPMSG_MAX_ENDPOINTS 8
#endif

/** Host: most remote announcements remembered (including those made before the
 *  host registered the name). Further announcements are dropped and counted. */
#ifndef AMP_RPMSG_NS_CACHE_MAX
#define AMP_RPMSG_NS_CACHE_MAX (2 * AMP_RPMSG_MAX_ENDPOINTS)
#endif

_Static_assert(AMP_RPMSG_MAX_ENDPOINTS >= 1 && AMP_RPMSG_MAX_ENDPOINTS <= 250,
	       "AMP_RPMSG_MAX_ENDPOINTS out of range");

/** RPMsg header as it lies in a buffer (little-endian). */
struct amp_rpmsg_hdr {
	uint32_t src;      /**< sender's endpoint address */
	uint32_t dst;      /**< receiver's endpoint address */
	uint32_t reserved; /**< 0 on send, ignored on receive */
	uint16_t len;      /**< payload length */
	uint16_t flags;    /**< 0 */
};
_Static_assert(sizeof(struct amp_rpmsg_hdr) == AMP_RPMSG_HDR_SIZE, "RPMsg header is 16 bytes");
_Static_assert(offsetof(struct amp_rpmsg_hdr, dst) == 4, "hdr.dst at 4");
_Static_assert(offsetof(struct amp_rpmsg_hdr, reserved) == 8, "hdr.reserved at 8");
_Static_assert(offsetof(struct amp_rpmsg_hdr, len) == 12, "hdr.len at 12");
_Static_assert(offsetof(struct amp_rpmsg_hdr, flags) == 14, "hdr.flags at 14");

/** Name-service message (payload sent to address 53). */
struct amp_rpmsg_ns_msg {
	char name[AMP_RPMSG_NAME_SIZE]; /**< NUL-padded on send; bytes after the NUL ignored on receive */
	uint32_t addr;                  /**< the announcing endpoint's address */
	uint32_t flags;                 /**< AMP_RPMSG_NS_CREATE or AMP_RPMSG_NS_DESTROY */
};
_Static_assert(sizeof(struct amp_rpmsg_ns_msg) == AMP_RPMSG_NS_MSG_SIZE, "NS message is 40 bytes");
_Static_assert(offsetof(struct amp_rpmsg_ns_msg, addr) == 32, "ns.addr at 32");
_Static_assert(offsetof(struct amp_rpmsg_ns_msg, flags) == 36, "ns.flags at 36");

/** Which side of the link this core is. */
enum amp_rpmsg_role {
	AMP_RPMSG_ROLE_HOST = 0,   /**< virtio driver: owns buffers, writes the status byte */
	AMP_RPMSG_ROLE_REMOTE = 1, /**< virtio device: uses the host's buffers */
};

/** Placement of everything in the region (offsets from the region start). */
struct amp_rpmsg_layout {
	uint32_t num_desc;    /**< n: descriptors per vring */
	uint32_t status_size; /**< bytes reserved for the status byte (= mem_align) */
	uint32_t pool_off;    /**< P */
	uint32_t pool_size;   /**< 2 * ROUND_UP(n*b, A) */
	uint32_t vring1_off;  /**< R: host -> remote ring */
	uint32_t vring0_off;  /**< T: remote -> host ring */
	uint32_t vring_bytes; /**< vring_size(n, A) */
	uint32_t used_size;   /**< shm_size(n, b) as Zephyr computes it */
};

/**
 * @brief Compute Zephyr's static-vrings placement for a region.
 * @param[out] out        the layout
 * @param region_size     region size in bytes
 * @param buffer_size     b (0 = 512)
 * @param mem_align       A (0 = 4): power of two >= 4
 * @retval 0          computed (num_desc may exceed AMP_VRING_NUM_MAX; amp_rpmsg_init checks)
 * @retval AMP_EINVAL NULL, A not a power of two >= 4, b not a multiple of 4, or b
 *                    not in 64..65536+16
 * @retval AMP_ENOMEM the region cannot hold even one descriptor per ring
 * Context: any. Concurrency: reentrant.
 */
int amp_rpmsg_layout_compute(struct amp_rpmsg_layout *out, size_t region_size,
			     uint32_t buffer_size, uint32_t mem_align);

/** Configuration of one instance (const; both sides agree on size, b, A, event_idx). */
struct amp_rpmsg_cfg {
	enum amp_rpmsg_role role;
	void *shm;            /**< region start, this core's view (4-byte aligned) */
	uint64_t shm_phys;    /**< the region's address as the peer sees it (devicetree reg) */
	size_t shm_size;      /**< region size */
	uint32_t buffer_size; /**< b: 0 = 512 (zephyr,buffer-size) */
	uint32_t mem_align;   /**< A: 0 = 4 (CONFIG_IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT) */
	struct amp_mbox *mbox; /**< doorbell device; NULL = no doorbells (both sides poll) */
	uint32_t tx_channel;  /**< outbound channel ("tx" in mbox-names) */
	uint32_t rx_channel;  /**< inbound channel ("rx") */
	/** false: the mailbox callback processes received messages (interrupt
	 *  context). true: it does not; the application calls amp_rpmsg_process(). */
	bool poll;
	/** Use VIRTIO_RING_F_EVENT_IDX. Zephyr/OpenAMP static vrings never negotiate
	 *  it, so only set it when both sides are amplink with it set. */
	bool event_idx;
	const char *name;     /**< for diagnostics */
};

/** Counters (read with amp_rpmsg_get_stats()). */
struct amp_rpmsg_stats {
	uint32_t tx_msgs;                 /**< messages published (incl. name service, acks) */
	uint32_t rx_msgs;                 /**< messages delivered to endpoints */
	uint32_t tx_notifies;             /**< doorbells rung (counted also without a mailbox) */
	uint32_t tx_no_buffer;            /**< sends refused for lack of a buffer */
	uint32_t rx_dropped_unknown_addr; /**< messages for an address no endpoint has */
	uint32_t rx_dropped_bad_header;   /**< payload length beyond the buffer, bad source */
	uint32_t rx_bad_descriptors;      /**< descriptors/used entries rejected, buffer recycled */
	uint32_t rx_protocol_errors;      /**< ring corruption: the link was stopped */
	uint32_t ns_malformed;            /**< name-service messages rejected */
	uint32_t ns_ignored;              /**< valid announcements with nothing to do */
	uint32_t ns_cache_full;           /**< announcements dropped: cache full */
	uint32_t ns_tx_failed;            /**< name-service messages not sent (no buffer) */
	uint32_t peer_resets;             /**< remote: host restarts/shutdowns seen; host: reset requests */
};

struct amp_rpmsg;

/** One endpoint slot (internal; the IPC token points at it). */
struct amp_rpmsg_ept {
	struct amp_rpmsg *rp;
	const struct amp_ipc_ept_cfg *cfg; /**< NULL = free slot */
	uint32_t addr;   /**< local address, AMP_RPMSG_ADDR_ANY while none */
	uint32_t dest;   /**< peer address, AMP_RPMSG_ADDR_ANY while unbound */
	bool bound;
	bool announced;  /**< remote: name-service create sent */
	char name[AMP_RPMSG_NAME_SIZE];
};

/** One remembered announcement (internal). */
struct amp_rpmsg_ns_entry {
	char name[AMP_RPMSG_NAME_SIZE];
	uint32_t addr; /**< AMP_RPMSG_ADDR_ANY = free */
};

/** Per-buffer bookkeeping (internal). */
struct amp_rpmsg_slot {
	uint8_t state;  /**< who has the buffer */
	uint8_t owner;  /**< endpoint index for app-owned / held buffers */
	uint16_t id;    /**< descriptor (remote: the head it came with) */
	uint16_t holds; /**< counted receive holds */
};

/** An instance (caller-owned; zero it or let amp_rpmsg_init() fill it). */
struct amp_rpmsg {
	const struct amp_rpmsg_cfg *cfg;
	struct amp_ipc_instance *inst;
	struct amp_rpmsg_layout layout;
	struct amp_vring_cfg rx_cfg, tx_cfg;
	struct amp_vring rx, tx; /**< host: rx = vring 0, tx = vring 1; remote: the reverse */
	volatile uint8_t *status;
	uint8_t *pool;
	uint32_t buf_size;
	uint32_t nslots;
	uint8_t state;
	bool stale_logged;
	bool tx_kick, rx_kick;       /**< published since the last doorbell decision */
	bool announce_pending;
	uint16_t in_process;         /**< nesting of amp_rpmsg_process() on this core */
	uint16_t batch;              /**< nesting of amp_rpmsg_batch_begin() */
	uint16_t tx_waiters;
	uint16_t tx_carved;          /**< host: transmit buffers taken from the pool so far */
	uint16_t spare_cnt;
	uint16_t spare[AMP_VRING_NUM_MAX];     /**< slots of dropped transmit buffers */
	struct amp_rpmsg_slot slot[2 * AMP_VRING_NUM_MAX];
	struct amp_rpmsg_ept ept[AMP_RPMSG_MAX_ENDPOINTS];
	struct amp_rpmsg_ns_entry ns[AMP_RPMSG_NS_CACHE_MAX];
	struct amp_event tx_event;   /**< posted when the peer returns buffers */
	struct amp_event link_event; /**< posted when the link comes up */
	struct amp_rpmsg_stats stats;
};

/**
 * @brief Check a configuration, compute the layout, and fill in @p inst so the
 * amp_ipc_* API drives this instance. Touches no shared memory.
 *
 * @param[out] rp    instance state
 * @param cfg        configuration; must outlive @p rp
 * @param[out] inst  IPC instance to bind (ops, backend, name)
 * @retval 0          ready to open
 * @retval AMP_EINVAL NULL argument, bad role, size/alignment/buffer size, region
 *                    not 4-byte aligned, or channels out of range
 * @retval AMP_ENOMEM region too small for one descriptor per ring
 * @retval AMP_ERANGE the region yields more descriptors than AMP_VRING_NUM_MAX
 * Context: thread. Concurrency: none. Lifetime: @p rp and @p inst stay in place while used.
 */
int amp_rpmsg_init(struct amp_rpmsg *rp, const struct amp_rpmsg_cfg *cfg,
		   struct amp_ipc_instance *inst);

/**
 * @brief Run receive processing once: check the link (remote: host start-up or
 * restart), deliver pending messages (at most two ring-fulls), recycle buffers,
 * wake senders waiting for buffers, ring the peer once if needed.
 *
 * The mailbox callback calls it unless `poll` is set.
 * @param rp  the instance
 * @return number of messages delivered to endpoints (>= 0)
 * @retval AMP_EINVAL NULL
 * @retval AMP_EBUSY  the instance is not open
 * @retval AMP_EPROTO the peer corrupted a ring: the link is stopped (counted,
 *                    endpoints got `error` and `unbound`)
 * Context: thread or ISR. Concurrency: any; serialised with amp_port_irq_lock().
 */
int amp_rpmsg_process(struct amp_rpmsg *rp);

/**
 * @brief Wait (bounded) until the link is up: remote: the host has set
 * DRIVER_OK; host: opened. Opening never waits; use this if you want to.
 * @param rp          the instance
 * @param timeout_us  AMP_NO_WAIT, AMP_FOREVER or microseconds
 * @retval 0             up
 * @retval AMP_EINVAL    NULL
 * @retval AMP_EBUSY     the instance is not open
 * @retval AMP_ETIMEDOUT not up within @p timeout_us
 * Context: thread (ISR only with AMP_NO_WAIT). Concurrency: any threads; it
 * checks the status byte itself every 10 ms, so it works without doorbells too.
 */
int amp_rpmsg_wait_link(struct amp_rpmsg *rp, int64_t timeout_us);

/**
 * @brief True once the link is up (see amp_rpmsg_wait_link()).
 * @param rp  the instance (NULL gives false)
 * Context: any. Concurrency: a snapshot, read without the lock.
 */
bool amp_rpmsg_link_up(const struct amp_rpmsg *rp);

/**
 * @brief Start a burst: sends publish at once but ring the peer only at the
 * matching amp_rpmsg_batch_end(). Nests.
 * @param rp  the instance (NULL: nothing happens)
 * Context: any. Concurrency: per instance, not per thread: a batch in one
 * thread also delays the doorbells of other threads' sends until it ends.
 */
void amp_rpmsg_batch_begin(struct amp_rpmsg *rp);

/**
 * @brief End a burst: when the outermost batch ends, ring the peer once if what
 * was published needs it (suppression flags / event index).
 * @param rp  the instance
 * @return 1 if a doorbell was rung, 0 if not
 * @retval AMP_EINVAL NULL or no batch open
 * Context: any. Concurrency: any; serialised with amp_port_irq_lock().
 */
int amp_rpmsg_batch_end(struct amp_rpmsg *rp);

/**
 * @brief Copy the counters.
 * @param rp   the instance
 * @param out  where to copy them
 * @retval 0 copied  @retval AMP_EINVAL NULL
 * Context: any. Concurrency: a snapshot, read without the lock.
 */
int amp_rpmsg_get_stats(const struct amp_rpmsg *rp, struct amp_rpmsg_stats *out);

/** @brief The backend operations (what amp_rpmsg_init() puts in the instance). */
extern const struct amp_ipc_backend_ops amp_rpmsg_backend_ops;

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_RPMSG_H */
