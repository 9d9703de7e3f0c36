/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_pool.h — the shared media pool: region layout, clip handles and the dataplane's readers. */
#ifndef VOX_POOL_H
#define VOX_POOL_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "vox_shm.h"

/*
 * Control decodes a prompt once and puts it here in three forms (16-bit linear, PCMU, PCMA),
 * 20 ms frames of 160 samples; every leg that plays it reads the same bytes. The region at
 * hdr->off_pool (hdr->pool_size bytes) is laid out as, offsets from the start of the region:
 *
 *   [vox_pool_hdr][clip table: n_clips * vox_pool_clip][slab owners: n_slabs * u32][slabs]
 *
 * A slab (slab_size bytes, 64 KiB by default) holds frames_per_slab frame records of 640
 * bytes: [linear 320][PCMU 160][PCMA 160]. A clip owns up to VOX_POOL_CLIP_SLABS slabs, listed
 * in its table entry; frame n lives in slab[n / frames_per_slab]. n_clips == n_slabs: a live
 * clip holds at least one slab, so the table can never run out before the slabs do.
 *
 * Writers and readers:
 *  - Everything in the region is written by control only (the attached one, holding the
 *    flock); the dataplane only reads. A zeroed region (a fresh shm file) is formatted by
 *    control at attach (vox_pool_format); a formatted one is adopted as it is
 *    (control restarts rebuild their allocator from the table).
 *  - Geometry in vox_pool_hdr: written once before `magic` (release); read-only afterwards.
 *  - vox_pool_clip.word = generation << 32 | state. Control fills the entry and the frames
 *    while the state is ALLOC (readers ignore it), then stores READY with release; readers
 *    load word with acquire and use the clip only when it equals (their generation, READY).
 *    A READY clip's entry and frames never change until it has been retired and reclaimed.
 *  - Reclamation (quiescent-state): worker w bumps hdr->worker[w].epoch once per loop turn at
 *    a point where it holds no clip pointer. Control retires a clip (word = RETIRED,
 *    seq_cst, then a seq_cst fence), snapshots every worker's epoch, and frees the slabs only
 *    once every worker's epoch differs from its snapshot: every loop turn that could have
 *    seen the clip READY has ended. A pointer from vox_pool_lookup/vox_pool_frame is valid
 *    until the caller's next epoch bump, never longer; keep the handle across turns and look
 *    it up again each turn.
 *  - Clip handles reach the dataplane inside commands, which control sends after formatting;
 *    the command ring orders the format before any lookup.
 *  - vox_pool_stats: written by control (relaxed), read by anyone (voxctl, /metrics).
 */

#define VOX_POOL_MAGIC 0x004c4f4f50584f56ull /* "VOXPOOL\0" little endian */
#define VOX_POOL_VERSION 1u

#define VOX_POOL_FRAME_SAMPLES 160u /* 20 ms at 8 kHz */
#define VOX_POOL_LIN_BYTES (VOX_POOL_FRAME_SAMPLES * 2u)
#define VOX_POOL_G711_BYTES VOX_POOL_FRAME_SAMPLES
#define VOX_POOL_FRAME_BYTES (VOX_POOL_LIN_BYTES + 2u * VOX_POOL_G711_BYTES) /* 640 */
#define VOX_POOL_SLAB_DEFAULT 65536u /* 102 frames = 2.04 s */
#define VOX_POOL_SLAB_MIN 4096u      /* slab sizes are multiples of this */
#define VOX_POOL_SLAB_MAX (16u << 20)
#define VOX_POOL_CLIP_SLABS 240u /* slabs per clip: 489.6 s with 64 KiB slabs */

/* Per-frame formats and where they sit in a frame record. */
enum vox_pool_fmt {
	VOX_POOL_LIN16 = 0, /* int16 host order, 320 bytes */
	VOX_POOL_PCMU = 1,  /* G.711 μ-law, 160 bytes */
	VOX_POOL_PCMA = 2,  /* G.711 A-law, 160 bytes */
};

enum vox_clip_state {
	VOX_CLIP_FREE = 0,    /* unused; slab list meaningless */
	VOX_CLIP_ALLOC = 1,   /* control is writing it; never seen by readers */
	VOX_CLIP_READY = 2,   /* published: immutable, readable */
	VOX_CLIP_RETIRED = 3, /* no new readers; slabs wait for every worker's epoch to move */
};

/* Clip handle: generation (high 32 bits, never 0) | table index (low 32). 0 is never valid. */
typedef uint64_t vox_clip_t;

static inline vox_clip_t vox_clip_make(uint32_t idx, uint32_t gen)
{
	return ((uint64_t)gen << 32) | idx;
}
static inline uint32_t vox_clip_idx(vox_clip_t h)
{
	return (uint32_t)h;
}
static inline uint32_t vox_clip_gen(vox_clip_t h)
{
	return (uint32_t)(h >> 32);
}

static inline uint64_t vox_clip_word(uint32_t gen, enum vox_clip_state st)
{
	return ((uint64_t)gen << 32) | (uint32_t)st;
}

/* Counters and gauges kept by control (relaxed stores), readable by anyone. */
struct vox_pool_stats {
	_Atomic uint32_t slabs_used;  /* owned by ALLOC, READY or RETIRED clips */
	_Atomic uint32_t clips_alloc; /* being written */
	_Atomic uint32_t clips_ready;
	_Atomic uint32_t clips_retired; /* waiting for the workers' epochs */
	_Atomic uint64_t allocs;        /* clips allocated */
	_Atomic uint64_t alloc_fail;    /* refused with -ENOSPC */
	_Atomic uint64_t reclaimed;     /* retired clips whose slabs went back to the free map */
	_Atomic uint64_t reclaim_waits; /* a retired clip found still protected by a worker */
	_Atomic uint64_t rebuilds;      /* controls that adopted the formatted region */
	uint64_t rsvd[3];
};
_Static_assert(sizeof(struct vox_pool_stats) == 80, "vox_pool_stats is ABI");

struct vox_pool_hdr {
	_Atomic uint64_t magic; /* VOX_POOL_MAGIC, stored last by the formatter (release) */
	uint32_t version;       /* VOX_POOL_VERSION */
	uint32_t hdr_size;      /* sizeof(struct vox_pool_hdr) */
	uint64_t pool_size;     /* bytes in the region */
	uint32_t slab_size;     /* bytes per slab, multiple of VOX_POOL_SLAB_MIN */
	uint32_t n_slabs;
	uint32_t n_clips;         /* clip table entries (== n_slabs) */
	uint32_t clip_size;       /* sizeof(struct vox_pool_clip) */
	uint32_t frame_bytes;     /* VOX_POOL_FRAME_BYTES */
	uint32_t frames_per_slab; /* slab_size / frame_bytes */
	uint32_t clip_slabs_max;  /* VOX_POOL_CLIP_SLABS */
	uint32_t rsvd0;
	uint64_t off_clips; /* from the start of the region */
	uint64_t off_owner;
	uint64_t off_slabs;    /* 4 KiB aligned */
	uint64_t formatted_ns; /* CLOCK_REALTIME of the format */
	uint64_t rsvd[4];
	alignas(64) struct vox_pool_stats stats;
	uint8_t pad[48];
};
_Static_assert(sizeof(struct vox_pool_hdr) == 256, "vox_pool_hdr is ABI");
_Static_assert(offsetof(struct vox_pool_hdr, stats) == 128, "stats on their own lines");

/* One clip table entry. All fields but `word` change only while the state is FREE or ALLOC. */
struct vox_pool_clip {
	_Atomic uint64_t word; /* generation << 32 | enum vox_clip_state */
	uint32_t n_frames;
	uint32_t n_slabs;
	uint8_t tag[16];     /* control's key for the content (e.g. digest of URL and voice) */
	uint64_t created_ns; /* CLOCK_REALTIME when published */
	uint32_t rsvd[6];
	uint32_t slab[VOX_POOL_CLIP_SLABS]; /* slab indices, n_slabs of them */
};
_Static_assert(sizeof(struct vox_pool_clip) == 1024, "vox_pool_clip is ABI");
_Static_assert(offsetof(struct vox_pool_clip, slab) == 64, "clip header is one line");

/* Slab owner entries (u32 at off_owner): clip index + 1, 0 = free. Derived from the clip
 * table (a restarted control recomputes them), kept for the allocator and for inspection. */
#define VOX_POOL_OWNER_FREE 0u

/* ---- locating things -------------------------------------------------------------------- */

static inline struct vox_pool_hdr *vox_pool_of(const struct vox_shm_hdr *h)
{
	return (struct vox_pool_hdr *)((char *)h + h->off_pool);
}

static inline struct vox_pool_clip *vox_pool_clip_at(const struct vox_pool_hdr *p, uint32_t idx)
{
	return (struct vox_pool_clip *)((char *)p + p->off_clips +
	                                (uint64_t)idx * sizeof(struct vox_pool_clip));
}

static inline uint32_t *vox_pool_owner(const struct vox_pool_hdr *p)
{
	return (uint32_t *)((char *)p + p->off_owner);
}

static inline uint32_t vox_pool_fmt_off(enum vox_pool_fmt f)
{
	return f == VOX_POOL_LIN16  ? 0u
	       : f == VOX_POOL_PCMU ? VOX_POOL_LIN_BYTES
	                            : VOX_POOL_LIN_BYTES + VOX_POOL_G711_BYTES;
}

static inline uint32_t vox_pool_fmt_bytes(enum vox_pool_fmt f)
{
	return f == VOX_POOL_LIN16 ? VOX_POOL_LIN_BYTES : VOX_POOL_G711_BYTES;
}

/* The frame record n of clip c (no checks: n < c->n_frames). */
static inline uint8_t *vox_pool_frame_rec(const struct vox_pool_hdr *p,
                                          const struct vox_pool_clip *c, uint32_t n)
{
	uint32_t si = n / p->frames_per_slab;
	uint32_t fi = n - si * p->frames_per_slab;
	return (uint8_t *)p + p->off_slabs + (uint64_t)c->slab[si] * p->slab_size +
	       (uint64_t)fi * VOX_POOL_FRAME_BYTES;
}

/* ---- the dataplane's per-packet readers (no locks, no stores) ---------------------------- */

/*
 * The clip behind handle h if it is READY with h's generation, else NULL (stale: retired,
 * reused, never published, or a garbage index). The pointer is valid until the caller's next
 * epoch bump.
 */
static inline const struct vox_pool_clip *vox_pool_lookup(const struct vox_pool_hdr *p,
                                                          vox_clip_t h)
{
	uint32_t idx = vox_clip_idx(h);
	if (idx >= p->n_clips)
		return NULL;
	struct vox_pool_clip *c = vox_pool_clip_at(p, idx);
	uint64_t w = atomic_load_explicit(&c->word, memory_order_acquire);
	return w == vox_clip_word(vox_clip_gen(h), VOX_CLIP_READY) ? c : NULL;
}

/* Frame n of a looked-up clip in format f (vox_pool_fmt_bytes(f) bytes), or NULL past its end. */
static inline const uint8_t *vox_pool_frame(const struct vox_pool_hdr *p,
                                            const struct vox_pool_clip *c, uint32_t n,
                                            enum vox_pool_fmt f)
{
	if (n >= c->n_frames)
		return NULL;
	return vox_pool_frame_rec(p, c, n) + vox_pool_fmt_off(f);
}

/* Lookup and frame in one call, for callers that play one frame of a clip per turn. */
static inline const uint8_t *vox_pool_play(const struct vox_pool_hdr *p, vox_clip_t h, uint32_t n,
                                           enum vox_pool_fmt f)
{
	const struct vox_pool_clip *c = vox_pool_lookup(p, h);
	return c ? vox_pool_frame(p, c, n, f) : NULL;
}

/* ---- formatting and validation (vox_pool.c) ---------------------------------------------- */

/*
 * Lay out a region of `size` bytes with slabs of slab_size bytes (0: the default): geometry,
 * an empty clip table whose generations start from gen_seed, a free owner map, zeroed stats;
 * `magic` last (release). Slab contents are left as they are. Returns 0, -EINVAL (slab size
 * not a multiple of VOX_POOL_SLAB_MIN or out of bounds) or -ENOSPC (not even one slab fits).
 */
int vox_pool_format(void *region, uint64_t size, uint32_t slab_size, uint32_t gen_seed);

/*
 * Check a region's header against its size. Returns 0, -ENODATA (never formatted: magic 0) or
 * -EPROTO (other magic or version, or a geometry that does not fit the region).
 */
int vox_pool_check(const void *region, uint64_t size);

#endif /* VOX_POOL_H */
