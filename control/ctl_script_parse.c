/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_script_parse.c — scripted mode's rules: the line parser, rule matching, references. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_rec.h"
#include "ctl_script_priv.h"

#define CTL_SCRIPT_WORDS 16

/* The program being built: growable arrays, turned into a ctl_script_prog at the end. */
struct sp_build {
	struct ctl_script_prog *p;
	uint32_t cap_rules, cap_acts, cap_strs;
	const char *name;
	uint32_t line;
	char *err;
	size_t errlen;
};

static const char *const sp_op_names[] = {
    [CTL_SOP_RING] = "ring",       [CTL_SOP_WAIT] = "wait",     [CTL_SOP_ANSWER] = "answer",
    [CTL_SOP_REJECT] = "reject",   [CTL_SOP_HANGUP] = "hangup", [CTL_SOP_DEADLINE] = "deadline",
    [CTL_SOP_DIAL] = "dial",       [CTL_SOP_BRIDGE] = "bridge", [CTL_SOP_RESPOND] = "respond",
    [CTL_SOP_NOTHING] = "nothing", [CTL_SOP_TONE] = "tone",     [CTL_SOP_SILENCE] = "silence",
    [CTL_SOP_COLLECT] = "collect", [CTL_SOP_RECORD] = "record",
};
#define SP_N_OPS (sizeof(sp_op_names) / sizeof(sp_op_names[0]))

const char *ctl_script_op_name(uint8_t op)
{
	return op < SP_N_OPS && sp_op_names[op] ? sp_op_names[op] : "?";
}

static int sp_fail(struct sp_build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sp_fail(struct sp_build *b, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(b->err, b->errlen, "%s:%u: %s", b->name, b->line, msg);
	return -EINVAL;
}

static int sp_grow(void **arr, uint32_t *cap, uint32_t need, size_t elt)
{
	if (need <= *cap)
		return 0;
	uint32_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *p = realloc(*arr, (size_t)n * elt);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static int sp_str(struct sp_build *b, const char *s, size_t len, struct ctl_script_sref *out)
{
	struct ctl_script_prog *p = b->p;
	if (!len) {
		*out = (struct ctl_script_sref){0, 0};
		return 0;
	}
	if (sp_grow((void **)&p->strs, &b->cap_strs, p->strs_len + (uint32_t)len + 1, 1))
		return -ENOMEM;
	memcpy(p->strs + p->strs_len, s, len);
	p->strs[p->strs_len + len] = 0;
	*out = (struct ctl_script_sref){p->strs_len, (uint32_t)len};
	p->strs_len += (uint32_t)len + 1;
	return 0;
}

void ctl_script_prog_get(struct ctl_script_prog *p)
{
	p->refs++;
}

void ctl_script_prog_put(struct ctl_script_prog *p)
{
	if (!p || --p->refs)
		return;
	free(p->rules);
	free(p->acts);
	free(p->strs);
	free(p);
}

static int sp_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Trim [*s, *e). */
static void sp_trim(const char **s, const char **e)
{
	while (*s < *e && sp_is_space(**s))
		(*s)++;
	while (*e > *s && sp_is_space((*e)[-1]))
		(*e)--;
}

/* A whole decimal number in [lo, hi]. */
static int sp_num(const char *w, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v = 0;
	if (!*w)
		return -EINVAL;
	for (const char *p = w; *p; p++) {
		if (*p < '0' || *p > '9' || p - w > 9)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* IPv4 "a.b.c.d:port" or IPv6 "[addr]:port". */
static int sp_addr(const char *w, struct vox_addr *a)
{
	char host[64];
	const char *colon;
	memset(a, 0, sizeof(*a));
	if (*w == '[') {
		const char *rb = strchr(w, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - w - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, w + 1, (size_t)(rb - w - 1));
		host[rb - w - 1] = 0;
		colon = rb + 1;
		if (inet_pton(AF_INET6, host, a->addr) != 1)
			return -EINVAL;
		a->family = VOX_AF_INET6;
	} else {
		colon = strrchr(w, ':');
		if (!colon || (size_t)(colon - w) >= sizeof(host))
			return -EINVAL;
		memcpy(host, w, (size_t)(colon - w));
		host[colon - w] = 0;
		if (inet_pton(AF_INET, host, a->addr) != 1)
			return -EINVAL;
		a->family = VOX_AF_INET;
	}
	uint32_t port;
	if (sp_num(colon + 1, 1, 65535, &port))
		return -EINVAL;
	a->port = (uint16_t)port;
	return 0;
}

static int sp_is_sip_uri(const char *w)
{
	return (!strncmp(w, "sip:", 4) && w[4]) || (!strncmp(w, "sips:", 5) && w[5]);
}

/* A string argument kept in the pool (length checked). */
static int sp_arg(struct sp_build *b, const char *what, const char *w, size_t len,
                  struct ctl_script_sref *out)
{
	if (len > CTL_SCRIPT_STR_MAX)
		return sp_fail(b, "%s longer than %u characters", what, CTL_SCRIPT_STR_MAX);
	return sp_str(b, w, len, out) ? -ENOMEM : 0;
}

/* `dial URI via IP:PORT [timeout MS] [auth USER PASS] [from URI] [srtp]` */
static int sp_dial(struct sp_build *b, struct ctl_script_act *a, int n, char **w)
{
	if (n < 4 || strcmp(w[2], "via") != 0)
		return sp_fail(b, "usage: dial URI via IP:PORT [timeout MS] [auth USER PASS] "
		                  "[from URI] [srtp]");
	if (!sp_is_sip_uri(w[1]))
		return sp_fail(b, "dial: '%s' is not a sip: or sips: URI", w[1]);
	if (sp_addr(w[3], &a->via))
		return sp_fail(b, "dial: via '%s' is not IP:PORT", w[3]);
	int rc = sp_arg(b, "dial URI", w[1], strlen(w[1]), &a->s[CTL_SS_TARGET]);
	int seen_timeout = 0, seen_auth = 0, seen_from = 0;
	for (int i = 4; i < n && !rc; i++) {
		if (!strcmp(w[i], "timeout") && !seen_timeout) {
			if (i + 1 >= n || sp_num(w[i + 1], 1, 3600000, &a->ms))
				return sp_fail(b, "dial: timeout takes milliseconds, 1..3600000");
			seen_timeout = 1;
			i++;
		} else if (!strcmp(w[i], "auth") && !seen_auth) {
			if (i + 2 >= n)
				return sp_fail(b, "dial: auth takes USER PASS");
			rc = sp_arg(b, "auth user", w[i + 1], strlen(w[i + 1]), &a->s[CTL_SS_USER]);
			if (!rc)
				rc = sp_arg(b, "auth password", w[i + 2], strlen(w[i + 2]),
				            &a->s[CTL_SS_PASS]);
			seen_auth = 1;
			i += 2;
		} else if (!strcmp(w[i], "from") && !seen_from) {
			if (i + 1 >= n || !sp_is_sip_uri(w[i + 1]))
				return sp_fail(b, "dial: from takes a sip: or sips: URI");
			rc = sp_arg(b, "from URI", w[i + 1], strlen(w[i + 1]), &a->s[CTL_SS_FROM]);
			seen_from = 1;
			i++;
		} else if (!strcmp(w[i], "srtp") && !(a->dial_flags & VOX_DIAL_SRTP)) {
			a->dial_flags |= VOX_DIAL_SRTP;
		} else if (!strcmp(w[i], "timeout") || !strcmp(w[i], "auth") ||
		           !strcmp(w[i], "from") || !strcmp(w[i], "srtp")) {
			return sp_fail(b, "dial: '%s' given twice", w[i]);
		} else {
			return sp_fail(b, "dial: unknown option '%s' (timeout, auth, from, srtp)", w[i]);
		}
	}
	return rc;
}

/* Finish keys in a script: '#' after white space starts a comment, so "pound" stands for "#"
 * ("*#" is fine as written). */
static int sp_keys(const char *w, uint16_t *mask)
{
	if (!strcmp(w, "pound")) {
		*mask = 1u << 11;
		return 0;
	}
	return ctl_keys_mask(w, mask);
}

/* `tone KIND [MS]`, `collect MAX [finish KEYS] [timeout MS] [barge]`,
 * `record PATH [dual] [max MS] [silence MS] [finish KEYS]`: the payload is built here. */
static int sp_media(struct sp_build *b, struct ctl_script_act *a, int n, char **w)
{
	uint32_t v;
	if (a->op == CTL_SOP_TONE) {
		struct vox_tone t;
		if (n < 2 || n > 3 || (n == 3 && sp_num(w[2], 1, 3600000, &v)) ||
		    ctl_tone_parse(w[1], n == 3 ? v : 0, &t))
			return sp_fail(b, "usage: tone ringback|beep|digits:STR|HZ[+HZ] [MS]");
		return sp_str(b, (const char *)&t, sizeof(t), &a->s[CTL_SS_PAYLOAD]) ? -ENOMEM : 0;
	}
	if (a->op == CTL_SOP_COLLECT) {
		struct vox_collect c = {.first_ms = 5000, .inter_ms = 5000};
		if (n < 2 || sp_num(w[1], 1, VOX_DIGITS_MAX, &v))
			return sp_fail(b, "usage: collect MAX [finish KEYS] [timeout MS] [barge] (MAX 1..%u)",
			               VOX_DIGITS_MAX);
		c.max_digits = (uint8_t)v;
		for (int i = 2; i < n; i++) {
			if (!strcmp(w[i], "finish") && i + 1 < n && sp_keys(w[i + 1], &c.finish_keys) == 0)
				i++;
			else if (!strcmp(w[i], "timeout") && i + 1 < n && sp_num(w[i + 1], 0, 3600000, &v) == 0)
				c.first_ms = c.inter_ms = v, i++;
			else if (!strcmp(w[i], "barge"))
				c.flags |= VOX_COLLECTF_BARGE;
			else
				return sp_fail(b, "collect: bad option '%s' (finish KEYS, timeout MS, barge)", w[i]);
		}
		return sp_str(b, (const char *)&c, sizeof(c), &a->s[CTL_SS_PAYLOAD]) ? -ENOMEM : 0;
	}
	struct vox_record r = {0};
	if (n < 2 || w[1][0] != '/')
		return sp_fail(b, "usage: record /PATH [dual] [max MS] [silence MS] [finish KEYS]");
	for (int i = 2; i < n; i++) {
		if (!strcmp(w[i], "dual"))
			r.flags |= VOX_RECORDF_DUAL;
		else if (!strcmp(w[i], "max") && i + 1 < n && sp_num(w[i + 1], 1, 14400000, &v) == 0)
			r.max_ms = v, i++;
		else if (!strcmp(w[i], "silence") && i + 1 < n && sp_num(w[i + 1], 1, 3600000, &v) == 0)
			r.silence_ms = v, i++;
		else if (!strcmp(w[i], "finish") && i + 1 < n && sp_keys(w[i + 1], &r.finish_keys) == 0)
			i++;
		else
			return sp_fail(b, "record: bad option '%s' (dual, max MS, silence MS, finish KEYS)", w[i]);
	}
	if (sp_str(b, (const char *)&r, sizeof(r), &a->s[CTL_SS_PAYLOAD]))
		return -ENOMEM;
	return sp_arg(b, "record path", w[1], strlen(w[1]), &a->s[CTL_SS_PATH]);
}

/* One action: the text between separators, trimmed, NUL-terminated in place. */
static int sp_action(struct sp_build *b, char *text, struct ctl_script_act *a)
{
	char *w[CTL_SCRIPT_WORDS];
	int n = 0;
	/* `reject CODE REASON...`: the reason is the text after the second word, as written */
	char orig[CTL_SCRIPT_LINE_MAX];
	snprintf(orig, sizeof(orig), "%s", text);
	const char *rest = NULL;
	for (char *p = text; *p;) {
		while (sp_is_space(*p))
			p++;
		if (!*p)
			break;
		if (n == 2 && !rest)
			rest = orig + (p - text);
		if (n == CTL_SCRIPT_WORDS)
			break; /* only a reason phrase may be this long; checked below */
		w[n++] = p;
		while (*p && !sp_is_space(*p))
			p++;
		if (*p)
			*p++ = 0;
	}
	memset(a, 0, sizeof(*a));
	uint8_t op = 0;
	for (uint8_t k = 1; k < SP_N_OPS; k++)
		if (sp_op_names[k] && !strcmp(w[0], sp_op_names[k]))
			op = k;
	if (!op)
		return sp_fail(b, "unknown action '%s'", w[0]);
	if (n == CTL_SCRIPT_WORDS && op != CTL_SOP_REJECT && op != CTL_SOP_RESPOND)
		return sp_fail(b, "too many words for '%s'", w[0]);
	a->op = op;
	uint32_t v;
	switch (op) {
	case CTL_SOP_RING:
		if (n != 2 || (strcmp(w[1], "180") && strcmp(w[1], "183")))
			return sp_fail(b, "usage: ring 180 | ring 183");
		a->code = (uint16_t)atoi(w[1]);
		return 0;
	case CTL_SOP_WAIT:
	case CTL_SOP_DEADLINE:
		if (n != 2 || sp_num(w[1], op == CTL_SOP_WAIT ? 0 : 1,
		                     op == CTL_SOP_WAIT ? 3600000 : 86400000, &v))
			return sp_fail(b, "usage: %s MS (%s)", w[0],
			               op == CTL_SOP_WAIT ? "0..3600000" : "1..86400000");
		a->ms = v;
		return 0;
	case CTL_SOP_ANSWER:
	case CTL_SOP_BRIDGE:
	case CTL_SOP_NOTHING:
		if (n != 1)
			return sp_fail(b, "%s takes no arguments", w[0]);
		return 0;
	case CTL_SOP_HANGUP:
		if (n > 2 || (n == 2 && sp_num(w[1], 300, 699, &v)))
			return sp_fail(b, "usage: hangup [CODE] (CODE 300..699: for a leg not "
			                  "answered yet)");
		a->code = n == 2 ? (uint16_t)v : 0;
		return 0;
	case CTL_SOP_REJECT:
	case CTL_SOP_RESPOND: {
		uint32_t lo = op == CTL_SOP_REJECT ? 300 : 200;
		if (n < 2 || sp_num(w[1], lo, 699, &v))
			return sp_fail(b, "usage: %s CODE [REASON...] (CODE %u..699)", w[0], lo);
		a->code = (uint16_t)v;
		if (!rest)
			return 0;
		if (strpbrk(rest, "\r\n"))
			return sp_fail(b, "%s: reason with a line break", w[0]);
		return sp_arg(b, "reason", rest, strlen(rest), &a->s[CTL_SS_REASON]);
	}
	case CTL_SOP_DIAL:
		return sp_dial(b, a, n, w);
	case CTL_SOP_SILENCE:
		if (n != 2 || sp_num(w[1], 1, 3600000, &v))
			return sp_fail(b, "usage: silence MS (1..3600000)");
		a->ms = v;
		return 0;
	case CTL_SOP_TONE:
	case CTL_SOP_COLLECT:
	case CTL_SOP_RECORD:
		return sp_media(b, a, n, w);
	}
	return sp_fail(b, "unknown action '%s'", w[0]);
}

static int sp_is_call_op(uint8_t op)
{
	return op != CTL_SOP_WAIT && op != CTL_SOP_NOTHING && op != CTL_SOP_RESPOND;
}

/* One non-blank line without its comment: `MATCH: ACTION; ACTION; ...` */
static int sp_rule(struct sp_build *b, char *s, char *e)
{
	struct ctl_script_prog *p = b->p;
	char *colon = memchr(s, ':', (size_t)(e - s));
	if (!colon)
		return sp_fail(b, "expected 'MATCH: ACTION; ACTION; ...'");
	const char *ms = s, *me = colon;
	sp_trim(&ms, &me);
	if (ms == me)
		return sp_fail(b, "missing MATCH before ':'");
	for (const char *q = ms; q < me; q++)
		if (sp_is_space(*q))
			return sp_fail(b, "MATCH must be one word (a user or '*')");
	if (p->n_rules >= CTL_SCRIPT_RULES_MAX)
		return sp_fail(b, "more than %u rules", CTL_SCRIPT_RULES_MAX);
	if (sp_grow((void **)&p->rules, &b->cap_rules, p->n_rules + 1, sizeof(*p->rules)))
		return -ENOMEM;
	struct ctl_script_rule r = {.first = p->n_acts, .line = b->line};
	r.any = me - ms == 1 && *ms == '*';
	if (!r.any && sp_arg(b, "MATCH", ms, (size_t)(me - ms), &r.match))
		return -EINVAL;
	*e = 0;
	uint8_t call_op = 0;
	for (char *a = colon + 1; a;) {
		char *semi = strchr(a, ';');
		if (semi)
			*semi = 0;
		const char *as = a, *ae = a + strlen(a);
		sp_trim(&as, &ae);
		char *next = semi ? semi + 1 : NULL;
		if (as == ae) {
			/* a trailing ';' is tolerated, an empty action between two is not */
			const char *t = next ? next : "", *te = t + strlen(t);
			sp_trim(&t, &te);
			if (next && t != te)
				return sp_fail(b, "empty action");
			break;
		}
		*(char *)ae = 0;
		if (r.n >= CTL_SCRIPT_ACTS_MAX)
			return sp_fail(b, "more than %u actions", CTL_SCRIPT_ACTS_MAX);
		if (sp_grow((void **)&p->acts, &b->cap_acts, p->n_acts + 1, sizeof(*p->acts)))
			return -ENOMEM;
		struct ctl_script_act *act = &p->acts[p->n_acts];
		int rc = sp_action(b, (char *)as, act);
		if (rc)
			return rc;
		if (act->op == CTL_SOP_RESPOND)
			r.requests = 1;
		else if (sp_is_call_op(act->op) && !call_op)
			call_op = act->op;
		if (r.requests && call_op)
			return sp_fail(b,
			               "'respond' answers requests: it cannot share a rule with "
			               "'%s'",
			               ctl_script_op_name(call_op));
		p->n_acts++;
		r.n++;
		a = next;
	}
	if (!r.n)
		return sp_fail(b, "no actions after ':'");
	p->rules[p->n_rules++] = r;
	return 0;
}

int ctl_script_parse(struct ctl_script_prog **out, const char *text, size_t len, const char *name,
                     char *err, size_t errlen)
{
	struct sp_build b = {.name = name, .err = err, .errlen = errlen};
	b.p = calloc(1, sizeof(*b.p));
	if (!b.p)
		return -ENOMEM;
	b.p->refs = 1;
	snprintf(b.p->name, sizeof(b.p->name), "%s", name);
	int rc = 0;
	/* offset 0 of the pool is the empty string */
	if (sp_grow((void **)&b.p->strs, &b.cap_strs, 1, 1)) {
		rc = -ENOMEM;
		goto out;
	}
	b.p->strs[0] = 0;
	b.p->strs_len = 1;
	for (size_t pos = 0; pos < len && !rc;) {
		const char *ls = text + pos;
		const char *nl = memchr(ls, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - ls) : len - pos;
		pos += ll + 1;
		b.line++;
		if (ll >= CTL_SCRIPT_LINE_MAX) {
			rc = sp_fail(&b, "line longer than %u characters", CTL_SCRIPT_LINE_MAX - 1);
			break;
		}
		char line[CTL_SCRIPT_LINE_MAX];
		memcpy(line, ls, ll);
		line[ll] = 0;
		if (memchr(line, 0, ll)) {
			rc = sp_fail(&b, "NUL byte in line");
			break;
		}
		/* a comment starts with '#' at the line start or after white space */
		for (size_t i = 0; i < ll; i++)
			if (line[i] == '#' && (i == 0 || sp_is_space(line[i - 1]))) {
				ll = i;
				line[i] = 0;
				break;
			}
		const char *s = line, *e = line + ll;
		sp_trim(&s, &e);
		if (s == e)
			continue;
		rc = sp_rule(&b, (char *)s, (char *)e);
	}
out:
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", name);
		ctl_script_prog_put(b.p);
		return rc;
	}
	*out = b.p;
	return 0;
}

int ctl_script_load(struct ctl_script_prog **out, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	struct stat st;
	int rc = 0;
	char *buf = NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > CTL_SCRIPT_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %u bytes", path,
		         CTL_SCRIPT_FILE_MAX);
		rc = -EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	rc = ctl_script_parse(out, buf, got, path, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}

int ctl_script_match(const struct ctl_script_prog *p, const char *user, size_t len, int requests)
{
	for (uint32_t i = 0; i < p->n_rules; i++) {
		const struct ctl_script_rule *r = &p->rules[i];
		if (r->requests != (requests ? 1 : 0))
			continue;
		if (r->any || (r->match.len == len && !memcmp(p->strs + r->match.off, user, len)))
			return (int)i;
	}
	return -1;
}
