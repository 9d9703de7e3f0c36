/* SPDX-License-Identifier: BSD-3-Clause */
/* calls_media.c — Say and Play on a call's leg: prompts as clips of the shared media pool,
 * tracked by the prompt cache (calls_cache.c): Say by its text, Play by its URL with HTTP
 * revalidation; TTS and decoding off the loop (control/media); clips retired LRU when the pool
 * or the table is full, never under a leg that plays them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "calls_cache.h"
#include "calls_priv.h"
#include "ctl_log.h"
#include "ctl_media.h"
#include "ctl_pool.h"
#include "http_ctl.h"

#define TAG "calls"
#define MEDIA_RETRY_MS 10    /* a load that waits for retired slabs tries again after */
#define MEDIA_RETRIES 50     /* ... at most this often (0.5 s) */
#define MEDIA_LOW_WATER 8    /* keep 1/8 of the pool's slabs free (LRU retirement ahead) */
#define MEDIA_EVICT_AHEAD 16 /* entries retired at most per prompt loaded */

/* Pool tag of a prompt's part (and, part UINT32_MAX, its key in the cache): SHA-1 of (kind,
 * strings, part), first 16 bytes. A Play's parts carry its generation in c: a newer version of
 * a URL gets new tags, the old clips play on under their own until retired. */
static void media_tag(uint8_t tag[16], const char *kind, const char *a, const char *b,
                      const char *c, uint32_t part)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	const char *v[] = {kind, a ?: "", b ?: "", c ?: ""};
	EVP_MD_CTX *s = EVP_MD_CTX_new();
	memset(tag, 0xff, 16); /* not a tag anything is loaded with (0 is the untagged one) */
	if (!s || EVP_DigestInit_ex(s, EVP_sha1(), NULL) != 1) {
		EVP_MD_CTX_free(s);
		return; /* out of memory: finds nothing */
	}
	for (int i = 0; i < 4; i++)
		EVP_DigestUpdate(s, v[i], strlen(v[i]) + 1);
	EVP_DigestUpdate(s, &part, sizeof(part));
	if (EVP_DigestFinal_ex(s, d, &dl) == 1 && dl >= 16)
		memcpy(tag, d, 16);
	EVP_MD_CTX_free(s);
}

static int media_retire(void *arg, vox_clip_t clip)
{
	struct ctl_calls *m = arg;
	return m->c->pool ? ctl_pool_clip_retire(m->c->pool, clip) : -ESTALE;
}

/*
 * Orphans. The table is not kept across a control restart, but the pool is: the prompt clips
 * the previous control loaded (tagged: untagged clips are the admin socket's) are found at the
 * first prompt after the attach. A Say of the same text adopts its clips by tag (a resumed call
 * re-says its prompt); whatever is not adopted within prompt_orphan_s (default 120 s, longer
 * than a resumed call takes to re-issue its media, which replaces any PLAY of the previous
 * control on its leg) is retired, so restarts do not leak pool space.
 */
static void orphans_find(struct ctl_calls *m, struct ctl_pool *pool)
{
	free(m->orphans);
	m->orphans = NULL;
	m->n_orphans = 0;
	const struct vox_pool_hdr *p = ctl_pool_region(pool);
	static const uint8_t zero[16];
	uint32_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < p->n_clips; i++) {
			const struct vox_pool_clip *c = vox_pool_clip_at(p, i);
			uint64_t w = atomic_load_explicit(&((struct vox_pool_clip *)c)->word,
			                                  memory_order_relaxed);
			if ((uint32_t)w != VOX_CLIP_READY || !memcmp(c->tag, zero, 16) ||
			    calls_queue_hold_tag(c->tag))
				continue; /* the queues' hold music stays: waiting callers play it */
			if (pass == 1)
				m->orphans[m->n_orphans++] = vox_clip_make(i, (uint32_t)(w >> 32));
			else
				n++;
		}
		if (pass == 0 && (!n || !(m->orphans = malloc(n * sizeof(vox_clip_t)))))
			return;
	}
	m->orphans_found += m->n_orphans;
	m->orphan_due_ns = ctl_mono_ns() + (uint64_t)m->c->cfg.prompt_orphan_s * 1000000000ull;
	CTL_INFO(TAG,
	         "media pool: %u prompt clips of a previous control; those not reused are "
	         "retired in %u s",
	         m->n_orphans, m->c->cfg.prompt_orphan_s);
}

/* A Say adopted clip h: it is no orphan. */
static void orphan_adopted(struct ctl_calls *m, vox_clip_t h)
{
	for (uint32_t i = 0; i < m->n_orphans; i++)
		if (m->orphans[i] == h) {
			m->orphans[i] = m->orphans[--m->n_orphans];
			m->orphans_adopted++;
			return;
		}
}

static void orphans_retire(struct ctl_calls *m, struct ctl_pool *pool)
{
	for (uint32_t i = 0; i < m->n_orphans; i++)
		if (ctl_pool_clip_state(pool, m->orphans[i]) == VOX_CLIP_READY &&
		    ctl_pool_clip_retire(pool, m->orphans[i]) == 0)
			m->orphans_retired++;
	free(m->orphans);
	m->orphans = NULL;
	m->n_orphans = 0;
}

/* The prompt cache of the attached pool (a new pool, after a dataplane reboot, starts an
 * empty one: the old handles mean nothing there). NULL when no pool is attached. */
static struct calls_cache *media_cache(struct ctl_calls *m)
{
	struct ctl_pool *pool = m->c->pool;
	if (!pool)
		return NULL;
	uint64_t id = ctl_pool_region(pool)->formatted_ns;
	if (m->cache && (m->cache_pool != pool || m->cache_pool_id != id)) {
		calls_cache_destroy(m->cache);
		m->cache = NULL;
	}
	if (!m->cache) {
		if (calls_cache_create(&m->cache, CALLS_CACHE_MAX, (uint32_t)ctl_real_ns() | 1u,
		                       media_retire, m) != 0)
			return NULL;
		m->cache_pool = pool;
		m->cache_pool_id = id;
		if (!m->play_gen)
			m->play_gen = ctl_real_ns(); /* unique across restarts */
		orphans_find(m, pool);
	}
	uint64_t now = ctl_mono_ns();
	if (m->n_orphans && now >= m->orphan_due_ns)
		orphans_retire(m, pool);
	/* superseded and no-store prompts whose legs are done: retired at every prompt */
	calls_cache_sweep(m->cache, now);
	return m->cache;
}

json_t *calls_media_json(struct ctl_calls *m)
{
	json_t *o = calls_cache_json(m->cache);
	if (!json_is_object(o))
		return o;
	json_object_set_new(o, "orphans", json_integer(m->n_orphans));
	json_object_set_new(o, "orphans_found", json_integer((json_int_t)m->orphans_found));
	json_object_set_new(o, "orphans_adopted", json_integer((json_int_t)m->orphans_adopted));
	json_object_set_new(o, "orphans_retired", json_integer((json_int_t)m->orphans_retired));
	if (m->c->pool) {
		struct ctl_pool_stats st;
		ctl_pool_stats(m->c->pool, &st);
		json_object_set_new(o, "pool",
		                    json_pack("{s:i, s:i, s:i, s:i}", "slabs_total",
		                              (int)st.slabs_total, "slabs_used", (int)st.slabs_used,
		                              "clips_ready", (int)st.clips_ready, "clips_retired",
		                              (int)st.clips_retired));
	}
	return o;
}

void calls_media_close(struct ctl_calls *m)
{
	calls_cache_destroy(m->cache);
	m->cache = NULL;
	free(m->orphans);
	m->orphans = NULL;
	m->n_orphans = 0;
}

/* Every clip of the entry still READY (the pool may have been touched by a rebuild). */
static bool media_ent_ok(struct ctl_pool *pool, const struct calls_cache_ent *e)
{
	for (uint32_t i = 0; i < e->n; i++)
		if (ctl_pool_clip_state(pool, e->clip[i]) != VOX_CLIP_READY)
			return false;
	return true;
}

/* The call's leg now plays entry r (0: nothing of the cache): the previous one is released. */
static void media_hold(struct call *k, calls_cache_ref_t r)
{
	struct calls_cache *cc = k->m->cache;
	if (k->media_ref == r || !cc)
		return;
	uint64_t now = ctl_mono_ns();
	if (k->media_ref)
		calls_cache_release(cc, k->media_ref, now);
	k->media_ref = r;
	if (r)
		calls_cache_hold(cc, r, now);
}

static void media_unhold(struct call *k)
{
	if (k->media_ref && k->m->cache)
		calls_cache_release(k->m->cache, k->media_ref, ctl_mono_ns());
	k->media_ref = 0;
}

static void media_play(struct call *k, const struct calls_cache_ent *e, uint32_t loop)
{
	struct vox_play p = {.n = e->n, .loop = loop};
	memcpy(p.clip, e->clip, e->n * sizeof(e->clip[0]));
	calls_cache_ref_t r = calls_cache_ref(k->m->cache, e);
	if (call_cmd(k, VOX_CMD_PLAY, 0, &p, sizeof(p)) == 0) {
		k->media_sent = true;
		media_hold(k, r);
	} else if (k->eng) {
		twiml_on_media_done(k->eng, k->media_token, false);
	}
}

/* A failed prompt: the verb is skipped (Twilio goes on with the next verb), counted. */
static void media_fail(struct call *k, uint32_t code, const char *why)
{
	k->m->cnt.media_errors++;
	CTL_WARN(TAG, "%s: media: %s", k->sid, why);
	calls_notify(k, code, NULL, why, 1);
	if (k->eng)
		twiml_on_media_done(k->eng, k->media_token, false);
}

struct media_job {
	void *ref;
	uint32_t token, loop;
	char kind[8];
	char *a, *b, *c;
	calls_cache_ref_t stale; /* Play: the stale entry being revalidated (held meanwhile) */
	bool has_policy;
	struct calls_http_policy pol; /* Play: the answer's */
	int16_t *pcm;                 /* decoded, waiting for pool room */
	size_t n_pcm;
	uint32_t tries;
};

static void job_free(struct media_job *j)
{
	struct ctl_calls *m = calls_module();
	if (j->stale && m && m->cache)
		calls_cache_release(m->cache, j->stale, ctl_mono_ns());
	free(j->pcm);
	free(j->a);
	free(j->b);
	free(j->c);
	free(j);
}

/*
 * Load j's samples as up to CALLS_PLAY_CLIPS clips (the rest of a longer prompt is cut, as a
 * pool clip is 489 s). -ENOSPC: the pool is full even after retiring what could be; nothing
 * of this prompt stays in the pool then.
 */
static int media_load(struct ctl_calls *m, struct media_job *j, vox_clip_t *clips, uint32_t *n_out,
                      uint32_t *frames_out)
{
	struct ctl_pool *pool = m->c->pool;
	struct ctl_pool_stats st;
	ctl_pool_stats(pool, &st);
	size_t per = (size_t)st.max_frames * 160;
	bool play = strcmp(j->kind, "play") == 0;
	char gen[24];
	snprintf(gen, sizeof(gen), "%llu", (unsigned long long)m->play_gen++);
	uint32_t parts = 0, frames = 0;
	int rc = 0;
	for (size_t off = 0; off < j->n_pcm && parts < CALLS_PLAY_CLIPS; off += per) {
		uint8_t tag[16];
		if (play)
			media_tag(tag, "play", j->a, gen, NULL, parts);
		else
			media_tag(tag, j->kind, j->a, j->b, j->c, parts);
		size_t len = j->n_pcm - off < per ? j->n_pcm - off : per;
		rc = ctl_pool_clip_load(pool, tag, j->pcm + off, (uint32_t)len, &clips[parts]);
		if (rc == -ENOSPC) {
			/* room from the least recently used prompts (frames of the rest, at least)
			 */
			uint64_t want = (j->n_pcm - off + 159) / 160;
			calls_cache_evict(m->cache, ctl_mono_ns(), want, 0);
			ctl_pool_reclaim(pool);
			rc = ctl_pool_clip_load(pool, tag, j->pcm + off, (uint32_t)len,
			                        &clips[parts]);
		}
		if (rc)
			break;
		frames += (uint32_t)((len + 159) / 160);
		parts++;
	}
	if (rc) {
		for (uint32_t i = 0; i < parts; i++)
			ctl_pool_clip_retire(pool, clips[i]); /* never played: nobody reads them */
		return rc;
	}
	*n_out = parts;
	*frames_out = frames;
	return 0;
}

/* Keep 1/8 of the slabs free ahead of the next prompt: retire LRU prompts (reclaimed by the
 * attach heartbeat once the workers moved on). */
static void media_low_water(struct ctl_calls *m)
{
	struct ctl_pool_stats st;
	ctl_pool_stats(m->c->pool, &st);
	uint32_t low = st.slabs_total / MEDIA_LOW_WATER;
	if (st.slabs_free >= low)
		return;
	uint64_t want = (uint64_t)(low - st.slabs_free) * st.frames_per_slab;
	calls_cache_evict(m->cache, ctl_mono_ns(), want, MEDIA_EVICT_AHEAD);
}

static void job_deliver(struct call *k, struct media_job *j);

static int64_t job_retry(struct ctl_loop *l, uint64_t id, void *arg)
{
	struct media_job *j = arg;
	struct call *k = call_deref(calls_module(), j->ref);
	if (!k || k->media_token != j->token || k->leg_gone) {
		job_free(j);
		return CTL_TIMER_STOP;
	}
	if (k->m->c->pool)
		ctl_pool_reclaim(k->m->c->pool);
	job_deliver(k, j);
	return CTL_TIMER_STOP;
}

/* j's samples are decoded: into the pool and the cache, then PLAY. */
static void job_deliver(struct call *k, struct media_job *j)
{
	struct ctl_calls *m = k->m;
	struct calls_cache *cc = media_cache(m);
	uint64_t now = ctl_mono_ns();
	bool say = strcmp(j->kind, "say") == 0;
	if (!cc) {
		media_fail(k, say ? 13520 : 13227, "media pool not attached");
		job_free(j);
		return;
	}
	calls_cache_sweep(cc, now);
	if (calls_cache_reserve(cc, now) != 0) {
		media_fail(k, 12300, "prompt cache full (every prompt is playing)");
		job_free(j);
		return;
	}
	vox_clip_t clips[CALLS_PLAY_CLIPS];
	uint32_t n = 0, frames = 0;
	int rc = media_load(m, j, clips, &n, &frames);
	if (rc == -ENOSPC && j->tries < MEDIA_RETRIES && m->c->pool &&
	    ctl_pool_region(m->c->pool)->stats.clips_retired) {
		/* retired clips wait for the workers' epochs: try again shortly */
		j->tries++;
		calls_cache_note(cc, CALLS_CACHE_NOTE_LOAD_WAIT);
		k->media_job = 1;
		if (ctl_loop_add_timer(m->c->loop, MEDIA_RETRY_MS, job_retry, j))
			return;
	}
	if (rc || !n) {
		media_fail(k, 12300, "media pool full");
		job_free(j);
		return;
	}
	uint8_t key[16];
	media_tag(key, j->kind, j->a, j->b, j->c, UINT32_MAX);
	struct calls_cache_ent *e =
	    calls_cache_insert(cc, key, say ? CALLS_CACHE_SAY : CALLS_CACHE_PLAY, clips, n, frames,
	                       j->has_policy ? &j->pol : NULL, now);
	k->media_job = 0;
	media_play(k, e, j->loop);
	media_low_water(m);
	job_free(j);
}

static void media_done_cb(void *cookie, uint64_t id, struct ctl_media_result *res)
{
	struct media_job *j = cookie;
	struct call *k = call_deref(calls_module(), j->ref);
	if (k && k->media_job == id)
		k->media_job = 0;
	if (!k || k->media_token != j->token || k->leg_gone) {
		free(res->samples);
		job_free(j);
		return;
	}
	if (res->status) {
		free(res->samples);
		media_fail(k, strcmp(j->kind, "say") == 0 ? 13520 : 13227, res->error);
		job_free(j);
		return;
	}
	CTL_DEBUG(TAG, "%s: %s ready: %zu samples (from %u Hz, %u ch)", k->sid, j->kind,
	          res->n_samples, res->src_rate, res->src_channels);
	j->pcm = res->samples;
	j->n_pcm = res->n_samples;
	job_deliver(k, j);
}

static struct media_job *job_new(struct call *k, uint32_t token, uint32_t loop, const char *kind,
                                 const char *a, const char *b, const char *c)
{
	struct media_job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->ref = call_ref(k);
	j->token = token;
	j->loop = loop;
	snprintf(j->kind, sizeof(j->kind), "%s", kind);
	j->a = strdup(a ?: "");
	j->b = strdup(b ?: "");
	j->c = strdup(c ?: "");
	if (!j->a || !j->b || !j->c) {
		job_free(j);
		return NULL;
	}
	return j;
}

/* A cached prompt that is fresh and whole: played. */
static bool media_try_cached(struct call *k, struct calls_cache *cc, struct calls_cache_ent *e,
                             uint32_t loop)
{
	if (!media_ent_ok(k->m->c->pool, e)) {
		calls_cache_forget(cc, e); /* gone under us (a rebuild): load it again */
		return false;
	}
	media_play(k, e, loop);
	return true;
}

void calls_media_say(struct call *k, uint32_t token, const char *text, const char *voice,
                     const char *lang, uint32_t loop)
{
	k->media_token = token;
	k->media_sent = false;
	struct calls_cache *cc = media_cache(k->m);
	if (cc) {
		uint8_t key[16];
		media_tag(key, "say", text, voice, lang, UINT32_MAX);
		struct calls_cache_ent *e = calls_cache_find(cc, key);
		if (e && calls_cache_use(cc, e, ctl_mono_ns()) == CALLS_CACHE_FRESH &&
		    media_try_cached(k, cc, e, loop)) {
			k->m->cnt.prompts_cached++;
			return;
		}
		/* a restarted control finds the clips of its predecessor by their tags */
		vox_clip_t clips[CALLS_PLAY_CLIPS];
		uint32_t n = 0, frames = 0;
		for (; n < CALLS_PLAY_CLIPS; n++) {
			uint8_t tag[16];
			media_tag(tag, "say", text, voice, lang, n);
			clips[n] = ctl_pool_find(k->m->c->pool, tag);
			const struct vox_pool_clip *pc =
			    clips[n] ? vox_pool_lookup(ctl_pool_region(k->m->c->pool), clips[n])
			             : NULL;
			if (!pc)
				break;
			frames += pc->n_frames;
		}
		if (n && calls_cache_reserve(cc, ctl_mono_ns()) == 0) {
			for (uint32_t i = 0; i < n; i++)
				orphan_adopted(k->m, clips[i]);
			e = calls_cache_insert(cc, key, CALLS_CACHE_SAY, clips, n, frames, NULL,
			                       ctl_mono_ns());
			k->m->cnt.prompts_cached++;
			media_play(k, e, loop);
			return;
		}
	}
	struct media_job *j = job_new(k, token, loop, "say", text, voice, lang);
	if (!k->m->media || !j) {
		if (j)
			job_free(j);
		media_fail(k, 13520, "text to speech unavailable");
		return;
	}
	k->m->cnt.prompts_tts++;
	if (ctl_media_submit_tts(k->m->media, text, voice, lang, media_done_cb, j, &k->media_job)) {
		job_free(j);
		media_fail(k, 13520, "text to speech refused the prompt");
	}
}

/* Decode data (owned, freed by the decoder or here) for job j, then load and PLAY. */
static void play_decode(struct call *k, struct media_job *j, void *data, size_t len)
{
	struct ctl_media_src src = {.format = CTL_MEDIA_AUTO, .data = data, .len = len};
	if (!k->m->media ||
	    ctl_media_submit_decode(k->m->media, &src, media_done_cb, j, &k->media_job) != 0) {
		free(data);
		job_free(j);
		media_fail(k, 13227, "decoder unavailable");
	}
}

static void play_fetched(const struct http_result *res, void *arg)
{
	struct media_job *j = arg;
	struct call *k = call_deref(calls_module(), j->ref);
	if (!k || k->media_token != j->token || k->leg_gone) {
		job_free(j);
		return;
	}
	k->media_job = 0;
	struct calls_cache *cc = media_cache(k->m);
	struct calls_cache_ent *old = cc && j->stale ? calls_cache_get(cc, j->stale) : NULL;
	if (old && old->superseded) {
		/* another call's 200 replaced it meanwhile: the newest copy held is what plays on a
		 * 304 (or on an error) */
		uint8_t key[16];
		media_tag(key, "play", j->a, NULL, NULL, UINT32_MAX);
		old = calls_cache_find(cc, key);
	}
	struct calls_http_policy pol;
	calls_http_policy(res->cache_control, res->expires, res->date, res->age, res->etag,
	                  res->last_modified, (int64_t)(ctl_real_ns() / 1000000000ull), &pol);
	if (!res->error && res->status == 304 && old) {
		/* not modified: the cached clip plays, fresh again for the answer's lifetime */
		calls_cache_revalidated(cc, old, &pol, ctl_mono_ns());
		k->m->cnt.plays_cached++;
		if (!media_try_cached(k, cc, old, j->loop))
			media_fail(k, 11200, "Play: the revalidated clip is gone from the pool");
		job_free(j);
		return;
	}
	if (res->error || res->status == 304) {
		char why[160];
		snprintf(why, sizeof(why), "Play %s: HTTP %ld (%d)", j->a, res->status,
		         res->error ? res->error : HTTP_ERR_RETRIEVAL);
		if (old && media_ent_ok(k->m->c->pool, old)) {
			/* the application is unreachable: the stale clip rather than silence */
			CTL_WARN(TAG, "%s: %s: playing the stale cached clip", k->sid, why);
			calls_cache_note(cc, CALLS_CACHE_NOTE_STALE_ON_ERROR);
			media_play(k, old, j->loop);
			job_free(j);
			return;
		}
		job_free(j);
		media_fail(k, 11200, why);
		return;
	}
	void *data = malloc(res->body_len ? res->body_len : 1);
	if (!data) {
		job_free(j);
		media_fail(k, 11200, "out of memory");
		return;
	}
	memcpy(data, res->body, res->body_len);
	k->m->cnt.plays_fetched++;
	j->pol = pol;
	j->has_policy = true;
	play_decode(k, j, data, res->body_len);
}

void calls_media_play(struct call *k, uint32_t token, const char *url, uint32_t loop)
{
	k->media_token = token;
	k->media_sent = false;
	char abs[CALLS_URL_MAX];
	if (http_url_resolve(k->doc_url[0] ? k->doc_url : url, url, abs, sizeof(abs)) != 0)
		snprintf(abs, sizeof(abs), "%s", url);
	/* the <Play> an audio answer stands for: its body is here already */
	void *audio = NULL;
	size_t audio_len = k->hook_audio_len;
	if (k->hook_audio && strcmp(k->hook_audio_url, url) == 0) {
		audio = k->hook_audio;
		k->hook_audio = NULL;
		free(k->hook_audio_url);
		k->hook_audio_url = NULL;
	}
	struct calls_cache *cc = media_cache(k->m);
	struct calls_cache_ent *e = NULL;
	enum calls_cache_use use = CALLS_CACHE_REFETCH;
	if (cc && !audio) {
		uint8_t key[16];
		media_tag(key, "play", abs, NULL, NULL, UINT32_MAX);
		e = calls_cache_find(cc, key);
		use = e ? calls_cache_use(cc, e, ctl_mono_ns()) : CALLS_CACHE_REFETCH;
		if (e && use == CALLS_CACHE_FRESH && media_try_cached(k, cc, e, loop)) {
			k->m->cnt.plays_cached++;
			return;
		}
	}
	struct media_job *j = job_new(k, token, loop, "play", abs, NULL, NULL);
	if (audio) {
		if (!j) {
			free(audio);
			media_fail(k, 11200, "out of memory");
			return;
		}
		play_decode(k, j, audio, audio_len);
		return;
	}
	/* stale with a validator: a conditional GET, the entry held until the answer */
	struct http_kv hv[2];
	size_t nh = 0;
	if (j && e && use == CALLS_CACHE_REVALIDATE && !e->superseded) {
		j->stale = calls_cache_ref(cc, e);
		calls_cache_hold(cc, j->stale, ctl_mono_ns());
		if (e->etag[0])
			hv[nh++] = (struct http_kv){"If-None-Match", e->etag};
		if (e->last_modified[0])
			hv[nh++] = (struct http_kv){"If-Modified-Since", e->last_modified};
	}
	/* signed like every request to the application (GET: the URL alone) */
	struct http_request rq = {.url = abs,
	                          .method = "GET",
	                          .auth_token = k->token[0] ? k->token : NULL,
	                          .headers = hv,
	                          .nheaders = nh};
	if (!j || !k->m->media_fetch ||
	    http_fetch_start(k->m->media_fetch, &rq, play_fetched, j, NULL) != 0) {
		if (j)
			job_free(j);
		media_fail(k, 11200, "Play: the fetch could not start");
		return;
	}
	k->media_job = 1; /* a fetch: not cancellable by id, its token decides */
}

void calls_media_stop(struct call *k)
{
	if (k->media_job > 1 && k->m->media)
		ctl_media_cancel(k->m->media, k->media_job);
	k->media_job = 0;
	if (k->media_sent) {
		/* the STOP's MEDIA_DONE (status 1) is the stopped media's: swallow it */
		k->media_sent = false;
		if (call_cmd(k, VOX_CMD_STOP, 0, NULL, 0) == 0)
			k->media_stop++;
	}
	media_unhold(k);
	k->media_token = 0;
}

void calls_ops_media_done(struct call *k, int32_t status)
{
	if (k->media_stop) {
		k->media_stop--;
		return;
	}
	if (!k->media_sent)
		return;
	k->media_sent = false;
	media_unhold(k); /* the leg's playout is over */
	if (k->ob_digits_wait) {
		k->ob_digits_wait = false; /* SendDigits were sent: now the markup */
		calls_api_markup(k);
		return;
	}
	if (k->eng)
		twiml_on_media_done(k->eng, k->media_token, status == 1);
}

void calls_ops_cancel(struct call *k)
{
	if (k->media_job > 1 && k->m->media)
		ctl_media_cancel(k->m->media, k->media_job);
	k->media_job = 0;
	media_unhold(k);
	if (k->timer)
		ctl_loop_del_timer(k->m->c->loop, k->timer);
	k->timer = 0;
}
