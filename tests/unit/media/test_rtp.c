/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: RTP header parse/build and RFC 3550 A.1/A.3/A.8 receive statistics. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "rtcp.h"
#include "rtp.h"

static size_t mkpkt(uint8_t *b, uint8_t b0, uint8_t b1, size_t len)
{
	memset(b, 0, len);
	b[0] = b0;
	b[1] = b1;
	return len;
}

static void parse_basic(void **state)
{
	uint8_t b[200];
	struct rtp_hdr h;
	uint32_t csrc[2] = { 0x11223344, 0x55667788 };
	struct rtp_build bd = { .ts = 0xdeadbeef, .ssrc = 0x01020304, .seq = 0xfffe, .pt = 0,
		.marker = true, .cc = 2, .csrc = csrc };

	int n = rtp_build_hdr(b, sizeof(b), &bd);
	assert_int_equal(n, 20);
	memset(b + n, 0xff, 160);
	assert_int_equal(rtp_parse(b, (size_t)n + 160, &h), RTP_ERR_OK);
	assert_int_equal(h.seq, 0xfffe);
	assert_int_equal(h.ts, 0xdeadbeef);
	assert_int_equal(h.ssrc, 0x01020304);
	assert_int_equal(h.marker, 1);
	assert_int_equal(h.pt, 0);
	assert_int_equal(h.cc, 2);
	assert_int_equal(rtp_csrc(b, 1), 0x55667788);
	assert_int_equal(h.payload_off, 20);
	assert_int_equal(h.payload_len, 160);
	assert_false(h.has_ext);

	assert_int_equal(rtp_build_hdr(b, 19, &bd), -ENOSPC);
	bd.pt = 128;
	assert_int_equal(rtp_build_hdr(b, sizeof(b), &bd), -EINVAL);
}

static void parse_ext_padding(void **state)
{
	uint8_t b[64];
	struct rtp_hdr h;

	/* V=2 P=1 X=1 CC=1; ext profile 0xBEDE, 1 word; 8 payload; 4 padding */
	size_t len = mkpkt(b, 0x80 | 0x20 | 0x10 | 1, 8, 12 + 4 + 4 + 4 + 8 + 4);
	b[16] = 0xbe; b[17] = 0xde; b[18] = 0; b[19] = 1;
	b[len - 1] = 4;
	assert_int_equal(rtp_parse(b, len, &h), RTP_ERR_OK);
	assert_true(h.has_ext);
	assert_int_equal(h.ext_profile, 0xbede);
	assert_int_equal(h.ext_off, 20);
	assert_int_equal(h.ext_len, 4);
	assert_int_equal(h.payload_off, 24);
	assert_int_equal(h.payload_len, 8);
	assert_int_equal(h.pad_len, 4);
	assert_int_equal(h.pt, 8);
}

static void parse_malformed(void **state)
{
	uint8_t b[64];
	struct rtp_hdr h;

	assert_int_equal(rtp_parse(b, mkpkt(b, 0x80, 0, 11), &h), RTP_ERR_TOO_SHORT);
	mkpkt(b, 0x80, 0, 12);
	assert_int_equal(rtp_parse(b, 65536, &h), RTP_ERR_TOO_LONG); /* rejected before reading */
	assert_int_equal(rtp_parse(b, mkpkt(b, 0x40, 0, 12), &h), RTP_ERR_VERSION);
	assert_int_equal(rtp_parse(b, mkpkt(b, 0xc0, 0, 12), &h), RTP_ERR_VERSION);
	assert_int_equal(rtp_parse(b, mkpkt(b, 0x80, 0, 12), &h), RTP_ERR_OK);
	assert_int_equal(h.payload_len, 0);
	/* CC = 15 needs 72 bytes */
	assert_int_equal(rtp_parse(b, mkpkt(b, 0x8f, 0, 64), &h), RTP_ERR_CSRC_TRUNC);
	assert_int_equal(rtp_parse(b, mkpkt(b, 0x81, 0, 15), &h), RTP_ERR_CSRC_TRUNC);
	/* extension header missing, then extension length too long */
	assert_int_equal(rtp_parse(b, mkpkt(b, 0x90, 0, 14), &h), RTP_ERR_EXT_TRUNC);
	mkpkt(b, 0x90, 0, 20);
	b[15] = 2; /* 8 bytes of extension, only 4 present */
	assert_int_equal(rtp_parse(b, 20, &h), RTP_ERR_EXT_TRUNC);
	b[15] = 1;
	assert_int_equal(rtp_parse(b, 20, &h), RTP_ERR_OK);
	/* padding */
	mkpkt(b, 0xa0, 0, 20);
	assert_int_equal(rtp_parse(b, 20, &h), RTP_ERR_PAD_ZERO);
	b[19] = 9;
	assert_int_equal(rtp_parse(b, 20, &h), RTP_ERR_PAD_OVER);
	b[19] = 8;
	assert_int_equal(rtp_parse(b, 20, &h), RTP_ERR_OK);
	assert_int_equal(h.payload_len, 0);
	/* RTCP SR with the marker bit looks like PT 72 */
	assert_int_equal(rtp_parse(b, mkpkt(b, 0x80, 200, 28), &h), RTP_ERR_PT_RTCP);
	assert_true(rtp_is_rtcp(b, 28));
	assert_false(rtp_is_rtcp((const uint8_t[]){ 0x80, 0x80 | 0 }, 2));
	for (int i = 0; i < RTP_ERR__N; i++)
		assert_non_null(rtp_err_names[i]);
}

/* Probation: the first packet is not counted, the second validates. */
static void stats_probation(void **state)
{
	struct rtp_source s;

	rtp_source_init(&s, 7, 1000);
	assert_int_equal(rtp_source_update_seq(&s, 1000), RTP_SEQ_PROBATION);
	assert_int_equal(rtp_source_update_seq(&s, 1001), RTP_SEQ_OK);
	assert_int_equal(s.base_seq, 1001);
	assert_int_equal(s.received, 1);
	assert_int_equal(rtp_source_update_seq(&s, 1002), RTP_SEQ_OK);
	assert_int_equal(rtp_source_expected(&s), 2);
	assert_int_equal(rtp_source_lost(&s), 0);

	/* out of sequence during probation restarts it */
	rtp_source_init(&s, 7, 10);
	assert_int_equal(rtp_source_update_seq(&s, 10), RTP_SEQ_PROBATION);
	assert_int_equal(rtp_source_update_seq(&s, 12), RTP_SEQ_PROBATION);
	assert_int_equal(rtp_source_update_seq(&s, 13), RTP_SEQ_OK);
	assert_int_equal(s.base_seq, 13);
}

static void stats_wrap_loss_misorder(void **state)
{
	struct rtp_source s;
	struct rtcp_report_block rb;

	rtp_source_init(&s, 9, 65530);
	rtp_source_update_seq(&s, 65530);
	rtp_source_update_seq(&s, 65531); /* base */
	for (uint32_t q = 65532; q < 65536 + 10; q++) {
		if (q == 65535 || q == 65536 + 3)
			continue; /* two losses, one each side of the wrap */
		assert_int_equal(rtp_source_update_seq(&s, (uint16_t)q), RTP_SEQ_OK);
	}
	assert_int_equal(s.cycles, 65536);
	assert_int_equal(rtp_source_ext_max(&s), 65536 + 9);
	assert_int_equal(rtp_source_expected(&s), 65536 + 9 - 65531 + 1);
	assert_int_equal(rtp_source_lost(&s), 2);
	rtp_source_report(&s, 0, &rb);
	assert_int_equal(rb.cum_lost, 2);
	assert_int_equal(rb.fraction_lost, (2 << 8) / 15);
	assert_int_equal(rb.ext_high_seq, 65536 + 9);

	/* the missing 3 arrives late: misorder, counted, max_seq unchanged */
	assert_int_equal(rtp_source_update_seq(&s, 3), RTP_SEQ_MISORDER);
	assert_int_equal(rtp_source_lost(&s), 1);
	assert_int_equal(rtp_source_ext_max(&s), 65536 + 9);
	/* a duplicate makes lost go down (A.3 notes it may go negative) */
	assert_int_equal(rtp_source_update_seq(&s, 8), RTP_SEQ_MISORDER);
	assert_int_equal(rtp_source_lost(&s), 0);
	/* next interval: nothing new lost, received > expected: fraction 0 */
	rtp_source_update_seq(&s, 10);
	rtp_source_report(&s, 0, &rb);
	assert_int_equal(rb.fraction_lost, 0);
	assert_int_equal(rb.cum_lost, 0);

	/* a gap within max_dropout is loss, not a restart */
	assert_int_equal(rtp_source_update_seq(&s, 10 + 2999), RTP_SEQ_OK);
	assert_int_equal(rtp_source_lost(&s), 2998);
	rtp_source_report(&s, 0, &rb);
	assert_int_equal(rb.fraction_lost, (uint8_t)(((uint64_t)2998 << 8) / 2999));
}

static void stats_restart(void **state)
{
	struct rtp_source s;

	rtp_source_init(&s, 9, 100);
	rtp_source_update_seq(&s, 100);
	for (uint16_t q = 101; q < 120; q++)
		rtp_source_update_seq(&s, q);
	/* jump beyond max_dropout: bad, then the successor restarts */
	assert_int_equal(rtp_source_update_seq(&s, 30000), RTP_SEQ_BAD);
	/* 99 behind max_seq (119) is a late packet, not the restart's successor */
	assert_int_equal(rtp_source_update_seq(&s, 20), RTP_SEQ_MISORDER);
	assert_int_equal(rtp_source_update_seq(&s, 30000), RTP_SEQ_BAD);
	assert_int_equal(rtp_source_update_seq(&s, 30001), RTP_SEQ_RESTART);
	assert_int_equal(s.base_seq, 30001);
	assert_int_equal(s.received, 1);
	assert_int_equal(rtp_source_update_seq(&s, 30002), RTP_SEQ_OK);
	assert_int_equal(rtp_source_lost(&s), 0);
	/* misorder limit: up to 99 back is a late packet, 100 back is a jump */
	assert_int_equal(rtp_source_update_seq(&s, 30002 - 99), RTP_SEQ_MISORDER);
	assert_int_equal(rtp_source_update_seq(&s, 30002 - 100), RTP_SEQ_BAD);
}

/* A.8 jitter: constant transit gives 0, alternating +-d converges to d. */
static void stats_jitter(void **state)
{
	struct rtp_source s;

	rtp_source_init(&s, 1, 0);
	for (uint16_t i = 0; i < 200; i++)
		rtp_source_rx(&s, i, 160u * i, 5000 + 160u * i);
	assert_int_equal(rtp_source_jitter_ts(&s), 0);

	rtp_source_init(&s, 1, 0);
	for (uint16_t i = 0; i < 500; i++)
		rtp_source_rx(&s, i, 160u * i, 5000 + 160u * i + ((i & 1) ? 80 : 0));
	/* |D| = 80 every packet: J -> 80 (within rounding of the /16 filter) */
	assert_in_range(rtp_source_jitter_ts(&s), 78, 80);

	/* one step J = J + (|D| - J)/16 from 0 with |D| = 160: 10 */
	rtp_source_init(&s, 1, 0);
	rtp_source_rx(&s, 0, 0, 1000);
	rtp_source_rx(&s, 1, 160, 1160);
	rtp_source_rx(&s, 2, 320, 1480);
	assert_int_equal(rtp_source_jitter_ts(&s), 10);
}

static void stats_report_dlsr(void **state)
{
	struct rtp_source s;
	struct rtcp_report_block rb;
	uint64_t ntp = 0x83aa7e80ULL << 32 | 0x80000000u; /* x.5 s */

	rtp_source_init(&s, 1, 0);
	rtp_source_update_seq(&s, 0);
	rtp_source_update_seq(&s, 1);
	rtp_source_report(&s, 1000, &rb);
	assert_int_equal(rb.lsr, 0);
	assert_int_equal(rb.dlsr, 0);
	rtp_source_sr_rx(&s, ntp, 70000);
	rtp_source_report(&s, 70000 + 5 * 65536, &rb);
	assert_int_equal(rb.lsr, 0x7e808000);
	assert_int_equal(rb.dlsr, 5 * 65536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_basic),
		cmocka_unit_test(parse_ext_padding),
		cmocka_unit_test(parse_malformed),
		cmocka_unit_test(stats_probation),
		cmocka_unit_test(stats_wrap_loss_misorder),
		cmocka_unit_test(stats_restart),
		cmocka_unit_test(stats_jitter),
		cmocka_unit_test(stats_report_dlsr),
	};
	return cmocka_run_group_tests_name("media_rtp", tests, NULL, NULL);
}
