/* SPDX-License-Identifier: BSD-3-Clause */
/* twiml_engine.c — the per-call interpreter: verb sequencing, answering rules, requests, and the
 * media verbs (Say, Play, Pause, Gather, Record, Hangup, Redirect, Reject).
 *
 * Design: the engine never blocks and never calls back into itself. Each verb either completes
 * at once (the loop in twiml_run moves on) or issues one asynchronous operation and waits in a
 * state; the matching twiml_on_* event resumes it. Media operations carry a token so a late
 * "done" for a prompt that a key press stopped is recognised and ignored. The call is answered
 * lazily, by the first verb that needs media (Pause and Reject never answer), so the first
 * request goes out with CallStatus=ringing and a leading <Reject> is never answered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twiml_engine_priv.h"

int twiml_engine_create(struct twiml_engine **out, const struct twiml_ops *ops, void *ctx)
{
	if (!out || !ops || !ops->fetch || !ops->answer || !ops->hangup || !ops->timer)
		return -EINVAL;
	struct twiml_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->ops = ops;
	e->ctx = ctx;
	e->st = TWIML_ST_IDLE;
	*out = e;
	return 0;
}

void twiml_engine_destroy(struct twiml_engine *e)
{
	if (!e)
		return;
	twiml_queue_free(e);
	twiml_prog_free(e->prog);
	free(e);
}

enum twiml_state twiml_engine_state(const struct twiml_engine *e)
{
	return (enum twiml_state)e->st;
}

bool twiml_engine_answered(const struct twiml_engine *e)
{
	return e->answered;
}

void twiml_engine_mark_answered(struct twiml_engine *e)
{
	e->answered = true;
}

uint32_t twiml_engine_verb(const struct twiml_engine *e)
{
	return e->vi;
}

const struct twiml_node *twiml_cur_verb(const struct twiml_engine *e)
{
	return e->prog && e->vi < e->prog->n_verbs ? &e->prog->verbs[e->vi] : NULL;
}

/* ---- helpers ----------------------------------------------------------------------------- */
void twiml_timer_arm(struct twiml_engine *e, enum twiml_timer t, uint32_t ms)
{
	e->tmr = (uint8_t)t;
	e->ops->timer(e->ctx, ms ? ms : 1);
}

void twiml_timer_cancel(struct twiml_engine *e)
{
	if (e->tmr != TMR_NONE) {
		e->tmr = TMR_NONE;
		e->ops->timer(e->ctx, 0);
	}
}

static void notify(struct twiml_engine *e, uint32_t code, const char *what)
{
	if (e->ops->notify)
		e->ops->notify(e->ctx, code, what);
}

void twiml_answer(struct twiml_engine *e)
{
	if (!e->answered) {
		e->answered = true;
		e->ops->answer(e->ctx);
	}
}

uint32_t twiml_new_token(struct twiml_engine *e)
{
	if (++e->next_token == 0)
		e->next_token = 1;
	return e->token = e->next_token;
}

void twiml_stop_media(struct twiml_engine *e)
{
	if (e->token) {
		e->token = 0;
		if (e->ops->stop_media)
			e->ops->stop_media(e->ctx);
	}
}

void twiml_persist(struct twiml_engine *e)
{
	/* in a queue the saved position stays the <Enqueue> itself: a resumed call re-joins (the
	 * router keeps its place) and its wait application starts again */
	if (!e->ops->persist || e->q)
		return;
	char buf[TWIML_STATE_MAX];
	int n = twiml_engine_save(e, buf, sizeof(buf));
	if (n >= 0)
		e->ops->persist(e->ctx, buf, (size_t)n);
}

void twiml_end(struct twiml_engine *e, bool hangup)
{
	if (e->st == TWIML_ST_ENDED)
		return;
	twiml_timer_cancel(e);
	if (e->st == TWIML_ST_GATHER && e->ops->collect_stop)
		e->ops->collect_stop(e->ctx);
	if (hangup)
		twiml_stop_media(e);
	e->token = 0;
	e->st = TWIML_ST_ENDED;
	if (hangup)
		e->ops->hangup(e->ctx);
}

/* ---- requests ---------------------------------------------------------------------------- */
void twiml_req_reset(struct twiml_engine *e)
{
	e->req.n_params = 0;
	e->req.pused = 0;
}

int twiml_param(struct twiml_engine *e, const char *name, const char *value)
{
	struct twiml_req *r = &e->req;
	size_t ln = strlen(name) + 1, lv = strlen(value) + 1;
	if (r->n_params >= TWIML_MAX_PARAMS || r->pused + ln + lv > TWIML_PBUF) {
		char what[64];
		snprintf(what, sizeof(what), "request parameter %.24s dropped", name);
		notify(e, TWIML_WARN_SCHEMA, what);
		return -ENOSPC;
	}
	char *n = r->pbuf + r->pused;
	memcpy(n, name, ln);
	memcpy(n + ln, value, lv);
	r->params[r->n_params++] = (struct twiml_kv){n, n + ln};
	r->pused += (uint32_t)(ln + lv);
	return 0;
}

int twiml_fetch_issue(struct twiml_engine *e, enum twiml_fetch_kind kind, const char *url,
                      uint8_t method, bool final)
{
	struct twiml_req *r = &e->req;
	size_t n = strlen(url);
	if (n >= TWIML_URL_MAX)
		return -ENAMETOOLONG;
	if (url != r->url)
		memcpy(r->url, url, n + 1);
	r->kind = (uint8_t)kind;
	r->method = method;
	e->seq++;
	struct twiml_fetch f = {
	    .kind = (uint8_t)kind,
	    .method = method,
	    .final = final,
	    .url = r->url,
	    .base = e->doc_url,
	    .call_status = final         ? "completed"
	                   : e->answered ? "in-progress"
	                                 : "ringing",
	    .seq = e->seq,
	    .n_params = r->n_params,
	};
	memcpy(f.params, r->params, r->n_params * sizeof(r->params[0]));
	if (final) {
		e->st = TWIML_ST_ENDED;
	} else {
		e->st = TWIML_ST_FETCHING;
		twiml_persist(e);
	}
	e->ops->fetch(e->ctx, &f);
	return 0;
}

/* A request the application asked for (action, Redirect); a URL too long ends the call. */
void twiml_fetch_or_fail(struct twiml_engine *e, enum twiml_fetch_kind kind, const char *url,
                         uint8_t method, bool final)
{
	if (twiml_fetch_issue(e, kind, url, method, final)) {
		notify(e, TWIML_ERR_URL, "URL too long");
		if (!final) {
			e->st = TWIML_ST_FETCHING;
			twiml_on_fetch_failed(e, TWIML_ERR_URL);
		}
	}
}

int twiml_engine_start_doc(struct twiml_engine *e, struct twiml_prog *prog, const char *url)
{
	if (e->st != TWIML_ST_IDLE) {
		twiml_prog_free(prog);
		return -EALREADY;
	}
	if (!prog || !url || strlen(url) >= TWIML_URL_MAX) {
		twiml_prog_free(prog);
		return -EINVAL;
	}
	twiml_req_reset(e);
	snprintf(e->req.url, sizeof(e->req.url), "%s", url);
	e->req.kind = TWIML_FETCH_INITIAL;
	e->req.method = TWIML_POST;
	e->st = TWIML_ST_FETCHING; /* as if fetched: the program runs now */
	twiml_on_document(e, prog, url);
	return 0;
}

int twiml_engine_start(struct twiml_engine *e, const char *url, enum twiml_method m)
{
	if (e->st != TWIML_ST_IDLE)
		return -EALREADY;
	if (!url || !*url || strlen(url) >= TWIML_URL_MAX)
		return -EINVAL;
	twiml_req_reset(e);
	e->doc_url[0] = 0;
	return twiml_fetch_issue(e, TWIML_FETCH_INITIAL, url, (uint8_t)m, false);
}

void twiml_on_document(struct twiml_engine *e, struct twiml_prog *prog, const char *url)
{
	if (e->st != TWIML_ST_FETCHING || !prog) {
		twiml_prog_free(prog);
		return;
	}
	if (!e->q || e->prog != e->q->main_prog)
		twiml_prog_free(e->prog); /* the <Enqueue>'s own document stays while queued */
	e->prog = prog;
	snprintf(e->doc_url, sizeof(e->doc_url), "%s", url ? url : e->req.url);
	e->doc_method = e->req.method;
	e->vi = e->resuming ? e->resume_vi : 0;
	bool bridged = e->resuming && e->resume_bridged;
	e->resuming = false;
	e->resume_bridged = false;
	for (uint32_t i = 0; i < prog->n_warn; i++)
		notify(e, prog->warn[i].code, prog->warn[i].what);
	if (bridged && !twiml_dial_readopt(e)) {
		notify(e, TWIML_WARN_SCHEMA, "resume: the bridged Dial is gone from the document");
		if (e->ops->dial_cancel)
			e->ops->dial_cancel(e->ctx, e->resume_up); /* the callee's leg goes too */
		twiml_end(e, true);
		return;
	}
	if (!bridged)
		twiml_run(e);
}

void twiml_on_fetch_failed(struct twiml_engine *e, uint32_t code)
{
	if (e->st != TWIML_ST_FETCHING)
		return;
	notify(e, code, "request failed");
	if (e->q && twiml_queue_fetch_failed(e))
		return; /* a wait application that fails keeps the caller waiting, on hold music */
	/* Twilio answers and says so, then hangs up */
	twiml_answer(e);
	e->app_error = true;
	e->st = TWIML_ST_MEDIA;
	if (e->ops->say)
		e->ops->say(e->ctx, twiml_new_token(e), TWIML_APP_ERROR_TEXT, "man", "en-US", 1);
	else
		twiml_end(e, true);
}

/* ---- verbs ------------------------------------------------------------------------------- */
static bool start_media(struct twiml_engine *e, const struct twiml_node *n)
{
	switch (n->kind) {
	case TWIML_SAY:
		if (!n->text[0] || !e->ops->say)
			return false;
		twiml_mark_waited(e);
		twiml_answer(e);
		e->ops->say(e->ctx, twiml_new_token(e), n->text, n->u.say.voice, n->u.say.language,
		            n->u.say.loop);
		return true;
	case TWIML_PLAY:
		twiml_mark_waited(e);
		if (n->u.play.digits[0] && e->ops->tones) {
			twiml_answer(e);
			e->ops->tones(e->ctx, twiml_new_token(e), n->u.play.digits);
			return true;
		}
		if (!n->text[0] || !e->ops->play)
			return false;
		twiml_answer(e);
		e->ops->play(e->ctx, twiml_new_token(e), n->text, n->u.play.loop);
		return true;
	default:
		return false;
	}
}

static void gather_finish(struct twiml_engine *e, char key)
{
	const struct twiml_node *v = twiml_cur_verb(e);
	const struct twiml_gather *g = &v->u.gather;
	twiml_timer_cancel(e);
	twiml_stop_media(e);
	if (e->ops->collect_stop)
		e->ops->collect_stop(e->ctx);
	if (!e->n_digits && !g->action_on_empty) {
		twiml_next_verb(e); /* no input: fall through */
		return;
	}
	char fk[2] = {key, 0};
	twiml_req_reset(e);
	twiml_param(e, "msg", "Gather End");
	twiml_param(e, "Digits", e->digits);
	twiml_param(e, "FinishedOnKey", fk);
	twiml_fetch_or_fail(e, TWIML_FETCH_GATHER, g->action[0] ? g->action : e->doc_url, g->method,
	              false);
}

static void gather_prompt(struct twiml_engine *e)
{
	const struct twiml_node *v = twiml_cur_verb(e);
	const struct twiml_node *kids = &e->prog->kids[v->kid];
	for (; e->ki < v->n_kids; e->ki++) {
		const struct twiml_node *k = &kids[e->ki];
		if (k->kind == TWIML_PAUSE) {
			if (!k->u.pause.length)
				continue;
			e->gsub = G_PAUSE;
			twiml_timer_arm(e, TMR_GATHER_PAUSE, k->u.pause.length * 1000u);
			return;
		}
		if (start_media(e, k)) {
			e->gsub = G_PROMPT;
			return;
		}
	}
	e->gsub = G_INPUT;
	twiml_timer_arm(e, TMR_GATHER_INPUT, v->u.gather.timeout * 1000u);
}

static void gather_start(struct twiml_engine *e, const struct twiml_node *v)
{
	const struct twiml_gather *g = &v->u.gather;
	twiml_mark_waited(e);
	twiml_answer(e);
	e->st = TWIML_ST_GATHER;
	e->ki = 0;
	e->n_digits = 0;
	e->digits[0] = 0;
	if ((g->input & TWIML_INPUT_DTMF) && e->ops->collect) {
		struct twiml_collect_op c = {.num_digits = g->num_digits,
		                             .finish_key = g->finish_key,
		                             .timeout_ms = g->timeout * 1000u,
		                             .barge_in = true};
		e->ops->collect(e->ctx, &c);
	}
	gather_prompt(e);
}

static void record_go(struct twiml_engine *e)
{
	const struct twiml_node *v = twiml_cur_verb(e);
	const struct twiml_record *r = &v->u.record;
	struct twiml_record_op op = {.max_length_s = r->max_length,
	                             .timeout_s = r->timeout,
	                             .finish_keys = r->finish_keys,
	                             .trim = r->trim == TWIML_TRIM_SILENCE,
	                             .verb = v};
	e->beeping = false;
	e->ops->record(e->ctx, twiml_new_token(e), &op);
}

static bool record_start(struct twiml_engine *e, const struct twiml_node *v)
{
	if (!e->ops->record) {
		notify(e, TWIML_WARN_SCHEMA, "Record: not available");
		return false;
	}
	twiml_answer(e);
	e->st = TWIML_ST_RECORD;
	if (v->u.record.play_beep && e->ops->beep) {
		e->beeping = true;
		e->ops->beep(e->ctx, twiml_new_token(e));
	} else {
		record_go(e);
	}
	return true;
}

/* Executes verb v: true when it waits for an event, false to go on with the next verb. */
static bool exec_verb(struct twiml_engine *e, const struct twiml_node *v)
{
	bool waits;
	if (e->q && twiml_queue_verb(e, v, &waits))
		return waits;
	switch (v->kind) {
	case TWIML_SAY:
	case TWIML_PLAY:
		if (!start_media(e, v))
			return false;
		e->st = TWIML_ST_MEDIA;
		return true;
	case TWIML_PAUSE:
		if (!v->u.pause.length)
			return false;
		twiml_mark_waited(e);
		e->st = TWIML_ST_PAUSE;
		twiml_timer_arm(e, TMR_PAUSE, v->u.pause.length * 1000u);
		return true;
	case TWIML_GATHER:
		gather_start(e, v);
		return true;
	case TWIML_RECORD:
		return record_start(e, v);
	case TWIML_DIAL:
		twiml_dial_start(e, v);
		return true;
	case TWIML_HANGUP:
		twiml_end(e, true);
		return true;
	case TWIML_REDIRECT:
		if (!v->text[0]) {
			notify(e, TWIML_WARN_SCHEMA, "Redirect: no URL");
			return false;
		}
		twiml_req_reset(e);
		twiml_fetch_or_fail(e, TWIML_FETCH_REDIRECT, v->text, v->u.redirect.method, false);
		return true;
	case TWIML_REJECT:
		if (!e->answered && e->ops->reject) {
			e->ops->reject(e->ctx, v->u.reject.reason == TWIML_REJECT_BUSY ? 486 : 603);
			twiml_end(e, false);
		} else {
			twiml_end(e, true); /* after answer, Reject is a hang-up */
		}
		return true;
	case TWIML_ENQUEUE:
		if (!e->ops->enqueue) {
			notify(e, TWIML_WARN_SCHEMA, "Enqueue: no queues here");
			return false;
		}
		twiml_queue_start(e, v);
		return true;
	default: /* Leave outside a queue: nothing to leave */
		return false;
	}
}

void twiml_run(struct twiml_engine *e)
{
	/* bounded: every turn either waits (returns) or moves to the next verb */
	while (e->st != TWIML_ST_ENDED) {
		if (!e->prog || e->vi >= e->prog->n_verbs) {
			if (e->q) {
				twiml_queue_doc_end(e); /* the wait app loops; <Queue url> → bridge */
			} else {
				twiml_end(e, !e->ops->finished); /* end of the document */
				if (e->ops->finished)
					e->ops->finished(e->ctx);
			}
			return;
		}
		e->st = TWIML_ST_MEDIA; /* transient; exec_verb sets the waiting state */
		twiml_persist(e);
		if (exec_verb(e, &e->prog->verbs[e->vi]))
			return;
		e->vi++;
	}
}

void twiml_next_verb(struct twiml_engine *e)
{
	e->vi++;
	twiml_run(e);
}

/* ---- events ------------------------------------------------------------------------------ */
void twiml_on_media_done(struct twiml_engine *e, uint32_t token, bool stopped)
{
	if (!token || token != e->token)
		return; /* stale: a prompt already stopped or replaced */
	e->token = 0;
	if (e->app_error) {
		e->app_error = false;
		twiml_end(e, true);
		return;
	}
	switch (e->st) {
	case TWIML_ST_MEDIA:
		twiml_next_verb(e);
		break;
	case TWIML_ST_GATHER:
		e->ki++;
		gather_prompt(e);
		break;
	case TWIML_ST_RECORD:
		if (e->beeping)
			record_go(e);
		break;
	case TWIML_ST_QUEUE:
		twiml_queue_media_done(e);
		break;
	default:
		break;
	}
}

void twiml_on_timer(struct twiml_engine *e)
{
	uint8_t t = e->tmr;
	e->tmr = TMR_NONE;
	switch (t) {
	case TMR_PAUSE:
		if (e->st == TWIML_ST_PAUSE)
			twiml_next_verb(e);
		break;
	case TMR_GATHER_PAUSE:
		if (e->st == TWIML_ST_GATHER) {
			e->ki++;
			gather_prompt(e);
		}
		break;
	case TMR_GATHER_INPUT:
		if (e->st == TWIML_ST_GATHER)
			gather_finish(e, 0);
		break;
	case TMR_DIAL:
		if (e->st == TWIML_ST_DIAL)
			twiml_dial_timeout(e);
		break;
	case TMR_QWAIT:
		twiml_queue_timer(e);
		break;
	default:
		break; /* stale */
	}
}

void twiml_on_dtmf(struct twiml_engine *e, char d)
{
	if (e->st == TWIML_ST_BRIDGED || e->st == TWIML_ST_DIAL) {
		twiml_dial_dtmf(e, d);
		return;
	}
	if (e->st != TWIML_ST_GATHER)
		return; /* Twilio ignores keys outside Gather (Record's keys come with its result)
		         */
	const struct twiml_node *v = twiml_cur_verb(e);
	const struct twiml_gather *g = &v->u.gather;
	if (!(g->input & TWIML_INPUT_DTMF))
		return;
	if (!((d >= '0' && d <= '9') || d == '*' || d == '#' || (d >= 'A' && d <= 'D')))
		return;
	if (e->gsub != G_INPUT) { /* barge-in: the prompts stop at the first key */
		twiml_stop_media(e);
		twiml_timer_cancel(e);
		e->gsub = G_INPUT;
	}
	if (g->finish_key && d == g->finish_key) {
		gather_finish(e, d);
		return;
	}
	e->digits[e->n_digits++] = d;
	e->digits[e->n_digits] = 0;
	if ((g->num_digits && e->n_digits >= g->num_digits) || e->n_digits >= TWIML_MAX_DIGITS) {
		gather_finish(e, 0);
		return;
	}
	twiml_timer_arm(e, TMR_GATHER_INPUT, g->timeout * 1000u);
}

/* recordingStatusCallback with the completed event (the only one a finished <Record> has). */
static void record_status_callback(struct twiml_engine *e, const struct twiml_record *rc,
                                   const struct twiml_rec_result *r, const char *dur)
{
	if (!rc->rsc[0] || !e->ops->callback || !strstr(rc->rsc_events, "completed"))
		return;
	struct twiml_fetch f = {
	    .kind = TWIML_FETCH_RECORDING_STATUS,
	    .method = rc->rsc_method,
	    .url = rc->rsc,
	    .base = e->doc_url,
	    .call_status = e->caller_gone ? "completed" : "in-progress",
	    .seq = e->seq,
	    .n_params = 6,
	    .params = {{"RecordingSid", r->sid ? r->sid : ""},
	               {"RecordingUrl", r->url ? r->url : ""},
	               {"RecordingStatus", "completed"},
	               {"RecordingDuration", dur},
	               {"RecordingChannels", "1"},
	               {"RecordingSource", "RecordVerb"}},
	};
	e->ops->callback(e->ctx, &f);
}

void twiml_on_record_done(struct twiml_engine *e, uint32_t token, const struct twiml_rec_result *r)
{
	if (!token || token != e->token || e->st != TWIML_ST_RECORD || e->beeping)
		return;
	e->token = 0;
	const struct twiml_node *v = twiml_cur_verb(e);
	bool gone = e->caller_gone;
	if (!r || !r->duration_s) {
		/* nothing recorded: Twilio does not request the action and goes on */
		if (gone)
			twiml_end(e, false);
		else
			twiml_next_verb(e);
		return;
	}
	char dur[16], dg[2] = {r->digit, 0};
	snprintf(dur, sizeof(dur), "%u", r->duration_s);
	record_status_callback(e, &v->u.record, r, dur);
	twiml_req_reset(e);
	twiml_param(e, "RecordingUrl", r->url ? r->url : "");
	twiml_param(e, "RecordingSid", r->sid ? r->sid : "");
	twiml_param(e, "RecordingDuration", dur);
	if (gone)
		twiml_param(e, "Digits", "hangup");
	else if (r->digit)
		twiml_param(e, "Digits", dg);
	const struct twiml_record *rc = &v->u.record;
	twiml_fetch_or_fail(e, TWIML_FETCH_RECORD, rc->action[0] ? rc->action : e->doc_url, rc->method,
	              gone);
}

void twiml_on_call_ended(struct twiml_engine *e)
{
	if (e->st == TWIML_ST_ENDED || e->caller_gone)
		return;
	e->caller_gone = true;
	if (e->q) {
		twiml_queue_caller_gone(e); /* QueueResult=hangup (or bridged) to the action */
		return;
	}
	switch (e->st) {
	case TWIML_ST_RECORD:
		if (!e->beeping)
			return; /* the recording reports, then the action goes out (Digits=hangup)
			         */
		break;
	case TWIML_ST_DIAL:
	case TWIML_ST_BRIDGED:
		twiml_dial_caller_gone(e);
		return;
	default:
		break;
	}
	twiml_end(e, false);
}
