/* SPDX-License-Identifier: BSD-3-Clause */
/* test_calls_cache.c — the prompt cache's policy: RFC 9111 freshness of an answer (max-age,
 * s-maxage, no-store, no-cache, Expires, Age, heuristics), fresh/stale/304/200 decisions, a
 * newer version superseding an older one that is still playing, no-store prompts, LRU eviction
 * order that never retires a held prompt or one in its grace, a full table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "calls_cache.h"

#define S_NS 1000000000ull
#define NOW0 (1000 * S_NS)

struct retired {
	vox_clip_t v[64];
	uint32_t n;
	int fail;
};

static int retire_cb(void *arg, vox_clip_t clip)
{
	struct retired *r = arg;
	if (r->n < 64)
		r->v[r->n++] = clip;
	return r->fail;
}

static void key_of(uint8_t k[16], uint32_t i)
{
	memset(k, 0, 16);
	/* the cache hashes on the first bytes: spread like a digest, and collide on purpose */
	k[0] = (uint8_t)(i * 37);
	k[15] = (uint8_t)i;
}

static struct calls_cache_ent *ins(struct calls_cache *cc, uint32_t i, vox_clip_t clip,
                                   const struct calls_http_policy *p, uint64_t now)
{
	uint8_t k[16];
	key_of(k, i);
	assert_int_equal(calls_cache_reserve(cc, now), 0);
	return calls_cache_insert(cc, k, CALLS_CACHE_PLAY, &clip, 1, 50, p, now);
}

static struct calls_cache_ent *find(struct calls_cache *cc, uint32_t i)
{
	uint8_t k[16];
	key_of(k, i);
	return calls_cache_find(cc, k);
}

static void t_policy(void **st)
{
	(void)st;
	struct calls_http_policy p;
	calls_http_policy("max-age=60", NULL, NULL, NULL, "\"v1\"", NULL, 0, &p);
	assert_false(p.no_store || p.no_cache || p.heuristic);
	assert_int_equal(p.fresh_ms, 60000);
	assert_string_equal(p.etag, "\"v1\"");
	/* s-maxage wins over max-age (a shared cache); Age is deducted */
	calls_http_policy("public, max-age=60, s-maxage=\"30\"", NULL, NULL, "10", NULL, NULL, 0,
	                  &p);
	assert_int_equal(p.fresh_ms, 20000);
	calls_http_policy("max-age=60", NULL, NULL, "100", NULL, NULL, 0, &p);
	assert_true(p.no_cache);
	assert_int_equal(p.fresh_ms, 0);
	/* max-age=0 and no-cache: stale at once */
	calls_http_policy("max-age=0", NULL, NULL, NULL, "\"e\"", NULL, 0, &p);
	assert_true(p.no_cache);
	assert_int_equal(p.fresh_ms, 0);
	calls_http_policy("No-Cache, max-age=600", NULL, NULL, NULL, NULL, NULL, 0, &p);
	assert_true(p.no_cache);
	calls_http_policy("no-cache=\"Set-Cookie\"", NULL, NULL, NULL, NULL, NULL, 0, &p);
	assert_true(p.no_cache);
	calls_http_policy("no-cachexyz, max-age=5", NULL, NULL, NULL, NULL, NULL, 0, &p);
	assert_false(p.no_cache);
	assert_int_equal(p.fresh_ms, 5000);
	calls_http_policy("private, no-store", NULL, NULL, NULL, NULL, NULL, 0, &p);
	assert_true(p.no_store);
	/* Expires - Date; a bad Expires is already stale; max-age beats Expires */
	const char *date = "Sun, 22 Nov 2026 07:00:00 GMT";
	calls_http_policy(NULL, "Sun, 22 Nov 2026 07:02:00 GMT", date, NULL, NULL, NULL, 0, &p);
	assert_false(p.heuristic);
	assert_int_equal(p.fresh_ms, 120000);
	calls_http_policy("", "0", date, NULL, NULL, NULL, 0, &p);
	assert_true(p.no_cache);
	calls_http_policy("max-age=7", "Sun, 22 Nov 2026 07:02:00 GMT", date, NULL, NULL, NULL, 0,
	                  &p);
	assert_int_equal(p.fresh_ms, 7000);
	/* heuristics: 10% since Last-Modified (capped at a day), else 300 s */
	calls_http_policy(NULL, NULL, date, NULL, NULL, "Sun, 22 Nov 2026 06:00:00 GMT", 0, &p);
	assert_true(p.heuristic);
	assert_int_equal(p.fresh_ms, 360000);
	assert_string_equal(p.last_modified, "Sun, 22 Nov 2026 06:00:00 GMT");
	calls_http_policy(NULL, NULL, date, NULL, NULL, "Sun, 22 Nov 2020 06:00:00 GMT", 0, &p);
	assert_int_equal(p.fresh_ms, CALLS_CACHE_HEURISTIC_MAX_S * 1000ull);
	calls_http_policy(NULL, NULL, NULL, NULL, NULL, NULL, 0, &p);
	assert_true(p.heuristic);
	assert_int_equal(p.fresh_ms, CALLS_CACHE_HEURISTIC_S * 1000ull);
	/* a validator too long to keep is not kept (a cut one would never match) */
	char big[300];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	calls_http_policy("max-age=1", NULL, NULL, NULL, big, NULL, 0, &p);
	assert_string_equal(p.etag, "");
	/* malformed numbers are ignored (then the heuristic) */
	calls_http_policy("max-age=abc", NULL, NULL, NULL, NULL, NULL, 0, &p);
	assert_true(p.heuristic);
}

/* fresh -> no request; stale + validator -> conditional; 304 -> fresh again; no validator ->
 * plain GET; a 200 supersedes, the old clip retired only once its player is gone. */
static void t_fresh_stale_304_200(void **st)
{
	(void)st;
	struct retired r = {0};
	struct calls_cache *cc;
	assert_int_equal(calls_cache_create(&cc, 8, 7, retire_cb, &r), 0);
	struct calls_http_policy p;
	calls_http_policy("max-age=10", NULL, NULL, NULL, "\"a\"", NULL, 0, &p);
	struct calls_cache_ent *e = ins(cc, 1, 101, &p, NOW0);
	assert_non_null(e);
	assert_ptr_equal(find(cc, 1), e);
	assert_int_equal(calls_cache_use(cc, e, NOW0 + 9 * S_NS), CALLS_CACHE_FRESH);
	assert_int_equal(calls_cache_use(cc, e, NOW0 + 10 * S_NS), CALLS_CACHE_REVALIDATE);
	/* 304 with a new lifetime and no ETag: the stored one stays */
	struct calls_http_policy p304;
	calls_http_policy("max-age=5", NULL, NULL, NULL, NULL, NULL, 0, &p304);
	calls_cache_revalidated(cc, e, &p304, NOW0 + 10 * S_NS);
	assert_string_equal(e->etag, "\"a\"");
	assert_int_equal(calls_cache_use(cc, e, NOW0 + 14 * S_NS), CALLS_CACHE_FRESH);
	assert_int_equal(calls_cache_use(cc, e, NOW0 + 16 * S_NS), CALLS_CACHE_REVALIDATE);
	assert_int_equal(calls_cache_stats(cc)->revalidated, 1);
	assert_int_equal(calls_cache_stats(cc)->conditional, 2);
	assert_int_equal(calls_cache_stats(cc)->fresh_hits, 2);

	/* no validators, stale: a plain GET */
	calls_http_policy("max-age=1", NULL, NULL, NULL, NULL, NULL, 0, &p);
	struct calls_cache_ent *b = ins(cc, 2, 201, &p, NOW0);
	assert_int_equal(calls_cache_use(cc, b, NOW0 + 2 * S_NS), CALLS_CACHE_REFETCH);
	/* Say: never stale */
	uint8_t ks[16];
	key_of(ks, 3);
	vox_clip_t sc = 301;
	assert_int_equal(calls_cache_reserve(cc, NOW0), 0);
	struct calls_cache_ent *say =
	    calls_cache_insert(cc, ks, CALLS_CACHE_SAY, &sc, 1, 10, NULL, NOW0);
	assert_int_equal(calls_cache_use(cc, say, NOW0 + 1000000 * S_NS), CALLS_CACHE_FRESH);

	/* a leg plays the old version; a 200 brings a new one */
	uint64_t t = NOW0 + 20 * S_NS;
	calls_cache_ref_t old = calls_cache_ref(cc, e);
	calls_cache_hold(cc, old, t);
	calls_http_policy("max-age=0", NULL, NULL, NULL, "\"b\"", NULL, 0, &p);
	struct calls_cache_ent *e2 = ins(cc, 1, 102, &p, t);
	assert_ptr_equal(find(cc, 1), e2);
	assert_ptr_equal(calls_cache_get(cc, old), e); /* still there, superseded */
	assert_true(e->superseded);
	calls_cache_sweep(cc, t + 100 * S_NS);
	assert_int_equal(r.n, 0); /* held: never retired */
	calls_cache_release(cc, old, t + 1 * S_NS);
	calls_cache_sweep(cc, t + 2 * S_NS); /* within the grace */
	assert_int_equal(r.n, 0);
	calls_cache_sweep(cc, t + 1 * S_NS + CALLS_CACHE_GRACE_MS * 1000000ull);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0], 101);
	assert_null(calls_cache_get(cc, old)); /* the reference went stale with it */
	assert_int_equal(calls_cache_stats(cc)->replaced, 1);
	assert_int_equal(calls_cache_stats(cc)->superseded_retired, 1);
	/* a stale reference is ignored by hold and release */
	calls_cache_hold(cc, old, t);
	calls_cache_release(cc, old, t);
	assert_int_equal(calls_cache_count(cc), 3);
	calls_cache_destroy(cc);
}

static void t_no_store(void **st)
{
	(void)st;
	struct retired r = {0};
	struct calls_cache *cc;
	assert_int_equal(calls_cache_create(&cc, 4, 1, retire_cb, &r), 0);
	struct calls_http_policy p;
	calls_http_policy("no-store", NULL, NULL, NULL, "\"x\"", NULL, 0, &p);
	struct calls_cache_ent *e = ins(cc, 9, 900, &p, NOW0);
	assert_non_null(e);
	assert_null(find(cc, 9)); /* never found again */
	calls_cache_ref_t ref = calls_cache_ref(cc, e);
	calls_cache_hold(cc, ref, NOW0); /* the one leg that plays it */
	calls_cache_sweep(cc, NOW0 + 60 * S_NS);
	assert_int_equal(r.n, 0);
	calls_cache_release(cc, ref, NOW0 + 60 * S_NS);
	calls_cache_sweep(cc, NOW0 + 63 * S_NS);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0], 900);
	assert_int_equal(calls_cache_stats(cc)->no_store, 1);
	assert_int_equal(calls_cache_count(cc), 0);
	/* a forgotten entry (its clips went bad) is never found again and retired when free */
	struct calls_cache_ent *f = ins(cc, 4, 400, NULL, NOW0);
	assert_ptr_equal(find(cc, 4), f);
	calls_cache_forget(cc, f);
	assert_null(find(cc, 4));
	calls_cache_sweep(cc, NOW0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[1], 400);
	assert_int_equal(calls_cache_count(cc), 0);
	calls_cache_destroy(cc);
}

/* Least recently used first; held prompts and those in their grace are skipped; superseded
 * ones go before live ones; a full table of held prompts refuses. */
static void t_eviction_order(void **st)
{
	(void)st;
	struct retired r = {0};
	struct calls_cache *cc;
	assert_int_equal(calls_cache_create(&cc, 4, 1, retire_cb, &r), 0);
	struct calls_cache_ent *e[4];
	for (uint32_t i = 0; i < 4; i++)
		e[i] = ins(cc, i, 10 + i, NULL, NOW0 + i * S_NS);
	uint64_t t = NOW0 + 100 * S_NS;
	/* use 0 (released long ago), hold 1 */
	calls_cache_hold(cc, calls_cache_ref(cc, e[0]), NOW0 + 10 * S_NS);
	calls_cache_release(cc, calls_cache_ref(cc, e[0]), NOW0 + 11 * S_NS);
	calls_cache_hold(cc, calls_cache_ref(cc, e[1]), NOW0 + 12 * S_NS);
	/* LRU order now (oldest first): 2, 3, 0, 1(held) */
	assert_int_equal(calls_cache_evict(cc, t, 50, 1), 50);
	assert_int_equal(r.v[0], 12);
	assert_int_equal(calls_cache_evict(cc, t, 100, 0), 100);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.v[1], 13);
	assert_int_equal(r.v[2], 10);
	/* only the held one is left: nothing more */
	assert_int_equal(calls_cache_evict(cc, t, 1000, 0), 0);
	assert_int_equal(calls_cache_count(cc), 1);
	assert_true(calls_cache_stats(cc)->evict_blocked >= 1);
	assert_int_equal(calls_cache_stats(cc)->evicted, 3);
	assert_int_equal(calls_cache_stats(cc)->evicted_frames, 150);

	/* fill it: 1 held + 3 in their grace -> the table is full */
	for (uint32_t i = 4; i < 7; i++) {
		struct calls_cache_ent *x = ins(cc, i, 20 + i, NULL, t);
		calls_cache_hold(cc, calls_cache_ref(cc, x), t);
		calls_cache_release(cc, calls_cache_ref(cc, x), t);
	}
	assert_int_equal(calls_cache_reserve(cc, t + 1 * S_NS), -ENOSPC);
	assert_int_equal(calls_cache_stats(cc)->table_full, 1);
	/* after the grace, the least recent of them makes room */
	uint64_t later = t + CALLS_CACHE_GRACE_MS * 1000000ull;
	assert_int_equal(calls_cache_reserve(cc, later), 0);
	assert_int_equal(r.v[r.n - 1], 24);
	assert_int_equal(calls_cache_count(cc), 3);
	/* a superseded entry goes before an older live one */
	struct calls_http_policy p;
	calls_http_policy("max-age=60", NULL, NULL, NULL, NULL, NULL, 0, &p);
	ins(cc, 6, 99, &p, later); /* supersedes key 6 (clip 26, more recent than 25) */
	uint32_t before = r.n;
	assert_int_equal(calls_cache_evict(cc, later + 10 * S_NS, 1, 1), 50);
	assert_int_equal(r.n, before + 1);
	assert_int_equal(r.v[r.n - 1], 26);
	/* a failing retire is counted, the slot still freed */
	r.fail = -ESTALE;
	assert_int_equal(calls_cache_evict(cc, later + 10 * S_NS, 1, 1), 50);
	assert_int_equal(calls_cache_stats(cc)->retire_errors, 1);
	calls_cache_destroy(cc);
}

static void t_bad_args(void **st)
{
	(void)st;
	struct calls_cache *cc = NULL;
	struct retired r = {0};
	assert_int_equal(calls_cache_create(&cc, 0, 1, retire_cb, &r), -EINVAL);
	assert_int_equal(calls_cache_create(&cc, 4, 1, NULL, &r), -EINVAL);
	assert_int_equal(calls_cache_create(&cc, 1, 1, retire_cb, &r), 0);
	uint8_t k[16] = {1};
	vox_clip_t c[CALLS_CACHE_CLIPS + 1] = {0};
	assert_null(calls_cache_insert(cc, k, CALLS_CACHE_SAY, c, 0, 1, NULL, NOW0));
	assert_null(
	    calls_cache_insert(cc, k, CALLS_CACHE_SAY, c, CALLS_CACHE_CLIPS + 1, 1, NULL, NOW0));
	assert_non_null(calls_cache_insert(cc, k, CALLS_CACHE_SAY, c, 1, 1, NULL, NOW0));
	assert_null(calls_cache_insert(cc, k, CALLS_CACHE_SAY, c, 1, 1, NULL, NOW0)); /* full */
	assert_null(calls_cache_get(cc, 0));
	assert_null(calls_cache_get(cc, (uint64_t)1 << 32 | 5)); /* index out of range */
	calls_cache_destroy(cc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_policy),   cmocka_unit_test(t_fresh_stale_304_200),
	    cmocka_unit_test(t_no_store), cmocka_unit_test(t_eviction_order),
	    cmocka_unit_test(t_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
