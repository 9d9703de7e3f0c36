/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_term.c — media that terminates on a leg: TONE/SILENCE generation, DTMF receive (RFC 4733
 * and in-band), COLLECT, RECORD into the worker's bulk ring, with a jitter buffer per leg. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "collect.h"
#include "dp_lcore.h"
#include "dp_media.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "dtmf_inband.h"
#include "g711.h"
#include "jb.h"
#include "recorder.h"
#include "repack.h"
#include "rtp.h"
#include "tonegen.h"
#include "vox_pool.h"

/*
 * Every SIP leg gets RFC 4733 receive (a few bytes in dp_rtpleg): one DTMF event per key
 * press, sent when the press ends (E bit, or the receiver's timeout when every end packet was
 * lost), with its duration; retransmitted end packets are absorbed by dtmf4733_rx.
 * Everything else needs a terminating state (struct dp_term: jitter buffer with PLC, in-band
 * detector, tone generator, collect and recorder), taken from a fixed per-worker table of
 * DP_TERM_MAX entries while a TONE/SILENCE, COLLECT or RECORD runs on the leg, and given back
 * when none does (refusals are counted in term_full).
 *
 * Time: all of it runs on the 20 ms media tick of dp_play.c (called from dp_play_tick, before
 * the playout walk, with the tick's boundary TSC). A tick pulls one frame from the jitter
 * buffer when the far end's audio is needed (recording, or in-band detection for a COLLECT on a
 * leg without telephone-event): that is the recorder's clock, so a recording is as long as the
 * wall-clock time it ran, whatever the network did (late/lost frames are concealed or silent).
 * Tones are sent as RTP on the leg's outbound stream (shared with PLAY: a TONE replaces a PLAY
 * and the reverse), marker bit on the first packet.
 *
 * In-band detection runs only while a COLLECT (or a RECORD with finish keys) needs it, on legs
 * that did not negotiate telephone-event; its key presses are DTMF events too.
 *
 * Events: DIGITS, RECORDING_DONE and a tone's MEDIA_DONE are results: sent directly, and when
 * the event ring is full kept (payloads in dp_rtpleg) and retried on the next ticks, so they are
 * not lost to a full ring nor replace the leg's pending state event; per-key DTMF events are
 * sent once (term_evt_dropped when the ring is full).
 * A recording whose leg ends sends RECORDING_DONE (reason STOPPED) directly as well.
 *
 * TONE digits go out as RFC 4733 events on legs that negotiated telephone-event (unless the
 * command asks for in-band), as audio otherwise. The near channel of a recording holds our
 * tones and PLAY frames (from the pool's linear copy), or on a bridged leg what the peer sends
 * it: dp_bridge_tx hands each relayed audio packet (already in this leg's stream and codec) to
 * peer_jb, a second jitter buffer that the same tick drains, so both channels run on the
 * recorder's clock. Partial: only 20 ms peer packets are recorded (others counted in
 * record_peer_skipped; the far side re-frames, the peer side does not yet).
 */

#define DP_TERM_MAX 128
#define DP_TERM_NONE UINT32_MAX
#define DP_TERM_MAX_REC_MS (4u * 3600u * 1000u)

_Static_assert((int)COLLECT_MAX_DIGITS == (int)VOX_TERM_MAX_DIGITS, "reason values");
_Static_assert((int)COLLECT_FINISH_KEY == (int)VOX_TERM_FINISH_KEY, "reason values");
_Static_assert((int)COLLECT_TIMEOUT == (int)VOX_TERM_TIMEOUT, "reason values");
_Static_assert((int)RECORDER_MAX_LENGTH == (int)VOX_TERM_MAX_LENGTH, "reason values");
_Static_assert((int)RECORDER_SILENCE == (int)VOX_TERM_SILENCE, "reason values");
_Static_assert(COLLECT_MAX == VOX_DIGITS_MAX, "digit string sizes");

struct dp_term {
	uint32_t slot;
	uint32_t act_pos;       /* index in dp_terms.act */
	uint8_t tone_on;        /* TONE/SILENCE running */
	uint8_t tone_sent;      /* packets of this tone sent (marker on the first) */
	uint8_t inband;         /* in-band detector running (leg has no telephone-event) */
	uint8_t col_flags;      /* enum vox_collect_flag */
	uint8_t col_keys;       /* keys seen during this collect (barge-in on the first) */
	uint8_t rec_on;
	uint8_t far_on;         /* the jitter buffer is being fed and drained */
	uint8_t near_valid;     /* near[] holds the frame we sent this tick */
	uint8_t peer_on;        /* peer_jb is fed (bridged and recording) */
	uint8_t pend;           /* results waiting for room in the event ring (TERM_PEND_*) */
	int32_t pend_media;     /* MEDIA_DONE status waiting */
	int32_t pend_digits, pend_rec; /* DIGITS / RECORDING_DONE status waiting */
	uint16_t rec_id, rec_finish;
	uint32_t rec_lost;
	uint64_t jb_late, jb_lost, jb_conc; /* already added to the worker's counters */
	uint32_t ticks;
	struct collect col;
	struct recorder rec;
	struct tonegen tone;
	int16_t far[JB_FRAME_SAMPLES];
	int16_t near[JB_FRAME_SAMPLES];
	int16_t out[2 * JB_FRAME_SAMPLES];
	/* TONE digits as RFC 4733 events (legs with telephone-event) */
	uint8_t te_on, te_digit, te_i, te_len;
	uint16_t te_on_ms, te_off_ms;
	uint32_t te_gap;        /* ticks of silence left */
	struct dtmf4733_tx te;
	char te_digits[VOX_TONE_DIGITS_MAX];
	struct repack rp;       /* packets that are not 20 ms */
	uint16_t rp_seq;
	struct dtmf_inband ib;
	struct jb jb;
	/* recording a bridged leg: what the peer sends it, on the recorder's own clock (the tick) */
	struct jb peer_jb;
};

struct dp_terms {
	uint32_t n_act, n_free;
	uint32_t act[DP_TERM_MAX];
	uint32_t free_idx[DP_TERM_MAX];
	struct dp_term t[DP_TERM_MAX];
};

int dp_term_init(struct dp_lcore *lc, int socket)
{
	struct dp_terms *ts = rte_zmalloc_socket("dp_terms", sizeof(*ts), 64, socket);
	if (!ts)
		return -ENOMEM;
	for (uint32_t i = 0; i < DP_TERM_MAX; i++)
		ts->free_idx[i] = DP_TERM_MAX - 1 - i;
	ts->n_free = DP_TERM_MAX;
	lc->sip->terms = ts;
	return 0;
}

static uint64_t tsc_ms(const struct dp_lcore *lc, uint64_t tsc)
{
	return (uint64_t)((__uint128_t)tsc * 1000u / lc->tsc_hz);
}

static uint64_t tsc_us(const struct dp_lcore *lc, uint64_t tsc)
{
	return (uint64_t)((__uint128_t)tsc * 1000000u / lc->tsc_hz);
}

static struct dp_term *term_of(struct dp_lcore *lc, const struct dp_rtpleg *r)
{
	return r->term ? &lc->sip->terms->t[r->term - 1] : NULL;
}

/* The leg's terminating state, attached on first use; NULL when the table is full. */
static struct dp_term *term_get(struct dp_lcore *lc, uint32_t slot)
{
	struct dp_rtpleg *r = &lc->sip->rtp[slot];
	struct dp_terms *ts = lc->sip->terms;
	if (r->term)
		return &ts->t[r->term - 1];
	if (!ts->n_free) {
		lc->st->term_full++;
		return NULL;
	}
	uint32_t i = ts->free_idx[--ts->n_free];
	struct dp_term *t = &ts->t[i];
	/* command path: spandsp init of the PLC and the detector, no allocation */
	memset(t, 0, offsetof(struct dp_term, ib));
	t->slot = slot;
	t->act_pos = ts->n_act;
	ts->act[ts->n_act++] = i;
	r->term = i + 1;
	lc->st->term_active = ts->n_act;
	return t;
}

static void term_put(struct dp_lcore *lc, struct dp_term *t)
{
	struct dp_terms *ts = lc->sip->terms;
	uint32_t i = (uint32_t)(t - ts->t);
	if (t->inband)
		dtmf_inband_fini(&t->ib);
	uint32_t last = ts->act[--ts->n_act];
	ts->act[t->act_pos] = last;
	ts->t[last].act_pos = t->act_pos;
	ts->free_idx[ts->n_free++] = i;
	lc->sip->rtp[t->slot].term = 0;
	lc->st->term_active = ts->n_act;
}

/* Start feeding the jitter buffer (and the in-band detector on legs without telephone-event). */
static void far_start(struct dp_lcore *lc, struct dp_term *t)
{
	if (t->far_on)
		return;
	jb_init(&t->jb, NULL);
	memset(&t->rp, 0, sizeof(t->rp));
	if (t->inband)
		dtmf_inband_fini(&t->ib);
	t->inband = 0;
	t->jb_late = t->jb_lost = t->jb_conc = 0;
	t->far_on = 1;
	struct dp_sipleg *sl = &lc->sip->legs[t->slot];
	if (sl->dtmf_pt < 0 && dtmf_inband_init(&t->ib, 0) == 0)
		t->inband = 1;
}

/* A leg whose end is on its way: its pending event is LEG_ENDED, which nothing may replace. */
static int leg_ending(const struct dp_leg *leg)
{
	return leg->free_after_emit || leg->state == VOX_LEG_FREE;
}

static int term_busy(const struct dp_term *t)
{
	return t->tone_on || t->col.active || t->rec_on || t->pend;
}

/* ---- events ---- */

/* Results (MEDIA_DONE of a tone, DIGITS, RECORDING_DONE) go out at once; when the event ring is
 * full they wait on the terminating state (kept while any waits) and go out on later ticks, in
 * this order. Their payloads live in dp_rtpleg. A result still waiting when the leg goes is
 * dropped and counted (term_evt_dropped). */
enum { TERM_PEND_MEDIA = 1, TERM_PEND_DIGITS = 2, TERM_PEND_REC = 4 };

static int term_emit(struct dp_lcore *lc, struct dp_leg *leg, uint16_t type, int32_t status,
		     const void *pl, uint32_t len)
{
	struct vox_rec_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.status = status;
	h.leg = dp_leg_handle(lc, leg);
	h.req_id = leg->req_id;
	memcpy(h.tag, leg->tag, sizeof(h.tag));
	return dp_ctl_emit(lc, &h, pl, len);
}

static int result_send(struct dp_lcore *lc, struct dp_leg *leg, uint8_t what, int32_t status)
{
	struct dp_rtpleg *r = &lc->sip->rtp[leg - lc->legs];
	if (what == TERM_PEND_DIGITS)
		return term_emit(lc, leg, VOX_EVT_DIGITS, status, &r->digits, sizeof(r->digits));
	if (what == TERM_PEND_REC)
		return term_emit(lc, leg, VOX_EVT_RECORDING_DONE, status, &r->recdone, sizeof(r->recdone));
	return term_emit(lc, leg, VOX_EVT_MEDIA_DONE, status, NULL, 0);
}

static void term_result(struct dp_lcore *lc, struct dp_term *t, struct dp_leg *leg, uint8_t what,
			int32_t status)
{
	if ((!t || !t->pend) && result_send(lc, leg, what, status) == 0)
		return;
	if (!t) {
		lc->st->term_evt_dropped++;
		return;
	}
	lc->st->term_evt_deferred++;
	t->pend |= what;
	if (what == TERM_PEND_MEDIA)
		t->pend_media = status;
	else if (what == TERM_PEND_DIGITS)
		t->pend_digits = status;
	else
		t->pend_rec = status;
}

static void term_flush(struct dp_lcore *lc, struct dp_term *t)
{
	struct dp_leg *leg = &lc->legs[t->slot];
	static const uint8_t order[3] = {TERM_PEND_MEDIA, TERM_PEND_DIGITS, TERM_PEND_REC};
	for (int i = 0; i < 3; i++) {
		uint8_t w = order[i];
		if (!(t->pend & w))
			continue;
		int32_t st = w == TERM_PEND_MEDIA ? t->pend_media : w == TERM_PEND_DIGITS ? t->pend_digits : t->pend_rec;
		if (result_send(lc, leg, w, st) != 0)
			return;
		t->pend &= (uint8_t)~w;
	}
}

static void digits_done(struct dp_lcore *lc, struct dp_term *t, int reason)
{
	struct dp_rtpleg *r = &lc->sip->rtp[t->slot];
	memset(&r->digits, 0, sizeof(r->digits));
	r->digits.reason = (uint8_t)reason;
	r->digits.n = t->col.n;
	r->digits.finish = reason == VOX_TERM_FINISH_KEY ? t->col.finish_key : 0;
	memcpy(r->digits.digits, t->col.d, t->col.n);
	t->col.active = false;
	term_result(lc, t, &lc->legs[t->slot], TERM_PEND_DIGITS, reason);
}

static void rec_fill(struct dp_term *t, struct vox_recording_done *d, int reason, char key)
{
	memset(d, 0, sizeof(*d));
	d->rec_id = t->rec_id;
	d->reason = (uint8_t)reason;
	d->flags = t->rec_lost ? VOX_RECDONE_OVERFLOW : 0;
	d->finish = key;
	d->channels = t->rec.channels;
	d->frames = t->rec.frames - t->rec_lost;
	d->frames_lost = t->rec_lost;
	d->duration_ms = t->rec.frames * 20u;
}

static void rec_done(struct dp_lcore *lc, struct dp_term *t, int reason, char key)
{
	rec_fill(t, &lc->sip->rtp[t->slot].recdone, reason, key);
	t->rec_on = 0;
	t->peer_on = 0;
	t->rec.active = false;
	lc->st->recordings_active--;
	term_result(lc, t, &lc->legs[t->slot], TERM_PEND_REC, reason);
}

static void tone_done(struct dp_lcore *lc, struct dp_term *t, int32_t status)
{
	t->tone_on = 0;
	term_result(lc, t, &lc->legs[t->slot], TERM_PEND_MEDIA, status);
}

static void stop_play(struct dp_lcore *lc, struct dp_leg *leg)
{
	struct vox_rec_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = VOX_CMD_STOP;
	h.leg = dp_leg_handle(lc, leg);
	dp_play_cmd_stop(lc, &h, NULL); /* MEDIA_DONE status 1 when something was playing */
}

/* One key press, from RFC 4733 or the in-band detector. */
static void term_key(struct dp_lcore *lc, struct dp_leg *leg, char digit, uint8_t src,
		     const struct dtmf_report *rep, uint64_t now_ms)
{
	struct vox_dtmf d = {.digit = digit, .source = src};
	if (rep) {
		d.volume = rep->volume;
		d.e_bit = rep->e_bit;
		d.duration_ms = rep->duration / 8u;
	}
	lc->st->dtmf_rx++;
	if (term_emit(lc, leg, VOX_EVT_DTMF, (int32_t)(uint8_t)digit, &d, sizeof(d)) != 0)
		lc->st->term_evt_dropped++;

	struct dp_term *t = term_of(lc, &lc->sip->rtp[leg - lc->legs]);
	if (!t)
		return;
	if (t->col.active) {
		if (t->col_keys++ == 0 && (t->col_flags & VOX_COLLECTF_BARGE)) {
			stop_play(lc, leg);
			if (t->tone_on)
				tone_done(lc, t, 1);
		}
		enum collect_end e = collect_digit(&t->col, digit, now_ms);
		if (e != COLLECT_RUNNING)
			digits_done(lc, t, (int)e);
	}
	int bit = collect_key_bit(digit);
	if (t->rec_on && bit >= 0 && (t->rec_finish & (1u << bit)))
		rec_done(lc, t, VOX_TERM_FINISH_KEY, digit);
}

/* ---- receive: one call per accepted RTP packet (dp_rtp.c) ---- */

void dp_term_rtp(struct dp_lcore *lc, struct dp_leg *leg, struct dp_rtpleg *r,
		 const struct rtp_hdr *h, const uint8_t *pkt, uint64_t now_tsc)
{
	const struct dp_sipleg *sl = &lc->sip->legs[leg - lc->legs];
	if (sl->dtmf_pt >= 0 && h->pt == (uint8_t)sl->dtmf_pt) {
		struct dtmf_report rep[DTMF4733_RX_MAX_REPORTS];
		uint64_t now_ms = tsc_ms(lc, now_tsc);
		uint32_t dup0 = r->dtmf.n_dup;
		unsigned n = dtmf4733_rx_packet(&r->dtmf, h->ts, pkt + h->payload_off, h->payload_len,
						now_ms, rep);
		lc->st->dtmf_dup += r->dtmf.n_dup - dup0;
		for (unsigned i = 0; i < n; i++)
			if (rep[i].kind == DTMF_REPORT_END && rep[i].digit)
				term_key(lc, leg, rep[i].digit, VOX_DTMF_RFC4733, &rep[i], now_ms);
		return;
	}
	struct dp_term *t = term_of(lc, r);
	if (!t || !t->far_on)
		return;
	if (h->payload_len == JB_FRAME_SAMPLES || (h->pt != G711_PT_PCMU && h->pt != G711_PT_PCMA)) {
		jb_put(&t->jb, h, pkt, tsc_us(lc, now_tsc)); /* other payload types: counted bad */
		return;
	}
	/* another ptime: re-framed to 20 ms, fed as packets of their own */
	struct repack_frame f[REPACK_MAX_OUT];
	int n = repack_put(&t->rp, h->ssrc, h->ts, pkt + h->payload_off, h->payload_len, f);
	for (int i = 0; i < n; i++) {
		struct rtp_hdr fh = {.ts = f[i].ts, .ssrc = h->ssrc, .seq = t->rp_seq++, .pt = h->pt,
				     .marker = (uint8_t)(i == 0 ? h->marker : 0), .payload_off = 0,
				     .payload_len = JB_FRAME_SAMPLES};
		jb_put(&t->jb, &fh, f[i].data, tsc_us(lc, now_tsc));
	}
}

/* ---- sending a generated frame ---- */

static void tx_init(struct dp_lcore *lc, struct dp_leg *leg, struct dp_rtpleg *r)
{
	if (r->tx_ssrc)
		return;
	/* the same identity dp_play.c would pick: one outbound stream per leg */
	uint64_t x = (dp_leg_handle(lc, leg) ^ lc->sip->seed) * 0x9e3779b97f4a7c15ull;
	r->tx_ssrc = (uint32_t)(x >> 32) | 1u;
	r->tx_seq = (uint16_t)x;
	r->tx_ts = (uint32_t)(x >> 16);
}

/* One RTP packet on the leg's outbound stream (sequence number taken here; the caller moves
 * the stream's timestamp). */
static void send_rtp(struct dp_lcore *lc, struct dp_term *t, uint8_t pt, uint8_t marker, uint32_t ts,
		     const uint8_t *payload, uint32_t len)
{
	struct dp_sipleg *sl = &lc->sip->legs[t->slot];
	struct dp_rtpleg *r = &lc->sip->rtp[t->slot];
	uint32_t dip;
	uint16_t dport;
	if (r->latched) {
		dip = r->peer_ip;
		dport = r->peer_port;
	} else if (sl->media.family == 4 && sl->media.port) {
		memcpy(&dip, sl->media.ip, 4);
		dport = sl->media.port;
	} else {
		return; /* nowhere to send yet: time goes on */
	}
	if (sl->hold)
		return;
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->ctx->pool);
	if (!m) {
		vox_stats_drop(lc->st, VOX_DROP_no_mbuf, 1);
		return;
	}
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, RTP_HDR_LEN + len);
	struct rtp_build b = {.pt = pt, .marker = marker, .seq = r->tx_seq++, .ts = ts, .ssrc = r->tx_ssrc};
	rtp_build_hdr(p, RTP_HDR_LEN, &b);
	memcpy(p + RTP_HDR_LEN, payload, len);
	if (sl->srtp && dp_srtp_tx(lc, t->slot, m) != 0) { /* SRTP legs: tones too are protected */
		rte_pktmbuf_free(m);
		return;
	}
	if (net_udp_output(&lc->net, m, sl->rtp_port, dip, dport, lc->now_tsc) == 0) {
		r->tx++;
		lc->st->rtp_tx++;
	}
}

static void send_frame(struct dp_lcore *lc, struct dp_term *t, const int16_t *pcm)
{
	struct dp_rtpleg *r = &lc->sip->rtp[t->slot];
	uint8_t pt = lc->sip->legs[t->slot].codec_pt == 8 ? 8 : 0;
	uint8_t enc[JB_FRAME_SAMPLES];
	g711_encode_pt(pt, enc, pcm, JB_FRAME_SAMPLES);
	send_rtp(lc, t, pt, t->tone_sent == 0, r->tx_ts, enc, sizeof(enc));
	t->tone_sent = 1;
	r->tx_ts += 160;
}

/* TONE digits as RFC 4733 events, one packet per tick: updates every 20 ms for on_ms, three end
 * packets, then off_ms with nothing sent; 'w'/'W' pause. Returns 0 when the string is over. */
static int te_step(struct dp_lcore *lc, struct dp_term *t)
{
	struct dp_rtpleg *r = &lc->sip->rtp[t->slot];
	uint8_t pt = (uint8_t)lc->sip->legs[t->slot].dtmf_pt;
	for (int guard = 0; guard < 4; guard++) {
		if (t->te_digit) {
			uint8_t pl[DTMF4733_PAYLOAD_LEN];
			bool mk;
			uint32_t ts;
			if (dtmf4733_tx_next(&t->te, pl, &mk, &ts)) {
				send_rtp(lc, t, pt, mk, ts, pl, sizeof(pl));
				r->tx_ts += 160;
				return 1;
			}
			t->te_digit = 0;
			t->te_gap = (t->te_off_ms + 19u) / 20u;
		}
		if (t->te_gap) {
			t->te_gap--;
			r->tx_ts += 160;
			return 1;
		}
		if (t->te_i >= t->te_len)
			return 0;
		char c = t->te_digits[t->te_i++];
		if (c == 'w' || c == 'W') {
			t->te_gap = c == 'w' ? 25u : 50u;
			continue;
		}
		if (dtmf4733_tx_start(&t->te, c, r->tx_ts, t->te_on_ms * 8u, 160, 10) == 0)
			t->te_digit = 1;
	}
	return 1;
}

/* What PLAY sends this tick, from the pool's linear copy (for the recorder's near channel). */
static int play_near(struct dp_lcore *lc, const struct dp_rtpleg *r, int16_t *out)
{
	const struct vox_pool_hdr *pool = vox_pool_of(lc->ctx->shm.hdr);
	if (atomic_load_explicit(&pool->magic, memory_order_acquire) != VOX_POOL_MAGIC)
		return 0;
	const struct vox_pool_clip *c = vox_pool_lookup(pool, r->clip[r->play_i]);
	const uint8_t *f = c ? vox_pool_frame(pool, c, r->frame, VOX_POOL_LIN16) : NULL;
	if (!f)
		return 0;
	memcpy(out, f, JB_FRAME_SAMPLES * sizeof(int16_t));
	return 1;
}

/* ---- the tick ---- */

static void term_jb_stats(struct dp_lcore *lc, struct dp_term *t, uint64_t now_us)
{
	const struct jb_stats *s = jb_stats(&t->jb, now_us);
	lc->st->jb_late += s->late - t->jb_late;
	lc->st->jb_lost += s->lost - t->jb_lost;
	lc->st->jb_concealed += s->concealed - t->jb_conc;
	t->jb_late = s->late;
	t->jb_lost = s->lost;
	t->jb_conc = s->concealed;
	if (t->ticks % 25 == 1) {
		struct vox_leg_mirror *e = &lc->mirror[t->slot];
		vox_mirror_write_begin(e);
		e->jb_depth_ms = s->depth_ms;
		vox_mirror_write_end(e);
	}
}

static void term_one(struct dp_lcore *lc, struct dp_term *t, uint64_t tick_tsc)
{
	struct dp_leg *leg = &lc->legs[t->slot];
	struct dp_rtpleg *r = &lc->sip->rtp[t->slot];
	if (leg_ending(leg)) {
		/* dp_term_leg_gone gives the state back when the slot is released */
		t->tone_on = 0;
		return;
	}
	if (t->pend)
		term_flush(lc, t);
	/* timeouts on the tick's boundary; the jitter buffer on the turn's clock, the one its
	 * packets were stamped with (the tick runs a little after its boundary) */
	uint64_t now_ms = tsc_ms(lc, tick_tsc), now_us = tsc_us(lc, lc->now_tsc > tick_tsc ? lc->now_tsc : tick_tsc);
	t->ticks++;
	/* an RFC 4733 event whose end packets were all lost */
	struct dtmf_report rep;
	if (dtmf4733_rx_poll(&r->dtmf, now_ms, &rep) && rep.digit)
		term_key(lc, leg, rep.digit, VOX_DTMF_RFC4733, &rep, now_ms);

	/* our side of this tick */
	t->near_valid = 0;
	if (t->tone_on && t->te_on) {
		if (!te_step(lc, t))
			tone_done(lc, t, 0);
	} else if (t->tone_on) {
		if (tonegen_frame(&t->tone, t->near)) {
			send_frame(lc, t, t->near);
			t->near_valid = 1;
		} else {
			tone_done(lc, t, 0);
		}
	} else if (r->playing && t->rec_on) {
		t->near_valid = (uint8_t)play_near(lc, r, t->near);
	} else if (t->peer_on && t->rec_on) {
		/* bridged: the near side is what the peer sends this leg (lost frames concealed) */
		jb_get(&t->peer_jb, now_us, t->near);
		t->near_valid = 1;
	}

	/* the far end's side */
	if (t->far_on) {
		jb_get(&t->jb, now_us, t->far);
		term_jb_stats(lc, t, now_us);
		if (t->inband && t->col.active) {
			dtmf_inband_rx(&t->ib, t->far, JB_FRAME_SAMPLES);
			for (char c; (c = dtmf_inband_pop(&t->ib)) != 0;) {
				lc->st->dtmf_inband++;
				term_key(lc, leg, c, VOX_DTMF_INBAND, NULL, now_ms);
			}
		} else if (t->inband && t->rec_on && t->rec_finish) {
			dtmf_inband_rx(&t->ib, t->far, JB_FRAME_SAMPLES);
			for (char c; (c = dtmf_inband_pop(&t->ib)) != 0;) {
				lc->st->dtmf_inband++;
				term_key(lc, leg, c, VOX_DTMF_INBAND, NULL, now_ms);
			}
		}
	}
	if (t->rec_on) {
		enum recorder_end e = recorder_frame(&t->rec, t->far, t->near_valid ? t->near : NULL, t->out);
		uint32_t bytes = recorder_frame_bytes(&t->rec);
		struct vox_bytering *br = vox_shm_bulk_ring(&lc->ctx->shm, lc->widx);
		if (vox_bytering_put(br, VOX_BULK_AUDIO, t->rec_id, dp_leg_handle(lc, leg), t->out, bytes) == 0) {
			lc->st->record_bytes += bytes;
		} else {
			t->rec_lost++;
			lc->st->record_overflow++;
		}
		if (e != RECORDER_RUNNING)
			rec_done(lc, t, (int)e, 0);
	}
	if (t->col.active) {
		enum collect_end e = collect_poll(&t->col, now_ms);
		if (e != COLLECT_RUNNING)
			digits_done(lc, t, (int)e);
	}
	if (!t->col.active && !t->rec_on)
		t->far_on = 0;
}

void dp_term_tick(struct dp_lcore *lc, uint64_t tick_tsc)
{
	struct dp_terms *ts = lc->sip->terms;
	if (!ts)
		return;
	/* walk backwards: term_put moves the last entry into the freed position */
	for (uint32_t k = ts->n_act; k-- > 0;) {
		struct dp_term *t = &ts->t[ts->act[k]];
		term_one(lc, t, tick_tsc);
		if (!term_busy(t))
			term_put(lc, t);
	}
}

void dp_term_leg_gone(struct dp_lcore *lc, uint32_t slot)
{
	if (!lc->sip || !lc->sip->terms)
		return;
	struct dp_rtpleg *r = &lc->sip->rtp[slot];
	struct dp_term *t = term_of(lc, r);
	if (!t)
		return;
	if (t->rec_on) {
		/* the leg's pending event is its end: say it directly (control also closes the file
		 * when it sees LEG_ENDED) */
		struct dp_leg *leg = &lc->legs[slot];
		struct vox_recording_done d;
		rec_fill(t, &d, VOX_TERM_STOPPED, 0);
		if (term_emit(lc, leg, VOX_EVT_RECORDING_DONE, VOX_TERM_STOPPED, &d, sizeof(d)) != 0)
			lc->st->term_evt_dropped++;
		lc->st->recordings_active--;
	}
	lc->st->term_evt_dropped += (uint64_t)__builtin_popcount(t->pend);
	t->pend = 0;
	t->rec_on = 0;
	t->tone_on = 0;
	t->col.active = false;
	term_put(lc, t);
}

/* ---- commands ---- */

static struct dp_leg *cmd_leg(struct dp_lcore *lc, const struct vox_rec_hdr *h, uint32_t need)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return NULL;
	if (h->len < need) {
		dp_ctl_bad(lc, h, -22);
		return NULL;
	}
	if (leg->kind == VOX_LEG_KIND_LOOPBACK || !lc->sip->terms) {
		dp_ctl_bad(lc, h, -95); /* EOPNOTSUPP: no media on diagnostic legs */
		return NULL;
	}
	return leg;
}

void dp_term_cmd_play(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = lc->sip ? dp_leg_lookup(lc, h->leg) : NULL;
	struct dp_term *t = leg ? term_of(lc, &lc->sip->rtp[leg - lc->legs]) : NULL;
	if (t)
		t->tone_on = 0; /* PLAY replaces a TONE (no MEDIA_DONE for it), as PLAY replaces PLAY */
	dp_play_cmd_play(lc, h, pl);
}

void dp_term_cmd_stop(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	uint32_t slot = (uint32_t)(leg - lc->legs);
	if (lc->sip->rtp[slot].playing)
		dp_play_cmd_stop(lc, h, pl);
	struct dp_term *t = term_of(lc, &lc->sip->rtp[slot]);
	if (!t)
		return;
	if (t->tone_on)
		tone_done(lc, t, 1);
	if (t->col.active)
		digits_done(lc, t, VOX_TERM_STOPPED);
	if (t->rec_on)
		rec_done(lc, t, VOX_TERM_STOPPED, 0);
	/* the next tick gives the state back */
}

void dp_term_bridge_start(struct dp_lcore *lc, uint32_t slot)
{
	struct dp_term *t = lc->sip && lc->sip->terms ? term_of(lc, &lc->sip->rtp[slot]) : NULL;
	if (t && t->tone_on)
		tone_done(lc, t, 1); /* the relay owns the outbound stream now, as after a PLAY */
}

void dp_term_bridge_audio(struct dp_lcore *lc, uint32_t slot, const uint8_t *pkt, uint32_t len,
			  uint64_t now_tsc)
{
	struct dp_term *t = term_of(lc, &lc->sip->rtp[slot]);
	if (!t || !t->rec_on)
		return;
	struct rtp_hdr h;
	if (rtp_parse(pkt, len, &h) != RTP_ERR_OK || h.payload_len != JB_FRAME_SAMPLES) {
		/* PARTIAL: only 20 ms frames are recorded from the peer (no re-framing here) */
		lc->st->record_peer_skipped++;
		return;
	}
	if (!t->peer_on) {
		jb_init(&t->peer_jb, NULL);
		t->peer_on = 1;
	}
	jb_put(&t->peer_jb, &h, pkt, tsc_us(lc, now_tsc));
}

void dp_term_bridge_end(struct dp_lcore *lc, uint32_t slot)
{
	struct dp_term *t = lc->sip && lc->sip->terms ? term_of(lc, &lc->sip->rtp[slot]) : NULL;
	if (t)
		t->peer_on = 0;
}

/* TONE/SILENCE on a bridged leg: refused like PLAY (the peer's audio goes there). */
static int tone_refused(struct dp_lcore *lc, const struct vox_rec_hdr *h, const struct dp_leg *leg)
{
	if (!lc->sip->rtp[leg - lc->legs].br_state)
		return 0;
	dp_ctl_bad(lc, h, -16); /* EBUSY */
	return 1;
}

static void tone_begin(struct dp_lcore *lc, struct dp_leg *leg, struct dp_term *t)
{
	uint32_t slot = (uint32_t)(leg - lc->legs);
	dp_play_leg_gone(lc, slot); /* a TONE replaces a PLAY: no MEDIA_DONE for it */
	lc->st->media_playing = lc->sip->n_playing;
	tx_init(lc, leg, &lc->sip->rtp[slot]);
	t->tone_on = 1;
	t->tone_sent = 0;
	lc->st->tones++;
}

void dp_term_cmd_tone(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct vox_tone p;
	struct dp_leg *leg = cmd_leg(lc, h, sizeof(p));
	if (!leg || tone_refused(lc, h, leg))
		return;
	memcpy(&p, pl, sizeof(p));
	if (p.level > 60 || p.ms > 3600000u) {
		dp_ctl_bad(lc, h, -34);
		return;
	}
	struct tonegen g;
	int te = 0;
	switch (p.kind) {
	case VOX_TONE_RINGBACK:
		if (!p.f1) {
			tonegen_ringback(&g, p.level, p.ms);
			break;
		}
		/* a national ringing tone: f1 (+ f2), on_ms/off_ms, double ring */
		if (p.f1 >= 4000 || p.f2 >= 4000 || !p.on_ms || !p.off_ms) {
			dp_ctl_bad(lc, h, -34);
			return;
		}
		tonegen_ring(&g, p.f1, p.f2, p.on_ms, p.off_ms, (p.flags & VOX_TONEF_DOUBLE) != 0, p.level,
			     p.ms);
		break;
	case VOX_TONE_BEEP:
		tonegen_sine(&g, 1000, 0, p.level, p.ms ? p.ms : 500);
		break;
	case VOX_TONE_SINE:
		if (p.f1 == 0 || p.f1 >= 4000 || p.f2 >= 4000) {
			dp_ctl_bad(lc, h, -34);
			return;
		}
		tonegen_sine(&g, p.f1, p.f2, p.level, p.ms);
		break;
	case VOX_TONE_DIGITS:
		if (lc->sip->legs[leg - lc->legs].dtmf_pt >= 0 && !(p.flags & VOX_TONEF_INBAND)) {
			te = 1;
			uint32_t n = (uint32_t)strnlen(p.digits, sizeof(p.digits));
			for (uint32_t i = 0; i < n; i++)
				if (p.digits[i] != 'w' && p.digits[i] != 'W' && dtmf_char_event(p.digits[i]) < 0)
					n = 0;
			if (n == 0) {
				dp_ctl_bad(lc, h, -22);
				return;
			}
			break;
		}
		if (tonegen_digits(&g, p.digits, (uint32_t)strnlen(p.digits, sizeof(p.digits)), p.on_ms,
				   p.off_ms, p.level) != 0) {
			dp_ctl_bad(lc, h, -22);
			return;
		}
		break;
	default:
		dp_ctl_bad(lc, h, -22);
		return;
	}
	struct dp_term *t = term_get(lc, (uint32_t)(leg - lc->legs));
	if (!t) {
		term_result(lc, NULL, leg, TERM_PEND_MEDIA, -105); /* ENOBUFS: not started */
		return;
	}
	if (te) {
		t->te_len = (uint8_t)strnlen(p.digits, sizeof(p.digits));
		memcpy(t->te_digits, p.digits, t->te_len);
		t->te_i = 0;
		t->te_digit = 0;
		t->te_gap = 0;
		t->te_on_ms = p.on_ms ? p.on_ms : 100;
		t->te_off_ms = p.off_ms ? p.off_ms : 100;
	} else {
		t->tone = g;
	}
	t->te_on = (uint8_t)te;
	tone_begin(lc, leg, t);
}

void dp_term_cmd_silence(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct vox_silence p;
	struct dp_leg *leg = cmd_leg(lc, h, sizeof(p));
	if (!leg || tone_refused(lc, h, leg))
		return;
	memcpy(&p, pl, sizeof(p));
	if (p.ms == 0 || p.ms > 3600000u) {
		dp_ctl_bad(lc, h, -34);
		return;
	}
	struct dp_term *t = term_get(lc, (uint32_t)(leg - lc->legs));
	if (!t) {
		term_result(lc, NULL, leg, TERM_PEND_MEDIA, -105);
		return;
	}
	tonegen_silence(&t->tone, p.ms);
	t->te_on = 0;
	tone_begin(lc, leg, t);
}

void dp_term_cmd_collect(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct vox_collect p;
	struct dp_leg *leg = cmd_leg(lc, h, sizeof(p));
	if (!leg)
		return;
	memcpy(&p, pl, sizeof(p));
	if (p.max_digits == 0 || p.max_digits > VOX_DIGITS_MAX) {
		dp_ctl_bad(lc, h, -34);
		return;
	}
	uint32_t slot = (uint32_t)(leg - lc->legs);
	struct dp_term *t = term_get(lc, slot);
	if (!t) {
		struct dp_rtpleg *r = &lc->sip->rtp[slot];
		memset(&r->digits, 0, sizeof(r->digits));
		r->digits.reason = VOX_TERM_STOPPED;
		term_result(lc, NULL, leg, TERM_PEND_DIGITS, -105);
		return;
	}
	if (t->col.active)
		digits_done(lc, t, VOX_TERM_STOPPED);
	collect_start(&t->col, p.max_digits, p.finish_keys, p.first_ms, p.inter_ms,
		      tsc_ms(lc, rte_rdtsc()));
	t->col_flags = p.flags;
	t->col_keys = 0;
	far_start(lc, t);
	lc->st->collects++;
}

void dp_term_cmd_record(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct vox_record p;
	struct dp_leg *leg = cmd_leg(lc, h, sizeof(p));
	if (!leg)
		return;
	memcpy(&p, pl, sizeof(p));
	if (p.max_ms > DP_TERM_MAX_REC_MS) {
		dp_ctl_bad(lc, h, -34);
		return;
	}
	uint32_t slot = (uint32_t)(leg - lc->legs);
	struct dp_term *t = term_get(lc, slot);
	if (!t) {
		struct dp_rtpleg *r = &lc->sip->rtp[slot];
		memset(&r->recdone, 0, sizeof(r->recdone));
		r->recdone.rec_id = p.rec_id;
		r->recdone.reason = VOX_TERM_STOPPED;
		term_result(lc, NULL, leg, TERM_PEND_REC, -105);
		return;
	}
	if (t->rec_on)
		rec_done(lc, t, VOX_TERM_STOPPED, 0);
	recorder_start(&t->rec, (p.flags & VOX_RECORDF_DUAL) ? 2 : 1,
		       p.max_ms ? p.max_ms : DP_TERM_MAX_REC_MS, p.silence_ms, p.silence_level);
	t->rec_id = p.rec_id;
	t->rec_finish = p.finish_keys;
	t->rec_lost = 0;
	t->rec_on = 1;
	far_start(lc, t);
	lc->st->recordings++;
	lc->st->recordings_active++;
}
