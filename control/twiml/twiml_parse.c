/* SPDX-License-Identifier: BSD-3-Clause */
/* twiml_parse.c — TwiML document → verb program: libxml2 tree walk, text nouns, SSML in <Say>.
 *
 * The document is parsed by libxml2 without network access, DTDs or entity substitution (a
 * document with a DTD is refused, so no entity can expand); the predefined entities and
 * character references are decoded by libxml2 itself. The tree is walked once to count verbs and
 * nested nodes, then once more to fill two flat arrays (top-level verbs, nested kids) whose
 * strings live in the program's arena. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "twiml_priv.h"

/* ---- arena ------------------------------------------------------------------------------ */
#define ARENA_BLOCK 8192u

struct twiml_arena_blk {
	struct twiml_arena_blk *next;
	size_t used, cap;
	max_align_t data[];
};

struct twiml_arena {
	struct twiml_arena_blk *head;
};

struct twiml_arena *twiml_arena_new(void)
{
	return calloc(1, sizeof(struct twiml_arena));
}

void twiml_arena_free(struct twiml_arena *a)
{
	if (!a)
		return;
	struct twiml_arena_blk *b = a->head;
	while (b) {
		struct twiml_arena_blk *n = b->next;
		free(b);
		b = n;
	}
	free(a);
}

void *twiml_arena_alloc(struct twiml_arena *a, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	struct twiml_arena_blk *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

char *twiml_arena_strndup(struct twiml_arena *a, const char *s, size_t n)
{
	char *d = twiml_arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

/* ---- errors and warnings ---------------------------------------------------------------- */
void twiml_warn(struct twiml_pctx *c, uint32_t code, uint32_t line, const char *what)
{
	struct twiml_prog *p = c->p;
	if (p->n_warn >= TWIML_MAX_WARN) {
		p->warn_dropped++;
		return;
	}
	struct twiml_warn *w = &p->warn[p->n_warn++];
	w->code = code;
	w->line = line;
	snprintf(w->what, sizeof(w->what), "%s", what);
}

int twiml_fail(struct twiml_pctx *c, uint32_t code, uint32_t line, const char *fmt, ...)
{
	if (c->failed)
		return c->failed;
	c->err->code = code;
	c->err->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	c->failed = -EINVAL;
	return -EINVAL;
}

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

const char *twiml_dup_trim(struct twiml_pctx *c, const char *s)
{
	if (!s)
		return "";
	while (is_ws(*s))
		s++;
	size_t n = strlen(s);
	while (n && is_ws(s[n - 1]))
		n--;
	if (!n)
		return "";
	char *d = twiml_arena_strndup(c->p->arena, s, n);
	if (!d)
		c->failed = -ENOMEM;
	return d ? d : "";
}

/* ---- names ------------------------------------------------------------------------------ */
static const char *const kind_names[TWIML_KIND_COUNT] = {
    [TWIML_SAY] = "Say",       [TWIML_PLAY] = "Play",
    [TWIML_PAUSE] = "Pause",   [TWIML_GATHER] = "Gather",
    [TWIML_RECORD] = "Record", [TWIML_DIAL] = "Dial",
    [TWIML_HANGUP] = "Hangup", [TWIML_REDIRECT] = "Redirect",
    [TWIML_REJECT] = "Reject", [TWIML_ENQUEUE] = "Enqueue",
    [TWIML_LEAVE] = "Leave",   [TWIML_NUMBER] = "Number",
    [TWIML_SIP] = "Sip",       [TWIML_CLIENT] = "Client",
    [TWIML_QUEUE] = "Queue",   [TWIML_CONFERENCE] = "Conference",
};

const char *twiml_kind_name(unsigned kind)
{
	return kind < TWIML_KIND_COUNT ? kind_names[kind] : "?";
}

const char *twiml_method_name(unsigned m)
{
	return m == TWIML_GET ? "GET" : "POST";
}

/* Returns the kind named name within [lo, hi], or -1. */
static int kind_lookup(const xmlChar *name, int lo, int hi)
{
	for (int k = lo; k <= hi; k++)
		if (!strcmp((const char *)name, kind_names[k]))
			return k;
	return -1;
}

/* ---- text --------------------------------------------------------------------------------- */
struct tbuf {
	char b[TWIML_MAX_TEXT + 1];
	size_t n;
	bool over;
};

static void tb_add(struct tbuf *t, const char *s, size_t n)
{
	if (t->n + n > TWIML_MAX_TEXT) {
		t->over = true;
		n = TWIML_MAX_TEXT - t->n;
	}
	memcpy(t->b + t->n, s, n);
	t->n += n;
	t->b[t->n] = 0;
}

static bool is_text_node(const xmlNode *x)
{
	return x->type == XML_TEXT_NODE || x->type == XML_CDATA_SECTION_NODE;
}

/* SSML inside <Say>: the text of every descendant, words kept apart at element boundaries;
 * <break> is a space and <sub alias> speaks its alias. */
static int ssml_text(struct twiml_pctx *c, xmlNode *el, struct tbuf *t, unsigned depth)
{
	if (depth > TWIML_MAX_DEPTH)
		return twiml_fail(c, TWIML_ERR_PARSE, xmlGetLineNo(el), "elements nested too deep");
	for (xmlNode *x = el->children; x; x = x->next) {
		if (is_text_node(x) && x->content) {
			tb_add(t, (const char *)x->content, strlen((const char *)x->content));
		} else if (x->type == XML_ELEMENT_NODE) {
			tb_add(t, " ", 1);
			xmlChar *alias = NULL;
			if (!strcmp((const char *)x->name, "sub"))
				alias = xmlGetProp(x, (const xmlChar *)"alias");
			if (alias) {
				tb_add(t, (const char *)alias, strlen((const char *)alias));
				xmlFree(alias);
			} else if (ssml_text(c, x, t, depth + 1)) {
				return c->failed;
			}
			tb_add(t, " ", 1);
		}
	}
	return 0;
}

/* Whitespace runs become one space (speech text only). */
static void collapse_ws(struct tbuf *t)
{
	size_t o = 0;
	bool sp = false;
	for (size_t i = 0; i < t->n; i++) {
		if (is_ws(t->b[i])) {
			sp = true;
			continue;
		}
		if (sp && o)
			t->b[o++] = ' ';
		sp = false;
		t->b[o++] = t->b[i];
	}
	t->n = o;
	t->b[o] = 0;
}

/* The node's text noun: Say → SSML text; otherwise its direct text children. */
static int node_text(struct twiml_pctx *c, struct twiml_node *n, xmlNode *el)
{
	static __thread struct tbuf t; /* 4 KB: kept off the stack; reset per node */
	t.n = 0;
	t.over = false;
	t.b[0] = 0;
	if (n->kind == TWIML_SAY) {
		if (ssml_text(c, el, &t, 0))
			return c->failed;
		collapse_ws(&t);
	} else {
		for (xmlNode *x = el->children; x; x = x->next)
			if (is_text_node(x) && x->content)
				tb_add(&t, (const char *)x->content,
				       strlen((const char *)x->content));
	}
	if (t.over)
		return twiml_fail(c, TWIML_ERR_PARSE, n->line, "<%s> text over %u bytes",
		                  twiml_kind_name(n->kind), TWIML_MAX_TEXT);
	n->text = twiml_dup_trim(c, t.b);
	return c->failed;
}

/* ---- structure --------------------------------------------------------------------------- */
static bool blank_text(const xmlNode *x)
{
	for (const xmlChar *s = x->content; s && *s; s++)
		if (!is_ws((char)*s))
			return false;
	return true;
}

/* <Client>: the identity is the text or the <Identity> child (Parameter children ignored). */
static int client_identity(struct twiml_pctx *c, struct twiml_node *n, xmlNode *el)
{
	for (xmlNode *x = el->children; x; x = x->next) {
		if (x->type != XML_ELEMENT_NODE || strcmp((const char *)x->name, "Identity"))
			continue;
		xmlChar *s = xmlNodeGetContent(x);
		n->text = twiml_dup_trim(c, (const char *)s);
		xmlFree(s);
	}
	return c->failed;
}

static int fill_node(struct twiml_pctx *c, struct twiml_node *n, int kind, xmlNode *el)
{
	n->kind = (uint8_t)kind;
	n->line = (uint32_t)xmlGetLineNo(el);
	n->text = "";
	if (node_text(c, n, el) || twiml_attrs_read(c, n, el))
		return c->failed;
	if (kind == TWIML_SIP)
		return twiml_sip_split(c, n);
	if (kind == TWIML_CLIENT && !n->text[0])
		return client_identity(c, n, el);
	return 0;
}

static int count_elements(const xmlNode *el)
{
	int n = 0;
	for (const xmlNode *x = el->children; x; x = x->next)
		n += x->type == XML_ELEMENT_NODE;
	return n;
}

/* Nested nodes of a Gather (Say/Play/Pause) or a Dial (nouns, or its text as a Number). */
static int fill_kids(struct twiml_pctx *c, struct twiml_node *v, xmlNode *el)
{
	struct twiml_prog *p = c->p;
	v->kid = (uint16_t)p->n_kids;
	bool dial = v->kind == TWIML_DIAL;
	unsigned max = dial ? TWIML_MAX_DIAL_NOUNS : TWIML_MAX_KIDS;
	for (xmlNode *x = el->children; x; x = x->next) {
		if (x->type != XML_ELEMENT_NODE)
			continue;
		int k = dial ? kind_lookup(x->name, TWIML_NUMBER, TWIML_CONFERENCE)
		             : kind_lookup(x->name, TWIML_SAY, TWIML_PAUSE);
		if (k < 0) {
			twiml_warn(c, dial ? TWIML_WARN_SCHEMA : 13320, (uint32_t)xmlGetLineNo(x),
			           dial ? "Dial: invalid nested element"
			                : "Gather: invalid nested verb");
			continue;
		}
		if (v->n_kids >= max) {
			twiml_warn(c, TWIML_WARN_SCHEMA, (uint32_t)xmlGetLineNo(x),
			           dial ? "Dial: over 10 nouns" : "Gather: too many nested verbs");
			continue;
		}
		if (fill_node(c, &p->kids[p->n_kids], k, x))
			return c->failed;
		p->n_kids++;
		v->n_kids++;
	}
	if (dial && !v->n_kids && v->text[0]) {
		struct twiml_node *n = &p->kids[p->n_kids++];
		n->kind = TWIML_NUMBER;
		n->line = v->line;
		n->text = v->text;
		n->u.number = (struct twiml_number){.send_digits = "",
		                                    .url = "",
		                                    .status_cb = "",
		                                    .status_events = TWIML_EV_COMPLETED};
		v->n_kids = 1;
	}
	return 0;
}

static int walk(struct twiml_pctx *c, xmlNode *root)
{
	struct twiml_prog *p = c->p;
	uint32_t nv = 0, nk = 0;
	for (xmlNode *x = root->children; x; x = x->next) {
		if (x->type == XML_ELEMENT_NODE) {
			if (++nv > TWIML_MAX_VERBS)
				return twiml_fail(c, TWIML_ERR_PARSE, (uint32_t)xmlGetLineNo(x),
				                  "more than %u verbs", TWIML_MAX_VERBS);
			nk += (uint32_t)count_elements(x) + 1; /* +1: Dial's text number */
		} else if (is_text_node(x) && !blank_text(x)) {
			twiml_warn(c, TWIML_WARN_SCHEMA, (uint32_t)xmlGetLineNo(x),
			           "text in <Response>");
		}
	}
	p->verbs = twiml_arena_alloc(p->arena, (nv ? nv : 1) * sizeof(*p->verbs));
	p->kids = twiml_arena_alloc(p->arena, (nk ? nk : 1) * sizeof(*p->kids));
	if (!p->verbs || !p->kids)
		return c->failed = -ENOMEM;
	memset(p->verbs, 0, (nv ? nv : 1) * sizeof(*p->verbs));
	memset(p->kids, 0, (nk ? nk : 1) * sizeof(*p->kids));
	for (xmlNode *x = root->children; x; x = x->next) {
		if (x->type != XML_ELEMENT_NODE)
			continue;
		int k = kind_lookup(x->name, TWIML_SAY, TWIML_LEAVE);
		if (k < 0)
			return twiml_fail(c, TWIML_ERR_PARSE, (uint32_t)xmlGetLineNo(x),
			                  "unknown verb <%.40s>", (const char *)x->name);
		struct twiml_node *v = &p->verbs[p->n_verbs++];
		if (fill_node(c, v, k, x))
			return c->failed;
		if (k == TWIML_GATHER || k == TWIML_DIAL) {
			if (fill_kids(c, v, x))
				return c->failed;
		} else if (k != TWIML_SAY && count_elements(x)) {
			twiml_warn(c, TWIML_WARN_SCHEMA, v->line, "nested element ignored");
		}
	}
	return 0;
}

int twiml_parse(const char *doc, size_t len, struct twiml_prog **out, struct twiml_err *err)
{
	struct twiml_err dummy;
	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	struct twiml_pctx c = {.err = err};
	if (len > TWIML_MAX_DOC) {
		err->code = TWIML_ERR_TOO_BIG;
		snprintf(err->msg, sizeof(err->msg), "document of %zu bytes is over %u", len,
		         TWIML_MAX_DOC);
		return -EINVAL;
	}
	if (!doc || !len)
		return twiml_fail(&c, TWIML_ERR_PARSE, 0, "empty document");
	xmlParserCtxtPtr px = xmlNewParserCtxt();
	if (!px)
		return -ENOMEM;
	xmlDocPtr d = xmlCtxtReadMemory(px, doc, (int)len, NULL, NULL,
	                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                                    XML_PARSE_NOCDATA);
	int rc = 0;
	if (!d) {
		const xmlError *xe = xmlCtxtGetLastError(px);
		char m[96] = "malformed XML";
		if (xe && xe->message) {
			snprintf(m, sizeof(m), "%s", xe->message);
			m[strcspn(m, "\n")] = 0;
		}
		rc = twiml_fail(&c, TWIML_ERR_PARSE, xe ? (uint32_t)xe->line : 0, "%s", m);
		goto out;
	}
	if (d->intSubset || d->extSubset) {
		rc = twiml_fail(&c, TWIML_ERR_PARSE, 1, "a DTD is not allowed");
		goto out;
	}
	xmlNode *root = xmlDocGetRootElement(d);
	if (!root || strcmp((const char *)root->name, "Response")) {
		rc = twiml_fail(&c, TWIML_ERR_PARSE, root ? (uint32_t)xmlGetLineNo(root) : 0,
		                "the root element must be <Response>");
		goto out;
	}
	c.p = calloc(1, sizeof(*c.p));
	if (!c.p || !(c.p->arena = twiml_arena_new())) {
		rc = -ENOMEM;
		goto out;
	}
	rc = walk(&c, root);
	if (!rc && c.failed)
		rc = c.failed;
out:
	if (rc && c.p) {
		twiml_prog_free(c.p);
		c.p = NULL;
	}
	if (rc == -ENOMEM && !err->code) {
		err->code = TWIML_ERR_PARSE;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
	if (d)
		xmlFreeDoc(d);
	xmlFreeParserCtxt(px);
	if (!rc)
		*out = c.p;
	return rc;
}

void twiml_prog_free(struct twiml_prog *p)
{
	if (!p)
		return;
	twiml_arena_free(p->arena);
	free(p);
}
