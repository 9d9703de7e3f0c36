/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: tone generation (frequencies by Goertzel, levels, cadence, digit strings with
 * pauses, exact lengths) and round trip through spandsp's DTMF detector. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "dtmf_inband.h"
#include "tonegen.h"

#define MAXS (8000 * 40)
static int16_t buf[MAXS];

/* Run g to its end (or cap samples); returns samples produced. */
static size_t run(struct tonegen *g, size_t cap)
{
	size_t n = 0;
	while (n + TONEGEN_FRAME <= cap && tonegen_frame(g, buf + n))
		n += TONEGEN_FRAME;
	return n;
}

/* Goertzel power of f over pcm[0..n), normalised so a sine of amplitude A gives A^2/4. */
static double goertzel(const int16_t *pcm, size_t n, double f)
{
	double w = 2.0 * M_PI * f / 8000.0, k = 2.0 * cos(w), s1 = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		double s = pcm[i] + k * s1 - s2;
		s2 = s1;
		s1 = s;
	}
	double p = s1 * s1 + s2 * s2 - k * s1 * s2;
	return p / ((double)n * n);
}

static double rms(const int16_t *pcm, size_t n)
{
	double e = 0;
	for (size_t i = 0; i < n; i++)
		e += (double)pcm[i] * pcm[i];
	return n ? sqrt(e / n) : 0;
}

static void sine_frequency_and_level(void **st)
{
	(void)st;
	struct tonegen g;
	tonegen_sine(&g, 1000, 0, 10, 1000);
	size_t n = run(&g, MAXS);
	assert_int_equal(n, 8000); /* exactly 1 s */
	double p1k = goertzel(buf, n, 1000), p900 = goertzel(buf, n, 900), p1100 = goertzel(buf, n, 1100);
	assert_true(p1k > 1000.0 * p900);
	assert_true(p1k > 1000.0 * p1100);
	/* -10 dBm0: peak 22798 * 10^-0.5 = 7209, RMS 5098 */
	double r = rms(buf, n);
	assert_true(r > 5098 * 0.97 && r < 5098 * 1.03);
	assert_false(tonegen_frame(&g, buf)); /* over, stays over */
}

static void ringback_cadence(void **st)
{
	(void)st;
	struct tonegen g;
	tonegen_ringback(&g, 16, 12000);
	size_t n = run(&g, MAXS);
	assert_int_equal(n, 12 * 8000);
	/* 0..2 s: 440 + 480; 2..6 s: silent; 6..8 s: tone again */
	assert_true(goertzel(buf, 16000, 440) > 1e5);
	assert_true(goertzel(buf, 16000, 480) > 1e5);
	assert_true(goertzel(buf, 16000, 1000) < 1e2);
	assert_true(rms(buf + 16000, 32000) == 0.0);
	assert_true(goertzel(buf + 48000, 16000, 440) > 1e5);
	assert_true(rms(buf + 64000, 32000) == 0.0);
}

static void ringback_until_stopped(void **st)
{
	(void)st;
	struct tonegen g;
	tonegen_ringback(&g, 10, 0);
	size_t n = run(&g, 30 * 8000);
	assert_int_equal(n, 30 * 8000); /* still going when we stopped pulling */
	assert_true(g.active);
}

static void digits_with_pauses(void **st)
{
	(void)st;
	struct tonegen g;
	assert_int_equal(tonegen_digits(&g, "ww12#", 5, 0, 0, 10), 0);
	size_t n = run(&g, MAXS);
	/* 2 x 0.5 s, then 3 x (100 ms tone + 100 ms gap) = 1.6 s */
	assert_int_equal(n, 12800);
	assert_true(rms(buf, 8000) == 0.0);
	const int16_t *d1 = buf + 8000, *d2 = buf + 9600, *dh = buf + 11200;
	uint16_t lo, hi;
	assert_true(tonegen_dtmf_freqs('1', &lo, &hi));
	assert_int_equal(lo, 697);
	assert_int_equal(hi, 1209);
	assert_true(goertzel(d1, 800, 697) > 100 * goertzel(d1, 800, 770));
	assert_true(goertzel(d1, 800, 1209) > 100 * goertzel(d1, 800, 1336));
	assert_true(goertzel(d2, 800, 697) > 100 * goertzel(d2, 800, 852));
	assert_true(goertzel(d2, 800, 1336) > 100 * goertzel(d2, 800, 1209));
	assert_true(goertzel(dh, 800, 941) > 100 * goertzel(dh, 800, 697));
	assert_true(goertzel(dh, 800, 1477) > 100 * goertzel(dh, 800, 1336));
	assert_true(rms(d1 + 800, 800) == 0.0); /* the gap */
}

static void digits_detected(void **st)
{
	(void)st;
	struct tonegen g;
	static const char s[] = "0123456789*#ABCD";
	assert_int_equal(tonegen_digits(&g, s, 16, 80, 80, 20), 0);
	size_t n = run(&g, MAXS);
	struct dtmf_inband d;
	assert_int_equal(dtmf_inband_init(&d, 0), 0);
	for (size_t i = 0; i < n; i += 160)
		dtmf_inband_rx(&d, buf + i, 160);
	char got[32];
	int k = 0;
	for (char c; (c = dtmf_inband_pop(&d)) != 0 && k < 31;)
		got[k++] = c;
	got[k] = 0;
	assert_string_equal(got, s);
	dtmf_inband_fini(&d);
}

static void bad_digits(void **st)
{
	(void)st;
	struct tonegen g;
	assert_int_equal(tonegen_digits(&g, "12x", 3, 0, 0, 10), -EINVAL);
	assert_false(tonegen_frame(&g, buf));
	assert_int_equal(tonegen_digits(&g, "", 0, 0, 0, 10), -EINVAL);
	assert_int_equal(tonegen_digits(&g, "012345678901234567890123456789012", 33, 0, 0, 10), -EINVAL);
	uint16_t lo, hi;
	assert_false(tonegen_dtmf_freqs('x', &lo, &hi));
	assert_false(tonegen_dtmf_freqs(0, &lo, &hi));
}

static void silence_length(void **st)
{
	(void)st;
	struct tonegen g;
	tonegen_silence(&g, 250); /* not a whole number of frames: last frame padded */
	size_t n = run(&g, MAXS);
	assert_int_equal(n, 13 * 160);
	assert_true(rms(buf, n) == 0.0);
}

static void long_run_stays_stable(void **st)
{
	(void)st;
	struct tonegen g;
	tonegen_sine(&g, 1000, 0, 10, 0);
	int16_t f[TONEGEN_FRAME];
	for (int i = 0; i < 50 * 600; i++) /* 10 minutes */
		assert_true(tonegen_frame(&g, f));
	double r = rms(f, TONEGEN_FRAME);
	assert_true(r > 5098 * 0.95 && r < 5098 * 1.05);
}

/* National ringing tones: a single ring (425 Hz, 1 s on / 4 s off) and the British double ring
 * (400 + 450 Hz, 0.4 on, 0.2 off, 0.4 on, 2 s off), cut at ms. */
static void national_rings(void **st)
{
	(void)st;
	struct tonegen g;
	tonegen_ring(&g, 425, 0, 1000, 4000, false, 10, 10000);
	size_t n = run(&g, MAXS);
	assert_int_equal(n, 10 * 8000);
	assert_true(goertzel(buf, 8000, 425) > 1e5);
	assert_true(goertzel(buf, 8000, 440) < goertzel(buf, 8000, 425) / 100);
	assert_true(rms(buf + 8000, 32000) == 0.0); /* 1..5 s */
	assert_true(goertzel(buf + 40000, 8000, 425) > 1e5); /* 5..6 s: again */
	assert_true(rms(buf + 48000, 32000) == 0.0);

	tonegen_ring(&g, 400, 450, 400, 2000, true, 10, 0);
	n = run(&g, 6 * 8000);
	assert_int_equal(n, 6 * 8000); /* ms = 0: still going */
	assert_true(goertzel(buf, 3200, 400) > 1e5 && goertzel(buf, 3200, 450) > 1e5);
	assert_true(rms(buf + 3200, 1600) == 0.0);                 /* 0.4..0.6 s */
	assert_true(goertzel(buf + 4800, 3200, 450) > 1e5);        /* 0.6..1.0 s */
	assert_true(rms(buf + 8000, 16000) == 0.0);                /* 1.0..3.0 s */
	assert_true(goertzel(buf + 24000, 3200, 400) > 1e5);       /* 3.0 s: the next cycle */
	assert_true(g.active);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sine_frequency_and_level),
		cmocka_unit_test(ringback_cadence),
		cmocka_unit_test(ringback_until_stopped),
		cmocka_unit_test(national_rings),
		cmocka_unit_test(digits_with_pauses),
		cmocka_unit_test(digits_detected),
		cmocka_unit_test(bad_digits),
		cmocka_unit_test(silence_length),
		cmocka_unit_test(long_run_stays_stable),
	};
	return cmocka_run_group_tests_name("media_tonegen", tests, NULL, NULL);
}
