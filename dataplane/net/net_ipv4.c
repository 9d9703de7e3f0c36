/* SPDX-License-Identifier: BSD-3-Clause */
/* net_ipv4.c — IPv4 input validation, fragment handoff and L4 dispatch; header building. */
#include <string.h>

#include "net_priv.h"

/* The header's checksum from the values written, not by reading the 20 bytes back (a wide
 * reload right after narrow stores waits for them: no store-to-load forwarding). RFC 1071 sum of
 * the 16-bit words as they lie in memory; the checksum and fragment fields are 0. */
void net_ipv4_hdr_fill(struct net_ctx *c, struct rte_ipv4_hdr *ip, uint32_t dst, uint8_t proto,
                       uint16_t total_len)
{
	uint16_t len_be = rte_cpu_to_be_16(total_len), id_be = rte_cpu_to_be_16(c->ip_id);
	uint32_t src = c->ifc->ip;
	const uint8_t vt[2] = {RTE_IPV4_VHL_DEF, 0}, tp[2] = {NET_TTL, proto};
	uint16_t w_vt, w_tp;
	uint32_t s;

	memcpy(&w_vt, vt, 2);
	memcpy(&w_tp, tp, 2);
	s = (uint32_t)w_vt + len_be + id_be + w_tp + (src & 0xffff) + (src >> 16) + (dst & 0xffff) +
	    (dst >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = len_be;
	ip->packet_id = id_be;
	c->ip_id = (uint16_t)(c->ip_id + c->n_workers); /* lcores never share an id in flight */
	ip->fragment_offset = 0;
	ip->time_to_live = NET_TTL;
	ip->next_proto_id = proto;
	ip->hdr_checksum = (uint16_t)~s;
	ip->src_addr = src;
	ip->dst_addr = dst;
}

void net_ipv4_deliver(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out, uint64_t now,
                      struct net_burst_cnt *k, bool reasm)
{
	const struct rte_ipv4_hdr *ip =
	    rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);

	if (likely(ip->next_proto_id == IPPROTO_UDP))
		net_udp_input(c, m, out, k, reasm);
	else if (ip->next_proto_id == IPPROTO_ICMP)
		net_icmp_input(c, m, now);
	else
		net_drop(c, m, VOX_DROP_ip_proto);
}

/*
 * m: one segment, Ethernet header checked, l2_len set. Every header field is read only after
 * the length check that covers it; Ethernet padding beyond the total length is trimmed so that
 * later stages may trust the IP total length as the frame's extent.
 */
void net_ipv4_input(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out, uint64_t now,
                    struct net_burst_cnt *k)
{
	const struct rte_ipv4_hdr *ip;
	uint16_t len, hlen, tot, fo;
	uint64_t ol = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	len = rte_pktmbuf_data_len(m) - m->l2_len;
	if (unlikely(len < NET_IP_HLEN)) {
		net_drop(c, m, VOX_DROP_ip_short);
		return;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	if (unlikely((ip->version_ihl >> 4) != 4)) {
		net_drop(c, m, VOX_DROP_ip_version);
		return;
	}
	hlen = (uint16_t)((ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER);
	if (unlikely(hlen < NET_IP_HLEN || hlen > len)) {
		net_drop(c, m, VOX_DROP_ip_hdrlen);
		return;
	}
	tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tot < hlen || tot > len)) {
		net_drop(c, m, VOX_DROP_ip_len);
		return;
	}
	if (unlikely(ol == RTE_MBUF_F_RX_IP_CKSUM_BAD) ||
	    (ol != RTE_MBUF_F_RX_IP_CKSUM_GOOD && rte_raw_cksum(ip, hlen) != 0xffff)) {
		net_drop(c, m, VOX_DROP_ip_csum);
		return;
	}
	if (unlikely(ip->dst_addr != c->ifc->ip)) {
		net_drop(c, m, VOX_DROP_ip_not_us);
		return;
	}
	if (unlikely(net_ip_bad_peer(c, ip->src_addr))) {
		net_drop(c, m, VOX_DROP_ip_src);
		return;
	}
	if (tot < len)
		rte_pktmbuf_trim(m, len - tot);
	m->l3_len = hlen;

	fo = rte_be_to_cpu_16(ip->fragment_offset);
	if (likely((fo & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) == 0)) {
		net_ipv4_deliver(c, m, out, now, k, false);
		return;
	}

	/* a fragment: sane geometry here, the rest on its owner */
	k->frag_rx++;
	/* only UDP is reassembled (SIP above the MTU; the echo diagnostic); whether its port's
	 * class reassembles is decided once the datagram is whole */
	if (unlikely(ip->next_proto_id != IPPROTO_UDP)) {
		net_drop(c, m, VOX_DROP_frag_port);
		return;
	}
	{
		uint32_t plen = (uint32_t)tot - hlen;
		uint32_t off =
		    (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
		uint16_t o;

		if (unlikely(plen == 0 || off + plen > 65535u - hlen ||
		             ((fo & RTE_IPV4_HDR_MF_FLAG) && (plen & 7) != 0))) {
			net_drop(c, m, VOX_DROP_ip_len);
			return;
		}
		o = net_frag_owner(m, c->n_workers);
		if (unlikely(!net_out_push(out->frag[o], &out->n_frag[o], m)))
			net_drop(c, m, VOX_DROP_rx_out_full);
	}
}
