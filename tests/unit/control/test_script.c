/* SPDX-License-Identifier: BSD-3-Clause */
/* test_script.c — control's scripted mode: the parser, rule matching, and the action runner
 * against the stand-in dataplane (commands read back from the rings, timing on a test clock). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "vox_rec.h"

#include "ctl_admin.h"
#include "ctl_attach.h"
#include "ctl_dp.h"
#include "ctl_legs.h"
#include "ctl_script_priv.h"
#include "ctl_test.h"
#include "fake_dp.h"

/* ---- parser ---- */

static struct ctl_script_prog *scr_parse(const char *text)
{
	struct ctl_script_prog *p = NULL;
	char err[256] = "";
	int rc = ctl_script_parse(&p, text, strlen(text), "t.script", err, sizeof(err));
	if (rc)
		fail_msg("parse: %s", err);
	return p;
}

static const char *scr_s(const struct ctl_script_prog *p, const struct ctl_script_act *a, int i)
{
	return ctl_script_s(p, a->s[i]);
}

static void test_parse_actions(void **state)
{
	(void)state;
	struct ctl_script_prog *p = scr_parse(
	    "# a comment line\n"
	    "   \n"
	    "486: reject 486 Busy  Here   # trailing comment\n"
	    "603:reject 603\n"
	    "alice: ring 183; wait 0; answer; deadline 2000; hangup;\n"
	    "bob: hangup 486 ; ring 180\n"
	    "d: dial sip:uas@192.0.2.1:5080 via 192.0.2.1:5080 timeout 3000 auth alice secret "
	    "from sip:ctl@example.com; bridge\n"
	    "d6: dial sips:x@[2001:db8::1]:5061 via [2001:db8::1]:5061\n"
	    "opt: wait 5; respond 200 OK  Then\n"
	    "*: nothing\r\n");
	assert_int_equal(p->n_rules, 8);
	const struct ctl_script_rule *r = p->rules;
	const struct ctl_script_act *a = &p->acts[r[0].first];
	assert_string_equal(ctl_script_s(p, r[0].match), "486");
	assert_int_equal(r[0].line, 3);
	assert_int_equal(r[0].n, 1);
	assert_int_equal(a->op, CTL_SOP_REJECT);
	assert_int_equal(a->code, 486);
	assert_string_equal(scr_s(p, a, CTL_SS_REASON), "Busy  Here"); /* as written */
	a = &p->acts[r[1].first];
	assert_int_equal(a->code, 603);
	assert_int_equal(a->s[CTL_SS_REASON].len, 0);
	/* alice: five actions, the trailing ';' tolerated */
	assert_int_equal(r[2].n, 5);
	a = &p->acts[r[2].first];
	assert_int_equal(a[0].op, CTL_SOP_RING);
	assert_int_equal(a[0].code, 183);
	assert_int_equal(a[1].op, CTL_SOP_WAIT);
	assert_int_equal(a[1].ms, 0);
	assert_int_equal(a[2].op, CTL_SOP_ANSWER);
	assert_int_equal(a[3].op, CTL_SOP_DEADLINE);
	assert_int_equal(a[3].ms, 2000);
	assert_int_equal(a[4].op, CTL_SOP_HANGUP);
	assert_int_equal(a[4].code, 0);
	a = &p->acts[r[3].first];
	assert_int_equal(a[0].op, CTL_SOP_HANGUP);
	assert_int_equal(a[0].code, 486);
	assert_int_equal(a[1].code, 180);
	/* dial with every option */
	a = &p->acts[r[4].first];
	assert_int_equal(a[0].op, CTL_SOP_DIAL);
	assert_string_equal(scr_s(p, a, CTL_SS_TARGET), "sip:uas@192.0.2.1:5080");
	assert_int_equal(a[0].via.family, VOX_AF_INET);
	assert_memory_equal(a[0].via.addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(a[0].via.port, 5080);
	assert_int_equal(a[0].ms, 3000);
	assert_string_equal(scr_s(p, a, CTL_SS_USER), "alice");
	assert_string_equal(scr_s(p, a, CTL_SS_PASS), "secret");
	assert_string_equal(scr_s(p, a, CTL_SS_FROM), "sip:ctl@example.com");
	assert_int_equal(a[1].op, CTL_SOP_BRIDGE);
	a = &p->acts[r[5].first];
	assert_int_equal(a->via.family, VOX_AF_INET6);
	assert_int_equal(a->via.addr[0], 0x20);
	assert_int_equal(a->via.addr[15], 1);
	assert_int_equal(a->via.port, 5061);
	assert_int_equal(a->ms, 0);
	assert_int_equal(a->s[CTL_SS_USER].len, 0);
	/* a respond rule is a request rule */
	assert_int_equal(r[6].requests, 1);
	a = &p->acts[r[6].first];
	assert_int_equal(a[1].op, CTL_SOP_RESPOND);
	assert_int_equal(a[1].code, 200);
	assert_string_equal(scr_s(p, &a[1], CTL_SS_REASON), "OK  Then");
	assert_int_equal(r[7].any, 1);
	assert_int_equal(r[7].requests, 0);
	assert_int_equal(p->acts[r[7].first].op, CTL_SOP_NOTHING);
	assert_string_equal(ctl_script_op_name(CTL_SOP_DIAL), "dial");
	ctl_script_prog_put(p);
}

/* Media actions: their command payloads are built when the script is parsed. */
static void test_parse_media(void **state)
{
	(void)state;
	struct ctl_script_prog *p = scr_parse(
	    "m: answer; tone ringback 3000; tone digits:ww12#; tone 350+440; silence 500; "
	    "collect 4 finish *# timeout 3000 barge; collect 1; "
	    "record /tmp/r.wav dual max 60000 silence 5000 finish pound; record /tmp/m.wav\n");
	const struct ctl_script_act *a = &p->acts[p->rules[0].first];
	assert_int_equal(p->rules[0].n, 9);
	struct vox_tone t;
	assert_int_equal(a[1].op, CTL_SOP_TONE);
	assert_int_equal(a[1].s[CTL_SS_PAYLOAD].len, sizeof(t));
	memcpy(&t, ctl_script_s(p, a[1].s[CTL_SS_PAYLOAD]), sizeof(t));
	assert_int_equal(t.kind, VOX_TONE_RINGBACK);
	assert_int_equal(t.ms, 3000);
	memcpy(&t, ctl_script_s(p, a[2].s[CTL_SS_PAYLOAD]), sizeof(t));
	assert_int_equal(t.kind, VOX_TONE_DIGITS);
	assert_string_equal(t.digits, "ww12#");
	memcpy(&t, ctl_script_s(p, a[3].s[CTL_SS_PAYLOAD]), sizeof(t));
	assert_int_equal(t.kind, VOX_TONE_SINE);
	assert_int_equal(t.f1, 350);
	assert_int_equal(t.f2, 440);
	assert_int_equal(t.ms, 0);
	assert_int_equal(a[4].op, CTL_SOP_SILENCE);
	assert_int_equal(a[4].ms, 500);
	struct vox_collect c;
	memcpy(&c, ctl_script_s(p, a[5].s[CTL_SS_PAYLOAD]), sizeof(c));
	assert_int_equal(c.max_digits, 4);
	assert_int_equal(c.finish_keys, (1u << 11) | (1u << 10));
	assert_int_equal(c.first_ms, 3000);
	assert_int_equal(c.inter_ms, 3000);
	assert_int_equal(c.flags, VOX_COLLECTF_BARGE);
	memcpy(&c, ctl_script_s(p, a[6].s[CTL_SS_PAYLOAD]), sizeof(c));
	assert_int_equal(c.max_digits, 1);
	assert_int_equal(c.finish_keys, 0);
	assert_int_equal(c.first_ms, 5000); /* the default */
	struct vox_record r;
	memcpy(&r, ctl_script_s(p, a[7].s[CTL_SS_PAYLOAD]), sizeof(r));
	assert_int_equal(r.flags, VOX_RECORDF_DUAL);
	assert_int_equal(r.max_ms, 60000);
	assert_int_equal(r.silence_ms, 5000);
	assert_int_equal(r.finish_keys, 1u << 11);
	assert_string_equal(scr_s(p, &a[7], CTL_SS_PATH), "/tmp/r.wav");
	memcpy(&r, ctl_script_s(p, a[8].s[CTL_SS_PAYLOAD]), sizeof(r));
	assert_int_equal(r.flags, 0);
	assert_int_equal(r.max_ms, 0);
	assert_string_equal(ctl_script_op_name(CTL_SOP_RECORD), "record");
	ctl_script_prog_put(p);
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct {
		const char *line, *err;
	} cases[] = {
	    {"answer", "expected 'MATCH: ACTION; ACTION; ...'"},
	    {": answer", "missing MATCH before ':'"},
	    {"a b: answer", "MATCH must be one word (a user or '*')"},
	    {"x:", "no actions after ':'"},
	    {"x:  ;", "no actions after ':'"},
	    {"x: ring 181", "usage: ring 180 | ring 183"},
	    {"x: ring", "usage: ring 180 | ring 183"},
	    {"x: ring 180 183", "usage: ring 180 | ring 183"},
	    {"x: wait", "usage: wait MS (0..3600000)"},
	    {"x: wait -1", "usage: wait MS (0..3600000)"},
	    {"x: wait 3600001", "usage: wait MS (0..3600000)"},
	    {"x: wait 1s", "usage: wait MS (0..3600000)"},
	    {"x: deadline 0", "usage: deadline MS (1..86400000)"},
	    {"x: answer now", "answer takes no arguments"},
	    {"x: bridge now", "bridge takes no arguments"},
	    {"x: nothing 1", "nothing takes no arguments"},
	    {"x: reject", "usage: reject CODE [REASON...] (CODE 300..699)"},
	    {"x: reject 200 OK", "usage: reject CODE [REASON...] (CODE 300..699)"},
	    {"x: reject 700", "usage: reject CODE [REASON...] (CODE 300..699)"},
	    {"x: respond 100", "usage: respond CODE [REASON...] (CODE 200..699)"},
	    {"x: hangup 200", "usage: hangup [CODE] (CODE 300..699: for a leg not answered yet)"},
	    {"x: dance", "unknown action 'dance'"},
	    {"x: answer;; hangup", "empty action"},
	    {"x: dial sip:a@b",
	     "usage: dial URI via IP:PORT [timeout MS] [auth USER PASS] [from URI] [srtp]"},
	    {"x: dial sip:a@b to 1.2.3.4:5",
	     "usage: dial URI via IP:PORT [timeout MS] [auth USER PASS] [from URI] [srtp]"},
	    {"x: dial http://a via 1.2.3.4:5", "dial: 'http://a' is not a sip: or sips: URI"},
	    {"x: dial sip: via 1.2.3.4:5", "dial: 'sip:' is not a sip: or sips: URI"},
	    {"x: dial sip:a@b via 1.2.3.4", "dial: via '1.2.3.4' is not IP:PORT"},
	    {"x: dial sip:a@b via 1.2.3.4:0", "dial: via '1.2.3.4:0' is not IP:PORT"},
	    {"x: dial sip:a@b via host:5060", "dial: via 'host:5060' is not IP:PORT"},
	    {"x: dial sip:a@b via [::1:5060", "dial: via '[::1:5060' is not IP:PORT"},
	    {"x: dial sip:a@b via 1.2.3.4:5 timeout",
	     "dial: timeout takes milliseconds, 1..3600000"},
	    {"x: dial sip:a@b via 1.2.3.4:5 timeout 0",
	     "dial: timeout takes milliseconds, 1..3600000"},
	    {"x: dial sip:a@b via 1.2.3.4:5 auth u", "dial: auth takes USER PASS"},
	    {"x: dial sip:a@b via 1.2.3.4:5 from x", "dial: from takes a sip: or sips: URI"},
	    {"x: dial sip:a@b via 1.2.3.4:5 timeout 1 timeout 2", "dial: 'timeout' given twice"},
	    {"x: dial sip:a@b via 1.2.3.4:5 srtp srtp", "dial: 'srtp' given twice"},
	    {"x: dial sip:a@b via 1.2.3.4:5 loud",
	     "dial: unknown option 'loud' (timeout, auth, from, srtp)"},
	    {"x: ring 180; respond 200",
	     "'respond' answers requests: it cannot share a rule with 'ring'"},
	    {"x: respond 200; wait 1; answer",
	     "'respond' answers requests: it cannot share a rule with 'answer'"},
	    {"x: a b c d e f g h i j k l m n o p q", "unknown action 'a'"},
	    {"x: dial sip:a@b via 1.2.3.4:5 a b c d e f g h i j k l", "too many words for 'dial'"},
	    {"x: tone", "usage: tone ringback|beep|digits:STR|HZ[+HZ] [MS]"},
	    {"x: tone digits:12x", "usage: tone ringback|beep|digits:STR|HZ[+HZ] [MS]"},
	    {"x: tone 4000", "usage: tone ringback|beep|digits:STR|HZ[+HZ] [MS]"},
	    {"x: tone beep 0", "usage: tone ringback|beep|digits:STR|HZ[+HZ] [MS]"},
	    {"x: silence 0", "usage: silence MS (1..3600000)"},
	    {"x: collect 0", "usage: collect MAX [finish KEYS] [timeout MS] [barge] (MAX 1..32)"},
	    {"x: collect 33", "usage: collect MAX [finish KEYS] [timeout MS] [barge] (MAX 1..32)"},
	    {"x: collect 3 finish x", "collect: bad option 'finish' (finish KEYS, timeout MS, barge)"},
	    {"x: collect 3 loud", "collect: bad option 'loud' (finish KEYS, timeout MS, barge)"},
	    {"x: record r.wav", "usage: record /PATH [dual] [max MS] [silence MS] [finish KEYS]"},
	    {"x: record /r.wav max", "record: bad option 'max' (dual, max MS, silence MS, finish KEYS)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512], err[256] = "", want[300];
		snprintf(text, sizeof(text), "# header\nok: answer\n%s\n*: answer\n",
		         cases[i].line);
		snprintf(want, sizeof(want), "t.script:3: %s", cases[i].err);
		struct ctl_script_prog *p = NULL;
		int rc = ctl_script_parse(&p, text, strlen(text), "t.script", err, sizeof(err));
		if (rc != -EINVAL || strcmp(err, want) != 0)
			fail_msg("'%s': rc %d, got '%s', want '%s'", cases[i].line, rc, err, want);
		assert_null(p);
	}
	/* a line too long, a long reason phrase (fine), a file that is not there */
	char text[CTL_SCRIPT_LINE_MAX + 64], err[256];
	memset(text, 'a', sizeof(text));
	memcpy(text, "x: reject 486 ", 14);
	text[CTL_SCRIPT_LINE_MAX] = 0;
	struct ctl_script_prog *p = NULL;
	assert_int_equal(ctl_script_parse(&p, text, strlen(text), "t.script", err, sizeof(err)),
	                 -EINVAL);
	assert_string_equal(err, "t.script:1: line longer than 1023 characters");
	const char *many = "x: reject 486 a b c d e f g h i j k l m n o p q r s t u v w";
	p = scr_parse(many);
	assert_string_equal(scr_s(p, &p->acts[0], CTL_SS_REASON),
	                    "a b c d e f g h i j k l m n o p q r s t u v w");
	ctl_script_prog_put(p);
	assert_int_equal(ctl_script_load(&p, "/nonexistent/x.script", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/x.script: No such file or directory");
	/* an empty script is valid: every call is unmatched */
	p = scr_parse("# nothing here\n");
	assert_int_equal(p->n_rules, 0);
	assert_int_equal(ctl_script_match(p, "a", 1, 0), -1);
	ctl_script_prog_put(p);
}

static int scr_m(const struct ctl_script_prog *p, const char *user, int requests)
{
	return ctl_script_match(p, user, strlen(user), requests);
}

static void test_match(void **state)
{
	(void)state;
	struct ctl_script_prog *p = scr_parse("a: answer\n"
	                                      "b: answer\n"
	                                      "q: respond 200\n"
	                                      "*: hangup\n"
	                                      "a: reject 486\n"
	                                      "*: respond 404\n"
	                                      "c: answer\n");
	assert_int_equal(scr_m(p, "a", 0), 0); /* first of two 'a' rules */
	assert_int_equal(scr_m(p, "b", 0), 1);
	assert_int_equal(scr_m(p, "zz", 0), 3); /* fallback */
	assert_int_equal(scr_m(p, "", 0), 3);
	assert_int_equal(scr_m(p, "ab", 0), 3); /* exact, not a prefix */
	assert_int_equal(scr_m(p, "A", 0), 3);  /* case matters */
	assert_int_equal(scr_m(p, "c", 0), 3);  /* after the fallback: never reached */
	assert_int_equal(scr_m(p, "q", 0), 3);  /* respond rules never take calls */
	assert_int_equal(scr_m(p, "q", 1), 2);
	assert_int_equal(scr_m(p, "a", 1), 5); /* call rules never take requests */
	ctl_script_prog_put(p);
	/* without a fallback */
	p = scr_parse("a: answer\n");
	assert_int_equal(scr_m(p, "b", 0), -1);
	assert_int_equal(scr_m(p, "a", 1), -1);
	ctl_script_prog_put(p);
}

static void test_examples(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		uint32_t rules;
	} ex[] = {
	    {"answer.script", 1},  {"reject.script", 3}, {"deadline.script", 1},
	    {"nothing.script", 1}, {"dial.script", 1},
	};
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		char path[512], err[256] = "";
		snprintf(path, sizeof(path), "%s/%s", CTL_TEST_SCRIPTS, ex[i].file);
		struct ctl_script_prog *p = NULL;
		if (ctl_script_load(&p, path, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(p->n_rules, ex[i].rules);
		ctl_script_prog_put(p);
	}
	/* the integration tests' combined script, when present, must parse as well */
	char path[512], err[256] = "";
	snprintf(path, sizeof(path), "%s/itest.script", CTL_TEST_SCRIPTS);
	struct ctl_script_prog *p = NULL;
	int rc = ctl_script_load(&p, path, err, sizeof(err));
	if (rc != -ENOENT && rc != 0)
		fail_msg("%s", err);
	ctl_script_prog_put(p);
}

/* ---- the runner, against the stand-in dataplane ---- */

struct scr_fx {
	struct fake_dp dp;
	struct ctl c;
	struct ctl_test_replies rep;
	char id[16], run[64], path[128];
	uint64_t now; /* the loop's clock */
	_Alignas(64) unsigned char buf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
};

static uint64_t scr_clock(void *arg)
{
	return *(const uint64_t *)arg;
}

static int scr_setup_opts(void **state, const struct fake_dp_opts *o, int live)
{
	static struct scr_fx fx;
	memset(&fx, 0, sizeof(fx));
	ctl_test_id(fx.id, sizeof(fx.id), "scr");
	snprintf(fx.run, sizeof(fx.run), "/tmp/ctlut-%s", fx.id);
	snprintf(fx.path, sizeof(fx.path), "/tmp/ctlut-%s.script", fx.id);
	assert_int_equal(fake_dp_start(&fx.dp, fx.id, fx.run, o), 0);
	atomic_store(&fx.dp.paused, !live);
	assert_int_equal(ctl_test_make(&fx.c, fx.id, fx.run), 0);
	fx.c.reply = ctl_test_reply;
	fx.c.reply_arg = &fx.rep;
	if (!live) {
		/* time stands still unless the test moves it */
		fx.now = 1000000000ull;
		ctl_loop_set_clock(fx.c.loop, scr_clock, &fx.now);
	}
	ctl_loop_set_hooks(fx.c.loop, ctl_dp_before_sleep, ctl_dp_after_sleep, &fx.c);
	assert_int_equal(ctl_attach_try(&fx.c), 0);
	*state = &fx;
	return 0;
}

static int scr_setup(void **state)
{
	struct fake_dp_opts o = {.n_workers = 2};
	return scr_setup_opts(state, &o, 0);
}

static int scr_setup_small_ring(void **state)
{
	struct fake_dp_opts o = {.n_workers = 2, .cmd_slots = 16};
	return scr_setup_opts(state, &o, 0);
}

static int scr_setup_live(void **state)
{
	struct fake_dp_opts o = {.n_workers = 2, .with_socket = 1};
	return scr_setup_opts(state, &o, 1);
}

static int scr_teardown(void **state)
{
	struct scr_fx *fx = *state;
	struct ctl_script *s = fx->c.script;
	ctl_test_replies_free(&fx->rep);
	ctl_attach_stop(&fx->c);
	/* every call slot came back and only the module holds the rules */
	if (s) {
		assert_int_equal(s->calls.n, 0);
		assert_int_equal(s->calls.n_free, s->calls.max);
		assert_int_equal(s->prog->refs, 1);
	}
	ctl_test_free(&fx->c);
	fake_dp_stop(&fx->dp, 1);
	unlink(fx->path);
	rmdir(fx->dp.names.run_dir);
	rmdir(fx->run);
	return 0;
}

static void scr_write(struct scr_fx *fx, const char *text)
{
	FILE *f = fopen(fx->path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void scr_open(struct scr_fx *fx, const char *text, uint32_t max_calls)
{
	char err[256] = "";
	scr_write(fx, text);
	snprintf(fx->c.cfg.script, sizeof(fx->c.cfg.script), "%s", fx->path);
	if (max_calls)
		fx->c.cfg.script_calls = max_calls;
	if (ctl_script_open(&fx->c, err, sizeof(err)) != 0)
		fail_msg("script: %s", err);
}

/* Open one of tests/sip/scripts/. */
static void scr_open_example(struct scr_fx *fx, const char *name)
{
	char err[256] = "";
	int n =
	    snprintf(fx->c.cfg.script, sizeof(fx->c.cfg.script), "%s/%s", CTL_TEST_SCRIPTS, name);
	assert_true(n > 0 && (size_t)n < sizeof(fx->c.cfg.script));
	if (ctl_script_open(&fx->c, err, sizeof(err)) != 0)
		fail_msg("script: %s", err);
}

/* One loop turn without sleeping: drain, script, due timers. */
static void scr_turn(struct scr_fx *fx)
{
	ctl_loop_once(fx->c.loop, 0);
	ctl_loop_once(fx->c.loop, 0);
}

static void scr_advance(struct scr_fx *fx, uint64_t ms)
{
	fx->now += ms * 1000000ull;
	scr_turn(fx);
}

/* The next command on worker w's ring, or NULL. */
static const struct vox_rec_hdr *scr_cmd(struct scr_fx *fx, uint32_t w)
{
	int n = vox_rec_recv(vox_shm_cmd_ring(&fx->dp.map, w), fx->buf, VOX_REC_MAX_SLOTS);
	return n > 0 ? (const void *)fx->buf : NULL;
}

static const struct vox_rec_hdr *scr_expect(struct scr_fx *fx, uint32_t w, uint16_t type,
                                            uint64_t leg)
{
	const struct vox_rec_hdr *h = scr_cmd(fx, w);
	if (!h)
		fail_msg("worker %u: no command, want %s", w, ctl_dp_type_name(type));
	if (h->type != type)
		fail_msg("worker %u: got %s, want %s", w, ctl_dp_type_name(h->type),
		         ctl_dp_type_name(type));
	if (leg)
		assert_int_equal(h->leg, leg);
	assert_int_equal(h->worker, w);
	return h;
}

static void scr_none(struct scr_fx *fx, uint32_t w)
{
	const struct vox_rec_hdr *h = scr_cmd(fx, w);
	if (h)
		fail_msg("worker %u: unexpected %s", w, ctl_dp_type_name(h->type));
}

/* A string of a received payload. */
static void scr_pstr(const struct vox_rec_hdr *h, struct vox_pstr p, char *out, size_t len)
{
	assert_true((uint32_t)p.off + p.len <= h->len);
	snprintf(out, len, "%.*s", (int)p.len, (const char *)vox_rec_payload(h) + p.off);
}

static void scr_invite(char *buf, size_t len, const char *ruri_user, const char *to_user)
{
	static const char sdp[] = "v=0\r\n"
	                          "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
	                          "s=-\r\n"
	                          "c=IN IP4 192.0.2.10\r\n"
	                          "t=0 0\r\n"
	                          "m=audio 49170 RTP/AVP 0 101\r\n"
	                          "a=rtpmap:0 PCMU/8000\r\n"
	                          "a=rtpmap:101 telephone-event/8000\r\n";
	char ruri[96];
	if (ruri_user)
		snprintf(ruri, sizeof(ruri), "sip:%s@192.0.2.1:5060", ruri_user);
	else
		snprintf(ruri, sizeof(ruri), "sip:192.0.2.1:5060");
	snprintf(buf, len,
	         "INVITE %s SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n"
	         "Max-Forwards: 70\r\n"
	         "To: <sip:%s@192.0.2.1>\r\n"
	         "From: \"Alice\" <sip:alice@192.0.2.10>;tag=1928301774\r\n"
	         "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
	         "CSeq: 314159 INVITE\r\n"
	         "Contact: <sip:alice@192.0.2.10:5060>\r\n"
	         "User-Agent: test_script\r\n"
	         "Content-Type: application/sdp\r\n"
	         "Content-Length: %zu\r\n"
	         "\r\n%s",
	         ruri, to_user, sizeof(sdp) - 1, sdp);
}

static uint64_t scr_offer(struct scr_fx *fx, uint32_t w, const char *ruri_user, const char *to_user)
{
	char inv[2048];
	scr_invite(inv, sizeof(inv), ruri_user, to_user);
	uint64_t leg = fake_dp_sip_offer(&fx->dp, w, inv);
	assert_int_not_equal(leg, 0);
	scr_turn(fx);
	return leg;
}

static uint64_t scr_counter(struct scr_fx *fx, const char *name)
{
	json_t *j = ctl_script_counters_json(&fx->c);
	json_t *v = json_object_get(j, name);
	if (!v)
		fail_msg("no counter '%s'", name);
	uint64_t n = (uint64_t)json_integer_value(v);
	json_decref(j);
	return n;
}

static json_t *scr_admin(struct scr_fx *fx, const char *line)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", line);
	json_t *j = ctl_admin_exec(&fx->c, 1, buf);
	assert_non_null(j);
	return j;
}

/* The leg as `calls` shows it. New reference, NULL when absent. */
static json_t *scr_call(struct scr_fx *fx, uint64_t leg)
{
	char hx[24];
	snprintf(hx, sizeof(hx), "0x%016llx", (unsigned long long)leg);
	json_t *j = scr_admin(fx, "calls"), *found = NULL, *o;
	size_t i;
	json_array_foreach(json_object_get(j, "legs"), i, o)
	{
		if (!strcmp(json_string_value(json_object_get(o, "handle")), hx))
			found = json_incref(o);
	}
	json_decref(j);
	return found;
}

static void scr_assert_call(struct scr_fx *fx, uint64_t leg, const char *kind, const char *state,
                            const char *called)
{
	json_t *o = scr_call(fx, leg);
	if (!o)
		fail_msg("leg 0x%llx not in calls", (unsigned long long)leg);
	assert_string_equal(json_string_value(json_object_get(o, "kind")), kind);
	assert_string_equal(json_string_value(json_object_get(o, "state")), state);
	assert_string_equal(json_string_value(json_object_get(o, "called")), called);
	json_decref(o);
}

static void scr_emit(struct scr_fx *fx, uint32_t w, uint16_t type, uint64_t leg, uint64_t req,
                     int32_t status)
{
	struct vox_leg_sip ls = {.sip_code = 200};
	const void *pl = &ls;
	uint32_t len = sizeof(ls);
	struct vox_leg_create lc = {.kind = VOX_LEG_KIND_SIP_OUT};
	if (type == VOX_EVT_LEG_CREATED) {
		pl = &lc;
		len = sizeof(lc);
	}
	assert_int_equal(fake_dp_emit(&fx->dp, w, type, leg, req, status, 0, pl, len), 0);
	scr_turn(fx);
}

static void test_answer_timing(void **state)
{
	struct scr_fx *fx = *state;
	scr_open(fx, "*: ring 180; wait 100; answer\n", 0);
	uint64_t leg = scr_offer(fx, 1, "alice", "alice");
	const struct vox_rec_hdr *h = scr_expect(fx, 1, VOX_CMD_RING, leg);
	assert_int_equal(h->status, 180);
	assert_int_equal(h->len, 0);
	scr_none(fx, 1);
	scr_none(fx, 0);
	scr_assert_call(fx, leg, "sip-in", "offered", "alice");
	/* the answer comes 100 ms later on the loop's clock, not a tick before */
	scr_advance(fx, 99);
	scr_none(fx, 1);
	scr_advance(fx, 1);
	scr_expect(fx, 1, VOX_CMD_ANSWER, leg);
	scr_none(fx, 1);
	scr_emit(fx, 1, VOX_EVT_LEG_ANSWERED, leg, 0, 200);
	scr_emit(fx, 1, VOX_EVT_LEG_ANSWERED, leg, 0, 200); /* re-emitted: counted once */
	assert_int_equal(scr_counter(fx, "offered"), 1);
	assert_int_equal(scr_counter(fx, "answered"), 1);
	scr_assert_call(fx, leg, "sip-in", "answered", "alice");
	/* status carries the counters too */
	json_t *st = scr_admin(fx, "status");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(st, "script"), "answered")), 1);
	json_decref(st);
	/* the caller hangs up */
	assert_int_equal(fake_dp_leg_end(&fx->dp, leg, VOX_CAUSE_REMOTE, 0), 0);
	scr_turn(fx);
	assert_int_equal(scr_counter(fx, "ended"), 1);
	assert_int_equal(scr_counter(fx, "ended_remote"), 1);
	assert_int_equal(scr_counter(fx, "errors"), 0);
	assert_null(scr_call(fx, leg));
	assert_int_equal(fx->c.script->calls.n, 0);
}

static void test_reject(void **state)
{
	struct scr_fx *fx = *state;
	scr_open_example(fx, "reject.script");
	uint64_t busy = scr_offer(fx, 0, "486", "486");
	const struct vox_rec_hdr *h = scr_expect(fx, 0, VOX_CMD_REJECT, busy);
	struct vox_sip_reply r;
	assert_true(h->len >= sizeof(r));
	memcpy(&r, vox_rec_payload(h), sizeof(r));
	assert_int_equal(r.code, 486);
	assert_int_equal(r.txn, 0);
	char s[64];
	scr_pstr(h, r.reason, s, sizeof(s));
	assert_string_equal(s, "Busy Here");
	assert_int_equal(r.reason.off, sizeof(r)); /* the strings follow the struct */
	assert_int_equal(h->len, sizeof(r) + 9);
	assert_int_equal(r.headers.len, 0);
	assert_int_equal(r.body.len, 0);
	/* no user in the Request-URI: the To user decides */
	uint64_t decl = scr_offer(fx, 1, NULL, "603");
	h = scr_expect(fx, 1, VOX_CMD_REJECT, decl);
	memcpy(&r, vox_rec_payload(h), sizeof(r));
	assert_int_equal(r.code, 603);
	scr_pstr(h, r.reason, s, sizeof(s));
	assert_string_equal(s, "Decline");
	/* R-URI user wins over To */
	uint64_t other = scr_offer(fx, 1, "bob", "486");
	scr_expect(fx, 1, VOX_CMD_ANSWER, other);
	assert_int_equal(scr_counter(fx, "offered"), 3);
	assert_int_equal(scr_counter(fx, "rejected"), 2);
	/* the dataplane ends the rejected legs */
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, busy, 0, VOX_CAUSE_CONTROL);
	scr_emit(fx, 1, VOX_EVT_LEG_ENDED, decl, 0, VOX_CAUSE_CONTROL);
	scr_emit(fx, 1, VOX_EVT_LEG_ENDED, other, 0, VOX_CAUSE_REMOTE);
	assert_int_equal(scr_counter(fx, "ended"), 3);
	assert_int_equal(scr_counter(fx, "ended_remote"), 1);
}

static void test_unmatched(void **state)
{
	struct scr_fx *fx = *state;
	scr_open(fx, "vip: answer\n", 0);
	uint64_t leg = scr_offer(fx, 0, "nobody", "nobody");
	const struct vox_rec_hdr *h = scr_expect(fx, 0, VOX_CMD_REJECT, leg);
	struct vox_sip_reply r;
	memcpy(&r, vox_rec_payload(h), sizeof(r));
	assert_int_equal(r.code, 404);
	assert_int_equal(r.reason.len, 0); /* the standard phrase */
	assert_int_equal(scr_counter(fx, "unmatched"), 1);
	assert_null(ctl_script_called(&fx->c, leg));
	/* a re-emitted offer of a followed call runs nothing twice */
	uint64_t vip = scr_offer(fx, 0, "vip", "vip");
	scr_expect(fx, 0, VOX_CMD_ANSWER, vip);
	char inv[2048], pl[4096];
	scr_invite(inv, sizeof(inv), "vip", "vip");
	uint32_t len = fake_dp_sip_in(inv, 0, pl, sizeof(pl));
	fake_dp_emit(&fx->dp, 0, VOX_EVT_LEG_OFFERED, vip, 0, 0, VOX_RECF_REEMIT, pl, len);
	scr_turn(fx);
	scr_none(fx, 0);
	assert_int_equal(scr_counter(fx, "offered"), 2);
	/* an offer without a vox_sip_in is counted and treated as no called user */
	uint64_t bad = vox_handle_make(0, 0, 200, 7);
	fake_dp_emit(&fx->dp, 0, VOX_EVT_LEG_OFFERED, bad, 0, 0, 0, "x", 1);
	scr_turn(fx);
	scr_expect(fx, 0, VOX_CMD_REJECT, bad);
	assert_int_equal(scr_counter(fx, "errors"), 1);
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, vip, 0, VOX_CAUSE_REMOTE);
}

static void test_deadline(void **state)
{
	struct scr_fx *fx = *state;
	scr_open(fx, "*: answer; deadline 2000\n", 0);
	uint64_t t0 = ctl_real_ns();
	uint64_t leg = scr_offer(fx, 1, "x", "x");
	uint64_t t1 = ctl_real_ns();
	scr_expect(fx, 1, VOX_CMD_ANSWER, leg);
	const struct vox_rec_hdr *h = scr_expect(fx, 1, VOX_CMD_SET_DEADLINE, leg);
	struct vox_deadline d;
	assert_int_equal(h->len, sizeof(d));
	memcpy(&d, vox_rec_payload(h), sizeof(d));
	assert_true(d.deadline_ns >= t0 + 2000000000ull);
	assert_true(d.deadline_ns <= t1 + 2000000000ull);
	scr_emit(fx, 1, VOX_EVT_LEG_ANSWERED, leg, 0, 200);
	scr_emit(fx, 1, VOX_EVT_LEG_ENDED, leg, 0, VOX_CAUSE_TIME_LIMIT);
	assert_int_equal(scr_counter(fx, "ended_deadline"), 1);
	assert_int_equal(scr_counter(fx, "ended"), 1);
}

static void test_nothing(void **state)
{
	struct scr_fx *fx = *state;
	scr_open(fx, "*: nothing\n", 0);
	uint64_t leg = scr_offer(fx, 0, "x", "x");
	scr_advance(fx, 10000);
	scr_none(fx, 0);
	scr_none(fx, 1);
	/* still followed until the dataplane gives up on us */
	scr_assert_call(fx, leg, "sip-in", "offered", "x");
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, leg, 0, VOX_CAUSE_CONTROL_LOST);
	assert_int_equal(scr_counter(fx, "ended"), 1);
	assert_int_equal(fx->c.script->calls.n, 0);
}

static void test_ended_cancels(void **state)
{
	struct scr_fx *fx = *state;
	scr_open(fx, "st: wait 10; answer\n*: ring 180; wait 1000; answer\n", 0);
	uint64_t leg = scr_offer(fx, 0, "x", "x");
	scr_expect(fx, 0, VOX_CMD_RING, leg);
	scr_advance(fx, 500);
	assert_int_equal(fake_dp_leg_end(&fx->dp, leg, VOX_CAUSE_REMOTE, 487), 0);
	scr_turn(fx);
	scr_advance(fx, 1000);
	scr_none(fx, 0); /* the answer never goes out */
	assert_int_equal(scr_counter(fx, "ended_remote"), 1);
	assert_int_equal(fx->c.script->calls.n, 0);
	/* a failed leg stops its script too */
	leg = scr_offer(fx, 1, "x", "x");
	scr_expect(fx, 1, VOX_CMD_RING, leg);
	scr_emit(fx, 1, VOX_EVT_LEG_FAILED, leg, 0, VOX_CAUSE_NO_RESOURCES);
	scr_advance(fx, 1000);
	scr_none(fx, 1);
	assert_int_equal(scr_counter(fx, "failed"), 1);
	/* the worker says the handle is stale: forgotten */
	leg = scr_offer(fx, 0, "st", "st");
	scr_emit(fx, 0, VOX_EVT_STALE_HANDLE, leg, 0, VOX_CMD_RING);
	scr_advance(fx, 10);
	scr_none(fx, 0);
	assert_int_equal(scr_counter(fx, "stale"), 1);
	assert_int_equal(fx->c.script->calls.n, 0);
}

/* Decode a DIAL command and check the fields every dial test shares. */
static void scr_check_dial(const struct vox_rec_hdr *h, const char *from)
{
	struct vox_dial d;
	char s[128];
	assert_true(h->len >= sizeof(d));
	memcpy(&d, vox_rec_payload(h), sizeof(d));
	assert_int_not_equal(h->req_id, 0);
	assert_int_not_equal(h->leg, 0); /* names the inbound leg (Max-Forwards, same worker) */
	assert_int_equal(d.next_hop.family, VOX_AF_INET);
	assert_memory_equal(d.next_hop.addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(d.next_hop.port, 5080);
	assert_int_equal(d.ring_timeout_ms, 3000);
	assert_int_equal(d.account_idx, 0);
	scr_pstr(h, d.target, s, sizeof(s));
	assert_string_equal(s, "sip:uas@192.0.2.1:5080");
	assert_int_equal(d.target.off, sizeof(d));
	scr_pstr(h, d.auth_user, s, sizeof(s));
	assert_string_equal(s, "alice");
	scr_pstr(h, d.auth_pass, s, sizeof(s));
	assert_string_equal(s, "secret");
	scr_pstr(h, d.from_uri, s, sizeof(s));
	assert_string_equal(s, from);
	assert_int_equal(d.from_display.len, 0);
	assert_int_equal(d.headers.len, 0);
	assert_int_equal(d.to_uri.len, 0);
}

static void test_dial(void **state)
{
	struct scr_fx *fx = *state;
	scr_open(fx,
	         "*: ring 180; dial sip:uas@192.0.2.1:5080 via 192.0.2.1:5080 timeout 3000 auth "
	         "alice secret from sip:ctl@example.com; answer\n",
	         0);
	uint64_t in = scr_offer(fx, 1, "bob", "bob");
	scr_expect(fx, 1, VOX_CMD_RING, in);
	/* on the inbound leg's worker, with a fresh request id */
	const struct vox_rec_hdr *h = scr_expect(fx, 1, VOX_CMD_DIAL, 0);
	scr_check_dial(h, "sip:ctl@example.com");
	uint64_t req = h->req_id;
	scr_none(fx, 1);
	scr_none(fx, 0);
	assert_int_equal(scr_counter(fx, "dialed"), 1);
	/* the outbound leg exists: listed as sip-out to the user dialled */
	uint64_t out = vox_handle_make(0, 1, 77, 5);
	scr_emit(fx, 1, VOX_EVT_LEG_CREATED, out, req, 0);
	scr_assert_call(fx, out, "sip-out", "created", "uas");
	scr_none(fx, 1); /* still waiting for the outcome */
	scr_emit(fx, 1, VOX_EVT_LEG_PROGRESS, out, 0, 180);
	scr_assert_call(fx, out, "sip-out", "ringing", "uas");
	/* the far end answers: the script goes on */
	scr_emit(fx, 1, VOX_EVT_LEG_ANSWERED, out, 0, 200);
	scr_expect(fx, 1, VOX_CMD_ANSWER, in);
	assert_int_equal(scr_counter(fx, "dial_answered"), 1);
	/* the caller hangs up: the outbound leg goes with it */
	scr_emit(fx, 1, VOX_EVT_LEG_ENDED, in, 0, VOX_CAUSE_REMOTE);
	scr_expect(fx, 1, VOX_CMD_HANGUP, out);
	scr_emit(fx, 1, VOX_EVT_LEG_ENDED, out, 0, VOX_CAUSE_CONTROL);
	assert_int_equal(scr_counter(fx, "dial_ended"), 1);
	assert_int_equal(fx->c.script->calls.n, 0);

	/* the dial fails: the script goes on as well */
	in = scr_offer(fx, 0, "bob", "bob");
	scr_expect(fx, 0, VOX_CMD_RING, in);
	h = scr_expect(fx, 0, VOX_CMD_DIAL, 0);
	req = h->req_id;
	scr_emit(fx, 0, VOX_EVT_LEG_FAILED, 0, req, VOX_CAUSE_NO_RESOURCES);
	scr_expect(fx, 0, VOX_CMD_ANSWER, in);
	assert_int_equal(scr_counter(fx, "dial_failed"), 1);

	/* the caller leaves before LEG_CREATED: the new leg is hung up as soon as it is named */
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, in, 0, VOX_CAUSE_REMOTE);
	in = scr_offer(fx, 0, "bob", "bob");
	scr_expect(fx, 0, VOX_CMD_RING, in);
	req = scr_expect(fx, 0, VOX_CMD_DIAL, 0)->req_id;
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, in, 0, VOX_CAUSE_REMOTE);
	scr_none(fx, 0);
	out = vox_handle_make(0, 0, 78, 9);
	scr_emit(fx, 0, VOX_EVT_LEG_CREATED, out, req, 0);
	scr_expect(fx, 0, VOX_CMD_HANGUP, out);
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, out, 0, VOX_CAUSE_CONTROL);
	assert_int_equal(fx->c.script->calls.n, 0);
	assert_int_equal(scr_counter(fx, "errors"), 0);
}

/* A DIAL longer than a slot waits in control's queue while the ring is full, intact. */
static void test_dial_queued(void **state)
{
	struct scr_fx *fx = *state;
	scr_open_example(fx, "dial.script");
	/* 16-slot ring (15 usable): 7 PINGs of 2 slots leave room for the RING only */
	for (int i = 0; i < 7; i++) {
		struct vox_rec_hdr h = {.type = VOX_CMD_PING};
		struct vox_ping p = {0};
		assert_int_equal(ctl_dp_send(&fx->c, 1, &h, &p, sizeof(p)), 0);
	}
	uint64_t in = scr_offer(fx, 1, "bob", "bob");
	assert_int_equal(fx->c.cmdq[1].count, 1);
	assert_int_equal(fx->c.cnt.cmds_queued, 1);
	for (int i = 0; i < 7; i++)
		scr_expect(fx, 1, VOX_CMD_PING, 0);
	scr_expect(fx, 1, VOX_CMD_RING, in);
	assert_int_equal(ctl_dp_flush(&fx->c), 0);
	const struct vox_rec_hdr *h = scr_expect(fx, 1, VOX_CMD_DIAL, 0);
	assert_true(h->len > VOX_REC_SLOT);
	scr_check_dial(h, "");
	scr_emit(fx, 1, VOX_EVT_LEG_ENDED, in, 0, VOX_CAUSE_REMOTE);
	scr_emit(fx, 1, VOX_EVT_LEG_FAILED, 0, h->req_id, VOX_CAUSE_NO_RESOURCES);
	assert_int_equal(fx->c.script->calls.n, 0);
}

static void test_bounded(void **state)
{
	struct scr_fx *fx = *state;
	scr_open(fx, "*: ring 180\n", 16);
	uint64_t legs[17];
	for (int i = 0; i < 16; i++) {
		legs[i] = scr_offer(fx, 0, "x", "x");
		scr_expect(fx, 0, VOX_CMD_RING, legs[i]);
	}
	legs[16] = scr_offer(fx, 0, "x", "x");
	const struct vox_rec_hdr *h = scr_expect(fx, 0, VOX_CMD_REJECT, legs[16]);
	struct vox_sip_reply r;
	memcpy(&r, vox_rec_payload(h), sizeof(r));
	assert_int_equal(r.code, 503);
	assert_int_equal(scr_counter(fx, "calls_full"), 1);
	assert_int_equal(scr_counter(fx, "offered"), 17);
	json_t *j = scr_admin(fx, "script stats");
	assert_int_equal(json_integer_value(json_object_get(j, "calls")), 16);
	assert_int_equal(json_integer_value(json_object_get(j, "max_calls")), 16);
	assert_true(json_is_true(json_object_get(j, "enabled")));
	json_decref(j);
	/* one ends: room for the next */
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, legs[16], 0, VOX_CAUSE_CONTROL);
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, legs[3], 0, VOX_CAUSE_REMOTE);
	uint64_t more = scr_offer(fx, 0, "x", "x");
	scr_expect(fx, 0, VOX_CMD_RING, more);
	/* detach: every call is forgotten (teardown checks the slots came back) */
	ctl_attach_detach(&fx->c, "test");
	assert_int_equal(fx->c.script->calls.n, 0);
}

static void test_requests(void **state)
{
	struct scr_fx *fx = *state;
	scr_open(fx,
	         "opt: respond 200 OK Then\n"
	         "slow: wait 50; respond 486\n"
	         "*: answer\n"
	         "*: respond 405\n",
	         0);
	const char *opt = "OPTIONS sip:opt@192.0.2.1 SIP/2.0\r\n"
	                  "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKopt1\r\n"
	                  "To: <sip:opt@192.0.2.1>\r\n"
	                  "From: <sip:alice@192.0.2.10>;tag=99\r\n"
	                  "Call-ID: opt1@192.0.2.10\r\n"
	                  "CSeq: 1 OPTIONS\r\n"
	                  "Content-Length: 0\r\n\r\n";
	assert_int_equal(fake_dp_sip_request(&fx->dp, 1, 0, opt, 42), 0);
	scr_turn(fx);
	const struct vox_rec_hdr *h = scr_expect(fx, 1, VOX_CMD_RESPOND, 0);
	struct vox_sip_reply r;
	memcpy(&r, vox_rec_payload(h), sizeof(r));
	assert_int_equal(r.code, 200);
	assert_int_equal(r.txn, 42);
	char s[64];
	scr_pstr(h, r.reason, s, sizeof(s));
	assert_string_equal(s, "OK Then");
	/* the fallback respond rule, inside a dialog (the leg is echoed) */
	uint64_t dlg = vox_handle_make(0, 0, 9, 9);
	const char *info = "MESSAGE sip:someone@192.0.2.1 SIP/2.0\r\n"
	                   "To: <sip:someone@192.0.2.1>\r\n"
	                   "Content-Length: 0\r\n\r\n";
	assert_int_equal(fake_dp_sip_request(&fx->dp, 0, dlg, info, 43), 0);
	scr_turn(fx);
	h = scr_expect(fx, 0, VOX_CMD_RESPOND, dlg);
	memcpy(&r, vox_rec_payload(h), sizeof(r));
	assert_int_equal(r.code, 405);
	assert_int_equal(r.txn, 43);
	/* waits work for requests too */
	const char *slow = "MESSAGE sip:slow@192.0.2.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n";
	assert_int_equal(fake_dp_sip_request(&fx->dp, 0, 0, slow, 44), 0);
	scr_turn(fx);
	scr_none(fx, 0);
	assert_int_equal(fx->c.script->calls.n, 1);
	scr_advance(fx, 50);
	h = scr_expect(fx, 0, VOX_CMD_RESPOND, 0);
	memcpy(&r, vox_rec_payload(h), sizeof(r));
	assert_int_equal(r.code, 486);
	assert_int_equal(r.txn, 44);
	assert_int_equal(fx->c.script->calls.n, 0); /* a request is done once answered */
	assert_int_equal(scr_counter(fx, "requests"), 3);
	assert_int_equal(scr_counter(fx, "responded"), 3);
}

static void test_requests_unmatched(void **state)
{
	struct scr_fx *fx = *state;
	scr_open(fx, "*: answer\n", 0);
	const char *msg = "MESSAGE sip:x@192.0.2.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n";
	assert_int_equal(fake_dp_sip_request(&fx->dp, 1, 0, msg, 7), 0);
	scr_turn(fx);
	const struct vox_rec_hdr *h = scr_expect(fx, 1, VOX_CMD_RESPOND, 0);
	struct vox_sip_reply r;
	memcpy(&r, vox_rec_payload(h), sizeof(r));
	assert_int_equal(r.code, 404);
	assert_int_equal(r.txn, 7);
	assert_int_equal(scr_counter(fx, "unmatched"), 1);
}

static void test_reload(void **state)
{
	struct scr_fx *fx = *state;
	json_t *j = scr_admin(fx, "script reload");
	assert_string_equal(json_string_value(json_object_get(j, "error")),
	                    "scripted mode is off (no 'script' configured)");
	json_decref(j);
	j = scr_admin(fx, "script stats");
	assert_true(json_is_false(json_object_get(j, "enabled")));
	assert_int_equal(json_integer_value(json_object_get(j, "offered")), 0);
	json_decref(j);
	scr_open(fx, "*: ring 180; wait 100; answer\n", 0);
	uint64_t a = scr_offer(fx, 0, "x", "x");
	scr_expect(fx, 0, VOX_CMD_RING, a);
	scr_write(fx, "# v2\n*: reject 486 Busy\n");
	j = scr_admin(fx, "script reload");
	assert_true(json_is_true(json_object_get(j, "reloaded")));
	assert_int_equal(json_integer_value(json_object_get(j, "rules")), 1);
	json_decref(j);
	uint64_t b = scr_offer(fx, 0, "x", "x");
	scr_expect(fx, 0, VOX_CMD_REJECT, b);
	/* the running call finishes with the rules it started with */
	scr_advance(fx, 100);
	scr_expect(fx, 0, VOX_CMD_ANSWER, a);
	/* a bad file is refused and the rules in force stay */
	scr_write(fx, "*: answer\n*: explode\n");
	j = scr_admin(fx, "script reload");
	char want[256];
	snprintf(want, sizeof(want), "%s:2: unknown action 'explode'", fx->path);
	assert_string_equal(json_string_value(json_object_get(j, "error")), want);
	json_decref(j);
	uint64_t c = scr_offer(fx, 0, "x", "x");
	scr_expect(fx, 0, VOX_CMD_REJECT, c);
	assert_int_equal(scr_counter(fx, "reloads"), 1);
	j = scr_admin(fx, "script stats");
	assert_string_equal(json_string_value(json_object_get(j, "path")), fx->path);
	assert_int_equal(json_integer_value(json_object_get(j, "rules")), 1);
	json_decref(j);
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, a, 0, VOX_CAUSE_REMOTE);
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, b, 0, VOX_CAUSE_CONTROL);
	scr_emit(fx, 0, VOX_EVT_LEG_ENDED, c, 0, VOX_CAUSE_CONTROL);
	/* a bad file at start: FILE:LINE in the message */
	ctl_script_close(&fx->c);
	scr_write(fx, "ok: answer\n\n bad line\n");
	char err[256];
	assert_int_equal(ctl_script_open(&fx->c, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: expected 'MATCH: ACTION; ACTION; ...'", fx->path);
	assert_string_equal(err, want);
	assert_null(fx->c.script);
}

/* Against the stand-in worker thread and the real clock: it answers RING with PROGRESS, ANSWER
 * with ANSWERED, DIAL with a new leg; its log shows what control sent and when. */
static void test_live(void **state)
{
	struct scr_fx *fx = *state;
	struct ctl *c = &fx->c;
	scr_open_example(fx, "answer.script");
	assert_true(CTL_TEST_RUN_UNTIL(c, 2000, c->evt_fd >= 0));
	char inv[2048];
	scr_invite(inv, sizeof(inv), "carol", "carol");
	uint64_t leg = fake_dp_sip_offer(&fx->dp, 1, inv);
	assert_int_not_equal(leg, 0);
	assert_true(CTL_TEST_RUN_UNTIL(c, 3000, scr_counter(fx, "answered") == 1));
	assert_int_equal(atomic_load(&fx->dp.n_log), 2);
	const struct fake_dp_cmd *ring = &fx->dp.log[0], *ans = &fx->dp.log[1];
	assert_int_equal(ring->h.type, VOX_CMD_RING);
	assert_int_equal(ans->h.type, VOX_CMD_ANSWER);
	uint64_t gap_ms = (ans->mono_ns - ring->mono_ns) / 1000000;
	assert_true(gap_ms >= 99 && gap_ms < 2000);
	scr_assert_call(fx, leg, "sip-in", "answered", "carol");
	assert_int_equal(fake_dp_leg_end(&fx->dp, leg, VOX_CAUSE_REMOTE, 0), 0);
	assert_true(CTL_TEST_RUN_UNTIL(c, 3000, scr_counter(fx, "ended_remote") == 1));
	assert_true(CTL_TEST_RUN_UNTIL(c, 100, ctl_legs_count(c->legs) == 0));
	/* a dial the far end answers at once */
	ctl_script_close(c);
	scr_open_example(fx, "dial.script");
	atomic_store(&fx->dp.dial_mode, FAKE_DIAL_ANSWER);
	leg = fake_dp_sip_offer(&fx->dp, 0, inv);
	assert_true(CTL_TEST_RUN_UNTIL(c, 3000, scr_counter(fx, "dial_answered") == 1));
	assert_int_equal(ctl_legs_count(c->legs), 2);
	assert_int_equal(ctl_legs_on_worker(c->legs, 0), 2); /* both legs on one worker */
	assert_int_equal(fake_dp_leg_end(&fx->dp, leg, VOX_CAUSE_REMOTE, 0), 0);
	/* the outbound leg is hung up with it */
	assert_true(CTL_TEST_RUN_UNTIL(c, 3000, scr_counter(fx, "dial_ended") == 1));
	assert_true(CTL_TEST_RUN_UNTIL(c, 100, ctl_legs_count(c->legs) == 0));
	assert_int_equal(scr_counter(fx, "errors"), 0);
	assert_int_equal(c->cnt.stale_handles, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_actions),
	    cmocka_unit_test(test_parse_media),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_examples),
	    cmocka_unit_test_setup_teardown(test_answer_timing, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_reject, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_unmatched, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_deadline, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_nothing, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_ended_cancels, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_dial, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_dial_queued, scr_setup_small_ring, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_bounded, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_requests, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_requests_unmatched, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_reload, scr_setup, scr_teardown),
	    cmocka_unit_test_setup_teardown(test_live, scr_setup_live, scr_teardown),
	};
	return cmocka_run_group_tests_name("control_script", tests, NULL, NULL);
}
