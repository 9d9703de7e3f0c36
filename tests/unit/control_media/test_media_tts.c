/* SPDX-License-Identifier: BSD-3-Clause */
/* test_media_tts.c — control/media speech through a real loop: espeak-ng, the prompt cache. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ctl_loop.h"
#include "ctl_media.h"

static void mf_cfg_default(struct ctl_media_cfg *c)
{
	ctl_media_cfg_default(c);
	c->decode_threads = 1;
}

#include "media_fx.h"


static uint64_t tt_say(struct mf_fx *fx, const char *text, const char *voice, const char *lang)
{
	uint64_t id = 0;
	assert_int_equal(ctl_media_submit_tts(fx->m, text, voice, lang, mf_done, fx, &id), 0);
	assert_true(id != 0);
	return id;
}

static double tt_rms(const int16_t *x, size_t n)
{
	double acc = 0;
	for (size_t i = 0; i < n; i++)
		acc += (double)x[i] * x[i];
	return n ? sqrt(acc / n) : 0;
}

static void test_hello(void **state)
{
	struct mf_fx *fx = *state;
	tt_say(fx, "Hello world", NULL, NULL);
	mf_run(fx, 1, 20);
	struct mf_res *r = &fx->r[0];
	assert_int_equal(r->status, 0);
	assert_false(r->cached);
	assert_int_equal(r->src_rate, 22050);
	print_message("\"Hello world\": %zu samples (%.2f s), rms %.0f\n", r->n,
	              r->n / (double)CTL_MEDIA_RATE, tt_rms(r->samples, r->n));
	assert_true(r->n >= 0.3 * CTL_MEDIA_RATE && r->n <= 3 * CTL_MEDIA_RATE);
	assert_true(tt_rms(r->samples, r->n) > 300);
	struct ctl_media_stats st;
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.syntheses, 1);
	assert_int_equal(st.cache_entries, 1);
	assert_int_equal(st.cache_samples, r->n);
}

/* a repeated prompt comes from the cache: same samples, one synthesis */
static void test_cache_hit(void **state)
{
	struct mf_fx *fx = *state;
	tt_say(fx, "Hello world", "", "en-US");
	mf_run(fx, 1, 20);
	tt_say(fx, "Hello world", "", "en-US");
	mf_run(fx, 2, 20);
	assert_int_equal(fx->r[0].status, 0);
	assert_int_equal(fx->r[1].status, 0);
	assert_false(fx->r[0].cached);
	assert_true(fx->r[1].cached);
	assert_int_equal(fx->r[0].n, fx->r[1].n);
	assert_ptr_not_equal(fx->r[0].samples, fx->r[1].samples); /* each caller owns its copy */
	assert_memory_equal(fx->r[0].samples, fx->r[1].samples, fx->r[0].n * sizeof(int16_t));
	struct ctl_media_stats st;
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.syntheses, 1);
	assert_int_equal(st.cache_hits, 1);
	/* another voice or language is another prompt */
	tt_say(fx, "Hello world", "woman", "en-US");
	tt_say(fx, "Hello world", "", "fr-FR");
	mf_run(fx, 4, 20);
	assert_int_equal(fx->r[2].status, 0);
	assert_int_equal(fx->r[3].status, 0);
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.syntheses, 3);
	assert_int_equal(st.cache_entries, 3);
}

/* submitted again before the first synthesis finished: it waits for it */
static void test_cache_join(void **state)
{
	struct mf_fx *fx = *state;
	uint64_t a = tt_say(fx, "Please hold while we connect your call", NULL, NULL);
	uint64_t b = tt_say(fx, "Please hold while we connect your call", NULL, NULL);
	uint64_t c = tt_say(fx, "Please hold while we connect your call", NULL, NULL);
	assert_int_equal(ctl_media_cancel(fx->m, c), 0); /* a waiter can leave */
	mf_run(fx, 2, 20);
	assert_int_equal(fx->r[0].id, a);
	assert_int_equal(fx->r[1].id, b);
	assert_false(fx->r[0].cached);
	assert_true(fx->r[1].cached);
	assert_int_equal(fx->r[0].n, fx->r[1].n);
	assert_memory_equal(fx->r[0].samples, fx->r[1].samples, fx->r[0].n * sizeof(int16_t));
	struct ctl_media_stats st;
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.syntheses, 1);
	assert_int_equal(st.cache_joined, 2);
	assert_int_equal(st.cancelled, 1);
	assert_int_equal(st.in_flight, 0);
}

/* the first caller cancels: the synthesis still fills the cache for the second */
static void test_cancel_leader(void **state)
{
	struct mf_fx *fx = *state;
	uint64_t a = tt_say(fx, "Goodbye", NULL, NULL);
	uint64_t b = tt_say(fx, "Goodbye", NULL, NULL);
	assert_int_equal(ctl_media_cancel(fx->m, a), 0);
	mf_run(fx, 1, 20);
	assert_int_equal(fx->r[0].id, b);
	assert_int_equal(fx->r[0].status, 0);
	tt_say(fx, "Goodbye", NULL, NULL);
	mf_run(fx, 2, 20);
	assert_true(fx->r[1].cached);
	struct ctl_media_stats st;
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.syntheses, 1);
}

/* the LRU keeps the total under its bound, dropping the least recently used */
static void test_cache_lru(void **state)
{
	struct mf_fx *fx = *state;
	struct ctl_media_cfg c;
	ctl_media_cfg_default(&c);
	c.decode_threads = 1;
	c.tts_cache_samples = 8000; /* 1 s: room for two or three single words */
	mf_reopen(fx, &c);
	static const char *const words[] = {"one", "two", "three", "four", "five", "six"};
	for (int i = 0; i < 6; i++) {
		tt_say(fx, words[i], NULL, NULL);
		mf_run(fx, i + 1, 20);
		assert_int_equal(fx->r[i].status, 0);
	}
	struct ctl_media_stats st;
	ctl_media_get_stats(fx->m, &st);
	print_message("cache: %llu prompts, %llu samples, %llu evicted\n",
	              (unsigned long long)st.cache_entries, (unsigned long long)st.cache_samples,
	              (unsigned long long)st.cache_evicted);
	assert_true(st.cache_samples <= 8000);
	assert_true(st.cache_evicted >= 1);
	assert_int_equal(st.cache_entries + st.cache_evicted, 6);
	/* the newest is still there, the oldest is not */
	tt_say(fx, "six", NULL, NULL);
	mf_run(fx, 7, 20);
	assert_true(fx->r[6].cached);
	tt_say(fx, "one", NULL, NULL);
	mf_run(fx, 8, 20);
	assert_false(fx->r[7].cached);
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.syntheses, 7);
}

static void test_errors(void **state)
{
	struct mf_fx *fx = *state;
	assert_int_equal(ctl_media_submit_tts(fx->m, "", NULL, NULL, mf_done, fx, NULL), -EINVAL);
	assert_int_equal(ctl_media_submit_tts(fx->m, NULL, NULL, NULL, mf_done, fx, NULL), -EINVAL);
	char *longtext = malloc(5000);
	memset(longtext, 'a', 4999);
	longtext[4999] = '\0';
	tt_say(fx, longtext, NULL, NULL);
	free(longtext);
	mf_run(fx, 1, 20);
	assert_int_equal(fx->r[0].status, -EFBIG);
	assert_null(fx->r[0].samples);
	/* espeak-ng is process-global: a second module with speech is refused */
	struct ctl_media *m2;
	assert_int_equal(ctl_media_create(&m2, fx->l, NULL), -EBUSY);
	/* without speech: -ENOTSUP */
	struct ctl_media_cfg c;
	ctl_media_cfg_default(&c);
	c.tts = false;
	mf_reopen(fx, &c);
	tt_say(fx, "Hello", NULL, NULL);
	mf_run(fx, 2, 20);
	assert_int_equal(fx->r[1].status, -ENOTSUP);
}

/* speech and decoding share the loop; speech never waits for the decoders */
static void test_queue_shared(void **state)
{
	struct mf_fx *fx = *state;
	struct ctl_media_cfg c;
	ctl_media_cfg_default(&c);
	c.decode_threads = 1;
	c.queue_max = 2;
	mf_reopen(fx, &c);
	tt_say(fx, "alpha", NULL, NULL);
	tt_say(fx, "bravo", NULL, NULL);
	tt_say(fx, "charlie", NULL, NULL); /* third in flight: refused */
	tt_say(fx, "alpha", NULL, NULL);   /* joins the first: takes no slot */
	mf_run(fx, 4, 20);
	int enobufs = 0, ok = 0;
	for (int i = 0; i < 4; i++) {
		enobufs += fx->r[i].status == -ENOBUFS;
		ok += fx->r[i].status == 0;
	}
	assert_int_equal(enobufs, 1);
	assert_int_equal(ok, 3);
	struct ctl_media_stats st;
	ctl_media_get_stats(fx->m, &st);
	assert_int_equal(st.overflow, 1);
	assert_int_equal(st.syntheses, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_hello, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_cache_hit, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_cache_join, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_leader, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_cache_lru, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_errors, mf_setup, mf_teardown),
	    cmocka_unit_test_setup_teardown(test_queue_shared, mf_setup, mf_teardown),
	};
	return cmocka_run_group_tests_name("control_media_tts", tests, NULL, NULL);
}
