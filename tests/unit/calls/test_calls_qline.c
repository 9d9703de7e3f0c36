/* SPDX-License-Identifier: BSD-3-Clause */
/* test_calls_qline.c — a queue's line: FIFO by enqueue time, a requeued or restored member back
 * at its old place, removal, the figures the wait application is told (QueuePosition,
 * AvgQueueTime), the MaxSize bound; and the bundled hold music (audible, not clipped, 16 s,
 * the same every time, with the chord changes in it). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calls_qline.h"

static int ref[8];
#define R(i) ((void *)&ref[i])

static void test_fifo_and_old_place(void **st)
{
	(void)st;
	struct cq_line l = {0};
	assert_int_equal(cq_line_insert(&l, R(0), 1000), 0);
	assert_int_equal(cq_line_insert(&l, R(1), 2000), 0);
	assert_int_equal(cq_line_insert(&l, R(2), 3000), 0);
	assert_int_equal(cq_line_index(&l, R(2)), 2);
	/* the head leaves (dequeued), then comes back: first again */
	cq_line_remove_at(&l, 0);
	assert_int_equal(cq_line_index(&l, R(0)), -1);
	assert_int_equal(cq_line_index(&l, R(1)), 0);
	assert_int_equal(cq_line_insert(&l, R(0), 1000), 0);
	assert_int_equal(cq_line_index(&l, R(0)), 0);
	/* the middle one back at its place; equal times keep arrival order */
	cq_line_remove_at(&l, 1);
	assert_int_equal(cq_line_insert(&l, R(3), 3000), 0);
	assert_int_equal(cq_line_insert(&l, R(1), 2000), 0);
	void *want[] = {R(0), R(1), R(2), R(3)};
	assert_int_equal(l.n, 4);
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(l.v[i].ref, want[i]);
	cq_line_remove_at(&l, 9); /* out of range: nothing */
	assert_int_equal(l.n, 4);
	cq_line_free(&l);
	assert_int_equal(l.n, 0);
}

static void test_figures(void **st)
{
	(void)st;
	struct cq_line l = {0};
	uint32_t pos, avg;
	cq_line_figures(&l, R(0), 5000000, &pos, &avg);
	assert_int_equal(pos, 0);
	assert_int_equal(avg, 0);
	cq_line_insert(&l, R(0), 0);        /* waited 10 s at now = 10 s */
	cq_line_insert(&l, R(1), 6000000);  /* 4 s */
	cq_line_insert(&l, R(2), 11000000); /* joined after now: counts 0 */
	cq_line_figures(&l, R(1), 10000000, &pos, &avg);
	assert_int_equal(pos, 2);
	assert_int_equal(avg, 4); /* (10 + 4 + 0) / 3 */
	cq_line_figures(&l, R(5), 10000000, &pos, &avg);
	assert_int_equal(pos, 0);
	cq_line_free(&l);
}

static void test_bound(void **st)
{
	(void)st;
	struct cq_line l = {0};
	static int many[CQ_MEMBERS_MAX + 1];
	for (int i = 0; i < CQ_MEMBERS_MAX; i++)
		assert_int_equal(cq_line_insert(&l, &many[i], (uint64_t)i), 0);
	assert_int_equal(cq_line_insert(&l, &many[CQ_MEMBERS_MAX], 1), -ENOSPC);
	assert_int_equal(l.n, CQ_MEMBERS_MAX);
	assert_int_equal(cq_line_index(&l, &many[CQ_MEMBERS_MAX - 1]), CQ_MEMBERS_MAX - 1);
	cq_line_free(&l);
}

/* Zero crossings per second of a stretch: the arpeggio's notes move. */
static double zc_hz(const int16_t *p, size_t n)
{
	size_t z = 0;
	for (size_t i = 1; i < n; i++)
		z += (p[i - 1] < 0) != (p[i] < 0);
	return (double)z * CQ_HOLD_RATE / 2.0 / (double)n;
}

static void test_hold_music(void **st)
{
	(void)st;
	size_t n = 0, n2 = 0;
	int16_t *a = cq_hold_synth(&n);
	int16_t *b = cq_hold_synth(&n2);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(n, (size_t)CQ_HOLD_RATE * CQ_HOLD_SECONDS);
	assert_int_equal(n2, n);
	assert_memory_equal(a, b, n * sizeof(*a)); /* deterministic: one clip for every caller */
	int peak = 0, clipped = 0;
	double e = 0;
	size_t quiet_frames = 0;
	for (size_t f = 0; f + 160 <= n; f += 160) {
		double fe = 0;
		for (size_t i = f; i < f + 160; i++) {
			int v = abs(a[i]);
			peak = v > peak ? v : peak;
			clipped += v >= 32767;
			fe += (double)a[i] * a[i];
		}
		e += fe;
		quiet_frames += sqrt(fe / 160) < 300;
	}
	double rms = sqrt(e / (double)n);
	assert_true(peak > 4000 && peak < 20000);
	assert_int_equal(clipped, 0);
	assert_true(rms > 800);
	assert_true(quiet_frames < n / 160 / 10); /* audible almost throughout */
	/* the chords change: the first two seconds (C) and seconds 4-6 (F) differ in pitch */
	double c = zc_hz(a, CQ_HOLD_RATE * 2), fch = zc_hz(a + CQ_HOLD_RATE * 4, CQ_HOLD_RATE * 2);
	assert_true(c > 150 && c < 700);
	assert_true(fabs(c - fch) > 10);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fifo_and_old_place),
	    cmocka_unit_test(test_figures),
	    cmocka_unit_test(test_bound),
	    cmocka_unit_test(test_hold_music),
	};
	return cmocka_run_group_tests_name("calls_qline", tests, NULL, NULL);
}
