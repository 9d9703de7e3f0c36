/* SPDX-License-Identifier: BSD-3-Clause */
/* fake_dp.c — stand-in dataplane for control's tests (see fake_dp.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vox_rec.h"

#include "fake_dp.h"

static uint64_t fake_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int fake_dp_emit(struct fake_dp *d, uint32_t w, uint16_t type, uint64_t leg, uint64_t req_id,
                 int32_t status, uint16_t flags, const void *payload, uint32_t len)
{
	struct vox_shm_worker *wk = &d->map.hdr->worker[w];
	struct vox_rec_hdr h = {
	    .type = type,
	    .flags = flags,
	    .worker = (uint16_t)w,
	    .status = status,
	    .leg = leg,
	    .req_id = req_id,
	    .ts_ns = fake_ns(CLOCK_REALTIME),
	};
	h.seq = atomic_load(&wk->evt_seq) + 1;
	int rc =
	    vox_rec_send(vox_shm_evt_ring(&d->map, w), &h, payload, len, VOX_REC_MAX_PAYLOAD, NULL);
	if (rc == 0) {
		atomic_store(&wk->evt_seq, h.seq);
		d->evts++;
	}
	return rc;
}

static void fake_ring_doorbell(struct fake_dp *d)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_exchange(&d->map.hdr->ctl.sleeping, 0)) {
		uint64_t one = 1;
		if (write(d->evfd, &one, sizeof(one)) == sizeof(one))
			d->wakeups++;
	}
}

uint64_t fake_dp_leg_create(struct fake_dp *d, uint32_t w, uint64_t req_id, int emit)
{
	const struct vox_shm_hdr *h = d->map.hdr;
	for (uint32_t s = 0; s < h->mirror_slots; s++) {
		struct vox_leg_mirror *e = vox_shm_mirror(&d->map, w, s);
		if (e->state != VOX_LEG_FREE)
			continue;
		uint64_t handle = vox_handle_make(h->node_id, w, s, ++d->gen);
		vox_mirror_write_begin(e);
		e->state = VOX_LEG_CREATED;
		e->handle = handle;
		e->kind = VOX_LEG_KIND_LOOPBACK;
		e->created_ns = fake_ns(CLOCK_REALTIME);
		vox_mirror_write_end(e);
		atomic_fetch_add(&d->map.hdr->worker[w].legs_active, 1);
		if (emit) {
			struct vox_leg_create lc = {.kind = VOX_LEG_KIND_LOOPBACK};
			fake_dp_emit(d, w, VOX_EVT_LEG_CREATED, handle, req_id, 0, 0, &lc,
			             sizeof(lc));
		}
		return handle;
	}
	if (emit)
		fake_dp_emit(d, w, VOX_EVT_LEG_FAILED, 0, req_id, VOX_CAUSE_NO_RESOURCES, 0, NULL,
		             0);
	return 0;
}

static void fake_leg_end(struct fake_dp *d, uint32_t w, const struct vox_rec_hdr *c)
{
	uint32_t slot = vox_handle_slot(c->leg);
	struct vox_leg_mirror *e =
	    slot < d->map.hdr->mirror_slots ? vox_shm_mirror(&d->map, w, slot) : NULL;
	if (!e || e->state == VOX_LEG_FREE || e->handle != c->leg ||
	    vox_handle_lcore(c->leg) != w) {
		fake_dp_emit(d, w, VOX_EVT_STALE_HANDLE, c->leg, c->req_id, c->type, 0, NULL, 0);
		return;
	}
	vox_mirror_write_begin(e);
	e->state = VOX_LEG_FREE;
	e->handle = 0;
	vox_mirror_write_end(e);
	atomic_fetch_sub(&d->map.hdr->worker[w].legs_active, 1);
	fake_dp_emit(d, w, VOX_EVT_LEG_ENDED, c->leg, c->req_id, VOX_CAUSE_CONTROL, 0, NULL, 0);
}

static void fake_command(struct fake_dp *d, uint32_t w, const void *buf)
{
	const struct vox_rec_hdr *c = buf;
	const void *pl = vox_rec_payload(buf);
	d->cmds++;
	switch (c->type) {
	case VOX_CMD_PING: {
		struct vox_ping p = {0};
		memcpy(&p, pl, c->len < sizeof(p) ? c->len : sizeof(p));
		p.dp_recv_ns = fake_ns(CLOCK_MONOTONIC);
		fake_dp_emit(d, w, VOX_EVT_PONG, 0, c->req_id, 0, 0, &p, sizeof(p));
		break;
	}
	case VOX_CMD_LEG_CREATE:
		fake_dp_leg_create(d, w, c->req_id, 1);
		break;
	case VOX_CMD_LEG_END:
		fake_leg_end(d, w, c);
		break;
	case VOX_CMD_DIAG_BURST:
		for (int32_t i = 0; i < c->status; i++)
			fake_dp_leg_create(d, w, c->req_id + (uint64_t)i, 1);
		break;
	default:
		fake_dp_emit(d, w, VOX_EVT_BAD_COMMAND, c->leg, c->req_id, -ENOTSUP, 0, NULL, 0);
	}
}

static void fake_serve_socket(struct fake_dp *d)
{
	int fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	uint64_t boot = d->map.hdr->boot_id;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = &boot, .iov_len = sizeof(boot)};
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = u.buf,
	                     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &d->evfd, sizeof(int));
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) != sizeof(boot))
		perror("fake_dp: sendmsg");
	/* keep the connection open until we stop: its EOF tells control we are gone */
	if (d->n_conns < (int)(sizeof(d->conns) / sizeof(d->conns[0])))
		d->conns[d->n_conns++] = fd;
	else
		close(fd);
}

static void *fake_thread(void *arg)
{
	struct fake_dp *d = arg;
	_Alignas(64) unsigned char buf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
	while (!atomic_load(&d->stop)) {
		if (d->lfd >= 0)
			fake_serve_socket(d);
		uint64_t before = d->evts;
		if (!atomic_load(&d->paused))
			for (uint32_t w = 0; w < d->n_workers; w++) {
				struct rte_ring *r = vox_shm_cmd_ring(&d->map, w);
				for (int n = 0;
				     n < 64 && vox_rec_recv(r, buf, VOX_REC_MAX_SLOTS) > 0; n++)
					fake_command(d, w, buf);
			}
		for (uint32_t w = 0; w < d->n_workers; w++)
			atomic_store(&d->map.hdr->worker[w].loop_ns, fake_ns(CLOCK_MONOTONIC));
		/* the protocol: ring at most once per turn, only if events went out */
		if (d->evts != before || vox_rec_ring_count(vox_shm_evt_ring(&d->map, 0)))
			fake_ring_doorbell(d);
		usleep(50);
	}
	return NULL;
}

int fake_dp_start(struct fake_dp *d, const char *id, const char *run_base,
                  const struct fake_dp_opts *o)
{
	memset(d, 0, sizeof(*d));
	d->evfd = d->lfd = -1;
	int rc = vox_names_init(&d->names, id, run_base);
	if (rc)
		return rc;
	struct vox_shm_params p = {
	    .n_workers = o->n_workers ? o->n_workers : 2,
	    .cmd_ring_slots = o->cmd_slots ? o->cmd_slots : 1024,
	    .evt_ring_slots = o->evt_slots ? o->evt_slots : 1024,
	    .bulk_ring_bytes = 1 << 16,
	    .mirror_slots = o->mirror_slots ? o->mirror_slots : 256,
	    .max_sip_bytes = 4096,
	    .pool_bytes = 1 << 16,
	};
	d->n_workers = p.n_workers;
	rc = vox_shm_create(&d->map, d->names.shm_path, &p);
	if (rc)
		return rc;
	d->gen = (uint32_t)d->map.hdr->boot_id & 0xfff;
	for (uint32_t w = 0; w < d->n_workers; w++)
		atomic_store(&d->map.hdr->worker[w].lcore_id, w + 1);
	d->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (o->with_socket) {
		mkdir(run_base, 0755);
		mkdir(d->names.run_dir, 0755);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		if (strlen(d->names.dp_sock) >= sizeof(sa.sun_path))
			return -ENAMETOOLONG;
		memcpy(sa.sun_path, d->names.dp_sock, strlen(d->names.dp_sock) + 1);
		unlink(sa.sun_path);
		d->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (d->lfd < 0 || bind(d->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    listen(d->lfd, 4) != 0)
			return -errno;
	}
	vox_shm_publish(&d->map);
	if (pthread_create(&d->thr, NULL, fake_thread, d) != 0)
		return -EAGAIN;
	d->running = 1;
	return 0;
}

void fake_dp_stop(struct fake_dp *d, int unlink_file)
{
	if (d->running) {
		atomic_store(&d->stop, 1);
		pthread_join(d->thr, NULL);
		d->running = 0;
	}
	for (int i = 0; i < d->n_conns; i++)
		close(d->conns[i]);
	d->n_conns = 0;
	if (d->lfd >= 0) {
		close(d->lfd);
		unlink(d->names.dp_sock);
		d->lfd = -1;
	}
	if (unlink_file) {
		if (d->map.hdr)
			atomic_store(&d->map.hdr->stopping, 1);
		unlink(d->names.shm_path);
	}
	if (d->map.hdr)
		vox_shm_unmap(&d->map);
	if (d->evfd >= 0)
		close(d->evfd);
	d->evfd = -1;
}
