/* SPDX-License-Identifier: BSD-3-Clause */
/* srtp_leg.c — one leg's SRTP: TX session with our SSRC, RX template keeping one stream. */
#include <errno.h>
#include <string.h>

#include "srtp_leg.h"

void srtp_leg_stop(struct srtp_leg *l)
{
	if (l->tx) {
		vsrtp_destroy(l->tx);
		l->frees++;
	}
	if (l->rx) {
		vsrtp_destroy(l->rx); /* with the stream it cloned, if any */
		l->frees += 1u + l->have_rx;
	}
	l->tx = l->rx = NULL;
	l->have_rx = 0;
	l->on = 0;
}

int srtp_leg_start(struct srtp_leg *l, enum vsrtp_suite suite, const uint8_t local[VSRTP_MASTER_LEN],
		   const uint8_t remote[VSRTP_MASTER_LEN], uint32_t tx_ssrc)
{
	if (l->on && l->suite == suite && memcmp(l->local, local, VSRTP_MASTER_LEN) == 0 &&
	    memcmp(l->remote, remote, VSRTP_MASTER_LEN) == 0)
		return 0;
	srtp_leg_stop(l);
	struct vsrtp_cfg tx = {.suite = suite, .dir = VSRTP_TX, .ssrc = tx_ssrc};
	struct vsrtp_cfg rx = {.suite = suite, .dir = VSRTP_RX, .any_ssrc = true};
	memcpy(tx.master, local, VSRTP_MASTER_LEN);
	memcpy(rx.master, remote, VSRTP_MASTER_LEN);
	int rc = vsrtp_create(&l->tx, &tx);
	if (rc < 0) {
		l->tx = NULL;
		return rc;
	}
	l->allocs++;
	rc = vsrtp_create(&l->rx, &rx);
	if (rc < 0) {
		l->rx = NULL;
		srtp_leg_stop(l);
		return rc;
	}
	l->allocs++;
	memset(tx.master, 0, sizeof(tx.master));
	memset(rx.master, 0, sizeof(rx.master));
	l->suite = (uint8_t)suite;
	memcpy(l->local, local, VSRTP_MASTER_LEN);
	memcpy(l->remote, remote, VSRTP_MASTER_LEN);
	l->on = 1;
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An authenticated packet of ssrc arrived: keep its stream as the leg's only inbound one. */
static void rx_stream(struct srtp_leg *l, uint32_t ssrc, int *new_stream)
{
	if (l->have_rx && ssrc == l->rx_ssrc)
		return;
	l->allocs++; /* libsrtp cloned the template for this SSRC */
	if (l->have_rx && vsrtp_remove_stream(l->rx, l->rx_ssrc) == 0) {
		l->frees++;
		l->replaced++;
	}
	l->rx_ssrc = ssrc;
	l->have_rx = 1;
	if (new_stream)
		*new_stream = 1;
}

int srtp_leg_rx_rtp(struct srtp_leg *l, uint8_t *pkt, size_t *len, int *new_stream)
{
	if (!l->on)
		return -ENOTCONN;
	if (*len < 12)
		return -EINVAL;
	uint32_t ssrc = be32(pkt + 8);
	int rc = vsrtp_unprotect(l->rx, pkt, len);
	if (rc == 0)
		rx_stream(l, ssrc, new_stream);
	return rc;
}

int srtp_leg_rx_rtcp(struct srtp_leg *l, uint8_t *pkt, size_t *len, int *new_stream)
{
	if (!l->on)
		return -ENOTCONN;
	if (*len < 8)
		return -EINVAL;
	uint32_t ssrc = be32(pkt + 4);
	int rc = vsrtp_unprotect_rtcp(l->rx, pkt, len);
	if (rc == 0)
		rx_stream(l, ssrc, new_stream);
	return rc;
}

int srtp_leg_tx_rtp(struct srtp_leg *l, uint8_t *pkt, size_t *len, size_t cap)
{
	return l->on ? vsrtp_protect(l->tx, pkt, len, cap) : -ENOTCONN;
}

int srtp_leg_tx_rtcp(struct srtp_leg *l, uint8_t *pkt, size_t *len, size_t cap)
{
	return l->on ? vsrtp_protect_rtcp(l->tx, pkt, len, cap) : -ENOTCONN;
}
