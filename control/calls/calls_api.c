/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_api.c — ctl_call.h for the REST API: redirect or end a live call. Outbound-api calls
 * (ctl_call_create) are NOT done yet: it answers -ENOTSUP without calling back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calls_priv.h"
#include "ctl_call.h"
#include "ctl_log.h"
#include "http_ctl.h"
#include "store.h"
#include "store_ent.h"

#define TAG "calls"

int ctl_call_create(struct ctl *c, const struct ctl_call_create *req, ctl_call_done_fn *done,
                    void *arg)
{
	(void)c;
	(void)req;
	(void)done;
	(void)arg;
	return -ENOTSUP; /* PARTIAL: outbound-api calls need DIAL wiring (not done) */
}

static struct call *api_find(struct ctl_calls *m, const char *sid)
{
	for (uint32_t i = 0, seen = 0; m && i < m->max && seen < m->n; i++) {
		if (!m->v[i].gen)
			continue;
		seen++;
		if (strcmp(m->v[i].sid, sid) == 0)
			return &m->v[i];
	}
	return NULL;
}

struct api_done {
	ctl_call_done_fn *done;
	void *arg;
	char sid[35];
};

static void api_committed(void *arg, int status, const struct store_result *r)
{
	struct api_done *d = arg;
	struct ctl_calls *m = calls_module();
	json_t *rec = NULL;
	if (m && m->c->store)
		store_res_get(m->c->store, STORE_K_CALL, d->sid, &rec);
	d->done(d->arg, status, status ? 20500 : 0, rec);
	json_decref(rec);
	free(d);
}

int ctl_call_update(struct ctl *c, const struct ctl_call_update *req, ctl_call_done_fn *done,
                    void *arg)
{
	struct ctl_calls *m = c->calls;
	if (!req || !req->call_sid || !done)
		return -EINVAL;
	struct call *k = api_find(m, req->call_sid);
	struct api_done *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->done = done;
	d->arg = arg;
	snprintf(d->sid, sizeof(d->sid), "%s", req->call_sid);
	if (!k || (req->account_sid && strcmp(req->account_sid, k->account_sid) != 0) ||
	    k->leg_gone) {
		free(d);
		return -ENOENT; /* not live: the REST layer answers from the stored record */
	}
	if (req->queue_sid) {
		free(d);
		return -ENOTSUP; /* queues: issue 7 */
	}
	if (req->status_callback)
		snprintf(k->sc_url, sizeof(k->sc_url), "%s", req->status_callback);
	if (req->status_callback_method)
		snprintf(k->sc_method, sizeof(k->sc_method), "%s", req->status_callback_method);
	if (req->fallback_url)
		snprintf(k->fb_url, sizeof(k->fb_url), "%s", req->fallback_url);
	if (req->fallback_method)
		snprintf(k->fb_method, sizeof(k->fb_method), "%s", req->fallback_method);
	if (req->status) {
		bool cancel = strcmp(req->status, "canceled") == 0;
		if (cancel && k->answered) {
			free(d);
			return -EBUSY; /* Twilio: canceled only ends a call not answered (21220) */
		}
		call_cmd(k, VOX_CMD_HANGUP, 0, NULL, 0);
	} else if (req->url || req->twiml) {
		/* redirect: a fresh interpreter, already answered, on the new markup */
		struct twiml_engine *e = NULL;
		if (twiml_engine_create(&e, &calls_twiml_ops, k) != 0) {
			free(d);
			return -ENOMEM;
		}
		calls_ops_cancel(k);
		if (k->media_sent) {
			call_cmd(k, VOX_CMD_STOP, 0, NULL, 0);
			k->media_stop++;
			k->media_sent = false;
		}
		if (k->wh && c->http)
			http_webhook_cancel(c->http->fetch, k->wh);
		k->wh = NULL;
		twiml_engine_destroy(k->eng);
		k->eng = e;
		k->collecting = false;
		if (k->answered)
			twiml_engine_mark_answered(e);
		int rc;
		if (req->twiml) {
			struct twiml_prog *prog = NULL;
			struct twiml_err err;
			rc = twiml_parse(req->twiml, strlen(req->twiml), &prog, &err);
			if (rc == 0)
				rc = twiml_engine_start_doc(e, prog, k->doc_url[0] ? k->doc_url : "http://localhost/");
		} else {
			rc = twiml_engine_start(e, req->url,
			                        req->method && strcmp(req->method, "GET") == 0 ? TWIML_GET
			                                                                     : TWIML_POST);
		}
		if (rc)
			CTL_WARN(TAG, "%s: redirect: %s", k->sid, strerror(-rc));
	}
	/* answer after a commit: an empty batch is refused, so the call record is rewritten */
	struct store_batch *b = store_batch_new();
	json_t *view = json_deep_copy(k->rec);
	json_object_del(view, "_voice_url");
	json_object_del(view, "_voice_method");
	int rc = b && view ? store_res_put(b, STORE_K_CALL, view, 0) : -ENOMEM;
	json_decref(view);
	if (rc == 0)
		rc = store_submit(c->store, b, api_committed, d);
	else
		store_batch_free(b);
	if (rc) {
		free(d);
		return rc;
	}
	return 0;
}
