/* SPDX-License-Identifier: BSD-3-Clause */
/* test_calls_sip.c — the call router's SIP text helpers: X- headers of an INVITE for
 * SipHeader_ parameters, Diversion's user for ForwardedFrom, <Sip> URI hosts, end statuses,
 * the <Play> markup an audio answer stands for. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "calls_sip.h"

static const char invite[] =
    "INVITE sip:+15005550006@192.0.2.2 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1\r\n"
    "X-Customer-Id: 42\r\n"
    "x-lower:   spaced value\r\n"
    "X-Empty:\r\n"
    "Xylophone: not an X- header\r\n"
    "X-Too-Long: 0123456789012345678901234567890123456789\r\n"
    "\r\n"
    "X-In-Body: no\r\n";

static void test_x_headers(void **st)
{
	(void)st;
	char n[8][16], v[8][32];
	uint32_t k = calls_sip_x_headers(invite, strlen(invite), n[0], 16, v[0], 32, 8);
	assert_int_equal(k, 3); /* the long value is skipped, the body is not headers */
	assert_string_equal(n[0], "X-Customer-Id");
	assert_string_equal(v[0], "42");
	assert_string_equal(n[1], "x-lower");
	assert_string_equal(v[1], "spaced value");
	assert_string_equal(n[2], "X-Empty");
	assert_string_equal(v[2], "");
	/* bounded by max */
	assert_int_equal(calls_sip_x_headers(invite, strlen(invite), n[0], 16, v[0], 32, 1), 1);
	/* LF-only lines and a message without a blank line */
	const char *lf = "INVITE x SIP/2.0\nX-A: 1\nX-B: 2";
	assert_int_equal(calls_sip_x_headers(lf, strlen(lf), n[0], 16, v[0], 32, 8), 2);
	assert_string_equal(v[1], "2");
	assert_int_equal(calls_sip_x_headers("", 0, n[0], 16, v[0], 32, 8), 0);
}

static void test_addr_user(void **st)
{
	(void)st;
	char u[16];
	assert_int_equal(calls_sip_addr_user("<sip:+15551234567@pbx.example>;reason=unconditional", u,
	                                     sizeof(u)), 0);
	assert_string_equal(u, "+15551234567");
	assert_int_equal(calls_sip_addr_user("\"Bob\" <sip:bob@h>", u, sizeof(u)), 0);
	assert_string_equal(u, "bob");
	assert_int_equal(calls_sip_addr_user("<sip:host.only>", u, sizeof(u)), -EINVAL);
	assert_int_equal(calls_sip_addr_user("<tel:+1555>", u, sizeof(u)), -EINVAL);
	assert_int_equal(calls_sip_addr_user("<sip:a-very-long-user-name@h>", u, sizeof(u)), -EINVAL);
}

static void test_uri_host(void **st)
{
	(void)st;
	char h[32];
	uint16_t port = 1;
	assert_int_equal(calls_sip_uri_host("sip:alice@192.0.2.1:5080", h, sizeof(h), &port), 0);
	assert_string_equal(h, "192.0.2.1");
	assert_int_equal(port, 5080);
	assert_int_equal(calls_sip_uri_host("sips:bob@example.com;transport=tls", h, sizeof(h), &port), 0);
	assert_string_equal(h, "example.com");
	assert_int_equal(port, 0);
	assert_int_equal(calls_sip_uri_host("sip:example.net", h, sizeof(h), &port), 0);
	assert_string_equal(h, "example.net");
	assert_int_equal(calls_sip_uri_host("sip:u@h:99999", h, sizeof(h), &port), -EINVAL);
	assert_int_equal(calls_sip_uri_host("sip:u@h:12x", h, sizeof(h), &port), -EINVAL);
	assert_int_equal(calls_sip_uri_host("http://h/", h, sizeof(h), &port), -EINVAL);
	assert_int_equal(calls_sip_uri_host("sip:u@", h, sizeof(h), &port), -EINVAL);
	assert_int_equal(calls_sip_uri_host("sip:u@a-host-name-longer-than-the-buffer.example", h,
	                                    sizeof(h), &port), -EINVAL);
}

static void test_end_status(void **st)
{
	(void)st;
	assert_string_equal(calls_end_status(1, 0, 0, 1), "completed");
	assert_string_equal(calls_end_status(0, 1, 1, 0), "busy");
	assert_string_equal(calls_end_status(0, 1, 0, 0), "no-answer");
	assert_string_equal(calls_end_status(0, 0, 0, 1), "canceled");
	assert_string_equal(calls_end_status(0, 0, 0, 0), "failed");
}

static void test_audio_markup(void **st)
{
	(void)st;
	char out[128];
	int n = calls_audio_markup("http://h/a.wav?x=1&y=<2>#tt=2000", out, sizeof(out));
	assert_string_equal(out, "<Response><Play>http://h/a.wav?x=1&amp;y=&lt;2&gt;#tt=2000"
	                         "</Play></Response>");
	assert_int_equal(n, (int)strlen(out));
	n = calls_audio_markup("'\"", out, sizeof(out));
	assert_int_equal(n, (int)strlen(out));
	assert_string_equal(out, "<Response><Play>&apos;&quot;</Play></Response>");
	/* exactly fits, one byte short */
	size_t need = strlen("<Response><Play>u</Play></Response>") + 1;
	assert_int_equal(calls_audio_markup("u", out, need), (int)need - 1);
	assert_int_equal(calls_audio_markup("u", out, need - 1), -ENOSPC);
	assert_int_equal(calls_audio_markup("&", out, need + 3), -ENOSPC);
	assert_int_equal(calls_audio_markup("", out, 4), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_x_headers),
	    cmocka_unit_test(test_addr_user),
	    cmocka_unit_test(test_uri_host),
	    cmocka_unit_test(test_end_status),
	    cmocka_unit_test(test_audio_markup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
