/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_media.h — per-leg SRTP (dp_srtp.c), RTCP and the media watch (dp_rtcp.c) on the owner. */
#ifndef DP_MEDIA_H
#define DP_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "legq.h"
#include "srtp_leg.h"

struct dp_lcore;
struct dp_leg;
struct dp_rtpleg;
struct rte_mbuf;

/* Media state of a leg beyond receive and playout (slot-indexed, lc->sip->med). */
struct dp_medialeg {
	struct srtp_leg srtp;
	struct legq q;
	uint32_t gen;       /* leg generation the watch belongs to */
	uint8_t watching;   /* the sweep has seen this leg answered */
	uint8_t mflags;     /* enum vox_media_flag, as mirrored */
	uint32_t srtp_fail; /* packets of this leg that failed unprotect */
	uint32_t rtcp_rx, rtcp_tx;
};

/* dp_srtp.c */
/* Command path (ANSWER, 183 with SDP, the 200 of a DIAL, a re-INVITE): create or re-key the
 * leg's sessions when its SDP negotiated RTP/SAVP; a leg whose sessions cannot be made is hung
 * up (NO_RESOURCES). Returns 0 or -errno. */
int dp_srtp_leg_start(struct dp_lcore *lc, struct dp_leg *leg);
/* The slot is released: RTCP BYE (dp_rtcp_leg_gone), then free its sessions. */
void dp_srtp_leg_release(struct dp_lcore *lc, uint32_t slot);
/* Unprotect an SRTP (rtcp = 0) or SRTCP packet of an SRTP leg in place. Returns 0, or -errno
 * when the packet must be dropped (counted: drop_srtp_*). */
int dp_srtp_rx(struct dp_lcore *lc, uint32_t slot, uint8_t *pkt, size_t *len, int rtcp);
/* Protect the RTP packet that m holds from data offset 0 (grows m by the tag). Returns 0, or
 * -errno (counted) and the caller frees m. */
int dp_srtp_tx(struct dp_lcore *lc, uint32_t slot, struct rte_mbuf *m);
/* Our outbound stream's identity (SSRC, first seq and timestamp) if not chosen yet. */
void dp_media_tx_ident(struct dp_lcore *lc, struct dp_leg *leg, struct dp_rtpleg *r);

/* dp_rtcp.c */
/* RTCP datagram for an SRTP or plain leg (port + 1). Consumes m. */
void dp_rtcp_input(struct dp_lcore *lc, struct dp_leg *leg, struct rte_mbuf *m);
/* The slot is released: RTCP BYE if the leg had media (before dp_srtp_leg_release). */
void dp_rtcp_leg_gone(struct dp_lcore *lc, uint32_t slot);
/* From the 20 ms media tick: visit a share of the leg table so every leg is seen every
 * DP_MEDIA_SWEEP_TICKS ticks (500 ms): RTCP reports when due, RTP inactivity, active media legs. */
void dp_media_sweep(struct dp_lcore *lc, uint64_t now_tsc);
#define DP_MEDIA_SWEEP_TICKS 25 /* 500 ms */
/* Copy a leg's media quality into its mirror entry. */
void dp_media_mirror(struct dp_lcore *lc, struct dp_leg *leg, const struct dp_medialeg *ml);

#endif
