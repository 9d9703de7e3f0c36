/* SPDX-License-Identifier: BSD-3-Clause */
/* sip_hdr.c — structured headers: params, Via, name-addr, CSeq, Call-ID, Content-Type. */
#include "sip_priv.h"

bool sip_skip_quoted(struct sip_cur *c)
{
	c->p++; /* opening quote */
	while (c->p < c->end) {
		char ch = c->buf[c->p++];
		if (ch == '"')
			return true;
		if (ch == '\\') {
			if (c->p >= c->end)
				return false;
			c->p++;
		}
	}
	return false;
}

int sip_params_parse(struct sip_params *ps, const char *buf, struct sip_str s)
{
	struct sip_cur c;

	sip_cur_init(&c, buf, s);
	ps->n = 0;
	for (;;) {
		struct sip_param *pr;
		sip_cur_skip_lws(&c);
		if (sip_cur_eof(&c))
			return 0;
		if (buf[c.p] != ';')
			return -EBADMSG;
		c.p++;
		sip_cur_skip_lws(&c);
		if (ps->n >= SIP_MAX_PARAMS)
			return -E2BIG;
		pr = &ps->p[ps->n];
		pr->name = sip_cur_run(&c, SIP_C_TOKEN);
		if (pr->name.len == 0)
			return -EBADMSG;
		pr->value = sip_mkstr(c.p, 0);
		pr->has_value = 0;
		if (sip_cur_sep(&c, '=')) {
			size_t vs = c.p;
			if (sip_cur_peek(&c) == '"') {
				if (!sip_skip_quoted(&c))
					return -EBADMSG;
			} else if (sip_cur_peek(&c) == '[') {
				while (c.p < c.end && buf[c.p] != ']')
					c.p++;
				if (c.p >= c.end)
					return -EBADMSG;
				c.p++;
			} else {
				while (c.p < c.end) {
					unsigned char ch = (unsigned char)buf[c.p];
					if (ch <= ' ' || ch == ';' || ch == ',' || ch == '"' ||
					    ch == 0x7f)
						break;
					c.p++;
				}
			}
			if (c.p == vs)
				return -EBADMSG;
			pr->value = sip_mkstr(vs, c.p - vs);
			pr->has_value = 1;
		}
		ps->n++;
	}
}

const struct sip_param *sip_params_get(const struct sip_params *ps, const char *buf,
                                       const char *name)
{
	for (unsigned i = 0; i < ps->n; i++)
		if (sip_sieq(buf, ps->p[i].name, name))
			return &ps->p[i];
	return NULL;
}

static bool addr_text_ok(const char *buf, struct sip_str v)
{
	struct sip_cur c;
	struct sip_str h;
	uint8_t t;
	struct sip_addr a;

	if (v.len && buf[v.off] == '[') {
		sip_cur_init(&c, buf, v);
		return sip_host_parse(&c, &h, &t) && c.p == c.end;
	}
	return sip_addr_parse(&a, buf + v.off, v.len) == 0;
}

int sip_via_parse(struct sip_via *v, const char *buf, struct sip_str val)
{
	struct sip_cur c;
	const struct sip_param *pr;
	size_t ps;
	int rc;

	memset(v, 0, offsetof(struct sip_via, p));
	v->rport = -1;
	sip_cur_init(&c, buf, val);
	sip_cur_skip_lws(&c);
	/* sent-protocol = protocol-name SLASH protocol-version SLASH transport */
	v->proto = sip_cur_run(&c, SIP_C_TOKEN);
	if (!v->proto.len || !sip_cur_sep(&c, '/'))
		return -EBADMSG;
	v->version = sip_cur_run(&c, SIP_C_TOKEN);
	if (!v->version.len || !sip_cur_sep(&c, '/'))
		return -EBADMSG;
	v->transport = sip_cur_run(&c, SIP_C_TOKEN);
	if (!v->transport.len || !sip_is_lws((char)sip_cur_peek(&c)))
		return -EBADMSG;
	sip_cur_skip_lws(&c);
	/* sent-by = host [ COLON port ] */
	if (!sip_host_parse(&c, &v->host, &v->host_type))
		return -EBADMSG;
	if (sip_cur_sep(&c, ':')) {
		if (!sip_port_parse(&c, &v->port))
			return -EBADMSG;
	}
	sip_cur_skip_lws(&c);
	ps = c.p;
	v->params = sip_mkstr(ps < c.end ? ps + 1 : ps, ps < c.end ? c.end - ps - 1 : 0);
	rc = sip_params_parse(&v->p, buf, sip_mkstr(ps, c.end - ps));
	if (rc)
		return rc;
	if ((pr = sip_params_get(&v->p, buf, "branch"))) {
		if (!sip_all(buf, pr->value, SIP_C_TOKEN) || !pr->value.len)
			return -EBADMSG;
		v->branch = pr->value;
	}
	if ((pr = sip_params_get(&v->p, buf, "received"))) {
		if (!addr_text_ok(buf, pr->value))
			return -EBADMSG;
		v->received = pr->value;
	}
	if ((pr = sip_params_get(&v->p, buf, "maddr"))) {
		struct sip_cur hc;
		struct sip_str h;
		uint8_t t;
		sip_cur_init(&hc, buf, pr->value);
		if (!sip_host_parse(&hc, &h, &t) || hc.p != hc.end)
			return -EBADMSG;
		v->maddr = pr->value;
	}
	if ((pr = sip_params_get(&v->p, buf, "rport"))) {
		v->has_rport = 1;
		if (pr->has_value) {
			uint64_t n;
			if (!sip_digits(buf, pr->value, 65535, &n) || n == 0 || n > 65535)
				return -EBADMSG;
			v->rport = (int32_t)n;
		}
	}
	if ((pr = sip_params_get(&v->p, buf, "ttl"))) {
		uint64_t n;
		if (!sip_digits(buf, pr->value, 255, &n) || n > 255)
			return -EBADMSG;
	}
	return 0;
}

int sip_via_sentby(struct sip_via *v, const char *buf, struct sip_str val)
{
	size_t e = val.off;

	while (e < (size_t)val.off + val.len && buf[e] != ';')
		e++;
	return sip_via_parse(v, buf, sip_mkstr(val.off, e - val.off));
}

/* Bare addr-spec ends at the first ';' (or LWS before one); it may not contain ',' or '?'. */
static int nameaddr_bare(struct sip_nameaddr *na, const char *buf, struct sip_cur *c)
{
	size_t s = c->p;

	while (c->p < c->end && buf[c->p] != ';' && !sip_is_lws(buf[c->p])) {
		if (buf[c->p] == ',' || buf[c->p] == '?' || buf[c->p] == '<' || buf[c->p] == '>' ||
		    buf[c->p] == '"')
			return -EBADMSG;
		c->p++;
	}
	na->uri = sip_mkstr(s, c->p - s);
	return 0;
}

int sip_nameaddr_parse(struct sip_nameaddr *na, const char *buf, struct sip_str val)
{
	struct sip_cur c;
	struct sip_uri u;
	size_t s;
	int rc;

	memset(na, 0, offsetof(struct sip_nameaddr, p));
	na->p.n = 0;
	sip_cur_init(&c, buf, val);
	sip_cur_skip_lws(&c);
	if (c.end - c.p == 1 && buf[c.p] == '*') {
		na->star = 1;
		return 0;
	}
	s = c.p;
	if (sip_cur_peek(&c) == '"') {
		if (!sip_skip_quoted(&c))
			return -EBADMSG;
		na->display = sip_mkstr(s + 1, c.p - s - 2);
		na->quoted = 1;
		sip_cur_skip_lws(&c);
		if (sip_cur_peek(&c) != '<')
			return -EBADMSG;
	} else {
		/* display-name = *(token LWS): scan tokens and LWS; '<' next means name-addr */
		while (c.p < c.end &&
		       (sip_is((unsigned char)buf[c.p], SIP_C_TOKEN) || sip_is_lws(buf[c.p])))
			c.p++;
		if (sip_cur_peek(&c) == '<')
			na->display = sip_trim(buf, s, c.p);
		else
			c.p = s;
	}
	if (sip_cur_peek(&c) == '<') {
		size_t us = ++c.p;
		while (c.p < c.end && buf[c.p] != '>')
			c.p++;
		if (c.p >= c.end)
			return -EBADMSG;
		na->uri = sip_mkstr(us, c.p - us);
		na->angle = 1;
		c.p++;
	} else {
		rc = nameaddr_bare(na, buf, &c);
		if (rc)
			return rc;
	}
	rc = sip_uri_parse(&u, buf, na->uri);
	if (rc && rc != -EPROTONOSUPPORT)
		return -EBADMSG;
	sip_cur_skip_lws(&c);
	na->params = sip_mkstr(c.p < c.end ? c.p + 1 : c.p, c.p < c.end ? c.end - c.p - 1 : 0);
	rc = sip_params_parse(&na->p, buf, sip_mkstr(c.p, c.end - c.p));
	if (rc)
		return rc;
	{
		const struct sip_param *t = sip_params_get(&na->p, buf, "tag");
		if (t) {
			if (!t->value.len || !sip_all(buf, t->value, SIP_C_TOKEN))
				return -EBADMSG;
			na->tag = t->value;
		}
	}
	return 0;
}

int sip_cseq_parse(struct sip_cseq *cs, const char *buf, struct sip_str val)
{
	struct sip_cur c;
	struct sip_str d;
	uint64_t n;

	sip_cur_init(&c, buf, val);
	sip_cur_skip_lws(&c);
	d = sip_cur_run(&c, SIP_C_DIGIT);
	if (!sip_digits(buf, d, 0x7fffffffu, &n) || n > 0x7fffffffu)
		return -EBADMSG;
	if (!sip_is_lws((char)sip_cur_peek(&c)))
		return -EBADMSG;
	sip_cur_skip_lws(&c);
	cs->method_s = sip_cur_run(&c, SIP_C_TOKEN);
	sip_cur_skip_lws(&c);
	if (!cs->method_s.len || !sip_cur_eof(&c))
		return -EBADMSG;
	cs->num = (uint32_t)n;
	cs->method = (uint8_t)sip_method_id(buf + cs->method_s.off, cs->method_s.len);
	return 0;
}

int sip_callid_check(const char *buf, struct sip_str val)
{
	size_t at = 0;
	unsigned ats = 0;

	if (val.len == 0)
		return -EBADMSG;
	for (size_t i = 0; i < val.len; i++) {
		unsigned char ch = (unsigned char)buf[val.off + i];
		if (ch == '@') {
			ats++;
			at = i;
		} else if (!sip_is(ch, SIP_C_WORD)) {
			return -EBADMSG;
		}
	}
	if (ats > 1 || (ats == 1 && (at == 0 || at == (size_t)val.len - 1)))
		return -EBADMSG;
	return 0;
}

int sip_max_forwards(const struct sip_msg *m)
{
	const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_MAX_FORWARDS);
	uint64_t n;

	if (!h)
		return -ENOENT;
	if (m->lines[SIP_HDR_MAX_FORWARDS] > 1 || !sip_digits(m->buf, h->value, 255, &n) || n > 255)
		return -EBADMSG;
	return (int)n;
}

int sip_delta_parse(const char *buf, struct sip_str val, uint32_t *out)
{
	uint64_t n;

	if (!sip_digits(buf, val, UINT32_MAX, &n))
		return -EBADMSG;
	*out = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	return 0;
}

int sip_token_check(const char *buf, struct sip_str val)
{
	return val.len && sip_all(buf, val, SIP_C_TOKEN) ? 0 : -EBADMSG;
}

int sip_ctype_parse(struct sip_ctype *ct, const char *buf, struct sip_str val)
{
	struct sip_cur c;
	struct sip_params ps;

	sip_cur_init(&c, buf, val);
	sip_cur_skip_lws(&c);
	ct->type = sip_cur_run(&c, SIP_C_TOKEN);
	if (!ct->type.len || !sip_cur_sep(&c, '/'))
		return -EBADMSG;
	ct->subtype = sip_cur_run(&c, SIP_C_TOKEN);
	if (!ct->subtype.len)
		return -EBADMSG;
	sip_cur_skip_lws(&c);
	ct->params = sip_mkstr(c.p < c.end ? c.p + 1 : c.p, c.p < c.end ? c.end - c.p - 1 : 0);
	return sip_params_parse(&ps, buf, sip_mkstr(c.p, c.end - c.p)) ? -EBADMSG : 0;
}
