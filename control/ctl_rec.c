/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_rec.c — recordings: drains the workers' bulk rings into WAV files; keeps the latest
 * DIGITS, key presses and finished recordings for the admin socket and the log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vox_layout.h"
#include "vox_shm.h"

#include "ctl.h"
#include "ctl_log.h"
#include "ctl_rec.h"

#define TAG "rec"
#define CTL_REC_DRAIN_BUDGET 4096 /* chunks per drain (about 80 s of one recording) */

/*
 * RECORD goes out after ctl_rec_open() created the file with a provisional header; the worker
 * puts one chunk per 20 ms frame in its bulk ring (stream = rec_id); every drain appends them
 * to the file of (leg, rec_id). RECORDING_DONE is handled after a drain of the rings (the
 * worker put every frame before the event), so the file is complete when the header is
 * patched with the real sizes and the file closed. A recording whose leg ended is closed on
 * LEG_ENDED as well (whichever comes first). Chunks for no open recording are counted and
 * dropped; write errors are counted and flagged on the recording.
 */

struct ctl_rec_file {
	vox_handle_t leg; /* 0: free */
	uint16_t rec_id;
	uint8_t channels;
	uint8_t write_err;
	FILE *f;
	uint64_t bytes;
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
	uint64_t orphan_chunks, write_errors, bytes;
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

int ctl_rec_create(struct ctl_rec **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void ctl_rec_destroy(struct ctl_rec *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < CTL_REC_MAX; i++)
		if (r->open[i].f)
			fclose(r->open[i].f);
	free(r);
}

static struct ctl_rec_file *rec_find(struct ctl_rec *r, vox_handle_t leg, uint16_t id)
{
	if (!r->n_open)
		return NULL;
	for (uint32_t i = 0; i < CTL_REC_MAX; i++)
		if (r->open[i].leg == leg && r->open[i].rec_id == id && r->open[i].f)
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
		if (!r->open[i].f)
			e = &r->open[i];
	if (!e)
		return -ENOSPC;
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	uint8_t hdr[CTL_WAV_HDR];
	ctl_wav_header(hdr, channels, 8000, 0);
	if (fwrite(hdr, sizeof(hdr), 1, f) != 1) {
		fclose(f);
		unlink(path);
		return -EIO;
	}
	memset(e, 0, sizeof(*e));
	e->leg = leg;
	e->rec_id = rec_id;
	e->channels = (uint8_t)channels;
	e->f = f;
	snprintf(e->path, sizeof(e->path), "%s", path);
	r->n_open++;
	return 0;
}

static void rec_close(struct ctl *c, struct ctl_rec_file *e, const struct vox_recording_done *d)
{
	struct ctl_rec *r = c->rec;
	/* sizes from what was written: the header then always matches the file */
	uint32_t data = e->bytes > 0xffffffffull - 36u ? 0xffffffffu - 36u : (uint32_t)e->bytes;
	uint8_t hdr[CTL_WAV_HDR];
	ctl_wav_header(hdr, e->channels, 8000, data);
	if (fseek(e->f, 0, SEEK_SET) != 0 || fwrite(hdr, sizeof(hdr), 1, e->f) != 1)
		e->write_err = 1;
	if (fclose(e->f) != 0)
		e->write_err = 1;
	r->write_errors += e->write_err;
	struct ctl_rec_done *o = &r->done[r->n_done++ % CTL_REC_HIST];
	memset(o, 0, sizeof(*o));
	o->leg = e->leg;
	o->rec_id = e->rec_id;
	o->channels = e->channels;
	o->bytes = e->bytes;
	snprintf(o->path, sizeof(o->path), "%s", e->path);
	if (d) {
		o->reason = d->reason;
		o->flags = d->flags;
		o->finish = d->finish;
		o->duration_ms = d->duration_ms;
		o->frames_lost = d->frames_lost;
	} else {
		o->reason = VOX_TERM_STOPPED;
		o->duration_ms = (uint32_t)(e->bytes / (16u * e->channels));
	}
	CTL_INFO(TAG, "recording %s done: leg 0x%016llx id %u, %u ms, %llu bytes, reason %s%s%s",
	         o->path, (unsigned long long)o->leg, o->rec_id, o->duration_ms,
	         (unsigned long long)o->bytes, ctl_term_reason_name(o->reason),
	         (o->flags & VOX_RECDONE_OVERFLOW) ? ", OVERFLOW (audio lost)" : "",
	         e->write_err ? ", WRITE ERROR" : "");
	e->f = NULL;
	e->leg = 0;
	r->n_open--;
}

void ctl_rec_abort(struct ctl *c, vox_handle_t leg, uint16_t rec_id)
{
	struct ctl_rec_file *e = c->rec ? rec_find(c->rec, leg, rec_id) : NULL;
	if (!e)
		return;
	fclose(e->f);
	unlink(e->path);
	e->f = NULL;
	e->leg = 0;
	c->rec->n_open--;
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
			} else if (!e->write_err) {
				if (fwrite(ch + 1, 1, ch->len, e->f) == ch->len) {
					e->bytes += ch->len;
					r->bytes += ch->len;
				} else {
					e->write_err = 1;
				}
			}
			vox_bytering_pop(br, ch);
		}
	}
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
		if (r->open[i].f && r->open[i].leg == leg)
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
		if (e->f)
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
	return o;
}
