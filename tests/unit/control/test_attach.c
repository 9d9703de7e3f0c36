/* SPDX-License-Identifier: BSD-3-Clause */
/* test_attach.c — attach: flock refusal, ABI refusal, head reset, mirror rebuild, generation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>

#include <cmocka.h>

#include <rte_ring.h>

#include "vox_rec.h"

#include "ctl_attach.h"
#include "ctl_legs.h"
#include "ctl_test.h"
#include "fake_dp.h"

struct att_fx {
	struct fake_dp dp;
	struct ctl c;
	char id[16], run[64];
};

static int att_setup(void **state)
{
	static struct att_fx fx;
	memset(&fx, 0, sizeof(fx));
	ctl_test_id(fx.id, sizeof(fx.id), "att");
	snprintf(fx.run, sizeof(fx.run), "/tmp/ctlut-%s", fx.id);
	struct fake_dp_opts o = {.n_workers = 2, .mirror_slots = 64};
	assert_int_equal(fake_dp_start(&fx.dp, fx.id, fx.run, &o), 0);
	atomic_store(&fx.dp.paused, 1); /* these tests drive the rings themselves */
	assert_int_equal(ctl_test_make(&fx.c, fx.id, fx.run), 0);
	*state = &fx;
	return 0;
}

static int att_teardown(void **state)
{
	struct att_fx *fx = *state;
	ctl_attach_stop(&fx->c);
	ctl_test_free(&fx->c);
	fake_dp_stop(&fx->dp, 1);
	rmdir(fx->run);
	return 0;
}

static void test_open_and_flock(void **state)
{
	struct att_fx *fx = *state;
	struct ctl_shm a, b;
	char err[256] = "";
	assert_int_equal(ctl_shm_open(&a, fx->dp.names.shm_path, 0, err, sizeof(err)), 0);
	assert_int_equal(a.boot_id, fx->dp.map.hdr->boot_id);
	atomic_store(&a.map.hdr->ctl.pid, 4242);
	/* a second open file description conflicts even within one process */
	assert_int_equal(ctl_shm_open(&b, fx->dp.names.shm_path, 0, err, sizeof(err)),
	                 -EWOULDBLOCK);
	char want[256];
	snprintf(want, sizeof(want), "another voxplane-control (pid 4242) is attached to %s",
	         fx->dp.names.shm_path);
	assert_string_equal(err, want);
	assert_null(b.map.hdr);
	ctl_shm_close(&a);
	/* the lock goes with the descriptor */
	assert_int_equal(ctl_shm_open(&b, fx->dp.names.shm_path, 0, err, sizeof(err)), 0);
	ctl_shm_close(&b);
}

static void test_abi_refused(void **state)
{
	struct att_fx *fx = *state;
	struct ctl_shm a;
	char err[256] = "";
	fx->dp.map.hdr->abi_version = VOX_ABI_VERSION + 6;
	assert_int_equal(ctl_shm_open(&a, fx->dp.names.shm_path, 0, err, sizeof(err)),
	                 -EPROTONOSUPPORT);
	char want[128];
	snprintf(want, sizeof(want), "shm ABI version %u, this control was built for %u",
	         VOX_ABI_VERSION + 6, VOX_ABI_VERSION);
	assert_string_equal(err, want);
	/* ctl_attach_try turns it into a refusal for good */
	assert_int_equal(ctl_attach_try(&fx->c), -EPROTONOSUPPORT);
	assert_true(fx->c.fatal);
	assert_string_equal(fx->c.fatal_msg, want);
	assert_false(fx->c.attached);
	fx->dp.map.hdr->abi_version = VOX_ABI_VERSION;
}

static void test_no_file(void **state)
{
	struct att_fx *fx = *state;
	struct ctl_shm a;
	char err[256];
	char path[160];
	snprintf(path, sizeof(path), "%s.none", fx->dp.names.shm_path);
	assert_int_equal(ctl_shm_open(&a, path, 0, err, sizeof(err)), -ENOENT);
	/* not ready yet: timed out rather than absent */
	atomic_store(&fx->dp.map.hdr->ready, 0);
	assert_int_equal(ctl_shm_open(&a, fx->dp.names.shm_path, 0, err, sizeof(err)), -ETIMEDOUT);
	atomic_store(&fx->dp.map.hdr->ready, 1);
	/* a dataplane that is stopping is not attached to */
	atomic_store(&fx->dp.map.hdr->stopping, 1);
	assert_int_equal(ctl_attach_try(&fx->c), -ESRCH);
	assert_false(fx->c.attached);
	assert_false(fx->c.fatal);
	atomic_store(&fx->dp.map.hdr->stopping, 0);
}

/* A control killed inside an enqueue leaves prod.head ahead of prod.tail: the next control
 * must not publish those slots, and must be able to produce. */
static void test_head_reset(void **state)
{
	struct att_fx *fx = *state;
	struct rte_ring *cmd = vox_shm_cmd_ring(&fx->dp.map, 1);
	struct rte_ring *evt = vox_shm_evt_ring(&fx->dp.map, 1);
	/* the dead control reserved 3 command slots (and wrote garbage there) */
	cmd->prod.head += 3;
	/* and was in the middle of dequeuing 2 event slots of a 3-slot record */
	struct vox_rec_hdr e = {.type = VOX_EVT_DIGITS, .seq = 1};
	char pl[100] = "digits";
	assert_int_equal(vox_rec_send(evt, &e, pl, sizeof(pl), sizeof(pl), NULL), 0);
	evt->cons.head += 2;

	struct ctl_shm a;
	char err[256];
	assert_int_equal(ctl_shm_open(&a, fx->dp.names.shm_path, 0, err, sizeof(err)), 0);
	assert_int_equal(cmd->prod.head, cmd->prod.tail);
	assert_int_equal(evt->cons.head, evt->cons.tail);
	/* nothing half-written is visible to the worker; new commands go through */
	assert_int_equal(vox_rec_ring_count(cmd), 0);
	struct vox_rec_hdr h = {.type = VOX_CMD_PING, .req_id = 77};
	struct rte_ring *mine = vox_shm_cmd_ring(&a.map, 1);
	assert_int_equal(vox_rec_send(mine, &h, NULL, 0, 0, NULL), 0);
	_Alignas(64) unsigned char buf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
	assert_int_equal(vox_rec_recv(cmd, buf, VOX_REC_MAX_SLOTS), 1);
	assert_int_equal(((struct vox_rec_hdr *)buf)->req_id, 77);
	/* the event record is read whole from its start */
	assert_int_equal(vox_rec_recv(vox_shm_evt_ring(&a.map, 1), buf, VOX_REC_MAX_SLOTS), 3);
	assert_string_equal((const char *)vox_rec_payload(buf), "digits");
	ctl_shm_close(&a);
}

static void test_attach_rebuild(void **state)
{
	struct att_fx *fx = *state;
	uint64_t h0 = fake_dp_leg_create(&fx->dp, 0, 0, 0);
	uint64_t h1 = fake_dp_leg_create(&fx->dp, 1, 0, 0);
	uint64_t h2 = fake_dp_leg_create(&fx->dp, 1, 0, 0);
	assert_true(h0 && h1 && h2);
	uint64_t gen0 = atomic_load(&fx->dp.map.hdr->ctl.generation);
	assert_int_equal(ctl_attach_try(&fx->c), 0);
	assert_true(fx->c.attached);
	assert_int_equal(atomic_load(&fx->dp.map.hdr->ctl.generation), gen0 + 1);
	assert_int_equal(atomic_load(&fx->dp.map.hdr->ctl.pid), (uint32_t)getpid());
	assert_true(atomic_load(&fx->dp.map.hdr->ctl.heartbeat_ns) > 0);
	assert_int_equal(ctl_legs_count(fx->c.legs), 3);
	assert_int_equal(ctl_legs_on_worker(fx->c.legs, 1), 2);
	struct ctl_leg *l = ctl_legs_find(fx->c.legs, h2);
	assert_non_null(l);
	assert_int_equal(l->worker, 1);
	assert_int_equal(l->state, VOX_LEG_CREATED);
	assert_int_equal(l->kind, VOX_LEG_KIND_LOOPBACK);
	/* the liveness check is quiet while the dataplane is there */
	assert_int_equal(ctl_attach_check(&fx->c), 0);
	/* clean stop clears ctl.pid */
	struct vox_shm_hdr *hdr = fx->dp.map.hdr;
	ctl_attach_stop(&fx->c);
	assert_int_equal(atomic_load(&hdr->ctl.pid), 0);
	assert_false(fx->c.attached);
}

static void test_detach_on_replace(void **state)
{
	struct att_fx *fx = *state;
	fake_dp_leg_create(&fx->dp, 0, 0, 0);
	assert_int_equal(ctl_attach_try(&fx->c), 0);
	assert_int_equal(ctl_legs_count(fx->c.legs), 1);
	/* the dataplane restarts: its file is replaced by a new one */
	char old[160];
	snprintf(old, sizeof(old), "%s.old", fx->dp.names.shm_path);
	assert_int_equal(rename(fx->dp.names.shm_path, old), 0);
	assert_int_equal(ctl_attach_check(&fx->c), -EPIPE);
	assert_false(fx->c.attached);
	assert_int_equal(ctl_legs_count(fx->c.legs), 0); /* every handle dropped */
	assert_true(fx->c.attach_timer != 0);            /* and waiting for the next one */
	assert_int_equal(rename(old, fx->dp.names.shm_path), 0);
	assert_true(CTL_TEST_RUN_UNTIL(&fx->c, 2000, fx->c.attached));
	assert_int_equal(fx->c.cnt.attaches, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_and_flock, att_setup, att_teardown),
	    cmocka_unit_test_setup_teardown(test_abi_refused, att_setup, att_teardown),
	    cmocka_unit_test_setup_teardown(test_no_file, att_setup, att_teardown),
	    cmocka_unit_test_setup_teardown(test_head_reset, att_setup, att_teardown),
	    cmocka_unit_test_setup_teardown(test_attach_rebuild, att_setup, att_teardown),
	    cmocka_unit_test_setup_teardown(test_detach_on_replace, att_setup, att_teardown),
	};
	return cmocka_run_group_tests_name("control_attach", tests, NULL, NULL);
}
