/* SPDX-License-Identifier: BSD-3-Clause */
/* test_net_input.c — Ethernet, IPv4, ICMP and UDP input: validation, drops, delivery, echo. */
#include <string.h>

#include "net_ut.h"

static const uint8_t sip_msg[] =
    "OPTIONS sip:192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1\r\n\r\n";

static uint16_t sip_frame(uint8_t *f)
{
	return ut_udp_frame(f, UT_PEER_IP, UT_OUR_IP, 5070, UT_SIP_PORT, sip_msg, sizeof(sip_msg));
}

static void assert_delivered_sip(struct ut *u, uint16_t l3_len)
{
	struct rte_mbuf *m;

	assert_int_equal(u->out.n_class[NET_CLASS_SIP], 1);
	m = u->out.cls[NET_CLASS_SIP][0];
	assert_int_equal(m->l2_len, 14);
	assert_int_equal(m->l3_len, l3_len);
	assert_int_equal(m->l4_len, 8);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + l3_len + 8 + sizeof(sip_msg));
	assert_memory_equal(rte_pktmbuf_mtod_offset(m, char *, m->l2_len + m->l3_len + m->l4_len),
	                    sip_msg, sizeof(sip_msg));
	assert_int_equal(net_udp_src_ip(m), UT_PEER_IP);
	assert_int_equal(net_udp_src_port(m), 5070);
	assert_int_equal(u->st.udp_rx, 1);
	assert_int_equal(u->st.drops, 0);
}

static void test_udp_delivered(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];

	ut_input_frame(u, f, sip_frame(f));
	assert_delivered_sip(u, 20);
}

/* The kernel side of a tap has our MAC: frames from it must not be dropped. */
static void test_eth_src_ours_accepted(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	memcpy(f + 6, &ut_our_mac, 6);
	ut_input_frame(u, f, len);
	assert_delivered_sip(u, 20);
}

static void test_eth_broadcast_accepted(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	memset(f, 0xff, 6);
	ut_input_frame(u, f, len);
	assert_delivered_sip(u, 20);
}

static void test_eth_short(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];

	sip_frame(f);
	ut_input_frame(u, f, 13);
	ut_assert_one_drop(u, VOX_DROP_eth_short);
}

static void test_eth_dst(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	memcpy(f, &ut_other_mac, 6);
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_eth_dst);
	f[0] = 0x01; /* multicast */
	ut_input_frame(u, f, len);
	assert_int_equal(u->st.drop[VOX_DROP_eth_dst], 2);
}

static void test_eth_type(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	f[12] = 0x86; /* IPv6 */
	f[13] = 0xdd;
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_eth_type);
	f[12] = 0x81; /* VLAN */
	f[13] = 0x00;
	ut_input_frame(u, f, len);
	assert_int_equal(u->st.drop[VOX_DROP_eth_type], 2);
	assert_int_equal(u->st.drops, 2);
}

/* A frame in two segments is linearized when its first segment has the room. */
static void test_eth_segmented(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);
	struct rte_mbuf *a = ut_mbuf(f, 30);
	struct rte_mbuf *b = ut_mbuf(f + 30, (uint16_t)(len - 30));

	assert_int_equal(rte_pktmbuf_chain(a, b), 0);
	ut_input(u, a);
	assert_delivered_sip(u, 20);
}

/* ... and dropped when it does not fit there. */
static void test_eth_segmented_no_room(void **state)
{
	struct ut *u = *state;
	static uint8_t f[2048], pl[1400];
	uint16_t room =
	    (uint16_t)(rte_pktmbuf_data_room_size(ut_small_pool) - RTE_PKTMBUF_HEADROOM);
	uint16_t len = ut_udp_frame(f, UT_PEER_IP, UT_OUR_IP, 5070, UT_SIP_PORT, pl, 1400);
	struct rte_mbuf *a = ut_mbuf_pool(ut_small_pool, f, 1000);
	struct rte_mbuf *b = ut_mbuf_pool(ut_small_pool, f + 1000, (uint16_t)(len - 1000));

	/* fill the first segment's tailroom */
	assert_non_null(rte_pktmbuf_append(a, (uint16_t)(room - 1000)));
	assert_int_equal(rte_pktmbuf_chain(a, b), 0);
	ut_input(u, a);
	ut_assert_one_drop(u, VOX_DROP_eth_seg);
}

static void test_ip_short(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];

	sip_frame(f);
	ut_input_frame(u, f, 14 + 19);
	ut_assert_one_drop(u, VOX_DROP_ip_short);
}

static void test_ip_version(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	f[14] = 0x65;
	ut_ip_recsum(f + 14);
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_ip_version);
}

static void test_ip_hdrlen(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	f[14] = 0x44; /* IHL 4 */
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_ip_hdrlen);
	f[14] = 0x4f; /* IHL 15 = 60 bytes, frame has 20 + 8 after Ethernet: cut it */
	ut_input_frame(u, f, 14 + 40);
	assert_int_equal(u->st.drop[VOX_DROP_ip_hdrlen], 2);
	assert_int_equal(u->st.drops, 2);
}

static void test_ip_len(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	/* total length beyond the frame */
	f[16] = 0x01;
	f[17] = 0x00;
	ut_ip_recsum(f + 14);
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_ip_len);
	/* total length below the header */
	f[16] = 0;
	f[17] = 19;
	ut_ip_recsum(f + 14);
	ut_input_frame(u, f, len);
	assert_int_equal(u->st.drop[VOX_DROP_ip_len], 2);
	assert_int_equal(u->st.drops, 2);
}

static void test_ip_csum(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	f[14 + 10] ^= 0x01;
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_ip_csum);
}

static void test_ip_not_us(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len;

	len = ut_udp_frame(f, UT_PEER_IP, UT_PEER2_IP, 5070, UT_SIP_PORT, "x", 1);
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_ip_not_us);
	len = ut_udp_frame(f, UT_PEER_IP, 0xffffffffu, 5070, UT_SIP_PORT, "x", 1);
	memset(f, 0xff, 6);
	ut_input_frame(u, f, len);
	assert_int_equal(u->st.drop[VOX_DROP_ip_not_us], 2);
	assert_int_equal(u->st.drops, 2);
}

static void test_ip_src(void **state)
{
	struct ut *u = *state;
	const uint32_t bad[] = {0,
	                        RTE_BE32(0x7f000001),
	                        RTE_BE32(0xe0000001),
	                        0xffffffffu,
	                        RTE_BE32(0xc00002ff),
	                        UT_OUR_IP,
	                        RTE_BE32(0xf0000001)};
	uint8_t f[256];

	for (unsigned i = 0; i < RTE_DIM(bad); i++) {
		uint16_t len = ut_udp_frame(f, bad[i], UT_OUR_IP, 5070, UT_SIP_PORT, "x", 1);

		ut_input_frame(u, f, len);
		assert_int_equal(u->st.drop[VOX_DROP_ip_src], i + 1);
	}
	assert_int_equal(u->st.drops, RTE_DIM(bad));
}

static void test_ip_proto(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	f[14 + 9] = 6; /* TCP */
	ut_ip_recsum(f + 14);
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_ip_proto);
}

/* On a /31 (RFC 3021) both addresses are hosts: the other one is a valid peer. */
static void test_ip_src_slash31(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];

	u->ifc->mask = RTE_BE32(0xfffffffe);
	ut_input_frame(u, f,
	               ut_udp_frame(f, RTE_BE32(0xc0000203), UT_OUR_IP, 5070, UT_SIP_PORT, "x", 1));
	assert_int_equal(u->out.n_class[NET_CLASS_SIP], 1);
	assert_int_equal(u->st.drops, 0);
}

/* Ethernet padding past the IP total length is trimmed, not delivered. */
static void test_ip_padded(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = ut_udp_frame(f, UT_PEER_IP, UT_OUR_IP, 5070, UT_ECHO_PORT, "hi", 2);

	assert_int_equal(len, 14 + 20 + 8 + 2);
	memset(f + len, 0xee, 60 - len);
	ut_input_frame(u, f, 60);
	assert_int_equal(u->out.n_class[NET_CLASS_ECHO], 1);
	assert_int_equal(rte_pktmbuf_pkt_len(u->out.cls[NET_CLASS_ECHO][0]), len);
	assert_int_equal(u->st.drops, 0);
}

static void test_ip_options(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t l2 = ut_eth(f, &ut_our_mac, &ut_peer_mac, RTE_ETHER_TYPE_IPV4);
	uint16_t l3 = ut_ip(f + l2, UT_PEER_IP, UT_OUR_IP, 17, 8 + sizeof(sip_msg), 1, 0, 4);
	uint8_t tmp[256];
	uint16_t len = sip_frame(tmp);

	/* same UDP datagram (the checksum does not cover IP options) behind a 24-byte header */
	memcpy(f + l2 + l3, tmp + 34, len - 34u);
	ut_input_frame(u, f, (uint16_t)(l2 + l3 + len - 34));
	assert_delivered_sip(u, 24);
}

/* Every truncation of a valid frame is dropped for exactly one reason, nothing delivered; the
 * frames sit at the very end of a malloc'd buffer so that ASan catches any read past them. */
static void test_truncations(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	for (uint16_t l = 0; l < len; l++) {
		ut_input(u, ut_mbuf_exact(f, l));
		assert_int_equal(u->st.drops, l + 1u);
	}
	assert_int_equal(u->st.drop[VOX_DROP_eth_short], 14);
	assert_int_equal(u->st.drop[VOX_DROP_ip_short], 20);
	assert_int_equal(u->st.drop[VOX_DROP_ip_len], len - 34u);
	assert_int_equal(u->out.n_class[NET_CLASS_SIP], 0);
	ut_input(u, ut_mbuf_exact(f, len));
	assert_int_equal(u->out.n_class[NET_CLASS_SIP], 1);
}

/* Headers that claim more than the frame holds (IP, UDP and ICMP lengths consistent with each
 * other but not with the frame), and ARP cut anywhere: no over-read, one drop each. */
static void test_truncations_l4(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len;
	uint64_t d = 0;

	len = ut_icmp_frame(f, UT_PEER_IP, 8, 1, 1, "ping-data", 9);
	for (uint16_t l = 34; l < len; l++) {
		ut_input(u, ut_mbuf_exact(f, l));
		assert_int_equal(u->st.drops, ++d);
	}
	len = ut_arp_frame(f, &ut_our_mac, &ut_peer_mac, RTE_ARP_OP_REQUEST, &ut_peer_mac,
	                   UT_PEER_IP, NULL, UT_OUR_IP);
	for (uint16_t l = 14; l < len; l++) {
		ut_input(u, ut_mbuf_exact(f, l));
		assert_int_equal(u->st.drops, ++d);
	}
	/* IP total length cut to the frame, UDP length still claiming the whole datagram */
	len = sip_frame(f);
	for (uint16_t l = 34; l < len; l++) {
		f[16] = (uint8_t)((l - 14) >> 8);
		f[17] = (uint8_t)(l - 14);
		ut_ip_recsum(f + 14);
		ut_input(u, ut_mbuf_exact(f, l));
		assert_int_equal(u->st.drops, ++d);
	}
	assert_int_equal(u->st.drop[VOX_DROP_udp_short], 8);
	assert_int_equal(u->st.drop[VOX_DROP_udp_len], len - 42u);
	/* an ICMP echo in an exact buffer is still answered (in place) */
	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	ut_input(u, ut_mbuf_exact(f, ut_icmp_frame(f, UT_PEER_IP, 8, 1, 1, "x", 1)));
	assert_int_equal(u->st.icmp_echo, 1);
	assert_int_equal(u->st.drops, d);
}

static void test_udp_short(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t l2 = ut_eth(f, &ut_our_mac, &ut_peer_mac, RTE_ETHER_TYPE_IPV4);
	uint16_t l3 = ut_ip(f + l2, UT_PEER_IP, UT_OUR_IP, 17, 4, 1, 0, 0);

	memset(f + l2 + l3, 0, 4);
	ut_input_frame(u, f, (uint16_t)(l2 + l3 + 4));
	ut_assert_one_drop(u, VOX_DROP_udp_short);
}

static void test_udp_len(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	f[34 + 4] = 0x0f; /* UDP length beyond the IP payload */
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_udp_len);
	f[34 + 4] = 0; /* below the UDP header */
	f[34 + 5] = 7;
	ut_input_frame(u, f, len);
	assert_int_equal(u->st.drop[VOX_DROP_udp_len], 2);
}

/* A UDP length shorter than the IP payload: the datagram is what the UDP length says. */
static void test_udp_len_shorter(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t l2 = ut_eth(f, &ut_our_mac, &ut_peer_mac, RTE_ETHER_TYPE_IPV4);
	uint16_t l3 = ut_ip(f + l2, UT_PEER_IP, UT_OUR_IP, 17, 8 + 4 + 6, 1, 0, 0);
	uint8_t tmp[256];
	uint16_t len = ut_udp_frame(tmp, UT_PEER_IP, UT_OUR_IP, 5070, UT_ECHO_PORT, "abcd", 4);

	memcpy(f + l2 + l3, tmp + 34, len - 34u);
	memset(f + len, 0x55, 6);
	ut_input_frame(u, f, (uint16_t)(len + 6));
	assert_int_equal(u->out.n_class[NET_CLASS_ECHO], 1);
	assert_int_equal(rte_pktmbuf_pkt_len(u->out.cls[NET_CLASS_ECHO][0]), len);
}

static void test_udp_csum(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	f[len - 3] ^= 0x20; /* payload corrupted */
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_udp_csum);
}

static void test_udp_csum_zero(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	f[34 + 6] = 0;
	f[34 + 7] = 0;
	ut_input_frame(u, f, len);
	assert_delivered_sip(u, 20);
}

/* The payload sum of a received datagram (net_udp_payload_sum, from its verified checksum)
 * carried to net_udp_output_sum gives a valid checksum on the way out, with other addresses and
 * ports; after changing 12 bytes, an RFC 1624 update of that sum (sum - old + new) still does.
 * Odd and even payload lengths. */
static uint32_t sum12(const uint8_t *p)
{
	uint32_t s = 0;

	for (int i = 0; i < 12; i += 2) {
		uint16_t w;

		memcpy(&w, p + i, 2);
		s += w;
	}
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

static void test_udp_payload_sum_carried(void **state)
{
	struct ut *u = *state;
	static const uint16_t lens[] = {172, 173, 12, 13, 1001};

	ut_learn(u, UT_PEER2_IP, &ut_peer_mac);
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		uint8_t f[1200], pl[1100];
		struct rte_mbuf *m, *tx[2];

		ut_fill(pl, lens[k], (uint32_t)k + 3);
		ut_input_frame(u, f, ut_udp_frame(f, UT_PEER_IP, UT_OUR_IP, 4000, UT_SIP_PORT, pl, lens[k]));
		assert_int_equal(u->out.n_class[NET_CLASS_SIP], 1);
		m = u->out.cls[NET_CLASS_SIP][0];
		ut_out_clear(&u->out);
		uint32_t sum = net_udp_payload_sum(m);
		assert_int_equal(net_fold(sum), net_fold(__rte_raw_cksum(pl, lens[k], 0)));
		rte_pktmbuf_adj(m, (uint16_t)(m->l2_len + m->l3_len + m->l4_len));
		uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
		uint32_t old = sum12(p);
		for (int i = 1; i < 12; i++) /* what a relay rewrites: PT, seq, ts, SSRC */
			p[i] = (uint8_t)(p[i] * 31 + 7);
		sum += (uint16_t)~old + sum12(p);
		assert_int_equal(net_udp_output_sum(&u->c, m, 20002, UT_PEER2_IP, 30000 + (uint16_t)k, sum, u->now), 0);
		assert_int_equal(ut_tx_collect(u, tx, 2), 1);
		const uint8_t *ip = rte_pktmbuf_mtod_offset(tx[0], const uint8_t *, 14);
		assert_true(ut_ip_csum_ok(ip));
		assert_true(ip[20 + 6] || ip[20 + 7]); /* a checksum, not "none" */
		assert_true(ut_udp_csum_ok(ip));
		ut_free_pkts(tx, 1);
	}
	assert_int_equal(u->st.drops, 0);
}

/* net_ipv4_hdr_fill's checksum (summed from the values it writes) is the one a pass over the
 * written header gives (rte_ipv4_cksum), for identifications, lengths, addresses and protocols
 * that carry in every position; the other fields are as documented. */
static void test_ipv4_hdr_fill_csum(void **state)
{
	struct ut *u = *state;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint32_t our = u->ifc->ip;

	for (int k = 0; k < 4000; k++) {
		struct rte_ipv4_hdr ip;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint32_t dst = k < 4 ? (k & 1 ? 0xffffffffu : 0) : (uint32_t)x;
		uint16_t len = k < 4 ? (k & 2 ? 0xffff : 20) : (uint16_t)(x >> 32);
		uint8_t proto = k & 1 ? IPPROTO_UDP : (uint8_t)(x >> 48);
		u->c.ip_id = (uint16_t)(x >> 24);
		u->ifc->ip = k & 3 ? (uint32_t)(x >> 20) : 0xffffffffu;
		uint16_t id = u->c.ip_id;
		memset(&ip, 0xa5, sizeof(ip));
		net_ipv4_hdr_fill(&u->c, &ip, dst, proto, len);
		assert_int_equal(ip.version_ihl, 0x45);
		assert_int_equal(ip.type_of_service, 0);
		assert_int_equal(rte_be_to_cpu_16(ip.total_length), len);
		assert_int_equal(rte_be_to_cpu_16(ip.packet_id), id);
		assert_int_equal(u->c.ip_id, (uint16_t)(id + u->c.n_workers));
		assert_int_equal(ip.fragment_offset, 0);
		assert_int_equal(ip.time_to_live, NET_TTL);
		assert_int_equal(ip.next_proto_id, proto);
		assert_int_equal(ip.src_addr, u->c.ifc->ip);
		assert_int_equal(ip.dst_addr, dst);
		uint16_t got = ip.hdr_checksum;
		ip.hdr_checksum = 0;
		assert_int_equal(got, rte_ipv4_cksum(&ip));
	}
	u->ifc->ip = our;
}

static void test_udp_port(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = ut_udp_frame(f, UT_PEER_IP, UT_OUR_IP, 5070, 5061, "x", 1);

	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_udp_port);
}

/* Echo request -> reply to the peer's MAC from the ARP table, checksums right. */
static void test_icmp_echo(void **state)
{
	struct ut *u = *state;
	uint8_t f[256], data[56];
	struct rte_mbuf *tx[4];
	const uint8_t *r;
	uint16_t len, n;

	ut_fill(data, sizeof(data), 3);
	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	len = ut_icmp_frame(f, UT_PEER_IP, RTE_IP_ICMP_ECHO_REQUEST, 77, 5, data, sizeof(data));
	ut_input_frame(u, f, len);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	assert_int_equal(u->st.icmp_echo, 1);
	assert_int_equal(rte_pktmbuf_pkt_len(tx[0]), len);
	r = rte_pktmbuf_mtod(tx[0], const uint8_t *);
	assert_memory_equal(r, &ut_peer_mac, 6);
	assert_memory_equal(r + 6, &ut_our_mac, 6);
	assert_true(ut_ip_csum_ok(r + 14));
	assert_memory_equal(r + 14 + 12, &(uint32_t){UT_OUR_IP}, 4);
	assert_memory_equal(r + 14 + 16, &(uint32_t){UT_PEER_IP}, 4);
	assert_int_equal(r[34], 0);                                    /* echo reply */
	assert_memory_equal(r + 34 + 4, f + 34 + 4, 4 + sizeof(data)); /* id, seq, data */
	assert_int_equal(rte_raw_cksum(r + 34, 8 + sizeof(data)), 0xffff);
	assert_int_equal(u->st.drops, 0);
	ut_free_pkts(tx, n);
}

/* Unknown peer: the reply waits for ARP (request sent), then goes out. */
static void test_icmp_echo_unresolved(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	struct rte_mbuf *tx[4];
	uint16_t n;

	ut_input_frame(u, f, ut_icmp_frame(f, UT_PEER_IP, 8, 1, 1, "ping", 4));
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	assert_int_equal(rte_pktmbuf_mtod_offset(tx[0], uint8_t *, 13)[0], 0x06); /* ARP */
	ut_free_pkts(tx, n);
	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	n = ut_tx_collect(u, tx, 4);
	assert_int_equal(n, 1);
	assert_int_equal(rte_pktmbuf_mtod_offset(tx[0], uint8_t *, 34)[0], 0);
	assert_int_equal(u->st.arp_held_sent, 1);
	ut_free_pkts(tx, n);
}

static void test_icmp_drops(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len;
	uint16_t l2, l3;

	len = ut_icmp_frame(f, UT_PEER_IP, 8, 1, 1, "ping", 4);
	f[len - 1] ^= 1;
	ut_input_frame(u, f, len);
	ut_assert_one_drop(u, VOX_DROP_icmp_csum);

	len = ut_icmp_frame(f, UT_PEER_IP, RTE_IP_ICMP_ECHO_REPLY, 1, 1, "ping", 4);
	ut_input_frame(u, f, len);
	assert_int_equal(u->st.drop[VOX_DROP_icmp_type], 1);

	l2 = ut_eth(f, &ut_our_mac, &ut_peer_mac, RTE_ETHER_TYPE_IPV4);
	l3 = ut_ip(f + l2, UT_PEER_IP, UT_OUR_IP, 1, 4, 1, 0, 0);
	memset(f + l2 + l3, 0, 4);
	ut_input_frame(u, f, (uint16_t)(l2 + l3 + 4));
	assert_int_equal(u->st.drop[VOX_DROP_icmp_short], 1);
	assert_int_equal(u->st.drops, 3);
}

/* A mixed burst of 32: everything consumed, each packet to its place. */
static void test_burst_mix(void **state)
{
	struct ut *u = *state;
	struct rte_mbuf *pkts[32], *tx[64];
	uint8_t f[256], rtp[172];
	uint16_t n;

	ut_fill(rtp, sizeof(rtp), 0x80);
	ut_learn(u, UT_PEER_IP, &ut_peer_mac);
	for (int i = 0; i < 32; i++) {
		uint16_t len;

		switch (i % 4) {
		case 0:
			len = sip_frame(f);
			break;
		case 1:
			len = ut_udp_frame(f, UT_PEER_IP, UT_OUR_IP, 30000, UT_RTP_PORT, rtp, 172);
			break;
		case 2:
			len = ut_icmp_frame(f, UT_PEER_IP, 8, 1, (uint16_t)i, "ping", 4);
			break;
		default:
			len = ut_arp_frame(f, &ut_our_mac, &ut_peer_mac, RTE_ARP_OP_REQUEST,
			                   &ut_peer_mac, UT_PEER_IP, NULL, UT_OUR_IP);
			break;
		}
		pkts[i] = ut_mbuf(f, len);
	}
	assert_int_equal(net_input_burst(&u->c, pkts, 32, &u->out, u->now), 32);
	assert_int_equal(u->out.n_class[NET_CLASS_SIP], 8);
	assert_int_equal(u->out.n_class[NET_CLASS_RTP], 8);
	assert_int_equal(u->st.udp_rx, 16);
	assert_int_equal(u->st.icmp_echo, 8);
	assert_int_equal(u->st.arp_rep_tx, 8);
	assert_int_equal(u->st.drops, 0);
	n = ut_tx_collect(u, tx, 64);
	assert_int_equal(n, 16);
	assert_int_equal(u->st.tx_pkts, 16);
	ut_free_pkts(tx, n);
}

/* Output arrays full (caller did not drain): counted, not overflowed. */
static void test_out_full(void **state)
{
	struct ut *u = *state;
	uint8_t f[256];
	uint16_t len = sip_frame(f);

	for (int i = 0; i < NET_OUT_MAX + 3; i++)
		ut_input_frame(u, f, len);
	assert_int_equal(u->out.n_class[NET_CLASS_SIP], NET_OUT_MAX);
	assert_int_equal(u->st.drop[VOX_DROP_rx_out_full], 3);
	assert_int_equal(u->st.udp_rx, NET_OUT_MAX);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, ut_setup, ut_teardown)
	    T(test_udp_delivered),
	    T(test_eth_src_ours_accepted),
	    T(test_eth_broadcast_accepted),
	    T(test_eth_short),
	    T(test_eth_dst),
	    T(test_eth_type),
	    T(test_eth_segmented),
	    T(test_eth_segmented_no_room),
	    T(test_ip_short),
	    T(test_ip_version),
	    T(test_ip_hdrlen),
	    T(test_ip_len),
	    T(test_ip_csum),
	    T(test_ip_not_us),
	    T(test_ip_src),
	    T(test_ip_proto),
	    T(test_ip_src_slash31),
	    T(test_ip_padded),
	    T(test_ip_options),
	    T(test_truncations),
	    T(test_truncations_l4),
	    T(test_udp_short),
	    T(test_udp_len),
	    T(test_udp_len_shorter),
	    T(test_udp_csum),
	    T(test_udp_csum_zero),
	    T(test_udp_port),
	    T(test_udp_payload_sum_carried),
	    T(test_ipv4_hdr_fill_csum),
	    T(test_icmp_echo),
	    T(test_icmp_echo_unresolved),
	    T(test_icmp_drops),
	    T(test_burst_mix),
	    T(test_out_full),
#undef T
	};
	int rc;

	(void)argc;
	if (ut_eal_init(argv[0]) != 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests_name("net_input", tests, NULL, NULL);
	ut_eal_fini();
	return rc;
}
