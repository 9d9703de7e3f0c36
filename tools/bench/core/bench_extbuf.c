/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_extbuf.c — playout packet construction: copy the pre-encoded 20 ms frame into the
 * packet (what dp_play.c does) against attaching the shared-pool frame as an external buffer
 * (a header mbuf chained to an extbuf mbuf that points into the pool, refcounted through a
 * shared shinfo). The media issue asked to measure external-buffer mbufs before adopting them.
 *
 * Both variants build the same packet (Ethernet + IPv4 + UDP + RTP header + 160 bytes G.711),
 * compute the IPv4 header and UDP checksums (the software path of net_udp_output; the chained
 * variant has to walk two segments) and go out in bursts of 32 to net_null, which frees them
 * (for the extbuf variant: the refcount drop on the shared info, as a NIC completion would).
 * Figures: cycles per packet, best and median of 9 rounds of 1M packets, one lcore. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "rtp.h"

#define BURST 32
#define ROUNDS 9
#define PER_ROUND (1u << 20)
#define FRAME 160
#define HDRS (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))

static struct rte_mempool *mp;
static uint16_t port;
static uint8_t *frame;                     /* "the media pool": one shared encoded frame */
static struct rte_mbuf_ext_shared_info *shinfo;
static uint64_t freed_ext;

static void ext_free_cb(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
	freed_ext++;
}

/* Ethernet/IPv4/UDP in front of `rtp_len` bytes of RTP that follow in the mbuf chain. */
static void put_headers(struct rte_mbuf *m, uint8_t *p, uint32_t rtp_len, int chained)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
	memset(e, 0, sizeof(*e));
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*u) + rtp_len));
	ip->src_addr = rte_cpu_to_be_32(0xc0000202);
	ip->dst_addr = rte_cpu_to_be_32(0xc0000201);
	u->src_port = rte_cpu_to_be_16(20000);
	u->dst_port = rte_cpu_to_be_16(30000);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*u) + rtp_len));
	u->dgram_cksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	m->l2_len = sizeof(*e);
	m->l3_len = sizeof(*ip);
	if (chained)
		u->dgram_cksum = rte_ipv4_udptcp_cksum_mbuf(m, ip, sizeof(*e) + sizeof(*ip));
	else
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
}

static struct rte_mbuf *build_copy(uint16_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	if (!m)
		return NULL;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(HDRS + RTP_HDR_LEN + FRAME));
	struct rtp_build b = {.pt = 0, .seq = seq, .ts = (uint32_t)seq * 160u, .ssrc = 0x1234};
	rtp_build_hdr(p + HDRS, RTP_HDR_LEN, &b);
	memcpy(p + HDRS + RTP_HDR_LEN, frame, FRAME);
	put_headers(m, p, RTP_HDR_LEN + FRAME, 0);
	return m;
}

static struct rte_mbuf *build_ext(uint16_t seq)
{
	struct rte_mbuf *h = rte_pktmbuf_alloc(mp);
	struct rte_mbuf *d = rte_pktmbuf_alloc(mp);
	if (!h || !d) {
		rte_pktmbuf_free(h);
		rte_pktmbuf_free(d);
		return NULL;
	}
	rte_mbuf_ext_refcnt_update(shinfo, 1);
	rte_pktmbuf_attach_extbuf(d, frame, rte_malloc_virt2iova(frame), FRAME, shinfo);
	d->data_len = FRAME;
	d->pkt_len = FRAME;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(h, (uint16_t)(HDRS + RTP_HDR_LEN));
	struct rtp_build b = {.pt = 0, .seq = seq, .ts = (uint32_t)seq * 160u, .ssrc = 0x1234};
	rtp_build_hdr(p + HDRS, RTP_HDR_LEN, &b);
	if (rte_pktmbuf_chain(h, d) != 0) {
		rte_pktmbuf_free(h);
		rte_pktmbuf_free(d);
		return NULL;
	}
	put_headers(h, p, RTP_HDR_LEN + FRAME, 1);
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void run(const char *name, struct rte_mbuf *(*build)(uint16_t))
{
	uint64_t cyc[ROUNDS];
	uint64_t fails = 0;
	struct rte_mbuf *burst[BURST];
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = rte_rdtsc_precise();
		for (uint32_t i = 0; i < PER_ROUND; i += BURST) {
			uint16_t n = 0;
			for (uint32_t k = 0; k < BURST; k++) {
				struct rte_mbuf *m = build((uint16_t)(i + k));
				if (m)
					burst[n++] = m;
				else
					fails++;
			}
			uint16_t s = rte_eth_tx_burst(port, 0, burst, n);
			for (uint16_t k = s; k < n; k++)
				rte_pktmbuf_free(burst[k]);
		}
		cyc[r] = rte_rdtsc_precise() - t0;
	}
	qsort(cyc, ROUNDS, sizeof(cyc[0]), cmp_u64);
	double best = (double)cyc[0] / PER_ROUND, med = (double)cyc[ROUNDS / 2] / PER_ROUND;
	printf("%-44s %7.1f best %7.1f median cycles/packet  %6.2f Mpps%s\n", name, best, med,
	       (double)rte_get_tsc_hz() / med / 1e6, fails ? "  (allocation failures!)" : "");
}

int main(int argc, char **argv)
{
	char *eal[] = {argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--log-level=error",
		       "--vdev=net_null0,copy=0", "-l", "0"};
	(void)argc;
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "bench-extbuf: EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("bench", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	frame = rte_malloc("frame", FRAME + sizeof(*shinfo), 64);
	if (!mp || !frame)
		return 1;
	memset(frame, 0xd5, FRAME);
	shinfo = (struct rte_mbuf_ext_shared_info *)(frame + FRAME);
	shinfo->free_cb = ext_free_cb;
	shinfo->fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(shinfo, 1); /* the pool's own reference: never dropped here */
	struct rte_eth_conf conf = {0};
	if (rte_eth_dev_get_port_by_name("net_null0", &port) != 0 || rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, 0, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, 0, NULL) != 0 || rte_eth_dev_start(port) != 0) {
		fprintf(stderr, "bench-extbuf: net_null port setup failed\n");
		return 1;
	}
	printf("bench-extbuf: one playout packet (RTP + 160 B G.711), headers + checksums + TX to net_null\n");
	for (int pass = 0; pass < 2; pass++) { /* the first pass warms caches and the pool */
		if (pass)
			printf("--\n");
		run("copy frame into the packet (dp_play.c)", build_copy);
		run("header mbuf + extbuf mbuf on the pool frame", build_ext);
	}
	printf("extbuf references left: %u (1 = the pool's own), free callbacks run: %llu\n",
	       (unsigned)rte_mbuf_ext_refcnt_read(shinfo), (unsigned long long)freed_ext);
	rte_eth_dev_stop(port);
	rte_eal_cleanup();
	return 0;
}
