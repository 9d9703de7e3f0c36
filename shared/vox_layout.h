/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_layout.h — creating (dataplane) and attaching to (control, voxctl) the shm file. */
#ifndef VOX_LAYOUT_H
#define VOX_LAYOUT_H

#include <stdint.h>

#include "vox_shm.h"
#include "vox_stats.h"
#include "vox_bytering.h"

struct rte_ring;

struct vox_shm_params {
	uint32_t n_workers;
	uint32_t node_id;
	uint32_t cmd_ring_slots;  /* power of two */
	uint32_t evt_ring_slots;  /* power of two */
	uint32_t bulk_ring_bytes; /* power of two */
	uint32_t mirror_slots;    /* per worker */
	uint32_t max_sip_bytes;
	uint64_t pool_bytes;
};

/* A mapping of the shm file. */
struct vox_shm_map {
	struct vox_shm_hdr *hdr;
	uint64_t size;
	int fd;
};

/*
 * Dataplane side (links librte_ring): create `path` afresh (an existing file is replaced),
 * lay it out, initialise rings, stats and mirror, choose a random boot_id. `ready` is NOT set:
 * the caller publishes it with vox_shm_publish() once its workers can serve the rings.
 * Returns 0 or -errno.
 */
int vox_shm_create(struct vox_shm_map *m, const char *path, const struct vox_shm_params *p);
void vox_shm_publish(struct vox_shm_map *m);

/*
 * Reader side (no EAL): map an existing file read-write and validate magic, ABI version and
 * sizes. Waits up to wait_ms for `ready`. Returns 0, -ENOENT (no file), -EPROTO (bad magic or
 * layout), -EPROTONOSUPPORT (other ABI version; *their_abi says which), -ETIMEDOUT (not ready).
 */
int vox_shm_attach(struct vox_shm_map *m, const char *path, int wait_ms, uint32_t *their_abi);
void vox_shm_unmap(struct vox_shm_map *m);

static inline struct rte_ring *vox_shm_cmd_ring(const struct vox_shm_map *m, uint32_t w)
{
	return (struct rte_ring *)vox_shm_at(m->hdr, m->hdr->off_cmd[w]);
}
static inline struct rte_ring *vox_shm_evt_ring(const struct vox_shm_map *m, uint32_t w)
{
	return (struct rte_ring *)vox_shm_at(m->hdr, m->hdr->off_evt[w]);
}
static inline struct vox_bytering *vox_shm_bulk_ring(const struct vox_shm_map *m, uint32_t w)
{
	return (struct vox_bytering *)vox_shm_at(m->hdr, m->hdr->off_bulk[w]);
}
static inline struct vox_stats_block *vox_shm_stats(const struct vox_shm_map *m)
{
	return (struct vox_stats_block *)vox_shm_at(m->hdr, m->hdr->off_stats);
}
static inline struct vox_leg_mirror *vox_shm_mirror(const struct vox_shm_map *m, uint32_t w, uint32_t slot)
{
	return (struct vox_leg_mirror *)vox_shm_at(
		m->hdr, m->hdr->off_mirror +
				((uint64_t)w * m->hdr->mirror_slots + slot) * sizeof(struct vox_leg_mirror));
}

#endif /* VOX_LAYOUT_H */
