/* SPDX-License-Identifier: BSD-3-Clause */
/* store_read.c — reads on the owner thread: one reset read transaction renewed per read (the
 * environment is MDB_NOTLS), get, count, forward and reverse walks, outbox keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

static int store_rbegin(struct store *s, MDB_txn **t)
{
	if (s->rtxn && !s->rtxn_busy && mdb_txn_renew(s->rtxn) == 0) {
		s->rtxn_busy = 1;
		*t = s->rtxn;
		return 0;
	}
	return mdb_txn_begin(s->env, NULL, MDB_RDONLY, t); /* nested in a walk: a txn of its own */
}

static void store_rend(struct store *s, MDB_txn *t)
{
	if (t == s->rtxn) {
		mdb_txn_reset(t);
		s->rtxn_busy = 0;
	} else {
		mdb_txn_abort(t);
	}
}

int store_get(struct store *s, enum store_db db, const void *key, size_t klen, char **val,
              size_t *vlen)
{
	if ((unsigned)db >= STORE_DB_N || !key || !klen || klen > STORE_KEY_MAX)
		return -EINVAL;
	MDB_txn *t;
	int rc = store_rbegin(s, &t);
	if (rc)
		return store_errno(rc);
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key}, v;
	rc = mdb_get(t, s->dbi[db], &k, &v);
	if (!rc) {
		char *c = malloc(v.mv_size + 1);
		if (c) {
			memcpy(c, v.mv_data, v.mv_size);
			c[v.mv_size] = 0;
			*val = c;
			if (vlen)
				*vlen = v.mv_size;
		} else {
			rc = ENOMEM;
		}
	}
	store_rend(s, t);
	return store_errno(rc);
}

int store_get_json(struct store *s, enum store_db db, const void *key, size_t klen,
                   json_t **out)
{
	char *v;
	size_t vl;
	int rc = store_get(s, db, key, klen, &v, &vl);
	if (rc)
		return rc;
	json_t *j = json_loadb(v, vl, JSON_DECODE_ANY, NULL);
	free(v);
	if (!j)
		return -EBADMSG;
	*out = j;
	return 0;
}

int64_t store_count(struct store *s, enum store_db db)
{
	if ((unsigned)db >= STORE_DB_N)
		return -EINVAL;
	MDB_txn *t;
	int rc = store_rbegin(s, &t);
	if (rc)
		return store_errno(rc);
	MDB_stat st;
	rc = mdb_stat(t, s->dbi[db], &st);
	store_rend(s, t);
	return rc ? store_errno(rc) : (int64_t)st.ms_entries;
}

void store_outbox_key(uint8_t key[8], uint64_t seq)
{
	store_be64(key, seq);
}

uint64_t store_outbox_seq(const void *key, size_t klen)
{
	return klen == 8 ? store_unbe64(key) : 0;
}

/* Position a reverse walk: at `from` if present, else the greatest key below it; without
 * `from`, the last key starting with the prefix. */
static int store_walk_rev_start(MDB_cursor *c, const void *prefix, size_t plen, const void *from,
                                size_t flen, MDB_val *k, MDB_val *v)
{
	uint8_t upper[STORE_KEY_MAX + 1];
	MDB_val start;
	int exact_ok = 0;
	if (from && flen) {
		start = (MDB_val){.mv_size = flen, .mv_data = (void *)from};
		exact_ok = 1;
	} else if (prefix && plen) {
		/* the smallest key above every key with the prefix: prefix with its last byte + 1 */
		size_t n = plen;
		memcpy(upper, prefix, plen);
		while (n && upper[n - 1] == 0xff)
			n--;
		if (!n)
			return mdb_cursor_get(c, k, v, MDB_LAST);
		upper[n - 1]++;
		start = (MDB_val){.mv_size = n, .mv_data = upper};
	} else {
		return mdb_cursor_get(c, k, v, MDB_LAST);
	}
	*k = start;
	int rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND)
		return mdb_cursor_get(c, k, v, MDB_LAST);
	if (rc)
		return rc;
	if (exact_ok && k->mv_size == start.mv_size && !memcmp(k->mv_data, start.mv_data, start.mv_size))
		return 0;
	return mdb_cursor_get(c, k, v, MDB_PREV);
}

int store_walk(struct store *s, enum store_db db, const void *prefix, size_t plen,
               const void *from, size_t flen, uint32_t max, unsigned flags, store_walk_fn *fn,
               void *arg)
{
	if ((unsigned)db >= STORE_DB_N || flen > STORE_KEY_MAX || plen > STORE_KEY_MAX)
		return -EINVAL;
	MDB_txn *t;
	int rc = store_rbegin(s, &t);
	if (rc)
		return store_errno(rc);
	MDB_cursor *c;
	rc = mdb_cursor_open(t, s->dbi[db], &c);
	if (rc) {
		store_rend(s, t);
		return store_errno(rc);
	}
	int rev = flags & STORE_WALK_REVERSE;
	MDB_val k, v;
	if (rev) {
		rc = store_walk_rev_start(c, prefix, plen, from, flen, &k, &v);
	} else if (from && flen) {
		k = (MDB_val){.mv_size = flen, .mv_data = (void *)from};
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	} else if (prefix && plen) {
		k = (MDB_val){.mv_size = plen, .mv_data = (void *)prefix};
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	} else {
		rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	}
	int ret = 0;
	uint32_t seen = 0;
	while (rc == 0) {
		if (plen && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break;
		if (max && seen++ >= max)
			break;
		ret = fn(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
		if (ret)
			break;
		rc = mdb_cursor_get(c, &k, &v, rev ? MDB_PREV : MDB_NEXT);
	}
	mdb_cursor_close(c);
	store_rend(s, t);
	if (ret)
		return ret;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_errno(rc);
}
