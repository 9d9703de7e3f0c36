/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_recw.c — the recordings' writer thread (see ctl_recw.h). */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ctl_log.h"
#include "ctl_loop.h"
#include "ctl_rec.h"
#include "ctl_recw.h"

#define TAG "recw"
#define TRIM_CHUNK_FRAMES 128 /* frames read at once by the trim's scans and copy */

enum { OP_OPEN, OP_DATA, OP_CLOSE, OP_ABORT };

struct recw_msg {
	struct recw_msg *next;
	uint8_t op;
	bool trim;
	uint32_t id, channels, rms;
	int fd;
	uint64_t dropped; /* CLOSE/ABORT: bytes the loop dropped for this file */
	char *path;       /* ABORT */
	size_t len;       /* DATA */
	uint8_t data[];
};

struct recw_done_node {
	struct recw_done_node *next;
	struct ctl_recw_done d;
};

struct ctl_recw {
	struct ctl_loop *loop;
	ctl_recw_done_fn *fn;
	void *arg;
	int efd;
	pthread_t th;
	bool started;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct recw_msg *head, *tail; /* under mu */
	struct recw_done_node *done;  /* under mu, newest first */
	bool stop, paused;            /* under mu */
	_Atomic uint64_t queued;      /* handed-over bytes not yet written */
	_Atomic uint64_t writes, bytes_written, write_errors, trims;

	/* loop thread */
	struct {
		bool open, busy;
		uint32_t channels;
		uint8_t *stage;
		size_t n;
		uint64_t dropped;
	} f[CTL_RECW_FILES];
	uint64_t queue_max, overflows, overflow_bytes, completed, max_queued;

	/* writer thread */
	struct {
		int fd;
		int err;
		uint32_t channels;
		uint64_t written;
	} t[CTL_RECW_FILES];
};

/* ---- trim (pure) ---- */

static bool frame_loud(const int16_t *p, uint32_t channels, uint32_t rms)
{
	uint64_t sum = 0;
	uint32_t n = CTL_RECW_FRAME * channels;
	for (uint32_t i = 0; i < n; i++)
		sum += (uint64_t)((int32_t)p[i] * (int32_t)p[i]);
	return sum > (uint64_t)rms * rms * n;
}

size_t ctl_trim_first_sound(const int16_t *pcm, size_t n_frames, uint32_t channels, uint32_t rms)
{
	for (size_t f = 0; f < n_frames; f++)
		if (frame_loud(pcm + f * CTL_RECW_FRAME * channels, channels, rms))
			return f;
	return n_frames;
}

size_t ctl_trim_end_sound(const int16_t *pcm, size_t n_frames, uint32_t channels, uint32_t rms)
{
	for (size_t f = n_frames; f > 0; f--)
		if (frame_loud(pcm + (f - 1) * CTL_RECW_FRAME * channels, channels, rms))
			return f;
	return 0;
}

/* ---- the thread ---- */

/* All of len bytes at off, through EINTR and short transfers: 0 or -errno (-EIO at EOF). */
static int full_io(int fd, void *buf, size_t len, uint64_t off, bool write)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int full_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	return full_io(fd, (void *)buf, len, off, true);
}

static int full_pread(int fd, void *buf, size_t len, uint64_t off)
{
	return full_io(fd, buf, len, off, false);
}

/* Cut the silent frames at both ends of the data (written bytes at CTL_WAV_HDR): scan from the
 * start, then from the end, in chunks; move the kept part down; truncate. */
static int trim_file(int fd, uint32_t channels, uint32_t rms, uint64_t len, uint64_t *lead,
                     uint64_t *keep)
{
	const size_t fb = (size_t)CTL_RECW_FRAME * channels * 2;
	const size_t nf = len / fb;
	int16_t *buf = malloc(TRIM_CHUNK_FRAMES * fb);
	if (!buf)
		return -ENOMEM;
	int rc = 0;
	size_t first = nf, end = 0;
	for (size_t f = 0; f < nf && first == nf && !rc; f += TRIM_CHUNK_FRAMES) {
		size_t k = nf - f < TRIM_CHUNK_FRAMES ? nf - f : TRIM_CHUNK_FRAMES;
		rc = full_pread(fd, buf, k * fb, CTL_WAV_HDR + f * fb);
		size_t i = rc ? k : ctl_trim_first_sound(buf, k, channels, rms);
		if (i < k)
			first = f + i;
	}
	for (size_t f = nf; f > first && !end && !rc;) {
		size_t k = f - first < TRIM_CHUNK_FRAMES ? f - first : TRIM_CHUNK_FRAMES;
		f -= k;
		rc = full_pread(fd, buf, k * fb, CTL_WAV_HDR + f * fb);
		size_t e = rc ? 0 : ctl_trim_end_sound(buf, k, channels, rms);
		if (e)
			end = f + e;
	}
	if (first == nf)
		end = first = 0; /* all silence */
	*lead = (uint64_t)first * fb;
	*keep = (uint64_t)(end - first) * fb;
	for (uint64_t done = 0; !rc && first && done < *keep;) {
		size_t n = *keep - done < TRIM_CHUNK_FRAMES * fb ? (size_t)(*keep - done)
		                                                 : TRIM_CHUNK_FRAMES * fb;
		rc = full_pread(fd, buf, n, CTL_WAV_HDR + *lead + done);
		if (!rc)
			rc = full_pwrite(fd, buf, n, CTL_WAV_HDR + done);
		done += n;
	}
	free(buf);
	if (!rc && ftruncate(fd, (off_t)(CTL_WAV_HDR + *keep)) != 0)
		rc = -errno;
	return rc;
}

static void post_done(struct ctl_recw *w, const struct ctl_recw_done *d)
{
	struct recw_done_node *n = calloc(1, sizeof(*n));
	if (n)
		n->d = *d;
	pthread_mutex_lock(&w->mu);
	if (n) {
		n->next = w->done;
		w->done = n;
	}
	pthread_mutex_unlock(&w->mu);
	uint64_t one = 1;
	ssize_t r = write(w->efd, &one, sizeof(one));
	(void)r; /* the counter cannot overflow at these rates */
}

static void t_close(struct ctl_recw *w, const struct recw_msg *m, bool from_destroy)
{
	struct ctl_recw_done d = {.id = m->id, .dropped = m->dropped};
	typeof(w->t[0]) *t = &w->t[m->id];
	d.channels = t->channels;
	d.written = d.bytes = t->written;
	int err = t->err;
	if (m->op == OP_ABORT) {
		d.aborted = true;
		if (m->path)
			unlink(m->path);
	} else {
		if (!err && m->trim) {
			uint64_t lead = 0, keep = t->written;
			err = trim_file(t->fd, t->channels, m->rms ? m->rms : CTL_RECW_TRIM_RMS,
			                t->written, &lead, &keep);
			if (!err) {
				d.trim_lead = lead;
				d.trim_tail = t->written - lead - keep;
				d.bytes = keep;
				atomic_fetch_add_explicit(&w->trims, 1, memory_order_relaxed);
			}
		}
		/* sizes from what is in the file: the header always matches it */
		uint64_t b = d.bytes > 0xffffffffull - 36u ? 0xffffffffull - 36u : d.bytes;
		uint8_t hdr[CTL_WAV_HDR];
		ctl_wav_header(hdr, t->channels, 8000, (uint32_t)b);
		int rc = full_pwrite(t->fd, hdr, sizeof(hdr), 0);
		if (rc && !err)
			err = rc;
	}
	if (close(t->fd) != 0 && !err)
		err = -errno;
	if (err)
		atomic_fetch_add_explicit(&w->write_errors, 1, memory_order_relaxed);
	d.err = err;
	t->fd = -1;
	if (!from_destroy)
		post_done(w, &d);
}

static void t_run(struct ctl_recw *w, struct recw_msg *m, bool from_destroy)
{
	typeof(w->t[0]) *t = &w->t[m->id];
	switch (m->op) {
	case OP_OPEN: {
		t->fd = m->fd;
		t->err = 0;
		t->written = 0;
		t->channels = m->channels;
		uint8_t hdr[CTL_WAV_HDR];
		ctl_wav_header(hdr, m->channels, 8000, 0);
		t->err = full_pwrite(t->fd, hdr, sizeof(hdr), 0);
		break;
	}
	case OP_DATA:
		if (!t->err) {
			t->err = full_pwrite(t->fd, m->data, m->len, CTL_WAV_HDR + t->written);
			if (!t->err) {
				t->written += m->len;
				atomic_fetch_add_explicit(&w->bytes_written, m->len,
				                          memory_order_relaxed);
			}
		}
		atomic_fetch_add_explicit(&w->writes, 1, memory_order_relaxed);
		atomic_fetch_sub_explicit(&w->queued, m->len, memory_order_relaxed);
		break;
	default:
		t_close(w, m, from_destroy);
		break;
	}
}

static void *recw_main(void *arg)
{
	struct ctl_recw *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while ((!w->head || w->paused) && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		struct recw_msg *m = w->head;
		if (!m)
			break; /* stop, everything done */
		w->head = m->next;
		if (!w->head)
			w->tail = NULL;
		bool stopping = w->stop;
		pthread_mutex_unlock(&w->mu);
		t_run(w, m, stopping);
		free(m->path);
		free(m);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- the loop's side ---- */

static void push(struct ctl_recw *w, struct recw_msg *m)
{
	m->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = m;
	else
		w->head = m;
	w->tail = m;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void on_efd(struct ctl_loop *l, int fd, void *arg, int mask)
{
	struct ctl_recw *w = arg;
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));
	(void)r;
	pthread_mutex_lock(&w->mu);
	struct recw_done_node *n = w->done, *fifo = NULL;
	w->done = NULL;
	pthread_mutex_unlock(&w->mu);
	while (n) { /* newest first -> oldest first */
		struct recw_done_node *next = n->next;
		n->next = fifo;
		fifo = n;
		n = next;
	}
	while (fifo) {
		struct recw_done_node *next = fifo->next;
		w->f[fifo->d.id].busy = false;
		w->completed++;
		if (w->fn)
			w->fn(w->arg, &fifo->d);
		free(fifo);
		fifo = next;
	}
}

/* Hand file id's stage to the thread (or drop it: overflow). */
static void stage_out(struct ctl_recw *w, uint32_t id)
{
	size_t n = w->f[id].n;
	if (!n)
		return;
	w->f[id].n = 0;
	uint64_t q = atomic_load_explicit(&w->queued, memory_order_relaxed);
	struct recw_msg *m = q + n <= w->queue_max ? malloc(sizeof(*m) + n) : NULL;
	if (!m) {
		w->overflows++;
		w->overflow_bytes += n;
		w->f[id].dropped += n;
		return;
	}
	memset(m, 0, sizeof(*m));
	m->op = OP_DATA;
	m->id = id;
	m->len = n;
	memcpy(m->data, w->f[id].stage, n);
	atomic_fetch_add_explicit(&w->queued, n, memory_order_relaxed);
	if (q + n > w->max_queued)
		w->max_queued = q + n;
	push(w, m);
}

int ctl_recw_create(struct ctl_recw **out, struct ctl_loop *loop, uint64_t queue_max,
                    ctl_recw_done_fn *fn, void *arg)
{
	struct ctl_recw *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->loop = loop;
	w->fn = fn;
	w->arg = arg;
	w->queue_max = queue_max ? queue_max : CTL_RECW_QUEUE_DEFAULT;
	for (uint32_t i = 0; i < CTL_RECW_FILES; i++)
		w->t[i].fd = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int rc = w->efd < 0 ? -errno : ctl_loop_add_file(loop, w->efd, CTL_LOOP_READ, on_efd, w);
	if (!rc) {
		rc = -pthread_create(&w->th, NULL, recw_main, w);
		w->started = rc == 0;
	}
	if (rc) {
		ctl_recw_destroy(w);
		return rc;
	}
	*out = w;
	return 0;
}

void ctl_recw_destroy(struct ctl_recw *w)
{
	if (!w)
		return;
	if (w->started) {
		for (uint32_t i = 0; i < CTL_RECW_FILES; i++)
			if (w->f[i].open)
				ctl_recw_close(w, i, false, 0);
		pthread_mutex_lock(&w->mu);
		w->stop = true;
		w->paused = false;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
	}
	for (struct recw_done_node *n = w->done, *nx; n; n = nx) {
		nx = n->next;
		free(n);
	}
	if (w->efd >= 0) {
		ctl_loop_del_file(w->loop, w->efd, CTL_LOOP_READ);
		close(w->efd);
	}
	for (uint32_t i = 0; i < CTL_RECW_FILES; i++)
		free(w->f[i].stage);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int ctl_recw_open(struct ctl_recw *w, uint32_t id, int fd, uint32_t channels)
{
	if (id >= CTL_RECW_FILES || fd < 0 || channels < 1 || channels > 2)
		return -EINVAL;
	if (w->f[id].open || w->f[id].busy)
		return -EBUSY;
	if (!w->f[id].stage && !(w->f[id].stage = malloc(CTL_RECW_STAGE)))
		return -ENOMEM;
	struct recw_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->op = OP_OPEN;
	m->id = id;
	m->fd = fd;
	m->channels = channels;
	w->f[id].open = w->f[id].busy = true;
	w->f[id].channels = channels;
	w->f[id].n = 0;
	w->f[id].dropped = 0;
	push(w, m);
	return 0;
}

int ctl_recw_write(struct ctl_recw *w, uint32_t id, const void *data, size_t len)
{
	if (id >= CTL_RECW_FILES || !w->f[id].open)
		return -ENOENT;
	const uint8_t *p = data;
	uint64_t drop0 = w->f[id].dropped;
	while (len) {
		size_t room = CTL_RECW_STAGE - w->f[id].n;
		size_t n = len < room ? len : room;
		memcpy(w->f[id].stage + w->f[id].n, p, n);
		w->f[id].n += n;
		p += n;
		len -= n;
		if (w->f[id].n == CTL_RECW_STAGE)
			stage_out(w, id);
	}
	return w->f[id].dropped != drop0 ? -ENOBUFS : 0;
}

void ctl_recw_flush(struct ctl_recw *w)
{
	for (uint32_t i = 0; i < CTL_RECW_FILES; i++)
		if (w->f[i].open && w->f[i].n)
			stage_out(w, i);
}

static int end_file(struct ctl_recw *w, uint32_t id, uint8_t op, bool trim, uint32_t rms,
                    const char *path)
{
	if (id >= CTL_RECW_FILES || !w->f[id].open)
		return -ENOENT;
	struct recw_msg *m = calloc(1, sizeof(*m));
	char *p = path ? strdup(path) : NULL;
	if (!m || (path && !p)) {
		free(m);
		free(p);
		return -ENOMEM;
	}
	if (op == OP_CLOSE)
		stage_out(w, id);
	w->f[id].n = 0;
	m->op = op;
	m->id = id;
	m->trim = trim;
	m->rms = rms;
	m->path = p;
	m->dropped = w->f[id].dropped;
	w->f[id].open = false; /* busy until its completion */
	push(w, m);
	return 0;
}

int ctl_recw_close(struct ctl_recw *w, uint32_t id, bool trim, uint32_t rms)
{
	return end_file(w, id, OP_CLOSE, trim, rms, NULL);
}

int ctl_recw_abort(struct ctl_recw *w, uint32_t id, const char *path)
{
	return end_file(w, id, OP_ABORT, false, 0, path);
}

void ctl_recw_get_stats(const struct ctl_recw *w, struct ctl_recw_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->queued_bytes = atomic_load_explicit(&w->queued, memory_order_relaxed);
	st->queue_max = w->queue_max;
	st->overflows = w->overflows;
	st->overflow_bytes = w->overflow_bytes;
	st->writes = atomic_load_explicit(&w->writes, memory_order_relaxed);
	st->bytes_written = atomic_load_explicit(&w->bytes_written, memory_order_relaxed);
	st->write_errors = atomic_load_explicit(&w->write_errors, memory_order_relaxed);
	st->trims = atomic_load_explicit(&w->trims, memory_order_relaxed);
	st->completed = w->completed;
	st->max_queued_bytes = w->max_queued;
}

void ctl_recw_pause(struct ctl_recw *w, bool pause)
{
	pthread_mutex_lock(&w->mu);
	w->paused = pause;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}
