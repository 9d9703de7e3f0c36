/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dp_term.c — terminating media on a worker's legs (dp_term.c) over a real shm file:
 * RFC 4733 key presses deduplicated into one DTMF event each, COLLECT ending on a finish key and
 * on its timeout, RECORD frames in the bulk ring with the overflow counted and flagged, STOP,
 * barge-in on the first key, a recording's finish key, results held while the event ring is full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "vox_layout.h"
#include "vox_rec.h"

#define MAX_LEGS 16

struct fx {
	struct vox_shm_map shm;
	struct dp_ctx ctx;
	struct dp_lcore *lc;
	struct dp_leg *leg;
	vox_handle_t h;
	uint64_t tsc;
	char path[128];
	unsigned char buf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "/dev/shm/voxplane-dpterm%d.shm", (int)getpid());
	struct vox_shm_params p = {.n_workers = 2, .cmd_ring_slots = 256, .evt_ring_slots = 1024,
				   .bulk_ring_bytes = 65536, .mirror_slots = MAX_LEGS,
				   .max_sip_bytes = 8192, .pool_bytes = 4096};
	assert_int_equal(vox_shm_create(&f->shm, f->path, &p), 0);
	vox_shm_publish(&f->shm);
	f->ctx.shm = f->shm;
	f->ctx.cfg.max_sip_bytes = 8192;
	struct dp_lcore *lc = rte_zmalloc("lc", sizeof(*lc), 64);
	assert_non_null(lc);
	lc->ctx = &f->ctx;
	lc->widx = 1;
	lc->n_workers = 2;
	lc->st = vox_stats_row(vox_shm_stats(&f->shm), 1);
	lc->cmd = vox_shm_cmd_ring(&f->shm, 1);
	lc->evt = vox_shm_evt_ring(&f->shm, 1);
	lc->pub = &f->shm.hdr->worker[1];
	lc->ctl = &f->shm.hdr->ctl;
	lc->mirror = vox_shm_mirror(&f->shm, 1, 0);
	lc->tsc_hz = rte_get_tsc_hz();
	lc->tsc_base = rte_rdtsc();
	lc->realtime_base_ns = 1000000000ull * 1700000000ull;
	assert_int_equal(dp_legs_init(lc, MAX_LEGS, 12345, 0), 0);
	dp_ctl_init(lc);
	/* the SIP state the media code reads: per-slot SIP and RTP legs, the terminating table */
	lc->sip = rte_zmalloc("sip", sizeof(*lc->sip), 64);
	lc->sip->legs = rte_zmalloc("sl", sizeof(*lc->sip->legs) * MAX_LEGS, 64);
	lc->sip->rtp = rte_zmalloc("rl", sizeof(*lc->sip->rtp) * MAX_LEGS, 64);
	lc->sip->play_head = UINT32_MAX;
	assert_int_equal(dp_term_init(lc, 0), 0);
	uint8_t tag[16] = {1};
	f->leg = dp_leg_alloc(lc, VOX_LEG_KIND_SIP_IN, 9, tag, 0, 1);
	assert_non_null(f->leg);
	f->h = dp_leg_handle(lc, f->leg);
	dp_sip_leg(lc, f->leg)->dtmf_pt = 101;
	dp_sip_leg(lc, f->leg)->codec_pt = 0;
	f->lc = lc;
	f->tsc = rte_rdtsc();
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	rte_free(f->lc->sip->terms);
	rte_free(f->lc->sip->rtp);
	rte_free(f->lc->sip->legs);
	rte_free(f->lc->sip);
	rte_free(f->lc->legs);
	rte_free(f->lc->free_slots);
	rte_free(f->lc->tw.nodes);
	rte_free(f->lc);
	vox_shm_unmap(&f->shm);
	unlink(f->path);
	free(f);
	return 0;
}

/* Next event of `type` (others skipped), or NULL. */
static const struct vox_rec_hdr *next_evt(struct fx *f, uint16_t type)
{
	for (;;) {
		int n = vox_rec_recv(f->lc->evt, f->buf, VOX_REC_MAX_SLOTS);
		assert_true(n >= 0);
		if (n == 0)
			return NULL;
		const struct vox_rec_hdr *h = (const void *)f->buf;
		if (h->type == type)
			return h;
	}
}

static struct dp_rtpleg *rtp(struct fx *f)
{
	return &f->lc->sip->rtp[f->leg - f->lc->legs];
}

/* One packet through the receive hook, `ms` after the fixture's start. */
static void rx(struct fx *f, uint8_t pt, uint16_t seq, uint32_t ts, const uint8_t *pl, uint32_t len, uint32_t ms)
{
	uint8_t pkt[12 + 160];
	pkt[0] = 0x80;
	pkt[1] = pt;
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[4] = (uint8_t)(ts >> 24);
	pkt[5] = (uint8_t)(ts >> 16);
	pkt[6] = (uint8_t)(ts >> 8);
	pkt[7] = (uint8_t)ts;
	memset(pkt + 8, 0x11, 4);
	memcpy(pkt + 12, pl, len);
	struct rtp_hdr h;
	assert_int_equal(rtp_parse(pkt, 12 + len, &h), RTP_ERR_OK);
	uint64_t now = f->tsc + (uint64_t)ms * f->lc->tsc_hz / 1000u;
	f->lc->now_tsc = now;
	dp_term_rtp(f->lc, f->leg, rtp(f), &h, pkt, now);
}

/* A key press as a phone sends it: updates every 20 ms, then the end packet three times. */
static void key(struct fx *f, uint8_t ev, uint32_t ts, uint16_t *seq, uint32_t *ms, uint16_t dur)
{
	for (uint16_t d = 0; d < dur; d += 160) {
		uint8_t pl[4] = {ev, 10, (uint8_t)(d >> 8), (uint8_t)d};
		rx(f, 101, (*seq)++, ts, pl, 4, *ms += 20);
	}
	for (int i = 0; i < 3; i++) {
		uint8_t pl[4] = {ev, 0x80 | 10, (uint8_t)(dur >> 8), (uint8_t)dur};
		rx(f, 101, (*seq)++, ts, pl, 4, *ms += 5);
	}
}

static void tick(struct fx *f, uint32_t ms)
{
	uint64_t t = f->tsc + (uint64_t)ms * f->lc->tsc_hz / 1000u;
	f->lc->now_tsc = t;
	dp_term_tick(f->lc, t);
}

static void test_rfc4733_one_event_per_key(void **state)
{
	struct fx *f = *state;
	uint16_t seq = 100;
	uint32_t ms = 0;
	key(f, 1, 8000, &seq, &ms, 2240);
	key(f, 11, 16000, &seq, &ms, 800);
	/* a late retransmission of the first key's end, after the second key: still nothing new */
	uint8_t late[4] = {1, 0x80 | 10, 0x08, 0xc0};
	rx(f, 101, seq++, 8000, late, 4, ms += 5);
	const struct vox_rec_hdr *e = next_evt(f, VOX_EVT_DTMF);
	assert_non_null(e);
	struct vox_dtmf d;
	memcpy(&d, vox_rec_payload(f->buf), sizeof(d));
	assert_int_equal(e->leg, f->h);
	assert_int_equal(d.digit, '1');
	assert_int_equal(d.source, VOX_DTMF_RFC4733);
	assert_int_equal(d.duration_ms, 280);
	assert_int_equal(d.e_bit, 1);
	e = next_evt(f, VOX_EVT_DTMF);
	assert_non_null(e);
	memcpy(&d, vox_rec_payload(f->buf), sizeof(d));
	assert_int_equal(d.digit, '#');
	assert_int_equal(d.duration_ms, 100);
	assert_null(next_evt(f, VOX_EVT_DTMF));
	assert_int_equal(f->lc->st->dtmf_rx, 2);
	assert_true(f->lc->st->dtmf_dup >= 5); /* 2 + 2 retransmitted ends, the late one */
	/* a leg without telephone-event: PT 101 is just audio of an unknown type, no key */
	dp_sip_leg(f->lc, f->leg)->dtmf_pt = -1;
	key(f, 5, 24000, &seq, &ms, 800);
	assert_null(next_evt(f, VOX_EVT_DTMF));
}

static void send_collect(struct fx *f, uint8_t max, uint16_t finish, uint32_t first, uint32_t inter)
{
	struct vox_collect c = {.max_digits = max, .finish_keys = finish, .first_ms = first, .inter_ms = inter};
	struct vox_rec_hdr h = {.type = VOX_CMD_COLLECT, .leg = f->h, .len = sizeof(c)};
	dp_term_cmd_collect(f->lc, &h, &c);
}

static void test_collect_finish_key_and_timeout(void **state)
{
	struct fx *f = *state;
	uint16_t seq = 1;
	uint32_t ms = 0;
	send_collect(f, 5, 1u << 11, 5000, 3000);
	assert_int_equal(f->lc->st->term_active, 1);
	key(f, 4, 1000, &seq, &ms, 800);
	key(f, 2, 3000, &seq, &ms, 800);
	key(f, 11, 5000, &seq, &ms, 800);
	const struct vox_rec_hdr *e = next_evt(f, VOX_EVT_DIGITS);
	assert_non_null(e);
	assert_int_equal(e->status, VOX_TERM_FINISH_KEY);
	struct vox_digits d;
	assert_int_equal(e->len, sizeof(d));
	memcpy(&d, vox_rec_payload(f->buf), sizeof(d));
	assert_int_equal(d.n, 2);
	assert_memory_equal(d.digits, "42", 2);
	assert_int_equal(d.finish, '#');
	tick(f, ms + 20); /* nothing runs: the state goes back */
	assert_int_equal(f->lc->st->term_active, 0);
	assert_int_equal(rtp(f)->term, 0);

	/* no key within first_ms: TIMEOUT on the tick after it, with an empty string */
	f->tsc = rte_rdtsc();
	send_collect(f, 3, 0, 200, 0);
	for (uint32_t t = 20; t <= 160; t += 20) {
		tick(f, t);
		assert_null(next_evt(f, VOX_EVT_DIGITS));
	}
	for (uint32_t t = 180; t <= 300 && !(e = next_evt(f, VOX_EVT_DIGITS)); t += 20)
		tick(f, t);
	assert_non_null(e);
	assert_int_equal(e->status, VOX_TERM_TIMEOUT);
	memcpy(&d, vox_rec_payload(f->buf), sizeof(d));
	assert_int_equal(d.n, 0);
	assert_int_equal(f->lc->st->collects, 2);
}

static void send_record(struct fx *f, uint16_t id, uint8_t flags, uint32_t max_ms)
{
	struct vox_record r = {.rec_id = id, .flags = flags, .max_ms = max_ms};
	struct vox_rec_hdr h = {.type = VOX_CMD_RECORD, .leg = f->h, .len = sizeof(r)};
	dp_term_cmd_record(f->lc, &h, &r);
}

static void test_record_frames_and_overflow(void **state)
{
	struct fx *f = *state;
	struct vox_bytering *br = vox_shm_bulk_ring(&f->shm, 1);
	send_record(f, 7, VOX_RECORDF_DUAL, 100);
	for (uint32_t t = 20; t <= 100; t += 20)
		tick(f, t);
	int n = 0;
	for (const struct vox_bulk_chunk *c; (c = vox_bytering_peek(br)) != NULL; n++) {
		assert_int_equal(c->type, VOX_BULK_AUDIO);
		assert_int_equal(c->stream, 7);
		assert_int_equal(c->leg, f->h);
		assert_int_equal(c->len, 640); /* dual: 160 L/R pairs */
		vox_bytering_pop(br, c);
	}
	assert_int_equal(n, 5);
	const struct vox_rec_hdr *e = next_evt(f, VOX_EVT_RECORDING_DONE);
	assert_non_null(e);
	struct vox_recording_done d;
	memcpy(&d, vox_rec_payload(f->buf), sizeof(d));
	assert_int_equal(d.rec_id, 7);
	assert_int_equal(d.reason, VOX_TERM_MAX_LENGTH);
	assert_int_equal(d.duration_ms, 100);
	assert_int_equal(d.frames, 5);
	assert_int_equal(d.flags, 0);
	assert_int_equal(d.channels, 2);
	assert_int_equal(f->lc->st->record_bytes, 5 * 640);
	assert_int_equal(f->lc->st->recordings_active, 0);

	/* nobody drains the 64 KiB ring: 6 s of mono cannot fit, the rest is counted as lost */
	send_record(f, 8, 0, 6000);
	for (uint32_t t = 120; t <= 6100; t += 20)
		tick(f, t);
	e = next_evt(f, VOX_EVT_RECORDING_DONE);
	assert_non_null(e);
	memcpy(&d, vox_rec_payload(f->buf), sizeof(d));
	assert_int_equal(d.rec_id, 8);
	assert_int_equal(d.duration_ms, 6000);
	assert_true(d.frames_lost > 0);
	assert_int_equal(d.frames + d.frames_lost, 300);
	assert_int_equal(d.flags, VOX_RECDONE_OVERFLOW);
	assert_int_equal(f->lc->st->record_overflow, d.frames_lost);
}

static void test_stop_ends_collect_and_record(void **state)
{
	struct fx *f = *state;
	send_collect(f, 4, 0, 0, 0);
	send_record(f, 3, 0, 0);
	tick(f, 20);
	struct vox_rec_hdr h = {.type = VOX_CMD_STOP, .leg = f->h};
	dp_term_cmd_stop(f->lc, &h, NULL);
	const struct vox_rec_hdr *e = next_evt(f, VOX_EVT_DIGITS);
	assert_non_null(e);
	assert_int_equal(e->status, VOX_TERM_STOPPED);
	e = next_evt(f, VOX_EVT_RECORDING_DONE);
	assert_non_null(e);
	assert_int_equal(e->status, VOX_TERM_STOPPED);
	tick(f, 40);
	assert_int_equal(f->lc->st->term_active, 0);
	/* bad payloads: a clear refusal, no state taken */
	struct vox_collect c = {.max_digits = 0};
	struct vox_rec_hdr hc = {.type = VOX_CMD_COLLECT, .leg = f->h, .len = sizeof(c)};
	dp_term_cmd_collect(f->lc, &hc, &c);
	assert_non_null(next_evt(f, VOX_EVT_BAD_COMMAND));
	struct vox_tone t = {.kind = VOX_TONE_DIGITS, .digits = "12x"};
	struct vox_rec_hdr ht = {.type = VOX_CMD_TONE, .leg = f->h, .len = sizeof(t)};
	dp_term_cmd_tone(f->lc, &ht, &t);
	assert_non_null(next_evt(f, VOX_EVT_BAD_COMMAND));
	ht.len = 4; /* short */
	dp_term_cmd_tone(f->lc, &ht, &t);
	assert_non_null(next_evt(f, VOX_EVT_BAD_COMMAND));
	assert_int_equal(f->lc->st->term_active, 0);
}

static void send_tone_beep(struct fx *f, uint32_t ms)
{
	struct vox_tone t = {.kind = VOX_TONE_BEEP, .ms = ms};
	struct vox_rec_hdr h = {.type = VOX_CMD_TONE, .leg = f->h, .len = sizeof(t)};
	dp_term_cmd_tone(f->lc, &h, &t);
}

static void test_barge_in_and_record_finish_key(void **state)
{
	struct fx *f = *state;
	uint16_t seq = 1;
	uint32_t ms = 0;
	/* without the barge-in flag a key leaves the tone alone */
	send_tone_beep(f, 5000);
	send_collect(f, 2, 0, 0, 0);
	tick(f, 20);
	key(f, 3, 100, &seq, &ms, 400);
	assert_null(next_evt(f, VOX_EVT_MEDIA_DONE));
	/* with it, the first key stops the tone (MEDIA_DONE status 1) and is collected */
	struct vox_collect c = {.max_digits = 2, .flags = VOX_COLLECTF_BARGE};
	struct vox_rec_hdr hc = {.type = VOX_CMD_COLLECT, .leg = f->h, .len = sizeof(c)};
	dp_term_cmd_collect(f->lc, &hc, &c); /* replaces the first: DIGITS "3", STOPPED */
	const struct vox_rec_hdr *e = next_evt(f, VOX_EVT_DIGITS);
	assert_non_null(e);
	assert_int_equal(e->status, VOX_TERM_STOPPED);
	key(f, 7, 2000, &seq, &ms, 400);
	e = next_evt(f, VOX_EVT_MEDIA_DONE);
	assert_non_null(e);
	assert_int_equal(e->status, 1);
	key(f, 8, 3000, &seq, &ms, 400);
	e = next_evt(f, VOX_EVT_DIGITS);
	assert_non_null(e);
	assert_int_equal(e->status, VOX_TERM_MAX_DIGITS);
	struct vox_digits d;
	memcpy(&d, vox_rec_payload(f->buf), sizeof(d));
	assert_memory_equal(d.digits, "78", 2);

	/* a recording with # as finish key ends on it */
	struct vox_record r = {.rec_id = 4, .finish_keys = 1u << 11};
	struct vox_rec_hdr hr = {.type = VOX_CMD_RECORD, .leg = f->h, .len = sizeof(r)};
	dp_term_cmd_record(f->lc, &hr, &r);
	tick(f, ms + 20);
	key(f, 5, 4000, &seq, &ms, 400); /* not a finish key */
	assert_null(next_evt(f, VOX_EVT_RECORDING_DONE));
	key(f, 11, 5000, &seq, &ms, 400);
	e = next_evt(f, VOX_EVT_RECORDING_DONE);
	assert_non_null(e);
	struct vox_recording_done rd;
	memcpy(&rd, vox_rec_payload(f->buf), sizeof(rd));
	assert_int_equal(rd.reason, VOX_TERM_FINISH_KEY);
	assert_int_equal(rd.finish, '#');
	assert_int_equal(rd.rec_id, 4);
	assert_int_equal(f->lc->st->tones, 1);
}

static void test_results_wait_for_a_full_ring(void **state)
{
	struct fx *f = *state;
	uint16_t seq = 1;
	uint32_t ms = 0;
	send_collect(f, 1, 0, 0, 0);
	/* fill the event ring */
	struct vox_rec_hdr fill = {.type = VOX_EVT_PONG};
	int n = 0;
	while (dp_ctl_emit(f->lc, &fill, NULL, 0) == 0)
		n++;
	assert_true(n > 0);
	key(f, 9, 100, &seq, &ms, 400); /* ends the collect: DIGITS cannot go out now */
	assert_int_equal(f->lc->st->term_evt_deferred, 1);
	assert_int_equal(f->lc->st->term_evt_dropped, 1); /* the key's DTMF event */
	tick(f, ms + 20);
	assert_int_equal(f->lc->st->term_active, 1); /* kept while the result waits */
	assert_null(next_evt(f, VOX_EVT_DIGITS));    /* drains the ring: only PONGs */
	tick(f, ms + 40);
	const struct vox_rec_hdr *e = next_evt(f, VOX_EVT_DIGITS);
	assert_non_null(e);
	assert_int_equal(e->status, VOX_TERM_MAX_DIGITS);
	struct vox_digits d;
	memcpy(&d, vox_rec_payload(f->buf), sizeof(d));
	assert_int_equal(d.digits[0], '9');
	tick(f, ms + 60);
	assert_int_equal(f->lc->st->term_active, 0);
}

int main(void)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=dpterm%d", (int)getpid());
	char *eal[] = {"test", "--no-huge", "-m", "64", "--no-pci", "--no-shconf", "-l", "0",
		       "--log-level=*:error", "--no-telemetry", prefix};
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rfc4733_one_event_per_key, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_collect_finish_key_and_timeout, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_record_frames_and_overflow, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stop_ends_collect_and_record, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_barge_in_and_record_finish_key, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_results_wait_for_a_full_ring, fx_setup, fx_teardown),
	};
	int rc = cmocka_run_group_tests_name("dataplane_term", tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
