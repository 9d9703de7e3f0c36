/* SPDX-License-Identifier: BSD-3-Clause */
/* bench-twiml: TwiML documents parsed and executed per second on one core, in a Say/Gather/
 * Redirect loop driven by synthetic events (no network: the fetch is answered at once from
 * memory), and the latency the engine adds between an event and its next operation. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twiml.h"

#define BENCH_NS 2000000000ull
#define MAX_SAMPLES (1u << 20)

static const char doc_menu[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>\n"
    "  <Say voice=\"woman\" language=\"en-US\">Welcome to the voxplane benchmark line.</Say>\n"
    "  <Gather numDigits=\"1\" action=\"/choice\" method=\"POST\" timeout=\"5\">\n"
    "    <Say>Press 1 for sales, 2 for support, or stay on the line.</Say>\n"
    "  </Gather>\n"
    "  <Redirect method=\"POST\">/menu</Redirect>\n"
    "</Response>\n";
static const char doc_choice[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>\n"
                                 "  <Say>You pressed a key. Back to the menu.</Say>\n"
                                 "  <Redirect>/menu</Redirect>\n"
                                 "</Response>\n";

/* What the engine asked for last (ops must not re-enter the engine: the driver acts on it). */
enum want { W_NONE, W_MEDIA, W_FETCH, W_TIMER, W_END };
struct drv {
	enum want want;
	uint32_t token;
	uint8_t fetch_kind;
	uint64_t docs;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void o_nop(void *c)
{
	(void)c;
}
static void o_hangup(void *c)
{
	((struct drv *)c)->want = W_END;
}
static void o_say(void *c, uint32_t t, const char *x, const char *v, const char *l, uint32_t n)
{
	struct drv *d = c;
	d->want = W_MEDIA;
	d->token = t;
}
static void o_stop(void *c)
{
	((struct drv *)c)->want = W_NONE;
}
static void o_collect(void *c, const struct twiml_collect_op *op)
{
	(void)c;
}
static void o_timer(void *c, uint32_t ms)
{
	if (ms)
		((struct drv *)c)->want = W_TIMER;
}
static void o_fetch(void *c, const struct twiml_fetch *f)
{
	struct drv *d = c;
	d->want = W_FETCH;
	d->fetch_kind = f->kind;
}

static const struct twiml_ops ops = {
    .answer = o_nop,
    .hangup = o_hangup,
    .say = o_say,
    .stop_media = o_stop,
    .collect = o_collect,
    .collect_stop = o_nop,
    .timer = o_timer,
    .fetch = o_fetch,
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	/* 1. parse only */
	uint64_t n = 0, t0 = now_ns(), t1;
	do {
		for (int i = 0; i < 256; i++, n++) {
			struct twiml_prog *p;
			if (twiml_parse(doc_menu, sizeof(doc_menu) - 1, &p, NULL))
				return 1;
			twiml_prog_free(p);
		}
	} while ((t1 = now_ns()) - t0 < BENCH_NS / 2);
	printf("twiml parse: %.0f documents/s (%.0f ns each, %zu bytes)\n",
	       (double)n * 1e9 / (double)(t1 - t0), (double)(t1 - t0) / (double)n,
	       sizeof(doc_menu) - 1);

	/* 2. parse + execute: menu → Say, Gather (key 1 on every second pass, else timeout) →
	 * action or Redirect → next document, forever */
	struct drv d = {0};
	struct twiml_engine *e;
	if (twiml_engine_create(&e, &ops, &d) ||
	    twiml_engine_start(e, "http://bench/menu", TWIML_POST))
		return 1;
	uint32_t *lat = malloc(MAX_SAMPLES * sizeof(*lat));   /* media/key/timer events */
	uint32_t *dlat = malloc(MAX_SAMPLES * sizeof(*dlat)); /* document arrivals (parse + run) */
	uint32_t ns = 0, nd = 0;
	uint64_t events = 0, pass = 0;
	t0 = now_ns();
	do {
		for (int i = 0; i < 64; i++) {
			uint64_t a = now_ns();
			bool is_doc = d.want == W_FETCH;
			switch (d.want) {
			case W_FETCH: {
				const char *x =
				    d.fetch_kind == TWIML_FETCH_GATHER ? doc_choice : doc_menu;
				size_t l = d.fetch_kind == TWIML_FETCH_GATHER
				               ? sizeof(doc_choice) - 1
				               : sizeof(doc_menu) - 1;
				struct twiml_prog *p;
				if (twiml_parse(x, l, &p, NULL))
					return 1;
				d.want = W_NONE;
				d.docs++;
				twiml_on_document(e, p, "http://bench/menu");
				break;
			}
			case W_MEDIA:
				if (twiml_engine_state(e) == TWIML_ST_GATHER && (pass++ & 1)) {
					d.want = W_NONE;
					twiml_on_dtmf(e, '1');
				} else {
					d.want = W_NONE;
					twiml_on_media_done(e, d.token, false);
				}
				break;
			case W_TIMER:
				d.want = W_NONE;
				twiml_on_timer(e);
				break;
			default:
				fprintf(stderr, "bench-twiml: engine stalled (state %d)\n",
				        (int)twiml_engine_state(e));
				return 1;
			}
			uint64_t b = now_ns();
			events++;
			if (is_doc && nd < MAX_SAMPLES)
				dlat[nd++] = (uint32_t)(b - a);
			else if (!is_doc && ns < MAX_SAMPLES)
				lat[ns++] = (uint32_t)(b - a);
		}
	} while ((t1 = now_ns()) - t0 < BENCH_NS);
	double secs = (double)(t1 - t0) / 1e9;
	qsort(lat, ns, sizeof(*lat), cmp_u32);
	qsort(dlat, nd, sizeof(*dlat), cmp_u32);
	printf("twiml execute: %.0f documents/s parsed+executed (Say/Gather/Redirect loop), "
	       "%.0f events/s\n",
	       (double)d.docs / secs, (double)events / secs);
	printf("twiml event -> next op (media done, key, timer): p50 %u ns, p99 %u ns\n",
	       lat[ns / 2], lat[(uint64_t)ns * 99 / 100]);
	printf("twiml document arrival -> first op (parse + run): p50 %u ns, p99 %u ns\n",
	       dlat[nd / 2], dlat[(uint64_t)nd * 99 / 100]);
	free(lat);
	free(dlat);
	twiml_engine_destroy(e);
	return 0;
}
