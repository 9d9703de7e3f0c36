/* SPDX-License-Identifier: BSD-3-Clause */
/* legq.h — a leg's media watch: RTCP report schedule and content, what the peer's reports
 * say (RTT, loss, jitter), and the RTP inactivity timeout. Pure logic, the caller's clocks. */
#ifndef VOX_MEDIA_LEGQ_H
#define VOX_MEDIA_LEGQ_H

#include <stddef.h>
#include <stdint.h>

#include "rtcp.h"
#include "rtp.h"

struct legq {
	uint64_t rx_seen;      /* the leg's RTP receive count at the last look */
	uint64_t rx_seen_ms;   /* when it last changed (or the watch started) */
	uint64_t next_rtcp_ms; /* next report due */
	uint8_t timed_out;     /* inactivity reported; re-armed when RTP flows again */
	uint8_t have_rtt;
	uint8_t peer_frac;     /* fraction lost the peer last reported, /256 */
	uint32_t rtt_us;
	uint32_t peer_lost;    /* cumulative lost the peer reports for our stream (clamped >= 0) */
	uint32_t peer_jitter_us;
	uint32_t reports_rx;   /* report blocks about our stream */
};

/* What we have sent, for an SR. */
struct legq_tx {
	uint32_t ssrc;
	uint64_t packets, octets;
	uint32_t rtp_ts;       /* RTP timestamp corresponding to the report's NTP time */
};

/* Report interval per RFC 3550 6.3.1: uniformly in [0.5, 1.5] x base, divided by e - 3/2 to
 * compensate for timer reconsideration; rnd is any 32-bit random value. */
uint32_t legq_rtcp_interval_ms(uint32_t base_ms, uint32_t rnd);

/* Start watching at now_ms with the leg's current RTP count; first report after half an
 * interval (RFC 3550 6.2: the first report is sent early). */
void legq_start(struct legq *q, uint64_t rx_count, uint64_t now_ms, uint32_t base_ms, uint32_t rnd);

/* Inactivity: returns 1 exactly once when no RTP arrived for timeout_ms (0 = off); RTP that
 * flows again re-arms it. */
int legq_timeout_check(struct legq *q, uint64_t rx_count, uint64_t now_ms, uint32_t timeout_ms);

/* 1 when a report is due (and schedules the next one), else 0. */
int legq_rtcp_due(struct legq *q, uint64_t now_ms, uint32_t base_ms, uint32_t rnd);

/* Build the compound report: SR when tx->packets > 0 else RR, with a report block for src when
 * not NULL (rtp_source_report starts its next interval), then SDES CNAME. ntp is now (32.32).
 * Returns the length or -ENOSPC/-EINVAL. */
int legq_build_report(uint8_t *buf, size_t cap, const struct legq_tx *tx, struct rtp_source *src,
		      uint64_t ntp, const char *cname);

/* The last report of a stream (RFC 3550 6.6): the compound above followed by a BYE for tx->ssrc.
 * Returns the length or -ENOSPC/-EINVAL. */
int legq_build_bye(uint8_t *buf, size_t cap, const struct legq_tx *tx, struct rtp_source *src, uint64_t ntp,
		   const char *cname);

/* A parsed report from the peer arrived at ntp: an SR is recorded in src (for our LSR/DLSR,
 * src may be NULL), a report block about our_ssrc gives RTT, loss and jitter (8 kHz clock).
 * Returns 1 when such a block was used, else 0. */
int legq_rtcp_rx(struct legq *q, const struct rtcp_info *in, uint32_t our_ssrc, struct rtp_source *src,
		 uint64_t ntp);

/* CLOCK_REALTIME nanoseconds to a 32.32 NTP timestamp. */
uint64_t legq_ntp_from_ns(uint64_t ns);

#endif
