/* SPDX-License-Identifier: BSD-3-Clause */
/* net_ut.h — test harness for the net module: EAL and port, fixtures, packet builders. */
#ifndef NET_UT_H
#define NET_UT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <rte_ethdev.h>

#include "net_priv.h"

/* Addresses (documentation ranges). */
#define UT_OUR_IP RTE_BE32(0xc0000202)   /* 192.0.2.2 */
#define UT_PEER_IP RTE_BE32(0xc0000201)  /* 192.0.2.1 */
#define UT_PEER2_IP RTE_BE32(0xc0000203) /* 192.0.2.3 */
#define UT_GW_IP RTE_BE32(0xc00002fe)    /* 192.0.2.254 */
#define UT_FAR_IP RTE_BE32(0xc6336407)   /* 198.51.100.7, off-subnet */
#define UT_MASK RTE_BE32(0xffffff00)
#define UT_SIP_PORT 5060
#define UT_ECHO_PORT 7
#define UT_RTP_PORT 20000
#define UT_HZ 1000000000ull /* the tests' TSC: 1 tick = 1 ns */
#define UT_MS (UT_HZ / 1000)
#define UT_POOL_N 1023

extern const struct rte_ether_addr ut_our_mac, ut_peer_mac, ut_peer2_mac, ut_gw_mac, ut_other_mac;
extern uint16_t ut_port;
extern struct rte_mempool *ut_pool;       /* 9 KB data room: reassembles up to ~9 KB */
extern struct rte_mempool *ut_small_pool; /* 2 KB data room */

/* One fixture: a context on worker `self` of n_workers, with its own stats row. */
struct ut {
	struct net_iface *ifc;
	struct net_cfg cfg;
	struct net_ctx c;
	struct vox_stats_row st;
	struct net_rx_out out;
	uint64_t now;
};

/* Once per binary, before cmocka_run_group_tests: EAL with a net_ring vdev. */
int ut_eal_init(const char *argv0);
void ut_eal_fini(void);

/* Fill a default interface (ours unless peer) and config. */
void ut_iface_default(struct net_iface *ifc, bool peer);
void ut_cfg_default(struct net_cfg *cfg);
/* Allocate and init a fixture (the config may be adjusted by `tweak` first). */
struct ut *ut_new(uint16_t self, uint16_t n_workers, bool peer, struct rte_mempool *pool,
                  void (*tweak)(struct net_cfg *));
/* Free everything the fixture still holds (out, txq, port ring) and the fixture. */
void ut_free(struct ut *u);
int ut_setup(void **state);
int ut_teardown(void **state); /* also asserts every pool mbuf came back */
void ut_assert_pools_full(void);

/* Packets. A frame is built in a byte buffer, then copied into an mbuf. */
struct rte_mbuf *ut_mbuf(const void *frame, uint16_t len);
/* The frame in a malloc'd external buffer that ends exactly where the frame ends, so ASan sees
 * any read past the data. */
struct rte_mbuf *ut_mbuf_exact(const void *frame, uint16_t len);
struct rte_mbuf *ut_mbuf_pool(struct rte_mempool *mp, const void *frame, uint16_t len);
/* Ethernet header into buf; returns 14. */
uint16_t ut_eth(uint8_t *buf, const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
                uint16_t type);
/* IPv4 header (20 bytes + opt_len of options) into buf, checksum filled. */
uint16_t ut_ip(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, uint16_t payload_len,
               uint16_t id, uint16_t frag_off_field, uint8_t opt_len);
void ut_ip_recsum(uint8_t *ip);
/* Full UDP frame from peer (valid checksums) into buf; returns its length. */
uint16_t ut_udp_frame(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                      const void *payload, uint16_t plen);
/* Full ICMP echo request frame. */
uint16_t ut_icmp_frame(uint8_t *buf, uint32_t src, uint8_t type, uint16_t id, uint16_t seq,
                       const void *data, uint16_t dlen);
/* ARP frame. */
uint16_t ut_arp_frame(uint8_t *buf, const struct rte_ether_addr *eth_dst,
                      const struct rte_ether_addr *eth_src, uint16_t op,
                      const struct rte_ether_addr *sha, uint32_t sip,
                      const struct rte_ether_addr *tha, uint32_t tip);
/* IPv4 fragments of a UDP datagram (sport->dport, payload) of `per` payload bytes each (a
 * multiple of 8) into frames[i] (each UT_FRAME_MAX bytes); returns the count. */
#define UT_FRAME_MAX 9300
int ut_udp_fragments(uint8_t (*frames)[UT_FRAME_MAX], uint16_t *lens, int max, uint32_t src,
                     uint16_t id, uint16_t dport, const void *payload, uint16_t plen, uint16_t per);
/* Payload filler. */
void ut_fill(uint8_t *p, uint32_t n, uint32_t seed);

/* Run one frame through net_input_burst. */
void ut_input(struct ut *u, struct rte_mbuf *m);
void ut_input_frame(struct ut *u, const void *frame, uint16_t len);
/* Frames this fixture transmitted: flush and read them back from the ring port. Returns n. */
uint16_t ut_tx_collect(struct ut *u, struct rte_mbuf **pkts, uint16_t max);
void ut_free_pkts(struct rte_mbuf **pkts, uint16_t n);
/* Free and forget what out holds. */
void ut_out_clear(struct net_rx_out *out);
/* Teach the fixture that ip is at mac (an ARP reply to us). */
void ut_learn(struct ut *u, uint32_t ip, const struct rte_ether_addr *mac);
/* Exactly one drop, of this reason. */
void ut_assert_one_drop(const struct ut *u, enum vox_drop_reason why);
/* Independent checks of a frame's IPv4 header and UDP checksum. */
bool ut_ip_csum_ok(const uint8_t *ip);
bool ut_udp_csum_ok(const uint8_t *ip);

#endif /* NET_UT_H */
