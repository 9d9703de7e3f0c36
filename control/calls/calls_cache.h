/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_cache.h — the call router's prompt cache: which media pool clips hold which Say or Play
 * prompt, the HTTP freshness of a Play URL's clip (RFC 9111, as a browser or CDN keeps it), which
 * legs are playing it, and the least-recently-used retirement of clips when the pool or the
 * table is full. Loop thread only. */
#ifndef CALLS_CACHE_H
#define CALLS_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "vox_abi.h"
#include "vox_pool.h"

#define CALLS_CACHE_MAX 1024           /* prompts tracked (entries of the table) */
#define CALLS_CACHE_CLIPS VOX_PLAY_MAX /* clips per prompt */
#define CALLS_CACHE_GRACE_MS 2000      /* a released prompt stays unretirable this long */
#define CALLS_CACHE_HEURISTIC_S 300    /* lifetime of an answer that gives none (see .c) */
#define CALLS_CACHE_HEURISTIC_MAX_S 86400
#define CALLS_CACHE_ETAG_MAX 128
#define CALLS_CACHE_DATE_MAX 64

enum calls_cache_kind { CALLS_CACHE_SAY = 1, CALLS_CACHE_PLAY = 2 };

/* What an HTTP answer says about keeping it (calls_http_policy). */
struct calls_http_policy {
	bool no_store;     /* Cache-Control: no-store: never kept */
	bool no_cache;     /* no-cache (or max-age=0): kept, revalidated at every use */
	bool heuristic;    /* no explicit lifetime: ours (CALLS_CACHE_HEURISTIC_S or 10% of the
	                    * Last-Modified age) */
	uint64_t fresh_ms; /* freshness lifetime left at reception (Age deducted) */
	char etag[CALLS_CACHE_ETAG_MAX];          /* "" when none (or too long to keep) */
	char last_modified[CALLS_CACHE_DATE_MAX]; /* "" when none */
};

/*
 * The policy of an answer from its headers ("" or NULL when absent). now_s: the real time of
 * reception (Date's fallback). Precedence (RFC 9111 §4.2.1): no-store; s-maxage, then max-age;
 * then Expires - Date (an unparsable Expires is already stale); else heuristic. `private` is
 * ignored (the platform plays the audio for the application that asked for it).
 */
void calls_http_policy(const char *cache_control, const char *expires, const char *date,
                       const char *age, const char *etag, const char *last_modified, int64_t now_s,
                       struct calls_http_policy *p);

/* What a cached prompt needs before it is played. */
enum calls_cache_use {
	CALLS_CACHE_FRESH = 0,      /* play it, no request */
	CALLS_CACHE_REVALIDATE = 1, /* stale with a validator: conditional GET first */
	CALLS_CACHE_REFETCH = 2,    /* stale without a validator: a plain GET */
};

/* A reference to an entry that survives its reuse: index | generation << 32. 0 is none. */
typedef uint64_t calls_cache_ref_t;

struct calls_cache_ent {
	uint8_t key[16];
	uint8_t kind;    /* enum calls_cache_kind; 0: free slot */
	bool superseded; /* replaced or never kept (no-store): no lookups, retired when free */
	bool no_cache;
	uint32_t gen; /* bumped at each reuse of the slot */
	uint32_t n;   /* clips */
	vox_clip_t clip[CALLS_CACHE_CLIPS];
	uint32_t frames;        /* all clips */
	uint32_t holders;       /* legs whose latest PLAY is this prompt, fetches revalidating it */
	uint64_t last_used_ns;  /* monotonic: the latest hold */
	uint64_t busy_until_ns; /* monotonic: not retired before (the latest release + grace) */
	uint64_t expires_ns;    /* monotonic: fresh until (Play) */
	char etag[CALLS_CACHE_ETAG_MAX];
	char last_modified[CALLS_CACHE_DATE_MAX];
	uint32_t lru_prev, lru_next; /* indices; UINT32_MAX: none. Most recent at the head */
};

struct calls_cache_stats {
	uint64_t fresh_hits;  /* played from the pool with no request (Say hits included) */
	uint64_t conditional; /* stale with a validator: conditional GETs decided */
	uint64_t revalidated; /* 304s: the cached clip played (plays_revalidated) */
	uint64_t refetched;   /* stale without a validator: plain GETs decided */
	uint64_t replaced;    /* a newer version superseded an entry (200 after stale) */
	uint64_t no_store, inserted;
	uint64_t stale_on_error; /* revalidation failed (error, 5xx): the stale clip played */
	uint64_t load_waits;     /* a load waited for retired slabs to be reclaimed */
	uint64_t evicted, evicted_frames, superseded_retired, evict_blocked, table_full;
	uint64_t retire_errors;
};

/* Retire one clip of an entry being dropped (ctl_pool_clip_retire). Returns 0 or -errno. */
typedef int calls_cache_retire_fn(void *arg, vox_clip_t clip);

struct calls_cache;

/* max: entries, 1..CALLS_CACHE_MAX*64; gen_seed: first generation of the slots (references
 * into an older table must not match this one). Returns 0, -EINVAL or -ENOMEM. */
int calls_cache_create(struct calls_cache **out, uint32_t max, uint32_t gen_seed,
                       calls_cache_retire_fn *retire, void *arg);
/* Forget the table; clips stay in the pool (a restarted control finds Say clips by tag). */
void calls_cache_destroy(struct calls_cache *cc);

/* The live (not superseded) entry with this key, or NULL. */
struct calls_cache_ent *calls_cache_find(struct calls_cache *cc, const uint8_t key[16]);
/* Never find it again; retired once free (its clips went bad, e.g. a pool rebuild). */
void calls_cache_forget(struct calls_cache *cc, struct calls_cache_ent *e);
/* What the entry needs before playing (Say: always fresh); counted. */
enum calls_cache_use calls_cache_use(struct calls_cache *cc, const struct calls_cache_ent *e,
                                     uint64_t now_ns);
calls_cache_ref_t calls_cache_ref(const struct calls_cache *cc, const struct calls_cache_ent *e);
/* The entry of a reference, or NULL when the slot was dropped or reused since. */
struct calls_cache_ent *calls_cache_get(struct calls_cache *cc, calls_cache_ref_t r);

/* A leg plays it (or a fetch revalidates it): it is most recently used and not retirable
 * until released. */
void calls_cache_hold(struct calls_cache *cc, calls_cache_ref_t r, uint64_t now_ns);
/* The holder is done (MEDIA_DONE, STOP, a new PLAY, the leg gone): retirable once the grace
 * has passed (commands in flight to the dataplane). A stale reference is ignored. */
void calls_cache_release(struct calls_cache *cc, calls_cache_ref_t r, uint64_t now_ns);

/*
 * Make room for one entry: a free slot, else the least recently used retirable entry is
 * retired. Returns 0, or -ENOSPC (every entry held or in its grace: counted table_full).
 */
int calls_cache_reserve(struct calls_cache *cc, uint64_t now_ns);
/*
 * Track the clips of a prompt just loaded (a slot must have been reserved). pol: a Play's
 * answer (NULL: Say, or an answer without headers: the heuristic). A live entry with the same
 * key is superseded (retired once its holders are gone). pol->no_store: the entry is born
 * superseded (played once, never found). Returns the entry or NULL (no slot: nothing changed).
 */
struct calls_cache_ent *calls_cache_insert(struct calls_cache *cc, const uint8_t key[16],
                                           enum calls_cache_kind kind, const vox_clip_t *clips,
                                           uint32_t n, uint32_t frames,
                                           const struct calls_http_policy *pol, uint64_t now_ns);
/* A 304 for the entry: new lifetime (and validators, when the 304 carries them). */
void calls_cache_revalidated(struct calls_cache *cc, struct calls_cache_ent *e,
                             const struct calls_http_policy *pol, uint64_t now_ns);

/*
 * Retire least recently used entries that nobody holds and whose grace is over, superseded
 * ones first, until want_frames frames are freed or max_n entries are gone (0: no bound).
 * Returns the frames freed.
 */
uint64_t calls_cache_evict(struct calls_cache *cc, uint64_t now_ns, uint64_t want_frames,
                           uint32_t max_n);
/* Retire superseded entries that are free now (nothing to do: O(1)). */
void calls_cache_sweep(struct calls_cache *cc, uint64_t now_ns);

uint32_t calls_cache_count(const struct calls_cache *cc);
enum calls_cache_note { CALLS_CACHE_NOTE_STALE_ON_ERROR, CALLS_CACHE_NOTE_LOAD_WAIT };
void calls_cache_note(struct calls_cache *cc, enum calls_cache_note what);
const struct calls_cache_stats *calls_cache_stats(const struct calls_cache *cc);
json_t *calls_cache_json(const struct calls_cache *cc);

#endif /* CALLS_CACHE_H */
