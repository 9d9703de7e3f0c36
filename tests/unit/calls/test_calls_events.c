/* SPDX-License-Identifier: BSD-3-Clause */
/* test_calls_events.c — the one stream of call events against a real LMDB store: every
 * subscriber sees each event once, in subscription order, with a sequence number; what they
 * add and the number commit in one batch; a subscriber that refuses rolls the batch back and
 * the number is not used; the bound on subscribers; a new bus (a restarted control) goes on
 * from the committed number. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../store/store_test.h"
#include "calls_events.h"

struct fx {
	char dir[64];
	struct ctl_loop *l;
	struct store *s;
	int done, status;
	char log[512];
};

static void done_cb(void *arg, int status, const struct store_result *r)
{
	(void)r;
	struct fx *f = arg;
	f->status = status;
	f->done++;
}

static int sub_log(void *arg, const struct calls_ev *ev, struct store_batch *b)
{
	struct fx *f = arg;
	size_t n = strlen(f->log);
	snprintf(f->log + n, sizeof(f->log) - n, "A%llu:%s ", (unsigned long long)ev->seq,
	         ev->status ? ev->status : "-");
	/* a subscriber adds its own record to the batch that commits the change */
	char key[32];
	int kl = snprintf(key, sizeof(key), "ev%llu", (unsigned long long)ev->seq);
	return b ? store_batch_put(b, STORE_DB_META, key, (size_t)kl, "x", 1, 0) : 0;
}

static int sub_second(void *arg, const struct calls_ev *ev, struct store_batch *b)
{
	(void)b;
	struct fx *f = arg;
	size_t n = strlen(f->log);
	snprintf(f->log + n, sizeof(f->log) - n, "B%llu ", (unsigned long long)ev->seq);
	return ev->status && !strcmp(ev->status, "refuse") ? -EIO : 0;
}

static int fx_setup(void **st)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/vox-callev-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(ctl_loop_create(&f->l, 64), 0);
	char err[128];
	struct store_cfg cfg = {.dir = f->dir};
	assert_int_equal(store_open(&f->s, &cfg, err, sizeof(err)), 0);
	assert_int_equal(ctl_loop_add_file(f->l, store_fd(f->s), CTL_LOOP_READ, st_on_fd, f->s), 0);
	*st = f;
	return 0;
}

static int fx_teardown(void **st)
{
	struct fx *f = *st;
	store_close(f->s);
	ctl_loop_destroy(f->l);
	st_rmrf(f->dir);
	free(f);
	return 0;
}

static void commit(struct fx *f, struct store_batch *b)
{
	int want = f->done + 1;
	assert_int_equal(store_submit(f->s, b, done_cb, f), 0);
	assert_int_equal(st_run_until(f->l, &f->done, want), 0);
	assert_int_equal(f->status, 0);
}

static int has(struct fx *f, const char *key)
{
	char *v = NULL;
	size_t n;
	int rc = store_get(f->s, STORE_DB_META, key, strlen(key), &v, &n);
	free(v);
	return rc == 0;
}

static void test_stream(void **st)
{
	struct fx *f = *st;
	struct calls_evbus bus = {0};
	assert_int_equal(calls_ev_subscribe(&bus, "a", sub_log, f), 0);
	assert_int_equal(calls_ev_subscribe(&bus, "b", sub_second, f), 0);
	struct calls_ev ev = {.kind = CALLS_EV_STATE, .status = "ringing"};
	struct store_batch *b = store_batch_new();
	assert_int_equal(calls_ev_emit(&bus, &ev, b), 0);
	assert_int_equal(ev.seq, 1);
	ev.status = "completed";
	assert_int_equal(calls_ev_emit(&bus, &ev, b), 0);
	commit(f, b);
	assert_string_equal(f->log, "A1:ringing B1 A2:completed B2 ");
	assert_true(has(f, "ev1") && has(f, "ev2"));
	/* refused by the second subscriber: the first one's addition is rolled back */
	f->log[0] = 0;
	b = store_batch_new();
	ev.status = "refuse";
	assert_int_equal(calls_ev_emit(&bus, &ev, b), -EIO);
	assert_int_equal(store_batch_ops(b), 0);
	store_batch_free(b);
	assert_string_equal(f->log, "A3:refuse B3 ");
	assert_int_equal(bus.seq, 2); /* the number was not used */
	assert_int_equal(bus.refused, 1);
	assert_int_equal(bus.sub[1].errors, 1);
	/* no store: subscribers get NULL, numbers go on */
	ev.status = "x";
	assert_int_equal(calls_ev_emit(&bus, &ev, NULL), 0);
	assert_int_equal(ev.seq, 3);
	json_t *j = calls_ev_json(&bus);
	assert_int_equal(json_integer_value(json_object_get(j, "emitted")), 3);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(json_object_get(j, "subscribers"), "a"), "events")),
	                 3);
	json_decref(j);
	/* a restarted control: the committed number (2; 3 never reached the store) */
	struct calls_evbus again = {0};
	assert_int_equal(calls_ev_load(&again, f->s), 0);
	assert_int_equal(again.seq, 2);
}

static void test_bound(void **st)
{
	struct fx *f = *st;
	struct calls_evbus bus = {0};
	for (int i = 0; i < CALLS_EV_SUBS; i++)
		assert_int_equal(calls_ev_subscribe(&bus, "s", sub_second, f), 0);
	assert_int_equal(calls_ev_subscribe(&bus, "one too many", sub_second, f), -ENOSPC);
	assert_int_equal(calls_ev_subscribe(&bus, "bad", NULL, f), -EINVAL);
	struct calls_evbus fresh = {0};
	assert_int_equal(calls_ev_load(&fresh, f->s), 0); /* nothing stored yet: 0 */
	assert_int_equal(fresh.seq, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stream, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_bound, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests_name("calls_events", tests, NULL, NULL);
}
