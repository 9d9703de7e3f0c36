/* SPDX-License-Identifier: BSD-3-Clause */
/* test_config.c — control's config table: defaults, file sections, --set precedence, --help. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_config.h"
#include "ctl_log.h"

static int cfg_args(struct ctl_config *cfg, char *err, size_t errlen, ...)
{
	char *argv[32] = {"voxplane-control"};
	int argc = 1;
	va_list ap;
	va_start(ap, errlen);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	FILE *devnull = fopen("/dev/null", "w");
	int rc = ctl_config_from_args(cfg, argc, argv, devnull, err, errlen);
	fclose(devnull);
	return rc;
}

static void test_defaults(void **state)
{
	(void)state;
	struct ctl_config cfg;
	char err[256];
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), NULL), 0);
	assert_string_equal(cfg.instance, "vox");
	assert_string_equal(cfg.run_dir, "/run/voxplane");
	assert_int_equal(cfg.log_level, CTL_LOG_INFO);
	assert_string_equal(cfg.log_file, "");
	assert_int_equal(cfg.heartbeat_ms, 100);
	assert_int_equal(cfg.http_port, 8080);
	assert_true(cfg.attach_wait_ms > 0);
	assert_true(cfg.data_dir[0] == '/');
}

static void test_file_and_set(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/ctlcfg%d.conf", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs("# voxplane\n[common]\ninstance = lab1\nlog_level = debug\n"
	      "[dataplane]\nlcores = 0-1   # not ours: skipped\n"
	      "[control]\nheartbeat_ms = 250\nhttp_port=9090\n",
	      f);
	fclose(f);
	struct ctl_config cfg;
	char err[256];
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "-c", path, NULL), 0);
	assert_string_equal(cfg.instance, "lab1");
	assert_int_equal(cfg.log_level, CTL_LOG_DEBUG);
	assert_int_equal(cfg.heartbeat_ms, 250);
	assert_int_equal(cfg.http_port, 9090);
	/* --set wins over the file wherever it stands on the line */
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--set", "heartbeat_ms=20", "-c", path,
	                          "--set", "log_level=warn", NULL),
	                 0);
	assert_int_equal(cfg.heartbeat_ms, 20);
	assert_int_equal(cfg.log_level, CTL_LOG_WARN);
	assert_string_equal(cfg.instance, "lab1");
	/* an unknown key in an applied section names file and line */
	f = fopen(path, "w");
	fputs("[control]\nheartbeat_ms = 250\n\nheartbeet_ms = 3\n", f);
	fclose(f);
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "-c", path, NULL), -ENOENT);
	char want[128];
	snprintf(want, sizeof(want), "%s:4: unknown key 'heartbeet_ms'", path);
	assert_string_equal(err, want);
	unlink(path);
	assert_true(cfg_args(&cfg, err, sizeof(err), "-c", path, NULL) < 0); /* missing file */
}

static void test_bad_values(void **state)
{
	(void)state;
	struct ctl_config cfg;
	char err[256];
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--set", "heartbeat_ms=5", NULL),
	                 -EINVAL);
	assert_string_equal(err, "heartbeat_ms: '5' is not a number in [10, 10000]");
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--set", "log_level=loud", NULL),
	                 -EINVAL);
	assert_string_equal(err, "log_level: 'loud' is not one of debug|info|warn|error");
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--set", "nokey=1", NULL), -EINVAL);
	assert_string_equal(err, "unknown key 'nokey'");
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--set", "novalue", NULL), -EINVAL);
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--set", NULL), -EINVAL);
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--bogus", NULL), -EINVAL);
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--set", "instance=Bad-Id", NULL),
	                 -EINVAL);
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--set", "instance=waytoolongid", NULL),
	                 -EINVAL);
	assert_int_equal(cfg_args(&cfg, err, sizeof(err), "--help", NULL), 1);
}

static void test_help_lists_table(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ctl_config_usage(f, "voxplane-control");
	fclose(f);
	for (const struct vox_conf_opt *o = ctl_config_table; o->name; o++)
		assert_non_null(strstr(text, o->name));
	assert_non_null(strstr(text, "[10..10000]"));
	assert_non_null(strstr(text, "[debug|info|warn|error]"));
	free(text);
}

static int cfg_fmt(char *buf, size_t len, long long ns, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = ctl_log_format(buf, len, ns, CTL_LOG_INFO, "attach", fmt, ap);
	va_end(ap);
	return n;
}

/* The one log line format: UTC, milliseconds, process, level, tag; newlines flattened. */
static void test_log_format(void **state)
{
	(void)state;
	char line[256];
	long long ns = 1795316645123456789ll; /* 2026-11-22T03:04:05.123Z */
	int n = cfg_fmt(line, sizeof(line), ns, "attached to %s\nboot %d", "/dev/shm/x", 7);
	assert_string_equal(
	    line, "2026-11-22T03:04:05.123Z control INFO attach: attached to /dev/shm/x boot 7");
	assert_int_equal(n, (int)strlen(line));
	/* a message longer than the buffer is cut, still terminated */
	char small[40];
	n = cfg_fmt(small, sizeof(small), ns, "%s", "0123456789012345678901234567890123456789");
	assert_int_equal(n, (int)strlen(small));
	assert_int_equal(n, (int)sizeof(small) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),   cmocka_unit_test(test_file_and_set),
	    cmocka_unit_test(test_bad_values), cmocka_unit_test(test_help_lists_table),
	    cmocka_unit_test(test_log_format),
	};
	return cmocka_run_group_tests_name("control_config", tests, NULL, NULL);
}
