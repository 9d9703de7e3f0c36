/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_media.c — the media module's jobs: submit, worker pool, completions through an eventfd. */

/*
 * Design. The loop thread owns every job until it hands it over: a decode goes onto decode_q,
 * where one of the pool's threads takes it; a synthesis goes onto tts_q for the speech thread.
 * A thread that finishes a job appends it to done_q and, when done_q was empty, writes the
 * eventfd; the loop's read handler takes the whole list at once and runs the callbacks. One
 * mutex guards the three lists; nobody holds it while decoding or synthesising, so a submit
 * never waits for more than a list append. Completions the loop makes itself (queue full,
 * cache hits) go through the same done list, so a callback never runs inside a submit.
 *
 * The queue bound counts jobs handed to a thread and not yet delivered; it is kept by the
 * loop thread alone (admit at submit, release at delivery). Cancellation is by id: the job
 * leaves the registry, its callback will not run, and a thread that has not started it yet
 * skips it (atomic flag).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ctl_log.h"
#include "ctl_loop.h"
#include "ctl_media_priv.h"

/* espeak-ng is process-global: one module at a time may run the speech thread. */
static atomic_bool ctl_media_tts_owned;

void ctl_media_cfg_default(struct ctl_media_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->decode_threads = 2;
	cfg->queue_max = 64;
	cfg->max_duration_ms = 600000;
	cfg->max_input_bytes = 64ull << 20;
	cfg->max_text_bytes = 4096;
	cfg->resample_quality = 5;
	cfg->tts = true;
	cfg->tts_cache_samples = (uint64_t)CTL_MEDIA_RATE * 600;
	cfg->tts_cache_entries = 1024;
}

const char *ctl_media_format_name(enum ctl_media_format f)
{
	switch (f) {
	case CTL_MEDIA_AUTO:
		return "auto";
	case CTL_MEDIA_SNDFILE:
		return "sndfile";
	case CTL_MEDIA_MP3:
		return "mp3";
	case CTL_MEDIA_RAW_S16LE:
		return "raw-s16le";
	}
	return "?";
}

int ctl_media_fail(struct ctl_media_result *res, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	res->status = status;
	free(res->samples);
	res->samples = NULL;
	res->n_samples = 0;
	return status;
}

void ctl_media_q_push(struct ctl_media_q *q, struct ctl_media_job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

struct ctl_media_job *ctl_media_q_pop(struct ctl_media_q *q)
{
	struct ctl_media_job *j = q->head;
	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		j->next = NULL;
	}
	return j;
}

void ctl_media_post(struct ctl_media *m, struct ctl_media_job *j)
{
	pthread_mutex_lock(&m->mu);
	bool was_empty = m->done_q.head == NULL;
	ctl_media_q_push(&m->done_q, j);
	pthread_mutex_unlock(&m->mu);
	/* Only the append to an empty list needs a wake-up: the loop takes the whole list after
	 * reading the eventfd, so anything appended behind it goes with it. */
	if (was_empty) {
		uint64_t one = 1;
		ssize_t w = write(m->efd, &one, sizeof(one));
		(void)w; /* EAGAIN: the counter is saturated, the loop is awake anyway */
	}
}

struct ctl_media_job *ctl_media_job_new(struct ctl_media *m, enum ctl_media_kind kind,
                                        ctl_media_done_fn *fn, void *cookie)
{
	struct ctl_media_job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->id = ++m->next_id;
	j->kind = kind;
	j->fn = fn;
	j->cookie = cookie;
	atomic_init(&j->cancelled, false);
	j->reg_next = m->reg;
	if (m->reg)
		m->reg->reg_prev = j;
	m->reg = j;
	j->registered = true;
	m->st.in_flight++;
	m->st.submitted++;
	return j;
}

static void ctl_media_unregister(struct ctl_media *m, struct ctl_media_job *j)
{
	if (!j->registered)
		return;
	if (j->reg_prev)
		j->reg_prev->reg_next = j->reg_next;
	else
		m->reg = j->reg_next;
	if (j->reg_next)
		j->reg_next->reg_prev = j->reg_prev;
	j->reg_prev = j->reg_next = NULL;
	j->registered = false;
	m->st.in_flight--;
}

void ctl_media_job_free(struct ctl_media_job *j)
{
	if (!j)
		return;
	free((char *)j->src.path);
	free(j->src.data);
	free(j->key);
	free(j->res.samples);
	free(j);
}

bool ctl_media_admit(struct ctl_media *m, struct ctl_media_job *j)
{
	if (m->busy >= m->cfg.queue_max) {
		m->st.overflow++;
		ctl_media_fail(&j->res, -ENOBUFS, "media queue full (%u jobs in flight)",
		               m->cfg.queue_max);
		ctl_media_post(m, j);
		return false;
	}
	m->busy++;
	j->counted = true;
	return true;
}

/* Loop thread: one finished job. */
static void ctl_media_deliver(struct ctl_media *m, struct ctl_media_job *j)
{
	if (j->counted) {
		m->busy--;
		j->counted = false;
	}
	if (j->ran) {
		if (j->kind == CTL_MEDIA_JOB_TTS)
			m->st.syntheses++;
		else
			m->st.decodes++;
	}
	/* a synthesis fills the cache and releases its waiters even when its own caller left */
	if (j->kind == CTL_MEDIA_JOB_TTS && j->ent)
		ctl_media_tts_done(m, j);
	if (!j->registered) { /* cancelled */
		ctl_media_job_free(j);
		return;
	}
	ctl_media_unregister(m, j);
	if (j->res.status == 0)
		m->st.completed++;
	else
		m->st.failed++;
	j->fn(j->cookie, j->id, &j->res);
	j->res.samples = NULL; /* the callback's now */
	ctl_media_job_free(j);
}

static void ctl_media_on_efd(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct ctl_media *m = arg;
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));
	(void)r; /* EAGAIN: a wake-up already consumed; the list is what counts */

	pthread_mutex_lock(&m->mu);
	struct ctl_media_job *list = m->done_q.head;
	m->done_q.head = m->done_q.tail = NULL;
	pthread_mutex_unlock(&m->mu);

	while (list) {
		struct ctl_media_job *j = list;
		list = j->next;
		j->next = NULL;
		ctl_media_deliver(m, j);
	}
}

static void *ctl_media_decode_main(void *arg)
{
	struct ctl_media *m = arg;
	pthread_mutex_lock(&m->mu);
	for (;;) {
		while (!atomic_load(&m->stop) && !m->decode_q.head)
			pthread_cond_wait(&m->decode_cv, &m->mu);
		if (atomic_load(&m->stop))
			break;
		struct ctl_media_job *j = ctl_media_q_pop(&m->decode_q);
		pthread_mutex_unlock(&m->mu);
		if (atomic_load(&j->cancelled)) {
			ctl_media_fail(&j->res, -ECANCELED, "cancelled");
		} else {
			ctl_media_decode_run(&m->lim, j);
			j->ran = true;
		}
		ctl_media_post(m, j);
		pthread_mutex_lock(&m->mu);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

/* Start a thread with every signal blocked: control takes its signals through a signalfd on
 * the loop thread, and no signal may land on a worker. */
static int ctl_media_spawn(pthread_t *t, void *(*fn)(void *), void *arg, const char *name)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	pthread_setname_np(*t, name);
	return 0;
}

static int ctl_media_cfg_check(const struct ctl_media_cfg *c)
{
	if (c->decode_threads < 1 || c->decode_threads > CTL_MEDIA_MAX_THREADS)
		return -EINVAL;
	if (c->queue_max < 1 || c->queue_max > 65536)
		return -EINVAL;
	if (c->max_duration_ms < 1 || c->max_input_bytes < 1 || c->max_text_bytes < 1)
		return -EINVAL;
	if (c->resample_quality < 0 || c->resample_quality > 10)
		return -EINVAL;
	return 0;
}

static void ctl_media_stop_threads(struct ctl_media *m)
{
	pthread_mutex_lock(&m->mu);
	atomic_store(&m->stop, true);
	pthread_cond_broadcast(&m->decode_cv);
	pthread_cond_broadcast(&m->tts_cv);
	pthread_mutex_unlock(&m->mu);
	for (unsigned i = 0; i < m->n_decoders; i++)
		pthread_join(m->decoders[i], NULL);
	m->n_decoders = 0;
	if (m->tts_running) {
		pthread_join(m->tts_thread, NULL);
		m->tts_running = false;
		atomic_store(&ctl_media_tts_owned, false);
	}
}

static void ctl_media_free_q(struct ctl_media_q *q)
{
	struct ctl_media_job *j;
	while ((j = ctl_media_q_pop(q)))
		ctl_media_job_free(j);
}

int ctl_media_create(struct ctl_media **out, struct ctl_loop *loop, const struct ctl_media_cfg *cfg)
{
	struct ctl_media_cfg def;
	if (!cfg) {
		ctl_media_cfg_default(&def);
		cfg = &def;
	}
	if (!out || !loop || ctl_media_cfg_check(cfg))
		return -EINVAL;

	struct ctl_media *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	int rc;
	m->loop = loop;
	m->cfg = *cfg;
	m->cfg.espeak_data = NULL;
	m->espeak_data = cfg->espeak_data ? strdup(cfg->espeak_data) : NULL;
	if (cfg->espeak_data && !m->espeak_data) {
		free(m);
		return -ENOMEM;
	}
	m->cfg.espeak_data = m->espeak_data;
	atomic_init(&m->stop, false);
	m->lim.max_duration_ms = cfg->max_duration_ms;
	m->lim.max_input_bytes = cfg->max_input_bytes;
	m->lim.quality = cfg->resample_quality;
	m->lim.stop = &m->stop;
	m->cache.max_samples = cfg->tts_cache_samples;
	m->cache.max_entries = cfg->tts_cache_entries;
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->decode_cv, NULL);
	pthread_cond_init(&m->tts_cv, NULL);
	m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (m->efd < 0) {
		rc = -errno;
		goto out;
	}
	if (cfg->tts) {
		bool expect = false;
		if (!atomic_compare_exchange_strong(&ctl_media_tts_owned, &expect, true)) {
			rc = -EBUSY;
			goto out;
		}
		rc = ctl_media_spawn(&m->tts_thread, ctl_media_tts_main, m, "vox-media-tts");
		if (rc) {
			atomic_store(&ctl_media_tts_owned, false);
			goto out;
		}
		m->tts_running = true;
	}
	for (unsigned i = 0; i < cfg->decode_threads; i++) {
		rc = ctl_media_spawn(&m->decoders[i], ctl_media_decode_main, m, "vox-media-dec");
		if (rc)
			goto out;
		m->n_decoders++;
	}
	rc = ctl_loop_add_file(loop, m->efd, CTL_LOOP_READ, ctl_media_on_efd, m);
	if (rc)
		goto out;
	*out = m;
	return 0;
out:
	ctl_media_stop_threads(m);
	if (m->efd >= 0)
		close(m->efd);
	pthread_cond_destroy(&m->tts_cv);
	pthread_cond_destroy(&m->decode_cv);
	pthread_mutex_destroy(&m->mu);
	free(m->espeak_data);
	free(m);
	return rc;
}

void ctl_media_destroy(struct ctl_media *m)
{
	if (!m)
		return;
	ctl_media_stop_threads(m);
	ctl_loop_del_file(m->loop, m->efd, CTL_LOOP_READ | CTL_LOOP_WRITE);
	close(m->efd);
	/* after the joins every job is on exactly one list: a queue, done, or a waiter list */
	ctl_media_free_q(&m->decode_q);
	ctl_media_free_q(&m->tts_q);
	ctl_media_free_q(&m->done_q);
	ctl_media_cache_clear(m);
	pthread_cond_destroy(&m->tts_cv);
	pthread_cond_destroy(&m->decode_cv);
	pthread_mutex_destroy(&m->mu);
	free(m->espeak_data);
	free(m);
}

int ctl_media_submit_decode(struct ctl_media *m, const struct ctl_media_src *src,
                            ctl_media_done_fn *fn, void *cookie, uint64_t *id)
{
	if (!m || !src || !fn || !src->path == !src->data)
		return -EINVAL;
	switch (src->format) {
	case CTL_MEDIA_AUTO:
	case CTL_MEDIA_SNDFILE:
	case CTL_MEDIA_MP3:
		break;
	case CTL_MEDIA_RAW_S16LE:
		if (src->raw_rate < 1000 || src->raw_rate > 192000 || src->raw_channels > 8)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	char *path = NULL;
	if (src->path && !(path = strdup(src->path)))
		return -ENOMEM;
	struct ctl_media_job *j = ctl_media_job_new(m, CTL_MEDIA_JOB_DECODE, fn, cookie);
	if (!j) {
		free(path);
		return -ENOMEM;
	}
	j->src = *src;
	j->src.path = path;
	if (j->src.format == CTL_MEDIA_RAW_S16LE && j->src.raw_channels == 0)
		j->src.raw_channels = 1;
	if (id)
		*id = j->id;
	if (!ctl_media_admit(m, j))
		return 0;
	pthread_mutex_lock(&m->mu);
	ctl_media_q_push(&m->decode_q, j);
	pthread_mutex_unlock(&m->mu);
	/* signalled after the unlock, so the woken worker does not block on mu at once */
	pthread_cond_signal(&m->decode_cv);
	return 0;
}

int ctl_media_cancel(struct ctl_media *m, uint64_t id)
{
	struct ctl_media_job *j;
	for (j = m->reg; j; j = j->reg_next)
		if (j->id == id)
			break;
	if (!j)
		return -ENOENT;
	ctl_media_unregister(m, j);
	m->st.cancelled++;
	if (j->waiting) {
		ctl_media_cache_unwait(m, j);
		ctl_media_job_free(j);
		return 0;
	}
	atomic_store(&j->cancelled, true); /* delivery frees it */
	return 0;
}

void ctl_media_get_stats(const struct ctl_media *m, struct ctl_media_stats *out)
{
	*out = m->st;
	out->cache_entries = m->cache.entries;
	out->cache_samples = m->cache.samples;
}
