/* SPDX-License-Identifier: BSD-3-Clause */
/* rest_param.c — request parameters: last-value scalars, list-typed parameters (repeated keys
 * and the space-separated form), UTF-8, methods, URLs, integers, booleans and date filters. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rest_priv.h"

static size_t rest_kv(struct rest_req *q, const struct http_kv **kv)
{
	/* POST bodies carry the parameters; GET (and DELETE) the query string */
	if (!strcmp(q->method, "POST"))
		return http_req_form_n(q->h, kv);
	return http_req_query_n(q->h, kv);
}

const char *rest_param(struct rest_req *q, const char *name)
{
	const struct http_kv *kv;
	size_t n = rest_kv(q, &kv);
	const char *v = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[i].k, name))
			v = kv[i].v; /* a scalar given twice: the last one wins */
	return v;
}

int rest_has(struct rest_req *q, const char *name)
{
	return rest_param(q, name) != NULL;
}

int rest_param_words(struct rest_req *q, const char *name, const char *const *words,
                     unsigned *bits, char *bad, size_t badlen)
{
	const struct http_kv *kv;
	size_t n = rest_kv(q, &kv);
	*bits = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(kv[i].k, name) != 0)
			continue;
		const char *p = kv[i].v;
		while (*p) {
			p += strspn(p, " ,");
			size_t len = strcspn(p, " ,");
			if (!len)
				break;
			int found = -1;
			for (int w = 0; words[w]; w++)
				if (strlen(words[w]) == len && !strncasecmp(words[w], p, len))
					found = w;
			if (found < 0) {
				snprintf(bad, badlen, "%.*s", (int)(len > 40 ? 40 : len), p);
				return -EINVAL;
			}
			*bits |= 1u << found;
			p += len;
		}
	}
	return 0;
}

int rest_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	while (p < e) {
		unsigned c = *p;
		size_t n;
		uint32_t cp;
		if (c == 0)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if ((size_t)(e - p) <= n)
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		p += n + 1;
	}
	return 1;
}

const char *rest_method(const char *m, const char *def)
{
	if (!m || !*m)
		return def;
	if (!strcasecmp(m, "POST"))
		return "POST";
	if (!strcasecmp(m, "GET"))
		return "GET";
	return NULL;
}

int rest_url_ok(const char *u)
{
	return !u || !*u ||
	       ((!strncasecmp(u, "http://", 7) || !strncasecmp(u, "https://", 8)) &&
	        strlen(u) < 4096 && !strpbrk(u, " \t\r\n"));
}

int rest_int(const char *s, long min, long max, long *out)
{
	if (!s || !*s)
		return -EINVAL;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int rest_bool(const char *s)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "true"))
		return 1;
	if (!strcasecmp(s, "false"))
		return 0;
	return -1;
}

int rest_date_range(const char *s, char op, uint64_t *lo, uint64_t *hi)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s)
		return -EINVAL;
	const char *e = strptime(s, "%Y-%m-%d", &tm);
	if (!e)
		return -EINVAL;
	int instant = 0;
	if (*e == 'T' || *e == ' ') {
		e = strptime(e + 1, "%H:%M:%S", &tm);
		if (!e)
			return -EINVAL;
		if (*e == 'Z')
			e++;
		instant = 1;
	}
	if (*e)
		return -EINVAL;
	time_t t = timegm(&tm);
	if (t < 0)
		return -EINVAL;
	uint64_t a = (uint64_t)t * 1000000ull;
	uint64_t b = instant ? a + 1000000ull : a + 86400ull * 1000000ull;
	switch (op) {
	case '=':
		*lo = a;
		*hi = b;
		break;
	case '>': /* on or after */
		*lo = a;
		*hi = UINT64_MAX;
		break;
	case '<': /* on or before */
		*lo = 0;
		*hi = b;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

uint64_t rest_rfc2822_us(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s)
		return 0;
	const char *e = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!e)
		return 0;
	time_t t = timegm(&tm);
	return t < 0 ? 0 : (uint64_t)t * 1000000ull;
}
