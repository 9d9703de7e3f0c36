/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_script.c — scripted mode's life cycle: load at start, reload, counters for the admin. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_log.h"
#include "ctl_script_priv.h"

#define TAG "script"

int ctl_script_open(struct ctl *c, char *err, size_t errlen)
{
	if (!c->cfg.script[0])
		return 0;
	struct ctl_script *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = ctl_script_load(&s->prog, c->cfg.script, err, errlen);
	if (rc)
		goto out;
	rc = ctl_script_calls_init(&s->calls, c->cfg.script_calls);
	if (rc) {
		snprintf(err, errlen, "call table of %u: %s", c->cfg.script_calls, strerror(-rc));
		goto out;
	}
	s->c = c;
	snprintf(s->path, sizeof(s->path), "%s", c->cfg.script);
	c->script = s;
	CTL_INFO(TAG, "scripted mode: %s, %u rules, up to %u calls", s->path, s->prog->n_rules,
	         s->calls.max);
	return 0;
out:
	ctl_script_prog_put(s->prog);
	ctl_script_calls_fini(&s->calls);
	free(s);
	return rc;
}

void ctl_script_close(struct ctl *c)
{
	struct ctl_script *s = c->script;
	if (!s)
		return;
	ctl_script_reset(c);
	ctl_script_prog_put(s->prog);
	ctl_script_calls_fini(&s->calls);
	free(s);
	c->script = NULL;
}

int ctl_script_reload(struct ctl *c, uint32_t *n_rules, char *err, size_t errlen)
{
	struct ctl_script *s = c->script;
	if (!s) {
		snprintf(err, errlen, "scripted mode is off (no 'script' configured)");
		return -ENOENT;
	}
	struct ctl_script_prog *p;
	int rc = ctl_script_load(&p, s->path, err, errlen);
	if (rc) {
		CTL_WARN(TAG, "reload refused, old rules kept: %s", err);
		return rc;
	}
	/* running calls hold their own reference to the old rules */
	ctl_script_prog_put(s->prog);
	s->prog = p;
	s->cnt.reloads++;
	if (n_rules)
		*n_rules = p->n_rules;
	CTL_INFO(TAG, "reloaded %s: %u rules", s->path, p->n_rules);
	return 0;
}

json_t *ctl_script_counters_json(const struct ctl *c)
{
	static const struct ctl_script_cnt zero;
	const struct ctl_script_cnt *n = c->script ? &c->script->cnt : &zero;
	json_t *o = json_object();
#define CTL_SCRIPT_CNT_JSON(f) json_object_set_new(o, #f, json_integer((json_int_t)n->f));
	CTL_SCRIPT_COUNTERS(CTL_SCRIPT_CNT_JSON)
#undef CTL_SCRIPT_CNT_JSON
	return o;
}

json_t *ctl_script_stats_json(const struct ctl *c)
{
	const struct ctl_script *s = c->script;
	json_t *o = ctl_script_counters_json(c);
	json_object_set_new(o, "enabled", json_boolean(s != NULL));
	json_object_set_new(o, "path", json_string(s ? s->path : ""));
	json_object_set_new(o, "rules", json_integer(s ? (json_int_t)s->prog->n_rules : 0));
	json_object_set_new(o, "calls", json_integer(s ? (json_int_t)s->calls.n : 0));
	json_object_set_new(o, "max_calls", json_integer(s ? (json_int_t)s->calls.max : 0));
	return o;
}
