/* SPDX-License-Identifier: BSD-3-Clause */
/* test_loop.c — the event loop with an injected clock: timer order, re-arm, deletion, files, hooks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_loop.h"

struct lp_fx {
	struct ctl_loop *l;
	uint64_t now; /* the test's clock, ns */
	char order[64];
	int n;
	uint64_t ids[8];
	int rearm_left;
	int before_calls, after_calls, before_ret;
	int reads;
};

static uint64_t lp_clock(void *arg)
{
	return ((struct lp_fx *)arg)->now;
}

static int lp_setup(void **state)
{
	static struct lp_fx fx;
	memset(&fx, 0, sizeof(fx));
	assert_int_equal(ctl_loop_create(&fx.l, 64), 0);
	fx.now = 1000000000ull;
	ctl_loop_set_clock(fx.l, lp_clock, &fx);
	*state = &fx;
	return 0;
}

static int lp_teardown(void **state)
{
	struct lp_fx *fx = *state;
	ctl_loop_destroy(fx->l);
	return 0;
}

static int64_t lp_mark(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct lp_fx *fx = arg;
	for (int i = 0; i < 8; i++)
		if (fx->ids[i] == id)
			fx->order[fx->n++] = (char)('a' + i);
	return CTL_TIMER_STOP;
}

static void test_timer_order(void **state)
{
	struct lp_fx *fx = *state;
	static const int ms[] = {30, 10, 20, 10, 0};
	for (int i = 0; i < 5; i++)
		fx->ids[i] = ctl_loop_add_timer(fx->l, ms[i], lp_mark, fx);
	/* c is cancelled before it is due */
	assert_int_equal(ctl_loop_del_timer(fx->l, fx->ids[2]), 0);
	assert_int_equal(ctl_loop_del_timer(fx->l, fx->ids[2]), -ENOENT);
	ctl_loop_once(fx->l, 0);
	assert_string_equal(fx->order, "e");
	fx->now += 9999999; /* 9.99 ms: nothing yet */
	ctl_loop_once(fx->l, 0);
	assert_string_equal(fx->order, "e");
	fx->now += 1;
	ctl_loop_once(fx->l, 0);
	assert_int_equal(fx->n, 3);
	/* b and d are both due at the same time: in the order they were added, once each */
	assert_string_equal(fx->order, "ebd");
	fx->now += 100000000;
	ctl_loop_once(fx->l, 0);
	assert_int_equal(fx->n, 4);
	assert_int_equal(fx->order[3], 'a');
}

/* Zero-delay timers run first-in first-out, however many share a deadline (the heap's order
 * alone would not keep it). */
static void test_same_deadline_fifo(void **state)
{
	struct lp_fx *fx = *state;
	for (int i = 0; i < 8; i++)
		fx->ids[i] = ctl_loop_add_timer(fx->l, 0, lp_mark, fx);
	assert_int_equal(ctl_loop_del_timer(fx->l, fx->ids[3]), 0);
	ctl_loop_once(fx->l, 0);
	assert_string_equal(fx->order, "abcefgh");
}

static int64_t lp_rearm(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct lp_fx *fx = arg;
	fx->n++;
	return --fx->rearm_left > 0 ? 0 : CTL_TIMER_STOP;
}

static void test_rearm_bounded(void **state)
{
	struct lp_fx *fx = *state;
	fx->rearm_left = 3;
	uint64_t id = ctl_loop_add_timer(fx->l, 0, lp_rearm, fx);
	/* a 0 ms re-arm runs once per turn, not in a loop within one turn */
	ctl_loop_once(fx->l, 0);
	assert_int_equal(fx->n, 1);
	fx->now += 1000;
	ctl_loop_once(fx->l, 0);
	assert_int_equal(fx->n, 2);
	/* it keeps its id while re-armed */
	assert_int_equal(ctl_loop_del_timer(fx->l, id), 0);
	fx->now += 1000000;
	ctl_loop_once(fx->l, 0);
	assert_int_equal(fx->n, 2);
}

static int64_t lp_del_other(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct lp_fx *fx = arg;
	fx->n++;
	ctl_loop_del_timer(l, fx->ids[1]);
	ctl_loop_del_timer(l, id); /* deleting itself while running is harmless */
	return CTL_TIMER_STOP;
}

static void test_delete_from_callback(void **state)
{
	struct lp_fx *fx = *state;
	fx->ids[0] = ctl_loop_add_timer(fx->l, 5, lp_del_other, fx);
	fx->ids[1] = ctl_loop_add_timer(fx->l, 5, lp_del_other, fx);
	fx->now += 5000000;
	ctl_loop_once(fx->l, 0);
	assert_int_equal(fx->n, 1); /* whichever ran first removed the other */
}

static void lp_on_read(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct lp_fx *fx = arg;
	char b[16];
	if ((mask & CTL_LOOP_READ) && read(fd, b, sizeof(b)) > 0)
		fx->reads++;
}

static int lp_before(struct ctl_loop *l, void *arg)
{
	struct lp_fx *fx = arg;
	fx->before_calls++;
	return fx->before_ret;
}

static int lp_after(struct ctl_loop *l, void *arg)
{
	((struct lp_fx *)arg)->after_calls++;
	return 0;
}

static void test_files_and_hooks(void **state)
{
	struct lp_fx *fx = *state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(ctl_loop_add_file(fx->l, p[0], CTL_LOOP_READ, lp_on_read, fx), 0);
	assert_int_equal(ctl_loop_add_file(fx->l, 1000, CTL_LOOP_READ, lp_on_read, fx), -ERANGE);
	ctl_loop_set_hooks(fx->l, lp_before, lp_after, fx);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(ctl_loop_once(fx->l, 1000), 1);
	assert_int_equal(fx->reads, 1);
	assert_int_equal(fx->before_calls, 1);
	assert_int_equal(fx->after_calls, 1);
	/* before-sleep saying "work left" makes the turn not block even with no bound */
	fx->before_ret = 1;
	assert_int_equal(ctl_loop_once(fx->l, -1), 0);
	fx->before_ret = 0;
	/* removed fds are not reported */
	ctl_loop_del_file(fx->l, p[0], CTL_LOOP_READ);
	assert_int_equal(write(p[1], "y", 1), 1);
	assert_int_equal(ctl_loop_once(fx->l, 0), 0);
	assert_int_equal(fx->reads, 1);
	ctl_loop_del_file(fx->l, p[0], CTL_LOOP_READ); /* twice is fine */
	close(p[0]);
	close(p[1]);
}

static int64_t lp_stop(struct ctl_loop *l, uint64_t id, void *arg)
{
	ctl_loop_stop(l);
	return CTL_TIMER_STOP;
}

static void test_run_until_stopped(void **state)
{
	struct ctl_loop *l;
	(void)state;
	assert_int_equal(ctl_loop_create(&l, 16), 0);
	/* real clock: a 20 ms timer bounds epoll_wait and stops the loop */
	ctl_loop_add_timer(l, 20, lp_stop, NULL);
	assert_int_equal(ctl_loop_run(l), 0);
	ctl_loop_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_timer_order, lp_setup, lp_teardown),
	    cmocka_unit_test_setup_teardown(test_same_deadline_fifo, lp_setup, lp_teardown),
	    cmocka_unit_test_setup_teardown(test_rearm_bounded, lp_setup, lp_teardown),
	    cmocka_unit_test_setup_teardown(test_delete_from_callback, lp_setup, lp_teardown),
	    cmocka_unit_test_setup_teardown(test_files_and_hooks, lp_setup, lp_teardown),
	    cmocka_unit_test(test_run_until_stopped),
	};
	return cmocka_run_group_tests_name("control_loop", tests, NULL, NULL);
}
