/* SPDX-License-Identifier: BSD-3-Clause */
/* tonegen.c — segment programs of one or two sines (ringback, beep, DTMF strings, silence). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "tonegen.h"

/*
 * Amplitudes: 0 dBm0 is a sine of peak 22798 in 16-bit linear (G.711's 3.14 dBm0 overload
 * point at full scale). Segment changes happen inside a frame, so a digit's 100 ms is exact to
 * the sample; the oscillator of a segment starts at phase 0. Rotations are computed with libm
 * once per segment (control path), then each sample is one complex multiply; the magnitude is
 * renormalised at every frame so float rounding cannot make it drift.
 */
#define TONEGEN_0DBM0 22798.0f

static void gen_reset(struct tonegen *g, uint8_t level)
{
	memset(g, 0, sizeof(*g));
	g->amp = TONEGEN_0DBM0 * powf(10.0f, -(float)(level ? level : 10) / 20.0f);
	g->active = true;
}

static void add_seg(struct tonegen *g, uint16_t f1, uint16_t f2, uint32_t ms)
{
	if (g->n_seg < TONEGEN_SEGS && ms)
		g->seg[g->n_seg++] = (struct tonegen_seg){.f1 = f1, .f2 = f2, .n = ms * 8u};
}

static void seg_enter(struct tonegen *g)
{
	const struct tonegen_seg *s = &g->seg[g->cur];
	g->left = s->n;
	double w1 = 2.0 * M_PI * s->f1 / 8000.0, w2 = 2.0 * M_PI * s->f2 / 8000.0;
	g->c1 = g->c2 = 1.0f;
	g->s1 = g->s2 = 0.0f;
	g->rc1 = (float)cos(w1);
	g->rs1 = (float)sin(w1);
	g->rc2 = (float)cos(w2);
	g->rs2 = (float)sin(w2);
}

static void gen_begin(struct tonegen *g)
{
	if (g->n_seg == 0) {
		g->active = false;
		return;
	}
	g->cur = 0;
	seg_enter(g);
}

void tonegen_sine(struct tonegen *g, uint16_t f1, uint16_t f2, uint8_t level, uint32_t ms)
{
	gen_reset(g, level);
	/* one long segment looped: ms = 0 plays until stopped */
	add_seg(g, f1, f2, 1000);
	g->loop = true;
	g->total = ms * 8u;
	gen_begin(g);
}

void tonegen_ringback(struct tonegen *g, uint8_t level, uint32_t ms)
{
	gen_reset(g, level);
	add_seg(g, 440, 480, 2000);
	add_seg(g, 0, 0, 4000);
	g->loop = true;
	g->total = ms * 8u;
	gen_begin(g);
}

void tonegen_ring(struct tonegen *g, uint16_t f1, uint16_t f2, uint16_t on_ms, uint16_t off_ms,
		  bool twice, uint8_t level, uint32_t ms)
{
	gen_reset(g, level);
	add_seg(g, f1, f2, on_ms);
	if (twice) {
		add_seg(g, 0, 0, 200);
		add_seg(g, f1, f2, on_ms);
	}
	add_seg(g, 0, 0, off_ms);
	g->loop = true;
	g->total = ms * 8u;
	gen_begin(g);
}

void tonegen_silence(struct tonegen *g, uint32_t ms)
{
	gen_reset(g, 10);
	add_seg(g, 0, 0, ms);
	gen_begin(g);
}

bool tonegen_dtmf_freqs(char c, uint16_t *lo, uint16_t *hi)
{
	static const char keys[] = "123A456B789C*0#D";
	static const uint16_t row[4] = {697, 770, 852, 941}, col[4] = {1209, 1336, 1477, 1633};
	if (c >= 'a' && c <= 'd')
		c = (char)(c - 'a' + 'A');
	const char *p = c ? strchr(keys, c) : NULL;
	if (!p)
		return false;
	*lo = row[(p - keys) / 4];
	*hi = col[(p - keys) % 4];
	return true;
}

int tonegen_digits(struct tonegen *g, const char *s, uint32_t len, uint16_t on_ms, uint16_t off_ms,
		   uint8_t level)
{
	if (len == 0 || len > TONEGEN_DIGITS_MAX)
		return -EINVAL;
	gen_reset(g, level);
	on_ms = on_ms ? on_ms : 100;
	off_ms = off_ms ? off_ms : 100;
	for (uint32_t i = 0; i < len; i++) {
		uint16_t lo, hi;
		if (s[i] == 'w' || s[i] == 'W') {
			add_seg(g, 0, 0, s[i] == 'w' ? 500 : 1000);
		} else if (tonegen_dtmf_freqs(s[i], &lo, &hi)) {
			add_seg(g, lo, hi, on_ms);
			add_seg(g, 0, 0, off_ms);
		} else {
			g->active = false;
			return -EINVAL;
		}
	}
	gen_begin(g);
	return 0;
}

static float renorm(float *c, float *s)
{
	float m = sqrtf(*c * *c + *s * *s);
	if (m > 0.0f) {
		*c /= m;
		*s /= m;
	}
	return m;
}

/* Samples [i, i + n) of the current segment (no boundary inside). */
static void seg_run(struct tonegen *g, int16_t *out, uint32_t n)
{
	const struct tonegen_seg *s = &g->seg[g->cur];
	if (!s->f1) {
		memset(out, 0, n * sizeof(*out));
		return;
	}
	float c1 = g->c1, s1 = g->s1, c2 = g->c2, s2 = g->s2, amp = g->amp;
	const float rc1 = g->rc1, rs1 = g->rs1, rc2 = g->rc2, rs2 = g->rs2;
	const float k2 = s->f2 ? 1.0f : 0.0f;
	for (uint32_t i = 0; i < n; i++) {
		/* two sines above about -6 dBm0 each can exceed int16: clamp */
		float x = (s1 + k2 * s2) * amp;
		out[i] = (int16_t)(x > 32767.0f ? 32767.0f : x < -32768.0f ? -32768.0f : x);
		float c = c1 * rc1 - s1 * rs1;
		s1 = s1 * rc1 + c1 * rs1;
		c1 = c;
		c = c2 * rc2 - s2 * rs2;
		s2 = s2 * rc2 + c2 * rs2;
		c2 = c;
	}
	g->c1 = c1;
	g->s1 = s1;
	g->c2 = c2;
	g->s2 = s2;
}

bool tonegen_frame(struct tonegen *g, int16_t out[TONEGEN_FRAME])
{
	if (!g->active || (g->total && g->done >= g->total) ||
	    (g->left == 0 && !g->loop && g->cur + 1u >= g->n_seg)) {
		g->active = false;
		return false;
	}
	uint32_t i = 0;
	while (i < TONEGEN_FRAME) {
		if (g->total && g->done >= g->total)
			break; /* the limit falls inside this frame: pad it */
		if (g->left == 0) {
			if (++g->cur >= g->n_seg) {
				if (!g->loop) {
					g->active = false;
					break;
				}
				g->cur = 0;
			}
			seg_enter(g);
			continue;
		}
		uint32_t n = TONEGEN_FRAME - i;
		if (n > g->left)
			n = g->left;
		if (g->total && n > g->total - g->done)
			n = g->total - g->done;
		seg_run(g, out + i, n);
		i += n;
		g->left -= n;
		g->done += n;
	}
	if (i < TONEGEN_FRAME)
		memset(out + i, 0, (TONEGEN_FRAME - i) * sizeof(*out));
	renorm(&g->c1, &g->s1);
	renorm(&g->c2, &g->s2);
	/* a program that ended exactly at the frame end reports the frame, then false */
	return true;
}
