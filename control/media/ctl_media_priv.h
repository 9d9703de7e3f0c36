/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_media_priv.h — the media module's insides: jobs, queues, the PCM sink, the TTS cache. */
#ifndef CTL_MEDIA_PRIV_H
#define CTL_MEDIA_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_media.h"

#define CTL_MEDIA_TAG "media"
#define CTL_MEDIA_MAX_THREADS 8

enum ctl_media_kind {
	CTL_MEDIA_JOB_DECODE,
	CTL_MEDIA_JOB_TTS,
};

struct ctl_media_ent;

/*
 * One job. The loop thread creates it and fills the input; it then belongs to exactly one
 * place at a time: a work queue (under the module's mutex), a worker (which writes res),
 * the done list (under the mutex), or a cache entry's waiter list (loop thread). The mutex
 * hand-offs order the worker's writes before the loop's reads. `cancelled` is the one field
 * both sides touch outside the mutex.
 */
struct ctl_media_job {
	struct ctl_media_job *next;                /* queue, done list or waiter list */
	struct ctl_media_job *reg_prev, *reg_next; /* loop thread: jobs whose callback is due */
	uint64_t id;
	enum ctl_media_kind kind;
	atomic_bool cancelled; /* set by the loop; a worker skips a decode not started */
	bool registered;       /* loop thread: on the registry (cancel can find it) */
	bool counted;          /* loop thread: holds one of queue_max */
	bool waiting;          /* loop thread: on a cache entry's waiter list */
	bool ran;              /* written by its thread: the decoder or espeak-ng ran for it */
	ctl_media_done_fn *fn;
	void *cookie;
	/* decode input */
	struct ctl_media_src src; /* src.path and src.data are owned by the job */
	/* TTS input: "text\0voice\0language\0" (key_len bytes, all three NUL-terminated) */
	char *key;
	size_t key_len;
	struct ctl_media_ent *ent; /* loop thread: the cache entry this synthesis fills */
	struct ctl_media_result res;
};

/* Limits every decoder and the synthesiser obey (a copy of the config, read-only). */
struct ctl_media_limits {
	uint32_t max_duration_ms;
	uint64_t max_input_bytes;
	int quality;
	const atomic_bool *stop; /* the module is being destroyed */
};

/* A cached prompt (loop thread only). While `pending`, the synthesis is running and later
 * submits for the same key wait on `waiters`; then it holds the samples and sits on the LRU. */
struct ctl_media_ent {
	struct ctl_media_ent *hnext;               /* hash chain */
	struct ctl_media_ent *lru_prev, *lru_next; /* most recent at the head */
	uint64_t hash;
	char *key;
	size_t key_len;
	bool pending;
	struct ctl_media_job *waiters;
	int16_t *samples;
	size_t n_samples;
	uint32_t src_rate;
};

#define CTL_MEDIA_CACHE_BUCKETS 1024

struct ctl_media_cache {
	struct ctl_media_ent *buckets[CTL_MEDIA_CACHE_BUCKETS];
	struct ctl_media_ent *lru_head, *lru_tail;
	uint64_t max_samples, samples;
	uint32_t max_entries, entries; /* ready and pending */
};

/* A FIFO of jobs. */
struct ctl_media_q {
	struct ctl_media_job *head, *tail;
};

struct ctl_media {
	struct ctl_loop *loop;
	struct ctl_media_cfg cfg;
	struct ctl_media_limits lim;
	int efd; /* completions: workers write 1, the loop reads */

	/* shared between the loop and the threads, under mu */
	pthread_mutex_t mu;
	pthread_cond_t decode_cv, tts_cv;
	struct ctl_media_q decode_q, tts_q, done_q;
	atomic_bool stop;

	pthread_t decoders[CTL_MEDIA_MAX_THREADS];
	unsigned n_decoders;
	pthread_t tts_thread;
	bool tts_running;

	/* loop thread only */
	char *espeak_data; /* cfg.espeak_data points here */
	unsigned busy;     /* jobs holding one of queue_max */
	uint64_t next_id;
	struct ctl_media_job *reg; /* jobs whose callback is still due */
	struct ctl_media_cache cache;
	struct ctl_media_stats st;
};

/* ctl_media.c */
void ctl_media_q_push(struct ctl_media_q *q, struct ctl_media_job *j);
struct ctl_media_job *ctl_media_q_pop(struct ctl_media_q *q);
/* Any thread: append a finished job to the done list and wake the loop. */
void ctl_media_post(struct ctl_media *m, struct ctl_media_job *j);
/* Loop thread: a new job with a fresh id, on the registry. NULL when out of memory. */
struct ctl_media_job *ctl_media_job_new(struct ctl_media *m, enum ctl_media_kind kind,
                                        ctl_media_done_fn *fn, void *cookie);
void ctl_media_job_free(struct ctl_media_job *j);
/* Loop thread: take one of queue_max. false (and the job is completed with -ENOBUFS and
 * posted) when the queue is full. */
bool ctl_media_admit(struct ctl_media *m, struct ctl_media_job *j);
/* Fill j->res with an error; fmt is printf-like. Returns status. */
int ctl_media_fail(struct ctl_media_result *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ctl_media_decode.c: the PCM sink (down-mixed float in, 8 kHz int16 out) and the decoders. */
struct ctl_media_sink {
	const struct ctl_media_limits *lim;
	struct ctl_media_result *res;
	void *rs; /* SpeexResamplerState, NULL when the input is at 8 kHz already */
	uint32_t in_rate;
	uint64_t in_frames, max_in_frames;
	int16_t *out;
	size_t n, cap;
};
int ctl_media_sink_init(struct ctl_media_sink *s, const struct ctl_media_limits *lim,
                        struct ctl_media_result *res, uint32_t in_rate, uint64_t frames_hint);
/* Push n mono frames (float, scaled to +-32768). Returns 0, -EFBIG, -ECANCELED or -ENOMEM
 * (res->error filled). */
int ctl_media_sink_push(struct ctl_media_sink *s, const float *in, size_t n);
/* Flush the resampler, trim to the exact length and move the samples into res. */
int ctl_media_sink_finish(struct ctl_media_sink *s);
void ctl_media_sink_fini(struct ctl_media_sink *s);
/* Worker thread: run a decode job, filling j->res. */
void ctl_media_decode_run(const struct ctl_media_limits *lim, struct ctl_media_job *j);

/* ctl_media_tts.c: the speech thread and the cache. */
void *ctl_media_tts_main(void *arg);
/* Loop thread: a finished TTS job arrives; fill the cache and release its waiters. */
void ctl_media_tts_done(struct ctl_media *m, struct ctl_media_job *j);
/* Loop thread: drop a waiter from its entry (cancel). */
void ctl_media_cache_unwait(struct ctl_media *m, struct ctl_media_job *j);
void ctl_media_cache_clear(struct ctl_media *m);

#endif /* CTL_MEDIA_PRIV_H */
