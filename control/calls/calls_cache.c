/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_cache.c — the prompt cache: HTTP freshness of Play's clips, holders, LRU retirement
 * (see calls_cache.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "calls_cache.h"

/*
 * Retirement rule. The dataplane holds no reference count: a leg looks its clip up by handle
 * on every 20 ms tick and ends its playout (MEDIA_DONE status 2) when the clip went stale, and
 * the pool frees a retired clip's slabs only after every worker's epoch moved (no freed memory
 * is ever read). What could go wrong is cutting a prompt a caller is hearing; so control keeps
 * the count itself: a call holds the prompt of its leg's latest PLAY until that playout is
 * over for sure (its MEDIA_DONE, a STOP, a newer PLAY on the leg, the leg gone), and a
 * released prompt is still protected for CALLS_CACHE_GRACE_MS, longer than a command takes to
 * cross the ring (a PLAY replaced or stopped may still be playing until the dataplane read the
 * next command). An entry is retirable when it has no holder and its grace is over; among
 * those, superseded ones go first, then the least recently used. A loop="0" Play is held for as
 * long as it plays, so no duration bound is needed.
 */

#define NONE UINT32_MAX

struct calls_cache {
	uint32_t max, n, nb;
	uint32_t n_superseded; /* entries waiting for retirement (sweep skips when 0) */
	uint32_t lru_head, lru_tail;
	uint32_t *bucket, *hnext; /* hash chains over the key (a digest: its first bytes do) */
	calls_cache_retire_fn *retire;
	void *arg;
	struct calls_cache_stats st;
	struct calls_cache_ent v[];
};

/* ---- HTTP policy ---- */

static void copy_if_fits(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n < cap)
		memcpy(dst, src ? src : "", n + 1);
	else
		dst[0] = 0; /* a validator cut short would never match: keep none */
}

/* A delta-seconds directive value ("max-age=60", quoted too). -1 when absent or malformed. */
static int64_t cc_seconds(const char *cc, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = cc; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > nl && !strncasecmp(p, name, nl) && p[nl] == '=') {
			const char *v = p + nl + 1;
			if (*v == '"')
				v++;
			if (*v < '0' || *v > '9')
				return -1;
			int64_t s = 0;
			for (; *v >= '0' && *v <= '9'; v++)
				s = s < 1000000000000ll ? s * 10 + (*v - '0') : s;
			return s;
		}
		p = end;
	}
	return -1;
}

static bool cc_has(const char *cc, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = cc; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		/* "no-cache" alone, or with a field list ("no-cache=\"Set-Cookie\"") */
		if ((len == nl || (len > nl && p[nl] == '=')) && !strncasecmp(p, name, nl))
			return true;
		p = end;
	}
	return false;
}

static int64_t http_date(const char *s)
{
	if (!s || !*s)
		return -1;
	time_t t = curl_getdate(s, NULL);
	return t == (time_t)-1 ? -1 : (int64_t)t;
}

void calls_http_policy(const char *cache_control, const char *expires, const char *date,
                       const char *age, const char *etag, const char *last_modified, int64_t now_s,
                       struct calls_http_policy *p)
{
	memset(p, 0, sizeof(*p));
	const char *cc = cache_control ? cache_control : "";
	copy_if_fits(p->etag, sizeof(p->etag), etag);
	copy_if_fits(p->last_modified, sizeof(p->last_modified), last_modified);
	p->no_store = cc_has(cc, "no-store");
	p->no_cache = cc_has(cc, "no-cache");
	int64_t age_s = age && *age >= '0' && *age <= '9' ? strtoll(age, NULL, 10) : 0;
	int64_t d = http_date(date);
	if (d < 0)
		d = now_s;
	int64_t life = cc_seconds(cc, "s-maxage");
	if (life < 0)
		life = cc_seconds(cc, "max-age");
	if (life < 0 && expires && *expires) {
		int64_t e = http_date(expires);
		life = e < 0 ? 0 : e > d ? e - d : 0; /* "0" or garbage: already expired */
	}
	if (life < 0) {
		/* RFC 9111 §4.2.2: a heuristic. With Last-Modified, 10% of the time since then (at
		 * most a day); without, a fixed 300 s: Twilio keeps media without caching headers
		 * too, and an application that wants fresh audio says so (max-age/no-cache/ETag).
		 */
		p->heuristic = true;
		int64_t lm = http_date(p->last_modified);
		life = lm >= 0 && d > lm ? (d - lm) / 10 : CALLS_CACHE_HEURISTIC_S;
		if (life > CALLS_CACHE_HEURISTIC_MAX_S)
			life = CALLS_CACHE_HEURISTIC_MAX_S;
	}
	life -= age_s;
	if (life <= 0 || p->no_cache) {
		life = 0;
		p->no_cache = true; /* stale at once: every use revalidates */
	}
	p->fresh_ms = (uint64_t)life * 1000u;
}

/* ---- table ---- */

static uint32_t key_hash(const struct calls_cache *cc, const uint8_t key[16])
{
	uint32_t h;
	memcpy(&h, key, sizeof(h));
	return h & (cc->nb - 1);
}

static void lru_unlink(struct calls_cache *cc, uint32_t i)
{
	struct calls_cache_ent *e = &cc->v[i];
	if (e->lru_prev != NONE)
		cc->v[e->lru_prev].lru_next = e->lru_next;
	else
		cc->lru_head = e->lru_next;
	if (e->lru_next != NONE)
		cc->v[e->lru_next].lru_prev = e->lru_prev;
	else
		cc->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NONE;
}

static void lru_push_head(struct calls_cache *cc, uint32_t i)
{
	struct calls_cache_ent *e = &cc->v[i];
	e->lru_prev = NONE;
	e->lru_next = cc->lru_head;
	if (cc->lru_head != NONE)
		cc->v[cc->lru_head].lru_prev = i;
	cc->lru_head = i;
	if (cc->lru_tail == NONE)
		cc->lru_tail = i;
}

static void hash_unlink(struct calls_cache *cc, uint32_t i)
{
	uint32_t *p = &cc->bucket[key_hash(cc, cc->v[i].key)];
	while (*p != NONE && *p != i)
		p = &cc->hnext[*p];
	if (*p == i)
		*p = cc->hnext[i];
	cc->hnext[i] = NONE;
}

int calls_cache_create(struct calls_cache **out, uint32_t max, uint32_t gen_seed,
                       calls_cache_retire_fn *retire, void *arg)
{
	if (!max || max > CALLS_CACHE_MAX * 64u || !retire)
		return -EINVAL;
	struct calls_cache *cc = calloc(1, sizeof(*cc) + (size_t)max * sizeof(cc->v[0]));
	if (!cc)
		return -ENOMEM;
	cc->nb = 1;
	while (cc->nb < max)
		cc->nb <<= 1;
	cc->bucket = malloc(cc->nb * sizeof(uint32_t));
	cc->hnext = malloc(max * sizeof(uint32_t));
	if (!cc->bucket || !cc->hnext) {
		calls_cache_destroy(cc);
		return -ENOMEM;
	}
	memset(cc->bucket, 0xff, cc->nb * sizeof(uint32_t));
	memset(cc->hnext, 0xff, max * sizeof(uint32_t));
	cc->max = max;
	cc->retire = retire;
	cc->arg = arg;
	cc->lru_head = cc->lru_tail = NONE;
	for (uint32_t i = 0; i < max; i++) {
		cc->v[i].lru_prev = cc->v[i].lru_next = NONE;
		cc->v[i].gen = gen_seed ? gen_seed : 1;
	}
	*out = cc;
	return 0;
}

void calls_cache_destroy(struct calls_cache *cc)
{
	if (!cc)
		return;
	free(cc->bucket);
	free(cc->hnext);
	free(cc);
}

void calls_cache_forget(struct calls_cache *cc, struct calls_cache_ent *e)
{
	if (e->kind && !e->superseded) {
		e->superseded = true;
		cc->n_superseded++;
	}
}

struct calls_cache_ent *calls_cache_find(struct calls_cache *cc, const uint8_t key[16])
{
	for (uint32_t i = cc->bucket[key_hash(cc, key)]; i != NONE; i = cc->hnext[i])
		if (!cc->v[i].superseded && !memcmp(cc->v[i].key, key, 16))
			return &cc->v[i];
	return NULL;
}

enum calls_cache_use calls_cache_use(struct calls_cache *cc, const struct calls_cache_ent *e,
                                     uint64_t now_ns)
{
	if (e->kind != CALLS_CACHE_PLAY || (!e->no_cache && now_ns < e->expires_ns)) {
		cc->st.fresh_hits++;
		return CALLS_CACHE_FRESH;
	}
	if (e->etag[0] || e->last_modified[0]) {
		cc->st.conditional++;
		return CALLS_CACHE_REVALIDATE;
	}
	cc->st.refetched++;
	return CALLS_CACHE_REFETCH;
}

calls_cache_ref_t calls_cache_ref(const struct calls_cache *cc, const struct calls_cache_ent *e)
{
	return e ? (uint64_t)e->gen << 32 | (uint32_t)(e - cc->v) : 0;
}

struct calls_cache_ent *calls_cache_get(struct calls_cache *cc, calls_cache_ref_t r)
{
	uint32_t i = (uint32_t)r;
	if (!r || i >= cc->max)
		return NULL;
	struct calls_cache_ent *e = &cc->v[i];
	return e->kind && e->gen == (uint32_t)(r >> 32) ? e : NULL;
}

void calls_cache_hold(struct calls_cache *cc, calls_cache_ref_t r, uint64_t now_ns)
{
	struct calls_cache_ent *e = calls_cache_get(cc, r);
	if (!e)
		return;
	e->holders++;
	e->last_used_ns = now_ns;
	uint32_t i = (uint32_t)(e - cc->v);
	lru_unlink(cc, i);
	lru_push_head(cc, i);
}

void calls_cache_release(struct calls_cache *cc, calls_cache_ref_t r, uint64_t now_ns)
{
	struct calls_cache_ent *e = calls_cache_get(cc, r);
	if (!e || !e->holders)
		return;
	e->holders--;
	uint64_t until = now_ns + (uint64_t)CALLS_CACHE_GRACE_MS * 1000000ull;
	if (until > e->busy_until_ns)
		e->busy_until_ns = until;
}

static bool retirable(const struct calls_cache_ent *e, uint64_t now_ns)
{
	return e->kind && !e->holders && now_ns >= e->busy_until_ns;
}

/* Drop entry i: its clips retired, the slot free. */
static void drop(struct calls_cache *cc, uint32_t i)
{
	struct calls_cache_ent *e = &cc->v[i];
	for (uint32_t k = 0; k < e->n; k++)
		if (cc->retire(cc->arg, e->clip[k]) != 0)
			cc->st.retire_errors++; /* already stale (a reboot reformatted the pool) */
	hash_unlink(cc, i);
	lru_unlink(cc, i);
	cc->n_superseded -= e->superseded;
	uint32_t gen = e->gen + 1;
	memset(e, 0, sizeof(*e));
	e->gen = gen ? gen : 1;
	e->lru_prev = e->lru_next = NONE;
	cc->n--;
}

uint64_t calls_cache_evict(struct calls_cache *cc, uint64_t now_ns, uint64_t want_frames,
                           uint32_t max_n)
{
	uint64_t freed = 0;
	uint32_t n = 0;
	/* two passes from the least recent end: superseded entries, then any */
	for (int pass = 0; pass < 2; pass++) {
		uint32_t i = cc->lru_tail;
		while (i != NONE && freed < want_frames && (!max_n || n < max_n)) {
			struct calls_cache_ent *e = &cc->v[i];
			uint32_t prev = e->lru_prev;
			if ((pass == 1 || e->superseded) && retirable(e, now_ns)) {
				freed += e->frames;
				n++;
				if (e->superseded) {
					cc->st.superseded_retired++;
				} else {
					cc->st.evicted++;
					cc->st.evicted_frames += e->frames;
				}
				drop(cc, i);
			} else if (pass == 1 && !retirable(e, now_ns)) {
				cc->st.evict_blocked++;
			}
			i = prev;
		}
	}
	return freed;
}

void calls_cache_sweep(struct calls_cache *cc, uint64_t now_ns)
{
	if (!cc->n_superseded)
		return;
	for (uint32_t i = cc->lru_tail; i != NONE;) {
		uint32_t prev = cc->v[i].lru_prev;
		if (cc->v[i].superseded && retirable(&cc->v[i], now_ns)) {
			cc->st.superseded_retired++;
			drop(cc, i);
		}
		i = prev;
	}
}

int calls_cache_reserve(struct calls_cache *cc, uint64_t now_ns)
{
	if (cc->n < cc->max)
		return 0;
	calls_cache_sweep(cc, now_ns);
	if (cc->n < cc->max)
		return 0;
	calls_cache_evict(cc, now_ns, 1, 1);
	if (cc->n < cc->max)
		return 0;
	cc->st.table_full++;
	return -ENOSPC;
}

static void set_policy(struct calls_cache_ent *e, const struct calls_http_policy *pol,
                       uint64_t now_ns)
{
	e->no_cache = pol->no_cache;
	e->expires_ns = now_ns + pol->fresh_ms * 1000000ull;
	memcpy(e->etag, pol->etag, sizeof(e->etag));
	memcpy(e->last_modified, pol->last_modified, sizeof(e->last_modified));
}

struct calls_cache_ent *calls_cache_insert(struct calls_cache *cc, const uint8_t key[16],
                                           enum calls_cache_kind kind, const vox_clip_t *clips,
                                           uint32_t n, uint32_t frames,
                                           const struct calls_http_policy *pol, uint64_t now_ns)
{
	if (cc->n >= cc->max || !n || n > CALLS_CACHE_CLIPS)
		return NULL;
	uint32_t i = 0;
	while (cc->v[i].kind)
		i++;
	struct calls_cache_ent *old = calls_cache_find(cc, key);
	if (old) {
		old->superseded = true; /* holders keep playing it; retired after them */
		cc->n_superseded++;
		cc->st.replaced++;
	}
	struct calls_cache_ent *e = &cc->v[i];
	memcpy(e->key, key, 16);
	e->kind = (uint8_t)kind;
	e->n = n;
	memcpy(e->clip, clips, n * sizeof(clips[0]));
	e->frames = frames;
	e->last_used_ns = now_ns;
	e->busy_until_ns = 0;
	if (!e->gen)
		e->gen = 1;
	struct calls_http_policy heur;
	if (kind == CALLS_CACHE_PLAY) {
		if (!pol) {
			calls_http_policy(NULL, NULL, NULL, NULL, NULL, NULL, 0, &heur);
			pol = &heur;
		}
		set_policy(e, pol, now_ns);
		if (pol->no_store) {
			e->superseded = true;
			cc->n_superseded++;
			cc->st.no_store++;
		}
	}
	uint32_t b = key_hash(cc, key);
	cc->hnext[i] = cc->bucket[b];
	cc->bucket[b] = i;
	lru_push_head(cc, i);
	cc->n++;
	cc->st.inserted++;
	return e;
}

void calls_cache_revalidated(struct calls_cache *cc, struct calls_cache_ent *e,
                             const struct calls_http_policy *pol, uint64_t now_ns)
{
	cc->st.revalidated++;
	/* RFC 9111 §4.3.4: the 304's headers update the stored ones; keep validators it omits */
	struct calls_http_policy p = *pol;
	if (!p.etag[0])
		memcpy(p.etag, e->etag, sizeof(p.etag));
	if (!p.last_modified[0])
		memcpy(p.last_modified, e->last_modified, sizeof(p.last_modified));
	set_policy(e, &p, now_ns);
}

uint32_t calls_cache_count(const struct calls_cache *cc)
{
	return cc->n;
}

void calls_cache_note(struct calls_cache *cc, enum calls_cache_note what)
{
	if (what == CALLS_CACHE_NOTE_STALE_ON_ERROR)
		cc->st.stale_on_error++;
	else
		cc->st.load_waits++;
}

const struct calls_cache_stats *calls_cache_stats(const struct calls_cache *cc)
{
	return &cc->st;
}

json_t *calls_cache_json(const struct calls_cache *cc)
{
	if (!cc)
		return json_null();
	const struct calls_cache_stats *s = &cc->st;
	json_t *o = json_object();
#define CC_SET(name, v) json_object_set_new(o, name, json_integer((json_int_t)(v)))
	CC_SET("entries", cc->n);
	CC_SET("max", cc->max);
	CC_SET("plays_fresh", s->fresh_hits);
	CC_SET("plays_revalidated", s->revalidated);
	CC_SET("conditional", s->conditional);
	CC_SET("refetched", s->refetched);
	CC_SET("replaced", s->replaced);
	CC_SET("no_store", s->no_store);
	CC_SET("inserted", s->inserted);
	CC_SET("evicted", s->evicted);
	CC_SET("evicted_frames", s->evicted_frames);
	CC_SET("superseded_retired", s->superseded_retired);
	CC_SET("evict_blocked", s->evict_blocked);
	CC_SET("table_full", s->table_full);
	CC_SET("retire_errors", s->retire_errors);
	CC_SET("stale_on_error", s->stale_on_error);
	CC_SET("load_waits", s->load_waits);
#undef CC_SET
	return o;
}
