/* SPDX-License-Identifier: BSD-3-Clause */
/* test_admin.c — the admin protocol: word splitting, the request table, the socket. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cmocka.h>

#include "ctl_admin.h"
#include "ctl_attach.h"
#include "ctl_dp.h"
#include "ctl_req.h"
#include "ctl_test.h"
#include "fake_dp.h"

static void test_split(void **state)
{
	(void)state;
	char *argv[4];
	char a[] = "  diag \t leg-create   5 \r\n";
	assert_int_equal(ctl_admin_split(a, argv, 4), 3);
	assert_string_equal(argv[0], "diag");
	assert_string_equal(argv[1], "leg-create");
	assert_string_equal(argv[2], "5");
	char b[] = "   ";
	assert_int_equal(ctl_admin_split(b, argv, 4), 0);
	char c[] = "a b c d e";
	assert_int_equal(ctl_admin_split(c, argv, 4), -E2BIG);
}

/* Run one line through the table and return its "error" text ("" when none). */
static const char *adm_err(struct ctl *c, const char *line, json_t **keep)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", line);
	json_t *j = ctl_admin_exec(c, 1, buf);
	assert_non_null(j);
	*keep = j;
	json_t *e = json_object_get(j, "error");
	return e ? json_string_value(e) : "";
}

static void test_table(void **state)
{
	(void)state;
	struct ctl c;
	assert_int_equal(ctl_test_make(&c, "adm", "/tmp"), 0);
	struct {
		const char *line, *err;
	} cases[] = {
	    {"", "empty request (try 'help')"},
	    {"bogus", "unknown request 'bogus' (try 'help')"},
	    {"diag",
	     "usage: diag leg-create N | diag leg-end HANDLE | diag burst W N | diag end-all | "
	     "diag acl [PREFIX...] | diag send-request HANDLE METHOD | diag tone HZ MS | diag play HANDLE CLIP [LOOPS] | "
	     "diag stop HANDLE | diag leg-tone HANDLE KIND [MS] | diag silence HANDLE MS | "
	     "diag collect HANDLE MAX [KEYS [FIRST [INTER [barge]]]] | "
	     "diag record HANDLE PATH [mono|dual [MAX [SILENCE [KEYS]]]] | diag term | "
	     "diag bridge HANDLE PEER | diag unbridge HANDLE | "
	     "diag match HANDLE LO HI [HEADER [VALUE]]"},
	    {"diag nothing",
	     "usage: diag leg-create N | diag leg-end HANDLE | diag burst W N | diag end-all | "
	     "diag acl [PREFIX...] | diag send-request HANDLE METHOD | diag tone HZ MS | diag play HANDLE CLIP [LOOPS] | "
	     "diag stop HANDLE | diag leg-tone HANDLE KIND [MS] | diag silence HANDLE MS | "
	     "diag collect HANDLE MAX [KEYS [FIRST [INTER [barge]]]] | "
	     "diag record HANDLE PATH [mono|dual [MAX [SILENCE [KEYS]]]] | diag term | "
	     "diag bridge HANDLE PEER | diag unbridge HANDLE | "
	     "diag match HANDLE LO HI [HEADER [VALUE]]"},
	    {"stat", "unknown request 'stat' (try 'help')"},
	    {"status extra", "usage: status"},
	    {"diag leg-create", "usage: diag leg-create N"},
	    {"diag leg-create 1 2", "usage: diag leg-create N"},
	    {"diag leg-create x", "N must be 1..10000"},
	    {"diag leg-create 0", "N must be 1..10000"},
	    {"diag leg-create -1", "N must be 1..10000"},
	    {"diag leg-create 10001", "N must be 1..10000"},
	    {"diag leg-end zz", "'zz' is not a leg handle"},
	    {"diag leg-end 0", "'0' is not a leg handle"},
	    {"diag burst 1", "usage: diag burst W N"},
	    {"diag burst 99 1", "W must be a worker index"},
	    {"diag leg-create 3", "no dataplane attached"},
	    {"diag leg-end 0x0001000000000001", "no dataplane attached"},
	    {"diag burst 0 3", "no dataplane attached"},
	    {"diag end-all", "no dataplane attached"},
	    {"ping", "no dataplane attached"},
	    {"a b c d e f g h i j k l m n o p q r s t u v w x y", "too many words"}, /* 25 > CTL_ADMIN_MAX_ARGS */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j;
		const char *e = adm_err(&c, cases[i].line, &j);
		if (strcmp(e, cases[i].err) != 0)
			fail_msg("'%s': got '%s', want '%s'", cases[i].line, e, cases[i].err);
		json_decref(j);
	}
	/* status while detached */
	json_t *j;
	assert_string_equal(adm_err(&c, "status", &j), "");
	assert_true(json_is_false(json_object_get(j, "attached")));
	assert_string_equal(json_string_value(json_object_get(j, "boot_id")), "0000000000000000");
	assert_int_equal(json_integer_value(json_object_get(j, "legs")), 0);
	assert_true(json_is_object(json_object_get(j, "events")));
	assert_non_null(json_object_get(json_object_get(j, "events"), "LEG_CREATED"));
	assert_non_null(json_object_get(j, "duplicates"));
	assert_non_null(json_object_get(j, "stale_handles"));
	json_decref(j);
	assert_string_equal(adm_err(&c, "help", &j), "");
	assert_true(json_array_size(json_object_get(j, "requests")) >= 8);
	json_decref(j);
	assert_string_equal(adm_err(&c, "calls", &j), "");
	assert_int_equal(json_array_size(json_object_get(j, "legs")), 0);
	json_decref(j);
	ctl_test_free(&c);
}

/* ---- over the socket, against the stand-in dataplane ---- */

struct adm_fx {
	struct fake_dp dp;
	struct ctl c;
	char id[16], run[64];
	int fd;
};

static int adm_setup(void **state)
{
	static struct adm_fx fx;
	memset(&fx, 0, sizeof(fx));
	ctl_test_id(fx.id, sizeof(fx.id), "adm");
	snprintf(fx.run, sizeof(fx.run), "/tmp/ctlut-%s", fx.id);
	struct fake_dp_opts o = {.n_workers = 2, .with_socket = 1};
	assert_int_equal(fake_dp_start(&fx.dp, fx.id, fx.run, &o), 0);
	assert_int_equal(ctl_test_make(&fx.c, fx.id, fx.run), 0);
	fx.c.cfg.admin_clients = 2;
	fx.c.cfg.admin_line_max = 128;
	ctl_loop_set_hooks(fx.c.loop, ctl_dp_before_sleep, ctl_dp_after_sleep, &fx.c);
	assert_int_equal(ctl_admin_open(&fx.c.admin, &fx.c), 0);
	assert_int_equal(ctl_attach_try(&fx.c), 0);
	fx.fd = -1;
	*state = &fx;
	return 0;
}

static int adm_teardown(void **state)
{
	struct adm_fx *fx = *state;
	if (fx->fd >= 0)
		close(fx->fd);
	ctl_attach_stop(&fx->c);
	ctl_admin_close(fx->c.admin);
	struct stat st;
	assert_int_not_equal(stat(fx->c.names.ctl_sock, &st), 0); /* unlinked */
	ctl_test_free(&fx->c);
	fake_dp_stop(&fx->dp, 1);
	rmdir(fx->dp.names.run_dir);
	rmdir(fx->run);
	return 0;
}

static int adm_connect(struct adm_fx *fx)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, fx->c.names.ctl_sock, strlen(fx->c.names.ctl_sock) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Run the loop until `fd` delivered n lines (or EOF); returns the bytes read. */
static size_t adm_read_lines(struct adm_fx *fx, int fd, int n, char *buf, size_t len)
{
	size_t got = 0;
	uint64_t end = ctl_mono_ns() + 3000000000ull;
	int lines = 0;
	while (lines < n && ctl_mono_ns() < end) {
		ctl_loop_once(fx->c.loop, 5);
		ssize_t r = recv(fd, buf + got, len - 1 - got, MSG_DONTWAIT);
		if (r == 0)
			break;
		if (r > 0) {
			for (ssize_t i = 0; i < r; i++)
				lines += buf[got + (size_t)i] == '\n';
			got += (size_t)r;
		}
	}
	buf[got] = 0;
	return got;
}

static void test_socket_requests(void **state)
{
	struct adm_fx *fx = *state;
	struct stat st;
	assert_int_equal(stat(fx->c.names.ctl_sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(stat(fx->c.names.run_dir, &st), 0);
	fx->fd = adm_connect(fx);
	/* three requests in one write, one of them waiting on the workers: answers in order */
	const char req[] = "status\nping\ndiag leg-create 2\ncalls\n";
	assert_int_equal(send(fx->fd, req, sizeof(req) - 1, 0), (ssize_t)sizeof(req) - 1);
	char buf[8192];
	adm_read_lines(fx, fx->fd, 4, buf, sizeof(buf));
	char *save, *l1 = strtok_r(buf, "\n", &save), *l2 = strtok_r(NULL, "\n", &save),
	            *l3 = strtok_r(NULL, "\n", &save), *l4 = strtok_r(NULL, "\n", &save);
	assert_non_null(l4);
	assert_non_null(strstr(l1, "\"attached\":true"));
	assert_non_null(strstr(l2, "\"workers\":[{\"worker\":0"));
	assert_non_null(strstr(l3, "\"created\":2"));
	assert_non_null(strstr(l4, "\"legs\":[{\"handle\":\"0x"));
}

/* The last request may end at EOF instead of a newline (echo -n ... | nc -U): answered, then
 * the connection closes; a waiting request before it is answered first. */
static void test_socket_eof(void **state)
{
	struct adm_fx *fx = *state;
	fx->fd = adm_connect(fx);
	const char req[] = "ping\nstatus";
	assert_int_equal(send(fx->fd, req, sizeof(req) - 1, 0), (ssize_t)sizeof(req) - 1);
	assert_int_equal(shutdown(fx->fd, SHUT_WR), 0);
	char buf[4096];
	size_t n = adm_read_lines(fx, fx->fd, 3, buf, sizeof(buf)); /* stops at EOF */
	assert_true(n > 0);
	char *save, *l1 = strtok_r(buf, "\n", &save), *l2 = strtok_r(NULL, "\n", &save);
	assert_non_null(l2);
	assert_non_null(strstr(l1, "\"workers\":[{"));
	assert_non_null(strstr(l2, "\"attached\":true"));
	assert_null(strtok_r(NULL, "\n", &save));
}

static void test_socket_limits(void **state)
{
	struct adm_fx *fx = *state;
	char buf[1024];
	/* a line longer than admin_line_max: error, then the connection closes */
	fx->fd = adm_connect(fx);
	char big[300];
	memset(big, 'x', sizeof(big));
	assert_int_equal(send(fx->fd, big, sizeof(big), 0), (ssize_t)sizeof(big));
	adm_read_lines(fx, fx->fd, 2, buf, sizeof(buf));
	assert_string_equal(buf, "{\"error\":\"request line longer than 128 bytes\"}\n");
	close(fx->fd);
	fx->fd = -1;
	/* at most admin_clients (2) at once: the third is told and closed */
	int a = adm_connect(fx), b = adm_connect(fx), c = adm_connect(fx);
	adm_read_lines(fx, c, 1, buf, sizeof(buf));
	assert_string_equal(buf, "{\"error\":\"too many admin clients\"}\n");
	/* the two others still work; a client leaving mid-request is harmless */
	assert_int_equal(send(a, "ping\n", 5, 0), 5);
	close(a);
	assert_int_equal(send(b, "status\n", 7, 0), 7);
	adm_read_lines(fx, b, 1, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"attached\":true"));
	close(b);
	close(c);
	/* let the abandoned ping finish */
	assert_true(CTL_TEST_RUN_UNTIL(&fx->c, 2000, ctl_req_pending(&fx->c) == 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test_setup_teardown(test_socket_requests, adm_setup, adm_teardown),
	    cmocka_unit_test_setup_teardown(test_socket_eof, adm_setup, adm_teardown),
	    cmocka_unit_test_setup_teardown(test_socket_limits, adm_setup, adm_teardown),
	};
	return cmocka_run_group_tests_name("control_admin", tests, NULL, NULL);
}
