/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_sip.c — pure helpers on SIP text: X- headers for SipHeader_ parameters, the user of a
 * Diversion, the host of a <Sip> URI, a finished call's status. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calls_sip.h"

uint32_t calls_sip_x_headers(const char *raw, size_t len, char *names, size_t ncap, char *vals,
                             size_t vcap, uint32_t max)
{
	const char *p = raw, *end = raw + len;
	const char *eol = memchr(p, '\n', len); /* skip the start line */
	p = eol ? eol + 1 : end;
	uint32_t n = 0;
	while (p < end && n < max) {
		eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		size_t ll = (size_t)(le - p);
		if (ll && p[ll - 1] == '\r')
			ll--;
		if (!ll)
			break; /* end of the headers */
		const char *colon = memchr(p, ':', ll);
		if (ll > 2 && (p[0] == 'X' || p[0] == 'x') && p[1] == '-' && colon) {
			size_t nl = (size_t)(colon - p);
			while (nl && (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
				nl--;
			const char *v = colon + 1;
			while (v < p + ll && (*v == ' ' || *v == '\t'))
				v++;
			size_t vl = (size_t)(p + ll - v);
			if (nl < ncap && vl < vcap) {
				memcpy(names + n * ncap, p, nl);
				names[n * ncap + nl] = 0;
				memcpy(vals + n * vcap, v, vl);
				vals[n * vcap + vl] = 0;
				n++;
			}
		}
		p = eol ? eol + 1 : end;
	}
	return n;
}

int calls_sip_addr_user(const char *hdr, char *out, size_t cap)
{
	const char *s = strstr(hdr, "sip:");
	if (!s)
		return -EINVAL;
	s += 4;
	size_t n = strcspn(s, "@;>");
	if (!n || s[n] != '@' || n >= cap)
		return -EINVAL;
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

int calls_sip_uri_host(const char *uri, char *host, size_t cap, uint16_t *port)
{
	const char *p = strncmp(uri, "sip:", 4) == 0    ? uri + 4
	                : strncmp(uri, "sips:", 5) == 0 ? uri + 5
	                                                : NULL;
	if (!p)
		return -EINVAL;
	const char *at = strchr(p, '@');
	const char *h = at ? at + 1 : p;
	size_t n = strcspn(h, ":;?>");
	if (!n || n >= cap)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = 0;
	*port = 0;
	if (h[n] == ':') {
		char *e;
		long v = strtol(h + n + 1, &e, 10);
		if (v <= 0 || v > 65535 || (*e && !strchr(";?>", *e)))
			return -EINVAL;
		*port = (uint16_t)v;
	}
	return 0;
}

const char *calls_end_status(int answered, int rejected, int rejected_busy, int by_remote)
{
	if (answered)
		return "completed";
	if (rejected)
		return rejected_busy ? "busy" : "no-answer";
	return by_remote ? "canceled" : "failed";
}

int calls_audio_markup(const char *url, char *out, size_t cap)
{
	static const char head[] = "<Response><Play>", tail[] = "</Play></Response>";
	size_t n = 0;
	if (cap < sizeof(head))
		return -ENOSPC;
	memcpy(out, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	for (const char *p = url; *p; p++) {
		const char *e = *p == '&'  ? "&amp;"
		                : *p == '<'  ? "&lt;"
		                : *p == '>'  ? "&gt;"
		                : *p == '"'  ? "&quot;"
		                : *p == '\'' ? "&apos;"
		                             : NULL;
		size_t l = e ? strlen(e) : 1;
		if (n + l >= cap)
			return -ENOSPC;
		memcpy(out + n, e ? e : p, l);
		n += l;
	}
	if (n + sizeof(tail) > cap)
		return -ENOSPC;
	memcpy(out + n, tail, sizeof(tail));
	return (int)(n + sizeof(tail) - 1);
}
