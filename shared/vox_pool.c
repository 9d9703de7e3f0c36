/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_pool.c — formatting and validating the media pool region (see vox_pool.h). */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "vox_pool.h"

static uint64_t pool_align4k(uint64_t v)
{
	return (v + 4095u) & ~(uint64_t)4095u;
}

/* Where the slabs start for n slabs (header, table and owner map before them). */
static uint64_t pool_off_slabs(uint64_t n)
{
	return pool_align4k(sizeof(struct vox_pool_hdr) + n * sizeof(struct vox_pool_clip) +
	                    n * sizeof(uint32_t));
}

int vox_pool_format(void *region, uint64_t size, uint32_t slab_size, uint32_t gen_seed)
{
	if (slab_size == 0)
		slab_size = VOX_POOL_SLAB_DEFAULT;
	if (slab_size % VOX_POOL_SLAB_MIN || slab_size > VOX_POOL_SLAB_MAX)
		return -EINVAL;
	if (size <= sizeof(struct vox_pool_hdr))
		return -ENOSPC;
	uint64_t per = (uint64_t)slab_size + sizeof(struct vox_pool_clip) + sizeof(uint32_t);
	uint64_t n = (size - sizeof(struct vox_pool_hdr)) / per;
	while (n > 0 && pool_off_slabs(n) + n * slab_size > size)
		n--;
	if (n == 0)
		return -ENOSPC;
	if (n > UINT32_MAX - 1)
		n = UINT32_MAX - 1;

	struct vox_pool_hdr *p = region;
	atomic_store_explicit(&p->magic, 0, memory_order_relaxed);
	memset((char *)p + sizeof(p->magic), 0, sizeof(*p) - sizeof(p->magic));
	p->version = VOX_POOL_VERSION;
	p->hdr_size = sizeof(*p);
	p->pool_size = size;
	p->slab_size = slab_size;
	p->n_slabs = (uint32_t)n;
	p->n_clips = (uint32_t)n;
	p->clip_size = sizeof(struct vox_pool_clip);
	p->frame_bytes = VOX_POOL_FRAME_BYTES;
	p->frames_per_slab = slab_size / VOX_POOL_FRAME_BYTES;
	p->clip_slabs_max = VOX_POOL_CLIP_SLABS;
	p->off_clips = sizeof(*p);
	p->off_owner = p->off_clips + n * sizeof(struct vox_pool_clip);
	p->off_slabs = pool_off_slabs(n);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	p->formatted_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;

	for (uint32_t i = 0; i < n; i++) {
		struct vox_pool_clip *c = vox_pool_clip_at(p, i);
		memset((char *)c + sizeof(c->word), 0, sizeof(*c) - sizeof(c->word));
		uint32_t gen = gen_seed + i;
		if (gen == 0)
			gen = 1; /* handles are never 0 */
		atomic_store_explicit(&c->word, vox_clip_word(gen, VOX_CLIP_FREE),
		                      memory_order_relaxed);
	}
	memset(vox_pool_owner(p), 0, n * sizeof(uint32_t));
	atomic_store_explicit(&p->magic, VOX_POOL_MAGIC, memory_order_release);
	return 0;
}

int vox_pool_check(const void *region, uint64_t size)
{
	const struct vox_pool_hdr *p = region;
	if (size < sizeof(*p))
		return -EPROTO;
	uint64_t magic =
	    atomic_load_explicit(&((struct vox_pool_hdr *)p)->magic, memory_order_acquire);
	if (magic == 0)
		return -ENODATA;
	if (magic != VOX_POOL_MAGIC || p->version != VOX_POOL_VERSION ||
	    p->hdr_size != sizeof(*p) || p->clip_size != sizeof(struct vox_pool_clip) ||
	    p->frame_bytes != VOX_POOL_FRAME_BYTES || p->clip_slabs_max != VOX_POOL_CLIP_SLABS)
		return -EPROTO;
	uint64_t n = p->n_slabs;
	if (n == 0 || p->n_clips != n || p->pool_size != size || p->slab_size % VOX_POOL_SLAB_MIN ||
	    p->slab_size == 0 || p->slab_size > VOX_POOL_SLAB_MAX ||
	    p->frames_per_slab != p->slab_size / VOX_POOL_FRAME_BYTES)
		return -EPROTO;
	if (p->off_clips != sizeof(*p) ||
	    p->off_owner != p->off_clips + n * sizeof(struct vox_pool_clip) ||
	    p->off_slabs != pool_off_slabs(n) || p->off_slabs + n * p->slab_size > size)
		return -EPROTO;
	return 0;
}
