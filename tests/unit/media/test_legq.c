/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: the leg media watch (legq.c) — RTCP interval, report content, RTT/loss/jitter from
 * the peer's report blocks, RTP inactivity timeout, NTP time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "legq.h"

static void interval(void **state)
{
	(void)state;
	/* uniform in [0.5, 1.5] x base, / (e - 3/2) */
	assert_int_equal(legq_rtcp_interval_ms(5000, 0), 2052);          /* 2500 / 1.21828 */
	assert_int_equal(legq_rtcp_interval_ms(5000, 1u << 31), 4104);   /* 5000 / 1.21828 */
	assert_in_range(legq_rtcp_interval_ms(5000, UINT32_MAX), 6155, 6157);
	uint32_t lo = UINT32_MAX, hi = 0;
	uint32_t r = 1;
	for (int i = 0; i < 10000; i++, r = r * 1664525u + 1013904223u) {
		uint32_t t = legq_rtcp_interval_ms(1000, r);
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	assert_true(lo >= 410 && hi <= 1232);
	/* the first report comes after half an interval; then every interval */
	struct legq q;
	legq_start(&q, 7, 10000, 5000, 0);
	assert_int_equal(q.next_rtcp_ms, 10000 + 1026);
	assert_int_equal(legq_rtcp_due(&q, 11025, 5000, 0), 0);
	assert_int_equal(legq_rtcp_due(&q, 11026, 5000, 0), 1);
	assert_int_equal(q.next_rtcp_ms, 11026 + 2052);
	assert_int_equal(legq_rtcp_due(&q, 11027, 5000, 0), 0);
}

static void timeout(void **state)
{
	(void)state;
	struct legq q;
	legq_start(&q, 0, 0, 5000, 0);
	assert_int_equal(legq_timeout_check(&q, 0, 1000, 1500), 0);
	assert_int_equal(legq_timeout_check(&q, 0, 1499, 1500), 0);
	assert_int_equal(legq_timeout_check(&q, 0, 1500, 1500), 1); /* exactly once */
	assert_int_equal(q.timed_out, 1);
	assert_int_equal(legq_timeout_check(&q, 0, 1700, 1500), 0);
	assert_int_equal(legq_timeout_check(&q, 0, 90000, 1500), 0);
	/* RTP again: re-armed from the moment it was seen */
	assert_int_equal(legq_timeout_check(&q, 3, 100000, 1500), 0);
	assert_int_equal(q.timed_out, 0);
	assert_int_equal(legq_timeout_check(&q, 9, 101000, 1500), 0);
	assert_int_equal(legq_timeout_check(&q, 9, 102499, 1500), 0);
	assert_int_equal(legq_timeout_check(&q, 9, 102500, 1500), 1);
	/* 0 = off, however long the silence */
	legq_start(&q, 0, 0, 5000, 0);
	assert_int_equal(legq_timeout_check(&q, 0, 86400000, 0), 0);
}

static void ntp(void **state)
{
	(void)state;
	assert_true(legq_ntp_from_ns(0) == 2208988800ull << 32);
	assert_true(legq_ntp_from_ns(1500000000ull) == ((2208988801ull << 32) | 0x80000000u));
	/* middle 32 bits tick in 1/65536 s */
	uint64_t a = legq_ntp_from_ns(1000000000000ull), b = legq_ntp_from_ns(1000000000000ull + 250000000ull);
	assert_int_equal(rtcp_ntp_mid32(b) - rtcp_ntp_mid32(a), 16384);
}

static void report(void **state)
{
	(void)state;
	uint8_t buf[256];
	struct rtcp_info in;
	struct rtp_source src;
	rtp_source_init(&src, 0xabcdef, 100);
	for (uint16_t s = 100; s < 200; s++)
		if (s % 10) /* 10 % loss */
			rtp_source_rx(&src, s, s * 160u, s * 160u);
	uint64_t now = legq_ntp_from_ns(2000000000000ull);
	/* nothing sent yet: RR with one block and our CNAME */
	struct legq_tx tx = {.ssrc = 0x1111};
	int n = legq_build_report(buf, sizeof(buf), &tx, &src, now, "vx0.1@192.0.2.2");
	assert_true(n > 0);
	assert_int_equal(rtcp_parse(buf, (size_t)n, &in), RTCP_ERR_OK);
	assert_true(in.has_rr && !in.has_sr);
	assert_int_equal(in.sender_ssrc, 0x1111);
	assert_int_equal(in.n_rb, 1);
	assert_int_equal(in.rb[0].ssrc, 0xabcdef);
	assert_in_range(in.rb[0].cum_lost, 9, 10);
	assert_true(in.rb[0].fraction_lost > 20 && in.rb[0].fraction_lost < 30); /* ~10 % of 256 */
	assert_int_equal(in.rb[0].lsr, 0);
	assert_true(in.has_cname);
	assert_string_equal(in.cname, "vx0.1@192.0.2.2");
	/* after sending: SR with our counts; no source: no block */
	tx.packets = 50;
	tx.octets = 8000;
	tx.rtp_ts = 4242;
	n = legq_build_report(buf, sizeof(buf), &tx, NULL, now, "c");
	assert_int_equal(rtcp_parse(buf, (size_t)n, &in), RTCP_ERR_OK);
	assert_true(in.has_sr);
	assert_true(in.sr.ntp == now);
	assert_int_equal(in.sr.pkt_count, 50);
	assert_int_equal(in.sr.octet_count, 8000);
	assert_int_equal(in.sr.rtp_ts, 4242);
	assert_int_equal(in.n_rb, 0);
	/* too small a buffer */
	assert_true(legq_build_report(buf, 20, &tx, NULL, now, "c") < 0);
	/* the last one: SR, SDES, BYE for our SSRC */
	n = legq_build_bye(buf, sizeof(buf), &tx, &src, now, "c");
	assert_int_equal(rtcp_parse(buf, (size_t)n, &in), RTCP_ERR_OK);
	assert_true(in.has_sr && in.has_cname && in.has_bye);
	assert_int_equal(in.n_packets, 3);
	assert_int_equal(in.n_bye, 1);
	assert_int_equal(in.bye_ssrc[0], 0x1111);
	assert_true(legq_build_bye(buf, (size_t)n - 1, &tx, &src, now, "c") < 0);
}

static struct rtcp_info rr_about(uint32_t ssrc, uint32_t lsr, uint32_t dlsr)
{
	struct rtcp_info in;
	memset(&in, 0, sizeof(in));
	in.has_rr = true;
	in.n_rb = 1;
	in.rb[0] = (struct rtcp_report_block){.ssrc = ssrc, .fraction_lost = 64, .cum_lost = 12,
					      .jitter = 80, .lsr = lsr, .dlsr = dlsr};
	return in;
}

static void rtt(void **state)
{
	(void)state;
	struct legq q;
	legq_start(&q, 0, 0, 5000, 0);
	uint64_t t0 = legq_ntp_from_ns(3000000000000ull);
	uint32_t lsr = rtcp_ntp_mid32(t0);
	/* our SR at t0, held 0.5 s by the peer, its report back at t0 + 0.6 s: RTT 100 ms */
	struct rtcp_info in = rr_about(0x1111, lsr, 32768);
	assert_int_equal(legq_rtcp_rx(&q, &in, 0x1111, NULL, legq_ntp_from_ns(3000600000000ull)), 1);
	assert_true(q.have_rtt);
	assert_in_range(q.rtt_us, 99970, 100030);
	assert_int_equal(q.peer_lost, 12);
	assert_int_equal(q.peer_frac, 64);
	assert_int_equal(q.peer_jitter_us, 10000); /* 80 x 125 us */
	assert_int_equal(q.reports_rx, 1);
	/* a block about someone else's stream changes nothing */
	in = rr_about(0x2222, lsr, 0);
	assert_int_equal(legq_rtcp_rx(&q, &in, 0x1111, NULL, t0), 0);
	assert_int_equal(q.reports_rx, 1);
	/* the peer never saw our SR (LSR 0): loss and jitter yes, RTT no */
	legq_start(&q, 0, 0, 5000, 0);
	in = rr_about(0x1111, 0, 0);
	in.rb[0].cum_lost = -3; /* duplicates: clamped */
	assert_int_equal(legq_rtcp_rx(&q, &in, 0x1111, NULL, t0), 1);
	assert_false(q.have_rtt);
	assert_int_equal(q.peer_lost, 0);
	/* DLSR rounded up past the true RTT (1 ms units): ~0, not dropped; clock trouble: dropped */
	in = rr_about(0x1111, lsr, 6554 + 60); /* 100 ms + ~0.9 ms */
	assert_int_equal(legq_rtcp_rx(&q, &in, 0x1111, NULL, legq_ntp_from_ns(3000100000000ull)), 1);
	assert_true(q.have_rtt);
	assert_int_equal(q.rtt_us, 0);
	legq_start(&q, 0, 0, 5000, 0);
	in = rr_about(0x1111, lsr, 6554 + 6554); /* 100 ms ahead */
	legq_rtcp_rx(&q, &in, 0x1111, NULL, legq_ntp_from_ns(3000100000000ull));
	assert_false(q.have_rtt);
	/* an SR from the stream we receive feeds our next report's LSR/DLSR */
	struct rtp_source src;
	rtp_source_init(&src, 0xabc, 1);
	memset(&in, 0, sizeof(in));
	in.has_sr = true;
	in.sr.ssrc = 0xabc;
	in.sr.ntp = t0;
	legq_rtcp_rx(&q, &in, 0x1111, &src, legq_ntp_from_ns(3000000000000ull + 20000000ull));
	assert_int_equal(src.lsr, lsr);
	struct rtcp_report_block rb;
	rtp_source_report(&src, rtcp_ntp_mid32(legq_ntp_from_ns(3000000000000ull + 520000000ull)), &rb);
	assert_int_equal(rb.lsr, lsr);
	assert_in_range(rb.dlsr, 32767, 32769); /* held 0.5 s */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(interval),
	    cmocka_unit_test(timeout),
	    cmocka_unit_test(ntp),
	    cmocka_unit_test(report),
	    cmocka_unit_test(rtt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
