/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: in-band DTMF detection on generated tones, noise, and no-tone audio. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "dtmf_inband.h"

#define FS 8000
/* Peak amplitude of a 0 dBm0 sine in 16-bit linear: G.711's full-scale
 * sine is +3.14 dBm0. */
#define DBM0_PEAK (32768.0 * 0.69823)

static const char digits[] = "123A456B789C*0#D";
static const int rowf[4] = { 697, 770, 852, 941 };
static const int colf[4] = { 1209, 1336, 1477, 1633 };
static const char keypad[4][5] = { "123A", "456B", "789C", "*0#D" };

static uint32_t rs = 99;

/* Roughly Gaussian noise (sum of 4 uniforms), unit variance. */
static double gauss(void)
{
	double s = 0;
	for (int i = 0; i < 4; i++) {
		rs = rs * 1664525u + 1013904223u;
		s += (double)(rs >> 8) / (1u << 24) - 0.5;
	}
	return s * sqrt(3.0); /* variance of 4 uniforms is 4/12 */
}

/* Write the digit string as 80 ms tone / 80 ms pause at level_dbm0 per
 * tone, with white noise at noise_dbm0 (RMS; < -90 for none). Returns samples. */
static size_t make_tones(int16_t *buf, size_t cap, const char *s, double level_dbm0,
	double noise_dbm0)
{
	double a = DBM0_PEAK * pow(10.0, level_dbm0 / 20.0);
	double nrms = DBM0_PEAK / sqrt(2.0) * pow(10.0, noise_dbm0 / 20.0);
	size_t n = 0;

	for (; *s; s++) {
		int r = -1, c = -1;
		for (int i = 0; i < 4; i++)
			for (int j = 0; j < 4; j++)
				if (keypad[i][j] == *s)
					r = i, c = j;
		assert_true(r >= 0);
		for (int k = 0; k < 2 * 640 && n < cap; k++, n++) {
			double v = 0;
			if (k < 640)
				v = a * (sin(2 * M_PI * rowf[r] * k / FS) +
					sin(2 * M_PI * colf[c] * k / FS));
			if (noise_dbm0 > -90)
				v += nrms * gauss();
			buf[n] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
		}
	}
	return n;
}

static void detect(const int16_t *pcm, size_t n, char *got, size_t cap)
{
	static struct dtmf_inband d;
	size_t k = 0;

	assert_int_equal(dtmf_inband_init(&d, 0), 0);
	for (size_t i = 0; i < n; i += 160) {
		dtmf_inband_rx(&d, pcm + i, n - i < 160 ? n - i : 160);
		char c;
		while ((c = dtmf_inband_pop(&d)) && k + 1 < cap)
			got[k++] = c;
	}
	/* trailing silence flushes the last digit */
	int16_t z[160] = { 0 };
	for (int i = 0; i < 10; i++)
		dtmf_inband_rx(&d, z, 160);
	char c;
	while ((c = dtmf_inband_pop(&d)) && k + 1 < cap)
		got[k++] = c;
	got[k] = '\0';
	dtmf_inband_fini(&d);
}

static int16_t pcm[20 * 1280 + 1600];

static void levels(void **state)
{
	static const double lv[] = { -10, -20, -30 };
	for (unsigned i = 0; i < 3; i++) {
		char got[64];
		size_t n = make_tones(pcm, sizeof(pcm) / 2, digits, lv[i], -100);
		detect(pcm, n, got, sizeof(got));
		print_message("inband %.0f dBm0: \"%s\"\n", lv[i], got);
		assert_string_equal(got, digits);
	}
}

static void with_noise(void **state)
{
	char got[64];
	/* -20 dBm0 tones, white noise 20 dB below each tone */
	size_t n = make_tones(pcm, sizeof(pcm) / 2, digits, -20, -40);
	detect(pcm, n, got, sizeof(got));
	print_message("inband -20 dBm0 + noise -40 dBm0: \"%s\"\n", got);
	assert_string_equal(got, digits);
	/* -10 dBm0 tones, noise at -30 */
	n = make_tones(pcm, sizeof(pcm) / 2, "0#9*", -10, -30);
	detect(pcm, n, got, sizeof(got));
	assert_string_equal(got, "0#9*");
}

static void noise_alone(void **state)
{
	static int16_t buf[FS * 10];
	noise_state_t *ns;
	char got[64];

	/* 10 s of Hoth (speech-spectrum) noise at -15 dBm0 */
	ns = noise_init_dbm0(NULL, 1234, -15.0f, NOISE_CLASS_HOTH, 7);
	for (size_t i = 0; i < sizeof(buf) / 2; i++)
		buf[i] = noise(ns);
	noise_free(ns);
	detect(buf, sizeof(buf) / 2, got, sizeof(got));
	assert_string_equal(got, "");
	/* 10 s of white noise at -10 dBm0 */
	ns = noise_init_dbm0(NULL, 77, -10.0f, NOISE_CLASS_AWGN, 7);
	for (size_t i = 0; i < sizeof(buf) / 2; i++)
		buf[i] = noise(ns);
	noise_free(ns);
	detect(buf, sizeof(buf) / 2, got, sizeof(got));
	assert_string_equal(got, "");
	/* a single 1 kHz test tone is not a digit */
	for (size_t i = 0; i < sizeof(buf) / 2; i++)
		buf[i] = (int16_t)(DBM0_PEAK * 0.3 * sin(2 * M_PI * 1000 * (double)i / FS));
	detect(buf, sizeof(buf) / 2, got, sizeof(got));
	assert_string_equal(got, "");
}

static void queue_bound(void **state)
{
	static struct dtmf_inband d;
	char got[64];
	size_t n = make_tones(pcm, sizeof(pcm) / 2, "1234567890123456789", -10, -100);

	assert_true(n <= sizeof(pcm) / 2);
	assert_int_equal(dtmf_inband_init(&d, -40), 0);
	dtmf_inband_rx(&d, pcm, n);
	int16_t z[800] = { 0 };
	dtmf_inband_rx(&d, z, 800);
	size_t k = 0;
	char c;
	while ((c = dtmf_inband_pop(&d)))
		got[k++] = c;
	got[k] = 0;
	/* 19 digits detected, the first 16 kept */
	assert_int_equal(d.digits, 19);
	assert_int_equal(d.dropped, 3);
	assert_string_equal(got, "1234567890123456");
	dtmf_inband_fini(&d);
	assert_int_equal(dtmf_inband_init(&d, 3), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(levels),
		cmocka_unit_test(with_noise),
		cmocka_unit_test(noise_alone),
		cmocka_unit_test(queue_bound),
	};
	return cmocka_run_group_tests_name("media_dtmf_inband", tests, NULL, NULL);
}
