/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_media_tts.c — text to speech: the espeak-ng thread, and the prompt cache on the loop. */

/*
 * espeak-ng keeps its state in process globals and is not reentrant, so one thread owns it:
 * it initialises the library (AUDIO_OUTPUT_SYNCHRONOUS: espeak_Synth returns when the text is
 * spoken, handing 22050 Hz samples to the synth callback as it goes) and takes jobs from
 * tts_q. The callback pushes samples into the same 8 kHz sink the decoders use.
 *
 * The cache lives on the loop thread and needs no lock. Key: "text\0voice\0language\0".
 * A miss creates a pending entry and sends one synthesis; a submit for the same key meanwhile
 * waits on the entry instead of synthesising again; when the synthesis comes back, the entry
 * keeps a copy of the samples (most recently used first) and every waiter gets its own copy.
 * Bounded by total samples and by entries; the least recently used ready entries go first.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <espeak-ng/speak_lib.h>

#include "ctl_log.h"
#include "ctl_media_priv.h"

/* ---- the speech thread ---- */

/* The synthesis in progress. The synth callback is a process-wide function pointer without
 * a reliable argument in every event list, so the one thread that runs espeak-ng keeps its
 * current job here (thread-local: nobody else reads it). */
struct ctl_media_tts_ctx {
	struct ctl_media_sink sink;
	int rc;
};
static _Thread_local struct ctl_media_tts_ctx *ctl_media_tts_cur;

static int ctl_media_tts_cb(short *wav, int n, espeak_EVENT *ev)
{
	struct ctl_media_tts_ctx *c = ctl_media_tts_cur;
	if (!c || c->rc)
		return 1; /* abort */
	float buf[1024];
	while (wav && n > 0) {
		int k = n > 1024 ? 1024 : n;
		for (int i = 0; i < k; i++)
			buf[i] = wav[i];
		c->rc = ctl_media_sink_push(&c->sink, buf, (size_t)k);
		if (c->rc)
			return 1;
		wav += k;
		n -= k;
	}
	return 0;
}

static bool ctl_media_word_is(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcasecmp(s, *words))
			return true;
	return false;
}

/* Choose the voice: an espeak-ng voice name, else language + gender. Returns 0 or -EIO. */
static int ctl_media_tts_voice(const char *voice, const char *language,
                               struct ctl_media_result *res)
{
	static const char *const male[] = {"man", "male", NULL};
	static const char *const female[] = {"woman", "female", "alice", NULL};
	char lang[32];
	size_t i;
	for (i = 0; language[i] && i < sizeof(lang) - 1; i++)
		lang[i] = language[i] == '_' ? '-' : (char)tolower((unsigned char)language[i]);
	lang[i] = '\0';
	if (!lang[0])
		strcpy(lang, "en");
	unsigned char gender = 0;
	if (ctl_media_word_is(voice, male))
		gender = 1;
	else if (ctl_media_word_is(voice, female))
		gender = 2;
	else if (voice[0] && espeak_SetVoiceByName(voice) == EE_OK)
		return 0;

	espeak_VOICE v;
	memset(&v, 0, sizeof(v));
	v.languages = lang;
	v.gender = gender;
	if (espeak_SetVoiceByProperties(&v) == EE_OK)
		return 0;
	char *dash = strchr(lang, '-'); /* "pt-br" unknown: try "pt" */
	if (dash) {
		*dash = '\0';
		if (espeak_SetVoiceByProperties(&v) == EE_OK)
			return 0;
	}
	return ctl_media_fail(res, -EIO, "no espeak-ng voice for voice '%s' language '%s'", voice,
	                      language);
}

static void ctl_media_tts_synth(struct ctl_media *m, struct ctl_media_job *j, int rate)
{
	const char *text = j->key;
	const char *voice = text + strlen(text) + 1;
	const char *language = voice + strlen(voice) + 1;
	struct ctl_media_result *res = &j->res;
	res->src_rate = (uint32_t)rate;
	res->src_channels = 1;
	if (ctl_media_tts_voice(voice, language, res))
		return;
	struct ctl_media_tts_ctx c;
	c.rc = ctl_media_sink_init(&c.sink, &m->lim, res, (uint32_t)rate, 0);
	if (c.rc)
		goto out;
	ctl_media_tts_cur = &c;
	espeak_ERROR e =
	    espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
	ctl_media_tts_cur = NULL;
	if (c.rc)
		goto out; /* the sink said why */
	if (e != EE_OK) {
		ctl_media_fail(res, -EIO, "espeak_Synth failed (%d)", (int)e);
		goto out;
	}
	ctl_media_sink_finish(&c.sink);
out:
	ctl_media_sink_fini(&c.sink);
}

/*
 * espeak-ng cannot be initialised again after espeak_Terminate (its internal event thread
 * and fifo state are not reset; a second start hangs), so it is initialised once per process,
 * by the first speech thread, and left to the process exit. Only the speech thread touches
 * this, and only one speech thread exists at a time (ctl_media_create's -EBUSY guard; the
 * previous thread was joined, which orders its writes before the next thread's reads).
 */
static int ctl_media_espeak_rate; /* 0: not yet; < 0: failed (tried again next start) */

void *ctl_media_tts_main(void *arg)
{
	struct ctl_media *m = arg;
	if (ctl_media_espeak_rate <= 0) {
		ctl_media_espeak_rate = espeak_Initialize(
		    AUDIO_OUTPUT_SYNCHRONOUS, 0, m->espeak_data, espeakINITIALIZE_DONT_EXIT);
		if (ctl_media_espeak_rate > 0)
			espeak_SetSynthCallback(ctl_media_tts_cb);
		else
			CTL_WARN(CTL_MEDIA_TAG,
			         "espeak-ng failed to initialise (data: %s): no speech",
			         m->espeak_data ? m->espeak_data : "default");
	}
	int rate = ctl_media_espeak_rate;

	pthread_mutex_lock(&m->mu);
	for (;;) {
		while (!atomic_load(&m->stop) && !m->tts_q.head)
			pthread_cond_wait(&m->tts_cv, &m->mu);
		if (atomic_load(&m->stop))
			break;
		struct ctl_media_job *j = ctl_media_q_pop(&m->tts_q);
		pthread_mutex_unlock(&m->mu);
		if (rate <= 0) {
			ctl_media_fail(&j->res, -ENOTSUP, "espeak-ng is not available");
		} else if (atomic_load(&j->cancelled) && !j->ent) {
			ctl_media_fail(&j->res, -ECANCELED, "cancelled");
		} else {
			ctl_media_tts_synth(m, j, rate);
			j->ran = true;
		}
		ctl_media_post(m, j);
		pthread_mutex_lock(&m->mu);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

/* ---- the cache (loop thread) ---- */

static uint64_t ctl_media_hash(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)k[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct ctl_media_ent **ctl_media_bucket(struct ctl_media_cache *c, uint64_t h)
{
	return &c->buckets[h & (CTL_MEDIA_CACHE_BUCKETS - 1)];
}

static struct ctl_media_ent *ctl_media_cache_find(struct ctl_media_cache *c, const char *k,
                                                  size_t n, uint64_t h)
{
	for (struct ctl_media_ent *e = *ctl_media_bucket(c, h); e; e = e->hnext)
		if (e->hash == h && e->key_len == n && !memcmp(e->key, k, n))
			return e;
	return NULL;
}

static void ctl_media_lru_unlink(struct ctl_media_cache *c, struct ctl_media_ent *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else if (c->lru_head == e)
		c->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else if (c->lru_tail == e)
		c->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void ctl_media_lru_push(struct ctl_media_cache *c, struct ctl_media_ent *e)
{
	e->lru_prev = NULL;
	e->lru_next = c->lru_head;
	if (c->lru_head)
		c->lru_head->lru_prev = e;
	else
		c->lru_tail = e;
	c->lru_head = e;
}

/* Remove an entry (its waiters, if any, must have been taken already). */
static void ctl_media_ent_drop(struct ctl_media_cache *c, struct ctl_media_ent *e)
{
	struct ctl_media_ent **pp = ctl_media_bucket(c, e->hash);
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	if (!e->pending) {
		ctl_media_lru_unlink(c, e);
		c->samples -= e->n_samples;
	}
	c->entries--;
	free(e->samples);
	free(e->key);
	free(e);
}

/* Evict ready entries, least recently used first, until both bounds hold with `add` more
 * samples and one more entry. Returns whether they do. */
static bool ctl_media_cache_room(struct ctl_media *m, uint64_t add, uint32_t add_entries)
{
	struct ctl_media_cache *c = &m->cache;
	while (c->lru_tail &&
	       (c->samples + add > c->max_samples || c->entries + add_entries > c->max_entries)) {
		ctl_media_ent_drop(c, c->lru_tail);
		m->st.cache_evicted++;
	}
	return c->samples + add <= c->max_samples && c->entries + add_entries <= c->max_entries;
}

static int ctl_media_copy_result(struct ctl_media_result *dst, const int16_t *samples, size_t n,
                                 uint32_t src_rate)
{
	dst->samples = malloc(n * sizeof(*samples));
	if (!dst->samples)
		return ctl_media_fail(dst, -ENOMEM, "out of memory for %zu samples", n);
	memcpy(dst->samples, samples, n * sizeof(*samples));
	dst->n_samples = n;
	dst->src_rate = src_rate;
	dst->src_channels = 1;
	dst->status = 0;
	dst->error[0] = '\0';
	dst->cached = true;
	return 0;
}

void ctl_media_tts_done(struct ctl_media *m, struct ctl_media_job *j)
{
	struct ctl_media_cache *c = &m->cache;
	struct ctl_media_ent *e = j->ent;
	j->ent = NULL;
	struct ctl_media_job *w = NULL;
	while (e->waiters) { /* pushed at the head: reverse into submit order */
		struct ctl_media_job *x = e->waiters;
		e->waiters = x->next;
		x->next = w;
		w = x;
	}
	const struct ctl_media_result *r = &j->res;

	while (w) {
		struct ctl_media_job *next = w->next;
		w->waiting = false;
		w->ent = NULL;
		if (r->status == 0) {
			ctl_media_copy_result(&w->res, r->samples, r->n_samples, r->src_rate);
		} else {
			w->res.status = r->status;
			memcpy(w->res.error, r->error, sizeof(w->res.error));
		}
		ctl_media_post(m, w);
		w = next;
	}

	/* keep it if it fits: the pending entry already counts in entries */
	if (r->status == 0 && r->n_samples <= c->max_samples &&
	    ctl_media_cache_room(m, r->n_samples, 0) &&
	    (e->samples = malloc(r->n_samples * sizeof(*r->samples)))) {
		memcpy(e->samples, r->samples, r->n_samples * sizeof(*r->samples));
		e->n_samples = r->n_samples;
		e->src_rate = r->src_rate;
		e->pending = false;
		c->samples += e->n_samples;
		ctl_media_lru_push(c, e);
		return;
	}
	ctl_media_ent_drop(c, e); /* still pending: not on the LRU */
}

void ctl_media_cache_unwait(struct ctl_media *m, struct ctl_media_job *j)
{
	struct ctl_media_job **pp = &j->ent->waiters;
	while (*pp && *pp != j)
		pp = &(*pp)->next;
	if (*pp)
		*pp = j->next;
	j->next = NULL;
	j->ent = NULL;
	j->waiting = false;
}

void ctl_media_cache_clear(struct ctl_media *m)
{
	struct ctl_media_cache *c = &m->cache;
	for (unsigned b = 0; b < CTL_MEDIA_CACHE_BUCKETS; b++) {
		struct ctl_media_ent *e;
		while ((e = c->buckets[b])) {
			struct ctl_media_job *w;
			while ((w = e->waiters)) {
				e->waiters = w->next;
				ctl_media_job_free(w);
			}
			ctl_media_ent_drop(c, e);
		}
	}
}

static char *ctl_media_tts_key(const char *text, const char *voice, const char *language,
                               size_t *len)
{
	size_t a = strlen(text) + 1, b = strlen(voice) + 1, l = strlen(language) + 1;
	char *k = malloc(a + b + l);
	if (!k)
		return NULL;
	memcpy(k, text, a);
	memcpy(k + a, voice, b);
	memcpy(k + a + b, language, l);
	*len = a + b + l;
	return k;
}

int ctl_media_submit_tts(struct ctl_media *m, const char *text, const char *voice,
                         const char *language, ctl_media_done_fn *fn, void *cookie, uint64_t *id)
{
	if (!m || !fn || !text || !text[0])
		return -EINVAL;
	size_t klen;
	char *key = ctl_media_tts_key(text, voice ? voice : "", language ? language : "", &klen);
	if (!key)
		return -ENOMEM;
	struct ctl_media_job *j = ctl_media_job_new(m, CTL_MEDIA_JOB_TTS, fn, cookie);
	if (!j) {
		free(key);
		return -ENOMEM;
	}
	j->key = key;
	j->key_len = klen;
	if (id)
		*id = j->id;
	size_t tlen = strlen(text);
	if (tlen > m->cfg.max_text_bytes) {
		ctl_media_fail(&j->res, -EFBIG, "text is %zu bytes, over the %u byte limit", tlen,
		               m->cfg.max_text_bytes);
		ctl_media_post(m, j);
		return 0;
	}
	if (!m->tts_running) {
		ctl_media_fail(&j->res, -ENOTSUP, "speech is disabled");
		ctl_media_post(m, j);
		return 0;
	}

	struct ctl_media_cache *c = &m->cache;
	bool caching = c->max_samples > 0 && c->max_entries > 0;
	uint64_t h = ctl_media_hash(key, klen);
	struct ctl_media_ent *e = caching ? ctl_media_cache_find(c, key, klen, h) : NULL;
	if (e && !e->pending) {
		m->st.cache_hits++;
		ctl_media_lru_unlink(c, e);
		ctl_media_lru_push(c, e);
		ctl_media_copy_result(&j->res, e->samples, e->n_samples, e->src_rate);
		ctl_media_post(m, j);
		return 0;
	}
	if (e) {
		m->st.cache_joined++;
		j->waiting = true;
		j->ent = e;
		j->next = e->waiters;
		e->waiters = j;
		return 0;
	}
	if (!ctl_media_admit(m, j))
		return 0;
	if (caching && ctl_media_cache_room(m, 0, 1) && (e = calloc(1, sizeof(*e)))) {
		e->key = malloc(klen);
		if (e->key) {
			memcpy(e->key, key, klen);
			e->key_len = klen;
			e->hash = h;
			e->pending = true;
			struct ctl_media_ent **b = ctl_media_bucket(c, h);
			e->hnext = *b;
			*b = e;
			c->entries++;
			j->ent = e;
		} else {
			free(e);
		}
	}
	pthread_mutex_lock(&m->mu);
	ctl_media_q_push(&m->tts_q, j);
	pthread_mutex_unlock(&m->mu);
	pthread_cond_signal(&m->tts_cv);
	return 0;
}
