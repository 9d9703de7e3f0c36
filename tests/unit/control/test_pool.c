/* SPDX-License-Identifier: BSD-3-Clause */
/* test_pool.c — control's media pool over a real shm file: formats, staleness, epochs, restart. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vox_g711.h"
#include "vox_layout.h"
#include "vox_pool.h"

#include "ctl_log.h"
#include "ctl_pool.h"

#define N_WORKERS 2u
#define SLAB 4096u /* 6 frames per slab: clips cross slabs after 120 ms */
#define FPS 6u
#define POOL_BYTES (1u << 20)

struct pool_fx {
	struct vox_shm_map map; /* the dataplane's mapping (it created the file) */
	struct vox_shm_map rd;  /* a second mapping, read as the dataplane's workers would */
	char path[128];
	struct ctl_pool *pl;
	const struct vox_pool_hdr *rp; /* the region through rd */
};

static int pool_setup(void **state)
{
	static struct pool_fx fx;
	memset(&fx, 0, sizeof(fx));
	ctl_log_set_level(getenv("CTL_TEST_LOG") ? CTL_LOG_DEBUG : CTL_LOG_ERR);
	snprintf(fx.path, sizeof(fx.path), "/dev/shm/voxplane-pool%d.shm", (int)getpid());
	struct vox_shm_params p = {.n_workers = N_WORKERS,
	                           .cmd_ring_slots = 64,
	                           .evt_ring_slots = 64,
	                           .bulk_ring_bytes = 4096,
	                           .mirror_slots = 8,
	                           .pool_bytes = POOL_BYTES};
	assert_int_equal(vox_shm_create(&fx.map, fx.path, &p), 0);
	vox_shm_publish(&fx.map);
	assert_int_equal(vox_shm_attach(&fx.rd, fx.path, 0, NULL), 0);
	assert_int_equal(ctl_pool_attach(&fx.pl, fx.map.hdr, SLAB, 0x1234), 0);
	fx.rp = vox_pool_of(fx.rd.hdr);
	assert_int_equal(fx.rp->frames_per_slab, FPS);
	*state = &fx;
	return 0;
}

static void pool_bump(struct pool_fx *fx, uint32_t w)
{
	atomic_fetch_add_explicit(&fx->map.hdr->worker[w].epoch, 1, memory_order_seq_cst);
}

/* Leak check: once every clip is retired and the workers moved on, every slab is free. */
static int pool_teardown(void **state)
{
	struct pool_fx *fx = *state;
	if (fx->pl) {
		const struct vox_pool_hdr *p = ctl_pool_region(fx->pl);
		for (uint32_t i = 0; i < p->n_clips; i++) {
			uint64_t w = atomic_load(&vox_pool_clip_at(p, i)->word);
			if ((uint32_t)w == VOX_CLIP_READY || (uint32_t)w == VOX_CLIP_ALLOC)
				assert_int_equal(ctl_pool_clip_retire(
				                     fx->pl, vox_clip_make(i, (uint32_t)(w >> 32))),
				                 0);
		}
		for (uint32_t w = 0; w < N_WORKERS; w++)
			pool_bump(fx, w);
		ctl_pool_reclaim(fx->pl);
		struct ctl_pool_stats st;
		ctl_pool_stats(fx->pl, &st);
		assert_int_equal(st.slabs_used, 0);
		assert_int_equal(st.slabs_free, st.slabs_total);
		assert_int_equal(st.clips_ready + st.clips_retired + st.clips_alloc, 0);
		for (uint32_t s = 0; s < p->n_slabs; s++)
			assert_int_equal(vox_pool_owner(p)[s], VOX_POOL_OWNER_FREE);
		ctl_pool_detach(fx->pl);
	}
	vox_shm_unmap(&fx->rd);
	vox_shm_unmap(&fx->map);
	unlink(fx->path);
	return 0;
}

/* Test audio: sample j of frame n of a clip stamped `stamp`. Samples 0..3 carry the stamp,
 * 4 the frame number, so a frame names its clip. */
static int16_t pool_sample(uint64_t stamp, uint32_t n, uint32_t j)
{
	if (j < 4)
		return (int16_t)(uint16_t)(stamp >> (16 * j));
	if (j == 4)
		return (int16_t)n;
	return (int16_t)(uint16_t)(stamp * 2654435761u + n * 977u + j * 131u);
}

static void pool_fill(int16_t *pcm, uint64_t stamp, uint32_t n_samples)
{
	for (uint32_t i = 0; i < n_samples; i++)
		pcm[i] = pool_sample(stamp, i / VOX_POOL_FRAME_SAMPLES, i % VOX_POOL_FRAME_SAMPLES);
}

/* Check frame n of a clip through the reader functions: all three formats. Returns 0 when the
 * frame is the one stamped `stamp`, 1 when it is not. */
static int pool_frame_is(const struct vox_pool_hdr *p, const struct vox_pool_clip *c, uint32_t n,
                         uint64_t stamp, uint32_t valid)
{
	const int16_t *lin = (const int16_t *)(const void *)vox_pool_frame(p, c, n, VOX_POOL_LIN16);
	const uint8_t *u = vox_pool_frame(p, c, n, VOX_POOL_PCMU);
	const uint8_t *a = vox_pool_frame(p, c, n, VOX_POOL_PCMA);
	if (!lin || !u || !a)
		return 1;
	for (uint32_t j = 0; j < VOX_POOL_FRAME_SAMPLES; j++) {
		int16_t want = j < valid ? pool_sample(stamp, n, j) : 0;
		if (lin[j] != want || u[j] != vox_g711_ulaw_encode(want) ||
		    a[j] != vox_g711_alaw_encode(want))
			return 1;
	}
	return 0;
}

static vox_clip_t pool_load(struct pool_fx *fx, uint64_t stamp, uint32_t n_samples)
{
	int16_t *pcm = malloc(n_samples * sizeof(*pcm));
	assert_non_null(pcm);
	pool_fill(pcm, stamp, n_samples);
	uint8_t tag[16] = {0};
	memcpy(tag, &stamp, sizeof(stamp));
	vox_clip_t h = 0;
	assert_int_equal(ctl_pool_clip_load(fx->pl, tag, pcm, n_samples, &h), 0);
	free(pcm);
	return h;
}

/* Every frame of h reads back as written (the last one padded with silence). */
static void pool_assert_clip(const struct vox_pool_hdr *p, vox_clip_t h, uint64_t stamp,
                             uint32_t n_samples)
{
	const struct vox_pool_clip *c = vox_pool_lookup(p, h);
	assert_non_null(c);
	uint32_t nf = (n_samples + VOX_POOL_FRAME_SAMPLES - 1) / VOX_POOL_FRAME_SAMPLES;
	assert_int_equal(c->n_frames, nf);
	for (uint32_t n = 0; n < nf; n++) {
		uint32_t valid = n_samples - n * VOX_POOL_FRAME_SAMPLES;
		if (valid > VOX_POOL_FRAME_SAMPLES)
			valid = VOX_POOL_FRAME_SAMPLES;
		if (pool_frame_is(p, c, n, stamp, valid))
			fail_msg("clip %llx frame %u differs", (unsigned long long)h, n);
	}
	assert_null(vox_pool_frame(p, c, nf, VOX_POOL_LIN16));
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_formats_read_back(void **state)
{
	struct pool_fx *fx = *state;
	/* 15 frames and a half: three slabs, a padded last frame */
	uint32_t ns = 15 * VOX_POOL_FRAME_SAMPLES + 80;
	vox_clip_t h = pool_load(fx, 0xabcdef0123ull, ns);
	assert_int_equal(ctl_pool_clip_state(fx->pl, h), VOX_CLIP_READY);
	pool_assert_clip(fx->rp, h, 0xabcdef0123ull, ns);
	const struct vox_pool_clip *c = vox_pool_lookup(fx->rp, h);
	assert_int_equal(c->n_slabs, 3);
	/* padding: silence in all three */
	const uint8_t *u = vox_pool_play(fx->rp, h, 15, VOX_POOL_PCMU);
	const uint8_t *a = vox_pool_play(fx->rp, h, 15, VOX_POOL_PCMA);
	assert_int_equal(u[159], 0xff);
	assert_int_equal(a[159], 0xd5);

	/* written piecewise, then published: what the reader sees is the same */
	vox_clip_t h2;
	int16_t pcm[4 * VOX_POOL_FRAME_SAMPLES];
	pool_fill(pcm, 77, 4 * VOX_POOL_FRAME_SAMPLES);
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, 4, NULL, &h2), 0);
	assert_null(vox_pool_lookup(fx->rp, h2)); /* ALLOC: invisible */
	assert_int_equal(ctl_pool_clip_write(fx->pl, h2, 0, pcm, 2 * VOX_POOL_FRAME_SAMPLES), 0);
	assert_int_equal(ctl_pool_clip_write(fx->pl, h2, 2, pcm + 2 * VOX_POOL_FRAME_SAMPLES,
	                                     2 * VOX_POOL_FRAME_SAMPLES),
	                 0);
	assert_int_equal(ctl_pool_clip_write(fx->pl, h2, 3, pcm, 2 * VOX_POOL_FRAME_SAMPLES),
	                 -ERANGE);
	assert_int_equal(ctl_pool_clip_publish(fx->pl, h2), 0);
	assert_int_equal(ctl_pool_clip_write(fx->pl, h2, 0, pcm, 1), -ESTALE); /* immutable */
	assert_int_equal(ctl_pool_clip_publish(fx->pl, h2), -ESTALE);
	pool_assert_clip(fx->rp, h2, 77, 4 * VOX_POOL_FRAME_SAMPLES);

	struct ctl_pool_stats st;
	ctl_pool_stats(fx->pl, &st);
	assert_int_equal(st.clips_ready, 2);
	assert_int_equal(st.slabs_used, 4);
	assert_int_equal(st.slabs_used + st.slabs_free, st.slabs_total);
	assert_int_equal(st.max_frames, FPS * VOX_POOL_CLIP_SLABS);
	uint8_t tag[16] = {0};
	uint64_t stamp = 0xabcdef0123ull;
	memcpy(tag, &stamp, sizeof(stamp));
	assert_int_equal(ctl_pool_find(fx->pl, tag), h);
}

/* A handle goes stale at retirement and stays stale when its entry is reused. */
static void test_handle_stale_after_reuse(void **state)
{
	struct pool_fx *fx = *state;
	vox_clip_t h = pool_load(fx, 1, 300);
	assert_non_null(vox_pool_lookup(fx->rp, h));
	assert_int_equal(ctl_pool_clip_retire(fx->pl, h), 0);
	assert_null(vox_pool_lookup(fx->rp, h));
	assert_null(vox_pool_play(fx->rp, h, 0, VOX_POOL_PCMU));
	assert_int_equal(ctl_pool_clip_state(fx->pl, h), VOX_CLIP_RETIRED);
	assert_int_equal(ctl_pool_clip_retire(fx->pl, h), -ESTALE);
	/* allocate and retire until the table entry comes round again */
	vox_clip_t again = 0;
	for (uint32_t i = 0; i < fx->rp->n_clips + 1 && !again; i++) {
		pool_bump(fx, 0);
		pool_bump(fx, 1);
		vox_clip_t x = pool_load(fx, 1000 + i, 100);
		if (vox_clip_idx(x) == vox_clip_idx(h))
			again = x;
		else
			assert_int_equal(ctl_pool_clip_retire(fx->pl, x), 0);
	}
	assert_int_not_equal(again, 0);
	assert_int_not_equal(vox_clip_gen(again), vox_clip_gen(h));
	assert_non_null(vox_pool_lookup(fx->rp, again));
	assert_null(vox_pool_lookup(fx->rp, h));
	assert_int_equal(ctl_pool_clip_state(fx->pl, h), -ESTALE);
	assert_int_equal(ctl_pool_clip_retire(fx->pl, h), -ESTALE);
	assert_int_equal(ctl_pool_clip_write(fx->pl, h, 0, NULL, 0), -ESTALE);
	/* unpublished clips are freed at once by retire */
	vox_clip_t u;
	struct ctl_pool_stats st0, st1;
	ctl_pool_stats(fx->pl, &st0);
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, 20, NULL, &u), 0);
	assert_int_equal(ctl_pool_clip_retire(fx->pl, u), 0);
	ctl_pool_stats(fx->pl, &st1);
	assert_int_equal(st1.slabs_used, st0.slabs_used);
	assert_int_equal(ctl_pool_clip_state(fx->pl, u), VOX_CLIP_FREE);
}

/* Fill the pool with one-slab clips. Returns how many (all READY, handles in hs). */
static uint32_t pool_fill_up(struct pool_fx *fx, vox_clip_t *hs, uint64_t stamp0)
{
	uint32_t n = 0;
	for (;;) {
		int16_t pcm[VOX_POOL_FRAME_SAMPLES];
		pool_fill(pcm, stamp0 + n, VOX_POOL_FRAME_SAMPLES);
		vox_clip_t h;
		int rc = ctl_pool_clip_load(fx->pl, NULL, pcm, VOX_POOL_FRAME_SAMPLES, &h);
		if (rc == -ENOSPC)
			return n;
		assert_int_equal(rc, 0);
		hs[n++] = h;
	}
}

static void test_epoch_reclaim(void **state)
{
	struct pool_fx *fx = *state;
	atomic_store(&fx->map.hdr->worker[0].epoch, 1000); /* workers' counts differ */
	atomic_store(&fx->map.hdr->worker[1].epoch, 7);
	vox_clip_t *hs = calloc(fx->rp->n_slabs, sizeof(*hs));
	uint32_t n = pool_fill_up(fx, hs, 500);
	assert_int_equal(n, fx->rp->n_slabs);
	vox_clip_t victim = hs[n / 2];
	uint32_t vslab = vox_pool_lookup(fx->rp, victim)->slab[0];
	assert_int_equal(ctl_pool_clip_retire(fx->pl, victim), 0);

	struct ctl_pool_stats st;
	vox_clip_t h;
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, 1, NULL, &h), -ENOSPC);
	ctl_pool_stats(fx->pl, &st);
	assert_int_equal(st.reclaim_waits, 1);
	assert_int_equal(st.clips_retired, 1);
	assert_int_equal(st.alloc_fail, 2); /* the fill's last try and this one */

	pool_bump(fx, 0); /* worker 1 may still be in the turn that saw it READY */
	assert_int_equal(ctl_pool_reclaim(fx->pl), 0);
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, 1, NULL, &h), -ENOSPC);
	assert_int_equal(vox_pool_owner(fx->rp)[vslab], vox_clip_idx(victim) + 1);

	pool_bump(fx, 1);
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, 1, NULL, &h), 0); /* reclaims on its way */
	assert_int_equal(vox_pool_owner(fx->rp)[vslab], vox_clip_idx(h) + 1);
	ctl_pool_stats(fx->pl, &st);
	assert_int_equal(st.reclaimed, 1);
	assert_int_equal(st.clips_retired, 0);
	assert_int_equal(st.slabs_free, 0);
	/* nobody else was touched */
	for (uint32_t i = 0; i < n; i++)
		if (hs[i] != victim)
			pool_assert_clip(fx->rp, hs[i], 500 + i, VOX_POOL_FRAME_SAMPLES);
	free(hs);
}

static void test_pool_full(void **state)
{
	struct pool_fx *fx = *state;
	vox_clip_t h;
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, 0, NULL, &h), -EINVAL);
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, FPS * VOX_POOL_CLIP_SLABS + 1, NULL, &h),
	                 -EFBIG);
	/* a few clips, then one too big for what is left */
	vox_clip_t a = pool_load(fx, 1, 100 * FPS * VOX_POOL_FRAME_SAMPLES); /* 100 slabs */
	vox_clip_t b = pool_load(fx, 2, 90 * FPS * VOX_POOL_FRAME_SAMPLES);  /* 90 slabs */
	struct ctl_pool_stats before, after;
	ctl_pool_stats(fx->pl, &before);
	uint32_t left = before.slabs_free;
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, (left + 1) * FPS, NULL, &h), -ENOSPC);
	int16_t *pcm = calloc((size_t)(left + 1) * FPS * VOX_POOL_FRAME_SAMPLES, sizeof(*pcm));
	assert_int_equal(
	    ctl_pool_clip_load(fx->pl, NULL, pcm, (left + 1) * FPS * VOX_POOL_FRAME_SAMPLES, &h),
	    -ENOSPC);
	free(pcm);
	ctl_pool_stats(fx->pl, &after);
	assert_int_equal(after.slabs_used, before.slabs_used);
	assert_int_equal(after.slabs_free, left);
	assert_int_equal(after.clips_alloc, 0);
	assert_int_equal(after.clips_ready, 2);
	assert_int_equal(after.alloc_fail, before.alloc_fail + 2);
	uint32_t owned = 0;
	for (uint32_t s = 0; s < fx->rp->n_slabs; s++)
		owned += vox_pool_owner(fx->rp)[s] != VOX_POOL_OWNER_FREE;
	assert_int_equal(owned, before.slabs_used);
	/* exactly what is left still fits */
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, left * FPS, NULL, &h), 0);
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, 1, NULL, &h), -ENOSPC);
	pool_assert_clip(fx->rp, a, 1, 100 * FPS * VOX_POOL_FRAME_SAMPLES);
	pool_assert_clip(fx->rp, b, 2, 90 * FPS * VOX_POOL_FRAME_SAMPLES);
}

/* A second control attaching over the same region keeps READY clips and their slabs, keeps
 * RETIRED ones until the epochs move, and drops what was never published. */
static void test_rebuild_after_restart(void **state)
{
	struct pool_fx *fx = *state;
	vox_clip_t a = pool_load(fx, 0xa, 20 * VOX_POOL_FRAME_SAMPLES);
	vox_clip_t b = pool_load(fx, 0xb, 3 * VOX_POOL_FRAME_SAMPLES);
	vox_clip_t d = pool_load(fx, 0xd, 7 * VOX_POOL_FRAME_SAMPLES);
	vox_clip_t c;
	assert_int_equal(ctl_pool_clip_alloc(fx->pl, 30, NULL, &c), 0); /* dies while writing it */
	assert_int_equal(ctl_pool_clip_retire(fx->pl, d), 0);
	struct ctl_pool_stats st;
	ctl_pool_stats(fx->pl, &st);
	assert_int_equal(st.slabs_used, 4 + 1 + 2 + 5);
	uint64_t allocs = st.allocs;

	/* "restart": the old control's private state is gone; the owner map is scribbled to
	 * show the rebuild trusts the clip table alone */
	ctl_pool_detach(fx->pl);
	fx->pl = NULL;
	uint32_t *owner = vox_pool_owner(vox_pool_of(fx->map.hdr));
	owner[fx->rp->n_slabs - 1] = 3;
	assert_int_equal(ctl_pool_attach(&fx->pl, fx->map.hdr, 0, 999), 0);
	assert_int_equal(fx->rp->slab_size, SLAB); /* the format is kept */
	ctl_pool_stats(fx->pl, &st);
	assert_int_equal(st.clips_ready, 2);
	assert_int_equal(st.clips_retired, 1);
	assert_int_equal(st.clips_alloc, 0);
	assert_int_equal(st.slabs_used, 4 + 1 + 2);
	assert_int_equal(st.slabs_free, st.slabs_total - 7);
	assert_int_equal(st.rebuilds, 1);
	assert_int_equal(st.allocs, allocs); /* counters survive */
	assert_int_equal(ctl_pool_clip_state(fx->pl, c), VOX_CLIP_FREE);
	assert_int_equal(owner[fx->rp->n_slabs - 1], VOX_POOL_OWNER_FREE);
	/* old handles still play, and a tag finds them */
	pool_assert_clip(fx->rp, a, 0xa, 20 * VOX_POOL_FRAME_SAMPLES);
	pool_assert_clip(fx->rp, b, 0xb, 3 * VOX_POOL_FRAME_SAMPLES);
	uint8_t tag[16] = {0xb};
	assert_int_equal(ctl_pool_find(fx->pl, tag), b);
	assert_int_equal(ctl_pool_clip_state(fx->pl, d), VOX_CLIP_RETIRED);

	/* fill everything else: nothing in use is overwritten, the retired clip stays held */
	vox_clip_t *hs = calloc(fx->rp->n_slabs, sizeof(*hs));
	uint32_t n = pool_fill_up(fx, hs, 0x100);
	assert_int_equal(n, st.slabs_free);
	pool_assert_clip(fx->rp, a, 0xa, 20 * VOX_POOL_FRAME_SAMPLES);
	pool_assert_clip(fx->rp, b, 0xb, 3 * VOX_POOL_FRAME_SAMPLES);
	assert_int_equal(ctl_pool_clip_state(fx->pl, d), VOX_CLIP_RETIRED);
	pool_bump(fx, 0);
	pool_bump(fx, 1);
	assert_int_equal(ctl_pool_reclaim(fx->pl), 1);
	ctl_pool_stats(fx->pl, &st);
	assert_int_equal(st.slabs_free, 2);
	free(hs);
}

/* A table where two live clips claim one slab is refused and left as it is. */
static void test_rebuild_refuses_damage(void **state)
{
	struct pool_fx *fx = *state;
	vox_clip_t a = pool_load(fx, 1, 100);
	vox_clip_t b = pool_load(fx, 2, 100);
	ctl_pool_detach(fx->pl);
	fx->pl = NULL;
	struct vox_pool_hdr *p = vox_pool_of(fx->map.hdr);
	uint32_t saved = vox_pool_clip_at(p, vox_clip_idx(b))->slab[0];
	vox_pool_clip_at(p, vox_clip_idx(b))->slab[0] =
	    vox_pool_clip_at(p, vox_clip_idx(a))->slab[0];
	struct ctl_pool *pl = NULL;
	assert_int_equal(ctl_pool_attach(&pl, fx->map.hdr, 0, 1), -EUCLEAN);
	assert_null(pl);
	assert_non_null(vox_pool_lookup(fx->rp, a));
	assert_non_null(vox_pool_lookup(fx->rp, b));
	vox_pool_clip_at(p, vox_clip_idx(b))->slab[0] = saved;
	assert_int_equal(ctl_pool_attach(&fx->pl, fx->map.hdr, 0, 1), 0);
	pool_assert_clip(fx->rp, a, 1, 100);
	pool_assert_clip(fx->rp, b, 2, 100);
}

/* ---- concurrency: workers play while control retires and reallocates ---------------------- */

#define CC_SLOTS 6

struct cc_ctx {
	struct pool_fx *fx;
	_Atomic uint64_t slot[CC_SLOTS]; /* handles currently published, as commands would carry */
	_Atomic int stop;
	_Atomic uint64_t frames, stale, wrong;
	_Atomic uint64_t wrong_what;
};

struct cc_worker {
	struct cc_ctx *cc;
	uint32_t w;
};

/* A worker: each loop turn looks its clip up again by handle (often an old one: retired, its
 * entry and slabs maybe reused), plays a few frames, checks their stamp, then bumps its epoch
 * (holding no clip pointer from here on). */
static void *cc_worker_main(void *arg)
{
	struct cc_worker *me = arg;
	struct cc_ctx *cc = me->cc;
	/* Through control's own mapping, unlike the other tests: ThreadSanitizer tracks virtual
	 * addresses, so only then can it check the frames' plain reads against control's plain
	 * writes (and the epochs that order them). */
	const struct vox_pool_hdr *p = vox_pool_of(cc->fx->map.hdr);
	_Atomic uint64_t *epoch = &cc->fx->map.hdr->worker[me->w].epoch;
	uint64_t turn = 0, frames = 0, stale = 0, wrong = 0;
	vox_clip_t held[CC_SLOTS] = {0}; /* a leg keeps its handle across turns, like a command's */
	while (!atomic_load_explicit(&cc->stop, memory_order_relaxed)) {
		uint32_t i = (uint32_t)(turn % CC_SLOTS);
		if (turn % (CC_SLOTS * 8) < CC_SLOTS) /* refreshed now and then: often stale */
			held[i] = atomic_load_explicit(&cc->slot[i], memory_order_acquire);
		vox_clip_t h = held[i];
		const struct vox_pool_clip *c = vox_pool_lookup(p, h);
		if (!c) {
			stale++;
		} else {
			uint32_t nf = c->n_frames;
			for (uint32_t k = 0; k < 3; k++) {
				uint32_t n = (uint32_t)((turn + k * 5) % nf);
				if (pool_frame_is(p, c, n, h, VOX_POOL_FRAME_SAMPLES)) {
					if (!wrong++)
						atomic_store(&cc->wrong_what, h);
				}
				frames++;
			}
		}
		turn++;
		atomic_fetch_add_explicit(epoch, 1, memory_order_seq_cst);
	}
	atomic_fetch_add(&cc->frames, frames);
	atomic_fetch_add(&cc->stale, stale);
	atomic_fetch_add(&cc->wrong, wrong);
	return NULL;
}

static uint64_t cc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Each clip's stamp is its own handle, so a frame of any other clip fails the check. */
static vox_clip_t cc_load(struct pool_fx *fx, uint32_t n_frames)
{
	vox_clip_t h;
	int rc;
	while ((rc = ctl_pool_clip_alloc(fx->pl, n_frames, NULL, &h)) == -ENOSPC)
		sched_yield(); /* workers still hold retired clips: wait for their epochs */
	assert_int_equal(rc, 0);
	int16_t pcm[18 * VOX_POOL_FRAME_SAMPLES];
	pool_fill(pcm, h, n_frames * VOX_POOL_FRAME_SAMPLES);
	assert_int_equal(ctl_pool_clip_write(fx->pl, h, 0, pcm, n_frames * VOX_POOL_FRAME_SAMPLES),
	                 0);
	assert_int_equal(ctl_pool_clip_publish(fx->pl, h), 0);
	return h;
}

static void test_concurrent_play_and_reuse(void **state)
{
	struct pool_fx *fx = *state;
	static struct cc_ctx cc;
	memset(&cc, 0, sizeof(cc));
	cc.fx = fx;
	/* the rest of the pool is held by big clips, so the players' clips recycle a few slabs */
	vox_clip_t big[2];
	uint32_t spare = fx->rp->n_slabs - 3 * CC_SLOTS - 4;
	big[0] = pool_load(fx, 0xb1, (spare / 2) * FPS * VOX_POOL_FRAME_SAMPLES);
	big[1] = pool_load(fx, 0xb2, (spare - spare / 2) * FPS * VOX_POOL_FRAME_SAMPLES);
	for (uint32_t i = 0; i < CC_SLOTS; i++)
		atomic_store(&cc.slot[i], cc_load(fx, 1 + i % 3 * 6));

	struct cc_worker wk[N_WORKERS];
	pthread_t thr[N_WORKERS];
	for (uint32_t w = 0; w < N_WORKERS; w++) {
		wk[w] = (struct cc_worker){.cc = &cc, .w = w};
		assert_int_equal(pthread_create(&thr[w], NULL, cc_worker_main, &wk[w]), 0);
	}
	uint64_t end = cc_now_ns() + 800ull * 1000000ull, swaps = 0;
	for (uint32_t r = 0; cc_now_ns() < end || swaps < 2000; r++) {
		uint32_t i = r % CC_SLOTS;
		vox_clip_t old = atomic_load(&cc.slot[i]);
		/* 1 to 18 frames: one to three slabs */
		vox_clip_t nw = cc_load(fx, 1 + (r * 7) % 18);
		atomic_store_explicit(&cc.slot[i], nw, memory_order_release);
		assert_int_equal(ctl_pool_clip_retire(fx->pl, old), 0);
		ctl_pool_reclaim(fx->pl);
		swaps++;
	}
	atomic_store(&cc.stop, 1);
	for (uint32_t w = 0; w < N_WORKERS; w++)
		pthread_join(thr[w], NULL);
	struct ctl_pool_stats st;
	ctl_pool_stats(fx->pl, &st);
	print_message("swaps %llu, frames checked %llu, stale lookups %llu, reclaimed %llu, "
	              "reclaim waits %llu\n",
	              (unsigned long long)swaps, (unsigned long long)cc.frames,
	              (unsigned long long)cc.stale, (unsigned long long)st.reclaimed,
	              (unsigned long long)st.reclaim_waits);
	if (cc.wrong)
		fail_msg("%llu frames were not their clip's (first in %llx)",
		         (unsigned long long)cc.wrong, (unsigned long long)cc.wrong_what);
	assert_true(cc.frames > 1000);
	assert_true(cc.stale > 0); /* retired and reused handles were looked up, and refused */
	/* slabs really were recycled: at most the 22 players' slabs can still wait */
	assert_true(st.reclaimed + 22 >= swaps);
	pool_assert_clip(fx->rp, big[0], 0xb1, (spare / 2) * FPS * VOX_POOL_FRAME_SAMPLES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_formats_read_back, pool_setup, pool_teardown),
	    cmocka_unit_test_setup_teardown(test_handle_stale_after_reuse, pool_setup,
	                                    pool_teardown),
	    cmocka_unit_test_setup_teardown(test_epoch_reclaim, pool_setup, pool_teardown),
	    cmocka_unit_test_setup_teardown(test_pool_full, pool_setup, pool_teardown),
	    cmocka_unit_test_setup_teardown(test_rebuild_after_restart, pool_setup, pool_teardown),
	    cmocka_unit_test_setup_teardown(test_rebuild_refuses_damage, pool_setup, pool_teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_play_and_reuse, pool_setup,
	                                    pool_teardown),
	};
	return cmocka_run_group_tests_name("control_pool", tests, NULL, NULL);
}
