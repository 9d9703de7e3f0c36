/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_sip_calls.c — the dataplane's SIP service on one lcore, in process: cycles for the
 * INVITE and the BYE (classification + parse + validation + transaction + dialog), and calls/s
 * for a whole INVITE/100/200/ACK/BYE/200 cycle with control's decision, with the call table 10%
 * and 90% full. Packets are built in memory and fed to the worker's RX path; what it sends goes
 * to a net_null port. This benchmark plays control: it drains events and sends ANSWER. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ctl_pool.h"
#include "dp_lcore.h"
#include "dp_sip.h"
#include "dp_media.h"
#include "vox_layout.h"
#include "vox_rec.h"

#define PEER_IP "192.0.2.1"
#define OUR_IP "192.0.2.2"

static struct dp_ctx ctx;
static struct dp_lcore *lc;
static struct rte_ether_addr peer_mac = {{0x02, 0, 0, 0, 0, 0x01}};
static unsigned char evbuf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static struct rte_mbuf *udp_pkt(const char *payload, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ctx.pool);
	size_t tot = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + len;
	char *p = rte_pktmbuf_append(m, (uint16_t)tot);
	struct rte_ether_hdr *e = (void *)p;
	e->dst_addr = ctx.ifc.mac;
	e->src_addr = peer_mac;
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (void *)(e + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(tot - sizeof(*e)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	inet_pton(AF_INET, PEER_IP, &ip->src_addr);
	ip->dst_addr = ctx.ifc.ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	struct rte_udp_hdr *u = (void *)(ip + 1);
	u->src_port = rte_cpu_to_be_16(5070);
	u->dst_port = rte_cpu_to_be_16(5060);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*u) + len));
	u->dgram_cksum = 0;
	memcpy(u + 1, payload, len);
	return m;
}

static const char sdp[] = "v=0\r\no=peer 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
			  "m=audio 30000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
			  "a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n";

static int msg_invite(char *b, size_t cap, uint32_t call)
{
	return snprintf(b, cap,
			"INVITE sip:+15005550006@192.0.2.2:5060 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-inv-%u;rport\r\n"
			"Max-Forwards: 70\r\nFrom: \"Caller\" <sip:+14155550100@192.0.2.1>;tag=t%u\r\n"
			"To: <sip:+15005550006@192.0.2.2>\r\nCall-ID: bench-%u@192.0.2.1\r\nCSeq: 1 INVITE\r\n"
			"Contact: <sip:caller@192.0.2.1:5070>\r\nUser-Agent: bench\r\n"
			"P-Asserted-Identity: <sip:+14155550100@192.0.2.1>\r\n"
			"Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
			call, call, call, strlen(sdp), sdp);
}

static int msg_in_dialog(char *b, size_t cap, const char *method, uint32_t cseq, uint32_t call, const char *tag)
{
	return snprintf(b, cap,
			"%s sip:192.0.2.2:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK-%s-%u;rport\r\n"
			"Max-Forwards: 70\r\nFrom: \"Caller\" <sip:+14155550100@192.0.2.1>;tag=t%u\r\n"
			"To: <sip:+15005550006@192.0.2.2>;tag=%s\r\nCall-ID: bench-%u@192.0.2.1\r\nCSeq: %u %s\r\n"
			"Content-Length: 0\r\n\r\n",
			method, method, call, call, tag, call, cseq, method);
}

static uint64_t feed(const char *payload, int len)
{
	struct rte_mbuf *m = udp_pkt(payload, (size_t)len);
	uint64_t t0 = rte_rdtsc();
	dp_worker_turn_rx(lc, &m, 1, t0);
	uint64_t t1 = rte_rdtsc();
	net_tx_flush(&lc->net);
	return t1 - t0;
}

/* control's side: take the OFFERED, answer it; returns the handle */
static vox_handle_t control_answer(void)
{
	vox_handle_t h = 0;
	for (;;) {
		int n = vox_rec_recv(lc->evt, evbuf, VOX_REC_MAX_SLOTS);
		if (n <= 0)
			break;
		const struct vox_rec_hdr *e = (const void *)evbuf;
		if (e->type == VOX_EVT_LEG_OFFERED)
			h = e->leg;
	}
	if (h) {
		struct vox_rec_hdr c;
		memset(&c, 0, sizeof(c));
		c.type = VOX_CMD_ANSWER;
		c.leg = h;
		vox_rec_send(lc->cmd, &c, NULL, 0, 0, NULL);
		dp_ctl_poll(lc, rte_rdtsc());
		net_tx_flush(&lc->net);
	}
	return h;
}

static void drain_events(void)
{
	while (vox_rec_recv(lc->evt, evbuf, VOX_REC_MAX_SLOTS) > 0)
		;
}

static uint32_t next_call;

/* one call up to answered+ACKed; returns the handle */
static vox_handle_t call_up(uint64_t *c_inv)
{
	char b[2048];
	uint32_t call = next_call++;
	uint64_t c = feed(b, msg_invite(b, sizeof(b), call));
	if (c_inv)
		*c_inv += c;
	vox_handle_t h = control_answer();
	if (!h)
		return 0;
	struct dp_sipleg *sl = &lc->sip->legs[vox_handle_slot(h)];
	feed(b, msg_in_dialog(b, sizeof(b), "ACK", 1, call, sl->local_tag));
	return h | ((uint64_t)0); /* call number is recoverable from the slot's Call-ID */
}

static uint64_t call_down(vox_handle_t h, uint32_t call)
{
	char b[2048];
	struct dp_sipleg *sl = &lc->sip->legs[vox_handle_slot(h)];
	uint64_t c = feed(b, msg_in_dialog(b, sizeof(b), "BYE", 2, call, sl->local_tag));
	drain_events();
	dp_ctl_poll(lc, rte_rdtsc());
	return c;
}

static void heartbeat(void)
{
	atomic_store(&ctx.shm.hdr->ctl.pid, (uint32_t)getpid());
	atomic_store(&ctx.shm.hdr->ctl.heartbeat_ns, mono_ns());
}

static void run(uint32_t fill_pct)
{
	uint32_t fill = ctx.cfg.max_legs * fill_pct / 100;
	while (lc->legs_active < fill) {
		heartbeat();
		if (!call_up(NULL))
			break;
	}
	const uint32_t N = 3000;
	uint64_t c_inv = 0, c_bye = 0;
	uint64_t t0 = rte_rdtsc();
	for (uint32_t i = 0; i < N; i++) {
		if ((i & 255) == 0)
			heartbeat();
		uint32_t call = next_call;
		vox_handle_t h = call_up(&c_inv);
		if (!h) {
			fprintf(stderr, "call %u not answered (legs %u)\n", i, lc->legs_active);
			exit(1);
		}
		c_bye += call_down(h, call);
	}
	uint64_t dt = rte_rdtsc() - t0;
	double hz = (double)rte_get_tsc_hz();
	printf("table %2u%% full (%5u legs): INVITE %6.0f cycles, BYE %6.0f cycles, full call cycle "
	       "%7.0f cycles = %7.0f calls/s on one lcore\n",
	       fill_pct, lc->legs_active, (double)c_inv / N, (double)c_bye / N, (double)dt / N, N * hz / (double)dt);
}

/* Playout fan-out: every answered leg plays one 1 s clip in a loop; cycles per leg per tick and
 * how many legs one lcore can serve at 50 packets/s each before the 20 ms tick slips. */
static void play_fanout(void)
{
	struct ctl_pool *pool;
	if (ctl_pool_attach(&pool, ctx.shm.hdr, 0, 1) != 0) {
		printf("playout fan-out: no media pool\n");
		return;
	}
	int16_t pcm[8000];
	for (int i = 0; i < 8000; i++)
		pcm[i] = (int16_t)((i / 4) % 2 ? 8000 : -8000); /* 1 kHz square */
	vox_clip_t clip;
	if (ctl_pool_clip_load(pool, NULL, pcm, 8000, &clip) != 0) {
		printf("playout fan-out: clip load failed\n");
		return;
	}
	uint32_t sent = 0;
	for (uint32_t s = 0; s < lc->max_legs; s++) {
		struct dp_leg *leg = &lc->legs[s];
		if (leg->state != VOX_LEG_ANSWERED)
			continue;
		struct vox_play p = {.n = 1, .loop = 0, .clip = {clip}};
		struct vox_rec_hdr c;
		memset(&c, 0, sizeof(c));
		c.type = VOX_CMD_PLAY;
		c.leg = dp_leg_handle(lc, leg);
		while (vox_rec_send(lc->cmd, &c, &p, sizeof(p), VOX_REC_MAX_PAYLOAD, NULL) != 0)
			dp_ctl_poll(lc, rte_rdtsc());
		sent++;
	}
	while (vox_rec_ring_count(lc->cmd))
		dp_ctl_poll(lc, rte_rdtsc());
	drain_events();
	uint64_t t = rte_get_tsc_hz() / 50, cyc = 0;
	const int ticks = 50;
	for (int i = 0; i < ticks; i++) {
		uint64_t at = lc->sip->next_tick_tsc ? lc->sip->next_tick_tsc : rte_rdtsc() + t;
		uint64_t t0 = rte_rdtsc();
		dp_play_tick(lc, at);
		net_tx_flush(&lc->net);
		cyc += rte_rdtsc() - t0;
	}
	uint32_t n = lc->sip->n_playing;
	double per_leg = n ? (double)cyc / ticks / n : 0;
	printf("playout fan-out: %u legs playing one clip: %.0f cycles per leg per 20 ms tick (RTP build + "
	       "pool lookup + TX) -> %.0f legs per lcore at 50 packets/s before the tick slips\n",
	       n, per_leg, per_leg > 0 ? (double)t / per_leg : 0);
	(void)sent;
}

/* The media sweep (dp_rtcp.c) on its own: 10 s of 20 ms ticks in TSC time over the whole leg
 * table with the answered legs of the runs above; every leg sends ~2 RTCP reports (SR/RR +
 * CNAME) and gets its inactivity check. Cycles per tick and per slot looked at. */
static void media_sweep(void)
{
	uint64_t t = rte_get_tsc_hz() / 50, base = rte_rdtsc(), cyc = 0, tx0 = lc->st->rtcp_tx;
	const int ticks = 500;
	for (int i = 0; i < ticks; i++) {
		uint64_t t0 = rte_rdtsc();
		dp_media_sweep(lc, base + (uint64_t)i * t);
		net_tx_flush(&lc->net);
		cyc += rte_rdtsc() - t0;
	}
	uint32_t slots = lc->max_legs / DP_MEDIA_SWEEP_TICKS + 1;
	printf("media sweep: %u slots, %llu answered: %.0f cycles per 20 ms tick (%.0f per slot looked at, "
	       "%llu RTCP reports sent incl.)\n",
	       lc->max_legs, (unsigned long long)lc->st->media_legs, (double)cyc / ticks,
	       (double)cyc / ticks / slots, (unsigned long long)(lc->st->rtcp_tx - tx0));
}

int main(int argc, char **argv)
{
	char prefix[64], shm[128];
	snprintf(prefix, sizeof(prefix), "--file-prefix=bsip%d", (int)getpid());
	char *eal[] = {argv[0], "--no-huge", "-m", "1024", "--no-pci", "--no-shconf", "-l", "0", "--no-telemetry",
		       "--log-level=*:error", "--vdev=net_null0", prefix};
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		return 1;
	char err[128];
	vox_conf_defaults(dp_conf_table, &ctx.cfg, err, sizeof(err));
	ctx.cfg.max_legs = 10000;
	ctx.cfg.rtp_port_min = 10000;
	ctx.cfg.rtp_port_max = 65535;
	ctx.n_workers = 1;
	ctx.tsc_hz = rte_get_tsc_hz();
	ctx.efd = -1;
	ctx.pool = rte_pktmbuf_pool_create("bench", 65535, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	ctx.big_pool = rte_pktmbuf_pool_create("bench_big", 255, 32, 0, 9216 + RTE_PKTMBUF_HEADROOM, 0);
	struct rte_eth_conf pc;
	memset(&pc, 0, sizeof(pc));
	ctx.store_pool = rte_pktmbuf_pool_create("bench_store", 65535, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
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
	ctx.ifc.port_class[5060] = NET_CLASS_SIP;
	ctx.ifc.class_reasm[NET_CLASS_SIP] = 1;
	snprintf(shm, sizeof(shm), "/dev/shm/voxplane-bsip%d.shm", (int)getpid());
	struct vox_shm_params sp = {.n_workers = 1, .cmd_ring_slots = 4096, .evt_ring_slots = 65536,
				    .bulk_ring_bytes = 65536, .mirror_slots = ctx.cfg.max_legs,
				    .max_sip_bytes = 8192, .pool_bytes = 8u << 20};
	if (vox_shm_create(&ctx.shm, shm, &sp) != 0)
		return 1;
	if (dp_lcore_create(&ctx, 0, rte_lcore_id(), &lc) != 0) {
		fprintf(stderr, "worker setup failed\n");
		return 1;
	}
	ctx.workers[0] = lc;
	dp_ctl_init(lc);
	heartbeat();
	/* the peer's MAC: an ARP request from it teaches the table */
	{
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
	printf("bench-sip-calls: one lcore, TSC %.2f GHz, in-process (no kernel, net_null TX)\n",
	       rte_get_tsc_hz() / 1e9);
	run(10);
	run(90);
	play_fanout();
	media_sweep();
	vox_shm_unmap(&ctx.shm);
	unlink(shm);
	return 0;
}
