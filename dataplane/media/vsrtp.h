/* SPDX-License-Identifier: BSD-3-Clause */
/* SRTP/SRTCP for a leg over libsrtp2 (prefix vsrtp_: srtp_ belongs to libsrtp). */
#ifndef VOX_MEDIA_VSRTP_H
#define VOX_MEDIA_VSRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSRTP_MASTER_LEN 30       /* 16-byte key + 14-byte salt */
/* Octets protect may append: RTP tag 10 (_80) or 4 (_32); SRTCP index 4 +
 * tag 10 (RFC 4568 keeps an 80-bit SRTCP tag for both suites). No MKI. */
#define VSRTP_RTP_TRAILER_MAX 10
#define VSRTP_RTCP_TRAILER_MAX 14

enum vsrtp_suite {
	VSRTP_AES_CM_128_HMAC_SHA1_80,
	VSRTP_AES_CM_128_HMAC_SHA1_32,
};

enum vsrtp_dir {
	VSRTP_TX, /* protect our packets */
	VSRTP_RX, /* unprotect the peer's */
};

struct vsrtp_cfg {
	enum vsrtp_suite suite;
	enum vsrtp_dir dir;
	bool any_ssrc;        /* RX/TX any SSRC instead of .ssrc */
	uint32_t ssrc;
	uint8_t master[VSRTP_MASTER_LEN];
	uint16_t replay_window; /* 0: libsrtp's default (128) */
};

/* Counters; written only by the owning lcore. */
struct vsrtp_stats {
	uint64_t ok;
	uint64_t auth_fail;
	uint64_t replay;
	uint64_t other_fail;
};

struct vsrtp;

/* Initialise libsrtp once per process, at start-up before any lcore runs,
 * and install the allocation-free AES-ICM/HMAC-SHA1 types (vsrtp_crypto.c).
 * Returns 0 or -EIO. */
int vsrtp_global_init(void);

/* Create a session for one direction of a leg. libsrtp allocates here (and
 * on the first packet of each new SSRC of an any_ssrc session); protect and
 * unprotect of a known stream do not allocate or lock. Calls
 * vsrtp_global_init if needed. Returns 0, -EINVAL, -ENOMEM or -EIO. */
int vsrtp_create(struct vsrtp **out, const struct vsrtp_cfg *cfg);
void vsrtp_destroy(struct vsrtp *s);

/* In place. protect needs cap >= *len + VSRTP_RTP_TRAILER_MAX (RTCP:
 * VSRTP_RTCP_TRAILER_MAX) and updates *len. unprotect updates *len.
 * Return 0, -ENOSPC, -EINVAL (too short), -EBADMSG (authentication failed),
 * -EALREADY (replayed or too old) or -EIO. */
int vsrtp_protect(struct vsrtp *s, uint8_t *pkt, size_t *len, size_t cap);
int vsrtp_unprotect(struct vsrtp *s, uint8_t *pkt, size_t *len);
int vsrtp_protect_rtcp(struct vsrtp *s, uint8_t *pkt, size_t *len, size_t cap);
int vsrtp_unprotect_rtcp(struct vsrtp *s, uint8_t *pkt, size_t *len);

const struct vsrtp_stats *vsrtp_stats(const struct vsrtp *s);

/* Drop the stream of one SSRC (an any_ssrc session clones one per SSRC it
 * authenticates; the owner keeps only the current one). Frees memory.
 * Returns 0 or -ENOENT. */
int vsrtp_remove_stream(struct vsrtp *s, uint32_t ssrc);

/* SDP crypto attribute helpers (RFC 4568). */
/* Suite name ("AES_CM_128_HMAC_SHA1_80" / "_32") to enum, or -ENOTSUP. */
int vsrtp_suite_parse(const char *name, size_t len);
/* Decode key-params "inline:<base64 key||salt>[|lifetime]" into master.
 * Returns 0, -EINVAL (syntax, bad base64, not 30 octets) or -ENOTSUP (MKI). */
int vsrtp_sdes_key_decode(const char *s, size_t len, uint8_t master[VSRTP_MASTER_LEN]);

#endif
