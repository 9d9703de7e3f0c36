/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_bridge.c — bridging two SIP legs: the set-up handshake between their owners, the RTP relay
 * (rewrite on the peer's owner, transmit from the peer's port), tear-down on UNBRIDGE or end. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "dp_bridge.h"
#include "dp_lcore.h"
#include "dp_media.h"
#include "dp_sip.h"
#include "dp_sip_priv.h"
#include "rtp_relay.h"

/*
 * A bridge is a pairing of two legs, each on its own owner (possibly the same lcore); calls
 * never migrate. Each leg's bridge state lives in its struct dp_rtpleg, written only by its
 * owner. Set-up: BRIDGE goes to the owner of hdr.leg (A), which marks A pending and sends
 * SETUP(A -> B, A's telephone-event PT) to B's owner; that owner accepts (B active, BRIDGED on
 * B) and answers ACK with B's telephone-event PT, or NACK with an errno; A's owner then
 * activates A (BRIDGED) or reports BRIDGE_FAILED. The messages are small mbufs over the handoff
 * ring of the pair (kind NET_HANDOFF_BRIDGE_CTL); on one lcore the same handlers run directly.
 *
 * Media: an RTP packet accepted on A (latched, counted) has its L2-L4 headers stripped and
 * (dst = B's handle, src = A's handle) written in the headroom just before the RTP header; it
 * goes to B's owner over the ring (or straight on, same lcore). B's owner checks that B is live
 * with this very generation and still bridged to A (so a stale peer never gets packets), then
 * rewrites it for B's stream (rtp_relay.c: B's SSRC, continuous seq/ts, B's codec and
 * telephone-event PT, nothing towards a leg on hold) and sends it from B's port to B's latched
 * source or SDP address.
 *
 * Tear-down: UNBRIDGE on A (UNBRIDGED status 0 on A) or A ending sends TEARDOWN to B's owner,
 * which unbridges B (UNBRIDGED status 1 or 2). A message that cannot be sent (no mbuf) is a
 * counted drop (drop_bridge_ctl); the generation check above still keeps packets away from a
 * leg that is gone. Playout: BRIDGE stops a PLAY, TONE or SILENCE on both legs (MEDIA_DONE 1);
 * PLAY, TONE and SILENCE on a bridged leg are refused with BAD_COMMAND -EBUSY. After UNBRIDGE a
 * later PLAY continues the leg's stream (same SSRC, following seq/ts).
 *
 * SRTP: either leg may be SRTP. The receiving owner's dp_rtp_input authenticates and decrypts
 * (and trims the tag) before the bridge hook, so the relay always sees plain RTP; the peer's
 * owner protects the rewritten packet with the peer's own TX session (the SSRC the rewrite
 * wrote is the one that session was made for) before UDP output. Mixed pairs need nothing else.
 */

enum br_op { BR_SETUP = 1, BR_ACK = 2, BR_NACK = 3, BR_TEARDOWN = 4 };

struct br_msg {
	uint32_t op;       /* enum br_op */
	int32_t status;    /* NACK: -errno; TEARDOWN: enum vox_unbridge_why for dst */
	uint64_t dst, src; /* vox_handle_t: the leg the message is for, the leg it is from */
	int16_t dtmf_pt;   /* SETUP/ACK: src's telephone-event PT */
};

/* Written in the headroom, right before the RTP header of a relayed packet. sum: the ones'
 * complement sum of the RTP packet as received, from its verified UDP checksum (has_sum 1), so
 * the UDP checksum going out is an incremental update (RFC 1624) for the header words the rewrite
 * changes, not a pass over the payload; 0 when the payload will differ (SRTP on the receiving
 * leg: decrypted) or the datagram had no checksum. */
struct br_meta {
	uint32_t sum, has_sum;
	uint64_t dst, src;
};

static void br_msg_handle(struct dp_lcore *lc, const struct br_msg *g);

/* The metadata sits right before the RTP header, which is not 8-byte aligned (headroom + 42
 * bytes of headers): always copied, never dereferenced in place. */
static inline void br_meta_get(const struct rte_mbuf *m, struct br_meta *md)
{
	memcpy(md, rte_pktmbuf_mtod(m, const uint8_t *) - sizeof(*md), sizeof(*md));
}

static struct dp_rtpleg *br_rtp(struct dp_lcore *lc, const struct dp_leg *leg)
{
	return &lc->sip->rtp[leg - lc->legs];
}

static struct dp_leg *br_lookup(struct dp_lcore *lc, uint64_t h)
{
	return lc->sip ? dp_leg_lookup(lc, h) : NULL;
}

/* Send (or, for a leg of this lcore, handle) one set-up/tear-down message. */
static int br_send(struct dp_lcore *lc, uint32_t op, int32_t status, uint64_t dst, uint64_t src,
		   int16_t dtmf_pt)
{
	struct br_msg g = {.op = op, .status = status, .dst = dst, .src = src, .dtmf_pt = dtmf_pt};
	uint16_t w = (uint16_t)vox_handle_lcore(dst);
	if (w == lc->widx) {
		br_msg_handle(lc, &g);
		return 0;
	}
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->ctx->pool);
	void *p = m ? rte_pktmbuf_append(m, sizeof(g)) : NULL;
	if (!p) {
		rte_pktmbuf_free(m);
		vox_stats_drop(lc->st, VOX_DROP_bridge_ctl, 1);
		return -ENOBUFS;
	}
	memcpy(p, &g, sizeof(g));
	lc->st->bridge_ctl_msgs++;
	dp_handoff_put(lc, w, m, NET_HANDOFF_BRIDGE_CTL);
	return 0;
}

static void br_mirror(struct dp_lcore *lc, const struct dp_leg *leg, uint64_t peer)
{
	struct vox_leg_mirror *e = &lc->mirror[leg - lc->legs];
	vox_mirror_write_begin(e);
	e->bridge_peer = peer;
	vox_mirror_write_end(e);
}

/* A leg that may take part in a bridge: an answered SIP leg, SRTP or not (dp_rtp_input
 * unprotects what the far end sends, dp_bridge_tx protects with the receiving leg's session), or
 * a ringing one with early media (an inbound leg that sent 183 with our SDP, an outbound one that
 * got the callee's SDP in a 1xx): <Dial answerOnBridge> relays the callee's early media to the
 * unanswered caller. The pairing outlives the answers (ANSWER does not touch it). */
static int br_eligible(struct dp_lcore *lc, const struct dp_leg *leg)
{
	if (leg->kind != VOX_LEG_KIND_SIP_IN && leg->kind != VOX_LEG_KIND_SIP_OUT)
		return -EINVAL;
	if (leg->state == VOX_LEG_ANSWERED)
		return 0;
	return leg->state == VOX_LEG_RINGING && dp_sip_leg(lc, leg)->early ? 0 : -EINVAL;
}

static void br_activate(struct dp_lcore *lc, struct dp_leg *leg, uint64_t peer, int16_t peer_dtmf)
{
	uint32_t slot = (uint32_t)(leg - lc->legs);
	struct dp_rtpleg *r = br_rtp(lc, leg);
	if (r->playing) {
		dp_play_leg_gone(lc, slot);
		dp_leg_state_event(lc, leg, VOX_EVT_MEDIA_DONE, 1);
	}
	dp_term_bridge_start(lc, slot); /* a TONE or SILENCE ends the same way */
	if (!r->tx_ssrc) {
		/* our stream's identity for the leg's lifetime (as playout makes it): never 0 */
		uint64_t x = (dp_leg_handle(lc, leg) ^ lc->sip->seed) * 0x9e3779b97f4a7c15ull;
		r->tx_ssrc = (uint32_t)(x >> 32) | 1u;
		r->tx_seq = (uint16_t)x;
		r->tx_ts = (uint32_t)(x >> 16);
	}
	rtp_relay_init(&r->br_rw, r->tx_seq, r->tx_ts);
	r->br_state = DP_BR_ACTIVE;
	r->br_peer = peer;
	r->br_peer_w = (uint16_t)vox_handle_lcore(peer);
	r->br_in_dtmf_pt = peer_dtmf;
	lc->st->bridges_active++;
	br_mirror(lc, leg, peer);
	dp_leg_state_event(lc, leg, VOX_EVT_BRIDGED, 0);
}

/* Back to control: the playout stream continues where the relay left it. */
static void br_clear(struct dp_lcore *lc, struct dp_leg *leg, int emit, int32_t why)
{
	struct dp_rtpleg *r = br_rtp(lc, leg);
	if (r->br_state == DP_BR_ACTIVE) {
		lc->st->bridges_active--;
		r->tx_seq = (uint16_t)(r->br_rw.out_seq + 1u);
		r->tx_ts = r->br_rw.out_ts + RTP_RELAY_TS_STEP;
		r->marker = 1;
	}
	r->br_state = DP_BR_NONE;
	r->br_peer = 0;
	dp_term_bridge_end(lc, (uint32_t)(leg - lc->legs));
	br_mirror(lc, leg, 0);
	if (emit)
		dp_leg_state_event(lc, leg, VOX_EVT_UNBRIDGED, why);
}

/* SETUP on the peer's owner: accept dst as the partner of src. */
static int br_accept(struct dp_lcore *lc, const struct br_msg *g, int16_t *dtmf)
{
	struct dp_leg *leg = br_lookup(lc, g->dst);
	if (!leg)
		return -ESTALE;
	struct dp_rtpleg *r = br_rtp(lc, leg);
	if (r->br_state != DP_BR_NONE && r->br_peer != g->src)
		return -EBUSY;
	int rc = br_eligible(lc, leg);
	if (rc)
		return rc;
	*dtmf = dp_sip_leg(lc, leg)->dtmf_pt;
	if (r->br_state != DP_BR_ACTIVE) /* PENDING for src too: both asked at once, both agree */
		br_activate(lc, leg, g->src, g->dtmf_pt);
	return 0;
}

static void br_msg_handle(struct dp_lcore *lc, const struct br_msg *g)
{
	struct dp_leg *leg = br_lookup(lc, g->dst);
	struct dp_rtpleg *r = leg ? br_rtp(lc, leg) : NULL;
	int paired = r && r->br_state != DP_BR_NONE && r->br_peer == g->src;
	switch (g->op) {
	case BR_SETUP: {
		int16_t dtmf = -1;
		int rc = br_accept(lc, g, &dtmf);
		br_send(lc, rc ? BR_NACK : BR_ACK, rc, g->src, g->dst, dtmf);
		break;
	}
	case BR_ACK:
		if (paired && r->br_state == DP_BR_PENDING)
			br_activate(lc, leg, g->src, g->dtmf_pt);
		else if (!paired) /* we gave up meanwhile (UNBRIDGE, ended): undo the peer's side */
			br_send(lc, BR_TEARDOWN, VOX_UNBRIDGE_PEER_ENDED, g->src, g->dst, -1);
		break;
	case BR_NACK:
		if (paired && r->br_state == DP_BR_PENDING) {
			br_clear(lc, leg, 0, 0);
			dp_leg_state_event(lc, leg, VOX_EVT_BRIDGE_FAILED, g->status);
		}
		break;
	case BR_TEARDOWN:
		if (paired)
			br_clear(lc, leg, 1, g->status);
		break;
	default:
		break;
	}
}

void dp_bridge_ctl_input(struct dp_lcore *lc, struct rte_mbuf *m)
{
	struct br_msg g;
	if (rte_pktmbuf_data_len(m) == sizeof(g)) {
		memcpy(&g, rte_pktmbuf_mtod(m, const void *), sizeof(g));
		br_msg_handle(lc, &g);
	}
	rte_pktmbuf_free(m);
}

void dp_bridge_cmd_bridge(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	struct vox_bridge b;
	if (h->len < sizeof(b)) {
		dp_ctl_bad(lc, h, -EINVAL);
		return;
	}
	memcpy(&b, pl, sizeof(b));
	uint64_t me = dp_leg_handle(lc, leg);
	struct dp_rtpleg *r = br_rtp(lc, leg);
	int rc = br_eligible(lc, leg);
	if (!rc && (b.peer == 0 || b.peer == me || vox_handle_node(b.peer) != lc->node_id ||
		    vox_handle_lcore(b.peer) >= lc->n_workers))
		rc = -ESTALE;
	if (!rc && r->br_state != DP_BR_NONE)
		rc = r->br_peer == b.peer ? 0 : -EBUSY;
	if (rc) {
		dp_leg_state_event(lc, leg, VOX_EVT_BRIDGE_FAILED, rc);
		return;
	}
	if (r->br_state == DP_BR_ACTIVE)
		return; /* bridged with this very peer already: nothing to do */
	/* new, or still pending with this peer (a SETUP or its answer may have been lost on a full
	   ring): send SETUP (again); the peer's side is idempotent */
	r->br_state = DP_BR_PENDING;
	r->br_peer = b.peer;
	r->br_peer_w = (uint16_t)vox_handle_lcore(b.peer);
	rc = br_send(lc, BR_SETUP, 0, b.peer, me, dp_sip_leg(lc, leg)->dtmf_pt);
	if (rc && r->br_state == DP_BR_PENDING && r->br_peer == b.peer) {
		br_clear(lc, leg, 0, 0);
		dp_leg_state_event(lc, leg, VOX_EVT_BRIDGE_FAILED, rc);
	}
}

void dp_bridge_cmd_unbridge(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl)
{
	struct dp_leg *leg = dp_sip_cmd_leg(lc, h);
	if (!leg)
		return;
	struct dp_rtpleg *r = br_rtp(lc, leg);
	if (r->br_state == DP_BR_NONE) {
		dp_ctl_bad(lc, h, -ENOENT);
		return;
	}
	uint64_t peer = r->br_peer;
	br_clear(lc, leg, 1, VOX_UNBRIDGE_COMMAND);
	br_send(lc, BR_TEARDOWN, VOX_UNBRIDGE_PEER_CMD, peer, dp_leg_handle(lc, leg), -1);
}

void dp_bridge_leg_gone(struct dp_lcore *lc, uint32_t slot)
{
	if (!lc->sip || slot >= lc->max_legs)
		return;
	struct dp_rtpleg *r = &lc->sip->rtp[slot];
	if (r->br_state == DP_BR_NONE)
		return;
	struct dp_leg *leg = &lc->legs[slot];
	uint64_t peer = r->br_peer, me = dp_leg_handle(lc, leg);
	br_clear(lc, leg, 0, 0);
	br_send(lc, BR_TEARDOWN, VOX_UNBRIDGE_PEER_ENDED, peer, me, -1);
}

/* ---- media ------------------------------------------------------------------------------- */

/*
 * With thousands of legs a relayed packet's cost is its cache misses (the RX leg's slot, latch
 * and statistics; the peer's slot, stream and address). A burst prefetches them all first:
 * the RX legs, then (once those lines are on their way) the bridged peers of this lcore.
 */
#define DP_BR_PF_MAX 64

/* The lines a relayed packet touches (dp_sip.h lays struct dp_rtpleg out for it): the leg, its
 * SIP line (ports, codec, SRTP, hold), the relay's line 0 of dp_rtpleg, then the receiving
 * leg's statistics or the transmitting leg's stream rewrite (the SDP address, used before the
 * peer's first packet latched it, is on the SIP line too). */
static inline void pf_leg(struct dp_lcore *lc, uint32_t slot, int tx)
{
	const struct dp_rtpleg *r = &lc->sip->rtp[slot];
	rte_prefetch0(&lc->legs[slot]); /* what the lookup reads is on one line (dp_lcore.h) */
	rte_prefetch0(&lc->sip->legs[slot]);
	rte_prefetch0(r);
	rte_prefetch0(tx ? (const void *)&r->br_rw : (const void *)&r->src);
}

/* A mirror entry's update writes its sequence (line 0) and the counters (line 1). */
static inline void pf_mirror(struct dp_lcore *lc, uint32_t slot)
{
	rte_prefetch0(&lc->mirror[slot].seq);
	rte_prefetch0(&lc->mirror[slot].rtp_rx);
}

void dp_bridge_prefetch_rx(struct dp_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	if (!lc->sip || n < 2)
		return;
	const uint32_t pmin = lc->ctx->cfg.rtp_port_min;
	uint32_t slots[DP_BR_PF_MAX], k = 0;
	for (uint16_t i = 0; i < n && k < DP_BR_PF_MAX; i++) {
		const struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(pkts[i], const struct rte_udp_hdr *,
								       pkts[i]->l2_len + pkts[i]->l3_len);
		uint32_t port = rte_be_to_cpu_16(u->dst_port);
		if (port < pmin)
			continue;
		uint32_t pair = (port - pmin) / 2u, slot = dp_div_workers(lc, pair);
		if (pair - slot * lc->n_workers != lc->widx || slot >= lc->max_legs) /* dp_rtp_port_owner */
			continue;
		pf_leg(lc, slot, 0);
		slots[k++] = slot;
	}
	uint32_t peers[DP_BR_PF_MAX], np = 0;
	for (uint32_t i = 0; i < k; i++) {
		const struct dp_rtpleg *r = &lc->sip->rtp[slots[i]];
		if ((r->rx + 1) % 25 == 1) /* this packet updates the leg's mirror entry (dp_rtp.c) */
			pf_mirror(lc, slots[i]);
		if (r->br_state == DP_BR_ACTIVE && r->br_peer_w == lc->widx &&
		    vox_handle_slot(r->br_peer) < lc->max_legs) {
			peers[np] = vox_handle_slot(r->br_peer);
			pf_leg(lc, peers[np++], 1);
		}
	}
	/* the relayed packets that will update their leg's mirror entry (one in 25), read once the
	   peers' lines had the time of the loop above to arrive */
	for (uint32_t i = 0; i < np; i++)
		if ((lc->sip->rtp[peers[i]].tx + 1) % 25 == 1)
			pf_mirror(lc, peers[i]);
}

static void br_tx(struct dp_lcore *lc, struct rte_mbuf *m, const struct br_meta *md, uint64_t now_tsc);

void dp_bridge_rx(struct dp_lcore *lc, struct dp_leg *leg, struct rte_mbuf *m, uint32_t hl,
		  uint64_t now_tsc)
{
	struct dp_rtpleg *r = br_rtp(lc, leg);
	const struct rte_udp_hdr *u =
		rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, m->l2_len + m->l3_len);
	uint32_t has = u->dgram_cksum != 0 && !dp_sip_leg(lc, leg)->srtp;
	uint32_t sum = has ? net_udp_payload_sum(m) : 0;
	rte_pktmbuf_adj(m, (uint16_t)hl); /* hl < data_len: the RTP header parsed */
	struct br_meta md = {.sum = sum, .has_sum = has, .dst = r->br_peer, .src = dp_leg_handle(lc, leg)};
	if (r->br_peer_w == lc->widx) {
		br_tx(lc, m, &md, now_tsc); /* the metadata stays in registers: no headroom round trip */
		return;
	}
	/* field by field: a struct built on the stack and copied whole would be reloaded with one
	   wide load over narrower stores (no store-to-load forwarding, a stall per packet) */
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *) - sizeof(md);
	memcpy(p + offsetof(struct br_meta, sum), &md.sum, sizeof(md.sum));
	memcpy(p + offsetof(struct br_meta, has_sum), &md.has_sum, sizeof(md.has_sum));
	memcpy(p + offsetof(struct br_meta, dst), &md.dst, sizeof(md.dst));
	memcpy(p + offsetof(struct br_meta, src), &md.src, sizeof(md.src));
	lc->st->bridge_handoff++;
	dp_handoff_put(lc, r->br_peer_w, m, NET_HANDOFF_BRIDGE);
}

static const enum vox_drop_reason br_drop[] = {
	[RTP_RELAY_DROP_HOLD] = VOX_DROP_bridge_hold,
	[RTP_RELAY_DROP_PT] = VOX_DROP_bridge_pt,
	[RTP_RELAY_DROP_EVENT] = VOX_DROP_bridge_no_dtmf,
	[RTP_RELAY_DROP_BAD] = VOX_DROP_rtp_bad,
};

void dp_bridge_tx_burst(struct dp_lcore *lc, struct rte_mbuf **pkts, uint16_t n, uint64_t now_tsc)
{
	for (uint16_t i = 0; i < n && lc->sip; i++) {
		struct br_meta md;
		br_meta_get(pkts[i], &md);
		uint32_t slot = vox_handle_slot(md.dst);
		if (slot < lc->max_legs)
			pf_leg(lc, slot, 1);
	}
	/* the packets that will update their leg's mirror entry (one in 25): that line too */
	for (uint16_t i = 0; i < n && lc->sip; i++) {
		struct br_meta md;
		br_meta_get(pkts[i], &md);
		uint32_t slot = vox_handle_slot(md.dst);
		if (slot < lc->max_legs && (lc->sip->rtp[slot].tx + 1) % 25 == 1)
			pf_mirror(lc, slot);
	}
	for (uint16_t i = 0; i < n; i++)
		dp_bridge_tx(lc, pkts[i], now_tsc);
}

/* Folded ones' complement sum of the 12 bytes of the fixed RTP header the rewrite touches. */
static inline uint32_t hdr_sum(const uint8_t *p)
{
	uint32_t w[3];
	memcpy(w, p, sizeof(w));
	uint64_t s = (uint64_t)w[0] + w[1] + w[2];
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)((s & 0xffff) + (s >> 16));
}

void dp_bridge_tx(struct dp_lcore *lc, struct rte_mbuf *m, uint64_t now_tsc)
{
	struct br_meta md;
	br_meta_get(m, &md);
	br_tx(lc, m, &md, now_tsc);
}

/* One relayed packet on the peer's owner; md: its metadata (a copy, never the headroom, which
 * the headers written below overlap). */
static void br_tx(struct dp_lcore *lc, struct rte_mbuf *m, const struct br_meta *md, uint64_t now_tsc)
{
	struct dp_leg *leg = br_lookup(lc, md->dst);
	struct dp_rtpleg *r = leg ? br_rtp(lc, leg) : NULL;
	if (!r || r->br_state != DP_BR_ACTIVE || r->br_peer != md->src) {
		vox_stats_drop(lc->st, VOX_DROP_bridge_stale, 1);
		rte_pktmbuf_free(m);
		return;
	}
	struct dp_sipleg *sl = dp_sip_leg(lc, leg);
	uint32_t dip;
	uint16_t dport;
	if (r->latched) {
		dip = r->peer_ip;
		dport = r->peer_port;
	} else if (sl->media.family == 4 && sl->media.port) {
		memcpy(&dip, sl->media.ip, 4);
		dport = sl->media.port;
	} else {
		vox_stats_drop(lc->st, VOX_DROP_bridge_no_dest, 1);
		rte_pktmbuf_free(m);
		return;
	}
	struct rtp_relay_side to = {.codec_pt = sl->codec_pt, .dtmf_pt = sl->dtmf_pt, .hold = sl->hold};
	uint32_t rebases = r->br_rw.rebases;
	uint8_t *pkt = rte_pktmbuf_mtod(m, uint8_t *);
	/* a packet too short for an RTP header is dropped by the rewrite before the sum is used */
	uint32_t sum = md->sum, has_sum = md->has_sum && rte_pktmbuf_data_len(m) >= 12;
	uint32_t hsum = has_sum ? hdr_sum(pkt) : 0;
	enum rtp_relay_verdict v = rtp_relay_packet(&r->br_rw, &to, r->br_in_dtmf_pt, r->tx_ssrc, pkt,
						    rte_pktmbuf_data_len(m));
	if (v >= RTP_RELAY_DROP_HOLD) {
		vox_stats_drop(lc->st, br_drop[v], 1);
		rte_pktmbuf_free(m);
		return;
	}
	lc->st->bridge_rebases += r->br_rw.rebases - rebases;
	lc->st->bridge_transcoded += v == RTP_RELAY_TRANSCODE;
	lc->st->bridge_dtmf += v == RTP_RELAY_EVENT;
	if (r->term && v != RTP_RELAY_EVENT) /* a recording of this leg: the peer's side */
		dp_term_bridge_audio(lc, (uint32_t)(leg - lc->legs), pkt, rte_pktmbuf_data_len(m), now_tsc);
	int rc;
	if (sl->srtp) {
		if (dp_srtp_tx(lc, (uint32_t)(leg - lc->legs), m) != 0) { /* counted there */
			rte_pktmbuf_free(m);
			return;
		}
		rc = net_udp_output(&lc->net, m, sl->rtp_port, dip, dport, now_tsc);
	} else if (has_sum && v != RTP_RELAY_TRANSCODE) {
		/* same payload, new header words: RFC 1624 eqn. 3, sum - old + new */
		sum += (uint16_t)~hsum + hdr_sum(pkt);
		rc = net_udp_output_sum(&lc->net, m, sl->rtp_port, dip, dport, sum, now_tsc);
		lc->st->bridge_csum_incr++;
	} else {
		rc = net_udp_output(&lc->net, m, sl->rtp_port, dip, dport, now_tsc);
	}
	if (rc == 0) {
		lc->st->bridge_relayed++;
		if (++r->tx % 25 == 1) {
			struct vox_leg_mirror *e = &lc->mirror[leg - lc->legs];
			vox_mirror_write_begin(e);
			e->rtp_tx = (uint32_t)r->tx;
			vox_mirror_write_end(e);
		}
	}
}
