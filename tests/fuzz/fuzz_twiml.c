/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_twiml.c — libFuzzer driver for control/twiml: the parser, then the engine run through
 * the parsed program with events chosen by the input bytes, and a save/resume round trip.
 *
 * Seeds: tests/fuzz/corpus/twiml. Run (clang build dir):
 *   ninja -C build-fuzz tests/unit/twiml/fuzz_twiml
 *   build-fuzz/tests/unit/twiml/fuzz_twiml -max_len=8192 -dict=tests/fuzz/twiml.dict \
 *     tests/fuzz/corpus/twiml
 * Invariants besides memory safety: a state the engine saved is accepted by resume. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "twiml.h"

struct fz {
	uint32_t token;
	int fetches;
	char state[TWIML_STATE_MAX];
	size_t state_len;
};

static void o_nop(void *c)
{
	(void)c;
}
static void o_code(void *c, int code)
{
	(void)c;
	(void)code;
}
static void o_tok(void *c, uint32_t t)
{
	((struct fz *)c)->token = t;
}
static void o_say(void *c, uint32_t t, const char *x, const char *v, const char *l, uint32_t n)
{
	if (strlen(x) + strlen(v) + strlen(l) > 3 * TWIML_MAX_TEXT)
		abort();
	((struct fz *)c)->token = t;
}
static void o_play(void *c, uint32_t t, const char *u, uint32_t n)
{
	((struct fz *)c)->token = t;
}
static void o_tones(void *c, uint32_t t, const char *d)
{
	((struct fz *)c)->token = t;
}
static void o_collect(void *c, const struct twiml_collect_op *op)
{
	(void)c;
}
static void o_record(void *c, uint32_t t, const struct twiml_record_op *r)
{
	((struct fz *)c)->token = t;
}
static void o_dial(void *c, uint32_t leg, const struct twiml_node *d, const struct twiml_node *n)
{
	if (leg >= TWIML_MAX_DIAL_NOUNS || strlen(n->text) > TWIML_MAX_TEXT)
		abort();
}
static void o_leg(void *c, uint32_t leg)
{
	(void)c;
}
static void o_u32(void *c, uint32_t v)
{
	(void)c;
}
static void o_fetch(void *c, const struct twiml_fetch *f)
{
	if (!f->url || !f->base || f->n_params > TWIML_MAX_PARAMS)
		abort();
	((struct fz *)c)->fetches++;
}
static void o_notify(void *c, uint32_t code, const char *w)
{
	(void)c;
}
static void o_persist(void *c, const char *s, size_t n)
{
	struct fz *z = c;
	if (n >= sizeof(z->state))
		abort();
	memcpy(z->state, s, n);
	z->state_len = n;
}

static const struct twiml_ops ops = {
    .answer = o_nop,
    .ring = o_nop,
    .reject = o_code,
    .hangup = o_nop,
    .say = o_say,
    .play = o_play,
    .tones = o_tones,
    .beep = o_tok,
    .stop_media = o_nop,
    .collect = o_collect,
    .collect_stop = o_nop,
    .record = o_record,
    .dial = o_dial,
    .dial_cancel = o_leg,
    .bridge = o_leg,
    .set_deadline = o_u32,
    .timer = o_u32,
    .fetch = o_fetch,
    .notify = o_notify,
    .persist = o_persist,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct twiml_prog *p = NULL;
	struct twiml_err err;
	if (twiml_parse((const char *)data, size, &p, &err))
		return 0;
	struct fz z = {0};
	struct twiml_engine *e;
	if (twiml_engine_create(&e, &ops, &z))
		abort();
	twiml_engine_start(e, "http://fuzz/a.xml", TWIML_POST);
	twiml_on_document(e, p, "http://fuzz/a.xml");
	/* events picked by the input's bytes, bounded */
	for (size_t i = 0; i < size && i < 256 && twiml_engine_state(e) != TWIML_ST_ENDED; i++) {
		uint8_t b = data[i];
		switch (b % 8) {
		case 0:
		case 1:
			twiml_on_media_done(e, z.token, b & 8);
			break;
		case 2:
			twiml_on_dtmf(e, "0123456789*#AB"[(b >> 3) % 14]);
			break;
		case 3:
			twiml_on_timer(e);
			break;
		case 4: {
			struct twiml_leg_event ev = {.result = (uint8_t)((b >> 3) % 6),
			                             .sip_code = 486,
			                             .call_sid = "CA1",
			                             .sip_call_id = "x",
			                             .duration_s = b};
			twiml_on_leg(e, (b >> 5) % TWIML_MAX_DIAL_NOUNS, &ev);
			break;
		}
		case 5: {
			struct twiml_rec_result r = {.duration_s = b >> 4,
			                             .sid = "RE",
			                             .url = "u",
			                             .digit = (b & 8) ? '#' : 0};
			twiml_on_record_done(e, z.token, &r);
			break;
		}
		case 6:
			if (twiml_engine_state(e) == TWIML_ST_FETCHING) {
				struct twiml_prog *q = NULL;
				if (!twiml_parse((const char *)data, size, &q, NULL))
					twiml_on_document(e, q, "http://fuzz/b.xml");
				else
					twiml_on_fetch_failed(e, 12100);
			}
			break;
		default:
			if (b & 8)
				twiml_on_call_ended(e);
		}
	}
	if (z.state_len) {
		struct fz y = {0};
		struct twiml_engine *r;
		if (twiml_engine_create(&r, &ops, &y))
			abort();
		char c = z.state[4];
		if ((c == 'F' || c == 'R' || c == 'B') &&
		    twiml_engine_resume(r, z.state, z.state_len))
			abort();
		twiml_engine_destroy(r);
	}
	twiml_engine_destroy(e);
	return 0;
}
