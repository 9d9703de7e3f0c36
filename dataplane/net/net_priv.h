/* SPDX-License-Identifier: BSD-3-Clause */
/* net_priv.h — internals shared by the net module's files (not for other modules). */
#ifndef NET_PRIV_H
#define NET_PRIV_H

#include <rte_arp.h>
#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_log.h>

#include "net.h"

extern int net_logtype;
#define NET_LOG(level, fmt, ...)                                                                   \
	rte_log(RTE_LOG_##level, net_logtype, "net: " fmt "\n", ##__VA_ARGS__)

#define NET_ETH_HLEN ((uint16_t)sizeof(struct rte_ether_hdr))
#define NET_IP_HLEN ((uint16_t)sizeof(struct rte_ipv4_hdr))
#define NET_UDP_HLEN ((uint16_t)sizeof(struct rte_udp_hdr))
#define NET_ARP_FLEN ((uint16_t)(NET_ETH_HLEN + sizeof(struct rte_arp_hdr)))
#define NET_TTL 64

/* ARP entry state. */
enum net_arp_state {
	NET_ARP_FREE = 0,
	NET_ARP_INCOMPLETE = 1, /* request sent, packets may be held */
	NET_ARP_RESOLVED = 2,
};

/* One slot of the open-addressing table; ip == 0 means free (0.0.0.0 is never a next hop). */
struct net_arp_entry {
	uint32_t ip;   /* network byte order */
	uint8_t state; /* enum net_arp_state */
	uint8_t tries; /* requests sent while INCOMPLETE */
	uint16_t n_held;
	struct rte_ether_addr mac;
	uint16_t rsvd;
	uint64_t due_tsc; /* RESOLVED: expiry; INCOMPLETE: next retry (or give-up) time */
};

/* Counters accumulated over one burst and added to the row once. */
struct net_burst_cnt {
	uint64_t udp_rx;
	uint64_t frag_rx;
};

static inline void net_drop(struct net_ctx *c, struct rte_mbuf *m, enum vox_drop_reason why)
{
	vox_stats_drop(c->st, why, 1);
	rte_pktmbuf_free(m);
}

/* Append m to a caller-owned out array; false (and m untouched) when it is full. */
static inline bool net_out_push(struct rte_mbuf **arr, uint16_t *n, struct rte_mbuf *m)
{
	if (unlikely(*n >= NET_OUT_MAX))
		return false;
	arr[(*n)++] = m;
	return true;
}

static inline uint64_t net_ms_to_tsc(const struct net_ctx *c, uint32_t ms)
{
	return (uint64_t)ms * c->cfg.tsc_hz / 1000;
}

static inline bool net_on_link(const struct net_ctx *c, uint32_t ip)
{
	return ((ip ^ c->ifc->ip) & c->ifc->mask) == 0;
}

/* Addresses that are never a valid unicast peer: 0/8, 127/8, multicast, class E, limited and
 * directed broadcast, and our own address. */
static inline bool net_ip_bad_peer(const struct net_ctx *c, uint32_t ip_be)
{
	uint32_t ip = rte_be_to_cpu_32(ip_be);
	uint8_t first = (uint8_t)(ip >> 24);

	if (first == 0 || first == 127 || first >= 224)
		return true;
	if (ip_be == c->ifc->ip)
		return true;
	/* directed broadcast, on subnets that have one (not /31, /32) */
	return rte_be_to_cpu_32(~c->ifc->mask) > 1 && (ip_be | c->ifc->mask) == 0xffffffffu;
}

/* One's-complement sum (not complemented, not folded past 32 bits) of the IPv4 pseudo header. */
static inline uint32_t net_phdr_sum(uint32_t src_be, uint32_t dst_be, uint8_t proto, uint16_t len)
{
	uint32_t s = 0;

	s += (src_be >> 16) + (src_be & 0xffff);
	s += (dst_be >> 16) + (dst_be & 0xffff);
	s += rte_cpu_to_be_16((uint16_t)proto);
	s += rte_cpu_to_be_16(len);
	return s;
}

static inline uint16_t net_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* net_eth.c */
bool net_linearize(struct rte_mbuf *m);

/* net_arp.c */
void net_arp_input(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out, uint64_t now);
/* Entry for next hop nh, created INCOMPLETE (and a request sent) when missing or expired.
 * NULL when the table is full (nothing counted). */
struct net_arp_entry *net_arp_resolve(struct net_ctx *c, uint32_t nh, uint64_t now);
/* Hold m (Ethernet header present, destination to fill) on an INCOMPLETE entry. */
void net_arp_hold(struct net_ctx *c, struct net_arp_entry *e, struct rte_mbuf *m);
void net_arp_timer(struct net_ctx *c, uint64_t now);
void net_arp_flush_all(struct net_ctx *c);

/* net_ipv4.c */
void net_ipv4_input(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out, uint64_t now,
                    struct net_burst_cnt *k);
/* Hand a whole datagram (l2_len/l3_len set, contiguous, trimmed) to its L4 protocol. */
void net_ipv4_deliver(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out, uint64_t now,
                      struct net_burst_cnt *k, bool reasm);
/* Fill a 20-byte IPv4 header (no options, no DF) and its checksum. */
void net_ipv4_hdr_fill(struct net_ctx *c, struct rte_ipv4_hdr *ip, uint32_t dst, uint8_t proto,
                       uint16_t total_len);

/* net_icmp.c */
void net_icmp_input(struct net_ctx *c, struct rte_mbuf *m, uint64_t now);

/* net_udp.c */
void net_udp_input(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out,
                   struct net_burst_cnt *k, bool reasm);

/* net_frag.c */
/* Fragment m (IPv4 header first) to c->ifc->mtu into frags[]; m is consumed on success.
 * Returns the number of fragments or -errno (m untouched). */
int net_frag_output(struct net_ctx *c, struct rte_mbuf *m, struct rte_mbuf **frags);
/* Fragments an IPv4 datagram of total_len bytes will make at c->ifc->mtu. */
uint32_t net_frag_count(const struct net_ctx *c, uint16_t total_len, uint16_t hlen);
void net_frag_timer(struct net_ctx *c, uint64_t now);
void net_frag_fini(struct net_ctx *c);

/* net_tx.c */
/* Queue a complete frame for TX, flushing first when the buffer is full. */
static inline void net_tx_enqueue(struct net_ctx *c, struct rte_mbuf *m)
{
	if (unlikely(c->txq_n == NET_TXQ_MAX))
		net_tx_flush(c);
	c->txq[c->txq_n++] = m;
}
/* Allocate an ARP frame (op, target) from c->pool and queue it. Returns 0 or -ENOBUFS. */
int net_arp_send(struct net_ctx *c, uint16_t op, const struct rte_ether_addr *tha, uint32_t tip);

#endif /* NET_PRIV_H */
