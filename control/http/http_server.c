/* SPDX-License-Identifier: BSD-3-Clause */
/* http_server.c — the listener: libmicrohttpd in external-epoll mode inside control's loop. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_log.h"
#include "ctl_loop.h"
#include "http_priv.h"

#define TAG "http"

/*
 * MHD runs without threads of its own (no MHD_USE_INTERNAL_POLLING_THREAD): it keeps its
 * connections in an epoll set of its own, whose fd we watch in ctl_loop. When that fd is
 * readable, or when the timer MHD_get_timeout asks for is due, MHD_run does one non-blocking
 * pass. A request whose answer waits is suspended (MHD_suspend_connection); the answer resumes
 * it and kicks a pass.
 */

static int64_t srv_on_timer(struct ctl_loop *l, uint64_t id, void *arg);

static void srv_arm(struct http_server *s)
{
	MHD_UNSIGNED_LONG_LONG to = 0;
	int64_t ms = 1000;
	if (MHD_get_timeout(s->d, &to) == MHD_YES)
		ms = to < 1000 ? (int64_t)to : 1000;
	if (s->timer)
		ctl_loop_del_timer(s->loop, s->timer);
	s->timer = ctl_loop_add_timer(s->loop, ms, srv_on_timer, s);
}

static void srv_run(struct http_server *s)
{
	MHD_run(s->d);
	srv_arm(s);
}

static int64_t srv_on_timer(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct http_server *s = arg;
	s->timer = 0;
	srv_run(s);
	return CTL_TIMER_STOP;
}

static void srv_on_epoll(struct ctl_loop *l, int fd, void *arg, int mask)
{
	srv_run(arg);
}

void http_server_kick(struct http_server *s)
{
	if (s->timer)
		ctl_loop_del_timer(s->loop, s->timer);
	s->timer = ctl_loop_add_timer(s->loop, 0, srv_on_timer, s);
}

static void srv_pending_unlink(struct http_req *r)
{
	struct http_server *s = r->s;
	if (r->prev_pending)
		r->prev_pending->next_pending = r->next_pending;
	else if (s->pending == r)
		s->pending = r->next_pending;
	if (r->next_pending)
		r->next_pending->prev_pending = r->prev_pending;
	r->next_pending = r->prev_pending = NULL;
	s->npending--;
}

static void srv_req_free(struct http_req *r)
{
	if (r->state == REQ_PENDING)
		srv_pending_unlink(r);
	if (r->resp)
		MHD_destroy_response(r->resp);
	http_req_free_args(r);
	for (int i = 0; i < r->ncap; i++)
		free(r->cap_val[i]);
	free(r->path);
	free(r->body);
	free(r);
}

/* Queue the response made for r. */
static enum MHD_Result srv_queue(struct http_req *r)
{
	enum MHD_Result ok = MHD_queue_response(r->conn, r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	r->state = REQ_QUEUED;
	r->s->cnt.responses++;
	return ok;
}

static enum MHD_Result srv_access(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct http_server *s = cls;
	struct http_req *r = *con_cls;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->s = s;
		r->conn = conn;
		snprintf(r->method, sizeof(r->method), "%s", method);
		r->path = strdup(url);
		*con_cls = r;
		s->cnt.requests++;
		if (!r->path)
			return MHD_NO;
		const char *cl =
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > s->max_body) {
			/* refuse before reading the body: MHD closes the connection after */
			r->too_large = 1;
			s->cnt.too_large++;
			char msg[96];
			snprintf(msg, sizeof(msg), "request body over %u bytes", s->max_body);
			http_respond_error(r, 413, 20001, msg);
			return srv_queue(r);
		}
		return MHD_YES;
	}
	if (r->state == REQ_QUEUED) { /* answered early (413): the rest of the body is dropped */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (r->too_large)
			return MHD_YES;
		if (r->body_len + n > s->max_body) {
			r->too_large = 1;
			s->cnt.too_large++;
			return MHD_YES;
		}
		if (r->body_len + n + 1 > r->body_cap) {
			size_t cap = r->body_cap ? r->body_cap : 1024;
			while (cap < r->body_len + n + 1)
				cap *= 2;
			char *b = realloc(r->body, cap);
			if (!b)
				return MHD_NO;
			r->body = b;
			r->body_cap = cap;
		}
		memcpy(r->body + r->body_len, upload_data, n);
		r->body_len += n;
		r->body[r->body_len] = 0;
		return MHD_YES;
	}
	/* the request is complete */
	if (r->state == REQ_ANSWERED)
		return srv_queue(r); /* a pending answer, resumed */
	if (r->state == REQ_PENDING)
		return MHD_YES; /* spurious: still waiting */
	if (r->too_large) {
		char msg[96];
		snprintf(msg, sizeof(msg), "request body over %u bytes", s->max_body);
		http_respond_error(r, 413, 20001, msg);
		return srv_queue(r);
	}
	http_route_dispatch(r);
	if (r->state == REQ_ANSWERED)
		return srv_queue(r);
	if (r->state == REQ_PENDING)
		return MHD_YES; /* suspended by http_route_dispatch */
	http_respond_error(r, 500, 20500, "handler gave no answer");
	return srv_queue(r);
}

static void srv_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                          enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	if (r->state == REQ_PENDING && r->on_abort) {
		r->s->cnt.aborted_pending++;
		r->on_abort(r, r->abort_arg);
	}
	srv_req_free(r);
}

/* MHD's messages are mostly per connection (a client gone mid-answer): at most one a second,
 * with a count of those held back. */
static void srv_log(void *arg, const char *fmt, va_list ap)
{
	static uint64_t last_s, held;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if ((uint64_t)ts.tv_sec == last_s) {
		held++;
		return;
	}
	last_s = (uint64_t)ts.tv_sec;
	if (held)
		CTL_WARN(TAG, "libmicrohttpd: %llu messages held back", (unsigned long long)held);
	held = 0;
	char buf[256];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	CTL_WARN(TAG, "libmicrohttpd: %s", buf);
}

int http_server_create(struct http_server **out, struct ctl_loop *l,
                       const struct http_server_cfg *cfg)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
	if (!cfg->addr || inet_pton(AF_INET, cfg->addr, &sin.sin_addr) != 1 || !cfg->max_conns ||
	    !cfg->max_body)
		return -EINVAL;
	struct http_server *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = l;
	s->max_body = cfg->max_body;
	s->max_pending = cfg->max_pending;
	s->epfd = -1;
	if (cfg->static_dir && *cfg->static_dir) {
		const char *pre = cfg->static_prefix && *cfg->static_prefix ? cfg->static_prefix
		                                                            : "/demo/";
		snprintf(s->static_dir, sizeof(s->static_dir), "%s", cfg->static_dir);
		snprintf(s->static_prefix, sizeof(s->static_prefix), "%s%s*", pre,
		         pre[strlen(pre) - 1] == '/' ? "" : "/");
		http_server_route(s, "*", s->static_prefix, http_static_handler, s);
		s->static_prefix[strlen(s->static_prefix) - 1] = 0; /* keep "/demo/" */
	}
	errno = 0;
	s->d = MHD_start_daemon(
	    MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, cfg->port, NULL, NULL,
	    srv_access, s, MHD_OPTION_EXTERNAL_LOGGER, srv_log, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_conns, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->idle_timeout_s, MHD_OPTION_NOTIFY_COMPLETED, srv_completed, s,
	    MHD_OPTION_END);
	if (!s->d) {
		int e = errno ? errno : EADDRINUSE;
		free(s->routes[0].pattern);
		free(s);
		return -e;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_EPOLL_FD);
	s->epfd = di ? di->epoll_fd : -1;
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : cfg->port;
	int rc = s->epfd < 0 ? -EIO
	                     : ctl_loop_add_file(l, s->epfd, CTL_LOOP_READ, srv_on_epoll, s);
	if (rc) {
		MHD_stop_daemon(s->d);
		for (int i = 0; i < s->nroutes; i++)
			free(s->routes[i].pattern);
		free(s);
		return rc;
	}
	srv_arm(s);
	*out = s;
	return 0;
}

void http_server_destroy(struct http_server *s)
{
	if (!s)
		return;
	/* every suspended request gets its answer so MHD can close it */
	while (s->pending) {
		struct http_req *r = s->pending;
		if (r->on_abort) {
			s->cnt.aborted_pending++;
			r->on_abort(r, r->abort_arg);
			r->on_abort = NULL;
		}
		http_respond_error(r, 503, 20503, "server shutting down");
	}
	MHD_run(s->d);
	ctl_loop_del_file(s->loop, s->epfd, CTL_LOOP_READ | CTL_LOOP_WRITE);
	if (s->timer)
		ctl_loop_del_timer(s->loop, s->timer);
	MHD_stop_daemon(s->d);
	for (int i = 0; i < s->nroutes; i++)
		free(s->routes[i].pattern);
	free(s);
}

uint16_t http_server_port(const struct http_server *s)
{
	return s->port;
}

const struct http_server_counters *http_server_counters(const struct http_server *s)
{
	return &s->cnt;
}

json_t *http_server_counters_json(const struct http_server *s)
{
	if (!s)
		return json_null();
	const struct http_server_counters *c = &s->cnt;
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i}", "port",
	                 (int)s->port, "requests", (json_int_t)c->requests, "responses",
	                 (json_int_t)c->responses, "not_found", (json_int_t)c->not_found,
	                 "too_large", (json_int_t)c->too_large, "pending_full",
	                 (json_int_t)c->pending_full, "bad_requests", (json_int_t)c->bad_requests,
	                 "suspended", (json_int_t)c->suspended, "resumed", (json_int_t)c->resumed,
	                 "aborted_pending", (json_int_t)c->aborted_pending, "static_files",
	                 (json_int_t)c->static_files, "pending", (int)s->npending, "connections",
	                 di ? (int)di->num_connections : -1);
}

/* Suspend r (its handler said HTTP_PENDING); 503 when max_pending are waiting already. */
int http_server_suspend(struct http_req *r)
{
	struct http_server *s = r->s;
	if (s->npending >= s->max_pending) {
		s->cnt.pending_full++;
		return -ENOSPC;
	}
	r->state = REQ_PENDING;
	r->next_pending = s->pending;
	if (s->pending)
		s->pending->prev_pending = r;
	s->pending = r;
	s->npending++;
	s->cnt.suspended++;
	MHD_suspend_connection(r->conn);
	return 0;
}

/* The answer to a pending request was made: resume its connection. */
void http_server_resume(struct http_req *r)
{
	srv_pending_unlink(r);
	r->s->cnt.resumed++;
	MHD_resume_connection(r->conn);
	http_server_kick(r->s);
}
