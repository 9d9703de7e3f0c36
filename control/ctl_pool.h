/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_pool.h — control's side of the shared media pool: allocate, write, publish, retire, reclaim.
 */
#ifndef CTL_POOL_H
#define CTL_POOL_H

#include <stdint.h>

#include "vox_pool.h"
#include "vox_shm.h"

/*
 * Control is the only writer of the pool region (shared/vox_pool.h). A clip goes
 *   alloc (ALLOC) -> write frames -> publish (READY, release) -> retire (RETIRED)
 *   -> reclaim (FREE, slabs back in the free map) once every worker's epoch has moved past
 *   the snapshot taken at retirement.
 * Attach adopts a formatted region: it rebuilds the free map from the clip table (READY and
 * RETIRED clips keep their slabs, ALLOC clips of a control that died mid-write are freed, since
 * no reader ever saw them) and snapshots the epochs again for RETIRED clips, which only delays
 * their reclamation. The allocator state in shm is the owner map; the private part is the list
 * of retired clips and their snapshots. Owned by the loop thread of the control that holds the
 * shm file's flock (ctl_shm_open): two writers would corrupt the table.
 */
struct ctl_pool;

struct ctl_pool_stats {
	uint32_t slabs_total, slabs_used, slabs_free;
	uint32_t clips_alloc, clips_ready, clips_retired;
	uint32_t frames_per_slab, max_frames; /* geometry: the longest clip is max_frames */
	uint64_t allocs, alloc_fail, reclaimed, reclaim_waits, rebuilds;
};

/*
 * Attach to the pool of a mapped shm file. A zeroed region is formatted first with slabs of
 * slab_size bytes (0: 64 KiB) and generations seeded from gen_seed; a formatted one is adopted
 * (slab_size ignored). Returns 0, -EINVAL (bad slab size), -ENOSPC (region too small),
 * -EPROTO (foreign or inconsistent region), -EUCLEAN (two live clips claim one slab: the
 * region is left untouched), -ENOMEM. *out is written on success only.
 */
int ctl_pool_attach(struct ctl_pool **out, struct vox_shm_hdr *shm, uint32_t slab_size,
                    uint32_t gen_seed);
/* Forget the private state. Nothing in the region changes: clips keep playing. */
void ctl_pool_detach(struct ctl_pool *p);

/*
 * A new clip of n_frames frames in state ALLOC, tagged with `tag` (16 bytes; NULL: zeros).
 * Reclaims first when the free slabs do not suffice. Returns 0 and *out, or -EINVAL
 * (n_frames 0), -EFBIG (longer than max_frames), -ENOSPC (not enough free slabs even after
 * reclaiming: nothing changed).
 */
int ctl_pool_clip_alloc(struct ctl_pool *p, uint32_t n_frames, const uint8_t *tag, vox_clip_t *out);

/*
 * Write n_samples of 16-bit linear audio starting at frame first_frame of an ALLOC clip: the
 * linear copy and its PCMU and PCMA encodings. A last partial frame is padded with silence.
 * Returns 0, -ESTALE (not an ALLOC clip of this generation) or -ERANGE (past n_frames).
 */
int ctl_pool_clip_write(struct ctl_pool *p, vox_clip_t h, uint32_t first_frame, const int16_t *pcm,
                        uint32_t n_samples);

/* ALLOC -> READY with a release store: from now on readers may play it and it is immutable.
 * Returns 0 or -ESTALE. */
int ctl_pool_clip_publish(struct ctl_pool *p, vox_clip_t h);

/* alloc + write + publish of a whole clip. Returns 0 and *out or the first error (nothing is
 * left allocated then). */
int ctl_pool_clip_load(struct ctl_pool *p, const uint8_t *tag, const int16_t *pcm,
                       uint32_t n_samples, vox_clip_t *out);

/*
 * Retire: READY -> RETIRED (the handle goes stale at once; slabs wait for the epochs), or an
 * unpublished ALLOC clip is freed at once. Returns 0, -ESTALE, or -ENOMEM (no room to track
 * it: the clip stays READY).
 */
int ctl_pool_clip_retire(struct ctl_pool *p, vox_clip_t h);

/* Free every retired clip whose readers are all gone. Returns the number freed. */
uint32_t ctl_pool_reclaim(struct ctl_pool *p);

/* A READY clip with this tag (the first found), or 0. Lets a restarted control find the
 * prompts it cached before. */
vox_clip_t ctl_pool_find(const struct ctl_pool *p, const uint8_t *tag);

/* State of a handle's clip (enum vox_clip_state), or -ESTALE when the generation differs. */
int ctl_pool_clip_state(const struct ctl_pool *p, vox_clip_t h);

void ctl_pool_stats(const struct ctl_pool *p, struct ctl_pool_stats *st);

/* The region (for readers in tests and diagnostics). */
const struct vox_pool_hdr *ctl_pool_region(const struct ctl_pool *p);

#endif /* CTL_POOL_H */
