/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_script_run.c — scripted mode's runner: events in, a call's actions out as commands. */
#include <errno.h>
#include <string.h>

#include "ctl_rec.h"
#include "ctl.h"
#include "ctl_dp.h"
#include "ctl_legs.h"
#include "ctl_log.h"
#include "ctl_req.h"
#include "ctl_script_priv.h"

#define TAG "script"

/*
 * A call runs its rule's actions in order until one has to wait: `wait` arms a loop timer
 * whose callback resumes the run, `dial` resumes when the outbound leg answers, fails or ends.
 * Commands about a leg go to the worker that owns it (the event's hdr.worker); a DIAL goes to
 * the inbound leg's worker, so both legs of a call live on one lcore. When a call's leg ends,
 * fails or turns out stale, its pending timer and remaining actions are dropped, and the
 * outbound legs it dialled are hung up.
 */

static void script_run(struct ctl_script *s, struct ctl_script_call *k);

/* Errors are counted; the log gets the first and then every power of two (per call paths). */
static void script_error(struct ctl_script *s, const char *what, vox_handle_t leg, int rc)
{
	uint64_t n = ++s->cnt.errors;
	if ((n & (n - 1)) == 0)
		CTL_WARN(TAG, "%s for leg 0x%016llx: %s (%llu errors so far)", what,
		         (unsigned long long)leg, strerror(-rc), (unsigned long long)n);
}

static int script_send(struct ctl_script *s, uint32_t w, vox_handle_t leg, uint16_t type,
                       int32_t status, const void *pl, uint32_t len)
{
	struct vox_rec_hdr h = {.type = type, .status = status, .leg = leg};
	int rc = ctl_dp_send(s->c, w, &h, pl, len);
	if (rc) {
		const char *name = ctl_dp_type_name(type);
		script_error(s, name ? name : "command", leg, rc);
	}
	return rc;
}

/* REJECT and RESPOND: vox_sip_reply, then the reason phrase. */
static int script_reply(struct ctl_script *s, uint32_t w, vox_handle_t leg, uint16_t type,
                        uint16_t code, uint32_t txn, const char *reason, size_t rlen)
{
	struct ctl_dp_pay p;
	ctl_dp_pay_init(&p, sizeof(struct vox_sip_reply));
	struct vox_sip_reply r = {.code = code, .txn = txn};
	r.reason = ctl_dp_pay_str(&p, reason, rlen);
	ctl_dp_pay_fixed(&p, &r, sizeof(r));
	if (p.err) {
		script_error(s, "reply payload", leg, p.err);
		return p.err;
	}
	return script_send(s, w, leg, type, 0, p.buf, p.len);
}

/* The user part of a sip:/sips: URI ("" when it has none). */
static void script_uri_user(const char *uri, char *out, size_t outlen)
{
	const char *u = uri + (strncmp(uri, "sips:", 5) ? 4 : 5);
	const char *at = strchr(u, '@');
	size_t l = at ? (size_t)(at - u) : 0;
	snprintf(out, outlen, "%.*s", (int)l, u);
}

/* Unlink an outbound call from its parent's list. */
static void script_unlink_child(struct ctl_script *s, struct ctl_script_call *o)
{
	struct ctl_script_calls *t = &s->calls;
	struct ctl_script_call *p = ctl_script_call_at(t, o->parent);
	uint32_t id = ctl_script_call_id(t, o);
	if (p) {
		uint32_t *pp = &p->child;
		while (*pp && *pp != id)
			pp = &ctl_script_call_at(t, *pp)->sibling;
		if (*pp)
			*pp = o->sibling;
	}
	o->parent = o->sibling = 0;
}

/* Forget a call: timer, links, rules reference, table entry. Sends nothing. */
static void script_drop(struct ctl_script *s, struct ctl_script_call *k)
{
	struct ctl_script_calls *t = &s->calls;
	if (k->timer)
		ctl_loop_del_timer(s->c->loop, k->timer);
	k->timer = 0;
	if (k->kind == CTL_SCALL_OUT)
		script_unlink_child(s, k);
	for (uint32_t ch = k->child; ch;) {
		struct ctl_script_call *o = ctl_script_call_at(t, ch);
		ch = o->sibling;
		o->parent = o->sibling = 0;
	}
	k->child = 0;
	ctl_script_prog_put(k->prog);
	k->prog = NULL;
	ctl_script_call_free(t, k);
}

/* An outbound leg reached an outcome: resume its parent if it waits on it. */
static void script_child_done(struct ctl_script *s, uint32_t parent, uint32_t child)
{
	struct ctl_script_call *p = ctl_script_call_at(&s->calls, parent);
	if (!p || p->wait != CTL_SW_DIAL || p->waiting_on != child)
		return;
	p->wait = CTL_SW_RUN;
	p->waiting_on = 0;
	script_run(s, p);
}

/* A call's leg is gone (ended, failed, stale): hang up what it dialled, drop it, and wake a
 * parent waiting on it. */
static void script_end(struct ctl_script *s, struct ctl_script_call *k)
{
	struct ctl_script_calls *t = &s->calls;
	uint32_t id = ctl_script_call_id(t, k);
	uint32_t parent = k->kind == CTL_SCALL_OUT ? k->parent : 0;
	for (uint32_t ch = k->child; ch;) {
		struct ctl_script_call *o = ctl_script_call_at(t, ch);
		ch = o->sibling;
		o->parent = o->sibling = 0;
		if (o->leg)
			script_send(s, o->worker, o->leg, VOX_CMD_HANGUP, 0, NULL, 0);
		else
			o->orphan = 1; /* hung up when LEG_CREATED names it */
	}
	k->child = 0;
	script_drop(s, k);
	if (parent)
		script_child_done(s, parent, id);
}

static int script_dial(struct ctl_script *s, struct ctl_script_call *k,
                       const struct ctl_script_act *a)
{
	struct ctl_script_calls *t = &s->calls;
	const struct ctl_script_prog *p = k->prog;
	struct ctl_script_call *o = ctl_script_call_alloc(t);
	if (!o) {
		s->cnt.calls_full++;
		script_error(s, "dial: call table full", k->leg, -ENOSPC);
		return -ENOSPC;
	}
	struct ctl_dp_pay pay;
	ctl_dp_pay_init(&pay, sizeof(struct vox_dial));
	struct vox_dial d = {.next_hop = a->via, .ring_timeout_ms = a->ms, .flags = a->dial_flags};
	const struct ctl_script_sref *sr = a->s;
	d.target = ctl_dp_pay_str(&pay, ctl_script_s(p, sr[CTL_SS_TARGET]), sr[CTL_SS_TARGET].len);
	d.from_uri = ctl_dp_pay_str(&pay, ctl_script_s(p, sr[CTL_SS_FROM]), sr[CTL_SS_FROM].len);
	d.auth_user = ctl_dp_pay_str(&pay, ctl_script_s(p, sr[CTL_SS_USER]), sr[CTL_SS_USER].len);
	d.auth_pass = ctl_dp_pay_str(&pay, ctl_script_s(p, sr[CTL_SS_PASS]), sr[CTL_SS_PASS].len);
	ctl_dp_pay_fixed(&pay, &d, sizeof(d));
	int rc = pay.err;
	uint64_t req = ctl_req_ids(s->c, 1);
	if (!rc) {
		/* hdr.leg names the inbound leg: the dataplane derives Max-Forwards from it */
		struct vox_rec_hdr h = {.type = VOX_CMD_DIAL, .req_id = req, .leg = k->leg};
		rc = ctl_dp_send(s->c, k->worker, &h, pay.buf, pay.len);
	}
	if (rc) {
		ctl_script_call_free(t, o);
		script_error(s, "DIAL", k->leg, rc);
		return rc;
	}
	o->s = s;
	o->kind = CTL_SCALL_OUT;
	o->worker = k->worker;
	o->parent = ctl_script_call_id(t, k);
	o->sibling = k->child;
	k->child = ctl_script_call_id(t, o);
	k->waiting_on = k->child;
	script_uri_user(ctl_script_s(p, sr[CTL_SS_TARGET]), o->user, sizeof(o->user));
	ctl_script_call_set_req(t, o, req);
	s->cnt.dialed++;
	return 0;
}

/* Media actions: started, not waited for (DIGITS, RECORDING_DONE and MEDIA_DONE show in the log
 * and in `voxctl diag term`). */
static void script_media(struct ctl_script *s, struct ctl_script_call *k, const struct ctl_script_act *a)
{
	const struct ctl_script_prog *p = k->prog;
	const char *pl = ctl_script_s(p, a->s[CTL_SS_PAYLOAD]);
	uint32_t len = a->s[CTL_SS_PAYLOAD].len;
	if (a->op == CTL_SOP_SILENCE) {
		struct vox_silence si = {.ms = a->ms};
		script_send(s, k->worker, k->leg, VOX_CMD_SILENCE, 0, &si, sizeof(si));
	} else if (a->op == CTL_SOP_TONE) {
		script_send(s, k->worker, k->leg, VOX_CMD_TONE, 0, pl, len);
	} else if (a->op == CTL_SOP_COLLECT) {
		script_send(s, k->worker, k->leg, VOX_CMD_COLLECT, 0, pl, len);
	} else {
		static uint16_t next_id = 0x8000; /* apart from voxctl's ids */
		struct vox_record r;
		memcpy(&r, pl, sizeof(r));
		r.rec_id = ++next_id ? next_id : ++next_id;
		int rc = ctl_rec_open(s->c, k->leg, r.rec_id, (r.flags & VOX_RECORDF_DUAL) ? 2 : 1,
		                      ctl_script_s(p, a->s[CTL_SS_PATH]));
		if (rc) {
			script_error(s, "record: file", k->leg, rc);
			return;
		}
		if (script_send(s, k->worker, k->leg, VOX_CMD_RECORD, 0, &r, sizeof(r)) != 0)
			ctl_rec_abort(s->c, k->leg, r.rec_id);
	}
}

/* `bridge`: the call's inbound leg with the outbound leg it dialled last, when that one
 * answered (after `dial` resumed). Both legs live on the call's worker (DIAL goes there). */
static void script_bridge(struct ctl_script *s, struct ctl_script_call *k)
{
	struct ctl_script_call *o = k->child ? ctl_script_call_at(&s->calls, k->child) : NULL;
	if (!o || !o->leg || !o->answered) {
		s->cnt.bridge_skipped++;
		CTL_INFO(TAG, "leg 0x%016llx: bridge skipped: no answered dialled leg",
		         (unsigned long long)k->leg);
		return;
	}
	struct vox_bridge b = {.peer = o->leg};
	if (script_send(s, k->worker, k->leg, VOX_CMD_BRIDGE, 0, &b, sizeof(b)) == 0)
		s->cnt.bridged++;
}

void ctl_script_on_bridge_failed(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_script *s = c->script;
	if (s && ctl_script_call_by_leg(&s->calls, h->leg))
		s->cnt.bridge_failed++;
}

static int64_t script_on_timer(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct ctl_script_call *k = arg;
	k->timer = 0; /* the loop removes it once we return STOP */
	k->wait = CTL_SW_RUN;
	script_run(k->s, k);
	return CTL_TIMER_STOP;
}

static void script_run(struct ctl_script *s, struct ctl_script_call *k)
{
	const struct ctl_script_prog *p = k->prog;
	const struct ctl_script_rule *r = &p->rules[k->rule];
	while (k->pc < r->n) {
		const struct ctl_script_act *a = &p->acts[r->first + k->pc++];
		switch (a->op) {
		case CTL_SOP_RING:
			script_send(s, k->worker, k->leg, VOX_CMD_RING, a->code, NULL, 0);
			break;
		case CTL_SOP_WAIT:
			k->timer = ctl_loop_add_timer(s->c->loop, a->ms, script_on_timer, k);
			if (k->timer) {
				k->wait = CTL_SW_TIMER;
				return;
			}
			script_error(s, "wait: timer", k->leg, -ENOMEM);
			break;
		case CTL_SOP_ANSWER:
			script_send(s, k->worker, k->leg, VOX_CMD_ANSWER, 0, NULL, 0);
			break;
		case CTL_SOP_REJECT:
			if (script_reply(s, k->worker, k->leg, VOX_CMD_REJECT, a->code, 0,
			                 ctl_script_s(p, a->s[CTL_SS_REASON]),
			                 a->s[CTL_SS_REASON].len) == 0)
				s->cnt.rejected++;
			break;
		case CTL_SOP_HANGUP:
			script_send(s, k->worker, k->leg, VOX_CMD_HANGUP, a->code, NULL, 0);
			break;
		case CTL_SOP_DEADLINE: {
			struct vox_deadline d = {.deadline_ns =
			                             ctl_real_ns() + (uint64_t)a->ms * 1000000ull};
			script_send(s, k->worker, k->leg, VOX_CMD_SET_DEADLINE, 0, &d, sizeof(d));
			break;
		}
		case CTL_SOP_DIAL:
			if (script_dial(s, k, a) == 0) {
				k->wait = CTL_SW_DIAL;
				return;
			}
			break;
		case CTL_SOP_BRIDGE:
			script_bridge(s, k);
			break;
		case CTL_SOP_RESPOND:
			if (script_reply(s, k->worker, k->leg, VOX_CMD_RESPOND, a->code, k->txn,
			                 ctl_script_s(p, a->s[CTL_SS_REASON]),
			                 a->s[CTL_SS_REASON].len) == 0)
				s->cnt.responded++;
			break;
		case CTL_SOP_NOTHING:
			break;
		case CTL_SOP_TONE:
		case CTL_SOP_COLLECT:
		case CTL_SOP_RECORD:
		case CTL_SOP_SILENCE:
			script_media(s, k, a);
			break;
		}
	}
	k->wait = CTL_SW_DONE;
	if (k->kind == CTL_SCALL_REQ)
		script_drop(s, k); /* a request has no leg to wait for */
}

/* ---- events ---- */

/* The vox_sip_in at the head of a payload and the called user it names: the Request-URI's
 * user, else the To user. Returns 0 or -EPROTO (short payload). */
static int script_called(const struct vox_rec_hdr *h, const void *payload, struct vox_sip_in *si,
                         const char **user, size_t *ulen)
{
	*user = "";
	*ulen = 0;
	if (h->len < sizeof(*si))
		return -EPROTO;
	memcpy(si, payload, sizeof(*si));
	const char *raw = (const char *)payload + sizeof(*si);
	uint32_t raw_len = h->len - (uint32_t)sizeof(*si);
	if (si->raw_len < raw_len)
		raw_len = si->raw_len;
	static const int fields[] = {VOX_SF_RURI_USER, VOX_SF_TO_USER};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct vox_pstr f = si->f[fields[i]];
		if (f.len && (uint32_t)f.off + f.len <= raw_len) {
			*user = raw + f.off;
			*ulen = f.len;
			return 0;
		}
	}
	return 0;
}

static struct ctl_script_call *script_new(struct ctl_script *s, uint8_t kind, int rule,
                                          const struct vox_rec_hdr *h, const char *user,
                                          size_t ulen)
{
	struct ctl_script_call *k = ctl_script_call_alloc(&s->calls);
	if (!k)
		return NULL;
	k->s = s;
	k->kind = kind;
	k->worker = h->worker;
	k->rule = (uint32_t)rule;
	k->prog = s->prog;
	ctl_script_prog_get(k->prog);
	snprintf(k->user, sizeof(k->user), "%.*s", (int)ulen, user);
	return k;
}

void ctl_script_on_offered(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_script *s = c->script;
	if (!s || !h->leg || ctl_script_call_by_leg(&s->calls, h->leg))
		return; /* off, or a re-emitted offer we follow already */
	s->cnt.offered++;
	struct vox_sip_in si;
	const char *user;
	size_t ulen;
	if (script_called(h, payload, &si, &user, &ulen))
		script_error(s, "LEG_OFFERED without vox_sip_in", h->leg, -EPROTO);
	int rule = ctl_script_match(s->prog, user, ulen, 0);
	if (rule < 0) {
		s->cnt.unmatched++;
		script_reply(s, h->worker, h->leg, VOX_CMD_REJECT, 404, 0, NULL, 0);
		return;
	}
	struct ctl_script_call *k = script_new(s, CTL_SCALL_IN, rule, h, user, ulen);
	if (!k) {
		uint64_t n = ++s->cnt.calls_full;
		if ((n & (n - 1)) == 0)
			CTL_WARN(TAG, "call table full (%u): offers rejected 503 (%llu so far)",
			         s->calls.max, (unsigned long long)n);
		script_reply(s, h->worker, h->leg, VOX_CMD_REJECT, 503, 0, NULL, 0);
		return;
	}
	ctl_script_call_set_leg(&s->calls, k, h->leg);
	CTL_DEBUG(TAG, "leg 0x%016llx to '%s': rule at line %u", (unsigned long long)h->leg,
	          k->user, k->prog->rules[rule].line);
	script_run(s, k);
}

void ctl_script_on_request(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_script *s = c->script;
	if (!s)
		return;
	s->cnt.requests++;
	struct vox_sip_in si;
	const char *user;
	size_t ulen;
	if (script_called(h, payload, &si, &user, &ulen)) {
		script_error(s, "SIP_REQUEST without vox_sip_in", h->leg, -EPROTO);
		return;
	}
	int rule = ctl_script_match(s->prog, user, ulen, 1);
	struct ctl_script_call *k =
	    rule >= 0 ? script_new(s, CTL_SCALL_REQ, rule, h, user, ulen) : NULL;
	if (!k) {
		if (rule < 0)
			s->cnt.unmatched++;
		else
			s->cnt.calls_full++;
		script_reply(s, h->worker, h->leg, VOX_CMD_RESPOND, rule < 0 ? 404 : 503, si.txn,
		             NULL, 0);
		return;
	}
	/* inside a dialog the request names its leg; it is not indexed under it (the call is) */
	k->leg = h->leg;
	k->txn = si.txn;
	script_run(s, k);
}

void ctl_script_on_created(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_script *s = c->script;
	if (!s || !h->req_id || !h->leg)
		return;
	struct ctl_script_call *o = ctl_script_call_by_req(&s->calls, h->req_id);
	if (!o)
		return;
	ctl_script_call_set_req(&s->calls, o, 0);
	ctl_script_call_set_leg(&s->calls, o, h->leg);
	struct ctl_leg *leg = ctl_legs_find(c->legs, h->leg);
	if (leg)
		leg->kind = VOX_LEG_KIND_SIP_OUT;
	if (o->orphan)
		script_send(s, o->worker, o->leg, VOX_CMD_HANGUP, 0, NULL, 0);
}

void ctl_script_on_answered(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_script *s = c->script;
	struct ctl_script_call *k = s ? ctl_script_call_by_leg(&s->calls, h->leg) : NULL;
	if (!k || k->answered)
		return;
	k->answered = 1;
	if (k->kind == CTL_SCALL_IN) {
		s->cnt.answered++;
	} else if (k->kind == CTL_SCALL_OUT) {
		s->cnt.dial_answered++;
		if (k->parent)
			script_child_done(s, k->parent, ctl_script_call_id(&s->calls, k));
	}
}

void ctl_script_on_media_timeout(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_script *s = c->script;
	struct ctl_script_call *k = s ? ctl_script_call_by_leg(&s->calls, h->leg) : NULL;
	if (!k)
		return;
	s->cnt.media_timeouts++;
	CTL_INFO(TAG, "leg 0x%016llx: no RTP for %d ms, hanging up", (unsigned long long)h->leg, h->status);
	script_send(s, k->worker, k->leg, VOX_CMD_HANGUP, 0, NULL, 0);
}

void ctl_script_on_ended(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_script *s = c->script;
	struct ctl_script_call *k = s ? ctl_script_call_by_leg(&s->calls, h->leg) : NULL;
	if (!k)
		return;
	if (k->kind == CTL_SCALL_IN) {
		s->cnt.ended++;
		if (h->status == VOX_CAUSE_REMOTE)
			s->cnt.ended_remote++;
		else if (h->status == VOX_CAUSE_TIME_LIMIT)
			s->cnt.ended_deadline++;
	} else {
		s->cnt.dial_ended++;
	}
	script_end(s, k);
}

void ctl_script_on_failed(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_script *s = c->script;
	if (!s)
		return;
	struct ctl_script_call *k = h->leg ? ctl_script_call_by_leg(&s->calls, h->leg) : NULL;
	if (!k && h->req_id)
		k = ctl_script_call_by_req(&s->calls, h->req_id);
	if (!k)
		return;
	if (k->kind == CTL_SCALL_IN)
		s->cnt.failed++;
	else
		s->cnt.dial_failed++;
	script_end(s, k);
}

void ctl_script_on_stale(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_script *s = c->script;
	struct ctl_script_call *k = s ? ctl_script_call_by_leg(&s->calls, h->leg) : NULL;
	if (!k)
		return;
	s->cnt.stale++;
	script_end(s, k);
}

void ctl_script_reset(struct ctl *c)
{
	struct ctl_script *s = c->script;
	if (!s)
		return;
	for (uint32_t i = 0; i < s->calls.max && s->calls.n; i++)
		if (s->calls.v[i].kind)
			script_drop(s, &s->calls.v[i]);
}

const char *ctl_script_called(const struct ctl *c, vox_handle_t leg)
{
	struct ctl_script *s = c->script;
	struct ctl_script_call *k = s ? ctl_script_call_by_leg(&s->calls, leg) : NULL;
	return k ? k->user : NULL;
}
