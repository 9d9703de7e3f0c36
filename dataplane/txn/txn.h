/* SPDX-License-Identifier: BSD-3-Clause */
/* txn.h — RFC 3261 §17 transactions (with RFC 6026's Accepted state) on a per-lcore timer wheel. */
#ifndef TXN_H
#define TXN_H

#include <stdint.h>

#include "tw.h"

/*
 * Design. One struct txn_layer per worker lcore; transactions are entries of a fixed pool
 * (index-linked, no allocation after init), found through a hash of their key:
 *   - client transactions by (top Via branch we generated, CSeq method);
 *   - server transactions by (top Via branch, sent-by, method), with ACK matching the INVITE
 *     transaction and CANCEL having its own (RFC 3261 §17.2.3).
 * Every message is kept by the caller and referred to by a 32-bit `msg_ref`; the layer asks the
 * caller to (re)send a ref, to build the ACK for a non-2xx final response, and to release refs
 * when a transaction ends. Each message also carries (transport, flow id) from the start, so
 * TCP/TLS can later enter without changing this layer (reliable transports get the zero
 * timers D, I, J, K and no retransmissions).
 * Timers A..M live on the caller's wheel (struct tw, ticks in milliseconds); the caller routes
 * fired timers whose kind is in [timer_base, timer_base + TXN_TIMER_KINDS) to txn_timer_fire().
 * The 2xx of an INVITE server transaction is retransmitted (T1 doubling up to T2) until the
 * dialog reports the ACK (txn_server_ack_2xx) or timer L (64*T1) ends the wait.
 * Written and read by one lcore only.
 */

#define TXN_BRANCH_MAX 96
#define TXN_SENTBY_MAX 64
#define TXN_TIMER_KINDS 2 /* retransmission timer, state timer */
#define TXN_NONE UINT32_MAX

enum txn_kind { TXN_ICT = 1, TXN_NICT, TXN_IST, TXN_NIST };

enum txn_state {
	TXN_S_FREE = 0,
	TXN_S_CALLING,    /* ICT */
	TXN_S_TRYING,     /* NICT, NIST */
	TXN_S_PROCEEDING, /* all */
	TXN_S_COMPLETED,  /* all */
	TXN_S_CONFIRMED,  /* IST */
	TXN_S_ACCEPTED,   /* ICT, IST (RFC 6026) */
	TXN_S_TERMINATED,
};

enum txn_transport { TXN_UDP = 0, TXN_TCP = 1, TXN_TLS = 2 };

/* Timeouts reported to the TU. */
enum txn_timeout {
	TXN_TO_B = 1,       /* INVITE client: no final response (408 for the TU) */
	TXN_TO_F,           /* non-INVITE client: no final response */
	TXN_TO_H,           /* INVITE server: no ACK for our non-2xx */
	TXN_TO_L_NO_ACK,    /* INVITE server: no ACK for our 2xx (the dialog should BYE) */
	TXN_TO_NO_ANSWER,   /* server: the TU never answered within TXN_SERVER_GUARD_MS */
};
#define TXN_SERVER_GUARD_MS 300000u

struct txn {
	uint8_t kind;  /* enum txn_kind */
	uint8_t state; /* enum txn_state */
	uint8_t method; /* enum sip_method of the request (INVITE for ICT/IST) */
	uint8_t transport;
	uint16_t last_status; /* last final/provisional response sent (server) or received (client) */
	uint8_t branch_len;
	uint8_t sent_by_len;
	uint32_t flow_id;
	uint32_t interval; /* current retransmission interval, ms */
	uint32_t msg_ref;  /* client: the request; server: the last response sent (TXN_NONE: none) */
	uint32_t ack_ref;  /* ICT: the ACK we built for a non-2xx final (TXN_NONE: none) */
	uint32_t hnext;    /* hash chain */
	uint32_t hash;
	tw_handle_t t_rtx;   /* A, E, G or the 2xx retransmission */
	tw_handle_t t_state; /* B, D, F, H, I, J, K, L, M */
	uint64_t user;       /* the TU's cookie (call/leg index) */
	char branch[TXN_BRANCH_MAX];
	char sent_by[TXN_SENTBY_MAX];
};

/* What the layer asks of the caller. `t` stays valid during the call. */
struct txn_ops {
	/* put msg_ref on the wire again (or for the first time) */
	void (*send)(void *ctx, struct txn *t, uint32_t msg_ref);
	/* client: a response the TU must see (1xx, the first final, 2xx retransmissions in Accepted);
	 * `msg` is the caller's parsed response, passed through */
	void (*response)(void *ctx, struct txn *t, uint16_t status, const void *msg);
	/* client INVITE: build the ACK for this non-2xx final response; return its ref or TXN_NONE */
	uint32_t (*build_ack)(void *ctx, struct txn *t, const void *msg);
	/* a timeout the TU must handle (B/F: no answer, 408; H: no ACK; L: no ACK for our 2xx) */
	void (*timeout)(void *ctx, struct txn *t, enum txn_timeout which);
	/* the transaction is ending: release every ref it holds (msg_ref, ack_ref) */
	void (*release)(void *ctx, struct txn *t, uint32_t msg_ref);
	/* the transaction ends now (after its refs were released); the TU forgets it */
	void (*ended)(void *ctx, struct txn *t);
};

struct txn_cfg {
	uint32_t max_txn;
	uint32_t t1_ms, t2_ms, t4_ms; /* 500, 4000, 5000 */
};

struct txn_stats {
	uint64_t created, ended, pool_full, retransmits, absorbed, timeouts, unmatched_responses;
};

struct txn_layer {
	struct txn *pool;
	uint32_t *buckets;
	uint32_t cap, mask; /* buckets: mask + 1 */
	uint32_t free_head;
	uint32_t active;
	struct txn_cfg cfg;
	const struct txn_ops *ops;
	void *ctx;
	struct tw *tw;
	uint32_t timer_base;
	struct txn_stats st;
};

/* Message identification handed in by the caller (slices of its parsed message). */
struct txn_key {
	const char *branch;
	uint32_t branch_len;
	const char *sent_by; /* server side only (top Via host[:port]) */
	uint32_t sent_by_len;
	uint8_t method;      /* request method; for responses the CSeq method */
};

/* Bytes the layer needs for `max_txn` transactions (pool + buckets). */
uint64_t txn_layer_memsize(uint32_t max_txn);
/* Set up on caller memory of txn_layer_memsize() bytes. */
void txn_layer_init(struct txn_layer *L, void *mem, const struct txn_cfg *cfg, const struct txn_ops *ops,
		    void *ctx, struct tw *tw, uint32_t timer_base);

/* Client: start a transaction for the request msg_ref and send it. is_invite picks ICT/NICT.
 * Returns the transaction or NULL when the pool is full (counted; msg_ref is not taken). */
struct txn *txn_client_start(struct txn_layer *L, const struct txn_key *k, uint8_t transport,
			     uint32_t flow_id, uint32_t msg_ref, uint64_t user);
/* Client: a response arrived. Returns 0 if it matched a transaction (delivered or absorbed),
 * -ENOENT if it matched none (the caller counts and drops it). */
int txn_client_response(struct txn_layer *L, const struct txn_key *k, uint16_t status, const void *msg);

/* Server: find the transaction of a request. ACK finds the INVITE transaction: an ACK for a
 * non-2xx final is absorbed here (returns the txn and *absorbed = 1). A retransmitted request
 * is absorbed (last response resent) the same way. NULL: no transaction (a new request, an ACK
 * for a 2xx, or a stray ACK). */
struct txn *txn_server_match(struct txn_layer *L, const struct txn_key *k, int *absorbed);
/* Server: create the transaction for a new request (not ACK). NULL when the pool is full. */
struct txn *txn_server_create(struct txn_layer *L, const struct txn_key *k, uint8_t transport,
			      uint32_t flow_id, uint64_t user);
/* Server: the TU sends a response through t; the layer keeps msg_ref (releasing the previous
 * one) for retransmissions and moves the state machine. Returns 0 or -EINVAL (wrong state). */
int txn_server_respond(struct txn_layer *L, struct txn *t, uint16_t status, uint32_t msg_ref);
/* Server INVITE in Accepted: the dialog saw the ACK for our 2xx; stop retransmitting it. */
void txn_server_ack_2xx(struct txn_layer *L, struct txn *t);
/* Find the INVITE server transaction a CANCEL (same branch and sent-by) targets. */
struct txn *txn_server_find_invite(struct txn_layer *L, const struct txn_key *k);

/* Timer dispatch from the caller's wheel. */
void txn_timer_fire(struct txn_layer *L, uint32_t kind, uint64_t arg);

/* End a transaction now (e.g. its call is being torn down). */
void txn_terminate(struct txn_layer *L, struct txn *t);

static inline uint32_t txn_index(const struct txn_layer *L, const struct txn *t)
{
	return (uint32_t)(t - L->pool);
}

#endif /* TXN_H */
