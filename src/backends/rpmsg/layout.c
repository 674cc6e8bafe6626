/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's static-vrings placement. Both cores compute it independently from
 * the region size, the buffer size and MEM_ALIGNMENT, so the arithmetic must
 * match Zephyr's exactly, including the strict "<" in the descriptor search
 * and the rounding of the vring-0 address.
 */
#include "rpmsg_internal.h"

/*
 * 32-bit arithmetic throughout (no 64-bit multiply, add or division on
 * Cortex-M): offsets are 32-bit anyway, and the search compares half sizes
 * so no intermediate can overflow (see the comments below).
 */

/* a is a power of two (checked). */
static uint32_t round_up(uint32_t x, uint32_t a)
{
	return (x + a - 1u) & ~(a - 1u);
}

/* n <= 65536, a <= 4096: at most about 1.2 MiB. */
static uint32_t vring_bytes(uint32_t n, uint32_t a)
{
	return round_up(16u * n + 2u * (3u + n), a) + 2u * 3u + 8u * n;
}

/* Half of Zephyr's shared-memory size for n descriptors (both pools and both
 * rings are counted twice there); callers keep b * n <= 2^31. */
static uint32_t half_bytes(uint32_t n, uint32_t b, uint32_t a)
{
	return round_up(b * n, a) + round_up(vring_bytes(n, a), a);
}

int amp_rpmsg_layout_compute(struct amp_rpmsg_layout *out, size_t region_size,
			     uint32_t buffer_size, uint32_t mem_align)
{
	const uint32_t b = buffer_size ? buffer_size : AMP_RPMSG_BUFFER_SIZE_DEFAULT;
	const uint32_t a = mem_align ? mem_align : AMP_RPMSG_MEM_ALIGN_DEFAULT;

	if (out == NULL || a < 4u || (a & (a - 1u)) != 0 || a > 4096u || (b % 4u) != 0 ||
	    b < 64u || b > 65535u + AMP_RPMSG_HDR_SIZE) {
		return AMP_EINVAL;
	}
	/* Offsets are 32-bit; a larger region uses its first 4 GiB. */
	uint64_t wide = region_size; /* not size_t: 32 bits wide on the targets */
	const uint32_t size = wide > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)wide;
	if (size <= a) {
		return AMP_ENOMEM;
	}
	/* Zephyr: the largest k with shm_bytes(k) < size - a, where shm_bytes =
	 * 2 * half_bytes. 2h < avail <=> h <= (avail - 1) / 2 =: half. b * k
	 * <= half < 2^31 is checked first (half_bytes >= b * k, so a larger k
	 * fails anyway), which keeps half_bytes below 2^31 + 2^22: no overflow.
	 * half_bytes grows with k, so the scan stops at the first k that fails. */
	const uint32_t half = (size - a - 1u) / 2u;
	const uint32_t kmax = half / b;
	uint32_t k = 0;
	while (k < 0x10000u && k + 1u <= kmax && half_bytes(k + 1u, b, a) <= half) {
		k++;
	}
	if (k == 0) {
		return AMP_ENOMEM;
	}
	uint32_t n = 1;
	while (n * 2u <= k && n * 2u <= 32768u) {
		n *= 2u;
	}
	const uint32_t pool_off = a; /* round_up(a, a) */
	const uint32_t pool_size = 2u * round_up(b * n, a);
	const uint32_t r = pool_off + pool_size;
	const uint32_t t = round_up(r + vring_bytes(n, a), a);

	out->num_desc = n;
	out->status_size = a;
	out->pool_off = pool_off;
	out->pool_size = pool_size;
	out->vring1_off = r;
	out->vring0_off = t;
	out->vring_bytes = vring_bytes(n, a);
	out->used_size = 2u * half_bytes(n, b, a);
	return 0;
}
