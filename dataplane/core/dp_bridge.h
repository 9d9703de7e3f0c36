/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_bridge.h — BRIDGE/UNBRIDGE of two SIP legs: RTP relay on the same or across lcores. */
#ifndef DP_BRIDGE_H
#define DP_BRIDGE_H

#include <stdint.h>

struct dp_lcore;
struct dp_leg;
struct rte_mbuf;
struct vox_rec_hdr;

enum dp_br_state {
	DP_BR_NONE = 0,
	DP_BR_PENDING = 1, /* BRIDGE taken here, waiting for the peer's owner to accept */
	DP_BR_ACTIVE = 2,  /* relaying */
};

/* Commands (dp_ctl.c's table). */
void dp_bridge_cmd_bridge(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_bridge_cmd_unbridge(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
/* An RTP packet accepted on a bridged leg (dp_rtp.c, after latching and statistics); hl = bytes
 * of L2-L4 headers before the RTP header. Consumes m. */
void dp_bridge_rx(struct dp_lcore *lc, struct dp_leg *leg, struct rte_mbuf *m, uint32_t hl,
		  uint64_t now_tsc);
/* Handoff kinds NET_HANDOFF_BRIDGE (relayed RTP) and NET_HANDOFF_BRIDGE_CTL. Consume m. */
void dp_bridge_tx(struct dp_lcore *lc, struct rte_mbuf *m, uint64_t now_tsc);
/* Several relayed packets off one handoff ring: their legs' state is prefetched first. */
void dp_bridge_tx_burst(struct dp_lcore *lc, struct rte_mbuf **pkts, uint16_t n, uint64_t now_tsc);
/* Before a burst of RTP datagrams is handled: prefetch their legs' state and, for bridged legs
 * of this lcore, the peer's (the relay's cache misses, overlapped). */
void dp_bridge_prefetch_rx(struct dp_lcore *lc, struct rte_mbuf **pkts, uint16_t n);
void dp_bridge_ctl_input(struct dp_lcore *lc, struct rte_mbuf *m);
/* A leg slot is being released: tell the peer (UNBRIDGED status 2 there). */
void dp_bridge_leg_gone(struct dp_lcore *lc, uint32_t slot);

#endif /* DP_BRIDGE_H */
