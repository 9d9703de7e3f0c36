/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_media.h — control-side audio: decoding and text to speech to 8 kHz PCM, off the loop. */
#ifndef CTL_MEDIA_H
#define CTL_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every job produces mono linear 16-bit PCM at 8 kHz (CTL_MEDIA_RATE). Jobs are submitted from
 * the loop thread (the thread running ctl_loop_run on the loop given to ctl_media_create);
 * decoding runs on a small worker pool, speech synthesis on one thread that owns espeak-ng.
 * Results come back through an eventfd registered with the loop, and the completion callback
 * runs on the loop thread, exactly once per accepted job, never inside a submit call.
 *
 * Everything in this header must be called on the loop thread.
 */
struct ctl_loop;
struct ctl_media;

#define CTL_MEDIA_RATE 8000

enum ctl_media_format {
	CTL_MEDIA_AUTO = 0, /* MP3 if it starts like MP3 (ID3 tag, frame sync), else sndfile */
	CTL_MEDIA_SNDFILE,  /* anything libsndfile reads: WAV, AIFF, AU, FLAC, Ogg/Vorbis, ... */
	CTL_MEDIA_MP3,      /* MPEG audio through libmpg123 (feed API) */
	CTL_MEDIA_RAW_S16LE /* headerless signed 16-bit little-endian, interleaved; rate given */
};

struct ctl_media_cfg {
	unsigned decode_threads;    /* worker threads for decoding, 1..8 (default 2) */
	unsigned queue_max;         /* jobs accepted and not yet completed, 1..65536 (default 64) */
	uint32_t max_duration_ms;   /* longest input accepted, per job (default 600000: 10 min) */
	uint64_t max_input_bytes;   /* largest file or buffer accepted (default 64 MiB) */
	uint32_t max_text_bytes;    /* longest TTS text (default 4096) */
	int resample_quality;       /* speexdsp quality 0..10 (default 5) */
	bool tts;                   /* start the speech thread (default true) */
	const char *espeak_data;    /* espeak-ng data directory; NULL: the library's default */
	uint64_t tts_cache_samples; /* TTS cache bound, samples; 0: no cache (default 8000*600) */
	uint32_t tts_cache_entries; /* TTS cache bound, prompts (default 1024) */
};

/* What a completed job hands to its callback. */
struct ctl_media_result {
	int status;      /* 0, or -errno (below) */
	char error[160]; /* on failure: why, for a log line ("" on success) */
	/*
	 * Mono, CTL_MEDIA_RATE, n_samples of them; NULL on failure. The buffer belongs to the
	 * callback from the moment it is called: it must free() it (or keep it and free it later).
	 * The struct itself is only valid during the call.
	 */
	int16_t *samples;
	size_t n_samples;
	uint32_t src_rate;            /* the input's sample rate (TTS: espeak-ng's, 22050) */
	uint16_t src_channels;        /* the input's channel count */
	enum ctl_media_format format; /* decoded as (TTS: CTL_MEDIA_AUTO) */
	bool cached;                  /* TTS: served from the cache, no synthesis for this job */
};

/*
 * Completion callback, on the loop thread. Errors in status:
 *   -ENOBUFS    queue full: ctl_media_cfg.queue_max jobs already in flight (counted in overflow)
 *   -EFBIG      input over max_input_bytes, max_duration_ms or max_text_bytes
 *   -EBADMSG    not decodable: unknown format, corrupt data, no audio in it
 *   -ENOENT, -EACCES, ... the file could not be opened
 *   -ENOTSUP    TTS disabled, or espeak-ng failed to initialise
 *   -EIO        espeak-ng refused the text or the voice
 *   -ENOMEM     out of memory while decoding
 * A callback may submit new jobs and cancel others; it must not destroy the module.
 */
typedef void ctl_media_done_fn(void *cookie, uint64_t id, struct ctl_media_result *res);

/* A decode job's input: either a path or a buffer. */
struct ctl_media_src {
	enum ctl_media_format format;
	const char *path; /* a file to read (copied at submit), or NULL */
	/*
	 * A malloc'd buffer holding the whole input: on a 0 return the module owns it and free()s
	 * it when the job ends; on an error return it stays the caller's.
	 */
	void *data;
	size_t len;
	uint32_t raw_rate;     /* CTL_MEDIA_RAW_S16LE: sample rate, 1000..192000 */
	uint16_t raw_channels; /* CTL_MEDIA_RAW_S16LE: 1..8 (0 means 1) */
};

struct ctl_media_stats {
	uint64_t submitted;     /* jobs accepted (decode + TTS), overflow included */
	uint64_t completed;     /* callbacks run with status 0 */
	uint64_t failed;        /* callbacks run with status < 0, overflow included */
	uint64_t overflow;      /* jobs refused because queue_max were in flight */
	uint64_t cancelled;     /* jobs cancelled before their callback ran */
	uint64_t decodes;       /* decode jobs run by the pool */
	uint64_t syntheses;     /* espeak-ng syntheses run */
	uint64_t cache_hits;    /* TTS jobs served from a cached prompt */
	uint64_t cache_joined;  /* TTS jobs that waited for the same prompt already in synthesis */
	uint64_t cache_evicted; /* prompts dropped by the LRU bound */
	uint64_t cache_entries; /* prompts held now */
	uint64_t cache_samples; /* samples held now */
	uint64_t in_flight;     /* jobs accepted, callback not yet run */
};

/* Fill cfg with the defaults above. */
void ctl_media_cfg_default(struct ctl_media_cfg *cfg);

/*
 * Start the worker threads (and the speech thread when cfg->tts) and register the completion
 * eventfd with loop. cfg NULL means the defaults. Returns 0, -EINVAL (a bound out of range),
 * -EBUSY (another module in this process already runs espeak-ng, which is process-global),
 * -ENOMEM, or -errno from eventfd, pthread_create or ctl_loop_add_file; *out on success only.
 */
int ctl_media_create(struct ctl_media **out, struct ctl_loop *loop,
                     const struct ctl_media_cfg *cfg);
/*
 * Stop and join the threads (a decode in progress stops at its next chunk), unregister the
 * eventfd and free everything. Callbacks of jobs still in flight are not called; their
 * results and buffers are freed here.
 */
void ctl_media_destroy(struct ctl_media *m);

/*
 * Decode src to 8 kHz mono. Writes the job id to *id (if id is not NULL). Returns 0 (the
 * callback will run, possibly with -ENOBUFS when the queue is full), or -EINVAL (no path and
 * no data, both, or a bad raw rate/channel count) or -ENOMEM: the callback will not run.
 * Never blocks: it takes one uncontended mutex to hand the job over.
 */
int ctl_media_submit_decode(struct ctl_media *m, const struct ctl_media_src *src,
                            ctl_media_done_fn *fn, void *cookie, uint64_t *id);

/*
 * Speak text (UTF-8, plain text) into 8 kHz mono. voice: an espeak-ng voice name ("en-us",
 * "en+f3"), or "man"/"male", "woman"/"female"/"alice" to choose a gender, or NULL/"".
 * language: a BCP 47 tag ("en-US", "fr-FR") or NULL/"" (English). A prompt already synthesised
 * with the same (text, voice, language) is served from the cache; one being synthesised is
 * waited for. Returns as ctl_media_submit_decode; -EINVAL also for empty text.
 */
int ctl_media_submit_tts(struct ctl_media *m, const char *text, const char *voice,
                         const char *language, ctl_media_done_fn *fn, void *cookie, uint64_t *id);

/*
 * Forget a job: its callback will not run (the job may still finish on its thread; its result
 * is then freed, and a synthesis still fills the cache). A decode not started yet is skipped.
 * Returns 0, or -ENOENT when the id is unknown or its callback already ran.
 */
int ctl_media_cancel(struct ctl_media *m, uint64_t id);

void ctl_media_get_stats(const struct ctl_media *m, struct ctl_media_stats *out);

/* "auto", "sndfile", "mp3", "raw-s16le". */
const char *ctl_media_format_name(enum ctl_media_format f);

#endif /* CTL_MEDIA_H */
