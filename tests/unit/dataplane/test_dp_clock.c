/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dp_clock.c — dp_tsc_hz_measure: the TSC rate measured against CLOCK_MONOTONIC corrects
 * an EAL rate that is off by 1500 ppm (the VM this was found on), and a measure that disagrees
 * with the EAL by more than 2 % keeps the EAL's. The reference is the same clock pair over
 * 400 ms; the tolerance (300 ppm) leaves room for a loaded machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include <rte_cycles.h>

#include "dp_lcore.h"

static uint64_t ref_hz(void)
{
	struct timespec a, b;
	uint64_t t0 = rte_rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &a);
	struct timespec nap = {.tv_nsec = 400000000};
	nanosleep(&nap, NULL);
	uint64_t t1 = rte_rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	return (uint64_t)((double)(t1 - t0) / s);
}

static double ppm(uint64_t x, uint64_t ref)
{
	return ((double)x - (double)ref) / (double)ref * 1e6;
}

static void t_corrects_nominal(void **state)
{
	(void)state;
	uint64_t ref = ref_hz();
	/* the EAL's claim 1500 ppm above (and below) the real rate: the measure replaces it */
	uint64_t up = dp_tsc_hz_measure(ref + ref / 10000 * 15);
	uint64_t down = dp_tsc_hz_measure(ref - ref / 10000 * 15);
	print_message("reference %llu Hz: measured %+.0f ppm, %+.0f ppm\n", (unsigned long long)ref,
	              ppm(up, ref), ppm(down, ref));
	assert_true(ppm(up, ref) > -300 && ppm(up, ref) < 300);
	assert_true(ppm(down, ref) > -300 && ppm(down, ref) < 300);
}

static void t_far_off_keeps_eal(void **state)
{
	(void)state;
	uint64_t ref = ref_hz();
	assert_int_equal(dp_tsc_hz_measure(ref * 2), ref * 2);
	assert_int_equal(dp_tsc_hz_measure(ref / 2), ref / 2);
	assert_int_equal(dp_tsc_hz_measure(ref / 100 * 97), ref / 100 * 97);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_corrects_nominal),
	    cmocka_unit_test(t_far_off_keeps_eal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
