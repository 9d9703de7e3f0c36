/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_g711.c — table-driven G.711 μ-law / A-law encoders and their decoders. */
#include "vox_g711.h"

/*
 * seg_of[i] = floor(log2(i)) for i >= 1 (and 0 for i = 0): the segment (exponent) of a
 * magnitude once its low bits are shifted away, in one load.
 */
#define G711_R2(x) x, x
#define G711_R4(x) G711_R2(x), G711_R2(x)
#define G711_R8(x) G711_R4(x), G711_R4(x)
#define G711_R16(x) G711_R8(x), G711_R8(x)
#define G711_R32(x) G711_R16(x), G711_R16(x)
#define G711_R64(x) G711_R32(x), G711_R32(x)
#define G711_R128(x) G711_R64(x), G711_R64(x)
static const uint8_t g711_seg_of[256] = {
    0, 0, G711_R2(1), G711_R4(2), G711_R8(3), G711_R16(4), G711_R32(5), G711_R64(6), G711_R128(7),
};
_Static_assert(sizeof(g711_seg_of) == 256, "segment table covers one byte");

#define G711_ULAW_BIAS 0x84  /* 132: makes every segment start at a power of two */
#define G711_ULAW_CLIP 32635 /* largest magnitude that still fits after the bias */

uint8_t vox_g711_ulaw_encode(int16_t pcm)
{
	int v = pcm;
	uint8_t sign = 0;
	if (v < 0) {
		v = -v - 1; /* one's complement, as G.191's reference: -1 and 0 share a level */
		sign = 0x80;
	}
	if (v > G711_ULAW_CLIP)
		v = G711_ULAW_CLIP;
	v += G711_ULAW_BIAS; /* 132 .. 32767: bit 7 or above is always set */
	uint32_t seg = g711_seg_of[(v >> 7) & 0xff];
	uint32_t mant = ((uint32_t)v >> (seg + 3)) & 0x0f;
	return (uint8_t) ~(sign | (seg << 4) | mant);
}

uint8_t vox_g711_alaw_encode(int16_t pcm)
{
	int v = pcm;
	uint8_t mask = 0xd5; /* sign bit set for positive values, even bits inverted */
	if (v < 0) {
		v = -v - 1; /* -1 .. -32768 map onto 0 .. 32767 */
		mask = 0x55;
	}
	v >>= 3; /* 12-bit magnitude */
	uint32_t seg = g711_seg_of[(v >> 4) & 0xff];
	uint32_t shift = seg ? seg : 1; /* segments 0 and 1 share the same step */
	uint32_t mant = ((uint32_t)v >> shift) & 0x0f;
	return (uint8_t)(((seg << 4) | mant) ^ mask);
}

int16_t vox_g711_ulaw_decode(uint8_t u)
{
	u = (uint8_t)~u;
	int t = (((int)u & 0x0f) << 3) + G711_ULAW_BIAS;
	t <<= ((unsigned)u & 0x70) >> 4;
	return (int16_t)((u & 0x80) ? (G711_ULAW_BIAS - t) : (t - G711_ULAW_BIAS));
}

int16_t vox_g711_alaw_decode(uint8_t a)
{
	a ^= 0x55;
	int t = ((int)a & 0x0f) << 4;
	unsigned seg = ((unsigned)a & 0x70) >> 4;
	if (seg == 0)
		t += 8;
	else
		t = (t + 0x108) << (seg - 1);
	return (int16_t)((a & 0x80) ? t : -t);
}

void vox_g711_ulaw_encode_buf(uint8_t *out, const int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = vox_g711_ulaw_encode(pcm[i]);
}

void vox_g711_alaw_encode_buf(uint8_t *out, const int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = vox_g711_alaw_encode(pcm[i]);
}
