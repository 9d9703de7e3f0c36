/* SPDX-License-Identifier: BSD-3-Clause */
/* test_net_arp.c — ARP: replies from config, learning, expiry, hold queue, retries, gateway. */
#include <stdlib.h>
#include <string.h>

#include "net_ut.h"

static const struct rte_arp_hdr *arp_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, 14);
}

static bool is_arp_request_for(const struct rte_mbuf *m, uint32_t tip)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *a = arp_of(m);

	return eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP) &&
	       rte_is_broadcast_ether_addr(&eh->dst_addr) &&
	       rte_is_same_ether_addr(&eh->src_addr, &ut_our_mac) &&
	       a->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
	       rte_is_same_ether_addr(&a->arp_data.arp_sha, &ut_our_mac) &&
	       a->arp_data.arp_sip == UT_OUR_IP && a->arp_data.arp_tip == tip;
}

static void send_udp(struct ut *u, uint32_t dst, int expect_rc)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ut_pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, 4), "data", 4);
	assert_int_equal(net_udp_output(&u->c, m, UT_SIP_PORT, dst, 5060, u->now), expect_rc);
}

/* The reply comes from the table and our config: its destination is the ARP sender's MAC even
 * when the Ethernet source differs; nothing is swapped from the request. */
static void test_reply_from_config(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[4];
	const struct rte_ether_hdr *eh;
	const struct rte_arp_hdr *a;
	uint8_t f[64];
	uint16_t n;

	ut_input_frame(u, f,
	               ut_arp_frame(f, &ut_our_mac, &ut_other_mac, RTE_ARP_OP_REQUEST, &ut_peer_mac,
	                            UT_PEER_IP, NULL, UT_OUR_IP));
	assert_int_equal(u->st.arp_req_rx, 1);
	assert_int_equal(u->st.arp_learned, 1);
	assert_int_equal(u->st.arp_rep_tx, 1);
	assert_int_equal(u->st.drops, 0);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	eh = rte_pktmbuf_mtod(tx[0], const struct rte_ether_hdr *);
	a = arp_of(tx[0]);
	assert_true(rte_is_same_ether_addr(&eh->dst_addr, &ut_peer_mac));
	assert_true(rte_is_same_ether_addr(&eh->src_addr, &ut_our_mac));
	assert_int_equal(a->arp_opcode, RTE_BE16(RTE_ARP_OP_REPLY));
	assert_true(rte_is_same_ether_addr(&a->arp_data.arp_sha, &ut_our_mac));
	assert_int_equal(a->arp_data.arp_sip, UT_OUR_IP);
	assert_true(rte_is_same_ether_addr(&a->arp_data.arp_tha, &ut_peer_mac));
	assert_int_equal(a->arp_data.arp_tip, UT_PEER_IP);
	assert_true(rte_pktmbuf_pkt_len(tx[0]) >= 42);
	ut_free_pkts(tx, n);

	/* and the learned entry is used for output */
	send_udp(u, UT_PEER_IP, 0);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	assert_true(rte_is_same_ether_addr(
	    &rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *)->dst_addr, &ut_peer_mac));
	ut_free_pkts(tx, n);
}

/* The kernel side of a tap uses our MAC: its requests are answered to our MAC. */
static void test_request_from_tap_kernel(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[4];
	uint8_t f[64];
	uint16_t n;

	ut_input_frame(u, f,
	               ut_arp_frame(f,
	                            &(struct rte_ether_addr){{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	                            &ut_our_mac, RTE_ARP_OP_REQUEST, &ut_our_mac, UT_PEER_IP, NULL,
	                            UT_OUR_IP));
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	assert_true(rte_is_same_ether_addr(
	    &rte_pktmbuf_mtod(tx[0], struct rte_ether_hdr *)->dst_addr, &ut_our_mac));
	assert_int_equal(u->st.drops, 0);
	ut_free_pkts(tx, n);
}

static void test_not_us(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[4];
	uint8_t f[64];

	ut_input_frame(u, f,
	               ut_arp_frame(f, &ut_our_mac, &ut_peer_mac, RTE_ARP_OP_REQUEST, &ut_peer_mac,
	                            UT_PEER_IP, NULL, UT_PEER2_IP));
	ut_assert_one_drop(u, VOX_DROP_arp_not_us);
	assert_int_equal(u->st.arp_learned, 0);
	assert_int_equal(ut_tx_collect(u, tx, 4), 0);
}

static void test_malformed(void **state)
{
	struct ut *u = *state;
	uint8_t f[64];
	uint16_t len;
	unsigned k = 0;

	len = ut_arp_frame(f, &ut_our_mac, &ut_peer_mac, RTE_ARP_OP_REQUEST, &ut_peer_mac,
	                   UT_PEER_IP, NULL, UT_OUR_IP);
	for (uint16_t l = 14; l < len; l++) { /* truncated */
		ut_input_frame(u, f, l);
		assert_int_equal(u->st.drop[VOX_DROP_arp_bad], ++k);
	}
	f[14 + 4] = 8; /* hlen */
	ut_input_frame(u, f, len);
	f[14 + 4] = 6;
	f[14 + 7] = 3; /* op */
	ut_input_frame(u, f, len);
	f[14 + 7] = 1;
	memcpy(f + 14 + 14, &(uint32_t){RTE_BE32(0xc6336401)}, 4); /* off-subnet sender */
	ut_input_frame(u, f, len);
	memcpy(f + 14 + 14, &(uint32_t){0}, 4); /* probe */
	ut_input_frame(u, f, len);
	memcpy(f + 14 + 14, &(uint32_t){UT_PEER_IP}, 4);
	f[14 + 8] = 0x01; /* multicast sender MAC */
	ut_input_frame(u, f, len);
	assert_int_equal(u->st.drop[VOX_DROP_arp_bad], k + 5);
	assert_int_equal(u->st.drops, k + 5);
	assert_int_equal(u->st.arp_learned, 0);
}

/* A reply to us is learned, not answered. */
static void test_reply_learned(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[4];

	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	assert_int_equal(u->st.arp_rep_rx, 1);
	assert_int_equal(u->st.arp_learned, 1);
	assert_int_equal(ut_tx_collect(u, tx, 4), 0);
	send_udp(u, UT_PEER_IP, 0);
	assert_int_equal(ut_tx_collect(u, tx, 4), 1);
	assert_int_equal(u->st.arp_req_tx, 0);
	ut_free_pkts(tx, 1);
}

/* With several workers the learned frame is handed back for sharing; another lcore learns. */
static void test_share(void **state)
{
	struct ut *u = ut_new(0, 2, false, ut_pool, NULL);
	struct ut *v = ut_new(1, 2, false, ut_pool, NULL);
	struct rte_mbuf *tx[4];
	uint8_t f[64];
	uint16_t n;

	(void)state;
	ut_input_frame(u, f,
	               ut_arp_frame(f, &ut_our_mac, &ut_peer_mac, RTE_ARP_OP_REQUEST, &ut_peer_mac,
	                            UT_PEER_IP, NULL, UT_OUR_IP));
	assert_int_equal(u->out.n_arp_share, 1);
	net_arp_learn(&v->c, u->out.arp_share[0], v->now);
	u->out.n_arp_share = 0;
	assert_int_equal(v->st.arp_learned, 1);
	assert_int_equal(v->st.arp_rep_tx, 0);
	n = ut_tx_collect(u, tx, 4); /* u's reply */
	assert_int_equal(n, 1);
	ut_free_pkts(tx, n);
	send_udp(v, UT_PEER_IP, 0);
	n = ut_tx_collect(v, tx, 4);
	assert_int_equal(n, 1);
	assert_int_equal(v->st.arp_req_tx, 0);
	ut_free_pkts(tx, n);
	ut_free(u);
	ut_free(v);
}

/* Learned at T: valid until T + timeout - 1 tick, expired at T + timeout. */
static void test_expiry(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[4];
	uint64_t t0 = u->now;
	uint16_t n;

	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	u->now = t0 + 1000 * UT_MS - 1;
	net_timer(&u->c, u->now);
	send_udp(u, UT_PEER_IP, 0);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	assert_int_equal(u->st.arp_req_tx, 0);
	ut_free_pkts(tx, n);

	u->now = t0 + 1000 * UT_MS;
	send_udp(u, UT_PEER_IP, 0); /* held, a request goes out */
	assert_int_equal(u->st.arp_expired, 1);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	assert_true(is_arp_request_for(tx[0], UT_PEER_IP));
	ut_free_pkts(tx, n);
	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	assert_int_equal(u->st.arp_held_sent, 1);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	ut_free_pkts(tx, n);

	/* expiry by the timer frees the entry */
	u->now += 1000 * UT_MS;
	net_timer(&u->c, u->now);
	assert_int_equal(u->st.arp_expired, 2);
	assert_int_equal(u->c.arp_used, 0);
	assert_int_equal(u->st.drops, 0);
}

/* Up to arp_hold packets wait; the next is dropped; one request only; all go out on reply. */
static void test_hold_queue(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[8];
	uint16_t n;

	for (int i = 0; i < 4; i++)
		send_udp(u, UT_PEER_IP, 0);
	send_udp(u, UT_PEER_IP, -ENOSPC);
	ut_assert_one_drop(u, VOX_DROP_arp_hold_full);
	assert_int_equal(u->st.arp_req_tx, 1);
	n = ut_tx_collect(u, tx, 8);
	assert_int_equal(n, 1);
	ut_free_pkts(tx, n);

	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	assert_int_equal(u->st.arp_held_sent, 4);
	n = ut_tx_collect(u, tx, 8);
	assert_int_equal(n, 4);
	for (int i = 0; i < 4; i++) {
		const uint8_t *p = rte_pktmbuf_mtod(tx[i], const uint8_t *);

		assert_memory_equal(p, &ut_peer_mac, 6);
		assert_true(ut_ip_csum_ok(p + 14));
		assert_true(ut_udp_csum_ok(p + 14));
	}
	ut_free_pkts(tx, n);
}

/* Retries every arp_retry, arp_retries times, then the held packets are dropped. */
static void test_retries_then_drop(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[8];
	uint16_t n;

	send_udp(u, UT_PEER_IP, 0);
	send_udp(u, UT_PEER_IP, 0);
	assert_int_equal(u->st.arp_req_tx, 1);
	u->now += 50 * UT_MS;
	net_timer(&u->c, u->now);
	assert_int_equal(u->st.arp_req_tx, 1); /* not due yet */
	for (int r = 1; r <= 3; r++) {
		u->now += 50 * UT_MS;
		net_timer(&u->c, u->now);
		assert_int_equal(u->st.arp_req_tx, 1 + r);
		u->now += 50 * UT_MS;
		net_timer(&u->c, u->now);
	}
	assert_int_equal(u->st.drops, 0);
	u->now += 50 * UT_MS;
	net_timer(&u->c, u->now);
	assert_int_equal(u->st.arp_req_tx, 4);
	assert_int_equal(u->st.drop[VOX_DROP_arp_unresolved], 2);
	assert_int_equal(u->st.drops, 2);
	assert_int_equal(u->c.arp_used, 0);
	n = ut_tx_collect(u, tx, 8);
	assert_int_equal(n, 4);
	for (int i = 0; i < 4; i++)
		assert_true(is_arp_request_for(tx[i], UT_PEER_IP));
	ut_free_pkts(tx, n);
}

/* Off-subnet destinations resolve the gateway; without a gateway they have no route. */
static void test_gateway(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *tx[4];
	const uint8_t *p;
	uint16_t n;

	send_udp(u, UT_FAR_IP, 0);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	assert_true(is_arp_request_for(tx[0], UT_GW_IP));
	ut_free_pkts(tx, n);
	ut_learn(u, UT_GW_IP, &ut_gw_mac);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	p = rte_pktmbuf_mtod(tx[0], const uint8_t *);
	assert_memory_equal(p, &ut_gw_mac, 6);
	assert_memory_equal(p + 14 + 16, &(uint32_t){UT_FAR_IP}, 4);
	ut_free_pkts(tx, n);

	u->ifc->gateway = 0;
	send_udp(u, UT_FAR_IP, -ENETUNREACH);
	ut_assert_one_drop(u, VOX_DROP_no_route);
	send_udp(u, 0xffffffffu, -ENETUNREACH);
	send_udp(u, UT_OUR_IP, -ENETUNREACH);
	assert_int_equal(u->st.drop[VOX_DROP_no_route], 3);
}

static void small_table(struct net_cfg *cfg)
{
	cfg->arp_entries = 2;
}

static void test_table_full(void **state)
{
	struct ut *u = ut_new(0, 1, false, ut_pool, small_table);
	uint8_t f[64];

	(void)state;
	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	ut_learn(u, UT_PEER2_IP, &ut_peer2_mac);
	ut_input_frame(u, f,
	               ut_arp_frame(f, &ut_our_mac, &ut_gw_mac, RTE_ARP_OP_REQUEST, &ut_gw_mac,
	                            UT_GW_IP, NULL, UT_OUR_IP));
	ut_assert_one_drop(u, VOX_DROP_arp_table_full);
	send_udp(u, UT_FAR_IP, -ENOSPC);
	assert_int_equal(u->st.drop[VOX_DROP_arp_table_full], 2);
	ut_free(u);
	ut_assert_pools_full();
}

/* Model check of the table (insert, lookup, expiry with backward-shift deletion): random
 * addresses in a small table so that probe chains collide and wrap. */
static void big_timeout(struct net_cfg *cfg)
{
	cfg->arp_entries = 64;
	cfg->arp_hold = 1;
}

static void test_table_model(void **state)
{
	struct ut *u = ut_new(0, 1, false, ut_pool, big_timeout);
	uint32_t live[256];
	uint64_t born[256];
	unsigned n_live = 0;

	(void)state;
	srand(7);
	for (int step = 0; step < 4000; step++) {
		uint32_t ip = RTE_BE32(0xc0000200u | (1 + rand() % 250));
		struct rte_ether_addr mac = {{0x02, 0, 0, 0, 1, (uint8_t)rand()}};
		unsigned i;

		if (ip == UT_OUR_IP)
			continue;
		u->now += (uint64_t)(rand() % 40) * UT_MS;
		net_timer(&u->c, u->now);
		for (i = 0; i < n_live;) { /* the model's expiry */
			if (u->now >= born[i] + 1000 * UT_MS) {
				live[i] = live[n_live - 1];
				born[i] = born[--n_live];
			} else {
				i++;
			}
		}
		assert_int_equal(u->c.arp_used, n_live);
		for (i = 0; i < n_live && live[i] != ip; i++)
			;
		if (i == n_live && n_live == u->c.arp_max)
			continue;
		mac.addr_bytes[4] = (uint8_t)(ip >> 24);
		ut_learn(u, ip, &mac);
		if (i == n_live)
			n_live++;
		live[i] = ip;
		born[i] = u->now;
		/* every live address is found, resolved, with its MAC */
		for (unsigned k = 0; k < n_live; k++) {
			struct net_arp_entry *e = net_arp_resolve(&u->c, live[k], u->now);

			assert_non_null(e);
			assert_int_equal(e->state, NET_ARP_RESOLVED);
			assert_int_equal(e->ip, live[k]);
			assert_int_equal(e->mac.addr_bytes[4], (uint8_t)(live[k] >> 24));
		}
	}
	assert_int_equal(u->st.arp_req_tx, 0);
	assert_int_equal(u->st.drops, 0);
	ut_free(u);
	ut_assert_pools_full();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, ut_setup, ut_teardown)
	    T(test_reply_from_config),
	    T(test_request_from_tap_kernel),
	    T(test_not_us),
	    T(test_malformed),
	    T(test_reply_learned),
	    T(test_expiry),
	    T(test_hold_queue),
	    T(test_retries_then_drop),
	    T(test_gateway),
#undef T
	    cmocka_unit_test(test_share),
	    cmocka_unit_test(test_table_full),
	    cmocka_unit_test(test_table_model),
	};
	int rc;

	(void)argc;
	if (ut_eal_init(argv[0]) != 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests_name("net_arp", tests, NULL, NULL);
	ut_eal_fini();
	return rc;
}
