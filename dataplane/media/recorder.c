/* SPDX-License-Identifier: BSD-3-Clause */
/* recorder.c — framing and stop conditions of a recording (pure logic, no I/O). */
#include <string.h>

#include "recorder.h"

/*
 * Mono sums both directions with saturation (what a listener on the line hears); dual keeps
 * them apart, interleaved L/R as a 2-channel WAV stores them. The silence timeout counts
 * consecutive frames whose mean |sample| from the far end is at or below the level: speech
 * resets it, so a recording stops silence_ms after the caller last spoke (or after the start).
 */

void recorder_start(struct recorder *r, uint8_t channels, uint32_t max_ms, uint32_t silence_ms,
		    uint16_t level)
{
	memset(r, 0, sizeof(*r));
	r->active = true;
	r->channels = channels == 2 ? 2 : 1;
	r->level = level ? level : RECORDER_SILENCE_LEVEL;
	r->max_frames = (max_ms + 19u) / 20u;
	r->silence_frames = (silence_ms + 19u) / 20u;
}

uint32_t recorder_frame_level(const int16_t *pcm)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < RECORDER_FRAME; i++)
		sum += (uint32_t)(pcm[i] < 0 ? -(int32_t)pcm[i] : pcm[i]);
	return sum / RECORDER_FRAME;
}

enum recorder_end recorder_frame(struct recorder *r, const int16_t *far, const int16_t *near,
				 int16_t *out)
{
	if (r->channels == 2) {
		for (uint32_t i = 0; i < RECORDER_FRAME; i++) {
			out[2 * i] = far[i];
			out[2 * i + 1] = near ? near[i] : 0;
		}
	} else if (near) {
		for (uint32_t i = 0; i < RECORDER_FRAME; i++) {
			int32_t v = (int32_t)far[i] + near[i];
			out[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
		}
	} else {
		memcpy(out, far, RECORDER_FRAME * sizeof(*out));
	}
	r->frames++;
	if (recorder_frame_level(far) <= r->level)
		r->quiet_run++;
	else
		r->quiet_run = 0;
	if (r->max_frames && r->frames >= r->max_frames) {
		r->active = false;
		return RECORDER_MAX_LENGTH;
	}
	if (r->silence_frames && r->quiet_run >= r->silence_frames) {
		r->active = false;
		return RECORDER_SILENCE;
	}
	return RECORDER_RUNNING;
}
