/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_worker.c — the worker lcore loop: RX burst, classify, service dispatch, handoff, housekeeping. */
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "dp_bridge.h"
#include "dp_lcore.h"
#include "dp_sip.h"

/*
 * One turn: RX burst -> net_input_burst (ARP/ICMP answered, drops counted) -> fragments to
 * their reassembly owner -> UDP services by class (the echo service hashes its flow to an
 * owner to exercise the cross-lcore path the SIP and RTP services use) -> handoff rings in ->
 * TX flush. Every DP_HK_EVERY turns, or when idle: control commands, deferred state events,
 * deadlines, ARP/reassembly timers, epoch publication, control wake-up.
 * In adaptive mode an idle worker spins idle_spin empty turns, then sleeps with exponential
 * back-off up to idle_sleep_max_us, so it wakes within that bound of new traffic.
 */

static inline void out_reset(struct net_rx_out *o, uint16_t n_workers)
{
	for (int k = 0; k < NET_CLASS__MAX; k++)
		o->n_class[k] = 0;
	for (uint16_t w = 0; w < n_workers; w++)
		o->n_frag[w] = 0;
	o->n_arp_share = 0;
}

static inline uint16_t echo_owner(const struct dp_lcore *lc, const struct rte_mbuf *m)
{
	uint32_t h = rte_hash_crc_4byte(net_udp_src_ip(m), net_udp_src_port(m));
	return (uint16_t)(h % lc->n_workers);
}

static void dispatch_classes(struct dp_lcore *lc, struct net_rx_out *o, uint64_t now, bool handed)
{
	for (uint16_t i = 0; i < o->n_class[NET_CLASS_ECHO]; i++) {
		struct rte_mbuf *m = o->cls[NET_CLASS_ECHO][i];
		uint16_t owner = handed ? lc->widx : echo_owner(lc, m);
		if (owner != lc->widx) {
			dp_handoff_put(lc, owner, m, NET_HANDOFF_CLASS_BASE + NET_CLASS_ECHO);
			continue;
		}
		net_udp_reply(&lc->net, m, now); /* counts udp_echo */
	}
	/* SIP: the call's owner is a function of the message (dp_sip.h) */
	for (uint16_t i = 0; i < o->n_class[NET_CLASS_SIP]; i++) {
		struct rte_mbuf *m = o->cls[NET_CLASS_SIP][i];
		if (!handed) {
			uint32_t hl = m->l2_len + m->l3_len + m->l4_len;
			uint16_t owner = dp_sip_owner(lc, rte_pktmbuf_mtod_offset(m, const char *, hl),
						      rte_pktmbuf_data_len(m) - hl);
			if (owner != lc->widx) {
				dp_handoff_put(lc, owner, m, NET_HANDOFF_CLASS_BASE + NET_CLASS_SIP);
				continue;
			}
		}
		dp_sip_input(lc, m, now);
	}
	/* RTP/RTCP: the port names the owner (dp_rtp_port_owner), no lookup */
	const uint32_t pmin = lc->ctx->cfg.rtp_port_min;
	dp_bridge_prefetch_rx(lc, o->cls[NET_CLASS_RTP], o->n_class[NET_CLASS_RTP]);
	for (uint16_t i = 0; i < o->n_class[NET_CLASS_RTP]; i++) {
		struct rte_mbuf *m = o->cls[NET_CLASS_RTP][i];
		if (!handed) {
			const struct rte_udp_hdr *u =
				rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l2_len + m->l3_len);
			uint32_t k = (rte_be_to_cpu_16(u->dst_port) - pmin) / 2u; /* dp_rtp_port_owner */
			uint16_t owner = (uint16_t)(k - dp_div_workers(lc, k) * lc->n_workers);
			if (owner != lc->widx) {
				dp_handoff_put(lc, owner, m, NET_HANDOFF_CLASS_BASE + NET_CLASS_RTP);
				continue;
			}
		}
		dp_rtp_input(lc, m, now);
	}
}

static void dispatch(struct dp_lcore *lc, struct net_rx_out *o, uint64_t now)
{
	/* fragments first: reassembly appends whole datagrams to o->cls */
	for (uint16_t w = 0; w < lc->n_workers; w++) {
		for (uint16_t i = 0; i < o->n_frag[w]; i++) {
			if (w == lc->widx)
				net_frag_input(&lc->net, o->frag[w][i], o, now);
			else
				dp_handoff_put(lc, w, o->frag[w][i], NET_HANDOFF_FRAG);
		}
	}
	/* ARP learned here is learned everywhere: one reference per other worker */
	for (uint16_t i = 0; i < o->n_arp_share; i++) {
		struct rte_mbuf *m = o->arp_share[i];
		if (lc->n_workers < 2) {
			rte_pktmbuf_free(m);
			continue;
		}
		rte_pktmbuf_refcnt_update(m, (int16_t)(lc->n_workers - 2));
		for (uint16_t w = 0; w < lc->n_workers; w++)
			if (w != lc->widx)
				dp_handoff_put(lc, w, m, NET_HANDOFF_ARP);
	}
	dispatch_classes(lc, o, now, false);
}

void dp_worker_turn_rx(struct dp_lcore *lc, struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	struct net_rx_out o;
	uint64_t bytes = 0;
	lc->now_tsc = now;
	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	/* RX is counted here; TX by net_tx_flush (it also flushes when its buffer fills) */
	lc->st->rx_pkts += n;
	lc->st->rx_bytes += bytes;
	out_reset(&o, lc->n_workers);
	net_input_burst(&lc->net, pkts, n, &o, now);
	dispatch(lc, &o, now);
}

uint16_t dp_handoff_poll(struct dp_lcore *lc, uint64_t now)
{
	uint16_t total = 0;
	for (uint16_t s = 0; s < lc->n_workers; s++) {
		if (s == lc->widx)
			continue;
		struct rte_mbuf *pkts[DP_BURST];
		unsigned int n = rte_ring_sc_dequeue_burst(lc->ho_in[s], (void **)pkts, DP_BURST, NULL);
		if (!n)
			continue;
		total += n;
		lc->st->handoff_rx += n;
		struct net_rx_out o;
		struct rte_mbuf *br[DP_BURST];
		uint16_t n_br = 0;
		out_reset(&o, lc->n_workers);
		for (unsigned int i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			uint32_t kind = m->hash.usr;
			if (kind == NET_HANDOFF_FRAG) {
				net_frag_input(&lc->net, m, &o, now);
			} else if (kind == NET_HANDOFF_ARP) {
				net_arp_learn(&lc->net, m, now);
			} else if (kind == NET_HANDOFF_BRIDGE) {
				br[n_br++] = m; /* relayed RTP: as one burst below */
			} else if (kind == NET_HANDOFF_BRIDGE_CTL) {
				dp_bridge_ctl_input(lc, m);
			} else if (kind > NET_HANDOFF_CLASS_BASE && kind < NET_HANDOFF_CLASS_BASE + NET_CLASS__MAX) {
				uint32_t k = kind - NET_HANDOFF_CLASS_BASE;
				o.cls[k][o.n_class[k]++] = m;
			} else {
				vox_stats_drop(lc->st, VOX_DROP_udp_port, 1);
				rte_pktmbuf_free(m);
			}
		}
		dispatch_classes(lc, &o, now, true);
		if (n_br)
			dp_bridge_tx_burst(lc, br, n_br, now);
	}
	return total;
}

static void housekeeping(struct dp_lcore *lc, uint64_t now)
{
	lc->now_tsc = now;
	dp_ctl_poll(lc, now);
	dp_play_tick(lc, now);
	if (now >= lc->next_timer_tsc) {
		net_timer(&lc->net, now);
		lc->next_timer_tsc = now + lc->tsc_hz / 1000;
	}
	dp_ctl_wake(lc);
	/* quiescent point: nothing from the media pool is held across it (seq_cst: control's
	 * retirement check reads epochs after its own stores) */
	atomic_fetch_add_explicit(&lc->pub->epoch, 1, memory_order_seq_cst);
	atomic_store_explicit(&lc->pub->loop_ns, dp_now_ns(lc, now), memory_order_relaxed);
}

static void idle_sleep(uint32_t us)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)us * 1000};
	nanosleep(&ts, NULL); /* fastpath-ok: adaptive idle, only after idle_spin empty turns */
}

int dp_worker_main(void *arg)
{
	struct dp_lcore *lc = arg;
	struct dp_ctx *ctx = lc->ctx;
	const bool adaptive = ctx->cfg.poll_mode == DP_POLL_ADAPTIVE;
	const uint32_t spin = ctx->cfg.idle_spin, sleep_max = ctx->cfg.idle_sleep_max_us;
	uint32_t empty = 0, sleep_us = 0, turn = 0;
	struct rte_mbuf *pkts[DP_BURST];

	dp_ctl_init(lc);
	while (!atomic_load_explicit(&ctx->stop, memory_order_relaxed)) {
		uint64_t now = rte_rdtsc();
		uint16_t n = rte_eth_rx_burst(lc->port_id, lc->queue_id, pkts, DP_BURST);
		lc->st->loops++;
		if (n)
			dp_worker_turn_rx(lc, pkts, n, now);
		uint16_t h = dp_handoff_poll(lc, now);
		net_tx_flush(&lc->net);
		dp_handoff_flush(lc);

		if (n || h) {
			empty = 0;
			sleep_us = 0;
			if (++turn % DP_HK_EVERY == 0)
				housekeeping(lc, now);
			continue;
		}
		/* idle turn: housekeeping now, so control work does not wait behind traffic pauses */
		housekeeping(lc, now);
		net_tx_flush(&lc->net);
		if (!adaptive || ++empty < spin)
			continue;
		sleep_us = sleep_us ? sleep_us * 2 : 10;
		if (sleep_us > sleep_max)
			sleep_us = sleep_max;
		lc->st->idle_sleeps++;
		idle_sleep(sleep_us);
	}
	net_tx_flush(&lc->net);
	return 0;
}
