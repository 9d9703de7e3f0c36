/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_rec.h — recordings (bulk ring -> WAV files) and the DIGITS/DTMF results of legs. */
#ifndef CTL_REC_H
#define CTL_REC_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "vox_abi.h"

struct ctl;
struct ctl_rec;

#define CTL_REC_MAX 256   /* recordings open at once */
#define CTL_REC_HIST 32   /* finished recordings, DIGITS and key presses kept for `diag term` */
#define CTL_WAV_HDR 44

/* The 44-byte RIFF/WAVE header of 16-bit PCM at `rate` Hz. */
void ctl_wav_header(uint8_t out[CTL_WAV_HDR], uint32_t channels, uint32_t rate, uint32_t data_bytes);

struct ctl_loop;
/* Also starts the writer thread (ctl_recw.c), whose completions come through loop. */
int ctl_rec_create(struct ctl_rec **out, struct ctl_loop *loop);
void ctl_rec_destroy(struct ctl_rec *r);

/* Open `path` for a recording of (leg, rec_id) before the RECORD command goes out.
 * Returns 0, -EEXIST (that id is open), -ENOSPC (table full) or -errno of fopen. */
int ctl_rec_open(struct ctl *c, vox_handle_t leg, uint16_t rec_id, uint32_t channels, const char *path);
/* What a watcher learns once a recording's file is complete and closed. */
struct ctl_rec_closed {
	uint16_t rec_id;
	int err;              /* 0 or -errno of the writer */
	uint32_t duration_ms; /* of the file as closed (trimmed), else the dataplane's */
	uint64_t bytes;       /* data bytes in the file */
	uint32_t trimmed_ms;  /* silence cut */
	bool have_done;       /* closed by RECORDING_DONE (done is its payload), else LEG_ENDED */
	struct vox_recording_done done;
};
typedef void ctl_rec_closed_fn(void *arg, const struct ctl_rec_closed *r);
/* For an open recording: trim its leading and trailing silence at the close (RMS threshold
 * CTL_RECW_TRIM_RMS over 20 ms frames) when `trim`, and call fn on the loop once the file is
 * complete and closed (after RECORDING_DONE or LEG_ENDED; not after ctl_rec_abort). Returns 0
 * or -ENOENT. */
int ctl_rec_watch(struct ctl *c, vox_handle_t leg, uint16_t rec_id, bool trim,
                  ctl_rec_closed_fn *fn, void *arg);
/* Forget an open recording whose command could not be sent (the file is removed). */
void ctl_rec_abort(struct ctl *c, vox_handle_t leg, uint16_t rec_id);
/* Move audio from every worker's bulk ring into the files. */
void ctl_rec_drain(struct ctl *c);
/* Events (ctl_dp.c's table): RECORDING_DONE closes its file, LEG_ENDED the leg's files. */
void ctl_rec_on_done(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_rec_on_digits(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_rec_on_dtmf(struct ctl *c, const struct vox_rec_hdr *h, const void *payload);
void ctl_rec_leg_ended(struct ctl *c, vox_handle_t leg);
/* {"recording":[open], "recordings":[done], "digits":[...], "dtmf":[...], counters} */
json_t *ctl_rec_json(const struct ctl *c);
/* "#*" -> finish-key mask (bit = RFC 4733 event), "none" -> 0. Returns 0 or -EINVAL. */
int ctl_keys_mask(const char *s, uint16_t *mask);
/* TONE payload from "ringback", "beep", "digits:STR" or "HZ[+HZ]". Returns 0 or -EINVAL. */
int ctl_tone_parse(const char *kind, uint32_t ms, struct vox_tone *t);
/* Admin requests (ctl_admin_term.c), in ctl_admin_cmds.c's table. */
json_t *ctl_adm_leg_tone(struct ctl *c, uint64_t client, int argc, char **argv);
json_t *ctl_adm_leg_silence(struct ctl *c, uint64_t client, int argc, char **argv);
json_t *ctl_adm_leg_collect(struct ctl *c, uint64_t client, int argc, char **argv);
json_t *ctl_adm_leg_record(struct ctl *c, uint64_t client, int argc, char **argv);
json_t *ctl_adm_term(struct ctl *c, uint64_t client, int argc, char **argv);
/* `status` "recordings": open files, the writer thread's queue and counters. */
json_t *ctl_rec_status_json(const struct ctl *c);
/* "max_digits", "finish_key", ... */
const char *ctl_term_reason_name(uint32_t reason);

#endif
