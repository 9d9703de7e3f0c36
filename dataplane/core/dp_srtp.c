/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_srtp.c — SRTP on legs: sessions made on the command path, unprotect before latching,
 * protect at TX, counted failures and stream allocations. */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dp_lcore.h"
#include "dp_media.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"

/*
 * A leg whose SDP negotiated RTP/SAVP (dp_sipleg.srtp, keys in srtp_local/srtp_remote, the
 * suite in srtp_suite) gets its two libsrtp sessions here when control answers it (or its DIAL
 * is answered): libsrtp allocates, which the packet path never does except for the one clone
 * of the inbound template per new peer SSRC (srtp_leg.c), counted in srtp_sessions. Packets of
 * an SRTP leg that fail authentication or the replay check are dropped and counted before they
 * can move the latch (dp_rtp.c unprotects first), so only an authenticated packet latches.
 */

void dp_media_tx_ident(struct dp_lcore *lc, struct dp_leg *leg, struct dp_rtpleg *r)
{
	if (r->tx_ssrc)
		return;
	/* as dp_play.c does on the first PLAY: random-looking, never 0, stable for the leg */
	uint64_t x = (dp_leg_handle(lc, leg) ^ lc->sip->seed) * 0x9e3779b97f4a7c15ull;
	r->tx_ssrc = (uint32_t)(x >> 32) | 1u;
	r->tx_seq = (uint16_t)x;
	r->tx_ts = (uint32_t)(x >> 16);
}

static void srtp_account(struct dp_lcore *lc, struct srtp_leg *l, uint64_t allocs0, uint64_t frees0)
{
	lc->st->srtp_sessions += l->allocs - allocs0;
	lc->st->srtp_freed += l->frees - frees0;
}

int dp_srtp_leg_start(struct dp_lcore *lc, struct dp_leg *leg)
{
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	uint32_t slot = (uint32_t)(leg - lc->legs);
	struct dp_medialeg *ml = &lc->sip->med[slot];
	if (!sl->srtp)
		return 0;
	struct dp_rtpleg *r = &lc->sip->rtp[slot];
	dp_media_tx_ident(lc, leg, r);
	uint8_t was_on = ml->srtp.on;
	uint64_t a0 = ml->srtp.allocs, f0 = ml->srtp.frees;
	enum vsrtp_suite suite = sl->srtp_suite == SIP_SDP_AES_CM_128_HMAC_SHA1_32 ? VSRTP_AES_CM_128_HMAC_SHA1_32
										      : VSRTP_AES_CM_128_HMAC_SHA1_80;
	int rc = srtp_leg_start(&ml->srtp, suite, sl->srtp_local, sl->srtp_remote, r->tx_ssrc);
	srtp_account(lc, &ml->srtp, a0, f0);
	if (was_on && !ml->srtp.on)
		lc->st->srtp_legs--;
	if (rc < 0) {
		lc->st->srtp_setup_fail++;
		dp_sip_leg_hangup(lc, leg, VOX_CAUSE_MEDIA, 500);
		return rc;
	}
	if (!was_on)
		lc->st->srtp_legs++;
	ml->mflags |= VOX_MEDIA_SRTP;
	dp_media_mirror(lc, leg, ml);
	return 0;
}

void dp_srtp_leg_release(struct dp_lcore *lc, uint32_t slot)
{
	if (!lc->sip || !lc->sip->med)
		return;
	dp_rtcp_leg_gone(lc, slot);
	struct dp_medialeg *ml = &lc->sip->med[slot];
	if (ml->srtp.on)
		lc->st->srtp_legs--;
	uint64_t a0 = ml->srtp.allocs, f0 = ml->srtp.frees;
	srtp_leg_stop(&ml->srtp);
	srtp_account(lc, &ml->srtp, a0, f0);
	memset(ml, 0, sizeof(*ml)); /* keys too */
	dp_media_mirror(lc, &lc->legs[slot], ml); /* the slot's next leg starts with clean quality */
}

int dp_srtp_rx(struct dp_lcore *lc, uint32_t slot, uint8_t *pkt, size_t *len, int rtcp)
{
	struct dp_medialeg *ml = &lc->sip->med[slot];
	uint64_t a0 = ml->srtp.allocs, f0 = ml->srtp.frees, r0 = ml->srtp.replaced;
	int rc = rtcp ? srtp_leg_rx_rtcp(&ml->srtp, pkt, len, NULL) : srtp_leg_rx_rtp(&ml->srtp, pkt, len, NULL);
	if (rc == 0) {
		lc->st->srtp_ok++;
		if (ml->srtp.allocs != a0) {
			srtp_account(lc, &ml->srtp, a0, f0);
			lc->st->srtp_ssrc_changes += ml->srtp.replaced - r0;
		}
		return 0;
	}
	ml->srtp_fail++;
	lc->st->srtp_fail++;
	vox_stats_drop(lc->st, rc == -EBADMSG ? VOX_DROP_srtp_auth : rc == -EALREADY ? VOX_DROP_srtp_replay
										   : VOX_DROP_srtp_other, 1);
	return rc;
}

int dp_srtp_tx(struct dp_lcore *lc, uint32_t slot, struct rte_mbuf *m)
{
	struct dp_medialeg *ml = &lc->sip->med[slot];
	size_t len = rte_pktmbuf_data_len(m);
	if (!rte_pktmbuf_append(m, VSRTP_RTP_TRAILER_MAX)) {
		vox_stats_drop(lc->st, VOX_DROP_tx_bad, 1);
		return -ENOSPC;
	}
	int rc = srtp_leg_tx_rtp(&ml->srtp, rte_pktmbuf_mtod(m, uint8_t *), &len, len + VSRTP_RTP_TRAILER_MAX);
	if (rc < 0) {
		vox_stats_drop(lc->st, VOX_DROP_srtp_other, 1);
		lc->st->srtp_fail++;
		return rc;
	}
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - len));
	lc->st->srtp_protected++;
	return 0;
}
