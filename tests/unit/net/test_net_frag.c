/* SPDX-License-Identifier: BSD-3-Clause */
/* test_net_frag.c — fragments: owner, reassembly, timeout, ports, output fragmentation. */
#include <string.h>

#include "net_ut.h"

static uint8_t frames[8][UT_FRAME_MAX];
static uint16_t lens[8];
static uint8_t payload[9000];

/* Feed fragment k through input, then its owner's reassembly (self here). */
static void feed(struct ut *u, int k)
{
	struct rte_mbuf *m;

	ut_input_frame(u, frames[k], lens[k]);
	assert_int_equal(u->out.n_frag[0], 1);
	m = u->out.frag[0][0];
	u->out.n_frag[0] = 0;
	net_frag_input(&u->c, m, &u->out, u->now);
}

static void assert_reassembled(struct ut *u, enum net_class cls, uint16_t plen)
{
	struct rte_mbuf *m;

	assert_int_equal(u->out.n_class[cls], 1);
	m = u->out.cls[cls][0];
	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(m->l2_len, 14);
	assert_int_equal(m->l3_len, 20);
	assert_int_equal(m->l4_len, 8);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 20 + 8 + plen);
	assert_memory_equal(rte_pktmbuf_mtod_offset(m, char *, 42), payload, plen);
	assert_int_equal(net_udp_src_ip(m), UT_PEER_IP);
	assert_int_equal(u->st.frag_reasm, 1);
	assert_int_equal(u->st.udp_rx, 1);
	assert_int_equal(u->st.drops, 0);
}

static void test_reasm_2_out_of_order(void **state)
{
	struct ut *u = *state;
	int n;

	ut_fill(payload, 2000, 1);
	n = ut_udp_fragments(frames, lens, 8, UT_PEER_IP, 100, UT_SIP_PORT, payload, 2000, 1480);
	assert_int_equal(n, 2);
	feed(u, 1);
	assert_int_equal(u->out.n_class[NET_CLASS_SIP], 0);
	feed(u, 0);
	assert_int_equal(u->st.frag_rx, 2);
	assert_reassembled(u, NET_CLASS_SIP, 2000);
}

static void test_reasm_3_out_of_order(void **state)
{
	struct ut *u = *state;
	int n;

	ut_fill(payload, 4000, 2);
	n = ut_udp_fragments(frames, lens, 8, UT_PEER_IP, 101, UT_SIP_PORT, payload, 4000, 1480);
	assert_int_equal(n, 3);
	feed(u, 2);
	feed(u, 0);
	assert_int_equal(u->out.n_class[NET_CLASS_SIP], 0);
	feed(u, 1);
	assert_int_equal(u->st.frag_rx, 3);
	assert_reassembled(u, NET_CLASS_SIP, 4000);
}

/* Fragments padded to the Ethernet minimum still reassemble (padding trimmed first). */
static void test_reasm_padded(void **state)
{
	struct ut *u = *state;
	int n;

	ut_fill(payload, 20, 9);
	n = ut_udp_fragments(frames, lens, 8, UT_PEER_IP, 102, UT_ECHO_PORT, payload, 20, 8);
	assert_int_equal(n, 4);
	for (int k = 0; k < n; k++) {
		memset(frames[k] + lens[k], 0xaa, 60 - lens[k]);
		lens[k] = 60;
	}
	for (int k = n - 1; k >= 0; k--)
		feed(u, k);
	assert_reassembled(u, NET_CLASS_ECHO, 20);
}

/* A datagram not complete within frag_timeout: its fragments are dropped by the timer. */
static void test_reasm_timeout(void **state)
{
	struct ut *u = *state;
	int n;

	ut_fill(payload, 4000, 3);
	n = ut_udp_fragments(frames, lens, 8, UT_PEER_IP, 103, UT_SIP_PORT, payload, 4000, 1480);
	assert_int_equal(n, 3);
	feed(u, 0);
	feed(u, 2);
	u->now += 400 * UT_MS;
	net_timer(&u->c, u->now);
	assert_int_equal(u->st.drops, 0);
	u->now += 101 * UT_MS;
	net_timer(&u->c, u->now);
	assert_int_equal(u->st.drop[VOX_DROP_frag_fail], 2);
	assert_int_equal(u->st.drops, 2);
	/* the late last fragment starts a new datagram that times out in turn */
	feed(u, 1);
	assert_int_equal(u->out.n_class[NET_CLASS_SIP], 0);
	u->now += 501 * UT_MS;
	net_timer(&u->c, u->now);
	assert_int_equal(u->st.drop[VOX_DROP_frag_fail], 3);
}

/* Teardown with a datagram half reassembled: the table gives its fragments back. */
static void test_reasm_pending_at_fini(void **state)
{
	struct ut *u = *state;

	ut_fill(payload, 4000, 14);
	ut_udp_fragments(frames, lens, 8, UT_PEER_IP, 108, UT_SIP_PORT, payload, 4000, 1480);
	feed(u, 0);
	feed(u, 2);
	assert_int_equal(u->st.drops, 0);
	assert_true(rte_mempool_avail_count(ut_pool) < UT_POOL_N);
}

/* RTP does not reassemble: the datagram is dropped once it is whole. */
static void test_reasm_port_not_reassembling(void **state)
{
	struct ut *u = *state;
	int n;

	ut_fill(payload, 2000, 4);
	n = ut_udp_fragments(frames, lens, 8, UT_PEER_IP, 104, UT_RTP_PORT, payload, 2000, 1480);
	feed(u, 0);
	feed(u, 1);
	assert_int_equal(n, 2);
	ut_assert_one_drop(u, VOX_DROP_frag_port);
	assert_int_equal(u->out.n_class[NET_CLASS_RTP], 0);
}

/* Overlapping fragments make reassembly fail; every fragment held is counted. */
static void test_reasm_overlap(void **state)
{
	struct ut *u = *state;
	int n;

	ut_fill(payload, 4000, 5);
	n = ut_udp_fragments(frames, lens, 8, UT_PEER_IP, 105, UT_SIP_PORT, payload, 4000, 1480);
	assert_int_equal(n, 3);
	feed(u, 0);
	feed(u, 0);
	feed(u, 1);
	feed(u, 2);
	assert_int_equal(u->out.n_class[NET_CLASS_SIP], 0);
	assert_true(u->st.drop[VOX_DROP_frag_fail] >= 2);
	assert_int_equal(u->st.drops, u->st.drop[VOX_DROP_frag_fail]);
	u->now += 600 * UT_MS;
	net_timer(&u->c, u->now);
	assert_int_equal(u->st.drop[VOX_DROP_frag_fail] + u->st.frag_reasm, 4);
}

/* Bad fragment geometry is dropped at input. */
static void test_frag_bad_geometry(void **state)
{
	struct ut *u = *state;

	ut_fill(payload, 100, 6);
	ut_udp_fragments(frames, lens, 8, UT_PEER_IP, 106, UT_SIP_PORT, payload, 100, 48);
	lens[0] = (uint16_t)(lens[0] - 3); /* MF set, 45 payload bytes: not a multiple of 8 */
	frames[0][14 + 3] = (uint8_t)(frames[0][14 + 3] - 3);
	ut_ip_recsum(frames[0] + 14);
	ut_input_frame(u, frames[0], lens[0]);
	ut_assert_one_drop(u, VOX_DROP_ip_len);
}

/* A reassembled datagram bigger than one mbuf of the pool cannot be delivered whole. */
static void test_reasm_too_big_for_pool(void **state)
{
	struct ut *u = ut_new(0, 1, false, ut_small_pool, NULL);
	struct rte_mbuf *m;
	int n;

	(void)state;
	ut_fill(payload, 4000, 7);
	n = ut_udp_fragments(frames, lens, 8, UT_PEER_IP, 107, UT_SIP_PORT, payload, 4000, 1480);
	for (int k = 0; k < n; k++) {
		ut_input(u, ut_mbuf_pool(ut_small_pool, frames[k], lens[k]));
		m = u->out.frag[0][0];
		u->out.n_frag[0] = 0;
		net_frag_input(&u->c, m, &u->out, u->now);
	}
	assert_int_equal(u->st.frag_reasm, 1);
	ut_assert_one_drop(u, VOX_DROP_frag_fail);
	ut_free(u);
	ut_assert_pools_full();
}

/* The owner depends on (src, dst, id, proto) only, and spreads over the workers. */
static void test_owner(void **state)
{
	struct ut *u = ut_new(1, 4, false, ut_pool, NULL);
	unsigned seen = 0;

	(void)state;
	ut_fill(payload, 2000, 8);
	for (uint16_t id = 0; id < 64; id++) {
		int n = ut_udp_fragments(frames, lens, 8, UT_PEER_IP, id, UT_SIP_PORT, payload,
		                         2000, 1480);
		uint16_t o;

		for (int k = 0; k < n; k++)
			ut_input_frame(u, frames[k], lens[k]);
		for (o = 0; o < 4 && u->out.n_frag[o] == 0; o++)
			;
		assert_true(o < 4);
		assert_int_equal(u->out.n_frag[o], 2);
		assert_int_equal(net_frag_owner(u->out.frag[o][0], 4), o);
		seen |= 1u << o;
		ut_out_clear(&u->out);
	}
	assert_int_equal(seen, 0xf);
	assert_int_equal(u->st.frag_rx, 128);
	ut_free(u);
	ut_assert_pools_full();
}

/*
 * A 4000-byte SIP datagram sent at MTU 1500 leaves as 3 valid fragments that a peer (another
 * context owning the destination address) reassembles into the identical datagram. The payload
 * is handed over in two segments to exercise chained output.
 */
static void test_output_fragmentation(void **state)
{
	struct ut *u = *state;
	struct ut *peer = ut_new(0, 1, true, ut_pool, NULL);
	struct rte_mbuf *tx[8], *m, *m2;
	uint32_t total = 0;
	uint16_t n;

	ut_fill(payload, 4000, 11);
	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	m = rte_pktmbuf_alloc(ut_pool);
	m2 = rte_pktmbuf_alloc(ut_pool);
	memcpy(rte_pktmbuf_append(m, 1500), payload, 1500);
	memcpy(rte_pktmbuf_append(m2, 2500), payload + 1500, 2500);
	assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	assert_int_equal(net_udp_output(&u->c, m, UT_SIP_PORT, UT_PEER_IP, UT_SIP_PORT, u->now), 0);
	n = ut_tx_collect(u, tx, 8);
	assert_int_equal(n, 3);
	assert_int_equal(u->st.frag_tx, 3);
	assert_int_equal(u->st.drops, 0);
	for (int k = 0; k < n; k++) {
		uint8_t hdr[34];
		const uint8_t *p = rte_pktmbuf_read(tx[k], 0, 34, hdr);
		uint16_t tot = (uint16_t)(p[16] << 8 | p[17]);
		uint16_t fo = (uint16_t)(p[20] << 8 | p[21]);

		assert_true(rte_pktmbuf_pkt_len(tx[k]) <= 1514);
		assert_int_equal(rte_pktmbuf_pkt_len(tx[k]), 14u + tot);
		assert_memory_equal(p, &ut_peer_mac, 6);
		assert_true(ut_ip_csum_ok(p + 14));
		assert_int_equal(fo & 0x1fff, total / 8);
		assert_int_equal(!!(fo & 0x2000), k < n - 1);
		assert_int_equal(fo & 0x4000, 0);
		total += tot - 20u;
	}
	assert_int_equal(total, 8 + 4000);

	/* the peer receives them out of order */
	for (int k = n - 1; k >= 0; k--) {
		struct rte_mbuf *f;

		ut_input(peer, tx[k]);
		assert_int_equal(peer->out.n_frag[0], 1);
		f = peer->out.frag[0][0];
		peer->out.n_frag[0] = 0;
		net_frag_input(&peer->c, f, &peer->out, peer->now);
	}
	assert_int_equal(peer->out.n_class[NET_CLASS_SIP], 1);
	m = peer->out.cls[NET_CLASS_SIP][0];
	assert_int_equal(rte_pktmbuf_pkt_len(m), 42 + 4000);
	assert_memory_equal(rte_pktmbuf_mtod_offset(m, char *, 42), payload, 4000);
	assert_int_equal(net_udp_src_ip(m), UT_OUR_IP);
	assert_int_equal(net_udp_src_port(m), UT_SIP_PORT);
	assert_int_equal(peer->st.drops, 0);
	ut_free(peer);
}

/* Fragments of an unresolved datagram are held together, or not at all. */
static void test_output_fragments_held(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[8], *m;
	uint16_t n;

	ut_fill(payload, 4000, 12);
	m = rte_pktmbuf_alloc(ut_pool);
	memcpy(rte_pktmbuf_append(m, 4000), payload, 4000);
	assert_int_equal(net_udp_output(&u->c, m, UT_SIP_PORT, UT_PEER_IP, UT_SIP_PORT, u->now), 0);
	m = rte_pktmbuf_alloc(ut_pool);
	memcpy(rte_pktmbuf_append(m, 4000), payload, 4000);
	assert_int_equal(net_udp_output(&u->c, m, UT_SIP_PORT, UT_PEER_IP, UT_SIP_PORT, u->now),
	                 -ENOSPC);
	ut_assert_one_drop(u, VOX_DROP_arp_hold_full);
	n = ut_tx_collect(u, tx, 8);
	assert_int_equal(n, 1); /* the ARP request */
	ut_free_pkts(tx, n);
	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	assert_int_equal(u->st.arp_held_sent, 3);
	n = ut_tx_collect(u, tx, 8);
	assert_int_equal(n, 3);
	ut_free_pkts(tx, n);
}

/* DF set on a datagram above the MTU: cannot be fragmented. */
static void test_output_df(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *m = rte_pktmbuf_alloc(ut_pool);
	uint8_t *p;

	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	p = (uint8_t *)rte_pktmbuf_append(m, 2000);
	ut_ip(p, UT_OUR_IP, UT_PEER_IP, 17, 1980, 9, 0x4000, 0);
	assert_true(net_ip_output(&u->c, m, u->now) < 0);
	ut_assert_one_drop(u, VOX_DROP_frag_out);
}

/* UDP echo: payload back to the sender, ports and addresses swapped, checksums right. */
static void test_udp_echo_reply(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[4];
	uint8_t f[512];
	const uint8_t *p;
	uint16_t n;

	ut_fill(payload, 333, 13); /* odd length */
	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	ut_input_frame(u, f,
	               ut_udp_frame(f, UT_PEER_IP, UT_OUR_IP, 40000, UT_ECHO_PORT, payload, 333));
	assert_int_equal(u->out.n_class[NET_CLASS_ECHO], 1);
	assert_int_equal(net_udp_reply(&u->c, u->out.cls[NET_CLASS_ECHO][0], u->now), 0);
	u->out.n_class[NET_CLASS_ECHO] = 0;
	assert_int_equal(u->st.udp_echo, 1);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	p = rte_pktmbuf_mtod(tx[0], const uint8_t *);
	assert_int_equal(rte_pktmbuf_pkt_len(tx[0]), 42 + 333);
	assert_memory_equal(p, &ut_peer_mac, 6);
	assert_memory_equal(p + 6, &ut_our_mac, 6);
	assert_true(ut_ip_csum_ok(p + 14));
	assert_memory_equal(p + 26, &(uint32_t){UT_OUR_IP}, 4);
	assert_memory_equal(p + 30, &(uint32_t){UT_PEER_IP}, 4);
	assert_int_equal(p[34] << 8 | p[35], UT_ECHO_PORT);
	assert_int_equal(p[36] << 8 | p[37], 40000);
	assert_int_equal(p[38] << 8 | p[39], 8 + 333);
	assert_true(p[40] != 0 || p[41] != 0);
	assert_true(ut_udp_csum_ok(p + 14));
	assert_memory_equal(p + 42, payload, 333);
	ut_free_pkts(tx, n);
}

/* A 3000-byte ping arrives in fragments: reassembled, answered, the answer fragmented. */
/* A fragmented ICMP echo is not reassembled: counted and dropped, not answered. */
static void test_icmp_echo_fragmented(void **state)
{
	struct ut *u = *state;
	static uint8_t dgram[3008];
	struct rte_mbuf *tx[8];
	uint16_t n, off, total = 0;
	int k = 0;

	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	dgram[0] = RTE_IP_ICMP_ECHO_REQUEST;
	ut_fill(dgram + 8, 3000, 21);
	/* checksum over the whole message, written big-endian */
	{
		uint16_t ck = (uint16_t)~rte_raw_cksum(dgram, sizeof(dgram));

		memcpy(dgram + 2, &ck, 2);
	}
	for (off = 0; off < sizeof(dgram); off = (uint16_t)(off + 1480), k++) {
		uint16_t chunk = (uint16_t)RTE_MIN(1480u, sizeof(dgram) - off);
		bool more = off + chunk < sizeof(dgram);
		uint16_t l2 = ut_eth(frames[k], &ut_our_mac, &ut_peer_mac, RTE_ETHER_TYPE_IPV4);
		uint16_t l3 = ut_ip(frames[k] + l2, UT_PEER_IP, UT_OUR_IP, 1, chunk, 77,
		                    (uint16_t)((more ? 0x2000 : 0) | (off / 8)), 0);

		memcpy(frames[k] + l2 + l3, dgram + off, chunk);
		lens[k] = (uint16_t)(l2 + l3 + chunk);
	}
	assert_int_equal(k, 3);
	for (k = 0; k < 3; k++) {
		ut_input_frame(u, frames[k], lens[k]);
		assert_int_equal(u->out.n_frag[0], 0); /* never queued for reassembly */
	}
	/* only UDP is reassembled (the issue: other fragments are counted and dropped) */
	assert_int_equal(u->st.frag_reasm, 0);
	assert_int_equal(u->st.icmp_echo, 0);
	assert_int_equal(u->st.drop[VOX_DROP_frag_port], 3);
	assert_int_equal(u->st.drops, 3);
	n = ut_tx_collect(u, tx, 8);
	assert_int_equal(n, 0);
	(void)total;
}

/* Two lcores never put the same IP id on datagrams they originate. */
static void test_ip_id_per_worker(void **state)
{
	struct ut *a = ut_new(0, 2, false, ut_pool, NULL);
	struct ut *b = ut_new(1, 2, false, ut_pool, NULL);
	struct rte_mbuf *tx[8];
	uint16_t n;

	(void)state;
	ut_learn(a, UT_PEER_IP, &ut_peer_mac);
	ut_learn(b, UT_PEER_IP, &ut_peer_mac);
	for (int i = 0; i < 3; i++) {
		struct ut *w = (i & 1) ? b : a;
		struct rte_mbuf *m = rte_pktmbuf_alloc(ut_pool);

		memcpy(rte_pktmbuf_append(m, 1), "x", 1);
		assert_int_equal(net_udp_output(&w->c, m, 1, UT_PEER_IP, 2, w->now), 0);
		n = ut_tx_collect(w, tx, 8);
		assert_int_equal(n, 1);
		assert_int_equal(
		    rte_be_to_cpu_16(
		        rte_pktmbuf_mtod_offset(tx[0], struct rte_ipv4_hdr *, 14)->packet_id) %
		        2,
		    (i & 1));
		ut_free_pkts(tx, n);
	}
	ut_free(a);
	ut_free(b);
	ut_assert_pools_full();
}

/* More than the NIC ring takes: the rest is counted as tx_full, nothing leaks. */
static void test_tx_full(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[64];
	uint16_t k;

	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	/* the ring of net_ring0 holds about as many mbufs as one test pool: use both pools */
	for (int i = 0; i < 1100; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc((i & 1) ? ut_small_pool : ut_pool);

		assert_non_null(m);
		memcpy(rte_pktmbuf_append(m, 4), "fill", 4);
		assert_int_equal(net_udp_output(&u->c, m, 1, UT_PEER_IP, 2, u->now), 0);
	}
	net_tx_flush(&u->c);
	assert_int_equal(u->st.tx_pkts + u->st.drop[VOX_DROP_tx_full], 1100);
	assert_true(u->st.drop[VOX_DROP_tx_full] > 0);
	assert_int_equal(u->st.tx_bytes, u->st.tx_pkts * 46);
	while ((k = rte_eth_rx_burst(ut_port, 0, tx, 64)) != 0)
		ut_free_pkts(tx, k);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, ut_setup, ut_teardown)
	    T(test_reasm_2_out_of_order),
	    T(test_reasm_3_out_of_order),
	    T(test_reasm_padded),
	    T(test_reasm_timeout),
	    T(test_reasm_pending_at_fini),
	    T(test_reasm_port_not_reassembling),
	    T(test_reasm_overlap),
	    T(test_frag_bad_geometry),
	    cmocka_unit_test(test_reasm_too_big_for_pool),
	    cmocka_unit_test(test_owner),
	    T(test_output_fragmentation),
	    T(test_output_fragments_held),
	    T(test_output_df),
	    T(test_udp_echo_reply),
	    T(test_tx_full),
	    T(test_icmp_echo_fragmented),
	    cmocka_unit_test(test_ip_id_per_worker),
#undef T
	};
	int rc;

	(void)argc;
	if (ut_eal_init(argv[0]) != 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests_name("net_frag", tests, NULL, NULL);
	ut_eal_fini();
	return rc;
}
