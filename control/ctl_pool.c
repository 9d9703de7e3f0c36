/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_pool.c — control's media pool allocator over the shm clip table (see ctl_pool.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vox_g711.h"

#include "ctl_log.h"
#include "ctl_pool.h"

#define POOL_TAG "pool"

/* A retired clip and the workers' epochs right after it went RETIRED. */
struct ctl_pool_retired {
	uint32_t idx;
	uint32_t rsvd;
	uint64_t snap[VOX_MAX_WORKERS];
};

struct ctl_pool {
	struct vox_shm_hdr *shm; /* workers' epochs and their count */
	struct vox_pool_hdr *p;
	uint32_t n_workers;
	uint32_t slabs_free;
	uint32_t slab_cursor; /* next-fit scans of the owner map start here */
	uint32_t clip_cursor;
	uint32_t n_retired, cap_retired;
	struct ctl_pool_retired *retired;
};

static uint64_t pool_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Gauges and counters in the region: only this process writes them. */
static void pool_gauge(_Atomic uint32_t *g, int32_t d)
{
	atomic_store_explicit(g, atomic_load_explicit(g, memory_order_relaxed) + (uint32_t)d,
	                      memory_order_relaxed);
}
static void pool_count(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
	                      memory_order_relaxed);
}

static uint64_t pool_word(const struct vox_pool_clip *c)
{
	/* control is the only writer: its own loads need no ordering */
	return atomic_load_explicit(&((struct vox_pool_clip *)c)->word, memory_order_relaxed);
}
static uint32_t word_state(uint64_t w)
{
	return (uint32_t)w;
}
static uint32_t word_gen(uint64_t w)
{
	return (uint32_t)(w >> 32);
}

static uint32_t pool_slabs_for(const struct vox_pool_hdr *p, uint32_t n_frames)
{
	return (uint32_t)(((uint64_t)n_frames + p->frames_per_slab - 1) / p->frames_per_slab);
}

/* The entry of h if it has h's generation and state st, else NULL. */
static struct vox_pool_clip *pool_clip_in(const struct ctl_pool *pl, vox_clip_t h, uint32_t st)
{
	if (vox_clip_idx(h) >= pl->p->n_clips)
		return NULL;
	struct vox_pool_clip *c = vox_pool_clip_at(pl->p, vox_clip_idx(h));
	return pool_word(c) == vox_clip_word(vox_clip_gen(h), st) ? c : NULL;
}

/* Room for one more retired clip. Returns 0 or -ENOMEM. */
static int pool_retired_reserve(struct ctl_pool *pl)
{
	if (pl->n_retired < pl->cap_retired)
		return 0;
	uint32_t cap = pl->cap_retired ? pl->cap_retired * 2 : 64;
	struct ctl_pool_retired *r = realloc(pl->retired, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	pl->retired = r;
	pl->cap_retired = cap;
	return 0;
}

/* Record the workers' epochs for a clip that is RETIRED in the region (room reserved). The
 * seq_cst store of RETIRED (or, at rebuild, the dead control's store) comes before the fence;
 * a worker turn that starts after the epoch we read here finds the clip stale. */
static void pool_retired_push(struct ctl_pool *pl, uint32_t idx)
{
	struct ctl_pool_retired *r = &pl->retired[pl->n_retired++];
	r->idx = idx;
	atomic_thread_fence(memory_order_seq_cst);
	for (uint32_t w = 0; w < pl->n_workers; w++)
		r->snap[w] = atomic_load_explicit(&pl->shm->worker[w].epoch, memory_order_acquire);
}

/* Give a clip's slabs back and mark the entry FREE (same generation: the next alloc bumps). */
static void pool_clip_free(struct ctl_pool *pl, struct vox_pool_clip *c)
{
	uint32_t *owner = vox_pool_owner(pl->p);
	for (uint32_t k = 0; k < c->n_slabs; k++)
		owner[c->slab[k]] = VOX_POOL_OWNER_FREE;
	pl->slabs_free += c->n_slabs;
	pool_gauge(&pl->p->stats.slabs_used, -(int32_t)c->n_slabs);
	c->n_slabs = 0;
	c->n_frames = 0;
	atomic_store_explicit(&c->word, vox_clip_word(word_gen(pool_word(c)), VOX_CLIP_FREE),
	                      memory_order_relaxed);
}

/* Check a live entry's slab list and claim its slabs in `claim` (idx + 1). */
static int pool_claim(const struct vox_pool_hdr *p, uint32_t idx, const struct vox_pool_clip *c,
                      uint32_t *claim)
{
	if (c->n_slabs == 0 || c->n_slabs > VOX_POOL_CLIP_SLABS || c->n_frames == 0 ||
	    pool_slabs_for(p, c->n_frames) != c->n_slabs)
		return -EUCLEAN;
	for (uint32_t k = 0; k < c->n_slabs; k++) {
		uint32_t s = c->slab[k];
		if (s >= p->n_slabs || claim[s] != VOX_POOL_OWNER_FREE)
			return -EUCLEAN;
		claim[s] = idx + 1;
	}
	return 0;
}

/*
 * Adopt a formatted region: validate every live entry into a private claim map first (so a
 * damaged table is refused without writing anything), then free ALLOC leftovers, install the
 * owner map, recount the gauges and snapshot the epochs for RETIRED clips.
 */
static int pool_rebuild(struct ctl_pool *pl)
{
	struct vox_pool_hdr *p = pl->p;
	uint32_t *claim = calloc(p->n_slabs, sizeof(*claim));
	if (!claim)
		return -ENOMEM;
	int rc = 0;
	uint32_t n_ret = 0;
	for (uint32_t i = 0; i < p->n_clips && rc == 0; i++) {
		const struct vox_pool_clip *c = vox_pool_clip_at(p, i);
		uint32_t st = word_state(pool_word(c));
		if (st > VOX_CLIP_RETIRED)
			rc = -EUCLEAN;
		else if (st == VOX_CLIP_READY || st == VOX_CLIP_RETIRED)
			rc = pool_claim(p, i, c, claim);
		n_ret += st == VOX_CLIP_RETIRED;
	}
	if (rc == 0 && n_ret) {
		pl->cap_retired = n_ret;
		pl->retired = malloc(n_ret * sizeof(*pl->retired));
		rc = pl->retired ? 0 : -ENOMEM;
	}
	if (rc) {
		free(claim);
		return rc;
	}
	uint32_t used = 0, ready = 0, retired = 0, dropped = 0;
	for (uint32_t i = 0; i < p->n_clips; i++) {
		struct vox_pool_clip *c = vox_pool_clip_at(p, i);
		uint64_t w = pool_word(c);
		switch (word_state(w)) {
		case VOX_CLIP_ALLOC: /* never published: no reader can hold it */
			c->n_slabs = 0;
			c->n_frames = 0;
			atomic_store_explicit(&c->word, vox_clip_word(word_gen(w), VOX_CLIP_FREE),
			                      memory_order_relaxed);
			dropped++;
			break;
		case VOX_CLIP_READY:
			ready++;
			used += c->n_slabs;
			break;
		case VOX_CLIP_RETIRED:
			retired++;
			used += c->n_slabs;
			pool_retired_push(pl, i); /* room reserved above */
			break;
		default:
			break;
		}
	}
	memcpy(vox_pool_owner(p), claim, (size_t)p->n_slabs * sizeof(*claim));
	free(claim);
	pl->slabs_free = p->n_slabs - used;
	atomic_store_explicit(&p->stats.slabs_used, used, memory_order_relaxed);
	atomic_store_explicit(&p->stats.clips_alloc, 0, memory_order_relaxed);
	atomic_store_explicit(&p->stats.clips_ready, ready, memory_order_relaxed);
	atomic_store_explicit(&p->stats.clips_retired, retired, memory_order_relaxed);
	pool_count(&p->stats.rebuilds);
	CTL_INFO(POOL_TAG,
	         "adopted media pool: %u clips ready, %u retired, %u unpublished dropped, "
	         "%u/%u slabs free",
	         ready, retired, dropped, pl->slabs_free, p->n_slabs);
	return 0;
}

int ctl_pool_attach(struct ctl_pool **out, struct vox_shm_hdr *shm, uint32_t slab_size,
                    uint32_t gen_seed)
{
	void *region = vox_shm_at(shm, shm->off_pool);
	int rc = vox_pool_check(region, shm->pool_size);
	int fresh = rc == -ENODATA;
	if (fresh)
		rc = vox_pool_format(region, shm->pool_size, slab_size, gen_seed);
	if (rc)
		return rc;
	struct ctl_pool *pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	pl->shm = shm;
	pl->p = region;
	pl->n_workers = shm->n_workers < VOX_MAX_WORKERS ? shm->n_workers : VOX_MAX_WORKERS;
	if (fresh) {
		pl->slabs_free = pl->p->n_slabs;
		CTL_INFO(POOL_TAG, "formatted media pool: %u slabs of %u bytes (%u frames each)",
		         pl->p->n_slabs, pl->p->slab_size, pl->p->frames_per_slab);
	} else if ((rc = pool_rebuild(pl)) != 0) {
		CTL_ERR(POOL_TAG, "media pool not adopted: %s", strerror(-rc));
		free(pl->retired);
		free(pl);
		return rc;
	}
	*out = pl;
	return 0;
}

void ctl_pool_detach(struct ctl_pool *pl)
{
	if (!pl)
		return;
	free(pl->retired);
	free(pl);
}

/* Next FREE table entry after the cursor, or UINT32_MAX. */
static uint32_t pool_find_free_clip(struct ctl_pool *pl)
{
	const struct vox_pool_hdr *p = pl->p;
	for (uint32_t k = 0; k < p->n_clips; k++) {
		uint32_t i = pl->clip_cursor + k;
		if (i >= p->n_clips)
			i -= p->n_clips;
		if (word_state(pool_word(vox_pool_clip_at(p, i))) == VOX_CLIP_FREE) {
			pl->clip_cursor = i + 1 < p->n_clips ? i + 1 : 0;
			return i;
		}
	}
	return UINT32_MAX;
}

int ctl_pool_clip_alloc(struct ctl_pool *pl, uint32_t n_frames, const uint8_t *tag, vox_clip_t *out)
{
	struct vox_pool_hdr *p = pl->p;
	if (n_frames == 0)
		return -EINVAL;
	if (n_frames > p->frames_per_slab * VOX_POOL_CLIP_SLABS)
		return -EFBIG;
	uint32_t need = pool_slabs_for(p, n_frames);
	if (pl->slabs_free < need)
		ctl_pool_reclaim(pl);
	uint32_t idx = pl->slabs_free < need ? UINT32_MAX : pool_find_free_clip(pl);
	if (idx == UINT32_MAX) {
		pool_count(&p->stats.alloc_fail);
		return -ENOSPC;
	}
	struct vox_pool_clip *c = vox_pool_clip_at(p, idx);
	uint32_t gen = word_gen(pool_word(c)) + 1;
	if (gen == 0)
		gen = 1;
	atomic_store_explicit(&c->word, vox_clip_word(gen, VOX_CLIP_ALLOC), memory_order_relaxed);
	c->n_frames = n_frames;
	c->created_ns = 0;
	if (tag)
		memcpy(c->tag, tag, sizeof(c->tag));
	else
		memset(c->tag, 0, sizeof(c->tag));
	uint32_t *owner = vox_pool_owner(p);
	uint32_t got = 0, s = pl->slab_cursor;
	for (uint32_t k = 0; got < need && k < p->n_slabs;
	     k++, s = s + 1 < p->n_slabs ? s + 1 : 0) {
		if (owner[s] != VOX_POOL_OWNER_FREE)
			continue;
		owner[s] = idx + 1;
		c->slab[got++] = s;
	}
	pl->slab_cursor = s;
	c->n_slabs = got;
	pl->slabs_free -= got;
	pool_gauge(&p->stats.slabs_used, (int32_t)got);
	if (got < need) { /* slabs_free disagreed with the owner map: give back, refuse */
		CTL_ERR(POOL_TAG, "free map lost %u slabs", need - got);
		pool_clip_free(pl, c);
		pool_count(&p->stats.alloc_fail);
		return -ENOSPC;
	}
	pool_gauge(&p->stats.clips_alloc, 1);
	pool_count(&p->stats.allocs);
	*out = vox_clip_make(idx, gen);
	return 0;
}

int ctl_pool_clip_write(struct ctl_pool *pl, vox_clip_t h, uint32_t first_frame, const int16_t *pcm,
                        uint32_t n_samples)
{
	struct vox_pool_clip *c = pool_clip_in(pl, h, VOX_CLIP_ALLOC);
	if (!c)
		return -ESTALE;
	uint64_t nf = ((uint64_t)n_samples + VOX_POOL_FRAME_SAMPLES - 1) / VOX_POOL_FRAME_SAMPLES;
	if ((uint64_t)first_frame + nf > c->n_frames)
		return -ERANGE;
	for (uint32_t f = 0; f < nf; f++) {
		int16_t lin[VOX_POOL_FRAME_SAMPLES];
		uint32_t done = f * VOX_POOL_FRAME_SAMPLES;
		uint32_t m = n_samples - done < VOX_POOL_FRAME_SAMPLES ? n_samples - done
		                                                       : VOX_POOL_FRAME_SAMPLES;
		memcpy(lin, pcm + done, m * sizeof(*lin));
		memset(lin + m, 0, (VOX_POOL_FRAME_SAMPLES - m) * sizeof(*lin));
		uint8_t *rec = vox_pool_frame_rec(pl->p, c, first_frame + f);
		memcpy(rec + vox_pool_fmt_off(VOX_POOL_LIN16), lin, sizeof(lin));
		vox_g711_ulaw_encode_buf(rec + vox_pool_fmt_off(VOX_POOL_PCMU), lin,
		                         VOX_POOL_FRAME_SAMPLES);
		vox_g711_alaw_encode_buf(rec + vox_pool_fmt_off(VOX_POOL_PCMA), lin,
		                         VOX_POOL_FRAME_SAMPLES);
	}
	return 0;
}

int ctl_pool_clip_publish(struct ctl_pool *pl, vox_clip_t h)
{
	struct vox_pool_clip *c = pool_clip_in(pl, h, VOX_CLIP_ALLOC);
	if (!c)
		return -ESTALE;
	c->created_ns = pool_now_ns();
	/* everything written to the entry and its frames before this is visible to a reader
	 * whose acquire load sees READY */
	atomic_store_explicit(&c->word, vox_clip_word(vox_clip_gen(h), VOX_CLIP_READY),
	                      memory_order_release);
	pool_gauge(&pl->p->stats.clips_alloc, -1);
	pool_gauge(&pl->p->stats.clips_ready, 1);
	return 0;
}

int ctl_pool_clip_load(struct ctl_pool *pl, const uint8_t *tag, const int16_t *pcm,
                       uint32_t n_samples, vox_clip_t *out)
{
	uint32_t nf =
	    (uint32_t)(((uint64_t)n_samples + VOX_POOL_FRAME_SAMPLES - 1) / VOX_POOL_FRAME_SAMPLES);
	vox_clip_t h;
	int rc = ctl_pool_clip_alloc(pl, nf, tag, &h);
	if (rc)
		return rc;
	rc = ctl_pool_clip_write(pl, h, 0, pcm, n_samples);
	if (rc == 0)
		rc = ctl_pool_clip_publish(pl, h);
	if (rc) {
		ctl_pool_clip_retire(pl, h); /* ALLOC: freed at once */
		return rc;
	}
	*out = h;
	return 0;
}

int ctl_pool_clip_retire(struct ctl_pool *pl, vox_clip_t h)
{
	struct vox_pool_clip *c = pool_clip_in(pl, h, VOX_CLIP_ALLOC);
	if (c) {
		pool_clip_free(pl, c);
		pool_gauge(&pl->p->stats.clips_alloc, -1);
		return 0;
	}
	c = pool_clip_in(pl, h, VOX_CLIP_READY);
	if (!c)
		return -ESTALE;
	if (pool_retired_reserve(pl))
		return -ENOMEM;
	/* seq_cst: ordered before the fence and the epoch loads in pool_retired_push */
	atomic_store_explicit(&c->word, vox_clip_word(vox_clip_gen(h), VOX_CLIP_RETIRED),
	                      memory_order_seq_cst);
	pool_gauge(&pl->p->stats.clips_ready, -1);
	pool_gauge(&pl->p->stats.clips_retired, 1);
	pool_retired_push(pl, vox_clip_idx(h));
	return 0;
}

uint32_t ctl_pool_reclaim(struct ctl_pool *pl)
{
	uint32_t freed = 0;
	for (uint32_t i = 0; i < pl->n_retired;) {
		struct ctl_pool_retired *r = &pl->retired[i];
		int quiet = 1;
		for (uint32_t w = 0; w < pl->n_workers && quiet; w++)
			quiet = atomic_load_explicit(&pl->shm->worker[w].epoch,
			                             memory_order_acquire) != r->snap[w];
		if (!quiet) {
			pool_count(&pl->p->stats.reclaim_waits);
			i++;
			continue;
		}
		pool_clip_free(pl, vox_pool_clip_at(pl->p, r->idx));
		pool_gauge(&pl->p->stats.clips_retired, -1);
		pool_count(&pl->p->stats.reclaimed);
		*r = pl->retired[--pl->n_retired];
		freed++;
	}
	return freed;
}

vox_clip_t ctl_pool_find(const struct ctl_pool *pl, const uint8_t *tag)
{
	const struct vox_pool_hdr *p = pl->p;
	for (uint32_t i = 0; i < p->n_clips; i++) {
		const struct vox_pool_clip *c = vox_pool_clip_at(p, i);
		uint64_t w = pool_word(c);
		if (word_state(w) == VOX_CLIP_READY && memcmp(c->tag, tag, sizeof(c->tag)) == 0)
			return vox_clip_make(i, word_gen(w));
	}
	return 0;
}

int ctl_pool_clip_state(const struct ctl_pool *pl, vox_clip_t h)
{
	if (vox_clip_idx(h) >= pl->p->n_clips)
		return -ESTALE;
	uint64_t w = pool_word(vox_pool_clip_at(pl->p, vox_clip_idx(h)));
	return word_gen(w) == vox_clip_gen(h) ? (int)word_state(w) : -ESTALE;
}

void ctl_pool_stats(const struct ctl_pool *pl, struct ctl_pool_stats *st)
{
	const struct vox_pool_hdr *p = pl->p;
	struct vox_pool_stats *s = &((struct vox_pool_hdr *)p)->stats;
	memset(st, 0, sizeof(*st));
	st->slabs_total = p->n_slabs;
	st->slabs_free = pl->slabs_free;
	st->slabs_used = atomic_load_explicit(&s->slabs_used, memory_order_relaxed);
	st->clips_alloc = atomic_load_explicit(&s->clips_alloc, memory_order_relaxed);
	st->clips_ready = atomic_load_explicit(&s->clips_ready, memory_order_relaxed);
	st->clips_retired = atomic_load_explicit(&s->clips_retired, memory_order_relaxed);
	st->frames_per_slab = p->frames_per_slab;
	st->max_frames = p->frames_per_slab * VOX_POOL_CLIP_SLABS;
	st->allocs = atomic_load_explicit(&s->allocs, memory_order_relaxed);
	st->alloc_fail = atomic_load_explicit(&s->alloc_fail, memory_order_relaxed);
	st->reclaimed = atomic_load_explicit(&s->reclaimed, memory_order_relaxed);
	st->reclaim_waits = atomic_load_explicit(&s->reclaim_waits, memory_order_relaxed);
	st->rebuilds = atomic_load_explicit(&s->rebuilds, memory_order_relaxed);
}

const struct vox_pool_hdr *ctl_pool_region(const struct ctl_pool *pl)
{
	return pl->p;
}
