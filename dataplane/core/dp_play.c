/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_play.c — playout from the shared media pool: PLAY/STOP on a leg, the 20 ms media tick that
 * sends one pre-encoded G.711 frame per playing leg, MEDIA_DONE when a list has played out. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "dp_media.h"
#include "rtp.h"
#include "vox_pool.h"

/*
 * Every worker ticks at the same 20 ms boundaries (ctx->tick_epoch_tsc + k * 20 ms), so a later
 * conference mixer can take frames across lcores. A tick walks the worker's list of playing
 * legs; each gets the next frame of its clip, already encoded in the leg's codec by control
 * (one encode per clip, whatever the number of legs), copied into an RTP packet with a running
 * sequence number and timestamp (+160 per frame) and the marker bit on the first packet of a
 * playout. Clips are looked up by handle on every tick (vox_pool_play): a clip retired under a
 * playing leg ends its playout (MEDIA_DONE status 2) instead of playing freed memory.
 * A tick that comes late plays one frame and counts the slip; it does not burst to catch up.
 */

#define DP_TICK_NS 20000000ull
#define DP_PLAY_NONE UINT32_MAX

static uint64_t tick_tsc(const struct dp_lcore *lc)
{
	return lc->tsc_hz / 50u;
}

static void play_unlink(struct dp_lcore *lc, uint32_t slot)
{
	struct dp_sip *s = lc->sip;
	uint32_t *p = &s->play_head;
	while (*p != DP_PLAY_NONE && *p != slot)
		p = &s->rtp[*p].play_next;
	if (*p == slot) {
		*p = s->rtp[slot].play_next;
		s->n_playing--;
	}
	s->rtp[slot].playing = 0;
	s->rtp[slot].play_next = DP_PLAY_NONE;
}

static void play_done(struct dp_lcore *lc, struct dp_leg *leg, int32_t status)
{
	uint32_t slot = (uint32_t)(leg - lc->legs);
	play_unlink(lc, slot);
	lc->st->media_playing = lc->sip->n_playing;
	dp_leg_state_event(lc, leg, VOX_EVT_MEDIA_DONE, status);
}

void dp_play_leg_gone(struct dp_lcore *lc, uint32_t slot)
{
	if (lc->sip && lc->sip->rtp[slot].playing) {
		play_unlink(lc, slot);
		lc->st->media_playing = lc->sip->n_playing;
	}
}

void dp_play_cmd_play(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct vox_play p;
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	if (h->len < sizeof(p)) {
		dp_ctl_bad(lc, h, -22);
		return;
	}
	memcpy(&p, pl, sizeof(p));
	if (p.n == 0 || p.n > VOX_PLAY_MAX) {
		dp_ctl_bad(lc, h, -34);
		return;
	}
	uint32_t slot = (uint32_t)(leg - lc->legs);
	struct dp_rtpleg *r = &lc->sip->rtp[slot];
	if (r->br_state) {
		dp_ctl_bad(lc, h, -EBUSY); /* bridged: the peer's audio goes there (dp_bridge.c) */
		return;
	}
	if (r->playing)
		play_unlink(lc, slot); /* a new PLAY replaces the current one (no MEDIA_DONE for it) */
	memcpy(r->clip, p.clip, sizeof(p.clip));
	r->play_n = (uint8_t)p.n;
	r->play_i = 0;
	r->frame = 0;
	r->play_loop = p.loop ? p.loop - 1 : UINT32_MAX;
	r->marker = 1;
	if (!r->tx_ssrc) {
		/* our stream's identity for the leg's lifetime: random-looking, never 0 */
		uint64_t x = (dp_leg_handle(lc, leg) ^ lc->sip->seed) * 0x9e3779b97f4a7c15ull;
		r->tx_ssrc = (uint32_t)(x >> 32) | 1u;
		r->tx_seq = (uint16_t)x;
		r->tx_ts = (uint32_t)(x >> 16);
	}
	r->playing = 1;
	r->play_next = lc->sip->play_head;
	lc->sip->play_head = slot;
	lc->sip->n_playing++;
	lc->st->media_playing = lc->sip->n_playing;
}

void dp_play_cmd_stop(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	if (lc->sip->rtp[leg - lc->legs].playing)
		play_done(lc, leg, 1);
}

/* One frame for one leg. Returns 0, or 1 when its playout is over (status in *st). */
static int play_one(struct dp_lcore *lc, const struct vox_pool_hdr *pool, struct dp_leg *leg,
		    struct dp_rtpleg *r, int32_t *st)
{
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	enum vox_pool_fmt fmt = sl->codec_pt == 8 ? VOX_POOL_PCMA : VOX_POOL_PCMU;
	const uint8_t *frame = NULL;
	for (int guard = 0; guard <= VOX_PLAY_MAX && !frame; guard++) {
		const struct vox_pool_clip *c = vox_pool_lookup(pool, r->clip[r->play_i]);
		if (!c) {
			*st = 2; /* the clip went away: stop rather than play freed memory */
			return 1;
		}
		frame = vox_pool_frame(pool, c, r->frame, fmt);
		if (frame)
			break;
		/* this clip is over: next clip, next loop, or done */
		r->frame = 0;
		if (++r->play_i < r->play_n)
			continue;
		r->play_i = 0;
		if (r->play_loop == 0) {
			*st = 0;
			return 1;
		}
		if (r->play_loop != UINT32_MAX)
			r->play_loop--;
	}
	if (!frame) {
		*st = 2;
		return 1;
	}
	r->frame++;
	/* where: the latched source (symmetric RTP), else the address of the SDP */
	uint32_t dip;
	uint16_t dport;
	if (r->latched) {
		dip = r->peer_ip;
		dport = r->peer_port;
	} else if (sl->media.family == 4 && sl->media.port) {
		memcpy(&dip, sl->media.ip, 4);
		dport = sl->media.port;
	} else {
		return 0; /* nowhere to send yet: the frame is skipped, time goes on */
	}
	if (sl->hold) {
		r->tx_ts += 160;
		return 0; /* sendonly/inactive from the far end: keep time, send nothing */
	}
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->ctx->pool);
	if (!m) {
		vox_stats_drop(lc->st, VOX_DROP_no_mbuf, 1);
		return 0;
	}
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, RTP_HDR_LEN + VOX_POOL_G711_BYTES);
	struct rtp_build b = {.pt = (uint8_t)(fmt == VOX_POOL_PCMA ? 8 : 0), .marker = r->marker,
			      .seq = r->tx_seq++, .ts = r->tx_ts, .ssrc = r->tx_ssrc};
	r->tx_ts += 160;
	r->marker = 0;
	rtp_build_hdr(p, RTP_HDR_LEN, &b);
	memcpy(p + RTP_HDR_LEN, frame, VOX_POOL_G711_BYTES);
	if (sl->srtp && dp_srtp_tx(lc, (uint32_t)(leg - lc->legs), m) != 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	if (net_udp_output(&lc->net, m, sl->rtp_port, dip, dport, lc->now_tsc) == 0) {
		r->tx++;
		lc->st->rtp_tx++;
	}
	return 0;
}

void dp_play_tick(struct dp_lcore *lc, uint64_t now_tsc)
{
	struct dp_sip *s = lc->sip;
	if (!s)
		return;
	uint64_t t = tick_tsc(lc);
	if (!s->next_tick_tsc) {
		/* first tick: the next boundary of the shared epoch */
		uint64_t e = lc->ctx->tick_epoch_tsc;
		s->next_tick_tsc = now_tsc <= e ? e : e + ((now_tsc - e) / t + 1) * t;
	}
	if (now_tsc < s->next_tick_tsc)
		return;
	uint64_t behind = (now_tsc - s->next_tick_tsc) / t;
	if (behind) {
		lc->st->media_tick_slips += behind;
		s->next_tick_tsc += behind * t;
	}
	s->next_tick_tsc += t;
	lc->st->media_ticks++;
	dp_term_tick(lc, s->next_tick_tsc - t); /* tones, DTMF, collect, record: same boundary */
	dp_media_sweep(lc, now_tsc); /* RTCP, RTP inactivity (dp_rtcp.c) */
	if (s->play_head == DP_PLAY_NONE)
		return;
	const struct vox_pool_hdr *pool = vox_pool_of(lc->ctx->shm.hdr);
	if (atomic_load_explicit(&pool->magic, memory_order_acquire) != VOX_POOL_MAGIC)
		return;
	for (uint32_t slot = s->play_head, next; slot != DP_PLAY_NONE; slot = next) {
		struct dp_rtpleg *r = &s->rtp[slot];
		next = r->play_next;
		struct dp_leg *leg = &lc->legs[slot];
		int32_t st = 0;
		if (play_one(lc, pool, leg, r, &st))
			play_done(lc, leg, st);
		else if (r->tx % 25 == 1)
			dp_leg_mirror_tx(lc, leg, (uint32_t)r->tx);
	}
}
