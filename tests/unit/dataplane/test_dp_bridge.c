/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dp_bridge.c — BRIDGE/UNBRIDGE between two workers over real handoff rings and a real shm
 * file: the set-up handshake, refusals (stale, busy, unanswered), early-media legs, PLAY/TONE/SILENCE refused while
 * bridged and a TONE or SILENCE ended by BRIDGE, SRTP legs (the relay protects with the receiving
 * leg's session), tear-down by UNBRIDGE and by a leg's end, and that a stale peer never gets
 * relayed packets. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dp_bridge.h"
#include "dp_lcore.h"
#include "dp_media.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "vox_layout.h"
#include "vox_rec.h"

static struct dp_ctx ctx;
static struct dp_lcore *w[2];
static char shm_path[128];
static unsigned char evbuf[VOX_REC_MAX_SLOTS * VOX_REC_SLOT];

/* An answered inbound SIP leg on worker k (what the SIP service leaves after 200/ACK). */
static vox_handle_t leg_new(int k, int16_t codec, int16_t dtmf, int answered)
{
	struct dp_lcore *lc = w[k];
	struct dp_leg *leg = dp_leg_alloc(lc, VOX_LEG_KIND_SIP_IN, 0, NULL, 0, 0);
	assert_non_null(leg);
	uint32_t slot = (uint32_t)(leg - lc->legs);
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	memset(sl, 0, offsetof(struct dp_sipleg, local_tag));
	dp_rtp_leg_reset(lc, slot);
	sl->uas = 1;
	sl->answered = (uint8_t)answered;
	sl->rtp_port = (uint16_t)dp_rtp_port(ctx.cfg.rtp_port_min, slot, (uint16_t)k, 2);
	sl->codec_pt = codec;
	sl->dtmf_pt = dtmf;
	sl->media.family = 4;
	inet_pton(AF_INET, "192.0.2.1", sl->media.ip);
	sl->media.port = (uint16_t)(30000 + slot);
	if (answered)
		dp_leg_set_state(lc, leg, VOX_LEG_ANSWERED);
	return dp_leg_handle(lc, leg);
}

static struct dp_rtpleg *rtp_of(vox_handle_t h)
{
	return &w[vox_handle_lcore(h)]->sip->rtp[vox_handle_slot(h)];
}

static void cmd(vox_handle_t leg, uint16_t type, const void *pl, uint32_t len)
{
	struct vox_rec_hdr c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.leg = leg;
	assert_int_equal(vox_rec_send(w[vox_handle_lcore(leg)]->cmd, &c, pl, len, VOX_REC_MAX_PAYLOAD, NULL), 0);
}

static void bridge(vox_handle_t a, vox_handle_t b)
{
	struct vox_bridge br = {.peer = b};
	cmd(a, VOX_CMD_BRIDGE, &br, sizeof(br));
}

/* Both workers take commands and handoff traffic until nothing moves. */
static void settle(void)
{
	for (int round = 0; round < 8; round++)
		for (int k = 0; k < 2; k++) {
			uint64_t now = rte_rdtsc();
			w[k]->now_tsc = now;
			dp_ctl_poll(w[k], now);
			dp_handoff_poll(w[k], now);
			net_tx_flush(&w[k]->net);
			dp_handoff_flush(w[k]);
		}
}

/* Next event of worker k of the given type about leg h (others skipped); returns its status,
 * or INT32_MIN when there is none. */
static int32_t event(int k, uint16_t type, vox_handle_t h)
{
	for (;;) {
		int n = vox_rec_recv(w[k]->evt, evbuf, VOX_REC_MAX_SLOTS);
		if (n <= 0)
			return INT32_MIN;
		const struct vox_rec_hdr *e = (const void *)evbuf;
		if (e->type == type && e->leg == h)
			return e->status;
	}
}

static void drain(void)
{
	for (int k = 0; k < 2; k++)
		while (vox_rec_recv(w[k]->evt, evbuf, VOX_REC_MAX_SLOTS) > 0)
			;
}

/* All events waiting on worker k, kept for find(). */
static struct {
	uint16_t type;
	vox_handle_t leg;
	int32_t status;
} evl[256];
static int n_evl;

static void collect(int k)
{
	n_evl = 0;
	while (n_evl < (int)RTE_DIM(evl) && vox_rec_recv(w[k]->evt, evbuf, VOX_REC_MAX_SLOTS) > 0) {
		const struct vox_rec_hdr *e = (const void *)evbuf;
		evl[n_evl].type = e->type;
		evl[n_evl].leg = e->leg;
		evl[n_evl++].status = e->status;
	}
}

/* How many collected events of this type about h; *status gets the last one's status. */
static int find(uint16_t type, vox_handle_t h, int32_t *status)
{
	int n = 0;
	for (int i = 0; i < n_evl; i++)
		if (evl[i].type == type && evl[i].leg == h) {
			*status = evl[i].status;
			n++;
		}
	return n;
}

static void heartbeat(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	atomic_store(&ctx.shm.hdr->ctl.pid, (uint32_t)getpid());
	atomic_store(&ctx.shm.hdr->ctl.heartbeat_ns, (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec);
}

static void cross_lcore_handshake_and_unbridge(void **state)
{
	heartbeat();
	vox_handle_t a = leg_new(0, 8, 101, 1), b = leg_new(1, 0, 96, 1);
	bridge(a, b);
	settle();
	assert_int_equal(event(0, VOX_EVT_BRIDGED, a), 0);
	assert_int_equal(event(1, VOX_EVT_BRIDGED, b), 0);
	assert_int_equal(rtp_of(a)->br_state, DP_BR_ACTIVE);
	assert_int_equal(rtp_of(b)->br_state, DP_BR_ACTIVE);
	assert_true(rtp_of(a)->br_peer == b && rtp_of(b)->br_peer == a);
	/* each side knows the other's telephone-event PT (what arrives from the peer) */
	assert_int_equal(rtp_of(a)->br_in_dtmf_pt, 96);
	assert_int_equal(rtp_of(b)->br_in_dtmf_pt, 101);
	assert_int_equal(w[0]->st->bridges_active, 1);
	assert_int_equal(w[1]->st->bridges_active, 1);
	assert_true(w[0]->mirror[vox_handle_slot(a)].bridge_peer == b);
	/* the set-up crossed lcores as messages */
	assert_true(w[0]->st->bridge_ctl_msgs >= 1 && w[1]->st->bridge_ctl_msgs >= 1);

	/* PLAY while bridged is refused */
	struct vox_play p = {.n = 1, .loop = 1, .clip = {1}};
	cmd(b, VOX_CMD_PLAY, &p, sizeof(p));
	settle();
	assert_int_equal(event(1, VOX_EVT_BAD_COMMAND, b), -EBUSY);

	/* UNBRIDGE on b: UNBRIDGED on both, status by who asked */
	cmd(b, VOX_CMD_UNBRIDGE, NULL, 0);
	settle();
	assert_int_equal(event(1, VOX_EVT_UNBRIDGED, b), VOX_UNBRIDGE_COMMAND);
	assert_int_equal(event(0, VOX_EVT_UNBRIDGED, a), VOX_UNBRIDGE_PEER_CMD);
	assert_int_equal(rtp_of(a)->br_state, DP_BR_NONE);
	assert_int_equal(rtp_of(b)->br_state, DP_BR_NONE);
	assert_int_equal(w[0]->st->bridges_active + w[1]->st->bridges_active, 0);
	assert_true(w[0]->mirror[vox_handle_slot(a)].bridge_peer == 0);
	/* UNBRIDGE of a leg that is not bridged: a clear refusal */
	cmd(a, VOX_CMD_UNBRIDGE, NULL, 0);
	settle();
	assert_int_equal(event(0, VOX_EVT_BAD_COMMAND, a), -ENOENT);
	drain();
}

static void refusals(void **state)
{
	heartbeat();
	vox_handle_t a = leg_new(0, 8, 101, 1), b = leg_new(1, 8, -1, 1), c = leg_new(0, 0, -1, 1);
	vox_handle_t ringing = leg_new(1, 8, -1, 0);
	/* a peer handle of a free slot / an old generation */
	vox_handle_t stale = vox_handle_make(0, 1, vox_handle_slot(b), vox_handle_gen(b) + 1);
	bridge(a, stale);
	settle();
	assert_int_equal(event(0, VOX_EVT_BRIDGE_FAILED, a), -ESTALE);
	assert_int_equal(rtp_of(a)->br_state, DP_BR_NONE);
	/* the peer must be answered */
	bridge(a, ringing);
	settle();
	assert_int_equal(event(0, VOX_EVT_BRIDGE_FAILED, a), -EINVAL);
	/* itself, a worker that does not exist */
	bridge(a, a);
	bridge(a, vox_handle_make(0, 9, 1, 1));
	settle();
	assert_int_equal(event(0, VOX_EVT_BRIDGE_FAILED, a), -ESTALE);
	assert_int_equal(event(0, VOX_EVT_BRIDGE_FAILED, a), -ESTALE);
	/* busy: b is bridged with a, c asks for b */
	bridge(a, b);
	settle();
	assert_int_equal(rtp_of(b)->br_state, DP_BR_ACTIVE);
	bridge(c, b);
	settle();
	assert_int_equal(event(0, VOX_EVT_BRIDGE_FAILED, c), -EBUSY);
	assert_int_equal(rtp_of(c)->br_state, DP_BR_NONE);
	assert_true(rtp_of(b)->br_peer == a);
	/* a short payload is a bad command, not a crash */
	cmd(c, VOX_CMD_BRIDGE, "x", 1);
	settle();
	assert_int_equal(event(0, VOX_EVT_BAD_COMMAND, c), -EINVAL);
	cmd(a, VOX_CMD_UNBRIDGE, NULL, 0);
	settle();
	drain();
}

/* A relayed packet as dp_bridge_rx hands it over: RTP at the data start, (dst, src) before. */
static struct rte_mbuf *relayed(vox_handle_t dst, vox_handle_t src)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(ctx.pool);
	assert_non_null(m);
	uint8_t pkt[12 + 160];
	struct rtp_build bh = {.pt = 8, .seq = 1, .ts = 160, .ssrc = 77};
	rtp_build_hdr(pkt, 12, &bh);
	memset(pkt + 12, 0xd5, 160);
	assert_int_equal(rte_pktmbuf_append(m, sizeof(pkt)) != NULL, 1);
	uint8_t *r = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(r, pkt, sizeof(pkt));
	uint64_t *md = (uint64_t *)(r - 16);
	md[0] = dst;
	md[1] = src;
	uint32_t *sum = (uint32_t *)(r - 24); /* no payload sum carried: a full checksum */
	sum[0] = sum[1] = 0;
	return m;
}

static void leg_end_tears_down_and_stale_gets_nothing(void **state)
{
	heartbeat();
	vox_handle_t a = leg_new(0, 8, 101, 1), b = leg_new(1, 0, 101, 1), c = leg_new(0, 8, -1, 1);
	vox_handle_t d = leg_new(0, 0, 101, 1);
	bridge(a, b);
	bridge(c, d); /* same lcore */
	settle();
	assert_int_equal(rtp_of(a)->br_state, DP_BR_ACTIVE);
	assert_int_equal(rtp_of(d)->br_state, DP_BR_ACTIVE);
	drain();
	/* a relayed packet for b from a goes out (PCMA -> PCMU on b) */
	uint64_t tc = w[1]->st->bridge_transcoded;
	struct rte_mbuf *m = relayed(b, a);
	dp_bridge_tx_burst(w[1], &m, 1, rte_rdtsc());
	net_tx_flush(&w[1]->net);
	/* sent, or held for ARP resolution of 192.0.2.1 (no peer answers on net_null): either way
	   the rewrite ran and was counted */
	assert_int_equal(w[1]->st->bridge_transcoded, tc + 1);
	/* ... but not from a leg that is not b's peer */
	uint64_t stale = w[1]->st->drop[VOX_DROP_bridge_stale];
	m = relayed(b, c);
	dp_bridge_tx(w[1], m, rte_rdtsc());
	assert_int_equal(w[1]->st->drop[VOX_DROP_bridge_stale], stale + 1);
	/* a ends: b is unbridged by its peer's end, packets for a are stale */
	dp_leg_end(w[0], dp_leg_lookup(w[0], a), VOX_CAUSE_REMOTE);
	settle();
	assert_int_equal(event(1, VOX_EVT_UNBRIDGED, b), VOX_UNBRIDGE_PEER_ENDED);
	assert_int_equal(rtp_of(b)->br_state, DP_BR_NONE);
	m = relayed(a, b);
	dp_bridge_tx(w[0], m, rte_rdtsc());
	m = relayed(b, a);
	dp_bridge_tx(w[1], m, rte_rdtsc());
	assert_int_equal(w[0]->st->drop[VOX_DROP_bridge_stale] + w[1]->st->drop[VOX_DROP_bridge_stale],
			 stale + 3);
	/* same lcore: d ends, c is unbridged at once */
	dp_leg_end(w[0], dp_leg_lookup(w[0], d), VOX_CAUSE_REMOTE);
	settle();
	assert_int_equal(event(0, VOX_EVT_UNBRIDGED, c), VOX_UNBRIDGE_PEER_ENDED);
	assert_int_equal(w[0]->st->bridges_active + w[1]->st->bridges_active, 0);
	drain();
}

/* Early media (<Dial answerOnBridge>): a ringing leg bridges once it has early media (an inbound
 * leg that sent 183 with SDP, an outbound one that took the callee's SDP from a 1xx), not
 * before; LEG_PROGRESS says so; the answers that follow leave the pairing as it is. */
static void early_media_legs_bridge(void **state)
{
	heartbeat();
	vox_handle_t caller = leg_new(0, 8, 101, 0), callee = leg_new(1, 0, 101, 0);
	struct dp_leg *lcaller = dp_leg_lookup(w[0], caller), *lcallee = dp_leg_lookup(w[1], callee);
	dp_leg_set_state(w[0], lcaller, VOX_LEG_RINGING);
	dp_leg_set_state(w[1], lcallee, VOX_LEG_RINGING);
	dp_sip_leg(w[1], lcallee)->uas = 0;
	drain();
	/* ringing without early media on either side: refused */
	bridge(caller, callee);
	settle();
	assert_int_equal(event(0, VOX_EVT_BRIDGE_FAILED, caller), -EINVAL);
	/* the callee's 1xx carried SDP, the caller has not had its 183 yet: still refused (by the
	   caller's own owner) */
	dp_sip_leg(w[1], lcallee)->early = 1;
	const void *pl = NULL;
	assert_int_equal(dp_sip_evt_payload(w[1], lcallee, VOX_EVT_LEG_PROGRESS, &pl),
			 sizeof(struct vox_leg_sip));
	assert_int_equal(((const struct vox_leg_sip *)pl)->early_media, 1);
	assert_int_equal(dp_sip_evt_payload(w[1], lcallee, VOX_EVT_LEG_ANSWERED, &pl),
			 sizeof(struct vox_leg_sip));
	assert_int_equal(((const struct vox_leg_sip *)pl)->early_media, 0);
	bridge(caller, callee);
	settle();
	assert_int_equal(event(0, VOX_EVT_BRIDGE_FAILED, caller), -EINVAL);
	assert_int_equal(rtp_of(callee)->br_state, DP_BR_NONE);
	/* RING 183 sent our SDP on the caller: both ringing with early media, bridged */
	dp_sip_leg(w[0], lcaller)->early = 1;
	bridge(caller, callee);
	settle();
	assert_int_equal(event(0, VOX_EVT_BRIDGED, caller), 0);
	assert_int_equal(event(1, VOX_EVT_BRIDGED, callee), 0);
	assert_int_equal(rtp_of(caller)->br_state, DP_BR_ACTIVE);
	/* the callee's early RTP goes to the caller: rewritten for the caller's stream (the relay
	   took its input stream), not dropped as stale */
	uint64_t stale = w[0]->st->drop[VOX_DROP_bridge_stale];
	assert_int_equal(rtp_of(caller)->br_rw.have, 0);
	struct rte_mbuf *m = relayed(caller, callee);
	dp_bridge_tx(w[0], m, rte_rdtsc());
	net_tx_flush(&w[0]->net);
	assert_int_equal(w[0]->st->drop[VOX_DROP_bridge_stale], stale);
	assert_int_equal(rtp_of(caller)->br_rw.have, 1);
	assert_int_equal(rtp_of(caller)->br_rw.in_ssrc, 77);
	/* both answer: still bridged with each other, no second BRIDGED; BRIDGE again is a no-op */
	dp_leg_set_state(w[1], lcallee, VOX_LEG_ANSWERED);
	dp_leg_set_state(w[0], lcaller, VOX_LEG_ANSWERED);
	bridge(caller, callee);
	settle();
	collect(0);
	int32_t st = 0;
	assert_int_equal(find(VOX_EVT_BRIDGED, caller, &st), 0);
	assert_int_equal(find(VOX_EVT_BRIDGE_FAILED, caller, &st), 0);
	assert_true(rtp_of(caller)->br_peer == callee && rtp_of(callee)->br_peer == caller);
	cmd(caller, VOX_CMD_UNBRIDGE, NULL, 0);
	settle();
	drain();
}

/* TONE and SILENCE while bridged are refused like PLAY; BRIDGE ends a TONE or SILENCE in
 * progress with MEDIA_DONE status 1, as it ends a PLAY. */
static void tones_and_bridge(void **state)
{
	heartbeat();
	vox_handle_t a = leg_new(0, 8, 101, 1), b = leg_new(1, 8, 101, 1);
	vox_handle_t c = leg_new(0, 0, -1, 1), d = leg_new(0, 8, -1, 1);
	drain();
	struct vox_tone tn = {.kind = VOX_TONE_BEEP, .ms = 5000};
	struct vox_silence si = {.ms = 5000};
	cmd(a, VOX_CMD_TONE, &tn, sizeof(tn));
	cmd(c, VOX_CMD_SILENCE, &si, sizeof(si));
	settle();
	uint64_t tones = w[0]->st->tones;
	assert_true(tones >= 2); /* both started */
	collect(0);
	int32_t st = 99;
	assert_int_equal(find(VOX_EVT_MEDIA_DONE, a, &st) + find(VOX_EVT_MEDIA_DONE, c, &st), 0);
	bridge(a, b); /* cross-lcore: a activates on the ACK */
	bridge(d, c); /* same lcore: c is the accepting side */
	settle();
	collect(0);
	assert_int_equal(find(VOX_EVT_BRIDGED, a, &st), 1);
	assert_int_equal(find(VOX_EVT_MEDIA_DONE, a, &st), 1);
	assert_int_equal(st, 1);
	assert_int_equal(find(VOX_EVT_MEDIA_DONE, c, &st), 1);
	assert_int_equal(st, 1);
	assert_int_equal(find(VOX_EVT_MEDIA_DONE, d, &st), 0); /* nothing was playing there */
	drain();
	/* while bridged: TONE and SILENCE refused, nothing started */
	cmd(b, VOX_CMD_TONE, &tn, sizeof(tn));
	cmd(a, VOX_CMD_SILENCE, &si, sizeof(si));
	cmd(d, VOX_CMD_TONE, &tn, sizeof(tn));
	settle();
	assert_int_equal(event(1, VOX_EVT_BAD_COMMAND, b), -EBUSY);
	collect(0);
	assert_int_equal(find(VOX_EVT_BAD_COMMAND, a, &st), 1);
	assert_int_equal(st, -EBUSY);
	assert_int_equal(find(VOX_EVT_BAD_COMMAND, d, &st), 1);
	assert_int_equal(st, -EBUSY);
	assert_int_equal(w[0]->st->tones, tones);
	/* after UNBRIDGE a TONE is accepted again */
	cmd(a, VOX_CMD_UNBRIDGE, NULL, 0);
	settle();
	drain();
	cmd(a, VOX_CMD_TONE, &tn, sizeof(tn));
	settle();
	collect(0);
	assert_int_equal(find(VOX_EVT_BAD_COMMAND, a, &st), 0);
	assert_int_equal(w[0]->st->tones, tones + 1);
	cmd(a, VOX_CMD_STOP, NULL, 0);
	cmd(d, VOX_CMD_UNBRIDGE, NULL, 0);
	settle();
	drain();
}

static void make_srtp(vox_handle_t h, uint8_t key)
{
	struct dp_lcore *lc = w[vox_handle_lcore(h)];
	struct dp_leg *leg = dp_leg_lookup(lc, h);
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	sl->srtp = 1;
	sl->srtp_suite = SIP_SDP_AES_CM_128_HMAC_SHA1_80;
	for (int i = 0; i < 30; i++) {
		sl->srtp_local[i] = (uint8_t)(key + i);
		sl->srtp_remote[i] = (uint8_t)(key * 3 + i);
	}
	assert_int_equal(dp_srtp_leg_start(lc, leg), 0);
}

/* SRTP legs bridge (SRTP with plain, SRTP with SRTP): what goes to an SRTP leg is protected
 * with its own TX session (the tag makes it longer), what goes to a plain leg is not. */
static void srtp_legs_bridge(void **state)
{
	heartbeat();
	vox_handle_t a = leg_new(0, 8, 101, 1), b = leg_new(1, 8, -1, 1);
	vox_handle_t c = leg_new(0, 8, 101, 1), d = leg_new(0, 8, 101, 1);
	make_srtp(a, 1);
	make_srtp(c, 2);
	make_srtp(d, 3);
	drain();
	bridge(a, b);
	bridge(c, d);
	settle();
	assert_int_equal(event(0, VOX_EVT_BRIDGED, a), 0);
	assert_int_equal(event(1, VOX_EVT_BRIDGED, b), 0);
	assert_int_equal(rtp_of(c)->br_state, DP_BR_ACTIVE);
	assert_int_equal(rtp_of(d)->br_state, DP_BR_ACTIVE);
	uint64_t p0 = w[0]->st->srtp_protected, p1 = w[1]->st->srtp_protected;
	uint64_t f0 = w[0]->st->srtp_fail, r0 = w[0]->st->bridge_transcoded + w[0]->st->drop[VOX_DROP_bridge_stale];
	/* to the SRTP leg a (from plain b): protected */
	struct rte_mbuf *m = relayed(a, b);
	dp_bridge_tx(w[0], m, rte_rdtsc());
	assert_int_equal(w[0]->st->srtp_protected, p0 + 1);
	/* to plain b (from SRTP a): not */
	m = relayed(b, a);
	dp_bridge_tx(w[1], m, rte_rdtsc());
	assert_int_equal(w[1]->st->srtp_protected, p1);
	/* SRTP to SRTP on one lcore, both ways */
	m = relayed(c, d);
	dp_bridge_tx(w[0], m, rte_rdtsc());
	m = relayed(d, c);
	dp_bridge_tx(w[0], m, rte_rdtsc());
	assert_int_equal(w[0]->st->srtp_protected, p0 + 3);
	assert_int_equal(w[0]->st->srtp_fail, f0);
	assert_int_equal(w[0]->st->bridge_transcoded + w[0]->st->drop[VOX_DROP_bridge_stale], r0);
	net_tx_flush(&w[0]->net);
	net_tx_flush(&w[1]->net);
	cmd(a, VOX_CMD_UNBRIDGE, NULL, 0);
	cmd(c, VOX_CMD_UNBRIDGE, NULL, 0);
	settle();
	drain();
	/* the libsrtp sessions go as when the slots are released */
	dp_srtp_leg_release(w[0], vox_handle_slot(a));
	dp_srtp_leg_release(w[0], vox_handle_slot(c));
	dp_srtp_leg_release(w[0], vox_handle_slot(d));
	net_tx_flush(&w[0]->net);
	assert_int_equal(w[0]->st->srtp_legs, 0);
}

int main(void)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=tbr%d", (int)getpid());
	char *eal[] = {"test", "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "-l", "0", "--no-telemetry",
		       "--log-level=*:error", "--vdev=net_null0", prefix};
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		return 1;
	char err[128];
	vox_conf_defaults(dp_conf_table, &ctx.cfg, err, sizeof(err));
	ctx.cfg.max_legs = 64;
	ctx.cfg.rtp_port_min = 10000;
	ctx.cfg.rtp_port_max = 20000;
	ctx.n_workers = 2;
	ctx.tsc_hz = rte_get_tsc_hz();
	ctx.efd = -1;
	ctx.pool = rte_pktmbuf_pool_create("tbr", 1023, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	ctx.big_pool = rte_pktmbuf_pool_create("tbr_big", 63, 0, 0, 9216 + RTE_PKTMBUF_HEADROOM, 0);
	ctx.store_pool = rte_pktmbuf_pool_create("tbr_store", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	struct rte_eth_conf pc;
	memset(&pc, 0, sizeof(pc));
	if (!ctx.pool || !ctx.big_pool || !ctx.store_pool || rte_eth_dev_configure(0, 2, 2, &pc) ||
	    rte_eth_rx_queue_setup(0, 0, 64, 0, NULL, ctx.pool) || rte_eth_rx_queue_setup(0, 1, 64, 0, NULL, ctx.pool) ||
	    rte_eth_tx_queue_setup(0, 0, 64, 0, NULL) || rte_eth_tx_queue_setup(0, 1, 64, 0, NULL) ||
	    rte_eth_dev_start(0))
		return 1;
	ctx.ifc.mtu = 1500;
	inet_pton(AF_INET, "192.0.2.2", &ctx.ifc.ip);
	ctx.ifc.mask = htonl(0xffffff00u);
	rte_eth_macaddr_get(0, &ctx.ifc.mac);
	snprintf(shm_path, sizeof(shm_path), "/dev/shm/voxplane-tbr%d.shm", (int)getpid());
	struct vox_shm_params sp = {.n_workers = 2, .cmd_ring_slots = 256, .evt_ring_slots = 1024,
				    .bulk_ring_bytes = 65536, .mirror_slots = ctx.cfg.max_legs,
				    .max_sip_bytes = 8192, .pool_bytes = 1u << 20};
	if (vox_shm_create(&ctx.shm, shm_path, &sp) != 0)
		return 1;
	for (uint16_t k = 0; k < 2; k++) {
		if (dp_lcore_create(&ctx, k, rte_lcore_id(), &w[k]) != 0) {
			unlink(shm_path);
			return 1;
		}
		ctx.workers[k] = w[k];
		dp_ctl_init(w[k]);
	}
	if (dp_handoff_setup(&ctx) != 0) {
		unlink(shm_path);
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cross_lcore_handshake_and_unbridge),
		cmocka_unit_test(refusals),
		cmocka_unit_test(early_media_legs_bridge),
		cmocka_unit_test(leg_end_tears_down_and_stale_gets_nothing),
		cmocka_unit_test(tones_and_bridge),
		cmocka_unit_test(srtp_legs_bridge),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	vox_shm_unmap(&ctx.shm);
	unlink(shm_path);
	return rc;
}
