/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMsg compiled with features switched off (amplink/config.h): this program
 * builds the transport with AMP_CONFIG_ICMSG_V1=0 (so detect is off too),
 * AMP_CONFIG_STATS=0 and AMP_CONFIG_LOG_LEVEL=-1. The profiles that are gone
 * must be refused with AMP_ENOTSUP, v2 must still bind and carry traffic, and
 * the counters must stay 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <amplink/config.h>
#include <amplink/errno.h>
#include <amplink/icmsg.h>
#include <amplink/mbox_loopback.h>

#if AMP_CONFIG_ICMSG_V1 || AMP_CONFIG_ICMSG_DETECT || AMP_CONFIG_STATS
#error "this test must be built with v1, detect and stats compiled out"
#endif

static int nrx, nbound;
static void on_bound(void *p) { (void)p; nbound++; }
static void on_rx(const void *d, size_t l, void *p) { (void)d; (void)l; (void)p; nrx++; }

static void test_compiled_out(void **state)
{
	(void)state;
	uint8_t *mem = aligned_alloc(64, 1024);
	assert_non_null(mem);
	memset(mem, 0, 1024);
	static struct amp_mbox_loopback mlb;
	static struct amp_mbox ma, mb;
	static const struct amp_mbox_loopback_cfg mc = {
		.num_channels = 2, .a_tx_mask = 1u, .b_tx_mask = 2u,
	};
	assert_int_equal(amp_mbox_loopback_init(&mlb, &ma, &mb, &mc), 0);
	struct amp_icmsg_cfg ca = {
		.tx_region = mem, .tx_size = 512, .rx_region = mem + 512, .rx_size = 512,
		.mbox = &ma, .tx_channel = 0, .rx_channel = 1, .dcache_align = 8,
	};
	struct amp_icmsg_cfg cb = ca;
	cb.tx_region = mem + 512;
	cb.rx_region = mem;
	cb.mbox = &mb;
	cb.tx_channel = 1;
	cb.rx_channel = 0;
	static struct amp_icmsg a, b;

	ca.profile = AMP_ICMSG_V1;
	assert_int_equal(amp_icmsg_init(&a, &ca), AMP_ENOTSUP);
	ca.profile = AMP_ICMSG_DETECT;
	assert_int_equal(amp_icmsg_init(&a, &ca), AMP_ENOTSUP);
	ca.profile = AMP_ICMSG_V2;
	cb.profile = AMP_ICMSG_V2;
	assert_int_equal(amp_icmsg_init(&a, &ca), 0);
	assert_int_equal(amp_icmsg_init(&b, &cb), 0);
	const struct amp_ipc_ept_cfg e = { .name = "e", .cb = { .bound = on_bound, .received = on_rx } };
	assert_int_equal(amp_icmsg_open(&a, &e), 0);
	assert_int_equal(amp_icmsg_open(&b, &e), 0);
	assert_int_equal(nbound, 2);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(amp_icmsg_send(&a, "0123456789", 10), 10);
	}
	assert_int_equal(nrx, 100);
	struct amp_icmsg_stats st;
	assert_int_equal(amp_icmsg_get_stats(&b, &st), 0);
	assert_int_equal(st.rx_msgs, 0);
	assert_int_equal(st.notifies, 0);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compiled_out),
	};
	return cmocka_run_group_tests_name("icmsg_config", tests, NULL, NULL);
}
