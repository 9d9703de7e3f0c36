/* SPDX-License-Identifier: BSD-3-Clause */
/* twiml_priv.h — inside the twiml module: the document arena and attribute readers. */
#ifndef TWIML_PRIV_H
#define TWIML_PRIV_H

#include <libxml/tree.h>

#include "twiml.h"

/* Per-document arena: blocks chained, freed in one call with the program. */
struct twiml_arena;
struct twiml_arena *twiml_arena_new(void);
void twiml_arena_free(struct twiml_arena *a);
void *twiml_arena_alloc(struct twiml_arena *a, size_t n);
/* Copies n bytes and a NUL; NULL on allocation failure. */
char *twiml_arena_strndup(struct twiml_arena *a, const char *s, size_t n);

/* Parsing state shared by the structure walk and the attribute readers. */
struct twiml_pctx {
	struct twiml_prog *p;
	struct twiml_err *err;
	int failed; /* -EINVAL / -ENOMEM once an error is recorded */
};

void twiml_warn(struct twiml_pctx *c, uint32_t code, uint32_t line, const char *what);
int twiml_fail(struct twiml_pctx *c, uint32_t code, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Trimmed copy of s into the arena ("" for NULL). */
const char *twiml_dup_trim(struct twiml_pctx *c, const char *s);

/* Fills n->u for n->kind from the element's attributes (defaults first). 0 or -ENOMEM. */
int twiml_attrs_read(struct twiml_pctx *c, struct twiml_node *n, xmlNode *el);
/* Splits "sip:u@h;transport=udp?X-A=1&X-B=2" into the URI and its headers (Sip noun). */
int twiml_sip_split(struct twiml_pctx *c, struct twiml_node *n);

#endif
