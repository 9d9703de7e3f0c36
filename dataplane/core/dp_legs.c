/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_legs.c — per-worker leg table: slots with generations, the shm mirror, never-dropped state events. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "vox_rec.h"

/*
 * A leg lives in a slot of its worker's table; its handle carries (node, worker, slot,
 * generation). Every change of what control must know is a state event. dp_leg_state_event()
 * records it as the leg's pending event and tries to send it at once; when the event ring is
 * full the leg joins a FIFO of deferred legs that later turns drain (dp_legs_flush_deferred),
 * re-emitting the latest state from the leg. A leg that ended keeps its slot until its
 * LEG_ENDED is out, so nothing control must learn is lost. Creation failures have no leg: they
 * go to a bounded orphan FIFO.
 */

#define DP_NO_SLOT UINT32_MAX

static void leg_mirror_write(struct dp_lcore *lc, const struct dp_leg *leg)
{
	uint32_t slot = (uint32_t)(leg - lc->legs);
	struct vox_leg_mirror *e = &lc->mirror[slot];
	vox_mirror_write_begin(e);
	e->state = leg->state;
	e->handle = leg->state == VOX_LEG_FREE ? 0 : dp_leg_handle(lc, leg);
	memcpy(e->tag, leg->tag, sizeof(e->tag));
	e->account_idx = leg->account_idx;
	e->kind = leg->kind;
	e->deadline_ns = leg->deadline_ns;
	e->created_ns = leg->created_ns;
	if (leg->state == VOX_LEG_FREE) {
		e->bridge_peer = 0;
		e->media_op = 0;
		e->flags = 0;
		e->rtp_rx = e->rtp_tx = e->lost = e->jitter_us = e->rtt_us = e->jb_depth_ms = 0;
	}
	vox_mirror_write_end(e);
}

int dp_legs_init(struct dp_lcore *lc, uint32_t max_legs, uint64_t seed, int socket)
{
	if (max_legs == 0 || max_legs > VOX_HANDLE_SLOT_MAX)
		return -EINVAL;
	uint32_t n_timers = max_legs + 1024;
	lc->legs = rte_zmalloc_socket("dp_legs", sizeof(struct dp_leg) * max_legs, 64, socket);
	lc->free_slots = rte_malloc_socket("dp_free", sizeof(uint32_t) * max_legs, 64, socket);
	void *tw_nodes = rte_malloc_socket("dp_tw", tw_nodes_size(n_timers), 64, socket);
	if (!lc->legs || !lc->free_slots || !tw_nodes) {
		rte_free(lc->legs);
		rte_free(lc->free_slots);
		rte_free(tw_nodes);
		lc->legs = NULL;
		lc->free_slots = NULL;
		return -ENOMEM;
	}
	tw_init(&lc->tw, tw_nodes, n_timers, dp_now_ns(lc, rte_rdtsc()) / 1000000u);
	lc->max_legs = max_legs;
	/* Random first generation per slot (xorshift from the boot seed), never 0. */
	uint64_t x = seed ? seed : 0x9e3779b97f4a7c15ull;
	for (uint32_t i = 0; i < max_legs; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		lc->legs[i].gen = (uint32_t)x & VOX_HANDLE_GEN_MASK;
		lc->legs[i].defer_next = DP_NO_SLOT;
		/* pop order: slot 0 first */
		lc->free_slots[i] = max_legs - 1 - i;
	}
	lc->n_free = max_legs;
	lc->defer_head = lc->defer_tail = DP_NO_SLOT;
	for (uint32_t i = 0; i < max_legs; i++)
		leg_mirror_write(lc, &lc->legs[i]);
	return 0;
}

vox_handle_t dp_leg_handle(const struct dp_lcore *lc, const struct dp_leg *leg)
{
	return vox_handle_make(lc->node_id, lc->widx, (uint32_t)(leg - lc->legs), leg->gen);
}

struct dp_leg *dp_leg_lookup(struct dp_lcore *lc, vox_handle_t h)
{
	uint32_t slot = vox_handle_slot(h);
	if (h == 0 || vox_handle_node(h) != lc->node_id || vox_handle_lcore(h) != lc->widx ||
	    slot >= lc->max_legs)
		return NULL;
	struct dp_leg *leg = &lc->legs[slot];
	if (leg->gen != vox_handle_gen(h) || leg->state == VOX_LEG_FREE || leg->free_after_emit)
		return NULL;
	return leg;
}

struct dp_leg *dp_leg_alloc(struct dp_lcore *lc, uint32_t kind, uint64_t req_id, const uint8_t tag[16],
			    uint32_t account_idx, uint64_t now_ns)
{
	if (lc->n_free == 0) {
		lc->st->legs_full++;
		return NULL;
	}
	uint32_t slot = lc->free_slots[--lc->n_free];
	struct dp_leg *leg = &lc->legs[slot];
	uint32_t gen = (leg->gen + 1) & VOX_HANDLE_GEN_MASK;
	if (gen == 0)
		gen = 1;
	memset(leg, 0, sizeof(*leg));
	leg->gen = gen;
	leg->state = VOX_LEG_CREATED;
	leg->kind = (uint8_t)kind;
	leg->req_id = req_id;
	leg->account_idx = account_idx;
	leg->created_ns = now_ns;
	leg->defer_next = DP_NO_SLOT;
	if (tag)
		memcpy(leg->tag, tag, sizeof(leg->tag));
	lc->legs_active++;
	lc->st->legs_created++;
	lc->st->legs_active = lc->legs_active;
	atomic_store_explicit(&lc->pub->legs_active, lc->legs_active, memory_order_relaxed);
	leg_mirror_write(lc, leg);
	return leg;
}

static void leg_release(struct dp_lcore *lc, struct dp_leg *leg)
{
	if (leg->kind != VOX_LEG_KIND_LOOPBACK)
		dp_sip_leg_release(lc, (uint32_t)(leg - lc->legs));
	tw_cancel(&lc->tw, leg->deadline_tw);
	leg->deadline_tw = 0;
	leg->state = VOX_LEG_FREE;
	leg->free_after_emit = 0;
	leg->deadline_ns = 0;
	leg_mirror_write(lc, leg);
	lc->free_slots[lc->n_free++] = (uint32_t)(leg - lc->legs);
}

/* Try to send the leg's pending state event. Returns 0 when sent (or nothing was pending). */
static int leg_emit_pending(struct dp_lcore *lc, struct dp_leg *leg, uint16_t flags)
{
	if (!leg->pending_evt)
		return 0;
	struct vox_rec_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = leg->pending_evt;
	h.flags = flags;
	h.status = leg->pending_status;
	h.leg = dp_leg_handle(lc, leg);
	h.req_id = leg->req_id;
	memcpy(h.tag, leg->tag, sizeof(h.tag));
	/* SIP legs' state events carry a payload rebuilt from leg state on every (re)emission */
	const void *pl = NULL;
	uint32_t len = 0;
	if (leg->kind != VOX_LEG_KIND_LOOPBACK && lc->sip)
		len = dp_sip_evt_payload(lc, leg, h.type, &pl);
	if (dp_ctl_emit(lc, &h, pl, len) != 0)
		return -ENOBUFS;
	leg->last_state_evt = leg->pending_evt;
	leg->last_status = leg->pending_status;
	leg->last_state_seq = h.seq;
	leg->pending_evt = 0;
	if (leg->free_after_emit)
		leg_release(lc, leg);
	return 0;
}

static void leg_defer(struct dp_lcore *lc, struct dp_leg *leg)
{
	if (leg->deferred)
		return;
	uint32_t slot = (uint32_t)(leg - lc->legs);
	leg->deferred = 1;
	leg->defer_next = DP_NO_SLOT;
	if (lc->defer_tail == DP_NO_SLOT)
		lc->defer_head = slot;
	else
		lc->legs[lc->defer_tail].defer_next = slot;
	lc->defer_tail = slot;
	lc->n_deferred++;
	lc->st->evt_state_deferred++;
}

void dp_leg_state_event(struct dp_lcore *lc, struct dp_leg *leg, uint16_t type, int32_t status)
{
	leg->pending_evt = type;
	leg->pending_status = status;
	/* Keep per-leg order: while older events wait, this one waits behind them. */
	if (leg->deferred || lc->n_deferred || leg_emit_pending(lc, leg, 0) != 0)
		leg_defer(lc, leg);
}

void dp_legs_flush_deferred(struct dp_lcore *lc)
{
	while (lc->defer_head != DP_NO_SLOT) {
		struct dp_leg *leg = &lc->legs[lc->defer_head];
		if (leg_emit_pending(lc, leg, VOX_RECF_REEMIT) != 0)
			return;
		lc->st->evt_reemitted++;
		uint32_t next = leg->defer_next;
		leg->deferred = 0;
		leg->defer_next = DP_NO_SLOT;
		lc->defer_head = next;
		if (next == DP_NO_SLOT)
			lc->defer_tail = DP_NO_SLOT;
		lc->n_deferred--;
	}
	/* orphans (creation failures) after legs, in order */
	while (lc->orphan_n) {
		struct dp_orphan_evt *o = &lc->orphans[lc->orphan_head];
		struct vox_rec_hdr h;
		memset(&h, 0, sizeof(h));
		h.type = o->type;
		h.flags = VOX_RECF_REEMIT;
		h.status = o->status;
		h.req_id = o->req_id;
		memcpy(h.tag, o->tag, sizeof(h.tag));
		if (dp_ctl_emit(lc, &h, NULL, 0) != 0)
			return;
		lc->st->evt_reemitted++;
		lc->orphan_head = (lc->orphan_head + 1) % DP_ORPHAN_MAX;
		lc->orphan_n--;
	}
}

void dp_orphan_event(struct dp_lcore *lc, uint16_t type, int32_t status, uint64_t req_id, const uint8_t tag[16])
{
	struct vox_rec_hdr h;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.status = status;
	h.req_id = req_id;
	if (tag)
		memcpy(h.tag, tag, sizeof(h.tag));
	if (!lc->orphan_n && !lc->n_deferred && dp_ctl_emit(lc, &h, NULL, 0) == 0)
		return;
	if (lc->orphan_n == DP_ORPHAN_MAX) {
		/* Bounded: the oldest failure report is lost, visibly. */
		lc->st->evt_info_dropped++;
		lc->orphan_head = (lc->orphan_head + 1) % DP_ORPHAN_MAX;
		lc->orphan_n--;
	}
	struct dp_orphan_evt *o = &lc->orphans[(lc->orphan_head + lc->orphan_n) % DP_ORPHAN_MAX];
	o->type = type;
	o->status = status;
	o->req_id = req_id;
	memset(o->tag, 0, sizeof(o->tag));
	if (tag)
		memcpy(o->tag, tag, sizeof(o->tag));
	lc->orphan_n++;
	lc->st->evt_state_deferred++;
}

void dp_leg_end(struct dp_lcore *lc, struct dp_leg *leg, int32_t cause)
{
	dp_leg_end_evt(lc, leg, VOX_EVT_LEG_ENDED, cause);
}

void dp_leg_end_evt(struct dp_lcore *lc, struct dp_leg *leg, uint16_t type, int32_t cause)
{
	if (leg->state == VOX_LEG_FREE || leg->free_after_emit)
		return;
	leg->state = VOX_LEG_ENDING;
	leg->free_after_emit = 1;
	leg->deadline_ns = 0;
	tw_cancel(&lc->tw, leg->deadline_tw);
	leg->deadline_tw = 0;
	leg_mirror_write(lc, leg);
	lc->legs_active--;
	lc->st->legs_ended++;
	lc->st->legs_active = lc->legs_active;
	atomic_store_explicit(&lc->pub->legs_active, lc->legs_active, memory_order_relaxed);
	dp_leg_state_event(lc, leg, type, cause);
}

/* A deadline ends a SIP leg with BYE (or a final answer), a loopback leg at once. */
static void leg_end_by_deadline(struct dp_lcore *lc, struct dp_leg *leg)
{
	if (leg->kind != VOX_LEG_KIND_LOOPBACK && lc->sip)
		dp_sip_leg_hangup(lc, leg, VOX_CAUSE_TIME_LIMIT, 0);
	else
		dp_leg_end(lc, leg, VOX_CAUSE_TIME_LIMIT);
}

void dp_leg_set_deadline(struct dp_lcore *lc, struct dp_leg *leg, uint64_t deadline_ns, uint32_t account_idx)
{
	tw_cancel(&lc->tw, leg->deadline_tw);
	leg->deadline_tw = 0;
	leg->deadline_ns = deadline_ns;
	leg->account_idx = account_idx;
	if (deadline_ns) {
		/* a deadline is a promise (TimeLimit, usage limits): if no timer can be had, the
		 * leg ends now rather than run unbounded */
		leg->deadline_tw = tw_add(&lc->tw, (deadline_ns + 999999u) / 1000000u, DP_TIMER_LEG_DEADLINE,
					  (uint64_t)(leg - lc->legs));
		if (!leg->deadline_tw) {
			lc->st->legs_deadline++;
			leg_end_by_deadline(lc, leg);
			return;
		}
	}
	leg_mirror_write(lc, leg);
}

void dp_leg_mirror_quality(struct dp_lcore *lc, struct dp_leg *leg, uint32_t rtp_rx, uint32_t lost,
			   uint32_t jitter_us)
{
	struct vox_leg_mirror *e = &lc->mirror[leg - lc->legs];
	vox_mirror_write_begin(e);
	e->rtp_rx = rtp_rx;
	e->lost = lost;
	e->jitter_us = jitter_us;
	vox_mirror_write_end(e);
}

void dp_leg_mirror_tx(struct dp_lcore *lc, struct dp_leg *leg, uint32_t rtp_tx)
{
	struct vox_leg_mirror *e = &lc->mirror[leg - lc->legs];
	vox_mirror_write_begin(e);
	e->rtp_tx = rtp_tx;
	e->media_op = rtp_tx ? 1 : 0; /* 1: playing */
	vox_mirror_write_end(e);
}

void dp_leg_set_tag(struct dp_lcore *lc, struct dp_leg *leg, const uint8_t tag[16])
{
	memcpy(leg->tag, tag, sizeof(leg->tag));
	leg_mirror_write(lc, leg);
}

void dp_leg_set_state(struct dp_lcore *lc, struct dp_leg *leg, uint8_t state)
{
	leg->state = state;
	leg_mirror_write(lc, leg);
}

static void dp_timer_fire(void *ctx, uint32_t kind, uint64_t arg)
{
	struct dp_lcore *lc = ctx;
	if (kind != DP_TIMER_LEG_DEADLINE) {
		if (lc->sip)
			dp_sip_timer(lc, kind, arg);
		return;
	}
	switch (kind) {
	case DP_TIMER_LEG_DEADLINE: {
		struct dp_leg *leg = &lc->legs[arg];
		leg->deadline_tw = 0;
		if (leg->state != VOX_LEG_FREE && !leg->free_after_emit) {
			lc->st->legs_deadline++;
			leg_end_by_deadline(lc, leg);
		}
		break;
	}
	}
}

/* Advance the worker's timer wheel to now (a leg ends at its deadline with cause TIME_LIMIT
 * even when control is away). Bounded per call; the rest fire on the next turn. */
void dp_legs_run_timers(struct dp_lcore *lc, uint64_t now_ns)
{
	tw_advance(&lc->tw, now_ns / 1000000u, dp_timer_fire, lc, 4096);
}

/*
 * A new control attached (ctl.generation changed): every live leg whose latest state event
 * was not acknowledged is sent again (REEMIT) so the newcomer learns it even if its
 * predecessor dequeued the record and died before handling it.
 */
void dp_legs_reemit_unacked(struct dp_lcore *lc)
{
	uint64_t acked = atomic_load_explicit(&lc->ctl->acked_seq[lc->widx], memory_order_acquire);
	for (uint32_t i = 0; i < lc->max_legs; i++) {
		struct dp_leg *leg = &lc->legs[i];
		if (leg->state == VOX_LEG_FREE || leg->pending_evt || !leg->last_state_evt ||
		    leg->last_state_seq <= acked)
			continue;
		leg->pending_evt = leg->last_state_evt;
		leg->pending_status = leg->last_status;
		leg_defer(lc, leg);
	}
}
