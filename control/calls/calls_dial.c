/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_dial.c — <Dial> on the dataplane: each noun is an outbound leg (DIAL) to the outbound
 * trunk (Number) or to the URI's host resolved by RFC 3263 (Sip); CANCEL/HANGUP on the engine's
 * word; BRIDGE pairs the caller with the winner (answerOnBridge: earlier, on the callee's early
 * media); the legs' events go back to the engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "calls_priv.h"
#include "calls_sip.h"
#include "ctl_dp.h"
#include "ctl_log.h"
#include "ctl_req.h"
#include "dns.h"
#include "http_ctl.h"
#include "store_ent.h"

#define TAG "calls"

struct dial_ctx {
	void *ref;
	uint32_t leg;
};

static struct call_dleg *dleg_of(struct call *k, uint32_t leg)
{
	return leg < CALLS_DIAL_LEGS ? &k->dl[leg] : NULL;
}

/* Report a leg outcome to the engine from the loop (an op must not re-enter the engine). */
static int64_t later_fire(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct dial_ctx *dc = arg;
	struct call *k = call_deref(calls_module(), dc->ref);
	struct call_dleg *d = k ? dleg_of(k, dc->leg) : NULL;
	if (k && k->eng && d) {
		if (d->result == TWIML_LEG_ENDED)
			d->gone = true; /* a re-adopted bridge's end: nothing more will come */
		struct twiml_leg_event ev = {.result = d->result, .sip_code = d->code,
		                             .call_sid = d->sid[0] ? d->sid : NULL};
		twiml_on_leg(k->eng, dc->leg, &ev);
		call_maybe_free(k);
	}
	free(dc);
	return CTL_TIMER_STOP;
}

static void dial_fail_later(struct call *k, uint32_t leg, uint8_t result, uint16_t code)
{
	struct call_dleg *d = dleg_of(k, leg);
	if (d) {
		d->result = result;
		d->code = code;
		d->done = true;
		if (d->ch)
			d->ch->failed = result == TWIML_LEG_FAILED;
		calls_child_end(k, leg, code, 0);
	}
	struct dial_ctx *dc = malloc(sizeof(*dc));
	if (!dc)
		return;
	dc->ref = call_ref(k);
	dc->leg = leg;
	if (!ctl_loop_add_timer(k->m->c->loop, 0, later_fire, dc))
		free(dc);
}

static int parse_ipv4(const char *host, uint16_t port, struct vox_addr *a)
{
	struct in_addr in;
	if (inet_pton(AF_INET, host, &in) != 1)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->family = VOX_AF_INET;
	a->port = port ? port : 5060;
	memcpy(a->addr, &in, 4);
	return 0;
}

static void dial_send(struct call *k, uint32_t leg, const struct vox_addr *hop)
{
	struct call_dleg *d = dleg_of(k, leg);
	struct ctl_dp_pay pay;
	ctl_dp_pay_init(&pay, sizeof(struct vox_dial));
	struct vox_dial vd = {.next_hop = *hop, .ring_timeout_ms = d->ring_ms};
	vd.target = ctl_dp_pay_str(&pay, d->target, strlen(d->target));
	if (d->from[0])
		vd.from_uri = ctl_dp_pay_str(&pay, d->from, strlen(d->from));
	if (d->hdrs[0])
		vd.headers = ctl_dp_pay_str(&pay, d->hdrs, strlen(d->hdrs));
	if (d->user[0]) {
		vd.auth_user = ctl_dp_pay_str(&pay, d->user, strlen(d->user));
		vd.auth_pass = ctl_dp_pay_str(&pay, d->pass, strlen(d->pass));
	}
	ctl_dp_pay_fixed(&pay, &vd, sizeof(vd));
	d->req_id = ctl_req_ids(k->m->c, 1);
	struct vox_rec_hdr h = {.type = VOX_CMD_DIAL, .req_id = d->req_id, .leg = k->leg};
	int rc = pay.err ? pay.err : ctl_dp_send(k->m->c, k->worker, &h, pay.buf, pay.len);
	if (rc) {
		d->req_id = 0;
		dial_fail_later(k, leg, TWIML_LEG_FAILED, 0);
		return;
	}
	k->m->cnt.dials++;
}

/* ringTone: an answered caller hears the country's ringing tone while the callee rings (a TONE
 * until the bridge, which ends it, or the Dial's end, whose STOP does). */
static void ring_tone(struct call *k, const struct twiml_node *dial)
{
	if (k->rt_node == dial)
		return; /* the same Dial's next noun */
	k->rt_node = dial;
	const char *cc = dial->u.dial.ring_tone;
	bool answered = k->answered || (k->eng && twiml_engine_answered(k->eng));
	if (!cc || !*cc || !answered || k->rt_on)
		return;
	struct calls_ring r;
	if (calls_ring_tone(cc, &r) != 0)
		calls_notify(k, TWIML_WARN_SCHEMA, cc, "Dial ringTone: unknown country, us played", 1);
	struct vox_tone t = {.kind = VOX_TONE_RINGBACK, .f1 = r.f1, .f2 = r.f2, .on_ms = r.on_ms,
	                     .off_ms = r.off_ms, .flags = r.twice ? VOX_TONEF_DOUBLE : 0};
	k->rt_on = call_cmd(k, VOX_CMD_TONE, 0, &t, sizeof(t)) == 0;
}

static void dns_done(const struct dns_result *r, void *arg)
{
	struct dial_ctx *dc = arg;
	struct call *k = call_deref(calls_module(), dc->ref);
	struct call_dleg *d = k ? dleg_of(k, dc->leg) : NULL;
	if (d)
		d->dns = NULL;
	if (!d || d->done) {
		free(dc);
		return;
	}
	struct vox_addr hop;
	if (r->error || !r->n || parse_ipv4(r->t[0].addr, r->t[0].port, &hop) != 0) {
		calls_notify(k, 13224, d->target, "Dial Sip: the host does not resolve", 1);
		dial_fail_later(k, dc->leg, TWIML_LEG_FAILED, 0);
	} else {
		dial_send(k, dc->leg, &hop);
	}
	free(dc);
}

void calls_dial_op(struct call *k, uint32_t leg, const struct twiml_node *dial,
                   const struct twiml_node *noun)
{
	struct ctl *c = k->m->c;
	struct call_dleg *d = dleg_of(k, leg);
	if (!d) {
		dial_fail_later(k, leg, TWIML_LEG_FAILED, 0);
		return;
	}
	calls_child_free(d);
	if (noun->kind == TWIML_QUEUE) {
		calls_queue_dial(k, leg, dial, noun); /* the head of a queue, not a new leg */
		return;
	}
	memset(d, 0, sizeof(*d));
	d->used = true;
	k->dial_aob = dial->u.dial.answer_on_bridge;
	calls_dialrec_dial(k, dial);
	ring_tone(k, dial);
	store_sid_new(d->sid, "CA");
	d->ring_ms = dial->u.dial.timeout * 1000u + 2000u; /* the engine's timer cancels first */
	const char *cid = dial->u.dial.caller_id && *dial->u.dial.caller_id ? dial->u.dial.caller_id
	                                                                   : k->from;
	if (cid[0] && !strchr(cid, ':'))
		snprintf(d->from, sizeof(d->from), "sip:%s@%s", cid,
		         c->cfg.outbound_trunk[0] ? c->cfg.outbound_trunk : "localhost");
	if (noun->kind == TWIML_NUMBER) {
		char host[64];
		uint16_t port = 0;
		snprintf(host, sizeof(host), "%s", c->cfg.outbound_trunk);
		char *colon = strchr(host, ':');
		if (colon) {
			*colon = 0;
			port = (uint16_t)atoi(colon + 1);
		}
		struct vox_addr hop;
		if (!host[0] || parse_ipv4(host, port, &hop) != 0) {
			calls_notify(k, 13223, noun->text, "Dial Number: no outbound_trunk configured", 1);
			dial_fail_later(k, leg, TWIML_LEG_FAILED, 0);
			return;
		}
		snprintf(d->target, sizeof(d->target), "sip:%s@%s", noun->text, c->cfg.outbound_trunk);
		calls_child_start(k, leg, dial, noun);
		dial_send(k, leg, &hop);
		return;
	}
	if (noun->kind != TWIML_SIP) {
		calls_notify(k, 13201, noun->text, "Dial: only Number and Sip nouns are dialled", 1);
		dial_fail_later(k, leg, TWIML_LEG_FAILED, 0);
		return;
	}
	snprintf(d->target, sizeof(d->target), "%s", noun->text);
	snprintf(d->user, sizeof(d->user), "%s", noun->u.sip.username ?: "");
	snprintf(d->pass, sizeof(d->pass), "%s", noun->u.sip.password ?: "");
	size_t o = 0;
	for (uint32_t i = 0; i < noun->u.sip.n_hdrs && o < sizeof(d->hdrs); i++) {
		int n = snprintf(d->hdrs + o, sizeof(d->hdrs) - o, "%s: %s\r\n",
		                 noun->u.sip.hdrs[i].name, noun->u.sip.hdrs[i].value);
		if (n < 0 || (size_t)n >= sizeof(d->hdrs) - o) {
			d->hdrs[o] = 0;
			break;
		}
		o += (size_t)n;
	}
	char host[256];
	uint16_t port = 0;
	struct dial_ctx *dc = malloc(sizeof(*dc));
	if (!dc || calls_sip_uri_host(noun->text, host, sizeof(host), &port) != 0 || !c->http ||
	    !c->http->dns) {
		free(dc);
		calls_notify(k, 13224, noun->text, "Dial Sip: invalid URI", 1);
		dial_fail_later(k, leg, TWIML_LEG_FAILED, 0);
		return;
	}
	dc->ref = call_ref(k);
	dc->leg = leg;
	calls_child_start(k, leg, dial, noun);
	if (dns_sip_resolve(c->http->dns, host, port, "udp", dns_done, dc, &d->dns) != 0) {
		free(dc);
		dial_fail_later(k, leg, TWIML_LEG_FAILED, 0);
	}
}

static void dleg_end(struct call *k, struct call_dleg *d)
{
	if (!d->h) {
		d->cancel_pending = true; /* sent when LEG_CREATED names it */
		return;
	}
	if (d->end_sent)
		return;
	d->end_sent = true;
	struct vox_rec_hdr h = {.type = d->answered ? VOX_CMD_HANGUP : VOX_CMD_CANCEL_LEG,
	                        .leg = d->h};
	ctl_dp_send(k->m->c, d->worker, &h, NULL, 0);
}

void calls_dial_cancel(struct call *k, uint32_t leg)
{
	struct call_dleg *d = dleg_of(k, leg);
	if (d && !d->used && k->eng && twiml_engine_state(k->eng) == TWIML_ST_BRIDGED) {
		/* a bridge re-adopted after a restart has no leg record here: the engine hears its
		 * end now (the callee's leg, untracked, is unbridged by the dataplane) */
		memset(d, 0, sizeof(*d));
		d->used = true;
		d->req_id = ctl_req_ids(k->m->c, 1); /* live until reported; matches no event */
		dial_fail_later(k, leg, TWIML_LEG_ENDED, 0);
		return;
	}
	if (!d || !d->used || d->gone)
		return;
	if (d->queue) {
		calls_queue_dial_cancel(k, leg);
		return;
	}
	if (d->dns && k->m->c->http) {
		dns_cancel(k->m->c->http->dns, d->dns);
		d->dns = NULL;
		d->done = true;
		return;
	}
	dleg_end(k, d);
}

/* answerOnBridge: a callee's 1xx with SDP, the caller unanswered: 183 with our SDP on the caller
 * and the two bridged on their early media (the dataplane pairs ringing legs that have it). */
static void dial_early(struct call *k, uint32_t leg, const struct call_dleg *d, bool early_media)
{
	bool answered = k->answered || (k->eng && twiml_engine_answered(k->eng));
	unsigned act = calls_early_progress(&k->early, k->dial_aob, answered, leg, early_media);
	if (act & CALLS_EARLY_RING183)
		call_cmd(k, VOX_CMD_RING, 183, NULL, 0);
	if (act & CALLS_EARLY_BRIDGE) {
		struct vox_bridge b = {.peer = d->h};
		call_cmd(k, VOX_CMD_BRIDGE, 0, &b, sizeof(b));
	}
}

void calls_dial_deadline(struct call *k, uint32_t leg, uint32_t seconds)
{
	struct call_dleg *d = dleg_of(k, leg);
	if (!d || !d->used || d->gone)
		return;
	if (d->queue) {
		calls_queue_deadline(k, leg, seconds);
		return;
	}
	if (!d->h)
		return;
	struct vox_deadline dl = {.deadline_ns = ctl_real_ns() + (uint64_t)seconds * 1000000000ull};
	struct vox_rec_hdr h = {.type = VOX_CMD_SET_DEADLINE, .leg = d->h};
	if (ctl_dp_send(k->m->c, d->worker, &h, &dl, sizeof(dl)) != 0)
		k->m->cnt.cmd_errors++;
}

void calls_dial_bridge(struct call *k, uint32_t leg)
{
	struct call_dleg *d = dleg_of(k, leg);
	k->bridge_leg = leg; /* the leg a timeLimit applies to */
	if (d && d->used && d->queue) {
		calls_queue_bridge(k, leg); /* once the dequeued caller's <Queue url> is done */
		return;
	}
	if (!d || !d->h)
		return;
	struct vox_bridge b = {.peer = d->h};
	/* the caller may be paired with another leg's early media: that pairing goes first (a
	   BRIDGE with the same peer again is nothing to the dataplane) */
	if (calls_early_bridge(&k->early, leg) & CALLS_EARLY_UNBRIDGE)
		call_cmd(k, VOX_CMD_UNBRIDGE, 0, NULL, 0);
	if (k->rt_on) {
		k->rt_on = false;
		k->media_stop++; /* the BRIDGE ends the ring tone: MEDIA_DONE 1, not the engine's */
	}
	k->bridged = true;
	call_cmd(k, VOX_CMD_BRIDGE, 0, &b, sizeof(b));
	calls_dialrec_bridge(k); /* record-from-answer starts now */
}

/* The engine's Dial is over (before its action or the next verb): the Dial's recording and its
 * ring tone stop; the recording's URL is the action's RecordingUrl. */
const char *calls_dial_done(void *ctx)
{
	struct call *k = ctx;
	bool tone = k->rt_on;
	k->rt_on = false;
	k->rt_node = NULL;
	/* one STOP for the recording and the ring tone; the tone's MEDIA_DONE is not the engine's */
	bool rec = calls_dialrec_stop(k, false);
	if ((rec || tone) && call_cmd(k, VOX_CMD_STOP, 0, NULL, 0) == 0 && tone)
		k->media_stop++;
	return calls_dialrec_url(k);
}

/* Every outbound leg still up goes (the call is over); the child calls end with them. */
void calls_dial_drop_all(struct call *k)
{
	calls_dialrec_free(k);
	for (uint32_t i = 0; i < CALLS_DIAL_LEGS; i++) {
		struct call_dleg *d = &k->dl[i];
		if (!d->used || d->gone) {
			if (d->used && !d->queue)
				calls_child_end(k, i, 0, 0); /* once: a child already ended stays so */
			calls_child_free(d);
			continue;
		}
		if (d->queue) {
			calls_queue_dleg_drop(k, d); /* a dequeued caller, not a leg of ours */
			d->used = false;
			continue;
		}
		if (d->dns && k->m->c->http)
			dns_cancel(k->m->c->http->dns, d->dns);
		d->dns = NULL;
		if (d->h)
			dleg_end(k, d);
		d->end_sent = true; /* no event will come: recorded as ended by us */
		calls_child_end(k, i, 0, 0);
		calls_child_free(d);
		d->used = false;
	}
}

/* An event about one of the call's outbound legs: 1 when it was one. */
int calls_dial_event(struct call *k, const struct vox_rec_hdr *h, const void *payload)
{
	for (uint32_t i = 0; i < CALLS_DIAL_LEGS; i++) {
		struct call_dleg *d = &k->dl[i];
		if (!d->used || d->gone)
			continue;
		bool mine = (h->leg && d->h == h->leg) || (d->req_id && h->req_id == d->req_id &&
		                                          (h->type == VOX_EVT_LEG_CREATED ||
		                                           h->type == VOX_EVT_LEG_FAILED));
		if (!mine)
			continue;
		struct vox_leg_sip ls = {0};
		if (h->len >= sizeof(ls) && h->type != VOX_EVT_LEG_CREATED)
			memcpy(&ls, payload, sizeof(ls));
		struct twiml_leg_event ev = {.call_sid = d->sid, .sip_call_id = NULL};
		switch (h->type) {
		case VOX_EVT_LEG_CREATED:
			d->h = h->leg;
			d->worker = h->worker;
			if (d->cancel_pending)
				dleg_end(k, d);
			return 1;
		case VOX_EVT_LEG_ANSWERED:
			d->answered = true;
			d->answer_ns = ls.answered_ns ? ls.answered_ns : h->ts_ns;
			if (d->cancel_pending) {
				dleg_end(k, d);
				return 1;
			}
			if (calls_child_answered(k, i, d->answer_ns))
				return 1; /* sendDigits / the noun's url first */
			ev.result = TWIML_LEG_ANSWERED;
			ev.sip_code = 200;
			break;
		case VOX_EVT_LEG_PROGRESS:
			calls_child_progress(k, i, h->ts_ns);
			dial_early(k, i, d, ls.early_media);
			return 1;
		case VOX_EVT_MEDIA_DONE:
			calls_child_media_done(k, i); /* sendDigits' TONE */
			return 1;
		case VOX_EVT_LEG_FAILED: {
			d->gone = true;
			calls_early_gone(&k->early, i);
			uint16_t code = ls.sip_code ? ls.sip_code
			                : h->status >= 100 && h->status < 700 ? (uint16_t)h->status : 0;
			ev.sip_code = code;
			ev.result = code == 486 || code == 600 || code == 603 ? TWIML_LEG_BUSY
			            : code == 408 || code == 480 || code == 487 ? TWIML_LEG_NO_ANSWER
			                                                        : TWIML_LEG_FAILED;
			calls_child_end(k, i, code, h->ts_ns);
			break;
		}
		case VOX_EVT_LEG_ENDED: {
			d->gone = true;
			calls_early_gone(&k->early, i);
			bool unaccepted = calls_child_unaccepted(d); /* before its end resets it */
			calls_child_end(k, i, ls.sip_code, h->ts_ns);
			if (!d->answered || unaccepted) {
				/* never answered, or gone during its sendDigits/url: not answered */
				ev.result = TWIML_LEG_NO_ANSWER;
				break;
			}
			ev.result = TWIML_LEG_ENDED;
			ev.duration_s = (uint32_t)((h->ts_ns - d->answer_ns + 500000000ull) / 1000000000ull);
			break;
		}
		default:
			return 1; /* BRIDGED, UNBRIDGED...: nothing for the engine */
		}
		if (k->eng && !d->cancel_pending)
			twiml_on_leg(k->eng, i, &ev);
		return 1;
	}
	return 0;
}

bool calls_dial_owns(const struct call *k, const struct vox_rec_hdr *h)
{
	for (uint32_t i = 0; i < CALLS_DIAL_LEGS; i++) {
		const struct call_dleg *d = &k->dl[i];
		if (!d->used || d->gone)
			continue;
		if ((h->leg && d->h == h->leg) || (d->req_id && h->req_id == d->req_id))
			return true;
	}
	return false;
}

bool calls_dial_live(const struct call *k)
{
	for (uint32_t i = 0; i < CALLS_DIAL_LEGS; i++)
		if (k->dl[i].used && !k->dl[i].gone && (k->dl[i].h || k->dl[i].req_id))
			return true;
	return false;
}
