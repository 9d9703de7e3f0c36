/* SPDX-License-Identifier: BSD-3-Clause */
/* libsrtp2 session wrapper: per-leg SRTP/SRTCP protect/unprotect in place, SDES key decode. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "vsrtp.h"
#include "vsrtp_crypto.h"
#include "vox_base64.h"

struct vsrtp {
	srtp_t ctx;
	struct vsrtp_stats st;
};

int vsrtp_global_init(void)
{
	static bool done; /* start-up only, before lcores run */

	if (done)
		return 0;
	if (srtp_init() != srtp_err_status_ok)
		return -EIO;
	/* keep libsrtp's per-packet path free of allocation and locks */
	if (vsrtp_crypto_install() < 0)
		return -EIO;
	done = true;
	return 0;
}

int vsrtp_create(struct vsrtp **out, const struct vsrtp_cfg *cfg)
{
	srtp_policy_t pol;
	struct vsrtp *s;
	int rc;

	if (cfg->suite != VSRTP_AES_CM_128_HMAC_SHA1_80 &&
	    cfg->suite != VSRTP_AES_CM_128_HMAC_SHA1_32)
		return -EINVAL;
	if (cfg->dir != VSRTP_TX && cfg->dir != VSRTP_RX)
		return -EINVAL;
	rc = vsrtp_global_init();
	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;

	memset(&pol, 0, sizeof(pol));
	if (cfg->suite == VSRTP_AES_CM_128_HMAC_SHA1_80)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	else
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
	/* SRTCP keeps the 80-bit tag with both suites (RFC 4568 6.2.1) */
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	if (cfg->any_ssrc) {
		pol.ssrc.type = cfg->dir == VSRTP_TX ? ssrc_any_outbound : ssrc_any_inbound;
	} else {
		pol.ssrc.type = ssrc_specific;
		pol.ssrc.value = cfg->ssrc;
	}
	pol.key = (unsigned char *)cfg->master; /* copied by srtp_create */
	pol.window_size = cfg->replay_window;
	pol.allow_repeat_tx = 0;
	pol.next = NULL;

	srtp_err_status_t e = srtp_create(&s->ctx, &pol);
	if (e != srtp_err_status_ok) {
		free(s);
		return e == srtp_err_status_alloc_fail ? -ENOMEM : -EIO;
	}
	*out = s;
	return 0;
}

void vsrtp_destroy(struct vsrtp *s)
{
	if (!s)
		return;
	srtp_dealloc(s->ctx);
	free(s);
}

/* libsrtp status to -errno, counting it. */
static int vsrtp_result(struct vsrtp *s, srtp_err_status_t e)
{
	switch (e) {
	case srtp_err_status_ok:
		s->st.ok++;
		return 0;
	case srtp_err_status_auth_fail:
		s->st.auth_fail++;
		return -EBADMSG;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		s->st.replay++;
		return -EALREADY;
	default:
		s->st.other_fail++;
		return -EIO;
	}
}

int vsrtp_protect(struct vsrtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	if (*len < 12 || *len > 65535)
		return -EINVAL;
	if (cap < *len + VSRTP_RTP_TRAILER_MAX)
		return -ENOSPC;
	int n = (int)*len;
	int rc = vsrtp_result(s, srtp_protect(s->ctx, pkt, &n));
	if (rc == 0)
		*len = (size_t)n;
	return rc;
}

int vsrtp_unprotect(struct vsrtp *s, uint8_t *pkt, size_t *len)
{
	if (*len < 12 || *len > 65535)
		return -EINVAL;
	int n = (int)*len;
	int rc = vsrtp_result(s, srtp_unprotect(s->ctx, pkt, &n));
	if (rc == 0)
		*len = (size_t)n;
	return rc;
}

int vsrtp_protect_rtcp(struct vsrtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	if (*len < 8 || *len > 65535)
		return -EINVAL;
	if (cap < *len + VSRTP_RTCP_TRAILER_MAX)
		return -ENOSPC;
	int n = (int)*len;
	int rc = vsrtp_result(s, srtp_protect_rtcp(s->ctx, pkt, &n));
	if (rc == 0)
		*len = (size_t)n;
	return rc;
}

int vsrtp_unprotect_rtcp(struct vsrtp *s, uint8_t *pkt, size_t *len)
{
	if (*len < 8 || *len > 65535)
		return -EINVAL;
	int n = (int)*len;
	int rc = vsrtp_result(s, srtp_unprotect_rtcp(s->ctx, pkt, &n));
	if (rc == 0)
		*len = (size_t)n;
	return rc;
}

const struct vsrtp_stats *vsrtp_stats(const struct vsrtp *s)
{
	return &s->st;
}

int vsrtp_remove_stream(struct vsrtp *s, uint32_t ssrc)
{
	/* libsrtp takes the SSRC in network byte order */
	uint32_t be = ((ssrc & 0xffu) << 24) | ((ssrc & 0xff00u) << 8) | ((ssrc >> 8) & 0xff00u) | (ssrc >> 24);
	return srtp_remove_stream(s->ctx, be) == srtp_err_status_ok ? 0 : -ENOENT;
}

int vsrtp_suite_parse(const char *name, size_t len)
{
	static const char s80[] = "AES_CM_128_HMAC_SHA1_80", s32[] = "AES_CM_128_HMAC_SHA1_32";

	if (len == sizeof(s80) - 1 && memcmp(name, s80, len) == 0)
		return VSRTP_AES_CM_128_HMAC_SHA1_80;
	if (len == sizeof(s32) - 1 && memcmp(name, s32, len) == 0)
		return VSRTP_AES_CM_128_HMAC_SHA1_32;
	return -ENOTSUP;
}

int vsrtp_sdes_key_decode(const char *s, size_t len, uint8_t master[VSRTP_MASTER_LEN])
{
	static const char pfx[] = "inline:";
	const char *bar;
	size_t klen;

	if (len < sizeof(pfx) - 1 || memcmp(s, pfx, sizeof(pfx) - 1) != 0)
		return -EINVAL;
	s += sizeof(pfx) - 1;
	len -= sizeof(pfx) - 1;
	bar = memchr(s, '|', len);
	klen = bar ? (size_t)(bar - s) : len;
	if (bar) {
		/* "|lifetime" then optional "|MKI:length"; a ':' marks the MKI */
		const char *rest = bar + 1;
		size_t rlen = len - klen - 1;
		const char *bar2 = memchr(rest, '|', rlen);
		if (bar2 || memchr(rest, ':', rlen))
			return -ENOTSUP;
		if (rlen == 0)
			return -EINVAL;
	}
	uint8_t tmp[VSRTP_MASTER_LEN];
	if (vox_b64_decode(s, klen, tmp, sizeof(tmp)) < 0)
		return -EINVAL;
	memcpy(master, tmp, sizeof(tmp));
	return 0;
}
