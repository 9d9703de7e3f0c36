/* SPDX-License-Identifier: BSD-3-Clause */
/* sip_msg.c — zero-copy SIP message parser: start line, header lines, body framing. */
#include "sip_priv.h"

#define D (SIP_C_DIGIT | SIP_C_HEX | SIP_C_TOKEN | SIP_C_UNRES | SIP_C_WORD)
#define AH (SIP_C_ALPHA | SIP_C_HEX | SIP_C_TOKEN | SIP_C_UNRES | SIP_C_WORD)
#define A (SIP_C_ALPHA | SIP_C_TOKEN | SIP_C_UNRES | SIP_C_WORD)
#define MARK_TOK (SIP_C_TOKEN | SIP_C_UNRES | SIP_C_WORD)

const uint16_t sip_cc[256] = {
    ['0' ... '9'] = D,
    ['A' ... 'F'] = AH,
    ['a' ... 'f'] = AH,
    ['G' ... 'Z'] = A,
    ['g' ... 'z'] = A,
    ['-'] = MARK_TOK,
    ['.'] = MARK_TOK,
    ['!'] = MARK_TOK,
    ['*'] = MARK_TOK,
    ['_'] = MARK_TOK,
    ['~'] = MARK_TOK,
    ['\''] = MARK_TOK,
    ['%'] = SIP_C_TOKEN | SIP_C_WORD,
    ['`'] = SIP_C_TOKEN | SIP_C_WORD,
    ['+'] = SIP_C_TOKEN | SIP_C_WORD | SIP_C_USERX | SIP_C_PASSX | SIP_C_PARAMX | SIP_C_HNVX,
    ['('] = SIP_C_UNRES | SIP_C_WORD,
    [')'] = SIP_C_UNRES | SIP_C_WORD,
    ['<'] = SIP_C_WORD,
    ['>'] = SIP_C_WORD,
    ['\\'] = SIP_C_WORD,
    ['"'] = SIP_C_WORD,
    ['{'] = SIP_C_WORD,
    ['}'] = SIP_C_WORD,
    [':'] = SIP_C_WORD | SIP_C_PARAMX | SIP_C_HNVX,
    ['/'] = SIP_C_WORD | SIP_C_USERX | SIP_C_PARAMX | SIP_C_HNVX,
    ['['] = SIP_C_WORD | SIP_C_PARAMX | SIP_C_HNVX,
    [']'] = SIP_C_WORD | SIP_C_PARAMX | SIP_C_HNVX,
    ['?'] = SIP_C_WORD | SIP_C_USERX | SIP_C_HNVX,
    ['$'] = SIP_C_USERX | SIP_C_PASSX | SIP_C_PARAMX | SIP_C_HNVX,
    ['&'] = SIP_C_USERX | SIP_C_PASSX | SIP_C_PARAMX,
    ['='] = SIP_C_USERX | SIP_C_PASSX,
    [','] = SIP_C_USERX | SIP_C_PASSX,
    [';'] = SIP_C_USERX,
    [' '] = SIP_C_WS,
    ['\t'] = SIP_C_WS,
    ['\r'] = SIP_C_WS,
    ['\n'] = SIP_C_WS,
};

#undef D
#undef AH
#undef A
#undef MARK_TOK

static const struct {
	const char *name;
	uint8_t len;
} methods[SIP_M__COUNT] = {[SIP_M_UNKNOWN] = {NULL, 0},
#define SIP_M_NAME_(n) [SIP_M_##n] = {#n, sizeof(#n) - 1},
                           SIP_FOREACH_METHOD(SIP_M_NAME_)
#undef SIP_M_NAME_
};

const char sip_allow_value[] = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, PRACK, REGISTER, "
                               "SUBSCRIBE, NOTIFY, PUBLISH, MESSAGE, REFER";

enum sip_method sip_method_id(const char *s, size_t len)
{
	for (int i = 1; i < SIP_M__COUNT; i++)
		if (methods[i].len == len && s[0] == methods[i].name[0] &&
		    memcmp(methods[i].name, s, len) == 0)
			return (enum sip_method)i;
	return SIP_M_UNKNOWN;
}

const char *sip_method_name(enum sip_method m)
{
	return (unsigned)m < SIP_M__COUNT ? methods[m].name : NULL;
}

struct hdr_def {
	const char *name;
	uint8_t len;
	char compact;
	uint8_t list;
};

static const struct hdr_def hdr_defs[SIP_HDR__COUNT] = {[SIP_HDR_OTHER] = {"", 0, 0, 0},
#define SIP_HDR_DEF_(id, nm, c, l) [SIP_HDR_##id] = {nm, sizeof(nm) - 1, c, l},
                                                        SIP_FOREACH_HDR(SIP_HDR_DEF_)
#undef SIP_HDR_DEF_
};

/*
 * Candidates by lower-case first letter, so a lookup compares a handful of names, not all of
 * them (test_sip_parse checks that every SIP_FOREACH_HDR entry is reachable from here).
 */
static const uint8_t hdr_by_letter[26][10] = {
    ['a' - 'a'] = {SIP_HDR_ALLOW, SIP_HDR_ACCEPT, SIP_HDR_ALLOW_EVENTS, SIP_HDR_AUTHORIZATION},
    ['c' - 'a'] = {SIP_HDR_CALL_ID, SIP_HDR_CSEQ, SIP_HDR_CONTACT, SIP_HDR_CONTENT_LENGTH,
                   SIP_HDR_CONTENT_TYPE, SIP_HDR_CONTENT_ENCODING},
    ['d' - 'a'] = {SIP_HDR_DATE},
    ['e' - 'a'] = {SIP_HDR_EXPIRES, SIP_HDR_EVENT},
    ['f' - 'a'] = {SIP_HDR_FROM},
    ['m' - 'a'] = {SIP_HDR_MAX_FORWARDS, SIP_HDR_MIN_SE},
    ['p' - 'a'] = {SIP_HDR_PROXY_REQUIRE, SIP_HDR_PROXY_AUTHORIZATION, SIP_HDR_PROXY_AUTHENTICATE,
                   SIP_HDR_P_ASSERTED_IDENTITY, SIP_HDR_PRIVACY},
    ['r' - 'a'] = {SIP_HDR_ROUTE, SIP_HDR_RECORD_ROUTE, SIP_HDR_REQUIRE, SIP_HDR_REFER_TO,
                   SIP_HDR_REFERRED_BY, SIP_HDR_RSEQ, SIP_HDR_RACK, SIP_HDR_RETRY_AFTER,
                   SIP_HDR_REASON},
    ['s' - 'a'] = {SIP_HDR_SUPPORTED, SIP_HDR_SUBJECT, SIP_HDR_SESSION_EXPIRES, SIP_HDR_SERVER},
    ['t' - 'a'] = {SIP_HDR_TO},
    ['u' - 'a'] = {SIP_HDR_UNSUPPORTED, SIP_HDR_USER_AGENT},
    ['v' - 'a'] = {SIP_HDR_VIA},
    ['w' - 'a'] = {SIP_HDR_WWW_AUTHENTICATE},
};

/* Compact forms (RFC 3261 §7.3.3 and the extensions that define them). */
static const uint8_t hdr_compact[26] = {
    ['b' - 'a'] = SIP_HDR_REFERRED_BY,
    ['c' - 'a'] = SIP_HDR_CONTENT_TYPE,
    ['e' - 'a'] = SIP_HDR_CONTENT_ENCODING,
    ['f' - 'a'] = SIP_HDR_FROM,
    ['i' - 'a'] = SIP_HDR_CALL_ID,
    ['k' - 'a'] = SIP_HDR_SUPPORTED,
    ['l' - 'a'] = SIP_HDR_CONTENT_LENGTH,
    ['m' - 'a'] = SIP_HDR_CONTACT,
    ['o' - 'a'] = SIP_HDR_EVENT,
    ['r' - 'a'] = SIP_HDR_REFER_TO,
    ['s' - 'a'] = SIP_HDR_SUBJECT,
    ['t' - 'a'] = SIP_HDR_TO,
    ['u' - 'a'] = SIP_HDR_ALLOW_EVENTS,
    ['v' - 'a'] = SIP_HDR_VIA,
    ['x' - 'a'] = SIP_HDR_SESSION_EXPIRES,
};

enum sip_hdr_id sip_hdr_lookup(const char *name, size_t len)
{
	int c;
	const uint8_t *cand;

	if (len == 0)
		return SIP_HDR_OTHER;
	c = sip_lower((unsigned char)name[0]);
	if (c < 'a' || c > 'z')
		return SIP_HDR_OTHER;
	if (len == 1)
		return (enum sip_hdr_id)hdr_compact[c - 'a'];
	cand = hdr_by_letter[c - 'a'];
	for (int i = 0; i < 10 && cand[i]; i++) {
		const struct hdr_def *d = &hdr_defs[cand[i]];
		if (d->len == len && sip_ieq(d->name + 1, name + 1, len - 1))
			return (enum sip_hdr_id)cand[i];
	}
	return SIP_HDR_OTHER;
}

const char *sip_hdr_name(enum sip_hdr_id id)
{
	return (id > SIP_HDR_OTHER && id < SIP_HDR__COUNT) ? hdr_defs[id].name : NULL;
}

static const char *const perr_reasons[SIP_PERR__COUNT] = {
#define SIP_PERR_STR_(id, r) [SIP_PERR_##id] = r,
    SIP_FOREACH_PERR(SIP_PERR_STR_)
#undef SIP_PERR_STR_
};

const char *sip_perr_reason(enum sip_perr e)
{
	return (unsigned)e < SIP_PERR__COUNT ? perr_reasons[e] : "Unknown";
}

bool sip_str_ieq(const char *buf, struct sip_str s, const char *lit)
{
	return sip_sieq(buf, s, lit);
}

static void set_err(struct sip_msg *m, enum sip_perr e)
{
	if (m->err == SIP_PERR_NONE)
		m->err = (uint8_t)e;
}

/* "SIP/" 1*DIGIT "." 1*DIGIT; sets version_ok for 2.0. */
static bool parse_version(struct sip_msg *m, const char *buf, struct sip_str v)
{
	const char *p = buf + v.off;
	size_t i = 4, n = v.len;
	size_t d1, d2;

	if (n < 7 || !sip_ieq(p, "SIP/", 4))
		return false;
	d1 = i;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i == d1 || i >= n || p[i] != '.')
		return false;
	d2 = ++i;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i == d2 || i != n)
		return false;
	m->version_ok = (n == 7 && p[4] == '2' && p[6] == '0');
	return true;
}

/* Start line [s, e) (CR stripped). */
static void parse_start(struct sip_msg *m, const char *buf, size_t s, size_t e)
{
	size_t p = s, q;

	m->start = sip_mkstr(s, e - s);
	if (e - s >= 4 && sip_ieq(buf + s, "SIP/", 4)) {
		/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
		m->is_request = 0;
		while (p < e && buf[p] != ' ')
			p++;
		m->version = sip_mkstr(s, p - s);
		if (!parse_version(m, buf, m->version)) {
			set_err(m, SIP_PERR_VERSION);
			return;
		}
		if (p >= e) {
			set_err(m, SIP_PERR_STATUS);
			return;
		}
		q = ++p;
		while (p < e && buf[p] >= '0' && buf[p] <= '9')
			p++;
		if (p - q != 3 || (p < e && buf[p] != ' ') || buf[q] < '1' || buf[q] > '6') {
			set_err(m, SIP_PERR_STATUS);
			return;
		}
		m->status =
		    (uint16_t)((buf[q] - '0') * 100 + (buf[q + 1] - '0') * 10 + (buf[q + 2] - '0'));
		/* an empty reason phrase, with or without its SP, is tolerated (RFC 4475 noreason)
		 */
		if (p < e)
			p++;
		m->reason = sip_mkstr(p, e - p);
		return;
	}

	/* Request-Line = Method SP Request-URI SP SIP-Version: single SPs, nothing trailing */
	m->is_request = 1;
	while (p < e && sip_is((unsigned char)buf[p], SIP_C_TOKEN))
		p++;
	m->method_s = sip_mkstr(s, p - s);
	m->method = (uint8_t)sip_method_id(buf + s, p - s);
	if (p == s || p >= e || buf[p] != ' ') {
		set_err(m, SIP_PERR_START_LINE);
		return;
	}
	q = ++p;
	while (p < e && buf[p] != ' ' && buf[p] != '\t')
		p++;
	m->ruri = sip_mkstr(q, p - q);
	if (p == q || p >= e || buf[p] != ' ') {
		set_err(m, SIP_PERR_START_LINE);
		return;
	}
	q = ++p;
	while (p < e && buf[p] != ' ' && buf[p] != '\t')
		p++;
	m->version = sip_mkstr(q, p - q);
	if (p != e || p == q) {
		set_err(m, SIP_PERR_START_LINE);
		return;
	}
	if (!parse_version(m, buf, m->version))
		set_err(m, SIP_PERR_VERSION);
}

static int add_hdr(struct sip_msg *m, struct sip_str name, struct sip_str val, uint8_t id,
                   uint8_t line)
{
	struct sip_hdr *h;

	if (m->nhdr >= SIP_MAX_HDRS)
		return -E2BIG;
	h = &m->hdr[m->nhdr++];
	h->name = name;
	h->value = val;
	h->id = id;
	h->line = line;
	if (m->first[id] == 0)
		m->first[id] = (uint8_t)m->nhdr;
	if (m->count[id] < UINT8_MAX)
		m->count[id]++;
	return 0;
}

static const uint8_t list_special[256] = {['"'] = 1, ['<'] = 1, [','] = 1};

/* Split a list header value at commas outside quoted strings and <>. */
static int add_list(struct sip_msg *m, const char *buf, struct sip_str name, struct sip_str v,
                    uint8_t id, uint8_t line)
{
	size_t p = v.off, end = (size_t)v.off + v.len, start = p;

	if (v.len == 0)
		return add_hdr(m, name, v, id, line);
	for (; p < end; p++) {
		unsigned char c = (unsigned char)buf[p];
		if (!list_special[c])
			continue;
		if (c == '"') {
			for (p++; p < end && buf[p] != '"'; p++)
				if (buf[p] == '\\')
					p++;
		} else if (c == '<') {
			const char *gt = memchr(buf + p, '>', end - p);
			p = gt ? (size_t)(gt - buf) : end;
		} else {
			int rc = add_hdr(m, name, sip_trim(buf, start, p), id, line);
			if (rc)
				return rc;
			start = p + 1;
		}
	}
	return add_hdr(m, name, sip_trim(buf, start, end), id, line);
}

static void note_cl(struct sip_msg *m, const char *buf, struct sip_str v)
{
	uint64_t n;

	if (!sip_digits(buf, v, SIP_MSG_MAX, &n) || n > SIP_MSG_MAX) {
		set_err(m, SIP_PERR_CL_SYNTAX); /* also negative values and overflow */
		m->has_cl = 2;                  /* present but unusable */
		return;
	}
	if (m->has_cl == 1 && m->cl != n) {
		set_err(m, SIP_PERR_CL_MULTI);
		return;
	}
	if (m->has_cl == 0) {
		m->has_cl = 1;
		m->cl = (uint16_t)n;
	}
}

int sip_msg_parse(struct sip_msg *m, const char *buf, size_t len)
{
	size_t p = 0, eol, s;
	uint8_t line = 0;

	if (!m || (!buf && len))
		return -EINVAL;
	memset(m, 0, offsetof(struct sip_msg, hdr));
	m->buf = buf;
	if (len > SIP_MSG_MAX) {
		m->err = SIP_PERR_TOO_LONG;
		return -E2BIG;
	}
	while (p < len && (buf[p] == '\r' || buf[p] == '\n'))
		p++;
	if (p == len) {
		m->err = SIP_PERR_EMPTY;
		return -ENODATA;
	}

	/* start line */
	{
		const char *nl = memchr(buf + p, '\n', len - p);
		eol = nl ? (size_t)(nl - buf) : len;
		s = p;
		p = nl ? eol + 1 : len;
		if (eol > s && buf[eol - 1] == '\r')
			eol--;
		parse_start(m, buf, s, eol);
		if (!nl)
			goto no_eoh;
	}

	/* header lines until the empty line */
	for (;;) {
		size_t ns, ne, vs, ve;
		uint8_t id;

		if (p >= len)
			goto no_eoh;
		if (buf[p] == '\n' || (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n')) {
			p += buf[p] == '\r' ? 2 : 1;
			m->has_eoh = 1;
			break;
		}
		/* logical line: up to a LF not followed by SP/HTAB */
		s = p;
		for (;;) {
			const char *nl = memchr(buf + p, '\n', len - p);
			if (!nl) {
				eol = len;
				p = len;
				break;
			}
			eol = (size_t)(nl - buf);
			p = eol + 1;
			if (p < len && (buf[p] == ' ' || buf[p] == '\t'))
				continue;
			break;
		}
		if (eol > s && buf[eol - 1] == '\r')
			eol--;
		/* field-name *(SP/HTAB) ":" value */
		ns = s;
		while (ns < eol && sip_is((unsigned char)buf[ns], SIP_C_TOKEN))
			ns++;
		ne = ns;
		while (ns < eol && (buf[ns] == ' ' || buf[ns] == '\t'))
			ns++;
		if (ne == s || ns >= eol || buf[ns] != ':') {
			set_err(m, SIP_PERR_HDR_LINE);
			continue;
		}
		vs = ns + 1;
		ve = eol;
		id = (uint8_t)sip_hdr_lookup(buf + s, ne - s);
		{
			struct sip_str name = sip_mkstr(s, ne - s);
			struct sip_str val = sip_trim(buf, vs, ve);
			int rc;

			if (hdr_defs[id].list)
				rc = add_list(m, buf, name, val, id, line);
			else
				rc = add_hdr(m, name, val, id, line);
			if (rc) {
				m->err = SIP_PERR_TOO_MANY_HDRS;
				return rc;
			}
			if (m->lines[id] < UINT8_MAX)
				m->lines[id]++;
			if (id == SIP_HDR_CONTENT_LENGTH)
				note_cl(m, buf, val);
		}
		if (line < UINT8_MAX)
			line++;
		if (eol == len)
			goto no_eoh;
	}

	/* a response's method is its CSeq's */
	if (!m->is_request && m->first[SIP_HDR_CSEQ]) {
		struct sip_cseq cs;
		if (sip_cseq_parse(&cs, buf, m->hdr[m->first[SIP_HDR_CSEQ] - 1].value) == 0)
			m->method = cs.method;
	}

	/* body: Content-Length bytes; the rest of the datagram is ignored */
	if (m->has_cl == 1) {
		if (m->cl > len - p) {
			set_err(m, SIP_PERR_CL_TOO_BIG);
			m->body = sip_mkstr(p, len - p);
		} else {
			m->body = sip_mkstr(p, m->cl);
		}
	} else {
		m->body = sip_mkstr(p, len - p);
	}
	m->len = (uint32_t)(m->body.off + m->body.len);
	return m->err == SIP_PERR_NONE ? 0 : -EBADMSG;

no_eoh:
	set_err(m, SIP_PERR_NO_EOH);
	m->body = sip_mkstr(len, 0);
	m->len = (uint32_t)len;
	return -EBADMSG;
}

int sip_msg_find(const struct sip_msg *m, enum sip_hdr_id id, int from)
{
	if (from < 0)
		from = 0;
	if (id != SIP_HDR_OTHER && m->first[id] > from)
		from = m->first[id] - 1;
	for (int i = from; i < m->nhdr; i++)
		if (m->hdr[i].id == id)
			return i;
	return -1;
}

const struct sip_hdr *sip_msg_hdr(const struct sip_msg *m, enum sip_hdr_id id)
{
	if ((unsigned)id >= SIP_HDR__COUNT || m->first[id] == 0)
		return NULL;
	return &m->hdr[m->first[id] - 1];
}

const struct sip_hdr *sip_msg_hdr_named(const struct sip_msg *m, const char *name)
{
	for (int i = 0; i < m->nhdr; i++)
		if (sip_sieq(m->buf, m->hdr[i].name, name))
			return &m->hdr[i];
	return NULL;
}
