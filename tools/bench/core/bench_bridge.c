/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_bridge.c — the bridge relay on one lcore, in process: cycles per packet and packets/s
 * for bridged G.711 legs with 1k, 10k and 50k sessions (a session = two bridged legs), packets
 * addressed to random sessions across the whole set, TX to net_null. Legs are created and
 * bridged through the real command path (BRIDGE records in the command ring); packets are
 * pre-built mbufs (built outside the timed region, like a NIC's DMA) with valid IPv4/UDP checksums
 * and the RX checksum flags a NIC with checksum offload sets. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dp_bridge.h"
#include "dp_lcore.h"
#include "dp_media.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "rtp.h"
#include "vox_layout.h"
#include "vox_rec.h"
#include "vsrtp.h"

/*
 * Two figures per session count:
 *  - "full path": Ethernet frames into dp_worker_turn_rx (classification, IPv4/UDP checks, leg
 *    by port, latching, RFC 3550 statistics, the bridge hook, rewrite, UDP/IP output, burst TX
 *    to net_null). The port plan (two ports per leg from rtp_port_min, one IPv4 address) allows
 *    about 27k legs, so this runs at 1k and 10k sessions only.
 *  - "peer side": relayed packets as the peer's owner receives them from the handoff ring
 *    (dp_bridge_tx: handle lookup with its generation check, rewrite, stats, UDP/IP output, TX);
 *    this is the only per-packet work that depends on the session table, so it runs at 1k, 10k
 *    and 50k sessions.
 * "SRTP on" is the integrated path: every leg is an SRTP leg (AES_CM_128_HMAC_SHA1_80, its
 * libsrtp sessions made by dp_srtp_leg_start as on ANSWER), the far ends send SRTP (protected
 * outside the timed region), and the timed work is the dataplane's own: dp_rtp_input's
 * unprotect on the receiving leg, the relay, and dp_bridge_tx's protect with the peer leg's
 * session.
 * "64 hot legs" is the full path with packets for legs [0, 64) only: their state stays in the
 * caches, so it is the per-packet work without the misses; the difference to "SRTP off" at the
 * same session count is what the misses still cost after the prefetch.
 * BENCH_BRIDGE_ONLY=<sessions> in the environment runs that session count's figures only (for
 * repeated A/B runs on a shared machine).
 *
 * Notes (2-vCPU KVM guest, AMD EPYC family 26, shared with other builds; figures are medians of
 * the per-run medians over 6 interleaved runs, load average 1.1-1.3; the machine has no PMU in
 * the guest, so the analysis used perf's cpu-clock sampling and knock-out experiments):
 *  - before (fec9089): 1k 395, 10k 436 cycles/packet (best 293 / 342); peer side 156/202/362.
 *  - after: 1k 296, 10k 327 (best 259 / 294); 64 hot legs ~252; peer side 146/173/329.
 *  - where the 10k cycles went: ~275 compute (hot set) + ~110-150 misses. The compute had
 *    store-to-load forwarding stalls (metadata built on the stack and copied whole, the RTP header
 *    written byte by byte then summed, the IPv4 header written then read back for its checksum:
 *    -35 together), divisions (port pair -> slot/owner, 128-bit arrival time per packet: a few).
 *    Misses: without the burst prefetch the 10k path costs 600-1000; with it, ~9 lines per
 *    packet (each leg's dp_leg, dp_sipleg line 0, dp_rtpleg lines 0 and 1 or 2; a mirror entry
 *    one time in 25) leave ~50-75. A software-pipelined prefetch (distances 8/4/2, 16/8/4,
 *    32/16/8 packets) was no better than prefetching the whole burst at once (kept).
 *  - the largest remaining miss: the relay's SIP fields (rtp_port, codec_pt, dtmf_pt, hold,
 *    srtp) sit on dp_sipleg's first line, 2648 bytes apart per leg: a line and, on 4 KiB pages,
 *    a TLB miss per leg per packet. Reading a single shared dp_sipleg instead (a knock-out, not a
 *    fix) gave ~35-40 cycles at 10k. Moving them beside the relay's state means changing every
 *    SDP writer in dp_sip_uas.c/dp_sip_uac.c; not done.
 *  - SRTP: unchanged, ~5-6k (1k) / ~8k (10k) cycles per relayed packet, libsrtp's per-stream
 *    state being cold (unprotect and protect, two sessions per packet).
 */

#define PEER_IP "192.0.2.1"
#define OUR_IP "192.0.2.2"
#define MAX_SESSIONS 50000u
#define BURST 32
#define HOT_LEGS 64

static struct dp_ctx ctx;
static struct dp_lcore *lc;
static struct rte_ether_addr peer_mac = {{0x02, 0, 0, 0, 0, 0x01}};
static unsigned char evbuf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];
static uint32_t n_legs;
static vox_handle_t *handles;  /* by leg index (slot) */
static uint16_t *seqs;
static uint32_t *tss;
static struct vsrtp **srtp_far; /* per leg: the far end's TX session (keyed as the leg's remote key) */
static uint32_t srtp_started;  /* legs whose dataplane sessions exist */
static uint64_t rng = 0x243f6a8885a308d3ull;

static inline uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void heartbeat(void)
{
	atomic_store(&ctx.shm.hdr->ctl.pid, (uint32_t)getpid());
	atomic_store(&ctx.shm.hdr->ctl.heartbeat_ns, mono_ns());
}

static void drain_events(void)
{
	while (vox_rec_recv(lc->evt, evbuf, VOX_REC_MAX_SLOTS) > 0)
		;
}

static uint16_t peer_port_of(uint32_t i)
{
	return (uint16_t)(20000 + i % 40000);
}

/* Answered SIP legs without signalling: what the SIP service leaves after a 200/ACK. */
static int add_legs(uint32_t want)
{
	while (n_legs < want) {
		struct dp_leg *leg = dp_leg_alloc(lc, VOX_LEG_KIND_SIP_IN, 0, NULL, 0, 0);
		if (!leg)
			return -1;
		uint32_t slot = (uint32_t)(leg - lc->legs);
		struct dp_sipleg *sl = dp_sip_leg(lc, leg);
		memset(sl, 0, offsetof(struct dp_sipleg, local_tag));
		dp_rtp_leg_reset(lc, slot);
		sl->uas = 1;
		sl->answered = 1;
		sl->rtp_port = (uint16_t)dp_rtp_port(ctx.cfg.rtp_port_min, slot, 0, 1);
		sl->codec_pt = 8;
		sl->dtmf_pt = 101;
		sl->media.family = 4;
		inet_pton(AF_INET, PEER_IP, sl->media.ip);
		sl->media.port = peer_port_of(slot);
		dp_leg_set_state(lc, leg, VOX_LEG_ANSWERED);
		handles[slot] = dp_leg_handle(lc, leg);
		seqs[slot] = (uint16_t)rnd();
		tss[slot] = (uint32_t)rnd();
		n_legs++;
		if (n_legs % 2 == 0) { /* bridge the pair through the command path */
			struct vox_bridge b = {.peer = handles[slot]};
			struct vox_rec_hdr c;
			memset(&c, 0, sizeof(c));
			c.type = VOX_CMD_BRIDGE;
			c.leg = handles[slot - 1];
			while (vox_rec_send(lc->cmd, &c, &b, sizeof(b), VOX_REC_MAX_PAYLOAD, NULL) != 0) {
				heartbeat();
				dp_ctl_poll(lc, rte_rdtsc());
				drain_events();
			}
		}
		if (n_legs % 1024 == 0) {
			heartbeat();
			dp_ctl_poll(lc, rte_rdtsc());
			drain_events();
		}
	}
	while (vox_rec_ring_count(lc->cmd)) {
		heartbeat();
		dp_ctl_poll(lc, rte_rdtsc());
		drain_events();
	}
	drain_events();
	return 0;
}

/* One RTP frame from the far end of leg i, as the NIC delivers it. */
static struct rte_mbuf *rtp_frame(uint32_t i, int srtp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ctx.pool);
	if (!m)
		return NULL;
	size_t rl = RTP_HDR_LEN + 160;
	size_t cap = rl + (srtp ? VSRTP_RTP_TRAILER_MAX : 0);
	size_t tot = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr);
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(tot + cap));
	struct rte_ether_hdr *e = (void *)p;
	e->dst_addr = ctx.ifc.mac;
	e->src_addr = peer_mac;
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	uint8_t *r = p + tot;
	struct rtp_build b = {.pt = 8, .seq = seqs[i]++, .ts = tss[i], .ssrc = 0x10000000u + i};
	tss[i] += 160;
	rtp_build_hdr(r, RTP_HDR_LEN, &b);
	memset(r + RTP_HDR_LEN, 0xd5, 160);
	if (srtp)
		vsrtp_protect(srtp_far[i], r, &rl, cap);
	rte_pktmbuf_trim(m, (uint16_t)(cap - rl));
	struct rte_ipv4_hdr *ip = (void *)(e + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(struct rte_udp_hdr) + rl));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	inet_pton(AF_INET, PEER_IP, &ip->src_addr);
	ip->dst_addr = ctx.ifc.ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	struct rte_udp_hdr *u = (void *)(ip + 1);
	u->src_port = rte_cpu_to_be_16(peer_port_of(i));
	u->dst_port = rte_cpu_to_be_16((uint16_t)dp_rtp_port(ctx.cfg.rtp_port_min, i, 0, 1));
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*u) + rl));
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	/* as a NIC with RX checksum offload delivers it (the checksums were verified) */
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return m;
}

/* A relayed packet as the peer's owner takes it off the handoff ring (dp_bridge_rx's format). */
static struct rte_mbuf *relayed(uint32_t i)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ctx.pool);
	if (!m)
		return NULL;
	uint8_t *r = (uint8_t *)rte_pktmbuf_append(m, RTP_HDR_LEN + 160);
	if (!r) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	struct rtp_build b = {.pt = 8, .seq = seqs[i]++, .ts = tss[i], .ssrc = 0x10000000u + i};
	tss[i] += 160;
	rtp_build_hdr(r, RTP_HDR_LEN, &b);
	memset(r + RTP_HDR_LEN, 0xd5, 160);
	uint64_t *md = (uint64_t *)(r - 16);
	md[0] = handles[i ^ 1u]; /* the peer: pairs are (2k, 2k+1) */
	md[1] = handles[i];
	/* the payload sum the receiving lcore derived from the datagram's UDP checksum */
	uint32_t *sum = (uint32_t *)(r - 24);
	sum[0] = rte_raw_cksum(r, RTP_HDR_LEN + 160);
	sum[1] = 1;
	return m;
}

/* The machine is shared: a figure is the best and the median of ROUNDS rounds (cycles/packet
 * per round), besides the overall mean; preemption by other processes inflates the mean. */
#define ROUNDS 16
struct rounds {
	double cpp[ROUNDS];
	uint32_t n;
	uint64_t cyc, pkts;
};

static void round_add(struct rounds *r, uint64_t cyc, uint32_t pkts, uint32_t total)
{
	r->cyc += cyc;
	r->pkts += pkts;
	if (r->pkts >= total / ROUNDS && r->n < ROUNDS) {
		r->cpp[r->n++] = (double)r->cyc / (double)r->pkts;
		r->cyc = r->pkts = 0;
	}
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, uint32_t sessions, struct rounds *r, uint64_t cyc, uint64_t done,
		   uint64_t relayed)
{
	qsort(r->cpp, r->n, sizeof(r->cpp[0]), dcmp);
	double best = r->n ? r->cpp[0] : 0, med = r->n ? r->cpp[r->n / 2] : 0;
	printf("%s %5u sessions (%6u legs): best %5.0f, median %5.0f, mean %5.0f cycles/packet "
	       "= %5.2f Mpps at the median on one lcore (%llu/%llu relayed)\n",
	       what, sessions, n_legs, best, med, (double)cyc / (double)done,
	       med > 0 ? (double)rte_get_tsc_hz() / med / 1e6 : 0, (unsigned long long)relayed,
	       (unsigned long long)done);
}

/* hot: packets go to legs [0, hot) only (a set that stays in the caches: the per-packet work
 * without the misses); 0: to all legs */
static void full_path(uint32_t sessions, int srtp, uint32_t n_pkts, uint32_t hot)
{
	struct rte_mbuf *pk[BURST];
	/* latch every leg first (the first packet of a leg is not what we measure) */
	for (uint32_t i = 0; i < n_legs; i += BURST) {
		uint16_t n = 0;
		for (uint32_t k = i; k < n_legs && n < BURST; k++)
			if ((pk[n] = rtp_frame(k, srtp)) != NULL)
				n++; /* a first SRTP packet also makes the leg's inbound stream (allocates) */
		dp_worker_turn_rx(lc, pk, n, rte_rdtsc());
		net_tx_flush(&lc->net);
	}
	uint64_t relayed0 = lc->st->bridge_relayed, cyc = 0, done = 0;
	uint64_t prot0 = lc->st->srtp_protected, ok0 = lc->st->srtp_ok;
	struct rounds rd = {0};
	while (done < n_pkts) {
		uint16_t n = 0;
		while (n < BURST) {
			uint32_t i = (uint32_t)(rnd() % (hot && hot < n_legs ? hot : n_legs));
			if ((pk[n] = rtp_frame(i, srtp)) == NULL)
				break;
			n++;
		}
		uint64_t t0 = rte_rdtsc();
		dp_worker_turn_rx(lc, pk, n, t0);
		net_tx_flush(&lc->net);
		uint64_t c = rte_rdtsc() - t0;
		cyc += c;
		done += n;
		round_add(&rd, c, n, n_pkts);
	}
	uint64_t rel = lc->st->bridge_relayed - relayed0;
	char what[64];
	if (hot)
		snprintf(what, sizeof(what), "full path, %u hot legs", hot);
	else
		snprintf(what, sizeof(what), "full path, SRTP %s", srtp ? "on " : "off");
	report(what, sessions, &rd, cyc, done, rel);
	if (srtp)
		printf("  (SRTP: %llu unprotected, %llu protected by the dataplane)\n",
		       (unsigned long long)(lc->st->srtp_ok - ok0), (unsigned long long)(lc->st->srtp_protected - prot0));
}

static void peer_side(uint32_t sessions, uint32_t n_pkts)
{
	struct rte_mbuf *pk[BURST];
	uint64_t relayed0 = lc->st->bridge_relayed, cyc = 0, done = 0;
	struct rounds rd = {0};
	while (done < n_pkts) {
		uint16_t n = 0;
		while (n < BURST) {
			if ((pk[n] = relayed((uint32_t)(rnd() % n_legs))) == NULL)
				break;
			n++;
		}
		uint64_t t0 = rte_rdtsc();
		dp_bridge_tx_burst(lc, pk, n, t0);
		net_tx_flush(&lc->net);
		uint64_t c = rte_rdtsc() - t0;
		cyc += c;
		done += n;
		round_add(&rd, c, n, n_pkts);
	}
	report("peer side only   ", sessions, &rd, cyc, done, lc->st->bridge_relayed - relayed0);
}

#define SRTP_KEY_LOCAL 1
#define SRTP_KEY_REMOTE 2

static void srtp_key(uint8_t *k, uint8_t seed)
{
	for (int i = 0; i < VSRTP_MASTER_LEN; i++)
		k[i] = (uint8_t)(i * 7 + seed);
}

/* Legs [0, legs) become SRTP legs (on = 1) or plain again (on = 0; their sessions stay). */
static int srtp_legs(uint32_t legs, int on)
{
	struct vsrtp_cfg c = {.suite = VSRTP_AES_CM_128_HMAC_SHA1_80, .any_ssrc = true, .dir = VSRTP_TX};
	srtp_key(c.master, SRTP_KEY_REMOTE);
	for (uint32_t i = 0; i < legs; i++) {
		struct dp_leg *leg = dp_leg_lookup(lc, handles[i]);
		struct dp_sipleg *sl = dp_sip_leg(lc, leg);
		if (i >= srtp_started) {
			sl->srtp = 1;
			sl->srtp_suite = SIP_SDP_AES_CM_128_HMAC_SHA1_80;
			srtp_key(sl->srtp_local, SRTP_KEY_LOCAL);
			srtp_key(sl->srtp_remote, SRTP_KEY_REMOTE);
			if (dp_srtp_leg_start(lc, leg) != 0 || vsrtp_create(&srtp_far[i], &c) != 0)
				return -1;
			srtp_started = i + 1;
		}
		sl->srtp = (uint8_t)on;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char prefix[64], shm[128];
	snprintf(prefix, sizeof(prefix), "--file-prefix=bbr%d", (int)getpid());
	/* 4 KiB pages by default (the machine's hugepages are shared); "huge" as the third argument
	 * runs on hugepages as the dataplane does (fewer TLB misses across 10k+ legs' state) */
	int huge = argc > 3 && strcmp(argv[3], "huge") == 0;
	char *eal[] = {argv[0], huge ? "--in-memory" : "--no-huge", "-m", huge ? "1200" : "2048", "--no-pci",
		       "--no-shconf", "-l", "0", "--no-telemetry", "--log-level=*:error", "--vdev=net_null0", prefix};
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		return 1;
	uint32_t n_pkts = argc > 1 ? (uint32_t)atoi(argv[1]) : 2000000u;
	char err[128];
	vox_conf_defaults(dp_conf_table, &ctx.cfg, err, sizeof(err));
	ctx.cfg.max_legs = 2 * MAX_SESSIONS;
	ctx.cfg.rtp_port_min = 10000;
	ctx.cfg.rtp_port_max = 65534;
	ctx.n_workers = 1;
	ctx.tsc_hz = rte_get_tsc_hz();
	ctx.efd = -1;
	ctx.pool = rte_pktmbuf_pool_create("bench", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	ctx.big_pool = rte_pktmbuf_pool_create("bench_big", 255, 32, 0, 9216 + RTE_PKTMBUF_HEADROOM, 0);
	ctx.store_pool = rte_pktmbuf_pool_create("bench_store", 1023, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	struct rte_eth_conf pc;
	memset(&pc, 0, sizeof(pc));
	if (!ctx.pool || !ctx.big_pool || !ctx.store_pool || rte_eth_dev_configure(0, 1, 1, &pc) ||
	    rte_eth_rx_queue_setup(0, 0, 512, 0, NULL, ctx.pool) || rte_eth_tx_queue_setup(0, 0, 512, 0, NULL) ||
	    rte_eth_dev_start(0)) {
		fprintf(stderr, "port setup failed\n");
		return 1;
	}
	ctx.port_id = 0;
	ctx.ifc.port_id = 0;
	ctx.ifc.mtu = 1500;
	inet_pton(AF_INET, OUR_IP, &ctx.ifc.ip);
	ctx.ifc.mask = htonl(0xffffff00u);
	rte_eth_macaddr_get(0, &ctx.ifc.mac);
	for (uint32_t p = ctx.cfg.rtp_port_min; p <= ctx.cfg.rtp_port_max; p++)
		ctx.ifc.port_class[p] = NET_CLASS_RTP;
	snprintf(shm, sizeof(shm), "/dev/shm/voxplane-bbr%d.shm", (int)getpid());
	struct vox_shm_params sp = {.n_workers = 1, .cmd_ring_slots = 4096, .evt_ring_slots = 65536,
				    .bulk_ring_bytes = 65536, .mirror_slots = ctx.cfg.max_legs,
				    .max_sip_bytes = 8192, .pool_bytes = 8u << 20};
	handles = calloc(ctx.cfg.max_legs, sizeof(*handles));
	seqs = calloc(ctx.cfg.max_legs, sizeof(*seqs));
	tss = calloc(ctx.cfg.max_legs, sizeof(*tss));
	srtp_far = calloc(ctx.cfg.max_legs, sizeof(*srtp_far));
	int with_srtp = !(argc > 2 && strcmp(argv[2], "nosrtp") == 0);
	if (!srtp_far || !handles || !seqs || !tss || vox_shm_create(&ctx.shm, shm, &sp) != 0)
		return 1;
	if (dp_lcore_create(&ctx, 0, rte_lcore_id(), &lc) != 0) {
		fprintf(stderr, "worker setup failed\n");
		unlink(shm);
		return 1;
	}
	ctx.workers[0] = lc;
	dp_ctl_init(lc);
	heartbeat();
	{ /* the peer's MAC: an ARP request from it teaches the table */
		struct rte_mbuf *m = rte_pktmbuf_alloc(ctx.pool);
		char *p = rte_pktmbuf_append(m, sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr));
		struct rte_ether_hdr *e = (void *)p;
		e->dst_addr = (struct rte_ether_addr){{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
		e->src_addr = peer_mac;
		e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
		struct rte_arp_hdr *a = (void *)(e + 1);
		a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
		a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		a->arp_hlen = 6;
		a->arp_plen = 4;
		a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
		a->arp_data.arp_sha = peer_mac;
		inet_pton(AF_INET, PEER_IP, &a->arp_data.arp_sip);
		memset(&a->arp_data.arp_tha, 0, 6);
		a->arp_data.arp_tip = ctx.ifc.ip;
		dp_worker_turn_rx(lc, &m, 1, rte_rdtsc());
		net_tx_flush(&lc->net);
	}
	printf("bench-bridge: one lcore, TSC %.2f GHz, in-process (pre-built mbufs in, net_null TX), "
	       "G.711 both legs PCMA (no transcoding), %u packets per figure, %s pages\n",
	       rte_get_tsc_hz() / 1e9, n_pkts, huge ? "2 MiB" : "4 KiB");
	static const uint32_t sessions[] = {1000, 10000, 50000};
	/* BENCH_BRIDGE_ONLY=<sessions>: that session count's figures only (repeated A/B runs) */
	const char *only_s = getenv("BENCH_BRIDGE_ONLY");
	uint32_t only = only_s ? (uint32_t)strtoul(only_s, NULL, 10) : 0;
	for (size_t s = 0; s < RTE_DIM(sessions); s++) {
		if (add_legs(2 * sessions[s]) != 0 || lc->st->bridges_active != n_legs) {
			fprintf(stderr, "setup of %u sessions failed (%u legs, %llu bridged)\n", sessions[s],
				n_legs, (unsigned long long)lc->st->bridges_active);
			break;
		}
		if (only && sessions[s] != only)
			continue;
		if (dp_rtp_port(ctx.cfg.rtp_port_min, n_legs - 1, 0, 1) + 1 <= ctx.cfg.rtp_port_max) {
			full_path(sessions[s], 0, n_pkts, 0);
			full_path(sessions[s], 0, n_pkts, HOT_LEGS);
			if (!with_srtp)
				;
			else if (srtp_legs(n_legs, 1) == 0) {
				full_path(sessions[s], 1, n_pkts / 4, 0);
				srtp_legs(n_legs, 0);
			} else {
				printf("SRTP sessions could not be created\n");
			}
		} else {
			printf("full path, %u sessions: not possible, %u legs need more RTP ports than one "
			       "IPv4 address has (the port plan gives ~27k legs per address)\n",
			       sessions[s], n_legs);
		}
		peer_side(sessions[s], n_pkts);
	}
	printf("drops: %llu\n", (unsigned long long)lc->st->drops);
	for (int d = 0; d < VOX_DROP__COUNT; d++)
		if (lc->st->drop[d])
			printf("  drop reason %d: %llu\n", d, (unsigned long long)lc->st->drop[d]);
	vox_shm_unmap(&ctx.shm);
	unlink(shm);
	return 0;
}
