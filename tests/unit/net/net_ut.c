/* SPDX-License-Identifier: BSD-3-Clause */
/* net_ut.c — test harness for the net module: EAL and port, fixtures, packet builders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "net_ut.h"

const struct rte_ether_addr ut_our_mac = {{0x02, 0, 0, 0, 0, 0x02}};
const struct rte_ether_addr ut_peer_mac = {{0x02, 0, 0, 0, 0, 0x01}};
const struct rte_ether_addr ut_peer2_mac = {{0x02, 0, 0, 0, 0, 0x03}};
const struct rte_ether_addr ut_gw_mac = {{0x02, 0, 0, 0, 0, 0xfe}};
const struct rte_ether_addr ut_other_mac = {{0x02, 0, 0, 0, 0, 0x99}};
uint16_t ut_port;
struct rte_mempool *ut_pool;
struct rte_mempool *ut_small_pool;

int ut_eal_init(const char *argv0)
{
	char prefix[64];
	char *argv[] = {(char *)argv0,
	                "--no-huge",
	                "-m",
	                "256",
	                "--no-pci",
	                "-l",
	                "0",
	                "--file-prefix",
	                prefix,
	                "--log-level=*:error",
	                "--vdev=net_ring0"};
	struct rte_eth_conf conf;
	int argc = (int)(sizeof(argv) / sizeof(argv[0]));

	snprintf(prefix, sizeof(prefix), "netut%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0)
		return -1;
	ut_pool = rte_pktmbuf_pool_create("ut_pool", UT_POOL_N, 0, 0, 9216 + RTE_PKTMBUF_HEADROOM,
	                                  SOCKET_ID_ANY);
	ut_small_pool = rte_pktmbuf_pool_create("ut_small", UT_POOL_N, 0, 0,
	                                        RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (ut_pool == NULL || ut_small_pool == NULL)
		return -1;
	if (rte_eth_dev_get_port_by_name("net_ring0", &ut_port) != 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(ut_port, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(ut_port, 0, 1024, SOCKET_ID_ANY, NULL, ut_pool) < 0 ||
	    rte_eth_tx_queue_setup(ut_port, 0, 1024, SOCKET_ID_ANY, NULL) < 0 ||
	    rte_eth_dev_start(ut_port) < 0)
		return -1;
	return 0;
}

void ut_eal_fini(void)
{
	rte_eth_dev_stop(ut_port);
	rte_eth_dev_close(ut_port);
	rte_mempool_free(ut_pool);
	rte_mempool_free(ut_small_pool);
	rte_eal_cleanup();
}

void ut_iface_default(struct net_iface *ifc, bool peer)
{
	memset(ifc, 0, sizeof(*ifc));
	ifc->ip = peer ? UT_PEER_IP : UT_OUR_IP;
	ifc->mask = UT_MASK;
	ifc->gateway = UT_GW_IP;
	ifc->mac = peer ? ut_peer_mac : ut_our_mac;
	ifc->port_id = ut_port;
	ifc->mtu = 1500;
	ifc->port_class[UT_SIP_PORT] = NET_CLASS_SIP;
	ifc->port_class[UT_ECHO_PORT] = NET_CLASS_ECHO;
	ifc->port_class[UT_RTP_PORT] = NET_CLASS_RTP;
	ifc->class_reasm[NET_CLASS_SIP] = 1;
	ifc->class_reasm[NET_CLASS_ECHO] = 1;
}

void ut_cfg_default(struct net_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->arp_entries = 16;
	cfg->arp_timeout_ms = 1000;
	cfg->arp_retry_ms = 100;
	cfg->arp_retries = 3;
	cfg->arp_hold = 4;
	cfg->frag_flows = 64;
	cfg->frag_timeout_ms = 500;
	cfg->tsc_hz = UT_HZ;
}

struct ut *ut_new(uint16_t self, uint16_t n_workers, bool peer, struct rte_mempool *pool,
                  void (*tweak)(struct net_cfg *))
{
	struct ut *u = calloc(1, sizeof(*u));

	assert_non_null(u);
	u->ifc = calloc(1, sizeof(*u->ifc));
	assert_non_null(u->ifc);
	ut_iface_default(u->ifc, peer);
	ut_cfg_default(&u->cfg);
	if (tweak != NULL)
		tweak(&u->cfg);
	assert_int_equal(
	    net_ctx_init(&u->c, u->ifc, &u->cfg, pool, &u->st, 0, self, n_workers, SOCKET_ID_ANY),
	    0);
	u->now = UT_HZ; /* t = 1 s */
	return u;
}

void ut_free(struct ut *u)
{
	struct rte_mbuf *pkts[64];
	uint16_t n;

	ut_out_clear(&u->out);
	net_ctx_fini(&u->c);
	while ((n = rte_eth_rx_burst(ut_port, 0, pkts, 64)) != 0)
		ut_free_pkts(pkts, n);
	free(u->ifc);
	free(u);
}

void ut_assert_pools_full(void)
{
	assert_int_equal(rte_mempool_avail_count(ut_pool), UT_POOL_N);
	assert_int_equal(rte_mempool_avail_count(ut_small_pool), UT_POOL_N);
}

int ut_setup(void **state)
{
	*state = ut_new(0, 1, false, ut_pool, NULL);
	return 0;
}

int ut_teardown(void **state)
{
	ut_free(*state);
	ut_assert_pools_full();
	return 0;
}

struct rte_mbuf *ut_mbuf_pool(struct rte_mempool *mp, const void *frame, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, len);
	assert_non_null(p);
	memcpy(p, frame, len);
	return m;
}

static void ut_extbuf_free(void *addr, void *opaque)
{
	free(addr);
	free(opaque);
}

struct rte_mbuf *ut_mbuf_exact(const void *frame, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ut_pool);
	struct rte_mbuf_ext_shared_info *sh = calloc(1, sizeof(*sh));
	uint8_t *buf = malloc(len != 0 ? len : 1);

	assert_non_null(m);
	assert_non_null(sh);
	assert_non_null(buf);
	memcpy(buf, frame, len);
	sh->free_cb = ut_extbuf_free;
	sh->fcb_opaque = sh;
	rte_mbuf_ext_refcnt_set(sh, 1);
	rte_pktmbuf_attach_extbuf(m, buf, RTE_BAD_IOVA, len != 0 ? len : 1, sh);
	m->data_off = 0;
	m->data_len = len;
	m->pkt_len = len;
	return m;
}

struct rte_mbuf *ut_mbuf(const void *frame, uint16_t len)
{
	return ut_mbuf_pool(ut_pool, frame, len);
}

uint16_t ut_eth(uint8_t *buf, const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
                uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = (uint8_t)(type >> 8);
	buf[13] = (uint8_t)type;
	return 14;
}

/* A plain byte-wise one's-complement sum, independent of DPDK's. */
static uint32_t ut_sum(const uint8_t *p, uint32_t n, uint32_t s)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t ut_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void ut_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t ut_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void ut_ip_recsum(uint8_t *ip)
{
	uint16_t hl = (uint16_t)((ip[0] & 0xf) * 4);

	ut_put16(ip + 10, 0);
	ut_put16(ip + 10, (uint16_t)~ut_fold(ut_sum(ip, hl, 0)));
}

uint16_t ut_ip(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, uint16_t payload_len,
               uint16_t id, uint16_t frag_off_field, uint8_t opt_len)
{
	uint16_t hl = (uint16_t)(20 + opt_len);

	memset(buf, 0, hl);
	buf[0] = (uint8_t)(0x40 | (hl / 4));
	ut_put16(buf + 2, (uint16_t)(hl + payload_len));
	ut_put16(buf + 4, id);
	ut_put16(buf + 6, frag_off_field);
	buf[8] = 64;
	buf[9] = proto;
	memcpy(buf + 12, &src, 4);
	memcpy(buf + 16, &dst, 4);
	if (opt_len != 0)
		buf[20] = 1; /* NOP options */
	for (uint8_t i = 1; i < opt_len; i++)
		buf[20 + i] = 1;
	ut_ip_recsum(buf);
	return hl;
}

static uint32_t ut_phdr(const uint8_t *ip, uint8_t proto, uint16_t len)
{
	uint32_t s = ut_sum(ip + 12, 8, 0);

	return s + proto + len;
}

static uint16_t ut_udp_hdr(uint8_t *u, const uint8_t *ip, uint16_t sport, uint16_t dport,
                           const void *payload, uint16_t plen)
{
	uint16_t ulen = (uint16_t)(8 + plen);
	uint16_t ck;

	ut_put16(u, sport);
	ut_put16(u + 2, dport);
	ut_put16(u + 4, ulen);
	ut_put16(u + 6, 0);
	if (plen != 0)
		memcpy(u + 8, payload, plen);
	ck = (uint16_t)~ut_fold(ut_sum(u, ulen, ut_phdr(ip, 17, ulen)));
	ut_put16(u + 6, ck == 0 ? 0xffff : ck);
	return ulen;
}

uint16_t ut_udp_frame(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                      const void *payload, uint16_t plen)
{
	uint16_t l2 = ut_eth(buf, &ut_our_mac, &ut_peer_mac, RTE_ETHER_TYPE_IPV4);
	uint16_t l3 = ut_ip(buf + l2, src, dst, 17, (uint16_t)(8 + plen), 0x1234, 0, 0);

	return (uint16_t)(l2 + l3 +
	                  ut_udp_hdr(buf + l2 + l3, buf + l2, sport, dport, payload, plen));
}

uint16_t ut_icmp_frame(uint8_t *buf, uint32_t src, uint8_t type, uint16_t id, uint16_t seq,
                       const void *data, uint16_t dlen)
{
	uint16_t l2 = ut_eth(buf, &ut_our_mac, &ut_peer_mac, RTE_ETHER_TYPE_IPV4);
	uint16_t l3 = ut_ip(buf + l2, src, UT_OUR_IP, 1, (uint16_t)(8 + dlen), 0x4321, 0, 0);
	uint8_t *ic = buf + l2 + l3;

	ic[0] = type;
	ic[1] = 0;
	ut_put16(ic + 2, 0);
	ut_put16(ic + 4, id);
	ut_put16(ic + 6, seq);
	memcpy(ic + 8, data, dlen);
	ut_put16(ic + 2, (uint16_t)~ut_fold(ut_sum(ic, (uint32_t)(8 + dlen), 0)));
	return (uint16_t)(l2 + l3 + 8 + dlen);
}

uint16_t ut_arp_frame(uint8_t *buf, const struct rte_ether_addr *eth_dst,
                      const struct rte_ether_addr *eth_src, uint16_t op,
                      const struct rte_ether_addr *sha, uint32_t sip,
                      const struct rte_ether_addr *tha, uint32_t tip)
{
	uint16_t l2 = ut_eth(buf, eth_dst, eth_src, RTE_ETHER_TYPE_ARP);
	uint8_t *a = buf + l2;
	static const struct rte_ether_addr zero;

	ut_put16(a, 1);
	ut_put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	ut_put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &sip, 4);
	memcpy(a + 18, tha != NULL ? tha : &zero, 6);
	memcpy(a + 24, &tip, 4);
	return (uint16_t)(l2 + 28);
}

int ut_udp_fragments(uint8_t (*frames)[UT_FRAME_MAX], uint16_t *lens, int max, uint32_t src,
                     uint16_t id, uint16_t dport, const void *payload, uint16_t plen, uint16_t per)
{
	static uint8_t l4[65536];
	uint8_t pip[20];
	uint16_t ulen, off;
	int n = 0;

	/* the checksum covers the whole datagram: compute it on a pseudo IP header */
	ut_ip(pip, src, UT_OUR_IP, 17, 0, 0, 0, 0);
	ulen = ut_udp_hdr(l4, pip, 4000, dport, payload, plen);
	for (off = 0; off < ulen && n < max; off = (uint16_t)(off + per), n++) {
		uint16_t chunk = (uint16_t)RTE_MIN((uint32_t)per, (uint32_t)(ulen - off));
		bool more = off + chunk < ulen;
		uint16_t l2 = ut_eth(frames[n], &ut_our_mac, &ut_peer_mac, RTE_ETHER_TYPE_IPV4);
		uint16_t l3 = ut_ip(frames[n] + l2, src, UT_OUR_IP, 17, chunk, id,
		                    (uint16_t)((more ? 0x2000 : 0) | (off / 8)), 0);

		memcpy(frames[n] + l2 + l3, l4 + off, chunk);
		lens[n] = (uint16_t)(l2 + l3 + chunk);
	}
	return n;
}

void ut_fill(uint8_t *p, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

void ut_input(struct ut *u, struct rte_mbuf *m)
{
	assert_int_equal(net_input_burst(&u->c, &m, 1, &u->out, u->now), 1);
}

void ut_input_frame(struct ut *u, const void *frame, uint16_t len)
{
	ut_input(u, ut_mbuf(frame, len));
}

uint16_t ut_tx_collect(struct ut *u, struct rte_mbuf **pkts, uint16_t max)
{
	uint16_t n = 0, k;

	net_tx_flush(&u->c);
	while (n < max && (k = rte_eth_rx_burst(ut_port, 0, pkts + n, (uint16_t)(max - n))) != 0)
		n = (uint16_t)(n + k);
	return n;
}

void ut_free_pkts(struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
}

void ut_out_clear(struct net_rx_out *out)
{
	for (int c = 0; c < NET_CLASS__MAX; c++)
		ut_free_pkts(out->cls[c], out->n_class[c]);
	for (unsigned w = 0; w < VOX_MAX_WORKERS; w++)
		ut_free_pkts(out->frag[w], out->n_frag[w]);
	ut_free_pkts(out->arp_share, out->n_arp_share);
	memset(out, 0, sizeof(*out));
}

void ut_learn(struct ut *u, uint32_t ip, const struct rte_ether_addr *mac)
{
	uint8_t f[64];
	uint16_t len =
	    ut_arp_frame(f, &u->ifc->mac, mac, RTE_ARP_OP_REPLY, mac, ip, &u->ifc->mac, u->ifc->ip);
	uint64_t drops = u->st.drops;

	ut_input_frame(u, f, len);
	assert_int_equal(u->st.drops, drops);
	ut_free_pkts(u->out.arp_share, u->out.n_arp_share);
	u->out.n_arp_share = 0;
}

void ut_assert_one_drop(const struct ut *u, enum vox_drop_reason why)
{
	assert_int_equal(u->st.drop[why], 1);
	assert_int_equal(u->st.drops, 1);
}

bool ut_ip_csum_ok(const uint8_t *ip)
{
	return ut_fold(ut_sum(ip, (uint32_t)(ip[0] & 0xf) * 4, 0)) == 0xffff;
}

bool ut_udp_csum_ok(const uint8_t *ip)
{
	const uint8_t *u = ip + (ip[0] & 0xf) * 4;
	uint16_t ulen = ut_get16(u + 4);

	if (ut_get16(u + 6) == 0)
		return true;
	return ut_fold(ut_sum(u, ulen, ut_phdr(ip, 17, ulen))) == 0xffff;
}
