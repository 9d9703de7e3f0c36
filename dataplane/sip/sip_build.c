/* SPDX-License-Identifier: BSD-3-Clause */
/* sip_build.c — response destination (RFC 3261 §18.2.2, RFC 3581) and response serializer. */
#include <arpa/inet.h>

#include "sip_priv.h"

int sip_addr_parse(struct sip_addr *a, const char *s, size_t len)
{
	char tmp[64];

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(a, 0, sizeof(*a));
	if (memchr(tmp, ':', len)) {
		a->family = 6;
		return inet_pton(AF_INET6, tmp, a->ip) == 1 ? 0 : -EINVAL;
	}
	a->family = 4;
	return inet_pton(AF_INET, tmp, a->ip) == 1 ? 0 : -EINVAL;
}

int sip_addr_fmt(const struct sip_addr *a, char *out, size_t cap)
{
	if (a->family != 4 && a->family != 6)
		return -EINVAL;
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, out, (socklen_t)cap))
		return -ENOSPC;
	return 0;
}

static bool addr_eq(const struct sip_addr *a, const struct sip_addr *b)
{
	return a->family == b->family && memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

/* Nobody may make us answer to a broadcast or unspecified address. */
static bool addr_sendable(const struct sip_addr *a)
{
	static const uint8_t zero[16], bcast[4] = {255, 255, 255, 255};

	if (a->family == 4)
		return memcmp(a->ip, zero, 4) != 0 && memcmp(a->ip, bcast, 4) != 0;
	return memcmp(a->ip, zero, 16) != 0;
}

/* Parse the first Via entry of m. */
static int top_via(const struct sip_msg *m, struct sip_via *v)
{
	const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_VIA);

	if (!h || (sip_via_parse(v, m->buf, h->value) && sip_via_sentby(v, m->buf, h->value)))
		return -ENOENT;
	return 0;
}

int sip_response_dest(const struct sip_msg *m, const struct sip_addr *src, struct sip_addr *dst)
{
	struct sip_via v;
	uint16_t port;

	if (top_via(m, &v))
		return -ENOENT;
	port = v.port ? v.port : 5060;
	if (v.maddr.len) {
		struct sip_str h = v.maddr;
		if (h.len > 2 && m->buf[h.off] == '[')
			h = sip_mkstr(h.off + 1, h.len - 2);
		if (sip_addr_parse(dst, m->buf + h.off, h.len))
			return -ENOTSUP;
		dst->port = port;
	} else {
		*dst = *src;
		dst->port = v.has_rport ? src->port : port;
	}
	return addr_sendable(dst) ? 0 : -EADDRNOTAVAIL;
}

/* Bounded writer: on overflow it keeps counting and reports -ENOSPC at the end. */
struct wr {
	char *out;
	size_t n, cap;
};

static void put(struct wr *w, const char *s, size_t len)
{
	if (w->n + len <= w->cap)
		memcpy(w->out + w->n, s, len);
	w->n += len;
}

static void puts_(struct wr *w, const char *s)
{
	put(w, s, strlen(s));
}

static void putu(struct wr *w, unsigned long v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(w, tmp + i, sizeof(tmp) - i);
}

/* A header value with folded line breaks turned back into single spaces. */
static void put_value(struct wr *w, const char *buf, struct sip_str s)
{
	size_t p = s.off, e = (size_t)s.off + s.len, run = p;

	while (p < e) {
		if (buf[p] == '\r' || buf[p] == '\n') {
			put(w, buf + run, p - run);
			while (p < e && sip_is_lws(buf[p]))
				p++;
			while (w->n > 0 && w->n <= w->cap &&
			       (w->out[w->n - 1] == ' ' || w->out[w->n - 1] == '\t'))
				w->n--;
			put(w, " ", 1);
			run = p;
			continue;
		}
		p++;
	}
	put(w, buf + run, e - run);
}

static void put_hdr(struct wr *w, const char *name, const char *buf, struct sip_str v)
{
	puts_(w, name);
	put(w, ": ", 2);
	put_value(w, buf, v);
	put(w, "\r\n", 2);
}

/* Top Via as received, minus received/rport, plus what the source address tells (§18.2.1). */
static void put_top_via(struct wr *w, const struct sip_msg *m, struct sip_str val,
                        const struct sip_addr *src)
{
	const char *buf = m->buf;
	struct sip_via v;
	char ip[64];
	bool add_received;

	if (!src || sip_via_parse(&v, buf, val) || sip_addr_fmt(src, ip, sizeof(ip))) {
		put_hdr(w, "Via", buf, val);
		return;
	}
	{
		struct sip_addr h;
		add_received = v.has_rport || v.host_type == SIP_HOST_NAME ||
		               sip_addr_parse(&h, buf + v.host.off, v.host.len) ||
		               !addr_eq(&h, src);
	}
	puts_(w, "Via: ");
	{
		size_t e = v.p.n ? (size_t)v.params.off - 1 : (size_t)val.off + val.len;
		put_value(w, buf, sip_trim(buf, val.off, e));
	}
	for (unsigned i = 0; i < v.p.n; i++) {
		const struct sip_param *p = &v.p.p[i];
		if (sip_sieq(buf, p->name, "received") || sip_sieq(buf, p->name, "rport"))
			continue;
		put(w, ";", 1);
		put(w, buf + p->name.off, p->name.len);
		if (p->has_value) {
			put(w, "=", 1);
			put(w, buf + p->value.off, p->value.len);
		}
	}
	if (add_received) {
		puts_(w, ";received=");
		puts_(w, ip);
	}
	if (v.has_rport) {
		puts_(w, ";rport=");
		putu(w, src->port);
	}
	put(w, "\r\n", 2);
}

static int build(char *out, size_t cap, const struct sip_msg *m, uint16_t code, const char *reason,
                 const struct sip_resp_opts *o, const struct sip_verdict *vd)
{
	struct wr w = {out, 0, cap};
	const char *buf = m->buf;
	const struct sip_hdr *h;
	bool first = true;

	if (code < 100 || code > 699 || !reason || strpbrk(reason, "\r\n"))
		return -EINVAL;
	puts_(&w, "SIP/2.0 ");
	putu(&w, code);
	put(&w, " ", 1);
	puts_(&w, reason);
	put(&w, "\r\n", 2);
	for (int i = sip_msg_find(m, SIP_HDR_VIA, 0); i >= 0;
	     i = sip_msg_find(m, SIP_HDR_VIA, i + 1), first = false) {
		if (first)
			put_top_via(&w, m, m->hdr[i].value, o ? o->src : NULL);
		else
			put_hdr(&w, "Via", buf, m->hdr[i].value);
	}
	if ((h = sip_msg_hdr(m, SIP_HDR_FROM)))
		put_hdr(&w, "From", buf, h->value);
	if ((h = sip_msg_hdr(m, SIP_HDR_TO))) {
		struct sip_nameaddr na;
		put_hdr(&w, "To", buf, h->value);
		if (code > 100 && o && o->to_tag && sip_nameaddr_parse(&na, buf, h->value) == 0 &&
		    !na.tag.len) {
			w.n -= 2;
			puts_(&w, ";tag=");
			puts_(&w, o->to_tag);
			put(&w, "\r\n", 2);
		}
	}
	if ((h = sip_msg_hdr(m, SIP_HDR_CALL_ID)))
		put_hdr(&w, "Call-ID", buf, h->value);
	if ((h = sip_msg_hdr(m, SIP_HDR_CSEQ)))
		put_hdr(&w, "CSeq", buf, h->value);
	if (vd) {
		switch (vd->code) {
		case 501:
		case 405:
			puts_(&w, "Allow: ");
			puts_(&w, sip_allow_value);
			put(&w, "\r\n", 2);
			break;
		case 415:
		case 406:
			puts_(&w, "Accept: ");
			puts_(&w, sip_accept_value);
			put(&w, "\r\n", 2);
			break;
		case 420:
			puts_(&w, "Unsupported: ");
			for (unsigned i = 0; i < vd->n_unsupp; i++) {
				if (i)
					put(&w, ", ", 2);
				put(&w, buf + vd->unsupp[i].off, vd->unsupp[i].len);
			}
			put(&w, "\r\n", 2);
			puts_(&w, "Supported: ");
			puts_(&w, sip_supported_value);
			put(&w, "\r\n", 2);
			break;
		default:
			break;
		}
	}
	if (o && o->extra)
		puts_(&w, o->extra);
	if (o && o->body && o->body_len) {
		if (o->content_type) {
			puts_(&w, "Content-Type: ");
			puts_(&w, o->content_type);
			put(&w, "\r\n", 2);
		}
		puts_(&w, "Content-Length: ");
		putu(&w, o->body_len);
		put(&w, "\r\n\r\n", 4);
		put(&w, o->body, o->body_len);
	} else {
		puts_(&w, "Content-Length: 0\r\n\r\n");
	}
	if (w.n > cap || w.n > INT32_MAX)
		return -ENOSPC;
	return (int)w.n;
}

int sip_build_response(char *out, size_t cap, const struct sip_msg *m, uint16_t code,
                       const char *reason, const struct sip_resp_opts *o)
{
	return build(out, cap, m, code, reason, o, NULL);
}

int sip_build_verdict(char *out, size_t cap, const struct sip_msg *m, const struct sip_verdict *v,
                      const char *to_tag, const struct sip_addr *src)
{
	struct sip_resp_opts o = {.to_tag = to_tag, .src = src};

	if (v->code < 100)
		return -EINVAL;
	return build(out, cap, m, v->code, v->reason, &o, v);
}
