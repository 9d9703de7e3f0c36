/* SPDX-License-Identifier: BSD-3-Clause */
/* test_store.c — the store on a real LMDB in a temp dir: CRUD per entity, paging, group commit,
 * completions after commit, queue overflow, outbox sequence, call state with its outbox entry,
 * map full, close with writes queued. Completions come through a real ctl_loop. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_ent.h"
#include "store_test.h"

struct fx {
	char dir[128];
	struct ctl_loop *l;
	struct store *s;
	int done, errors, not_readable;
	int last_status;
	uint64_t last_seq;
};

static int fx_open(struct fx *f, uint64_t map_size, uint32_t queue_max)
{
	char err[256];
	struct store_cfg cfg = {.dir = f->dir, .map_size = map_size, .queue_max = queue_max};
	int rc = store_open(&f->s, &cfg, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "store_open: %s\n", err);
		return rc;
	}
	return ctl_loop_add_file(f->l, store_fd(f->s), CTL_LOOP_READ, st_on_fd, f->s);
}

static void fx_close(struct fx *f)
{
	if (!f->s)
		return;
	ctl_loop_del_file(f->l, store_fd(f->s), CTL_LOOP_READ);
	store_close(f->s);
	f->s = NULL;
}

static int setup(void **state)
{
	static struct fx f;
	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "/tmp/vox-store-test.XXXXXX");
	if (!mkdtemp(f.dir) || ctl_loop_create(&f.l, 256) || fx_open(&f, 0, 0))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	fx_close(f);
	ctl_loop_destroy(f->l);
	st_rmrf(f->dir);
	return 0;
}

/* Completion that records the status. */
static void on_done(void *arg, int status, const struct store_result *r)
{
	struct fx *f = arg;
	f->done++;
	f->last_status = status;
	f->last_seq = r->outbox_seq;
	if (status)
		f->errors++;
}

/* Submit and wait for the completion; returns its status. */
static int commit(struct fx *f, struct store_batch *b)
{
	int want = f->done + 1;
	int rc = store_submit(f->s, b, on_done, f);
	if (rc)
		return rc;
	assert_int_equal(st_run_until(f->l, &f->done, want), 0);
	return f->last_status;
}

static json_t *rec_new(enum store_kind k, const char *account, uint64_t ts)
{
	char sid[STORE_SID_LEN + 1];
	assert_int_equal(store_sid_new(sid, store_kind(k)->prefix), 0);
	return json_pack("{s:s, s:s, s:I, s:s}", "sid", sid, store_kind(k)->owner, account, "_ts",
	                 (json_int_t)ts, "friendly_name", "first");
}

/* create, fetch, update, list, delete for every per-account kind */
static void test_crud_each_kind(void **state)
{
	struct fx *f = *state;
	char ac[STORE_SID_LEN + 1];
	assert_int_equal(store_sid_new(ac, "AC"), 0);
	for (enum store_kind k = 0; k < STORE_K_N; k++) {
		json_t *r = k == STORE_K_ACCOUNT
		                ? json_pack("{s:s, s:s, s:I, s:s}", "sid", ac, "owner_account_sid", ac,
		                            "_ts", (json_int_t)1000, "friendly_name", "first")
		                : rec_new(k, ac, 1000 + k);
		if (k == STORE_K_NUMBER)
			json_object_set_new(r, "phone_number", json_string("+15005550006"));
		const char *sid = json_string_value(json_object_get(r, "sid"));
		struct store_batch *b = store_batch_new();
		assert_int_equal(store_res_put(b, k, r, 1), 0);
		assert_int_equal(commit(f, b), 0);
		/* fetch */
		json_t *got;
		assert_int_equal(store_res_get(f->s, k, sid, &got), 0);
		assert_true(json_equal(got, r));
		json_decref(got);
		/* creating the same SID again is refused, nothing changes */
		b = store_batch_new();
		assert_int_equal(store_res_put(b, k, r, 1), 0);
		assert_int_equal(commit(f, b), -EEXIST);
		/* update */
		json_object_set_new(r, "friendly_name", json_string("second"));
		b = store_batch_new();
		assert_int_equal(store_res_put(b, k, r, 0), 0);
		assert_int_equal(commit(f, b), 0);
		assert_int_equal(store_res_get(f->s, k, sid, &got), 0);
		assert_string_equal(json_string_value(json_object_get(got, "friendly_name")), "second");
		json_decref(got);
		/* list */
		json_t *items;
		char next[STORE_CURSOR_LEN + 1];
		assert_int_equal(store_res_list(f->s, k, ac, NULL, 0, 50, 0, &items, next), 0);
		assert_int_equal(json_array_size(items), 1);
		assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "sid")),
		                    sid);
		assert_string_equal(next, "");
		json_decref(items);
		if (k == STORE_K_NUMBER) {
			assert_int_equal(store_number_lookup(f->s, "+1 (500) 555-0006", &got), 0);
			assert_string_equal(json_string_value(json_object_get(got, "sid")), sid);
			json_decref(got);
			/* another record with the same number is refused as a whole */
			json_t *r2 = rec_new(k, ac, 5000);
			json_object_set_new(r2, "phone_number", json_string("+15005550006"));
			b = store_batch_new();
			assert_int_equal(store_res_put(b, k, r2, 1), 0);
			assert_int_equal(commit(f, b), -EEXIST);
			assert_int_equal(store_res_get(f->s, k,
			                               json_string_value(json_object_get(r2, "sid")), &got),
			                 -ENOENT);
			json_decref(r2);
		}
		/* delete: record, list entry (and number index) go */
		b = store_batch_new();
		assert_int_equal(store_res_del(f->s, b, k, sid), 0);
		assert_int_equal(commit(f, b), 0);
		assert_int_equal(store_res_get(f->s, k, sid, &got), -ENOENT);
		assert_int_equal(store_res_list(f->s, k, ac, NULL, 0, 50, 0, &items, next), 0);
		assert_int_equal(json_array_size(items), 0);
		json_decref(items);
		if (k == STORE_K_NUMBER)
			assert_int_equal(store_number_lookup(f->s, "+15005550006", &got), -ENOENT);
		b = store_batch_new();
		assert_int_equal(store_res_del(f->s, b, k, sid), -ENOENT);
		store_batch_free(b);
		json_decref(r);
	}
	/* records without their keys are refused before they reach the store */
	struct store_batch *b = store_batch_new();
	json_t *bad = json_pack("{s:s}", "sid", "CA0123456789abcdef0123456789abcdef");
	assert_int_equal(store_res_put(b, STORE_K_CALL, bad, 1), -EINVAL);
	json_decref(bad);
	bad = rec_new(STORE_K_APP, ac, 1);
	assert_int_equal(store_res_put(b, STORE_K_CALL, bad, 1), -EINVAL); /* AP sid as a call */
	json_decref(bad);
	/* a number record without its phone number: nothing of it stays in the batch */
	bad = rec_new(STORE_K_NUMBER, ac, 1);
	assert_int_equal(store_res_put(b, STORE_K_NUMBER, bad, 1), -EINVAL);
	assert_int_equal(store_batch_ops(b), 0);
	json_decref(bad);
	store_batch_free(b);
}

/* calls of one account page in (start time, sid) order; another account's stay apart */
static void test_calls_paging(void **state)
{
	struct fx *f = *state;
	/* neighbours on both sides of a in key order: a list must stay inside its account */
	const char *a = "AC55555555555555555555555555555555";
	const char *o = "AC55555555555555555555555555555554";
	const char *o2 = "AC55555555555555555555555555555556";
	char sids[25][STORE_SID_LEN + 1];
	struct store_batch *b = store_batch_new();
	for (int i = 0; i < 25; i++) {
		/* inserted out of order: times 24, 23, ... 0 (two share a time) */
		uint64_t ts = 1000000 + (uint64_t)(24 - i) / 2 * 2 + (i == 3 ? 1 : 0);
		json_t *r = rec_new(STORE_K_CALL, a, ts);
		strcpy(sids[i], json_string_value(json_object_get(r, "sid")));
		assert_int_equal(store_res_put(b, STORE_K_CALL, r, 1), 0);
		json_decref(r);
		if (i < 5) {
			r = rec_new(STORE_K_CALL, o, ts);
			assert_int_equal(store_res_put(b, STORE_K_CALL, r, 1), 0);
			json_decref(r);
			r = rec_new(STORE_K_CALL, o2, ts);
			assert_int_equal(store_res_put(b, STORE_K_CALL, r, 1), 0);
			json_decref(r);
		}
	}
	assert_int_equal(commit(f, b), 0);
	char cur[STORE_CURSOR_LEN + 1] = "", next[STORE_CURSOR_LEN + 1];
	json_t *all = json_array();
	int pages = 0;
	do {
		json_t *items;
		assert_int_equal(store_res_list(f->s, STORE_K_CALL, a, cur, 0, 10, 0, &items, next), 0);
		assert_true(json_array_size(items) == (pages < 2 ? 10u : 5u));
		json_array_extend(all, items);
		json_decref(items);
		strcpy(cur, next);
		pages++;
	} while (*cur && pages < 10);
	assert_int_equal(pages, 3);
	assert_int_equal(json_array_size(all), 25);
	/* ascending (_ts, sid), every call once */
	for (size_t i = 1; i < 25; i++) {
		json_t *p = json_array_get(all, i - 1), *q = json_array_get(all, i);
		json_int_t tp = json_integer_value(json_object_get(p, "_ts"));
		json_int_t tq = json_integer_value(json_object_get(q, "_ts"));
		const char *sp = json_string_value(json_object_get(p, "sid"));
		const char *sq = json_string_value(json_object_get(q, "sid"));
		assert_true(tp < tq || (tp == tq && strcmp(sp, sq) < 0));
		assert_string_equal(json_string_value(json_object_get(q, "account_sid")), a);
	}
	/* skip (Page * PageSize) gives the same records as the cursor walk */
	json_t *items;
	assert_int_equal(store_res_list(f->s, STORE_K_CALL, a, NULL, 20, 10, 0, &items, next), 0);
	assert_int_equal(json_array_size(items), 5);
	assert_true(json_equal(json_array_get(items, 0), json_array_get(all, 20)));
	assert_string_equal(next, "");
	json_decref(items);
	assert_int_equal(store_res_list(f->s, STORE_K_CALL, o, NULL, 0, 1000, 0, &items, next), 0);
	assert_int_equal(json_array_size(items), 5);
	json_decref(items);
	/* newest first (Twilio's order for calls): the same records reversed, paged by cursor */
	cur[0] = 0;
	pages = 0;
	json_t *rev = json_array();
	do {
		assert_int_equal(store_res_list(f->s, STORE_K_CALL, a, cur, 0, 10,
		                                STORE_LIST_NEWEST_FIRST, &items, next), 0);
		assert_true(json_array_size(items) == (pages < 2 ? 10u : 5u));
		json_array_extend(rev, items);
		json_decref(items);
		strcpy(cur, next);
		pages++;
	} while (*cur && pages < 10);
	assert_int_equal(pages, 3);
	assert_int_equal(json_array_size(rev), 25);
	for (size_t i = 0; i < 25; i++)
		assert_true(json_equal(json_array_get(rev, i), json_array_get(all, 24 - i)));
	json_decref(rev);
	assert_int_equal(store_res_list(f->s, STORE_K_CALL, o2, NULL, 0, 1000,
	                                STORE_LIST_NEWEST_FIRST, &items, next), 0);
	assert_int_equal(json_array_size(items), 5);
	json_decref(items);
	/* bad cursors and sizes */
	assert_int_equal(store_res_list(f->s, STORE_K_CALL, a, "zz", 0, 10, 0, &items, next), -EINVAL);
	assert_int_equal(store_res_list(f->s, STORE_K_CALL, a, NULL, 0, 0, 0, &items, next), -EINVAL);
	assert_int_equal(store_res_list(f->s, STORE_K_CALL, a, NULL, 0, 1001, 0, &items, next), -EINVAL);
	assert_int_equal(store_res_list(f->s, STORE_K_CALL, "ACnope", NULL, 0, 10, 0, &items, next),
	                 -EINVAL);
	json_decref(all);
}

/* ---- group commit ---- */

struct gc {
	struct fx *f;
	int done, unreadable, errors;
	uint64_t commit_no[600];
};
struct gc_one {
	struct gc *g;
	int i;
};

static void gc_done(void *arg, int status, const struct store_result *r)
{
	struct gc_one *o = arg;
	char key[16];
	snprintf(key, sizeof(key), "k%05d", o->i);
	char *v;
	size_t vl;
	/* the completion runs after the commit that holds the write: a read sees it */
	if (store_get(o->g->f->s, STORE_DB_META, key, strlen(key), &v, &vl) == 0)
		free(v);
	else
		o->g->unreadable++;
	if (status)
		o->g->errors++;
	o->g->commit_no[o->i] = r->commit_no;
	o->g->done++;
}

static void gc_submit_n(struct gc *g, struct gc_one *ones, int from, int n)
{
	for (int i = from; i < from + n; i++) {
		struct store_batch *b = store_batch_new();
		char key[16];
		snprintf(key, sizeof(key), "k%05d", i);
		assert_int_equal(store_batch_put(b, STORE_DB_META, key, strlen(key), "v", 1, 0), 0);
		ones[i] = (struct gc_one){g, i};
		assert_int_equal(store_submit(g->f->s, b, gc_done, &ones[i]), 0);
	}
}

static void test_group_commit(void **state)
{
	struct fx *f = *state;
	static struct gc g;
	static struct gc_one ones[600];
	memset(&g, 0, sizeof(g));
	g.f = f;
	struct store_stats s0, s1;
	store_get_stats(f->s, &s0);
	/* the writer busy (held): 200 batches queue up and go out in one commit */
	store_test_hold_writer(f->s, 1);
	gc_submit_n(&g, ones, 0, 200);
	ctl_loop_once(f->l, 50);
	assert_int_equal(g.done, 0); /* nothing completes before its commit */
	store_test_hold_writer(f->s, 0);
	assert_int_equal(st_run_until(f->l, &g.done, 200), 0);
	store_get_stats(f->s, &s1);
	assert_int_equal(s1.commits - s0.commits, 1);
	assert_int_equal(s1.max_group, 200);
	for (int i = 1; i < 200; i++)
		assert_int_equal(g.commit_no[i], g.commit_no[0]);
	/* unheld: 400 submits in a burst from the loop, while each commit fsyncs: fewer commits */
	gc_submit_n(&g, ones, 200, 400);
	assert_int_equal(st_run_until(f->l, &g.done, 600), 0);
	struct store_stats s2;
	store_get_stats(f->s, &s2);
	assert_true(s2.commits - s1.commits < 400);
	assert_int_equal(s2.submits - s0.submits, 600);
	assert_int_equal(g.unreadable, 0);
	assert_int_equal(g.errors, 0);
	assert_int_equal(s2.in_flight, 0);
	/* commit numbers never go down: completions come in commit order */
	for (int i = 1; i < 600; i++)
		assert_true(g.commit_no[i] >= g.commit_no[i - 1]);
}

static void test_queue_full(void **state)
{
	struct fx *f = *state;
	fx_close(f);
	assert_int_equal(fx_open(f, 0, 8), 0);
	store_test_hold_writer(f->s, 1);
	int before = f->done;
	for (int i = 0; i < 8; i++) {
		struct store_batch *b = store_batch_new();
		assert_int_equal(store_batch_put(b, STORE_DB_META, "q", 1, "1", 1, 0), 0);
		assert_int_equal(store_submit(f->s, b, on_done, f), 0);
	}
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_META, "q", 1, "2", 1, 0), 0);
	assert_int_equal(store_submit(f->s, b, on_done, f), -ENOBUFS);
	struct store_stats st;
	store_get_stats(f->s, &st);
	assert_int_equal(st.queue_full, 1);
	assert_int_equal(st.in_flight, 8);
	store_test_hold_writer(f->s, 0);
	assert_int_equal(st_run_until(f->l, &f->done, before + 8), 0);
	/* room again */
	b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_META, "q", 1, "3", 1, 0), 0);
	assert_int_equal(commit(f, b), 0);
	/* empty batches and bad operations are refused */
	assert_int_equal(store_submit(f->s, store_batch_new(), on_done, f), -EINVAL);
	b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_N, "k", 1, "", 0, 0), -EINVAL);
	assert_int_equal(store_batch_put(b, STORE_DB_META, "", 0, "", 0, 0), -EINVAL);
	char big[STORE_KEY_MAX + 1] = {0};
	assert_int_equal(store_batch_put(b, STORE_DB_META, big, sizeof(big), "", 0, 0), -EINVAL);
	for (int i = 0; i < STORE_BATCH_MAX_OPS; i++)
		assert_int_equal(store_batch_put(b, STORE_DB_META, "k", 1, "", 0, 0), 0);
	assert_int_equal(store_batch_put(b, STORE_DB_META, "k", 1, "", 0, 0), -E2BIG);
	store_batch_free(b);
}

struct ob_walk {
	int n;
	uint64_t seq[16];
};

static int ob_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct ob_walk *w = arg;
	if (w->n < 16)
		w->seq[w->n] = store_outbox_seq(key, klen);
	w->n++;
	return 0;
}

/* outbox sequence numbers; call state and outbox entry in one transaction, or neither */
static void test_outbox_callstate(void **state)
{
	struct fx *f = *state;
	const char *ca = "CA0123456789abcdef0123456789abcdef";
	uint64_t seqs[3];
	for (int i = 0; i < 3; i++) {
		struct store_batch *b = store_batch_new();
		json_t *st = json_pack("{s:i}", "verb", i), *ob = json_pack("{s:i}", "event", i);
		assert_int_equal(store_batch_callstate(b, ca, st, ob), 0);
		json_decref(st);
		json_decref(ob);
		assert_int_equal(commit(f, b), 0);
		seqs[i] = f->last_seq;
	}
	assert_int_equal(seqs[0], 1);
	assert_int_equal(seqs[1], 2);
	assert_int_equal(seqs[2], 3);
	/* a group where the middle batch fails: its state and outbox entry are not written, the
	 * others commit and the sequence has no gap */
	store_test_hold_writer(f->s, 1);
	int before = f->done;
	struct store_batch *b = store_batch_new();
	json_t *st = json_pack("{s:i}", "verb", 10), *ob = json_pack("{s:i}", "event", 10);
	assert_int_equal(store_batch_callstate(b, ca, st, ob), 0);
	assert_int_equal(store_submit(f->s, b, on_done, f), 0);
	b = store_batch_new();
	json_t *st2 = json_pack("{s:i}", "verb", 99);
	assert_int_equal(store_batch_callstate(b, ca, st2, ob), 0);
	assert_int_equal(store_batch_put(b, STORE_DB_META, "schema", 6, "x", 1,
	                                 STORE_PUT_NOOVERWRITE), 0); /* exists: the batch fails */
	assert_int_equal(store_submit(f->s, b, on_done, f), 0);
	b = store_batch_new();
	assert_int_equal(store_batch_outbox(b, ob), 0);
	assert_int_equal(store_submit(f->s, b, on_done, f), 0);
	store_test_hold_writer(f->s, 0);
	assert_int_equal(st_run_until(f->l, &f->done, before + 3), 0);
	assert_int_equal(f->errors, 1);
	assert_int_equal(f->last_seq, 5); /* 4 went to the first batch, the failed one took none */
	json_t *got;
	assert_int_equal(store_get_json(f->s, STORE_DB_CALLSTATE, ca, strlen(ca), &got), 0);
	assert_int_equal(json_integer_value(json_object_get(got, "verb")), 10);
	json_decref(got);
	assert_int_equal(store_count(f->s, STORE_DB_OUTBOX), 5);
	/* a deliverer walks the outbox in sequence order and deletes what it delivered */
	struct ob_walk w = {0};
	assert_int_equal(store_walk(f->s, STORE_DB_OUTBOX, NULL, 0, NULL, 0, 0, 0, ob_one, &w), 0);
	assert_int_equal(w.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(w.seq[i], i + 1);
	b = store_batch_new();
	uint8_t k1[8];
	store_outbox_key(k1, 1);
	assert_int_equal(store_batch_del(b, STORE_DB_OUTBOX, k1, 8, STORE_DEL_MUST_EXIST), 0);
	assert_int_equal(commit(f, b), 0);
	memset(&w, 0, sizeof(w));
	uint8_t k4[8];
	store_outbox_key(k4, 4);
	assert_int_equal(store_walk(f->s, STORE_DB_OUTBOX, NULL, 0, k4, 8, 0, 0, ob_one, &w), 0);
	assert_int_equal(w.n, 2); /* 4 and 5 */
	assert_int_equal(w.seq[0], 4);
	assert_int_equal(store_count(f->s, STORE_DB_OUTBOX), 4);
	/* the sequence goes on after the last entry */
	b = store_batch_new();
	assert_int_equal(store_batch_outbox(b, ob), 0);
	assert_int_equal(commit(f, b), 0);
	assert_int_equal(f->last_seq, 6);
	json_decref(st);
	json_decref(st2);
	json_decref(ob);
}

/* a map too small for a value: that batch fails with -ENOSPC, the store goes on */
static void test_map_full(void **state)
{
	struct fx *f = *state;
	fx_close(f);
	st_rmrf(f->dir);
	assert_int_equal(fx_open(f, 1u << 20, 0), 0);
	size_t n = 2u << 20;
	char *big = calloc(1, n);
	struct store_batch *b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_CALLS, "big", 3, big, n, 0), 0);
	assert_int_equal(commit(f, b), -ENOSPC);
	free(big);
	b = store_batch_new();
	assert_int_equal(store_batch_put(b, STORE_DB_CALLS, "small", 5, "x", 1, 0), 0);
	assert_int_equal(commit(f, b), 0);
	struct store_stats st;
	store_get_stats(f->s, &st);
	assert_true(st.batch_errors >= 1);
}

/* closing with writes queued: they commit, their completions run, a reopen finds them */
static void test_close_flushes(void **state)
{
	struct fx *f = *state;
	store_test_hold_writer(f->s, 1);
	int before = f->done;
	for (int i = 0; i < 10; i++) {
		struct store_batch *b = store_batch_new();
		char k[8];
		snprintf(k, sizeof(k), "c%d", i);
		assert_int_equal(store_batch_put(b, STORE_DB_CALLS, k, strlen(k), "v", 1, 0), 0);
		assert_int_equal(store_submit(f->s, b, on_done, f), 0);
	}
	fx_close(f);
	assert_int_equal(f->done, before + 10);
	assert_int_equal(fx_open(f, 0, 0), 0);
	for (int i = 0; i < 10; i++) {
		char k[8], *v;
		size_t vl;
		snprintf(k, sizeof(k), "c%d", i);
		assert_int_equal(store_get(f->s, STORE_DB_CALLS, k, strlen(k), &v, &vl), 0);
		free(v);
	}
	assert_int_equal(store_count(f->s, STORE_DB_CALLS), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_crud_each_kind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_calls_paging, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_queue_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbox_callstate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_flushes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
