/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_child.c — a <Dial> noun's child call (direction outbound-dial): its Call record in the
 * store (GET /Calls/{DialCallSid}.json), its own status callbacks (the noun's statusCallback,
 * statusCallbackEvent, statusCallbackMethod; the child's CallSid, ParentCallSid, through the
 * outbox in SequenceNumber order), and what runs on the callee's leg between its answer and the
 * bridge: sendDigits (TONE digits), then the noun's url (the whisper, calls_whisper.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_dialx.h"
#include "calls_priv.h"
#include "ctl_dp.h"
#include "http.h"
#include "ctl_log.h"
#include "store.h"
#include "store_ent.h"

#define TAG "calls"

static void rec_time(json_t *rec, const char *field, uint64_t ns)
{
	char d[40];
	store_rfc2822(ns / 1000, d);
	json_object_set_new(rec, field, json_string(d));
}

static json_t *child_record(const struct call *k, const struct call_child *ch, const char *sid,
                            uint64_t ns)
{
	char d[40], uri[128];
	store_rfc2822(ns / 1000, d);
	snprintf(uri, sizeof(uri), "/2010-04-01/Accounts/%s/Calls/%s.json", k->account_sid, sid);
	json_t *r = json_object();
	json_object_set_new(r, "sid", json_string(sid));
	json_object_set_new(r, "account_sid", json_string(k->account_sid));
	json_object_set_new(r, "api_version", json_string(STORE_API_VERSION));
	json_object_set_new(r, "_ts", json_integer((json_int_t)(ns / 1000)));
	const char *nulls[] = {"annotation", "answered_by", "caller_name", "duration", "end_time",
	                       "forwarded_from", "group_sid", "phone_number_sid", "price",
	                       "trunk_sid"};
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		json_object_set_new(r, nulls[i], json_null());
	json_object_set_new(r, "date_created", json_string(d));
	json_object_set_new(r, "date_updated", json_string(d));
	json_object_set_new(r, "start_time", json_string(d));
	json_object_set_new(r, "direction", json_string("outbound-dial"));
	json_object_set_new(r, "parent_call_sid", json_string(k->sid));
	json_object_set_new(r, "from", json_string(ch->from));
	json_object_set_new(r, "from_formatted", json_string(ch->from));
	json_object_set_new(r, "to", json_string(ch->to));
	json_object_set_new(r, "to_formatted", json_string(ch->to));
	json_object_set_new(r, "price_unit", json_string("USD"));
	json_object_set_new(r, "queue_time", json_string("0"));
	json_object_set_new(r, "status", json_string("queued"));
	json_object_set_new(r, "uri", json_string(uri));
	json_t *s = json_object();
	const char *names[] = {"notifications", "recordings", "events"};
	const char *paths[] = {"Notifications", "Recordings", "Events"};
	for (int i = 0; i < 3; i++) {
		char sub[160];
		snprintf(sub, sizeof(sub), "/2010-04-01/Accounts/%s/Calls/%s/%s.json", k->account_sid,
		         sid, paths[i]);
		json_object_set_new(s, names[i], json_string(sub));
	}
	json_object_set_new(r, "subresource_uris", s);
	return r;
}

/* The child's status callback: its own CallSid and SequenceNumber, the parent's sid. */
static json_t *child_callback(const struct call *k, struct call_child *ch, const char *sid,
                              const char *status, uint64_t ns)
{
	char seq[16], ts[40];
	snprintf(seq, sizeof(seq), "%u", ch->sc_seq++);
	store_rfc2822(ns / 1000, ts);
	json_t *p = json_array();
	const char *kv[][2] = {{"AccountSid", k->account_sid},
	                       {"ApiVersion", STORE_API_VERSION},
	                       {"CallSid", sid},
	                       {"CallStatus", status},
	                       {"Called", ch->to},
	                       {"Caller", ch->from},
	                       {"Direction", "outbound-dial"},
	                       {"From", ch->from},
	                       {"To", ch->to},
	                       {"ParentCallSid", k->sid},
	                       {"Timestamp", ts},
	                       {"SequenceNumber", seq},
	                       {"CallbackSource", "call-progress-events"}};
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		json_array_append_new(p, json_pack("[s,s]", kv[i][0], kv[i][1]));
	const char *dur = json_string_value(json_object_get(ch->rec, "duration"));
	if (dur && strcmp(status, "ringing") && strcmp(status, "in-progress") &&
	    strcmp(status, "initiated"))
		json_array_append_new(p, json_pack("[s,s]", "CallDuration", dur));
	if (ch->sip_code && strcmp(status, "initiated") && strcmp(status, "ringing")) {
		char code[8];
		snprintf(code, sizeof(code), "%u", ch->sip_code);
		json_array_append_new(p, json_pack("[s,s]", "SipResponseCode", code));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "call_sid", sid, "account_sid", k->account_sid,
	                 "url", ch->sc_url, "method", ch->sc_get ? "GET" : "POST", "params", p);
}

static void child_stored(void *arg, int status, const struct store_result *r)
{
	(void)arg;
	struct ctl_calls *m = calls_module();
	if (!m)
		return;
	if (status) {
		m->cnt.store_errors++;
		CTL_WARN(TAG, "child call record not stored: %s", strerror(-status));
	}
	if (r && r->outbox_n)
		calls_sc_pump(m);
}

/* One step of the child call: its record (and the callback when subscribed) in one batch. */
static void child_step(struct call *k, struct call_dleg *d, unsigned ev, const char *final,
                       uint64_t ns)
{
	struct call_child *ch = d->ch;
	if (!ch || !k->m->c->store)
		return;
	bool notify = false;
	const char *st = calls_child_step(&ch->phase, ev, final, ch->events, &notify);
	if (!st)
		return;
	json_object_set_new(ch->rec, "status", json_string(st));
	rec_time(ch->rec, "date_updated", ns);
	if (ev == CALLS_CHILD_ANSWERED) {
		ch->answer_ns = ns;
		rec_time(ch->rec, "start_time", ns);
	}
	if (ev == CALLS_CHILD_COMPLETED) {
		rec_time(ch->rec, "end_time", ns);
		uint64_t from = ch->answer_ns ? ch->answer_ns : ns;
		char dur[24];
		snprintf(dur, sizeof(dur), "%llu",
		         (unsigned long long)(ns > from ? (ns - from + 500000000ull) / 1000000000ull : 0));
		json_object_set_new(ch->rec, "duration", json_string(dur));
	}
	struct store_batch *b = store_batch_new();
	int rc = b ? store_res_put(b, STORE_K_CALL, ch->rec, ev == CALLS_CHILD_INITIATED) : -ENOMEM;
	if (!rc) {
		/* on the call event stream like every state change (its callback is its own, below:
		 * the stream's status-callback subscriber serves the router's calls) */
		_Static_assert((unsigned)CALLS_CHILD_COMPLETED == (unsigned)CTL_CALL_EV_COMPLETED &&
		                   (unsigned)CALLS_CHILD_ANSWERED == (unsigned)CTL_CALL_EV_ANSWERED,
		               "child steps are StatusCallbackEvent bits");
		struct calls_ev cev = {.kind = CALLS_EV_STATE, .call_sid = d->sid,
		                       .account_sid = k->account_sid, .direction = "outbound-dial",
		                       .status = st, .ev_bit = ev, .ts_ns = ns,
		                       .answer_ns = ch->answer_ns};
		rc = calls_ev_emit(&k->m->bus, &cev, b);
	}
	if (!rc && notify && ch->sc_url) {
		json_t *e = child_callback(k, ch, d->sid,
		                           ev == CALLS_CHILD_INITIATED ? "initiated" : st, ns);
		rc = e ? store_batch_outbox(b, e) : -ENOMEM;
		json_decref(e);
	}
	if (!rc)
		rc = store_submit(k->m->c->store, b, child_stored, NULL);
	else
		store_batch_free(b);
	if (rc)
		k->m->cnt.store_errors++;
}

void calls_child_free(struct call_dleg *d)
{
	struct call_child *ch = d->ch;
	if (!ch)
		return;
	calls_whisper_drop(ch);
	json_decref(ch->rec);
	free(ch->sc_url);
	free(ch->url);
	free(ch);
	d->ch = NULL;
}

void calls_child_start(struct call *k, uint32_t leg, const struct twiml_node *dial,
                       const struct twiml_node *noun)
{
	struct call_dleg *d = &k->dl[leg];
	calls_child_free(d);
	struct call_child *ch = calloc(1, sizeof(*ch));
	if (!ch)
		return;
	ch->leg = leg;
	const char *cid = dial->u.dial.caller_id && *dial->u.dial.caller_id ? dial->u.dial.caller_id
	                                                                   : k->from;
	snprintf(ch->from, sizeof(ch->from), "%s", cid);
	snprintf(ch->to, sizeof(ch->to), "%s", noun->text);
	const char *sc = NULL, *url = NULL, *digits = NULL;
	uint8_t sc_m = 0, url_m = 0;
	if (noun->kind == TWIML_NUMBER) {
		sc = noun->u.number.status_cb;
		sc_m = noun->u.number.status_cb_method;
		ch->events = noun->u.number.status_events;
		url = noun->u.number.url;
		url_m = noun->u.number.method;
		digits = noun->u.number.send_digits;
	} else if (noun->kind == TWIML_SIP) {
		sc = noun->u.sip.status_cb;
		sc_m = noun->u.sip.status_cb_method;
		ch->events = noun->u.sip.status_events;
		url = noun->u.sip.url;
		url_m = noun->u.sip.method;
	}
	if (sc && *sc) {
		/* relative to the document, like every URL of the markup */
		char abs[CALLS_URL_MAX];
		ch->sc_url = strdup(http_url_resolve(k->doc_url, sc, abs, sizeof(abs)) ? sc : abs);
	}
	ch->sc_get = sc_m == TWIML_GET;
	if (url && *url) {
		char abs[CALLS_URL_MAX];
		ch->url = strdup(http_url_resolve(k->doc_url, url, abs, sizeof(abs)) ? url : abs);
		ch->url_get = url_m == TWIML_GET;
	}
	if (digits && *digits)
		snprintf(ch->digits, sizeof(ch->digits), "%s", digits);
	uint64_t now = ctl_real_ns();
	ch->rec = child_record(k, ch, d->sid, now);
	d->ch = ch;
	child_step(k, d, CALLS_CHILD_INITIATED, NULL, now);
}

void calls_child_progress(struct call *k, uint32_t leg, uint64_t ns)
{
	child_step(k, &k->dl[leg], CALLS_CHILD_RINGING, NULL, ns);
}

void calls_child_end(struct call *k, uint32_t leg, uint16_t sip_code, uint64_t ns)
{
	struct call_dleg *d = &k->dl[leg];
	if (!d->ch)
		return;
	d->ch->sip_code = sip_code ? sip_code : d->ch->sip_code;
	/* a leg we ended before its answer (CANCEL: the Dial's timeout, another noun won, the
	   caller left) was canceled; a whisper's refusal is the callee's no-answer */
	const char *st = d->ch->refused ? "no-answer"
	                 : d->ch->failed ? "failed"
	                                 : calls_child_final(d->answered, d->end_sent && !d->answered,
	                                                    sip_code);
	child_step(k, d, CALLS_CHILD_COMPLETED, st, ns ? ns : ctl_real_ns());
	calls_whisper_drop(d->ch);
}

/* The leg's answer goes to the engine (bridge) now. */
void calls_child_accept(struct call *k, uint32_t leg)
{
	struct call_dleg *d = &k->dl[leg];
	if (d->ch)
		d->ch->phase2 = CALLS_CH_ACCEPTED;
	if (!k->eng || d->gone || d->end_sent)
		return;
	struct twiml_leg_event ev = {.result = TWIML_LEG_ANSWERED, .sip_code = 200, .call_sid = d->sid};
	twiml_on_leg(k->eng, leg, &ev);
}

/* The callee refused (a whisper's <Hangup/>, its markup failed): it goes, and the Dial hears
 * no-answer from it. */
void calls_child_refuse(struct call *k, uint32_t leg)
{
	struct call_dleg *d = &k->dl[leg];
	if (d->ch) {
		d->ch->refused = true;
		d->ch->phase2 = CALLS_CH_ACCEPTED;
	}
	if (!d->gone && d->h && !d->end_sent) {
		d->end_sent = true;
		struct vox_rec_hdr h = {.type = VOX_CMD_HANGUP, .leg = d->h};
		ctl_dp_send(k->m->c, d->worker, &h, NULL, 0);
	}
	if (k->eng) {
		struct twiml_leg_event ev = {.result = TWIML_LEG_NO_ANSWER, .call_sid = d->sid};
		twiml_on_leg(k->eng, leg, &ev);
	}
}

/* The url's markup on the callee's leg, or the bridge. */
static void after_digits(struct call *k, uint32_t leg)
{
	struct call_dleg *d = &k->dl[leg];
	if (d->ch && d->ch->url && calls_whisper_start(k, leg) == 0) {
		d->ch->phase2 = CALLS_CH_WHISPER;
		return;
	}
	calls_child_accept(k, leg);
}

bool calls_child_answered(struct call *k, uint32_t leg, uint64_t ns)
{
	struct call_dleg *d = &k->dl[leg];
	struct call_child *ch = d->ch;
	child_step(k, d, CALLS_CHILD_ANSWERED, NULL, ns);
	if (!ch || (!ch->digits[0] && !ch->url))
		return false; /* the engine bridges at once */
	/* answerOnBridge paired the caller with this leg's early media: a bridged leg takes no
	   TONE or PLAY, so the pairing goes (the engine's bridge makes it again on acceptance) */
	if (k->early.on && k->early.leg == leg) {
		call_cmd(k, VOX_CMD_UNBRIDGE, 0, NULL, 0);
		calls_early_gone(&k->early, leg);
	}
	/* the engine's ring timeout stops: the callee answered, what follows is not ringing */
	if (k->eng) {
		struct twiml_leg_event ev = {.result = TWIML_LEG_ANSWERING, .call_sid = d->sid};
		twiml_on_leg(k->eng, leg, &ev);
	}
	if (ch->digits[0]) {
		struct vox_tone t = {.kind = VOX_TONE_DIGITS};
		memcpy(t.digits, ch->digits, strnlen(ch->digits, sizeof(t.digits))); /* 32: no NUL */
		struct vox_rec_hdr h = {.type = VOX_CMD_TONE, .leg = d->h};
		if (ctl_dp_send(k->m->c, d->worker, &h, &t, sizeof(t)) == 0) {
			ch->phase2 = CALLS_CH_DIGITS;
			return true;
		}
		k->m->cnt.cmd_errors++;
	}
	after_digits(k, leg);
	return true;
}

bool calls_child_unaccepted(const struct call_dleg *d)
{
	return d->ch && (d->ch->phase2 == CALLS_CH_DIGITS || d->ch->phase2 == CALLS_CH_WHISPER);
}

bool calls_child_media_done(struct call *k, uint32_t leg)
{
	struct call_dleg *d = &k->dl[leg];
	if (!d->ch || d->ch->phase2 != CALLS_CH_DIGITS)
		return false;
	d->ch->phase2 = CALLS_CH_NONE;
	after_digits(k, leg);
	return true;
}
