/* SPDX-License-Identifier: BSD-3-Clause */
/* net.h — the dataplane's own L2/L3: Ethernet, ARP, IPv4 (+fragments), ICMP echo, UDP demux and
 * output. */
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "vox_abi.h"
#include "vox_stats.h"

/*
 * Design. One struct net_ctx per worker lcore, written only by that lcore (no locks, no
 * atomics). Input is a burst function that validates and classifies each frame and either
 * answers it (ARP, ICMP echo), drops it (exactly one drop reason counted, mbuf freed), or hands
 * it to the caller in struct net_rx_out: UDP datagrams by service class, fragments that must be
 * reassembled on their owning lcore, and ARP frames that the other lcores must learn from.
 * Output (net_udp_output / net_ip_output) resolves the next hop through the per-lcore ARP table
 * (holding a few packets per unresolved entry), fragments datagrams above the MTU, writes the
 * Ethernet header from the table (never by swapping a request's MACs) and buffers for burst TX.
 * Time is a TSC value passed in by the caller, so unit tests drive it.
 * No malloc, lock or syscall after net_ctx_init().
 *
 * Buffers. Input frames spread over several segments are linearized into their first segment
 * or dropped (drop_eth_seg). Datagrams placed in out->cls are always one contiguous segment:
 * a reassembled datagram is copied into one mbuf of c->pool, so the pool's data room bounds
 * the largest reassembled datagram (larger ones: drop_frag_fail). Output accepts chained
 * mbufs. Fragmentation on output uses c->pool for both direct and indirect mbufs (an indirect
 * mbuf only uses the header of a pool element, so one pool serves both).
 *
 * Counting. Besides arp_*, icmp_echo, udp_rx, udp_echo, frag_* and drops, net_tx_flush()
 * counts tx_pkts/tx_bytes itself, because a full txq is flushed from inside net (the caller
 * would not see those packets); the lcore loop counts rx only.
 */

/* UDP service classes: what a destination port is for. */
enum net_class {
	NET_CLASS_NONE = 0,
	NET_CLASS_ECHO = 1, /* diagnostic UDP echo */
	NET_CLASS_SIP = 2,
	NET_CLASS_RTP = 3,
	NET_CLASS__MAX
};

/* Why a packet travels over a handoff ring (stored in m->hash.usr). */
enum net_handoff_kind {
	NET_HANDOFF_CLASS_BASE = 0, /* + enum net_class: a classified datagram for that service */
	NET_HANDOFF_FRAG = 16,      /* an IPv4 fragment to reassemble on its owner */
	NET_HANDOFF_ARP = 17,       /* an ARP frame to learn from (no reply) */
	NET_HANDOFF_BRIDGE = 18,    /* relayed RTP for a bridged leg of the receiving lcore */
	NET_HANDOFF_BRIDGE_CTL = 19, /* bridge set-up / tear-down between the legs' owners */
};

/* Read-only interface configuration, shared by all lcores. */
struct net_iface {
	uint32_t ip;      /* our address, network byte order */
	uint32_t mask;    /* network byte order */
	uint32_t gateway; /* network byte order, 0 = none */
	struct rte_ether_addr mac;
	uint16_t port_id;
	uint16_t mtu;                        /* IP MTU, e.g. 1500 */
	uint8_t port_class[65536];           /* enum net_class per UDP destination port */
	uint8_t class_reasm[NET_CLASS__MAX]; /* 1 if fragments for this class are reassembled */
};

struct net_cfg {
	uint32_t arp_entries;     /* live entries at most (rounded up to a power of two); the table
	                             has twice as many slots so that probe chains stay short */
	uint32_t arp_timeout_ms;  /* a resolved entry expires this long after it was learned */
	uint32_t arp_retry_ms;    /* re-send a request for an unresolved entry this often */
	uint32_t arp_retries;     /* then give up and drop the held packets */
	uint32_t arp_hold;        /* packets held per unresolved entry */
	uint32_t frag_flows;      /* reassembly table capacity (datagrams in progress) */
	uint32_t frag_timeout_ms; /* a datagram not complete this long after its first fragment is
	                             dropped (drop_frag_fail per fragment held) */
	uint64_t tsc_hz;          /* ticks per second of the now_tsc values the caller passes */
};

#define NET_TXQ_MAX 64
#define NET_OUT_MAX 64      /* per class / per destination in one net_rx_out */
#define NET_FRAG_OUT_MAX 48 /* fragments of one outgoing datagram: 65535 bytes at MTU 1500 */

struct net_arp_entry; /* private, net_priv.h */

/* Written and read only by its own lcore (net_ctx_init/fini run before/after the loop). */
struct net_ctx {
	const struct net_iface *ifc;
	struct vox_stats_row *st; /* this lcore's row */
	struct rte_mempool *pool; /* for ARP requests and fragments */
	struct rte_mempool *big_pool; /* reassembled datagrams (one segment, ~9 KB); NULL: pool */
	uint16_t queue_id;        /* TX queue of this lcore */
	uint16_t self;            /* worker index */
	uint16_t n_workers;
	struct net_cfg cfg;

	/* ARP table: open addressing (linear probing, backward-shift deletion), arp_mask + 1
	 * slots, at most arp_max live entries */
	struct net_arp_entry *arp;
	uint32_t arp_mask;
	uint32_t arp_used;
	uint32_t arp_max;
	struct rte_mbuf **arp_holdq; /* arp_hold slots per table slot */
	uint64_t arp_timeout_tsc;
	uint64_t arp_retry_tsc;

	uint16_t ip_id; /* identification of the next datagram we originate */

	/* reassembly */
	struct rte_ip_frag_tbl *frag_tbl;
	struct rte_ip_frag_death_row frag_dr;

	/* TX buffer */
	uint16_t txq_n;
	struct rte_mbuf *txq[NET_TXQ_MAX];
};

/* What net_input_burst hands back to the caller. */
struct net_rx_out {
	uint16_t n_class[NET_CLASS__MAX];
	struct rte_mbuf *cls[NET_CLASS__MAX][NET_OUT_MAX];
	uint16_t n_frag[VOX_MAX_WORKERS]; /* fragments for their owning lcore (may be self) */
	struct rte_mbuf *frag[VOX_MAX_WORKERS][NET_OUT_MAX];
	uint16_t n_arp_share; /* ARP frames the other lcores must learn from (caller clones) */
	struct rte_mbuf *arp_share[NET_OUT_MAX];
};

/* Allocates the ARP table, hold queues and reassembly table (start-up only, on `socket`).
 * Returns 0 or -ENOMEM / -EINVAL (zero sizes, tsc_hz 0, n_workers 0 or above VOX_MAX_WORKERS,
 * self >= n_workers). On error nothing is left allocated. */
int net_ctx_init(struct net_ctx *c, const struct net_iface *ifc, const struct net_cfg *cfg,
                 struct rte_mempool *pool, struct vox_stats_row *st, uint16_t queue_id,
                 uint16_t self, uint16_t n_workers, int socket);
/* Frees every packet net still holds (txq, ARP hold queues, reassembly table) and the tables. */
void net_ctx_fini(struct net_ctx *c);

/* Validate and classify a burst. Every mbuf is consumed: answered, dropped (counted) or placed
 * in *out (out must be zeroed by the caller before the first burst of a turn; n <= 32; when an
 * out array is full the packet is dropped as drop_rx_out_full). ARP frames go to
 * out->arp_share only when n_workers > 1. Fragments carry l2_len/l3_len.
 * A datagram placed in out->cls has l2_len/l3_len/l4_len set; the UDP payload starts at
 * rte_pktmbuf_mtod_offset(m, char *, l2_len + l3_len + l4_len). Returns packets consumed. */
uint16_t net_input_burst(struct net_ctx *c, struct rte_mbuf **pkts, uint16_t n,
                         struct net_rx_out *out, uint64_t now_tsc);

/* A fragment received from a handoff ring (or out->frag[self]): reassemble; when the datagram is
 * complete and its port's class reassembles, it is placed in out->cls like net_input_burst does. */
void net_frag_input(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out,
                    uint64_t now_tsc);

/* Learn from an ARP frame another lcore received (no reply is sent, nothing counted but
 * arp_learned/arp_held_sent: the receiving lcore counted the frame). Frees m. */
void net_arp_learn(struct net_ctx *c, struct rte_mbuf *m, uint64_t now_tsc);

/* Owner worker of a fragment (IPv4 header at m->l2_len): hash of (src, dst, id, proto) over
 * n_workers. The same on every lcore. */
uint16_t net_frag_owner(const struct rte_mbuf *m, uint16_t n_workers);

/* Send the UDP payload held in m (data starts at the payload) from our address:src_port to
 * dst_ip:dst_port (network byte order ip, host order ports). Prepends headers, checksums,
 * resolves, fragments above the MTU, queues for TX. Consumes m. Returns 0, or -errno when
 * the packet was dropped (counted). */
int net_udp_output(struct net_ctx *c, struct rte_mbuf *m, uint16_t src_port, uint32_t dst_ip,
                   uint16_t dst_port, uint64_t now_tsc);
/* As net_udp_output for a payload whose ones' complement sum (RFC 1071: 16-bit words in memory
 * order, folded or not) the caller knows, e.g. carried over from a received datagram and updated
 * incrementally (RFC 1624) for the bytes it changed: no pass over the payload. */
int net_udp_output_sum(struct net_ctx *c, struct rte_mbuf *m, uint16_t src_port, uint32_t dst_ip,
                       uint16_t dst_port, uint32_t payload_sum, uint64_t now_tsc);
/* The payload sum of a received datagram (l2_len/l3_len set) from its UDP checksum, which must
 * be non-zero and verified (net_udp_input drops those that do not verify). */
uint16_t net_udp_payload_sum(const struct rte_mbuf *m);

/* Answer a datagram delivered in out->cls in place: swap addresses and ports, keep the payload.
 * Consumes m. Returns 0 or -errno. Counts udp_echo when the reply is queued or held. */
int net_udp_reply(struct net_ctx *c, struct rte_mbuf *m, uint64_t now_tsc);

/* m starts with a complete IPv4 header (checksum filled): resolve, fragment, queue. Consumes m.
 * Returns 0 (queued, or held until ARP resolves) or -errno when dropped (counted):
 * -ENETUNREACH (drop_no_route), -ENOSPC (arp_table_full / arp_hold_full), -EMSGSIZE or
 * -ENOBUFS (frag_out), -EINVAL (tx_bad). */
int net_ip_output(struct net_ctx *c, struct rte_mbuf *m, uint64_t now_tsc);

/* Periodic work (call every few ms): ARP expiry and request retries, reassembly death row. */
void net_timer(struct net_ctx *c, uint64_t now_tsc);

/* Flush the TX buffer to the NIC (rte_eth_tx_burst on c->ifc->port_id, c->queue_id); what the
 * NIC does not take is freed and counted as drop_tx_full. Counts tx_pkts/tx_bytes.
 * Returns packets sent. */
uint16_t net_tx_flush(struct net_ctx *c);

/* Source address and port of a delivered datagram. */
static inline uint32_t net_udp_src_ip(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip =
	    rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	return ip->src_addr;
}
static inline uint16_t net_udp_src_port(const struct rte_mbuf *m)
{
	const struct rte_udp_hdr *u =
	    rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l2_len + m->l3_len);
	return rte_be_to_cpu_16(u->src_port);
}

#endif /* NET_H */
