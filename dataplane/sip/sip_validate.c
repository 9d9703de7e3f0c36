/* SPDX-License-Identifier: BSD-3-Clause */
/* sip_validate.c — map a parsed message to its RFC 3261 answer (4xx/5xx) or a drop. */
#include "sip_priv.h"

/*
 * Order of checks, after RFC 3261 §8.2: we can only answer with a usable top Via, so its absence
 * is a drop; then syntax (400) and version (505); mandatory headers and their syntax (400); the
 * method (501); the Request-URI scheme (416); Require (420); the body (415) and Accept (406).
 * An ACK is never answered (§17.2.1): whatever is wrong with it becomes a drop.
 */

/* Only what we really do: session timers are tolerated (refreshing re-INVITE/UPDATE answered).
 * 100rel (PRACK, reliable provisionals) and Replaces are not implemented, so a Require of either
 * gets 420 rather than a call that silently breaks the peer's expectations. */
const char *const sip_supported_tags[] = {"timer", NULL};
const char sip_supported_value[] = "timer";
const char sip_accept_value[] = "application/sdp";

static const struct {
	uint16_t code;
	const char *reason;
} verdicts[SIP_V__COUNT] = {
#define SIP_VERDICT_DEF_(id, c, r) [SIP_V_##id] = {c, r},
    SIP_FOREACH_VERDICT(SIP_VERDICT_DEF_)
#undef SIP_VERDICT_DEF_
};

const char *sip_verdict_reason(enum sip_verdict_id id)
{
	return (unsigned)id < SIP_V__COUNT ? verdicts[id].reason : "Unknown";
}

uint16_t sip_verdict_code(enum sip_verdict_id id)
{
	return (unsigned)id < SIP_V__COUNT ? verdicts[id].code : 1;
}

static int verdict(struct sip_verdict *v, enum sip_verdict_id id)
{
	v->id = (uint8_t)id;
	v->code = verdicts[id].code;
	v->reason = verdicts[id].reason;
	return v->code;
}

/* Answer with a parse error's own reason phrase. */
static int verdict_perr(struct sip_verdict *v, enum sip_verdict_id id, enum sip_perr e)
{
	verdict(v, id);
	v->reason = sip_perr_reason(e);
	return v->code;
}

static bool tag_supported(const char *buf, struct sip_str t)
{
	for (int i = 0; sip_supported_tags[i]; i++)
		if (sip_sieq(buf, t, sip_supported_tags[i]))
			return true;
	return false;
}

/* All Via entries parse; *top_ok: the top one at least has a usable sent-by to answer to. */
static bool vias_ok(const struct sip_msg *m, bool *top_ok)
{
	struct sip_via via;
	bool all = true;
	int i = sip_msg_find(m, SIP_HDR_VIA, 0);

	*top_ok = false;
	for (bool top = true; i >= 0; i = sip_msg_find(m, SIP_HDR_VIA, i + 1), top = false) {
		bool ok = sip_via_parse(&via, m->buf, m->hdr[i].value) == 0;
		if (top)
			*top_ok = ok || sip_via_sentby(&via, m->buf, m->hdr[i].value) == 0;
		all = all && ok;
	}
	return all;
}

/* Each entry of header id parses as a name-addr (or '*' if star_ok). */
static bool nameaddrs_ok(const struct sip_msg *m, enum sip_hdr_id id, bool star_ok)
{
	struct sip_nameaddr na;

	for (int i = sip_msg_find(m, id, 0); i >= 0; i = sip_msg_find(m, id, i + 1)) {
		if (sip_nameaddr_parse(&na, m->buf, m->hdr[i].value))
			return false;
		if (na.star && (!star_ok || m->count[id] > 1))
			return false;
	}
	return true;
}

static bool tokens_ok(const struct sip_msg *m, enum sip_hdr_id id)
{
	for (int i = sip_msg_find(m, id, 0); i >= 0; i = sip_msg_find(m, id, i + 1))
		if (m->hdr[i].value.len && sip_token_check(m->buf, m->hdr[i].value))
			return false;
	return true;
}

static int validate_response(const struct sip_msg *m, int rc, struct sip_verdict *v)
{
	struct sip_cseq cs;
	struct sip_nameaddr na;
	bool top_ok;

	if (rc || !m->version_ok || m->status < 100 || m->status > 699)
		return verdict(v, SIP_V_DROP_RESPONSE);
	if (!vias_ok(m, &top_ok))
		return verdict(v, SIP_V_DROP_RESPONSE);
	if (!m->first[SIP_HDR_VIA] || !m->first[SIP_HDR_FROM] || !m->first[SIP_HDR_TO] ||
	    !m->first[SIP_HDR_CALL_ID] || !m->first[SIP_HDR_CSEQ])
		return verdict(v, SIP_V_DROP_RESPONSE);
	if (m->lines[SIP_HDR_FROM] > 1 || m->lines[SIP_HDR_TO] > 1 ||
	    m->lines[SIP_HDR_CALL_ID] > 1 || m->lines[SIP_HDR_CSEQ] > 1)
		return verdict(v, SIP_V_DROP_RESPONSE);
	if (sip_cseq_parse(&cs, m->buf, sip_msg_hdr(m, SIP_HDR_CSEQ)->value) ||
	    sip_callid_check(m->buf, sip_msg_hdr(m, SIP_HDR_CALL_ID)->value) ||
	    sip_nameaddr_parse(&na, m->buf, sip_msg_hdr(m, SIP_HDR_FROM)->value) ||
	    sip_nameaddr_parse(&na, m->buf, sip_msg_hdr(m, SIP_HDR_TO)->value))
		return verdict(v, SIP_V_DROP_RESPONSE);
	return verdict(v, SIP_V_OK);
}

/* The checks that may end in an answer; the caller turns answers to ACK into drops. */
static int validate_request(const struct sip_msg *m, struct sip_verdict *v)
{
	const char *buf = m->buf;
	const struct sip_hdr *h;
	struct sip_cseq cs;
	struct sip_via top;
	struct sip_uri ru;
	bool top_ok, all_vias;
	int rc;

	all_vias = vias_ok(m, &top_ok);
	if (!top_ok)
		return verdict(v, SIP_V_DROP_NO_VIA);

	switch (m->err) {
	case SIP_PERR_NONE:
		break;
	case SIP_PERR_START_LINE:
		return verdict(v, SIP_V_BAD_START_LINE);
	case SIP_PERR_CL_SYNTAX:
	case SIP_PERR_CL_MULTI:
	case SIP_PERR_CL_TOO_BIG:
		return verdict_perr(v, SIP_V_BAD_CL, (enum sip_perr)m->err);
	default:
		return verdict_perr(v, SIP_V_BAD_MESSAGE, (enum sip_perr)m->err);
	}
	if (!m->version_ok)
		return verdict(v, SIP_V_VERSION);

	if (!m->first[SIP_HDR_TO])
		return verdict(v, SIP_V_MISSING_TO);
	if (!m->first[SIP_HDR_FROM])
		return verdict(v, SIP_V_MISSING_FROM);
	if (!m->first[SIP_HDR_CALL_ID])
		return verdict(v, SIP_V_MISSING_CALL_ID);
	if (!m->first[SIP_HDR_CSEQ])
		return verdict(v, SIP_V_MISSING_CSEQ);
	if (!m->first[SIP_HDR_MAX_FORWARDS])
		return verdict(v, SIP_V_MISSING_MAX_FORWARDS);
	if (m->lines[SIP_HDR_TO] > 1 || m->lines[SIP_HDR_FROM] > 1 ||
	    m->lines[SIP_HDR_CALL_ID] > 1 || m->lines[SIP_HDR_CSEQ] > 1 ||
	    m->lines[SIP_HDR_MAX_FORWARDS] > 1 || m->lines[SIP_HDR_CONTENT_TYPE] > 1)
		return verdict(v, SIP_V_MULTI_SINGLE);

	if (!all_vias)
		return verdict(v, SIP_V_BAD_VIA);
	sip_via_parse(&top, buf, sip_msg_hdr(m, SIP_HDR_VIA)->value);
	/* RFC 2543 transactions (no magic cookie) are not supported: we need a real branch */
	if (top.branch.len <= 7 || memcmp(buf + top.branch.off, "z9hG4bK", 7) != 0)
		return verdict(v, SIP_V_BAD_BRANCH);
	if (!nameaddrs_ok(m, SIP_HDR_FROM, false))
		return verdict(v, SIP_V_BAD_FROM);
	if (!nameaddrs_ok(m, SIP_HDR_TO, false))
		return verdict(v, SIP_V_BAD_TO);
	if (sip_callid_check(buf, sip_msg_hdr(m, SIP_HDR_CALL_ID)->value))
		return verdict(v, SIP_V_BAD_CALL_ID);
	if (sip_cseq_parse(&cs, buf, sip_msg_hdr(m, SIP_HDR_CSEQ)->value))
		return verdict(v, SIP_V_BAD_CSEQ);
	if (cs.method_s.len != m->method_s.len ||
	    memcmp(buf + cs.method_s.off, buf + m->method_s.off, cs.method_s.len) != 0)
		return verdict(v, SIP_V_CSEQ_METHOD);
	if (sip_max_forwards(m) < 0)
		return verdict(v, SIP_V_BAD_MAX_FORWARDS);
	if (!nameaddrs_ok(m, SIP_HDR_CONTACT, m->method == SIP_M_REGISTER))
		return verdict(v, SIP_V_BAD_CONTACT);
	if (!nameaddrs_ok(m, SIP_HDR_ROUTE, false) ||
	    !nameaddrs_ok(m, SIP_HDR_RECORD_ROUTE, false) || !tokens_ok(m, SIP_HDR_REQUIRE) ||
	    !tokens_ok(m, SIP_HDR_PROXY_REQUIRE) || !tokens_ok(m, SIP_HDR_SUPPORTED))
		return verdict(v, SIP_V_BAD_HEADER);
	if ((h = sip_msg_hdr(m, SIP_HDR_EXPIRES))) {
		uint32_t e;
		if (sip_delta_parse(buf, h->value, &e))
			return verdict(v, SIP_V_BAD_HEADER);
	}

	rc = sip_uri_parse(&ru, buf, m->ruri);
	if (rc && rc != -EPROTONOSUPPORT)
		return verdict(v, SIP_V_BAD_RURI);
	if (rc == 0 && ru.headers.len)
		return verdict(v, SIP_V_RURI_HEADERS);

	if (m->method == SIP_M_UNKNOWN)
		return verdict(v, SIP_V_METHOD);
	if (rc == -EPROTONOSUPPORT)
		return verdict(v, SIP_V_SCHEME);

	if (m->method != SIP_M_CANCEL && m->method != SIP_M_ACK) {
		for (int i = sip_msg_find(m, SIP_HDR_REQUIRE, 0); i >= 0;
		     i = sip_msg_find(m, SIP_HDR_REQUIRE, i + 1)) {
			struct sip_str t = m->hdr[i].value;
			if (t.len && !tag_supported(buf, t) && v->n_unsupp < SIP_MAX_UNSUPP)
				v->unsupp[v->n_unsupp++] = t;
		}
		if (v->n_unsupp)
			return verdict(v, SIP_V_EXTENSION);
	}

	if (m->body.len) {
		struct sip_ctype ct;
		h = sip_msg_hdr(m, SIP_HDR_CONTENT_TYPE);
		if (!h || sip_ctype_parse(&ct, buf, h->value))
			return verdict(v, SIP_V_BAD_CTYPE);
		if (!sip_sieq(buf, ct.type, "application") || !sip_sieq(buf, ct.subtype, "sdp"))
			return verdict(v, SIP_V_MEDIA_TYPE);
		for (int i = sip_msg_find(m, SIP_HDR_CONTENT_ENCODING, 0); i >= 0;
		     i = sip_msg_find(m, SIP_HDR_CONTENT_ENCODING, i + 1))
			if (!sip_sieq(buf, m->hdr[i].value, "identity"))
				return verdict(v, SIP_V_MEDIA_TYPE);
	}
	if (m->method == SIP_M_INVITE && m->first[SIP_HDR_ACCEPT]) {
		bool ok = false;
		for (int i = sip_msg_find(m, SIP_HDR_ACCEPT, 0); i >= 0 && !ok;
		     i = sip_msg_find(m, SIP_HDR_ACCEPT, i + 1)) {
			struct sip_ctype ct;
			if (m->hdr[i].value.len == 0) {
				ok = true; /* an empty Accept says nothing */
				continue;
			}
			if (sip_ctype_parse(&ct, buf, m->hdr[i].value))
				continue;
			ok = (sip_sieq(buf, ct.type, "application") &&
			      (sip_sieq(buf, ct.subtype, "sdp") ||
			       sip_sieq(buf, ct.subtype, "*"))) ||
			     (sip_sieq(buf, ct.type, "*") && sip_sieq(buf, ct.subtype, "*"));
		}
		if (!ok)
			return verdict(v, SIP_V_NOT_ACCEPTABLE);
	}
	return verdict(v, SIP_V_OK);
}

/* Messages neither request nor response validation can use: 1 and the verdict, else 0. */
static int unusable(const struct sip_msg *m, int rc, struct sip_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (rc == -E2BIG)
		return verdict(v, SIP_V_DROP_TOO_MANY);
	if (rc == -ENODATA || rc == -EINVAL || !m->start.len)
		return verdict(v, SIP_V_DROP_GARBAGE);
	return 0;
}

int sip_validate_request(const struct sip_msg *m, int rc, struct sip_verdict *v)
{
	if (unusable(m, rc, v))
		return v->code;
	if (!m->is_request)
		return verdict(v, SIP_V_DROP_RESPONSE);
	validate_request(m, v);
	if (m->method == SIP_M_ACK && v->code >= 100) {
		/* keep the reason id for counting, but never answer an ACK */
		v->code = 1;
	}
	return v->code;
}

int sip_validate_response(const struct sip_msg *m, int rc, struct sip_verdict *v)
{
	if (unusable(m, rc, v))
		return v->code;
	if (m->is_request)
		return verdict(v, SIP_V_DROP_GARBAGE);
	return validate_response(m, rc, v);
}

int sip_validate(const struct sip_msg *m, int rc, struct sip_verdict *v)
{
	return m->is_request ? sip_validate_request(m, rc, v) : sip_validate_response(m, rc, v);
}

bool sip_msg_has_token(const struct sip_msg *m, enum sip_hdr_id id, const char *token)
{
	for (int i = sip_msg_find(m, id, 0); i >= 0; i = sip_msg_find(m, id, i + 1))
		if (sip_sieq(m->buf, m->hdr[i].value, token))
			return true;
	return false;
}

int sip_check_max_forwards(const struct sip_msg *m)
{
	return sip_max_forwards(m) == 0 ? 483 : 0;
}
