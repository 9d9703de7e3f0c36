/* SPDX-License-Identifier: BSD-3-Clause */
/* store_priv.h — the store's internals shared by store.c (writes) and store_read.c (reads). */
#ifndef STORE_PRIV_H
#define STORE_PRIV_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include <lmdb.h>

#include "store.h"

enum store_op_type { STORE_OP_PUT, STORE_OP_DEL, STORE_OP_OUTBOX };

struct store_op {
	uint8_t type, db;
	uint16_t flags;
	uint32_t klen;
	size_t vlen;
	char *key; /* key and value share one allocation (val follows key) */
	char *val;
};

struct store_batch {
	struct store_batch *next;
	store_done_fn *cb;
	void *arg;
	int status;
	struct store_result res;
	uint32_t n;
	struct store_op ops[STORE_BATCH_MAX_OPS];
};

struct store {
	MDB_env *env;
	MDB_dbi dbi[STORE_DB_N];
	int efd;
	uint32_t queue_max;
	uint32_t in_flight; /* owner thread only */
	pthread_t writer;
	int writer_started;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store_batch *q_head, *q_tail;       /* submitted, not taken (mu) */
	struct store_batch *done_head, *done_tail; /* committed, not dispatched (mu) */
	int stop, hold;                            /* mu */

	/* the owner's read transaction, kept reset between reads and renewed for the next one
	 * (keeps its reader slot: no lock-file mutex per read) */
	MDB_txn *rtxn;
	int rtxn_busy;

	/* counters: the writer's under mu, the owner's plain */
	uint64_t submits, queue_full;
	uint64_t commits, batch_errors, commit_errors, ops, max_group, commit_ns;
};

static inline int store_errno(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_MAP_FULL:
		return -ENOSPC;
	case MDB_TXN_FULL:
		return -E2BIG;
	case MDB_READERS_FULL:
		return -EAGAIN;
	default:
		return rc > 0 && rc < 4096 ? -rc : -EIO;
	}
}

static inline void store_be64(uint8_t out[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		out[i] = (uint8_t)v;
}

static inline uint64_t store_unbe64(const uint8_t in[8])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | in[i];
	return v;
}

#endif /* STORE_PRIV_H */
