/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: a leg's SRTP (srtp_leg.c) — sessions per direction, one inbound stream kept when the
 * peer's SSRC changes, failures that never allocate, RTCP, re-keying, allocation accounting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "rtcp.h"
#include "rtp.h"
#include "srtp_leg.h"

static const uint8_t k_local[30] = "0123456789abcdefghijklmnopqrst";
static const uint8_t k_remote[30] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$";

/* The far end: its TX session for one SSRC (our remote key), its RX (our local key). */
static struct vsrtp *peer_tx(uint32_t ssrc, enum vsrtp_suite suite)
{
	struct vsrtp *s = NULL;
	struct vsrtp_cfg c = {.suite = suite, .dir = VSRTP_TX, .ssrc = ssrc};
	memcpy(c.master, k_remote, 30);
	assert_int_equal(vsrtp_create(&s, &c), 0);
	return s;
}

static struct vsrtp *peer_rx(enum vsrtp_suite suite)
{
	struct vsrtp *s = NULL;
	struct vsrtp_cfg c = {.suite = suite, .dir = VSRTP_RX, .any_ssrc = true};
	memcpy(c.master, k_local, 30);
	assert_int_equal(vsrtp_create(&s, &c), 0);
	return s;
}

/* One protected RTP packet from the peer: 160 bytes of payload. */
static size_t peer_pkt(struct vsrtp *tx, uint32_t ssrc, uint16_t seq, uint8_t *p, size_t cap)
{
	struct rtp_build b = {.pt = 0, .seq = seq, .ts = seq * 160u, .ssrc = ssrc};
	assert_int_equal(rtp_build_hdr(p, cap, &b), RTP_HDR_LEN);
	memset(p + RTP_HDR_LEN, 0x55, 160);
	size_t len = RTP_HDR_LEN + 160;
	assert_int_equal(vsrtp_protect(tx, p, &len, cap), 0);
	return len;
}

static void stream_per_direction(void **state)
{
	(void)state;
	struct srtp_leg l;
	memset(&l, 0, sizeof(l));
	assert_int_equal(srtp_leg_start(&l, VSRTP_AES_CM_128_HMAC_SHA1_80, k_local, k_remote, 0x1111), 0);
	assert_int_equal(l.allocs, 2); /* TX and the RX template */
	assert_int_equal(srtp_leg_streams(&l), 1);
	struct vsrtp *pa = peer_tx(0xaaaa, VSRTP_AES_CM_128_HMAC_SHA1_80);
	struct vsrtp *pb = peer_tx(0xbbbb, VSRTP_AES_CM_128_HMAC_SHA1_80);
	uint8_t p[256], keep[256];
	size_t len, keep_len = 0;
	int ns;

	for (uint16_t seq = 1; seq <= 3; seq++) {
		len = peer_pkt(pa, 0xaaaa, seq, p, sizeof(p));
		if (seq == 2) {
			memcpy(keep, p, len);
			keep_len = len;
		}
		ns = 0;
		assert_int_equal(srtp_leg_rx_rtp(&l, p, &len, &ns), 0);
		assert_int_equal(len, RTP_HDR_LEN + 160);
		assert_int_equal(ns, seq == 1); /* the first authenticated packet makes the stream */
	}
	assert_int_equal(l.allocs, 3);
	assert_int_equal(srtp_leg_streams(&l), 2);
	assert_int_equal(l.rx_ssrc, 0xaaaa);

	/* replayed: refused, nothing allocated */
	len = keep_len;
	memcpy(p, keep, len);
	assert_int_equal(srtp_leg_rx_rtp(&l, p, &len, NULL), -EALREADY);
	/* tampered payload, and a forged packet of an unknown SSRC: refused, no clone */
	len = peer_pkt(pa, 0xaaaa, 4, p, sizeof(p));
	p[20] ^= 1;
	assert_int_equal(srtp_leg_rx_rtp(&l, p, &len, NULL), -EBADMSG);
	len = peer_pkt(pa, 0xaaaa, 5, p, sizeof(p));
	p[8] = 0xcc; /* the SSRC is authenticated too */
	assert_int_equal(srtp_leg_rx_rtp(&l, p, &len, NULL), -EBADMSG);
	assert_int_equal(l.allocs, 3);
	assert_int_equal(l.rx_ssrc, 0xaaaa);
	len = 8;
	assert_int_equal(srtp_leg_rx_rtp(&l, p, &len, NULL), -EINVAL);

	/* the peer restarts with a new SSRC: the new stream replaces the old one */
	len = peer_pkt(pb, 0xbbbb, 100, p, sizeof(p));
	ns = 0;
	assert_int_equal(srtp_leg_rx_rtp(&l, p, &len, &ns), 0);
	assert_int_equal(ns, 1);
	assert_int_equal(l.rx_ssrc, 0xbbbb);
	assert_int_equal(l.allocs, 4);
	assert_int_equal(l.frees, 1);
	assert_int_equal(l.replaced, 1);
	assert_int_equal(srtp_leg_streams(&l), 2); /* still one per direction */
	/* proof that libsrtp really dropped the old stream: its replay history is gone, so the old
	 * packet authenticates again through the template (and replaces the stream once more) */
	len = keep_len;
	memcpy(p, keep, len);
	assert_int_equal(srtp_leg_rx_rtp(&l, p, &len, &ns), 0);
	assert_int_equal(l.rx_ssrc, 0xaaaa);
	assert_int_equal(l.replaced, 2);
	assert_int_equal(l.allocs - l.frees, 3); /* TX, template, one stream */

	srtp_leg_stop(&l);
	assert_int_equal(l.allocs, l.frees);
	assert_int_equal(srtp_leg_streams(&l), 0);
	assert_int_equal(srtp_leg_rx_rtp(&l, p, &len, NULL), -ENOTCONN);
	vsrtp_destroy(pa);
	vsrtp_destroy(pb);
}

static void tx_and_rtcp(void **state)
{
	(void)state;
	for (int s = 0; s < 2; s++) {
		enum vsrtp_suite suite = s ? VSRTP_AES_CM_128_HMAC_SHA1_32 : VSRTP_AES_CM_128_HMAC_SHA1_80;
		struct srtp_leg l;
		memset(&l, 0, sizeof(l));
		assert_int_equal(srtp_leg_start(&l, suite, k_local, k_remote, 0x1111), 0);
		struct vsrtp *prx = peer_rx(suite), *ptx = peer_tx(0xaaaa, suite);
		uint8_t p[256];
		struct rtp_build b = {.pt = 8, .seq = 7, .ts = 1, .ssrc = 0x1111};
		rtp_build_hdr(p, sizeof(p), &b);
		memset(p + RTP_HDR_LEN, 0xd5, 160);
		size_t len = RTP_HDR_LEN + 160;
		assert_int_equal(srtp_leg_tx_rtp(&l, p, &len, RTP_HDR_LEN + 160 + 3), -ENOSPC);
		assert_int_equal(srtp_leg_tx_rtp(&l, p, &len, sizeof(p)), 0);
		assert_int_equal(len, RTP_HDR_LEN + 160 + (s ? 4 : 10));
		assert_int_equal(vsrtp_unprotect(prx, p, &len), 0);
		assert_int_equal(p[RTP_HDR_LEN], 0xd5);
		/* SRTCP out (our SSRC) and in (the peer's, which starts its stream like RTP does) */
		struct rtcp_sr sr = {.ssrc = 0x1111, .ntp = 5, .rtp_ts = 6, .pkt_count = 1};
		int n = rtcp_build_sr(p, sizeof(p), &sr, NULL, 0);
		len = (size_t)n;
		assert_int_equal(srtp_leg_tx_rtcp(&l, p, &len, sizeof(p)), 0);
		assert_int_equal(len, (size_t)n + 14);
		assert_int_equal(vsrtp_unprotect_rtcp(prx, p, &len), 0);
		sr.ssrc = 0xaaaa;
		n = rtcp_build_sr(p, sizeof(p), &sr, NULL, 0);
		len = (size_t)n;
		assert_int_equal(vsrtp_protect_rtcp(ptx, p, &len, sizeof(p)), 0);
		int ns = 0;
		assert_int_equal(srtp_leg_rx_rtcp(&l, p, &len, &ns), 0);
		assert_int_equal(len, (size_t)n);
		assert_int_equal(ns, 1);
		assert_int_equal(l.rx_ssrc, 0xaaaa);
		/* a plain RTCP packet on an SRTP leg never passes */
		n = rtcp_build_sr(p, sizeof(p), &sr, NULL, 0);
		len = (size_t)n;
		assert_true(srtp_leg_rx_rtcp(&l, p, &len, NULL) < 0);
		srtp_leg_stop(&l);
		vsrtp_destroy(prx);
		vsrtp_destroy(ptx);
	}
}

static void rekey(void **state)
{
	(void)state;
	struct srtp_leg l;
	memset(&l, 0, sizeof(l));
	assert_int_equal(srtp_leg_start(&l, VSRTP_AES_CM_128_HMAC_SHA1_80, k_local, k_remote, 0x1111), 0);
	/* the same keys again (a re-INVITE that keeps them): nothing new */
	assert_int_equal(srtp_leg_start(&l, VSRTP_AES_CM_128_HMAC_SHA1_80, k_local, k_remote, 0x1111), 0);
	assert_int_equal(l.allocs, 2);
	/* a new remote key: both sessions made again, the old ones freed */
	uint8_t k2[30];
	memcpy(k2, k_remote, 30);
	k2[0] ^= 0xff;
	assert_int_equal(srtp_leg_start(&l, VSRTP_AES_CM_128_HMAC_SHA1_80, k_local, k2, 0x1111), 0);
	assert_int_equal(l.allocs, 4);
	assert_int_equal(l.frees, 2);
	/* packets under the old key now fail */
	struct vsrtp *pa = peer_tx(0xaaaa, VSRTP_AES_CM_128_HMAC_SHA1_80);
	uint8_t p[256];
	size_t len = peer_pkt(pa, 0xaaaa, 1, p, sizeof(p));
	assert_int_equal(srtp_leg_rx_rtp(&l, p, &len, NULL), -EBADMSG);
	srtp_leg_stop(&l);
	assert_int_equal(l.allocs, l.frees);
	/* a bad suite leaves the leg off */
	assert_int_equal(srtp_leg_start(&l, (enum vsrtp_suite)9, k_local, k_remote, 1), -EINVAL);
	assert_int_equal(l.on, 0);
	vsrtp_destroy(pa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stream_per_direction),
	    cmocka_unit_test(tx_and_rtcp),
	    cmocka_unit_test(rekey),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
