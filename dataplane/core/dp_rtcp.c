/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_rtcp.c — RTCP on legs (SR/RR out every ~rtcp_interval_ms, reports in: RTT, the peer's view
 * of loss and jitter), the RTP inactivity timeout, and the media quality in the leg mirror. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dp_lcore.h"
#include "dp_media.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"

/*
 * No timer per leg and nothing per packet: the 20 ms media tick (dp_play.c) calls
 * dp_media_sweep, which visits max_legs / DP_MEDIA_SWEEP_TICKS slots a tick (656 with the dev
 * table of 16384), so every answered leg is looked at every 500 ms. A look compares the leg's RTP
 * receive count with the last one (legq_timeout_check), sends a report when its randomized interval is up (legq_rtcp_due), and
 * counts the leg in media_legs. The inactivity timeout is therefore precise to 500 ms. Legs the
 * far end put on hold (sendonly/inactive) are not timed out. Reports go to the latched source's
 * port + 1, else to the SDP address's port + 1 (a=rtcp and rtcp-mux are not used yet).
 */
#define DP_RTCP_BUF 256

static uint32_t media_rand(struct dp_sip *s)
{
	uint64_t x = s->med_rng ? s->med_rng : (s->seed | 1u);
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->med_rng = x;
	return (uint32_t)(x >> 16);
}

void dp_media_mirror(struct dp_lcore *lc, struct dp_leg *leg, const struct dp_medialeg *ml)
{
	struct vox_leg_mirror *e = &lc->mirror[leg - lc->legs];
	vox_mirror_write_begin(e);
	e->rtt_us = ml->q.have_rtt ? ml->q.rtt_us : 0;
	e->peer_lost = ml->q.peer_lost;
	e->peer_jitter_us = ml->q.peer_jitter_us;
	e->peer_loss_frac = ml->q.peer_frac;
	e->media_flags = ml->mflags | (ml->q.have_rtt ? VOX_MEDIA_HAVE_RTT : 0) |
			 (ml->q.timed_out ? VOX_MEDIA_TIMEOUT : 0);
	e->srtp_fail = ml->srtp_fail;
	e->rtcp_rx = ml->rtcp_rx;
	e->rtcp_tx = ml->rtcp_tx;
	vox_mirror_write_end(e);
}

void dp_rtcp_input(struct dp_lcore *lc, struct dp_leg *leg, struct rte_mbuf *m)
{
	uint32_t slot = (uint32_t)(leg - lc->legs);
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	struct dp_medialeg *ml = &lc->sip->med[slot];
	struct dp_rtpleg *r = &lc->sip->rtp[slot];
	if (r->latched && net_udp_src_ip(m) != r->peer_ip) {
		/* reports only from the host the media is latched to: strays cannot fake quality */
		vox_stats_drop(lc->st, VOX_DROP_rtp_stray, 1);
		rte_pktmbuf_free(m);
		return;
	}
	uint32_t hl = m->l2_len + m->l3_len + m->l4_len;
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, hl);
	size_t len = rte_pktmbuf_data_len(m) - hl;
	if (sl->srtp && dp_srtp_rx(lc, slot, p, &len, 1) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	struct rtcp_info in;
	if (rtcp_parse(p, len, &in) != RTCP_ERR_OK) {
		vox_stats_drop(lc->st, VOX_DROP_rtcp_bad, 1);
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_free(m);
	ml->rtcp_rx++;
	uint64_t ntp = legq_ntp_from_ns(dp_now_ns(lc, lc->now_tsc));
	/* an SR of the stream we receive feeds our LSR/DLSR; reports about our stream give RTT */
	struct rtp_source *src = r->have_src && in.has_sr && in.sr.ssrc == r->ssrc ? &r->src : NULL;
	if (legq_rtcp_rx(&ml->q, &in, r->tx_ssrc, src, ntp))
		lc->st->rtt_reports++;
	dp_media_mirror(lc, leg, ml);
}

static void rtcp_send(struct dp_lcore *lc, struct dp_leg *leg, uint32_t slot, uint64_t now_ns, int bye)
{
	struct dp_sip *s = lc->sip;
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	struct dp_rtpleg *r = &s->rtp[slot];
	struct dp_medialeg *ml = &s->med[slot];
	uint32_t dip;
	uint16_t dport;
	if (r->latched) {
		dip = r->peer_ip;
		dport = r->peer_port;
	} else if (sl->media.family == 4 && sl->media.port) {
		memcpy(&dip, sl->media.ip, 4);
		dport = sl->media.port;
	} else {
		lc->st->rtcp_tx_fail++;
		return;
	}
	dport = (uint16_t)(dport + 1);
	dp_media_tx_ident(lc, leg, r);
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->ctx->pool);
	uint8_t *p = m ? (uint8_t *)rte_pktmbuf_append(m, DP_RTCP_BUF) : NULL;
	if (!p) {
		if (m)
			rte_pktmbuf_free(m);
		vox_stats_drop(lc->st, VOX_DROP_no_mbuf, 1);
		lc->st->rtcp_tx_fail++;
		return;
	}
	char cname[48];
	uint32_t ip = lc->net.ifc->ip;
	const uint8_t *b = (const uint8_t *)&ip;
	/* "vx<worker>.<slot>@a.b.c.d": unique per stream of this node */
	int cl = snprintf(cname, sizeof(cname), "vx%u.%u@%u.%u.%u.%u", lc->widx, slot, b[0], b[1], b[2], b[3]);
	(void)cl;
	struct legq_tx tx = {.ssrc = r->tx_ssrc, .packets = r->tx, .octets = r->tx * 160u, .rtp_ts = r->tx_ts};
	int n = (bye ? legq_build_bye : legq_build_report)(p, DP_RTCP_BUF - VSRTP_RTCP_TRAILER_MAX, &tx,
							    r->have_src ? &r->src : NULL,
							    legq_ntp_from_ns(now_ns), cname);
	size_t len = n > 0 ? (size_t)n : 0;
	if (n <= 0 || (sl->srtp && srtp_leg_tx_rtcp(&ml->srtp, p, &len, DP_RTCP_BUF) != 0)) {
		rte_pktmbuf_free(m);
		lc->st->rtcp_tx_fail++;
		return;
	}
	if (sl->srtp)
		lc->st->srtp_protected++;
	rte_pktmbuf_trim(m, (uint16_t)(DP_RTCP_BUF - len));
	if (net_udp_output(&lc->net, m, (uint16_t)(sl->rtp_port + 1), dip, dport, lc->now_tsc) == 0) {
		ml->rtcp_tx++;
		lc->st->rtcp_tx++;
		lc->st->rtcp_bye_tx += (uint64_t)bye;
	} else {
		lc->st->rtcp_tx_fail++;
	}
}

static void media_look(struct dp_lcore *lc, uint32_t slot, uint64_t now_ns)
{
	struct dp_sip *s = lc->sip;
	struct dp_leg *leg = &lc->legs[slot];
	struct dp_medialeg *ml = &s->med[slot];
	/* only answered legs; `watching` stays set through ENDING (the slot's release sends the
	 * BYE and clears it) and a reused slot is told apart by its generation */
	if (leg->state != VOX_LEG_ANSWERED || leg->free_after_emit || leg->kind == VOX_LEG_KIND_LOOPBACK)
		return;
	const struct dp_cfg *cfg = &lc->ctx->cfg;
	struct dp_sipleg *sl = &s->legs[slot];
	struct dp_rtpleg *r = &s->rtp[slot];
	uint64_t now_ms = now_ns / 1000000u;
	if (!ml->watching || ml->gen != leg->gen) {
		legq_start(&ml->q, r->rx, now_ms, cfg->rtcp_interval_ms, media_rand(s));
		ml->watching = 1;
		ml->gen = leg->gen;
	}
	s->med_n++;
	uint8_t was = ml->q.timed_out;
	if (legq_timeout_check(&ml->q, r->rx, now_ms, sl->hold ? 0 : cfg->rtp_timeout_ms)) {
		lc->st->media_timeouts++;
		uint64_t quiet = now_ms - ml->q.rx_seen_ms;
		dp_leg_state_event(lc, leg, VOX_EVT_LEG_MEDIA_TIMEOUT, (int32_t)(quiet > INT32_MAX ? INT32_MAX : quiet));
	}
	if (was != ml->q.timed_out)
		dp_media_mirror(lc, leg, ml);
	if (legq_rtcp_due(&ml->q, now_ms, cfg->rtcp_interval_ms, media_rand(s))) {
		rtcp_send(lc, leg, slot, now_ns, 0);
		dp_media_mirror(lc, leg, ml);
	}
}

void dp_rtcp_leg_gone(struct dp_lcore *lc, uint32_t slot)
{
	struct dp_medialeg *ml = &lc->sip->med[slot];
	/* a leg the sweep saw answered leaves with RTCP BYE (RFC 3550 6.6) if it ever sent RTP or
	 * RTCP (6.3.7: never otherwise); before the SRTP sessions go, so an SRTP leg's is SRTCP */
	if (ml->watching && (lc->sip->rtp[slot].tx || ml->rtcp_tx))
		rtcp_send(lc, &lc->legs[slot], slot, dp_now_ns(lc, lc->now_tsc), 1);
	ml->watching = 0;
}

void dp_media_sweep(struct dp_lcore *lc, uint64_t now_tsc)
{
	struct dp_sip *s = lc->sip;
	if (!s || !s->med)
		return;
	uint64_t now_ns = dp_now_ns(lc, now_tsc);
	uint32_t chunk = lc->max_legs / DP_MEDIA_SWEEP_TICKS + 1;
	for (uint32_t i = 0; i < chunk; i++) {
		media_look(lc, s->med_cursor, now_ns);
		if (++s->med_cursor >= lc->max_legs) {
			s->med_cursor = 0;
			lc->st->media_legs = s->med_n;
			s->med_n = 0;
		}
	}
}
