/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sip_build.c — validation answers, response serializer, response destination. */
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

static struct sip_msg m, r;
static char out[4096];

static struct sip_addr addr(const char *ip, uint16_t port)
{
	struct sip_addr a;
	assert_int_equal(sip_addr_parse(&a, ip, strlen(ip)), 0);
	a.port = port;
	return a;
}

static void parse(const char *s)
{
	assert_int_equal(sip_msg_parse(&m, s, strlen(s)), 0);
}

static char *req(const char *method, const char *via, const char *extra)
{
	static char b[2048];
	snprintf(b, sizeof(b),
	         "%s sip:bob@example.net SIP/2.0\r\n"
	         "Via: %s\r\n"
	         "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1\r\n"
	         "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
	         "To: <sip:bob@example.net>\r\n"
	         "Call-ID: c1@192.0.2.33\r\n"
	         "CSeq: 5 %s\r\n"
	         "Max-Forwards: 70\r\n"
	         "%s"
	         "Content-Length: 0\r\n\r\n",
	         method, via, method, extra ? extra : "");
	return b;
}

static void test_dest(void **state)
{
	(void)state;
	struct sip_addr src = addr("198.51.100.7", 40000), dst;
	char ip[64];

	/* no rport: source address, sent-by port */
	parse(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33:5062;branch=z9hG4bK1", NULL));
	assert_int_equal(sip_response_dest(&m, &src, &dst), 0);
	sip_addr_fmt(&dst, ip, sizeof(ip));
	assert_string_equal(ip, "198.51.100.7");
	assert_int_equal(dst.port, 5062);

	/* no port: 5060 */
	parse(req("OPTIONS", "SIP/2.0/UDP host.example.com;branch=z9hG4bK1", NULL));
	assert_int_equal(sip_response_dest(&m, &src, &dst), 0);
	assert_int_equal(dst.port, 5060);

	/* rport: source port (RFC 3581) */
	parse(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33:5062;rport;branch=z9hG4bK1", NULL));
	assert_int_equal(sip_response_dest(&m, &src, &dst), 0);
	assert_int_equal(dst.port, 40000);

	/* a received= from the wire is not trusted */
	parse(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33;received=203.0.113.99;branch=z9hG4bK1", NULL));
	assert_int_equal(sip_response_dest(&m, &src, &dst), 0);
	sip_addr_fmt(&dst, ip, sizeof(ip));
	assert_string_equal(ip, "198.51.100.7");

	/* maddr: that address, sent-by port */
	parse(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33:5070;maddr=239.1.2.3;ttl=1;branch=z9hG4bK1",
	          NULL));
	assert_int_equal(sip_response_dest(&m, &src, &dst), 0);
	sip_addr_fmt(&dst, ip, sizeof(ip));
	assert_string_equal(ip, "239.1.2.3");
	assert_int_equal(dst.port, 5070);

	parse(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33;maddr=[2001:db8::7];branch=z9hG4bK1", NULL));
	assert_int_equal(sip_response_dest(&m, &src, &dst), 0);
	assert_int_equal(dst.family, 6);

	parse(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33;maddr=mc.example.com;branch=z9hG4bK1", NULL));
	assert_int_equal(sip_response_dest(&m, &src, &dst), -ENOTSUP);

	parse(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33;maddr=255.255.255.255;branch=z9hG4bK1", NULL));
	assert_int_equal(sip_response_dest(&m, &src, &dst), -EADDRNOTAVAIL);

	/* IPv6 source */
	{
		struct sip_addr s6 = addr("2001:db8::33", 5999);
		parse(
		    req("OPTIONS", "SIP/2.0/UDP [2001:db8::33]:5062;rport;branch=z9hG4bK1", NULL));
		assert_int_equal(sip_response_dest(&m, &s6, &dst), 0);
		assert_int_equal(dst.family, 6);
		assert_int_equal(dst.port, 5999);
	}

	/* no Via */
	{
		const char *s = "OPTIONS sip:a@h.example SIP/2.0\r\nCall-ID: x\r\n\r\n";
		parse(s);
		assert_int_equal(sip_response_dest(&m, &src, &dst), -ENOENT);
	}
}

static void test_response(void **state)
{
	(void)state;
	struct sip_addr src = addr("198.51.100.7", 40000);
	struct sip_resp_opts o = {.to_tag = "t99",
	                          .src = &src,
	                          .extra = "Contact: <sip:b2bua@192.0.2.1>\r\n",
	                          .content_type = "application/sdp",
	                          .body = "v=0\r\n",
	                          .body_len = 5};
	int n;

	parse(req("INVITE", "SIP/2.0/UDP 192.0.2.33:5062;rport;branch=z9hG4bK1;received=1.2.3.4",
	          NULL));
	n = sip_build_response(out, sizeof(out), &m, 200, "OK", &o);
	assert_true(n > 0);
	out[n] = '\0';
	assert_non_null(strstr(out, "SIP/2.0 200 OK\r\n"));
	assert_non_null(strstr(
	    out,
	    "Via: SIP/2.0/UDP 192.0.2.33:5062;branch=z9hG4bK1;received=198.51.100.7;rport=40000\r\n"
	    "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1\r\n"));
	assert_non_null(strstr(out, "To: <sip:bob@example.net>;tag=t99\r\n"));
	assert_non_null(strstr(out, "Contact: <sip:b2bua@192.0.2.1>\r\nContent-Type: "
	                            "application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n"));
	assert_int_equal(sip_msg_parse(&r, out, (size_t)n), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, 5);

	/* same address, no rport: no received= added */
	src = addr("192.0.2.33", 5062);
	parse(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33:5062;branch=z9hG4bK1", NULL));
	n = sip_build_response(out, sizeof(out), &m, 100, "Trying", &o);
	out[n] = '\0';
	assert_non_null(strstr(out, "Via: SIP/2.0/UDP 192.0.2.33:5062;branch=z9hG4bK1\r\n"));
	/* no tag on 100 */
	assert_non_null(strstr(out, "To: <sip:bob@example.net>\r\n"));

	/* an existing To tag is kept, not doubled; folded values are unfolded */
	{
		const char *s =
		    "BYE sip:b@h.example SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK7\r\n"
		    "To: <sip:b@h.example>\r\n ;tag=old\r\n"
		    "From: <sip:a@h.example>;tag=x\r\nCall-ID: q\r\nCSeq: 2 BYE\r\n\r\n";
		parse(s);
		n = sip_build_response(out, sizeof(out), &m, 200, "OK", &o);
		out[n] = '\0';
		assert_non_null(strstr(out, "To: <sip:b@h.example> ;tag=old\r\nCall-ID"));
	}
	assert_int_equal(sip_build_response(out, sizeof(out), &m, 99, "x", &o), -EINVAL);
	assert_int_equal(sip_build_response(out, sizeof(out), &m, 200, "bad\r\nX: y", &o), -EINVAL);
}

/* Every capacity below the needed size fails cleanly and never writes past cap. */
static void test_bounds(void **state)
{
	(void)state;
	struct sip_addr src = addr("198.51.100.7", 40000);
	struct sip_resp_opts o = {.to_tag = "t99", .src = &src, .body = "abc", .body_len = 3};
	int need;

	parse(req("INVITE", "SIP/2.0/UDP 192.0.2.33:5062;rport;branch=z9hG4bK1", NULL));
	need = sip_build_response(out, sizeof(out), &m, 486, "Busy Here", &o);
	assert_true(need > 0);
	for (int cap = 0; cap < need; cap++) {
		char *b = malloc((size_t)cap + 1);
		memset(b, 0x5a, (size_t)cap + 1);
		assert_int_equal(sip_build_response(b, (size_t)cap, &m, 486, "Busy Here", &o),
		                 -ENOSPC);
		assert_int_equal((unsigned char)b[cap], 0x5a);
		free(b);
	}
	assert_int_equal(sip_build_response(out, (size_t)need, &m, 486, "Busy Here", &o), need);
}

static int validate(const char *s, struct sip_verdict *v)
{
	int rc = sip_msg_parse(&m, s, strlen(s));
	return sip_validate(&m, rc, v);
}

static void test_verdict_answers(void **state)
{
	(void)state;
	struct sip_verdict v;
	int n;

	/* 501 with Allow */
	assert_int_equal(validate(req("FOO", "SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK1", NULL), &v),
	                 501);
	n = sip_build_verdict(out, sizeof(out), &m, &v, "t1", NULL);
	assert_true(n > 0);
	out[n] = '\0';
	assert_non_null(strstr(out, "SIP/2.0 501 Not Implemented\r\n"));
	assert_non_null(strstr(out,
	                       "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, PRACK, "
	                       "REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, MESSAGE, REFER\r\n"));

	/* 420 lists the unknown tags */
	assert_int_equal(validate(req("INVITE", "SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK1",
	                              "Require: timer, foo\r\nRequire: bar\r\n"),
	                          &v),
	                 420);
	assert_int_equal(v.n_unsupp, 2);
	n = sip_build_verdict(out, sizeof(out), &m, &v, "t1", NULL);
	out[n] = '\0';
	assert_non_null(strstr(out, "Unsupported: foo, bar\r\n"));
	/* ... but not for CANCEL */
	assert_int_equal(
	    validate(req("CANCEL", "SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK1", "Require: foo\r\n"),
	             &v),
	    0);

	/* 415 with Accept */
	{
		char b[1024];
		snprintf(b, sizeof(b), "%s",
		         req("INVITE", "SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK1",
		             "Content-Type: text/plain\r\n"));
		strcpy(strstr(b, "Content-Length: 0"), "Content-Length: 2\r\n\r\nhi");
		assert_int_equal(validate(b, &v), 415);
		n = sip_build_verdict(out, sizeof(out), &m, &v, "t1", NULL);
		out[n] = '\0';
		assert_non_null(strstr(out, "Accept: application/sdp\r\n"));
	}

	/* 505 */
	{
		char b[1024];
		snprintf(b, sizeof(b), "%s",
		         req("OPTIONS", "SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK1", NULL));
		memcpy(strstr(b, "SIP/2.0\r\n"), "SIP/3.0", 7);
		assert_int_equal(validate(b, &v), 505);
		assert_string_equal(v.reason, "Version Not Supported");
	}

	/* an ACK is never answered, a malformed response is dropped */
	assert_int_equal(validate(req("ACK", "SIP/2.0/UDP 192.0.2.33;branch=1", NULL), &v), 1);
	assert_int_equal(v.id, SIP_V_BAD_BRANCH);
	assert_int_equal(
	    validate("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h.example;branch=z9hG4bKx\r\n\r\n", &v),
	    1);
	assert_int_equal(sip_build_verdict(out, sizeof(out), &m, &v, NULL, NULL), -EINVAL);

	/* 483 helper */
	{
		char b[1024];
		snprintf(b, sizeof(b), "%s",
		         req("OPTIONS", "SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK1", NULL));
		memcpy(strstr(b, "Max-Forwards: 70"), "Max-Forwards: 00", 16);
		assert_int_equal(validate(b, &v), 0);
		assert_int_equal(sip_check_max_forwards(&m), 483);
		validate(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK1", NULL), &v);
		assert_int_equal(sip_check_max_forwards(&m), 0);
	}
	/* the explicit entry points refuse the other kind */
	{
		const char *resp = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h.example;branch=z9hG4bKx\r\n"
				   "From: <sip:a@h.example>;tag=1\r\nTo: <sip:b@h.example>;tag=2\r\n"
				   "Call-ID: r1\r\nCSeq: 1 OPTIONS\r\n\r\n";
		int rc = sip_msg_parse(&m, resp, strlen(resp));
		assert_int_equal(sip_validate_response(&m, rc, &v), 0);
		assert_int_equal(sip_validate_request(&m, rc, &v), 1);
		assert_int_equal(v.id, SIP_V_DROP_RESPONSE);
		rc = sip_msg_parse(&m, req("OPTIONS", "SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK1",
					   "Supported: timer, 100REL\r\n"),
				   strlen(req("OPTIONS", "SIP/2.0/UDP 192.0.2.33;branch=z9hG4bK1",
					      "Supported: timer, 100REL\r\n")));
		assert_int_equal(sip_validate_request(&m, rc, &v), 0);
		assert_int_equal(sip_validate_response(&m, rc, &v), 1);
		assert_true(sip_msg_has_token(&m, SIP_HDR_SUPPORTED, "100rel"));
		assert_true(sip_msg_has_token(&m, SIP_HDR_SUPPORTED, "timer"));
		assert_false(sip_msg_has_token(&m, SIP_HDR_SUPPORTED, "path"));
		assert_false(sip_msg_has_token(&m, SIP_HDR_REQUIRE, "timer"));
	}
	assert_string_equal(sip_verdict_reason(SIP_V_MISSING_CALL_ID), "Missing Call-ID");
	assert_int_equal(sip_verdict_code(SIP_V_SCHEME), 416);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dest),
	    cmocka_unit_test(test_response),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_verdict_answers),
	};
	return cmocka_run_group_tests_name("sip_build", tests, NULL, NULL);
}
