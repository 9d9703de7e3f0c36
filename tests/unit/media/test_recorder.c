/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: recording frames (mono mix with saturation, dual interleave), max length and the
 * energy-based silence timeout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "recorder.h"

static void fill(int16_t *f, double amp, double hz, uint32_t *ph)
{
	for (int i = 0; i < RECORDER_FRAME; i++, (*ph)++)
		f[i] = (int16_t)(amp * sin(2 * M_PI * hz * *ph / 8000.0));
}

static void mono_mix(void **st)
{
	(void)st;
	struct recorder r;
	recorder_start(&r, 1, 0, 0, 0);
	int16_t far[160], near[160], out[320];
	for (int i = 0; i < 160; i++) {
		far[i] = (int16_t)(i * 100);
		near[i] = (int16_t)(i < 80 ? 30000 : -30000);
	}
	far[100] = -30000;
	assert_int_equal(recorder_frame_bytes(&r), 320);
	assert_int_equal(recorder_frame(&r, far, near, out), RECORDER_RUNNING);
	assert_int_equal(out[1], 30100);
	assert_int_equal(out[79], 32767);  /* 7900 + 30000 saturates */
	assert_int_equal(out[100], -32768); /* -30000 - 30000 saturates */
	assert_int_equal(out[120], 12000 - 30000);
	/* without our own audio: the far end alone */
	assert_int_equal(recorder_frame(&r, far, NULL, out), RECORDER_RUNNING);
	assert_memory_equal(out, far, sizeof(far));
	assert_int_equal(r.frames, 2);
}

static void dual_interleave(void **st)
{
	(void)st;
	struct recorder r;
	recorder_start(&r, 2, 0, 0, 0);
	int16_t far[160], near[160], out[320];
	for (int i = 0; i < 160; i++) {
		far[i] = (int16_t)i;
		near[i] = (int16_t)-i;
	}
	assert_int_equal(recorder_frame_bytes(&r), 640);
	recorder_frame(&r, far, near, out);
	for (int i = 0; i < 160; i++) {
		assert_int_equal(out[2 * i], i);
		assert_int_equal(out[2 * i + 1], -i);
	}
	recorder_frame(&r, far, NULL, out);
	assert_int_equal(out[3], 0);
	assert_int_equal(out[2], 1);
}

static void max_length(void **st)
{
	(void)st;
	struct recorder r;
	recorder_start(&r, 1, 1010, 0, 0); /* rounds up to 51 frames */
	int16_t far[160], out[160];
	uint32_t ph = 0;
	int n = 0;
	enum recorder_end e;
	do {
		fill(far, 8000, 440, &ph);
		e = recorder_frame(&r, far, NULL, out);
		n++;
	} while (e == RECORDER_RUNNING && n < 1000);
	assert_int_equal(e, RECORDER_MAX_LENGTH);
	assert_int_equal(n, 51);
	assert_false(r.active);
}

static void silence_timeout(void **st)
{
	(void)st;
	struct recorder r;
	recorder_start(&r, 1, 0, 2000, 0);
	int16_t f[160], out[160];
	uint32_t ph = 0;
	/* 1.5 s of quiet, then speech resets the count */
	for (int i = 0; i < 75; i++) {
		fill(f, 50, 300, &ph); /* mean |x| ~ 32: below the default level */
		assert_int_equal(recorder_frame(&r, f, NULL, out), RECORDER_RUNNING);
	}
	fill(f, 3000, 300, &ph);
	assert_true(recorder_frame_level(f) > RECORDER_SILENCE_LEVEL);
	assert_int_equal(recorder_frame(&r, f, NULL, out), RECORDER_RUNNING);
	assert_int_equal(r.quiet_run, 0);
	/* then 2 s of quiet end it: exactly at the 100th quiet frame */
	int n = 0;
	enum recorder_end e = RECORDER_RUNNING;
	while (e == RECORDER_RUNNING && n < 500) {
		memset(f, 0, sizeof(f));
		e = recorder_frame(&r, f, NULL, out);
		n++;
	}
	assert_int_equal(e, RECORDER_SILENCE);
	assert_int_equal(n, 100);
	/* loud audio of our own does not count as the caller speaking */
	recorder_start(&r, 1, 0, 100, 0);
	int16_t loud[160];
	fill(loud, 10000, 1000, &ph);
	memset(f, 0, sizeof(f));
	for (int i = 0; i < 4; i++)
		assert_int_equal(recorder_frame(&r, f, loud, out), RECORDER_RUNNING);
	assert_int_equal(recorder_frame(&r, f, loud, out), RECORDER_SILENCE);
}

static void level_measure(void **st)
{
	(void)st;
	int16_t f[160];
	for (int i = 0; i < 160; i++)
		f[i] = (int16_t)(i & 1 ? -32768 : 32767);
	assert_int_equal(recorder_frame_level(f), 32767);
	memset(f, 0, sizeof(f));
	assert_int_equal(recorder_frame_level(f), 0);
	struct recorder r;
	recorder_start(&r, 7, 0, 0, 500); /* odd channel count: mono */
	assert_int_equal(r.channels, 1);
	assert_int_equal(r.level, 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mono_mix),
		cmocka_unit_test(dual_interleave),
		cmocka_unit_test(max_length),
		cmocka_unit_test(silence_timeout),
		cmocka_unit_test(level_measure),
	};
	return cmocka_run_group_tests_name("media_recorder", tests, NULL, NULL);
}
