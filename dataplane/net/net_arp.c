/* SPDX-License-Identifier: BSD-3-Clause */
/* net_arp.c — the per-lcore ARP table: input, learning, resolution, hold queues, timers. */
#include <string.h>

#include "net_priv.h"

/*
 * Design. An open-addressing table with linear probing; a slot whose ip is 0 is free. Deletion
 * shifts the following entries of the probe chain back (no tombstones), moving their hold
 * queues with them, so lookups stay short however long the table lives. Each slot owns
 * cfg.arp_hold hold pointers in c->arp_holdq. At most arp_max entries are live (half of the
 * slots). An entry learned at T is RESOLVED until T + arp_timeout; using it later turns it
 * INCOMPLETE again (one request, packets held). INCOMPLETE entries re-send a request every
 * arp_retry; once arp_retries re-sends went unanswered their packets are dropped
 * (drop_arp_unresolved) and the slot is freed. net_arp_timer() scans the whole table: it is
 * bounded (2 * arp_entries slots) and runs every few milliseconds, not per packet.
 */

static inline uint32_t net_arp_hash(const struct net_ctx *c, uint32_t ip)
{
	uint32_t h = ip * 0x9e3779b1u;

	return (h ^ (h >> 16)) & c->arp_mask;
}

static inline struct rte_mbuf **net_arp_held(struct net_ctx *c, uint32_t slot)
{
	return &c->arp_holdq[(size_t)slot * c->cfg.arp_hold];
}

/* Slot holding ip, or the free slot that ends its probe chain (ip == 0 there). */
static inline uint32_t net_arp_find(const struct net_ctx *c, uint32_t ip)
{
	uint32_t i = net_arp_hash(c, ip);

	while (c->arp[i].ip != 0 && c->arp[i].ip != ip)
		i = (i + 1) & c->arp_mask;
	return i;
}

/* Free slot i (its hold queue must be empty) and close the gap in the probe chain. */
static void net_arp_delete(struct net_ctx *c, uint32_t i)
{
	uint32_t j = i, home;

	for (;;) {
		j = (j + 1) & c->arp_mask;
		if (c->arp[j].ip == 0)
			break;
		home = net_arp_hash(c, c->arp[j].ip);
		/* j may move to i only if its home is not cyclically in (i, j] */
		if (((j - home) & c->arp_mask) < ((j - i) & c->arp_mask))
			continue;
		c->arp[i] = c->arp[j];
		if (c->arp[j].n_held != 0)
			memcpy(net_arp_held(c, i), net_arp_held(c, j),
			       sizeof(struct rte_mbuf *) * c->arp[j].n_held);
		i = j;
	}
	memset(&c->arp[i], 0, sizeof(c->arp[i]));
	c->arp_used--;
}

/* Free what slot holds; count it as drop_arp_unresolved unless the context is going away. */
static void net_arp_drop_held(struct net_ctx *c, struct net_arp_entry *e, uint32_t slot, bool count)
{
	struct rte_mbuf **h = net_arp_held(c, slot);

	if (count)
		vox_stats_drop(c->st, VOX_DROP_arp_unresolved, e->n_held);
	rte_pktmbuf_free_bulk(h, e->n_held);
	e->n_held = 0;
}

/* The entry was (re)learned: send what it held. */
static void net_arp_release(struct net_ctx *c, struct net_arp_entry *e, uint32_t slot)
{
	struct rte_mbuf **h = net_arp_held(c, slot);
	uint16_t k;

	for (k = 0; k < e->n_held; k++) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(h[k], struct rte_ether_hdr *);

		rte_ether_addr_copy(&e->mac, &eh->dst_addr);
		net_tx_enqueue(c, h[k]);
	}
	c->st->arp_held_sent += e->n_held;
	e->n_held = 0;
}

/* Learn ip -> mac. Returns the entry, or NULL when the table is full. */
static struct net_arp_entry *net_arp_update(struct net_ctx *c, uint32_t ip,
                                            const struct rte_ether_addr *mac, uint64_t now)
{
	uint32_t i = net_arp_find(c, ip);
	struct net_arp_entry *e = &c->arp[i];

	if (e->ip == 0) {
		if (c->arp_used >= c->arp_max)
			return NULL;
		c->arp_used++;
		e->ip = ip;
	}
	rte_ether_addr_copy(mac, &e->mac);
	e->state = NET_ARP_RESOLVED;
	e->tries = 0;
	e->due_tsc = now + c->arp_timeout_tsc;
	c->st->arp_learned++;
	if (e->n_held != 0)
		net_arp_release(c, e, i);
	return e;
}

struct net_arp_entry *net_arp_resolve(struct net_ctx *c, uint32_t nh, uint64_t now)
{
	uint32_t i = net_arp_find(c, nh);
	struct net_arp_entry *e = &c->arp[i];

	if (likely(e->state == NET_ARP_RESOLVED)) {
		if (likely(now < e->due_tsc))
			return e;
		c->st->arp_expired++;
	} else if (e->state == NET_ARP_INCOMPLETE) {
		return e;
	} else {
		if (c->arp_used >= c->arp_max)
			return NULL;
		c->arp_used++;
		e->ip = nh;
	}
	e->state = NET_ARP_INCOMPLETE;
	e->n_held = 0;
	e->tries = 1;
	e->due_tsc = now + c->arp_retry_tsc;
	net_arp_send(c, RTE_ARP_OP_REQUEST, NULL, nh);
	return e;
}

void net_arp_hold(struct net_ctx *c, struct net_arp_entry *e, struct rte_mbuf *m)
{
	uint32_t slot = (uint32_t)(e - c->arp);

	net_arp_held(c, slot)[e->n_held++] = m;
}

/*
 * Parse and sanity-check an ARP frame (one segment). Returns the header when it is a
 * well-formed Ethernet/IPv4 request or reply whose sender is a plausible on-link neighbour,
 * else NULL.
 */
static const struct rte_arp_hdr *net_arp_parse(const struct net_ctx *c, const struct rte_mbuf *m)
{
	const struct rte_arp_hdr *a;
	uint32_t sip;

	if (rte_pktmbuf_data_len(m) < NET_ARP_FLEN)
		return NULL;
	a = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, NET_ETH_HLEN);
	if (a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || a->arp_hlen != RTE_ETHER_ADDR_LEN ||
	    a->arp_plen != sizeof(uint32_t))
		return NULL;
	if (a->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) &&
	    a->arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY))
		return NULL;
	sip = a->arp_data.arp_sip;
	if (!rte_is_valid_assigned_ether_addr(&a->arp_data.arp_sha) || net_ip_bad_peer(c, sip) ||
	    !net_on_link(c, sip))
		return NULL;
	return a;
}

void net_arp_input(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out, uint64_t now)
{
	const struct rte_arp_hdr *a = net_arp_parse(c, m);
	struct net_arp_entry *e;
	bool request;

	if (unlikely(a == NULL)) {
		net_drop(c, m, VOX_DROP_arp_bad);
		return;
	}
	request = a->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST);
	if (request)
		c->st->arp_req_rx++;
	else
		c->st->arp_rep_rx++;
	if (a->arp_data.arp_tip != c->ifc->ip) {
		net_drop(c, m, VOX_DROP_arp_not_us);
		return;
	}
	e = net_arp_update(c, a->arp_data.arp_sip, &a->arp_data.arp_sha, now);
	if (e == NULL) {
		net_drop(c, m, VOX_DROP_arp_table_full);
		return;
	}
	if (request) {
		/* built from the entry just learned and our config; a failed allocation is counted
		 * by net_arp_send() and leaves the request (still useful to share) alone */
		net_arp_send(c, RTE_ARP_OP_REPLY, &e->mac, e->ip);
	}
	if (c->n_workers > 1) {
		if (unlikely(!net_out_push(out->arp_share, &out->n_arp_share, m)))
			net_drop(c, m, VOX_DROP_rx_out_full);
		return;
	}
	rte_pktmbuf_free(m);
}

void net_arp_learn(struct net_ctx *c, struct rte_mbuf *m, uint64_t now_tsc)
{
	const struct rte_arp_hdr *a = NULL;

	if (net_linearize(m) && rte_pktmbuf_data_len(m) >= NET_ETH_HLEN &&
	    rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
	        RTE_BE16(RTE_ETHER_TYPE_ARP))
		a = net_arp_parse(c, m);
	if (a != NULL && a->arp_data.arp_tip == c->ifc->ip)
		net_arp_update(c, a->arp_data.arp_sip, &a->arp_data.arp_sha, now_tsc);
	rte_pktmbuf_free(m);
}

void net_arp_timer(struct net_ctx *c, uint64_t now)
{
	uint32_t i = 0;

	while (i <= c->arp_mask) {
		struct net_arp_entry *e = &c->arp[i];

		if (e->ip == 0 || now < e->due_tsc) {
			i++;
			continue;
		}
		if (e->state == NET_ARP_RESOLVED) {
			c->st->arp_expired++;
		} else if (e->tries <= c->cfg.arp_retries) {
			e->tries++;
			e->due_tsc = now + c->arp_retry_tsc;
			net_arp_send(c, RTE_ARP_OP_REQUEST, NULL, e->ip);
			i++;
			continue;
		} else {
			net_arp_drop_held(c, e, i, true);
		}
		/* slot i may now hold a shifted entry: look at it again */
		net_arp_delete(c, i);
	}
}

void net_arp_flush_all(struct net_ctx *c)
{
	uint32_t i;

	for (i = 0; i <= c->arp_mask; i++)
		if (c->arp[i].ip != 0)
			net_arp_drop_held(c, &c->arp[i], i, false);
}
