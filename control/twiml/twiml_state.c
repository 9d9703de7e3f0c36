/* SPDX-License-Identifier: BSD-3-Clause */
/* twiml_state.c — the engine's position as a compact text record, and resuming from it.
 *
 *   TW1 <phase> <verb> <answered> <seq> <doc-method> <req-kind> <req-method> <n-params>
 *       <bridged-noun> <sip-code>\n
 *   <len>:<document URL>,<len>:<request URL>,{<len>:<name>,<len>:<value>,}
 *   <len>:<bridged call sid>,<len>:<bridged SIP Call-ID>,
 *
 * phase F = a request is in flight (resume sends it again), R = running the verb at <verb> of
 * the document (resume requests the document again, with the parameters of the request that
 * produced it, and continues at that verb), B = bridged by the <Dial> at <verb> (resume
 * requests the document and re-adopts the bridge without dialling: the wiring maps the noun
 * index to the live leg). I (idle) and E (ended) cannot be resumed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twiml_engine_priv.h"

struct wbuf {
	char *b;
	size_t cap, n;
	bool over;
};

static void w_add(struct wbuf *w, const char *s, size_t l)
{
	if (w->over || w->n + l >= w->cap) {
		w->over = true;
		return;
	}
	memcpy(w->b + w->n, s, l);
	w->n += l;
	w->b[w->n] = 0;
}

static void w_net(struct wbuf *w, const char *s)
{
	char h[16];
	size_t l = strlen(s);
	w_add(w, h, (size_t)snprintf(h, sizeof(h), "%zu:", l));
	w_add(w, s, l);
	w_add(w, ",", 1);
}

int twiml_engine_save(const struct twiml_engine *e, char *buf, size_t cap)
{
	if (!cap)
		return -ENOSPC;
	struct wbuf w = {buf, cap, 0, false};
	char phase = e->st == TWIML_ST_FETCHING  ? 'F'
	             : e->st == TWIML_ST_IDLE    ? 'I'
	             : e->st == TWIML_ST_ENDED   ? 'E'
	             : e->st == TWIML_ST_BRIDGED ? 'B'
	                                         : 'R';
	const struct twiml_leg *up = phase == 'B' ? &e->legs[e->up_leg] : NULL;
	char h[128];
	int n = snprintf(h, sizeof(h), "TW1 %c %u %u %u %u %u %u %u %u %u\n", phase, e->vi,
	                 e->answered ? 1u : 0u, e->seq, e->doc_method, e->req.kind, e->req.method,
	                 e->req.n_params, up ? e->up_leg : 0u, up ? up->sip_code : 0u);
	w_add(&w, h, (size_t)n);
	w_net(&w, e->doc_url);
	w_net(&w, e->req.url);
	for (uint32_t i = 0; i < e->req.n_params; i++) {
		w_net(&w, e->req.params[i].name);
		w_net(&w, e->req.params[i].value);
	}
	w_net(&w, up ? up->sid : "");
	w_net(&w, up ? up->call_id : "");
	if (w.over)
		return -ENOSPC;
	return (int)w.n;
}

struct rbuf {
	const char *p, *end;
	bool bad;
};

static uint32_t r_num(struct rbuf *r, char sep, uint32_t max)
{
	uint64_t v = 0;
	const char *s = r->p;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9' && r->p - s < 10)
		v = v * 10 + (uint64_t)(*r->p++ - '0');
	if (r->p == s || r->p >= r->end || *r->p != sep || v > max) {
		r->bad = true;
		return 0;
	}
	r->p++;
	return (uint32_t)v;
}

/* One netstring into out (cap bytes with the NUL). */
static void r_net(struct rbuf *r, char *out, size_t cap)
{
	uint32_t l = r_num(r, ':', 0xffffff);
	if (r->bad || l >= cap || (size_t)(r->end - r->p) < (size_t)l + 1 || r->p[l] != ',' ||
	    memchr(r->p, 0, l)) {
		r->bad = true;
		return;
	}
	memcpy(out, r->p, l);
	out[l] = 0;
	r->p += l + 1;
}

int twiml_engine_resume(struct twiml_engine *e, const char *buf, size_t len)
{
	if (e->st != TWIML_ST_IDLE)
		return -EALREADY;
	struct rbuf r = {buf, buf + len, false};
	if (len < 6 || memcmp(buf, "TW1 ", 4))
		return -EINVAL;
	r.p += 4;
	char phase = *r.p++;
	if (phase != 'F' && phase != 'R' && phase != 'B')
		return -EINVAL;
	if (r.p >= r.end || *r.p++ != ' ')
		return -EINVAL;
	uint32_t vi = r_num(&r, ' ', TWIML_MAX_VERBS);
	uint32_t answered = r_num(&r, ' ', 1);
	uint32_t seq = r_num(&r, ' ', UINT32_MAX);
	uint32_t dm = r_num(&r, ' ', TWIML_GET);
	uint32_t kind = r_num(&r, ' ', TWIML_FETCH_KIND_LAST);
	uint32_t rm = r_num(&r, ' ', TWIML_GET);
	uint32_t np = r_num(&r, ' ', TWIML_MAX_PARAMS);
	uint32_t upi = r_num(&r, ' ', TWIML_MAX_DIAL_NOUNS - 1);
	uint32_t sip = r_num(&r, '\n', 699);
	if (r.bad)
		return -EINVAL;
	static __thread char doc[TWIML_URL_MAX], url[TWIML_URL_MAX], nm[TWIML_PBUF],
	    val[TWIML_PBUF];
	r_net(&r, doc, sizeof(doc));
	r_net(&r, url, sizeof(url));
	twiml_req_reset(e);
	for (uint32_t i = 0; i < np && !r.bad; i++) {
		r_net(&r, nm, sizeof(nm));
		r_net(&r, val, sizeof(val));
		if (!r.bad && twiml_param(e, nm, val))
			r.bad = true;
	}
	struct twiml_leg leg = {.sip_code = (uint16_t)sip};
	r_net(&r, leg.sid, sizeof(leg.sid));
	r_net(&r, leg.call_id, sizeof(leg.call_id));
	if (r.bad || r.p != r.end || (phase != 'F' && !doc[0]) || (phase == 'F' && !url[0])) {
		twiml_req_reset(e);
		return -EINVAL;
	}
	e->answered = e->answered || answered; /* the caller may know better (marked before) */
	e->seq = seq;
	e->doc_method = (uint8_t)dm;
	memcpy(e->doc_url, doc, sizeof(doc));
	if (phase == 'F')
		return twiml_fetch_issue(e, (enum twiml_fetch_kind)kind, url, (uint8_t)rm, false);
	e->resuming = true;
	e->resume_vi = vi;
	if (phase == 'B') {
		e->resume_bridged = true;
		e->resume_up = upi;
		e->resume_leg = leg;
	}
	return twiml_fetch_issue(e, TWIML_FETCH_RESUME, e->doc_url, e->doc_method, false);
}
