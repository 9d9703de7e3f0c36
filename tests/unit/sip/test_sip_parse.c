/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sip_parse.c — message parser, header and URI parsers of dataplane/sip. */
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

static struct sip_msg m;

/* Slice equals literal (bytes, may contain NUL only when lit_len is given). */
static void assert_slice(const char *buf, struct sip_str s, const char *lit)
{
	if (s.len != strlen(lit) || memcmp(buf + s.off, lit, s.len) != 0) {
		print_error("slice '%.*s' != '%s'\n", s.len, buf + s.off, lit);
		fail();
	}
}

static struct sip_str whole(const char *s)
{
	struct sip_str r = {0, (uint16_t)strlen(s)};
	return r;
}

static const char invite[] =
    "INVITE sip:bob@example.net;transport=udp SIP/2.0\r\n"
    "v: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK1;rport, SIP/2.0/UDP "
    "[2001:db8::1];branch=z9hG4bK2\r\n"
    "VIA: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK3\r\n"
    "f: \"Alice, A.\" <sip:alice@example.com>;tag=1\r\n"
    "T: Bob <sip:bob@example.net>\r\n"
    "i: abc@192.0.2.1\r\n"
    "cseq: 7\r\n"
    "   INVITE\r\n"
    "Max-Forwards: 70\r\n"
    "m: <sip:alice@192.0.2.1>;expires=60, \"x,y\" <sip:x@192.0.2.2;a=b,c>\r\n"
    "X-Custom: a, b, c\r\n"
    "Require: 100rel,timer\r\n"
    "c: application/sdp\r\n"
    "l: 6\r\n"
    "\r\n"
    "ab\0de\0TRAILING-GARBAGE";

static void test_request_basic(void **state)
{
	(void)state;
	size_t len = sizeof(invite) - 1;
	assert_int_equal(sip_msg_parse(&m, invite, len), 0);
	assert_true(m.is_request);
	assert_int_equal(m.method, SIP_M_INVITE);
	assert_slice(invite, m.method_s, "INVITE");
	assert_slice(invite, m.ruri, "sip:bob@example.net;transport=udp");
	assert_slice(invite, m.version, "SIP/2.0");
	assert_true(m.version_ok);
	assert_int_equal(m.count[SIP_HDR_VIA], 3);
	assert_int_equal(m.lines[SIP_HDR_VIA], 2);
	assert_int_equal(m.count[SIP_HDR_CONTACT], 2);
	assert_int_equal(m.count[SIP_HDR_REQUIRE], 2);
	assert_slice(invite, sip_msg_hdr(&m, SIP_HDR_CALL_ID)->value, "abc@192.0.2.1");
	assert_slice(invite, sip_msg_hdr(&m, SIP_HDR_FROM)->value,
	             "\"Alice, A.\" <sip:alice@example.com>;tag=1");
	/* unknown headers are not split */
	assert_slice(invite, sip_msg_hdr_named(&m, "x-custom")->value, "a, b, c");
	/* contact split keeps commas in quotes and <> */
	{
		int i = sip_msg_find(&m, SIP_HDR_CONTACT, 0);
		i = sip_msg_find(&m, SIP_HDR_CONTACT, i + 1);
		assert_slice(invite, m.hdr[i].value, "\"x,y\" <sip:x@192.0.2.2;a=b,c>");
	}
	/* body framed by Content-Length, NULs included, the tail ignored */
	assert_int_equal(m.body.len, 6);
	assert_memory_equal(invite + m.body.off, "ab\0de\0", 6);
	assert_int_equal(m.len, m.body.off + 6);
	/* CSeq folded */
	{
		struct sip_cseq cs;
		assert_int_equal(sip_cseq_parse(&cs, invite, sip_msg_hdr(&m, SIP_HDR_CSEQ)->value),
		                 0);
		assert_int_equal(cs.num, 7);
		assert_int_equal(cs.method, SIP_M_INVITE);
	}
	assert_int_equal(sip_max_forwards(&m), 70);
}

static void test_hdr_lookup(void **state)
{
	(void)state;
	static const struct {
		const char *n;
		enum sip_hdr_id id;
	} t[] = {
	    {"i", SIP_HDR_CALL_ID},
	    {"I", SIP_HDR_CALL_ID},
	    {"m", SIP_HDR_CONTACT},
	    {"f", SIP_HDR_FROM},
	    {"t", SIP_HDR_TO},
	    {"v", SIP_HDR_VIA},
	    {"l", SIP_HDR_CONTENT_LENGTH},
	    {"k", SIP_HDR_SUPPORTED},
	    {"c", SIP_HDR_CONTENT_TYPE},
	    {"s", SIP_HDR_SUBJECT},
	    {"e", SIP_HDR_CONTENT_ENCODING},
	    {"o", SIP_HDR_EVENT},
	    {"u", SIP_HDR_ALLOW_EVENTS},
	    {"call-id", SIP_HDR_CALL_ID},
	    {"CALL-ID", SIP_HDR_CALL_ID},
	    {"cSeQ", SIP_HDR_CSEQ},
	    {"Record-Route", SIP_HDR_RECORD_ROUTE},
	    {"q", SIP_HDR_OTHER},
	    {"Call-IDx", SIP_HDR_OTHER},
	    {"Proxy-Require", SIP_HDR_PROXY_REQUIRE},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(sip_hdr_lookup(t[i].n, strlen(t[i].n)), t[i].id);
	assert_string_equal(sip_hdr_name(SIP_HDR_CALL_ID), "Call-ID");
	/* every known header is reachable by its long name, in any case */
	for (int id = 1; id < SIP_HDR__COUNT; id++) {
		char up[64];
		const char *n = sip_hdr_name((enum sip_hdr_id)id);
		size_t l = strlen(n);
		for (size_t k = 0; k <= l; k++)
			up[k] = (char)(n[k] >= 'a' && n[k] <= 'z' ? n[k] - 32 : n[k]);
		assert_int_equal(sip_hdr_lookup(n, l), id);
		assert_int_equal(sip_hdr_lookup(up, l), id);
	}
	/* every compact form of the X-macro list resolves to its header */
	{
		static const struct {
			int id;
			char c;
		} compact[] = {
#define COMPACT_(id, nm, c, l) {SIP_HDR_##id, c},
			SIP_FOREACH_HDR(COMPACT_)
#undef COMPACT_
		};
		for (size_t k = 0; k < sizeof(compact) / sizeof(compact[0]); k++) {
			char up = (char)(compact[k].c - 32);
			if (!compact[k].c)
				continue;
			assert_int_equal(sip_hdr_lookup(&compact[k].c, 1), compact[k].id);
			assert_int_equal(sip_hdr_lookup(&up, 1), compact[k].id);
		}
	}
	assert_int_equal(sip_hdr_lookup("x", 1), SIP_HDR_SESSION_EXPIRES);
	assert_int_equal(sip_hdr_lookup("z", 1), SIP_HDR_OTHER);
	assert_int_equal(sip_hdr_lookup("1", 1), SIP_HDR_OTHER);
	assert_int_equal(sip_hdr_lookup("", 0), SIP_HDR_OTHER);
	assert_null(sip_hdr_name(SIP_HDR_OTHER));
	assert_int_equal(sip_method_id("INVITE", 6), SIP_M_INVITE);
	assert_int_equal(sip_method_id("invite", 6), SIP_M_UNKNOWN);
	assert_int_equal(sip_method_id("REFER", 5), SIP_M_REFER);
	assert_string_equal(sip_method_name(SIP_M_PRACK), "PRACK");
}

/* Every prefix of a message, in a buffer of exactly that size: no read past len (ASan). */
static void test_prefixes(void **state)
{
	(void)state;
	size_t len = sizeof(invite) - 1;
	for (size_t n = 0; n <= len; n++) {
		char *b = malloc(n ? n : 1);
		struct sip_verdict v;
		int rc;
		memcpy(b, invite, n);
		rc = sip_msg_parse(&m, b, n);
		assert_true(rc == 0 || rc == -EBADMSG || rc == -ENODATA);
		sip_validate(&m, rc, &v);
		assert_true(m.len <= n);
		assert_true((size_t)m.body.off + m.body.len <= n);
		free(b);
	}
}

static void test_overflow(void **state)
{
	(void)state;
	char *b = malloc(8192);
	size_t n = (size_t)sprintf(b, "OPTIONS sip:a@example.com SIP/2.0\r\n");
	for (unsigned i = 0; i < SIP_MAX_HDRS + 1; i++)
		n += (size_t)sprintf(b + n, "X-H%u: %u\r\n", i, i);
	n += (size_t)sprintf(b + n, "\r\n");
	assert_int_equal(sip_msg_parse(&m, b, n), -E2BIG);
	assert_int_equal(m.err, SIP_PERR_TOO_MANY_HDRS);
	assert_int_equal(m.nhdr, SIP_MAX_HDRS);
	free(b);
	/* oversize */
	b = calloc(1, SIP_MSG_MAX + 2);
	assert_int_equal(sip_msg_parse(&m, b, SIP_MSG_MAX + 1), -E2BIG);
	free(b);
	assert_int_equal(sip_msg_parse(&m, NULL, 0), -ENODATA);
	assert_int_equal(sip_msg_parse(NULL, "x", 1), -EINVAL);
}

static void test_content_length(void **state)
{
	(void)state;
	static const char *const bad[] = {"-1", "abc", "1 2", "99999999999999999999", "70000"};
	char b[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = sprintf(b, "OPTIONS sip:a@h.example SIP/2.0\r\nContent-Length: %s\r\n\r\n",
		                bad[i]);
		assert_int_equal(sip_msg_parse(&m, b, (size_t)n), -EBADMSG);
		assert_int_equal(m.err, SIP_PERR_CL_SYNTAX);
	}
	{
		int n = sprintf(b, "OPTIONS sip:a@h.example SIP/2.0\r\nl: 4\r\nContent-Length: "
		                   "4\r\n\r\nabcdEXTRA");
		assert_int_equal(sip_msg_parse(&m, b, (size_t)n), 0);
		assert_int_equal(m.body.len, 4);
	}
	{
		int n = sprintf(
		    b, "OPTIONS sip:a@h.example SIP/2.0\r\nl: 4\r\nContent-Length: 3\r\n\r\nabcd");
		assert_int_equal(sip_msg_parse(&m, b, (size_t)n), -EBADMSG);
		assert_int_equal(m.err, SIP_PERR_CL_MULTI);
	}
	{
		int n = sprintf(b, "OPTIONS sip:a@h.example SIP/2.0\r\nl: 5\r\n\r\nabcd");
		assert_int_equal(sip_msg_parse(&m, b, (size_t)n), -EBADMSG);
		assert_int_equal(m.err, SIP_PERR_CL_TOO_BIG);
	}
	{
		int n =
		    sprintf(b, "OPTIONS sip:a@h.example SIP/2.0\r\nVia: x\r\n\r\nrest of datagram");
		assert_int_equal(sip_msg_parse(&m, b, (size_t)n), 0);
		assert_slice(b, m.body, "rest of datagram");
	}
}

static void test_status_line(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		int rc;
		unsigned code;
		const char *reason;
	} t[] = {
	    {"SIP/2.0 200 OK", 0, 200, "OK"},
	    {"SIP/2.0 180 Ringing now", 0, 180, "Ringing now"},
	    {"SIP/2.0 100 ", 0, 100, ""},
	    {"SIP/2.0 100", 0, 100, ""},
	    {"SIP/2.0 99 Low", -EBADMSG, 0, ""},
	    {"SIP/2.0 2000 Big", -EBADMSG, 0, ""},
	    {"SIP/2.0 700 Out", -EBADMSG, 0, ""},
	    {"SIP/2.0 20x OK", -EBADMSG, 0, ""},
	    {"SIP/2.0x 200 OK", -EBADMSG, 0, ""},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char b[128];
		int n = sprintf(b, "%s\r\nContent-Length: 0\r\n\r\n", t[i].line);
		assert_int_equal(sip_msg_parse(&m, b, (size_t)n), t[i].rc);
		assert_false(m.is_request);
		if (!t[i].rc) {
			assert_int_equal(m.status, t[i].code);
			assert_int_equal(m.method, SIP_M_UNKNOWN);
			assert_slice(b, m.reason, t[i].reason);
		}
	}
}

static void test_response_method(void **state)
{
	(void)state;
	static const char b[] = "SIP/2.0 180 Ringing\r\nCSeq: 4 INVITE\r\n\r\n";
	assert_int_equal(sip_msg_parse(&m, b, sizeof(b) - 1), 0);
	assert_int_equal(m.method, SIP_M_INVITE);
}

static void test_folding_and_ws(void **state)
{
	(void)state;
	static const char b[] = "OPTIONS sip:a@h.example SIP/2.0\r\n"
	                        "Subject   :   hello\r\n"
	                        "\tworld  \r\n"
	                        " \r\n"
	                        "To:\r\n"
	                        "  <sip:a@h.example>\r\n"
	                        "\r\n";
	assert_int_equal(sip_msg_parse(&m, b, sizeof(b) - 1), 0);
	assert_slice(b, sip_msg_hdr(&m, SIP_HDR_SUBJECT)->value, "hello\r\n\tworld");
	assert_slice(b, sip_msg_hdr(&m, SIP_HDR_TO)->value, "<sip:a@h.example>");
	/* a continuation line before any header is a malformed header line */
	static const char c[] = "OPTIONS sip:a@h.example SIP/2.0\r\n folded\r\n\r\n";
	assert_int_equal(sip_msg_parse(&m, c, sizeof(c) - 1), -EBADMSG);
	assert_int_equal(m.err, SIP_PERR_HDR_LINE);
}

static void test_uri(void **state)
{
	(void)state;
	struct sip_uri u;
	const char *s;

	s = "sips:alice:pw@[2001:db8::10]:5071;transport=tcp;lr?X-Foo=bar&Y=%20z";
	assert_int_equal(sip_uri_parse(&u, s, whole(s)), 0);
	assert_int_equal(u.scheme, SIP_SCHEME_SIPS);
	assert_slice(s, u.user, "alice");
	assert_slice(s, u.password, "pw");
	assert_slice(s, u.host, "2001:db8::10");
	assert_int_equal(u.host_type, SIP_HOST_IPV6);
	assert_int_equal(u.port, 5071);
	assert_slice(s, u.params, "transport=tcp;lr");
	assert_slice(s, u.headers, "X-Foo=bar&Y=%20z");
	{
		struct sip_str v;
		assert_int_equal(sip_param_find(s, u.params, "TRANSPORT", &v), 1);
		assert_slice(s, v, "tcp");
		assert_int_equal(sip_param_find(s, u.params, "lr", &v), 1);
		assert_int_equal(v.len, 0);
		assert_int_equal(sip_param_find(s, u.params, "maddr", &v), 0);
	}

	s = "sip:192.0.2.4";
	assert_int_equal(sip_uri_parse(&u, s, whole(s)), 0);
	assert_int_equal(u.host_type, SIP_HOST_IPV4);
	assert_int_equal(u.user.len, 0);

	s = "SIP:%61lice@Example.COM.";
	assert_int_equal(sip_uri_parse(&u, s, whole(s)), 0);
	assert_int_equal(u.scheme, SIP_SCHEME_SIP);

	s = "tel:+1-201-555-0123;phone-context=example.com";
	assert_int_equal(sip_uri_parse(&u, s, whole(s)), 0);
	assert_int_equal(u.scheme, SIP_SCHEME_TEL);
	assert_slice(s, u.user, "+1-201-555-0123");

	s = "mailto:someone@example.com";
	assert_int_equal(sip_uri_parse(&u, s, whole(s)), -EPROTONOSUPPORT);
	assert_slice(s, u.scheme_s, "mailto");

	static const char *const bad[] = {
	    "sip:",
	    "sip:user@",
	    "sip:a b@h.example",
	    "sip:2001:db8::1",
	    "sip:[2001:db8::g]",
	    "sip:h.example:0",
	    "sip:h.example:65536",
	    "sip:h.example;a=b c",
	    "sip:%4@h.example",
	    "sip:h.example?",
	    "sip:-bad.example",
	    "sip:123.example.4",
	    "<sip:a@h.example>",
	    "sip:h.example:50a",
	    "sip:[::1",
	    "tel:",
	    "sip:a@h.example;,x",
	    "1sip:x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sip_uri_parse(&u, bad[i], whole(bad[i])) != -EBADMSG) {
			print_error("accepted bad URI %s\n", bad[i]);
			fail();
		}
	}
}

static void test_unescape(void **state)
{
	(void)state;
	char out[16];
	assert_int_equal(sip_unescape(out, sizeof(out), "a%00b%41", 8), 4);
	assert_memory_equal(out, "a\0bA", 4);
	assert_int_equal(sip_unescape(out, sizeof(out), "%4", 2), -EINVAL);
	assert_int_equal(sip_unescape(out, sizeof(out), "%zz", 3), -EINVAL);
	assert_int_equal(sip_unescape(out, 2, "abc", 3), -ENOSPC);
	assert_true(sip_esc_eq("%61lice", 7, "alice", 5, false));
	assert_false(sip_esc_eq("%41lice", 7, "alice", 5, false));
	assert_true(sip_esc_eq("%41lice", 7, "alice", 5, true));
	assert_false(sip_esc_eq("null-%00", 8, "null-", 5, false));
}

static bool uri_eq(const char *a, const char *b)
{
	struct sip_uri ua, ub;
	assert_int_equal(sip_uri_parse(&ua, a, whole(a)), 0);
	assert_int_equal(sip_uri_parse(&ub, b, whole(b)), 0);
	return sip_uri_eq(a, &ua, b, &ub);
}

/* RFC 3261 §19.1.4 examples, in our own addresses */
static void test_uri_eq(void **state)
{
	(void)state;
	assert_true(
	    uri_eq("sip:%61lice@example.com;transport=TCP", "sip:alice@EXAMPLE.com;Transport=tcp"));
	assert_true(uri_eq("sip:carol@example.com", "sip:carol@example.com;security=on"));
	assert_true(uri_eq(
	    "sip:biloxi.example.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.example.com",
	    "sip:biloxi.example.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.example."
	    "com"));
	assert_false(
	    uri_eq("SIP:ALICE@example.com;Transport=udp", "sip:alice@example.com;Transport=UDP"));
	assert_false(uri_eq("sip:bob@biloxi.example.com", "sip:bob@biloxi.example.com:5060"));
	assert_false(
	    uri_eq("sip:bob@biloxi.example.com", "sip:bob@biloxi.example.com;transport=udp"));
	assert_false(
	    uri_eq("sip:carol@example.com;security=on", "sip:carol@example.com;security=off"));
	assert_false(uri_eq("sip:bob@example.com", "sips:bob@example.com"));
}

static void test_via(void **state)
{
	(void)state;
	struct sip_via v;
	const char *s;

	s = "SIP/2.0/UDP [2001:db8::10]:5070;branch=z9hG4bKabc;received=192.0.2.9;rport;x=y;flag";
	assert_int_equal(sip_via_parse(&v, s, whole(s)), 0);
	assert_slice(s, v.proto, "SIP");
	assert_slice(s, v.version, "2.0");
	assert_slice(s, v.transport, "UDP");
	assert_slice(s, v.host, "2001:db8::10");
	assert_int_equal(v.host_type, SIP_HOST_IPV6);
	assert_int_equal(v.port, 5070);
	assert_slice(s, v.branch, "z9hG4bKabc");
	assert_slice(s, v.received, "192.0.2.9");
	assert_true(v.has_rport);
	assert_int_equal(v.rport, -1);
	assert_int_equal(v.p.n, 5);
	assert_non_null(sip_params_get(&v.p, s, "FLAG"));

	s = "SIP / 2.0 / TCP  host.example.com : 5060 ; rport = 4000 ; maddr=239.255.255.1;ttl=16";
	assert_int_equal(sip_via_parse(&v, s, whole(s)), 0);
	assert_int_equal(v.port, 5060);
	assert_int_equal(v.rport, 4000);
	assert_slice(s, v.maddr, "239.255.255.1");
	assert_int_equal(v.branch.len, 0);

	static const char *const bad[] = {
	    "SIP/2.0/UDP",
	    "SIP/2.0 192.0.2.1",
	    "SIP/2.0/UDP 192.0.2.1:99999",
	    "SIP/2.0/UDP 2001:db8::1",
	    "SIP/2.0/UDP h.example;;",
	    "SIP/2.0/UDP h.example;branch=",
	    "SIP/2.0/UDP h.example;rport=x",
	    "SIP/2.0/UDP h.example;received=h.example",
	    "SIP/2.0/UDP h.example junk",
	    "SIP/2.0/UDP h.example;ttl=300",
	    "SIP/2.0/UDP h.example;received=192.0.2.300",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sip_via_parse(&v, bad[i], whole(bad[i])) == 0) {
			print_error("accepted bad Via %s\n", bad[i]);
			fail();
		}
	}
	assert_int_equal(
	    sip_via_sentby(&v, "SIP/2.0/UDP h.example;;", whole("SIP/2.0/UDP h.example;;")), 0);
}

static void test_nameaddr(void **state)
{
	(void)state;
	struct sip_nameaddr na;
	const char *s;

	s = "\"A \\\"q\\\" B\" <sip:a@h.example;user=phone>;tag=xy;foo";
	assert_int_equal(sip_nameaddr_parse(&na, s, whole(s)), 0);
	assert_true(na.quoted);
	assert_true(na.angle);
	assert_slice(s, na.display, "A \\\"q\\\" B");
	assert_slice(s, na.uri, "sip:a@h.example;user=phone");
	assert_slice(s, na.tag, "xy");
	assert_slice(s, na.params, "tag=xy;foo");

	/* bare: ;user=phone is a header param */
	s = "sip:a@h.example;user=phone";
	assert_int_equal(sip_nameaddr_parse(&na, s, whole(s)), 0);
	assert_false(na.angle);
	assert_slice(s, na.uri, "sip:a@h.example");
	assert_slice(s, na.params, "user=phone");

	s = "Bob  Smith<sip:b@h.example>";
	assert_int_equal(sip_nameaddr_parse(&na, s, whole(s)), 0);
	assert_slice(s, na.display, "Bob  Smith");

	s = "*";
	assert_int_equal(sip_nameaddr_parse(&na, s, whole(s)), 0);
	assert_true(na.star);

	s = "<urn:service:sos>";
	assert_int_equal(sip_nameaddr_parse(&na, s, whole(s)), 0);

	static const char *const bad[] = {
	    "\"open <sip:a@h.example>",
	    "<sip:a@h.example",
	    "< sip:a@h.example>",
	    "Bad, Name <sip:a@h.example>",
	    "sip:a@h.example?x=y",
	    "<sip:a@h.example>;tag=",
	    "<sip:a@h.example>;;",
	    "",
	    "<>",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sip_nameaddr_parse(&na, bad[i], whole(bad[i])) == 0) {
			print_error("accepted bad name-addr %s\n", bad[i]);
			fail();
		}
	}
}

static void test_small_headers(void **state)
{
	(void)state;
	struct sip_cseq cs;
	struct sip_ctype ct;
	uint32_t d;
	const char *s;

	s = "2147483647 REGISTER";
	assert_int_equal(sip_cseq_parse(&cs, s, whole(s)), 0);
	assert_int_equal(cs.num, 2147483647u);
	assert_int_equal(cs.method, SIP_M_REGISTER);
	s = "2147483648 REGISTER";
	assert_int_equal(sip_cseq_parse(&cs, s, whole(s)), -EBADMSG);
	s = "1REGISTER";
	assert_int_equal(sip_cseq_parse(&cs, s, whole(s)), -EBADMSG);
	s = "1 REGISTER x";
	assert_int_equal(sip_cseq_parse(&cs, s, whole(s)), -EBADMSG);
	s = "-1 BYE";
	assert_int_equal(sip_cseq_parse(&cs, s, whole(s)), -EBADMSG);

	assert_int_equal(sip_callid_check("a@b", whole("a@b")), 0);
	assert_int_equal(sip_callid_check("a@b@c", whole("a@b@c")), -EBADMSG);
	assert_int_equal(sip_callid_check("a b", whole("a b")), -EBADMSG);
	assert_int_equal(sip_callid_check("@b", whole("@b")), -EBADMSG);

	s = "application/sdp ; charset=utf-8";
	assert_int_equal(sip_ctype_parse(&ct, s, whole(s)), 0);
	assert_slice(s, ct.type, "application");
	assert_slice(s, ct.subtype, "sdp");
	assert_int_equal(sip_ctype_parse(&ct, "text", whole("text")), -EBADMSG);

	assert_int_equal(sip_delta_parse("3600", whole("3600"), &d), 0);
	assert_int_equal(d, 3600);
	assert_int_equal(sip_delta_parse("99999999999999", whole("99999999999999"), &d), 0);
	assert_int_equal(d, UINT32_MAX);
	assert_int_equal(sip_delta_parse("1h", whole("1h"), &d), -EBADMSG);

	assert_int_equal(sip_token_check("100rel", whole("100rel")), 0);
	assert_int_equal(sip_token_check("a b", whole("a b")), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request_basic),
	    cmocka_unit_test(test_hdr_lookup),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_overflow),
	    cmocka_unit_test(test_content_length),
	    cmocka_unit_test(test_status_line),
	    cmocka_unit_test(test_folding_and_ws),
	    cmocka_unit_test(test_uri),
	    cmocka_unit_test(test_unescape),
	    cmocka_unit_test(test_uri_eq),
	    cmocka_unit_test(test_via),
	    cmocka_unit_test(test_nameaddr),
	    cmocka_unit_test(test_small_headers),
	    cmocka_unit_test(test_response_method),
	};
	return cmocka_run_group_tests_name("sip_parse", tests, NULL, NULL);
}
