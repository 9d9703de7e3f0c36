/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_test.h — helpers for control's tests: a ctl built from the real config table. */
#ifndef CTL_TEST_H
#define CTL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_config.h"
#include "ctl_loop.h"
#include "ctl_log.h"

/* Instance ids are [a-z0-9]{1,10}: a 3-letter prefix plus the pid keeps parallel runs apart. */
static inline void ctl_test_id(char *id, size_t len, const char *prefix)
{
	snprintf(id, len, "%.3s%d", prefix, (int)getpid() % 10000000);
}

/* Fill c (defaults, instance, run base) and its loop. Returns 0 or -errno. */
static inline int ctl_test_make(struct ctl *c, const char *id, const char *run_base)
{
	char err[256];
	memset(c, 0, sizeof(*c));
	if (vox_conf_defaults(ctl_config_table, &c->cfg, err, sizeof(err)))
		return -1;
	snprintf(c->cfg.instance, sizeof(c->cfg.instance), "%.10s", id);
	snprintf(c->cfg.run_dir, sizeof(c->cfg.run_dir), "%s", run_base);
	c->cfg.cmd_queue = 64;
	if (vox_names_init(&c->names, id, run_base))
		return -1;
	struct ctl_loop *l;
	int rc = ctl_loop_create(&l, 256);
	if (rc)
		return rc;
	ctl_log_set_level(getenv("CTL_TEST_LOG") ? CTL_LOG_DEBUG : CTL_LOG_ERR);
	return ctl_init(c, l);
}

static inline void ctl_test_free(struct ctl *c)
{
	struct ctl_loop *l = c->loop;
	ctl_fini(c);
	ctl_loop_destroy(l);
}

/* Captures the answers control gives (ctl_reply). */
struct ctl_test_replies {
	int n;
	uint64_t client[16];
	json_t *reply[16];
};

static inline void ctl_test_reply(void *arg, uint64_t client, json_t *reply)
{
	struct ctl_test_replies *r = arg;
	if (r->n < 16) {
		r->client[r->n] = client;
		r->reply[r->n++] = reply;
	} else {
		json_decref(reply);
	}
}

static inline void ctl_test_replies_free(struct ctl_test_replies *r)
{
	for (int i = 0; i < r->n; i++)
		json_decref(r->reply[i]);
	r->n = 0;
}

/* Run loop turns (at most 10 ms each) until cond holds or ms pass. Returns cond's value. */
#define CTL_TEST_RUN_UNTIL(c, ms, cond)                                                            \
	({                                                                                         \
		uint64_t t_end_ = ctl_mono_ns() + (uint64_t)(ms)*1000000ull;                       \
		while (!(cond) && ctl_mono_ns() < t_end_)                                          \
			ctl_loop_once((c)->loop, 10);                                              \
		(cond);                                                                            \
	})

#endif /* CTL_TEST_H */
