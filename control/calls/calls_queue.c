/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_queue.c — call queues in the call router: <Enqueue> joins a named queue of the account
 * (made on demand, stored as a Queue resource), members in FIFO order in memory and in the
 * store (STORE_DB_QUEUE_MEMBERS under rest_member_key(), which the REST Members resource
 * reads), <Dial><Queue> takes the head (or waits for the next caller until its Dial timeout)
 * and bridges the two calls, which usually live on different lcores (the dataplane's
 * cross-lcore BRIDGE), <Leave>/hang-up/redirect take a call out, and a restarted control puts
 * the members whose calls resumed back in line in their stored order.
 *
 * A member's life: JOINING (its member key is being committed) → WAITING (in line; the wait
 * application or hold music plays) → DEQUEUED (an agent took it: its <Queue url> markup plays)
 * → BRIDGING (markup done, BRIDGE sent or waiting for the agent's engine) → BRIDGED → NONE
 * when the bridge ends (the engine requests the Enqueue action with QueueResult=bridged). An
 * agent that goes away before the bridge puts the member back at its old place (REQUEUED).
 *
 * Everything the engine hears from here goes through a zero-delay loop timer (ops must not
 * re-enter the engine) or from a store completion / dataplane event (not inside the engine). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "calls_priv.h"
#include "calls_qline.h"
#include "ctl_dp.h"
#include "ctl_log.h"
#include "ctl_pool.h"
#include "ctl_req.h"
#include "http_ctl.h"
#include "rest_router.h"
#include "store.h"
#include "store_ent.h"

#define TAG "calls"
#define CQ_MAX 256             /* queues with members or agents in memory at once */
#define CQ_AGENTS 64           /* <Dial><Queue> calls waiting on one empty queue */
#define CQ_NAME_MAX 64         /* Twilio: a queue name is at most 64 characters */
#define CQ_LOOKUP_PAGES 100    /* store pages of 1000 queues looked at for a name */
#define CQ_RESTORE_MAX 65536u  /* member entries looked at after a restart */

struct cq_agent {
	void *ref; /* call_ref of the dequeuing call */
	uint32_t leg;
};

struct cqueue {
	bool used;
	char sid[STORE_SID_LEN + 1], account[STORE_SID_LEN + 1], name[CQ_NAME_MAX + 1];
	uint32_t max_size;
	struct cq_line line; /* the members, FIFO */
	uint32_t n_agents;
	struct cq_agent agents[CQ_AGENTS]; /* FIFO */
};

struct calls_queues {
	struct cqueue q[CQ_MAX];
	uint32_t n_used;
	uint64_t last_us; /* enqueue times are unique and increasing (FIFO by key) */
	vox_clip_t hold[CALLS_PLAY_CLIPS];
	uint32_t n_hold;
};

/* ---- the in-memory queues ---- */

static struct calls_queues *QS(struct ctl_calls *m)
{
	if (!m->qs)
		m->qs = calloc(1, sizeof(*m->qs));
	return m->qs;
}

static struct cqueue *cq_by_sid(struct ctl_calls *m, const char *sid)
{
	struct calls_queues *qs = QS(m);
	for (uint32_t i = 0; qs && sid && sid[0] && i < CQ_MAX; i++)
		if (qs->q[i].used && !strcmp(qs->q[i].sid, sid))
			return &qs->q[i];
	return NULL;
}

static struct cqueue *cq_by_name(struct ctl_calls *m, const char *account, const char *name)
{
	struct calls_queues *qs = QS(m);
	for (uint32_t i = 0; qs && i < CQ_MAX; i++)
		if (qs->q[i].used && !strcmp(qs->q[i].account, account) && !strcmp(qs->q[i].name, name))
			return &qs->q[i];
	return NULL;
}

static struct cqueue *cq_slot(struct ctl_calls *m, const json_t *rec)
{
	struct calls_queues *qs = QS(m);
	if (!qs)
		return NULL;
	for (uint32_t i = 0; i < CQ_MAX; i++) {
		struct cqueue *q = &qs->q[i];
		if (q->used)
			continue;
		memset(q, 0, sizeof(*q));
		q->used = true;
		snprintf(q->sid, sizeof(q->sid), "%s", json_string_value(json_object_get(rec, "sid")) ?: "");
		snprintf(q->account, sizeof(q->account), "%s",
		         json_string_value(json_object_get(rec, "account_sid")) ?: "");
		snprintf(q->name, sizeof(q->name), "%s",
		         json_string_value(json_object_get(rec, "friendly_name")) ?: "");
		json_int_t mx = json_integer_value(json_object_get(rec, "max_size"));
		q->max_size = mx > 0 && mx <= CQ_MEMBERS_MAX ? (uint32_t)mx : 1000;
		qs->n_used++;
		return q;
	}
	m->cnt.queue_table_full++;
	return NULL;
}

/* Forget a queue nobody is in or waiting on (its record stays in the store). */
static void cq_gc(struct ctl_calls *m, struct cqueue *q)
{
	if (!q || q->line.n || q->n_agents)
		return;
	cq_line_free(&q->line);
	q->used = false;
	m->qs->n_used--;
}

static int cq_index(const struct cqueue *q, void *ref)
{
	return cq_line_index(&q->line, ref);
}

static int cq_insert(struct cqueue *q, void *ref, uint64_t enq_us)
{
	return cq_line_insert(&q->line, ref, enq_us);
}

static void cq_remove_at(struct cqueue *q, uint32_t i)
{
	cq_line_remove_at(&q->line, i);
}

/* The queue record of the account named `name` from the store (bounded scan), or NULL. */
static json_t *cq_lookup(struct ctl_calls *m, const char *account, const char *name)
{
	char cur[STORE_CURSOR_LEN + 1] = "", nx[STORE_CURSOR_LEN + 1];
	for (int pages = 0; pages < CQ_LOOKUP_PAGES; pages++) {
		json_t *items;
		if (store_res_list(m->c->store, STORE_K_QUEUE, account, cur, 0, 1000, 0, &items, nx))
			return NULL;
		size_t i;
		json_t *r, *found = NULL;
		json_array_foreach(items, i, r)
		{
			if (!strcmp(json_string_value(json_object_get(r, "friendly_name")) ?: "", name)) {
				found = json_incref(r);
				break;
			}
		}
		json_decref(items);
		if (found || !nx[0])
			return found;
		memcpy(cur, nx, sizeof(cur));
	}
	return NULL;
}

/* ---- the store ---- */

static int member_put(struct store_batch *b, const char *qsid, uint64_t us, const char *csid)
{
	uint8_t key[REST_MEMBER_KEY_LEN];
	rest_member_key(key, qsid, us, csid);
	json_t *v = json_pack("{s:s, s:s, s:I}", "call_sid", csid, "queue_sid", qsid, "_ts",
	                      (json_int_t)us);
	int rc = v ? store_batch_put_json(b, STORE_DB_QUEUE_MEMBERS, key, sizeof(key), v, 0) : -ENOMEM;
	json_decref(v);
	return rc;
}

static int member_del(struct store_batch *b, const char *qsid, uint64_t us, const char *csid)
{
	uint8_t key[REST_MEMBER_KEY_LEN];
	rest_member_key(key, qsid, us, csid);
	return store_batch_del(b, STORE_DB_QUEUE_MEMBERS, key, sizeof(key), 0);
}

/* Write (put) or remove the member entry of k, with k's state, in one commit. */
static void member_store(struct call *k, bool put, store_done_fn *cb, void *arg)
{
	struct ctl_calls *m = k->m;
	if (!m->c->store)
		return;
	struct store_batch *b = store_batch_new();
	int rc = b ? (put ? member_put(b, k->q_sid, k->q_enq_us, k->sid)
	                  : member_del(b, k->q_sid, k->q_enq_us, k->sid))
	           : -ENOMEM;
	if (!rc && k->committed && !k->leg_gone)
		rc = calls_state_put(k, b);
	if (rc) {
		store_batch_free(b);
		m->cnt.store_errors++;
		if (cb)
			cb(arg, rc, NULL);
		return;
	}
	if (store_submit(m->c->store, b, cb, arg) != 0) {
		m->cnt.store_errors++;
		if (cb)
			cb(arg, -EIO, NULL);
	}
}

/* ---- telling the engines, later ---- */

struct q_later {
	void *ref;
	uint8_t kind; /* 0: twiml_on_queue, 1: twiml_on_leg */
	uint8_t ev, method;
	uint32_t leg;
	struct twiml_leg_event le;
	char sid[STORE_SID_LEN + 1], url[CALLS_URL_MAX];
};

static int64_t later_fire(struct ctl_loop *l, uint64_t id, void *arg)
{
	(void)l, (void)id;
	struct q_later *x = arg;
	struct call *k = call_deref(calls_module(), x->ref);
	if (k && k->eng) {
		if (x->kind == 0) {
			struct twiml_queue_event ev = {.ev = x->ev, .method = x->method, .url = x->url,
			                               .dequeuer_sid = x->sid};
			twiml_on_queue(k->eng, &ev);
			if (x->ev == TWIML_Q_BRIDGED && k->q_unbridged && k->eng) {
				/* resumed while bridged, and the bridge ended before the engine was
				 * back in its <Enqueue>: its end now */
				k->q_unbridged = false;
				struct twiml_queue_event ub = {.ev = TWIML_Q_UNBRIDGED};
				twiml_on_queue(k->eng, &ub);
			}
		} else {
			x->le.call_sid = x->sid;
			struct call_dleg *d = x->leg < CALLS_DIAL_LEGS ? &k->dl[x->leg] : NULL;
			if (d && d->used && d->queue && x->le.result != TWIML_LEG_ANSWERED)
				d->gone = true; /* reported: the leg no longer keeps the call */
			twiml_on_leg(k->eng, x->leg, &x->le);
		}
	}
	if (k && k->gen)
		call_maybe_free(k);
	free(x);
	return CTL_TIMER_STOP;
}

static void later_push(struct call *k, struct q_later *x)
{
	x->ref = call_ref(k);
	if (!ctl_loop_add_timer(k->m->c->loop, 0, later_fire, x))
		free(x);
}

static void later_queue(struct call *k, uint8_t ev, const char *url, uint8_t method,
                        const char *dequeuer)
{
	struct q_later *x = calloc(1, sizeof(*x));
	if (!x)
		return;
	x->ev = ev;
	x->method = method;
	snprintf(x->url, sizeof(x->url), "%s", url ?: "");
	snprintf(x->sid, sizeof(x->sid), "%s", dequeuer ?: "");
	later_push(k, x);
}

static void later_leg(struct call *k, uint32_t leg, uint8_t result, uint32_t dur,
                      const char *member_sid)
{
	struct q_later *x = calloc(1, sizeof(*x));
	if (!x)
		return;
	x->kind = 1;
	x->leg = leg;
	x->le.result = result;
	x->le.sip_code = result == TWIML_LEG_ANSWERED ? 200 : 0;
	x->le.duration_s = dur;
	snprintf(x->sid, sizeof(x->sid), "%s", member_sid ?: "");
	later_push(k, x);
}

/* ---- members and agents ---- */

static struct call_dleg *agent_dleg(struct call *a, uint32_t leg)
{
	return a && leg < CALLS_DIAL_LEGS && a->dl[leg].used && a->dl[leg].queue ? &a->dl[leg] : NULL;
}

/* The agent's queue leg is over for its engine: ENDED (after an answer) with the duration. */
static void agent_report_end(struct call *a, uint32_t leg, uint64_t now_ns, bool now)
{
	struct call_dleg *d = agent_dleg(a, leg);
	if (!d || d->q_reported)
		return;
	d->q_reported = true;
	uint32_t dur = d->q_bridged_ns && now_ns > d->q_bridged_ns
	                   ? (uint32_t)((now_ns - d->q_bridged_ns + 500000000ull) / 1000000000ull)
	                   : 0;
	char sid[STORE_SID_LEN + 1];
	snprintf(sid, sizeof(sid), "%s", d->sid);
	if (now) {
		d->gone = true;
		struct twiml_leg_event ev = {.result = TWIML_LEG_ENDED, .duration_s = dur, .call_sid = sid};
		if (a->eng)
			twiml_on_leg(a->eng, leg, &ev);
	} else {
		later_leg(a, leg, TWIML_LEG_ENDED, dur, sid); /* the leg stays live until then */
	}
}

/* Member k back in line at its old place (its agent went before the bridge). */
static void member_requeue(struct call *k)
{
	struct ctl_calls *m = k->m;
	struct cqueue *q = cq_by_sid(m, k->q_sid);
	k->q_agent = NULL;
	if (!q || k->leg_gone || cq_insert(q, call_ref(k), k->q_enq_us) != 0) {
		k->q_st = CQ_NONE;
		m->cnt.queue_errors++;
		later_queue(k, TWIML_Q_SYSTEM_ERROR, NULL, 0, NULL);
		return;
	}
	k->q_st = CQ_WAITING;
	m->cnt.queue_requeued++;
	member_store(k, true, NULL, NULL);
	later_queue(k, TWIML_Q_REQUEUED, NULL, 0, NULL);
}

static void cq_match(struct ctl_calls *m, struct cqueue *q);

/* Agent a (its noun `leg`) takes the first waiting member of q: false when there is none. */
static bool cq_take(struct ctl_calls *m, struct cqueue *q, struct call *a, uint32_t leg)
{
	struct call_dleg *d = agent_dleg(a, leg);
	for (uint32_t i = 0; d && i < q->line.n; i++) {
		struct call *k = call_deref(m, q->line.v[i].ref);
		if (!k) {
			cq_remove_at(q, i--); /* a call that went without telling (cannot happen) */
			continue;
		}
		if (k->q_st != CQ_WAITING || k->leg_gone)
			continue; /* joining: its member entry is not committed yet */
		cq_remove_at(q, i);
		k->q_st = CQ_DEQUEUED;
		k->q_agent = call_ref(a);
		k->q_agent_leg = leg;
		d->q_member = call_ref(k);
		d->q_waiting = false;
		snprintf(d->sid, sizeof(d->sid), "%s", k->sid);
		m->cnt.queue_dequeued++;
		CTL_INFO(TAG, "%s: dequeued from %s by %s", k->sid, q->name, a->sid);
		member_store(k, false, NULL, NULL);
		later_queue(k, TWIML_Q_DEQUEUED, d->target, d->q_method, a->sid);
		/* the agent's Dial: its noun answered (the bridge waits for the member's markup) */
		later_leg(a, leg, TWIML_LEG_ANSWERED, 0, k->sid);
		return true;
	}
	return false;
}

/* Waiting agents take waiting members, first come first served. */
static void cq_match(struct ctl_calls *m, struct cqueue *q)
{
	while (q->n_agents) {
		struct cq_agent ag = q->agents[0];
		struct call *a = call_deref(m, ag.ref);
		struct call_dleg *d = agent_dleg(a, ag.leg);
		if (d && d->q_waiting && !a->leg_gone) {
			if (!cq_take(m, q, a, ag.leg))
				return; /* nobody waiting (yet) */
		}
		memmove(&q->agents[0], &q->agents[1], (q->n_agents - 1) * sizeof(q->agents[0]));
		q->n_agents--;
	}
}

static void agent_unregister(struct ctl_calls *m, struct call *a, uint32_t leg)
{
	struct call_dleg *d = agent_dleg(a, leg);
	struct cqueue *q = d ? cq_by_sid(m, d->q_sid) : NULL;
	if (!q)
		return;
	void *ref = call_ref(a);
	for (uint32_t i = 0; i < q->n_agents; i++) {
		if (q->agents[i].ref == ref && q->agents[i].leg == leg) {
			memmove(&q->agents[i], &q->agents[i + 1], (q->n_agents - i - 1) * sizeof(q->agents[0]));
			q->n_agents--;
			break;
		}
	}
	d->q_waiting = false;
	cq_gc(m, q);
}

/* ---- <Enqueue> ---- */

static void enq_committed(void *arg, int status, const struct store_result *r)
{
	(void)r;
	struct ctl_calls *m = calls_module();
	struct call *k = call_deref(m, arg);
	if (!k || k->q_st != CQ_JOINING)
		return; /* gone or left meanwhile (its removal was submitted after this) */
	struct cqueue *q = cq_by_sid(m, k->q_sid);
	if (status || !q) {
		if (q) {
			int i = cq_index(q, call_ref(k));
			if (i >= 0)
				cq_remove_at(q, (uint32_t)i);
			cq_gc(m, q);
		}
		k->q_st = CQ_NONE;
		m->cnt.queue_errors++;
		CTL_WARN(TAG, "%s: enqueue not stored: %s", k->sid, strerror(-status));
		if (k->eng) {
			struct twiml_queue_event ev = {.ev = TWIML_Q_SYSTEM_ERROR};
			twiml_on_queue(k->eng, &ev);
		}
		if (k->gen)
			call_maybe_free(k);
		return;
	}
	k->q_st = CQ_WAITING;
	m->cnt.queue_joined++;
	if (k->eng) {
		struct twiml_queue_event ev = {.ev = TWIML_Q_JOINED};
		twiml_on_queue(k->eng, &ev);
	}
	if (k->gen && k->q_st == CQ_WAITING)
		cq_match(m, q);
}

void calls_queue_enqueue(struct call *k, const char *name, uint32_t max_attr)
{
	struct ctl_calls *m = k->m;
	if (!name || !*name || strlen(name) > CQ_NAME_MAX) {
		m->cnt.queue_errors++;
		later_queue(k, TWIML_Q_ERROR, NULL, 0, NULL);
		return;
	}
	struct cqueue *q = cq_by_name(m, k->account_sid, name);
	/* a resumed call that never left: its place is kept (calls_queue_restore put it back as
	 * JOINING, so no agent takes it before its engine is back here) */
	if (q && !strcmp(q->sid, k->q_sid) && (k->q_st == CQ_WAITING || k->q_st == CQ_JOINING) &&
	    cq_index(q, call_ref(k)) >= 0) {
		k->q_st = CQ_WAITING;
		later_queue(k, TWIML_Q_JOINED, NULL, 0, NULL);
		cq_match(m, q); /* agents that waited meanwhile */
		return;
	}
	if (k->q_st == CQ_BRIDGED || k->q_unbridged) {
		/* resumed while bridged to its agent: the bridge goes on; its end comes as UNBRIDGED
		 * (or came already: q_unbridged) */
		later_queue(k, TWIML_Q_BRIDGED, NULL, 0, NULL);
		return;
	}
	if (k->q_st != CQ_NONE)
		calls_queue_leave(k);
	if (!m->c->store) {
		later_queue(k, TWIML_Q_SYSTEM_ERROR, NULL, 0, NULL);
		return;
	}
	struct store_batch *b = store_batch_new();
	if (!b) {
		later_queue(k, TWIML_Q_SYSTEM_ERROR, NULL, 0, NULL);
		return;
	}
	json_t *rec = NULL;
	if (q && store_res_get(m->c->store, STORE_K_QUEUE, q->sid, &rec) != 0) {
		/* deleted through the REST API since: a new one is made below */
		if (!q->line.n && !q->n_agents)
			cq_gc(m, q);
		q = NULL;
	}
	if (!q) {
		rec = cq_lookup(m, k->account_sid, name);
		if (!rec) {
			char sid[STORE_SID_LEN + 1];
			uint64_t now = store_now_us();
			char d[40];
			store_rfc2822(now, d);
			if (store_sid_new(sid, "QU") == 0)
				rec = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:I}", "sid", sid,
				                "account_sid", k->account_sid, "friendly_name", name,
				                "max_size", 1000, "date_created", d, "date_updated", d, "_ts",
				                (json_int_t)now);
			if (!rec || store_res_put(b, STORE_K_QUEUE, rec, 1) != 0) {
				json_decref(rec);
				store_batch_free(b);
				later_queue(k, TWIML_Q_SYSTEM_ERROR, NULL, 0, NULL);
				return;
			}
			m->cnt.queue_created++;
		}
		q = cq_by_sid(m, json_string_value(json_object_get(rec, "sid")));
		if (!q)
			q = cq_slot(m, rec);
	}
	if (q && rec) {
		json_int_t mx = json_integer_value(json_object_get(rec, "max_size"));
		if (mx > 0 && mx <= CQ_MEMBERS_MAX)
			q->max_size = (uint32_t)mx; /* the REST API may have changed it */
	}
	json_decref(rec);
	if (!q) {
		store_batch_free(b);
		later_queue(k, TWIML_Q_SYSTEM_ERROR, NULL, 0, NULL);
		return;
	}
	uint32_t lim = q->max_size;
	if (max_attr && max_attr < lim)
		lim = max_attr;
	if (q->line.n >= lim) {
		m->cnt.queue_full++;
		/* a queue made just now is never full: nothing in the batch is lost */
		store_batch_free(b);
		later_queue(k, TWIML_Q_FULL, NULL, 0, NULL);
		snprintf(k->q_sid, sizeof(k->q_sid), "%s", q->sid);
		k->q_enq_us = k->q_left_us = store_now_us();
		cq_gc(m, q);
		return;
	}
	struct calls_queues *qs = m->qs;
	uint64_t now = store_now_us();
	qs->last_us = now > qs->last_us ? now : qs->last_us + 1;
	k->q_enq_us = qs->last_us;
	k->q_left_us = 0;
	snprintf(k->q_sid, sizeof(k->q_sid), "%s", q->sid);
	if (cq_insert(q, call_ref(k), k->q_enq_us) != 0) {
		store_batch_free(b);
		cq_gc(m, q);
		later_queue(k, TWIML_Q_SYSTEM_ERROR, NULL, 0, NULL);
		return;
	}
	k->q_st = CQ_JOINING;
	int rc = member_put(b, k->q_sid, k->q_enq_us, k->sid);
	if (!rc)
		rc = calls_state_put(k, b);
	if (!rc)
		rc = store_submit(m->c->store, b, enq_committed, call_ref(k));
	else
		store_batch_free(b);
	if (rc)
		enq_committed(call_ref(k), rc, NULL);
}

void calls_queue_leave(struct call *k)
{
	struct ctl_calls *m = k->m;
	struct cqueue *q = cq_by_sid(m, k->q_sid);
	uint8_t st = k->q_st;
	if (st == CQ_NONE)
		return;
	k->q_st = CQ_NONE;
	if (!k->q_left_us)
		k->q_left_us = store_now_us();
	if (st == CQ_JOINING || st == CQ_WAITING) {
		int i = q ? cq_index(q, call_ref(k)) : -1;
		if (i >= 0)
			cq_remove_at(q, (uint32_t)i);
		m->cnt.queue_left++;
		if (!m->closing)
			member_store(k, false, NULL, NULL);
		cq_gc(m, q);
		return;
	}
	struct call *a = call_deref(m, k->q_agent);
	k->q_agent = NULL;
	if (st == CQ_BRIDGED) {
		/* out of a bridge by a redirect: end it (the agent's Dial hears UNBRIDGED) */
		if (!k->leg_gone)
			call_cmd(k, VOX_CMD_UNBRIDGE, 0, NULL, 0);
		return;
	}
	/* dequeued, not bridged yet: the agent's Dial ends */
	if (a)
		agent_report_end(a, k->q_agent_leg, ctl_real_ns(), false);
}

void calls_queue_info(struct call *k, struct twiml_queue_info *out)
{
	struct ctl_calls *m = k->m;
	memset(out, 0, sizeof(*out));
	snprintf(out->sid, sizeof(out->sid), "%s", k->q_sid);
	uint64_t now = store_now_us();
	uint64_t end = k->q_left_us ? k->q_left_us : now;
	out->time_s = k->q_enq_us && end > k->q_enq_us ? (uint32_t)((end - k->q_enq_us) / 1000000) : 0;
	struct cqueue *q = cq_by_sid(m, k->q_sid);
	if (!q)
		return;
	out->size = q->line.n;
	out->max = q->max_size;
	cq_line_figures(&q->line, call_ref(k), now, &out->position, &out->avg_s);
}

/* ---- <Dial><Queue> ---- */

static void send_bridge(struct call *a, struct call_dleg *d, struct call *k)
{
	struct vox_bridge b = {.peer = k->leg};
	d->q_bridge_pending = false;
	if (call_cmd(a, VOX_CMD_BRIDGE, 0, &b, sizeof(b)) != 0) {
		member_requeue(k);
		agent_report_end(a, k->q_agent_leg, ctl_real_ns(), false);
		return;
	}
	d->q_bridge_sent = true;
	a->bridged = true;
}

void calls_queue_dial(struct call *k, uint32_t leg, const struct twiml_node *dial,
                      const struct twiml_node *noun)
{
	(void)dial;
	struct ctl_calls *m = k->m;
	struct call_dleg *d = &k->dl[leg];
	memset(d, 0, sizeof(*d));
	d->used = true;
	d->queue = true;
	/* never matches a dataplane event: it keeps the leg "live" until its end is reported */
	d->req_id = ctl_req_ids(m->c, 1);
	d->q_method = noun->u.queue.method;
	if (noun->u.queue.url[0] &&
	    http_url_resolve(k->doc_url[0] ? k->doc_url : noun->u.queue.url, noun->u.queue.url,
	                     d->target, sizeof(d->target)) != 0)
		snprintf(d->target, sizeof(d->target), "%s", noun->u.queue.url);
	struct cqueue *q = cq_by_name(m, k->account_sid, noun->text);
	if (!q && m->c->store) {
		json_t *rec = cq_lookup(m, k->account_sid, noun->text);
		if (rec)
			q = cq_slot(m, rec);
		json_decref(rec);
	}
	if (!q) {
		/* Twilio: a queue that does not exist is an error status to the Dial's action */
		calls_notify(k, 13225, noun->text, "Dial Queue: no such queue", 1);
		m->cnt.queue_errors++;
		d->q_reported = true;
		later_leg(k, leg, TWIML_LEG_FAILED, 0, NULL);
		return;
	}
	snprintf(d->q_sid, sizeof(d->q_sid), "%s", q->sid);
	if (cq_take(m, q, k, leg))
		return;
	if (q->n_agents >= CQ_AGENTS) {
		m->cnt.queue_agents_full++;
		d->q_reported = true;
		later_leg(k, leg, TWIML_LEG_FAILED, 0, NULL);
		cq_gc(m, q);
		return;
	}
	/* an empty queue: wait for the next caller until the Dial's timeout (Twilio's rule) */
	q->agents[q->n_agents++] = (struct cq_agent){call_ref(k), leg};
	d->q_waiting = true;
	m->cnt.queue_agents_waited++;
}

void calls_queue_bridge(struct call *a, uint32_t leg)
{
	struct call_dleg *d = agent_dleg(a, leg);
	if (!d)
		return;
	struct call *k = call_deref(a->m, d->q_member);
	d->q_bridge_pending = true;
	if (k && k->q_st == CQ_BRIDGING)
		send_bridge(a, d, k);
}

/* The member's <Queue url> markup is done (or there was none). */
void calls_queue_ready(struct call *k)
{
	struct ctl_calls *m = k->m;
	if (k->q_st != CQ_DEQUEUED)
		return;
	k->q_st = CQ_BRIDGING;
	struct call *a = call_deref(m, k->q_agent);
	struct call_dleg *d = agent_dleg(a, k->q_agent_leg);
	if (!a || !d || a->leg_gone || d->q_reported) {
		member_requeue(k);
		return;
	}
	if (d->q_bridge_pending)
		send_bridge(a, d, k); /* else: sent when the agent's engine asks for the bridge */
}

void calls_queue_dial_cancel(struct call *a, uint32_t leg)
{
	struct ctl_calls *m = a->m;
	struct call_dleg *d = agent_dleg(a, leg);
	if (!d || d->gone || d->q_reported)
		return;
	if (d->q_waiting) {
		agent_unregister(m, a, leg); /* the Dial timed out on an empty queue */
		d->gone = true;
		return;
	}
	struct call *k = call_deref(m, d->q_member);
	if (k && (k->q_st == CQ_DEQUEUED || k->q_st == CQ_BRIDGING) && !d->q_bridged_ns) {
		member_requeue(k); /* the agent went before the bridge */
	} else if (d->q_bridge_sent && !a->leg_gone) {
		call_cmd(a, VOX_CMD_UNBRIDGE, 0, NULL, 0); /* hangupOnStar: the member goes on */
	}
	agent_report_end(a, leg, ctl_real_ns(), false);
}

struct q_deadline {
	void *ref;
	uint32_t leg;
};

static int64_t deadline_fire(struct ctl_loop *l, uint64_t id, void *arg)
{
	(void)l;
	struct q_deadline *x = arg;
	struct call *a = call_deref(calls_module(), x->ref);
	struct call_dleg *d = agent_dleg(a, x->leg);
	if (d && d->q_timer == id) {
		d->q_timer = 0;
		calls_queue_dial_cancel(a, x->leg); /* the bridge ends, both calls go on */
		if (a->gen)
			call_maybe_free(a);
	}
	free(x);
	return CTL_TIMER_STOP;
}

void calls_queue_deadline(struct call *a, uint32_t leg, uint32_t seconds)
{
	struct call_dleg *d = agent_dleg(a, leg);
	struct q_deadline *x = d ? malloc(sizeof(*x)) : NULL;
	if (!x)
		return;
	x->ref = call_ref(a);
	x->leg = leg;
	/* a timer set before is left to fire: it sees it is not d->q_timer any more and goes */
	d->q_timer = ctl_loop_add_timer(a->m->c->loop, (int64_t)seconds * 1000, deadline_fire, x);
	if (!d->q_timer)
		free(x);
}

void calls_queue_dleg_drop(struct call *a, struct call_dleg *d)
{
	uint32_t leg = (uint32_t)(d - a->dl);
	if (d->q_waiting)
		agent_unregister(a->m, a, leg);
	struct call *k = call_deref(a->m, d->q_member);
	if (k && (k->q_st == CQ_DEQUEUED || k->q_st == CQ_BRIDGING) && !d->q_bridged_ns &&
	    k->q_agent == call_ref(a))
		member_requeue(k);
	d->q_member = NULL;
}

/* ---- dataplane events of a member's or an agent's leg ---- */

void calls_queue_on_event(struct call *k, const struct vox_rec_hdr *h)
{
	struct ctl_calls *m = k->m;
	switch (h->type) {
	case VOX_EVT_BRIDGED:
		if (k->q_st == CQ_BRIDGING) {
			k->q_st = CQ_BRIDGED;
			m->cnt.queue_bridged++;
			if (k->committed && !k->leg_gone)
				member_store(k, false, NULL, NULL); /* idempotent del; saves q_st */
			if (k->eng) {
				struct twiml_queue_event ev = {.ev = TWIML_Q_BRIDGED};
				twiml_on_queue(k->eng, &ev);
			}
		}
		for (uint32_t i = 0; i < CALLS_DIAL_LEGS; i++) {
			struct call_dleg *d = agent_dleg(k, i);
			if (d && d->q_bridge_sent && !d->q_bridged_ns)
				d->q_bridged_ns = h->ts_ns ? h->ts_ns : ctl_real_ns();
		}
		return;
	case VOX_EVT_UNBRIDGED:
	case VOX_EVT_BRIDGE_FAILED: {
		bool handled = false;
		if (k->q_st == CQ_BRIDGED || k->q_st == CQ_BRIDGING) {
			/* the member: the bridge is over (its agent left or hung up) */
			bool failed = h->type == VOX_EVT_BRIDGE_FAILED;
			if (failed && k->q_st == CQ_BRIDGING) {
				member_requeue(k);
			} else {
				k->q_st = CQ_NONE;
				k->q_agent = NULL;
				k->q_left_us = store_now_us();
				if (k->eng && !twiml_engine_in_queue(k->eng))
					k->q_unbridged = true; /* resuming: told after its BRIDGED */
				if (k->eng) {
					struct twiml_queue_event ev = {.ev = TWIML_Q_UNBRIDGED};
					twiml_on_queue(k->eng, &ev);
				}
			}
			handled = true;
		}
		for (uint32_t i = 0; i < CALLS_DIAL_LEGS; i++) {
			struct call_dleg *d = agent_dleg(k, i);
			if (!d || !d->q_bridge_sent || d->q_reported)
				continue;
			if (h->type == VOX_EVT_BRIDGE_FAILED) {
				struct call *mem = call_deref(m, d->q_member);
				if (mem && mem->q_st == CQ_BRIDGING)
					member_requeue(mem);
			}
			agent_report_end(k, i, h->ts_ns ? h->ts_ns : ctl_real_ns(), true);
			handled = true;
		}
		if (!handled && h->type == VOX_EVT_UNBRIDGED && k->eng && !calls_dial_live(k) &&
		    twiml_engine_state(k->eng) == TWIML_ST_BRIDGED) {
			/* a bridge re-adopted after a restart (no leg record here): its end */
			struct twiml_leg_event ev = {.result = TWIML_LEG_ENDED};
			for (uint32_t i = 0; i < TWIML_MAX_DIAL_NOUNS && k->eng; i++)
				twiml_on_leg(k->eng, i, &ev);
		}
		return;
	}
	default:
		return;
	}
}

/* The call is freed: out of its queue (the store keeps it when control is stopping, so the
 * next control puts it back in line), and an agent waiting for it is told. */
void calls_queue_forget(struct call *k)
{
	if (k->q_st == CQ_NONE)
		return;
	calls_queue_leave(k);
}

/* ---- restart ---- */

struct restore_walk {
	struct ctl_calls *m;
	struct store_batch *stale;
	uint32_t n_stale, n_kept;
};

static struct call *live_by_sid(struct ctl_calls *m, const char *sid)
{
	for (uint32_t i = 0, seen = 0; i < m->max && seen < m->n; i++) {
		if (!m->v[i].gen)
			continue;
		seen++;
		if (!strcmp(m->v[i].sid, sid))
			return &m->v[i];
	}
	return NULL;
}

static int restore_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	(void)val, (void)vlen;
	struct restore_walk *w = arg;
	if (klen != REST_MEMBER_KEY_LEN)
		return 0;
	const uint8_t *kb = key;
	char qsid[STORE_SID_LEN + 1], csid[STORE_SID_LEN + 1];
	memcpy(qsid, kb, STORE_SID_LEN);
	qsid[STORE_SID_LEN] = 0;
	memcpy(csid, kb + STORE_SID_LEN + 8, STORE_SID_LEN);
	csid[STORE_SID_LEN] = 0;
	uint64_t us = 0;
	for (int i = 0; i < 8; i++)
		us = us << 8 | kb[STORE_SID_LEN + i];
	struct call *k = live_by_sid(w->m, csid);
	struct cqueue *q = NULL;
	if (k && !strcmp(k->q_sid, qsid) && k->q_enq_us == us &&
	    (k->q_st == CQ_WAITING || k->q_st == CQ_JOINING)) {
		q = cq_by_sid(w->m, qsid);
		if (!q) {
			json_t *rec = NULL;
			if (store_res_get(w->m->c->store, STORE_K_QUEUE, qsid, &rec) == 0)
				q = cq_slot(w->m, rec);
			json_decref(rec);
		}
	}
	if (q && cq_insert(q, call_ref(k), us) == 0) {
		k->q_st = CQ_JOINING; /* waiting again once its engine re-runs the <Enqueue> */
		if (us > w->m->qs->last_us)
			w->m->qs->last_us = us;
		w->n_kept++;
		return 0;
	}
	/* a member whose call did not survive the restart */
	if (k && k->q_st != CQ_BRIDGED)
		k->q_st = CQ_NONE;
	if (!w->stale)
		w->stale = store_batch_new();
	if (w->stale && store_batch_del(w->stale, STORE_DB_QUEUE_MEMBERS, key, klen, 0) == 0)
		w->n_stale++;
	if (w->stale && store_batch_ops(w->stale) >= STORE_BATCH_MAX_OPS - 1) {
		store_submit(w->m->c->store, w->stale, NULL, NULL);
		w->stale = NULL;
	}
	return 0;
}

void calls_queue_restore(struct ctl_calls *m)
{
	if (!m->c->store || !QS(m))
		return;
	struct restore_walk w = {.m = m};
	store_walk(m->c->store, STORE_DB_QUEUE_MEMBERS, NULL, 0, NULL, 0, CQ_RESTORE_MAX, 0,
	           restore_visit, &w);
	if (w.stale)
		store_submit(m->c->store, w.stale, NULL, NULL);
	/* resumed calls that were dequeued but not bridged at the restart: back in line */
	for (uint32_t i = 0, seen = 0; i < m->max && seen < m->n; i++) {
		struct call *k = &m->v[i];
		if (!k->gen)
			continue;
		seen++;
		if (k->q_st == CQ_DEQUEUED || k->q_st == CQ_BRIDGING) {
			struct cqueue *q = cq_by_sid(m, k->q_sid);
			if (!q) {
				json_t *rec = NULL;
				if (store_res_get(m->c->store, STORE_K_QUEUE, k->q_sid, &rec) == 0)
					q = cq_slot(m, rec);
				json_decref(rec);
			}
			if (q && cq_insert(q, call_ref(k), k->q_enq_us) == 0) {
				k->q_st = CQ_JOINING;
				member_store(k, true, NULL, NULL);
				w.n_kept++;
			} else {
				k->q_st = CQ_NONE;
			}
		}
	}
	if (w.n_kept || w.n_stale)
		CTL_INFO(TAG, "queues after the restart: %u members back in line, %u stale entries removed",
		         w.n_kept, w.n_stale);
}

/* ---- hold music (cq_hold_synth, once, into the pool: every waiting caller plays it) ---- */

static void hold_tag(uint8_t tag[16], uint32_t part)
{
	uint8_t d[SHA_DIGEST_LENGTH];
	char s[48];
	int n = snprintf(s, sizeof(s), "voxplane hold music v1 part %u", part);
	SHA1((const unsigned char *)s, (size_t)n, d);
	memcpy(tag, d, 16);
}

bool calls_queue_hold_tag(const uint8_t tag[16])
{
	for (uint32_t part = 0; part < CALLS_PLAY_CLIPS; part++) {
		uint8_t t[16];
		hold_tag(t, part);
		if (!memcmp(t, tag, 16))
			return true;
	}
	return false;
}

/* The hold music's clips in the pool (made on first use). 0 when the pool cannot take it. */
static uint32_t hold_clips(struct ctl_calls *m, vox_clip_t *clips)
{
	struct calls_queues *qs = QS(m);
	struct ctl_pool *pool = m->c->pool;
	if (!qs || !pool)
		return 0;
	uint32_t n = 0;
	for (; n < CALLS_PLAY_CLIPS; n++) {
		uint8_t tag[16];
		hold_tag(tag, n);
		clips[n] = ctl_pool_find(pool, tag);
		if (!clips[n])
			break;
	}
	if (n)
		return n;
	size_t len;
	int16_t *pcm = cq_hold_synth(&len);
	if (!pcm)
		return 0;
	struct ctl_pool_stats st;
	ctl_pool_stats(pool, &st);
	size_t per = (size_t)st.max_frames * 160;
	for (size_t off = 0; per && off < len && n < CALLS_PLAY_CLIPS; off += per, n++) {
		uint8_t tag[16];
		hold_tag(tag, n);
		size_t l = len - off < per ? len - off : per;
		if (ctl_pool_clip_load(pool, tag, pcm + off, (uint32_t)l, &clips[n]) != 0)
			break;
	}
	free(pcm);
	m->cnt.hold_synth++;
	return n;
}

void calls_queue_hold(struct call *k, uint32_t token, uint32_t loop)
{
	struct ctl_calls *m = k->m;
	k->media_token = token;
	k->media_sent = false;
	vox_clip_t clips[CALLS_PLAY_CLIPS];
	uint32_t n = hold_clips(m, clips);
	if (!n) {
		/* no room in the pool: the caller waits in silence; counted */
		m->cnt.media_errors++;
		calls_notify(k, 12300, NULL, "hold music: the media pool is full", 1);
		return;
	}
	struct vox_play p = {.n = n, .loop = loop};
	memcpy(p.clip, clips, n * sizeof(clips[0]));
	if (call_cmd(k, VOX_CMD_PLAY, 0, &p, sizeof(p)) == 0) {
		k->media_sent = true;
		m->cnt.holds++;
	}
}

/* ---- counters ---- */

json_t *calls_queue_json(struct ctl_calls *m)
{
	struct calls_queues *qs = m->qs;
	uint32_t members = 0, agents = 0;
	for (uint32_t i = 0; qs && i < CQ_MAX; i++) {
		if (!qs->q[i].used)
			continue;
		members += qs->q[i].line.n;
		agents += qs->q[i].n_agents;
	}
	const struct calls_counters *c = &m->cnt;
	static const struct {
		const char *name;
		size_t off;
	} cnt[] = {
#define QC(n, f) {n, offsetof(struct calls_counters, f)}
	    QC("created", queue_created), QC("joined", queue_joined), QC("full", queue_full),
	    QC("left", queue_left), QC("dequeued", queue_dequeued), QC("bridged", queue_bridged),
	    QC("requeued", queue_requeued), QC("errors", queue_errors),
	    QC("table_full", queue_table_full), QC("agents_full", queue_agents_full),
	    QC("agents_waited", queue_agents_waited), QC("holds", holds),
	    QC("hold_synth", hold_synth),
#undef QC
	};
	json_t *o = json_pack("{s:i, s:i, s:i, s:i}", "live", qs ? (int)qs->n_used : 0, "max", CQ_MAX,
	                      "members", (int)members, "agents_waiting", (int)agents);
	for (size_t i = 0; o && i < sizeof(cnt) / sizeof(cnt[0]); i++)
		json_object_set_new(o, cnt[i].name,
		                    json_integer((json_int_t) * (const uint64_t *)((const char *)c + cnt[i].off)));
	return o;
}

void calls_queue_close(struct ctl_calls *m)
{
	struct calls_queues *qs = m->qs;
	for (uint32_t i = 0; qs && i < CQ_MAX; i++)
		cq_line_free(&qs->q[i].line);
	free(qs);
	m->qs = NULL;
}
