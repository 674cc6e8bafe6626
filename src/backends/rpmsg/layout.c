/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's static-vrings placement. Both cores compute it independently from
 * the region size, the buffer size and MEM_ALIGNMENT, so the arithmetic must
 * match Zephyr's exactly, including the strict "<" in the descriptor search
 * and the rounding of the vring-0 address.
 */
#include "rpmsg_internal.h"

/* a is a power of two (checked): a mask, no 64-bit division (a libgcc call
 * of several hundred bytes on Cortex-M). */
static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1u) & ~(a - 1u);
}

static uint64_t vring_bytes(uint64_t n, uint64_t a)
{
	return round_up(16u * n + 2u * (3u + n), a) + 2u * 3u + 8u * n;
}

static uint64_t shm_bytes(uint64_t n, uint64_t b, uint64_t a)
{
	return 2u * (round_up(b * n, a) + round_up(vring_bytes(n, a), a));
}

int amp_rpmsg_layout_compute(struct amp_rpmsg_layout *out, size_t region_size,
			     uint32_t buffer_size, uint32_t mem_align)
{
	uint64_t b = buffer_size ? buffer_size : AMP_RPMSG_BUFFER_SIZE_DEFAULT;
	uint64_t a = mem_align ? mem_align : AMP_RPMSG_MEM_ALIGN_DEFAULT;

	if (out == NULL || a < 4u || (a & (a - 1u)) != 0 || a > 4096u || (b % 4u) != 0 ||
	    b < 64u || b > 65535u + AMP_RPMSG_HDR_SIZE) {
		return AMP_EINVAL;
	}
	uint64_t size = region_size;
	if (size > 0xFFFFFFFFull) {
		size = 0xFFFFFFFFull; /* offsets are 32-bit; a larger region uses its first 4 GiB */
	}
	if (size <= a) {
		return AMP_ENOMEM;
	}
	uint64_t avail = size - a;
	/* shm_bytes grows with k, so the scan stops at the first k that no longer fits. */
	uint64_t k = 0;
	while (k < 0x10000u && shm_bytes(k + 1u, b, a) < avail) {
		k++;
	}
	if (k == 0) {
		return AMP_ENOMEM;
	}
	uint64_t n = 1;
	while (n * 2u <= k && n * 2u <= 32768u) {
		n *= 2u;
	}
	uint64_t pool_off = round_up(a, a);
	uint64_t pool_size = 2u * round_up(b * n, a);
	uint64_t r = pool_off + pool_size;
	uint64_t t = round_up(r + vring_bytes(n, a), a);

	out->num_desc = (uint32_t)n;
	out->status_size = (uint32_t)a;
	out->pool_off = (uint32_t)pool_off;
	out->pool_size = (uint32_t)pool_size;
	out->vring1_off = (uint32_t)r;
	out->vring0_off = (uint32_t)t;
	out->vring_bytes = (uint32_t)vring_bytes(n, a);
	out->used_size = (uint32_t)shm_bytes(n, b, a);
	return 0;
}
