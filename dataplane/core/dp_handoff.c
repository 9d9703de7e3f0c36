/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_handoff.c — per-pair SPSC rings that carry packets to the lcore that owns them. */
#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include "dp_lcore.h"
#include "dp_log.h"

/*
 * Ownership replaces locks: a packet that arrives on a worker that does not own its call (or
 * its reassembly flow) is passed to the owner through the ring (src -> dst). Enqueues are
 * buffered per destination and flushed in bursts; a full ring is a counted drop. The reason a
 * packet travels is in m->hash.usr (enum net_handoff_kind).
 */

int dp_handoff_setup(struct dp_ctx *ctx)
{
	for (uint16_t s = 0; s < ctx->n_workers; s++)
		for (uint16_t d = 0; d < ctx->n_workers; d++) {
			if (s == d)
				continue;
			char name[RTE_RING_NAMESIZE];
			snprintf(name, sizeof(name), "ho_%u_%u", s, d);
			struct rte_ring *r = rte_ring_create(name, ctx->cfg.handoff_ring, rte_socket_id(),
							     RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (!r) {
				DP_ERR("handoff", "cannot create ring %s: %s", name, rte_strerror(rte_errno));
				return -ENOMEM;
			}
			ctx->workers[s]->ho_out[d] = r;
			ctx->workers[d]->ho_in[s] = r;
		}
	return 0;
}

static void handoff_flush_one(struct dp_lcore *lc, uint16_t dst)
{
	uint16_t n = lc->ho_n[dst];
	if (!n)
		return;
	unsigned int sent = rte_ring_sp_enqueue_burst(lc->ho_out[dst], (void **)lc->ho_buf[dst], n, NULL);
	lc->st->handoff_tx += sent;
	if (sent < n) {
		vox_stats_drop(lc->st, VOX_DROP_handoff_full, n - sent);
		rte_pktmbuf_free_bulk(&lc->ho_buf[dst][sent], n - sent);
	}
	lc->ho_n[dst] = 0;
}

void dp_handoff_put(struct dp_lcore *lc, uint16_t dst, struct rte_mbuf *m, uint32_t kind)
{
	m->hash.usr = kind;
	if (lc->ho_n[dst] == DP_BURST)
		handoff_flush_one(lc, dst);
	lc->ho_buf[dst][lc->ho_n[dst]++] = m;
}

void dp_handoff_flush(struct dp_lcore *lc)
{
	for (uint16_t d = 0; d < lc->n_workers; d++)
		if (d != lc->widx)
			handoff_flush_one(lc, d);
}
