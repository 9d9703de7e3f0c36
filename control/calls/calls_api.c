/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_api.c — ctl_call.h for the REST API: redirect or end a live call. Outbound-api calls
 * (ctl_call_create): DIAL to the trunk or the SIP URI, markup on answer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <stdio.h>

#include "calls_priv.h"
#include "calls_sip.h"
#include "ctl_dp.h"
#include "ctl_rec.h"
#include "ctl_req.h"
#include "dns.h"
#include "ctl_call.h"
#include "ctl_log.h"
#include "http_ctl.h"
#include "store.h"
#include "store_ent.h"

#define TAG "calls"

/* ---- outbound-api calls ---- */

const char *calls_api_end_status(const struct call *k, uint16_t code)
{
	if (k->answered)
		return "completed";
	if (k->canceled)
		return "canceled";
	if (code == 486 || code == 600 || code == 603)
		return "busy";
	if (code == 408 || code == 480 || code == 487)
		return "no-answer";
	return "failed";
}

static void api_done_now(struct call *k, int err, int code)
{
	if (!k->api_done)
		return;
	ctl_call_done_fn *fn = k->api_done;
	k->api_done = NULL;
	json_t *view = json_deep_copy(k->rec);
	json_object_del(view, "_voice_url");
	json_object_del(view, "_voice_method");
	fn(k->api_arg, err, code, view);
	json_decref(view);
}

static void api_dial_to(struct call *k, const struct vox_addr *hop, const char *target)
{
	struct ctl *c = k->m->c;
	struct ctl_dp_pay pay;
	ctl_dp_pay_init(&pay, sizeof(struct vox_dial));
	struct vox_dial vd = {.next_hop = *hop, .ring_timeout_ms = k->ring_ms};
	char from[200];
	snprintf(from, sizeof(from), "sip:%s@%s", k->from,
	         c->cfg.outbound_trunk[0] ? c->cfg.outbound_trunk : "localhost");
	vd.target = ctl_dp_pay_str(&pay, target, strlen(target));
	vd.from_uri = ctl_dp_pay_str(&pay, from, strlen(from));
	if (k->ob_user[0]) {
		vd.auth_user = ctl_dp_pay_str(&pay, k->ob_user, strlen(k->ob_user));
		vd.auth_pass = ctl_dp_pay_str(&pay, k->ob_pass, strlen(k->ob_pass));
	}
	ctl_dp_pay_fixed(&pay, &vd, sizeof(vd));
	uint32_t nw = c->shm.map.hdr ? c->shm.map.hdr->n_workers : 0;
	k->worker = nw ? (uint16_t)(k->index % nw) : 0;
	k->out_req_id = ctl_req_ids(c, 1);
	struct vox_rec_hdr h = {.type = VOX_CMD_DIAL, .req_id = k->out_req_id};
	memcpy(h.tag, k->sid + 2, sizeof(h.tag));
	int rc = pay.err ? pay.err : ctl_dp_send(c, k->worker, &h, pay.buf, pay.len);
	if (rc) {
		CTL_WARN(TAG, "%s: DIAL not sent: %s", k->sid, strerror(-rc));
		k->leg_gone = true;
		call_set_status(k, "failed", ctl_real_ns(), CTL_CALL_EV_COMPLETED);
		call_maybe_free(k);
	}
}

static void api_dns_done(const struct dns_result *r, void *arg)
{
	struct call *k = call_deref(calls_module(), arg);
	if (!k || k->leg_gone)
		return;
	struct vox_addr hop = {.family = VOX_AF_INET};
	struct in_addr in;
	if (r->error || !r->n || inet_pton(AF_INET, r->t[0].addr, &in) != 1) {
		calls_notify(k, 13224, k->to, "the SIP URI's host does not resolve", 0);
		k->leg_gone = true;
		call_set_status(k, "failed", ctl_real_ns(), CTL_CALL_EV_COMPLETED);
		call_maybe_free(k);
		return;
	}
	memcpy(hop.addr, &in, 4);
	hop.port = r->t[0].port ? r->t[0].port : 5060;
	api_dial_to(k, &hop, k->to);
}

/* The call's record is durable: answer the REST request, then place the call. */
void calls_api_committed(struct call *k, int status)
{
	struct ctl *c = k->m->c;
	if (status) {
		api_done_now(k, status, 20500);
		k->leg_gone = true;
		call_maybe_free(k);
		return;
	}
	api_done_now(k, 0, 0);
	if (k->canceled) {
		k->leg_gone = true;
		call_set_status(k, "canceled", ctl_real_ns(), CTL_CALL_EV_COMPLETED);
		call_maybe_free(k);
		return;
	}
	if (strncmp(k->to, "sip:", 4) == 0 || strncmp(k->to, "sips:", 5) == 0) {
		char host[256];
		uint16_t port = 0;
		if (calls_sip_uri_host(k->to, host, sizeof(host), &port) != 0 || !c->http ||
		    !c->http->dns ||
		    dns_sip_resolve(c->http->dns, host, port, "udp", api_dns_done, call_ref(k), NULL)) {
			k->leg_gone = true;
			call_set_status(k, "failed", ctl_real_ns(), CTL_CALL_EV_COMPLETED);
			call_maybe_free(k);
		}
		return;
	}
	char host[64], target[256];
	snprintf(host, sizeof(host), "%s", c->cfg.outbound_trunk);
	char *colon = strchr(host, ':');
	struct vox_addr hop = {.family = VOX_AF_INET, .port = 5060};
	struct in_addr in;
	if (colon) {
		*colon = 0;
		hop.port = (uint16_t)atoi(colon + 1);
	}
	if (!host[0] || inet_pton(AF_INET, host, &in) != 1) {
		calls_notify(k, 13223, k->to, "no outbound_trunk configured for phone numbers", 0);
		k->leg_gone = true;
		call_set_status(k, "failed", ctl_real_ns(), CTL_CALL_EV_COMPLETED);
		call_maybe_free(k);
		return;
	}
	memcpy(hop.addr, &in, 4);
	snprintf(target, sizeof(target), "sip:%s@%s", k->to, c->cfg.outbound_trunk);
	api_dial_to(k, &hop, target);
}

/* Record=true: the whole call from its answer, mono, until it ends (or until a <Record> or a
 * <Dial record> takes the leg's recorder: one recording per leg in the dataplane), stored as a
 * Recording with source OutboundAPI once the writer closed the file. */
static void api_rec_closed(void *arg, const struct ctl_rec_closed *rc)
{
	struct call *k = call_deref(calls_module(), arg);
	if (!k || !k->ob_rec_open || rc->rec_id != k->ob_rec_id)
		return;
	k->ob_rec_open = false;
	if (rc->duration_ms && !rc->err) {
		char url[512];
		snprintf(url, sizeof(url), "%s/2010-04-01/Accounts/%s/Recordings/%s", k->m->base_url,
		         k->account_sid, k->ob_rec_sid);
		k->m->cnt.recordings++;
		calls_recording_put(k, k->ob_rec_sid, k->ob_rec_start_ns,
		                    (rc->duration_ms + 500) / 1000, 1, "OutboundAPI", url);
	}
	call_maybe_free(k);
}

static void api_rec_start(struct call *k)
{
	struct ctl *c = k->m->c;
	char dir[300], path[400];
	snprintf(dir, sizeof(dir), "%s/recordings", c->cfg.data_dir);
	struct vox_record vr = {.rec_id = ++k->rec_id}; /* no silence stop, the 4 h maximum */
	if (ctl_mkdirs(dir) != 0 || store_sid_new(k->ob_rec_sid, "RE") != 0) {
		calls_notify(k, 12300, NULL, "Record: no recordings folder", 1);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.wav", dir, k->ob_rec_sid);
	if (ctl_rec_open(c, k->leg, vr.rec_id, 1, path) != 0) {
		calls_notify(k, 12300, NULL, "Record: the file cannot be opened", 1);
		return;
	}
	ctl_rec_watch(c, k->leg, vr.rec_id, false, api_rec_closed, call_ref(k));
	if (call_cmd(k, VOX_CMD_RECORD, 0, &vr, sizeof(vr)) != 0) {
		ctl_rec_abort(c, k->leg, vr.rec_id);
		return;
	}
	k->ob_rec_open = true;
	k->ob_rec_id = vr.rec_id;
	k->ob_rec_start_ns = ctl_real_ns();
}

/* Answered: SendDigits first (as DTMF), then the markup runs (CallStatus=in-progress on its
 * first request). */
void calls_api_answered(struct call *k)
{
	if (!k->eng)
		return;
	if (k->time_limit_s) {
		struct vox_deadline d = {.deadline_ns = ctl_real_ns() +
		                                        (uint64_t)k->time_limit_s * 1000000000ull};
		call_cmd(k, VOX_CMD_SET_DEADLINE, 0, &d, sizeof(d));
	}
	twiml_engine_mark_answered(k->eng);
	if (k->ob_record)
		api_rec_start(k);
	if (k->ob_digits[0]) {
		struct vox_tone t = {.kind = VOX_TONE_DIGITS};
		snprintf(t.digits, sizeof(t.digits), "%s", k->ob_digits);
		if (call_cmd(k, VOX_CMD_TONE, 0, &t, sizeof(t)) == 0) {
			k->media_sent = true;
			k->ob_digits_wait = true; /* calls_ops_media_done goes on */
			return;
		}
	}
	calls_api_markup(k);
}

void calls_api_markup(struct call *k)
{
	if (!k->eng || k->leg_gone)
		return;
	int rc;
	if (k->ob_twiml) {
		struct twiml_prog *prog = NULL;
		struct twiml_err err;
		rc = twiml_parse(k->ob_twiml, strlen(k->ob_twiml), &prog, &err);
		if (rc == 0) {
			char base[300];
			snprintf(base, sizeof(base), "%s/", k->m->base_url);
			snprintf(k->doc_url, sizeof(k->doc_url), "%s", base);
			rc = twiml_engine_start_doc(k->eng, prog, base);
		} else {
			calls_notify(k, err.code, NULL, err.msg, 0);
		}
	} else {
		rc = twiml_engine_start(k->eng, k->ob_url,
		                        strcmp(k->ob_method, "GET") == 0 ? TWIML_GET : TWIML_POST);
	}
	if (rc) {
		CTL_WARN(TAG, "%s: markup not started (%s): hung up", k->sid, strerror(-rc));
		call_cmd(k, VOX_CMD_HANGUP, 0, NULL, 0);
	}
}

int ctl_call_create(struct ctl *c, const struct ctl_call_create *req, ctl_call_done_fn *done,
                    void *arg)
{
	struct ctl_calls *m = c->calls;
	if (!m || !c->store)
		return -ENOTCONN;
	if (!req || !done || !req->account_sid || !req->to || !req->from ||
	    !!req->url + !!req->twiml + !!req->application_sid != 1)
		return -EINVAL;
	json_t *acct = NULL, *app = NULL;
	if (store_res_get(c->store, STORE_K_ACCOUNT, req->account_sid, &acct) != 0)
		return -ENOENT;
	const char *url = req->url, *meth = req->method;
	if (req->application_sid) {
		if (store_res_get(c->store, STORE_K_APP, req->application_sid, &app) != 0) {
			json_decref(acct);
			return -ENOENT;
		}
		url = json_string_value(json_object_get(app, "voice_url"));
		meth = json_string_value(json_object_get(app, "voice_method"));
		if (!url || !*url) {
			json_decref(acct);
			json_decref(app);
			return -EINVAL;
		}
	}
	struct call *k = call_alloc_ext(m);
	if (!k) {
		m->cnt.table_full++;
		json_decref(acct);
		json_decref(app);
		return -EBUSY;
	}
	int rc = store_sid_new(k->sid, "CA");
	if (!rc)
		rc = twiml_engine_create(&k->eng, &calls_twiml_ops, k);
	if (!rc && req->twiml && !(k->ob_twiml = strdup(req->twiml)))
		rc = -ENOMEM;
	if (rc) {
		json_decref(acct);
		json_decref(app);
		call_release(k);
		return rc;
	}
	k->outbound = true;
	k->start_ns = ctl_real_ns();
	snprintf(k->account_sid, sizeof(k->account_sid), "%s", req->account_sid);
	snprintf(k->token, sizeof(k->token), "%s",
	         json_string_value(json_object_get(acct, "auth_token")) ?: "");
	snprintf(k->direction, sizeof(k->direction), "outbound-api");
	snprintf(k->to, sizeof(k->to), "%s", req->to);
	snprintf(k->from, sizeof(k->from), "%s", req->caller_id ? req->caller_id : req->from);
	snprintf(k->ob_url, sizeof(k->ob_url), "%s", url ?: "");
	snprintf(k->ob_method, sizeof(k->ob_method), "%s", meth && *meth ? meth : "POST");
	snprintf(k->fb_url, sizeof(k->fb_url), "%s", req->fallback_url ?: "");
	snprintf(k->fb_method, sizeof(k->fb_method), "%s", req->fallback_method ?: "POST");
	snprintf(k->sc_url, sizeof(k->sc_url), "%s", req->status_callback ?: "");
	snprintf(k->sc_method, sizeof(k->sc_method), "%s", req->status_callback_method ?: "POST");
	snprintf(k->ob_user, sizeof(k->ob_user), "%s", req->sip_auth_username ?: "");
	snprintf(k->ob_pass, sizeof(k->ob_pass), "%s", req->sip_auth_password ?: "");
	snprintf(k->ob_digits, sizeof(k->ob_digits), "%s", req->send_digits ?: "");
	k->ob_record = req->record > 0;
	k->sc_events = req->status_callback_events ? req->status_callback_events
	                                           : CTL_CALL_EV_COMPLETED;
	k->ring_ms = (uint32_t)(req->timeout_s > 0 ? req->timeout_s : 60) * 1000u;
	k->time_limit_s = req->time_limit_s > 0 ? (uint32_t)req->time_limit_s : 14400;
	json_decref(acct);
	json_decref(app);
	k->status = "queued";
	k->rec = call_record_new(k);
	k->api_done = done;
	k->api_arg = arg;
	/* Twilio: "queued" in the 201, "initiated" is the first event as the call is placed */
	k->status = "initiated";
	call_store(k, "initiated", CTL_CALL_EV_INITIATED, k->start_ns, true);
	k->status = "queued";
	return 0;
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
	if (req->queue_sid && (k->q_st != CQ_WAITING || strcmp(k->q_sid, req->queue_sid) != 0)) {
		free(d);
		return -ENOENT; /* not waiting in that queue (any more) */
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
		if (cancel && !k->answered)
			k->canceled = true; /* its end status is canceled (the REST API ended it) */
		call_cmd(k, VOX_CMD_HANGUP, 0, NULL, 0);
	} else if (req->url || req->twiml) {
		/* redirect: a fresh interpreter, already answered, on the new markup */
		struct twiml_engine *e = NULL;
		if (twiml_engine_create(&e, &calls_twiml_ops, k) != 0) {
			free(d);
			return -ENOMEM;
		}
		if (twiml_engine_in_queue(k->eng))
			twiml_engine_queue_redirected(k->eng); /* the Enqueue action: redirected */
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

/* ---- admin `call create` (voxctl call create): the same path as POST /Calls.json ---- */

struct adm_create {
	struct ctl *c;
	uint64_t client;
};

static void adm_created(void *arg, int err, int code, json_t *call)
{
	struct adm_create *a = arg;
	json_t *ans = err ? json_pack("{s:s, s:i}", "error", strerror(-err), "code", code)
	                  : json_incref(call);
	ctl_reply(a->c, a->client, ans);
	free(a);
}

static int unpct(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++, w++) {
		if (*r == '%' && r[1] && r[2]) {
			char h[3] = {r[1], r[2], 0};
			char *e;
			long v = strtol(h, &e, 16);
			if (*e)
				return -EINVAL;
			*w = (char)v;
			r += 2;
		} else {
			*w = *r;
		}
	}
	*w = 0;
	return 0;
}

static json_t *calls_adm_create(struct ctl *c, uint64_t client, int argc, char **argv)
{
	struct ctl_call_create rq = {.timeout_s = 60};
	for (int i = 0; i + 1 < argc; i += 2) {
		char *v = argv[i + 1];
		if (unpct(v))
			return json_pack("{s:s}", "error", "bad escape in a value");
		if (!strcmp(argv[i], "--account"))
			rq.account_sid = v;
		else if (!strcmp(argv[i], "--to"))
			rq.to = v;
		else if (!strcmp(argv[i], "--from"))
			rq.from = v;
		else if (!strcmp(argv[i], "--url"))
			rq.url = v;
		else if (!strcmp(argv[i], "--method"))
			rq.method = v;
		else if (!strcmp(argv[i], "--twiml"))
			rq.twiml = v;
		else if (!strcmp(argv[i], "--fallback-url"))
			rq.fallback_url = v;
		else if (!strcmp(argv[i], "--status-callback"))
			rq.status_callback = v;
		else if (!strcmp(argv[i], "--timeout"))
			rq.timeout_s = atoi(v);
		else if (!strcmp(argv[i], "--send-digits"))
			rq.send_digits = v;
		else if (!strcmp(argv[i], "--record"))
			rq.record = !strcmp(v, "true");
		else if (!strcmp(argv[i], "--events")) {
			rq.status_callback_events |= strstr(v, "initiated") ? CTL_CALL_EV_INITIATED : 0;
			rq.status_callback_events |= strstr(v, "ringing") ? CTL_CALL_EV_RINGING : 0;
			rq.status_callback_events |= strstr(v, "answered") ? CTL_CALL_EV_ANSWERED : 0;
			rq.status_callback_events |= strstr(v, "completed") ? CTL_CALL_EV_COMPLETED : 0;
		} else
			return json_pack("{s:s, s:s}", "error", "unknown option", "option", argv[i]);
	}
	struct adm_create *a = calloc(1, sizeof(*a));
	if (!a)
		return json_pack("{s:s}", "error", "out of memory");
	a->c = c;
	a->client = client;
	int rc = ctl_call_create(c, &rq, adm_created, a);
	if (rc) {
		free(a);
		return json_pack("{s:s}", "error", strerror(-rc));
	}
	return NULL; /* answered after the commit */
}

void calls_api_register(struct ctl *c)
{
	c->calls_admin_create = calls_adm_create;
}
