/* SPDX-License-Identifier: BSD-3-Clause */
/* vox_base64.c — strict RFC 4648 base64 decode and encode. */
#include <errno.h>

#include "vox_base64.h"

static const char vox_b64_abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int vox_b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int vox_b64_decode(const char *s, size_t len, uint8_t *out, size_t outlen)
{
	size_t pad = 0, n = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (len % 4 != 0 || len == 0)
		return -EINVAL;
	if (s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	if ((len / 4) * 3 - pad != outlen)
		return -EINVAL;
	for (size_t i = 0; i < len - pad; i++) {
		int v = vox_b64_val(s[i]);
		if (v < 0)
			return -EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (acc & ((1u << bits) - 1))
		return -EINVAL;
	return 0;
}

size_t vox_b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t x = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			x |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			x |= in[i + 2];
		out[o++] = vox_b64_abc[(x >> 18) & 63];
		out[o++] = vox_b64_abc[(x >> 12) & 63];
		out[o++] = i + 1 < n ? vox_b64_abc[(x >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? vox_b64_abc[x & 63] : '=';
	}
	out[o] = 0;
	return o;
}
