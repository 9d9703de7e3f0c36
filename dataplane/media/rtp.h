/* SPDX-License-Identifier: BSD-3-Clause */
/* RTP (RFC 3550): header parse/build and per-source receive statistics. */
#ifndef VOX_MEDIA_RTP_H
#define VOX_MEDIA_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION 2
#define RTP_HDR_LEN 12
#define RTP_MAX_CSRC 15

/* Parse failures: one reason per rejected packet (X-macro: enum + names). */
#define foreach_rtp_err                                            \
	_(OK, "ok")                                                \
	_(TOO_SHORT, "shorter than the 12-byte fixed header")      \
	_(TOO_LONG, "longer than 65535 octets")                    \
	_(VERSION, "version is not 2")                             \
	_(CSRC_TRUNC, "CSRC list runs past the end")               \
	_(EXT_TRUNC, "header extension runs past the end")         \
	_(PAD_ZERO, "padding bit set, padding count 0")            \
	_(PAD_OVER, "padding count exceeds the payload")           \
	_(PT_RTCP, "payload type 72-76 collides with RTCP (rtcp-mux)")

enum rtp_err {
#define _(n, s) RTP_ERR_##n,
	foreach_rtp_err
#undef _
	RTP_ERR__N
};
extern const char *const rtp_err_names[RTP_ERR__N];

/* A parsed header. Offsets are from the start of the packet. */
struct rtp_hdr {
	uint32_t ts;
	uint32_t ssrc;
	uint16_t seq;
	uint8_t pt;
	uint8_t marker;
	uint8_t cc;          /* CSRC count; CSRCs are at offset 12 */
	uint8_t pad_len;     /* trailing padding octets, 0 if none */
	uint16_t ext_profile; /* valid when ext_len or has_ext */
	bool has_ext;
	uint16_t ext_off;    /* offset of extension data (after its 4-byte header) */
	uint16_t ext_len;    /* extension data length in octets */
	uint16_t payload_off;
	uint16_t payload_len; /* excluding padding */
};

/* Validate and parse an RTP packet of len octets.
 * Returns RTP_ERR_OK and fills *h, or the reason the packet is rejected. */
enum rtp_err rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h);

/* First-byte/second-byte demultiplexing for rtcp-mux (RFC 5761 section 4):
 * true when the packet looks like RTCP (second octet 192..223). */
static inline bool rtp_is_rtcp(const uint8_t *buf, size_t len)
{
	return len >= 2 && buf[1] >= 192 && buf[1] <= 223;
}

static inline uint32_t rtp_csrc(const uint8_t *buf, unsigned i)
{
	const uint8_t *p = buf + RTP_HDR_LEN + 4 * i;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct rtp_build {
	uint32_t ts;
	uint32_t ssrc;
	uint16_t seq;
	uint8_t pt;
	bool marker;
	uint8_t cc;
	const uint32_t *csrc; /* cc entries, may be NULL when cc == 0 */
};

/* Write a fixed header plus CSRC list (no extension, no padding) into buf.
 * Returns the header length, -EINVAL (pt > 127, cc > 15) or -ENOSPC. */
int rtp_build_hdr(uint8_t *buf, size_t cap, const struct rtp_build *b);

/*
 * Per-source receive statistics, RFC 3550 A.1 (sequence validation),
 * A.3 (loss) and A.8 (interarrival jitter). Fixed size, one per received
 * SSRC per leg, written only by the lcore owning the leg.
 */
#define RTP_MAX_DROPOUT 3000
#define RTP_MAX_MISORDER 100
#define RTP_MIN_SEQUENTIAL 2
#define RTP_SEQ_MOD (1u << 16)

enum rtp_seq_res {
	RTP_SEQ_OK,        /* in order (possibly after a gap): counted */
	RTP_SEQ_MISORDER,  /* late or duplicate within max_misorder: counted */
	RTP_SEQ_PROBATION, /* source not yet validated: not counted */
	RTP_SEQ_BAD,       /* big jump, first of a possible restart: not counted */
	RTP_SEQ_RESTART,   /* second packet after a jump: source re-initialised, counted */
};

struct rtp_source {
	uint32_t ssrc;
	uint16_t max_seq;        /* highest seq number seen */
	uint32_t cycles;         /* shifted count of seq number cycles */
	uint32_t base_seq;       /* base seq number */
	uint32_t bad_seq;        /* last 'bad' seq number + 1 */
	uint32_t probation;      /* sequ. packets till source is valid */
	uint32_t received;       /* packets received */
	uint32_t expected_prior; /* packet expected at last interval */
	uint32_t received_prior; /* packet received at last interval */
	uint32_t transit;        /* relative trans time for prev pkt */
	uint32_t jitter;         /* estimated jitter, timestamp units << 4 */
	bool have_transit;
	uint32_t misorder;       /* counted RTP_SEQ_MISORDER */
	uint32_t bad;            /* counted RTP_SEQ_BAD */
	uint32_t lsr;            /* middle 32 bits of the last SR's NTP time, 0 if none */
	uint32_t lsr_arrival;    /* caller's clock (1/65536 s) when that SR arrived */
};

/* Start tracking a source whose first packet carries seq (A.1 init_seq
 * with probation MIN_SEQUENTIAL). */
void rtp_source_init(struct rtp_source *s, uint32_t ssrc, uint16_t seq);

/* A.1 update_seq: classify seq and update counters. */
enum rtp_seq_res rtp_source_update_seq(struct rtp_source *s, uint16_t seq);

/* A.8 interarrival jitter: rtp_ts from the packet, arrival in the same
 * timestamp units (8000 Hz for G.711) from the caller's clock. */
void rtp_source_jitter(struct rtp_source *s, uint32_t rtp_ts, uint32_t arrival);

/* One packet: update_seq, then jitter for counted packets. */
enum rtp_seq_res rtp_source_rx(struct rtp_source *s, uint16_t seq, uint32_t rtp_ts,
	uint32_t arrival);

static inline uint32_t rtp_source_ext_max(const struct rtp_source *s)
{
	return s->cycles + s->max_seq;
}

static inline uint32_t rtp_source_expected(const struct rtp_source *s)
{
	return rtp_source_ext_max(s) - s->base_seq + 1;
}

/* Cumulative lost, A.3: expected - received, may be negative with duplicates. */
static inline int32_t rtp_source_lost(const struct rtp_source *s)
{
	return (int32_t)(rtp_source_expected(s) - s->received);
}

/* Jitter in timestamp units, as carried in a report block. */
static inline uint32_t rtp_source_jitter_ts(const struct rtp_source *s)
{
	return s->jitter >> 4;
}

struct rtcp_report_block;

/* Fill a report block for this source and start a new interval (A.3
 * fraction lost). now_q16 is the caller's clock in 1/65536 s, used for DLSR. */
void rtp_source_report(struct rtp_source *s, uint32_t now_q16, struct rtcp_report_block *rb);

/* Record an SR from this source: ntp is its 64-bit NTP timestamp. */
void rtp_source_sr_rx(struct rtp_source *s, uint64_t ntp, uint32_t now_q16);

#endif
