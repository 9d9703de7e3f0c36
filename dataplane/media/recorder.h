/* SPDX-License-Identifier: BSD-3-Clause */
/* recorder.h — RECORD framing: mono mix or dual interleave of 20 ms frames, max length and an
 * energy-based silence timeout. */
#ifndef VOX_MEDIA_RECORDER_H
#define VOX_MEDIA_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#define RECORDER_FRAME 160
#define RECORDER_SILENCE_LEVEL 100 /* default: mean |sample| ~ -50 dBFS */

/* Values equal to the ABI's enum vox_term_reason (dp_term.c asserts it). */
enum recorder_end {
	RECORDER_RUNNING = 0,
	RECORDER_MAX_LENGTH = 5,
	RECORDER_SILENCE = 6,
};

struct recorder {
	bool active;
	uint8_t channels;       /* 1 mixed, 2 interleaved (far end left, near end right) */
	uint16_t level;         /* silence: mean |sample| at or below */
	uint32_t max_frames;    /* 0: none */
	uint32_t silence_frames; /* 0: no silence timeout */
	uint32_t frames;        /* produced */
	uint32_t quiet_run;     /* consecutive silent frames */
};

void recorder_start(struct recorder *r, uint8_t channels, uint32_t max_ms, uint32_t silence_ms,
		    uint16_t level);
/* Mean absolute sample value of a frame (the energy measure). */
uint32_t recorder_frame_level(const int16_t *pcm);
/* One 20 ms frame: far (what the far end sent) and near (what we sent, NULL = silence) into out
 * (160 samples mono, 320 dual). The silence timeout looks at the far end only. Returns the
 * reason when this frame ends the recording (the frame itself still belongs to it). */
enum recorder_end recorder_frame(struct recorder *r, const int16_t *far, const int16_t *near,
				 int16_t *out);
/* Bytes of one frame of output. */
static inline uint32_t recorder_frame_bytes(const struct recorder *r)
{
	return RECORDER_FRAME * 2u * r->channels;
}

#endif
