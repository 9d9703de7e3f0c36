/* SPDX-License-Identifier: BSD-3-Clause */
/* G.711 mu-law and A-law companding: 16-bit linear PCM at 8 kHz <-> 8-bit codes. */
#ifndef VOX_MEDIA_G711_H
#define VOX_MEDIA_G711_H

#include <stddef.h>
#include <stdint.h>

/* One 20 ms frame at 8 kHz. */
#define G711_FRAME_SAMPLES 160

/* RTP static payload types (RFC 3551). */
#define G711_PT_PCMU 0
#define G711_PT_PCMA 8

/* Decode tables, 256 entries each, filled at compile time. Exposed so the
 * inline decoders below stay one load; read-only, shared by all cores. */
extern const int16_t g711_ulaw_dec[256];
extern const int16_t g711_alaw_dec[256];

static inline int16_t g711_ulaw_decode(uint8_t code) { return g711_ulaw_dec[code]; }
static inline int16_t g711_alaw_decode(uint8_t code) { return g711_alaw_dec[code]; }

/* Encode one linear sample. Full 16-bit input range; values beyond the
 * companding range clip to the largest code. */
uint8_t g711_ulaw_encode(int16_t x);
uint8_t g711_alaw_encode(int16_t x);

/* Whole-buffer helpers (n samples <-> n codes); usually n == G711_FRAME_SAMPLES. */
void g711_ulaw_encode_buf(uint8_t *dst, const int16_t *src, size_t n);
void g711_ulaw_decode_buf(int16_t *dst, const uint8_t *src, size_t n);
void g711_alaw_encode_buf(uint8_t *dst, const int16_t *src, size_t n);
void g711_alaw_decode_buf(int16_t *dst, const uint8_t *src, size_t n);

/* Payload-type dispatch: pt is G711_PT_PCMU or G711_PT_PCMA.
 * Return 0, or -EINVAL for another payload type. */
int g711_decode_pt(int pt, int16_t *dst, const uint8_t *src, size_t n);
int g711_encode_pt(int pt, uint8_t *dst, const int16_t *src, size_t n);

/* Code for silence (linear 0) in each law. */
#define G711_ULAW_SILENCE 0xff
#define G711_ALAW_SILENCE 0xd5

#endif
