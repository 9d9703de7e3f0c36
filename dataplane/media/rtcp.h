/* SPDX-License-Identifier: BSD-3-Clause */
/* RTCP (RFC 3550 section 6): SR/RR/SDES(CNAME)/BYE build, compound parse, RTT. */
#ifndef VOX_MEDIA_RTCP_H
#define VOX_MEDIA_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTCP_PT_SR 200
#define RTCP_PT_RR 201
#define RTCP_PT_SDES 202
#define RTCP_PT_BYE 203
#define RTCP_PT_APP 204

#define RTCP_SDES_END 0
#define RTCP_SDES_CNAME 1

#define RTCP_MAX_RC 31        /* 5-bit count field */
#define RTCP_INFO_MAX_RB 8    /* report blocks kept by rtcp_parse */
#define RTCP_INFO_MAX_BYE 4   /* BYE SSRCs kept by rtcp_parse */
#define RTCP_CNAME_MAX 255

struct rtcp_report_block {
	uint32_t ssrc;
	uint8_t fraction_lost;  /* fixed point, /256 */
	int32_t cum_lost;       /* signed 24-bit */
	uint32_t ext_high_seq;
	uint32_t jitter;        /* timestamp units */
	uint32_t lsr;           /* middle 32 bits of the NTP time of the last SR */
	uint32_t dlsr;          /* 1/65536 s since that SR */
};

struct rtcp_sr {
	uint32_t ssrc;
	uint64_t ntp;           /* 32.32 NTP timestamp */
	uint32_t rtp_ts;
	uint32_t pkt_count;
	uint32_t octet_count;
};

#define foreach_rtcp_err                                           \
	_(OK, "ok")                                                \
	_(TOO_SHORT, "shorter than a 4-byte header")               \
	_(VERSION, "version is not 2")                             \
	_(LEN_OVER, "length field runs past the end")              \
	_(FIRST_PT, "compound does not start with SR or RR")       \
	_(PAD_NOT_LAST, "padding bit on a non-final packet")       \
	_(PAD_BAD, "padding count invalid")                        \
	_(RC_OVER, "report blocks do not fit the length")          \
	_(SDES_TRUNC, "SDES chunk runs past its packet")           \
	_(BYE_TRUNC, "BYE SSRC list runs past its packet")

enum rtcp_err {
#define _(n, s) RTCP_ERR_##n,
	foreach_rtcp_err
#undef _
	RTCP_ERR__N
};
extern const char *const rtcp_err_names[RTCP_ERR__N];

/* What rtcp_parse extracted from one compound packet (fixed size). */
struct rtcp_info {
	uint8_t n_packets;      /* RTCP packets in the compound */
	bool has_sr;
	bool has_rr;
	struct rtcp_sr sr;      /* valid when has_sr */
	uint32_t sender_ssrc;   /* SSRC of the first SR/RR */
	uint8_t n_rb;           /* report blocks stored (<= RTCP_INFO_MAX_RB) */
	uint8_t n_rb_total;     /* report blocks seen */
	struct rtcp_report_block rb[RTCP_INFO_MAX_RB];
	bool has_cname;
	uint32_t cname_ssrc;
	uint8_t cname_len;
	char cname[RTCP_CNAME_MAX + 1]; /* NUL-terminated copy */
	bool has_bye;
	uint8_t n_bye;
	uint32_t bye_ssrc[RTCP_INFO_MAX_BYE];
	uint8_t n_app;          /* APP and unknown packet types, skipped */
};

/* Validate (RFC 3550 A.2) and parse a compound RTCP packet. Returns
 * RTCP_ERR_OK and fills *info, or the reason it is rejected. */
enum rtcp_err rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *info);

/* Builders append one RTCP packet at buf and return its length in octets,
 * -EINVAL for bad arguments or -ENOSPC when cap is too small. Concatenate
 * them to form a compound (SR or RR first, then SDES with CNAME). */
int rtcp_build_sr(uint8_t *buf, size_t cap, const struct rtcp_sr *sr,
	const struct rtcp_report_block *rb, unsigned n_rb);
int rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
	const struct rtcp_report_block *rb, unsigned n_rb);
int rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname,
	size_t cname_len);
int rtcp_build_bye(uint8_t *buf, size_t cap, const uint32_t *ssrc, unsigned n,
	const char *reason, size_t reason_len);

static inline uint32_t rtcp_ntp_mid32(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

/* Round-trip time from a report block (RFC 3550 6.4.1, figure 2):
 * arrival_mid32 is the middle 32 bits of the NTP time the report arrived.
 * Returns RTT in 1/65536 s, or -1 when lsr is 0 (no SR seen by the peer)
 * or the result would be negative (clock trouble). */
int64_t rtcp_rtt_q16(uint32_t arrival_mid32, uint32_t lsr, uint32_t dlsr);

#endif
