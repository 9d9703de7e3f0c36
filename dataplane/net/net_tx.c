/* SPDX-License-Identifier: BSD-3-Clause */
/* net_tx.c — IPv4 output (next hop, ARP, fragmentation, Ethernet header), ARP frames, TX burst. */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "net_priv.h"

#define NET_ETH_MIN_FRAME 60 /* without FCS: short frames are padded */

int net_arp_send(struct net_ctx *c, uint16_t op, const struct rte_ether_addr *tha, uint32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *a;
	char *p;

	if (unlikely(m == NULL)) {
		vox_stats_drop(c->st, VOX_DROP_no_mbuf, 1);
		return -ENOBUFS;
	}
	p = rte_pktmbuf_append(m, NET_ETH_MIN_FRAME);
	if (unlikely(p == NULL)) {
		net_drop(c, m, VOX_DROP_no_mbuf);
		return -ENOBUFS;
	}
	memset(p, 0, NET_ETH_MIN_FRAME);
	eh = (struct rte_ether_hdr *)p;
	a = (struct rte_arp_hdr *)(eh + 1);
	if (op == RTE_ARP_OP_REQUEST)
		memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	else
		rte_ether_addr_copy(tha, &eh->dst_addr);
	rte_ether_addr_copy(&c->ifc->mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = sizeof(uint32_t);
	a->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&c->ifc->mac, &a->arp_data.arp_sha);
	a->arp_data.arp_sip = c->ifc->ip;
	if (tha != NULL && op == RTE_ARP_OP_REPLY)
		rte_ether_addr_copy(tha, &a->arp_data.arp_tha);
	a->arp_data.arp_tip = tip;
	net_tx_enqueue(c, m);
	if (op == RTE_ARP_OP_REQUEST)
		c->st->arp_req_tx++;
	else
		c->st->arp_rep_tx++;
	return 0;
}

int net_ip_output(struct net_ctx *c, struct rte_mbuf *m, uint64_t now_tsc)
{
	struct rte_mbuf *frags[NET_FRAG_OUT_MAX];
	const struct rte_ipv4_hdr *ip;
	struct net_arp_entry *e;
	uint32_t dst, nh, nfr = 1;
	uint16_t tot, hlen;
	int n, i;
	bool resolved;

	if (unlikely(rte_pktmbuf_data_len(m) < NET_IP_HLEN)) {
		net_drop(c, m, VOX_DROP_tx_bad);
		return -EINVAL;
	}
	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	hlen = rte_ipv4_hdr_len(ip);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(hlen < NET_IP_HLEN || hlen > rte_pktmbuf_data_len(m) || tot < hlen ||
	             tot != rte_pktmbuf_pkt_len(m))) {
		net_drop(c, m, VOX_DROP_tx_bad);
		return -EINVAL;
	}
	dst = ip->dst_addr;
	nh = net_on_link(c, dst) ? dst : c->ifc->gateway;
	if (unlikely(nh == 0 || net_ip_bad_peer(c, dst) || net_ip_bad_peer(c, nh))) {
		net_drop(c, m, VOX_DROP_no_route);
		return -ENETUNREACH;
	}
	e = net_arp_resolve(c, nh, now_tsc);
	if (unlikely(e == NULL)) {
		net_drop(c, m, VOX_DROP_arp_table_full);
		return -ENOSPC;
	}
	resolved = e->state == NET_ARP_RESOLVED;
	if (unlikely(tot > c->ifc->mtu))
		nfr = net_frag_count(c, tot, hlen);
	/* all fragments of a datagram are held, or none: half a datagram is useless */
	if (unlikely(!resolved && e->n_held + nfr > c->cfg.arp_hold)) {
		net_drop(c, m, VOX_DROP_arp_hold_full);
		return -ENOSPC;
	}
	if (likely(nfr == 1)) {
		frags[0] = m;
		n = 1;
	} else {
		n = net_frag_output(c, m, frags);
		if (unlikely(n < 0)) {
			net_drop(c, m, VOX_DROP_frag_out);
			return n;
		}
		c->st->frag_tx += (uint64_t)n;
	}
	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eh;

		eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(frags[i], NET_ETH_HLEN);
		if (unlikely(eh == NULL)) {
			net_drop(c, frags[i], VOX_DROP_tx_bad);
			continue;
		}
		frags[i]->l2_len = NET_ETH_HLEN;
		rte_ether_addr_copy(&c->ifc->mac, &eh->src_addr);
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		if (likely(resolved)) {
			rte_ether_addr_copy(&e->mac, &eh->dst_addr);
			net_tx_enqueue(c, frags[i]);
		} else {
			net_arp_hold(c, e, frags[i]);
		}
	}
	return 0;
}

uint16_t net_tx_flush(struct net_ctx *c)
{
	uint16_t n = c->txq_n, sent, i;
	uint64_t bytes = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(c->txq[i]);
	sent = rte_eth_tx_burst(c->ifc->port_id, c->queue_id, c->txq, n);
	for (i = sent; i < n; i++) {
		bytes -= rte_pktmbuf_pkt_len(c->txq[i]);
		net_drop(c, c->txq[i], VOX_DROP_tx_full);
	}
	c->txq_n = 0;
	c->st->tx_pkts += sent;
	c->st->tx_bytes += bytes;
	return sent;
}
