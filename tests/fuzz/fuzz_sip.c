/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_sip.c — libFuzzer driver for dataplane/sip: parse, validate, headers, answers, SDP. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip.h"

/*
 * Seeds: tests/sip/corpus. Run (clang build dir):
 *   ninja -C build-fuzz tests/unit/sip/fuzz_sip
 *   build-fuzz/tests/unit/sip/fuzz_sip -max_len=4096 tests/sip/corpus
 * Invariants checked besides memory safety: slices stay inside the input, a response we build
 * parses back, and an SDP answer we write parses back.
 */

static void check_slice(struct sip_str s, size_t len)
{
	if ((size_t)s.off + s.len > len)
		abort();
}

static void headers(const struct sip_msg *m, size_t len)
{
	for (unsigned i = 0; i < m->nhdr; i++) {
		const struct sip_hdr *h = &m->hdr[i];
		struct sip_via via;
		struct sip_nameaddr na;
		struct sip_cseq cs;
		struct sip_ctype ct;
		struct sip_uri u;
		uint32_t d;

		check_slice(h->name, len);
		check_slice(h->value, len);
		switch (h->id) {
		case SIP_HDR_VIA:
			if (sip_via_parse(&via, m->buf, h->value) == 0) {
				check_slice(via.host, len);
				check_slice(via.branch, len);
			}
			break;
		case SIP_HDR_FROM:
		case SIP_HDR_TO:
		case SIP_HDR_CONTACT:
		case SIP_HDR_ROUTE:
		case SIP_HDR_RECORD_ROUTE:
		case SIP_HDR_REFER_TO:
			if (sip_nameaddr_parse(&na, m->buf, h->value) == 0 && !na.star &&
			    sip_uri_parse(&u, m->buf, na.uri) == 0) {
				char tmp[256];
				check_slice(u.host, len);
				sip_unescape(tmp, sizeof(tmp), m->buf + u.user.off, u.user.len);
				(void)sip_uri_eq(m->buf, &u, m->buf, &u);
			}
			break;
		case SIP_HDR_CSEQ:
			sip_cseq_parse(&cs, m->buf, h->value);
			break;
		case SIP_HDR_CONTENT_TYPE:
		case SIP_HDR_ACCEPT:
			sip_ctype_parse(&ct, m->buf, h->value);
			break;
		case SIP_HDR_EXPIRES:
			sip_delta_parse(m->buf, h->value, &d);
			break;
		default:
			break;
		}
	}
}

static void sdp(const char *b, size_t len)
{
	static struct sip_sdp o, back;
	struct sip_sdp_answer a;
	static const uint8_t key[30];
	struct sip_sdp_local l = {.user = "fuzz", .srtp_key = key};
	char out[2048];
	int n;

	if (sip_sdp_parse(&o, b, len) || sip_sdp_negotiate(&o, b, &a))
		return;
	sip_addr_parse(&l.addr, "192.0.2.1", 9);
	l.addr.port = 4000;
	n = sip_sdp_write(out, sizeof(out), &o, b, &a, &l);
	if (n < 0)
		abort();
	if (sip_sdp_parse(&back, out, (size_t)n) || back.conn.port != 4000)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg m, r;
	static char out[SIP_MSG_MAX];
	struct sip_verdict v;
	struct sip_addr src, dst;
	struct sip_uri u;
	const char *buf = (const char *)data;
	int rc, n;

	rc = sip_msg_parse(&m, buf, size);
	if (m.len > size)
		abort();
	check_slice(m.body, size);
	check_slice(m.ruri, size);
	sip_validate(&m, rc, &v);
	if (rc == -E2BIG || rc == -ENODATA)
		return 0;
	headers(&m, size);
	sip_uri_parse(&u, buf, m.ruri);
	sip_addr_parse(&src, "198.51.100.7", 12);
	src.port = 40000;
	sip_response_dest(&m, &src, &dst);
	if (m.is_request) {
		struct sip_resp_opts o = {.to_tag = "fz", .src = &src};
		if (v.code >= 100)
			n = sip_build_verdict(out, sizeof(out), &m, &v, "fz", &src);
		else
			n = sip_build_response(out, sizeof(out), &m, 200, "OK", &o);
		if (n >= 0) {
			int rrc = sip_msg_parse(&r, out, (size_t)n);
			if (rrc != 0 && rrc != -E2BIG)
				abort();
		}
	}
	if (m.body.len)
		sdp(buf + m.body.off, m.body.len);
	return 0;
}
