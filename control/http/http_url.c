/* SPDX-License-Identifier: BSD-3-Clause */
/* http_url.c — URL helpers: fragment overrides, RFC 3986 reference resolution, form encoding,
 * content-type classes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

void http_overrides_default(struct http_overrides *o)
{
	o->ct_ms = 5000;
	o->rt_ms = 15000;
	o->tt_ms = 15000;
	o->rc = 1;
	o->rp = HTTP_RETRY_CT;
}

static uint32_t url_clamp(unsigned long v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : (uint32_t)v;
}

/* One number of the fragment: digits only. */
static int url_num(const char *v, size_t n, unsigned long *out)
{
	if (n == 0 || n > 9)
		return -EINVAL;
	unsigned long x = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -EINVAL;
		x = x * 10 + (unsigned long)(v[i] - '0');
	}
	*out = x;
	return 0;
}

/* rp: comma-separated policy names. */
static int url_policy(const char *v, size_t n, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} pol[] = {{"ct", HTTP_RETRY_CT},   {"rt", HTTP_RETRY_RT},   {"4xx", HTTP_RETRY_4XX},
	           {"5xx", HTTP_RETRY_5XX}, {"all", HTTP_RETRY_ALL}};
	uint32_t bits = 0;
	while (n) {
		const char *c = memchr(v, ',', n);
		size_t len = c ? (size_t)(c - v) : n;
		size_t i;
		for (i = 0; i < sizeof(pol) / sizeof(pol[0]); i++)
			if (strlen(pol[i].name) == len && strncasecmp(pol[i].name, v, len) == 0)
				break;
		if (i == sizeof(pol) / sizeof(pol[0]))
			return -EINVAL;
		bits |= pol[i].bit;
		n -= c ? len + 1 : len;
		v += c ? len + 1 : len;
	}
	if (!bits)
		return -EINVAL;
	*out = bits;
	return 0;
}

static int url_frag_pair(struct http_overrides *o, const char *k, size_t kn, const char *v,
                         size_t vn)
{
	unsigned long x;
	if (kn == 2 && !strncmp(k, "rp", 2))
		return url_policy(v, vn, &o->rp);
	uint32_t *dst = NULL, lo = 0, hi = 0;
	if (kn == 2 && !strncmp(k, "ct", 2))
		dst = &o->ct_ms, lo = 100, hi = 10000;
	else if (kn == 2 && !strncmp(k, "rt", 2))
		dst = &o->rt_ms, lo = 100, hi = 15000;
	else if (kn == 2 && !strncmp(k, "tt", 2))
		dst = &o->tt_ms, lo = 100, hi = 15000;
	else if (kn == 2 && !strncmp(k, "rc", 2))
		dst = &o->rc, lo = 0, hi = 5;
	if (!dst)
		return 0; /* e=, sni=, edge=: not ours to act on */
	if (url_num(v, vn, &x) != 0)
		return -EINVAL;
	*dst = url_clamp(x, lo, hi);
	return 0;
}

int http_url_split_fragment(const char *url, char *out, size_t outlen, struct http_overrides *o)
{
	http_overrides_default(o);
	const char *hash = strchr(url, '#');
	size_t n = hash ? (size_t)(hash - url) : strlen(url);
	if (n + 1 > outlen)
		return -ENAMETOOLONG;
	memcpy(out, url, n);
	out[n] = 0;
	if (!hash)
		return 0;
	struct http_overrides tmp = *o;
	const char *p = hash + 1;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (len && eq && url_frag_pair(&tmp, p, (size_t)(eq - p), eq + 1,
		                               len - (size_t)(eq - p) - 1) != 0)
			return -EINVAL;
		p += amp ? len + 1 : len;
	}
	*o = tmp;
	return 0;
}

/* ---------------------------------------------------------------- RFC 3986 resolution */

struct url_parts {
	const char *scheme, *auth, *path, *query, *frag;
	size_t scheme_n, auth_n, path_n, query_n, frag_n;
	int has_scheme, has_auth, has_query, has_frag;
};

static void url_parse(const char *s, struct url_parts *u)
{
	memset(u, 0, sizeof(*u));
	const char *p = s;
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		const char *q = p + 1;
		while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		       (*q >= '0' && *q <= '9') || *q == '+' || *q == '-' || *q == '.')
			q++;
		if (*q == ':') {
			u->has_scheme = 1;
			u->scheme = p;
			u->scheme_n = (size_t)(q - p);
			p = q + 1;
		}
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->has_auth = 1;
		u->auth = p;
		u->auth_n = strcspn(p, "/?#");
		p += u->auth_n;
	}
	u->path = p;
	u->path_n = strcspn(p, "?#");
	p += u->path_n;
	if (*p == '?') {
		u->has_query = 1;
		u->query = ++p;
		u->query_n = strcspn(p, "#");
		p += u->query_n;
	}
	if (*p == '#') {
		u->has_frag = 1;
		u->frag = p + 1;
		u->frag_n = strlen(p + 1);
	}
}

/* RFC 3986 §5.2.4, in place over buf[0..n); returns the new length. The output never grows. */
static size_t url_remove_dots(char *buf, size_t n)
{
	char *in = buf, *end = buf + n;
	size_t o = 0; /* output is buf[0..o), always behind `in` */
	while (in < end) {
		size_t left = (size_t)(end - in);
		if (left >= 3 && !strncmp(in, "../", 3))
			in += 3;
		else if (left >= 2 && !strncmp(in, "./", 2))
			in += 2;
		else if (left >= 3 && !strncmp(in, "/./", 3))
			in += 2;
		else if (left == 2 && !strncmp(in, "/.", 2)) {
			in += 1;
			*in = '/';
		} else if ((left >= 4 && !strncmp(in, "/../", 4)) ||
		           (left == 3 && !strncmp(in, "/..", 3))) {
			/* "/../" -> "/", "/.." at the end -> "/"; drop the last output segment */
			if (left >= 4 && in[3] == '/') {
				in += 3;
			} else {
				in += 2;
				*in = '/';
			}
			while (o > 0 && buf[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if ((left == 1 && in[0] == '.') || (left == 2 && !strncmp(in, "..", 2)))
			in = end;
		else {
			/* move the first segment ("/"? then up to the next "/") to the output */
			size_t k = in[0] == '/' ? 1 : 0;
			while (in + k < end && in[k] != '/')
				k++;
			memmove(buf + o, in, k);
			o += k;
			in += k;
		}
	}
	return o;
}

struct url_out {
	char *p;
	size_t n, cap;
	int err;
};

static void url_put(struct url_out *w, const char *s, size_t n)
{
	if (w->n + n + 1 > w->cap) {
		w->err = 1;
		return;
	}
	memcpy(w->p + w->n, s, n);
	w->n += n;
	w->p[w->n] = 0;
}

int http_url_resolve(const char *base, const char *ref, char *out, size_t outlen)
{
	struct url_parts b, r;
	url_parse(base, &b);
	url_parse(ref, &r);
	if (!b.has_scheme)
		return -EINVAL;
	size_t cap = strlen(base) + strlen(ref) + 4;
	char *path = malloc(cap);
	if (!path)
		return -ENOMEM;
	struct url_out pw = {path, 0, cap, 0};
	const char *q = NULL;
	size_t qn = 0;
	int hq = 0;
	if (r.has_scheme || r.has_auth) {
		url_put(&pw, r.path, r.path_n);
		q = r.query, qn = r.query_n, hq = r.has_query;
	} else {
		if (r.path_n == 0) {
			url_put(&pw, b.path, b.path_n);
			if (r.has_query)
				q = r.query, qn = r.query_n, hq = 1;
			else
				q = b.query, qn = b.query_n, hq = b.has_query;
		} else {
			if (r.path[0] == '/') {
				url_put(&pw, r.path, r.path_n);
			} else { /* §5.2.3 merge */
				if (b.has_auth && b.path_n == 0) {
					url_put(&pw, "/", 1);
				} else {
					const char *slash = NULL;
					for (size_t i = 0; i < b.path_n; i++)
						if (b.path[i] == '/')
							slash = b.path + i;
					if (slash)
						url_put(&pw, b.path, (size_t)(slash - b.path) + 1);
				}
				url_put(&pw, r.path, r.path_n);
			}
			q = r.query, qn = r.query_n, hq = r.has_query;
		}
	}
	pw.n = url_remove_dots(path, pw.n);
	struct url_out w = {out, 0, outlen, 0};
	if (outlen)
		out[0] = 0;
	url_put(&w, r.has_scheme ? r.scheme : b.scheme, r.has_scheme ? r.scheme_n : b.scheme_n);
	url_put(&w, ":", 1);
	const struct url_parts *au = (r.has_scheme || r.has_auth) ? &r : &b;
	if (au->has_auth) {
		url_put(&w, "//", 2);
		url_put(&w, au->auth, au->auth_n);
	}
	url_put(&w, path, pw.n);
	if (hq) {
		url_put(&w, "?", 1);
		url_put(&w, q, qn);
	}
	if (r.has_frag) {
		url_put(&w, "#", 1);
		url_put(&w, r.frag, r.frag_n);
	}
	free(path);
	return w.err || pw.err ? -ENAMETOOLONG : 0;
}

/* ---------------------------------------------------------------- forms */

static int url_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static void url_put_enc(struct url_out *w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (url_unreserved(c))
			url_put(w, (const char *)&c, 1);
		else if (c == ' ')
			url_put(w, "+", 1);
		else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			url_put(w, e, 3);
		}
	}
}

int http_form_encode(const struct http_kv *kv, size_t n, char *out, size_t outlen, size_t *len)
{
	struct url_out w = {out, *len, outlen, 0};
	for (size_t i = 0; i < n; i++) {
		if (i)
			url_put(&w, "&", 1);
		url_put_enc(&w, kv[i].k);
		url_put(&w, "=", 1);
		url_put_enc(&w, kv[i].v ? kv[i].v : "");
	}
	if (w.err)
		return -ENAMETOOLONG;
	if (outlen)
		out[w.n] = 0;
	*len = w.n;
	return 0;
}

static int url_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int http_form_decode(char *s, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+')
			s[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len)
				return -EINVAL;
			int hi = url_hexval(s[i + 1]);
			int lo = url_hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			s[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			s[o++] = s[i];
	}
	s[o] = 0;
	return (int)o;
}

int http_url_add_query(const char *url, const struct http_kv *kv, size_t n, char *out,
                       size_t outlen)
{
	struct url_out w = {out, 0, outlen, 0};
	url_put(&w, url, strlen(url));
	if (n) {
		const char *qm = strchr(url, '?');
		/* a URL ending in '?' or '&' already has its separator */
		size_t ul = strlen(url);
		if (!qm)
			url_put(&w, "?", 1);
		else if (ul && url[ul - 1] != '?' && url[ul - 1] != '&')
			url_put(&w, "&", 1);
	}
	if (w.err)
		return -ENAMETOOLONG;
	size_t len = w.n;
	return http_form_encode(kv, n, out, outlen, &len);
}

enum http_ctype http_ctype_classify(const char *ct)
{
	if (!ct || !*ct)
		return HTTP_CT_NONE;
	while (*ct == ' ')
		ct++;
	size_t n = strcspn(ct, "; \t");
	static const struct {
		const char *t;
		enum http_ctype k;
	} tbl[] = {{"text/xml", HTTP_CT_TWIML},
	           {"application/xml", HTTP_CT_TWIML},
	           {"text/html", HTTP_CT_TWIML},
	           {"text/plain", HTTP_CT_TEXT}};
	for (size_t i = 0; i < sizeof(tbl) / sizeof(tbl[0]); i++)
		if (strlen(tbl[i].t) == n && !strncasecmp(ct, tbl[i].t, n))
			return tbl[i].k;
	if (n > 6 && !strncasecmp(ct, "audio/", 6))
		return HTTP_CT_AUDIO;
	return HTTP_CT_OTHER;
}
