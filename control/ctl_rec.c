/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_rec.c — recordings: drains the workers' bulk rings into WAV files; keeps the latest
 * DIGITS, key presses and finished recordings for the admin socket and the log. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vox_layout.h"
#include "vox_shm.h"

#include "ctl.h"
#include "ctl_log.h"
#include "ctl_rec.h"
#include "ctl_recw.h"

#define TAG "rec"
#define CTL_REC_DRAIN_BUDGET 4096 /* chunks per drain (about 80 s of one recording) */

/*
 * RECORD goes out after ctl_rec_open() created the file (open(2) stays on the loop so its
 * error is the caller's answer); the worker puts one chunk per 20 ms frame in its bulk ring
 * (stream = rec_id); every drain stages them for the file of (leg, rec_id) and hands them to
 * the writer thread (ctl_recw.c: write(2), header patch, trim, close off the loop; a bounded
 * queue whose overflow is counted and flagged on the recording, so a stalled disk never
 * holds the loop). RECORDING_DONE is handled after a drain of the rings (the worker put every
 * frame before the event), so the close queued then comes after the last audio; the slot
 * stays busy (closing) until the thread reports the file complete and closed, and only then
 * is the recording listed as done and its watcher (the call router) told. A recording whose
 * leg ended is closed on LEG_ENDED as well (whichever comes first). Chunks for no open
 * recording are counted and dropped; write errors are counted and flagged on the recording.
 */

enum { REC_FREE, REC_OPEN, REC_CLOSING };

struct ctl_rec_file {
	vox_handle_t leg;
	uint16_t rec_id;
	uint8_t channels;
	uint8_t state; /* REC_FREE / REC_OPEN / REC_CLOSING (the writer has the close) */
	bool trim;
	bool have_done; /* closed by RECORDING_DONE: d is the dataplane's */
	struct vox_recording_done d;
	ctl_rec_closed_fn *watch;
	void *watch_arg;
	uint64_t bytes; /* staged for the writer */
	uint64_t dropped;
	char path[256];
};

struct ctl_rec_done {
	vox_handle_t leg;
	uint16_t rec_id;
	uint8_t reason, flags, channels;
	char finish;
	uint32_t duration_ms, frames_lost;
	uint64_t bytes;
	char path[256];
};

struct ctl_rec {
	struct ctl_rec_file open[CTL_REC_MAX];
	uint32_t n_open;
	struct ctl_rec_done done[CTL_REC_HIST];
	uint32_t n_done;
	struct {
		vox_handle_t leg;
		struct vox_digits d;
		int32_t status;
	} digits[CTL_REC_HIST];
	uint32_t n_digits;
	struct {
		vox_handle_t leg;
		struct vox_dtmf d;
	} dtmf[CTL_REC_HIST];
	uint32_t n_dtmf;
	uint64_t orphan_chunks, write_errors, bytes, overflow_chunks;
	struct ctl_recw *w;
};

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void ctl_wav_header(uint8_t out[CTL_WAV_HDR], uint32_t channels, uint32_t rate, uint32_t data_bytes)
{
	memcpy(out, "RIFF", 4);
	put_le32(out + 4, 36u + data_bytes);
	memcpy(out + 8, "WAVEfmt ", 8);
	put_le32(out + 16, 16);                 /* fmt chunk size */
	put_le16(out + 20, 1);                  /* PCM */
	put_le16(out + 22, (uint16_t)channels);
	put_le32(out + 24, rate);
	put_le32(out + 28, rate * channels * 2u); /* byte rate */
	put_le16(out + 32, (uint16_t)(channels * 2u)); /* block align */
	put_le16(out + 34, 16);                 /* bits per sample */
	memcpy(out + 36, "data", 4);
	put_le32(out + 40, data_bytes);
}

static void rec_written(void *arg, const struct ctl_recw_done *wd);

_Static_assert(CTL_REC_MAX <= CTL_RECW_FILES, "a writer file id per slot");

int ctl_rec_create(struct ctl_rec **out, struct ctl_loop *loop)
{
	struct ctl_rec *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	int rc = ctl_recw_create(&r->w, loop, 0, rec_written, r);
	if (rc) {
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* The writer finishes what it was given (open files are patched and closed) first. */
void ctl_rec_destroy(struct ctl_rec *r)
{
	if (!r)
		return;
	ctl_recw_destroy(r->w);
	free(r);
}

static struct ctl_rec_file *rec_find(struct ctl_rec *r, vox_handle_t leg, uint16_t id)
{
	if (!r->n_open)
		return NULL;
	for (uint32_t i = 0; i < CTL_REC_MAX; i++)
		if (r->open[i].leg == leg && r->open[i].rec_id == id && r->open[i].state == REC_OPEN)
			return &r->open[i];
	return NULL;
}

int ctl_rec_open(struct ctl *c, vox_handle_t leg, uint16_t rec_id, uint32_t channels, const char *path)
{
	struct ctl_rec *r = c->rec;
	if (!r || !leg)
		return -EINVAL;
	if (strlen(path) >= sizeof(r->open[0].path))
		return -ENAMETOOLONG;
	if (rec_find(r, leg, rec_id))
		return -EEXIST;
	struct ctl_rec_file *e = NULL;
	for (uint32_t i = 0; i < CTL_REC_MAX && !e; i++)
		if (r->open[i].state == REC_FREE)
			e = &r->open[i];
	if (!e)
		return -ENOSPC;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int rc = ctl_recw_open(r->w, (uint32_t)(e - r->open), fd, channels);
	if (rc) {
		close(fd);
		unlink(path);
		return rc;
	}
	memset(e, 0, sizeof(*e));
	e->leg = leg;
	e->rec_id = rec_id;
	e->channels = (uint8_t)channels;
	e->state = REC_OPEN;
	snprintf(e->path, sizeof(e->path), "%s", path);
	r->n_open++;
	return 0;
}

int ctl_rec_watch(struct ctl *c, vox_handle_t leg, uint16_t rec_id, bool trim,
                  ctl_rec_closed_fn *fn, void *arg)
{
	struct ctl_rec_file *e = c->rec ? rec_find(c->rec, leg, rec_id) : NULL;
	if (!e)
		return -ENOENT;
	e->trim = trim;
	e->watch = fn;
	e->watch_arg = arg;
	return 0;
}

/* Hand the close to the writer; the slot stays busy until rec_written. */
static void rec_close(struct ctl *c, struct ctl_rec_file *e, const struct vox_recording_done *d)
{
	struct ctl_rec *r = c->rec;
	if (d) {
		e->have_done = true;
		e->d = *d;
	}
	if (ctl_recw_close(r->w, (uint32_t)(e - r->open), e->trim, 0) == 0) {
		e->state = REC_CLOSING;
		return;
	}
	/* out of memory for the message: report it now, unwritten */
	struct ctl_recw_done wd = {.id = (uint32_t)(e - r->open), .err = -ENOMEM,
	                           .channels = e->channels};
	rec_written(r, &wd);
}

/* On the loop, once the writer closed the file (or removed it): the recording is done. */
static void rec_written(void *arg, const struct ctl_recw_done *wd)
{
	struct ctl_rec *r = arg;
	if (wd->id >= CTL_REC_MAX)
		return;
	struct ctl_rec_file *e = &r->open[wd->id];
	if (e->state == REC_FREE)
		return;
	if (wd->aborted) {
		memset(e, 0, sizeof(*e));
		r->n_open--;
		return;
	}
	bool err = wd->err != 0;
	r->write_errors += err;
	struct ctl_rec_done *o = &r->done[r->n_done++ % CTL_REC_HIST];
	memset(o, 0, sizeof(*o));
	o->leg = e->leg;
	o->rec_id = e->rec_id;
	o->channels = e->channels;
	o->bytes = wd->bytes;
	snprintf(o->path, sizeof(o->path), "%s", e->path);
	uint32_t file_ms = (uint32_t)(wd->bytes / (16u * e->channels));
	if (e->have_done) {
		o->reason = e->d.reason;
		o->flags = e->d.flags;
		o->finish = e->d.finish;
		o->duration_ms = e->trim ? file_ms : e->d.duration_ms;
		o->frames_lost = e->d.frames_lost;
	} else {
		o->reason = VOX_TERM_STOPPED;
		o->duration_ms = file_ms;
	}
	if (wd->dropped)
		o->flags |= VOX_RECDONE_OVERFLOW;
	CTL_INFO(TAG, "recording %s done: leg 0x%016llx id %u, %u ms, %llu bytes, reason %s%s%s%s",
	         o->path, (unsigned long long)o->leg, o->rec_id, o->duration_ms,
	         (unsigned long long)o->bytes, ctl_term_reason_name(o->reason),
	         (o->flags & VOX_RECDONE_OVERFLOW) ? ", OVERFLOW (audio lost)" : "",
	         err ? ", WRITE ERROR" : "",
	         e->trim ? ", silence trimmed" : "");
	struct ctl_rec_closed res = {.rec_id = e->rec_id,
	                             .err = wd->err,
	                             .duration_ms = o->duration_ms,
	                             .bytes = wd->bytes,
	                             .trimmed_ms = (uint32_t)((wd->trim_lead + wd->trim_tail) /
	                                                      (16u * e->channels)),
	                             .have_done = e->have_done,
	                             .done = e->d};
	ctl_rec_closed_fn *fn = e->watch;
	void *fa = e->watch_arg;
	memset(e, 0, sizeof(*e));
	r->n_open--;
	if (fn)
		fn(fa, &res);
}

void ctl_rec_abort(struct ctl *c, vox_handle_t leg, uint16_t rec_id)
{
	struct ctl_rec_file *e = c->rec ? rec_find(c->rec, leg, rec_id) : NULL;
	if (!e)
		return;
	e->watch = NULL;
	if (ctl_recw_abort(c->rec->w, (uint32_t)(e - c->rec->open), e->path) == 0)
		e->state = REC_CLOSING; /* freed when the writer removed it */
}

void ctl_rec_drain(struct ctl *c)
{
	struct ctl_rec *r = c->rec;
	if (!r || !c->attached)
		return;
	struct vox_shm_hdr *hdr = c->shm.map.hdr;
	for (uint32_t w = 0; w < hdr->n_workers; w++) {
		struct vox_bytering *br = vox_shm_bulk_ring(&c->shm.map, w);
		for (uint32_t n = 0; n < CTL_REC_DRAIN_BUDGET; n++) {
			const struct vox_bulk_chunk *ch = vox_bytering_peek(br);
			if (!ch)
				break;
			struct ctl_rec_file *e =
			    ch->type == VOX_BULK_AUDIO ? rec_find(r, ch->leg, ch->stream) : NULL;
			if (!e) {
				r->orphan_chunks++;
			} else if (ctl_recw_write(r->w, (uint32_t)(e - r->open), ch + 1, ch->len) == 0) {
				e->bytes += ch->len;
				r->bytes += ch->len;
			} else {
				r->overflow_chunks++; /* the writer's queue is full: dropped, flagged */
			}
			vox_bytering_pop(br, ch);
		}
	}
	ctl_recw_flush(r->w);
}

void ctl_rec_on_done(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct vox_recording_done d;
	if (!c->rec || h->len < sizeof(d))
		return;
	memcpy(&d, payload, sizeof(d));
	ctl_rec_drain(c);
	struct ctl_rec_file *e = rec_find(c->rec, h->leg, d.rec_id);
	if (e)
		rec_close(c, e, &d);
	else
		CTL_INFO(TAG, "RECORDING_DONE for leg 0x%016llx id %u with no open file (status %d)",
		         (unsigned long long)h->leg, d.rec_id, h->status);
}

void ctl_rec_leg_ended(struct ctl *c, vox_handle_t leg)
{
	struct ctl_rec *r = c->rec;
	if (!r || !r->n_open)
		return;
	ctl_rec_drain(c);
	for (uint32_t i = 0; i < CTL_REC_MAX; i++)
		if (r->open[i].state == REC_OPEN && r->open[i].leg == leg)
			rec_close(c, &r->open[i], NULL);
}

void ctl_rec_on_digits(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_rec *r = c->rec;
	struct vox_digits d;
	if (!r || h->len < sizeof(d))
		return;
	memcpy(&d, payload, sizeof(d));
	if (d.n > VOX_DIGITS_MAX)
		d.n = VOX_DIGITS_MAX;
	uint32_t k = r->n_digits++ % CTL_REC_HIST;
	r->digits[k].leg = h->leg;
	r->digits[k].d = d;
	r->digits[k].status = h->status;
	CTL_INFO(TAG, "DIGITS leg 0x%016llx: \"%.*s\" reason %s%s%c", (unsigned long long)h->leg,
	         (int)d.n, d.digits, ctl_term_reason_name(d.reason), d.finish ? " key " : "",
	         d.finish ? d.finish : ' ');
}

void ctl_rec_on_dtmf(struct ctl *c, const struct vox_rec_hdr *h, const void *payload)
{
	struct ctl_rec *r = c->rec;
	struct vox_dtmf d;
	if (!r || h->len < sizeof(d))
		return;
	memcpy(&d, payload, sizeof(d));
	uint32_t k = r->n_dtmf++ % CTL_REC_HIST;
	r->dtmf[k].leg = h->leg;
	r->dtmf[k].d = d;
	CTL_INFO(TAG, "DTMF leg 0x%016llx: '%c' %s, %u ms", (unsigned long long)h->leg,
	         d.digit ? d.digit : '?', d.source == VOX_DTMF_INBAND ? "in-band" : "rfc4733",
	         d.duration_ms);
}

const char *ctl_term_reason_name(uint32_t reason)
{
	switch (reason) {
	case VOX_TERM_MAX_DIGITS: return "max_digits";
	case VOX_TERM_FINISH_KEY: return "finish_key";
	case VOX_TERM_TIMEOUT: return "timeout";
	case VOX_TERM_STOPPED: return "stopped";
	case VOX_TERM_MAX_LENGTH: return "max_length";
	case VOX_TERM_SILENCE: return "silence";
	default: return "unknown";
	}
}

static json_t *hex_handle(vox_handle_t h)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%016llx", (unsigned long long)h);
	return json_string(b);
}

json_t *ctl_rec_json(const struct ctl *c)
{
	const struct ctl_rec *r = c->rec;
	json_t *o = json_object();
	if (!r)
		return o;
	json_t *open = json_array(), *done = json_array(), *dig = json_array(), *keys = json_array();
	for (uint32_t i = 0; i < CTL_REC_MAX; i++) {
		const struct ctl_rec_file *e = &r->open[i];
		if (e->state == REC_OPEN)
			json_array_append_new(open, json_pack("{s:o, s:i, s:s, s:I, s:i}", "leg", hex_handle(e->leg),
			                                      "id", e->rec_id, "path", e->path,
			                                      "bytes", (json_int_t)e->bytes, "channels", e->channels));
	}
	uint32_t n = r->n_done < CTL_REC_HIST ? r->n_done : CTL_REC_HIST;
	for (uint32_t i = 0; i < n; i++) {
		const struct ctl_rec_done *d = &r->done[(r->n_done - n + i) % CTL_REC_HIST];
		char fin[2] = {d->finish, 0};
		json_array_append_new(done, json_pack("{s:o, s:i, s:s, s:I, s:i, s:i, s:s, s:s, s:b, s:i}",
		    "leg", hex_handle(d->leg), "id", d->rec_id, "path", d->path, "bytes", (json_int_t)d->bytes,
		    "channels", d->channels, "duration_ms", (json_int_t)d->duration_ms,
		    "reason", ctl_term_reason_name(d->reason), "finish", fin,
		    "overflow", (d->flags & VOX_RECDONE_OVERFLOW) != 0, "frames_lost", (json_int_t)d->frames_lost));
	}
	n = r->n_digits < CTL_REC_HIST ? r->n_digits : CTL_REC_HIST;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = (r->n_digits - n + i) % CTL_REC_HIST;
		char s[VOX_DIGITS_MAX + 1];
		memcpy(s, r->digits[k].d.digits, r->digits[k].d.n);
		s[r->digits[k].d.n] = 0;
		char fin[2] = {r->digits[k].d.finish, 0};
		json_array_append_new(dig, json_pack("{s:o, s:s, s:s, s:s, s:i}", "leg", hex_handle(r->digits[k].leg),
		    "digits", s, "reason", ctl_term_reason_name(r->digits[k].d.reason), "finish", fin,
		    "status", r->digits[k].status));
	}
	n = r->n_dtmf < CTL_REC_HIST ? r->n_dtmf : CTL_REC_HIST;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = (r->n_dtmf - n + i) % CTL_REC_HIST;
		char s[2] = {r->dtmf[k].d.digit, 0};
		json_array_append_new(keys, json_pack("{s:o, s:s, s:s, s:i, s:b}", "leg", hex_handle(r->dtmf[k].leg),
		    "digit", s, "source", r->dtmf[k].d.source == VOX_DTMF_INBAND ? "inband" : "rfc4733",
		    "duration_ms", (json_int_t)r->dtmf[k].d.duration_ms, "e_bit", r->dtmf[k].d.e_bit != 0));
	}
	json_object_set_new(o, "recording", open);
	json_object_set_new(o, "recordings", done);
	json_object_set_new(o, "digits", dig);
	json_object_set_new(o, "dtmf", keys);
	json_object_set_new(o, "orphan_chunks", json_integer((json_int_t)r->orphan_chunks));
	json_object_set_new(o, "write_errors", json_integer((json_int_t)r->write_errors));
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(o, "writer", ctl_rec_status_json(c));
	return o;
}

json_t *ctl_rec_status_json(const struct ctl *c)
{
	const struct ctl_rec *r = c->rec;
	if (!r)
		return json_null();
	struct ctl_recw_stats ws;
	ctl_recw_get_stats(r->w, &ws);
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "open",
	                 (int)r->n_open, "bytes", (json_int_t)r->bytes, "orphan_chunks",
	                 (json_int_t)r->orphan_chunks, "queued_bytes", (json_int_t)ws.queued_bytes,
	                 "queue_max", (json_int_t)ws.queue_max, "max_queued_bytes",
	                 (json_int_t)ws.max_queued_bytes, "overflows", (json_int_t)ws.overflows,
	                 "overflow_bytes", (json_int_t)ws.overflow_bytes, "overflow_chunks",
	                 (json_int_t)r->overflow_chunks, "writes", (json_int_t)ws.writes,
	                 "write_errors", (json_int_t)(ws.write_errors + r->write_errors), "trims",
	                 (json_int_t)ws.trims, "completed", (json_int_t)ws.completed);
}
