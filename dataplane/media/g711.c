/* SPDX-License-Identifier: BSD-3-Clause */
/* G.711 companding: table decode, table encode filled by segment search (ITU-T G.711 tables 1, 2). */
#include <errno.h>

#include "g711.h"

/*
 * Linear values are 16-bit. G.711 mu-law works on 14-bit magnitudes and
 * A-law on 13-bit ones; the decoded values below are the G.711 output values
 * scaled by 4 (mu-law) and 8 (A-law), so the largest outputs are 8031*4 and
 * 4032*8.
 *
 * mu-law code (after inverting all bits): s eee mmmm, s = 1 for negative.
 *   |y| = ((2m + 33) << e) - 33, in 14-bit units.
 * A-law code (after inverting the even bits, ^0x55): s eee mmmm, s = 1 for positive.
 *   |y| = 2m + 1 for e = 0, (2m + 33) << (e - 1) otherwise, in 12-bit half-units.
 */
#define ULAW_DEC(c) ((int16_t)((((~(c)) & 0x80) ? -1 : 1) * \
	(((((((~(c)) & 0x0f) << 3) + 0x84) << (((~(c)) >> 4) & 7)) - 0x84))))

/* << (e - 1) written as << e >> 1: the e == 0 arm is discarded but still
 * compiled, and a negative shift count there would draw a warning */
#define ALAW_MAG(a) (((a) & 0x70) == 0 ? ((((a) & 0x0f) << 4) + 8) : \
	((((((a) & 0x0f) << 4) + 0x108) << (((a) >> 4) & 7)) >> 1))
#define ALAW_DEC(c) ((int16_t)(((((c) ^ 0x55) & 0x80) ? 1 : -1) * ALAW_MAG((c) ^ 0x55)))

#define R4(f, b) f(b), f(b + 1), f(b + 2), f(b + 3)
#define R16(f, b) R4(f, b), R4(f, b + 4), R4(f, b + 8), R4(f, b + 12)
#define R64(f, b) R16(f, b), R16(f, b + 16), R16(f, b + 32), R16(f, b + 48)
#define R256(f) R64(f, 0), R64(f, 64), R64(f, 128), R64(f, 192)

const int16_t g711_ulaw_dec[256] = { R256(ULAW_DEC) };
const int16_t g711_alaw_dec[256] = { R256(ALAW_DEC) };

/* Index of the highest set bit; v > 0. */
static inline unsigned g711_msb(unsigned v)
{
	return 31u - (unsigned)__builtin_clz(v);
}

/* Encoders by segment search, used to fill the tables below. */
static uint8_t g711_ulaw_compute(int16_t x)
{
	/* Negative samples use the one's complement (-x - 1) so that every
	 * decoded value re-encodes to its own code. */
	unsigned neg = x < 0;
	unsigned mag = neg ? (unsigned)~x : (unsigned)x;
	unsigned v = (mag >> 2) + 33; /* 14-bit magnitude plus bias: 33..8224 */

	if (v > 0x1fff)
		v = 0x1fff;
	unsigned seg = g711_msb(v) - 5; /* v >= 32, so seg in 0..7 */
	unsigned mant = (v >> (seg + 1)) & 0x0f;

	return (uint8_t)~((neg << 7) | (seg << 4) | mant);
}

static uint8_t g711_alaw_compute(int16_t x)
{
	unsigned pos = x >= 0;
	unsigned mag = (pos ? (unsigned)x : (unsigned)~x) >> 4; /* 0..2047 */
	unsigned code;

	if (mag < 16) {
		code = mag;
	} else {
		unsigned seg = g711_msb(mag) - 3; /* 1..7 */
		code = (seg << 4) | ((mag >> (seg - 1)) & 0x0f);
	}
	return (uint8_t)(((pos << 7) | code) ^ 0x55);
}

/*
 * Encode tables: the mu-law code depends only on x >> 2 (14-bit input) and
 * the A-law code only on x >> 4 (the 13-bit input's lowest bit never
 * matters), for negative x too since ~x keeps those groups together. 16 KiB
 * and 4 KiB, filled once at load time, read-only after.
 */
static uint8_t g711_ulaw_enc[1 << 14];
static uint8_t g711_alaw_enc[1 << 12];

__attribute__((constructor)) static void g711_tables_init(void)
{
	for (unsigned i = 0; i < (1u << 14); i++)
		g711_ulaw_enc[i] = g711_ulaw_compute((int16_t)(uint16_t)(i << 2));
	for (unsigned i = 0; i < (1u << 12); i++)
		g711_alaw_enc[i] = g711_alaw_compute((int16_t)(uint16_t)(i << 4));
}

uint8_t g711_ulaw_encode(int16_t x)
{
	return g711_ulaw_enc[(uint16_t)x >> 2];
}

uint8_t g711_alaw_encode(int16_t x)
{
	return g711_alaw_enc[(uint16_t)x >> 4];
}

void g711_ulaw_encode_buf(uint8_t *dst, const int16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = g711_ulaw_enc[(uint16_t)src[i] >> 2];
}

void g711_ulaw_decode_buf(int16_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = g711_ulaw_dec[src[i]];
}

void g711_alaw_encode_buf(uint8_t *dst, const int16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = g711_alaw_enc[(uint16_t)src[i] >> 4];
}

void g711_alaw_decode_buf(int16_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = g711_alaw_dec[src[i]];
}

int g711_decode_pt(int pt, int16_t *dst, const uint8_t *src, size_t n)
{
	if (pt == G711_PT_PCMU)
		g711_ulaw_decode_buf(dst, src, n);
	else if (pt == G711_PT_PCMA)
		g711_alaw_decode_buf(dst, src, n);
	else
		return -EINVAL;
	return 0;
}

int g711_encode_pt(int pt, uint8_t *dst, const int16_t *src, size_t n)
{
	if (pt == G711_PT_PCMU)
		g711_ulaw_encode_buf(dst, src, n);
	else if (pt == G711_PT_PCMA)
		g711_alaw_encode_buf(dst, src, n);
	else
		return -EINVAL;
	return 0;
}
