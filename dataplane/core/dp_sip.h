/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_sip.h — the dataplane's SIP service: ownership routing, stateless answers, UAS legs. */
#ifndef DP_SIP_H
#define DP_SIP_H

#include <stddef.h>
#include <stdint.h>

#include "sip.h"
#include "dtmf4733.h"
#include "rtp.h"
#include "rtp_relay.h"
#include "txn.h"
#include "vox_abi.h"

struct dp_lcore;
struct dp_leg;
struct dp_medialeg;
struct rte_mbuf;

/*
 * Ownership. A call and all its legs live on one worker. Identifiers we mint carry the owner:
 *   tags     "vx" NN LL + 8 hex          (NN node, LL worker, two hex digits each)
 *   Call-IDs "vx" NN LL "-" 16 hex "@voxplane"
 *   branches "z9hG4bKvx" NN LL + 12 hex
 * A response is routed by its top Via branch; a request by its To-tag or Call-ID when they are
 * ours, else by a hash of its Call-ID. dp_sip_owner() decides on the receiving worker; the
 * owner parses again (a routing scan is cheaper than carrying a parse across lcores).
 */
#define DP_SIP_TAG_LEN 14
#define DP_SIP_STR 256
#define DP_SIP_ROUTE 512

/* Membership of a leg in one of the per-worker slot indexes (dialogs, merged requests). */
struct dp_slot_link {
	uint32_t next; /* next slot in the bucket (UINT32_MAX: end) */
	uint32_t hash;
	uint8_t in;
};

/* SIP state of a leg (slot-indexed beside struct dp_leg). */
struct dp_sipleg {
	uint8_t uas;           /* 1 inbound (we answered), 0 outbound */
	uint8_t answered;
	uint8_t final_sent;    /* a final response to the initial INVITE went out */
	uint8_t late_offer;    /* INVITE had no SDP: our 200 carries the offer, the ACK the answer */
	uint8_t reinvite_pending;
	uint8_t have_offer;
	uint8_t hold;          /* remote put us on hold (sendonly/inactive) */
	uint8_t srtp;
	uint8_t srtp_suite;     /* enum sip_sdp_suite of the negotiated crypto line */
	uint8_t srtp_offer;     /* outbound: offer RTP/SAVP (VOX_DIAL_SRTP) */
	uint16_t rtp_port;     /* our media port (owned by this worker by construction) */
	int16_t codec_pt, dtmf_pt;
	uint16_t ptime;
	struct sip_addr media;     /* remote RTP address from SDP (with the above: the relay's line) */
	uint32_t remote_cseq;
	uint32_t local_cseq;
	uint32_t inv_txn;      /* server txn of the initial INVITE (TXN_NONE after it ended) */
	uint32_t reinv_txn;    /* server txn of a pending re-INVITE */
	uint32_t bye_txn;      /* client txn of our BYE */
	uint16_t end_code;     /* SIP code that ended the leg (0: none) */
	uint8_t end_by;        /* enum vox_leg_by */
	struct dp_slot_link dlg; /* in the dialog index: (Call-ID, our tag) */
	struct dp_slot_link mrg; /* in the merged-request index (inbound, unanswered) */
	uint64_t sess_version;
	uint64_t answered_ns;
	struct sip_addr peer;      /* where in-dialog requests go */
	struct sip_addr src;       /* where the initial INVITE came from */
	struct rte_mbuf *invite;   /* the initial INVITE, kept until our final answer */
	/* outbound legs (DIAL); everything above local_tag is zeroed for a new leg */
	uint8_t auth_tried;          /* credentials were sent once (a second challenge fails) */
	uint8_t cancelled;
	uint8_t early;                /* early media: 183 with our SDP sent (inbound) or a 1xx
					with the callee's SDP taken (outbound); bridgeable */
	uint16_t ring_timeout_s;
	uint32_t inv_cseq;           /* CSeq number of our current INVITE */
	tw_handle_t ring_tw;
	uint32_t ack_ref;            /* our ACK for the 2xx (re-sent on 2xx retransmissions) */
	uint8_t max_fwd;             /* inbound: the INVITE's Max-Forwards; outbound: what we send */
	uint16_t match_lo, match_hi; /* SET_MATCH: report codes in [lo, hi] (0: none) */

	uint8_t srtp_local[30];    /* our SDES key+salt */
	uint8_t srtp_remote[30];
	char local_tag[DP_SIP_TAG_LEN + 2];
	char remote_tag[48];         /* inbound: the caller's From tag (merged-request check) */
	char call_id[DP_SIP_STR];
	char local_hdr[DP_SIP_STR];  /* our From/To value, with our tag */
	char remote_hdr[DP_SIP_STR]; /* theirs, with their tag */
	char target[DP_SIP_STR];     /* remote target URI (Contact) */
	char route[DP_SIP_ROUTE];    /* route set, comma separated, in the order to use */
	char inv_branch[40];         /* branch of our current INVITE (CANCEL reuses it) */
	char auth_user[64];
	char auth_pass[64];
	char extra[512];             /* control's extra header lines for our INVITE */
	char match_name[48];         /* SET_MATCH: header name ('' none) */
	char match_value[80];        /* ... containing this ('' any value) */
};

_Static_assert(offsetof(struct dp_sipleg, media) + sizeof(struct sip_addr) <= 64,
	       "what the relay reads of a leg's SIP state is its first cache line");

/* RTP receive state of a leg (slot-indexed; dp_rtp.c). Laid out for the relay: what every
 * relayed packet reads or writes on either leg (latch, identity, counters, bridge pairing) is
 * the first cache line; the receiving leg then touches its statistics (src, the second line
 * after br_rw), the transmitting one its stream rewrite (br_rw, right after line 0). */
struct dp_rtpleg {
	/* line 0: hot on both legs of a relayed packet */
	uint8_t latched;
	uint8_t have_src;
	uint8_t br_state;       /* enum dp_br_state (dp_bridge.c) */
	uint8_t marker;         /* next packet starts a talkspurt (playout) */
	uint16_t peer_port, cand_port;
	uint16_t cand_n;
	uint16_t br_peer_w;     /* worker that owns the peer */
	int16_t br_in_dtmf_pt;  /* the peer's telephone-event PT: what arrives from it (-1 none) */
	uint32_t peer_ip, cand_ip; /* network byte order */
	uint32_t ssrc;
	uint32_t term;          /* index + 1 in the worker's dp_terms, 0: none (dp_term.c) */
	uint32_t tx_ssrc;
	uint64_t rx;
	uint64_t tx;
	uint64_t br_peer;       /* vox_handle_t of the peer leg */
	/* line 1: the transmitting leg's relayed stream, then our stream's position */
	struct rtp_relay br_rw; /* our outgoing stream while bridged */
	uint32_t tx_ts;
	uint16_t tx_seq;
	/* playout (dp_play.c) */
	uint8_t playing;
	uint8_t play_n, play_i;
	uint32_t play_loop;     /* loops left after this one; UINT32_MAX: until STOP */
	uint32_t frame;
	uint32_t play_next;     /* next playing slot (UINT32_MAX: end) */
	/* line 2: the receiving leg's RFC 3550 statistics */
	struct rtp_source src __attribute__((aligned(64)));
	uint64_t clip[VOX_PLAY_MAX];
	/* terminating media (dp_term.c) */
	struct dtmf4733_rx dtmf;    /* RFC 4733 receive (legs that negotiated telephone-event) */
	struct vox_digits digits;   /* the latest COLLECT result (DIGITS payload, kept for a retry) */
	struct vox_recording_done recdone; /* the latest RECORDING_DONE payload */
} __attribute__((aligned(64)));
_Static_assert(offsetof(struct dp_rtpleg, br_peer) + 8 <= 64, "the relay's hot fields fit one line");
_Static_assert(offsetof(struct dp_rtpleg, br_rw) + sizeof(struct rtp_relay) <= 128, "br_rw: line 1");
_Static_assert(sizeof(struct rtp_source) <= 64, "src: line 2");

/* Per-worker SIP state. */
struct dp_sip {
	struct txn_layer txl;
	struct sip_msg msg;          /* scratch: the message being handled */
	struct sip_msg msg2;         /* scratch: a stored request re-parsed to answer it */
	struct dp_sipleg *legs;      /* max_legs entries */
	struct dp_rtpleg *rtp;       /* max_legs entries */
	uint32_t play_head;          /* slots playing (UINT32_MAX: none) */
	uint32_t n_playing;
	uint64_t next_tick_tsc;
	uint64_t arr_tsc;            /* dp_rtp_input: the TSC arr_8k was computed for */
	uint32_t arr_8k;             /* ... that TSC in 8 kHz units (RTP arrival time) */
	struct dp_terms *terms;      /* terminating media states (dp_term.c) */
	struct dp_medialeg *med;     /* max_legs entries: SRTP, RTCP, media watch (dp_media.h) */
	uint32_t med_cursor, med_n;  /* media sweep position, answered legs seen this sweep */
	uint64_t med_rng;
	uint32_t *dlg_buckets;       /* dialog hash: (Call-ID, local tag) -> slot */
	uint32_t *mrg_buckets;       /* merged-request index, same size */
	uint64_t *txn_reqid;         /* per client txn: control's req_id of a SEND_REQUEST (0: none) */
	uint32_t dlg_mask;
	/* stored messages for retransmission (msg_ref = index) */
	struct rte_mbuf **store;
	uint32_t *store_free;
	uint32_t store_cap, store_n_free;
	uint64_t id_counter;         /* for tags, branches, Call-IDs */
	uint64_t seed;
	struct sip_addr *store_dst;
	const char *parsed_buf;      /* msg already holds the parse of this buffer (owner check) */
	int parsed_rc;
	struct vox_acl acl;          /* inbound sources allowed (n = 0: all) */
	struct rte_mbuf **txn_req;   /* per server txn: a request kept for control's CMD_RESPOND */
	struct sip_addr *txn_src;
	char evtbuf[VOX_REC_MAX_PAYLOAD];
	char buf[16384];             /* scratch for building messages */
	char sdp[2048];
};

/*
 * RTP ports are partitioned so that the owner is a function of the port: pairs (RTP, RTCP)
 * from rtp_port_min, pair k belongs to worker k % n_workers. A leg in slot s of worker w uses
 * pair s * n_workers + w. A NIC can steer each worker's ports with one rte_flow mask rule when
 * n_workers is a power of two.
 */
static inline uint32_t dp_rtp_port(uint32_t port_min, uint32_t slot, uint16_t w, uint16_t n_workers)
{
	return port_min + 2u * (slot * n_workers + w);
}
static inline uint16_t dp_rtp_port_owner(uint32_t port_min, uint32_t port, uint16_t n_workers)
{
	return (uint16_t)(((port - port_min) / 2u) % n_workers);
}

int dp_sip_init(struct dp_lcore *lc, int socket);
/* "192.0.2.0/24, 198.51.100.7" into an access list. Returns 0, -EINVAL or -E2BIG. */
int dp_sip_acl_parse(struct vox_acl *acl, const char *text);
/* Owner worker of a SIP datagram received here (payload at off, len bytes). */
uint16_t dp_sip_owner(const struct dp_lcore *lc, const char *p, uint32_t len);
/* Handle a SIP datagram on its owner. Consumes m. */
void dp_sip_input(struct dp_lcore *lc, struct rte_mbuf *m, uint64_t now_tsc);
/* Commands from control for SIP legs (dp_ctl.c's command table). */
struct vox_rec_hdr;
void dp_sip_cmd_ring(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_sip_cmd_answer(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_sip_cmd_reject(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_sip_cmd_hangup(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_sip_cmd_respond(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_sip_cmd_set_acl(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_sip_cmd_dial(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_sip_cmd_cancel_leg(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_sip_cmd_send_request(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_sip_cmd_set_match(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
/* RTP/RTCP datagrams on the owning worker (dp_rtp.c). Consumes m. */
void dp_rtp_input(struct dp_lcore *lc, struct rte_mbuf *m, uint64_t now_tsc);
void dp_rtp_leg_reset(struct dp_lcore *lc, uint32_t slot);
/* Playout (dp_play.c): the 20 ms media tick, and PLAY/STOP. */
void dp_play_tick(struct dp_lcore *lc, uint64_t now_tsc);
void dp_play_cmd_play(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_play_cmd_stop(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_play_leg_gone(struct dp_lcore *lc, uint32_t slot);
/* Terminating media (dp_term.c): TONE/SILENCE, DTMF receive, COLLECT, RECORD. */
int dp_term_init(struct dp_lcore *lc, int socket);
void dp_term_rtp(struct dp_lcore *lc, struct dp_leg *leg, struct dp_rtpleg *r,
		 const struct rtp_hdr *h, const uint8_t *pkt, uint64_t now_tsc);
void dp_term_tick(struct dp_lcore *lc, uint64_t tick_tsc);
void dp_term_leg_gone(struct dp_lcore *lc, uint32_t slot);
void dp_term_cmd_play(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_term_cmd_stop(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_term_cmd_tone(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_term_cmd_silence(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_term_cmd_collect(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
void dp_term_cmd_record(struct dp_lcore *lc, const struct vox_rec_hdr *h, const void *pl);
/* The leg is being bridged: a TONE or SILENCE in progress ends (MEDIA_DONE status 1). */
void dp_term_bridge_start(struct dp_lcore *lc, uint32_t slot);
/* A relayed audio packet (rewritten for this leg, not yet protected) about to go to a bridged
 * leg: a recording of the leg takes it as its near side (a jitter buffer of its own, drained by
 * the recorder's tick). */
void dp_term_bridge_audio(struct dp_lcore *lc, uint32_t slot, const uint8_t *pkt, uint32_t len,
			  uint64_t now_tsc);
/* The leg is no longer bridged. */
void dp_term_bridge_end(struct dp_lcore *lc, uint32_t slot);
/* Timer kinds routed to the SIP service. */
void dp_sip_timer(struct dp_lcore *lc, uint32_t kind, uint64_t arg);
/* A leg slot is being released (free SIP state). */
void dp_sip_leg_release(struct dp_lcore *lc, uint32_t slot);

#endif /* DP_SIP_H */
