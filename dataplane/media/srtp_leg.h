/* SPDX-License-Identifier: BSD-3-Clause */
/* srtp_leg.h — the SRTP state of one call leg: one outbound and one inbound stream. */
#ifndef VOX_MEDIA_SRTP_LEG_H
#define VOX_MEDIA_SRTP_LEG_H

#include <stdint.h>

#include "vsrtp.h"

/*
 * A leg negotiated as RTP/SAVP holds two libsrtp sessions, made on the command path (ANSWER, the
 * 200 of a DIAL): TX for our stream with its specific SSRC, RX as an any-SSRC template for the
 * peer's. libsrtp clones the template into a stream the first time a packet of a new SSRC
 * authenticates (never for a packet that fails authentication, so a flood of forged SSRCs costs
 * no memory). When that happens and the leg already held a stream for another SSRC, the old one
 * is removed: each leg keeps one inbound stream. Every session and stream allocation is counted
 * (allocs) so a peer that keeps changing SSRC shows up in the statistics.
 */
struct srtp_leg {
	struct vsrtp *tx, *rx;
	uint32_t rx_ssrc;  /* SSRC of the inbound stream held (valid when have_rx) */
	uint8_t have_rx;
	uint8_t on;
	uint8_t suite;     /* enum vsrtp_suite */
	uint8_t local[VSRTP_MASTER_LEN], remote[VSRTP_MASTER_LEN];
	uint64_t allocs;   /* sessions created + inbound streams cloned */
	uint64_t frees;    /* sessions destroyed + inbound streams removed */
	uint64_t replaced; /* inbound streams replaced by a new SSRC */
};

/* Start (or restart with new keys) both directions. Same keys and suite: nothing to do.
 * Returns 0 or vsrtp_create's -errno (the leg is then off). */
int srtp_leg_start(struct srtp_leg *l, enum vsrtp_suite suite, const uint8_t local[VSRTP_MASTER_LEN],
		   const uint8_t remote[VSRTP_MASTER_LEN], uint32_t tx_ssrc);
void srtp_leg_stop(struct srtp_leg *l);

/* Inbound RTP/RTCP, in place (*len shrinks). Returns 0 or vsrtp_unprotect's -errno; *new_stream
 * (may be NULL) is set to 1 when this packet started the leg's inbound stream for a new SSRC. */
int srtp_leg_rx_rtp(struct srtp_leg *l, uint8_t *pkt, size_t *len, int *new_stream);
int srtp_leg_rx_rtcp(struct srtp_leg *l, uint8_t *pkt, size_t *len, int *new_stream);
/* Outbound, in place; cap as vsrtp_protect. */
int srtp_leg_tx_rtp(struct srtp_leg *l, uint8_t *pkt, size_t *len, size_t cap);
int srtp_leg_tx_rtcp(struct srtp_leg *l, uint8_t *pkt, size_t *len, size_t cap);

/* Streams held now (0..2 per direction pair: TX 1 when on, RX 0/1). */
static inline unsigned srtp_leg_streams(const struct srtp_leg *l)
{
	return l->on ? 1u + l->have_rx : 0u;
}

#endif
