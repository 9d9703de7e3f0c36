/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_sip_parse.c — cycles and ns per SIP parse+validate (INVITE+SDP, BYE), SDP, 100. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "sip.h"

static const char invite[] =
    "INVITE sip:+14155550123@198.51.100.20:5060;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-524287-1---7f3c2a9e1d;rport\r\n"
    "Via: SIP/2.0/UDP 10.20.30.40:5060;received=203.0.113.10;branch=z9hG4bK-d8754z-c1a2b3\r\n"
    "Max-Forwards: 69\r\n"
    "Record-Route: <sip:203.0.113.10;lr;ftag=as5f2a1b>\r\n"
    "Contact: <sip:+12125550199@203.0.113.10:5060;transport=udp>\r\n"
    "To: <sip:+14155550123@carrier.example.com;user=phone>\r\n"
    "From: \"WIRELESS CALLER\" <sip:+12125550199@carrier.example.com;user=phone>;tag=as5f2a1b\r\n"
    "Call-ID: 7c1b2e4f3a9d8c6b5e4f3a2b1c0d9e8f@203.0.113.10\r\n"
    "CSeq: 102 INVITE\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE\r\n"
    "Supported: replaces, timer\r\n"
    "Session-Expires: 1800;refresher=uac\r\n"
    "Min-SE: 90\r\n"
    "P-Asserted-Identity: \"WIRELESS CALLER\" <sip:+12125550199@carrier.example.com;user=phone>\r\n"
    "Privacy: none\r\n"
    "User-Agent: CarrierSBC 5.1\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 318\r\n"
    "\r\n"
    "v=0\r\n"
    "o=root 1822741402 1822741402 IN IP4 203.0.113.10\r\n"
    "s=CarrierSBC\r\n"
    "c=IN IP4 203.0.113.10\r\n"
    "t=0 0\r\n"
    "m=audio 17832 RTP/AVP 0 8 18 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=fmtp:18 annexb=no\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=maxptime:150\r\n"
    "a=sendrecv\r\n"
    "a=rtcp:17833\r\n";

static const char bye[] =
    "BYE sip:+12125550199@203.0.113.10:5060;transport=udp SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK2f9a8c7d6e\r\n"
    "Max-Forwards: 70\r\n"
    "Route: <sip:203.0.113.10;lr;ftag=as5f2a1b>\r\n"
    "From: <sip:+14155550123@carrier.example.com;user=phone>;tag=vx-8f2e1a\r\n"
    "To: \"WIRELESS CALLER\" <sip:+12125550199@carrier.example.com;user=phone>;tag=as5f2a1b\r\n"
    "Call-ID: 7c1b2e4f3a9d8c6b5e4f3a2b1c0d9e8f@203.0.113.10\r\n"
    "CSeq: 2 BYE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static struct sip_msg m;
static volatile int sink;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

enum op { OP_PARSE, OP_PARSE_VALIDATE, OP_SDP, OP_TRYING };

static int run_once(enum op op, const char *msg, size_t len)
{
	struct sip_verdict v;
	int rc = sip_msg_parse(&m, msg, len);

	switch (op) {
	case OP_PARSE:
		return rc;
	case OP_PARSE_VALIDATE:
		return sip_validate(&m, rc, &v);
	case OP_SDP: {
		static struct sip_sdp s;
		struct sip_sdp_answer a;
		const char *b = msg + m.body.off;
		if (sip_sdp_parse(&s, b, m.body.len))
			return -1;
		return sip_sdp_negotiate(&s, b, &a);
	}
	case OP_TRYING: {
		static char out[2048];
		static struct sip_addr src = {.family = 4, .port = 5060, .ip = {203, 0, 113, 10}};
		struct sip_resp_opts o = {.src = &src};
		return sip_build_response(out, sizeof(out), &m, 100, "Trying", &o);
	}
	}
	return 0;
}

static void bench(const char *name, enum op op, const char *msg, size_t len, unsigned iters)
{
	uint64_t t0, t1, c0, c1;

	for (unsigned i = 0; i < iters / 10; i++) /* warm-up */
		sink += run_once(op, msg, len);
	t0 = now_ns();
	c0 = __rdtsc();
	for (unsigned i = 0; i < iters; i++)
		sink += run_once(op, msg, len);
	c1 = __rdtsc();
	t1 = now_ns();
	printf("%-34s %5zu B  %8.0f cycles/msg  %7.1f ns/msg  %6.2f Mmsg/s\n", name, len,
	       (double)(c1 - c0) / iters, (double)(t1 - t0) / iters,
	       iters * 1e3 / (double)(t1 - t0));
}

int main(int argc, char **argv)
{
	unsigned iters = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000u;
	struct sip_verdict v;

	if (sip_validate(&m, sip_msg_parse(&m, invite, sizeof(invite) - 1), &v) != 0 ||
	    sip_validate(&m, sip_msg_parse(&m, bye, sizeof(bye) - 1), &v) != 0) {
		fprintf(stderr, "bench messages do not validate: %s\n", v.reason);
		return 1;
	}
	printf("bench-sip-parse: %u iterations, one core (TSC cycles via __rdtsc)\n", iters);
	bench("parse INVITE+SDP", OP_PARSE, invite, sizeof(invite) - 1, iters);
	bench("parse+validate INVITE+SDP", OP_PARSE_VALIDATE, invite, sizeof(invite) - 1, iters);
	bench("parse BYE", OP_PARSE, bye, sizeof(bye) - 1, iters);
	bench("parse+validate BYE", OP_PARSE_VALIDATE, bye, sizeof(bye) - 1, iters);
	bench("parse+SDP parse+negotiate INVITE", OP_SDP, invite, sizeof(invite) - 1, iters);
	bench("parse+build 100 Trying INVITE", OP_TRYING, invite, sizeof(invite) - 1, iters);
	return 0;
}
