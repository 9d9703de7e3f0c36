/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: relayed-stream rewriting (rtp_relay.c) — offsets across SSRC changes, sequence
 * wrap, timestamp jumps, G.711 law conversion, RFC 4733 PT mapping, hold. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "g711.h"
#include "rtp.h"
#include "rtp_relay.h"

struct out {
	uint16_t seq;
	uint32_t ts;
	int rebased;
};

static struct out map(struct rtp_relay *r, uint32_t ssrc, uint16_t seq, uint32_t ts)
{
	struct out o;
	o.rebased = rtp_relay_map(r, ssrc, seq, ts, &o.seq, &o.ts);
	return o;
}

/* The first packet continues the stream the leg had; then out - in stays constant. */
static void continuous_from_start(void **state)
{
	struct rtp_relay r;
	rtp_relay_init(&r, 5000, 100000);
	struct out o = map(&r, 0xaaaa, 40000, 7777);
	assert_int_equal(o.rebased, 1);
	assert_int_equal(o.seq, 5000);
	assert_int_equal(o.ts, 100000);
	for (int i = 1; i < 50; i++) {
		o = map(&r, 0xaaaa, (uint16_t)(40000 + i), 7777u + 160u * (uint32_t)i);
		assert_int_equal(o.rebased, 0);
		assert_int_equal(o.seq, (uint16_t)(5000 + i));
		assert_int_equal(o.ts, 100000u + 160u * (uint32_t)i);
	}
	assert_int_equal(r.rebases, 1);
}

/* A new SSRC (a transfer, a restarted phone) with unrelated seq/ts: the output goes on with
 * seq + 1 and ts + one frame. */
static void ssrc_change_rebases(void **state)
{
	struct rtp_relay r;
	rtp_relay_init(&r, 1, 0);
	struct out o;
	for (int i = 0; i < 10; i++)
		o = map(&r, 1, (uint16_t)(100 + i), 1000u + 160u * (uint32_t)i);
	assert_int_equal(o.seq, 10);
	assert_int_equal(o.ts, 160u * 9);
	o = map(&r, 2, 60000, 0xfffff000u);
	assert_int_equal(o.rebased, 1);
	assert_int_equal(o.seq, 11);
	assert_int_equal(o.ts, 160u * 10);
	o = map(&r, 2, 60001, 0xfffff000u + 160);
	assert_int_equal(o.rebased, 0);
	assert_int_equal(o.seq, 12);
	assert_int_equal(o.ts, 160u * 11);
	assert_int_equal(r.rebases, 2);
}

/* Input and output sequence numbers wrap at 2^16, timestamps at 2^32, without a re-base. */
static void seq_and_ts_wrap(void **state)
{
	struct rtp_relay r;
	rtp_relay_init(&r, 65530, 0xffffff00u);
	struct out o = map(&r, 9, 65533, 0xfffffe00u);
	for (int i = 1; i < 20; i++) {
		o = map(&r, 9, (uint16_t)(65533 + i), 0xfffffe00u + 160u * (uint32_t)i);
		assert_int_equal(o.rebased, 0);
		assert_int_equal(o.seq, (uint16_t)(65530 + i));
		assert_int_equal(o.ts, 0xffffff00u + 160u * (uint32_t)i);
	}
	assert_int_equal(r.rebases, 1);
}

/* Loss and reordering pass through unchanged; a late packet does not move the reference. */
static void loss_and_reorder_kept(void **state)
{
	struct rtp_relay r;
	rtp_relay_init(&r, 10, 0);
	map(&r, 3, 500, 8000);
	struct out o = map(&r, 3, 503, 8000 + 480); /* two lost */
	assert_int_equal(o.seq, 13);
	assert_int_equal(o.ts, 480);
	o = map(&r, 3, 502, 8000 + 320); /* late */
	assert_int_equal(o.rebased, 0);
	assert_int_equal(o.seq, 12);
	assert_int_equal(o.ts, 320);
	o = map(&r, 3, 504, 8000 + 640);
	assert_int_equal(o.seq, 14);
	assert_int_equal(r.out_seq, 14);
}

/* Silence suppression (a timestamp gap with seq + 1) is kept; a jump beyond the limits
 * (sequence, timestamp forwards or backwards) re-bases. */
static void jumps(void **state)
{
	struct rtp_relay r;
	rtp_relay_init(&r, 0, 0);
	map(&r, 5, 10, 1000);
	struct out o = map(&r, 5, 11, 1000 + 8000 * 5); /* 5 s of silence */
	assert_int_equal(o.rebased, 0);
	assert_int_equal(o.ts, 8000u * 5);
	o = map(&r, 5, 12 + RTP_RELAY_SEQ_JUMP + 1, 1000 + 8000 * 5 + 160); /* seq jump */
	assert_int_equal(o.rebased, 1);
	assert_int_equal(o.seq, 2);
	assert_int_equal(o.ts, 8000u * 5 + 160);
	uint16_t s = (uint16_t)(12 + RTP_RELAY_SEQ_JUMP + 1);
	uint32_t t = 1000 + 8000 * 5 + 160;
	o = map(&r, 5, (uint16_t)(s + 1), t + RTP_RELAY_TS_JUMP + 160); /* ts jump forwards */
	assert_int_equal(o.rebased, 1);
	assert_int_equal(o.seq, 3);
	assert_int_equal(o.ts, 8000u * 5 + 320);
	s++;
	t += RTP_RELAY_TS_JUMP + 160;
	o = map(&r, 5, (uint16_t)(s + 1), t - RTP_RELAY_TS_BACK - 160); /* ts jump backwards */
	assert_int_equal(o.rebased, 1);
	assert_int_equal(o.seq, 4);
	assert_int_equal(o.ts, 8000u * 5 + 480);
	o = map(&r, 5, (uint16_t)(s + 1 - RTP_RELAY_SEQ_BACK - 1), 0); /* far behind */
	assert_int_equal(o.rebased, 1);
	assert_int_equal(o.seq, 5);
	assert_int_equal(r.rebases, 5);
}

/* The law tables equal decode-then-encode, and a round trip keeps the value close. */
static void law_tables(void **state)
{
	rtp_relay_tables_init();
	for (int c = 0; c < 256; c++) {
		assert_int_equal(rtp_relay_u2a[c], g711_alaw_encode(g711_ulaw_decode((uint8_t)c)));
		assert_int_equal(rtp_relay_a2u[c], g711_ulaw_encode(g711_alaw_decode((uint8_t)c)));
		int a = g711_ulaw_decode((uint8_t)c), b = g711_alaw_decode(rtp_relay_u2a[c]);
		int d = a > b ? a - b : b - a;
		/* A-law's step at that magnitude bounds the error (1/16 of the value, at least 16) */
		int lim = (a < 0 ? -a : a) / 16 + 16;
		assert_true(d <= lim);
	}
	for (int c = 0; c < 256; c++) {
		int a = g711_alaw_decode((uint8_t)c), b = g711_ulaw_decode(rtp_relay_a2u[c]);
		int d = a > b ? a - b : b - a;
		assert_true(d <= (a < 0 ? -a : a) / 16 + 16);
	}
	/* mu-law's zero is A-law's silence code; A-law has no zero, its silence (+8) stays near 0 */
	assert_int_equal(rtp_relay_u2a[G711_ULAW_SILENCE], G711_ALAW_SILENCE);
	int z = g711_ulaw_decode(rtp_relay_a2u[G711_ALAW_SILENCE]);
	assert_true(z >= -8 && z <= 8);
}

static void decide_pt(void **state)
{
	uint8_t pt = 0xff;
	struct rtp_relay_side u = {.codec_pt = 0, .dtmf_pt = 101, .hold = 0};
	struct rtp_relay_side a_nodtmf = {.codec_pt = 8, .dtmf_pt = -1, .hold = 0};
	assert_int_equal(rtp_relay_decide(&u, 96, 0, &pt), RTP_RELAY_PASS);
	assert_int_equal(pt, 0);
	assert_int_equal(rtp_relay_decide(&u, 96, 8, &pt), RTP_RELAY_TRANSCODE);
	assert_int_equal(pt, 0);
	assert_int_equal(rtp_relay_decide(&a_nodtmf, 96, 0, &pt), RTP_RELAY_TRANSCODE);
	assert_int_equal(pt, 8);
	/* the source's telephone-event PT 96 becomes the peer's 101 */
	assert_int_equal(rtp_relay_decide(&u, 96, 96, &pt), RTP_RELAY_EVENT);
	assert_int_equal(pt, 101);
	assert_int_equal(rtp_relay_decide(&a_nodtmf, 96, 96, &pt), RTP_RELAY_DROP_EVENT);
	/* 96 is not an event when the source negotiated none; CN and others are not relayed */
	assert_int_equal(rtp_relay_decide(&u, -1, 96, &pt), RTP_RELAY_DROP_PT);
	assert_int_equal(rtp_relay_decide(&u, 101, 13, &pt), RTP_RELAY_DROP_PT);
	/* a peer on hold (sendonly/inactive) receives nothing, not even events */
	struct rtp_relay_side held = u;
	held.hold = 1;
	assert_int_equal(rtp_relay_decide(&held, 96, 0, &pt), RTP_RELAY_DROP_HOLD);
	assert_int_equal(rtp_relay_decide(&held, 96, 96, &pt), RTP_RELAY_DROP_HOLD);
}

static uint32_t build(uint8_t *p, uint8_t pt, int m, uint16_t seq, uint32_t ts, uint32_t ssrc,
		      uint32_t plen, uint8_t fill)
{
	struct rtp_build b = {.pt = pt, .marker = (uint8_t)m, .seq = seq, .ts = ts, .ssrc = ssrc};
	rtp_build_hdr(p, RTP_HDR_LEN, &b);
	memset(p + RTP_HDR_LEN, fill, plen);
	return RTP_HDR_LEN + plen;
}

/* The whole packet rewrite: header fields, payload conversion, events, drops untouched. */
static void packet_rewrite(void **state)
{
	uint8_t p[200], keep[200];
	struct rtp_relay r;
	rtp_relay_init(&r, 300, 48000);
	struct rtp_relay_side to = {.codec_pt = 8, .dtmf_pt = 101, .hold = 0};
	uint32_t n = build(p, 0, 0, 7, 1234, 0x11111111, 160, 0xff);
	assert_int_equal(rtp_relay_packet(&r, &to, 96, 0xabcdef01, p, n), RTP_RELAY_TRANSCODE);
	struct rtp_hdr h;
	assert_int_equal(rtp_parse(p, n, &h), RTP_ERR_OK);
	assert_int_equal(h.pt, 8);
	assert_int_equal(h.marker, 1); /* the stream (re)starts here */
	assert_int_equal(h.seq, 300);
	assert_int_equal(h.ts, 48000);
	assert_int_equal(h.ssrc, 0xabcdef01);
	for (int i = 0; i < 160; i++)
		assert_int_equal(p[RTP_HDR_LEN + i], G711_ALAW_SILENCE);
	/* an RFC 4733 event: PT mapped, payload untouched, its own marker */
	n = build(p, 96, 1, 8, 1234 + 160, 0x11111111, 4, 0x05);
	assert_int_equal(rtp_relay_packet(&r, &to, 96, 0xabcdef01, p, n), RTP_RELAY_EVENT);
	assert_int_equal(rtp_parse(p, n, &h), RTP_ERR_OK);
	assert_int_equal(h.pt, 101);
	assert_int_equal(h.marker, 1);
	assert_int_equal(h.seq, 301);
	assert_int_equal(h.ts, 48160);
	assert_int_equal(p[RTP_HDR_LEN], 0x05);
	n = build(p, 96, 0, 9, 1234 + 160, 0x11111111, 4, 0x05);
	rtp_relay_packet(&r, &to, 96, 0xabcdef01, p, n);
	assert_int_equal(rtp_parse(p, n, &h), RTP_ERR_OK);
	assert_int_equal(h.marker, 0);
	assert_int_equal(h.ts, 48160); /* one event keeps one timestamp */
	/* drops leave the packet as it was */
	struct rtp_relay_side none = {.codec_pt = 8, .dtmf_pt = -1, .hold = 0};
	n = build(p, 96, 0, 10, 1234 + 320, 0x11111111, 4, 0x05);
	memcpy(keep, p, n);
	assert_int_equal(rtp_relay_packet(&r, &none, 96, 0xabcdef01, p, n), RTP_RELAY_DROP_EVENT);
	assert_memory_equal(p, keep, n);
	assert_int_equal(rtp_relay_packet(&r, &to, 96, 0xabcdef01, p, 5), RTP_RELAY_DROP_BAD);
	p[0] = 0x40; /* version 1 */
	assert_int_equal(rtp_relay_packet(&r, &to, 96, 0xabcdef01, p, n), RTP_RELAY_DROP_BAD);
	/* PCMA to a PCMA peer: header only */
	n = build(p, 8, 0, 11, 1234 + 480, 0x11111111, 160, 0x55);
	assert_int_equal(rtp_relay_packet(&r, &to, 96, 0xabcdef01, p, n), RTP_RELAY_PASS);
	assert_int_equal(rtp_parse(p, n, &h), RTP_ERR_OK);
	assert_int_equal(h.seq, 304);
	assert_int_equal(p[RTP_HDR_LEN], 0x55);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(continuous_from_start), cmocka_unit_test(ssrc_change_rebases),
		cmocka_unit_test(seq_and_ts_wrap),       cmocka_unit_test(loss_and_reorder_kept),
		cmocka_unit_test(jumps),                 cmocka_unit_test(law_tables),
		cmocka_unit_test(decide_pt),             cmocka_unit_test(packet_rewrite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
