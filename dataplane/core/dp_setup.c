/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_setup.c — building one worker's state (start-up only): used by the process and benchmarks. */
#include <errno.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp_lcore.h"
#include "dp_sip.h"

/* the median of three 60 ms windows, each end a clock read between two TSC reads */
uint64_t dp_tsc_hz_measure(uint64_t eal_hz)
{
	uint64_t hz[3];
	for (int r = 0; r < 3; r++) {
		struct timespec a, b;
		uint64_t a0 = rte_rdtsc();
		clock_gettime(CLOCK_MONOTONIC, &a);
		uint64_t a1 = rte_rdtsc();
		struct timespec nap = {.tv_nsec = 60000000};
		nanosleep(&nap, NULL);
		uint64_t b0 = rte_rdtsc();
		clock_gettime(CLOCK_MONOTONIC, &b);
		uint64_t b1 = rte_rdtsc();
		int64_t ns = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
		uint64_t ticks = (b0 + b1) / 2 - (a0 + a1) / 2;
		hz[r] = ns > 0 ? (uint64_t)((__uint128_t)ticks * 1000000000u / (uint64_t)ns) : eal_hz;
	}
	uint64_t lo = hz[0] < hz[1] ? hz[0] : hz[1], hi = hz[0] < hz[1] ? hz[1] : hz[0];
	uint64_t med = hz[2] < lo ? lo : hz[2] > hi ? hi : hz[2];
	/* a measure far off (a stalled VM) is worse than the EAL's: keep the EAL's beyond 2 % */
	return med > eal_hz / 50 * 49 && med < eal_hz / 50 * 51 ? med : eal_hz;
}

int dp_lcore_create(struct dp_ctx *ctx, uint16_t w, unsigned int lcore, struct dp_lcore **out)
{
	struct vox_stats_block *blk = vox_shm_stats(&ctx->shm);
	struct net_cfg ncfg = {
		.arp_entries = ctx->cfg.arp_entries,
		.arp_timeout_ms = ctx->cfg.arp_timeout_ms,
		.arp_retry_ms = ctx->cfg.arp_retry_ms,
		.arp_retries = ctx->cfg.arp_retries,
		.arp_hold = ctx->cfg.arp_hold,
		.frag_flows = ctx->cfg.frag_flows,
		.frag_timeout_ms = ctx->cfg.frag_timeout_ms,
		.tsc_hz = ctx->tsc_hz,
	};
	struct timespec rt, mt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	int sock = (int)rte_lcore_to_socket_id(lcore);
	struct dp_lcore *lc = rte_zmalloc_socket("dp_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, sock);
	if (!lc)
		return -ENOMEM;
	lc->ctx = ctx;
	lc->widx = w;
	lc->n_workers = ctx->n_workers;
	lc->nw_mul = ((1ull << 32) + ctx->n_workers - 1) / ctx->n_workers;
	lc->lcore_id = lcore;
	lc->port_id = ctx->port_id;
	lc->queue_id = w;
	lc->node_id = ctx->cfg.node_id;
	lc->st = vox_stats_row(blk, w);
	blk->row_lcore[w] = lcore;
	lc->cmd = vox_shm_cmd_ring(&ctx->shm, w);
	lc->evt = vox_shm_evt_ring(&ctx->shm, w);
	lc->pub = &ctx->shm.hdr->worker[w];
	lc->ctl = &ctx->shm.hdr->ctl;
	atomic_store(&lc->pub->lcore_id, lcore);
	lc->mirror = vox_shm_mirror(&ctx->shm, w, 0);
	lc->tsc_hz = ctx->tsc_hz;
	lc->tsc_base = rte_rdtsc();
	lc->realtime_base_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec;
	lc->mono_base_ns = (uint64_t)mt.tv_sec * 1000000000ull + (uint64_t)mt.tv_nsec;
	int rc = net_ctx_init(&lc->net, &ctx->ifc, &ncfg, ctx->pool, lc->st, w, w, ctx->n_workers, sock);
	if (rc)
		return rc;
	lc->net.big_pool = ctx->big_pool;
	rc = dp_legs_init(lc, ctx->cfg.max_legs, ctx->shm.hdr->boot_id ^ ((uint64_t)w << 40), sock);
	if (!rc)
		rc = dp_sip_init(lc, sock);
	if (rc)
		return rc;
	*out = lc;
	return 0;
}
