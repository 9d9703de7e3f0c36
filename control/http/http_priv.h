/* SPDX-License-Identifier: BSD-3-Clause */
/* http_priv.h — the listener's internals shared by http_server.c and http_route.c. */
#ifndef HTTP_PRIV_H
#define HTTP_PRIV_H

#include <microhttpd.h>

#include "http.h"

#define HTTP_MAX_ARGS 256   /* query args or form fields kept per request (beyond: 400) */
#define HTTP_MAX_CAPTURES 8 /* {name} captures per route */

struct http_route {
	char method[12];
	char *pattern;
	http_handler_fn *fn;
	void *arg;
};

enum http_req_state {
	REQ_NEW,      /* headers seen, body arriving */
	REQ_PENDING,  /* handler said HTTP_PENDING: connection suspended */
	REQ_ANSWERED, /* response made, to be queued */
	REQ_QUEUED,   /* response handed to MHD */
};

struct http_req {
	struct http_server *s;
	struct MHD_Connection *conn;
	enum http_req_state state;
	int in_handler;
	int too_large;
	char method[12];
	char *path;
	char *body;
	size_t body_len, body_cap;
	struct http_kv *query, *form; /* strings owned (one allocation each) */
	size_t nquery, nform;
	char *form_buf;
	const char *cap_name[HTTP_MAX_CAPTURES];
	char *cap_val[HTTP_MAX_CAPTURES];
	int ncap;
	struct MHD_Response *resp;
	unsigned status;
	http_abort_fn *on_abort;
	void *abort_arg;
	struct http_req *next_pending, *prev_pending;
};

struct http_server {
	struct ctl_loop *loop;
	struct MHD_Daemon *d;
	int epfd;
	uint64_t timer;
	uint16_t port;
	uint32_t max_body, max_pending, npending;
	struct http_req *pending; /* list of suspended requests */
	struct http_route routes[HTTP_MAX_ROUTES];
	int nroutes;
	char static_dir[256], static_prefix[64];
	struct http_server_counters cnt;
};

/* Route the request (its body complete) and run the handler, or answer 404/405/400. */
void http_route_dispatch(struct http_req *r);
/* Parse the query args and, for a form body, its fields. Returns 0 or -EINVAL. */
int http_req_parse_args(struct http_req *r);
void http_req_free_args(struct http_req *r);
/* Kick the daemon soon (a response was queued from outside its callbacks). */
void http_server_kick(struct http_server *s);
/* Suspend a request whose handler said HTTP_PENDING: 0 or -ENOSPC (max_pending). */
int http_server_suspend(struct http_req *r);
/* Its answer is made: resume the connection. */
void http_server_resume(struct http_req *r);
/* The built-in static file handler (route arg: the server). */
int http_static_handler(struct http_req *r, void *arg);

#endif /* HTTP_PRIV_H */
