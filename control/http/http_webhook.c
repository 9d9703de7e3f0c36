/* SPDX-License-Identifier: BSD-3-Clause */
/* http_webhook.c — a request with a fallback: on failure, the fallback URL with ErrorCode and
 * ErrorUrl added to the parameters, reporting which one answered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

struct http_webhook {
	struct http_fetch *f;
	struct http_xfer *x;
	http_webhook_done_fn *done;
	void *arg;
	struct http_kv *params; /* nparams + 2 slots: the caller's, then ErrorCode and ErrorUrl */
	size_t nparams;
	char *arena; /* every string above */
	const char *token, *fb_url, *fb_method;
	char code[16];
};

static void wh_free(struct http_webhook *w)
{
	free(w->params);
	free(w->arena);
	free(w);
}

static void wh_fallback_done(const struct http_result *res, void *arg)
{
	struct http_webhook *w = arg;
	w->x = NULL;
	w->done(res, 1, atoi(w->code), w->arg);
	wh_free(w);
}

static void wh_first_done(const struct http_result *res, void *arg)
{
	struct http_webhook *w = arg;
	w->x = NULL;
	if (!res->error || !w->fb_url) {
		w->done(res, 0, res->error, w->arg);
		wh_free(w);
		return;
	}
	snprintf(w->code, sizeof(w->code), "%d", res->error);
	w->params[w->nparams].k = "ErrorCode";
	w->params[w->nparams].v = w->code;
	/* ErrorUrl: the URL that failed, as requested (a GET carries its query) */
	char *eu = strdup(res->url);
	w->params[w->nparams + 1].k = "ErrorUrl";
	w->params[w->nparams + 1].v = eu ? eu : "";
	struct http_request fb = {.url = w->fb_url,
	                          .method = w->fb_method,
	                          .params = w->params,
	                          .nparams = w->nparams + 2,
	                          .auth_token = w->token};
	int rc = http_fetch_start(w->f, &fb, wh_fallback_done, w, &w->x);
	free(eu); /* http_fetch_start copied what it needs */
	if (rc) {
		w->done(res, 0, res->error, w->arg);
		wh_free(w);
	}
}

/* Copy s into the arena at *o. */
static const char *wh_put(char *arena, size_t *o, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	memcpy(arena + *o, s, n);
	*o += n;
	return arena + *o - n;
}

int http_webhook_start(struct http_fetch *f, const struct http_request *req,
                       const char *fallback_url, const char *fallback_method,
                       http_webhook_done_fn *done, void *arg, struct http_webhook **out)
{
	if (!req || !req->url || !done)
		return -EINVAL;
	size_t need = 4;
	const char *fixed[] = {req->url, req->method, req->auth_token, fallback_url,
	                       fallback_method};
	for (size_t i = 0; i < 5; i++)
		need += fixed[i] ? strlen(fixed[i]) + 1 : 0;
	for (size_t i = 0; i < req->nparams; i++)
		need += strlen(req->params[i].k) + strlen(req->params[i].v ? req->params[i].v : "") + 2;
	struct http_webhook *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->arena = malloc(need);
	w->params = calloc(req->nparams + 2, sizeof(*w->params));
	if (!w->arena || !w->params) {
		wh_free(w);
		return -ENOMEM;
	}
	size_t o = 0;
	struct http_request first = *req;
	first.url = wh_put(w->arena, &o, req->url);
	first.method = wh_put(w->arena, &o, req->method);
	first.auth_token = w->token = wh_put(w->arena, &o, req->auth_token);
	w->fb_url = fallback_url && *fallback_url ? wh_put(w->arena, &o, fallback_url) : NULL;
	w->fb_method = wh_put(w->arena, &o, fallback_method);
	for (size_t i = 0; i < req->nparams; i++) {
		w->params[i].k = wh_put(w->arena, &o, req->params[i].k);
		w->params[i].v = wh_put(w->arena, &o, req->params[i].v ? req->params[i].v : "");
	}
	w->nparams = req->nparams;
	first.params = w->params;
	w->f = f;
	w->done = done;
	w->arg = arg;
	int rc = http_fetch_start(f, &first, wh_first_done, w, &w->x);
	if (rc) {
		wh_free(w);
		return rc;
	}
	if (out)
		*out = w;
	return 0;
}

void http_webhook_cancel(struct http_fetch *f, struct http_webhook *w)
{
	if (!w)
		return;
	http_fetch_cancel(f, w->x);
	wh_free(w);
}
