/* SPDX-License-Identifier: BSD-3-Clause */
/* store.h — control's persistent store: one LMDB environment, one writer thread, group commit. */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * Threads: everything here is called on ONE thread, the owner (control's loop thread), except
 * that the writer thread is internal. Writes are batches: the owner fills a batch and submits
 * it with a completion callback; the writer takes every batch queued, applies them all in one
 * LMDB write transaction (each batch in a nested transaction of its own, so a failing batch is
 * rolled back alone), commits once (fsync), then posts the completions to an eventfd. The owner
 * polls store_fd() (readable) and calls store_dispatch(), which runs the callbacks on the owner
 * thread. A callback therefore runs only after the commit that holds its batch, and a read
 * started in the callback sees the data. The owner never waits on fsync.
 *
 * Reads run on the owner thread in read-only transactions (the environment is MDB_NOTLS).
 * They see committed data only: a batch submitted and not yet completed is not visible.
 *
 * Bounds: at most cfg.queue_max batches are in flight (submitted, not yet dispatched); a
 * submit beyond that fails with -ENOBUFS and is counted (stats.queue_full). A batch holds at
 * most STORE_BATCH_MAX_OPS operations; keys are at most STORE_KEY_MAX bytes.
 */

struct store;
struct store_batch;

/* Named databases. Values of the entity databases are compact JSON records keyed by SID. */
enum store_db {
	STORE_DB_META,          /* store metadata (schema version) */
	STORE_DB_ACCOUNTS,      /* AC... -> account */
	STORE_DB_ACCOUNTS_IDX,  /* owner AC | be64 us | AC... -> "" (subaccounts in creation order) */
	STORE_DB_KEYS,          /* SK... -> API key (issue 7) */
	STORE_DB_KEYS_IDX,      /* AC | be64 us | SK -> "" */
	STORE_DB_NUMBERS,       /* PN... -> incoming phone number */
	STORE_DB_NUMBERS_IDX,   /* AC | be64 us | PN -> "" */
	STORE_DB_NUMBERS_E164,  /* "+15005550006" -> PN... (unique) */
	STORE_DB_APPS,          /* AP... -> application */
	STORE_DB_APPS_IDX,      /* AC | be64 us | AP -> "" */
	STORE_DB_CALLS,         /* CA... -> call */
	STORE_DB_CALLS_IDX,     /* AC | be64 start time us | CA -> "" */
	STORE_DB_RECORDINGS,    /* RE... -> recording */
	STORE_DB_RECORDINGS_IDX,
	STORE_DB_NOTIFICATIONS, /* NO... -> notification */
	STORE_DB_NOTIFICATIONS_IDX,
	STORE_DB_QUEUES,        /* QU... -> queue (issue 7) */
	STORE_DB_QUEUES_IDX,
	STORE_DB_QUEUE_MEMBERS, /* free-form keys for issue 7, e.g. QU | be64 us | CA -> member */
	STORE_DB_OUTBOX,        /* be64 sequence -> status-callback delivery (JSON) */
	STORE_DB_CALLSTATE,     /* CA... -> interpreter state for restart (JSON) */
	STORE_DB_N
};

/* Name of a database as LMDB knows it ("accounts", "calls_idx", ...). */
const char *store_db_name(enum store_db db);

#define STORE_KEY_MAX 511 /* LMDB's default maximum key size */
#define STORE_BATCH_MAX_OPS 256

struct store_cfg {
	const char *dir;     /* created (0700) if missing; holds data.mdb and lock.mdb */
	uint64_t map_size;   /* bytes; 0: 1 GiB. The database cannot grow beyond it (-ENOSPC) */
	uint32_t queue_max;  /* batches in flight; 0: 4096 */
	int no_sync;         /* benchmarks only: commit without fsync (MDB_NOSYNC). Never in control */
};

struct store_stats {
	uint64_t submits;    /* batches accepted */
	uint64_t queue_full; /* submits refused: queue_max batches in flight */
	uint64_t commits;    /* write transactions committed (each one fsync) */
	uint64_t batch_errors; /* batches rolled back (conflict, map full, ...) */
	uint64_t commit_errors; /* whole commits that failed (every batch in them failed) */
	uint64_t ops;        /* operations applied */
	uint64_t max_group;  /* most batches in one commit */
	uint64_t commit_ns;  /* total time in write transactions, apply + commit */
	uint32_t in_flight;  /* batches submitted and not yet dispatched */
};

/* Open (creating dir and databases) and start the writer thread. Returns 0 or -errno with a
 * message in err. */
int store_open(struct store **out, const struct store_cfg *cfg, char *err, size_t errlen);
/* Finish every queued batch, run the remaining completions, stop the writer, close LMDB. */
void store_close(struct store *s);

/* The completion eventfd: readable when store_dispatch() has callbacks to run. */
int store_fd(const struct store *s);
/* Run the completions that are ready (on the owner thread). Returns how many ran. */
unsigned store_dispatch(struct store *s);
/* Block until every submitted batch has completed and its callback ran (tests, shutdown). */
void store_drain(struct store *s);

void store_get_stats(const struct store *s, struct store_stats *st);
json_t *store_stats_json(const struct store *s);

/* ---- batches ---- */

/* What a completed batch reports. */
struct store_result {
	uint64_t outbox_seq; /* first sequence given by store_batch_outbox() in this batch, or 0 */
	uint32_t outbox_n;   /* outbox entries appended */
	uint64_t commit_no;  /* which commit held it (1, 2, ...) */
	int failed_op;       /* on error: index of the operation that failed, else -1 */
};

/*
 * Completion: status 0 (committed) or -errno: -EEXIST (a STORE_PUT_NOOVERWRITE key existed),
 * -ENOENT (a STORE_DEL_MUST_EXIST key was missing), -ENOSPC (map full), -EIO (commit failed).
 * On error nothing of the batch was written. Runs on the owner thread; may submit and read.
 */
typedef void store_done_fn(void *arg, int status, const struct store_result *r);

enum store_op_flags {
	STORE_PUT_NOOVERWRITE = 1, /* put fails with -EEXIST if the key exists */
	STORE_DEL_MUST_EXIST = 2,  /* del fails with -ENOENT if the key is missing */
};

/* A new empty batch (NULL when out of memory). */
struct store_batch *store_batch_new(void);
void store_batch_free(struct store_batch *b);
uint32_t store_batch_ops(const struct store_batch *b);
/* Drop the operations added after the first n (undo a group of adds that failed half-way). */
void store_batch_rollback(struct store_batch *b, uint32_t n);

/* Operations, applied in order within the batch. Data is copied. Return 0, -EINVAL (bad db,
 * key empty or over STORE_KEY_MAX), -E2BIG (batch full) or -ENOMEM. A failed add leaves the
 * batch as it was. */
int store_batch_put(struct store_batch *b, enum store_db db, const void *key, size_t klen,
                    const void *val, size_t vlen, unsigned flags);
/* Put a JSON value, encoded compact with sorted keys. */
int store_batch_put_json(struct store_batch *b, enum store_db db, const void *key, size_t klen,
                         const json_t *val, unsigned flags);
int store_batch_del(struct store_batch *b, enum store_db db, const void *key, size_t klen,
                    unsigned flags);
/* Append to the outbox under the next sequence number (last key + 1, from 1), assigned in the
 * write transaction; the first one is reported in store_result.outbox_seq. */
int store_batch_outbox(struct store_batch *b, const json_t *val);
/* The interpreter's step: the call's state and its outbox entry (may be NULL) in one batch,
 * so they commit together or not at all. */
int store_batch_callstate(struct store_batch *b, const char *call_sid, const json_t *state,
                          const json_t *outbox);

/*
 * Submit a batch. The store takes the batch in every case (on error it is freed and cb is
 * never called). Returns 0, -ENOBUFS (queue_max in flight; counted), -EINVAL (empty batch or
 * store closing). cb may be NULL.
 */
int store_submit(struct store *s, struct store_batch *b, store_done_fn *cb, void *arg);

/* ---- reads (owner thread, committed data) ---- */

/* Raw value copy: returns 0 and *val (malloc'd, *vlen bytes, plus a NUL), -ENOENT, -errno. */
int store_get(struct store *s, enum store_db db, const void *key, size_t klen, char **val,
              size_t *vlen);
/* JSON value: returns 0 and a new reference, -ENOENT, -EBADMSG (not JSON), -errno. */
int store_get_json(struct store *s, enum store_db db, const void *key, size_t klen,
                   json_t **out);
/* Entries in a database (0 when empty), or -errno. */
int64_t store_count(struct store *s, enum store_db db);

/*
 * Walk keys in order from `from` (NULL: the first key) while they start with `prefix` (plen 0:
 * any). fn returns 0 to go on, nonzero to stop (that value is returned). At most `max` entries
 * are visited (0: no bound). Flags: STORE_WALK_REVERSE walks backwards, from `from` (or the
 * greatest key below it) or from the last key with the prefix. Returns 0, fn's value, -errno.
 */
typedef int store_walk_fn(void *arg, const void *key, size_t klen, const void *val, size_t vlen);
enum { STORE_WALK_REVERSE = 1 };
int store_walk(struct store *s, enum store_db db, const void *prefix, size_t plen,
               const void *from, size_t flen, uint32_t max, unsigned flags, store_walk_fn *fn,
               void *arg);

/* The outbox's key for a sequence number (8 bytes, big-endian): to delete a delivered entry
 * (store_batch_del) or to walk from a sequence number. */
void store_outbox_key(uint8_t key[8], uint64_t seq);
uint64_t store_outbox_seq(const void *key, size_t klen);

/* Test hook: hold the writer before it takes the queue (1) or let it go (0), so a test can
 * queue many batches and see them go out in one commit. */
void store_test_hold_writer(struct store *s, int hold);

#endif /* STORE_H */
