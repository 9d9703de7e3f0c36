/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_whisper.c — a <Dial> noun's url (the whisper): once the callee answered and before the
 * bridge, the url's markup runs on the callee's leg as the child call (its CallSid, From, To,
 * Direction outbound-dial, ParentCallSid) with the router's ordinary operations (Say, Play,
 * Pause, Gather, Redirect...). Its end decides: the document runs out → the callee accepts
 * (the Dial bridges); <Hangup/>, <Reject/>, a failed request → the callee refused (hung up;
 * the Dial takes it as no-answer).
 *
 * The whisper is a call of the table with no record and no saved state (never "committed"):
 * it owns the callee's leg only for media and keys; the leg's end still goes to the Dial. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_priv.h"
#include "ctl_log.h"

#define TAG "calls"

static struct twiml_ops whisper_ops; /* calls_twiml_ops with the whisper's end, no persist */

/* The end is handled from the loop (an op must not free the engine it runs in). */
struct w_end {
	void *ref;
	bool accept;
};

static int64_t w_end_fire(struct ctl_loop *l, uint64_t id, void *arg)
{
	(void)l;
	(void)id;
	struct w_end we = *(struct w_end *)arg;
	free(arg);
	struct ctl_calls *m = calls_module();
	struct call *w = call_deref(m, we.ref);
	if (!w)
		return CTL_TIMER_STOP;
	struct call *k = call_deref(m, w->wparent);
	uint32_t leg = w->wleg;
	struct call_dleg *d = k && leg < CALLS_DIAL_LEGS ? &k->dl[leg] : NULL;
	bool mine = d && d->ch && d->ch->wref == we.ref;
	if (mine)
		d->ch->wref = NULL;
	CTL_INFO(TAG, "%s: whisper %s", w->sid, we.accept ? "accepted" : "refused");
	call_release(w);
	if (!mine)
		return CTL_TIMER_STOP;
	if (we.accept)
		calls_child_accept(k, leg);
	else
		calls_child_refuse(k, leg);
	call_maybe_free(k);
	return CTL_TIMER_STOP;
}

static void w_end(struct call *w, bool accept)
{
	if (w->wleg == UINT32_MAX)
		return; /* decided already */
	struct w_end *we = malloc(sizeof(*we));
	if (!we)
		return;
	we->ref = call_ref(w);
	we->accept = accept;
	if (!ctl_loop_add_timer(w->m->c->loop, 0, w_end_fire, we))
		free(we);
}

static void w_hangup(void *ctx)
{
	w_end(ctx, false);
}

static void w_answer(void *ctx)
{
	(void)ctx; /* the callee's leg is answered already */
}

static void w_reject(void *ctx, int code)
{
	(void)code;
	w_end(ctx, false);
}

/* The document ran out: the callee accepts. */
static void w_finished(void *ctx)
{
	w_end(ctx, true);
}

int calls_whisper_start(struct call *k, uint32_t leg)
{
	struct ctl_calls *m = k->m;
	struct call_dleg *d = &k->dl[leg];
	struct call_child *ch = d->ch;
	if (!ch || !ch->url || !d->h)
		return -EINVAL;
	if (!whisper_ops.say) {
		whisper_ops = calls_twiml_ops;
		whisper_ops.answer = w_answer;
		whisper_ops.ring = w_answer;
		whisper_ops.reject = w_reject;
		whisper_ops.hangup = w_hangup;
		whisper_ops.finished = w_finished;
		whisper_ops.persist = NULL;
		whisper_ops.dial = NULL; /* no <Dial> inside a whisper */
	}
	struct call *w = call_alloc_ext(m);
	if (!w) {
		m->cnt.table_full++;
		return -ENOSPC;
	}
	snprintf(w->sid, sizeof(w->sid), "%s", d->sid);
	snprintf(w->account_sid, sizeof(w->account_sid), "%s", k->account_sid);
	snprintf(w->token, sizeof(w->token), "%s", k->token);
	snprintf(w->parent_sid, sizeof(w->parent_sid), "%s", k->sid);
	snprintf(w->from, sizeof(w->from), "%s", ch->from);
	snprintf(w->to, sizeof(w->to), "%.*s", (int)sizeof(w->to) - 1, ch->to); /* a long SIP URI is cut */
	snprintf(w->direction, sizeof(w->direction), "outbound-dial");
	w->wparent = call_ref(k);
	w->wleg = leg;
	w->leg = d->h;
	w->worker = d->worker;
	w->answered = true;
	w->status = "in-progress";
	w->start_ns = w->answer_ns = ch->answer_ns;
	w->rec = json_object();
	int rc = twiml_engine_create(&w->eng, &whisper_ops, w);
	if (!rc) {
		twiml_engine_mark_answered(w->eng);
		rc = twiml_engine_start(w->eng, ch->url, ch->url_get ? TWIML_GET : TWIML_POST);
	}
	if (rc) {
		CTL_WARN(TAG, "%s: whisper not started: %s", d->sid, strerror(-rc));
		call_release(w);
		return rc;
	}
	ch->wref = call_ref(w);
	CTL_INFO(TAG, "%s: whisper %s on the callee of %s", d->sid, ch->url, k->sid);
	return 0;
}

void calls_whisper_drop(struct call_child *ch)
{
	struct call *w = ch->wref ? call_deref(calls_module(), ch->wref) : NULL;
	ch->wref = NULL;
	if (w)
		call_release(w);
}

bool calls_whisper_event(struct ctl_calls *m, const struct vox_rec_hdr *h, const void *payload)
{
	if (!h->leg)
		return false;
	struct call *w = NULL;
	for (uint32_t i = 0, seen = 0; i < m->max && seen < m->n; i++) {
		if (!m->v[i].gen)
			continue;
		seen++;
		if (m->v[i].wparent && m->v[i].leg == h->leg) {
			w = &m->v[i];
			break;
		}
	}
	if (!w)
		return false;
	switch (h->type) {
	case VOX_EVT_MEDIA_DONE:
		calls_ops_media_done(w, h->status);
		return true;
	case VOX_EVT_DTMF:
		if (h->len >= sizeof(struct vox_dtmf))
			calls_ops_dtmf(w, ((const struct vox_dtmf *)payload)->digit);
		return true;
	case VOX_EVT_LEG_ENDED:
	case VOX_EVT_LEG_FAILED:
	case VOX_EVT_STALE_HANDLE: {
		/* the callee left during the whisper: the Dial's leg ends (which ends the whisper) */
		struct call *k = call_deref(m, w->wparent);
		if (!k) {
			call_release(w);
			return true;
		}
		w->wleg = UINT32_MAX; /* a pending decision is void */
		void *wref = call_ref(w);
		calls_dial_event(k, h, payload); /* its child's end releases the whisper */
		struct call *left = call_deref(m, wref);
		if (left)
			call_release(left);
		if (k->gen)
			call_maybe_free(k);
		return true;
	}
	default:
		return true; /* the leg's other events (DIGITS...) mean nothing here */
	}
}
