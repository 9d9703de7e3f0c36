/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: 30 ms and 10 ms G.711 payloads re-framed into 20 ms frames; gaps, new SSRC,
 * oversized payloads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "repack.h"

static uint8_t stream[8000];

static void fill_stream(void)
{
	for (size_t i = 0; i < sizeof(stream); i++)
		stream[i] = (uint8_t)(i * 7 + i / 251);
}

static void ptime30(void **st)
{
	(void)st;
	fill_stream();
	struct repack r = {0};
	struct repack_frame out[REPACK_MAX_OUT];
	uint32_t ts0 = 4000000000u; /* wraps during the run */
	int total = 0;
	for (uint32_t k = 0; k < 32; k++) {
		int n = repack_put(&r, 7, ts0 + k * 240, stream + k * 240, 240, out);
		assert_int_equal(n, (k % 2) ? 2 : 1); /* 240, 480 -> 1, 2 frames alternately */
		for (int i = 0; i < n; i++, total++) {
			assert_int_equal(out[i].ts, ts0 + (uint32_t)total * 160);
			assert_memory_equal(out[i].data, stream + total * 160, 160);
		}
	}
	assert_int_equal(total, 32 * 240 / 160);
	assert_int_equal(r.restarts, 0);
}

static void ptime10(void **st)
{
	(void)st;
	fill_stream();
	struct repack r = {0};
	struct repack_frame out[REPACK_MAX_OUT];
	assert_int_equal(repack_put(&r, 1, 80, stream, 80, out), 0);
	assert_int_equal(repack_put(&r, 1, 160, stream + 80, 80, out), 1);
	assert_int_equal(out[0].ts, 80);
	assert_memory_equal(out[0].data, stream, 160);
}

static void gap_restarts(void **st)
{
	(void)st;
	fill_stream();
	struct repack r = {0};
	struct repack_frame out[REPACK_MAX_OUT];
	assert_int_equal(repack_put(&r, 1, 0, stream, 240, out), 1);
	/* packet at 240 lost: 480 restarts the framing there, the 80 pending samples are dropped */
	assert_int_equal(repack_put(&r, 1, 480, stream + 480, 240, out), 1);
	assert_int_equal(out[0].ts, 480);
	assert_memory_equal(out[0].data, stream + 480, 160);
	assert_int_equal(r.restarts, 1);
	assert_int_equal(r.partial_dropped, 1);
	/* new SSRC restarts too */
	assert_int_equal(repack_put(&r, 2, 720, stream, 240, out), 1);
	assert_int_equal(r.restarts, 2);
	assert_int_equal(out[0].ts, 720);
}

static void oversized(void **st)
{
	(void)st;
	struct repack r = {0};
	struct repack_frame out[REPACK_MAX_OUT];
	assert_int_equal(repack_put(&r, 1, 0, stream, 1281, out), -1);
	assert_int_equal(r.refused, 1);
	assert_int_equal(repack_put(&r, 1, 0, stream, 1280, out), 8);
	assert_int_equal(repack_put(&r, 1, 1280, stream, 0, out), 0); /* empty payload: nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ptime30),
		cmocka_unit_test(ptime10),
		cmocka_unit_test(gap_restarts),
		cmocka_unit_test(oversized),
	};
	return cmocka_run_group_tests_name("media_repack", tests, NULL, NULL);
}
