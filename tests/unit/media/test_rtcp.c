/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: RTCP compound build/parse, report blocks, RTT from LSR/DLSR. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "rtcp.h"
#include "rtp.h"

static const struct rtcp_report_block rb0 = { .ssrc = 0xa1a2a3a4, .fraction_lost = 25,
	.cum_lost = -3, .ext_high_seq = 0x0001fffe, .jitter = 77, .lsr = 0x12345678,
	.dlsr = 0x00018000 };

static void sr_sdes_bye_roundtrip(void **state)
{
	uint8_t b[512];
	struct rtcp_info in;
	struct rtcp_sr sr = { .ssrc = 0x11111111, .ntp = 0xe1234567890abcdeULL,
		.rtp_ts = 160000, .pkt_count = 1000, .octet_count = 160000 };
	struct rtcp_report_block rb[2] = { rb0, rb0 };
	rb[1].ssrc = 0xb0b0b0b0;
	rb[1].cum_lost = 0x7fffff;

	int n = rtcp_build_sr(b, sizeof(b), &sr, rb, 2);
	assert_int_equal(n, 28 + 48);
	int m = rtcp_build_sdes_cname(b + n, sizeof(b) - n, sr.ssrc, "leg7@voxplane", 13);
	assert_int_equal(m, 24); /* 4 + 4 + 2 + 13 + 1 = 24 */
	n += m;
	uint32_t bye = sr.ssrc;
	m = rtcp_build_bye(b + n, sizeof(b) - n, &bye, 1, "done", 4);
	assert_int_equal(m, 16);
	n += m;

	assert_int_equal(rtcp_parse(b, (size_t)n, &in), RTCP_ERR_OK);
	assert_int_equal(in.n_packets, 3);
	assert_true(in.has_sr);
	assert_int_equal(in.sender_ssrc, sr.ssrc);
	assert_true(in.sr.ntp == sr.ntp);
	assert_int_equal(in.sr.rtp_ts, sr.rtp_ts);
	assert_int_equal(in.sr.pkt_count, 1000);
	assert_int_equal(in.sr.octet_count, 160000);
	assert_int_equal(in.n_rb, 2);
	assert_int_equal(in.rb[0].ssrc, rb0.ssrc);
	assert_int_equal(in.rb[0].fraction_lost, 25);
	assert_int_equal(in.rb[0].cum_lost, -3);
	assert_int_equal(in.rb[0].ext_high_seq, rb0.ext_high_seq);
	assert_int_equal(in.rb[0].jitter, 77);
	assert_int_equal(in.rb[0].lsr, rb0.lsr);
	assert_int_equal(in.rb[0].dlsr, rb0.dlsr);
	assert_int_equal(in.rb[1].cum_lost, 0x7fffff);
	assert_true(in.has_cname);
	assert_int_equal(in.cname_len, 13);
	assert_string_equal(in.cname, "leg7@voxplane");
	assert_true(in.has_bye);
	assert_int_equal(in.n_bye, 1);
	assert_int_equal(in.bye_ssrc[0], sr.ssrc);
}

static void rr_empty_and_wire_bytes(void **state)
{
	uint8_t b[64];
	struct rtcp_info in;

	int n = rtcp_build_rr(b, sizeof(b), 0xcafebabe, NULL, 0);
	assert_int_equal(n, 8);
	static const uint8_t want[8] = { 0x80, 201, 0, 1, 0xca, 0xfe, 0xba, 0xbe };
	assert_memory_equal(b, want, 8);
	n += rtcp_build_sdes_cname(b + n, sizeof(b) - n, 0xcafebabe, "abc", 3);
	/* 4 + 4 + 2 + 3 = 13, one null -> 14, padded to 16 */
	assert_int_equal(n, 8 + 16);
	assert_int_equal(b[8 + 3], 3); /* length 16/4 - 1 */
	assert_int_equal(rtcp_parse(b, (size_t)n, &in), RTCP_ERR_OK);
	assert_true(in.has_rr);
	assert_false(in.has_sr);
	assert_int_equal(in.n_rb, 0);
	assert_string_equal(in.cname, "abc");

	/* report block write: cum_lost is 24-bit two's complement */
	n = rtcp_build_rr(b, sizeof(b), 1, &rb0, 1);
	assert_int_equal(n, 32);
	assert_int_equal(b[12], 25);
	assert_int_equal(b[13], 0xff);
	assert_int_equal(b[14], 0xff);
	assert_int_equal(b[15], 0xfd);

	assert_int_equal(rtcp_build_rr(b, 31, 1, &rb0, 1), -ENOSPC);
	assert_int_equal(rtcp_build_rr(b, sizeof(b), 1, &rb0, 32), -EINVAL);
	assert_int_equal(rtcp_build_sdes_cname(b, sizeof(b), 1, "", 0), -EINVAL);
}

static void cname_aligned_needs_null_word(void **state)
{
	uint8_t b[64];
	struct rtcp_info in;
	/* 4 + 4 + 2 + 6 = 16 exactly: the null terminator needs another word */
	int n = rtcp_build_rr(b, sizeof(b), 5, NULL, 0);
	int m = rtcp_build_sdes_cname(b + n, sizeof(b) - n, 5, "abcdef", 6);
	assert_int_equal(m, 20);
	assert_int_equal(rtcp_parse(b, (size_t)(n + m), &in), RTCP_ERR_OK);
	assert_string_equal(in.cname, "abcdef");
}

static void malformed(void **state)
{
	uint8_t b[128];
	struct rtcp_info in;
	int n = rtcp_build_rr(b, sizeof(b), 1, &rb0, 1);
	int m;

	assert_int_equal(rtcp_parse(b, 3, &in), RTCP_ERR_TOO_SHORT);
	assert_int_equal(rtcp_parse(b, (size_t)n - 4, &in), RTCP_ERR_LEN_OVER);
	/* trailing garbage shorter than a header */
	assert_int_equal(rtcp_parse(b, (size_t)n + 2, &in), RTCP_ERR_TOO_SHORT);
	b[0] = 0x41;
	assert_int_equal(rtcp_parse(b, (size_t)n, &in), RTCP_ERR_VERSION);
	b[0] = 0x82; /* RC 2 does not fit in 32 bytes */
	assert_int_equal(rtcp_parse(b, (size_t)n, &in), RTCP_ERR_RC_OVER);
	b[0] = 0x81;

	/* a compound must start with SR or RR */
	m = rtcp_build_sdes_cname(b, sizeof(b), 1, "x", 1);
	assert_int_equal(rtcp_parse(b, (size_t)m, &in), RTCP_ERR_FIRST_PT);

	/* padding only on the last packet, and within it */
	n = rtcp_build_rr(b, sizeof(b), 1, NULL, 0);
	m = rtcp_build_sdes_cname(b + n, sizeof(b) - n, 1, "xy", 2);
	b[0] |= 0x20;
	assert_int_equal(rtcp_parse(b, (size_t)(n + m), &in), RTCP_ERR_PAD_NOT_LAST);
	b[0] &= (uint8_t)~0x20;
	b[n] |= 0x20;
	b[n + m - 1] = 0;
	assert_int_equal(rtcp_parse(b, (size_t)(n + m), &in), RTCP_ERR_PAD_BAD);
	b[n + m - 1] = 200;
	assert_int_equal(rtcp_parse(b, (size_t)(n + m), &in), RTCP_ERR_PAD_BAD);
	b[n] &= (uint8_t)~0x20;
	b[n + m - 1] = 0;

	/* SDES item length past the packet */
	b[n + 9] = 40;
	assert_int_equal(rtcp_parse(b, (size_t)(n + m), &in), RTCP_ERR_SDES_TRUNC);
	b[n + 9] = 2;
	assert_int_equal(rtcp_parse(b, (size_t)(n + m), &in), RTCP_ERR_OK);
	/* SDES chunk count 2, only one chunk present */
	b[n] = 0x82;
	assert_int_equal(rtcp_parse(b, (size_t)(n + m), &in), RTCP_ERR_SDES_TRUNC);

	/* BYE claiming 3 SSRCs in one word */
	n = rtcp_build_rr(b, sizeof(b), 1, NULL, 0);
	uint32_t s = 1;
	m = rtcp_build_bye(b + n, sizeof(b) - n, &s, 1, NULL, 0);
	b[n] = 0x83;
	assert_int_equal(rtcp_parse(b, (size_t)(n + m), &in), RTCP_ERR_BYE_TRUNC);
	for (int i = 0; i < RTCP_ERR__N; i++)
		assert_non_null(rtcp_err_names[i]);
}

/* RFC 3550 6.4.1 figure 2: SR at n, A = 0xb710:8000, LSR = 0xb705:2000,
 * DLSR = 0x0005:4000 (5.25 s) -> delay 0x0006:2000 (6.125 s). */
static void rtt_rfc_example(void **state)
{
	assert_int_equal(rtcp_rtt_q16(0xb7108000u, 0xb7052000u, 0x00054000u), 0x00062000);
	assert_int_equal(rtcp_rtt_q16(0xb7108000u, 0, 0x00054000u), -1);
	assert_int_equal(rtcp_rtt_q16(0xb7050000u, 0xb7052000u, 0), -1);
	/* wraps of the 32-bit middle word are harmless */
	assert_int_equal(rtcp_rtt_q16(0x00001000u, 0xfffff000u, 0x1000), 0x1000);
}

/* An SR from the peer, our RR back with LSR/DLSR, their RTT computation. */
static void rtt_through_source(void **state)
{
	struct rtp_source s;
	struct rtcp_report_block rb;
	uint64_t sr_ntp = (uint64_t)0x0000b705u << 32 | 0x20000000u;

	rtp_source_init(&s, 3, 0);
	rtp_source_update_seq(&s, 0);
	rtp_source_update_seq(&s, 1);
	rtp_source_sr_rx(&s, sr_ntp, 1000);
	rtp_source_report(&s, 1000 + 0x00054000u, &rb);
	assert_int_equal(rb.lsr, 0xb7052000u);
	assert_int_equal(rb.dlsr, 0x00054000u);
	assert_int_equal(rtcp_rtt_q16(0xb7108000u, rb.lsr, rb.dlsr), 0x00062000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sr_sdes_bye_roundtrip),
		cmocka_unit_test(rr_empty_and_wire_bytes),
		cmocka_unit_test(cname_aligned_needs_null_word),
		cmocka_unit_test(malformed),
		cmocka_unit_test(rtt_rfc_example),
		cmocka_unit_test(rtt_through_source),
	};
	return cmocka_run_group_tests_name("media_rtcp", tests, NULL, NULL);
}
