/* SPDX-License-Identifier: BSD-3-Clause */
/* net_udp.c — UDP input (validation, demux by destination port) and output. */
#include <errno.h>

#include "net_priv.h"

/* m: whole datagram, one segment, trimmed to the IP total length, l2_len/l3_len set. */
void net_udp_input(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out,
                   struct net_burst_cnt *k, bool reasm)
{
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *uh;
	uint16_t l4len, ulen;
	uint8_t cls;
	uint64_t ol = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	l4len = (uint16_t)(rte_pktmbuf_data_len(m) - m->l2_len - m->l3_len);
	if (unlikely(l4len < NET_UDP_HLEN)) {
		net_drop(c, m, VOX_DROP_udp_short);
		return;
	}
	uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l2_len + m->l3_len);
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (unlikely(ulen < NET_UDP_HLEN || ulen > l4len)) {
		net_drop(c, m, VOX_DROP_udp_len);
		return;
	}
	/* checksum 0: none. A reassembled datagram's checksum was never seen by the NIC. */
	if (uh->dgram_cksum != 0 && (reasm || ol != RTE_MBUF_F_RX_L4_CKSUM_GOOD)) {
		uint32_t s = net_phdr_sum(ip->src_addr, ip->dst_addr, IPPROTO_UDP, ulen);

		if ((!reasm && ol == RTE_MBUF_F_RX_L4_CKSUM_BAD) ||
		    net_fold(__rte_raw_cksum(uh, ulen, s)) != 0xffff) {
			net_drop(c, m, VOX_DROP_udp_csum);
			return;
		}
	}
	cls = c->ifc->port_class[rte_be_to_cpu_16(uh->dst_port)];
	if (unlikely(cls == NET_CLASS_NONE || cls >= NET_CLASS__MAX)) {
		net_drop(c, m, VOX_DROP_udp_port);
		return;
	}
	if (reasm && !c->ifc->class_reasm[cls]) {
		net_drop(c, m, VOX_DROP_frag_port);
		return;
	}
	/* bytes past the UDP length are not part of the datagram */
	if (ulen < l4len)
		rte_pktmbuf_trim(m, l4len - ulen);
	m->l4_len = NET_UDP_HLEN;
	if (unlikely(!net_out_push(out->cls[cls], &out->n_class[cls], m))) {
		net_drop(c, m, VOX_DROP_rx_out_full);
		return;
	}
	k->udp_rx++;
}

/* Headers for a payload whose ones' complement sum (16-bit words in memory order, RFC 1071) is
 * data_sum: no pass over the payload here. */
static int udp_out(struct net_ctx *c, struct rte_mbuf *m, uint16_t src_port, uint32_t dst_ip,
                   uint16_t dst_port, uint32_t data_sum, uint64_t now_tsc)
{
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *uh;
	uint32_t plen = rte_pktmbuf_pkt_len(m);
	uint16_t ulen, ck;

	if (unlikely(plen > 65535u - NET_IP_HLEN - NET_UDP_HLEN ||
	             rte_pktmbuf_headroom(m) < NET_ETH_HLEN + NET_IP_HLEN + NET_UDP_HLEN)) {
		net_drop(c, m, VOX_DROP_tx_bad);
		return -EINVAL;
	}
	ulen = (uint16_t)(plen + NET_UDP_HLEN);
	uh = (struct rte_udp_hdr *)rte_pktmbuf_prepend(m, NET_UDP_HLEN);
	uh->src_port = rte_cpu_to_be_16(src_port);
	uh->dst_port = rte_cpu_to_be_16(dst_port);
	uh->dgram_len = rte_cpu_to_be_16(ulen);
	/* pseudo-header, the UDP header's three words (its checksum counts as 0), the payload */
	ck = (uint16_t)~net_fold(net_phdr_sum(c->ifc->ip, dst_ip, IPPROTO_UDP, ulen) + uh->src_port +
	                         uh->dst_port + uh->dgram_len + net_fold(data_sum));
	uh->dgram_cksum = ck == 0 ? 0xffff : ck;

	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, NET_IP_HLEN);
	net_ipv4_hdr_fill(c, ip, dst_ip, IPPROTO_UDP, (uint16_t)(ulen + NET_IP_HLEN));
	m->l2_len = 0;
	m->l3_len = NET_IP_HLEN;
	m->l4_len = NET_UDP_HLEN;
	return net_ip_output(c, m, now_tsc);
}

int net_udp_output(struct net_ctx *c, struct rte_mbuf *m, uint16_t src_port, uint32_t dst_ip,
                   uint16_t dst_port, uint64_t now_tsc)
{
	uint16_t s = 0;

	/* the payload may be chained: sum it segment by segment */
	if (rte_pktmbuf_pkt_len(m) && rte_raw_cksum_mbuf(m, 0, rte_pktmbuf_pkt_len(m), &s) != 0) {
		net_drop(c, m, VOX_DROP_tx_bad);
		return -EINVAL;
	}
	return udp_out(c, m, src_port, dst_ip, dst_port, s, now_tsc);
}

int net_udp_output_sum(struct net_ctx *c, struct rte_mbuf *m, uint16_t src_port, uint32_t dst_ip,
                       uint16_t dst_port, uint32_t payload_sum, uint64_t now_tsc)
{
	return udp_out(c, m, src_port, dst_ip, dst_port, payload_sum, now_tsc);
}

uint16_t net_udp_payload_sum(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	const struct rte_udp_hdr *uh =
		rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l2_len + m->l3_len);

	/* valid: phdr + header words + checksum + payload = 0xffff (-0), so payload = ~(the rest) */
	return (uint16_t)~net_fold(net_phdr_sum(ip->src_addr, ip->dst_addr, IPPROTO_UDP,
	                                        rte_be_to_cpu_16(uh->dgram_len)) +
	                           uh->src_port + uh->dst_port + uh->dgram_len + uh->dgram_cksum);
}

int net_udp_reply(struct net_ctx *c, struct rte_mbuf *m, uint64_t now_tsc)
{
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *uh;
	uint32_t peer;
	uint16_t peer_port, our_port;
	int rc;

	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l2_len + m->l3_len);
	peer = ip->src_addr;
	peer_port = rte_be_to_cpu_16(uh->src_port);
	our_port = rte_be_to_cpu_16(uh->dst_port);
	/* rebuild the headers from scratch rather than patching them (drops any IP options) */
	rte_pktmbuf_adj(m, (uint16_t)(m->l2_len + m->l3_len + m->l4_len));
	rc = net_udp_output(c, m, our_port, peer, peer_port, now_tsc);
	if (rc == 0)
		c->st->udp_echo++;
	return rc;
}
