/* SPDX-License-Identifier: BSD-3-Clause */
/* legq.c — RTCP schedule and reports, peer-reported quality, RTP inactivity (see legq.h). */
#include <errno.h>
#include <string.h>

#include "legq.h"

#define LEGQ_NTP_UNIX 2208988800ull /* seconds from 1900 to 1970 */
#define LEGQ_RTT_SLACK_Q16 197      /* 3 ms in 1/65536 s */

uint64_t legq_ntp_from_ns(uint64_t ns)
{
	uint64_t sec = ns / 1000000000u + LEGQ_NTP_UNIX;
	uint64_t frac = ((ns % 1000000000u) << 32) / 1000000000u;
	return sec << 32 | frac;
}

uint32_t legq_rtcp_interval_ms(uint32_t base_ms, uint32_t rnd)
{
	/* base * (0.5 + rnd / 2^32) / 1.21828 */
	uint64_t t = (uint64_t)base_ms * ((1ull << 31) + rnd) >> 32;
	return (uint32_t)(t * 100000u / 121828u);
}

void legq_start(struct legq *q, uint64_t rx_count, uint64_t now_ms, uint32_t base_ms, uint32_t rnd)
{
	memset(q, 0, sizeof(*q));
	q->rx_seen = rx_count;
	q->rx_seen_ms = now_ms;
	q->next_rtcp_ms = now_ms + legq_rtcp_interval_ms(base_ms / 2u, rnd);
}

int legq_timeout_check(struct legq *q, uint64_t rx_count, uint64_t now_ms, uint32_t timeout_ms)
{
	if (rx_count != q->rx_seen) {
		q->rx_seen = rx_count;
		q->rx_seen_ms = now_ms;
		q->timed_out = 0;
		return 0;
	}
	if (!timeout_ms || q->timed_out || now_ms - q->rx_seen_ms < timeout_ms)
		return 0;
	q->timed_out = 1;
	return 1;
}

int legq_rtcp_due(struct legq *q, uint64_t now_ms, uint32_t base_ms, uint32_t rnd)
{
	if (now_ms < q->next_rtcp_ms)
		return 0;
	q->next_rtcp_ms = now_ms + legq_rtcp_interval_ms(base_ms, rnd);
	return 1;
}

int legq_build_report(uint8_t *buf, size_t cap, const struct legq_tx *tx, struct rtp_source *src,
		      uint64_t ntp, const char *cname)
{
	struct rtcp_report_block rb;
	unsigned n_rb = 0;
	if (src) {
		rtp_source_report(src, rtcp_ntp_mid32(ntp), &rb);
		n_rb = 1;
	}
	int n;
	if (tx->packets) {
		struct rtcp_sr sr = {.ssrc = tx->ssrc, .ntp = ntp, .rtp_ts = tx->rtp_ts,
				     .pkt_count = (uint32_t)tx->packets, .octet_count = (uint32_t)tx->octets};
		n = rtcp_build_sr(buf, cap, &sr, &rb, n_rb);
	} else {
		n = rtcp_build_rr(buf, cap, tx->ssrc, &rb, n_rb);
	}
	if (n < 0)
		return n;
	int m = rtcp_build_sdes_cname(buf + n, cap - (size_t)n, tx->ssrc, cname, strlen(cname));
	if (m < 0)
		return m;
	return n + m;
}

int legq_build_bye(uint8_t *buf, size_t cap, const struct legq_tx *tx, struct rtp_source *src, uint64_t ntp,
		   const char *cname)
{
	int n = legq_build_report(buf, cap, tx, src, ntp, cname);
	if (n < 0)
		return n;
	int m = rtcp_build_bye(buf + n, cap - (size_t)n, &tx->ssrc, 1, NULL, 0);
	return m < 0 ? m : n + m;
}

int legq_rtcp_rx(struct legq *q, const struct rtcp_info *in, uint32_t our_ssrc, struct rtp_source *src,
		 uint64_t ntp)
{
	uint32_t now = rtcp_ntp_mid32(ntp);
	if (in->has_sr && src)
		rtp_source_sr_rx(src, in->sr.ntp, now);
	for (unsigned i = 0; i < in->n_rb; i++) {
		const struct rtcp_report_block *b = &in->rb[i];
		if (b->ssrc != our_ssrc)
			continue;
		q->reports_rx++;
		q->peer_frac = b->fraction_lost;
		q->peer_lost = b->cum_lost < 0 ? 0 : (uint32_t)b->cum_lost;
		q->peer_jitter_us = b->jitter > UINT32_MAX / 125u ? UINT32_MAX : b->jitter * 125u;
		int64_t rtt = rtcp_rtt_q16(now, b->lsr, b->dlsr);
		/* peers keep DLSR in coarse units (baresip: ms), so on a LAN whose RTT is below that
		 * rounding the result comes out slightly negative: within the slack it is ~0 */
		if (rtt < 0 && b->lsr && (int32_t)(now - b->lsr - b->dlsr) >= -LEGQ_RTT_SLACK_Q16)
			rtt = 0;
		if (rtt >= 0) {
			q->rtt_us = (uint32_t)((uint64_t)rtt * 1000000u >> 16);
			q->have_rtt = 1;
		}
		return 1;
	}
	return 0;
}
