/* SPDX-License-Identifier: BSD-3-Clause */
/* test_legs.c — control's legs hash against a reference model: insert, update, remove, bound. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vox_shm.h"

#include "ctl_legs.h"

static void test_basic(void **state)
{
	(void)state;
	struct ctl_legs *t;
	assert_int_equal(ctl_legs_create(&t, 0), -EINVAL);
	assert_int_equal(ctl_legs_create(&t, 4), 0);
	struct ctl_leg l = {.handle = vox_handle_make(0, 1, 2, 3),
	                    .state = VOX_LEG_CREATED,
	                    .worker = 1,
	                    .kind = VOX_LEG_KIND_LOOPBACK,
	                    .created_ns = 5};
	struct ctl_leg *e;
	assert_int_equal(ctl_legs_upsert(t, &l, &e), 1);
	assert_int_equal(e->handle, l.handle);
	/* an update keeps what it does not know */
	struct ctl_leg u = {.handle = l.handle, .state = VOX_LEG_ANSWERED, .worker = 1};
	assert_int_equal(ctl_legs_upsert(t, &u, NULL), 0);
	e = ctl_legs_find(t, l.handle);
	assert_int_equal(e->state, VOX_LEG_ANSWERED);
	assert_int_equal(e->kind, VOX_LEG_KIND_LOOPBACK);
	assert_int_equal(e->created_ns, 5);
	assert_int_equal(ctl_legs_on_worker(t, 1), 1);
	struct ctl_leg zero = {0};
	assert_int_equal(ctl_legs_upsert(t, &zero, NULL), -EINVAL);
	assert_null(ctl_legs_find(t, 0));
	/* the bound */
	for (uint32_t i = 0; i < 3; i++) {
		struct ctl_leg m = {.handle = vox_handle_make(0, 0, 10 + i, 1), .worker = 0};
		assert_int_equal(ctl_legs_upsert(t, &m, NULL), 1);
	}
	struct ctl_leg over = {.handle = vox_handle_make(0, 0, 99, 1)};
	assert_int_equal(ctl_legs_upsert(t, &over, NULL), -ENOSPC);
	assert_int_equal(ctl_legs_count(t), 4);
	assert_int_equal(ctl_legs_remove(t, over.handle), -ENOENT);
	assert_int_equal(ctl_legs_remove(t, l.handle), 0);
	assert_int_equal(ctl_legs_on_worker(t, 1), 0);
	assert_int_equal(ctl_legs_on_worker(t, 0), 3);
	ctl_legs_clear(t);
	assert_int_equal(ctl_legs_count(t), 0);
	assert_int_equal(ctl_legs_on_worker(t, 0), 0);
	assert_string_equal(ctl_leg_state_name(VOX_LEG_ANSWERED), "answered");
	assert_string_equal(ctl_leg_state_name(99), "unknown");
	ctl_legs_destroy(t);
}

static void legs_count_visit(const struct ctl_leg *leg, void *arg)
{
	(*(uint32_t *)arg)++;
}

/* Random inserts and removals checked against a plain array (exercises backward shift). */
static void test_random_vs_model(void **state)
{
	(void)state;
	enum { MAX = 2000, KEYS = 3000 };
	struct ctl_legs *t;
	assert_int_equal(ctl_legs_create(&t, MAX), 0);
	static uint64_t keys[KEYS];
	static char live[KEYS];
	uint32_t n_live = 0;
	srand(12345);
	for (uint32_t i = 0; i < KEYS; i++)
		keys[i] = vox_handle_make(0, i % 4, (uint32_t)rand() & 0xffffff, i + 1);
	for (int step = 0; step < 200000; step++) {
		uint32_t k = (uint32_t)rand() % KEYS;
		if (!live[k]) {
			struct ctl_leg l = {
			    .handle = keys[k], .worker = (uint16_t)(k % 4), .state = 1};
			int rc = ctl_legs_upsert(t, &l, NULL);
			if (n_live == MAX) {
				assert_int_equal(rc, -ENOSPC);
			} else {
				assert_int_equal(rc, 1);
				live[k] = 1;
				n_live++;
			}
		} else {
			assert_int_equal(ctl_legs_remove(t, keys[k]), 0);
			live[k] = 0;
			n_live--;
		}
		if (step % 10007 == 0) {
			uint32_t per[4] = {0};
			for (uint32_t i = 0; i < KEYS; i++) {
				struct ctl_leg *e = ctl_legs_find(t, keys[i]);
				assert_int_equal(e != NULL, live[i]);
				if (live[i])
					per[i % 4]++;
			}
			for (uint32_t w = 0; w < 4; w++)
				assert_int_equal(ctl_legs_on_worker(t, w), per[w]);
		}
	}
	assert_int_equal(ctl_legs_count(t), n_live);
	uint32_t visited = 0;
	assert_int_equal(ctl_legs_foreach(t, legs_count_visit, &visited), n_live);
	assert_int_equal(visited, n_live);
	ctl_legs_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_random_vs_model),
	};
	return cmocka_run_group_tests_name("control_legs", tests, NULL, NULL);
}
