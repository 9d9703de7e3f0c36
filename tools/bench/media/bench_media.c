/* SPDX-License-Identifier: BSD-3-Clause */
/* bench-media: per-packet cost of the media building blocks (ns and TSC cycles). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include <stdlib.h>

#include "collect.h"
#include "dtmf4733.h"
#include "dtmf_inband.h"
#include "g711.h"
#include "jb.h"
#include "recorder.h"
#include "tonegen.h"
#include "vox_bytering.h"
#include "rtcp.h"
#include "rtp.h"
#include "vsrtp.h"
#include "srtp_leg.h"
#include "legq.h"

/* Each case runs for about this long (or its iteration cap), so the whole
 * bench stays well under 20 s. */
#define BENCH_NS 1500000000ull

static volatile uint32_t bench_sink;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct bench_run {
	uint64_t t0, c0, n;
};

static void bench_start(struct bench_run *r)
{
	r->n = 0;
	r->t0 = now_ns();
	r->c0 = __rdtsc();
}

/* Call every 1024 iterations: true while time remains. */
static int bench_more(struct bench_run *r)
{
	return now_ns() - r->t0 < BENCH_NS;
}

static void bench_report(const char *what, const char *unit, struct bench_run *r)
{
	uint64_t c = __rdtsc() - r->c0, t = now_ns() - r->t0;
	printf("%-34s %9.1f ns/%s %9.1f cycles/%s  (%llu iterations)\n", what,
		(double)t / (double)r->n, unit, (double)c / (double)r->n, unit,
		(unsigned long long)r->n);
}

static void bench_g711(void)
{
	int16_t pcm[G711_FRAME_SAMPLES];
	uint8_t code[G711_FRAME_SAMPLES];
	struct bench_run r;

	for (int i = 0; i < G711_FRAME_SAMPLES; i++)
		pcm[i] = (int16_t)(i * 397 - 31000);
	bench_start(&r);
	do {
		for (int k = 0; k < 1024; k++, r.n++) {
			pcm[r.n % G711_FRAME_SAMPLES] ^= 1;
			g711_ulaw_encode_buf(code, pcm, G711_FRAME_SAMPLES);
		}
	} while (bench_more(&r));
	bench_report("g711 ulaw encode", "frame", &r);
	bench_start(&r);
	do {
		for (int k = 0; k < 1024; k++, r.n++) {
			code[r.n % G711_FRAME_SAMPLES]++;
			g711_ulaw_decode_buf(pcm, code, G711_FRAME_SAMPLES);
		}
	} while (bench_more(&r));
	bench_report("g711 ulaw decode", "frame", &r);
	bench_start(&r);
	do {
		for (int k = 0; k < 1024; k++, r.n++) {
			pcm[r.n % G711_FRAME_SAMPLES] ^= 1;
			g711_alaw_encode_buf(code, pcm, G711_FRAME_SAMPLES);
		}
	} while (bench_more(&r));
	bench_report("g711 alaw encode", "frame", &r);
	bench_start(&r);
	do {
		for (int k = 0; k < 1024; k++, r.n++) {
			code[r.n % G711_FRAME_SAMPLES]++;
			g711_alaw_decode_buf(pcm, code, G711_FRAME_SAMPLES);
		}
	} while (bench_more(&r));
	bench_report("g711 alaw decode", "frame", &r);
	bench_sink += (uint32_t)pcm[5] + code[7];
}

static void bench_rtp(void)
{
	uint8_t pkt[172];
	struct rtp_source src;
	struct rtp_hdr h;
	struct bench_run r;
	struct rtp_build b = { .ssrc = 42, .pt = 0 };

	rtp_build_hdr(pkt, sizeof(pkt), &b);
	memset(pkt + 12, 0xff, 160);
	rtp_source_init(&src, 42, 0);
	bench_start(&r);
	do {
		for (int k = 0; k < 1024; k++, r.n++) {
			uint16_t seq = (uint16_t)r.n;
			uint32_t ts = 160u * (uint32_t)r.n;
			pkt[2] = (uint8_t)(seq >> 8);
			pkt[3] = (uint8_t)seq;
			pkt[4] = (uint8_t)(ts >> 24);
			pkt[5] = (uint8_t)(ts >> 16);
			pkt[6] = (uint8_t)(ts >> 8);
			pkt[7] = (uint8_t)ts;
			if (rtp_parse(pkt, sizeof(pkt), &h) == RTP_ERR_OK)
				rtp_source_rx(&src, h.seq, h.ts, ts + (uint32_t)(r.n & 63));
		}
	} while (bench_more(&r));
	bench_report("rtp parse + A.1/A.8 stats", "packet", &r);
	bench_sink += src.received;
}

static void bench_jb(void)
{
	static struct jb jb;
	uint8_t pkt[172];
	int16_t out[JB_FRAME_SAMPLES];
	struct rtp_hdr h;
	struct bench_run r;
	struct rtp_build b = { .ssrc = 42, .pt = 0 };

	jb_init(&jb, NULL);
	rtp_build_hdr(pkt, sizeof(pkt), &b);
	memset(pkt + 12, 0x55, 160);
	rtp_parse(pkt, sizeof(pkt), &h);
	bench_start(&r);
	do {
		for (int k = 0; k < 1024; k++, r.n++) {
			/* 20 ms stream with a little jitter and a loss every 97 packets */
			uint64_t t = r.n * 20000ull;
			h.seq = (uint16_t)r.n;
			h.ts = 160u * (uint32_t)r.n;
			if (r.n % 97 != 5)
				jb_put(&jb, &h, pkt, t + (r.n * 7919 % 15000));
			jb_get(&jb, t + 10000, out);
		}
	} while (bench_more(&r));
	bench_report("jb put + get (decode, PLC)", "packet", &r);
	bench_sink += (uint32_t)out[3];
}

static void bench_srtp(void)
{
	struct vsrtp *tx, *rx;
	struct vsrtp_cfg c = { .suite = VSRTP_AES_CM_128_HMAC_SHA1_80, .dir = VSRTP_TX,
		.ssrc = 42 };
	uint8_t plain[172], pkt[172 + VSRTP_RTCP_TRAILER_MAX];
	struct rtp_build b = { .ssrc = 42, .pt = 0 };
	struct bench_run r;
	size_t len;

	for (int i = 0; i < 30; i++)
		c.master[i] = (uint8_t)i;
	if (vsrtp_create(&tx, &c) < 0)
		return;
	c.dir = VSRTP_RX;
	if (vsrtp_create(&rx, &c) < 0)
		return;
	rtp_build_hdr(plain, sizeof(plain), &b);
	memset(plain + 12, 0x7f, 160);
	bench_start(&r);
	do {
		for (int k = 0; k < 1024; k++, r.n++) {
			plain[2] = (uint8_t)(r.n >> 8);
			plain[3] = (uint8_t)r.n;
			memcpy(pkt, plain, sizeof(plain));
			len = sizeof(plain);
			vsrtp_protect(tx, pkt, &len, sizeof(pkt));
		}
	} while (bench_more(&r) && r.n < 60000); /* stay inside one ROC step */
	bench_report("srtp protect 160B (incl. memcpy)", "packet", &r);

	/* unprotect a fresh sequence of protected packets */
	static uint8_t ring[1024][sizeof(pkt)];
	static size_t rlen[1024];
	uint64_t done = 0, t = 0, cyc = 0;
	for (uint64_t base = 0; base < 60000 && t < BENCH_NS; base += 1024) {
		for (int k = 0; k < 1024; k++) {
			uint64_t s = r.n + base + (uint64_t)k + 1;
			plain[2] = (uint8_t)(s >> 8);
			plain[3] = (uint8_t)s;
			memcpy(ring[k], plain, sizeof(plain));
			rlen[k] = sizeof(plain);
			vsrtp_protect(tx, ring[k], &rlen[k], sizeof(pkt));
		}
		uint64_t t0 = now_ns(), c0 = __rdtsc();
		for (int k = 0; k < 1024; k++)
			vsrtp_unprotect(rx, ring[k], &rlen[k]);
		cyc += __rdtsc() - c0;
		t += now_ns() - t0;
		done += 1024;
	}
	printf("%-34s %9.1f ns/%s %9.1f cycles/%s  (%llu iterations, %llu failed)\n",
		"srtp unprotect 160B", (double)t / (double)done, "packet",
		(double)cyc / (double)done, "packet", (unsigned long long)done,
		(unsigned long long)(vsrtp_stats(rx)->auth_fail + vsrtp_stats(rx)->replay +
			vsrtp_stats(rx)->other_fail));
	vsrtp_destroy(tx);
	vsrtp_destroy(rx);
}

/* Terminating media, per leg and 20 ms tick: what dp_term.c adds on top of the jitter buffer. */
static void bench_term(void)
{
	struct bench_run r;
	static struct tonegen g;
	int16_t pcm[TONEGEN_FRAME], out[2 * TONEGEN_FRAME];
	uint8_t code[TONEGEN_FRAME];

	tonegen_sine(&g, 440, 480, 10, 0);
	bench_start(&r);
	do {
		for (int i = 0; i < 1024; i++, r.n++) {
			tonegen_frame(&g, pcm);
			g711_alaw_encode_buf(code, pcm, TONEGEN_FRAME);
			bench_sink += code[r.n % TONEGEN_FRAME];
		}
	} while (bench_more(&r));
	bench_report("tone frame (2 sines) + encode", "frame", &r);

	static struct dtmf_inband d;
	dtmf_inband_init(&d, 0);
	tonegen_digits(&g, "1234567890*#", 12, 100, 100, 10);
	int16_t sig[8000 * 3];
	size_t n = 0;
	while (n + TONEGEN_FRAME <= sizeof(sig) / sizeof(sig[0]) && tonegen_frame(&g, sig + n))
		n += TONEGEN_FRAME;
	bench_start(&r);
	do {
		for (int i = 0; i < 1024; i++, r.n++) {
			dtmf_inband_rx(&d, sig + (r.n % (n / TONEGEN_FRAME)) * TONEGEN_FRAME, TONEGEN_FRAME);
			while (dtmf_inband_pop(&d))
				bench_sink++;
		}
	} while (bench_more(&r));
	bench_report("in-band DTMF detection", "frame", &r);
	dtmf_inband_fini(&d);

	/* recorder: dual interleave + silence level + a chunk into a byte ring drained as it goes */
	static struct recorder rec;
	uint32_t size = 1u << 20;
	struct vox_bytering *br = aligned_alloc(64, (vox_bytering_memsize(size) + 63) & ~63ull);
	if (!br)
		return;
	vox_bytering_init(br, size);
	recorder_start(&rec, 2, 0, 0, 0);
	bench_start(&r);
	do {
		for (int i = 0; i < 1024; i++, r.n++) {
			recorder_frame(&rec, sig + (r.n % 100) * TONEGEN_FRAME, pcm, out);
			if (vox_bytering_put(br, VOX_BULK_AUDIO, 1, 7, out, recorder_frame_bytes(&rec)) != 0) {
				const struct vox_bulk_chunk *c;
				while ((c = vox_bytering_peek(br)) != NULL)
					vox_bytering_pop(br, c);
			}
		}
	} while (bench_more(&r));
	bench_report("record frame (dual) + ring put", "frame", &r);
	free(br);

	static struct collect col;
	collect_start(&col, 32, 1u << 11, 5000, 3000, 0);
	bench_start(&r);
	do {
		for (int i = 0; i < 1024; i++, r.n++) {
			if (collect_poll(&col, r.n) != COLLECT_RUNNING || !col.active)
				collect_start(&col, 32, 1u << 11, 5000, 3000, r.n);
			if ((r.n & 63) == 0)
				collect_digit(&col, '5', r.n);
		}
	} while (bench_more(&r));
	bench_report("collect poll (+ a key per 64)", "tick", &r);
}

/* The leg path as dp_play.c + dp_rtp.c run it on an SRTP leg: build the RTP header, copy the
 * pre-encoded frame, protect with the leg's TX session; the far leg unprotects with its RX
 * stream and checks the SSRC it holds (srtp_leg.c). One figure for the whole hop. */
static void bench_srtp_leg(void)
{
	uint8_t k1[30], k2[30], frame[160], pkt[172 + VSRTP_RTP_TRAILER_MAX];
	for (int i = 0; i < 30; i++) {
		k1[i] = (uint8_t)i;
		k2[i] = (uint8_t)(0x80 + i);
	}
	memset(frame, 0x7f, sizeof(frame));
	static struct srtp_leg a, b;
	if (srtp_leg_start(&a, VSRTP_AES_CM_128_HMAC_SHA1_80, k1, k2, 42) < 0 ||
	    srtp_leg_start(&b, VSRTP_AES_CM_128_HMAC_SHA1_80, k2, k1, 43) < 0)
		return;
	struct bench_run r;
	uint64_t fail = 0;
	bench_start(&r);
	do {
		for (int k = 0; k < 1024; k++, r.n++) {
			struct rtp_build hb = {.ssrc = 42, .pt = 0, .seq = (uint16_t)r.n, .ts = (uint32_t)r.n * 160u};
			rtp_build_hdr(pkt, sizeof(pkt), &hb);
			memcpy(pkt + 12, frame, sizeof(frame));
			size_t len = 172;
			fail += srtp_leg_tx_rtp(&a, pkt, &len, sizeof(pkt)) != 0;
			fail += srtp_leg_rx_rtp(&b, pkt, &len, NULL) != 0;
		}
	} while (bench_more(&r) && r.n < 60000); /* stay inside one ROC step */
	bench_report("srtp leg hop: build+protect+unprot", "packet", &r);
	if (fail)
		printf("  (%llu failures)\n", (unsigned long long)fail);

	/* one RTCP report of a leg: SR + report block + CNAME, SRTCP protect */
	struct rtp_source src;
	rtp_source_init(&src, 43, 1);
	for (uint16_t q = 1; q < 100; q++)
		rtp_source_rx(&src, q, q * 160u, q * 160u);
	struct legq_tx tx = {.ssrc = 42, .packets = 1000, .octets = 160000, .rtp_ts = 1};
	uint8_t buf[256];
	bench_start(&r);
	do {
		for (int k = 0; k < 1024; k++, r.n++) {
			int n = legq_build_report(buf, sizeof(buf) - VSRTP_RTCP_TRAILER_MAX, &tx, &src,
						  legq_ntp_from_ns(r.n * 1000u), "vx0.1@192.0.2.2");
			size_t len = (size_t)n;
			srtp_leg_tx_rtcp(&a, buf, &len, sizeof(buf));
			bench_sink += buf[len - 1];
		}
	} while (bench_more(&r) && r.n < (1u << 30));
	bench_report("rtcp report build + srtcp protect", "report", &r);
	srtp_leg_stop(&a);
	srtp_leg_stop(&b);
}

int main(void)
{
	printf("bench-media: one core, %.1f s per case\n", BENCH_NS / 1e9);
	bench_g711();
	bench_rtp();
	bench_jb();
	bench_term();
	bench_srtp();
	bench_srtp_leg();
	return bench_sink == 0xdeadbeef;
}
