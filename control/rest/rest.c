/* SPDX-License-Identifier: BSD-3-Clause */
/* rest.c — the REST API's entry: routes on the listener, path parsing, authentication and
 * access, dispatch to the resources, Twilio's answers, and answers sent after the commit. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest_priv.h"

static void rest_count_status(struct rest *api, unsigned status)
{
	if (!api)
		return;
	if (status == 401)
		api->cnt.auth_failed++;
	else if (status >= 500)
		api->cnt.server_errors++;
	else if (status >= 400)
		api->cnt.client_errors++;
}

int rest_error(struct rest_req *q, unsigned status, int code, const char *fmt, ...)
{
	rest_count_status(q->api, status);
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!rest_utf8_ok(msg, strlen(msg)))
		snprintf(msg, sizeof(msg), "invalid request");
	http_respond_error(q->h, status, code, msg);
	return HTTP_DONE;
}

int rest_json(struct rest_req *q, unsigned status, json_t *body)
{
	if (!body)
		return rest_error(q, 500, 20500, "internal error (out of memory)");
	if (status == 204) {
		json_decref(body);
		http_respond(q->h, 204, NULL, 0, NULL, 0);
		return HTTP_DONE;
	}
	http_respond_json(q->h, status, body);
	return HTTP_DONE;
}

int rest_store_error(struct rest_req *q, int err)
{
	switch (err) {
	case -EEXIST:
		return rest_error(q, 400, 21422, "the resource already exists (duplicate)");
	case -ENOENT:
		return rest_error(q, 404, 20404, "The requested resource was not found");
	case -ENOBUFS:
		return rest_error(q, 429, 20429, "Too many requests: the store's queue is full");
	case -ENOSPC:
		return rest_error(q, 507, 20500, "the store is full");
	default:
		return rest_error(q, 500, 20500, "store error: %s", strerror(err < 0 ? -err : err));
	}
}

/* ---- answer after commit ---- */

struct rest_pending {
	struct http_req *h; /* NULL once the listener dropped it */
	struct rest *api;
	unsigned status;
	json_t *view;
};

static void rest_pending_abort(struct http_req *h, void *arg)
{
	struct rest_pending *p = arg;
	(void)h;
	p->h = NULL;
}

static void rest_pending_done(void *arg, int status, const struct store_result *res)
{
	struct rest_pending *p = arg;
	(void)res;
	if (p->h) {
		struct rest_req q = {.api = p->api, .h = p->h};
		if (status)
			rest_store_error(&q, status);
		else
			rest_json(&q, p->status, json_incref(p->view));
	}
	json_decref(p->view);
	free(p);
}

int rest_commit(struct rest_req *q, struct store_batch *b, unsigned status, json_t *view)
{
	struct rest_pending *p = calloc(1, sizeof(*p));
	if (!p || !view) {
		free(p);
		json_decref(view);
		store_batch_free(b);
		return rest_error(q, 500, 20500, "internal error (out of memory)");
	}
	p->h = q->h;
	p->api = q->api;
	p->status = status;
	p->view = view;
	int rc = store_submit(q->api->store, b, rest_pending_done, p);
	q->api->cnt.writes++;
	if (rc == -ENOBUFS)
		q->api->cnt.store_refused++;
	if (rc) {
		json_decref(view);
		free(p);
		return rest_store_error(q, rc);
	}
	http_req_on_abort(q->h, rest_pending_abort, p);
	return HTTP_PENDING;
}

/* ---- loading records ---- */

int rest_load(struct rest_req *q, enum store_kind k, const char *sid, json_t **rec)
{
	const struct store_kind_info *ki = store_kind(k);
	json_t *r = NULL;
	if (!store_sid_valid(sid, ki->prefix) || store_res_get(q->api->store, k, sid, &r) != 0 ||
	    strcmp(json_string_value(json_object_get(r, ki->owner)) ?: "", q->ac) != 0) {
		json_decref(r);
		rest_error(q, 404, 20404, "The requested resource /%s/%s was not found",
		           store_sid_valid(sid, NULL) ? ki->list_key : "", store_sid_valid(sid, NULL) ? sid : "");
		return -1;
	}
	*rec = r;
	return 0;
}

/* ---- dispatch ---- */

static int rest_kv_utf8(const struct http_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!rest_utf8_ok(kv[i].k, strlen(kv[i].k)) || !rest_utf8_ok(kv[i].v, strlen(kv[i].v)))
			return 0;
	return 1;
}

/* Split "Calls/CA....json" into q->seg / q->ext. Returns 0 or -1 (not a path of ours). */
static int rest_split(struct rest_req *q, const char *rest)
{
	q->nseg = 0;
	q->ext[0] = 0;
	const char *p = rest;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 0 || n >= sizeof(q->seg[0]) || q->nseg == 5)
			return -1;
		memcpy(q->seg[q->nseg], p, n);
		q->seg[q->nseg][n] = 0;
		q->nseg++;
		p += n;
		if (*p == '/') {
			p++;
			if (!*p)
				return -1;
		}
	}
	if (q->nseg == 0)
		return -1;
	char *last = q->seg[q->nseg - 1];
	char *dot = strrchr(last, '.');
	if (dot) {
		if (strlen(dot + 1) >= sizeof(q->ext))
			return -1;
		snprintf(q->ext, sizeof(q->ext), "%s", dot + 1);
		*dot = 0;
	}
	return 0;
}

int rest_recording_media(struct rest_req *q); /* rest_calls.c */

static int rest_route(struct rest_req *q)
{
	const char *r0 = q->seg[0];
	if (!strcmp(r0, "Keys"))
		return rest_keys(q);
	if (!strcmp(r0, "IncomingPhoneNumbers"))
		return rest_numbers(q);
	if (!strcmp(r0, "Applications"))
		return rest_apps(q);
	if (!strcmp(r0, "Calls"))
		return rest_calls(q);
	if (!strcmp(r0, "Recordings"))
		return rest_recordings(q);
	if (!strcmp(r0, "Notifications"))
		return rest_notifications(q);
	if (!strcmp(r0, "Queues"))
		return rest_queues(q);
	return rest_error(q, 404, 20404, "The requested resource was not found");
}

static int rest_handle(struct http_req *h, void *arg)
{
	struct rest_req q = {.api = arg, .h = h, .method = http_req_method(h)};
	q.api->cnt.requests++;
	if (!strcmp(q.method, "HEAD"))
		q.method = "GET"; /* the listener sends the headers only */
	const struct http_kv *kv;
	size_t n = http_req_query_n(h, &kv);
	int v;
	if (!rest_kv_utf8(kv, n)) {
		v = rest_error(&q, 400, 20001, "parameters must be valid UTF-8");
		goto out;
	}
	n = http_req_form_n(h, &kv);
	if (!rest_kv_utf8(kv, n)) {
		v = rest_error(&q, 400, 20001, "parameters must be valid UTF-8");
		goto out;
	}
	const char *tail = http_req_path_arg(h, "*");
	if (!tail) { /* /Accounts.json or /Accounts */
		if (rest_auth(&q))
			return HTTP_DONE;
		v = rest_accounts(&q);
		goto out;
	}
	if (rest_split(&q, tail) != 0 || !store_sid_valid(q.seg[0], "AC")) {
		v = rest_error(&q, 404, 20404, "The requested resource was not found");
		goto out;
	}
	snprintf(q.ac, sizeof(q.ac), "%s", q.seg[0]);
	memmove(q.seg[0], q.seg[1], sizeof(q.seg[0]) * 4);
	q.nseg--;
	if (q.nseg == 0 && q.ext[0] && strcmp(q.ext, "json") != 0) {
		v = rest_error(&q, 404, 20404, "The requested resource was not found");
		goto out;
	}
	/* the recording's media: readable without credentials unless the account says so */
	if (q.nseg == 2 && !strcmp(q.seg[0], "Recordings") &&
	    (!strcmp(q.ext, "wav") || !q.ext[0]) &&
	    (!strcmp(q.method, "GET") || !strcmp(q.method, "HEAD"))) {
		v = rest_recording_media(&q);
		goto out;
	}
	if (q.ext[0] && strcmp(q.ext, "json") != 0) {
		v = rest_error(&q, 404, 20404, "The requested resource was not found");
		goto out;
	}
	if (rest_auth(&q) || rest_access(&q, q.ac)) {
		v = HTTP_DONE;
		goto out;
	}
	v = q.nseg == 0 ? rest_accounts(&q) : rest_route(&q);
out:
	json_decref(q.auth_rec);
	json_decref(q.ac_rec);
	return v;
}

int rest_create(struct rest **out, const struct rest_cfg *cfg)
{
	if (!cfg || !cfg->server || !cfg->store)
		return -EINVAL;
	struct rest *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->server = cfg->server;
	r->store = cfg->store;
	r->ctl = cfg->ctl;
	snprintf(r->data_dir, sizeof(r->data_dir), "%s", cfg->data_dir ? cfg->data_dir : ".");
	int rc = http_server_route(r->server, "*", REST_BASE "/Accounts.json", rest_handle, r);
	if (!rc)
		rc = http_server_route(r->server, "*", REST_BASE "/Accounts", rest_handle, r);
	if (!rc)
		rc = http_server_route(r->server, "*", REST_BASE "/Accounts/*", rest_handle, r);
	if (rc) {
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

const struct rest_counters *rest_get_counters(const struct rest *r)
{
	return &r->cnt;
}

void rest_destroy(struct rest *r)
{
	free(r);
}
