/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_attach.c — attach to the shm file, hold it, notice when the dataplane goes, re-attach. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vox_rec.h"

#include "ctl_attach.h"
#include "ctl_pool.h"
#include "ctl_dp.h"
#include "ctl_legs.h"
#include "ctl_log.h"
#include "ctl_req.h"
#include "ctl_script.h"

#define TAG "attach"

int ctl_shm_open(struct ctl_shm *s, const char *path, int wait_ms, char *err, size_t errlen)
{
	uint32_t their_abi = 0;
	memset(s, 0, sizeof(*s));
	int rc = vox_shm_attach(&s->map, path, wait_ms, &their_abi);
	if (rc == -EPROTONOSUPPORT) {
		snprintf(err, errlen, "shm ABI version %u, this control was built for %u",
		         their_abi, VOX_ABI_VERSION);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "%s: %s", path,
		         rc == -EPROTO ? "not a valid voxplane shm file" : strerror(-rc));
		return rc;
	}
	struct vox_shm_hdr *h = s->map.hdr;
	if (flock(s->map.fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		uint32_t pid = atomic_load_explicit(&h->ctl.pid, memory_order_acquire);
		if (rc == -EWOULDBLOCK)
			snprintf(err, errlen, "another voxplane-control (pid %u) is attached to %s",
			         pid, path);
		else
			snprintf(err, errlen, "flock %s: %s", path, strerror(-rc));
		vox_shm_unmap(&s->map);
		return rc;
	}
	struct stat st;
	if (fstat(s->map.fd, &st) == 0) {
		s->dev = (uint64_t)st.st_dev;
		s->ino = (uint64_t)st.st_ino;
	}
	s->boot_id = h->boot_id;
	/* We are the only producer of command rings and the only consumer of event rings now:
	 * forget whatever a control killed mid-operation had reserved. */
	for (uint32_t w = 0; w < h->n_workers; w++) {
		vox_rec_reset_producer(vox_shm_cmd_ring(&s->map, w));
		vox_rec_reset_consumer(vox_shm_evt_ring(&s->map, w));
	}
	return 0;
}

void ctl_shm_close(struct ctl_shm *s)
{
	/* closing the fd releases the flock */
	if (s->map.hdr)
		vox_shm_unmap(&s->map);
	memset(s, 0, sizeof(*s));
	s->map.fd = -1;
}

uint32_t ctl_attach_rebuild_legs(struct ctl *c)
{
	const struct vox_shm_hdr *h = c->shm.map.hdr;
	uint32_t found = 0;
	ctl_legs_clear(c->legs);
	for (uint32_t w = 0; w < h->n_workers; w++)
		for (uint32_t s = 0; s < h->mirror_slots; s++) {
			struct vox_leg_mirror m;
			if (vox_mirror_read(vox_shm_mirror(&c->shm.map, w, s), &m, 1000) != 0) {
				/* the worker's events will tell us about it */
				c->cnt.mirror_busy++;
				continue;
			}
			if (m.state == VOX_LEG_FREE || !m.handle)
				continue;
			struct ctl_leg leg = {
			    .handle = m.handle,
			    .state = m.state,
			    .worker = (uint16_t)w,
			    .kind = (uint16_t)m.kind,
			    .created_ns = m.created_ns,
			};
			memcpy(leg.tag, m.tag, sizeof(leg.tag));
			int rc = ctl_legs_upsert(c->legs, &leg, NULL);
			if (rc == -ENOSPC)
				c->cnt.legs_full++;
			else if (rc >= 0)
				found++;
		}
	return found;
}

/* ---- the dataplane's socket: boot_id plus the eventfd ---- */

static void attach_on_evtfd(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct ctl *c = arg;
	uint64_t v;
	/* one read clears the counter; only one, so a blocking eventfd cannot stall the loop */
	ssize_t n = read(fd, &v, sizeof(v));
	(void)n;
	if (c->attached)
		ctl_dp_drain(c);
}

static void attach_close_dp(struct ctl *c)
{
	if (c->evt_fd >= 0) {
		ctl_loop_del_file(c->loop, c->evt_fd, CTL_LOOP_READ);
		close(c->evt_fd);
	}
	if (c->dp_fd >= 0) {
		ctl_loop_del_file(c->loop, c->dp_fd, CTL_LOOP_READ);
		close(c->dp_fd);
	}
	c->evt_fd = c->dp_fd = -1;
	c->dp_rx_len = 0;
}

static void attach_on_dp(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct ctl *c = arg;
	for (;;) {
		uint8_t data[64];
		union {
			char buf[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr align;
		} u;
		struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
		struct msghdr msg = {.msg_iov = &iov,
		                     .msg_iovlen = 1,
		                     .msg_control = u.buf,
		                     .msg_controllen = sizeof(u.buf)};
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			ctl_attach_detach(c, n == 0 ? "dataplane closed its socket"
			                            : "dataplane socket error");
			return;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			int nfd = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < nfd; i++) {
				int efd;
				memcpy(&efd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (c->evt_fd < 0 && ctl_loop_add_file(c->loop, efd, CTL_LOOP_READ,
				                                       attach_on_evtfd, c) == 0)
					c->evt_fd = efd;
				else
					close(efd);
			}
		}
		for (ssize_t i = 0; i < n && c->dp_rx_len < sizeof(c->dp_rx); i++)
			c->dp_rx[c->dp_rx_len++] = data[i];
		if (c->dp_rx_len == sizeof(c->dp_rx) && c->evt_fd >= 0) {
			uint64_t boot;
			memcpy(&boot, c->dp_rx, sizeof(boot));
			c->dp_rx_len++; /* handshake done; later bytes are ignored */
			if (boot != c->shm.boot_id) {
				ctl_attach_detach(c, "dataplane socket belongs to another boot");
				return;
			}
			CTL_INFO(TAG, "doorbell from dataplane boot %016llx (eventfd %d)",
			         (unsigned long long)boot, c->evt_fd);
			ctl_dp_update_drain(c);
		}
	}
}

/* Connect to the dataplane's socket. Stream or seqpacket: whichever the dataplane listens on. */
static int attach_connect_dp(struct ctl *c)
{
	static const int types[] = {SOCK_STREAM, SOCK_SEQPACKET};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(c->names.dp_sock) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, c->names.dp_sock);
	int rc = -ENOENT;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EINPROGRESS) {
			rc = ctl_loop_add_file(c->loop, fd, CTL_LOOP_READ, attach_on_dp, c);
			if (rc) {
				close(fd);
				return rc;
			}
			c->dp_fd = fd;
			c->dp_rx_len = 0;
			return 0;
		}
		rc = -errno;
		close(fd);
		if (rc != -EPROTOTYPE)
			break;
	}
	return rc;
}

/* ---- attach / detach ---- */

int ctl_attach_try(struct ctl *c)
{
	char err[256];
	int rc = ctl_shm_open(&c->shm, c->names.shm_path, 0, err, sizeof(err));
	if (rc == -EWOULDBLOCK || rc == -EPROTONOSUPPORT) {
		c->fatal = 1;
		snprintf(c->fatal_msg, sizeof(c->fatal_msg), "%s", err);
		CTL_ERR(TAG, "%s", err);
		return rc;
	}
	if (rc) {
		if (rc != -ENOENT && rc != -ETIMEDOUT)
			CTL_WARN(TAG, "%s", err);
		return rc;
	}
	struct vox_shm_hdr *h = c->shm.map.hdr;
	/* a file whose dataplane is leaving or gone is not worth attaching to: wait for the next */
	if (atomic_load_explicit(&h->stopping, memory_order_acquire) ||
	    !vox_pid_alive((int)h->dp_pid)) {
		ctl_shm_close(&c->shm);
		return -ESRCH;
	}
	c->attached = 1;
	c->cnt.attaches++;
	uint32_t legs = ctl_attach_rebuild_legs(c);
	atomic_store_explicit(&h->ctl.heartbeat_ms, c->cfg.heartbeat_ms, memory_order_relaxed);
	atomic_store_explicit(&h->ctl.heartbeat_ns, ctl_mono_ns(), memory_order_release);
	atomic_store_explicit(&h->ctl.pid, (uint32_t)getpid(), memory_order_release);
	atomic_store_explicit(&h->ctl.sleeping, 0, memory_order_seq_cst);
	uint64_t gen = atomic_fetch_add_explicit(&h->ctl.generation, 1, memory_order_acq_rel) + 1;
	CTL_INFO(TAG,
	         "attached to %s: boot_id %016llx, %u workers, dataplane pid %u, %u legs, "
	         "generation %llu",
	         c->names.shm_path, (unsigned long long)c->shm.boot_id, h->n_workers, h->dp_pid,
	         legs, (unsigned long long)gen);
	/* the media pool: formatted by the first control of a boot, adopted (rebuilt) after that */
	rc = ctl_pool_attach(&c->pool, h, 0, (uint32_t)c->shm.boot_id);
	if (rc)
		CTL_WARN(TAG, "media pool unusable (%s): no playout on this boot", strerror(-rc));
	rc = attach_connect_dp(c);
	if (rc)
		CTL_WARN(TAG, "no doorbell yet (%s: %s); polling until it appears",
		         c->names.dp_sock, strerror(-rc));
	ctl_dp_update_drain(c);
	if (c->calls_attach)
		c->calls_attach(c, 1); /* the call router resumes or ends the calls it persisted */
	return 0;
}

void ctl_attach_detach(struct ctl *c, const char *why)
{
	if (!c->attached)
		return;
	CTL_WARN(TAG, "detaching from dataplane boot %016llx: %s",
	         (unsigned long long)c->shm.boot_id, why);
	attach_close_dp(c);
	ctl_req_fail_all(c, "dataplane went away");
	ctl_dp_reset(c);
	ctl_script_reset(c);
	if (c->calls_attach)
		c->calls_attach(c, 0); /* the calls end: their legs are gone */
	ctl_legs_clear(c->legs);
	if (c->pool) {
		ctl_pool_detach(c->pool);
		c->pool = NULL;
	}
	ctl_shm_close(&c->shm);
	c->attached = 0;
	c->cnt.detaches++;
	c->start_ns = ctl_mono_ns(); /* "no dataplane after N ms" counts from here */
	c->wait_warned = 0;
	ctl_dp_update_drain(c);
	if (!c->attach_timer)
		ctl_attach_start(c);
}

int ctl_attach_check(struct ctl *c)
{
	if (!c->attached)
		return 0;
	const struct vox_shm_hdr *h = c->shm.map.hdr;
	struct stat st;
	const char *why = NULL;
	if (stat(c->names.shm_path, &st) != 0)
		why = "shm file removed";
	else if ((uint64_t)st.st_ino != c->shm.ino || (uint64_t)st.st_dev != c->shm.dev)
		why = "shm file replaced";
	else if (h->boot_id != c->shm.boot_id)
		why = "boot_id changed";
	else if (atomic_load_explicit(&h->stopping, memory_order_acquire))
		why = "dataplane is stopping";
	else if (!vox_pid_alive((int)h->dp_pid))
		why = "dataplane process is gone";
	if (!why)
		return 0;
	ctl_attach_detach(c, why);
	return -EPIPE;
}

/* ---- timers ---- */

static int64_t attach_heartbeat(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct ctl *c = arg;
	if (c->attached && ctl_attach_check(c) == 0) {
		struct vox_shm_hdr *h = c->shm.map.hdr;
		atomic_store_explicit(&h->ctl.heartbeat_ns, ctl_mono_ns(), memory_order_release);
		if (c->dp_fd < 0)
			attach_connect_dp(c);
		ctl_dp_drain(c); /* belt and braces: nothing waits longer than a heartbeat */
		if (c->pool)
			ctl_pool_reclaim(c->pool); /* retired clips whose readers all moved on */
	}
	return c->cfg.heartbeat_ms;
}

static int64_t attach_retry(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct ctl *c = arg;
	if (c->attached) {
		c->attach_timer = 0;
		return CTL_TIMER_STOP;
	}
	int rc = ctl_attach_try(c);
	if (rc == 0 || c->fatal) {
		c->attach_timer = 0;
		if (c->fatal)
			ctl_loop_stop(l);
		return CTL_TIMER_STOP;
	}
	uint64_t waited_ms = (ctl_mono_ns() - c->start_ns) / 1000000ull;
	if (!c->wait_warned && waited_ms >= c->cfg.attach_wait_ms) {
		c->wait_warned = 1;
		CTL_WARN(TAG, "no dataplane at %s after %llu ms; still waiting", c->names.shm_path,
		         (unsigned long long)waited_ms);
	}
	return c->cfg.attach_retry_ms;
}

int ctl_attach_start(struct ctl *c)
{
	if (!c->start_ns)
		c->start_ns = ctl_mono_ns();
	if (!c->hb_timer) {
		c->hb_timer = ctl_loop_add_timer(c->loop, c->cfg.heartbeat_ms, attach_heartbeat, c);
		if (!c->hb_timer)
			return -ENOMEM;
	}
	if (!c->attached && !c->attach_timer) {
		c->attach_timer = ctl_loop_add_timer(c->loop, 0, attach_retry, c);
		if (!c->attach_timer)
			return -ENOMEM;
	}
	return 0;
}

void ctl_attach_stop(struct ctl *c)
{
	if (c->attached) {
		atomic_store_explicit(&c->shm.map.hdr->ctl.pid, 0, memory_order_release);
		attach_close_dp(c);
		ctl_req_fail_all(c, "control is stopping");
		ctl_dp_reset(c);
		ctl_script_reset(c);
		ctl_legs_clear(c->legs);
		ctl_shm_close(&c->shm);
		c->attached = 0;
	}
	if (c->hb_timer)
		ctl_loop_del_timer(c->loop, c->hb_timer);
	if (c->attach_timer)
		ctl_loop_del_timer(c->loop, c->attach_timer);
	if (c->drain_timer)
		ctl_loop_del_timer(c->loop, c->drain_timer);
	c->hb_timer = c->attach_timer = c->drain_timer = 0;
}
