/* SPDX-License-Identifier: BSD-3-Clause */
/* twiml_attr.c — verb and noun attributes from tables: Twilio's defaults, typed parsing, ranges,
 * and the warning (Twilio's code) an invalid value raises; the <Sip> URI header split.
 *
 * Policy: an unknown attribute is ignored; a value that does not parse keeps the default and
 * warns; a number outside its range is clamped and warns (Twilio treats these as warnings and
 * goes on). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "twiml_priv.h"

enum attr_type {
	A_STR,
	A_METHOD,
	A_BOOL,
	A_UINT,
	A_KEY1,
	A_KEYS,
	A_DIGITS,
	A_ENUM,
	A_INPUT,
	A_EVENTS
};

struct attr_desc {
	const char *name;
	uint8_t type;
	uint16_t off; /* within struct twiml_node */
	uint32_t def, min, max;
	uint16_t warn;        /* code for an invalid value */
	const char *sdef;     /* default of string-typed fields */
	const char *const *e; /* A_ENUM: names, index = value, NULL-terminated */
};

#define OFF(f) ((uint16_t)offsetof(struct twiml_node, u.f))
#define W TWIML_WARN_SCHEMA

static const char *const e_reason[] = {"rejected", "busy", NULL};
static const char *const e_trim[] = {"trim-silence", "do-not-trim", NULL};
/* "true"/"false" are Twilio's older spellings of record-from-answer / do-not-record */
static const char *const e_record[] = {
    "do-not-record",           "record-from-answer",       "record-from-ringing",
    "record-from-answer-dual", "record-from-ringing-dual", NULL};

static const struct attr_desc say_attrs[] = {
    {"voice", A_STR, OFF(say.voice), .sdef = "man"},
    {"language", A_STR, OFF(say.language), .sdef = "en-US"},
    {"loop", A_UINT, OFF(say.loop), 1, 0, 1000, 13510},
    {NULL}};
static const struct attr_desc play_attrs[] = {{"loop", A_UINT, OFF(play.loop), 1, 0, 1000, 13410},
                                              {"digits", A_DIGITS, OFF(play.digits), .warn = W},
                                              {NULL}};
static const struct attr_desc pause_attrs[] = {
    {"length", A_UINT, OFF(pause.length), 1, 0, 3600, 13910}, {NULL}};
static const struct attr_desc gather_attrs[] = {
    {"action", A_STR, OFF(gather.action)},
    {"method", A_METHOD, OFF(gather.method), TWIML_POST, .warn = 13312},
    {"input", A_INPUT, OFF(gather.input), TWIML_INPUT_DTMF, .warn = W},
    {"timeout", A_UINT, OFF(gather.timeout), 5, 1, 600, 13313},
    {"finishOnKey", A_KEY1, OFF(gather.finish_key), '#', .warn = 13310},
    {"numDigits", A_UINT, OFF(gather.num_digits), 0, 1, 128, 13314},
    {"actionOnEmptyResult", A_BOOL, OFF(gather.action_on_empty), 0, .warn = W},
    {"language", A_STR, OFF(gather.language), .sdef = "en-US"},
    {"speechTimeout", A_STR, OFF(gather.speech_timeout)},
    {"hints", A_STR, OFF(gather.hints)},
    {NULL}};
static const struct attr_desc record_attrs[] = {
    {"action", A_STR, OFF(record.action)},
    {"method", A_METHOD, OFF(record.method), TWIML_POST, .warn = 13610},
    {"timeout", A_UINT, OFF(record.timeout), 5, 0, 3600, 13611},
    {"maxLength", A_UINT, OFF(record.max_length), 3600, 1, 14400, 13612},
    {"finishOnKey", A_KEYS, OFF(record.finish_keys), .warn = 13613, .sdef = "1234567890*#"},
    {"playBeep", A_BOOL, OFF(record.play_beep), 1, .warn = W},
    {"trim", A_ENUM, OFF(record.trim), TWIML_TRIM_SILENCE, .warn = W, .e = e_trim},
    {"transcribe", A_BOOL, OFF(record.transcribe), 0, .warn = W},
    {"transcribeCallback", A_STR, OFF(record.transcribe_cb)},
    {"recordingStatusCallback", A_STR, OFF(record.rsc)},
    {"recordingStatusCallbackMethod", A_METHOD, OFF(record.rsc_method), TWIML_POST, .warn = W},
    {"recordingStatusCallbackEvent", A_STR, OFF(record.rsc_events), .sdef = "completed"},
    {NULL}};
static const struct attr_desc dial_attrs[] = {
    {"action", A_STR, OFF(dial.action)},
    {"method", A_METHOD, OFF(dial.method), TWIML_POST, .warn = 13210},
    {"timeout", A_UINT, OFF(dial.timeout), 30, 5, 600, 13212},
    {"timeLimit", A_UINT, OFF(dial.time_limit), 14400, 1, 14400, 13216},
    {"callerId", A_STR, OFF(dial.caller_id)},
    {"hangupOnStar", A_BOOL, OFF(dial.hangup_on_star), 0, .warn = 13213},
    {"answerOnBridge", A_BOOL, OFF(dial.answer_on_bridge), 0, .warn = W},
    {"sequential", A_BOOL, OFF(dial.sequential), 0, .warn = W},
    {"ringTone", A_STR, OFF(dial.ring_tone)},
    {"record", A_ENUM, OFF(dial.record), TWIML_REC_NONE, .warn = W, .e = e_record},
    {"trim", A_ENUM, OFF(dial.trim), TWIML_TRIM_NONE, .warn = W, .e = e_trim},
    {"recordingStatusCallback", A_STR, OFF(dial.rsc)},
    {"recordingStatusCallbackMethod", A_METHOD, OFF(dial.rsc_method), TWIML_POST, .warn = W},
    {NULL}};
static const struct attr_desc redirect_attrs[] = {
    {"method", A_METHOD, OFF(redirect.method), TWIML_POST, .warn = 13710}, {NULL}};
static const struct attr_desc reject_attrs[] = {
    {"reason", A_ENUM, OFF(reject.reason), TWIML_REJECT_REJECTED, .warn = W, .e = e_reason},
    {NULL}};
static const struct attr_desc enqueue_attrs[] = {
    {"action", A_STR, OFF(enqueue.action)},
    {"method", A_METHOD, OFF(enqueue.method), TWIML_POST, .warn = W},
    {"waitUrl", A_STR, OFF(enqueue.wait_url)},
    {"waitUrlMethod", A_METHOD, OFF(enqueue.wait_method), TWIML_POST, .warn = W},
    {"maxQueueSize", A_UINT, OFF(enqueue.max_queue_size), 0, 1, 5000, W}, /* 0: the queue's MaxSize */
    {NULL}};
static const struct attr_desc number_attrs[] = {
    {"sendDigits", A_DIGITS, OFF(number.send_digits), .warn = 13222},
    {"url", A_STR, OFF(number.url)},
    {"method", A_METHOD, OFF(number.method), TWIML_POST, .warn = 13221},
    {"statusCallback", A_STR, OFF(number.status_cb)},
    {"statusCallbackMethod", A_METHOD, OFF(number.status_cb_method), TWIML_POST, .warn = W},
    {"statusCallbackEvent", A_EVENTS, OFF(number.status_events), TWIML_EV_COMPLETED, .warn = W},
    {NULL}};
static const struct attr_desc sip_attrs[] = {
    {"username", A_STR, OFF(sip.username)},
    {"password", A_STR, OFF(sip.password)},
    {"url", A_STR, OFF(sip.url)},
    {"method", A_METHOD, OFF(sip.method), TWIML_POST, .warn = W},
    {"statusCallback", A_STR, OFF(sip.status_cb)},
    {"statusCallbackMethod", A_METHOD, OFF(sip.status_cb_method), TWIML_POST, .warn = W},
    {"statusCallbackEvent", A_EVENTS, OFF(sip.status_events), TWIML_EV_COMPLETED, .warn = W},
    {NULL}};
static const struct attr_desc client_attrs[] = {
    {"url", A_STR, OFF(client.url)},
    {"method", A_METHOD, OFF(client.method), TWIML_POST, .warn = W},
    {"statusCallback", A_STR, OFF(client.status_cb)},
    {"statusCallbackMethod", A_METHOD, OFF(client.status_cb_method), TWIML_POST, .warn = W},
    {"statusCallbackEvent", A_EVENTS, OFF(client.status_events), TWIML_EV_COMPLETED, .warn = W},
    {NULL}};
static const struct attr_desc queue_attrs[] = {
    {"url", A_STR, OFF(queue.url)},
    {"method", A_METHOD, OFF(queue.method), TWIML_POST, .warn = W},
    {NULL}};
static const struct attr_desc conference_attrs[] = {
    {"muted", A_BOOL, OFF(conference.muted), 0, .warn = W},
    {"beep", A_STR, OFF(conference.beep), .sdef = "true"},
    {"startConferenceOnEnter", A_BOOL, OFF(conference.start_on_enter), 1, .warn = W},
    {"endConferenceOnExit", A_BOOL, OFF(conference.end_on_exit), 0, .warn = W},
    {"waitUrl", A_STR, OFF(conference.wait_url)},
    {"waitMethod", A_METHOD, OFF(conference.wait_method), TWIML_POST, .warn = W},
    {"maxParticipants", A_UINT, OFF(conference.max_participants), 250, 2, 250, W},
    {"record", A_STR, OFF(conference.record), .sdef = "do-not-record"},
    {"statusCallback", A_STR, OFF(conference.status_cb)},
    {NULL}};
static const struct attr_desc none_attrs[] = {{NULL}};

static const struct attr_desc *const kind_attrs[TWIML_KIND_COUNT] = {
    [TWIML_SAY] = say_attrs,       [TWIML_PLAY] = play_attrs,
    [TWIML_PAUSE] = pause_attrs,   [TWIML_GATHER] = gather_attrs,
    [TWIML_RECORD] = record_attrs, [TWIML_DIAL] = dial_attrs,
    [TWIML_HANGUP] = none_attrs,   [TWIML_REDIRECT] = redirect_attrs,
    [TWIML_REJECT] = reject_attrs, [TWIML_ENQUEUE] = enqueue_attrs,
    [TWIML_LEAVE] = none_attrs,    [TWIML_NUMBER] = number_attrs,
    [TWIML_SIP] = sip_attrs,       [TWIML_CLIENT] = client_attrs,
    [TWIML_QUEUE] = queue_attrs,   [TWIML_CONFERENCE] = conference_attrs,
};

static void set_default(struct twiml_node *n, const struct attr_desc *d)
{
	char *f = (char *)n + d->off;
	switch (d->type) {
	case A_STR:
	case A_KEYS:
	case A_DIGITS:
		*(const char **)f = d->sdef ? d->sdef : "";
		break;
	case A_UINT:
		*(uint32_t *)f = d->def;
		break;
	case A_KEY1:
		*(char *)f = (char)d->def;
		break;
	default:
		*(uint8_t *)f = (uint8_t)d->def;
	}
}

static bool is_key(char ch)
{
	return (ch >= '0' && ch <= '9') || ch == '*' || ch == '#';
}

/* Parses v (already trimmed) into the field; false when the value is invalid. */
static bool parse_value(struct twiml_pctx *c, struct twiml_node *n, const struct attr_desc *d,
                        const char *v, bool *clamped)
{
	char *f = (char *)n + d->off;
	switch (d->type) {
	case A_STR:
		*(const char **)f = twiml_dup_trim(c, v);
		return true;
	case A_METHOD:
		if (!strcasecmp(v, "POST") || !strcasecmp(v, "GET")) {
			*(uint8_t *)f = !strcasecmp(v, "GET") ? TWIML_GET : TWIML_POST;
			return true;
		}
		return false;
	case A_BOOL:
		if (!strcasecmp(v, "true") || !strcasecmp(v, "false")) {
			*(uint8_t *)f = !strcasecmp(v, "true");
			return true;
		}
		return false;
	case A_UINT: {
		if (!*v || strspn(v, "0123456789") != strlen(v))
			return false;
		unsigned long long x = strlen(v) > 12 ? ~0ull : strtoull(v, NULL, 10);
		uint32_t r = x < d->min ? d->min : x > d->max ? d->max : (uint32_t)x;
		*clamped = r != x;
		*(uint32_t *)f = r;
		return true;
	}
	case A_KEY1:
		if (!*v) { /* "" = no finish key */
			*(char *)f = 0;
			return true;
		}
		if (v[1] || !is_key(v[0]))
			return false;
		*(char *)f = v[0];
		return true;
	case A_KEYS:
		for (const char *s = v; *s; s++)
			if (!is_key(*s))
				return false;
		*(const char **)f = twiml_dup_trim(c, v);
		return true;
	case A_DIGITS:
		if (strlen(v) > 64)
			return false;
		for (const char *s = v; *s; s++)
			if (!is_key(*s) && *s != 'w' && *s != 'W')
				return false;
		*(const char **)f = twiml_dup_trim(c, v);
		return true;
	case A_ENUM:
		for (unsigned i = 0; d->e[i]; i++)
			if (!strcmp(v, d->e[i])) {
				*(uint8_t *)f = (uint8_t)i;
				return true;
			}
		if (d->e == e_record && (!strcmp(v, "true") || !strcmp(v, "false"))) {
			*(uint8_t *)f = !strcmp(v, "true") ? TWIML_REC_FROM_ANSWER : TWIML_REC_NONE;
			return true;
		}
		return false;
	case A_INPUT:
	case A_EVENTS: {
		static const char *const in_words[] = {"dtmf", "speech", NULL};
		static const char *const ev_words[] = {"initiated", "ringing", "answered",
		                                       "completed", NULL};
		const char *const *words = d->type == A_INPUT ? in_words : ev_words;
		uint8_t bits = 0;
		const char *s = v;
		while (*s) {
			size_t l = strcspn(s, " ,");
			unsigned i;
			for (i = 0; words[i]; i++)
				if (strlen(words[i]) == l && !strncmp(s, words[i], l))
					break;
			if (l && !words[i])
				return false;
			if (l)
				bits |= (uint8_t)(1u << i);
			s += l;
			s += strspn(s, " ,");
		}
		if (!bits)
			return false;
		*(uint8_t *)f = bits;
		return true;
	}
	}
	return false;
}

static const char *attr_value(xmlAttr *a, xmlChar **owned)
{
	*owned = NULL;
	if (!a->children)
		return "";
	if (a->children->type == XML_TEXT_NODE && !a->children->next)
		return a->children->content ? (const char *)a->children->content : "";
	*owned = xmlNodeListGetString(a->doc, a->children, 1);
	return *owned ? (const char *)*owned : "";
}

int twiml_attrs_read(struct twiml_pctx *c, struct twiml_node *n, xmlNode *el)
{
	const struct attr_desc *tab = kind_attrs[n->kind];
	for (const struct attr_desc *d = tab; d->name; d++)
		set_default(n, d);
	for (xmlAttr *a = el->properties; a; a = a->next) {
		const struct attr_desc *d;
		for (d = tab; d->name; d++)
			if (!strcmp((const char *)a->name, d->name))
				break;
		if (!d->name)
			continue; /* unknown attributes are ignored */
		xmlChar *owned;
		const char *raw = attr_value(a, &owned);
		if (strlen(raw) > TWIML_MAX_TEXT) {
			if (owned)
				xmlFree(owned);
			return twiml_fail(c, TWIML_ERR_PARSE, n->line, "attribute %s over %u bytes",
			                  d->name, TWIML_MAX_TEXT);
		}
		char v[TWIML_MAX_TEXT + 1];
		const char *s = raw;
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		size_t l = strlen(s);
		while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\n' ||
		             s[l - 1] == '\r'))
			l--;
		memcpy(v, s, l);
		v[l] = 0;
		if (owned)
			xmlFree(owned);
		bool clamped = false;
		if (!parse_value(c, n, d, v, &clamped) || clamped) {
			char what[48];
			snprintf(what, sizeof(what), "%s: invalid %s", twiml_kind_name(n->kind),
			         d->name);
			twiml_warn(c, d->warn ? d->warn : TWIML_WARN_SCHEMA, n->line, what);
		}
		if (c->failed)
			return c->failed;
	}
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into the arena. */
static const char *pct_dup(struct twiml_pctx *c, const char *s, size_t n)
{
	char *d = twiml_arena_alloc(c->p->arena, n + 1);
	if (!d) {
		c->failed = -ENOMEM;
		return "";
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
		    (l = hexval(s[i + 2])) >= 0) {
			d[o++] = (char)(h * 16 + l);
			i += 2;
		} else {
			d[o++] = s[i];
		}
	}
	d[o] = 0;
	return d;
}

static bool token_name(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

int twiml_sip_split(struct twiml_pctx *c, struct twiml_node *n)
{
	struct twiml_sip *sp = &n->u.sip;
	sp->hdrs = NULL;
	sp->n_hdrs = 0;
	const char *q = strchr(n->text, '?');
	if (!q)
		return 0;
	struct twiml_kv *h = twiml_arena_alloc(c->p->arena, TWIML_MAX_SIP_HDRS * sizeof(*h));
	if (!h)
		return c->failed = -ENOMEM;
	sp->hdrs = h;
	const char *s = q + 1;
	while (*s) {
		size_t l = strcspn(s, "&");
		const char *eq = memchr(s, '=', l);
		if (!eq || !token_name(s, (size_t)(eq - s))) {
			twiml_warn(c, TWIML_WARN_SCHEMA, n->line, "Sip: invalid URI header");
		} else if (sp->n_hdrs >= TWIML_MAX_SIP_HDRS) {
			twiml_warn(c, TWIML_WARN_SCHEMA, n->line, "Sip: too many URI headers");
		} else {
			h[sp->n_hdrs].name = twiml_arena_strndup(c->p->arena, s, (size_t)(eq - s));
			h[sp->n_hdrs].value = pct_dup(c, eq + 1, l - (size_t)(eq - s) - 1);
			if (!h[sp->n_hdrs].name)
				return c->failed = -ENOMEM;
			sp->n_hdrs++;
		}
		s += l;
		if (*s == '&')
			s++;
	}
	n->text = twiml_arena_strndup(c->p->arena, n->text, (size_t)(q - n->text));
	if (!n->text)
		return c->failed = -ENOMEM;
	return c->failed;
}
