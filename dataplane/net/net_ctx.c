/* SPDX-License-Identifier: BSD-3-Clause */
/* net_ctx.c — creation and teardown of an lcore's net context, and its periodic work. */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "net_priv.h"

#define NET_FRAG_BUCKET_ENTRIES 8

RTE_LOG_REGISTER(net_logtype, voxplane.net, INFO);

int net_ctx_init(struct net_ctx *c, const struct net_iface *ifc, const struct net_cfg *cfg,
                 struct rte_mempool *pool, struct vox_stats_row *st, uint16_t queue_id,
                 uint16_t self, uint16_t n_workers, int socket)
{
	uint32_t max, slots, buckets;
	uint64_t frag_cycles;
	int rc = -ENOMEM;

	if (c == NULL || ifc == NULL || cfg == NULL || pool == NULL || st == NULL)
		return -EINVAL;
	if (cfg->arp_entries == 0 || cfg->arp_entries > (1u << 24) || cfg->arp_hold == 0 ||
	    cfg->arp_hold > 1024 || cfg->arp_retries > 254 || cfg->frag_flows == 0 ||
	    cfg->tsc_hz == 0 || n_workers == 0 || n_workers > VOX_MAX_WORKERS ||
	    self >= n_workers || ifc->mtu < 68 || ifc->ip == 0) {
		NET_LOG(ERR, "invalid configuration for worker %u", self);
		return -EINVAL;
	}

	memset(c, 0, sizeof(*c));
	c->ifc = ifc;
	c->st = st;
	c->pool = pool;
	c->queue_id = queue_id;
	c->self = self;
	c->n_workers = n_workers;
	c->cfg = *cfg;
	c->arp_timeout_tsc = net_ms_to_tsc(c, cfg->arp_timeout_ms);
	c->arp_retry_tsc = net_ms_to_tsc(c, cfg->arp_retry_ms);
	/* ids advance by n_workers from self: two lcores never pick the same id */
	c->ip_id = (uint16_t)(rte_rand_max(65536 / n_workers) * n_workers + self);

	max = rte_align32pow2(cfg->arp_entries);
	slots = max * 2;
	c->arp_max = max;
	c->arp_mask = slots - 1;
	c->arp = rte_zmalloc_socket("net_arp", sizeof(struct net_arp_entry) * slots,
	                            RTE_CACHE_LINE_SIZE, socket);
	c->arp_holdq = rte_zmalloc_socket("net_arp_hold",
	                                  sizeof(struct rte_mbuf *) * (size_t)slots * cfg->arp_hold,
	                                  RTE_CACHE_LINE_SIZE, socket);
	if (c->arp == NULL || c->arp_holdq == NULL)
		goto out;

	/* max_cycles 0 would expire everything at once: at least one tick */
	frag_cycles = RTE_MAX(net_ms_to_tsc(c, cfg->frag_timeout_ms), (uint64_t)1);
	buckets = rte_align32pow2((cfg->frag_flows + NET_FRAG_BUCKET_ENTRIES - 1) /
	                          NET_FRAG_BUCKET_ENTRIES * 2);
	c->frag_tbl = rte_ip_frag_table_create(buckets, NET_FRAG_BUCKET_ENTRIES, cfg->frag_flows,
	                                       frag_cycles, socket);
	if (c->frag_tbl == NULL)
		goto out;
	return 0;
out:
	NET_LOG(ERR, "worker %u: no memory for the ARP (%u slots) or reassembly (%u flows) table",
	        self, slots, cfg->frag_flows);
	rte_free(c->arp);
	rte_free(c->arp_holdq);
	memset(c, 0, sizeof(*c));
	return rc;
}

void net_ctx_fini(struct net_ctx *c)
{
	uint16_t i;

	if (c == NULL || c->ifc == NULL)
		return;
	for (i = 0; i < c->txq_n; i++)
		rte_pktmbuf_free(c->txq[i]);
	c->txq_n = 0;
	if (c->arp != NULL)
		net_arp_flush_all(c);
	net_frag_fini(c);
	rte_free(c->arp);
	rte_free(c->arp_holdq);
	memset(c, 0, sizeof(*c));
}

void net_timer(struct net_ctx *c, uint64_t now_tsc)
{
	net_arp_timer(c, now_tsc);
	net_frag_timer(c, now_tsc);
}
