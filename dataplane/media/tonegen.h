/* SPDX-License-Identifier: BSD-3-Clause */
/* tonegen.h — tone and in-band DTMF generation in 20 ms linear frames (TONE, SILENCE). */
#ifndef VOX_MEDIA_TONEGEN_H
#define VOX_MEDIA_TONEGEN_H

#include <stdbool.h>
#include <stdint.h>

#define TONEGEN_FRAME 160   /* samples per frame, 20 ms at 8 kHz */
#define TONEGEN_SEGS 66     /* a 32-digit string: tone + gap per digit, plus spare */
#define TONEGEN_DIGITS_MAX 32

/* One piece of the program: f1 (+ f2) Hz for n samples; f1 = 0 is silence. */
struct tonegen_seg {
	uint16_t f1, f2;
	uint32_t n;
};

/* A generator: a list of segments played in order (looped when `loop`), cut at `total`
 * samples when non-zero. Oscillators are complex rotations (no libm call per sample), restarted
 * at each segment. Fixed size; no allocation. */
struct tonegen {
	struct tonegen_seg seg[TONEGEN_SEGS];
	uint8_t n_seg, cur;
	bool loop;
	bool active;
	float amp;
	uint32_t total, done; /* samples: limit (0: none), produced */
	uint32_t left;        /* samples left in the current segment */
	float c1, s1, rc1, rs1, c2, s2, rc2, rs2; /* oscillator state and rotation */
};

/* level_dbm0: per frequency, -dBm0 (0 -> 10). ms = 0: until stopped (sine, ringback). */
void tonegen_sine(struct tonegen *g, uint16_t f1, uint16_t f2, uint8_t level_dbm0, uint32_t ms);
/* 440 + 480 Hz, 2 s on, 4 s off. */
void tonegen_ringback(struct tonegen *g, uint8_t level_dbm0, uint32_t ms);
/* A national ringing tone: f1 (+ f2) Hz, on_ms on then off_ms off, looped; twice: the on part
 * is two bursts of on_ms with 200 ms between them (the British double ring). ms = 0: until
 * stopped. */
void tonegen_ring(struct tonegen *g, uint16_t f1, uint16_t f2, uint16_t on_ms, uint16_t off_ms,
		  bool twice, uint8_t level_dbm0, uint32_t ms);
/* Silence for ms (> 0). */
void tonegen_silence(struct tonegen *g, uint32_t ms);
/* DTMF digits (0-9 * # A-D, 'w' 0.5 s pause, 'W' 1 s); on_ms/off_ms 0 -> 100.
 * Returns 0, or -EINVAL for an empty string, an unknown character or more than 32. */
int tonegen_digits(struct tonegen *g, const char *s, uint32_t len, uint16_t on_ms, uint16_t off_ms,
		   uint8_t level_dbm0);
/* Next 20 ms. Returns true with out filled, false when the program is over (out untouched). */
bool tonegen_frame(struct tonegen *g, int16_t out[TONEGEN_FRAME]);
/* The DTMF frequency pair of a digit; returns false if c is not a DTMF digit. */
bool tonegen_dtmf_freqs(char c, uint16_t *lo, uint16_t *hi);

#endif
