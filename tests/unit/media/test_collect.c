/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: COLLECT ends on max digits, a finish key, first- and inter-digit timeouts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "collect.h"

#define HASH (1u << 11)
#define STAR (1u << 10)

static void max_digits(void **st)
{
	(void)st;
	struct collect c;
	collect_start(&c, 3, HASH, 5000, 3000, 1000);
	assert_int_equal(collect_digit(&c, '1', 1100), COLLECT_RUNNING);
	assert_int_equal(collect_digit(&c, '2', 1200), COLLECT_RUNNING);
	assert_int_equal(collect_digit(&c, '3', 1300), COLLECT_MAX_DIGITS);
	assert_int_equal(c.n, 3);
	assert_memory_equal(c.d, "123", 3);
	assert_false(c.active);
	/* over: more keys and time do nothing */
	assert_int_equal(collect_digit(&c, '4', 1400), COLLECT_RUNNING);
	assert_int_equal(collect_poll(&c, 99999), COLLECT_RUNNING);
	assert_int_equal(c.n, 3);
}

static void finish_key(void **st)
{
	(void)st;
	struct collect c;
	collect_start(&c, 10, HASH | STAR, 0, 0, 0);
	assert_int_equal(collect_digit(&c, '4', 10), COLLECT_RUNNING);
	assert_int_equal(collect_digit(&c, '2', 20), COLLECT_RUNNING);
	assert_int_equal(collect_digit(&c, '#', 30), COLLECT_FINISH_KEY);
	assert_int_equal(c.n, 2); /* the key is not in the string */
	assert_int_equal(c.finish_key, '#');
	collect_start(&c, 1, STAR, 0, 0, 0);
	/* a finish key wins over max digits */
	assert_int_equal(collect_digit(&c, '*', 5), COLLECT_FINISH_KEY);
	assert_int_equal(c.n, 0);
	/* '#' is an ordinary digit when not a finish key */
	collect_start(&c, 2, 0, 0, 0, 0);
	assert_int_equal(collect_digit(&c, '#', 1), COLLECT_RUNNING);
	assert_int_equal(collect_digit(&c, 'd', 2), COLLECT_MAX_DIGITS);
	assert_memory_equal(c.d, "#d", 2);
}

static void first_digit_timeout(void **st)
{
	(void)st;
	struct collect c;
	collect_start(&c, 4, HASH, 5000, 2000, 1000);
	assert_int_equal(collect_poll(&c, 5999), COLLECT_RUNNING);
	assert_int_equal(collect_poll(&c, 6000), COLLECT_TIMEOUT);
	assert_int_equal(c.n, 0);
	assert_int_equal(collect_poll(&c, 7000), COLLECT_RUNNING); /* reported once */
}

static void inter_digit_timeout(void **st)
{
	(void)st;
	struct collect c;
	collect_start(&c, 4, HASH, 5000, 2000, 1000);
	assert_int_equal(collect_digit(&c, '7', 4000), COLLECT_RUNNING);
	/* the first-digit timeout no longer applies: 6000 > start + 5000 */
	assert_int_equal(collect_poll(&c, 5999), COLLECT_RUNNING);
	assert_int_equal(collect_digit(&c, '8', 5999), COLLECT_RUNNING);
	assert_int_equal(collect_poll(&c, 7998), COLLECT_RUNNING);
	assert_int_equal(collect_poll(&c, 7999), COLLECT_TIMEOUT);
	assert_int_equal(c.n, 2);
	assert_memory_equal(c.d, "78", 2);
}

static void no_timeouts(void **st)
{
	(void)st;
	struct collect c;
	collect_start(&c, 0, 0, 0, 0, 0); /* max 0 clamps to 1 */
	assert_int_equal(c.max, 1);
	assert_int_equal(collect_poll(&c, UINT32_MAX), COLLECT_RUNNING);
	assert_int_equal(collect_digit(&c, 'x', 1), COLLECT_RUNNING); /* not a key: ignored */
	assert_int_equal(c.n, 0);
	collect_start(&c, 200, 0, 0, 0, 0);
	assert_int_equal(c.max, COLLECT_MAX);
	for (int i = 0; i < COLLECT_MAX - 1; i++)
		assert_int_equal(collect_digit(&c, '5', (uint64_t)i), COLLECT_RUNNING);
	assert_int_equal(collect_digit(&c, '5', 99), COLLECT_MAX_DIGITS);
	assert_int_equal(c.n, COLLECT_MAX);
}

static void key_bits(void **st)
{
	(void)st;
	assert_int_equal(collect_key_bit('0'), 0);
	assert_int_equal(collect_key_bit('9'), 9);
	assert_int_equal(collect_key_bit('*'), 10);
	assert_int_equal(collect_key_bit('#'), 11);
	assert_int_equal(collect_key_bit('A'), 12);
	assert_int_equal(collect_key_bit('d'), 15);
	assert_int_equal(collect_key_bit('E'), -1);
	assert_int_equal(collect_key_bit(0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(max_digits),
		cmocka_unit_test(finish_key),
		cmocka_unit_test(first_digit_timeout),
		cmocka_unit_test(inter_digit_timeout),
		cmocka_unit_test(no_timeouts),
		cmocka_unit_test(key_bits),
	};
	return cmocka_run_group_tests_name("media_collect", tests, NULL, NULL);
}
