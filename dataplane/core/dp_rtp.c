/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_rtp.c — RTP/RTCP receive on the owning lcore: leg by port (no lookup table), symmetric
 * latching that never follows a stray packet, RFC 3550 receive statistics into the leg mirror. */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dp_bridge.h"
#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "dp_media.h"
#include "rtp.h"

/*
 * The port names the leg: pair k = (port - rtp_port_min) / 2 belongs to worker k % n and to
 * slot k / n (dp_rtp_port). A leg latches onto the source of its first valid RTP packet;
 * afterwards a different source must send DP_RTP_RELATCH consecutive valid packets before the
 * leg follows it (a restarted phone, a NAT rebinding), so a single stray packet never moves the
 * stream (RTP bleed). Statistics follow RFC 3550 A.1/A.8 per SSRC; the mirror gets them every
 * DP_RTP_MIRROR_EVERY packets. This is the receive half of the media issue: playout, bridging,
 * recording and SRTP come next.
 */
#define DP_RTP_RELATCH 5
#define DP_RTP_MIRROR_EVERY 25

void dp_rtp_leg_reset(struct dp_lcore *lc, uint32_t slot)
{
	memset(&lc->sip->rtp[slot], 0, sizeof(lc->sip->rtp[slot]));
}

static void rtp_mirror(struct dp_lcore *lc, struct dp_leg *leg, struct dp_rtpleg *r)
{
	int32_t lost = r->have_src ? rtp_source_lost(&r->src) : 0;
	/* jitter is kept in 8 kHz timestamp units: 125 us each */
	uint32_t jit = r->have_src ? rtp_source_jitter_ts(&r->src) * 125u : 0;
	dp_leg_mirror_quality(lc, leg, (uint32_t)r->rx, lost < 0 ? 0 : (uint32_t)lost, jit);
}

void dp_rtp_input(struct dp_lcore *lc, struct rte_mbuf *m, uint64_t now_tsc)
{
	const struct dp_cfg *cfg = &lc->ctx->cfg;
	const struct rte_udp_hdr *u =
		rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l2_len + m->l3_len);
	uint32_t port = rte_be_to_cpu_16(u->dst_port);
	uint32_t k = (port - cfg->rtp_port_min) / 2u;
	uint32_t slot = dp_div_workers(lc, k);
	struct dp_leg *leg = slot < lc->max_legs ? &lc->legs[slot] : NULL;
	if (!lc->sip || !leg || leg->state == VOX_LEG_FREE || leg->free_after_emit ||
	    leg->kind == VOX_LEG_KIND_LOOPBACK || lc->sip->legs[slot].rtp_port != (port & ~1u)) {
		vox_stats_drop(lc->st, VOX_DROP_rtp_no_leg, 1);
		rte_pktmbuf_free(m);
		return;
	}
	struct dp_rtpleg *r = &lc->sip->rtp[slot];
	if (port & 1u) {
		lc->st->rtcp_rx++;
		dp_rtcp_input(lc, leg, m); /* SRTCP unprotect, reports, RTT (dp_rtcp.c) */
		return;
	}
	uint32_t hl = m->l2_len + m->l3_len + m->l4_len;
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, hl);
	size_t plen = rte_pktmbuf_data_len(m) - hl;
	/* SRTP: authenticate before anything else, so only an authenticated packet can latch */
	if (lc->sip->legs[slot].srtp) {
		if (dp_srtp_rx(lc, slot, p, &plen, 0) != 0) {
			rte_pktmbuf_free(m);
			return;
		}
		/* the plain packet without its tag: what a bridge relays */
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - hl - plen));
	}
	struct rtp_hdr h;
	if (rtp_parse(p, plen, &h) != RTP_ERR_OK) {
		vox_stats_drop(lc->st, VOX_DROP_rtp_bad, 1);
		rte_pktmbuf_free(m);
		return;
	}
	uint32_t sip = net_udp_src_ip(m);
	uint16_t sport = net_udp_src_port(m);
	if (!r->latched) {
		r->latched = 1;
		r->peer_ip = sip;
		r->peer_port = sport;
	} else if (sip != r->peer_ip || sport != r->peer_port) {
		if (sip == r->cand_ip && sport == r->cand_port) {
			r->cand_n++;
		} else {
			r->cand_ip = sip;
			r->cand_port = sport;
			r->cand_n = 1;
		}
		if (r->cand_n < DP_RTP_RELATCH) {
			vox_stats_drop(lc->st, VOX_DROP_rtp_stray, 1);
			rte_pktmbuf_free(m);
			return;
		}
		r->peer_ip = sip;
		r->peer_port = sport;
		r->cand_n = 0;
		r->have_src = 0; /* a new source restarts the statistics */
		lc->st->rtp_relatch++;
	}
	r->cand_n = sip == r->peer_ip && sport == r->peer_port ? 0 : r->cand_n;
	/* arrival in 8 kHz units from the TSC (G.711 clock) */
	if (now_tsc != lc->sip->arr_tsc) { /* once per burst: the packets of a turn share now_tsc */
		lc->sip->arr_tsc = now_tsc;
		lc->sip->arr_8k = (uint32_t)((__uint128_t)now_tsc * 8000u / lc->tsc_hz);
	}
	uint32_t arrival = lc->sip->arr_8k;
	if (!r->have_src || h.ssrc != r->ssrc) {
		rtp_source_init(&r->src, h.ssrc, h.seq);
		r->ssrc = h.ssrc;
		r->have_src = 1;
	}
	rtp_source_rx(&r->src, h.seq, h.ts, arrival);
	r->rx++;
	lc->st->rtp_rx++;
	dp_term_rtp(lc, leg, r, &h, p, now_tsc); /* DTMF, and the jitter buffer of terminating media */
	if (r->rx % DP_RTP_MIRROR_EVERY == 1)
		rtp_mirror(lc, leg, r);
	if (r->br_state == DP_BR_ACTIVE) {
		dp_bridge_rx(lc, leg, m, hl, now_tsc); /* relayed to the bridged peer (dp_bridge.c) */
		return;
	}
	rte_pktmbuf_free(m);
}
