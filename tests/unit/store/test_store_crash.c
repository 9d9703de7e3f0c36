/* SPDX-License-Identifier: BSD-3-Clause */
/* test_store_crash.c — every acknowledged write survives kill -9: a child process writes call
 * records through the store and reports each completion on a pipe; the parent kills it with
 * SIGKILL mid-stream, reopens the environment and finds every acknowledged record. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_ent.h"
#include "store_test.h"

#define CR_TOTAL 100000 /* the child would write this many; it is killed long before */
#define CR_KILL_AFTER 300

struct cr_child {
	int pipe_w;
	int in_flight;
	int next;
	struct store *s;
};


static struct cr_child cr;

static void cr_ack(void *arg, int status, const struct store_result *r)
{
	int i = (int)(intptr_t)arg;
	cr.in_flight--;
	if (status == 0 && write(cr.pipe_w, &i, sizeof(i)) != sizeof(i))
		_exit(3);
}

static void cr_submit(int i)
{
	char sid[STORE_SID_LEN + 1];
	snprintf(sid, sizeof(sid), "CA%032x", (unsigned)i);
	json_t *rec = json_pack("{s:s, s:s, s:I, s:s}", "sid", sid, "account_sid",
	                        "AC0123456789abcdef0123456789abcdef", "_ts", (json_int_t)i, "status",
	                        "completed");
	struct store_batch *b = store_batch_new();
	if (!rec || !b || store_res_put(b, STORE_K_CALL, rec, 1) != 0)
		_exit(4);
	json_decref(rec);
	if (store_submit(cr.s, b, cr_ack, (void *)(intptr_t)i) != 0)
		_exit(5);
	cr.in_flight++;
}

/* The child: a loop keeps up to 32 batches in flight, acknowledging each completion. */
static void cr_child_main(const char *dir, int pipe_w)
{
	char err[256];
	struct store_cfg cfg = {.dir = dir};
	struct ctl_loop *l;
	cr.pipe_w = pipe_w;
	if (store_open(&cr.s, &cfg, err, sizeof(err)) || ctl_loop_create(&l, 64) ||
	    ctl_loop_add_file(l, store_fd(cr.s), CTL_LOOP_READ, st_on_fd, cr.s))
		_exit(2);
	for (int i = 0; i < CR_TOTAL;) {
		while (cr.in_flight < 32 && i < CR_TOTAL)
			cr_submit(i++);
		ctl_loop_once(l, 100);
	}
	_exit(0);
}

static void test_crash_keeps_acknowledged(void **state)
{
	char dir[] = "/tmp/vox-store-crash.XXXXXX";
	assert_non_null(mkdtemp(dir));
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		cr_child_main(dir, p[1]);
	}
	close(p[1]);
	static uint8_t acked[CR_TOTAL];
	int n = 0, i;
	uint64_t end = st_now_ms() + 60000;
	while (n < CR_KILL_AFTER && st_now_ms() < end) {
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		if (poll(&pf, 1, 1000) <= 0)
			continue;
		ssize_t r = read(p[0], &i, sizeof(i));
		if (r != sizeof(i))
			break;
		assert_true(i >= 0 && i < CR_TOTAL);
		acked[i] = 1;
		n++;
	}
	assert_int_equal(n, CR_KILL_AFTER);
	kill(pid, SIGKILL);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* acknowledgements written before the kill and still in the pipe count too */
	while (read(p[0], &i, sizeof(i)) == sizeof(i)) {
		acked[i] = 1;
		n++;
	}
	close(p[0]);

	char err[256];
	struct store *s;
	struct store_cfg cfg = {.dir = dir};
	assert_int_equal(store_open(&s, &cfg, err, sizeof(err)), 0);
	int found = 0;
	for (i = 0; i < CR_TOTAL; i++) {
		if (!acked[i])
			continue;
		char sid[STORE_SID_LEN + 1];
		snprintf(sid, sizeof(sid), "CA%032x", (unsigned)i);
		json_t *rec;
		if (store_res_get(s, STORE_K_CALL, sid, &rec) == 0) {
			found++;
			json_decref(rec);
		} else {
			fail_msg("acknowledged call %d (%s) missing after kill -9", i, sid);
		}
	}
	assert_int_equal(found, n);
	/* the index holds every acknowledged call too, and the store still takes writes */
	assert_true(store_count(s, STORE_DB_CALLS_IDX) >= n);
	assert_int_equal(store_count(s, STORE_DB_CALLS_IDX), store_count(s, STORE_DB_CALLS));
	printf("# %d acknowledged writes before kill -9, all found; %lld records stored\n", n,
	       (long long)store_count(s, STORE_DB_CALLS));
	store_close(s);
	st_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crash_keeps_acknowledged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
