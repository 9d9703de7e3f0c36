/* SPDX-License-Identifier: BSD-3-Clause */
/* sip_priv.h — character classes and small inline helpers shared by the sip_*.c files. */
#ifndef SIP_PRIV_H
#define SIP_PRIV_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sip.h"

/* Character classes of RFC 3261 §25.1 (one table, sip_msg.c). */
enum {
	SIP_C_DIGIT = 1 << 0,
	SIP_C_ALPHA = 1 << 1,
	SIP_C_HEX = 1 << 2,
	SIP_C_TOKEN = 1 << 3,  /* token */
	SIP_C_UNRES = 1 << 4,  /* unreserved: alphanum / mark */
	SIP_C_WORD = 1 << 5,   /* word (Call-ID) */
	SIP_C_USERX = 1 << 6,  /* user-unreserved */
	SIP_C_PASSX = 1 << 7,  /* password extras */
	SIP_C_PARAMX = 1 << 8, /* param-unreserved */
	SIP_C_HNVX = 1 << 9,   /* hnv-unreserved */
	SIP_C_WS = 1 << 10,    /* SP HTAB CR LF: LWS once lines are folded */
};

extern const uint16_t sip_cc[256];

static inline bool sip_is(unsigned char c, unsigned cls)
{
	return (sip_cc[c] & cls) != 0;
}

static inline bool sip_is_lws(char c)
{
	return sip_is((unsigned char)c, SIP_C_WS);
}

static inline struct sip_str sip_mkstr(size_t off, size_t len)
{
	struct sip_str s = {(uint16_t)off, (uint16_t)len};
	return s;
}

/* Cursor over a slice: p and end are offsets into buf. */
struct sip_cur {
	const char *buf;
	size_t p, end;
};

static inline void sip_cur_init(struct sip_cur *c, const char *buf, struct sip_str s)
{
	c->buf = buf;
	c->p = s.off;
	c->end = (size_t)s.off + s.len;
}

static inline bool sip_cur_eof(const struct sip_cur *c)
{
	return c->p >= c->end;
}

static inline int sip_cur_peek(const struct sip_cur *c)
{
	return c->p < c->end ? (unsigned char)c->buf[c->p] : -1;
}

static inline void sip_cur_skip_lws(struct sip_cur *c)
{
	while (c->p < c->end && sip_is_lws(c->buf[c->p]))
		c->p++;
}

/* Consume a run of chars of class cls; returns its slice (len 0 if none). */
static inline struct sip_str sip_cur_run(struct sip_cur *c, unsigned cls)
{
	size_t s = c->p;
	while (c->p < c->end && sip_is((unsigned char)c->buf[c->p], cls))
		c->p++;
	return sip_mkstr(s, c->p - s);
}

/* Skip LWS, then consume ch if it is next. */
static inline bool sip_cur_sep(struct sip_cur *c, char ch)
{
	sip_cur_skip_lws(c);
	if (c->p < c->end && c->buf[c->p] == ch) {
		c->p++;
		sip_cur_skip_lws(c);
		return true;
	}
	return false;
}

/* Slice with LWS trimmed at both ends. */
static inline struct sip_str sip_trim(const char *buf, size_t off, size_t end)
{
	while (off < end && sip_is_lws(buf[off]))
		off++;
	while (end > off && sip_is_lws(buf[end - 1]))
		end--;
	return sip_mkstr(off, end - off);
}

static inline bool sip_all(const char *buf, struct sip_str s, unsigned cls)
{
	for (size_t i = 0; i < s.len; i++)
		if (!sip_is((unsigned char)buf[s.off + i], cls))
			return false;
	return true;
}

static inline int sip_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static inline bool sip_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sip_lower((unsigned char)a[i]) != sip_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* sip_str_ieq() for the module's own use: inline, so strlen of a literal folds away. */
static inline bool sip_sieq(const char *buf, struct sip_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && sip_ieq(buf + s.off, lit, n);
}

/* Decimal digits of s into *out, saturating at max; false if not all digits or empty. */
static inline bool sip_digits(const char *buf, struct sip_str s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)buf[s.off + i];
		if (c < '0' || c > '9')
			return false;
		if (v <= max)
			v = v * 10 + (c - '0');
	}
	*out = v > max ? max + 1 : v;
	return true;
}

/* Skip a quoted-string starting at c->p (which is '"'); false if unterminated. */
bool sip_skip_quoted(struct sip_cur *c);
/* Skip an IPv6 reference "[...]" at c->p; fills the inner slice; false if malformed. */
bool sip_host_parse(struct sip_cur *c, struct sip_str *host, uint8_t *type);
/* Port digits (1..65535) at c->p after ':' was consumed. */
bool sip_port_parse(struct sip_cur *c, uint16_t *port);

#endif /* SIP_PRIV_H */
