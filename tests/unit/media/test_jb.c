/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: jitter buffer on simulated streams with an injected clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "jb.h"

/* One simulated packet. */
struct sp {
	uint64_t arr_us;
	uint32_t ts;
	uint32_t ssrc;
	uint32_t idx;   /* frame number at the sender */
	uint16_t seq;
	bool marker;
};

struct sim {
	struct sp *p;
	unsigned n;
	uint64_t end_us;
	/* results, per 20 ms tick */
	unsigned ticks;
	uint32_t *target_ms;
	uint32_t *depth_ms;
	uint32_t *buffered;
	int64_t last_idx;   /* last frame index heard, for order checks */
	unsigned order_errors;
	unsigned audio, plc, silence;
};

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static int sp_cmp(const void *a, const void *b)
{
	const struct sp *x = a, *y = b;
	if (x->arr_us != y->arr_us)
		return x->arr_us < y->arr_us ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Payload of frame i: a mu-law code identifying i (mod 120), all 160 bytes. */
static uint8_t frame_code(uint32_t idx)
{
	return (uint8_t)(0x80 + 4 + idx % 120);
}

static void sim_run(struct sim *s, struct jb *jb)
{
	uint8_t pkt[12 + JB_FRAME_SAMPLES];
	int16_t out[JB_FRAME_SAMPLES];
	unsigned k = 0;

	qsort(s->p, s->n, sizeof(s->p[0]), sp_cmp);
	s->ticks = (unsigned)(s->end_us / 20000);
	s->target_ms = calloc(s->ticks, sizeof(uint32_t));
	s->depth_ms = calloc(s->ticks, sizeof(uint32_t));
	s->buffered = calloc(s->ticks, sizeof(uint32_t));
	s->last_idx = -1;
	for (unsigned t = 0; t < s->ticks; t++) {
		uint64_t now = (uint64_t)t * 20000 + 7000; /* playout tick phase */
		for (; k < s->n && s->p[k].arr_us <= now; k++) {
			struct rtp_build b = { .ts = s->p[k].ts, .ssrc = s->p[k].ssrc,
				.seq = s->p[k].seq, .pt = 0, .marker = s->p[k].marker };
			struct rtp_hdr h;
			rtp_build_hdr(pkt, sizeof(pkt), &b);
			memset(pkt + 12, frame_code(s->p[k].idx), JB_FRAME_SAMPLES);
			assert_int_equal(rtp_parse(pkt, sizeof(pkt), &h), RTP_ERR_OK);
			jb_put(jb, &h, pkt, s->p[k].arr_us);
		}
		enum jb_frame f = jb_get(jb, now, out);
		if (f == JB_FRAME_AUDIO) {
			/* which frame was it? codes are unique mod 120; sample 100 is
			 * past the overlap-add that follows a concealed frame */
			int c = g711_ulaw_encode(out[100]);
			int64_t idx = s->last_idx + 1;
			while ((uint8_t)frame_code((uint32_t)idx) != c)
				idx++;
			if (s->last_idx >= 0 && idx - s->last_idx > 60)
				s->order_errors++;
			s->last_idx = idx;
			s->audio++;
		} else if (f == JB_FRAME_PLC) {
			s->plc++;
		} else {
			s->silence++;
		}
		const struct jb_stats *st = jb_stats(jb, now);
		s->target_ms[t] = st->target_ms;
		s->depth_ms[t] = st->depth_ms;
		s->buffered[t] = st->buffered;
	}
}

static void sim_free(struct sim *s)
{
	free(s->p);
	free(s->target_ms);
	free(s->depth_ms);
	free(s->buffered);
}

typedef uint32_t (*delay_fn)(uint32_t idx, uint64_t send_us);

/* A 20 ms stream of n packets; skew_ppm > 0: sender clock fast. */
static void sim_stream(struct sim *s, unsigned n, uint32_t ts0, uint16_t seq0, int skew_ppm,
	delay_fn delay)
{
	s->p = calloc(n, sizeof(struct sp));
	s->n = n;
	for (unsigned i = 0; i < n; i++) {
		uint64_t send = (uint64_t)i * 20000;
		send = (uint64_t)((double)send * 1e6 / (1e6 + skew_ppm));
		s->p[i] = (struct sp){ .arr_us = 1000000 + send + 30000 + delay(i, send),
			.ts = ts0 + 160u * i, .ssrc = 0x5eed, .idx = i,
			.seq = (uint16_t)(seq0 + i) };
	}
	s->end_us = 1000000 + (uint64_t)n * 20000 + 500000;
}

static uint32_t d_none(uint32_t i, uint64_t t) { return 0; }
static uint32_t d_20(uint32_t i, uint64_t t) { return rng() % 20000; }
static uint32_t d_step(uint32_t i, uint64_t t)
{
	uint32_t j = (t >= 20000000 && t < 40000000) ? 120000 : 20000;
	return rng() % j;
}

static double avg(const uint32_t *v, unsigned a, unsigned b)
{
	double s = 0;
	for (unsigned i = a; i < b; i++)
		s += v[i];
	return s / (b - a);
}

static unsigned vmax(const uint32_t *v, unsigned a, unsigned b)
{
	unsigned m = 0;
	for (unsigned i = a; i < b; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static unsigned vmin(const uint32_t *v, unsigned a, unsigned b)
{
	unsigned m = UINT32_MAX;
	for (unsigned i = a; i < b; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

/* tick index of time t seconds on the sender's clock (stream starts at 1 s) */
#define TK(sec) ((unsigned)(((sec) + 1.0) * 50))

static void init_cfg(void **state)
{
	static struct jb jb;
	assert_int_equal(jb_init(&jb, NULL), 0);
	assert_int_equal(jb_init(&jb, &(struct jb_cfg){ .min_ms = 200, .max_ms = 100 }), -EINVAL);
	assert_int_equal(jb_init(&jb, &(struct jb_cfg){ .max_ms = 601 }), -EINVAL);
	assert_int_equal(jb_init(&jb, &(struct jb_cfg){ .percentile = 100 }), -EINVAL);
	int16_t out[JB_FRAME_SAMPLES];
	assert_int_equal(jb_init(&jb, NULL), 0);
	assert_int_equal(jb_get(&jb, 0, out), JB_FRAME_SILENCE);
	/* not a 20 ms G.711 frame */
	uint8_t pkt[12 + 80];
	struct rtp_hdr h;
	rtp_build_hdr(pkt, sizeof(pkt), &(struct rtp_build){ .pt = 0 });
	rtp_parse(pkt, sizeof(pkt), &h);
	assert_int_equal(jb_put(&jb, &h, pkt, 0), JB_PUT_BAD);
}

/* The required adaptation run: jitter 20 -> 120 -> 20 ms, 20 s each. */
static void adapt_step(void **state)
{
	static struct jb jb;
	struct sim s = { 0 };

	rng_state = 1;
	assert_int_equal(jb_init(&jb, NULL), 0);
	sim_stream(&s, 3000, 1000, 100, 0, d_step);
	sim_run(&s, &jb);
	const struct jb_stats *st = jb_stats(&jb, s.end_us);

	double calm = avg(s.target_ms, TK(10), TK(20));
	unsigned rise = TK(20), fall = TK(40);
	while (rise < TK(40) && s.target_ms[rise] < 110)
		rise++;
	while (fall < TK(60) && s.target_ms[fall] > 40)
		fall++;
	print_message("jb adapt: target >= 110 ms %.2f s into the 120 ms phase, "
		"<= 40 ms %.2f s after it\n", (rise - TK(20)) / 50.0, (fall - TK(40)) / 50.0);
	unsigned hi_min = vmin(s.target_ms, TK(22), TK(40));
	unsigned back = vmax(s.target_ms, TK(50), TK(60));
	print_message("jb adapt: target calm %.1f ms, 120ms-phase min %u ms, max %u ms, "
		"after +10 s max %u ms; depth calm %.1f ms, jittery %.1f ms\n",
		calm, hi_min, vmax(s.target_ms, TK(20), TK(40)), back,
		avg(s.depth_ms, TK(10), TK(20)), avg(s.depth_ms, TK(25), TK(40)));
	print_message("jb adapt: played %llu late %llu lost %llu concealed %llu reordered %llu "
		"stretched %llu skipped %llu overflow %llu\n",
		(unsigned long long)st->played, (unsigned long long)st->late,
		(unsigned long long)st->lost, (unsigned long long)st->concealed,
		(unsigned long long)st->reordered, (unsigned long long)st->stretched,
		(unsigned long long)st->skipped, (unsigned long long)st->overflow);

	assert_true(calm <= 40);
	assert_true(hi_min >= 110);       /* rose during the 120 ms phase */
	assert_true(back <= 40);          /* and fell back within 10 s */
	/* when the target rose, the playout delay followed it */
	assert_true(avg(s.depth_ms, TK(25), TK(40)) >= 100);
	assert_true(avg(s.depth_ms, TK(50), TK(60)) <= 60); /* target + hysteresis */
	assert_true(st->late < 3000 / 50);        /* < 2% late */
	assert_true(st->reordered > 100);         /* 120 ms jitter reorders a lot */
	assert_int_equal(st->overflow, 0);
	assert_int_equal(s.order_errors, 0);
	sim_free(&s);
}

static uint32_t d_swap(uint32_t i, uint64_t t)
{
	return (i % 2 == 0) ? 25000 : 0; /* even frames arrive after the next odd */
}

static void reorder(void **state)
{
	static struct jb jb;
	struct sim s = { 0 };

	assert_int_equal(jb_init(&jb, NULL), 0);
	sim_stream(&s, 500, 0, 0, 0, d_swap);
	sim_run(&s, &jb);
	const struct jb_stats *st = jb_stats(&jb, s.end_us);
	assert_int_equal(st->late, 0);
	assert_int_equal(st->lost, 3); /* end of stream */
	assert_true(st->reordered >= 240);
	assert_true(st->played >= 495);
	assert_int_equal(s.order_errors, 0);
	sim_free(&s);
}

static void loss(void **state)
{
	static struct jb jb;
	struct sim s = { 0 };

	assert_int_equal(jb_init(&jb, NULL), 0);
	sim_stream(&s, 1000, 0, 0, 0, d_none);
	/* drop every 10th packet, and a burst of 3 */
	unsigned w = 0;
	for (unsigned i = 0; i < s.n; i++)
		if (i % 10 != 5 && !(i >= 500 && i < 503))
			s.p[w++] = s.p[i];
	unsigned dropped = s.n - w;
	s.n = w;
	sim_run(&s, &jb);
	const struct jb_stats *st = jb_stats(&jb, s.end_us);
	/* the end of the stream looks like loss for 3 frames, then idle */
	assert_int_equal(st->lost, dropped + 3);
	assert_int_equal(st->concealed, dropped + 3 + st->stretched);
	assert_int_equal(st->played, w);
	assert_int_equal(st->late, 0);
	assert_int_equal(s.plc, st->concealed);
	sim_free(&s);
}

static void skew_run(int ppm)
{
	static struct jb jb;
	struct sim s = { 0 };

	rng_state = 7;
	assert_int_equal(jb_init(&jb, NULL), 0);
	sim_stream(&s, 6000, 0, 0, ppm, d_20); /* 120 s: 120 ms of drift */
	sim_run(&s, &jb);
	const struct jb_stats *st = jb_stats(&jb, s.end_us);
	unsigned maxbuf = vmax(s.buffered, TK(5), TK(119));
	unsigned maxdepth = vmax(s.depth_ms, TK(5), TK(119));
	print_message("jb skew %+d ppm: depth %u..%u ms (first 10 s avg %.1f, last 10 s avg %.1f), "
		"buffered max %u, stretched %llu skipped %llu late %llu\n", ppm,
		vmin(s.depth_ms, TK(5), TK(119)), maxdepth, avg(s.depth_ms, TK(5), TK(15)),
		avg(s.depth_ms, TK(109), TK(119)), maxbuf, (unsigned long long)st->stretched,
		(unsigned long long)st->skipped, (unsigned long long)st->late);
	assert_true(maxbuf <= 6);
	assert_true(maxdepth <= 80);
	/* no drift: the end looks like the start */
	assert_true(abs((int)avg(s.depth_ms, TK(109), TK(119)) -
		(int)avg(s.depth_ms, TK(5), TK(15))) <= 15);
	assert_true(st->late < 6000 / 50);
	assert_int_equal(st->overflow, 0);
	assert_int_equal(st->resync, 0);
	sim_free(&s);
}

static void skew_fast(void **state) { skew_run(1000); }
static void skew_slow(void **state) { skew_run(-1000); }

static void ts_jump_and_ssrc(void **state)
{
	static struct jb jb;
	struct sim s = { 0 };

	rng_state = 3;
	assert_int_equal(jb_init(&jb, NULL), 0);
	sim_stream(&s, 1500, 0, 0, 0, d_20);
	/* at frame 500 the timestamps jump forward by 10 minutes (no marker),
	 * at frame 1000 the SSRC changes and timestamps restart at random */
	for (unsigned i = 500; i < 1500; i++)
		s.p[i].ts += 8000u * 600;
	for (unsigned i = 1000; i < 1500; i++) {
		s.p[i].ssrc = 0xabcd;
		s.p[i].ts = 0x7000000u + 160u * (i - 1000);
		s.p[i].seq = (uint16_t)(9000 + i);
	}
	sim_run(&s, &jb);
	const struct jb_stats *st = jb_stats(&jb, s.end_us);
	print_message("jb jump: resync %llu played %llu late %llu lost %llu\n",
		(unsigned long long)st->resync, (unsigned long long)st->played,
		(unsigned long long)st->late, (unsigned long long)st->lost);
	assert_int_equal(st->resync, 2);
	assert_int_equal(st->jump, 2); /* two held back, the third confirms */
	/* the jump costs the held frames and the confirmation packets */
	assert_true(st->played >= 1500 - 20);
	assert_true(st->late < 10);

	/* with a marker bit the jump is followed at once */
	static struct jb jb2;
	struct sim s2 = { 0 };
	assert_int_equal(jb_init(&jb2, NULL), 0);
	sim_stream(&s2, 600, 0, 0, 0, d_none);
	for (unsigned i = 300; i < 600; i++)
		s2.p[i].ts -= 8000u * 60; /* backwards a minute */
	s2.p[300].marker = true;
	sim_run(&s2, &jb2);
	st = jb_stats(&jb2, s2.end_us);
	assert_int_equal(st->resync, 1);
	assert_true(st->played >= 600 - 5);
	assert_int_equal(st->late, 0);
	sim_free(&s);
	sim_free(&s2);
}

static void seq_ts_wrap(void **state)
{
	static struct jb jb;
	struct sim s = { 0 };

	rng_state = 9;
	assert_int_equal(jb_init(&jb, NULL), 0);
	sim_stream(&s, 1000, 0xffffffffu - 160u * 300, 65535 - 200, 0, d_20);
	sim_run(&s, &jb);
	const struct jb_stats *st = jb_stats(&jb, s.end_us);
	assert_int_equal(st->resync, 0);
	assert_int_equal(st->overflow, 0);
	assert_true(st->late < 20);
	assert_true(st->played + st->late >= 1000 - 2);
	assert_int_equal(s.order_errors, 0);
	sim_free(&s);
}

/* A talker pause (no packets for 2 s, timestamps keep running): the buffer
 * goes idle after 3 concealed frames and counts no more loss. */
static void dtx_pause(void **state)
{
	static struct jb jb;
	struct sim s = { 0 };

	assert_int_equal(jb_init(&jb, NULL), 0);
	sim_stream(&s, 600, 0, 0, 0, d_none);
	unsigned w = 0;
	for (unsigned i = 0; i < s.n; i++) {
		if (i >= 200 && i < 300)
			continue;
		s.p[w] = s.p[i];
		s.p[w].marker = i == 300;
		s.p[w].seq = (uint16_t)w; /* seq has no gap in DTX */
		w++;
	}
	s.n = w;
	sim_run(&s, &jb);
	const struct jb_stats *st = jb_stats(&jb, s.end_us);
	assert_int_equal(st->lost, 3 + 3); /* pause and end of stream */
	assert_int_equal(st->played, 500);
	assert_int_equal(st->late, 0);
	assert_int_equal(st->resync, 0);
	assert_true(s.silence >= 95);
	sim_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_cfg),
		cmocka_unit_test(adapt_step),
		cmocka_unit_test(reorder),
		cmocka_unit_test(loss),
		cmocka_unit_test(skew_fast),
		cmocka_unit_test(skew_slow),
		cmocka_unit_test(ts_jump_and_ssrc),
		cmocka_unit_test(seq_ts_wrap),
		cmocka_unit_test(dtx_pause),
	};
	return cmocka_run_group_tests_name("media_jb", tests, NULL, NULL);
}
