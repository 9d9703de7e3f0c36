/* SPDX-License-Identifier: BSD-3-Clause */
/* txn.c — client and server transaction state machines (RFC 3261 §17, RFC 6026). */
#include <errno.h>
#include <string.h>

#include "sip.h"
#include "txn.h"

enum { TK_RTX = 0, TK_STATE = 1 }; /* timer kinds relative to timer_base */

static uint32_t txn_hash(const struct txn_key *k, int server)
{
	/* FNV-1a over branch, method class and (server) sent-by */
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < k->branch_len; i++)
		h = (h ^ (uint8_t)k->branch[i]) * 16777619u;
	uint8_t m = k->method == SIP_M_ACK ? SIP_M_INVITE : k->method;
	h = (h ^ m) * 16777619u;
	if (server)
		for (uint32_t i = 0; i < k->sent_by_len; i++)
			h = (h ^ (uint8_t)(k->sent_by[i] | 0x20)) * 16777619u;
	return h ^ (uint32_t)server;
}

uint64_t txn_layer_memsize(uint32_t max_txn)
{
	uint32_t nb = 1;
	while (nb < max_txn * 2)
		nb <<= 1;
	return (uint64_t)max_txn * sizeof(struct txn) + (uint64_t)nb * sizeof(uint32_t);
}

void txn_layer_init(struct txn_layer *L, void *mem, const struct txn_cfg *cfg, const struct txn_ops *ops,
		    void *ctx, struct tw *tw, uint32_t timer_base)
{
	memset(L, 0, sizeof(*L));
	L->cfg = *cfg;
	L->cap = cfg->max_txn;
	uint32_t nb = 1;
	while (nb < L->cap * 2)
		nb <<= 1;
	L->mask = nb - 1;
	L->pool = mem;
	L->buckets = (uint32_t *)((char *)mem + (uint64_t)L->cap * sizeof(struct txn));
	for (uint32_t i = 0; i < nb; i++)
		L->buckets[i] = TXN_NONE;
	for (uint32_t i = 0; i < L->cap; i++) {
		memset(&L->pool[i], 0, sizeof(L->pool[i]));
		L->pool[i].hnext = i + 1 < L->cap ? i + 1 : TXN_NONE;
	}
	L->free_head = L->cap ? 0 : TXN_NONE;
	L->ops = ops;
	L->ctx = ctx;
	L->tw = tw;
	L->timer_base = timer_base;
}

static int txn_is_server(const struct txn *t)
{
	return t->kind == TXN_IST || t->kind == TXN_NIST;
}

static int txn_key_eq(const struct txn *t, const struct txn_key *k, int server)
{
	uint8_t m = k->method == SIP_M_ACK ? SIP_M_INVITE : k->method;
	if (txn_is_server(t) != server || t->method != m || t->branch_len != k->branch_len ||
	    memcmp(t->branch, k->branch, k->branch_len) != 0)
		return 0;
	if (!server)
		return 1;
	if (t->sent_by_len != k->sent_by_len)
		return 0;
	for (uint32_t i = 0; i < k->sent_by_len; i++)
		if ((t->sent_by[i] | 0x20) != (k->sent_by[i] | 0x20))
			return 0;
	return 1;
}

static struct txn *txn_find(struct txn_layer *L, const struct txn_key *k, int server)
{
	uint32_t h = txn_hash(k, server);
	for (uint32_t i = L->buckets[h & L->mask]; i != TXN_NONE; i = L->pool[i].hnext) {
		struct txn *t = &L->pool[i];
		if (t->hash == h && txn_key_eq(t, k, server))
			return t;
	}
	return NULL;
}

static struct txn *txn_alloc(struct txn_layer *L, const struct txn_key *k, int server, uint8_t kind,
			     uint8_t transport, uint32_t flow_id, uint64_t user)
{
	if (L->free_head == TXN_NONE || k->branch_len > TXN_BRANCH_MAX ||
	    (server && k->sent_by_len > TXN_SENTBY_MAX)) {
		L->st.pool_full++;
		return NULL;
	}
	uint32_t i = L->free_head;
	struct txn *t = &L->pool[i];
	L->free_head = t->hnext;
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->method = k->method;
	t->transport = transport;
	t->flow_id = flow_id;
	t->user = user;
	t->msg_ref = TXN_NONE;
	t->ack_ref = TXN_NONE;
	t->branch_len = (uint8_t)k->branch_len;
	memcpy(t->branch, k->branch, k->branch_len);
	if (server) {
		t->sent_by_len = (uint8_t)k->sent_by_len;
		memcpy(t->sent_by, k->sent_by, k->sent_by_len);
	}
	t->hash = txn_hash(k, server);
	uint32_t *b = &L->buckets[t->hash & L->mask];
	t->hnext = *b;
	*b = i;
	L->active++;
	L->st.created++;
	return t;
}

static void txn_unhash(struct txn_layer *L, struct txn *t)
{
	uint32_t i = txn_index(L, t);
	uint32_t *p = &L->buckets[t->hash & L->mask];
	while (*p != TXN_NONE && *p != i)
		p = &L->pool[*p].hnext;
	if (*p == i)
		*p = t->hnext;
}

void txn_terminate(struct txn_layer *L, struct txn *t)
{
	if (t->state == TXN_S_FREE)
		return;
	tw_cancel(L->tw, t->t_rtx);
	tw_cancel(L->tw, t->t_state);
	t->t_rtx = t->t_state = 0;
	if (t->msg_ref != TXN_NONE)
		L->ops->release(L->ctx, t, t->msg_ref);
	if (t->ack_ref != TXN_NONE)
		L->ops->release(L->ctx, t, t->ack_ref);
	t->msg_ref = t->ack_ref = TXN_NONE;
	if (L->ops->ended)
		L->ops->ended(L->ctx, t);
	txn_unhash(L, t);
	t->state = TXN_S_FREE;
	t->hnext = L->free_head;
	L->free_head = txn_index(L, t);
	L->active--;
	L->st.ended++;
}

static void arm(struct txn_layer *L, struct txn *t, int which, uint32_t ms)
{
	tw_handle_t *h = which == TK_RTX ? &t->t_rtx : &t->t_state;
	tw_cancel(L->tw, *h);
	*h = tw_add(L->tw, L->tw->now + ms, L->timer_base + (uint32_t)which, txn_index(L, t));
	/* a full wheel would leave a transaction without its end: end it now instead */
	if (!*h && which == TK_STATE)
		txn_terminate(L, t);
}

static void disarm(struct txn_layer *L, tw_handle_t *h)
{
	tw_cancel(L->tw, *h);
	*h = 0;
}

/* Enter a waiting state whose timer may be zero on reliable transports. */
static void linger(struct txn_layer *L, struct txn *t, enum txn_state s, uint32_t udp_ms)
{
	t->state = (uint8_t)s;
	disarm(L, &t->t_rtx);
	if (t->transport != TXN_UDP || udp_ms == 0) {
		txn_terminate(L, t);
		return;
	}
	arm(L, t, TK_STATE, udp_ms);
}

/* ---- client ------------------------------------------------------------------------------ */

struct txn *txn_client_start(struct txn_layer *L, const struct txn_key *k, uint8_t transport,
			     uint32_t flow_id, uint32_t msg_ref, uint64_t user)
{
	int invite = k->method == SIP_M_INVITE;
	struct txn *t = txn_alloc(L, k, 0, invite ? TXN_ICT : TXN_NICT, transport, flow_id, user);
	if (!t)
		return NULL;
	t->state = invite ? TXN_S_CALLING : TXN_S_TRYING;
	t->msg_ref = msg_ref;
	t->interval = L->cfg.t1_ms;
	L->ops->send(L->ctx, t, msg_ref);
	if (transport == TXN_UDP)
		arm(L, t, TK_RTX, t->interval); /* A or E */
	arm(L, t, TK_STATE, 64 * L->cfg.t1_ms); /* B or F */
	return t;
}

int txn_client_response(struct txn_layer *L, const struct txn_key *k, uint16_t status, const void *msg)
{
	struct txn *t = txn_find(L, k, 0);
	if (!t) {
		L->st.unmatched_responses++;
		return -ENOENT;
	}
	t->last_status = status;
	if (t->kind == TXN_ICT) {
		switch (t->state) {
		case TXN_S_CALLING:
		case TXN_S_PROCEEDING:
			if (status < 200) {
				t->state = TXN_S_PROCEEDING;
				disarm(L, &t->t_rtx); /* no more A once anything came back */
				L->ops->response(L->ctx, t, status, msg);
			} else if (status < 300) {
				/* RFC 6026: Accepted, absorb-and-pass 2xx retransmissions for 64*T1 */
				t->state = TXN_S_ACCEPTED;
				disarm(L, &t->t_rtx);
				arm(L, t, TK_STATE, 64 * L->cfg.t1_ms); /* M */
				L->ops->response(L->ctx, t, status, msg);
			} else {
				t->ack_ref = L->ops->build_ack(L->ctx, t, msg);
				if (t->ack_ref != TXN_NONE)
					L->ops->send(L->ctx, t, t->ack_ref);
				L->ops->response(L->ctx, t, status, msg);
				linger(L, t, TXN_S_COMPLETED, 32000); /* D */
			}
			return 0;
		case TXN_S_ACCEPTED:
			if (status >= 200 && status < 300)
				L->ops->response(L->ctx, t, status, msg); /* the TU re-sends its ACK */
			else
				L->st.absorbed++;
			return 0;
		case TXN_S_COMPLETED:
			/* a retransmitted non-2xx final: ACK again, TU not told */
			if (status >= 300 && t->ack_ref != TXN_NONE)
				L->ops->send(L->ctx, t, t->ack_ref);
			L->st.absorbed++;
			return 0;
		default:
			return 0;
		}
	}
	/* NICT */
	switch (t->state) {
	case TXN_S_TRYING:
	case TXN_S_PROCEEDING:
		if (status < 200) {
			if (t->state == TXN_S_TRYING) {
				t->state = TXN_S_PROCEEDING;
				t->interval = L->cfg.t2_ms; /* E at T2 in Proceeding */
			}
			L->ops->response(L->ctx, t, status, msg);
		} else {
			L->ops->response(L->ctx, t, status, msg);
			linger(L, t, TXN_S_COMPLETED, L->cfg.t4_ms); /* K */
		}
		return 0;
	default:
		L->st.absorbed++;
		return 0;
	}
}

/* ---- server ------------------------------------------------------------------------------ */

struct txn *txn_server_match(struct txn_layer *L, const struct txn_key *k, int *absorbed)
{
	*absorbed = 0;
	struct txn *t = txn_find(L, k, 1);
	if (!t)
		return NULL;
	if (k->method == SIP_M_ACK) {
		if (t->kind != TXN_IST)
			return NULL;
		if (t->state == TXN_S_COMPLETED) {
			/* ACK for our non-2xx: Confirmed, absorb ACK retransmissions for T4 */
			disarm(L, &t->t_rtx);
			*absorbed = 1;
			L->st.absorbed++;
			linger(L, t, TXN_S_CONFIRMED, L->cfg.t4_ms); /* I */
			return t;
		}
		if (t->state == TXN_S_CONFIRMED) {
			*absorbed = 1;
			L->st.absorbed++;
			return t;
		}
		/* ACK for a 2xx belongs to the dialog (it has its own branch normally; some UAs reuse
		 * the INVITE's): let the caller route it */
		return NULL;
	}
	/* a retransmitted request: resend what we last answered (if anything) */
	*absorbed = 1;
	L->st.absorbed++;
	if (t->msg_ref != TXN_NONE &&
	    (t->state == TXN_S_PROCEEDING || t->state == TXN_S_COMPLETED || t->state == TXN_S_ACCEPTED)) {
		L->st.retransmits++;
		L->ops->send(L->ctx, t, t->msg_ref);
	}
	return t;
}

struct txn *txn_server_create(struct txn_layer *L, const struct txn_key *k, uint8_t transport,
			      uint32_t flow_id, uint64_t user)
{
	if (k->method == SIP_M_ACK)
		return NULL;
	int invite = k->method == SIP_M_INVITE;
	struct txn *t = txn_alloc(L, k, 1, invite ? TXN_IST : TXN_NIST, transport, flow_id, user);
	if (!t)
		return NULL;
	t->state = invite ? TXN_S_PROCEEDING : TXN_S_TRYING;
	/* RFC 3261 gives the server no timer until it answers; a TU that never answers must not
	 * hold the transaction forever */
	arm(L, t, TK_STATE, TXN_SERVER_GUARD_MS);
	return t;
}

static void keep(struct txn_layer *L, struct txn *t, uint32_t msg_ref)
{
	if (t->msg_ref != TXN_NONE && t->msg_ref != msg_ref)
		L->ops->release(L->ctx, t, t->msg_ref);
	t->msg_ref = msg_ref;
}

int txn_server_respond(struct txn_layer *L, struct txn *t, uint16_t status, uint32_t msg_ref)
{
	if (t->state != TXN_S_PROCEEDING && t->state != TXN_S_TRYING)
		return -EINVAL;
	keep(L, t, msg_ref);
	t->last_status = status;
	L->ops->send(L->ctx, t, msg_ref);
	if (t->kind == TXN_NIST) {
		if (status < 200)
			t->state = TXN_S_PROCEEDING;
		else
			linger(L, t, TXN_S_COMPLETED, 64 * L->cfg.t1_ms); /* J */
		return 0;
	}
	/* IST */
	if (status < 200)
		return 0;
	t->interval = L->cfg.t1_ms;
	if (status < 300) {
		t->state = TXN_S_ACCEPTED;
		if (t->transport == TXN_UDP)
			arm(L, t, TK_RTX, t->interval); /* 2xx retransmission until ACK */
		arm(L, t, TK_STATE, 64 * L->cfg.t1_ms); /* L */
	} else {
		t->state = TXN_S_COMPLETED;
		if (t->transport == TXN_UDP)
			arm(L, t, TK_RTX, t->interval); /* G */
		arm(L, t, TK_STATE, 64 * L->cfg.t1_ms); /* H */
	}
	return 0;
}

void txn_server_ack_2xx(struct txn_layer *L, struct txn *t)
{
	if (t->kind != TXN_IST || t->state != TXN_S_ACCEPTED)
		return;
	/* stop retransmitting; absorb late INVITE retransmissions for T4 (as timer I does for a
	 * non-2xx), not the full 64*T1 of L: at carrier call rates the shorter linger is what
	 * keeps the transaction table small */
	disarm(L, &t->t_rtx);
	t->state = TXN_S_CONFIRMED;
	if (t->transport != TXN_UDP) {
		txn_terminate(L, t);
		return;
	}
	arm(L, t, TK_STATE, L->cfg.t4_ms);
}

struct txn *txn_server_find_invite(struct txn_layer *L, const struct txn_key *k)
{
	struct txn_key ik = *k;
	ik.method = SIP_M_INVITE;
	return txn_find(L, &ik, 1);
}

/* ---- timers ------------------------------------------------------------------------------ */

static void on_rtx(struct txn_layer *L, struct txn *t)
{
	t->t_rtx = 0;
	uint32_t ref = t->msg_ref; /* client: the request; server: the last response */
	switch (t->kind) {
	case TXN_ICT: /* A: only in Calling */
		if (t->state != TXN_S_CALLING)
			return;
		t->interval *= 2;
		break;
	case TXN_NICT: /* E */
		if (t->state != TXN_S_TRYING && t->state != TXN_S_PROCEEDING)
			return;
		if (t->state == TXN_S_TRYING)
			t->interval = t->interval * 2 < L->cfg.t2_ms ? t->interval * 2 : L->cfg.t2_ms;
		break;
	case TXN_IST: /* G (Completed) or the 2xx retransmission (Accepted) */
		if (t->state != TXN_S_COMPLETED && t->state != TXN_S_ACCEPTED)
			return;
		t->interval = t->interval * 2 < L->cfg.t2_ms ? t->interval * 2 : L->cfg.t2_ms;
		break;
	default:
		return;
	}
	if (ref != TXN_NONE) {
		L->st.retransmits++;
		L->ops->send(L->ctx, t, ref);
	}
	arm(L, t, TK_RTX, t->interval);
}

static void on_state(struct txn_layer *L, struct txn *t)
{
	t->t_state = 0;
	switch (t->state) {
	case TXN_S_CALLING:
	case TXN_S_TRYING:
	case TXN_S_PROCEEDING:
		L->st.timeouts++;
		if (!txn_is_server(t)) /* B or F */
			L->ops->timeout(L->ctx, t, t->kind == TXN_ICT ? TXN_TO_B : TXN_TO_F);
		else
			L->ops->timeout(L->ctx, t, TXN_TO_NO_ANSWER);
		break;
	case TXN_S_COMPLETED:
		if (t->kind == TXN_IST) { /* H: no ACK for our non-2xx */
			L->st.timeouts++;
			L->ops->timeout(L->ctx, t, TXN_TO_H);
		}
		break; /* D, J, K: done lingering */
	case TXN_S_ACCEPTED:
		if (t->kind == TXN_IST) { /* L with no ACK for our 2xx */
			L->st.timeouts++;
			L->ops->timeout(L->ctx, t, TXN_TO_L_NO_ACK);
		}
		break; /* M */
	default:
		break; /* I, or L after the ACK */
	}
	txn_terminate(L, t);
}

void txn_timer_fire(struct txn_layer *L, uint32_t kind, uint64_t arg)
{
	if (arg >= L->cap)
		return;
	struct txn *t = &L->pool[arg];
	if (t->state == TXN_S_FREE)
		return;
	if (kind - L->timer_base == TK_RTX)
		on_rtx(L, t);
	else
		on_state(L, t);
}
