/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_g711.h — G.711 μ-law and A-law conversion (ITU-T G.711), used by both processes. */
#ifndef VOX_G711_H
#define VOX_G711_H

#include <stddef.h>
#include <stdint.h>

/*
 * Encoders take 16-bit linear samples (the top 14 bits for μ-law, 13 for A-law are used, as
 * G.711 specifies) and find the segment through a 256-entry table instead of a loop. Decoders
 * return the segment's mid-point value in the same 16-bit scale. Silence encodes as 0xFF
 * (μ-law) and 0xD5 (A-law). Pure functions: safe on any thread, no state.
 */

/* One sample. */
uint8_t vox_g711_ulaw_encode(int16_t pcm);
uint8_t vox_g711_alaw_encode(int16_t pcm);
int16_t vox_g711_ulaw_decode(uint8_t u);
int16_t vox_g711_alaw_decode(uint8_t a);

/* n samples from pcm into out (n bytes). */
void vox_g711_ulaw_encode_buf(uint8_t *out, const int16_t *pcm, size_t n);
void vox_g711_alaw_encode_buf(uint8_t *out, const int16_t *pcm, size_t n);

#endif /* VOX_G711_H */
