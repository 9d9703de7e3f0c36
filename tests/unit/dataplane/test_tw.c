/* SPDX-License-Identifier: BSD-3-Clause */
/* test_tw.c — the timer wheel against a reference model, with an injected clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tw.h"

struct rec {
	uint64_t at[4096];
	uint64_t arg[4096];
	int n;
	struct tw *w;
	uint64_t now;
	tw_handle_t victim;
	int add_in_cb;
};

static void on_fire(void *ctx, uint32_t kind, uint64_t arg)
{
	struct rec *r = ctx;
	r->at[r->n] = r->w->now;
	r->arg[r->n] = arg;
	r->n++;
	if (kind == 2 && r->victim)
		tw_cancel(r->w, r->victim);
	if (kind == 3 && r->add_in_cb) {
		r->add_in_cb = 0;
		tw_add(r->w, r->w->now, 1, 999); /* "now" from a callback: next tick */
	}
}

static struct tw *mk(uint32_t cap, uint64_t now)
{
	struct tw *w = malloc(sizeof(*w));
	tw_init(w, malloc(tw_nodes_size(cap)), cap, now);
	return w;
}

static void rm(struct tw *w)
{
	free(w->nodes);
	free(w);
}

static void test_fires_exactly_at_due(void **state)
{
	struct tw *w = mk(16, 1000);
	struct rec r = {.w = w};
	tw_add(w, 1010, 1, 7);
	assert_int_equal(tw_advance(w, 1009, on_fire, &r, 100), 0);
	assert_int_equal(tw_advance(w, 1010, on_fire, &r, 100), 1);
	assert_int_equal(r.at[0], 1010);
	assert_int_equal(r.arg[0], 7);
	assert_int_equal(w->active, 0);
	rm(w);
}

static void test_long_delays_use_rounds(void **state)
{
	struct tw *w = mk(16, 0);
	struct rec r = {.w = w};
	tw_add(w, 3 * TW_SLOTS + 5, 1, 1); /* same slot as tick 5 */
	tw_add(w, 5, 1, 2);
	tw_advance(w, 5, on_fire, &r, 100);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.arg[0], 2);
	tw_advance(w, 3 * TW_SLOTS + 4, on_fire, &r, 100);
	assert_int_equal(r.n, 1);
	tw_advance(w, 3 * TW_SLOTS + 5, on_fire, &r, 100);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.at[1], 3 * TW_SLOTS + 5);
	rm(w);
}

static void test_cancel_and_stale_handles(void **state)
{
	struct tw *w = mk(2, 0);
	struct rec r = {.w = w};
	tw_handle_t a = tw_add(w, 10, 1, 1);
	assert_int_equal(tw_cancel(w, a), 1);
	assert_int_equal(tw_cancel(w, a), 0);
	tw_handle_t b = tw_add(w, 10, 1, 2); /* reuses a's node */
	assert_true(b != a);
	assert_int_equal(tw_cancel(w, a), 0); /* a must not cancel b */
	tw_advance(w, 10, on_fire, &r, 10);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.arg[0], 2);
	assert_int_equal(tw_cancel(w, b), 0); /* fired */
	assert_int_equal(tw_cancel(w, 0), 0);
	assert_int_equal(tw_cancel(w, 12345), 0);
	rm(w);
}

static void test_pool_full_is_counted(void **state)
{
	struct tw *w = mk(3, 0);
	for (int i = 0; i < 3; i++)
		assert_true(tw_add(w, 5, 1, i) != 0);
	assert_int_equal(tw_add(w, 5, 1, 9), 0);
	assert_int_equal(w->full, 1);
	rm(w);
}

static void test_budget_defers_rest_in_order(void **state)
{
	struct tw *w = mk(64, 0);
	struct rec r = {.w = w};
	for (int i = 0; i < 10; i++)
		tw_add(w, 3, 1, i);
	tw_add(w, 4, 1, 100);
	assert_int_equal(tw_advance(w, 10, on_fire, &r, 4), 4);
	assert_int_equal(tw_advance(w, 10, on_fire, &r, 4), 4);
	assert_int_equal(tw_advance(w, 10, on_fire, &r, 4), 3);
	assert_int_equal(r.n, 11);
	assert_int_equal(r.arg[10], 100); /* tick 4 after all of tick 3 */
	rm(w);
}

static void test_callbacks_may_cancel_and_add(void **state)
{
	struct tw *w = mk(16, 0);
	struct rec r = {.w = w, .add_in_cb = 1};
	tw_add(w, 7, 2, 1);                  /* fires first (a tick fires in insertion order) */
	tw_handle_t v = tw_add(w, 7, 1, 55); /* same tick: already on the firing list when cancelled */
	r.victim = v;
	tw_add(w, 8, 3, 2); /* adds one at "now" -> fires at 9 */
	tw_advance(w, 20, on_fire, &r, 100);
	int saw55 = 0, saw999 = 0;
	for (int i = 0; i < r.n; i++) {
		saw55 |= r.arg[i] == 55;
		if (r.arg[i] == 999) {
			saw999 = 1;
			assert_int_equal(r.at[i], 9);
		}
	}
	assert_false(saw55);
	assert_true(saw999);
	assert_int_equal(w->active, 0);
	rm(w);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void test_random_against_model(void **state)
{
	enum { N = 3000 };
	struct tw *w = mk(N, 0);
	static struct rec r;
	memset(&r, 0, sizeof(r));
	r.w = w;
	static uint64_t due[N];
	static tw_handle_t h[N];
	srand(7);
	for (int i = 0; i < N; i++) {
		due[i] = 1 + (uint64_t)(rand() % (5 * TW_SLOTS));
		h[i] = tw_add(w, due[i], 1, (uint64_t)i);
	}
	/* cancel every 7th */
	static uint64_t expect[N];
	int ne = 0;
	for (int i = 0; i < N; i++) {
		if (i % 7 == 0)
			assert_int_equal(tw_cancel(w, h[i]), 1);
		else
			expect[ne++] = due[i];
	}
	qsort(expect, ne, sizeof(expect[0]), cmp_u64);
	/* advance in uneven steps */
	uint64_t t = 0;
	while (t < 5 * TW_SLOTS + 10) {
		t += 1 + (uint64_t)(rand() % 300);
		tw_advance(w, t, on_fire, &r, UINT32_MAX);
	}
	assert_int_equal(r.n, ne);
	for (int i = 0; i < r.n; i++) {
		assert_int_equal(r.at[i], due[r.arg[i]]); /* each at its own tick */
		assert_int_equal(r.at[i], expect[i]);     /* and in tick order */
	}
	rm(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires_exactly_at_due),
		cmocka_unit_test(test_long_delays_use_rounds),
		cmocka_unit_test(test_cancel_and_stale_handles),
		cmocka_unit_test(test_pool_full_is_counted),
		cmocka_unit_test(test_budget_defers_rest_in_order),
		cmocka_unit_test(test_callbacks_may_cancel_and_add),
		cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests_name("timer_wheel", tests, NULL, NULL);
}
