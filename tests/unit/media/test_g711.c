/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: G.711 against the ITU-T G.711 tables and spandsp's decoder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <errno.h>
#include <cmocka.h>

#include <spandsp.h>

#include "g711.h"

/* G.711 Table 2a (mu-law): decoder output value of the first and last code of
 * each of the 8 segments, 14-bit units. */
static const int ulaw_seg_first[8] = { 0, 33, 99, 231, 495, 1023, 2079, 4191 };
static const int ulaw_seg_last[8] = { 30, 93, 219, 471, 975, 1983, 3999, 8031 };
/* G.711 Table 1a (A-law): decoder outputs, 13-bit units (value 1 = half step). */
static const int alaw_seg_first[8] = { 1, 33, 66, 132, 264, 528, 1056, 2112 };
static const int alaw_seg_last[8] = { 31, 63, 126, 252, 504, 1008, 2016, 4032 };

static void ulaw_decode_formula(void **state)
{
	for (int c = 0; c < 256; c++) {
		int u = ~c & 0xff;
		int e = (u >> 4) & 7, m = u & 15;
		int y14 = ((2 * m + 33) << e) - 33;
		int want = (u & 0x80) ? -4 * y14 : 4 * y14;
		assert_int_equal(g711_ulaw_decode((uint8_t)c), want);
		assert_int_equal(g711_ulaw_decode((uint8_t)c), ulaw_to_linear((uint8_t)c));
	}
	for (int e = 0; e < 8; e++) {
		/* positive codes: 0x80 | ~(e<<4 | m) */
		uint8_t first = (uint8_t)~(e << 4), last = (uint8_t)~((e << 4) | 15);
		assert_int_equal(g711_ulaw_decode(first), 4 * ulaw_seg_first[e]);
		assert_int_equal(g711_ulaw_decode(last), 4 * ulaw_seg_last[e]);
		assert_int_equal(g711_ulaw_decode(first & 0x7f), -4 * ulaw_seg_first[e]);
	}
	assert_int_equal(g711_ulaw_decode(0xff), 0);
	assert_int_equal(g711_ulaw_decode(0x7f), 0);
	assert_int_equal(g711_ulaw_decode(0x80), 32124);
	assert_int_equal(g711_ulaw_decode(0x00), -32124);
}

static void alaw_decode_formula(void **state)
{
	for (int c = 0; c < 256; c++) {
		int a = c ^ 0x55;
		int e = (a >> 4) & 7, m = a & 15;
		int y13 = e == 0 ? 2 * m + 1 : (2 * m + 33) << (e - 1);
		int want = (a & 0x80) ? 8 * y13 : -8 * y13;
		assert_int_equal(g711_alaw_decode((uint8_t)c), want);
		assert_int_equal(g711_alaw_decode((uint8_t)c), alaw_to_linear((uint8_t)c));
	}
	for (int e = 0; e < 8; e++) {
		uint8_t first = (uint8_t)((0x80 | (e << 4)) ^ 0x55);
		uint8_t last = (uint8_t)((0x80 | (e << 4) | 15) ^ 0x55);
		assert_int_equal(g711_alaw_decode(first), 8 * alaw_seg_first[e]);
		assert_int_equal(g711_alaw_decode(last), 8 * alaw_seg_last[e]);
		assert_int_equal(g711_alaw_decode(first ^ 0x80), -8 * alaw_seg_first[e]);
	}
}

static void ulaw_encode_reference(void **state)
{
	/* silence; the bias 0x84 (33 in 14-bit units) moves segment edges to 2^k - 33 */
	assert_int_equal(g711_ulaw_encode(0), 0xff);
	assert_int_equal(g711_ulaw_encode(-1), 0x7f);
	assert_int_equal(g711_ulaw_encode(32767), 0x80);
	assert_int_equal(g711_ulaw_encode(-32768), 0x00);
	for (int e = 1; e < 8; e++) {
		/* G.711 table 2a decision level opening segment e: (32 << e) - 33
		 * (31, 95, 223, ... 4063), in 14-bit units */
		int edge = 4 * ((32 << e) - 33);
		assert_int_equal(g711_ulaw_encode((int16_t)edge), (uint8_t)~(e << 4));
		assert_int_equal(g711_ulaw_encode((int16_t)(edge - 4)), (uint8_t)~(((e - 1) << 4) | 15));
	}
}

static void alaw_encode_reference(void **state)
{
	/* even-bit inversion: the smallest magnitudes give 0xd5 / 0x55 */
	assert_int_equal(g711_alaw_encode(0), 0xd5);
	assert_int_equal(g711_alaw_encode(-1), 0x55);
	assert_int_equal(g711_alaw_encode(32767), 0xaa);
	assert_int_equal(g711_alaw_encode(-32768), 0x2a);
	for (int e = 1; e < 8; e++) {
		int edge = 256 << (e - 1); /* first 16-bit value of segment e */
		assert_int_equal(g711_alaw_encode((int16_t)edge), (uint8_t)((0x80 | (e << 4)) ^ 0x55));
		assert_int_equal(g711_alaw_encode((int16_t)(edge - 1)),
			(uint8_t)((0x80 | ((e - 1) << 4) | 15) ^ 0x55));
	}
}

static void roundtrip_codes(void **state)
{
	for (int c = 0; c < 256; c++) {
		if (c != 0x7f) /* mu-law negative zero re-encodes as 0xff */
			assert_int_equal(g711_ulaw_encode(g711_ulaw_decode((uint8_t)c)), c);
		assert_int_equal(g711_alaw_encode(g711_alaw_decode((uint8_t)c)), c);
	}
}

static void roundtrip_error_bounds(void **state)
{
	/* |x - dec(enc(x))| is at most half a quantisation step of x's segment
	 * (plus the clipping region past the top decision level). */
	for (int x = -32768; x <= 32767; x++) {
		int ax = abs(x);
		int yu = g711_ulaw_decode(g711_ulaw_encode((int16_t)x));
		int ya = g711_alaw_decode(g711_alaw_encode((int16_t)x));
		/* mu-law: step in segment e is 8 << e (16-bit units) */
		int e = 0;
		while (e < 7 && ax >= 4 * ((32 << (e + 1)) - 33))
			e++;
		int bu = ax > 32124 ? ax - 32124 + 4 : (8 << e) / 2 + 4;
		assert_true(abs(x - yu) <= bu);
		/* A-law: step 32 in segments 0 and 1, 16 << e after */
		int ea = 0;
		while (ea < 6 && ax >= (512 << ea))
			ea++;
		int ba = ax > 32256 ? ax - 32256 + 16 : (32 << ea) / 2 + 1;
		assert_true(abs(x - ya) <= ba);
		/* monotone and sign-preserving */
		if (x > 0) {
			assert_true(yu >= 0);
			assert_true(ya > 0);
		}
	}
}

/* Every input lies inside the decision interval of its code (G.711 tables
 * 1a/2a "decision values"): mu-law segment e, step m covers 14-bit values
 * [((16 + m) << (e + 1)) - 33, ((17 + m) << (e + 1)) - 33); A-law segment 0
 * covers 13-bit [2m, 2m + 2), segment e >= 1 [(16 + m) << e, (17 + m) << e).
 * Negative inputs are measured as -x - 1; the top step extends to full scale. */
static void encode_decision_intervals(void **state)
{
	for (int x = -32768; x <= 32767; x++) {
		int mag = x < 0 ? -x - 1 : x;
		uint8_t u = (uint8_t)~g711_ulaw_encode((int16_t)x);
		uint8_t a = g711_alaw_encode((int16_t)x) ^ 0x55;
		assert_int_equal(!!(u & 0x80), x < 0);
		assert_int_equal(!(a & 0x80), x < 0);

		int e = (u >> 4) & 7, m = u & 15;
		int lo = 4 * (((16 + m) << (e + 1)) - 33), hi = 4 * (((17 + m) << (e + 1)) - 33);
		if (e == 0 && m == 0)
			lo = 0;
		if (u == 0x7f || u == 0xff)
			hi = 1 << 20;
		if (mag < lo || mag >= hi)
			fail_msg("mu x=%d code %02x interval [%d,%d)", x, u, lo, hi);

		e = (a >> 4) & 7;
		m = a & 15;
		lo = e == 0 ? 16 * m : 8 * ((16 + m) << e);
		hi = e == 0 ? 16 * (m + 1) : 8 * ((17 + m) << e);
		if ((a & 0x7f) == 0x7f)
			hi = 1 << 20;
		if (mag < lo || mag >= hi)
			fail_msg("A x=%d code %02x interval [%d,%d)", x, a, lo, hi);
	}
}

static void frame_helpers(void **state)
{
	int16_t pcm[G711_FRAME_SAMPLES], out[G711_FRAME_SAMPLES];
	uint8_t code[G711_FRAME_SAMPLES];

	for (int i = 0; i < G711_FRAME_SAMPLES; i++)
		pcm[i] = (int16_t)((i * 409) - 32000);
	assert_int_equal(g711_encode_pt(G711_PT_PCMU, code, pcm, G711_FRAME_SAMPLES), 0);
	assert_int_equal(g711_decode_pt(G711_PT_PCMU, out, code, G711_FRAME_SAMPLES), 0);
	for (int i = 0; i < G711_FRAME_SAMPLES; i++) {
		assert_int_equal(code[i], g711_ulaw_encode(pcm[i]));
		assert_int_equal(out[i], g711_ulaw_decode(code[i]));
	}
	assert_int_equal(g711_encode_pt(G711_PT_PCMA, code, pcm, G711_FRAME_SAMPLES), 0);
	assert_int_equal(g711_decode_pt(G711_PT_PCMA, out, code, G711_FRAME_SAMPLES), 0);
	for (int i = 0; i < G711_FRAME_SAMPLES; i++) {
		assert_int_equal(code[i], g711_alaw_encode(pcm[i]));
		assert_int_equal(out[i], g711_alaw_decode(code[i]));
	}
	assert_int_equal(g711_encode_pt(18, code, pcm, 1), -EINVAL);
	assert_int_equal(g711_decode_pt(18, out, code, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ulaw_decode_formula),
		cmocka_unit_test(alaw_decode_formula),
		cmocka_unit_test(ulaw_encode_reference),
		cmocka_unit_test(alaw_encode_reference),
		cmocka_unit_test(roundtrip_codes),
		cmocka_unit_test(roundtrip_error_bounds),
		cmocka_unit_test(encode_decision_intervals),
		cmocka_unit_test(frame_helpers),
	};
	return cmocka_run_group_tests_name("media_g711", tests, NULL, NULL);
}
