/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_state.c — a call's state in the callstate db (the interpreter's position plus what the
 * router needs to go on), written with every state change and verb transition; after a restart
 * the calls whose legs are still in the mirror resume at their verb, the others end; a detach
 * (the dataplane went away or rebooted) ends every live call, callbacks included. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_priv.h"
#include "ctl_legs.h"
#include "ctl_log.h"
#include "store.h"
#include "store_ent.h"

#define TAG "calls"
#define RESUME_MAX 4096 /* callstate entries looked at per attach */

json_t *calls_state_json(const struct call *k)
{
	json_t *xh = json_array();
	for (uint32_t i = 0; i < k->n_xh; i++)
		json_array_append_new(xh, json_pack("[s,s]", k->xh_name[i], k->xh_val[i]));
	json_t *o = json_pack("{s:s, s:I, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	                      "s:s, s:s, s:i, s:i, s:b, s:I, s:I, s:o}",
	                      "engine", k->eng_state ? k->eng_state : "", "leg", (json_int_t)k->leg,
	                      "worker", k->worker, "account_sid", k->account_sid, "number_sid",
	                      k->number_sid, "from", k->from, "to", k->to, "direction", k->direction,
	                      "sip_call_id", k->sip_call_id, "forwarded_from", k->forwarded_from,
	                      "src_ip", k->src_ip, "fb_url", k->fb_url, "fb_method", k->fb_method,
	                      "sc_url", k->sc_url, "sc_method", k->sc_method, "sc_events",
	                      (int)k->sc_events, "sc_seq", (int)k->sc_seq, "answered", k->answered,
	                      "start_ns", (json_int_t)k->start_ns, "answer_ns",
	                      (json_int_t)k->answer_ns, "xh", xh);
	if (o && k->q_st != CQ_NONE) {
		/* its place in a queue: the member entry's key, so a restart finds it in line */
		json_object_set_new(o, "q_st", json_integer(k->q_st));
		json_object_set_new(o, "q_sid", json_string(k->q_sid));
		json_object_set_new(o, "q_enq_us", json_integer((json_int_t)k->q_enq_us));
	}
	return o;
}

int calls_state_put(struct call *k, struct store_batch *b)
{
	json_t *st = calls_state_json(k);
	int rc = st ? store_batch_callstate(b, k->sid, st, NULL) : -ENOMEM;
	json_decref(st);
	return rc;
}

void calls_state_del(struct call *k)
{
	struct store_batch *b = store_batch_new();
	if (b && store_batch_del(b, STORE_DB_CALLSTATE, k->sid, strlen(k->sid), 0) == 0)
		store_submit(k->m->c->store, b, NULL, NULL);
	else
		store_batch_free(b);
}

static void sget(char *out, size_t cap, json_t *o, const char *key)
{
	snprintf(out, cap, "%s", json_string_value(json_object_get(o, key)) ?: "");
}

/* End a call found in the callstate db whose leg is gone: its record completes (with its
 * callback) and its state goes. */
static void end_orphan(struct ctl_calls *m, const char *sid, json_t *st, const char *why)
{
	struct call *k = call_alloc_ext(m);
	if (!k)
		return;
	snprintf(k->sid, sizeof(k->sid), "%s", sid);
	calls_state_load(k, st);
	CTL_WARN(TAG, "%s: ended after a restart: %s", sid, why);
	k->committed = true;
	k->leg_gone = true;
	k->leg = 0;
	if (store_res_get(m->c->store, STORE_K_CALL, sid, &k->rec) != 0) {
		calls_state_del(k);
		call_release(k);
		return;
	}
	k->status = json_string_value(json_object_get(k->rec, "status"));
	const char *end = k->answered ? "completed" : "failed";
	call_set_status(k, end, ctl_real_ns(), CTL_CALL_EV_COMPLETED);
	call_release(k);
}

void calls_state_load(struct call *k, json_t *st)
{
	sget(k->account_sid, sizeof(k->account_sid), st, "account_sid");
	sget(k->number_sid, sizeof(k->number_sid), st, "number_sid");
	sget(k->from, sizeof(k->from), st, "from");
	sget(k->to, sizeof(k->to), st, "to");
	sget(k->direction, sizeof(k->direction), st, "direction");
	sget(k->sip_call_id, sizeof(k->sip_call_id), st, "sip_call_id");
	sget(k->forwarded_from, sizeof(k->forwarded_from), st, "forwarded_from");
	sget(k->src_ip, sizeof(k->src_ip), st, "src_ip");
	sget(k->fb_url, sizeof(k->fb_url), st, "fb_url");
	sget(k->fb_method, sizeof(k->fb_method), st, "fb_method");
	sget(k->sc_url, sizeof(k->sc_url), st, "sc_url");
	sget(k->sc_method, sizeof(k->sc_method), st, "sc_method");
	k->sc_events = (unsigned)json_integer_value(json_object_get(st, "sc_events"));
	k->sc_seq = (uint32_t)json_integer_value(json_object_get(st, "sc_seq"));
	k->answered = json_is_true(json_object_get(st, "answered"));
	k->leg = (vox_handle_t)json_integer_value(json_object_get(st, "leg"));
	k->worker = (uint16_t)json_integer_value(json_object_get(st, "worker"));
	k->start_ns = (uint64_t)json_integer_value(json_object_get(st, "start_ns"));
	k->answer_ns = (uint64_t)json_integer_value(json_object_get(st, "answer_ns"));
	k->q_st = (uint8_t)json_integer_value(json_object_get(st, "q_st"));
	if (k->q_st > CQ_BRIDGED)
		k->q_st = CQ_NONE;
	sget(k->q_sid, sizeof(k->q_sid), st, "q_sid");
	k->q_enq_us = (uint64_t)json_integer_value(json_object_get(st, "q_enq_us"));
	json_t *xh = json_object_get(st, "xh");
	for (size_t i = 0; i < json_array_size(xh) && k->n_xh < CALLS_SIP_HDRS; i++) {
		json_t *p = json_array_get(xh, i);
		snprintf(k->xh_name[k->n_xh], sizeof(k->xh_name[0]), "%s",
		         json_string_value(json_array_get(p, 0)) ?: "");
		snprintf(k->xh_val[k->n_xh], sizeof(k->xh_val[0]), "%s",
		         json_string_value(json_array_get(p, 1)) ?: "");
		k->n_xh++;
	}
}

static void resume_one(struct ctl_calls *m, const char *sid, json_t *st)
{
	struct ctl *c = m->c;
	vox_handle_t leg = (vox_handle_t)json_integer_value(json_object_get(st, "leg"));
	const char *eng = json_string_value(json_object_get(st, "engine"));
	const struct ctl_leg *l = leg ? ctl_legs_find(c->legs, leg) : NULL;
	if (!l || !eng || !*eng) {
		end_orphan(m, sid, st, !l ? "its leg is not in the dataplane's mirror"
		                          : "no interpreter state");
		return;
	}
	struct call *k = call_alloc_ext(m);
	json_t *acct = NULL;
	if (!k)
		return;
	snprintf(k->sid, sizeof(k->sid), "%s", sid);
	calls_state_load(k, st);
	k->worker = l->worker;
	k->committed = true;
	if (store_res_get(c->store, STORE_K_CALL, sid, &k->rec) != 0 ||
	    store_res_get(c->store, STORE_K_ACCOUNT, k->account_sid, &acct) != 0 ||
	    twiml_engine_create(&k->eng, &calls_twiml_ops, k) != 0) {
		json_decref(acct);
		CTL_WARN(TAG, "%s: cannot resume (record, account or memory): hung up", sid);
		call_cmd(k, VOX_CMD_HANGUP, 0, NULL, 0);
		calls_state_del(k);
		call_release(k);
		return;
	}
	snprintf(k->token, sizeof(k->token), "%s",
	         json_string_value(json_object_get(acct, "auth_token")) ?: "");
	json_decref(acct);
	k->status = json_string_value(json_object_get(k->rec, "status"));
	k->eng_state = strdup(eng);
	/* the position is saved before the verb that answers: the router knows the call answered
	 * (no second ANSWER, and the requests say in-progress) */
	if (k->answered)
		twiml_engine_mark_answered(k->eng);
	int rc = twiml_engine_resume(k->eng, eng, strlen(eng));
	if (rc) {
		CTL_WARN(TAG, "%s: state not resumable (%s): hung up", sid, strerror(-rc));
		call_cmd(k, VOX_CMD_HANGUP, 0, NULL, 0);
		return; /* its LEG_ENDED completes it */
	}
	m->cnt.resumed++;
	CTL_INFO(TAG, "%s: resumed after a restart (leg 0x%016llx)", sid, (unsigned long long)leg);
}

struct resume_walk {
	struct ctl_calls *m;
	char sid[RESUME_MAX][35];
	json_t *st[RESUME_MAX];
	uint32_t n;
};

static int resume_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct resume_walk *w = arg;
	if (klen != 34 || w->n >= RESUME_MAX)
		return 0;
	json_t *st = json_loadb(val, vlen, 0, NULL);
	if (!st)
		return 0;
	memcpy(w->sid[w->n], key, 34);
	w->sid[w->n][34] = 0;
	w->st[w->n++] = st;
	return 0;
}

void calls_on_attach(struct ctl *c, int attached)
{
	struct ctl_calls *m = c->calls;
	if (!m || c->script)
		return;
	if (!attached) {
		/* the dataplane went away (or rebooted): its legs are gone, the calls end now */
		for (uint32_t i = 0; i < m->max; i++) {
			struct call *k = &m->v[i];
			if (!k->gen || k->leg_gone || k->wparent)
				continue; /* a whisper goes with its Dial's call */
			CTL_WARN(TAG, "%s: ended: the dataplane went away", k->sid);
			k->leg_gone = true;
			if (k->eng)
				twiml_on_call_ended(k->eng);
			calls_ops_cancel(k);
			for (uint32_t d = 0; d < CALLS_DIAL_LEGS; d++)
				k->dl[d].gone = true;
			call_set_status(k, k->answered ? "completed" : "failed", ctl_real_ns(),
			                CTL_CALL_EV_COMPLETED);
			call_maybe_free(k);
		}
		return;
	}
	if (!c->store || m->n)
		return; /* calls already live: this control did not restart */
	struct resume_walk *w = calloc(1, sizeof(*w));
	if (!w)
		return;
	w->m = m;
	store_walk(c->store, STORE_DB_CALLSTATE, NULL, 0, NULL, 0, RESUME_MAX, 0, resume_visit, w);
	for (uint32_t i = 0; i < w->n; i++) {
		resume_one(m, w->sid[i], w->st[i]);
		json_decref(w->st[i]);
	}
	free(w);
	calls_queue_restore(m); /* the resumed members back in line, in their stored order */
}
