/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service dispatch layer against a fake transport that records every call
 * and returns scripted codes: every validation path of every amp_ipc_* call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/ipc_backend.h>

enum { OP_OPEN, OP_CLOSE, OP_REG, OP_DEREG, OP_SEND, OP_SIZE, OP_GET, OP_DROP, OP_NOCOPY,
       OP_HOLD, OP_RELEASE, OP_COUNT };

static struct fake {
	int calls[OP_COUNT];
	int ret[OP_COUNT];
	struct amp_ipc_instance *last_inst;
	void *last_token;
	const void *last_data;
	size_t last_len;
	struct amp_ipc_instance *inst_seen_in_register; /* ept->instance during register */
	struct amp_ipc_ept *ept_under_registration;
} fk;

static int f_open(struct amp_ipc_instance *i) { fk.calls[OP_OPEN]++; fk.last_inst = i; return fk.ret[OP_OPEN]; }
static int f_close(struct amp_ipc_instance *i) { fk.calls[OP_CLOSE]++; fk.last_inst = i; return fk.ret[OP_CLOSE]; }
static int f_reg(struct amp_ipc_instance *i, void **token, const struct amp_ipc_ept_cfg *cfg)
{
	(void)cfg;
	fk.calls[OP_REG]++;
	fk.last_inst = i;
	if (fk.ept_under_registration != NULL) {
		fk.inst_seen_in_register = fk.ept_under_registration->instance;
	}
	*token = (void *)0x1234; /* a transport writes its token even when it then fails */
	return fk.ret[OP_REG];
}
static int f_dereg(struct amp_ipc_instance *i, void *t) { fk.calls[OP_DEREG]++; fk.last_inst = i; fk.last_token = t; return fk.ret[OP_DEREG]; }
static int f_send(struct amp_ipc_instance *i, void *t, const void *d, size_t l)
{
	fk.calls[OP_SEND]++; fk.last_inst = i; fk.last_token = t; fk.last_data = d; fk.last_len = l;
	return fk.ret[OP_SEND];
}
static int f_size(struct amp_ipc_instance *i, void *t) { fk.calls[OP_SIZE]++; fk.last_inst = i; fk.last_token = t; return fk.ret[OP_SIZE]; }
static int f_get(struct amp_ipc_instance *i, void *t, void **d, uint32_t *s, int64_t to)
{
	(void)to;
	fk.calls[OP_GET]++; fk.last_inst = i; fk.last_token = t;
	*d = (void *)0x5678;
	*s = 64;
	return fk.ret[OP_GET];
}
static int f_drop(struct amp_ipc_instance *i, void *t, const void *d) { fk.calls[OP_DROP]++; fk.last_inst = i; fk.last_token = t; fk.last_data = d; return fk.ret[OP_DROP]; }
static int f_nocopy(struct amp_ipc_instance *i, void *t, const void *d, size_t l)
{
	fk.calls[OP_NOCOPY]++; fk.last_inst = i; fk.last_token = t; fk.last_data = d; fk.last_len = l;
	return fk.ret[OP_NOCOPY];
}
static int f_hold(struct amp_ipc_instance *i, void *t, void *d) { fk.calls[OP_HOLD]++; fk.last_inst = i; fk.last_token = t; fk.last_data = d; return fk.ret[OP_HOLD]; }
static int f_release(struct amp_ipc_instance *i, void *t, void *d) { fk.calls[OP_RELEASE]++; fk.last_inst = i; fk.last_token = t; fk.last_data = d; return fk.ret[OP_RELEASE]; }

static const struct amp_ipc_backend_ops full_ops = {
	f_open, f_close, f_reg, f_dereg, f_send, f_size, f_get, f_drop, f_nocopy, f_hold, f_release,
};

static struct amp_ipc_backend_ops ops; /* per-test copy with ops removed */
static struct amp_ipc_instance inst;
static struct amp_ipc_ept ept;
static const struct amp_ipc_ept_cfg ecfg = { .name = "ep0" };
static char payload[8] = "abcdefg";

static int total_calls(void)
{
	int n = 0;
	for (int i = 0; i < OP_COUNT; i++) {
		n += fk.calls[i];
	}
	return n;
}

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	ops = full_ops;
	inst.ops = &ops;
	inst.backend = &fk;
	inst.name = "fake";
	memset(&ept, 0, sizeof(ept));
	return 0;
}

static void registered(void)
{
	assert_int_equal(amp_ipc_register_endpoint(&inst, &ept, &ecfg), 0);
	memset(fk.calls, 0, sizeof(fk.calls));
}

static void test_open_close(void **state)
{
	(void)state;
	assert_int_equal(amp_ipc_open_instance(NULL), AMP_EINVAL);
	assert_int_equal(amp_ipc_close_instance(NULL), AMP_EINVAL);
	struct amp_ipc_instance none = { 0 };
	assert_int_equal(amp_ipc_open_instance(&none), AMP_EIO);
	assert_int_equal(amp_ipc_close_instance(&none), AMP_EIO);
	assert_int_equal(total_calls(), 0);

	fk.ret[OP_OPEN] = AMP_EALREADY;
	assert_int_equal(amp_ipc_open_instance(&inst), AMP_EALREADY);
	assert_int_equal(fk.calls[OP_OPEN], 1);
	assert_ptr_equal(fk.last_inst, &inst);
	fk.ret[OP_CLOSE] = AMP_EBUSY;
	assert_int_equal(amp_ipc_close_instance(&inst), AMP_EBUSY);
	assert_int_equal(fk.calls[OP_CLOSE], 1);

	/* A transport without open/close steps: 0, as in Zephyr. */
	ops.open_instance = NULL;
	ops.close_instance = NULL;
	assert_int_equal(amp_ipc_open_instance(&inst), 0);
	assert_int_equal(amp_ipc_close_instance(&inst), 0);
	assert_int_equal(fk.calls[OP_OPEN], 1);
}

static void test_register(void **state)
{
	(void)state;
	assert_int_equal(amp_ipc_register_endpoint(NULL, &ept, &ecfg), AMP_EINVAL);
	assert_int_equal(amp_ipc_register_endpoint(&inst, NULL, &ecfg), AMP_EINVAL);
	assert_int_equal(amp_ipc_register_endpoint(&inst, &ept, NULL), AMP_EINVAL);
	struct amp_ipc_instance none = { 0 };
	assert_int_equal(amp_ipc_register_endpoint(&none, &ept, &ecfg), AMP_EIO);
	ops.register_endpoint = NULL;
	assert_int_equal(amp_ipc_register_endpoint(&inst, &ept, &ecfg), AMP_EIO);
	assert_int_equal(total_calls(), 0);
	assert_null(ept.instance);
	ops.register_endpoint = f_reg;

	/* The instance is set before the transport runs. */
	fk.ept_under_registration = &ept;
	assert_int_equal(amp_ipc_register_endpoint(&inst, &ept, &ecfg), 0);
	assert_ptr_equal(fk.inst_seen_in_register, &inst);
	assert_ptr_equal(ept.instance, &inst);
	assert_ptr_equal(ept.token, (void *)0x1234);

	/* A failed (re)registration leaves the previous registration intact. */
	ept.token = (void *)0x99;
	fk.ret[OP_REG] = AMP_EALREADY;
	assert_int_equal(amp_ipc_register_endpoint(&inst, &ept, &ecfg), AMP_EALREADY);
	assert_ptr_equal(ept.instance, &inst);
	assert_ptr_equal(ept.token, (void *)0x99);

	/* A failed first registration leaves the endpoint unregistered. */
	struct amp_ipc_ept e2 = { 0 };
	fk.ret[OP_REG] = AMP_ENOMEM;
	assert_int_equal(amp_ipc_register_endpoint(&inst, &e2, &ecfg), AMP_ENOMEM);
	assert_null(e2.instance);
	assert_null(e2.token);
	assert_int_equal(amp_ipc_send(&e2, payload, 3), AMP_ENOENT);
}

static void test_deregister(void **state)
{
	(void)state;
	assert_int_equal(amp_ipc_deregister_endpoint(NULL), AMP_EINVAL);
	assert_int_equal(amp_ipc_deregister_endpoint(&ept), AMP_ENOENT);
	assert_int_equal(total_calls(), 0);
	registered();

	fk.ret[OP_DEREG] = AMP_EALREADY; /* a transport error keeps the registration */
	assert_int_equal(amp_ipc_deregister_endpoint(&ept), AMP_EALREADY);
	assert_ptr_equal(ept.instance, &inst);
	fk.ret[OP_DEREG] = 0;
	assert_int_equal(amp_ipc_deregister_endpoint(&ept), 0);
	assert_ptr_equal(fk.last_token, (void *)0x1234);
	assert_null(ept.instance);
	assert_int_equal(fk.calls[OP_DEREG], 2);
	/* After deregistration every call reports ENOENT without reaching the transport. */
	assert_int_equal(amp_ipc_send(&ept, payload, 3), AMP_ENOENT);
	assert_int_equal(amp_ipc_deregister_endpoint(&ept), AMP_ENOENT);
	assert_int_equal(fk.calls[OP_SEND], 0);

	/* Missing op: EIO (mandatory op, as Zephyr). */
	registered();
	ops.deregister_endpoint = NULL;
	assert_int_equal(amp_ipc_deregister_endpoint(&ept), AMP_EIO);
	assert_ptr_equal(ept.instance, &inst);

	/* An instance that lost its transport. */
	ops.deregister_endpoint = f_dereg;
	inst.ops = NULL;
	assert_int_equal(amp_ipc_deregister_endpoint(&ept), AMP_EIO);
	assert_int_equal(amp_ipc_send(&ept, payload, 3), AMP_EIO);
	inst.ops = &ops;
}

static void test_send(void **state)
{
	(void)state;
	assert_int_equal(amp_ipc_send(NULL, payload, 3), AMP_EINVAL);
	assert_int_equal(amp_ipc_send(&ept, payload, 3), AMP_ENOENT);
	registered();
	assert_int_equal(amp_ipc_send(&ept, NULL, 3), AMP_EINVAL);
	assert_int_equal(fk.calls[OP_SEND], 0);

	fk.ret[OP_SEND] = 3;
	assert_int_equal(amp_ipc_send(&ept, payload, 3), 3);
	assert_ptr_equal(fk.last_data, payload);
	assert_int_equal(fk.last_len, 3);
	assert_ptr_equal(fk.last_token, (void *)0x1234);
	assert_ptr_equal(fk.last_inst, &inst);
	/* Transport codes pass through unchanged. */
	const int codes[] = { AMP_EBUSY, AMP_ENOMEM, AMP_ENODATA, AMP_EMSGSIZE, AMP_ENOTCONN, 0 };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		fk.ret[OP_SEND] = codes[i];
		assert_int_equal(amp_ipc_send(&ept, payload, 0), codes[i]);
	}
	ops.send = NULL;
	assert_int_equal(amp_ipc_send(&ept, payload, 3), AMP_EIO);
}

static void test_tx_buffer(void **state)
{
	(void)state;
	void *d = NULL;
	uint32_t size = 0;

	assert_int_equal(amp_ipc_get_tx_buffer_size(NULL), AMP_EINVAL);
	assert_int_equal(amp_ipc_get_tx_buffer_size(&ept), AMP_ENOENT);
	assert_int_equal(amp_ipc_get_tx_buffer(NULL, &d, &size, 0), AMP_EINVAL);
	assert_int_equal(amp_ipc_get_tx_buffer(&ept, &d, &size, 0), AMP_ENOENT);
	assert_int_equal(amp_ipc_send_nocopy(NULL, payload, 1), AMP_EINVAL);
	assert_int_equal(amp_ipc_send_nocopy(&ept, payload, 1), AMP_ENOENT);
	assert_int_equal(amp_ipc_drop_tx_buffer(NULL, payload), AMP_EINVAL);
	assert_int_equal(amp_ipc_drop_tx_buffer(&ept, payload), AMP_ENOENT);
	registered();
	assert_int_equal(amp_ipc_get_tx_buffer(&ept, NULL, &size, 0), AMP_EINVAL);
	assert_int_equal(amp_ipc_get_tx_buffer(&ept, &d, NULL, 0), AMP_EINVAL);
	assert_int_equal(amp_ipc_send_nocopy(&ept, NULL, 1), AMP_EINVAL);
	assert_int_equal(amp_ipc_drop_tx_buffer(&ept, NULL), AMP_EINVAL);
	assert_int_equal(total_calls(), 0);

	fk.ret[OP_SIZE] = 496;
	assert_int_equal(amp_ipc_get_tx_buffer_size(&ept), 496);
	assert_int_equal(amp_ipc_get_tx_buffer(&ept, &d, &size, 0), 0);
	assert_ptr_equal(d, (void *)0x5678);
	assert_int_equal(size, 64);
	fk.ret[OP_NOCOPY] = 5;
	assert_int_equal(amp_ipc_send_nocopy(&ept, d, 5), 5);
	assert_ptr_equal(fk.last_data, d);
	fk.ret[OP_DROP] = AMP_EALREADY;
	assert_int_equal(amp_ipc_drop_tx_buffer(&ept, d), AMP_EALREADY);

	/* get_tx_buffer and send_nocopy need each other. */
	ops.send_nocopy = NULL;
	assert_int_equal(amp_ipc_get_tx_buffer(&ept, &d, &size, 0), AMP_ENOTSUP);
	assert_int_equal(amp_ipc_send_nocopy(&ept, d, 5), AMP_ENOTSUP);
	ops.send_nocopy = f_nocopy;
	ops.get_tx_buffer = NULL;
	assert_int_equal(amp_ipc_get_tx_buffer(&ept, &d, &size, 0), AMP_ENOTSUP);
	assert_int_equal(amp_ipc_send_nocopy(&ept, d, 5), AMP_ENOTSUP);
	ops.get_tx_buffer_size = NULL;
	ops.drop_tx_buffer = NULL;
	assert_int_equal(amp_ipc_get_tx_buffer_size(&ept), AMP_ENOTSUP);
	assert_int_equal(amp_ipc_drop_tx_buffer(&ept, d), AMP_ENOTSUP);
	assert_int_equal(fk.calls[OP_GET], 1);
	assert_int_equal(fk.calls[OP_NOCOPY], 1);
}

static void test_hold_release(void **state)
{
	(void)state;
	assert_int_equal(amp_ipc_hold_rx_buffer(NULL, payload), AMP_EINVAL);
	assert_int_equal(amp_ipc_release_rx_buffer(NULL, payload), AMP_EINVAL);
	assert_int_equal(amp_ipc_hold_rx_buffer(&ept, payload), AMP_ENOENT);
	assert_int_equal(amp_ipc_release_rx_buffer(&ept, payload), AMP_ENOENT);
	registered();
	assert_int_equal(amp_ipc_hold_rx_buffer(&ept, NULL), AMP_EINVAL);
	assert_int_equal(amp_ipc_release_rx_buffer(&ept, NULL), AMP_EINVAL);
	assert_int_equal(total_calls(), 0);

	fk.ret[OP_HOLD] = 0;
	assert_int_equal(amp_ipc_hold_rx_buffer(&ept, payload), 0);
	assert_ptr_equal(fk.last_data, payload);
	fk.ret[OP_RELEASE] = AMP_EALREADY;
	assert_int_equal(amp_ipc_release_rx_buffer(&ept, payload), AMP_EALREADY);

	ops.release_rx_buffer = NULL;
	assert_int_equal(amp_ipc_hold_rx_buffer(&ept, payload), AMP_ENOTSUP);
	assert_int_equal(amp_ipc_release_rx_buffer(&ept, payload), AMP_ENOTSUP);
	ops.release_rx_buffer = f_release;
	ops.hold_rx_buffer = NULL;
	assert_int_equal(amp_ipc_hold_rx_buffer(&ept, payload), AMP_ENOTSUP);
	assert_int_equal(amp_ipc_release_rx_buffer(&ept, payload), AMP_ENOTSUP);
	assert_int_equal(fk.calls[OP_HOLD], 1);
	assert_int_equal(fk.calls[OP_RELEASE], 1);

	/* No transport at all: EIO before ENOTSUP. */
	inst.ops = NULL;
	assert_int_equal(amp_ipc_hold_rx_buffer(&ept, payload), AMP_EIO);
	assert_int_equal(amp_ipc_get_tx_buffer_size(&ept), AMP_EIO);
	inst.ops = &ops;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_open_close, setup),
		cmocka_unit_test_setup(test_register, setup),
		cmocka_unit_test_setup(test_deregister, setup),
		cmocka_unit_test_setup(test_send, setup),
		cmocka_unit_test_setup(test_tx_buffer, setup),
		cmocka_unit_test_setup(test_hold_release, setup),
	};
	return cmocka_run_group_tests_name("service", tests, NULL, NULL);
}
