/* SPDX-License-Identifier: BSD-3-Clause */
/* fake_dp.c — stand-in dataplane for control's tests (see fake_dp.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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

/* A new mirror entry on worker w. Returns its handle, 0 when none is free. */
static uint64_t fake_leg_new(struct fake_dp *d, uint32_t w, uint32_t kind, uint32_t state)
{
	const struct vox_shm_hdr *h = d->map.hdr;
	for (uint32_t s = 0; s < h->mirror_slots; s++) {
		struct vox_leg_mirror *e = vox_shm_mirror(&d->map, w, s);
		if (e->state != VOX_LEG_FREE)
			continue;
		uint64_t handle = vox_handle_make(h->node_id, w, s, ++d->gen);
		vox_mirror_write_begin(e);
		e->state = state;
		e->handle = handle;
		e->kind = kind;
		e->created_ns = fake_ns(CLOCK_REALTIME);
		vox_mirror_write_end(e);
		atomic_fetch_add(&d->map.hdr->worker[w].legs_active, 1);
		return handle;
	}
	return 0;
}

/* The live mirror entry of leg on worker w, or NULL. */
static struct vox_leg_mirror *fake_leg_live(struct fake_dp *d, uint32_t w, uint64_t leg)
{
	uint32_t slot = vox_handle_slot(leg);
	struct vox_leg_mirror *e =
	    slot < d->map.hdr->mirror_slots ? vox_shm_mirror(&d->map, w, slot) : NULL;
	if (!e || e->state == VOX_LEG_FREE || e->handle != leg || vox_handle_lcore(leg) != w)
		return NULL;
	return e;
}

static void fake_leg_free(struct fake_dp *d, uint32_t w, struct vox_leg_mirror *e)
{
	vox_mirror_write_begin(e);
	e->state = VOX_LEG_FREE;
	e->handle = 0;
	vox_mirror_write_end(e);
	atomic_fetch_sub(&d->map.hdr->worker[w].legs_active, 1);
}

static void fake_leg_state(struct vox_leg_mirror *e, uint32_t state)
{
	vox_mirror_write_begin(e);
	e->state = state;
	vox_mirror_write_end(e);
}

uint64_t fake_dp_leg_create(struct fake_dp *d, uint32_t w, uint64_t req_id, int emit)
{
	uint64_t handle = fake_leg_new(d, w, VOX_LEG_KIND_LOOPBACK, VOX_LEG_CREATED);
	if (handle) {
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
	struct vox_leg_mirror *e = fake_leg_live(d, w, c->leg);
	if (!e) {
		fake_dp_emit(d, w, VOX_EVT_STALE_HANDLE, c->leg, c->req_id, c->type, 0, NULL, 0);
		return;
	}
	fake_leg_free(d, w, e);
	fake_dp_emit(d, w, VOX_EVT_LEG_ENDED, c->leg, c->req_id, VOX_CAUSE_CONTROL, 0, NULL, 0);
}

struct fake_end_job {
	uint64_t leg;
	int32_t cause;
	uint16_t code;
	int rc;
};

static void fake_end_job(struct fake_dp *d, void *arg)
{
	struct fake_end_job *j = arg;
	uint32_t w = vox_handle_lcore(j->leg);
	struct vox_leg_mirror *e = w < d->n_workers ? fake_leg_live(d, w, j->leg) : NULL;
	if (!e) {
		j->rc = -ENOENT;
		return;
	}
	fake_leg_free(d, w, e);
	struct vox_leg_sip ls = {.sip_code = j->code,
	                         .by = j->cause == VOX_CAUSE_REMOTE ? VOX_BY_REMOTE : VOX_BY_LOCAL};
	j->rc = fake_dp_emit(d, w, VOX_EVT_LEG_ENDED, j->leg, 0, j->cause, 0, &ls, sizeof(ls));
}

int fake_dp_leg_end(struct fake_dp *d, uint64_t leg, int32_t cause, uint16_t sip_code)
{
	struct fake_end_job j = {.leg = leg, .cause = cause, .code = sip_code};
	fake_dp_on_thread(d, fake_end_job, &j);
	return j.rc;
}

/* SIP commands about a live leg; anything else about a dead one is STALE_HANDLE. */
static void fake_sip_command(struct fake_dp *d, uint32_t w, const struct vox_rec_hdr *c,
                             const void *pl)
{
	struct vox_leg_mirror *e = fake_leg_live(d, w, c->leg);
	if (!e) {
		fake_dp_emit(d, w, VOX_EVT_STALE_HANDLE, c->leg, c->req_id, c->type, 0, NULL, 0);
		return;
	}
	struct vox_leg_sip ls = {.by = VOX_BY_LOCAL};
	switch (c->type) {
	case VOX_CMD_RING:
		fake_leg_state(e, VOX_LEG_RINGING);
		ls.sip_code = (uint16_t)c->status;
		fake_dp_emit(d, w, VOX_EVT_LEG_PROGRESS, c->leg, 0, c->status, 0, &ls, sizeof(ls));
		break;
	case VOX_CMD_ANSWER:
		fake_leg_state(e, VOX_LEG_ANSWERED);
		ls.sip_code = 200;
		ls.answered_ns = fake_ns(CLOCK_REALTIME);
		fake_dp_emit(d, w, VOX_EVT_LEG_ANSWERED, c->leg, 0, 200, 0, &ls, sizeof(ls));
		break;
	case VOX_CMD_REJECT:
	case VOX_CMD_HANGUP:
		if (c->type == VOX_CMD_REJECT && c->len >= sizeof(struct vox_sip_reply)) {
			struct vox_sip_reply r;
			memcpy(&r, pl, sizeof(r));
			ls.sip_code = r.code;
		}
		fake_leg_free(d, w, e);
		fake_dp_emit(d, w, VOX_EVT_LEG_ENDED, c->leg, 0, VOX_CAUSE_CONTROL, 0, &ls,
		             sizeof(ls));
		break;
	}
}

static void fake_dial(struct fake_dp *d, uint32_t w, const struct vox_rec_hdr *c)
{
	int mode = atomic_load(&d->dial_mode);
	uint64_t leg =
	    mode == FAKE_DIAL_FAIL ? 0 : fake_leg_new(d, w, VOX_LEG_KIND_SIP_OUT, VOX_LEG_DIALING);
	if (!leg) {
		fake_dp_emit(d, w, VOX_EVT_LEG_FAILED, 0, c->req_id, VOX_CAUSE_NO_RESOURCES, 0,
		             NULL, 0);
		return;
	}
	struct vox_leg_create lc = {.kind = VOX_LEG_KIND_SIP_OUT};
	fake_dp_emit(d, w, VOX_EVT_LEG_CREATED, leg, c->req_id, 0, 0, &lc, sizeof(lc));
	if (mode == FAKE_DIAL_ANSWER) {
		struct vox_leg_sip ls = {.sip_code = 200, .answered_ns = fake_ns(CLOCK_REALTIME)};
		fake_leg_state(fake_leg_live(d, w, leg), VOX_LEG_ANSWERED);
		fake_dp_emit(d, w, VOX_EVT_LEG_ANSWERED, leg, 0, 200, 0, &ls, sizeof(ls));
	}
}

static void fake_log(struct fake_dp *d, const struct vox_rec_hdr *c, const void *pl)
{
	uint32_t n = atomic_load_explicit(&d->n_log, memory_order_relaxed);
	if (n >= FAKE_DP_LOG)
		return;
	struct fake_dp_cmd *e = &d->log[n];
	e->h = *c;
	e->mono_ns = fake_ns(CLOCK_MONOTONIC);
	memcpy(e->payload, pl, c->len < FAKE_DP_LOG_PAYLOAD ? c->len : FAKE_DP_LOG_PAYLOAD);
	atomic_store_explicit(&d->n_log, n + 1, memory_order_release);
}

static void fake_command(struct fake_dp *d, uint32_t w, const void *buf)
{
	const struct vox_rec_hdr *c = buf;
	const void *pl = vox_rec_payload(buf);
	d->cmds++;
	fake_log(d, c, pl);
	switch (c->type) {
	case VOX_CMD_RING:
	case VOX_CMD_ANSWER:
	case VOX_CMD_REJECT:
	case VOX_CMD_HANGUP:
		fake_sip_command(d, w, c, pl);
		break;
	case VOX_CMD_DIAL:
		fake_dial(d, w, c);
		break;
	case VOX_CMD_SET_DEADLINE:
	case VOX_CMD_RESPOND:
	case VOX_CMD_CANCEL_LEG:
		break;
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
		struct fake_dp_job *j = atomic_load(&d->job);
		if (j) {
			j->fn(d, j->arg);
			atomic_store(&d->job, NULL);
		}
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

/* ---- SIP events ---- */

/* [s, e) trimmed of blanks. */
static void fake_trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static struct vox_pstr fake_slice(const char *raw, const char *s, const char *e)
{
	struct vox_pstr p = {(uint16_t)(s - raw), (uint16_t)(e - s)};
	return e > s ? p : (struct vox_pstr){0, 0};
}

/* The user part of the first sip:/sips: URI in [s, e). */
static struct vox_pstr fake_uri_user(const char *raw, const char *s, const char *e)
{
	for (const char *p = s; p + 4 <= e; p++) {
		const char *u = !strncmp(p, "sip:", 4)    ? p + 4
		                : !strncmp(p, "sips:", 5) ? p + 5
		                                          : NULL;
		if (!u)
			continue;
		const char *q = u;
		while (q < e && *q != '@' && *q != '>' && *q != ';')
			q++;
		return q < e && *q == '@' ? fake_slice(raw, u, q) : (struct vox_pstr){0, 0};
	}
	return (struct vox_pstr){0, 0};
}

static int fake_hname(const char *s, size_t l, const char *full, char compact)
{
	return (l == strlen(full) && !strncasecmp(s, full, l)) ||
	       (compact && l == 1 && (*s | 0x20) == compact);
}

uint32_t fake_dp_sip_in(const char *raw, uint32_t txn, void *buf, uint32_t cap)
{
	uint32_t len = (uint32_t)strlen(raw);
	struct vox_sip_in si = {.txn = txn, .raw_len = len};
	if (sizeof(si) + len > cap)
		return 0;
	si.src.family = si.dst.family = VOX_AF_INET;
	memcpy(si.src.addr, "\xc0\x00\x02\x0a", 4); /* 192.0.2.10:5060 */
	si.src.port = 5060;
	memcpy(si.dst.addr, "\xc0\x00\x02\x01", 4);
	si.dst.port = 5060;
	si.method = !strncmp(raw, "INVITE ", 7) ? 1 : 2;
	const char *end = raw + len;
	const char *eol = strstr(raw, "\r\n");
	if (!eol)
		eol = end;
	/* request line: METHOD SP Request-URI SP SIP/2.0 */
	const char *u = memchr(raw, ' ', (size_t)(eol - raw));
	const char *ue = u ? memchr(u + 1, ' ', (size_t)(eol - u - 1)) : NULL;
	if (u && ue) {
		si.f[VOX_SF_RURI] = fake_slice(raw, u + 1, ue);
		si.f[VOX_SF_RURI_USER] = fake_uri_user(raw, u + 1, ue);
	}
	for (const char *l = eol + 2; l < end;) {
		const char *le = strstr(l, "\r\n");
		if (!le)
			le = end;
		if (le == l) { /* blank line: the body follows */
			si.f[VOX_SF_BODY] = fake_slice(raw, le + 2, end);
			if (le + 2 < end)
				si.flags |= VOX_SIPF_SDP;
			break;
		}
		const char *colon = memchr(l, ':', (size_t)(le - l));
		if (colon) {
			const char *ns = l, *ne = colon, *vs = colon + 1, *ve = le;
			fake_trim(&ns, &ne);
			fake_trim(&vs, &ve);
			size_t nl = (size_t)(ne - ns);
			if (fake_hname(ns, nl, "From", 'f')) {
				si.f[VOX_SF_FROM] = fake_slice(raw, vs, ve);
				si.f[VOX_SF_FROM_USER] = fake_uri_user(raw, vs, ve);
				if (*vs == '"') {
					const char *q = memchr(vs + 1, '"', (size_t)(ve - vs - 1));
					if (q)
						si.f[VOX_SF_FROM_DISPLAY] =
						    fake_slice(raw, vs + 1, q);
				}
			} else if (fake_hname(ns, nl, "To", 't')) {
				si.f[VOX_SF_TO] = fake_slice(raw, vs, ve);
				si.f[VOX_SF_TO_USER] = fake_uri_user(raw, vs, ve);
			} else if (fake_hname(ns, nl, "Call-ID", 'i')) {
				si.f[VOX_SF_CALL_ID] = fake_slice(raw, vs, ve);
			} else if (fake_hname(ns, nl, "Contact", 'm')) {
				si.f[VOX_SF_CONTACT] = fake_slice(raw, vs, ve);
			} else if (fake_hname(ns, nl, "User-Agent", 0)) {
				si.f[VOX_SF_USER_AGENT] = fake_slice(raw, vs, ve);
			} else if (fake_hname(ns, nl, "Content-Type", 'c')) {
				si.f[VOX_SF_CTYPE] = fake_slice(raw, vs, ve);
			}
		}
		l = le + 2;
	}
	memcpy(buf, &si, sizeof(si));
	memcpy((char *)buf + sizeof(si), raw, len);
	return (uint32_t)sizeof(si) + len;
}

void fake_dp_on_thread(struct fake_dp *d, void (*fn)(struct fake_dp *d, void *arg), void *arg)
{
	if (!d->running || pthread_equal(pthread_self(), d->thr)) {
		fn(d, arg);
		return;
	}
	struct fake_dp_job j = {fn, arg};
	atomic_store(&d->job, &j);
	while (atomic_load(&d->job))
		usleep(20);
}

struct fake_sip_job {
	uint32_t w, txn;
	uint64_t leg; /* in: request's leg / leg to end; out: offered leg */
	const char *raw;
	int rc;
};

static void fake_offer_job(struct fake_dp *d, void *arg)
{
	struct fake_sip_job *j = arg;
	static _Thread_local unsigned char buf[VOX_REC_MAX_PAYLOAD];
	uint32_t len = fake_dp_sip_in(j->raw, 0, buf, sizeof(buf));
	j->leg = len ? fake_leg_new(d, j->w, VOX_LEG_KIND_SIP_IN, VOX_LEG_OFFERED) : 0;
	if (j->leg)
		fake_dp_emit(d, j->w, VOX_EVT_LEG_OFFERED, j->leg, 0, 0, 0, buf, len);
}

uint64_t fake_dp_sip_offer(struct fake_dp *d, uint32_t w, const char *raw_invite)
{
	struct fake_sip_job j = {.w = w, .raw = raw_invite};
	fake_dp_on_thread(d, fake_offer_job, &j);
	return j.leg;
}

static void fake_request_job(struct fake_dp *d, void *arg)
{
	struct fake_sip_job *j = arg;
	static _Thread_local unsigned char buf[VOX_REC_MAX_PAYLOAD];
	uint32_t len = fake_dp_sip_in(j->raw, j->txn, buf, sizeof(buf));
	j->rc =
	    len ? fake_dp_emit(d, j->w, VOX_EVT_SIP_REQUEST, j->leg, 0, 0, 0, buf, len) : -EMSGSIZE;
}

int fake_dp_sip_request(struct fake_dp *d, uint32_t w, uint64_t leg, const char *raw, uint32_t txn)
{
	struct fake_sip_job j = {.w = w, .leg = leg, .raw = raw, .txn = txn};
	fake_dp_on_thread(d, fake_request_job, &j);
	return j.rc;
}
