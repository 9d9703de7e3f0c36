/* SPDX-License-Identifier: BSD-3-Clause */
/* twiml_queue.c — <Enqueue> in the interpreter: joining (the router answers JOINED, FULL...),
 * the wait-state application (waitUrl requested with the queue's figures, run, requested again
 * when it runs out) or the bundled hold music, <Leave>, being dequeued by another call's
 * <Dial><Queue> (its <Queue url> markup runs here first, then the bridge), and the Enqueue
 * action with QueueResult when the call leaves the queue.
 *
 * While queued, the <Enqueue>'s document is kept aside (q->main_prog, main_vi, main_doc and the
 * request that produced it); the wait application's documents replace one another in e->prog
 * and run with the ordinary verb code. Leaving restores the main document: the action is
 * requested, or execution goes on after the <Enqueue>. The saved position (persist) stays the
 * <Enqueue> itself while queued: a restarted control resumes at it, the router finds the call
 * still a member (same place in line) and answers JOINED again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twiml_engine_priv.h"

#define QWAIT_IDLE_MS 1000u /* a wait document with nothing that takes time: pace the loop */

static void qnotify(struct twiml_engine *e, uint32_t code, const char *what)
{
	if (e->ops->notify)
		e->ops->notify(e->ctx, code, what);
}

static const struct twiml_node *enq_verb(const struct twiml_engine *e)
{
	const struct twiml_qctx *q = e->q;
	return &q->main_prog->verbs[q->main_vi];
}

void twiml_mark_waited(struct twiml_engine *e)
{
	if (e->q)
		e->q->waited = true;
}

bool twiml_engine_in_queue(const struct twiml_engine *e)
{
	return e->q != NULL;
}

void twiml_queue_free(struct twiml_engine *e)
{
	struct twiml_qctx *q = e->q;
	if (!q)
		return;
	if (e->prog != q->main_prog) {
		twiml_prog_free(e->prog);
		e->prog = q->main_prog;
	}
	free(q);
	e->q = NULL;
}

static void info(struct twiml_engine *e, struct twiml_queue_info *qi)
{
	memset(qi, 0, sizeof(*qi));
	if (e->ops->queue_info)
		e->ops->queue_info(e->ctx, qi);
}

/* Stop whatever the queue document is doing (media, timer, keys): it is abandoned. */
static void queue_quiet(struct twiml_engine *e)
{
	twiml_timer_cancel(e);
	if (e->st == TWIML_ST_GATHER && e->ops->collect_stop)
		e->ops->collect_stop(e->ctx);
	twiml_stop_media(e);
	e->q->hold = false;
}

/* Back to the <Enqueue>'s document (the queue context goes). */
static void queue_restore(struct twiml_engine *e)
{
	struct twiml_qctx *q = e->q;
	if (e->prog != q->main_prog)
		twiml_prog_free(e->prog);
	e->prog = q->main_prog;
	e->vi = q->main_vi;
	memcpy(e->doc_url, q->main_doc, sizeof(e->doc_url));
	e->doc_method = q->main_doc_method;
	e->req = q->main_req;
	free(q);
	e->q = NULL;
}

/* The call is out of the queue for `result`: the action (final when the caller is gone), or
 * the verb after <Enqueue> (or the end, when the caller is gone). */
static void queue_finish(struct twiml_engine *e, const char *result)
{
	struct twiml_queue_info qi;
	info(e, &qi);
	queue_quiet(e);
	if (e->ops->queue_leave)
		e->ops->queue_leave(e->ctx);
	const struct twiml_enqueue *eq = &enq_verb(e)->u.enqueue;
	char action[TWIML_URL_MAX];
	snprintf(action, sizeof(action), "%s", eq->action);
	uint8_t method = eq->method;
	queue_restore(e);
	bool final = e->caller_gone;
	if (!action[0]) {
		if (final)
			twiml_end(e, false);
		else
			twiml_next_verb(e);
		return;
	}
	char t[16];
	snprintf(t, sizeof(t), "%u", qi.time_s);
	twiml_req_reset(e);
	twiml_param(e, "QueueResult", result);
	twiml_param(e, "QueueSid", qi.sid);
	twiml_param(e, "QueueTime", t);
	twiml_fetch_or_fail(e, TWIML_FETCH_ENQUEUE, action, method, final);
}

static void hold_start(struct twiml_engine *e)
{
	struct twiml_qctx *q = e->q;
	q->mode = QM_WAIT;
	e->st = TWIML_ST_QUEUE;
	if (!e->ops->hold) {
		q->hold = false; /* silence: the caller still waits */
		return;
	}
	q->hold = true;
	/* no waitUrl: the music loops until the call leaves; a failed waitUrl: one pass, then
	 * the application is asked again */
	e->ops->hold(e->ctx, twiml_new_token(e), enq_verb(e)->u.enqueue.wait_url[0] ? 1u : 0u);
}

/* Start (again) the wait-state application, or the hold music when there is none. */
static void wait_start(struct twiml_engine *e)
{
	struct twiml_qctx *q = e->q;
	const struct twiml_enqueue *eq = &enq_verb(e)->u.enqueue;
	q->mode = QM_WAIT;
	q->hold = false;
	if (!eq->wait_url[0]) {
		hold_start(e);
		return;
	}
	struct twiml_queue_info qi;
	info(e, &qi);
	char pos[12], t[12], avg[12], size[12], max[12];
	snprintf(pos, sizeof(pos), "%u", qi.position);
	snprintf(t, sizeof(t), "%u", qi.time_s);
	snprintf(avg, sizeof(avg), "%u", qi.avg_s);
	snprintf(size, sizeof(size), "%u", qi.size);
	snprintf(max, sizeof(max), "%u", qi.max);
	q->waited = false;
	q->loops++;
	/* waitUrl is relative to the <Enqueue>'s document, whatever wait document ran last */
	memcpy(e->doc_url, q->main_doc, sizeof(e->doc_url));
	twiml_req_reset(e);
	twiml_param(e, "QueuePosition", pos);
	twiml_param(e, "QueueSid", qi.sid);
	twiml_param(e, "QueueTime", t);
	twiml_param(e, "AvgQueueTime", avg);
	twiml_param(e, "CurrentQueueSize", size);
	twiml_param(e, "MaxQueueSize", max);
	if (twiml_fetch_issue(e, TWIML_FETCH_WAIT, eq->wait_url, eq->wait_method, false)) {
		qnotify(e, TWIML_ERR_URL, "Enqueue waitUrl too long");
		hold_start(e);
	}
}

void twiml_queue_start(struct twiml_engine *e, const struct twiml_node *v)
{
	if (e->q) {
		/* an <Enqueue> inside a wait document: not one of the verbs it may use */
		qnotify(e, TWIML_WARN_SCHEMA, "Enqueue inside a wait application");
		twiml_next_verb(e);
		return;
	}
	struct twiml_qctx *q = calloc(1, sizeof(*q));
	if (!q) {
		qnotify(e, TWIML_WARN_SCHEMA, "Enqueue: out of memory");
		twiml_next_verb(e);
		return;
	}
	q->mode = QM_JOINING;
	q->main_prog = e->prog;
	q->main_vi = e->vi;
	q->main_doc_method = e->doc_method;
	memcpy(q->main_doc, e->doc_url, sizeof(q->main_doc));
	q->main_req = e->req;
	e->q = q;
	e->st = TWIML_ST_QUEUE;
	if (!v->text[0]) {
		qnotify(e, TWIML_WARN_SCHEMA, "Enqueue: no queue name");
		queue_finish(e, "error");
		return;
	}
	twiml_answer(e); /* the caller hears the queue: answered now */
	e->ops->enqueue(e->ctx, v->text, v->u.enqueue.max_queue_size);
}

void twiml_on_queue(struct twiml_engine *e, const struct twiml_queue_event *ev)
{
	struct twiml_qctx *q = e->q;
	if (!ev || !q || e->st == TWIML_ST_ENDED)
		return;
	switch (ev->ev) {
	case TWIML_Q_JOINED:
		if (q->mode == QM_JOINING)
			wait_start(e);
		return;
	case TWIML_Q_FULL:
	case TWIML_Q_ERROR:
	case TWIML_Q_SYSTEM_ERROR:
		if (q->mode == QM_BRIDGED)
			return; /* a bridged call is out of the queue already */
		queue_finish(e, ev->ev == TWIML_Q_FULL    ? "queue-full"
		                : ev->ev == TWIML_Q_ERROR ? "error"
		                                          : "system-error");
		return;
	case TWIML_Q_DEQUEUED:
		if (q->mode != QM_WAIT)
			return;
		queue_quiet(e);
		q->mode = QM_WHISPER;
		if (ev->url && ev->url[0]) {
			struct twiml_queue_info qi;
			info(e, &qi);
			char t[12];
			snprintf(t, sizeof(t), "%u", qi.time_s);
			twiml_req_reset(e);
			twiml_param(e, "QueueSid", qi.sid);
			twiml_param(e, "QueueTime", t);
			twiml_param(e, "DequeingCallSid", ev->dequeuer_sid ? ev->dequeuer_sid : "");
			if (twiml_fetch_issue(e, TWIML_FETCH_QUEUE_URL, ev->url, ev->method, false) == 0)
				return;
			qnotify(e, TWIML_ERR_URL, "Queue url too long");
		}
		twiml_queue_doc_end(e);
		return;
	case TWIML_Q_BRIDGED:
		/* JOINING: a call resumed after a restart while it was bridged */
		if (q->mode == QM_BRIDGING || q->mode == QM_WHISPER || q->mode == QM_JOINING) {
			queue_quiet(e);
			q->mode = QM_BRIDGED;
			e->st = TWIML_ST_QUEUE;
		}
		return;
	case TWIML_Q_UNBRIDGED:
		if (q->mode == QM_BRIDGED || q->mode == QM_BRIDGING)
			queue_finish(e, "bridged");
		return;
	case TWIML_Q_REQUEUED:
		if (q->mode == QM_WHISPER || q->mode == QM_BRIDGING) {
			queue_quiet(e);
			wait_start(e);
		}
		return;
	default:
		return;
	}
}

void twiml_queue_doc_end(struct twiml_engine *e)
{
	struct twiml_qctx *q = e->q;
	switch (q->mode) {
	case QM_WAIT:
		if (q->waited) {
			wait_start(e); /* Twilio requests the waitUrl again when it runs out */
		} else {
			e->st = TWIML_ST_QUEUE; /* nothing took time: do not spin on the server */
			twiml_timer_arm(e, TMR_QWAIT, QWAIT_IDLE_MS);
		}
		return;
	case QM_WHISPER:
		q->mode = QM_BRIDGING;
		e->st = TWIML_ST_QUEUE;
		if (e->ops->queue_ready)
			e->ops->queue_ready(e->ctx);
		return;
	default:
		e->st = TWIML_ST_QUEUE;
		return;
	}
}

void twiml_queue_timer(struct twiml_engine *e)
{
	if (e->q && e->q->mode == QM_WAIT && e->st == TWIML_ST_QUEUE && !e->q->hold)
		wait_start(e);
}

void twiml_queue_media_done(struct twiml_engine *e)
{
	struct twiml_qctx *q = e->q;
	if (!q || !q->hold || q->mode != QM_WAIT)
		return;
	q->hold = false;
	wait_start(e); /* the hold music ended (a pass after a failed waitUrl): ask again */
}

bool twiml_queue_fetch_failed(struct twiml_engine *e)
{
	struct twiml_qctx *q = e->q;
	switch (q->mode) {
	case QM_WAIT:
		/* the caller keeps its place: hold music, then the wait application again */
		hold_start(e);
		return true;
	case QM_WHISPER:
		twiml_queue_doc_end(e); /* no announcement: bridge anyway */
		return true;
	default:
		return false;
	}
}

void twiml_queue_caller_gone(struct twiml_engine *e)
{
	struct twiml_qctx *q = e->q;
	const char *r = q->mode == QM_BRIDGED                           ? "bridged"
	                : q->mode == QM_WHISPER || q->mode == QM_BRIDGING ? "bridging-in-process"
	                                                                  : "hangup";
	queue_finish(e, r);
}

bool twiml_queue_verb(struct twiml_engine *e, const struct twiml_node *v, bool *waits)
{
	struct twiml_qctx *q = e->q;
	*waits = true;
	switch (v->kind) {
	case TWIML_SAY:
	case TWIML_PLAY:
	case TWIML_PAUSE:
	case TWIML_REDIRECT:
		return false; /* the ordinary verb code */
	case TWIML_GATHER:
		if (q->mode == QM_WAIT)
			return false;
		break;
	case TWIML_LEAVE:
		if (q->mode != QM_WAIT)
			break;
		queue_finish(e, "leave");
		return true;
	case TWIML_HANGUP:
		if (q->mode != QM_WAIT)
			break;
		/* the application hangs up the waiting caller: the action is told (final) */
		e->caller_gone = true;
		e->ops->hangup(e->ctx);
		queue_finish(e, "hangup");
		return true;
	default:
		break;
	}
	char what[48];
	snprintf(what, sizeof(what), "%s not allowed in a queue document", twiml_kind_name(v->kind));
	qnotify(e, TWIML_WARN_SCHEMA, what);
	*waits = false;
	return true;
}

void twiml_engine_queue_redirected(struct twiml_engine *e)
{
	struct twiml_qctx *q = e->q;
	if (!q)
		return;
	struct twiml_queue_info qi;
	info(e, &qi);
	const char *result = q->mode == QM_BRIDGED ? "redirected-from-bridged" : "redirected";
	queue_quiet(e);
	if (e->ops->queue_leave)
		e->ops->queue_leave(e->ctx);
	const struct twiml_enqueue *eq = &enq_verb(e)->u.enqueue;
	if (eq->action[0] && e->ops->callback) {
		char t[12];
		snprintf(t, sizeof(t), "%u", qi.time_s);
		struct twiml_fetch f = {
		    .kind = TWIML_FETCH_ENQUEUE,
		    .method = eq->method,
		    .url = eq->action,
		    .base = q->main_doc,
		    .call_status = e->answered ? "in-progress" : "ringing",
		    .seq = ++e->seq,
		    .n_params = 3,
		    .params = {{"QueueResult", result}, {"QueueSid", qi.sid}, {"QueueTime", t}},
		};
		e->ops->callback(e->ctx, &f);
	}
	queue_restore(e);
	twiml_end(e, false); /* the redirect's markup runs in a new engine */
}
