/* SPDX-License-Identifier: BSD-3-Clause */
/* test_wav.c — control/ctl_rec: the WAV header of recordings (RIFF sizes, fmt fields) for mono
 * and dual, and the names of the termination reasons. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_rec.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void mono(void **st)
{
	(void)st;
	uint8_t h[CTL_WAV_HDR];
	ctl_wav_header(h, 1, 8000, 48000);
	assert_memory_equal(h, "RIFF", 4);
	assert_int_equal(le32(h + 4), 36 + 48000);
	assert_memory_equal(h + 8, "WAVEfmt ", 8);
	assert_int_equal(le32(h + 16), 16);
	assert_int_equal(le16(h + 20), 1);
	assert_int_equal(le16(h + 22), 1);
	assert_int_equal(le32(h + 24), 8000);
	assert_int_equal(le32(h + 28), 16000);
	assert_int_equal(le16(h + 32), 2);
	assert_int_equal(le16(h + 34), 16);
	assert_memory_equal(h + 36, "data", 4);
	assert_int_equal(le32(h + 40), 48000);
}

static void dual(void **st)
{
	(void)st;
	uint8_t h[CTL_WAV_HDR];
	ctl_wav_header(h, 2, 8000, 64000);
	assert_int_equal(le16(h + 22), 2);
	assert_int_equal(le32(h + 28), 32000); /* byte rate */
	assert_int_equal(le16(h + 32), 4);     /* block align: one L/R pair */
	assert_int_equal(le32(h + 40), 64000);
	/* the provisional header of an open recording: empty data */
	ctl_wav_header(h, 2, 8000, 0);
	assert_int_equal(le32(h + 4), 36);
	assert_int_equal(le32(h + 40), 0);
}

static void reason_names(void **st)
{
	(void)st;
	assert_string_equal(ctl_term_reason_name(VOX_TERM_MAX_DIGITS), "max_digits");
	assert_string_equal(ctl_term_reason_name(VOX_TERM_FINISH_KEY), "finish_key");
	assert_string_equal(ctl_term_reason_name(VOX_TERM_TIMEOUT), "timeout");
	assert_string_equal(ctl_term_reason_name(VOX_TERM_STOPPED), "stopped");
	assert_string_equal(ctl_term_reason_name(VOX_TERM_MAX_LENGTH), "max_length");
	assert_string_equal(ctl_term_reason_name(VOX_TERM_SILENCE), "silence");
	assert_string_equal(ctl_term_reason_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mono),
		cmocka_unit_test(dual),
		cmocka_unit_test(reason_names),
	};
	return cmocka_run_group_tests_name("control_wav", tests, NULL, NULL);
}
