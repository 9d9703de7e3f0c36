/* SPDX-License-Identifier: BSD-3-Clause */
/* store.c — the LMDB environment, batches, the writer thread (group commit), open and close. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_priv.h"

static const char *const store_db_names[STORE_DB_N] = {
    [STORE_DB_META] = "meta",
    [STORE_DB_ACCOUNTS] = "accounts",
    [STORE_DB_ACCOUNTS_IDX] = "accounts_idx",
    [STORE_DB_KEYS] = "keys",
    [STORE_DB_KEYS_IDX] = "keys_idx",
    [STORE_DB_NUMBERS] = "numbers",
    [STORE_DB_NUMBERS_IDX] = "numbers_idx",
    [STORE_DB_NUMBERS_E164] = "numbers_e164",
    [STORE_DB_APPS] = "applications",
    [STORE_DB_APPS_IDX] = "applications_idx",
    [STORE_DB_CALLS] = "calls",
    [STORE_DB_CALLS_IDX] = "calls_idx",
    [STORE_DB_RECORDINGS] = "recordings",
    [STORE_DB_RECORDINGS_IDX] = "recordings_idx",
    [STORE_DB_NOTIFICATIONS] = "notifications",
    [STORE_DB_NOTIFICATIONS_IDX] = "notifications_idx",
    [STORE_DB_QUEUES] = "queues",
    [STORE_DB_QUEUES_IDX] = "queues_idx",
    [STORE_DB_QUEUE_MEMBERS] = "queue_members",
    [STORE_DB_OUTBOX] = "outbox",
    [STORE_DB_CALLSTATE] = "callstate",
};

const char *store_db_name(enum store_db db)
{
	return (unsigned)db < STORE_DB_N ? store_db_names[db] : "?";
}

static uint64_t store_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- batches ---- */

struct store_batch *store_batch_new(void)
{
	struct store_batch *b = malloc(sizeof(*b));
	if (b) {
		b->next = NULL;
		b->n = 0;
		b->status = 0;
	}
	return b;
}

void store_batch_free(struct store_batch *b)
{
	if (!b)
		return;
	for (uint32_t i = 0; i < b->n; i++)
		free(b->ops[i].key);
	free(b);
}

uint32_t store_batch_ops(const struct store_batch *b)
{
	return b ? b->n : 0;
}

void store_batch_rollback(struct store_batch *b, uint32_t n)
{
	while (b && b->n > n)
		free(b->ops[--b->n].key);
}

static int store_batch_add(struct store_batch *b, enum store_op_type type, enum store_db db,
                           const void *key, size_t klen, const void *val, size_t vlen,
                           unsigned flags)
{
	if (!b || (unsigned)db >= STORE_DB_N || (type != STORE_OP_OUTBOX && (!key || klen == 0)) ||
	    klen > STORE_KEY_MAX || (vlen && !val))
		return -EINVAL;
	if (b->n >= STORE_BATCH_MAX_OPS)
		return -E2BIG;
	char *mem = malloc(klen + vlen + 1);
	if (!mem)
		return -ENOMEM;
	if (klen)
		memcpy(mem, key, klen);
	if (vlen)
		memcpy(mem + klen, val, vlen);
	mem[klen + vlen] = 0;
	b->ops[b->n++] = (struct store_op){.type = (uint8_t)type, .db = (uint8_t)db,
	                                   .flags = (uint16_t)flags, .klen = (uint32_t)klen,
	                                   .vlen = vlen, .key = mem, .val = mem + klen};
	return 0;
}

int store_batch_put(struct store_batch *b, enum store_db db, const void *key, size_t klen,
                    const void *val, size_t vlen, unsigned flags)
{
	return store_batch_add(b, STORE_OP_PUT, db, key, klen, val, vlen, flags);
}

int store_batch_put_json(struct store_batch *b, enum store_db db, const void *key, size_t klen,
                         const json_t *val, unsigned flags)
{
	if (!val)
		return -EINVAL;
	char *txt = json_dumps(val, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!txt)
		return -ENOMEM;
	int rc = store_batch_put(b, db, key, klen, txt, strlen(txt), flags);
	free(txt);
	return rc;
}

int store_batch_del(struct store_batch *b, enum store_db db, const void *key, size_t klen,
                    unsigned flags)
{
	return store_batch_add(b, STORE_OP_DEL, db, key, klen, NULL, 0, flags);
}

int store_batch_outbox(struct store_batch *b, const json_t *val)
{
	if (!val)
		return -EINVAL;
	char *txt = json_dumps(val, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!txt)
		return -ENOMEM;
	int rc = store_batch_add(b, STORE_OP_OUTBOX, STORE_DB_OUTBOX, NULL, 0, txt, strlen(txt), 0);
	free(txt);
	return rc;
}

int store_batch_callstate(struct store_batch *b, const char *call_sid, const json_t *state,
                          const json_t *outbox)
{
	if (!b || !call_sid || !state)
		return -EINVAL;
	uint32_t n0 = b->n;
	int rc = store_batch_put_json(b, STORE_DB_CALLSTATE, call_sid, strlen(call_sid), state, 0);
	if (rc == 0 && outbox)
		rc = store_batch_outbox(b, outbox);
	if (rc) /* all or nothing */
		store_batch_rollback(b, n0);
	return rc;
}

/* ---- the writer ---- */

static int store_apply_op(struct store *s, MDB_txn *t, struct store_op *op,
                          struct store_result *res)
{
	MDB_dbi dbi = s->dbi[op->db];
	MDB_val k = {.mv_size = op->klen, .mv_data = op->key};
	MDB_val v = {.mv_size = op->vlen, .mv_data = op->val};
	switch (op->type) {
	case STORE_OP_PUT:
		return mdb_put(t, dbi, &k, &v, op->flags & STORE_PUT_NOOVERWRITE ? MDB_NOOVERWRITE : 0);
	case STORE_OP_DEL: {
		int rc = mdb_del(t, dbi, &k, NULL);
		return rc == MDB_NOTFOUND && !(op->flags & STORE_DEL_MUST_EXIST) ? 0 : rc;
	}
	case STORE_OP_OUTBOX: {
		MDB_cursor *c;
		int rc = mdb_cursor_open(t, dbi, &c);
		if (rc)
			return rc;
		MDB_val lk, lv;
		uint64_t seq = 1;
		rc = mdb_cursor_get(c, &lk, &lv, MDB_LAST);
		if (rc == 0 && lk.mv_size == 8)
			seq = store_unbe64(lk.mv_data) + 1;
		mdb_cursor_close(c);
		if (rc && rc != MDB_NOTFOUND)
			return rc;
		uint8_t kb[8];
		store_be64(kb, seq);
		k = (MDB_val){.mv_size = 8, .mv_data = kb};
		rc = mdb_put(t, dbi, &k, &v, MDB_APPEND);
		if (rc == 0) {
			if (!res->outbox_n++)
				res->outbox_seq = seq;
		}
		return rc;
	}
	}
	return EINVAL;
}

/* One batch in a nested transaction: on failure it is rolled back alone. */
static void store_apply_batch(struct store *s, MDB_txn *parent, struct store_batch *b)
{
	MDB_txn *t;
	b->res = (struct store_result){.failed_op = -1};
	int rc = mdb_txn_begin(s->env, parent, 0, &t);
	if (rc) {
		b->status = store_errno(rc);
		return;
	}
	for (uint32_t i = 0; i < b->n; i++) {
		rc = store_apply_op(s, t, &b->ops[i], &b->res);
		if (rc) {
			b->res.failed_op = (int)i;
			break;
		}
	}
	if (rc) {
		mdb_txn_abort(t);
		b->status = store_errno(rc);
		b->res.outbox_seq = 0;
		b->res.outbox_n = 0;
		return;
	}
	rc = mdb_txn_commit(t);
	b->status = store_errno(rc);
}

static void *store_writer_main(void *arg)
{
	struct store *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->stop && (s->hold || !s->q_head))
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->q_head && s->stop)
			break;
		struct store_batch *list = s->q_head;
		s->q_head = s->q_tail = NULL;
		pthread_mutex_unlock(&s->mu);

		uint64_t t0 = store_mono_ns(), n = 0, nops = 0, nerr = 0;
		MDB_txn *txn;
		int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
		for (struct store_batch *b = list; b; b = b->next) {
			n++;
			if (rc) {
				b->status = store_errno(rc);
				continue;
			}
			store_apply_batch(s, txn, b);
			if (b->status)
				nerr++;
			else
				nops += b->n;
		}
		int crc = rc ? rc : mdb_txn_commit(txn);
		uint64_t dt = store_mono_ns() - t0;

		pthread_mutex_lock(&s->mu);
		if (!crc)
			s->commits++;
		else
			s->commit_errors++;
		for (struct store_batch *b = list; b; b = b->next) {
			if (crc && !b->status)
				b->status = store_errno(crc);
			if (!b->status)
				b->res.commit_no = s->commits;
		}
		s->batch_errors += crc ? n : nerr;
		s->ops += crc ? 0 : nops;
		if (n > s->max_group)
			s->max_group = n;
		s->commit_ns += dt;
		struct store_batch *last = list;
		while (last->next)
			last = last->next;
		if (s->done_tail)
			s->done_tail->next = list;
		else
			s->done_head = list;
		s->done_tail = last;
		pthread_mutex_unlock(&s->mu);
		uint64_t one = 1;
		if (write(s->efd, &one, sizeof(one)) != sizeof(one)) {
			/* the counter cannot overflow in practice; the owner also drains on close */
		}
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- owner side ---- */

int store_submit(struct store *s, struct store_batch *b, store_done_fn *cb, void *arg)
{
	if (!s || !b)
		return -EINVAL;
	if (b->n == 0 || s->stop) {
		store_batch_free(b);
		return -EINVAL;
	}
	if (s->in_flight >= s->queue_max) {
		s->queue_full++;
		store_batch_free(b);
		return -ENOBUFS;
	}
	b->cb = cb;
	b->arg = arg;
	b->next = NULL;
	s->in_flight++;
	s->submits++;
	pthread_mutex_lock(&s->mu);
	if (s->q_tail)
		s->q_tail->next = b;
	else
		s->q_head = b;
	s->q_tail = b;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int store_fd(const struct store *s)
{
	return s->efd;
}

unsigned store_dispatch(struct store *s)
{
	uint64_t v;
	if (read(s->efd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
		/* nothing to do: the list below is the truth, the eventfd only wakes us */
	}
	pthread_mutex_lock(&s->mu);
	struct store_batch *list = s->done_head;
	s->done_head = s->done_tail = NULL;
	pthread_mutex_unlock(&s->mu);
	unsigned n = 0;
	while (list) {
		struct store_batch *b = list;
		list = b->next;
		s->in_flight--;
		if (b->cb)
			b->cb(b->arg, b->status, &b->res);
		store_batch_free(b);
		n++;
	}
	return n;
}

void store_drain(struct store *s)
{
	while (s->in_flight) {
		struct pollfd p = {.fd = s->efd, .events = POLLIN};
		poll(&p, 1, 100);
		store_dispatch(s);
	}
}

void store_test_hold_writer(struct store *s, int hold)
{
	pthread_mutex_lock(&s->mu);
	s->hold = hold;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void store_get_stats(const struct store *s, struct store_stats *st)
{
	struct store *m = (struct store *)s;
	pthread_mutex_lock(&m->mu);
	*st = (struct store_stats){.submits = s->submits,
	                           .queue_full = s->queue_full,
	                           .commits = s->commits,
	                           .batch_errors = s->batch_errors,
	                           .commit_errors = s->commit_errors,
	                           .ops = s->ops,
	                           .max_group = s->max_group,
	                           .commit_ns = s->commit_ns,
	                           .in_flight = s->in_flight};
	pthread_mutex_unlock(&m->mu);
}

json_t *store_stats_json(const struct store *s)
{
	struct store_stats st;
	store_get_stats(s, &st);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "submits",
	                 (json_int_t)st.submits, "queue_full", (json_int_t)st.queue_full, "commits",
	                 (json_int_t)st.commits, "batch_errors", (json_int_t)st.batch_errors,
	                 "commit_errors", (json_int_t)st.commit_errors, "ops", (json_int_t)st.ops,
	                 "max_group", (json_int_t)st.max_group, "commit_us",
	                 (json_int_t)(st.commit_ns / 1000), "in_flight", (json_int_t)st.in_flight);
}

/* ---- open / close ---- */

static int store_mkdir(const char *dir)
{
	char p[512];
	if (strlen(dir) >= sizeof(p) || !*dir)
		return -ENAMETOOLONG;
	strcpy(p, dir);
	for (char *c = p + 1;; c++) {
		if (*c != '/' && *c)
			continue;
		char save = *c;
		*c = 0;
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return -errno;
		*c = save;
		if (!save)
			return 0;
	}
}

int store_open(struct store **out, const struct store_cfg *cfg, char *err, size_t errlen)
{
	int rc;
	if (!cfg || !cfg->dir || !*cfg->dir) {
		snprintf(err, errlen, "no data directory");
		return -EINVAL;
	}
	rc = store_mkdir(cfg->dir);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", cfg->dir, strerror(-rc));
		return rc;
	}
	struct store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->efd = -1;
	s->queue_max = cfg->queue_max ? cfg->queue_max : 4096;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	const char *what = "mdb_env_create";
	rc = mdb_env_create(&s->env);
	if (!rc) {
		what = "mdb_env_set_maxdbs";
		rc = mdb_env_set_maxdbs(s->env, STORE_DB_N + 4);
	}
	if (!rc) {
		what = "mdb_env_set_mapsize";
		rc = mdb_env_set_mapsize(s->env, cfg->map_size ? cfg->map_size : (1ull << 30));
	}
	if (!rc) {
		what = "mdb_env_open";
		rc = mdb_env_open(s->env, cfg->dir, MDB_NOTLS | (cfg->no_sync ? MDB_NOSYNC : 0), 0600);
	}
	if (rc) {
		snprintf(err, errlen, "%s %s: %s", what, cfg->dir, mdb_strerror(rc));
		goto fail;
	}
	int dead = 0;
	mdb_reader_check(s->env, &dead); /* slots of readers that died (kill -9) */
	MDB_txn *t;
	rc = mdb_txn_begin(s->env, NULL, 0, &t);
	for (int i = 0; !rc && i < STORE_DB_N; i++)
		rc = mdb_dbi_open(t, store_db_names[i], MDB_CREATE, &s->dbi[i]);
	if (!rc) {
		MDB_val k = {.mv_size = 6, .mv_data = "schema"}, v = {.mv_size = 1, .mv_data = "1"};
		rc = mdb_put(t, s->dbi[STORE_DB_META], &k, &v, MDB_NOOVERWRITE);
		if (rc == MDB_KEYEXIST)
			rc = 0;
	}
	if (!rc)
		rc = mdb_txn_commit(t);
	else
		mdb_txn_abort(t);
	if (rc) {
		snprintf(err, errlen, "opening databases in %s: %s", cfg->dir, mdb_strerror(rc));
		goto fail;
	}
	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &s->rtxn);
	if (rc) {
		snprintf(err, errlen, "read transaction: %s", mdb_strerror(rc));
		goto fail;
	}
	mdb_txn_reset(s->rtxn);
	s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->efd < 0) {
		rc = errno;
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	rc = pthread_create(&s->writer, NULL, store_writer_main, s);
	if (rc) {
		snprintf(err, errlen, "writer thread: %s", strerror(rc));
		goto fail;
	}
	s->writer_started = 1;
	*out = s;
	return 0;
fail:
	rc = store_errno(rc);
	if (s->rtxn)
		mdb_txn_abort(s->rtxn);
	if (s->efd >= 0)
		close(s->efd);
	if (s->env)
		mdb_env_close(s->env);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
	return rc ? rc : -EIO;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->writer_started) {
		pthread_mutex_lock(&s->mu);
		s->hold = 0;
		s->stop = 1;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->writer, NULL); /* it empties the queue first */
	}
	store_dispatch(s);
	close(s->efd);
	mdb_txn_abort(s->rtxn);
	mdb_env_close(s->env);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
