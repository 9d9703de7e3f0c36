/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_layout_attach.c — map and validate the shm file (control and voxctl; no EAL). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vox_layout.h"

static int shm_valid_layout(const struct vox_shm_hdr *h, uint64_t size)
{
	if (h->hdr_size != sizeof(struct vox_shm_hdr) || h->total_size != size ||
	    h->n_workers == 0 || h->n_workers > VOX_MAX_WORKERS || h->rec_slot != VOX_REC_SLOT)
		return 0;
	for (uint32_t w = 0; w < h->n_workers; w++)
		if (h->off_cmd[w] >= size || h->off_evt[w] >= size || h->off_bulk[w] >= size)
			return 0;
	if (h->off_stats + h->stats_size > size || h->off_mirror + h->mirror_size > size ||
	    h->off_pool + h->pool_size > size)
		return 0;
	return 1;
}

int vox_shm_attach(struct vox_shm_map *m, const char *path, int wait_ms, uint32_t *their_abi)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			struct stat st;
			if (fstat(fd, &st) == 0 && (uint64_t)st.st_size >= sizeof(struct vox_shm_hdr)) {
				void *p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
				if (p != MAP_FAILED) {
					struct vox_shm_hdr *h = p;
					if (h->magic == VOX_SHM_MAGIC &&
					    atomic_load_explicit(&h->ready, memory_order_acquire)) {
						if (their_abi)
							*their_abi = h->abi_version;
						if (h->abi_version != VOX_ABI_VERSION) {
							munmap(p, st.st_size);
							close(fd);
							return -EPROTONOSUPPORT;
						}
						if (!shm_valid_layout(h, (uint64_t)st.st_size)) {
							munmap(p, st.st_size);
							close(fd);
							return -EPROTO;
						}
						m->hdr = h;
						m->size = (uint64_t)st.st_size;
						m->fd = fd;
						return 0;
					}
					munmap(p, st.st_size);
				}
			}
			close(fd);
		} else if (wait_ms <= 0) {
			return -ENOENT;
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long el = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= wait_ms)
			return fd >= 0 ? -ETIMEDOUT : -ENOENT;
		usleep(20000);
	}
}

void vox_shm_unmap(struct vox_shm_map *m)
{
	if (m->hdr)
		munmap(m->hdr, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->hdr = NULL;
	m->fd = -1;
}
