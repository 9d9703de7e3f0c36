/* SPDX-License-Identifier: BSD-3-Clause */
/* net_icmp.c — ICMP: echo requests to our address are answered, everything else dropped. */
#include "net_priv.h"

#define NET_ICMP_HLEN ((uint16_t)sizeof(struct rte_icmp_hdr))

/*
 * m: whole datagram, one segment, trimmed, l2_len/l3_len set. The reply reuses m: the
 * Ethernet and IP headers (with any options) are cut off, a fresh 20-byte IP header is put in
 * front of the ICMP message and net_ip_output() resolves the peer's MAC from the ARP table.
 */
void net_icmp_input(struct net_ctx *c, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ih;
	struct rte_ipv4_hdr *rip;
	uint16_t l4len;
	uint32_t peer;

	l4len = (uint16_t)(rte_pktmbuf_data_len(m) - m->l2_len - m->l3_len);
	if (unlikely(l4len < NET_ICMP_HLEN)) {
		net_drop(c, m, VOX_DROP_icmp_short);
		return;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	ih = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, m->l2_len + m->l3_len);
	if (unlikely(rte_raw_cksum(ih, l4len) != 0xffff)) {
		net_drop(c, m, VOX_DROP_icmp_csum);
		return;
	}
	if (ih->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || ih->icmp_code != 0) {
		net_drop(c, m, VOX_DROP_icmp_type);
		return;
	}
	peer = ip->src_addr;

	ih->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ih->icmp_cksum = 0;
	ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, l4len);

	rte_pktmbuf_adj(m, (uint16_t)(m->l2_len + m->l3_len));
	rip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, NET_IP_HLEN);
	net_ipv4_hdr_fill(c, rip, peer, IPPROTO_ICMP, (uint16_t)(l4len + NET_IP_HLEN));
	m->l2_len = 0;
	m->l3_len = NET_IP_HLEN;
	m->l4_len = 0;
	if (net_ip_output(c, m, now) == 0)
		c->st->icmp_echo++;
}
