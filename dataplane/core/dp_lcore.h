/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_lcore.h — per-worker state (struct dp_lcore) and the process-wide read-only context. */
#ifndef DP_LCORE_H
#define DP_LCORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp_config.h"
#include "net.h"
#include "tw.h"

struct dp_sip;
#include "vox_layout.h"

#define DP_BURST 32
#define DP_HK_EVERY 16 /* housekeeping every this many loop turns (or when idle) */

/* A leg as its owning worker sees it. Private to the worker; mirrored into shm. */
struct dp_leg {
	/* what a packet's leg lookup reads (dp_leg_lookup, dp_rtp_input): the first 8 bytes, so
	   never split across two cache lines (the struct is 88 bytes, a multiple of 8) */
	uint32_t gen;          /* generation of this slot's current (or last) leg */
	uint8_t state;         /* enum vox_leg_state */
	uint8_t kind;          /* enum vox_leg_kind */
	uint8_t free_after_emit; /* slot returns to the free list once pending_evt is out */
	uint8_t deferred;      /* in the FIFO */
	uint16_t pending_evt;  /* state event still to be emitted (0 = none) */
	uint16_t last_state_evt; /* type of the latest state event (for re-emission) */
	int32_t pending_status;
	uint32_t account_idx;
	uint32_t defer_next;   /* next slot in the deferred-event FIFO (UINT32_MAX = end) */
	int32_t last_status;
	uint64_t req_id;       /* control request that created it */
	uint64_t last_state_seq; /* event sequence number of the latest state event sent */
	uint64_t deadline_ns;  /* CLOCK_REALTIME; 0 = none */
	uint64_t created_ns;
	tw_handle_t deadline_tw; /* armed deadline timer, 0 = none */
	uint8_t tag[16];
};
_Static_assert(offsetof(struct dp_leg, free_after_emit) < 8 && sizeof(struct dp_leg) % 8 == 0,
	       "a leg lookup reads one cache line");

/* Timer kinds on the worker's wheel (ticks are CLOCK_REALTIME milliseconds). */
enum dp_timer_kind {
	DP_TIMER_LEG_DEADLINE = 1, /* arg = slot */
	DP_TIMER_SIP_DECIDE = 2,   /* arg = handle: control did not decide on an offered leg */
	DP_TIMER_SIP_RING = 3,     /* arg = handle: an outbound leg was not answered in time */
	DP_TIMER_TXN_BASE = 16,    /* .. + TXN_TIMER_KINDS: the transaction layer's timers */
};

/* A state event for which no leg exists (creation failed): bounded FIFO. */
struct dp_orphan_evt {
	uint16_t type;
	int32_t status;
	uint64_t req_id;
	uint8_t tag[16];
};
#define DP_ORPHAN_MAX 256

/* Process-wide context: written during start-up, read-only while workers run (except `stop`). */
struct dp_ctx {
	struct dp_cfg cfg;
	struct vox_names *names;
	struct vox_shm_map shm;
	struct net_iface ifc;
	struct rte_mempool *pool;
	struct rte_mempool *big_pool; /* reassembled datagrams: carrier INVITEs above the MTU */
	struct rte_mempool *store_pool; /* SIP messages kept for retransmission: apart from the RX
					   pool, so lingering transactions can never starve RX */
	uint16_t port_id;
	uint16_t n_workers;
	int efd;       /* eventfd that wakes control */
	uint64_t tick_epoch_tsc; /* every lcore's 20 ms media tick is aligned to this TSC */
	uint64_t tsc_hz;
	_Atomic int stop;
	struct dp_lcore *workers[VOX_MAX_WORKERS];
};

/* Per worker lcore; cache aligned; written only by its own lcore. */
struct dp_lcore {
	/* hot: packet path */
	struct net_ctx net;
	struct vox_stats_row *st;
	uint16_t widx;     /* worker index */
	uint16_t n_workers;
	uint16_t port_id;
	uint16_t queue_id;
	unsigned int lcore_id;
	struct dp_ctx *ctx;

	/* handoff: ho_out[dst] is the SPSC ring self->dst, ho_in[src] src->self */
	struct rte_ring *ho_out[VOX_MAX_WORKERS];
	struct rte_ring *ho_in[VOX_MAX_WORKERS];
	uint16_t ho_n[VOX_MAX_WORKERS];
	struct rte_mbuf *ho_buf[VOX_MAX_WORKERS][DP_BURST];

	/* control rings */
	struct rte_ring *cmd;
	struct rte_ring *evt;
	struct vox_shm_worker *pub;
	struct vox_shm_ctl *ctl;
	uint64_t evt_seq;
	uint32_t evt_sent_turn;  /* events sent since the last wake-up check */
	uint64_t seen_ctl_gen;

	/* legs */
	struct dp_leg *legs;
	uint32_t max_legs;
	uint32_t *free_slots;
	uint32_t n_free;
	uint32_t legs_active;
	uint32_t defer_head, defer_tail, n_deferred;
	struct tw tw; /* timers: deadlines now, SIP transactions next */
	struct vox_leg_mirror *mirror; /* this worker's mirror entries */
	struct dp_orphan_evt orphans[DP_ORPHAN_MAX];
	uint32_t orphan_head, orphan_n;
	uint32_t node_id;

	/* SIP service (dp_sip.c); NULL in unit tests of the leg table alone */
	struct dp_sip *sip;
	uint64_t now_tsc; /* TSC of the current turn */

	/* time */
	uint64_t tsc_hz;
	uint64_t next_timer_tsc;
	uint64_t realtime_base_ns; /* CLOCK_REALTIME at tsc_base */
	uint64_t mono_base_ns;     /* CLOCK_MONOTONIC at tsc_base */
	uint64_t tsc_base;
	uint64_t nw_mul;   /* ceil(2^32 / n_workers), for dp_div_workers (0: divide) */

	/* scratch for one command record */
	_Alignas(64) unsigned char cmdbuf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
} __rte_cache_aligned;

/* k / n_workers without a division on the packet path (RTP port pair -> slot and owner):
 * (k * ceil(2^32 / n)) >> 32 is exact when k * n < 2^32, so for any k below 2^16. */
static inline uint32_t dp_div_workers(const struct dp_lcore *lc, uint32_t k)
{
	if (likely(k <= 0xffffu && lc->nw_mul != 0))
		return (uint32_t)((k * lc->nw_mul) >> 32);
	return k / lc->n_workers;
}

/* Wall-clock ns derived from the TSC (no syscall). */
static inline uint64_t dp_now_ns(const struct dp_lcore *lc, uint64_t tsc)
{
	uint64_t d = tsc - lc->tsc_base;
	return lc->realtime_base_ns + (uint64_t)((__uint128_t)d * 1000000000u / lc->tsc_hz);
}

/* CLOCK_MONOTONIC ns derived from the TSC (control's heartbeat is in this clock). */
static inline uint64_t dp_mono_ns(const struct dp_lcore *lc, uint64_t tsc)
{
	return dp_now_ns(lc, tsc) - lc->realtime_base_ns + lc->mono_base_ns;
}

/* dp_setup.c: TSC ticks per second measured against CLOCK_MONOTONIC (start-up only, ~180 ms).
 * rte_get_tsc_hz() may be the CPU's nominal frequency, which a VM's firmware can report wrong
 * (seen: 2.6 GHz for a TSC counting 2.596 GHz, 1500 ppm): every TSC-derived timestamp (events,
 * answer times, timers) then drifts from the wall clock by that much (1.5 ms per second of
 * uptime). A measure more than 2 % away from eal_hz (a stalled VM) returns eal_hz. */
uint64_t dp_tsc_hz_measure(uint64_t eal_hz);

/* dp_setup.c: one worker's state, at start-up */
int dp_lcore_create(struct dp_ctx *ctx, uint16_t w, unsigned int lcore, struct dp_lcore **out);

/* dp_worker.c */
int dp_worker_main(void *arg);
void dp_worker_turn_rx(struct dp_lcore *lc, struct rte_mbuf **pkts, uint16_t n, uint64_t now);

/* dp_handoff.c */
int dp_handoff_setup(struct dp_ctx *ctx);
void dp_handoff_put(struct dp_lcore *lc, uint16_t dst, struct rte_mbuf *m, uint32_t kind);
void dp_handoff_flush(struct dp_lcore *lc);
uint16_t dp_handoff_poll(struct dp_lcore *lc, uint64_t now);

/* dp_ctl.c */
void dp_ctl_init(struct dp_lcore *lc);
uint32_t dp_ctl_poll(struct dp_lcore *lc, uint64_t now_tsc);
int dp_ctl_emit(struct dp_lcore *lc, struct vox_rec_hdr *h, const void *payload, uint32_t len);
void dp_ctl_wake(struct dp_lcore *lc);
void dp_ctl_stale(struct dp_lcore *lc, const struct vox_rec_hdr *cmd);
void dp_ctl_bad(struct dp_lcore *lc, const struct vox_rec_hdr *cmd, int err);
int dp_ctl_alive(const struct dp_lcore *lc, uint64_t mono_ns, uint32_t stale_ms);

/* dp_legs.c */
int dp_legs_init(struct dp_lcore *lc, uint32_t max_legs, uint64_t seed, int socket);
struct dp_leg *dp_leg_lookup(struct dp_lcore *lc, vox_handle_t h);
vox_handle_t dp_leg_handle(const struct dp_lcore *lc, const struct dp_leg *leg);
struct dp_leg *dp_leg_alloc(struct dp_lcore *lc, uint32_t kind, uint64_t req_id, const uint8_t tag[16],
			    uint32_t account_idx, uint64_t now_ns);
void dp_leg_state_event(struct dp_lcore *lc, struct dp_leg *leg, uint16_t type, int32_t status);
void dp_leg_end(struct dp_lcore *lc, struct dp_leg *leg, int32_t cause);
/* Like dp_leg_end, but the terminal event is `type` (LEG_FAILED for a call never answered). */
void dp_leg_end_evt(struct dp_lcore *lc, struct dp_leg *leg, uint16_t type, int32_t status);
void dp_leg_set_state(struct dp_lcore *lc, struct dp_leg *leg, uint8_t state);
void dp_leg_set_tag(struct dp_lcore *lc, struct dp_leg *leg, const uint8_t tag[16]);
void dp_leg_mirror_tx(struct dp_lcore *lc, struct dp_leg *leg, uint32_t rtp_tx);
void dp_leg_mirror_quality(struct dp_lcore *lc, struct dp_leg *leg, uint32_t rtp_rx, uint32_t lost,
			   uint32_t jitter_us);
void dp_leg_set_deadline(struct dp_lcore *lc, struct dp_leg *leg, uint64_t deadline_ns, uint32_t account_idx);
void dp_legs_flush_deferred(struct dp_lcore *lc);
void dp_legs_reemit_unacked(struct dp_lcore *lc);
void dp_legs_run_timers(struct dp_lcore *lc, uint64_t now_ns);
void dp_orphan_event(struct dp_lcore *lc, uint16_t type, int32_t status, uint64_t req_id, const uint8_t tag[16]);

#endif /* DP_LCORE_H */
