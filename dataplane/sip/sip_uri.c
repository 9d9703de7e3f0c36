/* SPDX-License-Identifier: BSD-3-Clause */
/* sip_uri.c — SIP/SIPS/tel URI parsing (RFC 3261 §19.1, RFC 5118 IPv6), escapes and comparison. */
#include <arpa/inet.h>

#include "sip_priv.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = sip_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Every char of [p, e) is in cls or a valid %HH escape. */
static bool chars_ok(const char *buf, size_t p, size_t e, unsigned cls)
{
	while (p < e) {
		unsigned char c = (unsigned char)buf[p];
		if (c == '%') {
			if (e - p < 3 || hexval((unsigned char)buf[p + 1]) < 0 ||
			    hexval((unsigned char)buf[p + 2]) < 0)
				return false;
			p += 3;
			continue;
		}
		if (!sip_is(c, cls))
			return false;
		p++;
	}
	return true;
}

/* Like chars_ok, also allowing the separator chars seps. */
static bool seps_ok(const char *buf, size_t p, size_t e, unsigned cls, char sep1, char sep2)
{
	size_t s = p;

	for (; p <= e; p++) {
		if (p == e || buf[p] == sep1 || buf[p] == sep2) {
			if (!chars_ok(buf, s, p, cls))
				return false;
			s = p + 1;
		}
	}
	return true;
}

/* hostname = *( domainlabel "." ) toplabel [ "." ], toplabel starts with ALPHA. */
static bool hostname_ok(const char *h, size_t n)
{
	size_t lab = 0, last = 0;

	if (n == 0)
		return false;
	if (h[n - 1] == '.')
		n--;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || h[i] == '.') {
			if (i == lab || h[lab] == '-' || h[i - 1] == '-')
				return false;
			last = lab;
			lab = i + 1;
		} else if (!sip_is((unsigned char)h[i], SIP_C_DIGIT | SIP_C_ALPHA) && h[i] != '-') {
			return false;
		}
	}
	return n > 0 && sip_is((unsigned char)h[last], SIP_C_ALPHA);
}

static bool ipv4_ok(const char *h, size_t n)
{
	int parts = 0, digits = 0, v = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || h[i] == '.') {
			if (digits == 0 || v > 255)
				return false;
			parts++;
			digits = v = 0;
		} else if (h[i] >= '0' && h[i] <= '9') {
			if (++digits > 3)
				return false;
			v = v * 10 + (h[i] - '0');
		} else {
			return false;
		}
	}
	return parts == 4;
}

/*
 * IPv6 text (no brackets). RFC 5118 §4.10: the RFC 3261 ABNF let "::" be followed by a third
 * colon before an embedded IPv4 address; we accept that spelling too, reading ":::" as "::".
 */
static bool ipv6_ok(const char *h, size_t n)
{
	char tmp[64];
	struct in6_addr a;
	size_t j = 0;
	bool fixed = false;

	if (n == 0 || n >= sizeof(tmp))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!fixed && i + 2 < n && h[i] == ':' && h[i + 1] == ':' && h[i + 2] == ':') {
			tmp[j++] = ':';
			tmp[j++] = ':';
			i += 2;
			fixed = true;
			continue;
		}
		tmp[j++] = h[i];
	}
	tmp[j] = '\0';
	return inet_pton(AF_INET6, tmp, &a) == 1;
}

bool sip_host_parse(struct sip_cur *c, struct sip_str *host, uint8_t *type)
{
	const char *buf = c->buf;
	size_t s = c->p;

	if (c->p < c->end && buf[c->p] == '[') {
		size_t e = s + 1;
		while (e < c->end && buf[e] != ']')
			e++;
		if (e >= c->end || !ipv6_ok(buf + s + 1, e - s - 1))
			return false;
		*host = sip_mkstr(s + 1, e - s - 1);
		*type = SIP_HOST_IPV6;
		c->p = e + 1;
		return true;
	}
	bool numeric = true;
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)buf[c->p];
		if (ch == '.' || (ch >= '0' && ch <= '9'))
			;
		else if (ch == '-' || sip_is(ch, SIP_C_ALPHA))
			numeric = false;
		else
			break;
		c->p++;
	}
	*host = sip_mkstr(s, c->p - s);
	if (numeric && ipv4_ok(buf + s, c->p - s)) {
		*type = SIP_HOST_IPV4;
		return true;
	}
	*type = SIP_HOST_NAME;
	return hostname_ok(buf + s, c->p - s);
}

bool sip_port_parse(struct sip_cur *c, uint16_t *port)
{
	struct sip_str d = sip_cur_run(c, SIP_C_DIGIT);
	uint64_t v;

	if (!sip_digits(c->buf, d, 65535, &v) || v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static bool scheme_is(const char *buf, struct sip_str s, const char *lit)
{
	return sip_sieq(buf, s, lit);
}

static int parse_tel(struct sip_uri *u, const char *buf, size_t p, size_t e)
{
	size_t s = p;

	while (p < e && buf[p] != ';') {
		char ch = buf[p];
		if (!sip_is((unsigned char)ch, SIP_C_DIGIT | SIP_C_HEX) &&
		    (ch == '\0' || !strchr("+-.()*#", ch)))
			return -EBADMSG;
		p++;
	}
	if (p == s)
		return -EBADMSG;
	u->user = sip_mkstr(s, p - s);
	if (p < e) {
		p++;
		if (!chars_ok(buf, p, e, SIP_C_UNRES | SIP_C_PARAMX | SIP_C_USERX))
			return -EBADMSG;
		u->params = sip_mkstr(p, e - p);
	}
	return 0;
}

int sip_uri_parse(struct sip_uri *u, const char *buf, struct sip_str s)
{
	size_t p = s.off, e = (size_t)s.off + s.len, at;
	struct sip_cur c;

	memset(u, 0, sizeof(*u));
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (p >= e || !sip_is((unsigned char)buf[p], SIP_C_ALPHA))
		return -EBADMSG;
	while (p < e && (sip_is((unsigned char)buf[p], SIP_C_ALPHA | SIP_C_DIGIT) ||
	                 buf[p] == '+' || buf[p] == '-' || buf[p] == '.'))
		p++;
	if (p >= e || buf[p] != ':')
		return -EBADMSG;
	u->scheme_s = sip_mkstr(s.off, p - s.off);
	p++;
	if (scheme_is(buf, u->scheme_s, "sip"))
		u->scheme = SIP_SCHEME_SIP;
	else if (scheme_is(buf, u->scheme_s, "sips"))
		u->scheme = SIP_SCHEME_SIPS;
	else if (scheme_is(buf, u->scheme_s, "tel"))
		u->scheme = SIP_SCHEME_TEL;
	if (u->scheme == SIP_SCHEME_TEL)
		return parse_tel(u, buf, p, e);
	if (u->scheme == SIP_SCHEME_OTHER) {
		/* absoluteURI: opaque; only refuse what cannot be in any URI */
		if (p >= e)
			return -EBADMSG;
		for (size_t i = p; i < e; i++) {
			unsigned char ch = (unsigned char)buf[i];
			if (ch <= ' ' || ch >= 0x7f || ch == '<' || ch == '>' || ch == '"')
				return -EBADMSG;
		}
		return -EPROTONOSUPPORT;
	}

	/* userinfo: up to the first '@' (no '@' is legal unescaped after it) */
	for (at = p; at < e && buf[at] != '@'; at++)
		;
	if (at < e) {
		size_t colon = p;
		while (colon < at && buf[colon] != ':')
			colon++;
		if (colon == p || !chars_ok(buf, p, colon, SIP_C_UNRES | SIP_C_USERX))
			return -EBADMSG;
		u->user = sip_mkstr(p, colon - p);
		if (colon < at) {
			if (!chars_ok(buf, colon + 1, at, SIP_C_UNRES | SIP_C_PASSX))
				return -EBADMSG;
			u->password = sip_mkstr(colon + 1, at - colon - 1);
		}
		p = at + 1;
	}
	c.buf = buf;
	c.p = p;
	c.end = e;
	if (!sip_host_parse(&c, &u->host, &u->host_type))
		return -EBADMSG;
	if (c.p < e && buf[c.p] == ':') {
		size_t ps = ++c.p;
		if (!sip_port_parse(&c, &u->port))
			return -EBADMSG;
		u->port_s = sip_mkstr(ps, c.p - ps);
	}
	p = c.p;
	if (p < e && buf[p] == ';') {
		size_t ps = ++p;
		while (p < e && buf[p] != '?')
			p++;
		if (!seps_ok(buf, ps, p, SIP_C_UNRES | SIP_C_PARAMX, ';', '='))
			return -EBADMSG;
		u->params = sip_mkstr(ps, p - ps);
	}
	if (p < e && buf[p] == '?') {
		size_t hs = ++p;
		if (hs == e || !seps_ok(buf, hs, e, SIP_C_UNRES | SIP_C_HNVX, '=', '&'))
			return -EBADMSG;
		u->headers = sip_mkstr(hs, e - hs);
		p = e;
	}
	return p == e ? 0 : -EBADMSG;
}

int sip_unescape(char *out, size_t cap, const char *in, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int ch = (unsigned char)in[i];
		if (ch == '%') {
			int h, l;
			if (len - i < 3 || (h = hexval((unsigned char)in[i + 1])) < 0 ||
			    (l = hexval((unsigned char)in[i + 2])) < 0)
				return -EINVAL;
			ch = h << 4 | l;
			i += 2;
		}
		if (o >= cap)
			return -ENOSPC;
		out[o++] = (char)ch;
	}
	return (int)o;
}

/* Next decoded byte of an escaped string, -1 at end, -2 on a bad escape. */
static int esc_next(const char *s, size_t n, size_t *i)
{
	int ch, h, l;

	if (*i >= n)
		return -1;
	ch = (unsigned char)s[(*i)++];
	if (ch != '%')
		return ch;
	if (n - *i < 2 || (h = hexval((unsigned char)s[*i])) < 0 ||
	    (l = hexval((unsigned char)s[*i + 1])) < 0)
		return -2;
	*i += 2;
	return h << 4 | l;
}

bool sip_esc_eq(const char *a, size_t alen, const char *b, size_t blen, bool icase)
{
	size_t i = 0, j = 0;

	for (;;) {
		int x = esc_next(a, alen, &i), y = esc_next(b, blen, &j);
		if (x == -2 || y == -2)
			return false;
		if (icase) {
			x = x >= 0 ? sip_lower(x) : x;
			y = y >= 0 ? sip_lower(y) : y;
		}
		if (x != y)
			return false;
		if (x == -1)
			return true;
	}
}

static bool str_esc_eq(const char *abuf, struct sip_str a, const char *bbuf, struct sip_str b,
                       bool icase)
{
	return sip_esc_eq(abuf + a.off, a.len, bbuf + b.off, b.len, icase);
}

/* Parameters that must match when present in either URI (RFC 3261 §19.1.4). */
static const char *const uri_strict_params[] = {"user", "ttl", "method", "maddr", "transport"};

bool sip_uri_eq(const char *abuf, const struct sip_uri *a, const char *bbuf,
                const struct sip_uri *b)
{
	struct sip_params pa, pb;
	struct sip_str sa = a->params, sb = b->params;

	if (a->scheme != b->scheme || a->scheme == SIP_SCHEME_OTHER)
		return false;
	if (!str_esc_eq(abuf, a->user, bbuf, b->user, a->scheme == SIP_SCHEME_TEL) ||
	    !str_esc_eq(abuf, a->password, bbuf, b->password, false) ||
	    !str_esc_eq(abuf, a->host, bbuf, b->host, true) || a->port != b->port)
		return false;
	if (sa.len)
		sa = sip_mkstr(sa.off - 1, sa.len + 1);
	if (sb.len)
		sb = sip_mkstr(sb.off - 1, sb.len + 1);
	if (sip_params_parse(&pa, abuf, sa) || sip_params_parse(&pb, bbuf, sb))
		return false;
	for (unsigned i = 0; i < pa.n; i++) {
		const struct sip_param *x = &pa.p[i];
		char name[16];
		int n = sip_unescape(name, sizeof(name) - 1, abuf + x->name.off, x->name.len);
		const struct sip_param *y;
		if (n < 0)
			continue;
		name[n] = '\0';
		y = sip_params_get(&pb, bbuf, name);
		if (y && !str_esc_eq(abuf, x->value, bbuf, y->value, true))
			return false;
	}
	for (unsigned k = 0; k < sizeof(uri_strict_params) / sizeof(uri_strict_params[0]); k++) {
		bool ina = sip_params_get(&pa, abuf, uri_strict_params[k]) != NULL;
		bool inb = sip_params_get(&pb, bbuf, uri_strict_params[k]) != NULL;
		if (ina != inb)
			return false;
	}
	/* headers: compared as a whole (order-sensitive; good enough for dialog matching) */
	return str_esc_eq(abuf, a->headers, bbuf, b->headers, false);
}

int sip_param_find(const char *buf, struct sip_str list, const char *name, struct sip_str *val)
{
	size_t p = list.off, e = (size_t)list.off + list.len, n = strlen(name);

	while (p < e) {
		size_t s = p, ne;
		while (p < e && buf[p] != ';')
			p++;
		ne = s;
		while (ne < p && buf[ne] != '=')
			ne++;
		{
			struct sip_str nm = sip_trim(buf, s, ne);
			if (nm.len == n && sip_ieq(buf + nm.off, name, n)) {
				if (val)
					*val = ne < p ? sip_trim(buf, ne + 1, p) : sip_mkstr(ne, 0);
				return 1;
			}
		}
		p++;
	}
	return 0;
}
