/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_calls_write.c — validated call creates, updates and member dequeues handed to the call
 * router (control/calls/ctl_call.h); the answer is sent from the router's completion, which
 * runs after the commit that holds the change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_call.h"
#include "rest_priv.h"

struct rest_call_pend {
	struct http_req *h; /* NULL once the listener dropped it */
	struct rest *api;
	unsigned status;
	json_t *view;
};

static void rest_call_abort(struct http_req *h, void *arg)
{
	struct rest_call_pend *p = arg;
	(void)h;
	p->h = NULL;
}

static void rest_call_done(void *arg, int err, int code, json_t *call)
{
	struct rest_call_pend *p = arg;
	if (p->h) {
		struct rest_req q = {.api = p->api, .h = p->h};
		if (err) {
			unsigned st = code == 20404 ? 404 : code == 20429 ? 429 : 400;
			rest_error(&q, st, code ? code : 20001, "the call router refused: %s",
			           code == 20404 ? "no such call" :
			           code == 21220 ? "the call is not in a state that allows it" :
			           code == 20429 ? "no capacity" : "bad request");
		} else {
			rest_json(&q, p->status,
			          p->view ? json_incref(p->view) : rest_view_generic(call, "Calls"));
		}
	}
	json_decref(p->view);
	free(p);
}

static struct rest_call_pend *rest_call_pend_new(struct rest_req *q, unsigned status, json_t *view)
{
	struct rest_call_pend *p = calloc(1, sizeof(*p));
	if (!p) {
		json_decref(view);
		rest_error(q, 500, 20500, "internal error (out of memory)");
		return NULL;
	}
	p->h = q->h;
	p->api = q->api;
	p->status = status;
	p->view = view;
	return p;
}

static int rest_call_started(struct rest_req *q, struct rest_call_pend *p, int rc)
{
	if (rc) {
		json_decref(p->view);
		free(p);
		if (rc == -ENOENT)
			return rest_error(q, 404, 20404, "The requested call was not found (or not live)");
		if (rc == -EINVAL)
			return rest_error(q, 400, 20001, "the call router refused the request");
		if (rc == -ENOBUFS || rc == -EBUSY || rc == -EAGAIN)
			return rest_error(q, 429, 20429, "Too many requests: the call router is busy");
		return rest_error(q, 503, 20503, "the call router cannot take it now (%s)",
		                  strerror(-rc));
	}
	http_req_on_abort(q->h, rest_call_abort, p);
	return HTTP_PENDING;
}

int rest_router_create(struct rest_req *q, const struct rest_call_in *in)
{
	if (!q->api->ctl)
		return rest_error(q, 501, 20501, "no call router attached");
	struct rest_call_pend *p = rest_call_pend_new(q, 201, NULL);
	if (!p)
		return HTTP_DONE;
	struct ctl_call_create r = {
	    .account_sid = q->ac, .to = in->to, .from = in->from, .caller_id = in->caller_id,
	    .url = in->url, .method = in->method, .twiml = in->twiml,
	    .application_sid = in->application_sid, .fallback_url = in->fallback_url,
	    .fallback_method = in->fallback_method, .status_callback = in->status_callback,
	    .status_callback_method = in->status_callback_method,
	    .status_callback_events = in->events, .timeout_s = (int)in->timeout_s,
	    .time_limit_s = (int)in->time_limit_s, .send_digits = in->send_digits,
	    .record = in->record, .sip_auth_username = in->sip_auth_username,
	    .sip_auth_password = in->sip_auth_password};
	return rest_call_started(q, p, ctl_call_create(q->api->ctl, &r, rest_call_done, p));
}

int rest_router_update(struct rest_req *q, const char *call_sid, const struct rest_call_in *in,
                       const char *status, const char *queue_sid, json_t *view)
{
	if (!q->api->ctl) {
		json_decref(view);
		return rest_error(q, 501, 20501, "no call router attached");
	}
	struct rest_call_pend *p = rest_call_pend_new(q, 200, view);
	if (!p)
		return HTTP_DONE;
	struct ctl_call_update r = {
	    .account_sid = q->ac, .call_sid = call_sid, .url = in->url, .method = in->method,
	    .twiml = in->twiml, .status = status, .fallback_url = in->fallback_url,
	    .fallback_method = in->fallback_method, .status_callback = in->status_callback,
	    .status_callback_method = in->status_callback_method, .queue_sid = queue_sid};
	return rest_call_started(q, p, ctl_call_update(q->api->ctl, &r, rest_call_done, p));
}
