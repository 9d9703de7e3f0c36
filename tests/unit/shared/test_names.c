/* SPDX-License-Identifier: BSD-3-Clause */
/* test_names.c — shared/vox_names: every per-instance name from one id; pid files. */
#include <errno.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vox_names.h"

static void test_names(void **state)
{
	(void)state;
	struct vox_names n;
	assert_int_equal(vox_names_init(&n, "vox", NULL), 0);
	assert_string_equal(n.id, "vox");
	assert_string_equal(n.netns, "voxnet");
	assert_string_equal(n.tap, "vox0");
	assert_string_equal(n.file_prefix, "voxdp");
	assert_string_equal(n.shm_path, "/dev/shm/voxplane-vox.shm");
	assert_string_equal(n.run_dir, "/run/voxplane/vox");
	assert_string_equal(n.dp_sock, "/run/voxplane/vox/dataplane.sock");
	assert_string_equal(n.ctl_sock, "/run/voxplane/vox/control.sock");
	assert_string_equal(n.dp_pid, "/run/voxplane/vox/dataplane.pid");
	assert_string_equal(n.ctl_pid, "/run/voxplane/vox/control.pid");
	assert_int_equal(vox_names_init(&n, "lab2", "/tmp/x"), 0);
	assert_string_equal(n.run_dir, "/tmp/x/lab2");
	assert_int_equal(vox_names_init(&n, "a", ""), 0);
	assert_string_equal(n.run_dir, "/run/voxplane/a");
}

static void test_limits(void **state)
{
	(void)state;
	struct vox_names n;
	/* the longest id still gives a tap name that fits IFNAMSIZ */
	assert_int_equal(vox_names_init(&n, "abcdefghij", NULL), 0);
	assert_true(strlen(n.tap) < IFNAMSIZ);
	assert_string_equal(n.netns, "abcdefghijnet");
	static const char *bad[] = {"", "abcdefghijk", "Vox", "vo-x", "vo x", "vox/", "v.x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vox_names_init(&n, bad[i], NULL), -EINVAL);
	assert_int_equal(vox_names_init(&n, NULL, NULL), -EINVAL);
	char longbase[128];
	memset(longbase, 'd', sizeof(longbase) - 1);
	longbase[0] = '/';
	longbase[sizeof(longbase) - 1] = 0;
	assert_int_equal(vox_names_init(&n, "vox", longbase), -EINVAL);
}

static void test_pidfile(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/voxnames%d.pid", (int)getpid());
	assert_int_equal(vox_pidfile_read(path), 0); /* absent */
	FILE *f = fopen(path, "w");
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	assert_int_equal(vox_pidfile_read(path), getpid());
	assert_true(vox_pid_alive(getpid()));
	assert_false(vox_pid_alive(0));
	assert_false(vox_pid_alive(-5));
	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	assert_int_equal(vox_pidfile_read(path), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_pidfile),
	};
	return cmocka_run_group_tests_name("shared_names", tests, NULL, NULL);
}
