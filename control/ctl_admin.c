/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_admin.c — the admin socket: listener, bounded clients, line framing, ordered answers. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_admin.h"
#include "ctl_log.h"

#define TAG "admin"
#define CTL_ADMIN_OUT_MAX (64u << 20) /* a client that reads nothing is dropped past this */

struct ctl_admin_client {
	int fd;      /* -1: free */
	uint64_t id; /* unique for the process lifetime; pending answers name it */
	int waiting; /* a request of this client waits for the dataplane */
	int closing; /* close once the output is flushed */
	char *in;    /* admin_line_max + 1 bytes */
	uint32_t in_len;
	char *out;
	size_t out_len, out_off, out_cap;
};

struct ctl_admin {
	struct ctl *c;
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_admin_client *cl;
	uint32_t n_cl;
	uint64_t next_id;
};

static void admin_on_client(struct ctl_loop *l, int fd, void *arg, int mask);

static void admin_drop(struct ctl_admin *a, struct ctl_admin_client *cl)
{
	if (cl->fd < 0)
		return;
	ctl_loop_del_file(a->c->loop, cl->fd, CTL_LOOP_READ | CTL_LOOP_WRITE);
	close(cl->fd);
	free(cl->in);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

static struct ctl_admin_client *admin_find(struct ctl_admin *a, uint64_t id)
{
	for (uint32_t i = 0; i < a->n_cl; i++)
		if (a->cl[i].fd >= 0 && a->cl[i].id == id)
			return &a->cl[i];
	return NULL;
}

/* Write what we can; watch for writability while something is left. */
static int admin_flush(struct ctl_admin *a, struct ctl_admin_client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			ctl_loop_add_file(a->c->loop, cl->fd, CTL_LOOP_WRITE, admin_on_client, a);
			return 0;
		}
		if (n <= 0)
			return -EPIPE;
		cl->out_off += (size_t)n;
	}
	cl->out_off = cl->out_len = 0;
	ctl_loop_del_file(a->c->loop, cl->fd, CTL_LOOP_WRITE);
	/* closing: once every buffered request is answered */
	if (cl->closing && !cl->waiting && !memchr(cl->in, '\n', cl->in_len))
		return -EPIPE;
	return 0;
}

static int admin_queue(struct ctl_admin_client *cl, const char *s, size_t len)
{
	if (cl->out_len + len > CTL_ADMIN_OUT_MAX)
		return -ENOBUFS;
	if (cl->out_len + len > cl->out_cap) {
		size_t cap = cl->out_cap ? cl->out_cap : 4096;
		while (cap < cl->out_len + len)
			cap *= 2;
		char *p = realloc(cl->out, cap);
		if (!p)
			return -ENOMEM;
		cl->out = p;
		cl->out_cap = cap;
	}
	memcpy(cl->out + cl->out_len, s, len);
	cl->out_len += len;
	return 0;
}

/* Queue one answer line and try to send it. Returns 0, or -EPIPE when the client was dropped. */
static int admin_answer(struct ctl_admin *a, struct ctl_admin_client *cl, json_t *reply)
{
	char *s = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	int rc = s ? admin_queue(cl, s, strlen(s)) : -ENOMEM;
	if (rc == 0)
		rc = admin_queue(cl, "\n", 1);
	free(s);
	if (rc == 0)
		rc = admin_flush(a, cl);
	if (rc) {
		admin_drop(a, cl);
		return -EPIPE;
	}
	return 0;
}

/* Run the complete lines in the input buffer, one at a time, stopping while one waits. */
static void admin_process(struct ctl_admin *a, struct ctl_admin_client *cl)
{
	while (!cl->waiting && cl->fd >= 0) {
		char *nl = memchr(cl->in, '\n', cl->in_len);
		if (!nl)
			return;
		*nl = 0;
		size_t used = (size_t)(nl - cl->in) + 1;
		char line[cl->in_len + 1];
		memcpy(line, cl->in, used);
		memmove(cl->in, cl->in + used, cl->in_len - used);
		cl->in_len -= (uint32_t)used;
		cl->waiting = 1; /* set before exec: the answer may arrive inside it */
		uint64_t id = cl->id;
		json_t *ans = ctl_admin_exec(a->c, id, line);
		cl = admin_find(a, id);
		if (!cl)
			return;
		if (ans) {
			cl->waiting = 0;
			if (admin_answer(a, cl, ans) != 0)
				return;
		}
	}
}

void ctl_admin_reply(struct ctl_admin *a, uint64_t client, json_t *reply)
{
	struct ctl_admin_client *cl = admin_find(a, client);
	if (!cl) {
		json_decref(reply); /* the client left before its answer came */
		return;
	}
	cl->waiting = 0;
	if (admin_answer(a, cl, reply) != 0)
		return;
	admin_process(a, cl);
	cl = admin_find(a, client);
	if (cl && !cl->waiting && !cl->closing)
		ctl_loop_add_file(a->c->loop, cl->fd, CTL_LOOP_READ, admin_on_client, a);
}

static void admin_on_client(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct ctl_admin *a = arg;
	struct ctl_admin_client *cl = NULL;
	for (uint32_t i = 0; i < a->n_cl; i++)
		if (a->cl[i].fd == fd)
			cl = &a->cl[i];
	if (!cl)
		return;
	if ((mask & CTL_LOOP_WRITE) && admin_flush(a, cl) != 0) {
		admin_drop(a, cl);
		return;
	}
	if (!(mask & CTL_LOOP_READ) || cl->closing)
		return;
	uint32_t cap = a->c->cfg.admin_line_max;
	for (;;) {
		if (cl->in_len >= cap) {
			if (memchr(cl->in, '\n', cl->in_len))
				break; /* waiting for an answer with input buffered: stop reading */
			cl->closing = 1;
			ctl_loop_del_file(l, fd, CTL_LOOP_READ);
			char msg[80];
			snprintf(msg, sizeof(msg), "request line longer than %u bytes", cap);
			admin_answer(a, cl, json_pack("{s:s}", "error", msg));
			return;
		}
		ssize_t n = recv(fd, cl->in + cl->in_len, cap - cl->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n == 0 && cl->in_len > 0 && !memchr(cl->in, '\n', cl->in_len)) {
			/* `echo -n status | nc -U`: the last request ends at EOF. Answer it,
			 * then close. */
			cl->in[cl->in_len++] = '\n';
			cl->closing = 1;
			ctl_loop_del_file(l, fd, CTL_LOOP_READ);
			break;
		}
		if (n <= 0) {
			admin_drop(a, cl);
			return;
		}
		cl->in_len += (uint32_t)n;
		if (memchr(cl->in + cl->in_len - n, '\n', (size_t)n))
			break;
	}
	uint64_t id = cl->id;
	admin_process(a, cl);
	/* while a request waits, stop reading (its later requests stay in the kernel buffer) */
	cl = admin_find(a, id);
	if (cl && (cl->waiting || cl->closing))
		ctl_loop_del_file(l, fd, CTL_LOOP_READ);
	else if (cl)
		ctl_loop_add_file(l, fd, CTL_LOOP_READ, admin_on_client, a);
}

static void admin_on_accept(struct ctl_loop *l, int lfd, void *arg, int mask)
{
	struct ctl_admin *a = arg;
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct ctl_admin_client *cl = NULL;
		for (uint32_t i = 0; i < a->n_cl && !cl; i++)
			if (a->cl[i].fd < 0)
				cl = &a->cl[i];
		static const char full[] = "{\"error\":\"too many admin clients\"}\n";
		if (!cl || !(cl->in = malloc(a->c->cfg.admin_line_max + 1)) ||
		    ctl_loop_add_file(l, fd, CTL_LOOP_READ, admin_on_client, a) != 0) {
			ssize_t w = send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)w;
			if (cl) {
				free(cl->in);
				cl->in = NULL;
			}
			close(fd);
			CTL_WARN(TAG, "refused an admin client: %u connected", a->n_cl);
			continue;
		}
		cl->fd = fd;
		cl->id = ++a->next_id;
	}
}

int ctl_admin_open(struct ctl_admin **out, struct ctl *c)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(c->names.ctl_sock) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	int rc = ctl_mkdirs(c->names.run_dir);
	if (rc)
		return rc;
	struct ctl_admin *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->c = c;
	a->lfd = -1;
	a->n_cl = c->cfg.admin_clients;
	a->cl = calloc(a->n_cl, sizeof(*a->cl));
	rc = -ENOMEM;
	if (!a->cl)
		goto out;
	for (uint32_t i = 0; i < a->n_cl; i++)
		a->cl[i].fd = -1;
	strcpy(sa.sun_path, c->names.ctl_sock);
	strcpy(a->path, sa.sun_path);
	a->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->lfd < 0) {
		rc = -errno;
		goto out;
	}
	/* the pid file check in main made sure no live control owns it */
	unlink(sa.sun_path);
	if (bind(a->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(sa.sun_path, 0660) != 0 || listen(a->lfd, 64) != 0) {
		rc = -errno;
		goto out;
	}
	rc = ctl_loop_add_file(c->loop, a->lfd, CTL_LOOP_READ, admin_on_accept, a);
	if (rc)
		goto out;
	*out = a;
	return 0;
out:
	if (a->lfd >= 0) {
		close(a->lfd);
		unlink(a->path);
	}
	free(a->cl);
	free(a);
	return rc;
}

void ctl_admin_close(struct ctl_admin *a)
{
	if (!a)
		return;
	for (uint32_t i = 0; i < a->n_cl; i++)
		admin_drop(a, &a->cl[i]);
	ctl_loop_del_file(a->c->loop, a->lfd, CTL_LOOP_READ);
	close(a->lfd);
	unlink(a->path);
	free(a->cl);
	free(a);
}
