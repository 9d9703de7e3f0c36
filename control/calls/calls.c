/* SPDX-License-Identifier: BSD-3-Clause */
/* calls.c — the call router: the call table, inbound offers routed by number, the call record
 * and its state changes, and the dataplane events of a call's leg handed to its interpreter. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_priv.h"
#include "calls_sip.h"
#include "ctl_dp.h"
#include "ctl_log.h"
#include "ctl_media.h"
#include "http_ctl.h"
#include "store.h"
#include "store_ent.h"

#define TAG "calls"
#define CALLS_MAX 4096

/* One router per process: loop completions (store, fetch, media) find it here. */
static struct ctl_calls *calls_g;

struct ctl_calls *calls_module(void)
{
	return calls_g;
}

struct call *call_deref(struct ctl_calls *m, void *ref)
{
	uint64_t r = (uint64_t)(uintptr_t)ref;
	uint32_t idx = (uint32_t)r, gen = (uint32_t)(r >> 32);
	if (!m || idx >= m->max || !gen || m->v[idx].gen != gen)
		return NULL;
	return &m->v[idx];
}

static struct call *calls_by_leg(struct ctl_calls *m, vox_handle_t leg)
{
	/* bounded scan of the live calls; a hash is the next step when the table grows */
	if (!leg)
		return NULL;
	for (uint32_t i = 0, seen = 0; i < m->max && seen < m->n; i++) {
		if (!m->v[i].gen)
			continue;
		seen++;
		if (m->v[i].leg == leg)
			return &m->v[i];
	}
	return NULL;
}

static struct call *call_alloc(struct ctl_calls *m)
{
	if (!m->n_free)
		return NULL;
	uint32_t idx = m->free_list[--m->n_free];
	struct call *k = &m->v[idx];
	memset(k, 0, sizeof(*k));
	k->index = idx;
	k->m = m;
	if (++m->gen_next == 0)
		m->gen_next = 1;
	k->gen = m->gen_next;
	m->n++;
	return k;
}

struct call *call_alloc_ext(struct ctl_calls *m)
{
	return call_alloc(m);
}

static void call_free(struct call *k);

void call_release(struct call *k)
{
	call_free(k);
}

static void call_free(struct call *k)
{
	struct ctl_calls *m = k->m;
	calls_ops_cancel(k);
	calls_queue_forget(k);
	calls_dial_drop_all(k);
	/* a final request (the call is over) still goes out; its answer finds no call */
	if (k->wh && !k->req_final && m->c->http)
		http_webhook_cancel(m->c->http->fetch, k->wh);
	k->wh = NULL;
	if (k->eng)
		twiml_engine_destroy(k->eng);
	if (k->committed && m->c->store && !m->closing)
		calls_state_del(k); /* the call is over: nothing to resume */
	free(k->eng_state);
	free(k->ob_twiml);
	free(k->hook_audio);
	free(k->hook_audio_url);
	k->hook_audio = NULL;
	k->hook_audio_url = NULL;
	json_decref(k->rec);
	k->gen = 0;
	m->free_list[m->n_free++] = k->index;
	m->n--;
	m->cnt.ended++;
}

int call_cmd(struct call *k, uint16_t type, int32_t status, const void *pl, uint32_t len)
{
	if (k->leg_gone)
		return -ENOTCONN;
	struct vox_rec_hdr h = {.type = type, .status = status, .leg = k->leg};
	memcpy(h.tag, k->sid + 2, sizeof(h.tag));
	int rc = ctl_dp_send(k->m->c, k->worker, &h, pl, len);
	k->m->cmds_sent += rc == 0;
	if (rc) {
		k->m->cnt.cmd_errors++;
		CTL_WARN(TAG, "%s: %s not sent: %s", k->sid, ctl_dp_type_name(type), strerror(-rc));
	}
	return rc;
}

/* ---- the call record ---- */

static void rec_set_time(json_t *rec, const char *field, uint64_t ns)
{
	char d[40];
	store_rfc2822(ns / 1000, d);
	json_object_set_new(rec, field, json_string(d));
}

json_t *call_record_new(struct call *k)
{
	char d[40], uri[128];
	store_rfc2822(k->start_ns / 1000, d);
	snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s/Calls/%s.json", k->account_sid, k->sid);
	json_t *r = json_object();
	json_object_set_new(r, "sid", json_string(k->sid));
	json_object_set_new(r, "account_sid", json_string(k->account_sid));
	json_object_set_new(r, "api_version", json_string(STORE_API_VERSION));
	json_object_set_new(r, "_ts", json_integer((json_int_t)(k->start_ns / 1000)));
	const char *nulls[] = {"annotation", "answered_by", "caller_name", "duration", "end_time",
	                       "group_sid", "parent_call_sid", "price", "trunk_sid"};
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		json_object_set_new(r, nulls[i], json_null());
	json_object_set_new(r, "date_created", json_string(d));
	json_object_set_new(r, "date_updated", json_string(d));
	json_object_set_new(r, "start_time", json_string(d));
	json_object_set_new(r, "direction", json_string(k->direction));
	json_object_set_new(r, "forwarded_from",
	                    k->forwarded_from[0] ? json_string(k->forwarded_from) : json_null());
	json_object_set_new(r, "from", json_string(k->from));
	json_object_set_new(r, "from_formatted", json_string(k->from));
	json_object_set_new(r, "to", json_string(k->to));
	json_object_set_new(r, "to_formatted", json_string(k->to));
	json_object_set_new(r, "phone_number_sid",
	                    k->number_sid[0] ? json_string(k->number_sid) : json_null());
	json_object_set_new(r, "price_unit", json_string("USD"));
	json_object_set_new(r, "queue_time", json_string("0"));
	json_object_set_new(r, "status", json_string(k->status));
	json_object_set_new(r, "uri", json_string(uri));
	char sub[3][160];
	const char *names[] = {"notifications", "recordings", "events"};
	const char *paths[] = {"Notifications", "Recordings", "Events"};
	json_t *s = json_object();
	for (int i = 0; i < 3; i++) {
		snprintf(sub[i], sizeof(sub[i]), "/2010-04-01/Accounts/%s/Calls/%s/%s.json",
		         k->account_sid, k->sid, paths[i]);
		json_object_set_new(s, names[i], json_string(sub[i]));
	}
	json_object_set_new(r, "subresource_uris", s);
	return r;
}

static void call_record_done(void *arg, int status, const struct store_result *r)
{
	struct ctl_calls *m = calls_g;
	if (status) {
		if (m)
			m->cnt.store_errors++;
		CTL_WARN(TAG, "call record not stored: %s", strerror(-status));
	}
	if (m && r && r->outbox_n)
		calls_sc_pump(m);
	struct call *k = call_deref(m, arg);
	if (!k || k->committed)
		return;
	k->committed = true;
	if (k->outbound) {
		calls_api_committed(k, status);
		return;
	}
	if (status) {
		/* no durable record: the call cannot go on */
		call_cmd(k, VOX_CMD_REJECT, 0, NULL, 0);
		return;
	}
	if (k->leg_gone)
		return;
	const char *url = json_string_value(json_object_get(k->rec, "_voice_url"));
	const char *meth = json_string_value(json_object_get(k->rec, "_voice_method"));
	int rc = twiml_engine_start(k->eng, url ? url : "",
	                            meth && strcmp(meth, "GET") == 0 ? TWIML_GET : TWIML_POST);
	if (rc)
		CTL_WARN(TAG, "%s: engine start: %s", k->sid, strerror(-rc));
}

/* Write the call record and emit its state event (status callback, usage... are the
 * subscribers') in one batch. */
void call_store(struct call *k, const char *ev_status, unsigned ev_bit, uint64_t ts_ns, bool create)
{
	struct ctl_calls *m = k->m;
	struct store_batch *b = store_batch_new();
	if (!b) {
		m->cnt.store_errors++;
		return;
	}
	json_t *view = json_deep_copy(k->rec);
	/* private fields of the router stay in memory */
	json_object_del(view, "_voice_url");
	json_object_del(view, "_voice_method");
	int rc = store_res_put(b, STORE_K_CALL, view, create);
	json_decref(view);
	if (!rc && ev_status) {
		struct calls_ev ev = {.kind = CALLS_EV_STATE, .call_sid = k->sid,
		                      .account_sid = k->account_sid, .direction = k->direction,
		                      .status = ev_status, .ev_bit = ev_bit, .ts_ns = ts_ns,
		                      .answer_ns = k->answer_ns, .call = k};
		rc = calls_ev_emit(&m->bus, &ev, b);
	}
	if (!rc && !k->leg_gone)
		rc = calls_state_put(k, b); /* with the callback sequence it just used */
	if (rc) {
		store_batch_free(b);
		m->cnt.store_errors++;
		return;
	}
	rc = store_submit(m->c->store, b, call_record_done, create ? call_ref(k) : NULL);
	if (rc)
		m->cnt.store_errors++;
}

/* A state change: the record and (if subscribed) its status callback, committed together. */
void call_set_status(struct call *k, const char *status, uint64_t ts_ns, enum ctl_call_ev ev)
{
	if (k->status && strcmp(k->status, status) == 0)
		return; /* emitted once */
	k->status = status;
	json_object_set_new(k->rec, "status", json_string(status));
	rec_set_time(k->rec, "date_updated", ts_ns);
	if (ev == CTL_CALL_EV_ANSWERED)
		rec_set_time(k->rec, "start_time", ts_ns);
	if (ev == CTL_CALL_EV_COMPLETED) {
		rec_set_time(k->rec, "end_time", ts_ns);
		uint64_t from = k->answer_ns ? k->answer_ns : ts_ns;
		char dur[24];
		snprintf(dur, sizeof(dur), "%llu",
		         (unsigned long long)(ts_ns > from ? (ts_ns - from + 500000000ull) / 1000000000ull : 0));
		json_object_set_new(k->rec, "duration", json_string(dur));
	}
	call_store(k, status, (unsigned)ev, ts_ns, false); /* emitted once: the subscribers act */
}

void call_maybe_free(struct call *k)
{
	if (!k->leg_gone || !k->committed || calls_dial_live(k))
		return; /* a <Dial>'s legs still report to the engine (its final action) */
	if (k->rec_token || k->ob_rec_open)
		return; /* a <Record>'s (or Record=true's) file is being closed (the leg's end closes
		           it): its result and the action still come (their close frees the call) */
	/* the caller is gone and no outbound leg is left: nothing else will come to the engine
	 * (its final request, if any, is already out) */
	call_free(k);
}

/* ---- inbound offers ---- */

static void pstr_copy(char *out, size_t cap, const char *raw, uint32_t raw_len, struct vox_pstr p)
{
	size_t n = p.len;
	if ((uint32_t)p.off + p.len > raw_len)
		n = 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, raw + p.off, n);
	out[n] = 0;
}

static void offer_reject(struct ctl *c, const struct vox_rec_hdr *h, uint16_t code)
{
	struct ctl_dp_pay p;
	struct vox_sip_reply r = {.code = code};
	ctl_dp_pay_init(&p, sizeof(r));
	ctl_dp_pay_fixed(&p, &r, sizeof(r));
	struct vox_rec_hdr o = {.type = VOX_CMD_REJECT, .leg = h->leg};
	ctl_dp_send(c, h->worker, &o, p.buf, p.len);
}

static void on_offered(struct ctl_calls *m, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl *c = m->c;
	m->cnt.offered++;
	if (h->flags & VOX_RECF_REEMIT && calls_by_leg(m, h->leg))
		return; /* a re-emitted offer we follow already */
	if (h->len < sizeof(struct vox_sip_in)) {
		m->cnt.bad_offer++;
		offer_reject(c, h, 400);
		return;
	}
	struct vox_sip_in si;
	memcpy(&si, payload, sizeof(si));
	const char *raw = (const char *)payload + sizeof(si);
	uint32_t raw_len = h->len - (uint32_t)sizeof(si);
	if (si.raw_len < raw_len)
		raw_len = si.raw_len;
	char user[128], e164[STORE_E164_MAX + 1];
	pstr_copy(user, sizeof(user), raw, raw_len, si.f[VOX_SF_RURI_USER]);
	if (!user[0])
		pstr_copy(user, sizeof(user), raw, raw_len, si.f[VOX_SF_TO_USER]);
	json_t *num = NULL, *acct = NULL;
	if (!c->store || store_e164_normalize(user, e164) != 0 ||
	    store_number_lookup(c->store, e164, &num) != 0) {
		m->cnt.unknown_number++;
		CTL_INFO(TAG, "offer to '%s': no such number: 404", user);
		offer_reject(c, h, 404);
		return;
	}
	const char *acsid = json_string_value(json_object_get(num, "account_sid"));
	if (!acsid || store_res_get(c->store, STORE_K_ACCOUNT, acsid, &acct) != 0 ||
	    strcmp(json_string_value(json_object_get(acct, "status")) ?: "", "active") != 0) {
		m->cnt.unknown_number++;
		offer_reject(c, h, 404);
		goto out;
	}
	struct call *k = call_alloc(m);
	if (!k) {
		m->cnt.table_full++;
		offer_reject(c, h, 503);
		goto out;
	}
	if (store_sid_new(k->sid, "CA") != 0 || twiml_engine_create(&k->eng, &calls_twiml_ops, k) != 0) {
		call_free(k);
		offer_reject(c, h, 500);
		goto out;
	}
	k->leg = h->leg;
	k->worker = h->worker;
	k->start_ns = h->ts_ns;
	snprintf(k->account_sid, sizeof(k->account_sid), "%s", acsid);
	snprintf(k->token, sizeof(k->token), "%s",
	         json_string_value(json_object_get(acct, "auth_token")) ?: "");
	snprintf(k->number_sid, sizeof(k->number_sid), "%s",
	         json_string_value(json_object_get(num, "sid")) ?: "");
	snprintf(k->direction, sizeof(k->direction), "inbound");
	snprintf(k->to, sizeof(k->to), "%s", e164);
	char fu[128], fe[STORE_E164_MAX + 1];
	pstr_copy(fu, sizeof(fu), raw, raw_len, si.f[VOX_SF_FROM_USER]);
	snprintf(k->from, sizeof(k->from), "%s", store_e164_normalize(fu, fe) == 0 ? fe : fu);
	pstr_copy(k->sip_call_id, sizeof(k->sip_call_id), raw, raw_len, si.f[VOX_SF_CALL_ID]);
	char div[256];
	pstr_copy(div, sizeof(div), raw, raw_len, si.f[VOX_SF_DIVERSION]);
	if (div[0] && calls_sip_addr_user(div, k->forwarded_from, sizeof(k->forwarded_from)) != 0)
		k->forwarded_from[0] = 0;
	if (si.src.family == VOX_AF_INET)
		snprintf(k->src_ip, sizeof(k->src_ip), "%u.%u.%u.%u", si.src.addr[0], si.src.addr[1],
		         si.src.addr[2], si.src.addr[3]);
	k->n_xh = calls_sip_x_headers(raw, raw_len, k->xh_name[0], sizeof(k->xh_name[0]), k->xh_val[0],
	                              sizeof(k->xh_val[0]), CALLS_SIP_HDRS);
	const char *s;
	s = json_string_value(json_object_get(num, "voice_fallback_url"));
	snprintf(k->fb_url, sizeof(k->fb_url), "%s", s ?: "");
	s = json_string_value(json_object_get(num, "voice_fallback_method"));
	snprintf(k->fb_method, sizeof(k->fb_method), "%s", s ?: "POST");
	s = json_string_value(json_object_get(num, "status_callback"));
	snprintf(k->sc_url, sizeof(k->sc_url), "%s", s ?: "");
	s = json_string_value(json_object_get(num, "status_callback_method"));
	snprintf(k->sc_method, sizeof(k->sc_method), "%s", s ?: "POST");
	k->sc_events = CTL_CALL_EV_COMPLETED; /* a number's StatusCallback: the completed event */
	k->status = "ringing";
	k->rec = call_record_new(k);
	s = json_string_value(json_object_get(num, "voice_url"));
	json_object_set_new(k->rec, "_voice_url", json_string(s ?: ""));
	s = json_string_value(json_object_get(num, "voice_method"));
	json_object_set_new(k->rec, "_voice_method", json_string(s ?: "POST"));
	m->cnt.routed++;
	CTL_INFO(TAG, "%s: offer from %s to %s (leg 0x%016llx)", k->sid, k->from, k->to,
	         (unsigned long long)k->leg);
	/* 180 while the first document is fetched; the record first, then the webhook */
	call_cmd(k, VOX_CMD_RING, 180, NULL, 0);
	call_store(k, "ringing", CTL_CALL_EV_RINGING, h->ts_ns, true);
out:
	json_decref(num);
	json_decref(acct);
}

/* ---- events of a call's leg ---- */

static void on_leg_gone(struct call *k, const struct vox_rec_hdr *h, const void *payload)
{
	if (k->leg_gone)
		return;
	k->leg_gone = true;
	k->end_ns = h->ts_ns;
	struct vox_leg_sip ls = {0};
	if (h->len >= sizeof(ls))
		memcpy(&ls, payload, sizeof(ls));
	const char *st = k->outbound ? calls_api_end_status(k, ls.sip_code ? ls.sip_code
	                                                    : h->status >= 100 && h->status < 700
	                                                        ? (uint16_t)h->status : 0)
	                             : calls_end_status(k->answered, k->rejected, k->rejected_busy,
	                                                ls.by == VOX_BY_REMOTE || k->canceled);
	if (k->eng)
		twiml_on_call_ended(k->eng);
	calls_ops_cancel(k);
	call_set_status(k, st, h->ts_ns, CTL_CALL_EV_COMPLETED);
	CTL_INFO(TAG, "%s: %s (%s)", k->sid, st, ctl_dp_type_name(h->type));
	call_maybe_free(k);
}

static void calls_event(struct ctl_calls *m, const struct vox_rec_hdr *h, const void *payload);

/* The platform's part of an event's handling: from the dataplane's event timestamp to the
 * command it caused (ring transit, drain, routing, engine), for events that caused one. */
static void lat_record(struct ctl_calls *m, uint64_t ts_ns)
{
	uint64_t now = ctl_real_ns();
	uint64_t us = now > ts_ns ? (now - ts_ns) / 1000 : 0;
	uint32_t b = 0;
	while (b < 31 && (1ull << b) <= us)
		b++;
	m->lat_hist[b]++;
	m->lat_n++;
}

/* The upper bound (µs) of the bucket holding the q-th quantile (q in 0..1000). */
static uint64_t lat_quantile(const struct ctl_calls *m, uint32_t q)
{
	if (!m->lat_n)
		return 0;
	uint64_t want = (m->lat_n * q + 999) / 1000, seen = 0;
	for (uint32_t b = 0; b < 32; b++) {
		seen += m->lat_hist[b];
		if (seen >= want)
			return 1ull << b;
	}
	return 1ull << 31;
}

void ctl_calls_on_event(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_calls *m = c->calls;
	if (!m || c->script)
		return;
	uint64_t before = m->cmds_sent;
	calls_event(m, h, payload);
	if (m->cmds_sent != before && h->ts_ns)
		lat_record(m, h->ts_ns);
}

static void calls_event(struct ctl_calls *m, const struct vox_rec_hdr *h, const void *payload)
{
	if (h->type == VOX_EVT_LEG_OFFERED) {
		on_offered(m, h, payload);
		return;
	}
	if (calls_whisper_event(m, h, payload))
		return; /* a Dial noun's url running on the callee's leg (calls_whisper.c) */
	struct call *k = calls_by_leg(m, h->leg);
	if (!k && h->req_id && (h->type == VOX_EVT_LEG_CREATED || h->type == VOX_EVT_LEG_FAILED)) {
		/* an outbound-api call's own leg, named by its DIAL's request id */
		for (uint32_t i = 0, seen = 0; i < m->max && seen < m->n; i++) {
			if (!m->v[i].gen)
				continue;
			seen++;
			if (m->v[i].outbound && m->v[i].out_req_id == h->req_id && !m->v[i].leg) {
				k = &m->v[i];
				break;
			}
		}
		if (k && h->type == VOX_EVT_LEG_CREATED) {
			k->leg = h->leg;
			k->worker = h->worker;
			if (k->canceled)
				call_cmd(k, VOX_CMD_CANCEL_LEG, 0, NULL, 0);
			return;
		}
	}
	if (!k) {
		/* an outbound leg of a <Dial> (by handle, or by request id until LEG_CREATED) */
		for (uint32_t i = 0, seen = 0; i < m->max && seen < m->n; i++) {
			if (!m->v[i].gen)
				continue;
			seen++;
			if (calls_dial_owns(&m->v[i], h)) {
				k = &m->v[i];
				calls_dial_event(k, h, payload);
				if (k->gen)
					call_maybe_free(k);
				return;
			}
		}
		return;
	}
	switch (h->type) {
	case VOX_EVT_LEG_ANSWERED:
		if (!k->answered) {
			k->answered = true;
			struct vox_leg_sip ls = {0};
			if (h->len >= sizeof(ls))
				memcpy(&ls, payload, sizeof(ls));
			k->answer_ns = ls.answered_ns ? ls.answered_ns : h->ts_ns;
			call_set_status(k, "in-progress", k->answer_ns, CTL_CALL_EV_ANSWERED);
			if (k->outbound)
				calls_api_answered(k);
		}
		break;
	case VOX_EVT_LEG_PROGRESS:
		if (k->outbound && !k->answered)
			call_set_status(k, "ringing", h->ts_ns, CTL_CALL_EV_RINGING);
		break;
	case VOX_EVT_LEG_ENDED:
	case VOX_EVT_LEG_FAILED:
	case VOX_EVT_STALE_HANDLE:
		on_leg_gone(k, h, payload);
		break;
	case VOX_EVT_MEDIA_DONE:
		calls_ops_media_done(k, h->status);
		break;
	case VOX_EVT_DTMF:
		if (h->len >= sizeof(struct vox_dtmf))
			calls_ops_dtmf(k, ((const struct vox_dtmf *)payload)->digit);
		break;
	case VOX_EVT_BRIDGED:
	case VOX_EVT_UNBRIDGED:
	case VOX_EVT_BRIDGE_FAILED:
		calls_queue_on_event(k, h); /* queue members and <Dial><Queue> callers */
		break;
	case VOX_EVT_RECORDING_DONE:
		if (h->len >= sizeof(struct vox_recording_done)) {
			struct vox_recording_done d;
			memcpy(&d, payload, sizeof(d));
			if (!calls_dialrec_done(k, &d)) /* a <Dial record>'s, else a <Record>'s */
				calls_ops_record_done(k, &d);
		}
		break;
	default:
		break;
	}
	if (k->gen)
		call_maybe_free(k);
}

/* ---- module ---- */

json_t *ctl_calls_json(struct ctl *c)
{
	struct ctl_calls *m = c->calls;
	if (!m)
		return json_null();
	const struct calls_counters *n = &m->cnt;
	json_t *o = json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "offered", (json_int_t)n->offered, "routed", (json_int_t)n->routed, "unknown_number",
	    (json_int_t)n->unknown_number, "bad_offer", (json_int_t)n->bad_offer, "table_full",
	    (json_int_t)n->table_full, "store_errors", (json_int_t)n->store_errors, "webhooks",
	    (json_int_t)n->webhooks, "webhook_failures", (json_int_t)n->webhook_failures,
	    "app_errors", (json_int_t)n->app_errors, "notifications", (json_int_t)n->notifications,
	    "prompts_tts", (json_int_t)n->prompts_tts, "prompts_cached", (json_int_t)n->prompts_cached,
	    "plays_fetched", (json_int_t)n->plays_fetched, "media_errors", (json_int_t)n->media_errors,
	    "recordings", (json_int_t)n->recordings, "status_callbacks",
	    (json_int_t)n->status_callbacks, "ended", (json_int_t)n->ended);
	json_object_set_new(o, "callbacks_failed", json_integer((json_int_t)n->callbacks_failed));
	json_object_set_new(o, "cmd_errors", json_integer((json_int_t)n->cmd_errors));
	json_object_set_new(o, "plays_cached", json_integer((json_int_t)n->plays_cached));
	json_object_set_new(o, "resumed", json_integer((json_int_t)n->resumed));
	json_object_set_new(o, "audio_answers", json_integer((json_int_t)n->audio_answers));
	json_object_set_new(o, "event_to_cmd_us",
	                    json_pack("{s:I, s:I, s:I}", "n", (json_int_t)m->lat_n, "p50_le",
	                              (json_int_t)lat_quantile(m, 500), "p99_le",
	                              (json_int_t)lat_quantile(m, 990)));
	json_object_set_new(o, "dials", json_integer((json_int_t)n->dials));
	json_object_set_new(o, "queues", calls_queue_json(m));
	json_object_set_new(o, "events", calls_ev_json(&m->bus));
	json_object_set_new(o, "usage", json_pack("{s:I, s:I, s:I, s:I, s:I}", "calls",
	                                          (json_int_t)m->usage.calls, "answered",
	                                          (json_int_t)m->usage.answered, "seconds",
	                                          (json_int_t)m->usage.seconds, "inbound",
	                                          (json_int_t)m->usage.inbound, "outbound",
	                                          (json_int_t)m->usage.outbound));
	json_object_set_new(o, "live", json_integer(m->n));
	if (c->store) {
		json_object_set_new(o, "persisted", json_integer(store_count(c->store, STORE_DB_CALLSTATE)));
		json_object_set_new(o, "outbox", json_integer(store_count(c->store, STORE_DB_OUTBOX)));
	}
	json_object_set_new(o, "max", json_integer(m->max));
	json_object_set_new(o, "media", calls_media_json(m));
	return o;
}

static json_t *calls_json_hook(struct ctl *c)
{
	return ctl_calls_json(c);
}

int ctl_calls_open(struct ctl *c)
{
	struct ctl_calls *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->c = c;
	m->max = CALLS_MAX;
	m->v = calloc(m->max, sizeof(*m->v));
	m->free_list = calloc(m->max, sizeof(*m->free_list));
	if (!m->v || !m->free_list) {
		free(m->v);
		free(m->free_list);
		free(m);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < m->max; i++)
		m->free_list[i] = m->max - 1 - i;
	m->n_free = m->max;
	snprintf(m->base_url, sizeof(m->base_url), "%s", c->cfg.public_base_url);
	struct ctl_media_cfg mc;
	ctl_media_cfg_default(&mc);
	int rc = ctl_media_create(&m->media, c->loop, &mc);
	if (rc)
		CTL_WARN(TAG, "media module: %s (Say and Play fail)", strerror(-rc));
	struct http_fetch_cfg fc = {.max_xfers = 256, .max_host_conns = 8, .max_conns = 64,
	                            .max_body = 32u << 20, .user_agent = "voxplane"};
	rc = http_fetch_create(&m->media_fetch, c->loop, &fc);
	if (rc)
		CTL_WARN(TAG, "media fetcher: %s (Play fails)", strerror(-rc));
	calls_events_open(m);
	calls_g = m;
	c->calls = m;
	c->calls_event = ctl_calls_on_event;
	c->calls_json = calls_json_hook;
	c->calls_attach = calls_on_attach;
	calls_api_register(c);
	calls_rec_route(m);
	if (c->script)
		CTL_INFO(TAG, "router = script: markup is off while %s decides", c->cfg.script);
	calls_sc_pump(m);
	return 0;
}

void ctl_calls_close(struct ctl *c)
{
	struct ctl_calls *m = c->calls;
	if (!m)
		return;
	m->closing = true;
	for (uint32_t i = 0; i < m->max; i++)
		if (m->v[i].gen)
			call_free(&m->v[i]);
	calls_media_close(m);
	if (m->media)
		ctl_media_destroy(m->media);
	if (m->media_fetch)
		http_fetch_destroy(m->media_fetch);
	calls_queue_close(m);
	free(m->v);
	free(m->free_list);
	free(m);
	calls_g = NULL;
	c->calls = NULL;
	c->calls_event = NULL;
	c->calls_json = NULL;
	c->calls_attach = NULL;
	c->calls_admin_create = NULL;
}
