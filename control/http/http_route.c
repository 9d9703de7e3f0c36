/* SPDX-License-Identifier: BSD-3-Clause */
/* http_route.c — the listener's routing table, request accessors, answers and static files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_priv.h"
#include "vox_base64.h"

int http_server_route(struct http_server *s, const char *method, const char *pattern,
                      http_handler_fn *fn, void *arg)
{
	if (!method || strlen(method) >= sizeof(s->routes[0].method) || !pattern ||
	    pattern[0] != '/' || !fn)
		return -EINVAL;
	if (s->nroutes >= HTTP_MAX_ROUTES)
		return -ENOSPC;
	struct http_route *rt = &s->routes[s->nroutes];
	rt->pattern = strdup(pattern);
	if (!rt->pattern)
		return -ENOMEM;
	snprintf(rt->method, sizeof(rt->method), "%s", method);
	rt->fn = fn;
	rt->arg = arg;
	s->nroutes++;
	return 0;
}

/* Match path against pattern; on success the captures are stored in r (when r != NULL). */
static int route_match(const char *pat, const char *path, struct http_req *r)
{
	const char *p = pat, *u = path;
	while (*p) {
		if (p[0] == '*' && p[1] == 0) {
			if (r && r->ncap < HTTP_MAX_CAPTURES) {
				r->cap_name[r->ncap] = "*";
				r->cap_val[r->ncap++] = strdup(u);
			}
			return 1;
		}
		if (*p == '{') {
			const char *close = strchr(p, '}');
			if (!close)
				return 0;
			size_t seg = strcspn(u, "/");
			if (seg == 0)
				return 0;
			if (r && r->ncap < HTTP_MAX_CAPTURES) {
				/* the name is "name}" in the pattern: store pattern-relative */
				r->cap_name[r->ncap] = p + 1;
				r->cap_val[r->ncap++] = strndup(u, seg);
			}
			p = close + 1;
			u += seg;
			continue;
		}
		if (*p != *u)
			return 0;
		p++;
		u++;
	}
	return *u == 0;
}

void http_route_dispatch(struct http_req *r)
{
	struct http_server *s = r->s;
	int path_seen = 0;
	for (int i = 0; i < s->nroutes; i++) {
		struct http_route *rt = &s->routes[i];
		if (!route_match(rt->pattern, r->path, NULL))
			continue;
		path_seen = 1;
		if (strcmp(rt->method, "*") != 0 && strcmp(rt->method, r->method) != 0 &&
		    !(strcmp(rt->method, "GET") == 0 && strcmp(r->method, "HEAD") == 0))
			continue;
		route_match(rt->pattern, r->path, r);
		if (http_req_parse_args(r) != 0) {
			s->cnt.bad_requests++;
			http_respond_error(r, 400, 20001, "malformed query or form body");
			return;
		}
		r->in_handler = 1;
		int v = rt->fn(r, rt->arg);
		r->in_handler = 0;
		if (v == HTTP_NEXT && r->state == REQ_NEW) {
			path_seen = 0; /* declined: as if this route were not there */
			continue;
		}
		if (v == HTTP_PENDING && r->state == REQ_NEW && http_server_suspend(r) != 0) {
			/* the owner must forget it: it is answered here and freed when sent */
			if (r->on_abort) {
				s->cnt.aborted_pending++;
				r->on_abort(r, r->abort_arg);
				r->on_abort = NULL;
			}
			http_respond_error(r, 503, 20503, "too many requests waiting");
		}
		return;
	}
	if (path_seen) {
		http_respond_error(r, 405, 20004, "method not allowed");
		return;
	}
	s->cnt.not_found++;
	char msg[160];
	snprintf(msg, sizeof(msg), "The requested resource %.120s was not found", r->path);
	http_respond_error(r, 404, 20404, msg);
}

/* ---------------------------------------------------------------- arguments */

struct args_ctx {
	struct http_kv *kv;
	size_t n, cap;
	int overflow;
};

static enum MHD_Result args_iter(void *cls, enum MHD_ValueKind kind, const char *k,
                                 const char *v)
{
	struct args_ctx *a = cls;
	if (a->n >= HTTP_MAX_ARGS) {
		a->overflow = 1;
		return MHD_NO;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct http_kv *kv = realloc(a->kv, cap * sizeof(*kv));
		if (!kv) {
			a->overflow = 1;
			return MHD_NO;
		}
		a->kv = kv;
		a->cap = cap;
	}
	char *kk = strdup(k), *vv = strdup(v ? v : "");
	if (!kk || !vv) {
		free(kk);
		free(vv);
		a->overflow = 1;
		return MHD_NO;
	}
	a->kv[a->n].k = kk;
	a->kv[a->n++].v = vv;
	return MHD_YES;
}

static int args_form(struct http_req *r)
{
	const char *ct = http_req_header(r, "Content-Type");
	if (!r->body_len || !ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return 0;
	r->form_buf = malloc(r->body_len + 1);
	size_t max = r->body_len / 2 + 1;
	if (max > HTTP_MAX_ARGS)
		max = HTTP_MAX_ARGS;
	r->form = calloc(max, sizeof(*r->form));
	if (!r->form_buf || !r->form)
		return -ENOMEM;
	memcpy(r->form_buf, r->body, r->body_len + 1);
	char *p = r->form_buf, *end = r->form_buf + r->body_len;
	while (p < end) {
		char *amp = memchr(p, '&', (size_t)(end - p));
		char *stop = amp ? amp : end;
		*stop = 0;
		if (stop > p) {
			if (r->nform >= max)
				return -EINVAL;
			char *eq = memchr(p, '=', (size_t)(stop - p));
			char *v = eq ? eq + 1 : stop;
			if (eq)
				*eq = 0;
			if (http_form_decode(p, strlen(p)) < 0 || http_form_decode(v, strlen(v)) < 0)
				return -EINVAL;
			r->form[r->nform].k = p;
			r->form[r->nform++].v = v;
		}
		p = stop + 1;
	}
	return 0;
}

int http_req_parse_args(struct http_req *r)
{
	if (r->query || r->form)
		return 0;
	struct args_ctx a = {0};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, args_iter, &a);
	r->query = a.kv;
	r->nquery = a.n;
	if (a.overflow)
		return -EINVAL;
	return args_form(r);
}

void http_req_free_args(struct http_req *r)
{
	for (size_t i = 0; i < r->nquery; i++) {
		free((char *)r->query[i].k);
		free((char *)r->query[i].v);
	}
	free(r->query);
	free(r->form);
	free(r->form_buf);
	r->query = r->form = NULL;
	r->form_buf = NULL;
	r->nquery = r->nform = 0;
}

/* ---------------------------------------------------------------- accessors */

const char *http_req_method(const struct http_req *r)
{
	return r->method;
}

const char *http_req_path(const struct http_req *r)
{
	return r->path;
}

const char *http_req_path_arg(const struct http_req *r, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < r->ncap; i++) {
		const char *c = r->cap_name[i];
		if (!strncmp(c, name, n) && (c[n] == '}' || (c[n] == 0 && !strcmp(c, "*"))))
			return r->cap_val[i];
	}
	return NULL;
}

const char *http_req_header(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static const char *req_last(const struct http_kv *kv, size_t n, const char *key)
{
	for (size_t i = n; i-- > 0;)
		if (!strcmp(kv[i].k, key))
			return kv[i].v;
	return NULL;
}

const char *http_req_query(const struct http_req *r, const char *key)
{
	return req_last(r->query, r->nquery, key);
}

const char *http_req_form(const struct http_req *r, const char *key)
{
	return req_last(r->form, r->nform, key);
}

size_t http_req_query_n(const struct http_req *r, const struct http_kv **kv)
{
	*kv = r->query;
	return r->nquery;
}

size_t http_req_form_n(const struct http_req *r, const struct http_kv **kv)
{
	*kv = r->form;
	return r->nform;
}

const char *http_req_body(const struct http_req *r, size_t *len)
{
	if (len)
		*len = r->body_len;
	return r->body ? r->body : "";
}

int http_basic_auth_parse(const char *v, char *user, size_t ulen, char *pass, size_t plen)
{
	if (!v || strncasecmp(v, "Basic ", 6) != 0)
		return -ENOENT;
	v += 6;
	while (*v == ' ')
		v++;
	size_t n = strcspn(v, " \t");
	if (n == 0 || n % 4 || n > 1024)
		return -EINVAL;
	size_t out = n / 4 * 3 - (v[n - 1] == '=') - (v[n - 2] == '=');
	uint8_t buf[768];
	if (vox_b64_decode(v, n, buf, out) != 0 || memchr(buf, 0, out))
		return -EINVAL;
	uint8_t *colon = memchr(buf, ':', out);
	if (!colon)
		return -EINVAL;
	size_t ul = (size_t)(colon - buf), pl = out - ul - 1;
	if (ul + 1 > ulen || pl + 1 > plen)
		return -ENAMETOOLONG;
	memcpy(user, buf, ul);
	user[ul] = 0;
	memcpy(pass, colon + 1, pl);
	pass[pl] = 0;
	return 0;
}

int http_req_basic_auth(const struct http_req *r, char *user, size_t ulen, char *pass,
                        size_t plen)
{
	return http_basic_auth_parse(http_req_header(r, "Authorization"), user, ulen, pass, plen);
}

void http_req_on_abort(struct http_req *r, http_abort_fn *fn, void *arg)
{
	r->on_abort = fn;
	r->abort_arg = arg;
}

/* ---------------------------------------------------------------- answers */

static int resp_set(struct http_req *r, unsigned status, struct MHD_Response *resp,
                    const struct http_kv *h, size_t nh)
{
	if (!resp)
		return -ENOMEM;
	for (size_t i = 0; i < nh; i++)
		MHD_add_response_header(resp, h[i].k, h[i].v);
	int was_pending = r->state == REQ_PENDING;
	r->resp = resp;
	r->status = status;
	r->state = REQ_ANSWERED;
	if (was_pending)
		http_server_resume(r);
	return 0;
}

int http_respond(struct http_req *r, unsigned status, const struct http_kv *headers, size_t nh,
                 const void *body, size_t len)
{
	if (r->state != REQ_NEW && r->state != REQ_PENDING)
		return -EALREADY;
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	return resp_set(r, status, resp, headers, nh);
}

int http_respond_json(struct http_req *r, unsigned status, json_t *j)
{
	char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!txt)
		return -ENOMEM;
	const struct http_kv h[] = {{"Content-Type", "application/json"}};
	int rc = http_respond(r, status, h, 1, txt, strlen(txt));
	free(txt);
	return rc;
}

int http_respond_error(struct http_req *r, unsigned status, int code, const char *message)
{
	char more[64];
	snprintf(more, sizeof(more), "https://www.twilio.com/docs/errors/%d", code);
	return http_respond_json(r, status,
	                         json_pack("{s:i, s:s, s:s, s:i}", "code", code, "message", message,
	                                   "more_info", more, "status", (int)status));
}

int http_respond_fd(struct http_req *r, unsigned status, const char *content_type, int fd,
                    uint64_t size)
{
	if (r->state != REQ_NEW && r->state != REQ_PENDING) {
		close(fd);
		return -EALREADY;
	}
	struct MHD_Response *resp = MHD_create_response_from_fd64(size, fd);
	if (!resp) {
		close(fd);
		return -ENOMEM;
	}
	const struct http_kv h[] = {{"Content-Type", content_type}};
	return resp_set(r, status, resp, h, 1);
}

/* ---------------------------------------------------------------- static files */

static const char *static_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} t[] = {{".xml", "text/xml"},         {".html", "text/html"},  {".txt", "text/plain"},
	         {".json", "application/json"}, {".wav", "audio/wav"},  {".mp3", "audio/mpeg"},
	         {".ulaw", "audio/basic"}};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcasecmp(dot, t[i].ext))
			return t[i].type;
	return "application/octet-stream";
}

/* GET, HEAD and POST (Twilio POSTs to a document URL) of a file below static_dir. */
int http_static_handler(struct http_req *r, void *arg)
{
	struct http_server *s = arg;
	const char *rel = http_req_path_arg(r, "*");
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD") && strcmp(r->method, "POST"))
		return http_respond_error(r, 405, 20004, "method not allowed"), HTTP_DONE;
	/* no "..", no hidden files, no empty segments */
	int bad = !rel || !*rel || rel[0] == '/' || strstr(rel, "/.") || rel[0] == '.' ||
	          strstr(rel, "//");
	char full[512];
	int fd = -1;
	struct stat st;
	if (!bad && snprintf(full, sizeof(full), "%s/%s", s->static_dir, rel) < (int)sizeof(full))
		fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		s->cnt.not_found++;
		char msg[160];
		snprintf(msg, sizeof(msg), "The requested resource %.120s was not found", r->path);
		http_respond_error(r, 404, 20404, msg);
		return HTTP_DONE;
	}
	s->cnt.static_files++;
	http_respond_fd(r, 200, static_type(rel), fd, (uint64_t)st.st_size);
	return HTTP_DONE;
}
