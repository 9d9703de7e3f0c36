/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_net_classify.c — packets/s and cycles/packet of net_input_burst behind a net_ring RX. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ring.h>

#include "net.h"

/*
 * One lcore. Each turn a generator (not timed) allocates 32 mbufs, copies pre-built frames into
 * them and enqueues them on the RX ring of a net_ring port. The timed part is what a worker does
 * per burst: rte_eth_rx_burst on that port, net_input_burst, freeing what was delivered (as the
 * consumer would), and net_tx_flush of the answers (ICMP/ARP replies) to the port's TX ring.
 * The TX ring is drained untimed. Frames are re-initialised each turn because net answers ICMP
 * and ARP in place. Mixes: "mix" = 25 RTP, 5 SIP, 1 ICMP echo, 1 ARP request per 32;
 * "rtp" = RTP only.
 */

#define BURST 32
#define RING_SZ 1024

static const struct rte_ether_addr our_mac = {{0x02, 0, 0, 0, 0, 0x02}};
static const struct rte_ether_addr peer_mac = {{0x02, 0, 0, 0, 0, 0x01}};
#define OUR_IP RTE_BE32(0xc0000202)
#define PEER_IP RTE_BE32(0xc0000201)

struct tmpl {
	uint8_t b[1024];
	uint16_t len;
};

static uint16_t mk_ip_udp(uint8_t *b, uint16_t dport, uint16_t plen)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);

	eh->dst_addr = our_mac;
	eh->src_addr = peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 8 + plen));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = PEER_IP;
	ip->dst_addr = OUR_IP;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	uh->src_port = RTE_BE16(30000);
	uh->dst_port = rte_cpu_to_be_16(dport);
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + plen));
	uh->dgram_cksum = 0;
	for (uint16_t i = 0; i < plen; i++)
		((uint8_t *)(uh + 1))[i] = (uint8_t)(i * 13);
	uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
	return (uint16_t)(14 + 20 + 8 + plen);
}

static uint16_t mk_icmp(uint8_t *b)
{
	uint16_t len = mk_ip_udp(b, 0, 56);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + 14);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);

	ip->next_proto_id = IPPROTO_ICMP;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_code = 0;
	ic->icmp_ident = RTE_BE16(1);
	ic->icmp_seq_nb = RTE_BE16(1);
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 64);
	return len;
}

static uint16_t mk_arp(uint8_t *b)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eh + 1);

	memset(b, 0, 60);
	memset(&eh->dst_addr, 0xff, 6);
	eh->src_addr = peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = peer_mac;
	a->arp_data.arp_sip = PEER_IP;
	a->arp_data.arp_tip = OUR_IP;
	return 60;
}

struct run {
	uint64_t pkts, cycles;
	double secs;
};

static int bench(const char *name, struct net_ctx *c, struct rte_mempool *mp, uint16_t port,
                 struct rte_ring *rxr, struct rte_ring *txr, const struct tmpl *const *seq,
                 double seconds)
{
	struct rte_mbuf *gen[BURST], *pkts[BURST], *done[NET_TXQ_MAX];
	struct net_rx_out out;
	struct run r = {0};
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), end = start + (uint64_t)(seconds * hz);
	uint64_t now;

	memset(&out, 0, sizeof(out));
	while ((now = rte_rdtsc()) < end) {
		uint64_t t0, t1;
		uint16_t n;

		for (int k = 0; k < 64; k++) { /* 64 bursts between clock checks */
			if (rte_pktmbuf_alloc_bulk(mp, gen, BURST) != 0)
				return -ENOMEM;
			for (int i = 0; i < BURST; i++) {
				const struct tmpl *t = seq[i];

				rte_memcpy(rte_pktmbuf_append(gen[i], t->len), t->b, t->len);
			}
			rte_ring_enqueue_bulk(rxr, (void **)gen, BURST, NULL);

			t0 = rte_rdtsc();
			n = rte_eth_rx_burst(port, 0, pkts, BURST);
			net_input_burst(c, pkts, n, &out, now);
			for (int cl = 0; cl < NET_CLASS__MAX; cl++) {
				if (out.n_class[cl] != 0)
					rte_pktmbuf_free_bulk(out.cls[cl], out.n_class[cl]);
				out.n_class[cl] = 0;
			}
			net_tx_flush(c);
			t1 = rte_rdtsc();

			r.cycles += t1 - t0;
			r.pkts += n;
			unsigned d;
			while ((d = rte_ring_dequeue_burst(txr, (void **)done, NET_TXQ_MAX,
			                                   NULL)) != 0)
				rte_pktmbuf_free_bulk(done, d);
		}
	}
	r.secs = (double)r.cycles / (double)hz;
	printf("net-classify %-4s: %.2f Mpps (%.1f cycles/packet, %.2f GHz TSC), %" PRIu64
	       " packets, drops %" PRIu64 "\n",
	       name, (double)r.pkts / r.secs / 1e6, (double)r.cycles / (double)r.pkts,
	       (double)hz / 1e9, r.pkts, c->st->drops);
	return 0;
}

int main(int argc, char **argv)
{
	static struct net_iface ifc;
	static struct vox_stats_row st;
	static struct tmpl rtp, sipm, icmp, arp;
	const struct tmpl *mix[BURST], *rtponly[BURST];
	struct net_cfg cfg = {.arp_entries = 256,
	                      .arp_timeout_ms = 300000,
	                      .arp_retry_ms = 1000,
	                      .arp_retries = 3,
	                      .arp_hold = 4,
	                      .frag_flows = 256,
	                      .frag_timeout_ms = 2000};
	struct rte_mempool *mp;
	struct rte_ring *rxr, *txr;
	struct net_ctx c;
	double seconds = 2.0;
	int port, n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		return 1;
	argc -= n;
	argv += n;
	if (argc > 2 && strcmp(argv[1], "-s") == 0)
		seconds = atof(argv[2]);

	mp = rte_pktmbuf_pool_create("bench_pool", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                             (int)rte_socket_id());
	rxr = rte_ring_create("bench_rx", RING_SZ, (int)rte_socket_id(),
	                      RING_F_SP_ENQ | RING_F_SC_DEQ);
	txr = rte_ring_create("bench_tx", RING_SZ, (int)rte_socket_id(),
	                      RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (mp == NULL || rxr == NULL || txr == NULL)
		return 1;
	/* a net_ring port on our two rings: RX reads bench_rx, TX writes bench_tx */
	port = rte_eth_from_rings("net_ring_bench", &rxr, 1, &txr, 1, (unsigned)rte_socket_id());
	if (port < 0 ||
	    rte_eth_dev_configure((uint16_t)port, 1, 1, &(struct rte_eth_conf){0}) != 0 ||
	    rte_eth_rx_queue_setup((uint16_t)port, 0, RING_SZ, rte_socket_id(), NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup((uint16_t)port, 0, RING_SZ, rte_socket_id(), NULL) != 0 ||
	    rte_eth_dev_start((uint16_t)port) != 0) {
		fprintf(stderr, "bench-net-classify: net_ring port setup failed\n");
		return 1;
	}

	ifc.ip = OUR_IP;
	ifc.mask = RTE_BE32(0xffffff00);
	ifc.mac = our_mac;
	ifc.port_id = (uint16_t)port;
	ifc.mtu = 1500;
	ifc.port_class[5060] = NET_CLASS_SIP;
	for (int p = 10000; p < 20000; p += 2)
		ifc.port_class[p] = NET_CLASS_RTP;
	ifc.class_reasm[NET_CLASS_SIP] = 1;
	cfg.tsc_hz = rte_get_tsc_hz();
	rc = net_ctx_init(&c, &ifc, &cfg, mp, &st, 0, 0, 1, (int)rte_socket_id());
	if (rc != 0)
		return 1;

	rtp.len = mk_ip_udp(rtp.b, 10000, 172); /* G.711 20 ms */
	sipm.len = mk_ip_udp(sipm.b, 5060, 640);
	icmp.len = mk_icmp(icmp.b);
	arp.len = mk_arp(arp.b);
	for (int i = 0; i < BURST; i++) {
		mix[i] = i == 7 ? &icmp : i == 23 ? &arp : (i % 5 == 2) ? &sipm : &rtp;
		rtponly[i] = &rtp;
	}
	if (bench("mix", &c, mp, (uint16_t)port, rxr, txr, mix, seconds) != 0 ||
	    bench("rtp", &c, mp, (uint16_t)port, rxr, txr, rtponly, seconds) != 0)
		return 1;
	printf("net-classify counters: udp_rx %" PRIu64 " icmp_echo %" PRIu64 " arp_rep_tx %" PRIu64
	       " drops %" PRIu64 "\n",
	       st.udp_rx, st.icmp_echo, st.arp_rep_tx, st.drops);
	net_ctx_fini(&c);
	rte_eth_dev_stop((uint16_t)port);
	rte_eal_cleanup();
	return 0;
}
