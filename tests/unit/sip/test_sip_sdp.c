/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sip_sdp.c — SDP offer parsing, RFC 3264 answer negotiation and serialization. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sip.h"

static struct sip_sdp sdp;

static int parse(const char *s)
{
	return sip_sdp_parse(&sdp, s, strlen(s));
}

static const char offer[] =
    "v=0\r\n"
    "o=carrier 123456 654321 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "a=sendonly\r\n"
    "m=audio 49170 RTP/SAVP 18 8 0 100\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:100 telephone-event/8000\r\n"
    "a=fmtp:100 0-15\r\n"
    "a=rtpmap:\r\n"
    "a=rtpmap:abc PCMU/8000\r\n"
    "a=rtpmap:55 PCMU/8000\r\n"
    "a=crypto:1 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw\r\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk|2^31\r\n"
    "a=ptime:30\r\n"
    "a=rtcp-mux\r\n"
    "m=video 0 RTP/AVP 96\r\n"
    "a=recvonly\r\n";

static void test_parse_offer(void **state)
{
	(void)state;
	char ip[64];

	assert_int_equal(parse(offer), 0);
	assert_true(sdp.has_audio);
	assert_true(sdp.secure);
	assert_int_equal(sdp.n_media, 2);
	assert_int_equal(sdp.conn.port, 49170);
	sip_addr_fmt(&sdp.conn, ip, sizeof(ip));
	assert_string_equal(ip, "192.0.2.10");
	assert_int_equal(sdp.sess_id, 123456);
	assert_int_equal(sdp.sess_version, 654321);
	assert_int_equal(sdp.dir, SIP_SDP_SENDONLY); /* session level, not the video's */
	assert_int_equal(sdp.ptime, 30);
	assert_true(sdp.rtcp_mux);
	assert_int_equal(sdp.n_fmt, 4);
	assert_int_equal(sdp.fmt[0].pt, 18);
	assert_int_equal(sdp.fmt[1].clock, 8000);
	assert_int_equal(sdp.fmt[3].pt, 100);
	assert_true(sdp.fmt[3].has_rtpmap);
	assert_int_equal(sdp.n_crypto, 2);
	assert_int_equal(sdp.crypto[0].suite, SIP_SDP_SUITE_UNKNOWN);
	assert_int_equal(sdp.crypto[1].suite, SIP_SDP_AES_CM_128_HMAC_SHA1_32);
	assert_true(sdp.crypto[1].key_ok);
	assert_memory_equal(sdp.crypto[1].key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcd", 30);
}

static void test_negotiate(void **state)
{
	(void)state;
	struct sip_sdp_answer a;

	assert_int_equal(parse(offer), 0);
	assert_int_equal(sip_sdp_negotiate(&sdp, offer, &a), 0);
	assert_int_equal(a.codec_pt, 8); /* first G.711 in the offer's order */
	assert_int_equal(a.dtmf_pt, 100);
	assert_int_equal(a.dir, SIP_SDP_RECVONLY);
	assert_true(a.secure);
	assert_int_equal(a.crypto_index, 1);
	assert_int_equal(a.ptime, 30);

	/* a dynamic PT mapped to PCMU is taken with the peer's number */
	{
		const char *s =
		    "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n"
		    "m=audio 4000 RTP/AVP 97 101\r\na=rtpmap:97 pcmu/8000\r\n"
		    "a=rtpmap:101 telephone-event/8000\r\na=inactive\r\n";
		assert_int_equal(parse(s), 0);
		assert_int_equal(sdp.conn.family, 6);
		assert_int_equal(sip_sdp_negotiate(&sdp, s, &a), 0);
		assert_int_equal(a.codec_pt, 97);
		assert_int_equal(a.dtmf_pt, 101);
		assert_int_equal(a.dir, SIP_SDP_INACTIVE);
		assert_int_equal(a.ptime, 20);
	}
	/* nothing in common */
	{
		const char *s =
		    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
		    "m=audio 4000 RTP/AVP 18 9\r\n";
		assert_int_equal(parse(s), 0);
		assert_int_equal(sip_sdp_negotiate(&sdp, s, &a), -ENOMSG);
	}
	/* SAVP without a usable key */
	{
		const char *s =
		    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
		    "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
		    "inline:short\r\n";
		assert_int_equal(parse(s), 0);
		assert_int_equal(sip_sdp_negotiate(&sdp, s, &a), -ENOMSG);
	}
}

/* SDES (RFC 4568) choices: which crypto line an RTP/SAVP offer gets answered with, and the ones
 * that make it unanswerable (the dataplane then says 488). */
#define SDES_HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" \
		  "m=audio 4000 RTP/SAVP 0\r\n"
#define SDES_KEY "MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnN0" /* "0123456789abcdefghijklmnopqrst" */
static void test_sdes(void **state)
{
	(void)state;
	struct sip_sdp_answer a;
	static const char *const refused[] = {
	    /* only suites we do not do */
	    SDES_HEAD "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" SDES_KEY "\r\n"
		      "a=crypto:2 F8_128_HMAC_SHA1_80 inline:" SDES_KEY "\r\n",
	    /* bad base64 (a character outside the alphabet), and a key of the wrong length */
	    SDES_HEAD "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3Bx*nN0\r\n",
	    SDES_HEAD "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:MDEyMzQ1Njc4OWFiY2RlZmdo\r\n",
	    /* no crypto line at all */
	    SDES_HEAD,
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(parse(refused[i]), 0);
		assert_true(sdp.secure);
		assert_int_equal(sip_sdp_negotiate(&sdp, refused[i], &a), -ENOMSG);
	}
	/* the first usable line wins: an unknown suite and a broken key are skipped */
	const char *ok = SDES_HEAD "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" SDES_KEY "\r\n"
				   "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:%%%%\r\n"
				   "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:" SDES_KEY "|2^31\r\n";
	assert_int_equal(parse(ok), 0);
	assert_int_equal(sip_sdp_negotiate(&sdp, ok, &a), 0);
	assert_true(a.secure);
	assert_int_equal(sdp.crypto[a.crypto_index].tag, 7);
	assert_int_equal(sdp.crypto[a.crypto_index].suite, SIP_SDP_AES_CM_128_HMAC_SHA1_32);
	assert_memory_equal(sdp.crypto[a.crypto_index].key, "0123456789abcdefghijklmnopqrst", 30);
	/* the answer carries the same tag and suite with our key, and RTP/SAVP */
	uint8_t key[30];
	for (int i = 0; i < 30; i++)
		key[i] = (uint8_t)(0xa0 + i);
	struct sip_sdp_local l = {.sess_id = 1, .sess_version = 1, .user = "t", .srtp_key = key};
	l.addr.family = 4;
	l.addr.port = 30000;
	l.addr.ip[0] = 192, l.addr.ip[2] = 2, l.addr.ip[3] = 2;
	char buf[1024];
	assert_true(sip_sdp_write(buf, sizeof(buf), &sdp, ok, &a, &l) > 0);
	assert_non_null(strstr(buf, "RTP/SAVP"));
	assert_non_null(strstr(buf, "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:"));
	struct sip_sdp back;
	assert_int_equal(sip_sdp_parse(&back, buf, strlen(buf)), 0);
	assert_int_equal(back.n_crypto, 1);
	assert_true(back.crypto[0].key_ok);
	assert_memory_equal(back.crypto[0].key, key, 30);
	/* a secure answer needs our key */
	l.srtp_key = NULL;
	assert_int_equal(sip_sdp_write(buf, sizeof(buf), &sdp, ok, &a, &l), -EINVAL);
	/* crypto lines on a plain RTP/AVP offer are ignored: answered plain */
	const char *avp = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
			  "m=audio 4000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" SDES_KEY "\r\n";
	assert_int_equal(parse(avp), 0);
	assert_int_equal(sip_sdp_negotiate(&sdp, avp, &a), 0);
	assert_false(a.secure);
}

static void test_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "v=1\r\nm=audio 1 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n",
	    "v=0\r\nc=IN IP4 192.0.2.1\r\nm=video 1 RTP/AVP 96\r\n",       /* no audio */
	    "v=0\r\nm=audio 1 RTP/AVP 0\r\n",                              /* no c= */
	    "v=0\r\nc=IN IP4 999.0.2.1\r\nm=audio 1 RTP/AVP 0\r\n",        /* bad address */
	    "v=0\r\nc=IN IP6 192.0.2.1\r\nm=audio 1 RTP/AVP 0\r\n",        /* family mismatch */
	    "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 70000 RTP/AVP 0\r\n",    /* bad port */
	    "v=0\r\no=x\r\nc=IN IP4 192.0.2.1\r\nm=audio 1 RTP/AVP 0\r\n", /* bad o= */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i]), -EBADMSG);
	/* tolerated: LF only, junk lines, multicast ttl, media-level c= */
	assert_int_equal(
	    parse("v=0\nxx\nc=IN IP4 233.252.0.1/127\nm=audio 5004 RTP/AVP 0\na=rtpmap\n"), 0);
}

static void test_write(void **state)
{
	(void)state;
	static const uint8_t key[30] = "0123456789abcdefghijklmnopqrs";
	struct sip_sdp_answer a;
	struct sip_sdp_local l = {
	    .sess_id = 42, .sess_version = 1, .user = "voxplane", .srtp_key = key};
	static struct sip_sdp back;
	char buf[1024];
	int n;

	assert_int_equal(sip_addr_parse(&l.addr, "203.0.113.5", 11), 0);
	l.addr.port = 30000;
	assert_int_equal(parse(offer), 0);
	assert_int_equal(sip_sdp_negotiate(&sdp, offer, &a), 0);
	n = sip_sdp_write(buf, sizeof(buf), &sdp, offer, &a, &l);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "o=voxplane 42 1 IN IP4 203.0.113.5\r\n"));
	assert_non_null(strstr(buf, "c=IN IP4 203.0.113.5\r\n"));
	assert_non_null(strstr(buf, "m=audio 30000 RTP/SAVP 8 100\r\n"));
	assert_non_null(strstr(buf, "a=rtpmap:8 PCMA/8000\r\n"));
	assert_non_null(strstr(buf, "a=rtpmap:100 telephone-event/8000\r\n"));
	assert_non_null(strstr(buf, "a=recvonly\r\n"));
	assert_non_null(strstr(buf, "a=ptime:30\r\n"));
	assert_non_null(strstr(buf, "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:"));
	/* our answer parses back to what we chose */
	assert_int_equal(sip_sdp_parse(&back, buf, (size_t)n), 0);
	assert_int_equal(back.conn.port, 30000);
	assert_int_equal(back.dir, SIP_SDP_RECVONLY);
	assert_int_equal(back.n_crypto, 1);
	assert_true(back.crypto[0].key_ok);
	assert_memory_equal(back.crypto[0].key, key, 30);
	/* bounds */
	for (int cap = 0; cap < n; cap++)
		assert_int_equal(sip_sdp_write(buf, (size_t)cap, &sdp, offer, &a, &l), -ENOSPC);
	l.srtp_key = NULL;
	assert_int_equal(sip_sdp_write(buf, sizeof(buf), &sdp, offer, &a, &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_offer),
	    cmocka_unit_test(test_negotiate),
	    cmocka_unit_test(test_sdes),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests_name("sip_sdp", tests, NULL, NULL);
}
