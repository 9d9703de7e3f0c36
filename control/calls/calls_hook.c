/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_hook.c — a call's HTTP side: markup requests with the standard parameters, signature
 * and fallback; notifications; status callbacks through the store's outbox (sent in
 * SequenceNumber order per call, never awaited by the call); the recordings' media route. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calls_priv.h"
#include "calls_sip.h"
#include "ctl_log.h"
#include "http_ctl.h"
#include "store.h"
#include "store_ent.h"

#define TAG "calls"
#define SC_INFLIGHT 64 /* status callbacks in flight at once (sizeof sc_busy) */
#define SC_WALK 256    /* outbox entries looked at per pump */

/* The request parameters: standard call parameters first, then the verb's. */
struct params {
	struct http_kv kv[64];
	size_t n;
	char names[CALLS_SIP_HDRS][64];
};

static void P(struct params *p, const char *k, const char *v)
{
	if (p->n < sizeof(p->kv) / sizeof(p->kv[0]) && v)
		p->kv[p->n++] = (struct http_kv){k, v};
}

static void std_params(const struct call *k, const char *status, struct params *p)
{
	P(p, "AccountSid", k->account_sid);
	P(p, "ApiVersion", STORE_API_VERSION);
	P(p, "CallSid", k->sid);
	P(p, "CallStatus", status);
	P(p, "Called", k->to);
	P(p, "Caller", k->from);
	P(p, "Direction", k->direction);
	P(p, "From", k->from);
	P(p, "To", k->to);
	if (k->parent_sid[0])
		P(p, "ParentCallSid", k->parent_sid);
	if (k->forwarded_from[0])
		P(p, "ForwardedFrom", k->forwarded_from);
	if (k->sip_call_id[0])
		P(p, "SipCallId", k->sip_call_id);
	if (k->src_ip[0])
		P(p, "SipSourceIp", k->src_ip);
	for (uint32_t i = 0; i < k->n_xh; i++) {
		snprintf(((struct params *)p)->names[i], sizeof(p->names[i]), "SipHeader_%s",
		         k->xh_name[i]);
		P(p, p->names[i], k->xh_val[i]);
	}
}

/* ---- notifications ---- */

void calls_notify(struct call *k, uint32_t code, const char *url, const char *text, int warning)
{
	struct ctl_calls *m = k->m;
	if (!m->c->store)
		return;
	struct store_batch *b = store_batch_new();
	struct calls_ev ev = {.kind = CALLS_EV_NOTIFICATION, .call_sid = k->sid,
	                      .account_sid = k->account_sid, .direction = k->direction,
	                      .ts_ns = ctl_real_ns(), .code = code, .warning = warning, .url = url,
	                      .text = text, .call = k};
	if (b && calls_ev_emit(&m->bus, &ev, b) == 0 && store_batch_ops(b) > 0)
		store_submit(m->c->store, b, NULL, NULL);
	else
		store_batch_free(b);
	CTL_INFO(TAG, "%s: notification %u: %s %s", k->sid, code, text ?: "", url ?: "");
}

/* The notifications subscriber: a Notification resource for every NOTIFICATION event. */
static int ev_notification(void *arg, const struct calls_ev *ev, struct store_batch *b)
{
	struct ctl_calls *m = arg;
	if (ev->kind != CALLS_EV_NOTIFICATION || !b)
		return 0;
	char sid[STORE_SID_LEN + 1], d[40], uri[160], cs[16], more[80];
	if (store_sid_new(sid, "NO") != 0)
		return -EIO;
	uint64_t us = ev->ts_ns / 1000;
	store_rfc2822(us, d);
	snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s/Notifications/%s.json", ev->account_sid,
	         sid);
	snprintf(cs, sizeof(cs), "%u", ev->code);
	snprintf(more, sizeof(more), "https://www.twilio.com/docs/errors/%u", ev->code);
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	                      "s:s, s:s, s:I}",
	                      "sid", sid, "account_sid", ev->account_sid, "call_sid", ev->call_sid,
	                      "api_version", STORE_API_VERSION, "error_code", cs, "log",
	                      ev->warning ? "1" : "0", "message_date", d, "message_text",
	                      ev->text ?: "", "more_info", more, "request_method", "POST",
	                      "request_url", ev->url ?: "", "request_variables", "", "date_created",
	                      d, "date_updated", d, "uri", uri, "_ts", (json_int_t)us);
	int rc = r ? store_res_put(b, STORE_K_NOTIFICATION, r, 1) : -ENOMEM;
	json_decref(r);
	if (!rc)
		m->cnt.notifications++;
	return rc;
}

/* The status-callbacks subscriber: the callback into the outbox when the call's
 * StatusCallbackEvent has the event (completed only when none is given: Twilio's default). */
static int ev_status_callback(void *arg, const struct calls_ev *ev, struct store_batch *b)
{
	(void)arg;
	struct call *k = ev->call;
	if (ev->kind != CALLS_EV_STATE || !k || !b || !k->sc_url[0])
		return 0;
	if (!((k->sc_events ? k->sc_events : CTL_CALL_EV_COMPLETED) & ev->ev_bit))
		return 0;
	return calls_outbox_add(k, b, ev->status, ev->ts_ns);
}

/* The usage subscriber: ended calls and their answered seconds (since control started; usage
 * records and triggers are the next step on this stream). */
static int ev_usage(void *arg, const struct calls_ev *ev, struct store_batch *b)
{
	(void)b;
	struct ctl_calls *m = arg;
	if (ev->kind != CALLS_EV_STATE || ev->ev_bit != CTL_CALL_EV_COMPLETED)
		return 0;
	m->usage.calls++;
	if (ev->direction && !strcmp(ev->direction, "inbound"))
		m->usage.inbound++;
	else
		m->usage.outbound++;
	if (ev->answer_ns && ev->ts_ns > ev->answer_ns) {
		m->usage.answered++;
		m->usage.seconds += (ev->ts_ns - ev->answer_ns + 999999999ull) / 1000000000ull;
	}
	return 0;
}

void calls_events_open(struct ctl_calls *m)
{
	calls_ev_subscribe(&m->bus, "status_callbacks", ev_status_callback, m);
	calls_ev_subscribe(&m->bus, "notifications", ev_notification, m);
	calls_ev_subscribe(&m->bus, "usage", ev_usage, m);
	if (m->c->store) {
		int rc = calls_ev_load(&m->bus, m->c->store);
		if (rc)
			CTL_WARN(TAG, "call events: the stored sequence is unreadable (%s): from 0",
			         strerror(-rc));
	}
}

/* ---- markup requests ---- */

static void hook_start(struct call *k, const char *url, const char *method, struct params *p,
                       const char *fb_url, const char *fb_method);

static void hook_done(const struct http_result *res, int which, int first_error, void *arg)
{
	struct call *k = call_deref(calls_module(), arg);
	if (!k)
		return;
	k->wh = NULL;
	struct ctl_calls *m = k->m;
	if (first_error) {
		m->cnt.webhook_failures++;
		calls_notify(k, (uint32_t)first_error, k->req_url, "the application's URL failed", 0);
	}
	if (which)
		m->cnt.fallbacks++;
	if (k->req_final || !k->eng)
		goto out;
	if (res->error) {
		if (which)
			calls_notify(k, (uint32_t)res->error, res->url, "the fallback URL failed", 0);
		m->cnt.app_errors++;
		twiml_on_fetch_failed(k->eng, (uint32_t)res->error);
		goto out;
	}
	struct twiml_prog *prog = NULL;
	struct twiml_err err = {0};
	int rc;
	if (res->kind == HTTP_CT_AUDIO) {
		/* an audio answer is played as <Play> of the URL; op_play decodes the body held
		 * here rather than fetching it again */
		char xml[CALLS_URL_MAX * 6 + 64];
		void *body = malloc(res->body_len ? res->body_len : 1);
		char *url = strdup(res->url);
		rc = body && url ? calls_audio_markup(res->url, xml, sizeof(xml)) : -ENOMEM;
		if (rc >= 0) {
			memcpy(body, res->body, res->body_len);
			free(k->hook_audio);
			free(k->hook_audio_url);
			k->hook_audio = body;
			k->hook_audio_url = url;
			k->hook_audio_len = res->body_len;
			m->cnt.audio_answers++;
			rc = twiml_parse(xml, (size_t)rc, &prog, &err);
		} else {
			free(body);
			free(url);
			snprintf(err.msg, sizeof(err.msg), "audio answer: %s", strerror(-rc));
		}
	} else {
		rc = twiml_parse(res->body, res->body_len, &prog, &err);
	}
	if (rc) {
		uint32_t code = res->kind == HTTP_CT_AUDIO ? 12300 : err.code ? err.code : 12100;
		m->cnt.parse_errors++;
		calls_notify(k, code, res->url, err.msg, 0);
		if (!which && k->fb_url[0]) {
			/* invalid markup goes to the fallback too, with ErrorCode and ErrorUrl */
			struct params p = {0};
			std_params(k, k->status, &p);
			char cs[16];
			snprintf(cs, sizeof(cs), "%u", code);
			P(&p, "ErrorCode", cs);
			P(&p, "ErrorUrl", res->url);
			hook_start(k, k->fb_url, k->fb_method, &p, NULL, NULL);
			if (k->wh)
				return;
		}
		m->cnt.app_errors++;
		twiml_on_fetch_failed(k->eng, code);
		goto out;
	}
	/* relative URLs in it resolve against the URL requested (without a GET's query) */
	snprintf(k->doc_url, sizeof(k->doc_url), "%s", which ? k->fb_url : k->req_url);
	twiml_on_document(k->eng, prog, k->doc_url);
out:
	if (k->gen)
		call_maybe_free(k);
}

static void hook_start(struct call *k, const char *url, const char *method, struct params *p,
                       const char *fb_url, const char *fb_method)
{
	struct ctl_calls *m = k->m;
	struct http_request rq = {.url = url,
	                          .method = method,
	                          .params = p->kv,
	                          .nparams = p->n,
	                          .auth_token = k->token[0] ? k->token : NULL};
	m->cnt.webhooks++;
	int rc = m->c->http ? http_webhook_start(m->c->http->fetch, &rq, fb_url, fb_method,
	                                         hook_done, call_ref(k), &k->wh)
	                    : -ENOTCONN;
	if (rc) {
		k->wh = NULL;
		CTL_WARN(TAG, "%s: request to %s not started: %s", k->sid, url, strerror(-rc));
	}
}

static void cb_done(const struct http_result *res, void *arg)
{
	struct ctl_calls *m = calls_module();
	if (m && res->error)
		m->cnt.callbacks_failed++;
}

void calls_hook_fetch(struct call *k, const struct twiml_fetch *f, bool callback)
{
	char url[CALLS_URL_MAX];
	const char *base = f->base && *f->base ? f->base : f->url;
	if (http_url_resolve(base, f->url, url, sizeof(url)) != 0) {
		calls_notify(k, 11100, f->url, "invalid URL", 0);
		if (!callback && !f->final && k->eng) {
			k->m->cnt.app_errors++;
			/* the engine waits for this request: fail it on the next event it sees */
			twiml_on_fetch_failed(k->eng, 11100);
		}
		return;
	}
	struct params p = {0};
	std_params(k, f->call_status, &p);
	for (uint32_t i = 0; i < f->n_params; i++)
		P(&p, f->params[i].name, f->params[i].value);
	const char *meth = twiml_method_name(f->method);
	if (callback) {
		struct http_request rq = {.url = url,
		                          .method = meth,
		                          .params = p.kv,
		                          .nparams = p.n,
		                          .auth_token = k->token[0] ? k->token : NULL};
		if (k->m->c->http)
			http_fetch_start(k->m->c->http->fetch, &rq, cb_done, NULL, NULL);
		return;
	}
	if (k->wh && k->m->c->http)
		http_webhook_cancel(k->m->c->http->fetch, k->wh);
	k->wh = NULL;
	snprintf(k->req_url, sizeof(k->req_url), "%s", url);
	k->req_final = f->final;
	hook_start(k, url, meth, &p, k->fb_url[0] ? k->fb_url : NULL, k->fb_method);
	if (!k->wh && !f->final && k->eng) {
		k->m->cnt.app_errors++;
		twiml_on_fetch_failed(k->eng, 11205);
	}
}

/* ---- status callbacks: outbox ---- */

int calls_outbox_add(struct call *k, struct store_batch *b, const char *status, uint64_t ts_ns)
{
	struct params p = {0};
	std_params(k, status, &p);
	char dur[24] = "", seq[16], ts[40];
	const char *dr = json_string_value(json_object_get(k->rec, "duration"));
	if (dr && strcmp(status, "ringing") && strcmp(status, "in-progress"))
		snprintf(dur, sizeof(dur), "%s", dr);
	snprintf(seq, sizeof(seq), "%u", k->sc_seq++);
	store_rfc2822(ts_ns / 1000, ts);
	if (dur[0])
		P(&p, "CallDuration", dur);
	P(&p, "Timestamp", ts);
	P(&p, "SequenceNumber", seq);
	P(&p, "CallbackSource", "call-progress-events");
	json_t *params = json_array();
	for (size_t i = 0; i < p.n; i++)
		json_array_append_new(params, json_pack("[s,s]", p.kv[i].k, p.kv[i].v));
	json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:o}", "call_sid", k->sid, "account_sid",
	                      k->account_sid, "url", k->sc_url, "method", k->sc_method, "params",
	                      params);
	int rc = e ? store_batch_outbox(b, e) : -ENOMEM;
	json_decref(e);
	return rc;
}

struct sc_walk {
	struct ctl_calls *m;
	uint32_t started;
};

static int sc_slot_of_call(struct ctl_calls *m, const char *sid)
{
	for (int i = 0; i < SC_INFLIGHT; i++)
		if (m->sc_busy_seq[i] && strcmp(m->sc_busy[i], sid) == 0)
			return i;
	return -1;
}

static void sc_deleted(void *arg, int status, const struct store_result *r)
{
	struct ctl_calls *m = calls_module();
	if (!m)
		return;
	uintptr_t slot = (uintptr_t)arg;
	m->sc_busy_seq[slot] = 0;
	m->sc_busy[slot][0] = 0;
	m->sc_inflight--;
	calls_sc_pump(m);
}

static void sc_sent(const struct http_result *res, void *arg)
{
	struct ctl_calls *m = calls_module();
	if (!m)
		return;
	uintptr_t slot = (uintptr_t)arg;
	if (res->error)
		m->cnt.callbacks_failed++;
	else
		m->cnt.status_callbacks++;
	/* delivered or failed for good (the fetcher applied the URL's retry rules): the entry
	 * leaves the outbox; the slot stays busy until that commits, so it is never sent twice */
	uint8_t key[8];
	store_outbox_key(key, m->sc_busy_seq[slot]);
	struct store_batch *b = store_batch_new();
	if (b && store_batch_del(b, STORE_DB_OUTBOX, key, 8, 0) == 0 &&
	    store_submit(m->c->store, b, sc_deleted, (void *)slot) == 0)
		return;
	if (b)
		store_batch_free(b);
	sc_deleted((void *)slot, -EIO, NULL);
}

static int sc_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct sc_walk *w = arg;
	struct ctl_calls *m = w->m;
	if (m->sc_inflight >= SC_INFLIGHT)
		return 1;
	uint64_t seq = store_outbox_seq(key, klen);
	for (int i = 0; i < SC_INFLIGHT; i++)
		if (m->sc_busy_seq[i] == seq)
			return 0; /* in flight */
	json_t *e = json_loadb(val, vlen, 0, NULL);
	const char *sid = json_string_value(json_object_get(e, "call_sid"));
	const char *ac = json_string_value(json_object_get(e, "account_sid"));
	const char *url = json_string_value(json_object_get(e, "url"));
	const char *meth = json_string_value(json_object_get(e, "method"));
	json_t *params = json_object_get(e, "params");
	if (!sid || !url || !json_is_array(params) || sc_slot_of_call(m, sid) >= 0) {
		/* malformed entries stay (logged once per pump); a busy call's next one waits */
		json_decref(e);
		return 0;
	}
	int slot = -1;
	for (int i = 0; i < SC_INFLIGHT; i++)
		if (!m->sc_busy_seq[i]) {
			slot = i;
			break;
		}
	char token[64] = "";
	json_t *acct = NULL;
	if (ac && store_res_get(m->c->store, STORE_K_ACCOUNT, ac, &acct) == 0)
		snprintf(token, sizeof(token), "%s",
		         json_string_value(json_object_get(acct, "auth_token")) ?: "");
	json_decref(acct);
	struct http_kv kv[64];
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(params) && n < 64; i++) {
		json_t *pr = json_array_get(params, i);
		kv[n].k = json_string_value(json_array_get(pr, 0));
		kv[n].v = json_string_value(json_array_get(pr, 1));
		if (kv[n].k && kv[n].v)
			n++;
	}
	struct http_request rq = {.url = url,
	                          .method = meth ?: "POST",
	                          .params = kv,
	                          .nparams = n,
	                          .auth_token = token[0] ? token : NULL};
	m->sc_busy_seq[slot] = seq;
	snprintf(m->sc_busy[slot], sizeof(m->sc_busy[slot]), "%s", sid);
	m->sc_inflight++;
	w->started++;
	int rc = m->c->http ? http_fetch_start(m->c->http->fetch, &rq, sc_sent,
	                                       (void *)(uintptr_t)slot, NULL)
	                    : -ENOTCONN;
	json_decref(e);
	if (rc) {
		/* not started (fetcher busy): free the slot, the next pump retries */
		m->sc_busy_seq[slot] = 0;
		m->sc_busy[slot][0] = 0;
		m->sc_inflight--;
		return 1;
	}
	return 0;
}

void calls_sc_pump(struct ctl_calls *m)
{
	if (!m->c->store || m->sc_inflight >= SC_INFLIGHT)
		return;
	struct sc_walk w = {.m = m};
	store_walk(m->c->store, STORE_DB_OUTBOX, NULL, 0, NULL, 0, SC_WALK, 0, sc_visit, &w);
}

/* ---- recordings' media ---- */

static int rec_media(struct http_req *r, void *arg)
{
	struct ctl_calls *m = arg;
	const char *ac = http_req_path_arg(r, "AccountSid");
	const char *sid = http_req_path_arg(r, "RecordingSid");
	char s[64];
	snprintf(s, sizeof(s), "%s", sid ?: "");
	size_t n = strlen(s);
	if (n > 5 && strcmp(s + n - 5, ".json") == 0)
		return HTTP_NEXT; /* the Recording resource: the REST API's */
	if (n > 4 && strcmp(s + n - 4, ".wav") == 0)
		s[n - 4] = 0;
	if (!ac || !store_sid_valid(ac, "AC") || !store_sid_valid(s, "RE"))
		return http_respond_error(r, 404, 20404, "The requested resource was not found"),
		       HTTP_DONE;
	json_t *rec = NULL;
	if (store_res_get(m->c->store, STORE_K_RECORDING, s, &rec) != 0 ||
	    strcmp(json_string_value(json_object_get(rec, "account_sid")) ?: "", ac) != 0) {
		json_decref(rec);
		return http_respond_error(r, 404, 20404, "The requested resource was not found"),
		       HTTP_DONE;
	}
	json_decref(rec);
	char path[400];
	snprintf(path, sizeof(path), "%s/recordings/%s.wav", m->c->cfg.data_dir, s);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return http_respond_error(r, 404, 20404, "The recording's media is missing"), HTTP_DONE;
	}
	http_respond_fd(r, 200, "audio/x-wav", fd, (uint64_t)st.st_size);
	return HTTP_DONE;
}

void calls_rec_route(struct ctl_calls *m)
{
	if (!m->c->http || !m->c->http->server)
		return;
	/* the media only: a name ending in .json is declined (HTTP_NEXT) for the REST API's route */
	http_server_route(m->c->http->server, "GET",
	                  "/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}", rec_media, m);
}
