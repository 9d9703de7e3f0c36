/* SPDX-License-Identifier: BSD-3-Clause */
/* net_eth.c — the input burst: Ethernet checks and dispatch to ARP and IPv4. */
#include <rte_prefetch.h>

#include "net_priv.h"

#define NET_PREFETCH 4 /* packets ahead whose first data line is prefetched */

/* Make a chained frame one segment, in place (its first segment must have the tailroom).
 * Returns false when it does not fit. */
bool net_linearize(struct rte_mbuf *m)
{
	if (likely(m->nb_segs == 1))
		return true;
	return rte_pktmbuf_linearize(m) == 0;
}

static inline bool net_eth_dst_ok(const struct net_ctx *c, const struct rte_ether_addr *d)
{
	return rte_is_same_ether_addr(d, &c->ifc->mac) || rte_is_broadcast_ether_addr(d);
}

/*
 * The per-frame worker. Our own MAC as source is accepted on purpose: the kernel side of a
 * tap has the same MAC as the port.
 */
static inline void net_input_one(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out,
                                 uint64_t now, struct net_burst_cnt *k)
{
	const struct rte_ether_hdr *eh;

	if (unlikely(!net_linearize(m))) {
		net_drop(c, m, VOX_DROP_eth_seg);
		return;
	}
	if (unlikely(rte_pktmbuf_data_len(m) < NET_ETH_HLEN)) {
		net_drop(c, m, VOX_DROP_eth_short);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!net_eth_dst_ok(c, &eh->dst_addr))) {
		net_drop(c, m, VOX_DROP_eth_dst);
		return;
	}
	m->l2_len = NET_ETH_HLEN;
	if (likely(eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)))
		net_ipv4_input(c, m, out, now, k);
	else if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		net_arp_input(c, m, out, now);
	else
		net_drop(c, m, VOX_DROP_eth_type);
}

uint16_t net_input_burst(struct net_ctx *c, struct rte_mbuf **pkts, uint16_t n,
                         struct net_rx_out *out, uint64_t now_tsc)
{
	struct net_burst_cnt k = {0};
	uint16_t i;

	for (i = 0; i < n && i < NET_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	/* 4-wide: prefetch the next four frames' headers while handling these four */
	for (i = 0; i + 4 <= n; i += 4) {
		if (i + 8 <= n) {
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 5], void *));
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 6], void *));
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 7], void *));
		} else {
			for (uint16_t j = i + 4; j < n; j++)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[j], void *));
		}
		net_input_one(c, pkts[i], out, now_tsc, &k);
		net_input_one(c, pkts[i + 1], out, now_tsc, &k);
		net_input_one(c, pkts[i + 2], out, now_tsc, &k);
		net_input_one(c, pkts[i + 3], out, now_tsc, &k);
	}
	for (; i < n; i++)
		net_input_one(c, pkts[i], out, now_tsc, &k);

	c->st->udp_rx += k.udp_rx;
	c->st->frag_rx += k.frag_rx;
	return n;
}
