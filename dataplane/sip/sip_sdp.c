/* SPDX-License-Identifier: BSD-3-Clause */
/* sip_sdp.c — SDP offer parsing and G.711/telephone-event/SDES answers (RFC 4566, 3264). */
#include <stdio.h>

#include "sip_priv.h"
#include "vox_base64.h"

/* A line "x=value": value bounds within the body. */
struct sdp_line {
	char type;
	size_t s, e;
};

static bool next_line(const char *b, size_t len, size_t *p, struct sdp_line *l)
{
	while (*p < len) {
		size_t s = *p, e;
		const char *nl = memchr(b + s, '\n', len - s);
		e = nl ? (size_t)(nl - b) : len;
		*p = nl ? e + 1 : len;
		if (e > s && b[e - 1] == '\r')
			e--;
		if (e - s < 2 || b[s + 1] != '=')
			continue; /* empty or not "x=": tolerated */
		l->type = b[s];
		l->s = s + 2;
		l->e = e;
		return true;
	}
	return false;
}

/* Next space-separated word in [*p, e). */
static bool word(const char *b, size_t *p, size_t e, size_t *ws, size_t *we)
{
	while (*p < e && b[*p] == ' ')
		(*p)++;
	if (*p >= e)
		return false;
	*ws = *p;
	while (*p < e && b[*p] != ' ')
		(*p)++;
	*we = *p;
	return true;
}

static bool number(const char *b, size_t s, size_t e, uint64_t max, uint64_t *out)
{
	return e > s && e - s < 65536 && sip_digits(b, sip_mkstr(s, e - s), max, out) &&
	       *out <= max;
}

static bool starts(const char *b, size_t s, size_t e, const char *lit)
{
	size_t n = strlen(lit);
	return e - s >= n && memcmp(b + s, lit, n) == 0;
}

static bool word_is(const char *b, size_t s, size_t e, const char *lit)
{
	return e - s == strlen(lit) && sip_ieq(b + s, lit, e - s);
}

/* c=IN IP4 192.0.2.1[/ttl[/n]] */
static int parse_conn(const char *b, size_t s, size_t e, struct sip_addr *a)
{
	size_t p = s, ws, we, as, ae, slash;

	if (!word(b, &p, e, &ws, &we) || !word_is(b, ws, we, "IN"))
		return -EBADMSG;
	if (!word(b, &p, e, &ws, &we) || (!word_is(b, ws, we, "IP4") && !word_is(b, ws, we, "IP6")))
		return -EBADMSG;
	if (!word(b, &p, e, &as, &ae))
		return -EBADMSG;
	for (slash = as; slash < ae && b[slash] != '/'; slash++)
		;
	if (sip_addr_parse(a, b + as, slash - as))
		return -EBADMSG;
	if ((a->family == 6) != word_is(b, ws, we, "IP6"))
		return -EBADMSG;
	return 0;
}

static struct sip_sdp_fmt *fmt_get(struct sip_sdp *sd, uint64_t pt)
{
	for (unsigned i = 0; i < sd->n_fmt; i++)
		if (sd->fmt[i].pt == pt)
			return &sd->fmt[i];
	return NULL;
}

/* a=crypto:<tag> <suite> inline:<key||salt>[|lifetime][|MKI:len] [session params] */
static void parse_crypto(struct sip_sdp *sd, const char *b, size_t s, size_t e)
{
	struct sip_sdp_crypto *c;
	size_t p = s, ts, te, ss, se, ks, ke, k;
	uint64_t tag;

	if (sd->n_crypto >= SIP_SDP_MAX_CRYPTO)
		return;
	if (!word(b, &p, e, &ts, &te) || !number(b, ts, te, 999999999, &tag) ||
	    !word(b, &p, e, &ss, &se) || !word(b, &p, e, &ks, &ke))
		return;
	c = &sd->crypto[sd->n_crypto];
	memset(c, 0, sizeof(*c));
	c->tag = (uint32_t)tag;
	c->line = sip_mkstr(s, e - s);
	if (word_is(b, ss, se, "AES_CM_128_HMAC_SHA1_80"))
		c->suite = SIP_SDP_AES_CM_128_HMAC_SHA1_80;
	else if (word_is(b, ss, se, "AES_CM_128_HMAC_SHA1_32"))
		c->suite = SIP_SDP_AES_CM_128_HMAC_SHA1_32;
	if (starts(b, ks, ke, "inline:")) {
		ks += 7;
		for (k = ks; k < ke && b[k] != '|'; k++)
			;
		c->key_ok = vox_b64_decode(b + ks, k - ks, c->key, sizeof(c->key)) == 0;
	}
	sd->n_crypto++;
}

static void parse_attr(struct sip_sdp *sd, const char *b, size_t s, size_t e, bool media,
                       uint8_t *sess_dir)
{
	uint8_t dir = 0xff;
	uint64_t v;

	if (word_is(b, s, e, "sendrecv"))
		dir = SIP_SDP_SENDRECV;
	else if (word_is(b, s, e, "sendonly"))
		dir = SIP_SDP_SENDONLY;
	else if (word_is(b, s, e, "recvonly"))
		dir = SIP_SDP_RECVONLY;
	else if (word_is(b, s, e, "inactive"))
		dir = SIP_SDP_INACTIVE;
	if (dir != 0xff) {
		if (media)
			sd->dir = dir;
		else
			*sess_dir = dir;
		return;
	}
	if (!media)
		return;
	if (word_is(b, s, e, "rtcp-mux")) {
		sd->rtcp_mux = 1;
	} else if (starts(b, s, e, "ptime:")) {
		if (number(b, s + 6, e, 1000, &v))
			sd->ptime = (uint16_t)v;
	} else if (starts(b, s, e, "rtpmap:")) {
		/* rtpmap:<pt> <name>/<clock>[/<channels>]; anything else is ignored */
		size_t p = s + 7, ps = p, ns, ne, c1, c2;
		struct sip_sdp_fmt *f;
		while (p < e && b[p] >= '0' && b[p] <= '9')
			p++;
		if (!number(b, ps, p, 127, &v) || p >= e || b[p] != ' ' || !(f = fmt_get(sd, v)))
			return;
		if (!word(b, &p, e, &ns, &ne))
			return;
		for (c1 = ns; c1 < ne && b[c1] != '/'; c1++)
			;
		if (c1 == ns || c1 >= ne)
			return;
		for (c2 = c1 + 1; c2 < ne && b[c2] != '/'; c2++)
			;
		if (!number(b, c1 + 1, c2, 1000000, &v))
			return;
		f->clock = (uint32_t)v;
		f->channels = 1;
		if (c2 < ne && number(b, c2 + 1, ne, 255, &v))
			f->channels = (uint16_t)v;
		f->name = sip_mkstr(ns, c1 - ns);
		f->has_rtpmap = 1;
	} else if (starts(b, s, e, "fmtp:")) {
		size_t p = s + 5, ps = p;
		struct sip_sdp_fmt *f;
		while (p < e && b[p] >= '0' && b[p] <= '9')
			p++;
		if (!number(b, ps, p, 127, &v) || !(f = fmt_get(sd, v)))
			return;
		while (p < e && b[p] == ' ')
			p++;
		f->fmtp = sip_mkstr(p, e - p);
	} else if (starts(b, s, e, "crypto:")) {
		parse_crypto(sd, b, s + 7, e);
	}
}

/* m=audio <port>[/<n>] <proto> <fmt>... */
static int parse_media(struct sip_sdp *sd, const char *b, size_t s, size_t e)
{
	size_t p = s, ws, we, k;
	uint64_t v;

	if (!word(b, &p, e, &ws, &we) || !word_is(b, ws, we, "audio"))
		return 1; /* not audio: skipped */
	if (!word(b, &p, e, &ws, &we))
		return -EBADMSG;
	for (k = ws; k < we && b[k] != '/'; k++)
		;
	if (!number(b, ws, k, 65535, &v))
		return -EBADMSG;
	sd->conn.port = (uint16_t)v;
	if (!word(b, &p, e, &ws, &we))
		return -EBADMSG;
	if (word_is(b, ws, we, "RTP/SAVP") || word_is(b, ws, we, "RTP/SAVPF"))
		sd->secure = 1;
	else if (!word_is(b, ws, we, "RTP/AVP") && !word_is(b, ws, we, "RTP/AVPF"))
		return 1; /* not RTP: skipped */
	while (word(b, &p, e, &ws, &we)) {
		struct sip_sdp_fmt *f;
		if (!number(b, ws, we, 127, &v) || sd->n_fmt >= SIP_SDP_MAX_FMT)
			continue;
		f = &sd->fmt[sd->n_fmt++];
		memset(f, 0, sizeof(*f));
		f->pt = (uint8_t)v;
	}
	return 0;
}

int sip_sdp_parse(struct sip_sdp *sd, const char *b, size_t len)
{
	struct sdp_line l;
	struct sip_addr sess_conn;
	bool have_sess_conn = false, in_audio = false, have_media_conn = false, seen_v = false;
	uint8_t sess_dir = SIP_SDP_SENDRECV, media_dir_set = 0;
	size_t p = 0;

	if (len > SIP_MSG_MAX)
		return -E2BIG;
	memset(sd, 0, offsetof(struct sip_sdp, fmt));
	sd->dir = 0xff;
	while (next_line(b, len, &p, &l)) {
		switch (l.type) {
		case 'v':
			if (!word_is(b, l.s, l.e, "0"))
				return -EBADMSG;
			seen_v = true;
			break;
		case 'o': {
			size_t q = l.s, ws, we, is, ie, vs, ve;
			uint64_t v;
			if (!word(b, &q, l.e, &ws, &we) || !word(b, &q, l.e, &is, &ie) ||
			    !word(b, &q, l.e, &vs, &ve))
				return -EBADMSG;
			sd->origin_user = sip_mkstr(ws, we - ws);
			sd->sess_id = number(b, is, ie, UINT64_MAX / 10 - 1, &v) ? v : 0;
			sd->sess_version = number(b, vs, ve, UINT64_MAX / 10 - 1, &v) ? v : 0;
			break;
		}
		case 'c':
			if (in_audio) {
				uint16_t port = sd->conn.port;
				if (parse_conn(b, l.s, l.e, &sd->conn))
					return -EBADMSG;
				sd->conn.port = port;
				have_media_conn = true;
			} else if (sd->n_media == 0) {
				if (parse_conn(b, l.s, l.e, &sess_conn))
					return -EBADMSG;
				have_sess_conn = true;
			}
			break;
		case 'm': {
			int rc;
			sd->n_media++;
			in_audio = false;
			if (sd->has_audio)
				break;
			rc = parse_media(sd, b, l.s, l.e);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				sd->has_audio = 1;
				sd->audio_index = (uint8_t)(sd->n_media - 1);
				in_audio = true;
			}
			break;
		}
		case 'a':
			if (sd->n_media == 0 || in_audio) {
				uint8_t before = sd->dir;
				parse_attr(sd, b, l.s, l.e, in_audio, &sess_dir);
				if (in_audio && sd->dir != before)
					media_dir_set = 1;
			}
			break;
		default:
			break; /* s=, t=, b=, k=, ... */
		}
	}
	if (!seen_v || !sd->has_audio)
		return -EBADMSG;
	if (!media_dir_set)
		sd->dir = sess_dir;
	if (!have_media_conn) {
		uint16_t port = sd->conn.port;
		if (!have_sess_conn)
			return -EBADMSG;
		sd->conn = sess_conn;
		sd->conn.port = port;
	}
	sd->has_conn = 1;
	/* static payload types need no rtpmap (RFC 3551) */
	for (unsigned i = 0; i < sd->n_fmt; i++) {
		struct sip_sdp_fmt *f = &sd->fmt[i];
		if (!f->has_rtpmap && (f->pt == 0 || f->pt == 8)) {
			f->clock = 8000;
			f->channels = 1;
		}
	}
	return 0;
}

/* Which G.711 law a format is: 0 PCMU, 8 PCMA, -1 neither. */
static int g711_of(const struct sip_sdp_fmt *f, const char *b)
{
	if (f->has_rtpmap) {
		if (f->clock != 8000 || f->channels != 1)
			return -1;
		if (sip_sieq(b, f->name, "PCMU"))
			return 0;
		if (sip_sieq(b, f->name, "PCMA"))
			return 8;
		return -1;
	}
	return f->pt == 0 ? 0 : f->pt == 8 ? 8 : -1;
}

int sip_sdp_negotiate(const struct sip_sdp *o, const char *b, struct sip_sdp_answer *a)
{
	static const uint8_t mirror[4] = {
	    [SIP_SDP_SENDRECV] = SIP_SDP_SENDRECV,
	    [SIP_SDP_SENDONLY] = SIP_SDP_RECVONLY,
	    [SIP_SDP_RECVONLY] = SIP_SDP_SENDONLY,
	    [SIP_SDP_INACTIVE] = SIP_SDP_INACTIVE,
	};

	memset(a, 0, sizeof(*a));
	a->codec_pt = -1;
	a->dtmf_pt = -1;
	if (!o->has_audio || o->conn.port == 0)
		return -ENOMSG;
	/* G.711 in the offerer's order (RFC 3264 §6.1: honour the offer's preference) */
	for (unsigned i = 0; i < o->n_fmt && a->codec_pt < 0; i++)
		if (g711_of(&o->fmt[i], b) >= 0)
			a->codec_pt = o->fmt[i].pt;
	for (unsigned i = 0; i < o->n_fmt && a->dtmf_pt < 0; i++)
		if (o->fmt[i].has_rtpmap && o->fmt[i].clock == 8000 &&
		    sip_sieq(b, o->fmt[i].name, "telephone-event"))
			a->dtmf_pt = o->fmt[i].pt;
	if (a->codec_pt < 0)
		return -ENOMSG;
	a->dir = mirror[o->dir & 3];
	a->ptime = o->ptime ? o->ptime : 20;
	if (o->secure) {
		unsigned i;
		for (i = 0; i < o->n_crypto; i++)
			if (o->crypto[i].suite != SIP_SDP_SUITE_UNKNOWN && o->crypto[i].key_ok)
				break;
		if (i == o->n_crypto)
			return -ENOMSG;
		a->secure = 1;
		a->crypto_index = (uint8_t)i;
	}
	return 0;
}

int sip_sdp_write(char *out, size_t cap, const struct sip_sdp *o, const char *obuf,
                  const struct sip_sdp_answer *a, const struct sip_sdp_local *l)
{
	static const char *const dirs[4] = {"sendrecv", "sendonly", "recvonly", "inactive"};
	char ip[64], dtmf[160] = "", crypto[160] = "", fmts[16];
	const char *fam, *codec;
	int n;

	if (a->codec_pt < 0 || sip_addr_fmt(&l->addr, ip, sizeof(ip)))
		return -EINVAL;
	if (a->secure && !l->srtp_key)
		return -EINVAL;
	fam = l->addr.family == 6 ? "IP6" : "IP4";
	codec = "PCMU";
	for (unsigned i = 0; i < o->n_fmt; i++)
		if (o->fmt[i].pt == a->codec_pt)
			codec = g711_of(&o->fmt[i], obuf) == 8 ? "PCMA" : "PCMU";
	if (a->dtmf_pt >= 0)
		snprintf(fmts, sizeof(fmts), "%d %d", a->codec_pt, a->dtmf_pt);
	else
		snprintf(fmts, sizeof(fmts), "%d", a->codec_pt);
	if (a->dtmf_pt >= 0)
		snprintf(dtmf, sizeof(dtmf),
		         "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\n", a->dtmf_pt,
		         a->dtmf_pt);
	if (a->secure) {
		char key[41];
		const struct sip_sdp_crypto *c = &o->crypto[a->crypto_index];
		vox_b64_encode(l->srtp_key, 30, key);
		snprintf(crypto, sizeof(crypto), "a=crypto:%u %s inline:%s\r\n", c->tag,
		         c->suite == SIP_SDP_AES_CM_128_HMAC_SHA1_32 ? "AES_CM_128_HMAC_SHA1_32"
		                                                     : "AES_CM_128_HMAC_SHA1_80",
		         key);
	}
	n = snprintf(out, cap,
	             "v=0\r\n"
	             "o=%s %llu %llu IN %s %s\r\n"
	             "s=-\r\n"
	             "c=IN %s %s\r\n"
	             "t=0 0\r\n"
	             "m=audio %u %s %s\r\n"
	             "a=rtpmap:%d %s/8000\r\n"
	             "%s"
	             "a=ptime:%u\r\n"
	             "a=%s\r\n"
	             "%s",
	             l->user ? l->user : "-", (unsigned long long)l->sess_id,
	             (unsigned long long)l->sess_version, fam, ip, fam, ip, l->addr.port,
	             a->secure ? "RTP/SAVP" : "RTP/AVP", fmts, a->codec_pt, codec, dtmf,
	             l->ptime ? l->ptime : a->ptime, dirs[a->dir & 3], crypto);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}
