/* SPDX-License-Identifier: BSD-3-Clause */
/* net_frag.c — IPv4 fragments: owner lcore, reassembly (rte_ip_frag), output fragmentation. */
#include <errno.h>
#include <string.h>

#include "net_priv.h"

/*
 * Reassembly runs on one owner lcore per datagram (hash of src, dst, id, proto), so the
 * rte_ip_frag table needs no lock. Fragments the library gives up on (table full, overlap,
 * too many fragments, timeout) land on the death row; each one is counted as drop_frag_fail
 * and the row is emptied after every call. Output fragmentation uses c->pool for both the
 * direct (headers) and indirect (payload references) mbufs.
 */

uint16_t net_frag_owner(const struct rte_mbuf *m, uint16_t n_workers)
{
	const struct rte_ipv4_hdr *ip =
	    rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	uint32_t h;

	if (n_workers <= 1)
		return 0;
	h = ip->src_addr * 0x9e3779b1u;
	h ^= ip->dst_addr + (h << 6) + (h >> 2);
	h ^= ((uint32_t)ip->packet_id << 8 | ip->next_proto_id) * 0x85ebca6bu;
	h ^= h >> 15;
	h *= 0xc2b2ae35u;
	h ^= h >> 13;
	return (uint16_t)(h % n_workers);
}

static void net_frag_reap(struct net_ctx *c)
{
	if (c->frag_dr.cnt != 0) {
		vox_stats_drop(c->st, VOX_DROP_frag_fail, c->frag_dr.cnt);
		rte_ip_frag_free_death_row(&c->frag_dr, 4);
	}
}

/* One contiguous segment: linearize in place, else copy into a fresh mbuf of c->big_pool. */
static struct rte_mbuf *net_frag_flatten(struct net_ctx *c, struct rte_mbuf *m)
{
	struct rte_mbuf *n;
	const void *src;
	uint32_t len;
	char *p;

	struct rte_mempool *mp = c->big_pool ? c->big_pool : c->pool;

	if (net_linearize(m))
		return m;
	if (rte_pktmbuf_pkt_len(m) >
	    (uint32_t)rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM) {
		net_drop(c, m, VOX_DROP_frag_fail);
		return NULL;
	}
	n = rte_pktmbuf_alloc(mp);
	if (n == NULL) {
		net_drop(c, m, VOX_DROP_no_mbuf);
		return NULL;
	}
	len = rte_pktmbuf_pkt_len(m);
	p = rte_pktmbuf_append(n, (uint16_t)len);
	src = p == NULL ? NULL : rte_pktmbuf_read(m, 0, len, p);
	if (src == NULL) {
		rte_pktmbuf_free(n);
		net_drop(c, m, VOX_DROP_frag_fail);
		return NULL;
	}
	if (src != p) /* all of it was in the first segment: nothing copied yet */
		memcpy(p, src, len);
	n->l2_len = m->l2_len;
	n->l3_len = m->l3_len;
	n->port = m->port;
	rte_pktmbuf_free(m);
	return n;
}

void net_frag_input(struct net_ctx *c, struct rte_mbuf *m, struct net_rx_out *out, uint64_t now_tsc)
{
	struct net_burst_cnt k = {0};
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *r;

	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	r = rte_ipv4_frag_reassemble_packet(c->frag_tbl, &c->frag_dr, m, now_tsc, ip);
	net_frag_reap(c);
	if (r == NULL)
		return;
	c->st->frag_reasm++;
	r = net_frag_flatten(c, r);
	if (r == NULL)
		return;
	net_ipv4_deliver(c, r, out, now_tsc, &k, true);
	c->st->udp_rx += k.udp_rx;
}

uint32_t net_frag_count(const struct net_ctx *c, uint16_t total_len, uint16_t hlen)
{
	uint32_t per = (uint32_t)(c->ifc->mtu - hlen) & ~7u;

	if (per == 0)
		return UINT32_MAX;
	return ((uint32_t)(total_len - hlen) + per - 1) / per;
}

int net_frag_output(struct net_ctx *c, struct rte_mbuf *m, struct rte_mbuf **frags)
{
	int32_t n, i;

	n = rte_ipv4_fragment_packet(m, frags, NET_FRAG_OUT_MAX, c->ifc->mtu, c->pool, c->pool);
	if (n < 0)
		return n == -ENOTSUP ? -EMSGSIZE : n; /* DF set */
	/* the fragments hold references to m's data */
	rte_pktmbuf_free(m);
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		frags[i]->l3_len = rte_ipv4_hdr_len(ip);
	}
	return n;
}

void net_frag_timer(struct net_ctx *c, uint64_t now)
{
	rte_ip_frag_table_del_expired_entries(c->frag_tbl, &c->frag_dr, now);
	net_frag_reap(c);
}

void net_frag_fini(struct net_ctx *c)
{
	if (c->frag_tbl == NULL)
		return;
	net_frag_reap(c);
	rte_ip_frag_table_destroy(c->frag_tbl);
	c->frag_tbl = NULL;
}
