/* SPDX-License-Identifier: BSD-3-Clause */
/* test_rec.c — record framing through a real rte_ring in a real shm file (no EAL). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vox_layout.h"
#include "vox_rec.h"

struct rec_fx {
	struct vox_shm_map map;
	char path[128];
	struct rte_ring *r;
	_Alignas(64) unsigned char buf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
	unsigned char payload[VOX_REC_MAX_PAYLOAD + 512];
};

static int rec_setup(void **state)
{
	static struct rec_fx fx;
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.path, sizeof(fx.path), "/dev/shm/voxplane-ctlrec%d.shm", (int)getpid());
	struct vox_shm_params p = {.n_workers = 1,
	                           .cmd_ring_slots = 256,
	                           .evt_ring_slots = 256,
	                           .bulk_ring_bytes = 4096,
	                           .mirror_slots = 4,
	                           .pool_bytes = 4096};
	assert_int_equal(vox_shm_create(&fx.map, fx.path, &p), 0);
	vox_shm_publish(&fx.map);
	fx.r = vox_shm_evt_ring(&fx.map, 0);
	for (size_t i = 0; i < sizeof(fx.payload); i++)
		fx.payload[i] = (unsigned char)(i * 7 + 3);
	*state = &fx;
	return 0;
}

static int rec_teardown(void **state)
{
	struct rec_fx *fx = *state;
	/* every test leaves the ring empty */
	assert_int_equal(vox_rec_ring_count(fx->r), 0);
	vox_shm_unmap(&fx->map);
	unlink(fx->path);
	return 0;
}

static void test_single_slot(void **state)
{
	struct rec_fx *fx = *state;
	struct vox_rec_hdr h = {
	    .type = VOX_EVT_PONG, .worker = 0, .req_id = 42, .seq = 7, .leg = 0x1234, .status = -5};
	int trunc = -1;
	assert_int_equal(vox_rec_send(fx->r, &h, NULL, 0, 0, &trunc), 0);
	assert_int_equal(trunc, 0);
	assert_int_equal(vox_rec_ring_count(fx->r), 1);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS), 1);
	const struct vox_rec_hdr *g = (const void *)fx->buf;
	assert_int_equal(g->type, VOX_EVT_PONG);
	assert_int_equal(g->req_id, 42);
	assert_int_equal(g->seq, 7);
	assert_int_equal(g->leg, 0x1234);
	assert_int_equal(g->status, -5);
	assert_int_equal(g->n_slots, 0);
	assert_int_equal(g->len, 0);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS), 0); /* empty */
}

static void test_multi_slot(void **state)
{
	struct rec_fx *fx = *state;
	static const uint32_t lens[] = {1, 63, 64, 65, 1000, 4000};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct vox_rec_hdr h = {.type = VOX_EVT_DIGITS, .seq = i + 1};
		assert_int_equal(
		    vox_rec_send(fx->r, &h, fx->payload, lens[i], VOX_REC_MAX_PAYLOAD, NULL), 0);
		uint32_t n = vox_rec_slots_for(lens[i]);
		assert_int_equal(vox_rec_ring_count(fx->r), 1 + n);
		assert_int_equal(vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS), (int)(1 + n));
		const struct vox_rec_hdr *g = (const void *)fx->buf;
		assert_int_equal(g->len, lens[i]);
		assert_int_equal(g->n_slots, n);
		assert_int_equal(g->flags & VOX_RECF_TRUNCATED, 0);
		assert_memory_equal(vox_rec_payload(fx->buf), fx->payload, lens[i]);
		/* the tail of the last slot is zeroed, no stale bytes */
		const unsigned char *p = vox_rec_payload(fx->buf);
		for (uint32_t k = lens[i]; k < n * VOX_REC_SLOT; k++)
			assert_int_equal(p[k], 0);
	}
}

static void test_truncated(void **state)
{
	struct rec_fx *fx = *state;
	struct vox_rec_hdr h = {.type = VOX_EVT_DIGITS};
	int trunc = 0;
	assert_int_equal(vox_rec_send(fx->r, &h, fx->payload, 500, 100, &trunc), 0);
	assert_int_equal(trunc, 1);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS), 1 + 2);
	const struct vox_rec_hdr *g = (const void *)fx->buf;
	assert_int_equal(g->len, 100);
	assert_true(g->flags & VOX_RECF_TRUNCATED);
	assert_memory_equal(vox_rec_payload(fx->buf), fx->payload, 100);

	/* a max above the ABI maximum is capped to it */
	trunc = 0;
	assert_int_equal(
	    vox_rec_send(fx->r, &h, fx->payload, VOX_REC_MAX_PAYLOAD + 100, UINT32_MAX, &trunc), 0);
	assert_int_equal(trunc, 1);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS), (int)VOX_REC_MAX_SLOTS);
	assert_int_equal(((const struct vox_rec_hdr *)fx->buf)->len, VOX_REC_MAX_PAYLOAD);
}

static void test_all_or_nothing(void **state)
{
	struct rec_fx *fx = *state;
	struct vox_rec_hdr h = {.type = VOX_EVT_DIGITS};
	uint32_t cap = vox_rec_ring_free(fx->r);
	assert_true(cap >= 200);
	/* fill until exactly 5 slots are free */
	uint32_t used = 0;
	while (cap - used > 5 + 17) {
		assert_int_equal(vox_rec_send(fx->r, &h, fx->payload, 16 * 64, 16 * 64, NULL), 0);
		used += 17;
	}
	while (cap - used > 5) {
		assert_int_equal(vox_rec_send(fx->r, &h, NULL, 0, 0, NULL), 0);
		used++;
	}
	assert_int_equal(vox_rec_ring_free(fx->r), 5);
	/* a 6-slot record does not fit: nothing of it is published */
	struct vox_rec_hdr big = {.type = VOX_EVT_RECORDING_DONE};
	assert_int_equal(vox_rec_send(fx->r, &big, fx->payload, 5 * 64, 5 * 64, NULL), -ENOBUFS);
	assert_int_equal(vox_rec_ring_count(fx->r), used);
	/* a 5-slot one fits exactly */
	assert_int_equal(vox_rec_send(fx->r, &big, fx->payload, 4 * 64, 4 * 64, NULL), 0);
	assert_int_equal(vox_rec_ring_free(fx->r), 0);
	assert_int_equal(vox_rec_send(fx->r, &h, NULL, 0, 0, NULL), -ENOBUFS);
	/* every record comes back whole, the big one last */
	int rc, last_type = 0;
	uint32_t got = 0;
	while ((rc = vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS)) > 0) {
		got += (uint32_t)rc;
		last_type = ((const struct vox_rec_hdr *)fx->buf)->type;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(got, cap);
	assert_int_equal(last_type, VOX_EVT_RECORDING_DONE);
}

static void test_emsgsize(void **state)
{
	struct rec_fx *fx = *state;
	struct vox_rec_hdr h = {.type = VOX_EVT_DIGITS, .seq = 1};
	assert_int_equal(vox_rec_send(fx->r, &h, fx->payload, 300, 300, NULL), 0); /* 1 + 5 */
	h.seq = 2;
	assert_int_equal(vox_rec_send(fx->r, &h, fx->payload, 10, 10, NULL), 0);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, 0), -EMSGSIZE);
	/* too small a buffer: the record is consumed and discarded, the next one is intact */
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, 3), -EMSGSIZE);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, 3), 2);
	assert_int_equal(((const struct vox_rec_hdr *)fx->buf)->seq, 2);
}

static void test_eproto(void **state)
{
	struct rec_fx *fx = *state;
	_Alignas(64) unsigned char slots[4 * VOX_REC_SLOT];
	memset(slots, 0, sizeof(slots));
	struct vox_rec_hdr *bad = (void *)slots;
	/* n_slots beyond the maximum */
	bad->type = VOX_EVT_DIGITS;
	bad->n_slots = VOX_REC_MAX_SLOTS + 3;
	assert_int_equal(vox_rec_send_slots(fx->r, slots, 4), 0);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS), -EPROTO);
	assert_int_equal(vox_rec_ring_count(fx->r), 0); /* drained to resynchronise */
	/* len beyond its slots */
	bad->n_slots = 1;
	bad->len = 200;
	assert_int_equal(vox_rec_send_slots(fx->r, slots, 2), 0);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS), -EPROTO);
	/* n_slots beyond what the ring holds */
	bad->n_slots = 3;
	bad->len = 10;
	assert_int_equal(vox_rec_send_slots(fx->r, slots, 2), 0);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS), -EPROTO);
	/* and the ring works afterwards */
	struct vox_rec_hdr h = {.type = VOX_EVT_PONG, .seq = 9};
	assert_int_equal(vox_rec_send(fx->r, &h, NULL, 0, 0, NULL), 0);
	assert_int_equal(vox_rec_recv(fx->r, fx->buf, VOX_REC_MAX_SLOTS), 1);
	assert_int_equal(((const struct vox_rec_hdr *)fx->buf)->seq, 9);
}

static void test_encode(void **state)
{
	(void)state;
	_Alignas(64) static unsigned char slots[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
	unsigned char pl[130];
	memset(pl, 0xab, sizeof(pl));
	struct vox_rec_hdr h = {.type = VOX_CMD_LEG_CREATE, .n_slots = 99, .len = 12345};
	assert_int_equal(vox_rec_encode(slots, &h, pl, sizeof(pl), 4096), 1 + 3);
	const struct vox_rec_hdr *g = (const void *)slots;
	assert_int_equal(g->n_slots, 3); /* the caller's n_slots/len are replaced */
	assert_int_equal(g->len, 130);
	assert_int_equal(vox_rec_encode(slots, &h, NULL, 0, 4096), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_single_slot, rec_setup, rec_teardown),
	    cmocka_unit_test_setup_teardown(test_multi_slot, rec_setup, rec_teardown),
	    cmocka_unit_test_setup_teardown(test_truncated, rec_setup, rec_teardown),
	    cmocka_unit_test_setup_teardown(test_all_or_nothing, rec_setup, rec_teardown),
	    cmocka_unit_test_setup_teardown(test_emsgsize, rec_setup, rec_teardown),
	    cmocka_unit_test_setup_teardown(test_eproto, rec_setup, rec_teardown),
	    cmocka_unit_test(test_encode),
	};
	return cmocka_run_group_tests_name("control_rec", tests, NULL, NULL);
}
