/* SPDX-License-Identifier: BSD-3-Clause */
/* media_fx.h — the fixture both control/media tests share: a real loop, a ctl_media on it, and
 * the results its callbacks delivered. The including file defines mf_cfg_default() (its own
 * configuration when a test passes none) before including this header. */
#ifndef MEDIA_FX_H
#define MEDIA_FX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_loop.h"
#include "ctl_media.h"

#define MF_MAX 64

struct mf_res {
	uint64_t id;
	int status;
	char error[160];
	int16_t *samples; /* ours: freed in teardown */
	size_t n;
	uint32_t src_rate;
	uint16_t src_channels;
	enum ctl_media_format format;
	bool cached;
};

struct mf_fx {
	struct ctl_loop *l;
	struct ctl_media *m;
	int done;
	struct mf_res r[MF_MAX];
};

static void mf_cfg_default(struct ctl_media_cfg *c);

static inline uint64_t mf_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void mf_done(void *cookie, uint64_t id, struct ctl_media_result *res)
{
	struct mf_fx *fx = cookie;
	assert_true(fx->done < MF_MAX);
	struct mf_res *r = &fx->r[fx->done++];
	r->id = id;
	r->status = res->status;
	memcpy(r->error, res->error, sizeof(r->error));
	r->samples = res->samples;
	r->n = res->n_samples;
	r->src_rate = res->src_rate;
	r->src_channels = res->src_channels;
	r->format = res->format;
	r->cached = res->cached;
}

static inline void mf_open(struct mf_fx *fx, const struct ctl_media_cfg *cfg)
{
	struct ctl_media_cfg c;
	if (!cfg) {
		mf_cfg_default(&c);
		cfg = &c;
	}
	assert_int_equal(ctl_media_create(&fx->m, fx->l, cfg), 0);
}

static inline int mf_setup(void **state)
{
	static struct mf_fx fx;
	memset(&fx, 0, sizeof(fx));
	assert_int_equal(ctl_loop_create(&fx.l, 1024), 0);
	mf_open(&fx, NULL);
	*state = &fx;
	return 0;
}

static inline int mf_teardown(void **state)
{
	struct mf_fx *fx = *state;
	ctl_media_destroy(fx->m);
	ctl_loop_destroy(fx->l);
	for (int i = 0; i < fx->done; i++)
		free(fx->r[i].samples);
	return 0;
}

static inline void mf_reopen(struct mf_fx *fx, const struct ctl_media_cfg *cfg)
{
	ctl_media_destroy(fx->m);
	fx->m = NULL;
	mf_open(fx, cfg);
}

/* Run the loop until n callbacks ran (timeout_s at most). */
static inline void mf_run(struct mf_fx *fx, int n, int timeout_s)
{
	uint64_t end = mf_now_ns() + (uint64_t)timeout_s * 1000000000ull;
	while (fx->done < n && mf_now_ns() < end)
		ctl_loop_once(fx->l, 50);
	assert_int_equal(fx->done, n);
}

#endif /* MEDIA_FX_H */
