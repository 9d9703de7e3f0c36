/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_layout_create.c — create and lay out the shm file (dataplane side; uses rte_ring_init). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "vox_layout.h"

static uint64_t align_up(uint64_t v)
{
	return (v + VOX_SHM_ALIGN - 1) & ~(uint64_t)(VOX_SHM_ALIGN - 1);
}

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int vox_shm_create(struct vox_shm_map *m, const char *path, const struct vox_shm_params *p)
{
	if (p->n_workers == 0 || p->n_workers > VOX_MAX_WORKERS || !is_pow2(p->cmd_ring_slots) ||
	    !is_pow2(p->evt_ring_slots) || !is_pow2(p->bulk_ring_bytes) || p->mirror_slots == 0 ||
	    p->mirror_slots > VOX_HANDLE_SLOT_MAX)
		return -EINVAL;

	ssize_t cmd_sz = rte_ring_get_memsize_elem(VOX_REC_SLOT, p->cmd_ring_slots);
	ssize_t evt_sz = rte_ring_get_memsize_elem(VOX_REC_SLOT, p->evt_ring_slots);
	if (cmd_sz < 0 || evt_sz < 0)
		return -EINVAL;

	struct vox_shm_hdr tmp;
	memset(&tmp, 0, sizeof(tmp));
	uint64_t off = align_up(sizeof(struct vox_shm_hdr));
	for (uint32_t w = 0; w < p->n_workers; w++) {
		tmp.off_cmd[w] = off;
		off = align_up(off + cmd_sz);
	}
	for (uint32_t w = 0; w < p->n_workers; w++) {
		tmp.off_evt[w] = off;
		off = align_up(off + evt_sz);
	}
	for (uint32_t w = 0; w < p->n_workers; w++) {
		tmp.off_bulk[w] = off;
		off = align_up(off + vox_bytering_memsize(p->bulk_ring_bytes));
	}
	tmp.off_stats = off;
	tmp.stats_size = vox_stats_block_size(p->n_workers + 1);
	off = align_up(off + tmp.stats_size);
	tmp.off_mirror = off;
	tmp.mirror_size = (uint64_t)p->n_workers * p->mirror_slots * sizeof(struct vox_leg_mirror);
	off = align_up(off + tmp.mirror_size);
	tmp.off_pool = off;
	tmp.pool_size = align_up(p->pool_bytes);
	off += tmp.pool_size;

	unlink(path);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)off) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return -e;
	}
	void *base = mmap(NULL, off, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		int e = errno;
		close(fd);
		unlink(path);
		return -e;
	}
	struct vox_shm_hdr *h = base;
	memcpy(h, &tmp, sizeof(tmp));
	h->magic = VOX_SHM_MAGIC;
	h->abi_version = VOX_ABI_VERSION;
	h->hdr_size = sizeof(struct vox_shm_hdr);
	h->total_size = off;
	if (getrandom(&h->boot_id, sizeof(h->boot_id), 0) != sizeof(h->boot_id))
		h->boot_id = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	h->n_workers = p->n_workers;
	h->node_id = p->node_id;
	h->dp_pid = (uint32_t)getpid();
	h->rec_slot = VOX_REC_SLOT;
	h->cmd_ring_slots = p->cmd_ring_slots;
	h->evt_ring_slots = p->evt_ring_slots;
	h->bulk_ring_bytes = p->bulk_ring_bytes;
	h->mirror_slots = p->mirror_slots;
	h->max_sip_bytes = p->max_sip_bytes;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->started_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;

	struct vox_shm_map mm = {.hdr = h, .size = off, .fd = fd};
	for (uint32_t w = 0; w < p->n_workers; w++) {
		char name[RTE_RING_NAMESIZE];
		snprintf(name, sizeof(name), "vox_cmd%u", w);
		if (rte_ring_init(vox_shm_cmd_ring(&mm, w), name, p->cmd_ring_slots,
				  RING_F_SP_ENQ | RING_F_SC_DEQ) != 0)
			goto fail;
		snprintf(name, sizeof(name), "vox_evt%u", w);
		if (rte_ring_init(vox_shm_evt_ring(&mm, w), name, p->evt_ring_slots,
				  RING_F_SP_ENQ | RING_F_SC_DEQ) != 0)
			goto fail;
		vox_bytering_init(vox_shm_bulk_ring(&mm, w), p->bulk_ring_bytes);
	}
	vox_stats_block_init(vox_shm_stats(&mm), p->n_workers + 1);
	*m = mm;
	return 0;
fail:
	munmap(base, off);
	close(fd);
	unlink(path);
	return -EINVAL;
}

void vox_shm_publish(struct vox_shm_map *m)
{
	atomic_store_explicit(&m->hdr->ready, 1, memory_order_release);
}
