/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_recw.h — the recordings' writer thread: WAV data, header patch, silence trim and close
 * off control's loop, with a bounded queue and completions reported back on the loop. */
#ifndef CTL_RECW_H
#define CTL_RECW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctl_loop;
struct ctl_recw;

#define CTL_RECW_FILES 256                 /* file ids 0..255 (ctl_rec's slots) */
#define CTL_RECW_STAGE 16384               /* bytes staged per file before a hand-over */
#define CTL_RECW_QUEUE_DEFAULT (16u << 20) /* bytes handed over and not yet written */
/* trim: a 20 ms frame is sound when its RMS is above 200 (about -44 dBFS): line hiss, comfort
 * noise and G.711 idle patterns stay under it, quiet speech (-30 dBFS and up) is well over */
#define CTL_RECW_TRIM_RMS 200
#define CTL_RECW_FRAME 160 /* samples per channel in a trim frame (8 kHz) */

/*
 * The loop thread calls every function here (except the pure trim helpers). A file goes
 * open -> write... -> close (or abort); writes are staged per file and handed to the thread
 * at ctl_recw_flush (ctl_rec calls it after each drain of the bulk rings) or when a file's
 * stage is full. The hand-over is bounded by queue_max bytes: beyond, the staged bytes are
 * dropped and counted (the file's `dropped`, the writer's overflow), the loop never waits.
 * The thread does every write(2), the header patch, the trim and the close(2); then the
 * completion is queued and the callback runs on the loop (eventfd), after the file is whole
 * and closed. Operations on one file are done in the order given.
 */

struct ctl_recw_done {
	uint32_t id;
	int err;      /* 0, or -errno of the first failed write, trim or close */
	bool aborted; /* ctl_recw_abort: the file was removed */
	uint32_t channels;
	uint64_t bytes;                /* data bytes in the closed file (after the trim) */
	uint64_t written;              /* data bytes written before the trim */
	uint64_t trim_lead, trim_tail; /* bytes cut at either end */
	uint64_t dropped;              /* bytes lost to queue overflow */
};

typedef void ctl_recw_done_fn(void *arg, const struct ctl_recw_done *d);

struct ctl_recw_stats {
	uint64_t queued_bytes, queue_max; /* handed over, not yet written / the bound */
	uint64_t overflows, overflow_bytes;
	uint64_t writes, bytes_written, write_errors, trims, completed;
	uint64_t max_queued_bytes; /* high-water mark */
};

/* Start the thread. queue_max 0: CTL_RECW_QUEUE_DEFAULT. Returns 0 or -errno. */
int ctl_recw_create(struct ctl_recw **out, struct ctl_loop *loop, uint64_t queue_max,
                    ctl_recw_done_fn *fn, void *arg);
/* Finish what was handed over (files still open are patched and closed), join the thread.
 * No callback runs. */
void ctl_recw_destroy(struct ctl_recw *w);

/* Take over fd (opened read-write, empty: the trim reads it back) as file id; the thread writes a
 * provisional WAV header. Returns 0, -EINVAL (bad id or channels) or -EBUSY (id in use). */
int ctl_recw_open(struct ctl_recw *w, uint32_t id, int fd, uint32_t channels);
/* Append data (copied). Returns 0, -ENOENT (id not open) or -ENOBUFS (dropped: overflow). */
int ctl_recw_write(struct ctl_recw *w, uint32_t id, const void *data, size_t len);
/* Hand every staged buffer to the thread. */
void ctl_recw_flush(struct ctl_recw *w);
/* The file is complete: patch the header (trim first when `trim`, threshold rms; 0: the
 * default) and close; the callback follows. Returns 0 or -ENOENT. */
int ctl_recw_close(struct ctl_recw *w, uint32_t id, bool trim, uint32_t rms);
/* Close and unlink path; the callback follows with aborted set. Returns 0 or -ENOENT. */
int ctl_recw_abort(struct ctl_recw *w, uint32_t id, const char *path);
void ctl_recw_get_stats(const struct ctl_recw *w, struct ctl_recw_stats *st);
/* Tests: hold the thread before its next operation, as a stalled disk would. */
void ctl_recw_pause(struct ctl_recw *w, bool pause);

/*
 * Silence trim (pure). Audio is 16-bit interleaved, `channels` per frame position; a trim frame
 * is CTL_RECW_FRAME sample positions (20 ms at 8 kHz) and is sound when the RMS over all its
 * samples exceeds rms. Returns the index of the first sound frame (n_frames: none).
 */
size_t ctl_trim_first_sound(const int16_t *pcm, size_t n_frames, uint32_t channels, uint32_t rms);
/* One past the last sound frame (0: none). A last partial frame is not looked at by either. */
size_t ctl_trim_end_sound(const int16_t *pcm, size_t n_frames, uint32_t channels, uint32_t rms);

#endif /* CTL_RECW_H */
