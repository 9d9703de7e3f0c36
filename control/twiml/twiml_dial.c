/* SPDX-License-Identifier: BSD-3-Clause */
/* twiml_dial.c — <Dial>: parallel (first answer wins, the others cancelled) or sequential
 * ringing, timeout, bridging, hangupOnStar, and the action's Dial* parameters. */
#include <stdio.h>
#include <string.h>

#include "twiml_engine_priv.h"

static bool dialable(const struct twiml_node *n)
{
	return n->kind == TWIML_NUMBER || n->kind == TWIML_SIP || n->kind == TWIML_QUEUE;
}

static const struct twiml_node *noun(const struct twiml_engine *e, uint32_t i)
{
	const struct twiml_node *v = twiml_cur_verb(e);
	return &e->prog->kids[v->kid + i];
}

/* Rings leg i; false if its noun cannot be dialled (it is marked failed). */
static bool ring_leg(struct twiml_engine *e, uint32_t i)
{
	struct twiml_leg *l = &e->legs[i];
	const struct twiml_node *n = noun(e, i);
	if (!dialable(n) || !n->text[0] || !e->ops->dial) {
		char what[48];
		snprintf(what, sizeof(what), "Dial: %s not supported yet",
		         twiml_kind_name(n->kind));
		if (e->ops->notify)
			e->ops->notify(e->ctx, TWIML_WARN_SCHEMA, what);
		l->st = LEG_DONE;
		l->result = TWIML_LEG_FAILED;
		return false;
	}
	l->st = LEG_RINGING;
	e->ops->dial(e->ctx, i, twiml_cur_verb(e), n);
	return true;
}

static const char *status_name(uint8_t result)
{
	switch (result) {
	case TWIML_LEG_ANSWERED:
	case TWIML_LEG_ENDED:
		return "completed";
	case TWIML_LEG_BUSY:
		return "busy";
	case TWIML_LEG_NO_ANSWER:
		return "no-answer";
	case TWIML_LEG_CANCELED:
		return "canceled";
	default:
		return "failed";
	}
}

/* The Dial is over: request its action, or go on after it. */
static void dial_finish(struct twiml_engine *e, const char *status, int leg, uint32_t duration)
{
	const struct twiml_node *v = twiml_cur_verb(e);
	const struct twiml_dial *d = &v->u.dial;
	twiml_timer_cancel(e);
	if (d->hangup_on_star && e->ops->collect_stop)
		e->ops->collect_stop(e->ctx);
	const char *rec_url = e->ops->dial_done ? e->ops->dial_done(e->ctx) : NULL;
	bool final = e->caller_gone;
	if (!d->action[0]) {
		if (final)
			twiml_end(e, false);
		else
			twiml_next_verb(e);
		return;
	}
	bool bridged = leg >= 0 && e->up_leg == (uint32_t)leg && e->legs[leg].result != 0xff &&
	               !strcmp(status, "completed");
	char dur[16];
	twiml_req_reset(e);
	twiml_param(e, "DialCallStatus", status);
	if (leg >= 0 && e->legs[leg].sid[0])
		twiml_param(e, "DialCallSid", e->legs[leg].sid);
	if (bridged) {
		snprintf(dur, sizeof(dur), "%u", duration);
		twiml_param(e, "DialCallDuration", dur);
	}
	twiml_param(e, "DialBridged", bridged ? "true" : "false");
	if (rec_url)
		twiml_param(e, "RecordingUrl", rec_url);
	if (leg >= 0 && noun(e, (uint32_t)leg)->kind == TWIML_SIP) {
		if (e->legs[leg].call_id[0])
			twiml_param(e, "DialSipCallId", e->legs[leg].call_id);
		if (e->legs[leg].sip_code) {
			char code[8];
			snprintf(code, sizeof(code), "%u", e->legs[leg].sip_code);
			twiml_param(e, "DialSipResponseCode", code);
		}
	}
	if (twiml_fetch_issue(e, TWIML_FETCH_DIAL, d->action, d->method, final)) {
		if (e->ops->notify)
			e->ops->notify(e->ctx, TWIML_ERR_URL, "URL too long");
		if (final) {
			twiml_end(e, false);
		} else {
			e->st = TWIML_ST_FETCHING;
			twiml_on_fetch_failed(e, TWIML_ERR_URL);
		}
	}
}

/* Sequential: ring the next noun; false when none is left. */
static bool ring_next(struct twiml_engine *e)
{
	const struct twiml_node *v = twiml_cur_verb(e);
	while (++e->cur_leg < e->n_legs)
		if (ring_leg(e, e->cur_leg)) {
			twiml_timer_arm(e, TMR_DIAL, v->u.dial.timeout * 1000u);
			return true;
		}
	return false;
}

/* Parallel, every leg done without an answer: busy beats no-answer beats failed. */
static void dial_all_done(struct twiml_engine *e)
{
	int best = -1;
	static const uint8_t rank[] = {[TWIML_LEG_BUSY] = 4,
	                               [TWIML_LEG_NO_ANSWER] = 3,
	                               [TWIML_LEG_CANCELED] = 2,
	                               [TWIML_LEG_FAILED] = 1};
	for (uint32_t i = 0; i < e->n_legs; i++) {
		uint8_t r = e->legs[i].result;
		if (r >= sizeof(rank))
			continue;
		if (best < 0 || rank[r] > rank[e->legs[best].result])
			best = (int)i;
	}
	dial_finish(e, best < 0 ? "failed" : status_name(e->legs[best].result), best, 0);
}

static bool any_ringing(const struct twiml_engine *e)
{
	for (uint32_t i = 0; i < e->n_legs; i++)
		if (e->legs[i].st == LEG_RINGING)
			return true;
	return false;
}

void twiml_dial_start(struct twiml_engine *e, const struct twiml_node *v)
{
	const struct twiml_dial *d = &v->u.dial;
	e->st = TWIML_ST_DIAL;
	e->n_legs = v->n_kids;
	e->up_leg = UINT32_MAX;
	memset(e->legs, 0, sizeof(e->legs));
	for (uint32_t i = 0; i < e->n_legs; i++)
		e->legs[i].result = 0xff;
	if (!e->n_legs) {
		dial_finish(e, "failed", -1, 0);
		return;
	}
	if (d->answer_on_bridge) {
		if (!e->answered && e->ops->ring)
			e->ops->ring(e->ctx); /* ringback until the callee answers */
	} else if (!e->answered) {
		e->answered = true;
		e->ops->answer(e->ctx);
	}
	if (d->hangup_on_star && e->ops->collect) {
		struct twiml_collect_op c = {0}; /* keys only: '*' ends the callee's leg */
		e->ops->collect(e->ctx, &c);
	}
	bool ringing = false;
	if (d->sequential) {
		e->cur_leg = UINT32_MAX; /* ring_next starts at 0 */
		ringing = ring_next(e);
	} else {
		for (uint32_t i = 0; i < e->n_legs; i++)
			ringing |= ring_leg(e, i);
		if (ringing)
			twiml_timer_arm(e, TMR_DIAL, d->timeout * 1000u);
	}
	if (!ringing)
		dial_all_done(e);
}

static void cancel_ringing(struct twiml_engine *e, uint32_t except, uint8_t result)
{
	for (uint32_t i = 0; i < e->n_legs; i++) {
		struct twiml_leg *l = &e->legs[i];
		if (i == except || l->st != LEG_RINGING)
			continue;
		l->st = LEG_DONE;
		l->result = result;
		if (e->ops->dial_cancel)
			e->ops->dial_cancel(e->ctx, i);
	}
}

void twiml_dial_timeout(struct twiml_engine *e)
{
	const struct twiml_node *v = twiml_cur_verb(e);
	cancel_ringing(e, UINT32_MAX, TWIML_LEG_NO_ANSWER);
	if (v->u.dial.sequential) {
		uint32_t last = e->cur_leg;
		if (!ring_next(e))
			dial_finish(e, "no-answer", (int)last, 0);
		return;
	}
	dial_all_done(e);
}

void twiml_dial_caller_gone(struct twiml_engine *e)
{
	if (e->st == TWIML_ST_BRIDGED) {
		/* hang up the callee; its LEG_ENDED (with the duration) completes the Dial */
		if (e->ops->dial_cancel)
			e->ops->dial_cancel(e->ctx, e->up_leg);
		else
			dial_finish(e, "completed", (int)e->up_leg, 0);
		return;
	}
	cancel_ringing(e, UINT32_MAX, TWIML_LEG_CANCELED);
	int last = e->n_legs ? (int)(e->n_legs - 1) : -1;
	dial_finish(e, "canceled", last, 0);
}

void twiml_dial_dtmf(struct twiml_engine *e, char d)
{
	const struct twiml_node *v = twiml_cur_verb(e);
	if (e->st == TWIML_ST_BRIDGED && d == '*' && v && v->u.dial.hangup_on_star &&
	    e->ops->dial_cancel)
		e->ops->dial_cancel(e->ctx, e->up_leg); /* completes on the leg's LEG_ENDED */
}

void twiml_on_leg(struct twiml_engine *e, uint32_t leg, const struct twiml_leg_event *ev)
{
	if (!ev || leg >= e->n_legs || (e->st != TWIML_ST_DIAL && e->st != TWIML_ST_BRIDGED))
		return;
	struct twiml_leg *l = &e->legs[leg];
	if (ev->call_sid)
		snprintf(l->sid, sizeof(l->sid), "%s", ev->call_sid);
	if (ev->sip_call_id)
		snprintf(l->call_id, sizeof(l->call_id), "%s", ev->sip_call_id);
	if (ev->sip_code)
		l->sip_code = ev->sip_code;
	const struct twiml_node *v = twiml_cur_verb(e);
	switch (ev->result) {
	case TWIML_LEG_ANSWERED:
		if (e->st != TWIML_ST_DIAL || l->st != LEG_RINGING) {
			/* a second answerer that lost the race (or a stale leg): hang it up */
			if (l->st != LEG_UP && e->ops->dial_cancel)
				e->ops->dial_cancel(e->ctx, leg);
			return;
		}
		twiml_timer_cancel(e);
		cancel_ringing(e, leg, TWIML_LEG_CANCELED);
		l->st = LEG_UP;
		l->result = TWIML_LEG_ANSWERED;
		e->up_leg = leg;
		if (!e->answered) {
			e->answered = true; /* answerOnBridge: answer only now */
			e->ops->answer(e->ctx);
		}
		e->st = TWIML_ST_BRIDGED;
		if (e->ops->bridge)
			e->ops->bridge(e->ctx, leg);
		if (e->ops->set_deadline)
			e->ops->set_deadline(e->ctx, v->u.dial.time_limit);
		twiml_persist(e);
		return;
	case TWIML_LEG_ANSWERING:
		if (e->st == TWIML_ST_DIAL && l->st == LEG_RINGING)
			twiml_timer_cancel(e);
		return;
	case TWIML_LEG_ENDED:
		if (e->st == TWIML_ST_BRIDGED && leg == e->up_leg) {
			l->st = LEG_DONE;
			dial_finish(e, "completed", (int)leg, ev->duration_s);
		}
		return;
	default:
		if (l->st != LEG_RINGING)
			return;
		l->st = LEG_DONE;
		l->result = ev->result;
		if (v->u.dial.sequential) {
			twiml_timer_cancel(e);
			if (!ring_next(e))
				dial_finish(e, status_name(ev->result), (int)leg, 0);
		} else if (!any_ringing(e)) {
			dial_all_done(e);
		}
	}
}

bool twiml_dial_readopt(struct twiml_engine *e)
{
	const struct twiml_node *v = twiml_cur_verb(e);
	if (!v || v->kind != TWIML_DIAL || e->resume_up >= v->n_kids)
		return false;
	e->n_legs = v->n_kids;
	memset(e->legs, 0, sizeof(e->legs));
	for (uint32_t i = 0; i < e->n_legs; i++)
		e->legs[i].result = 0xff;
	e->up_leg = e->resume_up;
	e->legs[e->up_leg] = e->resume_leg;
	e->legs[e->up_leg].st = LEG_UP;
	e->legs[e->up_leg].result = TWIML_LEG_ANSWERED;
	e->st = TWIML_ST_BRIDGED;
	if (v->u.dial.hangup_on_star && e->ops->collect) {
		struct twiml_collect_op c = {0};
		e->ops->collect(e->ctx, &c);
	}
	twiml_persist(e);
	return true;
}
