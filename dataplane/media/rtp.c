/* SPDX-License-Identifier: BSD-3-Clause */
/* RTP fixed header parse and build (RFC 3550 section 5.1). */
#include <errno.h>

#include "rtp.h"

const char *const rtp_err_names[RTP_ERR__N] = {
#define _(n, s) [RTP_ERR_##n] = s,
	foreach_rtp_err
#undef _
};

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum rtp_err rtp_parse(const uint8_t *buf, size_t len, struct rtp_hdr *h)
{
	if (len < RTP_HDR_LEN)
		return RTP_ERR_TOO_SHORT;
	if (len > UINT16_MAX)
		return RTP_ERR_TOO_LONG; /* offsets and lengths are 16-bit */
	if ((buf[0] >> 6) != RTP_VERSION)
		return RTP_ERR_VERSION;

	unsigned pt = buf[1] & 0x7f;
	/* 72..76 are SR..APP with the marker bit set (RFC 5761 section 4) */
	if (pt >= 72 && pt <= 76)
		return RTP_ERR_PT_RTCP;

	size_t off = RTP_HDR_LEN + 4u * (buf[0] & 0x0f);
	if (off > len)
		return RTP_ERR_CSRC_TRUNC;

	h->has_ext = buf[0] & 0x10;
	h->ext_profile = 0;
	h->ext_off = 0;
	h->ext_len = 0;
	if (h->has_ext) {
		if (off + 4 > len)
			return RTP_ERR_EXT_TRUNC;
		size_t elen = 4u * rd16(buf + off + 2);
		if (off + 4 + elen > len)
			return RTP_ERR_EXT_TRUNC;
		h->ext_profile = rd16(buf + off);
		h->ext_off = (uint16_t)(off + 4);
		h->ext_len = (uint16_t)elen;
		off += 4 + elen;
	}

	size_t pad = 0;
	if (buf[0] & 0x20) {
		pad = buf[len - 1];
		if (pad == 0)
			return RTP_ERR_PAD_ZERO;
		if (off + pad > len)
			return RTP_ERR_PAD_OVER;
	}

	h->marker = buf[1] >> 7;
	h->pt = (uint8_t)pt;
	h->cc = buf[0] & 0x0f;
	h->seq = rd16(buf + 2);
	h->ts = rd32(buf + 4);
	h->ssrc = rd32(buf + 8);
	h->pad_len = (uint8_t)pad;
	h->payload_off = (uint16_t)off;
	h->payload_len = (uint16_t)(len - off - pad);
	return RTP_ERR_OK;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int rtp_build_hdr(uint8_t *buf, size_t cap, const struct rtp_build *b)
{
	if (b->pt > 127 || b->cc > RTP_MAX_CSRC)
		return -EINVAL;
	size_t n = RTP_HDR_LEN + 4u * b->cc;
	if (cap < n)
		return -ENOSPC;
	buf[0] = (uint8_t)(RTP_VERSION << 6 | b->cc);
	buf[1] = (uint8_t)((b->marker ? 0x80 : 0) | b->pt);
	buf[2] = (uint8_t)(b->seq >> 8);
	buf[3] = (uint8_t)b->seq;
	wr32(buf + 4, b->ts);
	wr32(buf + 8, b->ssrc);
	for (unsigned i = 0; i < b->cc; i++)
		wr32(buf + RTP_HDR_LEN + 4 * i, b->csrc[i]);
	return (int)n;
}
