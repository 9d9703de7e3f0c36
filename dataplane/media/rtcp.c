/* SPDX-License-Identifier: BSD-3-Clause */
/* RTCP compound packet validation/parse and SR, RR, SDES CNAME, BYE builders. */
#include <errno.h>
#include <string.h>

#include "rtcp.h"

const char *const rtcp_err_names[RTCP_ERR__N] = {
#define _(n, s) [RTCP_ERR_##n] = s,
	foreach_rtcp_err
#undef _
};

#define RTCP_HDR_LEN 4
#define RTCP_SR_INFO_LEN 20
#define RTCP_RB_LEN 24

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void rtcp_rb_read(const uint8_t *p, struct rtcp_report_block *rb)
{
	rb->ssrc = rd32(p);
	rb->fraction_lost = p[4];
	uint32_t cl = (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	rb->cum_lost = (cl & 0x800000) ? (int32_t)cl - 0x1000000 : (int32_t)cl;
	rb->ext_high_seq = rd32(p + 8);
	rb->jitter = rd32(p + 12);
	rb->lsr = rd32(p + 16);
	rb->dlsr = rd32(p + 20);
}

static void rtcp_rb_write(uint8_t *p, const struct rtcp_report_block *rb)
{
	wr32(p, rb->ssrc);
	wr32(p + 4, (uint32_t)rb->cum_lost & 0xffffff);
	p[4] = rb->fraction_lost;
	wr32(p + 8, rb->ext_high_seq);
	wr32(p + 12, rb->jitter);
	wr32(p + 16, rb->lsr);
	wr32(p + 20, rb->dlsr);
}

static void rtcp_keep_rbs(struct rtcp_info *info, const uint8_t *p, unsigned rc)
{
	for (unsigned i = 0; i < rc; i++, p += RTCP_RB_LEN) {
		if (info->n_rb < RTCP_INFO_MAX_RB)
			rtcp_rb_read(p, &info->rb[info->n_rb++]);
		info->n_rb_total++;
	}
}

/* SDES body: count chunks, each an SSRC then items ended by a null item and
 * padding to a 32-bit boundary. Keeps the first CNAME. */
static enum rtcp_err rtcp_parse_sdes(const uint8_t *pkt, size_t body_end, unsigned sc,
	struct rtcp_info *info)
{
	size_t p = RTCP_HDR_LEN;

	for (unsigned c = 0; c < sc; c++) {
		if (p + 4 > body_end)
			return RTCP_ERR_SDES_TRUNC;
		uint32_t ssrc = rd32(pkt + p);
		p += 4;
		for (;;) {
			if (p >= body_end)
				return RTCP_ERR_SDES_TRUNC;
			uint8_t type = pkt[p];
			if (type == RTCP_SDES_END) {
				p = (p + 4) & ~(size_t)3; /* null octets to the boundary */
				break;
			}
			if (p + 2 > body_end || p + 2 + pkt[p + 1] > body_end)
				return RTCP_ERR_SDES_TRUNC;
			uint8_t ilen = pkt[p + 1];
			if (type == RTCP_SDES_CNAME && !info->has_cname) {
				info->has_cname = true;
				info->cname_ssrc = ssrc;
				info->cname_len = ilen;
				memcpy(info->cname, pkt + p + 2, ilen);
				info->cname[ilen] = '\0';
			}
			p += 2u + ilen;
		}
		if (p > body_end)
			return RTCP_ERR_SDES_TRUNC;
	}
	return RTCP_ERR_OK;
}

enum rtcp_err rtcp_parse(const uint8_t *buf, size_t len, struct rtcp_info *info)
{
	size_t off = 0;

	memset(info, 0, sizeof(*info));

	if (len < RTCP_HDR_LEN)
		return RTCP_ERR_TOO_SHORT;
	if (buf[1] != RTCP_PT_SR && buf[1] != RTCP_PT_RR)
		return RTCP_ERR_FIRST_PT;

	while (off < len) {
		const uint8_t *pkt = buf + off;
		if (len - off < RTCP_HDR_LEN)
			return RTCP_ERR_TOO_SHORT;
		if ((pkt[0] >> 6) != 2)
			return RTCP_ERR_VERSION;
		size_t plen = 4u * ((size_t)(pkt[2] << 8 | pkt[3]) + 1);
		if (plen > len - off)
			return RTCP_ERR_LEN_OVER;

		size_t body_end = plen; /* relative to pkt, padding excluded */
		if (pkt[0] & 0x20) {
			if (off + plen != len)
				return RTCP_ERR_PAD_NOT_LAST;
			uint8_t pad = pkt[plen - 1];
			if (pad == 0 || pad > plen - RTCP_HDR_LEN)
				return RTCP_ERR_PAD_BAD;
			body_end -= pad;
		}

		unsigned count = pkt[0] & 0x1f;
		switch (pkt[1]) {
		case RTCP_PT_SR:
			if (body_end < RTCP_HDR_LEN + 4 + RTCP_SR_INFO_LEN + RTCP_RB_LEN * count)
				return RTCP_ERR_RC_OVER;
			if (!info->has_sr && !info->has_rr) {
				info->has_sr = true;
				info->sender_ssrc = rd32(pkt + 4);
				info->sr.ssrc = info->sender_ssrc;
				info->sr.ntp = (uint64_t)rd32(pkt + 8) << 32 | rd32(pkt + 12);
				info->sr.rtp_ts = rd32(pkt + 16);
				info->sr.pkt_count = rd32(pkt + 20);
				info->sr.octet_count = rd32(pkt + 24);
			}
			rtcp_keep_rbs(info, pkt + 28, count);
			break;
		case RTCP_PT_RR:
			if (body_end < RTCP_HDR_LEN + 4 + RTCP_RB_LEN * count)
				return RTCP_ERR_RC_OVER;
			if (!info->has_sr && !info->has_rr) {
				info->has_rr = true;
				info->sender_ssrc = rd32(pkt + 4);
			}
			rtcp_keep_rbs(info, pkt + 8, count);
			break;
		case RTCP_PT_SDES: {
			enum rtcp_err e = rtcp_parse_sdes(pkt, body_end, count, info);
			if (e != RTCP_ERR_OK)
				return e;
			break;
		}
		case RTCP_PT_BYE:
			if (body_end < RTCP_HDR_LEN + 4u * count)
				return RTCP_ERR_BYE_TRUNC;
			info->has_bye = true;
			for (unsigned i = 0; i < count && info->n_bye < RTCP_INFO_MAX_BYE; i++)
				info->bye_ssrc[info->n_bye++] = rd32(pkt + 4 + 4 * i);
			break;
		default:
			info->n_app++;
			break;
		}
		if (info->n_packets < UINT8_MAX)
			info->n_packets++;
		off += plen;
	}
	return RTCP_ERR_OK;
}

static void rtcp_hdr_write(uint8_t *p, unsigned count, uint8_t pt, size_t plen)
{
	p[0] = (uint8_t)(2u << 6 | count);
	p[1] = pt;
	p[2] = (uint8_t)((plen / 4 - 1) >> 8);
	p[3] = (uint8_t)(plen / 4 - 1);
}

int rtcp_build_sr(uint8_t *buf, size_t cap, const struct rtcp_sr *sr,
	const struct rtcp_report_block *rb, unsigned n_rb)
{
	if (n_rb > RTCP_MAX_RC)
		return -EINVAL;
	size_t plen = RTCP_HDR_LEN + 4 + RTCP_SR_INFO_LEN + RTCP_RB_LEN * n_rb;
	if (cap < plen)
		return -ENOSPC;
	rtcp_hdr_write(buf, n_rb, RTCP_PT_SR, plen);
	wr32(buf + 4, sr->ssrc);
	wr32(buf + 8, (uint32_t)(sr->ntp >> 32));
	wr32(buf + 12, (uint32_t)sr->ntp);
	wr32(buf + 16, sr->rtp_ts);
	wr32(buf + 20, sr->pkt_count);
	wr32(buf + 24, sr->octet_count);
	for (unsigned i = 0; i < n_rb; i++)
		rtcp_rb_write(buf + 28 + RTCP_RB_LEN * i, &rb[i]);
	return (int)plen;
}

int rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
	const struct rtcp_report_block *rb, unsigned n_rb)
{
	if (n_rb > RTCP_MAX_RC)
		return -EINVAL;
	size_t plen = RTCP_HDR_LEN + 4 + RTCP_RB_LEN * n_rb;
	if (cap < plen)
		return -ENOSPC;
	rtcp_hdr_write(buf, n_rb, RTCP_PT_RR, plen);
	wr32(buf + 4, ssrc);
	for (unsigned i = 0; i < n_rb; i++)
		rtcp_rb_write(buf + 8 + RTCP_RB_LEN * i, &rb[i]);
	return (int)plen;
}

int rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname,
	size_t cname_len)
{
	if (cname_len == 0 || cname_len > RTCP_CNAME_MAX)
		return -EINVAL;
	/* header, SSRC, CNAME item, at least one null octet, to a 4-byte boundary */
	size_t plen = (RTCP_HDR_LEN + 4 + 2 + cname_len + 1 + 3) & ~(size_t)3;
	if (cap < plen)
		return -ENOSPC;
	memset(buf, 0, plen);
	rtcp_hdr_write(buf, 1, RTCP_PT_SDES, plen);
	wr32(buf + 4, ssrc);
	buf[8] = RTCP_SDES_CNAME;
	buf[9] = (uint8_t)cname_len;
	memcpy(buf + 10, cname, cname_len);
	return (int)plen;
}

int rtcp_build_bye(uint8_t *buf, size_t cap, const uint32_t *ssrc, unsigned n,
	const char *reason, size_t reason_len)
{
	if (n > RTCP_MAX_RC || reason_len > 255)
		return -EINVAL;
	size_t rlen = reason_len ? 1 + reason_len : 0;
	size_t plen = (RTCP_HDR_LEN + 4u * n + rlen + 3) & ~(size_t)3;
	if (cap < plen)
		return -ENOSPC;
	memset(buf, 0, plen);
	rtcp_hdr_write(buf, n, RTCP_PT_BYE, plen);
	for (unsigned i = 0; i < n; i++)
		wr32(buf + 4 + 4 * i, ssrc[i]);
	if (reason_len) {
		buf[4 + 4 * n] = (uint8_t)reason_len;
		memcpy(buf + 5 + 4 * n, reason, reason_len);
	}
	return (int)plen;
}

int64_t rtcp_rtt_q16(uint32_t arrival_mid32, uint32_t lsr, uint32_t dlsr)
{
	if (lsr == 0)
		return -1;
	int32_t rtt = (int32_t)(arrival_mid32 - lsr - dlsr);
	return rtt < 0 ? -1 : rtt;
}
