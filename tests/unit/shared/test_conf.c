/* SPDX-License-Identifier: BSD-3-Clause */
/* test_conf.c — shared/vox_conf: defaults, bounds, enums, bools, sections, file:line errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vox_conf.h"

struct tcfg {
	char name[8];
	uint32_t port;
	int on;
	uint32_t mode;
};

static const struct vox_conf_opt tcfg_table[] = {
    {"name", VOX_CONF_STR, offsetof(struct tcfg, name), 8, 0, 0, "abc", NULL, 0, "a name"},
    {"port", VOX_CONF_U32, offsetof(struct tcfg, port), 4, 1, 65535, "5060", NULL, 0, "a port"},
    {"on", VOX_CONF_BOOL, offsetof(struct tcfg, on), sizeof(int), 0, 0, "no", NULL, 1, "a flag"},
    {"mode", VOX_CONF_ENUM, offsetof(struct tcfg, mode), 4, 0, 0, "adaptive", "busy|adaptive|off",
     0, "a mode"},
    VOX_CONF_END,
};

static void test_defaults(void **state)
{
	(void)state;
	struct tcfg c;
	char err[128];
	memset(&c, 0xff, sizeof(c));
	assert_int_equal(vox_conf_defaults(tcfg_table, &c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "abc");
	assert_int_equal(c.port, 5060);
	assert_int_equal(c.on, 0);
	assert_int_equal(c.mode, 1);
}

static void test_values(void **state)
{
	(void)state;
	struct tcfg c;
	char err[128];
	vox_conf_defaults(tcfg_table, &c, err, sizeof(err));
	/* u32 bounds, hex, junk, negative */
	assert_int_equal(vox_conf_set(tcfg_table, &c, "port", "1", err, sizeof(err)), 0);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "port", "65535", err, sizeof(err)), 0);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "port", "0x10", err, sizeof(err)), 0);
	assert_int_equal(c.port, 16);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "port", "0", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "port: '0' is not a number in [1, 65535]");
	assert_int_equal(vox_conf_set(tcfg_table, &c, "port", "65536", err, sizeof(err)), -EINVAL);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "port", "-1", err, sizeof(err)), -EINVAL);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "port", "12x", err, sizeof(err)), -EINVAL);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "port", "", err, sizeof(err)), -EINVAL);
	assert_int_equal(
	    vox_conf_set(tcfg_table, &c, "port", "99999999999999999999", err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(c.port, 16); /* unchanged by the failures */
	/* strings: size includes the NUL */
	assert_int_equal(vox_conf_set(tcfg_table, &c, "name", "1234567", err, sizeof(err)), 0);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "name", "12345678", err, sizeof(err)),
	                 -EINVAL);
	assert_string_equal(c.name, "1234567");
	/* bools */
	static const char *yes[] = {"yes", "true", "on", "1"}, *no[] = {"no", "false", "off", "0"};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(vox_conf_set(tcfg_table, &c, "on", yes[i], err, sizeof(err)), 0);
		assert_int_equal(c.on, 1);
		assert_int_equal(vox_conf_set(tcfg_table, &c, "on", no[i], err, sizeof(err)), 0);
		assert_int_equal(c.on, 0);
	}
	assert_int_equal(vox_conf_set(tcfg_table, &c, "on", "maybe", err, sizeof(err)), -EINVAL);
	/* enums: whole words only */
	assert_int_equal(vox_conf_set(tcfg_table, &c, "mode", "off", err, sizeof(err)), 0);
	assert_int_equal(c.mode, 2);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "mode", "busy", err, sizeof(err)), 0);
	assert_int_equal(c.mode, 0);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "mode", "bus", err, sizeof(err)), -EINVAL);
	assert_int_equal(vox_conf_set(tcfg_table, &c, "mode", "busy|adaptive", err, sizeof(err)),
	                 -EINVAL);
	assert_string_equal(err, "mode: 'busy|adaptive' is not one of busy|adaptive|off");
	/* unknown key */
	assert_int_equal(vox_conf_set(tcfg_table, &c, "nope", "1", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "unknown key 'nope'");
	/* key=value with spaces */
	assert_int_equal(vox_conf_set_kv(tcfg_table, &c, "  port =  77 ", err, sizeof(err)), 0);
	assert_int_equal(c.port, 77);
	assert_int_equal(vox_conf_set_kv(tcfg_table, &c, "port", err, sizeof(err)), -EINVAL);
}

static void test_file_sections(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/voxconf%d.conf", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs("port = 100   # before any section: applies\n"
	      "\n   # comment line\n"
	      "[common]\non = yes\n"
	      "[other]\nport = 1\nwhatever = 3\n"
	      "[mine]\nmode = off\n",
	      f);
	fclose(f);
	struct tcfg c;
	char err[128];
	vox_conf_defaults(tcfg_table, &c, err, sizeof(err));
	assert_int_equal(vox_conf_load(tcfg_table, &c, path, "mine", err, sizeof(err)), 0);
	assert_int_equal(c.port, 100); /* [other] skipped, unknown keys there too */
	assert_int_equal(c.on, 1);
	assert_int_equal(c.mode, 2);
	/* unknown key in an applied section: file and line */
	f = fopen(path, "w");
	fputs("[common]\non = yes\n[mine]\n\nbogus = 1\n", f);
	fclose(f);
	assert_int_equal(vox_conf_load(tcfg_table, &c, path, "mine", err, sizeof(err)), -ENOENT);
	char want[128];
	snprintf(want, sizeof(want), "%s:5: unknown key 'bogus'", path);
	assert_string_equal(err, want);
	/* bad value and broken section header, with line numbers */
	f = fopen(path, "w");
	fputs("[mine]\nport = 0\n", f);
	fclose(f);
	assert_int_equal(vox_conf_load(tcfg_table, &c, path, "mine", err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: port: '0' is not a number in [1, 65535]", path);
	assert_string_equal(err, want);
	f = fopen(path, "w");
	fputs("[mine\n", f);
	fclose(f);
	assert_int_equal(vox_conf_load(tcfg_table, &c, path, "mine", err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: unterminated section", path);
	assert_string_equal(err, want);
	unlink(path);
	assert_int_equal(vox_conf_load(tcfg_table, &c, path, "mine", err, sizeof(err)), -ENOENT);
}

static void test_help(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	vox_conf_help(tcfg_table, f);
	fclose(f);
	assert_non_null(strstr(text, "port"));
	assert_non_null(strstr(text, "[1..65535] (default: 5060)"));
	assert_non_null(strstr(text, "[busy|adaptive|off]"));
	assert_non_null(strstr(text, "[yes|no] (default: no) [runtime]"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_file_sections),
	    cmocka_unit_test(test_help),
	};
	return cmocka_run_group_tests_name("shared_conf", tests, NULL, NULL);
}
