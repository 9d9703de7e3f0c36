/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dp_legs.c — a worker's leg table and control rings over a real shm file: handles,
 * stale commands, never-dropped state events, re-emission for a new control, deadlines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "dp_lcore.h"
#include "vox_layout.h"
#include "vox_rec.h"

struct fx {
	struct vox_shm_map shm;
	struct dp_lcore *lc;
	char path[128];
	unsigned char buf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
	uint64_t next_req;
};

static int fx_setup_n(void **state, uint32_t evt_slots, uint32_t max_legs)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "/dev/shm/voxplane-dput%d.shm", (int)getpid());
	struct vox_shm_params p = {.n_workers = 2, .cmd_ring_slots = 256, .evt_ring_slots = evt_slots,
				   .bulk_ring_bytes = 65536, .mirror_slots = max_legs,
				   .max_sip_bytes = 8192, .pool_bytes = 4096};
	assert_int_equal(vox_shm_create(&f->shm, f->path, &p), 0);
	vox_shm_publish(&f->shm);
	struct dp_lcore *lc = rte_zmalloc("lc", sizeof(*lc), 64);
	assert_non_null(lc);
	lc->widx = 1;
	lc->n_workers = 2;
	lc->node_id = 0;
	lc->st = vox_stats_row(vox_shm_stats(&f->shm), 1);
	lc->cmd = vox_shm_cmd_ring(&f->shm, 1);
	lc->evt = vox_shm_evt_ring(&f->shm, 1);
	lc->pub = &f->shm.hdr->worker[1];
	lc->ctl = &f->shm.hdr->ctl;
	lc->mirror = vox_shm_mirror(&f->shm, 1, 0);
	lc->tsc_hz = rte_get_tsc_hz();
	lc->tsc_base = rte_rdtsc();
	lc->realtime_base_ns = 1000000000ull * 1700000000ull;
	assert_int_equal(dp_legs_init(lc, max_legs, 12345, 0), 0);
	dp_ctl_init(lc);
	f->lc = lc;
	f->next_req = 100;
	*state = f;
	return 0;
}

static int fx_setup(void **state)
{
	return fx_setup_n(state, 1024, 64);
}

static int fx_setup_small_ring(void **state)
{
	return fx_setup_n(state, 64, 4096);
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	/* leak check: every slot is either on the free list or holds a leg */
	uint32_t used = 0;
	for (uint32_t i = 0; i < f->lc->max_legs; i++)
		used += f->lc->legs[i].state != VOX_LEG_FREE;
	assert_int_equal(f->lc->n_free + used, f->lc->max_legs);
	rte_free(f->lc->legs);
	rte_free(f->lc->free_slots);
	rte_free(f->lc->tw.nodes);
	rte_free(f->lc);
	vox_shm_unmap(&f->shm);
	unlink(f->path);
	free(f);
	return 0;
}

static void send_cmd(struct fx *f, uint16_t type, vox_handle_t leg, int32_t status, const void *pl,
		     uint32_t len, uint64_t req)
{
	struct vox_rec_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.leg = leg;
	h.status = status;
	h.req_id = req;
	assert_int_equal(vox_rec_send(f->lc->cmd, &h, pl, len, VOX_REC_MAX_PAYLOAD, NULL), 0);
}

/* next event or NULL */
static const struct vox_rec_hdr *next_evt(struct fx *f)
{
	int n = vox_rec_recv(f->lc->evt, f->buf, VOX_REC_MAX_SLOTS);
	assert_true(n >= 0);
	if (n == 0)
		return NULL;
	const struct vox_rec_hdr *h = (const void *)f->buf;
	atomic_store(&f->lc->ctl->acked_seq[1], h->seq);
	return h;
}

static vox_handle_t create_leg(struct fx *f)
{
	struct vox_leg_create c = {.kind = VOX_LEG_KIND_LOOPBACK, .account_idx = 7};
	uint64_t req = f->next_req++;
	send_cmd(f, VOX_CMD_LEG_CREATE, 0, 0, &c, sizeof(c), req);
	dp_ctl_poll(f->lc, rte_rdtsc());
	const struct vox_rec_hdr *e = next_evt(f);
	assert_non_null(e);
	assert_int_equal(e->type, VOX_EVT_LEG_CREATED);
	assert_int_equal(e->req_id, req);
	assert_int_equal(e->worker, 1);
	return e->leg;
}

static void test_create_echoes_request_and_mirrors(void **state)
{
	struct fx *f = *state;
	vox_handle_t h = create_leg(f);
	assert_int_equal(vox_handle_lcore(h), 1);
	assert_int_equal(vox_handle_node(h), 0);
	assert_true(vox_handle_gen(h) != 0);
	struct vox_leg_mirror m;
	assert_int_equal(vox_mirror_read(&f->lc->mirror[vox_handle_slot(h)], &m, 100), 0);
	assert_int_equal(m.state, VOX_LEG_CREATED);
	assert_int_equal(m.handle, h);
	assert_int_equal(m.account_idx, 7);
	assert_int_equal(f->lc->st->legs_active, 1);
}

static void test_stale_handles_never_applied(void **state)
{
	struct fx *f = *state;
	vox_handle_t h = create_leg(f);
	/* wrong generation */
	vox_handle_t bad = vox_handle_make(0, 1, vox_handle_slot(h), (vox_handle_gen(h) + 1) & 0xffffff);
	send_cmd(f, VOX_CMD_LEG_END, bad, 0, NULL, 0, 1);
	/* wrong worker */
	send_cmd(f, VOX_CMD_LEG_END, vox_handle_make(0, 0, vox_handle_slot(h), vox_handle_gen(h)), 0, NULL, 0, 2);
	/* slot out of range */
	send_cmd(f, VOX_CMD_LEG_END, vox_handle_make(0, 1, 0xffffff, 1), 0, NULL, 0, 3);
	dp_ctl_poll(f->lc, rte_rdtsc());
	for (int i = 0; i < 3; i++) {
		const struct vox_rec_hdr *e = next_evt(f);
		assert_non_null(e);
		assert_int_equal(e->type, VOX_EVT_STALE_HANDLE);
		assert_int_equal(e->status, VOX_CMD_LEG_END);
	}
	assert_int_equal(f->lc->st->stale_handles, 3);
	assert_non_null(dp_leg_lookup(f->lc, h)); /* untouched */

	/* end it for real, then the same handle is stale */
	send_cmd(f, VOX_CMD_LEG_END, h, 0, NULL, 0, 4);
	dp_ctl_poll(f->lc, rte_rdtsc());
	const struct vox_rec_hdr *e = next_evt(f);
	assert_int_equal(e->type, VOX_EVT_LEG_ENDED);
	assert_int_equal(e->status, VOX_CAUSE_CONTROL);
	send_cmd(f, VOX_CMD_LEG_END, h, 0, NULL, 0, 5);
	dp_ctl_poll(f->lc, rte_rdtsc());
	e = next_evt(f);
	assert_int_equal(e->type, VOX_EVT_STALE_HANDLE);
	/* the slot is reused with a new generation: the old handle stays stale */
	vox_handle_t h2 = create_leg(f);
	assert_int_equal(vox_handle_slot(h2), vox_handle_slot(h));
	assert_true(h2 != h);
	assert_null(dp_leg_lookup(f->lc, h));
}

static void test_full_ring_loses_no_state_event(void **state)
{
	struct fx *f = *state;
	const int N = 3000; /* event ring holds 63 */
	send_cmd(f, VOX_CMD_DIAG_BURST, 0, N, NULL, 0, 10000);
	uint8_t *seen = calloc(N, 1);
	int created = 0, turns = 0;
	while (created < N && turns < 100000) {
		dp_ctl_poll(f->lc, rte_rdtsc());
		const struct vox_rec_hdr *e;
		/* drain only a few per turn, so the ring stays under pressure */
		for (int k = 0; k < 7 && (e = next_evt(f)); k++) {
			assert_int_equal(e->type, VOX_EVT_LEG_CREATED);
			uint64_t i = e->req_id - 10000;
			assert_true(i < (uint64_t)N);
			assert_int_equal(seen[i], 0); /* exactly once */
			seen[i] = 1;
			created++;
		}
		turns++;
	}
	assert_int_equal(created, N);
	assert_true(f->lc->st->evt_state_deferred > 0);
	assert_true(f->lc->st->evt_reemitted > 0);
	assert_int_equal(f->lc->legs_active, N);
	free(seen);
	/* end them all: every LEG_ENDED arrives, every slot returns */
	for (uint32_t s = 0; s < f->lc->max_legs; s++) {
		struct dp_leg *leg = &f->lc->legs[s];
		if (leg->state != VOX_LEG_FREE)
			dp_leg_end(f->lc, leg, VOX_CAUSE_CONTROL);
	}
	int ended = 0;
	for (turns = 0; ended < N && turns < 100000; turns++) {
		dp_ctl_poll(f->lc, rte_rdtsc());
		const struct vox_rec_hdr *e;
		while ((e = next_evt(f))) {
			assert_int_equal(e->type, VOX_EVT_LEG_ENDED);
			ended++;
		}
	}
	assert_int_equal(ended, N);
	assert_int_equal(f->lc->n_free, f->lc->max_legs);
}

static void test_new_control_gets_unacked_state_again(void **state)
{
	struct fx *f = *state;
	vox_handle_t a = create_leg(f); /* acked by next_evt */
	struct vox_leg_create c = {.kind = VOX_LEG_KIND_LOOPBACK};
	send_cmd(f, VOX_CMD_LEG_CREATE, 0, 0, &c, sizeof(c), 777);
	dp_ctl_poll(f->lc, rte_rdtsc());
	/* the old control dequeues it and dies before handling (no ack) */
	int n = vox_rec_recv(f->lc->evt, f->buf, VOX_REC_MAX_SLOTS);
	assert_int_equal(n, 1);
	vox_handle_t b = ((struct vox_rec_hdr *)f->buf)->leg;
	/* a new control attaches */
	atomic_fetch_add(&f->lc->ctl->generation, 1);
	dp_ctl_poll(f->lc, rte_rdtsc());
	const struct vox_rec_hdr *e = next_evt(f);
	assert_non_null(e);
	assert_int_equal(e->type, VOX_EVT_LEG_CREATED);
	assert_int_equal(e->leg, b);
	assert_int_equal(e->req_id, 777);
	assert_true(e->flags & VOX_RECF_REEMIT);
	assert_null(next_evt(f)); /* leg a was acknowledged: not re-sent */
	(void)a;
}

static void test_deadline_ends_leg_without_control(void **state)
{
	struct fx *f = *state;
	vox_handle_t h = create_leg(f);
	uint64_t now_ns = dp_now_ns(f->lc, rte_rdtsc());
	struct vox_deadline d = {.deadline_ns = now_ns + 20 * 1000000ull, .account_idx = 3};
	send_cmd(f, VOX_CMD_SET_DEADLINE, h, 0, &d, sizeof(d), 1);
	dp_ctl_poll(f->lc, rte_rdtsc());
	assert_null(next_evt(f));
	struct vox_leg_mirror m;
	vox_mirror_read(&f->lc->mirror[vox_handle_slot(h)], &m, 100);
	assert_int_equal(m.deadline_ns, d.deadline_ns);
	assert_int_equal(m.account_idx, 3);
	usleep(30000);
	dp_ctl_poll(f->lc, rte_rdtsc());
	const struct vox_rec_hdr *e = next_evt(f);
	assert_non_null(e);
	assert_int_equal(e->type, VOX_EVT_LEG_ENDED);
	assert_int_equal(e->status, VOX_CAUSE_TIME_LIMIT);
	assert_int_equal(f->lc->st->legs_deadline, 1);
}

static void test_ping_pong_and_bad_commands(void **state)
{
	struct fx *f = *state;
	struct vox_ping p = {.ctl_send_ns = 42};
	send_cmd(f, VOX_CMD_PING, 0, 0, &p, sizeof(p), 99);
	send_cmd(f, 0x7777, 0, 0, NULL, 0, 100);
	send_cmd(f, VOX_CMD_LEG_CREATE, 0, 0, NULL, 0, 101); /* payload missing */
	dp_ctl_poll(f->lc, rte_rdtsc());
	const struct vox_rec_hdr *e = next_evt(f);
	assert_int_equal(e->type, VOX_EVT_PONG);
	assert_int_equal(e->req_id, 99);
	struct vox_ping q;
	memcpy(&q, vox_rec_payload(f->buf), sizeof(q));
	assert_int_equal(q.ctl_send_ns, 42);
	assert_true(q.dp_recv_ns > 0);
	e = next_evt(f);
	assert_int_equal(e->type, VOX_EVT_BAD_COMMAND);
	e = next_evt(f);
	assert_int_equal(e->type, VOX_EVT_BAD_COMMAND);
	assert_int_equal(f->lc->st->bad_commands, 2);
}

static void test_table_full_reports_failure(void **state)
{
	struct fx *f = *state;
	for (uint32_t i = 0; i < f->lc->max_legs; i++)
		create_leg(f);
	struct vox_leg_create c = {.kind = VOX_LEG_KIND_LOOPBACK};
	send_cmd(f, VOX_CMD_LEG_CREATE, 0, 0, &c, sizeof(c), 5555);
	dp_ctl_poll(f->lc, rte_rdtsc());
	const struct vox_rec_hdr *e = next_evt(f);
	assert_int_equal(e->type, VOX_EVT_LEG_FAILED);
	assert_int_equal(e->req_id, 5555);
	assert_int_equal(e->status, VOX_CAUSE_NO_RESOURCES);
	assert_int_equal(f->lc->st->legs_full, 1);
}

static void test_wakeup_at_most_once_per_turn(void **state)
{
	struct fx *f = *state;
	struct dp_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg.max_sip_bytes = 8192;
	ctx.cfg.cmd_budget = 64;
	ctx.efd = eventfd(0, EFD_NONBLOCK);
	f->lc->ctx = &ctx;
	uint64_t v;
	/* control awake: events, no doorbell */
	create_leg(f);
	dp_ctl_wake(f->lc);
	assert_int_equal(read(ctx.efd, &v, sizeof(v)), -1);
	/* control announced its sleep: one write, and the flag is taken */
	atomic_store(&f->lc->ctl->sleeping, 1);
	struct vox_leg_create c = {.kind = VOX_LEG_KIND_LOOPBACK};
	send_cmd(f, VOX_CMD_LEG_CREATE, 0, 0, &c, sizeof(c), 1);
	send_cmd(f, VOX_CMD_LEG_CREATE, 0, 0, &c, sizeof(c), 2);
	dp_ctl_poll(f->lc, rte_rdtsc());
	dp_ctl_wake(f->lc);
	dp_ctl_wake(f->lc);
	assert_int_equal(read(ctx.efd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 1); /* once, for two events and two wake calls */
	assert_int_equal(atomic_load(&f->lc->ctl->sleeping), 0);
	assert_int_equal(f->lc->st->ctl_wakeups, 1);
	/* asleep again but nothing new: no write */
	atomic_store(&f->lc->ctl->sleeping, 1);
	dp_ctl_wake(f->lc);
	assert_int_equal(read(ctx.efd, &v, sizeof(v)), -1);
	while (next_evt(f))
		;
	close(ctx.efd);
	f->lc->ctx = NULL;
}

int main(void)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=dput%d", (int)getpid());
	char *eal[] = {"test", "--no-huge", "-m", "64", "--no-pci", "--no-shconf", "-l", "0",
		       "--log-level=*:error", "--no-telemetry", prefix};
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_echoes_request_and_mirrors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stale_handles_never_applied, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_full_ring_loses_no_state_event, fx_setup_small_ring, fx_teardown),
		cmocka_unit_test_setup_teardown(test_new_control_gets_unacked_state_again, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_deadline_ends_leg_without_control, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ping_pong_and_bad_commands, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_table_full_reports_failure, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_wakeup_at_most_once_per_turn, fx_setup, fx_teardown),
	};
	int rc = cmocka_run_group_tests_name("dataplane_legs", tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
