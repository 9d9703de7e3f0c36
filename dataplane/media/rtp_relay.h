/* SPDX-License-Identifier: BSD-3-Clause */
/* rtp_relay.h — rewriting a relayed RTP stream (a bridge): one continuous outgoing stream
 * whatever the source does, G.711 law conversion, payload type mapping, hold. */
#ifndef VOX_MEDIA_RTP_RELAY_H
#define VOX_MEDIA_RTP_RELAY_H

#include <stdint.h>

/*
 * The transmitting side of a bridge owns the outgoing stream: its SSRC, its sequence and
 * timestamp space. Each incoming packet maps to it by two offsets (out = in + off, modulo 2^16
 * and 2^32), so loss, reordering and silence gaps pass through unchanged. When the source
 * changes (a new SSRC) or jumps (sequence more than RTP_RELAY_SEQ_JUMP ahead or
 * RTP_RELAY_SEQ_BACK behind, timestamp more than RTP_RELAY_TS_JUMP ahead or RTP_RELAY_TS_BACK
 * behind), the offsets are re-based so the next output packet follows the last one sent:
 * sequence + 1, timestamp + RTP_RELAY_TS_STEP (one 20 ms frame), marker bit set.
 */
#define RTP_RELAY_SEQ_JUMP 1000
#define RTP_RELAY_SEQ_BACK 100
#define RTP_RELAY_TS_JUMP (8000u * 60u)  /* a minute of silence suppression is still a gap */
#define RTP_RELAY_TS_BACK (8000u * 2u)
#define RTP_RELAY_TS_STEP 160u

struct rtp_relay {
	uint8_t have;      /* an input stream is known */
	uint8_t marker;    /* next output packet carries M=1 (after a re-base) */
	uint16_t in_seq;   /* highest input sequence number seen */
	uint16_t seq_off;
	uint16_t out_seq;  /* output sequence number of in_seq */
	uint32_t in_ssrc;
	uint32_t in_ts;    /* timestamp of in_seq */
	uint32_t ts_off;
	uint32_t out_ts;   /* output timestamp of in_seq */
	uint32_t rebases;  /* offsets re-based (source change or jump) */
};

/* Start an output stream whose next packet gets sequence next_seq and timestamp next_ts (so a
 * bridge continues the leg's playout stream when there was one). */
void rtp_relay_init(struct rtp_relay *r, uint16_t next_seq, uint32_t next_ts);

/* Map one input (ssrc, seq, ts) to the output stream. Returns 1 when the offsets were re-based
 * for this packet (then the caller sets the marker bit), else 0. */
int rtp_relay_map(struct rtp_relay *r, uint32_t ssrc, uint16_t seq, uint32_t ts, uint16_t *oseq,
		  uint32_t *ots);

/* What the transmitting leg negotiated (its SDP), and whether it may receive. */
struct rtp_relay_side {
	int16_t codec_pt; /* 0 PCMU or 8 PCMA */
	int16_t dtmf_pt;  /* telephone-event PT, -1: none */
	uint8_t hold;     /* its SDP said sendonly or inactive: it must not receive */
};

enum rtp_relay_verdict {
	RTP_RELAY_PASS = 0,   /* audio in the peer's codec: header rewrite only */
	RTP_RELAY_TRANSCODE,  /* audio converted PCMU <-> PCMA in place */
	RTP_RELAY_EVENT,      /* RFC 4733 event with the peer's telephone-event PT */
	RTP_RELAY_DROP_HOLD,  /* the peer must not receive now */
	RTP_RELAY_DROP_PT,    /* a payload type the peer cannot take (CN, unknown) */
	RTP_RELAY_DROP_EVENT, /* an RFC 4733 event for a peer without telephone-event */
	RTP_RELAY_DROP_BAD,   /* not a valid RTP packet */
};

/* Decide for an input payload type: in_dtmf_pt is the source leg's telephone-event PT (-1 none).
 * *out_pt gets the payload type to send. */
enum rtp_relay_verdict rtp_relay_decide(const struct rtp_relay_side *to, int16_t in_dtmf_pt,
					uint8_t in_pt, uint8_t *out_pt);

/* The whole per-packet rewrite, in place on an RTP packet of len bytes: decide, map seq/ts,
 * put our SSRC, convert the payload when the laws differ. Drops return a DROP_* verdict and
 * leave the packet unchanged. */
enum rtp_relay_verdict rtp_relay_packet(struct rtp_relay *r, const struct rtp_relay_side *to,
					int16_t in_dtmf_pt, uint32_t out_ssrc, uint8_t *pkt,
					uint32_t len);

/* G.711 code conversion (through the 16-bit linear value), 256 entries each; filled by
 * rtp_relay_tables_init (rtp_relay_init calls it). */
void rtp_relay_tables_init(void);
extern uint8_t rtp_relay_u2a[256];
extern uint8_t rtp_relay_a2u[256];

#endif /* VOX_MEDIA_RTP_RELAY_H */
